"""Blocks of article text: trafilatura's (`MdBlock`) and the page's own (`DomBlock`).

The DOM walker (`Walker`) renders an article container block by block in document order, as
Markdown, with the text and link-text lengths the repair weighs; `find_containers` finds the
container, or containers, that hold the text trafilatura kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from newsarchive.extract.dom import (
    BLOCK_TAGS,
    SKIP_TEXT_TAGS,
    Element,
    raw_text_of,
    spaced_text,
    text_of,
)
from newsarchive.extract.images import figure_caption, img_src, split_credit, too_small
from newsarchive.extract.text import (
    NOTHING_SHOWN,
    absolute_url,
    clean,
    contains,
    escape_md,
    match_key,
)
from newsarchive.extract.widgets import SKIP_TAGS, embedded_posts, skip_reason

_RELATED_LINE_RE = re.compile(
    r"^(?:related(?: article| articles| story| stories| content| reading| link| coverage)?|"
    r"read (?:more|also)|see also|also read|more on this(?: story)?|more|читайте также|"
    r"по теме|lesen sie auch|lire aussi|leia também|lee también)\s*[:>»—–-]\s*\S",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MdBlock:
    """One top-level element of trafilatura's output tree, as Markdown."""

    tag: str
    md: str
    key: str  # match_key(md)


@dataclass
class DomBlock:
    """One block of the page's own article text, as the DOM walker renders it."""

    kind: str  # "p", "h", "li", "quote", "caption", "pre", "table", "img", "related"
    md: str
    key: str
    text_len: int = 0
    link_len: int = 0
    image: str | None = None  # for "img" blocks: the picture's URL
    figure: bool = False  # an "img" block that is the picture of a <figure>
    lead: bool = False  # from the headline's box, outside the article's body container
    layout: bool = False  # a "table" block with tables in its cells: a page's layout


_BLOCK_START = re.compile(r"^(\s{0,3})(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|\d{1,9}[.)](?=\s|$))")


def _escape_block_start(text: str) -> str:
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}", text, count=1)


def _wrap(text: str, marker: str) -> str:
    stripped = text.strip()
    if NOTHING_SHOWN.fullmatch(stripped):
        return text  # (no "**" around an icon: a reader sees no text there)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _md_link(text: str, url: str) -> str:
    if any(c in url for c in " <>()"):
        url = "<" + url.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>") + ">"
    return f"[{text}]({url})"


