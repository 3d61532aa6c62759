"""Metadata that says what the page says: one hand-made page for each case of authors, dates,
the site's name and keywords that the quality report found wrong, and the rule that fixed it.
"""

from __future__ import annotations

import pytest

from newsarchive.extract import clean_authors, strip_site_name
from newsarchive.extract.dates import published_date
from newsarchive.extract.declarations import meta_tags
from newsarchive.extract.dom import parse_html
from stories import (
    HEADLINE,
    STORY,
    STORY_URL,
    byline_authors,
    json_ld,
    story,
    story_article,
)


def article_ld(**fields: object) -> str:
    return json_ld({"@type": "NewsArticle", "headline": HEADLINE, **fields})


def footer_showing(*names: str) -> str:
    """A footer line that shows the names: a real page shows its authors somewhere, and a name
    only its declarations carry is no author (test_a_name_the_page_never_shows_is_no_author)."""
    return f"<footer><p>{', '.join(names)}</p></footer>"


# --- Authors


def test_a_wire_story_is_by_its_agency_and_a_reporter_for_an_agency_is_the_reporter() -> None:
    wire = story(
        head=article_ld(author={"@type": "Organization", "name": "AFP"}),
        after=footer_showing("AFP"),
    )
    assert story_article(wire).authors == ("AFP",)
    shown = story(byline='<p class="byline">By AFP</p>')
    assert story_article(shown).authors == ("AFP",)
    reporter = story(byline='<p class="byline">By Jane Doe for AFP</p>')
    assert story_article(reporter).authors == ("Jane Doe",)


def test_the_site_a_slash_joins_to_the_byline_is_no_author() -> None:
    head = '<meta property="og:site_name" content="The Courier">'
    reporter = story(head=head, byline='<p class="byline">By Jane Roe/The Courier</p>')
    assert story_article(reporter).authors == ("Jane Roe",)
    wire = story(head=head, byline='<p class="byline">By AFP/The Courier</p>')
    assert story_article(wire).authors == ("AFP",)


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By The Associated Press", ["The Associated Press"]),
        ("Jane Doe, Reuters", ["Jane Doe"]),
        ("Peter Maahn/dpa", ["Peter Maahn"]),
        ("PAP/ Rafał Guz", ["Rafał Guz"]),
        ("Mike Blake/Reuters files", []),
        ("Jane Roe jroe@courier.example", ["Jane Roe"]),
        ("Eric Levitz@EricLevitz", ["Eric Levitz"]),
        ("Datum", []),
        ("Rechtsanwalt Jane Roe", ["Jane Roe"]),
        ("Rechtsanwältin Dr. Jane Roe", ["Dr. Jane Roe"]),
        ("Autor", []),
        ("Super User", []),
        ("Olympia-Verlag GmbH, Nürnberg, Germany", []),
        ("Bundesministerium für Wirtschaft und Klimaschutz", []),
        ("Bundesministerium für Wirtschaft; Klimaschutz", []),
        ("Jane Doe und John Roe", ["Jane Doe", "John Roe"]),
        # an acronym after the slash is an agency too, one no list names
        ("Peter Maahn/SP-X", ["Peter Maahn"]),
        # an interview's byline names both sides
        ("Jane Doe im Gespräch mit John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe in conversation with John Roe", ["Jane Doe", "John Roe"]),
        # a profile link's label and the name a screen reader hears before the one shown
        ("Zum Profil von jroe jroe", ["jroe"]),
        # a button beside the name, a label whose name was left out, a reviewer's credit
        ("Follow", []),
        ("Artikel von", []),
        ("Geprüft von Dr. med. Jane Roe", []),
        ("Medically reviewed by Jane Roe", []),
        # a role described after the comma: no second person
        ("Jane Roe, Projektleiterin der Stiftung in Tunesien.", ["Jane Roe"]),
        ("Jane Roe, project lead at the Foundation", ["Jane Roe"]),
        ("Park Im Soo", ["Park Im Soo"]),
        # an agency or a role after the name, a reporter's role at an agency
        ("JANE ROE, JOHN DOE Associated Press", ["JANE ROE", "JOHN DOE"]),
        ("JANE ROE, AP National Security Writer", ["JANE ROE"]),
        ("Jane Roe News reporter", ["Jane Roe"]),
        ("Reuters Filed under Health", ["Reuters"]),
        # what is left of an address, a picture's file name, a button
        ("Sputnik https", []),
        ("Logo Png", []),
        ("Sende uns eine E-Mail", []),
        # a team is its outlet's newsroom; a label alone is nobody
        ("PETA-Team", ["PETA-Team"]),
        ("Autor*innen", []),
        ("Autor/in: Jane Roe", ["Jane Roe"]),
        # the authors' team after their names
        ("Jane Roe and John Doe - Harbour Safety team", ["Jane Roe", "John Doe"]),
        # a CMS's installing account, a picture handed out ("zur Verfügung gestellt"), a company
        ("wordpressadmin", []),
        ("zvg", []),
        ("besserwisser eG", []),
        # what is left of the date after the names; a month a name may end with stays
        ("Jane Roe February", ["Jane Roe"]),
        ("Theresa May", ["Theresa May"]),
    ],
)
def test_agencies_photo_credits_contacts_labels_and_addresses(raw: str, names: list[str]) -> None:
    assert clean_authors([raw]) == names


def test_the_role_and_outlet_after_a_name_are_no_part_of_it() -> None:
    # (the story's site is courier.example)
    assert byline_authors('<p class="byline">By Jane Roe Courier Staff</p>') == ("Jane Roe",)
    # another outlet's words stay: the reader cannot tell them from the name
    assert clean_authors(["Jane Roe Herald Staff"], {"courier"}) == ["Jane Roe Herald Staff"]


def test_a_link_to_all_of_an_authors_posts_is_no_byline() -> None:
    # (here the blog's author bears the site's name, which is no author)
    link = (
        '<div id="author-link"><a href="/author/courier/" rel="author">'
        "Zeige alle Beiträge von Courier &rarr;</a></div>"
    )
    assert byline_authors(link) == ()
    labelled = (
        '<ul class="article-authors"><li class="author-title">Artikel von:</li>'
        '<li class="author"><address>Courier</address></li></ul>'
    )
    assert byline_authors(labelled) == ()


def test_a_byline_reads_as_shown_without_its_label_and_date() -> None:
    labelled = (
        '<div class="post-authors">Artikel von: <span class="author-name">Von Jane Roe, dpa'
        "</span></div>"
    )
    article = story_article(story(byline=labelled))
    assert (article.authors, article.byline) == (("Jane Roe",), "Jane Roe, dpa")
    # a forum post's header: "Beitrag von jroe » Mi 21. Jan 2009"
    header = (
        '<p class="author"><span>Beitrag von <a class="username" href="/member/5">jroe</a>'
        "</span> » Mi 21. Jan 2009, 10:12</p>"
    )
    assert story_article(story(byline=header)).byline == "jroe"
    # a share box's label after the name leads into its buttons
    share = (
        '<div class="author_share"><span>Jane Roe</span><ul><li>Artikel empfehlen:</li>'
        '<li><a class="share-facebook" href="#"><img src="/fb.svg" alt=""></a></li></ul></div>'
    )
    assert byline_authors(share) == ("Jane Roe",)


def test_a_byline_naming_only_the_site_stays_the_byline_when_no_author_is_shown() -> None:
    hidden = '<meta name="author" content="John Doe">'
    byline = '<p class="byline">By The Courier</p>'
    article = story_article(story(head=hidden, byline=byline))
    assert (article.authors, article.byline) == ((), "The Courier")


def test_a_picture_credit_is_no_byline() -> None:
    credit = '<p class="byline">By Mike Blake/Reuters files</p>'
    assert byline_authors(credit) == ()
    licence = '<p>A street.<span class="media-license-author">Jane Roe</span></p>'
    assert byline_authors(licence) == ()


def test_a_news_markup_byline_element_names_the_reporter_not_the_agency() -> None:
    byline = "<p>Quelle: dpa-AFX</p><byline>Von Jane Roe, dpa</byline>"
    assert byline_authors(byline) == ("Jane Roe",)


