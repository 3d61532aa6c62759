"""Finding things: `grep`, `search`, `list`, `stats`, `export` and `reindex`."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from newsarchive import export as export_mod
from newsarchive.cli.core import Env, cli, pass_env
from newsarchive.cli.options import filter_options, json_option
from newsarchive.cli.output import display_path, echo_json, printable, spinner
from newsarchive.errors import NewsArchiveError
from newsarchive.grep import FileMatches, GrepOptions, grep
from newsarchive.payload import describe_size
from newsarchive.search import Entry, Filters, Hit, RefreshReport, split_marks

if TYPE_CHECKING:
    from newsarchive.search import SearchIndex

# The search index (and its stemmers and worker processes) is imported by the commands that
# use it, when they run: grep and the others start without it.

_MATCH_STYLE = "bold red"
_HIGHLIGHT_STYLE = "bold yellow"


def _open_index(env: Env, *, full: bool | None = None) -> tuple[SearchIndex, RefreshReport]:
    """The search index, brought up to date; warns about files it had to skip."""
    from newsarchive.search import SearchIndex

    index = SearchIndex(env.existing_archive())
    with spinner(env.err, "Updating the search index"):
        report = index.refresh(full=full)
    _warn_problems(env, report)
    return index, report


def _warn_problems(env: Env, report: RefreshReport) -> None:
    for problem in report.problems:
        env.skipped_file(problem.path, problem.error)


def _one_line(text: str) -> str:
    return printable(" ".join(text.split()))


def _articles(n: int) -> str:
    return "1 article" if n == 1 else f"{n} articles"


def _field_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--in: where grep and search look."""
    choice = click.Choice(["all", "title", "body"])
    return click.option("--in", "field", type=choice, default="all", show_default=True, help=help)


def _site(entry: Entry) -> str:
    """The site's name, else its host name (pages that name no publication)."""
    return printable(entry.site or entry.hostname or "")


# ---------------------------------------------------------------------------------------------
# grep


@cli.command(name="grep")
@click.argument("pattern")
@click.option("-F", "--fixed-strings", "fixed", is_flag=True, help="PATTERN is plain text.")
@click.option("-i", "--ignore-case", is_flag=True, help="Ignore case.")
@click.option("-w", "--word-regexp", "word", is_flag=True, help="Match whole words only.")
@click.option(
    "-C",
    "--context",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Show N lines around each match.",
)
@click.option("-l", "--files-with-matches", "files_only", is_flag=True, help="Print file names.")
@click.option("-c", "--count", is_flag=True, help="Print the number of matching lines per file.")
@_field_option("Search the title, the body, or the whole file (front-matter and body).")
@filter_options
@json_option("Print one JSON object per matching line.")
@pass_env
def grep_cmd(
    env: Env,
    pattern: str,
    fixed: bool,
    ignore_case: bool,
    word: bool,
    context: int,
    files_only: bool,
    count: bool,
    field: str,
    filters: Filters,
    as_json: bool,
) -> None:
    """Search the archive's files for a regular expression, like grep.

    Prints `path:line: text` for every matching line (matches highlighted on a
    terminal). Exit status as grep's: 0 when something matched, 1 when nothing
    did, 2 on an error (bad pattern or date, unreadable archive).

    \b
    Examples:
      newsarchive grep Wagner
      newsarchive grep -iw 'putin|путин' --since 2022-02 --site moscowtimes
      newsarchive grep -F 'C++' --in title -l
      newsarchive grep -C 2 --json 'Bündnis 90'
    """
    options = GrepOptions(
        pattern=pattern,
        fixed=fixed,
        ignore_case=ignore_case,
        word=word,
        context=context,
        field=field,  # type: ignore[arg-type]  # click.Choice guarantees the literal
        filters=filters,
    )

    def skipped(path: Path, reason: str) -> None:
        env.warn(f"{display_path(path)}: {reason} (skipped)")

    found = False
    try:
        for result in grep(env.existing_archive(), options, on_error=skipped):
            if as_json:
                _grep_json(env, result, files_only or count)
            else:
                _grep_lines(env, result, files_only, count, context, after_another=found)
            found = True
    except NewsArchiveError as exc:
        # grep's convention, not the group's: 1 means "no match", so errors are 2.
        env.error(str(exc))
        raise SystemExit(2) from exc
    if not found:
        raise SystemExit(1)


