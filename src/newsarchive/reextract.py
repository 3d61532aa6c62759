"""Extract an archived article again from its raw capture, with no network.

For when the extractor improves: the page bytes are the ones fetched back then, the identity
(url, source), the fetch time and status and the capture reference are kept, and the file is
rewritten in place only when its content changes (a new tool version alone is not a change).
Many files are done in the extraction processes (`reextract_files`), as an import extracts.

Its pictures stay consistent with the new text: each picture the new extraction shows is
linked to the stored file the front-matter listed for its address, else to the picture's
response in the capture (stored now); one found in neither stays a link to its site. A
picture the new text no longer shows leaves the list, but its file stays: other articles, and
this one's earlier versions, may show it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Any, Literal

from newsarchive.articles import read_article, same_file
from newsarchive.capture import Capture, read_capture, read_responses
from newsarchive.decode import HTML_TYPES
from newsarchive.errors import NewsArchiveError, StoreError
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
from newsarchive.images.download import PICTURE_REQUESTED, Wanted
from newsarchive.images.files import ImageFiles, check_picture
from newsarchive.images.formats import BadImage, identify
from newsarchive.images.links import localize, relative_prefix
from newsarchive.models import Article, FetchedPage, StoredImage
from newsarchive.pipeline import extract_article, render_file
from newsarchive.render import render_body
from newsarchive.store import IMAGES_DIR, Archive
from newsarchive.userdata import Rewrite, body_digest, carry_over, is_edited
from newsarchive.workers import worker_count, worker_pool

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


@dataclass(frozen=True)
class Edits:
    """What a re-extraction does beyond extracting: throw hand edits of the text away
    (`discard`), and give each page at most `time_limit` seconds."""

    discard: bool = False
    time_limit: float | None = None


def reextract_file(
    archive: Archive,
    path: Path,
    captures_root: Path,
    *,
    dry_run: bool = False,
    edits: Edits | None = None,
) -> Reextracted:
    """Re-run extraction for the article file at `path` from its capture.

    What the user added is kept (userdata.py): their front-matter keys and tags, and a text
    they edited by hand. Such a text stays as it is while extraction gives the text that was
    archived; when extraction gives another, the edited file is kept as a revision first
    (thrown away with `edits.discard`).

    Raises StoreError when the file cannot be read, has no capture, or the capture is gone,
    and ExtractionError when the captured page no longer yields an article (or takes longer
    than `edits.time_limit` to extract).
    """
    edits = edits or Edits()
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
    charset = parsed.get_param("charset")
    # The capture was archived as a page: read it as one whatever its label says.
    media_type = parsed.get_content_type()
    given = old.source or old.url
    if old.extra.get("via") and old.final_url:
        # A capture of the Wayback Machine's answer: the page is the original site's.
        final_url = old.final_url
    page = FetchedPage(
        url=given,
        final_url=final_url,
        status=status,
        content_type=media_type if media_type in HTML_TYPES else "text/html",
        fetched_at=old.fetched,
        raw=raw,
        charset=charset if isinstance(charset, str) else None,
        headers=tuple(headers),
    )
    fresh = extract_article(page, given, time_limit=edits.time_limit)
    article = dataclasses.replace(
        fresh,
        url=old.url,
        source=old.source,
        fetched=old.fetched,
        status=old.status,
        final_url=old.final_url,
        extra={**fresh.extra, **{k: v for k, v in old.extra.items() if k in _KEPT}},
    )
    article, rendered = _with_pictures(
        article, page.html, given, old.images, archive, path, (captures_root, capture.path), dry_run
    )
    new_meta, new_body = loads(render_file(article, rendered))
    new_meta.update({key: meta[key] for key in HISTORY_KEYS if key in meta})
    if not edits.discard and is_edited(meta, body) and body_digest(new_body) == meta["sha256"]:
        new_body = body  # extraction gives the text archived: the user's edits of it stay
    text = carry_over(old_text, new_meta, new_body)
    if _stable(loads(text)[0]) == _stable(meta) and new_body == body:
        return Reextracted(path, "unchanged", old_text)
    if dry_run:
        return Reextracted(path, "changed", text)
    same_file(archive, path, old.url)
    rewrite = Rewrite(archive.root, captures_root, discard_edits=edits.discard)
    # The store carries the user's part over again, from the file as it is by then.
    archive.save(article, dumps(new_meta, new_body), keys=[old.url], force=True, rewrite=rewrite)
    return Reextracted(path, "changed", text, tuple(rewrite.notices))


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
    edits: Edits | None = None,
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
            on_result(
                path, _one(archive.root, archive.template, path, captures_root, dry_run, edits)
            )
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
                args = (archive.root, archive.template, following, captures_root, dry_run, edits)
                waiting[pool.submit(_one, *args)] = following
            if not waiting:
                return
            done, _ = wait(waiting, return_when=FIRST_COMPLETED)
            for job in done:
                on_result(waiting.pop(job), job.result())


def _one(
    root: Path,
    template: str,
    path: Path,
    captures_root: Path,
    dry_run: bool,
    edits: Edits | None = None,
) -> Reextracted | NewsArchiveError:
    """One file, in an extraction process: any failure comes back as a value and costs this
    file only."""
    archive = _archive(root, template)
    try:
        return reextract_file(archive, path, captures_root, dry_run=dry_run, edits=edits)
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


def _with_pictures(
    article: Article,
    html: str,
    given: str,
    listed_now: tuple[StoredImage, ...],
    archive: Archive,
    path: Path,
    capture: tuple[Path, str],
    dry_run: bool,
) -> tuple[Article, str]:
    """The article with the pictures its new text shows (module docstring), and its body."""
    from newsarchive.images.choose import choose  # the extractor is loaded by now

    body = render_body(article)
    wanted = choose(article, html, given)
    try:
        rel = path.resolve().relative_to(archive.root).as_posix()
    except ValueError:  # not in the archive: same_file refuses it below
        return article, body
    if not wanted:
        return article, body
    listed = {image.url: image for image in listed_now}
    by_ref: dict[str, StoredImage] = {}
    captured: dict[str, StoredImage | None] | None = None
    for item in wanted:
        image = _listed(item, listed, archive.root)
        if image is None:
            if captured is None:
                captured = _captured(capture, archive, {w.url for w in wanted}, dry_run)
            image = captured.get(item.url)
        if image is not None:
            by_ref[item.ref] = image
    images = tuple({image.url: image for image in by_ref.values()}.values())
    body = localize(body, by_ref, relative_prefix(rel))
    return dataclasses.replace(article, images=images), body


def _listed(item: Wanted, listed: dict[str, StoredImage], root: Path) -> StoredImage | None:
    """The stored picture the front-matter lists for `item`, when its file is whole."""
    image = listed.get(item.url)
    if image is None:  # asked of the Wayback Machine: ".../web/<time>id_/<address>"
        image = next((i for u, i in listed.items() if u.endswith(f"id_/{item.url}")), None)
    if image is None:
        return None
    size = image.bytes if image.bytes >= 0 else None
    return image if check_picture(root, image.path, image.sha256, size) is None else None


def _captured(
    capture: tuple[Path, str], archive: Archive, wanted: set[str], dry_run: bool
) -> dict[str, StoredImage | None]:
    """The pictures of `wanted` whose responses the capture holds, stored (unless `dry_run`:
    then only named), by the address asked for."""
    files = ImageFiles(archive.root, capture[0] / "images")
    found: dict[str, StoredImage | None] = {}
    for url, status, headers, body in read_responses(*capture):
        asked = next((v for k, v in headers if k == PICTURE_REQUESTED), url)
        if asked not in wanted or asked in found or status != 200:
            continue
        claimed = next((v for k, v in headers if k.lower() == "content-type"), None)
        try:
            kind = identify(body, claimed)
        except BadImage:
            continue
        if dry_run:
            digest = hashlib.sha256(body).hexdigest()
            name = f"{IMAGES_DIR}/{digest[:2]}/{digest}.{kind.extension}"
        else:
            held = files.hold(body, kind.extension)
            digest, name = held.sha256, files.name(held)
        found[asked] = StoredImage(asked, name, kind.media_type, len(body), digest)
    return found
