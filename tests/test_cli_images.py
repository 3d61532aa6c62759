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
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import Result
from PIL import Image

from helpers import front_matter, run, split_article
from httpserver import FakeWayback, LoopbackProxy, gzip_bomb, html_page
from newsarchive.batch import BatchOptions, ListEntry, import_urls
from newsarchive.capture import read_responses
from newsarchive.cli import ExitCode
from newsarchive.models import FetchOptions
from newsarchive.outcome import Outcome
from newsarchive.store import Archive
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
    assert set(pictures) == {"Boats in the harbour", "The wreck in the museum", "Picture 3"}
    for alt, url in [("Boats in the harbour", LEAD), ("The wreck in the museum", WRECK)]:
        destination, title = pictures[alt]
        assert destination.startswith("../../_images/")
        assert title == url
        assert (article.parent / destination).read_bytes() == served[url]
    assert PIXEL not in split_article(article)[1]  # a tracking pixel is no part of the text
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
    assert 1024 < limit < 1024 * 1024 and limit % 1024  # said as other size limits are:
    shown = f"{limit / 1024:.1f} KB"  # "4.2 KB"
    assert stderr == (
        f"warning: picture not kept, the article links to it: {QUAY}: over the limit of"
        f" {shown} of pictures for one article\n"
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


# -- import ----------------------------------------------------------------------------------

SECOND_URL = f"{SITE}/2024/03/01/quay-traders"
SECOND_FILE = "2024/03/2024-03-01-traders-count-the-cost-of-the-long-works.md"


def serve_second(proxy: LoopbackProxy, pictures: list[str]) -> None:
    page = article_page(
        url=SECOND_URL, title="Traders count the cost of the long works", body_pictures=pictures
    )
    proxy.add(SECOND_URL, page)


def import_list(archive: Path, proxy: LoopbackProxy, tmp_path: Path, *args: str) -> Result:
    listing = tmp_path / "list.txt"
    listing.write_text(f"{ARTICLE_URL}\n{SECOND_URL}\n", encoding="utf-8")
    return run(archive, "import", "--proxy", proxy.url(), "--jobs", "0", *args, str(listing))


def test_import_keeps_each_article_s_pictures_once_each(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    served = serve(proxy)
    own = f"{CDN}/photos/stalls.jpg"
    proxy.add(own, jpeg(900, 600, 7), content_type="image/jpeg")
    serve_second(proxy, [own, QUAY])  # QUAY is in both articles
    result = import_list(archive, proxy, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    first, second = archive / ARTICLE_FILE, archive / SECOND_FILE
    listed = [entry["url"] for entry in front_matter(second)["images"]]  # type: ignore[union-attr]
    assert listed == [LEAD, WRECK, own, QUAY]
    for article in (first, second):
        for alt, (destination, _) in shown(article).items():
            if alt:
                assert (article.parent / destination).is_file(), (article, alt)
    # Each article asks for its own pictures (stored once all the same); robots.txt once a host.
    pictures = [r for r in proxy.requests if not r.startswith(SITE) and "robots" not in r]
    assert sorted(pictures) == sorted([LEAD, WRECK, QUAY, own, LEAD, WRECK, QUAY])
    assert len([p for p in (archive / "_images").rglob("*") if p.is_file()]) == 4
    assert proxy.requests.count(f"{CDN}/robots.txt") == 1
    assert served[QUAY] == (first.parent / shown(first)["Picture 3"][0]).read_bytes()


def test_import_obeys_each_picture_host_s_robots_txt_and_retry_after(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    serve(proxy)
    proxy.add(
        f"{CDN}/robots.txt", "User-agent: *\nDisallow: /photos/wreck\n", content_type="text/plain"
    )
    answers = iter([429, 200])

    def busy_then_ok(handler: BaseHTTPRequestHandler) -> None:
        if next(answers) == 429:
            handler.send_response(429)
            handler.send_header("Retry-After", "1")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        data = jpeg(640, 480, 3)
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    proxy.add_handler(QUAY, busy_then_ok)
    serve_second(proxy, [])
    result = import_list(archive, proxy, tmp_path, "--retries", "1")
    assert result.exit_code == 0, result.stderr
    assert WRECK not in proxy.requests
    assert proxy.requests.count(QUAY) == 2
    assert (
        f"warning: picture not kept, the article links to it: {WRECK}: disallowed by"
        f" {CDN}/robots.txt" in result.stderr
    )
    assert f"{CDN}: HTTP 429 Too Many Requests; pausing this site for 1.0 s" in result.stderr
    listed = [entry["url"] for entry in front_matter(archive / ARTICLE_FILE)["images"]]  # type: ignore[union-attr]
    assert listed == [LEAD, QUAY]
    # With --ignore-robots, the picture robots.txt disallows is fetched too.
    again = run(
        archive,
        "import",
        "--proxy",
        proxy.url(),
        "--jobs",
        "0",
        "--ignore-robots",
        str(tmp_path / "list.txt"),
    )
    assert again.exit_code == 0


def test_picture_hosts_get_the_per_host_limit(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    serve(proxy)
    many = [f"{CDN}/photos/gallery-{n}.jpg" for n in range(6)]
    lock, state = threading.Lock(), {"now": 0, "most": 0}

    def counted(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        proxy.stall(0.2)
        with lock:
            state["now"] -= 1
        data = jpeg(400, 300, len(handler.path))
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    for url in many:
        proxy.add_handler(url, counted)
    serve_second(proxy, many)
    result = import_list(archive, proxy, tmp_path, "--per-host", "2", "--no-throttle")
    assert result.exit_code == 0, result.stderr
    assert state["most"] == 2
    listed = front_matter(archive / SECOND_FILE)["images"]
    assert isinstance(listed, list) and len(listed) == 2 + len(many)


@pytest.mark.parametrize("how", ["--no-images", "config"])
def test_import_without_pictures_asks_for_none(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path, how: str
) -> None:
    serve(proxy)
    serve_second(proxy, [])
    if how == "config":
        config = tmp_path / "config.toml"
        config.write_text("images = false\n", encoding="utf-8")
        listing = tmp_path / "list.txt"
        listing.write_text(f"{ARTICLE_URL}\n{SECOND_URL}\n", encoding="utf-8")
        args = ["--config", str(config), "import", "--proxy", proxy.url(), "--jobs", "0"]
        result = run(archive, *args, str(listing))
    else:
        result = import_list(archive, proxy, tmp_path, how)
    assert result.exit_code == 0, result.stderr
    assert [r for r in proxy.requests if not r.startswith(SITE)] == []
    assert not (archive / "_images").exists()
    assert f"]({QUAY})" in split_article(archive / ARTICLE_FILE)[1]


def import_one(archive: Path, proxy: LoopbackProxy, tmp_path: Path, *args: str) -> Result:
    listing = tmp_path / "one.txt"
    listing.write_text(f"{ARTICLE_URL}\n", encoding="utf-8")
    return run(archive, "import", "--proxy", proxy.url(), "--jobs", "0", *args, str(listing))


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("404", "HTTP 404 Not Found"),
        ("error page", "served as image/jpeg, but the body is an HTML page"),
        ("empty", "empty body"),
        ("mislabelled", "served as image/jpeg, but the body is a PNG picture"),
        ("huge", "response is "),
        ("huge undeclared", "response is over the 300 KB limit"),
        ("gzip bomb", "compression bomb: "),
        ("truncated", "a truncated JPEG picture"),
        ("redirect loop", "redirect loop: "),
    ],
)
def test_import_archives_the_article_when_a_picture_cannot_be_kept(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path, case: str, detail: str
) -> None:
    served = serve(proxy)
    _routes(proxy, case)
    result = import_one(archive, proxy, tmp_path, "--max-image-size", "300KB", "--retries", "0")
    assert result.exit_code == 0, result.stderr
    warning = f"warning: picture not kept, the article links to it: {QUAY}: {detail}"
    assert warning in result.stderr, result.stderr
    assert result.stderr.count("picture not kept") == 1
    article = archive / ARTICLE_FILE
    assert shown(article)["Picture 3"] == (QUAY, "")
    meta = front_matter(article)
    assert [entry["url"] for entry in meta["images"]] == [LEAD, WRECK]  # type: ignore[union-attr]
    assert len([p for p in (archive / "_images").rglob("*") if p.is_file()]) == 2
    # The capture holds the page and the pictures kept, and nothing of the refused one.
    records = read_responses(archive.with_name("archive-captures"), str(meta["capture"]))
    assert [(url, body) for url, _, _, body in records][1:] == [
        (LEAD, served[LEAD]),
        (WRECK, served[WRECK]),
    ]


def test_import_keeps_a_redirected_picture_under_the_address_the_page_names(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    serve(proxy)
    moved = "https://images.other-cdn.example/q/quay-final.jpg"
    proxy.add(QUAY, "", status=302, headers={"Location": moved})
    proxy.add(moved, jpeg(640, 480, 9), content_type="image/jpeg")
    result = import_one(archive, proxy, tmp_path)
    assert (result.exit_code, "warning" in result.stderr) == (0, False), result.stderr
    article = archive / ARTICLE_FILE
    destination, title = shown(article)["Picture 3"]
    assert title == QUAY
    assert (article.parent / destination).read_bytes() == jpeg(640, 480, 9)
    listed = front_matter(article)["images"]
    assert isinstance(listed, list) and listed[2]["url"] == QUAY
    capture = str(front_matter(article)["capture"])
    urls = [url for url, *_ in read_responses(archive.with_name("archive-captures"), capture)]
    assert urls == [ARTICLE_URL, LEAD, WRECK, moved]


def test_a_slow_picture_holds_up_no_other_article(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    serve(proxy)
    serve_second(proxy, [])
    second_reported = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        second_reported.wait(60)  # the first article's picture answers only after that
        _streamed(jpeg(640, 480, 3))(handler)

    proxy.add_handler(QUAY, slow)
    order: list[str] = []

    def on_result(outcome: Outcome) -> None:
        order.append(outcome.target)
        if outcome.target == SECOND_URL:
            second_reported.set()

    entries = [ListEntry("list", 1, ARTICLE_URL), ListEntry("list", 2, SECOND_URL)]
    options = BatchOptions(
        fetch=FetchOptions(proxy=proxy.url()),
        jobs=0,
        captures=archive.with_name("archive-captures"),
    )
    report = import_urls(entries, Archive(archive), options, on_result=on_result)
    assert report.counts["archived"] == 2
    assert order == [SECOND_URL, ARTICLE_URL]
    listed = front_matter(archive / ARTICLE_FILE)["images"]
    assert isinstance(listed, list) and [entry["url"] for entry in listed] == [LEAD, WRECK, QUAY]


# -- update ----------------------------------------------------------------------------------


def test_update_keeps_each_version_s_pictures(proxy: LoopbackProxy, archive: Path) -> None:
    serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    article = archive / ARTICLE_FILE
    first = front_matter(article)["images"]
    assert isinstance(first, list)
    wreck_file = archive / first[1]["path"]

    # The page changes: other words, a new picture, and no more wreck.
    crowd = f"{CDN}/photos/crowd.jpg"
    proxy.add(crowd, jpeg(800, 600, 11), content_type="image/jpeg")
    page = article_page(body_pictures=[QUAY, crowd]).replace("several hundred", "two thousand")
    page = re.sub(r"<figure><picture>.*?</figure>", "", page, flags=re.DOTALL)
    proxy.add(ARTICLE_URL, page)
    before = len(proxy.requests)
    result = run(archive, "update", "--proxy", proxy.url(), "--delay", "0", str(article))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"changed (body): {article}\n")
    # Only the new picture is downloaded: the others are the archive's already.
    asked = [r for r in proxy.requests[before:] if "robots.txt" not in r]
    assert asked == [ARTICLE_URL, crowd]
    meta = front_matter(article)
    assert [entry["url"] for entry in meta["images"]] == [LEAD, QUAY, crowd]  # type: ignore[union-attr]
    assert wreck_file.is_file()  # no longer shown, but the earlier version shows it
    kept = archive.with_name("archive-captures") / meta["revisions"][0]["file"]  # type: ignore[index]
    assert front_matter(kept)["images"] == first
    for alt, (destination, _) in shown(article).items():
        if destination.startswith("../"):
            assert (article.parent / destination).is_file(), alt
    responses = read_responses(archive.with_name("archive-captures"), str(meta["capture"]))
    assert [url for url, *_ in responses] == [ARTICLE_URL, crowd]
    assert run(archive, "verify").exit_code == 0

    again = run(archive, "update", "--proxy", proxy.url(), "--delay", "0", str(article))
    assert (again.exit_code, again.stderr) == (0, "0 changed, 1 unchanged, 0 gone\n")
    assert proxy.requests[-1] == ARTICLE_URL


def test_update_without_pictures_downloads_none_and_shows_those_it_has(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    article = archive / ARTICLE_FILE
    crowd = f"{CDN}/photos/crowd.jpg"
    proxy.add(crowd, jpeg(800, 600, 11), content_type="image/jpeg")
    page = article_page(body_pictures=[QUAY, crowd]).replace("several hundred", "two thousand")
    proxy.add(ARTICLE_URL, page)
    config = tmp_path / "config.toml"
    config.write_text("images = false\n", encoding="utf-8")
    before = len(proxy.requests)
    args = ["--config", str(config), "update", "--proxy", proxy.url(), "--delay", "0"]
    result = run(archive, *args, str(article))
    assert result.exit_code == 0, result.stderr
    assert [r for r in proxy.requests[before:] if "robots.txt" not in r] == [ARTICLE_URL]
    listed = front_matter(article)["images"]
    assert [entry["url"] for entry in listed] == [LEAD, WRECK, QUAY]  # type: ignore[union-attr]
    pictures = shown(article)
    assert pictures["Picture 4"] == (crowd, "")  # new, and not downloaded: a link to its site
    assert (article.parent / pictures["Picture 3"][0]).read_bytes() == jpeg(640, 480, 3)
    assert run(archive, "verify").exit_code == 0


def test_a_dry_run_of_reextract_writes_no_picture(proxy: LoopbackProxy, archive: Path) -> None:
    serve(proxy)
    assert fetch(archive, proxy)[0] == 0
    article = archive / ARTICLE_FILE
    written = article.read_text(encoding="utf-8")
    pictures = archive.with_name("archive-captures") / "images"
    shutil.rmtree(pictures)  # lost: the capture has them, but a dry run restores nothing
    result = run(archive, "reextract", "--all", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert not pictures.exists() or not [p for p in pictures.rglob("*") if p.is_file()]
    assert article.read_text(encoding="utf-8") == written


def test_an_article_from_the_wayback_machine_gets_its_pictures_there(
    wayback: FakeWayback, archive: Path
) -> None:
    stamp = "20240302101010"
    wayback.add(ARTICLE_URL, article_page(body_pictures=[QUAY]), timestamp=stamp)
    pictures = {LEAD: jpeg(1200, 800, 1), WRECK: picture("WEBP", (1600, 900), 2)}
    for url, data in pictures.items():
        kind = "image/webp" if url.endswith(".webp") else "image/jpeg"
        wayback.add(url, data, timestamp=stamp, content_type=kind)
    result = run(archive, "fetch", "--wayback-only", "--wayback-url", wayback.base, ARTICLE_URL)
    assert result.exit_code == 0, result.stderr
    archived = f"{wayback.base}/web/{stamp}id_/"
    assert result.stderr == (  # not captured by the archive: a link to its site
        f"warning: picture not kept, the article links to it: {archived}{QUAY}: HTTP 404 Not"
        " Found\n"
    )
    article = archive / ARTICLE_FILE
    listed = front_matter(article)["images"]
    assert isinstance(listed, list)
    assert [entry["url"] for entry in listed] == [archived + LEAD, archived + WRECK]
    destination, title = shown(article)["Boats in the harbour"]
    assert title == archived + LEAD
    assert (article.parent / destination).read_bytes() == pictures[LEAD]
    assert shown(article)["Picture 3"] == (QUAY, "")


def _timeless(text: str) -> str:
    """An article's file without what differs between two fetches: the times and the
    capture's name and record."""
    varying = ("fetched:", "capture:", "capture_record:")
    return "\n".join(line for line in text.splitlines() if not line.startswith(varying))


def test_extraction_processes_download_and_archive_as_this_process_does(
    proxy: LoopbackProxy, archive: Path, tmp_path: Path
) -> None:
    served = serve(proxy)
    own = f"{CDN}/photos/stalls.jpg"
    served[own] = jpeg(900, 600, 7)
    proxy.add(own, served[own], content_type="image/jpeg")
    serve_second(proxy, [own])
    here = import_list(archive, proxy, tmp_path)
    assert here.exit_code == 0, here.stderr
    # The same list with an extraction process, which downloads the pages (through the
    # proxy, as told) and stages their files; its pictures are kept, so each article is
    # written by the importing process after all, with the capture the process sealed.
    there = tmp_path / "there" / "archive"
    result = import_list(there, proxy, tmp_path, "--jobs", "1")
    assert (result.exit_code, "warning" in result.stderr) == (0, False), result.stderr
    for name, page_url in ((ARTICLE_FILE, ARTICLE_URL), (SECOND_FILE, SECOND_URL)):
        assert _timeless((there / name).read_text()) == _timeless((archive / name).read_text())
        meta = front_matter(there / name)
        captures = there.with_name("archive-captures")
        records = list(read_responses(captures, str(meta["capture"])))
        assert records[0][0] == page_url
        assert hashlib.sha256(records[0][3]).hexdigest() == meta["capture_sha256"]
        assert {url: body for url, _, _, body in records[1:]} == {
            entry["url"]: served[entry["url"]]  # type: ignore[index]
            for entry in meta["images"]  # type: ignore[union-attr]
        }
    assert run(there, "verify").exit_code == 0
    assert not list(there.rglob("*.tmp*")) and not list(there.parent.rglob(".*-*"))
