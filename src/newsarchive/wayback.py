"""The Wayback Machine: a copy of a page the live site no longer gives, and new captures.

Three endpoints of the Internet Archive (or of any archive at another base URL that answers
the same way):

    {base}/wayback/available?url=URL[&timestamp=YYYYMMDDhhmmss]   the closest capture (JSON)
    {base}/web/TIMESTAMPid_/URL    that capture's original bytes: no toolbar, no rewritten links
    {base}/save/URL                Save Page Now: capture the live page

`closest` and `fetch_snapshot` get an archived copy; `save` asks for a new capture. Requests go
through fetch.py like every other, with the same client (User-Agent, proxy, timeouts, limits).
Every failure is a FetchError subclass about the original URL, whose detail starts with
"Wayback: ", so that a caller can put it after the live page's error:
"https://example.org/a: HTTP 404 Not Found; Wayback: no snapshot".
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode, urljoin, urlsplit

from newsarchive import fetch as fetch_mod
from newsarchive.errors import (
    ContentError,
    ExtractionError,
    FetchError,
    HTTPStatusError,
    NetworkError,
    NewsArchiveError,
    NoSnapshotError,
    UsageError,
    with_detail,
)
from newsarchive.models import Article, FetchedPage, FetchOptions, Snapshot

__all__ = [
    "DEFAULT_BASE",
    "SAVE_TIMEOUT",
    "WaybackOptions",
    "availability_url",
    "check_base",
    "closest",
    "falls_back",
    "fetch_snapshot",
    "mark",
    "parse_archive_url",
    "parse_availability",
    "save",
    "site_view",
]

DEFAULT_BASE = "https://web.archive.org"
# Save Page Now loads the page itself before it answers, which often takes most of a minute.
SAVE_TIMEOUT = 120.0
VIA = "wayback"  # the front-matter's `via` for articles that came from the archive

# ".../web/20210914123456id_/https://example.org/a": the timestamp, a replay flag, the URL.
_ARCHIVE_PATH = re.compile(r"/web/(\d{4,14})(?:[a-z]{2}_)?/(.+)$", re.DOTALL)
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


@dataclass(frozen=True)
class WaybackOptions:
    """When to use the archive. The defaults use it never, and never tell it anything."""

    base: str = DEFAULT_BASE  # checked with check_base
    fallback: bool = False  # --wayback: a live page that fails is fetched from the archive
    only: bool = False  # --wayback-only: every page is fetched from the archive
    save: bool = False  # --save-to-wayback: each live page archived is also captured there

    @property
    def used(self) -> bool:
        """Whether pages may come from the archive."""
        return self.fallback or self.only


def check_base(value: str, *, source: str = "wayback_url") -> str:
    """The archive's base URL without a trailing slash; UsageError when it cannot be one.

    `source` names where the value came from, for the message.
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{source}: not an http(s) URL: {value!r}")
    if parts.query or parts.fragment:
        raise UsageError(f"{source}: a base URL takes no query or fragment: {value!r}")
    try:
        parts.port  # noqa: B018 - parsing the port is what validates it
    except ValueError:
        raise UsageError(f"{source}: bad port in {value!r}") from None
    return text.rstrip("/")


# ---------------------------------------------------------------------------------------------
# Finding and fetching a snapshot


def availability_url(url: str, base: str, timestamp: str | None = None) -> str:
    """The availability API's address for `url` (closest to `timestamp`, else the latest)."""
    query = {"url": _without_fragment(url)}
    if timestamp:
        query["timestamp"] = timestamp
    return f"{base}/wayback/available?{urlencode(query)}"


def closest(
    url: str,
    *,
    client: fetch_mod.Client,
    base: str = DEFAULT_BASE,
    options: FetchOptions | None = None,
    timestamp: str | None = None,
) -> Snapshot:
    """The archive's capture of `url` closest to `timestamp` (YYYYMMDD[hhmmss]), else its latest.

    Raises NoSnapshotError (reason "no snapshot") when there is none, ContentError when the
    answer is not what the API answers, and the errors of `fetch` otherwise; all worded
    "URL: Wayback: ...".
    """
    options = options or FetchOptions()
    try:
        data = fetch_mod.fetch_json(
            availability_url(url, base, timestamp), client=client, options=options
        )
    except FetchError as exc:
        raise _about(url, exc) from exc
    return parse_availability(data, url=url, base=base)


