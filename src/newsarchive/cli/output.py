"""What the commands print, in one place: paths, JSON lines, a spinner, the progress display of
long runs (`import`, `update`), and the rule for a closed standard output.

Results go to stdout, one per line; progress, notices, warnings and errors go to stderr.
A closed stdout (`newsarchive list | head -3`) is a normal end, as for grep or git: stdout is
pointed at /dev/null (`release_stdout`) and the command exits 0 without a word. The group does
that for every command; a long run notices it on its next result and stops as on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.pager import Pager
from rich.text import Text

from newsarchive.errors import NewsArchiveError

if TYPE_CHECKING:
    from rich.progress import Progress

    from newsarchive.cli.core import Env

__all__ = [
    "OutputConsole",
    "RunDisplay",
    "display_path",
    "echo_json",
    "json_line",
    "open_with_system",
    "pager",
    "printable",
    "release_stdout",
    "spinner",
    "stop_on_ctrl_c",
]


# Control characters shown as what they are, never sent to the terminal as they are: an
# escape sequence in a page's title or a file's line could recolour the terminal, set its
# title or write the clipboard. C0 ones become their Control Pictures (ESC is "␛"), DEL and
# C1 ones U+FFFD: one character for one, so that match positions stay right.
_PRINTABLE = {
    **{code: 0x2400 + code for code in range(0x20) if chr(code) not in "\t\n"},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
}


def printable(text: str) -> str:
    """`text` with its control characters (but tabs and line feeds) made visible."""
    return text.translate(_PRINTABLE)


def _same_terminal(one: Any, other: Any) -> bool:
    """Whether two streams write to the same terminal."""
    try:
        first, second = one.fileno(), other.fileno()
        if not (os.isatty(first) and os.isatty(second)):
            return False
        return os.fstat(first).st_rdev == os.fstat(second).st_rdev
    except (AttributeError, OSError, ValueError):  # not a file: an in-memory stream
        return False


def display_path(path: Path) -> str:
    """Paths under the working directory print relative to it, like `archive/2021/09/x.md`.

    As `path.relative_to(Path.cwd())`, on strings: an import prints one per article."""
    shown, cwd = str(path), os.getcwd()
    inside = cwd.rstrip(os.sep) + os.sep
    return shown[len(inside) :] if shown.startswith(inside) else shown


class OutputConsole(Console):
    """A rich console that leaves a closed pipe to the one rule (`Group.invoke`), rather than
    exiting with status 1 as rich does."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def release_stdout() -> None:
    """Nobody reads stdout any more: point it at /dev/null, so that nothing written later
    (Python's own flush at exit included) fails again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream: nothing to release
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def open_with_system(target: str) -> None:
    """Open a file or URL with the system's opener (xdg-open, open, the Windows association);
    NewsArchiveError when it cannot."""
    if sys.platform == "win32":
        try:
            os.startfile(target)  # type: ignore[attr-defined]  # Windows only
        except OSError as exc:
            raise NewsArchiveError(f"{target}: cannot open: {exc.strerror or exc}") from exc
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        status = subprocess.call([opener, target], stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise NewsArchiveError(f"{target}: cannot run {opener}: {exc.strerror or exc}") from exc
    if status != 0:
        raise NewsArchiveError(f"{target}: {opener} failed (exit status {status})")


class _CommandPager(Pager):
    """The user's pager, as git runs it: $PAGER, else `less -R`; with LESS=FRX unless LESS is
    set (quit at once when the text fits on one screen, keep colours, leave it on screen)."""

    def __init__(self, command: list[str]) -> None:
        self.command = command

    def show(self, content: str) -> None:
        env = dict(os.environ)
        env.setdefault("LESS", "FRX")
        env.setdefault("LV", "-c")
        try:
            proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, env=env)
        except OSError:  # no such program: print it ourselves
            sys.stdout.write(content)
            return
        assert proc.stdin is not None
        # The pager takes the keyboard: Ctrl-C is for it (less stops scrolling), not for us.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            try:
                proc.stdin.write(content.encode("utf-8", "replace"))
                proc.stdin.close()
            except BrokenPipeError:  # quit before reading it all: a normal end
                pass
            proc.wait()
        finally:
            signal.signal(signal.SIGINT, previous)


def _pager_command() -> list[str] | None:
    """The pager to run, or None for none ($PAGER set to "" or "cat")."""
    chosen = os.environ.get("PAGER")
    if chosen is None:
        return ["less", "-R"]
    try:
        command = shlex.split(chosen)
    except ValueError:
        return ["less", "-R"]
    if not command or command == ["cat"]:
        return None
    return command


@contextmanager
def pager(out: Console, *, enabled: bool = True) -> Iterator[None]:
    """What is printed on `out` in the block goes through the user's pager when `out` is a
    terminal (as `git log` does); otherwise, or when not `enabled`, straight to `out`."""
    command = _pager_command() if enabled and out.is_terminal else None
    if command is None:
        yield
        return
    with out.pager(_CommandPager(command), styles=True):
        yield


# JSON escapes C0 control characters itself; DEL and C1 ones (CSI is 0x9B) too, here.
_JSON_CONTROLS = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0))}


def json_line(data: dict[str, Any]) -> str:
    """One JSON object on one line, non-ASCII text as it is (control characters escaped)."""
    return json.dumps(data, ensure_ascii=False).translate(_JSON_CONTROLS)


def echo_json(out: Console, data: dict[str, Any]) -> None:
    """A JSON line on stdout: highlighted on a terminal, as it is for a pipe or a file."""
    if out.is_terminal:
        out.print_json(json_line(data), indent=None)
    else:
        click.echo(json_line(data))


def spinner(err: Console, message: str) -> AbstractContextManager[Any]:
    """A spinner on a terminal; nothing at all when stderr is a file or a pipe."""
    if err.is_terminal:
        return err.status(escape(message))
    return nullcontext()


@contextmanager
def stop_on_ctrl_c(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C asks a long run to stop cleanly; a second one quits at once.

    SIGTERM (`kill`, a service manager, a closing terminal session) is taken the same way:
    the run stops cleanly, with its summary."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, action in previous.items():
            signal.signal(sig, action)


class RunDisplay:
    """What a long run shows: its results on stdout, one line each (`emit`); on stderr its
    notices and, on a terminal, one progress bar counting the results by kind (`count`), with
    the rate and the time left.

    `kinds` names the bar's counts and their styles, e.g. {"archived": "green", "failed": "red"}.
    When stdout's reader goes away, `stop` is set: the run ends as on Ctrl-C, and
    `stdout_closed` tells the command to end normally.

    When stdout is the terminal the bar is drawn on, a result's line is printed above the bar
    (the bar is taken down, the line written, the bar drawn again below it), so the screen
    keeps one bar, however many lines go by; a line written past it would leave a frozen copy
    of the bar behind on each redraw.
    """

    def __init__(
        self,
        env: Env,
        stop: threading.Event,
        *,
        total: int | None,
        kinds: dict[str, str],
        unit: str,
    ) -> None:
        self.env = env
        self.stop = stop
        self.stdout_closed = False
        self.tally: Counter[str] = Counter({kind: 0 for kind in kinds})
        self.progress: Progress | None = None
        if env.err.is_terminal:
            from newsarchive.cli.progress import progress_bar  # only a terminal draws one

            self.progress = progress_bar(env.err, kinds, unit)
            self.task_id = self.progress.add_task("", total=total, **self._fields())
        self.above_bar = self.progress is not None and _same_terminal(sys.stdout, sys.stderr)

    def __enter__(self) -> RunDisplay:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    @property
    def has_bar(self) -> bool:
        return self.progress is not None

    def total(self, count: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task_id, total=count)

    def notice(self, message: str) -> None:
        self.env.info(message)

    def emit(self, line: str) -> None:
        """A result's line on stdout: plain, never wrapped, since it is data for scripts."""
        if self.stdout_closed:
            return
        if self.above_bar:
            assert self.progress is not None
            self.progress.console.print(Text(line), soft_wrap=True)
            return
        try:
            click.echo(line)
        except BrokenPipeError:
            self.stdout_closed = True
            release_stdout()
            self.stop.set()

    def count(self, kind: str) -> None:
        """One more result of `kind` (one of `kinds`; any other only moves the bar)."""
        if kind in self.tally:
            self.tally[kind] += 1
        if self.progress is not None:
            self.progress.update(self.task_id, advance=1, **self._fields())

    def _fields(self) -> dict[str, Any]:
        return dict(self.tally)
