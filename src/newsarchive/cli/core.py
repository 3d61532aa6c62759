"""The `newsarchive` group: exit codes, the one place errors become them, what every command
is given (`Env`), and the config file's defaults for each command's options."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape

from newsarchive.cli.output import OutputConsole, display_path, printable, release_stdout
from newsarchive.config import default_config_file, load_config
from newsarchive.errors import (
    ConfigError,
    ContentError,
    ExtractionError,
    HTTPStatusError,
    NetworkError,
    NewsArchiveError,
    UsageError,
)

if TYPE_CHECKING:  # the archive's modules are loaded when a command runs, not for --help
    from newsarchive.store import Archive

__all__ = ["AppError", "Env", "ExitCode", "Group", "cli", "exit_code_for", "main", "pass_env"]


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


def batch_exit_code(failures: list[NewsArchiveError], inputs: int) -> ExitCode:
    """How a command that takes several inputs ends: OK when none failed; the failure's own code
    when the one input failed; PARTIAL when any of several did."""
    if not failures:
        return ExitCode.OK
    return exit_code_for(failures[0]) if inputs == 1 else ExitCode.PARTIAL


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
    _skipped: set[str] = field(default_factory=set, repr=False)
    # Whether stderr takes plain lines (a log file, a pipe): decided at the first line.
    _plain_err: bool | None = field(default=None, repr=False)

    def archive(self, template: str | None = None) -> Archive:
        if self._archive is None or template is not None:
            from newsarchive.store import Archive

            self._archive = Archive(
                self.archive_root, template=template, on_problem=self.skipped_file
            )
        return self._archive

    def skipped(self, path: Path, error: Exception) -> None:
        """Warn, once per file, that a file of the archive cannot be read and is skipped."""
        self.skipped_file(path, getattr(error, "detail", None) or str(error))

    def skipped_file(self, path: Path, reason: str) -> None:
        shown = display_path(path)
        if shown not in self._skipped:
            self._skipped.add(shown)
            self.warn(f"{shown}: {reason} (skipped)")

    def existing_archive(self) -> Archive:
        """The archive, which must exist: a mistyped --archive must not look like an empty one."""
        archive = self.archive()
        if not archive.root.is_dir():
            # A usage error (exit 2): the option names a directory that is not there.
            raise UsageError(
                f"{display_path(archive.root)}: no such archive directory"
                " (use --archive DIR or set NEWSARCHIVE_DIR)"
            )
        return archive

    def error(self, message: str) -> None:
        self._say("[bold red]error:[/] ", "error: ", message)

    def warn(self, message: str) -> None:
        self._say("[yellow]warning:[/] ", "warning: ", message)

    def info(self, message: str) -> None:
        self._say("", "", message)

    def _say(self, styled: str, plain: str, message: str) -> None:
        message = printable(message)  # a URL or file name may carry terminal escapes
        if self._plain_err is None:  # rich works it out anew each time it is asked
            self._plain_err = self.err.color_system is None and not self.err.is_terminal
        if self._plain_err:
            # A log file or a pipe gets the line as it is: no markup or emoji codes to
            # interpret, and an import of thousands of URLs does not pay rich for each.
            self.err.file.write(f"{plain}{message}\n")
        else:
            self.err.print(f"{styled}{escape(message)}", highlight=False, soft_wrap=True)


pass_env = click.make_pass_decorator(Env)


class AppError(click.ClickException):
    """A library error on its way out: one line on stderr and the exit code for its class."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def stdout_closed() -> NoReturn:
    """A closed standard output (`newsarchive list | head`) is a normal end, as for grep or
    git: no message, exit status 0."""
    release_stdout()
    raise click.exceptions.Exit(ExitCode.OK)


# The module of each command. A command's module is imported when the command is asked for,
# so that `newsarchive grep` does not load what `fetch` needs (a third of grep's start-up).
COMMAND_MODULES = {
    "fetch": "archiving",
    "import": "archiving",
    "update": "archiving",
    "reextract": "archiving",
    "grep": "finding",
    "search": "finding",
    "list": "finding",
    "stats": "finding",
    "export": "finding",
    "reindex": "finding",
    "show": "reading",
    "open": "reading",
    "path": "reading",
    "history": "history",
    "diff": "history",
    "verify": "integrity",
    "tag": "annotating",
    "note": "annotating",
}


class Group(click.Group):
    """Loads each command's module when the command is asked for; turns every error raised
    under any command into an exit code, in this one place."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"newsarchive.cli.{module}")  # registers its commands
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands.keys() | COMMAND_MODULES.keys())

    def all_commands(self) -> dict[str, click.Command]:
        """Every command, by name, each module loaded."""
        for module in sorted(set(COMMAND_MODULES.values())):
            importlib.import_module(f"newsarchive.cli.{module}")
        return dict(self.commands)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:  # from --help or --version
            stdout_closed()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            stdout_closed()
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


# Config keys that set the group's own options; every other key is a command's option.
GROUP_KEYS = ("archive", "captures")


def command_defaults(group: Group, config: dict[str, Any], file: Path) -> dict[str, dict[str, Any]]:
    """Each command's option defaults from the config file: a key goes to every command with an
    option of that name, and is parsed and checked by that option as a flag would be.

    A key that no command takes is an error rather than ignored.
    """
    defaults: dict[str, dict[str, Any]] = {}
    taken: set[str] = set(GROUP_KEYS)
    commands = group.all_commands() if config.keys() - set(GROUP_KEYS) else {}
    for name, command in commands.items():
        options = {param.name for param in command.params if isinstance(param, click.Option)}
        mine = {key: value for key, value in config.items() if key in options}
        if mine:
            defaults[name] = mine
            taken.update(mine)
    for key in config:
        if key not in taken:
            raise ConfigError(f"{file}: {key!r} is not an option of any command")
    return defaults


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
    from newsarchive.capture import default_captures_root

    config = load_config(config_file)
    source = ctx.get_parameter_source("archive_dir")
    if "archive" in config and source == click.core.ParameterSource.DEFAULT:
        archive_dir = Path(config["archive"])
    if captures_dir is None and "captures" in config:
        captures_dir = Path(config["captures"])
    ctx.default_map = command_defaults(cli, config, config_file or default_config_file())
    ctx.obj = Env(
        archive_root=archive_dir,
        captures_root=captures_dir or default_captures_root(archive_dir),
        config=config,
        out=OutputConsole(file=sys.stdout, highlight=False, soft_wrap=True),
        err=OutputConsole(file=sys.stderr, highlight=False, soft_wrap=True),
        traceback=traceback,
    )


def main() -> None:
    """Console-script entry point."""
    try:
        try:
            cli.main(prog_name="newsarchive")
        finally:
            # Output still buffered meets a closed pipe here rather than in Python's own
            # flush at exit, which would print a traceback and exit with status 120.
            sys.stdout.flush()
    except BrokenPipeError:
        release_stdout()
        raise SystemExit(ExitCode.OK) from None
