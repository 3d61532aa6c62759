"""One input to one archived file: check identity, fetch, extract, render, save.

This module never prints. Callers get an `Outcome` back, or a `NewsArchiveError` raised.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from newsarchive import capture as capture_mod
from newsarchive import extract as extract_mod
from newsarchive import fetch as fetch_mod
from newsarchive.errors import InvalidURLError
from newsarchive.frontmatter import archiver_name, article_meta, dumps
from newsarchive.models import Article, FetchedPage, FetchOptions
from newsarchive.render import render_body
from newsarchive.store import Archive
from newsarchive.urls import check_url, normalize_url

if TYPE_CHECKING:
    from collections.abc import Iterator


Status = Literal["archived", "already archived", "replaced", "dry run"]

LOCAL_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz", ".gz")


@dataclass(frozen=True)
class Outcome:
    """What happened to one input."""

    target: str  # the input as given: a URL or a file path
    status: Status
    path: Path  # the archived file (absolute); for a dry run, where it would go
    url: str  # the article's identity (normalised canonical URL), or the given URL if skipped
    article: Article | None = None  # None when skipped before fetching
    text: str | None = None  # the file's full text (dry runs, and for callers that want it)


def is_local_target(target: str) -> bool:
    """True for an existing file, or anything that is plainly not a URL but names an HTML file."""
    if "://" in target:
        return False
    return Path(target).is_file() or target.lower().endswith(LOCAL_SUFFIXES)


def render_file(article: Article) -> str:
    """The complete file: front-matter, then the reader-facing Markdown body."""
    body = render_body(article)
    return dumps(article_meta(article, body), body)


def archive_target(
    target: str,
    archive: Archive,
    *,
    client: fetch_mod.Client | None = None,
    options: FetchOptions | None = None,
    source_url: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    captures: Path | None = None,
) -> Outcome:
    """Archive one URL or local saved page; raise a NewsArchiveError subclass on failure.

    A URL that is already archived (in any normalised variant) returns at once, with no request.
    With `captures` (a directory), the HTTP response is also kept there as a WARC file, named
    in the front-matter.
    """
    options = options or FetchOptions()
    if is_local_target(target):
        given = check_url(source_url) if source_url else None
        if given and not force:
            known = archive.lookup(given)
            if known is not None:
                return Outcome(target, "already archived", known, normalize_url(given))
        page = fetch_mod.read_local(Path(target), url=given, max_bytes=options.max_bytes)
        outcome = _archive_page(
            page, archive, given=given, force=force, dry_run=dry_run, captures=captures
        )
        return dataclasses.replace(outcome, target=target)

    url = check_url(target)
    if not force:
        known = archive.lookup(url)
        if known is not None:
            return Outcome(target, "already archived", known, normalize_url(url))
    own_client = client is None
    active = client if client is not None else fetch_mod.make_client(options)
    try:
        page = fetch_mod.fetch(url, client=active, options=options)
    finally:
        if own_client:
            active.close()
    outcome = _archive_page(
        page, archive, given=url, force=force, dry_run=dry_run, captures=captures
    )
    return dataclasses.replace(outcome, target=target)


def _archive_page(
    page: FetchedPage,
    archive: Archive,
    *,
    given: str | None,
    force: bool,
    dry_run: bool,
    captures: Path | None = None,
) -> Outcome:
    target = page.local_path or page.url
    article = extract_mod.extract(page, url=given)
    if not article.url.startswith(("http://", "https://")):
        raise InvalidURLError(
            target, "the page names no canonical URL; say where it came from with --url"
        )
    canonical = normalize_url(article.url)
    if page.status is not None and _is_site_root(canonical) and not _is_site_root(page.final_url):
        # A canonical link to the home page is a site misconfiguration, not this article's identity.
        canonical = normalize_url(page.final_url)
    keys = _keys(canonical, given, page)
    source = given if given and normalize_url(given) != canonical else None
    article = dataclasses.replace(article, url=canonical, source=source)
    if not force:
        known = archive.lookup(*keys)
        if known is not None:
            return Outcome(target, "already archived", known, canonical, article)
    if dry_run:
        text = render_file(article)
        known = archive.lookup(*keys)
        path = known if known is not None else archive.root / archive.path_for(article)
        return Outcome(target, "dry run", path.absolute(), canonical, article, text)
    capture_file: Path | None = None
    if captures is not None and page.status is not None:
        article, capture_file = add_capture(article, page, archive, captures)
    text = render_file(article)
    try:
        result = archive.save(article, text, keys=keys, force=force)
    except BaseException:
        if capture_file is not None:
            capture_file.unlink(missing_ok=True)
        raise
    if capture_file is not None and not result.created and not result.replaced:
        capture_file.unlink(missing_ok=True)  # another process archived it meanwhile
    status: Status = "archived" if result.created else "already archived"
    if result.replaced:
        status = "replaced"
    return Outcome(target, status, result.path, canonical, article, text)


def add_capture(
    article: Article, page: FetchedPage, archive: Archive, captures: Path, rel: str | None = None
) -> tuple[Article, Path]:
    """Write `page` as a WARC capture and return the article naming it, and the file.

    Written before the article so that its front-matter can name it; callers remove the
    file again when the article is not saved after all.
    """
    rel = rel or str(archive.path_for(article))
    capture = capture_mod.write_capture(
        page, captures, capture_mod.capture_path(rel, page), software=archiver_name()
    )
    named = dataclasses.replace(
        article,
        extra={
            **article.extra,
            "capture": capture.path,
            "capture_record": capture.record_id,
            "capture_sha256": capture.sha256,
        },
    )
    return named, captures / capture.path


def _keys(canonical: str, given: str | None, page: FetchedPage) -> list[str]:
    """Every URL this article answers to, normalised, canonical first, without repeats."""
    keys = [canonical]
    # Intermediate redirect hops are not keys: a login or consent hop is shared by many articles.
    for url in (given, page.final_url if page.status is not None else None):
        if url:
            key = normalize_url(url)
            if key not in keys:
                keys.append(key)
    return keys


def _is_site_root(url: str) -> bool:
    rest = url.split("://", 1)[-1]
    return "/" not in rest.rstrip("/")


def iter_targets(targets: list[str]) -> Iterator[str]:
    """The inputs in order, without exact repeats."""
    seen: set[str] = set()
    for target in targets:
        if target not in seen:
            seen.add(target)
            yield target
