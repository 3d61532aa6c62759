"""The article's text: trafilatura's blocks, repaired from the page.

trafilatura's Markdown loses things a reader needs: bylines, photo captions, "Related
article:" lines, the quote marks of block quotes, and now and then a whole run of paragraphs
(a body split over several containers, a lead paragraph styled as an intro). `article_body`
keeps its blocks as the backbone, without what the header shows (`header_shown`) and what
widgets hold, and puts back, at their place, the blocks of the article's container that it
dropped, unless they are boilerplate. Furniture goes last (see furniture.py).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from newsarchive.extract.blocks import DomBlock, MdBlock, Walker, find_containers
from newsarchive.extract.datetext import is_dateline
from newsarchive.extract.declarations import Meta, ld_image, ld_str
from newsarchive.extract.dom import (
    SKIP_TEXT_TAGS,
    Element,
    class_words,
    has_ancestor,
    hidden_elements,
    spaced_text,
    text_lines,
    text_of,
)
from newsarchive.extract.furniture import without_bio, without_closing_headings, without_furniture
from newsarchive.extract.images import image_name, too_small
from newsarchive.extract.spacing import PICTURE, plain, respace
from newsarchive.extract.tables import (
    cell_runs,
    flattened_copy,
    kept_tables,
    same_table,
    table_without_icons,
)
from newsarchive.extract.text import (
    MD_IMAGE_RE,
    MD_LINK_RE,
    WordIndex,
    absolute_url,
    clean,
    contains,
    match_key,
)
from newsarchive.extract.titles import h1_text, headline_text
from newsarchive.extract.widgets import (
    is_consent_box,
    is_embedded_post,
    is_hidden_structured_data,
    is_junk_widget,
    related_sections,
)
from newsarchive.models import LeadImage

_BOILERPLATE_RE = re.compile(
    r"^(?:advertisement|advertising|ad|sponsored(?: content)?|share(?: this)?(?: article| story| "
    r"on \w+)?|follow us.*|sign up.*|subscribe.*|most (?:read|popular|viewed)|read more|"
    r"related(?: articles| stories| content)?|you (?:may|might) also like|recommended(?: for you)?|"
    r"comments?|loading\W*|click here.*|print|e-?mail|tweet|whatsapp|facebook|twitter|linkedin|"
    r"copy link|story continues below.*|continue reading.*|skip to .*|back to top|"
    r"(?:\d+ )?min(?:ute)?s? read|listen to (?:this )?(?:article|story).*|more from .*)$",
    re.IGNORECASE,
)
_COOKIE_RE = re.compile(r"\bcookies?\b.*\b(?:accept|consent|agree|use|policy|settings)\b", re.I)
_NEWSLETTER_RE = re.compile(r"\b(?:newsletter|sign up|subscribe|inbox)\b", re.I)


@dataclass(frozen=True)
class Header:
    """What the rendered header already shows, so the body does not repeat it."""

    keys: set[str]
    image_names: set[str]
    authors: tuple[str, ...] = ()


def _verdict(block: DomBlock, header: Header, before_first: bool) -> str:
    """Whether a block trafilatura dropped belongs in the article: "keep", "drop", or "junk"
    (a link list or teaser card: what follows it up to the next kept paragraph is suspect)."""
    if block.kind == "related":
        return "drop" if block.key in header.keys else "keep"
    text = block.key
    if not text or text in header.keys or is_dateline(text):
        return "drop"
    if block.text_len == 0 or (block.text_len and block.link_len / block.text_len > 0.5):
        return "junk"
    if _BOILERPLATE_RE.match(text) or _BOILERPLATE_RE.match(clean(block.md.strip("*#> "))):
        return "drop"
    if len(text) < 300 and (
        _COOKIE_RE.search(text) or (len(text) < 160 and _NEWSLETTER_RE.search(text))
    ):
        return "drop"
    words = len(text.split())
    if block.lead:
        # Beside the headline sit standfirsts, bylines and datelines as well as the lead
        # paragraph: only a full paragraph is the article's.
        return "keep" if block.kind == "p" and words >= 25 else "drop"
    if block.kind in ("h", "caption"):
        ok = 2 <= len(text) <= 250 and not before_first
    elif block.kind == "li":
        ok = words >= 3 and not before_first
    elif before_first:
        # Above the first kept paragraph sit kickers, dates and teasers: only real sentences.
        ok = words >= 8 and block.kind in ("p", "quote")
    else:
        ok = words >= 3 or len(text) >= 15
    return "keep" if ok else "drop"


def _repair(md_blocks: list[MdBlock], dom_blocks: list[DomBlock], header: Header) -> list[str]:
    """trafilatura's blocks with the dropped DOM blocks put back after their predecessor."""
    full = " ".join(b.key for b in md_blocks)
    letters = full.replace(" ", "")
    # The block holding a key, looked up from the anchor on (then from the top): through an
    # index, so that a page of many short paragraphs is not quadratic.
    index = WordIndex([b.key for b in md_blocks])
    inserts: dict[int, list[str]] = {}
    replaced: dict[int, str] = {}
    seen: set[str] = set()
    anchor = -1
    suppressed: int | None = None  # anchor after which a teaser or link list was seen
    pending_image: DomBlock | None = None  # a dropped figure picture, kept if its caption is
    runs = cell_runs(dom_blocks, md_blocks)
    # trafilatura's paragraphs that are a table's cells are the table's, not part of a box.
    claimed = {i for first, last in runs.values() for i in range(first, last + 1)}
    kept_parts = [(i, key) for i, key in _kept_parts(md_blocks) if i not in claimed]
    tables = functools.cache(lambda: kept_tables(md_blocks))
    for block in dom_blocks:
        if block.kind == "img":
            pending_image = None
            name = image_name(block.image)
            if name and name in header.image_names:
                continue
            found = _holding_image(md_blocks, block.image, name)
            if found is not None:
                anchor, suppressed = found, None
            elif block.figure:
                pending_image = block
            continue
        image, pending_image = pending_image, None
        if not block.key:
            continue
        if (run := runs.get(id(block))) is not None:
            # The page's table stands where trafilatura ran its cells into paragraphs.
            replaced[run[0]] = block.md
            claimed.discard(run[0])
            anchor, suppressed = run[1], None
            continue
        if block.kind == "table" and (same := same_table(block, tables())) is not None:
            # Not over one of the tables of a box of text, nor with a table that lays out
            # tables (trafilatura's reading of a page laid out in tables is the article's).
            whole = md_blocks[same].tag == "table" and not block.layout
            if whole and _completes(block.md, md_blocks[same].md):
                replaced[same] = table_without_icons(block.md)
            anchor, suppressed = same, None
            continue
        found = index.find(block.key, max(anchor, 0))
        if found is not None:
            if len(block.key) >= 25 and found != anchor:
                anchor, suppressed = found, None
            continue
        if contains(full, block.key):
            continue  # spread over two of trafilatura's blocks
        if len(block.key) >= 25 and block.key.replace(" ", "") in letters:
            continue  # the same words, spaced otherwise ("1 Heat oven" and "1Heat oven")
        # (only a block that ends in ")" can end in a link: the pattern is slow to fail)
        ends_in_link = block.md.rstrip().endswith(")")
        bare = match_key(_TRAILING_LINKS_RE.sub("", block.md) if ends_in_link else block.md)
        if len(bare) >= 25 and bare != block.key and contains(full, bare):
            # kept without the links that end it ("... 2006;155:422–8. [PubMed]")
            found = index.find(bare, max(anchor, 0))
            if found is not None and found != anchor:
                anchor, suppressed = found, None
            continue
        if _kept_in_another_order(block.md, full, md_blocks):
            continue
        inside = _kept_with_words_inside(block.key, md_blocks)
        if inside is not None:
            if inside != anchor:
                anchor, suppressed = inside, None
            continue
        # Its words, a picture's description aside (trafilatura may have left the picture out).
        own = " ".join(_words(block.md)) if "![" in block.md else block.key
        partial = next((i for i, key in kept_parts if len(key) >= 20 and contains(own, key)), None)
        if partial is not None:
            if partial != anchor:
                anchor, suppressed = partial, None  # trafilatura kept part of it: keep its version
            continue
        if block.key in seen:
            continue
        verdict = _verdict(block, header, anchor < 0)
        if verdict == "junk":
            suppressed = anchor
        if verdict != "keep" or suppressed == anchor:
            continue
        seen.add(block.key)
        if block.kind == "table" and (copy := flattened_copy(block, tables())) is not None:
            # The page's table stands where trafilatura kept a flattened copy of it.
            i, part = copy
            replaced[i] = replaced.get(i, md_blocks[i].md).replace(part, block.md, 1)
            continue
        if image is not None and block.kind == "caption":
            inserts.setdefault(anchor, []).append(image.md)
        inserts.setdefault(anchor, []).append(block.md)
    shown = "\n".join(block.key for block in dom_blocks)
    stubs = {i + 1 for i, ls in inserts.items() if _stub_of(md_blocks, i + 1, ls[-1], shown)}
    gone = stubs | (claimed - replaced.keys())  # a table's other cells go with its first
    out = list(inserts.get(-1, []))
    for i, b in enumerate(md_blocks):
        if i not in gone:
            out.append(replaced.get(i, b.md))
        out.extend(inserts.get(i, []))
    return out


