"""Benchmark `newsarchive import` against the trafilatura CLI and the extraction-bound limit.

    .venv/bin/python benchmarks/bench_import.py                   # about 20 minutes on 2 cores
    .venv/bin/python benchmarks/bench_import.py --rss-urls 2000 --json results.json

One run:

1. starts benchmarks/import_server.py on 127.0.0.1 ... 127.0.0.10 (distinct hosts, one port),
   serving the 181 scrapinghub pages of ../shared/corpus, each response held back 200 ms;
2. on the 181 URLs spread over the 10 hosts, then with all of them on 127.0.0.1, times
   - `newsarchive import LIST` into an empty archive, default settings;
   - `trafilatura -i LIST -o OUT --markdown --with-metadata --parallel 16`, with a config file
     setting SLEEP_TIME = 0 and SSRF_PROTECTION = off (otherwise it refuses loopback);
   - the extraction-bound limit: the CPU seconds newsarchive's page work (decode, extract,
     render) takes for the 181 pages in one process, divided by the number of cores;
3. imports 10,000 distinct URLs (/copy/<n>/<id> over the 10 hosts) for the peak memory, then
   runs the finished list again (its first 1,000 URLs, then all 10,000), counting the requests
   the server receives.

Per command: wall time; pages/s (URLs in the list / wall time); CPU % (user + system CPU of
the command and of every process it started, / wall time: 200 % is both cores of a 2-core
machine); peak memory of the whole process tree, sampled as RSS (shared pages counted in
every process) and PSS (shared pages split between the processes sharing them), a sample's
own CPU kept under 5 % of a core (about every 0.35 s). With `--copies`, also the CPU per
page of newsarchive's own process (the coordinator) and of the others (extraction), the
coordinator's both as it is and without its start-up (the CPU of an import of an empty
list with the same code). The server runs in its own process and is not counted. Results are
printed as Markdown for benchmarks/README.md; `--json FILE` also writes them as JSON.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import re
import resource
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
_SCRIPT = Path(PYTHON).with_name("newsarchive")  # the installed command, as users run it
NEWSARCHIVE = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "newsarchive"]
TRAFILATURA = str(Path(PYTHON).with_name("trafilatura"))

sys.path.insert(0, str(HERE))
from import_server import load_pages, page_path  # noqa: E402

# trafilatura's own defaults, except the two settings the comparison needs.
TRAFILATURA_CONFIG = """\
[DEFAULT]
DOWNLOAD_TIMEOUT = 30
MAX_FILE_SIZE = 20000000
MIN_FILE_SIZE = 10
SLEEP_TIME = 0
USER_AGENTS =
COOKIE =
MAX_REDIRECTS = 2
SSRF_PROTECTION = off
INSECURE_SSL_FALLBACK = on
MIN_EXTRACTED_SIZE = 250
MIN_OUTPUT_SIZE = 1
MIN_OUTPUT_COMM_SIZE = 1
MAX_TREE_SIZE =
EXTRACTION_TIMEOUT = 30
MIN_DUPLCHECK_SIZE = 100
MAX_REPETITIONS = 2
EXTENSIVE_DATE_SEARCH = on
EXTERNAL_URLS = off
"""

TARGET_VS_TRAFILATURA = 2.9  # times faster, 10 hosts
TARGET_VS_LIMIT = 0.85  # of the extraction-bound rate, 10 hosts
TARGET_ONE_HOST_S = 12.0  # 181 pages from one host
TARGET_RSS_MB = 300.0  # 10,000-URL import

SERVER_PID: int | None = None  # the web server's process, once started


# ---------------------------------------------------------------------------------------------
# Measuring a process tree


@dataclass
class Measurement:
    label: str
    hosts: int
    urls: int
    wall: float  # seconds
    cpu: float  # user + system seconds, the whole process tree
    peak_rss_mb: float  # sum over the tree, sampled
    peak_pss_mb: float
    largest_process_mb: float  # ru_maxrss of the largest single process
    returncode: int
    output: int = 0  # files written
    others: float = 0.0  # cores kept busy meanwhile by other programs (noise), on average
    notes: str = ""
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (seconds, RSS MB)
    main_cpu: float = 0.0  # user + system seconds of the command's own process (coordinator)
    # The same of an import of an empty list: loading the program, opening the archive.
    startup_cpu: float = 0.0
    pss_timeline: list[tuple[float, float]] = field(default_factory=list)  # (seconds, PSS MB)
    # (seconds, {role: PSS MB}) for the roles of `_role`: where the tree's memory is
    roles_timeline: list[tuple[float, dict[str, float]]] = field(default_factory=list)

    @property
    def pages_per_s(self) -> float:
        return self.urls / self.wall

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu / self.wall

    @property
    def main_ms(self) -> float:
        """CPU milliseconds per URL of the command's own process (newsarchive's coordinator)."""
        return 1000 * self.main_cpu / self.urls

    @property
    def main_running_ms(self) -> float:
        """`main_ms` without the start-up's CPU: what each more page costs the coordinator."""
        return 1000 * (self.main_cpu - self.startup_cpu) / self.urls

    @property
    def workers_ms(self) -> float:
        """CPU milliseconds per URL of every other process of the tree (extraction)."""
        return 1000 * (self.cpu - self.main_cpu) / self.urls


