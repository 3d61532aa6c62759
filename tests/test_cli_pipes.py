"""A closed standard output is a normal end, for every command, as for grep or git
(`newsarchive list | head -3`): no message, exit status 0.

Run as a user runs it: a real process whose stdout is a pipe that nobody reads any more.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from helpers import command, md_files, mt_page, write_list
from httpserver import LoopbackServer
from newsarchive.store import Archive
from samples import make_article, save

pytestmark = pytest.mark.slow

PARAGRAPH = "Wagner fighters were seen near the airport again, residents said on Tuesday. " * 16


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Forty articles: more than a pipe holds, whichever way they are printed."""
    root = tmp_path_factory.mktemp("pipes") / "archive"
    archive = Archive(root, cache_dir=tmp_path_factory.mktemp("cache"))
    for n in range(40):
        body = f"{PARAGRAPH}\n\n{PARAGRAPH}\n"
        save(archive, make_article(f"Wagner report {n}", body, url=f"https://example.org/{n}"))
    return root


def with_closed_stdout(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run argv with stdout a pipe whose reading end is already closed: every write fails."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            argv, stdout=write_end, stderr=subprocess.PIPE, cwd=cwd, text=True, timeout=120
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["list", "--csv"],
        ["export", "--format", "csv"],
        ["export", "--with-body"],
        ["stats"],
        ["stats", "--json"],
        ["search", "wagner"],
        ["grep", "Wagner"],
        ["grep", "--json", "Wagner"],
        ["show", "https://example.org/7"],
        ["history", "https://example.org/7"],
        ["path", "https://example.org/7"],
        ["--help"],
        ["list", "--help"],
    ],
    ids=" ".join,
)
def test_a_closed_stdout_ends_the_command_quietly(made: Path, args: list[str]) -> None:
    done = with_closed_stdout(command(made, *args), made.parent)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize(
    "pipeline",
    [
        "{na} export --format csv --with-body | head -n 1",
        "{na} grep Wagner | head -n 1",
    ],
)
def test_head_takes_the_first_line_and_both_end_well(made: Path, pipeline: str) -> None:
    na = " ".join(command(made))
    done = subprocess.run(
        ["bash", "-c", "set -o pipefail; " + pipeline.format(na=na)],
        capture_output=True,
        cwd=made.parent,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert len(done.stdout.splitlines()) == 1


def test_fetch_and_import_archive_and_end_well_with_stdout_closed(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    server.add("/story", mt_page())
    fetched = with_closed_stdout(
        command(archive, "fetch", "--no-images", server.url("/story")), tmp_path
    )
    assert (fetched.returncode, fetched.stderr) == (0, "")
    assert len(md_files(archive)) == 1

    listing = write_list(tmp_path / "list.txt", [server.url("/story"), server.url("/gone")])
    imported = with_closed_stdout(command(archive, "import", "--jobs", "0", listing), tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "Import summary" in imported.stderr
    assert "standard output" not in imported.stderr and "Traceback" not in imported.stderr
