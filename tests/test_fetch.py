"""fetch.py end to end against a real HTTP server on 127.0.0.1, and read_local on real files."""

from __future__ import annotations

import gzip
import socket
import ssl
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import certifi
import httpx
import pytest

from httpserver import PAGES, LoopbackServer, cp1251_article, gzip_bomb, html_page
from newsarchive.errors import (
    ConfigError,
    ContentError,
    HTTPStatusError,
    InvalidURLError,
    NetworkError,
)
from newsarchive.fetch import (
    DEFAULT_USER_AGENT,
    StatusError,
    fetch,
    make_client,
    read_local,
    retry_after,
)
from newsarchive.models import FetchedPage, FetchOptions

MB = 1024 * 1024
ARTICLE = html_page("Bridge opens", "The new bridge opened on Saturday morning.")


def get(url: str, **options: Any) -> FetchedPage:
    opts = FetchOptions(**options)
    with make_client(opts) as client:
        return fetch(url, client=client, options=opts)


def fails(url: str, error: type[Exception], **options: Any) -> Any:
    with pytest.raises(error) as info:
        get(url, **options)
    return info.value


def peak_memory(action: Callable[[], object]) -> int:
    """Peak bytes allocated by Python while `action` runs (it is expected to raise)."""
    tracemalloc.start()
    try:
        action()
    except Exception:  # the caller checks the error separately
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- success ---------------------------------------------------------------------------------


def test_fetch_returns_the_page(server: LoopbackServer) -> None:
    server.add("/story", ARTICLE, headers={"X-Served-By": "loopback"})
    before = datetime.now(UTC)

    page = get(server.url("/story"))

    assert page.url == page.final_url == server.url("/story")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.html == ARTICLE.decode()
    assert page.raw == ARTICLE
    assert page.encoding == "utf-8"
    assert page.fetched_at.tzinfo is not None and page.fetched_at >= before
    assert ("x-served-by", "loopback") in page.headers
    assert page.redirects == ()
    assert page.local_path is None
    assert server.requests == ["/story"]


def test_xhtml_content_type_is_html(server: LoopbackServer) -> None:
    server.add("/x", ARTICLE, content_type="application/xhtml+xml; charset=utf-8")
    assert get(server.url("/x")).content_type == "application/xhtml+xml"


def test_redirect_chain_is_followed_and_recorded(server: LoopbackServer) -> None:
    page = get(server.url("/redirect-chain/3"))

    assert page.url == server.url("/redirect-chain/3")
    assert page.final_url == server.url("/redirect-chain/0")
    assert page.redirects == (
        server.url("/redirect-chain/3"),
        server.url("/redirect-chain/2"),
        server.url("/redirect-chain/1"),
    )
    assert "End of the chain" in page.html
    assert server.requests == [f"/redirect-chain/{n}" for n in (3, 2, 1, 0)]


def test_relative_redirect(server: LoopbackServer) -> None:
    server.add("/story", ARTICLE)
    page = get(server.url("/redirect?to=story"))
    assert page.final_url == server.url("/story")
    assert page.redirects == (server.url("/redirect?to=story"),)


def test_max_redirects_is_allowed(server: LoopbackServer) -> None:
    page = get(server.url("/redirect-chain/3"), max_redirects=3)
    assert len(page.redirects) == 3


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-8", "TEXT/HTML"])
def test_gzip_and_deflate_bodies_are_decoded(server: LoopbackServer, content_type: str) -> None:
    body = ("<html><body>" + "<p>Привет, мир, café</p>\n" * 2000 + "</body></html>").encode()
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    encoded = {
        "/gzip": (gzip.compress(body), "gzip"),
        "/gzip-members": (gzip.compress(body[:1000]) + gzip.compress(body[1000:]), "gzip"),
        "/deflate": (zlib.compress(body), "deflate"),
        "/raw-deflate": (raw_deflate.compress(body) + raw_deflate.flush(), "deflate"),
    }
    for path, (data, coding) in encoded.items():
        server.add(path, data, content_type=content_type, headers={"Content-Encoding": coding})

    for path in encoded:
        page = get(server.url(path))
        assert page.raw == body, path
        assert page.html == body.decode()
    assert server.request_headers[0]["Accept-Encoding"] == "gzip, deflate"


