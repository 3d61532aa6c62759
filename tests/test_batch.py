"""The batch engine end to end: URL lists, scheduling, politeness, retries, robots.txt, stopping.

Everything runs against real HTTP servers on 127.0.0.1; two servers on two ports are two sites.
Most tests extract in this process (`jobs=0`) to stay fast; the process pool has its own tests.
Spacing and pauses are checked on a virtual clock (tests/clocks.py), never by measuring time.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from clocks import Stamps, VirtualClock, gaps
from helpers import front_matter, md_files
from httpserver import LoopbackServer
from newsarchive import models
from newsarchive.batch import (
    BatchOptions,
    BatchReport,
    FailedList,
    ListEntry,
    count_urls,
    import_urls,
    parse_list_line,
    read_fd_lines,
    read_url_files,
    read_url_list,
)
from newsarchive.models import FetchedPage
from newsarchive.outcome import Outcome
from newsarchive.store import Archive
from pictures import jpeg
from sites import NO_TEXT, Gauge, Run, add_articles, article_page, entries, flaky

# ---------------------------------------------------------------------------------------------
# URL lists


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("https://example.org/a\n", "https://example.org/a"),
        ("   https://example.org/a   \n", "https://example.org/a"),
        ("\n", None),
        ("   \t\n", None),
        ("# a comment\n", None),
        ("   # an indented comment\n", None),
        ("https://example.org/a  # note on the link\n", "https://example.org/a"),
        ("https://example.org/a\t# tab before the note\n", "https://example.org/a"),
        ("https://example.org/a#section\n", "https://example.org/a#section"),
        ("\ufeffhttps://example.org/bom\n", "https://example.org/bom"),
        ("not a url\n", "not a url"),
    ],
)
def test_parse_list_line(line: str, expected: str | None) -> None:
    assert parse_list_line(line) == expected


def test_read_url_list_keeps_line_numbers() -> None:
    lines = ["# reading list\n", "\n", "https://a.example/1\n", "oops\n", "https://a.example/2\n"]
    assert list(read_url_list(lines, source="list.txt")) == [
        ListEntry("list.txt", 3, "https://a.example/1"),
        ListEntry("list.txt", 4, "oops"),
        ListEntry("list.txt", 5, "https://a.example/2"),
    ]


def test_read_url_files_reads_files_and_stdin_in_order(tmp_path: Path) -> None:
    first = tmp_path / "one.txt"
    first.write_bytes(b"\xef\xbb\xbfhttps://a.example/1\n# skip\nhttps://a.example/\xff2\n")
    second = tmp_path / "two.txt"
    second.write_text("https://b.example/1\n", encoding="utf-8")
    got = list(read_url_files([str(first), "-", str(second)], stdin=["https://c.example/1\n"]))
    assert got == [
        ListEntry(str(first), 1, "https://a.example/1"),
        ListEntry(str(first), 3, "https://a.example/\ufffd2"),
        ListEntry("-", 1, "https://c.example/1"),
        ListEntry(str(second), 1, "https://b.example/1"),
    ]
    assert count_urls(first) == 2


@pytest.mark.parametrize("chunk_size", [1, 3, 65536])
def test_read_fd_lines_splits_a_pipe_into_lines(chunk_size: int) -> None:
    # Small chunks cut lines and multi-byte characters in two; the lines come out whole.
    data = "https://a.example/é\r\n\n# nöte\nhttps://b.example/\xff\nno newline at end"
    read_end, write_end = os.pipe()
    os.write(write_end, data.encode("utf-8").replace("\xff".encode(), b"\xff"))
    os.close(write_end)
    try:
        lines = list(read_fd_lines(read_end, chunk_size=chunk_size))
    finally:
        os.close(read_end)
    assert lines == [
        "https://a.example/é\r\n",
        "\n",
        "# nöte\n",
        "https://b.example/\ufffd\n",
        "no newline at end",
    ]


def test_failed_list_is_an_importable_list(tmp_path: Path) -> None:
    path = tmp_path / "failed.txt"
    failed = FailedList(path)
    failed.add(
        Outcome(
            "https://a.example/gone", "failed", source="list.txt", line=4,
            reason="HTTP 404", message="https://a.example/gone: HTTP 404 Not Found",
        )
    )  # fmt: skip
    failed.add(
        Outcome(
            "https://b.example/slow", "failed", source="list.txt", line=9,
            reason="timeout", message="https://b.example/slow: no data for\n30 s (read)",
        )
    )  # fmt: skip
    assert not path.exists()  # written under a temporary name until closed
    assert failed.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# URLs that newsarchive could not archive")
    assert lines[2:] == [
        "https://a.example/gone  # HTTP 404 Not Found",
        "https://b.example/slow  # timeout: no data for 30 s (read)",
    ]
    assert [entry.text for entry in read_url_files([str(path)])] == [
        "https://a.example/gone",
        "https://b.example/slow",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["failed.txt"]


def test_failed_list_without_failures_writes_nothing_unless_asked(tmp_path: Path) -> None:
    assert not FailedList(tmp_path / "a.txt").close()
    assert not (tmp_path / "a.txt").exists()
    assert FailedList(tmp_path / "b.txt", keep_empty=True).close()
    assert (tmp_path / "b.txt").read_text(encoding="utf-8").count("\n") == 2


# ---------------------------------------------------------------------------------------------
# Importing


def test_import_archives_every_url_and_a_rerun_makes_no_request(
    server: LoopbackServer, store: Archive
) -> None:
    urls = add_articles(server, 6)
    run = Run(store, urls)
    assert run.report.counts == {"archived": 6}
    assert not run.report.interrupted
    files = md_files(store.root)
    assert len(files) == 6
    assert sorted(str(r.path) for r in run.results) == sorted(str(f) for f in files)
    for result in run.results:
        assert result.path is not None
        meta = front_matter(result.path)
        assert meta["url"] == result.url == result.input
        assert result.title == meta["title"]
        assert result.http_status == 200 and result.attempts == 1
    requests = list(server.requests)
    assert requests.count("/robots.txt") == 1
    assert sorted(requests) == sorted(["/robots.txt"] + [f"/news/{n}" for n in range(6)])

    again = Run(store, urls)
    assert again.report.counts == {"already archived": 6}
    assert server.requests == requests  # not one request
    assert {str(r.path) for r in again.results} == {str(f) for f in files}


def test_duplicates_after_normalisation_are_fetched_once(
    server: LoopbackServer, store: Archive
) -> None:
    (url,) = add_articles(server, 1)
    variants = [
        url,
        url.replace("127.0.0.1", "127.0.0.1") + "?utm_source=newsletter",
        url + "#comments",
        url + "/",
    ]
    run = Run(store, variants)
    assert run.report.counts == {"archived": 1, "duplicate": 3}
    assert [r.status for r in run.results].count("duplicate") == 3
    assert server.requests.count("/news/0") == 1


def test_lines_that_are_not_urls_are_reported_with_their_line_number(
    server: LoopbackServer, store: Archive
) -> None:
    (url,) = add_articles(server, 1)
    run = Run(store, ["not a url", "", "ftp://example.org/file", url])
    invalid = run.by_status("invalid")
    assert [(r.line, r.message) for r in invalid] == [
        (1, "list.txt:1: not a url: not an http(s) URL"),
        (3, "list.txt:3: ftp://example.org/file: unsupported scheme 'ftp'"),
    ]
    assert run.report.counts == {"archived": 1, "invalid": 2}
    assert run.report.failed == 0


def test_articles_sharing_a_canonical_url_are_archived_once(
    server: LoopbackServer, store: Archive
) -> None:
    canonical = server.url("/story")
    server.add("/story", article_page(1, canonical=canonical))
    server.add("/amp/story", article_page(1, canonical=canonical))
    run = Run(store, [canonical, server.url("/amp/story")], per_host=1)
    assert run.report.counts == {"archived": 1, "already archived": 1}
    assert len(md_files(store.root)) == 1


@pytest.mark.parametrize(
    ("path", "reason", "message"),
    [
        ("/status/404", "HTTP 404", "HTTP 404 Not Found"),
        ("/status/410", "HTTP 410", "HTTP 410 Gone"),
        ("/pdf", "not HTML", "not an HTML page (application/pdf)"),
        ("/no-text", "no article text", None),
    ],
)
def test_permanent_failures_are_not_retried(
    server: LoopbackServer, store: Archive, path: str, reason: str, message: str | None
) -> None:
    server.add("/no-text", NO_TEXT)
    url = server.url(path)
    run = Run(store, [url])
    result = run.result_for(url)
    assert (result.status, result.reason, result.attempts) == ("failed", reason, 1)
    if message is not None:
        assert result.message == f"{url}: {message}"
    assert run.report.failures == {reason: 1}
    assert server.requests.count(path) == 1
    assert md_files(store.root) == []


def test_server_errors_are_retried_with_backoff(server: LoopbackServer, store: Archive) -> None:
    server.add_handler("/flaky", flaky(article_page(2), [(503, {}), (500, {})]))
    url = server.url("/flaky")
    run = Run(store, [url], retries=3)
    result = run.result_for(url)
    assert (result.status, result.attempts) == ("archived", 3)
    assert server.requests.count("/flaky") == 3
    retries = [notice for notice in run.notices if notice.startswith("retry ")]
    assert [notice.split(" in ")[0] for notice in retries] == ["retry 1/3", "retry 2/3"]


def test_retries_are_limited(server: LoopbackServer, store: Archive) -> None:
    url = server.url("/status/502")
    run = Run(store, [url], retries=2)
    result = run.result_for(url)
    assert (result.status, result.reason, result.attempts) == ("failed", "HTTP 502", 3)
    assert server.requests.count("/status/502") == 3


def test_timeouts_are_retried_then_reported(server: LoopbackServer, store: Archive) -> None:
    from newsarchive.models import FetchOptions

    url = server.url("/slow?delay=3")
    run = Run(store, [url], retries=1, fetch=FetchOptions(timeout=0.3))
    result = run.result_for(url)
    assert (result.status, result.reason, result.attempts) == ("failed", "timeout", 2)


def test_refused_connection_is_retried_then_reported(store: Archive) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/story"
    run = Run(store, [url], retries=1)
    result = run.result_for(url)
    assert (result.status, result.reason, result.attempts) == ("failed", "connection refused", 2)
    # The failure is about the page asked for, even though robots.txt was the first request.
    assert result.message == f"{url}: connection refused (robots.txt)"


def test_retry_after_is_honoured_and_other_sites_go_on(
    server: LoopbackServer, store: Archive
) -> None:
    clock = VirtualClock()
    stamps = Stamps(clock)
    server.add_handler("/busy", stamps.wrap(flaky(article_page(1), [(429, {"Retry-After": "1"})])))
    with LoopbackServer() as other:
        for n in range(2, 8):
            other.add_handler(f"/news/{n}", stamps.wrap(flaky(article_page(n), [])))
        other_urls = [other.url(f"/news/{n}") for n in range(2, 8)]
        run = Run(store, [server.url("/busy"), *other_urls], per_host=1, clock=clock)
    assert run.report.counts == {"archived": 7}
    assert run.result_for(server.url("/busy")).attempts == 2
    first, second = stamps.times("/busy")
    assert second - first == pytest.approx(1.0)  # when the server said, not before
    # While the busy site was paused, the other site was served in full.
    others = [when for when, path in stamps.log if path != "/busy"]
    assert len(others) == 6 and all(when < second for when in others)
    assert any("pausing this site for 1.0 s" in notice for notice in run.notices)


def test_a_retry_after_beyond_the_limit_fails_at_once(
    server: LoopbackServer, store: Archive
) -> None:
    url = server.url("/429?retry-after=3600")
    run = Run(store, [url], max_retry_after=600)
    result = run.result_for(url)
    assert (result.status, result.reason, result.attempts) == ("failed", "HTTP 429", 1)


# ---------------------------------------------------------------------------------------------
# Politeness


def test_per_host_and_global_limits(server: LoopbackServer, store: Archive) -> None:
    gauge = Gauge()
    with LoopbackServer() as other:
        urls = []
        for site in (server, other):
            for n in range(8):
                site.add_handler(f"/news/{n}", gauge.slow(article_page(n), 0.15))
                urls.append(site.url(f"/news/{n}"))
        one_site = Run(store, urls[:8], per_host=3, throttle=False)
        assert one_site.report.counts == {"archived": 8}
        assert gauge.peak == 3

        gauge.peak = 0
        both = Run(
            Archive(store.root.parent / "second"), urls, per_host=4, concurrency=5, throttle=False
        )
        assert both.report.counts == {"archived": 16}
        assert gauge.peak == 5


def test_delay_spaces_requests_to_one_site(server: LoopbackServer, store: Archive) -> None:
    clock = VirtualClock()
    stamps = Stamps(clock)
    for n in range(6):
        server.add_handler(f"/news/{n}", stamps.wrap(flaky(article_page(n), [])))
    run = Run(store, [server.url(f"/news/{n}") for n in range(6)], delay=0.2, clock=clock)
    assert run.report.counts == {"archived": 6}
    spacing = gaps(stamps.times())
    assert len(spacing) == 5
    # Each gap is the delay with jitter: within 0.5x-1.5x of it, and not all the same.
    assert all(0.1 - 1e-9 <= gap <= 0.3 + 1e-9 for gap in spacing)
    assert max(spacing) - min(spacing) > 0.001


def test_robots_txt_disallow_and_crawl_delay(server: LoopbackServer, store: Archive) -> None:
    server.add(
        "/robots.txt",
        "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.2\n",
        content_type="text/plain",
    )
    clock = VirtualClock()
    stamps = Stamps(clock)
    gauge = Gauge()
    for path in ("/news/1", "/news/2", "/news/3", "/private/4"):
        server.add_handler(path, stamps.wrap(gauge.slow(article_page(int(path[-1])), 0.05)))
    urls = [server.url(p) for p in ("/news/1", "/private/4", "/news/2", "/news/3")]
    run = Run(store, urls, per_host=4, clock=clock)
    denied = run.result_for(server.url("/private/4"))
    assert (denied.status, denied.reason, denied.attempts) == ("failed", "robots", 0)
    assert (
        denied.message == f"{server.url('/private/4')}: disallowed by {server.url('/robots.txt')}"
    )
    assert "/private/4" not in server.requests
    assert server.requests.count("/robots.txt") == 1
    assert run.report.counts == {"archived": 3, "failed": 1}
    # Crawl-delay: one request at a time, and never closer together than asked.
    assert gauge.peak == 1
    spacing = gaps(stamps.times())
    assert len(spacing) == 2 and all(gap >= 0.2 - 1e-9 for gap in spacing)
    assert f"http://{server.host_port}: robots.txt asks for 0.2 s between requests" in run.notices


def test_robots_txt_can_be_ignored(server: LoopbackServer, store: Archive) -> None:
    server.add("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    urls = add_articles(server, 2)
    run = Run(store, urls, robots=False)
    assert run.report.counts == {"archived": 2}
    assert "/robots.txt" not in server.requests


def test_robots_txt_for_our_agent_only(server: LoopbackServer, store: Archive) -> None:
    server.add(
        "/robots.txt",
        "User-agent: newsarchive\nDisallow: /\n\nUser-agent: *\nDisallow:\n",
        content_type="text/plain",
    )
    urls = add_articles(server, 2)
    run = Run(store, urls)
    assert run.report.failures == {"robots": 2}
    assert run.report.counts == {"failed": 2}


def test_missing_robots_txt_allows_everything(server: LoopbackServer, store: Archive) -> None:
    urls = add_articles(server, 2)  # /robots.txt answers 404 on this server
    assert Run(store, urls).report.counts == {"archived": 2}


def test_failing_robots_txt_is_retried_then_disallows_the_site(
    server: LoopbackServer, store: Archive
) -> None:
    server.add("/robots.txt", "down", status=503)
    urls = add_articles(server, 3)
    run = Run(store, urls, retries=1, per_host=1)
    first = run.result_for(urls[0])
    assert (first.reason, first.message) == (
        "HTTP 503",
        f"{urls[0]}: HTTP 503 Service Unavailable (robots.txt)",
    )
    # Once robots.txt keeps failing, the site counts as closed to us (RFC 9309).
    assert {run.result_for(url).reason for url in urls[1:]} == {"robots"}
    assert server.requests.count("/robots.txt") == 2
    assert not any(path.startswith("/news/") for path in server.requests)


# ---------------------------------------------------------------------------------------------
# Extraction processes, streaming, stopping


def test_extraction_in_worker_processes(server: LoopbackServer, store: Archive) -> None:
    urls = add_articles(server, 5)
    server.add("/no-text", NO_TEXT)
    run = Run(store, [*urls, server.url("/no-text")], jobs=2)
    assert run.report.counts == {"archived": 5, "failed": 1}
    empty = run.result_for(server.url("/no-text"))
    assert empty.reason == "no article text"
    assert empty.message is not None and empty.message.startswith(server.url("/no-text"))
    assert len(md_files(store.root)) == 5


def test_a_sites_robots_txt_and_first_page_are_fetched_while_the_processes_start(
    server: LoopbackServer, store: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both are downloaded by this process in any case: waiting for an extraction process to
    be ready (its start and warm-up) before asking for them left both cores idle."""
    from newsarchive.pageworkers import Message, PageWorkers

    urls = add_articles(server, 3)
    ready: list[float] = []
    settle = PageWorkers.settle

    def noting_ready(workers: PageWorkers, message: Message) -> None:
        if message.kind == "ready":
            ready.append(time.monotonic())
        settle(workers, message)

    monkeypatch.setattr(PageWorkers, "settle", noting_ready)
    run = Run(store, urls, jobs=2)
    assert run.report.counts == {"archived": 3}
    asked = server.first_asked
    assert asked["/robots.txt"] < asked["/news/0"] < min(ready) < asked["/news/1"]


