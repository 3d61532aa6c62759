"""Search in the languages an archive holds: other forms of a word by the article's language,
exact forms and phrases, scripts written without spaces (real corpus pages and hand-made
ones), snippets that mark what matched, and what happens to an index of the previous version
and to files that change."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from newsarchive.pipeline import archive_target
from newsarchive.search import SearchIndex, split_marks
from newsarchive.search import index as search_index
from newsarchive.search.model import Filters
from newsarchive.search.text import fold, pieces, stems_of
from newsarchive.store import Archive
from samples import age, make_article, save, titles

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"


def marked(snippet: str) -> list[str]:
    text, spans = split_marks(snippet)
    return [text[start:end] for start, end in spans]


# One form typed, another in the text: the same word in six languages, real inflections.
INFLECTED = [
    ("en", "negotiation", "The negotiations resumed on Monday.", "negotiations"),
    ("de", "Verhandlung", "Die Verhandlungen wurden am Montag fortgesetzt.", "Verhandlungen"),
    ("fr", "négociation", "Les négociations ont repris lundi.", "négociations"),
    ("es", "negociación", "Las negociaciones se reanudaron el lunes.", "negociaciones"),
    ("ru", "переговоры", "Возобновление переговоров назначено на понедельник.", "переговоров"),
    ("pl", "negocjacje", "Wznowienie negocjacji zaplanowano na poniedziałek.", "negocjacji"),
    ("pl", "wladza", "Nowe władze miasta zebrały się w ratuszu.", "władze"),
]


@pytest.mark.parametrize(("language", "query", "text", "form"), INFLECTED)
def test_a_word_finds_its_other_forms_in_the_articles_language(
    store: Archive, language: str, query: str, text: str, form: str
) -> None:
    save(store, make_article("Talks", text, language=language, url="https://x.example/a"))
    save(store, make_article("Weather", "Sunny all week.\n", url="https://x.example/b"))
    with SearchIndex(store) as index:
        index.refresh()
        (hit,) = index.search(query)
        assert hit.entry.title == "Talks"
        assert marked(hit.snippet) == [form]
        # Stemmed in the language asked for, too.
        assert titles(index.search(query, filters=Filters(lang=language))) == ["Talks"]
        # An exact form, quoted or with "=", finds only itself.
        assert index.search(f"={query}") == []
        assert index.search(f'"{query}"') == []
        assert titles(index.search(f"={form}")) == ["Talks"]


def test_words_are_stemmed_in_the_language_of_each_article(store: Archive) -> None:
    # English "houses" is "house" and German "Häuser" is "Haus": each by its own stemmer.
    save(store, make_article("Häuser", "Die Häuser am Fluss.\n", language="de"))
    save(store, make_article("Houses", "The houses by the river.\n", language="en"))
    save(store, make_article("Unknown", "Häuser and houses, no language.\n", language=None))
    with SearchIndex(store) as index:
        index.refresh()
        assert titles(index.search("haus")) == ["Häuser"]
        assert titles(index.search("house")) == ["Houses"]
        # A query is stemmed in every language of the archive, or in the one asked for.
        assert set(titles(index.search("hauses"))) == {"Häuser"}
        assert titles(index.search("house", filters=Filters(lang="de"))) == []
        # An article without a language is found by the forms it holds.
        assert set(titles(index.search("houses"))) == {"Houses", "Unknown"}


def test_exact_form_ranks_above_other_forms_and_title_above_body(store: Archive) -> None:
    save(store, make_article("Budget", "New negotiation rounds.\n", url="https://x.example/1"))
    save(store, make_article("Budget", "The negotiations went on.\n", url="https://x.example/2"))
    save(store, make_article("Negotiations", "Nothing here.\n", url="https://x.example/3"))
    for n in range(4):  # words in every article count for little
        save(store, make_article("Other", f"Filler {n}.\n", url=f"https://x.example/f{n}"))
    with SearchIndex(store) as index:
        index.refresh()
        hits = index.search("negotiations")
        assert [hit.entry.url for hit in hits] == [
            "https://x.example/3",  # in the title
            "https://x.example/2",  # the very form typed
            "https://x.example/1",  # another form
        ]
        urls = [hit.entry.url for hit in index.search("negotiation")]
        # The very form typed first, in the body as in the title.
        assert urls.index("https://x.example/1") < urls.index("https://x.example/2")


def test_phrases_match_words_side_by_side_only(store: Archive) -> None:
    save(store, make_article("A", "The prime minister spoke.\n", url="https://x.example/1"))
    save(
        store,
        make_article("B", "A prime example; the minister left.\n", url="https://x.example/2"),
    )
    save(store, make_article("C", "The prime ministers met.\n", url="https://x.example/3"))
    with SearchIndex(store) as index:
        index.refresh()
        (hit,) = index.search('"prime minister"')
        assert hit.entry.title == "A"
        assert marked(hit.snippet) == ["prime minister"]
        assert set(titles(index.search("prime minister"))) == {"A", "B", "C"}
        assert titles(index.search('"prime minister"*')) == ["A", "C"]
        assert set(titles(index.search('prime NOT "prime minister"'))) == {"B", "C"}
        assert set(titles(index.search('"prime minister" OR "minister left"'))) == {"A", "B"}
        assert index.search('"minister prime"') == []
        assert titles(index.search('"prime minister"', limit=1)) == ["A"]
        # The title is a text of its own: a phrase does not run from it into the body.
        assert index.search('"a prime"', field="title") == []


# -- scripts written without spaces ---------------------------------------------------------------


def test_chinese_japanese_korean_and_thai_words_are_found(store: Archive) -> None:
    texts = [
        ("zh", "北京报道", "新冠肺炎疫情期间，武汉市民在家中隔离。"),
        ("ja", "東京の記事", "子どもへの虐待をなくすための法律ができました。"),
        ("ko", "서울 기사", "서울에서 열린 회의에 대통령이 참석했다."),
        ("th", "ข่าวไทย", "ผู้สื่อข่าวได้รับแจ้งจากนายสุรชัยว่าผลการตรวจยืนยันแล้ว"),
    ]
    for n, (language, title, text) in enumerate(texts):
        save(store, make_article(title, text, language=language, url=f"https://x.example/{n}"))
    with SearchIndex(store) as index:
        index.refresh()
        for query, title, form in [
            ("疫情", "北京报道", "疫情"),
            ("新冠肺炎", "北京报道", "新冠肺炎"),
            ("武汉 隔离", "北京报道", "武汉"),
            ("虐待", "東京の記事", "虐待"),
            ("法律", "東京の記事", "法律"),
            ("서울", "서울 기사", "서울"),  # with its particle: 서울에서
            ("대통령", "서울 기사", "대통령"),
            ("สุรชัย", "ข่าวไทย", "สุรชัย"),
        ]:
            (hit,) = index.search(query)
            assert hit.entry.title == title, query
            assert form in marked(hit.snippet), query
        # One character finds the words that hold it; a run must be whole.
        assert titles(index.search("虐")) == ["東京の記事"]
        assert index.search("虐法") == []
        assert index.search("肺炎武汉") == []


def archived_corpus_page(store: Archive, name: str, url: str | None = None) -> None:
    page = CORPUS / "pages" / f"{name}.html.gz"
    if not page.is_file():
        pytest.skip("the shared page corpus is absent (../shared/corpus)")
    archive_target(str(page), store, source_url=url)


@pytest.mark.slow
def test_a_japanese_page_from_the_corpus(store: Archive) -> None:
    archived_corpus_page(store, "tf-nhk.or.jp.k100")
    with SearchIndex(store) as index:
        index.refresh()
        (hit,) = index.search("虐待")
        assert "虐待" in marked(hit.snippet)
        assert index.search("体罰") and index.search('"法律"')


@pytest.mark.slow
def test_a_chinese_page_from_the_corpus(store: Archive) -> None:
    archived_corpus_page(
        store, "tf-xinhuanet.com.c_1125597921", "http://www.xinhuanet.com/c_1125597921.htm"
    )
    with SearchIndex(store) as index:
        index.refresh()
        for query in ("武汉", "疫情", "新冠肺炎", "英雄"):
            (hit,) = index.search(query)
            assert query in marked(hit.snippet), query
        assert index.search("新冠肺炎", field="title") == []


def test_the_analysis_of_words() -> None:
    assert fold("Bündnis") == "bundnis"
    assert fold("ＡＢＣ１") == "abc1"
    assert fold("Straße") == "strasse"
    assert fold("Ёлка") == "елка"
    assert fold("Władza") == "wladza"
    assert fold("Ἀθῆναι") == "αθηναι"
    assert fold("서울") == "서울"  # Hangul is not taken apart
    assert [p.exact for p in pieces("児童虐待")] == ["児童", "童虐", "虐待", "待"]
    assert [p.exact for p in pieces("iPhoneの商標")] == ["iphone", "の商", "商標", "標"]
    assert [p.exact for p in pieces("foo_bar")] == ["foo", "bar"]
    assert stems_of("переговоров", ["russian"]) == {"переговор"}
    assert stems_of("talk", ["english"]) == set()  # its own stem


# -- the index's life -----------------------------------------------------------------------------

# The schema of the previous version (3): a full-text table holding a copy of the text.
_PREVIOUS_SCHEMA = [
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER)",
    "CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, dir TEXT NOT NULL,"
    " mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, kind INTEGER NOT NULL, error TEXT,"
    " title TEXT, authors TEXT, published TEXT, pubdate TEXT, fetched TEXT, site TEXT,"
    " hostname TEXT, url TEXT, language TEXT, tags TEXT, site_key TEXT, authors_key TEXT,"
    " tags_key TEXT, lang_key TEXT, body_offset INTEGER, meta TEXT, url_keys TEXT)",
    "CREATE VIRTUAL TABLE fts0 USING fts5(title, description, authors, tags, body,"
    " tokenize = 'unicode61 remove_diacritics 2')",
]


def test_an_index_of_the_previous_version_is_built_again(store: Archive) -> None:
    path = save(store, make_article("Talks", "The negotiations resumed.\n"))
    with SearchIndex(store) as index:
        target = index.path
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(target)) as conn:
        for statement in _PREVIOUS_SCHEMA:
            conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('schema', '3'), ('root', ?), ('shards', '1')",
                     (str(store.root),))  # fmt: skip
        stat = path.stat()
        conn.execute(
            "INSERT INTO files (id, path, dir, mtime_ns, size, kind, title) VALUES"
            " (1, ?, ?, ?, ?, 0, 'Talks')",
            (path.relative_to(store.root).as_posix(), "", stat.st_mtime_ns, stat.st_size),
        )
        conn.execute(
            "INSERT INTO fts0 (rowid, title, body) VALUES (1, 'Talks', 'negotiations resumed')"
        )
        conn.commit()
    with SearchIndex(store) as index:
        assert index.refresh().added == 1
        assert titles(index.search("negotiation")) == ["Talks"]
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone() != ("3",)
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'fts0'").fetchone()
        assert "content = ''" in sql
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'fts0_content'")\
            .fetchone() == (0,)  # fmt: skip


def test_changed_files_leave_dead_rows_until_the_index_is_built_again(
    store: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [
        save(store, make_article(f"Story {n}", f"Zebra number {n}.\n", url=f"https://x/{n}"))
        for n in range(8)
    ]
    age(store.root)
    with SearchIndex(store) as index:
        index.refresh()
        for path in paths[:3]:
            path.write_text(path.read_text(encoding="utf-8").replace("Zebra", "Okapi"))
        os.remove(paths[3])
        assert index.refresh(full=True).changed == 4
        assert dead_rows(index) == 4
        assert len(index.search("zebra", limit=None)) == 4
        assert len(index.search("okapi", limit=None)) == 3
        assert len(index.search("zebra", limit=2)) == 2
        # Past a quarter of the live rows (and the minimum), the index is built again.
        monkeypatch.setattr(search_index, "COMPACT_MIN", 0)
        paths[4].write_text(paths[4].read_text(encoding="utf-8").replace("Zebra", "Okapi"))
        index.refresh(full=True)
        assert dead_rows(index) == 0
        assert len(index.search("zebra", limit=None)) == 3
        assert len(index.search("okapi", limit=None)) == 4


def dead_rows(index: SearchIndex) -> int:
    with closing(sqlite3.connect(index.path)) as conn:
        return int(conn.execute("SELECT count(*) FROM dead").fetchone()[0])


def test_the_index_holds_no_copy_of_the_text(store: Archive) -> None:
    save(store, make_article("Talks", "Quite a distinctive sentence about okapis.\n"))
    with SearchIndex(store) as index:
        index.refresh()
        data = index.path.read_bytes()
        for suffix in ("-wal",):
            wal = Path(f"{index.path}{suffix}")
            if wal.exists():
                data += wal.read_bytes()
    assert b"distinctive sentence" not in data
    assert b"okapis" in data  # the word itself, in the full-text index
