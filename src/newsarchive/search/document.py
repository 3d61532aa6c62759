"""One archive file as the search index holds it: read, parsed, and made into the values of
its `files` row and the words of its full-text row; and the text of an article as queries
and snippets read it again from the file."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive.articles import parse_article, read_article
from newsarchive.errors import StoreError
from newsarchive.frontmatter import is_newsarchive
from newsarchive.render import format_published
from newsarchive.search.model import MARK_END, MARK_START, Facets, scalar, strings_of, text_of
from newsarchive.search.schema import ARTICLE, BROKEN, OTHER, Row
from newsarchive.search.text import Analyzer, stemmer_language
from newsarchive.store import url_keys
from newsarchive.walk import parent_of, read_bytes

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
    The standfirst (an italic line under the title) is the article's own, and stays.
    `keep_byline` keeps the "By ..." line, which may say more than the authors field."""
    sections = body.split("\n\n")
    kept: list[str] = []
    start, end = 0, len(sections)
    if sections[0].startswith("# "):
        start = 1
        standfirst = sections[start] if start < end else ""
        if (
            len(standfirst) > 2
            and standfirst[0] == standfirst[-1] == "*"
            and "\n" not in standfirst
        ):
            kept.append(standfirst)
            start += 1
        if start < end and sections[start].startswith("By ") and "\n" not in sections[start]:
            if keep_byline:
                kept.append(sections[start])
            start += 1
        published = text_of(meta.get("published"))
        if published and start < end and sections[start].strip() == format_published(published):
            start += 1
    if end - start >= 2 and sections[-2] == "---" and sections[-1].startswith("Source: <"):
        end -= 2
    return "\n\n".join(kept + sections[start:end])


def read_file(root: str, rel: str) -> Row | None:
    """Read and parse one `.md` file; None when it vanished meanwhile."""
    path = os.path.join(root, rel)
    try:
        data, mtime_ns, size = read_bytes(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _broken(rel, 0, 0, f"cannot read: {exc.strerror or exc}"), None
    try:
        file = parse_article(Path(path), data)
    except StoreError as exc:
        return _broken(rel, mtime_ns, size, exc.detail), None
    text, meta, body = file.text, file.meta, file.body
    if not is_newsarchive(meta):
        return (rel, parent_of(rel), mtime_ns, size, OTHER, *([None] * 17)), None
    facets = Facets.of(meta)
    title = text_of(meta.get("title")) or ""
    authors = strings_of(meta.get("authors"))
    tags = strings_of(meta.get("tags")) + strings_of(meta.get("categories"))
    values = (
        rel,
        parent_of(rel),
        mtime_ns,
        size,
        ARTICLE,
        None,
        title,
        json.dumps(authors, ensure_ascii=False),
        text_of(meta.get("published")),
        facets.pubdate,
        text_of(meta.get("fetched")),
        text_of(meta.get("site")),
        text_of(meta.get("hostname")),
        text_of(meta.get("url")),
        text_of(meta.get("language")),
        json.dumps(tags, ensure_ascii=False),
        facets.site_key,
        facets.authors_key,
        facets.tags_key,
        facets.lang_key,
        len(text) - len(body),
        json.dumps(url_keys(meta)),
    )
    texts = _texts(meta, body)
    analyzer = _analyzer(text_of(meta.get("language")))
    fts = (analyzer.words(texts.body), analyzer.words(texts.title), analyzer.words(texts.extra))
    return values, fts


# One analyzer per stemmer in each process: each remembers the words it has seen.
_ANALYZERS: dict[str | None, Analyzer] = {}


def _analyzer(language: str | None) -> Analyzer:
    name = stemmer_language(language)
    analyzer = _ANALYZERS.get(name)
    if analyzer is None:
        analyzer = _ANALYZERS[name] = Analyzer(name)
    return analyzer


@dataclass(frozen=True)
class ArticleText:
    """The texts of an article that queries match: title; description, authors and tags
    ("extra"); and the article's own words, as plain text."""

    title: str
    extra: str
    body: str


def _texts(meta: Mapping[str, Any], body: str) -> ArticleText:
    extra = [text_of(meta.get("description")) or ""]
    extra += strings_of(meta.get("authors"))
    extra += strings_of(meta.get("tags")) + strings_of(meta.get("categories"))
    extra += strings_of(meta.get("notes"))  # the user's own notes (`newsarchive note`)
    return ArticleText(
        title=text_of(meta.get("title")) or "",
        extra="\n\n".join(extra),
        body=plain_text(article_text(body, meta)),
    )


def read_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """(front-matter with dates as ISO strings, body) of the article in file `path`;
    StoreError when it cannot be read."""
    file = read_article(path)
    plain: dict[str, Any] = json.loads(json.dumps(file.meta, ensure_ascii=False, default=scalar))
    return plain, file.body


def read_texts(path: Path) -> ArticleText | None:
    """The texts of the article in file `path` as the index read them; None when the file
    cannot be read as an article (any more)."""
    try:
        file = read_article(path)
    except StoreError:
        return None
    if not is_newsarchive(file.meta):
        return None
    return _texts(file.meta, file.body)


def _broken(rel: str, mtime_ns: int, size: int, error: str) -> tuple[Any, ...]:
    return (rel, parent_of(rel), mtime_ns, size, BROKEN, error, *([None] * 16))


def read_chunk(root: str, rels: Sequence[str]) -> list[Row | None]:
    return [read_file(root, rel) for rel in rels]
