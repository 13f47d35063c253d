"""The one door into an output folder.

Everything that finishes files (the page build, the search index written with it, the
preview's quick path) stages them and hands them here to be moved in. The publisher holds the
folder's readers' lock: a server reading the folder waits while files are swapped, so no
request ever sees half of one build and half of the next. Nobody else takes that lock, and
no context manager travels down a call chain to reach it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from blogsmith.output.writer import StagedWriter


class ReadWriteLock:
    """Many readers or one writer; a waiting writer goes first so rebuilds are never starved."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class Publisher:
    """Owns one output folder for as long as the process builds into it."""

    def __init__(self, output: Path) -> None:
        self.output = output.resolve()
        self._lock = ReadWriteLock()

    def stage(self, present: set[str] | None = None) -> StagedWriter:
        """A staging area for one build's files; raises NotOwned for a folder blogsmith may
        not write (see writer)."""
        return StagedWriter(self.output, present=present)

    def publish(self, writer: StagedWriter) -> list[str]:
        """Move the staged files in while nobody reads; the removed files."""
        with self._lock.writing():
            return writer.commit()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """For a reader of the folder: no build moves files in meanwhile."""
        with self._lock.reading():
            yield
