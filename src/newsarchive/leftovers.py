"""Temporary files of interrupted writes: named after the process writing them, and removed
once that process is gone.

Every file newsarchive writes (an article, a capture, a revision, the failed-URL list, an
index being built) is written under a temporary name first and renamed into place when
complete, so an interruption never leaves a partial file under a real name. What a kill -9,
a crash or a power cut leaves instead is the temporary file. Its name says which process
wrote it (`.NAME.PID-TOKEN.tmp`), so the next writer in the same directory can tell a
leftover (its process no longer runs) from a write under way, and remove it at once;
`verify` lists those it finds.

An import's extraction processes write each article's files under such names for the
importing process, which gives them their names (`write_temp` with `owner`): they name that
process, so that they are never taken for leftovers while it runs.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "is_leftover",
    "process_alive",
    "remove_leftovers",
    "remove_staged",
    "sync_directory",
    "temp_name",
    "write_temp",
    "writer_of",
]

# .NAME.PID-TOKEN.tmp (the pid is missing from temp files of older versions: .NAME.TOKEN.tmp,
# .NAME.PID.tmp); a directory of scratch files: NAME.build-PID-TOKEN.
_TEMP = re.compile(r"\..+\.(?:(?P<pid>[0-9]+)-)?[0-9a-f]{8}\.tmp|\..+\.(?P<only>[0-9]+)\.tmp")
_SCRATCH = re.compile(r".+\.build-(?:(?P<pid>[0-9]+)-)?.+")
# A temporary file whose name does not say who wrote it is a leftover once this old.
_OLD_S = 24 * 3600


def temp_name(name: str, owner: int | None = None) -> str:
    """The temporary name to write `name` under in the same directory: hidden (it starts
    with "."), never taken for an article (".tmp"), and naming this process (or `owner`,
    the process that is to give the file its name)."""
    return f".{name}.{owner or os.getpid()}-{secrets.token_hex(4)}.tmp"


def write_temp(
    path: Path, data: bytes, *, owner: int | None = None, cleared: set[Path] | None = None
) -> Path:
    """Write `data` whole and fsynced under a temporary name beside `path` (`temp_name`,
    naming `owner`), making its directory first, and return the temporary file; nothing is
    left when that fails (OSError). The leftovers of that directory are removed first; with
    `cleared` (the directories cleared already, by a writer that leaves none of its own),
    only the first time."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    if cleared is None or directory not in cleared:
        remove_leftovers(directory)
        if cleared is not None:
            cleared.add(directory)
    temp = directory / temp_name(path.name, owner)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, 0o666)  # 0o666 & umask: the mode any new file would get
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def sync_directory(directory: Path) -> None:
    """Make the new entries of `directory` durable; not possible (nor needed) on every
    platform."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def process_alive(pid: int) -> bool:
    """Whether a process `pid` runs on this machine (as any user)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    except OSError:
        return True
    return True


def writer_of(name: str) -> int | None:
    """The pid in a temporary file's (or scratch directory's) name; None when it names none
    or is not such a name."""
    match = _TEMP.fullmatch(name) or _SCRATCH.fullmatch(name)
    if match is None:
        return None
    pid = match.groupdict().get("pid") or match.groupdict().get("only")
    return int(pid) if pid else None


def is_leftover(path: Path) -> bool:
    """Whether `path` is a temporary file (or scratch directory) left by a process that is
    gone: its name names a process no longer running, or names none and it is a day old."""
    name = path.name
    if not (_TEMP.fullmatch(name) or _SCRATCH.fullmatch(name)):
        return False
    pid = writer_of(name)
    if pid is not None:
        return pid != os.getpid() and not process_alive(pid)
    try:
        return time.time() - path.lstat().st_mtime > _OLD_S
    except OSError:
        return False


def leftovers(directory: Path) -> Iterator[Path]:
    """The leftovers directly in `directory`."""
    try:
        names = [entry.name for entry in os.scandir(directory) if entry.name.startswith(".")]
    except OSError:
        return
    for name in names:
        path = directory / name
        if is_leftover(path):
            yield path


def remove_staged(root: Path, since: float) -> None:
    """Remove the articles' and captures' temporary files under `root` that name this process
    (`write_temp` with `owner`), in the directories changed since `since` (a time.time()):
    what its extraction processes wrote for it before an interrupted import abandoned them."""
    own = re.compile(rf"\..+\.(?:md|warc\.gz)\.{os.getpid()}-[0-9a-f]{{8}}\.tmp")
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        try:
            if os.stat(folder).st_mtime < since:
                continue
        except OSError:
            continue
        for name in filenames:
            if own.fullmatch(name):
                try:
                    os.unlink(os.path.join(folder, name))
                except OSError:
                    pass


def remove_leftovers(directory: Path) -> None:
    """Remove the temporary files left in `directory` by processes that are gone."""
    for path in leftovers(directory):
        try:
            path.unlink()
        except OSError:
            pass
