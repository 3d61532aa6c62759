"""Extraction quality over ../shared/corpus: newsarchive beside plain trafilatura, in one run.

    .venv/bin/python benchmarks/quality.py                    # the full report (both cores)
    .venv/bin/python benchmarks/quality.py --split tuning     # tuning pages only (faster)
    .venv/bin/python benchmarks/quality.py --ids sh-042bb7b5fedab6ea --show sh-042bb7b5fedab6ea

What is measured, per page of the corpus (see its README.md for the labels):

- **Body**, on the pages with a ground-truth body: the scrapinghub article-extraction-benchmark
  measure. Tokens are runs of `\\w` (case kept); each text is a multiset of word 4-gram
  shingles; true positives, false positives and false negatives are the multiset overlap and
  the two excesses, divided by their sum so that every page weighs the same. Precision and
  recall are averaged over pages and F1 is computed from the two means. For newsarchive the
  text is the Markdown body of the file `newsarchive fetch` writes (`pipeline.render_file`),
  with the front matter, the header lines it adds (title, byline, date, lead picture) and the
  source line removed, and the Markdown syntax and link targets stripped.
- **Metadata**: the title (after Unicode, case, whitespace and punctuation normalisation,
  against `title` and `title_variants`), the author set (lenient on case, diacritics, "By"
  and "A and B" splitting, a degree after a comma being part of the name, against `authors`
  and `authors_alt`), the publication day (against `date` and `date_alt`, a label written
  YYYY-DD-MM read as the day it is), and the false positives: a value given where the field
  is labelled `absent`.
- **Text integrity** (`integrity.py`), on every page: the stored body against the page's own
  visible text: glued words, words split apart, paragraphs broken across lines, blocks of
  100+ characters stored twice, placeholder pictures and `javascript:` links.
- **Snippets** (trafilatura's set): how many `body_with` snippets appear in the archived text,
  and how many `body_without` snippets (boilerplate) do.

Plain trafilatura is run with its defaults (text output, comments excluded, as the scrapinghub
benchmark runs it); for bodies a second column gives its Markdown output with links and
images, which is what an archive built on it would store.

A fixed random third of each collection (seeded) is held out: tuning looks only at the other
pages, and the held-out third is reported separately. Worst-page lists never show held-out
pages. This is a measurement, not a test: it prints a report and exits 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import trafilatura

from newsarchive.errors import NewsArchiveError
from newsarchive.extract import COMPLETENESS, REASON, extract
from newsarchive.fetch import read_local
from newsarchive.frontmatter import loads
from newsarchive.models import Article
from newsarchive.pipeline import render_file
from newsarchive.render import render_body

sys.path.insert(0, str(Path(__file__).resolve().parent))  # integrity.py, also when imported
from integrity import INTEGRITY_FIELDS, INTEGRITY_NAMES, measure  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = 20240606  # fixes the held-out third; never change it after tuning has started
HELD_OUT_SHARE = 1 / 3

NA = "newsarchive"
TF = "trafilatura"
TF_MD = "trafilatura-md"
SYSTEMS = (NA, TF)

# ---------------------------------------------------------------------------------------------
# The body measure


_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of word n-grams of `text` (a text shorter than n words is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_match(truth: str, predicted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, normalised to sum to 1 (all zero when both texts are empty)."""
    want, got = shingles(truth), shingles(predicted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if not total:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def page_recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def body_scores(triples: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, F1) over pages: precision and recall are means over the pages where
    they are defined, F1 comes from the two means."""
    precisions = [page_precision(*t) for t in triples if t[0] + t[1] > 0]
    recalls = [page_recall(*t) for t in triples if t[0] + t[2] > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# ---------------------------------------------------------------------------------------------
# From stored Markdown to plain text

_FENCE = re.compile(r"^\s*(?:```|~~~)[^\n]*$", re.MULTILINE)
_IMAGE = re.compile(
    r"!\[(?:\\.|[^\]\\])*\]\((?:<(?:\\.|[^>\\])*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)\)"
)
_LINK = re.compile(
    r"\[((?:\\.|[^\]\\])*)\]\((?:<(?:\\.|[^>\\])*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)\)"
)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# Tags a browser lays out inside a line ("m<sup>2</sup>" reads "m2", as the labels have it);
# any other tag left in the Markdown (a <br>) separates words.
_INLINE_TAG = re.compile(r"</?(?:sup|sub|u|ins|del|s|mark|small|kbd|b|i|em|strong|code)>", re.I)
_TABLE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$", re.MULTILINE)
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w\\])_+|(?<!\\)_+(?!\w)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def markdown_text(md: str) -> str:
    """The words a reader sees in Markdown: no link targets, images, tags or emphasis marks.
    (Only what can change `\\w` tokens matters here: other punctuation is never a token.)"""
    md = _FENCE.sub("", md)
    md = _IMAGE.sub(" ", md)
    md = _LINK.sub(r"\1", md)
    md = _AUTOLINK.sub(r"\1", md)
    md = _INLINE_TAG.sub("", md)
    md = _HTML_TAG.sub(" ", md)
    md = _TABLE_RULE.sub("", md)
    md = _EMPHASIS_UNDERSCORE.sub("", md)
    return _ESCAPE.sub(r"\1", md)


def stored_parts(article: Article) -> tuple[str, str]:
    """(header, body) of the Markdown newsarchive stores for `article`, read back from the file
    text: the front matter and the closing source line are removed, and the header lines the
    renderer adds are split off the body."""
    _, text = loads(render_file(article))
    header = render_body(dataclasses.replace(article, body="", url="")).rstrip("\n")
    if not text.startswith(header):
        raise RuntimeError(f"{article.url}: the stored file does not start with its header")
    rest = text[len(header) :]
    footer = re.search(r"\n\n---\n\nSource: <[^\n]*>\n\Z", rest)
    if article.url.strip() and footer is None:
        raise RuntimeError(f"{article.url}: the stored file does not end with its source line")
    body = rest[: footer.start()] if footer else rest
    return header, body.strip("\n")


# ---------------------------------------------------------------------------------------------
# Metadata matching


def norm_title(text: str) -> str:
    """Case, Unicode forms, invisible characters (soft hyphens), punctuation and spacing
    do not count: "Genesenen\xadnachweise" is "Genesenennachweise"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NAME_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\bi\b|\boraz\b)\s*")


