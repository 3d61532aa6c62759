"""robots.txt: what a site allows us to fetch, and how often (the only module importing protego).

Rules follow RFC 9309 as major crawlers apply it:

- 2xx: the file is parsed (protego, which handles wildcards, `$`, Allow/Disallow precedence,
  Crawl-delay and Request-rate);
- 4xx other than 429: the site has no rules for us, everything is allowed;
- 429 and 5xx: the site is unreachable for now, so nothing is allowed (the batch engine retries
  such answers with backoff before it settles on this).

Network failures are not a policy: callers see the `FetchError` and decide (the batch engine
retries, then reports the real cause instead of a misleading "robots" failure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

__all__ = [
    "ROBOTS_MAX_BYTES",
    "RobotsGetter",
    "RobotsPolicy",
    "load_policy",
    "policy_from_response",
    "robots_url",
    "site_of",
]

# Google reads the first 500 KiB of a robots.txt and ignores the rest; so do we.
ROBOTS_MAX_BYTES = 500 * 1024

# GET a robots.txt URL (following redirects) -> (HTTP status, body text). Raises FetchError
# when no HTTP answer came back at all.
RobotsGetter = Callable[[str], tuple[int, str]]


def site_of(url: str) -> str:
    """`scheme://host[:port]`: the scope of one robots.txt (RFC 9309, section 2.3)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def robots_url(url: str) -> str:
    return site_of(url) + "/robots.txt"


@dataclass(frozen=True)
class RobotsPolicy:
    """One site's rules for one user agent."""

    user_agent: str  # the full User-Agent header: protego finds the product token in it
    parser: Protego | None = None  # None: no rules; `allow_all` decides
    allow_all: bool = True
    note: str = ""  # why there are no rules, e.g. "robots.txt answered HTTP 503"

    def allows(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        # protego wants the path relative to the site; it accepts a full URL too.
        return bool(self.parser.can_fetch(url, self.user_agent))

    @property
    def delay(self) -> float | None:
        """Seconds to leave between two requests: Crawl-delay, or what Request-rate implies."""
        if self.parser is None:
            return None
        delays: list[float] = []
        crawl_delay = self.parser.crawl_delay(self.user_agent)
        if crawl_delay is not None and crawl_delay > 0:
            delays.append(float(crawl_delay))
        rate = self.parser.request_rate(self.user_agent)
        if rate is not None and rate.requests > 0 and rate.seconds > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays) if delays else None


def policy_from_response(status: int, text: str, *, user_agent: str) -> RobotsPolicy:
    """The policy a robots.txt response implies (pure; see the module docstring)."""
    if 200 <= status < 300:
        # An oversized file is cut, not refused: the rules that matter come first.
        content = text[:ROBOTS_MAX_BYTES]
        return RobotsPolicy(user_agent, Protego.parse(content))
    if 400 <= status < 500 and status != 429:
        return RobotsPolicy(user_agent, note=f"no robots.txt (HTTP {status})")
    return RobotsPolicy(user_agent, allow_all=False, note=f"robots.txt answered HTTP {status}")


def load_policy(url: str, get: RobotsGetter, *, user_agent: str) -> RobotsPolicy:
    """Fetch and interpret the robots.txt of `url`'s site. Network failures propagate."""
    status, text = get(robots_url(url))
    return policy_from_response(status, text, user_agent=user_agent)
