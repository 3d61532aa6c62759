"""The byline as the archive shows it: the page's wording of its authors without what
trails the names there (the day, share buttons, counts, links to accounts)."""

from __future__ import annotations

import re

from newsarchive.extract.datetext import parse_text_date
from newsarchive.extract.names import EMAIL_RE, clean_authors
from newsarchive.extract.people import EDGE_DATE_WORDS_RE

# What follows a byline's names on the page without being part of them: share buttons and
# their counts, a handle, a link to follow the author, counts of their posts, a relative time
_BYLINE_TAIL_RE = re.compile(
    r"(?:[\s,|/·•]*(?:"
    r"@\w+|"
    r"(?:on\s+)?(?:facebook|twitter|whats\s?app|reddit|linkedin|instagram|pinterest|xing|"
    r"telegram|e-?mail|shares?)|"
    r"\d+\s+(?:publicaciones|posts|articles|artikel|beiträge)|"
    r"(?:\d+\s+)?(?:comments?|kommentare|comentarios|commentaires)|"
    r"\d+\s+(?:days?|hours?|minutes?|mins?|weeks?)(?:\s+ago)?"
    r"))+$",
    re.IGNORECASE,
)


def tidy_byline(byline: str | None) -> str | None:
    """The byline as it names its authors, without what trails the names on the page: the
    day it was posted ("Jane Roe Nov 19, 2019, 10:31 pm"), share buttons ("Jane Roe
    FacebookTwitter"), a handle, counts; and without a "Follow" link's words around it."""
    if not byline or re.search(r"[?!]", byline):
        # (a question is no byline: "Love this article? Shout Jane Roe a coffee"; the names
        # stand instead)
        return None if byline else byline
    text = _DATE_LABEL_RE.sub("", EMAIL_RE.sub(" ", byline))
    if (day := parse_text_date(text)) and day[1] > 0:
        text = text[: day[1]]
    text = _PROFILE_LINKS_RE.sub("", _ABOUT_RE.sub("", text))
    text = re.sub(r"^(?:follow|(?:mehr|more)\s+(?:von|from|by))\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^.*?\sBy\s+(?=[A-Z])", "", text)  # a section's name before it: "News By …"
    text = EDGE_DATE_WORDS_RE.sub("", _BYLINE_TAIL_RE.sub("", text)).strip(" ,|·•/-–—:")
    return text if clean_authors([text]) else byline


# The label of the date the byline goes on to: "www.courier.example Data: 28-04-2021"
_DATE_LABEL_RE = re.compile(r"\s+(?:data|datum|date|fecha)\s*:.*$", re.IGNORECASE)
# An author box's heading: "About The Author Jane Roe"
_ABOUT_RE = re.compile(r"^(?:about the author|über (?:den autor|die autorin))\s+", re.I)
# Links to write to the author or to their accounts, and what follows them: "Jane Roe Email
# Jane Roe", "Jane Roe Twitter Account von Jane Roe"
_PROFILE_LINKS_RE = re.compile(
    r"\s+(?:e-?mail|(?:twitter|facebook|instagram|linkedin)[- ]?(?:account|profil|profile))\s.*$",
    re.IGNORECASE,
)
