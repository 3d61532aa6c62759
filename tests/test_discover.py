"""discover.py: feeds, sitemaps, OPML and bookmark files, parsed from fixtures and fetched
end to end from a loopback server."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from httpserver import PAGES, LoopbackServer, html_page
from newsarchive import discover
from newsarchive.discover import (
    Entry,
    Filters,
    compile_match,
    http_getter,
    is_bookmarks,
    iter_feeds,
    iter_sitemap,
    parse_bookmarks,
    parse_feed,
    parse_opml,
    parse_sitemap,
    read_bookmarks,
    read_feed,
    read_opml,
    select,
)
from newsarchive.errors import ContentError, HTTPStatusError, NewsArchiveError, UsageError
from newsarchive.fetch import fetch, make_client
from newsarchive.models import FetchOptions

FIXTURES = Path(__file__).parent / "fixtures" / "discover"
GAZETTE = "https://gazette.example"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def urls(entries: list[Entry]) -> list[str]:
    return [entry.url for entry in entries]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> str:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()


class Recorder:
    """A `get` that serves a dict of documents and records every URL asked for."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        self.documents = documents
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        if url not in self.documents:
            raise ContentError(url, "no such document in the test", reason="missing")
        return self.documents[url]


def index_of(*locs: str) -> bytes:
    items = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{items}</sitemapindex>"
    ).encode()


def urlset_of(*locs: str) -> bytes:
    items = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{items}</urlset>"
    ).encode()


# -- feeds ------------------------------------------------------------------------------------


def test_rss2_feed() -> None:
    source = f"{GAZETTE}/feed.xml"
    assert parse_feed(fixture("rss2.xml"), source) == [
        Entry(
            url=f"{GAZETTE}/2024/05/02/bridge-approved?utm_source=rss",
            title="Council approves the new & longer bridge",
            published="2024-05-02T18:45:00+02:00",
            source=source,
        ),
        Entry(
            url=f"{GAZETTE}/2024/05/01/ferry-timetable",  # relative link, resolved on the feed
            title='Ferry timetable: "summer" schedule starts',
            published="2024-05-01T23:30:00-05:00",  # the publisher's offset is kept
            source=source,
        ),
        Entry(
            url=f"{GAZETTE}/2024/04/28/festival",  # from <guid isPermaLink="true">
            title="Harbour festival returns",
            published=utc(2024, 4, 28, 9),
            source=source,
        ),
        Entry(url=f"{GAZETTE}/letters/2024-04", title="Letters to the editor", source=source),
        # The item with neither link nor permalink guid has no URL to archive.
    ]


def test_rss1_feed() -> None:
    source = "https://review.example/rss"
    assert parse_feed(fixture("rss1.rdf"), source) == [
        Entry(
            url="https://review.example/essays/tides",
            title="On tides and timetables",
            published="2024-03-15T08:00:00+01:00",
            source=source,
        ),
        Entry(
            url="https://review.example/reviews/lighthouse-book",
            title="Review: The Last Lighthouse Keeper",
            published="2024-03-10",  # dc:date gave a day: it stays a day
            source=source,
        ),
    ]


def test_atom_feed() -> None:
    source = "https://wire.example/atom.xml"
    assert parse_feed(fixture("atom.xml"), source) == [
        Entry(
            url="https://wire.example/news/storm-warning",  # rel=alternate, on xml:base
            title="Storm warning extended to Sunday",  # an HTML title, as text
            published="2024-05-03T06:15:00-04:00",  # <published> wins over <updated>
            source=source,
        ),
        Entry(
            url="https://wire.example/news/fishing-quotas",  # no link: the id is a URL
            title="Fishing quotas announced",
            published=utc(2024, 5, 2, 16, 20),
            source=source,
        ),
        # The entry whose id is a tag: URI and that has no link is left out.
    ]


def test_rss091_feed_with_its_netscape_doctype() -> None:
    entries = parse_feed(fixture("rss091.xml"), "http://bulletin.example/rss091.xml")
    assert [(e.url, e.title, e.published) for e in entries] == [
        ("http://bulletin.example/cafe-reopens.html", "Café reopens on the quay", None),
        ("http://bulletin.example/tides-june.html", "Tide tables for June", None),
    ]


