"""What happened to one input (a URL or saved page given to `fetch`, a line of an import's
list, an article `update` fetched again), and the JSON object that `fetch --json`,
`import --json` and `update --json` print for it.

One type for the three commands, so that an article archived any way is described the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from newsarchive.errors import FetchError, NewsArchiveError
from newsarchive.frontmatter import COMPLETENESS_KEYS, SAVED_KEY
from newsarchive.models import Article

__all__ = ["Outcome", "Status", "is_partial"]

Status = Literal[
    "archived",  # written
    "already archived",  # known under one of its URLs: nothing written
    "replaced",  # written over the file archived for it (force)
    "dry run",  # what would be written; nothing was
    "duplicate",  # an import's list named the URL before
    "invalid",  # an import's list line that is not a URL
    "changed",  # update: a new version was written (what changed: `Outcome.changed`)
    "unchanged",  # update: the page gives the archived article; only `checked:` is new
    "gone",  # update: the page now answers 404 or 410; the article keeps its text
    "failed",
]

# The Wayback Machine's part in an article, in the order the JSON lines give it.
_WAYBACK_FIELDS = ("snapshot", "archive_url", SAVED_KEY)


def is_partial(article: Article) -> bool:
    """Whether the article holds only part of the text (a paywall teaser, a consent box)."""
    return article.extra.get(COMPLETENESS_KEYS[0]) == "partial"


@dataclass(frozen=True)
class Outcome:
    """What happened to one input."""

    target: str  # the input as given: a URL, a file path, the URL text of a list line
    status: Status
    path: Path | None = None  # the archived file (absolute); for a dry run, where it would go
    # The article's identity (normalised canonical URL); when nothing was extracted, the URL
    # as given, normalised.
    url: str | None = None
    article: Article | None = None  # None when nothing was extracted (skipped, failed)
    text: str | None = None  # the file's full text (dry runs, and for callers that want it)
    notes: tuple[str, ...] = ()  # worth telling: the live page failed and the archive's was used
    warnings: tuple[str, ...] = ()  # went wrong without failing: Save Page Now refused
    http_status: int | None = None  # the status of the page archived, or of the failure
    reason: str | None = None  # failures: a short label, e.g. "timeout", "HTTP 404", "robots"
    message: str | None = None  # failures and invalid lines: one line saying what went wrong
    source: str | None = None  # an import's list file ("-": standard input); None for `fetch`
    line: int | None = None  # and the line, 1-based
    attempts: int = 0  # an import's or an update's requests for it (retries included)
    # update: what changed ("title", "authors", "body"; empty unless "changed"); None for the
    # other commands
    changed: tuple[str, ...] | None = None
    error: NewsArchiveError | None = None  # failures: the error itself (its exit code)

    @classmethod
    def failure(cls, target: str, error: NewsArchiveError, **fields: Any) -> Outcome:
        """The input failed with `error`."""
        status = error.status if isinstance(error, FetchError) else None
        return cls(
            target,
            "failed",
            http_status=status,
            reason=error.reason,
            message=str(error),
            error=error,
            **fields,
        )

    @property
    def input(self) -> str:
        """The input as given (`target`), under the name the JSON lines give it."""
        return self.target

    @property
    def title(self) -> str | None:
        return self.article.title if self.article else None

    @property
    def published(self) -> str | None:
        return self.article.published if self.article else None

    @property
    def via(self) -> str | None:
        """ "wayback" when the article came from the Wayback Machine."""
        return self.article.extra.get("via") if self.article else None

    @property
    def snapshot(self) -> str | None:
        """For an article from the Wayback Machine: the capture time (UTC, ISO 8601)."""
        return self.article.extra.get("snapshot") if self.article else None

    @property
    def partial(self) -> str | None:
        """Why the article holds only part of the text (a paywall teaser), when it does."""
        if self.article is None or not is_partial(self.article):
            return None
        return self.article.extra.get(COMPLETENESS_KEYS[1]) or "incomplete"

    @property
    def completeness(self) -> str | None:
        """ "full" or "partial" when an article was extracted."""
        if self.article is None:
            return None
        return "partial" if self.partial else "full"

    def to_json(self, show_path: Callable[[Path], str] = str) -> dict[str, Any]:
        """The JSON object of this input, with paths as `show_path` writes them.

        An import's line has every field. `fetch` leaves out the list's (`source`, `line`,
        `error`, `attempts`), and a failure of `fetch` gives only `reason` and `error`. An
        update's article has `error` and `attempts` too, and `changed`.
        """
        listed = self.source is not None
        crawled = listed or self.changed is not None
        if self.status == "failed" and not crawled:
            return {
                "input": self.target,
                "status": self.status,
                "reason": self.reason,
                "error": self.message,
            }
        data: dict[str, Any] = {"input": self.target}
        if listed:
            data.update(source=self.source, line=self.line)
        data.update(
            status=self.status,
            path=show_path(self.path) if self.path is not None else None,
            url=self.url,
            title=self.title,
            published=self.published,
            http_status=self.http_status,
            completeness=self.completeness,
            reason=self.reason or self.partial,
        )
        if crawled:
            data.update(error=self.message, attempts=self.attempts)
        if self.changed is not None:
            data["changed"] = list(self.changed)
        data["via"] = self.via
        extra = self.article.extra if self.article else {}
        data.update((key, extra[key]) for key in _WAYBACK_FIELDS if extra.get(key))
        return data
