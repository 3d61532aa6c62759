"""Check an archive: every article file parses, its body is the one archived, its raw
capture exists with the recorded digest, and so does each picture it lists."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsarchive.capture import Capture, check_capture
from newsarchive.errors import StoreError
from newsarchive.frontmatter import CAPTURE_KEYS, IMAGES_KEY, FrontMatterError, loads
from newsarchive.images.files import check_picture
from newsarchive.store import Archive


@dataclass(frozen=True)
class Problem:
    path: Path
    detail: str


@dataclass
class Report:
    articles: int = 0
    captures: int = 0
    pictures: int = 0


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
        yield from _check_pictures(archive.root, path, meta, report)
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


def _check_pictures(
    root: Path, path: Path, meta: dict[str, object], report: Report
) -> Iterator[Problem]:
    """Each picture the front-matter lists is stored, whole (images/files.py)."""
    listed = meta.get(IMAGES_KEY)
    if listed is None:
        return
    if not isinstance(listed, list):
        yield Problem(path, "the images list in the front-matter is not a list")
        return
    for entry in listed:
        fields = entry if isinstance(entry, dict) else {}
        where, digest, size = fields.get("path"), fields.get("sha256"), fields.get("bytes")
        if not (isinstance(where, str) and isinstance(digest, str) and where and digest):
            yield Problem(path, "incomplete picture reference in the front-matter")
            continue
        report.pictures += 1
        known = size if isinstance(size, int) and not isinstance(size, bool) else None
        problem = check_picture(root, where, digest, known)
        if problem is not None:
            yield Problem(path, f"picture {where}: {problem}")
