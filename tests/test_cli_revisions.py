"""Revisions: `update` fetches archived articles again from a real HTTP server whose page
changes, keeps every version, and `history`/`diff` show them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from helpers import MT_PATH, command, front_matter, mt_page, run, run_on_terminal, serve_mt
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode
from sites import Gauge, add_articles, article_page, flaky

PATH = MT_PATH
PAGE = mt_page().decode("utf-8")


def archived(server: LoopbackServer, archive: Path) -> Path:
    serve_mt(server, PAGE)
    result = run(archive, "fetch", server.url(PATH))
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip())


def test_a_changed_article_keeps_its_earlier_version(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    first = saved.read_text(encoding="utf-8")
    serve_mt(server, PAGE.replace("up to 1,000 fighters", "up to 1,200 fighters"))

    result = run(archive, "update", "--delay", "0", "--all")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{saved}\n"
    assert f"changed (body): {saved}" in result.stderr
    text = saved.read_text(encoding="utf-8")
    assert "up to 1,200 fighters" in text and "up to 1,000 fighters" not in text
    meta = front_matter(saved)
    revisions = meta["revisions"]
    assert isinstance(revisions, list) and len(revisions) == 1
    assert revisions[0]["changed"] == ["body"]
    kept = archive.parent / "archive-captures" / revisions[0]["file"]
    assert kept.read_text(encoding="utf-8") == first  # the earlier file, whole
    assert [p.name for p in archive.rglob("*.md")] == [saved.name]  # nothing extra to grep
    assert meta["capture"] != front_matter(kept)["capture"]  # a new capture for the new version
    assert run(archive, "verify").exit_code == 0

    history = run(archive, "history", "--json", str(saved))
    assert history.exit_code == 0, history.stderr
    versions = [json.loads(line) for line in history.stdout.splitlines()]
    assert [(v["number"], v["file"]) for v in versions] == [(1, revisions[0]["file"]), (2, None)]

    diff = run(archive, "diff", str(saved))
    assert diff.exit_code == 0, diff.stderr
    removed = [
        line for line in diff.stdout.splitlines() if line.startswith("-") and "1,000" in line
    ]
    added = [line for line in diff.stdout.splitlines() if line.startswith("+") and "1,200" in line]
    assert len(removed) == 1 and len(added) == 1
    words = run(archive, "diff", "--json", "--rev", "1", "--rev", "2", server.url(PATH))
    changes = [json.loads(line) for line in words.stdout.splitlines()]
    assert changes == [{"op": "replace", "old": "1,000 ", "new": "1,200 "}]


def test_markup_only_changes_are_not_revisions(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    body_before = saved.read_text(encoding="utf-8").split("---\n", 2)[2]
    serve_mt(
        server, PAGE.replace("up to 1,000 fighters", "up to\n      <span>1,000</span>   fighters")
    )
    result = run(archive, "update", "--delay", "0", str(saved))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and "0 changed, 1 unchanged, 0 gone" in result.stderr
    meta = front_matter(saved)
    assert "revisions" not in meta and meta["checked"]
    assert saved.read_text(encoding="utf-8").split("---\n", 2)[2] == body_before

    # Checked just now: --older-than skips it without a request.
    requests = len(server.requests)
    again = run(archive, "update", "--delay", "0", "--all", "--older-than", "1h")
    assert again.exit_code == 0 and len(server.requests) == requests


def test_a_page_that_is_gone_keeps_its_text(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    before = saved.read_text(encoding="utf-8").split("---\n", 2)[2]
    server.add(PATH, "<html><body>Gone</body></html>", status=410)
    result = run(archive, "update", "--delay", "0", "--all")
    assert result.exit_code == 0, result.stderr
    assert f"gone: {saved}" in result.stderr
    assert front_matter(saved)["gone"]
    assert saved.read_text(encoding="utf-8").split("---\n", 2)[2] == before


def test_update_reports_http_errors(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    before = saved.read_bytes()
    server.add(PATH, "<html><body>Down</body></html>", status=503)
    failed = run(archive, "update", "--delay", "0", "--retries", "0", str(saved))
    assert failed.exit_code == ExitCode.HTTP
    assert f"error: {server.url(PATH)}: HTTP 503 Service Unavailable\n" in failed.stderr
    assert "0 changed, 0 unchanged, 0 gone, 1 failed" in failed.stderr
    assert saved.read_bytes() == before  # not even `checked:`
    assert run(archive, "update").exit_code == ExitCode.USAGE
    assert run(archive, "update", "--all", "--older-than", "soon").exit_code == ExitCode.USAGE


def test_update_json_describes_each_article_as_fetch_and_import_do(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    changed, unchanged, gone, down = import_articles(server, archive, tmp_path, 4)
    server.add("/news/0", edited(0))
    server.add("/news/2", "<html><body>Gone</body></html>", status=410)
    server.add("/news/3", "<html><body>Down</body></html>", status=503)
    missing = server.url("/news/never-archived")
    given = [str(changed), str(unchanged), str(gone), str(down), missing]
    result = run(archive, "update", "--delay", "0", "--retries", "0", "--json", *given)
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_input = {line["input"]: line for line in lines}
    assert sorted(by_input) == sorted(given)  # one object per article, also when not found
    shape = {
        "input", "status", "path", "url", "title", "published", "http_status", "completeness",
        "reason", "error", "attempts", "changed", "via",
    }  # fmt: skip
    assert all(set(line) == shape for line in lines if line["input"] != missing)
    first = by_input[str(changed)]
    assert (first["status"], first["changed"], first["http_status"]) == ("changed", ["body"], 200)
    assert first["path"] == str(changed) and first["url"] == server.url("/news/0")
    assert first["title"].startswith("Story 0") and first["completeness"] == "full"
    same = by_input[str(unchanged)]
    assert (same["status"], same["changed"]) == ("unchanged", [])
    assert (by_input[str(gone)]["status"], by_input[str(gone)]["http_status"]) == ("gone", 410)
    failed = by_input[str(down)]
    assert (failed["status"], failed["reason"]) == ("failed", "HTTP 503")
    assert failed["http_status"] == 503
    assert failed["error"] == f"{server.url('/news/3')}: HTTP 503 Service Unavailable"
    assert failed["attempts"] == 1 and failed["url"] == server.url("/news/3")
    assert by_input[missing]["status"] == "failed" and by_input[missing]["error"]
    # stderr says the same as without --json: the totals, and each failure once
    assert "1 changed, 1 unchanged, 1 gone, 2 failed" in result.stderr
    assert result.stderr.count("HTTP 503 Service Unavailable") == 1


# ---------------------------------------------------------------------------------------------
# Politeness: update downloads as import does


def import_articles(
    server: LoopbackServer, archive: Path, tmp_path: Path, count: int
) -> list[Path]:
    """Archive `count` small articles served at /news/<n>; their files, in order."""
    urls = add_articles(server, count)
    listing = tmp_path / "links.txt"
    listing.write_text("".join(f"{url}\n" for url in urls), encoding="utf-8")
    result = run(archive, "import", "--jobs", "0", "--ignore-robots", str(listing))
    assert result.exit_code == 0, result.stderr
    by_url = {str(front_matter(path)["url"]): path for path in archive.rglob("*.md")}
    return [by_url[url] for url in urls]


def edited(n: int) -> str:
    return article_page(n).replace(f"Paragraph 2 of story {n}.", f"Paragraph 2 (corrected), {n}.")


def test_robots_txt_disallow_through_the_cli(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    paths = import_articles(server, archive, tmp_path, 2)
    before = paths[1].read_bytes()
    server.add("/robots.txt", "User-agent: *\nDisallow: /news/1\n", content_type="text/plain")
    server.add("/news/0", edited(0))
    server.add("/news/1", edited(1))
    requests = len(server.requests)

    result = run(archive, "update", "--jobs", "0", "--all")
    assert result.exit_code == ExitCode.PARTIAL
    url = server.url("/news/1")
    assert f"error: {url}: disallowed by {server.url('/robots.txt')}\n" in result.stderr
    assert "1 changed, 0 unchanged, 0 gone, 1 failed" in result.stderr
    assert result.stdout == f"{paths[0]}\n"
    assert "/news/1" not in server.requests[requests:]
    assert paths[1].read_bytes() == before

    ignored = run(archive, "update", "--jobs", "0", "--ignore-robots", str(paths[1]))
    assert ignored.exit_code == 0, ignored.stderr
    assert ignored.stdout == f"{paths[1]}\n"


def test_retry_after_and_retries_through_the_cli(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    paths = import_articles(server, archive, tmp_path, 2)
    server.add_handler("/news/0", flaky(edited(0), [(429, {"Retry-After": "0"})]))
    server.add_handler("/news/1", flaky(edited(1), [(503, {"Retry-After": "0"})]))
    result = run(archive, "update", "--jobs", "0", "--delay", "0", "--all")
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == sorted(map(str, paths))
    assert f"retry 1/3 in 0.0 s: {server.url('/news/0')}: HTTP 429 Too Many Requests" in (
        result.stderr
    )
    assert f"retry 1/3 in 0.0 s: {server.url('/news/1')}: HTTP 503 Service Unavailable" in (
        result.stderr
    )
    assert "2 changed, 0 unchanged, 0 gone" in result.stderr
    for path in paths:
        assert len(front_matter(path)["revisions"]) == 1  # type: ignore[arg-type]


def test_update_options_reach_the_engine(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    paths = import_articles(server, archive, tmp_path, 6)
    server.add("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    gauge = Gauge()
    for n in range(6):
        server.add_handler(f"/news/{n}", gauge.slow(article_page(n), 0.1))
    requests = len(server.requests)
    result = run(
        archive, "update", "--all", "--ignore-robots", "--per-host", "2", "--delay", "0",
        "--jobs", "0", "--user-agent", "ResearchArchiver/2.0",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "0 changed, 6 unchanged, 0 gone" in result.stderr
    assert "/robots.txt" not in server.requests[requests:]
    assert gauge.peak == 2
    agents = {headers.get("User-Agent") for headers in server.request_headers[requests:]}
    assert agents == {"ResearchArchiver/2.0"}
    assert all(front_matter(path)["checked"] for path in paths)

    gauge.peak = 0
    one = run(archive, "update", "--all", "--ignore-robots", "--concurrency", "1", "--delay", "0")
    assert one.exit_code == 0, one.stderr
    assert gauge.peak == 1


# ---------------------------------------------------------------------------------------------
# In a real process


def test_ctrl_c_stops_the_update_cleanly(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    paths = import_articles(server, archive, tmp_path, 16)
    gauge = Gauge()
    for n in range(16):
        server.add_handler(f"/news/{n}", gauge.slow(edited(n), 0.2))
    kept = archive.parent / "archive-captures" / "revisions"
    proc = subprocess.Popen(
        command(archive, "update", "--all", "--delay", "0", "--per-host", "2", "--jobs", "0"),
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(list(kept.rglob("*.md")) if kept.exists() else []) < 2:
            assert proc.poll() is None, "the update ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert "Traceback" not in stderr
    changed = {tmp_path / line for line in stdout.splitlines()}
    assert 2 <= len(changed) < 16
    assert re.search(rf"interrupted: {16 - len(changed)} not checked", stderr), stderr
    # Every file is whole: the new version (with the old one kept) or untouched.
    for path in paths:
        meta = front_matter(path)
        assert ("revisions" in meta) == (path in changed)
    leftovers = [p.name for p in archive.parent.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert run(archive, "verify").exit_code == 0

    rest = [str(path) for path in paths if path not in changed]
    again = run(archive, "update", "--delay", "0", "--jobs", "0", *rest)
    assert again.exit_code == 0, again.stderr
    assert len(again.stdout.splitlines()) == len(rest)


def test_update_progress_bar_on_a_terminal(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    paths = import_articles(server, archive, tmp_path, 3)
    server.add("/news/0", edited(0))
    server.add("/news/2", "gone", status=404)
    status, stdout, screen = run_on_terminal(
        command(archive, "update", "--all", "--delay", "0", "--jobs", "0"), tmp_path, 150
    )
    assert status == 0
    assert "3/3" in screen
    assert "1 changed" in screen and "1 unchanged" in screen and "1 gone" in screen
    assert "articles/s" in screen
    assert stdout == f"{paths[0].relative_to(tmp_path)}\n"


def test_update_takes_paths_relative_to_the_working_directory_or_the_archive(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    """As README says of every command that takes an article: a path relative to the working
    directory, or to the archive's root, names it; a changed article is updated either way."""
    saved = archived(server, archive)
    rel = saved.relative_to(archive).as_posix()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for count, (cwd, target) in enumerate([(saved.parent, saved.name), (elsewhere, rel)]):
        serve_mt(server, PAGE.replace("up to 1,000 fighters", f"up to 1,{count + 2}00 fighters"))
        done = subprocess.run(
            command(archive, "update", "--delay", "0", "--no-images", target),
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert f"up to 1,{count + 2}00 fighters" in saved.read_text(encoding="utf-8")
        assert len(front_matter(saved)["revisions"]) == count + 1  # type: ignore[arg-type]


def test_a_paywall_over_a_whole_article_is_no_new_version(
    server: LoopbackServer, archive: Path
) -> None:
    """The page now shows a teaser behind a paywall: the article archived whole stays the
    current version, and update says why it did not take the page."""
    saved = archived(server, archive)
    before = saved.read_text(encoding="utf-8").split("---\n", 2)[2]
    teaser = Path(__file__).parent / "fixtures" / "quality" / "paywall-teaser.html"
    server.add(PATH, teaser.read_bytes())
    result = run(archive, "update", "--delay", "0", str(saved))
    assert result.exit_code == 0, result.stderr
    assert "0 changed, 1 unchanged" in result.stderr
    assert f"warning: {saved}: the page now holds only part of it (" in result.stderr
    assert "the archived version is kept" in result.stderr
    meta = front_matter(saved)
    assert "revisions" not in meta and "completeness" not in meta and meta["checked"]
    assert saved.read_text(encoding="utf-8").split("---\n", 2)[2] == before
