"""Byte-for-byte proof over ../shared/corpus: a hash of the file `newsarchive fetch` writes.

    .venv/bin/python benchmarks/corpus_hashes.py --out hashes.json      # record
    .venv/bin/python benchmarks/corpus_hashes.py --compare hashes.json  # check; exit 1 on a change
    .venv/bin/python benchmarks/corpus_hashes.py --compare hashes.json --ids tf-1 tf-2

Each page of the corpus goes down the code path of `newsarchive fetch saved.html --url URL`
for a local saved page: the file is read (`fetch.read_local`), the article extracted and its
identity settled (`pipeline.prepare`), and the complete file rendered (`pipeline.render_file`),
with the fetch time fixed so that the output is the same from run to run. For each page id the
JSON holds the sha256 of that file, or the error's class and message when the page fails.

A refactoring of the extractor must leave every hash as it was: `--compare` recomputes them
and lists each page whose hash or error differs. It also reports the CPU time spent per page,
the figure to compare for speed (wall time depends on what else the machine runs).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
import time
from datetime import UTC, datetime
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from newsarchive.errors import NewsArchiveError
from newsarchive.fetch import read_local
from newsarchive.models import FetchOptions
from newsarchive.pipeline import prepare, render_file
from newsarchive.urls import check_url

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# Any fixed instant will do; it appears in the front-matter (`fetched`) of every file.
FETCHED_AT = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def load_records(corpus: Path = CORPUS) -> list[dict[str, Any]]:
    """The corpus's records (id, file, url, ...), through its own loader."""
    sys.path.insert(0, str(corpus))
    from load import load_truth  # type: ignore[import-not-found]  # the corpus's own loader

    records: list[dict[str, Any]] = load_truth()
    return records


def render_saved_page(path: Path, url: str | None) -> str:
    """The complete file `newsarchive fetch PATH --url URL` writes, fetched at FETCHED_AT."""
    given = check_url(url) if url else None
    page = read_local(path, url=given, max_bytes=FetchOptions().max_bytes)
    page = dataclasses.replace(page, fetched_at=FETCHED_AT)
    article, _ = prepare(page, given)
    return render_file(article)


def outcome(rec: dict[str, Any], corpus: Path = CORPUS) -> str:
    """The sha256 of the rendered file ("sha256:<hex>"), or "<ErrorClass>: <message>"."""
    try:
        text = render_saved_page(corpus / rec["file"], rec.get("url") or None)
    except NewsArchiveError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _measure(rec: dict[str, Any]) -> tuple[str, str, float]:
    start = time.process_time()
    result = outcome(rec)
    return rec["id"], result, time.process_time() - start


def compute(records: list[dict[str, Any]], jobs: int) -> tuple[dict[str, str], float]:
    """Every page's outcome by id, and the CPU seconds the extraction processes spent."""
    # Long pages first, so that no worker is left with a slow page at the end.
    records = sorted(records, key=lambda r: -(CORPUS / r["file"]).stat().st_size)
    if jobs > 1 and len(records) > 1:
        with Pool(jobs) as pool:
            rows = list(pool.imap_unordered(_measure, records, chunksize=4))
    else:
        rows = [_measure(rec) for rec in records]
    return {page: result for page, result, _ in sorted(rows)}, sum(cpu for *_, cpu in rows)


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """One line per page whose outcome differs, or that only one side has."""
    lines = []
    for page in sorted(expected.keys() | actual.keys()):
        before, after = expected.get(page, "(absent)"), actual.get(page, "(absent)")
        if before != after:
            lines.append(f"{page}\n  before: {before}\n  after:  {after}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, help="write every page's outcome to this JSON file")
    action.add_argument("--compare", type=Path, help="compare with outcomes saved with --out")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--ids", nargs="+", help="only these page ids")
    args = parser.parse_args(argv)

    if not (CORPUS / "truth.jsonl").is_file():
        print(f"corpus absent: {CORPUS}", file=sys.stderr)
        return 2
    records = load_records()
    if args.ids:
        records = [rec for rec in records if rec["id"] in set(args.ids)]
    started = time.perf_counter()
    actual, cpu = compute(records, args.jobs)
    wall = time.perf_counter() - started
    failed = sum(not result.startswith("sha256:") for result in actual.values())
    print(
        f"{len(actual)} pages ({failed} fail extraction), {wall:.0f} s wall with {args.jobs} "
        f"processes, {cpu:.1f} s CPU, {1000 * cpu / max(len(actual), 1):.1f} ms CPU per page",
        file=sys.stderr,
    )
    if args.out:
        args.out.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n", "utf-8")
        return 0
    expected: dict[str, str] = json.loads(args.compare.read_text("utf-8"))
    if args.ids:
        expected = {page: value for page, value in expected.items() if page in actual}
    lines = differences(expected, actual)
    for line in lines:
        print(line)
    print(f"{len(lines)} of {len(expected.keys() | actual.keys())} pages differ")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
