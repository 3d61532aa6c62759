"""String helpers shared by the extractor: whitespace, comparison keys, URLs, Markdown.

`match_key` is how blocks of text are compared everywhere (lower-case words only, Markdown
and punctuation ignored), `compact_key` how names are (letters and digits only).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

# Control characters (C0 but tab and line feed, DEL, C1): terminal escapes (ESC, BEL, CSI),
# never text. A page that carries them in its title or text must not reach a terminal
# through `show`, `list` or `grep`.
_CONTROL = re.compile("(?<=(.))?[\x00-\x08\x0b-\x1f\x7f-\x9f]+(?=(.))?", re.S)
# One of them: a search for it is a tenth of `_CONTROL`'s, whose optional lookarounds are tried
# at every character.
_A_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# An icon font's glyphs: characters of Unicode's private use areas (a character class's
# ranges), which trafilatura's Markdown leaves out
ICON_GLYPHS = "\ue000-\uf8ff\U000f0000-\U0010ffff"
# Text that shows a reader nothing: spaces, and icons' glyphs
NOTHING_SHOWN = re.compile(rf"[\s{ICON_GLYPHS}]*")


def without_controls(text: str) -> str:
    """`text` without control characters (tabs and line feeds stay). A run of them between
    two words becomes a space, as some pages use one (BEL) to separate words."""
    if not _A_CONTROL.search(text):
        return text

    def gap(match: re.Match[str]) -> str:
        before, after = match.group(1), match.group(2)
        return " " if before and after and not before.isspace() and not after.isspace() else ""

    return _CONTROL.sub(gap, text)


def clean(text: str | None) -> str:
    """Collapse whitespace (including non-breaking spaces) and trim."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).replace("\u00ad", "").split())


# A Markdown link or image: its text may hold escaped brackets ("[\\[Live\\] ...](...)"), its
# target balanced parentheses or angle brackets, and spaces may end it (an href of the page
# that ends in one: "[text](https://x/a )" is a link to CommonMark too).
MD_LINK_RE = re.compile(
    r"!?\[((?:\\.|[^\]\\])*)\]\((?:<[^>]*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\s*\)"
)
# A Markdown picture; group 1 is its address.
MD_IMAGE_RE = re.compile(r"!\[(?:\\.|[^\]\\])*\]\(<?([^)>\s]+)>?\s*\)")


@functools.lru_cache(maxsize=256)
def match_key(text: str) -> str:
    """A comparison key: lower-case words only, so Markdown syntax and punctuation never matter.

    Cached: the passes over a page ask for the keys of the same blocks and of the same body
    again and again (about 60 % of the calls, 30 % of the characters). A page asks for about
    100 different keys: 256 hold two or three pages' worth, and little of what they keep
    alive (the long ones are the body's) outlasts them."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # Each substitution only where its markup may be: this runs on every block of every page.
    if "](" in text:
        for _ in range(3):  # keep link text, drop targets; twice for "[![alt](img)](url)"
            linked = MD_LINK_RE.sub(r" \1 ", text)
            if linked == text:
                break
            text = linked
    if "<" in text:
        text = _INLINE_TAG_RE.sub(" ", text)  # <u>, <sup>, <sub> in trafilatura's Markdown
    if "\n" in text and _LIST_ITEM_RE.match(text):
        # The markers of the lists within a list are Markdown's, not the page's words.
        text = _NESTED_MARKER_RE.sub("\n", text)
    return " ".join(_WORD_RE.findall(text))


_INLINE_TAG_RE = re.compile(r"</?[a-z]+>")
_LIST_ITEM_RE = re.compile(r"(?:[-+*]|\d{1,9}[.)])[ \t]")
_NESTED_MARKER_RE = re.compile(r"\n[ \t]+(?:[-+*]|\d{1,9}[.)])[ \t]+")
_WORD_RE = re.compile(r"[^\W_]+")


def compact_key(text: str) -> str:
    """Letters and digits only: "The Moscow Times" and "themoscowtimes" compare equal."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of one key in another."""
    if not needle:
        return False
    if len(haystack) < _INDEXED_FROM:
        return f" {needle} " in f" {haystack} "
    # The same page-sized haystack is searched for each of thousands of blocks: a scan each
    # time would make a page of many paragraphs quadratic.
    return _word_index(haystack).find(needle) is not None


# Haystacks this long are searched through a `WordIndex` rather than scanned.
_INDEXED_FROM = 4096


class WordIndex:
    """Keys (words joined by single spaces) indexed by word, so that finding which of them
    holds a key as whole words costs about the occurrences of its rarest word rather than a
    scan of them all. `find` answers as `f" {needle} " in f" {key} "` would, key by key."""

    def __init__(self, keys: list[str]) -> None:
        self.words: list[str] = []
        self.starts: list[int] = []  # where each key's words start in `words`
        for key in keys:
            self.starts.append(len(self.words))
            self.words.extend(key.split(" "))
            self.words.append("\n")  # never a word: no match runs from one key into the next
        self.at: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            self.at.setdefault(word, []).append(position)

    def find(self, needle: str, start: int = 0) -> int | None:
        """The first key, from key `start` on and then from the first key, that holds
        `needle` as whole words; None when none does."""
        if not needle:
            return None
        words = needle.split(" ")
        counts = [len(self.at.get(word, ())) for word in words]
        rarest = min(range(len(words)), key=counts.__getitem__)
        if not counts[rarest]:
            return None
        positions = self.at[words[rarest]]
        # From key `start` on first (positions are in order: jump there), then from the top.
        split = bisect.bisect_left(positions, self.starts[start] + rarest) if start else 0
        for position in itertools.chain(positions[split:], positions[:split]):
            begin = position - rarest
            if begin >= 0 and self.words[begin : begin + len(words)] == words:
                return bisect.bisect_right(self.starts, begin) - 1
        return None


@functools.lru_cache(maxsize=8)
def _word_index(key: str) -> WordIndex:
    return WordIndex([key])


def absolute_url(value: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL, or None for empty, data:, javascript: and fragment-only values."""
    value = (value or "").strip()
    if not value or value.startswith(("#", "data:", "javascript:", "mailto:", "about:")):
        return None
    if value.startswith("//"):
        value = f"https:{value}"
    if base:
        value = urljoin(base, value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return value


_MD_SPECIALS = re.compile(r"([\\*_`~\[\]<])")


def escape_md(text: str) -> str:
    """Text with the characters that Markdown would read as syntax escaped."""
    return _MD_SPECIALS.sub(r"\\\1", text)


def first_of(*values: str | None) -> str | None:
    """The first value that is not empty or blank, stripped."""
    for value in values:
        if value and value.strip():
            return value.strip()
    return None
