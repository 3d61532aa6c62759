"""Which files of an archive are articles, in what order they come, and reading one.

Every command that goes through an archive (the URL index, the search index, grep, verify,
`reextract --all`, `update --all`) lists it here, with one set of rules:

* an article file is a regular file, or a symbolic link to one, whose name ends in `.md`.
  A FIFO, socket or device named `*.md` is passed over: opening a FIFO blocks until someone
  writes to it;
* names starting with "." are skipped, files and directories alike: `.git`, `.obsidian`, and
  the temporary files an article is written to before it takes its name;
* symbolic links to directories are not entered (a link to a parent would loop);
* `_images` at the root, the archive's pictures (images/files.py), is not entered: a link
  there is not anyway, and a plain folder (where no link could be made, or one that replaced
  it) holds no article, only many files not worth listing;
* a name that is not valid UTF-8 is skipped and reported: paths go into SQLite, JSON and
  terminal lines as text, and none of them can carry such a name;
* a directory that cannot be listed is reported and counts as empty; one that vanished while
  the archive was being listed is simply not there;
* entries come in name order (by code point), depth first, so files come in the order of
  their paths' components: "a/10.md" < "a/9.md" < "a/b/x.md" < "a/c.md" < "b.md".

Problems are reported to an `on_error(path, reason)` callback, never raised: one unreadable
corner of an archive must not stop a command that reads the rest. The path of a name that is
not valid UTF-8 is given with its undecodable bytes written as `\\xNN`, so that it can be
printed.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "IMAGES_DIR",
    "NOT_UTF8_NAME",
    "OPEN_FLAGS",
    "SETTLED_NS",
    "Directory",
    "OnError",
    "article_files",
    "directories",
    "join",
    "list_directory",
    "parent_of",
    "read_bytes",
    "shown_path",
]

OnError = Callable[[Path, str], None]

# A directory changed this recently may change again within the same timestamp tick without
# its mtime moving: an index does not trust its listing to stay current (Directory.stamp).
SETTLED_NS = 3 * 10**9

# O_NONBLOCK: a file that turned into a FIFO since it was listed is not waited on.
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)

NOT_UTF8_NAME = "file name is not valid UTF-8"
IMAGES_DIR = "_images"  # the pictures' folder at the root: no article path starts with it


def join(rel: str, name: str) -> str:
    """`rel/name`, root-relative with "/" ("" is the root)."""
    return f"{rel}/{name}" if rel else name


def parent_of(rel: str) -> str:
    """The directory of a root-relative path ("" for a file at the root)."""
    return rel.rpartition("/")[0]


def shown_path(directory: Path, name: str) -> Path:
    """`directory / name` fit to print: bytes that are not UTF-8 written as `\\xNN`."""
    return directory / os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_text(name: str) -> bool:
    """Whether a name read from the file system is valid UTF-8 (it has no lone surrogates,
    which is how Python holds the bytes it could not decode)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Directory:
    """One directory as listed: its article files and subdirectories, by name."""

    rel: str  # root-relative, with "/"; "" for the root
    mtime_ns: int | None  # taken before listing, so a change made meanwhile shows next time
    names: tuple[str, ...]  # article files and subdirectories, in name order
    dirs: frozenset[str]  # which of `names` are subdirectories
    hidden: tuple[str, ...] = ()  # names passed over for starting with "."
    complete: bool = True  # False: the directory, or an entry in it, was reported
    links: frozenset[str] = frozenset()  # which of `names` are symbolic links to files

    @property
    def files(self) -> list[str]:
        """The root-relative paths of its article files."""
        return [join(self.rel, name) for name in self.names if name not in self.dirs]

    @property
    def subdirs(self) -> list[str]:
        """The root-relative paths of its subdirectories."""
        return [join(self.rel, name) for name in self.names if name in self.dirs]

    def file_states(self, root: Path) -> dict[str, tuple[int, int]]:
        """(mtime_ns, size) of each of its article files still there, by root-relative path:
        what an index compares to tell a changed file."""
        states: dict[str, tuple[int, int]] = {}
        for rel in self.files:
            try:
                info = os.stat(root / rel)
            except OSError:  # deleted since the listing
                continue
            states[rel] = (info.st_mtime_ns, info.st_size)
        return states

    def stamp(self, now_ns: int) -> int | None:
        """The mtime an index records to skip the directory while it stays the same; None
        (look again next time) when it changed too recently to be sure of that, or when
        something in it was reported (so the report is made again until it is dealt with)."""
        if self.mtime_ns is None or not self.complete or now_ns - self.mtime_ns <= SETTLED_NS:
            return None
        return self.mtime_ns


