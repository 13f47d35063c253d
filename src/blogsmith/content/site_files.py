"""Which files of a site blogsmith reads: never one reached through a link that leads out of
the site (a pull request can add a symlink to any file on the build machine), never a device
or a pipe (reading /dev/zero never ends)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path


def refusal(path: Path, root: Path, relative: str | None = None) -> str | None:
    """Why `path` (a file found under `root`, at `relative` in it when the caller knows) is
    not read, or None when it may be."""
    return checked(path, root, relative)[0]


def checked(
    path: Path | str, root: Path, relative: str | None = None
) -> tuple[str | None, os.stat_result | None]:
    """`refusal`, and the file's status when it may be read (a build stats it once; on a
    photo archive's tens of thousands of files, pathlib's own work would cost more)."""
    if relative is None:
        relative = str(Path(path).relative_to(root))
    if not _is_utf8(relative):
        return (
            "has a name that is not UTF-8 (made by an old Windows or zip tool in Shift_JIS, "
            "usually); URLs need UTF-8 names: rename the file or folder",
            None,
        )
    try:
        status = os.lstat(path)  # one call for the usual plain file
        if stat.S_ISLNK(status.st_mode):
            target = Path(path).resolve()
            if not target.is_relative_to(root.resolve()):
                return (
                    f"is a symbolic link to {target}, outside the site; blogsmith does not "
                    "follow links out of the site: copy the file here instead",
                    None,
                )
            status = os.stat(path)
    except (OSError, RuntimeError) as exc:  # a dangling or looping link
        problem = getattr(exc, "strerror", None) or exc
        return f"cannot be read ({problem}); fix or remove the file", None
    if not stat.S_ISREG(status.st_mode):
        return "is not a regular file (a device, pipe or socket); remove it", None
    return None, status


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # the OS gave undecodable bytes as lone surrogates
        return False
    return True


_ONE_READ = 1 << 30


def read_whole(path: str, size: int) -> bytes:
    """A file's bytes, read with one call for the size its stat gave: `open().read()` stats
    it again and reads twice, which over tens of thousands of small files takes twice as
    long. A file that grew since its stat is read to its end; one that shrank gives what it
    holds now (a short read of a regular file is its end, below the gigabyte or two one
    read may return)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(descriptor, size + 1)
        if len(data) <= size and size < _ONE_READ:
            return data
        rest = [data]
        while chunk := os.read(descriptor, 1 << 20):
            rest.append(chunk)
        return b"".join(rest)
    finally:
        os.close(descriptor)


BLOCK_FILES = 512
BLOCK_BYTES = 32 << 20
"""read_each takes files in blocks of at most this many files and bytes (a photo archive's
files are large): a block's pace tells the page cache from the disk, and a block is what is
asked of the system ahead."""
DISK_PACE_NS = 30_000
"""A file read slower than this on average came from the disk, not the page cache (from
memory a small file takes under 10 microseconds; from a cloud disk, about 100)."""


def read_each(files: Sequence[tuple[str, int]]) -> Iterator[bytes | OSError]:
    """Each (path, size)'s bytes (read_whole), or the OSError reading it raised, in order,
    one file at a time.

    Read one after another, files that come from the disk (a build after a clone, or after
    the system reclaimed its page cache) each wait for the disk in turn: 17,000 articles took
    1.7 s. Once a block shows that pace, the next block is asked of the system before this
    one is read (posix_fadvise WILLNEED), which fetches it all at once: 0.2 s. Files already
    in memory are not asked for (each ask opens the file: 0.07 s more)."""
    blocks = _blocks(files)
    ahead = False
    for number, block in enumerate(blocks):
        following = blocks[number + 1] if number + 1 < len(blocks) else []
        if ahead:
            _ask_ahead(following)
        spent = 0
        for path, size in block:
            began = time.perf_counter_ns()
            answer = _attempt(path, size)
            spent += time.perf_counter_ns() - began
            yield answer
        if not ahead and spent > DISK_PACE_NS * len(block):
            ahead = hasattr(os, "posix_fadvise")
            if ahead:
                _ask_ahead(following)


def _blocks(files: Sequence[tuple[str, int]]) -> list[Sequence[tuple[str, int]]]:
    blocks, start, held = [], 0, 0
    for at, (_, size) in enumerate(files):
        if at > start and (at - start == BLOCK_FILES or held + size > BLOCK_BYTES):
            blocks.append(files[start:at])
            start, held = at, 0
        held += size
    if start < len(files):
        blocks.append(files[start:])
    return blocks


def _attempt(path: str, size: int) -> bytes | OSError:
    try:
        return read_whole(path, size)
    except OSError as error:
        return error


def _ask_ahead(files: Sequence[tuple[str, int]]) -> None:
    """Lets the system start reading these files into its cache, all at once, and returns."""
    for path, _ in files:
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # never waits on a pipe
        except OSError:
            continue  # read_each says why, when it reads the file
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(descriptor)
