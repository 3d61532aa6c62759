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

from newsarchive.articles import read_article, same_file
from newsarchive.capture import Capture, read_capture
from newsarchive.decode import decode_html
from newsarchive.errors import StoreError
from newsarchive.frontmatter import (
    CANONICAL_KEY,
    CAPTURE_KEYS,
    HISTORY_KEYS,
    NEWSARCHIVE_KEY,
    SAVED_KEY,
    WAYBACK_KEYS,
    dumps,
    loads,
)
from newsarchive.models import FetchedPage
from newsarchive.pipeline import extract_article, render_file
from newsarchive.store import Archive
from newsarchive.userdata import Rewrite, body_digest, carry_over, is_edited

Result = Literal["changed", "unchanged"]

# Provenance that extraction cannot know and a new extraction keeps.
_KEPT = frozenset({*CAPTURE_KEYS, *WAYBACK_KEYS, SAVED_KEY, CANONICAL_KEY})
# Keys that change with every run or tool upgrade, and so are not a change of the article.
_VOLATILE = {NEWSARCHIVE_KEY, "extractor"}


@dataclass(frozen=True)
class Reextracted:
    path: Path
    result: Result
    text: str
    notices: tuple[str, ...] = ()  # what became of the user's edits


def reextract_file(
    archive: Archive,
    path: Path,
    captures_root: Path,
    *,
    dry_run: bool = False,
    discard_edits: bool = False,
    time_limit: float | None = None,
) -> Reextracted:
    """Re-run extraction for the article file at `path` from its capture.

    What the user added is kept (userdata.py): their front-matter keys and tags, and a text
    they edited by hand. Such a text stays as it is while extraction gives the text that was
    archived; when extraction gives another, the edited file is kept as a revision first
    (thrown away with `discard_edits`). `time_limit` bounds the extraction (seconds).

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
    fresh = extract_article(page, given, time_limit=time_limit)
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
    if not discard_edits and is_edited(meta, body) and body_digest(new_body) == meta["sha256"]:
        new_body = body  # extraction gives the text archived: the user's edits of it stay
    text = carry_over(old_text, new_meta, new_body)
    if _stable(loads(text)[0]) == _stable(meta) and new_body == body:
        return Reextracted(path, "unchanged", old_text)
    if dry_run:
        return Reextracted(path, "changed", text)
    same_file(archive, path, old.url)
    rewrite = Rewrite(archive.root, captures_root, discard_edits=discard_edits)
    # The store carries the user's part over again, from the file as it is by then.
    archive.save(article, dumps(new_meta, new_body), keys=[old.url], force=True, rewrite=rewrite)
    return Reextracted(path, "changed", text, tuple(rewrite.notices))


def _stable(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in meta.items() if k not in _VOLATILE}


def _plain(value: Any) -> Any:
    # PyYAML may read an unquoted date back as a datetime; compare as text.
    return value.isoformat() if isinstance(value, datetime) else value
