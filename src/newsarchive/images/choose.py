"""Which pictures are the article's own, and which file of each to download.

The extracted article already names them: its lead picture and the pictures in its Markdown
body (the extractor has left out the page's navigation, teasers and widgets). Each is looked up
in the page (`<img>`, and the `<source>`s of its `<picture>`) to learn what the page offers:

* the best file: the largest candidate of `srcset`/`data-srcset` and `<source>` up to
  `MAX_WIDTH` pixels wide (the smallest above when all are larger), the highest pixel density
  when the candidates give densities, else the address the article names; formats that the
  common viewers cannot show (AVIF, JPEG XL, HEIF) only when nothing else is offered;
* what is not a picture of the article: tracking pixels, spacers, icons, avatars and
  thumbnails (less than `MIN_SIDE`² pixels in all, or 2 pixels or less one way, as the page
  declares or, once downloaded, as the picture itself says), hidden
  images, lazy-loading placeholders, and files whose name or element says logo, avatar, icon,
  sprite, spacer, placeholder or emoji.

General rules over what the page says; nothing here knows a site. Runs where the page is
extracted (an extraction process of `import`): it parses the page again, a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsarchive.extract.dom import Element, class_words, parse_html
from newsarchive.extract.text import absolute_url
from newsarchive.images.download import MIN_SIDE, Wanted
from newsarchive.images.links import image_urls, url_key
from newsarchive.models import Article

__all__ = ["MAX_IMAGES", "MAX_WIDTH", "choose", "parse_srcset"]

MAX_WIDTH = 2048  # pixels: the largest candidate up to this is downloaded
MAX_IMAGES = 100  # files downloaded per article at most


# Attributes holding the picture's address, lazy-loading ones first (`src` is then often a
# placeholder), and those holding candidate lists.
_SRC_ATTRS = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "src",
)
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
_PLACEHOLDER = re.compile(
    r"placeholder|blank\.gif|spacer\.gif|1x1\.|transparent\.(?:gif|png)", re.IGNORECASE
)
# Formats that Obsidian, VS Code, GitHub and browsers do not all show.
_RARE_TYPES = frozenset({"image/avif", "image/jxl", "image/heic", "image/heif"})
_RARE_SUFFIX = re.compile(r"\.(?:avif|jxl|heic|heif)(?:$|[?#])", re.I)
_CHROME_WORDS = frozenset(
    "logo logos avatar avatars favicon icon icons sprite sprites spacer placeholder gravatar "
    "emoji emojis".split()
)
# In class names "placeholder" also marks a video's poster frame, a real picture.
_CHROME_CLASS_WORDS = (_CHROME_WORDS - {"placeholder"}) | frozenset(
    "author byline profile sponsor sponsored advert advertisement ad ads".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORDS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class _Candidate:
    url: str
    width: int | None = None  # "800w"
    density: float | None = None  # "2x"
    rare: bool = False  # a format not every viewer shows


def parse_srcset(value: str) -> list[tuple[str, str]]:
    """The (URL, descriptor) pairs of a `srcset`, as HTML parses it: a URL runs to the next
    whitespace (commas inside it are its own, as in "w_800,c_fill"), and its descriptor to the
    next comma outside parentheses."""
    pairs: list[tuple[str, str]] = []
    pos, end = 0, len(value)
    while pos < end:
        while pos < end and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < end and not value[pos].isspace():
            pos += 1
        url, descriptor = value[start:pos], ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth, start = 0, pos
            while pos < end:
                char = value[pos]
                if char == "(":
                    depth += 1
                elif char == ")" and depth:
                    depth -= 1
                elif char == "," and not depth:
                    break
                pos += 1
            descriptor = value[start:pos].strip()
        if url:
            pairs.append((url, descriptor))
    return pairs


def _candidates(value: str, base: str | None, rare: bool) -> list[_Candidate]:
    found = []
    for raw, descriptor in parse_srcset(value):
        url = absolute_url(raw, base)
        if url is None or _PLACEHOLDER.search(url):
            continue
        width = density = None
        token = descriptor.split()[0].lower() if descriptor else "1x"
        try:
            if token.endswith("w"):
                width = int(token[:-1])
            elif token.endswith("x"):
                density = float(token[:-1])
        except ValueError:
            continue
        found.append(_Candidate(url, width, density, rare or bool(_RARE_SUFFIX.search(url))))
    return found


def _offers(img: Element, base: str | None) -> list[_Candidate]:
    """Every file the page offers for the picture of `img`: its own addresses, and the
    `<source>`s of the `<picture>` around it."""
    offers: list[_Candidate] = []
    for attr in _SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        url = absolute_url(value, base) if value else None
        if url and not _PLACEHOLDER.search(url):
            offers.append(_Candidate(url, rare=bool(_RARE_SUFFIX.search(url))))
    for attr in _SRCSET_ATTRS:
        offers += _candidates(img.get(attr) or "", base, rare=False)
    # HTML parsers that predate <picture> (libxml2) nest what follows a <source> inside it.
    parent = img.getparent()
    while parent is not None and parent.tag == "source":
        parent = parent.getparent()
    if parent is not None and parent.tag == "picture":
        for source in parent.iter("source"):
            rare = (source.get("type") or "").strip().lower() in _RARE_TYPES
            for attr in _SRCSET_ATTRS:
                offers += _candidates(source.get(attr) or "", base, rare)
    return offers


def _best(offers: list[_Candidate], ref: str) -> str:
    """The file to download among `offers` (see the module docstring)."""
    common = [offer for offer in offers if not offer.rare] or offers
    sized = [offer for offer in common if offer.width]
    if sized:
        fitting = [offer for offer in sized if (offer.width or 0) <= MAX_WIDTH]
        if fitting:
            return max(fitting, key=lambda offer: offer.width or 0).url
        return min(sized, key=lambda offer: offer.width or 0).url
    dense = [offer for offer in common if offer.density and offer.density <= 3]
    if dense and max(offer.density or 0 for offer in dense) > 1:
        return max(dense, key=lambda offer: offer.density or 0).url
    return ref


def _number(value: str | None) -> int | None:
    text = (value or "").strip().lower().removesuffix("px")
    return int(text) if text.isdigit() else None


def _is_chrome(img: Element | None, url: str) -> bool:
    """A tracking pixel, spacer, icon, avatar, logo or hidden image (see the module docstring)."""
    parts = urlsplit(url)
    if set(_WORDS.split(f"{parts.hostname or ''} {parts.path}".lower())) & _CHROME_WORDS:
        return True
    if img is None:
        return False
    width, height = _number(img.get("width")), _number(img.get("height"))
    if width is not None and height is not None and width * height < MIN_SIDE**2:
        return True
    if (width is not None and width <= 2) or (height is not None and height <= 2):
        return True
    if img.get("hidden") is not None or _HIDDEN_STYLE.search(img.get("style") or ""):
        return True
    near = [img, img.getparent()]
    return any(el is not None and set(class_words(el)) & _CHROME_CLASS_WORDS for el in near)


def _index(root: Element, base: str | None) -> dict[str, Element]:
    """Every address any `<img>` of the page offers -> that `<img>` (the first, in page order)."""
    index: dict[str, Element] = {}
    for img in root.iter("img"):
        for offer in _offers(img, base):
            index.setdefault(url_key(offer.url), img)
    return index


def choose(article: Article, html: str, base: str | None) -> tuple[Wanted, ...]:
    """The article's own pictures, in the order the file shows them (the lead picture first),
    with the file to download for each. `html` is the page the article was extracted from and
    `base` its address (relative addresses are resolved against it)."""
    refs = image_urls(article.body)
    if article.image is not None and article.image.url:
        refs.insert(0, url_key(article.image.url))
    refs = [ref for ref in dict.fromkeys(refs) if ref.startswith(("http://", "https://"))]
    if not refs:
        return ()
    index = _index(parse_html(html, base or "<page>"), base)
    wanted: list[Wanted] = []
    files: set[str] = set()  # two addresses may lead to the same file: one download
    for ref in refs:
        img = index.get(ref)
        if _is_chrome(img, ref):
            continue
        url = _best(_offers(img, base), ref) if img is not None else ref
        if _is_chrome(None, url) or (url_key(url) not in files and len(files) >= MAX_IMAGES):
            continue
        files.add(url_key(url))
        wanted.append(Wanted(ref, url))
    return tuple(wanted)
