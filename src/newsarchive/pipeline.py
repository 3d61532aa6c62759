"""One input to one archived file: check identity, fetch, extract, render, save.

Where an article comes from (its site, or the Wayback Machine when the live page fails or holds
only part of it) is `Plan`'s to say, and `write_found` writes it with its capture: `fetch`
follows them one URL at a time (`archive_target`), `import` many at once (batch.py, extracting
in worker processes and writing in one thread), so that both archive a URL the same way.
This module never prints. Callers get an `Outcome` back, or a `NewsArchiveError` raised.
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from newsarchive import capture as capture_mod
from newsarchive import fetch as fetch_mod
from newsarchive import wayback as wayback_mod
from newsarchive import workers
from newsarchive.articles import archived_url
from newsarchive.errors import (
    ExtractionError,
    FetchError,
    InvalidURLError,
    NewsArchiveError,
    StoreError,
    with_detail,
)
from newsarchive.frontmatter import (
    CANONICAL_KEY,
    SAVED_KEY,
    archiver_name,
    article_meta,
    dumps,
    loads,
)
from newsarchive.images.download import Picture, Wanted, drop_all, get_pictures, keep
from newsarchive.images.files import ImageFiles
from newsarchive.images.links import localize, relative_prefix
from newsarchive.leftovers import write_temp
from newsarchive.models import Article, FetchedPage, FetchOptions, ImageOptions, Snapshot
from newsarchive.naming import template_path
from newsarchive.outcome import Outcome, Status, is_partial
from newsarchive.render import render_body
from newsarchive.store import Archive, Commit, article_keys
from newsarchive.urls import check_url, is_local_target, normalize_url, same_site
from newsarchive.userdata import Rewrite, carry_over
from newsarchive.wayback import WaybackOptions

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

__all__ = [
    "Found",
    "Outcome",
    "Plan",
    "Written",
    "add_capture",
    "archive_target",
    "extract_article",
    "extract_found",
    "image_files",
    "iter_targets",
    "prepare",
    "Stage",
    "Staged",
    "commit_staged",
    "render_file",
    "stage_found",
    "write_found",
]


def render_file(article: Article, body: str | None = None) -> str:
    """The complete file: front-matter, then the reader-facing Markdown body (`body`, when
    `render_body(article)` is known already)."""
    body = render_body(article) if body is None else body
    return dumps(article_meta(article, body), body)


# ---------------------------------------------------------------------------------------------
# Where an article comes from


@dataclass(frozen=True)
class Found:
    """An article extracted from a page and ready to write: the URLs it is known by, its
    Markdown body, the whole file when rendered already, the response to keep as its
    capture (None: no capture), its files when written already by an extraction process
    (`stage_found`), the pictures it shows and those downloaded for it."""

    article: Article
    body: str
    keys: tuple[str, ...]
    text: str | None = None  # None: rendered when written, once its capture is named
    page: FetchedPage | None = None
    wanted: tuple[Wanted, ...] = ()  # its own pictures (images/choose.py), when asked for
    pictures: Mapping[str, Picture] = field(default_factory=dict)  # downloaded, by address
    staged: Staged | None = None  # its files, waiting for their names (`commit_staged`)
    # The capture of `page` sealed already (read back from its staged file): the article is
    # written here after all, and so is its capture, without the page.
    capture: capture_mod.Sealed | None = None

    @property
    def partial(self) -> bool:
        return is_partial(self.article)

    def unstaged(self) -> Found:
        """The article to write otherwise than staged (its pictures change it): its staged
        files removed, its capture read back. Raises StoreError."""
        staged = self.staged
        if staged is None:
            return self
        capture = None
        if staged.capture is not None and staged.sealed is not None:
            try:
                data = Path(staged.capture).read_bytes()
            except OSError as exc:
                raise StoreError(staged.capture, f"cannot read: {exc.strerror}") from exc
            capture = dataclasses.replace(staged.sealed, data=data)
        staged.discard()
        return dataclasses.replace(self, staged=None, capture=capture)


def extract_found(
    page: FetchedPage,
    given: str | None,
    *,
    whole: bool = True,
    images: bool = False,
    time_limit: float | None = None,
) -> Found:
    """Extract the article from `page` and render it (pure CPU work: an import runs it in a
    worker process); without `whole`, only the body is rendered. With `images`, the article's
    own pictures are chosen too. An error about a page from the Wayback Machine says so
    ("URL: Wayback: no article text found"). `time_limit`: see `extract_article`."""
    try:
        article, keys = prepare(page, given, time_limit=time_limit)
    except ExtractionError as exc:
        if page.snapshot is None:
            raise
        raise with_detail(exc, f"Wayback: {exc.detail}") from exc
    body = render_body(article)
    wanted = _wanted(article, page, given) if images else ()
    # Rendered even when pictures are wanted: the file as it is when none of them is kept.
    text = render_file(article, body) if whole else None
    return Found(article, body, tuple(keys), text, wanted=wanted)


@dataclass(frozen=True)
class Stage:
    """Where an import's extraction processes write each article's files ahead of their
    names (`stage_found`): the archive's root and file-name template, the captures root
    (None: no capture), and the importing process, which gives them their names."""

    root: Path
    template: str
    captures: Path | None
    owner: int  # the importing process's pid, which the temporary files name
    run: str = field(default_factory=lambda: secrets.token_hex(8))  # this import, of its runs


@dataclass(frozen=True)
class Staged:
    """An article's files written whole and fsynced under temporary names in the
    directories of their names, waiting for those names (`commit_staged`)."""

    # The files' paths are strings: the importing process reads them back for every article,
    # and a Path takes twenty times as long to unpickle.
    file: str  # the article's file, naming its capture as `capture` says
    rel: str  # its name, relative to the archive's root
    keys: tuple[str, ...]  # its index keys (`store.article_keys`)
    capture: str | None = None  # the capture's file; None: no capture
    sealed: capture_mod.Sealed | None = None  # the capture's name and reference (no data)

    def discard(self) -> None:
        """Remove the files (the article is not written after all, or written otherwise)."""
        for path in (self.file, self.capture):
            if path is not None:
                Path(path).unlink(missing_ok=True)


# The directories whose leftovers were removed during each import (by its `Stage`), in this
# process: once each is enough, as the import leaves none of its own while it runs.
_CLEARED: dict[Stage, set[Path]] = {}


def stage_found(found: Found, page: FetchedPage, stage: Stage) -> Found:
    """`found`, its files written as `write_found` would write them without pictures: the
    capture (made ready: compressed, its digest taken) and the file naming it, under
    temporary names of `stage.owner`, in the directories of their names. The CPU work and
    the writing of an article that an import does in its extraction processes, so that
    naming the files is all that is left (`commit_staged`). Raises NewsArchiveError when
    the template makes no name of the article, OSError when a file cannot be written; no
    file is left then."""
    rel = template_path(stage.template, found.article)
    cleared = _CLEARED.setdefault(stage, set())
    article, capture, sealed = found.article, None, None
    if stage.captures is not None and page.status is not None:
        sealed = capture_mod.seal_capture(
            page, capture_mod.capture_path(str(rel), page), software=archiver_name()
        )
        capture = write_temp(
            stage.captures / sealed.rel, sealed.data, owner=stage.owner, cleared=cleared
        )
        sealed = dataclasses.replace(sealed, data=b"")
        article = _naming(article, sealed.rel, sealed.record_id, sealed.sha256)
    try:
        text = render_file(article, found.body).encode("utf-8")
        file = write_temp(stage.root / rel, text, owner=stage.owner, cleared=cleared)
    except BaseException:
        if capture is not None:
            capture.unlink(missing_ok=True)
        raise
    keys = tuple(article_keys(found.article, found.keys))
    kept = None if capture is None else str(capture)
    staged = Staged(str(file), rel.as_posix(), keys, kept, sealed)
    return dataclasses.replace(found, text=None, staged=staged)


def commit_staged(
    items: Sequence[Found], archive: Archive, *, captures: Path | None
) -> list[Written]:
    """Give the files of articles staged by `stage_found` their names, in one transaction
    of the URL index: first every capture, whose directories are then fsynced, so that no
    article ever names a capture that a crash lost; then every article (`Commit.claim`),
    whose directories are fsynced before the transaction is committed. Each article is on
    disk and found by its URLs when this returns. The archive is as `write_found` (without
    pictures) leaves it: an article one of whose URLs is archived by then (by another
    process, or earlier in `items`) is not written, and its files are removed; a capture
    whose name is taken gets "-2" and the article names that. Raises StoreError."""
    try:
        with archive.committing() as commit:
            named = [_name_capture(found, commit, captures) for found in items]
            commit.sync()
            return [_claim(found, each, commit) for found, each in zip(items, named, strict=True)]
    finally:
        for found in items:  # what was not named: an error stopped the group
            if found.staged is not None:
                found.staged.discard()


_Named = tuple[Article, Path, Path | None] | Path  # the article, its file and its capture's
# file; or the file archived already for one of its URLs


def _name_capture(found: Found, commit: Commit, captures: Path | None) -> _Named:
    staged = found.staged
    assert staged is not None
    known = commit.find(staged.keys)
    if known is not None:
        commit.remember(known, staged.keys)  # a mirror: found without a request next time
        return known
    if staged.capture is None or staged.sealed is None or captures is None:
        return found.article, Path(staged.file), None
    sealed = staged.sealed
    try:
        path = capture_mod.link_new(Path(staged.capture), captures / sealed.rel)
    except OSError as exc:
        problem = f"cannot write the capture: {exc.strerror or exc}"
        raise StoreError(str(captures / sealed.rel), problem) from exc
    commit.add_directory(path.parent)
    rel = path.relative_to(captures).as_posix()
    article = _naming(found.article, rel, sealed.record_id, sealed.sha256)
    if rel == sealed.rel:
        return article, Path(staged.file), path
    # The name was taken (a second fetch within the same second): the file names this one.
    text = render_file(article, found.body).encode("utf-8")
    target = commit.archive.root / staged.rel
    try:
        return article, write_temp(target, text), path
    except OSError as exc:
        raise StoreError(str(target), f"cannot write: {exc.strerror or exc}") from exc


def _claim(found: Found, named: _Named, commit: Commit) -> Written:
    if isinstance(named, Path):
        return Written("already archived", named, found.article, None)
    article, file, capture = named
    assert found.staged is not None
    result = commit.claim(file, found.staged.rel, found.staged.keys)
    if result.created:
        return Written("archived", result.path, article, None)
    if capture is not None:  # another article holds one of its URLs: not written after all
        capture.unlink(missing_ok=True)
    return Written("already archived", result.path, found.article, None)


def _naming(article: Article, path: str, record_id: str, sha256: str) -> Article:
    """`article`, its front-matter naming its capture."""
    extra = {**article.extra, "capture": path, "capture_record": record_id}
    return dataclasses.replace(article, extra={**extra, "capture_sha256": sha256})


def _wanted(article: Article, page: FetchedPage, given: str | None) -> tuple[Wanted, ...]:
    """The article's own pictures (images/choose.py). For a page from the Wayback Machine,
    its pictures are asked of the archive too, as captured at the same time."""
    # Imported here, as `prepare` imports the extractor: only extraction processes choose.
    from newsarchive.images.choose import choose

    view = wayback_mod.site_view(page)
    base = given or view.final_url or view.url or None
    wanted = choose(article, page.html, base)
    snapshot = page.snapshot
    if snapshot is None:
        return wanted
    return tuple(
        dataclasses.replace(item, url=Snapshot(item.url, snapshot.timestamp, snapshot.base).raw_url)
        for item in wanted
    )


Source = Literal["live", "wayback"]


@dataclass
class Plan:
    """Where the article at `url` comes from, as `wayback` says: from its site; from the
    Wayback Machine when the live page fails in a way the archive may mend or holds only part
    of the article (the live page is kept when the snapshot is no better); or always.

    Followed one step at a time: `source` says where the next page comes from, and `found` or
    `failed` takes what it gave and says what is next. What is worth telling collects in
    `notes` and `warnings`.
    """

    url: str
    wayback: WaybackOptions
    source: Source = "live"
    live_error: NewsArchiveError | None = None  # why the live page failed
    held: Found | None = None  # a partial live page, kept while its snapshot is tried
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.wayback.only:
            self.source = "wayback"

    def found(self, found: Found) -> Found | None:
        """An article from `source`: the one to write, or None to ask the Wayback Machine."""
        if self.source == "live":
            if self.wayback.fallback and found.partial:
                self.held, self.source = found, "wayback"
                return None
            return found
        if self.held is not None:
            if found.partial:
                return self._keep_live("Wayback: the snapshot is partial too")
            self._using(found, "the live page is partial")
        elif self.live_error is not None:
            self._using(found, _detail(self.live_error))
        return found

    def failed(self, error: NewsArchiveError) -> Found | NewsArchiveError | None:
        """`source` failed with `error`: the article to write after all (the partial live
        page), the error to report, or None to ask the Wayback Machine."""
        if self.source == "live":
            if self.wayback.fallback and wayback_mod.falls_back(error):
                self.live_error, self.source = error, "wayback"
                return None
            return error
        if self.held is not None:
            return self._keep_live(_detail(error))
        if self.live_error is not None:
            # The live page's reason and status, and both failures in the message.
            both = with_detail(self.live_error, f"{_detail(self.live_error)}; {_detail(error)}")
            both.__cause__ = error
            return both
        return error

    def wants_saved_snapshot(self, found: Found) -> bool:
        """Whether to ask the Wayback Machine to capture the page before the article is
        written (--save-to-wayback: for an article from its site)."""
        return self.wayback.save and found.article.extra.get("via") is None

    def saved_snapshot(self, found: Found, address: str) -> Found:
        """`found`, naming the new capture that Save Page Now made of its page."""
        article = found.article
        article = dataclasses.replace(article, extra={**article.extra, SAVED_KEY: address})
        return dataclasses.replace(found, article=article, text=None)

    def not_saved(self, error: NewsArchiveError) -> None:
        """Save Page Now failed: the article is written all the same."""
        self.warnings.append(f"{error} (the article is archived without it)")

    def outcome(
        self, target: str, status: Status, path: Path, article: Article, **fields: Any
    ) -> Outcome:
        """The outcome of writing (or finding archived) `article`, with what was worth telling."""
        return Outcome(
            target,
            status,
            path,
            article.url,
            article,
            notes=tuple(self.notes),
            warnings=tuple(self.warnings),
            http_status=article.status,
            **fields,
        )

    def _keep_live(self, why: str) -> Found:
        assert self.held is not None
        held, self.held = self.held, None
        self.notes.append(f"{self.url}: kept the live page, which is partial; {why}")
        return held

    def _using(self, found: Found, why: str) -> None:
        snapshot = found.article.extra.get("snapshot")
        self.notes.append(f"{self.url}: {why}; using the Wayback Machine's snapshot of {snapshot}")


def _detail(error: NewsArchiveError) -> str:
    """What went wrong, without the URL in front (for errors that carry a URL)."""
    return str(getattr(error, "detail", error))


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class Written:
    """What `write_found` did: the file, the article as written (naming its capture and its
    pictures), and what went wrong without failing it (a picture not kept)."""

    status: Status  # "archived", "already archived" or "replaced"
    path: Path
    article: Article
    text: str | None  # the file's text; None when nothing was written, or not at hand
    warnings: tuple[str, ...] = ()


def image_files(archive: Archive, captures: Path | None, options: ImageOptions) -> ImageFiles:
    """The archive's picture files; a new `_images` link points to `options.files`, else to
    `images/` in the captures directory (the default one when captures are not kept)."""
    if options.files is not None:
        return ImageFiles(archive.root, options.files)
    root = captures if captures is not None else capture_mod.default_captures_root(archive.root)
    return ImageFiles(archive.root, root / "images")


def write_found(
    found: Found,
    archive: Archive,
    *,
    captures: Path | None,
    force: bool = False,
    images: tuple[ImageFiles, ImageOptions] | None = None,
    rewrite: Rewrite | None = None,
) -> Written:
    """Write the article found, and its capture under `captures`; nothing when one of its URLs
    is archived already (unless `force`: then its file is replaced in place, keeping what the
    user added to it as `rewrite` says; by default, an edited text is kept as a revision in
    the archive's default captures directory). Its pictures downloaded (`found.pictures`) are
    stored in `images` as far as they fit in the limits, and the Markdown shows them from
    there.

    The capture is written first, so that the front-matter can name it, and removed again when
    the article is not written after all (another process archived it meanwhile). An article
    staged already (`stage_found`) is written as it is now, its staged files removed.
    """
    found = found.unstaged()
    known = archive.lookup(*found.keys)
    if known is not None and not force:
        if images is not None:
            drop_all(found.pictures, images[0])
        archive.remember(known, found.keys)  # a mirror: found without a request next time
        return Written("already archived", known, found.article, None)
    article, body, text, capture_file = found.article, found.body, found.text, None
    # The response to keep: sealed already, or the page (a local file is no response).
    response = found.page if found.page is not None and found.page.status is not None else None
    page = found.capture or response
    capturing = captures is not None and page is not None
    warnings: tuple[str, ...] = ()
    responses: list[FetchedPage] = []
    if found.pictures and images is not None:
        kept = keep(found.wanted, found.pictures, images[0], images[1], responses=capturing)
        rel = known.relative_to(archive.root) if known is not None else archive.path_for(article)
        body = localize(body, kept.by_ref, relative_prefix(rel.as_posix()))
        article = dataclasses.replace(article, images=tuple(kept.images))
        text, warnings, responses = None, tuple(kept.warnings), kept.responses
    if capturing:
        assert captures is not None and page is not None
        article, capture_file = add_capture(article, page, archive, captures, responses=responses)
        text = None
    text = render_file(article, body) if text is None else text
    if force and rewrite is None:
        rewrite = Rewrite(archive.root, captures or capture_mod.default_captures_root(archive.root))
    try:
        result = archive.save(article, text, keys=found.keys, force=force, rewrite=rewrite)
    except BaseException:
        if capture_file is not None:
            capture_file.unlink(missing_ok=True)
        raise
    if capture_file is not None and not result.created and not result.replaced:
        capture_file.unlink(missing_ok=True)
    status: Status = "archived" if result.created else "already archived"
    return Written("replaced" if result.replaced else status, result.path, article, text, warnings)


def add_capture(
    article: Article,
    page: FetchedPage | capture_mod.Sealed,
    archive: Archive,
    captures: Path,
    rel: str | None = None,
    *,
    responses: list[FetchedPage] | tuple[FetchedPage, ...] = (),
) -> tuple[Article, Path]:
    """Write `page` (and the `responses` of its pictures) as a WARC capture and return the
    article naming it, and the file. A capture sealed already goes where it was sealed for.

    Written before the article so that its front-matter can name it; callers remove the
    file again when the article is not saved after all.
    """
    if isinstance(page, capture_mod.Sealed):
        where = page.rel
    else:
        where = capture_mod.capture_path(rel or str(archive.path_for(article)), page)
    capture = capture_mod.write_capture(
        page,
        captures,
        where,
        software=archiver_name(),
        responses=responses,
    )
    named = _naming(article, capture.path, capture.record_id, capture.sha256)
    return named, captures / capture.path


# ---------------------------------------------------------------------------------------------
# One input: fetch


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
    images: ImageOptions | None = None,
    rewrite: Rewrite | None = None,
) -> Outcome:
    """Archive one URL or local saved page; raise a NewsArchiveError subclass on failure.

    A URL that is already archived (in any normalised variant) returns at once, with no request.
    With `captures` (a directory), the HTTP response is also kept there as a WARC file, named
    in the front-matter. `wayback` says when the Wayback Machine is used (never, by default):
    for a live page that fails, or for every page; and whether to ask it to capture the page.
    `images` says whether and how the article's pictures are archived with it (by default
    they are: see images/); a picture that cannot be kept leaves a warning in the outcome.
    With `force`, `rewrite` says how the file replaced is treated (see `write_found`); what
    became of the user's edits is in the outcome's warnings.
    """
    options = options or FetchOptions()
    limit = options.extract_timeout
    images = images or ImageOptions()
    # A dry run downloads no picture: it writes nothing to keep one in.
    pictures = images.enabled and not dry_run
    if is_local_target(target):
        given = check_url(source_url) if source_url else None
        known = None if force or given is None else archive.lookup(given)
        if known is not None and given is not None:
            url = archived_url(known) or normalize_url(given)
            return Outcome(target, "already archived", known, url)
        page = fetch_mod.read_local(Path(target), url=given, max_bytes=options.max_bytes)
        found = extract_found(page, given, whole=False, images=pictures, time_limit=limit)
        found = dataclasses.replace(found, page=page)
        plan = Plan(given or target, WaybackOptions())
        if not found.wanted:
            return _finish(target, plan, found, archive, force, dry_run, captures, None, rewrite)
        with fetch_mod.make_client(options) if client is None else _borrowed(client) as active:
            fetching = (active, options, images)
            return _finish(
                target, plan, found, archive, force, dry_run, captures, fetching, rewrite
            )
    url = check_url(target)
    known = None if force else archive.lookup(url)
    if known is not None:
        return Outcome(target, "already archived", known, archived_url(known) or normalize_url(url))
    active = client if client is not None else fetch_mod.make_client(options)
    try:
        plan = Plan(url, wayback or WaybackOptions())
        found = _obtain(plan, active, options, pictures)
        if plan.wants_saved_snapshot(found) and not dry_run:
            if force or archive.lookup(*found.keys) is None:
                found = _save_page_now(plan, found, active, options)
        fetching = (active, options, images)
        return _finish(target, plan, found, archive, force, dry_run, captures, fetching, rewrite)
    finally:
        if client is None:
            active.close()


class _borrowed:
    """A client given by the caller, used as a context that does not close it."""

    def __init__(self, client: fetch_mod.Client) -> None:
        self.client = client

    def __enter__(self) -> fetch_mod.Client:
        return self.client

    def __exit__(self, *exc_info: object) -> None:
        pass


def _obtain(
    plan: Plan, client: fetch_mod.Client, options: FetchOptions, images: bool = False
) -> Found:
    """The article `plan` settles on, from the site or the Wayback Machine."""
    while True:
        try:
            if plan.source == "live":
                page = fetch_mod.fetch(plan.url, client=client, options=options)
            else:
                base = plan.wayback.base
                page = wayback_mod.from_archive(plan.url, client=client, options=options, base=base)
            limit = options.extract_timeout
            found = extract_found(page, plan.url, whole=False, images=images, time_limit=limit)
            found = dataclasses.replace(found, page=page)
        except NewsArchiveError as exc:
            step = plan.failed(exc)
        else:
            step = plan.found(found)
        if isinstance(step, NewsArchiveError):
            raise step
        if step is not None:
            return step


def _save_page_now(
    plan: Plan, found: Found, client: fetch_mod.Client, options: FetchOptions
) -> Found:
    try:
        address = wayback_mod.save(plan.url, client=client, base=plan.wayback.base, options=options)
    except FetchError as exc:
        plan.not_saved(exc)
        return found
    return plan.saved_snapshot(found, address)


def _finish(
    target: str,
    plan: Plan,
    found: Found,
    archive: Archive,
    force: bool,
    dry_run: bool,
    captures: Path | None,
    fetching: tuple[fetch_mod.Client, FetchOptions, ImageOptions] | None = None,
    rewrite: Rewrite | None = None,
) -> Outcome:
    """Write the article found, or say where it would go (`dry_run`); with `fetching` (the
    client, its options and the pictures' options), download its pictures first. `rewrite`:
    see `write_found`."""
    known = archive.lookup(*found.keys)
    if known is not None and not force:
        if not dry_run:
            archive.remember(known, found.keys)  # a mirror: found without a request next time
        return plan.outcome(target, "already archived", known, found.article)
    if dry_run:
        text = render_file(found.article, found.body)
        if known is not None:  # --force: what replaces the file keeps the user's part of it
            with contextlib.suppress(OSError, UnicodeDecodeError):
                meta, body = loads(text)
                text = carry_over(known.read_text(encoding="utf-8"), meta, body)
        path = known if known is not None else archive.root / archive.path_for(found.article)
        return plan.outcome(target, "dry run", path.absolute(), found.article, text=text)
    setup = None
    if found.wanted and fetching is not None:
        client, options, images = fetching
        files = image_files(archive, captures, images)
        pictures, warnings = get_pictures(
            found.wanted,
            client=client,
            options=options,
            limits=images,
            files=files,
            page_url=found.article.final_url or found.article.url,
        )
        plan.warnings.extend(warnings)
        found = dataclasses.replace(found, pictures=pictures)
        setup = (files, images)
    if force and rewrite is None:
        rewrite = Rewrite(archive.root, captures or capture_mod.default_captures_root(archive.root))
    try:
        written = write_found(
            found, archive, captures=captures, force=force, images=setup, rewrite=rewrite
        )
    except BaseException:
        if setup is not None:
            drop_all(found.pictures, setup[0])
        raise
    plan.warnings.extend(written.warnings)
    if rewrite is not None:
        plan.warnings.extend(rewrite.notices)
        rewrite.notices.clear()
    if setup is not None and setup[0].note:
        plan.notes.append(setup[0].note)
    return plan.outcome(target, written.status, written.path, written.article, text=written.text)


def extract_article(
    page: FetchedPage, url: str | None, *, time_limit: float | None = None
) -> Article:
    """`extract.extract(page, url=url)`, given at most `time_limit` seconds: a page that
    takes longer is refused with an ExtractionError that says so (reason "too slow")."""
    # Imported here: the coordinating process of an import never extracts, and trafilatura
    # would cost it 20 MB and 0.15 s of start-up (the extraction processes load it ahead).
    from newsarchive import extract as extract_mod

    try:
        with workers.time_limit(time_limit):
            return extract_mod.extract(page, url=url)
    except workers.TimeUp:
        where = url or page.final_url or page.local_path or page.url
        assert time_limit is not None
        error = ExtractionError(
            where, f"extraction stopped after {time_limit:g} s (the limit for one page)"
        )
        error.reason = "too slow"
        raise error from None


def prepare(
    page: FetchedPage, given: str | None, *, time_limit: float | None = None
) -> tuple[Article, list[str]]:
    """Extract the article from `page` and settle its identity: the article and its keys.

    The canonical URL names the article unless it points at the site's home page, or at
    another site than the one the page came from; the URL as given and the final URL after
    redirects are keys too. A page from the Wayback Machine is extracted as the original
    site's page and marked as coming from the archive.
    """
    view = wayback_mod.site_view(page)
    article = extract_article(view, given, time_limit=time_limit)
    if not article.url.startswith(("http://", "https://")):
        raise InvalidURLError(
            page.local_path or page.url,
            "the page names no canonical URL; say where it came from with --url",
        )
    canonical = normalize_url(article.url)
    extra = article.extra
    if view.status is not None and _is_site_root(canonical) and not _is_site_root(view.final_url):
        # A canonical link to the home page is a site misconfiguration, not this article's identity.
        canonical = normalize_url(view.final_url)
    elif view.status is not None and not same_site(canonical, view.final_url):
        # Any page may name any URL as its canonical one: one on another site than the page
        # came from is recorded, but would let a page take another site's article's place.
        extra = {**extra, CANONICAL_KEY: canonical}
        canonical = normalize_url(view.final_url)
    keys = _keys(canonical, given, view)
    source = given if given and normalize_url(given) != canonical else None
    article = dataclasses.replace(article, url=canonical, source=source, extra=extra)
    if page.snapshot is not None:
        article = wayback_mod.mark(article, page.snapshot)
    return article, keys


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