def _stub_of(md_blocks: list[MdBlock], i: int, restored: str, shown: str) -> bool:
    """Whether trafilatura's block `i`, right after a line the repair restores, is a stub of
    that line: a few words (shorter than what counts as a kept part of a block), all of
    them in it, in its order ("[Edited .]", its date lost, under "Created 18 October 2020.
    Edited 18 October 2020."), its links too, and shown nowhere else on the page (`shown`:
    the keys of the page's blocks): a caption or a year that repeats the line's last words
    is text of its own. The restored line replaces it."""
    block = md_blocks[i] if 0 <= i < len(md_blocks) else None
    if block is None or block.tag != "p" or len(block.key) >= 20:
        return False
    whole = re.compile(rf"(?<!\S){re.escape(block.key)}(?!\S)")
    if len(whole.findall(shown)) > len(whole.findall(match_key(restored))):
        return False
    addresses = (link[0].rpartition("](")[2].rstrip(")").strip("<> ") for link in
                 MD_LINK_RE.finditer(block.md))  # fmt: skip
    if any(address not in restored for address in addresses):
        return False  # its link goes where the restored line has none: the address is kept
    words = iter(_words(restored))
    stub = _words(block.md)
    return bool(stub) and all(word in words for word in stub)


_ITEM_START = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]", re.MULTILINE)


