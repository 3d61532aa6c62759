"""Each site's own pace (pace.py, used by crawl.py): requests to a site are spaced by its
response time and slowed by its errors, as Scrapy's AutoThrottle does, while an import
spread over many sites never waits. Checked with a virtual clock (tests/clocks.py), never by
measuring time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from clocks import Stamps, VirtualClock
from httpserver import LoopbackServer
from newsarchive.pace import MAX_PACE, Pace
from newsarchive.store import Archive
from sites import Run, article_page, flaky


def test_the_pace_follows_the_response_time_up_at_once_and_down_by_halves() -> None:
    pace = Pace()
    assert pace.gap == 0.0  # nothing known: the first request starts at once
    pace.answered(0.4, ok=True)
    assert pace.gap == pytest.approx(0.4)
    pace.answered(2.0, ok=True)  # the site slows down: at once
    assert pace.gap == pytest.approx(2.0)
    pace.answered(0.0, ok=True)  # and speeds up again: halfway with each answer
    assert pace.gap == pytest.approx(1.0)
    pace.answered(0.0, ok=True)
    assert pace.gap == pytest.approx(0.5)


def test_errors_never_make_the_pace_faster_and_struggling_doubles_it() -> None:
    pace = Pace(gap=1.0)
    pace.answered(0.01, ok=False)  # a quick 404 page
    assert pace.gap == 1.0
    pace.answered(3.0, ok=False)  # a slow one
    assert pace.gap == pytest.approx(3.0)
    pace = Pace()
    pace.struggled(1.0)
    assert pace.gap == 1.0  # at least the floor
    pace.struggled(1.0)
    pace.struggled(1.0)
    assert pace.gap == 4.0
    for _ in range(20):
        pace.struggled(1.0)
    assert pace.gap == MAX_PACE
    pace.answered(10 * MAX_PACE, ok=True)
    assert pace.gap == MAX_PACE


def slow_first_answers(
    clock: VirtualClock, stamps: Stamps, seconds: float
) -> Callable[[str], Callable[[BaseHTTPRequestHandler], None]]:
    """Routes of a site whose first two answers (to two requests sent together) take `seconds`
    of the virtual clock's time; every later answer comes at once."""
    lock = threading.Lock()

    def later() -> None:
        clock.time += seconds

    together = threading.Barrier(2, action=later, timeout=30)
    arrived = 0

    def route(body: str) -> Callable[[BaseHTTPRequestHandler], None]:
        inner = flaky(body, [])

        def handle(handler: BaseHTTPRequestHandler) -> None:
            nonlocal arrived
            with lock:
                arrived += 1
                first = arrived <= 2
            if first:
                together.wait()  # both are noted at the same time; then time moves on
            inner(handler)

        return stamps.wrap(handle)

    return route


def test_a_slow_site_gets_its_requests_spaced_by_its_response_time(
    server: LoopbackServer, tmp_path: Path
) -> None:
    def starts(throttle: bool) -> list[float]:
        clock = VirtualClock()
        stamps = Stamps(clock)
        route = slow_first_answers(clock, stamps, 1.0)
        for n in range(4):
            server.add_handler(f"/news/{n}", route(article_page(n)))
        urls = [server.url(f"/news/{n}") for n in range(4)]
        archive = Archive(tmp_path / f"throttle-{throttle}")
        run = Run(archive, urls, clock=clock, seed=1, per_host=2, robots=False, throttle=throttle)
        assert run.report.counts == {"archived": 4}
        return sorted(stamps.times())

    # Two requests at once (nothing was known yet), answered in 1 s; the third starts then.
    # The fourth waits for the site's pace (1 s, with ±50 % jitter), though two may be in
    # flight at once; without throttling it starts with the third.
    paced = starts(throttle=True)
    assert paced[:3] == [0.0, 0.0, 1.0]
    assert 1.5 <= paced[3] <= 2.5
    assert starts(throttle=False) == [0.0, 0.0, 1.0, 1.0]


def test_a_struggling_site_is_slowed_down_and_the_others_are_not(
    server: LoopbackServer, tmp_path: Path
) -> None:
    def import_both(throttle: bool) -> tuple[list[float], list[float]]:
        clock = VirtualClock()
        stamps = Stamps(clock)
        with LoopbackServer() as other:
            server.add_handler("/news/0", stamps.wrap(flaky(article_page(0), [(503, {})])))
            for n in range(1, 4):
                server.add_handler(f"/news/{n}", stamps.wrap(flaky(article_page(n), [])))
                other.add_handler(f"/other/{n}", stamps.wrap(flaky(article_page(n + 4), [])))
            urls = [server.url(f"/news/{n}") for n in range(4)]
            urls += [other.url(f"/other/{n}") for n in range(1, 4)]
            archive = Archive(tmp_path / f"throttle-{throttle}")
            run = Run(
                archive, urls, clock=clock, seed=2, per_host=2, robots=False,
                backoff=1.0, throttle=throttle,
            )  # fmt: skip
        assert run.report.counts == {"archived": 7}
        struggling = [when for when, path in stamps.log if path.startswith("/news/")]
        others = [when for when, path in stamps.log if path.startswith("/other/")]
        return sorted(struggling), others

    struggling, others = import_both(throttle=True)
    assert struggling[:2] == [0.0, 0.0]
    # After the 503, the site's next requests wait: at least half the doubled pace (1 s).
    assert all(when >= 0.5 for when in struggling[2:]), struggling
    assert others == [0.0, 0.0, 0.0]  # the other site is not slowed at all
    unthrottled, _ = import_both(throttle=False)
    assert unthrottled.count(0.0) == 4  # the other URLs did not wait for anything


def test_an_import_over_many_sites_never_waits_for_a_pace(tmp_path: Path) -> None:
    clock = VirtualClock()
    stamps = Stamps(clock)
    servers = [LoopbackServer().start() for _ in range(8)]
    try:
        urls = []
        for number, site in enumerate(servers):
            for n in range(2):
                site.add_handler(f"/news/{n}", stamps.wrap(flaky(article_page(number + n), [])))
                urls.append(site.url(f"/news/{n}"))
        run = Run(Archive(tmp_path / "a"), urls, clock=clock, seed=3)  # the defaults otherwise
    finally:
        for site in servers:
            site.stop()
    assert run.report.counts["archived"] + run.report.counts["already archived"] == 16
    assert len(stamps.log) == 16
    assert {when for when, _ in stamps.log} == {0.0} and clock.sleeps == []
