"""Check an archive: every article file parses, its body is the one archived, and its raw
capture exists with the recorded digest."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsarchive.capture import Capture, check_capture
from newsarchive.errors import StoreError
from newsarchive.frontmatter import CAPTURE_KEYS, FrontMatterError, loads
from newsarchive.store import Archive


@dataclass(frozen=True)
class Problem:
    path: Path
    detail: str


@dataclass
class Report:
    articles: int = 0
    captures: int = 0


def verify_archive(archive: Archive, captures_root: Path, report: Report) -> Iterator[Problem]:
    """Yield every problem found, file by file; `report` counts what was checked."""
    broken: list[Problem] = []

    def on_error(path: Path, exc: Exception) -> None:
        if isinstance(exc, StoreError):  # not read at all: why, in a word
            broken.append(Problem(path, exc.detail))
        else:
            broken.append(Problem(path, f"unreadable front-matter: {exc}"))

    for path, meta in archive.articles(on_error=on_error):
        yield from broken
        broken.clear()
        report.articles += 1
        yield from _check_file(path, meta, captures_root, report)
    yield from broken


def _check_file(
    path: Path, meta: dict[str, object], captures_root: Path, report: Report
) -> Iterator[Problem]:
    try:
        _, body = loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, FrontMatterError) as exc:
        yield Problem(path, f"cannot read: {exc}")
        return
    recorded = meta.get("sha256")
    if recorded != hashlib.sha256(body.encode("utf-8")).hexdigest():
        yield Problem(path, "the text differs from the archived text (sha256 mismatch)")
    capture_path, record, digest = (meta.get(key) for key in CAPTURE_KEYS)
    if capture_path is None:
        return  # a saved page, or archived with --no-capture
    if not all(isinstance(value, str) and value for value in (capture_path, record, digest)):
        yield Problem(path, "incomplete capture reference in the front-matter")
        return
    report.captures += 1
    capture = Capture(str(capture_path), str(record), str(digest))
    problem = check_capture(captures_root, capture)
    if problem is not None:
        yield Problem(path, f"capture {capture_path}: {problem}")
