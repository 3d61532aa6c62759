"""What an archived article holds: every paragraph and the header a reader needs, none of the
site's chrome. The expectations are read from the fixture pages' own markup (the article's
elements on one side, navigation, sidebars, banners and footer on the other), not written out
by hand from the extractor's output."""

from __future__ import annotations

import gc
import re
import sys
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

import stories
from newsarchive.errors import ExtractionError
from newsarchive.extract import extract, parse_date, strip_site_name
from newsarchive.extract.dom import class_words, page_scope, per_page
from newsarchive.models import Article, FetchedPage
from newsarchive.pipeline import render_file
from newsarchive.render import render_body

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
MT_URL = (
    "https://www.themoscowtimes.com/2021/09/14/"
    "mali-junta-in-talks-for-russian-mercenaries-french-sources-a75044"
)


def page(html: str, url: str = "https://news.example.org/2024/05/01/story") -> FetchedPage:
    """A page served at a URL that holds its date."""
    return stories.page(html, url)


def fixture(name: str, url: str) -> tuple[Article, lxml.html.HtmlElement]:
    markup = (FIXTURES / name).read_text(encoding="utf-8")
    return extract(page(markup, url)), lxml.html.fromstring(markup)


def words(text: str) -> str:
    """Plain words of Markdown or HTML text, for comparing content regardless of syntax."""
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link and image targets
    return " ".join(re.findall(r"\w+(?:['’]\w+)*", text))


