"""A real HTTP server on 127.0.0.1 for tests: static routes plus a set of misbehaving ones.

Everything that fetches is tested end to end against this server, never against the internet.
It speaks HTTP/1.0 (one request per connection, the connection closes after each response), so
close-delimited bodies, truncated bodies and stalled bodies behave exactly as on the wire.

    with LoopbackServer() as server:
        server.add("/a", "<html>...</html>")
        httpx.get(server.url("/a"))
        assert server.requests == ["/a"]

`FakeWayback(server)` adds the Wayback Machine's endpoints (availability API, replay of a
capture's original bytes, Save Page Now) to a server, with the captures a test gives it.

`LoopbackProxy` is the same server as a forward proxy that answers for every host itself, so
that pages naming other hosts (a CDN's pictures) are served offline: routes are added by
absolute URL, plain http:// requests arrive in absolute form, and https:// ones through
CONNECT, with a certificate for each host from a test certificate authority (`ca_file`, to
trust through SSL_CERT_FILE):

    with LoopbackProxy() as proxy:
        proxy.add("https://cdn.example.org/a.jpg", jpeg, content_type="image/jpeg")
        httpx.get("https://cdn.example.org/a.jpg", proxy=proxy.url(), verify=proxy.ssl_context())

Built-in routes (a route added with `add`/`add_handler`/`add_prefix` takes precedence):

    /redirect?to=PATH         302 to PATH (default "/")
    /redirect-chain/N         N hops of 302 (N, N-1, ... 1), then a 200 page at /redirect-chain/0
    /redirect-loop            302 to /redirect-loop/b, which redirects back
    /status/CODE              any status with a small HTML body
    /429?retry-after=VALUE    429 with "Retry-After: VALUE" (seconds or an HTTP date)
    /slow?delay=SECONDS       waits, then answers with a page
    /slow-body                sends the headers and part of the body, then stalls
    /truncated                declares a longer Content-Length than it sends, then closes
    /huge?mb=N                streams N MB of HTML without Content-Length
    /huge-declared            declares Content-Length: 1 GiB, sends a little, then closes
    /gzip-bomb                Content-Encoding: gzip, ~1 MB that inflates to 1 GiB
    /pdf /image /json         non-HTML bodies with their content types
    /no-content-type          an HTML page without a Content-Type header
    /empty                    200 with an empty body
    /cp1251                   a Russian article in windows-1251, declared in the header
    /cp1251-undeclared        the same bytes as "text/html" with no charset anywhere
    /cp1251-wrong             the same bytes, but the header says iso-8859-1
    /latin1                   French/German text in ISO-8859-1, declared only in <meta charset>

Hostile routes (what a server out to harm its client sends):

    /trickle-headers?every=S  a status line, then a header one byte every S seconds (0.2),
                              each byte well inside any read timeout, never ending
    /gzip-members?n=N         an article as N gzip members, one per paragraph (RFC 1952
                              allows any number; some servers send them)
    /gzip-two-members         an article whose first gzip member inflates to over 256 KB
    /escapes                  an article whose title and text hold terminal escapes: colour
                              (ESC [), window title and clipboard (OSC 0 and OSC 52), BEL
    /html-labelled/pdf|png|json  those bodies, labelled Content-Type: text/html
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import ssl
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PAGES = Path(__file__).parent / "fixtures" / "pages"

Handler = Callable[[BaseHTTPRequestHandler], None]

GZIP_BOMB_SIZE = 1 << 30  # inflated size of /gzip-bomb
HUGE_DECLARED_SIZE = 1 << 30  # Content-Length claimed by /huge-declared
_CHUNK = 64 * 1024

# Longest a stalled route waits; stop() releases it at once, so this only bounds a leak.
_MAX_STALL = 60.0


def html_page(title: str, text: str = "") -> bytes:
    """A minimal valid HTML page, UTF-8 encoded."""
    body = text or f"This is the page {title}."
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        f"{title}</title></head>\n<body><h1>{title}</h1><p>{body}</p></body></html>\n"
    ).encode()


def fixture_text(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@functools.cache
def cp1251_article() -> bytes:
    """The Russian fixture article encoded as windows-1251 (stored as UTF-8 in the repo)."""
    return fixture_text("charset-ru.html").encode("cp1251")


@functools.cache
def latin1_article() -> bytes:
    return fixture_text("charset-latin1.html").encode("iso-8859-1")


@functools.cache
def gzip_bomb() -> bytes:
    """A gzip body of about 1 MB that inflates to GZIP_BOMB_SIZE bytes of HTML.

    Compressing 1 GiB takes seconds, so compress 1 MiB of spaces once and repeat that deflate
    block: after a Z_FULL_FLUSH the compressor forgets its history, so every block is identical
    and self-contained. Built once per test session.
    """
    prefix = b"<!DOCTYPE html><html><head><title>bomb</title></head><body>"
    block_in = b" " * (1 << 20)
    count = (GZIP_BOMB_SIZE - len(prefix)) // len(block_in)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(block_in) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(block_in, crc)
    size = len(prefix) + count * len(block_in)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, no mtime
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + head + block * count + tail + trailer


def _query(handler: BaseHTTPRequestHandler, name: str, default: str) -> str:
    values = parse_qs(urlsplit(handler.path).query).get(name)
    return values[0] if values else default


class _Route:
    """A static response."""

    def __init__(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(self.status)
        names = {name.lower() for name, _ in self.headers}
        for name, value in self.headers:
            handler.send_header(name, value)
        if "content-length" not in names:
            handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests stay quiet

    def handle(self) -> None:
        # A client that hangs up mid-response (timeouts, size limits) is a normal event here.
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.server.owner._record_aborted(self.path if hasattr(self, "path") else "")
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except (ConnectionError, TimeoutError, ssl.SSLError):
            pass
        if self.tunnel is not None:  # the TLS socket took the connection over: close it here
            self.connection.close()

    tunnel: str | None = None  # "https://host" inside a proxy's CONNECT tunnel

    def do_GET(self) -> None:
        owner = self.server.owner
        if self.tunnel is not None:
            self.path = f"{self.tunnel}{self.path}"
        owner._record(self.path, dict(self.headers.items()))
        owner._dispatch(self)

    def do_CONNECT(self) -> None:
        """A proxy's tunnel to host:443: TLS as that host, then one request inside."""
        owner = self.server.owner
        host = self.path.rsplit(":", 1)[0]
        context = owner._tls_for(host)
        if context is None:
            self.send_error(405, "not a proxy")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb", buffering=0)
        self.tunnel = f"https://{host}"
        self.handle_one_request()
        self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Keep handler bugs off stderr but on record, so a test that expects none can check.
        self.owner.errors.append(sys.exc_info()[1])


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with a free port, for one test."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self.first_asked: dict[str, float] = {}  # target: time.monotonic() of its first request
        # Requests whose response could not be sent in full because the client hung up.
        self.aborted: list[str] = []
        self.errors: list[BaseException | None] = []
        self._lock = threading.Lock()
        self._routes: dict[str, Handler] = {}
        self._prefixes: dict[str, Handler] = {}
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LoopbackServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _RequestHandler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # release handlers that are stalling on purpose
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{self.host_port}{path}"

    # -- routes ------------------------------------------------------------------------------

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Serve a fixed response at `path` (matched with its query string first, then without).

        `content_type=None` sends no Content-Type header. `headers` are sent as given; a
        Content-Length among them replaces the real one.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        head: list[tuple[str, str]] = []
        if content_type is not None:
            head.append(("Content-Type", content_type))
        head.extend((headers or {}).items())
        self.add_handler(path, _Route(status, data, head))

    def add_handler(self, path: str, fn: Handler) -> None:
        """Answer requests for `path` with `fn(handler)`, which writes the whole response."""
        with self._lock:
            self._routes[path] = fn

    def add_prefix(self, prefix: str, fn: Handler) -> None:
        """Answer every request whose path starts with `prefix` (and has no route of its own)
        with `fn(handler)`; the longest matching prefix wins."""
        with self._lock:
            self._prefixes[prefix] = fn

    def stall(self, seconds: float = _MAX_STALL) -> bool:
        """Wait in a handler until `seconds` pass or the server stops; True if it is stopping."""
        return self._stopping.wait(seconds)

    # -- internals ---------------------------------------------------------------------------

    def _tls_for(self, host: str) -> ssl.SSLContext | None:
        """The TLS context to answer as `host` in a tunnel (a proxy has one)."""
        return None

    def _record(self, target: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(target)
            self.request_headers.append(headers)
            self.first_asked.setdefault(target, time.monotonic())

    def _record_aborted(self, target: str) -> None:
        with self._lock:
            self.aborted.append(target)

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        target = handler.path
        path = urlsplit(target).path
        with self._lock:
            fn = self._routes.get(target) or self._routes.get(path)
            if fn is None:
                matching = [prefix for prefix in self._prefixes if path.startswith(prefix)]
                if matching:
                    fn = self._prefixes[max(matching, key=len)]
        if fn is None:
            fn = self._builtin(path)
        fn(handler)

    def _builtin(self, path: str) -> Handler:
        exact: dict[str, Handler] = {
            "/redirect": self._redirect,
            "/redirect-loop": functools.partial(_send_redirect, location="/redirect-loop/b"),
            "/redirect-loop/b": functools.partial(_send_redirect, location="/redirect-loop"),
            "/429": _too_many_requests,
            "/slow": self._slow,
            "/slow-body": self._slow_body,
            "/truncated": _truncated,
            "/huge": _huge,
            "/huge-declared": _huge_declared,
            "/gzip-bomb": _gzip_bomb,
            "/pdf": _Route(200, _PDF, [("Content-Type", "application/pdf")]),
            "/image": _Route(200, _PNG, [("Content-Type", "image/png")]),
            "/json": _Route(
                200, b'{"title": "not a page"}', [("Content-Type", "application/json")]
            ),
            "/no-content-type": _Route(200, html_page("No content type"), []),
            "/empty": _Route(200, b"", [("Content-Type", "text/html; charset=utf-8")]),
            "/cp1251": _lazy_route(cp1251_article, "text/html; charset=windows-1251"),
            "/cp1251-undeclared": _lazy_route(cp1251_article, "text/html"),
            "/cp1251-wrong": _lazy_route(cp1251_article, "text/html; charset=iso-8859-1"),
            "/latin1": _lazy_route(latin1_article, "text/html"),
        }
        exact.update(
            {
                "/trickle-headers": self._trickle_headers,
                "/gzip-members": _gzip_members,
                "/gzip-two-members": _lazy_gzip(lambda: two_member_article()),
                "/escapes": _lazy_route(escapes_article, "text/html; charset=utf-8"),
                "/html-labelled/pdf": _Route(200, _PDF, [("Content-Type", "text/html")]),
                "/html-labelled/png": _Route(200, _PNG, [("Content-Type", "text/html")]),
                "/html-labelled/json": _Route(
                    200, b'{"title": "not a page", "items": []}', [("Content-Type", "text/html")]
                ),
            }
        )
        if path in exact:
            return exact[path]
        head, _, tail = path.rpartition("/")
        if head == "/redirect-chain" and tail.isdigit():
            return functools.partial(_redirect_chain, hops=int(tail))
        if head == "/status" and tail.isdigit():
            return functools.partial(_status, code=int(tail))
        return functools.partial(_status, code=404)

    def _redirect(self, handler: BaseHTTPRequestHandler) -> None:
        _send_redirect(handler, location=_query(handler, "to", "/"))

    def _slow(self, handler: BaseHTTPRequestHandler) -> None:
        self.stall(float(_query(handler, "delay", "5")))
        _Route(200, html_page("Slow"), [("Content-Type", "text/html; charset=utf-8")])(handler)

    def _trickle_headers(self, handler: BaseHTTPRequestHandler) -> None:
        every = float(_query(handler, "every", "0.2"))
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nX-Trickle: ")
        handler.wfile.flush()
        while not self.stall(every):
            handler.wfile.write(b"a")
            handler.wfile.flush()
        handler.close_connection = True

    def _slow_body(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.wfile.write(b"<!DOCTYPE html><html><head><title>Stalled</title></head><body>")
        handler.wfile.flush()
        self.stall(float(_query(handler, "delay", str(_MAX_STALL))))


def article_html(title: str, paragraphs: list[str]) -> bytes:
    """An article page: a headline and paragraphs inside <article>."""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body><article><h1>{title}</h1>\n{body}"
        "</article></body></html>\n"
    ).encode()


ARTICLE_PARAGRAPHS = [
    f"Paragraph {n} of the report says what the council decided about the harbour, the "
    "ferries and the money, and what the mayor answered when she was asked about it."
    for n in range(1, 13)
]


def gzip_members(parts: list[bytes]) -> bytes:
    return b"".join(gzip.compress(part, mtime=0) for part in parts)


@functools.cache
def two_member_article() -> bytes:
    """An article as two gzip members; the first inflates to over 256 KB (a comment of
    filler keeps it an ordinary page)."""
    page = article_html("Two members", ARTICLE_PARAGRAPHS)
    head, tail = page.split(b"<p>Paragraph 7", 1)
    filler = b"<!-- " + b"filler " * 40_000 + b"-->\n"
    return gzip_members([head + filler, b"<p>Paragraph 7" + tail])


def _gzip_members(handler: BaseHTTPRequestHandler) -> None:
    count = int(_query(handler, "n", "1000"))
    paragraphs = [ARTICLE_PARAGRAPHS[n % len(ARTICLE_PARAGRAPHS)] for n in range(count)]
    page = article_html("Many members", paragraphs)
    cut = page.index(b"<p>")
    parts = [page[:cut], *(f"<p>{p}</p>\n".encode() for p in paragraphs)]
    parts.append(b"</article></body></html>\n")
    _Route(
        200,
        gzip_members(parts),
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
    )(handler)


def _lazy_gzip(body: Callable[[], bytes]) -> Handler:
    def send(handler: BaseHTTPRequestHandler) -> None:
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
        _Route(200, body(), headers)(handler)

    return send


ESCAPES = "\x1b[31mRED\x1b[0m \x1b]0;owned\x07 \x1b]52;c;ZWNobyBvd25lZA==\x07\x07"


@functools.cache
def escapes_article() -> bytes:
    """An article whose title and first paragraph carry terminal escape sequences."""
    title = f"Harbour council {ESCAPES}votes"
    return article_html(title, [f"{ARTICLE_PARAGRAPHS[0]} {ESCAPES}", *ARTICLE_PARAGRAPHS[1:]])


_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


class LoopbackProxy(LoopbackServer):
    """A LoopbackServer that is also a forward proxy answering for every host (module
    docstring). Routes are absolute URLs; the built-in routes answer on every host."""

    def __init__(self) -> None:
        super().__init__()
        self._contexts: dict[str, ssl.SSLContext] = {}

    @property
    def ca_file(self) -> str:
        """The PEM file of the certificate authority that signs every host's certificate."""
        return _authority()[1]

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the proxy's certificates."""
        return ssl.create_default_context(cafile=self.ca_file)

    def _tls_for(self, host: str) -> ssl.SSLContext | None:
        with self._lock:
            context = self._contexts.get(host)
            if context is None:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                _authority()[0].issue_cert(host).configure_cert(context)
                self._contexts[host] = context
            return context


@functools.cache
def _authority() -> tuple[Any, str]:
    """A certificate authority for the whole test session, and its certificate's PEM file."""
    import atexit
    import os
    import tempfile

    import trustme

    authority = trustme.CA()
    handle, name = tempfile.mkstemp(prefix="newsarchive-test-ca-", suffix=".pem")
    with open(handle, "wb") as file:
        file.write(authority.cert_pem.bytes())
    atexit.register(os.unlink, name)
    return authority, name


# A 1x1 transparent PNG.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def _lazy_route(body: Callable[[], bytes], content_type: str) -> Handler:
    def send(handler: BaseHTTPRequestHandler) -> None:
        _Route(200, body(), [("Content-Type", content_type)])(handler)

    return send


def _send_redirect(handler: BaseHTTPRequestHandler, *, location: str, code: int = 302) -> None:
    body = html_page("Moved", f'Moved to <a href="{location}">{location}</a>.')
    headers = [("Location", location), ("Content-Type", "text/html; charset=utf-8")]
    _Route(code, body, headers)(handler)


def _redirect_chain(handler: BaseHTTPRequestHandler, *, hops: int) -> None:
    if hops > 0:
        _send_redirect(handler, location=f"/redirect-chain/{hops - 1}")
    else:
        body = html_page("End of the chain")
        _Route(200, body, [("Content-Type", "text/html; charset=utf-8")])(handler)


def _status(handler: BaseHTTPRequestHandler, *, code: int) -> None:
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = ""
    body = b"" if code in (204, 304) or code < 200 else html_page(f"{code} {phrase}".strip())
    _Route(code, body, [("Content-Type", "text/html; charset=utf-8")])(handler)


def _too_many_requests(handler: BaseHTTPRequestHandler) -> None:
    value = _query(handler, "retry-after", "120")
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Retry-After", value)]
    _Route(429, html_page("429 Too Many Requests"), headers)(handler)


def _truncated(handler: BaseHTTPRequestHandler) -> None:
    body = html_page("Truncated", "This body is cut short " * 10)
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body) + 10_000))
    handler.end_headers()
    handler.wfile.write(body)
    handler.close_connection = True


