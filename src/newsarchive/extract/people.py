"""The article's authors and its byline.

`find_people` takes the authors from JSON-LD, trafilatura's reading, meta tags and the page's
byline, in that order, and finds the byline as the page words it ("Jane Doe for AFP").
Raw strings become names in `names.clean_authors`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from newsarchive.extract.datetext import is_dateline, parse_text_date
from newsarchive.extract.declarations import Meta, ld_author_value, ld_authors, ld_index
from newsarchive.extract.dom import (
    BLOCK_TAGS,
    SKIP_TEXT_TAGS,
    Element,
    class_words,
    has_ancestor,
    shown_text,
    text_lines,
    text_of,
)
from newsarchive.extract.names import (
    ADDRESS_RE,
    AUTHOR_PAGE_RE,
    BY_RE,
    BYLINE_SPLIT_RE,
    BYLINE_WORDS,
    MORE_BY_RE,
    NOT_THE_ARTICLES,
    PICTURE_CREDIT_RE,
    PROFESSION_BEFORE_RE,
    ROLE_AFTER_COMMA_RE,
    TEAM_AFTER_RE,
    WRITTEN_AT_RE,
    clean_authors,
    is_address,
    is_site_name,
    joined_organisation,
    without_agency,
)
from newsarchive.extract.signatures import (
    all_posts_link,
    card_full_name,
    dated_name_line,
    signature,
    site_as_author,
)
from newsarchive.extract.text import clean, compact_key, match_key
from newsarchive.extract.widgets import for_screen_readers, in_comments, inside_related
from newsarchive.extract.wires import wire_credit

_BYLINE_SKIP_WORDS = frozenset(
    {
        "date",
        "time",
        "timestamp",
        "published",
        "updated",
        "share",
        "social",
        "avatar",
        "photo",
        "image",
        "img",
        "bio",
        "follow",
        "twitter",
        "email",
        "icon",
        # a section's name and the count of comments beside the name: "Stefanus Werkstatt 120"
        "category",
        "categories",
        "comments",
    }
)


_MORE_FROM_RE = re.compile(r"(?:more|mehr|all|alle|see|view|read|plus)\b", re.I)


def _byline_text(el: Element) -> str:
    """The text of a byline element without its date, avatar, share links and "More articles"."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            skip = (
                not isinstance(child.tag, str)
                or child.tag in SKIP_TEXT_TAGS
                or child.tag in ("time", "img", "figure")
                or bool(_BYLINE_SKIP_WORDS.intersection(class_words(child)))
                or "category" in str(child.get("rel") or "")  # rel="category tag"
                or for_screen_readers(child)
            )
            # A date left out ends a segment: "am <time>14. Mai</time>, 15:40 Uhr" leaves
            # "am" and ", 15:40 Uhr", which are no part of the names.
            block = isinstance(child.tag, str) and (
                child.tag in BLOCK_TAGS or child.tag in ("br", "time")
            )
            if block:
                parts.append(_LINE_END)
            if not skip:
                walk(child)
            if block:
                parts.append(_LINE_END)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    # (each line is read on its own: a name ends with its line, and a line that names a place
    # is the dateline, "Jane Roe<br>Em São Paulo (SP)")
    lines = [line for line in _joined(parts).split(_LINE_END) if clean(line)]
    # (a label that ends the box leads into buttons, not text: "Artikel empfehlen:")
    while lines and clean(lines[-1]).endswith(":"):
        lines.pop()
    lines = [line for line in lines if not _place(clean(line))]
    text = MORE_BY_RE.sub("", clean(" | ".join(lines)))
    segments = [seg for seg in BYLINE_SPLIT_RE.split(text) if seg.strip(" |")]
    kept: list[str] = []
    for seg in segments:
        # "Monday November 18, 2019 7:45 am PST by Joe Rossignol": the name follows the date
        m = re.search(r"(?:^|\s)(?:by|von|par|por)\s+(?=\S)", seg, re.I)
        if m and m.start() > 0 and is_dateline(match_key(seg[: m.start()])):
            seg = seg[m.start() :].strip()
        # "Jane Doe Stand: 05. Februar 2020": the date after the name
        if (day := parse_text_date(seg)) and day[1] > 0:
            seg = EDGE_DATE_WORDS_RE.sub("", seg[: day[1]].strip(" ,:|·-–—"))
        if not is_dateline(match_key(seg)) and not _TIME_ONLY_RE.match(seg):
            kept.append(seg.strip())
    return clean(" ".join(kept))


