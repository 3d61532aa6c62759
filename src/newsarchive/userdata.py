"""What in an article file is the user's, and how every rewrite keeps it.

newsarchive rewrites an archived file when it extracts it again (`reextract`), when the page
changed or was checked (`update`), when asked to fetch it again (`fetch --force`), and when
the user tags it or adds a note (`tag`, `note`). Each rewrite goes through `Archive.save`
(or `Archive.edit`) with a `Rewrite`, which keeps:

* every front-matter key newsarchive does not write (`frontmatter.FRONT_MATTER_KEYS`): its
  lines are carried over as they were, quoting, comments and order included, after the key
  of ours they followed;
* the user's tags. `tags` holds the page's tags and the user's; `page_tags` records the
  page's tags as newsarchive last wrote them. A tag in `tags` that `page_tags` lacks was
  added by the user, and one of `page_tags` missing from `tags` was removed by the user: so
  a hand edit of `tags` (in Obsidian, say) survives as well as `newsarchive tag` does. A file
  written before `page_tags` existed counts all its tags as the user's;
* an edited body. `sha256` is the digest of the text as archived: a body that no longer
  matches it was edited by hand. A rewrite that replaces it first keeps the whole file, as
  the user left it, as a revision (listed under `revisions:` and shown by `history` and
  `diff`) and says so; `discard_edits` is the explicit way to throw such edits away.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsarchive.errors import StoreError
from newsarchive.frontmatter import (
    FRONT_MATTER_KEYS,
    PAGE_TAGS_KEY,
    FrontMatterError,
    dumps,
    loads,
    set_key,
)
from newsarchive.leftovers import remove_leftovers, temp_name

__all__ = [
    "EDITED",
    "Rewrite",
    "body_digest",
    "carry_over",
    "edit_tags",
    "is_edited",
    "keep_revision",
    "merge_tags",
    "revision_name",
    "update_keys",
]

# A revision entry whose file is a version the user had edited by hand says so in `changed`.
EDITED = "edited"


def body_digest(body: str) -> str:
    """The `sha256` newsarchive records for a body."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def is_edited(meta: Mapping[str, Any], body: str) -> bool:
    """Whether `body` is no longer the text newsarchive archived (its recorded `sha256`)."""
    recorded = meta.get("sha256")
    return isinstance(recorded, str) and recorded != body_digest(body)


def _strings(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item is not None and str(item) != ""]
    if value is None or value == "":
        return []
    return [str(value)]


def merge_tags(current: object, recorded: object, page: list[str]) -> list[str]:
    """The tags to write: the page's (`page`), less those the user removed, then those the
    user added, in their order. `current` is the file's `tags`, `recorded` its `page_tags`
    (None for a file written before the record existed: all its tags are then the user's)."""
    mine = _strings(current)
    before = _strings(recorded)
    removed = {tag.casefold() for tag in before} - {tag.casefold() for tag in mine}
    merged: list[str] = []
    seen: set[str] = set()
    added = [tag for tag in mine if tag not in before]
    for tag in [*(t for t in page if t.casefold() not in removed), *added]:
        if tag not in seen:
            seen.add(tag)
            merged.append(tag)
    return merged


def edit_tags(current: object, add: list[str], remove: list[str]) -> list[str]:
    """`current` tags with `add` appended (unless there in any case) and `remove` taken out
    (in any case)."""
    tags = _strings(current)
    gone = {tag.casefold() for tag in remove}
    tags = [tag for tag in tags if tag.casefold() not in gone]
    for tag in add:
        if tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags


def keep_revision(root: Path, rel: str, data: bytes) -> str:
    """Write `data` to `root/rel` atomically, never over an existing file (`-2`, `-3`… is
    added to the name instead); return the path used, relative to `root`."""
    target = root / rel
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target.parent)
        temp = target.with_name(temp_name(target.name))
        temp.write_bytes(data)
        try:
            for number in range(1, 1000):
                name = target if number == 1 else target.with_name(f"{target.stem}-{number}.md")
                try:
                    os.link(temp, name)
                except FileExistsError:
                    continue
                return name.relative_to(root).as_posix()
        finally:
            temp.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(str(target), f"cannot keep the revision: {exc.strerror or exc}") from exc
    raise StoreError(str(target), "too many revisions with this name")


def revision_name(archive_root: Path, path: Path, when: datetime) -> str:
    """Where a revision of the article at `path` goes under the revisions root:
    `revisions/<article path without .md>/<time>.md`."""
    rel = path.relative_to(archive_root).as_posix().removesuffix(".md")
    return f"revisions/{rel}/{when.astimezone(UTC):%Y%m%dT%H%M%SZ}.md"