def test_gzipped_feed() -> None:
    entries = parse_feed(gzip.compress(fixture("atom.xml")), "https://wire.example/atom.xml.gz")
    assert urls(entries) == [
        "https://wire.example/news/storm-warning",
        "https://wire.example/news/fishing-quotas",
    ]


def test_empty_feed_has_no_entries() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(data, "https://quiet.example/feed") == []


def test_sitemap_is_not_a_feed() -> None:
    with pytest.raises(ContentError) as info:
        parse_feed(fixture("sitemap.xml"), f"{GAZETTE}/sitemap.xml")
    assert str(info.value) == f"{GAZETTE}/sitemap.xml: a sitemap, not a feed"
    assert info.value.reason == "not a feed"


def test_garbage_is_not_a_feed() -> None:
    with pytest.raises(ContentError) as info:
        parse_feed(b"\x00\x01 not xml at all <<<", "https://x.example/feed")
    assert str(info.value).startswith("https://x.example/feed: not a feed (")


def test_html_page_given_as_feed_names_the_feeds_it_links_to() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Gazette</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        b'<link rel="alternate" type="application/atom+xml" href="https://gazette.example/atom">'
        b'<link rel="stylesheet" href="/site.css"></head><body><p>Hello</p></body></html>'
    )
    with pytest.raises(ContentError) as info:
        parse_feed(page, f"{GAZETTE}/")
    assert str(info.value) == (
        f"{GAZETTE}/: an HTML page, not a feed (it links to: {GAZETTE}/feed.xml, {GAZETTE}/atom)"
    )


def test_feed_entities_do_not_expand() -> None:
    # feedparser keeps only entities that stand for plain text; the nested ones stay unexpanded.
    doctype = fixture("billion-laughs.xml").split(b"<urlset")[0].replace(b"urlset", b"rss")
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>&lol9;</title><link>https://e.example/a</link></item></channel></rss>"
    )
    entries = parse_feed(doctype + body, "https://e.example/feed")
    assert urls(entries) == ["https://e.example/a"]
    assert entries[0].title is not None and len(entries[0].title) < 100


def test_feed_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<rss version="2.0"><channel><title>t</title>'
        "<item><title>&xxe;</title><link>https://e.example/a</link></item></channel></rss>"
    ).encode()
    entries = parse_feed(data, "https://e.example/feed")
    assert urls(entries) == ["https://e.example/a"]
    assert "TOP-SECRET" not in repr(entries)


# -- sitemaps ---------------------------------------------------------------------------------


def test_urlset() -> None:
    source = f"{GAZETTE}/sitemap.xml"
    entries, children = parse_sitemap(fixture("sitemap.xml"), source)
    assert children == []
    assert entries == [
        Entry(f"{GAZETTE}/2024/05/02/bridge-approved", None, "2024-05-02T18:50:00+02:00", source),
        Entry(f"{GAZETTE}/2024/04/30/market-day", None, "2024-04-30", source),
        Entry(f"{GAZETTE}/about", None, None, source),
        Entry(f"{GAZETTE}/2024/03/archive-page", None, "2024-03", source),  # W3C month
        Entry(f"{GAZETTE}/2023/12/31/year-review", None, None, source),  # unreadable lastmod
    ]


def test_google_news_sitemap() -> None:
    source = f"{GAZETTE}/sitemap-news.xml"
    entries, _ = parse_sitemap(fixture("news-sitemap.xml"), source)
    assert entries == [
        Entry(
            f"{GAZETTE}/2024/05/03/storm-closes-port",
            "Storm closes the port for two days",
            "2024-05-03T07:30:00+02:00",
            source,
        ),
        Entry(
            f"{GAZETTE}/2024/05/02/bridge-approved",
            "Council approves the new & longer bridge",
            "2024-05-02",  # news:publication_date, not the later <lastmod>
            source,
        ),
    ]