# -- redirects that go wrong -----------------------------------------------------------------


def test_redirect_loop(server: LoopbackServer) -> None:
    a, b = server.url("/redirect-loop"), server.url("/redirect-loop/b")
    err = fails(a, NetworkError)
    assert err.reason == "redirect loop"
    assert err.status is None
    assert str(err) == f"{a}: redirect loop: {a} → {b} → {a}"
    assert server.requests == ["/redirect-loop", "/redirect-loop/b"]


def test_too_many_redirects(server: LoopbackServer) -> None:
    url = server.url("/redirect-chain/4")
    err = fails(url, NetworkError, max_redirects=3)
    assert err.reason == "too many redirects"
    assert str(err) == f"{url}: too many redirects (more than 3)"
    assert len(server.requests) == 4  # the 5th request is never made


def test_redirect_to_another_scheme(server: LoopbackServer) -> None:
    url = server.url("/redirect?to=ftp://files.example/story")
    err = fails(url, NetworkError)
    assert err.reason == "bad redirect"
    assert str(err) == f"{url}: redirect to a non-HTTP URL: ftp://files.example/story"


def test_redirect_without_location(server: LoopbackServer) -> None:
    server.add("/moved", "gone elsewhere", status=301)
    err = fails(server.url("/moved"), NetworkError)
    assert err.reason == "protocol error"
    assert err.status == 301
    assert str(err) == f"{server.url('/moved')}: HTTP 301 redirect without a Location header"


# -- HTTP status errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "line"),
    [
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone"),
        (451, "HTTP 451 Unavailable For Legal Reasons"),
        (500, "HTTP 500 Internal Server Error"),
        (503, "HTTP 503 Service Unavailable"),
    ],
)
def test_http_error_status(server: LoopbackServer, code: int, line: str) -> None:
    url = server.url(f"/status/{code}")
    err = fails(url, HTTPStatusError)
    assert type(err) is StatusError
    assert err.status == code
    assert err.reason == f"HTTP {code}"
    assert err.detail == line
    assert str(err) == f"{url}: {line}"
    assert retry_after(err) is None


def test_429_keeps_retry_after_seconds(server: LoopbackServer) -> None:
    url = server.url("/429?retry-after=120")
    err = fails(url, HTTPStatusError)
    assert err.status == 429
    assert err.reason == "HTTP 429"
    assert str(err) == f"{url}: HTTP 429 Too Many Requests"
    assert retry_after(err) == 120.0


def test_retry_after_as_http_date(server: LoopbackServer) -> None:
    when = datetime.now(UTC) + timedelta(minutes=10)
    server.add("/busy", "busy", status=503, headers={"Retry-After": format_datetime(when, True)})
    err = fails(server.url("/busy"), HTTPStatusError)
    delay = retry_after(err)
    assert delay is not None and 500 < delay <= 600


def test_retry_after_is_none_for_other_errors() -> None:
    assert retry_after(NetworkError("http://x/", "connection refused")) is None


# -- network failures ------------------------------------------------------------------------


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/story"
    err = fails(url, NetworkError)
    assert err.reason == "connection refused"
    assert str(err) == f"{url}: connection refused"


def test_dns_failure_for_a_reserved_name_needs_no_resolver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_lookups(*args: object, **kwargs: object) -> None:
        raise AssertionError("a .invalid name was sent to the resolver")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    err = fails("http://nonexistent.invalid/", NetworkError)
    assert err.reason == "DNS"
    assert str(err) == "http://nonexistent.invalid/: cannot resolve host nonexistent.invalid"