@dataclass
class Rewrite:
    """How a rewrite of an archived file keeps what the user put in it: called by the store
    with the file's path, its bytes and the new text, under the archive's lock; returns the
    text to write instead.

    `revisions` is where an edited version is kept (the captures directory, as for `update`),
    or None when it is kept by the caller already. With `discard_edits`, it is not kept.
    What was done with an edited version is told in `notices`.
    """

    archive_root: Path
    revisions: Path | None
    discard_edits: bool = False
    keep_history: bool = True  # carry `revisions:` over when the new text has none
    notices: list[str] = field(default_factory=list)
    edited: bool = False  # the file replaced held hand edits of its text

    def __call__(self, path: Path, old: bytes, new_text: str) -> str:
        meta, body = loads(new_text)
        try:
            old_text = old.decode("utf-8")
            old_meta, old_body = loads(old_text)
        except (UnicodeDecodeError, FrontMatterError) as exc:
            # Not something newsarchive can read any more: all of it is the user's.
            detail = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
            self._keep(path, old, meta, {}, f"unreadable ({detail})")
            return dumps(meta, body)
        if is_edited(old_meta, old_body) and old_body != body:
            self.edited = True
            self._keep(path, old, meta, old_meta, "its text was edited by hand")
        return carry_over(old_text, meta, body, keep_history=self.keep_history)

    def _keep(
        self, path: Path, old: bytes, meta: dict[str, Any], old_meta: dict[str, Any], why: str
    ) -> None:
        shown = str(path)
        if self.discard_edits:
            self.notices.append(f"{shown}: {why}; the edits are discarded (--discard-edits)")
            return
        if self.revisions is None:
            return
        when = datetime.fromtimestamp(_mtime(path), UTC)
        kept = keep_revision(self.revisions, revision_name(self.archive_root, path, when), old)
        entry = {
            "fetched": old_meta.get("fetched"),
            "sha256": hashlib.sha256(_body_bytes(old)).hexdigest(),
            "changed": [EDITED],
            "file": kept,
        }
        meta["revisions"] = [*_list(meta.get("revisions")), entry]
        self.notices.append(f"{shown}: {why}; your version is kept as {self.revisions / kept}")


def carry_over(old_text: str, meta: dict[str, Any], body: str, *, keep_history: bool = True) -> str:
    """The file for `meta` and `body` (as newsarchive extracted them) replacing `old_text`:
    with the user's keys and comments as they were, the user's tags merged with the page's
    (`merge_tags`), and, with `keep_history`, the old file's `revisions:` when `meta` has
    none. Pure: nothing is written."""
    try:
        old_meta, _ = loads(old_text)
    except FrontMatterError:
        return dumps(meta, body)
    page = _strings(meta.get(PAGE_TAGS_KEY, meta.get("tags")))
    tags = merge_tags(old_meta.get("tags"), old_meta.get(PAGE_TAGS_KEY), page)
    meta = _with_tags(meta, tags, page)
    if keep_history and "revisions" not in meta and old_meta.get("revisions"):
        meta["revisions"] = old_meta["revisions"]
    return dumps(meta, body, keep_from=old_text)


def update_keys(text: str, values: Mapping[str, Any]) -> str:
    """`text` with the front-matter keys of `values` set (a value of None removes its key),
    every other line as it was; when the block cannot be edited line by line, it is written
    again from its values (the user's keys keep their values, not their style)."""
    try:
        for key, value in values.items():
            text = set_key(text, key, value)
    except FrontMatterError:
        meta, body = loads(text)
        ours = {k: v for k, v in meta.items() if k in FRONT_MATTER_KEYS}
        for key, value in values.items():
            ours.pop(key, None)
            if value is not None:
                ours[key] = value
        return dumps(ours, body, keep_from=text)
    return text


def _with_tags(meta: dict[str, Any], tags: list[str], page: list[str]) -> dict[str, Any]:
    """`meta` with `tags` and the `page_tags` record, at their place in newsarchive's order."""
    rest = {k: v for k, v in meta.items() if k not in ("tags", PAGE_TAGS_KEY)}
    ours = {"tags": tags or None, PAGE_TAGS_KEY: page or None}
    place = FRONT_MATTER_KEYS.index("tags")
    out: dict[str, Any] = {}
    for key, value in rest.items():
        if ours and key in FRONT_MATTER_KEYS and FRONT_MATTER_KEYS.index(key) > place:
            out.update((k, v) for k, v in ours.items() if v is not None)
            ours = {}
        out[key] = value
    out.update((k, v) for k, v in ours.items() if v is not None)
    return out


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _body_bytes(data: bytes) -> bytes:
    try:
        return loads(data.decode("utf-8"))[1].encode("utf-8")
    except (UnicodeDecodeError, FrontMatterError):
        return data


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return datetime.now(UTC).timestamp()