def test_sitemap_index_lists_children_resolved_with_their_lastmod() -> None:
    entries, children = parse_sitemap(fixture("sitemap-index.xml"), f"{GAZETTE}/sitemap-index.xml")
    assert entries == []
    assert children == [
        (f"{GAZETTE}/sitemap-news.xml", "2024-05-03T08:00:00+02:00"),
        (f"{GAZETTE}/sitemap-2024-04.xml.gz", "2024-04-30"),
        (f"{GAZETTE}/sitemap-index.xml", None),
        (f"{GAZETTE}/sitemap-news.xml", None),
        (f"{GAZETTE}/sitemap-2019-01.xml", "2019-01-31"),
    ]


def test_gzipped_sitemap_by_its_magic_bytes() -> None:
    data = fixture("sitemap-2024-04.xml.gz")
    assert data[:2] == b"\x1f\x8b"
    for source in (f"{GAZETTE}/sitemap-2024-04.xml.gz", f"{GAZETTE}/sitemap?page=4"):
        entries, _ = parse_sitemap(data, source)
        assert urls(entries) == [
            f"{GAZETTE}/2024/04/30/market-day",
            f"{GAZETTE}/2024/04/28/festival",
        ]


def test_text_sitemap() -> None:
    data = b"\xef\xbb\xbfhttps://gazette.example/a\r\n\r\n  https://gazette.example/b  \n"
    entries, children = parse_sitemap(data, f"{GAZETTE}/sitemap.txt")
    assert (urls(entries), children) == ([f"{GAZETTE}/a", f"{GAZETTE}/b"], [])


def test_text_that_is_not_a_list_of_urls_is_refused() -> None:
    with pytest.raises(ContentError) as info:
        parse_sitemap(b"https://gazette.example/a\nhello world\n", f"{GAZETTE}/sitemap.txt")
    assert str(info.value) == (
        f"{GAZETTE}/sitemap.txt: not a sitemap (line 2 is not an http(s) URL: 'hello world')"
    )


def test_feed_used_as_a_sitemap() -> None:
    entries, children = parse_sitemap(fixture("rss091.xml"), "http://bulletin.example/rss")
    assert children == []
    assert urls(entries) == [
        "http://bulletin.example/cafe-reopens.html",
        "http://bulletin.example/tides-june.html",
    ]


def test_billion_laughs_sitemap_is_refused() -> None:
    with pytest.raises(ContentError) as info:
        parse_sitemap(fixture("billion-laughs.xml"), "https://e.example/sitemap.xml")
    assert str(info.value) == (
        "https://e.example/sitemap.xml: refused: the document has a DOCTYPE declaration"
    )
    assert info.value.reason == "DOCTYPE refused"


def test_sitemap_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://e.example/TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<urlset><url><loc>&xxe;</loc></url></urlset>"
    ).encode()
    with pytest.raises(ContentError, match="DOCTYPE declaration"):
        parse_sitemap(data, "https://e.example/sitemap.xml")


def test_invalid_xml_sitemap() -> None:
    with pytest.raises(ContentError) as info:
        parse_sitemap(b"<urlset><url><loc>https://e.example/a</url></urlset>", "https://e/s")
    assert info.value.reason == "bad XML"
    assert str(info.value).startswith("https://e/s: not valid XML (mismatched tag: line 1")


def test_other_xml_is_not_a_sitemap() -> None:
    with pytest.raises(ContentError) as info:
        parse_sitemap(b"<?xml version='1.0'?><catalog><book/></catalog>", "https://e/s")
    assert str(info.value) == "https://e/s: not a sitemap (root element <catalog>)"


@pytest.mark.parametrize("unit", [b"<?a?>", b"<!--a-->", b"<!DOCTYPE a [ ] >", b" "])
def test_crafted_prologs_are_refused_at_once(unit: bytes) -> None:
    # Reading the root element's name must take linear time: a backtracking pattern would
    # take exponential time on these.
    data = unit * 2000 + b"x"
    with pytest.raises(ContentError) as info:
        parse_feed(data, "https://e/feed")
    assert info.value.reason == "not a feed"
    with pytest.raises(ContentError):
        parse_sitemap(data, "https://e/s")