def _grep_json(env: Env, result: FileMatches, per_file: bool) -> None:
    base = {"path": display_path(result.path), "title": result.title, "url": result.url}
    if per_file:
        echo_json(env.out, {**base, "count": result.count})
        return
    for line in result.lines:
        if line.is_match:
            echo_json(
                env.out, {**base, "line": line.number, "text": line.text, "matches": line.spans}
            )


def _grep_lines(
    env: Env, result: FileMatches, files_only: bool, count: bool, context: int, after_another: bool
) -> None:
    shown = display_path(result.path)
    if files_only:
        click.echo(shown)
        return
    if count:
        click.echo(f"{shown}:{result.count}")
        return
    previous = None
    for line in result.lines:
        # As grep: with context, "--" goes between groups of lines that do not touch.
        if context and (after_another if previous is None else line.number != previous + 1):
            click.echo("--")
        previous = line.number
        separator = ":" if line.is_match else "-"
        if env.out.is_terminal:
            text = Text(shown, style="magenta")
            text.append(separator, style="cyan")
            text.append(str(line.number), style="green")
            text.append(separator + " ", style="cyan")
            start = len(text)
            text.append(printable(line.text))
            for begin, end in line.spans:
                text.stylize(_MATCH_STYLE, start + begin, start + end)
            env.out.print(text, soft_wrap=True)
        else:
            click.echo(f"{shown}{separator}{line.number}{separator} {printable(line.text)}")


# ---------------------------------------------------------------------------------------------
# search


@cli.command(name="search")
@click.argument("query", nargs=-1, required=True)
@_field_option(
    "Search everywhere (title, description, authors, tags, body), the title or the body."
)
@filter_options
@click.option(
    "-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Best N hits."
)
@json_option("Print one JSON object per hit.")
@pass_env
def search_cmd(
    env: Env, query: tuple[str, ...], field: str, filters: Filters, limit: int, as_json: bool
) -> None:
    """Full-text search, best matches first.

    Words, "phrases", =exact words, prefix*, AND / OR / NOT and parentheses; case
    and accents do not matter (bundnis finds Bündnis). A word also finds its other
    forms in the archive's languages, or in the one --lang names (переговоры finds
    переговоров); a "phrase" or =word only the very form. Chinese, Japanese,
    Korean and Thai words are found inside the text around them. Titles weigh
    more than body text. Exit status as grep's: 0 when something matched, 1
    when nothing did, 2 on an error.

    \b
    Examples:
      newsarchive search wagner mali
      newsarchive search '"private military" AND (mali OR sudan) NOT syria'
      newsarchive search 'sanction*' --site reuters --since 2022 --limit 5
      newsarchive search переговоры --lang ru --json
      newsarchive search '=negotiations' 虐待
    """
    try:
        index, _ = _open_index(env)
        with index:
            hits = index.search(
                " ".join(query),
                filters=filters,
                field=field,  # type: ignore[arg-type]  # click.Choice guarantees the literal
                limit=limit,
            )
    except NewsArchiveError as exc:
        # grep's convention, as `grep` has it: 1 means "no match", so errors are 2.
        env.error(str(exc))
        raise SystemExit(2) from exc
    if not hits:
        env.info("no matching articles")
        raise SystemExit(1)
    for n, hit in enumerate(hits):
        _print_hit(env, hit, first=n == 0, as_json=as_json)


