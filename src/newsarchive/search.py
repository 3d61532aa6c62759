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

Queries use FTS5 syntax made safe: words, "phrases", AND / OR / NOT, prefix*, parentheses.
Matching is case- and diacritics-insensitive (unicode61, remove_diacritics 2); Cyrillic and
other scripts are tokenised as words. Ranking is bm25 with the title weighted far above the
body. The body column holds the article's own text (`article_text`), without the heading,
byline, date and source lines the file repeats from its front-matter.

Building. A rebuild, and the first build of a large archive, runs on every core: the files
are dealt out in path order to one worker process per core (at most _MAX_SHARDS), each
writing the rows and the full-text table (a shard: `fts0`, `fts1`, ...) of its share into
scratch databases of its own; the shards are put together in one new file, which takes the
place of the old index. A file's text lives in the shard of its id (the id modulo the number
of shards), also when it is updated later. Each shard ranks its matches by bm25 over its own
statistics; the shards are fair samples of the archive, so those barely differ from what one
table would give. A smaller archive gets one table, built in one process.

A damaged or foreign index file is thrown away and built again from the files, when it is
opened or when a refresh or rebuild runs into a damaged page.
"""

from __future__ import annotations

import calendar
import contextlib
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar

from newsarchive.errors import NewsArchiveError, StoreError, UsageError
from newsarchive.frontmatter import FrontMatterError, is_newsarchive, loads
from newsarchive.render import format_published
from newsarchive.store import Archive
from newsarchive.urls import normalize_url

__all__ = [
    "FULL_CHECK_LIMIT",
    "INDEX_FILE",
    "IndexReader",
    "KnownFile",
    "MARK_END",
    "MARK_START",
    "Entry",
    "Filters",
    "Hit",
    "Problem",
    "RefreshReport",
    "SearchIndex",
    "UrlSources",
    "article_text",
    "bounded_map",
    "fold",
    "fts_query",
    "parse_date",
    "plain_text",
    "process_pool",
    "read_bytes",
    "split_marks",
    "update_index",
]

INDEX_FILE = "search.sqlite"
FULL_CHECK_LIMIT = 5_000
MARK_START = "\x02"  # around matched words in snippets; never present in text we index
MARK_END = "\x03"

_A = TypeVar("_A")
_B = TypeVar("_B")
_R = TypeVar("_R")

Field = Literal["all", "title", "body"]
SortKey = Literal["date", "fetched", "title", "site", "path"]

_SCHEMA_VERSION = "3"
_BUSY_TIMEOUT_MS = 60_000
# A directory (or file) changed this recently may change again within the same timestamp
# tick without its mtime moving, so it is not trusted and is looked at again next time.
_RACY_NS = 3_000_000_000
_PARALLEL_MIN = 2_000  # below this many files to read, worker processes cost more than they save
_CHUNK = 250
_MAX_SHARDS = 4  # full-text tables built side by side by a rebuild (one per core, at most this)
_STALE_BUILD_S = 24 * 3600  # scratch files this old were left by a build that was killed
_BUILD_SETTINGS = {"hashsize": 64 << 20, "automerge": 0, "crisismerge": 1000}  # _build_shard

# title weighs 10 body words; description, authors and tags sit between.
_COLUMNS = ("title", "description", "authors", "tags", "body")
_WEIGHTS = "10.0, 4.0, 3.0, 3.0, 1.0"

_FILES_TABLE = """CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    dir TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    kind INTEGER NOT NULL,  -- 0 article, 1 not a newsarchive file, 2 unreadable
    error TEXT,
    title TEXT, authors TEXT, published TEXT, pubdate TEXT, fetched TEXT,
    site TEXT, hostname TEXT, url TEXT, language TEXT, tags TEXT,
    site_key TEXT, authors_key TEXT, tags_key TEXT, lang_key TEXT,
    body_offset INTEGER, meta TEXT,
    url_keys TEXT  -- JSON: the URL index's keys of url, source and final_url (articles)
)"""
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER)",
    _FILES_TABLE,
    "CREATE INDEX IF NOT EXISTS files_dir ON files (dir)",
    "CREATE INDEX IF NOT EXISTS files_pubdate ON files (pubdate)",
    # Every command lists the unreadable files; without this it would read every row.
    "CREATE INDEX IF NOT EXISTS files_broken ON files (path) WHERE kind = 2",
)
_SCHEMA_NAMES = frozenset(re.findall(r"EXISTS (\w+)", " ".join(_SCHEMA))) | {"fts0"}
# The shadow tables in which FTS5 keeps a table's index, text, sizes and settings.
_FTS_SHADOWS = ("data", "idx", "content", "docsize", "config")


def _fts_table(shard: int) -> str:
    """The full-text table of one shard: `fts0`, `fts1`, ... (see SearchIndex)."""
    return (
        f"CREATE VIRTUAL TABLE fts{shard} USING fts5({', '.join(_COLUMNS)},"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )


def _fts_insert(shard: int) -> str:
    return f"INSERT INTO fts{shard} (rowid, {', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"


_ARTICLE, _OTHER, _BROKEN = 0, 1, 2


def _is_corruption(exc: sqlite3.Error) -> bool:
    """A damaged or foreign file. OperationalError (locked, read-only, disk full) is a
    DatabaseError too, but throwing the file away would not help with it."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


_FILE_COLUMNS = (
    "path, dir, mtime_ns, size, kind, error, title, authors, published, pubdate, fetched, site,"
    " hostname, url, language, tags, site_key, authors_key, tags_key, lang_key, body_offset, meta,"
    " url_keys"
)
_ENTRY_COLUMNS = (
    "id, path, mtime_ns, size, title, authors, published, pubdate, fetched, site, hostname, url,"
    " language, tags"
)


