"""The command-line interface: the only module that imports click and rich.

Every command body stays short: it parses options into library values, calls the library and
prints. Errors become exit codes in one place, `exit_code_for`, used by `main`.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from newsarchive.capture import default_captures_root
from newsarchive.config import load_config, parse_size
from newsarchive.errors import (
    ConfigError,
    ContentError,
    ExtractionError,
    HTTPStatusError,
    NetworkError,
    NewsArchiveError,
    UsageError,
)
from newsarchive.frontmatter import FrontMatterError, loads
from newsarchive.models import FetchOptions
from newsarchive.store import Archive, validate_template
from newsarchive.urls import check_url
from newsarchive.verify import Report as VerifyReport
from newsarchive.verify import verify_archive

if TYPE_CHECKING:
    from newsarchive.pipeline import Outcome
    from newsarchive.revisions import UpdateResult, Version
    from newsarchive.wayback import WaybackOptions

# Commands import the fetching and extraction modules when they run: they load httpx,
# trafilatura and lxml, which would otherwise slow the start of every command (search, list).


class ExitCode(IntEnum):
    """Exit statuses; documented in the README and tested."""

    OK = 0
    ERROR = 1  # an unexpected error, or the archive cannot be written
    USAGE = 2  # bad arguments, URL, template or config file (click's own code for usage errors)
    PARTIAL = 3  # several inputs, and at least one of them failed
    NETWORK = 4  # DNS, connection refused, timeout, TLS, redirect loop, truncated response
    HTTP = 5  # the server answered 4xx or 5xx
    CONTENT = 6  # not HTML, too large, compression bomb, empty response, unreadable file
    NO_ARTICLE = 7  # the page holds no article text
    DAMAGED = 8  # verify found a broken, altered or missing file
    INTERRUPTED = 130  # Ctrl-C


def exit_code_for(error: BaseException) -> ExitCode:
    """The one place where an error becomes an exit status."""
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, UsageError | click.UsageError):
        return ExitCode.USAGE
    if isinstance(error, NetworkError):
        return ExitCode.NETWORK
    if isinstance(error, HTTPStatusError):
        return ExitCode.HTTP
    if isinstance(error, ContentError):
        return ExitCode.CONTENT
    if isinstance(error, ExtractionError):
        return ExitCode.NO_ARTICLE
    return ExitCode.ERROR


@dataclass
class Env:
    """What every command needs, built once by the group and passed through the context."""

    archive_root: Path
    captures_root: Path
    config: dict[str, Any]
    out: Console
    err: Console
    traceback: bool = False
    _archive: Archive | None = field(default=None, repr=False)

    def archive(self, template: str | None = None) -> Archive:
        if self._archive is None or template is not None:
            self._archive = Archive(self.archive_root, template=template)
        return self._archive

    def error(self, message: str) -> None:
        self._say("[bold red]error:[/] ", "error: ", message)

    def warn(self, message: str) -> None:
        self._say("[yellow]warning:[/] ", "warning: ", message)

    def info(self, message: str) -> None:
        self._say("", "", message)

    def _say(self, styled: str, plain: str, message: str) -> None:
        if self.err.color_system is None and not self.err.is_terminal:
            # A log file or a pipe gets the line as it is: no markup or emoji codes to
            # interpret, and an import of thousands of URLs does not pay rich for each.
            self.err.file.write(f"{plain}{message}\n")
        else:
            self.err.print(f"{styled}{escape(message)}", highlight=False, soft_wrap=True)


pass_env = click.make_pass_decorator(Env)


class Target(click.ParamType):  # type: ignore[type-arg]
    """An http(s) URL or a saved HTML file; anything else is a usage error before any work."""

    name = "url_or_file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        from newsarchive.pipeline import is_local_target

        if is_local_target(text):
            if not Path(text).is_file():
                self.fail(f"{text}: no such file", param, ctx)
            return text
        try:
            return check_url(text)
        except UsageError as exc:
            self.fail(str(exc), param, ctx)


class Size(click.ParamType):  # type: ignore[type-arg]
    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return parse_size(value)
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


def _check_template(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            validate_template(value)
        except UsageError as exc:
            raise click.BadParameter(str(exc)) from exc
    return value


class AppError(click.ClickException):
    """A library error on its way out: one line on stderr and the exit code for its class."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Group(click.Group):
    """Turns every error raised under any command into an exit code, in this one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsArchiveError as exc:
            raise AppError(str(exc), exit_code_for(exc)) from exc
        except KeyboardInterrupt as exc:
            raise AppError("interrupted", ExitCode.INTERRUPTED) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:
            env = ctx.find_object(Env)
            if env is not None and env.traceback:
                raise
            message = f"unexpected {type(exc).__name__}: {exc} (run with --traceback for details)"
            raise AppError(message, ExitCode.ERROR) from exc


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import newsarchive  # the version is looked up only when asked for

    click.echo(f"newsarchive, version {newsarchive.__version__}")
    ctx.exit()


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NEWSARCHIVE_DIR",
    default="archive",
    show_default=True,
    help="Archive root directory (env NEWSARCHIVE_DIR).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file with option defaults (default: the user config file, if present).",
)
@click.option(
    "--captures",
    "captures_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NEWSARCHIVE_CAPTURES",
    help="Where the raw responses (WARC) go (env NEWSARCHIVE_CAPTURES; default: ARCHIVE-captures).",
)
@click.option("--traceback", is_flag=True, help="Show the Python traceback on unexpected errors.")
@click.pass_context
def cli(
    ctx: click.Context,
    archive_dir: Path,
    config_file: Path | None,
    captures_dir: Path | None,
    traceback: bool,
) -> None:
    """Archive news articles as clean, dated Markdown files with YAML front-matter.

    \b
    Examples:
      newsarchive fetch https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive --archive ~/news fetch saved-page.html --url https://example.org/story
    """
    config = load_config(config_file)
    source = ctx.get_parameter_source("archive_dir")
    if "archive" in config and source == click.core.ParameterSource.DEFAULT:
        archive_dir = Path(config["archive"])
    if captures_dir is None:
        captures_dir = Path(config["captures"]) if "captures" in config else None
    option_defaults = {k: v for k, v in config.items() if k not in ("archive", "captures")}
    ctx.default_map = {"fetch": option_defaults, "import": option_defaults}
    ctx.obj = Env(
        archive_root=archive_dir,
        captures_root=captures_dir or default_captures_root(archive_dir),
        config=config,
        out=Console(file=sys.stdout, highlight=False, soft_wrap=True),
        err=Console(file=sys.stderr, highlight=False, soft_wrap=True),
        traceback=traceback,
    )


def network_options(func: Any) -> Any:
    """The options every command that downloads shares."""
    options = [
        click.option("--user-agent", metavar="TEXT", help="User-Agent header to send."),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=30.0,
            show_default=True,
            help="Seconds allowed to connect, between bytes, and for the whole download.",
        ),
        click.option(
            "--max-size",
            type=Size(),
            default="20MB",
            show_default=True,
            help="Refuse pages larger than this (decompressed).",
        ),
        click.option(
            "--cookies",
            type=click.Path(exists=True, dir_okay=False),
            help="Netscape cookies.txt file (for your own subscriptions).",
        ),
        click.option(
            "--proxy",
            metavar="URL",
            help="Proxy URL (default: the HTTP_PROXY / HTTPS_PROXY / NO_PROXY variables).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def fetch_options(
    user_agent: str | None, timeout: float, max_size: int, cookies: str | None, proxy: str | None
) -> FetchOptions:
    return FetchOptions(
        user_agent=user_agent,
        timeout=timeout,
        max_bytes=max_size,
        cookies=cookies,
        proxy=proxy,
    )


def politeness_options(*, delay: float) -> Callable[[Any], Any]:
    """The download options `import` and `update` share (crawl.py), with the default delay."""

    def decorate(func: Any) -> Any:
        options = [
            click.option(
                "--concurrency",
                type=click.IntRange(min=1),
                default=16,
                show_default=True,
                help="Downloads in flight, all sites together.",
            ),
            click.option(
                "--per-host",
                type=click.IntRange(min=1),
                default=4,
                show_default=True,
                help="Downloads in flight to one site.",
            ),
            click.option(
                "--delay",
                type=click.FloatRange(min=0),
                default=delay,
                show_default=True,
                help="Mean seconds between two requests to one site (randomised ±50%).",
            ),
            click.option(
                "--retries",
                type=click.IntRange(min=0),
                default=3,
                show_default=True,
                help="Retries after a timeout, a refused connection, HTTP 429 or 5xx.",
            ),
            click.option("--ignore-robots", is_flag=True, help="Do not read or obey robots.txt."),
            click.option(
                "--no-capture", is_flag=True, help="Do not keep raw responses as WARC files."
            ),
            click.option(
                "--jobs",
                type=click.IntRange(min=0),
                default=None,
                help="Extraction processes (default: one per CPU core; 0: no extra process).",
            ),
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


WAYBACK_URL_ENV = "NEWSARCHIVE_WAYBACK_URL"


def wayback_options(func: Any) -> Any:
    """The Wayback Machine options of `fetch` and `import`."""
    options = [
        click.option(
            "--wayback/--no-wayback",
            default=False,
            help="When the live page fails, archive the Wayback Machine's copy instead.",
        ),
        click.option(
            "--wayback-only",
            is_flag=True,
            help="Fetch every page from the Wayback Machine, never from the site.",
        ),
        click.option(
            "--save-to-wayback/--no-save-to-wayback",
            default=False,
            help="Ask the Wayback Machine to capture each page archived live (off: privacy).",
        ),
        click.option(
            "--wayback-url",
            metavar="URL",
            envvar=WAYBACK_URL_ENV,
            help=f"Wayback Machine base URL (env {WAYBACK_URL_ENV}; default web.archive.org).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_wayback_options(
    wayback: bool, wayback_only: bool, save_to_wayback: bool, wayback_url: str | None
) -> WaybackOptions:
    """The Wayback options; a bad base URL is a usage error naming where it was set."""
    from newsarchive import wayback as wayback_mod

    base = wayback_mod.DEFAULT_BASE
    if wayback_url is not None:
        origin = click.get_current_context().get_parameter_source("wayback_url")
        source = "--wayback-url"
        if origin == click.core.ParameterSource.ENVIRONMENT:
            source = WAYBACK_URL_ENV
        elif origin == click.core.ParameterSource.DEFAULT_MAP:
            source = "config file key wayback_url"
        base = wayback_mod.check_base(wayback_url, source=source)
    return wayback_mod.WaybackOptions(
        base=base, fallback=wayback, only=wayback_only, save=save_to_wayback
    )


def display_path(path: Path) -> str:
    """Paths under the working directory print relative to it, like `archive/2021/09/x.md`."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    article = outcome.article
    return {
        "input": outcome.target,
        "status": outcome.status,
        "path": display_path(outcome.path),
        "url": outcome.url,
        "title": article.title if article else None,
        "published": article.published if article else None,
        "http_status": article.status if article else None,
        "completeness": article.extra.get("completeness", "full") if article else None,
        "reason": article.extra.get("reason") if article else None,
        **_wayback_json(article.extra if article else {}),
    }


