"""Get one HTML page, from the network or from a saved file, or raise an error that says why.

This is the only module that imports httpx. `make_client()` sets timeouts, User-Agent, proxy,
cookies and TLS policy in one place; `fetch()` follows redirects itself (to record each hop and
spot loops), refuses non-HTML and oversized responses before reading them, and streams the body
through the size-limited decompressor of `payload`, so neither a huge page nor a gzip bomb is
ever held in memory. Every failure becomes a `FetchError` subclass with a short, stable `reason`.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import http.cookiejar
import json
import os
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

import httpx

from newsarchive.deadlines import DeadlineBackend, deadline_passed, total_deadline
from newsarchive.decode import HTML_TYPES
from newsarchive.errors import (
    ConfigError,
    ContentError,
    HTTPStatusError,
    InvalidURLError,
    NetworkError,
    NewsArchiveError,
)
from newsarchive.models import FetchedPage, FetchOptions
from newsarchive.payload import (
    BadCompression,
    Inflater,
    TooLarge,
    collect,
    describe_limit,
    describe_size,
    not_html,
    sniff,
    too_large,
)
from newsarchive.robots import ROBOTS_MAX_BYTES


def _package_version() -> str:
    try:
        return version("newsarchive")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0"


# Where a site's operator can read what this client is: the repository named in pyproject.toml's
# [project.urls].
PROJECT_URL = "https://github.com/newsarchive/newsarchive"
DEFAULT_USER_AGENT = f"newsarchive/{_package_version()} (+{PROJECT_URL})"
# What JSON APIs answer with in practice (JSONP-era servers still say JavaScript or plain text).
JSON_TYPES = frozenset(
    {"application/json", "text/json", "text/javascript", "application/javascript", "text/plain"}
)
# The client type, for annotations in modules that must not import httpx themselves.
Client = httpx.Client
LOCAL_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

# We decompress bodies ourselves (to bound memory), so only ask for codings we can decode.
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# What `fetch` keeps for a picture: any image type (images/ checks that the bytes are one).
IMAGE_TYPES = frozenset({"image/*"})

_CHUNK = 64 * 1024
# Names reserved by RFC 6761 to never resolve: answer at once instead of asking a resolver.
_NEVER_RESOLVES = (".invalid",)


class StatusError(HTTPStatusError):
    """A 4xx or 5xx answer, with the server's Retry-After hint when it gave one."""

    def __init__(
        self, url: str, status: int, phrase: str, *, retry_after: float | None = None
    ) -> None:
        line = f"HTTP {status} {phrase}".rstrip()
        super().__init__(url, line, reason=f"HTTP {status}", status=status)
        self.retry_after = retry_after


def retry_after(error: BaseException) -> float | None:
    """Seconds the server asked us to wait before trying again (429, 503), or None."""
    return getattr(error, "retry_after", None)