def _joined(parts: list[str]) -> str:
    """The texts of a byline's elements run together, a space where a lower-case letter ends
    one and a capital opens the next: the boxes of a name and of a role or outlet, laid out
    apart by the site's style sheet ("Hillel Italie" and "The Associated Press")."""
    text = ""
    for part in parts:
        if text and part and text[-1].islower() and part[0].isupper():
            text += " "
        text += part
    return text


# Where a line of the byline ends (a character no page's text holds: the source's line breaks
# are spaces to a reader)
_LINE_END = "\x1e"
# A byline's line that says where the story was written: "Em São Paulo (SP)", "In Rio de
# Janeiro", "Aus Berlin": a preposition, the place's capitalised words, its region's initials
_PLACE_LINE_RE = re.compile(
    r"(?:in|em|en|aus|à|dans|nel|nella)((?:\s+[^\W\d_][\w'’.-]*){1,4})(?:\s*\([^\W\d_]{2,3}\))?",
    re.IGNORECASE,
)


def _place(line: str) -> bool:
    """Whether a line of a byline box is the place the story comes from, the dateline on a
    line of its own ("Jane Roe<br>Em São Paulo (SP)"): no name."""
    m = _PLACE_LINE_RE.fullmatch(line)
    return m is not None and all(word[0].isupper() or word in _PLACE_JOINS for word in m[1].split())


_PLACE_JOINS = frozenset("de do da del di of am an sur upon".split())


# "Umair Irfan Updated", "Published by": words about the date, not the byline
EDGE_DATE_WORDS_RE = re.compile(
    r"^(?:(?:updated|published|posted|last|modified|on|at|aktualisiert|stand|publiziert|"
    r"veröffentlicht|erschienen|publicado|actualizado|publié)\b\s*)+|"
    r"(?:\s*\b(?:updated|published|posted|last|modified|on|at|am|um|in|stand|aktualisiert))+\s*:?$",
    re.IGNORECASE,
)
# What is left of a date beside a <time> element: ", 15:40 Uhr", "at 9.30am"
_TIME_ONLY_RE = re.compile(
    r"^[\s,.:;|·–—-]*(?:(?:at|um|à|a las|alle)\s+)?\d{1,2}[:.h]\d{2}\s*"
    r"(?:uhr|h|am|pm|a\.m\.|p\.m\.|utc|gmt|cet|cest|mez|mesz)?[\s,.]*$",
    re.IGNORECASE,
)
# an author bio ("Phil Helsel is a reporter for NBC News."), not a byline
_BIO_RE = re.compile(r"\b(?:is|was|are|covers|writes|has been|joined|reports)\b|[a-z]{3}\.\s*$")


# Attribute values that mark an element as a byline or author's ("author-name", "verfasser").
_AUTHOR_ATTR_RE = re.compile("author|byline|writer|contributor|creator|autor|verfasser")


_CREDIT_WORDS = frozenset({"license", "licence", "copyright", "credit", "credits"})
_NO_BYLINE_TAGS = frozenset({"meta", "link", "script", "style", "body", "h1"})


