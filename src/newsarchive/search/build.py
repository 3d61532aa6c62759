"""Building the search index on every core, and putting a new index file in place.

A rebuild, and the first build of a large archive, deals the files out in path order to one
worker process per core (at most _MAX_SHARDS), each writing the rows and the full-text table
(a shard: `fts0`, `fts1`, ...) of its share into scratch databases of its own; the shards are
put together in one new file, which takes the place of the old index. A file's text lives in
the shard of its id (the id modulo the number of shards), also when it is updated later.
Each shard ranks its matches by bm25 over its own statistics; the shards are fair samples of
the archive, so those barely differ from what one table would give. A smaller archive gets
one table, built in one process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive import db
from newsarchive.leftovers import is_leftover
from newsarchive.search.document import read_chunk, read_file
from newsarchive.search.schema import (
    ARTICLE,
    FILE_COLUMNS,
    FILES_TABLE,
    FTS_SHADOWS,
    SCHEMA,
    SCHEMA_VERSION,
    Row,
    UrlSources,
    fts_insert,
    fts_table,
    shard_count,
    url_sources,
)
from newsarchive.workers import bounded_map, worker_count, worker_pool

_PARALLEL_MIN = 2_000  # below this many files to read, worker processes cost more than they save
_CHUNK = 250
_MAX_SHARDS = 4  # full-text tables built side by side by a rebuild (one per core, at most this)
_BUILD_SETTINGS = {"hashsize": 64 << 20, "automerge": 0, "crisismerge": 1000}  # _build_shard


def read_many(root: Path, rels: Sequence[str]) -> Iterator[Row | None]:
    """`read_file` of each of `rels`, in order: in worker processes when there are many."""
    workers = worker_count()
    if len(rels) < _PARALLEL_MIN or workers < 2:
        for rel in rels:
            yield read_file(str(root), rel)
        return
    chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    with worker_pool(workers) as pool:
        yield from bounded_map(pool, workers, read_chunk, str(root), chunks)


def sharded(files: int) -> bool:
    """Whether a build of this many files is worth worker processes (and shards)."""
    return _shards_for(files) > 1


def _shards_for(files: int) -> int:
    """How many full-text tables a build of this many files writes side by side."""
    cores = worker_count()
    if files < _PARALLEL_MIN or cores < 2:
        return 1
    return min(cores, _MAX_SHARDS)


@dataclass(frozen=True)
class _Shard:
    """One worker's part of a parallel build: these files, into these two new databases."""

    root: str
    path: str  # full-text table fts<number>
    rows: str  # the files table
    number: int
    files: list[tuple[int, str]]  # (id, path), in id order


def _build_shard(shard: _Shard) -> int:
    """In a worker process: read the shard's files into new databases of its own, their rows
    into a files table and their text into full-text table `fts<number>`, optimized; returns
    the number of files read.

    No journal and no syncing: these are scratch files, thrown away when anything fails.
    """
    conn = db.connect(shard.path, wal=False, cache_kib=65536)
    try:
        conn.execute("ATTACH DATABASE ? AS rows", (shard.rows,))
        db.unjournaled(conn, "main", "rows")
        conn.execute(FILES_TABLE.replace(" files ", " rows.files ", 1))
        conn.execute(fts_table(shard.number))
        name = f"fts{shard.number}"
        # Keep up to 64 MB of tokens in memory before writing a segment, and merge segments
        # once, at the end, rather than as they pile up: a third less work than FTS5's
        # defaults, which the table gets back once it is built.
        for setting, value in _BUILD_SETTINGS.items():
            conn.execute(f"INSERT INTO {name} ({name}, rank) VALUES (?, ?)", (setting, value))
        places = ", ".join("?" * (FILE_COLUMNS.count(",") + 2))
        insert_file = f"INSERT INTO rows.files (id, {FILE_COLUMNS}) VALUES ({places})"
        insert_text = fts_insert(shard.number)
        count = 0
        conn.execute("BEGIN")
        for start in range(0, len(shard.files), _CHUNK):
            files: list[tuple[Any, ...]] = []
            texts: list[tuple[Any, ...]] = []
            for rowid, rel in shard.files[start : start + _CHUNK]:
                row = read_file(shard.root, rel)
                if row is None:
                    continue  # deleted since the listing
                files.append((rowid, *row[0]))
                if row[1] is not None:
                    texts.append((rowid, *row[1]))
            conn.executemany(insert_file, files)
            conn.executemany(insert_text, texts)
            count += len(files)
        conn.execute("COMMIT")
        conn.execute(f"INSERT INTO {name} ({name}) VALUES ('optimize')")
        # Back to the defaults (this connection, which has them cached, goes now).
        conn.executemany(
            f"DELETE FROM {name}_config WHERE k = ?", [(key,) for key in _BUILD_SETTINGS]
        )
    finally:
        conn.close()
    return count


