"""Imported by the server process that the extraction processes of an import are forked from.

It warms the extractor up once (its word lists, the public-suffix list, lazy imports), so
that each extraction process starts warm and shares those pages with the others instead of
loading a copy of its own. Nothing else imports this module: importing it does the work.
"""

from __future__ import annotations

import gc

from newsarchive.extracting import warm_up

warm_up()
# Objects that exist now live as long as the server: keep the collector of each forked
# process from writing to them, which would copy the pages they share.
gc.freeze()
