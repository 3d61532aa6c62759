"""The stored text says what the page shows: one hand-made page for each class of text defect
the quality report counts (glued words, broken paragraphs, tables stored twice, placeholder
pictures, script links, garbled bylines, ruby annotations), and the report's measures on
pages whose defects are known.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import lxml.html
import pytest

from newsarchive.extract import extract
from newsarchive.extract.widgets import is_hidden_structured_data
from newsarchive.models import Article, FetchedPage
from newsarchive.render import render_body

FETCHED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
URL = "https://northbridge-courier.example/news/2024/05/harbour-works"
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

FILLER = (
    "The harbour authority said the works would continue through the summer, with the "
    "northern quay closed to traffic until the new pilings have been tested and approved. "
    "Residents were told that the ferry timetable would not change during that time."
)


def page(body: str, head: str = "") -> FetchedPage:
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Harbour works begin | Northbridge Courier</title>{head}</head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
        f"<main><article><h1>Harbour works begin</h1>{body}"
        f"<p>{FILLER}</p><p>{FILLER.replace('summer', 'autumn')}</p></article></main>"
        "<footer><p>© Northbridge Courier</p></footer></body></html>"
    )
    return FetchedPage(
        url=URL,
        final_url=URL,
        status=200,
        content_type="text/html",
        raw=html.encode(),
        fetched_at=FETCHED,
    )


def extracted(body: str, head: str = "") -> Article:
    return extract(page(body, head))


def reader_text(md: str) -> str:
    """The Markdown as a reader sees it: link targets, emphasis and escapes removed."""
    md = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", md)
    md = re.sub(r"\[((?:\\.|[^\]\\])*)\]\((?:<[^>]*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)\)", r"\1", md)
    md = re.sub(r"</?[a-z]+>", "", md)
    return re.sub(r"\\(.)", r"\1", md.replace("**", "").replace("*", ""))


# A body laid out with <br>s, where a link or a bold run follows text with a space, as on
# pages whose paragraphs are one <div>: trafilatura splits the paragraph there and trims the
# space after the link.
BR_LAYOUT = (
    "<div class='article-text'>"
    "The London embassy contract proved valuable to the firm. Inside the compound, its men "
    "guarded the founder <a href='https://example.org/profile'>Julian Assange</a>, a top "
    "target of the government who had been living in the building since 2012."
    "<br><br>"
    "The investigation detailed operations ranging from snooping on private conversations to "
    "<a href='https://example.org/report'>fishing a diaper</a> from an embassy trash can in "
    "order to determine who the child's father was, the witnesses said in their statements."
    "<br><br>"
    "<strong>Obtained by several media outlets, the files detail an elaborate operation.</strong>"
    " Even the diplomats the firm was hired to protect were targeted by the spy ring."
    "<br><br>"
    "In 2016 the director rushed off alone to a <a href='https://example.org/fair'>security "
    "fair</a> in Las Vegas, hoping to rustle up lucrative new contracts for the company."
    "</div>"
)


def test_words_at_link_and_bold_boundaries_keep_the_space_the_page_shows() -> None:
    body = reader_text(extracted(BR_LAYOUT).body)
    for phrase in (
        "fishing a diaper from an embassy",
        "security fair in Las Vegas",
        "elaborate operation. Even the diplomats",
    ):
        assert phrase in body, phrase
    for glued in ("diaperfrom", "fairin", "operation.Even"):
        assert glued not in body


def test_a_paragraph_split_at_a_link_by_trafilatura_is_one_line_again() -> None:
    body = reader_text(extracted(BR_LAYOUT).body)
    lines = [line for line in body.split("\n") if line.strip()]
    assert any("guarded the founder Julian Assange, a top target" in line for line in lines)
    assert any("to fishing a diaper from an embassy" in line for line in lines)


def test_a_picture_inside_a_paragraph_does_not_end_the_paragraph() -> None:
    article = extracted(
        "<p><span class='image'><a href='/big.jpg'><img src='/pilings.jpg' alt='The pilings'>"
        "</a></span>The council has asked the engineer <strong>Maria Okafor</strong> to "
        "inspect the new pilings before the quay opens, a spokesman said on Friday.</p>"
        "<p>Work on the quay began <img src='/quay.jpg' alt='The quay'>in March "
        "<em>after a long delay</em> caused by the storms of the winter before.</p>"
    )
    lines = article.body.split("\n")
    first = next(line for line in lines if "engineer" in line)
    assert "(https://northbridge-courier.example/pilings.jpg) The council" in first
    assert "the engineer Maria Okafor to inspect" in reader_text(first)
    second = next(line for line in lines if "quay began" in line)
    assert "began ![The quay](https://northbridge-courier.example/quay.jpg) in March" in second
    assert "in March after a long delay caused" in reader_text(second)


def test_no_space_is_inserted_where_the_page_shows_none() -> None:
    article = extracted(
        "<p>It was <b>un</b>believable, said the harbour master, that the quay stood for a "
        "century<sup>1</sup> without repair, and that the <a href='/pilings'>pil</a>ings held "
        "(<a href='/report'>report</a>) until the storm.</p>"
    )
    body = reader_text(article.body)
    assert "unbelievable" in body
    assert "century1 without" in body
    assert "pilings held (report) until" in body


def test_a_paragraph_is_one_line_and_a_hard_break_only_at_br() -> None:
    article = extracted(
        "<p>36\nStunden. So lange dauert die schnellste Zugverbindung von Madrid nach\n"
        "Stockholm. Die Fahrt beginnt um 7:20 Uhr und nach fünf Umstiegen mit teils\n"
        "mehrstündigen Pausen kommen die Reisenden an.</p>"
        "<p>Harbour Office<br>12 Quay Street<br>Northbridge, where letters to the harbour "
        "master are answered within a week by the office staff.</p>"
    )
    lines = reader_text(article.body).split("\n")
    first = next(line for line in lines if line.startswith("36 Stunden"))
    assert first.startswith("36 Stunden. So lange") and first.endswith("Reisenden an.")
    assert "Harbour Office" in lines
    assert "12 Quay Street" in lines


TABLE = (
    "<p>The contractors published the schedule of the works, quay by quay, with the "
    "expected cost of each phase and the weeks each of them will take to complete.</p>"
    "<table><thead><tr><th>quay</th><th>weeks</th><th>cost</th></tr></thead><tbody>"
    "<tr><td>north quay</td><td>12 weeks</td><td>1.2 million</td></tr>"
    "<tr><td><a href='/quays/east'>east quay</a></td><td>8 weeks</td><td>0.9 million</td></tr>"
    "<tr><td>south quay</td><td>10 weeks</td><td>1.1 million</td></tr>"
    "</tbody></table>"
)


def test_a_table_is_stored_once() -> None:
    body = extracted(TABLE).body
    assert body.count("north quay") == 1
    assert body.count("0.9 million") == 1
    assert "east quay" in reader_text(body)


def test_a_paragraph_whose_link_ends_in_a_no_break_space_is_stored_once_in_its_place() -> None:
    """An href that ends in a no-break space ("https://x/a&nbsp;"), kept in the link's target,
    is a link still: the paragraph is recognised as kept, not added again after the article."""
    linked = (
        "<p>The harbour master said the new cranes would <a href='https://example.org/cranes"
        "&nbsp;'>cut unloading times by half</a> once the quay reopens, and that the port's old "
        "cranes would be sold to a museum in the spring.</p>"
    )
    article = extracted(f"<p>{FILLER}</p>{linked}<p>The council meets again in June.</p>")
    text = reader_text(article.body)
    assert text.count("cut unloading times by half") == 1
    assert text.index("cut unloading times by half") < text.index("The council meets again")


def blog_post(content: str) -> Article:
    """A page whose headline stands above the box of the text, as on a blog: what the box
    holds beyond trafilatura's blocks is checked as the article's (not as the headline's
    neighbours, which only full paragraphs join)."""
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Notes from the harbour | Northbridge Courier</title></head><body>"
        "<div class='post-header'><h1>Notes from the harbour</h1></div>"
        f"<div class='entry-content'>{content}</div>"
        "<footer><p>© Northbridge Courier</p></footer></body></html>"
    )
    return extract(dataclasses.replace(page(""), raw=html.encode()))


def test_a_list_within_a_list_is_stored_once() -> None:
    """The numbers of a list inside an item are Markdown's: the item is recognised as kept,
    not added again, flattened, after the list."""
    nested = (
        "<h3>Steps</h3><ol>"
        "<li>Keep the original drawing somewhere safe, so that you can start again.</li>"
        "<li>Run the copy of the drawing through the full cleaning cycle, that is:<ol>"
        "<li>Recover the drawing: open it with the recovery command, then save it under its "
        "own name in the project folder.</li>"
        "<li>Audit the drawing and let the program fix every error that it finds; save the "
        "drawing when the audit is done.</li>"
        "<li>Purge the drawing, nested blocks included, and save it once more.</li>"
        "<li>Audit it once again, that is, repeat the second step.</li></ol></li>"
        "<li>Check the units against a length you know, a door or a stair.</li></ol>"
    )
    text = reader_text(blog_post(f"<p>{FILLER}</p>{nested}<p>{FILLER}</p>").body)
    assert text.count("full cleaning cycle") == 1
    assert text.count("Audit the drawing") == 1
    assert text.index("full cleaning cycle") < text.index("Check the units")


STEPS = [
    "Roast the chicken in a preheated oven for fifty minutes or until it is cooked through "
    "and golden brown all over.",
    "Meanwhile, heat the oil in a large saucepan and cook the onions, stirring now and then, "
    "for five minutes or until almost golden.",
]


def _steps(style: str = "") -> str:
    numbered = "".join(
        f"<div class='step'><span>{n}</span><div>{text}</div></div>"
        for n, text in enumerate(STEPS, start=1)
    )
    return f"<div class='steps'{style}>{numbered}</div>"


def test_a_text_the_page_holds_twice_one_copy_hidden_is_stored_once() -> None:
    """A tab's panel the page hides (`hidden`) beside the mobile layout's copy of the
    same steps: the steps once, without the step numbers of the copy left out."""
    hidden = _steps(" hidden")
    body = blog_post(
        f"<p>{FILLER}</p><h2>Method</h2>{hidden}"
        f"<h2>Method on a phone</h2>{_steps()}<p>Serve the rice on a platter.</p><p>{FILLER}</p>"
    ).body
    text = reader_text(body)
    assert text.count("Roast the chicken") == 1 and text.count("heat the oil") == 1
    assert text.count("Serve the rice") == 1
    after = text[text.index("heat the oil") :]
    assert not re.search(r"^\s*\d\s*$", after.split("Serve the rice")[0], re.MULTILINE)


def test_a_text_the_page_shows_twice_is_stored_twice() -> None:
    body = blog_post(f"<p>{FILLER}</p>{_steps()}<p>Once more:</p>{_steps()}<p>{FILLER}</p>").body
    assert reader_text(body).count("Roast the chicken") == 2


def test_a_photo_laid_out_in_a_table_keeps_its_caption_and_cells_lose_their_icons() -> None:
    """A photo with its caption and credit in a table of their own is the article's; a
    picture alone in a cell of a table of figures is an icon (stars, a flag)."""
    body = extracted(
        f"<p>{FILLER}</p>"
        "<table width='600'><tr><td>"
        "<img src='/photos/quay.jpg' width='600' height='400' alt='The new quay'>"
        "<div class='info'>The new quay seen from the ferry terminal in May. "
        "(credit: Port Authority)</div></td></tr></table>"
        "<p>The council will publish the next phase of the works in June, after the "
        "pilings are tested.</p>"
        "<table><tr><th>Rating</th><td><img src='/img/stars-4.png'></td></tr>"
        "<tr><th>Cost</th><td>1.2 million</td></tr><tr><th>Quay</th><td>north</td></tr></table>"
    ).body
    photo = "![The new quay](https://northbridge-courier.example/photos/quay.jpg)"
    assert f"| {photo} The new quay seen from the ferry terminal in May." in body
    assert "(credit: Port Authority)" in body
    assert "stars-4.png" not in body and "| Cost | 1.2 million |" in body


def test_placeholder_and_advert_pictures_and_script_links_are_not_stored() -> None:
    article = extracted(
        "<p>Work on the quay began on Monday morning. "
        "<img src='/img/leer.gif' alt=''><img src='/static/blank.jpg' alt=''>"
        "<img src='data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'>"
        "<img src='/track/p.gif?id=7' width='1' height='1' alt=''></p>"
        "<figure><img src='/photos/quay-crane.jpg' width='800' height='600' alt='The crane'>"
        "<figcaption>The crane arrived on Monday.</figcaption></figure>"
        "<p>The council will publish the next phase in June.</p>"
        "<span class='hs-cta-wrapper'><a href='https://cta-redirect.example/1'>"
        "<img class='hs-cta-img' src='https://cta.example/cta/default/1.png' "
        "alt='New Call-to-action'></a></span>"
        "<p>Readers can <a href='javascript:void(0)'>print this story</a> or write to the "
        "harbour office about the works, which the council has promised to answer.</p>"
    )
    body = article.body
    for stand_in in ("leer.gif", "blank.jpg", "data:", "p.gif"):
        assert stand_in not in body
    assert "quay-crane.jpg" in body
    assert "Call-to-action" not in body
    assert "javascript" not in body
    assert "print this story or write" in reader_text(body)


def test_a_lazy_loaded_picture_is_the_picture_it_loads() -> None:
    """A placeholder `src` that a script replaces with `data-lazy-src` stands for that
    picture: it is stored with the real address, not dropped with the placeholders."""
    svg = "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E"
    body = extracted(
        f"<p>{FILLER}</p>"
        f"<p><em>Why leadership matters.<img src=\"{svg}\" width='300' height='450' "
        "alt='The quay at dawn' data-lazy-src='/photos/quay-dawn.jpg'></em></p>"
        "<p>The council will publish the next phase of the works in June, after the "
        "pilings are tested.</p>"
    ).body
    assert "![The quay at dawn](https://northbridge-courier.example/photos/quay-dawn.jpg)" in body
    assert "data:" not in body


def test_pictures_that_are_stand_ins_are_known_by_their_address() -> None:
    from newsarchive.extract.images import is_placeholder

    for url in (
        "https://a.example/img/leer.gif",
        "https://a.example/blank.jpg",
        "https://a.example/assets/spacer.33e2034037.gif",
        "https://a.example/lazyload-placeholder.png",
        "https://a.example/img/netz-blank.png",
        "https://a.example/yts/img/pixel-vfl3z5WfW.gif",
        "data:image/svg+xml,%3Csvg%3E%3C/svg%3E",
    ):
        assert is_placeholder(url), url
    for url in (
        "https://a.example/photos/pixel-8-review.jpg",
        "https://a.example/spacecraft-launch.jpg",
        "https://a.example/pixel-art-contest.png",
        "https://a.example/2024/harbour.jpg",
    ):
        assert not is_placeholder(url), url


def test_a_byline_keeps_no_remains_of_the_date_beside_it() -> None:
    article = extracted(
        "<p class='byline'>von <a class='author' href='/autor/anja-roe/'>Anja Roe</a> am "
        "<a href='/date/2014/05/14/'><time datetime='2014-05-14'>14. Mai 2014</time></a>, "
        "15:40 Uhr</p><p>Die Arbeiten am Hafen haben am Montag begonnen, wie die Behörde in "
        "einer Mitteilung an die Anwohner und die Fährgesellschaft bekannt gab.</p>"
    )
    assert article.byline == "Anja Roe"


def test_ruby_annotations_are_no_part_of_the_title_or_the_text() -> None:
    ruby = "<ruby>港<rp>(</rp><rt>みなと</rt><rp>)</rp></ruby>の<ruby>工事<rt>こうじ</rt></ruby>"
    article = extract(
        FetchedPage(
            url=URL,
            final_url=URL,
            status=200,
            content_type="text/html",
            raw=(
                "<html lang='ja'><head><meta charset='utf-8'><title>港の工事</title></head>"
                f"<body><article><h1>{ruby}が始まる</h1>"
                f"<p>{ruby}が月曜日に始まりました。北の岸壁は夏の間、通行止めになります。"
                "住民には、フェリーの時刻表は変わらないと説明がありました。</p>"
                f"<p>{FILLER}</p></article></body></html>"
            ).encode(),
            fetched_at=FETCHED,
        )
    )
    assert article.title == "港の工事が始まる"
    assert "港の工事が月曜日に始まりました" in article.body
    assert "みなと" not in article.body and "こうじ" not in article.body


# ---------------------------------------------------------------------------------------------
# The report's measures find the defects they count


@pytest.fixture(scope="module")
def integrity() -> ModuleType:
    spec = importlib.util.spec_from_file_location("integrity", BENCHMARKS / "integrity.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["integrity"] = module
    spec.loader.exec_module(module)
    return module


MEASURED = (
    "<html><body><div>A researcher fishing a <a href='/x'>diaper</a> from a bin, "
    "it was <b>un</b>believable.</div>"
    "<p>This is one paragraph of the page, long enough to be compared word for word with "
    "what the archive stored, and shown once.</p>"
    "<p>Spacer <img src='/img/leer.gif'> and <a href='javascript:void(0)'>print</a>.</p>"
    "</body></html>"
)


def test_the_integrity_measures_count_each_defect(integrity: ModuleType) -> None:
    paragraph = (
        "This is one paragraph of the page, long enough to be compared word for word with "
        "what the archive stored, and shown once."
    )
    good = (
        "A researcher fishing a [diaper](https://a.example/x) from a bin, it was "
        f"**un**believable.\n\n{paragraph}\n\nSpacer and print."
    )
    assert integrity.measure(MEASURED, good, "https://a.example/").glued == 0
    broken = paragraph.replace("long enough", "long\nenough")
    bad = (
        "A researcher fishing a [diaper](https://a.example/x)from a bin, it was un believable."
        f"\n\n{broken}\n\n{paragraph}\n\n{paragraph}\n\n"
        "Spacer ![](https://a.example/img/leer.gif) and [print](javascript:void(0))."
    )
    found = integrity.measure(MEASURED, bad, "https://a.example/")
    assert (found.glued, found.split, found.broken) == (1, 1, 1)
    assert (found.duplicated, found.placeholders, found.javascript) == (1, 1, 1)


def test_a_link_in_brackets_the_page_shows_is_read_as_the_page_spaces_it(
    integrity: ModuleType,
) -> None:
    html = (
        "<html><body><p>[ <a href='/leahy'>Pat Leahy: Ireland has been regarded as among the "
        "most pro-Palestinian members</a> ]</p></body></html>"
    )
    kept = (
        "\\[ [Pat Leahy: Ireland has been regarded as among the most pro-Palestinian members]"
        "(https://a.example/leahy) \\]"
    )
    assert integrity.stored_lines(kept) == [
        "[ Pat Leahy: Ireland has been regarded as among the most pro-Palestinian members ]"
    ]
    assert integrity.measure(html, kept, "https://a.example/").glued == 0


def test_a_picture_between_two_words_sets_them_apart(integrity: ModuleType) -> None:
    html = (
        "<html><body><p>The council asked <a href='/okafor'>Maria Okafor</a><img "
        "src='/okafor.jpg'><a href='/okafor'>Maria Okafor, engineer</a> to inspect it.</p>"
        "</body></html>"
    )
    apart = "The council asked [Maria Okafor](/okafor) ![](/okafor.jpg) [Maria Okafor, engineer]"
    apart += "(/okafor) to inspect it."
    # (the stored side reads a picture as a space already)
    assert integrity.measure(html, apart, "https://a.example/").split == 0


def test_the_line_breaks_of_code_are_the_page_s_own(integrity: ModuleType) -> None:
    """A browser shows the source's line breaks inside <pre>: code stored line by line is
    not a broken paragraph, and code stored on one line is."""
    html = (
        "<html><body><p>Install the package and import it as follows.</p>"
        "<pre><code>import harbour\nquay = harbour.Quay(name='north')\nquay.close()</code></pre>"
        "</body></html>"
    )
    kept = "Install the package and import it as follows.\n\n```\nimport harbour\n"
    kept += "quay = harbour.Quay(name='north')\nquay.close()\n```"
    assert integrity.measure(html, kept, None).broken == 0
    assert integrity.measure(html.replace("<pre>", "<div>"), kept, None).broken == 2
    # The page shows the code both ways (a reader's comment quotes it on one line): line by
    # line is how the page shows it too, so not broken.
    quoted = "<p>You wrote import harbour quay = harbour.Quay(name='north') quay.close()</p>"
    assert integrity.measure(html.replace("</pre>", f"</pre>{quoted}"), kept, None).broken == 0


def test_a_byline_under_a_headline_s_link_is_not_a_broken_line(integrity: ModuleType) -> None:
    """The headline, a link under it, then the byline: stored without the link, headline and
    byline are two lines as the article shows them, though a teaser elsewhere on the page
    runs them into one line."""
    article = (
        "<h1>Quay works</h1><div><a href='/tr'>Quay works: translation</a></div>"
        "<div>by Ann Tern</div><p>The harbour works go on through the summer.</p>"
    )
    teaser = "<ul><li><a href='/q'>Quay works</a> by Ann Tern The harbour works go on</li></ul>"
    html = f"<html><body>{article}{teaser}</body></html>"
    kept = "# Quay works\n\nby Ann Tern\n\nThe harbour works go on through the summer."
    assert integrity.measure(html, kept, None).broken == 0
    # Without the line between them the article shows the two on one line nowhere apart.
    joined = html.replace("</h1><div><a href='/tr'>Quay works: translation</a></div>", "</h1>")
    assert integrity.measure(joined.replace("<h1>Quay works</h1>", ""), kept, None).broken == 1


def test_a_list_the_page_shows_is_not_stored_twice_though_its_items_repeat_words(
    integrity: ModuleType,
) -> None:
    """The page's words are read in order across its lines, as a stored block's are across
    its lines: a list of episodes, each a date over the same title, is stored as often as
    the page shows it, not more; the same list stored twice is."""
    days = range(21, 15, -1)
    items = "".join(f"<li><span>{d}. June 2020.</span><h4>Morning news</h4></li>" for d in days)
    html = f"<html><body><h2>Watch</h2><ul>{items}</ul></body></html>"
    kept = "\n".join(f"- {d}. June 2020.\n#### Morning news" for d in days)
    assert integrity.measure(html, kept, None).duplicated == 0
    assert integrity.measure(html, f"{kept}\n\n{kept}", None).duplicated == 1


def test_a_heading_whose_section_went_is_not_left_behind() -> None:
    from newsarchive.extract.furniture import without_furniture

    links = "\n".join(
        f"- [Story {n}](https://northbridge-courier.example/news/{n})" for n in range(1, 5)
    )
    body = without_furniture(
        [
            "## The works",
            "The northern quay closes on Monday for the summer.",
            "## More from the harbour",
            links,
            "### Further reading",
            "## Timeline",
            "### Phase one",
            "Pilings are tested in June.",
        ],
        URL,
    )
    assert body.split("\n\n") == [
        "## The works",
        "The northern quay closes on Monday for the summer.",
        "## Timeline",
        "### Phase one",
        "Pilings are tested in June.",
    ]


def test_a_heading_the_page_shows_over_another_stays() -> None:
    """Only a heading next to what went is an orphan: an intro set as a heading right above
    the first section's heading is what the page shows."""
    from newsarchive.extract.furniture import without_furniture

    blocks = [
        "### For months the quay works were put off, and now they begin at last.",
        "### The first phase",
        "The northern quay closes on Monday for the summer.",
    ]
    assert without_furniture(blocks, URL).split("\n\n") == blocks
    # The same sentence last is the text's closing line, set large: it stays too.
    assert without_furniture(blocks[1:] + blocks[:1], URL).split("\n\n") == blocks[1:] + blocks[:1]
    # A heading last that is no sentence, or beside what went, is a leftover like any other.
    title = "### More of the quay works, the ferries and the market on the square and in town"
    assert without_furniture([*blocks[1:], title], URL).split("\n\n") == blocks[1:]
    links = "- [Ferries](/news/ferries)\n- [Market](/news/market)"
    closing = [*blocks[1:], blocks[0], links]
    assert without_furniture(closing, URL).split("\n\n") == blocks[1:]