def _kept_parts(md_blocks: list[MdBlock]) -> list[tuple[int, str]]:
    """Each of trafilatura's blocks by its index and key, and each item of a list besides:
    a box of the page that holds one of them and more (an item with a list or a banner
    inside, which the DOM walker reads as one block) is one that trafilatura kept part of."""
    parts = [(i, b.key) for i, b in enumerate(md_blocks)]
    for i, b in enumerate(md_blocks):
        if b.tag == "list" and len(starts := list(_ITEM_START.finditer(b.md))) > 1:
            ends = [m.start() for m in starts[1:]] + [len(b.md)]
            parts += [
                (i, match_key(b.md[m.end() : end])) for m, end in zip(starts, ends, strict=True)
            ]
    return parts


def _kept_in_another_order(md: str, full: str, md_blocks: list[MdBlock]) -> bool:
    """Whether trafilatura kept this paragraph with its pictures, a picture at another place
    in it (after the words where the page has it before them; amid its words, the
    picture's description amid the words of the block that holds it)."""
    pictures = MD_IMAGE_RE.findall(md)
    words = " ".join(_words(md))
    if not pictures or len(words) < 25:
        return False
    holders = {_holding_image(md_blocks, url, "") for url in pictures}
    if None in holders:
        return False
    return contains(full, words) or any(
        contains(" ".join(_words(md_blocks[i].md)), words) for i in holders if i is not None
    )


# The most words trafilatura may have kept inside a paragraph, in one place, where the DOM
# walker skipped them: an advertisement's label, a button's text.
_WORDS_INSIDE = 3


