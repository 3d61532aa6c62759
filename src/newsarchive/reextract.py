"""Extract an archived article again from its raw capture, with no network.

For when the extractor improves: the page bytes are the ones fetched back then, the identity
(url, source), the fetch time and status and the capture reference are kept, and the file is
rewritten in place only when its content changes (a new tool version alone is not a change).
Many files are done in the extraction processes (`reextract_files`), as an import extracts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Any, Literal

from newsarchive import extract as extract_mod
from newsarchive.articles import read_article, same_file
from newsarchive.capture import Capture, read_capture
from newsarchive.decode import decode_html
from newsarchive.errors import NewsArchiveError, StoreError
from newsarchive.frontmatter import (
    CAPTURE_KEYS,
    HISTORY_KEYS,
    NEWSARCHIVE_KEY,
    SAVED_KEY,
    WAYBACK_KEYS,
    dumps,
    loads,
)
from newsarchive.models import FetchedPage
from newsarchive.pipeline import render_file
from newsarchive.store import Archive
from newsarchive.workers import worker_count, worker_pool

Result = Literal["changed", "unchanged"]

# Provenance that extraction cannot know and a new extraction keeps.
_KEPT = frozenset({*CAPTURE_KEYS, *WAYBACK_KEYS, SAVED_KEY})
# Keys that change with every run or tool upgrade, and so are not a change of the article.
_VOLATILE = {NEWSARCHIVE_KEY, "extractor"}


@dataclass(frozen=True)
class Reextracted:
    path: Path
    result: Result
    text: str


def reextract_file(
    archive: Archive, path: Path, captures_root: Path, *, dry_run: bool = False
) -> Reextracted:
    """Re-run extraction for the article file at `path` from its capture.

    Raises StoreError when the file cannot be read, has no capture, or the capture is gone,
    and ExtractionError when the captured page no longer yields an article.
    """
    file = read_article(path)
    old_text, meta, body, old = file.text, file.meta, file.body, file.article()
    reference = [meta.get(key) for key in CAPTURE_KEYS]
    if not all(isinstance(value, str) and value for value in reference):
        raise StoreError(str(path), "no capture to extract from (saved page or --no-capture)")
    capture = Capture(*(str(value) for value in reference))
    final_url, status, headers, raw = read_capture(captures_root, capture)

    content_type = next((v for k, v in headers if k.lower() == "content-type"), "text/html")
    parsed = Message()
    parsed["content-type"] = content_type
    html, encoding = decode_html(raw, parsed.get_param("charset"))  # type: ignore[arg-type]
    given = old.source or old.url
    if old.extra.get("via") and old.final_url:
        # A capture of the Wayback Machine's answer: the page is the original site's.
        final_url = old.final_url
    page = FetchedPage(
        url=given,
        final_url=final_url,
        status=status,
        content_type=parsed.get_content_type(),
        html=html,
        encoding=encoding,
        fetched_at=old.fetched,
        raw=raw,
        headers=tuple(headers),
    )
    fresh = extract_mod.extract(page, url=given)
    article = dataclasses.replace(
        fresh,
        url=old.url,
        source=old.source,
        fetched=old.fetched,
        status=old.status,
        final_url=old.final_url,
        extra={**fresh.extra, **{k: v for k, v in old.extra.items() if k in _KEPT}},
    )
    new_meta, new_body = loads(render_file(article))
    new_meta.update({key: meta[key] for key in HISTORY_KEYS if key in meta})
    text = dumps(new_meta, new_body)
    if _stable(new_meta) == _stable(meta) and new_body == body:
        return Reextracted(path, "unchanged", old_text)
    if not dry_run:
        same_file(archive, path, old.url)
        archive.save(article, text, keys=[old.url], force=True)
    return Reextracted(path, "changed", text)


def _stable(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in meta.items() if k not in _VOLATILE}


def _plain(value: Any) -> Any:
    # PyYAML may read an unquoted date back as a datetime; compare as text.
    return value.isoformat() if isinstance(value, datetime) else value


ResultCallback = Callable[[Path, "Reextracted | NewsArchiveError"], None]


def reextract_files(
    archive: Archive,
    paths: Sequence[Path],
    captures_root: Path,
    *,
    dry_run: bool = False,
    jobs: int | None = None,
    on_result: ResultCallback,
) -> None:
    """`reextract_file` for each of `paths`, in extraction processes (workers.py: one per core,
    or `jobs`; 0: in this process), each file read, extracted and rewritten by one of them.
    `on_result` gets each path with what came of it, in the calling thread, as they finish;
    an error costs its own file only."""
    workers = worker_count(jobs)
    if workers == 0:
        for path in paths:
            on_result(path, _one(archive.root, archive.template, path, captures_root, dry_run))
        return
    # The server the processes are forked from loads and warms up the extractor once.
    preload = ("newsarchive.warmup", __name__)
    with worker_pool(workers, preload=preload) as pool:
        waiting: dict[Future[Reextracted | NewsArchiveError], Path] = {}
        queue = iter(paths)
        more = True
        while True:
            while more and len(waiting) < 2 * workers:  # a few ahead: no process waits
                following = next(queue, None)
                if following is None:
                    more = False
                    break
                args = (archive.root, archive.template, following, captures_root, dry_run)
                waiting[pool.submit(_one, *args)] = following
            if not waiting:
                return
            done, _ = wait(waiting, return_when=FIRST_COMPLETED)
            for job in done:
                on_result(waiting.pop(job), job.result())


def _one(
    root: Path, template: str, path: Path, captures_root: Path, dry_run: bool
) -> Reextracted | NewsArchiveError:
    """One file, in an extraction process: any failure comes back as a value and costs this
    file only."""
    try:
        return reextract_file(_archive(root, template), path, captures_root, dry_run=dry_run)
    except NewsArchiveError as exc:
        return exc
    except Exception as exc:  # a bug in a parser must cost one file, not the run
        return NewsArchiveError(f"{path}: unexpected {type(exc).__name__}: {exc}")


_archives: dict[tuple[Path, str], Archive] = {}


def _archive(root: Path, template: str) -> Archive:
    """This process's handle on the archive at `root` (one per process: it holds the index's
    connection)."""
    key = (root, template)
    if key not in _archives:
        _archives[key] = Archive(root, template=template)
    return _archives[key]