def test_words_run_together_around_headings_and_digits_are_spaced_as_the_page_shows() -> None:
    """trafilatura writes a heading inside a list item in the middle of the item's line and
    joins the lines of its boxes: against the page's own text the spaces come back, and
    only where the page shows them."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.spacing import respace
    from newsarchive.extract.text import match_key

    item = (
        "Basic module Core Field 12 Networked systems Engine mechanics 2 years at the school "
        "(BMW) 3 years of training with \\[box\\] marks"
    )
    page = [f"- {item}", "The MP3 player and H2O stay as they are, as the page shows them."]
    dom = [DomBlock("li", line, match_key(line)) for line in page]
    md = (
        "- [Basic module](/modules/basic)Core ## Field 12 Networked systems Engine mechanics2 "
        "years at the school (BMW)3 years of training with\\[box\\] marks\n"
        "- The MP3 player and H2O stay as they are, as the page shows them."
    )
    (fixed,) = respace([MdBlock("list", md, match_key(md))], dom)
    assert "basic)Core ## Field" not in fixed.md
    assert "mechanics 2 years" in fixed.md
    assert "(BMW) 3 years" in fixed.md
    assert "with \\[box\\] marks" in fixed.md
    assert "MP3 player and H2O" in fixed.md


def test_words_run_together_outside_the_container_are_spaced_as_the_whole_page_shows() -> None:
    """A box trafilatura keeps from outside the container the walker read (a team sheet, a
    recipe's steps) is compared with the text of the whole page: a space goes in where the
    page shows the words apart and never together, nowhere else, and not on a huge page."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.spacing import respace
    from newsarchive.extract.text import match_key

    container = [DomBlock("p", FILLER, match_key(FILLER))]
    md = (
        "- Coach:C. Pelissier, squad:Y. Wissa\n- Bake it 35 min.in the lower third, then cool"
        "\n- 2Heat the oven to 180 degrees"
    )
    shown = (
        "Menu Home Coach: C. Pelissier, squad: Y. Wissa "
        "Bake it 35 min. in the lower third, then cool 2 Heat the oven to 180 degrees " + FILLER
    )
    (fixed,) = respace([MdBlock("list", md, match_key(md))], container, lambda: shown)
    assert fixed.md == (
        "- Coach: C. Pelissier, squad: Y. Wissa\n- Bake it 35 min. in the lower third, then cool"
        "\n- 2 Heat the oven to 180 degrees"
    )
    glued_there = shown.replace("min. in", "min.in")  # the page shows them together somewhere
    (kept,) = respace([MdBlock("list", md, match_key(md))], container, lambda: glued_there)
    assert "35 min.in the lower" in kept.md
    assert "Coach: C. Pelissier" in kept.md
    huge = shown + " filler words" * 20_000
    (unchanged,) = respace([MdBlock("list", md, match_key(md))], container, lambda: huge)
    assert unchanged.md == md


def _respaced(md: str, shown: list[str], whole: str | None = None) -> str:
    """A list block `md` respaced against a container whose lines are `shown` (and a whole
    page whose text is `whole`)."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.spacing import respace
    from newsarchive.extract.text import match_key

    dom = [DomBlock("li", line, match_key(line)) for line in shown]
    (fixed,) = respace([MdBlock("list", md, match_key(md))], dom, whole and (lambda: whole))
    return fixed.md


def test_a_team_sheet_run_together_is_spaced_where_the_page_starts_each_name() -> None:
    """Names in boxes of their own, joined by trafilatura into one line: each junction is
    compared with the page up to the junctions beside it, over the page's lines, with any
    Latin letter ("Grbić"); "29P. Hamel", which the page shows so, stays."""
    shown = ["Substitutes", "29P. Hamel", "U. Bozok", "27A. Grbić", "J. Hergault", FILLER]
    md = "- Substitutes29P. HamelU. Bozok27A. GrbićJ. Hergault"
    assert _respaced(md, shown) == "- Substitutes 29P. Hamel U. Bozok 27A. Grbić J. Hergault"


def test_a_space_lost_before_punctuation_or_a_number_comes_back_as_the_page_shows() -> None:
    """After markup any character may follow a lost space (a dash, a guillemet); a colon
    before a number is a junction too; and where the text goes on differently ("et al ."),
    the word after the junction decides."""
    shown = [
        "Jakarta - A young woman was taken to hospital.",
        "2011: ›Font-Space-Twister‹ at the Creative Radar, Erfurt",
        "Motorway:",
        "6.0 km",
        "Peasah SK , Breese J , et al. Influenza cost and cost-effectiveness studies.",
        "The score was 10:30 at half time.",
    ]
    md = (
        "- **Jakarta**- A young woman was taken to hospital.\n"
        "- **2011:**›Font-Space-Twister‹ at the Creative Radar, Erfurt\n- Motorway:6.0 km\n"
        "- Peasah SK , Breese J ,et al . Influenza cost and cost-effectiveness studies.\n"
        "- The score was 10:30 at half time."
    )
    assert _respaced(md, shown).split("\n") == [
        "- **Jakarta** - A young woman was taken to hospital.",
        "- **2011:** ›Font-Space-Twister‹ at the Creative Radar, Erfurt",
        "- Motorway: 6.0 km",
        "- Peasah SK , Breese J , et al . Influenza cost and cost-effectiveness studies.",
        "- The score was 10:30 at half time.",
    ]


def test_a_short_context_found_loosely_is_overruled_by_the_page_showing_it_joined() -> None:
    """A name the page shows as one word, in a box outside the container, stays one word
    even though the container shows its parts apart elsewhere ("Business Insider")."""
    shown = ['Search for "Business Insider" in your settings.', FILLER]
    whole = f'Search for "Business Insider" in your settings. BusinessInsiderDe {FILLER}'
    assert _respaced("- BusinessInsiderDe", shown, whole) == "- BusinessInsiderDe"
    assert _respaced("- BusinessInsiderDe", shown) == "- Business InsiderDe"


def test_a_box_of_paragraphs_is_one_line_per_paragraph_and_its_code_as_it_is() -> None:
    """trafilatura keeps some boxes whole, several paragraphs in one block: each paragraph
    is one line as the page shows it, while the lines of its code stay."""
    page = [
        "**1. Joy and ease.**",
        "Because I believe that our joy is a positive and basic drive in business and in "
        "private life too.",
        "```\nimport harbour\nquay.close()\n```",
    ]
    md = (
        "**1. Joy and ease.**\n\nBecause\nI believe that our joy is a positive and basic drive\n"
        "in business and in private life too.\n\n```\nimport harbour\nquay.close()\n```"
    )
    assert respaced_box(md, page).split("\n\n") == page


def respaced_box(md: str, shown: list[str]) -> str:
    """A box that trafilatura keeps as one block (`md`), respaced against a page whose
    paragraphs are `shown`."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.spacing import respace
    from newsarchive.extract.text import match_key

    dom = [DomBlock("p", line, match_key(line)) for line in shown]
    (fixed,) = respace([MdBlock("div", md, match_key(md))], dom)
    return fixed.md


def test_an_item_kept_without_the_links_that_end_it_is_not_put_back_twice() -> None:
    """A reference list that trafilatura keeps without each item's closing links ("[PubMed]")
    is stored once; an item it lost goes back in."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.repair import Header, _repair
    from newsarchive.extract.text import match_key

    refs = [
        "Peyriere H et al. Variability in the clinical pattern of side effects. 2006;155:422-8.",
        "Cacoub P et al. The syndrome: a literature review of the cases. Am J Med. 2011;124:588.",
    ]
    kept = "\n".join(f"{n}. {ref}" for n, ref in enumerate(refs[:1], 1))
    links = " [PubMed](https://pubmed.example/1) [Google Scholar](https://scholar.example/1)"
    dom = [DomBlock("p", FILLER, match_key(FILLER), len(FILLER))]
    dom += [
        DomBlock("li", f"- {ref}{links}", match_key(ref + links), len(ref) + 20, 20) for ref in refs
    ]
    md = [MdBlock("p", FILLER, match_key(FILLER)), MdBlock("list", kept, match_key(kept))]
    out = _repair(md, dom, Header(set(), set()))
    assert out == [FILLER, kept, f"- {refs[1]}{links}"]


def test_a_huge_page_is_searched_near_where_the_last_paragraph_was_found() -> None:
    """Respacing compares each paragraph with the page's text: on a huge page only near the
    previous one, so that extraction stays near-linear; a small page is searched whole."""
    from newsarchive.extract.blocks import DomBlock
    from newsarchive.extract.spacing import page_text

    lines = [f"Tiny paragraph {n} here." for n in range(20_000)]
    huge = page_text(DomBlock("p", line, "") for line in lines)
    assert len(huge) > 200_000
    assert "Tiny paragraph 10 here.\nTiny paragraph 11 here." in huge
    assert "Tiny paragraph 19990 here." not in huge  # far ahead of the last find
    assert "Tiny paragraph 400 here." in huge  # near it: found, and the search moves on
    assert "Tiny paragraph 5 here." not in huge  # far behind it now
    small = page_text(DomBlock("p", line, "") for line in lines[:100])
    assert "Tiny paragraph 99 here." in small and "Tiny paragraph 0 here." in small


def test_the_author_s_bio_after_the_article_is_no_part_of_it() -> None:
    """A short paragraph after the article that says who its author is goes; the same words
    inside the article (a colleague quoted) stay."""
    head = "<meta name='author' content='Jane Doe'>"
    inside = "Jane Doe is a reporter, the harbour master said, and she asked the right questions."
    bio = (
        "<p><em><a href='/staff/jane-doe'>Jane Doe</a> is a senior reporter at the "
        "Northbridge Courier covering the harbour and city hall.</em></p>"
    )
    shown = page(f"<p>{inside}</p>", head)
    with_bio = dataclasses.replace(
        shown, raw=shown.html.replace("</article>", f"{bio}</article>").encode()
    )
    stored = extract(with_bio)
    assert stored.authors == ("Jane Doe",)
    assert "senior reporter" not in stored.body
    assert inside in stored.body and FILLER.replace("summer", "autumn") in stored.body


SHORT_ARTICLE = [
    "A second survey of the southern quay, which was built in 1911, will follow in the "
    "autumn, the harbour master said on Tuesday.",
    "The quay's cranes, the last of the steam age, are to be kept as a monument, and a "
    "museum is planned in the old customs house.",
    "The harbour authority said the works would continue through the summer, with the "
    "northern quay closed to traffic until the new pilings have been tested.",
    "Residents were told that the ferry timetable would not change during that time, and "
    "that the market on the quay would move to the square by the town hall.",
    "The council expects the works to cost four million pounds, most of it paid by the "
    "port, and the new quay to open to ships in the spring of next year.",
    "Fishermen asked for a berth of their own while the works go on; the authority said it "
    "would answer them before the end of the month, after a survey.",
]


def test_an_article_is_not_cut_down_to_the_site_s_slogan() -> None:
    """A page whose article sits in a box that trafilatura passes over (here an unclosed
    sidebar around it) keeps the article's text, not the slogan trafilatura read instead."""
    slogan = "Your daily news from the harbour and the town."
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Harbour works begin</title></head><body>"
        f"<div class='claim'><p>{slogan}</p></div>"
        "<aside class='sidebar'><div class='menu'><a href='/port'>Port</a> "
        "<a href='/town'>Town</a></div><article><h1>Harbour works begin</h1>"
        + "".join(f"<p>{p}</p>" for p in SHORT_ARTICLE)
        + "</article></aside></body></html>"
    )
    shown = dataclasses.replace(page(""), raw=html.encode())
    assert extract(shown).body.split("\n\n") == SHORT_ARTICLE


