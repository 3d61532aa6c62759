"""Worker processes: one policy for how every pool of them starts, runs and ends.

Used by the extraction processes of `import` and `update` (crawl.py), the readers of a search
index build (search/) and grep's searchers.

* How many: one per core this process may use (`cores`: its affinity and its container's CPU
  quota, `worker_count`), or as many as asked for; and the downloads in flight that keep
  them busy (`default_concurrency`).
* Where from. With `preload` (modules to load once for every worker: the extractor, warmed
  up), a forkserver: a server process loads them, and each worker is a cheap fork of it. It
  is also safe while the parent runs threads (a plain fork would copy their locks), which
  `import` does. Without, a fork of the parent on Linux: the cheapest start, and the workers
  share the parent's pages; the parent must hold no lock the work needs. Elsewhere, spawn:
  a fresh interpreter (fork is not safe on macOS and does not exist on Windows).
* Priority: workers run at a lower priority (nice +5), so the process that hands out the
  work and takes the results (sends the next requests, writes the index, prints matches)
  never waits behind its own workers for a core.
* Ctrl-C reaches the whole process group; workers ignore it and the parent decides: a pool
  left on an error or an interruption is abandoned at once (`worker_pool`, `shut_down`).
* Workers die with their parent, however it ends, a kill -9 included: a worker holds both
  ends of its own task pipe, so it would never see end-of-file and would wait, or finish a
  long task, for nothing. On Linux the kernel kills it (PR_SET_PDEATHSIG) when the process
  that forked it ends (the parent, or the forkserver, which ends with the parent); where
  that is not available, a watchdog thread in the worker waits for the parent's pid to go.
"""

from __future__ import annotations

import math
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # the process machinery is loaded by the first pool, not at every start
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = [
    "DOWNLOADS_PER_CORE",
    "LEAST_DOWNLOADS",
    "WORKER_NICENESS",
    "context",
    "cores",
    "cpu_quota",
    "default_concurrency",
    "init_worker",
    "TimeUp",
    "bounded_map",
    "process_pool",
    "shut_down",
    "start_processes",
    "time_limit",
    "worker_count",
    "worker_pool",
]

WORKER_NICENESS = 5
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

if TYPE_CHECKING:
    _Context = (
        multiprocessing.context.ForkServerContext
        | multiprocessing.context.ForkContext
        | multiprocessing.context.SpawnContext
    )

_A = TypeVar("_A")
_B = TypeVar("_B")
_R = TypeVar("_R")


def cores() -> int:
    """The CPU cores this process may use: those of its affinity mask where the system says
    (`taskset`, a container's cpuset), else all of the machine's; fewer when a CPU quota (a
    container's, a service's) allows less time than that (`cpu_quota`, rounded up)."""
    try:
        count = len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        count = os.cpu_count() or 1
    quota = cpu_quota()
    return min(count, math.ceil(quota)) if quota is not None else count


_CGROUP = Path("/sys/fs/cgroup")
_OWN_CGROUPS = Path("/proc/self/cgroup")


def cpu_quota(root: Path | None = None, own: Path | None = None) -> float | None:
    """How many cores' worth of time the CPU quota of this process's cgroup allows it
    (`docker run --cpus 2.5`, a Kubernetes CPU limit, systemd's `CPUQuota=250%`: 2.5), or
    None where there is none. The tightest quota counts: its cgroup's or one above it.

    A process that may run on 16 cores but is given the time of 2 would otherwise start 16
    extraction processes, each with its memory, to share it. (loky's `cpu_count` reads the
    same files; importing it costs every command 60 ms.) `root` is where the cgroups are
    mounted and `own` the file naming this process's (`/proc/self/cgroup`)."""
    root, own = root or _CGROUP, own or _OWN_CGROUPS
    quotas = [quota for quota in map(_quota_in, _cpu_cgroups(root, own)) if quota is not None]
    return min(quotas, default=None)


def _cpu_cgroups(root: Path, own: Path) -> list[Path]:
    """The directories of this process's CPU cgroup and of those above it: cgroup v2's
    ("0::/path") under `root`, v1's ("3:cpu,cpuacct:/path") under `root/cpu`. A container
    sees its own cgroup at the top, which is also where to look when `own` is unreadable."""
    try:
        lines = own.read_text().splitlines()
    except OSError:
        lines = []
    found: list[Path] = []
    for line in lines:
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and not controllers:
            top = root
        elif "cpu" in controllers.split(","):
            top = root / "cpu"
        else:
            continue
        leaf = top / path.strip().lstrip("/")
        found += [leaf, *(above for above in leaf.parents if above.is_relative_to(top))]
    return found or [root, root / "cpu"]


