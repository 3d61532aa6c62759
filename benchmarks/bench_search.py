"""Benchmark finding things in a 100,000-article archive: search, grep, reindex.

    .venv/bin/python benchmarks/bench_search.py      # builds /tmp/newsarchive-bench/archive
    .venv/bin/python benchmarks/bench_search.py --archive /tmp/x/archive --count 100000
    .venv/bin/python benchmarks/bench_search.py --archive /tmp/x/archive --only quality
    .venv/bin/python benchmarks/bench_search.py --archive /tmp/x/archive --only grep

One run measures, on one archive built by make_synthetic_archive.py from ../shared/corpus:

* the size of the search index against the Markdown it indexes;
* recall and precision on a set of queries with known answers (QUALITY): a word typed in one
  form, in English, German, French, Spanish, Russian and Polish, where the articles that
  count are those holding any of the forms listed for it (its inflections, written out by
  hand), and Chinese, Japanese and Korean words, where they are the articles holding the
  word anywhere in their text. The answers are worked out by reading every article's text
  with a plain regular expression, not with newsarchive's search. `--only quality` measures
  only this (and builds the index in-process), which also works with an older newsarchive
  on PYTHONPATH, to compare;

* `reindex` from scratch (an empty cache directory), as a fresh `newsarchive` process, and
  again over the index it built;
* `search` over 20 varied queries (words, phrases, AND/OR/NOT, prefixes, Cyrillic, diacritics,
  filters): p50 and p95 of the command's own work (open the index, the freshness check,
  the query, snippets), and of a whole `newsarchive search` process;
* `grep -rl` and ripgrep (`rg -l`) for the same words, against which search is compared;
* `newsarchive grep -l` and `newsarchive grep` (lines) for a word and a regular expression,
  against `rg -l` / `rg -n` and `grep -rl` / `grep -rn` for the same patterns;
* the incremental cost after 100 files change (rewritten the way editors and the tool do,
  through a new file renamed over the old one): the next `search`, and `reindex --changed`.

Everything runs with a warm page cache (the archive is read once before timing): the numbers
compare the programs, not the disk. Results are printed as a Markdown table for
benchmarks/README.md; `--json FILE` also writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).with_name("newsarchive")  # the installed command, as users run it
NEWSARCHIVE = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "newsarchive"]

# Twenty queries of the kinds people type: common and rare words, phrases, the operators,
# prefixes, non-Latin scripts, accents typed or not, filters and a title-only search.
QUERIES: list[tuple[str, list[str]]] = [
    ("police", []),
    ("government", []),
    ("merkel", []),
    ("bitcoin", []),
    ('"prime minister"', []),
    ('"climate change"', []),
    ("police AND protest", []),
    ("football OR soccer", []),
    ("election NOT trump", []),
    ("sanction*", []),
    ("econom*", []),
    ("путин", []),
    ("росси*", []),
    ("bundestag", []),
    ("munchen", []),  # written without the umlaut: finds "München"
    ("société", []),
    ("wladza OR władza", []),
    ("hospital", ["--since", "2015", "--until", "2018"]),
    ("minister", ["--lang", "de"]),
    ("president", ["--in", "title"]),
]
# Queries with known answers: (query, language, forms). An article is an answer when its
# title, description, authors, tags or text hold one of the forms as a word, case and
# accents aside, as search documents it (so English "decisions" answers French "décisions");
# for the words of Chinese, Japanese and Korean, when its text holds the word anywhere.
# Forms are the inflections of the word typed, written out by hand; the texts are the
# corpus pages' own (see make_synthetic_archive.py).
QUALITY: list[tuple[str, str, tuple[str, ...]]] = [
    ("negotiations", "en", ("negotiation", "negotiations", "negotiate", "negotiated",
                            "negotiating", "negotiates")),
    ("election", "en", ("election", "elections")),
    ("protested", "en", ("protest", "protests", "protested", "protesting")),
    ("companies", "en", ("company", "companies")),
    ("courts", "en", ("court", "courts")),
    ("study", "en", ("study", "studies", "studied", "studying")),
    ("voted", "en", ("vote", "votes", "voted", "voting")),
    ("attack", "en", ("attack", "attacks", "attacked", "attacking")),
    ("Verhandlung", "de", ("verhandlung", "verhandlungen")),
    ("Wahlen", "de", ("wahl", "wahlen")),
    ("Regierung", "de", ("regierung", "regierungen")),
    ("Städte", "de", ("stadt", "städte", "städten")),
    ("Ländern", "de", ("land", "landes", "länder", "ländern")),
    ("Frau", "de", ("frau", "frauen")),
    ("Entscheidungen", "de", ("entscheidung", "entscheidungen")),
    ("Gericht", "de", ("gericht", "gerichte", "gerichts", "gerichten")),
    ("décisions", "fr", ("décision", "décisions")),
    ("enfant", "fr", ("enfant", "enfants")),
    ("femmes", "fr", ("femme", "femmes")),
    ("projet", "fr", ("projet", "projets")),
    ("présidente", "fr", ("président", "présidents", "présidente", "présidentes")),
    ("negociaciones", "es", ("negociación", "negociaciones")),
    ("gobierno", "es", ("gobierno", "gobiernos")),
    ("países", "es", ("país", "países")),
    ("mujer", "es", ("mujer", "mujeres")),
    ("empresas", "es", ("empresa", "empresas")),
    ("страна", "ru", ("страна", "страны", "стране", "страну", "страной", "стран", "странам",
                      "странах", "странами")),
    ("человека", "ru", ("человек", "человека", "человеку", "человеком", "человеке")),
    ("президент", "ru", ("президент", "президента", "президенту", "президентом",
                         "президенте")),
    ("kraj", "pl", ("kraj", "kraju", "krajem", "kraje", "krajów", "krajom", "krajach")),
    ("decyzji", "pl", ("decyzja", "decyzji", "decyzję", "decyzją", "decyzje", "decyzjom")),
    ("władza", "pl", ("władza", "władzy", "władzę", "władzą", "władze", "władz")),
    ("rząd", "pl", ("rząd", "rządu", "rządem", "rządzie", "rządy", "rządów")),
    ("wyborach", "pl", ("wybory", "wyborów", "wyborach", "wyborom", "wyborami", "wybór", "wyboru",
                        "wyborze", "wyborem")),
    ("梁振英", "zh", ()),
    ("违建", "zh", ()),
    ("發票", "zh", ()),
    ("退避", "ja", ()),
    ("商標", "ja", ()),
    ("自爆攻撃", "ja", ()),
    ("사진", "ko", ()),
    ("막장극", "ko", ()),
]  # fmt: skip
# Words compared with `grep -rl` and ripgrep (search is case-insensitive and matches words).
WORDS = ["merkel", "police", "bitcoin", "bundestag"]
GREP_WORD = "Merkel"
GREP_REGEX = r"[Pp]rime [Mm]inister [A-Z][a-z]+"
RUNS = 5  # each external command runs this many times (in turn with those it is compared with)


@dataclass
class Results:
    machine: dict[str, str] = field(default_factory=dict)
    archive: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self, what: str, seconds: float, note: str = "", *, cpu: float | None = None, **extra: Any
    ) -> None:
        self.rows.append({"what": what, "seconds": seconds, "cpu": cpu, "note": note, **extra})
        used = f" (CPU {_ms(cpu)})" if cpu is not None else ""
        print(f"  {what}: {_ms(seconds)}{used} {note}", file=sys.stderr, flush=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NEWSARCHIVE_CACHE_DIR"] = str(cache)
    env["NEWSARCHIVE_CONFIG"] = str(cache / "no-config.toml")
    env.setdefault("LC_ALL", "C.UTF-8")  # grep's speed depends on the locale: say which
    # Start-up as users have it: modules compiled once and read from __pycache__ after that,
    # not compiled again by every command.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(
    argv: Sequence[str], env: dict[str, str], *, runs: int = RUNS
) -> tuple[float, float, str]:
    """Median wall time and CPU time (user + system, with every process the command started)
    of `argv` over `runs` runs, and its stdout (of the last run)."""
    times = []
    cpus = []
    out = ""
    for _ in range(runs):
        cpu = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - cpu)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}")
        out = done.stdout
    return statistics.median(times), statistics.median(cpus), out


def _time_together(
    commands: Sequence[Sequence[str]], env: dict[str, str], *, runs: int = RUNS
) -> list[tuple[float, float, str]]:
    """`_time` for commands that are compared with each other, run in turn (a, b, c, a, b,
    c, ...) so that a change in the machine's load falls on all of them alike."""
    timed: list[list[tuple[float, float, str]]] = [[] for _ in commands]
    for _ in range(runs):
        for argv, results in zip(commands, timed, strict=True):
            results.append(_time(argv, env, runs=1))
    return [
        (
            statistics.median(wall for wall, _, _ in results),
            statistics.median(cpu for _, cpu, _ in results),
            results[-1][2],
        )
        for results in timed
    ]


