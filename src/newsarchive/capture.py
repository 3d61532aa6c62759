"""Raw captures: the exact HTTP response behind each archived article, as a WARC file.

Each fetch is kept as one gzipped WARC file (ISO 28500, written by warcio, readable by pywb,
replayweb.page and warcio itself): a `warcinfo` record, then the `response` record with the
status line, the headers and the body. The body is stored as newsarchive received it after
content decoding, so `Content-Encoding` and `Transfer-Encoding` are dropped from the stored
headers and `Content-Length` states the stored length; the original values are kept as
`X-Newsarchive-Original-*` headers.

Captures live outside the Markdown archive (by default in a sibling directory named
`<archive>-captures`) so that `grep -r archive/` never meets compressed binary files. The
article's front-matter names its capture: the path relative to the captures root, the WARC
record id and the sha256 of the body.
"""

from __future__ import annotations

import hashlib
import io
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path, PurePosixPath
from typing import Any

from newsarchive.errors import StoreError
from newsarchive.leftovers import write_temp
from newsarchive.models import FetchedPage

_DROPPED = {"content-encoding", "transfer-encoding", "content-length"}
_REASONS = {200: "OK", 203: "Non-Authoritative Information"}


@dataclass(frozen=True)
class Capture:
    """Where a capture is and how to check it."""

    path: str  # relative to the captures root, with "/" separators
    record_id: str  # the response record's WARC-Record-ID, "<urn:uuid:...>"
    sha256: str  # hex digest of the stored body


def default_captures_root(archive_root: Path) -> Path:
    """`archive/` keeps its captures in `archive-captures/`, next to it."""
    root = archive_root.expanduser().resolve()
    return root.with_name(f"{root.name}-captures")


def capture_path(article_path: str, page: FetchedPage) -> str:
    """The capture's path for an article file: same directories and name, plus the fetch time
    (each fetch is a new capture; none is ever overwritten)."""
    rel = PurePosixPath(article_path)
    stamp = page.fetched_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return str(rel.with_name(f"{rel.stem}.{stamp}.warc.gz"))


@dataclass(frozen=True)
class Sealed:
    """A capture made ready to write, by CPU work that needs no disk (an import does it in
    its extraction processes): the file's bytes, where it goes and how to check it."""

    rel: str  # where it goes, relative to the captures root (a clash adds "-2", ...)
    data: bytes  # the gzipped WARC records
    record_id: str  # the response record's WARC-Record-ID
    sha256: str  # hex digest of the stored body


def seal_capture(page: FetchedPage, rel: str, *, software: str) -> Sealed:
    """The WARC file for `page` at `rel` (the `warcinfo` record, then the `response`
    record), gzipped, and its reference; nothing is written."""
    if page.status is None:
        raise ValueError("only HTTP responses are captured")
    # Imported on use: warcio takes ~0.1 s to load, and most commands never write a capture.
    from warcio.warcwriter import WARCWriter

    # Records are written plain and gzipped here, one gzip member each as WARC readers expect:
    # warcio's own gzip runs at level 9, twice the CPU of level 6 for 1 % smaller files.
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            PurePosixPath(rel).name, {"software": software, "format": "WARC File Format 1.1"}
        )
    )
    info = _gzip_member(buffer.getvalue())
    record_id, member = _response_record(writer, buffer, page)
    return Sealed(rel, info + member, record_id, hashlib.sha256(page.raw).hexdigest())


def write_capture(
    page: FetchedPage | Sealed,
    root: Path,
    rel: str,
    *,
    software: str,
    responses: Sequence[FetchedPage] = (),
) -> Capture:
    """Write `page` as a WARC file at `root/rel` atomically (or the capture sealed already,
    `seal_capture`, at its own `rel`) and return its reference; the `responses` that go
    with it (the article's pictures) follow as records of their own.

    Raises StoreError when the file cannot be written. An existing file is never replaced:
    a second fetch within the same second gets a "-2" suffix.
    """
    sealed = page if isinstance(page, Sealed) else seal_capture(page, rel, software=software)
    members = [sealed.data]
    if responses:
        from warcio.warcwriter import WARCWriter

        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=False, warc_version="1.1")
        for response in responses:
            members.append(_response_record(writer, buffer, response, level=_STORED_LEVEL)[1])
    path = _write_new(root, sealed.rel, b"".join(members))
    return Capture(
        path=path.relative_to(root).as_posix(), record_id=sealed.record_id, sha256=sealed.sha256
    )


