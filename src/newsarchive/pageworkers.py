"""The extraction processes of `import` and `update`, which download pages too.

A page downloaded in the coordinating process costs it the HTTP work (about 1.4 ms of CPU a
page among 16 download threads) and then the hand-over of the page to a process (a pickled
copy of 150-400 KB through a pipe, and the wake-ups of the threads that carry it). A page
that the process extracting it downloads costs the coordinator two small messages. So each
process here runs download threads of its own, and its main thread does the CPU work on the
pages one at a time (the main thread, where a page's time limit can ring: `time_limit`).

The coordinator (crawl.py) still decides what is asked of which site when (limits, spacing,
robots.txt, retries). It sends a job; the process answers twice: "fetched" as soon as the
download is over (the site's slot is free again, or the error says whether to retry) and
"done" with what the work on the page gave. A page the coordinator downloaded itself (one
that needed the site's robots.txt first, or an answer of the Wayback Machine) goes to a
process with its job, and only "done" comes back.

Everything here runs in the coordinator's thread but the starting of processes (a thread
of its own): the coordinator reads each process's messages from its pipe (`Inbox.watch`) and
updates the pool's books with them (`settle`, `lost`).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from newsarchive import fetch as fetch_mod
from newsarchive.errors import FetchError, NetworkError, NewsArchiveError
from newsarchive.inbox import Inbox
from newsarchive.models import FetchedPage, FetchOptions
from newsarchive.workers import context, init_worker

__all__ = ["Job", "Message", "PageWorkers"]

# A process that ends this many times over its pool's size ends the pool's use: something
# kills every process (memory), and starting more would only repeat it.
_RESTARTS_PER_PROCESS = 4


@dataclass(frozen=True)
class Job:
    """Work on one page (a module-level function): with `url`, the process downloads the
    page and calls `work(page, *args)`; else `work(*args)`, the page among `args`."""

    id: int
    work: Callable[..., object]
    args: tuple[object, ...]
    url: str | None = None


@dataclass(frozen=True)
class Message:
    """What a process says about a job: "fetched" (`error`, the page's `status` and the
    download's `latency`), "done" (`value`: what the work returned, or the exception it
    raised); or about itself: "ready" (started and set up), "lost" (it ended)."""

    kind: str
    job: int = 0
    worker: int = 0
    value: object = None
    error: NewsArchiveError | None = None
    status: int | None = None
    latency: float = 0.0


@dataclass
class _Worker:
    number: int
    process: BaseProcess
    conn: Connection
    ready: bool = False
    downloading: dict[int, str] = field(default_factory=dict)  # job id: URL
    working: set[int] = field(default_factory=set)  # job ids

    @property
    def load(self) -> int:
        return len(self.downloading) + len(self.working)


class PageWorkers:
    """`count` processes, each downloading with `threads` threads (as `fetch` options say)
    and working on one page at a time. Their messages come to the coordinator's `inbox`."""

    def __init__(
        self,
        count: int,
        *,
        threads: int,
        fetch: FetchOptions,
        inbox: Inbox[Any],
        preload: Sequence[str],
        setup: Callable[[], None],
    ) -> None:
        self.count, self.threads, self.fetch, self.inbox = count, threads, fetch, inbox
        self.context = context(preload)
        self.setup = setup
        self.workers: dict[int, _Worker] = {}
        # Every process started (by the starting threads), registered or not yet: all end.
        self.processes: list[BaseProcess] = []
        self.starters: list[threading.Thread] = []
        self.numbers = itertools.count()
        self.restarts = count * _RESTARTS_PER_PROCESS
        self.waiting: deque[Job] = deque()  # pages sent while no process was ready
        self.coming = 0  # processes started or starting, not ready yet
        self.closed = False
        self.failed = False  # too many processes ended: the pool is not used any more
        self.why = ""  # how the last one ended

    # -- in the coordinator's thread ---------------------------------------------------------

    def start(self) -> None:
        """Start the processes, from a thread of their own: the first start waits for the
        forkserver to load and warm up the extractor (about 0.8 s), which must not hold up
        the coordinator meanwhile (reading the list, answering what is archived already)."""
        self.coming += self.count
        self._starter(self.count)

    def can_download(self) -> bool:
        """Whether a process is ready and has a download thread free."""
        return any(w.ready and len(w.downloading) < self.threads for w in self.workers.values())

    def download(self, job: Job) -> None:
        """Have a ready process download `job.url` and work on the page (`can_download`)."""
        ready = [w for w in self.workers.values() if w.ready and len(w.downloading) < self.threads]
        # The page will wait for its own process: the one with the fewest pages to work on
        # first, so that no process idles while another has a queue.
        worker = min(ready, key=lambda w: (len(w.working), w.load))
        worker.downloading[job.id] = job.url or ""
        self._send(worker, job)

    def work(self, job: Job) -> None:
        """Have the least busy process do `job` (once one is ready)."""
        if not any(w.ready for w in self.workers.values()):
            self.waiting.append(job)
            return
        worker = min(self.workers.values(), key=lambda w: (not w.ready, w.load))
        worker.working.add(job.id)
        self._send(worker, job)

    def settle(self, message: Message) -> None:
        """Update the books with a message from a process (before acting on it)."""
        if message.kind == "started":
            assert isinstance(message.value, _Worker)
            new = message.value
            self.workers[message.worker] = new
            self.inbox.watch(new.conn, functools.partial(_receive, new.number, new.conn))
            return
        worker = self.workers.get(message.worker)
        if worker is None:
            return
        if message.kind == "ready":
            worker.ready = True
            self.coming -= 1
            self._share_waiting()
        elif message.kind == "fetched":
            worker.downloading.pop(message.job, None)
            if message.error is None:
                worker.working.add(message.job)
        elif message.kind == "done":
            worker.working.discard(message.job)

    def lost(self, message: Message) -> list[Message]:
        """A process ended (`message.kind` "lost"): what its jobs under way come to, as
        messages, and a process started in its place (unless too many have ended)."""
        worker = self.workers.pop(message.worker, None)
        answers: list[Message] = []
        if worker is None or not worker.ready:
            self.coming -= 1
        if isinstance(message.value, BaseException):  # it could not start, or not answer
            self.why = f"{type(message.value).__name__}: {message.value}"
        if worker is not None:
            self.inbox.unwatch(worker.conn)
            worker.conn.close()
            worker.process.terminate()  # when it is alive, what it says cannot be read
            worker.process.join(5)
            why = f"the extraction process ended (exit code {worker.process.exitcode})"
            self.why = why
            # A download under way is tried again, as one that broke off (`is_transient`); a
            # page worked on may be what ended the process: it fails.
            answers = [
                Message("fetched", job, worker.number, error=NetworkError(url, why))
                for job, url in worker.downloading.items()
            ]
            answers += [
                Message("done", job, worker.number, value=ChildProcessError(why))
                for job in sorted(worker.working)
            ]
        if not self.closed:
            self.restarts -= 1
            if self.restarts >= 0 and worker is not None:
                self.coming += 1
                self._starter(1)
            elif not self.workers and self.coming == 0:
                self.failed = True  # none left, none to come: the coordinator does the work
        self._share_waiting()
        return answers

    def _share_waiting(self) -> None:
        """Send the pages that came while no process was ready (a site's first pages, which
        this process downloads as the processes start) to those ready, keeping the shares
        of those still starting: no process then idles while another holds the queue."""
        ready = sum(w.ready for w in self.workers.values())
        if ready:
            kept = len(self.waiting) * max(0, self.coming) // (ready + max(0, self.coming))
            while len(self.waiting) > kept:
                self.work(self.waiting.popleft())

    def take_waiting(self) -> list[Job]:
        """The pages sent while no process was ready, once none will be (`failed`)."""
        jobs, self.waiting = list(self.waiting), deque()
        return jobs

    def close(self, *, abandon: bool) -> None:
        """End the processes: at once with `abandon`, else once their work is done (there is
        none left when a run ends normally)."""
        self.closed = True
        for thread in self.starters:  # a process being started is started, then ended
            thread.join(30)
        registered = [worker.process for worker in self.workers.values()]
        for worker in self.workers.values():
            if not abandon:
                try:
                    worker.conn.send(None)
                except OSError:  # it has ended already
                    pass
        for process in list(self.processes):
            if abandon or process not in registered:  # not told to end: ended
                process.terminate()
        for process in list(self.processes):
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()

    def _starter(self, count: int) -> None:
        thread = threading.Thread(
            target=self._start, args=(count,), name="newsarchive-start", daemon=True
        )
        self.starters.append(thread)
        thread.start()

    def _send(self, worker: _Worker, job: Job) -> None:
        try:
            worker.conn.send(job)
        except OSError:  # the process has ended: its pipe says so, and `lost` answers
            pass

    # -- in threads of their own -------------------------------------------------------------

    def _start(self, count: int) -> None:
        for _ in range(count):
            if self.closed:
                return
            ours, theirs = self.context.Pipe()
            number = next(self.numbers)
            process = self.context.Process(
                target=_serve,
                args=(theirs, number, self.fetch, self.threads, os.getpid(), self.setup),
                # The forkserver's environment is the one it started with, maybe long ago.
                kwargs={"environment": fetch_mod.network_environment()},
                name=f"newsarchive-extract-{number}",
                daemon=True,
            )
            try:
                process.start()
            except OSError as exc:  # no more processes (a limit): the pool goes on without
                self.inbox.put(Message("lost", worker=number, value=exc))
                continue
            self.processes.append(process)
            theirs.close()
            if self.closed:  # closed meanwhile, maybe without seeing this process
                process.terminate()
                return
            # Registered by the coordinator (`settle`), before anything the process says.
            self.inbox.put(Message("started", worker=number, value=_Worker(number, process, ours)))


