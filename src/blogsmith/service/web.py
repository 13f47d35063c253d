"""What every route of the comment service shares: who asks (an address, kept only as a keyed
hash), how to answer (a page in the site's language, or JSON the site's origin may read), and
the headers and error pages of an application that faces the internet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from blogsmith.core.config import Config
from blogsmith.core.i18n import STRINGS
from blogsmith.service.articles import Articles
from blogsmith.service.moderation import Publisher
from blogsmith.service.secrets import Signer
from blogsmith.service.store import Store
from blogsmith.service.submissions import Limits, Refused

MAX_REQUEST_BYTES = 64 * 1024


@dataclass
class Service:
    site_dir: Path
    config: Config
    store: Store
    signer: Signer
    articles: Articles
    publisher: Publisher | None

    @property
    def site_origin(self) -> str:
        parts = urlsplit(self.config.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def page_url(self, key: str) -> str:
        entry = self.articles.get(key)
        assert entry is not None
        return self.config.base_url.rstrip("/") + entry.url

    @property
    def limits(self) -> Limits:
        return Limits(
            self.config.comments_max_length,
            self.config.comments_max_links,
            self.config.comments_per_hour,
        )


class Web:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.language = service.config.language
        self.strings = STRINGS[self.language]

    def address(self) -> str:
        return self.service.signer.address(request.remote_addr or "")

    def wants_json(self) -> bool:
        return request.accept_mimetypes.best == "application/json"

    def page(self, template: str, status: int = 200, **values) -> Response:
        html = render_template(template, language=self.language, t=self.strings, **values)
        return make_response(html, status)

    def cross_origin(self, response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = self.service.site_origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
        return response

    def refuse(self, refused: Refused):
        if self.wants_json():
            return self.cross_origin(jsonify(error=refused.message)), refused.status
        return self.page(
            "message.html", refused.status, title=str(refused.status), message=refused.message
        )


def make_app(service: Service) -> Flask:
    from blogsmith.service.moderators import add_moderator_routes
    from blogsmith.service.readers import add_reader_routes

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.jinja_env.globals["site_title"] = service.config.title
    web = Web(service)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self' "
            f"{service.site_origin}; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = {
            413: f"the request is larger than {MAX_REQUEST_BYTES // 1024} KiB",
            404: "there is nothing here",
            405: "this address does not take that method",
        }.get(error.code or 500, error.description or "refused")
        if web.wants_json():
            return web.cross_origin(jsonify(error=message)), error.code
        return web.page("message.html", error.code or 500, title=str(error.code), message=message)

    @app.errorhandler(Exception)
    def failure(error: Exception):
        """Never a traceback to a reader: the log has it; a form sent again is stored once."""
        app.logger.exception("request failed: %s %s", request.method, request.path)
        message = "the comment service failed for a moment; send it again"
        if web.wants_json():
            return web.cross_origin(jsonify(error=message)), 503
        return web.page("message.html", 503, title="503", message=message)

    @app.get("/health")
    def health():
        return "ok\n"

    add_reader_routes(app, web)
    add_moderator_routes(app, web)
    return app
