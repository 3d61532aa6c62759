"""The site's name and the article's headline.

`identify_site` names the publication (og:site_name, the JSON-LD publisher, the host), whose
name `strip_site_name` removes from titles ("Headline | Site"). `find_title` gathers the
declared titles (JSON-LD headline, og:title, twitter:title, <title>, trafilatura's) and the
page's <h1>s and <h2>s, and `choose_title` decides between them: the headline as the page
shows it. `find_standfirst` is the line under the headline that sums the story up.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsarchive.extract.datetext import parse_text_date
from newsarchive.extract.declarations import Meta, ld_str
from newsarchive.extract.dom import (
    SKIP_TEXT_TAGS,
    Element,
    class_words,
    logo_h1,
    original_url,
    raw_text_of,
    text_of,
)
from newsarchive.extract.text import clean, compact_key, contains, match_key
from newsarchive.extract.widgets import for_screen_readers, heading_in_widget, in_widget

# ---------------------------------------------------------------------------------------------
# The site


@dataclass(frozen=True)
class Site:
    """The publication a page belongs to, as far as the page tells."""

    name: str | None  # as it names itself ("The Moscow Times")
    hostname: str | None  # of the article's address, without "www."
    keys: set[str]  # the site's name in the forms titles and bylines write it (compact_key)


def identify_site(
    root: Element,
    meta: Meta,
    ld: dict[str, Any],
    article_url: str,
    base: str | None,
    guessed: tuple[str | None, str | None],
    index: dict[str, dict[str, Any]] | None = None,
) -> Site:
    """The page's site: its name from og:site_name, the JSON-LD publisher (`index`: the
    page's JSON-LD objects by @id, for a publisher given by reference), the microdata
    publisher, application-name, or trafilatura's guess (`guessed`: its site name and title);
    and its host. In this order: the first declared name that matches the host ("The New
    York Times" for nytimes.com), trafilatura's guess when it matches the host (og:site_name
    may name an edition: "U.S."), the first declared name, trafilatura's: one site's
    articles get one name, whichever app name ("NYTimes") trafilatura reads."""
    guessed_name, guessed_title = guessed
    # trafilatura falls back on the page's title for the site's name: that is no site name.
    sitename = guessed_name
    if sitename and guessed_title and compact_key(sitename) == compact_key(guessed_title):
        sitename = None
    # Nor is the headline, which trafilatura takes for it when it splits the <title> wrongly.
    if sitename and any(
        compact_key(sitename) == compact_key(text_of(el)) for el in root.iter("h1")
    ):
        sitename = None
    hostname = urlsplit(article_url).hostname if article_url.startswith("http") else None
    if not hostname and base:
        hostname = urlsplit(base).hostname
    hostname = hostname.removeprefix("www.") if hostname else None
    # The names the page declares, in this order, before trafilatura's guess, which reads
    # app names ("NYTimes") where the page names its publisher ("The New York Times").
    declared = [
        meta.get("og:site_name"),
        _publisher_name(ld.get("publisher"), index),
        _microdata_publisher(root),
        meta.get("application-name"),
    ]
    name = (
        _site_name(declared, hostname, matching=True)
        or _site_name([sitename], hostname, matching=True)
        or _site_name([*declared, sitename], hostname)
    )
    # A Wayback Machine capture is the original site's page: its name is that site's.
    original_host = urlsplit(original_url(article_url)).hostname
    keys = _site_keys([name, sitename], hostname) | _site_keys([], original_host)
    return Site(name, hostname, keys)


def _publisher_name(publisher: Any, index: dict[str, dict[str, Any]] | None) -> str | None:
    """The name of a JSON-LD publisher, also one given as a reference ({"@id": ...})."""
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    if isinstance(publisher, dict) and "name" not in publisher and index:
        ref = publisher.get("@id")
        publisher = index.get(ref) if isinstance(ref, str) else publisher
    return ld_str(publisher.get("name")) if isinstance(publisher, dict) else None


def _microdata_publisher(root: Element) -> str | None:
    """The name of the publisher the page marks up as microdata (itemprop="publisher")."""
    for el in root.xpath("//*[@itemscope][contains(@itemprop, 'publisher')]"):
        if "publisher" in str(el.get("itemprop")).split():
            for named in el.xpath(".//*[@itemprop='name']"):
                return clean(named.get("content") or text_of(named)) or None
    return None


def _site_name(
    candidates: list[str | None], hostname: str | None, *, matching: bool = False
) -> str | None:
    """The publication's name: the first candidate that matches the host name ("Reuters" for
    reuters.com, when og:site_name says "U.S.", the edition), else (unless `matching`) the
    first; never a URL (trafilatura takes a publisher's Facebook page for its name)."""
    names = [
        name
        for name in (clean(c) for c in candidates)
        if name and not re.match(r"(?i)(?:https?://|www\.)", name)
    ]
    host_keys = _site_keys([], hostname)
    found = [n for n in names if _is_site_label(n, host_keys) or _abbreviated(n, host_keys)]
    # "usatoday", the host's label, gives way to the name spelled out: "USA TODAY"
    spelled = [n for n in found if not (n.islower() and " " not in n)]
    if matching:
        names = []
    return next(iter(spelled or found or names), None)


def _abbreviated(name: str, host_keys: set[str]) -> bool:
    """Whether the host abbreviates `name` by the initials of its first words: nytimes.com
    for "The New York Times"."""
    words = [compact_key(w) for w in name.split() if compact_key(w)]
    if words and words[0] == "the":
        words = words[1:]
    forms = {
        "".join(w[0] for w in words[:k]) + "".join(words[k:]) for k in range(2, len(words) + 1)
    }
    return bool(forms & host_keys)


def _site_keys(sites: Iterable[str | None], hostname: str | None) -> set[str]:
    keys = {compact_key(s) for s in sites if s}
    if hostname:
        host = hostname.lower().removeprefix("www.")
        keys.add(compact_key(host))
        labels = host.split(".")
        if labels:
            keys.add(compact_key(labels[0]))
        if len(labels) > 2:
            keys.add(compact_key(labels[-2]))
            if len(labels[-2]) > 3:  # "Example.com" on blog.example.com, not "co.uk"
                keys.add(compact_key(".".join(labels[-2:])))
    return {k for k in keys if len(k) >= 2}


# Section names that blog and CMS templates put in every page's <title>
_SECTION_LABELS = frozenset(
    compact_key(label)
    for label in (
        "Blog",
        "Blog Archive",
        "Blog Archiv",
        "Archive",
        "Archiv",
        "News",
        "Home",
        "Startseite",
        "Aktuelles",
        "Nachrichten",
    )
)


def _is_site_label(segment: str, site_keys: set[str], *, loose: bool = True) -> bool:
    """Whether a title's segment names the site (or is a section label or a dateline); with
    `loose`, also a short one that begins or ends with the site's name ("BBC News")."""
    key = compact_key(segment)
    if not key:
        return True
    if (day := parse_text_date(segment)) and day[1] == 0 and len(segment) <= 20:
        return True  # a dateline: "23.01.2022 - Headline"
    if key in site_keys or key in _SECTION_LABELS:
        return True
    if not loose:
        return False
    # "BBC News" for bbc.co.uk, "The Moscow Times" for themoscowtimes.com
    return len(segment.split()) <= 5 and any(
        len(site) >= 4 and (key.startswith(site) or key.endswith(site) or site.endswith(key))
        for site in site_keys
    )


_SEPARATORS = re.compile(r"\s+(?:[|–—·•»:/\\~-]{1,2}|::)\s+")


def strip_site_name(title: str, site_keys: set[str], *, loose: bool = True) -> str:
    """Remove a leading or trailing " | Site" / "Site - " segment naming the publication;
    `loose`: also one that only begins or ends with its name (see _is_site_label)."""
    title = clean(title)
    title = _strip_named_site(title, site_keys)
    parts = _SEPARATORS.split(title)
    # "Headline : Site-Archiv | Site's tagline | Founded 2005": the site's name with its
    # tagline after it; what follows the site's name is the site's, not the headline's (when
    # the headline before it is longer than any of it: "Section | Site | Headline" stays)
    for k in range(1, len(parts) - 1):
        longest_after = max(len(part.split()) for part in parts[k + 1 :])
        if (
            _is_site_label(parts[k], site_keys, loose=loose)
            and compact_key(parts[k])
            and len(" ".join(parts[:k]).split()) > longest_after
        ):
            seps = _SEPARATORS.findall(title)
            cut = sum(len(p) + len(sep) for p, sep in zip(parts[:k], seps, strict=False))
            title = title[: cut - len(seps[k - 1])]
            break
    end = ""
    for _ in range(2):  # "Title | Section | Site" loses at most two segments, from one end
        parts = _SEPARATORS.split(title)
        if len(parts) < 2:
            break
        seps = _SEPARATORS.findall(title)
        if end != "start" and _is_site_label(parts[-1], site_keys, loose=loose):
            title, end = title[: title.rfind(seps[-1])], "end"
        elif end != "end" and _is_site_label(parts[0], site_keys, loose=loose):
            title, end = title[title.find(seps[0]) + len(seps[0]) :], "start"
        else:
            break
    return title.strip()


def _strip_named_site(title: str, site_keys: set[str]) -> str:
    """The title without a run of its last segments that together are the site's name, as
    its logo writes it: "Page - Salsa figures - Rueda in Berlin" on the site whose header
    says "Salsa figures - Rueda in Berlin"."""
    seps = list(_SEPARATORS.finditer(title))
    for sep in seps[:-1]:  # runs of two segments or more; one is strip_site_name's to judge
        if compact_key(title[sep.end() :]) in site_keys:
            return title[: sep.start()]
    return title


# ---------------------------------------------------------------------------------------------
# The headline


def find_title(
    root: Element,
    meta: Meta,
    ld: dict[str, Any],
    guessed: str | None,
    site: Site,
    addresses: Iterable[str | None] = (),
) -> str:
    """The article's headline (see choose_title); `guessed` is trafilatura's title;
    `addresses`: the page's own (its canonical URL, the one it was read from)."""
    title_el = root.find(".//title")
    page_title = text_of(title_el) if title_el is not None else None
    declared_titles = [
        ld_str(ld.get("headline")),
        meta.get("og:title"),
        meta.get("twitter:title"),
        page_title,
    ]
    declared_keys = {match_key(html.unescape(t)) for t in declared_titles if t}
    headlines, set_aside, logos = _headlines(root, site.keys, declared_keys)
    # trafilatura's title is the <title> cleaned, or a heading it takes for the headline: one
    # that no declared title repeats ("Ansprechpartner", "Hauptmenü") comes last.
    repeated = any(
        contains(match_key(html.unescape(t)), match_key(guessed or ""))
        for t in declared_titles
        if t
    )
    declared_titles.insert(2 if repeated else 4, guessed)
    if marked := _marked_headline(root, declared_titles[:2]):
        return _undangled(marked)
    chosen = choose_title(
        declared_titles,
        headlines,
        site.keys | logos,  # a title that is the logo's name is no headline
        page_title,
        set_aside,
        _subheads(root, site.keys | logos),
        guessed,
        meta.all("description", "og:description", "twitter:description"),
        _self_linked_headings(root, [a for a in addresses if a]),
    )
    return _undangled(chosen)


def _undangled(title: str) -> str:
    """`title` without a separator left at either end when the site's name beside it was
    taken away ("National Rail Enquiries -"): no headline starts or ends with one."""
    return _DANGLING_RE.sub("", title) or title


_DANGLING_RE = re.compile(r"^\s*[-–—|·•:]+\s+|\s+[-–—|·•:]+\s*$")


def _self_linked_headings(root: Element, addresses: list[str]) -> list[str]:
    """The page's <h2> to <h6> headings that a link to the page itself repeats word for word:
    a news page lists its own story among the latest by its headline, which the heading over
    the story shows."""
    own = {key for a in addresses if (key := _address_key(a)) is not None}
    # The last parts of the page's paths, one of which a link to it holds however written
    tails = {k.partition("?")[0].rpartition("/")[2] for k in own}
    linked: set[str] = set()
    for a in root.iter("a"):
        href = str(a.get("href") or "").strip()
        # A link to a place on the page ("#content", "#print") names that place
        if not own or not href or "#" in href or href.startswith(("javascript:", "mailto:")):
            continue
        if all(t not in href for t in tails) or _address_key(href, addresses[0]) not in own:
            continue
        # Three words: no "12:11 PM" that links a blog post's time to the post
        key = match_key(text_of(a))
        if sum(any(c.isalpha() for c in w) for w in key.split()) >= 3:
            linked.add(key)
    if not linked:
        return []
    return [
        text
        for el in root.iter("h2", "h3", "h4", "h5", "h6")
        if match_key(text := text_of(el)) in linked
    ]


def _address_key(url: str, base: str | None = None) -> str | None:
    """An address without its scheme, "www.", fragment and trailing slash (None: no URL)."""
    try:
        parts = urlsplit(urljoin(base, url) if base else url)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:  # "http://[ccpa-preferences]"
        return None
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"


def _marked_headline(root: Element, declared: list[str | None]) -> str | None:
    """The <h2> or <h3> the page marks as the article's headline (itemprop="headline"), when
    it says word for word what the JSON-LD headline or og:title says and no <h1> does: a
    blog's post title, not the intro heading of its sidebar above it."""
    keys = {match_key(html.unescape(t)) for t in declared if t}
    keys.discard("")
    if not keys:
        return None
    for h1 in root.iter("h1"):
        if any(contains(match_key(text_of(h1)), key) for key in keys):
            return None  # an <h1> says it (with more, perhaps): choose_title decides
    for el in root.xpath("//*[self::h2 or self::h3][@itemprop='headline']"):
        shown = clean("".join(_text_without_times(el)))
        if match_key(shown) in keys:
            return shown
    return None


def _text_without_times(el: Element) -> list[str]:
    """The texts of `el`, without its <time> elements (a date before a post's title)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag != "time":
            parts += _text_without_times(child)
        parts.append(child.tail or "")
    return parts


def choose_title(
    candidates: list[str | None],
    headlines: list[str],
    site_keys: set[str],
    page_title: str | None = None,
    set_aside: Iterable[str] = (),
    subheads: Iterable[str] = (),
    derived: str | None = None,
    described: Iterable[str] = (),
    self_linked: Iterable[str] = (),
) -> str:
    """The headline as the page shows it.

    An <h1> (kicker removed) that JSON-LD headline, og:title, trafilatura's title,
    twitter:title or <title> repeats, or extends, wins; of several, the one most of them
    repeat, then the longest ("Local elections in the north" beats the "detail" above
    it); else one of the <h1>s set aside as page furniture, when they repeat it; else an
    <h2> (of `subheads`) that a declared title is, whole or as one of its segments, unless an
    <h1> words the declared title differently; else the first <h1>; else the segment of a
    title that the page's description (`described`) repeats; else, where no <h1> is set
    aside either, an <h2> that says a declared title with more words, or a heading that a
    link to the page itself repeats (`self_linked`); else the first of those candidates,
    site-name suffix removed, or the one the others extend with sections. On the
    corpus's tuning pages this took title accuracy from 79 % (declared titles first) to 87 %,
    the <h2>s to 88 %. `derived` is trafilatura's title, which it may have taken from an <h2>:
    it confirms none; nor does it, alone, confirm an <h1> when an <h2> is named. Before all
    that, an <h2> that og:title, JSON-LD or twitter:title is, whole or as its first segments,
    wins when they hold no <h1>, no <h1> rewords them and no declared title is an <h1>
    (these rules: 521 to 525 of the 582 tuning pages; the description, the longer <h2> and
    the page's link to itself: 530 to 541, with the segments only like the site's name that a
    heading shows kept, and the page's column wrappers no widgets).
    """
    # A title that is the site's name, whole ("Salsa figures - Rueda in Berlin", its logo's
    # text), names no article, whatever is left once its last segment is taken for the site's
    # (unless all are: a home page's)
    titles = [c for c in candidates if c and compact_key(html.unescape(c)) not in site_keys]
    if titles and derived and compact_key(html.unescape(derived)) in site_keys:
        derived = None
    titles = titles or [c for c in candidates if c]
    subheads, set_aside = list(subheads), list(set_aside)
    # A title the page shows whole as a heading loses no segment that only looks like the
    # site's name ("Welpen kaufen – Tipps ..." on welpenkaufen24.de).
    shown_keys = {match_key(h) for h in [*headlines, *set_aside, *subheads]}

    def strip(title: str) -> str:
        title = html.unescape(title)
        return strip_site_name(title, site_keys, loose=match_key(title) not in shown_keys)

    cleaned = [strip(c) for c in titles if c.strip()]
    cleaned = [c for c in cleaned if c and compact_key(c) not in site_keys]
    derived = strip(derived) if derived else None
    declared = [match_key(c) for c in cleaned]
    keys = declared + ([match_key(html.unescape(page_title))] if page_title else [])
    named = list(cleaned)  # og:title, JSON-LD, twitter:title
    for other in (derived, strip(page_title or "")):
        if other in named:
            named.remove(other)
    shown = [*headlines, *set_aside]
    if (headline := _subhead_named(named, declared, shown, subheads)) is not None:
        return headline
    # trafilatura's title, repeated by no declared title, may be the <h1> it read: an <h1> it
    # alone confirms yields to an <h2> the declared titles name ("Site e.V. Verein zur ..."
    # above the story's <h2>).
    unrepeated = derived is not None and sum(contains(k, match_key(derived)) for k in declared) < 2
    strict = [k for k in keys if k != match_key(derived or "")] if unrepeated else keys
    if headline := _confirmed_h1(headlines, set_aside, strict, declared):
        return headline
    confirming = [*cleaned, html.unescape(page_title or "")]
    if derived in confirming:
        confirming.remove(derived)
    if (headline := _subhead_declared(confirming, headlines, subheads)) is not None:
        return headline
    if strict != keys and (headline := _confirmed_h1(headlines, set_aside, keys, declared)):
        return headline
    if headlines:
        return headlines[0]
    if segment := _described_segment(cleaned, described):
        return segment
    if not set_aside and (headline := _subhead_extending(cleaned, subheads)) is not None:
        return headline
    # No heading names the story: the page's link to itself does, where a declared title is
    # the site's, a section's ("Gaspreise") or a teaser's
    if not set_aside and (linked := _self_link_title(self_linked, declared, site_keys)):
        return linked
    for c in cleaned:
        # "Headline » Local » News" beside "Headline": the segments after it are sections.
        if any(o.startswith(c) and _SEPARATORS.match(o[len(c) :]) for o in cleaned):
            return c
    return cleaned[0] if cleaned else ""


def _self_link_title(linked: Iterable[str], declared: list[str], site_keys: set[str]) -> str | None:
    """The first heading a link to the page itself repeats that is no logo's and does not say
    a declared title with more (its time: a card of the story)."""
    for text in linked:
        key = match_key(text)
        if compact_key(text) not in site_keys and not any(contains(key, k) for k in declared):
            return text
    return None


def _subhead_extending(titles: list[str], subheads: list[str]) -> str | None:
    """On a page without an <h1>: the first <h2> that says a declared title of two words or
    more with more words around it, the headline the title shortens ("Neubau Werkstattgebäude"
    for "Projektwettbewerb Neubau Werkstattgebäude WSL Birmensdorf")."""
    keys = {match_key(t) for t in titles if len(match_key(t).split()) >= 2}
    for h in subheads:
        if any(contains(match_key(h), key) for key in keys):
            return h
    return None


def _described_segment(titles: list[str], described: Iterable[str]) -> str | None:
    """The segment of a title that the page's description is, word for word: "Site - Headline
    - Section" whose description repeats the headline (CMSs fill it with the story's title)."""
    keys = {match_key(d) for d in described if len(d.split()) >= 2}
    for title in titles:
        parts = _SEPARATORS.split(title)
        if len(parts) >= 2 and (found := [p for p in parts if match_key(p) in keys]):
            return found[0]
    return None


def _subhead_named(
    named: list[str], declared: list[str], headlines: list[str], subheads: Iterable[str]
) -> str | None:
    """The <h2> that og:title, JSON-LD or twitter:title (`named`) is, whole or as its first
    segments, while they hold no <h1> (of `headlines`), no <h1> rewords them and no declared
    title (`declared`, as keys) is an <h1> word for word: that <h2> is the headline, the <h1>
    a topic the <title> names ("Betriebliche Altersvorsorge" above "Mit Hilfe des Chefs für
    die Rente sparen")."""
    named_words = {w for c in named for w in match_key(c).split() if len(w) > 3}
    if any(
        match_key(h) in declared
        or any(contains(match_key(c), match_key(h)) for c in named)
        or _reworded(h, named_words)
        for h in headlines
    ):
        return None
    for h in subheads:
        # Whole, or its first segments ("30.11. | Buch der Woche - Author • Title"), or with a
        # note in brackets the heading leaves out ("Der historische Purzelbaum (2021/5)")
        if any(
            match_key(c) == match_key(h)
            or c.startswith(h)
            and (_SEPARATORS.match(c[len(h) :]) or _BRACKETED_NOTE.fullmatch(c[len(h) :]))
            for c in named
        ):
            return h
    return None


_BRACKETED_NOTE = re.compile(r"\s+\([^()]+\)")


def _subhead_declared(
    confirming: list[str], headlines: list[str], subheads: Iterable[str]
) -> str | None:
    """When no <h1> is repeated: the <h2> that a declared title (of `confirming`) is, whole
    or as one of its segments ("Site - Section - Headline"), the headline of a page whose
    <h1> is the site's, a section's or a template's ("Details", "Allgemein"); of several,
    the one most titles name, then the one they name first. None when an <h1> words the
    declared title differently (most of its words are there): that <h1> keeps its place."""
    sources = [
        [match_key(part) for part in [c, *_SEPARATORS.split(c)] if len(part.split()) >= 2]
        for c in confirming
    ]
    declared_words = {w for c in confirming for w in match_key(c).split() if len(w) > 3}
    if any(_reworded(h, declared_words) for h in headlines):
        return None
    confirmed = [h for h in subheads if any(match_key(h) in k for k in sources)]
    if not confirmed:
        return None
    return max(
        confirmed,
        key=lambda h: (
            sum(match_key(h) in k for k in sources),
            -min(k.index(match_key(h)) for k in sources if match_key(h) in k),
        ),
    )


def _confirmed_h1(
    headlines: list[str], set_aside: list[str], keys: list[str], declared: list[str]
) -> str | None:
    """The <h1> that the declared titles (`keys`) repeat, or extend; else one set aside that
    they repeat, or that extends one of them (`declared`) with its subtitle."""
    for heads in (headlines, set_aside):
        confirmed = [h for h in heads if any(contains(k, match_key(h)) for k in keys)]
        if not confirmed and heads is set_aside:
            # An <h1> in the page's header that extends a declared title with its subtitle
            # ("Lemon cake from the tray: simply delicious!")
            confirmed = [
                h
                for h in heads
                if any(len(k.split()) >= 3 and match_key(h).startswith(f"{k} ") for k in declared)
            ]
        if confirmed:
            return max(
                confirmed,
                key=lambda h: (sum(contains(k, match_key(h)) for k in declared), len(h.split())),
            )
    return None


def _reworded(headline: str, words: set[str]) -> bool:
    """Most of the headline's longer words are among `words` (a declared title's)."""
    own = {w for w in match_key(headline).split() if len(w) > 3}
    return len(own & words) * 2 > len(own)


def _headlines(
    root: Element, site_keys: set[str], declared: set[str] | None = None
) -> tuple[list[str], list[str], set[str]]:
    """The page's <h1> headlines, kicker removed, without the site logos and section names
    that some sites mark up as <h1> in their page header or in boxes that look like widgets;
    the ones set aside for being there (one of them may still be the headline); and the
    logos' names (an <h1> that links to the home page or holds an image), as site keys.
    `declared`: the keys of the declared titles, which tell an unmarked kicker."""
    found: list[str] = []
    set_aside: list[str] = []
    logos: set[str] = set()
    for el in root.iter("h1"):
        ancestors = {a.tag for a in el.iterancestors()}
        in_article = bool(ancestors & {"article", "main"})
        if logo_h1(el):
            if key := compact_key(text_of(el)):
                logos.add(key)
            continue
        shown = headline_text(el)
        # One that a declared title is, whole, keeps what only looks like the site's name
        text = strip_site_name(
            shown, site_keys, loose=not declared or match_key(shown) not in declared
        )
        if declared and match_key(text) not in declared:
            text = _after_kicker(el, declared) or text
        if not text or compact_key(text) in site_keys:
            continue
        if heading_in_widget(el) or (not in_article and "header" in ancestors):
            set_aside.append(text)
        else:
            found.append(text)
    return found, set_aside, logos


def _after_kicker(h1: Element, declared: set[str]) -> str | None:
    """The text of the <h1> after its first element, when a declared title is that text word
    for word: the element is a kicker the page's titles leave out, though no class names it
    ("<span>Press release of the Health Directorate</span>Vaccination goes on")."""
    children = [c for c in h1 if isinstance(c.tag, str) and c.tag not in SKIP_TEXT_TAGS]
    if not children or clean(h1.text) or children[0].tag == "br":
        return None
    first = children[0]
    for child in h1:
        if child is first:
            break
        if clean(child.tail):
            return None  # text before the first element: it does not open the <h1>
    parts = [first.tail or ""]
    for sibling in first.itersiblings():
        if isinstance(sibling.tag, str) and sibling.tag not in SKIP_TEXT_TAGS:
            parts.append(raw_text_of(sibling))
        parts.append(sibling.tail or "")
    rest = clean("".join(parts)).lstrip(" :|–—-")
    return rest if rest and match_key(rest) in declared else None


def _subheads(root: Element, site_keys: set[str]) -> list[str]:
    """The page's <h2> headings outside widgets, kicker and site name removed."""
    found: list[str] = []
    for el in root.iter("h2"):
        if not heading_in_widget(el) and (text := headline_text(el)):
            found.append(text)
    return found


def h1_text(root: Element) -> str | None:
    """The text of the first <h1> outside widgets."""
    for el in root.iter("h1"):
        if in_widget(el):
            continue
        if text := text_of(el):
            return text
    return None


# Class words of the small line above a headline ("Dachzeile", overline, roofline, kicker):
# annotators, and readers quoting a headline, leave it out.
_KICKER_WORDS = frozenset(
    "dachzeile overline roofline toptitle supertitle kicker eyebrow topline label section "
    "category rubrik spitzmarke subtitle catchline subline".split()
)


def headline_text(h1: Element) -> str:
    """The text of an <h1> without its kicker span."""
    parts: list[str] = []
    for el in h1.iterdescendants():
        # The part of the <h1> marked as the headline, the rest being its kicker; read as the
        # <h1> is, as it may hold the kicker in a <small> ("<small>Einheit der Woche</small>")
        if isinstance(el.tag, str) and "headline" in str(el.get("itemprop") or "").lower():
            if text_of(el):
                h1 = el
                break

    def walk(node: Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == "small":  # a date or the categories under the headline
                parts.append(" ")
            elif isinstance(child.tag, str) and child.tag not in SKIP_TEXT_TAGS:
                kicker = (
                    _KICKER_WORDS.intersection(class_words(child)) and len(text_of(child)) <= 80
                ) or for_screen_readers(child)  # "<span class=sr-only>Headline:</span>"
                if kicker:
                    parts.append(" ")
                else:
                    walk(child)
            elif child.tag == "br":
                parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(h1)
    return clean("".join(parts)).strip(" :|–—") or text_of(h1)


# ---------------------------------------------------------------------------------------------
# The standfirst

# Class words of the standfirst, the sentence under a headline that sums the story up.
_STANDFIRST = re.compile(
    r"(?:^|[-_\s])(?:subtitle|standfirst|subheadline|sub-headline|dek)(?:$|[-_\s])"
)


def find_standfirst(root: Element, title: str, body: str, heading: str | None = None) -> str | None:
    """The standfirst of the article's header, when the text lacks it: the one the page sets
    as a heading under the headline (`heading`, from `standfirst_heading`: the text lacks it
    unless a paragraph of its own says it, as a sentence inside one may), or the one it
    marks by its class."""
    if heading and match_key(heading) not in map(match_key, body.split("\n\n")):
        return heading
    for el in root.iter("h2", "p", "div"):
        if not _STANDFIRST.search(str(el.get("class") or "").lower()) or in_widget(el):
            continue
        text = text_of(el)
        if (
            30 <= len(text) <= 500
            and match_key(text) != match_key(title)
            and match_key(text) not in match_key(body)
        ):
            return text
    return None


_SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def standfirst_heading(root: Element, meta: Meta, ld: dict[str, Any], title: str) -> str | None:
    """The standfirst a page sets as the heading right after the headline's <h1>: a heading
    that says word for word what the page's description says (og:description, description,
    twitter:description, the JSON-LD description) sums the story up; it belongs to the
    header, not to the text. Not when a paragraph of the page says it too: then the text
    starts with it."""
    described = {
        match_key(text)
        for text in (
            *(meta.get(name) for name in ("og:description", "description", "twitter:description")),
            ld_str(ld.get("description")),
        )
        if text
    }
    described.discard("")
    headline = match_key(title)
    if not described or not headline:
        return None
    for h1 in root.iter("h1"):
        if headline not in (match_key(headline_text(h1)), match_key(text_of(h1))):
            continue
        after = h1.getnext()
        while after is not None and not isinstance(after.tag, str):  # comments
            after = after.getnext()
        if after is None or after.tag not in _SUBHEADINGS:
            return None
        text = text_of(after)
        key = match_key(text)
        if key not in described or any(match_key(text_of(p)) == key for p in root.iter("p")):
            return None
        return text
    return None
