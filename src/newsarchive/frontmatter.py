"""newsarchive's file format: a YAML front-matter block, a blank line, then the Markdown body.

    ---
    title: 'Example: a headline'
    authors:
    - Jane Doe
    published: '2024-03-01T10:00:00+01:00'
    ...
    ---

    Body text.

The YAML is written by PyYAML, one key per line in block style, and must read back the same
in PyYAML, yq and Hugo. PyYAML resolves plain scalars with YAML 1.1 rules while yq and Hugo use
YAML 1.2, so strings that either version could read as a number, boolean, null or date are
always quoted, and strings holding line breaks, tabs or control characters are written
double-quoted with escapes (which also keeps every value on one line).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import yaml

from newsarchive.errors import NewsArchiveError
from newsarchive.models import Article, LeadImage, StoredImage
from newsarchive.urls import normalize_url

__all__ = [
    "CANONICAL_KEY",
    "CAPTURE_KEYS",
    "FRONT_MATTER_KEYS",
    "HISTORY_KEYS",
    "IMAGE_FIELDS",
    "IMAGES_KEY",
    "COMPLETENESS_KEYS",
    "SAVED_KEY",
    "WAYBACK_KEYS",
    "NEWSARCHIVE_KEY",
    "PAGE_TAGS_KEY",
    "FrontMatterError",
    "article_date",
    "article_from_meta",
    "article_meta",
    "stored_images",
    "archiver_name",
    "dumps",
    "is_newsarchive",
    "loads",
    "set_key",
]

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NEWSARCHIVE_KEY = "archiver"  # its value "newsarchive <version>" marks files written by us
CAPTURE_KEYS = ("capture", "capture_record", "capture_sha256")
COMPLETENESS_KEYS = ("completeness", "reason")  # only on pages that hold part of the article
HISTORY_KEYS = ("checked", "gone", "revisions")  # added by `update` (revisions.py)
# The pictures kept with the article (images/): a list of mappings with these keys.
IMAGES_KEY = "images"
IMAGE_FIELDS = ("url", "path", "type", "bytes", "sha256")
# An article that came from the Wayback Machine (wayback.py): `via: wayback`, the capture
# time (UTC) and the archive's address of the capture.
WAYBACK_KEYS = ("via", "snapshot", "archive_url")
SAVED_KEY = "saved_snapshot"  # --save-to-wayback: the address of the capture it asked for
# The tags the page gave, as newsarchive last wrote them: what `tags` holds beyond them was
# added by the user, and what they left out of it was removed by the user (userdata.py).
PAGE_TAGS_KEY = "page_tags"
# A page's canonical URL when it is on another site than the page: recorded, not its `url`.
CANONICAL_KEY = "canonical"
# Every key newsarchive writes, in the order it writes them. Every other key is the user's.
FRONT_MATTER_KEYS = (
    *("title", "authors", "published", "date_source", *COMPLETENESS_KEYS, "modified", "url"),
    CANONICAL_KEY,
    *("source", "site", "hostname", "description", "language", "tags", PAGE_TAGS_KEY),
    "categories",
    *("image", "image_caption", "image_credit", "fetched", "status", "final_url"),
    *(*WAYBACK_KEYS, SAVED_KEY, "sha256"),
    *(NEWSARCHIVE_KEY, "extractor", *CAPTURE_KEYS, IMAGES_KEY, *HISTORY_KEYS),
)

# Keys written even when empty, so every archived file has the same minimal shape.
_ALWAYS = frozenset(
    {"title", "authors", "published", "date_source", "url", "fetched", "status", "sha256"}
    | {NEWSARCHIVE_KEY}
)


class FrontMatterError(NewsArchiveError):
    """A file whose front-matter block cannot be read."""

    reason = "broken front-matter"

    def __init__(self, detail: str) -> None:
        super().__init__(f"broken front-matter: {detail}")
        self.detail = detail


@functools.cache
def archiver_name() -> str:
    """ "newsarchive <version>": the value of the key that marks our files."""
    import newsarchive  # its version, looked up on first use

    return f"newsarchive {newsarchive.__version__}"


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # the model promises UTC; a naive value is taken as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(value: object) -> datetime | None:
    """A datetime for an ISO 8601 string, date or datetime; None when there is none to read."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:  # "2024-03-01 (updated)" and the like: the date in front is still the date
        return datetime.combine(date.fromisoformat(text[:10]), time())
    except ValueError:
        return None


