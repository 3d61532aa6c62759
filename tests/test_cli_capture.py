"""Raw captures through the CLI: `fetch` keeps each HTTP response as a WARC file named in the
front-matter; `verify` finds what is broken, altered or missing."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from helpers import MT_PATH, PAGES, front_matter, run
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode


def fetch_mt(server: LoopbackServer, archive: Path, *args: str) -> Path:
    server.add(MT_PATH, (PAGES / "moscowtimes-mali.html").read_bytes())
    result = run(archive, "fetch", *args, server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip())


def test_fetch_keeps_the_response_as_a_warc_file(server: LoopbackServer, archive: Path) -> None:
    saved = fetch_mt(server, archive)
    meta = front_matter(saved)
    captures = archive.parent / "archive-captures"
    capture = captures / str(meta["capture"])
    assert str(meta["capture"]).startswith("2021/09/2021-09-14-mali-junta")
    assert capture.name.endswith(".warc.gz")
    with open(capture, "rb") as handle:
        records = [
            (r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(handle)
        ]
    response = [r for r in records if r[0] == "response"]
    assert len(response) == 1
    _, headers, body = response[0]
    assert headers.get_header("WARC-Record-ID") == meta["capture_record"]
    assert headers.get_header("WARC-Target-URI") == server.url(MT_PATH)
    assert body == (PAGES / "moscowtimes-mali.html").read_bytes()
    # Nothing but Markdown articles inside the archive itself.
    assert [p.suffix for p in archive.rglob("*") if p.is_file()] == [".md"]

    verified = run(archive, "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout == ""
    assert "checked 1 article(s) and 1 capture(s): no problems" in verified.stderr


def test_no_capture_and_saved_files_write_no_warc(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    saved = fetch_mt(server, archive, "--no-capture")
    assert "capture" not in front_matter(saved)
    local = tmp_path / "page.html"
    local.write_bytes((PAGES / "moscowtimes-ru.html").read_bytes())
    result = run(archive, "fetch", str(local), "--url", "https://www.moscowtimes.ru/ru/a10975")
    assert result.exit_code == 0, result.stderr
    assert not (archive.parent / "archive-captures").exists()


def test_captures_option_and_refetch_keeps_both_captures(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "warc"
    saved = fetch_mt(server, archive, "--force")
    first = front_matter(saved)["capture"]
    result = run(archive, "--captures", str(elsewhere), "fetch", "--force", server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    second = front_matter(saved)["capture"]
    assert (elsewhere / str(second)).is_file()
    assert (archive.parent / "archive-captures" / str(first)).is_file()


def test_verify_reports_each_problem(server: LoopbackServer, archive: Path) -> None:
    saved = fetch_mt(server, archive)
    meta = front_matter(saved)
    capture = archive.parent / "archive-captures" / str(meta["capture"])
    # A hand edit of the text, a broken file, and a lost capture.
    saved.write_text(saved.read_text(encoding="utf-8").replace("1,000", "2,000"), encoding="utf-8")
    broken = archive / "2021" / "broken.md"
    broken.write_text(
        "---\ntitle: [unclosed\narchiver: newsarchive 0.1\n---\nbody\n", encoding="utf-8"
    )
    capture.unlink()
    result = run(archive, "verify", "--json")
    assert result.exit_code == ExitCode.DAMAGED
    problems = [json.loads(line) for line in result.stdout.splitlines()]
    by_path: dict[str, list[str]] = {}
    for problem in problems:
        by_path.setdefault(Path(problem["path"]).name, []).append(problem["problem"])
    assert set(by_path) == {saved.name, "broken.md"}
    assert "edited by hand: the text differs from the archived text" in by_path[saved.name]
    assert any("cannot read the capture" in p for p in by_path[saved.name])
    assert any("front-matter" in p for p in by_path["broken.md"])
    # The hand edit is listed, but is not damage.
    assert "2 problem(s); 1 article(s) edited by hand" in result.stderr


def test_verify_keeps_the_capture_of_an_article_it_cannot_read(
    server: LoopbackServer, archive: Path
) -> None:
    """A capture is named by its article's front-matter: when that front-matter is broken,
    verify says whose capture it is and to keep it, never to delete it."""
    saved = fetch_mt(server, archive)
    capture = archive.parent / "archive-captures" / str(front_matter(saved)["capture"])
    saved.write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    result = run(archive, "verify", "--json")
    assert result.exit_code == ExitCode.DAMAGED
    found = {Path(p["path"]).name: p for p in map(json.loads, result.stdout.splitlines())}
    assert found[saved.name]["kind"] == "damaged"
    kept = found[capture.name]
    rel = saved.relative_to(archive).as_posix()
    assert kept["kind"] == "orphan" and rel in kept["problem"]
    assert "keep it" in kept["problem"] and "delete" not in kept["problem"]


def test_reextract_rebuilds_the_file_from_its_capture_with_no_network(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    saved = fetch_mt(server, archive)
    original = saved.read_text(encoding="utf-8")
    before = front_matter(saved)
    # An older extractor's file: a dropped paragraph, a missed author.
    dropped = "Asked about the reports, a spokesman for Mali's defense ministry"
    assert dropped in original
    older = "\n".join(line for line in original.splitlines() if dropped not in line) + "\n"
    older = older.replace("- Daphné Benoit", "- The Moscow Times")
    # ...with the digest of its own text, as that extractor recorded it (not a hand edit).
    body = older.split("\n---\n\n", 1)[1]
    older = older.replace(before["sha256"], hashlib.sha256(body.encode()).hexdigest())
    saved.write_text(older, encoding="utf-8")
    requests = len(server.requests)

    dry = run(archive, "reextract", "--dry-run", str(saved))
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout == f"{saved}\n" and "1 would change, 0 unchanged" in dry.stderr
    assert saved.read_text(encoding="utf-8") == older

    result = run(archive, "reextract", "--all")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{saved}\n"
    assert "1 changed, 0 unchanged" in result.stderr
    assert len(server.requests) == requests  # no network
    after = front_matter(saved)
    text = saved.read_text(encoding="utf-8")
    assert dropped in text and after["authors"] == ["Daphné Benoit"]
    for key in ("url", "fetched", "status", "capture", "capture_record", "capture_sha256"):
        assert after[key] == before[key], key
    assert sorted(archive.rglob("*.md")) == [saved]  # rewritten in place

    again = run(archive, "reextract", server.url(MT_PATH))
    assert again.exit_code == 0 and again.stdout == ""
    assert "0 changed, 1 unchanged" in again.stderr


def test_reextract_needs_a_capture(server: LoopbackServer, archive: Path) -> None:
    saved = fetch_mt(server, archive, "--no-capture")
    result = run(archive, "reextract", str(saved))
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.startswith(f"error: {saved}: no capture to extract from")
    everything = run(archive, "reextract", "--all")
    assert everything.exit_code == 0 and "0 changed, 0 unchanged" in everything.stderr
    assert run(archive, "reextract").exit_code == ExitCode.USAGE


def test_import_keeps_captures_too(server: LoopbackServer, archive: Path, tmp_path: Path) -> None:
    from sites import add_articles

    urls = add_articles(server, 3)
    listing = tmp_path / "links.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    result = run(archive, "import", "--jobs", "0", str(listing))
    assert result.exit_code == 0, result.stderr
    saved = [Path(line) for line in result.stdout.splitlines()]
    assert len(saved) == 3
    captures = archive.parent / "archive-captures"
    for path in saved:
        meta = front_matter(path)
        assert (captures / str(meta["capture"])).is_file()
    assert len(list(captures.rglob("*.warc.gz"))) == 3
    verified = run(archive, "verify")
    assert verified.exit_code == 0 and "3 capture(s): no problems" in verified.stderr

    other = tmp_path / "other"
    plain = run(other, "import", "--jobs", "0", "--no-capture", str(listing))
    assert plain.exit_code == 0, plain.stderr
    assert not (tmp_path / "other-captures").exists()


_TIMES = re.compile(r"^fetched: .*$|\d{8}T\d{6}Z|<urn:uuid:[0-9a-f-]+>", re.MULTILINE)


def _records(path: Path) -> list[bytes]:
    """A capture's records, decompressed, without what differs from one fetch to the next:
    times (the server's Date header among them), record ids, and the block digests, which
    cover them."""
    times = rb"WARC-Date: .*|\d{8}T\d{6}Z|<urn:uuid:[0-9a-f-]+>|\ndate: .*|WARC-Block-Digest: .*"
    data = gzip.decompress(path.read_bytes())
    return [re.sub(times, b"", record) for record in data.split(b"WARC/1.1\r\n")]


@pytest.mark.slow
def test_import_writes_what_fetch_writes_though_its_extraction_processes_seal_the_captures(
    server: LoopbackServer, archive: Path, tmp_path: Path
) -> None:
    from sites import add_articles

    urls = add_articles(server, 3)
    listing = tmp_path / "links.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    imported = run(archive, "import", "--jobs", "1", str(listing))
    assert imported.exit_code == 0, imported.stderr
    verified = run(archive, "verify")  # each capture is where its front-matter says, whole
    assert verified.exit_code == 0 and "3 capture(s): no problems" in verified.stderr
    other = tmp_path / "fetched"
    for url in urls:
        assert run(other, "fetch", url).exit_code == 0
    for path in sorted(archive.rglob("*.md")):
        twin = other / path.relative_to(archive)
        assert _TIMES.sub("", path.read_text()) == _TIMES.sub("", twin.read_text())
        capture = archive.parent / "archive-captures" / str(front_matter(path)["capture"])
        fetched = tmp_path / "fetched-captures" / str(front_matter(twin)["capture"])
        assert _records(capture) == _records(fetched)
    assert len(list(archive.rglob("*.md"))) == 3