def test_a_name_the_page_shows_only_in_its_comments_is_a_reader_not_the_author() -> None:
    comments = (
        '<ol class="commentlist"><li class="comment"><p class="comment-author">John Doe</p>'
        "<p>Well said.</p></li></ol>"
    )
    assert story_article(story(after=comments)).authors == ()
    # a declared author answering in the comments is still the author
    declared = '<meta name="author" content="John Doe">'
    assert story_article(story(head=declared, after=comments)).authors == ("John Doe",)


def test_a_name_the_page_shows_only_in_another_articles_teaser_is_not_the_author() -> None:
    teaser = (
        '<div class="listing"><a class="listing__link" href="/metaverse"><h3>Auf ins Metaverse'
        "</h3><div>Wie lässt sich das Metaverse nutzen, um Nähe herzustellen?</div>"
        '<div class="listing__item__author">Von <span>John Doe</span> am 08.12.2022</div></a>'
        "</div>"
    )
    assert story_article(story(after=teaser)).authors == ()
    # the same name in the article's own byline is its author
    byline = '<p class="byline">Von John Doe</p>'
    assert story_article(story(byline=byline, after=teaser)).authors == ("John Doe",)


def test_bylines_in_a_list_of_other_articles_are_theirs() -> None:
    listing = "".join(
        f'<li><a href="/{n}">Another headline number {n}</a>'
        f'<div class="kontextliste-autor">Im Wortlaut von {name}</div></li>'
        for n, name in enumerate(["Katja Kipping", "Pascal Meiser"])
    )
    assert story_article(story(after=f"<ul>{listing}</ul>")).authors == ()
    # the article's own line of facts is a list too, with one byline
    facts = (
        '<ul class="meta"><li><span class="author">Von Jane Roe</span> · 5 Minuten Lesezeit '
        "für diesen Beitrag</li><li>14. Mai 2020</li></ul>"
    )
    assert byline_authors(facts) == ("Jane Roe",)


def test_a_blog_signed_with_its_own_name_in_its_author_card_is_by_that_name() -> None:
    head = '<meta property="og:site_name" content="Nebelblog">'
    card = (
        '<div class="posted-on">Posted on 24 January 2020 by <span class="author vcard">'
        '<a class="url fn n" href="https://nebelblog.example/author/nebelblog/">Nebelblog</a>'
        "</span></div>"
    )
    html = story(head=head, byline=card)
    article = story_article(html, "https://nebelblog.example/2020/01/24/fog")
    assert article.authors == ("Nebelblog",)
    # so does a link to the site's author page for its own name
    linked = '<p class="meta">By <a href="/author/redaktion/">Nebelblog</a></p>'
    linked_page = story(head=head, byline=linked)
    assert story_article(linked_page, "https://nebelblog.example/a").authors == ("Nebelblog",)
    # and so does a link marked as the author's
    marked = '<p>By <span class="post-author"><a href="/p/1">Nebelblog</a></span></p>'
    marked_page = story(head=head, byline=marked)
    assert story_article(marked_page, "https://nebelblog.example/a").authors == ("Nebelblog",)
    # the site's name in a plain byline is still no author
    plain = story(head=head, byline="<p class='byline'>By Nebelblog</p>")
    assert story_article(plain, "https://nebelblog.example/2020/01/24/fog").authors == ()


def test_an_author_box_linking_to_all_the_authors_posts_names_the_author() -> None:
    box = (
        '<div class="author-description"><h3 class="author-title">Jane Roe</h3><p>A professor '
        'at the University of Quebec. <a href="/author/jroe/">View all posts by Jane Roe</a>'
        "</p></div>"
    )
    assert story_article(story(after=box)).authors == ("Jane Roe",)
    german = '<div><a href="https://www.courier.example/autor/jroe">Alles von Jane Roe</a></div>'
    assert story_article(story(after=german)).authors == ("Jane Roe",)
    # a blog named after its author, on the author's surname ("Jane Roe" on roe.example)
    head = '<meta property="og:site_name" content="Jane Roe\'s blog">'
    blog = story(head=head, after=box)
    assert story_article(blog, "https://roe.example/2019/08/02/post").authors == ("Jane Roe",)
    # links to the pages of several authors (a list of the team) name none of them
    team = (
        '<ul><li><a href="/author/jroe/">All posts by Jane Roe</a></li>'
        '<li><a href="/author/jdoe/">All posts by John Doe</a></li></ul>'
    )
    assert story_article(story(after=team)).authors == ()
    # nor does such a label on a link to a section's page
    section = '<div><a href="/news/">More from Jane Roe</a></div>'
    assert story_article(story(after=section)).authors == ()


def test_the_sites_name_is_not_split_into_people() -> None:
    head = (
        '<meta property="og:site_name" content="Jobs &amp; Hire">'
        '<meta name="author" content="Jobs &amp; Hire">'
    )
    byline = '<div class="wrote_by">By&nbsp;<a href="/reporters/jane-roe">Jane Roe</a></div>'
    html = story(head=head, byline=byline)
    assert story_article(html, "https://www.jobsnhire.example/a/1").authors == ("Jane Roe",)


def test_an_outlet_carried_by_a_portal_is_the_outlet() -> None:
    head = (
        '<meta property="og:site_name" content="Portal News">'
        '<meta property="article:author" content="Newstapa | Portal">'
    )
    html = story(head=head, after=footer_showing("Newstapa"))
    article = story_article(html, "https://n.news.portal.example/article/607/1")
    assert article.authors == ("Newstapa",)


def test_json_ld_names_are_read_with_their_character_references() -> None:
    head = article_ld(author={"@type": "Person", "name": "H&#233;ctor J. Cruz"})
    html = story(head=head, after=footer_showing("H&#233;ctor J. Cruz"))
    assert story_article(html).authors == ("Héctor J. Cruz",)


def test_a_login_gives_way_to_the_name_another_source_spells_out() -> None:
    head = article_ld(author={"@type": "Person", "name": "jane.roe"})
    head += '<meta name="author" content="Jane Roe">'
    assert story_article(story(head=head, after=footer_showing("Jane Roe"))).authors == (
        "Jane Roe",
    )
    # Without such a name, the login is all the page says.
    login = story(head=article_ld(author="jane.roe"), after=footer_showing("jane.roe"))
    assert story_article(login).authors == ("jane.roe",)


def test_a_first_name_on_a_site_named_by_its_authors_surname_is_the_full_name() -> None:
    byline = '<p class="meta">Von <a href="/author/henry/" rel="author">Henry</a></p>'
    credit = "<p>Foto: Bundesarchiv, Ausschnitt: Henry Roewer</p>"
    site = "https://www.roewer.example/2019/11/13/netflix"
    assert story_article(story(byline=byline, after=credit), site).authors == ("Henry Roewer",)
    # on a site named by a full name, the first name may be another's name ("Vortex" on
    # vortex-cannon.example): it stays what the page says
    title = '<header><a href="/">Henry Roewer</a></header>'
    named = story(before=title, byline=byline)
    assert story_article(named, "https://henry-roewer.example/a").authors == ("Henry",)
    # elsewhere a first name stays what the page says, whoever else it shows
    other = story(byline=byline, after=credit)
    assert story_article(other, "https://courier.example/a").authors == ("Henry",)


def test_a_first_name_in_an_author_card_is_the_full_name_the_card_spells_out() -> None:
    card = (
        '<div class="author_box"><div class="author_box__details">'
        '<div class="author_box__name">Stefanus</div><div class="author_box__bio">Stefanus '
        "Stahl - engineer, adventurer and rider since 2002.</div></div></div>"
    )
    byline = '<p class="byline">Von <span class="author">Stefanus</span></p>'
    assert byline_authors(byline, after=card) == ("Stefanus Stahl",)
    # the first name followed by a capitalised word outside the card is no surname
    text = "<p>Stefanus Werkstatt hat geöffnet.</p>"
    assert byline_authors(byline, after=text) == ("Stefanus",)
    # nor is it in a box too long to be a card: the article marked as the author's work
    long_box = (
        f'<div class="author-content"><p>{"Lorem ipsum dolor sit amet. " * 30}</p>{text}</div>'
    )
    assert byline_authors(byline, after=long_box) == ("Stefanus",)


