"""The comment service's builds and deploys, in one process of their own that keeps the last
build, so that an approved comment reaches readers in about a second.

An approval changes one comments file. A new `blogsmith build` process spends seconds on a
large archive remaking the graph and the page keys of every article before it finds that one
page changed; this process keeps what its last build made and patches the changed file in, as
the live preview does (preview.patch), then saves the cache as a build would and deploys. It
notices what a build would: anything beyond content files changed since its own last build (a
template, the config, another process's build) and it builds as `blogsmith build` does.

The service starts it as `python -m blogsmith.service.builder` (see `Builder`): it runs one
thread, so a build may fork its workers, which a process serving requests on threads may not.
It reads one request per line on stdin and answers each with one line of JSON; what else it
prints goes to its stderr, the service's log.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import BinaryIO

from blogsmith.build import BuildError, BuildResult, BuiltSite, build, default_cache_dir
from blogsmith.cache.persist import CacheFolder
from blogsmith.core.build_cache import BuildCache
from blogsmith.deploy.command import DeployRequest, deploy_command
from blogsmith.deploy.run import DeployOptions
from blogsmith.output.publisher import Publisher
from blogsmith.preview.live import LiveSite
from blogsmith.preview.patch import patch

Step = tuple[int | None, str]
"""A step's exit code (None: it did not finish) and what it printed."""


class KeptSite:
    """The builder's state: the last build it committed, and the cache and output folder
    publisher that build used."""

    def __init__(self, site_dir: Path, output: Path | None):
        self.site_dir = site_dir.resolve()
        self.output = (output or self.site_dir / "public").resolve()
        self.folder = CacheFolder(default_cache_dir(self.output))
        self.publisher = Publisher(self.output)
        self.live: LiveSite | None = None
        self.cache: BuildCache | None = None
        self.saved: tuple[int, int, int] | None = None
        """The mark of the manifest this process's last build saved (CacheFolder.manifest_mark)."""
        self.patched = False
        """Whether the last build was a patch of the kept one."""

    def build(self, keep: bool) -> Step:
        """As `blogsmith build`, patched into the kept build when only content changed.
        `keep`: make the graph even when nothing changed, for the builds that follow."""
        if self.folder.manifest_mark() != self.saved:  # another process built since
            self.live = self.cache = None
        self.patched = False
        try:
            result = build(
                self.site_dir,
                self.output,
                cache=self.cache,
                publisher=self.publisher,
                cache_dir=self.folder.folder,
                patch=self._patch if self.live is not None else None,
                keep_site=keep and self.live is None,
            )
        except BuildError as failed:
            self.live = self.cache = None
            errors = [str(error) for error in failed.errors]
            count = len(errors)
            note = f"{count} error{'s' if count != 1 else ''}; the previous output is unchanged"
            return 1, "\n".join([*errors, note])
        except BaseException:
            self.live = self.cache = None  # whatever it left, the next build starts from disk
            raise
        if result.site is not None:
            self.live = LiveSite.of(self.site_dir, self.output, result)
            self.cache = result.site.cache
        self.saved = self.folder.manifest_mark()
        return 0, result.summary(self.output)

    def _patch(self, changed: set[str]) -> BuildResult | None:
        assert self.live is not None and self.cache is not None
        patched = patch(self.live, self.cache, changed, self.publisher)
        if patched is None:
            return None
        result, live = patched
        self.patched = True
        result.site = BuiltSite(
            live.graph,
            live.jobs,
            live.renderer,
            live.version,
            live.images,
            live.static_paths,
            self.cache,
        )
        return result

    def deploy(self) -> Step:
        """As `blogsmith deploy` to the configured target."""
        said = io.StringIO()
        request = DeployRequest(self.site_dir, self.output, None, DeployOptions(), None)
        with redirect_stdout(said), redirect_stderr(said):
            try:
                code = deploy_command(request)
            except BuildError as failed:
                code = 1
                for error in failed.errors:
                    print(error)
        return code, said.getvalue()


def serve_requests(site: KeptSite, requests: BinaryIO, answers: BinaryIO) -> None:
    """Until stdin closes (the service ended): build, then deploy when asked, per request."""
    for line in requests:
        asked = json.loads(line)
        started = time.perf_counter()
        deployed = None
        try:
            built = site.build(bool(asked.get("keep")))
            built_at = time.perf_counter()
            if asked.get("deploy") and built[0] == 0:
                deployed = site.deploy()
        except Exception as failed:  # the service keeps serving; the moderator sees why
            built, built_at = (1, f"internal error while building: {failed!r}"), started
        answer = {
            "build": built,
            "deploy": deployed,
            "patched": site.patched,
            "build_seconds": built_at - started,
            "deploy_seconds": time.perf_counter() - built_at,
        }
        answers.write(json.dumps(answer, ensure_ascii=False).encode() + b"\n")
        answers.flush()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m blogsmith.service.builder")
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    # The requests and answers move to descriptors no child inherits (a deploy's ssh may
    # leave a process behind); the standard ones become /dev/null and the log.
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    quiet = os.open(os.devnull, os.O_RDONLY)
    os.dup2(quiet, 0)
    os.dup2(2, 1)
    serve_requests(KeptSite(args.site, args.output), requests, answers)


class BuilderStopped(Exception):
    pass


class Builder:
    """The service's handle on its builder process: started on the first request, started
    again after it ended, its whole session ended when a request takes longer than allowed."""

    def __init__(self, site_dir: Path, output: Path | None, keep: bool = True):
        self.site_dir, self.output, self.keep = site_dir, output, keep
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def run(self, deploy: bool, timeout: float) -> dict:
        """{"build": Step, "deploy": Step or None}: the builder's build, then its deploy when
        asked and the build succeeded."""
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
        """Ends the builder between requests: its stdin closed, it exits."""
        with self._lock:
            process = self._process
            if process is not None and process.stdin is not None:
                process.stdin.close()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            self._end()

    def _running(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            command = [sys.executable, "-m", "blogsmith.service.builder"]
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
        while not received.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([process.stdout], [], [], left)[0]:
                raise BuilderStopped(f"no answer after {timeout:g} s; it was ended")
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise BuilderStopped(f"it exited with {process.wait()}; see the service's log")
            received += chunk
        return received

    def _end(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)  # what its deploy left behind too
        except ProcessLookupError:
            pass
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                stream.close()


if __name__ == "__main__":
    main()
