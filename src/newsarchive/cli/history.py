"""An article's versions: `history` and `diff`.

The revisions module comes with the extractor (trafilatura), so it is imported when a command
runs, not when the program starts.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from newsarchive.articles import find_article, read_article
from newsarchive.cli.core import Env, cli, pass_env
from newsarchive.cli.options import json_option
from newsarchive.cli.output import display_path, echo_json

if TYPE_CHECKING:
    from newsarchive.revisions import Change, Version


def _versions_of(env: Env, target: str) -> tuple[Path, list[Version]]:
    from newsarchive.revisions import versions

    path = find_article(env.existing_archive(), target)
    return path, versions(read_article(path).meta)


@cli.command()
@click.argument("target", metavar="URL_OR_PATH")
@json_option("Print one JSON object per version.")
@pass_env
def history(env: Env, target: str, as_json: bool) -> None:
    """List the versions of an archived article, oldest first.

    \b
    Examples:
      newsarchive history https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive history --json archive/2021/09/2021-09-14-mali-junta-in-talks.md
    """
    path, found = _versions_of(env, target)
    current = f"{display_path(path)} (current)"
    if as_json:
        for version in found:
            echo_json(env.out, dataclasses.asdict(version))
    elif not env.out.is_terminal:
        for version in found:
            fields = [str(version.number), version.fetched, version.sha256[:12]]
            fields += [",".join(version.changed) or "-", version.file or current]
            click.echo("\t".join(fields))
    else:
        table = Table(box=None, pad_edge=False)
        for column in ("rev", "fetched", "sha256", "changed", "file"):
            table.add_column(column)
        for version in found:
            changed = ", ".join(version.changed)
            file = version.file or current
            table.add_row(str(version.number), version.fetched, version.sha256[:12], changed, file)
        env.out.print(table)


@cli.command()
@click.argument("target", metavar="URL_OR_PATH")
@click.option("--rev", "revs", type=int, multiple=True, help="Version number (twice: A and B).")
@click.option("--full", is_flag=True, help="The whole text, not only the changes and context.")
@json_option("Print the changes as JSON lines.")
@pass_env
def diff(env: Env, target: str, revs: tuple[int, ...], full: bool, as_json: bool) -> None:
    """Show what changed between two versions of an article, word by word.

    By default, the previous version against the current one. On a terminal, as `git diff
    --word-diff` shows it: each change with a few lines around it, under a header saying
    where it is, removed words in red and added words in green; --full shows the whole text.
    Piped, a unified diff.

    \b
    Examples:
      newsarchive diff https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive diff --rev 1 --rev 3 archive/2021/09/2021-09-14-mali-junta-in-talks.md
      newsarchive diff --full URL
      newsarchive diff --json URL | jq .
    """
    from newsarchive.revisions import version_text, word_diff

    path, found = _versions_of(env, target)
    if len(revs) > 2:
        raise click.UsageError("--rev goes at most twice")
    numbers = list(revs) or [max(len(found) - 1, 1), len(found)]
    if len(numbers) == 1:
        numbers.append(len(found))
    for number in numbers:
        if not 1 <= number <= len(found):
            raise click.BadParameter(
                f"{number}: versions are 1 to {len(found)}", param_hint="--rev"
            )
    old_v, new_v = (found[n - 1] for n in numbers)
    old = version_text(path, old_v, env.captures_root)
    new = version_text(path, new_v, env.captures_root)
    if as_json:
        for change in word_diff(old, new):
            if change.op != "equal":
                echo_json(env.out, dataclasses.asdict(change))
    elif not env.out.is_terminal:
        old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
        lines = difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile=f"rev {old_v.number} ({old_v.fetched})",
            tofile=f"rev {new_v.number} ({new_v.fetched})",
            n=max(len(old_lines), len(new_lines)) if full else 3,
        )
        click.echo("".join(lines), nl=False)
    else:
        env.out.print(Text(f"rev {old_v.number} ({old_v.fetched})", style="bold"))
        env.out.print(Text(f"rev {new_v.number} ({new_v.fetched})", style="bold"))
        for header, hunk in word_diff_hunks(word_diff(old, new), None if full else CONTEXT):
            if header is not None:
                env.out.print(Text(header, style="cyan"), soft_wrap=False)
            for pieces in hunk:
                line = _coloured(pieces)
                # Wrapped at word boundaries; a line with a word too long for any line (a
                # URL) is left whole rather than have the word cut in two.
                whole = max(map(len, line.plain.split()), default=0) > env.out.width
                env.out.print(line, soft_wrap=whole)


# Lines shown before and after each change, as git diff shows them.
CONTEXT = 3

Piece = tuple[str, str]  # ("equal" | "delete" | "insert", text)


@dataclass
class _Line:
    """One line of a word diff: its pieces, and where it starts in the old and new text."""

    old: int
    new: int
    pieces: list[Piece] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(kind != "equal" for kind, _ in self.pieces)


def word_diff_hunks(
    changes: list[Change], context: int | None
) -> list[tuple[str | None, list[list[Piece]]]]:
    """The word diff as lines, in hunks of the changed lines and `context` lines around them,
    each under a header `@@ -OLD,COUNT +NEW,COUNT @@` (line numbers as in a unified diff);
    with `context` None, one hunk of every line and no header."""
    lines = _diff_lines(changes)
    if context is None:
        return [(None, [line.pieces for line in lines])]
    hunks: list[tuple[int, int]] = []  # [first, last] line indexes
    for number, line in enumerate(lines):
        if not line.changed:
            continue
        first, last = max(0, number - context), min(len(lines) - 1, number + context)
        if hunks and first <= hunks[-1][1] + 1:
            hunks[-1] = (hunks[-1][0], last)
        else:
            hunks.append((first, last))
    shown: list[tuple[str | None, list[list[Piece]]]] = []
    for first, last in hunks:
        start, end = lines[first], lines[last]
        old_count, new_count = end.old - start.old + 1, end.new - start.new + 1
        header = f"@@ -{start.old},{old_count} +{start.new},{new_count} @@"
        shown.append((header, [line.pieces for line in lines[first : last + 1]]))
    return shown


def _diff_lines(changes: list[Change]) -> list[_Line]:
    """The changes cut into lines at every line end of either text."""
    lines = [_Line(1, 1)]
    for change in changes:
        parts: list[Piece] = (
            [("equal", change.old)]
            if change.op == "equal"
            else [("delete", change.old), ("insert", change.new)]
        )
        for kind, text in parts:
            pieces = text.split("\n")
            for number, piece in enumerate(pieces):
                if piece:
                    lines[-1].pieces.append((kind, piece))
                if number < len(pieces) - 1:  # a line ends here
                    current = lines[-1]
                    # The line end is the old text's, the new text's, or (unchanged) both.
                    lines.append(
                        _Line(current.old + (kind != "insert"), current.new + (kind != "delete"))
                    )
    while len(lines) > 1 and not lines[-1].pieces:
        lines.pop()
    return lines


def _coloured(pieces: list[Piece]) -> Text:
    text = Text()
    for kind, piece in pieces:
        if kind == "delete":
            text.append(piece, style="bold red strike")
        elif kind == "insert":
            text.append(piece, style="bold green")
        else:
            text.append(piece)
    return text
