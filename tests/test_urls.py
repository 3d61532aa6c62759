"""URL checking and the identity key of an article."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsarchive import urls as urls_mod
from newsarchive.errors import InvalidURLError, UsageError
from newsarchive.urls import check_url, checked_key, normalize_url, other_scheme

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"

# Each group: URLs a reader would call the same article -> the one key they all share.
SAME_ARTICLE = {
    "https://example.com/news/story": [
        "https://example.com/news/story",
        "HTTPS://EXAMPLE.COM/news/story",
        "https://Example.Com:443/news/story",
        "https://example.com/news/story/",
        "https://example.com/news/story//",
        "https://example.com/news/story#comments",
        "https://example.com/news/story?",
        "https://example.com/news/story?utm_source=twitter&utm_medium=social",
        "https://example.com/news/story?UTM_Campaign=x&fbclid=IwAR0abc",
        "https://example.com/news/story?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5",
        "https://example.com/news/story?yclid=1&igshid=2&_ga=3&ref_src=twsrc&cmpid=4&ocid=5",
        "https://example.com/news/./story",
        "https://example.com/news/other/../story",
        "https://example.com/a/b/../../news/story",
        "https://example.com/news/%73tory",  # an escaped unreserved letter
        "  https://example.com/news/story  \n",
        "https://example.com./news/story",
    ],
    "https://example.com/a%20b?q=x%20y": [
        "https://example.com/a b?q=x y",
        "https://example.com/a%20b/?q=x%20y",
    ],
    "http://example.com/": [
        "http://example.com",
        "http://example.com/",
        "http://EXAMPLE.com:80",
        "http://example.com/?utm_source=x#top",
        "http://example.com/..",
    ],
    "https://example.com/story?a=1&b=2": [
        "https://example.com/story?b=2&a=1",
        "https://example.com/story?a=1&utm_term=x&b=2",
        "https://example.com/story?&a=1&&b=2&",
        "https://example.com/story/?b=2&a=1#frag",
    ],
    "https://example.com/path%2Fwith%3Fescapes": [
        "https://example.com/path%2fwith%3fescapes",
        "https://example.com/path%2Fwith%3Fescapes/",
    ],
    "https://пример.рф/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8": [
        "https://ПРИМЕР.РФ/новости",
        "https://пример.рф/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8",
        "https://пример.рф:443/новости/",
    ],
    "https://example.com/search?q=caf%C3%A9&q=tea": [
        "https://example.com/search?q=café&q=tea",
        "https://example.com/search?q=caf%c3%a9&q=tea&utm_content=1",
    ],
    "http://[2001:db8::1]:8080/a": [
        "http://[2001:DB8::1]:8080/a/",
        "http://[2001:db8::1]:08080/a",
    ],
}


@pytest.mark.parametrize(
    ("variant", "key"),
    [(variant, key) for key, variants in SAME_ARTICLE.items() for variant in variants],
)
def test_variants_of_one_article_share_a_key(variant: str, key: str) -> None:
    assert normalize_url(variant) == key


def test_keys_are_fixed_points() -> None:
    for key in SAME_ARTICLE:
        assert normalize_url(key) == key


# Pairs that differ in something that may select another article, so keys must differ.
DIFFERENT_ARTICLES = [
    ("http://example.com/a", "https://example.com/a"),  # scheme kept (lookup tries both)
    ("https://example.com/a", "https://example.com/b"),
    ("https://example.com/a", "https://example.com/A"),  # paths are case-sensitive
    ("https://example.com/a", "https://example.org/a"),
    ("https://example.com/a", "https://news.example.com/a"),
    ("https://example.com/a", "https://example.com:8443/a"),
    ("https://example.com/story?id=1", "https://example.com/story?id=2"),
    ("https://example.com/story?id=1", "https://example.com/story"),
    ("https://example.com/story?p=1&p=2", "https://example.com/story?p=2&p=1"),
    ("https://example.com/story?ref=1", "https://example.com/story"),  # unknown: kept
    ("https://example.com/a%2Fb", "https://example.com/a/b"),  # an escaped "/" is data
    ("https://example.com/a//b", "https://example.com/a/b"),
    ("https://example.com/a?x", "https://example.com/a?x="),
]


@pytest.mark.parametrize(("first", "second"), DIFFERENT_ARTICLES)
def test_different_articles_get_different_keys(first: str, second: str) -> None:
    assert normalize_url(first) != normalize_url(second)


def test_repeated_parameters_keep_their_order_when_sorted() -> None:
    assert normalize_url("https://e.com/?z=1&p=2&a=3&p=1") == "https://e.com/?a=3&p=2&p=1&z=1"


def test_other_scheme_swaps_http_and_https() -> None:
    assert other_scheme("http://e.com/a?b=1") == "https://e.com/a?b=1"
    assert other_scheme("https://e.com/") == "http://e.com/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("example.com/news", "example.com/news: not an http(s) URL"),
        ("", ": not an http(s) URL"),
        ("ftp://example.com/file", "ftp://example.com/file: unsupported scheme 'ftp'"),
        ("FILE:///etc/passwd", "FILE:///etc/passwd: unsupported scheme 'file'"),
        ("https://", "https://: no host"),
        ("http:///news", "http:///news: no host"),
        ("https://exa mple.com/", "https://exa mple.com/: whitespace in the host"),
        (
            "https://e.com:99999/",
            "https://e.com:99999/: not a valid URL (Port out of range 0-65535)",
        ),
        ("https://[::1/", "https://[::1/: not a valid URL (Invalid IPv6 URL)"),
    ],
)
def test_check_url_rejects(text: str, message: str) -> None:
    with pytest.raises(InvalidURLError) as info:
        check_url(text)
    assert str(info.value) == message
    assert isinstance(info.value, UsageError)
    with pytest.raises(InvalidURLError):
        normalize_url(text)
    with pytest.raises(InvalidURLError):
        checked_key(text)


def test_check_url_strips_and_accepts_idn() -> None:
    assert check_url("  https://пример.рф/новости\n") == "https://пример.рф/новости"
    assert check_url("HTTP://Example.com") == "HTTP://Example.com"


_segment = st.text(st.sampled_from("aZ09-._~%/!$&'()*+,;=:@é€ "), max_size=8)
_param = st.tuples(
    st.sampled_from(["id", "p", "utm_source", "fbclid", "Q", "a%20b", "x"]),
    st.text(st.sampled_from("a1%+=é "), max_size=4),
)


@given(
    host=st.sampled_from(["example.com", "EXAMPLE.com", "xn--e1afmkfd.xn--p1ai", "пример.рф"]),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    segments=st.lists(_segment, max_size=4),
    params=st.lists(_param, max_size=4),
    fragment=st.sampled_from(["", "#x", "#"]),
)
def test_normalize_is_idempotent(
    host: str, port: str, segments: list[str], params: list[tuple[str, str]], fragment: str
) -> None:
    query = "&".join(f"{name}={value}" for name, value in params)
    url = f"https://{host}{port}/{'/'.join(segments)}" + (f"?{query}" if query else "") + fragment
    key = normalize_url(url)
    assert normalize_url(key) == key
    assert checked_key(f" {url}\n") == (check_url(url), key)  # what an import reads a line with
    assert key.startswith("https://") and "#" not in key and " " not in key
    kept = [name for name, _ in params if name not in ("utm_source", "fbclid")]
    query_names = [part.split("=")[0] for part in key.partition("?")[2].split("&") if part]
    assert query_names == sorted(kept)


def test_corpus_urls_normalise_to_stable_keys() -> None:
    truth = CORPUS / "truth.jsonl"
    if not truth.exists():
        pytest.skip("shared corpus absent (../shared/corpus)")
    urls = [json.loads(line)["url"] for line in truth.read_text(encoding="utf-8").splitlines()]
    urls = [url for url in urls if url]
    assert len(urls) > 1500
    keys: dict[str, str] = {}
    for url in urls:
        key = normalize_url(url)
        assert normalize_url(key) == key, url
        assert key.split("?")[0].lower().startswith(("http://", "https://"))
        keys.setdefault(key, url)
    # Distinct pages keep distinct keys: no two corpus articles are merged into one.
    assert len(keys) == len(set(urls))


@given(
    path=st.text(
        alphabet=st.sampled_from(list("aZ09-._~!$&'()*+,;=:@/?[]% é\"<>\\^`{|}#")), max_size=20
    )
)
def test_clean_text_takes_the_quick_way_with_the_same_result(path: str) -> None:
    """Paths and queries made only of characters kept as they are skip the per-character
    loop; the key is the same either way."""
    url = f"https://example.org/{path}"
    try:
        quick = normalize_url(url)
    except InvalidURLError:
        return
    slow_only = re.compile(r"(?!)")  # matches nothing: every text goes through the loop
    original, urls_mod._CLEAN = urls_mod._CLEAN, slow_only
    try:
        assert normalize_url(url) == quick
    finally:
        urls_mod._CLEAN = original
