"""grep over the archive's files: matching like grep, front-matter-aware scope and filters, and
a byte prefilter that must never hide a match."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive import grep as grep_mod
from newsarchive.errors import UsageError
from newsarchive.grep import (
    EXOTIC_CASES,
    FileMatches,
    GrepOptions,
    compile_pattern,
    grep,
    make_prefilter,
    required_strings,
)
from newsarchive.search import Filters, SearchIndex
from newsarchive.store import Archive
from newsarchive.walk import article_files
from samples import make_article, save, write_by_hand


def run(archive: Archive, pattern: str, **options: object) -> list[FileMatches]:
    problems: list[tuple[Path, str]] = []
    results = list(
        grep(
            archive,
            GrepOptions(pattern, **options),  # type: ignore[arg-type]
            on_error=lambda p, r: problems.append((p, r)),
        )
    )
    assert problems == []
    return results


def lines(results: list[FileMatches]) -> list[tuple[str, int, str]]:
    return [(r.path.name, line.number, line.text) for r in results for line in r.lines]


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "archive")
    save(
        archive,
        make_article(
            "Mali junta in talks for Russian mercenaries",
            "First paragraph about Mali.\n\nThe Wagner group is close to a deal.\n\n"
            "Wagnerian opera is unrelated.\n",
            url="https://example.org/mali",
            tags=("Mali",),
        ),
    )
    save(
        archive,
        make_article(
            "Das Bündnis",
            "Bündnis 90 stimmte zu.\n\nPräsident Путин sprach; ПУТИН auch.\n",
            url="https://example.de/buendnis",
            site="Der Spiegel",
            hostname="www.spiegel.de",
            language="de",
            published="2022-03-01",
        ),
    )
    return archive


def body_line(path: Path, text: str) -> int:
    """The 1-based line number of `text` in the file (tests compute it from the file)."""
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


def test_regex_match_reports_lines_and_spans(archive: Archive) -> None:
    (result,) = run(archive, r"Wagner\w*")
    path = result.path
    assert result.count == 2
    assert [(line.number, line.text, line.spans) for line in result.lines] == [
        (
            body_line(path, "The Wagner group is close to a deal."),
            "The Wagner group is close to a deal.",
            ((4, 10),),
        ),
        (
            body_line(path, "Wagnerian opera is unrelated."),
            "Wagnerian opera is unrelated.",
            ((0, 9),),
        ),
    ]
    assert result.title == "Mali junta in talks for Russian mercenaries"
    assert result.url == "https://example.org/mali"
    assert result.relpath == path.relative_to(archive.root).as_posix()


def test_word_and_ignore_case(archive: Archive) -> None:
    assert [line.text for r in run(archive, "wagner") for line in r.lines] == []
    words = run(archive, "wagner", ignore_case=True, word=True)
    assert [line.text for r in words for line in r.lines] == [
        "The Wagner group is close to a deal."
    ]
    cyrillic = run(archive, "путин", ignore_case=True)
    assert [line.spans for r in cyrillic for line in r.lines] == [((10, 15), (24, 29))]


def test_fixed_strings(archive: Archive) -> None:
    save(
        archive,
        make_article("C++ (and more)", "Learn C++ in 1.5 days.\n", url="https://example.org/cpp"),
    )
    assert run(archive, "1.5", fixed=True)[0].lines[0].spans == ((13, 16),)
    (result,) = run(archive, "C++ (and", fixed=True)
    assert result.lines[0].text == "title: C++ (and more)"
    with pytest.raises(UsageError, match="bad regular expression 'C\\+\\+ \\(and'"):
        run(archive, "C++ (and")


def test_scope_title_body_all(archive: Archive) -> None:
    def texts(**options: object) -> list[str]:
        return [line.text for r in run(archive, "Mali", **options) for line in r.lines]

    assert texts(field="title") == ["title: Mali junta in talks for Russian mercenaries"]
    assert texts(field="body") == ["First paragraph about Mali."]
    assert texts() == [
        "title: Mali junta in talks for Russian mercenaries",
        "- Mali",  # the tags list in the front-matter
        "- Mali",  # and page_tags, the record of the page's own tags
        "First paragraph about Mali.",
    ]
    # "title:" itself is not part of the title.
    assert run(archive, "title", field="title") == []


def test_context_lines(archive: Archive) -> None:
    (result,) = run(archive, "Wagner group", context=1)
    path = result.path
    n = body_line(path, "The Wagner group is close to a deal.")
    assert [(line.number, line.is_match) for line in result.lines] == [
        (n - 1, False),
        (n, True),
        (n + 1, False),
    ]


def test_filters(archive: Archive) -> None:
    assert [r.path.name for r in run(archive, "a", filters=Filters(lang="de"))] == [
        run(archive, "Bündnis")[0].path.name
    ]
    assert run(archive, "Wagner", filters=Filters(since="2022")) == []
    assert len(run(archive, "Wagner", filters=Filters(tag="MALI"))) == 1


def test_results_in_path_order(archive: Archive) -> None:
    results = run(archive, "title")
    assert [r.relpath for r in results] == sorted(r.relpath for r in results)
    assert len(results) == 2


def test_other_files_are_skipped(archive: Archive) -> None:
    (archive.root / "README.md").write_text("Wagner notes\n")
    (archive.root / ".hidden").mkdir()
    (archive.root / ".hidden" / "x.md").write_text("Wagner\n")
    (archive.root / "notes.txt").write_text("Wagner\n")
    assert len(run(archive, "Wagner")) == 1


def test_broken_files_are_reported_only_when_they_could_match(archive: Archive) -> None:
    broken = archive.root / "broken.md"
    broken.write_text("---\ntitle: [\narchiver: newsarchive\n---\n\nWagner\n")
    (archive.root / "latin1.md").write_bytes(b"caf\xe9 Wagner\n")
    problems: list[tuple[Path, str]] = []
    results = list(
        grep(archive, GrepOptions("Wagner"), on_error=lambda p, r: problems.append((p, r)))
    )
    assert len(results) == 1
    assert sorted(problems) == [
        (broken, problems[0][1]),
        (archive.root / "latin1.md", "not UTF-8 text"),
    ]
    assert problems[0][1].startswith("broken front-matter: invalid YAML")
    problems.clear()
    assert (
        list(grep(archive, GrepOptions("Zebra"), on_error=lambda p, r: problems.append((p, r))))
        == []
    )
    assert problems == []


def test_matches_do_not_hide_later_lines(tmp_path: Path) -> None:
    # A match may run across lines in the whole text; grep matches line by line.
    archive = Archive(tmp_path / "a")
    save(archive, make_article("T", "x first\nxz second\nplain\n"))
    (result,) = run(archive, "x[^y]*z", field="body")
    assert [line.text for line in result.lines] == ["xz second"]
    (anchored,) = run(archive, r"\Aplain\Z", field="body")
    assert [line.text for line in anchored.lines] == ["plain"]
    (start,) = run(archive, "^x", field="body")
    assert result.count == 1 and start.count == 2


def test_worker_processes_give_the_same_results(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(30):
        save(archive, make_article(f"Story {n}", f"Wagner {n}\n", url=f"https://x.example/{n}"))
    (archive.root / "broken.md").write_text("---\ntitle: [\n---\nWagner\n")
    serial = list(grep(archive, GrepOptions("Wagner"), workers=1, on_error=lambda p, r: None))
    monkeypatch.setattr(grep_mod, "_PARALLEL_MIN", 2)
    monkeypatch.setattr(grep_mod, "_CHUNK", 7)
    problems: list[Path] = []
    parallel = list(
        grep(archive, GrepOptions("Wagner"), workers=2, on_error=lambda p, r: problems.append(p))
    )
    assert parallel == serial
    assert len(parallel) == 31
    assert problems == [archive.root / "broken.md"]


@pytest.mark.parametrize("listed", [1, 2, 5, 1000])
def test_files_come_in_path_order_whoever_lists_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listed: int
) -> None:
    """Directories two levels down go whole to the worker processes once `listed` files are
    known; the results still come in path order."""
    archive = Archive(tmp_path / "tree")
    article = make_article("Story", "Needle.\n")
    for rel in (
        "z.md", "a.md", "2021/10/x.md", "2021/9/y.md", "2021/09/a/b/c.md", "2021/09/b.md",
        "2021/top.md", "2020/12/deep/er/still.md", ".hidden/h.md", "2021/.tmp/t.md", "m/n.md",
    ):  # fmt: skip
        write_by_hand(archive.root / rel, article)
    monkeypatch.setattr(grep_mod, "_PARALLEL_MIN", listed)
    monkeypatch.setattr(grep_mod, "_CHUNK", 3)
    monkeypatch.setattr(grep_mod, "_SUBTREE", 2)
    found = [m.relpath for m in grep(archive, GrepOptions("Needle"), workers=2)]
    assert found == list(article_files(archive.root))
    assert len(found) == 9


def test_article_files(tmp_path: Path) -> None:
    for rel in ("b/2.md", "a/10.md", "a/9.md", "z.md", "a/x.txt", ".git/c.md", "a/.tmp.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert list(article_files(tmp_path)) == ["a/10.md", "a/9.md", "b/2.md", "z.md"]


# -- the prefilter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        ("Wagner", 0, {"Wagner"}),
        ("Merkel|Putin", 0, {"Merkel", "Putin"}),
        ("M(?:erkel|ayer)", 0, {"Merkel", "Mayer"}),
        (r"\b[A-Z][a-z]+ (said|says)\b", 0, {" said", " says"}),
        ("[Ww]agner", 0, {"Wagner", "wagner"}),
        ("colou?r", 0, {"colo"}),
        (r"(?<!\w)(?:war)(?!\w)", 0, {"war"}),
        ("x(ab)+y", 0, {"ab"}),
        ("a.b", 0, None),
        (r"\d{4}-\d\d", 0, None),
        ("Wagner|.", 0, None),
        ("", 0, None),
    ],
)
def test_required_strings(pattern: str, flags: int, expected: set[str] | None) -> None:
    found = required_strings(re.compile(pattern, flags))
    assert (set(found) if found is not None else None) == expected


def test_exotic_cases_table_matches_re() -> None:
    """Every non-ASCII character that re.IGNORECASE matches to an ASCII letter is listed."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    found: dict[str, str] = {}
    for code in range(0x80, 0x110000):
        char = chr(code)
        if letter.fullmatch(char):
            (ascii_letter,) = [
                c for c in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(c, char, re.I)
            ]
            found[ascii_letter] = found.get(ascii_letter, "") + char
    assert found == EXOTIC_CASES


