"""Many URLs into one archive: fast, polite and resumable.

    entries = read_url_files(["links.txt"])
    report = import_urls(entries, Archive("archive"), BatchOptions(), on_result=print)

How the work flows (one coordinating thread, the caller's):

1. A reader thread takes URL lines from the lists at most a window ahead of the work
   (`BatchOptions.window`), so a 100,000-line file never becomes 100,000 objects, and a slow
   pipe (`crawler | newsarchive import -`) never holds up results or a stop request.
   Duplicates are caught with a set of 64-bit hashes of the normalised URLs; already-archived
   URLs are answered from the archive's index before any request is made.
2. Downloads run in `concurrency` threads sharing one HTTP client. A scheduler hands out work
   under a global limit and a per-site limit, spaces the requests to one site by `delay` (with
   jitter) or the site's robots.txt Crawl-delay, and retries failures that may pass (timeouts,
   refused connections, 429, 5xx) with exponential backoff and jitter, honouring Retry-After.
   A site that asks us to slow down (429, or 503 with Retry-After) is paused as a whole, and the
   other sites go on meanwhile.
3. Extraction (CPU-bound) runs in a pool of processes, so every core extracts while the
   threads download. Pages downloading and pages waiting for extraction are bounded together
   (`concurrency` + 2 per process): when extraction is the bottleneck, downloading slows down
   instead of filling memory, while enough pages stay in flight to keep every process busy.
4. The coordinating thread is the only writer: `Archive.save` writes each file atomically and
   re-checks the URL's keys under the archive's lock, so a crash leaves no partial file and two
   imports into one archive never write an article twice.

Stopping (`stop` set, e.g. on Ctrl-C) takes no more work and abandons what is under way; since
files are written whole or not at all, running the same import again continues where it
stopped. This module never prints: results, notices and totals go to callbacks.
"""

from __future__ import annotations

import codecs
import ctypes
import dataclasses
import hashlib
import heapq
import itertools
import multiprocessing
import os
import queue
import random
import re
import select
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Literal, TextIO

from newsarchive import fetch as fetch_mod
from newsarchive import wayback as wayback_mod
from newsarchive.errors import (
    FetchError,
    HTTPStatusError,
    InvalidURLError,
    NetworkError,
    NewsArchiveError,
    StoreError,
    with_detail,
)
from newsarchive.frontmatter import SAVED_KEY
from newsarchive.models import Article, FetchedPage, FetchOptions
from newsarchive.pipeline import add_capture, is_partial, prepare, render_file
from newsarchive.robots import ROBOTS_MAX_BYTES, RobotsPolicy, load_policy, robots_url, site_of
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
class BatchOptions:
    """How an import behaves. The defaults are the command's defaults."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    concurrency: int = 16  # requests in flight, all sites together
    per_host: int = 4  # requests in flight to one site
    delay: float = 0.0  # mean seconds between two requests to one site (jittered 0.5x-1.5x)
    retries: int = 3  # further attempts after a failure that may pass
    backoff: float = 1.0  # seconds before the first retry; doubles each time (jittered)
    max_backoff: float = 60.0  # longest wait between two attempts that we choose ourselves
    max_retry_after: float = 600.0  # a server asking for a longer pause fails the URL instead
    robots: bool = True  # honour robots.txt (rules and Crawl-delay)
    jobs: int | None = None  # extraction processes; None: one per core; 0: in this process
    window: int = 1000  # URLs read ahead of the work (bounds memory)
    captures: Path | None = None  # keep each response as a WARC file here (capture.py)
    # When pages come from the Wayback Machine (wayback.py); its requests are one more site.
    wayback: WaybackOptions = field(default_factory=WaybackOptions)

    def __post_init__(self) -> None:
        for name in ("concurrency", "per_host", "window"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("delay", "retries", "backoff", "max_backoff", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.jobs is not None and self.jobs < 0:
            raise ValueError("jobs must not be negative")


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
class BatchReport:
    """Totals of one import."""

    counts: Counter[str] = field(default_factory=Counter)  # by ItemStatus
    failures: Counter[str] = field(default_factory=Counter)  # failed URLs by reason
    interrupted: bool = False
    unfinished: int = 0  # URLs under way or queued when the import was stopped
    via_wayback: int = 0  # of the archived URLs, how many came from the Wayback Machine
    partial: int = 0  # of the archived URLs, how many hold only part of the article
    elapsed: float = 0.0  # seconds

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    @property
    def done(self) -> int:
        return sum(self.counts.values())


ResultCallback = Callable[[ItemResult], None]
NoticeCallback = Callable[[str], None]
TotalCallback = Callable[[int], None]


# ---------------------------------------------------------------------------------------------
# Retry policy

# Failures that say nothing about the next attempt: a name that does not resolve, a bad
# certificate or a redirect loop will be the same in a second.
_PERMANENT_NETWORK_REASONS = frozenset(
    {"DNS", "TLS", "redirect loop", "too many redirects", "bad redirect", "proxy"}
)
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 507, 509})


def is_transient(error: NewsArchiveError) -> bool:
    """Whether trying again later may succeed."""
    if isinstance(error, HTTPStatusError):
        status = error.status or 0
        return status in _TRANSIENT_STATUSES or 520 <= status <= 530
    if isinstance(error, NetworkError):
        return error.reason not in _PERMANENT_NETWORK_REASONS
    return False


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    Exponential with "equal jitter": half the step is fixed and half random, so clients that
    failed together do not retry together, and no wait collapses to nothing.
    """
    step: float = min(cap, base * 2.0 ** (attempt - 1))
    return step / 2 + rng.uniform(0, step / 2)


