"""Proxies, as a user runs the command: a SOCKS5 proxy (Tor's set-up) carries every request,
and a proxy that fails is named in the error, not the article's URL."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

from helpers import MT_PATH, closed_port, command, md_files, mt_page, run_process
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode
from newsarchive.fetch import DEFAULT_USER_AGENT, PROJECT_URL
from socks import SocksProxy

ROOT = Path(__file__).resolve().parents[1]


def test_fetch_goes_through_a_socks5_proxy(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    server.add(MT_PATH, mt_page())
    with SocksProxy() as proxy:
        done = run_process(
            archive, "fetch", "--proxy", proxy.url, server.url(MT_PATH), cwd=tmp_path
        )
    assert done.returncode == 0, done.stderr
    assert proxy.connections == [server.host_port]
    assert [path.name for path in md_files(archive)] == [Path(done.stdout.strip()).name]


def test_import_goes_through_a_socks5_proxy_from_the_environment(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    server.add(MT_PATH, mt_page())
    listing = tmp_path / "list.txt"
    listing.write_text(server.url(MT_PATH) + "\n", encoding="utf-8")
    with SocksProxy() as proxy:
        done = subprocess.run(
            command(archive, "import", "--jobs", "0", "--ignore-robots", str(listing)),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
            env={**os.environ, "ALL_PROXY": proxy.url, "HTTP_PROXY": "", "NO_PROXY": ""},
        )
    assert done.returncode == 0, done.stderr
    assert proxy.connections == [server.host_port]
    assert len(md_files(archive)) == 1


def test_a_dead_http_proxy_is_named_in_the_error(archive: Path, tmp_path: Path) -> None:
    proxy = f"http://user:secret@127.0.0.1:{closed_port()}"
    url = "http://news.example/2021/story"
    done = run_process(archive, "fetch", "--proxy", proxy, url, cwd=tmp_path)
    assert done.returncode == ExitCode.NETWORK
    shown = proxy.replace("user:secret@", "")
    assert done.stderr == f"error: {url}: proxy {shown}: connection refused\n"
    assert done.stdout == ""


def test_a_dead_socks_proxy_is_named_in_the_error(archive: Path, tmp_path: Path) -> None:
    proxy = f"socks5://127.0.0.1:{closed_port()}"
    url = "https://news.example/2021/story"
    done = run_process(archive, "fetch", "--proxy", proxy, url, cwd=tmp_path)
    assert done.returncode == ExitCode.NETWORK
    assert done.stderr == f"error: {url}: proxy {proxy}: connection refused\n"


def test_the_default_user_agent_points_at_the_projects_repository(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert PROJECT_URL == urls["Repository"] == urls["Homepage"]
    server.add(MT_PATH, mt_page())
    done = run_process(archive, "fetch", server.url(MT_PATH), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sent = {headers.get("User-Agent") for headers in server.request_headers}
    assert sent == {DEFAULT_USER_AGENT}
    assert DEFAULT_USER_AGENT.endswith(f"(+{PROJECT_URL})")
