"""The article's authors and its byline.

`find_people` takes the authors from JSON-LD, trafilatura's reading, meta tags and the page's
byline, in that order, and finds the byline as the page words it ("Jane Doe for AFP").
`clean_authors` turns raw strings into names: "By" and roles removed, "A and B" split, and
dates, URLs, agencies, organisations and the site's own name left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from newsarchive.extract.datetext import DATE_WORDS, MONTHS, is_dateline, parse_text_date
from newsarchive.extract.declarations import Meta, ld_author_value, ld_authors, ld_index
from newsarchive.extract.dom import (
    BLOCK_TAGS,
    SKIP_TEXT_TAGS,
    Element,
    class_words,
    has_ancestor,
    text_lines,
    text_of,
)
from newsarchive.extract.text import clean, compact_key, match_key
from newsarchive.extract.widgets import in_comments, inside_related

_BY_RE = re.compile(
    r"^(?:(?:written|posted|submitted|reported|story|text|words|photos?|zeige alle beiträge|"
    r"eingestellt|veröffentlicht|geschrieben|verfasst|publié|écrit|publicado|escrito)\s+)?"
    r"(?:(?:by|von|vom|par|por|di|door|av|przez|author|autor(?:in|en)?|auteur|interview|"
    r"автор(?:ы)?|текст)\s*:?\s+|(?:责任编辑|编辑|作者|记者)\s*[:：]\s*)",
    re.IGNORECASE,
)
# "Text und Interview: Jane Doe", "Words and pictures: Jane Doe": the roles before the name
_ROLES_LABEL_RE = re.compile(
    r"^(?:text|texte|interview|words|redaktion|reporting)"
    r"(?:\s*(?:,|&|und|and|et|y)\s*(?:text|texte|interview|fotos?|photos?|bilder?|pictures|"
    r"illustrations?))*\s*:\s*",
    re.IGNORECASE,
)
# What trails a name in bylines: "Jane Doe for AFP", "Jane Doe Foto: John Roe", reading times
_NAME_TAIL_RE = re.compile(
    r"\s+(?:for|für|pour|para|foto|photo|bild|fotos|photos)\b.*$|"
    r"\s+(?:tiempo de lectura|lesezeit|reading time|temps de lecture)\b.*$|"
    r"\s+\d+\s*min(?:ute)?s? read\b.*$|"
    r"\s+(?:stand|updated|aktualisiert|published|veröffentlicht|autor|autorin|author)\s*:?$|"
    r"\s*\([^()]*\)$",
    re.IGNORECASE,
)
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:;|,|\||\s&\s|\sand\s|\sund\s|\set\s|\sy\s|\sи\s)\s*", re.I)
_DATEISH_RE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\b\d{4}\b|\b(?:" + "|".join(MONTHS) + r")\b\.?\s*\d{1,2}",
    re.IGNORECASE,
)
_BOGUS_AUTHORS = frozenset(
    {
        "admin",
        "administrator",
        "anonymous",
        "unknown",
        "null",
        "none",
        "webmaster",
        "editor",
        "editors",
        "staff",
        "guest",
        "user",
        "author",
        "by",
        "text",
        "no author",
        "no",
        "submitted",
        "red",
        "more",
        "mehr",
        "super user",  # the account a CMS (Joomla) is installed with
        # form labels: "Datum", "Quelle" are what a byline row is labelled, not who wrote it
        "datum",
        "date",
        "fecha",
        "quelle",
        "source",
        "autor",
        "autorin",
        "auteur",
    }
)
_ROLE_WORDS = frozenset(
    {
        "correspondent",
        "reporter",
        "writer",
        "editor",
        "contributor",
        "columnist",
        "photographer",
        "producer",
        "staff",
        "senior",
        "chief",
        "political",
        "special",
        "associate",
        "contributing",
        "deputy",
        "managing",
        "news",
        "journalist",
    }
)


# Words that mark a company, a newsroom, a form label or an address, not a person.
_NOT_A_PERSON = frozenset(
    {
        "gmbh",
        "ag",
        "inc",
        "ltd",
        "llc",
        "plc",
        "corp",
        "kg",
        "ev",
        "verlag",
        "media",
        "newsroom",
        "team",
        "publisher",
        "copyright",
        "theme",
        "unbenannt",
        "anónimo",
        "anonym",
        "anonyme",
        "name",
        "posted",
        "human",
        "kitchens",
        "department",
        "departement",
        "ministerium",
        "bundesministerium",
        "partei",
        "germany",
        "deutschland",
        "usa",
        "facebook",
        "twitter",
        "instagram",
        "photo",
        "фото",
        "agencies",
        "agenturen",
        "wires",
        "desk",
        "online",
        "blog",
        "magazine",
        "designed",
        "powered",
        "pressemitteilung",
    }
)
# News agencies: the authors of a wire story, but only a credit beside a reporter's name
# ("Jane Doe, Reuters" and "Jane Doe for AFP" are Jane Doe's).
_AGENCIES = frozenset(
    "reuters afp ap dpa epd kna efe ansa apa sda ats belga anp tass interfax xinhua kyodo jiji "
    "yonhap pti ians upi lno lsw lby lhe lni lrs lsa lth dts ddp sid kathpress "
    "pap ctk mti hina tanjug sna aa bernama antara".split()
)
_AGENCY_NAMES = frozenset(
    {
        "associated press",
        "the associated press",
        "agence france presse",
        "press association",
        "the canadian press",
        "canadian press",
        "united press international",
        "agencia efe",
        "agenzia ansa",
        "deutsche presse agentur",
    }
)


def is_agency(name: str) -> bool:
    """Whether `name` is a news agency, or several ("dpa/lno", "APA/AP")."""
    words = re.findall(r"[^\W_]+", name.lower())
    return bool(words) and (
        all(word in _AGENCIES for word in words) or " ".join(words) in _AGENCY_NAMES
    )


# A picture credit: a photographer's name, a slash and an agency's or archive's files ("Mike
# Blake/Reuters files"), not a byline.
_PICTURE_CREDIT_RE = re.compile(
    r"/\s*[^/]*\b(?:files?|file photo|archives?|archiv|archivbild|handout|pool)$", re.IGNORECASE
)
# An e-mail address or a social-media handle after a name ("Jane Roe jroe@courier.example",
# "Jane Roe @janeroe"): contact details, not part of the name.
_CONTACT_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+")
# The "@" of an address written to fool harvesters: "jroe[at]courier.example"
_WRITTEN_AT_RE = re.compile(r"(?<=\w)\s*[\[(]at[\])]\s*(?=\w)", re.IGNORECASE)
# A host name or an e-mail address: "courier.example", "http://roe.example/"
_ADDRESS_RE = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2}|com|net|org|info)\b", re.I
)
# A registered association or company written out: "Bund der Energieverbraucher e. V."
_ORG_SUFFIX_RE = re.compile(r"\b(?:e\.?\s?v|g?mbh|s\.\s?a|s\.\s?l|b\.\s?v|n\.\s?v)\.?$", re.I)
# A user name: one word of letters with digits in it ("happyface313"), not a number or a date
_USER_NAME_RE = re.compile(r"[^\W\d_](?:[\w.-]*[^\W\d_])?\d*[^\W_]*")
_DEGREES_RE = re.compile(r",?\s+\b(?:ph\.?d|m\.?d|mba|rn|msc|bsc)\.?$", re.IGNORECASE)


def _name_ok(name: str, site_keys: set[str]) -> bool:
    if not 2 <= len(name) <= 60 or len(name.split()) > 6:
        return False
    low = name.lower()
    if (
        "@" in name
        or "://" in name
        or low.startswith("www.")
        or re.search(r"\.(com|org|net)\b", low)
    ):
        return False
    if _DATEISH_RE.search(name):
        return False
    if any(ch.isdigit() for ch in name) and not (
        _USER_NAME_RE.fullmatch(name) and sum(ch.isalpha() for ch in name) >= 3
    ):
        return False
    if _ORG_SUFFIX_RE.search(name):
        return False
    if not any(ch.isalpha() for ch in name) or low in _BOGUS_AUTHORS or ":" in name:
        return False
    words = re.findall(r"[^\W_]+", low)
    if all(word in _ROLE_WORDS or word in DATE_WORDS for word in words):
        return False  # "Staff Writer", "Donnerstag"
    if _NOT_A_PERSON.intersection(words):
        return False
    if re.search(r"\b(?:says|said|schreibt|sagt|meint|writes)$|[!?]$", low):  # a comment's heading
        return False
    if re.search(r"\s(?:by|par|por|door|przez)\s", low):  # "Petition supported by ..."
        return False
    return not _is_site_name(name, site_keys)


def _folded(key: str) -> str:
    """`key` without accents: "larepública" is "larepublica", as in the host name."""
    if key.isascii():
        return key
    decomposed = unicodedata.normalize("NFKD", key)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A country at the end of "Publisher GmbH, Nürnberg, Germany": a postal address, no byline
_COUNTRIES = frozenset(
    "germany deutschland austria österreich switzerland schweiz suisse france usa "
    "united states uk united kingdom spain españa italy italia".split(" ")
)


def _is_address(text: str) -> bool:
    parts = [part.strip(" .").casefold() for part in re.split(r"[;,]", text)]
    return len(parts) >= 3 and parts[-1] in _COUNTRIES


_SITE_KIND_WORDS = frozenset(
    {"news", "뉴스", "新闻", "online", "blog", "tv", "magazin", "magazine"}
)


def _is_site_name(name: str, site_keys: set[str]) -> bool:
    """The publication's own name, also with words before it ("Die Tribüne" for
    tribuene.example) or, when long, after it ("Courier – Das Magazin für die Stadt" for
    courier.example); not a person whose blog bears their name ("Jane Roe" on
    jane.example)."""
    key = _folded(compact_key(name))
    site_keys = {_folded(site) for site in site_keys}
    if key in site_keys:
        return True
    # "Naver" of "Naver News": the site's name without the word that says what it is
    if any(site.startswith(key) and site[len(key) :] in _SITE_KIND_WORDS for site in site_keys):
        return True
    return any(
        len(site) >= 4 and (key.endswith(site) or (len(name.split()) >= 4 and key.startswith(site)))
        for site in site_keys
    )


def clean_authors(raw: Iterable[str], site_keys: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]  # a frozenset is a fine read-only default
    """Author names from raw strings: split "A and B", drop "By", dates, URLs, e-mails, picture
    credits and the site's own name; duplicates removed, order kept. News agencies are kept
    when no person is named (a wire story's authors), and left out beside a person's name."""
    names: list[str] = []
    agencies: list[str] = []
    seen: set[str] = set()
    for item in raw:
        text = _CONTACT_RE.sub(" ", _WRITTEN_AT_RE.sub("@", clean(item))).strip()
        if _is_address(text):
            continue
        text = _MORE_BY_RE.sub("", _ROLES_LABEL_RE.sub("", _BY_RE.sub("", text)))
        if compact_key(text) in site_keys:
            continue  # "Jobs & Hire", the site's name, is not two people
        if _joined_organisation(text):
            continue
        for part in _AUTHOR_SPLIT_RE.split(text):
            part = _BY_RE.sub("", part.strip(" .:|-–—@©")).strip(" .:|-–—")
            part = _NAME_TAIL_RE.sub("", part).strip(" .:|-–—")
            part = _DEGREES_RE.sub("", part)
            if _DEGREES_RE.fullmatch(f" {part}"):
                continue  # the "PhD" of "Jane Doe, PhD"
            if _PICTURE_CREDIT_RE.search(part):
                continue
            part = _without_agency(part)
            if compact_key(part) in seen:
                continue
            if is_agency(part) and not _is_site_name(part, site_keys):
                seen.add(compact_key(part))
                agencies.append(part)
            elif _name_ok(part, site_keys):
                seen.add(compact_key(part))
                names.append(part)
    return names or agencies


# Words that make a name an institution's: "Bundesministerium für Wirtschaft und Klimaschutz"
_INSTITUTION_WORDS = frozenset(
    "gmbh ag inc ltd llc plc corp kg verlag ministerium bundesministerium ministry department "
    "departement institut institute landesanstalt bundesanstalt".split()
)


def _joined_organisation(text: str) -> bool:
    """Whether `text` is one institution's name with an "und" or "and" in it, not two
    people: "Bundesministerium für Wirtschaft und Klimaschutz" is no "Klimaschutz" (nor is
    trafilatura's reading of it, "Bundesministerium für Wirtschaft; Klimaschutz")."""
    pieces = re.split(r";|\s(?:und|and|&|et|y)\s", text, flags=re.IGNORECASE)
    return len(pieces) > 1 and bool(
        _INSTITUTION_WORDS.intersection(re.findall(r"[^\W_]+", pieces[0].lower()))
    )


def _without_agency(part: str) -> str:
    """A reporter's name without the agency a slash joins to it: "Peter Maahn/dpa" and "PAP/
    Rafał Guz" are the reporters'; "dpa/lno", two agencies, stays."""
    sides = [side.strip() for side in part.split("/")]
    if len(sides) != 2 or not all(sides):
        return part
    people = [side for side in sides if not is_agency(side)]
    return people[0] if len(people) == 1 and " " in people[0] else part


_BYLINE_WORDS = frozenset(
    "byline author authors writer contributor creator autor autoren autorin autorenzeile "
    "verfasser auteur autore".split()
)
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
    }
)


