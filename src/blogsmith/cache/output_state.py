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
from collections.abc import Iterable
from pathlib import Path

from blogsmith.output.writer import OWNED_LIST
from blogsmith.render.images import COPY_NAME

State = dict[str, tuple[int, int]]
"""Output path -> (size, modification time in ns), or a marker in place of the size:"""
COPY = -1
BY_NAME = (COPY, COPY)
"""An image copy: looked for by name."""
FOLDER = -2
"""A folder of image copies (its path + "/.", which no file can be), its time trusted."""
RACY = -3
"""A folder of image copies whose time is too recent to trust: the check lists it."""
CLOCK_STEP_NS = 3 * 10**9
"""More than the coarsest file time (FAT's 2 s), or the kernel's clock tick."""


def _folder_record(relative: str) -> str:
    """The record of the folder an output file is in: "images/." for "images/a.jpg"."""
    return relative[: relative.rfind("/") + 1] + "."


def output_files(state: State) -> set[str]:
    """The output's files in `state`, without its folder records."""
    return {relative for relative, (size, _) in state.items() if size > FOLDER}


def output_unchanged(output: Path, recorded: State) -> bool:
    """Whether every file in `recorded` is there as it was."""
    root = f"{output}/"
    stat = os.stat
    racy = []
    try:
        for relative, (size, modified) in recorded.items():
            if size == COPY:  # found through its folder
                continue
            found = stat(root + relative)
            if found.st_mtime_ns != modified or (size >= 0 and found.st_size != size):
                return False
            if size == RACY:
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
        for relative, (size, _) in recorded.items()
        if size == COPY and _folder_record(relative) in folders
    )


def output_state(
    output: Path,
    before: State | None = None,
    changed: Iterable[str] = (),
    seen_at: int = 0,
) -> State:
    """Every output file (see State); from `before` and the files this process `changed`
    (written or removed) when only those can differ, the output having been found as
    `before` says at `seen_at` (time.time_ns())."""
    if before is None:
        return _walked(output)
    state = dict(before)
    copies_changed = False
    for relative in changed:
        copy = COPY_NAME.search(relative) is not None
        copies_changed = copies_changed or copy
        try:
            found = os.stat(output / relative)
        except FileNotFoundError:
            state.pop(relative, None)
            continue
        state[relative] = BY_NAME if copy else _figures(found)
    _record_folders(output, state, seen_at, None if copies_changed else _folders(before))
    return state


def _walked(output: Path) -> State:
    seen_at = time.time_ns()
    state: State = {}

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
                    state[prefix + name] = BY_NAME
                else:
                    try:
                        state[prefix + name] = _figures(entry.stat())
                    except FileNotFoundError:  # removed while listed
                        continue

    walk(str(output), "")
    _record_folders(output, state, seen_at)
    return state


def _folders(state: State) -> list[str]:
    return [relative for relative, (size, _) in state.items() if size <= FOLDER]


def _record_folders(
    output: Path, state: State, seen_at: int, holding: list[str] | None = None
) -> None:
    """Each folder `holding` copies (found in `state` when not given), with its time now:
    trusted when older than `seen_at`, when its listing was seen, by more than a clock
    step."""
    if holding is None:
        holding = list(
            {_folder_record(relative) for relative, (size, _) in state.items() if size == COPY}
        )
        for relative in set(_folders(state)).difference(holding):
            del state[relative]
    for folder in holding:
        try:
            modified = os.stat(f"{output}/{folder}").st_mtime_ns
        except OSError:  # its copies are gone with it: the next check says so
            state[folder] = (RACY, -1)
            continue
        trusted = modified < seen_at - CLOCK_STEP_NS
        state[folder] = (FOLDER if trusted else RACY, modified)


def _figures(stat: os.stat_result) -> tuple[int, int]:
    return (stat.st_size, stat.st_mtime_ns)