# What follows a name after a comma without being another name: "Jane Doe, PhD", "John Roe, Jr."
_NAME_SUFFIXES = frozenset({"phd", "md", "mba", "msc", "bsc", "mph", "jr", "sr"})


def author_set(names: Iterable[str]) -> frozenset[str]:
    """A set of folded names: "By Jane DOE and José Ruiz" → {"jane doe", "jose ruiz"};
    "Jane Doe, PhD" is one name, not two."""
    out: set[str] = set()
    for name in names:
        for part in _NAME_SPLIT.split(_fold(name)):
            part = re.sub(r"^(?:by|von|par|por|door)\s+", "", part.strip())
            words = re.findall(r"\w+", part)
            if words and "".join(words) not in _NAME_SUFFIXES:
                out.add(" ".join(words))
    return frozenset(out)


def title_ok(predicted: str | None, rec: dict[str, Any]) -> bool:
    if not predicted:
        return False
    got = norm_title(predicted)
    return any(got == norm_title(t) for t in [rec["title"], *(rec.get("title_variants") or [])])


def authors_ok(predicted: Sequence[str], rec: dict[str, Any]) -> bool:
    got = author_set(predicted)
    return bool(got) and any(
        got == author_set(truth) for truth in (rec["authors"], rec.get("authors_alt")) if truth
    )


def label_day(text: str) -> str:
    """A labelled day as YYYY-MM-DD: a few labels are written YYYY-DD-MM ("2022-29-11")."""
    year, month, day = text[:4], text[5:7], text[8:10]
    if month.isdigit() and day.isdigit() and int(month) > 12 >= int(day):
        return f"{year}-{day}-{month}"
    return text


