"""The full-text index: queries, ranking, filters, languages, and staying current with files
changed behind its back."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from newsarchive import search as search_mod
from newsarchive import workers
from newsarchive.errors import UsageError
from newsarchive.frontmatter import loads
from newsarchive.pipeline import render_file
from newsarchive.search import (
    FULL_CHECK_LIMIT,
    MARK_END,
    MARK_START,
    Filters,
    SearchIndex,
    fts_query,
    parse_date,
    split_marks,
    update_index,
)
from newsarchive.search import build as search_build
from newsarchive.store import Archive
from samples import age, make_article, save, titles, write_by_hand

MALI_URL = "https://www.themoscowtimes.com/2021/09/14/mali"


@pytest.fixture(params=["one table", "shards"])
def build(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test against an index built in one process, and against one built by worker
    processes into full-text tables of their own (shards), as large archives are."""
    if request.param == "shards":
        monkeypatch.setattr(search_build, "_PARALLEL_MIN", 2)
        monkeypatch.setattr(workers, "cores", lambda: 2)
    return str(request.param)


def check_integrity(index: SearchIndex) -> int:
    """FTS5's own check of every full-text table against its text; how many tables."""
    with closing(sqlite3.connect(index.path)) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
        ]
        for name in tables:
            conn.execute(f"INSERT INTO {name} ({name}) VALUES ('integrity-check')")
            # Build-time settings never stay behind in the index.
            settings = {key for (key,) in conn.execute(f"SELECT k FROM {name}_config")}
            assert settings == {"version"}, name
    return len(tables)


@pytest.fixture
def sample(store: Archive, build: str) -> Archive:
    save(
        store,
        make_article(
            "Mali junta in talks for Russian mercenaries",
            "Mali's military government is close to a deal with the Wagner group, "
            "French sources say. The Bundestag debated the mission.\n",
            tags=("Mali", "Wagner"),
        ),
    )
    save(
        store,
        make_article(
            "Das Bündnis im Bundestag",
            "Die Grünen und das Bündnis 90 stimmten zu. Kein Wort über Söldner.\n",
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
            "Путин подписал указ",
            "Президент России Путин подписал указ. Решение Путина вступает в силу.\n",
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
            "Weather report",
            "Sunny all week; the Wagner opera festival opens on Friday. Prices rose 5%.\n",
            url="https://example.org/weather",
            site=None,
            hostname="example.org",
            authors=(),
            language="en-GB",
            published=None,
            tags=("Weather",),
        ),
    )
    return store


# -- query syntax -----------------------------------------------------------------------------


def either(word: str) -> str:
    """A word in an FTS5 expression: as an exact form or as a stem (marked)."""
    return f'("{word}" OR "·{word}")'


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wagner", either("wagner")),
        ("wagner mali", f"({either('wagner')} AND {either('mali')})"),
        ('"private military" AND mali', f'(("private" AND "military") AND {either("mali")})'),
        (
            "mali OR sudan NOT syria",
            f"({either('mali')} OR ({either('sudan')} NOT {either('syria')}))",
        ),
        ("sanction*", '"sanction"*'),
        ('"wagner gr"*', '("wagner" AND "gr"*)'),
        (
            "(mali OR niger) wagner",
            f"(({either('mali')} OR {either('niger')}) AND {either('wagner')})",
        ),
        ("covid-19 it's C++", f'(("covid" AND "19") AND ("it" AND "s") AND {either("c")})'),
        ("and or not", f"({either('and')} AND {either('or')} AND {either('not')})"),
        ("wagner AND", either("wagner")),
        ("OR wagner", either("wagner")),
        ("- & wagner", either("wagner")),
        ('say "hi"', f'({either("say")} AND "hi")'),
        ("=Talks", '"talks"'),
        ("Bündnis", either("bundnis")),
        ("虐待", '("虐待")'),
        ("虐", '"虐"*'),
        ("児童虐待", '("児童" AND "童虐" AND "虐待")'),
    ],
)
def test_fts_query_quotes_every_term(query: str, expected: str) -> None:
    assert fts_query(query) == expected


def test_fts_query_restricts_to_a_column_and_adds_stems() -> None:
    assert fts_query("wagner OR mali", "title") == (
        f"({{title}} : {either('wagner')} OR {{title}} : {either('mali')})"
    )
    assert fts_query("negotiations", "body", ["english", "german"]) == (
        '{body} : ("negoti" OR "·negoti" OR "negotiation" OR "·negotiation"'
        ' OR "negotiations" OR "·negotiations")'
    )


