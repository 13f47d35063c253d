"""The links of the service's mail: confirming reply notices, unsubscribing, subscribing
again. Each is a signed token naming what it does and the address; opening one shows a
button (a mail scanner that follows links changes nothing), and the button, or a mail
program's one-click POST (List-Unsubscribe-Post), does it."""

from __future__ import annotations

from flask import Blueprint, request

from blogsmith.service.notices import ASKED, CONFIRMED, UNSUBSCRIBED, Subscribers
from blogsmith.service.submissions import Refused
from blogsmith.service.web import Web, current

routes = Blueprint("subscriptions", __name__)


def address(web: Web, purpose: str) -> str | None:
    """The address a link of the service's mail was signed for, `purpose` its kind."""
    token = request.values.get("token", "")
    parts = web.service.signer.unsign(token, 2) if isinstance(token, str) else None
    return parts[1] if parts and parts[0] == purpose else None


def subscribers(web: Web) -> Subscribers:
    return Subscribers(web.service.store.database)


def question(purpose: str, key: str, button: str):
    web = current()
    email = address(web, purpose)
    if email is None:
        return web.refuse(Refused(400, "subscription_invalid"))
    return web.page(
        "subscription.html",
        message=web.say(key, email=email),
        token=request.values.get("token", ""),
        action=request.path.lstrip("/"),
        button=web.say(button),
    )


@routes.get("/subscription")
def confirm_question():
    return question("confirm", "confirm_question", "confirm_button")


@routes.post("/subscription")
def confirm():
    web = current()
    email = address(web, "confirm")
    if email is None:
        return web.refuse(Refused(400, "subscription_invalid"))
    subscribers(web).change(email, (ASKED,), CONFIRMED)
    said = "confirm_too_late" if subscribers(web).state(email) == UNSUBSCRIBED else "confirmed"
    return web.page("subscription.html", message=web.say(said, email=email))


@routes.get("/unsubscribe")
def unsubscribe_question():
    return question("unsubscribe", "unsubscribe_question", "unsubscribe_button")


@routes.post("/unsubscribe")
def unsubscribe():
    """The page's button, or a mail program's one-click POST (its body names nothing but
    List-Unsubscribe=One-Click; the token is in the URL)."""
    web = current()
    email = address(web, "unsubscribe")
    if email is None:
        return web.refuse(Refused(400, "subscription_invalid"))
    subscribers(web).unsubscribe(email)
    return web.page(
        "subscription.html",
        message=web.say("unsubscribed", email=email),
        token=web.service.signer.sign("again", email),
        action="subscription/again",
        button=web.say("subscribe_again_button"),
    )


@routes.post("/subscription/again")
def subscribe_again():
    """Undoes an unsubscription from the page that confirmed it: the address's owner
    confirmed it once already (an unsubscribe link reached only that inbox)."""
    web = current()
    email = address(web, "again")
    if email is None:
        return web.refuse(Refused(400, "subscription_invalid"))
    subscribers(web).change(email, (UNSUBSCRIBED,), CONFIRMED)
    return web.page("subscription.html", message=web.say("confirmed", email=email))
