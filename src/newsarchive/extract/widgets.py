"""Which elements of a page are not the article: navigation, share bars, newsletter boxes,
teasers, related links, comments, hidden elements.

The DOM walker skips them (`skip_reason`); dates, headlines and bylines found inside them
belong to something else (`in_widget`, `inside_related`, `in_comments`); trafilatura's blocks
whose text only such widgets hold are dropped (`is_junk_widget`).
"""

from __future__ import annotations

import functools
import re

from newsarchive.extract.dom import PAGE_WRAPPERS, Element, class_words, hides, per_page, text_of

# Never article text, whatever their content.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "aside",
        "footer",
        "header",
        "form",
        "button",
        "select",
        "input",
        "textarea",
        "iframe",
        "svg",
        "canvas",
        "video",
        "audio",
        "object",
        "embed",
        "map",
        "dialog",
        "menu",
        "label",
        "head",
        "title",
        "meta",
        "link",
    }
)


# Class/id words of widgets that sit inside article containers but are not the article.
_SKIP_WORDS = frozenset(
    {
        "share",
        "sharing",
        "sharebar",
        "social",
        "related",
        "recommended",
        "recommendations",
        "recirc",
        "newsletter",
        "newsletters",
        "subscribe",
        "subscription",
        "signup",
        "promo",
        "promotion",
        "advert",
        "advertisement",
        "advertising",
        "ad",
        "ads",
        "adslot",
        "dfp",
        "banner",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "dsgvo",
        "rgpd",
        "comment",
        "comments",
        "sidebar",
        "widget",
        "trending",
        "popular",
        "breadcrumb",
        "breadcrumbs",
        "tags",
        "pagination",
        "pager",
        "paywall",
        "outbrain",
        "taboola",
        "sponsored",
        "nav",
        "navigation",
        "menu",
        "footer",
        "toolbar",
        "donate",
        "donation",
        "hidden",
        "modal",
        "popup",
        "overlay",
        "byline",
        "dateline",
        "timestamp",
        "print",
        "tools",
        "rating",
        "author-bio",
        "skip",
        "sr",
        "visually",
        "offscreen",
        "teaser",
        "teasers",
        "more-stories",
        "nocontent",
    }
)


# The class a page gives text for screen readers only: "sr-only", "screen-reader-text",
# "visually-hidden"
_SCREEN_READER_PAIRS = frozenset({("sr", "only"), ("screen", "reader"), ("visually", "hidden")})


_SKIP_PAIRS = (
    frozenset(
        {
            ("read", "more"),
            ("most", "read"),
            ("most", "popular"),
            ("most", "viewed"),
            ("more", "stories"),
            ("also", "read"),
            ("see", "also"),
            ("you", "may"),
            ("sign", "up"),
            ("author", "bio"),
            ("about", "author"),
            ("off", "screen"),
        }
    )
    | _SCREEN_READER_PAIRS
)


