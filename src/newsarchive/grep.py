"""grep over the archive's files, aware of the front-matter: filters by site, author, tag,
language and publication date, and a choice of searching the title, the body or everything.

It reads the Markdown files themselves, so what it prints is always what the files say. The
scanning is ripgrep's (see `ripgrep`): rg walks the archive while newsarchive's walker lists
it, and newsarchive keeps the articles the filters pass, in path order. A
pattern rg reads the same way is matched by rg, line by line (`_grep_by_rg`); for any other,
rg finds the files holding the strings every match must contain, and Python matches those
(`_scanned`). With `--in title` or `--in body` rg finds the files and Python the lines.

Where the package brought no rg binary, grep scans in Python, built for speed on large
archives:

* before a file is decoded, a cheap byte test throws out files that cannot match: the literal
  strings every match must contain are worked out from the regular expression (as ripgrep
  does) and looked for with `bytes` searches, which run at memory speed; only files holding
  one of them are decoded and searched line by line with the real expression. Where there
  are several such strings, a part common to all of them is looked for first;
* that test reads each file into one reused buffer, with no bytes object, stat or function
  call of its own: at 100,000 files, what a file that cannot match costs in Python is most
  of the time spent;
* the front-matter matters only for files that match (to apply the filters): it is taken
  from the search index when the index holds that very version of the file (same mtime and
  size), and parsed from the file otherwise;
* worker processes, one per core, do the reading, and most of the listing too: this process
  lists the archive's top two levels and hands over the directories below them whole (the
  months, in the usual layout); results come back in path order.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from newsarchive import ripgrep
from newsarchive.errors import UsageError
from newsarchive.frontmatter import FrontMatterError, is_newsarchive, loads
from newsarchive.search import INDEX_FILE, Field, Filters, IndexReader, KnownFile
from newsarchive.store import Archive
from newsarchive.walk import (
    OPEN_FLAGS,
    Directory,
    article_files,
    directories,
    join,
    read_bytes,
)
from newsarchive.workers import bounded_map, worker_count, worker_pool

__all__ = ["FileMatches", "GrepOptions", "Line", "compile_pattern", "grep"]

_PARALLEL_MIN = 1_000  # files; below this, starting worker processes costs more than it saves
_CHUNK = 1_000  # files given to a worker at a time (at least _PARALLEL_MIN)


@dataclass(frozen=True)
class GrepOptions:
    """What to look for and where (the options of `newsarchive grep`)."""

    pattern: str
    fixed: bool = False  # the pattern is a literal string, not a regular expression
    ignore_case: bool = False
    word: bool = False  # match whole words only
    context: int = 0  # lines of context around each matching line
    field: Field = "all"  # "title", "body" or "all" (front-matter and body)
    filters: Filters = dataclasses.field(default_factory=Filters)


@dataclass(frozen=True)
class Line:
    """One printed line: its number in the file (from 1), its text, and the matched ranges
    (empty for a context line)."""

    number: int
    text: str
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def is_match(self) -> bool:
        return bool(self.spans)


@dataclass(frozen=True)
class FileMatches:
    """The matches in one article file."""

    path: Path  # absolute
    relpath: str
    count: int  # matching lines
    lines: tuple[Line, ...]  # matching lines and their context, in order
    title: str | None = None
    url: str | None = None
    published: str | None = None


def compile_pattern(options: GrepOptions) -> re.Pattern[str]:
    """The regular expression for `options`; UsageError when the pattern is not valid."""
    source = re.escape(options.pattern) if options.fixed else options.pattern
    if options.word:
        source = rf"(?<!\w)(?:{source})(?!\w)"
    try:
        return re.compile(source, re.IGNORECASE if options.ignore_case else 0)
    except re.error as exc:
        raise UsageError(f"bad regular expression {options.pattern!r}: {exc}") from None


# -- literal extraction (a prefilter that can only say "cannot match") -------------------------

_MAX_STRINGS = 64


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two required-string sets (longest shortest member)."""
    if b is None or (b and min(map(len, b)) == 0):
        return a
    if a is None:
        return b
    key_a = (min(map(len, a)), -len(a))
    key_b = (min(map(len, b)), -len(b))
    return b if key_b > key_a else a


