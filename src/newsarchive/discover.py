"""Find article URLs to archive: feeds, sitemaps, OPML lists of feeds, bookmark exports.

This is the only module that imports feedparser. Nothing here touches the network itself:
every function that reads a URL takes a `get(url) -> bytes` callable, so the CLI passes one
built on `newsarchive.fetch` (`http_getter`) with the user's options, and tests pass one backed
by a loopback server or by fixture files.

    get = http_getter(client, options)
    wanted = Filters(since=date(2024, 5, 1), match=compile_match(r"/politics/"), limit=50)
    for entry in select(iter_sitemap("https://example.org/sitemap.xml", get), wanted):
        print(entry.url, entry.published)

Formats:
- feeds: RSS 0.9x, 1.0 and 2.0, Atom 0.3 and 1.0 (feedparser);
- sitemaps: `<urlset>`, `<sitemapindex>` (children followed, each fetched once), Google News
  sitemaps (`news:publication_date`, `news:title`), plain-text sitemaps (one URL a line), and
  RSS/Atom feeds used as sitemaps, which the sitemap protocol allows; any of them gzipped;
- OPML: the `xmlUrl` of every outline, nested or not;
- Netscape bookmark files (Firefox, Chrome, Safari, Edge exports) and Pocket exports.

Sitemaps and OPML are parsed with the standard library's expat, refusing any DOCTYPE (and so
every entity declaration) before it can expand: no billion laughs, no external entities.
Feeds go through feedparser, which keeps only entity declarations that stand for plain text
(so nothing expands recursively) and never loads external entities.
"""

from __future__ import annotations

import calendar
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from io import BytesIO
from itertools import islice
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urljoin
from xml.parsers import expat

from newsarchive.decode import HTML_TYPES
from newsarchive.errors import ContentError, InvalidURLError, NewsArchiveError, UsageError
from newsarchive.fetch import Client, fetch, open_local
from newsarchive.models import FetchOptions
from newsarchive.urls import check_url, normalize_url

__all__ = [
    "DISCOVERY_TYPES",
    "MAX_DOCUMENT_BYTES",
    "Entry",
    "ErrorHandler",
    "Filters",
    "Getter",
    "compile_match",
    "http_getter",
    "is_bookmarks",
    "iter_feeds",
    "iter_sitemap",
    "parse_bookmarks",
    "parse_feed",
    "parse_opml",
    "parse_sitemap",
    "read_bookmarks",
    "read_feed",
    "read_opml",
    "select",
]

Getter = Callable[[str], bytes]
"""Returns the body of a URL, or raises a NewsArchiveError (usually a FetchError)."""

ErrorHandler = Callable[[str, NewsArchiveError], None]
"""Told about a feed or child sitemap that failed, so the others can still be read."""

# What a server may call a feed or a sitemap. text/html is there because misconfigured servers
# label feeds with it; octet-stream and gzip because .xml.gz files are served as such.
DISCOVERY_TYPES = HTML_TYPES | frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
        "application/xml",
        "text/xml",
        "text/plain",
        "application/gzip",
        "application/x-gzip",
        "application/octet-stream",
        "binary/octet-stream",
    }
)

# The sitemap protocol caps a sitemap at 50 MB uncompressed; also the cap for a gzipped
# document's inflated size, so a small compression bomb is refused.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# Sitemap indexes are not meant to nest at all; allow a few levels, and no more, so a server
# that makes up a new index URL on every request cannot keep us going forever.
MAX_SITEMAP_DEPTH = 5
# Sitemaps one --sitemap may lead to in all, and in a row without a page in them.
MAX_SITEMAPS = 5000
MAX_FRUITLESS_SITEMAPS = 100

_GZIP_MAGIC = b"\x1f\x8b"
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
_BOOKMARKS_MARKERS = (b"<!doctype netscape-bookmark-file-1>", b"<title>pocket export</title>")


@dataclass(frozen=True)
class Entry:
    """One article URL found in a feed, sitemap or bookmark file."""

    url: str
    title: str | None = None
    # ISO 8601 date or datetime (with the publisher's offset when known); a sitemap's
    # <lastmod> may be only "2024" or "2024-05". For a bookmark, the day it was saved.
    published: str | None = None
    source: str = ""  # the feed or sitemap URL, or the bookmark file's path


