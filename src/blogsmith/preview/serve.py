"""`blogsmith serve`: build, serve, watch, rebuild, and tell the open tabs."""

from __future__ import annotations

import errno
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from blogsmith.build import BuildResult, build
from blogsmith.cache.build_cache import BuildCache
from blogsmith.core.config import load_config
from blogsmith.core.errors import WARNINGS_PER_KIND, BuildError, ErrorBag, warning_lines
from blogsmith.core.signals import stop_on_interrupt_or_term
from blogsmith.graph.content_graph import BuildOptions
from blogsmith.output.publisher import Publisher
from blogsmith.output.writer import NotOwned, owned_files
from blogsmith.preview.live import LiveSite
from blogsmith.preview.patch import patch
from blogsmith.preview.server import LOOPBACK, LiveState, PreviewServer
from blogsmith.preview.watch import SiteWatcher

PORT_TRIES = 20


class Preview:
    """One serving session: its output folder and its publisher, the cache, the last
    committed build (what an edit is patched into), the tabs' state, server and watcher."""

    def __init__(
        self,
        site_dir: Path,
        options: BuildOptions,
        output: Path | None,
        out: TextIO = sys.stdout,
        err: TextIO = sys.stderr,
    ):
        self.site_dir = site_dir.resolve()
        self.options = options
        self.own_output = output is None
        self.output = (output or Path(tempfile.mkdtemp(prefix="blogsmith-serve-"))).resolve()
        self.out, self.err = out, err
        self.cache = BuildCache()
        self.publisher = Publisher(self.output)
        self.live: LiveSite | None = None
        self.state = LiveState()
        self.server: PreviewServer | None = None
        self.watcher: SiteWatcher | None = None
        self.serving = False

    def rebuild(self, changed: set[str] | None = None) -> BuildResult | None:
        started = time.perf_counter()
        if changed:
            self._say(f"changed: {', '.join(sorted(changed))}")
        try:
            result = self._patch(changed) if changed else None
            if result is None:
                self.live = None  # only a committed build can be patched
                result = build(
                    self.site_dir,
                    self.output,
                    self.options,
                    cache=self.cache,
                    publisher=self.publisher,
                )
                self.live = LiveSite.of(self.site_dir, self.output, result)
        except BuildError as exc:
            messages = [str(error) for error in exc.errors]
            for message in messages:
                print(message, file=self.err)
            print(
                f"{len(messages)} error{'s' if len(messages) != 1 else ''}; the preview "
                "shows them over the last good pages until they are fixed",
                file=self.err,
            )
            self.state.failed(messages)
            return None
        except Exception as exc:  # reported to the browser too, then the watching goes on
            self.state.failed([f"internal error while building: {type(exc).__name__}: {exc}"])
            raise
        for line in warning_lines(result.warnings, WARNINGS_PER_KIND):
            print(line, file=self.err)
        if self.server is not None:
            self.server.base_path = self._base_path()
        self.state.published(result.changed)
        seconds = time.perf_counter() - started
        self._say(
            f"built in {seconds:.2f} s: {result.rendered} of {result.pages} pages "
            f"rendered, {result.written} files written, {result.removed} removed"
        )
        return result

    def _patch(self, changed: set[str]) -> BuildResult | None:
        if self.live is None:
            return None
        patched = patch(self.live, self.cache, changed, self.publisher)
        if patched is None:
            return None
        result, self.live = patched
        return result

    def start(self, host: str, port: int) -> str:
        self.rebuild()
        self.server = _bind(host, port, self.publisher, self._base_path(), self.state, self.err)
        bound_host, bound_port = self.server.server_address[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        url = f"http://{shown}:{bound_port}{self._base_path()}"
        if host not in LOOPBACK:
            print(
                f"warning: serving on {host}: anyone who can reach this machine can read "
                "the preview, drafts included",
                file=self.err,
            )
        self.watcher = SiteWatcher(self.site_dir, [self.output], self.rebuild)
        self.watcher.start()
        self._say(
            f"serving {url}  (watching content/, templates/, static/ and blogsmith.yaml;"
            " Ctrl-C stops)"
        )
        return url

    def run(self) -> None:
        assert self.server is not None
        self.serving = True
        self.server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self.watcher:
            self.watcher.stop()
        if self.server:
            if self.serving:  # shutdown() waits for serve_forever, which may never have run
                self.server.shutdown()
            self.server.server_close()
        if self.own_output:
            shutil.rmtree(self.output, ignore_errors=True)

    def _base_path(self) -> str:
        config = load_config(self.site_dir, ErrorBag())
        return config.base_path if config else "/"

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _bind(
    host: str,
    port: int,
    publisher: Publisher,
    base_path: str,
    state: LiveState,
    err: TextIO,
) -> PreviewServer:
    """A server on `port`, or on the next free one (said on stderr)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type("Server", (PreviewServer,), {"address_family": family})
    for candidate in range(port, port + PORT_TRIES):
        try:
            server = server_class((host, candidate), publisher, base_path, state)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        if candidate != port:
            print(f"port {port} is in use; serving on port {candidate} instead", file=err)
        return server
    raise OSError(
        errno.EADDRINUSE,
        f"ports {port} to {port + PORT_TRIES - 1} are all in use; choose another with --port",
    )


def serve(
    site_dir: Path, host: str, port: int, options: BuildOptions, output: Path | None = None
) -> int:
    """Run until Ctrl-C (or SIGTERM), then stop cleanly: no traceback, exit status 0."""
    stop_on_interrupt_or_term()
    if output is not None:
        try:
            owned_files(output.resolve())
        except NotOwned as refused:  # it would also serve what is there
            print(
                f"blogsmith serve: {output}: cannot be the output folder: it {refused}",
                file=sys.stderr,
            )
            return 1
    preview = Preview(site_dir, options, output)
    try:
        preview.start(host, port)
        preview.run()
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"blogsmith serve: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:  # whatever ends it, its temporary output goes with it
        preview.stop()
    print("stopped", flush=True)
    return 0
