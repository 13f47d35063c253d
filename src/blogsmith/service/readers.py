"""The routes readers use: a fresh form, posting a comment (in place, or through a page to
check it and send it), the page after posting, votes and their counts.

The static page's form has no token (a page cannot hold a fresh one): posted without one, it
comes back filled in with a signed token, and that page posts it. Accepted comments wait for a
moderator unless the reader was approved before under the same name and email
(`auto_approve`). After posting, a reader is sent only to the service's own pages and the
site's article URLs.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, abort, jsonify, make_response, redirect, request

from blogsmith.service.moderation import ModerationRefused, decide
from blogsmith.service.own_comments import own_rows, remember_mine
from blogsmith.service.secrets import new_token
from blogsmith.service.store import APPROVED, PENDING, SPAM, Stored
from blogsmith.service.submissions import (
    HONEYPOT,
    MIN_SECONDS,
    Refused,
    akismet_says_spam,
    form_token,
    read_form,
)
from blogsmith.service.web import Web, current

VOTER_COOKIE = "blogsmith_voter"
TOKENS_PER_HOUR = 600
"""Fresh forms one address may ask for in an hour."""


routes = Blueprint("readers", __name__)


@routes.get("/token")
def token():
    web = current()
    service = web.service
    key = request.args.get("article", "")
    if service.articles.get(key) is None:  # asked by the page's script: JSON always
        return web.cross_origin(jsonify(error=web.say("article_unknown"))), 404
    if service.store.take_turn([("token", web.address())], TOKENS_PER_HOUR, 3600) is None:
        return web.cross_origin(jsonify(error=web.say("too_many_forms"))), 429
    return web.cross_origin(jsonify(token=form_token(service.signer, key), wait=MIN_SECONDS))


@routes.get("/comment")
def comment_form():
    """A fresh form for an article (the reply links of pages without scripts)."""
    web = current()
    service = web.service
    key = request.args.get("article", "")
    entry = service.articles.get(key)
    if entry is None:
        abort(404)
    parent = request.args.get("parent", "")
    answered = service.articles.answered(key, parent)  # named, never by its id
    return web.page(
        "form.html",
        entry=entry,
        page_url=service.page_url(key),
        values={"parent": parent if answered else ""},
        answered=answered,
        token=form_token(service.signer, key),
        honeypot=HONEYPOT,
        error="",
    )


@routes.post("/comment")
def post_comment():
    web = current()
    service = web.service
    form = request.form
    key = form.get("article", "")
    if not isinstance(key, str) or service.articles.get(key) is None:
        return web.refuse(Refused(404, "article_unknown"))
    try:
        if service.store.count_events("comment", web.address(), 3600) >= service.limits.per_hour:
            raise Refused(429, "too_many_comments")  # before Akismet is asked
        submission = read_form(form, service.signer, service.limits, service.articles.comment_ids)
        if not service.config.comments.sends_mail:  # no box on the form; nothing to send
            submission = replace(submission, notify=False)
        stored = keep(web, submission)
    except Refused as refused:
        if refused.status in (400, 429) and not web.wants_json() and not form.get(HONEYPOT):
            return confirm(web, key, form, refused)
        return web.refuse(refused)
    if stored.status == PENDING and trusted(web, submission):
        stored = approve_at_once(web, stored)
    shown = "approved" if stored.status == APPROVED else "pending"
    if web.wants_json():
        response = web.cross_origin(jsonify(status=shown, id=stored.row))
    else:
        said = {"article": key, "status": shown, "row": stored.row}
        response = redirect(f"thanks?{urlencode(said)}", 303)
    return remember_mine(web, response, stored.row)


def keep(web: Web, submission) -> Stored:
    """Stored as pending, or as spam when it holds a blocked word, its reader was blocked
    or Akismet says so (the reader is told it waits, as always); refused when the address
    sent its hour's comments (counted again as it is stored: simultaneous posts wait their
    turn)."""
    service = web.service
    spam = (
        service.word_lists.blocked_in(submission) is not None
        or service.store.is_blocked(submission.email, web.address())
    ) or akismet_says_spam(
        submission,
        request.remote_addr or "",
        request.user_agent.string,
        service.page_url(submission.article),
        service.config.base_url,
    )
    stored = service.store.accept(
        submission, web.address(), SPAM if spam else PENDING, service.limits.per_hour
    )
    if stored is None:
        raise Refused(429, "too_many_comments")
    return stored


def trusted(web: Web, submission) -> bool:
    """Approved at once only when asked, only for the name and email of a comment a
    moderator approved, and never with a held word in it."""
    service = web.service
    return (
        service.config.comments.auto_approve
        and service.word_lists.held_in(submission) is None
        and service.store.approved_before(submission.email, submission.author)
    )


def approve_at_once(web: Web, stored: Stored) -> Stored:
    service = web.service
    try:
        approved = decide(service.store, service.site_dir, service.config, stored.row, "approve")
    except ModerationRefused:
        return stored  # it waits for a moderator instead
    if service.publisher:
        service.publisher.request()
    return approved


def confirm(web: Web, key: str, form, refused: Refused):
    """The form again, filled in, with a fresh token: how a page without scripts posts."""
    service = web.service
    entry = service.articles.get(key)
    names = ("parent", "author", "email", "url", "body", "notify")
    values = {name: form.get(name, "") for name in names}
    first_time = not form.get("token")
    answered = service.articles.answered(key, values["parent"])  # None: "parent_unknown"
    return web.page(
        "form.html",
        200 if first_time else refused.status,
        entry=entry,
        page_url=service.page_url(key),
        values=values,
        answered=answered,
        token=form_token(service.signer, key),
        honeypot=HONEYPOT,
        error="" if first_time else refused.words(web.language),
    )


@routes.get("/thanks")
def thanks():
    web = current()
    service = web.service
    key = request.args.get("article", "")
    if service.articles.get(key) is None:
        abort(404)
    approved = request.args.get("status") == "approved"
    row = request.args.get("row", "")
    mine = row if not approved and row in own_rows(web) else ""
    return web.page("thanks.html", page_url=service.page_url(key), approved=approved, mine=mine)


@routes.route("/comment", methods=["OPTIONS"])
@routes.route("/vote", methods=["OPTIONS"])
def preflight():
    web = current()
    response = web.cross_origin(make_response("", 204))
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


@routes.post("/vote")
def vote():
    web = current()
    service = web.service
    key = request.form.get("article", "")
    comment = request.form.get("comment", "")
    if not isinstance(key, str) or service.articles.get(key) is None:
        return web.refuse(Refused(404, "article_unknown"))
    baseline = service.articles.votes_in_file(key, comment)
    if baseline is None:
        return web.refuse(Refused(404, "vote_unknown"))
    voter = service.signer.unsign(request.cookies.get(VOTER_COOKIE, ""), 1)
    voter_id = voter[0] if voter else new_token()
    counted = service.store.vote(key, comment, voter_id, web.address(), baseline)
    total = service.store.vote_totals(key).get((key, comment), baseline)
    if web.wants_json():
        response = web.cross_origin(jsonify(votes=total, counted=counted))
    else:
        # back at the comment, whose "counted" line the page shows when it is the target
        response = redirect(f"{service.page_url(key)}#voted-{comment}", 303)
    if not voter:
        web.reader_cookie(response, VOTER_COOKIE, service.signer.sign(voter_id), 10 * 365 * 86400)
    return response


@routes.get("/votes")
def votes():
    web = current()
    service = web.service
    key = request.args.get("article", "")
    if service.articles.get(key) is None:  # asked by the page's script: JSON always
        return web.cross_origin(jsonify(error=web.say("article_unknown"))), 404
    totals = {c: n for (_, c), n in service.store.vote_totals(key).items()}
    return web.cross_origin(jsonify(votes=totals))  # never cached: a reader's own vote shows
