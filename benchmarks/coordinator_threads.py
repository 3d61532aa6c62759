"""The importing process's CPU a page, thread by thread, this checkout against others.

    git archive 028f5da src | tar -x -C /tmp/b-028
    .venv/bin/python benchmarks/coordinator_threads.py --copies 10 --base /tmp/b-028/src --repeat 2

`bench_import.py` gives the coordinator's CPU as one figure; this says which of its threads
spent it: the main thread (scheduling, the list's URLs, the results), the writer (naming the
files, the URL index), the threads that read the extraction processes' messages, the picture
downloads, the list reader. Each run imports the `--copies` workload of `bench_import.py`
(10 hosts, 200 ms a response, the defaults) into an empty archive. A `sitecustomize` module
put first on PYTHONPATH records each thread's name with its native id as it starts, and the
threads' CPU times are read from /proc/PID/task/TID/stat every 0.2 s until the end (the last
reading of a thread that ended counts). Versions alternate, `--repeat` times.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_import  # noqa: E402
import import_server  # noqa: E402

_RECORDER = """\
import os, threading
_path = os.environ.get("THREAD_NAMES_FILE")
if _path:
    _run = threading.Thread.run
    def run(self, *args, **kwargs):
        with open(_path, "a") as names:
            names.write(f"{os.getpid()} {threading.get_native_id()} {self.name}\\n")
        return _run(self, *args, **kwargs)
    threading.Thread.run = run
"""


def thread_times(pid: int) -> dict[str, tuple[float, float]]:
    """{thread id: (user, system) CPU seconds} of the live threads of `pid`."""
    times = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return {}
    for tid in tids:
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        times[tid] = (int(fields[11]) / bench_import._TICK, int(fields[12]) / bench_import._TICK)
    return times


def run_once(src: Path, listing: Path, work: Path) -> dict[str, tuple[float, float, int]]:
    """Import `listing` with the code of `src`: {thread name: (user, system, threads)}."""
    hooks = work / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(_RECORDER, encoding="utf-8")
    names_file = work / "threads.txt"
    names_file.write_text("", encoding="utf-8")
    env = {
        **bench_import.isolated_env(work),
        "PYTHONPATH": f"{hooks}{os.pathsep}{src}",
        "THREAD_NAMES_FILE": str(names_file),
    }
    archive = work / f"archive-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "newsarchive", "--archive", str(archive), "import"]
    process = subprocess.Popen(
        [*command, str(listing)], env=env, cwd=work,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    last: dict[str, tuple[float, float]] = {}
    while process.poll() is None:
        last.update(thread_times(process.pid))
        time.sleep(0.2)
    named = {}
    for line in names_file.read_text(encoding="utf-8").splitlines():
        pid, tid, name = line.split(" ", 2)
        if int(pid) == process.pid:
            named[tid] = name.rstrip("0123456789-")  # "newsarchive-picture-3": one row
    totals: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0])
    for tid, (user, system) in last.items():
        row = totals[named.get(tid, "main thread")]
        row[0] += user
        row[1] += system
        row[2] += 1
    return {name: (user, system, int(count)) for name, (user, system, count) in totals.items()}


def table(label: str, times: dict[str, tuple[float, float, int]], urls: int) -> str:
    lines = [f"{label}: CPU ms a page, {urls} URLs", "| thread | threads | user | system | both |"]
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    every = [0.0, 0.0]
    for name, (user, system, count) in sorted(times.items(), key=lambda kv: -sum(kv[1][:2])):
        every = [every[0] + user, every[1] + system]
        lines.append(f"| {name} | {count} | {_ms(user, urls)} | {_ms(system, urls)} | "
                     f"{_ms(user + system, urls)} |")  # fmt: skip
    lines.append(f"| all | | {_ms(every[0], urls)} | {_ms(every[1], urls)} | "
                 f"{_ms(sum(every), urls)} |")  # fmt: skip
    return "\n".join(lines)


def _ms(seconds: float, urls: int) -> str:
    return f"{seconds * 1000 / urls:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=10, help="K × 181 URLs (default 10)")
    parser.add_argument("--base", type=Path, action="append", default=[], metavar="SRC")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    sources = [HERE.parent / "src", *args.base]
    bench_import.compiled(sources)
    server = bench_import.Server(10, 0.2)
    try:
        with tempfile.TemporaryDirectory(prefix="newsarchive-threads-") as folder:
            work = Path(folder)
            pages = import_server.load_pages()
            urls = bench_import.list_urls(server, pages, copies=args.copies, hosts=10)
            listing = bench_import.write_list(work / "list.txt", urls)
            for round_number in range(1, args.repeat + 1):
                for src in sources:
                    started = time.strftime("%H:%M:%S", time.gmtime())
                    times = run_once(src, listing, work)
                    label = f"{src} (round {round_number}, from {started} UTC)"
                    print(table(label, times, len(urls)), "\n", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
