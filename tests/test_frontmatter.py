"""newsarchive's file format: front-matter written by PyYAML that reads back exactly."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from newsarchive.errors import NewsArchiveError
from newsarchive.frontmatter import (
    NEWSARCHIVE_KEY,
    FrontMatterError,
    article_date,
    article_from_meta,
    article_meta,
    dumps,
    is_newsarchive,
    loads,
)
from newsarchive.models import Article, LeadImage

FETCHED = datetime(2026, 11, 23, 9, 31, 16, 987654, tzinfo=UTC)


def make_article(**fields: Any) -> Article:
    values: dict[str, Any] = {
        "url": "https://www.example.com/news/story",
        "title": "A headline",
        "body": "Body.",
        "fetched": FETCHED,
    }
    values.update(fields)
    return Article(**values)


FULL = make_article(
    url="https://WWW.example.com/news/story/?utm_source=rss#top",
    authors=("Jane Doe", "John Roe"),
    published="2021-09-14T10:00:00+03:00",
    modified="2021-09-15",
    site="Example Times",
    hostname="www.example.com",
    description="What happened.",
    language="en",
    tags=("politics", "world"),
    categories=("News",),
    image=LeadImage("https://www.example.com/a.jpg", caption="A caption", credit="AP"),
    source="https://t.example/abc",
    status=200,
    final_url="https://www.example.com/news/story?utm_source=rss",
    extra={"extractor": "trafilatura 2.0.0"},
)


def test_article_meta_key_order_and_values() -> None:
    meta = article_meta(FULL, "Body.\n")
    assert list(meta) == [
        "title",
        "authors",
        "published",
        "date_source",
        "modified",
        "url",
        "source",
        "site",
        "hostname",
        "description",
        "language",
        "tags",
        "page_tags",
        "categories",
        "image",
        "image_caption",
        "image_credit",
        "fetched",
        "status",
        "final_url",
        "sha256",
        "archiver",
        "extractor",
    ]
    assert meta["authors"] == ["Jane Doe", "John Roe"]
    assert meta["date_source"] == "published"
    assert meta["url"] == "https://www.example.com/news/story"  # the normalised identity
    assert meta["fetched"] == "2026-11-23T09:31:16Z"
    assert meta["status"] == 200
    assert meta["sha256"] == hashlib.sha256(b"Body.\n").hexdigest()
    assert re.fullmatch(r"newsarchive \S+", meta[NEWSARCHIVE_KEY])
    assert meta["extractor"] == "trafilatura 2.0.0"
    assert meta["image_credit"] == "AP"
    assert meta["tags"] == meta["page_tags"] == ["politics", "world"]  # the record of the page's


def test_empty_keys_are_omitted_but_required_ones_stay() -> None:
    article = make_article(description="", tags=(), site=None)
    meta = article_meta(article, "")
    assert list(meta) == [
        "title",
        "authors",
        "published",
        "date_source",
        "url",
        "fetched",
        "status",
        "sha256",
        "archiver",
    ]
    assert meta["authors"] == [] and meta["published"] is None and meta["status"] is None
    assert meta["date_source"] == "fetched"
    assert meta["sha256"] == hashlib.sha256(b"").hexdigest()


def test_fetched_is_written_in_utc() -> None:
    moscow = timezone(timedelta(hours=3))
    article = make_article(fetched=datetime(2026, 1, 1, 2, 30, tzinfo=moscow))
    assert article_meta(article, "")["fetched"] == "2025-12-31T23:30:00Z"


def test_article_date_prefers_a_readable_published_date() -> None:
    assert article_date(make_article(published="2021-09-14")) == (
        datetime(2021, 9, 14),
        "published",
    )
    # The page's own offset is kept: 00:30 in Moscow is still the 15th there.
    when, source = article_date(make_article(published="2021-09-15T00:30:00+03:00"))
    assert (when.date().isoformat(), source) == ("2021-09-15", "published")
    assert article_date(make_article(published="not a date")) == (FETCHED, "fetched")
    assert article_date(make_article(published=None)) == (FETCHED, "fetched")


def test_a_local_file_without_url_keeps_url_key() -> None:
    meta = article_meta(make_article(url=""), "")
    assert "url" in meta and meta["url"] is None


def test_dumps_layout() -> None:
    text = dumps(article_meta(FULL, "Body.\n"), "Body.\n")
    assert text.startswith("---\ntitle: A headline\nauthors:\n- Jane Doe\n- John Roe\n")
    header, body = text[4:].split("\n---\n\n", 1)
    assert body == "Body.\n"
    lines = header.splitlines()
    # One key per line in block style; lists as "- item" lines; no flow collections.
    assert all(re.fullmatch(r"[a-z_0-9]+:( [^\s\[{].*)?|- [^\s\[{].*", line) for line in lines)
    assert "published: '2021-09-14T10:00:00+03:00'" in lines
    assert "modified: '2021-09-15'" in lines
    assert "fetched: '2026-11-23T09:31:16Z'" in lines
    assert "status: 200" in lines
    assert "date_source: published" in lines


def test_dates_stay_strings_for_yaml_readers() -> None:
    text = dumps(article_meta(FULL, ""), "")
    meta = yaml.safe_load(text.split("---\n")[1])
    for key in ("published", "modified", "fetched"):
        assert isinstance(meta[key], str), key


# Strings that a YAML 1.1 (PyYAML) or YAML 1.2 (yq, Hugo) reader would turn into something
# else if written plain.
AMBIGUOUS = [
    "yes", "no", "Yes", "NO", "on", "off", "y", "n", "true", "False", "null", "Null", "~", "",
    "1e3", "1E3", "-1e-3", "0x10", "0o17", "0b101", "09", "010", "1_000", "12", "+1", "-7",
    "1.5", ".5", "1.", ".inf", "-.inf", ".nan", "2021-09-14", "2021-9-4",
    "2021-09-14T10:00:00Z", "2021-09-14 10:00", "2021-09-14T10:00+03:00", "1:20", "=", "<<",
]  # fmt: skip


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_ambiguous_scalars_are_quoted(value: str) -> None:
    text = dumps({"title": value, "tags": [value]}, "")
    line = text.splitlines()[1]
    assert line[len("title: ") :][:1] in ("'", '"'), line
    assert loads(text) == ({"title": value, "tags": [value]}, "")


def test_control_characters_are_escaped_on_one_line() -> None:
    value = "a\nb\r\nc\td\x00e\x1bf\x7fg\x85h\u2028i\ufeffj \n"
    text = dumps({"title": value, "url": "u"}, "")
    assert text.splitlines()[1].startswith('title: "a\\nb\\r\\nc\\td\\0e')
    assert text.splitlines()[2] == "url: u"
    assert loads(text)[0]["title"] == value


def test_non_ascii_is_written_as_is() -> None:
    text = dumps({"title": "Путин: «новости» — 😀 ‘quoted’"}, "")
    assert "title: 'Путин: «новости» — 😀 ‘quoted’'\n" in text


def test_long_values_are_not_folded() -> None:
    title = " ".join(["word"] * 200)
    text = dumps({"title": title, "description": title + ": colon"}, "")
    assert text.count("\n") == 5  # ---, two keys, ---, blank line


# Titles, authors and descriptions from the whole of Unicode text, plus the troublemakers.
_tricky = st.sampled_from(
    [": ", "# ", "#", "'", '"', "[", "]", "{", "}", "- ", "-", "---", "...", "yes", "no",
     "null", "~", "\n", "\t", "\r", "\x00", "\x07", "\x85", "\u2028", "\ufeff", "😀", "Путин",
     " ", "&a", "*b", "!c", "%", "@", "`", "|", ">", "?", ",", "1e3", "0x10", "2021-09-14"]
)  # fmt: skip
_text = st.lists(st.one_of(st.text(), _tricky), max_size=6).map("".join)


@settings(max_examples=300)
@given(
    title=_text,
    authors=st.lists(_text, max_size=4),
    description=_text,
    tags=st.lists(_text, max_size=3),
    published=st.one_of(st.none(), _text, st.dates().map(str)),
    status=st.one_of(st.none(), st.integers(100, 599)),
    body=st.text(),
)
def test_round_trip(
    title: str,
    authors: list[str],
    description: str,
    tags: list[str],
    published: str | None,
    status: int | None,
    body: str,
) -> None:
    article = make_article(
        title=title,
        authors=tuple(authors),
        description=description,
        tags=tuple(tags),
        published=published,
        status=status,
    )
    meta = article_meta(article, body)
    text = dumps(meta, body)
    assert loads(text) == (meta, body)
    # Every top-level key starts a line of its own: nothing spills over onto the next line.
    lines = text.splitlines()
    header = lines[1 : lines.index("---", 1)]
    assert [line.split(":")[0] for line in header if not line.startswith("- ")] == list(meta)


_keys = st.text(min_size=1, max_size=20)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_keys, children, max_size=3),
    max_leaves=8,
)


@given(meta=st.dictionaries(_keys, _values, max_size=6), body=st.text())
def test_round_trip_of_any_mapping(meta: dict[str, Any], body: str) -> None:
    assert loads(dumps(meta, body)) == (meta, body)


def test_body_is_kept_exactly() -> None:
    for body in ["", "\n", "\n\nx", "---\nnot: yaml\n---\n", "x\r\ny"]:
        assert loads(dumps({"title": "t"}, body)) == ({"title": "t"}, body)


def test_text_without_front_matter() -> None:
    text = "# A note\n\nNot an article.\n"
    meta, body = loads(text)
    assert (meta, body) == ({}, text)
    assert not is_newsarchive(meta)


def test_is_newsarchive() -> None:
    assert is_newsarchive(article_meta(FULL, ""))
    assert is_newsarchive({"archiver": "newsarchive 9.9"})
    assert not is_newsarchive({"title": "Hugo post"})
    assert not is_newsarchive({"archiver": "other-tool 1.0"})
    assert not is_newsarchive({"archiver": "newsarchiver 1.0"})
    assert not is_newsarchive({"archiver": ["newsarchive"]})


def test_foreign_front_matter_is_read() -> None:
    text = "\ufeff---\r\ntitle: Hugo post\r\ndate: 2021-09-14\r\n---\r\nBody\r\n"
    meta, body = loads(text)
    assert meta == {"title": "Hugo post", "date": datetime(2021, 9, 14).date()}
    assert body == "Body\r\n"
    assert loads("---\n---\n\nBody") == ({}, "Body")


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("---\ntitle: x\n", "no closing '---' line"),
        ("---\ntitle: [unclosed\n---\n", "invalid YAML: "),
        ("---\ntitle: x\n  bad: indent\n---\n", "invalid YAML: "),
        ("---\n- a list\n---\n", "expected a mapping of keys, found a list"),
        ("---\njust text\n---\n", "expected a mapping of keys, found a str"),
        ("---\nx: !!python/object:os.system ls\n---\n", "invalid YAML: "),
    ],
)
def test_broken_front_matter(text: str, detail: str) -> None:
    with pytest.raises(FrontMatterError) as info:
        loads(text)
    assert str(info.value).startswith(f"broken front-matter: {detail}")
    assert "\n" not in str(info.value)
    assert info.value.reason == "broken front-matter"
    assert isinstance(info.value, NewsArchiveError)


def test_yaml_error_names_the_file_line() -> None:
    with pytest.raises(FrontMatterError) as info:
        loads("---\ntitle: ok\nurl: [x\n---\n")
    assert "(line 4 of the file)" in str(info.value)


def test_article_from_meta_inverts_article_meta() -> None:
    body = "Body.\n"
    meta, read_body = loads(dumps(article_meta(FULL, body), body))
    article = article_from_meta(meta, read_body)
    assert article.url == "https://www.example.com/news/story"
    assert article.fetched == FETCHED.replace(microsecond=0)
    assert article.image == FULL.image
    assert (article.authors, article.tags, article.status) == (FULL.authors, FULL.tags, 200)
    assert article.extra == {"extractor": "trafilatura 2.0.0"}
    assert article_meta(article, body) == meta


def test_article_from_meta_is_lenient_about_hand_edits() -> None:
    meta, body = loads("---\ntitle: 2021\nauthors: Jane Doe\npublished: 2021-09-14\n"
                       "fetched: 2021-09-15T08:00:00Z\ntags: politics\n---\n\nText")  # fmt: skip
    article = article_from_meta(meta, body)
    assert article.title == "2021"
    assert article.authors == ("Jane Doe",)
    assert article.published == "2021-09-14"
    assert article.tags == ("politics",)
    assert article.fetched == datetime(2021, 9, 15, 8, tzinfo=UTC)
    assert article.body == "Text"


def test_article_from_meta_needs_a_fetched_time() -> None:
    with pytest.raises(FrontMatterError, match="no readable 'fetched' time"):
        article_from_meta({"title": "x"}, "")


def test_front_matter_keys_lists_what_article_meta_writes() -> None:
    from newsarchive.frontmatter import FRONT_MATTER_KEYS

    written = list(article_meta(FULL, "Body.\n"))
    assert [key for key in FRONT_MATTER_KEYS if key in written] == written


# -- the reader for what dumps writes, and YAML for the rest ------------------------------------

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _typed(value: Any) -> Any:
    """`value` with every scalar's type spelled out, so True != 1 and 1 != 1.0 in a compare."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


