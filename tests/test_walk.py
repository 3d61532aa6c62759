"""One set of rules for walking an archive, and every command following them: FIFOs and other
special files named `*.md`, names that are not UTF-8, unreadable directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsarchive import walk
from newsarchive.cli import cli
from newsarchive.search import Problem, SearchIndex
from newsarchive.store import Archive
from newsarchive.walk import Directory, article_files, directories, list_directory, read_bytes
from samples import make_article, save, write_by_hand

BAD_NAME = b"caf\xe9.md"  # Latin-1, as an old tool or a zip file would write it
SHOWN = "caf\\xe9.md"


def tree(root: Path, *rels: str) -> None:
    for rel in rels:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n", encoding="utf-8")


def na(archive: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--archive", str(archive), *args], catch_exceptions=False)


# -- the rules --------------------------------------------------------------------------------


def test_files_come_in_the_order_of_their_paths_components(tmp_path: Path) -> None:
    tree(tmp_path, "b.md", "a/c.md", "a/10.md", "a/9.md", "a/b/x.md", "Z.md", "a/x.txt")
    assert list(article_files(tmp_path)) == [
        "Z.md", "a/10.md", "a/9.md", "a/b/x.md", "a/c.md", "b.md",
    ]  # fmt: skip
    assert list(article_files(tmp_path, under="a")) == ["a/10.md", "a/9.md", "a/b/x.md", "a/c.md"]


def test_hidden_names_are_skipped_and_directory_links_not_entered(tmp_path: Path) -> None:
    tree(tmp_path, "a/x.md", ".git/c.md", "a/.tmp.md", ".obsidian/n.md", "elsewhere/y.md")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "linked.md").symlink_to(tmp_path / "a" / "x.md")  # a link to a file counts
    (tmp_path / "a" / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "a" / "folder.md").mkdir()  # a directory, whatever its name
    tree(tmp_path, "a/folder.md/inner.md")
    # A link to a directory is no file, whatever its name (grep used to try to read it).
    (tmp_path / "a" / "dirlink.md").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert list(article_files(tmp_path)) == [
        "a/folder.md/inner.md", "a/linked.md", "a/x.md", "elsewhere/y.md",
    ]  # fmt: skip
    top = list_directory(tmp_path / "a")
    assert top is not None and top.hidden == (".tmp.md",)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_special_files_named_md_are_not_articles(tmp_path: Path) -> None:
    tree(tmp_path, "a/x.md")
    os.mkfifo(tmp_path / "a" / "pipe.md")
    assert list(article_files(tmp_path)) == ["a/x.md"]
    (listed,) = [d for d in directories(tmp_path) if d.rel == "a"]
    assert listed.files == ["a/x.md"] and listed.complete
    with pytest.raises(OSError, match="not a regular file"):
        read_bytes(str(tmp_path / "a" / "pipe.md"))  # does not wait for a writer


def test_directories_come_before_what_they_hold(tmp_path: Path) -> None:
    tree(tmp_path, "2021/09/a.md", "2021/10/b.md", "2020/01/c.md", "top.md")
    listed = list(directories(tmp_path))
    assert [d.rel for d in listed] == ["", "2020", "2020/01", "2021", "2021/09", "2021/10"]
    assert listed[0].files == ["top.md"] and listed[0].subdirs == ["2020", "2021"]
    assert [d.rel for d in directories(tmp_path, under="2021")] == ["2021", "2021/09", "2021/10"]
    assert list(directories(tmp_path / "missing")) == []


def test_a_name_that_is_not_utf8_is_reported_and_skipped(tmp_path: Path) -> None:
    tree(tmp_path, "a/x.md")
    (tmp_path / "a" / "ok.md").write_text("x")
    with open(os.fsencode(tmp_path / "a") + b"/" + BAD_NAME, "wb") as handle:
        handle.write(b"x\n")
    os.mkdir(os.fsencode(tmp_path) + b"/d\xff")
    problems: list[tuple[Path, str]] = []
    found = list(article_files(tmp_path, on_error=lambda p, r: problems.append((p, r))))
    assert found == ["a/ok.md", "a/x.md"]
    assert sorted(problems) == [
        (tmp_path / "a" / SHOWN, "file name is not valid UTF-8"),
        (tmp_path / "d\\xff", "file name is not valid UTF-8"),
    ]
    # Printable as it is: no lone surrogates left in the path.
    assert all(str(path).encode("utf-8") for path, _ in problems)
    (a,) = [d for d in directories(tmp_path) if d.rel == "a"]
    assert not a.complete and a.stamp(a.mtime_ns or 0) is None  # looked at again next time


def test_an_unreadable_directory_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, "a/x.md", "b/y.md")
    real = os.scandir

    def scandir(path: Path) -> object:
        if Path(path).name == "a":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    problems: list[tuple[Path, str]] = []
    assert list(article_files(tmp_path, on_error=lambda p, r: problems.append((p, r)))) == [
        "b/y.md"
    ]
    assert problems == [(tmp_path / "a", "cannot list: Permission denied")]
    (a,) = [d for d in directories(tmp_path) if d.rel == "a"]
    assert a == Directory("a", None, (), frozenset(), complete=False)


def test_a_directory_changed_just_now_is_not_trusted_yet(tmp_path: Path) -> None:
    tree(tmp_path, "x.md")
    listed = list_directory(tmp_path)
    assert listed is not None and listed.mtime_ns is not None
    assert listed.stamp(listed.mtime_ns + 1) is None
    assert listed.stamp(listed.mtime_ns + walk.SETTLED_NS + 1) == listed.mtime_ns


# -- every command ----------------------------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    store = Archive(tmp_path / "archive")
    save(store, make_article("Wagner in Mali", "The Wagner group.\n", url="https://x.example/1"))
    save(store, make_article("Weather", "Sunny.\n", url="https://x.example/2"))
    store.close()
    return store.root


def bad_file(archive: Path) -> Path:
    """An article whose file name is Latin-1: valid everywhere but in UTF-8."""
    directory = archive / "2021" / "09"
    text = (archive / "2021" / "09").glob("*.md").__next__().read_bytes()
    with open(os.fsencode(directory) + b"/" + BAD_NAME, "wb") as handle:
        handle.write(text.replace(b"Wagner", b"Wagnerite"))
    return directory / SHOWN


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["list"], 0),
        (["search", "wagner"], 0),
        (["grep", "Wagner"], 0),
        (["stats"], 0),
        (["export"], 0),
        (["reindex"], 0),
        (["show", "https://x.example/1"], 0),
    ],
)
def test_a_name_that_is_not_utf8_stops_no_command(
    archive: Path, command: list[str], code: int
) -> None:
    shown = bad_file(archive)
    result = na(archive, *command)
    assert result.exit_code == code, result.stderr
    assert "Wagner in Mali" in result.stdout or command[0] in ("stats", "reindex")
    if command[0] != "show":
        assert f"warning: {shown}: file name is not valid UTF-8 (skipped)\n" in result.stderr


def test_verify_reports_a_name_that_is_not_utf8(archive: Path) -> None:
    shown = bad_file(archive)
    result = na(archive, "verify", "--json")
    assert result.exit_code == 8
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"path": str(shown), "problem": "file name is not valid UTF-8", "kind": "damaged"}
    ]
    assert "checked 2 article(s)" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_grep_passes_over_a_fifo_named_md(archive: Path) -> None:
    os.mkfifo(archive / "2021" / "pipe.md")
    write_by_hand(archive / "notes" / "n.md", make_article("Notes", "Wagner again.\n"))
    # In a process of its own: before the fix, opening the FIFO waited for a writer forever.
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive", "--archive", str(archive), "grep", "-l", "Wagner"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [Path(line).name for line in done.stdout.splitlines()] == [
        next((archive / "2021" / "09").glob("*wagner*")).name,
        "n.md",
    ]
    assert done.stderr == ""


def test_the_search_index_goes_on_past_an_unreadable_directory(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_by_hand(archive / "2022" / "01" / "x.md", make_article("Locked away", "Hidden.\n"))
    real = os.scandir

    def scandir(path: Path) -> object:
        if Path(path) == archive / "2022":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    with SearchIndex(archive) as index:
        report = index.refresh()
        assert report.problems == [Problem(archive / "2022", "cannot list: Permission denied")]
        assert [e.title for e in index.entries(sort="title")] == ["Wagner in Mali", "Weather"]
        # Readable again: the directory was never recorded as current, so it is listed again
        # even where only directories are checked.
        monkeypatch.setattr(walk.os, "scandir", real)
        assert index.refresh(full=False).problems == []
        assert "Locked away" in [e.title for e in index.entries()]


@pytest.mark.parametrize("command", [["grep", "Wagner"], ["list"], ["verify"]])
def test_commands_warn_about_an_unreadable_directory_and_go_on(
    archive: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    write_by_hand(archive / "2022" / "x.md", make_article("Wagner again", "Wagner.\n"))
    real = os.scandir

    def scandir(path: Path) -> object:
        if Path(path) == archive / "2022":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    result = na(archive, *command)
    if command[0] == "verify":
        assert result.exit_code == 8
        assert result.stdout == f"{archive / '2022'}: cannot list: Permission denied\n"
    else:
        assert result.exit_code == 0
        assert "Wagner in Mali" in result.stdout and "Wagner again" not in result.stdout
        assert result.stderr.endswith(
            f"warning: {archive / '2022'}: cannot list: Permission denied (skipped)\n"
        )
