"""Turn the bytes of an HTML page into text, choosing the right character encoding.

The order follows what browsers do, with one extra check. A byte-order mark wins; then strict
UTF-8 (bytes that are valid UTF-8 are almost never anything else); then the charset declared
in the HTTP header and in `<meta>`. A declaration is trusted only when it decodes cleanly and,
for single-byte Latin codecs, when the result does not look like mojibake: windows-1251
Russian served as ISO-8859-1 decodes "successfully" into letters like "Ðîññèÿ", so when most
letters of the text come out non-ASCII we let charset_normalizer look at the bytes instead.
Decoding never fails: the last resort is windows-1252 with replacement characters.
"""

from __future__ import annotations

import codecs
import re

# The media types of HTML pages: their bodies are decoded by `decode_html`.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# How far into the page to look for <meta charset>. The HTML standard scans 1024 bytes, but
# real pages put long <script> and <link> blocks first.
META_SCAN_BYTES = 4096

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)

# Labels whose decoder differs from Python's codec of the same name (WHATWG Encoding Standard).
_WHATWG = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "utf-16": "utf-16-le",  # without a byte-order mark, browsers read "utf-16" as little-endian
}
_META_UTF16 = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}

# Single-byte codecs for Latin scripts. They decode almost any bytes, so a Latin declaration
# needs the mojibake check, and the detector cannot tell them apart reliably on short texts.
_LATIN_SINGLE_BYTE = frozenset(
    "cp1252 iso8859-1 iso8859-15 cp1250 iso8859-2 cp1254 iso8859-9 cp1257 iso8859-4 iso8859-13"
    " iso8859-10 iso8859-14 iso8859-16 iso8859-3 cp1258 mac-roman mac-latin2 mac-iceland"
    " mac-turkish hp-roman8 cp437 cp850 cp852 cp775 cp857 cp858 cp860 cp861 cp863 cp865".split()
)

_MARKUP = re.compile(
    r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>|&#?\w+;", re.S | re.I
)
_SAMPLE_CHARS = 200_000  # enough text to judge; keeps the check fast on huge pages
_MIN_LETTERS = 20  # below this, too little text to call anything mojibake


