"""The pictures' parts on their own: formats, Markdown links, choosing, the files. The
commands that use them are tested end to end in test_cli_images.py."""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from newsarchive.errors import TemplateError
from newsarchive.images.choose import choose, parse_srcset
from newsarchive.images.files import ImageFiles
from newsarchive.images.formats import BadImage, identify
from newsarchive.images.links import image_urls, localize, relative_prefix
from newsarchive.models import Article, LeadImage, StoredImage
from newsarchive.naming import validate_template
from newsarchive.store import Archive
from pictures import CDN, jpeg, picture, png

# -- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("GIF", "image/gif"),
        ("WEBP", "image/webp"),
        ("BMP", "image/bmp"),
        ("TIFF", "image/tiff"),
    ],
)
def test_each_format_is_read_with_its_size(fmt: str, media_type: str) -> None:
    data = picture(fmt, (321, 123))
    found = identify(data, media_type)
    assert found.media_type == media_type
    if fmt != "TIFF":  # its size is deep in the file: not read
        assert (found.width, found.height) == (321, 123)
    assert Image.open(io.BytesIO(data)).size == (321, 123)  # what a decoder says


def test_lossless_and_extended_webp_sizes() -> None:
    lossless = io.BytesIO()
    Image.new("RGBA", (300, 200), (1, 2, 3, 4)).save(lossless, "WEBP", lossless=True)
    assert identify(lossless.getvalue(), "image/webp").width == 300
    animated = io.BytesIO()
    frames = [Image.new("RGB", (250, 150), (n, 0, 0)) for n in (0, 200)]
    frames[0].save(animated, "WEBP", save_all=True, append_images=frames[1:])
    found = identify(animated.getvalue(), "image/webp")
    assert (found.width, found.height) == (250, 150)


def test_aliases_and_parameters_of_the_claimed_type() -> None:
    assert identify(jpeg(), "image/jpg").media_type == "image/jpeg"
    assert identify(jpeg(), "IMAGE/JPEG; charset=binary").media_type == "image/jpeg"
    assert identify(png(), None).media_type == "image/png"  # no claim: any picture


def test_svg_is_a_picture_with_or_without_its_size() -> None:
    drawn = b'<?xml version="1.0"?>\n<!-- map --><svg xmlns="http://www.w3.org/2000/svg"'
    sized = identify(drawn + b' width="640" height="480"><rect/></svg>', "image/svg+xml")
    assert (sized.media_type, sized.width, sized.height) == ("image/svg+xml", 640, 480)
    boxed = identify(drawn + b' viewBox="0 0 300 150"></svg>', "image/svg+xml")
    assert (boxed.width, boxed.height) == (300, 150)
    assert identify(drawn + b"></svg>", "image/svg+xml").width is None