def _wayback_json(extra: dict[str, str]) -> dict[str, Any]:
    """`via` ("wayback" or null) and, for an article from the archive, where it came from."""
    found = {"via": extra.get("via")}
    for key in ("snapshot", "archive_url", "saved_snapshot"):
        if extra.get(key):
            found[key] = extra[key]
    return found


def failure_json(target: str, error: NewsArchiveError) -> dict[str, Any]:
    return {
        "input": target,
        "status": "failed",
        "reason": error.reason,
        "error": str(error),
        "exit_code": int(exit_code_for(error)),
    }


@cli.command()
@click.argument("targets", nargs=-1, required=True, type=Target(), metavar="URL_OR_FILE...")
@click.option("--url", "source_url", metavar="URL", help="Original URL of a saved HTML file.")
@network_options
@click.option("--force", is_flag=True, help="Fetch again and overwrite an archived URL.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--no-capture", is_flag=True, help="Do not keep the raw response as a WARC file.")
@click.option(
    "--template",
    callback=_check_template,
    metavar="TEMPLATE",
    help="File path template, e.g. '{date:%Y}/{site}/{slug}.md'.",
)
@wayback_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per input.")
@pass_env
def fetch(
    env: Env,
    targets: tuple[str, ...],
    source_url: str | None,
    user_agent: str | None,
    timeout: float,
    max_size: int,
    cookies: str | None,
    proxy: str | None,
    force: bool,
    dry_run: bool,
    no_capture: bool,
    template: str | None,
    wayback: bool,
    wayback_only: bool,
    save_to_wayback: bool,
    wayback_url: str | None,
    as_json: bool,
) -> None:
    """Archive articles from URLs or saved HTML files.

    Prints the path of each archived file on stdout, one per line. An article
    that is already archived (under any variant of its URL) is not fetched again.

    \b
    Examples:
      newsarchive fetch https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive fetch --json URL1 URL2
      newsarchive fetch page.html.gz --url https://example.org/story
      newsarchive fetch --dry-run --template '{date:%Y}/{site}/{slug}.md' URL
      newsarchive fetch --wayback https://example.org/2019/05/removed-story
    """
    if source_url is not None:
        from newsarchive.pipeline import is_local_target

        if len(targets) != 1 or not is_local_target(targets[0]):
            raise click.UsageError("--url goes with exactly one saved HTML file")
        try:
            source_url = check_url(source_url)
        except UsageError as exc:
            raise click.BadParameter(str(exc), param_hint="--url") from exc
    options = fetch_options(user_agent, timeout, max_size, cookies, proxy)
    archive_options = make_wayback_options(wayback, wayback_only, save_to_wayback, wayback_url)
    archive = env.archive(template)
    from newsarchive import fetch as fetch_mod
    from newsarchive.pipeline import archive_target, iter_targets

    client = fetch_mod.make_client(options)
    counts: Counter[str] = Counter()
    failures: list[tuple[str, NewsArchiveError]] = []
    try:
        for target in iter_targets(list(targets)):
            try:
                with _status(env, f"Fetching {target}"):
                    outcome = archive_target(
                        target,
                        archive,
                        client=client,
                        options=options,
                        source_url=source_url,
                        force=force,
                        dry_run=dry_run,
                        captures=None if no_capture else env.captures_root,
                        wayback=archive_options,
                    )
            except NewsArchiveError as exc:
                failures.append((target, exc))
                counts["failed"] += 1
                env.error(str(exc))
                if as_json:
                    env.out.print_json(data=failure_json(target, exc), indent=None)
                continue
            counts[outcome.status] += 1
            _report(env, outcome, as_json)
    finally:
        client.close()
    if len(targets) > 1:
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        env.info(f"{summary}")
    if failures:
        if len(targets) == 1:
            raise SystemExit(exit_code_for(failures[0][1]))
        raise SystemExit(ExitCode.PARTIAL)


