"""The architecture, enforced: each third-party package is imported by exactly one module,
and the library never imports click or rich."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "newsarchive"

# module -> the third-party packages it alone may import
ALLOWED: dict[str, set[str]] = {
    "cli": {"click", "rich"},
    "fetch": {"httpx"},
    "decode": {"charset_normalizer"},
    "extract.engine": {"trafilatura", "justext"},
    "extract.dom": {"lxml"},
    "frontmatter": {"yaml"},
    "naming": {"slugify"},
    "urls": {"tld"},
    "config": {"platformdirs"},
    "robots": {"protego"},
    "capture": {"warcio"},
    "discover": {"feedparser"},
    "search.text": {"Stemmer"},
}


def third_party_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    return {name for name in names if name not in stdlib and name != "newsarchive"}


# Packages whose modules share one owner: the command line is one layer, whatever its files.
WHOLE_PACKAGES = {"cli"}


def module_name(path: Path) -> str:
    """The module's name inside the package: "fetch", "extract.engine" ("extract" for
    extract/__init__.py)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def owner(path: Path) -> str:
    """Who a file's imports count for: its module, or the whole package for WHOLE_PACKAGES."""
    top = path.relative_to(PACKAGE).parts[0]
    return top if top in WHOLE_PACKAGES else module_name(path)


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_module_imports_only_its_own_packages(path: Path) -> None:
    allowed = ALLOWED.get(owner(path), set())
    assert third_party_imports(path) <= allowed


def test_each_package_has_one_owner() -> None:
    owners: dict[str, set[str]] = {}
    for path in MODULES:
        for package in third_party_imports(path):
            owners.setdefault(package, set()).add(owner(path))
    assert {package: mods for package, mods in owners.items() if len(mods) > 1} == {}


def test_library_works_without_click_or_rich() -> None:
    # httpx loads click and rich for its own CLI when they are installed, so hide them:
    # the library must still import and archive a saved page.
    import subprocess

    fixture = Path(__file__).parent / "fixtures" / "pages" / "moscowtimes-mali.html"
    code = (
        "import sys, tempfile\n"
        "sys.modules['click'] = sys.modules['rich'] = None\n"
        "from newsarchive import Archive, archive_url\n"
        "with tempfile.TemporaryDirectory() as tmp:\n"
        f"    outcome = archive_url({str(fixture)!r}, Archive(tmp))\n"
        "    print(outcome.status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "archived"


def test_public_names_are_all_exported() -> None:
    import newsarchive

    assert sorted(newsarchive._EXPORTS) == sorted(set(newsarchive.__all__) - {"__version__"})
    for name in newsarchive._EXPORTS:
        assert getattr(newsarchive, name) is not None


def test_commands_that_read_the_archive_start_without_the_fetching_stack() -> None:
    """`grep`, `search`, `list` and the like load only what they use: the extractor and HTTP
    stack (and importlib.metadata, for the version) would cost every one of them ~0.5 s."""
    import subprocess

    code = (
        "import sys\n"
        "from newsarchive.cli import cli\n"
        "heavy = ('httpx', 'trafilatura', 'lxml', 'warcio', 'importlib.metadata')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_version_is_read_when_asked_for() -> None:
    from click.testing import CliRunner

    import newsarchive
    from newsarchive.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"newsarchive, version {newsarchive.__version__}\n"
    assert newsarchive.__version__ != "0+unknown"  # the test environment has it installed
