"""Work shared with forked workers: answers in order, however large, and this process's
interpreter left as it was found."""

from __future__ import annotations

import sys

import pytest

import blogsmith.core.workers as workers


def answer(number: int) -> tuple[int, bytes]:
    """A slice's answer as large as a loading slice's (megabytes through the pipe)."""
    return number, bytes([number % 256]) * 2_000_000


def failing(number: int) -> int:
    if number == 7:
        raise ValueError("slice 7")
    return number


def test_large_answers_come_back_in_order_and_the_switch_interval_is_restored(monkeypatch):
    monkeypatch.setenv("BLOGSMITH_WORKERS", "2")
    before = sys.getswitchinterval()
    done = workers.map_in_workers(answer, [(n,) for n in range(40)], minimum_items=1)
    assert [number for number, _ in done] == list(range(40))
    assert all(data == bytes([n % 256]) * 2_000_000 for n, data in done)
    assert sys.getswitchinterval() == before

    with pytest.raises(ValueError, match="slice 7"):
        workers.map_in_workers(failing, [(n,) for n in range(40)], minimum_items=1)
    assert sys.getswitchinterval() == before


def pid_and_inherited(start: int, stop: int) -> tuple[int, object, int]:
    import os

    return os.getpid(), workers.inherited()["pages"], stop - start


@pytest.mark.parametrize("count", ["1", "2"])
def test_what_a_run_hands_its_workers_is_what_they_read_and_it_ends_with_the_run(
    monkeypatch, count
):
    import os

    monkeypatch.setenv("BLOGSMITH_WORKERS", count)
    state = {"renderer": lambda page: page, "pages": list(range(5))}  # a lambda: no pickle
    done = workers.run_in_workers(pid_and_inherited, 1000, inherit=state)
    assert all(seen == state["pages"] for _, seen, _ in done)
    assert sum(size for *_, size in done) == 1000
    forked = {pid for pid, *_ in done} - {os.getpid()}
    assert bool(forked) == (count == "2")  # forked workers read it as inherited
    assert workers.inherited() is None
    inner = workers.map_in_workers(workers.inherited, [()] * 3, inherit="outer")
    assert inner == ["outer"] * 3 and workers.inherited() is None


def resident_size(start: int, stop: int) -> tuple[int, int]:
    import os

    with open("/proc/self/statm") as statm:
        return os.getpid(), int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_does_not_count_again_what_this_process_freed_before_forking_it(monkeypatch):
    """Blocks the size of an article's HTML (malloc's, not Python's small-object allocator's),
    200 MB of them, of which every tenth is kept: the others leave free holes in this
    process's heap that it keeps. A worker forked now counts its parent's pages, free or
    not, unless they were handed back to the system first."""
    import os

    monkeypatch.setenv("BLOGSMITH_WORKERS", "2")
    blocks = [b"%8d" % number * 625 for number in range(40_000)]
    kept = blocks[::10]
    del blocks
    parent = resident_size(0, 0)[1]
    done = workers.run_in_workers(resident_size, 1000)
    forked = [size for pid, size in done if pid != os.getpid()]
    assert forked and len(kept) == 4000
    assert max(forked) < parent - 120 * 2**20, (max(forked) / 2**20, parent / 2**20)