_scalar_texts = st.one_of(
    st.sampled_from(
        [*AMBIGUOUS, "a: b", "a #b", "a#b", "#x", "- x", "-x", "[]", "{}", "[a]", "'q'", "'it''s'",
         "'un", "'a' b", '"d"', '"e\\n"', '"f', "x:", "C++", "https://x.org/a?b=c#d", "Zürich",
         "Путин", " lead", "trail ", "\t", "a\tb", "\x85", "\u2028", "\ufeff", "\x7f", "😀",
         "&a", "*a", "!x", "!!str 1", "|", ">", "%", "@", "`", "?", "? x", ",", "Yes!", "nulls",
         "0", "-0", "+5", "00", "1__2", "1:2:3", "0o7", "0b1", "Off", "OFF", "oN", "TRUE", "---",
         "...", "-", ":x", "?x", "-5", "-.5", "-:", "- -", "-#", ":#x", "x::y", "'a'':b'"]
    ),
    st.text(max_size=12),
)  # fmt: skip
_yaml_keys = st.sampled_from(
    ["title", "authors", "url", "a1", "_x", "yes", "on", "No", "null", "y", "1a", "k-y", "ü", "<<"]
)
_yaml_lines = st.one_of(
    st.tuples(_yaml_keys, _scalar_texts).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(_yaml_keys, st.lists(_scalar_texts, max_size=3)).map(
        lambda kv: "\n".join([f"{kv[0]}:", *(f"- {v}" for v in kv[1])])
    ),
    st.sampled_from(
        ["", " ", "  indented: x", "# comment", "- stray", "key:value", "k:  x", "...", "- "]
    ),
)


