"""An article's versions: `history` and `diff`.

The revisions module comes with the extractor (trafilatura), so it is imported when a command
runs, not when the program starts.
"""

from __future__ import annotations

import dataclasses
import difflib
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

    path = find_article(env.archive(), target)
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
@json_option("Print the changes as JSON lines.")
@pass_env
def diff(env: Env, target: str, revs: tuple[int, ...], as_json: bool) -> None:
    """Show what changed between two versions of an article, word by word.

    By default, the previous version against the current one. Coloured on a terminal, a
    unified diff when piped.

    \b
    Examples:
      newsarchive diff https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive diff --rev 1 --rev 3 archive/2021/09/2021-09-14-mali-junta-in-talks.md
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
        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"rev {old_v.number} ({old_v.fetched})",
            tofile=f"rev {new_v.number} ({new_v.fetched})",
        )
        click.echo("".join(lines), nl=False)
    else:
        env.out.print(_coloured_diff(word_diff(old, new)))


def _coloured_diff(changes: list[Change]) -> Text:
    text = Text()
    for change in changes:
        if change.op == "equal":
            text.append(change.old)
            continue
        if change.old:
            text.append(change.old, style="bold red strike")
        if change.new:
            text.append(change.new, style="bold green")
    return text