def find_byline(root: Element, authors: list[str], site_keys: set[str]) -> str | None:
    """The page's byline wording ("Daphné Benoit for AFP"), from an element marked as a byline
    or author that names the authors; without a leading "By".

    When no author is known yet, the element must say "By ...", or hold nothing but names
    (an author link, a vcard), or be a byline line in the text (see _text_bylines); of
    those, the first after the headline is taken (the others belong to teasers)."""
    names = [compact_key(a) for a in authors]
    limit = max(50, len(" and ".join(authors)) + 40)
    best: str | None = None
    best_score = (-1, 0)
    found: list[tuple[Element, str]] = []
    h1 = next((el for el in root.iter("h1") if text_of(el)), None)
    # (news markup's own element too: NITF's "<byline>Von Jane Roe, dpa</byline>")
    for el in root.xpath("//*[@class or @id or @rel or @itemprop] | //byline"):
        attrs = " ".join(el.values()).lower()
        # (a headline is no byline, whatever its marks say: "<h1 id="ifAuthor">Brasília</h1>")
        if el.tag in _NO_BYLINE_TAGS or not (el.tag == "byline" or _AUTHOR_ATTR_RE.search(attrs)):
            continue
        words = set(class_words(el))
        is_byline = (
            el.tag == "byline" or "byline" in words or any(w.startswith("byline") for w in words)
        )
        author_link = el.tag == "a" and AUTHOR_PAGE_RE.search(str(el.get("href") or ""))
        if (
            not (is_byline or words & BYLINE_WORDS or str(el.get("rel") or "") == "author")
            and not author_link
        ):
            continue
        itemprop = str(el.get("itemprop") or "").lower()
        if re.search(r"headline|title|publisher|description|section|keywords|date", itemprop):
            continue  # class "news-list-author" on the headline
        # (a picture's byline is its credit: "<figure>… <span class=byline-image>(AP Foto/…)")
        if has_ancestor(el, NOT_THE_ARTICLES) or inside_related(el, h1):
            continue
        if words & _CREDIT_WORDS:
            continue  # a picture's licence: "<span class=media-license-author>zvg</span>"
        if in_comments(el):
            continue
        raw = _byline_text(el)
        if _in_teaser_link(el, raw) or _in_teaser_list(el, raw):
            continue  # another article's byline, in the link to it or the list of them
        # (a label may come before the byline's own "By": "Artikel von: Von Jane Roe")
        text = BY_RE.sub("", BY_RE.sub("", raw))
        text = EDGE_DATE_WORDS_RE.sub("", text).strip(" |·,-–—:")
        if not 2 <= len(text) <= limit or _BIO_RE.search(text):
            continue
        compact = compact_key(text)
        if compact in site_keys:
            continue
        if (
            author_link
            and not is_byline
            and (_MORE_FROM_RE.match(text) or not _only_names(text, site_keys))
        ):
            continue  # "More from Jane Roe": a link to her page, not her byline
        if not names:
            if BY_RE.match(raw) or _only_names(text, site_keys):
                found.append((el, text))
            continue
        if not all(n in compact for n in names[:3]):
            continue
        score = (int(is_byline), len(text))
        if score > best_score:
            best, best_score = text, score
    if names:
        return best
    return _after_headline(root, [*found, *_text_bylines(root, site_keys)])


def _after_headline(root: Element, candidates: list[tuple[Element, str]]) -> str | None:
    """The text of the first candidate after the page's <h1> in document order (else of the
    first one): a byline follows its headline, teasers' bylines come later or elsewhere."""
    if len(candidates) < 2:
        return candidates[0][1] if candidates else None
    marks = {el for el, _ in candidates}
    h1 = next((el for el in root.iter("h1") if text_of(el)), None)
    seen_h1 = h1 is None
    first: str | None = None
    texts = dict(((id(el), text) for el, text in reversed(candidates)))
    for el in root.iter():
        if el is h1:
            seen_h1 = True
        elif el in marks:
            if seen_h1:
                return texts[id(el)]
            first = first or texts[id(el)]
    return first


_ROLE_AFTER_RE = re.compile(r"\s*\([^()]*\)$")


def _only_names(text: str, site_keys: set[str], *, capitalised: bool = False) -> bool:
    """Whether `text` is one to four names and nothing else ("Jane Doe and John Roe"); with
    `capitalised`, names as running text writes them ("By the numbers" is no name)."""
    found = clean_authors([text], site_keys)
    if not 1 <= len(found) <= 4:
        return False
    if capitalised and not all(name[0].isupper() for name in found):
        return False
    # (a role in parentheses or described after a comma is the byline's too: "Jane Roe
    # (Pressesprecherin)", "Jane Roe, Projektleiterin der HSS in Tunesien")
    rest = PROFESSION_BEFORE_RE.sub("", without_agency(text, site_keys))
    for after_names in (TEAM_AFTER_RE, _ROLE_AFTER_RE, ROLE_AFTER_COMMA_RE):
        rest = after_names.sub("", rest)
    rest = compact_key(rest)
    for name in found:
        rest = rest.replace(compact_key(name), "", 1)
    return len(rest) <= 3 * (len(found) - 1)  # what is left: "and", "und", "et"


