"""An import's articles, written whole by its extraction processes under temporary names
(`pipeline.stage_found`), then named together by its writer (`pipeline.commit_staged`)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path

from helpers import front_matter, md_files
from newsarchive.capture import Capture, check_capture
from newsarchive.leftovers import writer_of
from newsarchive.models import FetchedPage
from newsarchive.pipeline import Found, Stage, commit_staged, extract_found, stage_found
from newsarchive.store import Archive
from sites import article_page

WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def fetched(n: int, url: str | None = None) -> FetchedPage:
    html = article_page(n)
    url = url or f"https://news.example/story/{n}"
    headers = (("Content-Type", "text/html; charset=utf-8"),)
    return FetchedPage(url, url, 200, "text/html", WHEN, raw=html.encode(), headers=headers)


def staged(archive: Archive, captures: Path, page: FetchedPage) -> Found:
    """The page extracted and its files written, as in an extraction process."""
    stage = Stage(archive.root, archive.template, captures, os.getpid())
    found = stage_found(extract_found(page, page.url, whole=False), page, stage)
    return dataclasses.replace(found, page=page)


def hidden(*roots: Path) -> list[Path]:
    return [path for root in roots for path in root.rglob(".*")]


def capture_of(path: Path) -> Capture:
    meta = front_matter(path)
    return Capture(str(meta["capture"]), str(meta["capture_record"]), str(meta["capture_sha256"]))


def test_articles_named_together_are_on_disk_and_found_by_url(tmp_path: Path) -> None:
    archive, captures = Archive(tmp_path / "archive"), tmp_path / "captures"
    founds = [staged(archive, captures, fetched(n)) for n in range(3)]
    temps = hidden(archive.root, captures)
    assert len(temps) == 6  # an article and its capture each, named after this process
    assert {writer_of(path.name) for path in temps} == {os.getpid()}
    assert md_files(archive.root) == []
    written = commit_staged(founds, archive, captures=captures)
    assert [item.status for item in written] == ["archived"] * 3
    assert sorted(item.path for item in written) == md_files(archive.root)
    for found, item in zip(founds, written, strict=True):
        assert archive.lookup(found.article.url) == item.path
        assert check_capture(captures, capture_of(item.path)) is None
    assert hidden(archive.root, captures) == []


def test_an_article_archived_meanwhile_is_not_written_twice(tmp_path: Path) -> None:
    archive, captures = Archive(tmp_path / "archive"), tmp_path / "captures"
    first, second = (staged(archive, captures, fetched(1)) for _ in range(2))
    written = commit_staged([first, second], archive, captures=captures)
    assert [item.status for item in written] == ["archived", "already archived"]
    assert written[1].path == written[0].path
    assert md_files(archive.root) == [written[0].path]
    assert len(list(captures.rglob("*.warc.gz"))) == 1  # the second one's capture went too
    assert hidden(archive.root, captures) == []


def test_a_capture_name_taken_meanwhile_gets_a_number_that_the_article_names(
    tmp_path: Path,
) -> None:
    archive, captures = Archive(tmp_path / "archive"), tmp_path / "captures"
    found = staged(archive, captures, fetched(1))
    assert found.staged is not None and found.staged.sealed is not None
    taken = captures / found.staged.sealed.rel  # another fetch of the same second
    taken.write_bytes(b"another capture")
    [item] = commit_staged([found], archive, captures=captures)
    capture = capture_of(item.path)
    assert capture.path == found.staged.sealed.rel.replace(".warc.gz", "-2.warc.gz")
    assert check_capture(captures, capture) is None
    assert taken.read_bytes() == b"another capture"
    assert hidden(archive.root, captures) == []


def test_an_article_name_taken_by_another_article_gets_a_number(tmp_path: Path) -> None:
    archive, captures = Archive(tmp_path / "archive"), tmp_path / "captures"
    same = fetched(1, "https://news.example/story/1")
    mirror = dataclasses.replace(
        same, url="https://mirror.example/1", final_url="https://mirror.example/1"
    )
    first, second = staged(archive, captures, same), staged(archive, captures, mirror)
    assert first.staged is not None and second.staged is not None
    assert first.staged.rel == second.staged.rel  # same title and date: the same name
    written = commit_staged([first], archive, captures=captures)
    written += commit_staged([second], archive, captures=captures)
    assert [item.status for item in written] == ["archived", "archived"]
    assert written[1].path.name == written[0].path.name.replace(".md", "-2.md")
    assert archive.lookup("https://mirror.example/1") == written[1].path


def test_an_interrupted_import_removes_what_its_extraction_processes_staged(
    tmp_path: Path,
) -> None:
    """After Ctrl-C the extraction processes are ended, and the files they had written for
    the import under its name are removed; anything else stays."""
    from newsarchive.leftovers import remove_staged, temp_name

    month = tmp_path / "2024" / "05"
    month.mkdir(parents=True)
    staged = [
        month / temp_name("2024-05-06-story.md", owner=os.getpid()),
        month / temp_name("2024-05-06-story.20240506T070809Z.warc.gz", owner=os.getpid()),
    ]
    others = [
        month / temp_name("2024-05-06-other.md", owner=os.getpid() + 1),  # another import's
        month / temp_name("failed.txt"),  # this process's own write of another kind
        month / "2024-05-06-kept.md",
    ]
    old = tmp_path / "2023"
    old.mkdir()
    before = old / temp_name("2023-01-01-old.md", owner=os.getpid())
    for path in [*staged, *others, before]:
        path.write_text("x", encoding="utf-8")
    os.utime(old, (0, 0))  # a directory no write has touched since the import began
    remove_staged(tmp_path, since=os.stat(month).st_mtime - 1)
    assert [path.exists() for path in staged] == [False, False]
    assert all(path.exists() for path in others)
    assert before.exists()
