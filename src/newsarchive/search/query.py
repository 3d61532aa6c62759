"""Questions to the search index in SQL: a user's query made safe for FTS5, ranking over the
shards, snippets, and listing the articles that pass the filters in a chosen order.

Queries use FTS5 syntax made safe: words, "phrases", AND / OR / NOT, prefix*, parentheses.
Matching is case- and diacritics-insensitive (unicode61, remove_diacritics 2); Cyrillic and
other scripts are tokenised as words. Ranking is bm25 with the title weighted far above the
body.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsarchive.errors import NewsArchiveError, UsageError
from newsarchive.search.model import MARK_END, MARK_START, Entry, Field, Filters, SortKey
from newsarchive.search.schema import ARTICLE, COLUMNS, ENTRY_COLUMNS, WEIGHTS

_QUERY_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"(?P<pstar>\*?)|(?P<paren>[()])|(?P<word>[^\s"()]+)')
_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN_CHAR = re.compile(r"\w", re.UNICODE)
# The entry columns, from the files table aliased `f`.
_ENTRY_SELECT = ", ".join("f." + column.strip() for column in ENTRY_COLUMNS.split(","))
_ORDER_COLUMNS = {
    "date": "f.pubdate",
    "fetched": "f.fetched",
    "title": "f.title",
    "site": "f.site_key",
    "path": "f.path",
}


def fts_query(query: str, field: Field = "all") -> str:
    """A user's query in FTS5 syntax: every word and phrase quoted (so "covid-19", "it's" or
    "C++" cannot break the syntax), AND / OR / NOT and parentheses kept, `word*` a prefix."""
    parts: list[str] = []
    for match in _QUERY_TOKEN.finditer(query):
        if match.group("paren"):
            parts.append(match.group("paren"))
            continue
        if match.group("word") is not None:
            word = match.group("word")
            if word in _OPERATORS:
                parts.append(word)
                continue
            prefix = word.endswith("*")
            text = word.rstrip("*")
        else:
            text = match.group("phrase")
            prefix = bool(match.group("pstar"))
        if not _TOKEN_CHAR.search(text):  # only punctuation: nothing the tokenizer keeps
            continue
        parts.append('"' + text.replace('"', '""') + '"' + ("*" if prefix else ""))
    # An operator with nothing on one side is a syntax error in FTS5; drop dangling ones
    # ("wagner AND", "OR mali") rather than failing on a query that reads naturally.
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    while parts and parts[0] in ("AND", "OR"):
        parts.pop(0)
    if not any(p not in _OPERATORS and p not in "()" for p in parts):
        raise UsageError(f"the query {query!r} has no words to search for")
    expression = " ".join(parts)
    if field != "all":
        expression = f"{{{field}}} : ({expression})"
    return expression


def query_error(query: str, exc: sqlite3.Error) -> NewsArchiveError:
    """What to tell the user when FTS5 refuses a query."""
    detail = str(exc).removeprefix("fts5: ")
    if "NOT" in query.split()[:1]:
        detail += " (NOT needs a term before it, e.g. 'wagner NOT mali')"
    return UsageError(f"cannot read the query {query!r}: {detail}")


def ranking_sql(shards: int, expression: str, filters: Filters) -> tuple[str, list[str]]:
    """The ranking query over every shard, and its parameters but the limit.

    Each shard ranks its own matches with bm25 over its own statistics; shards are fair
    samples of one archive (see `build`), so those barely differ.
    """
    if filters:
        where, where_params = filters.sql_condition()
        parts = [
            f"SELECT {_ENTRY_SELECT}, bm25(fts{n}, {WEIGHTS}) AS score"
            f" FROM fts{n} JOIN files AS f ON f.id = fts{n}.rowid"
            f" WHERE fts{n} MATCH ? AND {where}"
            for n in range(shards)
        ]
        sql = f"{' UNION ALL '.join(parts)} ORDER BY score, path LIMIT ?"
        return sql, [expression, *where_params] * shards
    # Rank inside the full-text index first and look up only the best rows: a common word
    # matches thousands of articles, and a join per match would cost more than the ranking.
    ranked = " UNION ALL ".join(
        f"SELECT rowid AS id, bm25(fts{n}, {WEIGHTS}) AS score FROM fts{n} WHERE fts{n} MATCH ?"
        for n in range(shards)
    )
    sql = (
        f"SELECT {_ENTRY_SELECT}, r.score FROM ({ranked} ORDER BY score, id LIMIT ?) AS r"
        " JOIN files AS f ON f.id = r.id ORDER BY r.score, f.path"
    )
    return sql, [expression] * shards


def snippets(
    conn: sqlite3.Connection, shards: int, expression: str, ids: list[int]
) -> dict[int, str]:
    """A snippet of the body of each of the articles `ids`, matched words marked."""
    body = COLUMNS.index("body")
    found: dict[int, str] = {}
    for shard in range(shards):
        mine = [rowid for rowid in ids if rowid % shards == shard]
        if not mine:
            continue
        rows = conn.execute(
            f"SELECT rowid, snippet(fts{shard}, {body}, ?, ?, '…', 24) FROM fts{shard}"
            f" WHERE fts{shard} MATCH ? AND rowid IN ({', '.join('?' * len(mine))})",
            (MARK_START, MARK_END, expression, *mine),
        ).fetchall()
        # One line: paragraphs in a snippet are joined by a space.
        found.update((rowid, " ".join(snippet.split())) for rowid, snippet in rows)
    return found


def listing_sql(filters: Filters, sort: SortKey, reverse: bool) -> tuple[str, list[str]]:
    """The articles passing `filters` in `sort` order, newest first for dates (undated ones
    last), and the parameters but the limit."""
    where, params = filters.sql_condition()
    descending = sort in ("date", "fetched")
    if reverse:
        descending = not descending
    direction = "DESC" if descending else "ASC"
    column = _ORDER_COLUMNS[sort]
    collate = " COLLATE NOCASE" if sort == "title" else ""
    sql = (
        f"SELECT {_ENTRY_SELECT} FROM files AS f WHERE f.kind = {ARTICLE} AND {where}"
        f" ORDER BY {column} IS NULL, {column}{collate} {direction}, f.path {direction}"
        " LIMIT ?"
    )
    return sql, params


def records_sql(filters: Filters) -> tuple[str, list[str]]:
    """The articles passing `filters` by path, with their front-matter and body offset."""
    where, params = filters.sql_condition()
    sql = (
        f"SELECT {_ENTRY_SELECT}, f.meta, f.body_offset FROM files AS f"
        f" WHERE f.kind = {ARTICLE} AND {where} ORDER BY f.path"
    )
    return sql, params


def entry_of(root: Path, row: Sequence[Any]) -> Entry:
    """The Entry of a row of ENTRY_COLUMNS."""
    (_, rel, _, size, title, authors, published, pubdate, fetched, site, hostname, url) = row[:12]
    language, tags = row[12], row[13]
    return Entry(
        path=root / rel,
        relpath=rel,
        title=title or "",
        authors=tuple(json.loads(authors or "[]")),
        published=published,
        date=pubdate,
        fetched=fetched,
        site=site,
        hostname=hostname,
        url=url,
        language=language,
        tags=tuple(json.loads(tags or "[]")),
        size=size,
    )


def stale_rows(root: Path, rows: Sequence[Sequence[Any]]) -> list[str]:
    """The files among these rows (ENTRY_COLUMNS: id, path, mtime_ns, size, ...) that changed
    on disk since they were indexed, or went."""
    stale = []
    for row in rows:
        rel, mtime, size = row[1], row[2], row[3]
        try:
            info = (root / rel).stat()
            state: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except OSError:
            state = None
        if state != (mtime, size):
            stale.append(rel)
    return stale