def _analyze(
    items: Iterable[tuple[Any, Any]],
) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(required, exact) for a sequence of parsed regex items.

    required: strings of which every match contains at least one (None: nothing known);
    exact: every string the whole sequence can match, when that is a small finite set.
    """
    c = importlib.import_module("re._constants")  # the parser's opcodes; see required_strings

    best: frozenset[str] | None = None
    run: frozenset[str] | None = frozenset({""})
    whole = True
    for op, av in items:
        exact: frozenset[str] | None = None
        required: frozenset[str] | None = None
        if op is c.LITERAL:
            exact = frozenset({chr(av)})
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            exact = frozenset({""})  # zero-width: adds nothing to the matched text
        elif op is c.SUBPATTERN:
            required, exact = _analyze(av[3])
        elif op is c.ATOMIC_GROUP:
            required, exact = _analyze(av)
        elif op is c.BRANCH:
            results = [_analyze(alt) for alt in av[1]]
            if all(e is not None for _, e in results):
                exact = frozenset().union(*(e for _, e in results if e is not None))
            options = [e if e is not None else r for r, e in results]
            if all(o is not None and o and min(map(len, o)) > 0 for o in options):
                required = frozenset().union(*(o for o in options if o is not None))
        elif op is c.IN:
            chars = _class_chars(av, c)
            if chars is not None:
                exact = frozenset(chars)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, sub = av
            sub_required, sub_exact = _analyze(sub)
            if low == high == 1:
                required, exact = sub_required, sub_exact
            elif low >= 1:
                required = sub_exact if sub_exact is not None else sub_required
        if exact is not None and len(exact) <= _MAX_STRINGS and run is not None:
            joined = frozenset(a + b for a in run for b in exact)
            if len(joined) <= _MAX_STRINGS:
                run = joined
                continue
        # This item breaks the run of known text: keep the best set seen so far.
        whole = False
        best = _better(best, run)
        best = _better(best, exact if exact is not None else required)
        run = frozenset({""})
    best = _better(best, run)
    return best, (run if whole else None)


def _class_chars(items: Sequence[tuple[Any, Any]], c: Any) -> list[str] | None:
    chars: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            chars.append(chr(av))
        elif op is c.RANGE and av[1] - av[0] < 8:
            chars.extend(chr(n) for n in range(av[0], av[1] + 1))
        else:
            return None
        if len(chars) > 8:
            return None
    return chars


def required_strings(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings of which every match of `pattern` contains one; None when there are none worth
    looking for (each must be at least 2 characters) or the pattern cannot be analysed."""
    try:
        # The stdlib's own regex parser (private, but stable since 3.11, and used by the
        # stdlib's compiler): anything unexpected only means no prefilter.
        parser = importlib.import_module("re._parser")
        required, _ = _analyze(parser.parse(pattern.pattern, pattern.flags))
    except Exception:
        return None
    if not required or min(map(len, required)) < 2:
        return None
    return required


# Non-ASCII characters that Python's re treats as case variants of ASCII letters; checked
# in tests against re itself over every code point.
EXOTIC_CASES = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


@cache
def _case_variants(char: str) -> frozenset[str]:
    """Every character `re.IGNORECASE` lets `char` match, found by asking re itself."""
    pattern = re.compile(re.escape(char), re.IGNORECASE)
    top = 0x10000 if ord(char) < 0x10000 else 0x110000
    return frozenset(chr(n) for n in range(top) if pattern.fullmatch(chr(n)))


