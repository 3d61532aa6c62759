"""The article's publication and modification dates.

The publication date (`published_date`) weighs what the page declares (JSON-LD, meta tags,
itemprop, <time>) against what it shows (date lines near the headline, labelled dates, the
URL, the text). Dates are never invented: htmldate's guess, through trafilatura, is kept only
when something on the page backs it. Reading the dates themselves is `datetext`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from newsarchive.extract.datetext import (
    format_offset,
    leading_text_date,
    parse_date,
    parse_text_date,
)
from newsarchive.extract.declarations import ARTICLE_TYPES, Meta, ld_str, ld_types
from newsarchive.extract.dom import (
    PAGE_WRAPPERS,
    SKIP_TEXT_TAGS,
    Element,
    all_text,
    class_words,
    links_home,
    logo_h1,
    per_page,
    text_of,
    walk_events,
)
from newsarchive.extract.widgets import in_widget

# ---------------------------------------------------------------------------------------------
# The publication and modification dates


def _local_time(chosen: str, others: list[str]) -> str:
    """Prefer the page's local-time spelling of the same instant over a UTC one: the day a
    reader sees on the page is the local day ("2023-11-08 22:28:35" beside
    "2023-11-09T03:28:35Z" is 22:28 at UTC-05:00)."""
    if not chosen.endswith("+00:00") or len(chosen) < 19:
        return chosen
    instant = datetime.fromisoformat(chosen)
    for other in others:
        if len(other) < 19 or other[:19] == chosen[:19] and other.endswith("+00:00"):
            continue
        local = datetime.fromisoformat(other[:19])
        shift = local - instant.replace(tzinfo=None)
        offset = other[19:]
        if offset:
            if datetime.fromisoformat(other) == instant and offset != "+00:00":
                return other
        elif (
            shift
            and abs(shift) <= timedelta(hours=14)
            and shift % timedelta(minutes=15) == (timedelta(0))
        ):
            return f"{other[:19]}{format_offset(shift)}"
    return chosen


def _month_first(lang: str | None) -> bool:
    lang = (lang or "").lower().replace("_", "-")
    return lang in ("en", "en-us")


def _day_before(day: str, other: str) -> bool:
    """Whether `day` is the calendar day before `other` (both YYYY-MM-DD)."""
    try:
        return date.fromisoformat(other) - date.fromisoformat(day) == timedelta(days=1)
    except ValueError:
        return False


@dataclass
class _Evidence:
    """What a page tells of its publication day (see published_date)."""

    root: Element
    month_first: bool  # whether the page reads "11/12/2019" the American way
    declared: list[str]  # dates declared, strong then weak, as the page writes them
    strong: list[str]  # declared for the article, the first in the page's local time
    weak: list[str]  # a generic WebPage's date, dateCreated, a plain <time>
    strong_days: set[str]  # the strong dates' days, in UTC and in the page's local time
    shown: list[_Shown]  # days shown in date elements
    best_shown: str | None  # the day shown nearest to the headline
    written: set[str] | None = None  # every day in the visible text, once asked for

    def value_for(self, day: str) -> str:
        """The declared value for this day, with its time and offset, or the day alone."""
        for value in self.declared:
            local = _local_time(value, self.declared)
            if local[:10] == day:
                return local
        return day

    def in_text(self, day: str) -> bool:
        """Whether the page's visible text writes this day anywhere."""
        if self.written is None:
            self.written = _text_days(self.root, self.month_first)
        return day in self.written


