"""ripgrep as grep's scanner: which of the archive's files match, and on which lines.

The `rg` binary comes with the `ripgrep` package from the package index (a dependency of
newsarchive), installed next to the Python that runs newsarchive; it is found through that
package's list of files, never looked up on PATH, so what runs is always the version
installed with newsarchive. Without it (a platform with no binary wheel), `binary()` is
None and grep scans in Python, more slowly, with the same results.

rg walks the archive itself, under the walker's rules where it can state them (`*.md`
files, names starting with "." and links left out, `_images` at the root not entered), while
newsarchive's walker lists it (see `walk`): the links to article files it finds, which rg's
walk passed over, are searched next, by name, and what rg finds in a file the walker did not
list (a name that is not UTF-8, say) is dropped. rg's own rules (ignore files, binary files,
encodings) are turned off, so they never decide anything.

A Python regular expression made only of what means the same to the regex crate (literals,
classes, `.`, `\\d`, `\\w`, `\\s`, repeats, alternatives, groups, `^`, `$`, `\\b`, case
folding) is translated (`translate`) and rg finds the matching lines (`matching_lines`);
anything else (look-arounds, back-references, `\\A`) is matched by Python, in the files
holding the strings every match must contain (`files_holding`).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from newsarchive.walk import IMAGES_DIR

__all__ = ["FileLines", "binary", "files_holding", "literal", "matching_lines", "translate"]

_NAMES = ("rg.exe", "rg") if sys.platform == "win32" else ("rg",)
# Bytes of directory names per rg run: argv holds them, and its limit is often 2 MB in all.
_BATCH_BYTES = 512 << 10
# Characters the regex crate lets (and wants) a pattern escape.
_RUST_META = set("\\.+*?()|[]{}^$#&-~")


@cache
def binary() -> Path | None:
    """The rg binary installed with the `ripgrep` package, or None."""
    import importlib.metadata  # here: it takes a while to load, and grep alone needs it

    try:
        files = importlib.metadata.distribution("ripgrep").files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    candidates = [Path(str(f.locate())) for f in files if f.name in _NAMES]
    scripts = sysconfig.get_path("scripts")
    for name in _NAMES:  # where pip puts a wheel's scripts, for this Python
        candidates.append(Path(scripts) / name)
        candidates.append(Path(sys.executable).parent / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate.resolve()
    return None


def literal(text: str, *, variants: dict[str, str] | None = None) -> str:
    """A pattern for rg (the regex crate's syntax) that matches `text` literally; a
    character found in `variants` matches any of the characters given for it."""
    out = []
    for char in text:
        if variants and char in variants:
            out.append(
                "[" + "".join("\\" + c if c in _RUST_META else c for c in variants[char]) + "]"
            )
        elif char in _RUST_META:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def files_holding(
    rg: Path,
    root: Path,
    files: Sequence[str] | None,
    patterns: Sequence[str],
    *,
    word: bool = False,
) -> set[str]:
    """Which `*.md` files under `root` (or which of `files`, relative to `root`) hold a
    match of one of `patterns` (regex crate syntax; `word`: as whole words), by rg; files
    rg could not read are among them, for the caller to report."""
    options = [
        *_options(files),
        "--files-with-matches",
        "--null",
        "--crlf",
        *(["--word-regexp"] if word else []),
        *(arg for pattern in patterns for arg in ("-e", pattern)),
        "--",
    ]
    found: set[str] = set()
    for batch in _batches(files):
        done = _run(rg, root, options, batch)
        names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
        found.update(name.removeprefix("./") for name in names)
        if done.returncode == 2:  # some files could not be read: let the caller see them
            found.update(_unreadable(done.stderr))
    found.discard("")
    return found


def _batches(files: Sequence[str] | None) -> Iterator[list[str]]:
    """The files as rg's arguments, in runs that fit on a command line; None: the root."""
    if files is None:
        yield ["."]
        return
    batch: list[str] = []
    size = 0
    for rel in files:
        batch.append(rel)
        size += len(rel) + 1
        if size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _unreadable(stderr: bytes) -> list[str]:
    """Every prefix of an rg error message ("rg: PATH: reason") that may be the path: the
    caller keeps those that are files it listed."""
    named = []
    for line in stderr.decode("utf-8", "surrogateescape").splitlines():
        text = line.removeprefix("rg: ")
        position = text.find(": ")
        while position != -1:
            named.append(text[:position].removeprefix("./"))
            position = text.find(": ", position + 1)
    return named


# -- Python's regular expressions in the regex crate's syntax -----------------------------------

# Case variants Python's re.IGNORECASE finds and the regex crate's simple case folding does
# not (checked against re itself in the tests).
_TURKISH_I = "\u0130\u0131"
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
}
_ANCHORS = {"AT_BEGINNING": "^", "AT_END": "$", "AT_BOUNDARY": r"\b", "AT_NON_BOUNDARY": r"\B"}
_UNSUPPORTED_FLAGS = re.ASCII | re.DOTALL | re.MULTILINE | re.LOCALE


