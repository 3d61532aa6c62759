"""The trafilatura engine: its set-up, one call to it, and its output as Markdown blocks.

trafilatura finds the main text well; the other modules check and repair what it returns.
This module is the only one that imports trafilatura and jusText (which trafilatura calls
as a fallback), and the set-up below changes how the two share jusText's word lists.
Its `Reading` is all of trafilatura the rest of the extractor sees: no trafilatura object
leaves this module.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import justext.core
import trafilatura
import trafilatura.external
import trafilatura.metadata
from justext.utils import get_stoplist, get_stoplists
from trafilatura.utils import normalize_unicode
from trafilatura.xml import xmltotxt

from newsarchive.extract.blocks import MdBlock
from newsarchive.extract.dom import NEVER_SHOWN_XPATHS, Element, remove, unwrap, wrapped_copy
from newsarchive.extract.images import is_placeholder
from newsarchive.extract.text import NOTHING_SHOWN, clean, escape_md, match_key

# Balanced mode, measured on the 181 scrapinghub pages of the shared corpus: favor_recall=True
# found no more ground-truth text (98.1 % either way) but kept more boilerplate; our own repair
# step (repair.py) is what recovers dropped paragraphs.
FAVOR_RECALL = False

EXTRACTOR = f"trafilatura {trafilatura.__version__}"


def all_stopwords() -> frozenset[str]:
    """Every jusText stoplist in one lower-cased set, for trafilatura's jusText fallback."""
    words = frozenset(w.lower() for language in get_stoplists() for w in get_stoplist(language))
    trafilatura.external.JT_STOPLIST = words  # type: ignore[assignment]  # any container works
    return words


_define_stoplist = justext.core.define_stoplist


def stoplist_as_is(stoplist: Iterable[str]) -> frozenset[str]:
    """jusText's `define_stoplist`, except that a set lower-cased already is used as it is."""
    if isinstance(stoplist, frozenset):  # lower-cased already (ours, or jusText's own)
        return stoplist
    return _define_stoplist(stoplist)  # type: ignore[no-any-return]


# trafilatura hands jusText the union of all its stoplists (154,000 words) as a tuple, which
# jusText copies into a lower-cased set: both copies stay, 27 MB in every process that
# extracts. One lower-cased set, used as it is, takes 16 MB.
trafilatura.external.jt_stoplist_init = all_stopwords  # type: ignore[assignment]
justext.core.define_stoplist = stoplist_as_is

# The licence trafilatura looks for among the page's links is never read here: not looking
# saves two searches of every page (about 1 % of the extraction's CPU).
trafilatura.metadata.extract_license = lambda tree: None


# The whitespace a browser collapses into one space.
_SPACES = re.compile(r"[ \t\r\f]+")
_LINE_BREAKS = re.compile(r" ?\n[ \n]*")


def _collapse(text: str) -> str:
    """Runs of spaces and tabs as one space, and a line break with the spaces around it as
    one line break: trafilatura writes `<br>` as a line break in some texts, so whether a
    line break of its text is one the page shows is for `spacing.respace` to settle."""
    # (each pattern only where it may change something: this runs on every text of the tree)
    if "  " in text or "\t" in text or "\r" in text or "\f" in text:
        text = _SPACES.sub(" ", text)
    return _LINE_BREAKS.sub("\n", text) if "\n" in text else text


_SCRIPT_LINK = re.compile(r"\s*(?:javascript|vbscript):", re.IGNORECASE)


def _shows_nothing(el: Element) -> bool:
    """Whether `el` holds no text a reader sees, nor a picture, only an icon's glyph (which
    trafilatura leaves out, but not the marks around it; it drops blank elements itself)."""
    if len(el) and el.find(".//graphic") is not None:
        return False
    text = "".join(el.itertext()) if len(el) else el.text or ""
    return bool(NOTHING_SHOWN.fullmatch(text)) and not text.isspace() and bool(text)


def _cleaned(tree: Element, lazy: Mapping[tuple[str, str], str]) -> Element:
    """trafilatura's tree with its whitespace collapsed (`_collapse`; code keeps its own);
    without links that run a script, which lead nowhere, nor emphasis or links around no
    text (the text of each stays); and with the picture a lazy-loading placeholder stands for
    (`lazy`, from `images.lazy_pictures`), or without the placeholder when the page names
    none."""
    unwrapped = []
    any_code = next(tree.iter("code"), None) is not None  # (most blocks hold none)
    for el in tree.iter():
        keep = any_code and (el.tag == "code" or any(a.tag == "code" for a in el.iterancestors()))
        # Whitespace alone, between two elements, is left as trafilatura laid it out.
        if el.text and not keep and not el.text.isspace():
            el.text = _collapse(el.text)
        if el.tail and not (keep and el.tag != "code") and not el.tail.isspace():
            el.tail = _collapse(el.tail)
        if el.tag == "ref" and _SCRIPT_LINK.match(el.get("target") or ""):
            unwrapped.append(el)
        elif el.tag in ("hi", "ref") and _shows_nothing(el):
            unwrapped.append(el)  # emphasis or a link around nothing: no "**" nor "[]"
    unwrap(tree, unwrapped)
    for graphic in list(tree.iter("graphic")):
        src = graphic.get("src") or ""
        if real := lazy.get((src, graphic.get("alt") or "")):
            graphic.set("src", real)
        elif is_placeholder(src):
            _set_apart(graphic)
            remove(graphic)
    return tree


def _set_apart(graphic: Element) -> None:
    """A space after `graphic` where it stands between two words: the picture sets them
    apart on screen ("S...<img alt=':mad:'>)."), and so does the placeholder standing for one,
    which is left out."""
    tail = graphic.tail or ""
    if not tail or tail[0].isspace():
        return
    previous, parent = graphic.getprevious(), graphic.getparent()
    before = previous.tail if previous is not None else parent.text if parent is not None else ""
    if before and not before[-1].isspace():
        graphic.tail = f" {tail}"