@pytest.mark.parametrize(
    ("body", "claimed", "message"),
    [
        (b"", "image/jpeg", "empty body (0 bytes)"),
        (
            b"<!DOCTYPE html><html><body>Not found</body></html>",
            "image/jpeg",
            "served as image/jpeg, but the body is an HTML page",
        ),
        (b'{"error": "gone"}', "image/png", "served as image/png, but the body is JSON"),
        (b"   \n", "image/gif", "served as image/gif, but the body is blank"),
        (jpeg(), "image/png", "served as image/png, but the body is a JPEG picture"),
        (png(), "text/html", "not an image (text/html)"),
        (b"\x00\x01garbage", None, "no Content-Type, but the body is not a picture of a known"),
        (png()[:-12], "image/png", "a truncated PNG picture (no IEND chunk)"),
        (jpeg()[:-2], "image/jpeg", "a truncated JPEG picture (no end marker)"),
        (jpeg()[:300], "image/jpeg", "a truncated JPEG picture"),
        (picture("WEBP")[:-10], "image/webp", "a truncated WebP picture"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", "a damaged PNG picture"),
        (png(), "image/x-unknown", "unknown image type image/x-unknown"),
    ],
)
def test_what_is_not_the_picture_it_claims_is_refused(
    body: bytes, claimed: str | None, message: str
) -> None:
    with pytest.raises(BadImage) as caught:
        identify(body, claimed)
    assert str(caught.value).startswith(message)


# -- Markdown links --------------------------------------------------------------------------

BODY = """Text.

![Boats](https://cdn.example.org/a.jpg)

![A (b) <c>](<https://cdn.example.org/x (1).jpg>)

![](https://cdn.example.org/a.jpg "as titled")

Not a picture: [link](https://cdn.example.org/a.jpg) and ![broken(.
"""


def test_image_urls_lists_each_picture_once_in_order() -> None:
    assert image_urls(BODY) == [
        "https://cdn.example.org/a.jpg",
        "https://cdn.example.org/x%20(1).jpg",
    ]


def test_localize_links_the_stored_pictures_and_titles_them_with_their_address() -> None:
    stored = StoredImage(
        "https://cdn.example.org/a-big.jpg", "_images/ab/abc.jpg", "image/jpeg", 3, "abc"
    )
    other = StoredImage(
        'https://cdn.example.org/x "1".jpg', "_images/cd/cde.png", "image/png", 4, "cde"
    )
    text = localize(
        BODY,
        {"https://cdn.example.org/a.jpg": stored, "https://cdn.example.org/x (1).jpg": other},
        "../../",
    )
    assert (
        text
        == """Text.

![Boats](../../_images/ab/abc.jpg "https://cdn.example.org/a-big.jpg")

![A (b) <c>](../../_images/cd/cde.png "https://cdn.example.org/x %221%22.jpg")

![](../../_images/ab/abc.jpg "https://cdn.example.org/a-big.jpg")

Not a picture: [link](https://cdn.example.org/a.jpg) and ![broken(.
"""
    )


def test_relative_prefix_leads_back_to_the_archive_root() -> None:
    assert relative_prefix("2021/09/x.md") == "../../"
    assert relative_prefix("site/x.md") == "../"
    assert relative_prefix("x.md") == ""


# -- choosing --------------------------------------------------------------------------------


def test_srcset_urls_keep_their_commas() -> None:
    value = " a.jpg 1x,b.jpg 2x , https://x.org/w_800,c_fill/c.jpg 800w, d.jpg, e.jpg (x, y) 3x"
    assert parse_srcset(value) == [
        ("a.jpg", "1x"),
        ("b.jpg", "2x"),
        ("https://x.org/w_800,c_fill/c.jpg", "800w"),
        ("d.jpg", ""),
        ("e.jpg", "(x, y) 3x"),
    ]


def _article(body: str, lead: str | None = None) -> Article:
    image = LeadImage(lead) if lead else None
    return Article(
        url="https://x.org/a", title="T", body=body, fetched=datetime.now(UTC), image=image
    )


def _page(images: str) -> str:
    header = "<header><img src='/logo.png'></header>"
    return f"<html><body>{header}<article>{images}</article></body></html>"


def test_the_best_candidate_up_to_2048_pixels_wide() -> None:
    page = _page(
        f"<img src='{CDN}/s.jpg' srcset='{CDN}/s.jpg 400w, {CDN}/m.jpg 1600w, {CDN}/l.jpg 4000w'>"
        f"<img src='{CDN}/only-huge.jpg' srcset='{CDN}/h1.jpg 3000w, {CDN}/h2.jpg 5000w'>"
        f"<img src='{CDN}/d.jpg' srcset='{CDN}/d.jpg 1x, {CDN}/d2.jpg 2x, {CDN}/d4.jpg 4x'>"
        f"<img src='data:image/gif;base64,R0lGOD' data-src='{CDN}/lazy.jpg'>"
    )
    body = (
        f"![]({CDN}/s.jpg)\n\n![]({CDN}/only-huge.jpg)\n\n![]({CDN}/d.jpg)\n\n![]({CDN}/lazy.jpg)"
    )
    wanted = choose(_article(body), page, "https://x.org/a")
    assert [(w.ref, w.url) for w in wanted] == [
        (f"{CDN}/s.jpg", f"{CDN}/m.jpg"),
        (f"{CDN}/only-huge.jpg", f"{CDN}/h1.jpg"),
        (f"{CDN}/d.jpg", f"{CDN}/d2.jpg"),
        (f"{CDN}/lazy.jpg", f"{CDN}/lazy.jpg"),
    ]


def test_picture_sources_in_formats_every_viewer_shows() -> None:
    page = _page(
        "<picture><source type='image/avif' srcset='/p.avif 2000w'>"
        "<source srcset='/p-1000.webp 1000w, /p-1800.webp 1800w'>"
        "<img src='/p.jpg'></picture>"
        "<picture><source type='image/avif' srcset='/q.avif 2000w'><img src='/q.jpg'></picture>"
    )
    wanted = choose(
        _article("![](https://x.org/p.jpg) ![](https://x.org/q.jpg)"), page, "https://x.org/a"
    )
    assert [w.url for w in wanted] == ["https://x.org/p-1800.webp", "https://x.org/q.jpg"]


def test_the_lead_picture_comes_first_and_one_file_serves_two_addresses() -> None:
    page = _page(
        f"<img src='{CDN}/a-640.jpg' srcset='{CDN}/a-640.jpg 640w, {CDN}/a-1200.jpg 1200w'>"
    )
    article = _article(f"![]({CDN}/b.jpg) ![]({CDN}/a-640.jpg)", lead=f"{CDN}/a-1200.jpg")
    wanted = choose(article, page, "https://x.org/a")
    assert [(w.ref, w.url) for w in wanted] == [
        (f"{CDN}/a-1200.jpg", f"{CDN}/a-1200.jpg"),
        (f"{CDN}/b.jpg", f"{CDN}/b.jpg"),
        (f"{CDN}/a-640.jpg", f"{CDN}/a-1200.jpg"),
    ]


@pytest.mark.parametrize(
    "img",
    [
        "<img src='{u}' width='1' height='1'>",
        "<img src='{u}' width='600' height='2'>",
        "<img src='{u}' width='48' height='48'>",
        "<img src='{u}' width='120' height='60'>",
        "<img src='{u}' style='display: none'>",
        "<img src='{u}' hidden>",
        "<img class='author-avatar' src='{u}'>",
        "<span class='site-logo'><img src='{u}'></span>",
        "<img class='sponsor' src='{u}'>",
    ],
)
def test_pixels_icons_avatars_and_hidden_pictures_are_not_the_article_s(img: str) -> None:
    url = f"{CDN}/picture.jpg"
    assert choose(_article(f"![]({url})"), _page(img.format(u=url)), "https://x.org/a") == ()


@pytest.mark.parametrize(
    "url",
    [
        f"{CDN}/static/logo.png",
        f"{CDN}/img/site-logo-dark.svg",
        f"{CDN}/avatars/jane.jpg",
        "https://secure.gravatar.com/avatar/abc.jpg",
        f"{CDN}/icons/share.png",
        f"{CDN}/lazyload-placeholder.png",
        f"{CDN}/emoji/1f600.png",
        f"{CDN}/sprites/ui.png",
    ],
)
def test_files_named_as_furniture_are_not_the_article_s(url: str) -> None:
    assert choose(_article(f"![]({url})"), _page(""), "https://x.org/a") == ()


def test_a_picture_the_page_does_not_show_is_downloaded_as_named() -> None:
    # og:image only: the lead picture is declared, not shown. ftp and data URLs are not
    # pictures, nor is a script's JSON left in an attribute and resolved as an address.
    template = 'https://x.org/a/{"default":{"src":"/img.jpg"}}'
    body = f"![](data:image/png;base64,AAAA) ![](ftp://x.org/a.jpg) ![](<{template}>)"
    article = _article(body, lead=f"{CDN}/og.jpg")
    assert [(w.ref, w.url) for w in choose(article, _page(""), None)] == [
        (f"{CDN}/og.jpg", f"{CDN}/og.jpg")
    ]


# -- files -----------------------------------------------------------------------------------


def test_identical_pictures_are_stored_once_by_their_sha256(tmp_path: Path) -> None:
    files = ImageFiles(tmp_path / "archive", tmp_path / "archive-captures" / "images")
    first = files.hold(jpeg(), "jpg")
    second = files.hold(jpeg(), "jpg")
    assert first.temp != second.temp
    assert files.name(first) == files.name(second) == first.name
    assert first.name.startswith(f"_images/{first.sha256[:2]}/{first.sha256}")
    stored = tmp_path / "archive-captures" / "images" / first.sha256[:2] / f"{first.sha256}.jpg"
    assert stored.read_bytes() == jpeg()
    assert (tmp_path / "archive" / first.name).read_bytes() == jpeg()
    assert sorted(p.name for p in stored.parent.parent.iterdir()) == [first.sha256[:2]]  # no temps
    assert files.check(first.name, first.sha256, len(jpeg())) is None


def test_images_is_a_relative_link_that_grep_r_does_not_follow(tmp_path: Path) -> None:
    files = ImageFiles(tmp_path / "archive", tmp_path / "archive-captures" / "images")
    files.ready()
    link = tmp_path / "archive" / "_images"
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("..", "archive-captures", "images")


def test_an_existing_images_folder_is_used_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "archive" / "_images").mkdir(parents=True)
    files = ImageFiles(tmp_path / "archive", tmp_path / "elsewhere")
    files.name(files.hold(png(), "png"))
    assert not (tmp_path / "elsewhere").exists()
    assert len(list((tmp_path / "archive" / "_images").rglob("*.png"))) == 1


