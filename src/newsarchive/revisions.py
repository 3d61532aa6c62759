"""Articles change after publication: fetch archived articles again and keep every version.

The article file always shows the latest text. When the text changed (compared as normalised
words, so markup and whitespace are not changes), the previous file is kept, whole and
readable, under the captures directory (`revisions/<article path>/<fetched time>.md`, outside
the archive so `grep -r archive/` has no duplicate hits), and the new front-matter lists it in
`revisions:`. An unchanged page only gets a new `checked:` time; a page that now answers 404 or
410 gets `gone:` and keeps its text.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from newsarchive import extract as extract_mod
from newsarchive import fetch as fetch_mod
from newsarchive.errors import HTTPStatusError, StoreError
from newsarchive.frontmatter import (
    FrontMatterError,
    article_from_meta,
    article_meta,
    dumps,
    loads,
)
from newsarchive.models import Article, FetchOptions
from newsarchive.pipeline import add_capture
from newsarchive.render import render_body
from newsarchive.store import Archive

UpdateStatus = Literal["changed", "unchanged", "gone"]
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class UpdateResult:
    path: Path
    status: UpdateStatus
    changed: tuple[str, ...] = ()  # "title", "authors", "body"


@dataclass(frozen=True)
class Version:
    """One version of an article: a kept revision, or the current file (`file` None)."""

    number: int  # 1 = the oldest
    fetched: str
    sha256: str
    changed: tuple[str, ...]
    file: str | None  # path under the captures directory; None for the current file


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_article(path: Path) -> tuple[dict[str, Any], str, Article]:
    try:
        meta, body = loads(path.read_text(encoding="utf-8"))
        return meta, body, article_from_meta(meta, body)
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(str(path), f"cannot read: {exc}") from exc
    except FrontMatterError as exc:
        raise StoreError(str(path), f"unreadable front-matter: {exc}") from exc


def update_article(
    archive: Archive,
    path: Path,
    *,
    client: fetch_mod.Client,
    options: FetchOptions,
    captures_root: Path,
    capture: bool = True,
) -> UpdateResult:
    """Fetch the article archived at `path` again and record what changed.

    Raises the fetch and extraction errors of `fetch` (except 404/410, which mark it gone).
    """
    meta, body, old = read_article(path)
    known = archive.lookup(old.url)
    if known is None or known.resolve() != path.resolve():
        raise StoreError(str(path), f"its URL is archived as {known}, not this file")
    try:
        # The URL that served the page last time: a canonical link can point elsewhere.
        page = fetch_mod.fetch(old.final_url or old.url, client=client, options=options)
    except HTTPStatusError as exc:
        if exc.status not in (404, 410):
            raise
        meta = {**meta, "gone": meta.get("gone") or _now()[:10], "checked": _now()}
        _rewrite(archive, old, dumps(meta, body))
        return UpdateResult(path, "gone")
    fresh = extract_mod.extract(page, url=old.source or old.url)
    new = dataclasses.replace(fresh, url=old.url, source=old.source)
    new_body = render_body(new)
    changed = tuple(
        name
        for name, before, after in (
            ("title", old.title, new.title),
            ("authors", " ".join(old.authors), " ".join(new.authors)),
            ("body", _article_text(body), _article_text(new_body)),
        )
        if _words(before) != _words(after)
    )
    if not changed:
        meta = {k: v for k, v in meta.items() if k != "gone"}
        _rewrite(archive, old, dumps({**meta, "checked": _now()}, body))
        return UpdateResult(path, "unchanged")

    rel = path.relative_to(archive.root).as_posix()
    stamp = old.fetched.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = _keep(captures_root, f"revisions/{rel.removesuffix('.md')}/{stamp}.md", path)
    revisions = list(meta.get("revisions") or [])
    revisions.append(
        {
            "fetched": meta.get("fetched"),
            "sha256": meta.get("sha256"),
            "changed": list(changed),
            "file": kept,
        }
    )
    if capture:
        new, _ = add_capture(new, page, archive, captures_root, rel)
    new_meta = {**article_meta(new, new_body), "checked": _now(), "revisions": revisions}
    _rewrite(archive, new, dumps(new_meta, new_body))
    return UpdateResult(path, "changed", changed)


def _article_text(body: str) -> str:
    """The body without the closing "Source: <url>" line (the URL is not the article)."""
    return body.rsplit("\n---\n", 1)[0]


def _rewrite(archive: Archive, article: Article, text: str) -> None:
    # save(force=True) replaces the file the URL maps to, in place (checked by the caller).
    archive.save(article, text, keys=[article.url], force=True)


def _keep(root: Path, rel: str, source: Path) -> str:
    """Copy `source` to `root/rel` atomically, never overwriting; return the path used."""
    target = root / rel
    data = source.read_bytes()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        temp.write_bytes(data)
        try:
            for number in range(1, 1000):
                name = target if number == 1 else target.with_name(f"{target.stem}-{number}.md")
                try:
                    os.link(temp, name)
                except FileExistsError:
                    continue
                return name.relative_to(root).as_posix()
        finally:
            temp.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(str(target), f"cannot keep the revision: {exc.strerror or exc}") from exc
    raise StoreError(str(target), "too many revisions with this name")


def versions(meta: dict[str, Any]) -> list[Version]:
    """Every version of an article, oldest first; the last one is the current file."""
    out = []
    for number, rev in enumerate(meta.get("revisions") or [], start=1):
        if isinstance(rev, dict):
            out.append(
                Version(
                    number,
                    str(rev.get("fetched") or ""),
                    str(rev.get("sha256") or ""),
                    tuple(str(c) for c in rev.get("changed") or ()),
                    str(rev.get("file") or "") or None,
                )
            )
    out.append(
        Version(len(out) + 1, str(meta.get("fetched") or ""), str(meta.get("sha256")), (), None)
    )
    return out


def version_text(path: Path, version: Version, captures_root: Path) -> str:
    """The Markdown body of one version."""
    source = path if version.file is None else captures_root / PurePosixPath(version.file)
    try:
        _, body = loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(str(source), f"cannot read the revision: {exc}") from exc
    except FrontMatterError as exc:
        raise StoreError(str(source), f"unreadable front-matter: {exc}") from exc
    return body


@dataclass(frozen=True)
class Change:
    op: Literal["equal", "delete", "insert", "replace"]
    old: str
    new: str


def word_diff(old: str, new: str) -> list[Change]:
    """Word-level differences; whitespace runs are kept with the word before them."""
    a = re.findall(r"\S+\s*", old)
    b = re.findall(r"\S+\s*", new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        Change(op, "".join(a[i1:i2]), "".join(b[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