def _print_hit(env: Env, hit: Hit, *, first: bool, as_json: bool) -> None:
    entry = hit.entry
    snippet, spans = split_marks(hit.snippet.replace("\n", " "))
    snippet = printable(snippet)
    shown = display_path(entry.path)
    if as_json:
        data = {
            "path": shown,
            "date": entry.date,
            "site": entry.site,
            "hostname": entry.hostname,
            "title": entry.title,
            "url": entry.url,
            "score": round(hit.score, 3),
            "snippet": snippet,
            "matches": spans,
        }
        echo_json(env.out, data)
        return
    head = "  ".join(part for part in (entry.date or "undated", _site(entry)) if part)
    if not env.out.is_terminal:
        if not first:
            click.echo("")
        click.echo(f"{head}  {_one_line(entry.title)}")
        click.echo(f"  {shown}")
        if snippet.strip():
            click.echo(f"  {snippet}")
        return
    if not first:
        env.out.print()
    _print_entry(env, entry)
    if snippet.strip():
        body = Text(snippet)
        for begin, end in spans:
            body.stylize(_HIGHLIGHT_STYLE, begin, end)
        env.out.print(Padding(body, (0, 0, 0, 2)), soft_wrap=False)


def _print_entry(env: Env, entry: Entry) -> None:
    """An article on a terminal: its date, site and title, wrapped at word boundaries, then
    its path on a line of its own, never wrapped, so that it can be copied whole."""
    head = "  ".join(part for part in (entry.date or "undated", _site(entry)) if part)
    text = Text(head + "  ", style="dim")
    text.append(_one_line(entry.title), style="bold")
    env.out.print(text, soft_wrap=False)
    shown = display_path(entry.path)
    indent = "  " if len(shown) + 2 <= env.out.width else ""  # a long path gets every column
    env.out.print(Text(indent + shown, style="magenta"), soft_wrap=True)


# ---------------------------------------------------------------------------------------------
# list


@cli.command(name="list")
@filter_options
@click.option(
    "--sort",
    type=click.Choice(["date", "fetched", "title", "site", "path"]),
    default="date",
    show_default=True,
    help="Order: dates newest first, names A to Z.",
)
@click.option("--reverse", is_flag=True, help="Reverse the order.")
@click.option("-n", "--limit", type=click.IntRange(min=1), help="Show at most N articles.")
@json_option("Print one JSON object per article.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: date, site, title, path, url.")
@pass_env
def list_cmd(
    env: Env,
    filters: Filters,
    sort: str,
    reverse: bool,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """List archived articles: date, site, title and path.

    On a terminal, each article's date, site and title, then its path on a line of its own;
    tab-separated lines when piped.

    \b
    Examples:
      newsarchive list --limit 10
      newsarchive list --site 'moscow times' --since 2021-09 --sort title
      newsarchive list --author 'Benoit' --json
      newsarchive list --lang de --csv > german.csv
    """
    if as_json and as_csv:
        raise click.UsageError("--json and --csv do not go together")
    index, _ = _open_index(env)
    with index:
        entries = index.entries(
            filters=filters,
            sort=sort,  # type: ignore[arg-type]  # click.Choice guarantees the literal
            reverse=reverse,
            limit=limit,
        )
    if as_json:
        for entry in entries:
            echo_json(env.out, {**entry.to_json(), "path": display_path(entry.path)})
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["date", "site", "title", "path", "url"])
        for entry in entries:
            fields = [entry.date or "", _site(entry), entry.title, display_path(entry.path)]
            writer.writerow([*fields, entry.url or ""])
    elif not env.out.is_terminal:
        for entry in entries:
            fields = [entry.date or "", _site(entry), _one_line(entry.title)]
            click.echo("\t".join([*fields, display_path(entry.path)]))
    else:
        for entry in entries:
            _print_entry(env, entry)


# ---------------------------------------------------------------------------------------------
# stats, export, reindex


