"""What the user writes into the archive is theirs: every rewrite keeps it.

Each test makes the user's edit as an editor does (Obsidian, Zotero, vim: a plain write of the
file), then runs the command that rewrites the file, end to end against a loopback server.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from helpers import MT_PATH, front_matter, mt_page, run, serve_mt, split_article
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode
from newsarchive.frontmatter import FrontMatterError, dumps, loads, set_key
from newsarchive.userdata import merge_tags

PAGE = mt_page().decode("utf-8")

# What a user adds by hand: a comment, a note right under the title, a quoted value and a
# flow list, a block scalar with a blank line in it, and a key at the very end.
USER_TOP = "# read for chapter 3\nnotes: source for chapter 3\n"
USER_MIDDLE = "rating: '5'\naliases: [Mali junta, Wagner deal]\n"
USER_BOTTOM = 'quote: |\n  A deal with Wagner\n\n  would be incompatible.\nzotero_key: "ABC123"\n'


def archived(server: LoopbackServer, archive: Path) -> Path:
    url = serve_mt(server)
    result = run(archive, "fetch", url)
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip())


def annotate(path: Path) -> str:
    """The user's edit: their keys at three places and a tag of their own, written whole."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nauthors:\n", f"\n{USER_TOP}authors:\n", 1)
    text = text.replace("\nsite: ", f"\n{USER_MIDDLE}site: ", 1)
    text = text.replace("- Africa\npage_tags:", "- Africa\n- my-project\npage_tags:", 1)
    head, sep, rest = text.partition("\n---\n\n")
    text = f"{head}\n{USER_BOTTOM.rstrip(chr(10))}{sep}{rest}"
    path.write_text(text, encoding="utf-8")
    return text


def older_extraction(path: Path) -> None:
    """What an older extractor wrote: a paragraph missed, a wrong author, and the digest of
    that text (so it is not a hand edit). Re-extracting it changes the file."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("- Daphné Benoit\n", "- The Moscow Times\n", 1)
    text = "".join(line for line in text.splitlines(keepends=True) if "Asked about" not in line)
    meta, body = loads(text)
    new = hashlib.sha256(body.encode()).hexdigest()
    path.write_text(text.replace(str(meta["sha256"]), new), encoding="utf-8")


def user_lines_kept(text: str) -> None:
    """The user's lines are in the file as written, each block where it was put."""
    head = text.split("\n---\n", 1)[0]
    assert (
        f"\ntitle: Mali Junta in Talks for Russian Mercenaries – French Sources\n{USER_TOP}" in head
    )
    assert f"\n{USER_MIDDLE}site: " in head
    # After the last key of ours it followed: keys newsarchive adds later come after it.
    assert re.search(r"\ncapture_sha256: [0-9a-f]{64}\n" + re.escape(USER_BOTTOM), head + "\n")


