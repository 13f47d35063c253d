"""The comment service as a WSGI application (Flask): readers post comments and votes, a
moderator logs in and decides. It faces the internet, so every route checks what it is sent.

- Posting: the static page's form (no token: a page cannot hold a fresh one) gets a page to
  check the comment and send it, with a signed token; a script fetches the token first and
  posts in place. Accepted comments wait for a moderator unless the reader was approved before
  (`auto_approve`).
- Redirects go only to the site's own article URLs; JSON answers name the site as the only
  origin allowed to read them.
- Moderation: scrypt passwords, a lock-out after repeated failures, server-side sessions in
  HttpOnly SameSite=Strict cookies (Secure behind https), a CSRF token on every form.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, jsonify, make_response, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from blogsmith.core.config import Config
from blogsmith.core.i18n import STRINGS
from blogsmith.service.articles import Articles
from blogsmith.service.moderation import DECISIONS, ModerationRefused, Publisher, decide
from blogsmith.service.secrets import Signer, check_password, new_token
from blogsmith.service.store import APPROVED, PENDING, SPAM, Store
from blogsmith.service.submissions import (
    HONEYPOT,
    MIN_SECONDS,
    Limits,
    Refused,
    akismet_says_spam,
    form_token,
    read_form,
)

SESSION_COOKIE = "blogsmith_moderator"
VOTER_COOKIE = "blogsmith_voter"
LOGIN_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
MAX_REQUEST_BYTES = 64 * 1024
TOKENS_PER_HOUR = 600
"""Fresh forms one address may ask for in an hour."""


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


def make_app(service: Service) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.jinja_env.globals["site_title"] = service.config.title
    language = service.config.language

    def address() -> str:
        return service.signer.address(request.remote_addr or "")

    def wants_json() -> bool:
        return request.accept_mimetypes.best == "application/json"

    strings = STRINGS[language]

    def page(template: str, status: int = 200, **values) -> Response:
        html = render_template(template, language=language, t=strings, **values)
        return make_response(html, status)

    def cross_origin(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = service.site_origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
        return response

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
        if wants_json():
            return cross_origin(jsonify(error=message)), error.code
        return page("message.html", error.code or 500, title=str(error.code), message=message)

    @app.errorhandler(Exception)
    def failure(error: Exception):
        """Never a traceback to a reader: the log has it; a form sent again is stored once."""
        app.logger.exception("request failed: %s %s", request.method, request.path)
        message = "the comment service failed for a moment; send it again"
        if wants_json():
            return cross_origin(jsonify(error=message)), 503
        return page("message.html", 503, title="503", message=message)

    @app.get("/health")
    def health():
        return "ok\n"

    @app.get("/token")
    def token():
        key = request.args.get("article", "")
        if service.articles.get(key) is None:
            return cross_origin(jsonify(error="unknown article")), 404
        if service.store.count_events("token", address(), 3600) >= TOKENS_PER_HOUR:
            return cross_origin(jsonify(error="too many forms; wait an hour")), 429
        service.store.record_event("token", address())
        return cross_origin(jsonify(token=form_token(service.signer, key), wait=MIN_SECONDS))

    @app.get("/comment")
    def comment_form():
        """A fresh form for an article (the reply links of pages without scripts)."""
        key = request.args.get("article", "")
        entry = service.articles.get(key)
        if entry is None:
            abort(404)
        parent = request.args.get("parent", "")
        ids = service.articles.comment_ids(key) or set()
        return page(
            "form.html",
            entry=entry,
            page_url=service.page_url(key),
            values={"parent": parent if parent in ids else ""},
            token=form_token(service.signer, key),
            honeypot=HONEYPOT,
            error="",
        )

    @app.post("/comment")
    def post_comment():
        form = request.form
        key = form.get("article", "")
        if not isinstance(key, str) or service.articles.get(key) is None:
            return refuse(Refused(404, "this article is not on the site: reload its page"))
        try:
            if service.store.count_events("comment", address(), 3600) >= service.limits.per_hour:
                raise Refused(429, "too many comments from your address; wait an hour")
            submission = read_form(
                form, service.signer, service.limits, service.articles.comment_ids
            )
        except Refused as refused:
            if refused.status in (400, 429) and not wants_json() and not form.get(HONEYPOT):
                return confirm(key, form, refused)
            return refuse(refused)
        status = PENDING
        spam = akismet_says_spam(
            submission,
            request.remote_addr or "",
            request.user_agent.string,
            service.page_url(key),
            service.config.base_url,
        )
        if spam:
            status = SPAM
        elif service.config.comments_auto_approve and service.store.approved_before(
            submission.email, submission.author, address()
        ):
            status = "auto"
        kept_as = PENDING if status == "auto" else status
        stored, _ = service.store.accept(submission, address(), kept_as)
        shown = "pending"
        if status == "auto":
            try:
                decide(service.store, service.site_dir, service.config, stored.row, "approve")
                shown = "approved"
                if service.publisher:
                    service.publisher.request()
            except ModerationRefused:
                pass  # it waits for a moderator instead
        elif stored.status == APPROVED:
            shown = "approved"
        if wants_json():
            return cross_origin(jsonify(status=shown, id=stored.row))
        return redirect(f"thanks?{urlencode({'article': key, 'status': shown})}", 303)

    def confirm(key: str, form, refused: Refused):
        """The form again, filled in, with a fresh token: how a page without scripts posts."""
        entry = service.articles.get(key)
        values = {name: form.get(name, "") for name in ("parent", "author", "email", "url", "body")}
        first_time = not form.get("token")
        return page(
            "form.html",
            200 if first_time else refused.status,
            entry=entry,
            page_url=service.page_url(key),
            values=values,
            token=form_token(service.signer, key),
            honeypot=HONEYPOT,
            error="" if first_time else refused.message,
        )

    def refuse(refused: Refused):
        if wants_json():
            return cross_origin(jsonify(error=refused.message)), refused.status
        return page(
            "message.html", refused.status, title=str(refused.status), message=refused.message
        )

    @app.get("/thanks")
    def thanks():
        key = request.args.get("article", "")
        if service.articles.get(key) is None:
            abort(404)
        approved = request.args.get("status") == "approved"
        return page("thanks.html", page_url=service.page_url(key), approved=approved)

    @app.route("/comment", methods=["OPTIONS"])
    @app.route("/vote", methods=["OPTIONS"])
    def preflight():
        response = cross_origin(make_response("", 204))
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        return response

    @app.post("/vote")
    def vote():
        key = request.form.get("article", "")
        comment = request.form.get("comment", "")
        if not isinstance(key, str) or service.articles.get(key) is None:
            return refuse(Refused(404, "this article is not on the site"))
        baseline = service.articles.votes_in_file(key, comment)
        if baseline is None:
            return refuse(Refused(404, f"comment {comment} is not on this article"))
        voter = service.signer.unsign(request.cookies.get(VOTER_COOKIE, ""), 1)
        voter_id = voter[0] if voter else new_token()
        counted = service.store.vote(key, comment, voter_id, address(), baseline)
        total = service.store.vote_totals(key).get((key, comment), baseline)
        if wants_json():
            response = cross_origin(jsonify(votes=total, counted=counted))
        else:
            response = redirect(f"{service.page_url(key)}#comment-{comment}", 303)
        if not voter:
            response.set_cookie(
                VOTER_COOKIE,
                service.signer.sign(voter_id),
                max_age=10 * 365 * 86400,
                httponly=True,
                secure=request.is_secure,
                samesite="None" if request.is_secure else "Lax",
            )
        return response

    @app.get("/votes")
    def votes():
        key = request.args.get("article", "")
        if service.articles.get(key) is None:
            return cross_origin(jsonify(error="unknown article")), 404
        totals = {c: n for (_, c), n in service.store.vote_totals(key).items()}
        return cross_origin(jsonify(votes=totals))  # never cached: a reader's own vote shows

    def moderator() -> tuple[str, str] | None:
        token = request.cookies.get(SESSION_COOKIE, "")
        return service.store.session(token) if token else None

    def locked_out(name: str) -> bool:
        return (
            service.store.count_events("login", address(), LOCKOUT_SECONDS) >= LOGIN_FAILURES
            or service.store.count_events("login:" + name[:100], "", LOCKOUT_SECONDS)
            >= LOGIN_FAILURES
        )

    @app.get("/moderate")
    def moderate():
        session = moderator()
        if session is None:
            return page("login.html", csrf=_login_csrf(), error="")
        waiting = service.store.waiting()
        shown = [(c, service.articles.get(c.article)) for c in waiting]
        last = service.publisher.last if service.publisher else None
        return page(
            "moderate.html",
            name=session[0],
            csrf=session[1],
            waiting=shown,
            last=last,
            base=service.config.base_url.rstrip("/"),
        )

    def _login_csrf() -> str:
        return service.signer.sign("login", str(int(time.time())))

    @app.post("/login")
    def login():
        name = request.form.get("name", "")[:100]
        password = request.form.get("password", "")[:1000]
        csrf = service.signer.unsign(request.form.get("csrf", ""), 2)
        if csrf is None or csrf[0] != "login" or time.time() - int(csrf[1]) > 3600:
            return page(
                "login.html", 400, csrf=_login_csrf(), error="the form expired; log in again"
            )
        if locked_out(name):
            wait = f"too many failed logins; wait {LOCKOUT_SECONDS // 60} minutes"
            return page("login.html", 429, csrf=_login_csrf(), error=wait)
        if not check_password(password, service.store.password_of(name)):
            service.store.record_event("login", address())
            service.store.record_event("login:" + name, "")
            return page("login.html", 401, csrf=_login_csrf(), error="wrong name or password")
        service.store.forget_events("login", address())
        token, session_csrf = new_token(), new_token()
        service.store.open_session(token, name, session_csrf)
        response = redirect("moderate", 303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            secure=request.is_secure,
            samesite="Strict",
            max_age=8 * 3600,
        )
        return response

    def checked_session() -> tuple[str, str]:
        session = moderator()
        if session is None:
            abort(403, "log in first")
        sent = request.form.get("csrf", "")
        if not hmac.compare_digest(sent.encode(), session[1].encode()):
            abort(403, "the form is not from this session; reload the moderation page")
        return session

    @app.post("/logout")
    def logout():
        checked_session()
        service.store.close_session(request.cookies.get(SESSION_COOKIE, ""))
        response = redirect("moderate", 303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.post("/moderate/<int:row>/<action>")
    def decide_one(row: int, action: str):
        checked_session()
        if action not in DECISIONS:
            abort(404)
        try:
            decide(service.store, service.site_dir, service.config, row, action)
        except ModerationRefused as refused:
            return page("message.html", 409, title="409", message=str(refused))
        if action == "approve" and service.publisher:
            service.publisher.request()
        return redirect("../../moderate", 303)

    @app.post("/publish")
    def publish_now():
        checked_session()
        if service.publisher:
            service.publisher.request()
        return redirect("moderate", 303)

    return app
