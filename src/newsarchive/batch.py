"""Many URLs into one archive: fast, polite and resumable.

    entries = read_url_files(["links.txt"])
    report = import_urls(entries, Archive("archive"), BatchOptions(), on_result=print)

The downloading is crawl.py's engine (limits per site and overall, delays, robots.txt, retries
with backoff, extraction processes, one writer thread), which `update` shares. This module adds
what is particular to an import:

- URL lists, read lazily a window ahead of the work (`BatchOptions.window`), so a 100,000-line
  file never becomes 100,000 objects. Duplicates are caught with a set of 64-bit hashes of the
  normalised URLs; already-archived URLs are answered from the archive's index before any
  request is made.
- Extraction and rendering in the extraction processes (`prepare_page`); the coordinating
  process only writes. `Archive.save` writes each file atomically and re-checks the URL's keys
  under the archive's lock, so a crash leaves no partial file and two imports into one archive
  never write an article twice.
- The Wayback Machine as a fallback or the only source (wayback.py), which is one more site to
  the scheduler.

Stopping (`stop` set, e.g. on Ctrl-C) takes no more work and abandons what is under way; since
files are written whole or not at all, running the same import again continues where it
stopped. This module never prints: results, notices and totals go to callbacks.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

from newsarchive import wayback as wayback_mod
from newsarchive.crawl import Clock, Crawler, CrawlOptions, CrawlReport, Fetched, Task
from newsarchive.errors import (
    FetchError,
    InvalidURLError,
    NewsArchiveError,
    StoreError,
    with_detail,
)
from newsarchive.frontmatter import SAVED_KEY
from newsarchive.models import Article, FetchedPage
from newsarchive.pipeline import add_capture, is_partial, prepare, render_file
from newsarchive.render import render_body
from newsarchive.robots import site_of
from newsarchive.store import Archive, SaveResult
from newsarchive.urls import check_url, normalize_url
from newsarchive.wayback import WaybackOptions

__all__ = [
    "BatchOptions",
    "BatchReport",
    "ItemResult",
    "ItemStatus",
    "ListEntry",
    "count_urls",
    "import_urls",
    "parse_list_line",
    "read_fd_lines",
    "read_url_files",
    "read_url_list",
]

ItemStatus = Literal["archived", "already archived", "duplicate", "invalid", "failed"]

# ---------------------------------------------------------------------------------------------
# URL lists


@dataclass(frozen=True)
class ListEntry:
    """One URL line of a list: where it was, and the URL as written."""

    source: str  # the file name, or "-" for standard input
    line: int  # 1-based
    text: str  # the URL as written, without spaces or a trailing comment


# A comment starts at a "#" that begins the line or follows whitespace; a URL holds no
# whitespace, so "https://x/a#part" keeps its fragment and "https://x/a  # note" loses the note.
_TRAILING_COMMENT = re.compile(r"\s#")


def parse_list_line(line: str) -> str | None:
    """The URL text of one list line, or None for a blank line or a comment."""
    text = line.strip().lstrip("\ufeff").strip()
    if not text or text.startswith("#"):
        return None
    match = _TRAILING_COMMENT.search(text)
    if match:
        text = text[: match.start()].rstrip()
    return text


def read_url_list(lines: Iterable[str], *, source: str) -> Iterator[ListEntry]:
    """The URL lines of one list, in order, lazily (nothing is checked here)."""
    for number, line in enumerate(lines, start=1):
        text = parse_list_line(line)
        if text is not None:
            yield ListEntry(source, number, text)


def read_url_files(
    paths: Sequence[str], *, stdin: Iterable[str] | None = None
) -> Iterator[ListEntry]:
    """The URL lines of several list files in turn ("-" is `stdin`), each opened only when due.

    Files are read as UTF-8 (a byte-order mark is ignored); undecodable bytes become U+FFFD,
    so such a line is reported as not a URL instead of stopping the import.
    """
    for path in paths:
        if path == "-":
            if stdin is None:
                raise ValueError("'-' given but no stdin stream")
            yield from read_url_list(stdin, source="-")
            continue
        try:
            handle = open(path, encoding="utf-8-sig", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise StoreError(path, f"cannot read URL list: {exc.strerror or exc}") from exc
        with handle:
            yield from read_url_list(handle, source=path)


def read_fd_lines(fd: int, *, chunk_size: int = 65536) -> Iterator[str]:
    """The lines of a file descriptor (a pipe, a terminal) as UTF-8 text, as they come.

    Reads with `os.read`, not through `sys.stdin`: the import reads its list in a daemon thread,
    and Python aborts at exit ("could not acquire lock for <stdin>") when such a thread is
    blocked inside the buffered stdin object waiting for a line that never comes.
    Undecodable bytes become U+FFFD, as in `read_url_files`.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    partial: list[str] = []  # the line being assembled, in pieces (no quadratic joins)
    while True:
        data = os.read(fd, chunk_size)
        pieces = decoder.decode(data, final=not data).split("\n")
        if len(pieces) > 1:
            partial.append(pieces[0])
            yield "".join(partial) + "\n"
            for piece in pieces[1:-1]:
                yield piece + "\n"
            partial = []
        if pieces[-1]:
            partial.append(pieces[-1])
        if not data:
            break
    if partial:
        yield "".join(partial)


