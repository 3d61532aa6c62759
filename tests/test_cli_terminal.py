"""On a terminal, run as a user runs the commands: on a pseudo-terminal (stdout and stderr on
one, as in a terminal window), the screen read back through a terminal emulator (pyte).

- a long run's progress bar stays one bar while the paths it archives are printed;
- `show`, `list` and `search` wrap text at word boundaries at 80 columns and never break a path
  or a URL;
- `show` goes through the user's pager on a terminal, never when piped;
- `diff` shows each change with a few lines around it, under a header, as `git diff
  --word-diff` does, or the whole text with --full.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from rich.cells import cell_len

from helpers import (
    MT_FILE,
    MT_PATH,
    MT_URL,
    PAGES,
    command,
    md_files,
    mt_page,
    run_in_terminal,
    serve_mt,
    write_list,
)
from httpserver import LoopbackServer
from sites import add_articles

pytestmark = pytest.mark.slow

COLUMNS = 80


def overlong_lines(text: str, unbroken: list[str]) -> list[str]:
    """The lines of `text` wider than the terminal (which it would break wherever the edge
    falls), but for those holding one of `unbroken` (a path, a URL: longer than a line)."""
    return [
        line
        for line in text.splitlines()
        if cell_len(line.rstrip()) > COLUMNS and not any(token in line for token in unbroken)
    ]


def bar_lines(screen: list[str]) -> list[str]:
    return [row for row in screen if re.search(r"\d+/\d+ \d+ archived", row)]


def test_the_progress_bar_stays_one_bar_while_paths_are_printed(
    server: LoopbackServer, tmp_path: Path
) -> None:
    urls = add_articles(server, 40)
    listing = write_list(tmp_path / "list.txt", urls)
    archive = tmp_path / "archive"
    status, screen, _ = run_in_terminal(
        command(archive, "import", "--jobs", "0", listing), tmp_path
    )
    assert status == 0, "\n".join(screen)
    assert bar_lines(screen) == [bar_lines(screen)[0]]
    assert "40/40 40 archived" in bar_lines(screen)[0]
    # Every path is on the screen, whole, on a line of its own.
    paths = [str(path.relative_to(tmp_path)) for path in md_files(archive)]
    assert len(paths) == 40 and set(paths) <= set(screen)


@pytest.fixture
def archived(tmp_path: Path) -> Path:
    """An archive holding the Moscow Times article (from its saved page: no network): a title
    of 61 characters, a path of 90 and a URL of 107."""
    archive = tmp_path / "archive"
    done = subprocess.run(
        command(archive, "fetch", str(PAGES / "moscowtimes-mali.html")),
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return archive


SHOWN = f"archive/{MT_FILE}"


@pytest.mark.parametrize(
    "args", [["list"], ["search", "mercenaries"], ["show", "--no-pager", MT_URL]], ids=" ".join
)
def test_words_and_paths_are_never_broken_at_80_columns(
    archived: Path, tmp_path: Path, args: list[str]
) -> None:
    status, screen, text = run_in_terminal(command(archived, *args), tmp_path, columns=COLUMNS)
    assert status == 0, text
    assert overlong_lines(text, [SHOWN, MT_URL]) == []
    # The path is whole on its line, with nothing after it to push it over the edge.
    assert any(line.strip() == SHOWN or line.endswith(" " + SHOWN) for line in text.splitlines())
    for word in "Mali Junta in Talks for Russian Mercenaries – French Sources".split():
        assert any(word in row for row in screen), word


def test_show_wraps_the_article_at_word_boundaries(archived: Path, tmp_path: Path) -> None:
    status, _, text = run_in_terminal(
        command(archived, "show", MT_URL), tmp_path, columns=COLUMNS, env={"PAGER": "cat"}
    )
    assert status == 0
    assert overlong_lines(text, [SHOWN, MT_URL]) == []
    assert f"url       {MT_URL}" in text and f"file      {SHOWN}" in text
    words = " ".join(text.split())
    assert "would bring up to 1,000 fighters from Russia's Wagner Group into the country" in words
    # The lead picture's caption, whole (a picture drawn inline used to eat the words after it).
    assert "have been deployed in Syria, Libya and the Central African Republic." in words


def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that keeps what it is given, and the LESS variable it was run with."""
    record = tmp_path / "paged.txt"
    script = tmp_path / "fake-pager"
    script.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {record}\ncat >> {record}\n')
    script.chmod(0o755)
    return str(script), record


def test_show_pages_through_the_users_pager_on_a_terminal(archived: Path, tmp_path: Path) -> None:
    pager, record = fake_pager(tmp_path)
    status, screen, _ = run_in_terminal(
        command(archived, "show", MT_URL), tmp_path, env={"PAGER": pager}
    )
    assert status == 0
    assert screen == []  # everything went to the pager, which showed nothing
    paged = record.read_text(encoding="utf-8")
    assert paged.startswith("LESS=FRX\n")
    assert "\x1b[" in paged  # with its colours, as `less -R` shows them
    assert MT_URL in paged and "Wagner Group into the country" in " ".join(paged.split())