@dataclass(frozen=True)
class Prefilter:
    """A fast byte test: False means the file cannot contain a match."""

    needles: tuple[bytes, ...] = ()  # any of these, as bytes
    lowered: tuple[bytes, ...] = ()  # any of these in the ASCII-lower-cased bytes
    exotic: tuple[bytes, ...] = ()  # any of these (rare case variants of ASCII letters)
    gate: bytes = b""  # in every one of `needles` (and there are no others): looked for first

    def __call__(self, data: bytes | bytearray, end: int | None = None) -> bool:
        """Whether `data` (its first `end` bytes) may hold a match."""
        end = len(data) if end is None else end
        if self.gate:
            # One search rules out most files, however many variants there are
            # ("[Pp]rime [Mm]inister" -> four needles, all holding "inister "); where the
            # gate is found, the needles are only compared around it.
            gate = self.gate
            position = data.find(gate, 0, end)
            if position == -1 or self.needles == (gate,):
                return position != -1
            while position != -1:
                for needle in self.needles:
                    start = position - needle.index(gate)
                    stop = start + len(needle)
                    if start >= 0 and stop <= end and data[start:stop] == needle:
                        return True
                position = data.find(gate, position + 1, end)
            return False
        for needle in self.needles:
            if data.find(needle, 0, end) != -1:
                return True
        for needle in self.exotic:
            if data.find(needle, 0, end) != -1:
                return True
        if self.lowered:
            low = data[:end].lower()
            for needle in self.lowered:
                if needle in low:
                    return True
        return False


def _common_part(strings: Sequence[bytes]) -> bytes:
    """The longest string held in all `strings` (b"" if shorter than 3 bytes)."""
    shortest = min(strings, key=len)
    for size in range(len(shortest), 2, -1):
        for start in range(len(shortest) - size + 1):
            part = shortest[start : start + size]
            if all(part in s for s in strings):
                return part
    return b""


def scanner_patterns(prefilter: Prefilter) -> list[str]:
    """The prefilter as patterns for rg: a file holding none of them cannot match."""
    patterns = [ripgrep.literal(n.decode("utf-8")) for n in prefilter.needles]
    patterns += [
        "(?i:" + ripgrep.literal(low.decode("ascii"), variants=_RG_CASES) + ")"
        for low in prefilter.lowered
    ]
    return patterns


# Every character Python's re.IGNORECASE lets these letters match: the regex crate's case
# folding leaves out the rare ones (EXOTIC_CASES), so rg is told them all.
_RG_CASES = {letter: letter + letter.upper() + extra for letter, extra in EXOTIC_CASES.items()}


def make_prefilter(pattern: re.Pattern[str]) -> Prefilter | None:
    """A Prefilter for `pattern`, or None when every file must be searched."""
    strings = required_strings(pattern)
    if strings is None:
        return None
    if not pattern.flags & re.IGNORECASE:
        exact = tuple(sorted(s.encode("utf-8") for s in strings))
        return Prefilter(needles=exact, gate=_common_part(exact))
    needles: set[bytes] = set()
    lowered: set[bytes] = set()
    exotic: set[bytes] = set()
    for text in strings:
        ascii_runs = [run for run in re.findall(r"[\x00-\x7f]+", text) if len(run) >= 3]
        if text.isascii() or ascii_runs:
            run = text if text.isascii() else max(ascii_runs, key=len)
            lowered.add(run.lower().encode("ascii"))
            for letter in set(run.lower()) & set(EXOTIC_CASES):
                exotic.update(ch.encode("utf-8") for ch in EXOTIC_CASES[letter])
        else:
            first = next(ch for ch in text if not ch.isascii())
            needles.update(ch.encode("utf-8") for ch in _case_variants(first))
    return Prefilter(tuple(sorted(needles)), tuple(sorted(lowered)), tuple(sorted(exotic)))


# -- searching files --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    root: str
    options: GrepOptions
    pattern: re.Pattern[str]  # matched against one line at a time, as grep does
    scanner: re.Pattern[str] | None  # the same with MULTILINE, run over whole texts
    prefilter: Prefilter | None
    index: Path | None = None  # the search index, to skip parsing front-matter it knows


def _job(root: Path, options: GrepOptions, index: Path | None = None) -> _Job:
    pattern = compile_pattern(options)
    # \A and \Z mean "start/end of the line" to grep but not in a whole text, and $ does
    # not match before the "\r" of a CRLF line there: search such patterns line by line
    # everywhere rather than find candidate lines in the whole text.
    whole_text_safe = not re.search(r"\\[AZz]|(?<!\\)\$", pattern.pattern)
    scanner = re.compile(pattern.pattern, pattern.flags | re.MULTILINE) if whole_text_safe else None
    return _Job(str(root), options, pattern, scanner, make_prefilter(pattern), index)