def count_urls(path: str | Path) -> int:
    """How many URL lines a list file holds (for a progress total); streams the file."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        return sum(1 for line in handle if parse_list_line(line) is not None)


class FailedList:
    """The URLs that failed, written as a URL list with the reason as a comment on each line.

    `newsarchive import` on the file retries exactly those URLs. The file is written under a
    temporary name and moved into place by `close`, so it can safely be the list being read.
    """

    def __init__(self, path: Path, *, keep_empty: bool = False) -> None:
        self.path = path
        self.keep_empty = keep_empty  # write the file (header only) even when nothing failed
        self.count = 0
        self._tmp: Path | None = None
        self._handle: TextIO | None = None

    def add(self, result: ItemResult) -> None:
        handle = self._open()
        detail = (result.message or "").removeprefix(f"{result.input}: ")
        if result.reason and not detail.startswith(result.reason):
            detail = f"{result.reason}: {detail}" if detail else result.reason
        # A comment needs whitespace before "#"; a newline in a message would end it early.
        handle.write(f"{result.input}  # {' '.join(detail.split())}\n")
        handle.flush()
        self.count += 1

    def close(self) -> bool:
        """Move the file into place; True if it was written."""
        if self._handle is None:
            if not self.keep_empty:
                return False
            self._open()
        assert self._handle is not None and self._tmp is not None
        self._handle.close()
        self._handle = None
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self._tmp.unlink(missing_ok=True)
            raise StoreError(str(self.path), f"cannot write: {exc.strerror or exc}") from exc
        return True

    def _open(self) -> TextIO:
        if self._handle is None:
            directory = self.path.parent
            tmp = directory / f".{self.path.name}.{os.getpid()}.tmp"
            try:
                self._handle = open(tmp, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise StoreError(str(self.path), f"cannot write: {exc.strerror or exc}") from exc
            self._tmp = tmp
            stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
            self._handle.write(
                f"# URLs that newsarchive could not archive ({stamp}); the reason follows each.\n"
                f"# Import this file again to retry them.\n"
            )
        return self._handle


class _Seen:
    """Which URL keys this run has met: 8-byte hashes, so 100,000 URLs cost a few MB."""

    def __init__(self) -> None:
        self._hashes: set[int] = set()

    def add(self, key: str) -> bool:
        """Record `key`; False when it was already there."""
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        if value in self._hashes:
            return False
        self._hashes.add(value)
        return True


# ---------------------------------------------------------------------------------------------
# Options and results


@dataclass(frozen=True)
class BatchOptions(CrawlOptions):
    """How an import behaves: the politeness and speed of `CrawlOptions`, and where pages go.
    The defaults are the command's defaults."""

    captures: Path | None = None  # keep each response as a WARC file here (capture.py)
    # When pages come from the Wayback Machine (wayback.py); its requests are one more site.
    wayback: WaybackOptions = field(default_factory=WaybackOptions)


