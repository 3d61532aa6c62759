"""What the crawl engine (crawl.py) works with: how politely it downloads (`CrawlOptions`),
its clock, which failures it retries and how long it waits, the tasks it downloads, the sites
it schedules them by, what a download brings back, and the totals of a run."""

from __future__ import annotations

import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from newsarchive.errors import HTTPStatusError, NetworkError, NewsArchiveError
from newsarchive.images.download import Picture
from newsarchive.models import FetchedPage, FetchOptions
from newsarchive.pace import Pace
from newsarchive.robots import RobotsPolicy
from newsarchive.workers import default_concurrency

__all__ = [
    "Clock",
    "CrawlOptions",
    "CrawlReport",
    "Fetched",
    "PictureJob",
    "Site",
    "Task",
    "TaskT",
    "backoff_delay",
    "is_transient",
]


@dataclass(frozen=True)
class CrawlOptions:
    """How politely and how fast pages are downloaded. The defaults are `import`'s."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    # Requests in flight, all sites together: by default enough to keep every core busy.
    concurrency: int = field(default_factory=default_concurrency)
    per_host: int = 2  # requests in flight to one site
    delay: float = 0.0  # least mean seconds between two requests to one site (jittered 0.5x-1.5x)
    throttle: bool = True  # adapt each site's pace to its response times and errors (`Pace`)
    retries: int = 3  # further attempts after a failure that may pass
    backoff: float = 1.0  # seconds before the first retry; doubles each time (jittered)
    max_backoff: float = 60.0  # longest wait between two attempts that we choose ourselves
    max_retry_after: float = 600.0  # a server asking for a longer pause fails the URL instead
    max_crawl_delay: float = 60.0  # a longer robots.txt Crawl-delay is cut to this
    robots: bool = True  # honour robots.txt (rules and Crawl-delay)
    jobs: int | None = None  # extraction processes; None: one per core; 0: in this process
    window: int = 1000  # inputs read ahead of the work (bounds memory)

    def __post_init__(self) -> None:
        for name in ("concurrency", "per_host", "window"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        limits = ("max_backoff", "max_retry_after", "max_crawl_delay")
        for name in ("delay", "retries", "backoff", *limits):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.jobs is not None and self.jobs < 0:
            raise ValueError("jobs must not be negative")


class Clock:
    """The scheduler's time: the monotonic clock, and a real sleep while nothing is under way."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# ---------------------------------------------------------------------------------------------
# Retry policy

# Failures that say nothing about the next attempt: a name that does not resolve, a bad
# certificate or a redirect loop will be the same in a second.
_PERMANENT_NETWORK_REASONS = frozenset(
    {"DNS", "TLS", "redirect loop", "too many redirects", "bad redirect", "proxy"}
)
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 507, 509})


def is_transient(error: NewsArchiveError) -> bool:
    """Whether trying again later may succeed."""
    if isinstance(error, HTTPStatusError):
        status = error.status or 0
        return status in _TRANSIENT_STATUSES or 520 <= status <= 530
    if isinstance(error, NetworkError):
        return error.reason not in _PERMANENT_NETWORK_REASONS
    return False


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    Exponential with "equal jitter": half the step is fixed and half random, so clients that
    failed together do not retry together, and no wait collapses to nothing.
    """
    step: float = min(cap, base * 2.0 ** (attempt - 1))
    return step / 2 + rng.uniform(0, step / 2)


# ---------------------------------------------------------------------------------------------
# Tasks, sites and what a download brings back


@dataclass
class CrawlReport:
    """Totals of one crawl (import or update); `counts` keys are the statuses of its results."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # failed items by reason
    interrupted: bool = False
    failure: NewsArchiveError | None = None  # what stopped it early: a write that failed
    unfinished: int = 0  # items under way or queued when the crawl was stopped
    elapsed: float = 0.0  # seconds

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    @property
    def done(self) -> int:
        return sum(self.counts.values())


@dataclass
class Task:
    """One page to download; subclasses add what the page is for."""

    url: str  # the page's URL
    site: str  # scheme://host[:port] the next request goes to (limits, spacing, robots.txt)
    attempts: int = field(default=0, kw_only=True)  # requests made for it, all stages
    tries: int = field(default=0, kw_only=True)  # requests of this stage: retry limit, backoff
    # Set on a copy of an article's task that downloads one of its pictures (`url`).
    picture: PictureJob | None = field(default=None, kw_only=True)

    @property
    def crawled(self) -> bool:
        """Whether the next request is for a page of the site, which its robots.txt governs
        (not an API call: those go to `Crawler._request`)."""
        return True


@dataclass(frozen=True)
class PictureJob:
    """What a picture task is for: the article's own task, and whether the picture's host's
    robots.txt applies (not for a picture asked of the Wayback Machine)."""

    owner: Task
    page_url: str  # the article's page (the Referer)
    robots: bool


TaskT = TypeVar("TaskT", bound=Task)


@dataclass
class Site(Generic[TaskT]):
    """Per-site scheduling state."""

    name: str
    queue: deque[TaskT] = field(default_factory=deque)
    pictures: deque[TaskT] = field(default_factory=deque)  # served after `queue`
    active: int = 0
    next_start: float = 0.0  # clock time before which no request may start
    paused_until: float = 0.0  # set when the site asks us to back off
    policy: RobotsPolicy | None = None
    crawl_delay: float | None = None  # from robots.txt (Crawl-delay or Request-rate)
    pace: Pace = field(default_factory=Pace)
    robots_pending: bool = False
    # Set when robots.txt could not be read even after retries: (reason, detail) that every
    # other URL of the site fails with at once, instead of each going through its own retries.
    closed: tuple[str, str] | None = None


@dataclass(frozen=True)
class Fetched(Generic[TaskT]):
    """What one download job brought back."""

    task: TaskT
    with_robots: bool  # this job fetched the site's robots.txt first
    page: FetchedPage | None
    error: NewsArchiveError | None
    policy: RobotsPolicy | None  # the site's rules, when this job fetched them
    denied: bool = False  # robots.txt disallows the URL
    robots_error: bool = False  # `error` happened while reading robots.txt
    requests: int = 1  # requests this job made (a Wayback lookup and its snapshot: 2)
    answer: str | None = None  # a request answered with a value, not a page (Save Page Now)
    picture: Picture | None = None  # a picture task's download
    latency: float = 0.0  # seconds from the start of the job to its answer
    working: bool = False  # an extraction process downloaded the page and works on it