def _kept_with_words_inside(key: str, md_blocks: list[MdBlock]) -> int | None:
    """Whether one of trafilatura's blocks holds the paragraph of `key` in its text (not in a
    picture's description) with a few more words in one place ("... Kompetenzzentrum Anzeige
    um eine ..." where the walker left out an inline advertisement's label): the same
    paragraph, not one it dropped. The block's index, or None."""
    words = key.split()
    if len(words) < 8:
        return None
    opening = " ".join(words[:4])
    for n, block in enumerate(md_blocks):
        if opening not in block.key:
            continue
        text = " ".join(_words(block.md))  # a picture's description is not its text
        at = text.find(opening)
        if at >= 0 and _words_with_one_insert(words, text[at:].split()):
            return n
    return None


def _words_with_one_insert(words: list[str], held: list[str]) -> bool:
    """Whether `held` starts with `words`, up to `_WORDS_INSIDE` more words in one place."""
    skipped = False
    i = j = 0
    while i < len(words):
        if j < len(held) and held[j] == words[i]:
            i, j = i + 1, j + 1
            continue
        if skipped:
            return False
        skipped = True
        ahead = held[j + 1 : j + 1 + _WORDS_INSIDE]
        if words[i] not in ahead:
            return False
        j += 1 + ahead.index(words[i])
    return True


def _holding_image(md_blocks: list[MdBlock], url: str | None, name: str) -> int | None:
    """The first of trafilatura's blocks that shows the picture at `url` (or of file `name`)."""
    for i, b in enumerate(md_blocks):
        if (url and url in b.md) or (name and name in b.md.lower()):
            return i
    return None


def _words(md: str) -> list[str]:
    """The words of a block's text, its pictures' descriptions aside."""
    return match_key(MD_IMAGE_RE.sub(" ", md)).split()


def _completes(page: str, kept: str) -> bool:
    """Whether the page's table is the one to store rather than trafilatura's: it holds all
    the words trafilatura kept and more (the cells it lost), or the same words where
    trafilatura's holds pictures (icons in cells, which make it look like a table of
    thumbnails: the page's is stored without them, `tables.table_without_icons`)."""
    more, fewer = Counter(_words(page)), Counter(_words(kept))
    if fewer - more:
        return False
    return fewer.total() < more.total() or "![" in kept


def _literal_key(text: str) -> str:
    """A key for text without words: its characters, Markdown heading marks and escapes
    aside (a key no `match_key` gives: it starts with "=")."""
    bare = re.sub(r"\\(.)", r"\1", re.sub(r"^#+\s+", "", text.strip()))
    return "=" + " ".join(bare.split())


_COPYRIGHT_RE = re.compile(r"^\W*(?:©|\(c\)|copyright\b)", re.IGNORECASE)


def _drop_header_repeats(blocks: Iterable[MdBlock], header: Header) -> list[MdBlock]:
    """trafilatura sometimes keeps the headline, byline or lead picture in the text.
    (A caption that repeats a real paragraph word for word is not in `header.keys`.)"""
    kept: list[MdBlock] = []
    for block in blocks:
        if block.key and block.key in header.keys and not _COPYRIGHT_RE.match(block.md):
            continue  # (a copyright line naming the author is evidence, not the byline)
        if not block.key and _literal_key(block.md) in header.keys:
            continue  # a headline of punctuation only ("?!", "…"), which has no words to compare
        images = re.findall(r"!\[[^\]]*\]\(<?([^)>\s]+)", block.md)
        rest = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", block.md).strip()
        if images and all(image_name(u) in header.image_names for u in images) and not rest:
            continue
        if images and rest and match_key(rest) in header.keys:
            continue  # a gallery item repeating the lead picture's caption
        kept.append(block)
    return kept


# Links, one after another, that end a block.
_TRAILING_LINKS_RE = re.compile(r"(?:\s*" + MD_LINK_RE.pattern + r")+\s*$")


# Class words of a picture, or of the element wrapping it, that make it an advert or a
# button rather than a picture of the article ("hs-cta-img": a "New Call-to-action" banner).
_AD_PICTURE_WORDS = frozenset("cta advert advertisement ad ads adslot sponsor sponsored".split())


def _is_ad_picture(img: Element) -> bool:
    for el in (img, img.getparent()):
        if el is not None and _AD_PICTURE_WORDS.intersection(class_words(el)):
            return True
    return False


