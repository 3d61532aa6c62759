"""The reader-facing Markdown of an archived article: the part of the file after the front matter.

    # Title

    By Byline

    14 September 2021, 12:25 (+03:00)

    *Partial article: paywall teaser: ...*      (only for a page that held part of the article)

    ![alt](lead image)
    *Caption — Credit*

    Body...

    ---

    Source: <https://...>

Pure functions of an `Article`, standard library only. Text that comes from the page (title,
byline, caption) is escaped so that it renders as the words it is, never as Markdown syntax.
"""

from __future__ import annotations

import re
from datetime import datetime

from newsarchive.models import Article, LeadImage

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# CommonMark characters that start inline syntax anywhere in a line: emphasis, code, links,
# images, raw HTML and autolinks, strikethrough (GFM), and backslash escapes themselves.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")
# "&amp;" or "&#8216;" would render as the character they name, not as typed.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At the start of a line these make a list item, a quote, a heading or a thematic break.
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+=](?=\s|$)|(\d{1,9})([.)])(?=\s|$))")


def escape_inline(text: str) -> str:
    """Escape `text` so that Markdown shows it literally inside a line (one line: runs of
    whitespace, newlines included, become single spaces)."""
    text = " ".join(text.split())
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _ENTITY.sub("&amp;", text)


def escape_line(text: str) -> str:
    """Like `escape_inline`, for text that starts a line: "1. Title" is not a list item,
    "# tag" is not a heading."""
    text = escape_inline(text)
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group(3) is not None:  # "1." → "1\." keeps the number
        return f"{match.group(1)}{match.group(3)}\\{text[match.end(3) :]}"
    return f"{match.group(1)}\\{text[len(match.group(1)) :]}"


def _heading(title: str) -> str:
    text = escape_inline(title)
    # A heading's trailing " #" run is read as a closing sequence and dropped.
    text = re.sub(r"(\s)(#+)$", lambda m: m.group(1) + "\\" + m.group(2), text)
    if text.startswith("#"):
        text = "\\" + text
    return f"# {text}"


def join_names(names: tuple[str, ...] | list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    names = [n for n in names if n.strip()]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def byline_line(article: Article) -> str | None:
    """ "By …", from the page's own byline wording, else from the author names."""
    wording = article.byline or join_names(article.authors)
    if not wording or not wording.strip():
        return None
    return f"By {escape_inline(wording)}"


def format_published(value: str) -> str:
    """ "14 September 2021, 12:25 (+03:00)" from ISO 8601; the date alone when there is no
    time; the value itself (escaped) when it is not ISO 8601."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return escape_line(value)
    day = f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}"
    if "T" not in value and " " not in value.strip():
        return day
    text = f"{day}, {parsed.hour:02d}:{parsed.minute:02d}"
    offset = parsed.utcoffset()
    if offset is None:
        return text
    if not offset:
        return f"{text} (UTC)"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{text} ({sign}{minutes // 60:02d}:{minutes % 60:02d})"


def _destination(url: str) -> str:
    """A link destination that survives spaces, parentheses and angle brackets in the URL."""
    url = url.strip().replace(" ", "%20")
    if any(c in url for c in "()<>"):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def image_lines(image: LeadImage) -> list[str]:
    """The lead picture and, under it, its caption and credit in italics."""
    alt = image.alt or image.caption or ""
    lines = [f"![{escape_inline(alt)}]({_destination(image.url)})"]
    caption = (image.caption or "").strip()
    credit = (image.credit or "").strip()
    if caption and credit:
        note = f"{escape_inline(caption)} — {escape_inline(credit)}"
    elif caption:
        note = escape_inline(caption)
    elif credit:
        labelled = re.match(r"(?i)(photo|image|picture|foto|фото|credit|©)", credit)
        note = escape_inline(credit if labelled else f"Photo: {credit}")
    else:
        return lines
    lines.append(f"*{note}*")
    return lines


def partial_note(article: Article) -> str | None:
    """For a page that held only part of the article (a paywall teaser, a cookie-consent
    interstitial), a line that says so where a reader starts: the front matter's
    `completeness` and `reason`."""
    if article.extra.get("completeness") != "partial":
        return None
    reason = (article.extra.get("reason") or "").strip()
    return f"*Partial article{': ' + escape_inline(reason) if reason else ''}*"


def render_body(article: Article) -> str:
    """The Markdown that follows the front matter: header, article text and source line."""
    sections: list[str] = []
    if article.title.strip():
        sections.append(_heading(article.title))
    if standfirst := article.extra.get("standfirst"):
        sections.append(f"*{escape_inline(standfirst)}*")
    if byline := byline_line(article):
        sections.append(byline)
    if article.published:
        sections.append(format_published(article.published))
    if note := partial_note(article):
        sections.append(note)
    if article.image is not None and article.image.url:
        sections.append("\n".join(image_lines(article.image)))
    if article.body.strip():
        sections.append(article.body.strip())
    if article.url.strip():
        source = article.url.strip().replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
        sections.extend(["---", f"Source: <{source}>"])
    return "\n\n".join(sections) + "\n"