def list_directory(root: Path, rel: str = "", on_error: OnError | None = None) -> Directory | None:
    """One directory of the archive under the rules above; None when it does not exist."""
    path = root / rel if rel else root
    try:
        mtime_ns = os.stat(path).st_mtime_ns
        with os.scandir(path) as scan:
            entries = list(scan)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if on_error is not None:
            on_error(path, f"cannot list: {exc.strerror or exc}")
        return Directory(rel, None, (), frozenset(), complete=False)
    names: list[str] = []
    dirs: set[str] = set()
    hidden: list[str] = []
    links: set[str] = set()
    complete = True
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            hidden.append(name)
            continue
        if name == IMAGES_DIR and not rel:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                is_dir = True
            elif name.endswith(".md") and entry.is_file():
                is_dir = False
            else:
                continue
        except OSError:  # vanished while listing
            continue
        if not _is_text(name):
            complete = False
            if on_error is not None:
                on_error(shown_path(path, name), NOT_UTF8_NAME)
            continue
        names.append(name)
        if is_dir:
            dirs.add(name)
        elif entry.is_symlink():
            links.add(name)
    names.sort()
    return Directory(
        rel, mtime_ns, tuple(names), frozenset(dirs), tuple(hidden), complete, frozenset(links)
    )


def directories(
    root: Path, *, under: str = "", on_error: OnError | None = None
) -> Iterator[Directory]:
    """Every directory from `under` (root-relative; the root by default) down, each before
    the directories it holds, in name order."""
    stack = [under]
    while stack:
        directory = list_directory(root, stack.pop(), on_error)
        if directory is None:
            continue
        yield directory
        stack.extend(reversed(directory.subdirs))


def article_files(
    root: Path,
    *,
    under: str = "",
    on_error: OnError | None = None,
    whole: Callable[[str], bool] | None = None,
) -> Iterator[str]:
    """The root-relative path of every article file from `under` down, in path order.

    A directory for which `whole(rel)` is true is not entered: it comes as one item, `rel/`,
    in its place in the order (grep hands such directories to its worker processes, which
    list them with `under=rel`). `whole` is asked when the walk reaches the directory.
    """
    top = list_directory(root, under, on_error)
    if top is None:
        return
    stack = [(top, iter(top.names))]
    while stack:
        directory, names = stack[-1]
        for name in names:
            rel = join(directory.rel, name)
            if name not in directory.dirs:
                yield rel
            elif whole is not None and whole(rel):
                yield f"{rel}/"
            else:
                inner = list_directory(root, rel, on_error)
                if inner is not None:
                    stack.append((inner, iter(inner.names)))
                    break  # on with this directory's names after that one's
        else:
            stack.pop()


def read_bytes(path: str) -> tuple[bytes, int, int]:
    """A file's bytes, with the mtime and size of what was read (to compare with an index).

    os.open and os.read: half the cost of open() per file, which counts at 100,000 files.
    Raises OSError, also for a file that is no longer a regular file.
    """
    fd = os.open(path, OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = os.read(fd, info.st_size + 1)
        if len(data) > info.st_size:  # it grew meanwhile: read on to the end
            parts = [data]
            while part := os.read(fd, 1 << 20):
                parts.append(part)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return data, info.st_mtime_ns, info.st_size