def test_a_declared_name_the_page_shows_with_a_middle_initial_is_the_name_as_shown() -> None:
    declared = article_ld(author={"@type": "Person", "name": "Christian Stadtfeld"})
    signed = "<p>Die Lage bleibt spannend. (Christian P. Stadtfeld)</p>"
    assert story_article(story(head=declared, after=signed)).authors == ("Christian P. Stadtfeld",)
    # another middle name is another person: the declared name, never shown, is no author
    other = "<p>Die Lage bleibt spannend. (Christian Peter Stadtfeld)</p>"
    assert story_article(story(head=declared, after=other)).authors == ()


def test_a_link_to_all_the_authors_work_names_the_author_its_address_spells() -> None:
    box = (
        '<div class="recipe-expert"><div class="recipe-expert-name">Iris Lange-Fricke</div>'
        '<a href="/experten/iris-lange-fricke" title="zu allen Rezepten vom Autor">zu allen '
        "Rezepten vom Autor</a></div>"
    )
    assert story_article(story(after=box)).authors == ("Iris Lange-Fricke",)
    english = (
        '<div class="bio"><h4>Jane Roe</h4><p>A reporter.</p>'
        '<a href="https://courier.example/people/jane-roe/">All posts by this author</a></div>'
    )
    assert story_article(story(after=english)).authors == ("Jane Roe",)
    # a box whose name the address does not spell names no one
    elsewhere = english.replace("jane-roe", "staff")
    assert story_article(story(after=elsewhere)).authors == ()


def test_a_labelled_line_after_a_break_names_the_author() -> None:
    ending = (
        "<div>Quelle: © juragentur<br><br>Symbolgrafik: © Butch<br><br>Autor: "
        '<a href="/rechtsanwalt/">Rechtsanwalt</a> Sebastian Einbock</div>'
    )
    assert byline_authors("", after=ending) == ("Sebastian Einbock",)
    # the line ends at the next break: the credit on it is another's
    credits = "<div>Autor: <b>Jane</b> Roe<br>Fotos: John Doe</div>"
    assert byline_authors("", after=credits) == ("Jane Roe",)
    # a line that runs on is a sentence, no byline
    sentence = "<div>Intro<br>Von Jane Roe stammt der Vorschlag, die Straße zu sperren.</div>"
    assert byline_authors("", after=sentence) == ()


def test_a_labelled_byline_row_names_the_author_and_a_form_label_does_not() -> None:
    row = (
        '<div class="info"><span class="label">Datum:</span> 03.05.2024<br>'
        '<span class="label">Autor:</span> Fritz Imhof<br></div>'
    )
    assert byline_authors(row) == ("Fritz Imhof",)


def test_a_label_alone_names_the_author_in_the_text_that_follows_it() -> None:
    split = (
        '<div class="meta"><div><p class="label"><strong>By</strong></p></div>'
        '<div><p class="full-name">Jane Roe</p></div></div>'
    )
    assert byline_authors(split) == ("Jane Roe",)
    lines = '<div class="info"><b>Von:</b><br><br> Jane Roe</div>'
    assert byline_authors(lines) == ("Jane Roe",)
    hidden = '<p><span class="screen-reader-text">| By </span> <span>Jane Roe</span></p>'
    assert byline_authors(hidden) == ("Jane Roe",)
    # A role written after a name is no label: a list of signatories is no byline.
    signed = "<p><strong>John Roe</strong>, <span>author</span><br><strong>Jane Doe</strong></p>"
    assert byline_authors(signed) == ()


def test_a_byline_labelled_with_the_authors_roles_names_the_author() -> None:
    roles = "<p>Text &amp; Fotos: Jane Roe</p>"
    assert byline_authors(roles) == ("Jane Roe",)
    # the role in parentheses after the name is the byline's, not another name
    edited = (
        '<div class="meta">05.02.2020 <span>- Redaktion: Jane Roe (Pressesprecherin des '
        "Verbands)</span></div>"
    )
    assert byline_authors(edited) == ("Jane Roe",)


def test_an_interview_by_line_names_the_interviewer_not_who_was_asked() -> None:
    line = "<p><em>Ein Interview von <b>Jane Roe</b> mit <b>John Doe</b>.</em></p>"
    assert byline_authors(line) == ("Jane Roe",)


def test_a_box_headed_author_names_the_author_below_a_long_article() -> None:
    # (a long article: a byline line that far below the headline would be a teaser's)
    long_story = STORY + "".join(
        f"<p>More on the cranes, part {n}: <b>the port</b> said <i>nothing</i>.</p>"
        for n in range(150)
    )
    box = '<h4 class="meta-title">Autor</h4><p class="meta-text"><a href="/p/jr">Jane Roe</a>, </p>'
    html = story(byline="", after=f"<div>{long_story}{box}</div>")
    assert story_article(html).authors == ("Jane Roe",)
    # Unheaded, a line that far down is a teaser's byline
    teaser = "<p>Von Jane Roe</p>"
    assert story_article(story(after=f"<div>{long_story}{teaser}</div>")).authors == ()


def test_a_name_alone_in_bold_at_the_end_signs_the_article() -> None:
    signed = story(byline="").replace("</article>", "<p><strong>Jane Roe</strong></p></article>")
    assert story_article(signed).authors == ("Jane Roe",)
    # a name on a line of its own over the day it was signed, as a letter is signed
    dated = story(byline="").replace("</article>", "<p>Benni<br>10. September 2017</p></article>")
    assert story_article(dated).authors == ("Benni",)
    # A closing line in bold that is no name signs nothing
    closing = story().replace(
        "</article>", "<p><strong>Weitere Informationen:</strong></p></article>"
    )
    assert story_article(closing).authors == ()
    # A byline comes first: the last paragraph's name is then someone else's
    bylined = '<p class="byline">By John Doe</p>'
    assert story_article(signed.replace("<h1>", bylined + "<h1>")).authors == ("John Doe",)


def test_a_signature_may_close_a_paragraph_and_notes_may_follow_it() -> None:
    ending = (
        "<p>Wir können den Ort unserer tiefsten Gefühle sehen…<br><br><i>Claudia Duwe</i></p>"
        "<p>Zum Weiterlesen: Claudia Duwe, Der Zukunft wieder vertrauen, Patmos Verlag</p>"
        "<p><strong>Den ganzen Artikel finden Sie in unserer Ausgabe 1/2023</strong></p>"
    )
    signed = story(byline="").replace("</article>", f"{ending}</article>")
    assert story_article(signed).authors == ("Claudia Duwe",)
    # ... also over a declared author the page never shows (the account that posted it)
    head = article_ld(author={"@type": "Person", "name": "Winfried Hille"})
    declared = story(head=head, byline="").replace("</article>", f"{ending}</article>")
    assert story_article(declared).authors == ("Claudia Duwe",)
    # an interview sets its speakers' names apart throughout: none of them signs it
    speakers = "".join(
        f"<p><strong>{name}</strong></p><p>An answer about the cranes and the docks.</p>"
        for name in ("Jane Roe", "John Doe", "Jane Roe")
    )
    interview = story(byline="").replace("</article>", f"{speakers}</article>")
    assert story_article(interview).authors == ()
    # a name set apart further up is a heading, not a signature
    early = "<p><strong>Jane Roe</strong></p>" + "<p>More about the cranes and the docks.</p>" * 4
    headed = story(byline="").replace("</article>", f"{early}</article>")
    assert story_article(headed).authors == ()


def test_a_headline_marked_as_the_author_s_is_no_byline() -> None:
    # the section's name in a header whose id says "author", the author of the JSON-LD unseen
    header = '<header><h1 class="section-name" id="ifAuthor">Brasília</h1></header>'
    head = article_ld(author={"@type": "Person", "name": "Jane Roe"})
    html = story(head=head, before=header, h1="<h2>Harbour cranes return</h2>")
    assert story_article(html).authors == ()


def test_an_article_by_line_keeps_the_name_and_leaves_the_date() -> None:
    line = '<div class="meta">Ein Artikel von <strong>Jane Roe</strong> | 27.01.2022 - 12:45</div>'
    assert byline_authors(line) == ("Jane Roe",)