def test_reextract_keeps_the_users_keys_and_tags(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    older_extraction(saved)
    annotate(saved)
    verified = run(archive, "verify")
    assert verified.exit_code == 0 and verified.stdout == "", verified.output

    result = run(archive, "reextract", "--all")
    assert result.exit_code == 0, result.stderr
    assert "1 changed, 0 unchanged" in result.stderr
    text = saved.read_text(encoding="utf-8")
    user_lines_kept(text)
    meta = front_matter(saved)
    assert meta["authors"] == ["Daphné Benoit"]  # newsarchive's own keys are rewritten
    assert meta["tags"] == ["Mali", "Wagner", "France", "Africa", "my-project"]
    assert meta["page_tags"] == ["Mali", "Wagner", "France", "Africa"]
    assert meta["notes"] == "source for chapter 3" and meta["rating"] == "5"
    assert meta["quote"] == "A deal with Wagner\n\nwould be incompatible.\n"
    assert "Asked about the reports" in text
    assert run(archive, "verify").stdout == ""
    # Nothing left to change: the user's part does not make a file differ from its capture.
    again = run(archive, "reextract", "--all")
    assert "0 changed, 1 unchanged" in again.stderr
    assert saved.read_text(encoding="utf-8") == text


def test_a_page_tag_removed_by_hand_stays_removed(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    older_extraction(saved)
    text = saved.read_text(encoding="utf-8")
    saved.write_text(text.replace("tags:\n- Mali\n- Wagner\n", "tags:\n- Mali\n", 1), "utf-8")
    result = run(archive, "reextract", str(saved))
    assert result.exit_code == 0, result.stderr
    meta = front_matter(saved)
    assert meta["tags"] == ["Mali", "France", "Africa"]
    assert meta["page_tags"] == ["Mali", "Wagner", "France", "Africa"]


def test_update_keeps_the_users_part_when_the_article_changed(
    server: LoopbackServer, archive: Path
) -> None:
    saved = archived(server, archive)
    annotate(saved)
    serve_mt(server, PAGE.replace("up to 1,000 fighters", "up to 1,200 fighters"))
    result = run(archive, "update", "--delay", "0", "--all")
    assert result.exit_code == 0, result.stderr
    assert f"changed (body): {saved}" in result.stderr
    text = saved.read_text(encoding="utf-8")
    assert "up to 1,200 fighters" in text
    user_lines_kept(text)
    meta = front_matter(saved)
    assert meta["tags"][-1] == "my-project" and len(meta["revisions"]) == 1
    kept = archive.parent / "archive-captures" / meta["revisions"][0]["file"]
    assert "my-project" in kept.read_text(encoding="utf-8")


def test_update_of_an_unchanged_article_touches_only_its_checked_time(
    server: LoopbackServer, archive: Path
) -> None:
    saved = archived(server, archive)
    annotate(saved)
    edited = saved.read_text(encoding="utf-8").replace("about 5,100 troops", "about 5100 troops")
    saved.write_text(edited, encoding="utf-8")  # and a hand edit of the text
    result = run(archive, "update", "--delay", "0", str(saved))
    assert result.exit_code == 0, result.stderr
    assert "0 changed, 1 unchanged" in result.stderr
    text = saved.read_text(encoding="utf-8")
    checked = front_matter(saved)["checked"]
    # One line more, after newsarchive's keys before it; every other byte as the user left it.
    assert text == edited.replace(f"\n{USER_BOTTOM}", f"\nchecked: '{checked}'\n{USER_BOTTOM}", 1)


def test_an_edited_text_is_kept_as_a_revision_when_the_page_changed(
    server: LoopbackServer, archive: Path
) -> None:
    saved = archived(server, archive)
    edited = saved.read_text(encoding="utf-8").replace("about 5,100 troops", "[sic] 5,100")
    saved.write_text(edited, encoding="utf-8")
    serve_mt(server, PAGE.replace("up to 1,000 fighters", "up to 1,200 fighters"))
    result = run(archive, "update", "--delay", "0", str(saved))
    assert result.exit_code == 0, result.stderr
    revision = front_matter(saved)["revisions"][0]
    kept = archive.parent / "archive-captures" / revision["file"]
    assert kept.read_text(encoding="utf-8") == edited
    assert revision["changed"] == ["body", "edited"]
    assert f"warning: {saved}: its text was edited by hand; your version is kept as {kept}" in (
        result.stderr
    )


def test_reextract_leaves_an_edited_text_while_extraction_agrees(
    server: LoopbackServer, archive: Path
) -> None:
    saved = archived(server, archive)
    edited = saved.read_text(encoding="utf-8").replace("about 5,100 troops", "about 5100 troops")
    saved.write_text(edited, encoding="utf-8")
    result = run(archive, "reextract", "--all")
    assert result.exit_code == 0, result.stderr
    assert "0 changed, 1 unchanged" in result.stderr
    assert saved.read_text(encoding="utf-8") == edited

    # --discard-edits: the text is extracted again, and the edit is gone, as asked.
    discarded = run(archive, "reextract", "--discard-edits", str(saved))
    assert discarded.exit_code == 0, discarded.stderr
    assert "about 5,100 troops" in saved.read_text(encoding="utf-8")
    assert "the edits are discarded (--discard-edits)" in discarded.stderr
    assert "revisions" not in front_matter(saved)
    assert run(archive, "verify").stdout == ""


def test_a_rewrite_keeps_the_edited_version_as_a_revision(
    server: LoopbackServer, archive: Path
) -> None:
    saved = archived(server, archive)
    older_extraction(saved)
    edited = saved.read_text(encoding="utf-8").replace("about 5,100 troops", "about 5100 troops")
    saved.write_text(edited, encoding="utf-8")
    result = run(archive, "reextract", "--all")
    assert result.exit_code == 0, result.stderr
    assert "1 changed, 0 unchanged" in result.stderr
    (revision,) = front_matter(saved)["revisions"]
    kept = archive.parent / "archive-captures" / revision["file"]
    assert kept.read_text(encoding="utf-8") == edited  # the user's version, whole
    assert revision["changed"] == ["edited"]
    assert f"{saved}: its text was edited by hand; your version is kept as {kept}" in (
        result.stderr
    )
    history = run(archive, "history", "--json", str(saved))
    versions = [json.loads(line) for line in history.stdout.splitlines()]
    assert [v["changed"] for v in versions] == [["edited"], []]
    assert run(archive, "verify").stdout == ""


def test_fetch_force_keeps_the_users_part(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    annotate(saved)
    edited = saved.read_text(encoding="utf-8").replace("about 5,100 troops", "about 5100 troops")
    saved.write_text(edited, encoding="utf-8")
    result = run(archive, "fetch", "--force", server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    text = saved.read_text(encoding="utf-8")
    user_lines_kept(text)
    assert "about 5,100 troops" in text
    (revision,) = front_matter(saved)["revisions"]
    assert (archive.parent / "archive-captures" / revision["file"]).read_text("utf-8") == edited
    assert "your version is kept as" in result.stderr

    usage = run(archive, "fetch", "--discard-edits", server.url(MT_PATH))
    assert usage.exit_code == ExitCode.USAGE
    assert "--discard-edits goes with --force" in usage.stderr


def test_verify_tells_an_edit_from_damage(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    text = saved.read_text(encoding="utf-8")
    other = saved.with_name("2021-09-14-other.md")
    saved.write_text(text.replace("about 5,100 troops", "about 5100 troops"), encoding="utf-8")
    other.write_text(text.replace(str(front_matter(saved)["url"]), "https://x.example/2")[:-200])
    broken = saved.with_name("broken.md")
    broken.write_text(text.replace("title: Mali", "title: [Mali", 1), encoding="utf-8")

    result = run(archive, "verify", "--json")
    assert result.exit_code == ExitCode.DAMAGED
    found = {Path(p["path"]).name: p for p in map(json.loads, result.stdout.splitlines())}
    assert found[saved.name]["kind"] == "edited"
    assert found[other.name]["kind"] == "damaged"
    assert "ends in the middle of a line" in found[other.name]["problem"]
    assert found[broken.name]["kind"] == "damaged"
    assert "2 problem(s); 1 article(s) edited by hand" in result.stderr

    broken.unlink()
    other.unlink()
    edited_only = run(archive, "verify")
    assert edited_only.exit_code == 0
    assert (
        edited_only.stdout == f"{saved}: edited by hand: the text differs from the archived text\n"
    )


def test_tag_changes_only_the_tags_and_shows_at_once(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    text = annotate(saved).replace("- my-project\n", "- my-project\n- draft\n")
    saved.write_text(text, encoding="utf-8")
    assert run(archive, "list", "--tag", "climate").stdout == ""  # the index knows the file

    result = run(archive, "tag", server.url(MT_PATH), "+climate", "-draft", "-hot")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{saved}\n"
    assert "tags: Mali, Wagner, France, Africa, my-project, climate" in result.stderr
    after = saved.read_text(encoding="utf-8")
    assert after == text.replace("- draft\n", "- climate\n")  # nothing else moved
    assert run(archive, "verify").stdout == ""  # the text is untouched

    assert run(archive, "list", "--tag", "climate").stdout.endswith(f"{saved}\n")
    assert run(archive, "grep", "-l", "--tag", "climate", "Wagner").stdout == f"{saved}\n"
    assert saved.name in run(archive, "search", "climate").stdout
    # Tags the user added are theirs: a later rewrite keeps them.
    older_extraction(saved)
    run(archive, "reextract", "--all")
    assert front_matter(saved)["tags"][-2:] == ["my-project", "climate"]


def test_tag_on_a_file_without_tags_and_by_path(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    text = saved.read_text(encoding="utf-8")
    start = text.index("tags:\n")
    bare = text[:start] + text[text.index("categories:") :]
    bare = bare.replace("page_tags:\n- Mali\n- Wagner\n- France\n- Africa\n", "")
    saved.write_text(bare, encoding="utf-8")
    result = run(archive, "tag", str(saved), "climate")
    assert result.exit_code == 0, result.stderr
    assert saved.read_text(encoding="utf-8") == bare.replace(
        "\ncategories:", "\ntags:\n- climate\ncategories:"
    )
    shown = run(archive, "tag", str(saved))
    assert shown.exit_code == 0 and "tags: climate" in shown.stderr


def test_note_adds_the_users_words(server: LoopbackServer, archive: Path) -> None:
    saved = archived(server, archive)
    text = saved.read_text(encoding="utf-8")
    result = run(archive, "note", str(saved), "source for chapter 3")
    assert result.exit_code == 0, result.stderr
    assert saved.read_text(encoding="utf-8") == text.replace(
        "\n---\n\n", "\nnotes: source for chapter 3\n---\n\n", 1
    )
    assert saved.name in run(archive, "search", "chapter").stdout
    run(archive, "note", server.url(MT_PATH), "check the 1,000 figure")
    assert front_matter(saved)["notes"] == ["source for chapter 3", "check the 1,000 figure"]
    listed = run(archive, "note", str(saved))
    assert listed.stdout == "source for chapter 3\ncheck the 1,000 figure\n"
    # Kept by every rewrite.
    older_extraction(saved)
    assert "1 changed" in run(archive, "reextract", "--all").stderr
    assert front_matter(saved)["notes"] == ["source for chapter 3", "check the 1,000 figure"]
    cleared = run(archive, "note", "--clear", str(saved))
    assert cleared.exit_code == 0 and "notes" not in front_matter(saved)


def test_tag_and_note_refuse_what_is_not_an_article(archive: Path) -> None:
    (archive / "notes").mkdir(parents=True)
    readme = archive / "notes" / "README.md"
    readme.write_text("# My notes\n", encoding="utf-8")
    result = run(archive, "tag", str(readme), "+x")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == f"error: {readme}: not a newsarchive article\n"
    assert readme.read_text(encoding="utf-8") == "# My notes\n"


# -- the front-matter text, line by line -----------------------------------------------------


def test_set_key_touches_nothing_else() -> None:
    text = (
        "---\ntitle: A\n# mine\nnotes: x  # why\ntags: [a, b]\nurl: https://x.example/a\n"
        "archiver: newsarchive 0.1\n---\n\nBody\n"
    )
    assert set_key(text, "tags", ["a", "b", "c"]) == text.replace("[a, b]", "[a, b, c]")
    assert set_key(text, "tags", None) == text.replace("tags: [a, b]\n", "")
    assert set_key(text, "rating", 5) == text.replace("\n---\n\n", "\nrating: 5\n---\n\n")
    with pytest.raises(FrontMatterError):
        set_key("---\na: &x 1\nb: *x\n---\n", "tags", ["a"])


def test_dumps_keeps_the_users_entries_at_their_place() -> None:
    old = (
        "---\n# top\ntitle: A\nmine:\n  nested: [1, 2]\nurl: https://x.example/a\n"
        "sha256: x\nlast: 'yes'\n---\n\nBody\n"
    )
    new = dumps(
        {"title": "B", "url": "https://x.example/a", "sha256": "y"}, "Body 2\n", keep_from=old
    )
    assert new == (
        "---\n# top\ntitle: B\nmine:\n  nested: [1, 2]\nurl: https://x.example/a\n"
        "sha256: 'y'\nlast: 'yes'\n---\n\nBody 2\n"
    )
    # Where the block cannot be cut line by line, the user's values are kept all the same.
    aliased = "---\ntitle: A\nmine: &m [1]\nalso: *m\n---\n\nBody\n"
    meta, _ = loads(dumps({"title": "B"}, "x", keep_from=aliased))
    assert meta == {"title": "B", "mine": [1], "also": [1]}


@pytest.mark.parametrize(
    ("current", "recorded", "page", "expected"),
    [
        (["a", "b"], ["a", "b"], ["a", "b", "c"], ["a", "b", "c"]),  # the page added one
        (["a", "b", "mine"], ["a", "b"], ["a", "b"], ["a", "b", "mine"]),  # the user did
        (["a"], ["a", "b"], ["a", "b"], ["a"]),  # the user took one away
        (["a", "b"], ["a", "b"], ["a"], ["a"]),  # the page dropped one
        (["a", "mine"], None, ["a", "b"], ["a", "b", "mine"]),  # no record: all are kept
    ],
)
def test_merge_tags(
    current: list[str], recorded: list[str] | None, page: list[str], expected: list[str]
) -> None:
    assert merge_tags(current, recorded, page) == expected


def test_split_article_helper_still_reads_annotated_files(
    server: LoopbackServer, archive: Path
) -> None:
    saved = archived(server, archive)
    annotate(saved)
    meta, body = split_article(saved)
    assert meta["zotero_key"] == "ABC123" and body.startswith("# Mali Junta")
