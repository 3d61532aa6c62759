"""WARC captures: written from a real HTTP response, read back with warcio's own reader."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from httpserver import LoopbackServer
from newsarchive.capture import (
    Capture,
    capture_path,
    check_capture,
    default_captures_root,
    read_capture,
    write_capture,
)
from newsarchive.errors import StoreError
from newsarchive.fetch import fetch, make_client
from newsarchive.models import FetchedPage, FetchOptions

PAGE = "<html><body><article><p>Привет, мир: the archived words.</p></article></body></html>"


def fetched(server: LoopbackServer, path: str = "/story", **headers: str) -> FetchedPage:
    options = FetchOptions()
    with make_client(options) as client:
        return fetch(server.url(path), client=client, options=options)


def test_a_fetched_response_round_trips_through_warcio(
    server: LoopbackServer, tmp_path: Path
) -> None:
    body = gzip.compress(PAGE.encode("utf-8"))
    server.add(
        "/story",
        body,
        headers={"Content-Encoding": "gzip", "X-Served-By": "loopback"},
    )
    page = fetched(server)
    capture = write_capture(page, tmp_path, "2021/09/story.warc.gz", software="newsarchive test")
    assert capture.path == "2021/09/story.warc.gz"
    assert capture.sha256 == hashlib.sha256(PAGE.encode("utf-8")).hexdigest()

    with open(tmp_path / capture.path, "rb") as handle:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Record-ID"), r.http_headers,
             r.raw_stream.read())
            for r in ArchiveIterator(handle)
        ]  # fmt: skip
    assert [r[0] for r in records] == ["warcinfo", "response"]
    _, record_id, http, stored = records[1]
    assert record_id == capture.record_id
    assert stored == PAGE.encode("utf-8")  # stored decoded, so replay tools need no guessing
    assert http.get_statuscode() == "200"
    assert http.get_header("X-Served-By") == "loopback"
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("X-Newsarchive-Original-Content-Encoding") == "gzip"
    assert http.get_header("Content-Length") == str(len(stored))

    url, status, headers, body_back = read_capture(tmp_path, capture)
    assert (url, status, body_back) == (server.url("/story"), 200, PAGE.encode("utf-8"))
    assert ("x-served-by", "loopback") in headers
    assert check_capture(tmp_path, capture) is None


def test_captures_are_never_overwritten(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/story", PAGE)
    page = fetched(server)
    first = write_capture(page, tmp_path, "a/story.warc.gz", software="t")
    second = write_capture(page, tmp_path, "a/story.warc.gz", software="t")
    assert (first.path, second.path) == ("a/story.warc.gz", "a/story-2.warc.gz")
    assert first.record_id != second.record_id
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "story-2.warc.gz",
        "story.warc.gz",
    ]


def test_check_reports_a_missing_or_altered_capture(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/story", PAGE)
    capture = write_capture(fetched(server), tmp_path, "story.warc.gz", software="t")
    altered = Capture(capture.path, capture.record_id, "0" * 64)
    assert check_capture(tmp_path, altered) == "the captured body does not match its sha256"
    wrong_id = Capture(capture.path, "<urn:uuid:00000000-0000-0000-0000-000000000000>", "0" * 64)
    assert "no record" in (check_capture(tmp_path, wrong_id) or "")
    (tmp_path / capture.path).write_bytes(b"not a warc at all")
    assert "not a WARC file" in (check_capture(tmp_path, capture) or "")
    (tmp_path / capture.path).unlink()
    assert "cannot read the capture" in (check_capture(tmp_path, capture) or "")
    with pytest.raises(StoreError):
        read_capture(tmp_path, capture)


def test_paths() -> None:
    page = FetchedPage(
        url="https://example.org/a",
        final_url="https://example.org/a",
        status=200,
        content_type="text/html",
        fetched_at=datetime(2026, 11, 23, 10, 41, 33, tzinfo=UTC),
    )
    assert capture_path("2021/09/2021-09-14-mali.md", page) == (
        "2021/09/2021-09-14-mali.20261123T104133Z.warc.gz"
    )
    assert default_captures_root(Path("/data/archive")) == Path("/data/archive-captures")


def test_a_saved_file_is_not_a_response(tmp_path: Path) -> None:
    page = FetchedPage(
        url="",
        final_url="",
        status=None,
        content_type="text/html",
        raw=PAGE.encode(),
        fetched_at=datetime.now(UTC),
        local_path="saved.html",
    )
    with pytest.raises(ValueError):
        write_capture(page, tmp_path, "x.warc.gz", software="t")
