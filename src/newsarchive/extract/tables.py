"""Tables: which of the page's tables trafilatura kept, and in what form.

trafilatura stores a table as a Markdown table, or runs its cells into paragraphs, or keeps
a row or two of a table it flattened; the repair (repair.py) asks which, to store each of
the page's tables once and whole.
"""

from __future__ import annotations

import re
from collections import Counter

from newsarchive.extract.blocks import DomBlock, MdBlock
from newsarchive.extract.spacing import plain
from newsarchive.extract.text import MD_IMAGE_RE, MD_LINK_RE, match_key

# Words beside a picture in a table's cell that make it a captioned photo, not an icon.
_CAPTION_CHARS = 20
_CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")


def table_without_icons(table: str) -> str:
    """The Markdown `table` without the pictures of its cells (icons, stars, flags), but for
    a picture with a caption beside it (a photo laid out in a table, with its credit)."""

    def cell(text: str) -> str:
        if "![" not in text or len(_plain_words(text)) >= _CAPTION_CHARS:
            return text
        return MD_IMAGE_RE.sub(lambda m: _gap(text, m.start(), m.end()), text)

    return "\n".join("|".join(map(cell, _CELL_SPLIT_RE.split(row))) for row in table.split("\n"))


def _gap(text: str, start: int, end: int) -> str:
    """What stands for a picture left out of `text[start:end]`: a space between two words,
    as the browser shows the picture between them ("Gyumri", a cloud, "+4"), else nothing."""
    between = 0 < start and end < len(text) and not text[start - 1].isspace()
    return " " if between and not text[end].isspace() else ""


def _plain_words(md: str) -> str:
    """The words of `md` that are neither a picture nor a link."""
    return " ".join(MD_LINK_RE.sub("", MD_IMAGE_RE.sub("", md)).split())


KeptTable = tuple[int, Counter[str], str]


def kept_tables(md_blocks: list[MdBlock]) -> list[KeptTable]:
    """trafilatura's tables, each by the index of its block, its words and its Markdown: its
    table blocks, and the tables inside a box it kept as one block of text and tables."""
    tables = []
    for i, block in enumerate(md_blocks):
        if block.tag == "table":
            tables.append((i, Counter(block.key.split()), block.md))
        elif block.tag == "div" and "\n|" in block.md:
            for part in block.md.split("\n\n"):
                if part.startswith("|"):
                    tables.append((i, Counter(match_key(part).split()), part))
    return tables


def same_table(table: DomBlock, tables: list[KeptTable]) -> int | None:
    """The block of trafilatura's that holds the page's `table` (a table is stored once):
    the table (`kept_tables`) that shares 80 % of the words of the longer of the two."""
    words = Counter(table.key.split())
    for i, other, _ in tables:
        if sum((words & other).values()) >= 0.8 * max(words.total(), other.total()):
            return i
    return None


# The share of a table's cells that trafilatura's paragraphs must hold to be its copy.
_RUN_CELLS = 0.8


def cell_runs(dom_blocks: list[DomBlock], md_blocks: list[MdBlock]) -> dict[int, tuple[int, int]]:
    """For each table of the page (by `id`) that trafilatura ran into paragraphs, the first
    and last of them: a run of two paragraphs or more, each one cell or several side by side
    ("-" and "-" run into "--"), in the table's order, that holds 80 % of its cells. A
    table laying out the page is left to trafilatura's reading."""
    runs: dict[int, tuple[int, int]] = {}
    texts: list[str] = []
    for block in dom_blocks:
        if block.kind != "table" or block.layout:
            continue
        rows = block.md.split("\n")
        del rows[1:2]  # the row of dashes under the first
        cells = [c for row in rows for c in map(_bare, _CELL_SPLIT_RE.split(row)) if c]
        texts = texts or [_bare(b.md) if b.tag != "table" else "" for b in md_blocks]
        for first, text in enumerate(texts):
            if len(cells) < 2 or not text or not any(text.startswith(c) for c in cells):
                continue
            last = _run_end(texts, first, cells)
            if last is not None:
                runs[id(block)] = (first, last)
                break
    return runs


def _run_end(texts: list[str], first: int, cells: list[str]) -> int | None:
    """The last of the paragraphs `texts[first:]` that run the table's `cells` in order
    from some cell on (each paragraph whole cells), when they hold `_RUN_CELLS` of them."""
    for start in (n for n, cell in enumerate(cells) if texts[first].startswith(cell)):
        at, i = start, first
        while i < len(texts) and at < len(cells) and texts[i].startswith(cells[at]):
            taken = ""
            while at < len(cells) and len(taken) < len(texts[i]):
                if not texts[i].startswith(taken + cells[at]):
                    break
                taken, at = taken + cells[at], at + 1
            if taken != texts[i]:
                break
            i += 1
        if i - first >= 2 and at - start >= _RUN_CELLS * len(cells):
            return i - 1
    return None


def _bare(md: str) -> str:
    """The text of `md` without its markup or whitespace, to compare cells by."""
    return "".join(plain(md).text.split())


# Words a kept table needs before its words alone tell that it is a copy of the page's.
_COPY_WORDS = 20


def flattened_copy(table: DomBlock, tables: list[KeptTable]) -> tuple[int, str] | None:
    """trafilatura's copy of the page's `table`, put back in full, as its block's index and
    Markdown: the longest kept table all of whose words the page's table holds (trafilatura
    ran its cells, nested tables included, into a row or two and lost the rest)."""
    words = Counter(table.key.split())
    held = [(other.total(), i, part) for i, other, part in tables if not other - words]
    best = max(held, default=None)
    if best is None or best[0] < _COPY_WORDS:
        return None
    return best[1], best[2]
