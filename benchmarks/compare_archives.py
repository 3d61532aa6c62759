"""Check that two versions of newsarchive write the same archive from the same URL list.

    .venv/bin/python benchmarks/compare_archives.py --base /work/main/src
    .venv/bin/python benchmarks/compare_archives.py --base OLD/src --copies 2 --jobs 1

One run starts benchmarks/import_server.py (the 181 scrapinghub pages of ../shared/corpus on
127.0.0.1 ... 127.0.0.N), imports the same list twice into empty archives, captures on (the
default): once with the newsarchive found at --base (a checkout's `src`, put first on
PYTHONPATH) and once with this checkout's. Then it compares the two archives and their
captures directories file by file, byte for byte, after normalising only what differs
between any two runs of the same version:

- times: the front-matter's `fetched`, the fetch time in each capture's file name (and
  where the front-matter names it), and the WARC-Date of each record;
- the WARC-Record-ID of each record (a random UUID), and where the front-matter names it;
- the warcinfo record's block digest, which covers its file name, and so the time in it.

Captures are compared decompressed (their records, normalised as above); everything else in
them (the HTTP headers and bodies, the payload digests) must be equal. Prints one line per
difference and a summary; exits 1 when the archives differ.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_import import PYTHON, Server, isolated_env, list_urls, write_list  # noqa: E402
from import_server import load_pages  # noqa: E402

_STAMP = re.compile(rb"\d{8}T\d{6}Z")
_FETCHED = re.compile(rb"^fetched: .*$", re.MULTILINE)
_UUID = re.compile(rb"<urn:uuid:[0-9a-f-]+>")
_WARC_DATE = re.compile(rb"^WARC-Date: .*$", re.MULTILINE)
_BLOCK_DIGEST = re.compile(rb"^WARC-Block-Digest: .*$", re.MULTILINE)


def normalise_name(rel: str) -> str:
    return _STAMP.sub(b"<time>", rel.encode()).decode()


def normalise_markdown(data: bytes) -> bytes:
    data = _FETCHED.sub(b"fetched: <time>", data)
    return _UUID.sub(b"<record>", _STAMP.sub(b"<time>", data))


def normalise_capture(data: bytes) -> bytes:
    text = gzip.decompress(data)
    records = text.split(b"WARC/1.1\r\n")
    out = []
    for record in records:
        record = _WARC_DATE.sub(b"WARC-Date: <time>", record)
        record = _UUID.sub(b"<record>", _STAMP.sub(b"<time>", record))
        if b"WARC-Type: warcinfo" in record:
            record = _BLOCK_DIGEST.sub(b"WARC-Block-Digest: <digest>", record)
        out.append(record)
    return b"WARC/1.1\r\n".join(out)


def tree(root: Path) -> dict[str, Path]:
    """Every file under `root` (links not followed), by normalised relative path."""
    files: dict[str, Path] = {}
    if not root.exists():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[normalise_name(path.relative_to(root).as_posix())] = path
    return files


def compare(a: Path, b: Path, *, show: int = 20) -> tuple[int, list[str]]:
    """(files compared, differences) between the archives `a` and `b`, each with its
    `-captures` sibling."""
    problems: list[str] = []
    compared = 0
    for suffix in ("", "-captures"):
        left, right = tree(a.with_name(a.name + suffix)), tree(b.with_name(b.name + suffix))
        for name in sorted(set(left) | set(right)):
            if name not in left or name not in right:
                where = "base" if name in left else "new"
                problems.append(f"{suffix or 'archive'}: {name}: only in the {where} archive")
                continue
            compared += 1
            one, two = left[name].read_bytes(), right[name].read_bytes()
            if name.endswith(".warc.gz"):
                one, two = normalise_capture(one), normalise_capture(two)
            elif name.endswith(".md"):
                one, two = normalise_markdown(one), normalise_markdown(two)
            if one != two:
                problems.append(f"{suffix or 'archive'}: {name}: differs")
    return compared, problems


def run_import(label: str, src: Path | None, listing: Path, work: Path, jobs: int | None) -> Path:
    archive = work / label / "archive"
    archive.parent.mkdir(parents=True)
    env = isolated_env(archive.parent)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    command = [PYTHON, "-m", "newsarchive", "--archive", str(archive), "import", str(listing)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 3):
        raise SystemExit(f"{label}: import failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other version's src")
    parser.add_argument("--copies", type=int, default=1, help="copies of the 181 pages")
    parser.add_argument("--hosts", type=int, default=10, help="loopback hosts (default 10)")
    parser.add_argument("--jobs", type=int, help="--jobs for both imports")
    parser.add_argument("--keep", type=Path, help="work here and keep everything")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsarchive-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    server = Server(args.hosts, 0.0)
    try:
        urls = list_urls(server, load_pages(), copies=args.copies, hosts=args.hosts)
        listing = write_list(work / "list.txt", urls)
        base = run_import("base", args.base.resolve(), listing, work, args.jobs)
        new = run_import("new", None, listing, work, args.jobs)
    finally:
        server.stop()
    compared, problems = compare(base, new)
    for problem in problems[:50]:
        print(problem)
    verdict = "identical" if not problems else f"{len(problems)} differences"
    print(f"{len(urls)} URLs, {compared} files compared (Markdown and captures): {verdict}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
