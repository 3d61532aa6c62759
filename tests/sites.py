"""Sites on the loopback server for the tests of `import` and `update`: article pages,
routes that fail or answer slowly, feeds; and an import run with all it reported (`Run`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler

from clocks import VirtualClock
from httpserver import LoopbackServer
from newsarchive.batch import BatchOptions, BatchReport, ListEntry, import_urls, read_url_list
from newsarchive.outcome import Outcome
from newsarchive.store import Archive

WORDS = (
    "council budget harbour school railway library hospital museum bridge market river "
    "festival station garden theatre"
).split()


def article_page(n: int, *, canonical: str | None = None) -> str:
    """A small but real article page: chrome around an <article> with five paragraphs."""
    title = f"Story {n}: the {WORDS[n % len(WORDS)]} plan moves ahead"
    paragraphs = "".join(
        f"<p>Paragraph {i} of story {n}. Officials said the {WORDS[(n + i) % len(WORDS)]} "
        "project would be reviewed again next month, after residents asked for more details "
        "about costs and the timetable.</p>"
        for i in range(1, 6)
    )
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'{link}<meta property="article:published_time" '
        f'content="2024-03-{n % 28 + 1:02d}T10:00:00+00:00"></head><body><header><nav>'
        '<a href="/">Home</a> <a href="/news">News</a></nav></header>'
        f"<main><article><h1>{title}</h1>{paragraphs}</article></main>"
        "<footer>Example Gazette</footer></body></html>"
    )


# An HTML page with nothing to extract (the failure crosses the process boundary as text).
NO_TEXT = "<!DOCTYPE html><html><head><title></title></head><body><div></div></body></html>"


def add_articles(server: LoopbackServer, count: int, *, start: int = 0) -> list[str]:
    """Serve `count` articles at /news/<n>; return their URLs."""
    urls = []
    for n in range(start, start + count):
        server.add(f"/news/{n}", article_page(n))
        urls.append(server.url(f"/news/{n}"))
    return urls


def entries(urls: Iterable[str]) -> Iterator[ListEntry]:
    return read_url_list(urls, source="list.txt")


class Run:
    """One import, with every result and notice kept."""

    def __init__(
        self,
        archive: Archive,
        urls: Iterable[str],
        *,
        clock: VirtualClock | None = None,
        seed: int | None = None,
        **options: object,
    ) -> None:
        self.results: list[Outcome] = []
        self.notices: list[str] = []
        settings: dict[str, object] = {"jobs": 0, "backoff": 0.01}
        settings.update(options)
        self.report: BatchReport = import_urls(
            entries(urls),
            archive,
            BatchOptions(**settings),  # type: ignore[arg-type]
            on_result=self.results.append,
            on_notice=self.notices.append,
            clock=clock,
            seed=seed,
        )

    def by_status(self, status: str) -> list[Outcome]:
        return [result for result in self.results if result.status == status]

    def result_for(self, url: str) -> Outcome:
        (found,) = [result for result in self.results if result.input == url]
        return found


class Gauge:
    """Route handlers that record how many requests were in progress at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def slow(self, body: str, seconds: float) -> Callable[[BaseHTTPRequestHandler], None]:
        def handle(handler: BaseHTTPRequestHandler) -> None:
            with self.lock:
                self.current += 1
                self.peak = max(self.peak, self.current)
            try:
                time.sleep(seconds)
                data = body.encode("utf-8")
                handler.send_response(200)
                handler.send_header("Content-Type", "text/html; charset=utf-8")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
            finally:
                with self.lock:
                    self.current -= 1

        return handle


def flaky(body: str, failures: list[tuple[int, dict[str, str]]]) -> Callable[..., None]:
    """A route that answers with each (status, headers) of `failures` in turn, then `body`."""
    remaining = list(failures)
    lock = threading.Lock()

    def handle(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            status, headers = remaining.pop(0) if remaining else (200, {})
        data = (body if status == 200 else f"<html><body>HTTP {status}</body></html>").encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    return handle


def rss(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>Story</title><link>{url}</link><pubDate>{date}</pubDate></item>"
        for url, date in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<link>http://example.org/</link>{entries}</channel></rss>"
    )


def slow_site(server: LoopbackServer, count: int, seconds: float) -> list[str]:
    gauge = Gauge()
    urls = []
    for n in range(count):
        server.add_handler(f"/news/{n}", gauge.slow(article_page(n), seconds))
        urls.append(server.url(f"/news/{n}"))
    return urls