@settings(max_examples=500)
@given(lines=st.lists(_yaml_lines, max_size=6))
def test_front_matter_reads_as_yaml_reads_it(lines: list[str]) -> None:
    """The quick reader for what dumps writes and the YAML parser agree on any block: the same
    keys, values and types, or the same refusal."""
    block = "".join(f"{line}\n" for line in lines)
    assume(not re.search(r"^---[ \t]*\r?$", block, re.MULTILINE))  # would end the block early
    text = f"---\n{block}---\n\nBody"
    try:
        expected = yaml.load(block, Loader=_YamlLoader)
    except yaml.YAMLError:
        expected = "error"
    if expected == "error" or not isinstance(expected, dict | None):
        with pytest.raises(FrontMatterError):
            loads(text)
    else:
        assert _typed(loads(text)) == _typed((expected or {}, "Body"))


@settings(max_examples=200)
@given(
    title=_text,
    authors=st.lists(_text, max_size=3),
    status=st.one_of(st.none(), st.integers(100, 599)),
)
def test_what_dumps_writes_mostly_reads_without_the_yaml_parser(
    title: str, authors: list[str], status: int | None
) -> None:
    """Files newsarchive wrote are read by the quick reader unless a value needed escapes
    (double quotes with backslashes), so reindexing 100,000 files does not wait on YAML."""
    meta = article_meta(make_article(title=title, authors=tuple(authors), status=status), "")
    text = dumps(meta, "")
    header = text.split("\n---\n")[0]
    escaped = re.search(r'^(?:\w+: |- )".*\\', header, re.MULTILINE) is not None
    with mock.patch.object(yaml, "load", side_effect=AssertionError("YAML parser")):
        if escaped:
            with pytest.raises(AssertionError, match="YAML parser"):
                loads(text)
        else:
            assert loads(text) == (meta, "")


def test_full_article_reads_without_the_yaml_parser() -> None:
    meta = article_meta(FULL, "Body.\n")
    with mock.patch.object(yaml, "load", side_effect=AssertionError("YAML parser")):
        assert loads(dumps(meta, "Body.\n")) == (meta, "Body.\n")
