"""Hand-made article pages for the extraction tests: `page` wraps HTML as a fetched page, and
`story` is a short article whose metadata each test varies."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from newsarchive.extract import extract
from newsarchive.models import Article, FetchedPage

URL = "https://northbridge-courier.example/news/story"


def page(html: str, url: str = URL) -> FetchedPage:
    return FetchedPage(
        url=url,
        final_url=url,
        status=200,
        content_type="text/html",
        raw=html.encode(),
        fetched_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    )


# A short article in a page whose metadata each test varies.
STORY = "".join(
    f"<p>Paragraph {n}: the harbour authority said on Tuesday that the cranes would return to "
    "the old docks by spring, after two years of repairs paid for by the city and the port's "
    "operators.</p>"
    for n in range(1, 7)
)
HEADLINE = "Harbour cranes return to the old docks"
STORY_URL = "https://courier.example/news/2024/05/cranes"


def story(
    *,
    head: str = "",
    before: str = "",
    byline: str = "",
    after: str = "",
    h1: str = f"<h1>{HEADLINE}</h1>",
    title: str = HEADLINE,
) -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>{head}</head><body>"
        f"{before}<article>{h1}{byline}{STORY}</article>{after}</body></html>"
    )


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def story_article(html: str, url: str = STORY_URL) -> Article:
    return extract(page(html, url))


def byline_authors(byline: str, **parts: str) -> tuple[str, ...]:
    """The authors read from the test story with `byline` under its headline (and the other
    `parts` of `story`)."""
    return story_article(story(byline=byline, **parts)).authors
