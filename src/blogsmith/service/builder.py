"""The comment service's handle on its builder process (service.build_process), which
builds and deploys for the publish step and keeps its last build between publishes.

This module imports nothing of the build: the service's own process, serving requests on
threads, never loads it.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


class BuilderStopped(Exception):
    pass


class Builder:
    """Started on the first request, started again after it ended; its whole session ended
    when a request takes longer than allowed."""

    def __init__(self, site_dir: Path, output: Path | None, keep: bool = True):
        self.site_dir, self.output, self.keep = site_dir, output, keep
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def run(self, deploy: bool, timeout: float) -> dict:
        """{"build": (code, said), "deploy": (code, said) or None, "patched": bool, and the
        seconds of each}: the builder's build, then its deploy when asked and the build
        succeeded. A code is None when the step did not finish."""
        with self._lock:
            request = json.dumps({"deploy": deploy, "keep": self.keep}).encode() + b"\n"
            try:
                process = self._running()
                assert process.stdin is not None
                process.stdin.write(request)
                process.stdin.flush()
                return json.loads(self._answer(process, timeout))
            except (OSError, BuilderStopped, ValueError) as stopped:
                self._end()
                return {"build": (None, f"the builder stopped: {stopped}"), "deploy": None}

    def close(self) -> None:
        """Ends the builder between requests: its stdin closed, it exits (or is ended)."""
        with self._lock:
            process = self._process
            if process is None:
                return
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._end()
                return
            self._process = None
            if process.stdout is not None:
                process.stdout.close()

    def _running(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is not None:
            self._end()  # it ended between requests: its pipes closed, a new one started
        if self._process is None:
            command = [sys.executable, "-m", "blogsmith.service.build_process"]
            command += ["--site", str(self.site_dir)]
            if self.output is not None:
                command += ["--output", str(self.output)]
            self._process = subprocess.Popen(
                command,
                cwd=self.site_dir,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                start_new_session=True,  # its deploy's leftovers end with it
            )
        return self._process

    def _answer(self, process: subprocess.Popen, timeout: float) -> bytes:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        received = b""
        with selectors.DefaultSelector() as waiting:  # poll: any descriptor number
            waiting.register(process.stdout, selectors.EVENT_READ)
            while not received.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not waiting.select(left):
                    raise BuilderStopped(f"no answer after {timeout:g} s; it was ended")
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    raise BuilderStopped(f"it exited with {process.wait()}; see the service's log")
                received += chunk
        return received

    def _end(self) -> None:
        """Its whole session ended (what its deploy left behind too), its pipes closed."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                stream.close()
