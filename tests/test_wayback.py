"""The Wayback Machine client (wayback.py) and its use by the pipeline, against a fake archive
on 127.0.0.1 (tests/httpserver.py, FakeWayback) that answers like the real endpoints."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpers import MT_URL, mt_page
from httpserver import TOOLBAR, FakeWayback, LoopbackServer
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
from newsarchive.fetch import StatusError, retry_after
from newsarchive.frontmatter import article_date, article_from_meta, loads
from newsarchive.models import Article, FetchOptions, Snapshot
from newsarchive.pipeline import archive_target, prepare, render_file
from newsarchive.store import Archive
from newsarchive.wayback import (
    WaybackOptions,
    availability_url,
    check_base,
    closest,
    falls_back,
    fetch_snapshot,
    parse_archive_url,
    parse_availability,
    save,
)

BASE = "https://web.archive.org"
URL = "https://example.org/2021/09/14/story"


@pytest.fixture
def client() -> Iterator[fetch_mod.Client]:
    with fetch_mod.make_client(FetchOptions(timeout=5)) as made:
        yield made


# -- the base URL ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://web.archive.org", "https://web.archive.org"),
        ("https://web.archive.org/", "https://web.archive.org"),
        (" http://127.0.0.1:8080/archive/ ", "http://127.0.0.1:8080/archive"),
    ],
)
def test_check_base_accepts_http_urls(value: str, expected: str) -> None:
    assert check_base(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("web.archive.org", "wayback_url: not an http(s) URL: 'web.archive.org'"),
        ("ftp://web.archive.org", "wayback_url: not an http(s) URL: 'ftp://web.archive.org'"),
        ("https://", "wayback_url: not an http(s) URL: 'https://'"),
        (
            "https://x.org/?a=1",
            "wayback_url: a base URL takes no query or fragment: 'https://x.org/?a=1'",
        ),
        ("https://x.org:99999", "wayback_url: bad port in 'https://x.org:99999'"),
    ],
)
def test_check_base_refuses_what_cannot_be_a_base(value: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_base(value)
    assert str(caught.value) == message


# -- the availability answer -------------------------------------------------------------------


def answer(closest_record: object) -> dict[str, object]:
    return {"url": URL, "archived_snapshots": {"closest": closest_record}}


def test_parse_availability_reads_the_closest_snapshot() -> None:
    data = answer(
        {
            "status": "200",
            "available": True,
            "url": "http://web.archive.org/web/20210914123456/https://example.org/2021/09/14/story",
            "timestamp": "20210914123456",
        }
    )
    snapshot = parse_availability(data, url=URL, base="http://127.0.0.1:9")
    assert snapshot == Snapshot(URL, "20210914123456", "http://127.0.0.1:9", 200)
    # Addresses are built on the base we were given, not on the host the API names.
    assert snapshot.archive_url == f"http://127.0.0.1:9/web/20210914123456/{URL}"
    assert snapshot.raw_url == f"http://127.0.0.1:9/web/20210914123456id_/{URL}"
    assert snapshot.captured == datetime(2021, 9, 14, 12, 34, 56, tzinfo=UTC)


def test_parse_availability_takes_the_original_url_the_archive_names() -> None:
    listed = "http://web.archive.org/web/20210914123456/http://example.org:80/2021/09/14/story"
    data = answer({"available": True, "url": listed, "timestamp": "20210914123456"})
    snapshot = parse_availability(data, url=URL, base=BASE)
    assert snapshot.url == "http://example.org:80/2021/09/14/story"
    assert snapshot.status is None  # not given: not invented


def test_parse_availability_completes_a_short_timestamp() -> None:
    data = answer({"available": True, "url": "garbage", "timestamp": "202109"})
    snapshot = parse_availability(data, url=URL + "#comments", base=BASE)
    assert snapshot.timestamp == "20210901000000"
    assert snapshot.url == URL  # no usable "url" in the record: the one asked for


@pytest.mark.parametrize(
    "data",
    [
        {"url": URL, "archived_snapshots": {}},
        {"url": URL, "archived_snapshots": {"closest": None}},
        answer({"available": False, "timestamp": "20210914123456", "url": URL}),
    ],
    ids=["none", "null", "unavailable"],
)
def test_parse_availability_without_a_snapshot(data: object) -> None:
    with pytest.raises(NoSnapshotError) as caught:
        parse_availability(data, url=URL, base=BASE)
    assert str(caught.value) == f"{URL}: Wayback: no snapshot"
    assert caught.value.reason == "no snapshot"


def test_a_snapshot_of_an_error_page_is_not_used() -> None:
    data = answer({"available": True, "status": "404", "timestamp": "20230102030405"})
    with pytest.raises(NoSnapshotError) as caught:
        parse_availability(data, url=URL, base=BASE)
    assert str(caught.value) == (
        f"{URL}: Wayback: no usable snapshot (the closest, from 2023-01-02, is an HTTP 404 page)"
    )


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ([], "a JSON array, not an object"),
        (None, "a JSON null, not an object"),
        ({"url": URL}, "no 'archived_snapshots' object"),
        ({"archived_snapshots": []}, "no 'archived_snapshots' object"),
        (answer("20210914123456"), "'closest' is not an object"),
        (answer({"available": True}), "no valid timestamp (None)"),
        (answer({"available": True, "timestamp": "yesterday"}), "no valid timestamp ('yesterday')"),
        (answer({"timestamp": "20211341000000"}), "no valid timestamp ('20211341000000')"),
    ],
)
def test_parse_availability_refuses_malformed_answers(data: object, detail: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_availability(data, url=URL, base=BASE)
    assert str(caught.value) == f"{URL}: Wayback: malformed availability answer: {detail}"
    assert caught.value.reason == "bad Wayback answer"


def test_availability_url_encodes_the_url() -> None:
    assert availability_url("https://x.org/a?b=1&c=2#top", BASE, "20210914") == (
        f"{BASE}/wayback/available?url=https%3A%2F%2Fx.org%2Fa%3Fb%3D1%26c%3D2&timestamp=20210914"
    )


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (f"{BASE}/web/20210914123456id_/{URL}", ("20210914123456", URL)),
        (f"{BASE}/web/20210914123456/{URL}?a=1", ("20210914123456", URL + "?a=1")),
        (f"{BASE}/web/2021/https:/example.org/a", ("2021", "https://example.org/a")),
        (f"{BASE}/web/20210914123456/not-a-url", None),
        (URL, None),
    ],
)
def test_parse_archive_url(address: str, expected: tuple[str, str] | None) -> None:
    assert parse_archive_url(address) == expected


# -- when to fall back -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NetworkError(URL, "cannot resolve host example.org", reason="DNS"), True),
        (NetworkError(URL, "connection refused", reason="connection refused"), True),
        (NetworkError(URL, "timeout: no data for 30 s (read)", reason="timeout"), True),
        (NetworkError(URL, "TLS error: CERTIFICATE_VERIFY_FAILED", reason="TLS"), True),
        (NetworkError(URL, "proxy error: refused", reason="proxy"), False),
        (StatusError(URL, 404, "Not Found"), True),
        (StatusError(URL, 410, "Gone"), True),
        (StatusError(URL, 403, "Forbidden"), True),
        (StatusError(URL, 503, "Service Unavailable"), True),
        (StatusError(URL, 407, "Proxy Authentication Required"), False),
        (ContentError(URL, "empty page", reason="empty page"), True),
        (ContentError(URL, "not an HTML page (application/pdf)", reason="not HTML"), False),
        (ContentError(URL, "response is over the 20 MB limit", reason="too large"), False),
        (ExtractionError(URL, "a bot check page (Cloudflare), not the article"), True),
        (ExtractionError(URL), True),
        (NoSnapshotError(URL, "Wayback: no snapshot"), False),
        (UsageError("bad template"), False),
    ],
)
def test_falls_back(error: NewsArchiveError, expected: bool) -> None:
    assert falls_back(error) is expected


def test_with_detail_keeps_class_reason_status_and_retry_hint() -> None:
    error = StatusError(URL, 503, "Service Unavailable", retry_after=30)
    said = with_detail(error, "HTTP 503 Service Unavailable; Wayback: no snapshot")
    assert type(said) is StatusError
    assert str(said) == f"{URL}: HTTP 503 Service Unavailable; Wayback: no snapshot"
    assert (said.reason, said.status, retry_after(said), said.url) == ("HTTP 503", 503, 30, URL)
    assert str(error) == f"{URL}: HTTP 503 Service Unavailable"  # the original is unchanged


# -- the endpoints, against the fake archive ---------------------------------------------------


def test_closest_asks_the_availability_api(wayback: FakeWayback, client: fetch_mod.Client) -> None:
    wayback.add(URL, "<html></html>", timestamp="20150101000000")
    wayback.add(URL, "<html></html>", timestamp="20210914123456")
    latest = closest(URL, client=client, base=wayback.base)
    assert latest == Snapshot(URL, "20210914123456", wayback.base, 200)
    early = closest(URL, client=client, base=wayback.base, timestamp="2016")
    assert early.timestamp == "20150101000000"
    assert wayback.lookups()[-1].endswith("&timestamp=2016")


def test_closest_without_a_snapshot(wayback: FakeWayback, client: fetch_mod.Client) -> None:
    with pytest.raises(NoSnapshotError) as caught:
        closest(URL, client=client, base=wayback.base)
    assert str(caught.value) == f"{URL}: Wayback: no snapshot"


def test_malformed_json_is_a_clear_error(wayback: FakeWayback, client: fetch_mod.Client) -> None:
    wayback.available_body = b'{"archived_snapshots": {"closest": '
    with pytest.raises(ContentError) as caught:
        closest(URL, client=client, base=wayback.base)
    assert str(caught.value).startswith(f"{URL}: Wayback: not valid JSON (Expecting value")
    assert caught.value.reason == "bad JSON"


def test_an_unavailable_archive_says_so(wayback: FakeWayback, client: fetch_mod.Client) -> None:
    wayback.available_status = 503
    wayback.available_body = b"<html><body>Down for maintenance</body></html>"
    with pytest.raises(HTTPStatusError) as caught:
        closest(URL, client=client, base=wayback.base)
    assert str(caught.value) == f"{URL}: Wayback: HTTP 503 Service Unavailable"
    assert caught.value.status == 503  # the batch engine retries it as any 503


def test_an_unreachable_archive_is_a_network_error(client: fetch_mod.Client) -> None:
    with pytest.raises(NetworkError) as caught:
        closest(URL, client=client, base="http://archive.invalid")
    assert str(caught.value) == f"{URL}: Wayback: cannot resolve host archive.invalid"


def test_fetch_snapshot_gets_the_original_bytes(
    wayback: FakeWayback, client: fetch_mod.Client
) -> None:
    wayback.add(MT_URL, mt_page(), timestamp="20230506070809")
    asked = Snapshot(MT_URL, "20230101000000", wayback.base)  # not a capture time
    page = fetch_snapshot(asked, client=client, options=FetchOptions())
    # The archive redirected to the exact capture; its address is where the page came from.
    assert page.final_url == f"{wayback.base}/web/20230506070809id_/{MT_URL}"
    assert page.redirects == (asked.raw_url,)
    assert page.url == MT_URL
    assert page.snapshot == Snapshot(MT_URL, "20230506070809", wayback.base)
    assert page.raw == mt_page()  # byte for byte: no toolbar, no rewritten links
    assert TOOLBAR.decode() not in page.html


def test_fetch_snapshot_follows_a_captured_redirect(
    wayback: FakeWayback, client: fetch_mod.Client
) -> None:
    old = "https://example.org/story?id=7"
    wayback.add(old, b"", status=301, location=MT_URL, timestamp="20230506070809")
    wayback.add(MT_URL, mt_page(), timestamp="20230506070809")
    page = fetch_snapshot(
        Snapshot(old, "20230506070809", wayback.base), client=client, options=FetchOptions()
    )
    assert page.snapshot is not None and page.snapshot.url == MT_URL
    article, keys = prepare(page, old)
    # The archive's own address is no key of the article; the site's URLs are.
    assert keys == [MT_URL, old]
    assert article.final_url == MT_URL


def test_fetch_snapshot_failure_names_the_archive(
    wayback: FakeWayback, client: fetch_mod.Client
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch_snapshot(
            Snapshot(URL, "20210914123456", wayback.base), client=client, options=FetchOptions()
        )
    assert str(caught.value) == f"{URL}: Wayback: HTTP 404 Not Found"


@pytest.mark.parametrize("mode", ["redirect", "content-location", "link"])
def test_save_returns_the_new_snapshot(
    wayback: FakeWayback, client: fetch_mod.Client, mode: str
) -> None:
    wayback.save_mode = mode
    address = save(URL + "#top", client=client, base=wayback.base)
    assert address == f"{wayback.base}/web/20261123120000/{URL}"
    assert wayback.saved == [URL]


@pytest.mark.parametrize(
    ("mode", "kind", "detail"),
    [
        (
            "429",
            HTTPStatusError,
            "Wayback: Save Page Now refused: HTTP 429 Too Many Requests "
            "(the archive limits how often it captures; try later)",
        ),
        ("502", HTTPStatusError, "Wayback: Save Page Now refused: HTTP 502 Bad Gateway"),
        ("error", ContentError, "Wayback: Save Page Now failed: LiveDocumentNotAvailableException"),
        (
            "none",
            ContentError,
            "Wayback: Save Page Now answered HTTP 200 without the address of a snapshot",
        ),
    ],
)
def test_save_failures_say_why(
    wayback: FakeWayback, client: fetch_mod.Client, mode: str, kind: type[FetchError], detail: str
) -> None:
    wayback.save_mode = mode
    with pytest.raises(kind) as caught:
        save(URL, client=client, base=wayback.base)
    assert str(caught.value) == f"{URL}: {detail}"
    if mode == "429":
        assert retry_after(caught.value) == 60


def test_save_to_an_unreachable_archive(client: fetch_mod.Client) -> None:
    with pytest.raises(NetworkError) as caught:
        save(URL, client=client, base="http://archive.invalid")
    assert (
        str(caught.value) == f"{URL}: Wayback: Save Page Now: cannot resolve host archive.invalid"
    )


# -- the pipeline ------------------------------------------------------------------------------


def test_archive_target_falls_back_to_the_snapshot(
    server: LoopbackServer, wayback: FakeWayback, tmp_path: Path
) -> None:
    url = server.url("/gone")
    wayback.add(url, mt_page(), timestamp="20230506070809")
    options = WaybackOptions(base=wayback.base, fallback=True)
    outcome = archive_target(url, Archive(tmp_path / "archive"), wayback=options)
    assert outcome.status == "archived"
    assert outcome.notes == (
        f"{url}: HTTP 404 Not Found; using the Wayback Machine's snapshot of 2023-05-06T07:08:09Z",
    )
    assert outcome.article is not None
    assert outcome.article.url == url  # its canonical link is on another site: not its identity
    assert outcome.article.extra["canonical"] == MT_URL
    assert outcome.article.final_url == url
    assert {k: outcome.article.extra.get(k) for k in ("via", "snapshot", "archive_url")} == {
        "via": "wayback",
        "snapshot": "2023-05-06T07:08:09Z",
        "archive_url": f"{wayback.base}/web/20230506070809/{url}",
    }
    # Dated by the publication, not by the capture.
    assert outcome.path.relative_to(tmp_path / "archive").parts[:2] == ("2021", "09")


def test_archive_target_never_asks_the_archive_by_default(
    server: LoopbackServer, wayback: FakeWayback, tmp_path: Path
) -> None:
    url = server.url("/gone")
    wayback.add(url, mt_page())
    with pytest.raises(HTTPStatusError) as caught:
        archive_target(url, Archive(tmp_path / "archive"))
    assert str(caught.value) == f"{url}: HTTP 404 Not Found"
    assert wayback.server.requests == []


# -- the file format ---------------------------------------------------------------------------


def test_wayback_keys_round_trip_and_date_an_undated_article() -> None:
    article = Article(
        url=URL,
        title="An undated story",
        body="Text of the story.",
        fetched=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        status=200,
        final_url=URL,
        extra={
            "via": "wayback",
            "snapshot": "2015-06-01T08:00:00Z",
            "archive_url": f"{BASE}/web/20150601080000/{URL}",
            "saved_snapshot": f"{BASE}/web/20261123120000/{URL}",
        },
    )
    meta, body = loads(render_file(article))
    keys = list(meta)
    assert keys[keys.index("final_url") + 1 : keys.index("sha256")] == [
        "via",
        "snapshot",
        "archive_url",
        "saved_snapshot",
    ]
    assert meta["snapshot"] == "2015-06-01T08:00:00Z"  # a string, not a YAML timestamp
    # An undated article from the archive is filed under its capture date, and says so.
    assert meta["date_source"] == "snapshot"
    assert article_date(article)[0] == datetime(2015, 6, 1, 8, 0, tzinfo=UTC)
    again = article_from_meta(meta, body)
    assert {k: again.extra[k] for k in article.extra} == article.extra
    dated = dataclasses.replace(article, published="2014-12-31")
    assert article_date(dated)[1] == "published"