def _response_record(
    writer: Any, buffer: io.BytesIO, page: FetchedPage, *, level: int = 6
) -> tuple[str, bytes]:
    """One `response` record for `page`, gzipped: its WARC-Record-ID and its bytes."""
    from warcio.statusandheaders import StatusAndHeaders

    assert page.status is not None
    buffer.seek(0)
    buffer.truncate()
    body = page.raw
    headers: list[tuple[str, str]] = []
    for name, value in page.headers:
        if name.lower() in _DROPPED:
            headers.append((f"X-Newsarchive-Original-{name.title()}", value))
        else:
            headers.append((name, value))
    headers.append(("Content-Length", str(len(body))))
    reason = _REASONS.get(page.status, "")
    http_headers = StatusAndHeaders(f"{page.status} {reason}".strip(), headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        page.final_url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict={
            "WARC-Date": page.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    writer.write_record(record)
    return str(record.rec_headers.get_header("WARC-Record-ID")), _gzip_member(
        buffer.getvalue(), level
    )


# Pictures are compressed already: deflate would spend CPU for nothing, so their records are
# gzip members that store the bytes as they are.
_STORED_LEVEL = 0


def _gzip_member(data: bytes, level: int = 6) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


def _write_new(root: Path, rel: str, data: bytes) -> Path:
    target = root / rel
    try:
        temp = write_temp(target, data)
        try:
            return link_new(temp, target)
        finally:
            temp.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(str(target), f"cannot write the capture: {exc.strerror or exc}") from exc


def link_new(temp: Path, target: Path) -> Path:
    """Give the complete file `temp` the name `target`, or the first of "-2", "-3", ...
    that is free (a second fetch within the same second), and return it; `temp` is left
    as it is. Raises StoreError when no name is free, OSError when the file cannot be
    linked."""
    for number in range(1, 1000):
        name = target if number == 1 else _numbered(target, number)
        try:
            os.link(temp, name)  # fails if the name exists: never overwrite
        except FileExistsError:
            continue
        return name
    raise StoreError(str(target), "too many captures with this name")


def _numbered(path: Path, number: int) -> Path:
    name = path.name.removesuffix(".warc.gz")
    return path.with_name(f"{name}-{number}.warc.gz")


def read_capture(root: Path, capture: Capture) -> tuple[str, int, list[tuple[str, str]], bytes]:
    """The captured response: (URL, status, headers, body). Raises StoreError when the file or
    the record is missing or unreadable."""
    from warcio.archiveiterator import ArchiveIterator

    path = root / capture.path
    records = 0
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if not str(record.format).startswith("warc"):
                    break  # warcio reads any text as an old ARC file
                records += 1
                if record.rec_headers.get_header("WARC-Record-ID") != capture.record_id:
                    continue
                body = record.content_stream().read()
                http = record.http_headers
                status = int(http.get_statuscode()) if http else 0
                headers = list(http.headers) if http else []
                url = str(record.rec_headers.get_header("WARC-Target-URI"))
                return url, status, headers, body
    except OSError as exc:
        raise StoreError(str(path), f"cannot read the capture: {exc.strerror or exc}") from exc
    except Exception as exc:  # warcio raises assorted errors on damaged files
        raise StoreError(str(path), f"damaged capture: {exc}") from exc
    if not records:
        raise StoreError(str(path), "not a WARC file")
    raise StoreError(str(path), f"no record {capture.record_id} in the capture")


def read_responses(
    root: Path, path: str
) -> Iterator[tuple[str, int, list[tuple[str, str]], bytes]]:
    """Every response the capture at `root/path` holds, in order: (URL, status, headers, body).
    Raises StoreError when the file is missing or unreadable."""
    from warcio.archiveiterator import ArchiveIterator

    file = root / path
    try:
        with open(file, "rb") as handle:
            for record in ArchiveIterator(handle):
                if not str(record.format).startswith("warc"):
                    raise StoreError(str(file), "not a WARC file")
                if record.rec_type != "response":
                    continue
                http = record.http_headers
                status = int(http.get_statuscode()) if http else 0
                headers = list(http.headers) if http else []
                url = str(record.rec_headers.get_header("WARC-Target-URI"))
                yield url, status, headers, record.content_stream().read()
    except StoreError:
        raise
    except OSError as exc:
        raise StoreError(str(file), f"cannot read the capture: {exc.strerror or exc}") from exc
    except Exception as exc:  # warcio raises assorted errors on damaged files
        raise StoreError(str(file), f"damaged capture: {exc}") from exc


def check_capture(root: Path, capture: Capture) -> str | None:
    """None when the capture exists and its body matches the recorded sha256; else the problem."""
    try:
        _, _, _, body = read_capture(root, capture)
    except StoreError as exc:
        return exc.detail
    if hashlib.sha256(body).hexdigest() != capture.sha256:
        return "the captured body does not match its sha256"
    return None