def test_dns_failure_from_the_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown_host(host: str, *args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown_host)
    err = fails("http://news.example.test/a", NetworkError)
    assert err.reason == "DNS"
    assert str(err) == "http://news.example.test/a: cannot resolve host news.example.test"


def test_tls_failure(server: LoopbackServer) -> None:
    # The loopback server speaks plain HTTP, so a TLS handshake with it fails.
    url = f"https://{server.host_port}/story"
    err = fails(url, NetworkError)
    assert err.reason == "TLS"
    assert str(err).startswith(f"{url}: TLS error: ")


def test_read_timeout_before_the_headers(server: LoopbackServer) -> None:
    url = server.url("/slow?delay=30")
    err = fails(url, NetworkError, timeout=0.3)
    assert err.reason == "timeout"
    assert str(err) == f"{url}: timeout: no data for 0.3 s (read)"


def test_read_timeout_in_a_stalled_body(server: LoopbackServer) -> None:
    url = server.url("/slow-body")
    err = fails(url, NetworkError, timeout=0.3)
    assert err.reason == "timeout"
    assert str(err) == f"{url}: timeout: no data for 0.3 s (read)"


def test_total_timeout_stops_a_trickling_server(server: LoopbackServer) -> None:
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        # One byte every 20 ms never trips the read timeout; only the total deadline can.
        while not server.stall(0.02):
            handler.wfile.write(b" ")

    server.add_handler("/trickle", trickle)
    url = server.url("/trickle")
    err = fails(url, NetworkError, timeout=0.5)
    assert err.reason == "timeout"
    assert str(err) == f"{url}: timeout: the download took longer than 0.5 s (total)"


def test_connect_timeout_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # A loopback port cannot be made to ignore a connection attempt, so this one mapping is
    # checked with a transport that raises what httpx raises on a connect timeout (and no
    # proxy from the environment, which would take the request from it).
    for name in ("HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    options = FetchOptions(timeout=2)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(NetworkError) as info:
            fetch("http://slow.example/a", client=client, options=options)
    assert info.value.reason == "timeout"
    assert str(info.value) == "http://slow.example/a: timeout: no connection after 2 s (connect)"


def test_truncated_body(server: LoopbackServer) -> None:
    url = server.url("/truncated")
    err = fails(url, NetworkError)
    assert err.reason == "truncated"
    assert str(err).startswith(f"{url}: response truncated: ")


def test_truncated_gzip_body(server: LoopbackServer) -> None:
    body = gzip.compress(ARTICLE * 50)
    server.add("/cut", body[: len(body) // 2], headers={"Content-Encoding": "gzip"})
    err = fails(server.url("/cut"), NetworkError)
    assert err.reason == "truncated"
    assert str(err) == f"{server.url('/cut')}: invalid gzip body (the compressed data ends early)"


def test_unsupported_content_encoding(server: LoopbackServer) -> None:
    server.add("/br", b"\x1b\x00\x00", headers={"Content-Encoding": "br"})
    err = fails(server.url("/br"), NetworkError)
    assert err.reason == "protocol error"
    assert str(err) == f"{server.url('/br')}: unsupported Content-Encoding: br"


def test_not_an_http_url() -> None:
    with pytest.raises(InvalidURLError) as info:
        get("ftp://files.example/story.html")
    assert str(info.value) == "ftp://files.example/story.html: not an http(s) URL"


# -- size limits -----------------------------------------------------------------------------


def test_huge_streamed_body_stops_at_the_limit(server: LoopbackServer) -> None:
    url = server.url("/huge?mb=200")
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            get(url, max_bytes=2 * MB)
        except ContentError as exc:
            errors.append(exc)

    peak = peak_memory(attempt)

    (err,) = errors
    assert isinstance(err, ContentError)
    assert err.reason == "too large"
    assert str(err) == f"{url}: response is over the 2 MB limit"
    assert peak < 8 * MB  # the 200 MB body was never held


def test_huge_declared_length_is_refused_before_reading(server: LoopbackServer) -> None:
    url = server.url("/huge-declared")
    err = fails(url, ContentError)
    assert err.reason == "too large"
    assert err.status == 200
    assert str(err) == f"{url}: response is 1.0 GB, over the 20 MB limit"


def test_gzip_bomb_is_stopped_early(server: LoopbackServer) -> None:
    gzip_bomb()  # build the server's 1 MB body before measuring memory
    url = server.url("/gzip-bomb")
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            get(url, max_bytes=4 * MB)
        except ContentError as exc:
            errors.append(exc)

    peak = peak_memory(attempt)

    (err,) = errors
    assert isinstance(err, ContentError)
    assert err.reason == "compression bomb"
    assert str(err).startswith(f"{url}: compression bomb: ")
    assert str(err).endswith(" of gzip data inflates to more than the 4 MB limit")
    # Inflating even one 64 KB network chunk of this body at once would take 64 MB.
    assert peak < 12 * MB


# -- content that is not a page --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/pdf", "application/pdf"), ("/image", "image/png"), ("/json", "application/json")],
)
def test_non_html_is_refused(server: LoopbackServer, path: str, media_type: str) -> None:
    url = server.url(path)
    err = fails(url, ContentError)
    assert err.reason == "not HTML"
    assert err.status == 200
    assert str(err) == f"{url}: not an HTML page ({media_type})"


def test_missing_content_type_is_sniffed_as_html(server: LoopbackServer) -> None:
    page = get(server.url("/no-content-type"))
    assert page.content_type == "text/html"
    assert "<h1>No content type</h1>" in page.html


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b'{"headline": "not a page"}', "application/json"),
        (b"Just some plain text, no markup at all.", "text/plain"),
    ],
)
def test_missing_content_type_non_html_is_refused(
    server: LoopbackServer, body: bytes, media_type: str
) -> None:
    server.add("/blob", body, content_type=None)
    err = fails(server.url("/blob"), ContentError)
    assert err.reason == "not HTML"
    assert str(err) == (
        f"{server.url('/blob')}: not an HTML page (no Content-Type; the body looks like "
        f"{media_type})"
    )


