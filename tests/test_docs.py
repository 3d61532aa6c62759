"""Help text is documentation: every command has help, and the README names every command,
every exit code, and the exact test command CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from newsarchive.cli import ExitCode, cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.all_commands())


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_examples(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    command = cli.all_commands()[name]
    assert command.help and command.help.strip(), name
    assert "Examples:" in result.output, name


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_documented(name: str) -> None:
    assert f"newsarchive {name}" in README or f"`{name}`" in README


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_documented(name: str) -> None:
    command = cli.all_commands()[name]
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            flag = max(param.opts, key=len)
            assert flag in README, f"{name} {flag} is not in the README"


def test_exit_codes_are_documented() -> None:
    table = {
        int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| `(\w+)` \|", README, re.M)
    }
    assert table == {int(code): code.name for code in ExitCode}


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert command in README


def test_module_map_names_every_module() -> None:
    package = ROOT / "src" / "newsarchive"
    mapped = set(re.findall(r"^\| `([\w/]+\.py)` \|", README, re.M))
    modules = {path.relative_to(package).as_posix() for path in package.rglob("*.py")}
    assert modules - mapped == set(), "modules missing from the README's module map"
    assert mapped - modules == set(), "the README's module map names modules that do not exist"


def test_the_readme_names_every_config_key() -> None:
    from newsarchive.config import CONFIG_KEYS

    start = README.index("**Config file.**")
    paragraph = README[start : README.index("\n\n", start)]
    missing = [key for key in CONFIG_KEYS if f"`{key}`" not in paragraph]
    assert not missing, missing