PATTERNS = [
    "[Pp]rime [Mm]inister",
    "(?:Angela|Frau) Merkel",
    "Wagner",
    "wagner",
    "Merkel|Putin",
    r"\bsaid\b",
    "путин",
    "Zürich",
    "strasse",
    "KIlo",
    "colou?r",
    r"(?:ab|cd)+ef",
    "[Ww]agner",
]
ALPHABET = "WagnerMkPutisdSZürchkKlo cbdfe-\nпутинПУТИНıİſKßAFPpmM"


@settings(max_examples=400, deadline=None)
@given(
    pattern=st.sampled_from(PATTERNS),
    ignore_case=st.booleans(),
    text=st.text(alphabet=ALPHABET, max_size=40),
)
def test_prefilter_never_hides_a_match(pattern: str, ignore_case: bool, text: str) -> None:
    compiled = compile_pattern(GrepOptions(pattern, ignore_case=ignore_case))
    prefilter = make_prefilter(compiled)
    if compiled.search(text) and prefilter is not None:
        assert prefilter(text.encode("utf-8"))


def test_prefilter_looks_only_at_the_bytes_read() -> None:
    """Worker processes read each file into one buffer; what is left after the end, from a
    longer file read before, must not count."""
    for pattern, text in (("Merkel", "Mer"), ("[Pp]rime [Mm]inister", "the Prime Minist")):
        prefilter = make_prefilter(compile_pattern(GrepOptions(pattern)))
        assert prefilter is not None
        buffer = bytearray(text.encode() + b"er Merkel and the Prime Minister")
        assert prefilter(buffer)  # the stale tail holds a match...
        assert not prefilter(buffer, len(text))  # ...that is not in this file