# -- values -----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-insensitive form for comparing names: "Zürich" -> "zurich"."""
    if text.isascii():  # nothing to decompose, and casefold() is lower() there
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_date(text: str, *, end: bool = False) -> str:
    """'2021', '2021-09' or '2021-09-14' -> 'YYYY-MM-DD': the first day of the period, or with
    `end` the last one, so `--until 2021` includes all of 2021."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        first = date(year, month or 1, day or 1)
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a date ({exc})") from None
    if not end or day is not None:
        return first.isoformat()
    last_month = month or 12
    last_day = calendar.monthrange(year, last_month)[1]
    return date(year, last_month, last_day).isoformat()


def _day(value: object) -> str | None:
    """The YYYY-MM-DD a front-matter date value starts with, if any."""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, str):
        match = re.match(r"\d{4}-\d{2}-\d{2}", value.strip())
        return match.group(0) if match else None
    return None


def _strings(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [_scalar(v) for v in value if v is not None and v != ""]
    return [_scalar(value)]


def _scalar(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _text(value: object) -> str | None:
    return None if value is None or value == "" else _scalar(value)


def _lang(value: str | None) -> str:
    return (value or "").strip().lower().replace("_", "-")


@dataclass(frozen=True)
class _Facets:
    """What the filters look at, derived the same way for the index and for grep."""

    site_key: str  # folded site name and host name, one per line
    authors_key: str  # folded authors, one per line
    tags_key: str  # "\n" + folded tags and categories, one per line + "\n"
    lang_key: str  # "en-gb"
    pubdate: str | None  # "YYYY-MM-DD"

    @classmethod
    def of(cls, meta: Mapping[str, Any]) -> _Facets:
        site = [fold(s) for s in (_text(meta.get("site")), _text(meta.get("hostname"))) if s]
        authors = [fold(a) for a in _strings(meta.get("authors"))]
        tags = [fold(t) for t in _strings(meta.get("tags")) + _strings(meta.get("categories"))]
        return cls(
            site_key="\n".join(site),
            authors_key="\n".join(authors),
            tags_key="\n" + "".join(f"{t}\n" for t in tags),
            lang_key=_lang(_text(meta.get("language"))),
            pubdate=_day(meta.get("published")),
        )


@dataclass(frozen=True)
class Filters:
    """Which articles a command looks at. Every given condition must hold.

    site: the site name or host name contains this (case- and accent-insensitive);
    author: one author's name contains this; tag: one tag or category is exactly this
    (case-insensitive); lang: the language is this ("en" also matches "en-GB");
    since / until: the publication date ('YYYY-MM-DD', inclusive) is in range, so articles
    without a publication date are left out when either is given.
    """

    site: str | None = None
    author: str | None = None
    tag: str | None = None
    lang: str | None = None
    since: str | None = None
    until: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def matches(self, meta: Mapping[str, Any]) -> bool:
        """Whether an article with this front-matter passes (the same test the index runs)."""
        return self._matches(_Facets.of(meta))

    def _matches(self, facets: _Facets) -> bool:
        if self.site and fold(self.site) not in facets.site_key:
            return False
        if self.author and fold(self.author) not in facets.authors_key:
            return False
        if self.tag and f"\n{fold(self.tag)}\n" not in facets.tags_key:
            return False
        if self.lang:
            want = _lang(self.lang)
            have = facets.lang_key
            if have != want and not have.startswith(want + "-"):
                return False
        if self.since or self.until:
            if facets.pubdate is None:
                return False
            if self.since and facets.pubdate < self.since:
                return False
            if self.until and facets.pubdate > self.until:
                return False
        return True

    def _sql(self) -> tuple[str, list[str]]:
        """The same test as `_matches`, as an SQL condition on the files table."""
        clauses: list[str] = []
        params: list[str] = []
        if self.site:
            clauses.append("instr(f.site_key, ?) > 0")
            params.append(fold(self.site))
        if self.author:
            clauses.append("instr(f.authors_key, ?) > 0")
            params.append(fold(self.author))
        if self.tag:
            clauses.append("instr(f.tags_key, ?) > 0")
            params.append(f"\n{fold(self.tag)}\n")
        if self.lang:
            want = _lang(self.lang)
            clauses.append("(f.lang_key = ? OR substr(f.lang_key, 1, ?) = ?)")
            params.extend([want, str(len(want) + 1), want + "-"])
        if self.since:
            clauses.append("f.pubdate >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("f.pubdate <= ?")
            params.append(self.until)
        return " AND ".join(clauses) or "1", params


@dataclass(frozen=True)
class Entry:
    """One archived article as the index knows it."""

    path: Path  # absolute
    relpath: str  # relative to the archive root, with "/"
    title: str
    authors: tuple[str, ...]
    published: str | None  # as in the front-matter
    date: str | None  # publication day, YYYY-MM-DD
    fetched: str | None
    site: str | None
    hostname: str | None
    url: str | None
    language: str | None
    tags: tuple[str, ...]
    size: int  # bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.relpath,
            "date": self.date,
            "title": self.title,
            "authors": list(self.authors),
            "site": self.site,
            "hostname": self.hostname,
            "url": self.url,
            "published": self.published,
            "fetched": self.fetched,
            "language": self.language,
            "tags": list(self.tags),
        }


@dataclass(frozen=True)
class Hit:
    """A search result: the article, its bm25 score (lower is better) and a snippet whose
    matched words are wrapped in MARK_START ... MARK_END."""

    entry: Entry
    score: float
    snippet: str


@dataclass(frozen=True)
class Problem:
    """A `.md` file that could not be read as an article (broken front-matter, not UTF-8)."""

    path: Path
    error: str


@dataclass
class RefreshReport:
    """What bringing the index up to date changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)  # every unreadable file known now

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed


def split_marks(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet without its markers, and the (start, end) offsets of the marked words."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = -1
    for part in re.split(f"([{MARK_START}{MARK_END}])", snippet):
        if part == MARK_START:
            start = length
        elif part == MARK_END:
            if start >= 0:
                spans.append((start, length))
            start = -1
        else:
            plain.append(part)
            length += len(part)
    return "".join(plain), spans


# -- queries ----------------------------------------------------------------------------------

_QUERY_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"(?P<pstar>\*?)|(?P<paren>[()])|(?P<word>[^\s"()]+)')
_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN_CHAR = re.compile(r"\w", re.UNICODE)


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


