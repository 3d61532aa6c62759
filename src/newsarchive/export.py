"""Export the archive's metadata (jsonl, csv for pandas/R; BibTeX and CSL-JSON for citing) and
count what it holds (`stats`). Pure functions over the records the search index gives."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TextIO

from newsarchive.frontmatter import FRONT_MATTER_KEYS
from newsarchive.search import Entry

__all__ = [
    "FORMATS",
    "Record",
    "Stats",
    "compute_stats",
    "export",
    "to_bibtex",
    "to_csl_json",
    "to_csv",
    "to_jsonl",
]

Format = Literal["jsonl", "csv", "bibtex", "csl-json"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "bibtex", "csl-json")

# (entry, front-matter mapping, body or None) as `SearchIndex.records` yields them.
Record = tuple[Entry, Mapping[str, Any], str | None]

# The order newsarchive writes front-matter keys in (frontmatter.py's); other keys follow.
KEY_ORDER = FRONT_MATTER_KEYS


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def to_jsonl(records: Iterable[Record], out: TextIO) -> int:
    """One JSON object per line: "path", every front-matter field, and "body" if present."""
    n = 0
    for entry, meta, body in records:
        row: dict[str, Any] = {"path": entry.relpath}
        row.update((str(k), _json_value(v)) for k, v in meta.items())
        if body is not None:
            row["body"] = body
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(_json_value(value), ensure_ascii=False)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(records: Iterable[Record], out: TextIO) -> int:
    """A header row, then one row per article. Columns: path, every front-matter key any
    article has (in newsarchive's order, hand-added keys after), body if present. Lists are
    joined with "; "; empty cells mean no value."""
    rows = list(records)
    keys: dict[str, None] = dict.fromkeys(k for k in KEY_ORDER if any(k in m for _, m, _ in rows))
    for _, meta, _ in rows:
        keys.update(dict.fromkeys(str(k) for k in meta if str(k) not in keys))
    with_body = any(body is not None for _, _, body in rows)
    columns = ["path", *keys] + (["body"] if with_body else [])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for entry, meta, body in rows:
        values = [entry.relpath] + [_cell(meta.get(k)) for k in keys]
        if with_body:
            values.append(body or "")
        writer.writerow(values)
    return len(rows)


# -- citations --------------------------------------------------------------------------------


def _ymd(value: object) -> tuple[int, ...] | None:
    """(year, month, day) from an ISO date or datetime string (or a date)."""
    if isinstance(value, datetime | date):
        return (value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    match = re.match(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if match is None:
        return None
    return tuple(int(g) for g in match.groups() if g)


def _authors(meta: Mapping[str, Any]) -> list[str]:
    value = meta.get("authors")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    return [str(a).strip() for a in value if a is not None and str(a).strip()]


def _site(meta: Mapping[str, Any]) -> str | None:
    for key in ("site", "hostname"):
        value = meta.get(key)
        if value:
            return str(value)
    return None


def _ascii_word(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


_STOP_WORDS = frozenset("a an the der die das le la les el los un une of on in".split())


def _cite_key(meta: Mapping[str, Any], taken: set[str]) -> str:
    """doe2021mali: first author's family name (else the site), year, first title word."""
    authors = _authors(meta)
    who = _ascii_word(authors[0].split()[-1]) if authors else ""
    if not who:
        who = _ascii_word((_site(meta) or "").removeprefix("www.").split(".")[0]) or "anon"
    ymd = _ymd(meta.get("published")) or _ymd(meta.get("fetched"))
    year = str(ymd[0]) if ymd else "nd"
    words = [_ascii_word(w) for w in str(meta.get("title") or "").split()]
    word = next((w for w in words if w and w not in _STOP_WORDS), "")
    base = f"{who}{year}{word}"
    key, n = base, 0
    while key in taken:
        key = base + _suffix(n)
        n += 1
    taken.add(key)
    return key


def _suffix(n: int) -> str:
    """a, b, ..., z, aa, ab, ...: the usual way to tell apart same-author same-year keys."""
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(97 + r) + letters
    return letters


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_CHARS = re.compile(r"[\\{}&%$#_~^]")


def _tex(text: str) -> str:
    text = " ".join(text.split())  # no line breaks inside a field
    return _BIBTEX_CHARS.sub(lambda m: _BIBTEX_SPECIAL[m.group(0)], text)


def _bib_name(name: str) -> str:
    # BibTeX splits names on " and " and reads "Last, First"; protect names it would misread.
    if re.search(r"\band\b|,", name, re.IGNORECASE):
        return "{" + _tex(name) + "}"
    return _tex(name)


def _iso(ymd: tuple[int, ...]) -> str:
    return "-".join(f"{part:02d}" if i else f"{part:04d}" for i, part in enumerate(ymd))


def to_bibtex(records: Iterable[Record], out: TextIO) -> int:
    """biblatex entries: @article with entrysubtype newspaper (biblatex's convention for news
    articles); author, title, journaltitle = the site, date = published, url, urldate = the
    date the page was fetched."""
    taken: set[str] = set()
    n = 0
    for _, meta, _ in records:
        fields: list[tuple[str, str]] = [("entrysubtype", "newspaper")]
        authors = _authors(meta)
        if authors:
            fields.append(("author", " and ".join(_bib_name(a) for a in authors)))
        # Double braces keep the headline's capitalisation as written.
        fields.append(("title", "{" + _tex(str(meta.get("title") or "")) + "}"))
        site = _site(meta)
        if site:
            fields.append(("journaltitle", _tex(site)))
        published = _ymd(meta.get("published"))
        if published:
            fields.append(("date", _iso(published)))
        if meta.get("url"):
            fields.append(("url", str(meta["url"])))
        fetched = _ymd(meta.get("fetched"))
        if fetched:
            fields.append(("urldate", _iso(fetched)))
        if meta.get("language"):
            fields.append(("language", _tex(str(meta["language"]))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        out.write(f"@article{{{_cite_key(meta, taken)},\n{body}\n}}\n\n")
        n += 1
    return n


def _csl_name(name: str) -> dict[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return {"literal": name}
    return {"family": parts[-1], "given": " ".join(parts[:-1])}


def to_csl_json(records: Iterable[Record], out: TextIO) -> int:
    """A CSL-JSON array (Zotero, Pandoc citeproc): type article-newspaper, container-title =
    the site, issued = published, accessed = fetched."""
    taken: set[str] = set()
    items: list[dict[str, Any]] = []
    for _, meta, _ in records:
        item: dict[str, Any] = {
            "id": _cite_key(meta, taken),
            "type": "article-newspaper",
            "title": str(meta.get("title") or ""),
        }
        authors = _authors(meta)
        if authors:
            item["author"] = [_csl_name(a) for a in authors]
        site = _site(meta)
        if site:
            item["container-title"] = site
        published = _ymd(meta.get("published"))
        if published:
            item["issued"] = {"date-parts": [list(published)]}
        fetched = _ymd(meta.get("fetched"))
        if fetched:
            item["accessed"] = {"date-parts": [list(fetched)]}
        if meta.get("url"):
            item["URL"] = str(meta["url"])
        if meta.get("language"):
            item["language"] = str(meta["language"])
        if meta.get("description"):
            item["abstract"] = str(meta["description"])
        items.append(item)
    json.dump(items, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(items)


_WRITERS = {"jsonl": to_jsonl, "csv": to_csv, "bibtex": to_bibtex, "csl-json": to_csl_json}


def export(records: Iterable[Record], fmt: Format, out: TextIO) -> int:
    """Write `records` to `out` in `fmt`; returns how many articles were written."""
    return _WRITERS[fmt](records, out)


# -- stats ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """What an archive holds. Counters are most-common first; months are chronological."""

    articles: int
    size: int  # bytes of the article files
    first: str | None  # earliest publication day
    last: str | None
    undated: int  # articles without a publication date
    sites: Sequence[tuple[str, int]]
    months: Sequence[tuple[str, int]]  # ("2021-09", n)
    languages: Sequence[tuple[str, int]]
    authors: Sequence[tuple[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "size": self.size,
            "first": self.first,
            "last": self.last,
            "undated": self.undated,
            "sites": dict(self.sites),
            "months": dict(self.months),
            "languages": dict(self.languages),
            "authors": dict(self.authors),
        }


def compute_stats(entries: Iterable[Entry]) -> Stats:
    """Counts by site (the site name, else the host name), month of publication, language and
    author (articles without one are counted under "(none)"), plus the total size."""
    sites: Counter[str] = Counter()
    months: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    articles = size = undated = 0
    dates: list[str] = []
    for entry in entries:
        articles += 1
        size += entry.size
        sites[entry.site or entry.hostname or "(unknown)"] += 1
        languages[entry.language or "(unknown)"] += 1
        for author in entry.authors or ("(none)",):
            authors[author] += 1
        if entry.date:
            months[entry.date[:7]] += 1
            dates.append(entry.date)
        else:
            undated += 1
    return Stats(
        articles=articles,
        size=size,
        first=min(dates) if dates else None,
        last=max(dates) if dates else None,
        undated=undated,
        sites=sites.most_common(),
        months=sorted(months.items()),
        languages=languages.most_common(),
        authors=authors.most_common(),
    )
