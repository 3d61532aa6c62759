"""`fetch` and `import` with the Wayback Machine: --wayback, --wayback-only, --save-to-wayback.

The real CLI against two loopback servers: the live site and a fake Wayback Machine
(tests/httpserver.py, FakeWayback) serving a saved Moscow Times page as its capture.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result

from helpers import MT_FILE, MT_URL, PAGES, closed_port, front_matter, md_files, mt_page, run
from httpserver import TOOLBAR, FakeWayback, LoopbackServer
from newsarchive.capture import Capture, read_capture
from newsarchive.cli import ExitCode

QUALITY = Path(__file__).parent / "fixtures" / "quality"
STAMP = "20230506070809"  # the capture: long after the article was published
SNAPSHOT = "2023-05-06T07:08:09Z"


@pytest.fixture(autouse=True)
def without_pictures(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """These tests are about the pages, not their pictures (test_cli_images.py has those of
    an article from the Wayback Machine): the Wayback Machine is asked for no picture."""
    config = tmp_path / "no-pictures.toml"
    config.write_text("images = false\n", encoding="utf-8")
    monkeypatch.setenv("NEWSARCHIVE_CONFIG", str(config))


# -- fetch --wayback: the live page fails --------------------------------------------------------


def assert_from_snapshot(archive: Path, url: str, wayback: FakeWayback, result: Result) -> None:
    saved = archive / MT_FILE  # dated by the publication (2021-09-14), not the capture (2023)
    assert result.stdout == f"{saved}\n"
    assert md_files(archive) == [saved]
    meta = front_matter(saved)
    # The article's identity is the original site's URL; the page's canonical link names
    # another site, so it is recorded but is not the identity.
    assert meta["url"] == url
    assert meta["canonical"] == MT_URL
    assert "source" not in meta
    assert meta["final_url"] == url
    assert meta["via"] == "wayback"
    assert meta["snapshot"] == SNAPSHOT
    assert meta["archive_url"] == f"{wayback.base}/web/{STAMP}/{url}"
    assert meta["published"] == "2021-09-14T12:25:00+03:00"
    assert meta["date_source"] == "published"
    assert meta["status"] == 200
    assert "saved_snapshot" not in meta
    # The original bytes were asked for, not the replay page with the archive's toolbar.
    assert wayback.replays() == [f"/web/{STAMP}id_/{url}"]
    assert TOOLBAR.decode() not in saved.read_text(encoding="utf-8")


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_live_http_error_archives_the_snapshot(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, status: int
) -> None:
    url = server.url(f"/status/{status}")
    wayback.add(url, mt_page(), timestamp=STAMP)
    result = run(archive, "fetch", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == 0, result.stderr
    assert_from_snapshot(archive, url, wayback, result)
    phrase = {404: "Not Found", 410: "Gone", 500: "Internal Server Error"}.get(
        status, "Service Unavailable"
    )
    assert result.stderr == (
        f"{url}: HTTP {status} {phrase}; using the Wayback Machine's snapshot of {SNAPSHOT}\n"
    )


def test_live_network_failures_archive_the_snapshot(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    refused = f"http://127.0.0.1:{closed_port()}/story"
    slow = server.url("/slow?delay=5")
    dns = "http://gone-for-good.invalid/story"
    reasons = {
        refused: "connection refused",
        slow: "timeout: no data for 0.5 s (read)",
        dns: "cannot resolve host gone-for-good.invalid",
    }
    for n, (url, reason) in enumerate(reasons.items()):
        target = archive / str(n)
        wayback.add(url, mt_page(), timestamp=STAMP)
        result = run(
            target, "fetch", "--wayback", "--wayback-url", wayback.base, "--timeout", "0.5", url
        )
        assert result.exit_code == 0, result.stderr
        assert md_files(target) == [target / MT_FILE]
        assert front_matter(target / MT_FILE)["via"] == "wayback"
        assert (
            result.stderr
            == f"{url}: {reason}; using the Wayback Machine's snapshot of {SNAPSHOT}\n"
        )


def test_bot_wall_archives_the_snapshot(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    server.add("/story", (QUALITY / "bot-wall.html").read_bytes())
    url = server.url("/story")
    wayback.add(url, mt_page(), timestamp=STAMP)
    result = run(archive, "fetch", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == 0, result.stderr
    assert_from_snapshot(archive, url, wayback, result)
    assert result.stderr.startswith(f"{url}: a bot check page (Cloudflare), not the article")


def full_text_page() -> str:
    """The paywall teaser's article, whole (what an archive captured before the paywall)."""
    paragraphs = "".join(
        f"<p>Paragraph {n} of the full text goes on about the shipyard's rescue, the banks, "
        "the regional government and the workers who waited for news through February.</p>"
        for n in range(1, 16)
    )
    teaser = (QUALITY / "paywall-teaser.html").read_text(encoding="utf-8")
    return re.sub(r'<div class="paywall-box">.*?</div>', paragraphs, teaser, flags=re.DOTALL)