def _query_error(query: str, exc: sqlite3.Error) -> NewsArchiveError:
    detail = str(exc).removeprefix("fts5: ")
    if "NOT" in query.split()[:1]:
        detail += " (NOT needs a term before it, e.g. 'wagner NOT mali')"
    return UsageError(f"cannot read the query {query!r}: {detail}")


# -- reading one file ------------------------------------------------------------------------

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_MD_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_MARKERS = re.compile(f"[{MARK_START}{MARK_END}]")
_MD_BLOCK_MARK = re.compile(r"^(?:#{1,6}|>)[ \t]+", re.MULTILINE)


def plain_text(markdown: str) -> str:
    """A Markdown body with links and images reduced to their text, for indexing and snippets:
    link targets would otherwise be indexed as words ("https", "www") and fill snippets.
    The marks of emphasis, headings and quotes go too: the tokenizer would skip them, but
    snippets would show them."""
    text = markdown
    # Each substitution only runs when its marker is present: most bodies have few links.
    if MARK_START in text or MARK_END in text:
        text = _MARKERS.sub(" ", text)
    if "](" in text:
        text = _MD_IMAGE.sub(r"\1", text)
        text = _MD_LINK.sub(r"\1", text)
    if "<http" in text:
        text = _MD_AUTOLINK.sub(r"\1", text)
    if "*" in text:
        text = text.replace("*", "")
    if text.startswith(("#", ">")) or "\n#" in text or "\n>" in text:
        text = _MD_BLOCK_MARK.sub("", text)
    return text


def article_text(body: str, meta: Mapping[str, Any], *, keep_byline: bool = False) -> str:
    """The article's own words: the body without what `render_body` puts around them (the
    title heading, byline and date line above, the source line below). Those repeat
    front-matter fields that have columns of their own, and would fill every snippet.
    `keep_byline` keeps the "By ..." line, which may say more than the authors field."""
    sections = body.split("\n\n")
    kept: list[str] = []
    start, end = 0, len(sections)
    if sections[0].startswith("# "):
        start = 1
        if start < end and sections[start].startswith("By ") and "\n" not in sections[start]:
            if keep_byline:
                kept.append(sections[start])
            start += 1
        published = _text(meta.get("published"))
        if published and start < end and sections[start].strip() == format_published(published):
            start += 1
    if end - start >= 2 and sections[-2] == "---" and sections[-1].startswith("Source: <"):
        end -= 2
    return "\n\n".join(kept + sections[start:end])


# path -> (mtime_ns, size, is an article, its URL keys: url, source and final_url normalised)
UrlSources = dict[str, tuple[int, int, bool, tuple[str, ...]]]

# A parsed file, ready for the database: the files-table values in _FILE_COLUMNS order, then
# the FTS columns (or None when the file is not an article).
_Row = tuple[tuple[Any, ...], tuple[str, ...] | None]


def _dir_of(rel: str) -> str:
    return rel.rpartition("/")[0]


_O_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def read_bytes(path: str) -> tuple[bytes, int, int]:
    """A file's bytes, with the mtime and size of what was read (to compare with the index).

    os.open and os.read: half the cost of open() per file, which counts at 100,000 files.
    """
    fd = os.open(path, _O_READ)
    try:
        stat = os.fstat(fd)
        data = os.read(fd, stat.st_size + 1)
        if len(data) > stat.st_size:  # it grew meanwhile: read on to the end
            parts = [data]
            while part := os.read(fd, 1 << 20):
                parts.append(part)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return data, stat.st_mtime_ns, stat.st_size


def _read_file(root: str, rel: str) -> _Row | None:
    """Read and parse one `.md` file; None when it vanished meanwhile."""
    try:
        data, mtime_ns, size = read_bytes(os.path.join(root, rel))
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _broken(rel, 0, 0, f"cannot read: {exc.strerror or exc}"), None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _broken(rel, mtime_ns, size, "not UTF-8 text"), None
    try:
        meta, body = loads(text)
    except FrontMatterError as exc:
        return _broken(rel, mtime_ns, size, str(exc)), None
    if not is_newsarchive(meta):
        return (rel, _dir_of(rel), mtime_ns, size, _OTHER, *([None] * 18)), None
    facets = _Facets.of(meta)
    title = _text(meta.get("title")) or ""
    authors = _strings(meta.get("authors"))
    tags = _strings(meta.get("tags")) + _strings(meta.get("categories"))
    values = (
        rel,
        _dir_of(rel),
        mtime_ns,
        size,
        _ARTICLE,
        None,
        title,
        json.dumps(authors, ensure_ascii=False),
        _text(meta.get("published")),
        facets.pubdate,
        _text(meta.get("fetched")),
        _text(meta.get("site")),
        _text(meta.get("hostname")),
        _text(meta.get("url")),
        _text(meta.get("language")),
        json.dumps(tags, ensure_ascii=False),
        facets.site_key,
        facets.authors_key,
        facets.tags_key,
        facets.lang_key,
        len(text) - len(body),
        json.dumps(meta, ensure_ascii=False, default=_scalar),
        json.dumps(_url_keys(meta)),
    )
    fts = (
        _MARKERS.sub(" ", title),
        _MARKERS.sub(" ", _text(meta.get("description")) or ""),
        _MARKERS.sub(" ", "\n".join(authors)),
        _MARKERS.sub(" ", "\n".join(tags)),
        plain_text(article_text(body, meta)),
    )
    return values, fts


def _url_keys(meta: Mapping[str, Any]) -> list[str]:
    """The keys under which the URL index files an article: its url, source and final_url,
    normalised (worked out here, in the worker processes of a rebuild)."""
    keys: list[str] = []
    for value in dict.fromkeys(meta.get(name) for name in ("url", "source", "final_url")):
        if isinstance(value, str) and value:
            try:
                key = normalize_url(value)
            except NewsArchiveError:
                continue
            if key not in keys:
                keys.append(key)
    return keys


