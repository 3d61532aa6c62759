"""The config file through the CLI: every key it documents reaches every command with that
option, parsed and checked as the flag is, and a key it does not know is one clear line."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from helpers import run, write_list
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode, cli
from newsarchive.cli.core import GROUP_KEYS
from newsarchive.config import CONFIG_KEYS
from sites import add_articles


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def agents(server: LoopbackServer) -> set[str | None]:
    """The User-Agent of every request the server has had."""
    return {
        {name.lower(): value for name, value in headers.items()}.get("user-agent")
        for headers in server.request_headers
    }


def redirecting(server: LoopbackServer, hops: int) -> str:
    """A URL that redirects `hops` times before an article."""
    add_articles(server, 1)
    target = "/news/0"
    for n in range(hops, 0, -1):
        server.add(f"/hop/{n}", status=302, headers={"Location": target})
        target = f"/hop/{n}"
    return server.url(target)


@pytest.mark.parametrize("key", sorted(set(CONFIG_KEYS) - set(GROUP_KEYS)))
def test_every_config_key_is_an_option_of_some_command(key: str) -> None:
    options = {
        param.name
        for command in cli.all_commands().values()
        for param in command.params
        if isinstance(param, click.Option)
    }
    assert key in options


def test_config_max_redirects_applies_to_fetch_and_import(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    config = write_config(tmp_path, "max_redirects = 1\n")
    url = redirecting(server, 2)
    fetched = run(archive, "--config", str(config), "fetch", url)
    assert fetched.exit_code == ExitCode.NETWORK, fetched.stderr
    assert fetched.stderr.endswith("too many redirects (more than 1)\n")
    listing = write_list(tmp_path / "list.txt", [url])
    failed = str(tmp_path / "failed.txt")
    imported = run(
        archive, "--config", str(config), "import", "--jobs", "0", "--failed", failed, listing
    )
    assert imported.exit_code == ExitCode.PARTIAL, imported.stderr
    assert "too many redirects (more than 1)" in imported.stderr
    # The flag wins over the file.
    allowed = run(archive, "--config", str(config), "fetch", "--max-redirects", "2", url)
    assert allowed.exit_code == ExitCode.OK, allowed.stderr


def test_update_sends_the_config_files_user_agent(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    config = write_config(tmp_path, 'user_agent = "ConfigBot/1.0 (me@example.org)"\n')
    (url,) = add_articles(server, 1)
    fetched = run(archive, "--config", str(config), "fetch", url)
    assert fetched.exit_code == ExitCode.OK, fetched.stderr
    before = len(server.request_headers)

    updated = run(archive, "--config", str(config), "update", "--delay", "0", "--all")
    assert updated.exit_code == ExitCode.OK, updated.stderr
    assert "0 changed, 1 unchanged, 0 gone" in updated.stderr
    assert len(server.request_headers) > before  # robots.txt and the article
    assert agents(server) == {"ConfigBot/1.0 (me@example.org)"}


def test_a_config_value_is_checked_as_the_flag_is(tmp_path: Path, archive: Path) -> None:
    config = write_config(tmp_path, "timeout = 0\n")
    result = run(archive, "--config", str(config), "update", "--all")
    assert result.exit_code == ExitCode.USAGE
    assert "Invalid value for '--timeout': 0.0 is not in the range x>0." in result.stderr


def test_an_unknown_key_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, archive: Path
) -> None:
    config = write_config(tmp_path, 'timeout = 20\nuser_agnet = "x"\n')
    result = run(archive, "--config", str(config), "list")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {config}: unknown key 'user_agnet' (known keys: ")
    assert len(result.stderr.splitlines()) == 1
