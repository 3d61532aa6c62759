"""Benchmark the pictures: `newsarchive import` of the 181 scrapinghub pages with their pictures
against the same import with --no-images, and how much an archive grows with them.

    .venv/bin/python benchmarks/bench_images.py              # about 5 minutes on 2 cores
    .venv/bin/python benchmarks/bench_images.py --rounds 3 --json results.json

One run starts benchmarks/import_server.py with --pictures: the 181 pages on 127.0.0.1 ...
127.0.0.10, every response (pages, pictures, robots.txt) held back 200 ms, and the server also
a proxy answering for every other host, so that the pages' pictures, named on their
publishers' hosts and CDNs (https included), are served too (picture_proxy.py draws them: the
corpus keeps no pictures). Each round imports the list into an empty archive twice, through
`--proxy`, with pictures and with --no-images (the order alternating between rounds, as the
machine is noisy), timed and measured as bench_import.py measures (wall time, CPU of the
process tree, peak RSS and PSS of the tree). Then it reports, per 1,000 articles, what the
archives hold: the Markdown files, the WARC captures and the picture files.

Targets: the import with pictures takes at most 1.5 times the one without, and its memory
stays within the import's budget (bench_import.py's TARGET_RSS_MB).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_import import (  # noqa: E402
    NEWSARCHIVE,
    PYTHON,
    TARGET_RSS_MB,
    Measurement,
    isolated_env,
    machine,
    measure,
    row,
    summary_counts,
    write_list,
)
from import_server import load_pages, page_path  # noqa: E402

TARGET_RATIO = 1.5  # wall time with pictures / without, at most


class PictureServer:
    """import_server.py --pictures: the pages, and every other host's pictures, as a proxy."""

    def __init__(self, hosts: int, latency: float, work: Path) -> None:
        self.ca_file = work / "ca.pem"
        command = [
            PYTHON, str(HERE / "import_server.py"), "--hosts", str(hosts), "--latency",
            str(latency), "--pictures", str(self.ca_file),
        ]  # fmt: skip
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.proc.kill()
            raise SystemExit(f"import_server.py did not start (said {line!r})")
        self.port = int(line)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, host: int, path: str) -> str:
        return f"http://127.0.0.{host}:{self.port}{path}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def du(path: Path, pattern: str = "*") -> int:
    """Bytes of the regular files under `path` matching `pattern` (links not followed)."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob(pattern) if p.is_file() and not p.is_symlink())


def picture_records(captures: Path) -> int:
    """Bytes of the captures' picture response records (the captures' growth by pictures)."""
    from newsarchive.capture import read_responses

    total = 0
    for warc in captures.rglob("*.warc.gz"):
        for _, _, headers, body in list(read_responses(captures, str(warc.relative_to(captures))))[
            1:
        ]:
            total += len(body) + sum(len(k) + len(v) + 4 for k, v in headers)
    return total


def import_run(
    label: str,
    listing: Path,
    work: Path,
    server: PictureServer,
    urls: int,
    *extra: str,
    src: Path | None = None,
) -> tuple[Measurement, dict[str, Any]]:
    """`src`: run the newsarchive of another checkout (its `src`, first on PYTHONPATH)."""
    run_dir = work / label
    run_dir.mkdir()
    archive = run_dir / "archive"
    env = isolated_env(run_dir)
    env["SSL_CERT_FILE"] = str(server.ca_file)
    program = NEWSARCHIVE
    if src is not None:
        env["PYTHONPATH"] = str(src)
        program = [sys.executable, "-m", "newsarchive"]
    command = [
        *program, "--archive", str(archive), "import", "--proxy", server.proxy, *extra,
        str(listing),
    ]  # fmt: skip
    result = measure(label, command, cwd=run_dir, hosts=10, urls=urls, env=env)
    stderr = (run_dir / f"{label}.err").read_text(encoding="utf-8")
    counts = summary_counts(stderr)
    result.output = counts.get("archived", 0)
    captures = archive.with_name("archive-captures")
    sizes = {
        "markdown": du(archive, "*.md"),
        "captures": du(captures, "*.warc.gz"),
        "pictures": du(captures / "images"),
        "picture_files": sum(1 for p in (captures / "images").rglob("*") if p.is_file())
        if (captures / "images").exists()
        else 0,
        "warnings": stderr.count("warning: picture not kept"),
    }
    result.notes = f"archived {result.output}, {sizes['picture_files']} pictures"
    return result, {"sizes": sizes, "dir": run_dir}


def per_thousand(size: int, articles: int) -> float:
    return size / max(articles, 1) * 1000 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs (default 2)")
    parser.add_argument("--keep", type=Path, help="work here and keep everything")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--src", type=Path, metavar="SRC", help="run another checkout's code (its src directory)"
    )
    args = parser.parse_args()

    pages = load_pages()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsarchive-bench-images-"))
    work.mkdir(parents=True, exist_ok=True)
    server = PictureServer(args.hosts, args.latency, work)
    runs: dict[str, list[Measurement]] = {"pictures": [], "no pictures": []}
    sizes: dict[str, dict[str, Any]] = {}
    try:
        paths = [page_path(page_id, url) for page_id, (url, _) in pages.items()]
        listing = write_list(
            work / "hosts.txt",
            [server.url(n % args.hosts + 1, path) for n, path in enumerate(paths)],
        )
        for number in range(args.rounds):
            order = ["pictures", "no pictures"]
            if number % 2:
                order.reverse()
            for kind in order:
                label = f"{kind.replace(' ', '-')}-{number + 1}"
                extra = ("--no-images",) if kind == "no pictures" else ()
                m, info = import_run(label, listing, work, server, len(paths), *extra, src=args.src)
                m.label = f"import, {kind}"
                runs[kind].append(m)
                print(row(m), file=sys.stderr, flush=True)
                if kind not in sizes:
                    info["sizes"]["picture_records"] = picture_records(
                        info["dir"] / "archive-captures"
                    )
                    sizes[kind] = info["sizes"]
                if args.keep is None and number > 0:
                    shutil.rmtree(info["dir"], ignore_errors=True)
    finally:
        server.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(report(runs, sizes, len(paths), args.latency))
    if args.json:
        data = {
            "runs": {k: [asdict(m) | {"timeline": []} for m in v] for k, v in runs.items()},
            "sizes": sizes,
            "machine": machine(),
        }
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")


def report(
    runs: dict[str, list[Measurement]], sizes: dict[str, dict[str, Any]], urls: int, latency: float
) -> str:
    lines = [
        "| run | hosts | URLs | wall s | pages/s | CPU | peak RSS / PSS MB | other load "
        "| outcome |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for kind in ("no pictures", "pictures"):
        lines += [row(m) for m in runs[kind]]
    with_pictures = statistics.median(m.wall for m in runs["pictures"])
    without = statistics.median(m.wall for m in runs["no pictures"])
    ratio = with_pictures / without
    peak = max(m.peak_rss_mb for m in runs["pictures"])
    peak_pss = max(m.peak_pss_mb for m in runs["pictures"])
    verdict = "met" if ratio <= TARGET_RATIO else "**missed**"
    lines += [
        "",
        "| comparison | result | target |",
        "| --- | ---: | --- |",
        f"| wall time with pictures / without (medians) | {with_pictures:.1f} s / {without:.1f} s"
        f" = {ratio:.2f}× | ≤ {TARGET_RATIO}× ({verdict}) |",
        f"| peak RSS (PSS) with pictures | {peak:.0f} MB ({peak_pss:.0f} MB) | the import's"
        f" budget, ≤ {TARGET_RSS_MB:.0f} MB |",
        "",
        "| per 1,000 articles | without pictures | with pictures |",
        "| --- | ---: | ---: |",
    ]
    plain, full = sizes["no pictures"], sizes["pictures"]
    articles = runs["pictures"][0].output or urls
    for name, key in [
        ("Markdown files (`archive/`)", "markdown"),
        ("WARC captures", "captures"),
        ("  of which the pictures' records", "picture_records"),
        ("picture files (`_images/`)", "pictures"),
    ]:
        lines.append(
            f"| {name} | {per_thousand(plain[key], articles):.1f} MB |"
            f" {per_thousand(full[key], articles):.1f} MB |"
        )
    total_plain = plain["markdown"] + plain["captures"] + plain["pictures"]
    total_full = full["markdown"] + full["captures"] + full["pictures"]
    lines += [
        f"| **total** | **{per_thousand(total_plain, articles):.1f} MB** |"
        f" **{per_thousand(total_full, articles):.1f} MB** |",
        "",
        f"{full['picture_files']} pictures kept for {articles} articles"
        f" ({full['picture_files'] / articles:.2f} an article), {full['warnings']} not kept."
        f" Latency {latency * 1000:.0f} ms per response.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
