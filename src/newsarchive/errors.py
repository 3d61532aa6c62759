"""Every error newsarchive raises on purpose: a message a user can act on, and a short reason.

`str(error)` is one line that names the input and says what went wrong. `error.reason` is a
short, stable label used to group failures in batch summaries ("timeout", "HTTP 404", ...).
The CLI maps each class to an exit code in one place (`newsarchive.cli.ExitCode`).
"""

from __future__ import annotations

from typing import TypeVar


class NewsArchiveError(Exception):
    """Base class of every error the library raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled (to cross from an extraction process) without calling the constructor,
        # whose arguments differ between subclasses: the message and attributes are restored.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(
    cls: type[NewsArchiveError], args: tuple[object, ...], state: dict[str, object]
) -> NewsArchiveError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class UsageError(NewsArchiveError):
    """The input itself is wrong: not a URL, a bad template, a bad config file."""

    reason = "usage"


class InvalidURLError(UsageError):
    """Not an http(s) URL (or an existing local HTML file)."""

    reason = "invalid URL"

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url


class TemplateError(UsageError):
    """A `--template` that cannot produce a safe relative `.md` path."""

    reason = "bad template"


class ConfigError(UsageError):
    """A config file that cannot be read or has unknown or mistyped keys."""

    reason = "bad config"


class FetchError(NewsArchiveError):
    """Getting the page failed. Subclasses say whether the network, HTTP or content did."""

    reason = "fetch failed"

    def __init__(
        self, url: str, detail: str, *, reason: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(f"{url}: {detail}", reason=reason)
        self.url = url
        self.detail = detail
        self.status = status


class NetworkError(FetchError):
    """DNS failure, refused connection, timeout, TLS failure, redirect loop, broken response."""

    reason = "network"


class HTTPStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""

    reason = "HTTP error"


class NoSnapshotError(HTTPStatusError):
    """The web archive holds no usable copy of the page."""

    reason = "no snapshot"


class ContentError(FetchError):
    """The response is not an HTML page we may keep: wrong type, too large, a compression bomb."""

    reason = "content refused"


class ExtractionError(NewsArchiveError):
    """The page holds no article text that can be archived."""

    reason = "no article text"

    def __init__(self, url: str, detail: str = "no article text found") -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.detail = detail


class StoreError(NewsArchiveError):
    """The archive on disk cannot be read or written."""

    reason = "archive error"

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


_E = TypeVar("_E", bound=NewsArchiveError)


def with_detail(error: _E, detail: str, *, url: str | None = None) -> _E:
    """A copy of `error` (same class, reason and status) that says `detail` about its URL
    (or about `url` instead).

    For errors that carry a `url` and a `detail` (FetchError, ExtractionError); the copy is
    made without calling the constructor, whose arguments differ between subclasses.
    """
    url = url or getattr(error, "url", None)
    copy = type(error).__new__(type(error))
    copy.__dict__.update(error.__dict__)
    copy.args = (f"{url}: {detail}" if url else detail,)
    copy.__dict__.update(url=url, detail=detail)
    return copy
