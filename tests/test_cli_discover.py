"""`newsarchive import` from feeds, sitemaps, OPML lists and bookmark exports, end to end
against a loopback server."""

from __future__ import annotations

from pathlib import Path

from helpers import md_files, run
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode
from sites import add_articles, rss

IMPORT = ("import", "--jobs", "0")


def test_import_a_feed_with_date_and_url_filters(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = add_articles(server, 3)
    server.add(
        "/feed.xml",
        rss(
            [
                (urls[0], "Tue, 14 Sep 2021 09:00:00 GMT"),
                (urls[1], "Mon, 02 Aug 2021 09:00:00 GMT"),  # before --since
                (urls[2], "Wed, 15 Sep 2021 09:00:00 GMT"),
            ]
        ),
        content_type="application/rss+xml",
    )
    result = run(archive, *IMPORT, "--feed", server.url("/feed.xml"), "--since", "2021-09-01")
    assert result.exit_code == 0, result.stderr
    assert "found 2 URL(s) in feeds, sitemaps and bookmarks" in result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert "/news/1" not in server.requests
    # Already archived URLs in a feed cost no request for the article.
    before = [p for p in server.requests if p.startswith("/news/")]
    again = run(archive, *IMPORT, "--feed", server.url("/feed.xml"), "--match", r"/news/[02]$")
    assert again.exit_code == 0, again.stderr
    assert [p for p in server.requests if p.startswith("/news/")] == before


def test_import_a_sitemap_an_opml_list_and_bookmarks(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = add_articles(server, 4)
    server.add(
        "/sitemap.xml",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{urls[0]}</loc></url></urlset>",
        content_type="application/xml",
    )
    server.add("/feed.xml", rss([(urls[1], "Tue, 14 Sep 2021 09:00:00 GMT")]))
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="News" xmlUrl="{server.url("/feed.xml")}"/></body></opml>',
        encoding="utf-8",
    )
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE><DL><p>\n"
        f'<DT><A HREF="{urls[2]}" ADD_DATE="1631600000">Story</A>\n</DL><p>\n',
        encoding="utf-8",
    )
    listing = tmp_path / "links.txt"
    listing.write_text(f"{urls[3]}\n", encoding="utf-8")
    result = run(
        archive,
        *IMPORT,
        "--sitemap",
        server.url("/sitemap.xml"),
        "--opml",
        str(opml),
        str(bookmarks),
        str(listing),
    )
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4
    assert sorted(p for p in server.requests if p.startswith("/news/")) == [
        f"/news/{n}" for n in range(4)
    ]


def test_import_needs_something_to_read(archive: Path) -> None:
    result = run(archive, *IMPORT)
    assert result.exit_code == ExitCode.USAGE
    assert "give a FILE of URLs, or --feed, --sitemap or --opml" in result.stderr


def test_a_feed_that_is_not_a_feed(server: LoopbackServer, archive: Path) -> None:
    server.add("/page", "<html><body><p>Just a page</p></body></html>")
    result = run(archive, *IMPORT, "--feed", server.url("/page"))
    assert result.exit_code != 0
    assert result.stderr.count("error:") == 1 and server.url("/page") in result.stderr
    assert md_files(archive) == []