def _markdown(tree: Element) -> str:
    """trafilatura's Markdown for `tree`, with the pictures inside a paragraph's text kept
    in its line: trafilatura ends the paragraph after such a picture and the words that
    follow it, so that the rest ("**Olafur Eliasson** said ...") was a paragraph of its own.
    Such pictures are rendered apart, and a word of letters (a token) stands in for each
    while trafilatura renders the rest."""
    if not any(_within_text(g) for g in tree.iter("graphic")):
        return str(xmltotxt(tree, True))
    tokens = copy.deepcopy(tree)
    pictures: dict[str, str] = {}
    for graphic in (g for g in tokens.iter("graphic") if _within_text(g)):
        picture = _picture_markdown(graphic)
        if not picture:
            continue
        token = f"newsarchivepicture{len(pictures)}x"
        pictures[token] = picture
        tail = (graphic.tail or "").strip()
        graphic.tail = f"{token} {tail}" if tail or graphic.getnext() is not None else token
        remove(graphic)
    md = str(xmltotxt(tokens, True))
    if not all(token in md for token in pictures):  # trafilatura left out the words there
        return str(xmltotxt(tree, True))
    for token, picture in pictures.items():
        md = _put_back(md, token, picture)
    return md


def _within_text(graphic: Element) -> bool:
    """Whether words of its paragraph come right after `graphic` or right before it (text,
    or an element other than a picture or a line break: a link, bold text); a heading's
    picture aside."""
    parent = graphic.getparent()
    if parent is None or parent.tag == "head":
        return False
    if (graphic.tail or "").strip():
        return True
    previous = graphic.getprevious()
    if previous is None:
        return bool((parent.text or "").strip())
    if previous.tail:
        return bool(previous.tail.strip())
    return bool(previous.tag not in ("graphic", "lb"))


def _picture_markdown(graphic: Element) -> str:
    """trafilatura's Markdown for the picture `graphic` alone ("" for one without an
    address)."""
    alone = graphic.makeelement("p", {})
    alone.append(copy.deepcopy(graphic))
    alone[0].tail = None
    return str(xmltotxt(alone, True)).strip()


def _put_back(md: str, token: str, picture: str) -> str:
    """`md` with `picture` in place of `token`, one space apart from the text before it on
    its line (as trafilatura sets a picture apart)."""
    at = md.find(token)
    before = md[:at].rstrip(" \t\xa0")
    if before and not before.endswith("\n"):
        before += " "
    return f"{before}{picture}{md[at + len(token) :]}"


def _trafilatura_blocks(body: Element, lazy: Mapping[tuple[str, str], str]) -> list[MdBlock]:
    """Render trafilatura's output element by element, so each block keeps its source tag.
    (Joined, these give exactly what trafilatura's own Markdown output would.)"""
    blocks: list[MdBlock] = []
    if body.text and body.text.strip():
        blocks.append(MdBlock("p", escape_md(clean(body.text)), match_key(body.text)))
    for child in body:
        md = normalize_unicode(_markdown(_cleaned(wrapped_copy(child), lazy))).strip()
        md = re.sub(r"[ \t]+\n", "\n", md)
        md = re.sub(r"\n{3,}", "\n\n", md)
        if not md:
            continue
        if child.tag == "quote" and not md.startswith(">"):
            # trafilatura's Markdown drops the quote marker of block quotes
            md = "\n".join(f"> {line}" if line.strip() else ">" for line in md.split("\n"))
        blocks.append(MdBlock(str(child.tag), md, match_key(md)))
    return blocks


@dataclass(frozen=True)
class Reading:
    """What trafilatura read on a page: its metadata guesses and its main text, as blocks."""

    blocks: tuple[MdBlock, ...]
    title: str | None
    author: str | None  # several authors are separated by "; "
    date: str | None  # htmldate's guess
    sitename: str | None
    language: str | None
    image: str | None
    description: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]


def read(
    markup: str,
    url: str | None,
    lazy: Mapping[tuple[str, str], str] | None = None,
    *,
    prune: bool = True,
) -> Reading | None:
    """trafilatura's reading of the page, or None when it finds no main text. `lazy`: the
    pictures the page's lazy-loading placeholders stand for (`images.lazy_pictures`);
    `prune`: whether the page holds what it never shows (`dom.NEVER_SHOWN_XPATHS`), which
    trafilatura is then told to leave out (most pages hold none: no need to search them)."""
    document = _extraction(markup, url, with_metadata=True, prune=prune)
    if document is None:
        # trafilatura drops the whole page when reading its metadata raises (htmldate on a
        # date with a "+99:99" offset): a bad date is ignored, never the article.
        document = _extraction(markup, url, with_metadata=False, prune=prune)
    if document is None:
        return None
    return Reading(
        blocks=tuple(_trafilatura_blocks(document.body, lazy or {})),
        title=document.title,
        author=document.author,
        date=document.date,
        sitename=document.sitename,
        language=document.language,
        image=document.image,
        description=document.description,
        tags=tuple(document.tags or ()),
        categories=tuple(document.categories or ()),
    )


def _extraction(markup: str, url: str | None, *, with_metadata: bool, prune: bool) -> Any:
    document = trafilatura.bare_extraction(
        markup,
        url=url,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_links=True,
        include_formatting=True,
        with_metadata=with_metadata,
        favor_recall=FAVOR_RECALL,
        prune_xpath=list(NEVER_SHOWN_XPATHS) if prune else None,
    )
    # bare_extraction is typed to return a dict only with the deprecated as_dict=True.
    return None if isinstance(document, dict) else document