def _without_spacers(blocks: list[MdBlock], root: Element, base: str | None) -> list[MdBlock]:
    """trafilatura's blocks without the pictures the page declares 2 pixels wide or high or
    less (spacers, tracking pixels: `too_small`) or marks as an advert or a call to action;
    a block left empty goes."""
    if not any("![" in b.md for b in blocks):
        return blocks
    small = {
        url
        for img in root.iter("img")
        if too_small(img) or _is_ad_picture(img)
        for url in (absolute_url(img.get(a), base) for a in ("src", "data-src"))
        if url
    }
    if not small:
        return blocks
    kept: list[MdBlock] = []
    for block in blocks:
        md = MD_IMAGE_RE.sub(lambda m: "" if m[1] in small else m[0], block.md)
        if md != block.md:
            md = re.sub(r"[ \t]{2,}", " ", md).strip()
            if not md:
                continue
            block = MdBlock(block.tag, md, match_key(md))
        kept.append(block)
    return kept


def _without_hidden_copies(blocks: list[MdBlock], root: Element) -> list[MdBlock]:
    """trafilatura's blocks without the repeats of a text of 100 characters or more that the
    page holds twice or more, one copy hidden (`hidden_elements`: a tab's panel beside the
    mobile layout's copy, a text-to-speech copy): the text is kept as often as it is shown,
    and at least once, where it first comes. The short blocks between two repeats dropped
    (a recipe's step numbers) go with them."""
    copies = Counter(b.key for b in blocks if len(b.key) >= 100)
    repeated = {key for key, count in copies.items() if count > 1}
    if not repeated:
        return blocks
    # Compared without spaces: trafilatura's text may run words together at an element's
    # edge where the page's has a space ("1Roast" for "<span>1</span><div>Roast").
    hidden = [match_key(spaced_text(el)).replace(" ", "") for el in hidden_elements(root)]
    shown = {
        key: max(copies[key] - sum(h.count(key.replace(" ", "")) for h in hidden), 1)
        for key in repeated
    }
    dropped: set[int] = set()
    for i, block in enumerate(blocks):
        if block.key in shown:
            if shown[block.key] == 0:
                dropped.add(i)
            else:
                shown[block.key] -= 1
    longer = [i for i, block in enumerate(blocks) if len(block.key) >= 25]
    for before, after in itertools.pairwise(longer):
        if before in dropped and after in dropped:
            dropped.update(range(before + 1, after))
    return [block for i, block in enumerate(blocks) if i not in dropped]


def _drop_widget_blocks(blocks: list[MdBlock], root: Element) -> list[MdBlock]:
    """Drop trafilatura blocks whose text the page has only inside a newsletter box, a share
    bar, a "Most read" list, a cookie banner, navigation or a footer.

    Widgets found by their class words are trusted only while they hold less than half of
    what trafilatura kept: past that, the words name wrappers ("Page-ad-margins", an
    article split over "paywall" chunks, a whole ASP.NET page in a <form>), not widgets.
    Navigation (<nav>) and consent boxes (`is_consent_box`) are trusted always: no site
    puts its article in one.
    """
    parts: dict[str, list[str]] = {"nav": [], "widget": [], "outside": []}

    def walk(el: Element, where: str) -> None:
        parts[where].append(el.text or "")
        for child in el:
            if isinstance(child.tag, str) and child.tag not in SKIP_TEXT_TAGS:
                inner = where
                if where != "nav" and child.tag == "nav":
                    inner = "nav"
                elif where == "outside" and is_junk_widget(child):
                    inner = "nav" if is_consent_box(child) else "widget"
                elif where == "widget" and is_embedded_post(child):
                    inner = "outside"  # a post the article quotes, in a "social" frame
                walk(child, inner)
            parts[where].append(child.tail or "")

    body = root.find("body")
    walk(body if body is not None else root, "outside")
    # (made only for a block that a widget shows: most pages have none)
    outside_key = functools.cache(lambda: match_key(" ".join(parts["outside"])))

    def drop(keys: list[str]) -> list[MdBlock]:
        inside = match_key(" ".join(k for k in keys))
        if not inside:
            return blocks
        return [
            b
            for b in blocks
            if not (key := _shown_key(b))
            or not contains(inside, key)
            or contains(outside_key(), key)
        ]

    kept = drop([" ".join(parts["nav"]), " ".join(parts["widget"])])
    if sum(len(b.key) for b in kept) < 0.5 * sum(len(b.key) for b in blocks):
        kept = drop([" ".join(parts["nav"])])
    return kept