def published_date(
    root: Element,
    meta: Meta,
    ld: dict[str, Any],
    guessed: str | None,
    url: str,
    lang: str | None,
    first_paragraph: str | None = None,
) -> str | None:
    """The publication date, weighing what the page declares against what it shows.

    The evidence: dates declared for the article (JSON-LD of an article type, meta tags,
    itemprop=datePublished), weaker declarations (a generic WebPage's date, which SEO plugins
    put on every page, dateCreated, a plain <time>), the days shown in date elements near
    the headline, a dateline opening the article's first paragraph (`first_paragraph`, as
    Markdown), the day in the URL, every day written in the visible text, and htmldate's
    guess (through trafilatura). The guess is kept only when something else on the page
    backs it: unchecked, it gave a date to 87 of 89 pages of the corpus's tuning set that
    annotators marked as undated; checked this way, 41, with 89.6 % of dates right.
    """
    found = _evidence(root, meta, ld, _month_first(lang))
    guess = parse_date(guessed)
    if labelled := _labelled_days(root, found.month_first):
        # A day the page labels as its publication day ("Veröffentlicht am: ..."): on the
        # tuning pages the label agreed with it on all 58 pages that have one.
        return found.value_for(labelled[0])
    best_shown = found.best_shown
    if best_shown and _shown_day_holds(found, best_shown, _modified_values(root, meta, ld), guess):
        return found.value_for(best_shown)
    # A date line (a short text of its own, no link's or quotation's) dates the article for
    # its reader: nearest to the headline, over htmldate's guess when nothing is declared
    # (on the tuning pages: 2 more right, none lost); right under the headline, over a
    # declared day the page never writes (4 more right, none lost).
    lines = [s for s in found.shown if s.line]
    line = _nearest_to_headline(root, lines)
    if line and not found.strong and guess and guess[:10] != line:
        return found.value_for(line)
    header = _nearest_to_headline(root, [s for s in lines if 0 <= s.gap <= _HEADER_CHARS])
    modified = _modified_values(root, meta, ld)
    if header and found.strong and _header_day_holds(found, header, modified):
        return found.value_for(header)
    # A press release's dateline dates what follows it, as a date line does: over htmldate's
    # guess, and over a declared day the page never writes.
    dateline = _dateline_day(first_paragraph, found.month_first)
    if dateline and (not found.strong or _header_day_holds(found, dateline, modified)):
        return found.value_for(dateline)
    if guess:
        day = guess[:10]
        if (
            day in found.strong_days
            or day == _url_day(url)
            or day in {d for d, *_ in found.shown}
            or found.in_text(day)
        ):
            return found.value_for(day)
    if found.strong and best_shown and best_shown in found.strong_days:
        return found.value_for(best_shown)
    if found.strong:
        return found.strong[0]
    if best_shown:
        return found.value_for(best_shown)
    if found.weak and found.in_text(found.weak[0][:10]):
        return found.weak[0]
    return None


def modified_date(root: Element, meta: Meta, ld: dict[str, Any]) -> str | None:
    """When the page says the article was last modified, else None."""
    values = _modified_values(root, meta, ld)
    return values[0] if values else None


def _modified_values(root: Element, meta: Meta, ld: dict[str, Any]) -> list[str]:
    """The modification dates the page declares, parsed: JSON-LD, meta tags, itemprop."""
    values = [
        ld_str(ld.get("dateModified")),
        *meta.all(*_MODIFIED_META),
        *_time_elements(root, "datemodified", plain=False),
    ]
    return [p for p in (parse_date(v) for v in values) if p]


def _evidence(root: Element, meta: Meta, ld: dict[str, Any], month_first: bool) -> _Evidence:
    """The dates the page declares and the days it shows."""
    strong, weak = _declared_dates(root, meta, ld)
    declared = strong + weak
    # A published value that is the modification value itself ("sailthru.date" beside
    # dateModified) is the last save, not the publication: it backs no day while another
    # published value differs from it.
    modified = set(_modified_values(root, meta, ld))
    backing = [v for v in strong if v not in modified] or strong
    if strong:
        strong[0] = _local_time(strong[0], declared[1:])
    # A UTC timestamp backs both its own day and the page's local day.
    strong_days = {_local_time(v, declared)[:10] for v in backing} | {v[:10] for v in backing}
    shown = _visible_dates(root, month_first)
    return _Evidence(
        root=root,
        month_first=month_first,
        declared=declared,
        strong=strong,
        weak=weak,
        strong_days=strong_days,
        shown=shown,
        best_shown=_nearest_to_headline(root, shown),
    )


