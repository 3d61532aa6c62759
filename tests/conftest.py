"""Shared pytest fixtures, and the rule that says which tests are slow.

Helpers the tests share are in modules of their own: helpers.py (running the command line,
reading what it wrote, processes), httpserver.py (the loopback servers), sites.py (sites served
on them, and an import run), samples.py (articles made by hand), stories.py (pages for the
extractor), clocks.py, pictures.py and socks.py. No test module imports another.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import closed_port
from httpserver import FakeWayback, LoopbackProxy, LoopbackServer
from newsarchive.store import Archive


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A started loopback HTTP server (see tests/httpserver.py), stopped after the test."""
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def wayback() -> Iterator[FakeWayback]:
    """A fake Wayback Machine on a loopback server of its own (see FakeWayback)."""
    with LoopbackServer() as srv:
        yield FakeWayback(srv)


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackProxy]:
    """A loopback server that is also a proxy answering for every host (see LoopbackProxy),
    whose TLS certificates the test's clients trust (SSL_CERT_FILE)."""
    with LoopbackProxy() as srv:
        monkeypatch.setenv("SSL_CERT_FILE", srv.ca_file)
        yield srv


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Where a command-line test's archive goes (created by the first command that writes)."""
    return tmp_path / "archive"


@pytest.fixture
def store(tmp_path: Path) -> Archive:
    """An empty archive, opened as the library opens one, for tests below the command line."""
    return Archive(tmp_path / "archive")


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the user's config, cache or archive, goes through their proxy, or
    reaches the internet."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NEWSARCHIVE_DIR", str(home / "archive"))
    monkeypatch.setenv("NEWSARCHIVE_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("NEWSARCHIVE_CONFIG", str(home / "config.toml"))
    monkeypatch.delenv("NEWSARCHIVE_WAYBACK_URL", raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    # Nothing reaches the internet, whatever a page names (its pictures on its publisher's
    # servers): every host but this machine goes through a proxy where nothing listens.
    nowhere = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HTTP_PROXY", nowhere)
    monkeypatch.setenv("HTTPS_PROXY", nowhere)
    # Names under .invalid and .test never resolve (RFC 6761): tests that expect a DNS
    # failure there go direct.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,.invalid,.test")


# Fixtures of a real HTTP server on 127.0.0.1: a test that uses one runs end to end.
END_TO_END = frozenset({"server", "wayback", "proxy"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests are `slow`: `pytest -m "not slow"` is the quick loop, CI runs all."""
    for item in items:
        if END_TO_END & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