def test_an_author_s_bio_goes_after_a_label_a_parenthesis_or_promotions() -> None:
    """The bio after the article is known by what it says of the author whatever stands
    around it: a label and titles before the name, a parenthesis after it, the last
    paragraph of a box of several, promotions after it, or a heading "About the author"."""
    from newsarchive.extract.furniture import without_bio

    text = "The northern quay closes on Monday for the summer."
    teasers = "- [More harbour news](https://northbridge-courier.example/news/1)\n- [Ferries](/2)"
    authors = ("Jane Doe", "John Roe")
    cases = [
        [text, "Author: Prof. Dr. Jane Doe is the paper's harbour correspondent."],
        [text, "*Jane Doe (born 1962) writes about ports and shipping.*"],
        [f"{text}\n\n**John Roe** joined the Courier in 2022."],
        [text, "Jane Doe is a reporter at the Courier.", teasers],
        [text, "### About the author", "Jane Doe covers the harbour.", "Her book is out now."],
    ]
    for blocks in cases:
        # The promotions stay for without_furniture, which drops them.
        assert without_bio(blocks, authors, URL) == [text] + [teasers] * (teasers in blocks)
    # The text itself stays, also where it names the author.
    kept = [text, "Jane Doe said the quay would reopen in the autumn, and went home."]
    assert without_bio(kept, authors, URL) == kept
    assert without_bio([f"{text}\n\nJane Doe is a reporter."], (), URL) == [
        f"{text}\n\nJane Doe is a reporter."
    ]