def _become_subreaper() -> bool:
    """Adopt orphaned descendants (a pool's workers), so their CPU time is counted too."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(36, 1, 0, 0, 0)) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _session_pids(sid: int) -> list[int]:
    return list(_session_parents(sid))


def _session_parents(sid: int) -> dict[int, int]:
    """{pid: parent pid} of every process of session `sid`."""
    pids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid:  # state, ppid, pgrp, session
            pids[int(entry)] = int(fields[1])
    return pids


ROLES = ("main", "forkserver", "extraction", "tracker")


def _role(pid: int, parents: dict[int, int], main: int, names: dict[int, str]) -> str:
    """What a process of the import's tree is: its main process, the forkserver the
    extraction processes are forked from, an extraction process (a fork of the forkserver,
    or of the main process), or multiprocessing's resource tracker."""
    if pid == main:
        return "main"
    if pid not in names:
        try:
            names[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            names[pid] = ""
    if "resource_tracker" in names[pid]:
        return "tracker"
    if "forkserver" in names[pid] and parents.get(pid) == main:
        return "forkserver"
    return "extraction"


_TICK = os.sysconf("SC_CLK_TCK")

# The share of one core the sampling in `measure` may take. One sample reads every process of
# the machine (to find the run's) and walks each of the run's to sum its PSS: about 17 ms of
# CPU for an import, more for a CLI of 17 processes. Taken every 50 ms, as before, that was a
# quarter of a core taken from the run it measures on a 2-core machine.
_SAMPLING_SHARE = 0.05
_SAMPLING_MIN_S = 0.05


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, every program)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def _process_cpu(pid: int) -> float:
    """CPU seconds one live process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; zeros once it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


def measure(
    label: str,
    command: Sequence[str],
    *,
    cwd: Path,
    hosts: int,
    urls: int,
    env: dict[str, str] | None = None,
    server: int | None = None,
) -> Measurement:
    """Run `command` in a session of its own; time it and follow every process it starts.

    `server` is the pid of the web server, whose CPU is counted apart from the noise.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = _busy_seconds()
    server_before = _process_cpu(server) if server else 0.0
    with open(cwd / f"{label}.out", "wb") as out, open(cwd / f"{label}.err", "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        peak_rss = peak_pss = 0
        timeline: list[tuple[float, float]] = []
        pss_timeline: list[tuple[float, float]] = []
        roles_timeline: list[tuple[float, dict[str, float]]] = []
        names: dict[int, str] = {}
        # Readable once the process has ended: the end is seen at once, however long the
        # wait between two samples.
        pidfd = os.pidfd_open(proc.pid)
        ended = select.poll()
        ended.register(pidfd, select.POLLIN)
        while True:
            # Seen ended but not reaped yet, so that its own CPU time can still be read.
            if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
                wall = time.perf_counter() - started
                main_cpu = _process_cpu(proc.pid)
                _, status, _ = os.wait4(proc.pid, 0)
                os.close(pidfd)
                break
            sampling = time.process_time()
            parents = _session_parents(proc.pid)
            rss = pss = 0
            by_role = dict.fromkeys(ROLES, 0.0)
            for each in parents:
                one_rss, one_pss = _memory_kb(each)
                rss += one_rss
                pss += one_pss
                by_role[_role(each, parents, proc.pid, names)] += one_pss / 1024
            peak_rss = max(peak_rss, rss)
            peak_pss = max(peak_pss, pss)
            timeline.append((time.perf_counter() - started, rss / 1024))
            pss_timeline.append((timeline[-1][0], pss / 1024))
            roles_timeline.append((timeline[-1][0], by_role))
            spent = time.process_time() - sampling
            ended.poll(1000 * max(_SAMPLING_MIN_S, spent / _SAMPLING_SHARE))
        proc.returncode = os.waitstatus_to_exitcode(status)
        # Reap what the command left behind (adopted by us as subreaper), for its CPU time.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            left = _session_pids(proc.pid)
            if not left:
                break
            for each in left:
                try:
                    os.wait4(each, os.WNOHANG)
                except ChildProcessError:
                    pass  # not ours (yet): its parent reaps it
            time.sleep(0.02)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    busy = _busy_seconds() - busy_before
    served = (_process_cpu(server) - server_before) if server else 0.0
    elapsed = time.perf_counter() - started
    return Measurement(
        label=label,
        hosts=hosts,
        urls=urls,
        wall=wall,
        cpu=cpu,
        peak_rss_mb=peak_rss / 1024,
        peak_pss_mb=peak_pss / 1024,
        largest_process_mb=after.ru_maxrss / 1024,
        returncode=proc.returncode,
        timeline=timeline,
        others=max(0.0, busy - cpu - served) / elapsed,
        main_cpu=main_cpu,
        pss_timeline=pss_timeline,
        roles_timeline=roles_timeline,
    )


# ---------------------------------------------------------------------------------------------
# The server and the URL lists


class Server:
    def __init__(self, hosts: int, latency: float) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, str(HERE / "import_server.py"), "--hosts", str(hosts), "--latency",
             str(latency)],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.proc.kill()
            raise SystemExit(f"import_server.py did not start (said {line!r})")
        self.port = int(line)

    def url(self, host: int, path: str) -> str:
        return f"http://127.0.0.{host}:{self.port}{path}"

    def requests(self) -> int:
        with urllib.request.urlopen(self.url(1, "/_stats"), timeout=10) as response:
            return int(json.load(response)["requests"])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def write_list(path: Path, urls: list[str]) -> Path:
    path.write_text("".join(f"{url}\n" for url in urls), encoding="utf-8")
    return path


