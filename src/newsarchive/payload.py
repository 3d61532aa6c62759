"""A response body's bytes: inflated within a size limit, and what their first bytes show.

`collect()` joins a body's chunks through `Inflater`, a gzip/deflate decompressor that never
produces more than it is asked for, so neither a huge page nor a gzip bomb is held in memory;
`sniff()` and `not_html()` tell what a body is from its first bytes. `fetch` reads downloads and
saved files through it; nothing here does any I/O.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from newsarchive.errors import ContentError

_PIECE = 256 * 1024  # largest piece of decompressed output produced at once
# Decompressed bytes per compressed byte above which an oversized body is called a bomb.
# Ordinary HTML compresses 5-20x; a bomb of zeros or spaces, about 1000x.
_BOMB_RATIO = 100


class TooLarge(Exception):
    """The body passed the size limit (raised by `collect` as soon as it does)."""


class BadCompression(Exception):
    """The body is not valid gzip or deflate data; `truncated` when it stops before its end."""

    def __init__(self, detail: str, *, truncated: bool = False) -> None:
        super().__init__(detail)
        self.truncated = truncated


class Inflater:
    """gzip/deflate decompression that never produces more than it is asked for.

    A gzip body may be several members one after the other (RFC 1952, section 2.2; `cat
    a.gz b.gz`, and some servers send them so): each member gets a decompressor of its own,
    started on the bytes that follow the one before. Bytes after the last member that do not
    start another are ignored, as gzip itself does.
    """

    _MAGIC = b"\x1f\x8b"

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._raw_deflate = False
        self._started = False
        self._obj = self._new()
        self._between = False  # a member ended; the next one has not started
        self._done = False  # the stream ended; anything more is ignored
        self._carry = b""  # the first byte of what may be the next member's header
        self.consumed = 0  # compressed bytes read so far

    def _new(self) -> zlib._Decompress:
        if self.coding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _decompress(self, data: bytes, max_length: int) -> bytes:
        try:
            out = self._obj.decompress(data, max_length)
        except zlib.error as exc:
            if self.coding == "deflate" and not self._started and not self._raw_deflate:
                # "deflate" should be zlib-wrapped, but many servers send raw deflate.
                self._raw_deflate = True
                self._obj = self._new()
                return self._decompress(data, max_length)
            raise BadCompression(str(exc)) from exc
        self._started = True
        return out

    def _next_member(self, pending: bytes) -> bool:
        """Start the member `pending` begins with; False when there is none (yet)."""
        if len(pending) < len(self._MAGIC) and self._MAGIC.startswith(pending):
            self._carry = pending  # too short to tell: wait for the next bytes
            return False
        if not pending.startswith(self._MAGIC):
            self._done = True  # trailing bytes that are not another member
            return False
        self._obj, self._between = self._new(), False
        return True

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        """Decompress `data` in pieces of at most _PIECE bytes; stop once more than `room`
        bytes came out. An empty `data` drains what zlib still holds."""
        pending, self._carry = self._carry + data, b""
        while not self._done:
            if self._between and not (pending and self._next_member(pending)):
                return
            max_length = min(max(room, 0) + 1, _PIECE)
            out = self._decompress(pending, max_length)
            if self._obj.eof:
                rest = self._obj.unused_data  # what follows the member, of this input only
                self.consumed += len(pending) - len(rest)
                pending = rest
                self._done = self.coding == "deflate"
                self._between = not self._done
            else:
                tail = self._obj.unconsumed_tail
                self.consumed += len(pending) - len(tail)
                pending = tail
            if out:
                yield out
                room -= len(out)
                if room < 0:
                    return
            # Input left, or a full output buffer (zlib may hold more): go on.
            if not pending and len(out) < max_length and not self._between:
                return

    def finish(self, room: int) -> Iterator[bytes]:
        """Drain buffered output; raise if the compressed stream stopped before its end."""
        yield from self.feed(b"", room)
        ended = self._done or self._between or self._obj.eof
        if not ended and self.coding != "deflate":
            raise BadCompression("the compressed data ends early", truncated=True)


def collect(chunks: Iterable[bytes], inflater: Inflater | None, limit: int) -> bytes:
    """Join decoded chunks, raising TooLarge as soon as they pass `limit` bytes.

    At most `limit` decoded bytes plus one raw chunk and one decompressed piece are held.
    """
    parts: list[bytes] = []
    total = 0
    for chunk in chunks:
        pieces = inflater.feed(chunk, limit - total) if inflater is not None else (chunk,)
        for piece in pieces:
            total += len(piece)
            if total > limit:
                raise TooLarge
            parts.append(piece)
    if inflater is not None:
        for piece in inflater.finish(limit - total):
            total += len(piece)
            if total > limit:
                raise TooLarge
            parts.append(piece)
    return b"".join(parts)


def too_large(url: str, inflater: Inflater | None, limit: int) -> ContentError:
    """The error for a body `collect` found over `limit`: a compression bomb when a little
    compressed data inflated that far."""
    if inflater is not None and inflater.consumed * _BOMB_RATIO < limit:
        return ContentError(
            url,
            f"compression bomb: {describe_size(inflater.consumed)} of {inflater.coding} data "
            f"inflates to more than the {describe_limit(limit)} limit",
            reason="compression bomb",
        )
    return ContentError(
        url, f"response is over the {describe_limit(limit)} limit", reason="too large"
    )


def describe_size(n: int) -> str:
    """A measured size: 1073741824 -> "1.0 GB"."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024:
            return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def describe_limit(n: int) -> str:
    """A configured limit, whole when it is: 20971520 -> "20 MB"."""
    size = describe_size(n)
    return size.replace(".0 ", " ") if size.endswith("B") else size


# Signatures of common non-HTML bodies, for responses that send no Content-Type.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"RIFF", "application/octet-stream"),  # WebP, WAV, AVI
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)
# Tags the WHATWG MIME Sniffing Standard looks for at the start of an HTML document, plus a
# few that modern pages open with.
_HTML_TAGS = (
    b"!doctype html", b"html", b"head", b"script", b"iframe", b"h1", b"div", b"font", b"table",
    b"a", b"style", b"title", b"b", b"body", b"br", b"p", b"meta", b"link", b"article",
    b"main", b"header", b"nav", b"section",
)  # fmt: skip
_TAG_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r", b"\x0c")


# What the first bytes show a body labelled HTML to be instead: a file format, or JSON.
_PLAINLY_NOT_HTML = frozenset({media for _, media in _SIGNATURES} | {"application/json"})


def not_html(raw: bytes) -> str | None:
    """The media type of a body that is plainly not HTML whatever its label says (a PDF,
    an image, an archive, JSON), else None. (NUL bytes alone say nothing: UTF-16 has them.)"""
    media_type = sniff(raw)
    if media_type == "application/octet-stream" and not raw.startswith(b"RIFF"):
        return None
    return media_type if media_type in _PLAINLY_NOT_HTML else None


def sniff(raw: bytes) -> str:
    """The media type the first bytes of an unlabelled body suggest."""
    head = raw[:1024]
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c").lower()
    if text.startswith(b"<?xml"):
        return "application/xhtml+xml" if b"<html" in raw[:4096].lower() else "application/xml"
    if text.startswith(b"<!--"):
        return "text/html"
    for tag in _HTML_TAGS:
        start = b"<" + tag
        if text.startswith(start) and text[len(start) : len(start) + 1] in _TAG_ENDS:
            return "text/html"
    if text.startswith((b"{", b"[")):
        return "application/json"
    if b"\x00" in head:
        return "application/octet-stream"
    return "text/plain"
