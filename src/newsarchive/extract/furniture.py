"""Blocks that are the site's furniture or send the reader elsewhere, wherever they stand:
link lists, gallery counters, share and app prompts, newsletter boxes, tag lines, tables of
thumbnails; and what follows the article: its author's bio (`without_bio`), a run of links to
the site's other pages; a heading left to end the text over a list of links left out
(`without_closing_headings`). `without_furniture` is the last step of the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from newsarchive.extract.dom import Element, class_words, text_of
from newsarchive.extract.text import MD_LINK_RE, clean, contains, match_key

# Lines that are the site's furniture wherever they appear: gallery counters, "more" toggles,
# share and app prompts, reprint and error notices, advertisements' labels. (Copyright lines
# stay: they are evidence.)
_FURNITURE_RE = re.compile(
    r"^(?:image \d+ of \d+|\.*\s*(?:less|more)|explore further|you (?:may|might) also like\b.*|"
    r"tell us what you think\b.*|an error has occurred\b.*|this article has been sent to\b.*|"
    r"(?:order reprints|print article)\b.*|to read the full story|don'?t miss\b.*|"
    r"click here to get the\b.*\bapp|get .{1,40} on the go by clicking here|"
    r"(?:\d+\s+)?(?:comments?|kommentare|comentários|comentarios|commentaires)|"
    r"(?:tempo de leitura|tiempo de lectura|lesezeit|reading time|temps de lecture)\b.{0,20}|"
    # an advertisement's label, and what a box shows while its content loads
    r"advertisement|anzeige|werbung|publicidad|publicité|pubblicità|reklama|advertentie|"
    r"loading|wird geladen|cargando|chargement|caricamento)$",
    re.IGNORECASE,
)
# The reprint notice under an article, which goes on about the subscriber agreement.
_REPRINT_RE = re.compile(r"(?i)this copy is for your personal,? non-commercial use only\b")
_SUBSCRIBE_RE = re.compile(r"\b(?:subscribe|subscribing|sign up)\b", re.IGNORECASE)
_MAILING_RE = re.compile(r"\b(?:newsletters?|inbox|magazine)\b", re.IGNORECASE)
# "Tags: [a](...), [b](...)": the article's tag links
_TAGS_RE = re.compile(
    r"^\**\s*(?:tags|tagged|schlagworte|schlagwörter|etiquetas|temas|tópicos|mots-clés)"
    r"\s*:?\s*\**\s*\[",
    re.IGNORECASE,
)
# "Follow Newsbeat on Instagram, Facebook and Twitter": links to the site's social accounts
_SOCIAL_LINK_RE = re.compile(
    r"\]\(https?://(?:www\.)?(?:facebook|twitter|x|instagram|youtube|linkedin|tiktok|pinterest)"
    r"\.com\b",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# The labels of a post's metadata line: "05/10/2018 - Posted by: Jane Doe - Category: Health -
# Tags: ..."; two of them on one short line make it that line.
_META_LABEL_RE = re.compile(
    r"\b(?:(?:posted|published|written|filed) (?:by|in|under)|publicado (?:por|em|en)|"
    r"publié par|veröffentlicht (?:von|am)|categor(?:y|ies|ia|ias|ía|ie)|kategorien?|tags|"
    r"etiquetas|schlagwörter|mots-clés)\s*:",
    re.IGNORECASE,
)
# How to reach the reporter: "Have a tip? Jane Doe may be reached at jdoe@example.com."
_REACH_RE = re.compile(r"(?i)\b(?:have a (?:news )?tip\b|(?:may|can) be reached (?:at|by)\b)")
# A link to the site's login or sign-up page
_LOGIN_LINK_RE = re.compile(
    r"\]\([^)\s]*[/?&=_.-](?:login|log-in|signin|sign-in|einloggen|anmelden|register|"
    r"registrieren|logar|entrar|connexion)\b[^)]*\)",
    re.IGNORECASE,
)
# A list item, or a line, that is one link and nothing else.
_LINK_ITEM_RE = re.compile(r"^(?:[-*]\s+)?(?:\*\*)?(?:<u>)?\[[^\]]+\]\([^)]*\)(?:</u>)?(?:\*\*)?$")


def _plain(md: str) -> str:
    """The words of a Markdown block: link text kept, targets, images and markers dropped."""
    text = md
    # (each pattern only where its markup may be: this runs on every line of every block)
    if "](" in text:
        text = re.sub(r"!\[(?:\\.|[^\]\\])*\]\([^)]*\)", " ", text)
        text = MD_LINK_RE.sub(r"\1", text)
    if "<" in text or "\\" in text:
        text = re.sub(r"</?[a-z]+>|\\(?=\S)", "", text)
    return clean(re.sub(r"(?m)^\s*(?:[-*>#|]+\s*)+|[*_|]+", " ", text))


# The line under a Markdown table's header row: "|---|---|"
_TABLE_RULE_RE = re.compile(r"\|(?:\s*:?-+:?\s*\|)+")


def is_furniture(md: str, article_url: str) -> bool:
    """Blocks that are page furniture whatever their position: a list of nothing but links
    (related stories), a logo, the page's own URL, a contact line, a table of thumbnails,
    and the lines `_FURNITURE_RE` knows."""
    stripped = md.strip()
    plain = _plain(stripped)
    if not plain:
        # Only pictures: a logo (a "print header logo") is not the article's.
        return bool(re.search(r"!\[[^\]]*\blogo\b", stripped, re.IGNORECASE))
    if len(plain) <= 200 and _FURNITURE_RE.match(plain.strip(" .:!…[]()")):
        return True
    if len(plain) <= 400 and _REPRINT_RE.match(plain):
        return True
    if len(plain) <= 60 and _LOGIN_LINK_RE.search(stripped):
        return True  # "Log ind her", "Rezept speichern": a button to the login page
    if article_url and plain.replace(article_url, "").strip(" |") == "":
        return True
    lines = [line.strip() for line in stripped.split("\n") if line.strip()]
    if len(lines) >= 2 and lines[0].startswith(("- ", "* ")):
        if all(_LINK_ITEM_RE.match(line) for line in lines):
            return True
    if len(plain) <= 200 and _EMAIL_RE.search(plain):
        words = plain.split()
        if re.match(r"(?i)(?:e-?mail|write to|contact|follow|reach)\b", plain) or all(
            _EMAIL_RE.search(w) or "." in w or w.startswith("@") for w in words
        ):
            return True
    if stripped.startswith("|"):
        # A table of thumbnails and headlines; a layout table holding the article has prose.
        prose = max(len(_plain(MD_LINK_RE.sub("", line))) for line in lines)
        rows = [line for line in lines if not _TABLE_RULE_RE.fullmatch(line)]
        if len(rows) == 1 and "![" in rows[0] and prose >= 20:
            return False  # a photo and its caption, laid out in a table of their own
        # A layout table of spacers is mostly rows with nothing in them.
        empty = sum(not _plain(line).strip(" |") for line in lines)
        return prose < 200 and (sum("![" in line for line in lines) >= 2 or 2 * empty >= len(lines))
    return False


# The first days of a month in a row, as a month's calendar shows them ("01 02 03 04 05").
_FIRST_DAYS_RE = re.compile(r"(?<!\d)0?1\W+0?2\W+0?3\W+0?4\W+0?5(?!\d)")
_TOKEN_RE = re.compile(r"\w+")
# The days a month has at the least, and the share of a block's words that such runs of
# days are in a calendar (the rest: the months' names, years and the days of the week).
_MONTH_DAYS = 28
_CALENDAR_SHARE = 0.6


def _is_calendar(plain: str) -> bool:
    """A month's calendar, or several (a holiday home's booking calendar, an events widget):
    most of the words are runs of days counting from 1 to 28 or more, with nothing between
    them, in whatever language its months and days of the week are named."""
    tokens = _TOKEN_RE.findall(plain)
    in_months = run = 0
    for token in tokens:
        day = int(token) if token.isdigit() and len(token) <= 2 else 0
        if day and day == run + 1:
            run += 1
            continue
        in_months += run if run >= _MONTH_DAYS else 0
        run = 1 if day == 1 else 0
    in_months += run if run >= _MONTH_DAYS else 0
    return in_months >= _CALENDAR_SHARE * len(tokens)


def is_promotion(md: str) -> bool:
    """Blocks that send the reader elsewhere: a list of other stories' headlines, a
    thumbnail-and-headline row, a newsletter or subscription prompt, a "follow us" line, the
    article's tag links. (On the scrapinghub tuning pages, 0.004 of body F1.)"""
    stripped = md.strip()
    plain = _plain(stripped)
    if _is_teaser_list(stripped) or _TAGS_RE.match(stripped):
        return True
    if len(plain) <= 300 and _SUBSCRIBE_RE.search(plain) and _MAILING_RE.search(plain):
        return True  # "Get the day's top headlines in your inbox: subscribe to our newsletter"
    if (
        len(plain) <= 300
        and re.match(r"(?i)(?:follow|like|find)\b.{0,80}\b(?:on|at)\b", plain)
        and len(_SOCIAL_LINK_RE.findall(stripped)) >= 2
    ):
        return True
    # A table row of its own: a thumbnail and a headline link, hardly any other text.
    return (
        stripped.startswith("|")
        and "\n" not in stripped
        and "![" in stripped
        and len(_plain(MD_LINK_RE.sub("", stripped))) < 40
    )