# The start of a byline written in the article's text: "Von Jane Doe", "Text von Jane Doe",
# "Eine Kolumne von Jane Doe", "Auteur : Jane Doe", "Written by: Jane Doe", and the roles a
# label gives the author: "Text & Fotos: Jane Doe", "Redaktion: Jane Doe". The leading run is
# possessive: a block's indentation is read once, not split every way between the optional
# words after it (which cost 0.5 ms on each block of blank lines).
_TEXT_BYLINE_RE = re.compile(
    r"^[\s|·•–—-]*+(?:(?:ein|eine|a|an|un|une|blog)?\s*(?:kolumne|gastbeitrag|beitrag|kommentar|"
    r"bericht|artikel|analyse|article|story|post|column|essay|commentary|report|chronique|"
    r"tribune|interview)\s+)?"
    r"(?:(?:written|posted|reported|text|words|geschrieben|verfasst|erstellt|eingestellt|"
    r"gepostet|veröffentlicht|publié|écrit|rédigé|escrito|publicado|scritto|pubblicato)\s+)?"
    r"(?:(?:by|von|par|por|door|przez|autor(?:in|en)?|auteur|author|автор|текст)\b\s*:?|"
    r"(?:text|texte|words|redaktion)(?:\s*(?:,|&|und|and|et)\s*(?:fotos?|photos?|bilder?|"
    r"pictures|illustrations?))*\s*:)",
    re.IGNORECASE,
)
# "Ein Interview von Jane Doe mit John Roe": who was asked follows the interviewer's name
_INTERVIEWED_RE = re.compile(r"\s+(?:mit|with|avec|con)\s+.*$", re.IGNORECASE)
# "Text von Jane Doe, Illustration von John Roe": the other credits after the author's
_CREDITS_AFTER_RE = re.compile(
    r"[\s,;|]+(?:illustrations?|fotos?|photos?|fotografie|photography|bilder?|pictures|grafik)"
    r"\s*(?:von|by|:).*$",
    re.IGNORECASE,
)
_TEXT_BYLINE_TAGS = (
    "p",
    "div",
    "address",
    "dt",  # a definition list's term: "<dt>Auteur</dt><dd>Jane Roe</dd>"
    "h4",
    "h5",
    "h6",
    "small",
    "em",
    "strong",
    "i",
    "b",
    "span",
)


def _first_line(el: Element) -> str:
    """The element's text, or its first line where a short element's next line is another
    ("Von Jane Doe<br>Kakuma /Kenia": the dateline)."""
    text = text_of(el)
    if len(text) <= 100 and (lines := text_lines(el).split("\n"))[1:]:
        if _TEXT_BYLINE_RE.match(lines[0]) and not _TEXT_BYLINE_RE.fullmatch(lines[0]):
            return lines[0]
    return text


def _line_after(br: Element) -> str:
    """The line a <br> starts: its tail and the inline elements after it, to the next break."""
    parts = [br.tail or ""]
    for sibling in br.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag == "br" or sibling.tag in BLOCK_TAGS:
            break
        parts += [text_of(sibling), sibling.tail or ""]
    return clean(" ".join(parts))


def _text_byline(root: Element, site_keys: set[str]) -> str | None:
    found = _text_bylines(root, site_keys)
    return found[0][1] if found else None


def _text_bylines(root: Element, site_keys: set[str]) -> list[tuple[Element, str]]:
    """Bylines in the page's own text: short lines that say who wrote the article ("Von Jane
    Doe und John Roe") and hold nothing else, outside comments, captions, teasers and the
    page's navigation, sidebars and footer, and near the headline (from just before it to
    _BYLINE_REACH elements after it, when the page has an <h1>); (element, names), in
    document order."""
    found: list[tuple[Element, str]] = []
    headed: set[Element] = set()  # the name under a heading of its own: "<h4>Autor</h4>"
    h1 = next((el for el in root.iter("h1") if text_of(el)), None)
    for el in root.iter(*_TEXT_BYLINE_TAGS, "br"):
        start = el.tail if el.tag == "br" else el.text
        if not start or not _TEXT_BYLINE_RE.match(start[:60]):
            continue
        # (after a break the line runs to the next: "Quelle: dpa<br><br>Autor: Jane Roe</div>")
        text = _line_after(el) if el.tag == "br" else _first_line(el)
        if _TEXT_BYLINE_RE.fullmatch(text):
            # A label alone: "<span>Autor:</span> Jane Roe<br>", "<h4>Autor</h4><p>Jane Roe</p>";
            # as a label it is capitalised or ends in a colon ("Jane Roe, <i>author</i>" is not)
            if not (text.endswith(":") or text.lstrip(" |·•–—-")[:1].isupper()):
                continue
            text = f"{text} {_text_after(el)}"
            if el.tag in _HEADING_TAGS:
                headed.add(el)
        if len(text) > 100 or not (m := _TEXT_BYLINE_RE.match(text)) or text.endswith(":"):
            continue  # (a line ending in a colon leads into what follows: a teaser's title)
        names = _without_date(_CREDITS_AFTER_RE.sub("", text[m.end() :]).strip(" :"))
        if "interview" in m[0].lower():
            names = _INTERVIEWED_RE.sub("", names)
        if not names or not _only_names(names, site_keys, capitalised=True):
            continue
        if (
            # (a byline in a quotation is the quoted post's: an embedded Facebook post's)
            has_ancestor(
                el, {"figure", "figcaption", "nav", "aside", "footer", "form", "blockquote"}
            )
            or inside_related(el, h1)
            or in_comments(el)
            or _runs_on(el)
            or _in_teaser_link(el, text)
        ):
            continue
        found.append((el, names))
    if not found or h1 is None:
        return found
    # Document positions: a line far below the headline belongs to a list or a teaser.
    marks = {el for el, _ in found}
    position: dict[Element, int] = {}
    h1_at = 0
    for at, el in enumerate(root.iter()):
        if el is h1:
            h1_at = at
        elif el in marks:
            position[el] = at
    return [
        (el, names)
        for el, names in found
        if h1_at - _BYLINE_REACH // 10
        <= position[el]
        <= h1_at + _BYLINE_REACH * (_HEADED_REACH if el in headed else 1)
    ]


