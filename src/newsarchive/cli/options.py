"""Options that several commands share, and the parameter types that check input before any
work starts.

Each group of options is a decorator that also gathers its values into the library's own
value (`FetchOptions`, `WaybackOptions`, `search.Filters`, `Crawl`), so a command receives one
argument per concern instead of one per flag.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from newsarchive.config import parse_size
from newsarchive.errors import ConfigError, UsageError
from newsarchive.models import FetchOptions, ImageOptions
from newsarchive.naming import validate_template
from newsarchive.search import Filters, parse_date
from newsarchive.urls import check_url, is_local_target
from newsarchive.workers import DOWNLOADS_PER_CORE, LEAST_DOWNLOADS, cores, default_concurrency

if TYPE_CHECKING:
    from newsarchive.wayback import WaybackOptions

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

WAYBACK_URL_ENV = "NEWSARCHIVE_WAYBACK_URL"


class Target(click.ParamType):  # type: ignore[type-arg]
    """An http(s) URL or a saved HTML file; anything else is a usage error before any work."""

    name = "url_or_file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if is_local_target(text):
            if not Path(text).is_file():
                self.fail(f"{text}: no such file", param, ctx)
            return text
        try:
            return check_url(text)
        except UsageError as exc:
            self.fail(str(exc), param, ctx)


class ListFile(click.Path):
    """An import's input file ("-": standard input). A URL given instead is a usage error that
    says which command or option takes it."""

    def __init__(self) -> None:
        super().__init__(exists=True, dir_okay=False, allow_dash=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value)
        if re.match(r"(?i)https?://", text) and not Path(text).exists():
            self.fail(_url_instead_of_a_list(text), param, ctx)
        return super().convert(value, param, ctx)


def _url_instead_of_a_list(url: str) -> str:
    what = f"{url} is a URL, not a file of URLs"
    path = url.lower().split("://", 1)[1].split("?", 1)[0]
    if "sitemap" in path:
        return f"{what}; to read it as a sitemap: newsarchive import --sitemap {url}"
    if re.search(r"rss|atom|feed|\.xml$", path):
        return f"{what}; to read it as a feed: newsarchive import --feed {url}"
    return (
        f"{what}; to archive that page: newsarchive fetch {url}"
        f" (or, if it is a feed: newsarchive import --feed {url})"
    )


class Size(click.ParamType):  # type: ignore[type-arg]
    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return parse_size(value)
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


def check_template(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            validate_template(value)
        except UsageError as exc:
            raise click.BadParameter(str(exc)) from exc
    return value


def json_option(help: str) -> Decorator:
    """--json, which every command that prints results has."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def _number(flag: str, kind: click.ParamType[Any], default: float | None, help: str) -> Decorator:
    """An option taking a number within `kind`'s range; its default is shown when it has one."""
    shown = default is not None
    return click.option(flag, type=kind, default=default, show_default=shown, help=help)


def day_option(flag: str, help: str, *, end: bool = False) -> Decorator:
    """An option that takes a date as every date option does: YYYY, YYYY-MM or YYYY-MM-DD,
    as a `datetime.date`: the period's first day, or with `end` its last one."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
        day = _date(end)(ctx, param, value)
        return None if day is None else date.fromisoformat(day)

    return click.option(flag, metavar="DATE", callback=convert, help=help)


template_option = click.option(
    "--template",
    callback=check_template,
    metavar="TEMPLATE",
    help="File path template, e.g. '{date:%Y}/{site}/{slug}.md'.",
)

_AGE = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def age(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """'12h', '7d', '2w' -> seconds."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", value.lower())
    if match is None:
        raise click.BadParameter(f"{value!r}: use a number and a unit, such as 12h, 7d or 2w")
    return float(match.group(1)) * _AGE[match.group(2)]