def list_urls(
    server: Server, pages: dict[str, tuple[str, bytes]], *, copies: int, hosts: int
) -> list[str]:
    """The workload's URLs, spread over `hosts`: the 181 pages as they are (`copies` 1), or
    `copies` × 181 distinct articles (`/copy/<n>/<id>`: each page without its canonical
    links, so that every URL is an article of its own)."""
    ids = list(pages)
    if copies <= 1:
        paths = [page_path(page_id, pages[page_id][0]) for page_id in ids]
    else:
        paths = [f"/copy/{k}/{ids[k % len(ids)]}" for k in range(copies * len(ids))]
    return [server.url(n % hosts + 1, path) for n, path in enumerate(paths)]


# ---------------------------------------------------------------------------------------------
# The runs


def isolated_env(work: Path) -> dict[str, str]:
    """No user config, a fresh index cache, no proxy: every run starts from nothing."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NEWSARCHIVE_CACHE_DIR"] = str(work / "cache")
    env["NEWSARCHIVE_CONFIG"] = str(work / "no-config.toml")
    env.pop("NEWSARCHIVE_DIR", None)
    # Start-up as users have it: modules read from __pycache__ (`compiled`), not compiled
    # again by every run and every extraction process.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compiled(sources: Sequence[Path]) -> None:
    """Compile the modules of newsarchive (the installed one and each `--base`) once, before
    the runs, as installing a package does."""
    import compileall

    import newsarchive

    for path in [Path(newsarchive.__file__).parent, *sources]:
        compileall.compile_dir(str(path), quiet=1)


def summary_counts(stderr: str) -> dict[str, int]:
    """The summary table's rows ("archived", "failed", "  no article text", ...)."""
    counts = {}
    for match in re.finditer(r"│ (.+?)\s+│\s+(\d+) │", stderr):
        counts[match.group(1).rstrip()] = int(match.group(2))
    return counts