def test_empty_page(server: LoopbackServer) -> None:
    url = server.url("/empty")
    err = fails(url, ContentError)
    assert err.reason == "empty page"
    assert err.status == 200
    assert str(err) == f"{url}: empty page"


# -- character sets --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/cp1251", "/cp1251-undeclared", "/cp1251-wrong"])
def test_windows_1251_comes_out_as_cyrillic(server: LoopbackServer, path: str) -> None:
    page = get(server.url(path))
    assert page.encoding == "cp1251"
    assert "В Новосибирске открыли новый мост через Обь" in page.html
    assert "Анна Соколова" in page.html
    assert "Ð" not in page.html and "\ufffd" not in page.html  # no mojibake, no replacements
    assert page.raw == cp1251_article()


def test_latin1_declared_in_meta(server: LoopbackServer) -> None:
    page = get(server.url("/latin1"))
    assert page.encoding == "cp1252"  # the WHATWG decoder for the iso-8859-1 label
    assert "Fête de la musique" in page.html
    assert "Straßenbahn" in page.html and "Hélène Müller" in page.html


# -- request headers: User-Agent, cookies, proxy ---------------------------------------------


def test_default_user_agent_is_sent(server: LoopbackServer) -> None:
    server.add("/story", ARTICLE)
    get(server.url("/story"))
    assert server.request_headers[0]["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("newsarchive/")


def test_custom_user_agent_is_sent_on_every_hop(server: LoopbackServer) -> None:
    get(server.url("/redirect-chain/1"), user_agent="Mozilla/5.0 (compatible; test)")
    agents = [headers["User-Agent"] for headers in server.request_headers]
    assert agents == ["Mozilla/5.0 (compatible; test)"] * 2


def test_cookies_txt_cookie_goes_to_its_host_only(server: LoopbackServer, tmp_path: Path) -> None:
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        "# Netscape HTTP Cookie File\n"
        "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123\n"  # 0: a session cookie
        "127.0.0.1\tFALSE\t/\tFALSE\t1000000000\tstale\texpired-in-2001\n"
        ".other.example\tTRUE\t/\tFALSE\t0\tforeign\tnope\n",
        encoding="utf-8",
    )
    server.add("/story", ARTICLE)

    get(server.url("/story"), cookies=str(cookies))
    get(f"http://localhost:{server.port}/story", cookies=str(cookies))

    assert server.request_headers[0].get("Cookie") == "session=abc123"
    assert "Cookie" not in server.request_headers[1]  # localhost is another host