def test_a_byline_that_says_who_wrote_or_posted_it_ends_where_its_date_begins() -> None:
    written = "<p>Geschrieben von Jane Roe am 25.08.2015 22:30</p>"
    assert byline_authors(written) == ("Jane Roe",)
    saved = (
        '<p class="postmetadata">Von Jane Roe am <a href="/2013/08/07/">07.08.2013</a> um 09:07 '
        'Uhr gespeichert unter <a href="/kat/">Kommunizieren</a></p>'
    )
    assert byline_authors(saved) == ("Jane Roe",)
    created = "<p class='date'>Erstellt von Jane Roe am Dienstag 6. Mai 2014</p>"
    assert byline_authors(created) == ("Jane Roe",)
    slash = "<p>Von Jane Roe / 12. Mai 2020</p>"
    assert byline_authors(slash) == ("Jane Roe",)
    posted = "<p>Posted by Jane Roe on Monday, November 18th, 2019 at 11:08 a.m.</p>"
    assert byline_authors(posted) == ("Jane Roe",)
    # A word of the name is not taken for the date's: "Today" of "Courier Today"
    paper = "<p>Written by Courier Today on November 7, 2023</p>"
    assert byline_authors(paper) == ("Courier Today",)
    # An embedded post's line is the post's, not the article's
    embedded = f"<blockquote class='fb'>{posted}</blockquote>"
    assert byline_authors(embedded) == ()


def test_a_name_the_page_never_shows_is_no_author() -> None:
    person = "https://courier.example/#/schema/person/1"
    graph = {
        "@graph": [
            {"@type": "NewsArticle", "headline": HEADLINE, "author": {"@id": person}},
            {"@type": "Person", "@id": person, "name": "Kathleen Ditton"},
        ]
    }
    # The account that posted the page, which only the declarations name
    assert story_article(story(head=json_ld(graph))).authors == ()
    hidden = '<meta name="author" content="Kathleen Ditton">'
    assert story_article(story(head=hidden)).authors == ()
    # The byline the page shows instead
    byline = '<p class="byline">By Jane Roe, John Doe</p>'
    html = story(head=json_ld(graph) + hidden, byline=byline)
    assert story_article(html).authors == ("Jane Roe", "John Doe")
    # but not a user name and its tagline, written as no name is
    tagline = (
        '<div class="author"><a href="/@x4"><strong>linksc</strong></a>'
        "<p>Creating Search Engine API</p></div>"
    )
    assert story_article(story(head=hidden, byline=tagline)).authors == ()
    # A name the page shows with accents the declaration leaves out is shown
    accented = story(head=article_ld(author="Gabor Munier"), after=footer_showing("Gàbor Muniér"))
    assert story_article(accented).authors == ("Gabor Munier",)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("<small>04.02.2022 | 13:10 Uhr | Jane Roe</small>", ("Jane Roe",)),
        ('<div class="field">25.10.2022 - Jane Roe</div>', ("Jane Roe",)),
        # the day, then "von" and the name, which may then be one word
        ("<span>06.11.2023 13:30 von Olga</span>", ("Olga",)),
        ("<span>06.11.2023 13:30 | Olga</span>", ()),
        # a place, a label in capitals, a line without a day: no byline
        ("<small>04.02.2022 | Hamburg</small>", ()),
        ("<span>04. November 2021 | PAID CONTENT</span>", ()),
        ("<span>Politik | Jane Roe</span>", ()),
        # a box of lines: the name, the outlet the story comes from, the day
        (
            '<div class="m-bar">Jane Roe<br><a href="https://herald.example/a">The Herald</a>'
            "<br>Thu, 14 May 2020 17:55 UTC</div>",
            ("Jane Roe",),
        ),
        # the place on the line after the name's link is no name; nor is a tag's box
        ("<div><a href='/jroe'>Jane Roe</a><br>Hamburg<br>14 May 2020</div>", ()),
        ("<div><div class='tags'>Winter Games</div><div>02 Feb. 2022</div></div>", ()),
        # nor a breadcrumb trail's sections beside the day
        (
            "<div><ol class='breadcrumbs'><li><a href='/'> Auto </a></li> <li><a href='/t'> "
            "Thema </a></li></ol><div>| 05. November 2021 | 08:02 Uhr</div></div>",
            (),
        ),
    ],
)
def test_a_line_beside_the_headline_with_the_day_and_a_name_is_the_byline(
    line: str, names: tuple[str, ...]
) -> None:
    assert byline_authors(line) == names


def test_a_teaser_module_that_holds_the_headline_is_the_article_s_own() -> None:
    top = (
        f'<div class="module module-imageTeaser topArticle"><h1>{HEADLINE}</h1>'
        '<div class="metaInfo">Ein Artikel von <strong>Jane Roe</strong> | 27.01.2022</div>'
        "</div>"
    )
    assert story_article(story(h1=top)).authors == ("Jane Roe",)
    # the label alone is no name
    label = '<div class="author-info"><span class="auth-byline">von</span></div>'
    assert byline_authors(label) == ()


def test_a_label_s_name_loses_the_agency_acronym_after_its_slash() -> None:
    row = '<div class="info"><h5>Datum: </h5>03.11.2021 <br><h5>Autor: </h5>Peter Maahn/SP-X</div>'
    assert byline_authors(row) == ("Peter Maahn",)


def test_an_agency_alone_on_the_line_under_the_headline_is_the_author() -> None:
    head = '<meta name="author" content="No Author">'
    credit = f'<hgroup><h1>{HEADLINE}</h1></hgroup><p class="credit">JIJI</p>'
    assert story_article(story(head=head, h1=credit)).authors == ("JIJI",)
    # a picture's credit is not the story's
    picture = f'<h1>{HEADLINE}</h1><div><img src="/a.jpg" alt="">© AFP</div>'
    assert story_article(story(h1=picture)).authors == ()


def test_a_name_is_spelled_as_the_byline_spells_it() -> None:
    link = (
        '<p class="meta">26 Mai, 2008 | <a href="/author/the_pain" rel="author" '
        'title="Beiträge von ThE_PaiN">ThE_PaiN</a></p>'
    )
    assert byline_authors(link) == ("ThE_PaiN",)


def test_a_wire_story_is_credited_to_the_agency_its_dateline_or_source_line_names() -> None:
    lead = (
        "<p>Hamburg (dpa/lno) – The harbour authority said on Tuesday that the cranes would "
        "return.</p>"
    )
    assert byline_authors(lead) == ("dpa/lno",)
    source = story(after='<p style="text-align:right">Quelle: <a href="/kna">KNA</a></p>')
    assert story_article(source).authors == ("KNA",)
    # A town in parentheses is no agency, and a reporter's byline wins over the dateline.
    town = "<p>Altona (Hamburg) – The harbour authority said on Tuesday that the cranes would.</p>"
    assert byline_authors(town) == ()
    both = '<p class="byline">By Jane Roe</p>' + lead
    assert byline_authors(both) == ("Jane Roe",)


def test_the_byline_the_reader_sees_beats_an_author_no_byline_shows() -> None:
    head = '<meta name="author" content="Institute of Harbour Studies">'
    shown = '<div class="meta"><p>Auteur : Jane Roe</p><p>Edition : John Doe</p></div>'
    assert story_article(story(head=head, byline=shown)).authors == ("Jane Roe",)
    # Without a byline in the text, a meta tag's name the page shows is all it says.
    html = story(head=head, after=footer_showing("Institute of Harbour Studies"))
    assert story_article(html).authors == ("Institute of Harbour Studies",)


def test_a_teasers_byline_and_a_sentence_are_no_byline() -> None:
    teaser = (
        '<a href="/other"><h6>Harbour tours resume</h6><p>Boats leave twice a day from the '
        'pier.</p><p class="muted">Von Hans Heckel</p></a>'
    )
    assert story_article(story(after=teaser)).authors == ()
    sentence = "<p><strong>Von „Harbour Feeling“ zu sprechen</strong> wäre übertrieben.</p>"
    assert byline_authors(sentence) == ()


def test_a_link_to_the_authors_page_names_the_author() -> None:
    link = (
        '<div class="meta"><a class="text-body" href="/autoren/jane-roe-684124">Jane Roe</a>'
        "<span>am Mittwoch, 26.01.2022</span></div>"
    )
    assert byline_authors(link) == ("Jane Roe",)
    # A link to her page that says more than her name is no byline.
    more = '<p><a class="more" href="/author/jane-roe">More from Jane Roe</a></p>'
    head = '<meta name="author" content="Jane Roe">'
    assert story_article(story(head=head, after=more)).byline is None


