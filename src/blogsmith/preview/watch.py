"""Watch a site's sources and call back once per burst of changes.

An editor's save is often several events (temp file, rename, chmod), `git checkout` a
hundred: changes are collected until the files have been quiet for a moment, then handed
over together. A failing callback is reported and the watching goes on.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from blogsmith.content.load import is_editor_litter
from blogsmith.core.config import CONFIG_NAME

WATCHED_DIRS = ("content", "templates", "static")
QUIET_SECONDS = 0.1
LONGEST_WAIT = 2.0
WRITES = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]
"""The events asked of the OS: not opens and reads, or every build's reading of the
sources would flood this process with events (tens of thousands per rebuild)."""


class SiteWatcher(FileSystemEventHandler):
    def __init__(
        self,
        site_dir: Path,
        ignore: list[Path],
        on_change: Callable[[set[str]], None],
        quiet: float = QUIET_SECONDS,
    ):
        self.site_dir = site_dir.resolve()
        self.ignore = [path.resolve() for path in ignore]
        self.on_change = on_change
        self.quiet = quiet
        self._changed: set[str] = set()
        self._last_event = 0.0
        self._cond = threading.Condition()
        self._stopping = False
        self._observer = Observer()
        self._watched: dict[str, ObservedWatch] = {}
        self._worker = threading.Thread(target=self._run, name="blogsmith-rebuild", daemon=True)

    def start(self) -> None:
        self._observer.schedule(self, str(self.site_dir), recursive=False, event_filter=WRITES)
        for name in WATCHED_DIRS:
            self._watch_dir(name)
        self._observer.start()
        self._worker.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._observer.stop()
        self._observer.join(timeout=5)
        self._worker.join(timeout=30)

    def _watch_dir(self, name: str) -> None:
        """Watch content/, templates/ or static/ (again: a folder removed and made anew, by
        `git checkout` or a restore, is a new folder the old watch knows nothing of)."""
        folder = self.site_dir / name
        self._unwatch_dir(name)
        if folder.is_dir():
            self._watched[name] = self._observer.schedule(
                self, str(folder), recursive=True, event_filter=WRITES
            )

    def _unwatch_dir(self, name: str) -> None:
        watch = self._watched.pop(name, None)
        if watch is not None:
            try:
                self._observer.unschedule(watch)
            except (KeyError, OSError):  # the system dropped it with the folder
                pass

    def relevant(self, path: str) -> str | None:
        """The changed path relative to the site, if it is a source the build reads."""
        try:
            resolved = Path(path).resolve()
            relative = resolved.relative_to(self.site_dir)
        except (ValueError, OSError):
            return None
        if any(resolved == ignored or ignored in resolved.parents for ignored in self.ignore):
            return None
        parts = relative.parts
        if not parts or is_editor_litter(parts[-1]):
            return None
        if parts == (CONFIG_NAME,) or parts[0] in WATCHED_DIRS:
            return relative.as_posix()
        return None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        hits = {hit for hit in map(self.relevant, filter(None, paths)) if hit}
        if not hits:
            return
        if event.is_directory and event.event_type in ("created", "moved", "deleted"):
            for hit in hits:
                if hit in WATCHED_DIRS:
                    self._watch_dir(hit)
        with self._cond:
            self._changed |= hits
            self._last_event = time.monotonic()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._changed or self._stopping)
                if self._stopping:
                    return
                first = time.monotonic()
                while not self._stopping:
                    now = time.monotonic()
                    settled = now - self._last_event >= self.quiet
                    if settled or now - first >= LONGEST_WAIT:
                        break
                    self._cond.wait(self.quiet - (now - self._last_event))
                if self._stopping:
                    return
                changed, self._changed = self._changed, set()
            try:
                self.on_change(changed)
            except Exception:  # a bug in a rebuild must not end the watching
                print("blogsmith: the rebuild failed unexpectedly; still watching", file=sys.stderr)
                traceback.print_exc(file=sys.stderr)
