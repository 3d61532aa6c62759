"""Turn a fetched page into an `Article`: trafilatura's text, checked against the page itself.

trafilatura finds the main text well, but its Markdown loses things a reader needs; so its
text is kept as the backbone and repaired from the DOM: the element that holds most of what
trafilatura kept (or the page's JSON-LD articleBody) is walked in document order, and the
blocks trafilatura dropped are put back at their place unless they are boilerplate.

Metadata comes from the page's own declarations and what it shows (JSON-LD, Open Graph,
`<link rel=canonical>`, `<time>`, the `<h1>` headline), with trafilatura's guesses weighed
against them. Pages that are not the article (bot checks, cookie walls) are refused, and
paywall teasers marked as partial.

The choices were measured with benchmarks/quality.py on the shared corpus; the figures quoted
in comments come from its tuning pages (two thirds of the corpus; a third is held out).
benchmarks/corpus_hashes.py and tests/test_golden.py show that a change leaves the output as
it was, byte for byte.

One concern per module; `core.extract` runs the stages in order:

- `engine`: trafilatura and jusText (the only importer of both), their set-up, and
  trafilatura's reading of a page
- `dom`: lxml (its only importer): parsing, an element's visible text and class words
- `text`: whitespace, comparison keys, URLs, Markdown escaping
- `declarations`: meta tags, JSON-LD, the canonical URL, language, keywords
- `widgets`: the elements that are not the article (navigation, share bars, teasers)
- `dates`: reading dates; the publication and modification dates
- `titles`: the site's name, the headline, the standfirst
- `people`: authors and the byline
- `images`: the lead picture, captions and credits
- `blocks`: trafilatura's blocks and the DOM walker's
- `repair`: the body: trafilatura's blocks repaired from the page
- `tables`: which of the page's tables trafilatura kept, and in what form
- `furniture`: blocks that are page furniture or promotion
- `walls`: bot checks, cookie walls, paywall teasers
- `core`: `extract()`
"""

from __future__ import annotations

from newsarchive.extract.core import extract
from newsarchive.extract.datetext import parse_date, parse_text_date
from newsarchive.extract.engine import EXTRACTOR
from newsarchive.extract.names import clean_authors
from newsarchive.extract.titles import choose_title, strip_site_name
from newsarchive.extract.walls import COMPLETENESS, REASON

__all__ = [
    "COMPLETENESS",
    "EXTRACTOR",
    "REASON",
    "choose_title",
    "clean_authors",
    "extract",
    "parse_date",
    "parse_text_date",
    "strip_site_name",
]
