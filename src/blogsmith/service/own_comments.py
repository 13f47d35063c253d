"""A reader's own comments while they wait: edited or withdrawn from the browser that sent
them, which a signed cookie names (no account, as Isso and Remark42 do it).

The cookie lists the numbers of the comments that browser sent lately (the newest MINE);
every form carries a token signed for its comment, so a page elsewhere cannot post one. Both
changes are conditional on the comment still waiting: a moderator's decision in between wins,
and the reader is told so. A withdrawn comment is deleted: nothing of it is kept.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from blogsmith.service.messages import Said
from blogsmith.service.statuses import READER_WAITING
from blogsmith.service.store import Stored
from blogsmith.service.submissions import Refused, checked_body
from blogsmith.service.web import Web, current

MINE_COOKIE = "blogsmith_mine"
MINE = 20
"""Comments a browser can still edit or withdraw: its newest ones."""


def remember_mine(web: Web, response: Response, row: int) -> Response:
    """`response` with the cookie naming `row` among the browser's own comments."""
    rows = [str(row), *[r for r in own_rows(web) if r != str(row)]][:MINE]
    web.reader_cookie(response, MINE_COOKIE, web.service.signer.sign(".".join(rows)), 7 * 86400)
    return response


def own_rows(web: Web) -> list[str]:
    signed = web.service.signer.unsign(request.cookies.get(MINE_COOKIE, ""), 1)
    return signed[0].split(".") if signed else []


routes = Blueprint("own_comments", __name__)


def own(web: Web, row: int) -> Stored:
    """The browser's own comment `row`, still waiting; else a refusal."""
    stored = web.service.store.get(row) if str(row) in own_rows(web) else None
    if stored is None:
        abort(403, Said("not_yours"))
    if stored.status not in READER_WAITING:
        abort(409, Said("no_longer_waiting"))
    return stored


def checked_token(web: Web, row: int) -> None:
    token = web.service.signer.unsign(request.form.get("token", ""), 2)
    if token is None or token != ["mine", str(row)]:
        abort(403, Said("form_expired"))


def page_of(web: Web, stored: Stored, body: str, error: str, status: int = 200):
    return web.page(
        "mine.html",
        status,
        stored=stored,
        body=body,
        error=error,
        token=web.service.signer.sign("mine", str(stored.row)),
        page_url=back_to(web, stored),
    )


def back_to(web: Web, stored: Stored) -> str:
    """The article's page, while it is on the site."""
    service = web.service
    return service.page_url(stored.article) if service.articles.get(stored.article) else ""


@routes.get("/mine/<int:row>")
def mine(row: int):
    web = current()
    stored = own(web, row)
    return page_of(web, stored, stored.body, "")


@routes.post("/mine/<int:row>/edit")
def edit_mine(row: int):
    web = current()
    stored = own(web, row)
    checked_token(web, row)
    try:
        body = checked_body(request.form.get("body", ""), web.service.limits)
    except Refused as refused:
        typed = str(request.form.get("body", ""))
        return page_of(web, stored, typed, refused.words(web.language), refused.status)
    if not web.service.store.edit_waiting(row, body):
        abort(409, Said("no_longer_waiting"))
    return web.page("done.html", message=web.say("mine_edited"), page_url=back_to(web, stored))


@routes.post("/mine/<int:row>/withdraw")
def withdraw_mine(row: int):
    web = current()
    stored = own(web, row)
    checked_token(web, row)
    if not web.service.store.withdraw(row):
        abort(409, Said("no_longer_waiting"))
    return web.page("done.html", message=web.say("mine_withdrawn"), page_url=back_to(web, stored))