def test_the_line_that_says_how_to_reach_the_reporter_goes_after_the_article() -> None:
    """ "Have a tip? Jane Doe may be reached at ..." after the last paragraph goes, whether
    or not the page names its author; inside the text such a line (a tip line) stays."""
    from newsarchive.extract.furniture import without_bio

    text = "The northern quay closes on Monday for the summer."
    contact = "*Have a tip? Jane Doe may be reached at jdoe@courier.example. Follow her.*"
    assert without_bio([text, contact], (), URL) == [text]
    assert without_bio([text, "Tips can be reached at tips@courier.example."], (), URL) == [text]
    inside = [text, "The tip line can be reached at tips@port.example, the board said.", text]
    assert without_bio(inside, (), URL) == inside


def test_a_run_of_links_to_the_site_s_other_stories_after_the_article_goes() -> None:
    """Headline links to the site's other pages, one a block, after the last paragraph are
    a list of related stories; a link to a source elsewhere, or one link alone, stays."""
    from newsarchive.extract.furniture import without_furniture

    text = "The northern quay closes on Monday for the summer."
    related = [
        "[Ferry timetable changes](https://northbridge-courier.example/news/ferries)",
        "![](https://northbridge-courier.example/img/ferry.jpg)",
        "## [Market moves to the square](/news/market)",
    ]
    assert without_furniture([text, *related], URL) == text
    assert without_furniture([text, "### Read more", *related], URL) == text
    sources = [
        "[Harbour authority report](https://harbour-authority.example/report.pdf)",
        "[Council minutes](https://council.example/minutes)",
    ]
    assert without_furniture([text, *sources], URL).split("\n\n") == [text, *sources]
    assert without_furniture([text, related[0]], URL).split("\n\n") == [text, related[0]]


def test_the_whole_page_s_text_has_a_space_where_a_browser_starts_a_new_line() -> None:
    """Two players in two `<div>`s with nothing between them in the source are two lines on
    the page: the text a box outside the container is compared with says so."""
    import lxml.html

    from newsarchive.extract.dom import spaced_text, text_of

    sheet = lxml.html.fragment_fromstring(
        "<ul><li><div>SQUAD</div><div><div><span>Y. Wissa</span></div><div><span>T. Fontaine"
        "</span></div></div></li><li>Coach<br>C. Pelissier<script>x()</script></li></ul>"
    )
    assert text_of(sheet) == "SQUADY. WissaT. FontaineCoachC. Pelissier"
    assert spaced_text(sheet) == "SQUAD Y. Wissa T. Fontaine Coach C. Pelissier"


def test_a_box_cut_at_an_inline_element_is_one_paragraph_without_a_space_before_its_mark() -> None:
    """trafilatura keeps a box of text as one block, cut into paragraphs at an emphasised
    link, and puts a space between the link and the full stop after it: the page shows one
    paragraph, and the mark against the word."""
    shown = [
        "Sources cited by the trade paper *[Harbour Times](https://example.org/)*. A preview "
        "of the report was shared with subscribers.",
        "The second paragraph, which the page sets apart with two line breaks, stays apart.",
    ]
    md = (
        "Sources cited by the trade paper\n\n*[Harbour Times](https://example.org/)* . A "
        "preview of the report was shared with subscribers.\n\nThe second paragraph, which the "
        "page sets apart with two line breaks, stays apart."
    )
    assert respaced_box(md, shown).split("\n\n") == shown
    # Where the page itself writes the space, it stays.
    spaced = [line.replace(")*.", ")* .") for line in shown]
    assert "*[Harbour Times](https://example.org/)* . A preview" in respaced_box(md, spaced)


def _slide(n: int) -> str:
    """A teaser as a blog theme writes it: its picture, then structured data in a hidden
    `<span>` (the full picture's address and size, the author, a timestamp)."""
    return (
        f"<article class='slide-entry'><a href='/news/story-{n}'><img src='/img/s{n}-495x400.jpg'>"
        f"<small>Quay {n}</small></a><h3><a href='/news/story-{n}'>Story {n}</a></h3>"
        "<span class='hidden'>"
        "<span itemprop='image' itemscope itemtype='https://schema.org/ImageObject'>"
        f"<span itemprop='url'>https://northbridge-courier.example/img/s{n}.jpg</span>"
        "<span itemprop='height'>1707</span> <span itemprop='width'>2560</span></span>"
        "<span itemprop='author' itemscope><span itemprop='name'>Jane Roe</span></span>"
        f"<span itemprop='datePublished'>2024-05-0{n} 08:45:00</span></span></article>"
    )


def test_structured_data_the_page_hides_is_no_part_of_the_text() -> None:
    """The hidden microdata under each teaser's picture is data for machines: the lines
    trafilatura makes of it go, the picture and its credit stay, and the DOM walker does
    not read it. A byline or a heading that says the same as the data stays, and a hidden
    box with words of its own is not such data."""
    from newsarchive.extract.blocks import MdBlock, Walker
    from newsarchive.extract.repair import _without_structured_data
    from newsarchive.extract.text import match_key

    root = lxml.html.fromstring(
        f"<html><body><p>By Jane Roe</p><p>{FILLER}</p>{_slide(1)}{_slide(2)}</body></html>"
    )
    kept_as = [
        "By Jane Roe",
        FILLER,
        "![](/img/s1-495x400.jpg) Quay 1\nhttps://northbridge-courier.example/img/s1.jpg\n1707"
        "\n2560\nJane Roe2024-05-01 08:45:00",
        "![](/img/s2-495x400.jpg) Quay 2\nhttps://northbridge-courier.example/img/s2.jpg\n"
        "1707\n2560\nJane Roe2024-05-02 08:45:00",
        "https://northbridge-courier.example/img/s1.jpg\n1707",
        "Jane Roe",
    ]
    blocks = [MdBlock("p", md, match_key(md)) for md in kept_as]
    assert [b.md for b in _without_structured_data(blocks, root)] == [
        "By Jane Roe",
        FILLER,
        "![](/img/s1-495x400.jpg) Quay 1",
        "![](/img/s2-495x400.jpg) Quay 2",
        "Jane Roe",
    ]
    walker = Walker("https://northbridge-courier.example/")
    walker.walk(root.find("body"))
    shown = " ".join(block.md for block in walker.blocks)
    assert "Story 1" in shown and "1707" not in shown and "08:45:00" not in shown
    own_words = "<span class='hidden'>Updated <span itemprop='dateModified'>3 May</span></span>"
    assert not is_hidden_structured_data(lxml.html.fragment_fromstring(own_words))


def test_words_run_together_in_a_table_cell_are_spaced_as_the_page_shows() -> None:
    """A table's cells are checked as paragraphs are: two links run together where the
    page shows a space between them get it back; cell borders stay as they are."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.spacing import respace
    from newsarchive.extract.text import match_key

    shown = ["Posted by Bjoern Maehler VSU Clan on 12 May", "Reply | Quote"]
    dom = [DomBlock("p", line, match_key(line)) for line in shown]
    md = "| Posted by [Bjoern Maehler](/u/1)[VSU Clan](/c/2) on 12 May |\n| --- |"
    (fixed,) = respace([MdBlock("table", md, match_key(md))], dom)
    assert fixed.md == "| Posted by [Bjoern Maehler](/u/1) [VSU Clan](/c/2) on 12 May |\n| --- |"


def test_words_run_together_across_two_lines_of_the_page_are_two_words() -> None:
    """trafilatura runs the last word of one box into the first of the next with no markup
    between ("OUTOUT!!!"): a word that the page shows as two, at the end of one line and
    the start of the next, and never as one, is split there. A word broken by a hyphen at
    the end of a line stays one, and so does a word the page also shows whole."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.spacing import respace
    from newsarchive.extract.text import match_key

    container = [DomBlock("p", FILLER, match_key(FILLER))]
    lines = (
        f"Live Score: OUT\nOUT!!! Shami departs for 2.\nThe Fach-\nkunde book\n{FILLER}\n"
        "COACH\nR Garcia"
    )
    md = "- Live Score: OUTOUT!!! Shami departs for 2.\n- The Fach-kunde book\n- COACHR Garcia"

    def respaced(page_lines: str) -> str:
        blocks = [MdBlock("list", md, match_key(md))]
        (fixed,) = respace(
            blocks, container, lambda: " ".join(page_lines.split()), lambda: page_lines
        )
        return fixed.md

    assert respaced(lines) == (
        "- Live Score: OUT OUT!!! Shami departs for 2.\n- The Fach-kunde book\n- COACH R Garcia"
    )
    shown_whole = lines + "\nCOACHR is the club's magazine"
    assert "- COACHR Garcia" in respaced(shown_whole)


def test_a_paragraph_kept_with_an_advert_s_label_inside_is_not_put_back_twice() -> None:
    """trafilatura keeps the label of an advertisement placed inside a paragraph ("Anzeige"),
    which the DOM walker leaves out: the two are one paragraph, stored once. A caption whose
    words are only in a picture's description is not kept by that, and goes back in."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.repair import Header, _repair
    from newsarchive.extract.text import match_key

    shown = (
        "The company has added a research group to the centre it founded four years ago, "
        "and wants to use enzymes to make its products greener."
    )
    kept = shown.replace("centre it founded", "centre Anzeige it founded")
    caption = "A reference habitation module for a crewed Mars mission. — ESA"
    picture = f"![{caption.replace(' —', ' Credit:')}](https://cdn.example/module.jpg)"
    dom = [DomBlock("p", FILLER, match_key(FILLER), len(FILLER))]
    dom += [DomBlock("p", shown, match_key(shown), len(shown))]
    dom += [DomBlock("img", picture, "", image="https://cdn.example/module.jpg", figure=True)]
    dom += [DomBlock("caption", f"*{caption}*", match_key(caption), len(caption))]
    md = [MdBlock("p", md, match_key(md)) for md in (FILLER, kept, picture)]
    out = _repair(md, dom, Header(set(), set()))
    assert out == [FILLER, kept, picture, f"*{caption}*"]


def _respaced_blocks(
    blocks: list[tuple[str, str]], container: list[str], page_lines: str = ""
) -> list[str]:
    """`respace` on trafilatura's `blocks` (tag, Markdown) against the container's lines
    and the whole page's lines."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.spacing import respace
    from newsarchive.extract.text import match_key

    dom = [DomBlock("p", line, match_key(line)) for line in container]
    md = [MdBlock(tag, text, match_key(text)) for tag, text in blocks]
    lines = page_lines or "\n".join(container)
    fixed = respace(md, dom, lambda: " ".join(lines.split()), lambda: lines)
    return [block.md for block in fixed]


def test_a_paragraph_split_at_a_link_outside_the_article_s_container_is_one_line() -> None:
    """trafilatura cuts a box's text at each link when the text stands in a `<div>` of its
    own, in a box outside the container the DOM walker reads (a comment box's rules): the
    whole page's lines say it is one line. Paragraphs the page shows on two lines stay."""
    blocks = [
        ("p", "If a comment violates these standards or our"),
        ("p", "[terms of service](/terms), click the flag link. To find out more, read our"),
        ("p", "[FAQ](/faq)."),
        ("p", "Comments are closed after seven days."),
    ]
    lines = (
        f"{FILLER}\nIf a comment violates these standards or our terms of service, click the "
        "flag link. To find out more, read our FAQ.\nComments are closed after seven days."
    )
    assert _respaced_blocks(blocks, [FILLER], lines) == [
        "If a comment violates these standards or our [terms of service](/terms), click the "
        "flag link. To find out more, read our [FAQ](/faq).",
        "Comments are closed after seven days.",
    ]


def test_a_paragraph_cut_after_a_heading_s_block_or_inside_a_paragraph_is_one_line() -> None:
    """A paragraph cut at a bold run goes on after the text trafilatura kept with the
    heading before it, and a line cut inside one block (at a link after a label) is joined
    as between blocks; the heading itself stays a line of its own."""
    shown = [
        "The plotter",
        "The new printers help designers to speed up their work, without needless costs.",
        "Phone: 00800 400 200",
    ]
    blocks = [
        ("head", "## The plotter\n\nThe new printers help designers to"),
        ("p", "**speed up their work, without needless costs.**"),
        ("p", "**Phone:**\n\n[00800 400 200](tel:00800400200)"),
    ]
    assert _respaced_blocks(blocks, shown) == [
        "## The plotter\n\nThe new printers help designers to **speed up their work, without "
        "needless costs.**",
        "**Phone:** [00800 400 200](tel:00800400200)",
    ]