def without_furniture(blocks: Iterable[str], article_url: str) -> str:
    """The body's blocks without furniture and promotions, as Markdown. A page that holds
    nothing but promotions (a list of links, say) keeps them: that is what it shows."""
    blocks = [rest for block in blocks if (rest := _without_calendars(_without_meta_lines(block)))]
    blocks = [_without_caption_copy(block) if "![" in block else block for block in blocks]
    furniture = [is_furniture(block, article_url) for block in blocks]
    kept = [block for block, gone in zip(blocks, furniture, strict=True) if not gone]
    gone = [f or is_promotion(b) for b, f in zip(blocks, furniture, strict=True)]
    gone = _with_trailing_links(blocks, gone, article_url)
    trimmed = _without_empty_sections(blocks, gone)
    return "\n\n".join(trimmed if any(match_key(b) for b in trimmed) else kept).strip()


def _without_calendars(block: str) -> str:
    """`block` without its paragraphs that are a month's calendar (`_is_calendar`): a
    booking calendar or an events widget, in a box that trafilatura keeps whole."""
    if _FIRST_DAYS_RE.search(block) is None:  # most blocks: no run of days at all
        return block
    parts = block.split("\n\n")
    kept = [part for part in parts if not _is_calendar(_plain(part))]
    return block if len(kept) == len(parts) else "\n\n".join(kept)