def test_files_bigger_than_the_buffer_are_searched_whole(archive: Archive) -> None:
    big = write_by_hand(
        archive.root / "big.md", make_article("Big", "filler " * 20_000 + "Needle at the end.\n")
    )
    assert big.stat().st_size > grep_mod._SCREEN_BYTES
    small = write_by_hand(archive.root / "small.md", make_article("Small", "Needle.\n"))
    write_by_hand(archive.root / "other.md", make_article("Other", "Nothing.\n"))
    found = list(grep(archive, GrepOptions("Needle")))
    assert [(m.path, m.lines[-1].number) for m in found] == [
        (big, len(big.read_text().splitlines())),
        (small, len(small.read_text().splitlines())),
    ]


def test_unreadable_files_are_reported(archive: Archive) -> None:
    locked = write_by_hand(archive.root / "locked.md", make_article("Locked", "Needle.\n"))
    write_by_hand(archive.root / "other.md", make_article("Other", "Nothing.\n"))
    locked.chmod(0)
    problems: list[tuple[Path, str]] = []
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user who may read any file")
        found = list(grep(archive, GrepOptions("Needle"), on_error=lambda *p: problems.append(p)))
    finally:
        locked.chmod(0o644)
    assert found == []
    assert problems == [(locked, "cannot read: Permission denied")]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("wagner", "WAGNER"),
        ("kilo", "\u212aILO"),  # KELVIN SIGN
        ("pinar", "P\u0131nar"),  # dotless i
        ("strasse", "\u017ftrasse"),  # long s
        ("путин", "ПУТИН"),
        ("zürich", "ZÜRICH"),
    ],
)
def test_prefilter_keeps_case_variants(pattern: str, text: str) -> None:
    compiled = compile_pattern(GrepOptions(pattern, ignore_case=True))
    assert compiled.search(text)
    prefilter = make_prefilter(compiled)
    assert prefilter is not None and prefilter(text.encode("utf-8"))
    assert not prefilter(b"nothing to see here")


