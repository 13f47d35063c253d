"""Stage timings of a build, printed to stderr when BLOGSMITH_TIMINGS is set."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

ENABLED = bool(os.environ.get("BLOGSMITH_TIMINGS"))


@contextmanager
def stage(name: str):
    if not ENABLED:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        print(f"timing: {name}: {time.perf_counter() - started:.2f} s", file=sys.stderr)
