"""Exports for pandas/R (jsonl, csv) and for citing (BibTeX, CSL-JSON), and the stats."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from newsarchive.export import (
    KEY_ORDER,
    compute_stats,
    to_bibtex,
    to_csl_json,
    to_csv,
    to_jsonl,
)
from newsarchive.frontmatter import loads
from newsarchive.search import SearchIndex
from newsarchive.store import Archive
from samples import make_article, save


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "archive")
    save(
        archive,
        make_article(
            'Mali junta in talks: 50% of "Wagner" deal & more_{x}',
            'Body with "quotes", commas, and\nline breaks.\n',
            url="https://www.themoscowtimes.com/2021/09/14/mali",
            authors=("Daphné Benoit", "AFP"),
            tags=("Mali", "Russia"),
            description="A summary.",
        ),
    )
    save(
        archive,
        make_article(
            "Second story by the same author",
            "Text.\n",
            url="https://www.themoscowtimes.com/2021/10/01/second",
            authors=("Daphné Benoit",),
            published="2021-10-01",
        ),
    )
    save(
        archive,
        make_article(
            "Ohne Datum",
            "Text.\n",
            url="https://example.de/ohne",
            site=None,
            hostname="example.de",
            authors=(),
            published=None,
            language="de",
        ),
    )
    return archive


def records(archive: Archive, with_body: bool = False) -> list:  # type: ignore[type-arg]
    with SearchIndex(archive) as index:
        index.refresh(full=True)
        return list(index.records(with_body=with_body))


def test_jsonl_has_every_front_matter_field(archive: Archive) -> None:
    out = io.StringIO()
    assert to_jsonl(records(archive, with_body=True), out) == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 3
    for row in rows:
        meta, body = loads((archive.root / row["path"]).read_text(encoding="utf-8"))
        assert row == {"path": row["path"], **meta, "body": body}
        assert list(row)[1:-1] == list(meta)  # the file's key order


def test_jsonl_without_body(archive: Archive) -> None:
    out = io.StringIO()
    to_jsonl(records(archive), out)
    assert all("body" not in json.loads(line) for line in out.getvalue().splitlines())


def test_csv_for_pandas(archive: Archive) -> None:
    out = io.StringIO()
    assert to_csv(records(archive, with_body=True), out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert header[0] == "path" and header[-1] == "body"
    assert header[1:-1] == [key for key in KEY_ORDER if key in header]
    by_title = {row["title"]: row for row in rows}
    first = by_title['Mali junta in talks: 50% of "Wagner" deal & more_{x}']
    assert first["authors"] == "Daphné Benoit; AFP"
    assert first["tags"] == "Mali; Russia"
    assert first["status"] == "200"
    assert first["body"] == 'Body with "quotes", commas, and\nline breaks.\n'
    undated = by_title["Ohne Datum"]
    assert undated["published"] == "" and undated["authors"] == "" and undated["site"] == ""


def test_csv_keeps_keys_added_by_hand(archive: Archive) -> None:
    path = next(archive.root.rglob("*ohne*.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("---\ntitle:", "---\nmy_note: checked\ntitle:", 1), encoding="utf-8"
    )
    out = io.StringIO()
    to_csv(records(archive), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0])[-1] == "my_note"
    assert sorted(row["my_note"] for row in rows) == ["", "", "checked"]


def test_bibtex(archive: Archive) -> None:
    out = io.StringIO()
    assert to_bibtex(records(archive), out) == 3
    entries = {
        m.group(1): m.group(2)
        for m in re.finditer(r"@article\{([^,]+),\n(.*?)\n\}\n", out.getvalue(), re.S)
    }
    assert set(entries) == {"benoit2021mali", "benoit2021second", "example2024ohne"}
    first = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", entries["benoit2021mali"], re.M))
    assert first == {
        "entrysubtype": "newspaper",
        "author": "Daphné Benoit and AFP",
        "title": r'{Mali junta in talks: 50\% of "Wagner" deal \& more\_\{x\}}',
        "journaltitle": "The Moscow Times",
        "date": "2021-09-14",
        "url": "https://www.themoscowtimes.com/2021/09/14/mali",
        "urldate": "2024-03-02",
        "language": "en",
    }
    undated = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", entries["example2024ohne"], re.M))
    assert "date" not in undated and "author" not in undated
    assert undated["journaltitle"] == "example.de"


def test_bibtex_keys_are_unique(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a")
    for n in range(3):
        save(archive, make_article("Same title", f"Text {n}.\n", url=f"https://x.example/{n}"))
    out = io.StringIO()
    to_bibtex(records(archive), out)
    keys = re.findall(r"@article\{([^,]+),", out.getvalue())
    assert sorted(keys) == ["doe2021same", "doe2021samea", "doe2021sameb"]


def test_bibtex_protects_names_it_would_split(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a")
    save(archive, make_article("T", "x\n", authors=("Simon and Schuster", "Doe, Jane")))
    out = io.StringIO()
    to_bibtex(records(archive), out)
    assert "  author = {{Simon and Schuster} and {Doe, Jane}},\n" in out.getvalue()


def test_csl_json(archive: Archive) -> None:
    out = io.StringIO()
    assert to_csl_json(records(archive), out) == 3
    items = {item["id"]: item for item in json.loads(out.getvalue())}
    assert items["benoit2021mali"] == {
        "id": "benoit2021mali",
        "type": "article-newspaper",
        "title": 'Mali junta in talks: 50% of "Wagner" deal & more_{x}',
        "author": [{"family": "Benoit", "given": "Daphné"}, {"literal": "AFP"}],
        "container-title": "The Moscow Times",
        "issued": {"date-parts": [[2021, 9, 14]]},
        "accessed": {"date-parts": [[2024, 3, 2]]},
        "URL": "https://www.themoscowtimes.com/2021/09/14/mali",
        "language": "en",
        "abstract": "A summary.",
    }
    assert "issued" not in items["example2024ohne"]


def test_stats(archive: Archive) -> None:
    with SearchIndex(archive) as index:
        index.refresh(full=True)
        stats = compute_stats(index.entries())
    assert stats.articles == 3
    assert stats.size == sum(p.stat().st_size for p in archive.root.rglob("*.md"))
    assert list(stats.sites) == [("The Moscow Times", 2), ("example.de", 1)]
    assert list(stats.months) == [("2021-09", 1), ("2021-10", 1)]
    assert list(stats.languages) == [("en", 2), ("de", 1)]
    assert list(stats.authors) == [("Daphné Benoit", 2), ("AFP", 1), ("(none)", 1)]
    assert (stats.first, stats.last, stats.undated) == ("2021-09-14", "2021-10-01", 1)
    assert stats.to_json()["sites"] == {"The Moscow Times": 2, "example.de": 1}
