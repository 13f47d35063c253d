"""A progress bar for a terminal, shown only when a build takes more than a moment."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 0.5
WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr, label: str = "rendering"):
        self.stream = stream
        self.label = label
        self.started = time.perf_counter()
        self.last_drawn = 0.0
        self.visible = False

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.started < DELAY or (now - self.last_drawn < 0.1 and done < total):
            return
        self.last_drawn = now
        filled = WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.stream.flush()
        self.visible = True

    def clear(self) -> None:
        if self.visible:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.visible = False