def run_newsarchive(
    label: str,
    listing: Path,
    work: Path,
    *,
    hosts: int,
    urls: int,
    archive: Path | None = None,
    options: Sequence[str] = (),
    src: Path | None = None,
) -> Measurement:
    """`src`: run the newsarchive of another checkout (its `src`, first on PYTHONPATH)."""
    run_dir = work / label
    run_dir.mkdir()
    archive = archive or run_dir / "archive"
    env = isolated_env(archive.parent)
    program = NEWSARCHIVE
    if src is not None:
        env["PYTHONPATH"] = str(src)
        program = [PYTHON, "-m", "newsarchive"]
    command = [*program, "--archive", str(archive), "import", *options, str(listing)]
    result = measure(
        label, command, cwd=run_dir, hosts=hosts, urls=urls, env=env, server=SERVER_PID
    )
    counts = summary_counts((run_dir / f"{label}.err").read_text(encoding="utf-8"))
    result.output = counts.get("archived", 0)
    result.notes = ", ".join(f"{k.strip()} {v}" for k, v in counts.items() if v)
    empty = write_list(run_dir / "empty.txt", [])
    command = [*program, "--archive", str(run_dir / "empty-archive"), "import", str(empty)]
    start = measure(f"{label}-start", command, cwd=run_dir, hosts=0, urls=0, env=env)
    result.startup_cpu = start.main_cpu
    return result


def run_trafilatura(
    label: str, listing: Path, work: Path, *, hosts: int, urls: int, parallel: int = 16
) -> Measurement:
    run_dir = work / label
    run_dir.mkdir()
    config = run_dir / "settings.cfg"
    config.write_text(TRAFILATURA_CONFIG, encoding="utf-8")
    out = run_dir / "out"
    command = [
        TRAFILATURA, "-i", str(listing), "-o", str(out), "--markdown", "--with-metadata",
        "--parallel", str(parallel), "--config-file", str(config),
    ]  # fmt: skip
    result = measure(
        label, command, cwd=run_dir, hosts=hosts, urls=urls, env=isolated_env(work),
        server=SERVER_PID,
    )  # fmt: skip
    result.output = sum(1 for p in out.rglob("*") if p.is_file()) if out.exists() else 0
    result.notes = f"{result.output} files written"
    return result


def extraction_limit(pages: dict[str, tuple[str, bytes]], cores: int) -> tuple[Measurement, float]:
    """CPU seconds of newsarchive's page work on every page, in this process, ÷ cores.

    The same work an import does per page after the download: decode the bytes, extract the
    article, render the file. Returns the limit and the CPU seconds of extraction alone.
    """
    from newsarchive.batch import prepare_page
    from newsarchive.models import FetchedPage

    def page_work(url: str, raw: bytes) -> float:
        started = time.process_time()
        page = FetchedPage(url, url, 200, "text/html", datetime.now(UTC), raw=raw)
        assert page.html  # decoded here, once, as in an extraction process
        decoded = time.process_time()
        prepare_page(page, url)
        return decoded - started

    first_url, first_raw = next(iter(pages.values()))
    page_work(first_url, first_raw)  # imports and caches warm, as in a running worker
    busy_before, wall_started = _busy_seconds(), time.perf_counter()
    started = time.process_time()
    decoding = sum(page_work(url, raw) for url, raw in pages.values())
    cpu = time.process_time() - started
    others = max(0.0, _busy_seconds() - busy_before - cpu) / (time.perf_counter() - wall_started)
    limit = Measurement(
        label="extraction-bound limit",
        hosts=0,
        urls=len(pages),
        wall=cpu / cores,
        cpu=cpu,
        peak_rss_mb=0.0,
        peak_pss_mb=0.0,
        largest_process_mb=0.0,
        returncode=0,
        output=len(pages),
        notes=f"{cpu:.1f} CPU s in one process ({cpu / len(pages) * 1000:.0f} ms a page) "
        f"÷ {cores} cores",
        others=others,
    )
    return limit, cpu - decoding


