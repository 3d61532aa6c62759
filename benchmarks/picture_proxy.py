"""The benchmark's news server as a forward proxy that answers for every host: the pages' own
hosts (127.0.0.N) with their pages, and every other host with pictures.

    .venv/bin/python benchmarks/import_server.py --pictures /tmp/ca.pem
    SSL_CERT_FILE=/tmp/ca.pem newsarchive import --proxy http://127.0.0.1:PORT list.txt

The corpus keeps the pages, not their pictures, so each picture is drawn: for an address
naming a size ("1200x675", "w=1920", "-1024x683.jpg", "_1024.jpg", "w_800"), a picture that
wide (of the nearest of a few widths, up to 2,048; 1,200 when it names none), 3:2, of photo
noise that JPEG compresses to about 0.2 bytes a pixel, as news photographs do; PNG, GIF and
WebP addresses get those formats. Every address gets different bytes (its address is written
into the picture's comment), so that pictures are stored once each as on a real site. The
pictures are drawn before the port is printed: serving one costs no CPU but the copy.

https:// addresses come through CONNECT: the proxy answers TLS as the host, with a certificate
from its own certificate authority (trustme), which it writes to CA_FILE for the client to
trust (SSL_CERT_FILE). Every response, robots.txt included, waits the server's latency.
"""

from __future__ import annotations

import asyncio
import io
import re
import ssl
import struct
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import trustme
from import_server import NewsServer
from PIL import Image

WIDTHS = (160, 320, 480, 640, 800, 1024, 1200, 1600, 2048)
DEFAULT_WIDTH = 1200
_SIZE_HINTS = (
    re.compile(r"(?<!\d)(\d{3,4})x\d{2,4}(?!\d)"),
    re.compile(r"[?&](?:w|width|resize)=(\d{2,4})\b"),
    re.compile(r"[/_,]w_(\d{2,4})\b"),
    re.compile(r"_(\d{3,4})\.(?:jpe?g|png|webp|gif)\b", re.IGNORECASE),
)
_KINDS = {".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
_NEAREST = Image.Resampling.NEAREST
_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
ROBOTS = b"User-agent: *\nDisallow:\n"


def _width(url: str) -> int:
    for pattern in _SIZE_HINTS:
        if match := pattern.search(url):
            wanted = int(match.group(1))
            return min(WIDTHS, key=lambda width: abs(width - wanted))
    return DEFAULT_WIDTH


def _draw(kind: str, width: int) -> bytes:
    """A picture of photo-like noise: smooth enough for JPEG's 0.2 bytes a pixel."""
    height = width * 2 // 3
    small = (max(1, width // 8), max(1, height // 8))
    channels = [Image.effect_noise(small, 50 + 10 * n).resize((width, height)) for n in range(3)]
    picture = Image.merge("RGB", channels)
    buffer = io.BytesIO()
    if kind == "JPEG":
        picture.save(buffer, "JPEG", quality=80)
    elif kind == "WEBP":
        picture.save(buffer, "WEBP", quality=80)
    else:  # graphics (charts, maps, screenshots): flat areas of a few colours
        blocks = Image.effect_noise((max(1, width // 16), max(1, height // 16)), 80)
        flat = blocks.point(lambda value: value // 64 * 64).resize((width, height), _NEAREST)
        flat.convert("P").save(buffer, kind)
    return buffer.getvalue()


def _marked(kind: str, data: bytes, mark: bytes) -> bytes:
    """`data` made unique by `mark`, in a comment its format ignores."""
    mark = mark[:60000]
    if kind == "JPEG":  # a COM segment after SOI
        return data[:2] + b"\xff\xfe" + struct.pack(">H", len(mark) + 2) + mark + data[2:]
    if kind == "PNG":  # a tEXt chunk after IHDR
        chunk = b"tEXt" + b"Comment\x00" + mark
        text = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
        return data[:33] + text + data[33:]
    if kind == "GIF":  # a comment extension before the trailer
        blocks = b"".join(bytes([len(part)]) + part for part in _pieces(mark, 255))
        return data[:-1] + b"\x21\xfe" + blocks + b"\x00" + data[-1:]
    # WebP: an unknown chunk after the picture, counted in the RIFF size
    chunk = b"MARK" + struct.pack("<I", len(mark)) + mark + b"\x00" * (len(mark) % 2)
    body = data[8:] + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


class PictureProxy(NewsServer):
    def __init__(self, pages: dict[str, tuple[str, bytes]], latency: float, ca_file: Path):
        super().__init__(pages, latency)
        self.authority = trustme.CA()
        ca_file.write_bytes(self.authority.cert_pem.bytes())
        self.contexts: dict[str, ssl.SSLContext] = {}
        self.drawn = {(kind, width): _draw(kind, width) for kind in _TYPES for width in WIDTHS}
        self.pictures = 0
        self.picture_bytes = 0

    def context(self, host: str) -> ssl.SSLContext:
        if host not in self.contexts:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.authority.issue_cert(host).configure_cert(context)
            self.contexts[host] = context
        return self.contexts[host]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readline()
        if not request.startswith(b"CONNECT "):
            await self.serve(reader, writer, request)
            return
        host = request.split()[1].decode("latin-1").rsplit(":", 1)[0]
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            await writer.drain()
            await writer.start_tls(self.context(host))
        except (ConnectionError, ssl.SSLError):
            writer.close()
            return
        await self.serve(reader, writer, origin=f"https://{host}")

    async def answer(self, target: str, origin: str | None) -> tuple[int, str, bytes]:
        url = f"{origin}{target}" if origin else target
        parts = urlsplit(url)
        if not parts.hostname or parts.hostname.startswith("127."):  # the pages' hosts
            return await super().answer(
                parts.path + (f"?{parts.query}" if parts.query else ""), None
            )
        await asyncio.sleep(self.latency)
        if parts.path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS
        kind = _KINDS.get(Path(parts.path).suffix.lower(), "JPEG")
        body = _marked(kind, self.drawn[kind, _width(url)], url.encode("utf-8", "replace"))
        self.pictures += 1
        self.picture_bytes += len(body)
        return 200, _TYPES[kind], body