def parse_availability(data: object, *, url: str, base: str) -> Snapshot:
    """The snapshot an availability API answer names for `url`.

    The answer looks like {"url": ..., "archived_snapshots": {"closest": {"available": true,
    "status": "200", "timestamp": "20210914123456", "url": "http://web.archive.org/web/...
    "}}}; with no capture, "archived_snapshots" is empty. Raises NoSnapshotError when no
    usable capture is named and ContentError when the answer has another shape.
    """
    if not isinstance(data, dict):
        raise _malformed(url, f"a JSON {_json_kind(data)}, not an object")
    snapshots = data.get("archived_snapshots")
    if not isinstance(snapshots, dict):
        raise _malformed(url, "no 'archived_snapshots' object")
    found = snapshots.get("closest")
    if found is None or found == {}:
        raise NoSnapshotError(url, "Wayback: no snapshot", reason="no snapshot")
    if not isinstance(found, dict):
        raise _malformed(url, "'closest' is not an object")
    if found.get("available") is False:
        raise NoSnapshotError(url, "Wayback: no snapshot", reason="no snapshot")
    stamp = found.get("timestamp")
    if not isinstance(stamp, str) or not re.fullmatch(r"\d{4,14}", stamp):
        raise _malformed(url, f"no valid timestamp ({stamp!r})")
    stamp = _full_timestamp(stamp)
    if not _valid_timestamp(stamp):
        raise _malformed(url, f"no valid timestamp ({found.get('timestamp')!r})")
    status = _status(found.get("status"))
    if status is not None and status >= 400:
        when = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
        raise NoSnapshotError(
            url,
            f"Wayback: no usable snapshot (the closest, from {when}, is an HTTP {status} page)",
            reason="no snapshot",
        )
    original = _without_fragment(url)
    listed = found.get("url")
    if isinstance(listed, str):
        parsed = parse_archive_url(listed)
        if parsed is not None:
            original = parsed[1]
    return Snapshot(url=original, timestamp=stamp, base=base, status=status)


def fetch_snapshot(
    snapshot: Snapshot, *, client: fetch_mod.Client, options: FetchOptions
) -> FetchedPage:
    """The captured page's original bytes, as the site sent them when it was captured.

    `final_url` is the archive's address that answered (the archive redirects to the exact
    capture time, and along the redirects the site made); `url` and `snapshot.url` are the
    original site's URLs, and `snapshot` names the capture that was served. Raises the errors
    of `fetch`, worded "URL: Wayback: ...".
    """
    try:
        page = fetch_mod.fetch(snapshot.raw_url, client=client, options=options)
    except FetchError as exc:
        raise _about(snapshot.url, exc) from exc
    served = snapshot
    parsed = parse_archive_url(page.final_url)
    if parsed is not None and _valid_timestamp(_full_timestamp(parsed[0])):
        served = dataclasses.replace(snapshot, timestamp=_full_timestamp(parsed[0]), url=parsed[1])
    return dataclasses.replace(page, url=snapshot.url, snapshot=served)


def from_archive(
    url: str,
    *,
    client: fetch_mod.Client,
    options: FetchOptions,
    base: str = DEFAULT_BASE,
    timestamp: str | None = None,
) -> FetchedPage:
    """`closest`, then `fetch_snapshot`: the archived copy of `url`."""
    found = closest(url, client=client, base=base, options=options, timestamp=timestamp)
    return fetch_snapshot(found, client=client, options=options)


def parse_archive_url(url: str) -> tuple[str, str] | None:
    """(timestamp, original URL) of an archive address ".../web/TIMESTAMP[flag_]/URL", or None."""
    match = _ARCHIVE_PATH.search(url)
    if match is None:
        return None
    stamp, original = match.groups()
    if "://" not in original:
        # Some proxies fold "https://" in a path to "https:/".
        original = re.sub(r"^(https?):/(?!/)", r"\1://", original)
    if not original.startswith(("http://", "https://")):
        return None
    return stamp, original


# ---------------------------------------------------------------------------------------------
# Using a snapshot


def site_view(page: FetchedPage) -> FetchedPage:
    """The page as the original site served it, for extraction: its final URL is the site's."""
    if page.snapshot is None:
        return page
    return dataclasses.replace(page, final_url=page.snapshot.url)


def mark(article: Article, snapshot: Snapshot) -> Article:
    """`article`, recorded as coming from `snapshot`: `via`, `snapshot`, `archive_url`.

    `final_url` stays the original site's URL (what identifies the article and what `update`
    fetches again); the archive's address is `archive_url`.
    """
    return dataclasses.replace(
        article,
        final_url=snapshot.url,
        extra={
            **article.extra,
            "via": VIA,
            "snapshot": snapshot.captured.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "archive_url": snapshot.archive_url,
        },
    )


# Network failures where the archive cannot do better: our own proxy, or a URL httpx refuses.
_NOT_THE_SITE = frozenset({"proxy", "invalid URL"})


