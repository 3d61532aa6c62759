"""Text integrity: what the stored body says against what the page itself shows.

Used by `quality.py`; every count is computed against the page's own visible text, read here
from the HTML with lxml, independently of the extractor:

- the page's **lines**: text between block elements (and at `<br>`, and at each line break
  inside `<pre>`, which a browser shows), whitespace as it is in the source (a browser
  collapses it; the measures below only look at where it is);
  scripts, styles, hidden elements and ruby annotations (`<rt>`, `<rp>`) are not shown;
- **glued words**: a stored word (whitespace-delimited) that is two words the page shows
  with whitespace, or a block boundary, between them at an element boundary ("diaper</a>
  from" stored as "diaperfrom"), and that the page never shows as one word;
- **split words**: two stored words that the page shows as one, split only by an element
  boundary ("<b>un</b>believable" stored as "un believable"), never shown apart;
- **broken paragraphs**: a line break of the stored body (within a block or between two)
  where the page shows the words on either side on one line, and nowhere across a break
  (nor across a line between them that the body left out, as a link under a headline);
- **duplicated blocks**: a stored block of 100 characters or more whose words the body holds
  more often than the page shows them;
- **placeholders**: stored pictures that are `data:` URIs, spacer files (blank, spacer, leer,
  pixel, transparent, placeholder, 1x1) or that the page declares 2 pixels wide or high or
  less; and stored `javascript:` links.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections import Counter
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

# Elements a browser lays out as blocks (or table cells, list items, line breaks): their edges
# end a line of text.
BLOCKS = frozenset(
    """address article aside blockquote body center dd details dialog dir div dl dt fieldset
    figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody td tfoot th thead tr ul caption
    colgroup option optgroup br""".split()
)
# Elements whose source line breaks a browser shows as line breaks.
PREFORMATTED = frozenset("pre listing plaintext xmp textarea".split())
# Elements whose text a reader never sees as text.
UNSHOWN = frozenset(
    "head script style noscript template title meta link rt rp svg math iframe object".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(
    ord(c) for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff"
)  # soft hyphen, zero-width characters: no browser shows them


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE)


@dataclasses.dataclass
class PageText:
    """The page's visible lines and, for each, the offsets where an element starts or ends."""

    lines: list[str]
    bounds: list[set[int]]


def page_text(html: str) -> PageText:
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    lines: list[str] = []
    bounds: list[set[int]] = []
    parts: list[str] = []
    cuts: set[int] = set()
    length = 0

    preformatted = 0  # inside <pre> (or the like), where the source's line breaks show

    def add(text: str | None) -> None:
        nonlocal length
        if not text:
            return
        text = _norm(text)
        pieces = text.split("\n") if preformatted else [text]
        for n, piece in enumerate(pieces):
            if n:
                newline()
            parts.append(piece)
            length += len(piece)

    def cut() -> None:
        cuts.add(length)

    def newline() -> None:
        nonlocal parts, cuts, length
        line = "".join(parts)
        if line.strip():
            lines.append(line)
            bounds.append(cuts)
        parts, cuts, length = [], set(), 0

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        shown = tag and tag not in UNSHOWN and el.get("hidden") is None
        shown = shown and not _HIDDEN_STYLE.search(el.get("style") or "")
        nonlocal preformatted
        if shown:
            block = tag in BLOCKS
            newline() if block else cut()
            preformatted += tag in PREFORMATTED
            add(el.text)
            for child in el:
                walk(child)
            preformatted -= tag in PREFORMATTED
            newline() if block else cut()
            if tag == "img":  # a picture between two words sets them apart on screen
                add(" ")
        add(el.tail)

    if root is not None:
        walk(root)
        newline()
    return PageText(lines, bounds)


# ---------------------------------------------------------------------------------------------
# The stored body as a reader sees it

