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
