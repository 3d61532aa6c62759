"""One deadline for the whole of a request, whatever the server does.

httpx's timeouts bound each read, not a request: a server that sends its headers a byte at a
time, each within the read timeout, would hold a download forever. So every socket operation
through `DeadlineBackend` (fetch.py puts it under httpcore's connection pools) waits at most
until the deadline of the request under way in its thread (`total_deadline`). This module
needs neither httpx nor httpcore: it wraps their network backend through its interface.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["DeadlineBackend", "deadline_passed", "total_deadline"]

_deadlines = threading.local()


@contextlib.contextmanager
def total_deadline(deadline: float) -> Iterator[None]:
    """Within the block, no socket operation of a `make_client` client in this thread waits
    past `deadline` (a `time.monotonic()` value): it times out instead."""
    outer = getattr(_deadlines, "value", None)
    _deadlines.value = deadline if outer is None else min(outer, deadline)
    _deadlines.cut = False
    try:
        yield
    finally:
        _deadlines.value = outer


def _bounded(timeout: float | None) -> float | None:
    deadline: float | None = getattr(_deadlines, "value", None)
    if deadline is None:
        return timeout
    left = max(deadline - time.monotonic(), 0.001)  # 0 would mean "never wait" to a socket
    # Whether a timeout now is the deadline's rather than that of the wait itself.
    # (The request's own start takes some of its time before the first wait: a little slack.)
    _deadlines.cut = timeout is None or left < timeout - max(0.05, timeout * 0.01)
    return left if timeout is None else min(timeout, left)


def deadline_passed() -> bool:
    """Whether the last socket wait in this thread was cut short by the deadline."""
    return bool(getattr(_deadlines, "cut", False))


class _DeadlineStream:
    """A network stream whose reads, writes and TLS handshake end at the deadline."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return bytes(self._inner.read(max_bytes, _bounded(timeout)))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _DeadlineStream:
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend:
    """httpcore's network backend, with every stream it opens bounded by the deadline."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _DeadlineStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _DeadlineStream:
        return _DeadlineStream(
            self._inner.connect_unix_socket(path, _bounded(timeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