def _broken(rel: str, mtime_ns: int, size: int, error: str) -> tuple[Any, ...]:
    return (rel, _dir_of(rel), mtime_ns, size, _BROKEN, error, *([None] * 17))


def _read_chunk(root: str, rels: Sequence[str]) -> list[_Row | None]:
    return [_read_file(root, rel) for rel in rels]


def process_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """Worker processes for reading many files. Fork on Linux (cheap, and this CLI holds no
    threads); spawn elsewhere, where forking a process is not safe."""
    method = "fork" if sys.platform == "linux" else "spawn"
    return ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 1,
        mp_context=multiprocessing.get_context(method),
    )


def _read_many(root: Path, rels: Sequence[str]) -> Iterator[_Row | None]:
    if len(rels) < _PARALLEL_MIN or (os.cpu_count() or 1) < 2:
        for rel in rels:
            yield _read_file(str(root), rel)
        return
    chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    workers = os.cpu_count() or 1
    with process_pool(workers) as pool:
        yield from bounded_map(pool, workers, _read_chunk, str(root), chunks)


def bounded_map(
    pool: ProcessPoolExecutor,
    workers: int,
    func: Callable[[_A, _B], list[_R]],
    first: _A,
    items: Iterable[_B],
) -> Iterator[_R]:
    """`func(first, item)` for each item in the pool, results in order, with only a few
    chunks in flight, so parsed files never pile up in memory faster than they are used."""
    window = 2 * workers
    pending: deque[Future[list[_R]]] = deque()
    for item in items:
        pending.append(pool.submit(func, first, item))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _shard_count(files: int) -> int:
    """How many full-text tables a build of this many files writes side by side."""
    cores = os.cpu_count() or 1
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
    conn = sqlite3.connect(shard.path, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS rows", (shard.rows,))
        for schema in ("main", "rows"):
            conn.execute(f"PRAGMA {schema}.journal_mode = OFF")
            conn.execute(f"PRAGMA {schema}.synchronous = OFF")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute(_FILES_TABLE.replace(" files ", " rows.files ", 1))
        conn.execute(_fts_table(shard.number))
        name = f"fts{shard.number}"
        # Keep up to 64 MB of tokens in memory before writing a segment, and merge segments
        # once, at the end, rather than as they pile up: a third less work than FTS5's
        # defaults, which the table gets back once it is built.
        for setting, value in _BUILD_SETTINGS.items():
            conn.execute(f"INSERT INTO {name} ({name}, rank) VALUES (?, ?)", (setting, value))
        places = ", ".join("?" * (_FILE_COLUMNS.count(",") + 2))
        insert_file = f"INSERT INTO rows.files (id, {_FILE_COLUMNS}) VALUES ({places})"
        insert_text = _fts_insert(shard.number)
        count = 0
        conn.execute("BEGIN")
        for start in range(0, len(shard.files), _CHUNK):
            files: list[tuple[Any, ...]] = []
            texts: list[tuple[Any, ...]] = []
            for rowid, rel in shard.files[start : start + _CHUNK]:
                row = _read_file(shard.root, rel)
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
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -131072")
        for shard in shards:
            conn.execute("ATTACH DATABASE ? AS ?", (shard.rows, f"rows{shard.number}"))
            if shard.number:
                conn.execute("ATTACH DATABASE ? AS ?", (shard.path, f"shard{shard.number}"))
        conn.execute("BEGIN")
        for shard in shards[1:]:
            name = f"fts{shard.number}"
            conn.execute(_fts_table(shard.number))
            for shadow in _FTS_SHADOWS:
                conn.execute(f"DELETE FROM main.{name}_{shadow}")
                conn.execute(
                    f"INSERT INTO main.{name}_{shadow}"
                    f" SELECT * FROM shard{shard.number}.{name}_{shadow}"
                )
        conn.execute(_FILES_TABLE)
        # A merge of the shards' rows, each already in id order: the b-tree fills in order.
        union = " UNION ALL ".join(
            f"SELECT id, {_FILE_COLUMNS} FROM rows{shard.number}.files" for shard in shards
        )
        conn.execute(f"INSERT INTO main.files (id, {_FILE_COLUMNS}) {union} ORDER BY id")
        for statement in _SCHEMA:  # the other tables, and the indexes, built once now
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO dirs (path, mtime_ns) VALUES (?, ?)", _trusted(dirs, time.time_ns())
        )
        conn.executemany(
            "INSERT INTO meta (name, value) VALUES (?, ?)",
            [("schema", _SCHEMA_VERSION), ("root", str(root)), ("shards", str(len(shards)))],
        )
        conn.execute("COMMIT")
        for shard in shards:
            conn.execute(f"DETACH DATABASE rows{shard.number}")
            if shard.number:
                conn.execute(f"DETACH DATABASE shard{shard.number}")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


def _url_sources(conn: sqlite3.Connection) -> UrlSources:
    """`SearchIndex.url_sources` from the files table of `conn`'s main database."""
    rows = conn.execute("SELECT path, mtime_ns, size, kind, url_keys FROM files")
    return {
        rel: (mtime, size, kind == _ARTICLE, tuple(json.loads(keys or "[]")))
        for rel, mtime, size, kind, keys in rows
    }


def _trusted(dirs: Mapping[str, int | None], now: int) -> list[tuple[str, int | None]]:
    """(directory, mtime) rows for the dirs table; None for an mtime too recent to trust."""
    return [
        (rel, mtime if mtime is not None and now - mtime > _RACY_NS else None)
        for rel, mtime in dirs.items()
    ]