class _Inline:
    """Renders an element's inline content as Markdown and measures its text and link text."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.parts: list[str] = []
        self.text_len = 0
        self.link_len = 0

    def text(self, text: str | None) -> None:
        if text:
            text = re.sub(r"\s+", " ", text.replace("\u00ad", ""))
            self.text_len += len(text.strip())
            self.parts.append(escape_md(text))

    def element(self, el: Element) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TEXT_TAGS or skip_reason(el) == "hidden":
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            src = img_src(el, self.base)
            if src:
                alt = escape_md(clean(el.get("alt")))
                self.parts.append(f"!{_md_link(alt, src)}")
            elif not too_small(el):
                self.parts.append(" ")  # a smiley yet to load: a gap between words all the same
        elif tag in ("em", "i", "cite", "dfn", "var") or tag in ("strong", "b"):
            marker = "*" if tag in ("em", "i", "cite", "dfn", "var") else "**"
            self.parts.append(_wrap(self._sub(el), marker))
        elif tag in ("code", "kbd", "samp", "tt"):
            # Block elements inside a code span (a page's markup pasted into one) still
            # start new lines: their words stand a space apart on the span's one line.
            code = spaced_text(el)
            if code:
                fence = "``" if "`" in code else "`"
                self.parts.append(f"{fence}{code}{fence}")
                self.text_len += len(code)
        elif tag == "a":
            before = self.text_len
            inner = self._sub(el)
            self.link_len += self.text_len - before
            href = absolute_url(el.get("href"), self.base)
            if href and inner.strip():
                lead = inner[: len(inner) - len(inner.lstrip())]
                trail = inner[len(inner.rstrip()) :]
                self.parts.append(f"{lead}{_md_link(inner.strip(), href)}{trail}")
            else:
                self.parts.append(inner)
        else:
            if tag in BLOCK_TAGS:
                self.parts.append(" ")
            self.children(el)
            if tag in BLOCK_TAGS:
                self.parts.append(" ")

    def children(self, el: Element) -> None:
        self.text(el.text)
        for child in el:
            self.element(child)
            self.text(child.tail)

    def _sub(self, el: Element) -> str:
        saved = self.parts
        self.parts = []
        self.children(el)
        inner = "".join(self.parts)
        self.parts = saved
        return inner

    def markdown(self) -> str:
        md = "".join(self.parts)
        lines = [re.sub(r" {2,}", " ", line).strip() for line in md.split("\n")]
        return "\n".join(_escape_block_start(line) for line in lines if line)


def _inline_block(els: Iterable[Element | str], base: str | None) -> tuple[str, str, int, int]:
    """Markdown, key, text length and link-text length of a run of inline content."""
    render = _Inline(base)
    for item in els:
        if isinstance(item, str):
            render.text(item)
        else:
            render.element(item)
    md = render.markdown()
    return md, match_key(md), render.text_len, render.link_len


def _has_block_child(el: Element) -> bool:
    return any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS for d in el.iterdescendants())


class _Cell(_Inline):
    """A table cell's content without the tables inside it: their rows are the table's
    rows too (`_table_md`), and a cell that also held their text stored it twice."""

    def element(self, el: Element) -> None:
        if el.tag == "table":
            self.parts.append(" ")
        else:
            super().element(el)


def _cell_md(cell: Element, base: str | None) -> str:
    render = _Cell(base)
    render.element(cell)
    return render.markdown().replace("\n", " ").replace("|", "\\|")


def _table_md(table: Element, base: str | None) -> str:
    rows: list[list[str]] = []
    for tr in table.iter("tr"):
        cells = [_cell_md(c, base) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if any(cells):
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


class Walker:
    """Walks an article container and lists its blocks in document order."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.blocks: list[DomBlock] = []

    def walk(self, el: Element, quote: bool = False) -> None:
        run: list[Element | str] = []
        if el.text and el.text.strip():
            run.append(el.text)
        for child in el:
            if not isinstance(child.tag, str):
                if child.tail:
                    run.append(child.tail)
                continue
            if child.tag in BLOCK_TAGS or child.tag in ("table", "img") and child.tag != "img":
                self._flush(run, quote)
                run = []
                self.block(child, quote)
            elif child.tag == "img" and not run:
                self.image(child)
            elif skip_reason(child) is None:
                run.append(child)
            if child.tail:  # a space between two inline elements is text too
                run.append(child.tail)
        self._flush(run, quote)

    def _flush(self, run: list[Element | str], quote: bool) -> None:
        if not run:
            return
        md, key, text_len, link_len = _inline_block(run, self.base)
        if not key:
            return
        kind = "quote" if quote else "p"
        self.blocks.append(DomBlock(kind, md, key, text_len, link_len))

    def image(self, img: Element, figure: bool = False) -> None:
        src = img_src(img, self.base)
        if src:
            alt = escape_md(clean(img.get("alt")))
            md = f"!{_md_link(alt, src)}"
            self.blocks.append(DomBlock("img", md, "", image=src, figure=figure))

    def block(self, el: Element, quote: bool) -> None:
        reason = skip_reason(el)
        if reason is not None:
            if reason == "class" and el.tag not in SKIP_TAGS:
                # A post the article embeds stays in the box the page frames it with, and a
                # "Related article: <link>" line even inside a related-content wrapper.
                for post in embedded_posts(el):
                    self.block(post, quote)
                self._related(el)
            return
        tag = el.tag
        if tag == "hr":
            return
        if tag == "figure":
            self.figure(el)
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            md, key, text_len, link_len = _inline_block([el], self.base)
            if key:
                level = max(2, int(tag[1]))
                md = " ".join(md.split("\n"))
                self.blocks.append(DomBlock("h", f"{'#' * level} {md}", key, text_len, link_len))
            return
        if tag == "pre":
            code = "".join(el.itertext()).strip("\n")
            if code.strip():
                fence = "````" if "```" in code else "```"
                self.blocks.append(
                    DomBlock("pre", f"{fence}\n{code}\n{fence}", match_key(code), len(code))
                )
            return
        if tag == "table":
            md = _table_md(el, self.base)
            if md:
                # The key from the cells, apart: the element's text runs them together.
                layout = next(el.iterdescendants("table"), None) is not None
                self.blocks.append(
                    DomBlock("table", md, match_key(md), len(text_of(el)), layout=layout)
                )
            return
        if tag == "li":
            md, key, text_len, link_len = _inline_block([el], self.base)
            if key:
                md = " ".join(md.split("\n"))
                self.blocks.append(DomBlock("li", f"- {md}", key, text_len, link_len))
            return
        if tag == "figcaption":
            self.caption(el)
            return
        if tag == "blockquote":
            quote = True
        if _has_block_child(el):
            self.walk(el, quote)
        else:
            self._flush([el], quote)

    def figure(self, el: Element) -> None:
        for img in el.iter("img"):
            self.image(img, figure=True)
            break
        caption = figure_caption(el)
        if caption is not None and skip_reason(caption) != "hidden":
            self.caption(caption, el)

    def caption(self, el: Element, figure: Element | None = None) -> None:
        caption, credit = split_credit(figure if figure is not None else el, el)
        text = " — ".join(part for part in (caption, credit) if part)
        if text:
            md = escape_md(text)
            self.blocks.append(DomBlock("caption", f"*{md}*", match_key(text), len(text)))

    def _related(self, el: Element) -> None:
        text = text_of(el)
        if len(text) > 200 or not _RELATED_LINE_RE.match(text):
            return
        md, key, text_len, link_len = _inline_block([el], self.base)
        if len(el.xpath(".//a[@href]")) <= 2 and key:
            md = " ".join(md.split("\n"))
            self.blocks.append(
                DomBlock("related", _escape_block_start(md), key, text_len, link_len)
            )


