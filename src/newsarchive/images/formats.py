"""What a downloaded picture is: its format read from its own bytes, checked against the type
the server claimed, and its size in pixels.

A structural check, not a decoder: each format's signature and header are read (the JPEG
segments up to the first frame, PNG's IHDR and IEND chunks, WebP's RIFF and frame headers,
the ISO box of AVIF and HEIF, an SVG's root element), which is enough to refuse an HTML error
page, a JSON answer, an empty or truncated body and a picture that is not the type its
Content-Type says, and to learn its width and height (so that tracking pixels and spacers are
not kept). Decoding every pixel (Pillow) would also catch damage inside the compressed data,
but it would run a native decoder over untrusted bytes in the process that coordinates the
downloads, for pictures that are stored as served anyway (their sha256 and the WARC record
prove what the server sent), and a viewer shows a damaged picture as far as it goes.
Standard library only; microseconds a picture.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

__all__ = ["EXTENSIONS", "BadImage", "ImageFormat", "canonical_type", "identify"]


class BadImage(ValueError):
    """The body is not a picture of the type claimed; the message says why, in a few words."""


@dataclass(frozen=True)
class ImageFormat:
    """A picture's format, read from its bytes."""

    media_type: str  # canonical, e.g. "image/jpeg"
    width: int | None  # pixels, when the header says
    height: int | None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]


# Canonical media type -> file extension (viewers choose how to show a file by its extension).
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/svg+xml": "svg",
    "image/bmp": "bmp",
    "image/tiff": "tif",
    "image/x-icon": "ico",
    "image/jxl": "jxl",
}
# Other names servers use for the same formats.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/jfif": "image/jpeg",
    "image/x-png": "image/png",
    "image/apng": "image/png",
    "image/heif": "image/heic",
    "image/heic-sequence": "image/heic",
    "image/heif-sequence": "image/heic",
    "image/avif-sequence": "image/avif",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "image/vnd.microsoft.icon": "image/x-icon",
    "image/ico": "image/x-icon",
    "image/svg": "image/svg+xml",
}
_NAMES = {
    "image/jpeg": "a JPEG",
    "image/png": "a PNG",
    "image/gif": "a GIF",
    "image/webp": "a WebP",
    "image/avif": "an AVIF",
    "image/heic": "a HEIF",
    "image/svg+xml": "an SVG",
    "image/bmp": "a BMP",
    "image/tiff": "a TIFF",
    "image/x-icon": "an icon",
    "image/jxl": "a JPEG XL",
}


def canonical_type(media_type: str | None) -> str | None:
    """The canonical name of an image media type (None for anything that is not image/*)."""
    if not media_type:
        return None
    name = media_type.split(";", 1)[0].strip().lower()
    if not name.startswith("image/"):
        return None
    return _ALIASES.get(name, name)


def identify(data: bytes, claimed: str | None) -> ImageFormat:
    """The format of `data`, which the server says is `claimed` (a Content-Type, or None when
    it sent none). Raises BadImage unless the bytes are a picture of that type (of any known
    type when nothing was claimed)."""
    if not data:
        raise BadImage("empty body (0 bytes)")
    wanted = canonical_type(claimed)
    if claimed is not None and wanted is None:
        raise BadImage(f"not an image ({claimed.split(';', 1)[0].strip()})")
    found = _sniff(data)
    if found is None:
        raise BadImage(f"{_what(claimed)}, but the body {_looks_like(data)}")
    if wanted is not None and wanted not in EXTENSIONS:
        raise BadImage(f"unknown image type {wanted}")
    if wanted is not None and found != wanted:
        raise BadImage(f"{_what(claimed)}, but the body is {_NAMES[found]} picture")
    width, height = _READERS[found](data)
    if width is not None and height is not None and (width <= 0 or height <= 0):
        raise BadImage(f"{_NAMES[found]} picture of {width}×{height} pixels")
    return ImageFormat(found, width, height)


def _what(claimed: str | None) -> str:
    return f"served as {claimed.split(';', 1)[0].strip()}" if claimed else "no Content-Type"


