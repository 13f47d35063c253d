"""The files a deploy may send: exactly those the last build listed in the output's
`.blogsmith-output`, each a regular file reached through real folders of the output.

A file someone else put in the output is not on the list and never sent. A listed name that
is now a symbolic link (to a key, a password file), or sits in a linked folder, or is not a
regular file, is never followed or read: it is left out and named. A listed file that is
gone means the output was damaged since the build; the deploy stops rather than deleting the
page from the site.

The scan works on plain strings: one `lstat` per listed file, and each folder looked at once,
in the listing of the folder above it (one `scandir` tells the kind of a whole folder of
article folders). A file is read (for its MD5) only when its figures differ from the memo.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from blogsmith.deploy.names import some
from blogsmith.deploy.targets.base import DeployFailed
from blogsmith.output.writer import OWNED_LIST

Memo = dict[str, str]
""""path size mtime_ns inode ctime_ns" -> MD5 hex: a file whose stat is unchanged is found
with one look-up and not read again. (The figures are the last four words, so the key is
never ambiguous, whatever the path holds.)"""

_MEMO_KEY = "{} {} {} {} {}"
_MODE, _SIZE, _MTIME, _INODE, _CTIME = map(
    attrgetter, ("st_mode", "st_size", "st_mtime_ns", "st_ino", "st_ctime_ns")
)
_NOT_NAMES = frozenset(("", ".", ".."))


class LocalFile(NamedTuple):
    path: str
    output: Path
    """The output folder that `path` is relative to."""
    size: int
    digest: str

    @property
    def source(self) -> Path:
        """The file in the output folder (a regular file, not a link, when it was scanned)."""
        return self.output / self.path


_local_file = partial(tuple.__new__, LocalFile)
"""A LocalFile from (path, output, size, digest), with no Python call per file."""


@dataclass
class LocalFiles:
    files: dict[str, LocalFile] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    """Listed names that are links, in linked folders, or not regular files."""
    memo: Memo = field(default_factory=dict)


def listed_files(output: Path) -> list[str]:
    """The output's list of what blogsmith wrote; DeployFailed when there is none."""
    try:
        text = (output / OWNED_LIST).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeployFailed(
            f"{output} has no {OWNED_LIST}, so it is not a folder blogsmith built; run "
            "`blogsmith build` first (with the same --output)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeployFailed(f"cannot read {output / OWNED_LIST} ({exc}); build again") from None
    return [line for line in text.splitlines() if line]


def scan(output: Path, memo: Memo) -> LocalFiles:
    """Every listed file with its MD5, read only when its stat differs from the memo.

    Each step runs over the whole list at once (map, zip): at 50,000 files the time is the
    `lstat` calls themselves."""
    found = LocalFiles()
    root = os.path.join(os.fspath(output), "")  # ends with one "/"
    paths = _readable(root, listed_files(output), found.left_out)
    sources = [root + path for path in paths]
    statuses = _statuses(paths, sources)
    if not all(map(stat.S_ISREG, map(_MODE, statuses))):
        regular = list(map(stat.S_ISREG, map(_MODE, statuses)))
        found.left_out += [path for path, keep in zip(paths, regular, strict=True) if not keep]
        paths, sources, statuses = (
            [value for value, keep in zip(values, regular, strict=True) if keep]
            for values in (paths, sources, statuses)
        )
    sizes = list(map(_SIZE, statuses))
    keys = list(
        map(
            _MEMO_KEY.format,
            paths,
            sizes,
            map(_MTIME, statuses),
            map(_INODE, statuses),
            map(_CTIME, statuses),
        )
    )
    digests = list(map(memo.get, keys))
    if None in digests:
        digests = [
            _md5(source) if digest is None else digest
            for source, digest in zip(sources, digests, strict=True)
        ]
    found.memo = dict(zip(keys, digests, strict=True))
    fields = zip(paths, repeat(output), sizes, digests)  # repeat: as long as the others
    found.files = dict(zip(paths, map(_local_file, fields), strict=True))
    return found


def _readable(root: str, listed: list[str], left_out: list[str]) -> list[str]:
    """The listed paths whose files may be read (plain names in real folders); the others are
    added to `left_out`."""
    readable = []
    verdicts: dict[str, bool] = {"": True}
    """"folder/" -> a plain path whose every folder is a real one: its files may be read."""
    listings: dict[str, frozenset[str] | None] = {}
    for path in listed:
        folder, slash, name = path.rpartition("/")
        key = folder + slash
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = _folder_verdict(root, key, verdicts, listings)
        if verdict and name not in _NOT_NAMES and "\0" not in name:
            readable.append(path)
        else:
            left_out.append(path)
    return readable


def _statuses(paths: list[str], sources: list[str]) -> list[os.stat_result]:
    """Each file's lstat; DeployFailed naming every file that is gone."""
    try:
        return list(map(os.lstat, sources))
    except FileNotFoundError:
        pass
    statuses = list(map(_lstat_if_there, sources))
    missing = [path for path, status in zip(paths, statuses, strict=True) if status is None]
    if missing:
        raise DeployFailed(
            f"the output lacks {len(missing)} file(s) its last build wrote "
            f"({some(missing)}): run `blogsmith build` again (it restores them), then deploy"
        )
    return [status for status in statuses if status is not None]  # back since the first look


def _lstat_if_there(source: str) -> os.stat_result | None:
    try:
        return os.lstat(source)
    except FileNotFoundError:
        return None


def _folder_verdict(
    root: str, key: str, verdicts: dict[str, bool], listings: dict[str, frozenset[str] | None]
) -> bool:
    """Whether the files of `key` ("a/b/") may be read: a relative path inside the output (no
    `..`, no empty or absolute parts) whose every folder is a real folder, not a link. Each
    folder is looked at once per deploy, in the listing of the folder above it."""
    probe = "/" + key
    if "//" in probe or "/./" in probe or "/../" in probe or "\0" in key:
        verdict = False
    else:
        above, _, name = key[:-1].rpartition("/")
        above_key = above + "/" if above else ""
        verdict = verdicts.get(above_key)
        if verdict is None:
            verdict = _folder_verdict(root, above_key, verdicts, listings)
        if verdict:
            if above_key not in listings:
                listings[above_key] = _not_folders_in(root + above_key)
            not_folders = listings[above_key]
            if not_folders is None:
                verdict = _is_folder(root + key)
            else:
                verdict = name not in not_folders  # gone: its files are reported missing
    verdicts[key] = verdict
    return verdict


def _not_folders_in(folder: str) -> frozenset[str] | None:
    """The names in `folder` that are not real folders (files, links); None when it cannot be
    listed."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(
                entry.name for entry in entries if not entry.is_dir(follow_symlinks=False)
            )
    except FileNotFoundError:
        return frozenset()  # gone: its files are reported missing
    except OSError:
        return None


def _is_folder(path: str) -> bool:
    """A real folder, not a link to one; True when it is gone (its files are reported
    missing)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _md5(source: str) -> str:
    """Read without following a link swapped in since the lstat."""
    descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise DeployFailed(f"{source} changed while the deploy read it; deploy again")
        return hashlib.file_digest(stream, "md5").hexdigest()
