"""The SQLite files of the derived indexes: the URL index (store.py) and the full-text index
(search/), and the scratch files an index is built in. Opening one, its settings, its schema
version, throwing it away and starting afresh when it is damaged or from another version,
writing in one transaction, and putting a new file in place of the old one.

Both indexes are derived data, rebuilt from the Markdown files at any time, so a damaged or
foreign file is never repaired: it is deleted and built again. Both live in the user's cache
directory, shared by every newsarchive process working on the archive: connections wait up
to BUSY_TIMEOUT_MS for a lock, and write in WAL mode so that readers never wait for writers.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "BUSY_TIMEOUT_MS",
    "StaleDatabase",
    "connect",
    "discard",
    "ensure_schema",
    "install",
    "is_corruption",
    "open_or_rebuild",
    "open_read_only",
    "transaction",
    "unjournaled",
]

BUSY_TIMEOUT_MS = 60_000
_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class StaleDatabase(Exception):
    """The file is damaged, not a database, or from another schema version: derived data to
    throw away and build again."""


def is_corruption(exc: BaseException) -> bool:
    """Whether `exc` says the file is unusable (throwing it away helps). OperationalError
    (locked, read-only, disk full) is a DatabaseError too, but deleting the file would not
    help with it."""
    if isinstance(exc, StaleDatabase):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        # A text value that is not UTF-8 (a damaged page, a bad write) cannot be read back.
        return str(exc).startswith("Could not decode to UTF-8")
    return isinstance(exc, sqlite3.DatabaseError)


def connect(
    path: Path | str,
    *,
    wal: bool = True,
    cache_kib: int | None = None,
    threads: bool = False,
    setup: Callable[[sqlite3.Connection], None] | None = None,
) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit: `transaction`) that waits
    for locks. `threads`: the caller shares it between its threads, under a lock of its own.
    `setup(conn)` runs last; the connection is closed when anything raises."""
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=not threads
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if cache_kib is not None:
            conn.execute(f"PRAGMA cache_size = -{cache_kib}")
        if wal:
            _set_wal(conn)
        if setup is not None:
            setup(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _set_wal(conn: sqlite3.Connection) -> None:
    # Switching a new database to WAL needs an exclusive lock and SQLite does not call the
    # busy handler for it: two processes opening a fresh index at once get "locked" at once.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def unjournaled(conn: sqlite3.Connection, *schemas: str) -> None:
    """No journal and no syncing for the databases `schemas` of `conn` (with none named: every
    database attached, and those attached later): for scratch files, written once, fast, and
    thrown away when anything fails."""
    for prefix in [f"{schema}." for schema in schemas] or [""]:
        conn.execute(f"PRAGMA {prefix}journal_mode = OFF")
        conn.execute(f"PRAGMA {prefix}synchronous = OFF")


def open_read_only(path: Path, version: str) -> sqlite3.Connection:
    """A read-only connection that waits at most a second for a lock; StaleDatabase when the
    file is not at schema `version`, sqlite3.Error when it cannot be opened."""
    conn = sqlite3.connect(
        f"{path.as_uri()}?mode=ro", uri=True, timeout=1.0, check_same_thread=False
    )
    try:
        row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
    except BaseException:
        conn.close()
        raise
    if row is None or row[0] != version:
        conn.close()
        raise StaleDatabase(f"index schema {row[0] if row else None}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, write: bool = True) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises. `write`
    takes the write lock at once (BEGIN IMMEDIATE), so that what the block reads cannot be
    changed by another process before it writes."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
        conn.execute("COMMIT")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def ensure_schema(
    conn: sqlite3.Connection,
    version: str,
    statements: Sequence[str],
    *,
    root: str,
    also: Callable[[sqlite3.Connection], None] | None = None,
    also_creates: Sequence[str] = (),
) -> None:
    """Check that the database is at schema `version`, creating what is missing.

    `statements` create the tables and indexes ("CREATE ... IF NOT EXISTS name ..."); `also`,
    run in the same transaction, creates the tables named `also_creates`. A database whose
    `meta` table records another version, or none, raises StaleDatabase. The write lock is
    only taken when something is missing: opening a complete database never waits for it.
    """
    names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    if "meta" in names:
        row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if row is None or row[0] != version:
            raise StaleDatabase(f"index schema {row[0] if row else None}")
        if names >= _created_names(statements) | set(also_creates):
            return
    with transaction(conn):
        for statement in statements:
            conn.execute(statement)
        if also is not None:
            also(conn)
        conn.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('schema', ?), ('root', ?)",
            (version, root),
        )


def _created_names(statements: Sequence[str]) -> set[str]:
    """The tables and indexes that `statements` create."""
    names = set()
    for statement in statements:
        words = statement.replace("(", " ").split()
        if "EXISTS" in words:
            names.add(words[words.index("EXISTS") + 1])
    return names


def open_or_rebuild(path: Path, open_: Callable[[Path], sqlite3.Connection]) -> sqlite3.Connection:
    """`open_(path)`, in a new, empty file when the current one is damaged or stale (open_
    raises StaleDatabase or a corruption error for it). The directory is made if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return open_(path)
    except (sqlite3.Error, StaleDatabase) as exc:
        if not is_corruption(exc):
            raise
    discard(path)
    return open_(path)


def discard(path: Path) -> None:
    """Delete a database file and its journal files (the next open starts an empty one)."""
    for suffix in _FILE_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def install(built: Path, path: Path) -> bool:
    """Put the complete database file `built` in the place of `path`; False when that cannot
    be done safely (another process created a file there meanwhile; a platform that cannot
    delete an open file; no hard links), and the caller copies it in instead.

    Processes that have the old file open keep reading it (it is only unlinked).
    """
    try:
        discard(path)
        os.link(built, path)  # never replaces a file created meanwhile
    except OSError:
        return False
    return True
