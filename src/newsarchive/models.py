"""The values passed between stages: a fetched page, and the article extracted from it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsarchive.decode import HTML_TYPES, decode_html


@dataclass(frozen=True)
class FetchOptions:
    """How to talk to servers. One object, built once per run and passed down."""

    user_agent: str | None = None  # None: newsarchive's default User-Agent
    timeout: float = 30.0  # seconds, for connect, each read and the whole download
    max_bytes: int = 20 * 1024 * 1024  # decoded body size limit
    max_redirects: int = 10
    proxy: str | None = None  # else the standard *_PROXY environment variables apply
    cookies: str | None = None  # path of a Netscape cookies.txt file
    verify: bool = True  # TLS certificate verification
    # Seconds the extraction of one page may take (None: no limit). Not a network setting,
    # but it goes wherever pages are fetched: a hostile page must not hold a run forever.
    extract_timeout: float | None = 30.0


@dataclass(frozen=True)
class ImageOptions:
    """Whether and how an article's own pictures are archived with it (images/)."""

    enabled: bool = True
    max_bytes: int = 20 * 1024 * 1024  # one picture, decompressed
    max_total: int = 50 * 1024 * 1024  # all the pictures of one article
    files: Path | None = None  # where a new `_images` link points (None: the captures' images/)

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_total <= 0:
            raise ValueError("picture size limits must be positive")


@dataclass(frozen=True)
class Snapshot:
    """One capture of a page in a web archive that speaks the Wayback Machine's URLs."""

    url: str  # the original URL, as the archive recorded it
    timestamp: str  # when it was captured: YYYYMMDDhhmmss, UTC
    base: str  # the archive, e.g. "https://web.archive.org" (no trailing slash)
    status: int | None = None  # the original response's status, when the archive says

    @property
    def archive_url(self) -> str:
        """The address to open or cite: the archive's replay page of this capture."""
        return f"{self.base}/web/{self.timestamp}/{self.url}"

    @property
    def raw_url(self) -> str:
        """The capture's original bytes, without the archive's toolbar or rewritten links."""
        return f"{self.base}/web/{self.timestamp}id_/{self.url}"

    @property
    def captured(self) -> datetime:
        """The capture time (UTC)."""
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class FetchedPage:
    """One page as received, from the network or from a local saved file.

    Only the bytes are kept; `html` decodes them the first time it is read (decode.py), in
    whichever process reads it: an import's main process moves a page's bytes, once, and its
    extraction process decodes them.
    """

    url: str  # the URL as given (for a local file: --url, else "" until extraction finds one)
    final_url: str  # after redirects; equal to url when there were none
    status: int | None  # HTTP status; None for a local file
    content_type: str | None  # media type without parameters, e.g. "text/html"
    fetched_at: datetime  # timezone-aware, UTC
    raw: bytes = b""  # the body bytes as received (after transfer decoding)
    charset: str | None = None  # the charset the response's Content-Type declared
    headers: tuple[tuple[str, str], ...] = ()
    redirects: tuple[str, ...] = ()  # every URL visited before final_url, in order
    local_path: str | None = None  # set when the page came from a file
    # Set when the page came from a web archive: `final_url` is then the archive's address
    # (what was requested), and `snapshot.url` the original site's URL after redirects.
    snapshot: Snapshot | None = None

    @property
    def html(self) -> str:
        """The page as text ("" for a body that is not HTML: XML and gzip bodies carry their
        own encoding, and their readers decode `raw`)."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        """The codec that decoded `raw` into `html`, e.g. "utf-8" ("" when not HTML)."""
        return self._decoded[1]

    @functools.cached_property
    def _decoded(self) -> tuple[str, str]:
        if self.content_type not in HTML_TYPES:
            return "", ""
        return decode_html(self.raw, self.charset)


@dataclass(frozen=True)
class LeadImage:
    """The article's lead picture, with its caption and credit when the page gives them."""

    url: str
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None


@dataclass(frozen=True)
class StoredImage:
    """A picture of the article kept in the archive (under `_images/`): where it came from and
    where it is, as the front-matter's `images:` list gives it."""

    url: str  # the address it was downloaded from
    path: str  # relative to the archive root, with "/": "_images/5b/5b2a…c0.jpg"
    type: str  # its media type, read from its bytes: "image/jpeg"
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Article:
    """An extracted article: metadata plus the body in Markdown (without the header we add)."""

    url: str  # canonical URL (rel=canonical, else og:url, else final URL)
    title: str
    body: str  # Markdown of the article text only: no title, byline or source line
    fetched: datetime  # timezone-aware, UTC
    authors: tuple[str, ...] = ()
    byline: str | None = None  # as the page words it, without "By": "Daphné Benoit for AFP"
    published: str | None = None  # ISO 8601 date or datetime (with offset when known)
    modified: str | None = None
    site: str | None = None  # publication name, e.g. "The Moscow Times"
    hostname: str | None = None
    description: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    image: LeadImage | None = None
    source: str | None = None  # the URL as given, when it differs from `url`
    status: int | None = None  # HTTP status of the final response
    final_url: str | None = None  # URL after redirects
    images: tuple[StoredImage, ...] = ()  # the pictures kept with it (front-matter `images:`)
    # Tool versions and other provenance. A page that holds only part of the article (a
    # paywall teaser, a cookie-consent interstitial) has extra["completeness"] == "partial"
    # and extra["reason"] saying why; both are written to the front matter.
    extra: dict[str, str] = field(default_factory=dict)