_TEXT_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(<|\{|\[)")


def _looks_like(data: bytes) -> str:
    head = data[:512]
    match = _TEXT_START.match(head)
    if match:
        lowered = head.lower()
        if match.group(1) != b"<":
            return "is JSON"
        if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered:
            return "is an HTML page"
        return "is markup, not a picture"
    if not head.strip():
        return "is blank"
    return "is not a picture of a known format"


# ---------------------------------------------------------------------------------------------
# Signatures

_FTYP_BRANDS = {
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"hevc": "image/heic",
    b"hevx": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"mif1": "image/heic",
    b"msf1": "image/heic",
}
_SVG_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?"
    rb"(?:(?:<!--.*?-->|<!DOCTYPE[^>[]*(?:\[.*?\])?\s*>)\s*)*<(?:\w+:)?svg[\s>/]",
    re.DOTALL | re.IGNORECASE,
)


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return _ftyp_type(data)
    if data.startswith(b"BM") and len(data) >= 26:
        return "image/bmp"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if data.startswith(b"\x00\x00\x01\x00") and len(data) >= 22:
        return "image/x-icon"
    if data.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "image/jxl"
    if _SVG_ROOT.match(data[:4096]):
        return "image/svg+xml"
    return None


def _ftyp_type(data: bytes) -> str | None:
    size = struct.unpack(">I", data[:4])[0]
    brands = [data[8:12]]
    brands += [data[i : i + 4] for i in range(16, min(size, len(data), 64), 4)]
    for brand in brands:  # the major brand first, then the compatible ones
        if brand in _FTYP_BRANDS:
            return _FTYP_BRANDS[brand]
    return None


# ---------------------------------------------------------------------------------------------
# Headers: width and height, and the structure that says the body is whole

Size = tuple[int | None, int | None]


def _jpeg(data: bytes) -> Size:
    pos, size = 2, None
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise BadImage("a damaged JPEG picture (bad segment marker)")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            raise BadImage("a damaged JPEG picture (bad segment length)")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and size is None:
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            size = (width, height)
        if marker == 0xDA:  # start of scan: the compressed picture follows
            if size is None:
                raise BadImage("a damaged JPEG picture (no frame header)")
            if data.rfind(b"\xff\xd9") < pos:
                raise BadImage("a truncated JPEG picture (no end marker)")
            return size
        pos += 2 + length
    raise BadImage("a truncated JPEG picture")


def _png(data: bytes) -> Size:
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise BadImage("a damaged PNG picture (no IHDR chunk)")
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(data[12:29]) != crc:
        raise BadImage("a damaged PNG picture (bad IHDR checksum)")
    if b"IEND" not in data[-12:]:
        raise BadImage("a truncated PNG picture (no IEND chunk)")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _gif(data: bytes) -> Size:
    if len(data) < 13:
        raise BadImage("a truncated GIF picture")
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


def _webp(data: bytes) -> Size:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data):
        raise BadImage("a truncated WebP picture")
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise BadImage("a damaged WebP picture (no frame header)")


def _iso_box(data: bytes) -> Size:
    """AVIF and HEIF: the first image spatial extent ("ispe") property, when it is near the
    start (it is in the `meta` box, which comes before the picture data)."""
    at = data.find(b"ispe", 0, 1 << 16)
    if at < 0 or at + 16 > len(data):
        return None, None
    width, height = struct.unpack(">II", data[at + 8 : at + 16])
    return width, height


_SVG_SIZE = re.compile(rb"""\s(width|height)\s*=\s*["']\s*([0-9.]+)\s*(?:px)?\s*["']""")
_SVG_VIEWBOX = re.compile(
    rb"""\sviewBox\s*=\s*["']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)\s*["']"""
)


def _svg(data: bytes) -> Size:
    match = _SVG_ROOT.match(data[:4096])
    assert match is not None
    tag_end = data.find(b">", match.end() - 1)
    tag = data[match.end() - 1 : tag_end if tag_end > 0 else len(data)]
    sizes = {name.decode(): value for name, value in _SVG_SIZE.findall(tag)}
    try:
        if "width" in sizes and "height" in sizes:
            return round(float(sizes["width"])), round(float(sizes["height"]))
        if box := _SVG_VIEWBOX.search(tag):
            return round(float(box.group(1))), round(float(box.group(2)))
    except ValueError:
        pass
    return None, None  # drawn to fit: no size of its own


def _bmp(data: bytes) -> Size:
    width, height = struct.unpack("<ii", data[18:26])
    return width, abs(height)


def _ico(data: bytes) -> Size:
    return data[6] or 256, data[7] or 256


def _unknown(data: bytes) -> Size:
    return None, None


_READERS = {
    "image/jpeg": _jpeg,
    "image/png": _png,
    "image/gif": _gif,
    "image/webp": _webp,
    "image/avif": _iso_box,
    "image/heic": _iso_box,
    "image/svg+xml": _svg,
    "image/bmp": _bmp,
    "image/tiff": _unknown,
    "image/x-icon": _ico,
    "image/jxl": _unknown,
}
