"""A scheduler clock for tests: the waits the crawl engine asks for, without waiting for them.

The engine (crawl.py) reads `now()` for every scheduling decision and calls `sleep()` only
when nothing is under way (no download, extraction or write) and it waits for a timer: a
site's spacing, a pause asked for with Retry-After, a retry's backoff. `VirtualClock` jumps
ahead instead of sleeping, so time stands still while a request is in flight: a server handler
that reads `now()` sees the time the request was started at, and the gaps between requests are
exactly the waits the scheduler chose, however loaded the machine is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from newsarchive.tasks import Clock

Handler = Callable[[BaseHTTPRequestHandler], None]


class VirtualClock(Clock):
    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []  # every wait the scheduler asked for, in order

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds


class Stamps:
    """Route handlers that note the clock's time of each request, then answer as `inner`."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.log: list[tuple[float, str]] = []  # (time, path), in arrival order

    def wrap(self, inner: Handler) -> Handler:
        def handle(handler: BaseHTTPRequestHandler) -> None:
            with self.lock:
                self.log.append((self.clock.now(), handler.path))
            inner(handler)

        return handle

    def times(self, path: str | None = None) -> list[float]:
        return [when for when, seen in self.log if path is None or seen == path]


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]