def _inline_runs(el: Element) -> Iterator[str]:
    """The texts of an element's runs of inline content (text between its block children)."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in BLOCK_TAGS:
            yield clean(" ".join(parts))
            parts = []
        elif isinstance(child.tag, str) and child.tag not in SKIP_TEXT_TAGS:
            parts.append(raw_text_of(child))
        parts.append(child.tail or "")
    yield clean(" ".join(parts))


def find_containers(root: Element, body_key: str, headline: Element | None = None) -> list[Element]:
    """The element holding most of the text trafilatura kept, plus its look-alike cousins
    (sites such as Wired split one article body over several sibling containers).

    When the headline sits outside that element, its own small box comes first: a lead
    paragraph set beside the headline, outside the body container, is what trafilatura
    drops most often.
    """
    best = _heaviest(root, body_key)
    if best is None:
        return []
    containers = [best, *_cousins(best)]
    if headline is not None and not any(headline in set(c.iter()) for c in containers):
        # The headline's own box (headline, lead paragraph, byline) when it is small.
        box = headline.getparent()
        if (
            box is not None
            and box.tag not in ("body", "html")
            and not any(c in set(box.iter()) for c in containers)
            and len(text_of(box)) <= 800
        ):
            containers.insert(0, box)
    wanted = set(containers)
    ordered: list[Element] = []  # in document order, found without indexing the whole page
    for el in root.iter():
        if el in wanted:
            ordered.append(el)
            if len(ordered) == len(wanted):
                break
    return ordered


def _heaviest(root: Element, body_key: str) -> Element | None:
    """The deepest element holding at least 70 % of the page's text that is in `body_key`."""
    weights: dict[Element, int] = {}
    total = 0
    # Inline elements are measured as part of their block, never on their own.
    for el in root.iter("body", *BLOCK_TAGS):
        if el.tag in SKIP_TEXT_TAGS:
            continue
        for run in _inline_runs(el):
            if len(run) < 25:
                continue
            own = match_key(run)
            if len(own) < 25 or not contains(body_key, own):
                continue
            total += len(own)
            weights[el] = weights.get(el, 0) + len(own)
            for anc in el.iterancestors():
                weights[anc] = weights.get(anc, 0) + len(own)
    best = None
    best_depth = -1
    for el, weight in weights.items():
        if weight >= 0.7 * total:
            depth = sum(1 for _ in el.iterancestors())
            if depth > best_depth:
                best, best_depth = el, depth
    return best


def _cousins(best: Element) -> list[Element]:
    """The container's look-alikes: elements that share its tag and classes ("article-body"
    and "article-body article-body--continued"), at the same depth and under the same
    grandparent, and not inside a widget (comments reuse "content" classes)."""
    cls = set((best.get("class") or "").split())
    ancestors = list(best.iterancestors())
    if not cls or best.tag in ("body", "html") or len(ancestors) < 3:
        return []

    def alike(other: Element) -> bool:
        return bool(other.tag == best.tag and cls <= set((other.get("class") or "").split()))

    found: list[Element] = []
    for parent in ancestors[1]:
        if not isinstance(parent.tag, str) or parent is ancestors[0]:
            continue
        if skip_reason(parent) is not None:
            continue
        found.extend(other for other in parent if alike(other))
    found.extend(other for other in ancestors[0] if other is not best and alike(other))
    return found