def test_paywall_teaser_is_replaced_by_a_complete_snapshot(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    server.add("/shipyard", (QUALITY / "paywall-teaser.html").read_bytes())
    url = server.url("/shipyard")
    wayback.add(url, full_text_page(), timestamp=STAMP)
    result = run(archive, "fetch", "--json", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["completeness"], record["via"], record["snapshot"]) == (
        "full",
        "wayback",
        SNAPSHOT,
    )
    meta = front_matter(Path(record["path"]))
    assert "completeness" not in meta and meta["via"] == "wayback"
    assert "Paragraph 15 of the full text" in Path(record["path"]).read_text(encoding="utf-8")
    assert result.stderr == (
        f"{url}: the live page is partial; using the Wayback Machine's snapshot of {SNAPSHOT}\n"
    )


@pytest.mark.parametrize("snapshot", ["partial", "none"])
def test_paywall_teaser_is_kept_when_the_archive_has_nothing_better(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, snapshot: str
) -> None:
    teaser = (QUALITY / "paywall-teaser.html").read_bytes()
    server.add("/shipyard", teaser)
    url = server.url("/shipyard")
    if snapshot == "partial":
        wayback.add(url, teaser, timestamp=STAMP)
    result = run(archive, "fetch", "--json", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["completeness"], record["via"]) == ("partial", None)
    meta = front_matter(Path(record["path"]))
    assert meta["completeness"] == "partial" and "via" not in meta
    why = (
        "Wayback: the snapshot is partial too" if snapshot == "partial" else "Wayback: no snapshot"
    )
    assert result.stderr.startswith(f"{url}: kept the live page, which is partial; {why}\n")
    assert f"warning: partial article: {record['path']}: " in result.stderr


# -- when the archive cannot help either ---------------------------------------------------------


def test_no_snapshot_names_both_failures_and_writes_nothing(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    url = server.url("/gone")
    result = run(archive, "fetch", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == ExitCode.HTTP  # the live page's failure decides the exit code
    assert result.stderr == f"error: {url}: HTTP 404 Not Found; Wayback: no snapshot\n"
    assert result.stdout == ""
    assert not archive.exists() and not (archive.parent / "archive-captures").exists()

    refused = f"http://127.0.0.1:{closed_port()}/story"
    result = run(archive, "fetch", "--json", "--wayback", "--wayback-url", wayback.base, refused)
    assert result.exit_code == ExitCode.NETWORK
    record = json.loads(result.stdout)
    assert record["error"] == f"{refused}: connection refused; Wayback: no snapshot"
    assert (record["reason"], record["exit_code"]) == ("connection refused", 4)
    assert not archive.exists()


def test_a_failing_snapshot_names_both_failures(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    url = server.url("/gone")
    wayback.add(url, mt_page(), timestamp=STAMP)
    wayback.server.add(f"/web/{STAMP}id_/{url}", "<html>busy</html>", status=503)
    result = run(archive, "fetch", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == ExitCode.HTTP
    assert result.stderr == (
        f"error: {url}: HTTP 404 Not Found; Wayback: HTTP 503 Service Unavailable\n"
    )
    assert not archive.exists()


def test_a_snapshot_that_is_a_bot_wall_is_not_archived(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    url = server.url("/gone")
    wayback.add(url, (QUALITY / "bot-wall.html").read_bytes(), timestamp=STAMP)
    result = run(archive, "fetch", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == ExitCode.HTTP
    assert result.stderr.startswith(
        f"error: {url}: HTTP 404 Not Found; Wayback: a bot check page (Cloudflare), not the article"
    )
    assert not archive.exists()


@pytest.mark.parametrize(
    ("content_type", "body", "detail"),
    [
        ("application/json", b"{'closest': ", "not valid JSON (Expecting property name"),
        (
            "text/html",
            b"<html><body>Service update</body></html>",
            "unexpected content type (text/html)",
        ),
    ],
)
def test_a_malformed_archive_answer_is_a_clear_error(
    wayback: FakeWayback, archive: Path, content_type: str, body: bytes, detail: str
) -> None:
    wayback.server.add("/wayback/available", body, content_type=content_type)
    url = "https://example.org/story"
    result = run(archive, "fetch", "--wayback-only", "--wayback-url", wayback.base, url)
    assert result.exit_code == ExitCode.CONTENT
    assert result.stderr.startswith(f"error: {url}: Wayback: {detail}")
    assert result.stderr.count("\n") == 1
    assert not archive.exists()


def test_a_live_page_that_is_not_html_does_not_fall_back(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    url = server.url("/pdf")
    result = run(archive, "fetch", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == ExitCode.CONTENT
    assert result.stderr == f"error: {url}: not an HTML page (application/pdf)\n"
    assert wayback.server.requests == []


def test_without_wayback_the_archive_is_never_asked(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    url = server.url("/gone")
    wayback.add(url, mt_page())
    result = run(archive, "fetch", "--wayback-url", wayback.base, url)
    assert result.exit_code == ExitCode.HTTP
    assert result.stderr == f"error: {url}: HTTP 404 Not Found\n"
    assert wayback.server.requests == []


# -- fetch --wayback-only ------------------------------------------------------------------------


def test_wayback_only_never_asks_the_site(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    url = server.url("/story")
    server.add("/story", b"<html><body>live</body></html>")
    wayback.add(url, mt_page(), timestamp=STAMP)
    result = run(archive, "fetch", "--wayback-only", "--wayback-url", wayback.base, url)
    assert result.exit_code == 0, result.stderr
    assert_from_snapshot(archive, url, wayback, result)
    assert result.stderr == ""
    assert server.requests == []

    again = run(archive, "fetch", "--wayback-only", "--wayback-url", wayback.base, url)
    assert again.exit_code == 0
    assert again.stderr == f"already archived: {archive / MT_FILE}\n"
    assert len(wayback.server.requests) == 2  # known before any request


def test_wayback_only_without_a_snapshot(wayback: FakeWayback, archive: Path) -> None:
    url = "https://example.org/story"
    result = run(archive, "fetch", "--wayback-only", "--wayback-url", wayback.base, url)
    assert result.exit_code == ExitCode.HTTP
    assert result.stderr == f"error: {url}: Wayback: no snapshot\n"
    assert not archive.exists()


def test_the_capture_records_the_archive_response(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    url = server.url("/gone")
    wayback.add(url, mt_page(), timestamp=STAMP)
    result = run(archive, "fetch", "--wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == 0, result.stderr
    meta = front_matter(archive / MT_FILE)
    reference = Capture(
        str(meta["capture"]), str(meta["capture_record"]), str(meta["capture_sha256"])
    )
    target, status, headers, body = read_capture(tmp_path / "archive-captures", reference)
    assert target == f"{wayback.base}/web/{STAMP}id_/{url}"
    assert status == 200
    assert ("memento-datetime", "Sat, 06 May 2023 07:08:09 GMT") in headers
    assert body == mt_page()

    # Extracting it again from the capture keeps where it came from.
    again = run(archive, "reextract", "--all")
    assert again.exit_code == 0, again.stderr
    kept = front_matter(archive / MT_FILE)
    assert {k: kept.get(k) for k in ("via", "snapshot", "archive_url", "final_url")} == {
        k: meta[k] for k in ("via", "snapshot", "archive_url", "final_url")
    }


# -- fetch --save-to-wayback ---------------------------------------------------------------------


def test_save_to_wayback_records_the_new_snapshot(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    server.add("/story", mt_page())
    url = server.url("/story")
    result = run(
        archive, "fetch", "--json", "--save-to-wayback", "--wayback-url", wayback.base, url
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    address = f"{wayback.base}/web/20261123120000/{url}"
    assert (record["via"], record["saved_snapshot"]) == (None, address)
    meta = front_matter(archive / MT_FILE)
    assert meta["saved_snapshot"] == address and "via" not in meta
    assert wayback.saved == [url]
    assert result.stderr == ""

    # Nothing new is written, so nothing is sent to the archive.
    again = run(archive, "fetch", "--save-to-wayback", "--wayback-url", wayback.base, url)
    assert again.exit_code == 0
    assert wayback.saved == [url]


@pytest.mark.parametrize(
    ("mode", "detail"),
    [
        (
            "429",
            "Save Page Now refused: HTTP 429 Too Many Requests "
            "(the archive limits how often it captures; try later)",
        ),
        ("error", "Save Page Now failed: LiveDocumentNotAvailableException"),
    ],
)
def test_save_to_wayback_failure_is_only_a_warning(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, mode: str, detail: str
) -> None:
    server.add("/story", mt_page())
    url = server.url("/story")
    wayback.save_mode = mode
    result = run(archive, "fetch", "--save-to-wayback", "--wayback-url", wayback.base, url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{archive / MT_FILE}\n"
    assert result.stderr == (
        f"warning: {url}: Wayback: {detail} (the article is archived without it)\n"
    )
    assert "saved_snapshot" not in front_matter(archive / MT_FILE)


def test_save_to_wayback_is_off_by_default_and_skipped_on_a_dry_run(
    server: LoopbackServer, wayback: FakeWayback, archive: Path
) -> None:
    server.add("/story", mt_page())
    url = server.url("/story")
    dry = run(
        archive, "fetch", "--dry-run", "--save-to-wayback", "--wayback-url", wayback.base, url
    )
    assert dry.exit_code == 0, dry.stderr
    plain = run(archive, "fetch", "--wayback-url", wayback.base, url)
    assert plain.exit_code == 0, plain.stderr
    assert wayback.server.requests == []
    assert "saved_snapshot" not in front_matter(archive / MT_FILE)


# -- configuration -------------------------------------------------------------------------------


def test_config_makes_wayback_the_default(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'wayback = true\nwayback_url = "{wayback.base}/"\nimages = false\n', encoding="utf-8"
    )
    url = server.url("/gone")
    wayback.add(url, mt_page(), timestamp=STAMP)

    off = run(archive, "--config", str(config), "fetch", "--no-wayback", url)
    assert off.exit_code == ExitCode.HTTP
    assert off.stderr == f"error: {url}: HTTP 404 Not Found\n"
    assert wayback.server.requests == []

    on = run(archive, "--config", str(config), "fetch", url)
    assert on.exit_code == 0, on.stderr
    assert_from_snapshot(archive, url, wayback, on)


def test_config_keys_are_type_checked(archive: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('wayback = "yes"\n', encoding="utf-8")
    result = run(archive, "--config", str(config), "fetch", "https://example.org/a")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == f"error: {config}: wayback has the wrong type (str)\n"


def test_environment_sets_the_base_url(
    server: LoopbackServer,
    wayback: FakeWayback,
    archive: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('wayback_url = "http://archive.invalid"\nimages = false\n', encoding="utf-8")
    monkeypatch.setenv("NEWSARCHIVE_WAYBACK_URL", wayback.base)  # wins over the file
    url = server.url("/gone")
    wayback.add(url, mt_page(), timestamp=STAMP)
    result = run(archive, "--config", str(config), "fetch", "--wayback", url)
    assert result.exit_code == 0, result.stderr
    assert_from_snapshot(archive, url, wayback, result)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("option", "error: --wayback-url: not an http(s) URL: 'ftp://archive.example'\n"),
        ("env", "error: NEWSARCHIVE_WAYBACK_URL: not an http(s) URL: 'ftp://archive.example'\n"),
        (
            "config",
            "error: config file key wayback_url: not an http(s) URL: 'ftp://archive.example'\n",
        ),
    ],
)
@pytest.mark.parametrize("command", ["fetch", "import"])
def test_bad_base_url_is_a_usage_error_before_any_request(
    server: LoopbackServer,
    archive: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    message: str,
    command: str,
) -> None:
    bad = "ftp://archive.example"
    args: list[str] = []
    if where == "option":
        args = ["--wayback-url", bad]
    elif where == "env":
        monkeypatch.setenv("NEWSARCHIVE_WAYBACK_URL", bad)
    else:
        config = tmp_path / "config.toml"
        config.write_text(f'wayback_url = "{bad}"\n', encoding="utf-8")
        monkeypatch.setenv("NEWSARCHIVE_CONFIG", str(config))
    listing = tmp_path / "list.txt"
    listing.write_text(server.url("/story") + "\n", encoding="utf-8")
    target = server.url("/story") if command == "fetch" else str(listing)
    result = run(archive, command, "--wayback", *args, target)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == message
    assert result.stdout == ""
    assert server.requests == []


# -- import --------------------------------------------------------------------------------------


def test_import_with_wayback_reports_what_came_from_the_archive(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    server.add("/live", (PAGES / "moscowtimes-ru.html").read_bytes())
    gone, missing, known = server.url("/gone"), server.url("/missing"), server.url("/live")
    wayback.add(gone, mt_page(), timestamp=STAMP)
    listing = tmp_path / "list.txt"
    listing.write_text(f"{known}\n{gone}\n{missing}\n", encoding="utf-8")
    failed = tmp_path / "failed.txt"
    args = ["import", "--json", "--jobs", "0", "--retries", "0", "--failed", str(failed)]
    result = run(archive, *args, "--wayback", "--wayback-url", wayback.base, str(listing))
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    records = {r["input"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert records[known]["status"] == "archived" and records[known]["via"] is None
    came = records[gone]
    assert (came["status"], came["via"], came["snapshot"]) == ("archived", "wayback", SNAPSHOT)
    assert came["archive_url"] == f"{wayback.base}/web/{STAMP}/{gone}"
    assert came["path"] == str(archive / MT_FILE)
    assert came["attempts"] == 3  # the site, the availability API, the snapshot
    lost = records[missing]
    assert (lost["status"], lost["reason"], lost["http_status"]) == ("failed", "HTTP 404", 404)
    assert lost["error"] == f"{missing}: HTTP 404 Not Found; Wayback: no snapshot"
    assert front_matter(archive / MT_FILE)["via"] == "wayback"
    assert failed.read_text(encoding="utf-8").splitlines()[2:] == [
        f"{missing}  # HTTP 404 Not Found; Wayback: no snapshot"
    ]
    assert "│   from the Wayback Machine │ 1 │" in result.stderr
    # The archive is one more site: it is never asked for its robots.txt.
    assert "/robots.txt" not in wayback.server.requests

    # A second run makes no request at all for what is archived, from either source.
    before = (len(server.requests), len(wayback.server.requests))
    again = run(archive, *args, "--wayback", "--wayback-url", wayback.base, str(listing))
    records = {r["input"]: r for r in map(json.loads, again.stdout.splitlines())}
    assert records[gone]["status"] == records[known]["status"] == "already archived"
    assert server.requests[before[0] :] == ["/robots.txt", "/missing"]
    assert len(wayback.server.requests) == before[1] + 1  # the missing one's lookup


def test_import_text_lines_say_via_wayback(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    gone = server.url("/gone")
    wayback.add(gone, mt_page(), timestamp=STAMP)
    listing = tmp_path / "list.txt"
    listing.write_text(f"{gone}\n", encoding="utf-8")
    result = run(
        archive, "import", "--jobs", "0", "--wayback", "--wayback-url", wayback.base, str(listing)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{archive / MT_FILE}\n"
    line = f"archived from the Wayback Machine ({SNAPSHOT}): {listing}:1: {gone}"
    assert f"{line} -> {archive / MT_FILE}\n" in result.stderr


def test_import_wayback_only_and_its_politeness(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    urls = [server.url(f"/story/{n}") for n in range(6)]
    for n, url in enumerate(urls[:5]):
        page = (PAGES / ("moscowtimes-mali.html" if n == 0 else "moscowtimes-ru.html")).read_text()
        # Five different articles: give each its own canonical URL.
        page = re.sub(r'(<link rel="canonical" href=")[^"]*', rf"\g<1>{url}", page)
        page = page.replace("<title>", f"<title>Part {n}: ")
        wayback.add(url, page, timestamp=STAMP)
    wayback.delay = 0.05  # long enough for requests to overlap if they were allowed to
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    result = run(
        archive,
        "import",
        "--json",
        "--jobs",
        "0",
        "--per-host",
        "2",
        "--wayback-only",
        "--wayback-url",
        wayback.base,
        "--failed",
        str(tmp_path / "failed.txt"),
        str(listing),
    )
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["status"] for r in records) == ["archived"] * 5 + ["failed"]
    assert all(r["via"] == "wayback" for r in records if r["status"] == "archived")
    assert [r["error"] for r in records if r["status"] == "failed"] == [
        f"{urls[5]}: Wayback: no snapshot"
    ]
    assert server.requests == []  # never the site, not even its robots.txt
    assert wayback.most_in_flight <= 2  # --per-host holds for the archive too
    assert len(md_files(archive)) == 5


def test_import_save_to_wayback(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    server.add("/a", mt_page())
    server.add("/b", (PAGES / "moscowtimes-ru.html").read_bytes())
    listing = tmp_path / "list.txt"
    listing.write_text(f"{server.url('/a')}\n{server.url('/b')}\n", encoding="utf-8")
    args = ["import", "--json", "--jobs", "0", "--save-to-wayback", "--wayback-url", wayback.base]
    result = run(archive, *args, str(listing))
    assert result.exit_code == 0, result.stderr
    records = {r["input"]: r for r in map(json.loads, result.stdout.splitlines())}
    for url, record in records.items():
        assert record["saved_snapshot"] == f"{wayback.base}/web/20261123120000/{url}"
        assert front_matter(Path(record["path"]))["saved_snapshot"] == record["saved_snapshot"]
    assert sorted(wayback.saved) == sorted(records)


def test_import_save_to_wayback_failure_is_only_a_warning(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    server.add("/a", mt_page())
    url = server.url("/a")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{url}\n", encoding="utf-8")
    wayback.save_mode = "error"
    args = ["import", "--jobs", "0", "--save-to-wayback", "--wayback-url", wayback.base]
    result = run(archive, *args, str(listing))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{archive / MT_FILE}\n"
    assert (
        f"warning: {url}: Wayback: Save Page Now failed: LiveDocumentNotAvailableException "
        "(the article is archived without it)\n" in result.stderr
    )
    assert "saved_snapshot" not in front_matter(archive / MT_FILE)


def test_import_falls_back_for_unreachable_sites_and_unusable_pages(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    down = ["http://gone-for-good.invalid/a", "http://gone-for-good.invalid/b"]
    server.add("/challenge", (QUALITY / "bot-wall.html").read_bytes())
    server.add("/teaser", (QUALITY / "paywall-teaser.html").read_bytes())
    server.add("/teaser-too", (QUALITY / "paywall-teaser.html").read_bytes())
    challenge, teaser, teaser_too = (
        server.url(p) for p in ("/challenge", "/teaser", "/teaser-too")
    )
    for n, url in enumerate([*down, challenge]):
        page = (PAGES / "moscowtimes-ru.html").read_text(encoding="utf-8")
        page = re.sub(r'(<link rel="canonical" href=")[^"]*', rf"\g<1>{url}", page)
        wayback.add(url, page.replace("<title>", f"<title>Part {n}: "), timestamp=STAMP)
    wayback.add(teaser, full_text_page(), timestamp=STAMP)
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join([*down, challenge, teaser, teaser_too]) + "\n", encoding="utf-8")
    # One extraction process: pages from the archive travel to it and back like any other.
    args = ["import", "--json", "--jobs", "1", "--wayback", "--wayback-url", wayback.base]
    result = run(archive, *args, str(listing))
    assert result.exit_code == 0, result.stderr
    records = {r["input"]: r for r in map(json.loads, result.stdout.splitlines())}
    for url in [*down, challenge, teaser]:
        assert (records[url]["status"], records[url]["via"]) == ("archived", "wayback"), url
    kept = records[teaser_too]
    assert (kept["status"], kept["via"]) == ("archived", None)
    assert front_matter(Path(kept["path"]))["completeness"] == "partial"
    assert f"{teaser_too}: kept the live page, which is partial; Wayback: no snapshot\n" in (
        result.stderr
    )
    assert "Paragraph 15 of the full text" in Path(records[teaser]["path"]).read_text()


def test_import_retries_the_archive_like_any_site(
    server: LoopbackServer, wayback: FakeWayback, archive: Path, tmp_path: Path
) -> None:
    gone = server.url("/gone")
    wayback.available_status = 503
    wayback.available_body = b"<html><body>Busy</body></html>"
    listing = tmp_path / "list.txt"
    listing.write_text(f"{gone}\n", encoding="utf-8")
    args = ["import", "--json", "--jobs", "0", "--retries", "1", "--wayback"]
    failed = tmp_path / "failed.txt"
    result = run(
        archive, *args, "--wayback-url", wayback.base, "--failed", str(failed), str(listing)
    )
    assert result.exit_code == ExitCode.PARTIAL
    record = json.loads(result.stdout)
    assert record["error"] == f"{gone}: HTTP 404 Not Found; Wayback: HTTP 503 Service Unavailable"
    assert (record["reason"], record["http_status"], record["attempts"]) == ("HTTP 404", 404, 3)
    assert len(wayback.lookups()) == 2
    assert re.search(
        rf"retry 1/1 in \d\.\d s: {re.escape(gone)}: Wayback: HTTP 503 Service Unavailable\n",
        result.stderr,
    )