@dataclass(frozen=True)
class Filters:
    """Which entries to keep: `select(entries, filters)`.

    `since` and `until` are calendar days, both inclusive, compared with the entry's date as
    the publisher wrote it (a datetime bound counts as its day). Entries without a date are
    kept unless `keep_undated` is False: sitemaps often give no dates at all, and a `--since`
    that silently dropped every such URL would look like an empty sitemap. `match` is searched
    for in the URL. `limit` counts entries after filtering and de-duplication, in document
    order, and stops reading as soon as it is reached (no further child sitemaps are fetched).
    """

    since: date | None = None
    until: date | None = None
    match: re.Pattern[str] | None = None
    limit: int | None = None
    keep_undated: bool = True

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 0:
            raise UsageError(f"limit must be 0 or more, not {self.limit}")
        if self.since and self.until and _day(self.since) > _day(self.until):
            raise UsageError(f"since ({_day(self.since)}) is after until ({_day(self.until)})")

    def accepts(self, entry: Entry) -> bool:
        """Whether one entry passes the date and URL filters (`limit` aside)."""
        if self.match is not None and not self.match.search(entry.url):
            return False
        if self.since is None and self.until is None:
            return True
        span = _date_span(entry.published)
        if span is None:
            return self.keep_undated
        first, last = span
        if self.since is not None and last < _day(self.since):
            return False
        return not (self.until is not None and first > _day(self.until))