# A link to the page of one of the site's authors: ".../author/jane-roe/", ".../autoren/..."
_AUTHOR_PAGE_RE = re.compile(
    r"/(?:author|authors|autor|autoren|autorin|auteur|auteurs|autore|autori)/[^/?#]+", re.I
)
_MORE_FROM_RE = re.compile(r"(?:more|mehr|all|alle|see|view|read|plus)\b", re.I)
_MORE_BY_RE = re.compile(
    r"\b(?:view|see|read|more|all|alle|weitere|mehr)\b(?:\s+\w+){0,3}\s+"
    r"(?:articles|stories|posts|news|artikel|beiträge|texte)\b.*$",
    re.I,
)
_BYLINE_SPLIT_RE = re.compile(r"\s*(?:\||·|•|\s-\s|\s–\s|\s—\s)\s*")


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
            )
            # A date left out ends a segment: "am <time>14. Mai</time>, 15:40 Uhr" leaves
            # "am" and ", 15:40 Uhr", which are no part of the names.
            block = isinstance(child.tag, str) and (
                child.tag in BLOCK_TAGS or child.tag in ("br", "time")
            )
            if block:
                parts.append(" | ")
            if not skip:
                walk(child)
            if block:
                parts.append(" | ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    text = _MORE_BY_RE.sub("", clean("".join(parts)))
    segments = [seg for seg in _BYLINE_SPLIT_RE.split(text) if seg.strip(" |")]
    kept: list[str] = []
    for seg in segments:
        # "Monday November 18, 2019 7:45 am PST by Joe Rossignol": the name follows the date
        m = re.search(r"(?:^|\s)(?:by|von|par|por)\s+(?=\S)", seg, re.I)
        if m and m.start() > 0 and is_dateline(match_key(seg[: m.start()])):
            seg = seg[m.start() :].strip()
        # "Jane Doe Stand: 05. Februar 2020": the date after the name
        if (day := parse_text_date(seg)) and day[1] > 0:
            seg = _EDGE_DATE_WORDS_RE.sub("", seg[: day[1]].strip(" ,:|·-–—"))
        if not is_dateline(match_key(seg)) and not _TIME_ONLY_RE.match(seg):
            kept.append(seg.strip())
    return clean(" ".join(kept))


# "Umair Irfan Updated", "Published by": words about the date, not the byline
_EDGE_DATE_WORDS_RE = re.compile(
    r"^(?:(?:updated|published|posted|last|modified|on|at|aktualisiert|stand|publiziert|"
    r"veröffentlicht|erschienen|publicado|actualizado|publié)\b\s*)+|"
    r"(?:\s*\b(?:updated|published|posted|last|modified|on|at|am|um|stand|aktualisiert))+\s*:?$",
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
    for el in root.xpath("//*[@class or @id or @rel or @itemprop]"):
        attrs = " ".join(str(v) for v in el.attrib.values()).lower()
        if el.tag in ("meta", "link", "script", "style", "body") or not _AUTHOR_ATTR_RE.search(
            attrs
        ):
            continue
        words = set(class_words(el))
        is_byline = "byline" in words or any(w.startswith("byline") for w in words)
        author_link = el.tag == "a" and _AUTHOR_PAGE_RE.search(str(el.get("href") or ""))
        if (
            not (is_byline or words & _BYLINE_WORDS or str(el.get("rel") or "") == "author")
            and not author_link
        ):
            continue
        itemprop = str(el.get("itemprop") or "").lower()
        if re.search(r"headline|title|publisher|description|section|keywords|date", itemprop):
            continue  # class "news-list-author" on the headline
        if has_ancestor(el, {"nav", "footer", "aside", "form"}) or inside_related(el):
            continue
        if in_comments(el):
            continue
        raw = _byline_text(el)
        text = _BY_RE.sub("", raw)
        text = _EDGE_DATE_WORDS_RE.sub("", text).strip(" |·,-–—:")
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
            if _BY_RE.match(raw) or _only_names(text, site_keys):
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


def _only_names(text: str, site_keys: set[str], *, capitalised: bool = False) -> bool:
    """Whether `text` is one to four names and nothing else ("Jane Doe and John Roe"); with
    `capitalised`, names as running text writes them ("By the numbers" is no name)."""
    found = clean_authors([text], site_keys)
    if not 1 <= len(found) <= 4:
        return False
    if capitalised and not all(name[0].isupper() for name in found):
        return False
    rest = compact_key(text)
    for name in found:
        rest = rest.replace(compact_key(name), "", 1)
    return len(rest) <= 3 * (len(found) - 1)  # what is left: "and", "und", "et"


# The start of a byline written in the article's text: "Von Jane Doe", "Text von Jane Doe",
# "Eine Kolumne von Jane Doe", "Auteur : Jane Doe", "Written by: Jane Doe".
_TEXT_BYLINE_RE = re.compile(
    r"^[\s|·•–—-]*(?:(?:ein|eine|a|an|un|une|blog)?\s*(?:kolumne|gastbeitrag|beitrag|kommentar|"
    r"bericht|artikel|analyse|article|story|post|column|essay|commentary|report|chronique|"
    r"tribune)\s+)?"
    r"(?:(?:written|posted|reported|text|words)\s+)?"
    r"(?:by|von|par|por|door|przez|autor(?:in|en)?|auteur|author|автор|текст)\b\s*:?",
    re.IGNORECASE,
)
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
    for el in root.iter(_TEXT_BYLINE_TAGS):
        if not el.text or not _TEXT_BYLINE_RE.match(el.text[:60]):
            continue
        text = text_of(el)
        if len(text) <= 100 and (lines := text_lines(el).split("\n"))[1:]:
            # The byline's line: the next one is a dateline ("Von Jane Doe<br>Kakuma /Kenia")
            if _TEXT_BYLINE_RE.match(lines[0]) and not _TEXT_BYLINE_RE.fullmatch(lines[0]):
                text = lines[0]
        if _TEXT_BYLINE_RE.fullmatch(text):
            # A label alone: "<span>Autor:</span> Jane Roe<br>", "<h4>Autor</h4><p>Jane Roe</p>";
            # as a label it is capitalised or ends in a colon ("Jane Roe, <i>author</i>" is not)
            if not (text.endswith(":") or text.lstrip(" |·•–—-")[:1].isupper()):
                continue
            text = f"{text} {_text_after(el)}"
        if len(text) > 100 or not (m := _TEXT_BYLINE_RE.match(text)) or text.endswith(":"):
            continue  # (a line ending in a colon leads into what follows: a teaser's title)
        names = _without_date(_CREDITS_AFTER_RE.sub("", text[m.end() :]).strip(" :"))
        if not names or not _only_names(names, site_keys, capitalised=True):
            continue
        if (
            has_ancestor(el, {"figure", "figcaption", "nav", "aside", "footer", "form"})
            or inside_related(el)
            or in_comments(el)
            or _runs_on(el)
            or _in_teaser_link(el, text)
        ):
            continue
        found.append((el, names))
    h1 = next((el for el in root.iter("h1") if text_of(el)), None)
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
        if h1_at - _BYLINE_REACH // 10 <= position[el] <= h1_at + _BYLINE_REACH
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
    27.01.2022 - 12:45" is Jane Roe's."""
    segments = _BYLINE_SPLIT_RE.split(names)
    if len(segments) < 2:
        return names
    kept = [seg for seg in segments if not is_dateline(match_key(seg))]
    return " ".join(kept) if len(kept) == 1 else names


# A wire story's dateline, "Hamburg (dpa/lno) – ...", "WASHINGTON (AP) — ...", and its source
# line, "Quelle: kathpress", "Source: AFP": the agency in parentheses or after the label
_DATELINE_AGENCY_RE = re.compile(r"^[^\W\d_][^()]{0,40}?\s*\(([^()]{2,24})\)\s*[-–—:]")
_SOURCE_LABELS = ("quelle", "source", "fuente", "fonte", "źródło")
_SOURCE_AGENCY_RE = re.compile(r"^(?:quelle|source|fuente|fonte|źródło)\s*:\s*(.{2,24})$", re.I)


def wire_credit(root: Element) -> str | None:
    """The news agency a wire story credits where it names no person: in the dateline that
    opens one of the first paragraphs after the headline (a photo's caption may come first),
    or in a source line of its text."""
    h1 = next((el for el in root.iter("h1") if text_of(el)), None)
    seen_h1 = h1 is None
    leads = 0
    for el in root.iter("h1", "p"):
        if el is h1:
            seen_h1 = True
        if el.tag != "p" or not seen_h1:
            continue
        found = None
        if leads < 3:
            text = text_of(el)
            if len(text) >= 60:
                leads += 1
                found = _DATELINE_AGENCY_RE.match(text)
        # (a quick look at the paragraph's start first: most pages have no source line)
        if not found and (el.text or "").lstrip()[:7].lower().startswith(_SOURCE_LABELS):
            text = text_of(el)
            found = _SOURCE_AGENCY_RE.match(text) if len(text) <= 40 else None
        if (
            found
            and is_agency(found.group(1))
            and not has_ancestor(el, {"aside", "footer", "nav", "figure"})
            and not inside_related(el)
            and not in_comments(el)
        ):
            return found.group(1).strip()
    return None


def _initials_spelled_out(root: Element, initials: str) -> str | None:
    """The name a byline of initials stands for ("DT"), when the page spells it out
    ("Donald Townsend", in its licence line) and the byline's link to the author's page
    names it too ("/author/donaldtownsend/")."""
    if not re.fullmatch(r"[A-Z]{2,3}", initials):
        return None
    slugs = {
        compact_key(m[0].rsplit("/", 1)[-1])
        for a in root.iter("a")
        if text_of(a) == initials and (m := _AUTHOR_PAGE_RE.search(str(a.get("href") or "")))
    }
    if not slugs:
        return None
    body = root.find("body")
    words = [rf"{letter}[^\W\d_]+" for letter in initials]
    for m in re.finditer(rf"\b{'[ -]'.join(words)}\b", text_of(body if body is not None else root)):
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
        for address in _ADDRESS_RE.findall(_WRITTEN_AT_RE.sub("@", value))
    }
    names = [part for part in guessed.split(";") if compact_key(part) not in addresses]
    return ";".join(names) or None


# How far (in elements, document order) from the headline a byline in the text may be: a
# long lead, a picture gallery, a table of contents; beyond that, a list of other items.
_BYLINE_REACH = 400


# Meta tags that name the author, by the names publishers and CMSs give them
_AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
)


def find_people(
    root: Element,
    meta: Meta,
    ld: dict[str, Any],
    ld_objects: list[dict[str, Any]],
    guessed: str | None,
    site_keys: set[str],
) -> tuple[list[str], str | None]:
    """The article's authors, and its byline as the page words it.

    Authors: JSON-LD people, then trafilatura's byline reading (`guessed`), then meta tags,
    then the page's byline element. (On the corpus's tuning pages trafilatura's reading was
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
    unaddressed = _without_addresses(guessed, meta)
    if (
        not authors
        and guessed
        and unaddressed
        and not _is_site_name(guessed, site_keys)
        and not _is_address(guessed)
        # trafilatura splits "Mike Blake/Reuters files" at the slash
        and not _PICTURE_CREDIT_RE.search(guessed.replace("; ", "/"))
        and not _joined_organisation(guessed)
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
    if len(authors) == 1 and (spelled := _initials_spelled_out(root, authors[0])):
        authors = [spelled]
    return authors, byline
