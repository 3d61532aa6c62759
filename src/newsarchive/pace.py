"""A site's pace: how far apart requests to one site start, adapted to how the site answers
(as Scrapy's AutoThrottle does). crawl.py keeps one `Pace` per site."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_PACE", "PACE_CONCURRENCY", "Pace"]


# Requests to one site in flight on average, as the pace sets it (Scrapy's AutoThrottle target
# concurrency): the next request starts about one response time after the last one.
PACE_CONCURRENCY = 1.0
MAX_PACE = 60.0  # the slowest pace that response times and errors set: one request a minute


@dataclass
class Pace:
    """A site's own pace, as Scrapy's AutoThrottle sets it: the seconds between two requests
    to the site that its answers call for.

    It follows the site's response time, rising at once when the site slows down and coming
    back halfway with each answer when it speeds up again; an answer that is an error never
    makes it faster (error pages are quick). A failure that says the site is struggling (a
    timeout, a refused connection, 429, 5xx) doubles it. Nothing is known before the first
    answer, so the first requests to a site start at once: an import spread over many sites
    never waits for a pace.
    """

    gap: float = 0.0

    def answered(self, latency: float, *, ok: bool) -> None:
        target = latency / PACE_CONCURRENCY
        new = max(target, (self.gap + target) / 2)
        if ok or new > self.gap:
            self.gap = min(new, MAX_PACE)

    def struggled(self, floor: float) -> None:
        """A failure that may pass: twice the pace, and at least `floor` seconds."""
        self.gap = min(max(2 * self.gap, floor), MAX_PACE)
