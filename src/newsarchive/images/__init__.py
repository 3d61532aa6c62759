"""The article's own pictures, archived with it: chosen from the page (`choose`), checked
(`formats`), downloaded (`download`), kept once each by content (`files`) and shown from the
archive by the Markdown (`links`).

Nothing is imported here: `choose` needs the extractor and `download` the HTTP stack, which
the commands that only check or read the archive (`verify`, `reextract`) do without.
"""
