"""What `newsarchive import` makes of what it is given, run as a user runs it (a process of its
own, real pipes): a URL instead of a file says which command takes it, a web page given as a
feed leads to its feed, and a document that is not a URL list gives the URLs in its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import md_files, run_process
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode
from newsarchive.sources import urls_in_document
from sites import add_articles, rss


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        (
            "https://example.org/2021/09/story",
            "to archive that page: newsarchive fetch https://example.org/2021/09/story"
            " (or, if it is a feed: newsarchive import --feed https://example.org/2021/09/story)",
        ),
        (
            "https://example.org/rss/news",
            "to read it as a feed: newsarchive import --feed https://example.org/rss/news",
        ),
        (
            "https://example.org/news-sitemap.xml",
            "to read it as a sitemap: newsarchive import --sitemap https://example.org/news-sitemap.xml",
        ),
    ],
)
def test_a_url_given_as_a_list_says_what_to_use(
    archive: Path, tmp_path: Path, url: str, hint: str
) -> None:
    done = run_process(archive, "import", url, cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '[FILE]...': {url} is a URL, not a file of URLs; {hint}"
    )
    assert not archive.exists()


@pytest.mark.slow
def test_feed_given_a_web_page_reads_the_feed_it_links_to(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    urls = add_articles(server, 2)
    server.add(
        "/feed.xml",
        rss([(url, "Tue, 14 Sep 2021 09:00:00 GMT") for url in urls]),
        content_type="application/rss+xml",
    )
    server.add(
        "/news/",
        "<!DOCTYPE html><html><head><title>News</title>"
        '<link rel="alternate" type="application/rss+xml" title="All news" href="/feed.xml">'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        "</head><body><h1>News</h1></body></html>",
    )
    page = server.url("/news/")
    done = run_process(archive, "import", "--jobs", "0", "--feed", page, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    feed = server.url("/feed.xml")
    assert done.stderr.startswith(
        f"{page} is a web page; reading the feed it links to: {feed}"
        f" (it also links to {server.url('/atom.xml')})\n"
        "found 2 URL(s) in feeds, sitemaps and bookmarks\n"
    )
    assert len(md_files(archive)) == 2


REPORT = """\
# Wagner in the Sahel: sources

Reporting from Bamako relied on [the first story]({0}) and on the follow-up at
{1}. See also <{2}> (and the wire copy, {0}#comments).

## Not sources

- email: desk@example.org
- the court filing (PDF, not archived)
"""


@pytest.mark.slow
def test_a_markdown_report_gives_the_urls_in_its_text(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    urls = add_articles(server, 3)
    report = tmp_path / "report.md"
    report.write_text(REPORT.format(*urls), encoding="utf-8")
    done = run_process(archive, "import", "--jobs", "0", str(report), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{report} is not a list of URLs; importing the 4 URL(s) in its text" in done.stderr
    assert "warning" not in done.stderr
    assert len(md_files(archive)) == 3
    assert f"duplicate: {report}:4: {urls[0]}#comments" in done.stderr


def test_a_url_list_with_a_stray_line_is_still_a_list(archive: Path, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("# to read\nhttp://127.0.0.1:9/a\nhttp://127.0.0.1:9/b\noops\n")
    done = run_process(
        archive, "import", "--jobs", "0", "--retries", "0", str(listing), cwd=tmp_path
    )
    assert "is not a list of URLs" not in done.stderr
    assert f"warning: {listing}:4: oops: not an http(s) URL (skipped)" in done.stderr


def test_urls_in_running_text_lose_the_punctuation_around_them() -> None:
    text = (
        "See https://en.wikipedia.org/wiki/Wagner_Group_(disambiguation). Also\n"
        "(https://example.org/a), **https://example.org/b**, [x](https://example.org/c?q=1)\n"
        "and [https://example.org/d](https://example.org/d); 'https://example.org/e'!\n"
    )
    assert [(entry.line, entry.text) for entry in urls_in_document(text, "notes.md")] == [
        (1, "https://en.wikipedia.org/wiki/Wagner_Group_(disambiguation)"),
        (2, "https://example.org/a"),
        (2, "https://example.org/b"),
        (2, "https://example.org/c?q=1"),
        (3, "https://example.org/d"),
        (3, "https://example.org/e"),
    ]
