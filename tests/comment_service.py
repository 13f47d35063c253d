"""A real `blogsmith comments serve` in a subprocess, for tests, and a reader's HTTP client."""

from __future__ import annotations

import contextlib
import functools
import http.client
import http.cookies
import http.server
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

POSTGRES = os.environ.get("BLOGSMITH_TEST_POSTGRES")
"""A PostgreSQL URL the tests may use (`.ci/run` starts Debian's server and sets it)."""


def empty_postgres() -> str:
    """The test PostgreSQL's URL, its service tables dropped (a fresh database each test)."""
    import pytest

    from blogsmith.service.database import TABLES

    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("CI must start PostgreSQL and set BLOGSMITH_TEST_POSTGRES")
        pytest.skip("no PostgreSQL here (set BLOGSMITH_TEST_POSTGRES)")
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        for table in TABLES:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
    return POSTGRES


SECRET = "test-secret-known-to-the-tests"
"""The tests sign forms as the service would for a reader who opened them a while ago."""


class CommentService:
    def __init__(self, site: Path, *args: str, env: dict | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "blogsmith", "comments", "serve", "--site", str(site),
             "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "BLOGSMITH_COMMENTS_SECRET": SECRET, **(env or {})},
        )  # fmt: skip
        self.output: list[str] = []
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            found = re.search(r"comment service on http://([^:/]+):(\d+)/", line)
            if found:
                self.host, self.port = found.group(1), int(found.group(2))
                self.url = f"http://{self.host}:{self.port}/"
                return
        raise AssertionError("the service did not start:\n" + "".join(self.output))

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return "".join(self.output)


class Reader:
    """One browser: its cookies, its address (as the loopback proxy forwards it)."""

    def __init__(self, service: CommentService, address: str | None = None):
        self.service = service
        self.cookies: dict[str, str] = {}
        self.address = address

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict | None = None,
        body: bytes | None = None,
    ) -> tuple[int, dict[str, str], str, list[str]]:
        """(status, headers, body text, Set-Cookie lines)."""
        connection = http.client.HTTPConnection(self.service.host, self.service.port, timeout=30)
        sent = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.address:
            sent["X-Forwarded-For"] = self.address
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        set_cookies = response.headers.get_all("Set-Cookie") or []
        for line in set_cookies:
            cookie = http.cookies.SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        status = response.status
        found = {k.lower(): v for k, v in response.getheaders()}
        connection.close()
        return status, found, text, set_cookies

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw):
        return self.request("POST", path, form=form, **kw)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_static(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A plain static server of `folder` on loopback (a host serving the built site)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    static = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    return static


@contextlib.contextmanager
def live_comment_site(make_site, files: dict, comments_config: str = "", env: dict | None = None):
    """A site built with `files` and served as a host would (a plain static server), and the
    comment service its pages post to, with the moderator `editor`; `comments_config` adds
    lines under `comments:`. Yields (site, the site's URL, service)."""
    from conftest import DEFAULT_CONFIG, run_cli

    site_port, service_port = free_port(), free_port()
    config = DEFAULT_CONFIG.replace(
        "base_url: https://news.example.org/", f"base_url: http://127.0.0.1:{site_port}/"
    ).replace(
        "related_count: 6\n",
        f"related_count: 6\ncomments:\n  url: http://127.0.0.1:{service_port}/\n" + comments_config,
    )
    site = make_site(files, config=config)
    assert run_cli("build", "--site", site).returncode == 0
    static = serve_static(site / "public", site_port)
    made = run_cli("comments", "moderator", "editor", "--site", site, input="a long passphrase\n")
    assert made.returncode == 0, made.stderr
    service = CommentService(site, "--port", str(service_port), env=env)
    try:
        yield site, f"http://127.0.0.1:{site_port}/", service
    finally:
        service.stop()
        static.shutdown()


def signed_token(article: str, seconds_ago: float) -> str:
    """A form token as the service signs it, issued `seconds_ago`."""
    from blogsmith.service.secrets import Signer, signing_key
    from blogsmith.service.submissions import form_token

    class _NoDatabase:
        pass

    os.environ["BLOGSMITH_COMMENTS_SECRET"] = SECRET
    try:
        signer = Signer(signing_key(_NoDatabase()))  # the secret comes from the environment
    finally:
        del os.environ["BLOGSMITH_COMMENTS_SECRET"]
    return form_token(signer, article, time.time() - seconds_ago)


def at_once(calls: list) -> list:
    """What each call returned, the calls run by threads of their own (each request on its own
    connection) released together by a barrier: real parallel clients."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = calls[n]()
        except Exception as exc:  # a dropped connection is an answer too
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
