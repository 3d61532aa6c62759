"""Articles change after publication: fetch archived articles again and keep every version.

    report = update_articles(paths, Archive("archive"), Path("archive-captures"), on_result=print)

The article file always shows the latest text. When the text changed (compared as normalised
words, so markup and whitespace are not changes), the previous file is kept, whole and
readable, under the captures directory (`revisions/<article path>/<fetched time>.md`, outside
the archive so `grep -r archive/` has no duplicate hits), and the new front-matter lists it in
`revisions:`. An unchanged page only gets a new `checked:` time; a page that now answers 404 or
410 gets `gone:` and keeps its text. A page that cannot be fetched (after the retries) leaves
its file untouched.

The downloads are `import`'s (crawl.py): the same limits per site and overall, delays,
robots.txt and its Crawl-delay, retries with backoff honouring Retry-After, and sites going on
in parallel while one backs off. Comparing a page runs in the extraction processes; the writer
thread records the result, one file at a time.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from newsarchive import crawl as crawl_mod
from newsarchive.articles import read_article, same_file
from newsarchive.capture import Sealed, capture_path, seal_capture
from newsarchive.crawl import Crawler
from newsarchive.errors import HTTPStatusError, NewsArchiveError, StoreError
from newsarchive.frontmatter import (
    CANONICAL_KEY,
    COMPLETENESS_KEYS,
    archiver_name,
    article_meta,
    dumps,
)
from newsarchive.images.choose import choose
from newsarchive.images.download import Picture, Wanted, drop_all, keep
from newsarchive.images.files import ImageFiles
from newsarchive.images.links import localize, relative_prefix, without_addresses
from newsarchive.models import Article, FetchedPage, ImageOptions
from newsarchive.outcome import Outcome, Status, is_partial
from newsarchive.pipeline import add_capture, extract_article, image_files
from newsarchive.render import render_body
from newsarchive.robots import site_of
from newsarchive.store import Archive
from newsarchive.tasks import Clock, CrawlOptions, CrawlReport, Fetched, Task
from newsarchive.urls import check_url
from newsarchive.userdata import (
    EDITED,
    Rewrite,
    body_digest,
    is_edited,
    keep_revision,
    update_keys,
)

_WORD = re.compile(r"\w+", re.UNICODE)
GONE_STATUSES = frozenset({404, 410})


@dataclass
class UpdateReport(CrawlReport):
    """Totals of one update; `counts` by status ("changed", "unchanged", "gone", "failed"),
    `failures` by reason."""


@dataclass(frozen=True)
class UpdateOptions(CrawlOptions):
    """How an update behaves: `import`'s politeness (`CrawlOptions`), a second between two
    requests to one site by default, and whether to keep a capture of each new version."""

    delay: float = 1.0
    capture: bool = True  # keep the response of a changed page as a WARC file
    # The pictures of a changed version (images/), downloaded beside the pages (crawl.py).
    images: ImageOptions = field(default_factory=ImageOptions)


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


# ---------------------------------------------------------------------------------------------
# One article: read it, compare the page fetched again, record what changed


@dataclass(frozen=True)
class Target:
    """An archived article as read before it is fetched again."""

    path: Path
    meta: dict[str, Any]
    body: str
    article: Article

    @property
    def url(self) -> str:
        """The URL that served the page last time: a canonical link can point elsewhere."""
        return self.article.final_url or self.article.url

    def outcome(self, status: Status, article: Article | None = None, **fields: Any) -> Outcome:
        """What became of the article: `status`, with the `article` the file now holds (the
        one read, unless given)."""
        article = article or self.article
        fields.setdefault("changed", ())
        return Outcome(str(self.path), status, self.path, article.url, article, **fields)


def read_target(archive: Archive, path: Path) -> Target:
    """Read the article archived at `path`; StoreError unless the index maps its URL there."""
    file = read_article(path)
    old = file.article()
    same_file(archive, path, old.url)
    return Target(path, file.meta, file.body, old)


@dataclass(frozen=True)
class Revision:
    """A page fetched again, extracted and compared with the archived article."""

    article: Article
    body: str  # its Markdown body, with its pictures' addresses on their sites
    changed: tuple[str, ...]  # "title", "authors", "body"; empty when nothing changed
    wanted: tuple[Wanted, ...] = ()  # its own pictures (images/choose.py), when asked for
    held: str | None = None  # why the page is not taken as a new version, though it differs
    capture: Sealed | None = None  # the page's capture, sealed where it was extracted


def compare(
    old: Article,
    old_body: str,
    page: FetchedPage,
    images: bool = False,
    archived: str | None = None,
    time_limit: float | None = None,
) -> Revision:
    """Extract `page` as the new version of `old` and say what changed (pure CPU work: runs
    in an extraction process); with `images`, choose its pictures too. Raises ExtractionError
    when the page holds no article, or takes longer than `time_limit` seconds to extract.
    Where a picture is shown from (the archive, its site) is not a change. `archived` is the
    `sha256` recorded for the text: when the page gives that very text, the article has not
    changed, whatever the file's text says now (it was edited by hand)."""
    given = old.source or old.url
    fresh = extract_article(page, given, time_limit=time_limit)
    kept = {k: v for k, v in old.extra.items() if k == CANONICAL_KEY}  # identity is kept
    new = dataclasses.replace(fresh, url=old.url, source=old.source, extra={**fresh.extra, **kept})
    new_body = render_body(new)
    if is_partial(new) and not is_partial(old):
        # A paywall or a consent box over a page archived whole: as `fetch` keeps a whole
        # article over a partial page, the archived version stays.
        why = new.extra.get(COMPLETENESS_KEYS[1]) or "part of the article"
        return Revision(new, new_body, (), held=f"the page now holds only part of it ({why})")
    wanted = choose(new, page.html, given) if images else ()
    if archived is not None and body_digest(new_body) == archived:
        return Revision(new, new_body, (), wanted)
    changed = tuple(
        name
        for name, before, after in (
            ("title", old.title, new.title),
            ("authors", " ".join(old.authors), " ".join(new.authors)),
            ("body", _article_text(old_body), _article_text(new_body)),
        )
        if _words(before) != _words(after)
    )
    return Revision(new, new_body, changed, wanted)


