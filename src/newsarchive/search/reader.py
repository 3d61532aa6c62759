"""Looking up single files in an archive's search index, read-only: grep takes the
front-matter of the files that match from it, where it holds that very version of a file."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from newsarchive import db
from newsarchive.search.model import Facets, Filters
from newsarchive.search.schema import ARTICLE, BROKEN, SCHEMA_VERSION


@dataclass(frozen=True)
class KnownFile:
    """What the index recorded about one file: valid for the version with this mtime and size."""

    mtime_ns: int
    size: int
    kind: int  # schema.ARTICLE, OTHER or BROKEN
    error: str | None  # why a broken file could not be read
    title: str | None
    url: str | None
    published: str | None
    facets: Facets

    @property
    def is_article(self) -> bool:
        return self.kind == ARTICLE

    @property
    def is_broken(self) -> bool:
        return self.kind == BROKEN

    def passes(self, filters: Filters) -> bool:
        return filters.matches_facets(self.facets)


class IndexReader:
    """Look up single files in an archive's search index, read-only, to skip parsing their
    front-matter again (grep uses it for the files that match). Any problem with the index
    (missing, locked, damaged, another schema) just means "not known"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._failed = False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def get(self, rel: str) -> KnownFile | None:
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT mtime_ns, size, kind, error, title, url, published, site_key,"
                " authors_key, tags_key, lang_key, pubdate FROM files WHERE path = ?",
                (rel,),
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        mtime_ns, size, kind, error, title, url, published = row[:7]
        facets = Facets(row[7] or "", row[8] or "", row[9] or "\n", row[10] or "", row[11])
        return KnownFile(mtime_ns, size, kind, error, title, url, published, facets)

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is None and not self._failed:
            try:
                self._conn = db.open_read_only(self.path, SCHEMA_VERSION)
            except (sqlite3.Error, db.StaleDatabase, ValueError):
                self._failed = True
        return self._conn