def test_paragraphs_are_joined_only_where_the_page_s_own_lines_agree() -> None:
    """A list item cut at a link goes on in the paragraph after it where the page shows one
    line; where the container's text runs lines together (a box's last item and the
    paragraph under it, a heading's lines at its `<br>`s), the whole page's lines, which
    show the break, keep the two apart. Two links side by side with nothing between them in
    the source ("Previous", "Next") are not run into one word."""
    item = ("list", "- Read the full report of the harbour authority on the")
    rest = ("p", "[pilings](/report) before the quay opens.")
    shown = ["Read the full report of the harbour authority on the pilings before the quay opens."]
    assert _respaced_blocks([item, rest], shown) == [
        "- Read the full report of the harbour authority on the [pilings](/report) before the "
        "quay opens."
    ]
    run_together = ["Picture: The chapel in Wachendorf, rammed concrete wall with glass"]
    lines = "Picture: The chapel in Wachendorf,\nrammed concrete wall with glass"
    blocks = [("p", "Picture: The chapel in Wachendorf,\n\nrammed concrete wall with glass")]
    assert _respaced_blocks(blocks, run_together, lines) == [blocks[0][1]]
    blocks = [("list", "- The chapel in Wachendorf,"), ("p", "rammed concrete wall with glass")]
    assert _respaced_blocks(blocks, run_together, lines) == [md for _, md in blocks]
    links = [("p", "[Previous](/p/1)"), ("p", "[Next](/p/3)")]
    assert _respaced_blocks(links, [FILLER], f"{FILLER}\nPreviousNext") == [
        "[Previous](/p/1)",
        "[Next](/p/3)",
    ]


def test_a_box_holding_a_list_item_trafilatura_kept_is_not_put_back_twice() -> None:
    """The DOM walker reads a list item with a sub-list or a banner inside as one block;
    trafilatura kept the item (and not all that is inside it): the item is stored once.
    So is a paragraph trafilatura kept with its picture amid its words."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.repair import Header, _repair
    from newsarchive.extract.text import match_key

    items = (
        "- Power orientation: the degree of authority a leader adopts to influence the "
        "behaviour of the team, further classified as:\n- Leadership as a continuum."
    )
    picture = "![Printer M8](https://cdn.example/m8.jpg)"
    kept_para = f"We offer printers of the makers {picture} Microplex, Zebra, Citizen and Godex."
    md = [MdBlock("p", FILLER, match_key(FILLER)), MdBlock("list", items, match_key(items))]
    md += [MdBlock("p", kept_para, match_key(kept_para))]
    item = (
        "- Power orientation: the degree of authority a leader adopts to influence the "
        "behaviour of the team, further classified as: Autocratic Participative "
        "![Join us](https://cdn.example/banner.jpg) Register now"
    )
    shown_para = f"[{picture}](/printers)We offer printers of the makers Microplex, Zebra, "
    shown_para += "Citizen and Godex."
    dom = [DomBlock("p", FILLER, match_key(FILLER), len(FILLER))]
    dom += [DomBlock("li", item, match_key(item), len(item))]
    dom += [DomBlock("p", shown_para, match_key(shown_para), len(shown_para))]
    assert _repair(md, dom, Header(set(), set())) == [FILLER, items, kept_para]


NESTED = (
    "<table><tr><td>Spring</td></tr><tr><td><b>Monday</b>"
    "<table><tr><td>8:10 AM</td><td>Leaves her trailer to read near the graveyard.</td></tr>"
    "<tr><td>12:30 PM</td><td>Returns to the trailer to wash the dishes.</td></tr></table>"
    "</td></tr></table>"
)


def test_a_table_inside_a_table_s_cell_is_stored_once() -> None:
    """The rows of a table inside a cell are rows of the outer table, and the cell keeps
    only its own text; the table matches trafilatura's, kept inside a box of text, and is
    not put back. A table laying out tables does not replace trafilatura's reading."""
    from newsarchive.extract.blocks import MdBlock, Walker
    from newsarchive.extract.repair import Header, _repair
    from newsarchive.extract.text import match_key

    walker = Walker("https://northbridge-courier.example/")
    walker.walk(lxml.html.fromstring(f"<div>{NESTED}</div>"))
    (table,) = walker.blocks
    assert table.md.count("Leaves her trailer") == 1 and table.layout
    assert "| **Monday** |" in table.md
    kept = (
        "| Spring |\n| **Monday** |\n| 8:10 AM | Leaves her trailer to read near the "
        "graveyard. |\n| 12:30 PM | Returns to the trailer to wash the dishes. |"
    )
    box = f"{FILLER}\n\n{kept}"
    md = [MdBlock("div", box, match_key(box))]
    assert _repair(md, [table], Header(set(), set())) == [box]
    lost = kept.rsplit("\n", 1)[0]  # a row short: the page's would complete it
    md = [MdBlock("table", lost, match_key(lost))]
    assert _repair(md, [table], Header(set(), set())) == [lost]


TABS = (
    "<table><tr><td>Summer</td></tr><tr><td><b>Sunny weather</b> <b>Rain</b>"
    "<table><tr><td>8:10 AM</td><td>Wakes up and walks through town to the river.</td></tr>"
    "<tr><td>1:00 PM</td><td>Walks back through town to the community center.</td></tr></table>"
    "<table><tr><td>8:00 AM</td><td>Leaves her trailer and walks into the museum.</td></tr>"
    "<tr><td>12:00 PM</td><td>Goes up to the carpenter's shop and sits inside.</td></tr>"
    "<tr><td>6:00 PM</td><td>Leaves the shop and returns to the trailer for dishes.</td></tr>"
    "</table></td></tr></table>"
)


def test_a_table_put_back_in_full_replaces_trafilatura_s_flattened_copy() -> None:
    """trafilatura ran a table of tables into one row of its first nested table: the page's
    table, put back, holds every word of that copy, which goes, and takes its place."""
    from newsarchive.extract.blocks import DomBlock, MdBlock, Walker
    from newsarchive.extract.repair import Header, _repair
    from newsarchive.extract.text import match_key

    walker = Walker("https://northbridge-courier.example/")
    walker.walk(lxml.html.fromstring(f"<div>{TABS}</div>"))
    (table,) = walker.blocks
    lead = DomBlock("p", FILLER, match_key(FILLER), len(FILLER))
    copy = (
        "| Summer |\n| **Sunny weather** **Rain** | 8:10 AM | Wakes up and walks through town "
        "to the river. |  | 1:00 PM | Walks back through town to the community center. |"
    )
    box = f"{FILLER}\n\n{copy}\n\nThe schedule changes in winter."
    md = [MdBlock("div", box, match_key(box))]
    out = _repair(md, [lead, table], Header(set(), set()))
    assert out == [box.replace(copy, table.md)]
    assert out[0].count("Wakes up and walks") == 1 and "Leaves her trailer" in out[0]


def test_the_page_s_lines_break_where_a_browser_breaks_them_not_at_the_source_s_newlines() -> None:
    """A line break in the HTML source is a space to a browser, but inside `<pre>`: the
    page's lines, which decide whether two stored paragraphs are one, follow that."""
    from newsarchive.extract.dom import text_lines

    box = lxml.html.fragment_fromstring(
        "<div><p>If a comment violates\nthese standards, <a href='/flag'>flag\nit</a>."
        "</p><p>Harbour Office<br>12 Quay\nStreet</p><pre>quay = open()\nquay.close()</pre>"
        "</div>"
    )
    assert text_lines(box).split("\n") == [
        "If a comment violates these standards, flag it.",
        "Harbour Office",
        "12 Quay Street",
        "quay = open()",
        "quay.close()",
    ]


def test_a_row_of_pictures_with_names_the_page_shows_on_one_line_is_one_line() -> None:
    """Links side by side, each a small picture and a name (the people and teams an article
    mentions), are one line on the page: stored so, not one paragraph each. Two pictures
    with nothing beside them, or names the page shows on two lines, stay apart."""
    row = [
        ("graphic", "![India](/img/india.png) India Cricket Team"),
        ("graphic", "![Sri Lanka](/img/sri-lanka.png) Sri Lanka Cricket Team"),
        ("graphic", "![Rohit Sharma](/img/rohit.png) Rohit Sharma"),
    ]
    lines = f"{FILLER}\nIndia Cricket Team Sri Lanka Cricket Team Rohit Sharma\nSee also"
    assert _respaced_blocks(row, [FILLER], lines) == [
        "![India](/img/india.png) India Cricket Team "
        "![Sri Lanka](/img/sri-lanka.png) Sri Lanka Cricket Team "
        "![Rohit Sharma](/img/rohit.png) Rohit Sharma"
    ]
    apart = f"{FILLER}\nIndia Cricket Team\nSri Lanka Cricket Team\nRohit Sharma"
    assert _respaced_blocks(row, [FILLER], apart) == [md for _, md in row]
    pictures = [("graphic", "![India](/img/india.png)"), ("graphic", "![Sri Lanka](/img/sl.png)")]
    assert _respaced_blocks(pictures, [FILLER], lines) == [md for _, md in pictures]


def test_a_line_of_the_site_s_menu_links_after_the_article_goes() -> None:
    """Links to the site's own sections on one line after the last paragraph (a menu the
    page shows in a row) go like a list of them; a line of links to sources elsewhere, or
    a line with words of its own between the links, stays."""
    from newsarchive.extract.furniture import without_furniture

    text = "The northern quay closes on Monday for the summer."
    menu = "[Harbour](/news/harbour) | [Live Score](/live) [Ferries](/ferries)"
    assert without_furniture([text, "[World Cup 2023](/world-cup)", menu], URL) == text
    assert without_furniture([text, menu], URL) == text
    sources = (
        "[Authority report](https://harbour-authority.example/r) [Minutes](https://c.example/m)"
    )
    assert without_furniture([text, sources], URL).split("\n\n") == [text, sources]
    prose = "Read [the report](/report) and [the minutes](/minutes) of the council."
    assert without_furniture([text, prose], URL).split("\n\n") == [text, prose]


def test_a_link_to_the_comments_that_ends_a_line_goes_with_the_count_alone() -> None:
    """A link "[1 comment](…)" is furniture as a block of its own and at the end of a line (a
    post's byline and date, on one line with it); a sentence that links the word stays."""
    from newsarchive.extract.furniture import without_furniture

    line = "Blog entry by Jane Roe | 21 February, 2017 [1 comment](/blog/58787#comments)"
    assert without_furniture([line], URL) == "Blog entry by Jane Roe | 21 February, 2017"
    assert without_furniture([FILLER, "[12 Kommentare](/a#comments)"], URL) == FILLER
    sentence = "Readers left [comments](/a#comments) on the plans all week."
    assert without_furniture([sentence], URL) == sentence


def test_a_spacer_shared_by_lazy_pictures_and_settings_in_json_are_the_pictures_they_load() -> None:
    """A `src` that several pictures share while their lazy-loading attributes name
    different pictures is the site's own spacer file: each is stored with the picture it
    loads. A lazy-loading attribute that holds a script's settings as JSON names the picture
    by its "src" there; the JSON itself is no address. A picture whose own `src` differs
    from its lazy-loading one, shared with no other, keeps what trafilatura read."""
    spacer = "//static.example/sc/9b/e151e5.gif"

    def lazy(name: str, alt: str) -> str:
        settings = f'{{"default":{{"load":"defer","src":"//img.example/{name}.img?w=799"}}}}'
        return f"<img src='{spacer}' alt='{alt}' data-src='{settings}'>"

    body = extracted(
        f"<p>{FILLER}</p><figure>{lazy('quay', 'The quay at dawn')}"
        "<figcaption>The quay at dawn.</figcaption></figure>"
        "<p>The council will publish the next phase of the works in June, after the "
        f"pilings are tested.</p><figure>{lazy('pier', 'The old pier')}"
        "<figcaption>The old pier.</figcaption></figure>"
        f"<p>{FILLER.replace('summer', 'spring')}</p>"
        "<figure><img src='/photos/crane-small.jpg' data-src='/photos/crane.jpg' "
        "alt='The crane'><figcaption>The crane.</figcaption></figure>"
    ).body
    assert "(https://img.example/quay.img?w=799)" in body
    assert "(https://img.example/pier.img?w=799)" in body
    assert "e151e5.gif" not in body
    assert "default" not in body and "%7B" not in body
    assert "![The crane](https://northbridge-courier.example/photos/crane" in body


