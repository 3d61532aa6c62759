"""The archive on disk: paths, slugs, atomic unique writes, and the derived URL index."""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsarchive import store
from newsarchive.errors import StoreError, TemplateError
from newsarchive.frontmatter import article_meta, dumps, loads
from newsarchive.models import Article
from newsarchive.naming import DEFAULT_TEMPLATE, slugify_title, validate_template
from newsarchive.store import Archive

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"
FETCHED = datetime(2026, 11, 23, 9, 31, 16, tzinfo=UTC)
MT_URL = "https://www.themoscowtimes.com/2021/09/14/mali-junta-talks-a75044"
MT_SLUG = "mali-junta-in-talks-for-russian-mercenaries"


def make_article(**fields: Any) -> Article:
    values: dict[str, Any] = {
        "url": MT_URL,
        "title": "Mali Junta in Talks for Russian Mercenaries",
        "body": "Body.",
        "fetched": FETCHED,
        "published": "2021-09-14T10:00:00+03:00",
        "site": "The Moscow Times",
        "hostname": "www.themoscowtimes.com",
        "language": "en",
    }
    values.update(fields)
    return Article(**values)


def file_text(article: Article, body: str = "Body.\n") -> str:
    return dumps(article_meta(article, body), body)


def save(archive: Archive, article: Article, body: str = "Body.\n", **kwargs: Any) -> Any:
    kwargs.setdefault("keys", [article.url])
    return archive.save(article, file_text(article, body), **kwargs)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def archive(root: Path, cache: Path) -> Any:
    with Archive(root, cache_dir=cache) as opened:
        yield opened


def md_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md"))


# -- paths and templates ---------------------------------------------------------------------


def test_default_layout_uses_the_published_date(archive: Archive) -> None:
    assert archive.template == DEFAULT_TEMPLATE
    validate_template(DEFAULT_TEMPLATE)
    assert archive.path_for(make_article()) == Path(
        "2021/09/2021-09-14-mali-junta-in-talks-for-russian-mercenaries.md"
    )


def test_published_date_keeps_the_pages_offset(archive: Archive) -> None:
    article = make_article(published="2021-09-15T00:30:00+03:00")  # 21:30 UTC on the 14th
    assert archive.path_for(article).name.startswith("2021-09-15-")


def test_default_layout_falls_back_to_the_fetch_date(archive: Archive) -> None:
    for published in (None, "", "sometime last week"):
        path = archive.path_for(make_article(published=published, title="No date"))
        assert path == Path("2026/11/2026-11-23-no-date.md")


def test_path_for_is_pure(archive: Archive, root: Path, cache: Path) -> None:
    archive.path_for(make_article())
    assert not root.exists() and not cache.exists()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{date:%Y}/{site}/{slug}.md", f"2021/the-moscow-times/{MT_SLUG}.md"),
        ("{hostname}/{lang}/{fetched:%Y%m%d}-{slug}.md",
         f"themoscowtimes.com/en/20261123-{MT_SLUG}.md"),
        ("{published:%Y-%m}/{id}.md", "2021-09/{id}.md"),
        # A field never adds a directory level, nor a character Windows refuses.
        ("{date:%Y/%m}/{date:%H:%M}.md", "2021-09/10-00.md"),
        ("notes/{slug:.10}.md", "notes/mali-junta.md"),
    ],
)  # fmt: skip
def test_templates(root: Path, cache: Path, template: str, expected: str) -> None:
    validate_template(template)
    archive = Archive(root, template=template, cache_dir=cache)
    url_id = hashlib.sha256(MT_URL.encode()).hexdigest()[:8]  # the URL is already normal
    assert archive.path_for(make_article()) == Path(expected.replace("{id}", url_id))


def test_field_values_never_hold_a_separator(root: Path, cache: Path) -> None:
    archive = Archive(root, template="{site}/{hostname}/{lang}/{slug}.md", cache_dir=cache)
    article = make_article(
        site="AC/DC \\ News", hostname="evil/../host", language="../..", title="../../etc/passwd"
    )
    path = archive.path_for(article)
    assert path == Path("ac-dc-news/evil-..-host/und/etc-passwd.md")
    assert ".." not in path.parts


