"""What an import reads: URL lists (files, standard input) and the URLs found in feeds,
sitemaps, OPML lists of feeds and bookmark exports, as one stream of list entries.

    inputs = gather(["links.txt"], feeds=["https://example.org/rss"], options=FetchOptions())
    import_urls(inputs.entries(), Archive("archive"))
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive import discover
from newsarchive import fetch as fetch_mod
from newsarchive.batch import ListEntry, count_urls, read_url_files
from newsarchive.errors import NewsArchiveError
from newsarchive.models import FetchOptions
from newsarchive.urls import check_url

__all__ = ["Inputs", "gather"]


@dataclass(frozen=True)
class Inputs:
    """An import's URLs: those found in feeds, sitemaps and bookmark files, then those of the
    URL lists, read lazily."""

    found: list[ListEntry] = field(default_factory=list)
    lists: tuple[str, ...] = ()  # the input files that are URL lists ("-": standard input)
    searched: bool = False  # whether feeds, sitemaps, OPML lists or bookmarks were read

    def total(self) -> int | None:
        """How many URL lines there are; None when standard input is one of the lists."""
        if "-" in self.lists:
            return None
        return len(self.found) + sum(count_urls(path) for path in self.lists)

    def entries(self, stdin: Iterable[str] | None = None) -> Iterator[ListEntry]:
        """Every URL line in turn ("-" reads `stdin`)."""
        return itertools.chain(self.found, read_url_files(self.lists, stdin=stdin))


def gather(
    files: Sequence[str],
    *,
    feeds: Sequence[str] = (),
    sitemaps: Sequence[str] = (),
    opml_files: Sequence[str] = (),
    filters: discover.Filters | None = None,
    options: FetchOptions,
    on_error: Callable[[NewsArchiveError], None] = lambda error: None,
) -> Inputs:
    """Read the feeds, sitemaps, OPML lists and bookmark exports among `files` (the other
    files are URL lists, read later) and keep the URLs that pass `filters`.

    A feed or sitemap named directly that cannot be read raises; one found through an OPML
    list or a sitemap index is passed to `on_error`, and the others are read all the same.
    """
    filters = filters or discover.Filters()
    bookmarks: list[discover.Entry] = []
    lists: list[str] = []
    for path in files:
        if path != "-" and discover.is_bookmarks(Path(path).read_bytes()[:4096]):
            bookmarks.extend(discover.read_bookmarks(Path(path)))
        else:
            lists.append(path)

    def warn(url: str, error: NewsArchiveError) -> None:
        on_error(error)

    def feeds_and_sitemaps(get: discover.Getter) -> Iterator[discover.Entry]:
        # Lazy, so that --limit stops the reading (no further child sitemap is fetched).
        for url in feeds:
            yield from discover.read_feed(check_url(url), get)
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
    return Inputs(entries, tuple(lists), searched)