def _shown_over_hidden(
    root: Element, authors: list[str], site_keys: set[str]
) -> tuple[list[str], str | None]:
    """The names a byline in the page's text shows ("Auteur : Jane Roe") instead of authors
    read from meta tags or guessed that no byline of the page shows (an institute's name in
    a meta tag, a publisher's): what the reader sees as the byline is the byline."""
    shown = _text_byline(root, site_keys)
    names = clean_authors([shown or ""], site_keys)
    if not names or {compact_key(n) for n in names} == {compact_key(a) for a in authors}:
        return authors, None
    return names, shown


_INLINE_TAGS = frozenset({"strong", "em", "b", "i", "span", "small"})


def _runs_on(el: Element) -> bool:
    """Whether an inline element's sentence runs on after it ("<strong>Von „Bikepark
    Feeling“ zu sprechen</strong> wäre ..."): running text, not a byline line."""
    if el.tag not in _INLINE_TAGS or _TEXT_BYLINE_RE.fullmatch(text_of(el)):
        return False
    return len(re.findall(r"\w+", el.tail or "")) >= 2


def _in_teaser_link(el: Element, text: str) -> bool:
    """Whether a byline line sits in a link that holds more than it: a teaser's headline,
    summary and byline ("<a><h6>Headline</h6><p>Von Jane Roe</p></a>")."""
    link = next(el.iterancestors("a"), None)
    return link is not None and len(text_of(link)) > len(text) + 20


def _in_teaser_list(el: Element, text: str) -> bool:
    """Whether a byline sits in an item of a list of other articles: an item that holds more
    than it (the other article's headline), in a list whose other items hold bylines marked
    the same ("<li><a>Headline</a><div class=list-author>von Jane Roe</div></li>"). A list
    of the authors themselves holds nothing but names."""
    item = next(el.iterancestors("li"), None)
    if item is None or not el.get("class"):
        return False
    others = [*item.itersiblings("li", preceding=True), *item.itersiblings("li")]
    # (the item's text asked last: it may be the whole page's, in a list item around it all)
    if not others or len(text_of(item)) <= len(text) + 20:
        return False
    return any(other.xpath(".//*[@class=$mark]", mark=el.get("class")) for other in others)


def _text_after(label: Element) -> str:
    """The first text that follows a label in reading order, across line breaks and up out of
    the label's own element (two levels at most): "<b>Von:</b><br><br>Jane Roe",
    "<p><strong>By</strong></p></div><div><p>Jane Roe</p>"."""
    el = label
    for _ in range(3):
        tail: str = el.tail or ""
        if tail.strip():
            return tail.strip()
        for sibling in el.itersiblings():
            if not isinstance(sibling.tag, str) or sibling.tag in SKIP_TEXT_TAGS:
                pass
            elif sibling.tag != "br" and (text := text_of(sibling)):
                return text
            tail = sibling.tail or ""
            if tail.strip():
                return tail.strip()
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "article", "main"):
            break
        el = parent
    return ""


def _without_date(names: str) -> str:
    """Names without the date and time that follow them on the byline's line: "Jane Roe |
    27.01.2022 - 12:45" and "Jane Roe am Dienstag, 6. Mai 2014 um 09:07 Uhr, gespeichert
    unter Sport" are Jane Roe's."""
    segments = BYLINE_SPLIT_RE.split(names)
    if len(segments) >= 2:
        kept = [seg for seg in segments if not is_dateline(match_key(seg))]
        return " ".join(kept) if len(kept) == 1 else names
    day = parse_text_date(names)
    if not day or day[1] == 0:
        return names
    # The words that lead into the date go with it: "am Dienstag", "on Monday", "le"
    words = names[: day[1]].split()
    while words and match_key(words[-1]) in _DATE_LEAD_WORDS:
        words.pop()
    return " ".join(words).rstrip(" ,;/|·–—-") if words else names