# One read-only connection to the search index per process (worker processes open their own).
_READERS: dict[tuple[int, Path], IndexReader] = {}


def _known(job: _Job, rel: str, mtime_ns: int, size: int) -> KnownFile | None:
    """The index's record of this very version of the file (same mtime and size), if any:
    it was read from the same bytes, so its front-matter need not be parsed again."""
    if job.index is None:
        return None
    key = (os.getpid(), job.index)
    reader = _READERS.get(key)
    if reader is None:
        reader = _READERS[key] = IndexReader(job.index)
    known = reader.get(rel)
    if known is None or (known.mtime_ns, known.size) != (mtime_ns, size):
        return None
    return known


def _close_reader(index: Path | None) -> None:
    if index is not None:
        reader = _READERS.pop((os.getpid(), index), None)
        if reader is not None:
            reader.close()


# (relative path, result or None, warning or None)
_Outcome = tuple[str, FileMatches | None, str | None]

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_TITLE_LINE = re.compile(r"^title:", re.M)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    position = find("\n")
    while position != -1:
        starts.append(position + 1)
        position = find("\n", position + 1)
    return starts


def _candidate_lines(job: _Job, text: str, starts: list[int], first: int, last: int) -> list[int]:
    """Indexes of the lines in [first, last) that may hold a match: every line that does.

    The MULTILINE scanner runs over the text itself (fast); after each hit the search goes on
    from the next line, so a hit that runs across lines cannot hide a later line's match.
    """
    if job.scanner is None:
        return list(range(first, last))
    end = starts[last] if last < len(starts) else len(text)
    found: list[int] = []
    position = starts[first] if first < len(starts) else len(text)
    search = job.scanner.search
    while position <= end:
        match = search(text, position, end)
        if match is None:
            break
        line = _line_of(starts, match.start())
        found.append(line)
        if line + 1 >= len(starts):
            break
        position = starts[line + 1]
    return found


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if starts[mid] <= offset:
            low = mid
        else:
            high = mid - 1
    return low


def _line_text(text: str, starts: list[int], index: int) -> str:
    end = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
    line = text[starts[index] : end].removesuffix("\n")
    return line.removesuffix("\r")


def _search_file(job: _Job, rel: str) -> _Outcome:
    try:
        data, mtime_ns, size = read_bytes(f"{job.root}{os.sep}{rel}")
    except FileNotFoundError:
        return rel, None, None  # deleted since the listing
    except OSError as exc:
        return rel, None, f"cannot read: {exc.strerror or exc}"
    if job.prefilter is not None and not job.prefilter(data):
        return rel, None, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return rel, None, "not UTF-8 text"
    starts = _line_starts(text)
    if text.endswith("\n"):
        starts.pop()  # no empty "line" after the final newline
    matched = _matched_lines(job, text, starts)
    if not matched:
        return rel, None, None
    described = _describe(job, rel, text, mtime_ns, size)
    if not isinstance(described, tuple):
        return rel, None, described  # a problem, or None: not an article the filters pass
    title, url, published = (str(value) if value is not None else None for value in described)
    context = job.options.context
    wanted = sorted(
        {
            i
            for index in matched
            for i in range(max(0, index - context), min(len(starts), index + context + 1))
        }
    )
    shown = tuple(Line(i + 1, _line_text(text, starts, i), matched.get(i, ())) for i in wanted)
    path = Path(job.root) / rel
    return rel, FileMatches(path, rel, len(matched), shown, title, url, published), None


