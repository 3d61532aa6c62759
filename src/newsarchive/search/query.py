"""Questions to the search index in SQL: ranking over the shards, and listing the articles
that pass the filters in a chosen order (what a query means is in `matching`).

Ranking is bm25 over the columns of exact forms and of stems, the title weighted far above
the body and an exact form above a stem (`schema.WEIGHTS`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsarchive.search.model import Entry, Filters, SortKey
from newsarchive.search.schema import ARTICLE, ENTRY_COLUMNS, WEIGHTS

# The entry columns, from the files table aliased `f`.
_ENTRY_SELECT = ", ".join("f." + column.strip() for column in ENTRY_COLUMNS.split(","))
_ORDER_COLUMNS = {
    "date": "f.pubdate",
    "fetched": "f.fetched",
    "title": "f.title",
    "site": "f.site_key",
    "path": "f.path",
}


def ranking_sql(
    shards: int, expression: str, filters: Filters, *, skip_dead: bool
) -> tuple[str, list[str]]:
    """The ranking query over every shard, and its parameters but the limit.

    Each shard ranks its own matches with bm25 over its own statistics; shards are fair
    samples of one archive (see `build`), so those barely differ. `skip_dead`: leave out the
    rows of files that changed or went (see `schema`); a join with the files table does
    that by itself.
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
    alive = " AND rowid NOT IN (SELECT id FROM dead)" if skip_dead else ""
    ranked = " UNION ALL ".join(
        f"SELECT rowid AS id, bm25(fts{n}, {WEIGHTS}) AS score FROM fts{n}"
        f" WHERE fts{n} MATCH ?{alive}"
        for n in range(shards)
    )
    sql = (
        f"SELECT {_ENTRY_SELECT}, r.score FROM ({ranked} ORDER BY score, id LIMIT ?) AS r"
        " JOIN files AS f ON f.id = r.id ORDER BY r.score, f.path"
    )
    return sql, [expression] * shards


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
    """The articles passing `filters` by path."""
    where, params = filters.sql_condition()
    sql = (
        f"SELECT {_ENTRY_SELECT} FROM files AS f"
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