def test_id_is_the_same_for_url_variants(root: Path, cache: Path) -> None:
    archive = Archive(root, template="{id}.md", cache_dir=cache)
    first = archive.path_for(make_article(url=MT_URL))
    assert archive.path_for(make_article(url=MT_URL + "/?utm_source=x#c")) == first
    assert archive.path_for(make_article(url=MT_URL.replace("https:", "HTTPS:"))) == first
    assert archive.path_for(make_article(url=MT_URL + "-2")) != first


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{title}.md", "unknown field {title} (known: date, published, fetched, slug, site,"),
        ("{date.year}/{slug}.md", "unknown field {date.year}"),
        ("{}.md", "unknown field {}"),
        ("../{slug}.md", "'..' is not allowed"),
        ("{date:%Y}/../../{slug}.md", "'..' is not allowed"),
        ("/tmp/{slug}.md", "the path must be relative to the archive, not absolute"),
        ("{slug}.txt", "the file name must end with '.md'"),
        ("{date:%Y}/{slug}", "the file name must end with '.md'"),
        ("{date:%Y}/", "empty or '.' path component"),
        ("a//{slug}.md", "empty or '.' path component"),
        (".hidden/{slug}.md", "a name may not start with '.' ('.hidden')"),
        ("{slug:d}.md", "bad format {slug:d} (Unknown format code 'd' for object of type 'str')"),
        ("{date:%Q}/{slug}.md", "unknown strftime directive in {date:%Q}"),
        ("{slug!r}.md", "conversions such as !r are not supported"),
        ("{date:{slug}}.md", "nested fields are not supported"),
        ("{slug.md", "expected '}' before end of string"),
        ("C:\\{slug}.md", "':' is not allowed in file names"),
        ("a\\{slug}.md", "'\\\\' is not allowed in file names (use '/' between directories)"),
    ],
)  # fmt: skip
def test_template_errors(root: Path, template: str, reason: str) -> None:
    with pytest.raises(TemplateError) as info:
        validate_template(template)
    assert str(info.value).startswith(f"template {template!r}: {reason}")
    assert "\n" not in str(info.value)
    with pytest.raises(TemplateError):
        Archive(root, template=template)
    assert not root.exists()


# -- slugs -----------------------------------------------------------------------------------

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*-?")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Mali Junta in Talks: “French Sources”", "mali-junta-in-talks-french-sources"),
        ("Путин встретился с Си", "putin-vstretilsia-s-si"),
        ("Ärger über Straße", "arger-uber-strasse"),
        ("😀🎉", "untitled"),
        ("", "untitled"),
        ("   ...   ", "untitled"),
        ("CON", "con-"),
        ("lpt9", "lpt9-"),
        ("Con Air", "con-air"),
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\Windows\\System32", "c-windows-system32"),
        ("file.name.", "file-name"),
    ],
)
def test_slugify_title(title: str, slug: str) -> None:
    assert slugify_title(title) == slug


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    title = " ".join(f"word{i}" for i in range(60))  # ~400 characters
    slug = slugify_title(title)
    assert len(slug) <= 80 and SLUG.fullmatch(slug)
    assert title.replace(" ", "-").startswith(slug + "-")  # whole words only
    assert len(slugify_title("x" * 200)) == 80
    assert len(slugify_title(title, max_length=20)) <= 20


def test_corpus_titles_give_safe_slugs() -> None:
    truth = CORPUS / "truth.jsonl"
    if not truth.exists():
        pytest.skip("shared corpus absent (../shared/corpus)")
    titles = [json.loads(line)["title"] for line in truth.read_text(encoding="utf-8").splitlines()]
    titles = [title for title in titles if title]
    assert len(titles) > 800
    for title in titles:
        slug = slugify_title(title)
        assert len(slug) <= 80 and SLUG.fullmatch(slug), (title, slug)
        if any(char.isalpha() for char in title):
            # Any script is transliterated to something readable, not dropped.
            assert slug != "untitled", title


# -- saving ----------------------------------------------------------------------------------


def test_save_writes_the_file_and_creates_the_root(archive: Archive, root: Path) -> None:
    assert archive.lookup(MT_URL) is None
    assert not root.exists()  # reading an archive never creates it
    article = make_article()
    text = file_text(article)
    result = archive.save(article, text, keys=[MT_URL])
    assert result.path == root / archive.path_for(article)
    assert (result.created, result.replaced) == (True, False)
    assert result.path.read_text(encoding="utf-8") == text
    assert md_files(root) == [archive.path_for(article).as_posix()]


