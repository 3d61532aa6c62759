"""The archive on disk: dated Markdown files, written atomically, found again by URL.

The Markdown files are the source of truth. Finding an article by URL goes through an index
(URL key -> file) kept in an SQLite database in the user's cache directory, outside the archive
so that `grep -r` over the archive never meets a binary file. The index is derived data: it is
brought up to date with files added, moved or deleted by hand each time an archive is opened,
and rebuilt from the files when it is missing or corrupt.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from newsarchive import db
from newsarchive.articles import read_article, read_text
from newsarchive.errors import StoreError
from newsarchive.frontmatter import is_newsarchive
from newsarchive.leftovers import is_leftover, sync_directory, temp_name
from newsarchive.models import Article
from newsarchive.naming import (
    DEFAULT_TEMPLATE,
    parse_template,
    render_template,
    suffixed,
    template_values,
    validate_template,
)
from newsarchive.urls import other_scheme, url_key
from newsarchive.walk import IMAGES_DIR, article_files, directories, parent_of

__all__ = [
    "IMAGES_DIR",
    "Archive",
    "Commit",
    "Rewriter",
    "SaveResult",
    "article_keys",
    "url_keys",
]


@dataclass(frozen=True)
class SaveResult:
    """What `Archive.save` did."""

    path: Path  # absolute path of the article's file
    created: bool  # the file was written; False when the URL was already archived
    replaced: bool  # force=True overwrote the file already archived for this URL


def _read_article(
    path: Path, on_problem: Callable[[Path, str], None] | None = None
) -> tuple[bool, set[str]]:
    """Whether `path` is a newsarchive file, and its URL keys (url, source, final_url).

    Unreadable files and broken front-matter count as "not ours": the index skips them and
    tells `on_problem`; `Archive.articles` reports them.
    """
    try:
        meta = read_article(path).meta
    except StoreError as exc:
        if on_problem is not None:
            on_problem(path, exc.detail)
        return False, set()
    if not is_newsarchive(meta):
        return False, set()
    return True, set(url_keys(meta))


def url_keys(meta: Mapping[str, Any]) -> list[str]:
    """The keys under which the URL index files an article: its url, source and final_url,
    normalised, without repeats."""
    keys = (url_key(meta.get(name)) for name in ("url", "source", "final_url"))
    return [key for key in dict.fromkeys(keys) if key]


def _temp_name(name: str) -> str:
    # Starts with "." and ends with ".tmp": never read as an article, hidden from `ls`; and
    # names this process, so that a leftover of a crash is known as one (leftovers.py).
    return temp_name(name)


@dataclass
class _Dir:
    """One directory seen by a scan: its mtime and its visible `.md` files."""

    mtime_ns: int | None  # None: look at it again next time (see Directory.stamp)
    files: dict[str, tuple[int, int]]  # root-relative path -> (mtime_ns, size)


@dataclass
class _Changes:
    dirs: dict[str, _Dir] = field(default_factory=dict)  # rescanned directories
    gone_dirs: list[str] = field(default_factory=list)
    gone_files: list[str] = field(default_factory=list)
    parsed: dict[str, tuple[int, int, set[str]]] = field(default_factory=dict)
    articles: int = 0


_SCHEMA_VERSION = "1"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY, path TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS keys_path ON keys (path)",
    "CREATE TABLE IF NOT EXISTS files"
    " (path TEXT PRIMARY KEY, dir TEXT NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS files_dir ON files (dir)",
    "CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER)",
)


class Archive:
    """An archive directory of Markdown articles, and the index that finds them by URL.

    Only article files (and their temporary files while being written) are ever written
    inside `root`; the index lives in `<cache_dir>/archives/<hash of root>/index.sqlite`.
    """

    def __init__(
        self,
        root: str | Path,
        *,
        template: str | None = None,
        cache_dir: Path | None = None,
        on_problem: Callable[[Path, str], None] | None = None,
    ) -> None:
        """`on_problem(path, reason)` hears of what the URL index has to pass over when it
        reads the archive: a name that is not UTF-8, a directory that cannot be listed, a
        file that cannot be read."""
        self.on_problem = on_problem
        self.root = Path(root).expanduser().resolve()
        self.template = DEFAULT_TEMPLATE if template is None else template
        self._pieces = parse_template(self.template)
        validate_template(self.template)
        self._cache_dir = cache_dir
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.RLock()  # one connection, shared by the threads of a process

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the index database; it is opened again when next needed."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    @property
    def index_path(self) -> Path:
        """The derived URL index: in the cache directory, never inside the archive."""
        cache_dir = self._cache_dir
        if cache_dir is None:
            env = os.environ.get("NEWSARCHIVE_CACHE_DIR")
            if env:
                cache_dir = Path(env)
            else:
                # Imported here: only callers that need the index need the config module.
                from newsarchive.config import default_cache_dir

                cache_dir = default_cache_dir()
        digest = hashlib.sha256(os.fsencode(self.root)).hexdigest()[:16]
        return Path(cache_dir).expanduser() / "archives" / digest / "index.sqlite"

    # -- paths ------------------------------------------------------------------------------

    def path_for(self, article: Article) -> Path:
        """The article's path relative to `root`, from the template. Pure: no disk access."""
        return Path(render_template(self.template, self._pieces, template_values(article)))

    # -- finding ----------------------------------------------------------------------------

    def lookup(self, *urls: str) -> Path | None:
        """The absolute path of the file archived for any of `urls`, or None.

        URLs are normalised and tried with both http and https. A key whose file was deleted
        is dropped, so the article can be archived again.
        """
        with self._lock:
            conn = self._connect()
            try:
                return self._find(conn, _candidates(urls))
            except sqlite3.Error as exc:
                raise self._db_error(exc) from exc

    def _find(self, conn: sqlite3.Connection, keys: Iterable[str]) -> Path | None:
        for key in keys:
            row = conn.execute("SELECT path FROM keys WHERE key = ?", (key,)).fetchone()
            if row is None:
                continue
            rel: str = row[0]
            path = self.root / rel
            if path.is_file():
                return path
            self._forget(conn, rel)  # deleted or moved by hand since the last scan
        return None

    def remember(self, path: Path, urls: Iterable[str]) -> None:
        """Record more URLs that lead to the article at `path` (a mirror whose page names the
        same canonical URL), so that they are found without a request next time. Like the
        rest of the index, derived data: a rebuild from the files keeps only the URLs the
        front-matter names."""
        with self._lock:
            conn = self._connect()
            try:
                with db.transaction(conn):
                    self._remember(conn, path, urls)
            except sqlite3.Error as exc:
                raise self._db_error(exc) from exc

    def _remember(self, conn: sqlite3.Connection, path: Path, urls: Iterable[str]) -> None:
        """Point the keys of `urls` that lead nowhere yet at `path` (inside a transaction)."""
        rel = path.relative_to(self.root).as_posix()
        keys = [key for key in dict.fromkeys(map(url_key, urls)) if key]
        conn.executemany(
            "INSERT OR IGNORE INTO keys (key, path) VALUES (?, ?)", [(key, rel) for key in keys]
        )

    @staticmethod
    def _forget(conn: sqlite3.Connection, rel: str) -> None:
        conn.execute("DELETE FROM keys WHERE path = ?", (rel,))
        conn.execute("DELETE FROM files WHERE path = ?", (rel,))

    def articles(
        self, *, on_error: Callable[[Path, Exception], None] | None = None
    ) -> Iterator[tuple[Path, dict[str, Any]]]:
        """Every file under `root` with newsarchive front-matter, as (path, meta), by path.

        Other files (a README.md, notes) are skipped silently. Files that cannot be read or
        whose front-matter is broken are skipped and passed to `on_error` when given.
        """

        def skipped(path: Path, reason: str) -> None:
            if on_error is not None:
                on_error(path, StoreError(str(path), reason))

        for rel in article_files(self.root, on_error=skipped):
            path = self.root / rel
            try:
                meta = read_article(path).meta
            except StoreError as exc:
                if on_error is not None:
                    on_error(path, exc)
                continue
            if is_newsarchive(meta):
                yield path, meta

    # -- saving -----------------------------------------------------------------------------

    def save(
        self,
        article: Article,
        text: str,
        *,
        keys: Iterable[str],
        force: bool = False,
        rewrite: Rewriter | None = None,
    ) -> SaveResult:
        """Write `text` (the whole file) for `article` unless one of its URLs is archived.

        `keys` are URLs the article is known by (as requested, after redirects, canonical);
        the article's url, source and final_url are always added. With `force` the file
        already archived for them is replaced in place, by what `rewrite(path, its bytes,
        text)` returns when given (userdata.Rewrite keeps the user's keys, tags and edits).
        The write is atomic: a crash never leaves a partial `.md`, and a name held by another
        article gets "-2", "-3", ... Holds the index's write lock throughout, so concurrent
        saves never duplicate.
        """
        rel = PurePosixPath(self.path_for(article))
        own_keys = article_keys(article, keys)
        with self._lock:
            conn = self._connect()
            try:
                with db.transaction(conn):  # one writer at a time, across processes
                    result = self._save_locked(conn, rel, text, own_keys, force, rewrite)
            except sqlite3.Error as exc:
                raise self._db_error(exc) from exc
        return result

    @contextmanager
    def committing(self) -> Iterator[Commit]:
        """A `Commit`: files written whole under temporary names, given their names under
        the index's write lock, in one transaction. When the block ends, the directories
        of the files named are fsynced, then the transaction is committed: every file is
        on disk and found by its URLs then. When it raises, the transaction is rolled back
        (a file named by then stays, and is found by the next scan)."""
        with self._lock:
            conn = self._connect()
            try:
                with db.transaction(conn):
                    commit = Commit(self, conn)
                    yield commit
                    commit.sync()
            except sqlite3.Error as exc:
                raise self._db_error(exc) from exc

    def edit(self, path: Path, change: Callable[[str], str]) -> None:
        """Replace the article file at `path` by `change(its text)`, atomically, under the
        index's write lock (so that no other newsarchive process rewrites it meanwhile),
        and again if the file changed while `change` ran (an editor saved it)."""

        def rewrite(path: Path, old: bytes, _: str) -> str:
            try:
                return change(old.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise StoreError(str(path), "cannot edit: not UTF-8 text") from exc

        path = Path(os.path.abspath(path))
        with self._lock:
            conn = self._connect()
            try:
                with db.transaction(conn):
                    self._replace(path, "", rewrite)
                    self._record(conn, path, ())
            except sqlite3.Error as exc:
                raise self._db_error(exc) from exc
            except OSError as exc:
                raise StoreError(str(path), f"cannot write: {exc.strerror or exc}") from exc

    def _save_locked(
        self,
        conn: sqlite3.Connection,
        rel: PurePosixPath,
        text: str,
        keys: list[str],
        force: bool,
        rewrite: Rewriter | None,
    ) -> SaveResult:
        # Checked again under the lock: another process may have archived the URL meanwhile.
        existing = self._find(conn, _candidates(keys))
        if existing is not None and not force:
            self._remember(conn, existing, keys)
            return SaveResult(existing, created=False, replaced=False)
        directory = existing.parent if existing is not None else self.root / rel.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            outcome = "replaced"
            if existing is None:
                tmp = directory / _temp_name(rel.name)
                try:
                    self._write_temp(tmp, text.encode("utf-8"))
                    existing, outcome = self._claim(conn, tmp, rel, set(keys), force)
                finally:
                    tmp.unlink(missing_ok=True)
            final = existing
            if outcome == "replaced":
                self._replace(final, text, rewrite)
            sync_directory(directory)
        except OSError as exc:
            raise StoreError(str(directory), f"cannot write: {exc.strerror or exc}") from exc
        if outcome == "exists":
            self._record(conn, final, keys + sorted(_read_article(final)[1]))
            return SaveResult(final, created=False, replaced=False)
        self._record(conn, final, keys, replace=outcome == "replaced")
        return SaveResult(final, created=True, replaced=outcome == "replaced")

    def _replace(self, path: Path, text: str, rewrite: Rewriter | None) -> None:
        """Put `text` (or what `rewrite` makes of the file's bytes and `text`) in place of
        the file at `path`, through a temp file renamed over it. When the file changes while
        `rewrite` works (an editor saved it), it is read and rewritten again."""
        for _ in range(_REWRITE_TRIES):
            if rewrite is None:
                data, before = text.encode("utf-8"), None
            else:
                before = _file_state(path)
                data = rewrite(path, _read_file(path), text).encode("utf-8")
            tmp = path.parent / _temp_name(path.name)
            try:
                self._write_temp(tmp, data)
                if before is not None and _file_state(path) != before:
                    continue  # changed meanwhile: its new content must be carried over
                os.replace(tmp, path)
                return
            finally:
                tmp.unlink(missing_ok=True)
        raise StoreError(str(path), "the file kept changing while it was rewritten; try again")

    @staticmethod
    def _write_temp(tmp: Path, data: bytes) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, 0o666)  # 0o666 & umask: the mode any new file would get
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def _claim(
        self, conn: sqlite3.Connection, tmp: Path, rel: PurePosixPath, keys: set[str], force: bool
    ) -> tuple[Path, str]:
        """Give the complete temp file a final name without overwriting anyone's file;
        none of `keys` is in the index (the caller looked).

        Returns the path and "created"; or, when the name holds this same article (on disk
        but not yet indexed), "replaced" with `force` (the caller replaces it) and "exists"
        without. A name whose file cannot be read is not passed over for the next one: that
        file may be this article, and a `-2` copy of it would be a duplicate.
        """
        first, n = rel.as_posix(), 1
        while True:
            final = self.root / suffixed(first, n)
            if _link_new(tmp, final):
                return final, "created"
            free = self._first_name_not_indexed(conn, first, n)
            if free > n:  # the index holds the file there, and none of `keys` leads to it
                n = free
                continue
            problem = _unreadable(final)
            if problem is not None:
                raise StoreError(
                    str(final),
                    f"{problem}; it may be this article, so no second copy is written beside it",
                )
            if _read_article(final)[1] & keys:
                return final, "replaced" if force else "exists"
            n += 1

    def _first_name_not_indexed(self, conn: sqlite3.Connection, rel: str, n: int) -> int:
        """The first `n`, from the one given on, whose name (`rel`, then `suffixed`) the index
        does not hold with its present size and mtime and with URLs that lead to it; for
        such a file, reading it would tell nothing more. (A file the index scanned but could
        not read, or that names no URL, is read again.) Copies of one article under other
        URLs (one title, one date) share its name: one query for all the namesakes instead
        of two for each keeps the naming of the k-th copy from costing k tries."""
        base = rel.removesuffix(".md")
        held = {
            path: (mtime_ns, size)
            for path, mtime_ns, size in conn.execute(
                "SELECT path, mtime_ns, size FROM files WHERE (path = ? OR path > ? AND path < ?)"
                " AND EXISTS (SELECT 1 FROM keys WHERE keys.path = files.path)",
                (rel, base + "-", base + "."),  # the name, every "base-..." name, no other
            )
        }
        root = str(self.root)
        while (name := suffixed(rel, n)) in held:
            state = _file_state(os.path.join(root, name))
            if state is None or (state[1], state[2]) != held[name]:
                break
            n += 1
        return n

    def _record(
        self, conn: sqlite3.Connection, path: Path, keys: Iterable[str], *, replace: bool = False
    ) -> None:
        """Record a written file and its keys (inside the caller's transaction)."""
        rel = path.relative_to(self.root).as_posix()
        stat = path.stat()
        if replace:  # the new content decides which URLs lead to the file
            conn.execute("DELETE FROM keys WHERE path = ?", (rel,))
        conn.executemany(
            "INSERT OR REPLACE INTO keys (key, path) VALUES (?, ?)",
            [(key, rel) for key in dict.fromkeys(keys)],
        )
        conn.execute(
            "INSERT OR REPLACE INTO files (path, dir, mtime_ns, size) VALUES (?, ?, ?, ?)",
            (rel, parent_of(rel), stat.st_mtime_ns, stat.st_size),
        )

    # -- the index --------------------------------------------------------------------------

    def rebuild_index(
        self, known: Mapping[str, tuple[int, int, bool, Sequence[str]]] | None = None
    ) -> int:
        """Rebuild the URL index from the files' front-matter; returns the number of articles.

        `known` spares reading again the files a caller has just read (the search index's
        rebuild): root-relative path -> (mtime_ns, size, is a newsarchive article, its keys:
        url, source and final_url as `normalize_url` gives them). An entry is used only while
        mtime and size still match.
        """
        with self._lock:
            conn = self._connect(sync=False)
            changes = self._scan({})
            for directory in changes.dirs.values():
                to_read: dict[str, tuple[int, int]] = {}
                for path, state in directory.files.items():
                    seen = known.get(path) if known is not None else None
                    if seen is not None and (seen[0], seen[1]) == state:
                        keys = set(seen[3]) if seen[2] else set()
                        changes.parsed[path] = (state[0], state[1], keys)
                        changes.articles += seen[2]
                    else:
                        to_read[path] = state
                self._read_files(changes, to_read)
            try:
                self._apply(conn, changes, clear=True)
            except sqlite3.Error as exc:
                raise self._db_error(exc) from exc
            return changes.articles

    def _connect(self, *, sync: bool = True) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        self._conn = None  # a connection inherited through fork must not be used
        path = self.index_path
        try:
            conn = db.open_or_rebuild(path, lambda path: self._open_index(path, sync=sync))
        except sqlite3.Error as exc:
            raise self._db_error(exc) from exc
        except OSError as exc:
            raise StoreError(str(path), f"cannot open the index: {exc.strerror or exc}") from exc
        self._conn, self._pid = conn, os.getpid()
        return conn

    def _open_index(self, path: Path, *, sync: bool) -> sqlite3.Connection:
        """Open the index and bring it up to date (`sync`); a damaged page met on the way
        raises, and the caller starts a new file."""

        def setup(conn: sqlite3.Connection) -> None:
            db.ensure_schema(conn, _SCHEMA_VERSION, _SCHEMA, root=str(self.root))
            if sync:
                self._sync(conn)

        return db.connect(path, threads=True, setup=setup)

    def _db_error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(str(self.index_path), f"index database: {exc}")

    def _scan(self, known_dirs: dict[str, int | None]) -> _Changes:
        """Walk the archive; list, and read the new `.md` files of, every changed directory.

        Temp files left by a crash long ago are deleted on the way."""
        changes = _Changes()
        now = time.time_ns()
        seen: set[str] = set()
        for directory in directories(self.root, on_error=self.on_problem):
            rel = directory.rel
            seen.add(rel)
            _remove_stale_temps(self.root / rel, directory.hidden, now)
            if directory.mtime_ns is not None and known_dirs.get(rel) == directory.mtime_ns:
                continue
            changes.dirs[rel] = _Dir(directory.stamp(now), directory.file_states(self.root))
        changes.gone_dirs = [rel for rel in known_dirs if rel not in seen]
        return changes

    def _sync(self, conn: sqlite3.Connection) -> None:
        """Bring the index up to date with files added, changed, moved or deleted by hand."""
        known_dirs: dict[str, int | None] = dict(conn.execute("SELECT path, mtime_ns FROM dirs"))
        changes = self._scan(known_dirs)
        if not changes.dirs and not changes.gone_dirs:
            return
        to_read: dict[str, tuple[int, int]] = {}
        for rel in [*changes.dirs, *changes.gone_dirs]:
            listed = changes.dirs[rel].files if rel in changes.dirs else {}
            known = {
                path: (mtime_ns, size)
                for path, mtime_ns, size in conn.execute(
                    "SELECT path, mtime_ns, size FROM files WHERE dir = ?", (rel,)
                )
            }
            changes.gone_files.extend(path for path in known if path not in listed)
            to_read.update(
                (path, state) for path, state in listed.items() if known.get(path) != state
            )
        self._read_files(changes, to_read)  # outside the write lock: others may save meanwhile
        self._apply(conn, changes)

    def _read_files(self, changes: _Changes, files: dict[str, tuple[int, int]]) -> None:
        for path, (mtime_ns, size) in files.items():
            is_article, keys = _read_article(self.root / path, self.on_problem)
            changes.parsed[path] = (mtime_ns, size, keys)
            changes.articles += is_article

    def _apply(self, conn: sqlite3.Connection, changes: _Changes, *, clear: bool = False) -> None:
        with db.transaction(conn):
            if clear:
                for table in ("keys", "files", "dirs"):
                    conn.execute(f"DELETE FROM {table}")
                # Nothing to replace: all rows at once, keys in the same order as below.
                conn.executemany(
                    "INSERT OR IGNORE INTO keys (key, path) VALUES (?, ?)",
                    (
                        (key, rel)
                        for rel, (_, _, keys) in changes.parsed.items()
                        for key in sorted(keys)
                    ),
                )
                conn.executemany(
                    "INSERT INTO files (path, dir, mtime_ns, size) VALUES (?, ?, ?, ?)",
                    (
                        (rel, parent_of(rel), mtime_ns, size)
                        for rel, (mtime_ns, size, _) in changes.parsed.items()
                    ),
                )
            for rel in changes.gone_files:
                if not (self.root / rel).is_file():  # checked again under the lock
                    self._forget(conn, rel)
            for rel, (mtime_ns, size, keys) in () if clear else changes.parsed.items():
                conn.execute("DELETE FROM keys WHERE path = ?", (rel,))
                # A key already held by another file keeps it: first come, first served.
                conn.executemany(
                    "INSERT OR IGNORE INTO keys (key, path) VALUES (?, ?)",
                    [(key, rel) for key in sorted(keys)],
                )
                conn.execute(
                    "INSERT OR REPLACE INTO files (path, dir, mtime_ns, size) VALUES (?, ?, ?, ?)",
                    (rel, parent_of(rel), mtime_ns, size),
                )
            conn.executemany(
                "INSERT OR REPLACE INTO dirs (path, mtime_ns) VALUES (?, ?)",
                [(rel, directory.mtime_ns) for rel, directory in changes.dirs.items()],
            )
            conn.executemany(
                "DELETE FROM dirs WHERE path = ?", [(rel,) for rel in changes.gone_dirs]
            )