def test_a_post_the_article_embeds_stays_in_the_box_that_frames_it() -> None:
    """A tweet quoted with the network's embedding code stays in the text although the page
    frames it in a box named "social" or "widget"; a share bar beside it does not."""
    tweets = [
        ("social-media-embed", "The new pilings look sturdier than the old quay ever did"),
        ("article-widget article-tweet", "Ferry staff have been told the timetable holds"),
    ]
    text = f"<p>{FILLER}</p>"
    for frame, said in tweets:
        text += (
            f"<div class='{frame}'><blockquote class='twitter-tweet'><p lang='en'>{said}</p>"
            "— Harbour Watch (@harbourwatch) <a href='https://twitter.com/harbourwatch/status/1'>"
            "May 2, 2024</a></blockquote><script async src='https://platform.twitter.com/"
            "widgets.js'></script></div>"
            f"<p>{FILLER.replace('harbour', 'port')}</p>"
        )
    text += "<div class='social-share'><p>Share this story on Facebook and X</p></div>"
    html = (
        "<!DOCTYPE html><html lang='en'><head><title>Harbour works begin</title></head><body>"
        "<article><header><h1>Harbour works begin</h1></header>"
        f"<div class='story-body'>{text}<p>{FILLER}</p></div></article></body></html>"
    )
    stored = reader_text(extract(dataclasses.replace(page(""), raw=html.encode())).body)
    for _, said in tweets:
        assert said in stored
    assert "— Harbour Watch (@harbourwatch) May 2, 2024" in stored
    assert "Share this story" not in stored


def test_a_sidebar_showing_a_post_beside_its_own_text_is_still_a_widget() -> None:
    """A box named as a widget is a post's frame only when the post is most of its text."""
    from newsarchive.extract.widgets import embedded_posts

    post = (
        "<blockquote class='twitter-tweet'><p>Quay closed today</p>— Harbour Watch "
        "(@harbourwatch)</blockquote>"
    )
    frame = lxml.html.fragment_fromstring(f"<div class='social-embed'>{post}</div>")
    assert [el.tag for el in embedded_posts(frame)] == ["blockquote"]
    sidebar = lxml.html.fragment_fromstring(
        "<div class='sidebar'><h3>Most read this week</h3><ul>"
        + "".join(f"<li>Story number {n} of the week's most read</li>" for n in range(6))
        + f"</ul>{post}</div>"
    )
    assert embedded_posts(sidebar) == []


STANDFIRST = "A two-year project will rebuild the northern quay and its ferry berth"


def test_the_standfirst_set_as_a_heading_under_the_headline_is_the_header_s() -> None:
    """The heading right after the headline that says what the page's description says is
    the standfirst: the header shows it, the text does not start with it again."""
    head = f"<meta name='description' content='{STANDFIRST}'>"
    article = extracted(f"<h2 class='sub-head'>{STANDFIRST}</h2><p>{FILLER}</p>", head)
    assert article.extra.get("standfirst") == STANDFIRST
    assert STANDFIRST not in article.body
    assert render_body(article).count(STANDFIRST) == 1


@pytest.mark.parametrize(
    ("body", "head"),
    [
        # A heading that is not the page's description: the text's first section.
        (
            f"<h2>{STANDFIRST}</h2><p>{FILLER}</p>",
            "<meta name='description' content='The harbour works begin on Monday'>",
        ),
        # The description's words as a paragraph too: the text starts with them.
        (
            f"<h2>{STANDFIRST}</h2><p>{STANDFIRST}</p><p>{FILLER}</p>",
            f"<meta name='description' content='{STANDFIRST}'>",
        ),
        # A heading further down, past a paragraph, is a section's.
        (
            f"<p>{FILLER}</p><h2>{STANDFIRST}</h2><p>{FILLER}</p>",
            f"<meta name='description' content='{STANDFIRST}'>",
        ),
    ],
)
def test_a_heading_that_is_no_standfirst_stays_in_the_text(body: str, head: str) -> None:
    article = extracted(body, head)
    assert STANDFIRST in reader_text(article.body)
    assert article.extra.get("standfirst") != STANDFIRST


def test_a_caption_held_in_full_and_cut_short_is_stored_once() -> None:
    """A gallery's caption that the page holds in full and cut short, one shown at a time by
    its "less" and "more" toggles, or twice in full, is stored once, without the toggles."""
    from newsarchive.extract.furniture import without_furniture

    text = "The northern quay closes on Monday for the summer."
    picture = "![Pilings](https://northbridge-courier.example/img/quay.jpg)"
    caption = "Workers lower the first of the new pilings into the northern quay on Monday."
    cut = "Workers lower the first of the new pilings into the"
    once = f"- {picture} {caption} Photo: Jane Roe"
    toggled = f"- {picture} {caption} [less]{cut} [... more] Photo: Jane Roe"
    assert without_furniture([toggled, text], URL) == f"{once}\n\n{text}"
    twice = f"- {picture} {caption} {caption} Photo: Jane Roe"
    assert without_furniture([twice, text], URL) == f"{once}\n\n{text}"
    # A few words said twice, or words without a picture, stay as they are.
    chant = f"{picture} The crowd sang out, walk on, walk on, walk on, with hope in your heart."
    repeated = f"{caption} {caption}"
    assert without_furniture([chant, repeated], URL) == f"{chant}\n\n{repeated}"
    # A link named "More" beside a picture is no toggle.
    linked = f"{picture} Jane Roe [MORE](https://northbridge-courier.example/people/roe) said so."
    assert without_furniture([linked], URL) == linked


def test_a_picture_s_credit_and_caption_the_page_shows_on_one_line_are_one_line() -> None:
    """A line break of the source inside a picture's credit and caption, which the page
    shows on one line, is a space; a credit kept as a paragraph of its own, which the page
    shows on one line with the picture's caption, goes on with the picture and caption."""
    inner = [("graphic", "![Flu shot](/shot.jpg) © John Brecher\nNeedle poking skin at a clinic.")]
    shown = ["© John Brecher Needle poking skin at a clinic."]
    assert _respaced_blocks(inner, [FILLER, *shown]) == [
        "![Flu shot](/shot.jpg) © John Brecher Needle poking skin at a clinic."
    ]
    credit = [
        ("p", "SilviaJansen/Gettyimages"),
        ("graphic", "![Care](/care.jpg) Most homes lack staff"),
    ]
    lines = f"{FILLER}\nSilviaJansen/Gettyimages Most homes lack staff\n{FILLER}"
    assert _respaced_blocks(credit, [FILLER], lines) == [
        "SilviaJansen/Gettyimages ![Care](/care.jpg) Most homes lack staff"
    ]
    apart = f"{FILLER}\nSilviaJansen/Gettyimages\nMost homes lack staff\n{FILLER}"
    assert _respaced_blocks(credit, [FILLER], apart) == [md for _, md in credit]


def test_a_line_under_a_heading_or_over_a_second_line_goes_on_where_the_page_shows_it() -> None:
    """Only the lines that meet are compared when two blocks may be one line: a date that
    trafilatura kept under the headline goes on with the tag links beside it, and a teaser's
    text with the "...detail..." link that ends it, though a line of the teaser follows.
    A number and a period that start the rest of a line are no list's marker."""
    blocks = [
        ("head", "# Good wages are not enough\n\n07.11.2023"),
        ("p", "[Ormalingen](/c/ormalingen), [Baselbiet](/tc/baselbiet)"),
        ("p", "A waterfront villa, available for the first time with"),
        ("p", " **[...detail...](/listing/1)**\n**Bedrooms: 4**"),
        ("p", "The copyright law dates from"),
        ("p", "**1965**. Despite regular changes it lags behind."),
    ]
    shown = [
        "Good wages are not enough",
        "07.11.2023 Ormalingen, Baselbiet",
        "A waterfront villa, available for the first time with ...detail...",
        "Bedrooms: 4",
        "The copyright law dates from 1965. Despite regular changes it lags behind.",
    ]
    assert _respaced_blocks(blocks, shown) == [
        "# Good wages are not enough\n\n07.11.2023 [Ormalingen](/c/ormalingen), "
        "[Baselbiet](/tc/baselbiet)",
        "A waterfront villa, available for the first time with **[...detail...](/listing/1)**"
        "\n**Bedrooms: 4**",
        "The copyright law dates from **1965**. Despite regular changes it lags behind.",
    ]


def test_a_picture_inside_a_line_the_page_shows_stays_inside_it() -> None:
    """trafilatura ends a paragraph at a picture inside it (a flag beside a link) and sets
    the picture apart: where the page shows the words before and after it on one line,
    the three are one line. A figure between two paragraphs stays apart, though a hidden
    copy of the article elsewhere on the page runs the two paragraphs together."""
    blocks = [
        ("p", "[Spanish](/es) version of this article translated by"),
        ("graphic", "![es](/flags/es.png)"),
        ("p", "**Marisela Ordaz**"),
    ]
    shown = ["Read the Spanish version of this article translated by Marisela Ordaz"]
    assert _respaced_blocks(blocks, [FILLER, *shown]) == [
        "[Spanish](/es) version of this article translated by ![es](/flags/es.png) "
        "**Marisela Ordaz**"
    ]
    figure = [
        ("p", "The quay reopens in June."),
        ("graphic", "![The quay](/quay.jpg)"),
        ("p", "The ferry timetable stays."),
    ]
    container = ["The quay reopens in June.", "Donate now", "The ferry timetable stays."]
    lines = "\n".join(container) + "\nThe quay reopens in June. The ferry timetable stays."
    assert _respaced_blocks(figure, container, lines) == [md for _, md in figure]


def test_words_run_together_in_a_table_cell_are_compared_within_their_cell() -> None:
    """A table's cells are blocks of their own on the page: the text on each side of a
    junction is compared up to the cell's edge, so that a link run into the word before it
    in a cell of a layout table gets its space back."""
    md = "| ![](/logo.png) |  | Login oder[neu registrieren](/register)? |"
    shown = [FILLER, "Login", "oder neu registrieren?"]
    assert _respaced_blocks([("table", md)], shown) == [
        "| ![](/logo.png) |  | Login oder [neu registrieren](/register)? |"
    ]


def test_a_line_of_links_broken_before_a_pipe_is_one_line_but_table_rows_stay() -> None:
    """A line break of the source before a pipe between two links ("« Previous | Home⏎|
    Next »") is a space, as the page shows it; a table's rows, which start and end with a
    pipe, stay lines of their own, and so does a row whose cell goes on over lines."""
    nav = "[« Saving energy](/saving) | [Home](/)\n| [World record »](/record)"
    table = "| Quay | Closed |\n| --- | --- |\n| Pier | Open |"
    box = "| **Details** |\n| Penny joins you at the pool.\nShe asks why. |"
    shown = [
        FILLER,
        "« Saving energy | Home | World record »",
        "Quay Closed",
        "Pier Open",
        "Details",
        "Penny joins you at the pool. She asks why.",
    ]
    assert _respaced_blocks([("p", nav), ("table", table), ("div", box)], shown) == [
        "[« Saving energy](/saving) | [Home](/) | [World record »](/record)",
        table,
        "| **Details** |\n| Penny joins you at the pool. She asks why. |",
    ]


def test_a_month_s_calendar_is_no_part_of_the_text() -> None:
    """A booking calendar or an events widget (the days of a month, counting from 1, under
    the month's name and the days of the week) is the site's furniture: it goes, as a block
    of its own and inside a box trafilatura kept whole, in whatever language it is. A
    paragraph with numbers in it, a numbered list, stays."""
    from newsarchive.extract.furniture import without_furniture

    def month(name: str, days: int, week: str) -> str:
        cells = " | ".join(str(day) for day in range(1, days + 1))
        return f"| | **{name}** | | {' | '.join(week.split())} | | {cells} |"

    october = month("Oktober 2020", 31, "Mo Di Mi Do Fr Sa So")
    february = month("February 2020", 29, "Su Mo Tu We Th Fr Sa")
    box = f"{FILLER}\n\n## Availability\n\n{february}\n\n{month('March 2020', 31, 'S M T W T F S')}"
    assert without_furniture([FILLER, october], URL) == FILLER
    assert without_furniture([box], URL) == f"{FILLER}\n\n## Availability"
    counted = "The quay's five berths, numbered 1, 2, 3, 4 and 5, open in turn from June."
    steps = "\n".join(f"{n}. Step {n} of the works" for n in range(1, 31))
    assert without_furniture([counted, steps], URL) == f"{counted}\n\n{steps}"


