"""What the output held when a build left it, and whether it still does: the other half of
the "nothing changed" check (cache.inputs is the first).

A build records every file it left with its size and modification time. The next one
stat-s those files by name instead of walking the output: a site is a folder per page, and
opening tens of thousands of folders costs three times the stats. A file someone added is
not looked for: it is not blogsmith's, and no build writes over it (see output.writer).

Image copies (a photo archive has five per photo) are recorded by name only, since the name
holds the source's digest; they are present when their folder's modification time is as
recorded, which changes whenever a name in it is added or removed. A folder's time is only
trusted when it is older than the moment its listing was last seen, by more than any file
system's clock step: a name removed within the same step leaves the time as it was. A folder
changed since (by this build's copies, usually) is "racy", and the next check lists it.
"""

from __future__ import annotations

import os
import time
from array import array
from collections.abc import Iterable
from itertools import chain
from pathlib import Path
from typing import NamedTuple

from blogsmith.output.writer import OWNED_LIST
from blogsmith.render.images import COPY_NAME

CLOCK_STEP_NS = 3 * 10**9
"""More than the coarsest file time (FAT's 2 s), or the kernel's clock tick."""


class CopyFolder(NamedTuple):
    """A folder of image copies as the state recorded it."""

    modified: int
    """Its modification time in ns (-1: it could not be read)."""
    trusted: bool
    """Whether that time was old enough to trust (else the next check lists the folder)."""