class _Untranslatable(Exception):
    pass


def translate(pattern: re.Pattern[str]) -> str | None:
    """`pattern` in the regex crate's syntax, meaning the same line by line; None where it
    holds anything that may not (look-arounds, back-references, `\\A`, some flags)."""
    if pattern.flags & _UNSUPPORTED_FLAGS:
        return None
    try:
        parser = importlib.import_module("re._parser")  # as grep's prefilter uses it
        parsed = parser.parse(pattern.pattern, pattern.flags)
        folded = bool(parsed.state.flags & re.IGNORECASE)
        if parsed.state.flags & _UNSUPPORTED_FLAGS:
            return None
        body = _sequence(list(parsed), folded)
    except _Untranslatable:
        return None
    except Exception:  # the stdlib's private parser changed: no translation, no harm
        return None
    return f"(?i){body}" if folded else body


def _char(code: int, *, in_class: bool = False) -> str:
    char = chr(code)
    if char in _RUST_META or (in_class and char in "-^"):
        return "\\" + char
    if not char.isprintable() or char.isspace():
        return f"\\x{{{code:x}}}"
    return char


def _sequence(items: Sequence[tuple[Any, Any]], folded: bool) -> str:
    return "".join(_item(op, av, folded) for op, av in items)


def _item(op: Any, av: Any, folded: bool) -> str:
    name = str(op)
    if name == "LITERAL":
        if folded and chr(av).lower() == "i":
            return "[iI" + _TURKISH_I + "]"
        return _char(av)
    if name == "NOT_LITERAL":
        if folded and chr(av).lower() == "i":
            raise _Untranslatable
        return "[^" + _char(av, in_class=True) + "]"
    if name == "ANY":
        return "."
    if name == "IN":
        return _class(av, folded)
    if name == "CATEGORY":
        return _CATEGORIES[str(av)] if str(av) in _CATEGORIES else _fail()
    if name == "AT":
        return _ANCHORS[str(av)] if str(av) in _ANCHORS else _fail()
    if name == "BRANCH":
        return "(?:" + "|".join(_sequence(list(alt), folded) for alt in av[1]) + ")"
    if name == "SUBPATTERN":
        _, add_flags, del_flags, items = av
        if add_flags or del_flags:
            raise _Untranslatable
        return "(?:" + _sequence(list(items), folded) + ")"
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        low, high, items = av
        inner = "(?:" + _sequence(list(items), folded) + ")"
        top = "" if high == importlib.import_module("re._constants").MAXREPEAT else str(high)
        lazy = "?" if name == "MIN_REPEAT" else ""
        return f"{inner}{{{low},{top}}}{lazy}"
    raise _Untranslatable


def _fail() -> str:
    raise _Untranslatable


def _class(items: Sequence[tuple[Any, Any]], folded: bool) -> str:
    parts: list[str] = []
    negated = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negated = True
        elif name == "LITERAL":
            parts.append(_char(av, in_class=True))
            if folded and chr(av).lower() == "i":
                parts.append(_TURKISH_I)
        elif name == "RANGE":
            low, high = av
            parts.append(_char(low, in_class=True) + "-" + _char(high, in_class=True))
            if folded and (low <= ord("i") <= high or low <= ord("I") <= high):
                parts.append(_TURKISH_I)
        elif name == "CATEGORY" and str(av) in _CATEGORIES:
            parts.append(_CATEGORIES[str(av)])
        else:
            raise _Untranslatable
    if negated and folded:
        raise _Untranslatable  # what "not these, in any case" leaves out differs
    return "[" + ("^" if negated else "") + "".join(parts) + "]"


