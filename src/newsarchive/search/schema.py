"""The layout of the search index file: its tables, columns and full-text tables (shards).

A file's words live in full-text table `fts<n>`, n its id modulo the number of shards (one,
or one per core of the build that made the index; see `build`); the number is kept in
`meta` under "shards". The `files` table holds every `.md` file's front-matter values that
listings show and the filters compare, for articles, and the reason for unreadable files;
the whole front-matter is read from the file when it is asked for (`records`).

The full-text tables hold no copy of the text: they are contentless (`content=''`). Each
column is given the distinct words of its text as `text.Analyzer` makes them, a
space-separated list read by FTS5's `ascii` tokenizer (which splits them at the spaces):
the exact forms, and the stems that differ from them, marked with STEM_MARK. A word's place
in that list means nothing, so phrases, and the places of words that snippets mark, are
worked out from the Markdown file of each article shown (see `matching`). A word counts
once however often the text has it: bm25 ranks by which words an article holds, where
(title, body) and how rare they are. The body comes first: FTS5 stores the words of the
first column a little more compactly, and most words are there.

A contentless table cannot forget an article without being told its words again, which a
changed file no longer has: when a file changes or goes, its row in `files` goes and its id
is put in `dead`, and queries skip those ids. A new version of a file gets a new id (ids
are never used twice: AUTOINCREMENT). A full rebuild starts clean; a refresh that finds more
dead rows than a quarter of the live ones rebuilds the index (see `index`).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

SCHEMA_VERSION = "4"
INDEX_FILE = "search.sqlite"  # next to the URL index, in the archive's cache directory

# The words of the body, of the title, and of the description, authors and tags ("extra").
COLUMNS = ("body", "title", "extra")
# A title word weighs 10 body words; description, authors and tags sit between.
WEIGHTS = "1.0, 10.0, 3.0"

FILES_TABLE = """CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    dir TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    kind INTEGER NOT NULL,  -- 0 article, 1 not a newsarchive file, 2 unreadable
    error TEXT,
    title TEXT, authors TEXT, published TEXT, pubdate TEXT, fetched TEXT,
    site TEXT, hostname TEXT, url TEXT, language TEXT, tags TEXT,
    site_key TEXT, authors_key TEXT, tags_key TEXT, lang_key TEXT,
    body_offset INTEGER,
    url_keys TEXT  -- JSON: the URL index's keys of url, source and final_url (articles)
)"""
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER)",
    FILES_TABLE,
    # Ids of full-text rows whose file changed or went (see above).
    "CREATE TABLE IF NOT EXISTS dead (id INTEGER PRIMARY KEY)",
    # The languages of the articles (lang_key values): a query is stemmed in each of them.
    "CREATE TABLE IF NOT EXISTS langs (name TEXT PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS files_dir ON files (dir)",
    "CREATE INDEX IF NOT EXISTS files_pubdate ON files (pubdate)",
    # Every command lists the unreadable files; without this it would read every row.
    "CREATE INDEX IF NOT EXISTS files_broken ON files (path) WHERE kind = 2",
)
# The shadow tables in which FTS5 keeps a table's index, sizes and settings.
FTS_SHADOWS = ("data", "idx", "docsize", "config")

ARTICLE, OTHER, BROKEN = 0, 1, 2  # files.kind

FILE_COLUMNS = (
    "path, dir, mtime_ns, size, kind, error, title, authors, published, pubdate, fetched, site,"
    " hostname, url, language, tags, site_key, authors_key, tags_key, lang_key, body_offset,"
    " url_keys"
)
FILE_NAMES = tuple(name.strip() for name in FILE_COLUMNS.split(","))
LANG_KEY = FILE_NAMES.index("lang_key")  # in a files row's values
ENTRY_COLUMNS = (
    "id, path, mtime_ns, size, title, authors, published, pubdate, fetched, site, hostname, url,"
    " language, tags"
)

# A parsed file, ready for the database: the files-table values in FILE_COLUMNS order, then
# the FTS columns (COLUMNS; None when the file is not an article).
Row = tuple[tuple[Any, ...], tuple[str, ...] | None]

# path -> (mtime_ns, size, is an article, its URL keys: url, source and final_url normalised)
UrlSources = dict[str, tuple[int, int, bool, tuple[str, ...]]]


def fts_table(shard: int) -> str:
    """The full-text table of one shard: `fts0`, `fts1`, ..."""
    return (
        f"CREATE VIRTUAL TABLE fts{shard} USING fts5({', '.join(COLUMNS)},"
        " content = '', tokenize = 'ascii')"
    )


def fts_insert(shard: int) -> str:
    places = ", ".join("?" * (len(COLUMNS) + 1))
    return f"INSERT INTO fts{shard} (rowid, {', '.join(COLUMNS)}) VALUES ({places})"


def create_first_shard(conn: sqlite3.Connection) -> None:
    """A new index has one full-text table (in the transaction creating the schema)."""
    if conn.execute("SELECT 1 FROM meta WHERE name = 'shards'").fetchone() is None:
        conn.execute(fts_table(0))
        conn.execute("INSERT INTO meta (name, value) VALUES ('shards', '1')")


def shard_count(conn: sqlite3.Connection, schema: str = "main") -> int:
    """How many full-text tables the index has (read inside the transaction using them)."""
    row = conn.execute(f"SELECT value FROM {schema}.meta WHERE name = 'shards'").fetchone()
    return int(row[0]) if row is not None else 1


def url_sources(conn: sqlite3.Connection) -> UrlSources:
    """What was read of every file, from the files table of `conn`'s main database."""
    rows = conn.execute("SELECT path, mtime_ns, size, kind, url_keys FROM files")
    return {
        rel: (mtime, size, kind == ARTICLE, tuple(json.loads(keys or "[]")))
        for rel, mtime, size, kind, keys in rows
    }
