"""What every command does alike, run as a user runs them (a process of its own, real pipes):
an archive directory that is not there is a usage error, and every date option takes YYYY,
YYYY-MM and YYYY-MM-DD."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import md_files, run_process
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode, cli
from newsarchive.cli.core import COMMAND_MODULES
from sites import add_articles, article_page, rss

# Every command that reads an archive, with arguments that would otherwise be fine.
READERS = [
    ["list"],
    ["search", "wagner"],
    ["grep", "wagner"],
    ["show", "https://example.org/story"],
    ["stats"],
    ["export"],
    ["reindex"],
    ["history", "https://example.org/story"],
    ["diff", "https://example.org/story"],
    ["verify"],
    ["update", "--all"],
    ["reextract", "--all"],
    ["open", "https://example.org/story"],
    ["path", "https://example.org/story"],
]


def test_every_command_that_reads_an_archive_is_listed() -> None:
    writers = {"fetch", "import", "tag", "note"}  # these make the archive when it is not there
    assert {args[0] for args in READERS} == set(cli.all_commands()) - writers


@pytest.mark.slow
@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_mistyped_archive_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nope"
    done = run_process(missing, *args, cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr == (
        "error: nope: no such archive directory (use --archive DIR or set NEWSARCHIVE_DIR)\n"
    )
    assert done.stdout == ""
    assert not missing.exists()


def test_import_takes_a_month_or_a_year_for_its_dates(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    urls = add_articles(server, 3)
    items = [
        (urls[0], "Tue, 31 Aug 2021 23:00:00 GMT"),
        (urls[1], "Wed, 01 Sep 2021 09:00:00 GMT"),
        (urls[2], "Sat, 01 Jan 2022 09:00:00 GMT"),
    ]
    server.add("/feed.xml", rss(items), content_type="application/rss+xml")
    feed = ("import", "--jobs", "0", "--feed", server.url("/feed.xml"))
    september = run_process(archive, *feed, "--since", "2021-09", "--until", "2021", cwd=tmp_path)
    assert september.returncode == 0, september.stderr
    assert "found 1 URL(s)" in september.stderr
    august = run_process(archive, *feed, "--until", "2021-08", cwd=tmp_path)
    assert "found 1 URL(s)" in august.stderr
    assert len(md_files(archive)) == 2
    assert {"/news/0", "/news/1"} <= set(server.requests)
    assert "/news/2" not in server.requests


def test_update_takes_a_month_for_since(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    urls = add_articles(server, 2)  # published 2024-03-01 and 2024-03-02
    fetched = run_process(archive, "fetch", *urls, cwd=tmp_path)
    assert fetched.returncode == 0, fetched.stderr
    server.requests.clear()
    later = run_process(archive, "update", "--all", "--since", "2024-04", cwd=tmp_path)
    assert (later.returncode, later.stdout) == (0, "")
    assert later.stderr.endswith("0 changed, 0 unchanged, 0 gone\n")
    assert server.requests == []
    march = run_process(
        archive, "update", "--all", "--since", "2024-03", "--delay", "0", cwd=tmp_path
    )
    assert march.returncode == 0, march.stderr
    assert march.stderr.endswith("0 changed, 2 unchanged, 0 gone\n")


@pytest.mark.parametrize("args", [["import", "--feed", "http://x/f"], ["update", "--all"]])
def test_a_date_that_is_not_one_is_a_usage_error(
    archive: Path, tmp_path: Path, args: list[str]
) -> None:
    archive.mkdir()
    done = run_process(archive, *args, "--since", "2021-13", cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert "Invalid value for '--since': '2021-13' is not a date" in done.stderr


def test_a_long_title_gives_a_file_name_cut_at_a_word_from_the_end(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    title = (
        "Storms to batter the whole country with heavy rain, gales and snow across the "
        "coming weekend - here's where will be hit worst"
    )
    page = article_page(1).replace("Story 1: the budget plan moves ahead", title)
    server.add("/storm", page)
    done = run_process(archive, "fetch", server.url("/storm"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    name = Path(done.stdout.strip()).name
    assert name == (
        "2024-03-02-storms-to-batter-the-whole-country-with-heavy-rain-gales-and-snow-across-the.md"
    )


def test_the_config_file_sets_the_politeness_and_capture(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    urls = add_articles(server, 2)
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        "concurrency = 2\nper_host = 1\ndelay = 0\nthrottle = false\njobs = 0\ncapture = false\n"
    )
    done = run_process(archive, "--config", str(config), "import", str(listing), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(md_files(archive)) == 2
    assert not (tmp_path / "archive-captures").exists()  # capture = false
    config.write_text("per_host = 0\n")
    bad = run_process(archive, "--config", str(config), "import", str(listing), cwd=tmp_path)
    assert bad.returncode == ExitCode.USAGE
    assert "Invalid value for '--per-host': 0 is not in the range x>=1." in bad.stderr


def test_each_command_is_where_its_module_is_said_to_be() -> None:
    """COMMAND_MODULES names the module of every command (it is what loads them lazily)."""
    commands = cli.all_commands()
    assert set(commands) == set(COMMAND_MODULES)
    for name, command_ in commands.items():
        assert command_.callback is not None
        assert command_.callback.__module__ == f"newsarchive.cli.{COMMAND_MODULES[name]}"


def test_a_command_loads_its_own_module_only(tmp_path: Path) -> None:
    """`newsarchive grep` does not import what `fetch` or `tag` need: a shorter start-up."""
    (tmp_path / "archive").mkdir()
    script = (
        "import sys\n"
        "from newsarchive.cli import main\n"
        "sys.argv = ['newsarchive', '--archive', sys.argv[1], 'grep', 'x']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('newsarchive.cli.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "archive")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    loaded = done.stdout.strip().splitlines()[-1]
    assert "newsarchive.cli.finding" in loaded
    for other in ("archiving", "annotating", "reading", "history", "integrity"):
        assert f"newsarchive.cli.{other}'" not in loaded
