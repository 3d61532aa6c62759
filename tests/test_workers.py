"""What the extraction processes of an import start with, and what the coordinator leaves out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newsarchive import workers
from newsarchive.workers import worker_pool
from samples import make_article, write_by_hand


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_coordinating_process_does_not_load_the_extractor() -> None:
    # An import's coordinator downloads and writes; trafilatura would cost it 20 MB and
    # start-up time. The extraction processes load it.
    code = (
        "import sys\n"
        "import newsarchive.batch\n"
        "print(sorted(n for n in ('trafilatura', 'lxml', 'justext') if n in sys.modules))\n"
    )
    assert _run(code) == "[]"


def test_the_forkserver_module_warms_up_and_freezes() -> None:
    code = (
        "import gc, sys\n"
        "import newsarchive.warmup\n"
        "from newsarchive import extracting\n"
        "import trafilatura.external\n"
        "print(extracting._warm, gc.get_freeze_count() > 1000,"
        " type(trafilatura.external.JT_STOPLIST))"
    )
    # The warm-up page sends trafilatura to its jusText fallback: the word lists are loaded.
    assert _run(code) == "True True <class 'frozenset'>"


def test_one_lower_cased_stoplist_serves_jusText() -> None:
    from newsarchive.extract import engine

    words = engine.all_stopwords()
    assert {"the", "und", "les", "которые"} <= words
    assert all(word == word.lower() for word in words)
    assert len(words) > 100_000
    # Used as it is, not copied again.
    assert engine.stoplist_as_is(words) is words
    assert engine.stoplist_as_is(("The", "Und")) == frozenset({"the", "und"})


def test_extraction_processes_yield_the_cpu_to_the_coordinator() -> None:
    code = (
        "import os\n"
        "from newsarchive import extracting, workers\n"
        "before = os.nice(0)\n"
        "workers.init_worker(os.getppid(), extracting.prepare_extraction)\n"
        "print(before, os.nice(0), extracting._warm)\n"
    )
    before, after, warm = _run(code).split()
    # Five steps lower, as far as the lowest priority (19) allows: a suite run under `nice`
    # starts nearer to it.
    assert int(after) == min(int(before) + workers.WORKER_NICENESS, 19)
    assert workers.WORKER_NICENESS == 5
    assert warm == "True"


# -- the pool policy: every pool's workers start, run and end the same way -----------------------

# `newsarchive reindex` whose shard workers stall: each writes its pid into a folder, then
# works on (sleeps) for an hour. The real command otherwise, in a process of its own.
STALLED_REINDEX = """
import os, sys, time
from newsarchive import workers
from newsarchive.search import build
from newsarchive.cli import main

started, archive = sys.argv[1:]

def stalled_shard(shard):
    open(os.path.join(started, str(os.getpid())), "w").close()
    time.sleep(3600)
    return 0