def test_only_articles_are_written_inside_the_root(
    archive: Archive, root: Path, cache: Path
) -> None:
    for i in range(3):
        save(archive, make_article(url=f"{MT_URL}-{i}", title=f"Story {i}"))
    everything = [p for p in root.rglob("*") if p.is_file()]
    assert sorted(p.relative_to(root).as_posix() for p in everything) == md_files(root)
    assert archive.index_path.is_relative_to(cache / "archives")
    assert archive.index_path.name == "index.sqlite" and archive.index_path.is_file()


def test_same_url_twice_is_not_duplicated(archive: Archive, root: Path) -> None:
    first = save(archive, make_article())
    again = save(archive, make_article(title="A different headline now"), keys=[MT_URL + "/"])
    assert (again.path, again.created, again.replaced) == (first.path, False, False)
    assert len(md_files(root)) == 1


def test_a_name_taken_by_another_article_gets_a_suffix(archive: Archive, root: Path) -> None:
    paths = [save(archive, make_article(url=f"{MT_URL}?id={i}")).path for i in range(3)]
    stem = "2021/09/2021-09-14-mali-junta-in-talks-for-russian-mercenaries"
    assert md_files(root) == [f"{stem}-2.md", f"{stem}-3.md", f"{stem}.md"]
    assert [p.relative_to(root).as_posix() for p in paths] == [
        f"{stem}.md",
        f"{stem}-2.md",
        f"{stem}-3.md",
    ]
    assert archive.lookup(f"{MT_URL}?id=2") == paths[2]


def test_force_replaces_the_archived_file_in_place(archive: Archive, root: Path) -> None:
    first = save(archive, make_article(), body="Old.\n", keys=[MT_URL, "https://t.example/1"])
    newer = make_article(title="Updated headline", final_url=MT_URL + "?page=1")
    result = save(archive, newer, body="New.\n", keys=[MT_URL], force=True)
    assert (result.path, result.created, result.replaced) == (first.path, True, True)
    assert loads(result.path.read_text(encoding="utf-8"))[1] == "New.\n"
    assert md_files(root) == [first.path.relative_to(root).as_posix()]
    # The keys now follow the new content.
    assert archive.lookup(MT_URL + "?page=1") == first.path
    assert archive.lookup("https://t.example/1") is None


def test_an_unindexed_copy_of_the_same_article_is_recognised(archive: Archive, root: Path) -> None:
    article = make_article()
    assert archive.lookup(MT_URL) is None  # opens and scans the index before the file exists
    path = root / archive.path_for(article)
    path.parent.mkdir(parents=True)
    path.write_text(file_text(article), encoding="utf-8")
    result = save(archive, article)  # not in the index, but the clash shows the same article
    assert (result.path, result.created) == (path, False)
    assert md_files(root) == [archive.path_for(article).as_posix()]