# -- front-matter from the search index ---------------------------------------------------------


def test_front_matter_of_unchanged_files_comes_from_the_index(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SearchIndex(archive) as index:
        index.refresh()
    parsed: list[str] = []
    real_loads = grep_mod.loads  # type: ignore[attr-defined]  # the name grep.py looks up

    def counting_loads(text: str) -> tuple[dict[str, object], str]:
        parsed.append(text)
        return real_loads(text)

    monkeypatch.setattr(grep_mod, "loads", counting_loads)
    (mali,) = run(archive, "Wagner group", filters=Filters(tag="mali"))
    assert mali.title == "Mali junta in talks for Russian mercenaries"
    assert mali.url == "https://example.org/mali"
    assert parsed == []  # known to the index: nothing parsed
    assert run(archive, "Wagner group", filters=Filters(tag="russia")) == []
    # Edited since it was indexed: its own front-matter counts, not the index's.
    text = mali.path.read_text(encoding="utf-8")
    mali.path.write_text(text.replace("- Mali", "- Russia"), encoding="utf-8")
    (edited,) = run(archive, "Wagner group", filters=Filters(tag="russia"))
    assert edited.path == mali.path
    assert len(parsed) == 1
    assert run(archive, "Wagner group", filters=Filters(tag="mali")) == []


def test_broken_and_foreign_files_known_to_the_index(archive: Archive) -> None:
    broken = archive.root / "broken.md"
    broken.write_text("---\ntitle: [\narchiver: newsarchive\n---\n\nWagner\n")
    (archive.root / "notes.md").write_text("---\ntitle: my notes\n---\nWagner\n")
    with SearchIndex(archive) as index:
        problems = index.refresh().problems
    assert [p.path for p in problems] == [broken]
    found: list[tuple[Path, str]] = []
    results = list(grep(archive, GrepOptions("Wagner"), on_error=lambda p, r: found.append((p, r))))
    assert [r.path.name for r in results] == [run(archive, "Wagnerian")[0].path.name]
    assert found == [(broken, problems[0].error)]


def test_a_damaged_index_only_means_parsing(archive: Archive) -> None:
    with SearchIndex(archive) as index:
        index.refresh()
        path = index.path
    expected = run(archive, "Wagner")
    path.write_bytes(b"not a database" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert run(archive, "Wagner") == expected


# -- ripgrep as the scanner -----------------------------------------------------------------------

from newsarchive import ripgrep  # noqa: E402


def python_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """grep as it runs where no rg binary came with the package."""
    monkeypatch.setattr(ripgrep, "binary", lambda: None)


@pytest.fixture
def varied(archive: Archive) -> Archive:
    """Texts that tell regex dialects apart: case variants, CRLF lines, marks, symbols."""
    save(
        archive,
        make_article(
            "İstanbul notes",
            "ISTANBUL and ıstanbul, the KELVIN sign \u212a and long ſ (ſtraße).\n\n"
            "Prices: $5 [approx] (c++) a.b a-b; tab\there.\n\n"
            "Straße, STRASSE, Größe; σ ς Σ; café cafe\u0301.\n\n"
            "x first\nxz second\nplain\n",
            url="https://example.org/istanbul",
        ),
    )
    crlf = archive.root / "2020" / "01" / "crlf.md"
    write_by_hand(crlf, make_article("CRLF", "Line one Wagner\n\nLine two\n"))
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    linked = archive.root / "2020" / "01" / "linked.md"
    linked.symlink_to(crlf)
    (archive.root / "2020" / "dirlink").symlink_to(archive.root / "2020" / "01")
    return archive


PATTERNS = [
    ("Wagner", {}),
    ("wagner", {"ignore_case": True}),
    ("istanbul", {"ignore_case": True}),
    ("kelvin|ſtraße", {"ignore_case": True}),
    ("[a-k]elvin", {"ignore_case": True}),
    ("STRASSE|Größe", {}),
    (r"\$5 \[approx\] \(c\+\+\)", {}),
    ("a.b|a-b", {}),
    ("a.b", {"fixed": True}),
    ("c++", {"fixed": True}),
    (r"tab\there", {}),
    (r"\bMali\b", {}),
    ("Mali", {"word": True}),
    ("wagner", {"word": True, "ignore_case": True}),
    (r"[Pp]rime|[A-Z][a-z]+ group", {}),
    (r"\d+", {}),
    (r"^Line \w+", {}),
    (r"Wagner$", {}),
    (r"σ|ς", {"ignore_case": True}),
    (r"x[^y]*z", {"field": "body"}),
    (r"Mali", {"field": "title"}),
    ("Wagner", {"context": 1}),
    ("(?i)paragraph", {}),
    ("Wag(?=ner)", {}),  # a look-ahead: not for rg
    (r"(Mali)\W+\1", {}),  # a back-reference: not for rg
    (r"\Aplain\Z", {}),  # "the line" to grep, "the file" to rg
    (r"caf.", {}),
]


@pytest.mark.parametrize(("pattern", "options"), PATTERNS)
def test_ripgrep_finds_what_python_finds(
    varied: Archive, monkeypatch: pytest.MonkeyPatch, pattern: str, options: dict[str, object]
) -> None:
    assert ripgrep.binary() is not None
    with_rg = run(varied, pattern, **options)
    python_only(monkeypatch)
    assert with_rg == run(varied, pattern, **options)


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        ("Wagner", 0, "Wagner"),
        ("a.b+", 0, "a.(?:b){1,}"),
        ("[a-c\\d]x?", 0, "[a-c\\d](?:x){0,1}"),
        ("i", re.IGNORECASE, "(?i)[iI\u0130\u0131]"),
        ("a-b&c", 0, "a\\-b\\&c"),
        ("(?:ab|cd)e", 0, "(?:ab|cd)e"),
        ("\\bx\\B", 0, "\\bx\\B"),
        ("x*?", 0, "(?:x){0,}?"),
        ("Wag(?=ner)", 0, None),
        ("(a)\\1", 0, None),
        ("\\Ax", 0, None),
        ("[^i]", re.IGNORECASE, None),
        ("x", re.MULTILINE, None),
        ("(?s:.)", 0, None),
    ],
)
def test_translation_into_the_regex_crates_syntax(
    pattern: str, flags: int, expected: str | None
) -> None:
    assert ripgrep.translate(re.compile(pattern, flags)) == expected