def test_a_damaged_stored_picture_is_repaired_by_the_same_download(tmp_path: Path) -> None:
    files = ImageFiles(tmp_path / "archive", tmp_path / "store")
    name = files.name(files.hold(jpeg(), "jpg"))
    (tmp_path / "archive" / name).write_bytes(b"half")
    digest = name.rsplit("/", 1)[1].split(".")[0]
    assert files.check(name, digest, len(jpeg())) == f"4 bytes, not {len(jpeg())}"
    files.name(files.hold(jpeg(), "jpg"))
    assert files.check(name, digest, len(jpeg())) is None


def test_check_reports_what_is_wrong(tmp_path: Path) -> None:
    files = ImageFiles(tmp_path / "archive", tmp_path / "store")
    name = files.name(files.hold(jpeg(), "jpg"))
    digest = name.rsplit("/", 1)[1].split(".")[0]
    assert files.check("_images/00/none.jpg", digest, None) == "missing"
    assert files.check("../secret.jpg", digest, None) == "not a path under _images/"
    assert files.check(name, "0" * 64, None) == "does not match its sha256"


def test_no_template_may_put_articles_among_the_pictures() -> None:
    with pytest.raises(TemplateError, match="'_images/' is where the archive keeps its pictures"):
        validate_template("_images/{slug}.md")