def test_truncated_gzip_is_refused() -> None:
    data = fixture("sitemap-2024-04.xml.gz")[:-30]
    with pytest.raises(ContentError) as info:
        parse_sitemap(data, "https://e/s.xml.gz")
    assert info.value.reason == "bad gzip"


def test_gzip_bomb_is_refused_without_inflating_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover, "MAX_DOCUMENT_BYTES", 1024 * 1024)
    bomb = gzip.compress(b"<urlset>" + b" " * (4 * 1024 * 1024) + b"</urlset>")
    assert len(bomb) < 10_000
    with pytest.raises(ContentError) as info:
        parse_sitemap(bomb, "https://e/s.xml.gz")
    assert str(info.value) == "https://e/s.xml.gz: inflates to more than the 1 MB limit"
    assert info.value.reason == "too large"


# -- following sitemap indexes -----------------------------------------------------------------


def test_index_cycle_ends_and_each_sitemap_is_fetched_once() -> None:
    get = Recorder(
        {
            "https://e/a.xml": index_of("https://e/b.xml", "https://e/a.xml", "https://e/c.xml"),
            "https://e/b.xml": index_of("https://e/a.xml", "https://e/c.xml"),
            "https://e/c.xml": urlset_of("https://e/story-1", "https://e/story-2"),
        }
    )
    entries = list(iter_sitemap("https://e/a.xml", get))
    assert urls(entries) == ["https://e/story-1", "https://e/story-2"]
    assert get.calls == ["https://e/a.xml", "https://e/b.xml", "https://e/c.xml"]


def test_endless_nesting_stops_at_the_depth_limit() -> None:
    calls: list[str] = []

    def get(url: str) -> bytes:  # every index links to a new one
        calls.append(url)
        return index_of(f"{url}/next")

    errors: list[tuple[str, NewsArchiveError]] = []
    assert list(iter_sitemap("https://e/i", get, on_error=lambda u, e: errors.append((u, e)))) == []
    assert len(calls) == discover.MAX_SITEMAP_DEPTH + 1
    assert [(url, error.reason) for url, error in errors] == [
        ("https://e/i" + "/next" * (discover.MAX_SITEMAP_DEPTH + 1), "sitemaps nested too deep")
    ]
    with pytest.raises(ContentError, match="nested more than"):
        list(iter_sitemap("https://e/i", get))


def test_failing_child_goes_to_on_error_and_the_rest_is_read() -> None:
    get = Recorder(
        {
            "https://e/index.xml": index_of("https://e/gone.xml", "https://e/ok.xml"),
            "https://e/ok.xml": urlset_of("https://e/story"),
        }
    )
    errors: list[tuple[str, NewsArchiveError]] = []
    entries = list(
        iter_sitemap("https://e/index.xml", get, on_error=lambda u, e: errors.append((u, e)))
    )
    assert urls(entries) == ["https://e/story"]
    assert [(url, str(error)) for url, error in errors] == [
        ("https://e/gone.xml", "https://e/gone.xml: no such document in the test")
    ]
    with pytest.raises(ContentError, match="gone.xml"):
        list(iter_sitemap("https://e/index.xml", get))


def test_top_level_sitemap_failure_always_raises() -> None:
    get = Recorder({})
    with pytest.raises(ContentError):
        list(iter_sitemap("https://e/missing.xml", get, on_error=lambda u, e: None))


def test_since_skips_children_last_modified_before_it() -> None:
    index = (
        b'<?xml version="1.0"?><sitemapindex>'
        b"<sitemap><loc>https://e/2024-05.xml</loc><lastmod>2024-05-31</lastmod></sitemap>"
        b"<sitemap><loc>https://e/2024-04.xml</loc><lastmod>2024-04</lastmod></sitemap>"
        b"<sitemap><loc>https://e/2024-03.xml</loc><lastmod>2024-03-31T23:00:00Z</lastmod></sitemap>"
        b"<sitemap><loc>https://e/undated.xml</loc></sitemap>"
        b"</sitemapindex>"
    )
    documents = {"https://e/index.xml": index}
    for name in ("2024-05", "2024-04", "2024-03", "undated"):
        documents[f"https://e/{name}.xml"] = urlset_of(f"https://e/{name}/story")
    get = Recorder(documents)
    entries = list(iter_sitemap("https://e/index.xml", get, since=date(2024, 4, 15)))
    assert urls(entries) == [
        "https://e/2024-05/story",
        "https://e/2024-04/story",
        "https://e/undated/story",
    ]
    assert "https://e/2024-03.xml" not in get.calls