def _huge(handler: BaseHTTPRequestHandler) -> None:
    megabytes = float(_query(handler, "mb", "100"))
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()  # no Content-Length: the body ends when the connection closes
    handler.wfile.write(b"<!DOCTYPE html><html><head><title>Huge</title></head><body>\n")
    line = b"<p>" + b"All work and no play makes a very long page. " * 20 + b"</p>\n"
    chunk = line * (_CHUNK // len(line))
    remaining = int(megabytes * (1 << 20))
    while remaining > 0:
        handler.wfile.write(chunk[:remaining])
        remaining -= len(chunk)
    handler.wfile.write(b"</body></html>\n")


def _huge_declared(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(HUGE_DECLARED_SIZE))
    handler.end_headers()
    handler.wfile.write(html_page("Huge declared"))
    handler.close_connection = True


def _gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    body = gzip_bomb()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    view = memoryview(body)
    for start in range(0, len(body), _CHUNK):
        handler.wfile.write(view[start : start + _CHUNK])


# ---------------------------------------------------------------------------------------------
# A fake Wayback Machine


@dataclass
class Capture:
    """One capture held by FakeWayback."""

    timestamp: str  # 14 digits
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None  # for a captured redirect: the original URL it pointed to


TOOLBAR = b"<!-- BEGIN WAYBACK TOOLBAR INSERT -->"
_REPLAY = re.compile(r"^/web/(\d{1,14})(id_)?/(.+)$", re.DOTALL)


class FakeWayback:
    """The Wayback Machine's endpoints that newsarchive uses, on a LoopbackServer:

        /wayback/available?url=URL[&timestamp=TS]  JSON naming the closest capture, like the
                                                   real API (whose "url" says web.archive.org)
        /web/TSid_/URL    the capture's bytes, after a 302 to the exact capture time when TS
                          is not one; without "id_", the same with a toolbar inserted
        /save/URL         Save Page Now, answering as `save_mode` says

    URLs are matched without their scheme, as the archive does.
    """

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.captures: dict[str, list[Capture]] = {}
        self.available_body: bytes | None = None  # replaces the availability answer
        self.available_status = 200
        self.save_mode = "redirect"  # redirect, content-location, link, 429, 502, error, none
        self.saved: list[str] = []
        self.delay = 0.0  # seconds each answer waits, so that overlapping requests overlap
        self.most_in_flight = 0  # the most requests it held unanswered at once
        self._in_flight = 0
        self._lock = threading.Lock()
        server.add_prefix("/wayback/available", self._counted(self._available))
        server.add_prefix("/web/", self._counted(self._replay))
        server.add_prefix("/save/", self._counted(self._save))

    @property
    def base(self) -> str:
        return f"http://{self.server.host_port}"

    def add(
        self,
        url: str,
        body: bytes | str,
        *,
        timestamp: str = "20210914123456",
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        location: str | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        capture = Capture(timestamp, data, status, content_type, location)
        self.captures.setdefault(_key(url), []).append(capture)

    def lookups(self) -> list[str]:
        return [r for r in self.server.requests if r.startswith("/wayback/available")]

    def replays(self) -> list[str]:
        return [r for r in self.server.requests if r.startswith("/web/")]

    # -- endpoints ---------------------------------------------------------------------------

    def _counted(self, fn: Handler) -> Handler:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            # A request counts from its arrival until just before its answer is sent. Counting
            # until the handler returns would overlap the client's next request: once the last
            # byte is out, the client may send that request, and another thread of this server
            # takes it while this one is still on its way out.
            with self._lock:
                self._in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self._in_flight)
            try:
                if self.delay:
                    self.server.stall(self.delay)
            finally:
                with self._lock:
                    self._in_flight -= 1
            fn(handler)

        return answer

    def _closest(self, url: str, timestamp: str | None) -> Capture | None:
        captures = self.captures.get(_key(url))
        if not captures:
            return None
        if not timestamp:
            return max(captures, key=lambda c: c.timestamp)
        wanted = _moment(timestamp)
        return min(captures, key=lambda c: abs((_moment(c.timestamp) - wanted).total_seconds()))

    def _available(self, handler: BaseHTTPRequestHandler) -> None:
        if self.available_body is not None:
            body = self.available_body
        else:
            url = _query(handler, "url", "")
            capture = self._closest(url, _query(handler, "timestamp", "") or None)
            snapshots: dict[str, Any] = {}
            if capture is not None:
                snapshots["closest"] = {
                    "status": str(capture.status),
                    "available": True,
                    "url": f"http://web.archive.org/web/{capture.timestamp}/{url}",
                    "timestamp": capture.timestamp,
                }
            body = json.dumps({"url": url, "archived_snapshots": snapshots}).encode()
        _Route(self.available_status, body, [("Content-Type", "application/json")])(handler)

    def _replay(self, handler: BaseHTTPRequestHandler) -> None:
        match = _REPLAY.match(handler.path)
        capture = None if match is None else self._closest(match.group(3), match.group(1))
        if match is None or capture is None:
            page = html_page("Wayback Machine", "The Wayback Machine has not archived that URL.")
            _Route(404, page, [("Content-Type", "text/html; charset=utf-8")])(handler)
            return
        stamp, raw, url = match.groups()
        flag = raw or ""
        if capture.timestamp != stamp:
            _send_redirect(handler, location=f"/web/{capture.timestamp}{flag}/{url}")
            return
        if capture.location is not None:
            _send_redirect(handler, location=f"/web/{stamp}{flag}/{capture.location}")
            return
        body = capture.body if raw else capture.body.replace(b"<body>", b"<body>" + TOOLBAR, 1)
        headers = [
            ("Content-Type", capture.content_type),
            ("Memento-Datetime", _moment(stamp).strftime("%a, %d %b %Y %H:%M:%S GMT")),
            ("Link", f'<{url}>; rel="original"'),
        ]
        _Route(capture.status, body, headers)(handler)

    def _save(self, handler: BaseHTTPRequestHandler) -> None:
        url = unquote(handler.path.removeprefix("/save/"))
        self.saved.append(url)
        stamp = "20261123120000"
        address = f"/web/{stamp}/{url}"
        mode = self.save_mode
        page = html_page("Saved", f"Saved {url}")
        html = [("Content-Type", "text/html; charset=utf-8")]
        if mode == "redirect":
            _send_redirect(handler, location=address)
        elif mode == "content-location":
            _Route(200, page, [*html, ("Content-Location", address)])(handler)
        elif mode == "link":
            link = (
                f'<{url}>; rel="original", <{self.base}/web/20200101000000/{url}>; rel="memento", '
                f'<{self.base}{address}>; rel="last memento"'
            )
            _Route(200, page, [*html, ("Link", link)])(handler)
        elif mode == "429":
            _Route(429, html_page("Too Many Requests"), [*html, ("Retry-After", "60")])(handler)
        elif mode == "502":
            _Route(502, html_page("Bad Gateway"), html)(handler)
        elif mode == "error":
            failed = ("X-Archive-Wayback-Runtime-Error", "LiveDocumentNotAvailableException")
            _Route(200, page, [*html, failed])(handler)
        else:
            _Route(200, page, html)(handler)


def _key(url: str) -> str:
    return re.sub(r"^https?://", "", url.split("#", 1)[0])


def _moment(stamp: str) -> datetime:
    full = (stamp + "0101000000"[max(0, len(stamp) - 4) :])[:14] if len(stamp) < 14 else stamp
    return datetime.strptime(full, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