def falls_back(error: NewsArchiveError) -> bool:
    """Whether a live page that failed with `error` is worth looking up in the archive.

    Yes when the site did not give the article: the network failed (DNS, refused connection,
    timeout, TLS, redirect loop, truncated body), it answered with an HTTP error (404, 410,
    451, 5xx; and 401, 403, 429, which sites also answer bot checks and paywalls with), an
    empty page, or a page with no article (a bot check, a cookie wall). No when the page is
    there but not one to keep (a PDF, too large), or the failure is on our side (proxy).
    """
    if isinstance(error, NoSnapshotError):
        return False
    if isinstance(error, NetworkError):
        return error.reason not in _NOT_THE_SITE
    if isinstance(error, HTTPStatusError):
        return error.status != 407  # Proxy Authentication Required: our proxy, not the site
    if isinstance(error, ContentError):
        return error.reason == "empty page"
    return isinstance(error, ExtractionError)


# ---------------------------------------------------------------------------------------------
# Save Page Now


def save(
    url: str,
    *,
    client: fetch_mod.Client,
    base: str = DEFAULT_BASE,
    options: FetchOptions | None = None,
) -> str:
    """Ask the archive to capture `url` now; return the new snapshot's address.

    The address comes from the answer's redirect (Location), else its Content-Location, else
    a Link header's memento. The request waits at least SAVE_TIMEOUT seconds. Raises
    HTTPStatusError when the archive refuses (429: it limits how often it captures) or fails,
    ContentError when it answers without naming a snapshot, NetworkError when it cannot be
    reached; all worded "URL: Wayback: Save Page Now ...".
    """
    options = options or FetchOptions()
    timeout = max(options.timeout, SAVE_TIMEOUT)
    try:
        answer = fetch_mod.probe(
            f"{base}/save/{_without_fragment(url)}", client=client, options=options, timeout=timeout
        )
    except FetchError as exc:
        raise with_detail(exc, f"Wayback: Save Page Now: {exc.detail}", url=url) from exc
    problem = answer.header("X-Archive-Wayback-Runtime-Error")
    if answer.status >= 400:
        error = fetch_mod.StatusError(
            url,
            answer.status,
            answer.phrase,
            retry_after=fetch_mod._parse_retry_after(answer.header("Retry-After")),
        )
        why = f": {problem}" if problem else ""
        hint = ""
        if answer.status == 429:
            hint = " (the archive limits how often it captures; try later)"
        raise with_detail(error, f"Wayback: Save Page Now refused: {error.detail}{why}{hint}")
    if problem:
        detail = f"Wayback: Save Page Now failed: {problem}"
        raise ContentError(url, detail, reason="not saved", status=answer.status)
    for candidate in _snapshot_addresses(answer):
        address = urljoin(answer.url, candidate.strip())
        if parse_archive_url(address) is not None:
            return address
    raise ContentError(
        url,
        f"Wayback: Save Page Now answered HTTP {answer.status} without the address of a snapshot",
        reason="not saved",
        status=answer.status,
    )


def _snapshot_addresses(answer: fetch_mod.Answer) -> list[str]:
    """Where an answer says the new capture is, most telling first."""
    found: list[str] = []
    if 300 <= answer.status < 400 and (location := answer.header("Location")):
        found.append(location)
    if location := answer.header("Content-Location"):
        found.append(location)
    mementos: list[str] = []
    for name, value in answer.headers:
        if name.lower() != "link":
            continue
        for target, params in _LINK.findall(value):
            rels = re.search(r'rel\s*=\s*"?([^";]*)"?', params)
            if rels and "memento" in rels.group(1).split():
                mementos.append(target)
    found.extend(reversed(mementos))  # the last memento listed is the newest
    return found


# ---------------------------------------------------------------------------------------------
# Helpers


def _about(url: str, error: FetchError) -> FetchError:
    """`error` (about an archive address) said about the original URL, as the archive's."""
    return with_detail(error, f"Wayback: {error.detail}", url=url)


def _malformed(url: str, detail: str) -> ContentError:
    return ContentError(
        url, f"Wayback: malformed availability answer: {detail}", reason="bad Wayback answer"
    )


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _status(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None  # "-" (unknown) or absent


def _full_timestamp(stamp: str) -> str:
    """A 14-digit timestamp: the archive accepts and sometimes gives shorter ones."""
    return (stamp + "0101000000"[max(0, len(stamp) - 4) :])[:14] if len(stamp) < 14 else stamp


def _valid_timestamp(stamp: str) -> bool:
    try:
        datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]