def test_a_data_protection_consent_box_is_no_part_of_the_text_however_long() -> None:
    """A box that asks for consent to cookies and data processing (named for the law in
    German too: "dsgvo") is dropped like navigation, even where its list of services is
    longer than a short article; an element so named that holds the headline wraps the
    page, and its text stays."""
    from newsarchive.extract.blocks import MdBlock
    from newsarchive.extract.dom import parse_html
    from newsarchive.extract.repair import _drop_widget_blocks
    from newsarchive.extract.text import match_key

    services = [
        f"Purpose: {purpose}. Processing: connection data, browser data and the pages viewed; "
        "data are stored on the device and passed to the provider in the United States."
        for purpose in ("error analysis and statistics", "playing videos", "showing posts")
    ]
    article = "The harbour authority said the works would continue through the summer."
    paragraphs = "".join(f"<p>{text}</p>" for text in services)
    blocks = [MdBlock("p", text, match_key(text)) for text in (article, *services)]
    for name in ("sp-dsgvo-privacy-popup", "cookie-consent-box"):
        html = (
            f"<html><body><main><h1>Harbour works begin</h1><p>{article}</p></main>"
            f"<div class='{name}'>{paragraphs}</div></body></html>"
        )
        kept = _drop_widget_blocks(blocks, parse_html(html, URL))
        assert [block.md for block in kept] == [article], name
    wrapper = (
        f"<html><body><div class='consent-given'><h1>Harbour works begin</h1>"
        f"<p>{article}</p>{paragraphs}</div></body></html>"
    )
    assert _drop_widget_blocks(blocks, parse_html(wrapper, URL)) == blocks


def test_a_placeholder_picture_between_two_words_leaves_them_apart() -> None:
    """A picture sets the words on each side of it apart on screen; a placeholder that
    stands for one (a smiley's blank sprite) is left out, and a space stays in its place."""
    sprite = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    body = extracted(
        f"<p>{FILLER}</p><div class='post'>The ferry left without us, and the timetable said "
        f"nothing about it, which is below all S...<img src='{sprite}' class='smilie' "
        "alt=':mad:'>). We waited on the quay for the next one until the evening.</div>"
    ).body
    assert "below all S... ). We waited" in reader_text(body)
    assert "data:image" not in body


def test_a_heading_line_with_an_icon_and_an_emphasised_remark_is_one_line() -> None:
    """A box's heading line that starts with a small icon and ends in an emphasised remark
    ("★ Old harbour (museum)") is one line on the page, and stays one line."""
    star = "<img src='/img/star.gif' height='10' alt='star'>&nbsp;"
    sights = "".join(
        f"<div class='card'><div class='card-header'>{star} {name} <em>({kind})</em></div>"
        f"<div class='card-block'><p>{FILLER.replace('harbour', name)}</p></div></div>"
        for name, kind in (("Old harbour", "Museum / Gallery"), ("Town hall", "Historic site"))
    )
    body = extracted(f"<div class='sights'>{sights}</div>").body
    lines = [reader_text(line).strip() for line in body.split("\n") if line.strip()]
    assert "Old harbour (Museum / Gallery)" in lines
    assert "Town hall (Historic site)" in lines


def test_a_line_of_facts_each_after_an_icon_font_glyph_is_one_line() -> None:
    """An icon font draws its pictures with private-use characters (a clock before the
    time, a calendar before the date), which the stored text leaves out; the facts the
    page shows on one line stay one line."""
    facts = "".join(
        f"<span class='fact'><i class='icons'>{icon}</i>\n        {fact}\n    </span>"
        for icon, fact in (("\ue192", "30 min."), ("\ue202", "easy"), ("\ue916", "10.10.2006"))
    )
    body = extracted(f"<p>{FILLER}</p><small class='meta'>{facts}</small>").body
    lines = [reader_text(line).strip() for line in body.split("\n") if line.strip()]
    assert any("30 min. easy 10.10.2006" in line for line in lines), lines


def test_a_dash_inside_a_link_s_text_starts_no_list_item() -> None:
    """A link whose title and length stand in two spans on one line ("Harbour tour
    - 2020.04.13" and "- Duration: 3:57") stays one line with its dash, not a list item."""
    videos = "".join(
        f"<li><a href='/watch/{n}'>\n  <span class='title'>\n    Harbour tour - 2020.04.1{n}\n"
        f"  </span>\n  <span class='length'>\n     - Duration: {n}:57.\n  </span>\n</a>"
        " filmed on the quay by the ferry crews during the works.</li>"
        for n in (1, 2, 3)
    )
    body = extracted(f"<p>{FILLER}</p><ul class='videos'>{videos}</ul>").body
    lines = [reader_text(line).strip() for line in body.split("\n") if line.strip()]
    assert any("2020.04.12 - Duration: 2:57." in line for line in lines), lines


def _machine_copy(hiding: str) -> str:
    """The article's metadata and text again as schema.org microdata that the page hides."""
    return (
        f"<div {hiding} itemscope itemtype='http://schema.org/NewsArticle'>"
        "<h1 itemprop='name'>Harbour works begin</h1>"
        "<div itemprop='headline'>Harbour works begin</div>"
        "<div itemprop='datePublished'>2024-05-02T08:45:00+01:00</div>"
        "<div itemprop='publisher' itemscope><div itemprop='name'>NorthbridgeCourier</div>"
        "<span itemprop='logo' itemscope><span itemprop='url'>"
        "https://northbridge-courier.example/logo.png</span></span></div>"
        f"<div itemprop='articleBody'>{FILLER}\n{FILLER.replace('summer', 'autumn')}</div>"
        "<div itemprop='articleSection'>local</div></div>"
    )


@pytest.mark.parametrize("hiding", ["style='display:none;'", "hidden", "class='hidden'"])
def test_a_hidden_microdata_copy_of_the_article_is_no_part_of_the_text(hiding: str) -> None:
    """Microdata the page hides, however it hides it, is data for machines: trafilatura's
    reading of a hidden copy of the article (its headline, timestamps, logo and text) goes,
    and the article is stored once."""
    from newsarchive.extract.blocks import MdBlock
    from newsarchive.extract.repair import _without_structured_data
    from newsarchive.extract.text import match_key

    root = lxml.html.fromstring(
        f"<html><body><article><p>{FILLER}</p></article>{_machine_copy(hiding)}</body></html>"
    )
    read_as = [
        FILLER,
        "Harbour works begin\n\n2024-05-02T08:45:00+01:00\n\nNorthbridgeCourier\n\n"
        f"https://northbridge-courier.example/logo.png\n{FILLER}\n"
        f"{FILLER.replace('summer', 'autumn')}\n\nlocal",
        "Harbour works begin",
    ]
    blocks = [MdBlock("div", md, match_key(md)) for md in read_as]
    assert [b.md for b in _without_structured_data(blocks, root)] == [
        FILLER,
        "Harbour works begin",
    ]


def test_a_word_run_into_an_opening_bracket_is_spaced_as_the_page_shows() -> None:
    """trafilatura drops the space between a byline's link and the emphasis after it
    ("Anna Ūdre(LTV news desk)"): the space goes back where the page shows one, and a
    bracket the page writes against its word ("colleague(s)") stays there."""
    blocks = [("p", "Authors: Anna Ūdre(LTV news desk editor)")]
    shown = ["Authors: Anna Ūdre (LTV news desk editor)", FILLER]
    assert _respaced_blocks(blocks, shown) == ["Authors: Anna Ūdre (LTV news desk editor)"]
    joined = [("p", "Ask your colleague(s) about the harbour works")]
    assert _respaced_blocks(joined, [joined[0][1], FILLER]) == [joined[0][1]]


def test_words_run_together_where_trafilatura_dropped_the_markup_are_spaced() -> None:
    """trafilatura merges a paragraph's bold runs and drops the link and the `&nbsp;`
    between them ("App Store</a>&nbsp;<strong>or" becomes "App Storeor"): where the page's
    paragraph of the same letters shows the two words apart, the space goes back. A word
    the page writes as one stays one."""
    shown = ["Download the app from the App Store or Google Play today.", FILLER]
    blocks = [("p", "**Download the app from the\xa0App Storeor\xa0Google Play today.**")]
    assert _respaced_blocks(blocks, shown) == [
        "**Download the app from the\xa0App Store or\xa0Google Play today.**"
    ]
    one = [("p", "The storeor shop opens today.")]
    assert _respaced_blocks(one, ["The storeor shop opens today.", FILLER]) == [one[0][1]]


def test_block_elements_inside_a_code_span_keep_their_words_apart() -> None:
    """A code span that holds a page's pasted markup (a menu's heading and its list) shows
    each block's words on a line of its own: on the span's one line they stand a space
    apart, never run together ("Breeds:Affenpinscher")."""
    from newsarchive.extract.blocks import Walker

    root = lxml.html.fromstring(
        f"<html><body><p>{FILLER}</p><p><code><span>Tips for the breeds:</span><div><p>"
        "Breeds:</p><ul><li><a href='/a'>Affenpinscher</a></li><li>Beagle</li></ul></div>"
        "</code></p></body></html>"
    )
    walker = Walker("https://northbridge-courier.example/")
    walker.walk(root.find("body"))
    shown = " ".join(block.md for block in walker.blocks)
    assert "Tips for the breeds: Breeds: Affenpinscher Beagle" in shown


def test_a_status_message_is_no_part_of_the_text() -> None:
    """A status message (`role="status"`: the notice a page shows after an action, "Saved
    to your list!") says nothing of the article: neither the DOM walker nor trafilatura's
    reading keeps it."""
    notices = "\n".join(
        f"<span class='tooltip' role='status' aria-live='polite'>{text}</span>"
        for text in ("Saved to your list!", "Removed from your list", "Embed code copied.")
    )
    article = extracted(f"<p>{FILLER.replace('summer', 'winter')}</p><div>{notices}</div>")
    assert FILLER in article.body
    assert "Saved to your list" not in article.body
    assert "Embed code copied" not in article.body


def test_words_either_side_of_a_dropped_picture_stand_apart_as_the_page_shows() -> None:
    """A picture between two words shows as a gap between them ("Yerevan", a sun, "+10");
    trafilatura, dropping the picture, runs the two together, in a paragraph and in a
    table's cell alike: the page's lines, which mark each picture, put the space back. A
    word the page writes as one elsewhere stays one, and a line of pictures alone is none."""
    from newsarchive.extract.spacing import PICTURE

    lines = f"Weather\nYerevan{PICTURE}+10 ... +28 C\nIt was below all S...{PICTURE}). Truly."
    blocks = [
        ("table", "| Yerevan+10 ... +28 C | |"),
        ("p", "It was below all S...). Truly."),
    ]
    assert _respaced_blocks(blocks, [FILLER], lines) == [
        "| Yerevan +10 ... +28 C | |",
        "It was below all S... ). Truly.",
    ]
    shown = f"{lines}\nYerevan+10 is the code of the station"
    assert _respaced_blocks(blocks[:1], [FILLER], shown) == [blocks[0][1]]
    across = f"Report error\n{PICTURE}\nEditor: Zhang"
    joined = [("p", "Report errorEditor: Zhang")]
    assert _respaced_blocks(joined, [FILLER], across) == ["Report error Editor: Zhang"]


def test_the_page_s_lines_mark_pictures_and_the_container_shows_a_gap_at_one() -> None:
    """The page's text line by line marks where each picture stands when asked to; the
    DOM walker's text shows a picture, loaded or yet to load, between two words as a gap."""
    from newsarchive.extract.blocks import Walker
    from newsarchive.extract.dom import text_lines
    from newsarchive.extract.spacing import PICTURE, page_text

    root = lxml.html.fromstring(
        "<div><p>Yerevan<img src='/sun.gif' width='27'>+10 ... +28 C</p>"
        "<p>below all S...<img src='data:image/gif;base64,R0lGOD' alt=':mad:'>).</p></div>"
    )
    assert text_lines(root, PICTURE).split("\n") == [
        f"Yerevan{PICTURE}+10 ... +28 C",
        f"below all S...{PICTURE}).",
    ]
    assert text_lines(root) == "Yerevan+10 ... +28 C\nbelow all S...)."
    walker = Walker("https://example.org/")
    walker.walk(root)
    assert page_text(walker.blocks).split("\n") == ["Yerevan +10 ... +28 C", "below all S... )."]


def test_an_icon_left_out_of_a_table_cell_leaves_a_gap_between_the_words_beside_it() -> None:
    # The page shows "Gyumri", a cloud, "+4": the cell keeps the words apart without the icon.
    table = (
        "<table><tr><td>Gyumri<img src='/icons/rain.gif' width='27' height='27'>+4 ... +15 C"
        "</td><td>wet</td></tr><tr><td><img src='/icons/sun.gif'> Vanadzor</td><td>dry</td>"
        "</tr></table>"
    )
    body = extracted(f"<p>{FILLER}</p>{table}").body
    assert "| Gyumri +4 ... +15 C | wet |" in body
    assert "Vanadzor | dry |" in body and "sun.gif" not in body