def _matched_lines(
    job: _Job, text: str, starts: list[int]
) -> dict[int, tuple[tuple[int, int], ...]]:
    """The matching lines of `text` in the field searched: line index -> matched ranges."""
    header = _FRONT_MATTER.match(text)
    body_line = _line_of(starts, header.end()) if header and header.end() < len(text) else 0
    if header and header.end() >= len(text):
        body_line = len(starts)
    where = job.options.field
    columns: dict[int, int] = {}
    if where == "all":
        candidates = _candidate_lines(job, text, starts, 0, len(starts))
    elif where == "body":
        candidates = _candidate_lines(job, text, starts, body_line, len(starts))
    else:  # the title's line in the front-matter, after "title:"
        candidates = []
        title = _TITLE_LINE.search(text, 0, header.end()) if header else None
        if title is not None:
            index = _line_of(starts, title.start())
            candidates.append(index)
            columns[index] = len("title:")
    matched: dict[int, tuple[tuple[int, int], ...]] = {}
    pattern = job.pattern
    for index in candidates:
        line = _line_text(text, starts, index)
        column = columns.get(index, 0)
        segment = line[column:] if column else line
        spans = tuple((m.start() + column, m.end() + column) for m in pattern.finditer(segment))
        if spans:
            matched[index] = spans
    return matched


def _describe(
    job: _Job, rel: str, text: str, mtime_ns: int, size: int
) -> tuple[object, object, object] | str | None:
    """(title, url, published) of a matching file that is an article passing the filters;
    else why it cannot be read, or None."""
    known = _known(job, rel, mtime_ns, size)
    if known is not None:
        if known.is_broken:
            return known.error
        if not known.is_article or not known.passes(job.options.filters):
            return None
        return known.title, known.url, known.published
    try:
        meta, _ = loads(text)
    except FrontMatterError as exc:
        return str(exc)
    if not is_newsarchive(meta) or not job.options.filters.matches(meta):
        return None
    return meta.get("title"), meta.get("url"), meta.get("published")


def _search_chunk(job: _Job, items: Sequence[str]) -> list[_Outcome]:
    """The matches and problems in `items` (files, and directories given whole), in order;
    directories and names that could not be listed come first."""
    root = Path(job.root)
    out: list[_Outcome] = []

    def skipped(path: Path, reason: str) -> None:
        out.append((path.relative_to(root).as_posix(), None, reason))

    rels = _expand(root, items, skipped)
    if job.prefilter is not None and _readv is not None:
        rels = _screen(job.root, rels, job.prefilter, _readv)
    for rel in rels:
        outcome = _search_file(job, rel)
        if outcome[1] is not None or outcome[2] is not None:
            out.append(outcome)
    return out  # the worker keeps its index connection for its next chunk


_readv: Callable[[int, Sequence[bytearray]], int] | None = getattr(os, "readv", None)  # not Windows
_SCREEN_BYTES = 1 << 16


def _screen(
    root: str,
    rels: Sequence[str],
    prefilter: Prefilter,
    readv: Callable[[int, Sequence[bytearray]], int],
) -> list[str]:
    """The files of `rels` that may match, by the prefilter: most files are read into one
    reused buffer and tested there, without a bytes object, a stat or a function call of
    their own, which is most of what a file costs when it cannot match. Files that cannot
    be read, and files bigger than the buffer, are left to `_search_file` to read and
    report."""
    buffer = bytearray(_SCREEN_BYTES)
    buffers = [buffer]
    prefix = root + os.sep
    keep: list[str] = []
    gate = prefilter.gate  # looked for here first: most files end at this one search
    find = buffer.find
    open_, close = os.open, os.close
    for rel in rels:
        try:
            fd = open_(prefix + rel, OPEN_FLAGS)
        except FileNotFoundError:
            continue  # deleted since the listing
        except OSError:
            keep.append(rel)
            continue
        try:
            size = readv(fd, buffers)
        except OSError:
            size = _SCREEN_BYTES
        finally:
            close(fd)
        if size == _SCREEN_BYTES:
            keep.append(rel)
        elif gate and find(gate, 0, size) == -1:
            continue
        elif prefilter(buffer, size):
            keep.append(rel)
    return keep


