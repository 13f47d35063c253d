"""Bounds on what a slow client can hold of the service's connections.

waitress closes a connection only after `channel_timeout` seconds without a byte, so a client
sending one byte every few seconds keeps its connection for ever, and a few hundred such
clients fill the connection limit (slowloris). Here a request must also arrive whole within
REQUEST_SECONDS of its first byte, and an idle connection is closed after IDLE_SECONDS. A
proxy in front (nginx buffers whole requests before passing them on) remains the real defence
of a service on the internet; these limits keep one directly exposed from being held shut.
"""

from __future__ import annotations

import time

REQUEST_SECONDS = 10.0
"""A person's browser sends a comment form (64 KiB at most) in well under this."""
IDLE_SECONDS = 15.0
"""A kept-alive connection with no request in flight is closed after this."""
CHECK_SECONDS = 1.0
"""How often connections are looked at."""


def server_settings() -> dict:
    """waitress settings that go with `bound_slow_clients`."""
    return {"channel_timeout": IDLE_SECONDS, "cleanup_interval": CHECK_SECONDS}


def bound_slow_clients(server) -> None:
    """Makes each listening server of `server` (one, or waitress's MultiSocketServer) close
    connections whose request has been arriving for longer than REQUEST_SECONDS."""
    from waitress.server import BaseWSGIServer

    listeners = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.maintenance = _maintenance(listener, listener.maintenance)


def _maintenance(listener, idle_check):
    started: dict[int, tuple[object, float]] = {}
    """Connection -> (the request it is receiving, when it was first seen receiving it)."""

    def maintenance(now: float) -> None:
        idle_check(now)
        seen = time.monotonic()
        alive = set()
        for channel in list(listener.active_channels.values()):
            partial = channel.request
            if partial is None or channel.requests:
                continue  # nothing arriving, or a request being answered
            alive.add(id(channel))
            request, since = started.get(id(channel), (None, seen))
            if request is not partial:
                started[id(channel)] = (partial, seen)
            elif seen - since > REQUEST_SECONDS:
                channel.will_close = True
        for gone in set(started) - alive:
            del started[gone]

    return maintenance