class OutputState:
    """Output path -> (size, modification time in ns) of every file the output held, as plain
    pairs (a photo archive's hundred thousand load in milliseconds, and are checked in one
    loop); a marker in the size says what else a record is. Only this class reads or makes
    them."""

    _COPY = -1
    _BY_NAME = (_COPY, _COPY)
    """An image copy: looked for by name."""
    _FOLDER = -2
    """A folder of image copies (its path + "/.", which no file can be), its time trusted."""
    _RACY = -3
    """A folder of image copies whose time is too recent to trust: the check lists it."""

    def __init__(self, files: dict[str, tuple[int, int]] | None = None, copies: Iterable[str] = ()):
        """`files` (taken as it is, not copied) with their size and time, and image `copies`
        by name; folders are recorded by `walked` and `after`."""
        self._records = {} if files is None else files
        self._records.update(dict.fromkeys(copies, self._BY_NAME))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OutputState) and self._records == other._records

    @classmethod
    def walked(cls, output: Path) -> OutputState:
        """Every file of `output`, found by walking it."""
        seen_at = time.time_ns()
        state = cls()
        records = state._records

        def walk(folder: str, prefix: str) -> None:  # os.walk's joins cost more than the stats
            try:
                entries = os.scandir(folder)
            except OSError:  # as os.walk: a folder that is gone or unreadable holds nothing
                return
            with entries:
                for entry in entries:
                    name = entry.name
                    if entry.is_dir():
                        if not entry.is_symlink():  # as os.walk: never into a linked folder
                            walk(entry.path, f"{prefix}{name}/")
                    elif not prefix and name == OWNED_LIST:
                        continue  # the writer's own record, not an output file
                    elif "w." in name and COPY_NAME.search(name):
                        records[prefix + name] = cls._BY_NAME
                    else:
                        try:
                            records[prefix + name] = _figures(entry.stat())
                        except FileNotFoundError:  # removed while listed
                            continue

        walk(str(output), "")
        state._record_folders(output, seen_at)
        return state

    def after(self, output: Path, changed: Iterable[str], seen_at: int) -> OutputState:
        """The state once this process `changed` (wrote or removed) these files, the output
        having been found as this state says at `seen_at` (time.time_ns())."""
        state = OutputState(dict(self._records))
        records = state._records
        copies_changed = False
        root = f"{output}/"  # strings: a build changes tens of thousands of files
        for relative in changed:
            copy = COPY_NAME.search(relative) is not None
            copies_changed = copies_changed or copy
            try:
                found = os.stat(root + relative)
            except FileNotFoundError:
                records.pop(relative, None)
                continue
            records[relative] = self._BY_NAME if copy else _figures(found)
        state._record_folders(output, seen_at, None if copies_changed else self._folders())
        return state

    def files(self) -> set[str]:
        """The output's files, without the records of folders."""
        return {relative for relative, (size, _) in self._records.items() if size > self._FOLDER}

    def folder(self, folder: str) -> CopyFolder | None:
        """What is recorded of a folder of copies, like "images" (None: nothing)."""
        record = self._records.get(folder + "/.")
        return None if record is None else CopyFolder(record[1], record[0] == self._FOLDER)

    def unchanged(self, output: Path) -> bool:
        """Whether every file recorded is there as it was."""
        root = f"{output}/"
        stat = os.stat
        racy = []
        try:
            for relative, (size, modified) in self._records.items():
                if size == self._COPY:  # found through its folder
                    continue
                found = stat(root + relative)
                if found.st_mtime_ns != modified or (size >= 0 and found.st_size != size):
                    return False
                if size == self._RACY:
                    racy.append(relative)
        except OSError:  # gone, or a folder where a file was
            return False
        if not racy:
            return True
        listed = set()
        for folder in racy:
            prefix = folder[:-1]  # "images/." -> "images/"
            try:
                listed.update([prefix + name for name in os.listdir(root + prefix)])
            except OSError:
                return False
        folders = set(racy)
        return listed.issuperset(
            relative
            for relative, (size, _) in self._records.items()
            if size == self._COPY and _folder_record(relative) in folders
        )

    def packed(self) -> tuple[str, bytes, str]:
        """As the cache folder keeps it: the files' names in one string and their numbers in
        one array, the image copies' names apart, not as that many tuples of new integers."""
        files = {name: pair for name, pair in self._records.items() if pair[0] != self._COPY}
        copies = [name for name, pair in self._records.items() if pair[0] == self._COPY]
        numbers = array("q", chain.from_iterable(files.values()))
        return "\0".join(files), numbers.tobytes(), "\0".join(copies)

    @classmethod
    def unpacked(cls, packed: tuple[str, bytes, str]) -> OutputState:
        """A state as `packed` made it."""
        names, numbers, copies = packed
        packed_numbers = array("q")
        packed_numbers.frombytes(numbers)
        pairs = iter(packed_numbers)
        figures_of_each = zip(pairs, pairs, strict=True)
        files = dict(zip(names.split("\0") if names else (), figures_of_each, strict=True))
        return cls(files, copies.split("\0") if copies else ())

    def _folders(self) -> list[str]:
        return [relative for relative, (size, _) in self._records.items() if size <= self._FOLDER]

    def _record_folders(self, output: Path, seen_at: int, holding: list[str] | None = None) -> None:
        """Each folder `holding` copies (found in the records when not given), with its time
        now: trusted when older than `seen_at`, when its listing was seen, by more than a
        clock step."""
        records = self._records
        if holding is None:
            holding = list(
                {
                    _folder_record(relative)
                    for relative, (size, _) in records.items()
                    if size == self._COPY
                }
            )
            for relative in set(self._folders()).difference(holding):
                del records[relative]
        for folder in holding:
            try:
                modified = os.stat(f"{output}/{folder}").st_mtime_ns
            except OSError:  # its copies are gone with it: the next check says so
                records[folder] = (self._RACY, -1)
                continue
            trusted = modified < seen_at - CLOCK_STEP_NS
            records[folder] = (self._FOLDER if trusted else self._RACY, modified)


def _folder_record(relative: str) -> str:
    """The record of the folder an output file is in: "images/." for "images/a.jpg"."""
    return relative[: relative.rfind("/") + 1] + "."


def _figures(stat: os.stat_result) -> tuple[int, int]:
    return (stat.st_size, stat.st_mtime_ns)
