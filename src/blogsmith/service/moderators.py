"""The routes a moderator uses: logging in and out, the list of waiting comments, decisions.

Passwords are scrypt hashes; five failures in a quarter of an hour lock the name (from any
address) and the address out. Each login takes its attempt before its password is checked,
counted and recorded in one turn, and gives it back when it succeeds: simultaneous guesses
check five passwords at most. Sessions are random tokens kept as digests in HttpOnly,
SameSite=Strict cookies (Secure behind https); every form carries the session's CSRF token, and
the login form a signed one.
"""

from __future__ import annotations

import hmac
import time
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, request

from blogsmith.service.messages import STATUS_WORDS, Said
from blogsmith.service.moderation import DECISIONS, ModerationRefused, decide, text_digest
from blogsmith.service.moderation_desk import ACTIONS, SHOWN, Filter, listing
from blogsmith.service.moderator_edits import EditRefused, edit
from blogsmith.service.secrets import check_password, new_token
from blogsmith.service.takedowns import TakedownRefused, take_down, target
from blogsmith.service.web import Web, current

SESSION_COOKIE = "blogsmith_moderator"
LOGIN_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
MOST_AT_ONCE = 200
"""Comments one decision of the page's ticks may take."""


routes = Blueprint("moderators", __name__)


def moderator(web: Web) -> tuple[str, str] | None:
    service = web.service
    token = request.cookies.get(SESSION_COOKIE, "")
    return service.store.session(token) if token else None


def attempts(web: Web, name: str) -> list[tuple[str, str]]:
    """What a login counts against: the address, and the name from any address."""
    return [("login", web.address()), ("login:" + name, "")]


def take_attempt(web: Web, name: str) -> float | None:
    """The attempt recorded as a failure before the password is checked; None when the
    name or the address is locked out."""
    service = web.service
    return service.store.take_turn(attempts(web, name), LOGIN_FAILURES, LOCKOUT_SECONDS)


def forget_attempts(web: Web, name: str, attempt: float) -> None:
    """A moderator who logs in is no guesser: this attempt, and the address's failures."""
    service = web.service
    service.store.give_turn_back(attempts(web, name), attempt)
    service.store.forget_events("login", web.address())


@routes.get("/moderate")
def moderate():
    web = current()
    service = web.service
    session = moderator(web)
    if session is None:
        return web.page("login.html", csrf=_login_csrf(web), error="")
    chosen = Filter.of(request.args)
    done = request.args.get("done", "")
    row = request.args.get("row", "")
    notice = (int(row), done) if done in DECISIONS and row.isdigit() else None
    shown, articles = listing(
        service.store, service.articles, chosen, web.language, service.config.zone
    )
    last = service.publisher.last if service.publisher else None
    return web.page(
        "moderate.html",
        name=session[0],
        csrf=session[1],
        shown=shown,
        chosen=chosen,
        articles=articles,
        lists=SHOWN,
        actions=ACTIONS[chosen.status],
        notice=notice,
        status_words=STATUS_WORDS[web.language],
        text_digest=text_digest,
        last=last,
        base=service.config.base_url.rstrip("/"),
    )


def _login_csrf(web: Web) -> str:
    service = web.service
    return service.signer.sign("login", str(int(time.time())))


