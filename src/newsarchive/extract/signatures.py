"""Authors the page names outside a byline: a line of the day and the name beside the
headline, a name that signs the article's last paragraph, the author card of a blog or a
newsroom that signs with its own name, the link to all the author's posts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import islice

from newsarchive.extract.datetext import is_dateline, parse_text_date
from newsarchive.extract.dom import (
    BLOCK_TAGS,
    Element,
    class_words,
    has_ancestor,
    text_lines,
    text_of,
)
from newsarchive.extract.names import (
    AUTHOR_PAGE_RE,
    BYLINE_SPLIT_RE,
    BYLINE_WORDS,
    NOT_THE_ARTICLES,
    clean_authors,
)
from newsarchive.extract.text import clean, compact_key, match_key
from newsarchive.extract.widgets import in_comments, inside_related

# A person's name as a byline writes it: two or three capitalised words ("Uta Helkenberg")
PLAIN_NAME_RE = re.compile(r"[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){1,2}")


def dated_name_line(root: Element, site_keys: set[str]) -> str | None:
    """A line beside the headline that holds the day and one person's name and nothing else,
    as a byline writes them: "04.02.2022 | 13:10 Uhr | Uta Helkenberg", "25.10.2022 - Reiner
    Nagel" (within 40 elements of the <h1>); or such a box of lines, where a link after the
    name may name the outlet ("Jane Roe<br><a>The Courier</a><br>Thu, 14 May 2020")."""
    h1 = next((el for el in root.iter("h1") if text_of(el)), None)
    if h1 is None:
        return None
    order = list(root.iter())
    at = order.index(h1)
    for el in order[max(0, at - 40) : at + 40]:
        if el.tag not in ("div", "span", "small", "p", "li") or len(el) > 8:
            continue  # (a line holds a few elements at most: no need to read a container)
        if len(text := text_of(el)) > 80 or _holds_breadcrumbs(el):
            continue
        # (lines broken by <br>, not rows of blocks: a tag's box and a date's are no byline)
        boxed = any(isinstance(child.tag, str) and child.tag in BLOCK_TAGS for child in el)
        lines = [text] if boxed else text_lines(el).split("\n")
        split = [_dated_by(seg.strip()) for line in lines for seg in BYLINE_SPLIT_RE.split(line)]
        segments = [part for parts in split for part in parts if part]
        # (a name the line introduces with "by" may be one word: "06.11.2023 von Olga")
        introduced = {parts[1] for parts in split if len(parts) == 2}
        dates = [seg for seg in segments if is_dateline(match_key(seg))]
        rest = [seg for seg in segments if not is_dateline(match_key(seg))]
        if not rest or not any(parse_text_date(seg) for seg in dates):
            continue
        # (after the name, a link may name the outlet the story comes from: "Jane Roe<br><a>
        # The Courier</a><br>14 May 2020")
        linked = {clean(text_of(a)) for a in el.iter("a")}
        name = rest[0]
        if name in linked or any(seg not in linked for seg in rest[1:]):
            continue
        if (
            (PLAIN_NAME_RE.fullmatch(name) or (name in introduced and " " not in name))
            and all(word[0].isupper() for word in name.split())
            and not name.isupper()
            and len(clean_authors([name], site_keys)) == 1
        ):
            return name
    return None


def _dated_by(segment: str) -> tuple[str, ...]:
    """A segment that gives the day and then the name, as its day and its name: "06.11.2023
    13:30 von Jane Roe" is ("06.11.2023 13:30", "Jane Roe")."""
    m = _DATED_BY_RE.fullmatch(segment)
    if m and is_dateline(match_key(m[1])) and parse_text_date(m[1]):
        return m[1], m[2]
    return (segment,)


_DATED_BY_RE = re.compile(r"(.+?)\s+(?:by|von|par|por|door)\s+(\S.*)", re.IGNORECASE)