_TARGET = r"\((<(?:\\.|[^>\\])*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)\)"
# A link or picture starts at a bracket that is not escaped ("\[ [Pat Leahy: …](…) \]" is a
# link in brackets the page shows).
_IMAGE = re.compile(r"(?<!\\)!\[((?:\\.|[^\]\\])*)\]" + _TARGET)
_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]" + _TARGET)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_EMPHASIS = re.compile(r"(?<!\\)(?:\*+|(?<!\w)_+|_+(?!\w))")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINE_MARK = re.compile(r"^(?:\s*(?:#{1,6}|>|[-+*]|\d{1,9}[.)])(?=\s))+\s*")
_TABLE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")
_FENCE = re.compile(r"^\s*(?:```|~~~)")


def stored_lines(md: str) -> list[str]:
    """The body's lines as a reader reads them: Markdown syntax, link targets and pictures
    removed, without inserting spaces; a blank line (between blocks) is kept as ""."""
    out: list[str] = []
    for line in md.split("\n"):
        if _FENCE.match(line) or _TABLE_RULE.match(line):
            continue
        line = _IMAGE.sub(" ", line)
        line = _LINK.sub(r"\1", line)
        line = _TAG.sub("", line)
        line = _LINE_MARK.sub("", line)
        if line.lstrip().startswith("|"):
            line = re.sub(r"(?<!\\)\|", "  ", line)  # table cells: a block boundary each
        line = _EMPHASIS.sub("", line)
        out.append(_norm(_ESCAPE.sub(r"\1", line)))
    return out


_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


# ---------------------------------------------------------------------------------------------
# The counts


@dataclasses.dataclass
class Integrity:
    glued: int = 0
    split: int = 0
    broken: int = 0
    duplicated: int = 0
    placeholders: int = 0
    javascript: int = 0
    examples: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def note(self, kind: str, text: str) -> None:
        found = self.examples.setdefault(kind, [])
        if len(found) < 5:
            found.append(text[:160])


def _glue_candidates(page: PageText) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Words the page shows apart at an element boundary, as a glued word ("diaperfrom" →
    "diaper from"), and words it shows as one with an element boundary inside, as a pair."""
    glued: dict[str, str] = {}
    split: dict[tuple[str, str], str] = {}
    shown_words: set[str] = set()
    shown_pairs: set[tuple[str, str]] = set()
    previous_last = ""
    for line, cuts in zip(page.lines, page.bounds, strict=True):
        words = line.split()
        shown_words.update(w.casefold() for w in words)
        shown_pairs.update((a.casefold(), b.casefold()) for a, b in itertools.pairwise(words))
        for m in re.finditer(r"\s+", line):
            i, j = m.span()
            if 0 < i and j < len(line) and any(i <= c <= j for c in cuts):
                left = line[:i].split()[-1]
                right = line[j:].split()[0]
                glued.setdefault((left + right).casefold(), f"{left} {right}")
        for c in cuts:
            if 0 < c < len(line) and not line[c - 1].isspace() and not line[c].isspace():
                start = len(line[:c]) - len(line[:c].split()[-1])
                end = c + len(line[c:].split()[0])
                left, right = line[start:c], line[c:end]
                if _WORD.search(left) and _WORD.search(right):
                    split.setdefault((left.casefold(), right.casefold()), left + right)
        if previous_last and words:
            glued.setdefault((previous_last + words[0]).casefold(), f"{previous_last} {words[0]}")
        previous_last = words[-1] if words else previous_last
    glued = {k: v for k, v in glued.items() if k not in shown_words}
    split = {k: v for k, v in split.items() if k not in shown_pairs}
    return glued, split


def _ngrams(
    page_lines: list[list[str]], n: int
) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """The page's word n-grams within one line, and those running across a line break or
    across the line between two lines."""
    within: set[tuple[str, ...]] = set()
    stream: list[str] = []
    line_of: list[int] = []
    for number, tokens in enumerate(page_lines):
        stream.extend(tokens)
        line_of.extend([number] * len(tokens))
        within.update(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    across = {
        tuple(stream[i : i + n])
        for i in range(len(stream) - n + 1)
        if line_of[i] != line_of[i + n - 1]
    }
    # A line's end and the start of the line after next are apart too: a headline, the link
    # under it, then the byline, stored without the link, are two lines as the page shows.
    for first, after_next in zip(page_lines, page_lines[2:], strict=False):
        joined = first[1 - n :] + after_next[: n - 1]
        across.update(tuple(joined[i : i + n]) for i in range(len(joined) - n + 1))
    return within, across


def _shingles(tokens: list[str]) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]


def _duplicates(result: Integrity, page_tokens: list[list[str]], lines: list[str]) -> None:
    """Blocks of 100+ characters whose words (4-word shingles, 80 % of them) the body holds
    more often than the page does; a copy of a block counted already is not counted again.
    The page's words are read in order across its lines, as the body's are across the lines
    of a block: a list of six items each a date over a title ("21 June" / "Morning news")
    is shown six times, not never."""
    page = Counter(_shingles([token for tokens in page_tokens for token in tokens]))
    blocks = [b for b in re.split(r"\n\s*\n", "\n".join(lines)) if b.strip()]
    body = Counter(g for block in blocks for g in _shingles(_tokens(block)))
    counted: set[tuple[str, ...]] = set()
    for block in blocks:
        grams = _shingles(_tokens(block))
        if len(" ".join(block.split())) < 100 or not grams:
            continue
        excess = [g for g in grams if body[g] > max(page[g], 1)]
        if len(excess) < 0.8 * len(grams):
            continue
        if sum(g in counted for g in grams) >= 0.8 * len(grams):
            continue  # the other copy
        counted.update(grams)
        result.duplicated += 1
        result.note("duplicated", " ".join(block.split()))


_SPACER = re.compile(
    r"(?:^|[^a-z])(?:blank|spacer|leer|pixel|transparent|placeholder|clear|empty|1x1)"
    r"(?:[^a-z]|$)",
    re.IGNORECASE,
)


def _declared_sizes(html: str, base: str | None) -> dict[str, int]:
    """Each picture address of the page with the smaller side its <img> declares."""
    sizes: dict[str, int] = {}
    for m in re.finditer(r"<img\b[^>]*>", html, re.IGNORECASE):
        tag = m.group(0)
        w = re.search(r"\swidth\s*=\s*[\"']?(\d+)", tag, re.IGNORECASE)
        h = re.search(r"\sheight\s*=\s*[\"']?(\d+)", tag, re.IGNORECASE)
        sides = [int(x.group(1)) for x in (w, h) if x]
        if not sides:
            continue
        # A side of 0 beside a real one is left to the style sheet ("1440" by "0").
        shown = [s for s in sides if s > 0]
        side = max(sides) if max(sides) <= 2 else min(shown)
        for src in re.findall(r"(?:\s|data-)src\s*=\s*[\"']([^\"']+)", tag, re.IGNORECASE):
            sizes[urljoin(base or "", src.strip())] = side
    return sizes


def is_placeholder(url: str, sizes: dict[str, int]) -> bool:
    if url.startswith("data:"):
        return True
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    if _SPACER.search(name.rsplit(".", 1)[0]) and len(name) < 40:
        return True
    return sizes.get(url, 99) <= 2


def _target(raw: str) -> str:
    return raw[1:-1] if raw.startswith("<") else raw


def measure(html: str, body_md: str, base: str | None) -> Integrity:
    """The integrity counts of one stored body against the page it came from."""
    result = Integrity()
    page = page_text(html)
    lines = stored_lines(body_md)

    glued, split = _glue_candidates(page)
    for line in lines:
        words = line.split()
        for word in words:
            if word.casefold() in glued:
                result.glued += 1
                result.note("glued", f"{word} (page: {glued[word.casefold()]})")
        for a, b in itertools.pairwise(words):
            if (a.casefold(), b.casefold()) in split:
                result.split += 1
                result.note("split", f"{a} {b} (page: {split[a.casefold(), b.casefold()]})")

    page_tokens = [_tokens(line) for line in page.lines]
    grams: dict[int, tuple[set[tuple[str, ...]], set[tuple[str, ...]]]] = {}
    token_lines = [_tokens(line) for line in lines if line.strip()]
    for before, after in itertools.pairwise(token_lines):
        if not before or not after:
            continue
        tail, head = before[-3:], after[:3]
        joined = tuple(tail + head)
        if len(joined) < 4:
            continue
        if len(joined) not in grams:
            grams[len(joined)] = _ngrams(page_tokens, len(joined))
        within, across = grams[len(joined)]
        if joined in within and joined not in across:
            result.broken += 1
            result.note("broken", f"{' '.join(tail)} / {' '.join(head)}")

    _duplicates(result, page_tokens, lines)

    sizes = _declared_sizes(html, base)
    for m in _IMAGE.finditer(body_md):
        url = _target(m.group(2))
        if is_placeholder(url, sizes):
            result.placeholders += 1
            result.note("placeholders", url)
    for m in _LINK.finditer(body_md):
        if _target(m.group(2)).strip().lower().startswith("javascript:"):
            result.javascript += 1
            result.note("javascript", m.group(0))
    return result


INTEGRITY_FIELDS = ("glued", "split", "broken", "duplicated", "placeholders", "javascript")
INTEGRITY_NAMES = {
    "glued": "glued words",
    "split": "words split apart (not a target; the guard against over-spacing)",
    "broken": "paragraphs broken across lines",
    "duplicated": "blocks of 100+ chars stored twice",
    "placeholders": "placeholder pictures stored",
    "javascript": "javascript: links stored",
}