def _percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "absent"
    return done.stdout.splitlines()[0] if done.stdout else "?"


def _machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor(),
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "grep": _version(["grep", "--version"]),
        "ripgrep": _version([_rg() or "rg", "--version"]),
    }


def _rg() -> str | None:
    """The rg that newsarchive grep runs (the ripgrep package's), else one on PATH."""
    try:
        from newsarchive import ripgrep
    except ImportError:  # an older newsarchive
        return shutil.which("rg")
    found = ripgrep.binary()
    return str(found) if found else shutil.which("rg")


def build_archive(root: Path, count: int) -> None:
    if root.exists() and any(root.iterdir()):
        return
    print(f"building {count} articles in {root} ...", file=sys.stderr, flush=True)
    subprocess.run(
        [PYTHON, str(HERE / "make_synthetic_archive.py"), str(root), "--count", str(count)],
        check=True,
    )


def warm(root: Path, env: dict[str, str]) -> tuple[int, int]:
    """Read every file once (so timings compare programs, not the disk); (files, bytes)."""
    files = size = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".md"):
                files += 1
                size += os.path.getsize(os.path.join(dirpath, name))
    subprocess.run(["grep", "-rlq", "zzzzqqqq", str(root)], env=env, check=False)
    return files, size


def in_process_search(
    root: Path, cache: Path
) -> Callable[[str, list[str]], tuple[float, float, int]]:
    """What `newsarchive search` does once its modules are loaded: open the index, check it is
    current, run the query, build the snippets. Returns a function timing one query:
    (wall seconds, CPU seconds, hits)."""
    os.environ["NEWSARCHIVE_CACHE_DIR"] = str(cache)
    from newsarchive.search import Filters, SearchIndex, parse_date
    from newsarchive.store import Archive

    def run(query: str, options: list[str]) -> tuple[float, float, int]:
        opts = dict(zip(options[::2], options[1::2], strict=True))
        filters = Filters(
            lang=opts.get("--lang"),
            since=parse_date(opts["--since"]) if "--since" in opts else None,
            until=parse_date(opts["--until"], end=True) if "--until" in opts else None,
        )
        cpu = time.process_time()
        started = time.perf_counter()
        with SearchIndex(Archive(root)) as index:
            index.refresh()
            field: Any = opts.get("--in", "all")  # "all", "title" or "body"
            hits = index.search(query, filters=filters, field=field, limit=20)
        return time.perf_counter() - started, time.process_time() - cpu, len(hits)

    return run