def make_client(options: FetchOptions, *, keepalive: int | None = None) -> httpx.Client:
    """An httpx client for `fetch`: one per run, shared by every request.

    Redirects are not followed here: `fetch` follows them itself. With no `options.proxy`, the
    standard HTTP_PROXY / HTTPS_PROXY / NO_PROXY variables apply, and each site has a
    connection pool of its own (`_PoolPerSite`). `keepalive` bounds the sites whose pools are
    kept, and the idle connections of each (20 by default): a client for many hosts asked once
    or twice each (pictures' CDNs) keeps few.
    """
    cookies = _load_cookies(options.cookies) if options.cookies else None
    keep = keepalive or 20
    limits = httpx.Limits(max_keepalive_connections=keep)
    # One for all the sites' pools, and all the clients that trust the same certificates.
    tls = _tls_context(
        options.verify, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    )

    def direct() -> httpx.BaseTransport:
        transport = httpx.HTTPTransport(verify=tls, limits=limits)
        _bound_by_deadline(transport)
        return transport

    try:
        client = httpx.Client(
            headers={
                "User-Agent": options.user_agent or DEFAULT_USER_AGENT,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            cookies=cookies,
            timeout=httpx.Timeout(options.timeout),
            proxy=options.proxy,
            trust_env=True,
            verify=tls,
            follow_redirects=False,
            limits=limits,
            event_hooks={"response": [_note_location]},
        )
    except (httpx.InvalidURL, ValueError) as exc:  # httpx checks the proxy URL here
        raise ConfigError(f"invalid proxy URL {options.proxy!r}: {exc}") from exc
    # Requests that go through no proxy go through a pool per site. httpx takes a transport of
    # one's own only in place of the proxies of the environment, so it is put in afterwards.
    client._transport.close()  # noqa: SLF001
    client._transport = _PoolPerSite(direct, keep)  # noqa: SLF001
    _bound_by_deadlines(client)
    return client


def network_environment() -> dict[str, str]:
    """The environment variables that `make_client` reads (proxies, trusted certificates):
    for a process whose environment may be older than this one's (a forkserver's child)."""
    return {
        name: value
        for name, value in os.environ.items()
        if name.upper() in ("SSL_CERT_FILE", "SSL_CERT_DIR") or name.lower().endswith("_proxy")
    }


def use_network_environment(variables: dict[str, str]) -> None:
    """Make this process's `network_environment` `variables`, before making a client."""
    for name in network_environment().keys() - variables.keys():
        del os.environ[name]
    os.environ.update(variables)


@functools.cache
def _tls_context(verify: bool, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """The TLS context of the clients of this process that verify as `verify` says and
    trust the certificates of SSL_CERT_FILE / SSL_CERT_DIR (which httpx reads; given here
    so that each setting gets its own): reading the certificates takes some 20 ms of CPU,
    and an import makes three clients (pages, pictures, the Wayback Machine)."""
    return httpx.create_ssl_context(verify=verify)


class _PoolPerSite(httpx.BaseTransport):
    """Each origin (scheme, host, port) gets a connection pool of its own.

    httpcore's pool looks at every connection it holds, several times over, for each request,
    so one pool for all of an import's sites costs more the more connections it keeps. The
    pools of the sites asked longest ago are closed, idle, so that at most `keep` stay open.
    """

    def __init__(self, make: Callable[[], httpx.BaseTransport], keep: int) -> None:
        self._make = make
        self._keep = keep
        self._pools: OrderedDict[tuple[bytes, bytes, int | None], _SitePool] = OrderedDict()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.raw_scheme, url.raw_host, url.port)
        with self._lock:
            pool = self._pools.get(origin)
            if pool is None:
                pool = self._pools[origin] = _SitePool(self._make())
            self._pools.move_to_end(origin)
            pool.in_flight += 1
            retired = self._retire()
        for old in retired:
            old.transport.close()
        try:
            response = pool.transport.handle_request(request)
        except BaseException:
            self._release(pool)
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        stream = _ReleasingStream(response.stream, lambda: self._release(pool))
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=stream,
            extensions=response.extensions,
        )

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            pool.transport.close()

    def _release(self, pool: _SitePool) -> None:
        with self._lock:
            pool.in_flight -= 1

    def _retire(self) -> list[_SitePool]:
        """Take out the pools over `keep`, oldest first, that no request is using."""
        excess = len(self._pools) - self._keep
        idle = [origin for origin, pool in self._pools.items() if not pool.in_flight]
        return [self._pools.pop(origin) for origin in idle[: max(excess, 0)]]


@dataclass
class _SitePool:
    transport: httpx.BaseTransport
    in_flight: int = 0  # requests whose response is not closed yet


class _ReleasingStream(httpx.SyncByteStream):
    """A response's body, which tells its site's pool when it is closed."""

    def __init__(self, inner: httpx.SyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


def _bound_by_deadlines(client: httpx.Client) -> None:
    """Put `DeadlineBackend` under each of the client's connection pools (the direct one and
    those of proxies). httpx has no public way to give its pools a network backend; where
    its internals differ, requests keep httpx's own timeouts, each read bounded on its own."""
    for transport in (client._transport, *client._mounts.values()):  # noqa: SLF001
        _bound_by_deadline(transport)


def _bound_by_deadline(transport: httpx.BaseTransport | None) -> None:
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None and not isinstance(backend, DeadlineBackend):
        pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]


# The Location of the last response of each thread, to name a redirect httpx cannot follow.
_redirects = threading.local()


def _note_location(response: httpx.Response) -> None:
    _redirects.location = response.headers.get("Location")


def _load_cookies(path: str) -> http.cookiejar.MozillaCookieJar:
    jar = http.cookiejar.MozillaCookieJar(path)
    try:
        # Keep session cookies, which curl and browser extensions write with an expiry of 0;
        # the standard library would read 0 as "expired in 1970" and drop them.
        jar.load(ignore_discard=True, ignore_expires=True)
    except http.cookiejar.LoadError as exc:  # before OSError, its base class
        raise ConfigError(f"{path}: not a valid Netscape cookies.txt file") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read cookies file: {exc.strerror or exc}") from exc
    now = int(time.time())
    for cookie in list(jar):
        if cookie.expires == 0:
            cookie.expires = None
            cookie.discard = True
        elif cookie.is_expired(now):
            jar.clear(cookie.domain, cookie.path, cookie.name)
    return jar


