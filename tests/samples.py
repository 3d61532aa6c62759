"""Articles made by hand for tests of what reads the archive: saved as the tool saves them
(`save`), or written into it as a user would (`write_by_hand`)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from newsarchive import search as search_mod
from newsarchive.frontmatter import article_meta, dumps
from newsarchive.models import Article
from newsarchive.store import Archive

FETCHED = datetime(2024, 3, 2, 9, 30, tzinfo=UTC)


def make_article(
    title: str,
    body: str,
    *,
    url: str | None = None,
    published: str | None = "2021-09-14T10:00:00+03:00",
    site: str | None = "The Moscow Times",
    hostname: str = "www.themoscowtimes.com",
    authors: tuple[str, ...] = ("Jane Doe",),
    language: str | None = "en",
    tags: tuple[str, ...] = (),
    description: str | None = None,
) -> Article:
    slug = "-".join(title.lower().split())[:40]
    return Article(
        url=url or f"https://{hostname}/news/{slug}",
        title=title,
        body=body,
        fetched=FETCHED,
        authors=authors,
        published=published,
        site=site,
        hostname=hostname,
        language=language,
        tags=tags,
        description=description,
        status=200,
    )


def file_text(article: Article) -> str:
    return dumps(article_meta(article, article.body), article.body)


def save(archive: Archive, article: Article) -> Path:
    """Archive an article the way the tool does (atomic save, URL index)."""
    return archive.save(article, file_text(article), keys=[article.url]).path


def write_by_hand(path: Path, article: Article) -> Path:
    """A file put into the archive without the tool (copied in, edited, synced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(file_text(article), encoding="utf-8")
    return path


def age(root: Path, seconds: int = 3600) -> None:
    """Make every file and directory look old, as an archive looks between two commands.

    The index does not trust a directory changed in the last few seconds (its mtime could move
    again within the same clock tick), so tests of the cheap directory check need old mtimes.
    """
    past = datetime.now().timestamp() - seconds
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            os.utime(Path(dirpath) / name, (past, past))
        os.utime(dirpath, (past, past))


def titles(hits: list[search_mod.Hit]) -> list[str]:
    return [hit.entry.title for hit in hits]