_WORDS = re.compile(r"\w+")


def _plain(text: str) -> str:
    """Lower case, without accents: "Städte" -> "stadte"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _article_words(path: str) -> tuple[str, set[str], str]:
    """(path, the lower-cased words, the text) of what search looks at in one article."""
    from newsarchive.frontmatter import loads
    from newsarchive.search import article_text, plain_text

    try:
        meta, body = loads(Path(path).read_text(encoding="utf-8"))
    except Exception:  # not an article: no answer
        return path, set(), ""
    fields = [meta.get("title"), meta.get("description")]
    for key in ("authors", "tags", "categories"):
        value = meta.get(key) or []
        fields.extend(value if isinstance(value, list) else [value])
    text = "\n".join(str(f) for f in fields if f) + "\n" + plain_text(article_text(body, meta))
    return path, set(_WORDS.findall(_plain(text))), text


def answers(root: Path) -> dict[str, set[str]]:
    """The articles that answer each query of QUALITY (relative paths), read with a plain
    regular expression, in worker processes."""
    paths = sorted(str(p) for p in root.rglob("*.md") if not p.name.startswith("."))
    found: dict[str, set[str]] = {query: set() for query, _, _ in QUALITY}
    wanted = [(query, {_plain(f) for f in forms}) for query, _, forms in QUALITY]
    with multiprocessing.Pool() as pool:
        for path, words, text in pool.imap_unordered(_article_words, paths, chunksize=200):
            rel = Path(path).relative_to(root).as_posix()
            for query, forms in wanted:
                if (forms and not forms.isdisjoint(words)) or (not forms and query in text):
                    found[query].add(rel)
    return found


def measure_quality(results: Results, root: Path, cache: Path) -> None:
    """Recall (every hit) and precision of the first 10 hits on QUALITY."""
    os.environ["NEWSARCHIVE_CACHE_DIR"] = str(cache)
    from newsarchive.search import SearchIndex
    from newsarchive.store import Archive

    print("quality: the answers", file=sys.stderr, flush=True)
    truth = answers(root)
    rows = []
    with SearchIndex(Archive(root)) as index:
        index.refresh()
        for query, language, _ in QUALITY:
            relevant = truth[query]
            every = {hit.entry.relpath for hit in index.search(query, limit=None)}
            first = [hit.entry.relpath for hit in index.search(query, limit=10)]
            expected_top = min(10, len(relevant))
            rows.append(
                {
                    "query": query,
                    "language": language,
                    "answers": len(relevant),
                    "found": len(every & relevant),
                    "hits": len(every),
                    "recall": len(every & relevant) / len(relevant) if relevant else 1.0,
                    "precision10": (
                        sum(rel in relevant for rel in first) / expected_top
                        if expected_top
                        else 1.0
                    ),
                }
            )
            row = rows[-1]
            print(
                f"    {query} ({language}): {row['found']}/{row['answers']} found,"
                f" {row['hits']} hits, recall {row['recall']:.1%},"
                f" precision@10 {row['precision10']:.0%}",
                file=sys.stderr,
            )
    results.archive["quality"] = rows


def quality_report(rows: list[dict[str, Any]]) -> str:
    """Recall and precision by language, and over all the queries, as Markdown."""
    lines = [
        "| language | queries | answers | recall (all answers) | recall (mean per query)"
        " | precision@10 (mean) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        language = (
            row["language"]
            if row["language"] in ("en", "de", "fr", "es", "ru", "pl")
            else "zh/ja/ko"
        )
        groups.setdefault(language, []).append(row)
    groups["all"] = rows
    for language, group in groups.items():
        answers_ = sum(r["answers"] for r in group)
        found = sum(r["found"] for r in group)
        lines.append(
            f"| {language} | {len(group)} | {answers_:,} | {found / answers_:.1%}"
            f" | {statistics.mean(r['recall'] for r in group):.1%}"
            f" | {statistics.mean(r['precision10'] for r in group):.1%} |"
        )
    return "\n".join(lines)


def change_files(root: Path, n: int, seed: int = 1) -> list[Path]:
    """Rewrite `n` articles as an editor (or the tool) does: a new file renamed over the old."""
    rng = random.Random(seed)
    paths: list[Path] = []
    for dirpath, _, names in os.walk(root):
        paths.extend(Path(dirpath) / name for name in names if name.endswith(".md"))
    paths.sort()
    chosen = rng.sample(paths, n)
    for k, path in enumerate(chosen):
        text = path.read_text(encoding="utf-8")
        tmp = path.with_name(f".{path.name}.bench.tmp")
        tmp.write_text(text + f"\nAdded by hand: quetzalcoatl{k}.\n", encoding="utf-8")
        os.replace(tmp, path)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--archive",
        type=Path,
        default=Path("/tmp/newsarchive-bench/archive"),
        help="the archive to measure; built if absent",
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--only",
        choices=["quality", "grep"],
        help="measure only recall and precision (QUALITY), or only grep against rg and grep",
    )
    args = parser.parse_args()
    root = args.archive.resolve()
    build_archive(root, args.count)
    cache = Path(tempfile.mkdtemp(prefix="newsarchive-bench-cache-"))
    env = _env(cache)
    results = Results(machine=_machine())
    results.machine["load before"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        if args.only == "grep":
            measure_grep(results, root, env)
        elif args.only is None:
            measure(results, root, cache, env)
        if args.only != "grep":
            measure_quality(results, root, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    results.machine["load after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if args.only != "quality":
        print(report(results))
        print()
    if args.only != "grep":
        print(quality_report(results.archive["quality"]))
    if args.json:
        args.json.write_text(json.dumps(results.__dict__, indent=2), encoding="utf-8")


def measure(results: Results, root: Path, cache: Path, env: dict[str, str]) -> None:
    rg = _rg()
    files, size = warm(root, env)
    results.archive = {"path": str(root), "files": files, "bytes": size}
    print(f"{files} files, {size / 1e6:.0f} MB; cache {cache}", file=sys.stderr)
    na = [*NEWSARCHIVE, "--archive", str(root)]

    subprocess.run([*NEWSARCHIVE, "--help"], env=env, capture_output=True, check=True)
    print("reindex from scratch", file=sys.stderr)
    wall, cpu, _ = _time([*na, "reindex"], env, runs=1)
    results.add("reindex, from scratch", wall, cpu=cpu)
    results.archive["cache_bytes"] = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    results.archive["index_bytes"] = sum(
        p.stat().st_size for p in cache.rglob("search.sqlite*") if p.is_file()
    )
    wall, cpu, _ = _time([*na, "reindex"], env, runs=1)
    results.add("reindex, over the existing index", wall, cpu=cpu)

    print("search", file=sys.stderr)
    search = in_process_search(root, cache)
    for query, options in QUERIES:  # warm-up: the index's pages into the page cache
        search(query, options)
    walls: list[float] = []
    cpus: list[float] = []
    process_walls: list[float] = []
    process_cpus: list[float] = []
    per_query = []
    for query, options in QUERIES:
        wall, cpu, hits = search(query, options)
        walls.append(wall)
        cpus.append(cpu)
        whole, whole_cpu, _ = _time([*na, "search", query, *options], env, runs=1)
        process_walls.append(whole)
        process_cpus.append(whole_cpu)
        label = " ".join([query, *options])
        per_query.append({"query": label, "hits": hits, "ms": wall * 1000, "cpu_ms": cpu * 1000})
        print(f"    {label}: {hits} hits, {_ms(wall)} (CPU {_ms(cpu)})", file=sys.stderr)
    results.archive["queries"] = per_query
    for p in (0.5, 0.95):
        name = f"p{round(p * 100)}"
        results.add(
            f"search {name}, the command's work",
            _percentile(walls, p),
            cpu=_percentile(cpus, p),
        )
    for p in (0.5, 0.95):
        name = f"p{round(p * 100)}"
        results.add(
            f"search {name}, whole `newsarchive search` process",
            _percentile(process_walls, p),
            cpu=_percentile(process_cpus, p),
        )
    wall, cpu, _ = _time([*NEWSARCHIVE, "--help"], env)
    results.add("`newsarchive --help` (Python start + imports)", wall, cpu=cpu)

    print("word queries: search vs grep -rl vs ripgrep", file=sys.stderr)
    for word in WORDS:
        wall, cpu, hits = search(word, [])
        results.add(f"search {word}", wall, "the best 20 hits", cpu=cpu, word=word)
        names = [f"grep -rliw {word}"]
        commands = [["grep", "-rliw", word, str(root)]]
        if rg:
            names.append(f"rg -liw {word}")
            commands.append([rg, "-liw", word, str(root)])
        for name, (wall, cpu, out) in zip(names, _time_together(commands, env), strict=True):
            results.add(name, wall, f"{len(out.splitlines())} files", cpu=cpu)

    measure_grep(results, root, env, warmed=True)

    print("100 files change", file=sys.stderr)
    change_files(root, 100)
    wall, cpu, hits = search("quetzalcoatl0 OR quetzalcoatl99", [])
    results.add("next search after 100 files changed", wall, f"{hits} of 2 found", cpu=cpu)
    change_files(root, 100, seed=2)
    wall, cpu, _ = _time([*na, "reindex", "--changed"], env, runs=1)
    results.add("reindex --changed after 100 files changed", wall, cpu=cpu)
    wall, cpu, _ = _time([*na, "reindex", "--changed"], env, runs=1)
    results.add("reindex --changed, nothing changed", wall, cpu=cpu)


def measure_grep(results: Results, root: Path, env: dict[str, str], warmed: bool = False) -> None:
    """`newsarchive grep` against rg and grep, each pattern and mode run in turn."""
    rg = _rg()
    if not warmed:
        files, size = warm(root, env)
        results.archive = {"path": str(root), "files": files, "bytes": size}
    na = [*NEWSARCHIVE, "--archive", str(root)]
    print("newsarchive grep vs ripgrep vs grep", file=sys.stderr)
    for label, pattern in (("word", GREP_WORD), ("regex", GREP_REGEX)):
        for mode, unit in (("-l", "files"), ("-n", "lines")):
            flags = ["-l"] if mode == "-l" else []
            names = [f"newsarchive grep {mode} {label}", f"grep -r{mode[1]}E {label}"]
            commands = [
                [*na, "grep", *flags, pattern],
                ["grep", f"-r{mode[1]}E", pattern, str(root)],
            ]
            if rg:
                names.insert(1, f"rg {mode} {label}")
                commands.insert(1, [rg, mode, "-e", pattern, str(root)])
            timed = _time_together(commands, env)
            for name, (wall, cpu, out) in zip(names, timed, strict=True):
                extra = {"rg": f"rg {mode} {label}"} if name.startswith("newsarchive") else {}
                results.add(name, wall, f"{len(out.splitlines())} {unit}", cpu=cpu, **extra)


def report(results: Results) -> str:
    """The results as Markdown: machine, archive, then one table."""
    m, a = results.machine, results.archive
    rows = {row["what"]: row for row in results.rows}
    index = (
        f" search index {a['index_bytes'] / 1e6:.0f} MB"
        f" ({a['index_bytes'] / a['bytes']:.2f}× the Markdown; the whole cache"
        f" directory, with the URL index, {a['cache_bytes'] / 1e6:.0f} MB)."
        if "index_bytes" in a
        else " no search index (grep reads each matching file's front-matter)."
    )
    lines = [
        f"{a['files']:,} articles, {a['bytes'] / 1e6:.0f} MB of Markdown;{index}"
        f" {m['cpu']}, {m['cores']} cores, Python {m['python']}, SQLite {m['sqlite']},"
        f" {m['grep']}, {m['ripgrep'].split(' (')[0]}. Warm page cache;"
        f" load average {m['load before']} before, {m['load after']} after.",
        "",
        "| measurement | wall | CPU | compared with | ratio (wall) |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for row in results.rows:
        what = row["what"]
        compared = factor = ""
        other = None
        if "word" in row:
            compared = f"grep -rliw {row['word']}"
            other = rows.get(compared)
            if other is not None:
                factor = f"{other['seconds'] / row['seconds']:.0f}× faster"
        elif "rg" in row:
            compared = row["rg"]
            other = rows.get(compared)
            if other is not None:
                factor = f"{row['seconds'] / other['seconds']:.1f}× rg's time"
        note = f" ({row['note']})" if row["note"] else ""
        cpu = _ms(row["cpu"]) if row.get("cpu") is not None else ""
        lines.append(f"| {what}{note} | {_ms(row['seconds'])} | {cpu} | {compared} | {factor} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