def test_a_name_taken_by_an_indexed_article_is_passed_over_without_reading_it(
    archive: Archive, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = save(archive, make_article(url=f"{MT_URL}?id=1")).path
    read: list[Path] = []
    real_read = store._read_article
    monkeypatch.setattr(store, "_read_article", lambda path: read.append(path) or real_read(path))
    second = save(archive, make_article(url=f"{MT_URL}?id=2")).path
    assert second.name.endswith("-2.md") and first not in read  # the index knew its URLs


def test_an_indexed_file_changed_by_hand_is_read_again_when_its_name_is_wanted(
    archive: Archive, root: Path
) -> None:
    first = save(archive, make_article(url=f"{MT_URL}?id=1")).path
    # Someone points the file at another URL by hand; the index has not seen it yet.
    edited = first.read_text(encoding="utf-8").replace(f"{MT_URL}?id=1", f"{MT_URL}?id=2")
    first.write_text(edited + "\nA note.\n", encoding="utf-8")
    result = save(archive, make_article(url=f"{MT_URL}?id=2"))
    assert (result.path, result.created) == (first, False)
    assert md_files(root) == [first.relative_to(root).as_posix()]


def test_the_next_namesake_is_named_without_trying_each_name_before(
    archive: Archive, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(12):  # copies of one article under other URLs: one title, one date
        save(archive, make_article(url=f"{MT_URL}?id={i}"))
    tried: list[Path] = []
    real_link = store._link_new
    monkeypatch.setattr(
        store, "_link_new", lambda tmp, final: tried.append(final) or real_link(tmp, final)
    )
    result = save(archive, make_article(url=f"{MT_URL}?id=12"))
    stem = "2021/09/2021-09-14-mali-junta-in-talks-for-russian-mercenaries"
    assert result.path == root / f"{stem}-13.md"
    assert tried == [root / f"{stem}.md", result.path]  # the first name, then the free one


def test_the_namesakes_are_read_from_the_index_in_one_query(archive: Archive) -> None:
    for i in range(12):  # copies of one article under other URLs: one title, one date
        save(archive, make_article(url=f"{MT_URL}?id={i}"))
    statements: list[str] = []
    archive._connect().set_trace_callback(statements.append)
    result = save(archive, make_article(url=f"{MT_URL}?id=12"))
    assert result.created and result.path.name.endswith("-13.md")
    assert len([each for each in statements if "FROM files" in each]) == 1


def test_a_namesake_changed_by_hand_is_read_again_among_the_others(
    archive: Archive, root: Path
) -> None:
    paths = [save(archive, make_article(url=f"{MT_URL}?id={i}")).path for i in range(5)]
    # The third copy is pointed at another URL by hand; the index has not seen it yet.
    edited = paths[2].read_text(encoding="utf-8").replace(f"{MT_URL}?id=2", f"{MT_URL}?id=9")
    paths[2].write_text(edited + "\nA note.\n", encoding="utf-8")
    result = save(archive, make_article(url=f"{MT_URL}?id=9"))
    assert (result.path, result.created) == (paths[2], False)
    assert len(md_files(root)) == 5
    other = save(archive, make_article(url=f"{MT_URL}?id=10"))
    assert other.created and other.path.name.endswith("-6.md")


# -- atomic writes ---------------------------------------------------------------------------

CRASH = """
import os, sys
from pathlib import Path
from newsarchive.store import Archive
from samples import make_article, save
os.link = lambda *args, **kwargs: os._exit(3)   # the process dies between write and link
archive = Archive(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
save(archive, make_article("Crash", "Body.", url=sys.argv[3]))
"""


def test_a_crash_before_the_rename_leaves_no_md(root: Path, cache: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    proc = subprocess.run(
        [sys.executable, "-c", CRASH, str(root), str(cache), MT_URL], env=env, capture_output=True
    )
    assert proc.returncode == 3, proc.stderr
    assert md_files(root) == []
    leftovers = [p for p in root.rglob("*") if p.is_file()]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".")
    assert leftovers[0].name.endswith(".tmp")
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup(MT_URL) is None
        assert list(archive.articles()) == []
        assert save(archive, make_article()).created
        assert len(md_files(root)) == 1


def test_an_error_during_the_rename_cleans_up(
    archive: Archive, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "link", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save(archive, make_article())
    assert [p for p in root.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    assert archive.lookup(MT_URL) is None  # the key is recorded only after the write
    assert save(archive, make_article()).created


def test_without_hard_links_names_are_still_never_clobbered(
    archive: Archive, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", unsupported)
    first = save(archive, make_article(), body="First.\n")
    second = save(archive, make_article(url=MT_URL + "?id=2"), body="Second.\n")
    assert first.path != second.path and second.path.name.endswith("-2.md")
    assert loads(first.path.read_text(encoding="utf-8"))[1] == "First.\n"
    assert loads(second.path.read_text(encoding="utf-8"))[1] == "Second.\n"
    assert len([p for p in root.rglob("*") if p.is_file()]) == 2


def test_an_unwritable_archive_raises_store_error(archive: Archive, root: Path) -> None:
    root.parent.mkdir(exist_ok=True)
    root.write_text("a file where the archive directory should be")
    with pytest.raises(StoreError, match="cannot write"):
        save(archive, make_article())


# -- the index -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        MT_URL,
        MT_URL.replace("https://", "http://"),  # the site moved to https
        MT_URL.replace("www.themoscowtimes.com", "WWW.TheMoscowTimes.com:443") + "/",
        MT_URL + "?utm_source=twitter&fbclid=xyz#comments",
        "https://t.example/abc",  # the URL as given, before redirects
        MT_URL + "?amp=1",  # the final URL after redirects
    ],
)
def test_lookup_by_variants(archive: Archive, variant: str) -> None:
    article = make_article(source="https://t.example/abc", final_url=MT_URL + "?amp=1")
    saved = save(archive, article, keys=[]).path
    assert archive.lookup(variant) == saved
    assert archive.lookup("not a url", variant) == saved


def test_lookup_misses_other_articles(archive: Archive) -> None:
    save(archive, make_article())
    assert archive.lookup(MT_URL + "-other", MT_URL + "?id=1", "https://example.com/") is None
    assert archive.lookup() is None


def test_lookup_answers_with_the_first_url_that_leads_to_a_file(archive: Archive) -> None:
    first = save(archive, make_article(url=f"{MT_URL}?id=1")).path
    second = save(archive, make_article(url=f"{MT_URL}?id=2")).path
    assert archive.lookup(f"{MT_URL}?id=1", f"{MT_URL}?id=2") == first
    assert archive.lookup(f"{MT_URL}?id=2", f"{MT_URL}?id=1") == second
    first.unlink()  # by hand: its URL leads nowhere now, and the next one answers
    assert archive.lookup(f"{MT_URL}?id=1", f"{MT_URL}?id=2") == second
    assert archive.lookup(f"{MT_URL}?id=1") is None


def test_a_file_deleted_by_hand_is_no_longer_found(archive: Archive, root: Path) -> None:
    path = save(archive, make_article()).path
    path.unlink()
    assert archive.lookup(MT_URL) is None
    again = save(archive, make_article())
    assert again.created and again.path == path


def test_a_file_added_by_hand_is_found(root: Path, cache: Path) -> None:
    with Archive(root, cache_dir=cache) as archive:
        save(archive, make_article())
    hand = root / "imported" / "by-hand.md"
    hand.parent.mkdir()
    hand.write_text(file_text(make_article(url="https://example.org/hand")), encoding="utf-8")
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup("https://example.org/hand") == hand
        assert archive.lookup(MT_URL) is not None


def _age(directory: Path, seconds: int = 3600) -> None:
    stamp = directory.stat().st_mtime - seconds
    os.utime(directory, (stamp, stamp))


def test_changes_in_known_directories_are_noticed(root: Path, cache: Path) -> None:
    with Archive(root, cache_dir=cache) as archive:
        saved = save(archive, make_article()).path
    for directory in (root, root / "2021", saved.parent):
        _age(directory)  # old enough for the index to trust the recorded mtime
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup(MT_URL) == saved  # this open records the directories
    # By hand: a new file next to the saved one, and the saved one moved elsewhere.
    added = saved.parent / "added.md"
    added.write_text(file_text(make_article(url="https://example.org/added")), encoding="utf-8")
    moved = root / "moved.md"
    saved.rename(moved)
    for directory in (root, saved.parent):
        _age(directory, 60)  # changed: a different mtime from the one recorded
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup("https://example.org/added") == added
        assert archive.lookup(MT_URL) == moved


def test_a_corrupt_index_is_rebuilt(root: Path, cache: Path) -> None:
    with Archive(root, cache_dir=cache) as archive:
        saved = save(archive, make_article()).path
        index = archive.index_path
    index.write_bytes(b"this is not an SQLite database" * 100)
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup(MT_URL) == saved
        assert not save(archive, make_article()).created
    with sqlite3.connect(index) as db:  # a rebuilt, working database
        assert db.execute("SELECT count(*) FROM keys").fetchone() == (1,)
    db.close()


def test_a_missing_index_or_an_old_schema_is_rebuilt(root: Path, cache: Path) -> None:
    with Archive(root, cache_dir=cache) as archive:
        saved = save(archive, make_article()).path
        index = archive.index_path
    db = sqlite3.connect(index)
    db.execute("UPDATE meta SET value = 'old' WHERE name = 'schema'")
    db.commit()
    db.close()
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup(MT_URL) == saved
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup(MT_URL) == saved


def test_the_index_lives_in_the_cache_dir_from_the_environment(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_CACHE_DIR", str(tmp_path / "env-cache"))
    archive = Archive(root)
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    assert archive.index_path == tmp_path / "env-cache" / "archives" / digest / "index.sqlite"
    assert Archive(tmp_path / "other").index_path != archive.index_path


def test_rebuild_index(archive: Archive, root: Path) -> None:
    paths = [
        save(archive, make_article(url=f"{MT_URL}?n={i}", title=f"T{i}")).path for i in range(4)
    ]
    (root / "README.md").write_text("# My archive\n", encoding="utf-8")
    (root / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with sqlite3.connect(archive.index_path) as db:
        db.execute("DELETE FROM keys")
    db.close()
    assert archive.lookup(f"{MT_URL}?n=1") is None
    assert archive.rebuild_index() == 4
    assert [archive.lookup(f"{MT_URL}?n={i}") for i in range(4)] == paths


# -- reading the archive ---------------------------------------------------------------------


def test_articles_skips_other_files_and_reports_broken_ones(archive: Archive, root: Path) -> None:
    second = save(archive, make_article(url=MT_URL + "-b", published="2020-01-02")).path
    first = save(archive, make_article(url=MT_URL + "-a", published="2019-05-06")).path
    (root / "README.md").write_text("# About this archive\n", encoding="utf-8")
    (root / "hugo.md").write_text("---\ntitle: A Hugo page\n---\n\nText\n", encoding="utf-8")
    broken = root / "2020" / "broken.md"
    broken.write_text("---\ntitle: x\n", encoding="utf-8")
    latin1 = root / "latin1.md"
    latin1.write_bytes("caf\xe9".encode("latin-1"))
    (root / ".obsidian").mkdir()
    (root / ".obsidian" / "hidden.md").write_text(file_text(make_article()), encoding="utf-8")
    errors: list[tuple[Path, Exception]] = []
    found = list(archive.articles(on_error=lambda path, exc: errors.append((path, exc))))
    assert [path for path, _ in found] == [first, second]
    assert found[0][1]["url"] == MT_URL + "-a"
    assert [(path, type(exc)) for path, exc in errors] == [
        (broken, StoreError),
        (latin1, StoreError),
    ]
    assert str(errors[0][1]) == f"{broken}: broken front-matter: no closing '---' line"
    assert str(errors[1][1]) == f"{latin1}: not UTF-8 text"
    assert [path for path, _ in archive.articles()] == [first, second]  # no on_error: skipped


def test_articles_of_a_missing_archive_is_empty(archive: Archive, root: Path) -> None:
    assert list(archive.articles()) == []
    assert archive.rebuild_index() == 0
    assert not root.exists()


# -- concurrency -----------------------------------------------------------------------------


def _article_number(i: int, worker: int) -> Article:
    # Each process titles the same URL differently, so only the URL check made under the lock
    # can stop a duplicate; ten titles per process also make names clash.
    return make_article(url=f"https://example.com/story/{i}", title=f"Story {i % 10} v{worker}")


def _save_all(root: str, cache: str, worker: int, start: Any, results: Any) -> None:
    try:
        with Archive(root, cache_dir=Path(cache)) as archive:
            start.wait(timeout=60)
            results.put([save(archive, _article_number(i, worker)).created for i in range(20)])
    except BaseException as exc:  # reported to the test instead of a silent hang
        results.put(repr(exc))


def test_two_processes_saving_the_same_articles(root: Path, cache: Path) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=_save_all, args=(str(root), str(cache), n, start, results))
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    created = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    results.close()
    results.join_thread()
    assert all(isinstance(outcome, list) for outcome in created), created
    assert sum(map(sum, created)) == 20  # each article written by exactly one process
    assert len(md_files(root)) == 20
    with Archive(root, cache_dir=cache) as archive:
        paths = [archive.lookup(f"https://example.com/story/{i}") for i in range(20)]
        assert None not in paths and len(set(paths)) == 20
        urls = sorted(meta["url"] for _, meta in archive.articles())
        assert urls == sorted(f"https://example.com/story/{i}" for i in range(20))
        assert archive.rebuild_index() == 20
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_a_damaged_index_page_is_noticed_and_rebuilt(root: Path, cache: Path) -> None:
    with Archive(root, cache_dir=cache) as archive:
        saved = save(archive, make_article()).path
        index = archive.index_path
    # Keep pages 1-3 (the schema and the meta table, so it opens); garble every later page.
    data = bytearray(index.read_bytes())
    assert len(data) > 3 * 4096
    data[3 * 4096 :] = b"\xa5" * (len(data) - 3 * 4096)
    index.write_bytes(bytes(data))
    with Archive(root, cache_dir=cache) as archive:
        assert archive.lookup(MT_URL) == saved


def test_a_long_title_loses_words_from_the_end_only() -> None:
    title = "Storms batter the country with heavy rain and gales across this weekend - here's where"
    slug = slugify_title(title, max_length=60)
    assert slug == "storms-batter-the-country-with-heavy-rain-and-gales-across"
    # Exactly full: the last word ends at the limit.
    assert slugify_title("alpha beta gamma", max_length=10) == "alpha-beta"
    assert slugify_title("alpha beta gamma", max_length=9) == "alpha"