# The numbers Markdown gives an ordered list's items ("1. "): an <ol> shows them, but not
# as text of the page
_LIST_NUMBER_RE = re.compile(r"(?m)^[ \t]*\d{1,9}\\?[.)](?:[ \t]+|$)")


def _shown_key(block: MdBlock) -> str:
    """The block's comparison key, an ordered list's without its items' numbers."""
    if block.tag == "list" and _LIST_NUMBER_RE.match(block.md):
        return match_key(_LIST_NUMBER_RE.sub("", block.md))
    return block.key


def header_shown(
    root: Element,
    meta: Meta,
    ld: dict[str, Any],
    title: str,
    people: tuple[list[str], str | None],
    image: LeadImage | None,
    standfirst: str | None = None,
) -> Header:
    """What the header of the archived file shows above the body: the headline, the
    `standfirst` set as a heading under it (`titles.standfirst_heading`), the byline
    (`people`: the authors and the byline), and the lead picture with its caption."""
    authors, byline = people
    shown = (title, byline or "", h1_text(root) or "", standfirst or "")
    keys = {k for k in map(match_key, shown) if k}
    # The headline's <h1> as trafilatura may keep it: with its kicker ("Transport Council...").
    keys.update(
        match_key(text_of(el))
        for el in root.iter("h1")
        if match_key(headline_text(el)) == match_key(title)
    )
    keys.discard("")
    if not match_key(title) and title.strip():
        keys.add(_literal_key(title))
    if byline:
        keys.add(match_key(f"By {byline}"))
    if authors:
        keys.add(match_key("By " + " and ".join(authors)))
    if image is None:
        return Header(keys, set(), tuple(authors))
    paragraphs = {
        match_key(text_of(p))
        for p in root.iter("p")
        if not has_ancestor(p, {"figure", "figcaption"})
    }
    for text in (image.caption, image.credit and f"{image.caption or ''} {image.credit}"):
        # Some sites caption the lead picture with the first paragraph: that stays.
        if text and match_key(text) and match_key(text) not in paragraphs:
            keys.add(match_key(text))
    names = {image_name(image.url)}
    names.update(image_name(u) for u in (meta.get("og:image"), ld_str(ld_image(ld))) if u)
    names.discard("")
    return Header(keys, names, tuple(authors))


# Elements around microdata that may hide it (by a class word, a `hidden` attribute or an
# inline style): the candidates for `_without_structured_data`, which
# `is_hidden_structured_data` reads word by word.
_HIDDEN_WITH_PROPERTIES = (
    "//*[@itemprop]/ancestor::*[contains(@class, 'hidden') or @hidden"
    " or contains(@style, 'none') or contains(@style, 'hidden')]"
)


def _without_structured_data(blocks: list[MdBlock], root: Element) -> list[MdBlock]:
    """trafilatura's blocks without the lines that are only structured data the page hides
    (`is_hidden_structured_data`): the image addresses, sizes, names and timestamps that
    a theme puts in a hidden `<span>` of each teaser, which trafilatura keeps as lines of
    text under the teaser's picture, or a hidden copy of the article's headline, dates,
    logo and text. Only a run of two such paragraphs or lines or more is touched (a byline
    or a heading alone may say what the data says); a block left with nothing goes."""
    values: set[str] = set()
    for el in root.xpath(_HIDDEN_WITH_PROPERTIES):
        if is_hidden_structured_data(el):
            for prop in el.iter():
                if isinstance(prop.tag, str) and prop.text and prop.text.strip():
                    values.add("".join(prop.text.split()))
    if not values:
        return blocks
    longest_first = sorted(values, key=len, reverse=True)
    kept: list[MdBlock] = []
    for block in blocks:
        parts = _without_runs(block.md.split("\n\n"), longest_first)
        lines = "\n\n".join(parts).split("\n")
        shown = [line for line in lines if not _made_of(line, longest_first)]
        if len(lines) - len(shown) < 2:
            shown = lines
        if len(shown) == len(block.md.split("\n")):
            kept.append(block)
        elif "".join(shown).strip():
            md = "\n".join(shown).strip("\n")
            kept.append(MdBlock(block.tag, md, match_key(md)))
    return kept


