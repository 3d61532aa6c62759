"""`grep`, `search`, `list`, `show`, `stats`, `export` and `reindex` end to end, through the CLI.

Archives are made by the tool (`Archive.save`, or `newsarchive fetch` against a loopback
server); expected values are computed from the files themselves.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import MT_PATH, PAGES, run
from httpserver import LoopbackServer
from newsarchive import store as store_mod
from newsarchive import workers
from newsarchive.frontmatter import FrontMatterError, loads
from newsarchive.search import SearchIndex
from newsarchive.search import build as search_build
from newsarchive.search import index as search_index
from newsarchive.store import Archive
from samples import age, make_article, save, write_by_hand
from sites import add_articles

ANSI = re.compile(r"\x1b\[[\d;]*m")

MALI = "Mali junta in talks for Russian mercenaries"
BUNDESTAG = "Das Bündnis im Bundestag"
PUTIN = "Путин подписал указ"
WEATHER = "Weather report"
SUDAN = "Wagner in Sudan"


@pytest.fixture
def archive(made_once: Path, tmp_path: Path) -> Path:
    """Five articles: English, German, Russian, undated, and one with the word in its title.

    A fresh copy for each test (its indexes start empty); the files are written by the tool
    once per module, since saving syncs every file to disk.
    """
    return Path(shutil.copytree(made_once, tmp_path / "archive"))


@pytest.fixture(scope="module")
def made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("made") / "archive"
    store = Archive(root, cache_dir=tmp_path_factory.mktemp("cache"))
    save(
        store,
        make_article(
            MALI,
            "Mali's military government is close to a deal with the Wagner group.\n\n"
            "The private military company denies it.\n\n"
            "Paris warned Bamako on Tuesday.\n\n"
            "Wagner fighters were seen in Libya.\n",
            url="https://www.themoscowtimes.com/2021/09/14/mali",
            authors=("Daphné Benoit",),
            tags=("Mali", "Wagner"),
        ),
    )
    save(
        store,
        make_article(
            BUNDESTAG,
            "Die Grünen und das Bündnis 90 stimmten zu.\n\nEs war ein Wagnerian-Drama.\n",
            url="https://www.spiegel.de/politik/buendnis",
            site="Der Spiegel",
            hostname="www.spiegel.de",
            authors=("Max Müller",),
            language="de",
            published="2022-03-01",
        ),
    )
    save(
        store,
        make_article(
            PUTIN,
            "Президент России Путин подписал указ.\n\nРешение Путина вступает в силу.\n",
            url="https://meduza.io/news/ukaz",
            site="Meduza",
            hostname="meduza.io",
            authors=("Иван Петров",),
            language="ru",
            published="2020-05-05",
        ),
    )
    save(
        store,
        make_article(
            WEATHER,
            "Sunny all week; the Wagner opera festival opens on Friday.\n\n"
            "Prices rose (+3.5%) this week.\n",
            url="https://example.org/weather",
            site=None,
            hostname="example.org",
            authors=(),
            language="en-GB",
            published=None,
            tags=("Weather",),
        ),
    )
    save(
        store,
        make_article(
            SUDAN,
            "Gold mines changed hands near the border.\n",
            url="https://www.reuters.com/world/africa/gold",
            site="Reuters",
            hostname="www.reuters.com",
            authors=("John Smith",),
            published="2023-01-10",
        ),
    )
    store.close()
    return root


def path_of(archive: Path, title: str) -> Path:
    """The file holding the article with this title (found by reading the files)."""
    for path in archive.rglob("*.md"):
        try:
            meta, _ = loads(path.read_text(encoding="utf-8"))
        except FrontMatterError:
            continue
        if meta.get("title") == title:
            return path
    raise AssertionError(f"no article titled {title!r}")


def line_no(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


def json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def titles_of(output: str) -> list[str]:
    return [str(row["title"]) for row in json_lines(output)]


# -- grep -------------------------------------------------------------------------------------


def test_grep_prints_path_line_text_plain_when_piped(archive: Path) -> None:
    result = run(archive, "grep", "Wagner (group|fighters)")
    assert result.exit_code == 0
    mali = path_of(archive, MALI)
    first = "Mali's military government is close to a deal with the Wagner group."
    second = "Wagner fighters were seen in Libya."
    assert result.stdout == (
        f"{mali}:{line_no(mali, first)}: {first}\n{mali}:{line_no(mali, second)}: {second}\n"
    )
    assert result.stderr == ""


def test_grep_highlights_matches_on_a_terminal(archive: Path) -> None:
    plain = run(archive, "grep", "Wagner group")
    coloured = run(archive, "grep", "Wagner group", env={"FORCE_COLOR": "1"})
    assert coloured.exit_code == 0
    assert "\x1b" not in plain.stdout
    assert re.search(r"\x1b\[[\d;]*mWagner group\x1b\[0m", coloured.stdout)
    assert ANSI.sub("", coloured.stdout) == plain.stdout


def test_grep_ignore_case_and_whole_words(archive: Path) -> None:
    def files(*args: str) -> set[str]:
        result = run(archive, "grep", "-l", "--json", *args)
        return set(titles_of(result.stdout))

    assert files("Wagner") == {MALI, BUNDESTAG, WEATHER, SUDAN}
    assert files("-w", "Wagner") == {MALI, WEATHER, SUDAN}  # not "Wagnerian"
    assert run(archive, "grep", "-w", "WAGNER").exit_code == 1
    assert files("-i", "-w", "WAGNER") == {MALI, WEATHER, SUDAN}
    assert files("--ignore-case", "--word-regexp", "путин") == {PUTIN}
    assert files("-i", "путин") == {PUTIN}


def test_grep_fixed_strings(archive: Path) -> None:
    weather = path_of(archive, WEATHER)
    result = run(archive, "grep", "-F", "(+3.5%)")
    text = "Prices rose (+3.5%) this week."
    assert result.stdout == f"{weather}:{line_no(weather, text)}: {text}\n"
    assert run(archive, "grep", "--fixed-strings", "(+3.5%)").stdout == result.stdout
    as_regex = run(archive, "grep", "(+3.5%)")
    assert as_regex.exit_code == 2
    assert as_regex.stderr.startswith("error: bad regular expression '(+3.5%)': ")
    assert as_regex.stdout == ""


def test_grep_context_lines_and_separators(archive: Path) -> None:
    mali = path_of(archive, MALI)
    lines = mali.read_text(encoding="utf-8").split("\n")
    first = line_no(mali, "Mali's military government is close to a deal with the Wagner group.")
    last = line_no(mali, "Wagner fighters were seen in Libya.")
    result = run(archive, "grep", "-C", "1", "Wagner (group|fighters)")

    def shown(n: int) -> str:
        separator = ":" if n in (first, last) else "-"
        return f"{mali}{separator}{n}{separator} {lines[n - 1]}"

    groups = [range(first - 1, first + 2), range(last - 1, min(last + 2, len(lines)))]
    expected = [shown(n) for n in groups[0]] + ["--"] + [shown(n) for n in groups[1]]
    if not lines[-1]:  # the file ends with a newline: no empty "line" after it
        expected = [line for line in expected if line != f"{mali}-{len(lines)}- "]
    assert result.stdout.splitlines() == expected
    # --context is the long form; between files a "--" separates groups too.
    both = run(archive, "grep", "--context", "0", "--in", "title", "-i", "wagner|mali")
    assert "--" not in both.stdout.splitlines()
    with_context = run(archive, "grep", "-C", "1", "--in", "title", "-i", "wagner|mali")
    assert with_context.stdout.splitlines().count("--") == 1


def test_grep_files_and_counts(archive: Path) -> None:
    mali = path_of(archive, MALI)
    result = run(archive, "grep", "-l", "Wagner")
    expected = sorted(
        (p for p in archive.rglob("*.md") if "Wagner" in p.read_text(encoding="utf-8")),
        key=lambda p: p.relative_to(archive).parts,
    )
    assert result.stdout == "".join(f"{p}\n" for p in expected)
    assert run(archive, "grep", "--files-with-matches", "Wagner").stdout == result.stdout
    counts = run(archive, "grep", "-c", "Wagner")
    wanted = sum("Wagner" in line for line in mali.read_text(encoding="utf-8").split("\n"))
    assert f"{mali}:{wanted}\n" in counts.stdout
    assert len(counts.stdout.splitlines()) == len(expected)
    assert run(archive, "grep", "--count", "Wagner").stdout == counts.stdout


def test_grep_in_title_body_or_all(archive: Path) -> None:
    def files(*args: str) -> set[str]:
        return set(titles_of(run(archive, "grep", "-l", "--json", "-w", "Wagner", *args).stdout))

    assert files("--in", "title") == {SUDAN}
    assert files("--in", "body") == {MALI, WEATHER}
    assert files("--in", "all") == files() == {MALI, WEATHER, SUDAN}  # MALI's tags, SUDAN's title
    sudan = path_of(archive, SUDAN)
    title = run(archive, "grep", "--in", "title", "Wagner")
    assert title.stdout == f"{sudan}:{line_no(sudan, f'title: {SUDAN}')}: title: {SUDAN}\n"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--site", "moscow"], {MALI}),
        (["--site", "SPIEGEL.DE"], {BUNDESTAG}),
        (["--author", "muller"], {BUNDESTAG}),
        (["--author", "Daphne Benoit"], {MALI}),
        (["--tag", "weather"], {WEATHER}),
        (["--lang", "en"], {MALI, WEATHER, SUDAN}),
        (["--lang", "en-gb"], {WEATHER}),
        (["--since", "2022"], {BUNDESTAG, SUDAN}),
        (["--until", "2021-09"], {MALI, PUTIN}),
        (["--since", "2021-09-14", "--until", "2022-03-01"], {MALI, BUNDESTAG}),
    ],
)
def test_grep_filters(archive: Path, options: list[str], expected: set[str]) -> None:
    result = run(archive, "grep", "-l", "--json", "-i", "wagner|путин", *options)
    assert set(titles_of(result.stdout)) == expected


def test_grep_json_lines(archive: Path) -> None:
    mali = path_of(archive, MALI)
    result = run(archive, "grep", "--json", "--site", "moscow", "--in", "body", "Wagner")
    rows = json_lines(result.stdout)
    texts = [line for line in mali.read_text(encoding="utf-8").split("\n") if "Wagner" in line]
    body_texts = [t for t in texts if not t.startswith("- ")]  # the tags list is front-matter
    assert [row["text"] for row in rows] == body_texts
    for row in rows:
        assert row["path"] == str(mali)
        assert row["title"] == MALI
        assert row["url"] == "https://www.themoscowtimes.com/2021/09/14/mali"
        assert row["line"] == line_no(mali, str(row["text"]))
        for start, end in row["matches"]:  # type: ignore[attr-defined]
            assert str(row["text"])[start:end] == "Wagner"
    counted = json_lines(
        run(archive, "grep", "--json", "-c", "-w", "Wagner", "--site", "reuters").stdout
    )
    assert counted == [
        {"path": str(path_of(archive, SUDAN)), "title": SUDAN, "url": counted[0]["url"], "count": 1}
    ]


def test_grep_exit_codes(archive: Path, tmp_path: Path) -> None:
    assert run(archive, "grep", "Wagner").exit_code == 0
    nothing = run(archive, "grep", "zebra")
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (1, "", "")
    bad_pattern = run(archive, "grep", "[unclosed")
    assert bad_pattern.exit_code == 2
    assert bad_pattern.stderr.startswith("error: bad regular expression '[unclosed': ")
    bad_date = run(archive, "grep", "Wagner", "--since", "yesterday")
    assert bad_date.exit_code == 2
    assert "'yesterday' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)" in bad_date.stderr
    missing = run(tmp_path / "nowhere", "grep", "Wagner")
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"error: {tmp_path / 'nowhere'}: no such archive directory"
        " (use --archive DIR or set NEWSARCHIVE_DIR)\n"
    )


def test_grep_skips_a_broken_file_with_a_warning(archive: Path) -> None:
    broken = archive / "2021" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\narchiver: newsarchive\n---\n\nWagner\n")
    result = run(archive, "grep", "-l", "Wagner")
    assert result.exit_code == 0
    assert str(path_of(archive, MALI)) in result.stdout.splitlines()
    assert str(broken) not in result.stdout
    assert result.stderr.startswith(f"warning: {broken}: broken front-matter")
    assert result.stderr.endswith("(skipped)\n")


# -- search -----------------------------------------------------------------------------------


def search_titles(archive: Path, *args: str) -> list[str]:
    """The titles `search --json` prints; none when it exits 1 (nothing matched)."""
    result = run(archive, "search", "--json", *args)
    assert result.exit_code in (0, 1), result.stderr
    assert (result.exit_code == 1) == (result.stdout == "")
    return titles_of(result.stdout)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"private military"', {MALI}),
        ('"military private"', set()),
        ("wagner AND opera", {WEATHER}),
        ("opera OR bündnis", {WEATHER, BUNDESTAG}),
        ("wagner NOT opera", {MALI, SUDAN}),
        ("(opera OR gold) NOT sunny", {SUDAN}),
        ("wagner", {MALI, WEATHER, SUDAN}),
        ("wagner*", {MALI, WEATHER, SUDAN, BUNDESTAG}),  # a prefix finds "Wagnerian"
        ("bundnis", {BUNDESTAG}),  # diacritics do not matter...
        ("BÜNDNIS", {BUNDESTAG}),  # ...nor case
        ("grunen", {BUNDESTAG}),
        ("daphne", {MALI}),  # authors are searchable
        ("путин", {PUTIN}),
        ("ПУТИН", {PUTIN}),
        ("путин*", {PUTIN}),
        ("путина", {PUTIN}),
    ],
)
def test_search_query_syntax(archive: Path, query: str, expected: set[str]) -> None:
    assert set(search_titles(archive, query)) == expected


def test_search_ranks_title_above_body(archive: Path) -> None:
    # SUDAN has "Wagner" once, in its title; MALI has it twice in the body and as a tag.
    assert search_titles(archive, "wagner")[0] == SUDAN
    assert search_titles(archive, "--limit", "1", "wagner") == [SUDAN]
    assert search_titles(archive, "-n", "2", "wagner") == search_titles(archive, "wagner")[:2]


def test_search_hit_shows_date_site_title_path_and_snippet(archive: Path) -> None:
    result = run(archive, "search", "private", "military")
    mali = path_of(archive, MALI)
    head, path_line, snippet = result.stdout.splitlines()
    assert head == f"2021-09-14  The Moscow Times  {MALI}"
    assert path_line == f"  {mali}"
    assert snippet.startswith("  ") and "The private military company denies it." in snippet
    assert "\x1b" not in result.stdout
    coloured = run(archive, "search", "private", "military", env={"FORCE_COLOR": "1"})
    assert re.search(r"\x1b\[[\d;]*mprivate\x1b\[0m \x1b\[[\d;]*mmilitary\x1b\[0m", coloured.stdout)
    # The same words, wrapped to the terminal's width.
    assert ANSI.sub("", coloured.stdout).split() == result.stdout.split()


def test_search_undated_hit_and_hits_separated_by_a_blank_line(archive: Path) -> None:
    result = run(archive, "search", "--in", "body", "opera OR gold")
    blocks = result.stdout.split("\n\n")
    assert len(blocks) == 2
    heads = sorted(block.splitlines()[0] for block in blocks)
    assert heads == [f"2023-01-10  Reuters  {SUDAN}", f"undated  example.org  {WEATHER}"]


def test_search_json(archive: Path) -> None:
    (row,) = json_lines(run(archive, "search", "--json", "bamako").stdout)
    assert row["path"] == str(path_of(archive, MALI))
    assert (row["date"], row["site"], row["title"]) == ("2021-09-14", "The Moscow Times", MALI)
    assert row["url"] == "https://www.themoscowtimes.com/2021/09/14/mali"
    assert isinstance(row["score"], float)
    snippet = str(row["snippet"])
    assert [snippet[a:b] for a, b in row["matches"]] == ["Bamako"]  # type: ignore[attr-defined]


def test_search_filters_and_fields(archive: Path) -> None:
    assert set(search_titles(archive, "wagner", "--site", "reuters")) == {SUDAN}
    assert set(search_titles(archive, "wagner", "--author", "benoit")) == {MALI}
    assert set(search_titles(archive, "wagner", "--tag", "WEATHER")) == {WEATHER}
    assert set(search_titles(archive, "wagner*", "--lang", "de")) == {BUNDESTAG}
    assert set(search_titles(archive, "wagner", "--since", "2022")) == {SUDAN}
    assert set(search_titles(archive, "wagner", "--until", "2022")) == {MALI}
    assert set(search_titles(archive, "wagner", "--in", "title")) == {SUDAN}
    assert set(search_titles(archive, "wagner", "--in", "body")) == {MALI, WEATHER}


def test_search_without_hits_and_bad_queries(archive: Path, tmp_path: Path) -> None:
    # As grep: 1 when nothing matched, 2 on an error.
    none = run(archive, "search", "zebra")
    assert (none.exit_code, none.stdout, none.stderr) == (1, "", "no matching articles\n")
    bad = run(archive, "search", "NOT", "wagner")
    assert bad.exit_code == 2
    assert bad.stderr == (
        "error: cannot read the query 'NOT wagner': syntax error near \"NOT\""
        " (NOT needs a term before it, e.g. 'wagner NOT mali')\n"
    )
    unclosed = run(archive, "search", "(wagner")
    assert unclosed.exit_code == 2
    assert unclosed.stderr == "error: cannot read the query '(wagner': a \"(\" is not closed\n"
    empty = run(archive, "search", "--", "-")
    assert empty.exit_code == 2
    assert empty.stderr == "error: the query '-' has no words to search for\n"
    bad_date = run(archive, "search", "wagner", "--since", "yesterday")
    assert bad_date.exit_code == 2
    missing = run(tmp_path / "nowhere", "search", "wagner")
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert missing.stderr == (
        f"error: {tmp_path / 'nowhere'}: no such archive directory"
        " (use --archive DIR or set NEWSARCHIVE_DIR)\n"
    )


def test_search_finds_other_forms_and_exact_forms(archive: Path) -> None:
    assert search_titles(archive, "путину") == [PUTIN]
    assert search_titles(archive, "fighter") == [MALI]
    assert search_titles(archive, "=fighters") == [MALI]
    assert run(archive, "search", "=fighter").exit_code == 1
    assert run(archive, "search", '"fighter"').exit_code == 1
    assert search_titles(archive, '"private military"') == [MALI]
    assert run(archive, "search", '"military private"').exit_code == 1
    # --lang stems the query in that language only (and keeps its articles only).
    assert search_titles(archive, "путину", "--lang", "ru") == [PUTIN]
    assert run(archive, "search", "fighter", "--lang", "ru").exit_code == 1


def test_search_in_japanese_and_chinese(archive: Path) -> None:
    store = Archive(archive)
    save(
        store,
        make_article(
            "子どもへの体罰を禁止",
            "子どもへの虐待をなくすための法律ができました。\n",
            url="https://www3.nhk.or.jp/news/easy/k100",
            language="ja",
        ),
    )
    save(
        store,
        make_article(
            "武汉的声音",
            "在抗击新冠肺炎疫情的日子里，武汉的父母们回应着孩子的追问。\n",
            url="http://www.xinhuanet.com/c_1125597921.htm",
            language="zh",
        ),
    )
    store.close()
    (row,) = json_lines(run(archive, "search", "--json", "虐待").stdout)
    assert row["title"] == "子どもへの体罰を禁止"
    snippet = str(row["snippet"])
    assert [snippet[a:b] for a, b in row["matches"]] == ["虐待"]  # type: ignore[attr-defined]
    assert search_titles(archive, "疫情") == ["武汉的声音"]
    assert search_titles(archive, "新冠肺炎 武汉") == ["武汉的声音"]


# -- the index stays current ------------------------------------------------------------------


def test_search_sees_files_added_edited_moved_and_deleted_by_hand(archive: Path) -> None:
    assert search_titles(archive, "mercenaries") == [MALI]  # builds the index
    write_by_hand(archive / "notes" / "copied.md", make_article("Copied in", "A quokka.\n"))
    assert search_titles(archive, "quokka") == ["Copied in"]
    mali = path_of(archive, MALI)
    text = mali.read_text(encoding="utf-8")
    mali.write_text(text.replace("Bamako", "Timbuktu"), encoding="utf-8")  # edited in place
    assert search_titles(archive, "timbuktu") == [MALI]
    assert search_titles(archive, "bamako") == []
    moved = archive / "elsewhere" / "mali.md"
    moved.parent.mkdir()
    os.rename(mali, moved)
    (row,) = json_lines(run(archive, "search", "--json", "timbuktu").stdout)
    assert row["path"] == str(moved)
    path_of(archive, WEATHER).unlink()
    assert search_titles(archive, "opera") == []
    assert len(json_lines(run(archive, "list", "--json").stdout)) == 5  # 5 - 1 + 1 copied


def test_large_archive_relies_on_directory_times(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above FULL_CHECK_LIMIT files only directories are checked (and the hits shown).
    monkeypatch.setattr(search_index, "FULL_CHECK_LIMIT", 0)
    assert search_titles(archive, "mercenaries") == [MALI]
    age(archive)
    assert search_titles(archive, "mercenaries") == [MALI]  # directories now trusted
    mali = path_of(archive, MALI)
    tmp = mali.with_name(".mali.md.swp")
    tmp.write_text(mali.read_text(encoding="utf-8").replace("Bamako", "Timbuktu"))
    os.replace(tmp, mali)  # as editors, git and rsync save
    assert search_titles(archive, "timbuktu") == [MALI]
    write_by_hand(archive / "1999" / "01" / "new.md", make_article("New folder", "A quokka.\n"))
    assert search_titles(archive, "quokka") == ["New folder"]


def test_fetch_and_import_keep_the_index_current(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "FULL_CHECK_LIMIT", 0)  # only the cheap checks
    archive = tmp_path / "archive"
    server.add(MT_PATH, (PAGES / "moscowtimes-mali.html").read_bytes())
    assert run(archive, "fetch", server.url(MT_PATH)).exit_code == 0
    assert search_titles(archive, "mercenaries") == [
        "Mali Junta in Talks for Russian Mercenaries – French Sources"
    ]
    age(archive)
    assert search_titles(archive, "bamako") != []
    page = (PAGES / "moscowtimes-mali.html").read_text(encoding="utf-8")
    server.add(MT_PATH, page.replace("Bamako", "Timbuktu"))
    assert run(archive, "fetch", "--force", server.url(MT_PATH)).exit_code == 0
    assert search_titles(archive, "timbuktu", "--in", "body") != []
    assert search_titles(archive, "bamako", "--in", "body") == []
    urls = add_articles(server, 2)
    (tmp_path / "list.txt").write_text("".join(f"{url}\n" for url in urls), encoding="utf-8")
    result = run(archive, "import", "--jobs", "0", str(tmp_path / "list.txt"))
    assert result.exit_code == 0, result.stderr
    assert len(search_titles(archive, '"story 0" OR "story 1"')) == 2


def test_grep_r_over_the_archive_prints_only_article_lines(
    server: LoopbackServer, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    server.add(MT_PATH, (PAGES / "moscowtimes-mali.html").read_bytes())
    assert run(archive, "fetch", server.url(MT_PATH)).exit_code == 0
    for command in (
        ["search", "wagner"],
        ["reindex"],
        ["reindex", "--changed"],
        ["list"],
        ["stats"],
        ["grep", "Wagner"],
        ["show", server.url(MT_PATH)],
        ["export", "-o", str(tmp_path / "out.jsonl")],
    ):
        assert run(archive, *command).exit_code == 0, command
    done = subprocess.run(
        ["grep", "-rn", "Wagner", "archive/"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode == 0 and done.stderr == ""
    (md,) = archive.rglob("*.md")
    expected = [
        f"archive/{md.relative_to(archive).as_posix()}:{n}:{line}"
        for n, line in enumerate(md.read_text(encoding="utf-8").split("\n"), start=1)
        if "Wagner" in line
    ]
    assert done.stdout.splitlines() == expected
    assert [p for p in archive.rglob("*") if p.is_file()] == [md]


# -- list -------------------------------------------------------------------------------------


def test_list_piped_is_tab_separated_newest_first(archive: Path) -> None:
    result = run(archive, "list")
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [row[2] for row in rows] == [SUDAN, BUNDESTAG, MALI, PUTIN, WEATHER]
    assert rows[0] == ["2023-01-10", "Reuters", SUDAN, str(path_of(archive, SUDAN))]
    assert rows[-1] == ["", "example.org", WEATHER, str(path_of(archive, WEATHER))]


def test_list_on_a_terminal(archive: Path) -> None:
    result = run(archive, "list", "--limit", "1", env={"FORCE_COLOR": "1", "COLUMNS": "200"})
    plain = ANSI.sub("", result.stdout).splitlines()
    assert plain[0] == f"2023-01-10  Reuters  {SUDAN}"
    assert plain[1].strip() == str(path_of(archive, SUDAN))  # on a line of its own


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--sort", "title"], sorted([MALI, BUNDESTAG, PUTIN, WEATHER, SUDAN], key=str.casefold)),
        (["--sort", "site"], [BUNDESTAG, WEATHER, PUTIN, SUDAN, MALI]),  # example.org: a host
        (["--sort", "date", "--reverse"], [PUTIN, MALI, BUNDESTAG, SUDAN, WEATHER]),
        (["--sort", "date", "--limit", "2"], [SUDAN, BUNDESTAG]),
        (["--lang", "en", "--sort", "title"], [MALI, SUDAN, WEATHER]),
    ],
)
def test_list_sort_limit_filters(archive: Path, options: list[str], expected: list[str]) -> None:
    assert titles_of(run(archive, "list", "--json", *options).stdout) == expected


def test_list_sort_by_path_and_fetched(archive: Path) -> None:
    rows = json_lines(run(archive, "list", "--json", "--sort", "path").stdout)
    assert [row["path"] for row in rows] == sorted(str(row["path"]) for row in rows)
    fetched = path_of(archive, PUTIN)
    text = fetched.read_text(encoding="utf-8")
    old = re.search(r"^fetched: (.*)$", text, re.M)
    assert old is not None
    fetched.write_text(text.replace(old.group(0), "fetched: 2030-01-01T00:00:00Z"))
    assert titles_of(run(archive, "list", "--json", "--sort", "fetched").stdout)[0] == PUTIN


def test_list_json_and_csv(archive: Path) -> None:
    (row,) = json_lines(run(archive, "list", "--json", "--site", "meduza").stdout)
    assert row == {
        "path": str(path_of(archive, PUTIN)),
        "date": "2020-05-05",
        "title": PUTIN,
        "authors": ["Иван Петров"],
        "site": "Meduza",
        "hostname": "meduza.io",
        "url": "https://meduza.io/news/ukaz",
        "published": "2020-05-05",
        "fetched": row["fetched"],
        "language": "ru",
        "tags": [],
    }
    table = list(csv.reader(io.StringIO(run(archive, "list", "--csv").stdout)))
    assert table[0] == ["date", "site", "title", "path", "url"]
    assert table[1] == [
        "2023-01-10",
        "Reuters",
        SUDAN,
        str(path_of(archive, SUDAN)),
        "https://www.reuters.com/world/africa/gold",
    ]
    assert len(table) == 6
    both = run(archive, "list", "--json", "--csv")
    assert both.exit_code == 2
    assert "--json and --csv do not go together" in both.stderr


# -- show -------------------------------------------------------------------------------------


def test_show_by_url_path_and_raw(archive: Path) -> None:
    mali = path_of(archive, MALI)
    wide = {"COLUMNS": "300"}
    by_url = run(archive, "show", "https://www.themoscowtimes.com/2021/09/14/mali", env=wide)
    assert by_url.exit_code == 0
    out = by_url.stdout
    assert MALI in out and "Daphné Benoit" in out and str(mali) in out
    assert "The private military company denies it." in out
    assert "title:" not in out  # the front-matter is a panel, not YAML
    variant = "http://WWW.themoscowtimes.com/2021/09/14/mali?utm_source=x#top"
    assert run(archive, "show", variant, env=wide).stdout == out
    relative = mali.relative_to(archive).as_posix()
    assert run(archive, "show", relative, env=wide).stdout == out
    assert run(archive, "show", str(mali), env=wide).stdout == out
    raw = run(archive, "show", "--raw", relative)
    assert raw.stdout == mali.read_text(encoding="utf-8")


def test_show_errors(archive: Path) -> None:
    unknown = run(archive, "show", "https://example.net/never")
    assert unknown.exit_code == 1
    assert unknown.stderr == "error: https://example.net/never: not in the archive\n"
    missing = run(archive, "show", "2021/nope.md")
    assert (missing.exit_code, missing.stderr) == (1, "error: 2021/nope.md: no such file\n")


def test_show_a_broken_file_prints_it_as_stored(archive: Path) -> None:
    broken = archive / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\n\nWagner\n", encoding="utf-8")
    result = run(archive, "show", str(broken))
    assert result.exit_code == 0
    assert result.stdout == broken.read_text(encoding="utf-8")
    assert result.stderr.startswith(f"warning: {broken}: broken front-matter")


# -- stats ------------------------------------------------------------------------------------


def test_stats(archive: Path) -> None:
    result = run(archive, "stats")
    size = sum(p.stat().st_size for p in archive.rglob("*.md"))
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"5 articles, {size / 1024:.1f} KB, published 2020-05-05 to 2023-01-10 (1 undated)"
    )
    tables = {block.splitlines()[0].split()[0]: block for block in result.stdout.split("\n\n")[1:]}
    assert set(tables) == {"site", "month", "language", "author"}
    site_rows = [line.rsplit(None, 1) for line in tables["site"].splitlines()[1:]]
    assert sorted((name.strip(), int(n)) for name, n in site_rows) == sorted(
        [
            ("The Moscow Times", 1),
            ("Der Spiegel", 1),
            ("Meduza", 1),
            ("example.org", 1),
            ("Reuters", 1),
        ]
    )


def test_stats_json_top_and_filters(archive: Path) -> None:
    data = json.loads(run(archive, "stats", "--json").stdout)
    size = sum(p.stat().st_size for p in archive.rglob("*.md"))
    assert (data["articles"], data["size"], data["undated"]) == (5, size, 1)
    assert data["months"] == {"2020-05": 1, "2021-09": 1, "2022-03": 1, "2023-01": 1}
    assert data["languages"] == {"en": 2, "de": 1, "ru": 1, "en-GB": 1}
    assert data["authors"]["(none)"] == 1
    assert json.loads(run(archive, "stats", "--json", "--lang", "ru").stdout)["articles"] == 1
    top = run(archive, "stats", "--top", "1").stdout.split("\n\n")[1:]
    assert all(len(block.strip().splitlines()) == 2 for block in top)  # header + one row


# -- export -----------------------------------------------------------------------------------


def test_export_jsonl_with_and_without_body(archive: Path, tmp_path: Path) -> None:
    result = run(archive, "export")
    rows = json_lines(result.stdout)
    assert result.stderr == "exported 5 articles\n"
    assert len(rows) == 5
    for row in rows:
        meta, body = loads((archive / str(row["path"])).read_text(encoding="utf-8"))
        assert row == {"path": row["path"], **meta}
    out = tmp_path / "corpus.jsonl"
    written = run(archive, "export", "--format", "jsonl", "--with-body", "--output", str(out))
    assert written.stderr == f"exported 5 articles to {out}\n" and written.stdout == ""
    for row in json_lines(out.read_text(encoding="utf-8")):
        _, body = loads((archive / str(row["path"])).read_text(encoding="utf-8"))
        assert row["body"] == body


def test_export_csv_bibtex_csl_json(archive: Path) -> None:
    table = list(csv.DictReader(io.StringIO(run(archive, "export", "-f", "csv").stdout)))
    assert sorted(row["title"] for row in table) == sorted([MALI, BUNDESTAG, PUTIN, WEATHER, SUDAN])
    with_body = list(
        csv.DictReader(io.StringIO(run(archive, "export", "-f", "csv", "--with-body").stdout))
    )
    assert all(row["body"] for row in with_body)
    one = run(archive, "export", "--format", "bibtex", "--site", "reuters")
    assert one.stderr == "exported 1 article\n"
    bib = one.stdout
    assert bib.startswith("@article{smith2023wagner,\n")
    assert "  title = {{Wagner in Sudan}},\n" in bib and "  journaltitle = {Reuters},\n" in bib
    assert "  urldate = {2024-03-02},\n" in bib
    items = json.loads(run(archive, "export", "--format", "csl-json").stdout)
    assert len(items) == 5
    (putin,) = [item for item in items if item["title"] == PUTIN]
    assert putin["issued"] == {"date-parts": [[2020, 5, 5]]}
    assert putin["container-title"] == "Meduza"
    assert putin["author"] == [{"family": "Петров", "given": "Иван"}]


def test_export_body_only_with_tabular_formats(archive: Path) -> None:
    result = run(archive, "export", "--format", "bibtex", "--with-body")
    assert result.exit_code == 2
    assert "--with-body goes with jsonl or csv, not bibtex" in result.stderr
    assert result.stdout == ""


# -- broken files never crash a command --------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["search", "wagner"],
        ["list"],
        ["stats"],
        ["export"],
        ["reindex"],
        ["reindex", "--changed"],
    ],
)
def test_broken_front_matter_is_named_and_skipped(archive: Path, command: list[str]) -> None:
    broken = archive / "2021" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\narchiver: newsarchive\n---\n\nWagner\n")
    result = run(archive, *command)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: {broken}: broken front-matter: invalid YAML")
    assert warnings[0].endswith("(skipped)")
    assert str(broken) not in result.stdout


# -- reindex ----------------------------------------------------------------------------------


def test_reindex_rebuilds_from_the_files(archive: Path) -> None:
    result = run(archive, "reindex")
    assert re.fullmatch(r"5 articles indexed \(\d+\.\d s\)\n", result.stderr)
    with SearchIndex(Archive(archive)) as index:
        path = index.path
        assert archive not in path.parents
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert search_titles(archive, "bamako") == [MALI]  # rebuilt on demand as well
    write_by_hand(archive / "x" / "new.md", make_article("By hand", "Quokka.\n"))
    changed = run(archive, "reindex", "--changed")
    assert re.fullmatch(
        r"1 added, 0 updated, 0 removed; 6 articles indexed \(\d+\.\d s\)\n", changed.stderr
    )
    again = run(archive, "reindex", "--changed")
    assert again.stderr.startswith("0 added, 0 updated, 0 removed; 6 articles indexed")


def test_reindex_rebuilds_the_url_index_too(archive: Path) -> None:
    assert run(archive, "show", "--raw", "https://meduza.io/news/ukaz").exit_code == 0
    with Archive(archive) as store:
        url_index = store.index_path
    assert url_index.exists()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{url_index}{suffix}").unlink(missing_ok=True)
    assert run(archive, "reindex").exit_code == 0
    assert url_index.exists()
    assert run(archive, "show", "https://meduza.io/news/ukaz").exit_code == 0


@pytest.mark.parametrize("shards", [False, True])
def test_reindex_reads_every_file_once(
    archive: Path, monkeypatch: pytest.MonkeyPatch, shards: bool
) -> None:
    if shards:  # built by worker processes, as a large archive is
        monkeypatch.setattr(search_build, "_PARALLEL_MIN", 2)
        monkeypatch.setattr(workers, "cores", lambda: 2)
    read_for_urls: list[Path] = []
    real = store_mod._read_article

    def counting(path: Path) -> tuple[bool, set[str]]:
        read_for_urls.append(path)
        return real(path)

    monkeypatch.setattr(store_mod, "_read_article", counting)
    assert run(archive, "reindex").exit_code == 0
    assert read_for_urls == []  # the URL index is rebuilt from what the search index read
    for url in ("https://meduza.io/news/ukaz", "http://www.reuters.com/world/africa/gold"):
        assert run(archive, "show", "--raw", url).exit_code == 0
    assert search_titles(archive, "bamako") == [MALI]


@pytest.mark.parametrize("command", [["list"], ["stats"], ["export"], ["reindex"]])
def test_commands_refuse_a_missing_archive(tmp_path: Path, command: list[str]) -> None:
    # (search, as grep, exits 2: see test_search_without_hits_and_bad_queries)
    result = run(tmp_path / "nowhere", *command)
    assert result.exit_code == 2  # a usage error, as for every command that reads an archive
    assert result.stderr == (
        f"error: {tmp_path / 'nowhere'}: no such archive directory"
        " (use --archive DIR or set NEWSARCHIVE_DIR)\n"
    )
