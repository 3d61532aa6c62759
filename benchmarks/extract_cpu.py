"""Extraction CPU a page, this checkout against another, alternated in one run.

    git archive 56fd525 src | tar -x -C /tmp/b-56
    .venv/bin/python benchmarks/extract_cpu.py --base /tmp/b-56/src  # 3 rounds, 396 pages
    .venv/bin/python benchmarks/extract_cpu.py --base /tmp/b-56/src --every 2 --rounds 5

Each version runs in a process of its own (its `src` first on PYTHONPATH), one after the other
and then again, `--rounds` times: the machine is shared, and alternating spreads its noise over
both. A process takes every `--every`-th corpus page, renders each as `newsarchive fetch
saved.html --url URL` does (`corpus_hashes.outcome`: read, decode, extract, render) once to warm
up, then again while its CPU time (user + system) is counted; that second pass is the figure.
The table gives each round and the medians; the change is the median of this checkout against
the median of the base.
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


def one_version(every: int) -> float:
    """CPU milliseconds a page of the second pass, in this process (whichever src it has)."""
    sys.path.insert(0, str(HERE))
    import corpus_hashes

    records = corpus_hashes.load_records()[::every]
    for record in records:  # imports, caches and the date parser's languages warm up
        corpus_hashes.outcome(record)
    started = time.process_time()
    for record in records:
        corpus_hashes.outcome(record)
    return 1000 * (time.process_time() - started) / len(records)


def timed(src: Path, every: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--one", "--every", str(every)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="the other checkout's src directory")
    parser.add_argument("--every", type=int, default=4, help="every Nth corpus page (4: 396)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(f"{one_version(args.every):.2f}")
        return
    if args.base is None:
        parser.error("--base SRC is required")
    base_ms: list[float] = []
    this_ms: list[float] = []
    print("| round | base ms a page | this checkout ms a page | change |")
    print("| --- | ---: | ---: | ---: |")
    for round_number in range(1, args.rounds + 1):
        base_ms.append(timed(args.base, args.every))
        this_ms.append(timed(SRC, args.every))
        change = this_ms[-1] / base_ms[-1] - 1
        print(f"| {round_number} | {base_ms[-1]:.1f} | {this_ms[-1]:.1f} | {change:+.1%} |")
    base, this = statistics.median(base_ms), statistics.median(this_ms)
    print(f"| median | {base:.1f} | {this:.1f} | {this / base - 1:+.1%} |")
    print(f"\nbase: {args.base}; every {args.every}th corpus page; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