def grep(
    archive: Archive | Path,
    options: GrepOptions,
    *,
    on_error: Callable[[Path, str], None] | None = None,
    workers: int | None = None,
) -> Iterator[FileMatches]:
    """The matches of `options` in every article of the archive, file by file in path order.

    Files that cannot be read, are not UTF-8 or have broken front-matter are skipped and
    reported to `on_error(path, reason)` (only when they could have matched). Files without
    newsarchive front-matter (a README.md, notes) are skipped silently.

    The lines come from the files themselves. The front-matter of a matching file is taken
    from the search index when the index holds that very version of the file (same mtime
    and size), and parsed from the file otherwise.
    """
    if not isinstance(archive, Archive):
        archive = Archive(archive)
    root = archive.root
    index = archive.index_path.with_name(INDEX_FILE)
    job = _job(root, options, index if index.is_file() else None)
    workers = worker_count(workers)
    rg = ripgrep.binary()
    translated = ripgrep.translate(_unwrapped(options)) if rg is not None else None
    if rg is not None and translated is not None and options.field == "all":
        try:
            yield from _grep_by_rg(rg, job, translated, on_error)
        finally:
            _close_reader(job.index)
        return
    if rg is not None and (translated is not None or job.prefilter is not None):
        items: Iterator[str] = _scanned(rg, job, translated, on_error)
    else:
        items = _work(root, _PARALLEL_MIN, on_error)
    first = list(itertools.islice(items, _PARALLEL_MIN))
    tasks = _tasks(itertools.chain(first, items), _CHUNK)
    if workers < 2 or len(first) < _PARALLEL_MIN:
        try:
            for task in tasks:
                yield from _emit(root, _search_chunk(job, task), on_error)
        finally:
            _close_reader(job.index)
        return
    with worker_pool(workers) as pool:
        yield from _emit(root, bounded_map(pool, workers, _search_chunk, job, tasks), on_error)


def _unwrapped(options: GrepOptions) -> re.Pattern[str]:
    """The pattern without grep's whole-word wrapping (rg is told --word-regexp instead)."""
    plain = dataclasses.replace(options, word=False)
    return compile_pattern(plain)


def _scanned(
    rg: Path, job: _Job, translated: str | None, on_error: Callable[[Path, str], None] | None
) -> Iterator[str]:
    """The article files that may match, in path order: listed by newsarchive's walker,
    scanned by rg (for the pattern itself where it translates, else for the strings every
    match holds)."""
    root = Path(job.root)
    if translated is not None:
        patterns, word = [translated], job.options.word
    else:
        assert job.prefilter is not None
        patterns, word = scanner_patterns(job.prefilter), False

    def scan(files: Sequence[str] | None) -> set[str]:
        return ripgrep.files_holding(rg, root, files, patterns, word=word)

    listed, scans = _listed_while_scanned(root, on_error, scan)
    holding: set[str] = set().union(*scans)
    yield from sorted((rel for rel in holding if rel in listed), key=_path_order)


T = TypeVar("T")


class _Listing:
    """The article files of an archive as the walker lists it, by directory; which of a
    scan's finds are articles is asked of it file by file, for the few that matched."""

    def __init__(self, listed: Iterable[Directory]) -> None:
        self._by_rel = {directory.rel: directory for directory in listed}
        self._files: dict[str, frozenset[str]] = {}

    def __contains__(self, rel: object) -> bool:
        if not isinstance(rel, str):
            return False
        parent, _, name = rel.rpartition("/")
        files = self._files.get(parent)
        if files is None:
            directory = self._by_rel.get(parent)
            if directory is None:
                return False
            files = self._files[parent] = frozenset(directory.names) - directory.dirs
        return name in files

    def links(self) -> list[str]:
        """The links to article files, which rg's walk passes over."""
        return [join(rel, name) for rel, listed in self._by_rel.items() for name in listed.links]