def fetch(
    url: str,
    *,
    client: httpx.Client,
    options: FetchOptions,
    accept: Collection[str] = HTML_TYPES,
    headers: Mapping[str, str] | None = None,
) -> FetchedPage:
    """Download one HTML page, following redirects; raise a FetchError subclass on failure.

    `accept` lists the media types to keep (feeds and sitemaps pass XML and gzip types;
    "image/*" stands for every image type). A body that is not HTML is returned undecoded: it
    is in `raw`, with `html` and `encoding` empty. `headers` are sent with each request, over
    the client's own (a picture's Referer and Accept).
    """
    current = _http_url(url)

    deadline = time.monotonic() + options.timeout
    visited = [str(current)]
    while True:
        with total_deadline(deadline):
            page_or_next = _request_once(url, current, client, options, deadline, accept, headers)
        if isinstance(page_or_next, httpx.URL):
            target = str(page_or_next)
            if target in visited:
                chain = " → ".join([*visited, target])
                raise NetworkError(url, f"redirect loop: {chain}", reason="redirect loop")
            if len(visited) > options.max_redirects:
                raise NetworkError(
                    url,
                    f"too many redirects (more than {options.max_redirects})",
                    reason="too many redirects",
                )
            visited.append(target)
            current = page_or_next
            continue
        return FetchedPage(
            url=url,
            final_url=str(current),
            status=page_or_next.status,
            content_type=page_or_next.content_type,
            fetched_at=page_or_next.fetched_at,
            raw=page_or_next.raw,
            charset=page_or_next.charset,
            headers=page_or_next.headers,
            redirects=tuple(visited[:-1]),
        )


def fetch_json(url: str, *, client: httpx.Client, options: FetchOptions) -> object:
    """GET a JSON document (redirects followed, the size limit applied) and parse it.

    Raises the errors of `fetch`, and ContentError (reason "bad JSON") for a body that is
    not JSON.
    """
    page = fetch(url, client=client, options=options, accept=JSON_TYPES)
    try:
        return json.loads(page.raw)
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for binary junk
        raise ContentError(
            url, f"not valid JSON ({exc})", reason="bad JSON", status=page.status
        ) from exc


@dataclass(frozen=True)
class Answer:
    """The head of one HTTP response: what `probe` returns."""

    url: str
    status: int
    phrase: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def probe(
    url: str, *, client: httpx.Client, options: FetchOptions, timeout: float | None = None
) -> Answer:
    """One GET of `url` that follows no redirect and reads no body: its status and headers.

    For endpoints whose answer is in the status line and headers (a redirect to a new
    resource, a Content-Location). `timeout` replaces `options.timeout` for this request.
    Raises InvalidURLError or NetworkError; any status, 4xx and 5xx too, is returned.
    """
    target = _http_url(url)
    seconds = options.timeout if timeout is None else timeout
    try:
        with total_deadline(time.monotonic() + seconds):
            request = client.build_request("GET", target, timeout=httpx.Timeout(seconds))
            response = client.send(request, stream=True)
    except httpx.HTTPError as exc:
        limits = dataclasses.replace(options, timeout=seconds)
        raise _network_error(url, exc, limits, limited=False) from exc
    response.close()
    return Answer(
        url=str(target),
        status=response.status_code,
        phrase=response.reason_phrase or _phrase(response.status_code),
        headers=tuple(response.headers.multi_items()),
    )


def _http_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise InvalidURLError(url, f"not a valid URL ({exc})") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidURLError(url, "not an http(s) URL")
    return parsed