def _declared_dates(root: Element, meta: Meta, ld: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The publication dates the page declares: for the article (JSON-LD of an article type,
    meta tags, itemprop=datePublished), and weaker ones (a generic WebPage's date, which SEO
    plugins put on every page, dateCreated, a plain <time>)."""
    is_article = any(
        k.endswith("article") or k in ARTICLE_TYPES - {"webpage"} for k in ld_types(ld)
    )
    ld_published = ld_str(ld.get("datePublished"))
    marked = _time_elements(root, "datepublished", plain=False)
    plain = _time_elements(root, "datepublished")[len(marked) :]
    strong = [ld_published if is_article else None, *meta.all(*_PUBLISHED_META), *marked]
    weak = [None if is_article else ld_published, ld_str(ld.get("dateCreated")), *plain]
    return (
        [p for p in (parse_date(v) for v in strong) if p],
        [p for p in (parse_date(v) for v in weak) if p],
    )


def _nearest_to_headline(root: Element, shown: list[_Shown]) -> str | None:
    """The shown day nearest to the headline, after it rather than before (site headers show
    today's date)."""
    if not shown:
        return None
    h1 = _headline_h1(root)
    if h1 is None:
        return shown[0][0]
    at = next(i for i, el in enumerate(root.iter()) if el is h1)
    return min(shown, key=lambda s: abs(s[1] - at) + (0 if s[1] > at else 50))[0]


def _headline_h1(root: Element) -> Element | None:
    """The headline's <h1>: the first with text, but for a site's logo marked up as one (see
    logo_h1) when another <h1> follows."""
    h1s = [el for el in root.iter("h1") if text_of(el)]
    return next((el for el in h1s if not logo_h1(el)), h1s[-1] if h1s else None)


def _url_day(url: str) -> str | None:
    """The day written in a URL: ".../2021/10/29/...", ".../20211029-...", ".../29-10-2021"."""
    if m := _URL_DAY_RE.search(url or ""):
        return "-".join(m.groups())
    if m := _URL_DMY_RE.search(url or ""):
        return f"{m[3]}-{m[2]}-{m[1]}"
    return None


def _shown_day_holds(
    found: _Evidence, best_shown: str, modified: list[str], guess: str | None
) -> bool:
    """Whether the day shown under the headline is the publication day: when the page declares
    it too (as its published day read in another time zone, or as its modified day) and shows
    no earlier published day, readers, and annotators, date the page by what it shows. (On
    the tuning pages: 14 more dates right, none lost on undated pages.) `guess` is htmldate's,
    which stands in for a declared date when the page declares none."""
    if found.strong:
        first = {found.strong[0][:10], _local_time(found.strong[0], found.declared)[:10]}
    else:
        first = {guess[:10]} if guess else set()
    other_first_shown = bool((first - {best_shown}) & {d for d, *_ in found.shown})
    if (
        best_shown in found.strong_days | {v[:10] for v in modified}
        and not other_first_shown
        and all(best_shown >= day for day in first)
    ):
        return True
    # The page shows, under the headline, the day before the one it declares: an evening
    # story declared in UTC or in its next morning's update. (On the tuning pages: 3 more
    # right, none lost; a shown day further back is a teaser's.)
    return (
        bool(found.strong)
        and not other_first_shown
        and _day_before(best_shown, min(found.strong_days))
    )


# A dateline's place: one to four words, the first capitalised, and a comma ("BERLIN, ",
# "Karlsruhe, ", "Hamburg, den ", "BERLIN (dpa), ").
_PLACE_RE = re.compile(r"[A-ZÄÖÜÉ][\w'’.-]*(?:[ /-][A-ZÄÖÜÉ(][\w'’.)-]*){0,3},\s*(?:den\s+)?")


# What ends a dateline's day: a dash, a colon, a bar, or a full stop before the text.
_DATELINE_END_RE = re.compile(r"\s*(?:[-–—:|]|\.(?:\s|$))")


def _dateline_day(paragraph: str | None, month_first: bool) -> str | None:
    """The day of the dateline that opens a paragraph, press-release style: "BERLIN, March
    12, 2020 — ...", "Karlsruhe, (12.11.2021). ...", "(21. November 2022) ...", "12.03.2020 –
    ...". A day that opens a sentence ("1. Mai 2020 gingen ...") is no dateline."""
    if not paragraph:
        return None
    text = " ".join(paragraph.replace("*", "").split())[:120]
    at = m.end() if (m := _PLACE_RE.match(text)) else 0
    opened = text.startswith("(", at)
    found = leading_text_date(text[at + opened :], month_first=month_first)
    if found is None:
        return None
    rest = text[at + opened + found[1] :]
    if opened:
        return found[0] if rest.startswith(")") else None
    return found[0] if _DATELINE_END_RE.match(rest) else None


# How far below (or above) the headline, in characters of text, its date line stands: past a
# standfirst and a byline, not past the first paragraphs.
_HEADER_CHARS = 400


def _header_day_holds(found: _Evidence, header: str, modified: list[str]) -> bool:
    """Whether the day on the date line under the headline is the publication day, although
    the page declares another one: when the declared day is written nowhere in the visible
    text (a CMS's creation day: "21.01.2022" under the headline, 2022-01-26 declared), and
    the shown one is not the modified day the page declares. Either day may be read with
    month and day swapped ("08/11/2023" on an Irish page in English)."""
    declared = {r for day in found.strong_days for r in _readings(day)}
    return (
        not declared & _readings(header)
        and not _readings(header) & {v[:10] for v in modified}
        and not any(found.in_text(day) for day in declared)
    )


def _readings(day: str) -> set[str]:
    """The day, and the day with month and day swapped: "08/11/2023" read the other way."""
    year, month, dom = day[:4], day[5:7], day[8:10]
    return {day, f"{year}-{dom}-{month}"} if int(dom) <= 12 else {day}


# ---------------------------------------------------------------------------------------------
# Where the page declares and shows its dates

_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "date",
    "originalpublicationdate",
    "cxenseparse:recs:publishtime",
    "og:article:published_time",
)


_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "article:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
)