def test_limit_stops_fetching_child_sitemaps() -> None:
    get = Recorder(
        {
            "https://e/index.xml": index_of("https://e/1.xml", "https://e/2.xml"),
            "https://e/1.xml": urlset_of("https://e/a", "https://e/b", "https://e/c"),
            "https://e/2.xml": urlset_of("https://e/d"),
        }
    )
    entries = list(select(iter_sitemap("https://e/index.xml", get), Filters(limit=2)))
    assert urls(entries) == ["https://e/a", "https://e/b"]
    assert get.calls == ["https://e/index.xml", "https://e/1.xml"]
    assert list(select(iter_sitemap("https://e/none.xml", get), Filters(limit=0))) == []
    assert "https://e/none.xml" not in get.calls


def test_iter_feeds_reports_a_failing_feed_and_reads_the_others() -> None:
    get = Recorder(
        {
            "https://wire.example/atom.xml": fixture("atom.xml"),
            "https://gazette.example/sitemap.xml": fixture("sitemap.xml"),
            "https://review.example/rss": fixture("rss1.rdf"),
        }
    )
    feeds = [
        "https://wire.example/atom.xml",
        f"{GAZETTE}/sitemap.xml",
        "https://review.example/rss",
    ]
    errors: list[tuple[str, str]] = []
    entries = list(iter_feeds(feeds, get, on_error=lambda u, e: errors.append((u, e.reason))))
    assert urls(entries) == [
        "https://wire.example/news/storm-warning",
        "https://wire.example/news/fishing-quotas",
        "https://review.example/essays/tides",
        "https://review.example/reviews/lighthouse-book",
    ]
    assert errors == [(f"{GAZETTE}/sitemap.xml", "not a feed")]
    with pytest.raises(ContentError, match="a sitemap, not a feed"):
        list(iter_feeds(feeds, get))


# -- OPML -------------------------------------------------------------------------------------


def test_opml_lists_every_feed_once_in_order() -> None:
    assert read_opml(FIXTURES / "feeds.opml") == [
        "https://gazette.example/feed.xml",
        "https://wire.example/atom.xml",  # from a nested folder
        "https://review.example/rss",
        "http://bulletin.example/rss091.xml",  # xmlurl, as some exporters spell it
    ]


def test_opml_relative_feed_resolves_on_a_url_source() -> None:
    assert parse_opml(fixture("feeds.opml"), "https://lists.example/me/feeds.opml")[3] == (
        "https://lists.example/me/feeds/local.xml"
    )


def test_opml_with_a_doctype_is_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "b">]><opml><body/></opml>'
    with pytest.raises(ContentError, match="DOCTYPE declaration"):
        parse_opml(data, "feeds.opml")


def test_not_opml() -> None:
    with pytest.raises(ContentError) as info:
        parse_opml(fixture("sitemap.xml"), "subscriptions.xml")
    assert str(info.value) == "subscriptions.xml: not an OPML file (root element <urlset>)"


def test_missing_opml_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.opml"
    with pytest.raises(ContentError) as info:
        read_opml(missing)
    assert str(info.value) == f"{missing}: no such file"


# -- bookmarks --------------------------------------------------------------------------------


def test_netscape_bookmarks() -> None:
    path = FIXTURES / "bookmarks.html"
    source = str(path)
    assert read_bookmarks(path) == [
        Entry(
            f"{GAZETTE}/2024/05/02/bridge-approved",
            "Council approves the new & longer bridge",
            utc(2024, 5, 2, 17),  # ADD_DATE 1714669200
            source,
        ),
        # javascript: and place: bookmarks are not pages to archive.
        Entry(
            "https://review.example/essays/tides",
            "On tides and timetables",  # the title spans two lines in the file
            utc(2024, 3, 15, 7),
            source,
        ),
        Entry(
            "https://wire.example/news/storm-warning",
            "Storm warning extended — Sunday",
            utc(2024, 5, 3, 10, 15),  # an ADD_DATE in microseconds
            source,
        ),
        Entry("http://bulletin.example/cafe-reopens.html", "Café reopens", None, source),
    ]