def _receive(number: int, conn: Connection) -> Message:
    """A message of process `number`, read when its pipe has one (`Inbox.watch`)."""
    try:
        message: Message = conn.recv()
    except (EOFError, OSError):
        return Message("lost", worker=number)
    except Exception as exc:  # a value that cannot be read back: its job fails
        return Message("lost", worker=number, value=exc)
    return message


# ---------------------------------------------------------------------------------------------
# In each process


def _serve(
    conn: Connection,
    number: int,
    options: FetchOptions,
    threads: int,
    parent: int,
    setup: Callable[[], None],
    *,
    environment: dict[str, str],
) -> None:
    """An extraction process: download threads, and pages worked on in the main thread."""
    init_worker(parent, setup)
    fetch_mod.use_network_environment(environment)
    client = fetch_mod.make_client(options)
    sending = threading.Lock()

    def send(message: Message) -> None:
        with sending:
            try:
                conn.send(message)
            except OSError:  # the coordinator has gone
                raise
            except Exception as exc:  # a value that cannot be pickled
                text = f"unexpected {type(exc).__name__} while answering: {exc}"
                conn.send(dataclasses.replace(message, value=NewsArchiveError(text)))

    downloads: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
    pages: queue.SimpleQueue[tuple[Job, FetchedPage | None] | None] = queue.SimpleQueue()
    for _ in range(threads):
        threading.Thread(
            target=_download, args=(downloads, pages, client, options, send, number), daemon=True
        ).start()
    threading.Thread(target=_take_jobs, args=(conn, downloads, pages, threads), daemon=True).start()
    send(Message("ready", worker=number))
    while (item := pages.get()) is not None:
        job, page = item
        try:
            value: object = job.work(*job.args) if page is None else job.work(page, *job.args)
        except Exception as exc:  # a bug in a parser must cost one page, not the process
            value = exc
        send(Message("done", job.id, number, value=value))
        del item, job, page, value  # an idle process holds no page