def _time_elements(root: Element, prop: str, *, plain: bool = True) -> list[str]:
    """Date values of elements marked itemprop=prop (or <time pubdate>), then, with `plain`,
    of any other <time datetime> outside comments, sidebars and teasers."""
    marked: list[str] = []
    others: list[str] = []
    for value, itemprop, pubdate, other in _dated_elements(root):
        if prop in itemprop or pubdate:
            marked.append(value)
        elif plain and other:
            others.append(value)
    return marked + others


@per_page
def _dated_elements(root: Element) -> tuple[tuple[str, str, bool, bool], ...]:
    """The page's itemprop elements (but <meta>) and <time datetime> that hold a value: the
    value, the itemprop in lower case, whether it is a <time pubdate>, and whether it is
    another <time> outside comments, sidebars and teasers. Read once a page: the
    publication and modification dates both ask, and each asks more than once."""
    found = []
    for el in root.xpath("//*[@itemprop][not(self::meta)] | //time[@datetime]"):
        value = el.get("datetime") or el.get("content")
        if not value or not value.strip():
            continue
        itemprop = str(el.get("itemprop") or "").lower()
        time = el.tag == "time"
        pubdate = time and el.get("pubdate") is not None
        found.append((value, itemprop, pubdate, time and not itemprop and not in_widget(el)))
    return tuple(found)


_DATE_CLASS_WORDS = frozenset(
    {
        "date",
        "dates",
        "datetime",
        "time",
        "published",
        "pubdate",
        "posted",
        "timestamp",
        "byline",
        "meta",
        "dateline",
        "updated",
        "datum",
        "fecha",
        "data",
        "created",
        "publish",
        "publishdate",
        "publishing",
        "publication",
        "released",
        "post",
        "entry",
        "article",
        "info",
        "details",
        "stand",
        "zeit",
    }
)


# Dates inside these belong to something else: comments, teasers, calendars, "latest news".
_NOT_THIS_DATE_WORDS = frozenset(
    "comment comments related recommended teaser teasers sidebar widget popular trending promo "
    "footer nav navigation menu breadcrumb breadcrumbs reply replies respond more latest recent "
    "archive calendar weather ticker".split()
)


def _other_items_date(
    el: Element, around_h1: set[Element] | frozenset[Element] = frozenset()
) -> bool:
    """Whether `el` is in a comment, a teaser, a calendar, navigation. An element that holds
    the headline holds the article, whatever its class says ("left-navigation-wrapper"), and
    so does the article's own footer (see _articles_footer)."""
    if _listed_story(el):
        return True
    for anc in el.iterancestors():
        if anc in around_h1 or (around_h1 and _articles_footer(anc, around_h1)):
            return False
        if anc.tag in ("nav", "aside", "footer", "form") or _site_header(anc):
            return True
        if anc.tag not in PAGE_WRAPPERS and _NOT_THIS_DATE_WORDS.intersection(class_words(anc)):
            return True
    return False


def _listed_story(el: Element) -> bool:
    """Whether `el` is in an item of a list of other stories: an <li> that holds a link and
    a day, as another <li> of its list does ("Weitere Pressemitteilungen: 10.08.2022 ...")."""
    li = next((a for a in (el, *el.iterancestors()) if a.tag == "li"), None)
    if li is None or li.find(".//a[@href]") is None or (parent := li.getparent()) is None:
        return False
    return any(
        other is not li
        and other.find(".//a[@href]") is not None
        and parse_text_date(_short_text(other, 250)) is not None
        for other in parent.iterchildren("li")
    )