def _gathered(
    options: list[Callable[..., Any]], names: tuple[str, ...], name: str, make: Callable[..., Any]
) -> Decorator:
    """A decorator adding `options`, whose values (`names`) reach the command as one argument
    `name`, made by `make(**values)`."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = make(**{key: kwargs.pop(key) for key in names})
            return func(*args, **kwargs)

        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _fetch_options(
    user_agent: str | None,
    timeout: float,
    max_size: int,
    max_redirects: int,
    cookies: str | None,
    proxy: str | None,
    extract_timeout: float,
) -> FetchOptions:
    return FetchOptions(
        user_agent=user_agent,
        timeout=timeout,
        max_bytes=max_size,
        max_redirects=max_redirects,
        cookies=cookies,
        proxy=proxy,
        extract_timeout=extract_timeout,
    )


extract_timeout_option = _number(
    "--extract-timeout",
    click.FloatRange(min=0, min_open=True),
    30.0,
    "Seconds the extraction of one page may take; a page that takes longer fails.",
)


network_options = _gathered(
    [
        click.option("--user-agent", metavar="TEXT", help="User-Agent header to send."),
        _number(
            "--timeout",
            click.FloatRange(min=0, min_open=True),
            30.0,
            "Seconds allowed to connect, between bytes, and for the whole download.",
        ),
        click.option(
            "--max-size",
            type=Size(),
            default="20MB",
            show_default=True,
            help="Refuse pages larger than this (decompressed).",
        ),
        _number(
            "--max-redirects", click.IntRange(min=0), 10, "Follow at most this many redirects."
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
        extract_timeout_option,
    ],
    ("user_agent", "timeout", "max_size", "max_redirects", "cookies", "proxy", "extract_timeout"),
    "fetch_options",
    _fetch_options,
)
"""The options of every command that downloads, as `fetch_options: FetchOptions`."""


def _image_options(images: bool, max_image_size: int, max_image_total: int) -> ImageOptions:
    return ImageOptions(enabled=images, max_bytes=max_image_size, max_total=max_image_total)


image_options = _gathered(
    [
        click.option(
            "--images/--no-images",
            default=True,
            help="Download the article's own pictures and keep them with it.",
        ),
        click.option(
            "--max-image-size",
            type=Size(),
            default="20MB",
            show_default=True,
            help="Leave out a picture larger than this (decompressed).",
        ),
        click.option(
            "--max-image-total",
            type=Size(),
            default="50MB",
            show_default=True,
            help="Keep at most this much of pictures for one article.",
        ),
    ],
    ("images", "max_image_size", "max_image_total"),
    "images",
    _image_options,
)
"""The picture options of `fetch`, `import` and `update`, as `images: ImageOptions`."""


@dataclass(frozen=True)
class Crawl:
    """The download options `import` and `update` share (crawl.py's `CrawlOptions`)."""

    concurrency: int
    per_host: int
    delay: float
    throttle: bool
    retries: int
    robots: bool
    jobs: int | None
    capture: bool

    def options(self) -> dict[str, Any]:
        """The keyword arguments of `CrawlOptions` (and its subclasses) these set."""
        return {key: value for key, value in asdict(self).items() if key != "capture"}


def capture_option(help: str) -> Decorator:
    """--capture/--no-capture (config key `capture`)."""
    return click.option("--capture/--no-capture", default=True, show_default=True, help=help)


def politeness_options(*, delay: float, jobs_from: int = 0) -> Decorator:
    """The download options of `import` and `update`, with the default delay, as `crawl: Crawl`;
    `jobs_from`: how many articles the default extraction processes start from."""

    def make(ignore_robots: bool, concurrency: int | None, **values: Any) -> Crawl:
        concurrency = default_concurrency() if concurrency is None else concurrency
        return Crawl(robots=not ignore_robots, concurrency=concurrency, **values)

    options: list[Callable[..., Any]] = [
        _number(
            "--concurrency",
            click.IntRange(min=1),
            None,
            f"Downloads in flight, all sites together (default: {DOWNLOADS_PER_CORE} per CPU"
            f" core, at least {LEAST_DOWNLOADS}: {default_concurrency()} here).",
        ),
        _number("--per-host", click.IntRange(min=1), 2, "Downloads in flight to one site."),
        _number(
            "--delay",
            click.FloatRange(min=0),
            delay,
            "Least mean seconds between two requests to one site (randomised ±50%).",
        ),
        click.option(
            "--throttle/--no-throttle",
            default=True,
            show_default=True,
            help="Slow down for a site as its response time or its errors grow.",
        ),
        _number(
            "--retries",
            click.IntRange(min=0),
            3,
            "Retries after a timeout, a refused connection, HTTP 429 or 5xx.",
        ),
        click.option("--ignore-robots", is_flag=True, help="Do not read or obey robots.txt."),
        capture_option("Keep the raw responses as WARC files."),
        _number(
            "--jobs",
            click.IntRange(min=0),
            None,
            f"Extraction processes, which download the pages they extract (default: one per"
            f" CPU core{f' from {jobs_from} articles on' if jobs_from else ''}: {cores()} here;"
            " 0: none, everything in this process).",
        ),
    ]
    names = (
        "concurrency",
        "per_host",
        "delay",
        "throttle",
        "retries",
        "ignore_robots",
        "capture",
        "jobs",
    )
    return _gathered(options, names, "crawl", make)


def _wayback_options(
    wayback: bool, wayback_only: bool, save_to_wayback: bool, wayback_url: str | None
) -> WaybackOptions:
    """The Wayback options; a bad base URL is a usage error naming where it was set."""
    from newsarchive import wayback as wayback_mod  # the fetching stack, when a command runs

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


wayback_options = _gathered(
    [
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
    ],
    ("wayback", "wayback_only", "save_to_wayback", "wayback_url"),
    "wayback",
    _wayback_options,
)
"""The Wayback Machine options of `fetch` and `import`, as `wayback: WaybackOptions`."""


def _date(end: bool) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_date(value, end=end)
        except UsageError as exc:
            raise click.BadParameter(str(exc)) from exc

    return convert


filter_options = _gathered(
    [
        click.option("--site", metavar="TEXT", help="Site name or host name contains TEXT."),
        click.option("--author", metavar="TEXT", help="An author's name contains TEXT."),
        click.option("--tag", metavar="TAG", help="Has this tag or category."),
        click.option("--lang", metavar="CODE", help="Language, e.g. en (also matches en-GB)."),
        click.option(
            "--since",
            metavar="DATE",
            callback=_date(end=False),
            help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
        ),
        click.option(
            "--until",
            metavar="DATE",
            callback=_date(end=True),
            help="Published on or before DATE (--until 2021 includes all of 2021).",
        ),
    ],
    ("site", "author", "tag", "lang", "since", "until"),
    "filters",
    Filters,
)
"""The filters of grep, search, list, stats and export, as `filters: search.Filters`."""