# ---------------------------------------------------------------------------------------------
# Report


def machine() -> dict[str, str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import trafilatura

    from newsarchive import __version__

    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "newsarchive": __version__,
        "trafilatura": trafilatura.__version__,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def row(m: Measurement) -> str:
    hosts = str(m.hosts) if m.hosts else "–"
    memory = f"{m.peak_rss_mb:.0f} / {m.peak_pss_mb:.0f}" if m.peak_rss_mb else "–"
    return (
        f"| {m.label} | {hosts} | {m.urls:,} | {m.wall:.2f} | {m.pages_per_s:.1f} | "
        f"{m.cpu_percent:.0f} % | {memory} | {m.others:.1f} | {m.notes} |"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: dict[str, Any]) -> str:
    runs: dict[str, Measurement] = results["runs"]
    lines = [
        "| run | hosts | URLs | wall s | pages/s | CPU | peak RSS / PSS MB | other load "
        "| outcome |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [row(m) for m in runs.values()]
    na10, tr10, limit = runs["newsarchive-10"], runs["trafilatura-10"], runs["limit"]
    na1, tr1 = runs["newsarchive-1"], runs["trafilatura-1"]
    vs_tr = tr10.wall / na10.wall
    vs_limit = limit.wall / na10.wall
    lines += [
        "",
        "| comparison | result | target |",
        "| --- | ---: | --- |",
        f"| 10 hosts: newsarchive vs trafilatura CLI | {vs_tr:.2f}× faster | "
        f"≥ {TARGET_VS_TRAFILATURA}× ({verdict(vs_tr >= TARGET_VS_TRAFILATURA)}) |",
        f"| 10 hosts: newsarchive vs extraction-bound limit | {100 * vs_limit:.0f} % | "
        f"≥ {100 * TARGET_VS_LIMIT:.0f} % ({verdict(vs_limit >= TARGET_VS_LIMIT)}) |",
        f"| 1 host: newsarchive wall time | {na1.wall:.1f} s | "
        f"≤ {TARGET_ONE_HOST_S:.0f} s ({verdict(na1.wall <= TARGET_ONE_HOST_S)}) |",
        f"| 1 host: newsarchive vs trafilatura CLI | {tr1.wall / na1.wall:.2f}× faster | – |",
    ]
    big = runs.get("newsarchive-rss")
    if big is not None:
        lines.append(
            f"| {big.urls:,} URLs: peak RSS (PSS) of all processes | "
            f"{big.peak_rss_mb:.0f} MB ({big.peak_pss_mb:.0f} MB) | ≤ {TARGET_RSS_MB:.0f} MB "
            f"({verdict(big.peak_rss_mb <= TARGET_RSS_MB)}) |"
        )
        lines.append(f"| {big.urls:,} URLs: RSS over the run | {results['flatness']} | flat |")
    for rerun in ("rerun-1000", "rerun-all"):
        m = runs.get(rerun)
        if m is not None:
            lines.append(
                f"| re-run of a finished list of {m.urls:,} URLs | {m.wall:.2f} s, "
                f"{results['rerun_requests'][rerun]} requests | a couple of seconds, none |"
            )
    info = results["machine"]
    lines += [
        "",
        f"Extraction alone (without decoding and rendering): {results['extract_cpu']:.1f} CPU s "
        f"for {limit.urls} pages. Latency {results['latency'] * 1000:.0f} ms per response.",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, {info['os']}, "
        f"Python {info['python']}, newsarchive {info['newsarchive']}, "
        f"trafilatura {info['trafilatura']}, {info['date']}.",
    ]
    return "\n".join(lines)


def flatness(m: Measurement, *, pss: bool = False) -> str:
    """RSS (or PSS) at each quarter of the run: flat memory shows as a plateau, not a slope."""
    timeline = m.pss_timeline if pss else m.timeline
    if not timeline:
        return "–"
    points = []
    for quarter in (0.25, 0.5, 0.75, 1.0):
        at = m.wall * quarter
        rss = max((r for t, r in timeline if t <= at), default=0.0)
        points.append(f"{rss:.0f}")
    return "peak by 25/50/75/100 %: " + " / ".join(points) + " MB"


def split_by_role(m: Measurement) -> str:
    """Each role's peak PSS (`_role`: all extraction processes together) in each quarter of
    the run, and the tree's in each quarter and at its peak: which process holds the memory,
    and whether any grows (a peak per quarter, not since the start, so a slope shows)."""
    if not m.roles_timeline:
        return "–"
    quarters = [
        [(t, r) for t, r in m.roles_timeline if m.wall * (q - 0.25) <= t < m.wall * q]
        for q in (0.25, 0.5, 0.75, 1.0)
    ]
    parts = []
    for role in ROLES:
        points = [max((r[role] for _, r in each), default=0.0) for each in quarters]
        parts.append(f"{role} " + " / ".join(f"{p:.0f}" for p in points))
    tree = [max((sum(r.values()) for _, r in each), default=0.0) for each in quarters]
    parts.append("tree " + " / ".join(f"{p:.0f}" for p in tree))
    _, at_peak = max(m.roles_timeline, key=lambda each: sum(each[1].values()))
    split = ", ".join(f"{role} {at_peak[role]:.0f}" for role in ROLES)
    return f"peak PSS MB in each quarter: {'; '.join(parts)}; at the tree's peak: {split}"


# ---------------------------------------------------------------------------------------------
# The scaling workload: --copies K --hosts H


def fsync_cost(directory: Path, *, files: int = 200, size: int = 12_000) -> dict[str, float]:
    """Wall milliseconds per file to write `files` files of `size` bytes in `directory`:
    without fsync, with one fsync each in turn, and with the fsyncs of 8 threads at once
    (as an import's writer threads do); and the CPU milliseconds per fsync."""
    from concurrent.futures import ThreadPoolExecutor

    directory.mkdir(parents=True, exist_ok=True)
    data = os.urandom(size)

    def write(path: Path, sync: bool) -> None:
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())

    figures: dict[str, float] = {}
    for key, sync, threads in [("no fsync", False, 1), ("fsync", True, 1), ("fsync, 8", True, 8)]:
        paths = [directory / f"{key}-{n}".replace(" ", "").replace(",", "") for n in range(files)]
        started, cpu = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda path: write(path, sync), paths))  # noqa: B023
        figures[key] = 1000 * (time.perf_counter() - started) / files
        if key == "fsync":
            figures["fsync CPU"] = 1000 * (time.process_time() - cpu) / files
        for path in paths:
            path.unlink()
    return figures