def _request_once(
    url: str,
    target: httpx.URL,
    client: httpx.Client,
    options: FetchOptions,
    deadline: float,
    accept: Collection[str],
    headers: Mapping[str, str] | None = None,
) -> FetchedPage | httpx.URL:
    """One request: the page, or the next URL when the answer is a redirect."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _total_timeout(url, options)
    # Each request gets at most the time left, so a redirect chain shares one deadline. When
    # that cut the request's own timeout noticeably, a timeout means the total ran out.
    limited = remaining < options.timeout * 0.99
    host = target.host.lower().rstrip(".")
    if host.endswith(_NEVER_RESOLVES):
        raise NetworkError(url, f"cannot resolve host {target.host}", reason="DNS")
    try:
        request = client.build_request(
            "GET", target, headers=headers, timeout=httpx.Timeout(remaining)
        )
        response = client.send(request, stream=True)
    except httpx.HTTPError as exc:
        raise _network_error(url, exc, options, limited=limited or deadline_passed()) from exc
    except httpx.InvalidURL as exc:
        # httpx works out a redirect's next URL itself, and cannot for data:, javascript:
        # and other such targets: the redirect is the server's error, not ours.
        location = getattr(_redirects, "location", None) or "?"
        raise NetworkError(
            url, f"redirect to a URL that is not http(s): {location[:200]}", reason="bad redirect"
        ) from exc
    try:
        if response.status_code in REDIRECT_CODES:
            return _redirect_target(url, target, response)
        if response.status_code >= 400:
            raise StatusError(
                url,
                response.status_code,
                response.reason_phrase or _phrase(response.status_code),
                retry_after=_parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code >= 300:
            raise NetworkError(
                url,
                f"unexpected HTTP {response.status_code} without a page",
                reason="protocol error",
                status=response.status_code,
            )
        media_type = _media_type(response.headers.get("Content-Type"))
        if media_type is not None and not _accepts(accept, media_type):
            raise _refused_type(url, media_type, accept, response.status_code)
        _check_declared_length(url, response, options.max_bytes)
        try:
            raw = _read_body(url, response, options, deadline)
        except httpx.HTTPError as exc:
            late = limited or deadline_passed()
            raise _network_error(url, exc, options, limited=late, in_body=True) from exc
    finally:
        response.close()
    return _page(url, target, response, raw, media_type, accept)


def _page(
    url: str,
    target: httpx.URL,
    response: httpx.Response,
    raw: bytes,
    media_type: str | None,
    accept: Collection[str],
) -> FetchedPage:
    """The page a response's body `raw` is, once its type (labelled or sniffed) is accepted."""
    if not raw.strip():
        raise ContentError(url, "empty page", reason="empty page", status=response.status_code)
    if media_type is None:
        media_type = sniff(raw)
        if not _accepts(accept, media_type):
            raise _refused_type(url, media_type, accept, response.status_code, sniffed=True)
    elif media_type in HTML_TYPES and (actual := not_html(raw)) is not None:
        raise ContentError(
            url,
            f"not an HTML page (labelled {media_type}, but the body is {actual})",
            reason="not HTML",
            status=response.status_code,
        )
    return FetchedPage(
        url=url,
        final_url=str(target),
        status=response.status_code,
        content_type=media_type,
        fetched_at=datetime.now(UTC),
        raw=raw,
        charset=response.charset_encoding,
        headers=tuple(response.headers.multi_items()),
    )


def _accepts(accept: Collection[str], media_type: str) -> bool:
    if media_type in accept:
        return True
    return f"{media_type.split('/', 1)[0]}/*" in accept


def _refused_type(
    url: str, media_type: str, accept: Collection[str], status: int, *, sniffed: bool = False
) -> ContentError:
    html_only = set(accept) <= HTML_TYPES
    images = set(accept) == IMAGE_TYPES
    what = "not an HTML page" if html_only else "not an image" if images else None
    detail = f"no Content-Type; the body looks like {media_type}" if sniffed else media_type
    reason = "not HTML" if html_only else "not an image" if images else "unexpected type"
    return ContentError(
        url, f"{what or 'unexpected content type'} ({detail})", reason=reason, status=status
    )


def _redirect_target(url: str, current: httpx.URL, response: httpx.Response) -> httpx.URL:
    location = response.headers.get("Location")
    if not location:
        raise NetworkError(
            url,
            f"HTTP {response.status_code} redirect without a Location header",
            reason="protocol error",
            status=response.status_code,
        )
    try:
        target = current.join(location.strip())
    except (httpx.InvalidURL, ValueError) as exc:
        raise NetworkError(
            url, f"redirect to an invalid URL: {location}", reason="bad redirect"
        ) from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise NetworkError(url, f"redirect to a non-HTTP URL: {location}", reason="bad redirect")
    return target