def article_date(article: Article) -> tuple[datetime, str]:
    """The date an article is filed under and where it came from: "published", "snapshot"
    or "fetched".

    The published date keeps the offset the page gave (a Moscow paper's 00:30 stays on its
    own day); without a readable published date, an article from the Wayback Machine is
    dated by its capture (it was online then), any other by the fetch time (UTC).
    """
    published = _parse_datetime(article.published)
    if published is not None:
        return published, "published"
    captured = _parse_datetime(article.extra.get("snapshot"))
    if captured is not None:
        return (captured if captured.tzinfo else captured.replace(tzinfo=UTC)), "snapshot"
    fetched = article.fetched
    return (fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)), "fetched"


def article_meta(article: Article, body: str) -> dict[str, Any]:
    """The front-matter mapping for `article`, whose Markdown after the front-matter is `body`."""
    try:
        url: str | None = normalize_url(article.url)
    except NewsArchiveError:  # e.g. a local file with no known URL: keep what we were given
        url = article.url or None
    image = article.image
    meta: dict[str, Any] = {
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published or None,
        "date_source": article_date(article)[1],
        # A paywall teaser or a cookie-consent interstitial: "partial", and why (extract/walls.py).
        **{key: article.extra.get(key) for key in COMPLETENESS_KEYS},
        "modified": article.modified,
        "url": url,
        CANONICAL_KEY: article.extra.get(CANONICAL_KEY),
        "source": article.source,
        "site": article.site,
        "hostname": article.hostname,
        "description": article.description,
        "language": article.language,
        "tags": list(article.tags),
        PAGE_TAGS_KEY: list(article.tags),  # what the user adds to or drops from `tags` shows
        "categories": list(article.categories),
        "image": image.url if image else None,
        "image_caption": image.caption if image else None,
        "image_credit": image.credit if image else None,
        "fetched": _utc_iso(article.fetched),
        "status": article.status,
        "final_url": article.final_url,
        # From the Wayback Machine (wayback.py): via, snapshot time, the archive's address.
        **{key: article.extra.get(key) for key in (*WAYBACK_KEYS, SAVED_KEY)},
        "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        NEWSARCHIVE_KEY: archiver_name(),
        "extractor": article.extra.get("extractor"),
        # The raw HTTP response (capture.py): path under the captures root, record, body digest.
        **{key: article.extra.get(key) for key in CAPTURE_KEYS},
        # The pictures kept with it (images/): where each came from and where it is.
        IMAGES_KEY: [
            {name: getattr(image, name) for name in IMAGE_FIELDS} for image in article.images
        ],
    }
    return {
        key: value
        for key, value in meta.items()
        if key in _ALWAYS or (value is not None and value != "" and value != [])
    }


# Plain scalars that some YAML reader would not read back as the same string. PyYAML already
# quotes what its YAML 1.1 resolver would turn into something else; these add what YAML 1.2
# readers (yq, Hugo) resolve differently: "1e3", "09", "0o17", "+.5", y/n, and any date-like
# string, so dates stay strings everywhere (a YAML timestamp would not round-trip exactly).
_AMBIGUOUS = re.compile(
    r"""
    [-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?  # numbers
    | [-+]?0[bBoOxX][0-9a-fA-F_]+                                           # 0b / 0o / 0x
    | [-+]?\.?(?:inf|infinity|nan)                                          # .inf, .nan
    | y|n|yes|no|on|off|true|false|null|~                                   # booleans, null
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt\ ].*)?                           # dates
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)
# Characters that must be escaped: line breaks (YAML folds them in other styles), tabs and
# anything outside the printable set PyYAML writes unescaped.
_NEEDS_ESCAPE = re.compile(
    "[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010fffe]|[\x85\u2028\u2029\ufeff]"
)


class _Dumper(yaml.SafeDumper):
    """SafeDumper with the quoting rules above; everything else is PyYAML's safe output."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if _NEEDS_ESCAPE.search(value):
        style = '"'
    elif _AMBIGUOUS.fullmatch(value):
        style = "'"  # PyYAML falls back to double quotes if single quotes cannot hold it
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)