def test_missing_cookies_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    with pytest.raises(ConfigError) as info:
        make_client(FetchOptions(cookies=str(path)))
    assert str(info.value) == f"{path}: cannot read cookies file: No such file or directory"


def test_malformed_cookies_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "cookies.json"
    path.write_text('{"session": "abc"}', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        make_client(FetchOptions(cookies=str(path)))
    assert str(info.value) == f"{path}: not a valid Netscape cookies.txt file"


def test_proxy_option(server: LoopbackServer) -> None:
    # The loopback server stands in for the proxy: it receives the absolute URL.
    server.add("/story", ARTICLE)
    page = get("http://news.example/story", proxy=server.url("/"))
    assert page.html == ARTICLE.decode()
    assert server.requests == ["http://news.example/story"]


def test_proxy_from_environment(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.url("/"))
    server.add("/story", ARTICLE)
    get("http://news.example/story")
    assert server.requests == ["http://news.example/story"]


def test_invalid_proxy_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="invalid proxy URL 'socks9://x'"):
        make_client(FetchOptions(proxy="socks9://x"))


# -- local files -----------------------------------------------------------------------------


def test_read_local_html(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_bytes(ARTICLE)

    page = read_local(path)

    assert page.url == page.final_url == ""
    assert page.status is None
    assert page.content_type == "text/html"
    assert page.html == ARTICLE.decode()
    assert page.raw == ARTICLE
    assert page.local_path == str(path.resolve())
    assert page.fetched_at.tzinfo is not None


def test_read_local_with_url_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "story.html.gz"
    path.write_bytes(gzip.compress(ARTICLE))

    page = read_local(path, url="https://news.example/story")

    assert page.url == page.final_url == "https://news.example/story"
    assert page.html == ARTICLE.decode()
    assert page.content_type == "text/html"


def test_read_local_xhtml(tmp_path: Path) -> None:
    path = tmp_path / "story.xhtml"
    path.write_bytes(ARTICLE)
    assert read_local(path).content_type == "application/xhtml+xml"


def test_read_local_gzip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip_bomb())
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            read_local(path, max_bytes=4 * MB)
        except ContentError as exc:
            errors.append(exc)

    peak = peak_memory(attempt)

    (err,) = errors
    assert isinstance(err, ContentError)
    assert err.reason == "compression bomb"
    assert str(err).startswith(f"{path}: compression bomb: ")
    assert peak < 12 * MB


def test_read_local_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.html"
    with pytest.raises(ContentError) as info:
        read_local(path)
    assert info.value.reason == "file not found"
    assert str(info.value) == f"{path}: no such file"


def test_read_local_cp1251(tmp_path: Path) -> None:
    path = tmp_path / "ru.html"
    path.write_bytes(cp1251_article())
    page = read_local(path)
    assert page.encoding == "cp1251"
    assert "В Новосибирске открыли новый мост через Обь" in page.html


def test_read_local_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_bytes(ARTICLE * 100)
    with pytest.raises(ContentError) as info:
        read_local(path, max_bytes=1024)
    assert info.value.reason == "too large"
    assert str(info.value).endswith(", over the 1 KB limit")


def test_read_local_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "story.html.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00not really gzip at all")
    with pytest.raises(ContentError) as info:
        read_local(path)
    assert info.value.reason == "bad gzip"
    assert str(info.value).startswith(f"{path}: not a valid gzip file (")