def _report(env: Env, outcome: Outcome, as_json: bool) -> None:
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
    article = outcome.article
    if article is not None and article.extra.get("completeness") == "partial":
        env.warn(f"partial article: {shown}: {article.extra.get('reason') or 'incomplete'}")
    if as_json:
        env.out.print_json(data=outcome_json(outcome), indent=None)
    else:
        # Plain print, not rich: a path is data for scripts and must never be wrapped.
        click.echo(shown)


class _NoStatus:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _status(env: Env, message: str) -> Any:
    """A spinner on a terminal; nothing at all when stderr is a file or a pipe."""
    if env.err.is_terminal:
        return env.err.status(escape(message))
    return _NoStatus()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per problem.")
@pass_env
def verify(env: Env, as_json: bool) -> None:
    """Check every article: its front-matter parses, its text is the archived text, and its
    raw capture exists with the recorded digest.

    Prints one line per problem on stdout (PATH: PROBLEM) and a summary on stderr; exits 8
    when there is any problem.

    \b
    Examples:
      newsarchive verify
      newsarchive --archive ~/news --captures /backup/captures verify --json
    """
    report = VerifyReport()
    problems = 0
    for problem in verify_archive(env.archive(), env.captures_root, report):
        problems += 1
        shown = display_path(problem.path)
        if as_json:
            env.out.print_json(data={"path": shown, "problem": problem.detail}, indent=None)
        else:
            env.out.print(escape(f"{shown}: {problem.detail}"), highlight=False)
    env.info(
        f"checked {report.articles} article(s) and {report.captures} capture(s): "
        + (f"{problems} problem(s)" if problems else "no problems")
    )
    if problems:
        raise click.exceptions.Exit(ExitCode.DAMAGED)