def _without_runs(parts: list[str], values: list[str]) -> list[str]:
    """`parts` without each run of two or more that are only `values` (`_made_of`)."""
    data = [_made_of(part, values) for part in parts]
    return [
        part
        for i, part in enumerate(parts)
        if not data[i] or not ((i > 0 and data[i - 1]) or (i + 1 < len(data) and data[i + 1]))
    ]


def _made_of(line: str, values: list[str]) -> bool:
    """Whether the text of a Markdown `line` is nothing but some of `values` run together
    (compared without whitespace)."""
    text = "".join(plain(line).text.split())
    if not text:
        return False
    ends = {0}  # where a run of values read from the start of the text may end
    for at in range(len(text)):
        if at in ends:
            ends.update(at + len(v) for v in values if text.startswith(v, at))
    return len(text) in ends


def article_body(
    root: Element,
    blocks: Iterable[MdBlock],
    header: Header,
    *,
    title: str,
    consent: Element | None,
    ld: dict[str, Any],
    base: str | None,
    article_url: str,
) -> str:
    """The article's text as Markdown, "" when there is none: trafilatura's `blocks` without
    what the header shows or widgets hold, with the blocks it dropped put back, without the
    page's furniture. `consent` is the cookie-consent box standing in for the article;
    `base` the page's address, against which its links are read."""
    md_blocks = _drop_widget_blocks(_drop_header_repeats(blocks, header), root)
    md_blocks = _without_hidden_copies(_without_spacers(md_blocks, root, base), root)
    md_blocks = _without_structured_data(md_blocks, root)
    if consent is not None:
        # The consent box is most of the page here, so the widget filter spares it.
        consent_key = match_key(text_of(consent))
        md_blocks = [b for b in md_blocks if not b.key or not contains(consent_key, b.key)]
    headline = next(
        (
            el
            for el in root.iter("h1")
            if match_key(title) in (match_key(headline_text(el)), match_key(text_of(el)))
        ),
        None,
    )
    related = _related_only(root, headline)
    md_blocks = _not_related(md_blocks, related)
    repair = _Repair(root, md_blocks, header, headline, base, article_url, related)
    if consent is not None and not md_blocks:
        body = _beside_consent_box(root, consent, header, base, article_url)
    else:
        body = repair.body(" ".join(b.key for b in md_blocks))
    declared = ld_str(ld.get("articleBody")) or ""
    if len(declared.split()) >= 150 and len(match_key(body).split()) < 0.6 * len(declared.split()):
        # The page's own articleBody is much longer: when its text is in the page, trafilatura
        # lost the article's container, and the articleBody says where it is. (When it is not,
        # the page is a teaser: see walls.partial_reason.)
        longer = repair.body(match_key(declared))
        if len(match_key(longer)) > len(match_key(body)):
            body = longer
    article = _headline_article(headline)
    if article is not None and _read_elsewhere(body, article):
        own = repair.body_of(article)
        if len(match_key(own)) > len(match_key(body)):
            body = own
    return without_closing_headings(body, root)


_B = TypeVar("_B", MdBlock, DomBlock)


def _related_only(root: Element, headline: Element | None) -> tuple[str, str] | None:
    """The text the page has only in sections headed "You may also like", "Related posts"
    and the like (`related_sections`), as the keys of that text and of the rest of the page;
    None on a page without such a section."""
    sections = related_sections(root, headline)
    if not sections:
        return None
    in_section = {id(el) for section in sections for top in section for el in top.iter()}
    parts: dict[bool, list[str]] = {True: [], False: []}

    def walk(el: Element, inside: bool) -> None:
        parts[inside].append(el.text or "")
        for child in el:
            if isinstance(child.tag, str) and child.tag not in SKIP_TEXT_TAGS:
                walk(child, inside or id(child) in in_section)
            parts[inside].append(child.tail or "")

    body = root.find("body")
    walk(body if body is not None else root, False)
    section_key = match_key(" ".join(parts[True]))
    return (section_key, match_key(" ".join(parts[False]))) if section_key else None


