"""Reading an article file: one set of errors, worded one way, wherever a file is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.articles import parse_article, read_article
from newsarchive.errors import StoreError
from newsarchive.search.document import read_file, read_front_matter
from newsarchive.search.schema import BROKEN

ARTICLE = "---\ntitle: Bridge opens\nfetched: 2024-03-02T09:30:00Z\n---\n\nThe bridge opened.\n"


def error_of(path: Path) -> str:
    with pytest.raises(StoreError) as info:
        read_article(path)
    assert info.value.path == str(path)
    return info.value.detail


def test_an_article_file_is_read_with_its_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(ARTICLE, encoding="utf-8")
    file = read_article(path)
    assert (file.text, file.meta["title"], file.body) == (
        ARTICLE,
        "Bridge opens",
        "The bridge opened.\n",
    )
    assert parse_article(path, ARTICLE.encode()) == file


def test_line_ends_are_read_as_text_files_read_them_and_kept_from_bytes(tmp_path: Path) -> None:
    crlf = ARTICLE.replace("\n", "\r\n")
    path = tmp_path / "a.md"
    path.write_bytes(crlf.encode())
    assert read_article(path).text == ARTICLE
    assert parse_article(path, crlf.encode()).text == crlf


def test_each_failure_is_worded_once(tmp_path: Path) -> None:
    missing = tmp_path / "gone.md"
    assert error_of(missing) == "cannot read: No such file or directory"
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(ARTICLE.replace("Bridge", "Brücke").encode("latin-1"))
    assert error_of(latin1) == "not UTF-8 text"
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: x\n", encoding="utf-8")
    assert error_of(broken) == "broken front-matter: no closing '---' line"
    with pytest.raises(StoreError, match="^.*: cannot read the revision: No such file"):
        read_article(missing, what=" the revision")


def test_the_search_index_says_the_same(tmp_path: Path) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: x\n", encoding="utf-8")
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(b"---\ntitle: Br\xfccke\n---\n")
    for path in (broken, latin1):
        row = read_file(str(tmp_path), path.name)
        assert row is not None
        values, _ = row
        assert (values[4], values[5]) == (BROKEN, error_of(path))
        with pytest.raises(StoreError) as info:
            read_front_matter(path)
        assert info.value.detail == error_of(path)
