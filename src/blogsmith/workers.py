"""Spreading CPU-bound work over the machine's cores with forked processes.

Forking shares what the parent has built (the graph, the compiled templates) without
pickling it; results come back pickled. Small batches stay in this process, where starting
workers would cost more than it saves, and so does everything where fork is not available.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Sequence

MINIMUM_ITEMS = 400


def worker_count() -> int:
    requested = os.environ.get("BLOGSMITH_WORKERS")
    if requested and requested.isdigit():
        return max(1, int(requested))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def map_in_workers(function: Callable, argument_tuples: Sequence[tuple]) -> list:
    """[function(*arguments) for each], in order, on every core when it is worth it."""
    workers = worker_count()
    if workers < 2 or len(argument_tuples) < MINIMUM_ITEMS or not can_fork():
        return [function(*arguments) for arguments in argument_tuples]
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(argument_tuples) // (workers * 8))
    with context.Pool(workers, initializer=_quiet_exit) as pool:
        return pool.starmap(function, argument_tuples, chunksize=chunk)


def run_in_workers(
    function: Callable[[int, int], object],
    total: int,
    on_result: Callable[[object], None] | None = None,
) -> list:
    """function(start, stop) over slices of range(total), in forked workers that inherit the
    caller's state; returns the results in slice order."""
    workers = worker_count()
    if workers < 2 or total < MINIMUM_ITEMS or not can_fork():
        result = function(0, total)
        if on_result:
            on_result(result)
        return [result]
    slices = _slices(total, workers * 8)
    context = multiprocessing.get_context("fork")
    results: dict[int, object] = {}
    with context.Pool(workers, initializer=_quiet_exit) as pool:
        for index, result in pool.imap_unordered(
            _call, ((function, i, a, b) for i, (a, b) in enumerate(slices))
        ):
            results[index] = result
            if on_result:
                on_result(result)
    return [results[i] for i in range(len(slices))]


def _quiet_exit() -> None:
    """A pool ends its workers with SIGTERM: they must just exit, not run a handler the
    parent installed (serve turns SIGTERM into KeyboardInterrupt, with a traceback)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(task: tuple) -> tuple[int, object]:
    function, index, start, stop = task
    return index, function(start, stop)


def _slices(total: int, parts: int) -> Iterable[tuple[int, int]]:
    size = -(-total // parts)
    return [(start, min(total, start + size)) for start in range(0, total, size)]