@dataclass(frozen=True)
class ItemResult:
    """What happened to one URL line."""

    source: str  # list file, "-" for standard input
    line: int
    input: str  # the URL as written
    status: ItemStatus
    url: str | None = None  # the article's identity (normalised canonical URL) when known
    path: Path | None = None  # the archived file, absolute
    title: str | None = None
    published: str | None = None
    http_status: int | None = None
    reason: str | None = None  # failures: a short label, e.g. "timeout", "HTTP 404", "robots"
    message: str | None = None  # failures and invalid lines: one line saying what went wrong
    attempts: int = 0  # requests made for it (retries included)
    via: str | None = None  # "wayback" when the article came from the Wayback Machine
    snapshot: str | None = None  # then the capture time (UTC, ISO 8601)
    archive_url: str | None = None  # and the archive's address of the capture
    saved_snapshot: str | None = None  # --save-to-wayback: the new capture's address
    partial: str | None = None  # archived, but the page held only part of it: why


@dataclass
class BatchReport(CrawlReport):
    """Totals of one import; `counts` by ItemStatus, `failures` by reason."""

    via_wayback: int = 0  # of the archived URLs, how many came from the Wayback Machine
    partial: int = 0  # of the archived URLs, how many hold only part of the article


ResultCallback = Callable[[ItemResult], None]
NoticeCallback = Callable[[str], None]
TotalCallback = Callable[[int], None]


# ---------------------------------------------------------------------------------------------
# Extraction (runs in an extraction process)


@dataclass(frozen=True)
class _Prepared:
    """An extracted article, its Markdown body, every key it is known by, and the whole file's
    text when it was rendered in the worker."""

    article: Article
    body: str
    keys: tuple[str, ...]
    text: str | None = None

    def file_text(self) -> str:
        return self.text if self.text is not None else render_file(self.article, self.body)


@dataclass(frozen=True)
class _Failed:
    # Failures travel as text, so that any error (a parser's own included) crosses processes.
    reason: str
    message: str
    detail: str = ""  # the message without the URL in front
    fallback: bool = False  # worth trying the Wayback Machine (wayback.falls_back)


def prepare_page(page: FetchedPage, given: str, whole: bool = True) -> _Prepared | _Failed:
    """Extract and render one fetched page (pure CPU work: runs in a worker process).

    The identity rules are those of `pipeline.archive_target` (`pipeline.prepare`), pages from
    the Wayback Machine included. Rendering happens here as well, so the coordinating process
    only writes; without `whole`, only the body is rendered: the front-matter is written
    where the capture it names is known.
    """
    try:
        article, keys = prepare(page, given)
        body = render_body(article)
        text = render_file(article, body) if whole else None
        return _Prepared(article, body, tuple(keys), text)
    except NewsArchiveError as exc:
        detail = str(getattr(exc, "detail", exc))
        if page.snapshot is not None:
            exc = with_detail(exc, f"Wayback: {detail}")
            detail = f"Wayback: {detail}"
        return _Failed(exc.reason, str(exc), detail, wayback_mod.falls_back(exc))
    except Exception as exc:  # a bug in a parser must cost one URL, not the whole import
        return _Failed("error", f"{given}: unexpected {type(exc).__name__} while extracting: {exc}")


# ---------------------------------------------------------------------------------------------
# The import


Stage = Literal["live", "wayback", "save"]


@dataclass(frozen=True)
class _LiveFailure:
    """Why the live page failed, kept while the Wayback Machine is asked instead."""

    reason: str
    message: str
    http_status: int | None


@dataclass
class _ImportTask(Task):
    """One URL line to archive. `url` is the URL as written, checked."""

    entry: ListEntry
    key: str  # normalised
    # What the next request is for: the page from its site, the page from the Wayback
    # Machine, or asking the Wayback Machine to capture it (Save Page Now).
    stage: Stage = "live"
    live_failure: _LiveFailure | None = None
    # A finished article waiting for the next stage: a partial live page while its snapshot
    # is tried, or the article waiting for Save Page Now. (http status, article, raw page)
    held: tuple[int | None, _Prepared, FetchedPage | None] | None = None

    @property
    def crawled(self) -> bool:
        return self.stage == "live"


