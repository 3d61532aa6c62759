"""Whitespace as the page shows it: trafilatura's blocks respaced against the page's text.

trafilatura now and then trims the space at an element boundary ("a diaper</a> from" becomes
"a diaper](...)from") and splits a paragraph in two at a link or a bold run in text laid out
with `<br>`s. The DOM walker renders the article's container with the page's own
whitespace (blocks.py), so its text says what a reader sees. `respace` compares the two
wherever trafilatura's Markdown has markup between two words with no space, and wherever two
of its paragraphs meet: a space goes in where the page shows one, two paragraphs become one
where the page shows them on one line, and nothing changes where the page says otherwise or
nothing (text the container does not hold).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from newsarchive.extract.blocks import DomBlock, MdBlock
from newsarchive.extract.text import match_key

# Markdown that a reader does not see as text: escapes (the character stays), pictures, link
# brackets and targets, emphasis and code marks, inline HTML tags.
_MARKUP = re.compile(
    r"(?P<esc>\\[!-/:-@\[-`{-~])"
    r"|(?P<img>!\[(?:\\.|[^\]\\])*\]\((?:<[^>]*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)"
    r"(?:\s+\"[^\"]*\")?\))"
    r"|(?P<close>\]\((?:<[^>]*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\))"
    r"|(?P<open>\[)"
    r"|(?P<mark>\*+|(?<!\w)_+|_+(?!\w)|`+)"
    r"|(?P<tag></?[a-z]+>)"
)
_SPACE = re.compile(r"[^\S\n]")
# A block's Markdown marks at the start of a line: the page's text has none.
_LINE_MARK = re.compile(r"^(?:>\s?|#{1,6}\s|[-*+]\s|\d{1,9}[.)]\s)+")
# Characters that open a phrase after a space: "shadowcrew.com (no relation"
_OPENING = frozenset('([{"“‘«„¿¡')
# Context compared on each side of a junction: long enough to be found only where it is.
_CONTEXT = 24


@dataclass
class _Plain:
    """A Markdown text as a reader reads it, with where markup stood between two characters:
    (position in the text, where a space would go in the Markdown)."""

    text: str
    junctions: list[tuple[int, int]]


def plain(md: str) -> _Plain:
    """The text of `md` without its markup, and the junctions the markup left."""
    out: list[str] = []
    size = 0
    junctions: list[tuple[int, int]] = []
    open_marks: set[str] = set()
    pos = 0
    for m in _MARKUP.finditer(md):
        if m.start() > pos:
            out.append(md[pos : m.start()])
            size += m.start() - pos
        pos = m.end()
        kind = m.lastgroup
        if kind == "esc":
            out.append(m.group()[1])
            size += 1
            continue
        token = m.group()
        if kind == "mark":
            closing = token in open_marks
            (open_marks.discard if closing else open_marks.add)(token)
        else:
            closing = kind in ("img", "close") or token.startswith("</")
        # A space goes after closing markup and before opening markup.
        where = m.end() if closing else m.start()
        if junctions and junctions[-1][0] == size:
            if closing:
                junctions[-1] = (size, where)
            continue
        junctions.append((size, where))
    out.append(md[pos:])
    # Each space character one space, so that the junctions stay where they are.
    return _Plain(_SPACE.sub(" ", "".join(out)), junctions)


def _insert_spaces(block: MdBlock, page: str) -> MdBlock:
    """`block` with a space at each junction where the page shows one between the two words
    and never shows them joined."""
    view = plain(block.md)
    text = view.text
    if not view.junctions:
        return block
    inserts: list[int] = []
    for at, where in view.junctions:
        if not 0 < at < len(text) or text[at - 1].isspace():
            continue
        if not text[at].isalnum() and text[at] not in _OPENING:
            continue
        line_start = text.rfind("\n", 0, at) + 1
        start = max(line_start, at - _CONTEXT)
        left = text[start:at]
        if start == line_start:
            left = _LINE_MARK.sub("", left)
        right = text[at : at + _CONTEXT].split("\n", 1)[0]
        if f"{left} {right}" in page and f"{left}{right}" not in page:
            inserts.append(where)
    if not inserts:
        return block
    md = block.md
    for where in sorted(set(inserts), reverse=True):
        md = f"{md[:where]} {md[where:]}"
    return MdBlock(block.tag, md, match_key(md))


def _joined(first: MdBlock, second: MdBlock, page: str) -> MdBlock | None:
    """The two paragraphs as one, when the page shows them on one line."""
    left = plain(first.md).text.rstrip()
    right = plain(second.md).text.lstrip()
    if not left or not right or "\n" in left[-_CONTEXT:] or "\n" in right[:_CONTEXT]:
        return None
    left, right = left[-_CONTEXT:], right[:_CONTEXT]
    if f"{left}\n{right}" in page:
        return None
    for gap in (" ", ""):
        if f"{left}{gap}{right}" in page:
            md = f"{first.md.rstrip()}{gap}{second.md.lstrip()}"
            return MdBlock(first.tag, md, match_key(md))
    return None


def page_text(blocks: Iterable[DomBlock]) -> str:
    """The text of the DOM walker's blocks, one line each (and at each `<br>`)."""
    return "\n".join(plain(b.md).text for b in blocks if b.kind != "img")


def respace(md_blocks: list[MdBlock], dom_blocks: list[DomBlock]) -> list[MdBlock]:
    """trafilatura's blocks with the whitespace the page shows (see the module's docstring)."""
    page = page_text(dom_blocks)
    if not page:
        return md_blocks
    out: list[MdBlock] = []
    for block in md_blocks:
        if block.tag in ("p", "quote", "list", "head"):
            block = _insert_spaces(block, page)
        if block.tag == "p" and out and out[-1].tag == "p":
            merged = _joined(out[-1], block, page)
            if merged is not None:
                out[-1] = merged
                continue
        out.append(block)
    return out
