"""The search index of one archive: opening it, keeping it current with the files, and asking
it (see the package docstring for how it stays current)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from newsarchive import db
from newsarchive.errors import StoreError
from newsarchive.search import matching, schema
from newsarchive.search import query as queries
from newsarchive.search.build import build_index, copy_in, read_many, remove_scratch, sharded
from newsarchive.search.document import read_file, read_front_matter, read_texts
from newsarchive.search.model import Entry, Field, Filters, Hit, Problem, RefreshReport, SortKey
from newsarchive.search.text import Words, stemmer_language
from newsarchive.store import Archive
from newsarchive.walk import directories, list_directory

INDEX_FILE = schema.INDEX_FILE
FULL_CHECK_LIMIT = 5_000
# A refresh that leaves more dead full-text rows (see `schema`) than this, and than a quarter
# of the live ones, builds the index again.
COMPACT_MIN = 2_000

# What a refresh saw on disk: directory -> the mtime to record (Directory.stamp), and
# article file -> (mtime_ns, size).
_Listing = tuple[dict[str, int | None], dict[str, tuple[int, int]]]


_T = TypeVar("_T")


class SearchIndex:
    """The full-text index of one archive. Open it, query it, close it (or use `with`)."""

    def __init__(self, archive: Archive | str | Path, *, path: Path | None = None) -> None:
        self.archive = archive if isinstance(archive, Archive) else Archive(archive)
        self.root = self.archive.root
        self.path = path or self.archive.index_path.with_name(INDEX_FILE)
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- the database ------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._conn = db.open_or_rebuild(self.path, self._open)
            except (sqlite3.Error, db.StaleDatabase, OSError) as exc:
                raise StoreError(str(self.path), f"cannot open the search index: {exc}") from exc
        return self._conn

    def _open(self, path: Path) -> sqlite3.Connection:
        # 128 MB of cache: rebuilds touch many pages. No integrity check here: it reads the
        # whole file (seconds at 100,000 articles). A damaged page shows up as an error
        # later, and `refresh` starts afresh on it.
        def setup(conn: sqlite3.Connection) -> None:
            conn.execute("PRAGMA synchronous = NORMAL")
            db.ensure_schema(
                conn,
                schema.SCHEMA_VERSION,
                schema.SCHEMA,
                root=str(self.root),
                also=schema.create_first_shard,
                also_creates=("fts0",),
            )

        return db.connect(path, cache_kib=131072, setup=setup)

    def _discard(self) -> None:
        """Throw the database away (it is derived data); the next use starts an empty one."""
        self.close()
        db.discard(self.path)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        # A damaged value may be quoted in the message: no bytes of it reach the terminal.
        said = " ".join(str(exc).encode("ascii", "backslashreplace").decode("ascii").split())
        if db.is_corruption(exc):
            said += "; it is rebuilt from the files by: newsarchive reindex"
        return StoreError(str(self.path), f"search index: {said}")

    def _healing(self, read: Callable[[], _T]) -> _T:
        """`read()`; when the index turns out damaged, it is thrown away and built again
        from the files (it is derived data), and `read()` runs once more."""
        try:
            return read()
        except sqlite3.Error as exc:
            if not db.is_corruption(exc):
                raise self._error(exc) from exc
        self._discard()
        self.refresh(full=True)
        try:
            return read()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    # -- keeping it current ------------------------------------------------------------------

    def refresh(self, *, full: bool | None = None) -> RefreshReport:
        """Bring the index up to date with the files (see the package docstring).

        full=None checks every file when the archive holds at most FULL_CHECK_LIMIT files and
        only the directories otherwise; True always checks every file; False never does.
        """
        try:
            try:
                return self._refresh_report(full)
            except sqlite3.DatabaseError as exc:
                if not db.is_corruption(exc):
                    raise
                self._discard()  # a damaged page: start afresh from the files
                return self._refresh_report(True)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _refresh_report(self, full: bool | None) -> RefreshReport:
        conn = self._db()
        if full is None:
            row = conn.execute("SELECT count(*) FROM files").fetchone()
            full = row[0] <= FULL_CHECK_LIMIT
        skipped: list[Problem] = []
        report = self._refresh(conn, full=full, skipped=skipped)
        if report.changed and self._too_many_dead(self._db()):  # a build may have opened a new file
            self._rebuild(lambda _: None)
        broken = [
            Problem(self.root / rel, error)
            for rel, error in self._db().execute(  # a build may have opened a new file
                f"SELECT path, error FROM files WHERE kind = {schema.BROKEN} ORDER BY path"
            )
        ]
        report.problems = sorted(broken + skipped, key=lambda problem: problem.path)
        return report

    def _refresh(
        self, conn: sqlite3.Connection, *, full: bool, skipped: list[Problem]
    ) -> RefreshReport:
        known_dirs: dict[str, int | None] = dict(conn.execute("SELECT path, mtime_ns FROM dirs"))
        if full or not known_dirs:
            return self._refresh_all(conn, self._list_all(skipped), known_dirs)
        stale = [rel for rel, mtime in known_dirs.items() if self._dir_mtime(rel) != mtime]
        if not stale:
            return RefreshReport()
        dirs, files = self._list_changed(stale, known_dirs, skipped)
        return self._apply_listing(conn, dirs, files, everything=False, listed_dirs=stale)

    def _refresh_all(
        self, conn: sqlite3.Connection, listing: _Listing, known_dirs: dict[str, int | None]
    ) -> RefreshReport:
        dirs, files = listing
        known = dict(conn.execute("SELECT path, mtime_ns || ':' || size FROM files"))
        if not known and sharded(len(files)):  # a first build: all cores
            return self._build(dirs, files)
        changed = {rel: f"{m}:{s}" for rel, (m, s) in files.items()}
        if changed == known and dirs == known_dirs:
            return RefreshReport()
        return self._apply_listing(conn, dirs, files, everything=True)

    @staticmethod
    def _too_many_dead(conn: sqlite3.Connection) -> bool:
        """Whether the index holds so many rows of files that changed or went (see `schema`)
        that it is time to build it again."""
        dead = conn.execute("SELECT count(*) FROM dead").fetchone()[0]
        if dead <= COMPACT_MIN:
            return False
        live = conn.execute(f"SELECT count(*) FROM files WHERE kind = {schema.ARTICLE}")
        return bool(dead * 4 > live.fetchone()[0])

    def _dir_mtime(self, rel: str) -> int | None:
        try:
            stat = os.stat(self.root / rel if rel else self.root)
        except OSError:
            return -1  # gone: never equal to a recorded mtime
        return stat.st_mtime_ns

    def _list_all(self, skipped: list[Problem]) -> _Listing:
        """Every directory and article file of the archive (none when it does not exist)."""
        now = time.time_ns()
        dirs: dict[str, int | None] = {}
        files: dict[str, tuple[int, int]] = {}
        for directory in directories(self.root, on_error=_collect(skipped)):
            dirs[directory.rel] = directory.stamp(now)
            files.update(directory.file_states(self.root))
        return dirs, files

    def _list_changed(
        self, stale: list[str], known_dirs: dict[str, int | None], skipped: list[Problem]
    ) -> _Listing:
        """The directories `stale` (those still there) and the new directories below them."""
        now = time.time_ns()
        dirs: dict[str, int | None] = {}
        files: dict[str, tuple[int, int]] = {}
        todo = list(stale)
        while todo:
            rel = todo.pop()
            if rel in dirs:
                continue
            directory = list_directory(self.root, rel, _collect(skipped))
            if directory is None:
                continue
            dirs[rel] = directory.stamp(now)
            files.update(directory.file_states(self.root))
            # A new subdirectory is not in the index yet: list it (and what it holds) too.
            todo.extend(d for d in directory.subdirs if d not in known_dirs)
        return dirs, files

    def _apply_listing(
        self,
        conn: sqlite3.Connection,
        dirs: dict[str, int | None],
        files: dict[str, tuple[int, int]],
        *,
        everything: bool,
        listed_dirs: Iterable[str] = (),
        clear: bool = False,
    ) -> RefreshReport:
        """Make the index hold `files` for the directories looked at (`dirs`, plus
        `listed_dirs` that may be gone), or for the whole archive when `everything`."""
        report = RefreshReport()
        with db.transaction(conn):
            if clear:
                self._clear(conn)
            shards = schema.shard_count(conn)
            if everything:
                known, gone = self._stock_everywhere(conn, files)
            else:
                known, gone = self._stock_of(conn, dirs, listed_dirs, files)
            self._delete(conn, gone)
            report.removed = len(gone)
            changed = [rel for rel, state in files.items() if known.get(rel) != state]
            for row in read_many(self.root, changed):
                if row is None:
                    continue
                if self._store(conn, row, shards, fresh=clear) == "added":
                    report.added += 1
                else:
                    report.updated += 1
            conn.executemany(
                "INSERT OR REPLACE INTO dirs (path, mtime_ns) VALUES (?, ?)", list(dirs.items())
            )
        return report

    @staticmethod
    def _clear(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM files")
        conn.execute("DELETE FROM dirs")
        conn.execute("DELETE FROM dead")
        conn.execute("DELETE FROM langs")
        # Dropped, not emptied: deleting rows from FTS5 re-reads every document.
        for shard in range(schema.shard_count(conn)):
            conn.execute(f"DROP TABLE IF EXISTS fts{shard}")
        conn.execute(schema.fts_table(0))
        conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('shards', '1')")

    @staticmethod
    def _stock_everywhere(
        conn: sqlite3.Connection, files: dict[str, tuple[int, int]]
    ) -> tuple[dict[str, tuple[int, int]], list[str]]:
        """(what the index holds, what of it is gone), for the whole archive; the directory
        records are written again."""
        known = {
            rel: (mtime, size)
            for rel, mtime, size in conn.execute("SELECT path, mtime_ns, size FROM files")
        }
        conn.execute("DELETE FROM dirs")
        return known, [rel for rel in known if rel not in files]

    @staticmethod
    def _stock_of(
        conn: sqlite3.Connection,
        dirs: dict[str, int | None],
        listed_dirs: Iterable[str],
        files: dict[str, tuple[int, int]],
    ) -> tuple[dict[str, tuple[int, int]], list[str]]:
        """(what the index holds, what of it is gone), in the directories looked at; the
        records of directories that went, and of all below them, are dropped."""
        known: dict[str, tuple[int, int]] = {}
        gone: list[str] = []
        for rel in set(dirs) | set(listed_dirs):
            for path, mtime, size in conn.execute(
                "SELECT path, mtime_ns, size FROM files WHERE dir = ?", (rel,)
            ):
                known[path] = (mtime, size)
                if path not in files:
                    gone.append(path)
            if rel not in dirs:  # the directory went, and with it all below it
                prefix = rel + "/"
                gone.extend(
                    path
                    for (path,) in conn.execute(
                        "SELECT path FROM files WHERE substr(dir, 1, ?) = ?",
                        (len(prefix), prefix),
                    )
                )
                conn.execute(
                    "DELETE FROM dirs WHERE path = ? OR substr(path, 1, ?) = ?",
                    (rel, len(prefix), prefix),
                )
        return known, gone

    @staticmethod
    def _delete(conn: sqlite3.Connection, rels: Iterable[str]) -> None:
        """Forget these files; the full-text rows of articles among them are dead."""
        for rel in rels:
            row = conn.execute("SELECT id, kind FROM files WHERE path = ?", (rel,)).fetchone()
            if row is not None:
                if row[1] == schema.ARTICLE:
                    conn.execute("INSERT OR IGNORE INTO dead (id) VALUES (?)", (row[0],))
                conn.execute("DELETE FROM files WHERE id = ?", (row[0],))

    @classmethod
    def _store(
        cls, conn: sqlite3.Connection, row: schema.Row, shards: int, *, fresh: bool = False
    ) -> str:
        """Insert one file's rows, in place of those of its previous version if any (`fresh`:
        the index is known not to hold it). The words go to the full-text table of the
        file's shard (its id modulo `shards`); a new version gets a new id."""
        values, fts = row
        previous = None
        if not fresh:
            previous = conn.execute("SELECT 1 FROM files WHERE path = ?", (values[0],)).fetchone()
            if previous is not None:
                cls._delete(conn, [values[0]])
        placeholders = ", ".join("?" * len(values))
        rowid = conn.execute(
            f"INSERT INTO files ({schema.FILE_COLUMNS}) VALUES ({placeholders})", values
        ).lastrowid
        if fts is not None:
            assert rowid is not None
            conn.execute(schema.fts_insert(rowid % shards), (rowid, *fts))
            conn.execute(
                "INSERT OR IGNORE INTO langs (name) VALUES (?)", (values[schema.LANG_KEY],)
            )
        return "updated" if previous is not None else "added"

    def rebuild(
        self, *, alongside: Callable[[schema.UrlSources], object] | None = None
    ) -> RefreshReport:
        """Throw the index away and build it again from every file.

        `alongside`, if given, is called in a thread of its own with what was read of every
        file (as `url_sources` gives it) as soon as the files are read, while the index is
        still being written: `reindex` rebuilds the URL index from it meanwhile.
        """
        with ThreadPoolExecutor(max_workers=1) as thread:
            started: list[Future[object]] = []

            def read(sources: schema.UrlSources) -> None:
                if alongside is not None:
                    started.append(thread.submit(alongside, sources))

            try:
                try:
                    report = self._rebuild(read)
                except sqlite3.DatabaseError as exc:
                    if not db.is_corruption(exc):
                        raise
                    self._discard()
                    report = self._rebuild(read)
                # Files and directories skipped while listing are listed again (and reported)
                # by this refresh: their directories are never recorded as current.
                report.problems = self.refresh(full=False).problems
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            for future in started:
                future.result()
        return report

    def _rebuild(self, read: Callable[[schema.UrlSources], None]) -> RefreshReport:
        remove_scratch(self.path)  # of builds that were killed, however this one is built
        conn = self._db()
        dirs, files = self._list_all([])
        if sharded(len(files)):
            report = self._build(dirs, files, read)
        else:
            report = self._apply_listing(conn, dirs, files, everything=True, clear=True)
            read(schema.url_sources(conn))
            for shard in range(schema.shard_count(conn)):
                # One b-tree per term instead of many segments: faster queries from now on.
                conn.execute(f"INSERT INTO fts{shard} (fts{shard}) VALUES ('optimize')")
        self._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return report

    def _build(
        self,
        dirs: dict[str, int | None],
        files: dict[str, tuple[int, int]],
        read: Callable[[schema.UrlSources], None] | None = None,
    ) -> RefreshReport:
        """Build the whole index on every core, in a new file that takes this one's place."""
        added = build_index(self.path, self.root, dirs, list(files), install=self._put, read=read)
        return RefreshReport(added=added)

    def _put(self, built: Path) -> None:
        """Put the complete index file `built` in place of the current one, or copy it in
        where that cannot be done safely (see `db.install`).

        What processes that have the old index open write to it is lost; the next query
        finds those files through the times of their directories, as it finds any file saved
        behind the index's back.
        """
        self.close()
        if db.install(built, self.path):
            return
        try:
            self._db()  # the schema exists
            copy_in(built, self.path)
        except sqlite3.DatabaseError as exc:
            if not db.is_corruption(exc):
                raise
            self._discard()  # the old index is damaged: the new one goes into a new file
            self._db()
            copy_in(built, self.path)

    def update(self, paths: Iterable[str | Path]) -> None:
        """Index these files now (after saving them). Cheap; never required for correctness:
        the next query would notice them anyway."""
        rels = []
        for path in paths:
            absolute = Path(path) if Path(path).is_absolute() else self.root / path
            try:
                rels.append(PurePosixPath(absolute.resolve().relative_to(self.root)).as_posix())
            except ValueError:
                continue  # not in this archive
        if not rels:
            return
        try:
            conn = self._db()
            with db.transaction(conn):
                shards = schema.shard_count(conn)
                for rel in rels:
                    row = read_file(str(self.root), rel)
                    if row is None:
                        self._delete(conn, [rel])
                    else:
                        self._store(conn, row, shards)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _changed(self, rows: list[Any]) -> bool:
        """Re-read any of these files (rows of entry columns) that changed; True if any did."""
        stale = queries.stale_rows(self.root, rows)
        if stale:
            self.update(stale)
        return bool(stale)

    # -- reading -----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        filters: Filters | None = None,
        field: Field = "all",
        limit: int | None = 20,
    ) -> list[Hit]:
        """The best-matching articles, best first (call `refresh` before, to be current).

        A word also matches its other forms in the languages of the archive, or in the
        language of `filters.lang` when it is given (see `matching`)."""
        tree = matching.parse(query)
        wanted = filters or Filters()

        def read() -> list[tuple[Any, str]]:
            conn = self._db()
            for _ in range(3):
                # One read transaction: the number of shards and their contents agree.
                with db.transaction(conn, write=False):
                    resolved = matching.resolve(tree, field, self._stemmers(conn, wanted))
                    found = self._ranked(conn, resolved, wanted, limit)
                if not self._changed([row for row, _ in found]):
                    break
            return found

        found = self._healing(read)
        return [Hit(queries.entry_of(self.root, row), row[-1], snippet) for row, snippet in found]

    @staticmethod
    def _stemmers(conn: sqlite3.Connection, filters: Filters) -> set[str]:
        """The stemmers a query's words go through: of the language asked for, or of every
        language of the archive."""
        if filters.lang:
            languages = [filters.lang]
        else:
            languages = [name for (name,) in conn.execute("SELECT name FROM langs")]
        return {name for name in map(stemmer_language, languages) if name is not None}

    def _ranked(
        self,
        conn: sqlite3.Connection,
        resolved: matching.Resolved,
        filters: Filters,
        limit: int | None,
    ) -> list[tuple[Any, str]]:
        """(row of entry columns and score, snippet) of the best matches: those holding the
        forms typed first, then those holding other forms, each by rank. Where the index
        alone cannot tell (phrases), each article is checked against its text, in order,
        until there are `limit`."""
        shards = schema.shard_count(conn)
        dead = conn.execute("SELECT EXISTS (SELECT 1 FROM dead)").fetchone()[0]
        found: list[tuple[Any, str]] = []
        seen: set[int] = set()
        tiers = [resolved.typed_forms, resolved.expression]
        for expression in (tier for tier in tiers if tier is not None):
            if limit is not None and len(found) >= limit:
                break
            sql, params = queries.ranking_sql(shards, expression, filters, skip_dead=dead)
            wanted = -1 if limit is None or not resolved.complete else limit + len(seen)
            cursor = conn.execute(sql, (*params, wanted))
            while limit is None or len(found) < limit:
                rows = cursor.fetchmany(max(limit or 100, 20))
                if not rows:
                    break
                for row in rows:
                    if row[0] in seen:
                        continue
                    seen.add(row[0])
                    snippet = self._snippet(resolved, row)
                    if snippet is not None:
                        found.append((row, snippet))
                        if limit is not None and len(found) == limit:
                            break
            cursor.close()
        return found

    def _snippet(self, resolved: matching.Resolved, row: Sequence[Any]) -> str | None:
        """The snippet of the article of `row` (entry columns), from its file; None when the
        query does not match it after all (a phrase not found, a file that went)."""
        texts = read_texts(self.root / row[1])
        if texts is None:
            return "" if resolved.complete else None
        stemmer = stemmer_language(row[12])
        body = Words(texts.body, stemmer)
        if resolved.complete:
            spans = matching.body_marks(resolved, body)
        else:
            fields = {
                "title": Words(texts.title, stemmer),
                "extra": Words(texts.extra, stemmer),
                "body": body,
            }
            where = matching.matches(resolved, fields)
            if where is None:
                return None
            spans = where.get("body", [])
        return matching.snippet(texts.body, spans)

    def entries(
        self,
        *,
        filters: Filters | None = None,
        sort: SortKey = "date",
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[Entry]:
        """Articles passing `filters`, newest first by default (undated ones last)."""
        sql, params = queries.listing_sql(filters or Filters(), sort, reverse)

        def read() -> list[Any]:
            conn = self._db()
            for _ in range(3):
                rows = conn.execute(sql, (*params, limit or -1)).fetchall()
                if not self._changed(rows):
                    break
            return rows

        return [queries.entry_of(self.root, row) for row in self._healing(read)]

    def records(
        self, *, filters: Filters | None = None, with_body: bool = False
    ) -> Iterator[tuple[Entry, dict[str, Any], str | None]]:
        """(entry, front-matter, body or None) for every article passing `filters`, by path.

        The index chooses the articles (`refresh(full=True)` first for exact results); the
        front-matter and body are read from each file.
        """
        sql, params = queries.records_sql(filters or Filters())
        rows = self._healing(lambda: self._db().execute(sql, params).fetchall())
        for row in rows:
            entry = queries.entry_of(self.root, row)
            meta, body = read_front_matter(entry.path)
            yield entry, meta, body if with_body else None

    def url_sources(self) -> schema.UrlSources:
        """What the index read of every file, for `Archive.rebuild_index(known=...)`: path ->
        (mtime_ns, size, is an article, its URL keys: url, source and final_url normalised)."""
        return self._healing(lambda: schema.url_sources(self._db()))

    def count(self) -> int:
        def read() -> int:
            row = self._db().execute(f"SELECT count(*) FROM files WHERE kind = {schema.ARTICLE}")
            return int(row.fetchone()[0])

        return self._healing(read)


def _collect(problems: list[Problem]) -> Callable[[Path, str], None]:
    """An `on_error` for the walker that keeps what it reports."""
    return lambda path, reason: problems.append(Problem(path, reason))


def update_index(archive: Archive, paths: Iterable[str | Path]) -> None:
    """Index files just written by `fetch` or `import` (the lead's hook after saves)."""
    with SearchIndex(archive) as index:
        index.update(paths)
