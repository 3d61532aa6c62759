"""Pictures of real publishers' pages: a sample of ../shared/corpus imported through a loopback
proxy that serves each page at its own address and a picture at every other address (the
corpus keeps no pictures). Each picture is drawn at the size the page gives it: the width its
`srcset` names, else the `width` and `height` of its `<img>`, else the size its address names
("1200x630"), else 800 × 600; a tracking pixel the page sizes 1 × 1 is one.

What a reader calls the article's pictures is judged here from the page itself, apart from
how newsarchive chooses them: the pictures the archived text shows, and its lead picture,
less the site's chrome, which the issue lists as logos, avatars, ads, tracking pixels and
placeholders (named so in the picture's address, or in the class, id or alt text of its
`<img>` or the element around it, or inside the page's `<nav>` or `<footer>` outside its
`<article>` and `<main>`).
Every other picture the text shows must be stored and shown offline; no chrome may be stored.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest
from PIL import Image

from helpers import run, split_article, write_list
from httpserver import LoopbackProxy
from newsarchive.images.choose import parse_srcset
from pictures import picture

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
STRIDE = 27  # every 27th page of the corpus that has an address: 59 pages, all collections
MIN_SIDE = 100  # below 100 × 100 pixels a picture is an icon or a pixel (as the README says)

_CHROME_WORDS = frozenset(
    "logo logos avatar avatars gravatar icon icons favicon sprite sprites emoji spacer "
    "placeholder pixel pixels tracking tracker beacon ad ads advert adverts "
    "advertisement advertising adserver doubleclick sponsor sponsored".split()
)
# A class "placeholder" is also the box a real picture loads into: only a file is named so.
_CHROME_CLASS_WORDS = _CHROME_WORDS - {"placeholder"}
_FURNITURE_TAGS = frozenset({"nav", "footer"})
_WORDS = re.compile(r"[^a-z0-9]+")
_SIZE_IN_ADDRESS = re.compile(r"(?<!\d)(\d{2,4})x(\d{2,4})(?!\d)")
_SRC_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-url")
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
_IMAGE = re.compile(r'!\[[^\]]*\]\((\S+)(?: "([^"]*)")?\)')


def _key(url: str) -> str:
    return unquote(url).replace(" ", "%20")


@dataclass
class Page:
    """One corpus page: its address, its bytes, and what its markup says of each picture."""

    url: str
    raw: bytes
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    chrome: set[str] = field(default_factory=set)  # addresses of the site's chrome
    content: set[str] = field(default_factory=set)  # addresses an <img> that is not chrome has
    offers: dict[str, set[str]] = field(default_factory=dict)  # address -> its <img>'s files


def _words(*texts: str | None) -> set[str]:
    return set(_WORDS.split(" ".join(t or "" for t in texts).lower())) - {""}


def _is_chrome_address(url: str) -> bool:
    parts = urlsplit(url)
    return bool(_words(parts.hostname, unquote(parts.path)) & _CHROME_WORDS) or url.startswith(
        "data:"
    )


def _is_chrome_element(img: Any) -> bool:
    width, height = img.get("width", ""), img.get("height", "")
    if width.isdigit() and height.isdigit() and min(int(width), int(height)) <= 2:
        return True  # a tracking pixel
    for el in (img, img.getparent()):
        said = _words(el.get("class"), el.get("id"), el.get("alt")) if el is not None else set()
        if said & _CHROME_CLASS_WORDS:
            return True
    # The site's navigation or footer (its header's logo is named so; a <header> may be the
    # article's, with its lead picture).
    ancestors = [anc.tag for anc in img.iterancestors()]
    for number, tag in enumerate(ancestors):
        if tag in _FURNITURE_TAGS and not {"article", "main"} & set(ancestors[number:]):
            return True
    return False


def _read(page: Page, html: str) -> Page:
    """What the markup of `html` says of each picture of `page` (module docstring)."""
    root = lxml.html.fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html))
    for img in root.iter("img"):
        files: dict[str, tuple[int, int] | None] = {}
        width, height = img.get("width", ""), img.get("height", "")
        declared = (int(width), int(height)) if width.isdigit() and height.isdigit() else None
        for attr in _SRC_ATTRS:
            if value := (img.get(attr) or "").strip():
                files[_key(urljoin(page.url, value))] = declared
        holders = [img]
        parent = img.getparent()
        while parent is not None and parent.tag == "source":  # libxml2 nests what follows one
            parent = parent.getparent()
        if parent is not None and parent.tag == "picture":
            holders += list(parent.iter("source"))
        for holder in holders:
            for attr in _SRCSET_ATTRS:
                for address, descriptor in parse_srcset(holder.get(attr) or ""):
                    said = descriptor[:-1] if descriptor.endswith("w") else ""
                    wide = int(said) if said.isdigit() else None
                    size = (wide, max(1, wide * 2 // 3)) if wide else declared
                    files[_key(urljoin(page.url, address))] = size
        chrome = _is_chrome_element(img)
        for address, size in files.items():
            if size is not None:
                page.sizes.setdefault(address, size)
            (page.chrome if chrome else page.content).add(address)
            page.offers.setdefault(address, set()).update(files)
    return page


def _served_size(pages: list[Page], url: str) -> tuple[int, int]:
    address = _key(url)
    for page in pages:
        if address in page.sizes:
            return page.sizes[address]
    if match := _SIZE_IN_ADDRESS.search(urlsplit(url).path):
        return int(match.group(1)), int(match.group(2))
    return 800, 600


def _sample() -> Iterator[Page]:
    sys.path.insert(0, str(CORPUS))
    from load import iter_records, read_raw  # type: ignore[import-not-found]

    records = [record for record in iter_records() if record.get("url")]
    for record in records[::STRIDE]:
        page = _read(Page(record["url"], read_raw(record)), record["html"])
        page.chrome -= page.content  # a file the article shows too is the article's
        yield page


def _draw(pages: list[Page]) -> Any:
    def send(handler: BaseHTTPRequestHandler) -> None:
        url = handler.path
        if urlsplit(url).path == "/robots.txt":
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        width, height = _served_size(pages, url)
        size = (max(1, min(width, 2048)), max(1, min(height, 2048)))
        suffix = urlsplit(url).path.lower().rsplit(".", 1)[-1]
        fmt = {"png": "PNG", "gif": "GIF", "webp": "WEBP"}.get(suffix, "JPEG")
        data = picture(fmt, size, zlib.crc32(url.encode()) % 199)
        handler.send_response(200)
        handler.send_header("Content-Type", f"image/{fmt.lower()}")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return send


@dataclass
class Tally:
    articles: int = 0
    expected: int = 0  # the article's own pictures (the text's and the lead), distinct
    stored: int = 0
    chrome_seen: int = 0  # chrome pictures the text or front-matter names
    chrome_stored: set[str] = field(default_factory=set)
    missed: list[str] = field(default_factory=list)
    small: int = 0  # pictures served under 100 × 100: left out as icons


def _check_article(path: Path, page: Page, pages: list[Page], tally: Tally) -> None:
    meta, body = split_article(path)
    stored = {_key(str(entry["url"])) for entry in meta.get("images") or []}  # type: ignore[attr-defined]
    for entry in meta.get("images") or []:  # type: ignore[attr-defined]
        if _key(str(entry["url"])) in page.chrome or _is_chrome_address(str(entry["url"])):
            tally.chrome_stored.add(str(entry["url"]))
    shown: dict[str, bool] = {}  # the text's pictures (and the lead): address -> stored
    for destination, title in _IMAGE.findall(body):
        local = destination.startswith("../") or destination.startswith("_images/")
        address = _key(title if local else destination)
        if local:
            with Image.open(path.parent / destination) as image:  # shown offline: it decodes
                image.verify()
        shown[address] = shown.get(address, False) or local
    lead = meta.get("image")
    if isinstance(lead, str) and _key(lead) not in shown:
        files = page.offers.get(_key(lead), {_key(lead)})
        shown[_key(lead)] = bool(stored & files)
    for address, is_stored in shown.items():
        if address in page.chrome or _is_chrome_address(address):
            tally.chrome_seen += 1
            if is_stored:
                tally.chrome_stored.add(address)
            continue
        width, height = _served_size(pages, address)
        if width * height < MIN_SIDE**2 or min(width, height) <= 2:
            tally.small += 1
            continue
        tally.expected += 1
        if is_stored:
            tally.stored += 1
        else:
            tally.missed.append(f"{path.name}: {address}")


@pytest.mark.skipif(
    not (CORPUS / "truth.jsonl").is_file(), reason=f"shared corpus absent: {CORPUS}"
)
def test_a_corpus_sample_keeps_the_articles_pictures_and_no_chrome(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    pages = list(_sample())
    for page in pages:
        proxy.add(page.url, page.raw, content_type="text/html")
    proxy.add_prefix("/", _draw(pages))
    listing = write_list(tmp_path / "list.txt", [page.url for page in pages])
    result = run(archive, "import", "--proxy", proxy.url(), "--jobs", "0", "--json", listing)
    assert result.exit_code == 0, result.stderr
    assert "warning: picture not kept" not in result.stderr

    tally = Tally()
    by_url = {page.url: page for page in pages}
    for line in result.stdout.splitlines():
        outcome = json.loads(line)
        tally.articles += 1
        _check_article(Path(outcome["path"]), by_url[outcome["input"]], pages, tally)
    print(
        f"{tally.articles} articles: {tally.stored} of {tally.expected} of the articles'"
        f" pictures stored; {tally.chrome_seen} chrome pictures named, "
        f"{len(tally.chrome_stored)} stored; {tally.small} under {MIN_SIDE} × {MIN_SIDE}"
    )
    assert tally.articles == len(pages)
    assert tally.expected >= 30  # the sample holds pictures to judge
    assert tally.chrome_stored == set(), "\n".join(sorted(tally.chrome_stored))
    assert tally.missed == [], "\n".join(tally.missed)
    assert tally.stored == tally.expected