def test_an_emphasis_or_a_link_around_no_text_leaves_no_marker() -> None:
    # An icon font's glyph in <i> (which trafilatura's text leaves out), a space in <b>, and
    # a link that holds only a glyph: no "**", "* *" nor "[]" where a reader sees no text.
    body = (
        "<p><i class='icon'>\ue192</i>30 minutes from the quay, "
        f"<b> </b>the ferry waits. {FILLER}</p>"
        f"<p><a href='/save'><i class='icon'>\ue87d</i></a></p><p>{FILLER.upper()}</p>"
    )
    md = extracted(body).body
    assert "30 minutes from the quay, the ferry waits." in " ".join(md.split())
    assert "**" not in md and "* *" not in md and "[]" not in md


def test_a_line_break_lost_inside_bold_text_is_where_the_page_shows_it() -> None:
    # trafilatura drops the <br> at the end of the bold number and cuts the next line before
    # its bold number: the page shows two lines, "Phone ... 3320" and "Fax ... 213".
    body = (
        f"<p>{FILLER}</p><h3>Press contact</h3><p><b>Northbridge Harbour Authority</b><br>"
        "Press office</p><p>Phone:&nbsp;+44 (0) 50 11 50 - <b>3320<br></b>Fax:&nbsp;+44 (0) "
        "50 11 50 -&nbsp;<b style='line-height: 1.5;'>213</b></p>"
    )
    lines = reader_text(extracted(body).body).replace("\xa0", " ").split("\n")
    assert "Phone: +44 (0) 50 11 50 - 3320" in lines
    assert "Fax: +44 (0) 50 11 50 - 213" in lines


def test_a_stub_of_a_line_the_repair_restores_gives_way_to_it() -> None:
    """trafilatura kept the link "Edited ." without its <time>; the repair restores the
    page's whole line, which replaces the stub (not stored beside it, the line broken)."""
    from newsarchive.extract.blocks import DomBlock, MdBlock
    from newsarchive.extract.repair import Header, _repair
    from newsarchive.extract.text import match_key

    stub = "[Edited .](/history/harbour-works)"
    md = [MdBlock("p", FILLER, match_key(FILLER)), MdBlock("p", stub, match_key(stub))]
    day = "late in the afternoon of Sunday, October 18th, 2020"
    line = f"Created {day}. [Edited {day}.](/history/harbour-works)"
    dom = [DomBlock("p", FILLER, match_key(FILLER), len(FILLER))]
    dom += [DomBlock("p", line, match_key(line), len(line), len(day) + 8)]
    assert _repair(md, dom, Header(set(), set())) == [FILLER, line]
    # A short paragraph of other words stays: "Edited by Jane Roe" is no part of the line.
    other = "Edited by Jane Roe"
    md[1] = MdBlock("p", other, match_key(other))
    assert _repair(md, dom, Header(set(), set())) == [FILLER, line, other]
    # A caption that repeats the restored line's last words is a block of the page's own.
    said = "Residents were told that the ferry timetable would not change, said Jane Roe."
    dom[1] = DomBlock("p", said, match_key(said), len(said))
    caption = "Jane Roe"
    dom.append(DomBlock("caption", f"*{caption}*", match_key(caption), len(caption)))
    md[1] = MdBlock("p", caption, match_key(caption))
    assert _repair(md, dom, Header(set(), set()))[1:] == [said, caption]
    # A link whose address the restored line does not hold keeps it.
    credit = "Photo: Jane Roe, harbour.example"
    dom[1:] = [DomBlock("p", credit, match_key(credit), len(credit))]
    linked = "[harbour.example](https://harbour.example/photos)"
    md[1] = MdBlock("p", linked, match_key(linked))
    assert _repair(md, dom, Header(set(), set()))[1:] == [credit, linked]


def test_a_table_whose_cells_trafilatura_ran_into_paragraphs_is_stored_as_a_table() -> None:
    """trafilatura may keep a table as one paragraph a cell, two cells side by side run into
    one ("-" and "-" into "--"), and drop the table before it that has the same column
    headings: the page's tables are stored, each in its place, and the cells' paragraphs go."""
    from newsarchive.extract.blocks import MdBlock, Walker
    from newsarchive.extract.repair import Header, _repair
    from newsarchive.extract.text import match_key

    def table(price: str, total: str) -> str:
        return (
            "<table><thead><tr><th> </th><th>Lease</th><th>Bank loan</th><th>Cash</th></tr>"
            f"</thead><tbody><tr><td>List price</td><td>{price}</td><td>{price}</td>"
            f"<td>{price}</td></tr><tr><td>Discount</td><td>-</td><td>-</td><td>10 %</td></tr>"
            f"<tr><td>Total cost</td><td>4,984</td><td>{total}</td><td>8,991</td></tr>"
            "</tbody></table>"
        )

    small, estate = (f"The {car} car: what each way of paying costs" for car in ("small", "estate"))
    walker = Walker(URL)
    page_html = (
        f"<div><p>{FILLER}</p><h3>{small}</h3>{table('9,990', '10,350')}<p>{FILLER}</p>"
        f"<h3>{estate}</h3>{table('44,500', '46,552')}<p>{FILLER}</p></div>"
    )
    walker.walk(lxml.html.fragment_fromstring(page_html))
    cells = "Lease|Bank loan|Cash|List price|44,500|44,500|44,500|Discount|\\-\\-|10 %"
    cells += "|Total cost|4,984|46,552|8,991"
    kept = [FILLER, small, FILLER, estate, *cells.split("|"), FILLER]
    md_blocks = [MdBlock("p", md, match_key(md)) for md in kept]
    out = _repair(md_blocks, walker.blocks, Header(set(), set()))
    tables = [i for i, md in enumerate(out) if md.startswith("|")]
    assert [out[i - 1] for i in tables] == [small, estate]
    assert "| List price | 9,990 | 9,990 | 9,990 |" in out[tables[0]]
    assert "| Discount | \\- | \\- | 10 % |" in out[tables[1]]
    assert "\\-\\-" not in out and "Bank loan" not in out and len(out) == 7


def test_a_templates_content_is_never_shown() -> None:
    listed = (
        "<div class='suggestions'><amp-list src='/suggest.json' layout='container'>"
        "<template type='amp-mustache'><div class='suggestion'>{{name}} suggested "
        "{{.}}</div></template></amp-list></div>"
        f"<p>{FILLER.replace('harbour', 'port')}</p>"
    )
    body = extracted(listed).body
    assert "{{" not in body
    assert "port authority said" in body


def test_what_amp_shows_only_once_the_reader_acts_is_no_part_of_the_text() -> None:
    lightbox = (
        "<amp-lightbox id='rate' layout='nodisplay'><div class='lightbox'><p>Rate this "
        "picture: Perfect, Very good, Good, Poor. Sign in and rate the picture to help other "
        "readers find the best photographs of the harbour works.</p></div></amp-lightbox>"
        "<form method='post' action-xhr='/rate'><div submit-success><p>Thank you!</p></div>"
        "<div submit-error><p>You rated this picture already.</p></div></form>"
    )
    body = extracted(lightbox).body
    assert "Rate this picture" not in body
    assert "Thank you" not in body and "rated this picture" not in body
    assert "harbour authority said" in body


def test_an_advertisements_label_and_a_loading_placeholder_are_no_part_of_the_text() -> None:
    labelled = (
        f"<p>{FILLER.replace('harbour', 'port')}</p><div class='box'><p>Werbung</p></div>"
        f"<p>{FILLER.replace('harbour', 'dock')}</p><div class='embed'><p>Loading...</p></div>"
        "<p>Werbung ist klar vom Rest des Inhaltes zu kennzeichnen, sagte die Behörde.</p>"
    )
    lines = extracted(labelled).body.split("\n\n")
    assert "Werbung" not in lines and "Loading..." not in lines
    assert any(line.startswith("Werbung ist klar") for line in lines)


def test_a_copyright_line_naming_the_author_stays_in_the_text() -> None:
    body = (
        "<p class='byline'>von <span>Jane Roe</span></p>"
        f"<p>{FILLER.replace('harbour', 'port')}</p><p>© Jane Roe</p>"
    )
    article = extracted(body)
    assert article.byline == "Jane Roe"
    assert "© Jane Roe" in article.body.split("\n\n")


def test_a_breadcrumb_trail_trafilatura_kept_as_an_ordered_list_is_dropped() -> None:
    """The numbers Markdown gives an ordered list's items are no text of the page: the list
    of a <nav>'s links is still the navigation's."""
    from newsarchive.extract.blocks import MdBlock
    from newsarchive.extract.dom import parse_html
    from newsarchive.extract.repair import _drop_widget_blocks
    from newsarchive.extract.text import match_key

    root = parse_html(
        "<html><body><nav class='breadcrumbs'><ol><li><a href='/'>Startseite</a></li>"
        "<li><a href='/rezepte/'>Rezepte</a></li><li><a href='/kuchen/'>Kuchen</a></li></ol>"
        "</nav><article><p>Der cremigste Kuchen, den ich kenne.</p><ol><li>Mehl sieben.</li>"
        "<li>Butter schmelzen.</li></ol></article></body></html>",
        "test",
    )
    crumbs = "1. [Startseite](https://courier.example/)\n2.\n[Rezepte](/rezepte/)\n3. [Kuchen](/k)"
    steps = "1. Mehl sieben.\n2. Butter schmelzen."
    text = "Der cremigste Kuchen, den ich kenne."
    blocks = [MdBlock("list", md, match_key(md)) for md in (crumbs, steps)]
    blocks.append(MdBlock("p", text, match_key(text)))
    kept = _drop_widget_blocks(blocks, root)
    assert [b.md for b in kept] == [steps, text]


def test_a_heading_that_ends_the_text_over_links_left_out_is_dropped() -> None:
    """A "More stories" heading whose list of links was left out as another's heads nothing
    in the stored text; a credit or a heading over the article's own text stays."""
    from newsarchive.extract.dom import parse_html
    from newsarchive.extract.furniture import without_closing_headings

    root = parse_html(
        "<html><body><article><p>The cranes return in spring.</p>"
        "<p class='credit'>Reporting by Jane Roe</p><ul><li><a href='/t'>Tip us</a></li></ul>"
        "<h3>Harbour history</h3><p>The docks opened in 1880.</p></article>"
        "<div class='heading-h3'>More Courier Stories</div><ul><li>Ferry fares rise again "
        "over the winter, <a href='/a'>says the board</a></li><li>A new bridge for the bay "
        "is planned, <a href='/b'>with tolls</a></li></ul>"
        "</body></html>",
        "test",
    )
    text = "The cranes return in spring."
    more = "More Courier Stories"
    assert without_closing_headings(f"{text}\n\n{more}", root) == text
    assert without_closing_headings(f"{text}\n\n## {more}", root) == text
    credit = f"{text}\n\nReporting by Jane Roe"
    assert without_closing_headings(credit, root) == credit
    history = f"{text}\n\nHarbour history"
    assert without_closing_headings(history, root) == history


def test_markup_is_read_wherever_it_stands_and_nowhere_else() -> None:
    """`plain` reads a block's Markdown as a reader sees it: marks, escapes, links, pictures,
    inline tags and a heading mark inside a line are left out, wherever they stand, and a
    character that only looks like the start of markup stays ("a_b", "#hashtag", "!"); each
    junction says where the text joins across markup and where a space would go in the
    Markdown."""
    from newsarchive.extract.spacing import plain

    md = (
        "**Bold**\\[1\\] and [a link](https://x.test/a_(b)) ![pic](p.png)then <u>under</u>"
        " `code` and _em_ ## Heading a_b #hashtag!"
    )
    view = plain(md)
    assert view.text == "Bold[1] and a link then under code and em Heading a_b #hashtag!"
    assert view.junctions == [
        (0, 0), (4, 8), (12, 18), (18, 48), (19, 62), (24, 67), (29, 79), (30, 80), (34, 86),
        (39, 91), (41, 95),
    ]  # fmt: skip
    assert view.literal[-1] == (42, 99, 21)  # "Heading a_b #hashtag!" as it stands
    assert plain("No markup at all, only\xa0a\u2009space.").text == (
        "No markup at all, only a space."
    )
