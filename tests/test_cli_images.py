"""Pictures archived with their article, end to end: `fetch`, `verify` and `reextract` through
the command line, against a loopback proxy that serves the article and its pictures for
their own hosts (https included), as a publisher and its CDN would."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from PIL import Image

from helpers import front_matter, run, split_article
from httpserver import LoopbackProxy, gzip_bomb, html_page
from newsarchive.capture import read_responses
from newsarchive.cli import ExitCode
from pictures import ARTICLE_FILE, ARTICLE_URL, CDN, SITE, article_page, jpeg, picture, png

LEAD = f"{CDN}/photos/harbour-1200.jpg"  # the best of the lead picture's srcset
WRECK = f"{CDN}/photos/wreck-1600.webp"  # the best <source> of the <picture>
QUAY = f"{CDN}/photos/quay.jpg"  # a picture of the body, for the misbehaving cases
FURNITURE = [f"{SITE}/static/logo.png", f"{CDN}/people/jane-96.jpg"]
PIXEL = "https://track.example-ads.net/pixel.gif?id=1"


def serve(proxy: LoopbackProxy, *, quay: bool = True, **pictures: bytes) -> dict[str, bytes]:
    """The article (with QUAY in its body when `quay`) and its pictures, served; returns the
    pictures by address."""
    proxy.add(ARTICLE_URL, article_page(body_pictures=[QUAY] if quay else []))
    served = {LEAD: jpeg(1200, 800, 1), WRECK: picture("WEBP", (1600, 900), 2)}
    if quay:
        served[QUAY] = jpeg(640, 480, 3)
    for url, body in served.items():
        kind = "image/webp" if url.endswith(".webp") else "image/jpeg"
        proxy.add(url, body, content_type=kind)
    for url in FURNITURE:
        proxy.add(url, png(48, 48), content_type="image/png")
    proxy.add(PIXEL, picture("GIF", (1, 1)), content_type="image/gif")
    return served


def fetch(archive: Path, proxy: LoopbackProxy, *args: str) -> tuple[int, str, str]:
    result = run(archive, "fetch", "--proxy", proxy.url(), *args, ARTICLE_URL)
    return result.exit_code, result.stdout, result.stderr


def shown(article: Path) -> dict[str, tuple[str, str]]:
    """The pictures the Markdown shows: alt text -> (destination, title)."""
    body = split_article(article)[1]
    return {
        alt: (dest, title)
        for alt, dest, title in re.findall(r'!\[([^\]]*)\]\((\S+)(?: "([^"]*)")?\)', body)
    }


def picture_requests(proxy: LoopbackProxy) -> list[str]:
    return [r for r in proxy.requests if r != ARTICLE_URL]


# -- fetch -----------------------------------------------------------------------------------


def test_fetch_keeps_the_article_s_own_pictures_and_shows_them_offline(
    proxy: LoopbackProxy, archive: Path
) -> None:
    served = serve(proxy)
    code, stdout, stderr = fetch(archive, proxy)
    assert (code, stderr) == (0, "")
    article = archive / ARTICLE_FILE
    assert stdout == f"{article}\n"

    # Only the article's own pictures were asked for, each once, in the best size offered.
    assert sorted(picture_requests(proxy)) == sorted([LEAD, WRECK, QUAY])
    meta = front_matter(article)
    listed = meta["images"]
    assert isinstance(listed, list)
    assert [entry["url"] for entry in listed] == [LEAD, WRECK, QUAY]
    for entry in listed:
        data = served[entry["url"]]
        digest = hashlib.sha256(data).hexdigest()
        kind = "webp" if entry["url"].endswith(".webp") else "jpg"
        assert entry == {
            "url": entry["url"],
            "path": f"_images/{digest[:2]}/{digest}.{kind}",
            "type": f"image/{'webp' if kind == 'webp' else 'jpeg'}",
            "bytes": len(data),
            "sha256": digest,
        }

    # Relative links from the article's folder reach the bytes; the title is the address.
    pictures = shown(article)
    assert set(pictures) == {"Boats in the harbour", "The wreck in the museum", "Picture 3", ""}
    for alt, url in [("Boats in the harbour", LEAD), ("The wreck in the museum", WRECK)]:
        destination, title = pictures[alt]
        assert destination.startswith("../../_images/")
        assert title == url
        assert (article.parent / destination).read_bytes() == served[url]
    assert pictures[""] == (PIXEL, "")  # not the article's: left as the page had it
    assert (archive / "_images").is_symlink()
    assert meta["image"] == f"{CDN}/photos/harbour-640.jpg"  # the lead picture's own address


def test_each_picture_response_goes_into_the_article_s_capture(
    proxy: LoopbackProxy, archive: Path
) -> None:
    served = serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    meta = front_matter(archive / ARTICLE_FILE)
    captures = archive.with_name("archive-captures")
    records = list(read_responses(captures, str(meta["capture"])))
    assert [url for url, *_ in records] == [ARTICLE_URL, LEAD, WRECK, QUAY]
    for url, status, headers, body in records[1:]:
        assert (status, body) == (200, served[url])
        assert dict(headers)["Content-Length"] == str(len(body))
    # The WARC file stays a valid gzip stream of members, pictures included.
    assert gzip.decompress((captures / str(meta["capture"])).read_bytes()).count(b"WARC/1.1") == 5


def _routes(proxy: LoopbackProxy, case: str) -> None:
    """QUAY misbehaving as `case` says."""
    html = html_page("Not found").decode()
    if case == "404":
        proxy.add(QUAY, html, status=404)
    elif case == "error page":
        proxy.add(QUAY, html, content_type="image/jpeg")
    elif case == "empty":
        proxy.add(QUAY, b"", content_type="image/jpeg")
    elif case == "mislabelled":
        proxy.add(QUAY, png(640, 480), content_type="image/jpeg")
    elif case == "not an image":
        proxy.add(QUAY, b'{"error": 1}', content_type="application/json")
    elif case == "huge":
        proxy.add(QUAY, jpeg(2000, 2000), content_type="image/jpeg")
    elif case == "huge undeclared":
        proxy.add_handler(QUAY, _streamed(jpeg(2000, 2000)))
    elif case == "gzip bomb":
        proxy.add_handler(QUAY, _streamed(gzip_bomb(), "Content-Encoding", "gzip"))
    elif case == "truncated":
        proxy.add(QUAY, jpeg(640, 480)[:-400], content_type="image/jpeg")
    elif case == "redirect loop":
        proxy.add(QUAY, "", status=302, headers={"Location": QUAY})
    elif case == "429":
        proxy.add(QUAY, html, status=429, headers={"Retry-After": "30"})


def _streamed(data: bytes, *header: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        if header:
            handler.send_header(*header)
        handler.end_headers()  # no Content-Length: the limits apply while reading
        handler.wfile.write(data)

    return send


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("404", "HTTP 404 Not Found"),
        ("error page", "served as image/jpeg, but the body is an HTML page"),
        ("empty", "empty body"),
        ("mislabelled", "served as image/jpeg, but the body is a PNG picture"),
        ("not an image", "not an image (application/json)"),
        ("huge", "response is "),
        ("huge undeclared", "response is over the 300 KB limit"),
        ("gzip bomb", "compression bomb: "),
        ("truncated", "a truncated JPEG picture"),
        ("redirect loop", "redirect loop: "),
        ("429", "HTTP 429 Too Many Requests"),
    ],
)
def test_a_picture_that_cannot_be_kept_leaves_a_warning_and_a_link(
    proxy: LoopbackProxy, archive: Path, case: str, detail: str
) -> None:
    serve(proxy)
    _routes(proxy, case)
    code, stdout, stderr = fetch(archive, proxy, "--max-image-size", "300KB")
    article = archive / ARTICLE_FILE
    assert (code, stdout) == (0, f"{article}\n")
    prefix = f"warning: picture not kept, the article links to it: {QUAY}: {detail}"
    assert stderr.startswith(prefix), stderr
    assert stderr.count("\n") == 1
    assert shown(article)["Picture 3"] == (QUAY, "")
    listed = front_matter(article)["images"]
    assert isinstance(listed, list)
    assert [entry["url"] for entry in listed] == [LEAD, WRECK]
    stored = [p for p in (archive / "_images").rglob("*") if p.is_file()]
    assert len(stored) == 2  # nothing of the refused one, not even a temporary file


def test_a_redirected_picture_is_kept_under_the_address_the_page_names(
    proxy: LoopbackProxy, archive: Path
) -> None:
    serve(proxy)
    moved = "https://images.other-cdn.example/q/quay-final.jpg"
    proxy.add(QUAY, "", status=301, headers={"Location": moved})
    proxy.add(moved, jpeg(640, 480, 9), content_type="image/jpeg")
    assert fetch(archive, proxy)[:1] == (0,)
    article = archive / ARTICLE_FILE
    destination, title = shown(article)["Picture 3"]
    assert title == QUAY
    assert (article.parent / destination).read_bytes() == jpeg(640, 480, 9)
    capture = str(front_matter(article)["capture"])
    records = {
        url: headers
        for url, _, headers, _ in read_responses(archive.with_name("archive-captures"), capture)
    }
    assert ("X-Newsarchive-Requested-URL", QUAY) in records[moved]


def test_pixels_and_icons_that_hide_behind_a_plain_img_are_left_out_quietly(
    proxy: LoopbackProxy, archive: Path
) -> None:
    serve(proxy)
    proxy.add(QUAY, picture("GIF", (1, 1)), content_type="image/gif")  # no size on the page
    code, _, stderr = fetch(archive, proxy)
    assert (code, stderr) == (0, "")
    assert QUAY in proxy.requests
    assert shown(archive / ARTICLE_FILE)["Picture 3"] == (QUAY, "")


def test_identical_pictures_are_stored_once(proxy: LoopbackProxy, archive: Path) -> None:
    serve(proxy)
    proxy.add(QUAY, jpeg(1200, 800, 1), content_type="image/jpeg")  # the lead picture's bytes
    assert fetch(archive, proxy)[0] == 0
    article = archive / ARTICLE_FILE
    listed = front_matter(article)["images"]
    assert isinstance(listed, list)
    assert [entry["url"] for entry in listed] == [LEAD, WRECK, QUAY]
    assert listed[0]["path"] == listed[2]["path"]
    assert len([p for p in (archive / "_images").rglob("*") if p.is_file()]) == 2


def test_pictures_over_the_article_s_limit_are_links_in_page_order(
    proxy: LoopbackProxy, archive: Path
) -> None:
    served = serve(proxy)
    limit = len(served[LEAD]) + len(served[WRECK])
    code, _, stderr = fetch(archive, proxy, "--max-image-total", str(limit))
    assert code == 0
    assert stderr == (
        f"warning: picture not kept, the article links to it: {QUAY}: over the limit of"
        f" {limit} bytes of pictures for one article\n"
    )
    listed = front_matter(archive / ARTICLE_FILE)["images"]
    assert isinstance(listed, list)
    assert [entry["url"] for entry in listed] == [LEAD, WRECK]


@pytest.mark.parametrize("how", ["--no-images", "config"])
def test_pictures_can_be_turned_off(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path, how: str
) -> None:
    serve(proxy)
    if how == "config":
        config = tmp_path / "config.toml"
        config.write_text("images = false\n", encoding="utf-8")
        result = run(archive, "--config", str(config), "fetch", "--proxy", proxy.url(), ARTICLE_URL)
        code, stderr = result.exit_code, result.stderr
    else:
        code, _, stderr = fetch(archive, proxy, how)
    assert (code, stderr) == (0, "")
    assert picture_requests(proxy) == []
    assert not (archive / "_images").exists()
    meta, body = split_article(archive / ARTICLE_FILE)
    assert "images" not in meta
    assert f"]({QUAY})" in body


def test_a_dry_run_downloads_no_picture(proxy: LoopbackProxy, archive: Path) -> None:
    serve(proxy)
    code, _, stderr = fetch(archive, proxy, "--dry-run")
    assert code == 0
    assert stderr.startswith(f"would write: {archive / ARTICLE_FILE}\n")
    assert picture_requests(proxy) == []
    assert not archive.exists()


def test_fetching_again_asks_for_nothing_and_force_reuses_the_files(
    proxy: LoopbackProxy, archive: Path
) -> None:
    serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    before = len(proxy.requests)
    assert fetch(archive, proxy)[2] == f"already archived: {archive / ARTICLE_FILE}\n"
    assert len(proxy.requests) == before
    first = front_matter(archive / ARTICLE_FILE)["images"]
    assert fetch(archive, proxy, "--force")[0] == 0
    assert front_matter(archive / ARTICLE_FILE)["images"] == first
    assert len([p for p in (archive / "_images").rglob("*") if p.is_file()]) == 3


def test_a_saved_page_gets_its_pictures_too(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    serve(proxy)
    saved = tmp_path / "page.html"
    saved.write_text(article_page(body_pictures=[QUAY]), encoding="utf-8")
    result = run(archive, "fetch", "--proxy", proxy.url(), str(saved), "--url", ARTICLE_URL)
    assert (result.exit_code, result.stderr) == (0, "")
    assert sorted(proxy.requests) == sorted([LEAD, WRECK, QUAY])
    listed = front_matter(archive / ARTICLE_FILE)["images"]
    assert isinstance(listed, list) and len(listed) == 3


# -- reading the archive never reads a picture -----------------------------------------------


def _with_word_in_a_picture(proxy: LoopbackProxy) -> None:
    """QUAY carries "Harbour" in its bytes (a JPEG comment, as photo credits are)."""
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (1, 2, 3)).save(buffer, "JPEG", comment=b"Harbour Reuters")
    proxy.add(QUAY, buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.skipif(shutil.which("grep") is None, reason="no grep on this machine")
def test_grep_r_over_the_archive_meets_no_picture(proxy: LoopbackProxy, archive: Path) -> None:
    serve(proxy)
    _with_word_in_a_picture(proxy)
    assert fetch(archive, proxy)[0] == 0
    inside = list((archive / "_images").rglob("*.jpg"))
    assert any(b"Reuters" in p.read_bytes() for p in inside)
    found = subprocess.run(["grep", "-r", "Reuters", str(archive)], capture_output=True)
    assert (found.returncode, found.stdout, found.stderr) == (1, b"", b"")
    found = subprocess.run(["grep", "-ri", "harbour", str(archive)], capture_output=True)
    assert found.stderr == b""
    lines = found.stdout.decode().splitlines()
    assert lines and all(line.startswith(f"{archive / ARTICLE_FILE}:") for line in lines)


@pytest.mark.parametrize("kind", ["link", "folder"])
def test_grep_search_and_list_never_enter_the_pictures(
    proxy: LoopbackProxy, archive: Path, kind: str
) -> None:
    serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    if kind == "folder":  # the link replaced by its folder, to publish the archive as one
        pictures = (archive / "_images").resolve()
        (archive / "_images").unlink()
        shutil.move(pictures, archive / "_images")
    # An article file among the pictures would be found by any command that went in there.
    decoy = archive / "_images" / "zz" / "decoy.md"
    decoy.parent.mkdir()
    decoy.write_text(
        "---\ntitle: Decoy harbour\nfetched: '2024-03-01T00:00:00Z'\nurl: https://x.org/d\n"
        "archiver: newsarchive 0.1.0\n---\n\nThe harbour decoy.\n",
        encoding="utf-8",
    )
    for command in (["grep", "harbour"], ["search", "harbour"], ["list"]):
        result = run(archive, *command)
        assert result.exit_code == 0, result.stderr
        assert "decoy" not in result.stdout.lower()
        assert str(archive / ARTICLE_FILE) in result.stdout or "harbour" in result.stdout.lower()


# -- verify and reextract --------------------------------------------------------------------


def test_verify_checks_the_pictures(proxy: LoopbackProxy, archive: Path) -> None:
    serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    ok = run(archive, "verify")
    assert (ok.exit_code, ok.stdout) == (0, "")
    assert ok.stderr == "checked 1 article(s), 1 capture(s) and 3 picture(s): no problems\n"

    listed = front_matter(archive / ARTICLE_FILE)["images"]
    assert isinstance(listed, list)
    damaged, missing = (archive / listed[0]["path"]), (archive / listed[1]["path"])
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"\x00")
    missing.unlink()
    bad = run(archive, "verify")
    assert bad.exit_code == ExitCode.DAMAGED
    assert bad.stdout == (
        f"{archive / ARTICLE_FILE}: picture {listed[0]['path']}: does not match its sha256\n"
        f"{archive / ARTICLE_FILE}: picture {listed[1]['path']}: missing\n"
    )


def test_reextract_keeps_the_pictures_and_restores_them_from_the_capture(
    proxy: LoopbackProxy, archive: Path
) -> None:
    serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    article = archive / ARTICLE_FILE
    written = article.read_text(encoding="utf-8")
    same = run(archive, "reextract", "--all")
    assert (same.exit_code, same.stderr) == (0, "0 changed, 1 unchanged\n")
    assert article.read_text(encoding="utf-8") == written

    # Lost from the file (an older extraction, an edit) and from disk: the capture has them.
    shutil.rmtree(archive.with_name("archive-captures") / "images")
    meta, body = split_article(article)
    stripped = re.sub(r"\(\.\./\.\./_images/\S+ \"([^\"]+)\"\)", r"(\1)", body)
    lines = written.split("---\n", 2)[1].split("images:\n")[0]
    article.write_text(f"---\n{lines}---\n\n{stripped}", encoding="utf-8")
    again = run(archive, "reextract", "--all")
    assert (again.exit_code, again.stderr) == (0, "1 changed, 0 unchanged\n")
    assert front_matter(article)["images"] == meta["images"]
    for destination, _ in [v for k, v in shown(article).items() if k]:
        if destination.startswith("../"):
            assert (article.parent / destination).is_file()
    assert run(archive, "verify").exit_code == 0