@dataclass(frozen=True)
class _Stored:
    """What the writer did with one article."""

    http_status: int | None
    prepared: _Prepared
    result: SaveResult


class _Importer(Crawler[ListEntry, _ImportTask]):
    def __init__(
        self,
        entries: Iterable[ListEntry],
        archive: Archive,
        options: BatchOptions,
        on_result: ResultCallback,
        on_notice: NoticeCallback,
        on_total: TotalCallback | None,
        stop: threading.Event,
        seed: int | None,
        clock: Clock | None,
    ) -> None:
        super().__init__(
            entries,
            options,
            on_notice=on_notice,
            on_total=on_total,
            stop=stop,
            seed=seed,
            clock=clock,
        )
        self.archive = archive
        self.captures = options.captures
        self.on_result = on_result
        self.report = BatchReport()
        self.seen = _Seen()
        # Pages whose raw response is to be captured, from download until the save.
        self.raw_pages: dict[int, FetchedPage] = {}
        self.wayback = options.wayback
        self.wayback_site = site_of(options.wayback.base)  # one site, however many URLs

    def import_all(self) -> BatchReport:
        started = time.monotonic()
        try:
            self.run()
        finally:
            self.report.interrupted = self.interrupted
            self.report.unfinished = self.read_count - self.report.done
            self.report.elapsed = time.monotonic() - started
        return self.report

    # -- reading -----------------------------------------------------------------------------

    def _accept(self, entry: ListEntry) -> None:
        try:
            url = check_url(entry.text)
            key = normalize_url(url)
        except InvalidURLError as exc:
            message = f"{entry.source}:{entry.line}: {exc}"
            self._result(
                ItemResult(entry.source, entry.line, entry.text, "invalid", message=message)
            )
            return
        if not self.seen.add(key):
            self._result(ItemResult(entry.source, entry.line, entry.text, "duplicate", url=key))
            return
        known = self.archive.lookup(url)
        if known is not None:
            self._result(
                ItemResult(entry.source, entry.line, entry.text, "already archived", key, known)
            )
            return
        if self.wayback.only:
            task = _ImportTask(url, self.wayback_site, entry, key, stage="wayback")
        else:
            task = _ImportTask(url, site_of(url), entry, key)
        self._schedule(task)

    # -- pages -------------------------------------------------------------------------------

    def _downloaded(self, task: _ImportTask, event: Fetched[_ImportTask]) -> None:
        if task.stage == "save":
            assert task.held is not None and event.answer is not None
            http_status, prepared, page = task.held
            article = prepared.article
            article = dataclasses.replace(article, extra={**article.extra, SAVED_KEY: event.answer})
            self._queue_save(
                task, http_status, _Prepared(article, prepared.body, prepared.keys), page
            )
            return
        assert event.page is not None
        page = event.page
        # Extraction reads neither the raw bytes nor the headers: do not copy them across.
        light = dataclasses.replace(page, raw=b"", headers=())
        capture = self.captures is not None and page.status is not None
        if capture:
            self.raw_pages[id(task)] = page
        self._process(task, page.status, prepare_page, light, task.url, not capture)

    def _processed(self, task: _ImportTask, http_status: int | None, outcome: object) -> None:
        page = self.raw_pages.pop(id(task), None)
        if not isinstance(outcome, _Prepared | _Failed):  # the worker process died
            outcome = _Failed("error", f"{task.url}: extraction failed: {outcome!r}")
        if isinstance(outcome, _Failed):
            if task.stage == "live" and self.wayback.fallback and outcome.fallback:
                failure = _LiveFailure(outcome.reason, outcome.message, http_status)
                self._to_wayback(task, failure)
            elif task.held is not None:  # the snapshot of a partial live page failed
                self._keep_live(task, outcome.detail or outcome.message)
            else:
                self._failed(task, outcome.reason, outcome.message, detail=outcome.detail)
            return
        if task.stage == "live" and self.wayback.fallback and is_partial(outcome.article):
            task.held = (http_status, outcome, page)  # kept if the snapshot is no better
            self._to_wayback(task, None)
            return
        if task.held is not None and is_partial(outcome.article):
            self._keep_live(task, "Wayback: the snapshot is partial too")
            return
        self._queue_save(task, http_status, outcome, page)

    def _queue_save(
        self,
        task: _ImportTask,
        http_status: int | None,
        prepared: _Prepared,
        page: FetchedPage | None,
    ) -> None:
        """Hand the article to the writer; or first to Save Page Now (--save-to-wayback) when it
        came from its site and is not archived yet."""
        task.held = None
        if (
            self.wayback.save
            and task.stage == "live"
            and self.archive.lookup(*prepared.keys) is None
        ):
            task.held = (http_status, prepared, page)
            self._next_stage(task, "save")
            return
        self._queue_write(task, functools.partial(self._save, http_status, prepared, page))

    # -- the Wayback Machine -----------------------------------------------------------------

    def _request(self, task: _ImportTask) -> Fetched[_ImportTask]:
        """A Wayback Machine job: the closest snapshot and its page, or Save Page Now."""
        base, options = self.wayback.base, self.options.fetch
        requests = 1
        try:
            if task.stage == "save":
                saved = wayback_mod.save(task.url, client=self.client, base=base, options=options)
                return Fetched(task, False, None, None, None, answer=saved)
            snapshot = wayback_mod.closest(task.url, client=self.client, base=base, options=options)
            requests = 2
            page = wayback_mod.fetch_snapshot(snapshot, client=self.client, options=options)
            return Fetched(task, False, page, None, None, requests=requests)
        except NewsArchiveError as exc:
            return Fetched(task, False, None, exc, None, requests=requests)
        except Exception as exc:  # a bug must cost one URL, not the import
            error = FetchError(task.url, f"unexpected {type(exc).__name__}: {exc}", reason="error")
            return Fetched(task, False, None, error, None, requests=requests)

    def _give_up(self, task: _ImportTask, error: NewsArchiveError) -> None:
        """The retries of this stage are spent: fall back to the archive, or fail the URL."""
        status = error.status if isinstance(error, FetchError) else None
        detail = str(getattr(error, "detail", error))
        if task.stage == "live" and self.wayback.fallback and wayback_mod.falls_back(error):
            self._to_wayback(task, _LiveFailure(error.reason, str(error), status))
        elif task.stage == "save":
            assert task.held is not None
            self.on_notice(f"{error} (archived without it)")
            http_status, prepared, page = task.held
            task.held = None
            self._queue_write(task, functools.partial(self._save, http_status, prepared, page))
        elif task.held is not None:  # the snapshot of a partial live page failed
            self._keep_live(task, detail)
        else:
            self._fail(task, error)

    def _to_wayback(self, task: _ImportTask, failure: _LiveFailure | None) -> None:
        """Ask the Wayback Machine for the page, which the live site failed to give."""
        task.live_failure = failure
        self._next_stage(task, "wayback")

    def _next_stage(self, task: _ImportTask, stage: Stage) -> None:
        task.stage = stage
        task.site = self.wayback_site
        task.tries = 0
        self._enqueue(task, front=False)

    def _keep_live(self, task: _ImportTask, why: str) -> None:
        """Archive the partial live page after all: its snapshot is no better."""
        assert task.held is not None
        http_status, prepared, page = task.held
        self.on_notice(f"{task.url}: kept the live page, which is partial; {why}")
        task.stage = "live"
        self._queue_save(task, http_status, prepared, page)

    # -- writing (in the writer thread) ------------------------------------------------------

    def _save(
        self, http_status: int | None, prepared: _Prepared, page: FetchedPage | None
    ) -> _Stored:
        captures = self.captures
        if page is None or captures is None or self.archive.lookup(*prepared.keys) is not None:
            saved = self.archive.save(prepared.article, prepared.file_text(), keys=prepared.keys)
            return _Stored(http_status, prepared, saved)
        article, capture_file = add_capture(prepared.article, page, self.archive, captures)
        try:
            saved = self.archive.save(
                article, render_file(article, prepared.body), keys=prepared.keys
            )
        except BaseException:
            capture_file.unlink(missing_ok=True)
            raise
        if not saved.created:
            capture_file.unlink(missing_ok=True)
        return _Stored(http_status, prepared, saved)

    # -- outcomes ----------------------------------------------------------------------------

    def _saved(self, task: _ImportTask, value: object) -> None:
        assert isinstance(value, _Stored)
        article = value.prepared.article
        status: ItemStatus = "archived" if value.result.created else "already archived"
        entry = task.entry
        self._result(
            ItemResult(
                entry.source,
                entry.line,
                entry.text,
                status,
                url=article.url,
                path=value.result.path,
                title=article.title,
                published=article.published,
                http_status=value.http_status,
                attempts=task.attempts,
                via=article.extra.get("via"),
                snapshot=article.extra.get("snapshot"),
                archive_url=article.extra.get("archive_url"),
                saved_snapshot=article.extra.get(SAVED_KEY),
                partial=(article.extra.get("reason") or "incomplete")
                if is_partial(article)
                else None,
            ),
            task,
        )

    def _fail(self, task: _ImportTask, error: NewsArchiveError) -> None:
        status = error.status if isinstance(error, FetchError) else None
        detail = str(getattr(error, "detail", error))
        self._failed(task, error.reason, str(error), http_status=status, detail=detail)

    def _failed(
        self,
        task: _ImportTask,
        reason: str,
        message: str,
        *,
        http_status: int | None = None,
        detail: str | None = None,
    ) -> None:
        """Report the URL as failed. After a live failure, the Wayback Machine's failure
        (`detail`) follows the live page's, whose reason and status are reported."""
        live = task.live_failure
        if live is not None:
            reason, http_status = live.reason, live.http_status
            message = f"{live.message}; {detail or message}"
        entry = task.entry
        self._result(
            ItemResult(
                entry.source,
                entry.line,
                entry.text,
                "failed",
                url=task.key,
                http_status=http_status,
                reason=reason,
                message=message,
                attempts=task.attempts,
            ),
            task,
        )

    def _result(self, result: ItemResult, task: _ImportTask | None = None) -> None:
        self.report.counts[result.status] += 1
        if result.status == "archived" and result.via is not None:
            self.report.via_wayback += 1
        if result.status == "archived" and result.partial is not None:
            self.report.partial += 1
        if result.status == "failed" and result.reason:
            self.report.failures[result.reason] += 1
        self._settle(task)  # the line is done: the reader may take one more
        self.on_result(result)


def import_urls(
    entries: Iterable[ListEntry],
    archive: Archive,
    options: BatchOptions | None = None,
    *,
    on_result: ResultCallback | None = None,
    on_notice: NoticeCallback | None = None,
    on_total: TotalCallback | None = None,
    stop: threading.Event | None = None,
    seed: int | None = None,
    clock: Clock | None = None,
) -> BatchReport:
    """Archive every URL of `entries`; go on past failures; return the totals.

    `on_result` is called once per URL line, in the calling thread, as soon as its fate is
    known; `on_notice` with remarks worth showing (retries, robots.txt delays); `on_total`
    once, with the number of URL lines, when the whole list has been read. Setting `stop`
    makes the import return soon with `interrupted` set; what was archived stays archived.
    `seed` fixes the jitter of delays and backoff; `clock` replaces the scheduler's clock.
    Raises StoreError if the archive cannot be written.
    """
    importer = _Importer(
        entries,
        archive,
        options or BatchOptions(),
        on_result or (lambda result: None),
        on_notice or (lambda message: None),
        on_total,
        stop or threading.Event(),
        seed,
        clock,
    )
    return importer.import_all()