def _take_jobs(
    conn: Connection,
    downloads: queue.SimpleQueue[Job | None],
    pages: queue.SimpleQueue[tuple[Job, FetchedPage | None] | None],
    threads: int,
) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            job = None
        if job is None:
            break
        if job.url is None:
            pages.put((job, None))
        else:
            downloads.put(job)
    for _ in range(threads):
        downloads.put(None)
    pages.put(None)


def _download(
    downloads: queue.SimpleQueue[Job | None],
    pages: queue.SimpleQueue[tuple[Job, FetchedPage | None] | None],
    client: Any,
    options: FetchOptions,
    send: Callable[[Message], None],
    number: int,
) -> None:
    while (job := downloads.get()) is not None:
        assert job.url is not None
        started = time.monotonic()
        page: FetchedPage | None = None
        error: NewsArchiveError | None = None
        try:
            page = fetch_mod.fetch(job.url, client=client, options=options)
        except NewsArchiveError as exc:
            error = exc
        except Exception as exc:  # a bug must cost one URL, not the run
            error = FetchError(job.url, f"unexpected {type(exc).__name__}: {exc}", reason="error")
        status = page.status if page is not None else None
        send(Message("fetched", job.id, number, error=error, status=status,
                     latency=time.monotonic() - started))  # fmt: skip
        if page is not None:
            pages.put((job, page))
        del job, page
