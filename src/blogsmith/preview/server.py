"""The live preview's HTTP server: serves the output folder, never anything outside it, and
tells open tabs when a rebuild has finished (server-sent events).

It takes no part in building: it is given the publisher of the folder (whose lock keeps
readers out while files are moved in) and the state to report; the reload script is added
to pages as they are served, so built files never contain it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from blogsmith.core.media_types import HTML, content_type
from blogsmith.output.publisher import Publisher

LIVE_PREFIX = "/__blogsmith/"
EVENTS = LIVE_PREFIX + "events"
SCRIPT = LIVE_PREFIX + "live.js"
LIVE_JS = (Path(__file__).parent / "live.js").read_bytes()
KEEPALIVE_SECONDS = 15.0


class LiveState:
    """The last finished build as tabs see it: its number, its errors, what each build changed."""

    HISTORY = 200

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.build = 0
        self.errors: list[str] = []
        self.event = 0
        self._changes: OrderedDict[int, list[str]] = OrderedDict()

    def published(self, changed: list[str]) -> None:
        with self._cond:
            self.build += 1
            self.errors = []
            self._changes[self.build] = list(changed)
            while len(self._changes) > self.HISTORY:
                self._changes.popitem(last=False)
            self.event += 1
            self._cond.notify_all()

    def failed(self, errors: list[str]) -> None:
        with self._cond:
            self.errors = list(errors)
            self.event += 1
            self._cond.notify_all()

    def wait(self, seen_event: int, timeout: float) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self.event != seen_event, timeout)
            return self.event

    def message(self, since: int) -> dict:
        """State for a tab whose page came from build `since`; changed None means 'all'."""
        with self._cond:
            if since >= self.build:
                changed: list[str] | None = []
            elif since + 1 in self._changes:
                changed = sorted(
                    {
                        path
                        for number, paths in self._changes.items()
                        if number > since
                        for path in paths
                    }
                )
            else:
                changed = None
            return {"build": self.build, "errors": self.errors, "changed": changed}


LOOPBACK = ("127.0.0.1", "localhost", "::1")
REFUSED_HOST = b"blogsmith serve answers only requests for localhost or 127.0.0.1\n"


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    """A page's burst of requests (CSS, scripts, images, the search index) all wait in the
    queue; the default of 5 made every sixth connection of a burst wait a second."""

    def __init__(self, address, publisher: Publisher, base_path: str, state: LiveState):
        self.root = publisher.output
        self.base_path = base_path
        self.publisher = publisher
        self.state = state
        self.stopping = threading.Event()
        super().__init__(address, Handler)

    def handle_error(self, request, client_address) -> None:
        """A reader who closes the tab mid-answer is not an error; anything else is one
        line, not a traceback per request."""
        problem = sys.exc_info()[1]
        if isinstance(problem, (ConnectionError, TimeoutError)):
            return
        print(
            f"blogsmith serve: a request from {client_address[0]} failed: "
            f"{type(problem).__name__}: {problem}",
            file=sys.stderr,
        )

    def shutdown(self) -> None:
        self.stopping.set()
        with self.state._cond:
            self.state._cond.notify_all()
        super().shutdown()


def resolve(root: Path, base_path: str, raw_path: str) -> tuple[str, Path | str | None]:
    """('file', path), ('redirect', location) or ('missing', None) for a request path.

    Anything that could name a file outside `root` (dot segments, encoded or not, backslashes,
    NUL, symlinks leading out) is 'missing'.
    """
    try:
        path = unquote(urlsplit(raw_path).path, errors="strict")
    except UnicodeDecodeError:
        return "missing", None
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return "missing", None
    if path + "/" == base_path or (path == "/" and base_path != "/"):
        return "redirect", base_path
    if not path.startswith(base_path):
        return "missing", None
    relative = path[len(base_path) :]
    segments = relative.split("/")
    if any(segment in (".", "..") for segment in segments) or relative.startswith("/"):
        return "missing", None
    candidate = root.joinpath(*[s for s in segments if s])
    if relative == "" or relative.endswith("/"):
        candidate = candidate / "index.html"
    real = os.path.realpath(candidate)
    root_real = os.path.realpath(root)
    if real != root_real and not real.startswith(root_real + os.sep):
        return "missing", None
    if os.path.isdir(real):
        return "redirect", raw_path.split("?", 1)[0] + "/"
    if os.path.isfile(real):
        return "file", Path(real)
    return "missing", None


def inject(html: bytes, build: int) -> bytes:
    tag = (f'<script src="{SCRIPT}" data-build="{build}" data-events="{EVENTS}"></script>').encode()
    index = html.rfind(b"</body>")
    if index == -1:
        return html + tag
    return html[:index] + tag + html[index:]


FALLBACK_404 = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>404</title></head>'
    b"<body><h1>404</h1><p>Not found.</p></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "blogsmith"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (library signature)
        return None

    def do_GET(self) -> None:  # noqa: N802 (library API name)
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 (library API name)
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", REFUSED_HOST, head)
            return
        parts = urlsplit(self.path)
        path = parts.path
        # Only the path (and query) of the request is used: an absolute-form request target
        # (GET http://elsewhere/x) never makes a redirect to another host.
        target_path = "/" + path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        if path == EVENTS:
            if head:  # the headers of a stream, without the stream
                self._send(HTTPStatus.OK, "text/event-stream; charset=utf-8", b"", head)
            else:
                self._events()
            return
        if path == SCRIPT:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_JS, head)
            return
        server = self.server
        with server.publisher.reading():
            kind, target = resolve(server.root, server.base_path, target_path)
            data = None
            if kind == "file":
                try:
                    data = target.read_bytes()
                except OSError:
                    kind = "missing"
            if kind == "missing":
                try:
                    data = (server.root / "404.html").read_bytes()
                except OSError:
                    data = FALLBACK_404
        if kind == "redirect":
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", str(target))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        build = server.state.build
        if kind == "missing":
            self._send(HTTPStatus.NOT_FOUND, HTML, inject(data, build), head)
            return
        kind_type = content_type(target.name)
        if kind_type.startswith("text/html"):
            data = inject(data, build)
        self._send(HTTPStatus.OK, kind_type, data, head)

    def _send(self, status: HTTPStatus, ctype: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _host_allowed(self) -> bool:
        """On a loopback address only requests for a loopback name are answered: a web page
        whose name an attacker points at 127.0.0.1 (DNS rebinding) cannot read the preview."""
        bound = self.server.server_address[0]
        if bound not in LOOPBACK:
            return True  # serving beyond this machine was asked for (and warned about)
        host = (self.headers.get("Host") or "").strip().lower()
        name = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
        return name in LOOPBACK

    def _events(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        try:
            since = int(query.get("since", ["0"])[0])
        except ValueError:
            since = 0
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            while not self.server.stopping.is_set():
                event = state.event
                if event != seen:
                    message = state.message(since)
                    payload = json.dumps(message, ensure_ascii=False)
                    self.wfile.write(f"event: state\ndata: {payload}\n\n".encode())
                    self.wfile.flush()
                    since = max(since, message["build"])
                    seen = event
                if state.wait(seen, KEEPALIVE_SECONDS) == seen:
                    self.wfile.write(b": keepalive\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            return
