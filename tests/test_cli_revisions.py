"""Revisions: `update` fetches archived articles again from a real HTTP server whose page
changes, keeps every version, and `history`/`diff` show them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from httpserver import LoopbackServer
from newsarchive.cli import ExitCode, cli

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
PATH = "/2021/09/14/mali-junta-in-talks-for-russian-mercenaries-french-sources-a75044"
PAGE = (FIXTURES / "moscowtimes-mali.html").read_text(encoding="utf-8")
# The canonical link of the fixture points at themoscowtimes.com; serve it as this server's.
CANONICAL = "https://www.themoscowtimes.com" + PATH


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def run(archive: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--archive", str(archive), *args])


def serve(server: LoopbackServer, html: str) -> None:
    server.add(PATH, html.replace(CANONICAL, server.url(PATH)))


def meta_of(path: Path) -> dict[str, object]:
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])
    assert isinstance(meta, dict)
    return meta


def archived(server: LoopbackServer, archive: Path) -> Path:
    serve(server, PAGE)
    result = run(archive, "fetch", server.url(PATH))
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip())


def test_a_changed_article_keeps_its_earlier_version(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    first = saved.read_text(encoding="utf-8")
    serve(server, PAGE.replace("up to 1,000 fighters", "up to 1,200 fighters"))

    result = run(archive, "update", "--delay", "0", "--all")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{saved}\n"
    assert f"changed (body): {saved}" in result.stderr
    text = saved.read_text(encoding="utf-8")
    assert "up to 1,200 fighters" in text and "up to 1,000 fighters" not in text
    meta = meta_of(saved)
    revisions = meta["revisions"]
    assert isinstance(revisions, list) and len(revisions) == 1
    assert revisions[0]["changed"] == ["body"]
    kept = archive.parent / "archive-captures" / revisions[0]["file"]
    assert kept.read_text(encoding="utf-8") == first  # the earlier file, whole
    assert [p.name for p in archive.rglob("*.md")] == [saved.name]  # nothing extra to grep
    assert meta["capture"] != meta_of(kept)["capture"]  # a new capture for the new version
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
    serve(
        server, PAGE.replace("up to 1,000 fighters", "up to\n      <span>1,000</span>   fighters")
    )
    result = run(archive, "update", "--delay", "0", str(saved))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and "0 changed, 1 unchanged, 0 gone" in result.stderr
    meta = meta_of(saved)
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
    assert meta_of(saved)["gone"]
    assert saved.read_text(encoding="utf-8").split("---\n", 2)[2] == before


def test_update_reports_http_errors(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    server.add(PATH, "<html><body>Down</body></html>", status=503)
    failed = run(archive, "update", "--delay", "0", str(saved))
    assert failed.exit_code == ExitCode.HTTP
    assert "HTTP 503" in failed.stderr
    assert "revisions" not in meta_of(saved)
    assert run(archive, "update").exit_code == ExitCode.USAGE
    assert run(archive, "update", "--all", "--older-than", "soon").exit_code == ExitCode.USAGE