def texts(root: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [words(el.text_content()) for el in root.xpath(xpath) if words(el.text_content())]


@pytest.fixture(scope="module")
def mali() -> tuple[Article, lxml.html.HtmlElement]:
    return fixture("moscowtimes-mali.html", MT_URL)


def test_every_paragraph_of_the_article_is_kept_in_order(
    mali: tuple[Article, lxml.html.HtmlElement],
) -> None:
    article, root = mali
    content = root.xpath('//div[contains(@class, "article__content")]')[0]
    # Paragraphs, headings, quotes, the related-article line and the image captions.
    expected = texts(
        content,
        './/p[not(ancestor::*[contains(@class, "newsletter")])] | .//h3 | .//blockquote'
        ' | .//*[contains(@class, "related-article")] | .//figcaption',
    )
    assert len(expected) >= 10
    body = words(article.body)
    position = 0
    for paragraph in expected:
        found = body.find(paragraph, position)
        assert found >= 0, f"missing or out of order: {paragraph[:70]}"
        position = found
    assert "Related article" in article.body
    assert "Reproduction of AFP content is prohibited" in article.body


def test_no_navigation_sidebar_banner_or_footer(
    mali: tuple[Article, lxml.html.HtmlElement],
) -> None:
    article, root = mali
    chrome = texts(
        root,
        '//nav | //footer | //aside | //*[contains(@class, "cookie")]'
        ' | //*[contains(@class, "newsletter")] | //*[contains(@class, "sidebar")]',
    )
    assert chrome
    text = words(render_body(article))
    for block in chrome:
        # Block-level chrome can share a word or two with the article ("News"), not a phrase.
        for line in re.split(r"(?<=\w) (?=[A-Z])", block):
            if len(line.split()) >= 4:
                assert line not in text, f"site chrome kept: {line}"


def test_header_holds_title_byline_date_and_lead_photo(
    mali: tuple[Article, lxml.html.HtmlElement],
) -> None:
    article, root = mali
    assert article.title == words(root.xpath("//h1")[0].text_content()).replace(
        "Mercenaries French", "Mercenaries – French"
    )
    assert article.authors == ("Daphné Benoit",)
    assert article.byline == "Daphné Benoit for AFP"
    assert article.published == "2021-09-14T12:25:00+03:00"
    assert article.site == "The Moscow Times"
    assert article.url == MT_URL
    assert article.image is not None
    caption = root.xpath('//*[contains(@class, "featured-image__caption")]')[0]
    assert words(article.image.caption or "") in words(caption.text_content())
    assert article.image.credit == "Twitter"
    body = render_body(article)
    lines = body.splitlines()
    assert lines[0] == f"# {article.title}"
    assert "By Daphné Benoit for AFP" in lines
    assert "14 September 2021, 12:25 (+03:00)" in lines
    assert any(line.startswith("![") and article.image.url in line for line in lines)
    assert any(line.endswith("— Twitter*") for line in lines)
    assert lines[-1] == f"Source: <{MT_URL}>"


def test_standfirst_under_the_headline_is_kept(
    mali: tuple[Article, lxml.html.HtmlElement],
) -> None:
    article, root = mali
    standfirst = words(root.xpath('//*[contains(@class, "article__subtitle")]')[0].text_content())
    assert standfirst in words(render_body(article))


def test_russian_article() -> None:
    url = "https://www.moscowtimes.ru/ru/2021/09/14/mali-vedet-peregovory-o-naime-rossiiskih-naemnikov-a10975"
    article, root = fixture("moscowtimes-ru.html", url)
    assert article.title == "Мали ведет переговоры о найме российских наемников"
    assert article.authors == ("Иван Петров", "Мария Смирнова")
    assert article.language == "ru"
    assert article.published == "2021-09-14T15:03:00+03:00"
    body = words(article.body)
    for text in texts(
        root, '//div[@class="article__content"]/p | //div[@class="article__content"]//li | //h2'
    ):
        if "Подпишитесь" not in text:
            assert text in body
    assert "Подпишитесь" not in body  # the inline newsletter box
    assert "Самое читаемое" not in body and "Все права защищены" not in body


def test_title_loses_the_site_name_suffix() -> None:
    markup = """<html><head><title>Floods close schools | Daily Planet</title>
    <meta property="og:site_name" content="Daily Planet"></head><body><article>
    <h1>Floods close schools | Daily Planet</h1>
    <p>Heavy rain flooded the valley overnight, and the district closed all its schools.</p>
    <p>Officials said the schools would reopen once the water had receded from the roads.</p>
    </article></body></html>"""
    assert extract(page(markup)).title == "Floods close schools"
    assert strip_site_name("Floods close schools - Daily Planet", {"dailyplanet"}) == (
        "Floods close schools"
    )
    # A dash that belongs to the headline stays.
    assert strip_site_name("Mali – French sources", {"dailyplanet"}) == "Mali – French sources"


def test_no_date_is_invented() -> None:
    markup = """<html><head><title>About the valley</title></head><body><article>
    <h1>About the valley</h1>
    <p>The valley has been farmed for centuries, and its orchards are known across the region.</p>
    <p>Visitors come each spring to walk the old paths between the villages and the river.</p>
    </article></body></html>"""
    article = extract(page(markup, "https://news.example.org/about-the-valley"))
    assert article.published is None
    text = render_file(article)
    assert "date_source: fetched" in text


def test_authors_that_are_dates_urls_or_the_site_are_dropped() -> None:
    markup = """<html><head><title>Harbour reopens</title>
    <meta property="og:site_name" content="Coast News">
    <meta name="author" content="Coast News">
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour reopens",
      "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person",
      "name": "https://coastnews.example/staff"}, {"@type": "Person", "name": "May 1, 2024"}]}
    </script></head><body><article><h1>Harbour reopens</h1>
    <p>The harbour reopened on Wednesday after three weeks of repairs to the storm wall.</p>
    <p>Fishing boats returned within hours, and the market on the quay opened again at dawn.</p>
    </article><footer><p>Ana Ruiz</p></footer></body></html>"""
    assert extract(page(markup)).authors == ("Ana Ruiz",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-09-14T12:25:00+03:00", "2021-09-14T12:25:00+03:00"),
        ("2021-09-14", "2021-09-14"),
        ("Tue, 14 Sep 2021 09:25:00 GMT", "2021-09-14T09:25:00+00:00"),
        ("not a date", None),
        ("", None),
        ("2021-02-30", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "markup",
    [
        "",
        "<html><body></body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
    ],
)
def test_a_page_without_article_text_is_refused(markup: str) -> None:
    with pytest.raises(ExtractionError):
        extract(page(markup))


def test_class_words_are_remembered_for_one_page_only() -> None:
    div = lxml.html.fragment_fromstring('<div class="articleBody share-bar" id="main">x</div>')

    def words() -> list[str]:
        return [word for word in class_words(div) if word]

    assert words() == ["article", "body", "share", "bar", "main"]
    with page_scope():
        assert words() == ["article", "body", "share", "bar", "main"]
        div.set("class", "footer")  # the tree does not change while a page is read...
        assert words()[0] == "article"  # ...so the words asked before stand
    assert words() == ["footer", "main"]  # the scope is over: read afresh


def test_a_per_page_answer_is_worked_out_once_a_page() -> None:
    asked: list[str] = []

    @per_page
    def links(el: lxml.etree._Element) -> int:
        asked.append(el.tag)
        return len(el.findall(".//a"))

    root = lxml.html.fromstring("<div><a href=/a>a</a><p><a href=/b>b</a></p></div>")
    with page_scope():
        assert [links(root), links(root), links(root[1])] == [2, 2, 1]
        assert asked == ["div", "p"]  # each element's answer once
        root.append(root.makeelement("a", {}))  # (the tree does not change while a page is read)
        assert links(root) == 2
    assert links(root) == 3  # the scope is over: worked out afresh, each time
    assert links(root) == 3 and asked == ["div", "p", "div", "div"]
    with page_scope():
        assert links(root) == 3 and asked[-1] == "div" and len(asked) == 5


def _elements_held_by(obj: object, depth: int = 3) -> int:
    """How many lxml elements `obj` holds, through up to `depth` references."""
    found, seen, todo = 0, set(), [(obj, 0)]
    while todo:
        held, level = todo.pop()
        if id(held) in seen:
            continue
        seen.add(id(held))
        if isinstance(held, lxml.etree._Element):
            found += 1
        elif level < depth:
            todo.extend((ref, level + 1) for ref in gc.get_referents(held))
    return found


def test_no_cache_keeps_a_pages_elements_after_extraction() -> None:
    # An element kept in a cache keeps its whole page alive: an extraction process that
    # cached elements held a thousand pages' trees.
    stories.story_article(stories.story(byline='<p class="byline">By <span>Jane Roe</span></p>'))
    caches = [
        (f"{name}.{attr}", value)
        for name, module in sys.modules.items()
        if name.startswith("newsarchive")
        for attr, value in vars(module).items()
        if callable(value) and hasattr(value, "cache_info")
    ]
    assert caches  # (the extractor caches class words, regular expressions …)
    assert [name for name, cache in caches if _elements_held_by(cache)] == []