# --- Dates


def test_the_site_headers_today_box_is_not_the_articles_date() -> None:
    header = '<div id="top"><div id="date-box">Mon, 25 Dec 2023</div></div>'
    info = '<div class="article-info"><span class="date">Thu, 14 May 2020 17:55 UTC</span></div>'
    html = (
        "<!doctype html><html lang='en'><head><title>"
        + HEADLINE
        + "</title></head><body>"
        + header
        + '<div class="article"><h1>'
        + HEADLINE
        + "</h1>"
        + info
        + STORY_TEXT
        + "</div>"
        "</body></html>"
    )
    assert story_article(html).published == "2020-05-14"


def test_the_day_is_the_pages_local_day() -> None:
    head = article_ld(datePublished="2023-11-09T03:28:35Z", dateModified="2023-11-09T04:00:00Z")
    head += '<meta property="article:published_time" content="2023-11-08T22:28:35-05:00">'
    published = story_article(story(head=head)).published
    assert published == "2023-11-08T22:28:35-05:00"


def test_an_articles_json_ld_date_is_kept_beside_its_modified_date() -> None:
    head = article_ld(
        datePublished="2024-05-03T10:00:00+02:00", dateModified="2024-05-05T10:00:00+02:00"
    )
    article = story_article(story(head=head))
    assert (article.published, article.modified) == (
        "2024-05-03T10:00:00+02:00",
        "2024-05-05T10:00:00+02:00",
    )


def test_an_article_is_dated_by_the_web_page_it_is_part_of() -> None:
    page = "https://courier.example/news/2024/05/cranes"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": page,
                "datePublished": "2024-05-03T10:00:00+00:00",
                "dateModified": "2024-05-05T10:00:00+00:00",
            },
            {"@type": "Article", "isPartOf": {"@id": page}, "headline": HEADLINE},
        ],
    }
    article = story_article(story(head=json_ld(graph)))
    assert (article.published, article.modified) == (
        "2024-05-03T10:00:00+00:00",
        "2024-05-05T10:00:00+00:00",
    )


# --- The site's name


def test_the_publishers_name_wins_over_an_app_name_and_the_host_label_is_spelled_out() -> None:
    organisation = {"@type": "NewsMediaOrganization", "@id": "https://courier.example/#pub"}
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {**organisation, "name": "The Northbridge Courier"},
            {"@type": "NewsArticle", "headline": HEADLINE, "publisher": organisation},
        ],
    }
    app = '<meta property="al:iphone:app_name" content="Courier">'
    named = story_article(story(head=json_ld(graph) + app))
    microdata = (
        '<div itemprop="publisher" itemscope itemtype="https://schema.org/NewsMediaOrganization">'
        '<meta itemprop="name" content="The Northbridge Courier"></div>'
    )
    shown = story_article(story(before=microdata))
    assert named.site == shown.site == "The Northbridge Courier"
    label = '<meta property="og:site_name" content="courier">'
    spelled = article_ld(publisher={"@type": "Organization", "name": "Courier"})
    assert story_article(story(head=label + spelled)).site == "Courier"


# --- Keywords


def test_one_keyword_per_element_is_one_keyword() -> None:
    tags = "".join(
        f'<meta property="article:tag" content="{tag}">'
        for tag in ("Beshear, Andrew G", "Elections, Governors", "Kentucky")
    )
    keywords = '<meta name="keywords" content="Beshear, Andrew G, Elections, Governors, Kentucky">'
    article = story_article(story(head=tags + keywords))
    assert article.tags == ("Beshear, Andrew G", "Elections, Governors", "Kentucky")
    listed = article_ld(keywords=["Washington, D.C.", "Congress"])
    assert story_article(story(head=listed)).tags == ("Washington, D.C.", "Congress")
    one = '<meta property="article:tag" content="Congress,Senate,Budget">'
    assert story_article(story(head=one)).tags == ("Congress", "Senate", "Budget")


STORY_TEXT = "".join(
    f"<p>Paragraph {n} of the story: the harbour cranes came back to the old docks by spring, "
    "after two years of repairs paid for by the city and the port's operators.</p>"
    for n in range(1, 7)
)


def test_a_byline_line_ends_where_the_next_line_names_the_place() -> None:
    line = (
        "<p>Von <strong><a href='/a/roe'>Jane Roe</a></strong> und <strong>John Doe</strong>"
        "<br>Kakuma /Kenia</p>"
    )
    assert byline_authors(line) == ("Jane Roe", "John Doe")


def test_a_user_name_cut_at_its_digits_gives_way_to_the_byline_that_spells_it_out() -> None:
    head = '<meta name="author" content="Bo">'
    shown = '<div class="left author">Author: <a href="/profile/58"><b>Bo2man</b></a></div>'
    assert story_article(story(head=head, byline=shown)).authors == ("Bo2man",)
    # A longer word is another name, not this one spelled out.
    head = article_ld(author={"@type": "Person", "name": "Bo"})
    other = '<div class="left author">Author: <a href="/profile/58"><b>Bonnie</b></a></div>'
    assert story_article(story(head=head, byline=other)).authors == ("Bo",)


def test_a_byline_of_initials_is_the_name_its_author_link_and_the_page_spell_out() -> None:
    byline = '<p class="meta">by <a href="/author/janeroe/" rel="author">JR</a></p>'
    licence = '<div class="licence">Harbour Diary by <a href="/">Jane Roe</a>, CC BY 3.0</div>'
    assert byline_authors(byline, after=licence) == ("Jane Roe",)
    # A name with those initials that the author link does not spell is someone else's.
    other = licence.replace("Jane Roe", "John Rae")
    assert byline_authors(byline, after=other) == ("JR",)


def test_an_address_in_the_author_tag_is_no_name_however_it_is_read() -> None:
    # An outlet named by its address keeps the address, not words made of it ("Courier Ch").
    host = story(
        head='<meta name="author" content="courier.ch">', after=footer_showing("© courier.ch")
    )
    assert story_article(host).authors == ("courier.ch",)
    written = story(head='<meta name="author" content="jroe[at]courier.net">')
    assert story_article(written).authors == ()
    beside = story(
        head='<meta name="author" content="Jane Roe - http://roe.de">',
        after=footer_showing("Jane Roe"),
    )
    assert story_article(beside).authors == ("Jane Roe",)


# --- Titles


def test_the_post_title_the_page_marks_as_headline_beats_a_sidebars_intro_heading() -> None:
    head = '<meta property="og:title" content="The most beautiful end of the world: Montauk">'
    sidebar = "<div class='sidetray'><h1>When, if not now...</h1><p>About this blog.</p></div>"
    post = (
        '<h2 class="entry-title" itemprop="headline"><time datetime="2019-06-17">Jun 17</time>'
        "The most beautiful end of the world: Montauk</h2>"
    )
    html = story(head=head, before=sidebar, h1=post, title="BeFifty - the blog")
    assert story_article(html).title == "The most beautiful end of the world: Montauk"
    # An <h1> that says what og:title says, with more, stays the headline.
    longer = story(
        head=head,
        h1="<h1>The most beautiful end of the world: Montauk in June</h1>" + post,
        title="BeFifty - the blog",
    )
    assert story_article(longer).title == "The most beautiful end of the world: Montauk in June"


def test_the_sites_name_in_a_title_takes_its_tagline_with_it() -> None:
    keys = {"courier", "courierexample"}
    title = "Harbour cranes return to the old docks : Courier-Archiv | Port news | Since 2005"
    assert strip_site_name(title, keys) == "Harbour cranes return to the old docks"
    # A section before the site's name is no headline to cut the rest from.
    assert strip_site_name("Port | Courier | Harbour cranes return", keys) == (
        "Port | Courier | Harbour cranes return"
    )