def _quota_in(directory: Path) -> float | None:
    """The quota of one cgroup, in cores: `cpu.max` (v2: "250000 100000", or "max 100000"
    for none), else `cpu.cfs_quota_us` over `cpu.cfs_period_us` (v1: -1 for none)."""
    try:
        quota, period = (directory / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        try:
            quota = (directory / "cpu.cfs_quota_us").read_text()
            period = (directory / "cpu.cfs_period_us").read_text()
        except OSError:
            return None
    try:
        allowed, every = int(quota), int(period)
    except ValueError:  # "max": no limit
        return None
    return allowed / every if allowed > 0 and every > 0 else None


# An import's downloads in flight by default: per core, and at least. A page at 200 ms of
# latency takes about 40 ms of one core to extract, so 8 in flight per core keep the
# extraction processes fed; each site still gets at most `per_host` at once, at its own pace.
DOWNLOADS_PER_CORE = 8
LEAST_DOWNLOADS = 16


def default_concurrency() -> int:
    """The default number of downloads in flight, all sites together: `DOWNLOADS_PER_CORE`
    per core this process may run on (`cores`), at least `LEAST_DOWNLOADS`."""
    return max(LEAST_DOWNLOADS, DOWNLOADS_PER_CORE * cores())


def worker_count(jobs: int | None = None, *, most: int | None = None) -> int:
    """`jobs` when given, else one per core (`cores`); at most `most`."""
    count = jobs if jobs is not None else cores()
    return min(count, most) if most is not None else count


def process_pool(
    workers: int,
    *,
    preload: Sequence[str] = (),
    setup: Callable[[], None] | None = None,
) -> ProcessPoolExecutor:
    """A pool of `workers` processes started as the module docstring says; each runs
    `setup` (a module-level function) once it has started, before any work."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context(preload),
        initializer=init_worker,
        initargs=(os.getpid(), setup),
    )


@contextmanager
def worker_pool(
    workers: int,
    *,
    preload: Sequence[str] = (),
    setup: Callable[[], None] | None = None,
) -> Iterator[ProcessPoolExecutor]:
    """`process_pool` for the length of a block: waited for when the block ends, abandoned
    (its processes ended at once) when it raises, is interrupted or, in a generator, is
    closed early (`grep ... | head`)."""
    pool = process_pool(workers, preload=preload, setup=setup)
    try:
        yield pool
    except BaseException:
        shut_down(pool, abandon=True)
        raise
    shut_down(pool, abandon=False)


def shut_down(pool: ProcessPoolExecutor, *, abandon: bool) -> None:
    """Stop the pool; with `abandon`, end its processes rather than wait for their work.
    (shutdown(wait=False) instead races with the interpreter's exit in CPython 3.11 and can
    print "Bad file descriptor" tracebacks.)"""
    if abandon:
        processes = getattr(pool, "_processes", None) or {}  # None once shut down
        for process in list(processes.values()):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def start_processes(pool: ProcessPoolExecutor, count: int) -> None:
    """Start the pool's processes now, rather than as work arrives: each submission starts
    one process while none is idle. Work submitted meanwhile waits for the same lock, as it
    would have to anyway."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        for _ in range(count):
            pool.submit(os.getpid)
    except (BrokenProcessPool, RuntimeError):  # broken, or shut down already: its user sees it
        pass


def bounded_map(
    pool: ProcessPoolExecutor,
    workers: int,
    func: Callable[[_A, _B], list[_R]],
    first: _A,
    items: Iterable[_B],
) -> Iterator[_R]:
    """`func(first, item)` for each item in the pool, results in order, with only a few
    chunks in flight, so results never pile up in memory faster than they are used."""
    window = 2 * workers
    pending: deque[Future[list[_R]]] = deque()
    for item in items:
        pending.append(pool.submit(func, first, item))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


class TimeUp(BaseException):
    """Raised inside a `time_limit` block whose time ran out. A BaseException, as Ctrl-C's
    KeyboardInterrupt is, so that no `except Exception:` in a library swallows it and goes
    on with the work; the caller of `time_limit` turns it into its own error."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeUp in the block once it has run `seconds` (wall time).

    Through SIGALRM, which only the main thread of a process can receive: that is where
    pages are extracted (an extraction process's tasks run in its main thread, and so do
    `fetch` and `--jobs 0`). Elsewhere, where there is no SIGALRM, or with `seconds` None,
    the block runs without a limit.
    """
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # nobody else's alarm is set
    )
    if not usable:
        yield
        return
    assert seconds is not None
    active = True

    def ring(signum: int, frame: object) -> None:
        if active:
            raise TimeUp

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def context(preload: Sequence[str]) -> _Context:
    """How worker processes start (see the module docstring)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if preload and "forkserver" in methods:
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(list(preload))
        return server
    if not preload and sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def init_worker(parent: int, setup: Callable[[], None] | None) -> None:
    """What every worker does first (see the module docstring); then `setup`."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() here, or not allowed: no matter
        pass
    if setup is not None:
        setup()


def _die_with(parent: int) -> None:
    if sys.platform == "win32":
        return  # a worker's pipe breaks when its parent ends: it ends by itself
    if _kill_me_with_my_parent() and os.getppid() == parent:
        return
    # No PR_SET_PDEATHSIG, or the process that forked this one is a forkserver (which ends
    # with `parent`, but a second way costs nothing), or `parent` has already ended.
    threading.Thread(
        target=_exit_with, args=(parent,), name="newsarchive-watchdog", daemon=True
    ).start()


def _kill_me_with_my_parent() -> bool:
    """Have Linux send SIGKILL to this process when the one that forked it ends."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return int(prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0


def _exit_with(parent: int) -> None:
    """End this process as soon as `parent` is gone, however it ended."""
    pidfd_open = getattr(os, "pidfd_open", None)  # Linux 5.3 and later
    try:
        fd = pidfd_open(parent) if pidfd_open is not None else None
    except OSError:  # gone already, or not allowed: the loop below tells
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has ended
    else:
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                break
            except PermissionError:  # alive, under another user (a recycled pid): keep going
                pass
            time.sleep(1.0)
    os._exit(1)
