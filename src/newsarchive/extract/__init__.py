"""TODO"""

from __future__ import annotations

from newsarchive.extract.core import extract
from newsarchive.extract.dates import parse_date, parse_text_date
from newsarchive.extract.engine import EXTRACTOR
from newsarchive.extract.people import clean_authors
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
