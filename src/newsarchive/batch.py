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
- Extraction, rendering and writing in the extraction processes (`prepare_page`): each
  article's capture and file are written whole and fsynced under temporary names in their
  directories (`pipeline.stage_found`), and the coordinating process only names them, in
  groups (`pipeline.commit_staged`: a link each, one fsync per directory, one transaction
  of the URL index), re-checking the URL's keys under the archive's lock. A crash leaves no
  partial file and two imports into one archive never write an article twice; an article
  is reported once it is on disk and in the URL index.
- The Wayback Machine as a fallback or the only source, by the same rules as `fetch`
  (`pipeline.Plan`, and `pipeline.write_found` in the writer thread); the archive is one more
  site to the scheduler. Each URL line's result is a `pipeline.Outcome`, as `fetch` gives.

Stopping (`stop` set, e.g. on Ctrl-C) takes no more work and abandons what is under way (the
files the extraction processes had staged for it are removed); since files are written whole
or not at all, running the same import again continues where it stopped. This module never
prints: results, notices and totals go to callbacks.
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
from typing import Any, TextIO

from newsarchive import crawl as crawl_mod
from newsarchive import wayback as wayback_mod
from newsarchive.articles import archived_url
from newsarchive.crawl import Crawler
from newsarchive.errors import FetchError, InvalidURLError, NewsArchiveError, StoreError
from newsarchive.extracting import tidy_heap
from newsarchive.images.download import Picture
from newsarchive.leftovers import leftovers, remove_staged, temp_name
from newsarchive.models import FetchedPage, ImageOptions
from newsarchive.outcome import Outcome
from newsarchive.pipeline import (
    Found,
    Plan,
    Stage,
    Written,
    commit_staged,
    extract_found,
    image_files,
    stage_found,
    write_found,
)
from newsarchive.robots import site_of
from newsarchive.store import Archive
from newsarchive.tasks import Clock, CrawlOptions, CrawlReport, Fetched, Task
from newsarchive.urls import checked_key
from newsarchive.wayback import WaybackOptions