def test_pocket_export() -> None:
    path = FIXTURES / "pocket.html"
    assert [(e.url, e.title, e.published) for e in read_bookmarks(path)] == [
        (
            "https://wire.example/news/fishing-quotas",
            "Fishing quotas announced",
            utc(2024, 5, 2, 16, 20),
        ),
        ("https://gazette.example/2024/04/28/festival", None, utc(2024, 4, 28, 9)),  # title = URL
        (
            "https://review.example/reviews/lighthouse-book",
            "Review: The Last Lighthouse Keeper",
            utc(2024, 3, 10, 9),
        ),
    ]


def test_bookmark_file_in_an_old_single_byte_charset() -> None:
    data = '<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><DT><A HREF="http://e.example/">Caf\xe9</A></DL>'
    entries = parse_bookmarks(data.encode("cp1252"), "old.htm")
    assert [(e.url, e.title) for e in entries] == [("http://e.example/", "Café")]


def test_is_bookmarks() -> None:
    assert is_bookmarks(fixture("bookmarks.html"))
    assert is_bookmarks(fixture("pocket.html"))
    assert not is_bookmarks((PAGES / "moscowtimes-mali.html").read_bytes())
    assert not is_bookmarks(fixture("feeds.opml"))


def test_an_article_page_is_not_a_bookmark_file() -> None:
    path = PAGES / "moscowtimes-mali.html"
    with pytest.raises(ContentError) as info:
        read_bookmarks(path)
    assert info.value.reason == "not bookmarks"


# -- filters ----------------------------------------------------------------------------------


DATED = [
    Entry("https://e/may-2", published="2024-05-02T18:45:00+02:00"),
    Entry("https://e/may-1-late", published="2024-05-01T23:30:00-05:00"),  # May 2 in UTC
    Entry("https://e/april", published="2024-04"),
    Entry("https://e/year", published="2023"),
    Entry("https://e/undated"),
    Entry("https://e/bad-date", published="someday"),
]


def picked(filters: Filters, entries: list[Entry] = DATED) -> list[str]:
    return [entry.url.removeprefix("https://e/") for entry in select(entries, filters)]


def test_since_and_until_are_inclusive_days_in_the_publishers_offset() -> None:
    assert picked(Filters(since=date(2024, 5, 2))) == ["may-2", "undated", "bad-date"]
    assert picked(Filters(until=date(2024, 5, 1))) == [
        "may-1-late",
        "april",
        "year",
        "undated",
        "bad-date",
    ]
    assert picked(Filters(since=date(2024, 5, 1), until=date(2024, 5, 1))) == [
        "may-1-late",
        "undated",
        "bad-date",
    ]


def test_partial_dates_cover_their_whole_month_or_year() -> None:
    assert picked(Filters(since=date(2024, 4, 30), until=date(2024, 4, 30))) == [
        "april",
        "undated",
        "bad-date",
    ]
    assert picked(Filters(since=date(2023, 12, 31), until=date(2024, 3, 1))) == [
        "year",
        "undated",
        "bad-date",
    ]


def test_undated_entries_can_be_dropped() -> None:
    assert picked(Filters(since=date(2024, 5, 2), keep_undated=False)) == ["may-2"]
    # Without a date bound there is nothing to drop them for.
    assert len(picked(Filters(keep_undated=False))) == len(DATED)


def test_datetime_bound_counts_as_its_day() -> None:
    bound = datetime(2024, 5, 2, 23, 59, tzinfo=UTC)
    assert picked(Filters(since=bound, keep_undated=False)) == ["may-2"]


def test_match_is_a_regex_searched_in_the_url() -> None:
    assert picked(Filters(match=compile_match(r"may-\d"))) == ["may-2", "may-1-late"]
    assert picked(Filters(match=compile_match("^https://e/(year|april)$"))) == ["april", "year"]