def compare_page(
    page: FetchedPage,
    old: Article,
    old_body: str,
    archived: str | None,
    time_limit: float | None,
    capture: str | None,
) -> Revision:
    """`compare` (pictures chosen), where the page was downloaded and is extracted: a new
    version comes with the page's capture sealed (`capture`: the article file's path, which
    the capture's name follows), so that the page itself goes no further."""
    revision = compare(old, old_body, page, True, archived, time_limit)
    if capture is None or not revision.changed or page.status is None:
        return revision
    sealed = seal_capture(page, capture_path(capture, page), software=archiver_name())
    return dataclasses.replace(revision, capture=sealed)


def record(
    archive: Archive,
    target: Target,
    revision: Revision,
    *,
    captures_root: Path,
    page: FetchedPage | None = None,
    pictures: Mapping[str, Picture] | None = None,
    images: tuple[ImageFiles, ImageOptions] | None = None,
) -> Outcome:
    """Write what `revision` says: a new `checked:` time, or the new version (the previous
    file kept under `captures_root`, and `page` captured when given, or the capture the
    revision comes with). The new version shows
    its pictures from the archive: those listed already for the same address, and those
    downloaded (`pictures`, stored in `images`)."""
    path, meta, old = target.path, target.meta, target.article
    if not revision.changed:
        # Only `checked:` changes (and `gone:` goes): every other line stays as it is, the
        # user's edits of the text included.
        _edit(archive, target, {"gone": None, "checked": _now()})
        held = (f"{path}: {revision.held}; the archived version is kept",) if revision.held else ()
        return target.outcome("unchanged", warnings=held)
    rel = path.relative_to(archive.root).as_posix()
    stamp = old.fetched.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"revisions/{rel.removesuffix('.md')}/{stamp}.md"
    try:
        kept = keep_revision(captures_root, name, path.read_bytes())
    except OSError as exc:
        raise StoreError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    edited = is_edited(meta, target.body)
    revisions = list(meta.get("revisions") or [])
    revisions.append(
        {
            "fetched": meta.get("fetched"),
            "sha256": body_digest(target.body) if edited else meta.get("sha256"),
            "changed": [*revision.changed, *([EDITED] if edited else [])],
            "file": kept,
        }
    )
    new, body = revision.article, revision.body
    capture = page or revision.capture
    warnings: list[str] = []
    responses: list[FetchedPage] = []
    if revision.wanted and images is not None:
        listed = {image.url: image for image in old.images}
        got = keep(
            revision.wanted, pictures or {}, *images, responses=capture is not None, listed=listed
        )
        body = localize(body, got.by_ref, relative_prefix(rel))
        new, warnings, responses = (
            dataclasses.replace(new, images=tuple(got.images)),
            got.warnings,
            got.responses,
        )
    if capture is not None:
        new, _ = add_capture(new, capture, archive, captures_root, rel, responses=responses)
    new_meta = {**article_meta(new, body), "checked": _now(), "revisions": revisions}
    # The previous file is kept already; the store carries the user's keys and tags over.
    _rewrite(archive, new, dumps(new_meta, body), Rewrite(archive.root, None))
    if edited:
        kept_as = captures_root / kept
        said = f"{path}: its text was edited by hand; your version is kept as {kept_as}"
        warnings.insert(0, said)
    return target.outcome("changed", new, changed=revision.changed, warnings=tuple(warnings))


