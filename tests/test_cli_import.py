"""`newsarchive import` end to end: the real CLI against real HTTP servers on 127.0.0.1.

In-process tests use CliRunner; interruption (Ctrl-C, kill -9), two imports at once and the
terminal progress bar need a real process, so those run the CLI in a subprocess.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import signal
import subprocess
from pathlib import Path

import pytest

from helpers import (
    assert_session_ends,
    command,
    md_files,
    run,
    run_on_terminal,
    session_processes,
    split_article,
    wait_for_files,
    write_list,
)
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode
from sites import NO_TEXT, Gauge, add_articles, article_page, flaky, slow_site


def leftovers(archive: Path) -> list[str]:
    """Files in the archive other than articles: temporary files of an interrupted write."""
    return sorted(p.name for p in archive.rglob("*") if p.is_file() and p.suffix != ".md")


def assert_complete_and_unique(archive: Path, urls: list[str]) -> None:
    """Every URL archived exactly once, every file whole (its body matches its checksum)."""
    files = md_files(archive)
    seen = []
    for path in files:
        meta, body = split_article(path)
        assert meta["sha256"] == hashlib.sha256(body.encode("utf-8")).hexdigest(), path
        seen.append(meta["url"])
    assert sorted(map(str, seen)) == sorted(urls)


# ---------------------------------------------------------------------------------------------
# In process


def test_import_prints_paths_and_a_summary(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = add_articles(server, 3)
    listing = write_list(tmp_path / "links.txt", ["# my reading list", "", *urls])
    result = run(archive, "import", "--jobs", "0", listing)
    assert result.exit_code == ExitCode.OK, result.stderr
    files = md_files(archive)
    assert len(files) == 3
    assert sorted(result.stdout.splitlines()) == [str(path) for path in files]
    lines = result.stderr.splitlines()
    for line_number, url in enumerate(urls, start=3):
        (line,) = [line for line in lines if url in line]
        assert line.startswith(f"archived: {listing}:{line_number}: {url} -> {archive}/")
    assert "Import summary" in result.stderr
    assert "\x1b[" not in result.stderr  # no bar, no colours: stderr is not a terminal
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("newsarchive-failed")] == []

    requests = list(server.requests)
    again = run(archive, "import", "--jobs", "0", listing)
    assert again.exit_code == ExitCode.OK
    assert sorted(again.stdout.splitlines()) == [str(path) for path in files]
    assert again.stderr.count("already archived: ") == 3
    assert server.requests == requests  # not one request, not even robots.txt


def test_import_reads_standard_input(server: LoopbackServer, archive: Path) -> None:
    urls = add_articles(server, 2)
    result = run(archive, "import", "--jobs", "0", "-", input="\n".join(urls) + "\n")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert len(md_files(archive)) == 2
    assert f"archived: -:2: {urls[1]} -> " in result.stderr


def test_failures_give_exit_3_and_a_list_to_retry(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = add_articles(server, 2)
    gone = server.url("/later")
    server.add("/later", "<html><body>Not yet</body></html>", status=404)
    empty = server.url("/no-text")
    server.add("/no-text", NO_TEXT)
    listing = write_list(tmp_path / "links.txt", [*urls, gone, empty])
    failed = tmp_path / "retry.txt"
    result = run(archive, "import", "--jobs", "0", "--failed", str(failed), listing)
    assert result.exit_code == ExitCode.PARTIAL
    assert f"error: {gone}: HTTP 404 Not Found\n" in result.stderr
    assert f"failed URLs written to {failed}; retry them with: newsarchive import {failed}" in (
        result.stderr
    )
    summary = result.stderr[result.stderr.index("Import summary") :]
    rows = [[cell.strip() for cell in line.split("│")[1:3]] for line in summary.splitlines()]
    assert [row for row in rows if row] == [
        ["archived", "2"],
        ["already archived", "0"],
        ["failed", "2"],
        ["HTTP 404", "1"],
        ["no article text", "1"],
    ]
    lines = failed.read_text(encoding="utf-8").splitlines()
    assert lines[2:] == [f"{gone}  # HTTP 404 Not Found", f"{empty}  # no article text found"] or (
        lines[2:] == [f"{empty}  # no article text found", f"{gone}  # HTTP 404 Not Found"]
    )

    # The page appears; importing the list of failures retries exactly those two URLs.
    server.add("/later", article_page(7))
    before = len(server.requests)
    retry = run(archive, "import", "--jobs", "0", "--failed", str(failed), str(failed))
    assert retry.exit_code == ExitCode.PARTIAL
    retried = [path for path in server.requests[before:] if path != "/robots.txt"]
    assert sorted(retried) == ["/later", "/no-text"]
    assert len(md_files(archive)) == 3
    # The file now holds only what still fails: it was both the input and the output.
    assert failed.read_text(encoding="utf-8").splitlines()[2:] == [
        f"{empty}  # no article text found"
    ]


def test_json_lines(server: LoopbackServer, tmp_path: Path, archive: Path) -> None:
    (url,) = add_articles(server, 1)
    missing = server.url("/status/410")
    listing = write_list(tmp_path / "l.txt", [url, "nonsense", url + "?utm_source=x", missing])
    result = run(
        archive, "import", "--jobs", "0", "--json", "--failed", str(tmp_path / "f.txt"), listing
    )
    assert result.exit_code == ExitCode.PARTIAL
    records = {record["line"]: record for record in map(json.loads, result.stdout.splitlines())}
    assert sorted(records) == [1, 2, 3, 4]
    (path,) = md_files(archive)
    assert records[1] == {
        "input": url,
        "source": listing,
        "line": 1,
        "status": "archived",
        "path": str(path),
        "url": url,
        "title": "Story 0: the council plan moves ahead",
        "published": "2024-03-01T10:00:00+00:00",
        "http_status": 200,
        "completeness": "full",
        "reason": None,
        "error": None,
        "attempts": 1,
        "via": None,
    }
    assert (records[2]["status"], records[2]["error"]) == (
        "invalid",
        f"{listing}:2: nonsense: not an http(s) URL",
    )
    assert (records[3]["status"], records[3]["url"]) == ("duplicate", url)
    assert records[4]["status"] == "failed"
    assert (records[4]["reason"], records[4]["error"], records[4]["http_status"]) == (
        "HTTP 410",
        f"{missing}: HTTP 410 Gone",
        410,
    )


def test_lines_that_are_not_urls_are_warnings(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    (url,) = add_articles(server, 1)
    listing = write_list(tmp_path / "l.txt", ["www.example.org/no-scheme", url])
    result = run(archive, "import", "--jobs", "0", listing)
    assert result.exit_code == ExitCode.OK
    assert (
        f"warning: {listing}:1: www.example.org/no-scheme: not an http(s) URL (skipped)\n"
        in result.stderr
    )
    assert "not a URL (skipped)" in result.stderr


def test_log_lines_keep_what_looks_like_markup(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    # Lines written to a file are the text as it is: "[b]" and ":smile:" are not markup there.
    listing = write_list(tmp_path / "l.txt", ["see [b]here[/b] :smile:"])
    result = run(archive, "import", "--jobs", "0", listing)
    assert result.exit_code == ExitCode.OK
    assert result.stderr.startswith(
        f"warning: {listing}:1: see [b]here[/b] :smile:: not an http(s) URL (skipped)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/links.txt"], "File '/nonexistent/links.txt' does not exist."),
        (["--concurrency", "0", "LIST"], "0 is not in the range x>=1."),
        (["--per-host", "0", "LIST"], "0 is not in the range x>=1."),
        (["--retries", "-1", "LIST"], "-1 is not in the range x>=0."),
        (["--template", "{title}.md", "LIST"], "unknown field {title}"),
    ],
)
def test_usage_errors_exit_2_before_any_request(
    server: LoopbackServer, tmp_path: Path, archive: Path, args: list[str], message: str
) -> None:
    (url,) = add_articles(server, 1)
    listing = write_list(tmp_path / "l.txt", [url])
    result = run(archive, "import", *[listing if arg == "LIST" else arg for arg in args])
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr
    assert result.stdout == ""
    assert server.requests == []


def test_options_reach_the_engine(server: LoopbackServer, tmp_path: Path, archive: Path) -> None:
    server.add("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    gauge = Gauge()
    urls = []
    for n in range(6):
        server.add_handler(f"/news/{n}", gauge.slow(article_page(n), 0.1))
        urls.append(server.url(f"/news/{n}"))
    listing = write_list(tmp_path / "l.txt", urls)
    config = tmp_path / "config.toml"
    config.write_text('user_agent = "ResearchArchiver/2.0 (me@example.org)"\n', encoding="utf-8")
    result = run(
        archive, "--config", str(config), "import",
        "--ignore-robots", "--per-host", "2", "--jobs", "0", listing,
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    assert len(md_files(archive)) == 6
    assert "/robots.txt" not in server.requests
    assert gauge.peak == 2
    agents = {headers.get("User-Agent") for headers in server.request_headers}
    assert agents == {"ResearchArchiver/2.0 (me@example.org)"}


def test_proxy_cookies_and_user_agent_apply_to_every_request(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    # The loopback server acts as the proxy: it sees absolute URLs for a host that does not
    # resolve, so these pages can only have been fetched through it.
    for n in range(2):
        server.add(f"/news/{n}", article_page(n))
    urls = [f"http://news.example/news/{n}" for n in range(2)]
    listing = write_list(tmp_path / "l.txt", urls)
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        "# Netscape HTTP Cookie File\nnews.example\tFALSE\t/\tFALSE\t0\tsession\tsecret42\n",
        encoding="utf-8",
    )
    result = run(
        archive, "import", "--jobs", "0", "--proxy", server.url(), "--cookies", str(cookies),
        "--user-agent", "ResearchBot/1.0", listing,
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    assert sorted(server.requests) == sorted(["http://news.example/robots.txt", *urls])
    for headers in server.request_headers:
        lowered = {name.lower(): value for name, value in headers.items()}
        assert lowered["user-agent"] == "ResearchBot/1.0"
        assert "session=secret42" in lowered["cookie"]
    assert sorted(str(split_article(path)[0]["url"]) for path in md_files(archive)) == urls


def test_timeout_option(server: LoopbackServer, tmp_path: Path, archive: Path) -> None:
    slow = server.url("/slow?delay=3")
    listing = write_list(tmp_path / "l.txt", [slow])
    failed = tmp_path / "failed.txt"
    result = run(
        archive, "import", "--jobs", "0", "--timeout", "0.3", "--retries", "0",
        "--failed", str(failed), listing,
    )  # fmt: skip
    assert result.exit_code == ExitCode.PARTIAL
    summary = result.stderr[result.stderr.index("Import summary") :]
    assert re.search(r"│\s+timeout\s+│\s+1\s+│", summary)
    (line,) = failed.read_text(encoding="utf-8").splitlines()[2:]
    assert line.startswith(f"{slow}  # timeout")


def test_retry_after_through_the_cli(server: LoopbackServer, tmp_path: Path, archive: Path) -> None:
    server.add_handler("/busy", flaky(article_page(3), [(429, {"Retry-After": "0"})]))
    listing = write_list(tmp_path / "l.txt", [server.url("/busy")])
    result = run(archive, "import", "--jobs", "0", listing)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert server.requests.count("/busy") == 2
    assert f"retry 1/3 in 0.0 s: {server.url('/busy')}: HTTP 429 Too Many Requests" in (
        result.stderr
    )


# ---------------------------------------------------------------------------------------------
# In a real process


def test_kill_9_then_rerun_archives_everything_exactly_once(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = slow_site(server, 30, 0.1)
    listing = write_list(tmp_path / "links.txt", urls)
    proc = subprocess.Popen(
        command(archive, "import", listing), cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_files(archive, 5, proc)
        helpers = session_processes(proc.pid)
    finally:
        proc.kill()  # SIGKILL: no cleanup of any kind
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # The extraction processes notice and end too, instead of waiting forever for work.
    assert len(helpers) >= 3  # the import, the forkserver, at least one extraction process
    assert_session_ends(proc.pid)
    assert 5 <= len(md_files(archive)) < 30
    # Killed at any moment, a write leaves at most a hidden temporary file, never a partial .md.
    assert all(name.startswith(".") and name.endswith(".tmp") for name in leftovers(archive))

    rerun = subprocess.run(
        command(archive, "import", listing), cwd=tmp_path, capture_output=True, text=True
    )
    assert rerun.returncode == ExitCode.OK, rerun.stderr
    assert_complete_and_unique(archive, urls)


def test_ctrl_c_stops_cleanly_with_exit_130_and_a_rerun_continues(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = slow_site(server, 24, 0.2)
    listing = write_list(tmp_path / "links.txt", urls)
    # A session of its own, so the signal goes to every process of the import, as Ctrl-C in a
    # terminal does (the extraction processes must not fall over).
    proc = subprocess.Popen(
        command(archive, "import", "--per-host", "2", listing), cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_files(archive, 2, proc)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert_session_ends(proc.pid)  # no extraction process left behind
    assert "not done (interrupted)" in stderr
    assert "interrupted: run the same command again to continue where it stopped" in stderr
    assert "Traceback" not in stderr
    assert leftovers(archive) == []  # nothing half-written remains
    done = md_files(archive)
    # Paths print relative to the working directory when they are under it.
    assert sorted(stdout.splitlines()) == [str(path.relative_to(tmp_path)) for path in done]
    assert_complete_and_unique(archive, [str(split_article(p)[0]["url"]) for p in done])

    rerun = subprocess.run(
        command(archive, "import", listing), cwd=tmp_path, capture_output=True, text=True
    )
    assert rerun.returncode == ExitCode.OK, rerun.stderr
    assert rerun.stderr.count("already archived: ") == len(done)
    assert_complete_and_unique(archive, urls)


def test_standard_input_is_archived_as_it_arrives_and_ctrl_c_still_works(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    # A slow producer (`crawler | newsarchive import -`): a URL is archived as soon as its line
    # arrives, not when the input ends, and Ctrl-C works while the import waits for more.
    (url,) = add_articles(server, 1)
    proc = subprocess.Popen(
        command(archive, "import", "--jobs", "0", "-"), cwd=tmp_path, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(url + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "no result while standard input is still open"
        (path,) = md_files(archive)
        assert proc.stdout.readline() == f"{path.relative_to(tmp_path)}\n"
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)  # with standard input still open: nothing may wait for it
        stdout, stderr = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert stdout == ""
    assert "Import summary" in stderr and "Traceback" not in stderr
    assert server.requests.count("/news/0") == 1


def test_a_closed_standard_output_stops_the_import_quietly(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    # `newsarchive import --json list.txt | head -n 1`: the reader goes away after one line,
    # which is a normal end, as for grep or git: no message, exit status 0.
    urls = slow_site(server, 12, 0.1)
    listing = write_list(tmp_path / "links.txt", urls)
    proc = subprocess.Popen(
        command(archive, "import", "--jobs", "0", "--per-host", "1", "--json", listing),
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    try:
        first = json.loads(proc.stdout.readline())
        proc.stdout.close()
        with proc.stderr:
            stderr = proc.stderr.read()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert first["status"] == "archived"
    assert proc.returncode == ExitCode.OK, stderr
    assert "standard output" not in stderr and "error" not in stderr
    assert "Import summary" in stderr and "Traceback" not in stderr
    assert 1 <= len(md_files(archive)) < 12

    rerun = subprocess.run(
        command(archive, "import", listing), cwd=tmp_path, capture_output=True, text=True
    )
    assert rerun.returncode == ExitCode.OK, rerun.stderr
    assert_complete_and_unique(archive, urls)


def test_two_imports_at_once_do_not_duplicate(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    urls = slow_site(server, 16, 0.05)
    listing = write_list(tmp_path / "links.txt", urls)
    procs = [
        subprocess.Popen(
            command(archive, "import", "--json", "--jobs", "1", listing),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [ExitCode.OK, ExitCode.OK], outputs
    records = [json.loads(line) for stdout, _ in outputs for line in stdout.splitlines()]
    statuses = [record["status"] for record in records]
    assert statuses.count("archived") == 16
    assert statuses.count("already archived") == 16
    assert_complete_and_unique(archive, urls)


def test_failures_go_to_a_default_file_named_in_the_summary(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    listing = write_list(tmp_path / "links.txt", [server.url("/status/404")])
    proc = subprocess.run(
        command(archive, "import", "--jobs", "0", listing),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == ExitCode.PARTIAL
    (written,) = [p.name for p in tmp_path.iterdir() if p.name.startswith("newsarchive-failed-")]
    assert written.endswith(".txt")
    assert f"failed URLs written to {written}; retry them with: newsarchive import {written}" in (
        proc.stderr
    )


def test_progress_bar_on_a_terminal(server: LoopbackServer, tmp_path: Path, archive: Path) -> None:
    urls = add_articles(server, 3)
    listing = write_list(tmp_path / "links.txt", [*urls, server.url("/status/404")])
    failed = tmp_path / "failed.txt"
    status, stdout, screen = run_on_terminal(
        command(archive, "import", "--jobs", "0", "--failed", str(failed), listing), tmp_path, 120
    )
    assert status == ExitCode.PARTIAL
    assert "4/4" in screen
    assert "3 archived" in screen and "0 skipped" in screen and "1 failed" in screen
    assert "URLs/s" in screen
    assert "archived: " not in screen  # the bar replaces the line per URL
    assert f"error: {server.url('/status/404')}: HTTP 404 Not Found" in screen
    assert len(stdout.splitlines()) == 3  # paths still go to stdout


def test_partial_articles_are_archived_and_counted_in_the_summary(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    teaser = Path(__file__).parent / "fixtures" / "quality" / "paywall-teaser.html"
    server.add("/teaser", teaser.read_bytes())
    (url,) = add_articles(server, 1)
    listing = write_list(tmp_path / "l.txt", [url, server.url("/teaser")])
    result = run(archive, "import", "--jobs", "0", "--json", listing)
    assert result.exit_code == ExitCode.OK, result.stderr
    records = {record["line"]: record for record in map(json.loads, result.stdout.splitlines())}
    assert (records[1]["completeness"], records[1]["reason"]) == ("full", None)
    assert records[2]["status"] == "archived" and records[2]["completeness"] == "partial"
    meta, _ = split_article(Path(records[2]["path"]))
    assert meta["completeness"] == "partial" and records[2]["reason"] == meta["reason"]
    assert f"warning: partial article: {listing}:2: {server.url('/teaser')}: " in result.stderr
    summary = result.stderr[result.stderr.index("Import summary") :]
    rows = [[cell.strip() for cell in line.split("│")[1:3]] for line in summary.splitlines()]
    assert [row for row in rows if row][:2] == [
        ["archived", "2"],
        ["partial (paywall teaser, consent box)", "1"],
    ]


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_an_article_reported_is_on_disk_and_in_the_url_index_however_the_import_stops(
    server: LoopbackServer, tmp_path: Path, archive: Path, stop: signal.Signals
) -> None:
    import sqlite3

    from newsarchive.store import Archive

    urls = slow_site(server, 30, 0.1)
    listing = write_list(tmp_path / "links.txt", urls)
    proc = subprocess.Popen(
        command(archive, "import", "--json", listing), cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    reported = []
    try:
        while len(reported) < 4:
            line = proc.stdout.readline()
            assert line, "the import ended early"
            reported.append(json.loads(line))
        os.killpg(proc.pid, stop)  # as soon as the fourth article is reported
        reported += [json.loads(line) for line in proc.stdout]  # what it said while stopping
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    # Read the index as the import left it, without the catching up an archive opened does.
    index = sqlite3.connect(Archive(archive).index_path)
    try:
        keys = dict(index.execute("SELECT key, path FROM keys").fetchall())
    finally:
        index.close()
    archived = [item for item in reported if item["status"] == "archived"]
    assert len(archived) >= 4
    for item in archived:
        path = (tmp_path / item["path"]).resolve()  # as shown: relative to the import's cwd
        assert path.is_file() and path.read_text(encoding="utf-8").startswith("---\n")
        assert keys[item["url"]] == path.relative_to(archive.resolve()).as_posix()