_OPENING = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSING = re.compile(r"^---[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
_NO_WRAP = 2**31 - 1  # PyYAML folds long values at `width`; a title must stay on one line


def _dump(meta: Mapping[Any, Any], *, flow: bool = False) -> str:
    try:
        # yaml.safe_dump with our SafeDumper subclass (safe_dump cannot take a Dumper).
        return yaml.dump(
            dict(meta),
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None if flow else False,
            width=_NO_WRAP,
        )
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"cannot write {exc}") from exc


def dumps(meta: Mapping[str, Any], body: str, *, keep_from: str | None = None) -> str:
    """The text of a file: front-matter for `meta`, a blank line, then `body` unchanged.

    With `keep_from` (the text of the file this one replaces), every key of its front-matter
    that newsarchive does not write (`FRONT_MATTER_KEYS`), and every comment, is carried over
    as the user wrote it, line for line, after the key of ours it followed (see
    `_carried_over`). Keys of ours in `meta` replace theirs.
    """
    header = _dump(meta)
    if keep_from is not None:
        header = _carried_over(header, list(meta), keep_from)
    return f"---\n{header}---\n\n{body}"


def _block_span(text: str) -> tuple[int, int, int] | None:
    """Where the front-matter block is: (start, end) of its YAML and where the body starts;
    None when the text has no block. FrontMatterError when one is opened but not closed."""
    opening = _OPENING.match(text)
    if opening is None:
        return None
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        raise FrontMatterError("no closing '---' line")
    return opening.end(), closing.start(), closing.end()


def loads(text: str) -> tuple[dict[str, Any], str]:
    """Split a file into its front-matter mapping and its body.

    A text without a front-matter block gives `({}, text)`. Raises FrontMatterError when a
    block is opened but not closed, is not valid YAML, or is not a mapping.
    """
    span = _block_span(text)
    if span is None:
        return {}, text
    start, end, body_start = span
    meta = _read_block(text[start:end])
    body = text[body_start:]
    # dumps puts one blank line between the block and the body.
    if body.startswith("\n"):
        body = body[1:]
    elif body.startswith("\r\n"):
        body = body[2:]
    return meta, body


def _read_block(block: str) -> dict[str, Any]:
    meta = _read_simple(block)
    if meta is None:
        try:
            # libyaml's parser, when PyYAML was built with it, reads front-matter ~5x faster.
            meta = yaml.load(block, Loader=_SafeLoader)
        except yaml.YAMLError as exc:
            raise FrontMatterError(_describe_yaml_error(exc)) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(f"expected a mapping of keys, found a {type(meta).__name__}")
    return meta


# -- the user's lines ------------------------------------------------------------------------
#
# A rewrite (reextract, update, fetch --force) or a `tag`/`note` edit must keep what the user
# wrote in the front-matter as they wrote it: their keys with their quoting, order and
# comments. So the block is cut into its top-level entries, each a key's lines (its value on
# the following lines too: indented lines, `- item` lines, blank lines inside a block scalar)
# or a run of comment lines, and the user's entries are copied as text.

_OWN_KEYS = frozenset(FRONT_MATTER_KEYS)
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|\r?$)")


_COMMENT = None  # the key of an entry of comment lines
_NOT_READ = object()  # the key of an entry not read yet


def _cut(block: str) -> list[list[Any]]:
    """The block's top-level entries in order, as [key, text]: key None for comment lines."""
    entries: list[list[Any]] = []
    comments: list[str] = []
    for line in block.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if bare.startswith("#"):
            comments.append(line)
        elif not bare.strip() or bare[0] in " \t" or bare == "-" or bare.startswith("- "):
            # The value of the entry above goes on (a comment among its lines stays with it).
            if entries and entries[-1][0] is not _COMMENT:
                entries[-1][1] += "".join(comments) + line
            else:
                entries.append([_COMMENT, "".join(comments) + line])
            comments = []
        else:
            if comments:
                entries.append([_COMMENT, "".join(comments)])
                comments = []
            entries.append([_NOT_READ, line])
    if comments:
        entries.append([_COMMENT, "".join(comments)])
    return entries


