"""The command-line interface: the only package that imports click and rich.

    core.py       the group, exit codes and the one place errors become them; config defaults
    options.py    option groups and parameter types several commands share
    output.py     paths, JSON lines, progress display, the rule for a closed stdout
    archiving.py  fetch, import, update, reextract
    finding.py    grep, search, list, stats, export, reindex
    reading.py    show, open, path
    history.py    history, diff
    integrity.py  verify
    annotating.py tag, note

Each command parses its options into library values, calls the library and prints.
"""

from __future__ import annotations

# Importing the command modules registers their commands with `cli`.
from newsarchive.cli import annotating, archiving, finding, history, integrity, reading
from newsarchive.cli.core import AppError, Env, ExitCode, cli, exit_code_for, main

__all__ = ["AppError", "Env", "ExitCode", "cli", "exit_code_for", "main"]

del annotating, archiving, finding, history, integrity, reading  # imported for their commands only