# -- the crawler's pace ----------------------------------------------------------------------


def test_pictures_slow_a_site_when_it_struggles_but_do_not_set_its_pace(tmp_path: Path) -> None:
    # The crawler's answer to each download, given by hand: no server, no threads, and a
    # clock that stands still, so nothing here depends on how fast the machine runs.
    from clocks import VirtualClock
    from newsarchive.batch import BatchOptions, ListEntry, _Importer, _ImportTask
    from newsarchive.errors import HTTPStatusError
    from newsarchive.pipeline import Plan
    from newsarchive.tasks import Fetched, PictureJob, Site
    from newsarchive.wayback import WaybackOptions

    options = BatchOptions(delay=0.0, backoff=1.0, throttle=True)
    importer = _Importer(
        [],
        Archive(tmp_path / "archive"),
        options,
        lambda _: None,
        on_notice=lambda _: None,
        seed=1,
        clock=VirtualClock(),
    )
    try:
        url = "https://x.org/story"
        entry = ListEntry("l", 1, url)
        page = _ImportTask(url, "https://x.org", entry, url, Plan(url, WaybackOptions()))
        job = PictureJob(page, url, True)
        picture = dataclasses.replace(page, url=f"{CDN}/a.jpg", picture=job)
        site = Site[_ImportTask](CDN)
        importer._pace(site, Fetched(picture, False, None, None, None, latency=0.8))
        assert (site.pace.gap, site.next_start) == (0.0, 0.0)  # a picture's answer: no pace
        importer._pace(site, Fetched(page, False, None, None, None, latency=0.8))
        assert (site.pace.gap, site.next_start) == (0.8, 0.0)  # a page's answer sets it
        busy = HTTPStatusError(f"{CDN}/a.jpg", "HTTP 503", reason="HTTP 503", status=503)
        importer._pace(site, Fetched(picture, False, None, busy, None, latency=0.1))
        assert site.pace.gap == 1.6  # a picture that finds the site struggling slows it down
        assert 0.8 <= site.next_start <= 2.4  # and its next request waits that pace, jittered
    finally:
        importer.client.close()
        importer.inbox.close()
        if importer.picture_client is not None:
            importer.picture_client.close()


def test_pictures_start_while_no_page_may_and_none_stays_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scheduler looks at the sites for pictures only while it counts some queued: with
    # no room for one more page, the queued pictures still start, each within its site's
    # bound, and the count follows them out of the queues. No server and no threads: the
    # downloads it asks for are left in their queue.
    from clocks import VirtualClock
    from newsarchive.batch import BatchOptions, ListEntry, _Importer, _ImportTask
    from newsarchive.pipeline import Plan
    from newsarchive.wayback import WaybackOptions

    importer = _Importer(
        [],
        Archive(tmp_path / "archive"),
        BatchOptions(delay=0.0, per_host=2, robots=False),
        lambda _: None,
        on_notice=lambda _: None,
        seed=1,
        clock=VirtualClock(),
    )
    monkeypatch.setattr(importer, "_start_picture_threads", lambda: None)
    try:
        url = "https://x.org/story"
        entry, plan = ListEntry("l", 1, url), Plan(url, WaybackOptions())
        page = _ImportTask(url, "https://x.org", entry, url, plan)
        importer.fetching = importer.options.concurrency  # no page may start
        pictures = [f"{CDN}/a.jpg", f"{CDN}/b.jpg", f"{CDN}/c.jpg", "https://img.example/d.png"]
        importer._get_pictures(page, pictures, url)
        assert importer.pictures_queued == 4
        importer._dispatch()
        started = []
        while not importer.picture_jobs.empty():
            started.append(importer.picture_jobs.get()[0].url)
        assert sorted(started) == [f"{CDN}/a.jpg", f"{CDN}/b.jpg", "https://img.example/d.png"]
        assert importer.pictures_queued == 1  # the CDN's third waits for one of its two
        assert [task.url for task in importer.sites[CDN].pictures] == [f"{CDN}/c.jpg"]
        importer.sites[CDN].active -= 1  # one of them is in
        importer._dispatch()
        assert importer.picture_jobs.get()[0].url == f"{CDN}/c.jpg"
        assert importer.pictures_queued == 0
    finally:
        importer.client.close()
        importer.inbox.close()
        if importer.picture_client is not None:
            importer.picture_client.close()