def _without_meta_lines(block: str) -> str:
    """`block` without its lines that are the post's metadata line (a block may hold a few
    paragraphs: the headline, that line, a picture and the text, laid out in one cell), and
    without the link to the comments that ends a line ("… | 21 February, 2017 [1
    comment](…)"), which a block of its own loses as furniture."""
    lines = [_without_comment_link(line) for line in block.split("\n")]
    kept = [line for line in lines if not _is_meta_line(line)]
    if kept == block.split("\n"):
        return block
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


# A link to the comments, by their count, at the end of a line.
_COMMENT_LINK_RE = re.compile(
    r"\s+\[(?:\d+\s+)?(?:comments?|kommentare|comentários|comentarios|commentaires)"
    r"\]\([^)\s]*\)\s*$",
    re.IGNORECASE,
)


def _without_comment_link(line: str) -> str:
    """`line` without the link to the comments that ends it, where words come before it."""
    found = _COMMENT_LINK_RE.search(line)
    if found is None or not _plain(line[: found.start()]):
        return line
    return line[: found.start()]


def _is_meta_line(md: str) -> bool:
    """Two labels of a post's metadata on one short line ("Posted by: ... - Tags: ...")."""
    if md.count(":") < 2:
        return False
    plain = _plain(md)
    return len(plain) <= 300 and len(_META_LABEL_RE.findall(plain)) >= 2


# The toggles of a caption the page holds both cut short and in full, showing one at a
# time: "[less]", "[... more]" (links without an address, so text in brackets).
_CAPTION_TOGGLE_RE = re.compile(r" ?\[(?:\.{3}|…)? ?(?:less|more)\](?!\() ?", re.IGNORECASE)
# A picture's Markdown, or a word: the tokens in which a copy is looked for.
_TOKEN_RE = re.compile(r"!\[(?:\\.|[^\]\\])*\]\([^)]*\)|\S+")
# The fewest words of a copy, and the share of the caption before it that it repeats.
_COPY_WORDS = 8
_COPY_SHARE = 0.6