def test_a_title_the_page_shows_whole_keeps_a_segment_that_only_looks_like_the_sites() -> None:
    shown = "Courier talks – what the harbour cranes mean for the docks"
    head = f'<meta property="og:title" content="{shown}">'
    as_h1 = story(head=head, h1=f"<h1>{shown}</h1>", title=f"{shown} | The Courier")
    assert story_article(as_h1).title == shown
    as_h2 = story(head=head, h1=f"<h2>{shown}</h2>", title=f"{shown} | The Courier")
    assert story_article(as_h2).title == shown
    # Shown by no heading, the segment is the site's.
    unshown = story(head=head, h1="", title=f"{shown} | The Courier")
    assert story_article(unshown).title == "what the harbour cranes mean for the docks"


def test_a_box_named_like_a_sidebar_that_holds_the_main_column_or_most_text_is_no_widget() -> None:
    head = '<meta property="og:title" content="Cranes are back at the docks">'
    side = '<aside class="sidebar"><p>About this blog.</p></aside>'
    columns = story(
        head=head,
        before='<div class="content-sidebar-wrap"><main>',
        after=f"</main>{side}</div>",
        title="Cranes are back at the docks | Courier",
    )
    assert story_article(columns).title == HEADLINE
    layout = story(
        head=head,
        before='<div class="layout-two-columns-right-sidebar">',
        after=f"{side}</div>",
        title="Cranes are back at the docks | Courier",
    )
    assert story_article(layout).title == HEADLINE


def test_an_h2_beats_the_og_title_that_only_adds_a_note_in_brackets() -> None:
    head = f'<meta property="og:title" content="{HEADLINE} (2024/5)">'
    html = story(head=head, h1=f"<header><h2>{HEADLINE}</h2></header>", title="Courier")
    assert story_article(html).title == HEADLINE


def test_the_part_of_the_h1_marked_as_headline_leaves_out_its_small_kicker() -> None:
    h1 = (
        f'<h1><span itemprop="headline"><small>Session of the week</small><br>{HEADLINE}'
        "</span></h1>"
    )
    assert story_article(story(h1=h1, title="Courier")).title == HEADLINE


def test_the_segment_of_the_title_that_the_description_repeats_is_the_headline() -> None:
    head = f'<meta name="description" content="{HEADLINE}">'
    title = f"Courier Rowing Club Harbourside - {HEADLINE} - Port news - News"
    assert story_article(story(head=head, h1="", title=title)).title == HEADLINE
    # A description that says more is no segment.
    more = f'<meta name="description" content="{HEADLINE}, the port says">'
    assert story_article(story(head=more, h1="", title=title)).title != HEADLINE


def test_without_an_h1_the_h2_that_says_the_title_with_more_words_is_the_headline() -> None:
    h2 = "<h2>Design contest for the new workshop building at the harbour</h2>"
    html = story(h1=h2, title="New workshop building - Courier Campus")
    assert story_article(html).title == (
        "Design contest for the new workshop building at the harbour"
    )


def test_a_heading_that_a_link_to_the_page_itself_repeats_names_the_page() -> None:
    latest = (
        '<ul class="latest"><li><a href="#content">Skip to the main content</a></li>'
        f'<li><a href="/news/2024/05/cranes">{HEADLINE}</a></li>'
        '<li><a href="/news/2024/05/ferry">Ferry timetable changes for summer</a></li></ul>'
    )
    shown = "<h3>Ferry timetable changes for summer</h3>"
    html = story(before=latest, h1=f"{shown}<h4>{HEADLINE}</h4>", title="Energy prices | Courier")
    assert story_article(html).title == HEADLINE


def _dated_story(head: str, header: str, after: str = "") -> str:
    """A German article: the headline, the date line under it, the text, what follows."""
    return (
        f"<!doctype html><html lang='de'><head><title>{HEADLINE}</title>{head}</head><body>"
        f'<div class="article"><h1>{HEADLINE}</h1>{header}{STORY_TEXT}</div>{after}'
        "</body></html>"
    )


def test_the_date_line_under_the_headline_dates_a_page_that_declares_no_date() -> None:
    line = '<div class="field field--name-node-post-date">20.12.2022</div>'
    # htmldate takes the reader's reaction below for the article's date.
    reaction = (
        '<div class="reactions"><p>Gut erklärt! <abbr class="date" title="2023-01-19T10:57:27Z">'
        "19.01.2023</abbr></p></div>"
    )
    assert story_article(_dated_story("", line, reaction)).published == "2022-12-20"


def test_the_date_line_under_the_headline_wins_over_a_declared_day_the_page_never_shows() -> None:
    head = article_ld(datePublished="2024-05-01T09:00:00+02:00")
    line = '<aside class="meta">21.05.2024 · Ausrüstung</aside>'
    assert story_article(_dated_story(head, line)).published == "2024-05-21"
    # When the page writes the declared day too, the declared day stays.
    shown = _dated_story(head, line, "<footer><p>Erstmals erschienen 01.05.2024</p></footer>")
    assert story_article(shown).published == "2024-05-01T09:00:00+02:00"


def test_a_day_the_text_talks_about_or_a_comments_day_does_not_date_the_page() -> None:
    prose = (
        "<p>Die Novellierung der Düngeverordnung ist seit dem 30.04.2020 in Kraft, und die "
        "Sperrfristen gelten seitdem für alle Betriebe im ganzen Land.</p>"
    )
    assert story_article(_dated_story("", "", prose)).published is None
    comments = (
        '<div class="comments"><ol><li class="comment"><p>Danke für den Artikel!</p>'
        '<abbr title="2010-12-08T10:56:00Z">8. Dezember 2010 um 10:56</abbr></li></ol></div>'
    )
    assert story_article(_dated_story("", "", comments)).published is None


def test_an_unmarked_kicker_opening_the_h1_is_left_out_when_the_title_names_the_rest() -> None:
    h1 = (
        "<h1><style>.k{display:block}</style><span class='k'>Press release of the Port "
        f"Authority <span class='visually-hidden'>:</span></span>{HEADLINE}</h1>"
    )
    assert story_article(story(h1=h1)).title == HEADLINE
    # Without a declared title that names the rest, the <h1> stays whole.
    whole = story(h1=h1, title="Press releases")
    assert story_article(whole).title.startswith("Press release of the Port Authority")


def test_a_title_ending_in_the_logos_words_loses_them_all() -> None:
    logo = '<div id="header"><h1><a href="/">Salsa figures - Rueda in Berlin</a></h1></div>'
    title = "Enchufla figures - Salsa figures - Rueda in Berlin"
    html = story(before=logo, h1="<div id='page-title'>Enchufla figures</div>", title=title)
    assert story_article(html, "https://rueda.wiki.example/enchufla").title == "Enchufla figures"


def test_the_day_after_a_publication_label_in_the_next_element_dates_the_page() -> None:
    head = '<meta name="date" content="2021-10-15">'
    box = (
        '<div class="eventbox"><span class="eventbox__subheadline">Erschienen am:</span>\n'
        '  <h2 class="eventbox__headline">\n    13.10.2021\n  </h2></div>'
        '<div class="timestamp"><h4>Zuletzt geändert am:</h4><ul><li>15.10.2021</li></ul></div>'
    )
    assert story_article(_dated_story(head, "", box)).published == "2021-10-13"
    # A layout wrapper whose class says navigation holds the whole page, the article too.
    wrapped = _dated_story(head, box).replace(
        "<body>", '<body><div class="page-wrapper left-navigation-wrapper"><main>'
    )
    assert story_article(wrapped).published == "2021-10-13"


def test_a_day_the_page_marks_as_modified_is_not_its_shown_publication_day() -> None:
    dates = (
        '<time itemprop="dateModified" class="hidden">2018-08-29 14:15:57</time>'
        '<time itemprop="datePublished" datetime="2018-06-22 10:20:00" class="hidden">'
        '2018-06-22 10:20:00</time><span class="v-box">22.06.2018 10:20</span>'
    )
    assert story_article(_dated_story("", dates)).published == "2018-06-22T10:20:00"


