"""Reading one article: `show`, `open` and `path`.

On a terminal, `show` wraps text at word boundaries and never breaks a path or a URL (a line
holding one is as long as it needs to be), and pages a long article through the user's pager,
as git does; piped, it prints the article unwrapped, for other programs.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from newsarchive.articles import find_article, read_article, read_text
from newsarchive.cli.core import Env, batch_exit_code, cli, pass_env
from newsarchive.cli.output import display_path, open_with_system, pager, printable
from newsarchive.errors import NewsArchiveError, StoreError
from newsarchive.frontmatter import FrontMatterError, is_newsarchive, loads
from newsarchive.search import article_text

# ---------------------------------------------------------------------------------------------
# show


@cli.command(name="show")
@click.argument("target", metavar="URL_OR_PATH")
@click.option("--raw", is_flag=True, help="Print the file exactly as stored.")
@click.option("--no-pager", is_flag=True, help="Print straight to the terminal, not to $PAGER.")
@pass_env
def show_cmd(env: Env, target: str, raw: bool, no_pager: bool) -> None:
    """Show an archived article: its front-matter as a header, then the text.

    TARGET is the article's URL (any variant the archive knows it by) or its file. On a
    terminal the article goes through your pager ($PAGER, else `less -R`), as with git.

    \b
    Examples:
      newsarchive show https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive show archive/2021/09/2021-09-14-mali-junta-in-talks.md
      newsarchive show --raw archive/2021/09/2021-09-14-mali-junta-in-talks.md
      PAGER=cat newsarchive show https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
    """
    path = find_article(env.existing_archive(), target)
    text = read_text(path)
    meta: dict[str, Any] | None = None
    if not raw:
        try:
            meta, body = loads(text)
        except FrontMatterError as exc:
            env.warn(f"{display_path(path)}: {exc}; showing the file as stored")
        else:
            if not is_newsarchive(meta):
                shown = display_path(path)
                env.warn(f"{shown}: not a newsarchive article; showing the file as stored")
                meta = None
    with pager(env.out, enabled=not no_pager):
        if meta is None:
            stored = printable(text) if env.out.is_terminal else text  # no escapes to a terminal
            env.out.print(stored, end="" if text.endswith("\n") else "\n", markup=False, crop=False)
            return
        _print_header(env.out, meta, display_path(path))
        # The header already gives the title, date and URL that the file's body repeats.
        _print_body(env.out, printable(article_text(body, meta, keep_byline=True)))


def _print_header(out: Console, meta: dict[str, Any], shown: str) -> None:
    """The title, then one line per field. A URL or path is never wrapped: its line is as long
    as it needs to be, so that it can be copied whole."""
    wrap = out.is_terminal
    out.print(Text(_one_line(str(meta.get("title") or "")), style="bold"), soft_wrap=not wrap)
    fields = [
        ("authors", meta.get("authors")),
        ("published", meta.get("published")),
        ("site", meta.get("site") or meta.get("hostname")),
        ("url", meta.get("url")),
        ("fetched", meta.get("fetched")),
        ("tags", meta.get("tags")),
        ("file", shown),
    ]
    for label, value in fields:
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        line = Text(f"{label:<10}", style="dim")
        line.append(printable(str(value)), style="magenta" if label in ("url", "file") else "")
        out.print(line, soft_wrap=label in ("url", "file") or not wrap, crop=False)
    out.rule(style="dim")


def _print_body(out: Console, body: str) -> None:
    """The article's Markdown, rendered. On a terminal, paragraphs are wrapped at word
    boundaries; one showing a word too long for a line (a URL) is wrapped at its spaces only
    and shown as written, since the renderer would cut such a word in two."""
    # Imported here: markdown-it is the slowest import of all, and only `show` needs it.
    from rich.markdown import Markdown

    # An image as a link to it: rich draws an image inline with text by dropping some of the
    # words that follow it on the line, when it wraps.
    body = _IMAGE.sub(r"[🖼 \1](\2)", body)
    if not out.is_terminal:
        out.print(Markdown(body))
        return
    room = max(out.width - 8, 20)  # what a line has left inside a quote or a nested list
    for number, (plain, chunk) in enumerate(_chunks(body, room)):
        if number:
            out.print()
        if not plain:
            out.print(Markdown(chunk), soft_wrap=False)
            continue
        for line in chunk.splitlines():
            wrapped = textwrap.wrap(
                line, out.width, break_long_words=False, break_on_hyphens=False
            ) or [""]
            for piece in wrapped:
                out.print(Text(piece), soft_wrap=True, crop=False)


_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")


def _chunks(body: str, room: int) -> Iterator[tuple[bool, str]]:
    """The body in runs of Markdown blocks (split at blank lines, never inside a fenced code
    block): (True, block) for a block holding a word longer than `room`, else (False, run)."""
    long_word = re.compile(rf"\S{{{room + 1},}}")
    hidden = re.compile(r"\]\([^)\s]*\)")  # a link's or an image's address: not shown
    blocks: list[str] = []
    fence = False
    for block in body.split("\n\n"):
        if fence:
            blocks[-1] += "\n\n" + block
        else:
            blocks.append(block)
        fence ^= block.count("```") % 2 == 1
    run: list[str] = []
    for block in blocks:
        if "```" not in block and long_word.search(hidden.sub("]", block)):
            if run:
                yield False, "\n\n".join(run)
                run = []
            yield True, block
        else:
            run.append(block)
    if run:
        yield False, "\n\n".join(run)


def _one_line(text: str) -> str:
    return printable(" ".join(text.split()))


# ---------------------------------------------------------------------------------------------
# open, path


@cli.command(name="open")
@click.argument("target", metavar="URL_OR_PATH")
@click.option("--url", "original", is_flag=True, help="Open the original web page instead.")
@pass_env
def open_cmd(env: Env, target: str, original: bool) -> None:
    """Open an archived article with the system's opener: its Markdown file, or its
    original URL in the browser (--url).

    The opener is xdg-open on Linux, open on macOS, the file's associated program on
    Windows.

    \b
    Examples:
      newsarchive open https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive open --url archive/2021/09/2021-09-14-mali-junta-in-talks.md
    """
    path = find_article(env.existing_archive(), target)
    if not original:
        open_with_system(str(path))
        return
    url = read_article(path).meta.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise StoreError(display_path(path), "the front-matter gives no http(s) url")
    open_with_system(url)


@cli.command(name="path")
@click.argument("targets", nargs=-1, required=True, metavar="URL_OR_PATH...")
@pass_env
def path_cmd(env: Env, targets: tuple[str, ...]) -> None:
    """Print the file of each article named by its URL (any variant the archive knows), one
    per line, for scripts.

    \b
    Examples:
      newsarchive path https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      vim "$(newsarchive path https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044)"
    """
    archive = env.existing_archive()
    failures: list[NewsArchiveError] = []
    for target in targets:
        try:
            path = find_article(archive, target)
        except NewsArchiveError as exc:
            failures.append(exc)
            env.error(str(exc))
            continue
        click.echo(display_path(path))
    code = batch_exit_code(failures, len(targets))
    if code:
        raise click.exceptions.Exit(code)
