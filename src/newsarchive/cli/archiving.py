"""Archiving: `fetch`, `import`, `update` and `reextract`.

The fetching and extraction stack (httpx, trafilatura) is imported inside each command, when it
runs: every other command starts without it.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
import rich.table
import rich.text

from newsarchive.articles import choose, find_article
from newsarchive.cli.core import Env, ExitCode, batch_exit_code, cli, exit_code_for, pass_env
from newsarchive.cli.options import (
    Crawl,
    ListFile,
    Target,
    age,
    capture_option,
    day_option,
    extract_timeout_option,
    image_options,
    json_option,
    network_options,
    politeness_options,
    template_option,
    wayback_options,
)
from newsarchive.cli.output import (
    RunDisplay,
    display_path,
    echo_json,
    json_line,
    spinner,
    stop_on_ctrl_c,
)
from newsarchive.errors import NewsArchiveError, StoreError, UsageError
from newsarchive.models import FetchOptions, ImageOptions
from newsarchive.outcome import Outcome
from newsarchive.store import Archive
from newsarchive.urls import check_url, is_local_target

if TYPE_CHECKING:
    from newsarchive.batch import BatchReport, FailedList
    from newsarchive.discover import Filters as DiscoveryFilters
    from newsarchive.reextract import Reextracted
    from newsarchive.sources import Inputs
    from newsarchive.wayback import WaybackOptions


def _end(code: int) -> None:
    if code:
        raise click.exceptions.Exit(code)


def _find_all(
    env: Env, archive: Archive, targets: Iterable[str], as_json: bool = False
) -> tuple[list[Path], list[NewsArchiveError]]:
    """The files `targets` name (paths or URLs); each one not found is an error said at once
    (and, `as_json`, a JSON line as an update's failure)."""
    paths: list[Path] = []
    failures: list[NewsArchiveError] = []
    for target in targets:
        try:
            paths.append(find_article(archive, target))
        except NewsArchiveError as exc:
            failures.append(exc)
            env.error(str(exc))
            if as_json:
                echo_json(env.out, Outcome.failure(target, exc, changed=()).to_json())
    return paths, failures


# ---------------------------------------------------------------------------------------------
# fetch


@cli.command()
@click.argument("targets", nargs=-1, required=True, type=Target(), metavar="URL_OR_FILE...")
@click.option("--url", "source_url", metavar="URL", help="Original URL of a saved HTML file.")
@network_options
@click.option("--force", is_flag=True, help="Fetch again and overwrite an archived URL.")
@click.option(
    "--discard-edits",
    is_flag=True,
    help="With --force: throw away hand edits of the text instead of keeping them as a revision.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@capture_option("Keep the raw response as a WARC file.")
@image_options
@template_option
@wayback_options
@json_option("Print one JSON object per input.")
@pass_env
def fetch(
    env: Env,
    targets: tuple[str, ...],
    source_url: str | None,
    fetch_options: FetchOptions,
    force: bool,
    discard_edits: bool,
    dry_run: bool,
    capture: bool,
    images: ImageOptions,
    template: str | None,
    wayback: WaybackOptions,
    as_json: bool,
) -> None:
    """Archive articles from URLs or saved HTML files.

    Prints the path of each archived file on stdout, one per line. An article
    that is already archived (under any variant of its URL) is not fetched again.
    With --force it is, and its file is replaced: your own front-matter keys and tags
    are kept, and a text you edited by hand is kept as a revision first.

    \b
    Examples:
      newsarchive fetch https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive fetch --json URL1 URL2
      newsarchive fetch page.html.gz --url https://example.org/story
      newsarchive fetch --dry-run --template '{date:%Y}/{site}/{slug}.md' URL
      newsarchive fetch --wayback https://example.org/2019/05/removed-story
    """
    from newsarchive import fetch as fetch_mod
    from newsarchive.pipeline import archive_target
    from newsarchive.userdata import Rewrite

    source_url = _source_url(source_url, targets)
    if discard_edits and not force:
        raise click.UsageError("--discard-edits goes with --force")
    archive = env.archive(template)
    captures = env.captures_root if capture else None
    rewrite = Rewrite(archive.root, env.captures_root, discard_edits=discard_edits)
    images = _with_files(env, images)
    counts: Counter[str] = Counter()
    failures: list[NewsArchiveError] = []
    done: dict[str, str | None] = {}  # each input given so far -> its article's URL
    with fetch_mod.make_client(fetch_options) as client:
        for target in targets:
            if target in done:  # given again: said once more, done once
                counts["duplicate"] += 1
                _show_repeat(env, Outcome(target, "duplicate", url=done[target]), as_json)
                continue
            done[target] = None
            try:
                with spinner(env.err, f"Fetching {target}"):
                    outcome = archive_target(
                        target,
                        archive,
                        client=client,
                        options=fetch_options,
                        source_url=source_url,
                        force=force,
                        dry_run=dry_run,
                        captures=captures,
                        wayback=wayback,
                        images=images,
                        rewrite=rewrite,
                    )
            except NewsArchiveError as exc:
                failures.append(exc)
                counts["failed"] += 1
                _show_failure(env, target, exc, as_json)
                continue
            counts[outcome.status] += 1
            done[target] = outcome.url
            _show_fetched(env, outcome, as_json)
    if len(targets) > 1:
        env.info(", ".join(f"{n} {status}" for status, n in counts.items()))
    _end(batch_exit_code(failures, len(done)))


def _with_files(env: Env, images: ImageOptions) -> ImageOptions:
    """`images`, saying where a new `_images` link points: the captures directory's images/,
    also when the captures themselves are not kept (--no-capture)."""
    return dataclasses.replace(images, files=env.captures_root / "images")


def _source_url(source_url: str | None, targets: tuple[str, ...]) -> str | None:
    """--url, checked: the URL of the one saved file given."""
    if source_url is None:
        return None
    if len(targets) != 1 or not is_local_target(targets[0]):
        raise click.UsageError("--url goes with exactly one saved HTML file")
    try:
        return check_url(source_url)
    except UsageError as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from exc


def _show_failure(env: Env, target: str, error: NewsArchiveError, as_json: bool) -> None:
    env.error(str(error))
    if as_json:
        data = Outcome.failure(target, error).to_json(display_path)
        echo_json(env.out, {**data, "exit_code": int(exit_code_for(error))})


def _show_repeat(env: Env, outcome: Outcome, as_json: bool) -> None:
    if as_json:
        echo_json(env.out, outcome.to_json(display_path))
    else:
        env.info(f"duplicate: {outcome.input}")


def _show_fetched(env: Env, outcome: Outcome, as_json: bool) -> None:
    assert outcome.path is not None
    shown = display_path(outcome.path)
    for note in outcome.notes:
        env.info(note)
    for warning in outcome.warnings:
        env.warn(warning)
    if outcome.status == "already archived":
        env.info(f"already archived: {shown}")
    elif outcome.status == "dry run":
        env.info(f"would write: {shown}")
        if not as_json and outcome.text is not None:
            env.err.print(outcome.text, markup=False, highlight=False, soft_wrap=True)
    if outcome.partial is not None:
        env.warn(f"partial article: {shown}: {outcome.partial}")
    if as_json:
        echo_json(env.out, outcome.to_json(display_path))
    else:
        click.echo(shown)  # plain, not rich: a path is data for scripts and is never wrapped


# ---------------------------------------------------------------------------------------------
# import


def _discovery_filters(
    since: date | None, until: date | None, limit: int | None, match: str | None
) -> DiscoveryFilters:
    from newsarchive import discover

    try:
        return discover.Filters(
            since=since,
            until=until,
            match=discover.compile_match(match) if match else None,
            limit=limit,
        )
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc


@cli.command(name="import")
@click.argument("files", nargs=-1, type=ListFile(), metavar="[FILE]...")
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="RSS or Atom feed to read.")
@click.option(
    "--sitemap", "sitemaps", multiple=True, metavar="URL", help="Sitemap or sitemap index."
)
@click.option(
    "--opml",
    "opml_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="OPML list of feeds to read.",
)
@day_option("--since", "Feed/sitemap entries dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@day_option("--until", "Feed/sitemap entries dated on or before DATE.", end=True)
@click.option("--limit", type=click.IntRange(min=0), help="At most this many discovered URLs.")
@click.option("--match", metavar="REGEX", help="Only discovered URLs matching REGEX.")
@network_options
@politeness_options(delay=0.0)
@image_options
@click.option(
    "--failed",
    "failed_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the URLs that failed here (default: newsarchive-failed-DATE-TIME.txt).",
)
@template_option
@wayback_options
@json_option("Print one JSON object per URL line.")
@pass_env
def import_urls_command(
    env: Env,
    files: tuple[str, ...],
    feeds: tuple[str, ...],
    sitemaps: tuple[str, ...],
    opml_files: tuple[str, ...],
    since: date | None,
    until: date | None,
    limit: int | None,
    match: str | None,
    fetch_options: FetchOptions,
    crawl: Crawl,
    images: ImageOptions,
    failed_file: Path | None,
    template: str | None,
    wayback: WaybackOptions,
    as_json: bool,
) -> None:
    """Archive every URL listed in FILEs (one per line; "-" reads standard input).

    Blank lines and "#" comments are ignored, repeated URLs are archived once, and
    URLs already in the archive are skipped without any request, so running the
    same import again continues where it stopped. Downloads run in parallel (politely:
    a limit per site, robots.txt and its Crawl-delay, backoff on errors) while the
    pages are extracted on every CPU core. Paths of archived files go to stdout.
    URLs that failed are written to a file, with the reason, to import again later.

    \b
    Examples:
      newsarchive import links.txt
      grep -o 'https://[^ ]*' report.md | newsarchive import -
      newsarchive import --delay 2 --per-host 1 --failed retry.txt links.txt
      newsarchive import --json links.txt > results.jsonl
      newsarchive import --feed https://www.themoscowtimes.com/rss/news --since 2021-09-01
      newsarchive import --sitemap https://example.org/news-sitemap.xml --match /2021/
      newsarchive import bookmarks.html
      newsarchive import --wayback links-from-2015.txt
    """
    from newsarchive.batch import BatchOptions, FailedList, import_urls

    if not (files or feeds or sitemaps or opml_files):
        raise click.UsageError("give a FILE of URLs, or --feed, --sitemap or --opml")
    captures = env.captures_root if crawl.capture else None
    options = BatchOptions(
        fetch=fetch_options,
        **crawl.options(),
        captures=captures,
        wayback=wayback,
        images=_with_files(env, images),
    )
    archive = env.archive(template)
    failed_path = failed_file or Path(f"newsarchive-failed-{datetime.now():%Y%m%d-%H%M%S}.txt")
    failed = FailedList(failed_path, keep_empty=failed_file is not None)
    filters = _discovery_filters(since, until, limit, match)
    inputs = _gather(env, files, feeds, sitemaps, opml_files, filters, fetch_options)
    stdin = _stdin_lines() if "-" in inputs.lists else None
    stop = threading.Event()
    display = _ImportDisplay(env, stop, inputs.total(), as_json, failed)
    with display, stop_on_ctrl_c(stop):
        report = import_urls(
            inputs.entries(stdin),
            archive,
            options,
            on_result=display.result,
            on_notice=display.notice,
            on_total=display.total,
            stop=stop,
        )
    _end(_finish_import(env, report, inputs, failed, failed_path, display.stdout_closed))


def _finish_import(
    env: Env,
    report: BatchReport,
    inputs: Inputs,
    failed: FailedList,
    failed_path: Path,
    stdout_closed: bool,
) -> int:
    """Close the failed list, print the summary; the import's exit code."""
    if report.interrupted:
        # So that importing the failed file later takes up exactly what was left.
        for entry in itertools.chain(report.not_done, inputs.after(report.last_read)):
            failed.add_not_done(entry)
    try:
        failed.close()
    except StoreError as exc:  # the summary is printed all the same, and says so
        failed.count = 0
        report.failure = report.failure or exc
    _print_summary(env, report, failed_path if failed.count else None, failed.not_done)
    if report.failure is not None:
        env.error(str(report.failure))
        return exit_code_for(report.failure)
    if stdout_closed:
        return ExitCode.OK
    if report.interrupted:
        return ExitCode.INTERRUPTED
    return ExitCode.PARTIAL if report.failed else ExitCode.OK  # a list is several inputs


def _gather(
    env: Env,
    files: tuple[str, ...],
    feeds: tuple[str, ...],
    sitemaps: tuple[str, ...],
    opml_files: tuple[str, ...],
    filters: DiscoveryFilters,
    options: FetchOptions,
) -> Inputs:
    """The import's URLs: the URL lists, and the URLs found in feeds, sitemaps and bookmarks."""
    from newsarchive.sources import gather

    with spinner(env.err, "Reading feeds"):
        inputs = gather(
            files,
            feeds=feeds,
            sitemaps=sitemaps,
            opml_files=opml_files,
            filters=filters,
            options=options,
            on_error=lambda error: env.warn(str(error)),
            on_note=env.info,
        )
    if inputs.searched:
        env.info(f"found {len(inputs.found)} URL(s) in feeds, sitemaps and bookmarks")
    return inputs


def _stdin_lines() -> Iterable[str]:
    """Standard input as UTF-8 lines whatever the locale; a bad byte only spoils its own line."""
    from newsarchive.batch import read_fd_lines

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by an in-memory stream
        return click.open_file("-", encoding="utf-8", errors="replace")
    return read_fd_lines(fd)


# How an import's results count on its progress bar: nothing was fetched for the skipped ones.
_IMPORT_KINDS = {"already archived": "skipped", "duplicate": "skipped", "invalid": "skipped"}


class _ImportDisplay(RunDisplay):
    """An import's results: paths or JSON lines on stdout; on stderr, a line per URL without a
    progress bar, and errors, warnings and notes always."""

    def __init__(
        self,
        env: Env,
        stop: threading.Event,
        total: int | None,
        as_json: bool,
        failed: FailedList,
    ) -> None:
        kinds = {"archived": "green", "skipped": "dim", "failed": "red"}
        super().__init__(env, stop, total=total, kinds=kinds, unit="URLs")
        self.as_json = as_json
        self.failed = failed

    def result(self, outcome: Outcome) -> None:
        if outcome.status == "failed":
            self.failed.add(outcome)
        if self.as_json:
            self.emit(json_line(outcome.to_json(display_path)))
        elif outcome.path is not None:
            self.emit(display_path(outcome.path))
        self._log(outcome)
        self.count(_IMPORT_KINDS.get(outcome.status, outcome.status))

    def _log(self, outcome: Outcome) -> None:
        env, where = self.env, f"{outcome.source}:{outcome.line}"
        if outcome.via is None:  # an article from the Wayback Machine says so on its own line
            for note in outcome.notes:
                env.info(note)
        for warning in outcome.warnings:
            env.warn(warning)
        if outcome.status == "failed":
            env.error(outcome.message or f"{outcome.input}: {outcome.reason}")
        elif outcome.status == "invalid":
            env.warn(f"{outcome.message} (skipped)")
        elif not self.has_bar:
            # Without a bar, one plain line per URL says what happened to it.
            shown = f" -> {display_path(outcome.path)}" if outcome.path is not None else ""
            said: str = outcome.status
            if outcome.via is not None and said == "archived":
                said = f"archived from the Wayback Machine ({outcome.snapshot})"
            env.info(f"{said}: {where}: {outcome.input}{shown}")
        if outcome.partial is not None:
            env.warn(f"partial article: {where}: {outcome.input}: {outcome.partial}")


def _print_summary(env: Env, report: BatchReport, failed_path: Path | None, not_done: int) -> None:
    counts = report.counts
    table = rich.table.Table(title="Import summary", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("URLs", justify="right")
    table.add_row("archived", str(counts["archived"]))
    if report.via_wayback:
        table.add_row("  from the Wayback Machine", str(report.via_wayback))
    if report.partial:
        table.add_row("  partial (paywall teaser, consent box)", str(report.partial))
    table.add_row("already archived", str(counts["already archived"]))
    if counts["duplicate"]:
        table.add_row("repeated in the list", str(counts["duplicate"]))
    if counts["invalid"]:
        table.add_row("not a URL (skipped)", str(counts["invalid"]))
    table.add_row("failed", str(report.failed))
    for reason, number in sorted(report.failures.items(), key=lambda item: (-item[1], item[0])):
        table.add_row(rich.text.Text(f"  {reason}"), str(number))
    if report.interrupted:
        table.add_row("not done (interrupted)", str(report.unfinished))
    rate = report.done / report.elapsed if report.elapsed > 0 else 0.0
    table.caption = f"{report.elapsed:.1f} s, {rate:.1f} URLs/s"
    env.err.print(table)
    if failed_path is not None:
        shown = display_path(failed_path.absolute())
        what = "failed URLs" if not_done == 0 else "failed URLs and those not done"
        if not report.failed:
            what = "URLs not done"
        env.info(f"{what} written to {shown}; retry them with: newsarchive import {shown}")
    if report.failure is not None:
        env.info(
            "stopped: the archive could not be written (below); once it can, run the same"
            " command again to continue where it stopped"
        )
    elif report.interrupted:
        env.info("interrupted: run the same command again to continue where it stopped")


# ---------------------------------------------------------------------------------------------
# update


# `update` extracts in extraction processes (when --jobs is not given) from this many articles
# on: starting them costs 1-3 s, and extracting a page about 0.1 s of CPU.
UPDATE_POOL_FROM = 30


@cli.command()
@click.argument("targets", nargs=-1, metavar="[PATH_OR_URL]...")
@click.option("--all", "every", is_flag=True, help="Every article in the archive.")
@day_option("--since", "Only articles published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option(
    "--older-than",
    metavar="AGE",
    callback=age,
    help="Only articles last fetched or checked more than AGE ago (e.g. 12h, 7d, 2w).",
)
@network_options
@politeness_options(delay=1.0, jobs_from=UPDATE_POOL_FROM)
@image_options
@json_option("Print one JSON object per article.")
@pass_env
def update(
    env: Env,
    targets: tuple[str, ...],
    every: bool,
    since: date | None,
    older_than: float | None,
    fetch_options: FetchOptions,
    crawl: Crawl,
    images: ImageOptions,
    as_json: bool,
) -> None:
    """Fetch archived articles again and keep a revision when their text changed.

    The file shows the latest text, with the earlier versions listed under `revisions:`
    in its front-matter and kept whole in the captures directory. An unchanged article only
    gets a new `checked:` time; one that now answers 404 or 410 is marked `gone:` and keeps
    its text; one that cannot be fetched is left as it is. Downloads are as polite as
    `import`'s: limits per site, robots.txt and its Crawl-delay, backoff on errors.
    Prints the paths of changed articles (--json: a JSON object for every article).

    \b
    Examples:
      newsarchive update --all --older-than 7d
      newsarchive update --all --json > checked.jsonl
      newsarchive update --since 2021-09-01 --all
      newsarchive update --all --per-host 1 --delay 5
      newsarchive update https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
    """
    from newsarchive.revisions import UpdateOptions, update_articles

    if bool(targets) == every:
        raise click.UsageError("give article files or URLs, or --all (not both)")
    archive = env.existing_archive()
    chosen = choose(archive, since=since, older_than=older_than, on_error=env.skipped)
    paths = list(chosen) if every else []
    found, failures = _find_all(env, archive, targets, as_json)
    paths += found
    jobs = crawl.jobs
    if jobs is None and len(paths) < UPDATE_POOL_FROM:
        jobs = 0  # starting extraction processes would cost more than it saves
    crawled = {**crawl.options(), "jobs": jobs}
    options = UpdateOptions(
        fetch=fetch_options, **crawled, capture=crawl.capture, images=_with_files(env, images)
    )
    stop = threading.Event()
    display = _UpdateDisplay(env, stop, len(paths), as_json)
    with display, stop_on_ctrl_c(stop):
        report = update_articles(
            paths,
            archive,
            env.captures_root,
            options,
            on_result=display.result,
            on_notice=display.notice,
            stop=stop,
        )
    failures += display.errors
    counts = report.counts
    env.info(
        f"{counts['changed']} changed, {counts['unchanged']} unchanged, {counts['gone']} gone"
        + (f", {len(failures)} failed" if failures else "")
    )
    if report.interrupted:
        env.info(f"interrupted: {report.unfinished} not checked")
    if display.stdout_closed:
        return
    if report.interrupted:
        _end(ExitCode.INTERRUPTED)
    _end(batch_exit_code(failures, len(targets) or len(paths)))


class _UpdateDisplay(RunDisplay):
    """An update's results: changed paths on stdout; on stderr, a line per changed, gone or
    failed article."""

    def __init__(self, env: Env, stop: threading.Event, total: int, as_json: bool) -> None:
        kinds = {"changed": "green", "unchanged": "dim", "gone": "yellow", "failed": "red"}
        super().__init__(env, stop, total=total, kinds=kinds, unit="articles")
        self.as_json = as_json
        self.errors: list[NewsArchiveError] = []

    def result(self, outcome: Outcome) -> None:
        assert outcome.path is not None
        shown = display_path(outcome.path)
        for warning in outcome.warnings:
            self.env.warn(warning)
        if self.as_json:
            self.emit(json_line({**outcome.to_json(display_path), "input": shown}))
        elif outcome.status == "changed":
            self.emit(shown)
        if outcome.status == "changed":
            self.env.info(f"changed ({', '.join(outcome.changed or ())}): {shown}")
        elif outcome.status == "gone":
            self.env.info(f"gone: {shown}")
        elif outcome.error is not None:
            self.errors.append(outcome.error)
            self.env.error(str(outcome.error))
        self.count(outcome.status)


# ---------------------------------------------------------------------------------------------
# reextract


@cli.command()
@click.argument("targets", nargs=-1, metavar="[PATH_OR_URL]...")
@click.option("--all", "every", is_flag=True, help="Every article that has a capture.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option(
    "--discard-edits",
    is_flag=True,
    help="Throw away hand edits of the text instead of keeping them as a revision.",
)
@extract_timeout_option
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    help="Extraction processes (default: one per CPU core from 30 articles on; 0: none).",
)
@pass_env
def reextract(
    env: Env,
    targets: tuple[str, ...],
    every: bool,
    dry_run: bool,
    discard_edits: bool,
    extract_timeout: float,
    jobs: int | None,
) -> None:
    """Extract archived articles again from their raw captures, with no network.

    For when the extractor improves. Keeps each article's URL, fetch time and capture, and
    rewrites a file in place only when its content changes; prints the changed paths. The
    articles are extracted on every CPU core, with a progress bar on a terminal. Your own
    front-matter keys and tags are kept. A text you edited by hand stays while extraction
    gives the text that was archived; when it gives another, your version is kept as a
    revision first (--discard-edits: thrown away, and the text extracted again).

    \b
    Examples:
      newsarchive reextract --all
      newsarchive reextract --dry-run archive/2021/09/2021-09-14-mali-junta-in-talks.md
    """
    from newsarchive.reextract import Edits, reextract_files

    if bool(targets) == every:
        raise click.UsageError("give article files or URLs, or --all (not both)")
    archive = env.existing_archive()
    if every:
        listed = archive.articles(on_error=env.skipped)
        paths = [path for path, meta in listed if meta.get("capture")]
        failures: list[NewsArchiveError] = []
    else:
        paths, failures = _find_all(env, archive, targets)
    if jobs is None and len(paths) < UPDATE_POOL_FROM:
        jobs = 0  # starting extraction processes would cost more than it saves
    display = _ReextractDisplay(env, threading.Event(), len(paths), dry_run)
    with display:
        reextract_files(
            archive,
            paths,
            env.captures_root,
            dry_run=dry_run,
            edits=Edits(discard=discard_edits, time_limit=extract_timeout),
            jobs=jobs,
            on_result=display.result,
        )
    failures += display.errors
    counts = display.tally
    verb = "would change" if dry_run else "changed"
    env.info(
        f"{counts[verb]} {verb}, {counts['unchanged']} unchanged"
        + (f", {len(failures)} failed" if failures else "")
    )
    if display.stdout_closed:
        return
    _end(batch_exit_code(failures, len(paths) if every else len(targets)))


class _ReextractDisplay(RunDisplay):
    """A re-extraction's results: changed paths on stdout; errors on stderr."""

    def __init__(self, env: Env, stop: threading.Event, total: int, dry_run: bool) -> None:
        self.verb = "would change" if dry_run else "changed"
        kinds = {self.verb: "green", "unchanged": "dim", "failed": "red"}
        super().__init__(env, stop, total=total, kinds=kinds, unit="articles")
        self.errors: list[NewsArchiveError] = []

    def result(self, path: Path, done: Reextracted | NewsArchiveError) -> None:
        if isinstance(done, NewsArchiveError):
            self.errors.append(done)
            self.env.error(str(done))
            self.count("failed")
            return
        for notice in done.notices:
            self.env.warn(notice)
        if done.result == "changed":
            self.emit(display_path(path))
            self.count(self.verb)
        else:
            self.count("unchanged")