# ---------------------------------------------------------------------------------------------
# Extraction worker (runs in a child process)


@dataclass(frozen=True)
class _Prepared:
    """An extracted article, its file text and every key it is known by."""

    article: Article
    text: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class _Failed:
    # Exceptions with custom constructors do not survive pickling, so failures travel as text.
    reason: str
    message: str
    detail: str = ""  # the message without the URL in front
    fallback: bool = False  # worth trying the Wayback Machine (wayback.falls_back)


# A small article whose extraction runs every lazily initialised part of the extractor (the
# fallback extractors' word lists, the public-suffix list: a short domain defeats courlan's
# fast path), so that the first real page does not pay ~0.5 s for them.
_WARM_UP_URL = "https://www.bbc.co.uk/news/2024/01/02/warm-up"
_WARM_UP_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Warm-up</title>'
    f'<link rel="canonical" href="{_WARM_UP_URL}">'
    '<meta property="article:published_time" content="2024-01-02T10:00:00+00:00"></head>'
    '<body><nav><a href="/">Home</a></nav><article><h1>Warm-up</h1><p>By A. Writer</p>'
    "<p>A short paragraph, so that every fallback extractor runs once.</p></article></body></html>"
)


def _init_worker(coordinator: int) -> None:
    # Ctrl-C reaches the whole process group; the coordinator decides what happens, and a
    # worker dying of KeyboardInterrupt would break the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _release_large_buffers()
    threading.Thread(
        target=_exit_with, args=(coordinator,), name="newsarchive-watchdog", daemon=True
    ).start()
    # Runs while the first requests are on the wire, once per process.
    page = FetchedPage(
        _WARM_UP_URL, _WARM_UP_URL, 200, "text/html", _WARM_UP_PAGE, "utf-8", datetime.now(UTC)
    )
    prepare_page(page, _WARM_UP_URL)


def _exit_with(coordinator: int) -> None:
    """End this worker as soon as the importing process is gone, however it ended.

    A pool worker holds both ends of its own task pipe, so it never sees end-of-file: after a
    kill -9 of the import, it (and the forkserver it came from) would otherwise wait forever.
    """
    pidfd_open = getattr(os, "pidfd_open", None)  # Linux 5.3 and later
    try:
        fd = pidfd_open(coordinator) if pidfd_open is not None else None
    except OSError:
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has ended
    else:
        while True:
            time.sleep(1.0)
            try:
                os.kill(coordinator, 0)
            except ProcessLookupError:
                break
            except PermissionError:  # alive, under another user (a recycled pid): keep going
                pass
    os._exit(1)


def _warm_up() -> int:
    return os.getpid()


def prepare_page(page: FetchedPage, given: str) -> _Prepared | _Failed:
    """Extract and render one fetched page (pure CPU work: runs in a worker process).

    The identity rules are those of `pipeline.archive_target` (`pipeline.prepare`), pages from
    the Wayback Machine included. Rendering happens here as well, so the coordinating process
    only writes.
    """
    try:
        article, keys = prepare(page, given)
        return _Prepared(article, render_file(article), tuple(keys))
    except NewsArchiveError as exc:
        detail = str(getattr(exc, "detail", exc))
        if page.snapshot is not None:
            exc = with_detail(exc, f"Wayback: {detail}")
            detail = f"Wayback: {detail}"
        return _Failed(exc.reason, str(exc), detail, wayback_mod.falls_back(exc))
    except Exception as exc:  # a bug in a parser must cost one URL, not the whole import
        return _Failed("error", f"{given}: unexpected {type(exc).__name__} while extracting: {exc}")


