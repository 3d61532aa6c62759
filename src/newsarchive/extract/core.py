"""`extract()`: a fetched page in, an `Article` out, stage by stage.

Each stage lives in the module that owns its concern; this one only runs them in order and
assembles the result.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from newsarchive.extract import engine
from newsarchive.extract.bylines import tidy_byline
from newsarchive.extract.dates import modified_date, published_date
from newsarchive.extract.declarations import (
    categories,
    declared_url,
    description,
    json_ld,
    ld_free,
    ld_index,
    ld_with_page_dates,
    meta_tags,
    page_language,
    pick_article,
    tags,
)
from newsarchive.extract.dom import (
    Element,
    page_scope,
    parse_html,
    remove_never_shown,
    shown_text,
    without_ruby_annotations,
)
from newsarchive.extract.engine import EXTRACTOR
from newsarchive.extract.images import find_lead_image, lazy_pictures
from newsarchive.extract.people import find_people
from newsarchive.extract.repair import article_body, header_shown
from newsarchive.extract.text import first_of, match_key, without_controls
from newsarchive.extract.titles import (
    find_standfirst,
    find_title,
    identify_site,
    standfirst_heading,
)
from newsarchive.extract.walls import (
    COMPLETENESS,
    REASON,
    consent_wall,
    no_article,
    partial_reason,
    refuse_bot_check,
)
from newsarchive.models import Article, FetchedPage


def extract(page: FetchedPage, *, url: str | None = None) -> Article:
    """Extract the article from a fetched page.

    `url` overrides where the page came from (for local files). Raises ExtractionError when the
    page holds no article text (empty, navigation only, an error page, a bot check, a cookie
    wall).
    """
    with page_scope():
        return _extract(page, url)


def _extract(page: FetchedPage, url: str | None) -> Article:
    base = url or page.final_url or page.url or None
    where = base or page.local_path or "<page>"
    markup = without_ruby_annotations(page.html)
    root = parse_html(markup, where)
    hidden = remove_never_shown(root)
    shown = shown_text(root)
    refuse_bot_check(page.html, shown, where)
    consent = consent_wall(root, shown, page.final_url or base)
    reading = engine.read(markup, base, lazy_pictures(root, base), prune=hidden)
    if reading is None:
        raise no_article(where, consent)
    meta = meta_tags(root)
    article_url = declared_url(root, meta, base) or _file_url(page)
    ld_objects = json_ld(root)
    ld = pick_article(ld_objects, [article_url, base or ""])
    site = identify_site(
        root, meta, ld, article_url, base, (reading.sitename, reading.title), ld_index(ld_objects)
    )
    title = find_title(root, meta, ld, reading.title, site, (article_url, base))
    paragraphs = [b.md for b in reading.blocks if b.tag == "p"]
    authors, byline = find_people(root, meta, ld, ld_objects, reading.author, site.keys, paragraphs)
    language = page_language(root, meta, ld, reading.language)
    lang = root.get("lang") or language
    dated = ld_with_page_dates(ld, ld_objects)
    first = paragraphs[0] if paragraphs else None
    published = published_date(root, meta, dated, reading.date, article_url, lang, first)
    image = find_lead_image(root, meta, ld, reading.image, base)
    standfirst = standfirst_heading(root, meta, ld, title)
    header = header_shown(root, meta, ld, title, (authors, byline), image, standfirst)
    body = article_body(
        root,
        reading.blocks,
        header,
        title=title,
        consent=consent,
        ld=ld,
        base=base,
        article_url=article_url,
    )
    if not match_key(body):
        raise no_article(where, consent)
    given = url or page.url
    return _printable(
        Article(
            url=article_url,
            title=title or first_of(reading.title) or "",
            body=body,
            fetched=page.fetched_at,
            authors=tuple(authors),
            byline=tidy_byline(byline),
            published=published,
            modified=modified_date(root, meta, dated),
            site=site.name,
            hostname=site.hostname,
            description=description(meta, ld, reading.description),
            language=language,
            tags=tags(meta, ld, reading.tags),
            categories=categories(meta, ld, reading.categories),
            image=image,
            source=given if given and given != article_url else None,
            status=page.status,
            final_url=page.final_url or None,
            extra=_extra(root, (title, standfirst), body, shown, ld, consent),
        )
    )


def _printable(article: Article) -> Article:
    """`article` with no control characters in any of its texts (`without_controls`)."""
    changed: dict[str, Any] = {}
    for name, value in vars(article).items():
        if isinstance(value, str):
            changed[name] = without_controls(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changed[name] = tuple(without_controls(v) for v in value)
    if article.image is not None:
        image = article.image
        changed["image"] = dataclasses.replace(
            image,
            caption=image.caption and without_controls(image.caption),
            credit=image.credit and without_controls(image.credit),
            alt=image.alt and without_controls(image.alt),
        )
    changed["extra"] = {k: without_controls(v) for k, v in article.extra.items()}
    return dataclasses.replace(article, **changed)


def _file_url(page: FetchedPage) -> str:
    """The address of a saved page that names none: its file's (or nothing)."""
    return Path(page.local_path).resolve().as_uri() if page.local_path else ""


def _extra(
    root: Element,
    heads: tuple[str, str | None],
    body: str,
    shown: str,
    ld: dict[str, Any],
    consent: Element | None,
) -> dict[str, str]:
    """Article.extra: the extractor, the standfirst, whether the article is free to read and,
    for a page that holds only part of it, why (`heads`: the headline and the standfirst set
    as a heading under it; `shown`: the page's `shown_text`)."""
    extra = {"extractor": EXTRACTOR}
    title, heading = heads
    if standfirst := find_standfirst(root, title, body, heading):
        extra["standfirst"] = standfirst
    free = ld_free(ld)
    if free is not None:
        extra["accessible_for_free"] = str(free).lower()
    if partial := partial_reason(body, root, shown, ld, consent):
        extra[COMPLETENESS] = "partial"
        extra[REASON] = partial
    return extra
