"""Spreading CPU-bound work over the machine's cores with forked processes.

Forking shares what the parent has built (the graph, the compiled templates) without
pickling it: what a map or run is given as `inherit` is set before its workers fork, and the
work reads it with `inherited()` (in a worker or in this process alike). Results come back
pickled. Small batches stay in this process, where starting workers would cost more than it
saves, and so does everything where fork is not available.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import cache

MINIMUM_ITEMS = 400
SLICES_PER_WORKER = 16
AHEAD = 2
ANSWER_SWITCH_INTERVAL = 0.0002
"""Seconds this process's work may hold the interpreter lock while a worker's answer waits
to be read (see _answers_read_promptly); Python's default is 0.005."""


_INHERITED: object = None
"""What the map or run under way hands its workers (see inherited)."""


def inherited():
    """What the map or run under way was given as `inherit`: the state its work reads (a
    renderer, an archive's articles, the writer's staging), inherited by forked workers
    instead of pickled to them."""
    return _INHERITED


@contextmanager
def _handing(value: object) -> Iterator[None]:
    global _INHERITED
    before, _INHERITED = _INHERITED, value
    try:
        yield
    finally:
        _INHERITED = before


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


def map_in_workers(
    function: Callable,
    argument_tuples: Sequence[tuple],
    minimum_items: int = MINIMUM_ITEMS,
    inherit: object = None,
) -> list:
    """[function(*arguments) for each], in order, on every core when it is worth it (from
    `minimum_items` on: fewer for costly work, like resizing an image)."""
    workers = worker_count()
    with _handing(inherit):
        if workers < 2 or len(argument_tuples) < minimum_items or not can_fork():
            return [function(*arguments) for arguments in argument_tuples]
        size = max(1, len(argument_tuples) // (workers * SLICES_PER_WORKER))
        chunks = [argument_tuples[at : at + size] for at in range(0, len(argument_tuples), size)]
        done = _shared(workers, [(_each, (function, chunk)) for chunk in chunks])
    return [result for index in range(len(chunks)) for result in done[index]]


def run_in_workers(
    function: Callable[[int, int], object],
    total: int,
    on_result: Callable[[object], None] | None = None,
    inherit: object = None,
) -> list:
    """function(start, stop) over slices of range(total), in forked workers that inherit
    `inherit` (see inherited); returns the results in slice order."""
    workers = worker_count()
    with _handing(inherit):
        if workers < 2 or total < MINIMUM_ITEMS or not can_fork():
            result = function(0, total)
            if on_result:
                on_result(result)
            return [result]
        slices = _slices(total, workers * SLICES_PER_WORKER)
        done = _shared(workers, [(function, bounds) for bounds in slices], on_result)
    return [done[index] for index in range(len(slices))]


def _shared(
    workers: int,
    jobs: list[tuple[Callable, tuple]],
    on_result: Callable[[object], None] | None = None,
) -> dict[int, object]:
    """Job index -> its result, the jobs shared between this process and `workers - 1` forked
    ones: they take jobs from the front (AHEAD each given at a time), this one from the back,
    until they meet. A fork holds a copy of everything this process holds (the graph, the
    templates), so a worker for every core while this one waited held all of it once more."""
    results: dict[int, object] = {}

    def take(index: int, result: object) -> None:
        results[index] = result
        if on_result:
            on_result(result)

    front, back, given = 0, len(jobs), {}
    with _pool(workers - 1) as pool, _stops_if_a_worker_dies(), _answers_read_promptly():
        while front < back or given:
            while front < back and len(given) < AHEAD * (workers - 1):
                function, arguments = jobs[front]
                given[pool.submit(function, *arguments)] = front
                front += 1
            if front < back:
                back -= 1
                function, arguments = jobs[back]
                take(back, function(*arguments))
                finished = [future for future in given if future.done()]
            else:
                finished = wait(given, return_when=FIRST_COMPLETED).done
            for future in finished:
                take(given.pop(future), future.result())
    return results


class WorkerDied(Exception):
    """A worker process ended without an answer (killed: by hand, or by the system for lack of
    memory). The pool cannot tell which work it had, so the whole work stops."""


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool that, when the work is given up (Ctrl-C, a dead worker), drops the work not
    yet started: only the slices under way are waited for (terminating the workers instead
    races the pool's own thread, which then prints a traceback)."""
    _give_back_free_memory()
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_quiet_exit
    )
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def _give_back_free_memory() -> None:
    """Hand the pages the allocator holds free back to the system, before forking (glibc's
    malloc_trim; a few milliseconds). A forked worker's resident size counts every page its
    parent has, used or free, and what the load stage freed (the workers' pickled answers,
    the sources) stayed with the build's process: each later worker counted it again (at
    10,000 articles, 81 of the 330 MB the graph stage's worker started with), and the peak
    summed over the processes is what a machine must have."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


@contextmanager
def _answers_read_promptly() -> Iterator[None]:
    """The pool's thread reads a worker's answer from a pipe 64 KiB at a time and takes the
    interpreter lock for each piece; while this process works on its own share, it lets go of
    the lock only every switch interval, so with Python's 5 ms a loading slice's answer (tens
    of MB) took seconds to read, and the worker sat blocked on its full pipe meanwhile: at
    10,000 articles it did a third of the loading instead of half."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(ANSWER_SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@contextmanager
def _stops_if_a_worker_dies() -> Iterator[None]:
    try:
        yield
    except BrokenProcessPool:
        raise WorkerDied(
            "a worker process stopped without finishing its work (killed, perhaps by the "
            "system for lack of memory); nothing was written: build again, or with "
            "BLOGSMITH_WORKERS=1 to use one process"
        ) from None


def _each(function: Callable, argument_tuples: Sequence[tuple]) -> list:
    return [function(*arguments) for arguments in argument_tuples]


def _quiet_exit() -> None:
    """Workers may be ended with SIGTERM: they must just exit, not run a handler the
    parent installed (serve turns SIGTERM into KeyboardInterrupt, with a traceback). Ctrl-C
    reaches every process of the terminal: only the parent acts on it, and ends them."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _slices(total: int, parts: int) -> Iterable[tuple[int, int]]:
    size = -(-total // parts)
    return [(start, min(total, start + size)) for start in range(0, total, size)]