def _read_body(url: str, response: httpx.Response, options: FetchOptions, deadline: float) -> bytes:
    coding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if coding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise NetworkError(url, f"unsupported Content-Encoding: {coding}", reason="protocol error")
    inflater = Inflater(coding) if coding in ("gzip", "x-gzip", "deflate") else None

    def raw_chunks() -> Iterator[bytes]:
        # No chunk_size: httpx would buffer up to it, hiding a trickle from the deadline check.
        for chunk in response.iter_raw():
            yield chunk
            # Checked between reads: a server trickling bytes cannot outlast the deadline.
            if time.monotonic() > deadline:
                raise _total_timeout(url, options)

    try:
        return collect(raw_chunks(), inflater, options.max_bytes)
    except TooLarge as exc:
        raise too_large(url, inflater, options.max_bytes) from exc
    except BadCompression as exc:
        reason = "truncated" if exc.truncated else "protocol error"
        raise NetworkError(url, f"invalid {coding} body ({exc})", reason=reason) from exc


def _check_declared_length(url: str, response: httpx.Response, limit: int) -> None:
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise ContentError(
            url,
            f"response is {describe_size(int(declared))}, over the {describe_limit(limit)} limit",
            reason="too large",
            status=response.status_code,
        )


def _total_timeout(url: str, options: FetchOptions) -> NetworkError:
    return NetworkError(
        url,
        f"timeout: the download took longer than {options.timeout:g} s (total)",
        reason="timeout",
    )


def _network_error(
    url: str,
    exc: httpx.HTTPError,
    options: FetchOptions,
    *,
    limited: bool,
    in_body: bool = False,
) -> NetworkError:
    """Turn an httpx failure into a NetworkError with a stable reason."""
    seconds = f"{options.timeout:g} s"
    proxy = _proxy_for(str(exc.request.url) if _has_request(exc) else url, options)
    if proxy is not None and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        # Connecting means connecting to the proxy: name it, not the page.
        cause = _root_cause(exc)
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == (
            errno.ECONNREFUSED
        ):
            problem = "connection refused"
        elif isinstance(cause, socket.gaierror):
            problem = "cannot resolve its host"
        elif isinstance(exc, httpx.ConnectTimeout):
            problem = f"no connection after {seconds}"
        else:
            problem = _describe(exc)
        return NetworkError(url, f"proxy {proxy}: {problem}", reason="proxy")
    if isinstance(exc, httpx.ProxyError):
        where = f"proxy {proxy}" if proxy is not None else "proxy error"
        return NetworkError(url, f"{where}: {_describe(exc)}", reason="proxy")
    if isinstance(exc, httpx.TimeoutException):
        if limited:
            return _total_timeout(url, options)
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            detail = f"timeout: no connection after {seconds} (connect)"
        else:
            detail = f"timeout: no data for {seconds} (read)"
        return NetworkError(url, detail, reason="timeout")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return NetworkError(url, f"cannot fetch this URL: {_describe(exc)}", reason="invalid URL")
    cause = _root_cause(exc)
    if isinstance(cause, socket.gaierror):
        host = exc.request.url.host if _has_request(exc) else url
        return NetworkError(url, f"cannot resolve host {host}", reason="DNS")
    if isinstance(cause, ssl.SSLError):
        detail = getattr(cause, "reason", None) or str(cause)
        return NetworkError(url, f"TLS error: {detail}", reason="TLS")
    if isinstance(cause, ConnectionRefusedError) or (
        isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
    ):
        return NetworkError(url, "connection refused", reason="connection refused")
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(url, f"cannot connect: {_describe(exc)}", reason="connection failed")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError) and in_body:
        return NetworkError(url, f"response truncated: {_describe(exc)}", reason="truncated")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return NetworkError(url, f"protocol error: {_describe(exc)}", reason="protocol error")
    return NetworkError(url, f"network error: {_describe(exc)}", reason="network")


