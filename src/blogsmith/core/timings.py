"""Stage timings of a build, printed to stderr when BLOGSMITH_TIMINGS is set: wall time, and
the CPU time of this process and its finished workers beside it (a stage whose CPU time is well
under twice its wall time on two cores waited: for the disk, or for one core alone), with the
part of it spent in the kernel (making files, faulting in pages a forked worker shares)."""

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
    started, (cpu, system) = time.perf_counter(), _cpu_seconds()
    try:
        yield
    finally:
        wall = time.perf_counter() - started
        cpu_now, system_now = _cpu_seconds()
        print(
            f"timing: {name}: {wall:.2f} s ({cpu_now - cpu:.2f} s CPU, "
            f"{system_now - system:.2f} s system)",
            file=sys.stderr,
        )


def _cpu_seconds() -> tuple[float, float]:
    """User + system time of this process and of its workers that have ended, and the system
    part of it."""
    times = os.times()
    system = times.system + times.children_system
    return times.user + times.children_user + system, system
