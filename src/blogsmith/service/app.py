"""The comment service's web application: its routes, one blueprint per module (readers',
moderators', a reader's own comments, the mail's links), and what every answer carries (the
headers of an application that faces the internet, error pages in the site's language)."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from blogsmith.service import moderators, own_comments, readers, subscriptions
from blogsmith.service.messages import Said
from blogsmith.service.submissions import Refused
from blogsmith.service.web import MAX_REQUEST_BYTES, Service, Web


def make_app(service: Service) -> Flask:
    app = Flask(__name__)  # its templates: service/templates
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.jinja_env.globals["site_title"] = service.config.title
    app.jinja_env.globals["site_url"] = service.config.base_url
    web = Web(service)
    app.extensions["blogsmith"] = web  # service.web.current() gives it to the routes

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'self' 'unsafe-inline' {service.site_origin}; "
            "form-action 'self' "
            f"{service.site_origin}; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error.description, Said):  # abort(403, Said(...)) of the routes
            said = error.description
        else:
            said = {
                413: Said("request_too_large", kib=MAX_REQUEST_BYTES // 1024),
                404: Said("not_found"),
                405: Said("wrong_method"),
            }.get(error.code or 500, Said("refused"))
        return web.refuse(said, error.code or 500)

    @app.errorhandler(Exception)
    def failure(error: Exception):
        """Never a traceback to a reader: the log has it; a form sent again is stored once."""
        app.logger.exception("request failed: %s %s", request.method, request.path)
        return web.refuse(Refused(503, "service_failed"))

    @app.get("/health")
    def health():
        return "ok\n"

    for routes in (readers, moderators, own_comments, subscriptions):
        app.register_blueprint(routes.routes)
    return app
