"""One input to one archived file: check identity, fetch, extract, render, save.

This module never prints. Callers get an `Outcome` back, or a `NewsArchiveError` raised.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from newsarchive import capture as capture_mod
from newsarchive import fetch as fetch_mod
from newsarchive import wayback as wayback_mod
from newsarchive.errors import ExtractionError, FetchError, InvalidURLError, with_detail
from newsarchive.frontmatter import (
    COMPLETENESS_KEYS,
    SAVED_KEY,
    archiver_name,
    article_meta,
    dumps,
)
from newsarchive.models import Article, FetchedPage, FetchOptions
from newsarchive.render import render_body
from newsarchive.store import Archive
from newsarchive.urls import check_url, normalize_url
from newsarchive.wayback import WaybackOptions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


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
    notes: tuple[str, ...] = ()  # worth telling: the live page failed and the archive's was used
    warnings: tuple[str, ...] = ()  # went wrong without failing: Save Page Now refused


def is_local_target(target: str) -> bool:
    """True for an existing file, or anything that is plainly not a URL but names an HTML file."""
    if "://" in target:
        return False
    return Path(target).is_file() or target.lower().endswith(LOCAL_SUFFIXES)


def render_file(article: Article, body: str | None = None) -> str:
    """The complete file: front-matter, then the reader-facing Markdown body (`body`, when
    `render_body(article)` is known already)."""
    body = render_body(article) if body is None else body
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
    wayback: WaybackOptions | None = None,
) -> Outcome:
    """Archive one URL or local saved page; raise a NewsArchiveError subclass on failure.

    A URL that is already archived (in any normalised variant) returns at once, with no request.
    With `captures` (a directory), the HTTP response is also kept there as a WARC file, named
    in the front-matter. `wayback` says when the Wayback Machine is used (never, by default):
    for a live page that fails, or for every page; and whether to ask it to capture the page.
    """
    options = options or FetchOptions()
    wayback = wayback or WaybackOptions()
    if is_local_target(target):
        given = check_url(source_url) if source_url else None
        if given and not force:
            known = archive.lookup(given)
            if known is not None:
                return Outcome(target, "already archived", known, normalize_url(given))
        page = fetch_mod.read_local(Path(target), url=given, max_bytes=options.max_bytes)
        article, keys = prepare(page, given)
        outcome = _write(
            _Found(page, article, keys),
            archive,
            force=force,
            dry_run=dry_run,
            captures=captures,
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
        found = _obtain(url, client=active, options=options, wayback=wayback)
        saver = None
        if wayback.save and found.page.snapshot is None:

            def saver(article: Article) -> Article:
                return _save_to_wayback(article, url, found, active, options, wayback.base)

        outcome = _write(
            found, archive, force=force, dry_run=dry_run, captures=captures, before_save=saver
        )
    finally:
        if own_client:
            active.close()
    return dataclasses.replace(outcome, target=target)


@dataclass
class _Found:
    """A page, the article extracted from it and the keys it is known by; and what to say."""

    page: FetchedPage
    article: Article
    keys: list[str]
    notes: list[str] = dataclasses.field(default_factory=list)  # worth knowing
    warnings: list[str] = dataclasses.field(default_factory=list)  # something went wrong


def is_partial(article: Article) -> bool:
    """Whether the article holds only part of the text (a paywall teaser, a consent box)."""
    return article.extra.get(COMPLETENESS_KEYS[0]) == "partial"


def _obtain(
    url: str, *, client: fetch_mod.Client, options: FetchOptions, wayback: WaybackOptions
) -> _Found:
    """The article at `url`: from the site, or from the Wayback Machine as `wayback` says."""
    if wayback.only:
        return _from_archive(url, client=client, options=options, wayback=wayback)
    try:
        page = fetch_mod.fetch(url, client=client, options=options)
        article, keys = prepare(page, url)
    except (FetchError, ExtractionError) as exc:
        if not (wayback.fallback and wayback_mod.falls_back(exc)):
            raise
        try:
            found = _from_archive(url, client=client, options=options, wayback=wayback)
        except (FetchError, ExtractionError) as archived:
            raise with_detail(exc, f"{exc.detail}; {archived.detail}") from archived
        found.notes.append(f"{url}: {exc.detail}; using {_describe(found)}")
        return found
    live = _Found(page, article, keys)
    if wayback.fallback and is_partial(article):
        kept = f"{url}: kept the live page, which is partial"
        try:
            found = _from_archive(url, client=client, options=options, wayback=wayback)
        except (FetchError, ExtractionError) as archived:
            live.notes.append(f"{kept}; {archived.detail}")
            return live
        if is_partial(found.article):
            live.notes.append(f"{kept}; Wayback: the snapshot is partial too")
            return live
        found.notes.append(f"{url}: the live page is partial; using {_describe(found)}")
        return found
    return live


def _from_archive(
    url: str, *, client: fetch_mod.Client, options: FetchOptions, wayback: WaybackOptions
) -> _Found:
    """The archived copy of `url`, extracted; errors say "URL: Wayback: ..."."""
    page = wayback_mod.from_archive(url, client=client, options=options, base=wayback.base)
    try:
        article, keys = prepare(page, url)
    except ExtractionError as exc:
        raise with_detail(exc, f"Wayback: {exc.detail}") from exc
    return _Found(page, article, keys)


def _describe(found: _Found) -> str:
    return f"the Wayback Machine's snapshot of {found.article.extra.get('snapshot')}"


def _save_to_wayback(
    article: Article,
    url: str,
    found: _Found,
    client: fetch_mod.Client,
    options: FetchOptions,
    base: str,
) -> Article:
    """`article` with the address of a new Wayback capture of `url`; a failure is a warning."""
    try:
        address = wayback_mod.save(url, client=client, base=base, options=options)
    except FetchError as exc:
        found.warnings.append(f"{exc} (the article is archived without it)")
        return article
    return dataclasses.replace(article, extra={**article.extra, SAVED_KEY: address})


def prepare(page: FetchedPage, given: str | None) -> tuple[Article, list[str]]:
    """Extract the article from `page` and settle its identity: the article and its keys.

    The canonical URL names the article unless it points at the site's home page; the URL
    as given and the final URL after redirects are keys too. A page from the Wayback Machine
    is extracted as the original site's page and marked as coming from the archive.
    """
    # Imported here: the coordinating process of an import never extracts, and trafilatura
    # would cost it 20 MB and 0.15 s of start-up (the extraction processes load it ahead).
    from newsarchive import extract as extract_mod

    view = wayback_mod.site_view(page)
    article = extract_mod.extract(view, url=given)
    if not article.url.startswith(("http://", "https://")):
        raise InvalidURLError(
            page.local_path or page.url,
            "the page names no canonical URL; say where it came from with --url",
        )
    canonical = normalize_url(article.url)
    if view.status is not None and _is_site_root(canonical) and not _is_site_root(view.final_url):
        # A canonical link to the home page is a site misconfiguration, not this article's identity.
        canonical = normalize_url(view.final_url)
    keys = _keys(canonical, given, view)
    source = given if given and normalize_url(given) != canonical else None
    article = dataclasses.replace(article, url=canonical, source=source)
    if page.snapshot is not None:
        article = wayback_mod.mark(article, page.snapshot)
    return article, keys


def _write(
    found: _Found,
    archive: Archive,
    *,
    force: bool,
    dry_run: bool,
    captures: Path | None = None,
    before_save: Callable[[Article], Article] | None = None,
) -> Outcome:
    """Save the article found, unless it is archived already; `before_save` runs only when
    it is about to be written."""
    page, article, keys = found.page, found.article, found.keys
    target = page.local_path or page.url
    canonical = article.url
    notes = tuple(found.notes)
    if not force:
        known = archive.lookup(*keys)
        if known is not None:
            return Outcome(target, "already archived", known, canonical, article, notes=notes)
    if dry_run:
        text = render_file(article)
        known = archive.lookup(*keys)
        path = known if known is not None else archive.root / archive.path_for(article)
        return Outcome(target, "dry run", path.absolute(), canonical, article, text, notes=notes)
    if before_save is not None:
        article = before_save(article)
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
    return Outcome(
        target, status, result.path, canonical, article, text, notes, tuple(found.warnings)
    )


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
    """Every URL this article answers to, normalised, canonical first, without repeats.

    For a page from the Wayback Machine, pass `site_view(page)`: the archive's own address
    is not a key.
    """
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
