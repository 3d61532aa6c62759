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
    "extract": {"trafilatura", "lxml"},
    "frontmatter": {"yaml"},
    "store": {"slugify"},
    "config": {"platformdirs"},
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


MODULES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_module_imports_only_its_own_packages(path: Path) -> None:
    allowed = ALLOWED.get(path.stem, set())
    assert third_party_imports(path) <= allowed


def test_each_package_has_one_owner() -> None:
    owners: dict[str, list[str]] = {}
    for path in MODULES:
        for name in third_party_imports(path):
            owners.setdefault(name, []).append(path.stem)
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}


def test_library_import_does_not_load_click_or_rich() -> None:
    import subprocess

    code = (
        "import sys, newsarchive, newsarchive.pipeline;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'rich'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