def normalize_charset(label: str | None) -> str | None:
    """Python's codec for an encoding label as browsers read it, or None for an unknown label."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return _WHATWG.get(name, name)


def meta_charset(raw: bytes) -> str | None:
    """The charset a page declares in `<meta>` (or an XML declaration), lower-cased, or None.

    Only the first META_SCAN_BYTES bytes are read; commented-out tags are ignored.
    """
    head = _COMMENT.sub(b"", raw[:META_SCAN_BYTES])
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    return match.group(1).decode("ascii").lower()


def decode_html(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return (text, codec name). `declared` is the HTTP header's charset.

    The codec name is Python's canonical one ("utf-8", "cp1251", "cp1252", ...). A byte-order
    mark is removed from the text. Never raises.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace"), codec
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass

    candidates: list[str] = []
    http_codec = normalize_charset(declared)
    if http_codec is not None:
        candidates.append(http_codec)
    meta = meta_charset(raw)
    if meta is not None:
        meta_codec = "utf-8" if meta in _META_UTF16 else normalize_charset(meta)
        if meta_codec is not None and meta_codec not in candidates:
            candidates.append(meta_codec)

    if (not candidates or candidates[0] == "utf-8") and _mostly_utf8(raw):
        # UTF-8 with a few stray bytes (a pasted Latin-1 quote, a cut-off character): keep it
        # UTF-8 rather than let one bad byte turn every accented letter into mojibake.
        return raw.decode("utf-8", errors="replace"), "utf-8"

    suspicious: tuple[str, str] | None = None  # a Latin decoding that looks like mojibake
    for codec in candidates:
        if codec.startswith(("utf-16", "utf-32")) and b"\x00" not in raw[:1024]:
            continue  # a UTF-16 label on a page whose markup is plain ASCII bytes is wrong
        text = _strict(raw, codec)
        if text is None:
            continue
        if codec in _LATIN_SINGLE_BYTE and _looks_like_mojibake(text):
            suspicious = suspicious or (text, codec)
            continue
        return text, codec

    detected = _detect(raw)
    if detected is not None and detected[1] not in _LATIN_SINGLE_BYTE:
        # On a page of mostly ASCII markup the detector has little to go on: the words of
        # another script alone may say better which code page they are in.
        other = _non_latin(raw, than=detected[1])
        if other is not None:
            return other
    latin = detected is not None and detected[1] in _LATIN_SINGLE_BYTE
    if suspicious is not None or (latin and detected and _looks_like_mojibake(detected[0])):
        # Words of another script read as Latin.
        other = _non_latin(raw)
        if other is not None:
            return other
    if detected is not None:
        text, codec = detected
        # The detector only overrules a mojibake-looking declaration with a non-Latin codec;
        # picking another Latin codec would just trade one set of accents for another.
        if suspicious is None or codec not in _LATIN_SINGLE_BYTE:
            return text, codec
    if suspicious is not None:
        return suspicious

    # A declared codec that failed strictly is still the best guess for most of the bytes.
    usable = [c for c in candidates if not c.startswith(("utf-16", "utf-32"))]
    codec = usable[0] if usable else "cp1252"
    return raw.decode(codec, errors="replace"), codec


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(raw: bytes) -> bool:
    """True when the bytes hold more valid multi-byte UTF-8 characters than invalid sequences.

    Text in a single-byte codec almost never forms valid UTF-8 sequences by accident.
    """
    text = raw.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - raw.count("\ufffd".encode())
    valid = sum(1 for char in text if not char.isascii()) - invalid
    return valid > invalid


def _looks_like_mojibake(text: str) -> bool:
    """True when most letters outside the markup are non-ASCII: Cyrillic, Greek, ... read as
    Latin. Real Latin-script text (French, German, Polish...) is mostly ASCII letters.

    Or, on a page of mostly ASCII text, when its words with accented letters are made of
    nothing else: "Íîâîñòè äíÿ" is "Новости дня" read as Latin, where French or German words
    carry an accent or two among plain letters ("café", "Köln")."""
    sample = _MARKUP.sub(" ", text[:_SAMPLE_CHARS])
    ascii_letters = other_letters = 0
    for char in sample:
        if char.isalpha():
            if char.isascii():
                ascii_letters += 1
            else:
                other_letters += 1
    if other_letters >= _MIN_LETTERS and other_letters > ascii_letters:
        return True
    accented = [word for word in _WORD.findall(sample) if not word.isascii()]
    foreign = [word for word in accented if len(word) >= 4 and not any(c.isascii() for c in word)]
    return bool(foreign) and len(foreign) * 2 >= len(accented)


_WORD = re.compile(r"[^\W\d_]+")
# Single-byte code pages of other scripts than Latin: what a page of words like "Íîâîñòè"
# is in (Cyrillic, Greek, Hebrew, Arabic, Thai).
_NON_LATIN_SINGLE_BYTE = [
    codecs.lookup(name).name  # the commonest first
    for name in (
        *("cp1251", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic", "cp866"),
        *("cp1253", "iso8859_7", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp874"),
    )
]


def _non_latin(raw: bytes, *, than: str | None = None) -> tuple[str, str] | None:
    """The page decoded with the non-Latin single-byte code page its non-ASCII bytes read
    best in: the one in which most of those words are words (letters only, in one case or
    capitalised), the commonest code page first on a tie. Judged on those bytes alone: the
    ASCII markup around them says nothing. With `than` (a single-byte codec), only a code
    page that reads them better than it does."""
    sample = b" ".join(re.findall(rb"[\x80-\xff][\x80-\xff\s]*", raw[: 4 * _SAMPLE_CHARS]))
    if not sample.strip():
        return None
    floor = 0.8
    if than is not None:
        if not _single_byte(than):
            return None
        floor = max(floor, _words_score(sample, than) + 1e-9)
    scores = {codec: _words_score(sample, codec) for codec in _NON_LATIN_SINGLE_BYTE}
    top = max(scores.values())
    if top < floor:
        return None
    tied = [codec for codec, score in scores.items() if score == top]
    best = tied[0]
    if len(tied) > 1:  # Greek reads as words in a Cyrillic code page too: let letters decide
        import charset_normalizer  # only fetched bytes need it, not every command's start

        guess = charset_normalizer.from_bytes(sample, cp_isolation=tied).best()
        named = normalize_charset(guess.encoding) if guess is not None else None
        best = named if named in tied else best
    text = _strict(raw, best)
    return (text, best) if text is not None else None


def _words_score(sample: bytes, codec: str) -> float:
    words = sample.decode(codec, errors="replace").split()
    return sum(map(_wordlike, words)) / len(words) if words else 0.0


def _single_byte(codec: str) -> bool:
    try:
        return len(bytes(range(128, 256)).decode(codec, errors="replace")) == 128
    except LookupError:
        return False


def _wordlike(word: str) -> bool:
    letters = word.strip(".,;:!?\"'()«»„“”–—")
    return (
        bool(letters)
        and letters.isalpha()
        and letters
        in (
            letters.lower(),
            letters.upper(),
            letters.capitalize(),
        )
    )


def _detect(raw: bytes) -> tuple[str, str] | None:
    import charset_normalizer  # only fetched bytes need it, not every command's start

    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        return None
    codec = normalize_charset(best.encoding)
    if codec is None:
        return None
    if codec in _LATIN_SINGLE_BYTE and codec != "cp1252":
        # Between Latin code pages the detector guesses (French comes out as cp1257 or
        # cp1250). Do what browsers do with an undeclared Western page: windows-1252.
        text = _strict(raw, "cp1252")
        if text is not None:
            return text, "cp1252"
    text = _strict(raw, codec)
    if text is None:
        return None
    return text, codec
