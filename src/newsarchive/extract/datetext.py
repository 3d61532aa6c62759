"""Reading dates in the forms pages write them.

`parse_date` reads the formats of metadata ("2021-09-14T12:25:00+03:00", RFC 2822, "Sep 14,
2021"), `parse_text_date` a day in running text in the languages of the corpus,
`leading_text_date` the day a text opens with, and `is_dateline` tells a text that is a date
line and nothing else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from newsarchive.extract.text import clean

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


_ISO_RE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
    r"(?:\s|$|[^\d:])",
    re.IGNORECASE,
)


_SLASH_RE = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\D|$)")


_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*$")


_MONTH_FIRST_RE = re.compile(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I)


_DAY_FIRST_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-z]{3,9})\.?,?\s+(\d{4})\b", re.I)


def parse_date(text: str | None) -> str | None:
    """An ISO 8601 date ("2021-09-14") or datetime ("2021-09-14T12:25:00+03:00") from the
    formats pages use in metadata, or None. Keeps the page's own offset; never converts."""
    text = clean(text)
    if not text:
        return None
    if m := _ISO_RE.match(text + " "):
        y, mo, d, h, mi, s, tz = m.groups()
        time = (int(h), int(mi), int(s or 0)) if h else None
        return _iso(int(y), int(mo), int(d), time, _offset(tz))
    if m := _COMPACT_RE.match(text):
        y, mo, d, h, mi, s = m.groups()
        time = (int(h), int(mi), int(s or 0)) if h else None
        return _iso(int(y), int(mo), int(d), time, "")
    if m := _SLASH_RE.match(text):
        return _iso(int(m[1]), int(m[2]), int(m[3]), None, "")
    if re.match(r"^[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            tz = ""
            if parsed.tzinfo is not None and (delta := parsed.utcoffset()) is not None:
                tz = format_offset(delta)
            return _iso(
                parsed.year,
                parsed.month,
                parsed.day,
                (parsed.hour, parsed.minute, parsed.second),
                tz,
            )
    if m := _MONTH_FIRST_RE.search(text):
        if month := MONTHS.get(m[1].lower()):
            return _iso(int(m[3]), month, int(m[2]), None, "")
    if m := _DAY_FIRST_RE.search(text):
        if month := MONTHS.get(m[2].lower()):
            return _iso(int(m[3]), month, int(m[1]), None, "")
    return None


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return 1990 <= year <= datetime.now(UTC).year + 1


def _offset(text: str | None) -> str:
    if not text:
        return ""
    if text.upper() in ("Z", "UTC", "GMT"):
        return "+00:00"
    sign, digits = text[0], text[1:].replace(":", "")
    digits = digits.ljust(4, "0")
    hours, minutes = int(digits[:2]), int(digits[2:4])
    if hours > 14 or minutes > 59:
        return ""
    return f"{sign}{hours:02d}:{minutes:02d}"


def _iso(year: int, month: int, day: int, time: tuple[int, int, int] | None, tz: str) -> str | None:
    if not _valid_day(year, month, day):
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    # Midnight exactly is what CMSs write when they only know the day.
    if time is None or time == (0, 0, 0) or time[0] > 23 or time[1] > 59 or time[2] > 59:
        return date
    return f"{date}T{time[0]:02d}:{time[1]:02d}:{time[2]:02d}{tz}"


def format_offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# Month names as pages write them, in the languages of the corpus we measure on: English,
# German, French, Spanish, Italian, Portuguese, Dutch, Polish (genitive and nominative),
# Russian (genitive and nominative) and Romanian. Abbreviations included; a few spellings
# are shared.
_MONTH_NAMES = {
    1: "january jan januar jän jaen janvier janv enero ene gennaio gen janeiro januari "
    "stycznia styczeń styczen января январь ianuarie",
    2: "february feb februar février fevrier févr fevr febrero febbraio fevereiro fev "
    "februari lutego luty февраля февраль februarie",
    3: "march mar märz maerz mrz mars marzo março marco maart marca marzec марта март martie",
    4: "april apr avril avr abril abr aprile kwietnia kwiecień kwiecien апреля апрель aprilie",
    5: "may mai mayo maggio mag maio mei maja maj мая май",
    6: "june jun juni juin junio giugno giu junho czerwca czerwiec июня июнь iunie",
    7: "july jul juli juillet juil julio luglio lug julho lipca lipiec июля июль iulie",
    8: "august aug août aout agosto ago augustus sierpnia sierpień sierpien августа август",
    9: "september sep sept septembre septiembre setiembre settembre set setembro września "
    "wrzesnia wrzesień сентября сентябрь septembrie",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out października "
    "pazdziernika październik октября октябрь octombrie",
    11: "november nov novembre noviembre novembro listopada listopad ноября ноябрь noiembrie",
    12: "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro "
    "grudnia grudzień grudzien декабря декабрь decembrie",
}


_MONTH_WORDS = {name: n for n, names in _MONTH_NAMES.items() for name in names.split()}


_MONTH_ALT = "|".join(sorted(map(re.escape, _MONTH_WORDS), key=len, reverse=True))


_YEAR = r"((?:19|20)\d{2})"


_TEXT_DATES = (
    ("ymd", re.compile(_YEAR + r"-(\d{1,2})-(\d{1,2})(?!\d)")),
    ("ymd", re.compile(_YEAR + r"[/.](\d{1,2})[/.](\d{1,2})(?!\d)")),
    ("dmy", re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?" + _YEAR + r"(?!\d)")),
    ("slash", re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/" + _YEAR + r"(?!\d)")),
    (
        "d month y",
        re.compile(
            r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?\s+(?:de\s+|of\s+)?(" + _MONTH_ALT + r")"
            r"\.?,?\s+(?:de\s+)?" + _YEAR + r"(?!\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "month d y",
        re.compile(
            r"(?<!\w)(" + _MONTH_ALT + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + r"(?!\d)",
            re.IGNORECASE,
        ),
    ),
    ("dmy2", re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.])")),
    # Japanese and Chinese: "2020年07月03日"
    ("ymd", re.compile(_YEAR + r"\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日")),
)

_A_DIGIT = re.compile(r"\d")


def parse_text_date(text: str, *, month_first: bool = False) -> tuple[str, int] | None:
    """The first calendar day written in running text ("18.11.2019", "Nov. 18, 2019",
    "18 de noviembre de 2019", "2019-11-18") as ("2019-11-18", where it starts), or None.
    `month_first` reads an ambiguous "11/12/2019" the American way."""
    best: tuple[str, int] | None = None
    if not _A_DIGIT.search(text):
        return None  # every form writes the day and the year in digits: most texts hold none
    for kind, pattern in _TEXT_DATES:
        m = pattern.search(text)
        if m is None or (best is not None and m.start() >= best[1]):
            continue
        if day := _day_of(kind, m.groups(), month_first):
            best = (day, m.start())
    return best


def leading_text_date(text: str, *, month_first: bool = False) -> tuple[str, int] | None:
    """The day that `text` opens with, as ("2019-11-18", where the date ends), or None."""
    for kind, pattern in _TEXT_DATES:
        if (m := pattern.match(text)) and (day := _day_of(kind, m.groups(), month_first)):
            return day, m.end()
    return None


def _day_of(kind: str, g: tuple[str, ...], month_first: bool) -> str | None:
    """The day (YYYY-MM-DD) that a match of one of _TEXT_DATES writes, if it is one."""
    if kind == "ymd":
        y, mo, d = int(g[0]), int(g[1]), int(g[2])
    elif kind == "dmy":
        d, mo, y = int(g[0]), int(g[1]), int(g[2])
    elif kind == "dmy2":
        d, mo, y = int(g[0]), int(g[1]), 2000 + int(g[2])
    elif kind == "slash":
        a, b, y = int(g[0]), int(g[1]), int(g[2])
        if a > 12:
            d, mo = a, b
        elif b > 12 or month_first:
            d, mo = b, a
        else:
            d, mo = a, b
    elif kind == "d month y":
        d, mo, y = int(g[0]), _MONTH_WORDS[g[1].lower()], int(g[2])
    else:
        mo, d, y = _MONTH_WORDS[g[0].lower()], int(g[1]), int(g[2])
    return f"{y:04d}-{mo:02d}-{d:02d}" if _valid_day(y, mo, d) else None


DATE_WORDS = frozenset(
    set(MONTHS)
    | {
        "updated",
        "published",
        "posted",
        "last",
        "modified",
        "am",
        "pm",
        "at",
        "on",
        "utc",
        "gmt",
        "edt",
        "est",
        "pdt",
        "pst",
        "cet",
        "cest",
        "msk",
        "bst",
        "ago",
        "hours",
        "hour",
        "minutes",
        "min",
        "days",
        "day",
        "yesterday",
        "today",
        # the weekdays' short forms: "Mi 21. Jan 2009", "Wed, Jan 21 2009"
        *"mon tue wed thu fri sat sun mo di mi do fr sa so".split(),
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "publicado",
        "actualizado",
        "hace",
        "horas",
        "hora",
        "minutos",
        "vor",
        "stunden",
        "stunde",
        "minuten",
        "tagen",
        "uhr",
        "publiziert",
        "veröffentlicht",
        "aktualisiert",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "the",
        "of",
        "th",
        "st",
        "nd",
        "rd",
    }
)


def is_dateline(key: str) -> bool:
    """Whether a text (a match_key) is a date line and nothing else ("Updated 5 March 2021,
    10:15 am")."""
    words = key.split()
    return bool(words) and len(words) <= 12 and all(w.isdigit() or w in DATE_WORDS for w in words)
