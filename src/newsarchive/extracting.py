"""The set-up of the extraction processes of `import` and `update` (crawl.py): the memory
settings their large page strings want, and a warm-up extraction, so that the first real
page does not pay for the extractor's lazy parts. `warmup` runs it once in the server
process they are forked from."""

from __future__ import annotations

import ctypes
from datetime import UTC, datetime

from newsarchive.capture import capture_path, seal_capture
from newsarchive.frontmatter import archiver_name
from newsarchive.models import FetchedPage
from newsarchive.naming import DEFAULT_TEMPLATE, template_path
from newsarchive.pipeline import extract_found

__all__ = ["prepare_extraction", "release_large_buffers", "tidy_heap", "warm_up"]

# A small article whose extraction runs every lazily initialised part of the extractor (the
# fallback extractors' word lists, the public-suffix list: a short domain defeats courlan's
# fast path), so that the first real page does not pay ~0.5 s for them; its title is not all
# ASCII, so that its file name loads the slugs' transliteration table (3 MB of strings).
_WARM_UP_URL = "https://www.bbc.co.uk/news/2024/01/02/warm-up"
_WARM_UP_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Warm-up’s café</title>'
    f'<link rel="canonical" href="{_WARM_UP_URL}">'
    '<meta property="article:published_time" content="2024-01-02T10:00:00+00:00"></head>'
    '<body><nav><a href="/">Home</a></nav><article><h1>Warm-up’s café</h1><p>By A. Writer</p>'
    "<p>A short paragraph, so that every fallback extractor runs once.</p></article></body></html>"
)


def prepare_extraction() -> None:
    """What an extraction process does before its first page (after the pool's own set-up,
    `workers.init_worker`): the memory setting below, and the warm-up, while the first
    requests are on the wire (once per process, unless the forkserver did it for all)."""
    release_large_buffers()
    warm_up()


_warm = False


def warm_up() -> None:
    """Do an import's work on the warm-up page once in this process (and in the processes it
    forks later): extract it, choose its pictures, render its file, name it and seal its
    capture (`pipeline.stage_found`, writing nothing). What that loads (the slugs'
    transliteration tables, the WARC writer) is then loaded once, not once a process."""
    global _warm
    if _warm:
        return
    raw = _WARM_UP_PAGE.encode("utf-8")
    page = FetchedPage(_WARM_UP_URL, _WARM_UP_URL, 200, "text/html", datetime.now(UTC), raw=raw)
    found = extract_found(page, _WARM_UP_URL, images=True)
    rel = template_path(DEFAULT_TEMPLATE, found.article)
    seal_capture(page, capture_path(str(rel), page), software=archiver_name())
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


_calls = 0


def tidy_heap(every: int) -> None:
    """On every `every`-th call, have glibc give the free pages inside its heaps back to the
    system (malloc_trim). Pages and articles of every size, made and freed in turn, leave
    holes among what lives on, which glibc keeps: the heaps of an import's main process
    grew from 22 to 30 MB in two minutes with 15-17 MB of them in use, and an extraction
    process keeps about 5 MB it does not use. A trim takes about 0.5 ms of CPU in an
    extraction process. Elsewhere than glibc there is nothing to do."""
    global _calls
    _calls += 1
    if _calls % every:
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return
    trim(0)
