"""The set-up of the extraction processes of `import` and `update` (crawl.py): the memory
settings their large page strings want, and a warm-up extraction, so that the first real
page does not pay for the extractor's lazy parts. `warmup` runs it once in the server
process they are forked from."""

from __future__ import annotations

import ctypes
from datetime import UTC, datetime

from newsarchive.models import FetchedPage
from newsarchive.pipeline import prepare, render_file

__all__ = ["prepare_extraction", "release_large_buffers", "warm_up"]

# A small article whose extraction runs every lazily initialised part of the extractor (the
# fallback extractors' word lists, the public-suffix list: a short domain defeats courlan's
# fast path), so that the first real page does not pay ~0.5 s for them.
_WARM_UP_URL = "https://www.bbc.co.uk/news/2024/01/02/warm-up"
_WARM_UP_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Warm-up</title>'
    f'<link rel="canonical" href="{_WARM_UP_URL}">'
    '<meta property="article:published_time" content="2024-01-02T10:00:00+00:00"></head>'
    '<body><nav><a href="/">Home</a></nav><article><h1>Warm-up</h1><p>By A. Writer</p>'
    "<p>A short paragraph, so that every fallback extractor runs once.</p></article></body></html>"
)


def prepare_extraction() -> None:
    """What an extraction process does before its first page (after the pool's own set-up,
    `workers._init_worker`): the memory setting below, and the warm-up, while the first
    requests are on the wire (once per process, unless the forkserver did it for all)."""
    release_large_buffers()
    warm_up()


_warm = False


def warm_up() -> None:
    """Extract the warm-up page once in this process (and in the processes it forks later)."""
    global _warm
    if _warm:
        return
    page = FetchedPage(
        _WARM_UP_URL, _WARM_UP_URL, 200, "text/html", _WARM_UP_PAGE, "utf-8", datetime.now(UTC)
    )
    article, _ = prepare(page, _WARM_UP_URL)
    render_file(article)
    _warm = True


def release_large_buffers() -> None:
    """Have glibc give every allocation of 128 KiB or more its own mapping, freed on release.

    Pages arrive as large strings made by many download threads. glibc raises its mmap
    threshold as such buffers are freed, then serves them from per-thread heaps, which
    fragment: a 10,000-page import grew by about 30 KB a page (past 450 MB). With the
    threshold fixed, a page's memory goes back to the system once it is done with, and the
    process stays flat. And the download threads share two heaps instead of one each
    (glibc's default allows 8 per core): 17 MB less for the coordinating process. Elsewhere
    than glibc there is nothing to tune.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD; setting it also stops its dynamic growth
    mallopt(-8, 2)  # M_ARENA_MAX