def _not_related(blocks: list[_B], related: tuple[str, str] | None) -> list[_B]:
    """`blocks` without those whose text the page has only in sections of other stories
    (`_related_only`): their text, even when trafilatura left their heading out. Only while
    a block of some length stays."""
    if related is None:
        return blocks
    section_key, rest_key = related
    kept = [b for b in blocks if not contains(section_key, b.key) or contains(rest_key, b.key)]
    return kept if any(len(b.key) >= 25 for b in kept) else blocks


# The words an article needs before its own element is trusted over trafilatura's reading,
# and the share of them trafilatura must have missed.
_ARTICLE_WORDS = 100
_MISSED_SHARE = 0.9


def _headline_article(headline: Element | None) -> Element | None:
    """The `<article>` element around the headline's `<h1>`, if there is one."""
    if headline is None:
        return None
    return next(headline.iterancestors("article"), None)


def _read_elsewhere(body: str, article: Element) -> bool:
    """Whether trafilatura read another part of the page than the article: the `<article>`
    element around the headline holds 100 words or more, and the body not a tenth of them
    (a site's slogan kept where the article has 1,600 characters of text)."""
    if 2 * len(body) >= sum(len(t) for t in article.itertext()):
        return False  # a quick look first: the body is not far shorter than the element
    words = len(match_key(text_of(article)).split())
    return words >= _ARTICLE_WORDS and len(match_key(body).split()) < (1 - _MISSED_SHARE) * words


@dataclass(frozen=True)
class _Repair:
    """trafilatura's blocks and what repairing them from a container of the page needs."""

    root: Element
    md_blocks: list[MdBlock]
    header: Header
    headline: Element | None  # the headline's <h1>, whose box may hold lead paragraphs
    base: str | None
    article_url: str
    related: tuple[str, str] | None = None  # `_related_only`

    def body(self, text_key: str) -> str:
        """trafilatura's blocks, with what it dropped from the container of `text_key`."""
        walker = Walker(self.base)
        box = self.headline.getparent() if self.headline is not None else None
        for container in find_containers(self.root, text_key, self.headline):
            start = len(walker.blocks)
            walker.walk(container, quote=container.tag == "blockquote")
            if container is box:
                for block in walker.blocks[start:]:
                    block.lead = True
        md_blocks = respace(self.md_blocks, walker.blocks, None, lambda: self._page_lines)
        dom_blocks = _not_related(walker.blocks, self.related)
        return self._repaired(_repair(md_blocks, dom_blocks, self.header))

    @functools.cached_property
    def _page_lines(self) -> str:
        """The page's text line by line (`dom.text_lines`), each picture marked, made once."""
        body = self.root.find("body")
        return text_lines(body if body is not None else self.root, PICTURE)

    def body_of(self, article: Element) -> str:
        """The text of the page's `article` element as the page shows it, for a page where
        trafilatura read another part: its blocks that belong in an article (`_verdict`)."""
        walker = Walker(self.base)
        walker.walk(article)
        kept: list[str] = []
        seen: set[str] = set()
        text = False  # whether a block of text is kept yet (above it only real sentences)
        for block in walker.blocks:
            if block.kind == "img":
                if text and image_name(block.image) not in self.header.image_names:
                    kept.append(block.md)
            elif block.key not in seen and _verdict(block, self.header, not text) == "keep":
                seen.add(block.key)
                kept.append(block.md)
                text = True
        return self._repaired(kept)

    def _repaired(self, blocks: list[str]) -> str:
        kept = without_bio(blocks, self.header.authors, self.article_url)
        return without_furniture(kept, self.article_url)


def _beside_consent_box(
    root: Element, consent: Element, header: Header, base: str | None, article_url: str
) -> str:
    """When trafilatura took the consent box for the article: what the page shows of the
    article in its <article> or <main> outside the box."""
    in_box = set(consent.iter())
    walker = Walker(base)
    for el in root.iter("article", "main"):
        if el not in in_box and not any(a in in_box for a in el.iterancestors()):
            walker.walk(el)
    return without_furniture(_repair([], walker.blocks, header), article_url)
