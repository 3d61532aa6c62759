"""Integrity: `verify`."""

from __future__ import annotations

from collections import Counter

import click
from rich.markup import escape

from newsarchive.cli.core import Env, ExitCode, cli, pass_env
from newsarchive.cli.options import json_option
from newsarchive.cli.output import display_path, echo_json
from newsarchive.verify import Report, verify_archive

# What verify lists that is not damage, as its summary counts it.
_FINDINGS = {
    "edited": "article(s) edited by hand",
    "orphan": "capture(s) that no article names",
    "leftover": "leftover temporary file(s)",
}


@cli.command()
@json_option("Print one JSON object per problem.")
@pass_env
def verify(env: Env, as_json: bool) -> None:
    """Check every article: its front-matter parses, its text is the archived text (or was
    edited by hand), its raw capture and its pictures exist with the recorded digests, and no
    capture or temporary file was left behind by an interrupted run.

    Prints one line per finding on stdout (PATH: WHAT) and a summary on stderr. A file whose
    text was edited by hand, a capture no article names and a leftover temporary file are
    listed; a damaged file or capture is a problem, and makes the exit status 8.

    \b
    Examples:
      newsarchive verify
      newsarchive --archive ~/news --captures /backup/captures verify --json
    """
    report = Report()
    problems = 0
    found: Counter[str] = Counter()
    for problem in verify_archive(env.existing_archive(), env.captures_root, report):
        problems += problem.damage
        found[problem.kind] += 1
        shown = display_path(problem.path)
        if as_json:
            echo_json(env.out, {"path": shown, "problem": problem.detail, "kind": problem.kind})
        else:
            env.out.print(escape(f"{shown}: {problem.detail}"), highlight=False)
    checked = f"{report.articles} article(s) and {report.captures} capture(s)"
    if report.pictures:
        checked = f"{report.articles} article(s), {report.captures} capture(s) and "
        checked += f"{report.pictures} picture(s)"
    summary = f"{problems} problem(s)" if problems else "no problems"
    notes = [f"{found[kind]} {what}" for kind, what in _FINDINGS.items() if found[kind]]
    if notes:
        summary += "; " + ", ".join(notes)
    env.info(f"checked {checked}: {summary}")
    if problems:
        raise click.exceptions.Exit(ExitCode.DAMAGED)
