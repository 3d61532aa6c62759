"""Hostile input from outside: a server out to harm its client, and an archive that a crash, a
full disk or an odd file left in a strange state. Each case ends in one clear line, a
documented exit code, bounded memory and time, and nothing lost or left behind.

The servers are tests/httpserver.py's (its hostile routes: /trickle-headers, /gzip-members,
/gzip-two-members, /escapes, /html-labelled/...); the archive is built by the commands
themselves, then damaged by hand.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from clocks import VirtualClock
from helpers import (
    command,
    front_matter,
    md_files,
    run,
    session_processes,
    wait_for_files,
    write_list,
)
from httpserver import (
    ARTICLE_PARAGRAPHS,
    ESCAPES,
    LoopbackServer,
    article_html,
    gzip_members,
    two_member_article,
)
from newsarchive import pipeline
from newsarchive.batch import BatchOptions, import_urls, read_url_list
from newsarchive.cli import ExitCode
from newsarchive.models import FetchedPage
from newsarchive.payload import Inflater, collect
from newsarchive.pipeline import extract_found
from newsarchive.store import Archive
from sites import slow_site

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def a_dead_pid() -> int:
    """The pid of a process that has ended (and was waited for)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def peak_rss_mb(argv: list[str], cwd: Path) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Run argv as a child of a small wrapper process and return the child's peak resident
    memory in MB (from the wrapper's getrusage of its children), and how it ended. The child
    may use at most 4 GB of address space: a runaway fails here rather than take the machine."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))\n"
        "done = subprocess.run(sys.argv[1:], preexec_fn=limit)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)\n"
        "sys.exit(done.returncode)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )
    *_, peak = done.stderr.strip().splitlines()
    return int(peak), done


# -- 1. gzip bodies of several members ---------------------------------------------------------


def test_two_gzip_members_are_decoded_once(server: LoopbackServer, archive: Path) -> None:
    result = run(archive, "fetch", server.url("/gzip-two-members"))
    assert result.exit_code == 0, result.stderr
    (saved,) = md_files(archive)
    text = saved.read_text(encoding="utf-8")
    for n in (1, 7, 12):
        assert text.count(f"Paragraph {n} of the report") == 1
    # The capture holds the page as it was, once.
    from newsarchive.capture import Capture, read_capture

    meta = front_matter(saved)
    reference = Capture(
        str(meta["capture"]), str(meta["capture_record"]), str(meta["capture_sha256"])
    )
    *_, body = read_capture(archive.parent / "archive-captures", reference)
    assert body == gzip.decompress(two_member_article())


@pytest.mark.parametrize("size", [1, 7, 1000, 4096, 65536])
def test_gzip_members_decode_whatever_the_chunks(size: int) -> None:
    parts = [f"<p>{n}</p>".encode() for n in range(300)]
    data = gzip_members(parts)
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert collect(chunks, Inflater("gzip"), 1 << 20) == b"".join(parts)


def test_many_gzip_members_in_bounded_memory(server: LoopbackServer, tmp_path: Path) -> None:
    url = server.url("/gzip-members?n=3000")
    peak, done = peak_rss_mb(command(tmp_path / "archive", "fetch", url), tmp_path)
    assert done.returncode == 0, done.stderr
    (saved,) = md_files(tmp_path / "archive")
    assert saved.read_text(encoding="utf-8").count("Paragraph 1 of the report") == 250
    assert peak <= 300, f"peak RSS {peak} MB"


# -- 2. a file name that is not UTF-8 ----------------------------------------------------------


@pytest.fixture
def served(server: LoopbackServer) -> list[str]:
    """Two articles on the loopback server."""
    urls = []
    for n in (1, 2):
        paragraphs = [f"Story {n}: {p}" for p in ARTICLE_PARAGRAPHS]
        server.add(f"/story/{n}", article_html(f"Story number {n}", paragraphs))
        urls.append(server.url(f"/story/{n}"))
    return urls


def with_bad_name(archive: Path, served: list[str]) -> Path:
    """An archive of one article, and a copy of it under a Latin-1 file name."""
    assert run(archive, "fetch", served[0]).exit_code == 0
    (saved,) = md_files(archive)
    with open(os.fsencode(saved.parent) + b"/caf\xe9.md", "wb") as handle:
        handle.write(saved.read_bytes())
    return saved.parent / "caf\\xe9.md"


@pytest.mark.parametrize(
    "args",
    [["fetch", "{url}"], ["import", "{list}"], ["update", "--all"], ["reextract", "--all"]],
)
def test_writing_commands_name_a_file_they_skip(
    served: list[str], archive: Path, tmp_path: Path, args: list[str]
) -> None:
    shown = with_bad_name(archive, served)
    listing = write_list(tmp_path / "list.txt", [served[1]])
    argv = [a.format(url=served[1], list=listing) for a in args]
    if argv[0] in ("import", "update"):
        argv[1:1] = ["--jobs", "0"]
    result = run(archive, *argv)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(f"warning: {shown}: file name is not valid UTF-8 (skipped)\n") == 1


# -- 3. extraction: near-linear, and limited per page -----------------------------------------


def page_of(paragraphs: list[str], title: str = "Many paragraphs") -> FetchedPage:
    from datetime import UTC, datetime

    url = "https://example.org/many"
    return FetchedPage(
        url, url, 200, "text/html", datetime.now(UTC), raw=article_html(title, paragraphs)
    )


@pytest.mark.slow
def test_tens_of_thousands_of_tiny_paragraphs_within_the_limit() -> None:
    # Quadratic extraction took minutes on such a page; 60 s is the bound asked for.
    paragraphs = [f"Tiny paragraph {n} here." for n in range(50_000)]
    found = extract_found(page_of(paragraphs), None, time_limit=60)
    assert found.body.count("Tiny paragraph") == 50_000


def big_page(server: LoopbackServer, path: str) -> str:
    paragraphs = [f"Tiny paragraph {n} here." for n in range(100_000)]
    server.add(path, article_html("A very long page", paragraphs))
    return server.url(path)


def test_fetch_stops_an_extraction_at_its_time_limit(server: LoopbackServer, archive: Path) -> None:
    url = big_page(server, "/long")
    result = run(archive, "fetch", "--extract-timeout", "0.5", url)
    assert result.exit_code == ExitCode.NO_ARTICLE
    assert result.stderr == (
        f"error: {url}: extraction stopped after 0.5 s (the limit for one page)\n"
    )
    assert md_files(archive) == []


def test_import_goes_on_past_a_page_over_the_limit(
    server: LoopbackServer, served: list[str], archive: Path, tmp_path: Path
) -> None:
    url = big_page(server, "/long")
    listing = write_list(tmp_path / "list.txt", [url, served[0]])
    # In extraction processes of their own, as an import runs by default.
    done = subprocess.run(
        command(archive, "import", "--jobs", "1", "--extract-timeout", "0.5", "--json", listing),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == ExitCode.PARTIAL, done.stderr
    results = {r["input"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert results[served[0]]["status"] == "archived"
    assert results[url]["status"] == "failed" and results[url]["reason"] == "too slow"
    assert f"error: {url}: extraction stopped after 0.5 s (the limit for one page)" in done.stderr


# -- 5. hangs ---------------------------------------------------------------------------------


def test_timeout_is_total_while_headers_trickle_in(server: LoopbackServer, tmp_path: Path) -> None:
    url = server.url("/trickle-headers?every=0.1")
    done = subprocess.run(
        command(tmp_path / "archive", "fetch", "--timeout", "1", url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == ExitCode.NETWORK
    assert done.stderr == f"error: {url}: timeout: the download took longer than 1 s (total)\n"


def test_robots_txt_has_a_deadline(
    server: LoopbackServer, served: list[str], archive: Path, tmp_path: Path
) -> None:
    def robots(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nUser-agent: *\n")
        handler.wfile.flush()
        while not server.stall(0.1):
            handler.wfile.write(b"#")
            handler.wfile.flush()

    server.add_handler("/robots.txt", robots)
    listing = write_list(tmp_path / "list.txt", served[:1])
    done = subprocess.run(
        command(archive, "import", "--timeout", "1", "--retries", "0", "--jobs", "0", listing),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == ExitCode.PARTIAL, done.stderr
    assert (
        f"error: {served[0]}: timeout: the download took longer than 1 s (total) (robots.txt)"
        in done.stderr
    )


def test_a_huge_crawl_delay_is_capped(
    server: LoopbackServer, served: list[str], tmp_path: Path
) -> None:
    server.add("/robots.txt", "User-agent: *\nCrawl-delay: 99999999\n", content_type="text/plain")
    clock = VirtualClock()
    notices: list[str] = []
    report = import_urls(
        read_url_list(served, source="list"),
        Archive(tmp_path / "archive"),
        BatchOptions(jobs=0),
        on_notice=notices.append,
        clock=clock,
    )
    assert report.counts == {"archived": 2}
    assert max(clock.sleeps) <= 60.0 and sum(clock.sleeps) <= 120.0
    assert (
        f"http://{server.host_port}: robots.txt asks for 1e+08 s between requests; "
        "waiting 60 s, the most newsarchive waits" in notices
    )


def test_a_sitemap_index_that_fans_out_is_bounded(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    # Every sitemap is an index of 50 more, and none lists a page.
    def index(handler: BaseHTTPRequestHandler) -> None:
        base = handler.path.rstrip("/")
        children = "".join(
            f"<sitemap><loc>{server.url(f'{base}/{n}')}</loc></sitemap>" for n in range(50)
        )
        body = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{children}</sitemapindex>"
        ).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server.add_prefix("/sm", index)
    done = subprocess.run(
        command(archive, "import", "--sitemap", server.url("/sm"), "--limit", "5"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == ExitCode.OK, done.stderr
    assert "stopped after 100 sitemaps in a row that list no page; the rest is not read" in (
        done.stderr
    )
    assert len([r for r in server.requests if r.startswith("/sm")]) <= 101


# -- 6. redirects to what is not http(s) ------------------------------------------------------


@pytest.mark.parametrize("target", ["data:text/html,<h1>x</h1>", "javascript:alert(1)"])
def test_a_redirect_to_data_or_javascript_is_a_network_error(
    server: LoopbackServer, archive: Path, target: str
) -> None:
    url = server.url(f"/redirect?to={target}")
    result = run(archive, "fetch", url)
    assert result.exit_code == ExitCode.NETWORK
    assert result.stderr == f"error: {url}: redirect to a URL that is not http(s): {target}\n"


# -- 7. terminal escapes ----------------------------------------------------------------------


def test_control_characters_are_not_stored(server: LoopbackServer, archive: Path) -> None:
    result = run(archive, "fetch", server.url("/escapes"))
    assert result.exit_code == 0, result.stderr
    (saved,) = md_files(archive)
    text = saved.read_text(encoding="utf-8")
    assert not CONTROLS.search(text)
    assert front_matter(saved)["title"].startswith("Harbour council")


def test_control_characters_never_reach_the_terminal(server: LoopbackServer, archive: Path) -> None:
    assert run(archive, "fetch", server.url("/escapes")).exit_code == 0
    (saved,) = md_files(archive)
    # A hostile file written by hand: escapes in its title and its text.
    text = saved.read_text(encoding="utf-8")
    title = f"Harbour council {ESCAPES}\x9b31m"
    hostile = text.replace("\ntitle: ", f"\ntitle: {json.dumps(title)}\nx_old: ", 1)
    saved.write_text(hostile.replace("Paragraph 2", f"Paragraph 2 {ESCAPES}"), encoding="utf-8")
    for args in (["show", str(saved)], ["list"], ["search", "harbour"], ["grep", "Paragraph 2"]):
        result = run(archive, *args)
        assert result.exit_code == 0, (args, result.stderr)
        assert not CONTROLS.search(result.stdout.replace("\n", "").replace("\t", "")), args
        assert "\u241b" in result.stdout, args  # ESC shown as ␛
    listed = run(archive, "list", "--json")
    assert "\x9b" not in listed.stdout and "\\u009b" in listed.stdout


# -- 8. canonical-URL hijack ------------------------------------------------------------------


def test_a_canonical_url_on_another_site_is_not_the_identity(
    server: LoopbackServer, archive: Path
) -> None:
    # localhost and 127.0.0.1 are two sites (two registrable names) on one loopback server.
    real = f"http://localhost:{server.port}/real-story"
    evil = article_html("Fake news", [f"Fake: {p}" for p in ARTICLE_PARAGRAPHS]).decode()
    server.add("/evil", evil.replace("</head>", f'<link rel="canonical" href="{real}"></head>'))
    server.add("/real-story", article_html("Real news", ARTICLE_PARAGRAPHS))
    first = run(archive, "fetch", server.url("/evil"))
    assert first.exit_code == 0, first.stderr
    meta = front_matter(Path(first.stdout.strip()))
    assert meta["url"] == server.url("/evil") and meta["canonical"] == real

    second = run(archive, "fetch", real)
    assert second.exit_code == 0, second.stderr
    assert "already archived" not in second.stderr
    assert "/real-story" in server.requests
    assert front_matter(Path(second.stdout.strip()))["title"] == "Real news"
    assert len(md_files(archive)) == 2


# -- 9. derived data heals itself --------------------------------------------------------------


def test_a_damaged_value_in_the_search_index_heals(served: list[str], archive: Path) -> None:
    assert run(archive, "fetch", *served).exit_code == 0
    assert run(archive, "list").exit_code == 0
    (index,) = (Path(os.environ["NEWSARCHIVE_CACHE_DIR"]) / "archives").rglob("search.sqlite")
    with sqlite3.connect(index) as conn:
        conn.execute("UPDATE files SET title = CAST(X'C3FF1B5B33316D' AS TEXT)")
    conn.close()
    for args in (["list"], ["stats"], ["export"], ["search", "story"]):
        result = run(archive, *args)
        assert result.exit_code == 0, (args, result.stderr)
        assert not CONTROLS.search(result.stderr), args
    assert "Story number 1" in run(archive, "list").stdout


# -- 10. a malformed date ---------------------------------------------------------------------


def test_a_malformed_date_is_ignored_not_the_article(server: LoopbackServer, archive: Path) -> None:
    page = article_html("Dated badly", ARTICLE_PARAGRAPHS).decode()
    meta = '<meta property="article:published_time" content="2021-09-14T12:25:00+99:99">'
    server.add("/dated", page.replace("</head>", f"{meta}</head>"))
    result = run(archive, "fetch", server.url("/dated"))
    assert result.exit_code == 0, result.stderr
    (saved,) = md_files(archive)
    assert front_matter(saved)["title"] == "Dated badly"


# -- 11. leftovers ----------------------------------------------------------------------------


def test_verify_lists_orphan_captures_and_leftovers(served: list[str], archive: Path) -> None:
    assert run(archive, "fetch", served[0]).exit_code == 0
    captures = archive.parent / "archive-captures"
    (capture,) = captures.rglob("*.warc.gz")
    orphan = capture.with_name("2021-orphan.20240101T000000Z.warc.gz")
    orphan.write_bytes(capture.read_bytes())  # as a crash between capture and article leaves
    leftover = capture.with_name(f".x.warc.gz.{a_dead_pid()}-0badf00d.tmp")
    leftover.write_bytes(b"half a capture")
    result = run(archive, "verify", "--json")
    assert result.exit_code == 0, result.output  # findings, not damage
    kinds = {Path(p["path"]).name: p["kind"] for p in map(json.loads, result.stdout.splitlines())}
    assert kinds == {orphan.name: "orphan", leftover.name: "leftover"}
    assert "1 capture(s) that no article names, 1 leftover temporary file(s)" in result.stderr

    # The next capture written in that directory removes the leftover.
    assert run(archive, "fetch", served[1]).exit_code == 0
    assert not leftover.exists() and orphan.exists()


def test_leftovers_of_dead_processes_are_removed(
    served: list[str], archive: Path, tmp_path: Path
) -> None:
    assert run(archive, "fetch", served[0]).exit_code == 0
    (saved,) = md_files(archive)
    article_tmp = saved.with_name(f".{saved.name}.{a_dead_pid()}-0badf00d.tmp")
    article_tmp.write_text("half an article", encoding="utf-8")
    cache = Path(os.environ["NEWSARCHIVE_CACHE_DIR"])
    run(archive, "reindex")
    (index,) = cache.rglob("search.sqlite")
    scratch = index.with_name(f"{index.name}.build-{a_dead_pid()}-abc")
    scratch.mkdir()
    (scratch / "shard0.sqlite").write_bytes(b"\0" * 1024)
    failed_tmp = tmp_path / f".failed.txt.{a_dead_pid()}.tmp"
    failed_tmp.write_text("http://x.example/a  # killed\n", encoding="utf-8")

    assert run(archive, "reindex").exit_code == 0
    assert not scratch.exists()
    assert run(archive, "fetch", served[1]).exit_code == 0
    assert not article_tmp.exists()
    listing = write_list(tmp_path / "list.txt", served)
    result = run(
        archive, "import", "--jobs", "0", "--failed", str(tmp_path / "failed.txt"), listing
    )
    assert result.exit_code == 0, result.stderr
    assert not failed_tmp.exists()


# -- 12. the smaller ones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "actual"),
    [("pdf", "application/pdf"), ("png", "image/png"), ("json", "application/json")],
)
def test_a_body_labelled_html_that_is_not(
    server: LoopbackServer, archive: Path, kind: str, actual: str
) -> None:
    url = server.url(f"/html-labelled/{kind}")
    result = run(archive, "fetch", url)
    assert result.exit_code == ExitCode.CONTENT
    assert result.stderr == (
        f"error: {url}: not an HTML page (labelled text/html, but the body is {actual})\n"
    )


@pytest.mark.parametrize(
    "declared", ["text/html; charset=iso-8859-1", "text/html; charset=utf-8", "text/html"]
)
def test_a_mostly_ascii_cp1251_page_with_a_wrong_charset(
    server: LoopbackServer, archive: Path, declared: str
) -> None:
    page = article_html("Новости дня", ARTICLE_PARAGRAPHS).decode()
    server.add("/ru", page.encode("cp1251"), content_type=declared)
    result = run(archive, "fetch", server.url("/ru"))
    assert result.exit_code == 0, result.stderr
    (saved,) = md_files(archive)
    assert front_matter(saved)["title"] == "Новости дня"


@pytest.mark.parametrize("title", ["?!", "…", "***"])
def test_a_punctuation_only_title_is_one_heading(title: str) -> None:
    found = extract_found(page_of(ARTICLE_PARAGRAPHS, title), None)
    assert [line for line in found.body.splitlines() if line.startswith("#")] == [
        "# " + title.replace("*", "\\*")
    ]


def test_an_unreadable_archived_file_is_not_duplicated(served: list[str], archive: Path) -> None:
    assert run(archive, "fetch", served[0]).exit_code == 0
    (saved,) = md_files(archive)
    saved.write_bytes(saved.read_bytes().replace(b"Story 1:", b"Story \xe9:", 1))
    cache = Path(os.environ["NEWSARCHIVE_CACHE_DIR"])
    for index in cache.rglob("index.sqlite*"):
        index.unlink()  # the URL index is rebuilt from the files, which cannot read that one
    result = run(archive, "fetch", served[0])
    assert result.exit_code == ExitCode.ERROR
    assert f"warning: {saved}: not UTF-8 text (skipped)\n" in result.stderr
    assert result.stderr.endswith(
        f"error: {saved}: not UTF-8 text; it may be this article, so no second copy is "
        "written beside it\n"
    )
    assert md_files(archive) == [saved]


def test_a_full_disk_ends_an_import_with_its_summary(
    served: list[str], archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Archive, tmp: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def full_temp(path: Path, data: bytes, **_: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Archive, "_write_temp", full)
    # Where the extraction processes (here, with --jobs 0, this one) write the files.
    monkeypatch.setattr(pipeline, "write_temp", full_temp)
    server_down = "http://127.0.0.1:9/unreachable"
    listing = write_list(tmp_path / "list.txt", [server_down, *served])
    failed = tmp_path / "failed.txt"
    # One URL at a time: the unreachable one fails first, then the first write stops it all.
    args = ["--jobs", "0", "--concurrency", "1", "--retries", "0", "--failed", str(failed), listing]
    result = run(archive, "import", *args)
    assert result.exit_code == ExitCode.ERROR
    assert "Import summary" in result.stderr
    assert "stopped: the archive could not be written" in result.stderr
    assert result.stderr.rstrip().endswith("cannot write: No space left on device")
    assert failed.read_text(encoding="utf-8").count(server_down) == 1
    assert md_files(archive) == []


def test_sigterm_ends_an_import_like_ctrl_c(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    urls = slow_site(server, 24, 0.2)
    listing = write_list(tmp_path / "links.txt", urls)
    proc = subprocess.Popen(
        command(archive, "import", "--per-host", "2", listing),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_files(archive, 2, proc)
        proc.send_signal(signal.SIGTERM)  # to the import alone, as `kill PID` does
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert "Import summary" in stderr and "not done (interrupted)" in stderr
    deadline = time.monotonic() + 30
    while session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session_processes(proc.pid) == []