def _listed_while_scanned(
    root: Path,
    on_error: Callable[[Path, str], None] | None,
    scan: Callable[[Sequence[str] | None], T],
) -> tuple[_Listing, list[T]]:
    """(the articles as the walker lists them; `scan` of the whole tree, and of the links
    to article files if there are any).

    rg walks the tree while the walker lists it, in a thread of this process: listing
    100,000 files costs about a third of rg's whole search, and the two overlap."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        whole = thread.submit(scan, None)
        listing = _Listing(directories(root, on_error=on_error))
        scans = [whole.result()]
    links = listing.links()
    if links:
        scans.append(scan(links))
    return listing, scans


def _path_order(rel: str) -> list[str]:
    """The walker's order: by the path's components (so "a/b/x.md" < "a/c.md")."""
    return rel.split("/")


def _grep_by_rg(
    rg: Path, job: _Job, translated: str, on_error: Callable[[Path, str], None] | None
) -> Iterator[FileMatches]:
    """grep with rg finding the lines: newsarchive lists the files, rg matches them, and
    newsarchive keeps the articles the filters pass, in path order."""
    root = Path(job.root)

    def scan(files: Sequence[str] | None) -> tuple[dict[str, ripgrep.FileLines], set[str]]:
        return ripgrep.matching_lines(
            rg, root, files, translated, word=job.options.word, context=job.options.context
        )

    listed, scans = _listed_while_scanned(root, on_error, scan)
    found: dict[str, ripgrep.FileLines] = {}
    unreadable: set[str] = set()
    for lines_by_file, not_read in scans:
        found.update(lines_by_file)
        unreadable |= not_read
    articles = (rel for rel in found.keys() | unreadable if rel in listed)
    for rel in sorted(articles, key=_path_order):
        lines = found.get(rel)
        if lines is None:  # rg could not read it: read it here, and say why not
            outcome = _search_file(job, rel)
        else:
            outcome = _rg_outcome(job, lines)
        yield from _emit(root, [outcome], on_error)


def _rg_outcome(job: _Job, found: ripgrep.FileLines) -> _Outcome:
    """The matches rg found in one file, for an article the filters pass; else nothing, or
    why the file cannot be read."""
    rel = found.rel
    try:
        data, mtime_ns, size = read_bytes(f"{job.root}{os.sep}{rel}")
    except FileNotFoundError:
        return rel, None, None  # deleted since
    except OSError as exc:
        return rel, None, f"cannot read: {exc.strerror or exc}"
    known = _known(job, rel, mtime_ns, size)
    text = ""
    if known is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return rel, None, "not UTF-8 text"
    described = _describe(job, rel, text, mtime_ns, size)
    if not isinstance(described, tuple):
        return rel, None, described
    title, url, published = (str(value) if value is not None else None for value in described)
    lines = tuple(Line(number, text, spans) for number, text, spans in found.lines)
    path = Path(job.root) / rel
    return rel, FileMatches(path, rel, found.count, lines, title, url, published), None


_SUBTREE = 300  # files a directory given whole to a worker is reckoned to hold


def _work(root: Path, listed: int, on_error: Callable[[Path, str], None] | None) -> Iterator[str]:
    """What there is to search, in path order: file paths, and once `listed` of those have
    been given, the directories two levels down (such as "2021/09"), given whole as
    "2021/09/" for a worker process to list: listing 100,000 files in this process would
    cost as much as a third of searching them."""
    count = 0

    def whole(rel: str) -> bool:
        return "/" in rel and count >= listed

    for item in article_files(root, on_error=on_error, whole=whole):
        if not item.endswith("/"):
            count += 1
        yield item


def _tasks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """`items` in lists of about `size` files each."""
    task: list[str] = []
    weight = 0
    for item in items:
        task.append(item)
        weight += _SUBTREE if item.endswith("/") else 1
        if weight >= size:
            yield task
            task = []
            weight = 0
    if task:
        yield task


def _expand(root: Path, items: Sequence[str], on_error: Callable[[Path, str], None]) -> list[str]:
    """The file paths of `items`, with each directory given whole listed in place."""
    if not any(item.endswith("/") for item in items):
        return list(items)
    rels: list[str] = []
    for item in items:
        if item.endswith("/"):
            rels.extend(article_files(root, under=item[:-1], on_error=on_error))
        else:
            rels.append(item)
    return rels


def _emit(
    root: Path,
    outcomes: Iterable[_Outcome],
    on_error: Callable[[Path, str], None] | None,
) -> Iterator[FileMatches]:
    for rel, result, problem in outcomes:
        if problem is not None:
            if on_error is not None:
                on_error(root / rel, problem)
        elif result is not None:
            yield result