def compile_match(pattern: str) -> re.Pattern[str]:
    """Compile a `--match` regular expression, or raise UsageError saying what is wrong."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"invalid regular expression {pattern!r}: {exc}") from exc


def select(entries: Iterable[Entry], filters: Filters) -> Iterator[Entry]:
    """The entries that pass `filters`, each URL once, lazily, up to `filters.limit`."""
    seen: set[str] = set()

    def wanted() -> Iterator[Entry]:
        for entry in entries:
            try:
                key = normalize_url(entry.url)
            except InvalidURLError:  # callers may build entries by hand: skip, do not fail
                continue
            if key in seen or not filters.accepts(entry):
                continue
            seen.add(key)
            yield entry

    if filters.limit is None:
        return wanted()
    if filters.limit == 0:  # islice would still pull one entry, and so fetch a sitemap
        return iter(())
    return islice(wanted(), filters.limit)


# -- network ----------------------------------------------------------------------------------


def http_getter(client: Client, options: FetchOptions) -> Getter:
    """A `get` that downloads with newsarchive.fetch: its redirects, limits and errors.

    Gzipped bodies come back as they are; the parsers here inflate them within their own limit.
    """

    def get(url: str) -> bytes:
        return fetch(url, client=client, options=options, accept=DISCOVERY_TYPES).raw

    return get


def read_feed(
    url: str, get: Getter, *, on_note: Callable[[str], None] | None = None
) -> list[Entry]:
    """Download and parse one RSS or Atom feed. Given an HTML page instead, read the first feed
    the page links to (`<link rel="alternate" type="application/rss+xml">`), as feed readers
    do, and say so through `on_note`."""
    data = get(url)
    if _root_name(_inflate(data, url)) == "html":
        feeds = _feed_links(data, url)
        if feeds:
            others = f" (it also links to {', '.join(feeds[1:])})" if feeds[1:] else ""
            if on_note is not None:
                on_note(f"{url} is a web page; reading the feed it links to: {feeds[0]}{others}")
            return parse_feed(get(feeds[0]), feeds[0])
    return parse_feed(data, url)


def iter_feeds(
    urls: Iterable[str], get: Getter, *, on_error: ErrorHandler | None = None
) -> Iterator[Entry]:
    """The entries of several feeds (from an OPML file, say), one feed after the other.

    A feed that cannot be fetched or parsed is passed to `on_error` and skipped; without
    `on_error`, its error is raised.
    """
    for url in urls:
        try:
            entries = read_feed(url, get)
        except NewsArchiveError as exc:
            if on_error is None:
                raise
            on_error(url, exc)
            continue
        yield from entries


def iter_sitemap(
    url: str,
    get: Getter,
    *,
    since: date | None = None,
    on_error: ErrorHandler | None = None,
) -> Iterator[Entry]:
    """The entries of a sitemap, following a sitemap index down to its sitemaps, lazily.

    Each sitemap is fetched at most once, so an index that lists itself, or two indexes that
    list each other, still ends. A child sitemap whose index `<lastmod>` is before `since` is
    not fetched: nothing in it changed since then. A child that cannot be fetched or parsed is
    passed to `on_error` and skipped (without `on_error`, its error is raised); the sitemap at
    `url` itself always raises.
    """
    seen = {url}
    yield from _walk_sitemap(url, get, since, on_error, seen, depth=0, budget=_Budget())


@dataclass
class _Budget:
    """How many more sitemaps one `iter_sitemap` may read: MAX_SITEMAPS in all, and no more
    than MAX_FRUITLESS_SITEMAPS in a row that list no page (an index of indexes of empty
    sitemaps fans out without end, and `--limit`, which counts pages, would never stop it)."""

    read: int = 0
    fruitless: int = 0
    stopped: bool = False

    def spent(self) -> str | None:
        if self.read >= MAX_SITEMAPS:
            return f"stopped after reading {MAX_SITEMAPS} sitemaps"
        if self.fruitless >= MAX_FRUITLESS_SITEMAPS:
            return f"stopped after {MAX_FRUITLESS_SITEMAPS} sitemaps in a row that list no page"
        return None


def _walk_sitemap(
    url: str,
    get: Getter,
    since: date | None,
    on_error: ErrorHandler | None,
    seen: set[str],
    depth: int,
    budget: _Budget,
) -> Iterator[Entry]:
    try:
        budget.read += 1
        entries, children = parse_sitemap(get(url), url)
    except NewsArchiveError as exc:
        if depth == 0 or on_error is None:
            raise
        on_error(url, exc)
        return
    budget.fruitless = 0 if entries else budget.fruitless + 1
    yield from entries
    for child, lastmod in children:
        if child in seen:
            continue
        seen.add(child)
        if budget.stopped:
            return  # every index above the one that said so stops too
        stop = budget.spent()
        if stop is not None:
            budget.stopped = True
            error = ContentError(url, f"{stop}; the rest is not read", reason="too many sitemaps")
            if on_error is None:
                raise error
            on_error(url, error)
            return
        span = _date_span(lastmod)
        if since is not None and span is not None and span[1] < _day(since):
            continue
        if depth + 1 > MAX_SITEMAP_DEPTH:
            error = ContentError(
                child,
                f"sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep",
                reason="sitemaps nested too deep",
            )
            if on_error is None:
                raise error
            on_error(child, error)
            continue
        yield from _walk_sitemap(child, get, since, on_error, seen, depth + 1, budget)


# -- feeds ------------------------------------------------------------------------------------


def parse_feed(data: bytes, source: str) -> list[Entry]:
    """The entries of an RSS or Atom feed, in feed order; relative links resolve on `source`.

    Raises ContentError when `data` is not a feed; an HTML page that links to its feeds says
    where they are.
    """
    # feedparser takes a tenth of a second to import; only feeds need it.
    import feedparser  # type: ignore[import-untyped]  # feedparser ships no type information

    data = _inflate(data, source)
    result: Any = feedparser.parse(
        BytesIO(data),  # a file object: given a str, feedparser would open URLs and paths
        response_headers={"content-type": "application/xml", "content-location": source},
    )
    if not result.get("version"):
        raise _not_a_feed(data, source, result.get("bozo_exception"))
    entries = []
    for item in result.entries:
        url = _entry_url(item, source)
        if url is None:
            continue
        entries.append(
            Entry(url=url, title=_feed_title(item), published=_feed_date(item), source=source)
        )
    return entries


def _entry_url(item: Any, source: str) -> str | None:
    """The entry's link, else its id when that is a permalink URL (RSS guid, Atom id)."""
    for candidate in (item.get("link"), item.get("id")):
        if candidate:
            url = _absolute_http(candidate, source)
            if url is not None:
                return url
    return None


def _feed_title(item: Any) -> str | None:
    title = item.get("title")
    if not title:
        return None
    kind = (item.get("title_detail") or {}).get("type", "text/plain")
    if kind in ("text/html", "application/xhtml+xml"):
        title = _html_text(title)
    return _clean(title)


