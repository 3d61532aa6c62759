"""Where pictures are kept: one file per distinct picture, named by its sha256, reached from the
archive through `_images/`.

    archive/
      _images -> ../archive-captures/images      (a link; see below)
      2021/09/2021-09-14-mali-junta….md          ![…](../../_images/5b/5b2a…c0.jpg "https://…")
    archive-captures/
      images/5b/5b2a3c0e8d1f….jpg

* Content-addressed: the name is the sha256 of the bytes (and the extension of their format),
  so a picture shared by several articles, or downloaded again, is stored once, and a file is
  never rewritten with other bytes. Nothing here deletes a stored picture: an article's earlier
  versions, and other articles, may show it.
* `_images` is a symbolic link from the archive to the picture files, which live beside the
  captures. Markdown viewers follow the link like a folder (the article's links stay inside
  the archive, so Obsidian, VS Code and static site generators opened on the archive show
  them), while `grep -r`, which does not follow links it meets inside a directory, and
  newsarchive's own commands, which never enter linked directories, never read a picture:
  no "binary file matches" for a word that happens to be in a JPEG's bytes or its metadata.
  Where a link cannot be made (some Windows and network file systems), `_images` is a plain
  folder inside the archive; replacing a link by the folder it points to (for publishing the
  archive as one folder) is as good, and newsarchive keeps using whichever it finds.
* No article name can be `_images`: generated names are lower-case letters, digits and
  hyphens, and a template starting with it is refused (store.py).
* A download is written to a hidden temporary file first (`.tmp-…`), and given its name only
  when its article is written; one left behind by a crash is removed a day later.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from newsarchive.errors import StoreError
from newsarchive.store import IMAGES_DIR

__all__ = ["IMAGES_DIR", "ImageFiles", "Pending", "check_picture"]

_TEMP_PREFIX = ".tmp-"
_STALE_TEMP_S = 24 * 3600


@dataclass(frozen=True)
class Pending:
    """A downloaded picture in its temporary file, not yet named."""

    temp: Path
    sha256: str
    size: int
    extension: str

    @property
    def name(self) -> str:
        """Its path relative to the archive root, once named: "_images/5b/5b2a….jpg"."""
        return f"{IMAGES_DIR}/{self.sha256[:2]}/{self.sha256}.{self.extension}"


class ImageFiles:
    """The picture files of the archive at `archive_root`; a new `_images` link points to
    `target` (the captures directory's `images/` by default)."""

    def __init__(self, archive_root: Path, target: Path) -> None:
        self.archive_root = Path(archive_root).expanduser().resolve()
        self.target = Path(target).expanduser().absolute()
        self.root = self.archive_root / IMAGES_DIR
        self._ready = False
        self.note: str | None = None  # said once: `_images` had to be a plain folder

    def ready(self) -> None:
        """Make `_images` (a link to `target`, else a folder) unless it exists; remove the
        temporary files a crash left behind long ago."""
        if self._ready:
            return
        try:
            if not self.root.is_dir():
                self._make_root()
            self._remove_stale_temps()
        except OSError as exc:
            raise StoreError(str(self.root), f"cannot make the images folder: {_why(exc)}") from exc
        self._ready = True

    def _make_root(self) -> None:
        if self.root.is_symlink():  # a link whose folder is gone: make the folder again
            Path(os.path.realpath(self.root)).mkdir(parents=True, exist_ok=True)
            return
        self.archive_root.mkdir(parents=True, exist_ok=True)
        self.target.mkdir(parents=True, exist_ok=True)
        try:
            link = os.path.relpath(self.target, self.archive_root)
        except ValueError:  # another drive (Windows): no relative way there
            link = str(self.target)
        try:
            os.symlink(link, self.root, target_is_directory=True)
        except FileExistsError:
            return  # another process made it meanwhile
        except OSError as exc:
            self.root.mkdir(exist_ok=True)
            self.note = (
                f"{self.root}: a plain folder inside the archive (no link could be made:"
                f" {_why(exc)}); grep -r will read the pictures"
            )

    def _remove_stale_temps(self) -> None:
        now = time.time()
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.name.startswith(_TEMP_PREFIX):
                    try:
                        if now - entry.stat(follow_symlinks=False).st_mtime > _STALE_TEMP_S:
                            os.unlink(entry.path)
                    except OSError:
                        pass

    def hold(self, data: bytes, extension: str) -> Pending:
        """Write `data` to a new temporary file, durably; `name` or `drop` it later."""
        self.ready()
        temp = self.root / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
        try:
            with open(temp, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise StoreError(str(temp), f"cannot write a picture: {_why(exc)}") from exc
        return Pending(temp, hashlib.sha256(data).hexdigest(), len(data), extension)

    def name(self, pending: Pending) -> str:
        """Give a held picture its name (nothing to do when the same bytes are stored already);
        its path relative to the archive root."""
        final = self.archive_root / pending.name
        try:
            final.parent.mkdir(exist_ok=True)
            try:
                os.link(pending.temp, final)
            except FileExistsError:
                if final.stat().st_size != pending.size:  # damaged: these are its bytes
                    os.replace(pending.temp, final)
        except OSError as exc:
            raise StoreError(str(final), f"cannot store a picture: {_why(exc)}") from exc
        finally:
            pending.temp.unlink(missing_ok=True)
        return pending.name

    @staticmethod
    def drop(pending: Pending) -> None:
        """Forget a held picture (refused, or its article was not written)."""
        pending.temp.unlink(missing_ok=True)

    def has(self, path: str, size: int) -> bool:
        """Whether the picture at `path` is there with `size` bytes (its digest unchecked:
        `verify` reads every byte; this is asked before every picture an update reuses)."""
        try:
            return (self.archive_root / PurePosixPath(path)).stat().st_size == size
        except OSError:
            return False

    def read(self, path: str) -> bytes:
        """The bytes of a stored picture (`path` relative to the archive root)."""
        file = self.archive_root / PurePosixPath(path)
        try:
            return file.read_bytes()
        except OSError as exc:
            raise StoreError(str(file), f"cannot read the picture: {_why(exc)}") from exc

    def check(self, path: str, sha256: str, size: int | None) -> str | None:
        """None when the picture at `path` is there with these bytes; else what is wrong."""
        return check_picture(self.archive_root, path, sha256, size)


def check_picture(archive_root: Path, path: str, sha256: str, size: int | None) -> str | None:
    """None when the picture at `path` (relative to the archive root, under `_images/`) is
    there with `size` bytes (when known) whose digest is `sha256`; else what is wrong."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or rel.parts[:1] != (IMAGES_DIR,):
        return "not a path under _images/"
    file = archive_root / rel
    try:
        with open(file, "rb") as handle:
            length = os.fstat(handle.fileno()).st_size
            if size is not None and length != size:
                return f"{length} bytes, not {size}"
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot read: {_why(exc)}"
    if digest != sha256:
        return "does not match its sha256"
    return None


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