def _extraction_processes() -> list[int]:
    """The pids of the processes forked by this process's forkserver (its extraction
    processes)."""
    from multiprocessing import forkserver

    server = forkserver._forkserver._forkserver_pid  # noqa: SLF001
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == server:
            children.append(int(stat.parent.name))
    return children


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_page_whose_extraction_process_dies_is_downloaded_again(
    server: LoopbackServer, store: Archive
) -> None:
    """The process downloading a page is killed: another takes its place, and the page is
    tried again as a download that broke off."""
    arrived = threading.Event()

    def first_stalls(handler: BaseHTTPRequestHandler) -> None:
        server.add("/news/1", article_page(1))  # the next request is answered
        arrived.set()
        server.stall(30)  # its process is killed meanwhile

    server.add_handler("/news/1", first_stalls)

    def kill_the_downloader() -> None:
        assert arrived.wait(60)
        for pid in _extraction_processes():
            os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_the_downloader, daemon=True)
    killer.start()
    run = Run(store, [server.url("/news/1")], jobs=1, robots=False, retries=2)
    killer.join(10)
    assert run.report.counts == {"archived": 1}
    assert run.results[0].attempts == 2
    assert server.requests.count("/news/1") == 2


def test_extraction_processes_that_cannot_start_leave_the_work_to_this_process(
    server: LoopbackServer, store: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive.pageworkers import Message, PageWorkers

    def no_process(workers: PageWorkers, count: int) -> None:  # as when fork() fails
        for number in range(count):
            workers.inbox.put(Message("lost", worker=number, value=OSError("no more processes")))

    monkeypatch.setattr(PageWorkers, "_start", no_process)
    urls = add_articles(server, 3)
    run = Run(store, urls, jobs=2, robots=False)
    assert run.report.counts == {"archived": 3}
    why = "OSError: no more processes"
    assert run.notices == [f"extraction processes failed ({why}); extracting in this one"]


@pytest.mark.parametrize("capture", [True, False])
def test_pages_are_decoded_in_the_extraction_processes_only(
    server: LoopbackServer,
    store: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capture: bool,
) -> None:
    """The main process moves each page's bytes and never decodes them: the text, as large
    again, is made where it is extracted (and so is neither held here nor copied across)."""
    decoded_here: list[bytes] = []
    real = models.decode_html

    def counting(raw: bytes, declared: str | None = None) -> tuple[str, str]:
        decoded_here.append(raw)
        return real(raw, declared)

    monkeypatch.setattr(models, "decode_html", counting)
    urls = add_articles(server, 4)
    captures = tmp_path / "captures" if capture else None
    run = Run(store, urls, jobs=1, captures=captures)
    assert run.report.counts == {"archived": 4}
    assert decoded_here == []
    if captures is not None:
        assert len(list(captures.rglob("*.warc.gz"))) == 4


def test_the_list_is_read_only_a_window_ahead(server: LoopbackServer, store: Archive) -> None:
    release = threading.Event()
    consumed = 0

    def hold(handler: BaseHTTPRequestHandler) -> None:
        release.wait(30)
        handler.send_response(404)
        handler.end_headers()

    for n in range(4):
        server.add_handler(f"/held/{n}", hold)

    def lines() -> Iterator[str]:
        nonlocal consumed
        for n in range(100_000):
            consumed += 1
            yield server.url(f"/held/{n % 4}?n={n}")

    stop = threading.Event()
    report: list[BatchReport] = []
    worker = threading.Thread(
        target=lambda: report.append(
            import_urls(
                entries(lines()),
                store,
                BatchOptions(jobs=0, window=50, robots=False, retries=0, per_host=4),
                stop=stop,
            )
        )
    )
    worker.start()
    deadline = time.monotonic() + 10
    while len(server.requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(server.requests) == 4  # per-host limit: the first four are held
    assert consumed <= 51  # a window of 50 URLs (plus the one being looked at)
    stop.set()
    worker.join(10)  # returns without waiting for the held downloads
    release.set()
    assert report and report[0].interrupted
    assert report[0].unfinished == 50


def test_an_article_done_with_holds_no_page(server: LoopbackServer, store: Archive) -> None:
    """Once an article is reported, nothing of the run keeps its downloaded page: not the
    download thread that fetched it and now waits for more, nor the writer thread, nor the
    copies of its task that downloaded its pictures (which every page here has)."""
    urls = []
    for n in range(6):
        figure = f'<figure><img src="/pictures/{n}.jpg" alt="Picture {n}"></figure>'
        server.add(f"/news/{n}", article_page(n).replace("</h1>", f"</h1>{figure}"))
        server.add(f"/pictures/{n}.jpg", jpeg(640, 480, n), content_type="image/jpeg")
        urls.append(server.url(f"/news/{n}"))
    reported: set[str] = set()
    held: list[str] = []

    def on_result(outcome: Outcome) -> None:
        reported.add(outcome.input)
        if len(reported) < len(urls):
            return
        # The last result: the threads are idle, or about to be, with all the work done.
        for _ in range(200):
            gc.collect()
            held[:] = [o.url for o in gc.get_objects() if type(o) is FetchedPage]
            if not set(held) & reported:
                return
            time.sleep(0.05)

    options = BatchOptions(jobs=0, concurrency=3, robots=False)
    report = import_urls(entries(urls), store, options, on_result=on_result)
    assert report.counts == {"archived": 6}
    assert all("images" in front_matter(path) for path in md_files(store.root))
    assert not set(held) & reported


def test_stop_leaves_no_partial_file_and_a_rerun_finishes(
    server: LoopbackServer, store: Archive
) -> None:
    gauge = Gauge()
    urls = []
    for n in range(12):
        server.add_handler(f"/news/{n}", gauge.slow(article_page(n), 0.05))
        urls.append(server.url(f"/news/{n}"))
    stop = threading.Event()
    results: list[Outcome] = []

    def on_result(result: Outcome) -> None:
        results.append(result)
        if len(results) == 3:
            stop.set()

    report = import_urls(
        entries(urls), store, BatchOptions(jobs=0, per_host=2), on_result=on_result, stop=stop
    )
    assert report.interrupted
    assert report.counts["archived"] == len(md_files(store.root)) >= 3
    assert report.counts["archived"] < 12
    assert report.unfinished == 12 - report.done
    assert [p for p in store.root.rglob("*") if p.name.endswith(".tmp")] == []

    rest = Run(store, urls)
    assert rest.report.counts["archived"] == 12 - report.counts["archived"]
    files = md_files(store.root)
    assert len(files) == 12
    assert len({front_matter(f)["url"] for f in files}) == 12


def test_the_writer_names_what_is_queued_together_and_waits_for_more_only_while_pages_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writes queued together are one group (one transaction, one fsync per directory);
    the first waits for more only while pages are being downloaded or extracted, so the last
    page of an import is not held back."""
    from collections import deque

    from newsarchive import writing

    monkeypatch.setattr(writing, "WRITE_GROUP_WAIT", 60.0)  # a wait would outlast the test
    groups: list[list[object]] = []
    pages_coming = False
    writer = writing.Writer[None](
        group=lambda writes: groups.append(list(writes)) or list(writes),
        drop=lambda write: None,
        done=lambda owner, value, error: None,
        busy=lambda: pages_coming,
    )

    def write_next() -> None:
        done = threading.Thread(target=writer.next, args=(deque(),), daemon=True)
        done.start()
        done.join(timeout=10)
        assert not done.is_alive(), "the writer waited although no page was under way"

    for n in range(3):
        writer.put(None, f"article {n}", grouped=True)
    write_next()
    assert groups == [["article 0", "article 1", "article 2"]]
    pages_coming = True  # a page on its way: the writer waits for it
    writer.put(None, "article 3", grouped=True)

    def more() -> None:  # a grouped write comes in, then one that is not
        writer.put(None, "article 4", grouped=True)
        writer.put(None, lambda: "alone", grouped=False)

    threading.Timer(0.05, more).start()
    write_next()
    assert groups[1] == ["article 3", "article 4"]
