"""Author names from the raw strings pages give: `clean_authors`.

"By" and roles are removed, "A and B" split, and dates, URLs, e-mail addresses, picture
credits, organisations and the site's own name left out; `is_agency` tells a news agency.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from newsarchive.extract.datetext import DATE_WORDS, MONTHS
from newsarchive.extract.text import clean, compact_key

BY_RE = re.compile(
    r"^(?:(?:written|posted|submitted|reported|story|text|words|photos?|zeige alle beiträge|"
    r"eingestellt|veröffentlicht|geschrieben|verfasst|publié|écrit|publicado|escrito|"
    r"artikel|beitrag|article|rezept|recipe|(?:zum\s+)?profil|profile)\s+)?"
    r"(?:(?:by|von|vom|par|por|di|door|av|przez|author|autor(?:in|en|[*:_/]?in(?:nen)?)?|auteur|"
    r"interview|"
    r"автор(?:ы)?|текст)\s*:?\s+|(?:责任编辑|编辑|作者|记者)\s*[:：]\s*)",
    re.IGNORECASE,
)
# "Text und Interview: Jane Doe", "Words and pictures: Jane Doe": the roles before the name
_ROLES_LABEL_RE = re.compile(
    r"^(?:text|texte|interview|words|redaktion|reporting)"
    r"(?:\s*(?:,|&|und|and|et|y)\s*(?:text|texte|interview|fotos?|photos?|bilder?|pictures|"
    r"illustrations?))*\s*:\s*",
    re.IGNORECASE,
)
# The authors' team after their names: "Jane Roe and John Doe - Chrome Safe Browsing team"
_TEAM_AFTER = r"\s+[-–—]\s+[^,;]*\b(?:team|redaktion)$"
TEAM_AFTER_RE = re.compile(_TEAM_AFTER, re.IGNORECASE)
# What trails a name in bylines: "Jane Doe for AFP", "Jane Doe Foto: John Roe", reading times
_NAME_TAIL_RE = re.compile(
    r"\s+(?:for|für|pour|para|foto|photo|bild|fotos|photos)\b.*$|"
    r"\s+(?:tiempo de lectura|lesezeit|reading time|temps de lecture)\b.*$|"
    r"\s+\d+\s*min(?:ute)?s? read\b.*$|"
    r"\s+(?:stand|updated|aktualisiert|published|veröffentlicht|autor|autorin|author)\s*:?$|"
    r"\s+(?:filed under|posted in|abgelegt unter)\b.*$|"
    rf"{_TEAM_AFTER}|"
    r"\s+(?:data|datum|date|fecha)\s*:.*$|"  # the label of the date after it: "Data: 28-04-2021"
    # what is left of a date after it: "CBS News February" (no month a name may end with)
    r"\s+(?:january|february|september|october|november|december|januar|februar|märz|oktober|"
    r"dezember)$|"
    r"\s*\([^()]*\)$",
    re.IGNORECASE,
)
# Between two authors: "A and B", "A; B", and an interview's two sides, "A im Gespräch mit B"
_AUTHOR_SPLIT_RE = re.compile(
    r"\s*(?:;|,|\||\s»\s|\s&\s|\sand\s|\sund\s|\set\s|\sy\s|\sи\s|"
    r"\s(?:im gespräch|im interview|in conversation|en conversation) (?:mit|with|avec)\s)\s*",
    re.I,
)
_DATEISH_RE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\b\d{4}\b|\b(?:" + "|".join(MONTHS) + r")\b\.?\s*\d{1,2}",
    re.IGNORECASE,
)
_BOGUS_AUTHORS = frozenset(
    {
        "admin",
        "administrator",
        "anonymous",
        "unknown",
        "null",
        "none",
        "webmaster",
        "editor",
        "editors",
        "staff",
        "guest",
        "user",
        "author",
        "by",  # the byline's label alone: "<span class=auth-byline>von</span>"
        "von",
        "par",
        "por",
        "door",
        "text",
        "no author",
        "no",
        "submitted",
        "red",
        "more",
        "mehr",
        # a button beside the name: "Follow", "Folgen"
        "follow",
        "folgen",
        "subscribe",
        "abonnieren",
        "super user",  # the account a CMS (Joomla) is installed with
        "wordpressadmin",  # the account WordPress is installed with
        "zvg",  # "zur Verfügung gestellt": a picture handed out, no author
        # form labels: "Datum", "Quelle" are what a byline row is labelled, not who wrote it
        "datum",
        "date",
        "fecha",
        "quelle",
        "source",
        "autor",
        "autorin",
        "auteur",
    }
)
_ROLE_WORDS = frozenset(
    {
        "correspondent",
        "reporter",
        "writer",
        "editor",
        "contributor",
        "columnist",
        "photographer",
        "producer",
        "staff",
        "senior",
        "chief",
        "political",
        "special",
        "associate",
        "contributing",
        "deputy",
        "managing",
        "news",
        "journalist",
    }
)


# The roles themselves: what a role written after a name ends with ("Senior Reporter")
_ROLE_NOUNS = frozenset(
    "correspondent reporter writer editor contributor columnist photographer producer "
    "journalist".split()
)


# Words that mark a company, a newsroom, a form label or an address, not a person.
_NOT_A_PERSON = frozenset(
    {
        "gmbh",
        "ag",
        "inc",
        "ltd",
        "llc",
        "plc",
        "corp",
        "kg",
        "ev",
        "verlag",
        "media",
        "newsroom",
        "publisher",
        "copyright",
        "theme",
        "unbenannt",
        "anónimo",
        "anonym",
        "anonyme",
        "name",
        "posted",
        "human",
        "kitchens",
        "department",
        "departement",
        "ministerium",
        "bundesministerium",
        "partei",
        "germany",
        "deutschland",
        "usa",
        "facebook",
        "twitter",
        "instagram",
        "photo",
        "фото",
        "agencies",
        "agenturen",
        "wires",
        "desk",
        "online",
        "blog",
        "magazine",
        "designed",
        "powered",
        "pressemitteilung",
        # what is left of an address or a picture's file name: "Sputnik https", "Logo Png"
        "https",
        "http",
        "png",
        "jpg",
        "logo",
    }
)
# News agencies: the authors of a wire story, but only a credit beside a reporter's name
# ("Jane Doe, Reuters" and "Jane Doe for AFP" are Jane Doe's).
_AGENCIES = frozenset(
    "reuters afp ap dpa epd kna efe ansa apa sda ats belga anp tass interfax xinhua kyodo jiji "
    "yonhap pti ians upi lno lsw lby lhe lni lrs lsa lth dts ddp sid kathpress "
    "pap ctk mti hina tanjug sna aa bernama antara".split()
)
_AGENCY_NAMES = frozenset(
    {
        "associated press",
        "the associated press",
        "agence france presse",
        "press association",
        "the canadian press",
        "canadian press",
        "united press international",
        "agencia efe",
        "agenzia ansa",
        "deutsche presse agentur",
    }
)


def is_agency(name: str) -> bool:
    """Whether `name` is a news agency, or several ("dpa/lno", "APA/AP")."""
    words = re.findall(r"[^\W_]+", name.lower())
    return bool(words) and (
        all(word in _AGENCIES for word in words) or " ".join(words) in _AGENCY_NAMES
    )


# A picture credit: a photographer's name, a slash and an agency's or archive's files ("Mike
# Blake/Reuters files"), not a byline.
PICTURE_CREDIT_RE = re.compile(
    r"/\s*[^/]*\b(?:files?|file photo|archives?|archiv|archivbild|handout|pool)$", re.IGNORECASE
)
# An e-mail address or a social-media handle after a name ("Jane Roe jroe@courier.example",
# "Jane Roe @janeroe"): contact details, not part of the name.
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTACT_RE = re.compile(rf"{EMAIL_RE.pattern}|@\w+")
# The "@" of an address written to fool harvesters: "jroe[at]courier.example"
WRITTEN_AT_RE = re.compile(r"(?<=\w)\s*[\[(]at[\])]\s*(?=\w)", re.IGNORECASE)
# A host name or an e-mail address: "courier.example", "http://roe.example/"
ADDRESS_RE = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2}|com|net|org|info)\b", re.I
)
# A registered association or company written out: "Bund der Energieverbraucher e. V."
_ORG_SUFFIX_RE = re.compile(r"\b(?:e\.?\s?[vg]|g?mbh|s\.\s?a|s\.\s?l|b\.\s?v|n\.\s?v)\.?$", re.I)
# A user name: one word of letters with digits in it ("happyface313"), not a number or a date
_USER_NAME_RE = re.compile(r"[^\W\d_](?:[\w.-]*[^\W\d_])?\d*[^\W_]*")
# A byline's label whose name is missing ("Artikel von"), and the words of a role that
# describes, not names ("Project lead at the Foundation", "Projektleiterin der HSS in
# Tunesien"): a person's name holds no preposition of place or purpose (in lower case:
# "Park Im Soo" is a name).
_LABEL_END_RE = re.compile(r"\s(?:by|von|par|por|door|przez|av)$")
_PLACE_OR_PURPOSE = r"\s(?:in|im|at|bei|für|aus|chez)\s"
_DESCRIBED_RE = re.compile(_PLACE_OR_PURPOSE)
# Such a role after the name and a comma: "Jane Roe, project lead at the Foundation."
ROLE_AFTER_COMMA_RE = re.compile(rf",[^,]*{_PLACE_OR_PURPOSE}[^,]*$")
# A reviewer's or editor's credit, not the author's: "Geprüft von Dr. Jane Roe"
_NOT_THE_AUTHOR_RE = re.compile(
    r"^(?:(?:medically|medizinisch)\s+)?(?:reviewed|fact[- ]checked|edited|geprüft|"
    r"überprüft|redigiert|lektoriert|bearbeitet|relu|revisado)\s+(?:by|von|par|por)\b",
    re.IGNORECASE,
)
# A profession German writes before a name, no part of it: "Rechtsanwalt Jane Roe" (an
# academic title is: "Dr. Jane Roe" stays)
PROFESSION_BEFORE_RE = re.compile(
    r"^(?:(?:fach|patent|rechts)anw[aä]lt(?:in)?|notar(?:in)?|steuerberater(?:in)?|"
    r"pfarrer(?:in)?)\s+(?=\S+\s+\S)",
    re.IGNORECASE,
)
_DEGREES_RE = re.compile(r",?\s+\b(?:ph\.?d|m\.?d|mba|rn|msc|bsc)\.?$", re.IGNORECASE)


def _name_ok(name: str, site_keys: set[str]) -> bool:
    if not 2 <= len(name) <= 60 or len(name.split()) > 6:
        return False
    low = name.lower()
    if (
        "@" in name
        or "://" in name
        or low.startswith("www.")
        or re.search(r"\.(com|org|net)\b", low)
    ):
        return False
    if _DATEISH_RE.search(name):
        return False
    if any(ch.isdigit() for ch in name) and not (
        _USER_NAME_RE.fullmatch(name) and sum(ch.isalpha() for ch in name) >= 3
    ):
        return False
    if _ORG_SUFFIX_RE.search(name):
        return False
    if not any(ch.isalpha() for ch in name) or low in _BOGUS_AUTHORS or ":" in name:
        return False
    words = re.findall(r"[^\W_]+", low)
    if all(word in _ROLE_WORDS or word in DATE_WORDS for word in words):
        return False  # "Staff Writer", "Donnerstag"
    if _NOT_A_PERSON.intersection(words):
        return False
    if re.search(r"\b(?:says|said|schreibt|sagt|meint|writes)$|[!?]$", low):  # a comment's heading
        return False
    if re.search(r"\s(?:by|par|por|door|przez)\s", low):  # "Petition supported by ..."
        return False
    if re.search(r"\be-?mail\b", low):  # a button: "Sende uns eine E-Mail"
        return False
    if BY_RE.fullmatch(f"{name} "):  # the label alone: "Autor*innen"
        return False
    if _LABEL_END_RE.search(low):  # a label whose name was left out: "Artikel von"
        return False
    if _DESCRIBED_RE.search(name):  # a role: "Projektleiterin der HSS in Tunesien"
        return False
    return not is_site_name(name, site_keys)


def _folded(key: str) -> str:
    """`key` without accents: "larepública" is "larepublica", as in the host name."""
    if key.isascii():
        return key
    decomposed = unicodedata.normalize("NFKD", key)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A country at the end of "Publisher GmbH, Nürnberg, Germany": a postal address, no byline
_COUNTRIES = frozenset(
    "germany deutschland austria österreich switzerland schweiz suisse france usa "
    "united states uk united kingdom spain españa italy italia".split(" ")
)


def is_address(text: str) -> bool:
    parts = [part.strip(" .").casefold() for part in re.split(r"[;,]", text)]
    return len(parts) >= 3 and parts[-1] in _COUNTRIES


_SITE_KIND_WORDS = frozenset(
    {"news", "뉴스", "新闻", "online", "blog", "tv", "magazin", "magazine"}
)


# "Do UOL", "From the Courier": the word that says a story comes from the outlet, in a byline
_FROM_OUTLET_RE = re.compile(r"^(?:from(?: the)?|do|da|dos|das|von der|vom|del|della)\s+", re.I)


def is_site_name(name: str, site_keys: set[str]) -> bool:
    """The publication's own name, also as its label for its own stories ("Do UOL", "from
    the Courier"), with words before it ("Die Tribüne" for tribuene.example) or, when long,
    after it ("Courier – Das Magazin für die Stadt" for courier.example); not a person
    whose blog bears their name ("Jane Roe" on jane.example)."""
    key = _folded(compact_key(_FROM_OUTLET_RE.sub("", name)))
    site_keys = {_folded(site) for site in site_keys}
    if key in site_keys:
        return True
    # "Naver" of "Naver News": the site's name without the word that says what it is
    if any(site.startswith(key) and site[len(key) :] in _SITE_KIND_WORDS for site in site_keys):
        return True
    return any(
        len(site) >= 4 and (key.endswith(site) or (len(name.split()) >= 4 and key.startswith(site)))
        for site in site_keys
    )


def clean_authors(raw: Iterable[str], site_keys: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]  # a frozenset is a fine read-only default
    """Author names from raw strings: split "A and B", drop "By", dates, URLs, e-mails, picture
    credits and the site's own name; duplicates removed, order kept. News agencies are kept
    when no person is named (a wire story's authors), and left out beside a person's name."""
    names: list[str] = []
    agencies: list[str] = []
    seen: set[str] = set()
    for item in raw:
        text = _CONTACT_RE.sub(" ", WRITTEN_AT_RE.sub("@", clean(item))).strip()
        if is_address(text) or _NOT_THE_AUTHOR_RE.match(text):
            continue
        text = MORE_BY_RE.sub("", _ROLES_LABEL_RE.sub("", BY_RE.sub("", text)))
        if compact_key(text) in site_keys:
            continue  # "Jobs & Hire", the site's name, is not two people
        if joined_organisation(text):
            continue
        for part in _AUTHOR_SPLIT_RE.split(text):
            part = BY_RE.sub("", part.strip(" .:|-–—@©")).strip(" .:|-–—")
            part = _NAME_TAIL_RE.sub("", part).strip(" .:|-–—")
            if _agency_role(part):
                continue
            part = PROFESSION_BEFORE_RE.sub("", _DEGREES_RE.sub("", part))
            part = _without_role_tail(_said_once(part), site_keys)
            if _DEGREES_RE.fullmatch(f" {part}"):
                continue  # the "PhD" of "Jane Doe, PhD"
            if PICTURE_CREDIT_RE.search(part):
                continue
            part = _without_agency(part, site_keys)
            if compact_key(part) in seen:
                continue
            if is_agency(part) and not is_site_name(part, site_keys):
                seen.add(compact_key(part))
                agencies.append(part)
            elif _name_ok(part, site_keys):
                seen.add(compact_key(part))
                names.append(part)
    return names or agencies


def _agency_role(text: str) -> bool:
    """A reporter's role at an agency, not a name: "AP National Security Writer"."""
    words = text.lower().split()
    return len(words) >= 2 and words[0] in _AGENCIES and words[-1] in _ROLE_NOUNS


def _said_once(name: str) -> str:
    """A name written twice, as a screen reader's label and as shown: "jroe jroe" is "jroe"."""
    words = name.split()
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        return " ".join(words[:half])
    return name


def _without_role_tail(name: str, site_keys: set[str]) -> str:
    """A name without the role and outlet after it: "Jane Roe Courier Staff", "Jane Roe News
    reporter" and "JANE ROE Associated Press" are "Jane Roe"."""
    words = name.split()
    for agency in _AGENCY_NAMES:
        size = len(agency.split())
        if len(words) >= size + 2 and " ".join(words[-size:]).lower() == agency:
            return " ".join(words[:-size])
    cut = len(words)
    while cut > 2 and words[cut - 1].lower() in _ROLE_WORDS:
        cut -= 1
    if cut == len(words):
        return name
    if words[-1] in _ROLE_NOUNS:
        # "News reporter", a role written out; "Court Reporter" may be the name of one
        return " ".join(words[:cut])
    if cut < 3 or not is_site_name(words[cut - 1], site_keys):
        return name
    return " ".join(words[: cut - 1])


# Words that make a name an institution's: "Bundesministerium für Wirtschaft und Klimaschutz"
_INSTITUTION_WORDS = frozenset(
    "gmbh ag inc ltd llc plc corp kg verlag ministerium bundesministerium ministry department "
    "departement institut institute landesanstalt bundesanstalt".split()
)


def joined_organisation(text: str) -> bool:
    """Whether `text` is one institution's name with an "und" or "and" in it, not two
    people: "Bundesministerium für Wirtschaft und Klimaschutz" is no "Klimaschutz" (nor is
    trafilatura's reading of it, "Bundesministerium für Wirtschaft; Klimaschutz")."""
    pieces = re.split(r";|\s(?:und|and|&|et|y)\s", text, flags=re.IGNORECASE)
    return len(pieces) > 1 and bool(
        _INSTITUTION_WORDS.intersection(re.findall(r"[^\W_]+", pieces[0].lower()))
    )


# An agency's or newsroom's short name: "SP-X", "KNA", "RND"
_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9]{1,5}(?:-[A-Z0-9]{1,4})?")