def test_a_line_of_its_own_that_opens_with_a_day_beside_the_headline_dates_the_page() -> None:
    teasers = (
        '<div class="more"><div class="tw-card"><a href="/other">Harbour tours resume</a>'
        '<p class="tw-text-12">21. Januar 2022</p></div></div>'
    )
    under = '<p class="tw-text-14"><br> 1. Februar 2022 , Jane Roe</p>'
    assert story_article(_dated_story("", under, teasers)).published == "2022-02-01"
    above = _dated_story("", "", teasers).replace(
        "<h1>", "<p>02.02.2022 10:16 Uhr - 1. Bundesliga - PM Vereine, red</p><h1>"
    )
    assert story_article(above).published == "2022-02-02"
    # A day further down, in the text, is no date line.
    far = _dated_story("", "", "<p>01.02.2022 Jane Roe</p>" + teasers)
    assert story_article(far).published != "2022-02-01"


def test_a_line_that_opens_with_the_day_of_an_update_does_not_date_the_page() -> None:
    head = article_ld(datePublished="2013-11-27T08:36:32Z", dateModified="2013-11-28T02:03:23Z")
    line = '<div class="cnn_strytmstmp">November 28, 2013 -- Updated 0203 GMT (1003 HKT)</div>'
    assert story_article(story(head=head, byline=line)).published == "2013-11-27T08:36:32+00:00"


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ('<div class="story-date-info">Unica.md, 20 septembrie 2020 16:20</div>', "2020-09-20"),
        ('<span class="entry-top-info-time">2020年07月03日</span>', "2020-07-03"),
    ],
)
def test_a_date_line_in_romanian_or_japanese_dates_the_page(line: str, day: str) -> None:
    assert story_article(_dated_story("", line)).published == day


@pytest.mark.parametrize(
    "line",
    [
        "<p>Veröffentlicht am 16.08.2019<br/> Dauer: 1 Stunde 4 Minuten</p>",
        "<p>Published on 16 August 2019 | 64 minutes</p>",
    ],
)
def test_a_label_of_two_words_before_the_day_dates_the_page(line: str) -> None:
    head = '<meta name="date" content="2019-08-24">'
    assert story_article(_dated_story(head, "", line)).published == "2019-08-16"


@pytest.mark.parametrize(
    ("opening", "day"),
    [
        ("<strong>Karlsruhe, (12.11.2021).</strong> Traditionell gedenken", "2021-11-12"),
        ("(21. November 2022) Energieverbraucher erhalten", "2022-11-21"),
        ("BERLIN, March 12, 2020 — The harbour authority said", "2020-03-12"),
        ("2021-10-16 | Botschaft", "2021-10-16"),
    ],
)
def test_a_press_releases_dateline_opening_the_first_paragraph_dates_the_page(
    opening: str, day: str
) -> None:
    first = (
        f"<p>{opening} that the cranes would return to the old docks by spring, after two "
        "years of repairs paid for by the city and the port's operators.</p>"
    )
    assert story_article(_dated_story("", first)).published == day
    # A declared day that the page writes nowhere is the CMS's, not the release's.
    head = '<meta property="article:published_time" content="2024-01-09T10:00:00+01:00">'
    assert story_article(_dated_story(head, first)).published == day


def test_a_day_opening_a_sentence_of_the_first_paragraph_is_no_dateline() -> None:
    head = '<meta property="article:published_time" content="2024-01-09T10:00:00+01:00">'
    first = (
        "<p>1. Mai 2020 gingen Tausende für die alten Docks auf die Straße, friedlich, nach "
        "zwei Jahren der Reparaturen, die die Stadt und die Betreiber des Hafens bezahlten.</p>"
    )
    assert story_article(_dated_story(head, first)).published == "2024-01-09T10:00:00+01:00"


def test_a_publication_label_in_the_articles_own_footer_dates_the_page() -> None:
    head = '<meta name="date" content="2023-10-31">'
    footer = (
        '<div class="review-footer"><p>Letzte Änderung: 31.10.2023 - 14:49:39<br>'
        "Erschienen am: 01.11.2023<br>Lesungen: 61</p></div>"
    )
    html = _dated_story(head, "").replace("</div></body>", f"</div>{footer}</body>")
    html = html.replace("<body>", "<body><nav><a href='/'>Start</a></nav><div class='content'>")
    html = html.replace("</body>", "</div></body>")
    assert story_article(html).published == "2023-11-01"
    # The page's own footer, the site's links, is no article's.
    links = "".join(f"<a href='/{n}'>Rubrik {n}</a> " for n in range(12))
    site = html.replace("<p>Letzte", f"<p>{links}</p><p>Letzte")
    assert story_article(site).published == "2023-10-31"


def test_the_sites_header_dates_nothing_on_a_page_without_a_headline() -> None:
    header = (
        "<header><a href='/'><img src='/logo.png' alt='Theatre Review'></a>"
        "<nav><a href='/reviews'>Reviews</a> <a href='/columns'>Columns</a></nav>"
        '<span class="date"><time datetime="2023-11-01T13:56:20+01:00">Mittwoch, '
        "01. November 2023</time></span></header>"
    )
    column = (
        '<main><div class="column"><p class="title">Im Schlepptau</p>'
        '<p class="intro"><span class="text_datum">31. Oktober 2023.</span> Dragqueens sind '
        "Kunstfiguren aus Make-Up und Glitter, auf Partys und in Shows.</p>"
        f"{STORY_TEXT}</div></main>"
    )
    html = "<!doctype html><html lang='de'><head><title>Im Schlepptau</title></head><body>"
    html += f"{header}{column}</body></html>"
    assert story_article(html).published == "2023-10-31"


def test_a_banner_over_the_headline_dates_the_page_a_list_of_other_stories_not() -> None:
    banner = (
        '<div class="news-banner"><span>Pressemitteilung | Verbraucherzentrale</span>'
        '<time datetime="2022-12-12 12:22">12.12.2022 12:22</time></div>'
    )
    others = "".join(
        f'<li><time datetime="2022-0{n}-10 11:05">10.0{n}.2022 11:05</time>'
        f'<a href="/news/{n}"><strong>Press release number {n}</strong></a></li>'
        for n in (8, 7, 6)
    )
    more = f'<div class="more-block"><h4>Weitere Pressemitteilungen</h4><ul>{others}</ul></div>'
    article = f'<div class="main-article-block"><h1>{HEADLINE}</h1>{STORY_TEXT}{more}</div>'
    html = (
        "<!doctype html><html lang='de'><head><title>t</title></head><body>"
        f"<header><a href='/'>Verbände</a></header><main>{banner}<section>{article}</section>"
        "</main></body></html>"
    )
    assert story_article(html).published == "2022-12-12"
    # Without the banner, the list's days date nothing.
    assert story_article(html.replace(banner, "")).published is None


def test_a_sites_logo_marked_up_as_h1_is_not_the_headline_its_date_line_hangs_under() -> None:
    logo = (
        '<header><div class="logo"><h1><a href="https://courier.example">'
        '<img src="/logo.png" alt="Courier"> Courier</a></h1></div>'
        '<ul class="topbar-info"><li>Baku</li><li>Tuesday, (08 Dec 2020)</li></ul></header>'
    )
    post = (
        f'<div class="content"><div class="post"><h1>{HEADLINE}</h1><p>13 Oct 2020 18:29</p>'
        f"{STORY}</div></div>"
    )
    html = f"<!doctype html><html lang='en'><head><title>t</title></head><body>{logo}{post}"
    assert story_article(html + "</body></html>").published == "2020-10-13"
    # A blog's heading of the day's posts, over the post, beside it in a box of their own,
    # dates it.
    day = (
        '<div class="blog-posts"><div class="date-outer"><h2 class="date-header"><span>'
        'Wednesday, October 16, 2019</span></h2><div class="date-posts"><div class="post">'
        f"<h1>{HEADLINE}</h1>{STORY}</div></div></div></div>"
    )
    blog = html.replace(post, day).replace("Tuesday, (08 Dec 2020)", "")
    assert story_article(blog + "</body></html>").published == "2019-10-16"


