"""A folder on this machine (`file:///srv/www/`), such as a web server's document root.

Every file arrives whole: it is copied to a temporary file created exclusively beside its
place, synced, and renamed over the old one, so a reader gets the old file or the new one,
never half of it. The target folder may hold anything of anyone's, so nothing there is
trusted: each folder below the root is opened one name at a time without following a
symbolic link, and every file is written, renamed or removed relative to its open folder,
so a link planted in the target never sends a write elsewhere. A target is confirmed (`done`)
in batches, each after its folders are synced: a power cut loses no confirmed file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Done, Upload

BATCH = 64
TEMPORARY_PREFIX = ".blogsmith-deploy-"
TEMPORARY_SUFFIX = ".tmp"
DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
"""Never through a link; a named pipe does not block the deploy."""


class FolderTarget:
    def __init__(self, url: str, settings: DeploySettings):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise DeployFailed(
                f"{url!r} is not a folder on this machine: write file:///srv/www/ (three "
                "slashes, then the folder's absolute path)"
            )
        self.url = url
        self.settings = settings
        self.root = Path(unquote(parts.path))
        self._folders: dict[str, int] = {}
        """Folders opened during this deploy, by their path below the root ("" the root)."""
        self._removed: list[int] = []
        """Folders removed once emptied, open until the end (their batch syncs them)."""

    def holdings(self) -> dict[str, str | None]:
        root = self._open_root(create=False)
        if root is None:
            return {}
        found: dict[str, str | None] = {}
        for folder, _, names, descriptor in os.fwalk(".", dir_fd=root, follow_symlinks=False):
            prefix = "" if folder == "." else folder.removeprefix("./") + "/"
            for name in names:
                if not _is_temporary(name):
                    found[prefix + name] = _md5_at(descriptor, name)
        return found

    def send(self, uploads: Sequence[Upload], done: Done) -> None:
        batch = _Batch(done)
        for upload in uploads:
            folder, name = self._place(upload.path, create=True)
            assert folder is not None
            _copy_into(upload.source, folder, name, upload.path)
            batch.add(upload.path, folder)
        batch.confirm()

    def delete(self, paths: Sequence[str], done: Done) -> None:
        batch = _Batch(done)
        for path in paths:
            folder, name = self._place(path, create=False)
            if folder is not None:
                try:
                    os.unlink(name, dir_fd=folder)
                except FileNotFoundError:
                    pass
                self._remove_emptied(path)
            batch.add(path, folder)
        batch.confirm()

    def finish(self, message: str) -> None:
        """Nothing is left to do: each file was in place when it was confirmed."""

    def close(self) -> None:
        for descriptor in [*self._folders.values(), *self._removed]:
            os.close(descriptor)
        self._folders.clear()
        self._removed.clear()

    def _open_root(self, create: bool) -> int | None:
        if "" not in self._folders:
            try:
                if create:
                    self.root.mkdir(parents=True, exist_ok=True)
                self._folders[""] = os.open(self.root, DIRECTORY)
            except FileNotFoundError:
                if create:
                    raise
                return None
            except (NotADirectoryError, FileExistsError):
                raise DeployFailed(
                    f"{self.root} (or a folder above it) is a file, not a folder: name a folder "
                    "in --to or deploy.to, or move that file away, then deploy again"
                ) from None
        return self._folders[""]

    def _place(self, path: str, create: bool) -> tuple[int | None, str]:
        """(the open folder `path` goes in, its file name); (None, name) when a folder on
        the way is missing and not to be made."""
        folder, _, name = path.rpartition("/")
        if any(part in ("", ".", "..") for part in path.split("/")):
            raise DeployFailed(f"{path!r} is not a path inside the target")
        return self._open_folder(folder, create), name

    def _open_folder(self, folder: str, create: bool) -> int | None:
        if folder in self._folders:
            return self._folders[folder]
        above, _, name = folder.rpartition("/")
        parent = self._open_folder(above, create) if folder else self._open_root(create)
        if parent is None or not folder:
            return parent
        try:
            descriptor = os.open(name, DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.mkdir(name, dir_fd=parent)
            except FileExistsError:
                pass
            descriptor = os.open(name, DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
        except OSError as exc:
            if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            raise DeployFailed(_not_a_folder(self.root / folder, parent, name)) from None
        self._folders[folder] = descriptor
        _remove_temporaries(descriptor)
        return descriptor

    def _remove_emptied(self, path: str) -> None:
        """Folders the deletion of `path` left empty, up to (not including) the root."""
        folder = path.rpartition("/")[0]
        while folder:
            above, _, name = folder.rpartition("/")
            parent = self._folders.get(above)
            if parent is None:
                return
            try:
                os.rmdir(name, dir_fd=parent)
            except OSError:
                return
            self._removed.append(self._folders.pop(folder))
            folder = above


class _Batch:
    """Files put in place, confirmed once their folders are synced."""

    def __init__(self, done: Done):
        self.done = done
        self.paths: list[str] = []
        self.folders: set[int] = set()

    def add(self, path: str, folder: int | None) -> None:
        self.paths.append(path)
        if folder is not None:
            self.folders.add(folder)
        if len(self.paths) >= BATCH:
            self.confirm()

    def confirm(self) -> None:
        for folder in self.folders:
            os.fsync(folder)
        for path in self.paths:
            self.done(path)
        self.paths.clear()
        self.folders.clear()


def _copy_into(source: Path, folder: int, name: str, path: str) -> None:
    """`source` as `name` in the open `folder`, through an exclusive temporary file."""
    with open(os.open(source, READ), "rb") as reading:
        mode = os.fstat(reading.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise DeployFailed(f"{source} is not a regular file; build again")
        temporary = _create_temporary(folder)
        try:
            with open(temporary[1], "wb", closefd=True) as writing:
                shutil.copyfileobj(reading, writing, 1 << 20)
                os.fchmod(writing.fileno(), stat.S_IMODE(mode))
                writing.flush()
                os.fsync(writing.fileno())
            os.replace(temporary[0], name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException as exc:
            os.unlink(temporary[0], dir_fd=folder)
            if isinstance(exc, IsADirectoryError):
                raise DeployFailed(
                    f"{path} is a folder in the target, where blogsmith puts a file; move it "
                    "away, then deploy again"
                ) from None
            raise


def _create_temporary(folder: int) -> tuple[str, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        name = f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"
        try:
            return name, os.open(name, flags, 0o600, dir_fd=folder)
        except FileExistsError:
            continue


def _is_temporary(name: str) -> bool:
    return name.startswith(TEMPORARY_PREFIX) and name.endswith(TEMPORARY_SUFFIX)


def _remove_temporaries(folder: int) -> None:
    """What an interrupted deploy left half-copied in this folder."""
    for name in os.listdir(folder):
        if _is_temporary(name):
            try:
                os.unlink(name, dir_fd=folder)
            except OSError:
                pass


def _md5_at(folder: int, name: str) -> str | None:
    """The file's MD5; None for a link or anything else that is not a regular file."""
    try:
        descriptor = os.open(name, READ, dir_fd=folder)
    except OSError:
        return None
    with open(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None
        return hashlib.file_digest(stream, "md5").hexdigest()


def _not_a_folder(where: Path, parent: int, name: str) -> str:
    try:
        link = stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
    except OSError:
        link = False
    what = "a symbolic link" if link else "a file"
    return (
        f"{where} in the target is {what} where blogsmith needs a folder; blogsmith never "
        f"writes through one: move it away, then deploy again"
    )