def test_show_never_pages_when_piped(archived: Path, tmp_path: Path) -> None:
    pager, record = fake_pager(tmp_path)
    done = subprocess.run(
        command(archived, "show", MT_URL), capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PAGER": pager}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not record.exists()
    assert f"url       {MT_URL}\n" in done.stdout and "\x1b[" not in done.stdout
    # Piped, a paragraph is one line, for grep and the like.
    assert any(line.startswith("Mali's military junta") for line in done.stdout.splitlines())


@pytest.mark.parametrize("value", ["cat", ""])
def test_a_pager_of_cat_or_nothing_prints_directly(
    archived: Path, tmp_path: Path, value: str
) -> None:
    status, screen, _ = run_in_terminal(
        command(archived, "show", MT_URL), tmp_path, env={"PAGER": value}
    )
    assert status == 0
    assert screen[0] == "Mali Junta in Talks for Russian Mercenaries – French Sources"


def changed_article(server: LoopbackServer, tmp_path: Path) -> Path:
    """An archive whose Moscow Times article changed once, in one paragraph of many."""
    archive = tmp_path / "archive"
    page = mt_page().decode("utf-8")
    url = serve_mt(server, page)
    assert subprocess.run(command(archive, "fetch", url), cwd=tmp_path).returncode == 0
    serve_mt(server, page.replace("up to 1,000 fighters", "up to 1,200 fighters"))
    update = subprocess.run(
        command(archive, "update", "--all", "--delay", "0"), cwd=tmp_path, capture_output=True
    )
    assert update.returncode == 0, update.stderr
    return archive


def test_diff_shows_each_change_with_context_under_a_header(
    server: LoopbackServer, tmp_path: Path
) -> None:
    archive = changed_article(server, tmp_path)
    status, screen, text = run_in_terminal(
        command(archive, "diff", server.url(MT_PATH)), tmp_path, columns=COLUMNS
    )
    assert status == 0, text
    assert re.fullmatch(r"rev 1 \(\S+\)", screen[0]) and re.fullmatch(r"rev 2 \(\S+\)", screen[1])
    headers = [row for row in screen if row.startswith("@@ ")]
    assert len(headers) == 1 and re.fullmatch(r"@@ -\d+,7 \+\d+,7 @@", headers[0])
    words = " ".join(text.split())
    # The changed words, both versions, on the changed line; the lines around it; no more.
    assert "would bring up to 1,000 1,200 fighters from Russia's Wagner Group" in words
    assert "a move Paris says" in words
    assert "Asked about the reports" not in words  # far from the change
    # Wrapped at word boundaries; a line holding a URL longer than a line is left whole.
    assert overlong_lines(text, ["](https://static.themoscowtimes.com/image/"]) == []


def test_diff_full_shows_the_whole_text(server: LoopbackServer, tmp_path: Path) -> None:
    archive = changed_article(server, tmp_path)
    status, screen, text = run_in_terminal(
        command(archive, "diff", "--full", server.url(MT_PATH)), tmp_path, columns=COLUMNS
    )
    assert status == 0, text
    assert not any(row.startswith("@@ ") for row in screen)
    words = " ".join(text.split())
    assert "1,000 1,200 fighters" in words and "Asked about the reports" in words
    piped = subprocess.run(
        command(archive, "diff", "--full", server.url(MT_PATH)), cwd=tmp_path, capture_output=True,
        text=True,
    )  # fmt: skip
    assert "Asked about the reports" in piped.stdout and piped.stdout.startswith("--- rev 1")


def test_reextract_uses_the_extraction_processes_with_a_progress_bar(
    server: LoopbackServer, tmp_path: Path
) -> None:
    urls = add_articles(server, 6)
    archive = tmp_path / "archive"
    listing = write_list(tmp_path / "list.txt", urls)
    imported = subprocess.run(
        command(archive, "import", "--jobs", "0", listing), cwd=tmp_path, capture_output=True
    )
    assert imported.returncode == 0, imported.stderr
    files = md_files(archive)
    originals = {path: path.read_text(encoding="utf-8") for path in files}
    for path in files[:4]:  # as an older extractor wrote them: a paragraph short
        text = re.sub(r"\nParagraph 3 of story \d+\..*\n", "\n", originals[path])
        # ...with the digest of that text, as the extractor recorded it (not a hand edit).
        body = text.split("\n---\n\n", 1)[1]
        # (YAML quotes a digest that opens like a number's prefix: '0b91…')
        old_digest = re.search(r"^sha256: '?(\w+)'?$", text, re.M)
        assert old_digest is not None
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        path.write_text(text.replace(old_digest.group(1), digest), encoding="utf-8")
    status, screen, text = run_in_terminal(
        command(archive, "reextract", "--all", "--jobs", "2"), tmp_path, columns=COLUMNS
    )
    assert status == 0, text
    bars = [row for row in screen if re.search(r"\d+/6 \d+ changed", row)]
    assert len(bars) == 1 and "6/6 4 changed 2 unchanged 0 failed" in bars[0]
    assert screen[-1] == "4 changed, 2 unchanged"
    assert {path: path.read_text(encoding="utf-8") for path in files} == originals
    assert {str(path.relative_to(tmp_path)) for path in files[:4]} <= set(screen)
