"""What the command-line tests share: running newsarchive in process (`run`) or as a user does
(`command`, through real pipes; `run_on_terminal`, with stderr on a pseudo-terminal), and
reading the files it wrote, and watching the processes it starts. The `archive` fixture is in
conftest.py."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from newsarchive.cli import cli

PAGES = Path(__file__).parent / "fixtures" / "pages"
# The Moscow Times article of tests/fixtures/pages/moscowtimes-mali.html, and where it is filed.
MT_PATH = "/2021/09/14/mali-junta-in-talks-for-russian-mercenaries-french-sources-a75044"
MT_URL = "https://www.themoscowtimes.com" + MT_PATH
MT_FILE = "2021/09/2021-09-14-mali-junta-in-talks-for-russian-mercenaries-french-sources.md"


def mt_page() -> bytes:
    return (PAGES / "moscowtimes-mali.html").read_bytes()


def mt_page_at(server: Any) -> bytes:
    """The Moscow Times page as served by `server` (a LoopbackServer) at MT_PATH: its
    canonical link names that address, so that the page's canonical URL is on its own site
    (one on another site is recorded, but is not the article's identity)."""
    return mt_page().replace(MT_URL.encode(), server.url(MT_PATH).encode())


def serve_mt(server: Any, html: str | None = None) -> str:
    """Serve the Moscow Times page, or `html` (a changed copy of it), at MT_PATH on `server`
    (a LoopbackServer), its canonical link naming that address; return the address."""
    text = mt_page().decode("utf-8") if html is None else html
    server.add(MT_PATH, text.replace(MT_URL, server.url(MT_PATH)))
    return str(server.url(MT_PATH))


def run(
    archive: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> Result:
    """`newsarchive --archive ARCHIVE ARGS...` in this process."""
    return CliRunner().invoke(
        cli, ["--archive", str(archive), *args], input=input, env=env, catch_exceptions=False
    )


def command(archive: Path, *args: str) -> list[str]:
    """The argv of `newsarchive --archive ARCHIVE ARGS...` as a process of its own."""
    return [sys.executable, "-m", "newsarchive", "--archive", str(archive), *args]


def run_process(archive: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`newsarchive --archive ARCHIVE ARGS...` run as a process of its own in `cwd`, its
    output captured."""
    return subprocess.run(
        command(archive, *args), capture_output=True, text=True, cwd=cwd, timeout=120
    )


def run_on_terminal(argv: list[str], cwd: Path, columns: int) -> tuple[int, str, str]:
    """Run argv with stderr on a pseudo-terminal: (exit status, stdout, the terminal's text)."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": str(columns)}
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.PIPE, stderr=secondary, env=env, text=True
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    assert proc.stdout is not None
    with proc.stdout:
        stdout = proc.stdout.read()
    status = proc.wait()
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    return status, stdout, screen


def md_files(root: Path) -> list[Path]:
    """The Markdown files under `root`, sorted."""
    return sorted(root.rglob("*.md")) if root.exists() else []


def front_matter(path: Path) -> dict[str, object]:
    """An article file's front-matter, as YAML reads it."""
    return split_article(path)[0]


def split_article(path: Path) -> tuple[dict[str, object], str]:
    """An article file's front-matter and its body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    _, head, body = text.split("---\n", 2)
    meta = yaml.safe_load(head)
    assert isinstance(meta, dict)
    return meta, body.removeprefix("\n")


def write_list(path: Path, lines: list[str]) -> str:
    """A URL list file, one line each; its path as the command takes it."""
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_in_terminal(
    argv: list[str],
    cwd: Path,
    *,
    columns: int = 80,
    lines: int = 500,
    env: dict[str, str] | None = None,
) -> tuple[int, list[str], str]:
    """Run argv with stdout and stderr both on one pseudo-terminal, as in a terminal window:
    (exit status, what the screen shows at the end, line by line, as a terminal emulator draws
    it; the text written, escape codes removed). The screen is `lines` tall, so nothing
    scrolls away."""
    import pyte  # a terminal emulator, for the tests only

    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    environ = {**os.environ, "TERM": "xterm", "COLUMNS": str(columns), "LINES": str(lines)}
    proc = subprocess.Popen(
        argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary,
        env={**environ, **(env or {})},
    )  # fmt: skip
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    status = proc.wait()
    written = b"".join(chunks).decode("utf-8", "replace")
    screen = pyte.Screen(columns, lines)
    stream = pyte.Stream(screen)
    # A terminal turns "\n" into "\r\n" (the pty's ONLCR), so the emulator sees it already.
    stream.feed(written)
    shown = [line.rstrip() for line in screen.display]
    while shown and not shown[-1]:
        shown.pop()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\].*?(?:\x07|\x1b\\)|\r", "", written)
    return status, shown, plain


def session_processes(sid: int) -> list[int]:
    """Live processes of session `sid` (a process started with start_new_session=True)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # not a process, or gone meanwhile
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            found.append(int(entry.name))
    return found


def assert_session_ends(sid: int) -> None:
    deadline = time.monotonic() + 30
    while session_processes(sid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session_processes(sid) == []


def wait_for_files(archive: Path, count: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(md_files(archive)) < count:
        assert proc.poll() is None, "the import ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