_DATE_LEAD_WORDS = frozenset(
    "am on at le el il den op du del vom de the "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag "
    "monday tuesday wednesday thursday friday saturday sunday "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "lunes martes miércoles jueves viernes sábado domingo".split()
)


def _initials_spelled_out(root: Element, initials: str) -> str | None:
    """The name a byline of initials stands for ("DT"), when the page spells it out
    ("Donald Townsend", in its licence line) and the byline's link to the author's page
    names it too ("/author/donaldtownsend/")."""
    if not re.fullmatch(r"[A-Z]{2,3}", initials):
        return None
    slugs = {
        compact_key(m[0].rsplit("/", 1)[-1])
        for a in root.iter("a")
        if text_of(a) == initials and (m := AUTHOR_PAGE_RE.search(str(a.get("href") or "")))
    }
    if not slugs:
        return None
    words = [rf"{letter}[^\W\d_]+" for letter in initials]
    for m in re.finditer(rf"\b{'[ -]'.join(words)}\b", shown_text(root)):
        if compact_key(m[0]) in slugs:
            return m[0]
    return None


def _without_addresses(guessed: str | None, meta: Meta) -> str | None:
    """trafilatura's reading of the author tags without the addresses it read as words:
    "symple.ch" is no "Symple Ch", "jroe[at]roe.net" no "Jroeroe Net"."""
    if not guessed:
        return guessed
    addresses = {
        compact_key(address)
        for value in meta.all(*_AUTHOR_META)
        for address in ADDRESS_RE.findall(WRITTEN_AT_RE.sub("@", value))
    }
    names = [part for part in guessed.split(";") if compact_key(part) not in addresses]
    return ";".join(names) or None


def _owner(root: Element, first: str, site_keys: set[str]) -> str | None:
    """The full name a first name stands for on a site named by the author's surname, where
    the page shows it: "Henry" on roewer.example is "Henry Roewer". (A site named by a full
    name is no such sign: "Vortex" on vortex-cannon.example is no "Vortex Cannon".)"""
    if not first[:1].isupper() or len(first) < 3:
        return None
    body = root.find("body")
    text = text_lines(body if body is not None else root)  # (a heading's last word ends there)
    for m in re.finditer(rf"\b{re.escape(first)} ([^\W\d_][\w'’-]*)", text):
        if m[1][0].isupper() and compact_key(m[1]) in site_keys:
            return m[0]
    return None


def _site_name_reworded(guessed: str, site_keys: set[str]) -> bool:
    """Whether trafilatura's reading is the site's name with its words in another order or
    split ("Bündnis; Die Grünen Bundestagsfraktion" for "Bundestagsfraktion Bündnis 90/Die
    Grünen"): every word in one of the site's names, and together most of it."""
    words = [compact_key(word) for word in re.findall(r"[^\W\d_]{3,}", guessed)]
    if len(words) < 3:
        return False
    return any(
        all(word in site for word in words) and sum(map(len, words)) >= 0.6 * len(site)
        for site in site_keys
    )


def _label_rejoined(guessed: str | None) -> str | None:
    """trafilatura's reading with a label it split off at a slash joined again: "Autor; In
    Jane Roe" is "Autor/In Jane Roe", and so Jane Roe."""
    parts = (guessed or "").split(";")
    if len(parts) > 1 and BY_RE.fullmatch(f"{parts[0].strip()} "):
        return ";".join([f"{parts[0].strip()}/{parts[1].strip()}", *parts[2:]])
    return guessed


def _shown_aside_only(root: Element, guessed: str, meta: Meta) -> bool:
    """Whether the page shows trafilatura's author names only in its comments or in a
    picture's credit: a reader's name or a photographer's, not the author's. (A name a meta
    tag declares is the author's wherever it shows: a blogger answering in the comments.)"""
    declared = {compact_key(value) for value in meta.all(*_AUTHOR_META)}
    found = False
    for name in filter(None, (part.strip() for part in guessed.split(";"))):
        if compact_key(name) in declared:
            return False
        for node in root.xpath("//body//text()[contains(., $name)]", name=name):
            holder = node.getparent()
            if holder is None or holder.tag in SKIP_TEXT_TAGS:
                continue
            if node.is_tail:
                holder = holder.getparent()
            if holder is None or not _aside(holder):
                return False
            found = True
    return found