def _site_header(el: Element) -> bool:
    """Whether `el` is the site's header, whose date box shows today's date: a <header>
    outside the article and the page's <main> that holds the site's navigation or its logo's
    link home, and no headline (a logo's <h1> is none)."""
    if el.tag != "header" or not all(logo_h1(h1) for h1 in el.iter("h1")):
        return False
    if any(anc.tag in ("article", "main") for anc in el.iterancestors()):
        return False
    return el.find(".//nav") is not None or any(links_home(a.get("href")) for a in el.iter("a"))


def _articles_footer(el: Element, around_h1: set[Element] | frozenset[Element]) -> bool:
    """Whether `el` is the footer of the article rather than of the page: a footer beside
    the article's text, in an element that holds the headline (not the page's <body>), and
    mostly text, not the site's links ("Erschienen am: 01.11.2023 · Lesungen: 61")."""
    if el.tag != "footer" and "footer" not in class_words(el):
        return False
    parent = el.getparent()
    if parent is None or parent not in around_h1 or parent.tag in ("html", "body"):
        return False
    links = sum(len(text_of(a)) for a in el.iter("a"))
    return links * 2 < len(text_of(el))


class _Shown(NamedTuple):
    """A day the page shows in a date element."""

    day: str
    position: int  # of the element, in document order
    line: bool  # a date line: the element's text is short, and not a link's or a quotation's
    gap: int  # characters of text between the headline and the element (-1: no headline)


def _visible_dates(root: Element, month_first: bool) -> list[_Shown]:
    """Days the page shows in a <time> or in an element marked as a date, byline or meta
    line, outside comments and teasers, and on a date line of its own beside the headline
    (see _plain_line). A day shown before the headline and outside the article that holds it
    is the site header's "today" box, not the article's, unless a box of their own holds it
    and the article (see _BesideStory)."""
    found: list[_Shown] = []
    plain: list[tuple[Element, str, int, int, int]] = []  # element, day, length, position, at
    h1 = _headline_h1(root)
    story = _story_of(h1) if h1 is not None else None
    before_h1 = story is not None
    beside_story = _BesideStory(story)
    chars = 0  # of text before the element, about (an element's tail counts at its start)
    h1_start = h1_end = -1
    for position, el in enumerate(root.iter()):
        if el is h1:
            before_h1 = False
            h1_start, h1_end = chars, chars + len(text_of(el))
        tag = el.tag  # (read once: lxml makes the string anew at each read)
        if not isinstance(tag, str) or tag in SKIP_TEXT_TAGS or tag == "head":
            chars += len((el.tail or "").strip())
            continue
        at, chars = chars, chars + len((el.text or "").strip()) + len((el.tail or "").strip())
        if before_h1 and not beside_story(el):
            continue
        if tag != "time" and not _DATE_CLASS_WORDS.intersection(class_words(el)):
            near = h1 is not None and (h1_end < 0 or at - h1_end <= _HEADER_CHARS)
            if near and (line_day := _plain_line(el, month_first)):
                plain.append((el, *line_day, position, at))
            continue
        if "datemodified" in str(el.get("itemprop") or "").lower():
            continue  # the page marks it as the day of a change, not of publication
        text = _short_text(el, 250)
        day = parse_text_date(text, month_first=month_first)
        if day is None and el.tag == "time" and (iso := parse_date(el.get("datetime"))):
            day = (iso[:10], 0)
        if day is not None and not _other_items_date(el):
            line = len(text) <= 80 and not _quoted(el)
            gap = -1 if h1 is None else max(h1_start - at - len(text), at - h1_end, 0)
            found.append(_Shown(day[0], position, line, gap))
    for el, day_, length, position, at in plain:
        gap = max(h1_start - at - length, at - h1_end, 0)
        if gap <= _HEADER_CHARS and not _quoted(el) and not _other_items_date(el):
            found.append(_Shown(day_, position, True, gap))
    return found