def _release_large_buffers() -> None:
    """Have glibc give every allocation of 128 KiB or more its own mapping, freed on release.

    Pages arrive as large strings made by many download threads. glibc raises its mmap
    threshold as such buffers are freed, then serves them from per-thread heaps, which
    fragment: a 10,000-page import grew by about 30 KB a page (past 450 MB). With the
    threshold fixed, a page's memory goes back to the system once it is done with, and the
    process stays flat (80–110 MB). Elsewhere than glibc there is nothing to tune.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD; setting it also stops its dynamic growth


def _process_context() -> multiprocessing.context.BaseContext:
    """Where extraction processes come from.

    "forkserver": the server process imports the extractor once, then each worker is a cheap
    fork of it. It is safe while our download threads run (a plain fork would copy their locks)
    and its start overlaps the first requests.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["newsarchive.batch"])
        return context
    return multiprocessing.get_context("spawn")


# ---------------------------------------------------------------------------------------------
# The scheduler


Stage = Literal["live", "wayback", "save"]


@dataclass(frozen=True)
class _LiveFailure:
    """Why the live page failed, kept while the Wayback Machine is asked instead."""

    reason: str
    message: str
    http_status: int | None


@dataclass
class _Task:
    entry: ListEntry
    url: str  # checked URL as written
    key: str  # normalised
    site: str  # scheme://host[:port] of the next request: the URL's site, or the archive
    attempts: int = 0  # requests made, all stages
    # What the next request is for: the page from its site, the page from the Wayback
    # Machine, or asking the Wayback Machine to capture it (Save Page Now).
    stage: Stage = "live"
    tries: int = 0  # requests of this stage, for the retry limit and backoff
    live_failure: _LiveFailure | None = None
    # A finished article waiting for the next stage: a partial live page while its snapshot
    # is tried, or the article waiting for Save Page Now. (http status, article, raw page)
    held: tuple[int | None, _Prepared, FetchedPage | None] | None = None


@dataclass
class _Site:
    """Per-site scheduling state."""

    name: str
    queue: deque[_Task] = field(default_factory=deque)
    active: int = 0
    next_start: float = 0.0  # monotonic time before which no request may start
    paused_until: float = 0.0  # set when the site asks us to back off
    policy: RobotsPolicy | None = None
    crawl_delay: float | None = None  # from robots.txt (Crawl-delay or Request-rate)
    robots_pending: bool = False
    # Set when robots.txt could not be read even after retries: (reason, detail) that every
    # other URL of the site fails with at once, instead of each going through its own retries.
    closed: tuple[str, str] | None = None


@dataclass(frozen=True)
class _Fetched:
    task: _Task
    with_robots: bool  # this job fetched the site's robots.txt first
    page: FetchedPage | None
    error: NewsArchiveError | None
    policy: RobotsPolicy | None  # the site's rules, when this job fetched them
    denied: bool = False  # robots.txt disallows the URL
    robots_error: bool = False  # `error` happened while reading robots.txt
    requests: int = 1  # requests this job made (a Wayback lookup and its snapshot: 2)
    saved: str | None = None  # Save Page Now: the new capture's address


@dataclass(frozen=True)
class _Extracted:
    task: _Task
    http_status: int | None
    future: Future[_Prepared | _Failed]


@dataclass(frozen=True)
class _Saved:
    task: _Task
    http_status: int | None
    prepared: _Prepared
    result: SaveResult | None
    error: StoreError | None


@dataclass(frozen=True)
class _Read:
    entry: ListEntry


@dataclass(frozen=True)
class _ReadEnd:
    count: int  # URL lines read
    error: Exception | None  # why reading stopped early (an unreadable file)


_Event = _Fetched | _Extracted | _Saved | _Read | _ReadEnd


class _StopImport(Exception):
    pass