def _entries(block: str, meta: Mapping[Any, Any]) -> list[tuple[Any, str]] | None:
    """The block's entries as (key, text), key None for comments; None when the block cannot
    be cut up so that each entry reads on its own as what the whole says of its key (YAML
    anchors and aliases, a flow mapping, a document marker)."""
    entries = _cut(block)
    read: dict[Any, Any] = {}
    for entry in entries:
        key, text = entry
        if key is _COMMENT:
            if text.strip() and not all(
                line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()
            ):
                return None
            continue
        match = _KEY_LINE.match(text)
        simple = match is not None and "&" not in text and "*" not in text
        try:
            value = _read_simple(text) if simple else None
            if value is None:
                value = yaml.load(text, Loader=_SafeLoader)
        except yaml.YAMLError:
            return None
        if not isinstance(value, dict) or len(value) != 1:
            return None
        entry[0] = next(iter(value))
        read.update(value)
    if read.keys() != meta.keys() or any(read[k] != meta[k] for k in read):
        return None
    return [(key, text) for key, text in entries]


def _carried_over(header: str, keys: list[str], old_text: str) -> str:
    """`header` (the YAML dumped for `keys`, one entry each, in order) with the user's entries
    of `old_text`'s front-matter put back: each after the key of ours it followed there (or
    the nearest one before that which is still written), those before any key of ours first.
    A block that cannot be cut into entries has its user keys dumped again after ours: their
    values are kept, not their style."""
    try:
        span = _block_span(old_text)
    except FrontMatterError:
        return header
    if span is None:
        return header
    old_block = old_text[span[0] : span[1]]
    try:
        old_meta = _read_block(old_block)
    except FrontMatterError:
        return header
    if all(key in _OWN_KEYS for key in old_meta) and "#" not in old_block:
        return header  # nothing of the user's: the usual case, and a quick one
    entries = _entries(old_block, old_meta)
    if entries is None:
        theirs = {k: v for k, v in old_meta.items() if k not in _OWN_KEYS and k not in keys}
        return header + (_dump(theirs) if theirs else "")
    ours = set(keys)
    after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for key, text in entries:
        if key in _OWN_KEYS:
            if key in ours:
                anchor = key
        elif key not in ours:
            after.setdefault(anchor, []).append(text)
    ours_written = _top_level(header)
    if len(ours_written) != len(keys):  # not one entry per key: theirs go last
        return header + "".join(text for texts in after.values() for text in texts)
    out = after.get(None, [])[:]
    for key, text in zip(keys, ours_written, strict=True):
        out.append(text)
        out.extend(after.get(key, ()))
    return "".join(out)


def _top_level(header: str) -> list[str]:
    """The entries of a block `_dump` wrote: one per key, each from its column-0 line."""
    entries: list[str] = []
    for line in header.splitlines(keepends=True):
        if entries and (line.startswith((" ", "- ")) or line.rstrip("\n") == "-"):
            entries[-1] += line
        else:
            entries.append(line)
    return entries


def set_key(text: str, key: str, value: Any) -> str:
    """`text` with the front-matter entry of `key` replaced by `value` (removed when `value`
    is None, added when missing), and every other byte as it was.

    A new entry goes after the keys newsarchive writes before it (`FRONT_MATTER_KEYS`), or,
    for a key of the user's, at the end of the block. A list written in flow style
    (`tags: [a, b]`) stays in flow style. Raises FrontMatterError when the text has no
    front-matter, or one that cannot be edited without rewriting the rest.
    """
    span = _block_span(text)
    if span is None:
        raise FrontMatterError("no front-matter block")
    start, end, _ = span
    block = text[start:end]
    entries = _entries(block, _read_block(block))
    if entries is None:
        raise FrontMatterError(
            "it cannot be edited without rewriting the rest (YAML anchors or a flow mapping)"
        )
    index = next((i for i, (k, _) in enumerate(entries) if k == key), None)
    flow = index is not None and entries[index][1].partition(":")[2].lstrip().startswith("[")
    new = "" if value is None else _dump({key: value}, flow=flow)
    if index is not None:
        # A comment or blank line that ended the old entry stays where it was.
        entries[index] = (key, new + _trailing_lines(entries[index][1]))
    elif value is not None:
        index = _insertion_point(entries, key)
        if index > 0 and not entries[index - 1][1].endswith("\n"):
            entries[index - 1] = (entries[index - 1][0], entries[index - 1][1] + "\n")
        entries.insert(index, (key, new))
    return text[:start] + "".join(t for _, t in entries) + text[end:]


def _trailing_lines(entry: str) -> str:
    """The comment and blank lines that end an entry's text (kept when it is replaced)."""
    lines = entry.splitlines(keepends=True)
    kept: list[str] = []
    while len(lines) > 1 and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        if lines[-1].startswith((" ", "\t")) and lines[-1].strip():
            break  # an indented comment is part of the value
        kept.insert(0, lines.pop())
    return "".join(kept)


