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
