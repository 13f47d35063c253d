"""A folder on this machine (`file:///srv/www/`), such as a web server's document root.

Every file arrives whole: it is copied to a temporary file created exclusively beside its
place, synced, and renamed over the old one, so a reader gets the old file or the new one,
never half of it. The target folder may hold anything of anyone's, so nothing there is
trusted: each folder below the root is opened one name at a time without following a
symbolic link, and every file is written, renamed or removed relative to its open folder,
so a link planted in the target never sends a write elsewhere. A target is confirmed (`done`)
in batches, each after its folders are synced: a power cut loses no confirmed file.

A site may have more folders than a process may open files, so at most OPEN_FOLDERS stay
open: past that, the batch is confirmed and they are closed, to be reopened the same careful
way. A deploy rids a folder of the temporaries an interrupted one left the first time it
opens it, and a folder its deletions emptied is removed, up to the root.
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
OPEN_FOLDERS = 64
"""Folders held open at once besides the root (and one path's on top): a site may have tens
of thousands, and a process as few as 256 open files (macOS's `ulimit -n`; Linux's 1024)."""
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
        """Open folders by their path below the root ("" the root), each with every folder
        above it; besides the root, at most OPEN_FOLDERS (see _place)."""
        self._cleared: set[str] = set()
        """Folders already rid of an interrupted deploy's temporaries: never twice in a deploy,
        however often a folder is reopened."""
        self._batch = _Batch(self._folders, lambda path: None)

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
        self._batch = _Batch(self._folders, done)
        for upload in uploads:
            folder, name = self._place(upload.path, create=True)
            assert folder is not None
            _copy_into(upload.source, self._folders[folder], name, upload.path)
            self._batch.add(upload.path, folder)
        self._batch.confirm()

    def delete(self, paths: Sequence[str], done: Done) -> None:
        self._batch = _Batch(self._folders, done)
        for path in paths:
            folder, name = self._place(path, create=False)
            if folder is not None:
                try:
                    os.unlink(name, dir_fd=self._folders[folder])
                except FileNotFoundError:
                    pass
                folder = self._remove_emptied(folder)
            self._batch.add(path, folder)
        self._batch.confirm()

    def finish(self, message: str) -> None:
        """Nothing is left to do: each file was in place when it was confirmed."""

    def close(self) -> None:
        for descriptor in self._folders.values():
            os.close(descriptor)
        self._folders.clear()

    def _open_root(self, create: bool) -> int | None:
        if "" not in self._folders:
            try:
                if create:
                    self.root.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(self.root, DIRECTORY)
            except FileNotFoundError:
                if create:
                    raise
                return None
            except (NotADirectoryError, FileExistsError):
                raise DeployFailed(
                    f"{self.root} (or a folder above it) is a file, not a folder: name a folder "
                    "in --to or deploy.to, or move that file away, then deploy again"
                ) from None
            self._opened("", descriptor)
        return self._folders[""]

    def _place(self, path: str, create: bool) -> tuple[str | None, str]:
        """(the folder `path` goes in, now open; its file name); (None, name) when a folder on
        the way is missing and not to be made. Past OPEN_FOLDERS, the folders are closed
        first (the root stays open)."""
        folder, _, name = path.rpartition("/")
        if any(part in ("", ".", "..") for part in path.split("/")):
            raise DeployFailed(f"{path!r} is not a path inside the target")
        if folder not in self._folders and len(self._folders) + folder.count("/") > OPEN_FOLDERS:
            self._close_folders()
        return (None if self._open_folder(folder, create) is None else folder), name

    def _close_folders(self) -> None:
        """Every folder but the root closed, after the batch is confirmed: it syncs them."""
        self._batch.confirm()
        for folder in [folder for folder in self._folders if folder]:
            os.close(self._folders.pop(folder))

    def _open_folder(self, folder: str, create: bool) -> int | None:
        """Opened one name at a time from the root, never through a link."""
        if folder in self._folders:
            return self._folders[folder]
        if not folder:
            return self._open_root(create)
        above, _, name = folder.rpartition("/")
        parent = self._open_folder(above, create)
        if parent is None:
            return None
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
        return self._opened(folder, descriptor)

    def _opened(self, folder: str, descriptor: int) -> int:
        """Kept open (and closed with the rest); the first time in this deploy, rid of what
        an interrupted deploy left: later, a temporary there may be this deploy's own."""
        self._folders[folder] = descriptor
        if folder not in self._cleared:
            self._cleared.add(folder)
            _remove_temporaries(descriptor)
        return descriptor

    def _remove_emptied(self, folder: str) -> str:
        """Removes `folder` if a deletion emptied it, then each folder above it so emptied
        (never the root); the first folder kept, whose sync makes the removals last."""
        while folder:
            above, _, name = folder.rpartition("/")
            parent = self._open_folder(above, create=False)
            if parent is None:
                return folder
            try:
                os.rmdir(name, dir_fd=parent)
            except OSError:
                return folder
            self._batch.folders.discard(folder)  # gone: syncing `above` covers it
            descriptor = self._folders.pop(folder, None)
            if descriptor is not None:
                os.close(descriptor)
            folder = above
        return folder


class _Batch:
    """Files put in place (or removed), confirmed once the folders they changed are synced."""

    def __init__(self, open_folders: dict[str, int], done: Done):
        self.open_folders = open_folders
        self.done = done
        self.paths: list[str] = []
        self.folders: set[str] = set()
        """By path below the root: each stays open until the batch is confirmed (the target
        confirms before closing folders, and drops a folder it removed)."""

    def add(self, path: str, folder: str | None) -> None:
        self.paths.append(path)
        if folder is not None:
            self.folders.add(folder)
        if len(self.paths) >= BATCH:
            self.confirm()

    def confirm(self) -> None:
        for folder in self.folders:
            os.fsync(self.open_folders[folder])
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
