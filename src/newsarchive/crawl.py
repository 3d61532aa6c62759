"""Downloading many pages politely: the engine that `import` and `update` share.

A `Crawler` takes inputs from an iterable (URL list lines for `import`, article files for
`update`), turns each into a task (a URL to download, and what the page is for), and does the
work in one coordinating thread, the caller's:

1. A reader thread takes inputs at most a window ahead of the work (`CrawlOptions.window`), so a
   100,000-line list never becomes 100,000 objects, and a slow pipe never holds up results or
   a stop request.
2. Downloads run in `concurrency` threads. A scheduler hands out work under a global limit and
   a per-site limit, spaces the requests to one site by `delay` (with jitter) or the site's
   robots.txt Crawl-delay, and retries failures that may pass (timeouts,
   refused connections, 429, 5xx) with exponential backoff and jitter, honouring Retry-After.
   A site that asks us to slow down (429, or 503 with Retry-After) is paused as a whole, and the
   other sites go on meanwhile. robots.txt is read once per site (robots.py); a URL it
   disallows is never requested.
3. CPU-bound work on a downloaded page (extraction) runs in a pool of processes, so every core
   works while the threads download. The download threads are theirs (pageworkers.py): a
   page whose work is known before (`_page_work`) is downloaded by the process that works on
   it, so that this process never handles its bytes; only a site's first page, which
   follows its robots.txt, and the Wayback Machine's answers are downloaded here (`jobs=0`:
   everything is). Pages downloading and pages waiting for that work are bounded together
   (`concurrency` + 2 per process): when extraction is the bottleneck, downloading slows
   down instead of filling memory.
4. One writer thread (writing.py) is the only code that writes to the archive, each file
   atomically. A subclass may have the extraction processes write files whole under
   temporary names, and the writer give them their names: such writes queued one after
   another are done together (`_write_group`), so that the fsyncs and the index transaction
   they need are shared.
5. An article's pictures (`_get_pictures`) are downloaded as pages are, their hosts being sites
   like any other (limits, spacing, robots.txt, retries), but in threads and slots of their
   own, after the pages queued for their site: they never hold up a page, so extraction
   never waits for them. The subclass hears when all of an article's pictures are in
   (`_pictures_done`) and writes the article then.

The threads' events and the extraction processes' messages come to one inbox (inbox.py),
which the coordinating thread waits on and reads itself.

Subclasses say what an input becomes (`_accept`), what happens to a downloaded page
(`_downloaded`, `_processed`), what a write did (`_saved`) and how a task ends when it fails
(`_fail`, `_give_up`). This module never prints: notices go to a callback.

Stopping (`stop` set, e.g. on Ctrl-C) takes no more work and abandons what is under way; a write
under way finishes, and since files are written whole or not at all, nothing is half-written.

Time: every scheduling decision reads `Clock.now`, and when nothing is under way the coordinator
waits for its next timer (a site's spacing, a retry) with `Clock.sleep`. Tests pass a clock
whose time passes only then, to check the waits without measuring them.
"""

from __future__ import annotations

import abc
import dataclasses
import heapq
import itertools
import os
import queue
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from newsarchive import fetch as fetch_mod
from newsarchive.errors import FetchError, HTTPStatusError, NetworkError, NewsArchiveError
from newsarchive.extracting import prepare_extraction, release_large_buffers
from newsarchive.images.download import Galleries, Picture, get_picture
from newsarchive.images.files import ImageFiles
from newsarchive.inbox import Inbox
from newsarchive.models import ImageOptions
from newsarchive.pageworkers import Job, Message, PageWorkers
from newsarchive.robots import RobotsPolicy, load_policy, robots_url, site_of
from newsarchive.tasks import (
    Clock,
    CrawlOptions,
    CrawlReport,
    Fetched,
    PictureJob,
    Site,
    TaskT,
    backoff_delay,
    is_transient,
)
from newsarchive.workers import WORKER_NICENESS, worker_count
from newsarchive.writing import Writer

__all__ = ["Crawler", "run_to_report"]

NoticeCallback = Callable[[str], None]
TotalCallback = Callable[[int], None]


# The server process that extraction processes are forked from loads and warms up the
# extractor once (`warmup`), so each process starts warm and shares what it loaded (16 MB of
# word lists, among others); its start overlaps the first requests.
_PRELOAD = "newsarchive.warmup"


