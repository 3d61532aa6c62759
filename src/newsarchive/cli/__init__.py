"""The command-line interface: the only package that imports click and rich.

    core.py       the group (each command's module loaded when asked for), exit codes and
                  the one place errors become them; config defaults
    options.py    option groups and parameter types several commands share
    output.py     paths, JSON lines, progress display, the rule for a closed stdout
    progress.py   the progress bar of a long run, loaded when a terminal shows one
    archiving.py  fetch, import, update, reextract
    finding.py    grep, search, list, stats, export, reindex
    reading.py    show, open, path
    history.py    history, diff
    integrity.py  verify
    annotating.py tag, note

Each command parses its options into library values, calls the library and prints.
"""

from __future__ import annotations

# Each command module registers its commands with `cli` when the command is first asked
# for (core.COMMAND_MODULES); `cli.all_commands()` loads them all.
from newsarchive.cli.core import AppError, Env, ExitCode, cli, exit_code_for, main

__all__ = ["AppError", "Env", "ExitCode", "cli", "exit_code_for", "main"]