class _Importer:
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
    ) -> None:
        self.entries = iter(entries)
        self.archive = archive
        self.options = options
        self.on_result = on_result
        self.on_notice = on_notice
        self.on_total = on_total
        self.stop = stop
        self.rng = random.Random(seed)
        self.report = BatchReport()
        self.user_agent = options.fetch.user_agent or fetch_mod.DEFAULT_USER_AGENT

        self.seen = _Seen()
        self.read_all = False
        self.read_count = 0  # written by the reader thread only
        # One permit per line read and not yet finished: the reader's window ahead of the work.
        self.room = threading.Semaphore(options.window)
        self.reader: threading.Thread | None = None
        self.sites: dict[str, _Site] = {}
        self.rotation: deque[_Site] = deque()  # sites with queued tasks, round robin
        self.delayed: list[tuple[float, int, _Task]] = []  # retries: (due, seq, task)
        self.seq = itertools.count()
        self.pending = 0  # tasks accepted and not yet finished
        self.fetching = 0
        self.extracting = 0
        self.jobs = (os.cpu_count() or 1) if options.jobs is None else options.jobs
        # Pages beyond `concurrency` that may wait for extraction (see `_may_fetch`).
        self.extract_backlog = 2 * self.jobs

        self.events: queue.SimpleQueue[_Event] = queue.SimpleQueue()
        # (task, fetch robots.txt first?); None tells a download thread to end.
        self.jobs_queue: queue.SimpleQueue[tuple[_Task, bool] | None] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []
        # Articles ready to be written; None tells the writer thread to end.
        # Pages whose raw response is to be captured, from download until the save.
        self.raw_pages: dict[int, FetchedPage] = {}
        self.saves: queue.SimpleQueue[
            tuple[_Task, int | None, _Prepared, FetchedPage | None] | None
        ] = queue.SimpleQueue()
        self.writer: threading.Thread | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.client = fetch_mod.make_client(options.fetch)
        self.closed = threading.Event()
        self.wayback = options.wayback
        self.wayback_site = site_of(options.wayback.base)  # one site, however many URLs

    # -- main loop ---------------------------------------------------------------------------

    def run(self) -> BatchReport:
        started = time.monotonic()
        try:
            self._loop()
        except _StopImport:
            self.report.interrupted = True
        finally:
            self._shutdown()
            self.report.unfinished = self.read_count - self.report.done
            self.report.elapsed = time.monotonic() - started
        return self.report

    def _loop(self) -> None:
        self.reader = threading.Thread(target=self._read, name="newsarchive-reader", daemon=True)
        self.reader.start()
        while True:
            if self.stop.is_set():
                raise _StopImport
            self._release_due()
            self._dispatch()
            if self.read_all and self.pending == 0:
                return
            try:
                event = self.events.get(timeout=self._idle_timeout())
            except queue.Empty:
                continue
            self._handle(event)
            # Handle what else is ready before scheduling again (cheap, keeps slots full), but
            # not forever: a long run of skipped lines must not starve the downloads.
            for _ in range(256):
                if self.stop.is_set():
                    break
                try:
                    event = self.events.get_nowait()
                except queue.Empty:
                    break
                self._handle(event)

    def _idle_timeout(self) -> float:
        """How long to wait for an event: until the next retry or site slot is due."""
        now = time.monotonic()
        wake = now + 0.25  # also how quickly a stop request is noticed
        if self.delayed:
            wake = min(wake, self.delayed[0][0])
        if self._may_fetch():
            # `_dispatch` just ran, so a site that could start now would have: only sites
            # waiting for their spacing or pause to end set an earlier wake-up.
            for site in self.rotation:
                if site.active < self._site_limit(site) and not site.robots_pending:
                    ready = max(site.next_start, site.paused_until)
                    if ready > now:
                        wake = min(wake, ready)
        return max(0.0, wake - now)

    # -- reading -----------------------------------------------------------------------------

    def _read(self) -> None:
        """The reader thread: hands list lines to the coordinator, a window ahead of the work.

        A thread of its own because the next line of a pipe may take any time to come; a
        permit of `room` is taken per line and given back when the line's result is out.
        """
        try:
            while True:
                self.room.acquire()
                if self.closed.is_set():
                    return
                entry = next(self.entries, None)
                if entry is None:
                    break
                self.read_count += 1
                self.events.put(_Read(entry))
        except Exception as exc:  # an unreadable list: the coordinator raises it
            self.events.put(_ReadEnd(self.read_count, exc))
            return
        self.events.put(_ReadEnd(self.read_count, None))

    def _read_ended(self, event: _ReadEnd) -> None:
        if event.error is not None:
            raise event.error
        self.read_all = True
        if self.on_total is not None:
            self.on_total(event.count)

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
            task = _Task(entry, url, key, self.wayback_site, stage="wayback")
        else:
            task = _Task(entry, url, key, site_of(url))
        self.pending += 1
        self._enqueue(task, front=False)
        self._start_workers()

    # -- scheduling --------------------------------------------------------------------------

    def _site_limit(self, site: _Site) -> int:
        # A site that sets a Crawl-delay wants its requests one after another.
        if site.crawl_delay:
            return 1
        return self.options.per_host

    def _may_fetch(self) -> bool:
        """Whether one more download may start now.

        Pages being downloaded and pages waiting for extraction are bounded together: when
        extraction is the bottleneck, downloads slow down instead of filling memory, yet enough
        of them stay in flight that a page is ready whenever an extraction process is free.
        """
        return (
            self.fetching < self.options.concurrency
            and self.fetching + self.extracting < self.options.concurrency + self.extract_backlog
        )

    def _enqueue(self, task: _Task, *, front: bool) -> None:
        site = self.sites.get(task.site)
        if site is None:
            site = self.sites[task.site] = _Site(task.site)
        if not site.queue:
            self.rotation.append(site)
        if front:
            site.queue.appendleft(task)
        else:
            site.queue.append(task)

    def _release_due(self) -> None:
        now = time.monotonic()
        while self.delayed and self.delayed[0][0] <= now:
            _, _, task = heapq.heappop(self.delayed)
            self._enqueue(task, front=True)

    def _dispatch(self) -> None:
        now = time.monotonic()
        for _ in range(len(self.rotation)):
            if not self._may_fetch():
                return
            site = self.rotation.popleft()
            while (
                site.queue
                and site.active < self._site_limit(site)
                and not site.robots_pending
                and now >= site.next_start
                and now >= site.paused_until
                and self._may_fetch()
            ):
                self._start(site, site.queue.popleft(), now)
            if site.queue:
                self.rotation.append(site)

    def _start(self, site: _Site, task: _Task, now: float) -> None:
        live = task.stage == "live"
        if site.closed is not None and live:
            reason, detail = site.closed
            if reason == "robots":  # robots.txt kept failing, which means "disallow all"
                self._fail(task, reason, f"{task.url}: {detail}")
            else:  # the site cannot be reached
                self._give_up(task, NetworkError(task.url, detail, reason=reason))
            return
        robots = self.options.robots and live
        if robots and site.policy is not None and not site.policy.allows(task.url):
            self._fail_robots(task, site.policy)
            return
        # The Wayback Machine's endpoints are an API we call, not pages we crawl: its
        # robots.txt is not read; the original site's robots.txt is for the live stage only.
        need_robots = robots and site.policy is None
        site.robots_pending = need_robots
        site.active += 1
        site.next_start = now + self._gap(site)
        task.attempts += 1
        task.tries += 1
        self.fetching += 1
        self.jobs_queue.put((task, need_robots))

    def _gap(self, site: _Site) -> float:
        """Seconds before the next request to `site` may start."""
        gap = self.options.delay * self.rng.uniform(0.5, 1.5)
        return max(gap, site.crawl_delay or 0.0)

    # -- workers -----------------------------------------------------------------------------

    def _start_workers(self) -> None:
        if self.threads:
            return
        for number in range(self.options.concurrency):
            # Daemon threads: an interrupted import must not wait for a slow server to answer.
            thread = threading.Thread(
                target=self._worker, name=f"newsarchive-fetch-{number}", daemon=True
            )
            thread.start()
            self.threads.append(thread)
        self.writer = threading.Thread(target=self._write, name="newsarchive-writer", daemon=True)
        self.writer.start()
        if self.jobs > 0:
            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=_process_context(),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
            # Start every process now, while the first requests are on the wire.
            for _ in range(self.jobs):
                self.pool.submit(_warm_up)

    def _worker(self) -> None:
        while True:
            job = self.jobs_queue.get()
            if job is None or self.closed.is_set():
                return
            self.events.put(self._fetch(*job))

    def _fetch(self, task: _Task, with_robots: bool) -> _Fetched:
        """One download job, in a download thread: robots.txt first if due, then the page."""
        if task.stage != "live":
            return self._ask_wayback(task)
        policy: RobotsPolicy | None = None
        try:
            if with_robots:
                try:
                    policy = load_policy(
                        task.url,
                        lambda robots: self._get_robots(robots, task.url),
                        user_agent=self.user_agent,
                    )
                except FetchError as exc:
                    return _Fetched(task, with_robots, None, exc, None, robots_error=True)
                if not policy.allows(task.url):
                    return _Fetched(task, with_robots, None, None, policy, denied=True)
            page = fetch_mod.fetch(task.url, client=self.client, options=self.options.fetch)
            return _Fetched(task, with_robots, page, None, policy)
        except NewsArchiveError as exc:
            return _Fetched(task, with_robots, None, exc, policy)
        except Exception as exc:  # a bug must cost one URL, not the import
            error = FetchError(task.url, f"unexpected {type(exc).__name__}: {exc}", reason="error")
            return _Fetched(task, with_robots, None, error, policy)

    def _ask_wayback(self, task: _Task) -> _Fetched:
        """A Wayback Machine job: the closest snapshot and its page, or Save Page Now."""
        base, options = self.wayback.base, self.options.fetch
        requests = 1
        try:
            if task.stage == "save":
                saved = wayback_mod.save(task.url, client=self.client, base=base, options=options)
                return _Fetched(task, False, None, None, None, saved=saved)
            snapshot = wayback_mod.closest(task.url, client=self.client, base=base, options=options)
            requests = 2
            page = wayback_mod.fetch_snapshot(snapshot, client=self.client, options=options)
            return _Fetched(task, False, page, None, None, requests=requests)
        except NewsArchiveError as exc:
            return _Fetched(task, False, None, exc, None, requests=requests)
        except Exception as exc:  # a bug must cost one URL, not the import
            error = FetchError(task.url, f"unexpected {type(exc).__name__}: {exc}", reason="error")
            return _Fetched(task, False, None, error, None, requests=requests)

    def _get_robots(self, url: str, page_url: str) -> tuple[int, str]:
        """GET a robots.txt (redirects followed, the first 500 KiB kept).

        Failures are worded about `page_url`, the URL the user asked for, and name robots.txt.
        """
        try:
            with self.client.stream("GET", url, follow_redirects=True) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    # Retried like a page; only if it persists does it mean "disallow all".
                    phrase = response.reason_phrase or _phrase(status)
                    hint = response.headers.get("Retry-After")
                    raise fetch_mod.StatusError(
                        page_url,
                        status,
                        f"{phrase} (robots.txt)",
                        retry_after=fetch_mod._parse_retry_after(hint),
                    )
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) >= ROBOTS_MAX_BYTES:
                        break
        except NewsArchiveError:
            raise
        except Exception as exc:  # httpx's errors, described in fetch.py's words
            error = fetch_mod._network_error(url, exc, self.options.fetch, limited=False)  # type: ignore[arg-type]
            detail = getattr(error, "detail", str(error))
            raise NetworkError(page_url, f"{detail} (robots.txt)", reason=error.reason) from exc
        return status, bytes(data).decode("utf-8", errors="replace")

    # -- events ------------------------------------------------------------------------------

    def _handle(self, event: _Event) -> None:
        if isinstance(event, _Read):
            self._accept(event.entry)
        elif isinstance(event, _Fetched):
            self._fetched(event)
        elif isinstance(event, _Extracted):
            self._extracted(event)
        elif isinstance(event, _Saved):
            self._saved(event)
        else:
            self._read_ended(event)

    def _fetched(self, event: _Fetched) -> None:
        task = event.task
        site = self.sites[task.site]
        site.active -= 1
        self.fetching -= 1
        if event.with_robots:
            site.robots_pending = False
            if event.policy is not None:
                self._set_policy(site, event.policy)
        if event.with_robots or site.crawl_delay:
            # Count the pause from the end of this request: the robots.txt request went just
            # before it, and a Crawl-delay means seconds between one request and the next.
            site.next_start = max(site.next_start, time.monotonic() + self._gap(site))
        task.attempts += event.requests - 1
        if event.denied and event.policy is not None:
            self._fail_robots(task, event.policy)
            return
        if event.error is not None:
            self._failed_attempt(task, site, event.error, robots=event.robots_error)
            return
        if task.stage == "save":
            assert task.held is not None and event.saved is not None
            http_status, prepared, page = task.held
            article = prepared.article
            article = dataclasses.replace(article, extra={**article.extra, SAVED_KEY: event.saved})
            self._queue_save(
                task, http_status, _Prepared(article, render_file(article), prepared.keys), page
            )
            return
        assert event.page is not None
        self._extract(task, event.page)

    def _set_policy(self, site: _Site, policy: RobotsPolicy) -> None:
        site.policy = policy
        site.crawl_delay = policy.delay  # protego looks it up each time: keep it
        if site.crawl_delay:
            self.on_notice(
                f"{site.name}: robots.txt asks for {site.crawl_delay:g} s between requests"
            )
        if not policy.allow_all and policy.parser is None:
            self.on_notice(f"{site.name}: {policy.note}; nothing there will be fetched")

    def _failed_attempt(
        self, task: _Task, site: _Site, error: NewsArchiveError, *, robots: bool
    ) -> None:
        wait = self._retry_wait(task, error)
        if wait is None:
            if robots and isinstance(error, HTTPStatusError):
                # RFC 9309: a robots.txt that keeps failing with 429/5xx means "disallow all".
                site.closed = ("robots", f"robots.txt answered HTTP {error.status}")
            elif robots and isinstance(error, FetchError):
                site.closed = (error.reason, f"{error.detail}; site not tried again")
            if site.closed is not None:
                self.on_notice(f"{site.name}: {site.closed[1]}; its other URLs fail at once")
            if robots and site.closed is not None and site.closed[0] == "robots":
                status = error.status if isinstance(error, FetchError) else None
                self._fail(task, error.reason, str(error), http_status=status)
            else:
                self._give_up(task, error)
            return
        now = time.monotonic()
        hint = fetch_mod.retry_after(error)
        asked = isinstance(error, HTTPStatusError) and (error.status == 429 or hint is not None)
        if asked or robots:
            # The site asked everyone to slow down, or its robots.txt (which every URL of it
            # needs) failed: pause the whole site, not only this URL.
            site.paused_until = max(site.paused_until, now + wait)
            detail = getattr(error, "detail", str(error))
            self.on_notice(f"{site.name}: {detail}; pausing this site for {wait:.1f} s")
        self.on_notice(f"retry {task.tries}/{self.options.retries} in {wait:.1f} s: {error}")
        heapq.heappush(self.delayed, (now + wait, next(self.seq), task))

    def _retry_wait(self, task: _Task, error: NewsArchiveError) -> float | None:
        if task.tries > self.options.retries or not is_transient(error):
            return None
        hint = fetch_mod.retry_after(error)
        if hint is not None:
            if hint > self.options.max_retry_after:
                limit = self.options.max_retry_after
                self.on_notice(f"{task.url}: asked to wait {hint:g} s (over {limit:g} s); given up")
                return None
            return max(0.0, hint)
        return backoff_delay(task.tries, self.options.backoff, self.options.max_backoff, self.rng)

    def _extract(self, task: _Task, page: FetchedPage) -> None:
        # Extraction reads neither the raw bytes nor the headers: do not copy them across.
        light = dataclasses.replace(page, raw=b"", headers=())
        if self.options.captures is not None and page.status is not None:
            self.raw_pages[id(task)] = page
        if self.pool is not None:
            try:
                future = self.pool.submit(prepare_page, light, task.url)
            except BrokenProcessPool as exc:
                self.on_notice(f"extraction processes failed ({exc}); extracting in this one")
                self.pool = None
            else:
                self.extracting += 1
                status = page.status
                future.add_done_callback(
                    lambda done: self.events.put(_Extracted(task, status, done))
                )
                return
        self._prepared(task, page.status, prepare_page(light, task.url))

    def _extracted(self, event: _Extracted) -> None:
        self.extracting -= 1
        try:
            outcome = event.future.result()
        except Exception as exc:  # the worker process died (killed, out of memory)
            outcome = _Failed("error", f"{event.task.url}: extraction failed: {exc!r}")
        self._prepared(event.task, event.http_status, outcome)

    def _prepared(self, task: _Task, http_status: int | None, outcome: _Prepared | _Failed) -> None:
        page = self.raw_pages.pop(id(task), None)
        if isinstance(outcome, _Failed):
            if task.stage == "live" and self.wayback.fallback and outcome.fallback:
                failure = _LiveFailure(outcome.reason, outcome.message, http_status)
                self._to_wayback(task, failure)
            elif task.held is not None:  # the snapshot of a partial live page failed
                self._keep_live(task, outcome.detail or outcome.message)
            else:
                self._fail(task, outcome.reason, outcome.message, detail=outcome.detail)
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
        self, task: _Task, http_status: int | None, prepared: _Prepared, page: FetchedPage | None
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
        self.saves.put((task, http_status, prepared, page))

    # -- the Wayback Machine -----------------------------------------------------------------

    def _give_up(self, task: _Task, error: NewsArchiveError) -> None:
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
            self.saves.put((task, http_status, prepared, page))
        elif task.held is not None:  # the snapshot of a partial live page failed
            self._keep_live(task, detail)
        else:
            self._fail(task, error.reason, str(error), http_status=status, detail=detail)

    def _to_wayback(self, task: _Task, failure: _LiveFailure | None) -> None:
        """Ask the Wayback Machine for the page, which the live site failed to give."""
        task.live_failure = failure
        self._next_stage(task, "wayback")

    def _next_stage(self, task: _Task, stage: Stage) -> None:
        task.stage = stage
        task.site = self.wayback_site
        task.tries = 0
        self._enqueue(task, front=False)

    def _keep_live(self, task: _Task, why: str) -> None:
        """Archive the partial live page after all: its snapshot is no better."""
        assert task.held is not None
        http_status, prepared, page = task.held
        self.on_notice(f"{task.url}: kept the live page, which is partial; {why}")
        task.stage = "live"
        self._queue_save(task, http_status, prepared, page)

    def _write(self) -> None:
        """The writer thread: the only code that writes to the archive during an import.

        A separate thread, because each save waits for the disk (fsync) and the scheduler
        must keep handing out downloads meanwhile.
        """
        while True:
            job = self.saves.get()
            if job is None or self.closed.is_set():
                return
            task, http_status, prepared, page = job
            try:
                saved = self._save(prepared, page)
            except StoreError as exc:
                self.events.put(_Saved(task, http_status, prepared, None, exc))
                return
            self.events.put(_Saved(task, http_status, prepared, saved, None))

    def _save(self, prepared: _Prepared, page: FetchedPage | None) -> SaveResult:
        captures = self.options.captures
        if page is None or captures is None or self.archive.lookup(*prepared.keys) is not None:
            return self.archive.save(prepared.article, prepared.text, keys=prepared.keys)
        article, capture_file = add_capture(prepared.article, page, self.archive, captures)
        try:
            saved = self.archive.save(article, render_file(article), keys=prepared.keys)
        except BaseException:
            capture_file.unlink(missing_ok=True)
            raise
        if not saved.created:
            capture_file.unlink(missing_ok=True)
        return saved

    def _saved(self, event: _Saved) -> None:
        if event.error is not None:
            raise event.error  # the archive cannot be written: nothing else will succeed
        assert event.result is not None
        article = event.prepared.article
        status: ItemStatus = "archived" if event.result.created else "already archived"
        task = event.task
        entry = task.entry
        self.pending -= 1
        self._result(
            ItemResult(
                entry.source,
                entry.line,
                entry.text,
                status,
                url=article.url,
                path=event.result.path,
                title=article.title,
                published=article.published,
                http_status=event.http_status,
                attempts=task.attempts,
                via=article.extra.get("via"),
                snapshot=article.extra.get("snapshot"),
                archive_url=article.extra.get("archive_url"),
                saved_snapshot=article.extra.get(SAVED_KEY),
                partial=(article.extra.get("reason") or "incomplete")
                if is_partial(article)
                else None,
            )
        )

    # -- outcomes ----------------------------------------------------------------------------

    def _fail_robots(self, task: _Task, policy: RobotsPolicy) -> None:
        why = policy.note or f"disallowed by {robots_url(task.url)}"
        self._fail(task, "robots", f"{task.url}: {why}")

    def _fail(
        self,
        task: _Task,
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
        self.pending -= 1
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
            )
        )

    def _result(self, result: ItemResult) -> None:
        self.report.counts[result.status] += 1
        if result.status == "archived" and result.via is not None:
            self.report.via_wayback += 1
        if result.status == "archived" and result.partial is not None:
            self.report.partial += 1
        if result.status == "failed" and result.reason:
            self.report.failures[result.reason] += 1
        self.room.release()  # the line is done: the reader may take one more
        self.on_result(result)

    # -- shutdown ----------------------------------------------------------------------------

    def _report_last_saves(self) -> None:
        """Report the files written while stopping: they exist, so they count as archived."""
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, _Saved) and event.error is None:
                self._saved(event)

    def _shutdown(self) -> None:
        self.closed.set()
        self.room.release()  # a reader waiting for room wakes up, sees `closed` and ends
        for _ in self.threads:
            self.jobs_queue.put(None)
        if self.writer is not None:
            # Let a save under way finish (it is atomic anyway); queued ones are dropped when
            # the import was stopped, and none are left otherwise.
            self.saves.put(None)
            self.writer.join()
            self._report_last_saves()
        if self.pool is not None:
            if self.report.interrupted:
                # Extractions under way are abandoned: end their processes rather than wait for
                # them. (shutdown(wait=False) instead races with the interpreter's exit in
                # CPython 3.11 and can print "Bad file descriptor" tracebacks.)
                for process in list(self.pool._processes.values()):
                    process.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)
        if not self.report.interrupted:
            for thread in self.threads:
                thread.join()
            self.client.close()
        # When interrupted, download threads may still be waiting on a server: they are
        # daemons holding no file, so they are left to end with the process.


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


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
) -> BatchReport:
    """Archive every URL of `entries`; go on past failures; return the totals.

    `on_result` is called once per URL line, in the calling thread, as soon as its fate is
    known; `on_notice` with remarks worth showing (retries, robots.txt delays); `on_total`
    once, with the number of URL lines, when the whole list has been read. Setting `stop`
    makes the import return soon with `interrupted` set; what was archived stays archived.
    Raises StoreError if the archive cannot be written.
    """
    _release_large_buffers()
    importer = _Importer(
        entries,
        archive,
        options or BatchOptions(),
        on_result or (lambda result: None),
        on_notice or (lambda message: None),
        on_total,
        stop or threading.Event(),
        seed,
    )
    return importer.run()
