"""Archived article files: finding one by path or URL, reading it, and choosing which to update.

Every part of the tool that reads an article file (the commands that work on one, the URL and
search indexes, `verify`) reads it here, so a missing file, an unreadable one, one that is not
UTF-8 and broken front-matter are reported the same way everywhere: as a StoreError naming the
file and saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.errors import StoreError
from newsarchive.frontmatter import FrontMatterError, article_from_meta, loads
from newsarchive.models import Article
from newsarchive.urls import check_url

if TYPE_CHECKING:  # store.py reads its files here: only the type, to keep imports one-way
    from newsarchive.store import Archive

__all__ = [
    "ArticleFile",
    "archived_url",
    "choose",
    "find_article",
    "parse_article",
    "read_article",
    "read_text",
    "same_file",
]


@dataclass(frozen=True)
class ArticleFile:
    """An article file as read: its whole text, its front-matter and its Markdown body."""

    path: Path
    text: str
    meta: dict[str, Any]
    body: str

    def article(self) -> Article:
        """The article the file holds; StoreError when its front-matter cannot make one."""
        try:
            return article_from_meta(self.meta, self.body)
        except FrontMatterError as exc:
            raise StoreError(str(self.path), str(exc)) from exc


_NOT_UTF8 = "not UTF-8 text"


def read_text(path: Path, *, what: str = "") -> str:
    """The file's text, read as Python reads text files (every line end made "\\n");
    StoreError "cannot read[ what]: <why>" or "not UTF-8 text"."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StoreError(str(path), f"cannot read{what}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise StoreError(str(path), _NOT_UTF8) from exc


def read_article(path: Path, *, what: str = "") -> ArticleFile:
    """The article file at `path`, read and its front-matter parsed; StoreError when it
    cannot be read (as `read_text` says) or its front-matter is broken ("broken front-matter:
    <why>"). A file with no front-matter block reads as one with empty front-matter."""
    return _parsed(path, read_text(path, what=what))


def parse_article(path: Path, data: bytes) -> ArticleFile:
    """The article file at `path` from `data`, its bytes as read from disk (line ends as they
    are, for an index that compares them with the file): decoded and its front-matter parsed,
    with the errors of `read_article`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StoreError(str(path), _NOT_UTF8) from exc
    return _parsed(path, text)


def _parsed(path: Path, text: str) -> ArticleFile:
    try:
        meta, body = loads(text)
    except FrontMatterError as exc:
        raise StoreError(str(path), str(exc)) from exc
    return ArticleFile(path, text, meta, body)


def archived_url(path: Path) -> str | None:
    """The URL the article at `path` is archived under (its `url`); None when unreadable."""
    try:
        url = read_article(path).meta.get("url")
    except StoreError:
        return None
    return url if isinstance(url, str) else None


def find_article(archive: Archive, target: str) -> Path:
    """The file of the article `target` names: a URL it is known by (any variant), or a path,
    absolute, relative to the working directory or to the archive's root."""
    if "://" in target:
        url = check_url(target)
        found = archive.lookup(url)
        if found is None:
            raise StoreError(url, "not in the archive")
        return found
    path = Path(target).expanduser()
    if not path.is_file() and not path.is_absolute():
        path = archive.root / target
    if not path.is_file():
        raise StoreError(target, "no such file")
    # Absolute, as the archive's root is (an update files the earlier version by the path
    # relative to it); the file's own name is kept, in case it is a link to an article.
    return path.parent.resolve() / path.name


def same_file(archive: Archive, path: Path, url: str) -> None:
    """StoreError unless the archive's index maps `url` to `path`: rewriting an article in place
    (`save(force=True)`) replaces the file its URL maps to, which must be this one."""
    known = archive.lookup(url)
    if known is None or known.resolve() != path.resolve():
        raise StoreError(str(path), f"its URL is archived as {known}, not this file")


def choose(
    archive: Archive,
    *,
    since: date | None = None,
    older_than: float | None = None,
    now: datetime | None = None,
    on_error: Callable[[Path, Exception], None] | None = None,
) -> Iterator[Path]:
    """The archive's articles, by path, published on or after `since` and last fetched or
    checked more than `older_than` seconds before `now` (an article with no readable time of
    either is always taken). Files that cannot be read go to `on_error`."""
    now = now or datetime.now(UTC)
    for path, meta in archive.articles(on_error=on_error):
        if since is not None and str(meta.get("published") or "")[:10] < f"{since:%Y-%m-%d}":
            continue
        if older_than is not None:
            seen = _when(meta.get("checked") or meta.get("fetched"))
            if seen is not None and (now - seen).total_seconds() < older_than:
                continue
        yield path


def _when(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