def mark_gone(archive: Archive, target: Target, status: int) -> Outcome:
    """Mark the article `gone:` (the page answers `status`, 404 or 410); its text stays."""
    _edit(archive, target, {"gone": target.meta.get("gone") or _now()[:10], "checked": _now()})
    return target.outcome("gone", http_status=status)


def _edit(archive: Archive, target: Target, values: dict[str, Any]) -> None:
    same_file(archive, target.path, target.article.url)
    archive.edit(target.path, lambda text: update_keys(text, values))


# ---------------------------------------------------------------------------------------------
# Many articles, politely


@dataclass
class _UpdateTask(Task):
    target: Target
    revision: Revision | None = None  # a changed version waiting for its pictures
    http_status: int | None = None  # the page's status


class _Updater(Crawler[Path, _UpdateTask]):
    def __init__(
        self,
        paths: Iterable[Path],
        archive: Archive,
        captures_root: Path,
        options: UpdateOptions,
        on_result: Callable[[Outcome], None],
        **engine: Any,
    ) -> None:
        """`engine`: the Crawler's keyword arguments (on_notice, on_total, stop, seed, clock)."""
        super().__init__(paths, options, **engine)
        self.archive = archive
        self.captures_root = captures_root
        self.capture = options.capture
        self.on_result = on_result
        self.report = UpdateReport()
        # A new version shows the pictures an earlier one has from the archive, also when no
        # picture is downloaded (--no-images).
        self.images = (image_files(archive, captures_root, options.images), options.images)
        if options.images.enabled:
            self._use_pictures(*self.images)
        self.seen: set[Path] = set()

    def _accept(self, path: Path) -> None:
        key = path.resolve()
        if key in self.seen:  # named twice: updated once
            self._settle(None)
            return
        self.seen.add(key)
        try:
            target = read_target(self.archive, path)
            url = check_url(target.url)
        except NewsArchiveError as exc:
            self._result(_failed(path, exc))
            return
        self._schedule(_UpdateTask(url, site_of(url), target))

    def _downloaded(self, task: _UpdateTask, event: Fetched[_UpdateTask]) -> None:
        assert event.page is not None
        work, args = self._page_work(task)
        self._process(task, event.page.status, work, event.page, *args)

    def _page_work(self, task: _UpdateTask) -> tuple[Callable[..., object], tuple[object, ...]]:
        """`compare_page` and its arguments but the page, which an extraction process may
        download, extract and seal the capture of."""
        target = task.target
        archived = target.meta.get("sha256") if is_edited(target.meta, target.body) else None
        limit = self.options.fetch.extract_timeout
        rel = target.path.relative_to(self.archive.root).as_posix() if self.capture else None
        return compare_page, (target.article, target.body, archived, limit, rel)

    def _processed(self, task: _UpdateTask, http_status: int | None, outcome: object) -> None:
        task.http_status = http_status
        downloading = self.picture_files is not None
        if isinstance(outcome, Revision) and outcome.changed and outcome.wanted and downloading:
            # The new version's pictures, but those an earlier version has already.
            listed = {image.url for image in task.target.article.images}
            task.revision = outcome
            wanted = [item.url for item in outcome.wanted if item.url not in listed]
            self._get_pictures(task, wanted, task.url)
        elif isinstance(outcome, Revision):
            self._queue_write(task, functools.partial(self._record, task, outcome, {}))
        elif isinstance(outcome, NewsArchiveError):
            self._fail(task, outcome)
        else:  # a bug in a parser, or the extraction process died
            self._fail(task, NewsArchiveError(f"{task.url}: extraction failed: {outcome!r}"))

    def _pictures_done(
        self, task: _UpdateTask, pictures: dict[str, Picture], warnings: list[str]
    ) -> None:
        revision, task.revision = task.revision, None
        assert revision is not None
        record = functools.partial(self._record, task, revision, pictures, tuple(warnings))
        self._queue_write(task, record)

    def _give_up(self, task: _UpdateTask, error: NewsArchiveError) -> None:
        if isinstance(error, HTTPStatusError) and error.status in GONE_STATUSES:
            self._queue_write(task, functools.partial(self._mark_gone, task, error.status))
        else:
            self._fail(task, error)

    # In the writer thread. A file that cannot be written fails alone: it may have been moved
    # or deleted since it was read.

    def _record(
        self,
        task: _UpdateTask,
        revision: Revision,
        pictures: dict[str, Picture],
        warnings: tuple[str, ...] = (),
    ) -> Outcome:
        try:
            done = record(
                self.archive,
                task.target,
                revision,
                captures_root=self.captures_root,
                pictures=pictures,
                images=self.images,
            )
        except StoreError as exc:
            drop_all(pictures, self.images[0])
            return _failed(task.target.path, exc, url=task.target.article.url)
        return dataclasses.replace(done, warnings=warnings + done.warnings)

    def _mark_gone(self, task: _UpdateTask, status: int) -> Outcome:
        try:
            return mark_gone(self.archive, task.target, status)
        except StoreError as exc:
            return _failed(task.target.path, exc, url=task.target.article.url)

    def _saved(self, task: _UpdateTask, value: object) -> None:
        assert isinstance(value, Outcome)
        status = value.http_status or task.http_status
        self._result(dataclasses.replace(value, attempts=task.attempts, http_status=status), task)

    def _fail(self, task: _UpdateTask, error: NewsArchiveError) -> None:
        url = task.target.article.url
        self._result(_failed(task.target.path, error, attempts=task.attempts, url=url), task)

    def _result(self, result: Outcome, task: _UpdateTask | None = None) -> None:
        self.report.counts[result.status] += 1
        if result.reason is not None and result.status == "failed":
            self.report.failures[result.reason] += 1
        self._settle(task)
        self.on_result(result)


