"""The article's lead picture, and the pictures, captions and credits of figures.

`find_lead_image` looks for the picture the page declares (og:image, JSON-LD, twitter:image)
in the page itself, to take its caption and credit from its <figure>; the DOM walker uses the
same helpers for the figures in the text.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from newsarchive.extract.declarations import Meta, ld_image, ld_str
from newsarchive.extract.dom import (
    BLOCK_TAGS,
    SKIP_TEXT_TAGS,
    Element,
    class_words,
    has_ancestor,
    text_of,
)
from newsarchive.extract.text import absolute_url, clean
from newsarchive.extract.widgets import inside_related
from newsarchive.models import LeadImage

_CREDIT_WORDS = frozenset(
    {
        "credit",
        "credits",
        "copyright",
        "source",
        "photographer",
        "byline",
        "attribution",
        "courtesy",
        "author",
    }
)
_CREDIT_TEXT_RE = re.compile(
    r"\s*[(\[]?\s*(?:(?:photo|photograph|picture|image|foto|фото|credit|image credit|"
    r"photo credit|source|bild|quelle)s?\s*(?::|by)|©|\(c\)|copyright)\s*(?P<credit>[^()\[\]]+?)"
    r"\s*[)\]]?\s*$",
    re.IGNORECASE,
)


# Words that name a file as a stand-in wherever they stand in its name ("leer.gif",
# "netz-blank.png", "lazyload-placeholder.png", "empty-src.png"), and words that do so only
# beside other such words or a hash ("pixel.gif", "spacer.33e2034037.gif", "1x1.png").
_STAND_IN_WORDS = frozenset(
    "blank spacer leer transparent placeholder lazyload lazyloading 1x1 empty".split()
)
_SPACER_WORDS = frozenset("pixel px space clear dummy trans lazy loading loader".split())
_SPACER_COMPANIONS = frozenset("img image gif png jpg default grey gray white dot s".split())


def is_placeholder(url: str) -> bool:
    """Whether a picture address is a stand-in rather than a picture: a `data:` URI (what
    pages put in `src` until a script loads the picture) or a spacer file, named after what
    it is."""
    if url.strip().lower().startswith("data:"):
        return True
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1].lower()
    words = [w for w in re.split(r"[^a-z0-9]+", name.rsplit(".", 1)[0]) if w]
    if any(w in _STAND_IN_WORDS for w in words):
        return True
    if not any(w in _SPACER_WORDS for w in words):
        return False
    return all(w in _SPACER_WORDS or w in _SPACER_COMPANIONS or _hash_like(w) for w in words)


def _hash_like(word: str) -> bool:
    """A build hash in a file name ("33e2034037", "vfl3z5wfw"): letters and digits mixed."""
    return len(word) >= 6 and any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def too_small(img: Element) -> bool:
    """An <img> the page declares 2 pixels wide or high or less (a spacer, a tracking pixel).
    A side declared 0 beside a real one is left to the style sheet ("1440" by "0")."""
    sides = []
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit():
            sides.append(int(value))
    shown = [side for side in sides if side > 0]
    return bool(sides) and (max(sides) <= 2 or bool(shown) and min(shown) <= 2)


# The attributes a lazy-loading script reads the picture's address from.
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url")


def img_src(img: Element, base: str | None) -> str | None:
    """The real picture URL of an <img>, looking past lazy-loading placeholders; None for a
    spacer or a tracking pixel."""
    if too_small(img):
        return None
    for attr in (*_LAZY_ATTRS, "src"):
        value = _address(img.get(attr) or "")
        if value and not is_placeholder(value) and "placeholder" not in value.lower():
            if url := absolute_url(value, base):
                return url
    srcset = img.get("srcset") or img.get("data-srcset") or ""
    first = srcset.split(",")[0].strip().split(" ")[0] if srcset.strip() else ""
    url = absolute_url(first, base)
    return None if url is None or is_placeholder(url) else url


def _address(value: str) -> str | None:
    """The address an attribute holds: the value itself, or, where a script keeps its
    settings there as JSON ('{"default":{"load":"defer","src":"//img…"}}'), the "src" or
    "url" inside; None for JSON without one (the JSON is no address)."""
    if not value.lstrip().startswith(("{", "[")):
        return value
    try:
        waiting: list[Any] = [json.loads(value)]
    except ValueError:
        return None
    while waiting:  # breadth first: the outermost "src" is the picture's
        item = waiting.pop(0)
        if isinstance(item, dict):
            if isinstance(src := item.get("src", item.get("url")), str):
                return src
            waiting.extend(item.values())
        elif isinstance(item, list):
            waiting.extend(item)
    return None


def lazy_pictures(root: Element, base: str | None) -> dict[tuple[str, str], str]:
    """The pictures lazy-loading <img>s load: (stand-in `src`, `alt`) -> the picture's URL
    (`img_src`), for the stand-ins that stand for one picture only. A stand-in is a
    placeholder, or a `src` that several <img>s share while their lazy-loading attributes
    name different pictures (a site's own spacer file, which a script swaps out)."""
    found: dict[tuple[str, str], str | None] = {}
    shared: dict[str, set[str]] = {}  # a `src` beside other addresses -> those addresses
    beside: list[tuple[str, str, str, str]] = []  # src, as trafilatura may write it, alt, real
    for img in root.iter("img"):
        src, alt = img.get("src") or "", img.get("alt") or ""
        placeholder = is_placeholder(src)
        if not placeholder and not any(img.get(attr) for attr in _LAZY_ATTRS):
            continue  # (most pictures: nothing to look past)
        if not (real := img_src(img, base)):
            continue
        if placeholder:
            _add_lazy(found, (src, alt), real)
        elif (shown := absolute_url(src, base)) is not None and shown != real:
            shared.setdefault(shown, set()).add(real)
            beside.append((src, shown, alt, real))
    for src, shown, alt, real in beside:
        if len(shared[shown]) > 1:
            # trafilatura gives the `src` as the page writes it, or made absolute
            _add_lazy(found, (src, alt), real)
            _add_lazy(found, (shown, alt), real)
    return {key: url for key, url in found.items() if url}


def _add_lazy(found: dict[tuple[str, str], str | None], key: tuple[str, str], real: str) -> None:
    """`found` with `key` standing for `real`, or for none when it stands for another too."""
    found[key] = real if found.get(key, real) == real else None


def image_name(url: str | None) -> str:
    """The file name of an image URL, the part that survives resizing services."""
    if not url:
        return ""
    path = unquote(urlsplit(url).path).rstrip("/")
    return path.rsplit("/", 1)[-1].lower()


def split_credit(figure: Element, caption_el: Element | None) -> tuple[str | None, str | None]:
    """Caption and credit of a figure: the credit from a child marked as credit/copyright/source,
    else from wording such as "Photo: X" or "© X" at the end of the caption."""
    credit: str | None = None
    credit_els = [
        el
        for el in figure.iter()
        if isinstance(el.tag, str) and el is not figure and set(class_words(el)) & _CREDIT_WORDS
    ]
    if credit_els:
        credit = clean(text_of(credit_els[0])) or None
    caption: str | None = None
    if caption_el is not None:
        pieces: list[str] = []

        def walk(node: Element) -> None:
            if node.text:
                pieces.append(node.text)
            for child in node:
                if isinstance(child.tag, str) and child.tag not in SKIP_TEXT_TAGS:
                    # A block (or a line break) inside a caption ends a line: not glued on.
                    apart = child.tag in BLOCK_TAGS or child.tag == "br"
                    if not any(child is c for c in credit_els):
                        pieces.append(" " if apart else "")
                        walk(child)
                        pieces.append(" " if apart else "")
                    else:
                        pieces.append(" ")
                if child.tail:
                    pieces.append(child.tail)

        walk(caption_el)
        caption = clean("".join(pieces)) or None
    if caption and not credit and (m := _CREDIT_TEXT_RE.search(caption)):
        credit = m["credit"].strip(" .") or None
        caption = caption[: m.start()].strip() or None
    if credit:
        credit = re.sub(r"^(?:photo|image|credit|source|фото)s?\s*:\s*", "", credit, flags=re.I)
        credit = credit.removeprefix("©").strip() or None
    return caption, credit


def figure_caption(figure: Element) -> Element | None:
    """The caption of a figure: its <figcaption>, else a child marked as a caption."""
    captions = figure.xpath(".//figcaption")
    if captions:
        return captions[0]
    for el in figure.iter():
        if isinstance(el.tag, str) and el is not figure and "caption" in " ".join(class_words(el)):
            return el
    return None


def _lead_image(
    root: Element, candidates: list[str], ld_picture: Any, base: str | None
) -> LeadImage | None:
    """The article's lead picture: the <figure> whose image is the page's og:image / JSON-LD
    image, with its caption and credit; else just the declared image."""
    names = {image_name(url) for url in candidates if url}
    names.discard("")
    declared = next((url for url in candidates if url), None)
    for img in root.iter("img"):
        src = img_src(img, base)
        if not src or image_name(src) not in names:
            continue
        if has_ancestor(img, {"nav", "footer", "aside"}) or inside_related(img):
            continue
        figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
        if figure is None:
            parent = img.getparent()
            figure = parent if parent is not None and parent.tag != "body" else img
        caption, credit = split_credit(figure, figure_caption(figure))
        alt = clean(img.get("alt")) or None
        # The picture as the page shows it; og:image is often a cropped or branded variant.
        return LeadImage(url=src, caption=caption, credit=credit, alt=alt)
    if declared is None:
        return None
    caption = credit = None
    if isinstance(ld_picture, dict):
        caption = ld_str(ld_picture.get("caption")) or ld_str(ld_picture.get("description"))
        credit = ld_str(ld_picture.get("creditText")) or ld_str(ld_picture.get("copyrightHolder"))
    return LeadImage(url=declared, caption=caption, credit=credit)


def find_lead_image(
    root: Element, meta: Meta, ld: dict[str, Any], guessed: str | None, base: str | None
) -> LeadImage | None:
    """The article's lead picture, from og:image, the JSON-LD image, twitter:image and
    trafilatura's guess (`guessed`), in that order, as the page shows it."""
    declared = ld_image(ld)
    candidates = [
        absolute_url(meta.get("og:image", "og:image:url", "og:image:secure_url"), base),
        absolute_url(ld_str(declared), base),
        absolute_url(meta.get("twitter:image", "twitter:image:src"), base),
        absolute_url(guessed, base),
    ]
    first = declared[0] if isinstance(declared, list) and declared else declared
    return _lead_image(root, [u for u in candidates if u], first, base)
