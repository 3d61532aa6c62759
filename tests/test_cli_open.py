"""`newsarchive open` and `newsarchive path`, and shell completion, run as a user runs them:
a process of its own, with a stand-in for the system's opener on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import MT_FILE, MT_URL, PAGES, command
from newsarchive.cli import ExitCode

pytestmark = pytest.mark.slow

OPENERS = ("xdg-open", "open")  # Linux and macOS


@pytest.fixture
def archived(tmp_path: Path) -> Path:
    """An archive holding the Moscow Times article (from its saved page: no network)."""
    archive = tmp_path / "archive"
    done = subprocess.run(
        command(archive, "fetch", str(PAGES / "moscowtimes-mali.html")),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return archive


def fake_opener(tmp_path: Path, status: int = 0) -> tuple[Path, Path]:
    """A directory with an opener that notes what it was given; (the directory, its notes)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    notes = tmp_path / "opened.txt"
    for name in OPENERS:
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\necho "$@" >> {notes}\nexit {status}\n', encoding="utf-8")
        script.chmod(0o755)
    return bin_dir, notes


def newsarchive(
    archive: Path, *args: str, cwd: Path, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        command(archive, *args), capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_path_prints_the_file_of_an_article(archived: Path, tmp_path: Path) -> None:
    done = newsarchive(archived, "path", MT_URL + "?utm_source=x", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"archive/{MT_FILE}\n", "")
    again = newsarchive(archived, "path", f"archive/{MT_FILE}", cwd=tmp_path)
    assert again.stdout == f"archive/{MT_FILE}\n"


def test_path_of_articles_not_archived(archived: Path, tmp_path: Path) -> None:
    one = newsarchive(archived, "path", "https://example.org/nope", cwd=tmp_path)
    assert (one.returncode, one.stdout) == (ExitCode.ERROR, "")
    assert one.stderr == "error: https://example.org/nope: not in the archive\n"
    several = newsarchive(archived, "path", "https://example.org/nope", MT_URL, cwd=tmp_path)
    assert (several.returncode, several.stdout) == (ExitCode.PARTIAL, f"archive/{MT_FILE}\n")


def test_open_gives_the_file_to_the_systems_opener(archived: Path, tmp_path: Path) -> None:
    bin_dir, notes = fake_opener(tmp_path)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    done = newsarchive(archived, "open", MT_URL, cwd=tmp_path, path=path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert notes.read_text(encoding="utf-8") == f"{archived / MT_FILE}\n"
    original = newsarchive(archived, "open", "--url", f"archive/{MT_FILE}", cwd=tmp_path, path=path)
    assert original.returncode == 0, original.stderr
    assert notes.read_text(encoding="utf-8").splitlines()[1] == MT_URL


def test_an_opener_that_fails_is_an_error(archived: Path, tmp_path: Path) -> None:
    bin_dir, _ = fake_opener(tmp_path, status=4)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    done = newsarchive(archived, "open", "--url", MT_URL, cwd=tmp_path, path=path)
    assert done.returncode == ExitCode.ERROR
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    assert done.stderr == f"error: {MT_URL}: {opener} failed (exit status 4)\n"


def test_no_opener_at_all_is_an_error(archived: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    done = newsarchive(archived, "open", MT_URL, cwd=tmp_path, path=str(empty))
    assert done.returncode == ExitCode.ERROR
    assert done.stderr.startswith(f"error: {archived / MT_FILE}: cannot run ")
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _newsarchive_completion newsarchive"),
        ("zsh", "#compdef newsarchive"),
        ("fish", "complete --no-files --command newsarchive"),
    ],
)
def test_the_completion_script_of_each_shell(tmp_path: Path, shell: str, marker: str) -> None:
    env = {**os.environ, "_NEWSARCHIVE_COMPLETE": f"{shell}_source"}
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_completes_a_command_name(tmp_path: Path) -> None:
    # The console script, as an installed newsarchive has it on PATH.
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "newsarchive").exists():
        pytest.skip("the newsarchive script is not installed beside this Python")
    script = (
        'eval "$(_NEWSARCHIVE_COMPLETE=bash_source newsarchive)"; '
        "COMP_WORDS=(newsarchive re); COMP_CWORD=1; _newsarchive_completion newsarchive; "
        'echo "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stdout) == (0, "reextract reindex\n")