def _feed_date(item: Any) -> str | None:
    """Published (else updated) date, keeping the feed's own offset when it can be read."""
    for key in ("published", "updated", "created"):
        raw = item.get(key)
        if not raw:
            continue
        parsed = _parse_feed_date(raw)
        if parsed is not None:
            return parsed
        # feedparser knows many more formats, but converts them to UTC.
        struct = item.get(f"{key}_parsed")
        if struct:
            return datetime.fromtimestamp(calendar.timegm(struct), UTC).isoformat()
    return None


def _parse_feed_date(text: str) -> str | None:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # a day (dc:date allows it): keep it one
        return text if _date_span(text) is not None else None
    try:
        value = parsedate_to_datetime(text)  # RFC 822, as RSS 2.0 uses
    except (TypeError, ValueError, IndexError):
        try:
            value = datetime.fromisoformat(text)  # RFC 3339, as Atom uses
        except ValueError:
            return None
        if value.tzinfo is None:
            return None  # no offset: let feedparser's UTC reading decide
    if value.tzinfo is None:  # RFC 822 "-0000": time in UTC, local offset unknown
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def _not_a_feed(data: bytes, source: str, problem: object) -> ContentError:
    root = _root_name(data)
    if root == "html":
        feeds = _feed_links(data, source)
        if feeds:
            where = ", ".join(feeds)
            return ContentError(
                source, f"an HTML page, not a feed (it links to: {where})", reason="not a feed"
            )
        return ContentError(source, "an HTML page, not a feed", reason="not a feed")
    if root in ("urlset", "sitemapindex"):
        return ContentError(source, "a sitemap, not a feed", reason="not a feed")
    if root is None and problem is not None:
        return ContentError(source, f"not a feed ({problem})", reason="not a feed")
    named = f" (root element <{root}>)" if root else ""
    return ContentError(source, f"not an RSS or Atom feed{named}", reason="not a feed")