def _insertion_point(entries: list[tuple[Any, str]], key: str) -> int:
    if key not in _OWN_KEYS:
        return len(entries)
    before = set(FRONT_MATTER_KEYS[: FRONT_MATTER_KEYS.index(key)])
    place = 0
    for i, (other, _) in enumerate(entries):
        if other in before:
            place = i + 1
    return place


# -- reading the common case without a YAML parser -------------------------------------------
#
# What `dumps` writes is a small part of YAML: one `key: scalar` per line, and lists as `key:`
# followed by `- scalar` lines. Scalars are plain, single-quoted, or double-quoted when they
# need escapes. `_read_simple` reads exactly that part, about ten times faster than libyaml
# (which matters when a reindex or grep reads 100,000 files), and gives up (None) on
# anything else, which then goes to the YAML parser: hand-edited files, comments, nesting,
# escapes, and every plain scalar YAML would not read as a string or a decimal integer.
# Plain scalars are resolved by PyYAML's own table of implicit types, so a value is read
# as the same type either way; tests/test_frontmatter.py checks the two readers agree.

_IMPLICIT: dict[Any, list[tuple[str, re.Pattern[str]]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
_STR, _INT, _NULL = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "null"))
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"')  # without escapes
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
# Characters YAML treats specially anywhere (line breaks other than \n, tabs, control and
# non-printable characters, a byte-order mark): a block holding any goes to the parser.
_SPECIAL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff\U0010ffff]"
)
# A plain scalar cannot start with these, except "-", "?" and ":" followed by a non-space.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_UNKNOWN = object()
_PLAIN_KEYS: set[str] = set()  # keys already known to be plain strings
_SCALARS: dict[str, object] = {}  # values already read (str, int or None)


def _implicit_tag(plain: str) -> str:
    """The type YAML 1.1 gives a plain scalar, by PyYAML's resolver table."""
    for tag, pattern in _IMPLICIT.get(plain[:1], ()):
        if pattern.match(plain):
            return tag
    return _STR


def _simple_scalar(text: str) -> object:
    """The value of a one-line scalar, or _UNKNOWN when YAML must decide."""
    value = _SCALARS.get(text, _UNKNOWN)
    if value is _UNKNOWN:
        value = _read_scalar(text)
        if value is not _UNKNOWN and not isinstance(value, list):
            if len(_SCALARS) >= 4096:
                _SCALARS.clear()
            _SCALARS[text] = value  # language, status, site: the same in many files
    return value


def _read_scalar(text: str) -> object:
    first = text[:1]
    if first == "'":
        match = _SINGLE_QUOTED.fullmatch(text)
        return match.group(1).replace("''", "'") if match else _UNKNOWN
    if first == '"':
        match = _DOUBLE_QUOTED.fullmatch(text)
        return match.group(1) if match else _UNKNOWN
    if text == "[]":
        return []
    if first in _INDICATORS and not (first in "-?:" and text[1:2] not in ("", " ")):
        return _UNKNOWN
    if text.endswith((" ", ":")) or ": " in text or " #" in text:
        return _UNKNOWN
    tag = _implicit_tag(text)
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _INT and _DECIMAL.fullmatch(text):
        return int(text)
    return _UNKNOWN


def _plain_key(key: str) -> bool:
    """Whether `key` is a key the quick reader reads as YAML does: a plain ASCII name that
    YAML takes for a string."""
    if key not in _PLAIN_KEYS:
        if not (key.isidentifier() and key.isascii()) or _implicit_tag(key) != _STR:
            return False
        _PLAIN_KEYS.add(key)
    return True


def _entry(text: str) -> tuple[str, object] | None:
    """`key: scalar` (a line of a mapping in a list), else None."""
    key, colon, raw = text.partition(":")
    if not colon or not raw.startswith(" ") or not _plain_key(key):
        return None
    value = _simple_scalar(raw[1:])
    return None if value is _UNKNOWN else (key, value)


