"""Build a synthetic newsarchive archive of N articles from the texts of ../shared/corpus.

    .venv/bin/python benchmarks/make_synthetic_archive.py /tmp/bench-archive --count 100000

Every article is a real file in newsarchive's format (front-matter written by
`newsarchive.frontmatter`, path from `Archive.path_for`), so the benchmark reads exactly what the
tool writes. Texts come from the corpus pages: the ground-truth bodies where there is one, else
the page's `<p>` paragraphs. Each synthetic article starts with the paragraphs of one real page
and continues with paragraphs of other pages in the same language until it reaches a length
drawn from the real pages' lengths, so sizes and vocabulary (English, German, Polish, French,
Russian, ...) stay realistic while no two articles are the same. Titles, authors and host names
are the corpus's; dates are spread over 2003-2023. The run is deterministic for a given --seed.

Files are written directly (not through `Archive.save`, which syncs each file to disk): the
benchmark measures reading and searching, not 100,000 fsyncs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from multiprocessing import Pool
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsarchive.frontmatter import article_meta, dumps
from newsarchive.models import Article
from newsarchive.store import Archive

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
POOL_CACHE = Path("/tmp/newsarchive-bench-pool.json")

_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"\s+")


class _Paragraphs(HTMLParser):
    """The text of every <p> element, skipping script and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._depth = 0
        self._skip = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "p":
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag == "p" and self._depth:
            self._depth -= 1
            if not self._depth:
                text = _SPACES.sub(" ", "".join(self._parts)).strip()
                if len(text) >= 60:
                    self.paragraphs.append(text)
                self._parts = []

    def handle_data(self, data: str) -> None:
        if self._depth and not self._skip:
            self._parts.append(data)


def _page(record: dict[str, Any]) -> dict[str, Any] | None:
    sys.path.insert(0, str(CORPUS))
    from load import decode_html  # type: ignore[import-not-found]  # the corpus's own loader

    raw = gzip.decompress((CORPUS / record["file"]).read_bytes())
    html, _ = decode_html(raw)
    if record.get("body"):
        paragraphs = [p.strip() for p in record["body"].split("\n") if len(p.strip()) >= 40]
    else:
        parser = _Paragraphs()
        try:
            parser.feed(html)
        except Exception:  # a malformed page: use what was read so far
            pass
        paragraphs = parser.paragraphs
    if sum(len(p) for p in paragraphs) < 400:
        return None
    title = record.get("title")
    if not title:
        match = _TITLE.search(html)
        title = _SPACES.sub(" ", match.group(1)).strip() if match else ""
    if not title:
        return None
    lang = _LANG.search(raw[:4096])
    return {
        "title": title[:200],
        "authors": record.get("authors") or [],
        "host": (urlsplit(record.get("url") or "").hostname or "example.org").lower(),
        "lang": lang.group(1).decode().lower() if lang else "en",
        "paragraphs": paragraphs,
    }


def load_pool() -> list[dict[str, Any]]:
    """The corpus pages reduced to title, authors, host, language and paragraphs (cached)."""
    if POOL_CACHE.exists():
        pool: list[dict[str, Any]] = json.loads(POOL_CACHE.read_text(encoding="utf-8"))
        return pool
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}")
    with (CORPUS / "truth.jsonl").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    with Pool() as workers:
        pages = [page for page in workers.map(_page, records, chunksize=20) if page]
    POOL_CACHE.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    return pages


@dataclass(frozen=True)
class Job:
    root: str
    start: int
    stop: int
    seed: int


_POOL: list[dict[str, Any]] = []
_BY_LANG: dict[str, list[int]] = {}
_LENGTHS: list[int] = []


def _init(pool: list[dict[str, Any]]) -> None:
    global _POOL, _BY_LANG, _LENGTHS
    _POOL = pool
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, page in enumerate(pool):
        by_lang[page["lang"]].append(i)
    _BY_LANG = dict(by_lang)
    _LENGTHS = sorted(sum(len(p) + 2 for p in page["paragraphs"]) for page in pool)


def _site_name(host: str) -> str:
    name = host.removeprefix("www.").split(".")[0]
    return name.replace("-", " ").title()


def make_article(n: int, seed: int) -> tuple[Article, str]:
    rng = random.Random(seed * 1_000_003 + n)
    page = _POOL[rng.randrange(len(_POOL))]
    target = min(max(rng.choice(_LENGTHS), 600), 40_000)
    paragraphs: list[str] = []
    size = 0
    source = page
    start = rng.randrange(max(1, len(page["paragraphs"]) // 3))
    same_lang = _BY_LANG[page["lang"]]
    while size < target:
        for paragraph in source["paragraphs"][start:]:
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
            if size >= target:
                break
        source = _POOL[same_lang[rng.randrange(len(same_lang))]]
        start = rng.randrange(len(source["paragraphs"]))
    body = "\n\n".join(paragraphs) + "\n"
    day = datetime(2003, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(7670))
    published = None
    if rng.random() < 0.85:
        moment = day + timedelta(minutes=rng.randrange(1440))
        published = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    fetched = day + timedelta(days=rng.randrange(1, 400), seconds=rng.randrange(86400))
    host = page["host"]
    words = [w for w in re.findall(r"\w{5,}", page["title"]) if not w.isdigit()]
    tags = tuple(dict.fromkeys(rng.sample(words, min(len(words), rng.randrange(4)))))
    url = f"https://{host}/{day:%Y/%m/%d}/article-{n:06d}"
    article = Article(
        url=url,
        title=page["title"],
        body=body,
        fetched=fetched,
        authors=tuple(page["authors"][:3]),
        published=published,
        site=_site_name(host),
        hostname=host,
        language=page["lang"],
        tags=tags,
        status=200,
        final_url=url,
        extra={"extractor": "synthetic"},
    )
    return article, body


def _write(job: Job) -> int:
    archive = Archive(job.root)
    written = 0
    for n in range(job.start, job.stop):
        article, body = make_article(n, job.seed)
        rel = archive.path_for(article)
        (archive.root / rel).parent.mkdir(parents=True, exist_ok=True)
        text = dumps(article_meta(article, body), body)
        k = 1
        while True:  # same title on the same day: "-2", "-3", as Archive.save names them
            name = rel if k == 1 else rel.with_name(f"{rel.stem}-{k}.md")
            try:
                with open(archive.root / name, "x", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                break
            except FileExistsError:
                k += 1
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path, help="archive directory to create (must not exist)")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    if args.root.exists() and any(args.root.iterdir()):
        raise SystemExit(f"{args.root} exists and is not empty")
    started = time.perf_counter()
    pool = load_pool()
    print(f"{len(pool)} corpus pages as text sources", file=sys.stderr)
    step = 1000
    jobs = [
        Job(str(args.root), start, min(start + step, args.count), args.seed)
        for start in range(0, args.count, step)
    ]
    total = 0
    with Pool(os.cpu_count(), initializer=_init, initargs=(pool,)) as workers:
        for written in workers.imap_unordered(_write, jobs):
            total += written
            print(f"\r{total}/{args.count}", end="", file=sys.stderr)
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in args.root.rglob("*.md"))
    print(
        f"\n{total} articles, {size / 1e6:.0f} MB in {args.root} ({elapsed:.0f} s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
