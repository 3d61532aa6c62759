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

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from newsarchive.extract.blocks import DomBlock, MdBlock
from newsarchive.extract.dom import lines_as_one
from newsarchive.extract.text import ICON_GLYPHS, match_key

# Markdown that a reader does not see as text: escapes (the character stays), pictures, link
# brackets and targets, heading marks in the middle of a line (trafilatura writes a heading
# inside a list item so) with the spaces after them, emphasis and code marks, inline HTML tags.
_PICTURE_MD = (
    r"!\[(?:\\.|[^\]\\])*\]\((?:<[^>]*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\)"
)
_MARKUP = re.compile(
    r"(?P<esc>\\[!-/:-@\[-`{-~])"
    rf"|(?P<img>{_PICTURE_MD})"
    r"|(?P<close>\]\((?:<[^>]*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\))"
    r"|(?P<open>\[)"
    r"|(?P<heading>(?<=[^\S\n])#{1,6}[^\S\n]+)"
    r"|(?P<mark>\*+|(?<!\w)_+|_+(?!\w)|`+)"
    r"|(?P<tag></?[a-z]+>)"
)
# Where markup may start: `_MARKUP`'s branches are tried only there (`_markup`).
_MARKUP_START = re.compile(r"[\\!\[\]#*_`<]")
_SPACE = re.compile(r"[^\S\n]")
_OTHER_SPACE = re.compile(r"[^\S\n ]")  # what `_SPACE` finds, but a plain space
_SPACES = re.compile(r"  +")
# A block's Markdown marks at the start of a line: the page's text has none.
_LINE_MARK = re.compile(r"^(?:>\s?|#{1,6}\s|[-*+]\s|\d{1,9}[.)]\s)+")
# Characters that open a phrase after a space: "shadowcrew.com (no relation", "2011: ›Titel‹"
_OPENING = frozenset('([{"“‘«‹›„‚¿¡')


def _letters(case: Callable[[str], bool]) -> str:
    """A character class of the Latin, Greek and Cyrillic letters of one case."""
    chars = (chr(c) for c in (*range(0x41, 0x530), *range(0x1E00, 0x1F00)))
    return "[" + "".join(re.escape(c) for c in chars if case(c) and c.isalpha()) + "]"


_LOWER, _UPPER = _letters(str.islower), _letters(str.isupper)
# Where two words run together with no markup between them, as trafilatura joins two
# blocks of the page: after punctuation, a lower-case letter before a capital, a capital
# before a capitalised word or an initial ("COACHC. Smith", "UKPrime"), a lower-case
# letter or a closing bracket before a digit, a digit before a capitalised word or an
# initial ("1Roast", "11M. Dembélé"), a colon, semicolon, "!" or "?" before a digit
# ("Autobahn:6.0 km"), a lower-case letter before an opening bracket ("Ūdre(LTV").
_RUN_TOGETHER = re.compile(
    rf"[.?!:;,)\]»”\"](?=[^\W\d_])|[?!:;](?=\d)|{_LOWER}(?={_UPPER}|\()"
    rf"|{_UPPER}(?={_UPPER}(?:\.|{_LOWER}))|(?:{_LOWER}|\))(?=\d)"
    rf"|\d(?={_UPPER}(?:\.|{_LOWER}))"
)
# The text of the whole page, made when first asked for (`respace`).
WholePage = Callable[[], str]
# Context compared on each side of a junction: long enough to be found only where it is.
_CONTEXT = 24