def test_duplicates_are_dropped_by_their_canonical_url() -> None:
    entries = [
        Entry("https://E/story?utm_source=rss"),
        Entry("https://e/story#comments"),
        Entry("https://e/other"),
        Entry("https://e/story"),
    ]
    for filters in (Filters(), Filters(limit=2)):
        assert urls(list(select(entries, filters))) == [
            "https://E/story?utm_source=rss",
            "https://e/other",
        ]


def test_limit_counts_entries_after_filtering() -> None:
    assert picked(Filters(since=date(2024, 4, 1), limit=2, keep_undated=False)) == [
        "may-2",
        "may-1-late",
    ]


def test_bad_filters_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"invalid regular expression '\(unclosed'"):
        compile_match("(unclosed")
    with pytest.raises(UsageError, match="limit must be 0 or more"):
        Filters(limit=-1)
    with pytest.raises(UsageError, match=r"since \(2024-05-02\) is after until \(2024-05-01\)"):
        Filters(since=date(2024, 5, 2), until=date(2024, 5, 1))


# -- end to end over HTTP ----------------------------------------------------------------------


@pytest.fixture
def get(server: LoopbackServer) -> Iterator[Callable[[str], bytes]]:
    options = FetchOptions(timeout=10)
    with make_client(options) as client:
        yield http_getter(client, options)


def test_feed_over_http(server: LoopbackServer, get: Callable[[str], bytes]) -> None:
    server.add("/feed.xml", fixture("rss2.xml"), content_type="application/rss+xml")
    entries = read_feed(server.url("/feed.xml"), get)
    assert urls(entries) == [
        f"{GAZETTE}/2024/05/02/bridge-approved?utm_source=rss",
        server.url("/2024/05/01/ferry-timetable"),  # relative: resolved on the feed's URL
        f"{GAZETTE}/2024/04/28/festival",
        f"{GAZETTE}/letters/2024-04",
    ]
    assert {entry.source for entry in entries} == {server.url("/feed.xml")}
    assert server.requests == ["/feed.xml"]


def test_sitemap_index_with_its_children_over_http(
    server: LoopbackServer, get: Callable[[str], bytes]
) -> None:
    server.add("/sitemap-index.xml", fixture("sitemap-index.xml"), content_type="application/xml")
    # One child gzipped on the wire (Content-Encoding), one a gzipped file served as it is.
    server.add(
        "/sitemap-news.xml",
        gzip.compress(fixture("news-sitemap.xml")),
        content_type="text/xml; charset=utf-8",
        headers={"Content-Encoding": "gzip"},
    )
    server.add(
        "/sitemap-2024-04.xml.gz",
        fixture("sitemap-2024-04.xml.gz"),
        content_type="application/x-gzip",
    )
    server.add("/sitemap-2019-01.xml", fixture("sitemap-2019-01.xml"), content_type=None)

    entries = list(iter_sitemap(server.url("/sitemap-index.xml"), get))

    assert urls(entries) == [
        f"{GAZETTE}/2024/05/03/storm-closes-port",
        f"{GAZETTE}/2024/05/02/bridge-approved",
        f"{GAZETTE}/2024/04/30/market-day",
        f"{GAZETTE}/2024/04/28/festival",
        f"{GAZETTE}/2019/01/15/old-story",
    ]
    assert entries[0].source == server.url("/sitemap-news.xml")
    # The index lists itself and the news sitemap twice: still one request each.
    assert server.requests == [
        "/sitemap-index.xml",
        "/sitemap-news.xml",
        "/sitemap-2024-04.xml.gz",
        "/sitemap-2019-01.xml",
    ]


