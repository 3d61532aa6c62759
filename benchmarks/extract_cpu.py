"""Extraction CPU a page, this checkout against another, interleaved in one run.

    git archive 56fd525 src | tar -x -C /tmp/b-56
    .venv/bin/python benchmarks/extract_cpu.py --base /tmp/b-56/src  # 3 rounds, 396 pages
    .venv/bin/python benchmarks/extract_cpu.py --base /tmp/b-56/src --every 2 --rounds 5

Each version runs in a process of its own (its `src` first on PYTHONPATH). A process takes
every `--every`-th corpus page and renders each as `newsarchive fetch saved.html --url URL`
does (`corpus_hashes.outcome`: read, decode, extract, render) once to warm up. Then, in each
round, the two processes take turns on the same chunks of 20 pages, one at a time, which of
them goes first alternating, both held to the same core (a different one each round, where
the system lets a process choose): the machine is shared, and its load, its clock and its
other tenants change by the minute, so only turns this short see the same machine. The CPU
time (user + system) of each turn is counted. The table gives each round and the medians;
the change is the median of this checkout against the median of the base.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
CHUNK = 20  # pages a turn


def serve(every: int) -> None:
    """Warm up on every page, say how many there are, then answer each "FIRST END" line on
    stdin with the CPU seconds that rendering pages FIRST to END took."""
    sys.path.insert(0, str(HERE))
    import corpus_hashes

    records = corpus_hashes.load_records()[::every]
    for record in records:  # imports, caches and the date parser's languages warm up
        corpus_hashes.outcome(record)
    print(len(records), flush=True)
    for line in sys.stdin:
        first, end = map(int, line.split())
        started = time.process_time()
        for record in records[first:end]:
            corpus_hashes.outcome(record)
        print(time.process_time() - started, flush=True)


def start(src: Path, every: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--serve", "--every", str(every)]
    return subprocess.Popen(
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def turn(process: subprocess.Popen[str], first: int, end: int) -> float:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{first} {end}\n")
    process.stdin.flush()
    return float(process.stdout.readline())


def pin(processes: list[subprocess.Popen[str]], round_number: int) -> None:
    """Both processes on one core, a different one each round (where the system allows)."""
    if not hasattr(os, "sched_setaffinity"):
        return
    cores = sorted(os.sched_getaffinity(0))
    for process in processes:
        os.sched_setaffinity(process.pid, {cores[round_number % len(cores)]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="the other checkout's src directory")
    parser.add_argument("--every", type=int, default=4, help="every Nth corpus page (4: 396)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.every)
        return
    if args.base is None:
        parser.error("--base SRC is required")
    processes = [start(args.base, args.every), start(SRC, args.every)]
    pages = [int(p.stdout.readline()) for p in processes if p.stdout is not None][0]
    base_ms: list[float] = []
    this_ms: list[float] = []
    print("| round | base ms a page | this checkout ms a page | change |")
    print("| --- | ---: | ---: | ---: |")
    for round_number in range(1, args.rounds + 1):
        pin(processes, round_number)
        cpu = [0.0, 0.0]
        for n, first in enumerate(range(0, pages, CHUNK)):
            for which in (0, 1) if (n + round_number) % 2 else (1, 0):
                cpu[which] += turn(processes[which], first, first + CHUNK)
        base_ms.append(1000 * cpu[0] / pages)
        this_ms.append(1000 * cpu[1] / pages)
        change = this_ms[-1] / base_ms[-1] - 1
        print(f"| {round_number} | {base_ms[-1]:.1f} | {this_ms[-1]:.1f} | {change:+.1%} |")
    for process in processes:
        if process.stdin is not None:
            process.stdin.close()
        process.wait()
    base, this = statistics.median(base_ms), statistics.median(this_ms)
    print(f"| median | {base:.1f} | {this:.1f} | {this / base - 1:+.1%} |")
    print(f"\nbase: {args.base}; every {args.every}th corpus page; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
