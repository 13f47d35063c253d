"""The files a deploy may send: exactly those the last build listed in the output's
`.blogsmith-output`, each a regular file reached through real folders of the output.

A file someone else put in the output is not on the list and never sent. A listed name that
is now a symbolic link (to a key, a password file), or sits in a linked folder, or is not a
regular file, is never followed or read: it is left out and named. A listed file that is
gone means the output was damaged since the build; the deploy stops rather than deleting the
page from the site.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from blogsmith.deploy.names import some
from blogsmith.deploy.targets.base import DeployFailed
from blogsmith.output.writer import OWNED_LIST

Memo = dict[str, tuple[int, int, int, int, str]]
"""path -> (size, mtime_ns, inode, ctime_ns, MD5 hex): a file whose stat is unchanged is
not read again."""


@dataclass(frozen=True)
class LocalFile:
    path: str
    source: Path
    size: int
    digest: str


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
    """Every listed file with its MD5, read only when its stat differs from the memo."""
    found = LocalFiles()
    folders: dict[str, bool] = {"": True}
    missing = []
    for path in listed_files(output):
        if not _plain_path(path) or not _real_folder(output, path.rpartition("/")[0], folders):
            found.left_out.append(path)
            continue
        source = output / path
        try:
            status = os.lstat(source)
        except FileNotFoundError:
            missing.append(path)
            continue
        if not stat.S_ISREG(status.st_mode):
            found.left_out.append(path)
            continue
        figures = (status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns)
        known = memo.get(path)
        digest = known[4] if known and tuple(known[:4]) == figures else _md5(source)
        found.memo[path] = (*figures, digest)
        found.files[path] = LocalFile(path, source, status.st_size, digest)
    if missing:
        raise DeployFailed(
            f"the output lacks {len(missing)} file(s) its last build wrote "
            f"({some(missing)}): run `blogsmith build` again (it restores them), then deploy"
        )
    return found


def _plain_path(path: str) -> bool:
    """A relative path inside the output: no `..`, no empty or absolute parts."""
    parts = path.split("/")
    return all(part not in ("", ".", "..") for part in parts) and "\0" not in path


def _real_folder(output: Path, folder: str, verdicts: dict[str, bool]) -> bool:
    """Whether `folder` and every folder above it is a real folder, not a link (each looked
    at once per deploy)."""
    verdict = verdicts.get(folder)
    if verdict is None:
        above = folder.rpartition("/")[0]
        try:
            mode = os.lstat(output / folder).st_mode
        except FileNotFoundError:
            mode = stat.S_IFDIR  # gone: its files are reported missing
        except OSError:
            mode = 0
        verdict = stat.S_ISDIR(mode) and _real_folder(output, above, verdicts)
        verdicts[folder] = verdict
    return verdict


def _md5(source: Path) -> str:
    """Read without following a link swapped in since the lstat."""
    descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise DeployFailed(f"{source} changed while the deploy read it; deploy again")
        return hashlib.file_digest(stream, "md5").hexdigest()