class _FeedLinks(HTMLParser):
    """`<link rel="alternate" type="application/rss+xml" href="...">` in an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name: (value or "") for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower()
        if "alternate" in rel and kind.endswith(("rss+xml", "atom+xml")) and values.get("href"):
            self.links.append(values["href"])


def _feed_links(data: bytes, source: str) -> list[str]:
    parser = _FeedLinks()
    parser.feed(data.decode("utf-8", "replace"))
    parser.close()
    links = (_absolute_http(link, source) for link in parser.links)
    return list(dict.fromkeys(link for link in links if link is not None))


# -- sitemaps ---------------------------------------------------------------------------------


def parse_sitemap(data: bytes, source: str) -> tuple[list[Entry], list[tuple[str, str | None]]]:
    """One sitemap document: its entries, and the child sitemaps it lists with their lastmod.

    A `<urlset>` has only entries, a `<sitemapindex>` only children. An RSS or Atom feed, or a
    text file of URLs, is a valid sitemap too. `data` may be gzipped.
    """
    data = _inflate(data, source)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head and not head.startswith(b"<") and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _parse_text_sitemap(head, source), []
    root_name = _root_name(data)
    if root_name in _FEED_ROOTS:
        return parse_feed(data, source), []
    root = _parse_xml(data, source)
    kind = _local(root.tag)
    if kind == "urlset":
        entries = (_sitemap_entry(url, source) for url in _children(root, "url"))
        return [entry for entry in entries if entry is not None], []
    if kind == "sitemapindex":
        children: list[tuple[str, str | None]] = []
        for item in _children(root, "sitemap"):
            loc = _absolute_http(_loc(item) or "", source)
            if loc is not None:
                children.append((loc, _text(_child(item, "lastmod"))))
        return [], children
    raise ContentError(source, f"not a sitemap (root element <{kind}>)", reason="not a sitemap")


def _sitemap_entry(url: ET.Element, source: str) -> Entry | None:
    news = _child(url, "news")  # Google News: <news:news><news:publication_date>, <news:title>
    published = _text(_child(news, "publication_date")) if news is not None else None
    title = _text(_child(news, "title")) if news is not None else None
    published = _iso_date(published) or _iso_date(_text(_child(url, "lastmod")))
    loc = _absolute_http(_loc(url) or "", source)
    if loc is None:
        return None
    return Entry(url=loc, title=title, published=published, source=source)


def _parse_text_sitemap(data: bytes, source: str) -> list[Entry]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(
            source, "not a sitemap (a text sitemap must be UTF-8)", reason="not a sitemap"
        ) from exc
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if _absolute_http(line, "") is None:
            raise ContentError(
                source,
                f"not a sitemap (line {number} is not an http(s) URL: {line[:80]!r})",
                reason="not a sitemap",
            )
        entries.append(Entry(url=line, source=source))
    return entries


def _loc(element: ET.Element) -> str | None:
    return _text(_child(element, "loc"))


def _iso_date(value: str | None) -> str | None:
    """A W3C datetime (the sitemap date format) in ISO 8601 form, or None if unreadable."""
    if value is None:
        return None
    if re.fullmatch(r"\d{4}(-\d{2})?", value):
        return value if _date_span(value) is not None else None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if "T" not in value and " " not in value:
        return parsed.date().isoformat()
    return parsed.isoformat()


# -- OPML -------------------------------------------------------------------------------------


def parse_opml(data: bytes, source: str) -> list[str]:
    """The feed URLs (`xmlUrl`) of every outline, nested or not, each once, in file order."""
    root = _parse_xml(data, source)
    if _local(root.tag) != "opml":
        raise ContentError(
            source, f"not an OPML file (root element <{_local(root.tag)}>)", reason="not OPML"
        )
    urls: list[str] = []
    for outline in root.iter():
        if _local(outline.tag) != "outline":
            continue
        value = next((v for k, v in outline.attrib.items() if _local(k).lower() == "xmlurl"), None)
        url = _absolute_http(value.strip(), source) if value else None
        if url is not None and url not in urls:
            urls.append(url)
    return urls


def read_opml(path: Path) -> list[str]:
    """The feed URLs listed in an OPML file."""
    return parse_opml(_read_file(path), str(path))


# -- bookmarks --------------------------------------------------------------------------------


def is_bookmarks(data: bytes) -> bool:
    """Whether `data` is a Netscape bookmark file or a Pocket export (not a saved article)."""
    head = data[:2048].lower()
    return any(marker in head for marker in _BOOKMARKS_MARKERS)


class _Bookmarks(HTMLParser):
    """`<A HREF=... ADD_DATE=...>title</A>` (Netscape) and `<a href time_added>` (Pocket)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.entries: list[Entry] = []
        self._open: dict[str, str] | None = None
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._finish()  # Netscape files are loose HTML: an <A> may never be closed
            self._open = {name: (value or "") for name, value in attrs}
            self._title = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._title.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._finish()

    def close(self) -> None:
        super().close()
        self._finish()

    def _finish(self) -> None:
        attrs, self._open = self._open, None
        if attrs is None:
            return
        url = _absolute_http(attrs.get("href", "").strip(), "")
        if url is None:  # place:, javascript: bookmarklets, about:, file:
            return
        added = attrs.get("add_date") or attrs.get("time_added")
        title = _clean("".join(self._title))
        self.entries.append(
            Entry(
                url=url,
                title=None if title == url else title,  # Pocket's stand-in for "no title"
                published=_timestamp(added),
                source=self.source,
            )
        )


def parse_bookmarks(data: bytes, source: str) -> list[Entry]:
    """The http(s) bookmarks of a Netscape bookmark file or Pocket export, in file order.

    `published` is the day the bookmark was added, so `since`/`until` select by that.
    """
    try:
        text = data.decode("utf-8")  # the format's declared charset, and every browser's
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # exports from very old browsers
    parser = _Bookmarks(source)
    parser.feed(text)
    parser.close()
    return parser.entries


def read_bookmarks(path: Path) -> list[Entry]:
    """The bookmarks in an exported bookmark file; ContentError if it is not one."""
    data = _read_file(path)
    if not is_bookmarks(data):
        raise ContentError(
            str(path),
            "not a bookmark export (no NETSCAPE-Bookmark-file-1 or Pocket Export header)",
            reason="not bookmarks",
        )
    return parse_bookmarks(data, str(path))