# -- asking rg which lines match ----------------------------------------------------------------


@dataclass(frozen=True)
class FileLines:
    """What rg found in one file: the matching lines and the context around them, as
    (line number, text, matched character ranges: empty for a context line)."""

    rel: str
    lines: tuple[tuple[int, str, tuple[tuple[int, int], ...]], ...]
    count: int  # matching lines
    not_utf8: bool  # a line rg gave as bytes: the file is not UTF-8 text


def matching_lines(
    rg: Path,
    root: Path,
    files: Sequence[str] | None,
    pattern: str,
    *,
    word: bool,
    context: int,
) -> tuple[dict[str, FileLines], set[str]]:
    """rg's matches of `pattern` (regex crate syntax), line by line, in the `*.md` files
    under `root` or in `files` (see `files_holding`); and what it could not read."""
    options = [
        *_options(files),
        "--json",
        "--crlf",
        *(["--word-regexp"] if word else []),
        *([f"--context={context}"] if context else []),
        "-e",
        pattern,
        "--",
    ]
    found: dict[str, FileLines] = {}
    unreadable: set[str] = set()
    for batch in _batches(files):
        done = _run(rg, root, options, batch)
        found.update(_parse_json(done.stdout))
        if done.returncode == 2:
            unreadable.update(_unreadable(done.stderr))
    return found, unreadable


_COMMON = (
    "--no-config",  # nothing from the user's ripgrep settings
    "--text",  # a NUL byte does not make a file "binary" and skipped
    "--encoding=none",  # bytes as they are: no transcoding of files with a BOM
    "--no-ignore",
    "--case-sensitive",
)
# rg's walk: names starting with "." are left out (no --hidden), links are not followed
# (no --follow: the walker finds the links to files), the pictures' folder is not entered.
_TREE = (*_COMMON, "--glob=*.md", f"--glob=!/{IMAGES_DIR}")


def _options(files: Sequence[str] | None) -> tuple[str, ...]:
    """rg's options for the whole tree (None) or for files named one by one."""
    return _TREE if files is None else _COMMON


def _run(
    rg: Path, root: Path, options: Sequence[str], batch: Sequence[str]
) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run([str(rg), *options, *batch], cwd=root, capture_output=True, check=False)
    if done.returncode not in (0, 1, 2):
        raise OSError(f"rg failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return done


def _parse_json(output: bytes) -> Iterator[tuple[str, FileLines]]:
    rel = ""
    lines: list[tuple[int, str, tuple[tuple[int, int], ...]]] = []
    count = 0
    not_utf8 = False
    for raw in output.splitlines():
        message = json.loads(raw)
        kind = message["type"]
        data = message["data"]
        if kind == "begin":
            rel = _text(data["path"]).removeprefix("./")
            lines, count, not_utf8 = [], 0, False
        elif kind in ("match", "context"):
            if "text" not in data["lines"]:
                not_utf8 = True
                continue
            text = data["lines"]["text"]
            spans: tuple[tuple[int, int], ...] = ()
            if kind == "match":
                count += 1
                encoded = text.encode("utf-8")
                spans = tuple(
                    (_chars(encoded, m["start"]), _chars(encoded, m["end"]))
                    for m in data["submatches"]
                )
            lines.append((data["line_number"], text.rstrip("\n").removesuffix("\r"), spans))
        elif kind == "end":
            yield rel, FileLines(rel, tuple(lines), count, not_utf8)


def _text(value: dict[str, str]) -> str:
    if "text" in value:
        return value["text"]
    import base64

    return os.fsdecode(base64.b64decode(value["bytes"]))


def _chars(encoded: bytes, offset: int) -> int:
    """The character offset of byte `offset` of a UTF-8 line."""
    return len(encoded[:offset].decode("utf-8", "replace"))