def _proxy_for(url: str, options: FetchOptions) -> str | None:
    """The proxy a request for `url` goes through, without its credentials: --proxy, else
    the one the environment's *_PROXY variables give for it (as httpx reads them)."""
    proxy = options.proxy
    if proxy is None:
        parts = urllib.parse.urlsplit(url)
        proxies = urllib.request.getproxies_environment()
        if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
            return None
        proxy = proxies.get(parts.scheme) or proxies.get("all")
        if proxy is None:
            return None
    parts = urllib.parse.urlsplit(proxy)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:  # not a number: httpx said so already
        port = ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else proxy


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        exc.request  # noqa: B018 - the property raises when no request is attached
    except RuntimeError:
        return False
    return True


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception that caused `exc` (ssl, socket and OS errors live down there)."""
    seen: set[int] = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        nxt = current.__cause__ or current.__context__
        if nxt is None:
            break
        current = nxt
    return current


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def get_robots(
    client: httpx.Client, url: str, page_url: str, options: FetchOptions
) -> tuple[int, str]:
    """GET a robots.txt (redirects followed, the first 500 KiB kept): its status and text.

    Failures are worded about `page_url`, the URL the user asked for, and name robots.txt.
    """
    deadline = time.monotonic() + options.timeout  # --timeout, for the whole
    try:
        with (
            total_deadline(deadline),
            client.stream("GET", url, follow_redirects=True) as response,
        ):
            status = response.status_code
            if status == 429 or status >= 500:
                # Retried like a page; only if it persists does it mean "disallow all".
                phrase = response.reason_phrase or _phrase(status)
                hint = response.headers.get("Retry-After")
                raise StatusError(
                    page_url,
                    status,
                    f"{phrase} (robots.txt)",
                    retry_after=_parse_retry_after(hint),
                )
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= ROBOTS_MAX_BYTES:
                    break
    except NewsArchiveError:
        raise
    except Exception as exc:  # httpx's errors, described in this module's words
        late = time.monotonic() >= deadline - 0.01
        error = _network_error(url, exc, options, limited=late)  # type: ignore[arg-type]
        detail = getattr(error, "detail", str(error))
        raise NetworkError(page_url, f"{detail} (robots.txt)", reason=error.reason) from exc
    return status, bytes(data).decode("utf-8", errors="replace")


def _media_type(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP date (RFC 9110, section 10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def open_local(path: Path) -> BinaryIO:
    """Open a local file for reading, turning the usual failures into one-line ContentErrors."""
    name = str(path)
    try:
        return path.open("rb")
    except FileNotFoundError as exc:
        raise ContentError(name, "no such file", reason="file not found") from exc
    except IsADirectoryError as exc:
        raise ContentError(name, "is a directory, not a file", reason="not a file") from exc
    except OSError as exc:
        raise ContentError(
            name, f"cannot read: {exc.strerror or exc}", reason="unreadable"
        ) from exc


def read_local(
    path: Path, *, url: str | None = None, max_bytes: int = 20 * 1024 * 1024
) -> FetchedPage:
    """Read a saved page: .html, .htm, .xhtml, or any of those gzipped (.gz).

    Gzipped files are inflated in a stream with the same size limit as downloads, so a
    compressed bomb is refused without being unpacked. `url` is the page's address when known.
    """
    name = str(path)
    with open_local(path) as handle:
        magic = handle.read(2)
        handle.seek(0)
        gzipped = path.suffix.lower() == ".gz" or magic == b"\x1f\x8b"
        inflater = Inflater("gzip") if gzipped else None

        def chunks() -> Iterator[bytes]:
            while chunk := handle.read(_CHUNK):
                yield chunk

        try:
            raw = collect(chunks(), inflater, max_bytes)
        except TooLarge as exc:
            if inflater is None:
                raise ContentError(
                    name,
                    f"file is {describe_size(path.stat().st_size)}, "
                    f"over the {describe_limit(max_bytes)} limit",
                    reason="too large",
                ) from exc
            raise too_large(name, inflater, max_bytes) from exc
        except BadCompression as exc:
            raise ContentError(name, f"not a valid gzip file ({exc})", reason="bad gzip") from exc
        except OSError as exc:
            raise ContentError(
                name, f"cannot read: {exc.strerror or exc}", reason="unreadable"
            ) from exc

    if not raw.strip():
        raise ContentError(name, "empty page", reason="empty page")
    inner = path.with_suffix("") if gzipped and path.suffix.lower() == ".gz" else path
    suffix = inner.suffix.lower()
    media_type = "application/xhtml+xml" if suffix == ".xhtml" else "text/html"
    if (actual := not_html(raw)) is not None:
        raise ContentError(name, f"not an HTML file (looks like {actual})", reason="not HTML")
    if suffix not in LOCAL_SUFFIXES:
        sniffed = sniff(raw)
        if sniffed not in HTML_TYPES:
            raise ContentError(name, f"not an HTML file (looks like {sniffed})", reason="not HTML")
        media_type = sniffed
    return FetchedPage(
        url=url or "",
        final_url=url or "",
        status=None,
        content_type=media_type,
        fetched_at=datetime.now(UTC),
        raw=raw,
        local_path=str(path.resolve()),
    )