class _BesideStory:
    """Whether an element before the headline is in the article (`story`) or beside it in a
    box of their own: the nearest element that holds both is neither the page's <body> nor
    one that holds the site's <header> or <nav> ("Pressemitteilung | 12.12.2022" over the
    headline in <main>; a blog's date heading over the day's posts). It is asked of every
    element above the headline, so each answer is kept for the children of its element."""

    def __init__(self, story: Element | None) -> None:
        self._story = story
        self._holders = frozenset(story.iterancestors()) if story is not None else frozenset()
        self._from: dict[Element, bool] = {}  # an element -> the answer for its children

    def __call__(self, el: Element) -> bool:
        if self._story is None or el is self._story:
            return True
        parent = el.getparent()
        return parent is not None and self._below(parent)

    def _below(self, el: Element) -> bool:
        """The answer for the children of `el` (but the story): the same as for those of
        its parent, unless `el` is the story or holds it."""
        if (known := self._from.get(el)) is not None:
            return known
        if el is self._story:
            answer = True
        elif el in self._holders:  # the nearest box that holds both
            answer = (
                el.tag not in ("html", "body")
                and el.find(".//header") is None
                and el.find(".//nav") is None
            )
        else:
            parent = el.getparent()
            answer = parent is not None and self._below(parent)
        self._from[el] = answer
        return answer


def _short_text(el: Element, limit: int) -> str:
    """The element's text, whitespace collapsed, cut at about `limit` characters."""
    text = ""
    for piece in el.itertext():
        text += piece
        if len(text) > limit:
            break
    return " ".join(text[:limit].split())


# Elements a date line stands in, and the headings it does not (a heading is a title's).
_LINE_TAGS = frozenset({"p", "div", "span", "small", "li", "em", "strong", "b", "i"})


def _plain_line(el: Element, month_first: bool) -> tuple[str, int] | None:
    """The day and length of a date line in an element not marked as one: a short text of
    its own (one of few parts, 80 characters at most) that opens with a day, as "02.02.2022
    10:16 Uhr - 1. Bundesliga" or "1. Februar 2022, Jane Roe" does. Readers take it for the
    article's date when it stands right above or under the headline (_HEADER_CHARS)."""
    if el.tag not in _LINE_TAGS or len(el) > 3:
        return None
    text = _short_text(el, 81)
    if not text or len(text) > 80 or not (text[0].isdigit() or text[0].isalpha()):
        return None
    if _UPDATE_RE.search(text):
        return None  # "November 28, 2013 -- Updated 0203 GMT": the day of an update
    day = parse_text_date(text, month_first=month_first)
    return (day[0], len(text)) if day is not None and day[1] == 0 else None


_UPDATE_RE = re.compile(
    r"\b(?:updated?|aktualisiert|stand|geändert|actualizad[oa]|mis à jour|modifié|aggiornat[oa])\b",
    re.IGNORECASE,
)


def _quoted(el: Element) -> bool:
    """Whether `el` is a link or inside one, or inside a quotation (an embedded post): the
    dates there are another page's."""
    return el.tag == "a" or any(anc.tag in ("a", "blockquote") for anc in el.iterancestors())


_STORY_WORDS = frozenset({"article", "post", "entry", "story"})


def _story_of(h1: Element) -> Element | None:
    """The element that holds the article the headline heads: its nearest <article>, or an
    element whose class or id says article, post, entry or story."""
    for anc in h1.iterancestors():
        if anc.tag in ("body", "html"):
            return None
        if anc.tag == "article" or _STORY_WORDS.intersection(class_words(anc)):
            return anc
    return None


_COMMENT_WORDS = frozenset("comment comments reply replies respond".split())


def _in_comment(el: Element, around_h1: set[Element]) -> bool:
    """Whether `el` is in a reader's comment: in an element marked as one that neither holds
    the headline nor is a date element itself (an opinion piece, a "comment", has its
    "ArticleHeaderComment" and "ArticleHeaderComment_publishDate")."""
    for anc in el.iterancestors():
        words = class_words(anc)
        if (
            _COMMENT_WORDS.intersection(words)
            and anc not in around_h1
            and not _DATE_CLASS_WORDS.intersection(words)
        ):
            return True
    return False


