"""BLOGSMITH_TIMINGS: each stage's wall, CPU and system seconds, in the form the bench reads."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import blogsmith.core.timings as timings

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def bench_stage_pattern():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STAGE


def test_a_stage_prints_its_wall_cpu_and_system_seconds_as_the_bench_reads_them(
    monkeypatch, capsys, tmp_path
):
    monkeypatch.setattr(timings, "ENABLED", True)
    with timings.stage("render"):
        for number in range(2000):  # files made and removed: time in the kernel
            made = tmp_path / f"{number}.html"
            made.write_bytes(b"x" * 4096)
            made.unlink()
        sum(range(2_000_000))
    printed = capsys.readouterr().err
    found = bench_stage_pattern().findall(printed)
    assert len(found) == 1 and found[0][0] == "render", printed
    wall, cpu, system = map(float, found[0][1:])
    assert 0 < system <= cpu and cpu > 0.01 and wall > 0, printed


def test_no_timings_are_printed_unless_asked(monkeypatch, capsys):
    monkeypatch.setattr(timings, "ENABLED", False)
    with timings.stage("render"):
        pass
    assert capsys.readouterr().err == ""