def test_read_local_empty_and_non_html(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"  \n")
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(ContentError, match="empty page") as info:
        read_local(empty)
    assert info.value.reason == "empty page"
    with pytest.raises(ContentError) as info:
        read_local(pdf)
    assert info.value.reason == "not HTML"
    assert str(info.value) == f"{pdf}: not an HTML file (looks like application/pdf)"


def test_fixture_pages_are_utf8_sources() -> None:
    # The charset fixtures are stored as UTF-8 and re-encoded by the server at serve time.
    for name in ("charset-ru.html", "charset-latin1.html"):
        page = read_local(PAGES / name)
        assert page.encoding == "utf-8"


class _KeepAliveServer:
    """An HTTP/1.1 server on 127.0.0.1 that keeps connections open and notes, for each
    request, the client port it came from, and each connection the client closed."""

    def __init__(self) -> None:
        import http.server
        import threading

        record = self
        self.ports: list[int] = []
        self.closed: list[int] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                record.ports.append(self.client_address[1])
                body = html_page("Kept alive", "One connection for several requests.")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def finish(self) -> None:
                super().finish()
                record.closed.append(self.client_address[1])

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _wait_for(condition: Callable[[], bool]) -> None:
    import time

    for _ in range(100):
        if condition():
            return
        time.sleep(0.02)


def test_each_site_keeps_its_own_connections_and_the_oldest_idle_site_is_closed() -> None:
    sites = [_KeepAliveServer() for _ in range(3)]
    options = FetchOptions()
    try:
        with make_client(options, keepalive=2) as client:
            # Two requests at once to each of two sites: two connections each, all kept.
            streams = [client.stream("GET", site.url(f"/{p}")) for site in sites[:2] for p in "ab"]
            responses = [stream.__enter__() for stream in streams]
            for stream, response in zip(streams, responses, strict=True):
                response.read()
                stream.__exit__(None, None, None)
            for site in sites[:2]:
                for path in ("/c", "/d"):
                    fetch(site.url(path), client=client, options=options)
            assert [len(set(site.ports)) for site in sites[:2]] == [2, 2]
            assert [len(site.ports) for site in sites[:2]] == [4, 4]
            assert sites[0].closed == [] and sites[1].closed == []
            # A third site: the pool of the site asked longest ago is closed.
            fetch(sites[2].url("/a"), client=client, options=options)
            _wait_for(lambda: len(sites[0].closed) == 2)
            assert sorted(sites[0].closed) == sorted(set(sites[0].ports))
            assert sites[1].closed == []
            # Asked again, it gets a new connection.
            fetch(sites[0].url("/e"), client=client, options=options)
            assert sites[0].ports[-1] not in sites[0].ports[:-1]
    finally:
        for site in sites:
            site.stop()


def _tls_of(client: httpx.Client) -> ssl.SSLContext:
    """The TLS context a site's connection pool of `client` gets."""
    transport = client._transport._make()  # type: ignore[attr-defined]  # a _PoolPerSite
    context: ssl.SSLContext = transport._pool._ssl_context
    transport.close()
    return context


def test_clients_that_trust_the_same_certificates_share_one_tls_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the CA certificates costs CPU: an import's clients share one context, and a
    client made under another SSL_CERT_FILE, or that does not verify, gets its own."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    clients = [make_client(FetchOptions()) for _ in range(3)]
    insecure = make_client(FetchOptions(verify=False))
    try:
        first, second, third = (_tls_of(client) for client in clients)
        assert first is second is third
        assert first.verify_mode == ssl.CERT_REQUIRED
        assert _tls_of(insecure) is not first
        assert _tls_of(insecure).verify_mode == ssl.CERT_NONE
        monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
        other = make_client(FetchOptions())
        clients.append(other)
        assert _tls_of(other) is not first
    finally:
        for client in [*clients, insecure]:
            client.close()
