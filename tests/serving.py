"""A real `blogsmith serve` in a subprocess, for tests: start, talk HTTP and SSE, stop."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


class ServeProcess:
    def __init__(
        self, site: Path, *args: str, command: list[str] | None = None, cwd: Path | None = None
    ):
        """`command` runs as given in `cwd` (the README's own words); otherwise serve `site`
        on a free port."""
        self.process = subprocess.Popen(
            command
            or [
                sys.executable,
                "-u",
                "-m",
                "blogsmith",
                "serve",
                "--site",
                str(site),
                *(() if "--port" in args else ("--port", "0")),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        threading.Thread(
            target=self._pump, args=(self.process.stdout, self.stdout), daemon=True
        ).start()
        threading.Thread(
            target=self._pump, args=(self.process.stderr, self.stderr), daemon=True
        ).start()
        line = self.wait_for_line(r"^serving (http://\S+)")
        self.url = re.match(r"^serving (http://\S+)", line).group(1)
        match = re.match(r"http://([^:/]+):(\d+)", self.url)
        self.host, self.port = match.group(1), int(match.group(2))

    def _pump(self, stream, sink: list[str]) -> None:
        for line in stream:
            sink.append(line)
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if re.search(pattern, line):
                return line
        raise AssertionError(
            f"no line matching {pattern!r}; output so far:\n" + "".join(self.stdout + self.stderr)
        )

    def get(self, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
        """`path` is sent exactly as given, so tests can send what a browser would not."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def events(self, since: int = 0) -> EventStream:
        return EventStream(self.host, self.port, since)

    def stop(self) -> tuple[int, str, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        time.sleep(0.1)
        return code, "".join(self.stdout), "".join(self.stderr)


class EventStream:
    """The server-sent events a tab receives, as parsed 'state' messages."""

    def __init__(self, host: str, port: int, since: int):
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.connection.request("GET", f"/__blogsmith/events?since={since}")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type").startswith("text/event-stream")
        self.messages: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        data = []
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and data:
                    self.messages.put(json.loads("\n".join(data)))
                    data = []
        except (OSError, ValueError):
            return

    def next(self, timeout: float = 15, where=lambda message: True) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no matching event in time")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                raise AssertionError("no matching event in time") from None
            if where(message):
                return message

    def close(self) -> None:
        self.connection.close()