def date_ok(predicted: str | None, rec: dict[str, Any]) -> bool:
    alternatives = rec.get("date_alt") or []
    if isinstance(alternatives, str):
        alternatives = [alternatives]
    days = {label_day(d) for d in [rec["date"], *alternatives]}
    return predicted is not None and predicted[:10] in days


def _snippet_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# ---------------------------------------------------------------------------------------------
# One page, both systems (runs in a worker process)


@dataclasses.dataclass
class SystemResult:
    error: str | None = None  # the failure, when nothing was extracted
    seconds: float = 0.0
    title: str | None = None
    authors: list[str] = dataclasses.field(default_factory=list)
    date: str | None = None
    body: tuple[float, float, float] | None = None  # (tp, fp, fn) on labelled bodies
    with_found: int = 0
    with_total: int = 0
    without_found: int = 0
    without_total: int = 0
    partial: str | None = None  # newsarchive's completeness reason, when flagged
    integrity: dict[str, int] = dataclasses.field(default_factory=dict)  # counts of defects
    examples: dict[str, list[str]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class PageResult:
    id: str
    collection: str
    held_out: bool
    systems: dict[str, SystemResult]


def _snippets(result: SystemResult, rec: dict[str, Any], text: str) -> None:
    haystack = _snippet_key(text)
    wanted = [s for s in rec.get("body_with") or [] if s.strip()]
    unwanted = [s for s in rec.get("body_without") or [] if s.strip()]
    result.with_total, result.without_total = len(wanted), len(unwanted)
    result.with_found = sum(_snippet_key(s) in haystack for s in wanted)
    result.without_found = sum(_snippet_key(s) in haystack for s in unwanted)


def run_newsarchive(rec: dict[str, Any]) -> tuple[SystemResult, str]:
    result = SystemResult()
    start = time.process_time()
    url = rec.get("url") or None
    body = header = html = ""
    try:
        page = read_local(CORPUS / rec["file"], url=url)
        html = page.html
        article = extract(page, url=url)
        header, body = stored_parts(article)
    except NewsArchiveError as exc:
        result.error = f"{type(exc).__name__}: {exc.reason}"
    else:
        result.title = article.title
        result.authors = list(article.authors)
        result.date = article.published
        if article.extra.get(COMPLETENESS) == "partial":
            result.partial = article.extra.get(REASON, "partial")
    result.seconds = time.process_time() - start
    if body:
        found = measure(html, body, url)
        result.integrity = {f: getattr(found, f) for f in INTEGRITY_FIELDS}
        result.examples = found.examples
    text = markdown_text(body)
    if rec.get("body") is not None:
        result.body = shingle_match(rec["body"], text)
    _snippets(result, rec, markdown_text(f"{header}\n\n{body}"))
    return result, text


def run_trafilatura(rec: dict[str, Any], html: str) -> tuple[SystemResult, str]:
    result = SystemResult()
    start = time.process_time()
    document = trafilatura.bare_extraction(
        html, url=rec.get("url") or None, with_metadata=True, include_comments=False
    )
    text = ""
    # bare_extraction is typed to return a dict only with the deprecated as_dict=True.
    if document is None or isinstance(document, dict):
        result.error = "returned None"
    else:
        text = document.text or ""
        result.title = document.title
        result.authors = [a for a in (document.author or "").split(";") if a.strip()]
        result.date = document.date
    result.seconds = time.process_time() - start
    if rec.get("body") is not None:
        result.body = shingle_match(rec["body"], text)
    _snippets(result, rec, text)
    return result, text


def run_trafilatura_markdown(rec: dict[str, Any], html: str) -> tuple[SystemResult, str]:
    result = SystemResult()
    start = time.process_time()
    markdown = trafilatura.extract(
        html,
        url=rec.get("url") or None,
        output_format="markdown",
        include_comments=False,
        include_links=True,
        include_images=True,
        include_formatting=True,
    )
    result.seconds = time.process_time() - start
    if markdown is None:
        result.error = "returned None"
    text = markdown_text(markdown or "")
    result.body = shingle_match(rec["body"], text)
    return result, text


def evaluate(rec: dict[str, Any]) -> PageResult:
    systems: dict[str, SystemResult] = {}
    systems[NA], _ = run_newsarchive(rec)
    if rec["_baseline"]:
        html = read_local(CORPUS / rec["file"], url=rec.get("url") or None).html
        systems[TF], _ = run_trafilatura(rec, html)
        if rec.get("body") is not None:
            systems[TF_MD], _ = run_trafilatura_markdown(rec, html)
    return PageResult(rec["id"], rec["collection"], rec["_held_out"], systems)


def load_result(item: dict[str, Any]) -> PageResult:
    systems = {}
    for name, values in item["systems"].items():
        body = values.pop("body")
        systems[name] = SystemResult(**values, body=tuple(body) if body else None)
    return PageResult(item["id"], item["collection"], item["held_out"], systems)


# ---------------------------------------------------------------------------------------------
# The corpus and the held-out third


def load_records() -> list[dict[str, Any]]:
    sys.path.insert(0, str(CORPUS))
    from load import load_truth  # type: ignore[import-not-found]  # the corpus's own loader

    records: list[dict[str, Any]] = load_truth()
    return records


def held_out_ids(records: Sequence[dict[str, Any]]) -> set[str]:
    """A third of each collection, drawn once with a fixed seed."""
    by_collection: dict[str, list[str]] = defaultdict(list)
    for rec in records:
        by_collection[rec["collection"]].append(rec["id"])
    rng = random.Random(SEED)
    held: set[str] = set()
    for collection in sorted(by_collection):
        ids = sorted(by_collection[collection])
        rng.shuffle(ids)
        held.update(ids[: round(len(ids) * HELD_OUT_SHARE)])
    return held


# ---------------------------------------------------------------------------------------------
# The report


@dataclasses.dataclass
class Tally:
    """Counts for one system over a set of pages."""

    pages: int = 0
    errors: int = 0
    seconds: float = 0.0
    title: list[int] = dataclasses.field(default_factory=lambda: [0, 0])  # [right, labelled]
    authors: list[int] = dataclasses.field(default_factory=lambda: [0, 0])
    date: list[int] = dataclasses.field(default_factory=lambda: [0, 0])
    title_fp: list[int] = dataclasses.field(default_factory=lambda: [0, 0])  # [given, absent]
    authors_fp: list[int] = dataclasses.field(default_factory=lambda: [0, 0])
    date_fp: list[int] = dataclasses.field(default_factory=lambda: [0, 0])
    body: list[tuple[float, float, float]] = dataclasses.field(default_factory=list)
    with_: list[int] = dataclasses.field(default_factory=lambda: [0, 0])
    without: list[int] = dataclasses.field(default_factory=lambda: [0, 0])
    partial: int = 0


def tally(results: Iterable[PageResult], records: dict[str, dict[str, Any]], system: str) -> Tally:
    t = Tally()
    for page in results:
        result = page.systems.get(system)
        if result is None:
            continue
        rec = records[page.id]
        t.pages += 1
        t.errors += result.error is not None
        t.seconds += result.seconds
        t.partial += result.partial is not None
        if "title" in rec["has"]:
            t.title[0] += title_ok(result.title, rec)
            t.title[1] += 1
        if "authors" in rec["has"]:
            t.authors[0] += authors_ok(result.authors, rec)
            t.authors[1] += 1
        if "date" in rec["has"]:
            t.date[0] += date_ok(result.date, rec)
            t.date[1] += 1
        for field, counts in (("title", t.title_fp), ("authors", t.authors_fp)):
            if field in rec["absent"]:
                counts[0] += bool(getattr(result, field))
                counts[1] += 1
        if "date" in rec["absent"]:
            t.date_fp[0] += bool(result.date)
            t.date_fp[1] += 1
        if result.body is not None:
            t.body.append(result.body)
        t.with_[0] += result.with_found
        t.with_[1] += result.with_total
        t.without[0] += result.without_found
        t.without[1] += result.without_total
    return t


def pct(counts: Sequence[int]) -> str:
    right, total = counts
    return f"{100 * right / total:.1f} % ({right}/{total})" if total else "–"


def body_cell(triples: Sequence[tuple[float, float, float]]) -> str:
    if not triples:
        return "–"
    precision, recall, f1 = body_scores(triples)
    return f"F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f})"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(rows[0], widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows[1:]:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)


def summary_table(
    results: list[PageResult], records: dict[str, dict[str, Any]], systems: Sequence[str]
) -> str:
    tallies = {s: tally(results, records, s) for s in systems}
    sh = [p for p in results if p.id.startswith("sh-")]
    rows = [["measure", *systems]]
    rows.append(["pages", *(str(tallies[s].pages) for s in systems)])

    def sh_bodies(system: str) -> list[tuple[float, float, float]]:
        return [b for p in sh if system in p.systems and (b := p.systems[system].body)]

    rows.append(["body, scrapinghub", *(body_cell(sh_bodies(s)) for s in systems)])
    if TF in systems:
        rows.append(["body, scrapinghub, trafilatura Markdown", "", body_cell(sh_bodies(TF_MD))])
    for name, attr in (("title", "title"), ("authors", "authors"), ("date", "date")):
        rows.append([name, *(pct(getattr(tallies[s], attr)) for s in systems)])
    for name, attr in (
        ("title given where absent", "title_fp"),
        ("authors given where absent", "authors_fp"),
        ("date given where absent", "date_fp"),
    ):
        rows.append([name, *(pct(getattr(tallies[s], attr)) for s in systems)])
    rows.append(["wanted snippets kept", *(pct(tallies[s].with_) for s in systems)])
    rows.append(["boilerplate snippets kept", *(pct(tallies[s].without) for s in systems)])
    rows.append(["no text extracted", *(str(tallies[s].errors) for s in systems)])
    rows.append(
        ["flagged partial", *(str(tallies[s].partial) if s == NA else "–" for s in systems)]
    )
    rows.append(
        [
            "CPU s per page",
            *(f"{tallies[s].seconds / max(tallies[s].pages, 1):.3f}" for s in systems),
        ]
    )
    return table(rows)


def collection_table(
    results: list[PageResult], records: dict[str, dict[str, Any]], systems: Sequence[str]
) -> str:
    rows = [["collection", "pages", "measure", *systems]]
    by_collection: dict[str, list[PageResult]] = defaultdict(list)
    for page in results:
        by_collection[page.collection].append(page)
    for collection in sorted(by_collection):
        pages = by_collection[collection]
        tallies = {s: tally(pages, records, s) for s in systems}
        first = True
        measures: list[tuple[str, Any]] = [
            ("body F1", lambda t: body_cell(t.body)),
            ("title", lambda t: pct(t.title)),
            ("authors", lambda t: pct(t.authors)),
            ("date", lambda t: pct(t.date)),
            ("authors given where absent", lambda t: pct(t.authors_fp)),
            ("date given where absent", lambda t: pct(t.date_fp)),
            ("wanted snippets kept", lambda t: pct(t.with_)),
            ("boilerplate snippets kept", lambda t: pct(t.without)),
        ]
        for name, cell in measures:
            values = [cell(tallies[s]) for s in systems]
            if all(v == "–" for v in values):
                continue
            rows.append(
                [collection if first else "", str(len(pages)) if first else "", name, *values]
            )
            first = False
    return table(rows)


def page_f1(triple: tuple[float, float, float]) -> tuple[float, float, float]:
    precision, recall = page_precision(*triple), page_recall(*triple)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def worst_pages(results: list[PageResult], records: dict[str, dict[str, Any]], count: int) -> str:
    scored = []
    for page in results:
        result = page.systems[NA]
        if page.held_out or result.body is None or not page.id.startswith("sh-"):
            continue
        precision, recall, f1 = page_f1(result.body)
        scored.append((f1, recall, precision, page.id, result.error or result.partial or ""))
    scored.sort()
    rows = [["page", "F1", "P", "R", "note", "URL"]]
    for f1, recall, precision, page_id, note in scored[:count]:
        url = str(records[page_id].get("url") or "")
        rows.append([page_id, f"{f1:.3f}", f"{precision:.3f}", f"{recall:.3f}", note, url[:70]])
    return table(rows)


def misses(
    results: list[PageResult], records: dict[str, dict[str, Any]], field: str
) -> Iterator[str]:
    """Tuning pages where newsarchive's value for `field` is wrong, with the truth beside it."""
    for page in results:
        if page.held_out:
            continue
        rec, result = records[page.id], page.systems[NA]
        if field == "title" and "title" in rec["has"] and not title_ok(result.title, rec):
            yield f"{page.id}\n    got:  {result.title!r}\n    want: {rec['title']!r}"
        elif field == "authors" and "authors" in rec["has"] and not authors_ok(result.authors, rec):
            yield f"{page.id}\n    got:  {result.authors!r}\n    want: {rec['authors']!r}"
        elif field == "date" and "date" in rec["has"] and not date_ok(result.date, rec):
            yield f"{page.id}\n    got:  {result.date!r}\n    want: {rec['date']!r}"
        elif field.endswith("-fp") and field[:-3] in rec["absent"]:
            value = getattr(result, field[:-3])
            if value:
                yield f"{page.id}\n    got:  {value!r} (labelled absent)"


def targets(results: list[PageResult], records: dict[str, dict[str, Any]]) -> str:
    t = tally(results, records, NA)
    sh = [b for p in results if p.id.startswith("sh-") and (b := p.systems[NA].body)]
    precision, recall, f1 = body_scores(sh) if sh else (0.0, 0.0, 0.0)

    def share(counts: Sequence[int]) -> float:
        return counts[0] / counts[1] if counts[1] else 0.0

    checks = [
        ("body F1 ≥ 0.970", f1 >= 0.970, f"{f1:.3f}"),
        ("body recall ≥ 0.985", recall >= 0.985, f"{recall:.3f}"),
        ("title ≥ 92 %", share(t.title) >= 0.92, pct(t.title)),
        ("authors ≥ 80 %", share(t.authors) >= 0.80, pct(t.authors)),
        ("date ≥ 93 %", share(t.date) >= 0.93, pct(t.date)),
        ("date given on ≤ 40 % of undated pages", share(t.date_fp) <= 0.40, pct(t.date_fp)),
    ]
    rows = [["target", "met", "newsarchive"]]
    rows += [[name, "yes" if ok else "NO", value] for name, ok, value in checks]
    for field in INTEGRITY_FIELDS:
        if field != "split":
            n = sum(p.systems[NA].integrity.get(field, 0) for p in results)
            rows.append([f"{INTEGRITY_NAMES[field]}: 0", "yes" if n == 0 else "NO", str(n)])
    return table(rows)


def integrity_table(splits: Sequence[tuple[str, list[PageResult]]]) -> str:
    """Each text-integrity count (and the pages it is on) per split, newsarchive's bodies."""
    rows = [["text integrity (target 0)", *(name.split(" (")[0] for name, _ in splits)]]
    for field in INTEGRITY_FIELDS:
        cells = []
        for _, pages in splits:
            found = [p.systems[NA].integrity.get(field, 0) for p in pages]
            cells.append(f"{sum(found)} on {sum(1 for n in found if n)} pages")
        rows.append([INTEGRITY_NAMES[field], *cells])
    return table(rows)


def integrity_cases(results: list[PageResult], field: str) -> Iterator[str]:
    """Tuning pages with a text-integrity defect of `field`, with examples."""
    for page in results:
        result = page.systems[NA]
        if page.held_out or not result.integrity.get(field):
            continue
        examples = "".join(f"\n    {e}" for e in result.examples.get(field, []))
        yield f"{page.id} ({result.integrity[field]}){examples}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument(
        "--split", choices=["all", "tuning", "held-out"], default="all", help="pages to run"
    )
    parser.add_argument("--collection", help="only collections whose name contains this")
    parser.add_argument("--ids", nargs="+", help="only these page ids")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain trafilatura")
    parser.add_argument("--worst", type=int, default=15, help="worst body pages to list")
    parser.add_argument(
        "--misses",
        choices=["title", "authors", "date", "title-fp", "authors-fp", "date-fp"],
        help="list newsarchive's misses on this field (tuning pages only)",
    )
    parser.add_argument(
        "--integrity-cases",
        choices=INTEGRITY_FIELDS,
        help="list the tuning pages with this text-integrity defect, with examples",
    )
    parser.add_argument("--json", type=Path, help="write every page's result to this file")
    parser.add_argument("--load", type=Path, help="report on results saved with --json")
    args = parser.parse_args(argv)

    if not (CORPUS / "truth.jsonl").is_file():
        print(f"corpus absent: {CORPUS}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    records = load_records()
    held = held_out_ids(records)
    chosen = []
    for rec in records:
        rec["_held_out"] = rec["id"] in held
        rec["_baseline"] = not args.no_baseline
        if args.split == "tuning" and rec["_held_out"]:
            continue
        if args.split == "held-out" and not rec["_held_out"]:
            continue
        if args.collection and args.collection not in rec["collection"]:
            continue
        if args.ids and rec["id"] not in args.ids:
            continue
        chosen.append(rec)
    by_id = {rec["id"]: rec for rec in records}

    # Long pages first, so that no worker is left with a slow page at the end.
    chosen.sort(key=lambda r: -(CORPUS / r["file"]).stat().st_size)
    if args.load:
        results = [load_result(item) for item in json.loads(args.load.read_text("utf-8"))]
        wanted = {rec["id"] for rec in chosen}
        results = [p for p in results if p.id in wanted]
    elif args.jobs > 1 and len(chosen) > 1:
        with Pool(args.jobs) as pool:
            results = list(pool.imap_unordered(evaluate, chosen, chunksize=4))
    else:
        results = [evaluate(rec) for rec in chosen]
    results.sort(key=lambda p: p.id)
    elapsed = time.perf_counter() - started

    if args.json:
        args.json.write_text(
            json.dumps([dataclasses.asdict(p) for p in results], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )

    systems = [NA] if args.no_baseline else [NA, TF]
    splits = [
        ("all pages", results),
        ("tuning pages (two thirds)", [p for p in results if not p.held_out]),
        ("held-out pages (one third, never tuned on)", [p for p in results if p.held_out]),
    ]
    if args.split != "all":
        splits = splits[1:2] if args.split == "tuning" else splits[2:]
    print("# Extraction quality\n")
    if args.load:
        print(f"{len(results)} pages, results read from {args.load}")
    else:
        print(f"{len(results)} pages, {elapsed:.0f} s wall time with {args.jobs} processes")
    print(f"newsarchive {NA_VERSION}, trafilatura {trafilatura.__version__}\n")
    for name, pages in splits:
        if pages:
            print(f"## {name}\n")
            print(summary_table(pages, by_id, systems))
            print()
    if results:
        print("## text integrity (newsarchive's stored bodies against each page's own text)\n")
        print(integrity_table([(name, pages) for name, pages in splits if pages]))
        print()
        print(f"## targets ({splits[0][0]})\n")
        print(targets(results, by_id))
        print(f"\n## by collection ({splits[0][0]})\n")
        print(collection_table(results, by_id, systems))
        print(f"\n## worst scrapinghub bodies (tuning pages, newsarchive, {args.worst})\n")
        print(worst_pages(results, by_id, args.worst))
        reasons = Counter(p.systems[NA].partial for p in results if p.systems[NA].partial)
        failures = Counter(p.systems[NA].error for p in results if p.systems[NA].error)
        if reasons or failures:
            print("\n## newsarchive: partial flags and refusals\n")
            for reason, n in reasons.most_common():
                print(f"- partial ({n}): {reason}")
            for error, n in failures.most_common():
                print(f"- refused ({n}): {error}")
    if args.integrity_cases:
        print(f"\n## text integrity: {args.integrity_cases} (tuning pages)\n")
        for line in integrity_cases(results, args.integrity_cases):
            print(line)
    if args.misses:
        print(f"\n## newsarchive misses: {args.misses} (tuning pages)\n")
        for line in misses(results, by_id, args.misses):
            print(line)
    return 0


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("newsarchive")
    except metadata.PackageNotFoundError:
        return "(source tree)"


NA_VERSION = _version()

if __name__ == "__main__":
    raise SystemExit(main())