def update_articles(
    paths: Iterable[Path],
    archive: Archive,
    captures_root: Path,
    options: UpdateOptions | None = None,
    *,
    on_result: Callable[[Outcome], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    seed: int | None = None,
    clock: Clock | None = None,
) -> UpdateReport:
    """Fetch the articles archived at `paths` again and record what changed; go on past
    failures; return the totals.

    `on_result` is called once per article, in the calling thread, as soon as its fate is
    known (a path named twice is updated once); `on_notice` with remarks worth showing
    (retries, robots.txt delays); `on_total` once, with the number of paths. Setting `stop`
    makes the update return soon with `interrupted` set: what was written stays, and no file
    is half-written. `seed` fixes the jitter of delays and backoff; `clock` replaces the
    scheduler's clock.
    """
    updater = _Updater(
        paths,
        archive,
        captures_root,
        options or UpdateOptions(),
        on_result or (lambda result: None),
        on_notice=on_notice or (lambda message: None),
        on_total=on_total,
        stop=stop,
        seed=seed,
        clock=clock,
    )
    return crawl_mod.run_to_report(updater, updater.report)


def _failed(path: Path, error: NewsArchiveError, **fields: Any) -> Outcome:
    return Outcome.failure(str(path), error, path=path, changed=(), **fields)


def _article_text(body: str) -> str:
    """The body without the closing "Source: <url>" line (the URL is not the article), and
    without its pictures' addresses."""
    return without_addresses(body.rsplit("\n---\n", 1)[0])


def _rewrite(archive: Archive, article: Article, text: str, rewrite: Rewrite) -> None:
    # save(force=True) replaces the file the URL maps to, in place (checked by the caller).
    archive.save(article, text, keys=[article.url], force=True, rewrite=rewrite)


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
    return read_article(source, what=" the revision").body


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