def test_sitemap_index_over_http_with_since_and_a_missing_child(
    server: LoopbackServer, get: Callable[[str], bytes]
) -> None:
    server.add("/sitemap-index.xml", fixture("sitemap-index.xml"), content_type="text/xml")
    server.add("/sitemap-2024-04.xml.gz", fixture("sitemap-2024-04.xml.gz"), content_type=None)
    errors: list[tuple[str, NewsArchiveError]] = []

    entries = iter_sitemap(
        server.url("/sitemap-index.xml"),
        get,
        since=date(2024, 1, 1),
        on_error=lambda url, error: errors.append((url, error)),
    )
    chosen = select(entries, Filters(since=date(2024, 4, 29)))

    assert urls(list(chosen)) == [f"{GAZETTE}/2024/04/30/market-day"]
    assert [(url, error.reason) for url, error in errors] == [
        (server.url("/sitemap-news.xml"), "HTTP 404"),
    ]
    assert isinstance(errors[0][1], HTTPStatusError)
    assert "/sitemap-2019-01.xml" not in server.requests  # its lastmod is before `since`


def test_html_page_at_a_feed_url_leads_to_the_feed_it_links_to(
    server: LoopbackServer, get: Callable[[str], bytes]
) -> None:
    page = html_page("Gazette").replace(
        b"</title>", b'</title><link rel="alternate" type="application/rss+xml" href="/rss">'
    )
    server.add("/", page)
    notes: list[str] = []
    # The linked feed is read in the page's place; when it fails, its error names it.
    with pytest.raises(HTTPStatusError) as info:
        read_feed(server.url("/"), get, on_note=notes.append)
    assert str(info.value) == f"{server.url('/rss')}: HTTP 404 Not Found"
    server.add(
        "/rss",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>G</title>'
        "<item><link>https://example.org/a</link></item></channel></rss>",
        content_type="application/rss+xml",
    )
    entries = read_feed(server.url("/"), get, on_note=notes.append)
    assert [entry.url for entry in entries] == ["https://example.org/a"]
    assert notes[-1] == (
        f"{server.url('/')} is a web page; reading the feed it links to: {server.url('/rss')}"
    )


def test_html_page_without_a_feed_is_not_a_feed(
    server: LoopbackServer, get: Callable[[str], bytes]
) -> None:
    server.add("/", html_page("Gazette"))
    with pytest.raises(ContentError) as info:
        read_feed(server.url("/"), get)
    assert str(info.value) == f"{server.url('/')}: an HTML page, not a feed"


def test_http_getter_refuses_types_that_are_neither_feed_nor_sitemap(
    server: LoopbackServer, get: Callable[[str], bytes]
) -> None:
    with pytest.raises(ContentError) as info:
        read_feed(server.url("/json"), get)
    assert str(info.value) == f"{server.url('/json')}: unexpected content type (application/json)"
    assert info.value.reason == "unexpected type"
    with pytest.raises(ContentError) as info:
        read_feed(server.url("/image"), get)
    assert info.value.reason == "unexpected type"


def test_feed_http_error_is_raised(server: LoopbackServer, get: Callable[[str], bytes]) -> None:
    with pytest.raises(HTTPStatusError) as info:
        read_feed(server.url("/status/410"), get)
    assert info.value.status == 410


def test_fetch_accept_returns_the_raw_body_and_keeps_html_only_by_default(
    server: LoopbackServer,
) -> None:
    body = fixture("atom.xml")
    server.add("/atom.xml", body, content_type="application/atom+xml")
    options = FetchOptions(timeout=10)
    with make_client(options) as client:
        page = fetch(
            server.url("/atom.xml"), client=client, options=options, accept=discover.DISCOVERY_TYPES
        )
        assert (page.raw, page.html, page.encoding) == (body, "", "")
        assert page.content_type == "application/atom+xml"
        with pytest.raises(ContentError) as info:
            fetch(server.url("/atom.xml"), client=client, options=options)
    assert str(info.value) == f"{server.url('/atom.xml')}: not an HTML page (application/atom+xml)"
    assert info.value.reason == "not HTML"


def test_unlabelled_xml_is_sniffed_and_accepted(
    server: LoopbackServer, get: Callable[[str], bytes]
) -> None:
    server.add("/sitemap.xml", fixture("sitemap.xml"), content_type=None)
    entries = list(iter_sitemap(server.url("/sitemap.xml"), get))
    assert urls(entries)[:2] == [
        f"{GAZETTE}/2024/05/02/bridge-approved",
        f"{GAZETTE}/2024/04/30/market-day",
    ]
    assert len(entries) == 5