def _assemble(
    target: Path, shards: Sequence[_Shard], dirs: Mapping[str, int | None], root: Path
) -> None:
    """Make shard 0's database the complete index: copy in the other shards' full-text
    tables (through their shadow tables: copies of b-tree rows, no tokenizing) and every
    shard's file rows, in id order, then add the rest of the schema.

    The connection is new and never reads the full-text tables whose rows it writes, so no
    structure FTS5 caches per connection can be out of date.
    """
    conn = db.connect(target, wal=False, cache_kib=131072)
    try:
        db.unjournaled(conn)
        for shard in shards:
            conn.execute("ATTACH DATABASE ? AS ?", (shard.rows, f"rows{shard.number}"))
            if shard.number:
                conn.execute("ATTACH DATABASE ? AS ?", (shard.path, f"shard{shard.number}"))
        conn.execute("BEGIN")
        for shard in shards[1:]:
            name = f"fts{shard.number}"
            conn.execute(fts_table(shard.number))
            for shadow in FTS_SHADOWS:
                conn.execute(f"DELETE FROM main.{name}_{shadow}")
                conn.execute(
                    f"INSERT INTO main.{name}_{shadow}"
                    f" SELECT * FROM shard{shard.number}.{name}_{shadow}"
                )
        conn.execute(FILES_TABLE)
        # A merge of the shards' rows, each already in id order: the b-tree fills in order.
        union = " UNION ALL ".join(
            f"SELECT id, {FILE_COLUMNS} FROM rows{shard.number}.files" for shard in shards
        )
        conn.execute(f"INSERT INTO main.files (id, {FILE_COLUMNS}) {union} ORDER BY id")
        for statement in SCHEMA:  # the other tables, and the indexes, built once now
            conn.execute(statement)
        conn.executemany("INSERT INTO dirs (path, mtime_ns) VALUES (?, ?)", list(dirs.items()))
        conn.execute(
            "INSERT INTO langs (name)"
            f" SELECT DISTINCT lang_key FROM main.files WHERE kind = {ARTICLE}"
        )
        conn.executemany(
            "INSERT INTO meta (name, value) VALUES (?, ?)",
            [("schema", SCHEMA_VERSION), ("root", str(root)), ("shards", str(len(shards)))],
        )
        conn.execute("COMMIT")
        for shard in shards:
            conn.execute(f"DETACH DATABASE rows{shard.number}")
            if shard.number:
                conn.execute(f"DETACH DATABASE shard{shard.number}")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


def remove_scratch(target: Path) -> None:
    """Remove the scratch files of builds of `target` that were killed: their folder names
    the process that made it (`NAME.build-PID-…`), which no longer runs."""
    for left in target.parent.glob(f"{target.name}.build-*"):
        if is_leftover(left):
            shutil.rmtree(left, ignore_errors=True)


def build_index(
    target: Path,
    root: Path,
    dirs: Mapping[str, int | None],
    files: Sequence[str],
    *,
    install: Callable[[Path], None],
    read: Callable[[UrlSources], None] | None = None,
) -> int:
    """Build the whole index of `files` (with `dirs`: directory -> recorded mtime) on every
    core, in a new file next to `target`, and have `install` put it in place; returns the
    number of files read. `read`, if given, gets what was read of every file first."""
    rels = sorted(files)
    shards = _shards_for(len(rels))
    remove_scratch(target)
    prefix = f"{target.name}.build-{os.getpid()}-"
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    try:
        jobs = [
            _Shard(
                root=str(root),
                path=str(folder / f"shard{number}.sqlite"),
                rows=str(folder / f"rows{number}.sqlite"),
                number=number,
                # ids in path order, dealt out in turn: each shard a fair sample
                files=[(i, rel) for i, rel in enumerate(rels, 1) if i % shards == number],
            )
            for number in range(shards)
        ]
        with worker_pool(shards) as pool:
            added = sum(pool.map(_build_shard, jobs))
        if read is not None:
            sources: UrlSources = {}
            for job in jobs:
                with closing(db.connect(job.rows, wal=False)) as rows:
                    sources.update(url_sources(rows))
            read(sources)
        built = Path(jobs[0].path)
        _assemble(built, jobs, dirs, root)
        install(built)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return added


def copy_in(built: Path, target: Path) -> None:
    """Copy the complete index file `built` into the index `target` (which has the schema),
    in one transaction, on a connection of its own (see `_assemble`)."""
    conn = db.connect(target, wal=False, cache_kib=131072)
    try:
        conn.execute("ATTACH DATABASE ? AS built", (str(built),))
        with db.transaction(conn):
            for table in ("files", "dirs", "dead", "langs"):
                conn.execute(f"DELETE FROM main.{table}")
            for shard in range(shard_count(conn)):
                conn.execute(f"DROP TABLE IF EXISTS main.fts{shard}")
            shards = shard_count(conn, "built")
            for shard in range(shards):
                name = f"fts{shard}"
                conn.execute(fts_table(shard))
                for shadow in FTS_SHADOWS:
                    conn.execute(f"DELETE FROM main.{name}_{shadow}")
                    conn.execute(
                        f"INSERT INTO main.{name}_{shadow} SELECT * FROM built.{name}_{shadow}"
                    )
            conn.execute(
                f"INSERT INTO main.files (id, {FILE_COLUMNS})"
                f" SELECT id, {FILE_COLUMNS} FROM built.files ORDER BY id"
            )
            conn.execute("INSERT INTO main.dirs SELECT path, mtime_ns FROM built.dirs")
            conn.execute("INSERT INTO main.langs SELECT name FROM built.langs")
            conn.execute(
                "INSERT OR REPLACE INTO main.meta (name, value) VALUES ('shards', ?)",
                (str(shards),),
            )
    finally:
        conn.close()
