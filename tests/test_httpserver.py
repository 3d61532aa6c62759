"""The test server's own bookkeeping, which other tests' assertions rest on."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

import httpserver
from httpserver import FakeWayback


def test_fake_wayback_counts_only_requests_it_has_not_answered(
    wayback: FakeWayback, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server thread may be descheduled after its answer is out and before it returns; the
    # client's next request must not count as overlapping the answered one.
    send: Callable[[httpserver._Route, BaseHTTPRequestHandler], None] = httpserver._Route.__call__

    def send_then_linger(route: httpserver._Route, handler: BaseHTTPRequestHandler) -> None:
        send(route, handler)
        time.sleep(0.2)

    monkeypatch.setattr(httpserver._Route, "__call__", send_then_linger)
    with httpx.Client() as client:
        for _ in range(3):
            client.get(f"{wayback.base}/wayback/available?url=https://example.org/a")
    assert wayback.most_in_flight == 1