def _text_days(root: Element, month_first: bool) -> set[str]:
    """Every day the page's visible text writes as a date, but for the site header's (before
    the headline, outside the article that holds it: see _visible_dates), readers' comments'
    and a list of other stories' (see _listed_story). A day a sentence talks about ("seit dem
    30.04.2020 in Kraft") dates nothing: a date stands in a short text of its own or opens a
    longer one. (On the tuning pages: these take the undated pages given a date from 39 to 32
    of 89, and lose one date, a post dated only by its first comment.)"""
    days: set[str] = set()
    body = root.find("body")
    h1 = _headline_h1(root)
    story = _story_of(h1) if h1 is not None else None
    around_h1 = set(h1.iterancestors()) if h1 is not None else set()
    before_h1 = story is not None
    beside_story = _BesideStory(story)
    for el in body.iter() if body is not None else ():
        if el is h1:
            before_h1 = False
        if not isinstance(el.tag, str) or el.tag in SKIP_TEXT_TAGS:
            continue
        for text in (el.text, el.tail):
            if not text or not any(map(str.isdigit, text)):
                continue
            if before_h1 and not beside_story(el):
                continue
            text = " ".join(text.split())
            # A day inside a sentence is one the text talks about ("seit dem 30.04.2020 in
            # Kraft"); a day that dates something stands alone or opens its text.
            prose, done = len(text) > 100, 0
            while found := parse_text_date(text[done:], month_first=month_first):
                if (
                    (not prose or done + found[1] <= 3)
                    and not _in_comment(el, around_h1)
                    and not _listed_story(el)
                ):
                    days.add(found[0])
                done += found[1] + 6
    return days


# A label that says the date after it is the publication day ("Veröffentlicht am: 3.2.2022",
# "Published: ...", "Datum: ..."); labels of an update ("Stand", "Updated") are not among them.
_PUBLISHED_LABEL = (  # the longer label first: "Veröffentlicht am 16.08.2019" is one
    r"(?:datum|date|published on|published|posted on|publication date|veröffentlicht am|"
    r"veröffentlicht|erschienen am|erstellt am|publiziert am|publié le|publicado el|"
    r"publicado em|pubblicato il|opublikowano)\s*:?\s*"
)


_LABELLED_RE = re.compile(r"(?<!\w)" + _PUBLISHED_LABEL + r"(?=\w)", re.IGNORECASE)


_LABEL_ONLY_RE = re.compile(r"(?<!\w)" + _PUBLISHED_LABEL + r"$", re.IGNORECASE)


# A label followed by what can start a date, in the page's text run together: most pages
# have none, and skip the walk.
_LABELLED_DATE_RE = re.compile(_PUBLISHED_LABEL + r"(?=\d|[^\W\d_]{3,9}\.?\s+\d)", re.IGNORECASE)


_LABEL_STARTS = tuple(
    "datum date published posted publication veröffentlicht erschienen erstellt publiziert "
    "publié publicado pubblicato opublikowano".split()
)


def _has_labelled_date(text: str) -> bool:
    """Whether `text` holds a publication label and a date after it: a quick look for the
    labels' words first (a regular expression tried at every place of a page is slow)."""
    low = text.lower()
    for word in _LABEL_STARTS:
        at = low.find(word)
        while at >= 0:
            if _LABELLED_DATE_RE.match(low, at):
                return True
            at = low.find(word, at + len(word))
    return False


def _labelled_days(root: Element, month_first: bool) -> list[str]:
    """Days written right after a publication label in the visible text ("Datum: 03.02.2022",
    "Erschienen am: 01.11.2023"), in the same text or in the next one, outside comments and
    teasers."""
    found: list[str] = []
    body = root.find("body")
    if body is None or not _has_labelled_date(all_text(body)):
        return found
    h1 = _headline_h1(root)
    around_h1 = set(h1.iterancestors()) if h1 is not None else set()
    after_label = False
    for event, el in walk_events(body):
        if event == "start" and (not isinstance(el.tag, str) or el.tag in SKIP_TEXT_TAGS):
            continue
        text, owner = (el.text, el) if event == "start" else (el.tail, el.getparent())
        text = " ".join((text or "").split())
        if not text or owner is None:
            continue  # blank space between a label and its date does not part them
        starts = [0] if after_label else []
        starts += [m.end() for m in _LABELLED_RE.finditer(text)]
        for start in starts:
            day = parse_text_date(text[start : start + 40], month_first=month_first)
            if day is not None and day[1] == 0 and not _other_items_date(owner, around_h1):
                found.append(day[0])
        after_label = bool(_LABEL_ONLY_RE.search(text))
    return found


_URL_DAY_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)"
)


# The day European sites write in their URLs: ".../meldungen/29-10-2021"
_URL_DMY_RE = re.compile(
    r"(?<![\d.])(0[1-9]|[12]\d|3[01])[-_.](0[1-9]|1[0-2])[-_.]((?:19|20)\d{2})(?![\d.])"
)
