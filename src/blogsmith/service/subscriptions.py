"""The links of the service's mail: confirming reply notices, unsubscribing, subscribing
again. Each is a signed token naming what it does and the address; opening one shows a
button (a mail scanner that follows links changes nothing), and the button, or a mail
program's one-click POST (List-Unsubscribe-Post), does it."""

from __future__ import annotations

from flask import Flask, request

from blogsmith.service.notices import ASKED, CONFIRMED, UNSUBSCRIBED, Subscribers
from blogsmith.service.submissions import Refused
from blogsmith.service.web import Web


def add_subscription_routes(app: Flask, web: Web) -> None:
    subscribers = Subscribers(web.service.store.database)
    signer = web.service.signer

    def address(purpose: str) -> str | None:
        token = request.values.get("token", "")
        parts = signer.unsign(token, 2) if isinstance(token, str) else None
        return parts[1] if parts and parts[0] == purpose else None

    def question(purpose: str, key: str, button: str):
        email = address(purpose)
        if email is None:
            return web.refuse(Refused(400, "subscription_invalid"))
        return web.page(
            "subscription.html",
            message=web.say(key, email=email),
            token=request.values.get("token", ""),
            action=request.path.lstrip("/"),
            button=web.say(button),
        )

    @app.get("/subscription")
    def confirm_question():
        return question("confirm", "confirm_question", "confirm_button")

    @app.post("/subscription")
    def confirm():
        email = address("confirm")
        if email is None:
            return web.refuse(Refused(400, "subscription_invalid"))
        subscribers.change(email, (ASKED,), CONFIRMED)
        said = "confirm_too_late" if subscribers.state(email) == UNSUBSCRIBED else "confirmed"
        return web.page("subscription.html", message=web.say(said, email=email))

    @app.get("/unsubscribe")
    def unsubscribe_question():
        return question("unsubscribe", "unsubscribe_question", "unsubscribe_button")

    @app.post("/unsubscribe")
    def unsubscribe():
        """The page's button, or a mail program's one-click POST (its body names nothing
        but List-Unsubscribe=One-Click; the token is in the URL)."""
        email = address("unsubscribe")
        if email is None:
            return web.refuse(Refused(400, "subscription_invalid"))
        subscribers.unsubscribe(email)
        return web.page(
            "subscription.html",
            message=web.say("unsubscribed", email=email),
            token=signer.sign("again", email),
            action="subscription/again",
            button=web.say("subscribe_again_button"),
        )

    @app.post("/subscription/again")
    def subscribe_again():
        """Undoes an unsubscription from the page that confirmed it: the address's owner
        confirmed it once already (an unsubscribe link reached only that inbox)."""
        email = address("again")
        if email is None:
            return web.refuse(Refused(400, "subscription_invalid"))
        subscribers.change(email, (UNSUBSCRIBED,), CONFIRMED)
        return web.page("subscription.html", message=web.say("confirmed", email=email))
