"""The coordinator's inbox: events from its threads and messages from its processes, waited
on together.

The threads (the list reader, downloads, pictures, the writer) `put` their events. The
extraction processes' pipes are `watch`ed: the coordinator reads a process's message itself
when it comes, where it settles it, instead of a thread per process reading its pipe and
passing the messages on (a thread more for each core, each message a wake-up of that thread
and a hand-over of the GIL to it and back).

One wait covers both: a thread's `put` also writes a byte to a socket that the wait watches
with the pipes. The selector lives as long as the inbox (one system call a wait); where pipes
cannot be selected (Windows), `multiprocessing.connection.wait` takes its place.
"""

from __future__ import annotations

import queue
import selectors
import socket
import sys
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Generic, TypeVar

__all__ = ["Inbox"]

EventT = TypeVar("EventT")

_SELECTABLE_PIPES = sys.platform != "win32"


class Inbox(Generic[EventT]):
    """Events in the order each source sent them; sources interleave as they come."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[EventT] = queue.SimpleQueue()
        self.ready: deque[EventT] = deque()
        self.waker, self.bell = socket.socketpair()
        for end in (self.waker, self.bell):
            end.setblocking(False)
        # Each watched pipe, with what reads a message from it.
        self.pipes: dict[Connection, Callable[[], EventT]] = {}
        self.selector: selectors.BaseSelector | None = None
        if _SELECTABLE_PIPES:
            self.selector = selectors.DefaultSelector()
            self.selector.register(self.bell, selectors.EVENT_READ)

    def put(self, event: EventT) -> None:
        """From any thread: `event` for the coordinator."""
        self.queue.put(event)
        try:
            self.waker.send(b"\0")
        except OSError:  # full (BlockingIOError), so a wake-up is pending; or closed
            pass

    def watch(self, pipe: Connection, read: Callable[[], EventT]) -> None:
        """Call `read` for an event whenever `pipe` has something to read (or has ended)."""
        self.pipes[pipe] = read
        if self.selector is not None:
            self.selector.register(pipe, selectors.EVENT_READ, read)

    def unwatch(self, pipe: Connection) -> None:
        """Stop watching `pipe` (before it is closed)."""
        if self.pipes.pop(pipe, None) is not None and self.selector is not None:
            self.selector.unregister(pipe)

    def get(self, timeout: float) -> EventT | None:
        """The next event, waiting up to `timeout` seconds for one to come (None if none)."""
        if not self.ready:
            self._collect(timeout)
        return self.ready.popleft() if self.ready else None

    def drain(self) -> list[EventT]:
        """The events taken or put already, without waiting or reading any pipe."""
        self._take_queued()
        events = list(self.ready)
        self.ready.clear()
        return events

    def close(self) -> None:
        if self.selector is not None:
            self.selector.close()
        self.waker.close()
        self.bell.close()

    def _collect(self, timeout: float) -> None:
        """Wait for events, then take one message from each pipe that has one and all the
        threads' events (the bell is read first: a `put` after that rings it again)."""
        if self.selector is not None:
            keys = [key for key, _ in self.selector.select(timeout)]
            rung = any(key.fileobj is self.bell for key in keys)
            readers = [key.data for key in keys if key.fileobj is not self.bell]
        else:
            ready = wait([*self.pipes, self.bell], timeout)
            rung = self.bell in ready
            readers = [read for pipe, read in self.pipes.items() if pipe in ready]
        if rung:
            try:
                while self.bell.recv(4096):
                    pass
            except OSError:  # nothing more to read (BlockingIOError), or closed
                pass
        for read in readers:
            self.ready.append(read())
        self._take_queued()

    def _take_queued(self) -> None:
        """Move the threads' events put so far to `ready`."""
        while True:
            try:
                self.ready.append(self.queue.get_nowait())
            except queue.Empty:
                return
