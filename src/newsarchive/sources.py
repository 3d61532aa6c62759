"""What an import reads: URL lists (files, standard input) and the URLs found in feeds,
sitemaps, OPML lists of feeds, bookmark exports and text documents (a Markdown report), as
one stream of list entries.

    inputs = gather(["links.txt"], feeds=["https://example.org/rss"], options=FetchOptions())
    import_urls(inputs.entries(), Archive("archive"))
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive import discover
from newsarchive import fetch as fetch_mod
from newsarchive.batch import ListEntry, count_urls, parse_list_line, read_url_files
from newsarchive.errors import InvalidURLError, NewsArchiveError
from newsarchive.models import FetchOptions
from newsarchive.urls import check_url

__all__ = ["Inputs", "gather"]


@dataclass(frozen=True)
class Inputs:
    """An import's URLs: those found in feeds, sitemaps and bookmark files, those in the text
    of documents, then those of the URL lists, read lazily."""

    found: list[ListEntry] = field(default_factory=list)
    lists: tuple[str, ...] = ()  # the input files that are URL lists ("-": standard input)
    searched: bool = False  # whether feeds, sitemaps, OPML lists or bookmarks were read
    in_documents: list[ListEntry] = field(default_factory=list)  # URLs in a report's text

    def total(self) -> int | None:
        """How many URL lines there are; None when standard input is one of the lists."""
        if "-" in self.lists:
            return None
        counted = sum(count_urls(path) for path in self.lists)
        return len(self.found) + len(self.in_documents) + counted

    def entries(self, stdin: Iterable[str] | None = None) -> Iterator[ListEntry]:
        """Every URL line in turn ("-" reads `stdin`)."""
        lists = read_url_files(self.lists, stdin=stdin)
        return itertools.chain(self.found, self.in_documents, lists)

    def after(self, last: ListEntry | None) -> Iterator[ListEntry]:
        """The entries that come after `last` (all of them when None), the list files read
        again; standard input, which cannot be read again, is left out."""
        following = last is None
        for entry in itertools.chain(self.found, self.in_documents):
            if following:
                yield entry
            following = following or entry == last
        for path in self.lists:
            if path == "-":
                following = following or (last is not None and last.source == "-")
                continue
            for entry in read_url_files([path]):
                if following:
                    yield entry
                following = following or entry == last


def gather(
    files: Sequence[str],
    *,
    feeds: Sequence[str] = (),
    sitemaps: Sequence[str] = (),
    opml_files: Sequence[str] = (),
    filters: discover.Filters | None = None,
    options: FetchOptions,
    on_error: Callable[[NewsArchiveError], None] = lambda error: None,
    on_note: Callable[[str], None] = lambda note: None,
) -> Inputs:
    """Read the feeds, sitemaps, OPML lists and bookmark exports among `files`, and the URLs in
    the text of files that are documents rather than URL lists (`urls_in_document`); the other
    files are URL lists, read later. Keep the URLs that pass `filters`.

    A feed or sitemap named directly that cannot be read raises; one found through an OPML
    list or a sitemap index is passed to `on_error`, and the others are read all the same.
    What is worth telling (a document read for its URLs, a web page given as a feed) goes to
    `on_note`.
    """
    filters = filters or discover.Filters()
    bookmarks: list[discover.Entry] = []
    lists: list[str] = []
    in_documents: list[ListEntry] = []
    for path in files:
        head = Path(path).read_bytes()[:_SAMPLE] if path != "-" else b""
        if discover.is_bookmarks(head[:4096]):
            bookmarks.extend(discover.read_bookmarks(Path(path)))
        elif head and not _is_url_list(head.decode("utf-8", "replace")):
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            in_text = urls_in_document(text, path)
            if not in_text:
                lists.append(path)  # no URL in it either: each line is reported as it is
                continue
            on_note(
                f"{path} is not a list of URLs; importing the {len(in_text)} URL(s) in its text"
            )
            in_documents.extend(in_text)
        else:
            lists.append(path)

    def warn(url: str, error: NewsArchiveError) -> None:
        on_error(error)

    def feeds_and_sitemaps(get: discover.Getter) -> Iterator[discover.Entry]:
        # Lazy, so that --limit stops the reading (no further child sitemap is fetched).
        for url in feeds:
            yield from discover.read_feed(check_url(url), get, on_note=on_note)
        feed_urls = [u for path in opml_files for u in discover.read_opml(Path(path))]
        yield from discover.iter_feeds(feed_urls, get, on_error=warn)
        for url in sitemaps:
            yield from discover.iter_sitemap(
                check_url(url), get, since=filters.since, on_error=warn
            )

    with fetch_mod.make_client(options) as client:
        get = discover.http_getter(client, options)
        found = itertools.chain(bookmarks, feeds_and_sitemaps(get))
        entries = [
            ListEntry(entry.source or "discovered", number, entry.url)
            for number, entry in enumerate(discover.select(found, filters), start=1)
        ]
    searched = bool(bookmarks or feeds or sitemaps or opml_files)
    return Inputs(entries, tuple(lists), searched, in_documents)


# How much of a file tells a URL list from a document, and the share of its lines (blank lines
# and "#" comments aside) that must be URLs for a list: a list with a stray line is still one.
_SAMPLE = 64 * 1024
_LIST_SHARE = 0.5
# A URL in running text: up to whitespace, quotes or angle brackets (Markdown's <URL>), and
# never a "[" or "]" (Markdown's [text](URL) and [URL](URL)).
_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"'`\[\]]+""", re.IGNORECASE)
# What ends a sentence or a Markdown construct after a URL rather than belonging to it.
_TRAILING = ".,;:!?*_~"
_CLOSING = {")": "(", "}": "{"}


def _is_url_list(text: str) -> bool:
    """Whether most of the lines of `text` that say anything are URLs (the last line of a
    sample may be cut short, so it does not count)."""
    lines = text.splitlines()[:-1] if not text.endswith("\n") else text.splitlines()
    said = [entry for entry in map(parse_list_line, lines) if entry is not None]
    if not said:
        return True
    urls = sum(1 for entry in said if _is_url(entry))
    return urls >= _LIST_SHARE * len(said)


def _is_url(text: str) -> bool:
    try:
        check_url(text)
    except InvalidURLError:
        return False
    return True


def urls_in_document(text: str, source: str) -> list[ListEntry]:
    """The http(s) URLs in the text of a document (a Markdown report, notes, an e-mail), each
    once, in order, with the line it is on: bare URLs, Markdown links and <URL>s alike.
    Punctuation that ends a sentence or a Markdown link is not part of a URL."""
    found: dict[str, ListEntry] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _URL_IN_TEXT.finditer(line):
            url = _trim(match.group(0))
            if url not in found and _is_url(url):
                found[url] = ListEntry(source, number, url)
    return list(found.values())


def _trim(url: str) -> str:
    """`url` without what follows it in the text: trailing punctuation, and a closing bracket
    that opens nowhere in it (the end of "(see https://x/a)" or "[a](https://x/a)")."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSING and url.count(last) > url.count(_CLOSING[last]):
            url = url[:-1]
        else:
            break
    return url
