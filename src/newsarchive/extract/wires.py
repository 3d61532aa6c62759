"""A wire story's credit: the news agency its dateline, its source line or a line under its
headline names, the story's author where the page names no person."""

from __future__ import annotations

import re

from newsarchive.extract.dom import Element, has_ancestor, text_of
from newsarchive.extract.names import is_agency
from newsarchive.extract.widgets import in_comments, inside_related

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
    return _credit_line(h1) if h1 is not None else None


def _credit_line(h1: Element) -> str | None:
    """An agency named alone on a line under the headline, before the article's first
    paragraph: "<h1>...</h1><p class="credit">JIJI</p>"; not a picture's credit ("© AFP", a
    caption). The headline may sit in a group of its own (<hgroup>, <header>)."""
    parent = h1.getparent()
    group = [parent] if parent is not None and parent.tag in ("hgroup", "header") else []
    for node in [h1, *group]:
        for at, el in enumerate(node.itersiblings()):
            if at >= 5 or not isinstance(el.tag, str) or len(text := text_of(el)) >= 60:
                break
            if is_agency(text) and "©" not in text and el.find(".//img") is None:
                return text.strip(" ()")
    return None