def _without_caption_copy(block: str) -> str:
    """A block holding a picture, without the second copy of its caption: the page holds
    the caption in full and cut short, one shown at a time by their "less" and "more"
    toggles ("Esper, left, meets ... nation. [less]Esper, left, meets ... military [...
    more]"), or twice in full; trafilatura keeps both, one after the other. The copy is a
    run of words right after the words it repeats, most of them from their start."""
    lines = block.split("\n")
    for at, line in enumerate(lines):
        if "![" not in line:
            continue
        line = _CAPTION_TOGGLE_RE.sub(" ", line) if _CAPTION_TOGGLE_RE.search(line) else line
        tokens = list(_TOKEN_RE.finditer(line))
        copy = _copy(tokens)
        if copy is not None:
            start, end = copy
            cut = tokens[end].start() if end < len(tokens) else len(line)
            line = line[: tokens[start].start()] + line[cut:]
        lines[at] = line.rstrip()
    return "\n".join(lines)


def _copy(tokens: list[re.Match[str]]) -> tuple[int, int] | None:
    """The tokens (from, to) that repeat, right after them, most of the run of tokens before
    them from its start (`_COPY_WORDS` at least)."""
    words = [t[0] for t in tokens]
    first: dict[tuple[str, ...], int] = {}
    for j in range(len(words) - _COPY_WORDS + 1):
        gram = tuple(words[j : j + _COPY_WORDS])
        i = first.setdefault(gram, j)
        if j - i < _COPY_WORDS:
            continue
        m = _COPY_WORDS
        while j + m < len(words) and i + m < j and words[i + m] == words[j + m]:
            m += 1
        if m >= _COPY_SHARE * (j - i):
            return j, j + m
    return None


_HEADING_RE = re.compile(r"^(#{1,6})\s")
# A block that is one link and nothing else, as a heading or a list item perhaps.
_LINK_BLOCK_RE = re.compile(
    r"^(?:#{1,6}\s+|[-*]\s+)?(?:\*\*)?\[(?:\\.|[^\]\\])+\]\(<?([^)>\s]*)>?\)(?:\*\*)?$"
)
_PICTURE_BLOCK_RE = re.compile(r"^(?:!\[(?:\\.|[^\]\\])*\]\([^)]*\)\s*)+$")
# Between the links of one line of links: spaces and the separators a menu sets between them.
_LINK_SEPARATOR_RE = re.compile(r"[\s|·•/,]*")
_LINK_RE = re.compile(r"(?<!!)\[(?:\\.|[^\]\\])+\]\(<?([^)>\s]*)>?\)")


def _link_targets(block: str) -> list[str]:
    """The targets of a block that is one link and nothing else (`_LINK_BLOCK_RE`), or a
    line of links with nothing but separators between them ("[Cricket](…) [Live
    Score](…)", a menu that the page shows on one line); none for any other block."""
    if (link := _LINK_BLOCK_RE.match(block)) is not None:
        return [link[1]]
    if "\n" in block:
        return []
    links = list(_LINK_RE.finditer(block))
    ends = [0, *(at for m in links for at in (m.start(), m.end())), len(block)]
    gaps = (block[a:b] for a, b in zip(ends[::2], ends[1::2], strict=True))
    if len(links) < 2 or not all(_LINK_SEPARATOR_RE.fullmatch(gap) for gap in gaps):
        return []
    return [m[1] for m in links]


def _site_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _with_trailing_links(blocks: list[str], gone: list[bool], article_url: str) -> list[bool]:
    """`gone`, with the run of links that ends the body when it is a list of the site's other
    stories or its menu: two or more links to pages of the article's own site, in blocks of
    nothing else (`_link_targets`; thumbnails between them go with them)."""
    site = _site_of(article_url)
    if not site:
        return gone
    links = 0
    start = len(blocks)
    for at in range(len(blocks) - 1, -1, -1):
        block = blocks[at].strip()
        targets = _link_targets(block)
        if targets and all(_site_of(urljoin(article_url, t)) == site for t in targets):
            links += len(targets)
        elif not (gone[at] or _PICTURE_BLOCK_RE.match(block)):
            break
        start = at
    if links < 2:
        return gone
    return gone[:start] + [True] * (len(blocks) - start)


# A heading this long is a paragraph the page sets in large type (an intro, a standfirst).
_PARAGRAPH_WORDS = 10


def _without_empty_sections(blocks: list[str], gone: list[bool]) -> list[str]:
    """The blocks not `gone`, without the headings of sections that went (the heading of a
    list of links or promotions, of a map or a form): a heading with no block other than a
    heading under it (before the next heading of its level or above), unless it is an intro
    set as a heading (`_is_intro`)."""
    kept: list[str] = []
    for i, block in enumerate(blocks):
        if gone[i]:
            continue
        level = _HEADING_RE.match(block)
        if level is None or _has_content(blocks, gone, i, len(level[1])):
            kept.append(block)
        elif _is_intro(blocks, gone, i):
            kept.append(block)
    return kept


