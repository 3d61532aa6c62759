"""The failed file of `newsarchive import`, run as a user runs it (a process of its own): after
an interruption it lists every URL not done, so that importing it takes up exactly what was
left; and it says nothing about retrying when nothing failed."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from helpers import command, md_files, split_article, write_list
from httpserver import LoopbackServer
from newsarchive.batch import read_url_files
from newsarchive.cli import ExitCode
from sites import add_articles, article_page

pytestmark = pytest.mark.slow


def slow_articles(server: LoopbackServer, seconds: float) -> None:
    """/news/N answers article N after `seconds`."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        data = article_page(int(handler.path.rsplit("/", 1)[1])).encode("utf-8")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    server.add_prefix("/news/", answer)


def test_an_interrupted_import_lists_every_url_not_done(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    slow_articles(server, 0.2)
    # More lines than the import reads ahead (1,000): some are never even read.
    urls = [server.url("/gone")] + [server.url(f"/news/{n}") for n in range(1200)]
    listing = write_list(tmp_path / "links.txt", urls)
    failed = tmp_path / "retry.txt"
    proc = subprocess.Popen(
        command(archive, "import", "--jobs", "0", "--failed", str(failed), listing),
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(md_files(archive)) < 2:
            assert proc.poll() is None, "the import ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    archived = {str(split_article(path)[0]["url"]) for path in md_files(archive)}
    lines = failed.read_text(encoding="utf-8").splitlines()[2:]
    assert lines[0] == f"{server.url('/gone')}  # HTTP 404 Not Found"
    assert all(line.endswith("  # not done (interrupted)") for line in lines[1:])
    retried = [entry.text for entry in read_url_files([str(failed)])]
    # Together, what was archived and what the file holds are the whole list, once each.
    assert len(retried) == len(set(retried))
    assert sorted([*archived, *retried]) == sorted(urls)
    shown = "retry.txt"
    assert (
        f"failed URLs and those not done written to {shown}; "
        f"retry them with: newsarchive import {shown}\n"
    ) in stderr


def test_no_retry_line_when_nothing_failed(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = add_articles(server, 2)
    listing = write_list(tmp_path / "links.txt", urls)
    done = subprocess.run(
        command(archive, "import", "--jobs", "0", "--failed", "/dev/null", listing),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "retry them with" not in done.stderr and "written to" not in done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # written to, never replaced
    assert len(md_files(archive)) == 2


def test_the_failed_file_may_be_dev_null(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    listing = write_list(tmp_path / "links.txt", [server.url("/gone")])
    done = subprocess.run(
        command(archive, "import", "--jobs", "0", "--failed", "/dev/null", listing),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == ExitCode.PARTIAL
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert [p.name for p in Path("/dev").glob(".null*")] == []