def skip_reason(el: Element) -> str | None:
    """Why an element is not article text: "tag", "class" or "hidden" (None: it may be)."""
    tag = el.tag
    if not isinstance(tag, str):
        return "tag"
    if tag in SKIP_TAGS:
        return "tag"
    if el.get("hidden") is not None or str(el.get("aria-hidden") or "").lower() == "true":
        return "hidden"
    style = str(el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return "hidden"
    if tag in PAGE_WRAPPERS:
        return None  # "consent-enabled" or "paywall" on <body> or <article> marks the page
    if el.get("role") == "status":
        return "class"  # a status message: a notice shown after an action ("Saved!")
    words = class_words(el)
    if "hidden" in words and is_hidden_structured_data(el):
        return "hidden"
    return "class" if words and _names_a_widget(words) else None


def is_hidden_structured_data(el: Element) -> bool:
    """Whether `el` is structured data for machines that the page hides (by its class
    `hidden`, a `hidden` attribute or an inline display: none): an element whose every
    word is the value of a microdata property (`itemprop`: an image's address and size,
    the publisher's logo, the dates as timestamps, a copy of the article's text)."""
    if not _hides(el) or el.find(".//*[@itemprop]") is None:
        return False
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if node.text and node.text.strip() and not _in_property(node, el):
            return False
        parent = node.getparent()
        if node is not el and parent is not None and node.tail and node.tail.strip():
            if not _in_property(parent, el):
                return False
    return True


def _hides(el: Element) -> bool:
    """Whether the page hides `el` by its class, its `hidden` attribute or its own style."""
    return "hidden" in (el.get("class") or "").split() or hides(el)


def _in_property(node: Element, top: Element) -> bool:
    """Whether `node`, or an element between it and `top`, is a microdata property."""
    while node is not None:
        if node.get("itemprop") is not None:
            return True
        if node is top:
            return False
        node = node.getparent()
    return False


def for_screen_readers(el: Element) -> bool:
    """Whether `el` is text the page gives screen readers only ("Zum Profil von Jane Roe")."""
    words = class_words(el)
    return "visuallyhidden" in words or any(
        pair in _SCREEN_READER_PAIRS for pair in zip(words, words[1:], strict=False)
    )


# Cached, as `_names_junk`: a page's elements repeat a few sets of class words, and these
# two are asked of nearly every element.
@functools.lru_cache(maxsize=1024)
def _names_a_widget(words: tuple[str, ...]) -> bool:
    return bool(_SKIP_WORDS.intersection(words)) or any(
        pair in _SKIP_PAIRS for pair in zip(words, words[1:], strict=False)
    )


def in_widget(el: Element) -> bool:
    """Inside comments, sidebars, teasers, navigation or a footer rather than the article.
    (A <header> is fine here: article headers hold the headline and the date.)"""
    return any(
        anc.tag in ("nav", "aside", "footer", "form")
        or (anc.tag != "header" and skip_reason(anc) is not None)
        for anc in el.iterancestors()
    )


def heading_in_widget(el: Element) -> bool:
    """in_widget for a heading, except that a <form> holding the page's <main> or <article>
    around the heading is the whole page (ASP.NET wraps every page in one), no widget; nor
    is an element whose class names a widget when it holds the <main> around the heading or,
    outside any <main> and <article>, most of the page's text: it lays out the page's columns
    ("content-sidebar-wrap", "layoutTwoColumnsRightSidebar"). Within the main column, such a
    box is one (a file viewer's "js-code-nav-container")."""
    within_main = in_main = False
    for anc in el.iterancestors():
        if anc.tag in ("main", "article"):
            within_main = True
            in_main = in_main or anc.tag == "main"
        elif anc.tag == "form" and within_main:
            continue
        if anc.tag in ("nav", "aside", "footer", "form"):
            return True
        reason = skip_reason(anc) if anc.tag != "header" else None
        if reason == "class" and (in_main or _holds_most_text(anc)):
            continue
        if reason is not None:
            return True
    return False


def _holds_most_text(el: Element) -> bool:
    """Whether `el`, outside any <main> and <article>, holds more than half the text of the
    page's <body>."""
    ancestors = list(el.iterancestors())
    body = next((a for a in ancestors if a.tag == "body"), None)
    if body is None or any(a.tag in ("main", "article") for a in ancestors):
        return False
    return _text_length(el) * 2 > _text_length(body)


@per_page
def _text_length(el: Element) -> int:
    """The characters of `el`'s text, without its scripts' and styles' (lxml's own loops).
    Asked for every heading in a box whose class names a widget, of the same boxes and the
    same <body>: worked out once a page."""
    scripts = sum(len(node.text or "") for node in el.iter("script", "style"))
    return len("".join(el.itertext())) - scripts


# The classes that a social network's embedding code gives the quote of a post ("<blockquote
# class="twitter-tweet">"): a post the article quotes, whatever box the page wraps it in
# ("social-media-embed", "article-widget").
_EMBEDDED_POST_CLASSES = frozenset(
    "twitter-tweet twitter-video instagram-media tiktok-embed bluesky-embed text-post-media".split()
)


def is_embedded_post(el: Element) -> bool:
    """Whether `el` is the quote of a social-network post the article embeds."""
    return el.tag == "blockquote" and not _EMBEDDED_POST_CLASSES.isdisjoint(
        str(el.get("class") or "").split()
    )


def embedded_posts(widget: Element) -> list[Element]:
    """The posts a box whose class names a widget wraps (`is_embedded_post`), when they are
    most of its text: the box is the post's frame, not a sidebar that shows one."""
    posts = [el for el in widget.iter("blockquote") if is_embedded_post(el)]
    if not posts:
        return []
    own = sum(len(text_of(post)) for post in posts)
    return posts if 2 * own >= len(text_of(widget)) else []


# Author names in these belong to someone else: commenters, forum replies, reviewers.
_COMMENT_WORDS = frozenset(
    "comment comments commentlist reply replies respond discussion review reviews".split()
)


def in_comments(el: Element) -> bool:
    """Whether the element is, or is inside, a comment or a list of them."""
    return any(_COMMENT_WORDS.intersection(class_words(node)) for node in (el, *el.iterancestors()))


def inside_related(el: Element, headline: Element | None = None) -> bool:
    """Inside a box of related, recommended or popular stories, or a teaser card; not one
    that holds the page's `headline` too (the article's own "module-imageTeaser topArticle")."""
    for anc in el.iterancestors():
        words = set(class_words(anc))
        if words & {"related", "recommended", "teaser", "card", "promo", "popular", "trending"}:
            return headline is None or not any(h is headline for h in anc.iter("h1"))
    return False


# Widgets whose text is never the article's, even when trafilatura keeps it. (The data
# protection law that consent boxes answer is the GDPR, DSGVO in German, RGPD in French,
# Spanish, Italian and Portuguese.)
_JUNK_WIDGET_WORDS = frozenset(
    "newsletter newsletters subscribe subscription signup promo advert advertisement "
    "advertising ad ads adslot dfp cookie cookies consent gdpr dsgvo rgpd share sharing "
    "sharebar social paywall donate donation".split()
)


_JUNK_WIDGET_PAIRS = frozenset(
    {("most", "read"), ("most", "popular"), ("most", "viewed"), ("sign", "up")}
)


def is_junk_widget(el: Element) -> bool:
    """A widget whose text is never the article's: navigation, a form, a footer, a newsletter,
    share or cookie box, an advert, a "Most read" list, a status message."""
    if el.tag in ("nav", "form", "footer"):
        return True
    if el.tag in PAGE_WRAPPERS:
        return False
    if el.get("role") == "status":
        return True  # a status message, shown after an action ("Saved to your list!")
    words = class_words(el)
    return bool(words) and _names_junk(words)


@functools.lru_cache(maxsize=1024)
def _names_junk(words: tuple[str, ...]) -> bool:
    return bool(_JUNK_WIDGET_WORDS.intersection(words)) or any(
        pair in _JUNK_WIDGET_PAIRS for pair in zip(words, words[1:], strict=False)
    )


_CONSENT_WORDS = frozenset("cookie cookies consent gdpr dsgvo rgpd".split())


def is_consent_box(el: Element) -> bool:
    """A box that asks for consent to cookies and the processing of data: like navigation,
    never the article, however long its list of services is beside a short article. An
    element so named that holds an <h1> wraps the page (its class says consent is given)."""
    if el.tag in PAGE_WRAPPERS:
        return False
    words = class_words(el)
    if not words or not _CONSENT_WORDS.intersection(words):
        return False
    return next(el.iter("h1"), None) is None


# A heading that announces other stories: "You may also like", "Related posts", "Leia
# também", "Das könnte Sie auch interessieren".
_RELATED_HEADING_RE = re.compile(
    r"^(?:you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|"
    r"related (?:posts|articles|stories|news|content|reading)|more (?:stories|articles) like this|"
    r"recommended (?:for you|stories|articles)|"
    r"(?:você|voce) (?:também |tambem )?(?:pode|poderá|vai) gostar|leia também|veja também|"
    r"(?:posts|artigos|notícias|matérias) relacionad[oa]s|"
    r"(?:también )?te (?:puede|podría) interesar|(?:noticias|artículos|entradas) relacionad[oa]s|"
    r"(?:à )?lire aussi|vous aimerez (?:aussi|également)|sur le même sujet|"
    r"das könnte (?:sie|dich) auch interessieren|ähnliche (?:artikel|beiträge)|"
    r"potrebbe(?:ro)? interessarti|articoli correlati|leggi anche)\W*$",
    re.IGNORECASE,
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def related_sections(root: Element, headline: Element | None) -> list[list[Element]]:
    """The sections of other stories a page announces with a heading ("You may also like
    ..."): for each such heading, the elements that follow it beside it, up to a heading of
    its rank or higher. A section holding the headline is the article's, not one."""
    sections: list[list[Element]] = []
    for heading in root.iter(_HEADINGS):
        text = " ".join("".join(heading.itertext()).split())
        if len(text) > 60 or not _RELATED_HEADING_RE.match(text):
            continue
        section: list[Element] = []
        for sibling in heading.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            if sibling.tag in _HEADINGS and sibling.tag <= heading.tag:
                break
            section.append(sibling)
        if headline is None or not any(headline in el.iter("h1") for el in section):
            sections.append(section)
    return sections