def _is_intro(blocks: list[str], gone: list[bool], at: int) -> bool:
    """Whether the heading at `at` is a paragraph set as a heading: ten words or more and
    nothing gone beside it, either above text that stays (an intro, a standfirst) or, a
    sentence, ending the text (a closing line: "All these products you find at ...!")."""
    plain = _plain(blocks[at])
    if len(plain.split()) < _PARAGRAPH_WORDS or _beside_gone(blocks, gone, at):
        return False
    if at == len(blocks) - 1:
        return plain.rstrip(" *_)»“”\"'").endswith((".", "!", "?"))
    after = zip(blocks[at + 1 :], gone[at + 1 :], strict=True)
    return any(not went and not _HEADING_RE.match(block) for block, went in after)


def _has_content(blocks: list[str], gone: list[bool], at: int, level: int) -> bool:
    """Whether the section of the heading at `at` holds a block that stays, not a heading."""
    for after, went in zip(blocks[at + 1 :], gone[at + 1 :], strict=True):
        other = _HEADING_RE.match(after)
        if other is None:
            if not went:
                return True
            continue
        if len(other[1]) <= level:
            return False
    return False


def _beside_gone(blocks: list[str], gone: list[bool], at: int) -> bool:
    """Whether the nearest block that is no heading, before or after `at`, went."""
    for step in (-1, 1):
        i = at + step
        while 0 <= i < len(blocks) and _HEADING_RE.match(blocks[i]) and not gone[i]:
            i += step
        if 0 <= i < len(blocks) and gone[i]:
            return True
    return False


def _is_teaser_list(md: str) -> bool:
    """A list whose every item is a headline link with at most a short line or two under it
    (the "more stories" lists under an article)."""
    if not md.startswith(("-", "*")):
        return False
    items = [item.strip() for item in re.split(r"(?m)^\s*[-*](?:\s+|$)", md) if item.strip()]
    if not items:
        return False
    for item in items:
        # A heading inside an item (a teaser's standfirst) is a line of its own, and its
        # thumbnail beside the link no line at all.
        item = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", item)
        lines = [line.strip() for line in re.split(r"\n|\s(?=#{1,6}\s)", item) if line.strip()]
        if not lines:
            continue
        if len(lines) > 3 or not _LINK_ITEM_RE.match(lines[0]):
            return False
        if any(len(line) >= 200 for line in lines[1:]):
            return False
    return True


# What an author's bio says of its author right after the name: "Jane Doe is a reporter",
# "... covers the city", "... joined the paper in 2022", "... ist Redakteurin", "... es
# periodista"; a parenthesis may come between ("Jane Doe (born 1962) writes ...").
_BIO_VERBS = re.compile(
    r"(?:\([^()]{1,40}\),?\s+)?(?:is|was|has been|covers|writes|reports|joined|lives|works|"
    r"studied|teaches|ist|war|schreibt|lebt|arbeitet|studierte|est|vit|travaille|es|vive|"
    r"trabaja|escribe|é)\s",
    re.IGNORECASE,
)
# What may stand before the name: a label ("Autor*in:", "About the author") and titles.
_BIO_LABEL = re.compile(
    r"^(?:(?:about the (?:author|writer)|the author|author|autor(?:\\?\*in|in)?|"
    r"über (?:den|die) autor(?:in)?|zum autor|zur autorin|l'auteur|auteur|el autor|la autora)"
    r"\s*:?\s+)?(?:(?:prof|dr|mag|dipl)\.\s+)*",
    re.IGNORECASE,
)
# The heading of a section about the article's author.
_ABOUT_AUTHOR_RE = re.compile(
    r"^#{1,6}\s+\**\s*(?:about the (?:author|writer|authors)|über (?:den|die) autor(?:in|en)?|"
    r"zum autor|zur autorin|à propos de l'auteur|sobre (?:el|la) autora?|sobre o autor)"
    r"\s*:?\s*\**$",
    re.IGNORECASE,
)


def _is_bio(md: str, names: list[str]) -> bool:
    """A short paragraph that starts with an author's name, after a label or titles perhaps,
    and says who that author is."""
    text = clean(re.sub(r"[*_]+|\\(?=\S)", "", MD_LINK_RE.sub(r"\1", md)))
    if len(text) > 600:
        return False
    label = _BIO_LABEL.match(text)
    text = text[label.end() :] if label else text
    for name in names:
        if text.lower().startswith(name.lower() + " "):
            return _BIO_VERBS.match(text[len(name) + 1 :]) is not None
    return False