def _without_agency(part: str, site_keys: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A reporter's name without the agency a slash joins to it: "Peter Maahn/dpa" and "PAP/
    Rafał Guz" are the reporters'; "dpa/lno", two agencies, stays. An acronym beside a full
    name is an agency too, one not listed: "Peter Maahn/SP-X". Nor is the site that carries
    the story an author: "Jane Roe/The Courier" is Jane Roe, "AFP/The Courier" AFP."""
    sides = [side.strip() for side in part.split("/")]
    if len(sides) != 2 or not all(sides):
        return part
    if len(others := [side for side in sides if not is_site_name(side, site_keys)]) == 1:
        return others[0]
    people = [side for side in sides if not is_agency(side) and not _ACRONYM_RE.fullmatch(side)]
    return people[0] if len(people) == 1 and " " in people[0] else part


def without_agency(text: str, site_keys: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A byline's text without the agency a slash joins to its reporter's name: "Peter
    Maahn/SP-X" is "Peter Maahn"; nor the site's name so joined."""
    return re.sub(
        r"[^,;|&]+/[^,;|&]+", lambda m: f" {_without_agency(m[0], site_keys)} ", text
    ).strip()


# "More articles by Jane Roe", "Alle Beiträge von ...": a link to the author's other work
MORE_BY_RE = re.compile(
    r"\b(?:(?:zeige|zeig|show|browse)\s+)?(?:view|see|read|more|all|alle|weitere|mehr)\b"
    r"(?:\s+\w+){0,3}\s+"
    r"(?:articles|stories|posts|news|artikel|beiträge|texte)\b.*$",
    re.I,
)


# Class words of an element that holds a byline or the author's name ("post-author")
BYLINE_WORDS = frozenset(
    "byline author authors writer contributor creator autor autoren autorin autorenzeile "
    "verfasser auteur autore".split()
)
# A link to the page of one of the site's authors: ".../author/jane-roe/", ".../autoren/..."
AUTHOR_PAGE_RE = re.compile(
    r"/(?:author|authors|autor|autoren|autorin|auteur|auteurs|autore|autori)/[^/?#]+", re.I
)
# What parts a byline's segments: "Jane Roe | 14 May 2020", "Jane Roe - Cairo"
BYLINE_SPLIT_RE = re.compile(r"\s*(?:\||·|•|\s-\s|\s–\s|\s—\s|\s»\s)\s*")
# Where a byline-marked element is another's: the site's menus and footer, a form, a picture
NOT_THE_ARTICLES = {"nav", "footer", "aside", "form", "figure", "figcaption"}