# A rewrite starts again when the file changed under it, at most this many times.
_REWRITE_TRIES = 5

# rewrite(path, the file's bytes, the new text) -> the text to write instead (userdata.Rewrite).
Rewriter = Callable[[Path, bytes, str], str]


def _read_file(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _file_state(path: str | Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def _unreadable(path: Path) -> str | None:
    """Why the file at `path` cannot be read as an article's text, or None when it can
    (or is not a regular file)."""
    if path.is_dir():
        return None
    try:
        read_text(path)
    except StoreError as exc:
        return exc.detail
    return None


def article_keys(article: Article, urls: Iterable[str]) -> list[str]:
    """The index keys an article is saved with: those of `urls` (the URLs it is known by)
    and of its url, source and final_url, normalised, without repeats."""
    every: list[str | None] = [*urls, article.url, article.source, article.final_url]
    return [key for key in dict.fromkeys(map(url_key, every)) if key]


def _both_schemes(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(each for key in keys for each in (key, other_scheme(key))))


class Commit:
    """Files given their names in one transaction of the URL index (`Archive.committing`):
    an import's articles, written whole by its extraction processes, in groups."""

    def __init__(self, archive: Archive, conn: sqlite3.Connection) -> None:
        self.archive, self._conn = archive, conn
        self._dirs: dict[Path, None] = {}  # the directories of the names given, to fsync

    def find(self, keys: Iterable[str]) -> Path | None:
        """The file archived for any of `keys` (index keys, as `article_keys` gives them),
        with http or https, as this transaction sees it."""
        return self.archive._find(self._conn, _both_schemes(keys))

    def remember(self, path: Path, urls: Iterable[str]) -> None:
        """As `Archive.remember`, in this transaction."""
        self.archive._remember(self._conn, path, urls)

    def claim(self, temp: Path, rel: str, keys: Sequence[str]) -> SaveResult:
        """Give `temp`, the whole file of an article written in the directory of its name
        `rel` (`Archive.path_for`), that name, or "-2", "-3", ... when it is taken, and
        record it with its `keys` (`article_keys`); as `Archive.save` does without `force`.
        When one of those keys is archived already, `temp` is removed instead."""
        archive = self.archive
        own_keys = list(keys)
        try:
            existing = self.find(own_keys)
            if existing is not None:
                archive._remember(self._conn, existing, own_keys)
                return SaveResult(existing, created=False, replaced=False)
            final, outcome = archive._claim(
                self._conn, temp, PurePosixPath(rel), set(own_keys), False
            )
        except OSError as exc:
            raise StoreError(str(temp.parent), f"cannot write: {exc.strerror or exc}") from exc
        finally:
            temp.unlink(missing_ok=True)
        if outcome == "exists":
            archive._record(self._conn, final, own_keys + sorted(_read_article(final)[1]))
            return SaveResult(final, created=False, replaced=False)
        self._dirs[final.parent] = None
        archive._record(self._conn, final, own_keys)
        return SaveResult(final, created=True, replaced=False)

    def add_directory(self, directory: Path) -> None:
        """Have `sync` fsync `directory` too (where a name was given to another file)."""
        self._dirs[directory] = None

    def sync(self) -> None:
        """Make the names given so far durable (fsync their directories)."""
        for directory in self._dirs:
            sync_directory(directory)
        self._dirs.clear()


def _candidates(urls: Iterable[object]) -> list[str]:
    """The index keys to try for `urls`: each normalised, with http and https."""
    keys: dict[str, None] = {}
    for url in urls:
        key = url_key(url)
        if key:
            keys[key] = None
            keys[other_scheme(key)] = None
    return list(keys)


def _link_new(tmp: Path, final: Path) -> bool:
    """Give `tmp`'s content the name `final` unless it is taken; False when it is."""
    try:
        os.link(tmp, final)  # atomic, and never replaces an existing file
        return True
    except FileExistsError:
        return False
    except OSError:
        pass
    # No hard links here (FAT, some network shares): reserve the name, then move onto it.
    # A crash between the two leaves an empty file, which is not an article and is skipped.
    try:
        os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        return False
    os.replace(tmp, final)
    return True


def _remove_stale_temps(directory: Path, hidden: Iterable[str], now_ns: int) -> None:
    """Delete the temp files left behind in `directory` by processes that are gone."""
    for name in hidden:
        if name.endswith(".tmp"):
            path = directory / name
            if is_leftover(path):
                try:
                    path.unlink()
                except OSError:
                    pass
