"""A reader's address from X-Forwarded-For only when the request comes from a trusted reverse
proxy (by default the loopback one); anyone else sending that header would choose the
address that rate limits, votes and lock-outs count."""

from __future__ import annotations

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix


def behind(app, trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network]):
    wsgi = app.wsgi_app
    fixed = ProxyFix(wsgi, x_for=1, x_proto=1, x_host=1, x_prefix=1)

    def choose(environ, start_response):
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            peer = None
        if peer is not None and any(peer in network for network in trusted):
            return fixed(environ, start_response)
        for header in (
            "HTTP_X_FORWARDED_FOR",
            "HTTP_X_FORWARDED_PROTO",
            "HTTP_X_FORWARDED_HOST",
            "HTTP_X_FORWARDED_PREFIX",
        ):
            environ.pop(header, None)
        return wsgi(environ, start_response)

    app.wsgi_app = choose
    return app