def _aside(el: Element) -> bool:
    """Whether the element is, or is inside, a comment, a picture's credit or a link to
    another article that holds its teaser."""
    return (
        in_comments(el)
        or _in_teaser_link(el, text_of(el))
        or el.tag in ("figure", "figcaption")
        or has_ancestor(el, {"figure", "figcaption"})
        or any(_CREDIT_WORDS.intersection(class_words(node)) for node in (el, *el.iterancestors()))
    )


# How far (in elements, document order) from the headline a byline in the text may be: a
# long lead, a picture gallery, a table of contents; beyond that, a list of other items.
_BYLINE_REACH = 400
# A box headed "Autor" names the author further down, below a long article too: no teaser
# gives its byline a heading of its own.
_HEADED_REACH = 3
_HEADING_TAGS = frozenset({"h4", "h5", "h6"})


# Meta tags that name the author, by the names publishers and CMSs give them
_AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
)


# A name's spelling: words joined by spaces, dots, hyphens, apostrophes or underscores
_SPELLING_RE = re.compile(r"[^\W_](?:[\w.'’ -]*[^\W_])?\.?")
_WORD_RE = re.compile(r"[^\W_]+")


def _spelled_as_shown(author: str, byline: str, site_keys: set[str]) -> list[str]:
    """The author's name as the byline spells it, not as trafilatura rewrote it: "ThE_PaiN",
    not "ThE PaiN"; "T. V. Raman", not "T V Raman". A name the byline only writes in capitals
    keeps its case."""
    shown = clean_authors([byline], site_keys)
    if (
        len(shown) == 1
        and _SPELLING_RE.fullmatch(shown[0])
        and compact_key(shown[0]) == compact_key(author)
        and shown[0].casefold() != author.casefold()
        and len(BYLINE_SPLIT_RE.split(author)) == 1  # "Jane Roe - Cairo" is no spelling of it
        and len(_WORD_RE.findall(shown[0])) == len(_WORD_RE.findall(author))
    ):
        return shown
    return [author]


def find_people(
    root: Element,
    meta: Meta,
    ld: dict[str, Any],
    ld_objects: list[dict[str, Any]],
    guessed: str | None,
    site_keys: set[str],
    paragraphs: Sequence[str] = (),
) -> tuple[list[str], str | None]:
    """The article's authors, and its byline as the page words it.

    Authors: JSON-LD people, then trafilatura's byline reading (`guessed`), then meta tags,
    then the page's byline element, then the name that signs the article at the end of its
    `paragraphs` (as Markdown). (On the corpus's tuning pages trafilatura's reading was
    right more often than the meta tags: 77 % against 67 % of the pages where each gave a
    name.)
    """
    index = ld_index(ld_objects)
    people, organisations = ld_authors(ld_author_value(ld, ld_objects), index)
    # An organisation is the author when the page names no person: a wire service ("AFP"),
    # a newsroom; never the site itself (clean_authors leaves its name out).
    authors = clean_authors(people or organisations, site_keys)
    if authors and "creator" in ld:
        # An author list cut to its first name, the full list in "creator"
        creators = clean_authors(ld_authors(ld["creator"], index)[0], site_keys)
        if len(creators) > len(authors) and {compact_key(a) for a in authors} <= {
            compact_key(c) for c in creators
        }:
            authors = creators
    unaddressed = _without_addresses(_label_rejoined(guessed), meta)
    if (
        not authors
        and guessed
        and unaddressed
        and not _shown_aside_only(root, unaddressed, meta)
        and not is_site_name(guessed, site_keys)
        and not _site_name_reworded(guessed, site_keys)
        and not is_address(guessed)
        # trafilatura splits "Mike Blake/Reuters files" at the slash
        and not PICTURE_CREDIT_RE.search(guessed.replace("; ", "/"))
        and not joined_organisation(guessed)
    ):
        # (trafilatura splits the site's name "Jobs & Hire" into "Jobs; Hire", and an address
        # "Publisher GmbH, Nürnberg, Germany" into its lines)
        authors = clean_authors(unaddressed.split(";"), site_keys)
    if not authors:
        authors = clean_authors(meta.all(*_AUTHOR_META), site_keys)
    byline = find_byline(root, authors, site_keys)
    if authors and not byline and not people and not organisations:
        authors, byline = _shown_over_hidden(root, authors, site_keys)
    if not authors and not byline:
        byline = _text_byline(root, site_keys)
    if not authors and byline:
        authors = clean_authors([byline], site_keys)
    if not authors and (line := dated_name_line(root, site_keys)):
        authors, byline = [line], line
    if not authors and not byline and (signed := signature(paragraphs, site_keys)):
        authors, byline = [signed], signed
    if not authors and (agency := wire_credit(root)):
        authors = [agency]
    elif len(authors) == 1 and " " not in authors[0]:
        # A user name or a first name gives way to the name the byline shows, a login also to
        # the name trafilatura's reading or a meta tag spells out: "janeroe" and "jane.roe"
        # are "Jane Roe", "Jane" is "Jane Roe".
        shown_in = byline or _text_byline(root, site_keys)
        shown = clean_authors([shown_in or ""], site_keys)
        if len(shown) == 1 and (
            compact_key(shown[0]) == compact_key(authors[0])
            or shown[0].casefold().startswith(f"{authors[0].casefold()} ")
            # a user name cut short at its digits: "Bo" is "Bo2man"
            or re.fullmatch(rf"{re.escape(authors[0])}\d\w*", shown[0], re.IGNORECASE)
        ):
            authors, byline = shown, shown_in
        elif authors[0].islower():
            for source in (unaddressed, *meta.all(*_AUTHOR_META)):
                shown = clean_authors([source or ""], site_keys)
                if len(shown) == 1 and " " in shown[0]:
                    if compact_key(shown[0]) == compact_key(authors[0]):
                        authors = shown
                        break
    if (
        len(authors) == 1
        and " " not in authors[0]
        and (
            owner := _owner(root, authors[0], site_keys)
            or card_full_name(root, authors[0], site_keys)
        )
    ):
        authors = [owner]
    if len(authors) == 1 and byline:
        authors = _spelled_as_shown(authors[0], byline, site_keys)
    if len(authors) == 1 and (spelled := _initials_spelled_out(root, authors[0])):
        authors = [spelled]
    if authors and not _shown_on_page(root, authors, byline):
        if not (initialled := _shown_with_initials(root, authors)):
            return _shown_instead(root, site_keys, paragraphs)
        authors = initialled
    if not authors and (own := site_as_author(root, site_keys)):
        return [own], own
    if not authors and (linked := all_posts_link(root)):
        return [linked], None
    return authors, byline