@dataclass(frozen=True)
class _Plain:
    """A Markdown text as a reader reads it, with where markup stood between two characters:
    (position in the text, where a space would go in the Markdown)."""

    text: str
    junctions: list[tuple[int, int]]
    literal: list[tuple[int, int, int]]  # runs of text as they stand: (text at, md at, length)

    def unmarked(self) -> list[tuple[int, int]]:
        """Places inside a run of text where two words may have lost the space between
        them, with no markup to tell: "nennen?Rutger", "(IST)India", "ElderlyWhen"."""
        found: list[tuple[int, int]] = []
        for at, md_at, length in self.literal:
            for m in _RUN_TOGETHER.finditer(self.text, at + 1, at + length):
                found.append((m.end(), md_at + m.end() - at))
        return found

    def breaks(self, words: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
        """Places inside a run of text where each of `words` (its two halves) stands run
        together ("Storeor" for "Store" "or"), as word ends on both sides."""
        found: list[tuple[int, int]] = []
        folded = self.text.casefold()
        if len(folded) != len(self.text):
            return found
        for first, second in words:
            for m in re.finditer(rf"(?<!\w){re.escape(first + second)}(?!\w)", folded):
                at = m.start() + len(first)
                for run_at, md_at, length in self.literal:
                    if run_at < at < run_at + length:
                        found.append((at, md_at + at - run_at))
        return found


def _word_breaks(key: str, shown: dict[str, str]) -> list[tuple[str, str]]:
    """Where a paragraph's words (its `key`) run two of the words together that the page's
    paragraph of the same letters (`shown`: keys of the DOM walker's blocks by their letters)
    shows apart: the two halves of each such word."""
    if not shown:
        return []
    other = shown.get(key.replace(" ", ""))
    if other is None or other == key:
        return []
    words, apart = key.split(), other.split()
    found: list[tuple[str, str]] = []
    j = 0
    for word in words:
        if j < len(apart) and word == apart[j]:
            j += 1
            continue
        if j + 1 < len(apart) and word == apart[j] + apart[j + 1]:
            found.append((apart[j], apart[j + 1]))
            j += 2
            continue
        return []  # split otherwise: not a word run together
    return found


@functools.lru_cache(maxsize=64)
def plain(md: str) -> _Plain:
    """The text of `md` without its markup, and the junctions the markup left. (Cached: a
    paragraph is read once for its spaces and again as each side of a junction.)"""
    out: list[str] = []
    size = 0
    junctions: list[tuple[int, int]] = []
    literal: list[tuple[int, int, int]] = []
    open_marks: set[str] = set()
    pos = 0
    for m in _markup(md):
        if m.start() > pos:
            out.append(md[pos : m.start()])
            literal.append((size, pos, m.start() - pos))
            size += m.start() - pos
        pos = m.end()
        kind = m.lastgroup
        if kind == "heading":
            continue
        if kind == "esc":
            if m.group()[1] in _OPENING and not (junctions and junctions[-1][0] == size):
                junctions.append((size, m.start()))  # "Systeme\[box": a bracket may open
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
    literal.append((size, pos, len(md) - pos))
    # Each space character one space, so that the junctions stay where they are.
    text = "".join(out)
    if _OTHER_SPACE.search(text):
        text = _SPACE.sub(" ", text)
    return _Plain(text, junctions, literal)


def _markup(md: str) -> Iterator[re.Match[str]]:
    """`_MARKUP.finditer(md)`, tried only where markup may start: tried at every character,
    its many branches cost more than all the rest of `plain` (text runs hold few marks)."""
    pos = 0
    while (start := _MARKUP_START.search(md, pos)) is not None:
        if (m := _MARKUP.match(md, start.start())) is not None:
            yield m
            pos = m.end()
        else:
            pos = start.start() + 1


def _insert_spaces(
    block: MdBlock,
    page: str,
    flat_page: Callable[[], str],
    whole_page: WholePage | None = None,
    breaks: Sequence[tuple[str, str]] = (),
) -> MdBlock:
    """`block` with a space at each junction where the page shows one (or a line break)
    between the two words and never shows them joined. Junctions are settled in order, each
    with the spaces put in before it, and the text after it compared up to the next one.
    Where the container's text `page` holds neither, its lines as one (`flat_page()`) and
    the text the whole page shows (`whole_page()`) are asked the same (`_shown_apart`):
    trafilatura keeps boxes outside the container too. `breaks`: words the container's
    paragraph of the same words shows as two (`_word_breaks`), a junction each too."""
    view = plain(block.md)
    text = view.text
    # Where markup stands, any character may follow a lost space ("**Jakarta**- Ein");
    # within a run of text, only what `_RUN_TOGETHER` names.
    candidates = sorted(
        (at, where)
        for at, where in {*view.junctions, *view.unmarked(), *view.breaks(breaks)}
        if 0 < at < len(text) and not text[at - 1].isspace() and not text[at].isspace()
    )
    if not candidates:
        return block
    inserts: list[int] = []
    done = ""  # the text up to the junction, with the spaces put in so far
    upto = 0
    since = 0  # where in `done` the last junction was
    for n, (at, where) in enumerate(candidates):
        done += text[upto:at]
        upto = at
        # Each side is compared up to the next junction (when words lie between them): what
        # lies beyond it is not settled yet.
        begin = len(done) - _CONTEXT
        if n and len(done) - since >= 6:
            begin = max(begin, since)
        since = len(done)
        begin = max(0, begin)
        end = at + _CONTEXT
        if n + 1 < len(candidates) and candidates[n + 1][0] - at >= 6:
            end = min(end, candidates[n + 1][0])
        left, right = _sides(done, begin, text[at:end], block.tag == "table")
        if left and _shown_apart(left, right, page, flat_page, whole_page):
            inserts.append(where)
            done += " "
    if not inserts:
        return block
    md = block.md
    for where in sorted(set(inserts), reverse=True):
        md = f"{md[:where]} {md[where:]}"
    return MdBlock(block.tag, md, match_key(md))


def _sides(done: str, begin: int, after: str, cells: bool) -> tuple[str, str]:
    """The text before a junction (`done` from `begin` on) and after it (`after`), each cut
    where the page starts a new line: at a line break, and in a table at a cell's edge (the
    page shows a table's cells as blocks of their own)."""
    edges = "\n|" if cells else "\n"
    left = done[begin:]
    cut = max(left.rfind(edge) for edge in edges)
    left = left[cut + 1 :]
    if cut >= 0 or begin == 0 or done[begin - 1] in edges:
        left = _LINE_MARK.sub("", left.lstrip(" ") if cells else left)
    if cells:
        return left, re.split(r"[\n|]", after, maxsplit=1)[0].rstrip(" ")
    return left, after.split("\n", 1)[0]


def _shown_apart(
    left: str, right: str, page: str, flat_page: Callable[[], str], whole_page: WholePage | None
) -> bool:
    """Whether the page shows `left` and `right` apart (a space or a line between them) and
    never joined. Asked of the container's text as it is, then with its lines as one (the
    context may reach over a line the page shows), then of the whole page; the first that
    holds either answers. Where none does, only the first word after the junction is
    compared: the text after it may differ again ("et al ." where the page has "et al.").
    A yes holds only if the whole page nowhere shows the two joined either: the container's
    text is only a part of the page."""
    for text, before, after, line in _questions(page, flat_page, whole_page, left, right):
        apart = f"{before} {after}" in text or f"{before}{line}{after}" in text
        joined = f"{before}{after}" in text
        if apart or joined:
            if joined or whole_page is None:
                return not joined
            elsewhere = whole_page()
            return len(elsewhere) > _WHOLE_PAGE or f"{before}{after}" not in elsewhere
    return False


def _questions(
    page: str,
    flat_page: Callable[[], str],
    whole_page: WholePage | None,
    left: str,
    right: str,
) -> Iterator[tuple[str, str, str, str]]:
    """For `_shown_apart`, in turn: (text to search, left, right, what a line break is
    there). Each text is made only when asked for."""
    flat_left, flat_right = " ".join(left.split()), " ".join(right.split())
    yield page, left, right, "\n"
    yield flat_page(), flat_left, flat_right, " "
    elsewhere = whole_page() if whole_page is not None else ""
    if len(elsewhere) > _WHOLE_PAGE:  # a search for each junction: quadratic
        elsewhere = ""
    if elsewhere:
        yield elsewhere, flat_left, flat_right, " "
    word = flat_right.split(" ", 1)[0]
    if len(word) < len(flat_right):
        yield flat_page(), flat_left, word, " "
        if elsewhere:
            yield elsewhere, flat_left, word, " "


# Marks that follow a word with no space in the page's own writing.
_TRAILING_PUNCTUATION = frozenset(".,;:!?")
# Closing markup (emphasis, code, a link's target, a tag) then a space and such a mark.
_FALSE_SPACE = re.compile(r"[*_`)>] [.,;:!?]")


def _without_false_spaces(block: MdBlock, page: str) -> MdBlock:
    """`block` without the space trafilatura puts between the end of a link, bold or italic
    text and the punctuation after it ("*DigiTimes* ." for "<em>DigiTimes</em>."), where the
    page shows the mark against the word and never apart."""
    if not _FALSE_SPACE.search(block.md):  # most blocks: nothing to look at
        return block
    view = plain(block.md)
    text, md = view.text, block.md
    cuts = []
    for at, where in view.junctions:
        if (
            0 < at < len(text) - 1
            and text[at] == " "
            and text[at + 1] in _TRAILING_PUNCTUATION
            and not text[at - 1].isspace()
            and md[where : where + 1] == " "
        ):
            left = text[max(0, at - _CONTEXT) : at].rsplit("\n", 1)[-1]
            right = text[at + 1 : at + 1 + _CONTEXT].split("\n", 1)[0]
            if f"{left}{right}" in page and f"{left} {right}" not in page:
                cuts.append(where)
    if not cuts:
        return block
    for where in sorted(cuts, reverse=True):
        md = md[:where] + md[where + 1 :]
    return MdBlock(block.tag, md, match_key(md))


_PREFIX = re.compile(
    r"^[ \t]*((?:>[ \t]?)*)([-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|#{1,6}(?:[ \t]|$)|\|)?"
)


_FENCE = re.compile(r"^\s*(?:```|~~~)")


_BRACKET = re.compile(r"(?<!\\)[\[\]]")


def _in_link(before: str, left: str, right: str, page: str, page_lines: WholePage | None) -> bool:
    """Whether a line that starts with a dash goes on the link text that the line `before`
    leaves open, the page showing the two on one line ("… - 2020.04.13⏎- Duration: 18:38"
    for a video's title and its length in one link): a link's text holds no list item."""
    depth = sum(1 if b == "[" else -1 for b in _BRACKET.findall(before))
    if depth <= 0:
        return False
    if f"{left} {right}" in page:
        return True
    lines = page_lines() if page_lines is not None else ""
    return len(lines) <= _WHOLE_PAGE and f"{left} {right}" in lines


def _one_line(block: MdBlock, page: str, page_lines: WholePage | None = None) -> MdBlock:
    """`block` without the line breaks of the HTML source that trafilatura kept inside its
    paragraphs, list items, quotes, headings and pictures' captions: a line break stays only
    where the page shows one (at a `<br>`), and before a new list item or table row (a line
    that starts with a pipe and ends with one or follows a row; one after a line of text
    that only starts with one goes on: "[« Previous] | [Home]⏎| [Next »]")."""
    lines = block.md.split("\n")
    if len(lines) < 2:
        return block
    out = [lines[0]]
    code = _FENCE.match(lines[0]) is not None
    for line in lines[1:]:
        if code or _FENCE.match(line):
            code = code != (_FENCE.match(line) is not None)  # a fence closes what it opened
            out.append(line)
            continue
        quote, marker = _PREFIX.match(line).groups()  # type: ignore[union-attr]  # always
        if marker == "|" and not line.rstrip().endswith("|") and out[-1].lstrip()[:1] != "|":
            marker = None  # a pipe between links, at no table's row
        before = _PREFIX.match(out[-1]).group(1)  # type: ignore[union-attr]  # always
        rest = line[_PREFIX.match(line).end(1) :].lstrip()  # type: ignore[union-attr]
        left = plain(out[-1]).text.rstrip()[-_CONTEXT:]
        right = plain(rest).text[:_CONTEXT]
        if marker and marker[0] in "-+*" and _in_link(out[-1], left, right, page, page_lines):
            marker = None  # a dash the page shows within a link's text: no list item
        if (
            marker is None
            and quote.replace(" ", "") == before.replace(" ", "")
            and rest
            and left.strip(" >")
            and f"{left}\n{right}" not in page
        ):
            out[-1] = f"{out[-1].rstrip()} {rest}"
        else:
            out.append(line)
    if len(out) == len(lines):
        return block
    md = "\n".join(out)
    return MdBlock(block.tag, md, match_key(md))


def _joined(
    first: MdBlock,
    second: MdBlock,
    page: str,
    page_lines: WholePage | None = None,
    *,
    checked: bool = False,
    strict: bool = False,
) -> MdBlock | None:
    """The two paragraphs as one, when the page shows them on one line: the container's
    text `page` is asked first, then the page's text line by line (`page_lines`), which
    answers for the boxes trafilatura kept from outside the container. `checked`: what the
    container's text joins, the page's lines must not show apart (`_two_lines`); `strict`:
    where the container's text ends a line with `first`, the page's lines are not asked.
    Only the last line of `first` and the first of `second` are compared: a short line
    under a heading ("07.11.2023" under the headline) goes on as much as a paragraph."""
    last = first.md.rstrip().rsplit("\n", 1)[-1]
    last = last[_PREFIX.match(last).end() :]  # type: ignore[union-attr]  # always
    # A picture between two words leaves two spaces where the page shows one.
    left = _SPACES.sub(" ", plain(last).text.strip())
    right = _SPACES.sub(" ", plain(second.md).text.strip().split("\n", 1)[0].strip())
    if not left or not right:
        return None
    left, right = left[-_CONTEXT:], right[:_CONTEXT]
    if f"{left}\n{right}" in page:
        return None
    for gap in (" ", ""):
        if f"{left}{gap}{right}" in page:
            if checked and _two_lines(left, right, page_lines):
                return None
            return _merged(first, second, gap)
    if rebroken := _broken_where_shown(first, last, right, page):
        return _merged(rebroken[0], second, rebroken[1])
    if strict and f"{left}\n" in page:
        return None
    lines = page_lines() if page_lines is not None else ""
    if len(lines) > _WHOLE_PAGE or f"{left}\n{right}" in lines:
        return None  # (a search of a huge page for each paragraph would be quadratic)
    # From the whole page, two words are not run into one: elements side by side with
    # nothing between them in the source ("Previous" and "Next" links) are set apart by the
    # style sheet, which is not read.
    for gap in (" ",) if left[-1].isalnum() and right[0].isalnum() else (" ", ""):
        if f"{left}{gap}{right}" in lines:
            return _merged(first, second, gap)
    return None


def _broken_where_shown(
    first: MdBlock, last: str, right: str, page: str
) -> tuple[MdBlock, str] | None:
    """`first` with a line break where the page shows one in its last line (`last`), when
    what follows the break goes on, on the page's line, with `right`, the next paragraph's
    start: trafilatura lost a `<br>` inside an inline element ("3320<br></b>Fax: ... -")
    and cut the line it ran on ("Fax: ... -" and "213", on one line on the page). The block
    and the gap before the next."""
    text = _SPACES.sub(" ", plain(last).text.strip().replace("\xa0", " "))
    word = text.rsplit(" ", 1)[-1]
    for gap in (" ", ""):
        at = page.find(f"{word}{gap}{right}")
        if at < 0:
            continue
        shown = page[page.rfind("\n", 0, at) + 1 : at + len(word)]  # the page's line, so far
        cut = len(text) - len(shown)
        if cut < 2 or text[cut - 1] != " " or not text.endswith(shown):
            return None
        if f"{text[: cut - 1][-_CONTEXT:]}\n{shown}" not in page:
            return None  # (the page shows no line break there)
        md = first.md.rstrip()
        # (the page's text has no-break spaces as spaces)
        start = md.replace("\xa0", " ").rfind(shown)
        if (
            start <= 0
            or md[start - 1] != " "
            or _open_at(md[:start])
            or any(
                _PREFIX.match(md[start:]).groups()  # type: ignore[union-attr]  # always
            )
        ):
            return None  # (no line break inside a link or emphasis, nor before a list's mark)
        md = f"{md[:start].rstrip()}\n{md[start:]}"
        return MdBlock(first.tag, md, first.key), gap
    return None


def _open_at(md: str) -> bool:
    """Whether the Markdown `md` leaves a link or an emphasis open at its end."""
    depth = sum(1 if b == "[" else -1 for b in _BRACKET.findall(md))
    stars = md.replace("\\*", "")
    return depth > 0 or stars.count("**") % 2 == 1 or stars.replace("**", "").count("*") % 2 == 1


def _merged(first: MdBlock, second: MdBlock, gap: str) -> MdBlock:
    md = f"{first.md.rstrip()}{gap}{second.md.lstrip()}"
    return MdBlock(first.tag, md, match_key(md))


def _two_lines(left: str, right: str, page_lines: WholePage | None) -> bool:
    """Whether the whole page's lines show `left` and `right` on two lines: the container's
    text runs some lines together (a heading's lines at its `<br>`s, a list's last item and
    the paragraph after it), so that a join of a list item or of the lines of one block is
    made only where the page's own lines agree."""
    if page_lines is None or len(lines := page_lines()) > _WHOLE_PAGE:
        return False
    return f"{left}\n{right}" in lines


def _ends_in_prose(block: MdBlock) -> bool:
    """Whether `block` ends in running text that a paragraph may go on: not in a heading,
    a table row, a quote or code (a list item goes on: trafilatura cuts one at a link)."""
    if block.tag not in _PROSE or "```" in block.md or "~~~" in block.md:
        return False
    quote, marker = _PREFIX.match(block.md.rsplit("\n", 1)[-1]).groups()  # type: ignore[union-attr]  # always
    return not quote and (marker is None or marker[0] not in "#|")


def _may_go_on(before: MdBlock, block: MdBlock) -> bool:
    """Whether `block` may be the rest of the line `before` ends (`_joined` asks the page):
    a paragraph after running text, or a picture with words beside it after running text
    (a photo's credit, the picture and its caption in one line) or after another such
    picture (a row of links, each a picture and a name, that the page shows on one line);
    a paragraph also after a picture with words beside it (an icon before a heading's
    words, the rest of that line cut off at an `<em>`)."""
    if block.tag == "p":
        return _ends_in_prose(before) or (before.tag == "graphic" and _has_words(before))
    if block.tag != "graphic" or not _has_words(block):
        return False
    return _has_words(before) if before.tag == "graphic" else _ends_in_prose(before)


def _has_words(block: MdBlock) -> bool:
    return bool(plain(block.md).text.strip())


def _went_on(out: list[MdBlock], block: MdBlock, page: str, page_lines: WholePage | None) -> bool:
    """Whether `block` is the rest of the line that the blocks `out` end, and is now part of
    their last (`_may_go_on`, `_joined`). A picture without words between two paragraphs
    that the page shows on one line stands inside that line (trafilatura ends a paragraph
    at a picture in it: a flag beside a link, a product's photo in a row of offers); where
    the container ends a line with the first, as a paragraph before a figure, it does not
    (a hidden copy of the article may run the two together)."""
    if not out:
        return False
    if _may_go_on(out[-1], block):
        merged = _joined(out[-1], block, page, page_lines, checked=out[-1].tag != "p")
        if merged is not None:
            # A picture stands apart from the words before it, whatever the page's text says.
            out[-1] = merged if block.tag == "p" else _merged(out[-1], block, " ")
            return True
    if len(out) < 2 or block.tag != "p" or out[-1].tag != "graphic" or _has_words(out[-1]):
        return False
    if not _ends_in_prose(out[-2]):
        return False
    if _joined(out[-2], block, page, page_lines, checked=out[-2].tag != "p", strict=True) is None:
        return False
    picture = out.pop()
    out[-1] = _merged(_merged(out[-1], picture, " "), block, " ")
    return True


def _paragraphs_joined(block: MdBlock, page: str, page_lines: WholePage | None) -> MdBlock:
    """A block of several paragraphs (a box that trafilatura keeps as one, a paragraph it
    broke at a `<br>` or an inline element) with the paragraphs it cut at an inline element
    joined again (`_joined`), as between blocks."""
    parts = block.md.split("\n\n")
    if len(parts) < 2 or "```" in block.md or "~~~" in block.md:
        return block
    out = [parts[0]]
    for part in parts[1:]:
        merged = None
        if not any(_PREFIX.match(part).groups()) and _ends_in_prose(MdBlock("p", out[-1], "")):  # type: ignore[union-attr]  # always
            first, second = MdBlock("p", out[-1], ""), MdBlock("p", part, "")
            merged = _joined(first, second, page, page_lines, checked=block.tag != "div")
        if merged is None:
            out.append(part)
        else:
            out[-1] = merged.md
    if len(out) == len(parts):
        return block
    md = "\n\n".join(out)
    return MdBlock(block.tag, md, match_key(md))


def page_text(blocks: Iterable[DomBlock]) -> str:
    """The text of the DOM walker's blocks, one line each (and at each `<br>`), with a space
    where a picture stands between two words: the gap a browser shows there."""
    lines = []
    for block in blocks:
        if block.kind != "img":
            md = block.md
            lines.append(plain(_PICTURE_BETWEEN.sub(" ", md) if "![" in md else md).text)
    return _PageText(_without_icons("\n".join(lines)))


# A picture between two characters of a paragraph ("Yerevan![](sun.gif)+10"; not a linked one).
_PICTURE_BETWEEN = re.compile(rf"(?<=[^\s\[]){_PICTURE_MD}(?=[^\s\]])")
# Where the page's text line by line (`respace`'s `page_lines`) has a picture: no page's
# text holds this character.
PICTURE = "\x01"
_PICTURES = re.compile(rf"[^\S\n]*(?:{PICTURE}[^\S\n]*)+")
# The words on either side of a picture, each matched from its start only (tried from
# inside every word too, the search would read each word again from each of its letters).
_WORDS_AROUND_PICTURE = re.compile(
    rf"(?<![^\s{PICTURE}])([^\s{PICTURE}]+){PICTURE}(?=([^\s{PICTURE}]+))"
)


def without_pictures(lines: str) -> str:
    """The page's text line by line (`dom.text_lines` with `PICTURE`) with each picture a
    space between two words, as a browser shows it, and nothing at a line's either end (a
    line of pictures only is no line)."""
    if PICTURE not in lines:
        return lines
    stripped = (line.strip(" ") for line in _PICTURES.sub(" ", lines).split("\n"))
    return "\n".join(line for line in stripped if line)


# Characters of Unicode's private use areas: an icon font's glyphs (a clock before a time, a
# calendar before a date), pictures to a reader, which trafilatura's text leaves out; each
# goes with the spaces on one side, so that the words around it stand one space apart.
_ICON = re.compile(rf"^[{ICON_GLYPHS}]+[^\S\n]*|[^\S\n]*[{ICON_GLYPHS}]+", re.MULTILINE)


_AN_ICON = re.compile(f"[{ICON_GLYPHS}]")


def _without_icons(text: str) -> str:
    # (looked for first: `_ICON` tries its second branch at each space of the page's text)
    return _ICON.sub("", text) if _AN_ICON.search(text) else text


def _made_once(change: Callable[[str], str], text: WholePage | None) -> WholePage | None:
    """`change(text())` (the page's text, made only when asked for), made once."""
    if text is None:
        return None
    source = text
    return functools.cache(lambda: change(source()))


# Above this many characters of text (ten times a long article), `in` searches the page's
# text near where it last found something, not all of it.
_WHOLE_PAGE = 200_000
_BEHIND, _AHEAD = 2_000, 20_000


class _PageText(str):
    """The page's text, which `in` searches. trafilatura's blocks come in the page's order,
    so on a huge page the text of each is looked for near where the last one was found:
    searching the whole page for each of its paragraphs made extraction quadratic (100,000
    paragraphs took minutes). What is not found near there counts as not shown, which keeps
    trafilatura's spacing."""

    _at = 0

    def __contains__(self, needle: object) -> bool:
        if len(self) <= _WHOLE_PAGE or not isinstance(needle, str):
            return super().__contains__(needle)  # type: ignore[operator]
        found = self.find(needle, max(0, self._at - _BEHIND), self._at + _AHEAD)
        if found < 0:
            return False
        self._at = found
        return True


class _LineJoins:
    """Words that trafilatura ran together with no markup between them where the page shows
    them on two lines: the last word of one box and the first of the next ("OUTOUT!!!" for
    a heading ending "OUT" and an entry starting "OUT!!!"). No junction points at them, so
    they are found from the page: each two words at the end of one of its lines and the
    start of the next, which the page never shows as one word. A word broken by a hyphen at
    the end of a line ("Fach-" / "kunde") is one word to a reader, and stays so."""

    def __init__(
        self, page: str, marked_lines: WholePage | None, page_lines: WholePage | None
    ) -> None:
        self._known = frozenset(page.split())  # the container's words
        self._marked_lines = marked_lines  # the page's lines, each picture marked
        self._page_lines = page_lines  # the same, `without_pictures`
        self._joins: dict[str, int] | None = None

    def split(self, block: MdBlock) -> MdBlock:
        """`block` with a space where one of its words is two the page shows on two lines."""
        if self._page_lines is None or all(w in self._known for w in plain(block.md).text.split()):
            return block  # every word is one the container shows: nothing ran together
        joins = self._found()
        cuts = [
            m.start() + joins[m.group()] for m in _WORD.finditer(block.md) if m.group() in joins
        ]
        if not cuts:
            return block
        md = block.md
        for at in reversed(cuts):
            md = f"{md[:at]} {md[at:]}"
        return MdBlock(block.tag, md, match_key(md))

    def _found(self) -> dict[str, int]:
        """The words run together (see the class), each with where its second word starts;
        and the two words on either side of a picture, which trafilatura, dropping the
        picture, runs together too ("Yerevan+10" where a sun stands between)."""
        if self._joins is None:
            assert self._marked_lines is not None and self._page_lines is not None
            joins: dict[str, int] = {}
            for m in _WORDS_AROUND_PICTURE.finditer(self._marked_lines()):
                joins[m.group(1) + m.group(2)] = len(m.group(1))
            text = self._page_lines()
            for first, second in itertools.pairwise(text.split("\n")):
                end, start = first.rsplit(" ", 1)[-1], second.split(" ", 1)[0]
                if end and start and not end.endswith(("-", "\u2010")):
                    joins[end + start] = len(end)
            shown = set(text.split())
            self._joins = {word: at for word, at in joins.items() if word not in shown}
        return self._joins


_WORD = re.compile(r"\S+")


# trafilatura's blocks of running text ("div": several paragraphs of a box, in one block).
_PROSE = ("p", "quote", "list", "head", "div")


def respace(
    md_blocks: list[MdBlock],
    dom_blocks: list[DomBlock],
    whole_page: WholePage | None = None,
    page_lines: WholePage | None = None,
) -> list[MdBlock]:
    """trafilatura's blocks with the whitespace the page shows (see the module's docstring).
    `whole_page`: the text of the whole page with a space at each new line
    (`dom.spaced_text`), for the blocks trafilatura kept from outside the container the DOM
    walker read; `page_lines`: the same line by line (`dom.text_lines`), for the words it ran
    together across a line (`_LineJoins`). Each is asked for only when a block needs it;
    without `whole_page`, it is `page_lines` with their lines as one (made from them once)."""
    page = page_text(dom_blocks)
    marked_lines = _made_once(_without_icons, page_lines)
    page_lines = _made_once(without_pictures, marked_lines)
    if whole_page is None:
        whole_page = _made_once(lines_as_one, page_lines)
    else:
        whole_page = _made_once(_without_icons, whole_page)
    # The container's text with its lines as one, made once (for `_shown_apart`).
    flat = functools.cache(lambda: _PageText(" ".join(page.split())))
    joins = _LineJoins(page, marked_lines, page_lines)
    # The DOM walker's paragraphs by their letters, for words trafilatura ran together
    # where it dropped the markup between them too ("App Store</a>&nbsp;<b>or").
    shown = {b.key.replace(" ", ""): b.key for b in dom_blocks if b.kind != "img" and b.key}
    out: list[MdBlock] = []
    for block in md_blocks:
        if block.tag in _PROSE or block.tag == "graphic":
            block = _one_line(block, page, page_lines)
        if not page and whole_page is None:
            out.append(block)
            continue
        if block.tag in _PROSE:
            breaks = _word_breaks(block.key, shown)
            block = _without_false_spaces(block, page)
            block = _insert_spaces(block, page, flat, whole_page, breaks)
            block = joins.split(block)
        elif block.tag == "table":
            block = joins.split(_insert_spaces(block, page, flat, whole_page))
        if block.tag in _PROSE and block.tag != "quote":
            block = _paragraphs_joined(block, page, page_lines)
        if not _went_on(out, block, page, page_lines):
            out.append(block)
    return out
