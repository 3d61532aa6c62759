"""Extract an archived article again from its raw capture, with no network.

For when the extractor improves: the page bytes are the ones fetched back then, the identity
(url, source), the fetch time and status and the capture reference are kept, and the file is
rewritten in place only when its content changes (a new tool version alone is not a change).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Any, Literal

from newsarchive import extract as extract_mod
from newsarchive.articles import read_article, same_file
from newsarchive.capture import Capture, read_capture
from newsarchive.decode import decode_html
from newsarchive.errors import StoreError
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