# Idle connections the pictures' client keeps: most picture hosts are asked for one or two.
_PICTURE_KEEPALIVE = 8


# ---------------------------------------------------------------------------------------------
# Tasks, sites and events


ReportT = TypeVar("ReportT", bound=CrawlReport)
ItemT = TypeVar("ItemT")


def run_to_report(crawler: Crawler[Any, Any], report: ReportT) -> ReportT:
    """`crawler.run()`, then `report` says how the run ended: stopped early, inputs not done,
    and how long it took."""
    started = time.monotonic()
    try:
        crawler.run()
    finally:
        report.interrupted = crawler.interrupted
        report.failure = crawler.failure
        report.unfinished = crawler.read_count - crawler.settled
        report.elapsed = time.monotonic() - started
    return report


@dataclass(frozen=True)
class _Written(Generic[TaskT]):
    task: TaskT
    value: object
    error: BaseException | None


@dataclass(frozen=True)
class _Read(Generic[ItemT]):
    item: ItemT


@dataclass(frozen=True)
class _ReadEnd:
    count: int  # inputs read
    error: Exception | None  # why reading stopped early (an unreadable file)


class _Stop(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The engine


class Crawler(abc.ABC, Generic[ItemT, TaskT]):
    """The scheduler, the download threads, the extraction processes and the writer thread."""

    def __init__(
        self,
        items: Iterable[ItemT],
        options: CrawlOptions,
        *,
        on_notice: NoticeCallback,
        on_total: TotalCallback | None = None,
        stop: threading.Event | None = None,
        seed: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.items = iter(items)
        self.options = options
        self.on_notice = on_notice
        self.on_total = on_total
        self.stop = stop or threading.Event()
        self.clock = clock or Clock()
        self.rng = random.Random(seed)
        self.user_agent = options.fetch.user_agent or fetch_mod.DEFAULT_USER_AGENT
        self.interrupted = False  # set when `stop` ended the run early
        self.failure: NewsArchiveError | None = None  # a write that failed and ended it

        self.read_all = False
        self.read_count = 0  # written by the reader thread only
        self.received = 0  # inputs the coordinator has taken from the reader
        self.settled = 0  # inputs whose result is out
        # One permit per input read and not yet settled: the reader's window ahead of the work.
        self.room = threading.Semaphore(options.window)
        self.reader: threading.Thread | None = None
        self.sites: dict[str, Site[TaskT]] = {}
        self.rotation: deque[Site[TaskT]] = deque()  # sites with queued tasks, round robin
        self.delayed: list[tuple[float, int, TaskT]] = []  # retries: (due, seq, task)
        self.seq = itertools.count()
        self.pending = 0  # tasks scheduled and not yet settled
        self.fetching = 0
        self.picturing = 0  # pictures downloading (slots and threads of their own)
        self.pictures_queued = 0  # pictures in the sites' queues, not started yet
        self.extracting = 0  # pages in the extraction processes
        self.writing = 0  # writes queued or under way
        self.jobs = worker_count(options.jobs)
        # Pages beyond `concurrency` that may wait for extraction (see `_may_fetch`).
        self.extract_backlog = 2 * self.jobs

        self.inbox: Inbox[Fetched[TaskT] | Message | _Written[TaskT] | _Read[ItemT] | _ReadEnd] = (
            Inbox()
        )
        # (task, fetch robots.txt first?); None tells a download thread to end.
        self.jobs_queue: queue.SimpleQueue[tuple[TaskT, bool] | None] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []
        self.writer = Writer[TaskT](
            group=self._write_group,
            drop=self._drop_write,
            done=lambda task, value, error: self.inbox.put(_Written(task, value, error)),
            busy=lambda: bool(self.fetching or self.extracting),
        )
        self.workers: PageWorkers | None = None  # the extraction processes
        # Pages in the extraction processes, by job: (task, the page's HTTP status).
        self.remote: dict[int, tuple[TaskT, int | None]] = {}
        self.job_ids = itertools.count()
        self.client = fetch_mod.make_client(options.fetch)
        self.closed = threading.Event()
        # Pictures: where they are kept and how (`_use_pictures`), their download threads and
        # the articles waiting for theirs.
        self.picture_files: ImageFiles | None = None
        self.picture_client: fetch_mod.Client | None = None  # pictures' hosts: a pool apart
        self.picture_limits = ImageOptions()
        self.picture_jobs: queue.SimpleQueue[tuple[TaskT, bool] | None] = queue.SimpleQueue()
        self.picture_threads: list[threading.Thread] = []
        self.galleries = Galleries()

    # -- what subclasses do ------------------------------------------------------------------

    @abc.abstractmethod
    def _accept(self, item: ItemT) -> None:
        """Take one input: `_schedule` a task for it, or report its result at once (and
        `_settle(None)`)."""

    @abc.abstractmethod
    def _downloaded(self, task: TaskT, event: Fetched[TaskT]) -> None:
        """The request succeeded (`event.page`, or `event.answer` for an API call)."""

    @abc.abstractmethod
    def _processed(self, task: TaskT, http_status: int | None, outcome: object) -> None:
        """What `_process`'s work returned, or the exception it raised."""

    @abc.abstractmethod
    def _saved(self, task: TaskT, value: object) -> None:
        """What a write queued with `_queue_write` returned."""

    @abc.abstractmethod
    def _fail(self, task: TaskT, error: NewsArchiveError) -> None:
        """Report the task as failed (and `_settle` it)."""

    def _give_up(self, task: TaskT, error: NewsArchiveError) -> None:
        """The retries are spent, or the failure is permanent."""
        self._fail(task, error)

    def _page_work(self, task: TaskT) -> tuple[Callable[..., object], tuple[object, ...]] | None:
        """What to do with the page of `task` once downloaded, when that is known before:
        `work(page, *args)`, which an extraction process may then download and do at once
        (`_processed` gets its value); None: `_downloaded` says, here."""
        return None

    def _request(self, task: TaskT) -> Fetched[TaskT]:
        """A request that is not a page of a site (`task.crawled` False), in a download thread."""
        raise NotImplementedError(f"{type(self).__name__} makes no such requests")

    def _pictures_done(
        self, task: TaskT, pictures: dict[str, Picture], warnings: list[str]
    ) -> None:
        """Every picture asked for with `_get_pictures` is in: those held, by address, and a
        warning for each that could not be kept."""
        raise NotImplementedError(f"{type(self).__name__} downloads no pictures")

    def _picture_robots(self, site: str) -> bool:
        """Whether the robots.txt of a picture's `site` (`site_of`) applies to it
        (`options.robots`)."""
        return self.options.robots

    # -- what subclasses call ----------------------------------------------------------------

    def _schedule(self, task: TaskT) -> None:
        """Take `task` on; it is done when the subclass settles it."""
        self.pending += 1
        self._enqueue(task, front=False)
        self._start_workers()

    def _settle(self, task: TaskT | None) -> None:
        """One input is done (`task`, when one was scheduled): the reader may take one more."""
        if task is not None:
            self.pending -= 1
        self.settled += 1
        self.room.release()

    def _process(
        self, task: TaskT, http_status: int | None, work: Callable[..., object], *args: object
    ) -> None:
        """Run `work(*args)` (CPU work on a page: a module-level function) in an extraction
        process, or here with `jobs=0`; `_processed` gets its value or exception."""
        if self.workers is not None and not self.workers.failed:
            job = Job(next(self.job_ids), work, args)
            self.remote[job.id] = (task, http_status)
            self.extracting += 1
            self.workers.work(job)
            return
        try:
            outcome = work(*args)
        except Exception as exc:  # a bug in a parser must cost one URL, not the whole run
            outcome = exc
        self._processed(task, http_status, outcome)

    def _use_pictures(self, files: ImageFiles, limits: ImageOptions) -> None:
        """Pictures downloaded by `_get_pictures` are held in `files`, within `limits`."""
        self.picture_files, self.picture_limits = files, limits
        self.picture_client = fetch_mod.make_client(
            self.options.fetch, keepalive=_PICTURE_KEEPALIVE
        )

    def _get_pictures(self, task: TaskT, addresses: Iterable[str], page_url: str) -> None:
        """Download the pictures at `addresses` for the article of `task` (which stays
        pending); `_pictures_done` follows, at once when there are none."""
        wanted = list(dict.fromkeys(addresses))
        if not wanted or self.picture_files is None:
            self._pictures_done(task, {}, [])
            return
        self.galleries.open(task, wanted)
        for url in wanted:
            site = site_of(url)
            job = PictureJob(task, page_url, self._picture_robots(site))
            copy = dataclasses.replace(task, url=url, site=site, tries=0, picture=job)
            self._enqueue(copy, front=False)
        self._start_picture_threads()

    def _queue_write(self, task: TaskT, write: object, *, grouped: bool = False) -> None:
        """Have the writer thread run `write` (a callable); or, when `grouped`, pass it to
        `_write_group` with the grouped writes queued right after it. `_saved` gets what
        it returned."""
        self.writing += 1
        self.writer.put(task, write, grouped=grouped)

    def _write_group(self, writes: Sequence[object]) -> Sequence[object]:
        """Do `writes` (queued with `grouped`) together, in the writer thread; one value each."""
        raise NotImplementedError(f"{type(self).__name__} groups no writes")

    def _drop_write(self, write: object) -> None:
        """A grouped write left undone when the run stops: undo what was prepared for it."""

    # -- main loop ---------------------------------------------------------------------------

    def run(self) -> None:
        """Work until every input is settled, or until soon after `stop` is set (then
        `interrupted` is True). A write that fails (the archive cannot be written: a full
        disk) stops the run as `stop` does, and is kept in `failure`."""
        release_large_buffers()
        try:
            self._loop()
        except _Stop:
            self.interrupted = True
        except NewsArchiveError as exc:
            self.interrupted, self.failure = True, exc
        finally:
            self._shutdown()

    def _loop(self) -> None:
        self.reader = threading.Thread(target=self._read, name="newsarchive-reader", daemon=True)
        self.reader.start()
        while True:
            if self.stop.is_set():
                raise _Stop
            self._release_due()
            self._dispatch()
            if self.read_all and self.pending == 0:
                return
            timeout = self._idle_timeout()
            if not self._busy():
                # Nothing under way can send an event: only a timer can be due.
                self.clock.sleep(timeout)
                timeout = 0.0
            event = self.inbox.get(timeout)
            if event is None:
                continue
            self._handle(event)
            # Handle what else is ready before scheduling again (cheap, keeps slots full), but
            # not forever: a long run of skipped lines must not starve the downloads.
            for _ in range(256):
                if self.stop.is_set():
                    break
                if (event := self.inbox.get(0.0)) is None:
                    break
                self._handle(event)

    def _busy(self) -> bool:
        """Whether something under way will send an event: a download, an extraction, a
        write, or the reader (unless its window is full: then it waits for us)."""
        reading = not self.read_all and self.received - self.settled < self.options.window
        under_way = self.fetching + self.picturing + self.extracting + self.writing
        starting = self.workers is not None and self.workers.coming > 0
        return reading or under_way > 0 or starting

    def _idle_timeout(self) -> float:
        """How long to wait for an event: until the next retry or site slot is due."""
        now = self.clock.now()
        wake = now + 0.25  # also how quickly a stop request is noticed
        if self.delayed:
            wake = min(wake, self.delayed[0][0])
        pages, pictures = self._page_room(), self._may_fetch_picture()
        if pages or pictures:
            # `_dispatch` just ran, so a site that could start now would have: only sites
            # waiting for their spacing or pause to end set an earlier wake-up, and only for
            # what there is room for (an event makes room, and wakes the loop).
            for site in self.rotation:
                if not (pages and site.queue or pictures and site.pictures):
                    continue
                if site.active < self._site_limit(site) and not site.robots_pending:
                    ready = max(site.next_start, site.paused_until)
                    if ready > now:
                        wake = min(wake, ready)
        return max(0.0, wake - now)

    # -- reading -----------------------------------------------------------------------------

    def _read(self) -> None:
        """The reader thread: hands inputs to the coordinator, a window ahead of the work. A
        thread of its own because the next line of a pipe may take any time to come; a permit
        of `room` is taken per input and given back when its result is out."""
        try:
            while True:
                self.room.acquire()
                if self.closed.is_set():
                    return
                try:
                    item = next(self.items)
                except StopIteration:
                    break
                self.read_count += 1
                self.inbox.put(_Read(item))
        except Exception as exc:  # an unreadable list: the coordinator raises it
            self.inbox.put(_ReadEnd(self.read_count, exc))
            return
        self.inbox.put(_ReadEnd(self.read_count, None))

    def _read_ended(self, event: _ReadEnd) -> None:
        if event.error is not None:
            raise event.error
        self.read_all = True
        if self.on_total is not None:
            self.on_total(event.count)

    # -- scheduling --------------------------------------------------------------------------

    def _site_limit(self, site: Site[TaskT]) -> int:
        # A site that sets a Crawl-delay wants its requests one after another.
        return 1 if site.crawl_delay else self.options.per_host

    def _may_fetch(self, site: Site[TaskT]) -> bool:
        """Whether the next page of `site` may start downloading now.

        Pages being downloaded and pages waiting for extraction are bounded together: when
        extraction is the bottleneck, downloads slow down instead of filling memory, yet enough
        of them stay in flight that a page is ready whenever an extraction process is free.
        """
        return self._page_room() and (
            # The extraction processes download the pages: none is downloaded here while they
            # start (or while all their download threads are busy, which `concurrency` and
            # their number of threads make rare), but those this process downloads anyway:
            # a site's robots.txt and first page are fetched while the processes warm up.
            self.workers is None
            or self.workers.failed
            or self.workers.can_download()
            or self._downloaded_here(site, site.queue[0])
        )

    def _page_room(self) -> bool:
        """Whether the bounds on pages under way leave room for one more (`_may_fetch`)."""
        fetching, concurrency = self.fetching, self.options.concurrency
        return (
            fetching < concurrency
            and fetching + self.extracting < concurrency + self.extract_backlog
        )

    def _downloaded_here(self, site: Site[TaskT], task: TaskT) -> bool:
        """Whether `task`'s page is downloaded in this process whoever is ready: a site's
        first page follows its robots.txt, and API calls (the Wayback Machine's) are not
        pages an extraction process downloads (`_start`)."""
        return not task.crawled or (self.options.robots and site.policy is None)

    def _may_fetch_picture(self) -> bool:
        """Whether a picture is queued and may start downloading: as many as pages at most."""
        return self.pictures_queued > 0 and self.picturing < self.options.concurrency

    def _enqueue(self, task: TaskT, *, front: bool) -> None:
        site = self.sites.get(task.site)
        if site is None:
            site = self.sites[task.site] = Site[TaskT](task.site)
        if not site.queue and not site.pictures:
            self.rotation.append(site)
        waiting = site.queue
        if task.picture is not None:
            waiting = site.pictures
            self.pictures_queued += 1
        if front:
            waiting.appendleft(task)
        else:
            waiting.append(task)

    def _release_due(self) -> None:
        now = self.clock.now()
        while self.delayed and self.delayed[0][0] <= now:
            _, _, task = heapq.heappop(self.delayed)
            self._enqueue(task, front=True)

    def _dispatch(self) -> None:
        now = self.clock.now()
        for _ in range(len(self.rotation)):
            # Checked before each site: most of the time (extraction is the bottleneck) no
            # page may start, and the sites are looked at only for pictures, when some wait.
            pages = self._page_room()
            if not pages and not self._may_fetch_picture():
                return
            site = self.rotation.popleft()
            # A site's pages first; its pictures in the slots pages leave.
            while pages and site.queue and self._site_ready(site, now) and self._may_fetch(site):
                self._start(site, site.queue.popleft(), now)
            while site.pictures and self._site_ready(site, now) and self._may_fetch_picture():
                self.pictures_queued -= 1
                self._start(site, site.pictures.popleft(), now)
            if site.queue or site.pictures:
                self.rotation.append(site)

    def _site_ready(self, site: Site[TaskT], now: float) -> bool:
        """Whether `site` may be sent one more request now."""
        return (
            site.active < self._site_limit(site)
            and not site.robots_pending
            and now >= site.next_start
            and now >= site.paused_until
        )

    def _start(self, site: Site[TaskT], task: TaskT, now: float) -> None:
        crawled = task.picture.robots if task.picture is not None else task.crawled
        if site.closed is not None and crawled:
            reason, detail = site.closed
            if reason == "robots":  # robots.txt kept failing, which means "disallow all"
                self._lost(task, FetchError(task.url, detail, reason=reason))
            else:  # the site cannot be reached
                self._lost(task, NetworkError(task.url, detail, reason=reason), give_up=True)
            return
        robots = self.options.robots and crawled
        if robots and site.policy is not None and not site.policy.allows(task.url):
            self._fail_robots(task, site.policy)
            return
        # API calls (the Wayback Machine's endpoints) are not crawling: no robots.txt for them.
        need_robots = robots and site.policy is None
        site.robots_pending = need_robots
        site.active += 1
        site.next_start = now + self._gap(site)
        task.attempts += 1
        task.tries += 1
        if task.picture is not None:
            self.picturing += 1
            self.picture_jobs.put((task, need_robots))
        else:
            self.fetching += 1
            if need_robots or not self._download_there(task):
                self.jobs_queue.put((task, need_robots))

    def _download_there(self, task: TaskT) -> bool:
        """Have an extraction process download the page of `task` and work on it, when one is
        ready and the work is known (`_page_work`): this process is spared the download and
        the hand-over of the page. False: it is downloaded here."""
        if self.workers is None or not task.crawled or not self.workers.can_download():
            return False
        work = self._page_work(task)
        if work is None:
            return False
        job = Job(next(self.job_ids), *work, url=task.url)
        self.remote[job.id] = (task, None)
        self.workers.download(job)
        return True

    def _gap(self, site: Site[TaskT]) -> float:
        """Seconds before the next request to `site` may start: the delay asked for, or the
        site's own pace when slower (with jitter), or its Crawl-delay."""
        pace = site.pace.gap if self.options.throttle else 0.0
        gap = max(self.options.delay, pace) * self.rng.uniform(0.5, 1.5)
        return max(gap, site.crawl_delay or 0.0)

    # -- workers -----------------------------------------------------------------------------

    def _start_workers(self) -> None:
        if self.threads:
            return
        for number in range(self.options.concurrency):
            # Daemon threads: an interrupted run must not wait for a slow server to answer.
            thread = threading.Thread(
                target=self._worker, name=f"newsarchive-fetch-{number}", daemon=True
            )
            thread.start()
            self.threads.append(thread)
        self.writer.start()
        if self.jobs > 0:
            # Download threads enough for every process to hold its share of the downloads
            # in flight, and one more (`_may_fetch` bounds them all together).
            threads = -(-self.options.concurrency // self.jobs) + 1
            # The server also imports the module whose functions the processes run.
            preload = (_PRELOAD, type(self).__module__)
            self.workers = PageWorkers(
                self.jobs,
                threads=threads,
                fetch=self.options.fetch,
                inbox=self.inbox,
                preload=preload,
                setup=prepare_extraction,
            )
            # Started now: no page is downloaded until one of them is ready (`_may_fetch`),
            # but the pages this process downloads in any case.
            self.workers.start()

    def _start_picture_threads(self) -> None:
        if self.picture_threads:
            return
        for number in range(self.options.concurrency):
            thread = threading.Thread(
                target=self._picture_worker,
                name=f"newsarchive-picture-{number}",
                daemon=True,
            )
            thread.start()
            self.picture_threads.append(thread)

    def _picture_worker(self) -> None:
        """A picture download thread, at the extraction processes' lower priority where the
        system allows it (Linux sets it per thread): its CPU work (TLS, writing the file)
        then never takes a core from the coordinator, nor more than its share from the
        extraction of pages."""
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
        except (AttributeError, OSError):  # not Linux, or not allowed: no matter
            pass
        self._worker(self.picture_jobs)

    def _worker(self, jobs: queue.SimpleQueue[tuple[TaskT, bool] | None] | None = None) -> None:
        jobs = self.jobs_queue if jobs is None else jobs
        while (job := jobs.get()) is not None and not self.closed.is_set():
            started = self.clock.now()
            fetched = self._fetch(*job)
            # A picture's own latency leaves out writing it to disk, which is not the site's.
            latency = fetched.picture.latency if fetched.picture else self.clock.now() - started
            self.inbox.put(dataclasses.replace(fetched, latency=latency))
            del job, fetched  # an idle thread holds no page: done with, it is freed at once

    def _fetch(self, task: TaskT, with_robots: bool) -> Fetched[TaskT]:
        """One download job, in a download thread: robots.txt first if due, then the page (or
        the picture)."""
        if task.picture is None and not task.crawled:
            return self._request(task)
        policy: RobotsPolicy | None = None
        try:
            if with_robots:
                try:
                    policy = load_policy(
                        task.url,
                        lambda robots: fetch_mod.get_robots(
                            self.client, robots, task.url, self.options.fetch
                        ),
                        user_agent=self.user_agent,
                    )
                except FetchError as exc:
                    return Fetched(task, with_robots, None, exc, None, robots_error=True)
                if not policy.allows(task.url):
                    return Fetched(task, with_robots, None, None, policy, denied=True)
            if task.picture is not None:
                picture = self._get_picture(task.url, task.picture)
                return Fetched(task, with_robots, None, None, policy, picture=picture)
            page = fetch_mod.fetch(task.url, client=self.client, options=self.options.fetch)
            return Fetched(task, with_robots, page, None, policy)
        except NewsArchiveError as exc:
            return Fetched(task, with_robots, None, exc, policy)
        except Exception as exc:  # a bug must cost one URL, not the run
            error = FetchError(task.url, f"unexpected {type(exc).__name__}: {exc}", reason="error")
            return Fetched(task, with_robots, None, error, policy)

    def _get_picture(self, url: str, job: PictureJob) -> Picture:
        assert self.picture_files is not None and self.picture_client is not None
        return get_picture(
            url,
            client=self.picture_client,
            options=self.options.fetch,
            limits=self.picture_limits,
            files=self.picture_files,
            page_url=job.page_url,
        )

    # -- events ------------------------------------------------------------------------------

    def _handle(
        self,
        event: Fetched[TaskT] | Message | _Written[TaskT] | _Read[ItemT] | _ReadEnd,
    ) -> None:
        if isinstance(event, _Read):
            self.received += 1
            self._accept(event.item)
        elif isinstance(event, Fetched):
            self._fetched(event)
        elif isinstance(event, Message):
            self._from_worker(event)
        elif isinstance(event, _Written):
            self._written(event)
        else:
            self._read_ended(event)

    def _fetched(self, event: Fetched[TaskT]) -> None:
        task = event.task
        site = self.sites[task.site]
        site.active -= 1
        if task.picture is not None:
            self.picturing -= 1
        else:
            self.fetching -= 1
        if event.with_robots:
            site.robots_pending = False
            if event.policy is not None:
                self._set_policy(site, event.policy)
        if event.with_robots or site.crawl_delay:
            # Count the pause from the end of this request: the robots.txt request went just
            # before it, and a Crawl-delay means seconds between one request and the next.
            site.next_start = max(site.next_start, self.clock.now() + self._gap(site))
        if self.options.throttle:
            self._pace(site, event)
        task.attempts += event.requests - 1
        if event.denied and event.policy is not None:
            self._fail_robots(task, event.policy)
            return
        if event.error is not None:
            self._failed_attempt(task, site, event.error, robots=event.robots_error)
            return
        if task.picture is not None:
            self._picture_in(task, event.picture, None)
        elif event.working:  # an extraction process downloaded it and works on it already
            self.extracting += 1
        else:
            self._downloaded(task, event)

    def _from_worker(self, message: Message) -> None:
        """What an extraction process said (pageworkers.py)."""
        assert self.workers is not None
        if message.kind == "lost":
            failed = self.workers.failed
            for answer in self.workers.lost(message):
                self._from_worker(answer)
            if self.workers.failed and not failed:  # said once
                why = self.workers.why
                self.on_notice(f"extraction processes failed ({why}); extracting in this one")
                for job in self.workers.take_waiting():
                    task, status = self.remote.pop(job.id)
                    self.extracting -= 1
                    self._process(task, status, job.work, *job.args)
            return
        self.workers.settle(message)
        if message.kind == "fetched":
            task, _ = self.remote.pop(message.job)
            working = message.error is None
            if working:  # its "done" follows
                self.remote[message.job] = (task, message.status)
            self._fetched(
                Fetched(task, False, None, message.error, None, latency=message.latency,
                        working=working)
            )  # fmt: skip
        elif message.kind == "done":
            task, status = self.remote.pop(message.job)
            self.extracting -= 1
            self._processed(task, status, message.value)

    def _picture_in(
        self, task: TaskT, picture: Picture | None, error: NewsArchiveError | None
    ) -> None:
        """One picture of an article is done; when all of them are, the article goes on."""
        assert task.picture is not None
        done = self.galleries.settle(task.picture.owner, task.url, picture, error)
        if done is not None:
            owner, pictures, warnings = done
            self._pictures_done(owner, pictures, warnings)  # type: ignore[arg-type]

    def _lost(self, task: TaskT, error: NewsArchiveError, *, give_up: bool = False) -> None:
        """`task` failed for good (`give_up`: its retries are spent, or it cannot pass)."""
        if task.picture is not None:
            self._picture_in(task, None, error)
        elif give_up:
            self._give_up(task, error)
        else:
            self._fail(task, error)

    def _pace(self, site: Site[TaskT], event: Fetched[TaskT]) -> None:
        """Adapt the site's pace to this answer (`Pace`); after a failure that may pass, the
        next request to the site waits a whole (slower) pace from now."""
        if event.error is not None and is_transient(event.error):
            site.pace.struggled(self.options.backoff)
            site.next_start = max(site.next_start, self.clock.now() + self._gap(site))
        elif event.task.picture is None:
            # A page's pictures are what a reader's browser asks for all at once with the
            # page: they slow a site down when it struggles, but do not set its pace of
            # requests one after another (still at most --per-host at once).
            site.pace.answered(event.latency, ok=event.error is None)

    def _set_policy(self, site: Site[TaskT], policy: RobotsPolicy) -> None:
        site.policy = policy
        asked = policy.delay  # protego looks it up each time: keep it
        site.crawl_delay = asked
        if asked:
            said = f"{site.name}: robots.txt asks for {asked:g} s between requests"
            if asked > self.options.max_crawl_delay:
                # As with Retry-After, a site cannot hold a run for days (Crawl-delay: 99999999).
                site.crawl_delay = self.options.max_crawl_delay
                said += f"; waiting {site.crawl_delay:g} s, the most newsarchive waits"
            self.on_notice(said)
        if not policy.allow_all and policy.parser is None:
            self.on_notice(f"{site.name}: {policy.note}; nothing there will be fetched")

    def _failed_attempt(
        self, task: TaskT, site: Site[TaskT], error: NewsArchiveError, *, robots: bool
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
                self._lost(task, error)
            else:
                self._lost(task, error, give_up=True)
            return
        now = self.clock.now()
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

    def _retry_wait(self, task: TaskT, error: NewsArchiveError) -> float | None:
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

    def _fail_robots(self, task: TaskT, policy: RobotsPolicy) -> None:
        why = policy.note or f"disallowed by {robots_url(task.url)}"
        self._lost(task, FetchError(task.url, why, reason="robots"))

    # -- writing -----------------------------------------------------------------------------

    def _written(self, event: _Written[TaskT]) -> None:
        self.writing -= 1
        if event.error is not None:
            raise event.error
        self._saved(event.task, event.value)

    # -- shutdown ----------------------------------------------------------------------------

    def _report_last_saves(self) -> None:
        """Report the files written while stopping: they exist, so they count as done."""
        for event in self.inbox.drain():
            if isinstance(event, _Written) and event.error is None:
                self._written(event)

    def _shutdown(self) -> None:
        self.closed.set()
        self.room.release()  # a reader waiting for room wakes up, sees `closed` and ends
        for _ in self.threads:
            self.jobs_queue.put(None)
        for _ in self.picture_threads:
            self.picture_jobs.put(None)
        if self.picture_files is not None:  # articles that were still waiting for theirs
            self.galleries.drop(self.picture_files)
        # Queued writes are dropped when the run was stopped, and none are left otherwise.
        self.writer.stop()
        self._report_last_saves()
        if self.workers is not None:
            # When interrupted, extractions under way are abandoned.
            self.workers.close(abandon=self.interrupted)
        if not self.interrupted:
            for thread in [*self.threads, *self.picture_threads]:
                thread.join()
            self.client.close()
            if self.picture_client is not None:
                self.picture_client.close()
        # When interrupted, download threads may still be waiting on a server: they are
        # daemons holding no file, so they are left to end with the process.
        self.inbox.close()