def _holds_breadcrumbs(el: Element) -> bool:
    """Whether a breadcrumb trail is, or is inside, the element: its sections beside the
    day ("Auto › Thema | 05. November 2021") name no author."""
    return any(
        word.startswith("breadcrumb") for node in el.iter() for word in class_words(node)
    ) or bool(el.xpath(".//*[contains(@itemtype, 'BreadcrumbList')]"))


# A paragraph set in bold or italics as a whole: "**Jane Roe**", "*Jane Roe*"
_EMPHASISED_RE = re.compile(r"(\*\*?|_)([^*_]+)\1")


def signature(paragraphs: Sequence[str], site_keys: set[str]) -> str | None:
    """The name that signs the article, as a letter is signed: its last paragraph holds one
    person's name and nothing else, set apart in bold or italics ("**Jane Roe**"), or the
    name on a line of its own over the day it was signed ("Jane<br>10. September 2017").
    Notes or a pointer to further reading may follow the signature ("*Jane Roe*", then
    "(1) These figures ..."), and it may be the last line of a paragraph: a name so set
    apart in one of the last three paragraphs signs the article when no other paragraph
    ends so (an interview sets its speakers' names apart throughout)."""
    lines = [line.strip() for line in (paragraphs[-1] if paragraphs else "").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) == 2 and is_dateline(match_key(lines[1])) and parse_text_date(lines[1]):
        # (over the day, one name is enough: "Jane")
        one = re.fullmatch(r"[^\W\d_][\w'’-]*", lines[0]) is not None
        return lines[0] if _signed_name(lines[0], site_keys, one_word=one) else None
    names = [
        (at, name)
        for at, text in enumerate(paragraphs)
        if (name := _emphasised_name(text)) and _signed_name(name, site_keys)
    ]
    if len(names) == 1 and names[0][0] >= len(paragraphs) - 3:
        return names[0][1]
    return None


def _emphasised_name(paragraph: str) -> str | None:
    """The text of a paragraph's last line set in bold or italics as a whole: the paragraph
    itself, or its line after a break ("... ihr Innerstes.<br><i>Jane Roe</i>")."""
    m = _EMPHASISED_RE.fullmatch(paragraph.strip().rsplit("\n", 1)[-1].strip())
    return m[2].strip() if m else None


def _signed_name(name: str, site_keys: set[str], *, one_word: bool = False) -> bool:
    """Whether a signature's text is one person's name, written as names are."""
    return (
        (one_word or PLAIN_NAME_RE.fullmatch(name) is not None)
        and all(word[0].isupper() for word in name.split())
        and not name.isupper()
        and clean_authors([name], site_keys) == [name]
    )


def site_as_author(root: Element, site_keys: set[str]) -> str | None:
    """The site's own name where the article's author card gives it (an hCard "author
    vcard" with its "fn", a rel="author" link, a link to the site's author page for it or
    one marked as the author's): a personal blog or a newsroom signs with its own name."""
    for el in root.xpath('//*[@rel="author" or contains(@class, "fn") or @href]'):
        text = text_of(el)
        if not text or compact_key(text) not in site_keys:
            continue  # (asked first: most links name no site)
        card = el.get("rel") == "author" or (
            el.tag == "a" and AUTHOR_PAGE_RE.search(str(el.get("href") or ""))
        )
        if not card and not ((el.tag == "a" or "fn" in class_words(el)) and _marked_as_author(el)):
            continue
        if not (has_ancestor(el, NOT_THE_ARTICLES) or in_comments(el) or inside_related(el)):
            return text
    return None


def _marked_as_author(el: Element) -> bool:
    """Whether the element, or one around it, is marked as the author's ("post-author")."""
    return any(
        set(class_words(node)) & BYLINE_WORDS
        for node in (el, *el.iterancestors())
        if node.tag not in ("body", "html")
    )


