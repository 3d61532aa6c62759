"""Downloading an article's pictures: one picture (`get_picture`), the pictures of one article
for `fetch` (`get_pictures`), and keeping those that fit when the article is written (`keep`).

A picture is fetched as a page is (fetch.py: the same client, timeouts, proxy and cookies,
redirects followed and loops refused, the size limit applied while reading and compression
bombs stopped), with the page's origin as Referer (as a browser sends it; some servers refuse
pictures without one), and kept only when its bytes are a picture of the type the server
claims (formats.py) and larger than an icon. It waits in a temporary file (files.py) until its
article is written, so an article that fails or is archived meanwhile leaves nothing behind.
A picture that cannot be kept never fails its article: the article links to it on its site
instead, and a warning says why (a tracking pixel or an icon is left out without one).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsarchive import fetch as fetch_mod
from newsarchive.errors import ContentError, NewsArchiveError
from newsarchive.images.files import ImageFiles, Pending
from newsarchive.images.formats import BadImage, identify
from newsarchive.images.links import url_key
from newsarchive.models import FetchedPage, FetchOptions, ImageOptions, StoredImage
from newsarchive.payload import describe_limit

__all__ = [
    "ImageOptions",
    "MIN_SIDE",
    "PICTURE_REQUESTED",
    "Kept",
    "Picture",
    "Wanted",
    "drop_all",
    "get_picture",
    "get_pictures",
    "keep",
    "refusal",
]

ACCEPT = "image/avif;q=0.5,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8,*/*;q=0.3"
# Reasons of the failures that say nothing worth a warning: the picture is page furniture.
QUIET_REASONS = frozenset({"too small"})
MIN_SIDE = 100  # pixels: a picture of less than MIN_SIDE² pixels is an icon, avatar or pixel
# The header that records, in a picture's captured response, the address asked for when
# redirects led elsewhere (the record's own address is the last one).
PICTURE_REQUESTED = "X-Newsarchive-Requested-URL"


@dataclass(frozen=True)
class Wanted:
    """One picture of an article (chosen by choose.py): the address its Markdown names (`ref`,
    what the stored file replaces) and the address to download, the best the page offers."""

    ref: str
    url: str


@dataclass(frozen=True)
class Picture:
    """A picture downloaded for an article, held until the article is written."""

    url: str  # the address asked for
    response: FetchedPage  # its response (for the capture), without the body (`raw` empty)
    media_type: str
    width: int | None
    height: int | None
    pending: Pending
    latency: float = 0.0  # seconds the download took (a site's pace), without the writing


def _referer(page_url: str | None) -> dict[str, str]:
    if not page_url:
        return {}
    parts = urlsplit(page_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return {}
    return {"Referer": f"{parts.scheme}://{parts.netloc}/"}


def get_picture(
    address: str,
    *,
    client: fetch_mod.Client,
    options: FetchOptions,
    limits: ImageOptions,
    files: ImageFiles,
    page_url: str | None,
) -> Picture:
    """Download the picture at `address` and hold it; raise a NewsArchiveError that says why it
    is not kept (the fetch errors, and ContentError with reason "not an image", "empty image",
    "bad image" or "too small")."""
    fetch_options = dataclasses.replace(options, max_bytes=limits.max_bytes)
    headers = {"Accept": ACCEPT, **_referer(page_url)}
    started = time.monotonic()
    try:
        page = fetch_mod.fetch(
            address,
            client=client,
            options=fetch_options,
            accept=fetch_mod.IMAGE_TYPES,
            headers=headers,
        )
    except ContentError as exc:
        if exc.reason == "empty page":
            error = ContentError(address, "empty body", reason="empty image", status=exc.status)
            raise error from exc
        raise
    claimed = next((v for k, v in page.headers if k.lower() == "content-type"), None)
    try:
        found = identify(page.raw, claimed)
    except BadImage as exc:
        raise ContentError(address, str(exc), reason="bad image", status=page.status) from exc
    width, height = found.width, found.height
    if (
        width is not None
        and height is not None
        and (width * height < MIN_SIDE**2 or min(width, height) <= 2)
    ):
        detail = f"{width}×{height} pixels: an icon or a tracking pixel"
        raise ContentError(address, detail, reason="too small", status=page.status)
    latency = time.monotonic() - started
    pending = files.hold(page.raw, found.extension)
    response = dataclasses.replace(page, raw=b"")
    if page.final_url != address:
        response = dataclasses.replace(
            response, headers=(*page.headers, (PICTURE_REQUESTED, address))
        )
    return Picture(address, response, found.media_type, width, height, pending, latency)


def refusal(url: str, error: NewsArchiveError) -> str | None:
    """The warning for a picture that is not kept (None for page furniture)."""
    if error.reason in QUIET_REASONS:
        return None
    detail = getattr(error, "detail", None) or str(error)
    return f"picture not kept, the article links to it: {url}: {detail}"


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def get_pictures(
    wanted: Sequence[Wanted],
    *,
    client: fetch_mod.Client,
    options: FetchOptions,
    limits: ImageOptions,
    files: ImageFiles,
    page_url: str | None,
    parallel: int = 4,
) -> tuple[dict[str, Picture], list[str]]:
    """Download the pictures `wanted` for one article (`fetch`): one request at a time to each
    host, at most `parallel` hosts at once, no retries (as for the page itself). Returns the
    pictures held, by address, and a warning for each that was not."""
    by_host: dict[str, list[str]] = {}
    for address in dict.fromkeys(item.url for item in wanted):
        by_host.setdefault(_host(address), []).append(address)
    pictures: dict[str, Picture] = {}
    failures: dict[str, NewsArchiveError] = {}
    lock = threading.Lock()

    def one_host(addresses: list[str]) -> None:
        for address in addresses:
            try:
                picture = get_picture(
                    address,
                    client=client,
                    options=options,
                    limits=limits,
                    files=files,
                    page_url=page_url,
                )
            except NewsArchiveError as exc:
                with lock:
                    failures[address] = exc
            else:
                with lock:
                    pictures[address] = picture

    if by_host:
        with ThreadPoolExecutor(max_workers=min(parallel, len(by_host))) as pool:
            for done in pool.map(one_host, by_host.values()):
                del done
    warnings = []
    for address in dict.fromkeys(item.url for item in wanted):
        if address in failures and (line := refusal(address, failures[address])):
            warnings.append(line)
    return pictures, warnings


@dataclass
class Kept:
    """The pictures of one article, as it is written."""

    by_ref: dict[str, StoredImage] = field(default_factory=dict)  # Markdown address -> picture
    images: list[StoredImage] = field(default_factory=list)  # each file once, in order
    responses: list[FetchedPage] = field(default_factory=list)  # for the capture, with bodies
    warnings: list[str] = field(default_factory=list)


def keep(
    wanted: Iterable[Wanted],
    pictures: Mapping[str, Picture],
    files: ImageFiles,
    limits: ImageOptions,
    *,
    responses: bool = False,
    listed: Mapping[str, StoredImage] | None = None,
) -> Kept:
    """Name the held pictures of an article, in the order it shows them, while they fit in
    `limits.max_total`; drop the others. A picture not downloaded but `listed` already (by
    an earlier version of the article, its file whole) is shown from that file. With
    `responses`, also each picture's response with its body, for the article's capture."""
    kept = Kept()
    done: dict[str, StoredImage | None] = {}
    total = 0
    for item in wanted:
        if item.url not in done:
            picture = pictures.get(item.url)
            earlier = (listed or {}).get(item.url)
            if picture is None and earlier is not None and files.has(earlier.path, earlier.bytes):
                done[item.url] = earlier
                kept.images.append(earlier)
                total += earlier.bytes
            if picture is None:
                done.setdefault(item.url, None)
            elif total + (size := picture.pending.size) > limits.max_total:
                files.drop(picture.pending)
                done[item.url] = None
                kept.warnings.append(
                    f"picture not kept, the article links to it: {item.url}: over the limit of"
                    f" {describe_limit(limits.max_total)} of pictures for one article"
                )
            else:
                total += size
                done[item.url] = _named(item.url, picture, files, kept, responses)
        if (named := done[item.url]) is not None:
            kept.by_ref[url_key(item.ref)] = named
    return kept


def _named(
    url: str, picture: Picture, files: ImageFiles, kept: Kept, responses: bool
) -> StoredImage:
    """Name a held picture that is kept, and add it (and its response) to `kept`."""
    path = files.name(picture.pending)
    size, digest = picture.pending.size, picture.pending.sha256
    image = StoredImage(url, path, picture.media_type, size, digest)
    kept.images.append(image)
    if responses:
        body = files.read(path)
        kept.responses.append(dataclasses.replace(picture.response, raw=body))
    return image


class Galleries:
    """The articles waiting for their pictures while they download (an import's, an
    update's): how many each still waits for, those held, and why the others are not."""

    def __init__(self) -> None:
        self._waiting: dict[int, tuple[object, list[str], dict[str, Picture], dict[str, str]]] = {}

    def open(self, owner: object, addresses: list[str]) -> None:
        """`owner` (an article's task) waits for the pictures at `addresses`."""
        self._waiting[id(owner)] = (owner, addresses, {}, {})

    def settle(
        self, owner: object, url: str, picture: Picture | None, error: NewsArchiveError | None
    ) -> tuple[object, dict[str, Picture], list[str]] | None:
        """One picture of `owner` is in (or failed with `error`); when it was the last,
        `owner` with its pictures, by address, and the warnings, in the article's order."""
        entry = self._waiting.get(id(owner))
        if entry is None:  # nobody waits for it any more
            return None
        _, addresses, pictures, failures = entry
        if picture is not None:
            pictures[url] = picture
        elif error is not None and (line := refusal(url, error)) is not None:
            failures[url] = line
        else:
            failures[url] = ""
        if len(pictures) + len(failures) < len(addresses):
            return None
        del self._waiting[id(owner)]
        warnings = [failures[url] for url in addresses if failures.get(url)]
        return owner, pictures, warnings

    def drop(self, files: ImageFiles) -> None:
        """Forget every article still waiting, and the pictures held for them."""
        for _, _, pictures, _ in self._waiting.values():
            drop_all(pictures, files)
        self._waiting.clear()


def drop_all(pictures: Mapping[str, Picture], files: ImageFiles) -> None:
    """Forget every held picture (the article was not written)."""
    for picture in pictures.values():
        files.drop(picture.pending)
