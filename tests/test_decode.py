"""decode.py: choosing the character encoding of page bytes."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from httpserver import cp1251_article, fixture_text, latin1_article
from newsarchive.decode import META_SCAN_BYTES, decode_html, meta_charset, normalize_charset

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"

RUSSIAN_TITLE = "В Новосибирске открыли новый мост через Обь"


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body>{body}</body></html>"


# -- the order of evidence -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_byte_order_mark_wins_and_is_removed(bom: bytes, codec: str) -> None:
    html = page("<p>Ещё café</p>")
    # The header claims windows-1251: a byte-order mark still wins, as in browsers.
    text, used = decode_html(bom + html.encode(codec), "windows-1251")
    assert (text, used) == (html, codec)


def test_valid_utf8_wins_over_a_wrong_declaration() -> None:
    html = page("<p>Привет, мир</p>", '<meta charset="windows-1251">')
    assert decode_html(html.encode("utf-8"), "iso-8859-1") == (html, "utf-8")


def test_http_charset_is_used() -> None:
    assert decode_html(cp1251_article(), "windows-1251") == (
        fixture_text("charset-ru.html"),
        "cp1251",
    )


def test_http_charset_beats_meta() -> None:
    # KOI8-R bytes also decode as windows-1251, into nonsense: the header must win.
    html = page("<p>Новый мост через Обь открыли в субботу утром</p>", '<meta charset="cp1251">')
    text, codec = decode_html(html.encode("koi8-r"), "koi8-r")
    assert (text, codec) == (html, "koi8-r")


def test_meta_charset_is_used_without_http_charset() -> None:
    html = page("<p>Новый мост через Обь открыли в субботу утром</p>", '<meta charset="koi8-r">')
    assert decode_html(html.encode("koi8-r")) == (html, "koi8-r")


def test_unknown_http_label_falls_back_to_meta() -> None:
    html = page("<p>Новый мост через Обь</p>", '<meta charset="koi8-r">')
    assert decode_html(html.encode("koi8-r"), "no-such-charset") == (html, "koi8-r")


def test_latin1_label_decodes_as_windows_1252() -> None:
    # WHATWG: "iso-8859-1" means windows-1252, whose 0x93/0x94 are curly quotes.
    raw = page("<p>Le caf\u00e9 \u201cchez Paul\u201d</p>").encode("cp1252")
    text, codec = decode_html(raw, "ISO-8859-1")
    assert codec == "cp1252"
    assert "Le café “chez Paul”" in text


# -- declarations that lie, and pages that declare nothing -----------------------------------


@pytest.mark.parametrize("declared", [None, "iso-8859-1", "windows-1252", "latin1"])
def test_windows_1251_is_recognised_however_it_is_declared(declared: str | None) -> None:
    text, codec = decode_html(cp1251_article(), declared)
    assert codec == "cp1251"
    assert RUSSIAN_TITLE in text
    assert "Ð" not in text  # the mojibake a Latin decoding would produce


def test_windows_1251_mislabelled_in_meta() -> None:
    html = fixture_text("charset-ru.html").replace("<head>", '<head><meta charset="iso-8859-1">')
    text, codec = decode_html(html.encode("cp1251"))
    assert codec == "cp1251"
    assert RUSSIAN_TITLE in text


def test_latin_text_declared_latin_is_kept() -> None:
    text, codec = decode_html(latin1_article())
    assert codec == "cp1252"
    assert "Fête de la musique" in text and "Straßenbahn" in text


def test_undeclared_western_text_is_windows_1252() -> None:
    raw = latin1_article().replace(b'<meta charset="iso-8859-1">', b"")
    text, codec = decode_html(raw)
    assert codec == "cp1252"
    assert "Fête de la musique" in text


def test_undeclared_shift_jis() -> None:
    html = page("<p>東京で新しい橋が開通しました。市民は喜んでいます。</p>")
    text, codec = decode_html(html.encode("shift_jis"))
    assert text == html
    assert codec == "cp932"


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    raw = page("<p>Ещё один день — café</p>").encode() + b"<!-- \xe9 -->"
    text, codec = decode_html(raw, "utf-8")
    assert codec == "utf-8"
    assert "Ещё один день — café" in text
    assert text.count("\ufffd") == 1


def test_utf16_label_on_ascii_markup_is_ignored() -> None:
    raw = page("<p>caf\u00e9</p>").encode("cp1252")
    text, codec = decode_html(raw, "utf-16")
    assert "<p>café</p>" in text
    assert codec == "cp1252"


def test_empty_input() -> None:
    assert decode_html(b"") == ("", "utf-8")


@given(st.binary(max_size=2000), st.sampled_from([None, "utf-8", "cp1251", "latin1", "bogus"]))
def test_never_raises(raw: bytes, declared: str | None) -> None:
    text, codec = decode_html(raw, declared)
    assert isinstance(text, str)
    codecs.lookup(codec)  # a real codec name


# -- meta_charset and labels -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta charset="UTF-8">', "utf-8"),
        (b"<meta charset=windows-1251>", "windows-1251"),
        (b"<META CHARSET='Shift_JIS' />", "shift_jis"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', "koi8-r"),
        (b'<meta content="text/html; charset=ISO-8859-1" http-equiv="content-type">', "iso-8859-1"),
        (b'<meta name="description" content="no charset here">', None),
        (b'<!-- <meta charset="koi8-r"> -->', None),
        (b"", None),
    ],
)
def test_meta_charset(head: bytes, expected: str | None) -> None:
    assert meta_charset(b"<html><head>" + head + b"</head><body>x</body></html>") == expected


def test_xml_declaration_counts_as_a_declaration() -> None:
    raw = b'<?xml version="1.0" encoding="windows-1250"?>\n<html><head></head></html>'
    assert meta_charset(raw) == "windows-1250"


def test_meta_charset_only_scans_the_start() -> None:
    filler = b"<script>/*" + b"x" * META_SCAN_BYTES + b"*/</script>"
    assert meta_charset(b"<head>" + filler + b'<meta charset="koi8-r">') is None


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("latin-1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("windows-1251", "cp1251"),
        ("gb2312", "gb18030"),
        ("Shift_JIS", "cp932"),
        ("x-unknown", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_charset(label: str | None, codec: str | None) -> None:
    assert normalize_charset(label) == codec


# -- real publisher pages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Iterator[Any]:
    if not (CORPUS / "load.py").is_file():
        pytest.skip("the shared page corpus is absent (../shared/corpus)")
    sys.path.insert(0, str(CORPUS))
    try:
        import load  # type: ignore[import-not-found]  # the corpus's own loader, not a package

        yield load
    finally:
        sys.path.remove(str(CORPUS))


@pytest.mark.slow
def test_corpus_pages_decode_without_replacement_characters(corpus: Any) -> None:
    records = list(corpus.iter_records(with_html=False))
    sample = records[::32]  # about 50 pages from every collection
    checked = 0
    for rec in sample:
        raw = corpus.read_raw(rec, str(CORPUS))
        text, codec = decode_html(raw)
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue  # invalid bytes in the page itself: replacement is right
        # Every U+FFFD in the text must come from the page, none from a wrong codec.
        assert text.count("\ufffd") == raw.count("\ufffd".encode()), rec["id"]
        checked += 1
    assert checked >= 45


@pytest.mark.slow
def test_corpus_pages_in_legacy_charsets_follow_their_declaration(corpus: Any) -> None:
    legacy = 0
    for rec in corpus.iter_records(with_html=False):
        raw = corpus.read_raw(rec, str(CORPUS))
        declared = normalize_charset(meta_charset(raw))
        if declared in (None, "utf-8"):
            continue
        try:
            raw.decode("utf-8")
            continue  # a stale declaration on a UTF-8 page: UTF-8 is right
        except UnicodeDecodeError:
            pass
        text, codec = decode_html(raw)
        assert codec == declared, rec["id"]
        assert "\ufffd" not in text, rec["id"]
        legacy += 1
    assert legacy >= 10
