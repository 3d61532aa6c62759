"""An article's file name in the archive: the template (`DEFAULT_TEMPLATE`, or the user's
`--template`) filled in from the article, with slugs that keep every word they can and
characters no file system refuses."""

from __future__ import annotations

import functools
import hashlib
import re
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from newsarchive.errors import TemplateError
from newsarchive.frontmatter import article_date
from newsarchive.models import Article
from newsarchive.urls import url_key
from newsarchive.walk import IMAGES_DIR

__all__ = [
    "DEFAULT_TEMPLATE",
    "TEMPLATE_FIELDS",
    "parse_template",
    "render_template",
    "slugify_title",
    "suffixed",
    "template_path",
    "template_values",
    "validate_template",
]

DEFAULT_TEMPLATE = "{date:%Y}/{date:%m}/{date:%Y-%m-%d}-{slug}.md"
TEMPLATE_FIELDS = ("date", "published", "fetched", "slug", "site", "hostname", "id", "lang")

_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{name}{n}" for name in ("com", "lpt") for n in range(1, 10)}
)
# Never in a file name: path separators, characters Windows refuses, control characters.
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def slugify_title(title: str, max_length: int = 80) -> str:
    """A file-name-safe slug: ASCII, lower-case, hyphen-separated, cut at a word boundary.

    Non-Latin scripts are transliterated ("Путин" -> "putin"). Never empty ("untitled"), never
    a Windows reserved device name ("con" -> "con-"), never contains "/", "\\" or dots.
    """
    return _slugify(title, max_length) or "untitled"


def _slugify(text: str, max_length: int = 80) -> str:
    from slugify import slugify  # loaded by the first name made, not by every command

    slug = slugify(text, lowercase=True)
    if len(slug) > max_length:
        # Whole words from the start, up to the last one that fits: python-slugify's own
        # word_boundary cut skips a word that does not fit and goes on with shorter ones after
        # it, so "this weekend - here's where" could become "this-here-s".
        cut = slug.rfind("-", 0, max_length + 1)
        slug = slug[:cut] if cut > 0 else slug[:max_length]
    if slug in _WINDOWS_RESERVED:
        slug += "-"
    return slug


@dataclass(frozen=True)
class _Piece:
    literal: str
    field: str | None
    spec: str


def parse_template(template: str) -> list[_Piece]:
    def fail(reason: str) -> TemplateError:
        return TemplateError(f"template {template!r}: {reason}")

    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # unbalanced braces
        raise fail(str(exc)) from None
    pieces: list[_Piece] = []
    for literal, name, spec, conversion in parsed:
        bad = _UNSAFE_CHARS.findall(literal.replace("/", ""))
        if bad:
            hint = " (use '/' between directories)" if bad[0] == "\\" else ""
            raise fail(f"{bad[0]!r} is not allowed in file names{hint}")
        if name is None:
            pieces.append(_Piece(literal, None, ""))
            continue
        if name not in TEMPLATE_FIELDS:
            raise fail(f"unknown field {{{name}}} (known: {', '.join(TEMPLATE_FIELDS)})")
        if conversion:
            raise fail(f"conversions such as !{conversion} are not supported")
        if spec and ("{" in spec or "}" in spec):
            raise fail("nested fields are not supported")
        pieces.append(_Piece(literal, name, spec or ""))
    return pieces


def render_template(template: str, pieces: list[_Piece], values: dict[str, Any]) -> PurePosixPath:
    out: list[str] = []
    for piece in pieces:
        out.append(piece.literal)
        if piece.field is None:
            continue
        try:
            text = format(values[piece.field], piece.spec)
        except (ValueError, TypeError) as exc:
            raise TemplateError(
                f"template {template!r}: bad format {{{piece.field}:{piece.spec}}} ({exc})"
            ) from None
        if "%" in text and isinstance(values[piece.field], datetime):
            raise TemplateError(
                f"template {template!r}: unknown strftime directive in"
                f" {{{piece.field}:{piece.spec}}}"
            )
        # A field never adds a directory level or a character some file system refuses.
        out.append(_UNSAFE_CHARS.sub("-", text))
    return _check_path(template, "".join(out))


def _check_path(template: str, rendered: str) -> PurePosixPath:
    def fail(reason: str) -> TemplateError:
        return TemplateError(f"template {template!r}: {reason}")

    if rendered.startswith("/"):
        raise fail("the path must be relative to the archive, not absolute")
    parts = rendered.split("/")
    for part in parts:
        if part == "..":
            raise fail("'..' is not allowed")
        if not part or part == ".":
            raise fail("empty or '.' path component")
        if part.startswith("."):
            # Hidden names are skipped when the archive is read (and temp files use them).
            raise fail(f"a name may not start with '.' ({part!r})")
        if part[-1] in ". ":
            raise fail(f"a name may not end with a dot or a space ({part!r})")
    if not parts[-1].endswith(".md"):
        raise fail("the file name must end with '.md'")
    if parts[0] == IMAGES_DIR:
        raise fail(f"'{IMAGES_DIR}/' is where the archive keeps its pictures")
    return PurePosixPath(rendered)


_SAMPLE = Article(
    url="https://www.example.com/news/2024/03/01/sample",
    title="Sample title",
    body="",
    fetched=datetime(2024, 3, 2, 9, 30, 0, tzinfo=UTC),
    published="2024-03-01T10:00:00+01:00",
    site="Example Times",
    hostname="www.example.com",
    language="en",
)


def validate_template(template: str) -> None:
    """Raise TemplateError (one line saying why) unless `template` gives a safe `.md` path.

    Fields: {date} (published, else fetched; a datetime, so `{date:%Y-%m}` works),
    {published} (same as date), {fetched}, {slug}, {site}, {hostname}, {id}, {lang}.
    """
    render_template(template, parse_template(template), template_values(_SAMPLE))


@functools.lru_cache(maxsize=16)
def _pieces_of(template: str) -> list[_Piece]:
    return parse_template(template)


def template_path(template: str, article: Article) -> PurePosixPath:
    """The article's path relative to an archive's root under `template` (already checked
    with `validate_template`). Pure: no disk access, and no archive needed (an import's
    extraction processes name a capture after its article's path with it)."""
    return render_template(template, _pieces_of(template), template_values(article))


def template_values(article: Article) -> dict[str, Any]:
    when = article_date(article)[0]
    fetched = article.fetched if article.fetched.tzinfo else article.fetched.replace(tzinfo=UTC)
    key = url_key(article.url) or article.url
    try:
        url_host = urlsplit(article.url).hostname or ""
    except ValueError:
        url_host = ""
    hostname = (article.hostname or url_host).lower().removeprefix("www.")
    hostname = _UNSAFE_CHARS.sub("-", hostname).strip(". ")
    return {
        "date": when,
        "published": when,
        "fetched": fetched,
        "slug": slugify_title(article.title),
        "site": _slug(article.site or hostname, "unknown-site"),
        "hostname": hostname or "unknown-host",
        "id": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8],
        "lang": _slug(article.language, "und"),  # BCP 47 "undetermined"
    }


def _slug(text: str | None, fallback: str) -> str:
    return _slugify(text or "") or fallback


def suffixed(rel: str, n: int) -> str:
    """The `n`-th name for articles whose template gives them the name `rel`: `rel` itself,
    then "-2", "-3" and so on."""
    return rel if n == 1 else f"{rel.removesuffix('.md')}-{n}.md"
