"""What the search index holds and answers with: filters, index entries, hits, problems, and
the values derived from front-matter that filters compare (the same for the index and grep)."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from newsarchive.errors import UsageError

MARK_START = "\x02"  # around matched words in snippets; never present in text we index
MARK_END = "\x03"

Field = Literal["all", "title", "body"]
SortKey = Literal["date", "fetched", "title", "site", "path"]


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


def strings_of(value: object) -> list[str]:
    """A front-matter value as a list of strings (a single value, or a list of them)."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [scalar(v) for v in value if v is not None and v != ""]
    return [scalar(value)]


def scalar(value: object) -> str:
    """A front-matter value as a string (dates in ISO form)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def text_of(value: object) -> str | None:
    """A front-matter value as a string; None when it is missing or empty."""
    return None if value is None or value == "" else scalar(value)


def _lang(value: str | None) -> str:
    return (value or "").strip().lower().replace("_", "-")


@dataclass(frozen=True)
class Facets:
    """What the filters look at, derived the same way for the index and for grep."""

    site_key: str  # folded site name and host name, one per line
    authors_key: str  # folded authors, one per line
    tags_key: str  # "\n" + folded tags and categories, one per line + "\n"
    lang_key: str  # "en-gb"
    pubdate: str | None  # "YYYY-MM-DD"

    @classmethod
    def of(cls, meta: Mapping[str, Any]) -> Facets:
        site = [fold(s) for s in (text_of(meta.get("site")), text_of(meta.get("hostname"))) if s]
        authors = [fold(a) for a in strings_of(meta.get("authors"))]
        tags = [fold(t) for t in strings_of(meta.get("tags")) + strings_of(meta.get("categories"))]
        return cls(
            site_key="\n".join(site),
            authors_key="\n".join(authors),
            tags_key="\n" + "".join(f"{t}\n" for t in tags),
            lang_key=_lang(text_of(meta.get("language"))),
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
        return self.matches_facets(Facets.of(meta))

    def matches_facets(self, facets: Facets) -> bool:
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

    def sql_condition(self) -> tuple[str, list[str]]:
        """The same test as `matches_facets`, as an SQL condition on the files table."""
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
