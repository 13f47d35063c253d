"""What every route of the comment service shares: who asks (an address, kept only as a keyed
hash) and how to answer (a page in the site's language, or JSON the site's origin may read).
The application itself, its headers and error pages, is service/app.py."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from flask import Response, current_app, jsonify, make_response, render_template, request

from blogsmith.core.config import Config
from blogsmith.core.i18n import STRINGS
from blogsmith.service.articles import Articles
from blogsmith.service.messages import Said, say
from blogsmith.service.moderation import SiteRepublisher
from blogsmith.service.postman import Postman
from blogsmith.service.secrets import Signer
from blogsmith.service.store import Store
from blogsmith.service.submissions import Limits
from blogsmith.service.word_lists import WordLists

MAX_REQUEST_BYTES = 64 * 1024


@dataclass
class Service:
    site_dir: Path
    config: Config
    store: Store
    signer: Signer
    articles: Articles
    publisher: SiteRepublisher | None
    postman: Postman | None = None

    @property
    def site_origin(self) -> str:
        parts = urlsplit(self.config.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def page_url(self, key: str) -> str:
        entry = self.articles.get(key)
        assert entry is not None
        return self.config.base_url.rstrip("/") + entry.url

    @cached_property
    def word_lists(self) -> WordLists:
        return WordLists.of(self.config.comments.blocked_words, self.config.comments.held_words)

    @property
    def limits(self) -> Limits:
        return Limits(
            self.config.comments.max_length,
            self.config.comments.max_links,
            self.config.comments.per_hour,
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
        html = render_template(
            template,
            language=self.language,
            t=self.strings,
            max_length=self.service.config.comments.max_length,
            mail=self.service.config.comments.sends_mail,
            **values,
        )
        return make_response(html, status)

    def cross_origin(self, response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = self.service.site_origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
        return response

    def reader_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        """A reader's cookie: HttpOnly, and sent with the site's own cross-origin requests
        behind https (SameSite=None needs Secure; over plain http, Lax)."""
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=request.is_secure,
            samesite="None" if request.is_secure else "Lax",
        )

    def say(self, key: str, **values: object) -> str:
        return say(self.language, key, **values)

    def refuse(self, said: Said, status: int = 0):
        """A refusal in the site's language, with its status (a Refused carries its own): JSON
        for the page's script, else a page."""
        code = status or getattr(said, "status", 400)
        message = said.words(self.language)
        if self.wants_json():
            return self.cross_origin(jsonify(error=message)), code
        return self.page("message.html", code, code=code, message=message)


def current() -> Web:
    """The Web of the application answering this request (what every route starts from)."""
    return current_app.extensions["blogsmith"]
