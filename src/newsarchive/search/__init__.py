"""Full-text search over an archive through an SQLite FTS5 index, kept up to date with the files.

The Markdown files are the source of truth; the index is derived data, rebuilt from them at any
time (`SearchIndex.rebuild`). It lives in the user's cache directory next to the store's URL
index (`<cache>/archives/<hash of the root>/search.sqlite`), never inside the archive, so
`grep -r` over the archive only ever sees article files.

Freshness. Before a query answers, the index is compared with the disk:

* every directory's mtime is checked (one `stat` per directory, not per file): a directory
  whose entries changed (files added, deleted, moved, renamed, or saved by an editor that
  writes a new file and renames it, as vim, sed -i, git and rsync do) is listed again and its
  new or changed files are read;
* every article a command is about to print is checked by mtime and size, and re-read (and
  the query run again) when it changed, so a shown hit never carries an outdated title or
  snippet;
* in an archive of up to FULL_CHECK_LIMIT files every file's mtime and size is checked too.
  Above that, checking each file costs more than the query itself (about 5 µs a file: half a
  second at 100,000), so a file rewritten in place whose directory did not change is picked up
  by the commands that read everything (`stats`, `export`, `reindex`) or by `refresh(full=True)`.

Words. The index holds which words each article has, not its text: the exact forms and the
stems by the article's language, and pairs of characters for scripts written without spaces
(`text`); a query's words match their stems in the archive's languages, articles with the
forms typed first (`matching`). Phrases and snippets are worked out from the Markdown file of
each hit. The body's words are those of the article's own text (`article_text`), without the
heading, byline, date and source lines the file repeats from its front-matter. A damaged or
foreign index file, or one of an earlier schema, is thrown away and built again from the
files, when it is opened or when a refresh or rebuild runs into a damaged page.

The parts: `model` (filters, entries, hits), `text` (words, stems, pairs of characters),
`schema` (the index file's tables), `document` (one file as the index holds it), `build`
(building on every core), `matching` (a user's query: its FTS5 expression, matching an
article's text, snippets), `query` (ranking and listing in SQL), `index` (SearchIndex:
keeping current and asking), `reader` (grep's read-only look-ups).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from newsarchive.search.model import (
    MARK_END,
    MARK_START,
    Entry,
    Field,
    Filters,
    Hit,
    Problem,
    RefreshReport,
    SortKey,
    fold,
    parse_date,
    split_marks,
)
from newsarchive.search.reader import IndexReader, KnownFile
from newsarchive.search.schema import INDEX_FILE, UrlSources

if TYPE_CHECKING:
    from newsarchive.search.document import article_text, plain_text
    from newsarchive.search.index import FULL_CHECK_LIMIT, SearchIndex, update_index
    from newsarchive.search.matching import fts_query

# Loaded when first asked for: the index, the stemmers and the worker processes take a
# while to import, and most commands (grep, list, fetch) start without them.
_LAZY = {
    "article_text": "document",
    "plain_text": "document",
    "FULL_CHECK_LIMIT": "index",
    "SearchIndex": "index",
    "update_index": "index",
    "fts_query": "matching",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"newsarchive.search.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FULL_CHECK_LIMIT",
    "INDEX_FILE",
    "IndexReader",
    "KnownFile",
    "MARK_END",
    "MARK_START",
    "Entry",
    "Field",
    "Filters",
    "Hit",
    "Problem",
    "RefreshReport",
    "SearchIndex",
    "SortKey",
    "UrlSources",
    "article_text",
    "fold",
    "fts_query",
    "parse_date",
    "plain_text",
    "split_marks",
    "update_index",
]
