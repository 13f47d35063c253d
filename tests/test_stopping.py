"""The long-running commands stop cleanly on Ctrl-C and on SIGTERM, even when started in the
background by a script (which hands them SIGINT ignored): a supervisor, a CI runner or a test
can always stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import DEFAULT_CONFIG, article

BUILD = [sys.executable, "-m", "blogsmith", "build", "--site"]


def ignoring_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `command &` in a script starts it


@pytest.mark.parametrize("command", [["serve"], ["comments", "serve"]])
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_server_started_in_the_background_stops_at_once(make_site, command, stop):
    site = make_site(
        {"content/articles/2022/09/a.md": article("記事")},
        config=DEFAULT_CONFIG + "comments:\n  url: https://comments.example.org/\n",
    )
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "blogsmith", *command, "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=ignoring_interrupts,
        env={**os.environ, "BLOGSMITH_COMMENTS_SECRET": "x"},
    )
    try:
        first = process.stdout.readline()
        while "http://" not in first and process.poll() is None:
            first = process.stdout.readline()
        assert "http://" in first
        started = time.monotonic()
        process.send_signal(stop)
        assert process.wait(timeout=15) == 0
        assert time.monotonic() - started < 10
        assert "Traceback" not in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()


def test_a_build_stopped_by_ctrl_c_says_so_and_leaves_the_previous_output_whole(make_site):
    files = {
        f"content/articles/2022/09/a{n}.md": article(f"記事{n}", body="本文です。\n\n" * 40)
        for n in range(400)
    }
    site = make_site(files)
    assert subprocess.run(BUILD + [str(site)], capture_output=True).returncode == 0
    before = {path: path.read_bytes() for path in (site / "public").rglob("*") if path.is_file()}
    config = site / "blogsmith.yaml"
    config.write_text(config.read_text("utf-8").replace("テスト軍事ニュース", "改題"), "utf-8")

    # Ctrl-C reaches every process of the terminal's group, in the middle of writing pages.
    process = subprocess.Popen(
        BUILD + [str(site)], stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    staging = site / ".public.staging"
    deadline = time.monotonic() + 60
    while not staging.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the build ended before it could be stopped"
    os.killpg(process.pid, signal.SIGINT)
    errors = process.communicate(timeout=60)[1]
    assert process.returncode == 130
    assert "Traceback" not in errors and "stopped by Ctrl-C" in errors
    after = {path: path.read_bytes() for path in (site / "public").rglob("*") if path.is_file()}
    assert after == before

    rebuilt = subprocess.run(BUILD + [str(site)], capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "改題" in (site / "public" / "index.html").read_text("utf-8")
    assert not staging.exists()