def _timestamp(value: str | None) -> str | None:
    """A Unix time in seconds (some exporters write microseconds) as an ISO datetime in UTC."""
    if not value or not value.strip().isdigit():
        return None
    seconds = int(value)
    while seconds > 100_000_000_000:  # beyond the year 5000: milli- or microseconds
        seconds //= 1000
    if seconds == 0:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat()


# -- shared helpers ---------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _parse_xml(data: bytes, source: str) -> ET.Element:
    """Parse XML with expat, refusing any DOCTYPE before its entities can be declared.

    No DOCTYPE means no entity declarations, so no entity expansion (billion laughs) and no
    external entities or DTDs fetched; sitemaps and OPML files never need one.
    """
    data = _inflate(data, source)
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_: object) -> NoReturn:
        raise _Refused

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw  # "uri}local" -> ElementTree's "{uri}local"

    def start(tag: str, attrs: dict[str, str]) -> None:
        builder.start(name(tag), {name(key): value for key, value in attrs.items()})

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except _Refused:
        raise ContentError(
            source, "refused: the document has a DOCTYPE declaration", reason="DOCTYPE refused"
        ) from None
    except expat.ExpatError as exc:
        raise ContentError(source, f"not valid XML ({exc})", reason="bad XML") from exc
    return builder.close()


def _inflate(data: bytes, source: str) -> bytes:
    """Gunzip `data` when it starts with the gzip magic bytes, within MAX_DOCUMENT_BYTES."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, MAX_DOCUMENT_BYTES + 1)
    except zlib.error as exc:
        raise ContentError(source, f"not a valid gzip file ({exc})", reason="bad gzip") from exc
    if len(out) > MAX_DOCUMENT_BYTES:
        raise ContentError(
            source,
            f"inflates to more than the {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB limit",
            reason="too large",
        )
    if not inflater.eof:
        raise ContentError(source, "not a valid gzip file (it ends early)", reason="bad gzip")
    return out


_ELEMENT_NAME = re.compile(r"<([\w:.-]+)")


def _root_name(data: bytes) -> str | None:
    """The local name of the first element, lower-cased, read without parsing (or None).

    A plain scan over the prolog (declarations, comments, DOCTYPE): a regular expression
    with alternatives under a repeat backtracks exponentially on crafted input.
    """
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("utf-8", "replace")
    text = text.lstrip("\ufeff")
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text.startswith("<?", pos):
            pos = _after(text, "?>", pos + 2)
        elif text.startswith("<!--", pos):
            pos = _after(text, "-->", pos + 4)
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            close = text.find(">", pos)
            subset = text.find("[", pos)
            if subset != -1 and (close == -1 or subset < close):
                close = text.find(">", _after(text, "]", subset))
            pos = len(text) if close == -1 else close + 1
        else:
            found = _ELEMENT_NAME.match(text, pos)
            return found.group(1).rpartition(":")[2].lower() if found else None
    return None


def _after(text: str, marker: str, start: int) -> int:
    """The position just past the next `marker`, or the end of `text` when there is none."""
    found = text.find(marker, start)
    return len(text) if found == -1 else found + len(marker)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next(_children(element, name), None)


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _absolute_http(url: str, base: str) -> str | None:
    """`url` resolved on `base`, if that gives an http(s) URL with a host; else None."""
    url = url.strip()
    if not url:  # urljoin would turn "" into `base` itself
        return None
    try:
        return check_url(urljoin(base, url) if base else url)
    except (InvalidURLError, ValueError):
        return None


def _clean(text: str) -> str | None:
    return " ".join(text.split()) or None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _date_span(published: str | None) -> tuple[date, date] | None:
    """The first and last calendar day an ISO date covers: "2024-05" spans all of May."""
    if not published:
        return None
    text = published.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return date(year, 1, 1), date(year, 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            first = date(int(text[:4]), int(text[5:]), 1)
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            return first, last
        day = datetime.fromisoformat(text).date()
    except ValueError:
        return None
    return day, day


def _read_file(path: Path) -> bytes:
    name = str(path)
    try:
        with open_local(path) as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:  # a read error after opening
        raise ContentError(
            name, f"cannot read: {exc.strerror or exc}", reason="unreadable"
        ) from exc
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ContentError(
            name, f"over the {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB limit", reason="too large"
        )
    return data
