"""The user's own words on an article: `tag` and `note`.

Each is an atomic rewrite of one front-matter entry (`tags:` or `notes:`); every other byte of
the file stays as it was, so `sha256` still matches and the search index, `list --tag` and
`grep --tag` see the change at once (they notice the file's new time).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from newsarchive.articles import find_article, read_article
from newsarchive.cli.core import Env, cli, pass_env
from newsarchive.cli.output import display_path
from newsarchive.errors import StoreError
from newsarchive.frontmatter import FrontMatterError, is_newsarchive, loads, set_key
from newsarchive.userdata import edit_tags

NOTES_KEY = "notes"


def _article(env: Env, target: str) -> Path:
    """The file of the article `target` names; StoreError unless it is a newsarchive article."""
    path = find_article(env.archive(), target)
    if not is_newsarchive(read_article(path).meta):
        raise StoreError(display_path(path), "not a newsarchive article")
    return path


def _edit(env: Env, path: Path, key: str, value: Callable[[Any], Any]) -> Any:
    """Set the front-matter entry `key` of the file at `path` to `value(its current value)`,
    touching nothing else; return what was written."""
    written: list[Any] = []

    def change(text: str) -> str:
        try:
            new = value(loads(text)[0].get(key))
            written[:] = [new]
            return set_key(text, key, new)
        except FrontMatterError as exc:
            raise StoreError(display_path(path), f"cannot edit the front-matter: {exc}") from exc

    env.archive().edit(path, change)
    return written[0] if written else None


# "-draft" is a tag to take away, not an option: unknown options are arguments here, and only
# --help is help (so that "-hot" is a tag too).
@cli.command(context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})
@click.argument("target", metavar="URL_OR_PATH")
@click.argument("changes", nargs=-1, metavar="[+TAG|-TAG]...")
@pass_env
def tag(env: Env, target: str, changes: tuple[str, ...]) -> None:
    """Add tags to an archived article (+TAG, or just TAG) or take them away (-TAG).

    Only the `tags:` entry of the front-matter changes; every other line stays as it is.
    Tags you add are yours: a later `reextract`, `update` or `fetch --force` keeps them
    beside the page's own, and keeps out a page's tag you took away. Prints the file's path,
    and its tags on stderr; with no change given, only prints them.

    \b
    Examples:
      newsarchive tag https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044 +climate
      newsarchive tag archive/2021/09/2021-09-14-mali-junta-in-talks.md +chapter-3 -draft
    """
    add: list[str] = []
    remove: list[str] = []
    for change in changes:
        name = change[1:] if change[:1] in "+-" else change
        if not name.strip():
            raise click.BadParameter(f"{change!r} names no tag", param_hint="TAG")
        (remove if change.startswith("-") else add).append(name.strip())
    path = _article(env, target)
    if changes:
        tags = _edit(env, path, "tags", lambda now: edit_tags(now, add, remove) or None)
    else:
        tags = read_article(path).meta.get("tags")
    shown = ", ".join(str(t) for t in tags) if isinstance(tags, list) else str(tags or "")
    env.info(f"tags: {shown or '(none)'}")
    click.echo(display_path(path))


@cli.command()
@click.argument("target", metavar="URL_OR_PATH")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove every note from the article.")
@pass_env
def note(env: Env, target: str, text: str | None, clear: bool) -> None:
    """Add a note of your own to an archived article, under `notes:` in its front-matter.

    Only the `notes:` entry changes; every other line stays as it is, and every later
    rewrite keeps it. A second note makes `notes:` a list. With no TEXT, prints the notes.

    \b
    Examples:
      newsarchive note https://example.org/2021/09/14/story "source for chapter 3"
      newsarchive note archive/2021/09/2021-09-14-mali-junta-in-talks.md
      newsarchive note --clear archive/2021/09/2021-09-14-mali-junta-in-talks.md
    """
    if clear and text is not None:
        raise click.UsageError("give a TEXT or --clear, not both")
    if text is not None and not text.strip():
        raise click.BadParameter("the note is empty", param_hint="TEXT")
    path = _article(env, target)
    if clear:
        _edit(env, path, NOTES_KEY, lambda now: None)
    elif text is not None:
        _edit(env, path, NOTES_KEY, lambda now: _added(now, text))
        click.echo(display_path(path))
        return
    for line in _notes(read_article(path).meta.get(NOTES_KEY)):
        env.out.print(escape(line), highlight=False)


def _added(notes: Any, text: str) -> Any:
    if notes is None or notes == "":
        return text
    if isinstance(notes, list):
        return [*notes, text]
    if isinstance(notes, dict):
        raise FrontMatterError("'notes' is a mapping; add to it by hand")
    return [notes, text]


def _notes(notes: Any) -> list[str]:
    if notes is None:
        return []
    if isinstance(notes, list):
        return [str(item) for item in notes]
    return [str(notes)]