# -- walking the archive ---------------------------------------------------------------------


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def _list_dir(root: Path, rel: str) -> tuple[int | None, list[str], dict[str, tuple[int, int]]]:
    """(mtime_ns, subdirectories, {file: (mtime_ns, size)}) of one directory; (None, [], {})
    when it is gone. Hidden entries (".git", temp files) and directory symlinks are skipped."""
    path = root / rel if rel else root
    try:
        mtime_ns = os.stat(path).st_mtime_ns  # before listing: a later change shows next time
        with os.scandir(path) as scan:
            entries = list(scan)
    except (FileNotFoundError, NotADirectoryError):
        return None, [], {}
    except OSError as exc:
        raise StoreError(str(path), f"cannot list: {exc.strerror or exc}") from exc
    subdirs: list[str] = []
    files: dict[str, tuple[int, int]] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(_join(rel, entry.name))
            elif entry.name.endswith(".md") and entry.is_file():
                stat = entry.stat()
                files[_join(rel, entry.name)] = (stat.st_mtime_ns, stat.st_size)
        except OSError:  # vanished while listing
            continue
    return mtime_ns, subdirs, files


# -- the index --------------------------------------------------------------------------------


class SearchIndex:
    """The full-text index of one archive. Open it, query it, close it (or use `with`)."""

    def __init__(self, archive: Archive | str | Path, *, path: Path | None = None) -> None:
        self.archive = archive if isinstance(archive, Archive) else Archive(archive)
        self.root = self.archive.root
        self.path = path or self.archive.index_path.with_name(INDEX_FILE)
        self._conn: sqlite3.Connection | None = None
        self._checked_full = False

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
                self.path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    self._conn = self._open()
                except sqlite3.DatabaseError as exc:
                    if not _is_corruption(exc):
                        raise
                    # Derived data: a damaged or foreign file is thrown away and rebuilt.
                    self._discard()
                    self._conn = self._open()
            except (sqlite3.Error, OSError) as exc:
                raise StoreError(str(self.path), f"cannot open the search index: {exc}") from exc
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -131072")  # 128 MB: rebuilds touch many pages
            # No integrity check here: it reads the whole file (seconds at 100,000 articles).
            # A damaged page shows up as an error later, and `refresh` starts afresh on it.
            names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            if "meta" in names:
                row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
                if row is None or row[0] != _SCHEMA_VERSION:  # another layout: start again
                    raise sqlite3.DatabaseError(f"index schema {row[0] if row else None}")
            if not names >= _SCHEMA_NAMES:  # new, or from a version without some index
                conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA:
                    conn.execute(statement)
                if conn.execute("SELECT 1 FROM meta WHERE name = 'shards'").fetchone() is None:
                    conn.execute(_fts_table(0))
                    conn.execute("INSERT INTO meta (name, value) VALUES ('shards', '1')")
                conn.execute(
                    "INSERT OR REPLACE INTO meta (name, value) VALUES ('schema', ?), ('root', ?)",
                    (_SCHEMA_VERSION, str(self.root)),
                )
                conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _shards(conn: sqlite3.Connection) -> int:
        """How many full-text tables the index has (read inside the transaction using them)."""
        row = conn.execute("SELECT value FROM meta WHERE name = 'shards'").fetchone()
        return int(row[0]) if row is not None else 1

    def _discard(self) -> None:
        """Throw the database away (it is derived data); the next use starts an empty one."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(str(self.path), f"search index: {exc}")

    # -- keeping it current ------------------------------------------------------------------

    def refresh(self, *, full: bool | None = None) -> RefreshReport:
        """Bring the index up to date with the files (see the module docstring).

        full=None checks every file when the archive holds at most FULL_CHECK_LIMIT files and
        only the directories otherwise; True always checks every file; False never does.
        """
        try:
            try:
                return self._refresh_report(full)
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc):
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
        report = self._refresh(conn, full=full)
        report.problems = [
            Problem(self.root / rel, error)
            for rel, error in self._db().execute(  # a build may have opened a new file
                f"SELECT path, error FROM files WHERE kind = {_BROKEN} ORDER BY path"
            )
        ]
        return report

    def _refresh(
        self, conn: sqlite3.Connection, *, full: bool, clear: bool = False
    ) -> RefreshReport:
        if full:
            listing = self._walk_all()
            if listing is None:
                return self._apply_listing(conn, {}, {}, everything=True, clear=clear)
            dirs, files = listing
            if clear:
                return self._apply_listing(conn, dirs, files, everything=True, clear=True)
            known = dict(conn.execute("SELECT path, mtime_ns || ':' || size FROM files"))
            if not known and _shard_count(len(files)) > 1:  # a first build: all cores
                return self._build_sharded(dirs, files)
            changed = {rel: f"{m}:{s}" for rel, (m, s) in files.items()}
            known_dirs = dict(conn.execute("SELECT path, mtime_ns FROM dirs"))
            if changed == known and dirs == known_dirs:
                return RefreshReport()
            return self._apply_listing(conn, dirs, files, everything=True)
        known_dirs = dict(conn.execute("SELECT path, mtime_ns FROM dirs"))
        if not known_dirs:
            return self._refresh(conn, full=True)
        stale = [rel for rel, mtime in known_dirs.items() if self._dir_mtime(rel) != mtime]
        if not stale:
            return RefreshReport()
        seen_dirs: dict[str, int | None] = {}
        seen_files: dict[str, tuple[int, int]] = {}
        todo = list(stale)
        while todo:
            rel = todo.pop()
            if rel in seen_dirs:
                continue
            mtime, subdirs, listed = _list_dir(self.root, rel)
            if mtime is None:
                continue
            seen_dirs[rel] = mtime
            seen_files.update(listed)
            # A new subdirectory is not in the index yet: list it (and what it holds) too.
            todo.extend(d for d in subdirs if d not in known_dirs)
        return self._apply_listing(conn, seen_dirs, seen_files, everything=False, listed_dirs=stale)

    def _dir_mtime(self, rel: str) -> int | None:
        try:
            stat = os.stat(self.root / rel if rel else self.root)
        except OSError:
            return -1  # gone: never equal to a recorded mtime
        return stat.st_mtime_ns

    def _walk_all(self) -> tuple[dict[str, int | None], dict[str, tuple[int, int]]] | None:
        dirs: dict[str, int | None] = {}
        files: dict[str, tuple[int, int]] = {}
        todo = [""]
        while todo:
            rel = todo.pop()
            mtime, subdirs, listed = _list_dir(self.root, rel)
            if mtime is None:
                if rel == "":
                    return None  # no archive (yet): an empty index
                continue
            dirs[rel] = mtime
            files.update(listed)
            todo.extend(subdirs)
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
        now = time.time_ns()
        try:
            conn.execute("BEGIN IMMEDIATE")
            if clear:
                conn.execute("DELETE FROM files")
                conn.execute("DELETE FROM dirs")
                # Dropped, not emptied: deleting rows from FTS5 re-reads every document.
                for shard in range(self._shards(conn)):
                    conn.execute(f"DROP TABLE IF EXISTS fts{shard}")
                conn.execute(_fts_table(0))
                conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('shards', '1')")
            shards = self._shards(conn)
            if everything:
                known = {
                    rel: (mtime, size)
                    for rel, mtime, size in conn.execute("SELECT path, mtime_ns, size FROM files")
                }
                conn.execute("DELETE FROM dirs")
                gone = [rel for rel in known if rel not in files]
            else:
                scope = set(dirs) | set(listed_dirs)
                known = {}
                gone = []
                for rel in scope:
                    for path, mtime, size in conn.execute(
                        "SELECT path, mtime_ns, size FROM files WHERE dir = ?", (rel,)
                    ):
                        known[path] = (mtime, size)
                        if path not in files:
                            gone.append(path)
                    if rel not in dirs:  # the directory went, and with it all below it
                        prefix = rel + "/"
                        for (path,) in conn.execute(
                            "SELECT path FROM files WHERE substr(dir, 1, ?) = ?",
                            (len(prefix), prefix),
                        ):
                            gone.append(path)
                        conn.execute(
                            "DELETE FROM dirs WHERE path = ? OR substr(path, 1, ?) = ?",
                            (rel, len(prefix), prefix),
                        )
            self._delete(conn, gone, shards)
            report.removed = len(gone)
            changed = [rel for rel, state in files.items() if known.get(rel) != state]
            for row in _read_many(self.root, changed):
                if row is None:
                    continue
                if self._store(conn, row, shards, fresh=clear) == "added":
                    report.added += 1
                else:
                    report.updated += 1
            conn.executemany(
                "INSERT OR REPLACE INTO dirs (path, mtime_ns) VALUES (?, ?)", _trusted(dirs, now)
            )
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        return report

    @staticmethod
    def _delete(conn: sqlite3.Connection, rels: Iterable[str], shards: int) -> None:
        for rel in rels:
            row = conn.execute("SELECT id FROM files WHERE path = ?", (rel,)).fetchone()
            if row is not None:
                conn.execute(f"DELETE FROM fts{row[0] % shards} WHERE rowid = ?", (row[0],))
                conn.execute("DELETE FROM files WHERE id = ?", (row[0],))

    @staticmethod
    def _store(conn: sqlite3.Connection, row: _Row, shards: int, *, fresh: bool = False) -> str:
        """Insert or replace one file's rows; `fresh`: the index is known not to hold it.
        The text goes to the full-text table of the file's shard (its id modulo `shards`)."""
        values, fts = row
        if fresh:
            rowid = conn.execute(
                f"INSERT INTO files ({_FILE_COLUMNS}) VALUES ({', '.join('?' * len(values))})",
                values,
            ).lastrowid
            if fts is not None:
                assert rowid is not None
                conn.execute(_fts_insert(rowid % shards), (rowid, *fts))
            return "added"
        previous = conn.execute("SELECT id FROM files WHERE path = ?", (values[0],)).fetchone()
        if previous is not None:
            conn.execute(f"DELETE FROM fts{previous[0] % shards} WHERE rowid = ?", (previous[0],))
        placeholders = ", ".join("?" * len(values))
        updates = ", ".join(
            f"{name} = excluded.{name}" for name in _FILE_COLUMNS.replace(" ", "").split(",")[1:]
        )
        cursor = conn.execute(
            f"INSERT INTO files ({_FILE_COLUMNS}) VALUES ({placeholders})"
            f" ON CONFLICT (path) DO UPDATE SET {updates} RETURNING id",
            values,
        )
        (rowid,) = cursor.fetchone()
        cursor.close()
        if fts is not None:
            conn.execute(_fts_insert(rowid % shards), (rowid, *fts))
        return "updated" if previous is not None else "added"

    def rebuild(self, *, alongside: Callable[[UrlSources], object] | None = None) -> RefreshReport:
        """Throw the index away and build it again from every file.

        `alongside`, if given, is called in a thread of its own with what was read of every
        file (as `url_sources` gives it) as soon as the files are read, while the index is
        still being written: `reindex` rebuilds the URL index from it meanwhile.
        """
        with ThreadPoolExecutor(max_workers=1) as thread:
            started: list[Future[object]] = []

            def read(sources: UrlSources) -> None:
                if alongside is not None:
                    started.append(thread.submit(alongside, sources))

            try:
                try:
                    report = self._rebuild(read)
                except sqlite3.DatabaseError as exc:
                    if not _is_corruption(exc):
                        raise
                    self._discard()
                    report = self._rebuild(read)
                report.problems = self.refresh(full=False).problems
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            for future in started:
                future.result()
        return report

    def _rebuild(self, read: Callable[[UrlSources], None]) -> RefreshReport:
        conn = self._db()
        listing = self._walk_all()
        dirs, files = listing if listing is not None else ({}, {})
        if _shard_count(len(files)) > 1:
            report = self._build_sharded(dirs, files, read)
        else:
            report = self._apply_listing(conn, dirs, files, everything=True, clear=True)
            read(_url_sources(conn))
            for shard in range(self._shards(conn)):
                # One b-tree per term instead of many segments: faster queries from now on.
                conn.execute(f"INSERT INTO fts{shard} (fts{shard}) VALUES ('optimize')")
        self._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return report

    def _build_sharded(
        self,
        dirs: dict[str, int | None],
        files: dict[str, tuple[int, int]],
        read: Callable[[UrlSources], None] | None = None,
    ) -> RefreshReport:
        """Build the whole index on every core, in a new file that then takes the old one's
        place: each worker process reads its share of the files into full-text table of its
        own (a shard), and the shards are put together in the first one's file."""
        rels = sorted(files)
        shards = _shard_count(len(rels))
        prefix = f"{self.path.name}.build-"
        for left in self.path.parent.glob(f"{prefix}*"):  # by a build that was killed
            with contextlib.suppress(OSError):
                if time.time() - left.stat().st_mtime > _STALE_BUILD_S:
                    shutil.rmtree(left, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=self.path.parent))
        try:
            jobs = [
                _Shard(
                    root=str(self.root),
                    path=str(folder / f"shard{number}.sqlite"),
                    rows=str(folder / f"rows{number}.sqlite"),
                    number=number,
                    # ids in path order, dealt out in turn: each shard a fair sample
                    files=[
                        (rowid, rel)
                        for rowid, rel in enumerate(rels, 1)
                        if rowid % shards == number
                    ],
                )
                for number in range(shards)
            ]
            with process_pool(shards) as pool:
                added = sum(pool.map(_build_shard, jobs))
            if read is not None:
                sources: UrlSources = {}
                for job in jobs:
                    with closing(sqlite3.connect(job.rows)) as rows:
                        sources.update(_url_sources(rows))
                read(sources)
            built = Path(jobs[0].path)
            _assemble(built, jobs, dirs, self.root)
            if not self._replace(built):
                self._install(built)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return RefreshReport(added=added)

    def _replace(self, built: Path) -> bool:
        """Put the complete index file `built` in place of the current one. False when that
        cannot be done safely (another process created an index meanwhile; a platform that
        cannot delete an open file; no hard links): the caller copies it in instead.

        Processes that have the old index open keep reading it (it is only unlinked); what
        they write to it is lost, and the next query finds those files through the times of
        their directories, as it finds any file saved behind the index's back.
        """
        self.close()
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            os.link(built, self.path)  # never replaces a file created meanwhile
        except OSError:
            return False
        return True

    def _install(self, built: Path) -> None:
        """Copy the complete index file `built` into the current one, in one transaction,
        on a connection of its own (see `_assemble`)."""
        try:
            self._copy_from(built)
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise
            self._discard()  # the old index is damaged: the new one goes into a new file
            self._db()
            self._copy_from(built)

    def _copy_from(self, built: Path) -> None:
        self._db()  # the schema exists
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA cache_size = -131072")
            conn.execute("ATTACH DATABASE ? AS built", (str(built),))
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM main.files")
            conn.execute("DELETE FROM main.dirs")
            for shard in range(self._shards(conn)):
                conn.execute(f"DROP TABLE IF EXISTS main.fts{shard}")
            shards = int(
                conn.execute("SELECT value FROM built.meta WHERE name = 'shards'").fetchone()[0]
            )
            for shard in range(shards):
                name = f"fts{shard}"
                conn.execute(_fts_table(shard))
                for shadow in _FTS_SHADOWS:
                    conn.execute(f"DELETE FROM main.{name}_{shadow}")
                    conn.execute(
                        f"INSERT INTO main.{name}_{shadow} SELECT * FROM built.{name}_{shadow}"
                    )
            conn.execute(
                f"INSERT INTO main.files (id, {_FILE_COLUMNS})"
                f" SELECT id, {_FILE_COLUMNS} FROM built.files ORDER BY id"
            )
            conn.execute("INSERT INTO main.dirs SELECT path, mtime_ns FROM built.dirs")
            conn.execute(
                "INSERT OR REPLACE INTO main.meta (name, value) VALUES ('shards', ?)",
                (str(shards),),
            )
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()

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
            conn.execute("BEGIN IMMEDIATE")
            try:
                shards = self._shards(conn)
                for rel in rels:
                    row = _read_file(str(self.root), rel)
                    if row is None:
                        self._delete(conn, [rel], shards)
                    else:
                        self._store(conn, row, shards)
                conn.execute("COMMIT")
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _verify(self, conn: sqlite3.Connection, rows: Iterable[tuple[str, int, int]]) -> bool:
        """Re-read any of these (path, mtime_ns, size) files that changed; True if any did."""
        stale = []
        for rel, mtime, size in rows:
            try:
                stat = os.stat(self.root / rel)
                state = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                state = None
            if state != (mtime, size):
                stale.append(rel)
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
        """The best-matching articles, best first (call `refresh` before, to be current)."""
        expression = fts_query(query, field)
        filters = filters or Filters()
        try:
            conn = self._db()
            for _ in range(3):
                # One read transaction: the number of shards and their contents agree.
                conn.execute("BEGIN")
                try:
                    shards = self._shards(conn)
                    sql, params = self._search_sql(shards, expression, filters)
                    try:
                        rows = conn.execute(sql, (*params, limit or -1)).fetchall()
                    except sqlite3.OperationalError as exc:
                        if "fts5" in str(exc) or "syntax" in str(exc):
                            raise _query_error(query, exc) from None
                        raise
                    snippets = self._snippets(conn, shards, expression, [row[0] for row in rows])
                finally:
                    conn.execute("COMMIT")
                if not self._verify(conn, [(r[1], r[2], r[3]) for r in rows]):
                    break
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        return [Hit(self._entry(row), row[-1], snippets.get(row[0], "")) for row in rows]

    @staticmethod
    def _search_sql(shards: int, expression: str, filters: Filters) -> tuple[str, list[str]]:
        """The ranking query over every shard, and its parameters but the limit.

        Each shard ranks its own matches with bm25 over its own statistics; shards are
        fair samples of one archive (see `_build_sharded`), so those barely differ.
        """
        columns = ", ".join("f." + c.strip() for c in _ENTRY_COLUMNS.split(","))
        if filters:
            where, where_params = filters._sql()
            parts = [
                f"SELECT {columns}, bm25(fts{n}, {_WEIGHTS}) AS score"
                f" FROM fts{n} JOIN files AS f ON f.id = fts{n}.rowid"
                f" WHERE fts{n} MATCH ? AND {where}"
                for n in range(shards)
            ]
            sql = f"{' UNION ALL '.join(parts)} ORDER BY score, path LIMIT ?"
            return sql, [expression, *where_params] * shards
        # Rank inside the full-text index first and look up only the best rows: a common
        # word matches thousands of articles, and a join per match would cost more than
        # the ranking itself.
        ranked = " UNION ALL ".join(
            f"SELECT rowid AS id, bm25(fts{n}, {_WEIGHTS}) AS score FROM fts{n}"
            f" WHERE fts{n} MATCH ?"
            for n in range(shards)
        )
        sql = (
            f"SELECT {columns}, r.score FROM ({ranked} ORDER BY score, id LIMIT ?) AS r"
            " JOIN files AS f ON f.id = r.id ORDER BY r.score, f.path"
        )
        return sql, [expression] * shards

    @staticmethod
    def _snippets(
        conn: sqlite3.Connection, shards: int, expression: str, ids: list[int]
    ) -> dict[int, str]:
        body = _COLUMNS.index("body")
        snippets: dict[int, str] = {}
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
            snippets.update((rowid, " ".join(snippet.split())) for rowid, snippet in rows)
        return snippets

    def entries(
        self,
        *,
        filters: Filters | None = None,
        sort: SortKey = "date",
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[Entry]:
        """Articles passing `filters`, newest first by default (undated ones last)."""
        where, params = (filters or Filters())._sql()
        descending = sort in ("date", "fetched")
        if reverse:
            descending = not descending
        direction = "DESC" if descending else "ASC"
        column = {
            "date": "f.pubdate",
            "fetched": "f.fetched",
            "title": "f.title",
            "site": "f.site_key",
            "path": "f.path",
        }[sort]
        collate = " COLLATE NOCASE" if sort == "title" else ""
        sql = (
            f"SELECT {', '.join('f.' + c.strip() for c in _ENTRY_COLUMNS.split(','))}"
            f" FROM files AS f WHERE f.kind = {_ARTICLE} AND {where}"
            f" ORDER BY {column} IS NULL, {column}{collate} {direction}, f.path {direction}"
            " LIMIT ?"
        )
        try:
            conn = self._db()
            for _ in range(3):
                rows = conn.execute(sql, (*params, limit or -1)).fetchall()
                if not self._verify(conn, [(r[1], r[2], r[3]) for r in rows]):
                    break
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        return [self._entry(row) for row in rows]

    def records(
        self, *, filters: Filters | None = None, with_body: bool = False
    ) -> Iterator[tuple[Entry, dict[str, Any], str | None]]:
        """(entry, front-matter, body or None) for every article passing `filters`, by path.

        Reads the front-matter from the index; `refresh(full=True)` first for exact results.
        """
        where, params = (filters or Filters())._sql()
        sql = (
            f"SELECT {', '.join('f.' + c.strip() for c in _ENTRY_COLUMNS.split(','))},"
            f" f.meta, f.body_offset FROM files AS f WHERE f.kind = {_ARTICLE} AND {where}"
            " ORDER BY f.path"
        )
        try:
            rows = self._db().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        for row in rows:
            entry = self._entry(row[:-2])
            body = None
            if with_body:
                try:
                    body = entry.path.read_text(encoding="utf-8")[row[-1] :]
                except (OSError, UnicodeDecodeError) as exc:
                    raise StoreError(str(entry.path), f"cannot read: {exc}") from exc
            yield entry, json.loads(row[-2]), body

    def url_sources(self) -> UrlSources:
        """What the index read of every file, for `Archive.rebuild_index(known=...)`: path ->
        (mtime_ns, size, is an article, its URL keys: url, source and final_url normalised)."""
        try:
            return _url_sources(self._db())
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def count(self) -> int:
        try:
            row = self._db().execute(f"SELECT count(*) FROM files WHERE kind = {_ARTICLE}")
            return int(row.fetchone()[0])
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _entry(self, row: Sequence[Any]) -> Entry:
        (_, rel, _, size, title, authors, published, pubdate, fetched, site, hostname, url) = row[
            :12
        ]
        language, tags = row[12], row[13]
        return Entry(
            path=self.root / rel,
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


@dataclass(frozen=True)
class KnownFile:
    """What the index recorded about one file: valid for the version with this mtime and size."""

    mtime_ns: int
    size: int
    kind: int  # _ARTICLE, _OTHER or _BROKEN
    error: str | None  # why a broken file could not be read
    title: str | None
    url: str | None
    published: str | None
    facets: _Facets

    @property
    def is_article(self) -> bool:
        return self.kind == _ARTICLE

    @property
    def is_broken(self) -> bool:
        return self.kind == _BROKEN

    def passes(self, filters: Filters) -> bool:
        return filters._matches(self.facets)


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
        facets = _Facets(row[7] or "", row[8] or "", row[9] or "\n", row[10] or "", row[11])
        return KnownFile(mtime_ns, size, kind, error, title, url, published, facets)

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is None and not self._failed:
            try:
                uri = f"{self.path.as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=1.0, check_same_thread=False)
                row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
                if row is None or row[0] != _SCHEMA_VERSION:
                    conn.close()
                    raise sqlite3.DatabaseError("another schema")
                self._conn = conn
            except (sqlite3.Error, ValueError):
                self._failed = True
        return self._conn


def update_index(archive: Archive, paths: Iterable[str | Path]) -> None:
    """Index files just written by `fetch` or `import` (the lead's hook after saves)."""
    with SearchIndex(archive) as index:
        index.update(paths)
