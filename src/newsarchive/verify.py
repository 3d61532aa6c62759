"""Check an archive: every article file parses, its body is the one archived (or was edited by
hand), its raw capture exists with the recorded digest, and so does each picture it lists, and
nothing was left behind.

Each problem has a kind:

* `edited`: the text no longer matches its `sha256`, and the file is otherwise sound: a hand
  edit, which rewrites keep (userdata.py);
* `damaged`: the file cannot be read, its front-matter does not parse, or it was cut short
  (its text differs from the archived one and it ends in the middle of a line, or holds NUL
  bytes);
* `capture`: the capture an article names is missing, unreadable or altered;
* `picture`: a picture an article lists is missing or altered;
* `orphan`: a capture that no article or revision names (left by an interrupted run), or
  the capture of an article whose front-matter cannot be read (to keep);
* `leftover`: a temporary file of a write that was interrupted (its process is gone).

Only `damaged`, `capture` and `picture` are damage; the others are listed for the user to
act on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from newsarchive.articles import read_article
from newsarchive.capture import Capture, check_capture
from newsarchive.errors import StoreError
from newsarchive.frontmatter import CAPTURE_KEYS, IMAGES_KEY
from newsarchive.images.files import check_picture
from newsarchive.leftovers import is_leftover
from newsarchive.store import Archive
from newsarchive.userdata import is_edited
from newsarchive.walk import directories

Kind = Literal["edited", "damaged", "capture", "picture", "orphan", "leftover"]


@dataclass(frozen=True)
class Problem:
    path: Path
    detail: str
    kind: Kind = "damaged"

    @property
    def damage(self) -> bool:
        """Whether something is wrong: a file or capture damaged. A hand edit, a capture no
        article names and a leftover temporary file are findings, not damage."""
        return self.kind in ("damaged", "capture", "picture")


@dataclass
class Report:
    articles: int = 0
    captures: int = 0
    pictures: int = 0


def verify_archive(archive: Archive, captures_root: Path, report: Report) -> Iterator[Problem]:
    """Yield every problem found, file by file, then the captures that no article names and
    the leftovers of interrupted writes; `report` counts what was checked."""
    broken: list[Problem] = []
    named: set[str] = set()
    unread: set[str] = set()  # articles not read, by root-relative path without ".md"

    def on_error(path: Path, exc: Exception) -> None:
        if path.is_relative_to(archive.root):
            unread.add(path.relative_to(archive.root).as_posix().removesuffix(".md"))
        broken.append(Problem(path, exc.detail if isinstance(exc, StoreError) else str(exc)))

    for path, meta in archive.articles(on_error=on_error):
        yield from broken
        broken.clear()
        report.articles += 1
        yield from _check_file(path, meta, captures_root, report)
        yield from _check_pictures(archive.root, path, meta, report)
        if isinstance(meta.get("capture"), str):
            named.add(meta["capture"])
    yield from broken
    yield from _leftovers_in_archive(archive.root)
    yield from _captures_left(captures_root, named, unread)


def _check_file(
    path: Path, meta: dict[str, object], captures_root: Path, report: Report
) -> Iterator[Problem]:
    try:
        file = read_article(path)
    except StoreError as exc:
        yield Problem(path, exc.detail)
        return
    text, body = file.text, file.body
    if is_edited(meta, body) or not isinstance(meta.get("sha256"), str):
        if not text.endswith("\n") or "\x00" in text:
            cut = "holds NUL bytes" if "\x00" in text else "ends in the middle of a line"
            yield Problem(path, f"truncated or damaged: the file {cut} (sha256 mismatch)")
        else:
            yield Problem(path, "edited by hand: the text differs from the archived text", "edited")
    capture_path, record, digest = (meta.get(key) for key in CAPTURE_KEYS)
    if capture_path is None:
        return  # a saved page, or archived with --no-capture
    if not all(isinstance(value, str) and value for value in (capture_path, record, digest)):
        yield Problem(path, "incomplete capture reference in the front-matter", "capture")
        return
    report.captures += 1
    capture = Capture(str(capture_path), str(record), str(digest))
    problem = check_capture(captures_root, capture)
    if problem is not None:
        yield Problem(path, f"capture {capture_path}: {problem}", "capture")


def _check_pictures(
    root: Path, path: Path, meta: dict[str, object], report: Report
) -> Iterator[Problem]:
    """Each picture the front-matter lists is stored, whole (images/files.py)."""
    listed = meta.get(IMAGES_KEY)
    if listed is None:
        return
    if not isinstance(listed, list):
        yield Problem(path, "the images list in the front-matter is not a list", "picture")
        return
    for entry in listed:
        fields = entry if isinstance(entry, dict) else {}
        where, digest, size = fields.get("path"), fields.get("sha256"), fields.get("bytes")
        if not (isinstance(where, str) and isinstance(digest, str) and where and digest):
            yield Problem(path, "incomplete picture reference in the front-matter", "picture")
            continue
        report.pictures += 1
        known = size if isinstance(size, int) and not isinstance(size, bool) else None
        problem = check_picture(root, where, digest, known)
        if problem is not None:
            yield Problem(path, f"picture {where}: {problem}", "picture")


def _leftovers_in_archive(root: Path) -> Iterator[Problem]:
    for directory in directories(root):
        folder = root / directory.rel if directory.rel else root
        for name in directory.hidden:
            if is_leftover(folder / name):
                yield Problem(folder / name, _LEFTOVER, "leftover")


_LEFTOVER = "temporary file of an interrupted write (its process is gone): delete it"


def _captures_left(root: Path, named: set[str], unread: set[str]) -> Iterator[Problem]:
    """Captures no article names (unless a kept revision does) and leftovers, by path. A
    capture is filed under its article's path ("2021/09/slug.STAMP.warc.gz"): one of an
    article that could not be read is that article's, to keep."""
    if not root.is_dir():
        return
    files: list[str] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(folder)
        for name in sorted(filenames):
            rel = (here / name).relative_to(root).as_posix()
            if name.startswith("."):
                if is_leftover(here / name):
                    yield Problem(here / name, _LEFTOVER, "leftover")
            elif name.endswith(".warc.gz"):
                files.append(rel)
            elif name.endswith(".md") and rel.startswith("revisions/"):
                named.update(_capture_named(here / name))
    for rel in files:
        if rel in named:
            continue
        article = rel.removesuffix(".warc.gz").rpartition(".")[0]
        if article in unread:
            detail = (
                f"capture of {article}.md, whose front-matter cannot be read: keep it, it holds "
                "the page as fetched"
            )
        else:
            detail = (
                "capture that no article names (left by an interrupted run, or by fetch "
                "--force): delete it, or keep it as a raw copy of the page"
            )
        yield Problem(root / rel, detail, "orphan")


def _capture_named(path: Path) -> set[str]:
    try:
        capture = read_article(path).meta.get("capture")
    except StoreError:
        return set()
    return {capture} if isinstance(capture, str) else set()