def _read_simple(block: str) -> dict[str, Any] | None:
    """The mapping in a front-matter block written the way `dumps` writes, else None."""
    if _SPECIAL.search(block):
        return None
    meta: dict[str, Any] = {}
    list_key: str | None = None  # the last "key:" line without a value: its items follow
    items: list[object] = []
    mapping: dict[str, object] | None = None  # the list item being read, when a mapping
    for line in block.split("\n"):
        if line.startswith("- "):
            if list_key is None:
                return None
            entry = _entry(line[2:])  # "- key: value" opens a mapping (the `images:` list)
            item: object = _simple_scalar(line[2:]) if entry is None else dict([entry])
            if item is _UNKNOWN:
                return None
            mapping = item if isinstance(item, dict) else None
            if not items:
                meta[list_key] = items
            items.append(item)
            continue
        if mapping is not None and line.startswith("  "):  # "  key: value" goes on with it
            entry = _entry(line[2:])
            if entry is None or entry[0] in mapping:
                return None
            mapping[entry[0]] = entry[1]
            continue
        mapping = None
        key, colon, raw = line.partition(":")
        if not colon:
            if line == "":  # the end of the block, or a blank line (YAML skips those too)
                continue
            return None
        if not _plain_key(key):
            return None
        if raw in ("", " "):  # a list follows, or nothing (null)
            meta[key] = None
            list_key, items = key, []
            continue
        if raw[0] != " ":
            return None
        value = _simple_scalar(raw[1:])
        if value is _UNKNOWN:
            return None
        meta[key] = value
        list_key = None
    return meta


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        # The mark counts lines from 0 after the opening "---": file line = mark + 2.
        return f"invalid YAML: {exc.problem} (line {exc.problem_mark.line + 2} of the file)"
    return f"invalid YAML: {' '.join(str(exc).split())}"


def is_newsarchive(meta: Mapping[str, Any]) -> bool:
    """True when `meta` is the front-matter of a file newsarchive wrote."""
    value = meta.get(NEWSARCHIVE_KEY)
    return isinstance(value, str) and (value == "newsarchive" or value.startswith("newsarchive "))


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _texts(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value if item is not None and item != "")
    return (str(value),)


def stored_images(meta: Mapping[str, Any]) -> tuple[StoredImage, ...]:
    """The pictures the front-matter lists under `images:` (entries without a path, address
    or digest, as a hand edit may leave them, are passed over)."""
    listed = meta.get(IMAGES_KEY)
    if not isinstance(listed, list):
        return ()
    images = []
    for entry in listed:
        if not isinstance(entry, dict):
            continue
        url, path, digest = (_text(entry.get(name)) for name in ("url", "path", "sha256"))
        size = entry.get("bytes")
        if url and path and digest:
            count = size if isinstance(size, int) and not isinstance(size, bool) else -1
            images.append(StoredImage(url, path, _text(entry.get("type")) or "", count, digest))
    return tuple(images)


def article_from_meta(meta: Mapping[str, Any], body: str) -> Article:
    """Rebuild an Article from front-matter and body, as far as the keys allow.

    Lenient about hand edits (a single author instead of a list, an unquoted date); only a
    missing or unreadable `fetched` time raises FrontMatterError, as an Article needs one.
    """
    fetched = _parse_datetime(meta.get("fetched"))
    if fetched is None:
        raise FrontMatterError("no readable 'fetched' time")
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=UTC)
    image_url = _text(meta.get("image"))
    image = (
        LeadImage(
            url=image_url,
            caption=_text(meta.get("image_caption")),
            credit=_text(meta.get("image_credit")),
        )
        if image_url
        else None
    )
    status = meta.get("status")
    extra = {
        key: value
        for key in (
            *("extractor", CANONICAL_KEY, *CAPTURE_KEYS),
            *(*COMPLETENESS_KEYS, *WAYBACK_KEYS, SAVED_KEY),
        )
        if (value := _text(meta.get(key))) is not None
    }
    return Article(
        url=_text(meta.get("url")) or "",
        title=_text(meta.get("title")) or "",
        body=body,
        fetched=fetched.astimezone(UTC),
        authors=_texts(meta.get("authors")),
        published=_text(meta.get("published")),
        modified=_text(meta.get("modified")),
        site=_text(meta.get("site")),
        hostname=_text(meta.get("hostname")),
        description=_text(meta.get("description")),
        language=_text(meta.get("language")),
        tags=_texts(meta.get("tags")),
        categories=_texts(meta.get("categories")),
        image=image,
        images=stored_images(meta),
        source=_text(meta.get("source")),
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        final_url=_text(meta.get("final_url")),
        extra=extra,
    )
