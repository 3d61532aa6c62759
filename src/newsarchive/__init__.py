"""newsarchive: archive news articles as clean, dated Markdown files with YAML front-matter.

    from newsarchive import Archive, archive_url

    outcome = archive_url("https://example.org/2021/09/14/story", Archive("archive"))
    print(outcome.status, outcome.path, outcome.article.title)

The public names are loaded on first use, so `import newsarchive` stays cheap and importing
one module (say `newsarchive.urls`) does not pull in the extractor.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Archive": "newsarchive.store",
    "Article": "newsarchive.models",
    "FetchOptions": "newsarchive.models",
    "FetchedPage": "newsarchive.models",
    "LeadImage": "newsarchive.models",
    "Outcome": "newsarchive.outcome",
    "archive_url": "newsarchive.pipeline",
    "render_file": "newsarchive.pipeline",
    "NewsArchiveError": "newsarchive.errors",
    "UsageError": "newsarchive.errors",
    "InvalidURLError": "newsarchive.errors",
    "FetchError": "newsarchive.errors",
    "NetworkError": "newsarchive.errors",
    "HTTPStatusError": "newsarchive.errors",
    "ContentError": "newsarchive.errors",
    "ExtractionError": "newsarchive.errors",
    "StoreError": "newsarchive.errors",
    "NoSnapshotError": "newsarchive.errors",
    "WaybackOptions": "newsarchive.wayback",
}
# Public name -> the name it has in its module, where they differ.
_RENAMED = {"archive_url": "archive_target"}

__all__ = [
    "Archive",
    "Article",
    "ContentError",
    "ExtractionError",
    "FetchError",
    "FetchOptions",
    "FetchedPage",
    "HTTPStatusError",
    "InvalidURLError",
    "LeadImage",
    "NetworkError",
    "NewsArchiveError",
    "NoSnapshotError",
    "Outcome",
    "StoreError",
    "UsageError",
    "WaybackOptions",
    "__version__",
    "archive_url",
    "render_file",
]

if TYPE_CHECKING:
    from newsarchive.errors import (
        ContentError,
        ExtractionError,
        FetchError,
        HTTPStatusError,
        InvalidURLError,
        NetworkError,
        NewsArchiveError,
        NoSnapshotError,
        StoreError,
        UsageError,
    )
    from newsarchive.models import Article, FetchedPage, FetchOptions, LeadImage
    from newsarchive.outcome import Outcome
    from newsarchive.pipeline import archive_target as archive_url
    from newsarchive.pipeline import render_file
    from newsarchive.store import Archive
    from newsarchive.wayback import WaybackOptions


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Looked up on first use: importing importlib.metadata costs every command ~60 ms.
        from importlib.metadata import PackageNotFoundError, version

        try:
            globals()[name] = version("newsarchive")
        except PackageNotFoundError:  # a source tree that was never installed
            globals()[name] = "0+unknown"
        return globals()[name]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'newsarchive' has no attribute {name!r}")
    value = getattr(import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value