def scale_row(m: Measurement, trafilatura: Measurement | None) -> str:
    ratio = f"{trafilatura.wall / m.wall:.2f}×" if trafilatura and m.hosts else "–"
    pss = f"{m.peak_pss_mb:.0f}" if m.peak_pss_mb else "–"
    main = f"{m.main_ms:.1f} ({m.main_running_ms:.1f})" if m.hosts else "–"
    return (
        f"| {m.label} | {m.urls:,} | {m.wall:.2f} | {m.pages_per_s:.1f} | {main} | "
        f"{m.workers_ms:.1f} | {m.cpu_percent:.0f} % | {pss} | {ratio} | {m.others:.1f} | "
        f"{m.notes} |"
    )


SCALE_HEADER = [
    "| run | URLs | wall s | pages/s | coordinator CPU ms/page (start-up excluded) "
    "| workers CPU ms/page | CPU "
    "| peak PSS MB | vs trafilatura | other load | outcome |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
]


def scale_main(args: argparse.Namespace, work: Path) -> None:
    """The `--copies` workload: newsarchive (defaults, then each `--variant` and `--jobs`)
    beside the trafilatura CLI, `--repeat` times in turn, and the extraction-bound limit."""
    cores = os.cpu_count() or 1
    pages = load_pages()
    server = Server(args.hosts, args.latency)
    global SERVER_PID
    SERVER_PID = server.proc.pid
    variants: list[tuple[str, list[str], Path | None]] = [
        ("newsarchive import, defaults", [], None)
    ]
    variants += [
        (f"base {src.parent.name}: newsarchive import, defaults", [], src) for src in args.base
    ]
    variants += [(f"newsarchive import {v}", v.split(), None) for v in args.variant or []]
    variants += [
        (f"newsarchive import --jobs {j}", ["--jobs", str(j)], None) for j in args.jobs or []
    ]
    lines = list(SCALE_HEADER)
    results: list[dict[str, Any]] = []
    try:
        urls = list_urls(server, pages, copies=args.copies, hosts=args.hosts)[: args.first]
        listing = write_list(work / "list.txt", urls)
        print("\n".join(SCALE_HEADER), file=sys.stderr, flush=True)
        for repeat in range(args.repeat):
            trafilatura = None
            if not args.no_trafilatura:
                label = f"trafilatura-{repeat}"
                trafilatura = run_trafilatura(
                    label, listing, work, hosts=args.hosts, urls=len(urls),
                    parallel=args.trafilatura_parallel,
                )  # fmt: skip
                trafilatura.label = f"trafilatura CLI --parallel {args.trafilatura_parallel}"
                lines.append(scale_row(trafilatura, trafilatura))
                print(lines[-1], file=sys.stderr, flush=True)
                results.append(asdict(trafilatura))
            for number, (name, options, src) in enumerate(variants):
                m = run_newsarchive(
                    f"newsarchive-{repeat}-{number}", listing, work, hosts=args.hosts,
                    urls=len(urls), options=options, src=src,
                )  # fmt: skip
                m.label = name
                m.notes += f"; PSS {flatness(m, pss=True)}" if args.copies > 20 else ""
                print(f"{name}: {split_by_role(m)}", file=sys.stderr, flush=True)
                lines.append(scale_row(m, trafilatura))
                print(lines[-1], file=sys.stderr, flush=True)
                results.append(asdict(m))
                if args.keep is None:
                    shutil.rmtree(work / f"newsarchive-{repeat}-{number}", ignore_errors=True)
    finally:
        server.stop()
    limit, extract_cpu = extraction_limit(pages, cores)
    share = len(urls) / len(pages)  # the workload's pages, in copies of the 181
    limit.urls = len(urls)
    limit.wall *= share
    limit.cpu *= share
    limit.label = f"extraction-bound limit ({cores} cores)"
    lines.append(scale_row(limit, None))
    figures = fsync_cost(work / "fsync")
    info = machine()
    lines += [
        "",
        f"fsync: {figures['no fsync']:.2f} ms a file without, {figures['fsync']:.2f} ms with "
        f"(one after another, {figures['fsync CPU']:.2f} ms of it CPU), "
        f"{figures['fsync, 8']:.2f} ms with 8 threads at once (12 KB files).",
        f"Latency {args.latency * 1000:.0f} ms per response, {args.hosts} hosts. "
        f"Extraction alone: {extract_cpu / len(pages) * 1000:.0f} CPU ms a page.",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['os']}, Python {info['python']}, "
        f"trafilatura {info['trafilatura']}, {info['date']}.",
    ]
    print("\n".join(lines))
    if args.json:
        for value in results:
            value.pop("timeline")
            value.pop("pss_timeline")
            value.pop("roles_timeline")
        args.json.write_text(json.dumps({"runs": results, "fsync": figures}, indent=2))


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=10, help="loopback hosts (default 10)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per response")
    parser.add_argument("--rss-urls", type=int, default=10_000, help="URLs of the memory run")
    parser.add_argument("--keep", type=Path, help="work here and keep everything")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--copies", type=int, help="the scaling workload instead: K × 181 distinct URLs"
    )
    parser.add_argument(
        "--variant", action="append", help="with --copies: also run import with these options"
    )
    parser.add_argument(
        "--jobs", type=int, nargs="*", help="with --copies: also run import with --jobs N"
    )
    parser.add_argument("--repeat", type=int, default=1, help="with --copies: runs of each")
    parser.add_argument(
        "--first", type=int, metavar="N", help="with --copies: only the workload's first N URLs"
    )
    parser.add_argument("--trafilatura-parallel", type=int, default=16, metavar="N")
    parser.add_argument("--no-trafilatura", action="store_true", help="with --copies")
    parser.add_argument(
        "--base",
        type=Path,
        action="append",
        default=[],
        metavar="SRC",
        help="with --copies: also run the newsarchive of another checkout (its src directory)",
    )
    args = parser.parse_args()

    if not _become_subreaper():
        print("warning: not a subreaper; CPU of orphaned workers may be missed", file=sys.stderr)
    cores = os.cpu_count() or 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsarchive-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    compiled(args.base)
    if args.copies:
        try:
            scale_main(args, work)
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
        return
    pages = load_pages()
    ids = list(pages)
    server = Server(args.hosts, args.latency)
    global SERVER_PID
    SERVER_PID = server.proc.pid
    runs: dict[str, Measurement] = {}
    requests: dict[str, int] = {}
    try:
        paths = [page_path(page_id, pages[page_id][0]) for page_id in ids]
        spread = write_list(
            work / "hosts-10.txt",
            [server.url(n % args.hosts + 1, path) for n, path in enumerate(paths)],
        )
        single = write_list(work / "hosts-1.txt", [server.url(1, path) for path in paths])

        def log(m: Measurement) -> None:
            print(row(m), file=sys.stderr, flush=True)

        n = len(paths)
        for key, label, listing, hosts in [
            ("newsarchive-10", "newsarchive import", spread, args.hosts),
            ("trafilatura-10", "trafilatura CLI", spread, args.hosts),
            ("newsarchive-1", "newsarchive import", single, 1),
            ("trafilatura-1", "trafilatura CLI", single, 1),
        ]:
            runner = run_newsarchive if key.startswith("newsarchive") else run_trafilatura
            m = runner(key, listing, work, hosts=hosts, urls=n)
            m.label = label
            runs[key] = m
            log(m)
        limit, extract_cpu = extraction_limit(pages, cores)
        runs["limit"] = limit
        log(limit)

        if args.rss_urls:
            urls = [
                server.url(k % args.hosts + 1, f"/copy/{k}/{ids[k % len(ids)]}")
                for k in range(args.rss_urls)
            ]
            big_list = write_list(work / "big.txt", urls)
            big = run_newsarchive(
                "newsarchive-rss", big_list, work, hosts=args.hosts, urls=len(urls)
            )
            big.label = "newsarchive import (memory)"
            runs["newsarchive-rss"] = big
            log(big)
            archive = work / "newsarchive-rss" / "archive"
            for key, count in [("rerun-1000", min(1000, len(urls))), ("rerun-all", len(urls))]:
                listing = write_list(work / f"{key}.txt", urls[:count])
                before = server.requests()
                m = run_newsarchive(
                    key, listing, work, hosts=args.hosts, urls=count, archive=archive
                )
                requests[key] = server.requests() - before
                m.label = f"re-run, {count:,} URLs archived"
                m.notes += f", {requests[key]} requests"
                runs[key] = m
                log(m)
    finally:
        server.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    results: dict[str, Any] = {
        "runs": runs,
        "latency": args.latency,
        "extract_cpu": extract_cpu,
        "rerun_requests": requests,
        "flatness": flatness(runs["newsarchive-rss"]) if "newsarchive-rss" in runs else "–",
        "machine": machine(),
    }
    print(report(results))
    if args.json:
        data = {**results, "runs": {k: asdict(v) for k, v in runs.items()}}
        for value in data["runs"].values():
            value.pop("timeline")
            value.pop("pss_timeline")
            value.pop("roles_timeline")
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
