"""The SQLite helpers both indexes open their files with: schema versions, starting afresh on a
damaged or foreign file, transactions, and putting a new file in place."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from newsarchive import db

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS items_name ON items (name)",
)


def open_v2(path: Path) -> sqlite3.Connection:
    return db.connect(path, setup=lambda conn: db.ensure_schema(conn, "2", SCHEMA, root="/a"))


def names(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}


def test_a_new_file_gets_the_schema_and_its_version(tmp_path: Path) -> None:
    with closing(db.open_or_rebuild(tmp_path / "cache" / "x.sqlite", open_v2)) as conn:
        assert names(conn) >= {"meta", "items", "items_name"}
        assert dict(conn.execute("SELECT name, value FROM meta")) == {"schema": "2", "root": "/a"}
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a database at all" * 100),
        lambda path: _old_version(path),
    ],
    ids=["garbage", "another version"],
)
def test_a_damaged_or_stale_file_is_started_afresh(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "x.sqlite"
    damage(path)  # type: ignore[operator]
    with pytest.raises((sqlite3.DatabaseError, db.StaleDatabase)):
        open_v2(path).close()
    with closing(db.open_or_rebuild(path, open_v2)) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone() == ("2",)
        assert "old" not in names(conn)


def _old_version(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
        conn.execute("CREATE TABLE old (x)")
        conn.execute("INSERT INTO meta VALUES ('schema', '1')")
        conn.commit()


def test_a_locked_file_is_not_thrown_away(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    open_v2(path).close()
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")

        def impatient(path: Path) -> sqlite3.Connection:  # would write at once
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error:
                conn.close()
                raise
            return conn

        with pytest.raises(sqlite3.OperationalError, match="locked"):
            db.open_or_rebuild(path, impatient)
        other.execute("ROLLBACK")
    assert path.exists()


def test_a_complete_schema_is_checked_without_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    open_v2(path).close()
    with closing(db.connect(path)) as writer, closing(sqlite3.connect(path, timeout=0)) as conn:
        writer.execute("BEGIN IMMEDIATE")  # another process writing
        db.ensure_schema(conn, "2", SCHEMA, root="/a")  # would fail at once with "locked"
        with pytest.raises(db.StaleDatabase):
            db.ensure_schema(conn, "3", SCHEMA, root="/a")
        writer.execute("ROLLBACK")


def test_a_transaction_is_all_or_nothing(tmp_path: Path) -> None:
    with closing(open_v2(tmp_path / "x.sqlite")) as conn:
        with db.transaction(conn):
            conn.execute("INSERT INTO items VALUES ('kept')")
        with pytest.raises(KeyError), db.transaction(conn):
            conn.execute("INSERT INTO items VALUES ('lost')")
            raise KeyError("lost")
        assert conn.execute("SELECT name FROM items").fetchall() == [("kept",)]
        assert not conn.in_transaction


def test_install_puts_a_new_file_in_place_while_old_readers_keep_theirs(tmp_path: Path) -> None:
    path, built = tmp_path / "x.sqlite", tmp_path / "built.sqlite"
    with closing(open_v2(path)) as old:
        old.execute("INSERT INTO items VALUES ('old')")
        with closing(open_v2(built)) as new:
            new.execute("INSERT INTO items VALUES ('new')")
            new.execute("PRAGMA journal_mode = DELETE")  # complete in one file
        assert db.install(built, path)
        assert old.execute("SELECT name FROM items").fetchall() == [("old",)]
    with closing(open_v2(path)) as conn:
        assert conn.execute("SELECT name FROM items").fetchall() == [("new",)]


def test_the_read_only_reader_wants_its_version(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    open_v2(path).close()
    with closing(db.open_read_only(path, "2")) as conn:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("INSERT INTO items VALUES ('x')")
    with pytest.raises(db.StaleDatabase):
        db.open_read_only(path, "3")