@cli.command()
@click.argument("targets", nargs=-1, metavar="[PATH_OR_URL]...")
@click.option("--all", "every", is_flag=True, help="Every article that has a capture.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@pass_env
def reextract(env: Env, targets: tuple[str, ...], every: bool, dry_run: bool) -> None:
    """Extract archived articles again from their raw captures, with no network.

    For when the extractor improves. Keeps each article's URL, fetch time and capture, and
    rewrites a file in place only when its content changes; prints the changed paths.

    \b
    Examples:
      newsarchive reextract --all
      newsarchive reextract --dry-run archive/2021/09/2021-09-14-mali-junta-in-talks.md
    """
    if bool(targets) == every:
        raise click.UsageError("give article files or URLs, or --all (not both)")
    archive = env.archive()
    counts: Counter[str] = Counter()
    failures: list[NewsArchiveError] = []
    if every:
        paths = [p for p, meta in archive.articles() if meta.get("capture")]
    else:
        paths = []
        for target in targets:
            try:
                paths.append(_resolve_article(env, target))
            except NewsArchiveError as exc:
                failures.append(exc)
                env.error(str(exc))
    for path in paths:
        try:
            with _status(env, f"Extracting {display_path(path)}"):
                from newsarchive.reextract import reextract_file

                done = reextract_file(archive, path, env.captures_root, dry_run=dry_run)
        except NewsArchiveError as exc:
            failures.append(exc)
            env.error(str(exc))
            continue
        counts[done.result] += 1
        if done.result == "changed":
            env.out.print(escape(display_path(path)), highlight=False)
    verb = "would change" if dry_run else "changed"
    env.info(
        f"{counts['changed']} {verb}, {counts['unchanged']} unchanged"
        + (f", {len(failures)} failed" if failures else "")
    )
    if failures:
        single = (len(paths) if every else len(targets)) == 1
        raise click.exceptions.Exit(exit_code_for(failures[0]) if single else ExitCode.PARTIAL)


_AGE = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def _age(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", value.lower())
    if match is None:
        raise click.BadParameter(f"{value!r}: use a number and a unit, such as 12h, 7d or 2w")
    return float(match.group(1)) * _AGE[match.group(2)]


# `update` extracts in extraction processes (when --jobs is not given) from this many articles
# on: starting them costs 1-3 s, and extracting a page about 0.1 s of CPU.
UPDATE_POOL_FROM = 30


@cli.command()
@click.argument("targets", nargs=-1, metavar="[PATH_OR_URL]...")
@click.option("--all", "every", is_flag=True, help="Every article in the archive.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only articles published on or after this day (YYYY-MM-DD).",
)
@click.option(
    "--older-than",
    metavar="AGE",
    callback=_age,
    help="Only articles last fetched or checked more than AGE ago (e.g. 12h, 7d, 2w).",
)
@network_options
@politeness_options(delay=1.0)
@pass_env
def update(
    env: Env,
    targets: tuple[str, ...],
    every: bool,
    since: datetime | None,
    older_than: float | None,
    user_agent: str | None,
    timeout: float,
    max_size: int,
    cookies: str | None,
    proxy: str | None,
    concurrency: int,
    per_host: int,
    delay: float,
    retries: int,
    ignore_robots: bool,
    no_capture: bool,
    jobs: int | None,
) -> None:
    """Fetch archived articles again and keep a revision when their text changed.

    The file shows the latest text, with the earlier versions listed under `revisions:`
    in its front-matter and kept whole in the captures directory. An unchanged article only
    gets a new `checked:` time; one that now answers 404 or 410 is marked `gone:` and keeps
    its text; one that cannot be fetched is left as it is. Downloads are as polite as
    `import`'s: limits per site, robots.txt and its Crawl-delay, backoff on errors.
    Prints the paths of changed articles.

    \b
    Examples:
      newsarchive update --all --older-than 7d
      newsarchive update --since 2021-09-01 --all
      newsarchive update --all --per-host 1 --delay 5
      newsarchive update https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
    """
    if bool(targets) == every:
        raise click.UsageError("give article files or URLs, or --all (not both)")
    archive = env.archive()
    failures: list[NewsArchiveError] = []
    paths: list[Path] = []
    if every:
        now = datetime.now(UTC)
        for path, meta in archive.articles():
            if since is not None and str(meta.get("published") or "")[:10] < f"{since:%Y-%m-%d}":
                continue
            if older_than is not None:
                last = str(meta.get("checked") or meta.get("fetched") or "")
                try:
                    seen = datetime.fromisoformat(last.replace("Z", "+00:00"))
                except ValueError:
                    seen = None
                if seen is not None and (now - seen).total_seconds() < older_than:
                    continue
            paths.append(path)
    for target in targets:
        try:
            paths.append(_resolve_article(env, target))
        except NewsArchiveError as exc:
            failures.append(exc)
            env.error(str(exc))
    from newsarchive.revisions import UpdateOptions, update_articles

    if jobs is None and len(paths) < UPDATE_POOL_FROM:
        jobs = 0  # starting extraction processes would cost more than it saves
    options = UpdateOptions(
        fetch=fetch_options(user_agent, timeout, max_size, cookies, proxy),
        concurrency=concurrency,
        per_host=per_host,
        delay=delay,
        retries=retries,
        robots=not ignore_robots,
        jobs=jobs,
        capture=not no_capture,
    )
    stop = threading.Event()
    display = _UpdateDisplay(env, len(paths), stop)
    with display, _stop_on_ctrl_c(stop):
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
        raise SystemExit(ExitCode.INTERRUPTED)
    if failures:
        single = len(targets) == 1 and not every
        raise click.exceptions.Exit(exit_code_for(failures[0]) if single else ExitCode.PARTIAL)


class _UpdateDisplay:
    """Where update's results go: changed paths to stdout; on stderr, a line per changed, gone
    or failed article, and a bar on a terminal."""

    def __init__(self, env: Env, total: int, stop: threading.Event) -> None:
        self.env = env
        self.stop = stop
        self.stdout_closed = False
        self.counts: Counter[str] = Counter()
        self.errors: list[NewsArchiveError] = []
        self.progress: Progress | None = None
        if env.err.is_terminal:
            self.progress = Progress(
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[green]{task.fields[changed]} changed"),
                TextColumn("[dim]{task.fields[unchanged]} unchanged"),
                TextColumn("[yellow]{task.fields[gone]} gone"),
                TextColumn("[red]{task.fields[failed]} failed"),
                _RateColumn("articles"),
                TimeRemainingColumn(),
                console=env.err,
            )
            self.task_id = self.progress.add_task(
                "update", total=total, changed=0, unchanged=0, gone=0, failed=0
            )

    def __enter__(self) -> _UpdateDisplay:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def notice(self, message: str) -> None:
        self.env.info(message)

    def result(self, result: UpdateResult) -> None:
        self.counts[result.status] += 1
        shown = display_path(result.path)
        if result.status == "changed":
            if not self.stdout_closed:
                try:
                    click.echo(shown)  # plain: a path is data for scripts, never wrapped
                except BrokenPipeError:
                    self.stdout_closed = True
                    _stdout_gone(self.env, self.stop)
            self.env.info(f"changed ({', '.join(result.changed)}): {shown}")
        elif result.status == "gone":
            self.env.info(f"gone: {shown}")
        elif result.error is not None:
            self.errors.append(result.error)
            self.env.error(str(result.error))
        if self.progress is not None:
            counts = self.counts
            self.progress.update(
                self.task_id,
                advance=1,
                changed=counts["changed"],
                unchanged=counts["unchanged"],
                gone=counts["gone"],
                failed=counts["failed"],
            )


def _versions_of(env: Env, target: str) -> tuple[Path, list[Version]]:
    path = _resolve_article(env, target)
    try:
        meta, _ = loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(str(path), f"cannot read: {exc}") from exc
    except FrontMatterError as exc:
        raise StoreError(str(path), f"unreadable front-matter: {exc}") from exc
    from newsarchive.revisions import versions

    return path, versions(meta)


@cli.command()
@click.argument("target", metavar="URL_OR_PATH")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per version.")
@pass_env
def history(env: Env, target: str, as_json: bool) -> None:
    """List the versions of an archived article, oldest first.

    \b
    Examples:
      newsarchive history https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive history --json archive/2021/09/2021-09-14-mali-junta-in-talks.md
    """
    path, found = _versions_of(env, target)
    if as_json:
        for version in found:
            env.out.print_json(data=dataclasses.asdict(version), indent=None)
        return
    if not env.out.is_terminal:
        for version in found:
            file = version.file or f"{display_path(path)} (current)"
            fields = [str(version.number), version.fetched, version.sha256[:12]]
            click.echo("\t".join([*fields, ",".join(version.changed) or "-", file]))
        return
    table = Table(box=None, pad_edge=False)
    for column in ("rev", "fetched", "sha256", "changed", "file"):
        table.add_column(column)
    for version in found:
        table.add_row(
            str(version.number),
            version.fetched,
            version.sha256[:12],
            ", ".join(version.changed),
            version.file or display_path(path) + " (current)",
        )
    env.out.print(table)


@cli.command()
@click.argument("target", metavar="URL_OR_PATH")
@click.option("--rev", "revs", type=int, multiple=True, help="Version number (twice: A and B).")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON lines.")
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
    from newsarchive.revisions import version_text, word_diff

    old = version_text(path, old_v, env.captures_root)
    new = version_text(path, new_v, env.captures_root)
    changes = word_diff(old, new)
    if as_json:
        for change in changes:
            if change.op != "equal":
                env.out.print_json(data=dataclasses.asdict(change), indent=None)
        return
    if not env.out.is_terminal:
        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"rev {old_v.number} ({old_v.fetched})",
            tofile=f"rev {new_v.number} ({new_v.fetched})",
        )
        click.echo("".join(lines), nl=False)
        return
    text = Text()
    for change in changes:
        if change.op == "equal":
            text.append(change.old)
            continue
        if change.old:
            text.append(change.old, style="bold red strike")
        if change.new:
            text.append(change.new, style="bold green")
    env.out.print(text)


# --- search ---
# Finding things: grep, search, list, show, stats, export, reindex. The imports stay with the
# section so that each section of this file can be edited on its own.

import os  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from rich.panel import Panel  # noqa: E402

from newsarchive import export as export_mod  # noqa: E402
from newsarchive.errors import StoreError  # noqa: E402
from newsarchive.frontmatter import is_newsarchive  # noqa: E402
from newsarchive.grep import FileMatches, GrepOptions, grep  # noqa: E402
from newsarchive.search import (  # noqa: E402
    Entry,
    Filters,
    Hit,
    RefreshReport,
    SearchIndex,
    article_text,
    parse_date,
    split_marks,
)

_MATCH_STYLE = "bold red"
_HIGHLIGHT_STYLE = "bold yellow"


def _date_option(end: bool) -> Any:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_date(value, end=end)
        except UsageError as exc:
            raise click.BadParameter(str(exc)) from exc

    return convert


def filter_options(func: Any) -> Any:
    """The filters grep, search, list, stats and export share."""
    options = [
        click.option("--site", metavar="TEXT", help="Site name or host name contains TEXT."),
        click.option("--author", metavar="TEXT", help="An author's name contains TEXT."),
        click.option("--tag", metavar="TAG", help="Has this tag or category."),
        click.option("--lang", metavar="CODE", help="Language, e.g. en (also matches en-GB)."),
        click.option(
            "--since",
            metavar="DATE",
            callback=_date_option(end=False),
            help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
        ),
        click.option(
            "--until",
            metavar="DATE",
            callback=_date_option(end=True),
            help="Published on or before DATE (--until 2021 includes all of 2021).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(options: dict[str, Any]) -> Filters:
    names = ("site", "author", "tag", "lang", "since", "until")
    return Filters(**{name: options.pop(name) for name in names})


def _existing_archive(env: Env) -> Archive:
    """The archive, which must exist: a mistyped --archive must not look like an empty one."""
    archive = env.archive()
    if not archive.root.is_dir():
        raise StoreError(
            display_path(archive.root),
            "no such archive directory (use --archive DIR or set NEWSARCHIVE_DIR)",
        )
    return archive


def _open_index(env: Env, *, full: bool | None = None) -> tuple[SearchIndex, RefreshReport]:
    """The search index, brought up to date; warns about files it had to skip."""
    index = SearchIndex(_existing_archive(env))
    with _status(env, "Updating the search index"):
        report = index.refresh(full=full)
    _warn_problems(env, report)
    return index, report


def _warn_problems(env: Env, report: RefreshReport) -> None:
    for problem in report.problems:
        env.warn(f"{display_path(problem.path)}: {problem.error} (skipped)")


@contextmanager
def _pipe_may_close() -> Iterator[None]:
    """`newsarchive grep x | head` closes the pipe early: stop quietly, as grep does."""
    try:
        yield
    except BrokenPipeError:
        # Point stdout at /dev/null, or Python complains again when it flushes at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(0) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _articles(n: int) -> str:
    return "1 article" if n == 1 else f"{n} articles"


def _site(entry: Entry) -> str:
    """The site's name, else its host name (pages that name no publication)."""
    return entry.site or entry.hostname or ""


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
@click.option(
    "--in",
    "field",
    type=click.Choice(["all", "title", "body"]),
    default="all",
    show_default=True,
    help="Search the title, the body, or the whole file (front-matter and body).",
)
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per matching line.")
@pass_env
def grep_cmd(
    env: Env,
    /,
    pattern: str,
    fixed: bool,
    ignore_case: bool,
    word: bool,
    context: int,
    files_only: bool,
    count: bool,
    field: str,
    as_json: bool,
    **filter_values: Any,
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
        filters=_filters(filter_values),
    )

    def skipped(path: Path, reason: str) -> None:
        env.warn(f"{display_path(path)}: {reason} (skipped)")

    found = False
    try:
        with _pipe_may_close():
            for result in grep(_existing_archive(env), options, on_error=skipped):
                _print_grep(
                    env,
                    result,
                    files_only=files_only,
                    count=count,
                    as_json=as_json,
                    context=context,
                    after_another=found,
                )
                found = True
    except NewsArchiveError as exc:
        # grep's convention, not the group's: 1 means "no match", so errors are 2.
        env.error(str(exc))
        raise SystemExit(2) from exc
    if not found:
        raise SystemExit(1)


def _print_grep(
    env: Env,
    result: FileMatches,
    *,
    files_only: bool,
    count: bool,
    as_json: bool,
    context: int,
    after_another: bool,
) -> None:
    shown = display_path(result.path)
    if as_json:
        base = {"path": shown, "title": result.title, "url": result.url}
        if files_only or count:
            env.out.print_json(data={**base, "count": result.count}, indent=None)
            return
        for line in result.lines:
            if line.is_match:
                data = {**base, "line": line.number, "text": line.text, "matches": line.spans}
                env.out.print_json(data=data, indent=None)
        return
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
            text.append(line.text)
            for begin, end in line.spans:
                text.stylize(_MATCH_STYLE, start + begin, start + end)
            env.out.print(text, soft_wrap=True)
        else:
            click.echo(f"{shown}{separator}{line.number}{separator} {line.text}")


@cli.command(name="search")
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--in",
    "field",
    type=click.Choice(["all", "title", "body"]),
    default="all",
    show_default=True,
    help="Search everywhere (title, description, authors, tags, body), the title or the body.",
)
@filter_options
@click.option(
    "-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Best N hits."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per hit.")
@pass_env
def search_cmd(
    env: Env, /, query: tuple[str, ...], field: str, limit: int, as_json: bool, **filter_values: Any
) -> None:
    """Full-text search, best matches first.

    Words, "phrases", AND / OR / NOT, prefix* and parentheses; case and accents
    do not matter (bundnis finds Bündnis). Words match whole words: use a prefix
    for other forms (путин* finds Путина). Titles weigh more than body text.

    \b
    Examples:
      newsarchive search wagner mali
      newsarchive search '"private military" AND (mali OR sudan) NOT syria'
      newsarchive search 'sanction*' --site reuters --since 2022 --limit 5
      newsarchive search путин* --lang ru --json
    """
    filters = _filters(filter_values)
    index, _ = _open_index(env)
    with index:
        hits = index.search(
            " ".join(query),
            filters=filters,
            field=field,  # type: ignore[arg-type]  # click.Choice guarantees the literal
            limit=limit,
        )
    if not hits:
        env.info("no matching articles")
    for n, hit in enumerate(hits):
        _print_hit(env, hit, first=n == 0, as_json=as_json)


def _print_hit(env: Env, hit: Hit, *, first: bool, as_json: bool) -> None:
    entry = hit.entry
    snippet, spans = split_marks(hit.snippet.replace("\n", " "))
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
        env.out.print_json(data=data, indent=None)
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
    text = Text(head + "  ", style="dim")
    text.append(_one_line(entry.title), style="bold")
    env.out.print(text, soft_wrap=True)
    env.out.print(Text("  " + shown, style="magenta"), soft_wrap=True)
    if snippet.strip():
        body = Text("  " + snippet)
        for begin, end in spans:
            body.stylize(_HIGHLIGHT_STYLE, begin + 2, end + 2)
        env.out.print(body, soft_wrap=True)


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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per article.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: date, site, title, path, url.")
@pass_env
def list_cmd(
    env: Env,
    /,
    sort: str,
    reverse: bool,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
    **filter_values: Any,
) -> None:
    """List archived articles: date, site, title and path.

    A table on a terminal; tab-separated lines when piped.

    \b
    Examples:
      newsarchive list --limit 10
      newsarchive list --site 'moscow times' --since 2021-09 --sort title
      newsarchive list --author 'Benoit' --json
      newsarchive list --lang de --csv > german.csv
    """
    if as_json and as_csv:
        raise click.UsageError("--json and --csv do not go together")
    filters = _filters(filter_values)
    index, _ = _open_index(env)
    with index:
        entries = index.entries(
            filters=filters,
            sort=sort,  # type: ignore[arg-type]  # click.Choice guarantees the literal
            reverse=reverse,
            limit=limit,
        )
    _print_entries(env, entries, as_json=as_json, as_csv=as_csv)


def _print_entries(env: Env, entries: list[Entry], *, as_json: bool, as_csv: bool) -> None:
    if as_json:
        for entry in entries:
            env.out.print_json(
                data={**entry.to_json(), "path": display_path(entry.path)}, indent=None
            )
        return
    if as_csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["date", "site", "title", "path", "url"])
        for entry in entries:
            writer.writerow(
                [
                    entry.date or "",
                    _site(entry),
                    entry.title,
                    display_path(entry.path),
                    entry.url or "",
                ]
            )
        return
    if not env.out.is_terminal:
        for entry in entries:
            fields = (
                entry.date or "",
                _site(entry),
                _one_line(entry.title),
                display_path(entry.path),
            )
            click.echo("\t".join(fields))
        return
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("date", no_wrap=True)
    table.add_column("site", style="cyan", max_width=24)
    table.add_column("title", style="bold", ratio=2)
    table.add_column("path", style="magenta", overflow="fold", ratio=1)
    for entry in entries:
        table.add_row(
            entry.date or "",
            Text(_site(entry)),
            Text(_one_line(entry.title)),
            Text(display_path(entry.path)),
        )
    env.out.print(table)


@cli.command(name="show")
@click.argument("target", metavar="URL_OR_PATH")
@click.option("--raw", is_flag=True, help="Print the file exactly as stored.")
@pass_env
def show_cmd(env: Env, target: str, raw: bool) -> None:
    """Show an archived article: its front-matter as a header, then the text.

    TARGET is the article's URL (any variant the archive knows it by) or its file.

    \b
    Examples:
      newsarchive show https://www.themoscowtimes.com/2021/09/14/mali-junta-a75044
      newsarchive show archive/2021/09/2021-09-14-mali-junta-in-talks.md
      newsarchive show --raw archive/2021/09/2021-09-14-mali-junta-in-talks.md
    """
    path = _resolve_article(env, target)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(str(path), f"cannot read: {exc}") from exc
    if raw:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        meta, body = loads(text)
    except FrontMatterError as exc:
        env.warn(f"{display_path(path)}: {exc}; showing the file as stored")
        click.echo(text, nl=not text.endswith("\n"))
        return
    if not is_newsarchive(meta):
        env.warn(f"{display_path(path)}: not a newsarchive article; showing the file as stored")
        click.echo(text, nl=not text.endswith("\n"))
        return
    # Imported here: markdown-it is the slowest import of all, and only `show` needs it.
    from rich.markdown import Markdown

    env.out.print(_header_panel(meta, display_path(path)))
    # The panel already gives the title, date and URL that the file's body repeats.
    env.out.print(Markdown(article_text(body, meta, keep_byline=True)))


def _resolve_article(env: Env, target: str) -> Path:
    if "://" in target:
        url = check_url(target)
        found = env.archive().lookup(url)
        if found is None:
            raise StoreError(url, "not in the archive")
        return found
    path = Path(target).expanduser()
    if not path.is_file() and not path.is_absolute():
        path = env.archive().root / target
    if not path.is_file():
        raise StoreError(target, "no such file")
    return path


def _header_panel(meta: dict[str, Any], shown: str) -> Panel:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")  # a URL or path is wrapped, never cut short

    def row(label: str, value: object) -> None:
        if value is None or value == "" or value == []:
            return
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        grid.add_row(label, Text(str(value)))

    row("authors", meta.get("authors"))
    row("published", meta.get("published"))
    row("site", meta.get("site") or meta.get("hostname"))
    row("url", meta.get("url"))
    row("fetched", meta.get("fetched"))
    row("tags", meta.get("tags"))
    row("file", shown)
    title = Text(_one_line(str(meta.get("title") or "")), style="bold")
    return Panel(grid, title=title, title_align="left")


@cli.command(name="stats")
@filter_options
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Rows per table (0: all); months shows the latest N.",
)
@click.option("--json", "as_json", is_flag=True, help="Print every count as one JSON object.")
@pass_env
def stats_cmd(env: Env, /, top: int, as_json: bool, **filter_values: Any) -> None:
    """Count the archive's articles by site, month, language and author.

    \b
    Examples:
      newsarchive stats
      newsarchive stats --since 2021 --top 5
      newsarchive stats --site reuters --json
    """
    filters = _filters(filter_values)
    index, _ = _open_index(env, full=True)
    with index:
        stats = export_mod.compute_stats(index.entries(filters=filters, sort="path"))
    if as_json:
        env.out.print_json(data=stats.to_json(), indent=None)
        return
    span = f"published {stats.first} to {stats.last}" if stats.first else "no publication dates"
    env.out.print(
        Text(f"{_articles(stats.articles)}, {_size(stats.size)}, {span} ({stats.undated} undated)"),
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


def _size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


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
def export_cmd(
    env: Env, /, fmt: str, with_body: bool, output: Path | None, **filter_values: Any
) -> None:
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
    filters = _filters(filter_values)
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
    started = time.perf_counter()
    index = SearchIndex(_existing_archive(env))
    with index, _status(env, "Indexing the archive"):
        if changed:
            report = index.refresh(full=True)
        else:
            # The URL index from what the search index reads (every file is parsed once),
            # rebuilt while the search index is being written.
            archive = env.archive()
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


# --- import ---
# This section's imports stay here so the section is self-contained (hoist them when merging).
import itertools  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import rich.table  # noqa: E402
import rich.text  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    # Imported by the import command itself: batch.py brings in the fetching and extraction
    # stack (httpx, trafilatura), which every other command would pay for at start-up.
    from newsarchive.batch import BatchReport, FailedList, ItemResult, ListEntry

# Statuses that count as "skipped" on the progress bar: nothing was fetched for them.
_SKIPPED = {"already archived", "duplicate", "invalid"}


@cli.command(name="import")
@click.argument(
    "files",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    metavar="[FILE]...",
)
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
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Feed/sitemap entries dated on or after this day.",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Feed/sitemap entries dated on or before this day.",
)
@click.option("--limit", type=click.IntRange(min=0), help="At most this many discovered URLs.")
@click.option("--match", metavar="REGEX", help="Only discovered URLs matching REGEX.")
@network_options
@politeness_options(delay=0.0)
@click.option(
    "--failed",
    "failed_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the URLs that failed here (default: newsarchive-failed-DATE-TIME.txt).",
)
@click.option(
    "--template",
    callback=_check_template,
    metavar="TEMPLATE",
    help="File path template, e.g. '{date:%Y}/{site}/{slug}.md'.",
)
@wayback_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per URL line.")
@pass_env
def import_urls_command(
    env: Env,
    files: tuple[str, ...],
    feeds: tuple[str, ...],
    sitemaps: tuple[str, ...],
    opml_files: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
    match: str | None,
    user_agent: str | None,
    timeout: float,
    max_size: int,
    cookies: str | None,
    proxy: str | None,
    concurrency: int,
    per_host: int,
    delay: float,
    retries: int,
    ignore_robots: bool,
    no_capture: bool,
    jobs: int | None,
    failed_file: Path | None,
    template: str | None,
    wayback: bool,
    wayback_only: bool,
    save_to_wayback: bool,
    wayback_url: str | None,
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
    from newsarchive.batch import BatchOptions, FailedList, count_urls, import_urls, read_url_files

    if not (files or feeds or sitemaps or opml_files):
        raise click.UsageError("give a FILE of URLs, or --feed, --sitemap or --opml")
    options = BatchOptions(
        fetch=fetch_options(user_agent, timeout, max_size, cookies, proxy),
        concurrency=concurrency,
        per_host=per_host,
        delay=delay,
        retries=retries,
        robots=not ignore_robots,
        jobs=jobs,
        captures=None if no_capture else env.captures_root,
        wayback=make_wayback_options(wayback, wayback_only, save_to_wayback, wayback_url),
    )
    archive = env.archive(template)
    failed_path = failed_file or Path(
        datetime.now().strftime("newsarchive-failed-%Y%m%d-%H%M%S.txt")
    )
    failed = FailedList(failed_path, keep_empty=failed_file is not None)
    discovered, bookmark_files = _discover(
        env,
        files,
        feeds,
        sitemaps,
        opml_files,
        options.fetch,
        since=since,
        until=until,
        limit=limit,
        match=match,
    )
    files = tuple(path for path in files if path not in bookmark_files)
    listed = None if "-" in files else sum(count_urls(path) for path in files)
    total = None if listed is None else listed + len(discovered)
    stdin = _stdin_lines() if "-" in files else None
    stop = threading.Event()
    display = _ImportDisplay(env, total, as_json, failed, stop)
    with display, _stop_on_ctrl_c(stop):
        report = import_urls(
            itertools.chain(discovered, read_url_files(files, stdin=stdin)),
            archive,
            options,
            on_result=display.result,
            on_notice=display.notice,
            on_total=display.total,
            stop=stop,
        )
    written = failed.close()
    _print_summary(env, report, failed_path if written else None)
    if report.interrupted:
        raise SystemExit(ExitCode.INTERRUPTED)
    if report.failed:
        raise SystemExit(ExitCode.PARTIAL)


def _discover(
    env: Env,
    files: tuple[str, ...],
    feeds: tuple[str, ...],
    sitemaps: tuple[str, ...],
    opml_files: tuple[str, ...],
    options: FetchOptions,
    *,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
    match: str | None,
) -> tuple[list[ListEntry], set[str]]:
    """URLs from feeds, sitemaps, OPML lists and bookmark files, as list entries; and which
    of the input files were bookmark exports (the others are URL lists)."""
    from newsarchive import discover
    from newsarchive import fetch as fetch_mod
    from newsarchive.batch import ListEntry

    try:
        filters = discover.Filters(
            since=since.date() if since else None,
            until=until.date() if until else None,
            match=discover.compile_match(match) if match else None,
            limit=limit,
        )
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc

    def warn(url: str, error: NewsArchiveError) -> None:
        env.warn(str(error))

    bookmarks: list[discover.Entry] = []
    bookmark_files: set[str] = set()
    for path in files:
        if path != "-" and discover.is_bookmarks(Path(path).read_bytes()[:4096]):
            bookmark_files.add(path)
            bookmarks.extend(discover.read_bookmarks(Path(path)))

    def feeds_and_sitemaps(get: discover.Getter) -> Iterator[discover.Entry]:
        # Lazy, so that --limit stops the reading (no further child sitemap is fetched).
        for url in feeds:
            yield from discover.read_feed(check_url(url), get)
        feed_urls = [u for path in opml_files for u in discover.read_opml(Path(path))]
        yield from discover.iter_feeds(feed_urls, get, on_error=warn)
        for url in sitemaps:
            yield from discover.iter_sitemap(
                check_url(url), get, since=filters.since, on_error=warn
            )

    with fetch_mod.make_client(options) as client, _status(env, "Reading feeds"):
        found = itertools.chain(
            bookmarks, feeds_and_sitemaps(discover.http_getter(client, options))
        )
        entries = [
            ListEntry(entry.source or "discovered", number, entry.url)
            for number, entry in enumerate(discover.select(found, filters), start=1)
        ]
    if bookmarks or feeds or sitemaps or opml_files:
        env.info(f"found {len(entries)} URL(s) in feeds, sitemaps and bookmarks")
    return entries, bookmark_files


def _stdin_lines() -> Iterable[str]:
    """Standard input as UTF-8 lines whatever the locale; a bad byte only spoils its own line."""
    from newsarchive.batch import read_fd_lines

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by an in-memory stream
        return click.open_file("-", encoding="utf-8", errors="replace")
    return read_fd_lines(fd)


@contextmanager
def _stop_on_ctrl_c(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C asks the import to stop cleanly; a second one quits at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _RateColumn(ProgressColumn):
    def __init__(self, unit: str = "URLs") -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> rich.text.Text:
        speed = task.finished_speed or task.speed
        return rich.text.Text(f"{speed or 0:.1f} {self.unit}/s", style="progress.data.speed")


class _ImportDisplay:
    """Where results go: stdout (paths or JSON) and stderr (a bar on a terminal, else lines)."""

    def __init__(
        self,
        env: Env,
        total: int | None,
        as_json: bool,
        failed: FailedList,
        stop: threading.Event,
    ) -> None:
        self.env = env
        self.as_json = as_json
        self.failed = failed
        self.stop = stop
        self.stdout_closed = False
        self.counts: Counter[str] = Counter()
        self.progress: Progress | None = None
        if env.err.is_terminal:
            self.progress = Progress(
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[green]{task.fields[archived]} archived"),
                TextColumn("[dim]{task.fields[skipped]} skipped"),
                TextColumn("[red]{task.fields[failed]} failed"),
                _RateColumn(),
                TimeRemainingColumn(),
                console=env.err,
            )
            self.task_id = self.progress.add_task(
                "import", total=total, archived=0, skipped=0, failed=0
            )

    def __enter__(self) -> _ImportDisplay:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def total(self, count: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task_id, total=count)

    def notice(self, message: str) -> None:
        self.env.info(message)

    def result(self, result: ItemResult) -> None:
        self.counts[result.status] += 1
        if result.status == "failed":
            self.failed.add(result)
        try:
            if self.stdout_closed:
                pass
            elif self.as_json:
                click.echo(json.dumps(_result_json(result), ensure_ascii=False))
            elif result.path is not None:
                # Plain print, not rich: a path is data for scripts and must never be wrapped.
                click.echo(display_path(result.path))
        except BrokenPipeError:
            self._reader_gone()
        self._log(result)
        if self.progress is not None:
            counts = self.counts
            self.progress.update(
                self.task_id,
                advance=1,
                archived=counts["archived"],
                skipped=sum(counts[status] for status in _SKIPPED),
                failed=counts["failed"],
            )

    def _reader_gone(self) -> None:
        self.stdout_closed = True
        _stdout_gone(self.env, self.stop)

    def _log(self, result: ItemResult) -> None:
        where = f"{result.source}:{result.line}"
        if result.status == "failed":
            self.env.error(result.message or f"{result.input}: {result.reason}")
        elif result.status == "invalid":
            self.env.warn(f"{result.message} (skipped)")
        elif self.progress is None:
            # Without a bar, one plain line per URL says what happened to it.
            shown = f" -> {display_path(result.path)}" if result.path is not None else ""
            said: str = result.status
            if result.via is not None and said == "archived":
                said = f"archived from the Wayback Machine ({result.snapshot})"
            self.env.info(f"{said}: {where}: {result.input}{shown}")
        if result.partial is not None:
            self.env.warn(f"partial article: {where}: {result.input}: {result.partial}")


def _stdout_gone(env: Env, stop: threading.Event) -> None:
    """`newsarchive import list.txt | head`: nobody reads the results any more, so stop as on
    Ctrl-C (whole files only; the same command continues later)."""
    # Point stdout at /dev/null, or Python complains again when it flushes at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    stop.set()
    env.info("standard output was closed: stopping")


def _result_json(result: ItemResult) -> dict[str, Any]:
    return {
        "input": result.input,
        "source": result.source,
        "line": result.line,
        "status": result.status,
        "path": display_path(result.path) if result.path is not None else None,
        "url": result.url,
        "title": result.title,
        "published": result.published,
        "http_status": result.http_status,
        # Archived: "full", or "partial" with `reason` saying why, as in `fetch --json`.
        "completeness": ("partial" if result.partial else "full")
        if result.status == "archived"
        else None,
        "reason": result.reason or result.partial,
        "error": result.message,
        "attempts": result.attempts,
        **_wayback_json(
            {
                key: value
                for key, value in (
                    ("via", result.via),
                    ("snapshot", result.snapshot),
                    ("archive_url", result.archive_url),
                    ("saved_snapshot", result.saved_snapshot),
                )
                if value is not None
            }
        ),
    }


def _print_summary(env: Env, report: BatchReport, failed_path: Path | None) -> None:
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
        env.info(f"failed URLs written to {shown}; retry them with: newsarchive import {shown}")
    if report.interrupted:
        env.info("interrupted: run the same command again to continue where it stopped")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsarchive")
