"""Stage timings of a build, printed to stderr when BLOGSMITH_TIMINGS is set: wall time, and
the CPU time of this process and its finished workers beside it (a stage whose CPU time is well
under twice its wall time on two cores waited: for the disk, or for one core alone)."""

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
    started, cpu = time.perf_counter(), _cpu_seconds()
    try:
        yield
    finally:
        wall, used = time.perf_counter() - started, _cpu_seconds() - cpu
        print(f"timing: {name}: {wall:.2f} s ({used:.2f} s CPU)", file=sys.stderr)


def _cpu_seconds() -> float:
    """User and system time of this process and of its workers that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system