__all__ = [
    "BatchOptions",
    "BatchReport",
    "FailedList",
    "ListEntry",
    "count_urls",
    "import_urls",
    "parse_list_line",
    "prepare_page",
    "read_fd_lines",
    "read_url_files",
    "read_url_list",
]

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
    """The URLs that failed, and after an interruption those not done, written as a URL list
    with the reason as a comment on each line.

    `newsarchive import` on the file retries exactly those URLs. The file is written under a
    temporary name and moved into place by `close`, so it can safely be the list being read.
    A path that is not a regular file (/dev/null, a pipe) is written to as it is.
    """

    def __init__(self, path: Path, *, keep_empty: bool = False) -> None:
        self.path = path
        self.keep_empty = keep_empty  # write the file (header only) even when nothing failed
        self.count = 0  # URLs written: failed, or not done
        self.not_done = 0  # of them, those not done (interrupted)
        self._tmp: Path | None = None
        self._handle: TextIO | None = None

    def add(self, result: Outcome) -> None:
        handle = self._open()
        detail = (result.message or "").removeprefix(f"{result.input}: ")
        if result.reason and not detail.startswith(result.reason):
            detail = f"{result.reason}: {detail}" if detail else result.reason
        # A comment needs whitespace before "#"; a newline in a message would end it early.
        handle.write(f"{result.input}  # {' '.join(detail.split())}\n")
        handle.flush()
        self.count += 1

    def add_not_done(self, entry: ListEntry) -> None:
        """A URL the import did not get to (or did not finish) before it was interrupted."""
        self._open().write(f"{entry.text}  # not done (interrupted)\n")
        self.count += 1
        self.not_done += 1

    def close(self) -> bool:
        """Move the file into place; True if it was written."""
        if self._handle is None:
            if not self.keep_empty:
                return False
            self._open()
        assert self._handle is not None
        self._handle.close()
        self._handle = None
        if self._tmp is None:  # written in place
            return True
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self._tmp.unlink(missing_ok=True)
            raise StoreError(str(self.path), f"cannot write: {exc.strerror or exc}") from exc
        return True

    def _open(self) -> TextIO:
        if self._handle is None:
            in_place = self.path.exists() and not self.path.is_file()
            directory = self.path.parent
            for left in leftovers(directory):  # of an import killed before it could finish
                if left.name.startswith(f".{self.path.name}."):
                    left.unlink(missing_ok=True)
            tmp = self.path if in_place else directory / temp_name(self.path.name)
            try:
                self._handle = open(tmp, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise StoreError(str(self.path), f"cannot write: {exc.strerror or exc}") from exc
            self._tmp = None if in_place else tmp
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
    # The articles' pictures (images/), downloaded beside the pages (crawl.py).
    images: ImageOptions = field(default_factory=ImageOptions)


@dataclass
class BatchReport(CrawlReport):
    """Totals of one import; `counts` by ItemStatus, `failures` by reason."""

    via_wayback: int = 0  # of the archived URLs, how many came from the Wayback Machine
    partial: int = 0  # of the archived URLs, how many hold only part of the article
    # When interrupted: the entries read from the list but not finished, in list order, and
    # the last entry read (those after it were not read at all).
    not_done: list[ListEntry] = field(default_factory=list)
    last_read: ListEntry | None = None


ResultCallback = Callable[[Outcome], None]
NoticeCallback = Callable[[str], None]
TotalCallback = Callable[[int], None]


# ---------------------------------------------------------------------------------------------
# Extraction (runs in an extraction process)


# Pages an extraction process extracts between two trims of its heap (`tidy_heap`): after
# each one, which keeps the peak of a long import about 5 MB lower than every 4th (0.5 ms).
_TIDY_EVERY = 1
# Results the importing process reports between two trims of its own heap.
_TIDY_RESULTS = 64


def prepare_page(
    page: FetchedPage,
    given: str,
    whole: bool = True,
    images: bool = False,
    time_limit: float | None = None,
    stage: Stage | None = None,
    capture: bool = False,
) -> Found | NewsArchiveError:
    """Extract and render one fetched page (`pipeline.extract_found`, as `fetch` does) in a
    worker process, in at most `time_limit` seconds; without `whole`, only the body is
    rendered. With `stage`, the article's files are written here too, under temporary
    names (`pipeline.stage_found`), so that the coordinating process only names them; when
    they cannot be, the writer tries again, and says why. With `images`, the article's
    pictures are chosen. With `capture`, the page comes back with the article unless its
    capture is staged (the coordinating process writes it then). A failure comes back as a
    value, so that any error (a parser's own included) crosses processes and costs one URL,
    not the whole import.
    """
    try:
        found = extract_found(page, given, whole=whole, images=images, time_limit=time_limit)
        if stage is not None:
            try:
                found = stage_found(found, page, stage)
            except (NewsArchiveError, OSError):  # no name, or no room: the writer says so
                pass
        if capture and found.staged is None:
            found = dataclasses.replace(found, page=page)
        return found
    except NewsArchiveError as exc:
        return exc
    except Exception as exc:
        return NewsArchiveError(f"{given}: unexpected {type(exc).__name__} while extracting: {exc}")
    finally:
        tidy_heap(_TIDY_EVERY)


# ---------------------------------------------------------------------------------------------
# The import


@dataclass
class _ImportTask(Task):
    """One URL line to archive. `url` is the URL as written, checked; `plan` says where its
    page comes from (pipeline.Plan, as for `fetch`)."""

    entry: ListEntry
    key: str  # normalised
    plan: Plan
    # An article waiting for Save Page Now (--save-to-wayback) before it is written: the next
    # request asks the Wayback Machine to capture its page.
    saving: Found | None = None

    @property
    def crawled(self) -> bool:
        return self.plan.source == "live" and self.saving is None


class _Importer(Crawler[ListEntry, _ImportTask]):
    def __init__(
        self,
        entries: Iterable[ListEntry],
        archive: Archive,
        options: BatchOptions,
        on_result: ResultCallback,
        **engine: Any,
    ) -> None:
        """`engine`: the Crawler's keyword arguments (on_notice, on_total, stop, seed, clock)."""
        # The entries read and not finished yet, in list order: what an interruption leaves.
        self.open: dict[ListEntry, None] = {}
        self.open_lock = threading.Lock()
        super().__init__(self._noted(entries), options, **engine)
        self.archive = archive
        self.captures = options.captures
        # Where the extraction processes write the articles' files, unless the article to
        # write may be another than the live page's (from the Wayback Machine, or after
        # Save Page Now): then the writer thread writes them.
        wayback = options.wayback.used or options.wayback.save
        self.stage = (
            None if wayback else Stage(archive.root, archive.template, self.captures, os.getpid())
        )
        self.on_result = on_result
        self.report = BatchReport()
        self.seen = _Seen()
        # Articles waiting for their pictures, by their task's id: here, not on the task,
        # whose copies download the pictures and would keep the article and its page.
        self.framing: dict[int, Found] = {}
        self.wayback = options.wayback
        self.wayback_site = site_of(options.wayback.base)  # one site, however many URLs
        self.images = options.images
        if options.images.enabled:
            self._use_pictures(
                image_files(archive, options.captures, options.images), options.images
            )
        self.told_pictures = False  # said where the pictures go, when that is worth saying

    # -- reading -----------------------------------------------------------------------------

    def _noted(self, entries: Iterable[ListEntry]) -> Iterator[ListEntry]:
        """`entries`, each noted as open as it is read (in the reader thread)."""
        for entry in entries:
            with self.open_lock:
                self.open[entry] = None
                self.report.last_read = entry
            yield entry

    def not_done(self) -> list[ListEntry]:
        """The entries read and not finished, in list order."""
        with self.open_lock:
            return list(self.open)

    def _accept(self, entry: ListEntry) -> None:
        text, source, line = entry.text, entry.source, entry.line
        try:
            url, key = checked_key(text)
        except InvalidURLError as exc:
            message = f"{source}:{line}: {exc}"
            self._result(Outcome(text, "invalid", message=message, source=source, line=line))
            return
        if not self.seen.add(key):
            self._result(Outcome(text, "duplicate", url=key, source=source, line=line))
            return
        known = self.archive.lookup(url)
        if known is not None:
            # The article's own URL, which the input may only lead to (a variant, a mirror).
            article = archived_url(known) or key
            skipped = Outcome(text, "already archived", known, article, source=source, line=line)
            self._result(skipped)
            return
        plan = Plan(url, self.wayback)
        site = self.wayback_site if plan.source == "wayback" else site_of(url)
        self._schedule(_ImportTask(url, site, entry, key, plan))

    # -- pages -------------------------------------------------------------------------------

    def _downloaded(self, task: _ImportTask, event: Fetched[_ImportTask]) -> None:
        if task.saving is not None:
            assert event.answer is not None
            found, task.saving = task.saving, None
            self._write_article(task, task.plan.saved_snapshot(found, event.answer))
            return
        assert event.page is not None
        page = event.page
        if self.captures is None:  # extraction reads the raw bytes, not the headers
            page = dataclasses.replace(page, headers=())
        work, args = self._page_work(task)
        self._process(task, page.status, work, page, *args)

    def _page_work(self, task: _ImportTask) -> tuple[Callable[..., object], tuple[object, ...]]:
        """`prepare_page` and its arguments but the page: the capture is written in the
        extraction process (with the page's raw bytes and headers), as the article's file
        is when staged."""
        capture = self.captures is not None
        whole = not capture and self.stage is None
        pictures, limit = self.images.enabled, self.options.fetch.extract_timeout
        return prepare_page, (task.url, whole, pictures, limit, self.stage, capture)

    def _processed(self, task: _ImportTask, http_status: int | None, outcome: object) -> None:
        if isinstance(outcome, Found):
            self._next(task, task.plan.found(outcome))
        elif isinstance(outcome, NewsArchiveError):
            self._next(task, task.plan.failed(outcome))
        else:  # the worker process died
            error = NewsArchiveError(f"{task.url}: extraction failed: {outcome!r}")
            self._next(task, task.plan.failed(error))

    def _give_up(self, task: _ImportTask, error: NewsArchiveError) -> None:
        """The retries of this request are spent."""
        if task.saving is not None:  # Save Page Now refused: write the article without it
            found, task.saving = task.saving, None
            task.plan.not_saved(error)
            self._write_article(task, found)
        else:
            self._next(task, task.plan.failed(error))

    def _next(self, task: _ImportTask, step: Found | NewsArchiveError | None) -> None:
        """Do what the plan says next: ask the Wayback Machine, fail, or write the article
        (after Save Page Now, when asked for and the article is not archived yet)."""
        if step is None:
            self._next_request(task)
        elif isinstance(step, NewsArchiveError):
            self._fail(task, step)
        elif task.plan.wants_saved_snapshot(step) and self.archive.lookup(*step.keys) is None:
            task.saving = step
            self._next_request(task)
        else:
            self._write_article(task, step)

    def _next_request(self, task: _ImportTask) -> None:
        """Queue the task's next request, which goes to the Wayback Machine."""
        task.site = self.wayback_site
        task.tries = 0
        self._enqueue(task, front=False)

    def _request(self, task: _ImportTask) -> Fetched[_ImportTask]:
        """A Wayback Machine job: the closest snapshot and its page, or Save Page Now."""
        base, options = self.wayback.base, self.options.fetch
        requests = 1
        try:
            if task.saving is not None:
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

    # -- outcomes ----------------------------------------------------------------------------

    def _write_article(self, task: _ImportTask, found: Found) -> None:
        """Have the writer thread write the article (`write_found`, as `fetch` does), once its
        pictures are in."""
        if found.wanted and self.picture_files is not None:
            self.framing[id(task)] = found
            page_url = found.article.final_url or found.article.url
            self._get_pictures(task, [item.url for item in found.wanted], page_url)
            return
        if found.staged is not None:
            self._queue_write(task, found, grouped=True)
            return
        write = functools.partial(write_found, found, self.archive, captures=self.captures)
        self._queue_write(task, write)

    def _write_group(self, writes: Sequence[object]) -> Sequence[object]:
        """Name the files of the articles staged in the extraction processes, together."""
        founds = [found for found in writes if isinstance(found, Found)]
        return commit_staged(founds, self.archive, captures=self.captures)

    def _drop_write(self, write: object) -> None:
        if isinstance(write, Found) and write.staged is not None:
            write.staged.discard()

    def _pictures_done(
        self, task: _ImportTask, pictures: dict[str, Picture], warnings: list[str]
    ) -> None:
        framing = self.framing.pop(id(task))
        assert self.picture_files is not None
        found = dataclasses.replace(framing, pictures=pictures)
        task.plan.warnings.extend(warnings)
        if found.staged is not None and not pictures:
            # None is kept: the file written already is the one. Else it is written here,
            # showing its pictures (`write_found`: the staged capture is read back).
            self._queue_write(task, found, grouped=True)
            return
        images = (self.picture_files, self.images)
        write = functools.partial(
            write_found, found, self.archive, captures=self.captures, images=images
        )
        self._queue_write(task, write)

    def _picture_robots(self, site: str) -> bool:
        # The Wayback Machine's replies are API answers: no robots.txt (as for its pages).
        return self.options.robots and site != self.wayback_site

    def _saved(self, task: _ImportTask, value: object) -> None:
        assert isinstance(value, Written)
        task.plan.warnings.extend(value.warnings)
        if self.picture_files is not None and self.picture_files.note and not self.told_pictures:
            self.told_pictures = True
            self.on_notice(self.picture_files.note)
        entry = task.entry
        outcome = task.plan.outcome(
            entry.text,
            value.status,
            value.path,
            value.article,
            source=entry.source,
            line=entry.line,
            attempts=task.attempts,
        )
        self._result(outcome, task)

    def _fail(self, task: _ImportTask, error: NewsArchiveError) -> None:
        entry = task.entry
        outcome = Outcome.failure(
            entry.text,
            error,
            url=task.key,
            source=entry.source,
            line=entry.line,
            attempts=task.attempts,
        )
        self._result(outcome, task)

    def _result(self, outcome: Outcome, task: _ImportTask | None = None) -> None:
        self.report.counts[outcome.status] += 1
        if outcome.status == "archived" and outcome.via is not None:
            self.report.via_wayback += 1
        if outcome.status == "archived" and outcome.partial is not None:
            self.report.partial += 1
        if outcome.status == "failed" and outcome.reason:
            self.report.failures[outcome.reason] += 1
        if outcome.source is not None and outcome.line is not None:
            with self.open_lock:
                self.open.pop(ListEntry(outcome.source, outcome.line, outcome.input), None)
        self._settle(task)  # the line is done: the reader may take one more
        self.on_result(outcome)
        # The pages done with leave holes in this process's heap: give them back now and then.
        tidy_heap(_TIDY_RESULTS)


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
    started = time.time() - 1  # file systems keep modification times to the second or better
    importer = _Importer(
        entries,
        archive,
        options or BatchOptions(),
        on_result or (lambda result: None),
        on_notice=on_notice or (lambda message: None),
        on_total=on_total,
        stop=stop or threading.Event(),
        seed=seed,
        clock=clock,
    )
    report = crawl_mod.run_to_report(importer, importer.report)
    if report.interrupted:
        report.not_done = importer.not_done()
        if importer.stage is not None:  # files its abandoned extraction processes wrote
            for root in (archive.root, importer.captures):
                if root is not None:
                    remove_staged(root, started)
    return report
