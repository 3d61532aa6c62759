"""Integrity: `verify`."""

from __future__ import annotations

import click
from rich.markup import escape

from newsarchive.cli.core import Env, ExitCode, cli, pass_env
from newsarchive.cli.options import json_option
from newsarchive.cli.output import display_path, echo_json
from newsarchive.verify import Report, verify_archive


@cli.command()
@json_option("Print one JSON object per problem.")
@pass_env
def verify(env: Env, as_json: bool) -> None:
    """Check every article: its front-matter parses, its text is the archived text, and its
    raw capture and its pictures exist with the recorded digests.

    Prints one line per problem on stdout (PATH: PROBLEM) and a summary on stderr; exits 8
    when there is any problem.

    \b
    Examples:
      newsarchive verify
      newsarchive --archive ~/news --captures /backup/captures verify --json
    """
    report = Report()
    problems = 0
    for problem in verify_archive(env.existing_archive(), env.captures_root, report):
        problems += 1
        shown = display_path(problem.path)
        if as_json:
            echo_json(env.out, {"path": shown, "problem": problem.detail})
        else:
            env.out.print(escape(f"{shown}: {problem.detail}"), highlight=False)
    checked = f"{report.articles} article(s) and {report.captures} capture(s)"
    if report.pictures:
        checked = f"{report.articles} article(s), {report.captures} capture(s) and "
        checked += f"{report.pictures} picture(s)"
    env.info(f"checked {checked}: " + (f"{problems} problem(s)" if problems else "no problems"))
    if problems:
        raise click.exceptions.Exit(ExitCode.DAMAGED)