build._build_shard = stalled_shard
build._PARALLEL_MIN = 2  # a handful of files are built by worker processes, as 2,000 are
workers.cores = lambda: 2
sys.argv = ["newsarchive", "--archive", archive, "reindex"]
main()
"""


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for a parent to reap it has ended)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.is_dir():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_the_workers_of_a_killed_reindex_end_with_it(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for n in range(4):
        write_by_hand(archive / f"{n}.md", make_article(f"Story {n}", "Text.\n"))
    started = tmp_path / "started"
    started.mkdir()
    reindex = subprocess.Popen(
        [sys.executable, "-c", STALLED_REINDEX, str(started), str(archive)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: len(list(started.iterdir())) == 2, 120), "no workers started"
        workers = [int(path.name) for path in started.iterdir()]
        assert all(_alive(pid) for pid in workers)
        reindex.kill()  # SIGKILL: nothing of the parent runs any more
        reindex.wait()
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 30), workers
    finally:
        reindex.kill()
        reindex.wait()
        for path in started.iterdir():  # never leave a worker behind, even when it failed
            try:
                os.kill(int(path.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


def _worker_state() -> tuple[int, bool]:
    return os.nice(0), signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_every_pool_runs_its_workers_at_a_lower_priority_deaf_to_ctrl_c() -> None:
    with worker_pool(1) as pool:
        niceness, ignores_ctrl_c = pool.submit(_worker_state).result()
    assert niceness == min(19, os.nice(0) + workers.WORKER_NICENESS)
    assert ignores_ctrl_c


def test_a_pool_left_on_an_error_is_abandoned_at_once() -> None:
    with pytest.raises(KeyError), worker_pool(1) as pool:
        pid = pool.submit(os.getpid).result()
        pool.submit(time.sleep, 3600)  # waiting for it would take an hour
        raise KeyError("stop")
    assert _wait_for(lambda: not _alive(pid), 30)


def test_downloads_and_extraction_processes_follow_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsarchive.batch import BatchOptions
    from newsarchive.workers import cores, default_concurrency, worker_count

    monkeypatch.setattr(workers, "_CGROUP", Path("/nonexistent-cgroup"))  # no CPU quota
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert cores() == 16 and worker_count() == 16
    assert default_concurrency() == 128 == BatchOptions().concurrency
    assert BatchOptions(concurrency=3).concurrency == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert (cores(), default_concurrency(), BatchOptions().concurrency) == (1, 16, 16)


@pytest.mark.parametrize(
    ("own", "files", "quota"),
    [
        # cgroup v2 in a container (`docker run --cpus 2.5`): its own cgroup at the top
        ("0::/\n", {"cpu.max": "250000 100000\n"}, 2.5),
        ("0::/\n", {"cpu.max": "max 100000\n"}, None),  # no limit
        # a systemd service: the tightest of its cgroup and those above it
        (
            "0::/system.slice/news.service\n",
            {
                "system.slice/news.service/cpu.max": "max 100000\n",
                "system.slice/cpu.max": "150000 100000\n",
                "cpu.max": "max 100000\n",
            },
            1.5,
        ),
        # cgroup v1, the cpu controller mounted with others
        (
            "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
            {
                "cpu/docker/abc/cpu.cfs_quota_us": "200000\n",
                "cpu/docker/abc/cpu.cfs_period_us": "100000\n",
            },
            2.0,
        ),
        (
            "3:cpu:/\n",
            {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"},
            None,
        ),
        # a v1 container that sees its own cgroup at the top, under its host's name
        (
            "3:cpu:/docker/abc\n",
            {"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"},
            0.5,
        ),
        (None, {"cpu.max": "50000 100000\n"}, 0.5),  # /proc/self/cgroup unreadable
        ("0::/\n", {"cpu.max": "unexpected\n"}, None),
        ("0::/\n", {}, None),  # no cgroup files: not Linux, or not mounted
    ],
)
def test_a_cpu_quota_is_read_from_the_processs_cgroups(
    tmp_path: Path, own: str | None, files: dict[str, str], quota: float | None
) -> None:
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    own_file = tmp_path / "own"
    if own is not None:
        own_file.write_text(own)
    assert workers.cpu_quota(root, own_file) == quota


def test_the_cores_are_those_the_containers_cpu_quota_pays_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive.workers import cores, default_concurrency, worker_count

    own = tmp_path / "own"
    own.write_text("0::/\n")
    monkeypatch.setattr(workers, "_CGROUP", tmp_path)
    monkeypatch.setattr(workers, "_OWN_CGROUPS", own)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert cores() == 16  # no quota
    (tmp_path / "cpu.max").write_text("250000 100000\n")  # 2.5 cores' worth of time
    assert (cores(), worker_count(), default_concurrency()) == (3, 3, 24)
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert cores() == 1
    (tmp_path / "cpu.max").write_text("3200000 100000\n")  # more time than cores to use it
    assert cores() == 16


def shown_help(command: str, cpus: set[int] | None = None, cgroup: Path | None = None) -> str:
    """`newsarchive COMMAND --help` as a user reads it (on the CPUs `cpus`, in the cgroup
    `cgroup`), unwrapped."""

    def place() -> None:
        if cpus is not None:
            os.sched_setaffinity(0, cpus)
        if cgroup is not None:
            (cgroup / "tasks").write_text(str(os.getpid()))

    shown = subprocess.run(
        [sys.executable, "-m", "newsarchive", command, "--help"],
        preexec_fn=place,
        env={**os.environ, "COLUMNS": "300"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(shown.split())  # as wrapped for any width


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity here")
def test_help_gives_the_defaults_of_the_cores_it_may_use() -> None:
    shown = shown_help("import", {min(os.sched_getaffinity(0))})
    assert "(default: 8 per CPU core, at least 16: 16 here)" in shown
    assert "(default: one per CPU core: 1 here;" in shown
    everyone = workers.cores()  # the affinity's, or fewer under a container's CPU quota
    shown = shown_help("import")
    assert f"at least 16: {max(16, 8 * everyone)} here)" in shown
    assert f"one per CPU core: {everyone} here;" in shown


def test_help_gives_the_defaults_that_a_cpu_quota_pays_for() -> None:
    # A real cgroup given half a core's time (cgroup v1's cpu controller, where the machine
    # lets the suite make one), and `newsarchive import --help` run inside it.
    group = Path("/sys/fs/cgroup/cpu") / f"newsarchive-test-{os.getpid()}"
    try:
        group.mkdir()
    except OSError:
        pytest.skip("no cgroup of the cpu controller can be made here")
    try:
        (group / "cpu.cfs_quota_us").write_text("50000")  # of a period of 100000
        shown = shown_help("import", cgroup=group)
    finally:
        group.rmdir()
    assert "(default: one per CPU core: 1 here;" in shown
    assert "(default: 8 per CPU core, at least 16: 16 here)" in shown


def test_update_help_says_its_extraction_processes_start_from_a_number_of_articles() -> None:
    from newsarchive.workers import cores

    shown = shown_help("update")
    assert f"one per CPU core from 30 articles on: {cores()} here;" in shown