@pytest.mark.parametrize(
    "home",
    [
        "/",
        "./",
        "index.html",
        "https://courier.example/",
        "https://www.courier-group.example",  # the group's front page, on another host
        "https://web.archive.org/web/20201013000000/https://courier.example/",
    ],
)
def test_an_h1_linking_to_a_front_page_outside_the_article_is_the_sites_logo(home: str) -> None:
    # The day under the logo is today's; the story's is the one under its headline.
    logo = f'<div class="top"><h1><a href="{home}">Courier</a></h1><p>8 December 2020</p></div>'
    post = f'<div class="post"><h1>{HEADLINE}</h1><p>A report. 13 October 2020</p>{STORY}</div>'
    html = (
        f"<!doctype html><html lang='en'><head><title>{HEADLINE}</title></head>"
        f"<body>{logo}{post}</body></html>"
    )
    article = story_article(html)
    assert (article.title, article.published) == (HEADLINE, "2020-10-13")
    # A first <h1> that links elsewhere is a headline, and the day under it is its own.
    elsewhere = html.replace(f'href="{home}"', 'href="/courier/history"')
    assert story_article(elsewhere).published == "2020-12-08"


def test_a_published_value_that_is_the_modification_time_backs_no_day_by_itself() -> None:
    ld = {
        "@type": "NewsArticle",
        "datePublished": "2020-01-19T12:25:36Z",
        "dateModified": "2020-01-20T09:49:32Z",
    }
    root = parse_html(story(head='<meta name="sailthru.date" content="2020-01-20T09:49:32Z">'), "")
    # htmldate's guess, the day of the last change, is what it read on such a page.
    published = published_date(root, meta_tags(root), ld, "2020-01-20", STORY_URL, "en")
    assert published == "2020-01-19T12:25:36+00:00"


def test_a_byline_box_is_read_line_by_line_and_its_place_line_names_no_one() -> None:
    box = '<div class="author"><p class="author-name">Jane Roe</p><p>Em São Paulo (SP)</p></div>'
    assert byline_authors(box) == ("Jane Roe",)
    place = '<div class="author"><p>Jane Roe</p><p class="author-place">In Rio de Janeiro</p></div>'
    assert byline_authors(place) == ("Jane Roe",)
    # A line of lower-case words is no place: "in Rubrik: Hafen" is the story's section
    section = '<div class="author"><p>Jane Roe</p><p>in Rubrik: Hafen</p></div>'
    assert byline_authors(section) == ("Jane Roe",)


def test_the_outlets_label_for_its_own_story_is_no_author() -> None:
    box = '<div class="author"><p>From the Courier</p><p>In Northbridge</p></div>'
    assert byline_authors(box) == ()
    assert clean_authors(["Do UOL", "Jane Roe"], {"uol"}) == ["Jane Roe"]


def test_a_bylines_text_for_screen_readers_only_is_no_part_of_it() -> None:
    profile = (
        '<div class="recipe-author">Rezept von <a class="author-link" href="/user/jroe">'
        '<span class="ds-sr-only">Zum Profil von jroe</span> jroe</a></div>'
    )
    article = story_article(story(byline=profile))
    assert (article.authors, article.byline) == (("jroe",), "jroe")


@pytest.mark.parametrize(
    ("shown", "byline"),
    [
        ("By Jane Roe Nov 19, 2019, 10:31 pm CST", "Jane Roe"),
        ("By Jane Roe <a href='https://facebook.com/x'>Facebook</a><a>Twitter</a>", "Jane Roe"),
        ("By Jane Roe <a href='https://twitter.com/jroe'>@jroe</a>", "Jane Roe"),
        ("Follow Jane Roe on Twitter", "Jane Roe"),
        ("By Jane Roe 36 publicaciones 0 comentarios", "Jane Roe"),
        ("By Jane Roe for AFP", "Jane Roe for AFP"),
        ("By Jane Roe and John Doe USA TODAY", "Jane Roe and John Doe USA TODAY"),
        ("Von Jane Roe, dpa <a href='#comments'>Kommentare</a>", "Jane Roe, dpa"),
        # an address, links to write to the author or to their accounts, a label of the date
        ("By Jane Roe jroe@courier.example", "Jane Roe"),
        (
            "By Jane Roe <a href='https://twitter.com/j'>Twitter Account von Jane Roe</a>",
            "Jane Roe",
        ),
        ("Autor: Jane Roe Data: 28-04-2021, 09:29", "Jane Roe"),
        # the section's box and the count of comments beside the name, a WordPress category
        (
            "<div class='cb-author'>Jane Roe</div><div class='cb-category'>Werkstatt</div>"
            "<div class='cb-comments'>120</div>",
            "Jane Roe",
        ),
        (
            "von <a href='/author/jroe/'>Jane Roe</a> in <a rel='category tag'>Gefühle</a>",
            "Jane Roe",
        ),
        # the boxes of a name and of its outlet, which the site's style sheet sets apart
        (
            "By <span>Jane Roe</span><span>The Associated Press</span>",
            "Jane Roe The Associated Press",
        ),
    ],
)
def test_the_byline_leaves_out_what_trails_the_names(shown: str, byline: str) -> None:
    article = story_article(story(byline=f'<div class="byline">{shown}</div>'))
    assert article.byline == byline


def test_the_byline_leaves_out_an_author_box_s_heading_and_its_e_mail_link() -> None:
    declared = '<meta name="author" content="Jane Roe">'
    box = (
        '<div class="author-byline">About The Author Jane Roe '
        "<a href='mailto:jroe@courier.example'>Email Jane Roe</a></div>"
    )
    assert story_article(story(head=declared, byline=box)).byline == "Jane Roe"
    # a question is no byline: the names stand instead
    asked = '<div class="byline">Love this article? Shout Jane Roe a coffee</div>'
    article = story_article(story(head=declared, byline=asked))
    assert (article.authors, article.byline) == (("Jane Roe",), None)


def test_the_byline_leaves_out_a_sections_name_before_it() -> None:
    declared = '<meta name="author" content="Jane Roe">'
    shown = '<div class="byline"><a href="/harbour">Harbour News</a> By Jane Roe</div>'
    assert story_article(story(head=declared, byline=shown)).byline == "Jane Roe"


def test_a_definition_lists_author_term_names_the_author() -> None:
    listed = (
        "<dl class='meta'><dt>Auteur</dt><dd><a href='/fr/staff/jane-roe/'>Jane Roe</a></dd>"
        "<dt>Cover</dt><dd>Harbour at dawn</dd></dl>"
    )
    assert byline_authors(listed) == ("Jane Roe",)


def test_a_headlines_text_for_screen_readers_only_is_no_part_of_the_title() -> None:
    h1 = f'<h1><span class="visuallyhidden">Headline:</span> {HEADLINE}</h1>'
    assert story_article(story(h1=h1, title="Courier")).title == HEADLINE


def test_a_pictures_byline_is_its_credit_not_the_articles() -> None:
    picture = (
        "<figure><img src='/dortmund.jpg' alt=''><div class='img-info'>Players celebrate "
        "<span class='byline-image'>(AP Foto/Jane Roe, Pool)</span></div></figure>"
        "<p class='byline'>By AP</p>"
    )
    article = story_article(story(byline=picture))
    assert (article.authors, article.byline) == (("AP",), "AP")


def test_a_title_keeps_no_separator_dangling_at_its_end() -> None:
    # (the site's name after the separator was empty: "<title>Harbour news - </title>")
    html = story(h1="", title=f"{HEADLINE} - ")
    assert story_article(html).title == HEADLINE


def test_the_sites_name_reworded_or_split_by_trafilatura_is_no_author() -> None:
    head = (
        '<meta property="og:site_name" content="Bundestagsfraktion Bündnis 90/Die Grünen">'
        '<meta name="author" content="Bündnis 90/Die Grünen Bundestagsfraktion">'
    )
    html = story(head=head, after=footer_showing("Bündnis 90/Die Grünen Bundestagsfraktion"))
    assert story_article(html, "https://www.gruene-bundestag.example/a").authors == ()


def test_a_posted_by_line_names_its_authors_before_their_team() -> None:
    # (the blog's own name is all its author tag gives; the byline is a <noscript> copy)
    head = (
        '<meta property="og:site_name" content="Courier Security Blog">'
        '<meta name="author" content="Courier Security Blog">'
    )
    line = (
        '<noscript><span class="byline-author">Posted by Jane Roe, John Doe, Ann Lee and Raj '
        "C Nair - Harbour Safety team</span></noscript>"
    )
    names = ("Jane Roe", "John Doe", "Ann Lee", "Raj C Nair")
    assert byline_authors(line, head=head) == names
