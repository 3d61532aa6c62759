"""The lxml boundary: parsing a page, and what every other module asks of an element.

Parsing (`parse_html`), an element's visible text (`text_of`; the page's, `shown_text`) and
its class words (`class_words`, remembered for the page inside `page_scope`, as is what a
`per_page` function finds), the block-level tags, and the few tree operations other modules
need (`wrapped_copy`, `unwrap`, `remove`, `remove_never_shown`, `all_text`, `walk_events`).
This is the only module that imports lxml; the others handle its elements as `Element`
(lxml ships no type information).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from copy import deepcopy
from typing import Any, TypeVar
from urllib.parse import urlsplit

from lxml import etree

from newsarchive.errors import ExtractionError
from newsarchive.extract.text import clean

# lxml ships no type information, so its elements are `Any` to mypy; the alias documents intent.
Element = Any
T = TypeVar("T")


SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})


def text_of(el: Element, skip: frozenset[str] = SKIP_TEXT_TAGS) -> str:
    """The visible text of an element, without scripts, styles and form controls."""
    return clean(raw_text_of(el, skip))


def raw_text_of(el: Element, skip: frozenset[str] = SKIP_TEXT_TAGS) -> str:
    """`text_of` with the page's whitespace as it stands, for callers that join texts and
    clean them once."""
    if next(el.iter(*skip), None) is None:
        # Nothing to leave out (most paragraphs): lxml gathers the text without Python calls.
        return "".join(el.itertext())
    return _gathered(el, skip, None)


def _gathered(el: Element, skip: frozenset[str], new_line: str | None, picture: str = "") -> str:
    """The texts of `el` and the elements inside it but those of `skip`, with their tails, in
    order; with `new_line`, that string wherever a block element starts or ends and at each
    `<br>`, `picture` after each `<img>`, and the source's own line breaks as spaces but
    inside `<pre>`, where a browser shows them."""
    parts: list[str] = []
    lines = new_line is not None
    mark = _BREAK if lines else ""

    def walk(node: Element, pre: bool) -> None:
        block = lines and node.tag in BLOCK_TAGS
        pre = pre or (lines and node.tag in PREFORMATTED_TAGS)
        if block:
            parts.append(mark)
        if node.text:
            parts.append(node.text.replace("\n", _BREAK) if pre else node.text)
        for child in node:
            if lines and child.tag == "br":
                parts.append(mark)
            elif isinstance(child.tag, str) and child.tag not in skip:
                walk(child, pre)
                if lines and child.tag == "img":
                    parts.append(picture)
            elif child.tag == "br":
                parts.append(" ")
            if child.tail:
                parts.append(child.tail.replace("\n", _BREAK) if pre else child.tail)
        if block:
            parts.append(mark)

    walk(el, False)
    text = "".join(parts)
    # The line breaks a browser shows are marked while walking; the source's others are spaces.
    return text.replace("\n", " ").replace(_BREAK, new_line) if new_line is not None else text


# A line break a browser shows, while `_gathered` walks (no page's text holds a NUL).
_BREAK = "\x00"


def spaced_text(el: Element) -> str:
    """The visible text of `el` with a space wherever a browser starts a new line at the
    least (each block element's start and end, each `<br>`), where `text_of` joins the texts
    as the source runs them ("Y. Wissa" and "T. Fontaine" in two `<div>`s, "Y. WissaT.
    Fontaine" there). Style sheets, which can set other elements apart too, are not read."""
    return lines_as_one(text_lines(el))


def text_lines(el: Element, picture: str = "") -> str:
    """The visible text of `el` line by line, as a browser breaks it: at block elements,
    `<br>` and the line breaks inside `<pre>`, never at the source's other line breaks; each
    line `clean`; `picture` where an `<img>` stands."""
    gathered = _gathered(el, SKIP_TEXT_TAGS, "\n", picture)
    lines = (clean(line) for line in gathered.split("\n"))
    return "\n".join(line for line in lines if line)


def lines_as_one(lines: str) -> str:
    """`text_lines` as `spaced_text` gives them: a space at each new line."""
    return lines.replace("\n", " ")


_NO_WORD_ATTRS = (None, None, None, None, None)  # class, id, role, itemprop, data-component

# The class words of the elements of the page being read, while `page_scope` is open: the
# extractor's passes ask for those of every element several times (about 2,000 asks a page
# for 800 elements). Per context, so that pages read in threads side by side keep apart.
_WORDS_OF: ContextVar[dict[Element, tuple[str, ...]] | None] = ContextVar("words", default=None)


# What the functions marked `per_page` found for an element of the page being read.
_FOUND: ContextVar[dict[tuple[Callable[..., Any], Element], Any] | None] = ContextVar(
    "found", default=None
)


@contextlib.contextmanager
def page_scope() -> Iterator[None]:
    """Remember each element's `class_words`, and what each `per_page` function found, until
    the block ends (the page's tree must not change meanwhile); the memory goes with the
    block."""
    words = _WORDS_OF.set({})
    found = _FOUND.set({})
    try:
        yield
    finally:
        _FOUND.reset(found)
        _WORDS_OF.reset(words)


def per_page(find: Callable[[Element], T]) -> Callable[[Element], T]:
    """`find(el)`, worked out once while `page_scope` is open, for a question several passes
    ask of the same element. What it returns must hold no element: those go with the page."""

    @functools.wraps(find)
    def remembered(el: Element) -> T:
        memo = _FOUND.get()
        if memo is None:
            return find(el)
        key = (find, el)
        if key not in memo:
            memo[key] = find(el)
        return memo[key]  # type: ignore[no-any-return]

    return remembered


@per_page
def shown_text(root: Element) -> str:
    """The text the page shows: its <body>'s (its whole tree's when it has none). The wall
    checks share it, and the search for the authors' names; it is the longest text gathered
    from a page, so it is gathered once."""
    body = root.find("body")
    return text_of(body if body is not None else root)


def class_words(el: Element) -> tuple[str, ...]:
    """Class, id, role, itemprop and data-component of an element, split into lower-case
    words."""
    memo = _WORDS_OF.get()
    if memo is not None and (known := memo.get(el)) is not None:
        return known
    get = el.get
    values = (get("class"), get("id"), get("role"), get("itemprop"), get("data-component"))
    words = () if values == _NO_WORD_ATTRS else _split_words(values)
    if memo is not None:
        memo[el] = words
    return words


@functools.lru_cache(maxsize=2048)
def _split_words(values: tuple[str | None, ...]) -> tuple[str, ...]:
    # Cached: the same few class names recur on every page, and the extractor's passes ask for
    # them about 1,600 times a page. Most hits are within a page: 2,048 entries (1.5 MB in
    # each extraction process) miss little more than 8,192 (6 MB).
    raw = " ".join(value or "" for value in values)
    lower = raw.lower()
    if lower != raw:
        raw = _CAMEL_RE.sub(r"\1 \2", raw)  # camelCase → camel Case
        lower = raw.lower()
    return tuple(_WORD_SPLIT_RE.split(lower))


_CAMEL_RE = re.compile(r"([a-z])([A-Z])")
_WORD_SPLIT_RE = re.compile(r"[\s_\-]+")


_RUBY_TEXT = re.compile(r"<r[tp][\s>/]", re.IGNORECASE)
# A ruby annotation (<rt>) or its fallback parenthesis (<rp>), whose end tag may be left out.
_RUBY_ANNOTATION = re.compile(
    r"<(r[tp])\b[^>]*>.*?(?:</\1\s*>|(?=<(?:rt|rp|/ruby)\b))", re.IGNORECASE | re.DOTALL
)


def without_ruby_annotations(markup: str) -> str:
    """The page without its ruby annotations: the reading aids (<rt>) a browser shows above
    the characters they gloss ("漢<rt>かん</rt>"), and the parentheses (<rp>) it shows around
    them where ruby is not supported. They are not part of the sentence: a reader, and a
    search, reads "漢字", not "漢かん字じ"."""
    if not _RUBY_TEXT.search(markup):
        return markup
    return _RUBY_ANNOTATION.sub("", markup)


# What a browser never shows until the reader acts: a <template>'s content (trafilatura
# unwraps it, keeping an AMP list's "{{.}}"), an AMP element laid out as "nodisplay" (a
# lightbox: a picture's rating form), and an AMP form's answers ("Vielen Dank!", shown once
# it is sent).
NEVER_SHOWN_XPATHS = (
    "//template",
    "//*[@layout='nodisplay']",
    "//*[@submit-success or @submit-error or @submitting]",
)
_NEVER_SHOWN = etree.XPath(" | ".join(NEVER_SHOWN_XPATHS))


def remove_never_shown(root: Element) -> bool:
    """Take what the page never shows (`NEVER_SHOWN_XPATHS`) out of `root`; whether it held
    any."""
    hidden = _NEVER_SHOWN(root)
    for el in hidden:
        remove(el)
    return bool(hidden)


def parse_html(markup: str, where: str) -> Element:
    """The page's element tree; ExtractionError when it is empty or not HTML at all."""
    if not markup or not markup.strip():
        raise ExtractionError(where, "empty page")
    # Encoding to bytes sidesteps lxml's refusal of str input with an XML encoding declaration.
    # Plain lxml elements, not lxml.html's: these passes walk the tree many times, and
    # lxml.html looks up a Python element class for every node it hands out.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(markup.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(where, f"not parseable as HTML ({exc})") from exc
    if root is None:
        raise ExtractionError(where, "not parseable as HTML")
    return root


def has_ancestor(el: Element, tags: set[str]) -> bool:
    """Whether one of the element's ancestors is one of `tags`."""
    return any(isinstance(a.tag, str) and a.tag in tags for a in el.iterancestors())


# A link to the site's front page, written relative to the page.
_HOME_HREFS = frozenset({"/", "./", "index.html", "/index.html", "/index.php"})
# A Wayback Machine capture's address: the page it shows follows the capture's time.
_WAYBACK_RE = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/(?P<url>https?://.+)$", re.I)


def original_url(url: str) -> str:
    """The page a Wayback Machine capture shows (web.archive.org/web/<time>/<url>), else url."""
    m = _WAYBACK_RE.match(url)
    return m["url"] if m else url


def links_home(href: str | None) -> bool:
    """Whether a link goes to a site's front page ("/", "index.html",
    "https://courier.example/", or that in a Wayback Machine capture)."""
    href = original_url((href or "").strip())
    if href in _HOME_HREFS:
        return True
    parts = urlsplit(href)
    return bool(parts.netloc) and parts.path in ("", "/") and not parts.query


def logo_h1(h1: Element) -> bool:
    """Whether an <h1> is the site's logo rather than a headline: outside <article> and
    <main>, it holds a picture or links to the front page."""
    if has_ancestor(h1, {"article", "main"}):
        return False
    return h1.find(".//img") is not None or any(links_home(a.get("href")) for a in h1.iter("a"))


# An inline style that hides its element (a tab's panel until clicked, a text-to-speech copy).
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def hidden_elements(root: Element) -> list[Element]:
    """The elements the page hides whatever the style sheets say (a `hidden` attribute, or
    an inline style of display: none or visibility: hidden), outermost only."""
    found: list[Element] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if hides(el) and not any(a in found for a in el.iterancestors()):
            found.append(el)
    return found


def hides(el: Element) -> bool:
    """Whether the page hides `el` whatever the style sheets say: by a `hidden` attribute, or
    an inline style of display: none or visibility: hidden."""
    return el.get("hidden") is not None or bool(_HIDING_STYLE.search(el.get("style") or ""))


# Block-level HTML elements: a container's inline content between them forms a paragraph.
# Elements whose source line breaks a browser shows as line breaks.
PREFORMATTED_TAGS = frozenset({"pre", "listing", "plaintext", "xmp", "textarea"})

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
        "picture",
        "video",
        "audio",
        "iframe",
        "noscript",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
    }
)


# Elements that wrap the whole page or the whole article: their class words describe the page
# ("mm-use-consent-management-enabled", "ArticlePage-content paywall"), not a widget.
PAGE_WRAPPERS = frozenset({"html", "body", "main", "article"})


def wrapped_copy(el: Element, tag: str = "body") -> Element:
    """A new <tag> element holding a deep copy of `el`."""
    wrapper = etree.Element(tag)
    wrapper.append(deepcopy(el))
    return wrapper


def unwrap(tree: Element, elements: list[Element]) -> None:
    """Replace each of `elements` (inside `tree`) by its content: text, children and tail stay."""
    if not elements:
        return
    for el in elements:
        el.tag = "newsarchive-unwrap"
    etree.strip_tags(tree, "newsarchive-unwrap")


def remove(el: Element) -> None:
    """Take `el` out of its tree; the text after it (its tail) stays where it was."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def all_text(el: Element) -> str:
    """Every text of the element and its descendants, scripts included, run together."""
    return str(etree.tostring(el, method="text", encoding=str))


def walk_events(el: Element) -> Iterator[tuple[str, Element]]:
    """("start", element) and ("end", element) for the element and each descendant, in
    document order."""
    return iter(etree.iterwalk(el, events=("start", "end")))