@pytest.mark.parametrize("query", ["", "   ", "AND", '""', "- &"])
def test_query_without_words_is_a_usage_error(query: str) -> None:
    with pytest.raises(UsageError, match="no words to search for"):
        fts_query(query)


def test_unreadable_query_is_a_usage_error(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        with pytest.raises(UsageError, match="NOT needs a term before it"):
            index.search("NOT wagner")
        with pytest.raises(UsageError, match="cannot read the query"):
            index.search("(wagner")


# -- matching and ranking ---------------------------------------------------------------------


def test_words_phrases_operators_and_prefixes(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        assert set(titles(index.search("wagner"))) == {
            "Mali junta in talks for Russian mercenaries",
            "Weather report",
        }
        assert titles(index.search('"wagner group"')) == [
            "Mali junta in talks for Russian mercenaries"
        ]
        assert titles(index.search("wagner NOT opera")) == [
            "Mali junta in talks for Russian mercenaries"
        ]
        assert titles(index.search("opera AND festival")) == ["Weather report"]
        assert set(titles(index.search("mercenaries OR festival"))) == {
            "Mali junta in talks for Russian mercenaries",
            "Weather report",
        }
        assert titles(index.search("merc*")) == ["Mali junta in talks for Russian mercenaries"]
        assert index.search("mercenar") == []  # whole words unless asked for a prefix


def test_title_outranks_body(store: Archive) -> None:
    save(
        store,
        make_article("Budget news", "Wagner " * 3 + "and more text.\n", url="https://a.example/1"),
    )
    save(
        store,
        make_article("Wagner in Africa", "A story about a company.\n", url="https://a.example/2"),
    )
    with SearchIndex(store) as index:
        index.refresh()
        assert titles(index.search("wagner")) == ["Wagner in Africa", "Budget news"]


def test_case_and_diacritics_do_not_matter(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        for query in ("bundnis", "BÜNDNIS", "Bündnis", "soldner", "bundestag", "BUNDESTAG"):
            assert "Das Bündnis im Bundestag" in titles(index.search(query)), query


def test_cyrillic_is_searchable(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        for query in ("Путин", "путин", "ПУТИН", "путин*", '"подписал указ"', "путину"):
            assert titles(index.search(query)) == ["Путин подписал указ"], query
        # An exact form finds only itself.
        assert titles(index.search("=Путина")) == ["Путин подписал указ"]
        assert index.search("=путину") == []
        assert index.search('"путину"') == []


def test_search_in_title_or_body(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        assert titles(index.search("bundestag", field="title")) == ["Das Bündnis im Bundestag"]
        assert titles(index.search("bundestag", field="body")) == [
            "Mali junta in talks for Russian mercenaries"
        ]


def test_authors_tags_and_description_are_searchable(store: Archive) -> None:
    save(
        store,
        make_article(
            "Plain title",
            "Plain body.\n",
            authors=("Daphné Benoit",),
            tags=("Sahel",),
            description="A summary about uranium.",
        ),
    )
    with SearchIndex(store) as index:
        index.refresh()
        for query in ("daphne", "benoit", "sahel", "uranium"):
            assert titles(index.search(query)) == ["Plain title"], query


def test_snippet_marks_the_matched_words(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        (hit,) = index.search('"wagner group"')
    text, spans = split_marks(hit.snippet)
    assert [text[a:b] for a, b in spans] == ["Wagner group"]
    assert MARK_START not in text and MARK_END not in text


def test_snippets_show_link_text_not_link_targets(store: Archive) -> None:
    body = "Read the [full report](https://example.org/a/b?x=1) on ![a map of Mali](map.png).\n"
    save(store, make_article("Links", body))
    with SearchIndex(store) as index:
        index.refresh()
        (hit,) = index.search("report")
        assert index.search("https") == []
    text, _ = split_marks(hit.snippet)
    assert text == "Read the full report on a map of Mali."


def test_split_marks() -> None:
    text, spans = split_marks(f"a {MARK_START}bc{MARK_END} d {MARK_START}e{MARK_END}")
    assert text == "a bc d e"
    assert spans == [(2, 4), (7, 8)]


def test_limit(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        assert len(index.search("wagner", limit=1)) == 1
        assert len(index.search("wagner", limit=None)) == 2


# -- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(site="moscow times"), {"Mali junta in talks for Russian mercenaries"}),
        (Filters(site="SPIEGEL.DE"), {"Das Bündnis im Bundestag"}),
        (Filters(site="example.org"), {"Weather report"}),
        (Filters(author="muller"), {"Das Bündnis im Bundestag"}),
        (Filters(author="петров"), {"Путин подписал указ"}),
        (Filters(tag="wagner"), {"Mali junta in talks for Russian mercenaries"}),
        (Filters(tag="wag"), set()),  # tags match whole
        (Filters(lang="en"), {"Mali junta in talks for Russian mercenaries", "Weather report"}),
        (Filters(lang="en-gb"), {"Weather report"}),
        (Filters(lang="e"), set()),
        (
            Filters(since="2021-01-01"),
            {"Mali junta in talks for Russian mercenaries", "Das Bündnis im Bundestag"},
        ),
        (
            Filters(until="2021-09-14"),
            {"Mali junta in talks for Russian mercenaries", "Путин подписал указ"},
        ),
        (Filters(since="2021-09-15", until="2022-03-01"), {"Das Bündnis im Bundestag"}),
        (Filters(lang="de", since="2023-01-01"), set()),
    ],
)
def test_filters(sample: Archive, filters: Filters, expected: set[str]) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        listed = {entry.title for entry in index.entries(filters=filters)}
    assert listed == expected
    # The same test in Python (grep uses it) agrees with the SQL one.
    in_python = set()
    for _, meta in sample.articles():
        if filters.matches(meta):
            in_python.add(meta["title"])
    assert in_python == expected


def test_filters_apply_to_search(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        assert titles(index.search("wagner", filters=Filters(lang="en-GB"))) == ["Weather report"]
        assert index.search("wagner", filters=Filters(since="2023")) == []


def test_undated_articles_are_left_out_by_date_filters(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        dated = index.entries(filters=Filters(since="1900-01-01"))
    assert "Weather report" not in {entry.title for entry in dated}
    assert len(dated) == 3


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2021", False, "2021-01-01"),
        ("2021", True, "2021-12-31"),
        ("2021-02", True, "2021-02-28"),
        ("2024-02", True, "2024-02-29"),
        ("2021-9", False, "2021-09-01"),
        ("2021-09-14", True, "2021-09-14"),
    ],
)
def test_parse_date(text: str, end: bool, expected: str) -> None:
    assert parse_date(text, end=end) == expected


@pytest.mark.parametrize("text", ["yesterday", "2021-13", "2021-02-30", "21-01-01", ""])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="is not a date"):
        parse_date(text)


# -- listing ----------------------------------------------------------------------------------


def test_entries_sorted_newest_first_undated_last(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        by_date = [e.title for e in index.entries()]
        reverse = [e.title for e in index.entries(reverse=True)]
        by_title = [e.title for e in index.entries(sort="title")]
        limited = [e.title for e in index.entries(limit=2)]
    assert by_date == [
        "Das Bündnis im Bundestag",
        "Mali junta in talks for Russian mercenaries",
        "Путин подписал указ",
        "Weather report",
    ]
    assert reverse == [
        "Путин подписал указ",
        "Mali junta in talks for Russian mercenaries",
        "Das Bündnis im Bundestag",
        "Weather report",
    ]
    assert by_title == sorted(by_date, key=str.casefold)
    assert limited == by_date[:2]


def test_entry_fields(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        (entry,) = index.entries(filters=Filters(site="spiegel"))
    assert entry.title == "Das Bündnis im Bundestag"
    assert entry.authors == ("Max Müller",)
    assert entry.date == "2022-03-01"
    assert entry.published == "2022-03-01"
    assert entry.site == "Der Spiegel"
    assert entry.language == "de"
    assert entry.url == "https://www.spiegel.de/politik/buendnis"
    assert entry.path.is_file()
    assert entry.size == entry.path.stat().st_size
    assert entry.relpath == entry.path.relative_to(sample.root).as_posix()


def test_records_give_front_matter_and_body(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh(full=True)
        records = list(index.records(with_body=True))
    assert len(records) == 4
    for entry, meta, body in records:
        expected_meta, expected_body = loads(entry.path.read_text(encoding="utf-8"))
        assert meta == expected_meta
        assert body == expected_body


# -- staying current --------------------------------------------------------------------------


def test_first_query_builds_the_index(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        report = index.refresh()
        assert (report.added, report.updated, report.removed) == (4, 0, 0)
        assert index.count() == 4
        again = index.refresh()
        assert again.changed == 0


@pytest.mark.parametrize("full", [True, False])
def test_files_added_by_hand_are_found(sample: Archive, full: bool) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        age(sample.root)
        index.refresh(full=False)  # now the directories' old mtimes are trusted
        write_by_hand(sample.root / "2021/09/copied-in.md", make_article("Copied in", "Zebra.\n"))
        write_by_hand(sample.root / "1999/01/new-dir.md", make_article("New folder", "Zebra.\n"))
        index.refresh(full=full)
        assert set(titles(index.search("zebra"))) == {"Copied in", "New folder"}


@pytest.mark.parametrize("full", [True, False])
def test_files_deleted_or_moved_by_hand_are_noticed(sample: Archive, full: bool) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        age(sample.root)
        index.refresh(full=False)
        (mali,) = index.search("mercenaries")
        (weather,) = index.search("opera")
        moved = sample.root / "elsewhere" / "moved.md"
        moved.parent.mkdir()
        os.rename(mali.entry.path, moved)
        weather.entry.path.unlink()
        index.refresh(full=full)
        (hit,) = index.search("mercenaries")
        assert hit.entry.path == moved
        assert index.search("opera") == []
        assert index.count() == 3


def test_a_whole_directory_removed_by_hand(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        age(sample.root)
        index.refresh(full=False)
        for path in sorted((sample.root / "2021").rglob("*.md")):
            path.unlink()
        for path in sorted((sample.root / "2021").rglob("*"), reverse=True):
            path.rmdir()
        (sample.root / "2021").rmdir()
        index.refresh(full=False)
        assert index.search("mercenaries") == []
        assert index.count() == 3


def test_editor_style_save_is_noticed_by_the_cheap_check(sample: Archive) -> None:
    # vim, sed -i, git and rsync write a new file and rename it over the old one.
    with SearchIndex(sample) as index:
        index.refresh()
        age(sample.root)
        index.refresh(full=False)
        (hit,) = index.search("mercenaries")
        text = hit.entry.path.read_text(encoding="utf-8")
        tmp = hit.entry.path.with_name(".edit.tmp")
        tmp.write_text(text.replace("Wagner group", "Xylophone ensemble"), encoding="utf-8")
        os.replace(tmp, hit.entry.path)
        index.refresh(full=False)
        assert titles(index.search("xylophone")) == ["Mali junta in talks for Russian mercenaries"]
        assert index.search('"wagner group"') == []


def test_edit_in_place_is_noticed_in_a_small_archive(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        age(sample.root)
        index.refresh()
        (hit,) = index.search("mercenaries")
        path = hit.entry.path
        text = path.read_text(encoding="utf-8")
        directory_mtime = path.parent.stat().st_mtime_ns
        path.write_text(text.replace("Wagner group", "Xylophone ensemble"), encoding="utf-8")
        assert path.parent.stat().st_mtime_ns == directory_mtime  # nothing else shows it
        assert index.count() <= FULL_CHECK_LIMIT
        index.refresh()  # the default: every file is checked in an archive this size
        assert titles(index.search("xylophone")) == ["Mali junta in talks for Russian mercenaries"]


def test_shown_hits_are_checked_even_without_a_full_check(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        age(sample.root)
        index.refresh(full=False)
        (hit,) = index.search("mercenaries")
        path = hit.entry.path
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("Mali junta in talks", "Mali junta still in talks"), encoding="utf-8"
        )
        index.refresh(full=False)  # the directory did not change: not seen here...
        (hit,) = index.search("mercenaries")  # ...but a hit is checked before it is shown
        assert hit.entry.title == "Mali junta still in talks for Russian mercenaries"
        path.write_text(text.replace("mercenaries", "advisers"), encoding="utf-8")
        assert index.search("mercenaries") == []
        (entry,) = index.entries(filters=Filters(tag="mali"))
        assert entry.title == "Mali junta in talks for Russian advisers"


def test_broken_front_matter_is_skipped_and_reported(sample: Archive) -> None:
    broken = sample.root / "2021" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\narchiver: newsarchive 0.1\n---\n\nWagner\n")
    not_utf8 = sample.root / "2021" / "latin1.md"
    not_utf8.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    notes = sample.root / "README.md"
    notes.write_text("# My notes about Wagner\n")
    with SearchIndex(sample) as index:
        report = index.refresh()
        problems = {p.path: p.error for p in report.problems}
        assert set(problems) == {broken, not_utf8}
        assert problems[broken].startswith("broken front-matter: invalid YAML")
        assert problems[not_utf8] == "not UTF-8 text"
        assert len(index.search("wagner")) == 2  # the good articles still answer
        assert index.count() == 4
        # Still reported on later runs, until the file is fixed.
        assert {p.path for p in index.refresh().problems} == {broken, not_utf8}
        broken.unlink()
        assert {p.path for p in index.refresh().problems} == {not_utf8}


def test_update_index_after_a_save(store: Archive) -> None:
    with SearchIndex(store) as index:
        index.refresh()
        path = save(store, make_article("Fresh story", "Quokka sighting.\n"))
        update_index(store, [path])
        # Read straight from the database: no refresh needed for files indexed on save.
        assert titles(index.search("quokka")) == ["Fresh story"]
        assert index.refresh().changed == 0


def test_index_lives_outside_the_archive(sample: Archive, tmp_path: Path) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        index.search("wagner")
        assert index.path.name == "search.sqlite"
        assert index.path.parent == sample.index_path.parent
        assert sample.root not in index.path.parents
    files = [p for p in sample.root.rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".md" for p in files)


def test_corrupt_index_is_rebuilt(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        path = index.path
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with SearchIndex(sample) as index:
        index.refresh()
        assert len(index.search("wagner")) == 2


def test_index_of_another_schema_is_rebuilt(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        path = index.path
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE name = 'schema'")
    conn.close()
    with SearchIndex(sample) as index:
        assert index.refresh().added == 4


def test_rebuild(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        report = index.rebuild()
        assert (report.added, report.removed) == (4, 0)
        assert len(index.search("wagner")) == 2


def test_rebuild_in_worker_processes(store: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(12):
        save(
            store,
            make_article(f"Story {n}", f"Word{n} and common.\n", url=f"https://x.example/{n}"),
        )
    (store.root / "bad.md").write_text("---\ntitle: [\n---\n")
    monkeypatch.setattr(search_build, "_PARALLEL_MIN", 2)
    monkeypatch.setattr(search_build, "_CHUNK", 5)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    with SearchIndex(store) as index:
        report = index.rebuild()
        assert report.added == 13
        assert [p.path.name for p in report.problems] == ["bad.md"]
        assert index.count() == 12
        assert len(index.search("common", limit=None)) == 12
        assert titles(index.search("word7")) == ["Story 7"]
        assert check_integrity(index) == 2  # two shards, one per worker


# -- builds on every core (shards) --------------------------------------------------------------

QUERIES = [
    "wagner", '"wagner group"', "wagner NOT opera", "merc*", "bundnis", "путин*", "common",
    "story", "word3 OR word8", '"and common"', "zebra",
]  # fmt: skip


def many_articles(store: Archive) -> None:
    for n in range(10):
        save(
            store,
            make_article(
                f"Story {n}" + (" about Wagner" if n % 3 == 0 else ""),
                f"Word{n} and common words. The Wagner group is mentioned {n} times.\n",
                url=f"https://x.example/{n}",
                published=f"20{10 + n}-01-01",
            ),
        )


def answers(index: SearchIndex) -> dict[str, list[tuple[str, str]]]:
    return {
        query: sorted((hit.entry.relpath, hit.snippet) for hit in index.search(query, limit=None))
        for query in QUERIES
    }


def test_shards_answer_like_one_table(
    sample: Archive, build: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_articles(sample)
    with SearchIndex(sample) as index:
        index.rebuild()
        expected = answers(index)
        assert check_integrity(index) == (2 if build == "shards" else 1)
        monkeypatch.setattr(search_build, "_PARALLEL_MIN", 2)
        monkeypatch.setattr(workers, "cores", lambda: 3)
        index.rebuild()
        assert check_integrity(index) == 3
        assert answers(index) == expected
        # The title still weighs most in every shard.
        assert titles(index.search("wagner"))[:4] == [
            "Story 0 about Wagner",
            "Story 3 about Wagner",
            "Story 6 about Wagner",
            "Story 9 about Wagner",
        ]
        found = titles(index.search("wagner", filters=Filters(since="2016-01-01")))
        assert found[:2] == ["Story 6 about Wagner", "Story 9 about Wagner"]
        assert set(found[2:]) == {
            "Story 7",
            "Story 8",
            "Mali junta in talks for Russian mercenaries",
        }


def test_a_sharded_index_stays_current(sample: Archive, build: str) -> None:
    many_articles(sample)
    with SearchIndex(sample) as index:
        index.rebuild()
        age(sample.root)
        index.refresh(full=False)
        (hit,) = index.search("mercenaries")
        text = hit.entry.path.read_text(encoding="utf-8")
        hit.entry.path.write_text(text.replace("mercenaries", "advisers"), encoding="utf-8")
        (gone,) = index.search("word4")
        gone.entry.path.unlink()
        write_by_hand(sample.root / "2030/01/new.md", make_article("New one", "Zebra.\n"))
        index.refresh(full=True)
        assert index.search("mercenaries") == []
        assert titles(index.search("advisers")) == ["Mali junta in talks for Russian advisers"]
        assert index.search("word4") == []
        assert titles(index.search("zebra")) == ["New one"]
        assert index.count() == 14
        check_integrity(index)


def test_rebuild_while_another_process_has_the_index_open(sample: Archive, build: str) -> None:
    with SearchIndex(sample) as other:
        other.refresh()
        assert len(other.search("wagner")) == 2
        with SearchIndex(sample) as index:
            write_by_hand(sample.root / "2030/01/new.md", make_article("New one", "Wagner.\n"))
            index.rebuild()
            assert len(index.search("wagner")) == 3
            check_integrity(index)
        assert len(other.search("wagner")) in (2, 3)  # still answers, from either file
    with SearchIndex(sample) as index:
        assert len(index.search("wagner")) == 3


def test_rebuild_copies_in_where_the_file_cannot_be_swapped(
    sample: Archive, build: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError("hard links not supported here")

    monkeypatch.setattr(os, "link", no_links)
    with SearchIndex(sample) as index:
        index.refresh()
        path = index.path
        page_size = index._db().execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:  # a damaged old index on top of that
        handle.seek(page_size)
        handle.write(b"\xff" * (path.stat().st_size - page_size))
    with SearchIndex(sample) as index:
        assert index.rebuild().added == 4
        assert len(index.search("wagner")) == 2
        assert check_integrity(index) == (2 if build == "shards" else 1)
        index.rebuild()  # and over a sound one
        assert len(index.search("wagner")) == 2
        check_integrity(index)


def test_missing_archive_gives_an_empty_index(tmp_path: Path) -> None:
    with SearchIndex(Archive(tmp_path / "nowhere")) as index:
        assert index.refresh().changed == 0
        assert index.entries() == []
        assert index.search("anything") == []


def test_damaged_pages_are_noticed_and_the_index_rebuilt(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        path = index.path
        page_size = index._db().execute("PRAGMA page_size").fetchone()[0]
    size = path.stat().st_size
    with path.open("r+b") as handle:  # keep the header page, garble every other one
        handle.seek(page_size)
        handle.write(b"\xff" * (size - page_size))
    with SearchIndex(sample) as index:
        assert index.refresh().added == 4
        assert len(index.search("wagner")) == 2


def test_rebuild_recovers_from_damaged_pages(sample: Archive) -> None:
    with SearchIndex(sample) as index:
        index.refresh()
        path = index.path
        page_size = index._db().execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:
        handle.seek(page_size)
        handle.write(b"\xff" * (path.stat().st_size - page_size))
    with SearchIndex(sample) as index:
        assert index.rebuild().added == 4
        assert len(index.search("wagner")) == 2


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"published": None},
        {"authors": (), "byline": None},
        {"byline": "Daphné Benoit for AFP"},
        {"published": "2021-09-14"},
        {"published": "2021-09-14T10:00:00Z"},
    ],
)
def test_article_text_leaves_out_the_rendered_header_and_source_line(
    changes: dict[str, object],
) -> None:
    article = dataclasses.replace(
        make_article("A title", "First paragraph.\n\nBy the way, a second one.\n\n---\n\nEnd.\n"),
        **changes,  # type: ignore[arg-type]
    )
    meta, body = loads(render_file(article))
    assert body.startswith("# A title\n\n") and "Source: <" in body
    assert search_mod.article_text(body, meta) == article.body.strip()


def test_article_text_keeps_a_body_written_by_hand() -> None:
    # Only a heading starts the header, and only a final "---" + "Source: <...>" ends it.
    body = "By the river.\n\nSource: <https://example.org> is a link.\n"
    assert search_mod.article_text(body, {}) == body
    assert search_mod.article_text("Plain text.\n\n---\n\nMore.\n", {}) == (
        "Plain text.\n\n---\n\nMore.\n"
    )


def test_snippets_start_in_the_article_text(store: Archive) -> None:
    article = make_article(
        "Mali junta in talks", "Bamako is calm.\n\nThe junta met on Tuesday.\n", url=MALI_URL
    )
    store.save(article, render_file(article), keys=[article.url])
    with SearchIndex(store) as index:
        index.refresh()
        (hit,) = index.search("junta")
        assert split_marks(hit.snippet)[0].startswith("Bamako is calm.")
        assert index.search("themoscowtimes", field="body") == []  # the source line
        assert index.search("jane", field="body") == []  # the byline
        assert titles(index.search("jane")) == ["Mali junta in talks"]  # an author


def test_plain_text_keeps_words_and_drops_markdown_marks() -> None:
    markdown = (
        "## Heading\n\n> quoted *words* and **bold**\n\n"
        "![alt](x.jpg) [link](https://e.org/(a)) <https://e.org/b>\n\n5 > 3 # not a heading\n"
    )
    assert search_mod.plain_text(markdown) == (
        "Heading\n\nquoted words and bold\n\nalt link https://e.org/b\n\n5 > 3 # not a heading\n"
    )


def test_article_text_can_keep_the_byline() -> None:
    article = dataclasses.replace(
        make_article("A title", "Text.\n"), byline="Daphné Benoit for AFP"
    )
    meta, body = loads(render_file(article))
    assert search_mod.article_text(body, meta, keep_byline=True) == (
        "By Daphné Benoit for AFP\n\nText."
    )


def test_url_sources_give_the_url_index_its_keys(store: Archive, build: str) -> None:
    article = dataclasses.replace(
        make_article("Keys", "Text.\n", url="https://Example.org/a?utm_source=x"),
        source="https://t.example/abc#frag",
        final_url="https://example.org/a/",
    )
    path = save(store, article)
    write_by_hand(store.root / "notes.md", make_article("x", "y")).write_text("# Notes\n")
    with SearchIndex(store) as index:
        index.rebuild()
        sources = index.url_sources()
    rel = path.relative_to(store.root).as_posix()
    mtime, size, is_article, keys = sources[rel]
    assert (mtime, size, is_article) == (path.stat().st_mtime_ns, path.stat().st_size, True)
    assert sorted(keys) == ["https://example.org/a", "https://t.example/abc"]
    assert sources["notes.md"][2:] == (False, ())


def test_scratch_files_of_a_killed_build_are_cleared(
    store: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_articles(store)
    monkeypatch.setattr(search_build, "_PARALLEL_MIN", 2)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    with SearchIndex(store) as index:
        index.refresh()
        old = index.path.with_name(f"{index.path.name}.build-killed")
        recent = index.path.with_name(f"{index.path.name}.build-running")
        for folder in (old, recent):
            folder.mkdir()
            (folder / "shard0.sqlite").write_bytes(b"x")
        two_days_ago = datetime.now().timestamp() - 2 * 86400
        os.utime(old, (two_days_ago, two_days_ago))
        index.rebuild()
        assert not old.exists()
        assert recent.exists()  # perhaps another process's build, still going
        leftovers = {p.name for p in index.path.parent.glob(f"{index.path.name}.build-*")}
        assert leftovers == {recent.name}  # this build's own are gone too


def test_article_text_keeps_the_standfirst_and_drops_the_byline_after_it() -> None:
    body = (
        "# Title\n\n*A standfirst under the title.*\n\nBy Jane Doe\n\n14 September 2021\n\n"
        "The text.\n\n---\n\nSource: <https://example.org/a>\n"
    )
    meta = {"published": "2021-09-14"}
    assert search_mod.article_text(body, meta) == "*A standfirst under the title.*\n\nThe text."