# The label of a link to all of an author's posts: "View all posts by Jane Roe", "More
# articles by Jane Roe", "Alle Beiträge von Jane Roe", "Alles von Jane Roe"
_ALL_POSTS_BY_RE = re.compile(
    r"(?:(?:view|see|show|read|browse)\s+)?(?:all|more)(?:\s+\w+){0,2}\s+(?:by|from)\s+(.+)|"
    r"(?:alle|weitere|mehr)(?:\s+\w+){0,2}\s+von\s+(.+)|alles\s+von\s+(.+)",
    re.IGNORECASE,
)


# ... and of one that names no one: "All posts by this author", "Zu allen Rezepten vom Autor"
_ALL_POSTS_OF_THE_AUTHOR_RE = re.compile(
    r"(?:(?:view|see|show|read|browse)\s+)?(?:all|more)(?:\s+\w+){0,2}\s+(?:by|from)\s+"
    r"(?:this|the)\s+author|(?:zu\s+)?(?:allen|alle|weiteren|weitere|mehr)(?:\s+\w+){0,2}\s+"
    r"(?:vom|von der|des|der)\s+(?:autors?|autorin)",
    re.IGNORECASE,
)


def all_posts_link(root: Element) -> str | None:
    """The author a link to the author's page names as the one of all its posts ("View all
    posts by Jane Roe"), as an author box under the article gives it; the site's own name
    too (a blog named after its author). A link that names no one ("All posts by this
    author") names the author its address spells, as the box around it shows the name
    ("/experts/jane-roe" beside "Jane Roe"). Links to several authors' pages name none."""
    names: set[str] = set()
    for a in root.iter("a"):
        href, label = str(a.get("href") or ""), text_of(a)
        named = _ALL_POSTS_BY_RE.fullmatch(label) if AUTHOR_PAGE_RE.search(href) else None
        unnamed = not named and _ALL_POSTS_OF_THE_AUTHOR_RE.fullmatch(label)
        if not (named or unnamed) or in_comments(a) or inside_related(a):
            continue
        if named:
            names.update(clean_authors([next(filter(None, named.groups()))]))
        elif shown := _box_name(a, href):
            names.add(shown)
    return names.pop() if len(names) == 1 else None


def _box_name(link: Element, href: str) -> str | None:
    """The name the box around a link shows that the link's address spells: "Jane Roe" beside
    a link to "/experts/jane-roe/"."""
    slug = compact_key(href.split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    if not slug:
        return None
    boxes = list(islice(link.iterancestors(), 3))  # (the widest holds the nearer ones)
    for node in boxes[-1].iter() if boxes else ():
        text = text_of(node) if isinstance(node.tag, str) and node is not link else ""
        if text and compact_key(text) == slug and clean_authors([text]) == [text]:
            return text
    return None


# An author card's text at most: a name, a line or two about the author, links to profiles
_CARD_SIZE = 600


def card_full_name(root: Element, first: str, site_keys: set[str]) -> str | None:
    """The full name an author card spells out for the first name it shows: a card naming
    "Jane" over the line "Jane Roe - engineer and rider" is Jane Roe's. (Only the card is
    read: elsewhere "Jane" followed by a capitalised word may be anything.)"""
    if not first[:1].isupper():
        return None
    full_name_re = re.compile(rf"\b{re.escape(first)} ([^\W\d_][\w'’-]+)")
    found: set[str] = set()
    for node in root.xpath("//body//text()[contains(., $first)]", first=first):
        el = node.getparent()
        if el is None or text_of(el) != first or not _marked_as_author(el):
            continue
        # (the card: the widest element marked as the author's within four levels up)
        near = islice(el.iterancestors(), 4)
        cards = [node for node in near if set(class_words(node)) & BYLINE_WORDS]
        if not cards or in_comments(el) or has_ancestor(el, NOT_THE_ARTICLES - {"aside"}):
            continue
        card = text_lines(cards[-1])
        if len(card) > _CARD_SIZE:
            continue  # (the article, marked as the author's work, is no card)
        for m in full_name_re.finditer(card):
            if m[1][0].isupper() and clean_authors([m[0]], site_keys) == [m[0]]:
                found.add(m[0])
    return found.pop() if len(found) == 1 else None