def _shown_on_page(root: Element, authors: list[str], byline: str | None) -> bool:
    """Whether the page's text shows one of the authors' names. A name only the page's
    declarations carry (JSON-LD, a meta tag) is the account of whoever posted the page, a
    CMS login, a template's default: the reader sees no such byline. (The byline found on
    the page is asked first: it names them on most pages, and the page's text is long.)"""
    if byline and any(name.casefold() in byline.casefold() for name in authors):
        return True
    text = shown_text(root)
    # (most pages show the name as declared: the comparison keys only for the others)
    folded = text.casefold()
    if any(name.casefold() in folded for name in authors):
        return True
    shown = _unaccented(match_key(text))
    return any(_unaccented(match_key(name)) in shown for name in authors)


def _shown_with_initials(root: Element, authors: list[str]) -> list[str]:
    """The declared names as the page shows them with a middle initial: "Jane Roe" declared,
    "Jane P. Roe" shown. Empty unless the page shows every name so."""
    text = shown_text(root)
    shown = []
    for name in authors:
        words = name.split()
        if len(words) != 2:
            return []
        first, last = map(re.escape, words)
        m = re.search(rf"\b{first}(?: [A-Z]\.)+ {last}\b", text)
        if not m:
            return []
        shown.append(m[0])
    return shown


def _unaccented(text: str) -> str:
    """`text` without accents: a name declared "Gabor Munier" is shown "Gàbor Muniér"."""
    if text.isascii():
        return text
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _shown_instead(
    root: Element, site_keys: set[str], paragraphs: Sequence[str]
) -> tuple[list[str], str | None]:
    """The authors a byline the page shows names, written as names are ("linksc Creating
    Search Engine API", a user name and its tagline, is none), else the name that signs
    the article, else the agency a wire story credits."""
    byline = find_byline(root, [], site_keys) or _text_byline(root, site_keys)
    authors = clean_authors([byline or ""], site_keys)
    if authors and all(name[:1].isupper() for name in authors):
        return authors, byline
    if not byline and (signed := signature(paragraphs, site_keys)):
        return [signed], signed
    if agency := wire_credit(root):
        return [agency], None
    # (a byline that names only the site is still the byline the reader sees)
    return [], None if authors else byline
