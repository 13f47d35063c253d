"""Write the output so that a failed build leaves the previous site exactly as it was.

Changed files go to a staging folder beside the output; only when the whole build has
succeeded are they moved in (os.replace, one atomic rename per file) and files that nothing
produces any more removed. Files whose bytes did not change are never rewritten.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class StagedWriter:
    """The one way files reach the output: pages, static files and the search index alike."""

    def __init__(self, output: Path, known: set[str] | None = None):
        self.output = output
        self.known = known
        """The output's files as the last build left them, when that can be trusted: stale
        files are then found without walking the output."""
        self.staging = output.parent / f".{output.name}.staging"
        self.produced: set[str] = set()
        self.changed: list[str] = []
        if self.staging.exists():
            shutil.rmtree(self.staging)

    def put(self, relative: str, data: bytes) -> bool:
        """Stage `data` for output file `relative` unless the output already holds it."""
        self.produced.add(relative)
        if self.stage(relative, data):
            self.changed.append(relative)
            return True
        return False

    def stage(self, relative: str, data: bytes) -> bool:
        """Write `data` to the staging folder if it differs from the output (True); keeps no
        record, so it can run in a worker process that reports back what it staged."""
        target = self.output / relative
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                return False
        except (FileNotFoundError, NotADirectoryError):
            pass
        staged = self.staging / relative
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        return True

    def keep(self, relative: str) -> bool:
        """Keep the output's current file as it is, if there is one (True)."""
        if relative in self.known if self.known is not None else (self.output / relative).is_file():
            self.produced.add(relative)
            return True
        return False

    def commit(self) -> list[str]:
        """Move staged files in and delete stale ones; returns the removed files."""
        if not self.output.exists() and self.staging.is_dir():
            self.output.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging, self.output)  # a first build: one rename moves it all
            return []
        self.output.mkdir(parents=True, exist_ok=True)
        made: set[Path] = set()
        for relative in self.changed:
            target = self.output / relative
            if target.parent not in made:
                _make_parent(target, self.output)
                made.add(target.parent)
            elif target.is_dir():
                shutil.rmtree(target)
            os.replace(self.staging / relative, target)
        removed = self._remove_stale()
        self.abort()
        return removed

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _remove_stale(self) -> list[str]:
        if self.known is not None:
            return self._remove_known_stale()
        removed = []
        for folder, _dirs, files in os.walk(self.output, topdown=False):
            base = Path(folder)
            for name in files:
                relative = (base / name).relative_to(self.output).as_posix()
                if relative not in self.produced:
                    (base / name).unlink()
                    removed.append(relative)
            if base != self.output and not any(base.iterdir()):
                base.rmdir()
        return sorted(removed)

    def _remove_known_stale(self) -> list[str]:
        removed = []
        for relative in sorted(self.known - self.produced):
            path = self.output / relative
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(relative)
            for folder in path.parents:
                if folder == self.output:
                    break
                try:
                    folder.rmdir()
                except OSError:
                    break
        return removed


def _make_parent(target: Path, root: Path) -> None:
    """Create target's folder, replacing a file that stands where a folder must go."""
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        probe = parent
        while probe != root and not probe.is_dir():
            if probe.is_file():
                probe.unlink()
                break
            probe = probe.parent
        parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir():
        shutil.rmtree(target)