def test_the_rg_binary_is_the_packages_not_one_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    impostor = tmp_path / "bin" / "rg"
    impostor.parent.mkdir()
    impostor.write_text("#!/bin/sh\nexit 99\n")
    impostor.chmod(0o755)
    monkeypatch.setenv("PATH", f"{impostor.parent}{os.pathsep}{os.environ['PATH']}")
    ripgrep.binary.cache_clear()
    try:
        found = ripgrep.binary()
    finally:
        ripgrep.binary.cache_clear()
    assert found is not None and found != impostor
    assert (
        Path(os.path.commonpath([found, Path(os.sys.prefix).resolve()]))
        == Path(os.sys.prefix).resolve()
    )


def test_without_the_rg_binary_grep_scans_in_python(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(ripgrep, "matching_lines", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(ripgrep, "files_holding", lambda *a, **k: calls.append(a))
    python_only(monkeypatch)
    assert [r.title for r in run(archive, "Wagner")] == [
        "Mali junta in talks for Russian mercenaries"
    ]
    assert calls == []


def test_links_to_files_count_and_links_to_directories_do_not(varied: Archive) -> None:
    found = [r.relpath for r in run(varied, "Line one")]
    assert found == ["2020/01/crlf.md", "2020/01/linked.md"]
    assert [line.text for r in run(varied, "Wagner$") for line in r.lines][-2:] == [
        "Line one Wagner",
        "Line one Wagner",
    ]


def test_rg_reads_no_ignore_files_and_no_user_config(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (archive.root / ".gitignore").write_text("*.md\n")
    (archive.root / ".ignore").write_text("*\n")
    config = tmp_path / "ripgreprc"
    config.write_text("--ignore-case\n--max-count=0\n")
    monkeypatch.setenv("RIPGREP_CONFIG_PATH", str(config))
    assert [r.title for r in run(archive, "WAGNER", ignore_case=False)] == []
    assert len(run(archive, "Wagner")) == 1


@pytest.mark.parametrize("pattern", ["Needle", r"Need(?=le)"])  # rg's lines; rg's files
def test_rg_walks_the_tree_and_is_given_the_links_the_walker_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    """rg walks the whole tree while the walker lists it (a slow rg: the walker finishes
    first), then searches the links to articles its walk passed over; what the walker leaves
    out (a hidden folder, the pictures' folder, a link to a directory) is not found."""
    assert ripgrep.binary() is not None
    archive = Archive(tmp_path / "tree")
    article = make_article("Story", "Needle.\n")
    rels = [f"{year}/{month:02d}/n.md" for year in (2019, 2020) for month in (1, 12)]
    for rel in ["top.md", *rels, ".hidden/h.md", "_images/i.md"]:
        write_by_hand(archive.root / rel, article)
    (archive.root / "2020" / "01" / "link.md").symlink_to(archive.root / "top.md")
    (archive.root / "2020" / "dirlink").symlink_to(archive.root / "2019" / "01")
    calls: list[list[str] | None] = []
    for name in ("matching_lines", "files_holding"):
        real = getattr(ripgrep, name)

        def slow(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            calls.append(None if args[2] is None else list(args[2]))
            if len(calls) == 1:
                time.sleep(0.3)  # the walker lists everything meanwhile
            return real(*args, **kwargs)

        monkeypatch.setattr(ripgrep, name, slow)
    found = [m.relpath for m in grep(archive, GrepOptions(pattern), workers=1)]
    assert found == list(article_files(archive.root))
    assert "2020/01/link.md" in found and len(found) == len(rels) + 2
    assert calls == [None, ["2020/01/link.md"]]
