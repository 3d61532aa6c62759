"""Which article an input is, as the JSON lines say it and as a re-run finds it, run as a user
runs the commands (a process of its own, real pipes): one JSON object per input, repeats
included; the article's own URL beside the input; and every URL that led to an article
(a mirror naming the same canonical URL) found again without a request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import MT_FILE, MT_PATH, md_files, mt_page_at, run_process, write_list
from httpserver import LoopbackServer

pytestmark = pytest.mark.slow


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_fetch_json_gives_one_object_per_input_repeats_included(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    server.add(MT_PATH, mt_page_at(server))
    story, gone = server.url(MT_PATH), server.url("/gone")
    done = run_process(archive, "fetch", "--json", story, gone, story, gone, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    lines = json_lines(done.stdout)
    assert [(line["input"], line["status"]) for line in lines] == [
        (story, "archived"),
        (gone, "failed"),
        (story, "duplicate"),
        (gone, "duplicate"),
    ]
    assert lines[2]["url"] == story
    assert server.requests.count(MT_PATH) == 1 and server.requests.count("/gone") == 1
    assert done.stderr.splitlines()[-1] == "1 archived, 1 failed, 2 duplicate"


def test_a_failed_input_given_twice_keeps_its_own_exit_code(archive: Path, tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/story"
    done = run_process(archive, "fetch", url, url, cwd=tmp_path)
    assert done.returncode == 4  # one input, so its own failure's code
    assert done.stderr.splitlines()[-2:] == [f"duplicate: {url}", "1 failed, 1 duplicate"]


def test_already_archived_lines_give_the_input_and_the_articles_url(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    server.add(MT_PATH, mt_page_at(server))
    story = server.url(MT_PATH)
    first = run_process(archive, "fetch", story, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    variant = story + "?utm_source=newsletter"
    listing = write_list(tmp_path / "list.txt", [variant])
    imported = run_process(archive, "import", "--json", "--jobs", "0", listing, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    (line,) = json_lines(imported.stdout)
    assert (line["status"], line["input"], line["url"]) == ("already archived", variant, story)
    assert line["path"] == f"archive/{MT_FILE}"
    fetched = run_process(archive, "fetch", "--json", variant, cwd=tmp_path)
    (line,) = json_lines(fetched.stdout)
    assert (line["status"], line["input"], line["url"]) == ("already archived", variant, story)


def test_a_mirror_of_an_archived_article_is_requested_once(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    # Two addresses of one page: it names its canonical URL, so both are one article.
    server.add(MT_PATH, mt_page_at(server))
    server.add("/mirror/mali", mt_page_at(server))
    story, mirror = server.url(MT_PATH), server.url("/mirror/mali")
    assert run_process(archive, "fetch", story, cwd=tmp_path).returncode == 0
    listing = write_list(tmp_path / "list.txt", [mirror])
    for _ in range(3):
        done = run_process(archive, "import", "--json", "--jobs", "0", listing, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        (line,) = json_lines(done.stdout)
        assert (line["status"], line["input"], line["url"]) == ("already archived", mirror, story)
    again = run_process(archive, "fetch", mirror, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, f"archive/{MT_FILE}\n")
    assert server.requests.count("/mirror/mali") == 1
    assert len(md_files(archive)) == 1


def test_fetch_remembers_a_mirror_too(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    server.add(MT_PATH, mt_page_at(server))
    server.add("/mirror/mali", mt_page_at(server))
    assert run_process(archive, "fetch", server.url(MT_PATH), cwd=tmp_path).returncode == 0
    for _ in range(2):
        done = run_process(archive, "fetch", server.url("/mirror/mali"), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stderr == f"already archived: archive/{MT_FILE}\n"
    assert server.requests.count("/mirror/mali") == 1