def without_bio(blocks: list[str], authors: tuple[str, ...], article_url: str) -> list[str]:
    """The blocks without what follows the article about its author: a section headed
    "About the author", and the short paragraphs that start with an author's name and say
    who that author is ("Jane Doe is a senior reporter covering the courts"), looked for
    past the furniture and promotions that end the page, with the line that says how to
    reach the reporter (`_is_contact`). A bio inside the text (a quoted name) stays, and so
    does the first block."""
    blocks = _without_author_section(blocks)
    names = [clean(a) for a in authors if len(clean(a).split()) >= 2]
    out = list(blocks)
    at = len(out) - 1
    while at >= 0:
        head, _, last = out[at].rpartition("\n\n")
        if (head or at > 0) and (_is_bio(last, names) or _is_contact(last)):
            if head:
                out[at] = head  # the last paragraph of a block of several
            else:
                del out[at]
                at -= 1
        elif at > 0 and (is_furniture(out[at], article_url) or is_promotion(out[at])):
            at -= 1
        else:
            break
    return out


def _is_contact(md: str) -> bool:
    """A short line that gives a reporter's address: "Have a tip? Jane Doe may be reached at
    jdoe@example.com." (Inside the text such a line may be the article's: a tip line.)"""
    plain = _plain(md)
    return len(plain) <= 200 and bool(_EMAIL_RE.search(plain) and _REACH_RE.search(plain))


def _without_author_section(blocks: list[str]) -> list[str]:
    """The blocks without a section headed "About the author" (its heading and what follows
    it up to the next heading of its level or above), when it is not the first block."""
    for at, block in enumerate(blocks[1:], 1):
        if _ABOUT_AUTHOR_RE.match(block.strip()):
            level = len(block) - len(block.lstrip("#"))
            end = at + 1
            while end < len(blocks):
                other = _HEADING_RE.match(blocks[end])
                if other is not None and len(other[1]) <= level:
                    break
                end += 1
            return blocks[:at] + blocks[end:]
    return blocks


def without_closing_headings(body: str, root: Element) -> str:
    """`body` without the headings that end it over a list of links it left out as another's
    ("More Great WIRED Stories", "Mehr zum Thema", "Sponsored"): a heading with nothing of
    the article after it."""
    paragraphs = body.split("\n\n")
    body_key: str | None = None  # (read only for a last line that may be a heading)
    while len(paragraphs) > 1 and "\n" not in (last := paragraphs[-1].strip()):
        text = re.sub(r"^#{1,6} ", "", last)
        if len(text) > 80 or text[-1:] in '.!?:;…"“”»)':
            break
        body_key = body_key or match_key(body)
        if not _heads_links_left_out(root, text, body_key):
            break
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def _is_heading(el: Element) -> bool:
    """Whether the page marks `el` as a heading: its tag, its role or its class."""
    if el.tag in ("h2", "h3", "h4", "h5", "h6") or el.get("role") == "heading":
        return True
    return any(word in ("heading", "headline", "title") for word in class_words(el))


def _heads_links_left_out(root: Element, text: str, body_key: str) -> bool:
    """Whether a heading of the page that says `text` (an <h3>, a "heading-h3" box) stands
    over a box of links (the next element with text) whose text the stored body does not
    hold."""
    key = match_key(text)
    for node in root.xpath("//body//text()[normalize-space(.) = $text]", text=text):
        heading = node.getparent()
        if heading is None or node.is_tail:
            continue
        # (the heading is the widest element that says nothing else)
        while (up := heading.getparent()) is not None and match_key(text_of(up)) == key:
            heading = up
        if not any(_is_heading(el) for el in (heading, *heading.iterdescendants())):
            continue  # a credit, a signature, a copyright line: the article's own
        box = next((el for el in heading.itersiblings() if text_of(el).strip()), None)
        if box is None:
            continue
        shown = text_of(box)
        linked = sum(len(text_of(a)) for a in box.iter("a"))
        items = list(box.iter("li"))
        links = linked >= 0.5 * len(shown) or (  # (or a list whose every item holds one)
            bool(items) and all(item.find(".//a") is not None for item in items)
        )
        if links and not contains(body_key, match_key(shown)):
            return True
    return False