@routes.post("/login")
def login():
    web = current()
    service = web.service
    name = request.form.get("name", "")[:100]
    password = request.form.get("password", "")[:1000]
    csrf = service.signer.unsign(request.form.get("csrf", ""), 2)
    if csrf is None or csrf[0] != "login" or time.time() - int(csrf[1]) > 3600:
        return web.page("login.html", 400, csrf=_login_csrf(web), error=web.say("login_expired"))
    attempt = take_attempt(web, name)
    if attempt is None:
        wait = web.say("login_locked", minutes=LOCKOUT_SECONDS // 60)
        return web.page("login.html", 429, csrf=_login_csrf(web), error=wait)
    if not check_password(password, service.store.password_of(name)):
        return web.page("login.html", 401, csrf=_login_csrf(web), error=web.say("login_wrong"))
    forget_attempts(web, name, attempt)
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


def checked_session(web: Web) -> tuple[str, str]:
    session = moderator(web)
    if session is None:
        abort(403, Said("log_in_first"))
    sent = request.form.get("csrf", "")
    if not hmac.compare_digest(sent.encode(), session[1].encode()):
        abort(403, Said("session_mismatch"))
    return session


@routes.post("/logout")
def logout():
    web = current()
    service = web.service
    checked_session(web)
    service.store.close_session(request.cookies.get(SESSION_COOKIE, ""))
    response = redirect("moderate", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@routes.post("/moderate/<int:row>/<action>")
def decide_one(row: int, action: str):
    web = current()
    service = web.service
    checked_session(web)
    if action not in DECISIONS:
        abort(404)
    seen = request.form.get("seen", "")
    try:
        decide(service.store, service.site_dir, service.config, row, action, seen)
    except ModerationRefused as refused:
        return web.refuse(refused, 409)
    if action == "approve" and service.publisher:
        service.publisher.request()
    back = request.form.get("back", "")  # the list the moderator was reading
    said = {"status": back if back in SHOWN else "pending", "done": action, "row": row}
    return redirect("../../moderate?" + urlencode(said), 303)


@routes.post("/moderate/several")
def decide_several():
    """One decision for the comments ticked on the page; what could not be done is said,
    the rest is done (each decision conditional, as one by one)."""
    web = current()
    service = web.service
    checked_session(web)
    action = request.form.get("action", "")
    if action not in DECISIONS:
        abort(404)
    rows = [int(row) for row in request.form.getlist("rows")[:MOST_AT_ONCE] if row.isdigit()]
    refusals = []
    for row in rows:
        seen = request.form.get(f"seen-{row}", "")
        try:
            decide(service.store, service.site_dir, service.config, row, action, seen)
        except ModerationRefused as refused:
            refusals.append(refused.words(web.language))
    if action == "approve" and service.publisher and len(refusals) < len(rows):
        service.publisher.request()
    done = web.say("several_done", count=len(rows) - len(refusals), action=web.strings[action])
    return web.page("done.html", message=done, refusals=refusals)


@routes.post("/moderate/<int:row>/block")
def block_reader(row: int):
    """The reader of a waiting comment blocked: it and what they send later are spam."""
    web = current()
    service = web.service
    checked_session(web)
    if not service.store.block(row):
        abort(404)
    return redirect("../../moderate", 303)


@routes.post("/remove")
def remove_published():
    """A published comment taken down by its link; the site is published again."""
    web = current()
    service = web.service
    checked_session(web)
    link = str(request.form.get("link", ""))[:2000]
    try:
        done = take_down(
            service.store,
            service.site_dir,
            service.config,
            service.articles.by_path(),
            link,
        )
    except TakedownRefused as refused:
        return web.refuse(refused, 409)
    if service.publisher:
        service.publisher.request()
    return web.page("done.html", message=done.said().words(web.language), refusals=[])


@routes.get("/edit")
def edit_form():
    """The text to edit: a waiting comment's (?row=N) or a published one's, named by its
    link (?link=…), from its file."""
    web = current()
    service = web.service
    session = moderator(web)
    if session is None:
        return redirect("moderate", 303)
    row, link = request.args.get("row", ""), str(request.args.get("link", ""))[:2000]
    if row.isdigit():
        stored = service.store.get(int(row))
        if stored is None:
            abort(404)
        which, body, author = row, stored.body, stored.author
    else:
        try:
            key, comment = target(link, service.articles.by_path(), service.config.base_url)
        except TakedownRefused as refused:
            return web.refuse(refused, 404)
        entry = service.articles.comment(key, comment)
        if entry is None or entry.get("removed"):
            return web.refuse(Said("link_unknown_comment", link=link), 404)
        which, body, author = link, str(entry.get("body", "")), str(entry.get("author", ""))
    return web.page(
        "edit.html",
        csrf=session[1],
        which=which,
        body=body,
        seen=text_digest(body),
        about=f"{'#' + which if which.isdigit() else which} · {author}",
    )


@routes.post("/edit")
def save_edit():
    web = current()
    service = web.service
    name, _ = checked_session(web)
    try:
        done = edit(
            service.store,
            service.site_dir,
            service.config,
            service.articles.by_path(),
            str(request.form.get("which", ""))[:2000],
            str(request.form.get("body", "")),
            name,
            str(request.form.get("seen", "")),
        )
    except EditRefused as refused:
        return web.refuse(refused, 409)
    if done.published and service.publisher:
        service.publisher.request()
    return web.page("done.html", message=done.said.words(web.language), refusals=[])


@routes.post("/publish")
def publish_now():
    web = current()
    service = web.service
    checked_session(web)
    if service.publisher:
        service.publisher.request()
    return redirect("moderate", 303)
