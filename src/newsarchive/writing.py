"""The writer thread of `import` and `update` (crawl.py): the only code that writes to the
archive during a run.

A thread of its own, because each save waits for the disk (fsync) and the scheduler must keep
handing out downloads meanwhile. Grouped writes queued one after another, or within
`WRITE_GROUP_WAIT` of the first while other pages are under way (at most `WRITE_GROUP`), are
done together, each group in a call of its own, so that none is held while waiting for the
next. A write that raises ends the thread: the coordinator raises the error (the archive
cannot be written).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["WRITE_GROUP", "WRITE_GROUP_WAIT", "Writer"]

# The most grouped writes done together (the articles an import names in one transaction),
# and how long the first waits for others while pages are under way: the fsyncs and the
# transaction are shared by more articles. 0.2 s took the writer thread from 1.1 to 0.75 ms
# of CPU a page at 22 pages a second (0.5 s saved no more).
WRITE_GROUP = 64
WRITE_GROUP_WAIT = 0.2

T = TypeVar("T")
_Job = tuple[T, object, bool]  # (what it is for, a callable or a grouped write, grouped?)


class Writer(Generic[T]):
    """Writes queued with `put`, done in a thread: a callable alone, grouped writes together
    by `group` (one value each). `done(owner, value, error)` hears of each; `drop` undoes
    what was prepared for a grouped write left undone; `busy` says whether pages are on
    their way to being written."""

    def __init__(
        self,
        *,
        group: Callable[[Sequence[object]], Sequence[object]],
        drop: Callable[[object], None],
        done: Callable[[T, object, BaseException | None], None],
        busy: Callable[[], bool],
    ) -> None:
        self.group, self.drop, self.done, self.busy = group, drop, done, busy
        self.queue: queue.SimpleQueue[_Job[T] | None] = queue.SimpleQueue()
        self.closed = threading.Event()
        self.thread: threading.Thread | None = None

    def put(self, owner: T, write: object, *, grouped: bool) -> None:
        self.queue.put((owner, write, grouped))

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="newsarchive-writer", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Let a write under way finish (it is atomic anyway), drop the writes queued, undo
        what was prepared for them."""
        self.closed.set()
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        while True:
            try:
                job = self.queue.get_nowait()
            except queue.Empty:
                return
            if job is not None and job[2]:
                self.drop(job[1])

    def _run(self) -> None:
        held: deque[_Job[T] | None] = deque()
        while self.next(held):
            pass

    def next(self, held: deque[_Job[T] | None]) -> bool:
        """Do the next write, or group; False when the thread is to end."""
        job = held.popleft() if held else self.queue.get()
        if job is None or self.closed.is_set():
            if job is not None:
                self.queue.put(job)  # dropped at shutdown, as the rest of the queue
            return False
        group = self._more(job, held)
        try:
            if job[2]:
                values = list(self.group([write for _, write, _ in group]))
            else:
                write = job[1]
                assert callable(write)
                values = [write()]
        except Exception as exc:
            self.done(job[0], None, exc)
            for _, write, grouped in group[1:]:
                if grouped:
                    self.drop(write)
            return False
        for (owner, _, _), value in zip(group, values, strict=True):
            self.done(owner, value, None)
        return True

    def _more(self, job: _Job[T], held: deque[_Job[T] | None]) -> list[_Job[T]]:
        """`job`, and when grouped, the grouped writes that join it."""
        group = [job]
        deadline = time.monotonic() + WRITE_GROUP_WAIT
        while job[2] and len(group) < WRITE_GROUP:
            try:
                # What is queued joins; waiting for more is worth it only while pages are on
                # their way to being written.
                if self.busy():
                    more = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
                else:
                    more = self.queue.get_nowait()
            except queue.Empty:
                break
            if more is None or not more[2]:
                held.append(more)
                break
            group.append(more)
        return group