@cli.command(name="stats")
@filter_options
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Rows per table (0: all); months shows the latest N.",
)
@json_option("Print every count as one JSON object.")
@pass_env
def stats_cmd(env: Env, filters: Filters, top: int, as_json: bool) -> None:
    """Count the archive's articles by site, month, language and author.

    \b
    Examples:
      newsarchive stats
      newsarchive stats --since 2021 --top 5
      newsarchive stats --site reuters --json
    """
    index, _ = _open_index(env, full=True)
    with index:
        stats = export_mod.compute_stats(index.entries(filters=filters, sort="path"))
    if as_json:
        echo_json(env.out, stats.to_json())
        return
    span = f"published {stats.first} to {stats.last}" if stats.first else "no publication dates"
    size = describe_size(stats.size)
    env.out.print(
        Text(f"{_articles(stats.articles)}, {size}, {span} ({stats.undated} undated)"),
        soft_wrap=True,
    )
    limit = top or None
    months = list(stats.months)
    for title, rows in (
        ("site", stats.sites[:limit]),
        ("month", months[-limit:] if limit else months),
        ("language", stats.languages[:limit]),
        ("author", stats.authors[:limit]),
    ):
        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column(title)
        table.add_column("articles", justify="right")
        for name, n in rows:
            table.add_row(Text(name), str(n))
        env.out.print()
        env.out.print(table)


@cli.command(name="export")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(list(export_mod.FORMATS)),
    default="jsonl",
    show_default=True,
    help="jsonl or csv (every front-matter field), bibtex or csl-json (citations).",
)
@click.option("--with-body", is_flag=True, help="Add the Markdown body (jsonl and csv).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output.",
)
@filter_options
@pass_env
def export_cmd(env: Env, fmt: str, with_body: bool, output: Path | None, filters: Filters) -> None:
    """Export every article's metadata for pandas/R, or as citations.

    \b
    Examples:
      newsarchive export --format csv > articles.csv
      newsarchive export --format jsonl --with-body -o corpus.jsonl
      newsarchive export --format bibtex --site 'moscow times' > news.bib
      newsarchive export --format csl-json --since 2021 -o news.json
    """
    if with_body and fmt in ("bibtex", "csl-json"):
        raise click.UsageError(f"--with-body goes with jsonl or csv, not {fmt}")
    index, _ = _open_index(env, full=True)
    with index:
        records = index.records(filters=filters, with_body=with_body)
        if output is None:
            n = export_mod.export(records, fmt, sys.stdout)  # type: ignore[arg-type]
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                n = export_mod.export(records, fmt, handle)  # type: ignore[arg-type]
    env.info(f"exported {_articles(n)}" + (f" to {output}" if output else ""))


@cli.command(name="reindex")
@click.option(
    "--changed",
    is_flag=True,
    help="Only re-read files whose size or time changed, instead of rebuilding.",
)
@pass_env
def reindex_cmd(env: Env, changed: bool) -> None:
    """Rebuild the search index and the URL index from the archive's files.

    Both are derived data kept outside the archive; the files are the truth.
    Searches keep the index current on their own; run this after editing many
    files in place, or to start afresh.

    \b
    Examples:
      newsarchive reindex
      newsarchive reindex --changed
    """
    from newsarchive.search import SearchIndex

    started = time.perf_counter()
    archive = env.existing_archive()
    index = SearchIndex(archive)
    with index, spinner(env.err, "Indexing the archive"):
        if changed:
            report = index.refresh(full=True)
        else:
            # The URL index from what the search index reads (every file is parsed once),
            # rebuilt while the search index is being written.
            report = index.rebuild(alongside=lambda known: archive.rebuild_index(known=known))
        count = index.count()
    _warn_problems(env, report)
    elapsed = time.perf_counter() - started
    if changed:
        env.info(
            f"{report.added} added, {report.updated} updated, {report.removed} removed;"
            f" {_articles(count)} indexed ({elapsed:.1f} s)"
        )
    else:
        env.info(f"{_articles(count)} indexed ({elapsed:.1f} s)")
