"""A reader's form, checked: every field's rule, and the spam defences (a honeypot, a signed
timestamp token, links, sizes, a rate per address, Akismet when a key is set).

Each refusal is a `Refused` with the HTTP status and a message the reader can act on (said
in the site's language: service/messages.py).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from blogsmith.content.comment_text import clean, link_count, safe_url
from blogsmith.service.messages import Said
from blogsmith.service.secrets import Signer, new_token

MIN_SECONDS = 3
"""A person takes longer than this between opening the form and sending it."""
MAX_AGE = 6 * 3600
"""A form older than this is sent again from a fresh one (the confirmation page)."""
HONEYPOT = "homepage"
"""A field people never see (hidden by the stylesheet) and robots fill in."""
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Refused(Said):
    """A request refused: its HTTP status and a message of service/messages.py."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key, **values)
        self.status = status


@dataclass(frozen=True)
class Submission:
    article: str
    parent: str | None
    author: str
    email: str
    url: str
    body: str
    nonce: str
    notify: bool = False
    """The reader asked to hear of replies by mail (their email given)."""


@dataclass(frozen=True)
class Limits:
    max_length: int
    max_links: int
    per_hour: int


def form_token(signer: Signer, article: str, issued: float | None = None) -> str:
    """What the form carries: the article, when it was issued, and a nonce (a form is
    accepted once: sending it twice gives the same comment, not two)."""
    moment = issued if issued is not None else time.time()
    return signer.sign(article, str(int(moment)), new_token())


def read_form(form, signer: Signer, limits: Limits, known_article) -> Submission:
    """The submission, or Refused. `known_article(key) -> set of comment ids | None`."""
    article = _field(form, "article", 300)
    ids = known_article(article) if article else None
    if ids is None:
        raise Refused(404, "article_unknown")
    if form.get(HONEYPOT):
        raise Refused(400, "honeypot_filled")
    token = form.get("token", "")
    parts = signer.unsign(token, 3) if isinstance(token, str) else None
    if parts is None or parts[0] != article:
        raise Refused(400, "form_expired")
    age = time.time() - int(parts[1]) if parts[1].isdigit() else -1
    if age < MIN_SECONDS:
        raise Refused(429, "too_fast", seconds=MIN_SECONDS)
    if age > MAX_AGE:
        raise Refused(400, "form_too_old")
    parent = _field(form, "parent", 100) or None
    if parent is not None and parent not in ids:
        raise Refused(400, "parent_unknown")
    author = _field(form, "author", 80)
    if not author:
        raise Refused(400, "name_missing")
    email = _field(form, "email", 254)
    if email and not is_email(email):
        raise Refused(400, "email_invalid")
    url = _field(form, "url", 300)
    if url and safe_url(url) is None:
        raise Refused(400, "url_invalid")
    body = checked_body(form.get("body", ""), limits)
    notify = form.get("notify", "") in ("1", "on", "yes", "true")
    if notify and not email:
        raise Refused(400, "notify_needs_email")
    return Submission(article, parent, author, email, url, body, parts[2], notify)


def is_email(text: str) -> bool:
    return _EMAIL.fullmatch(text) is not None


def checked_body(text: object, limits: Limits) -> str:
    """A comment's text as kept, or Refused: not empty, not too long, not too many links."""
    body = clean(str(text)).strip()
    if not body:
        raise Refused(400, "body_empty")
    if len(body) > limits.max_length:
        raise Refused(413, "body_too_long", length=len(body), limit=limits.max_length)
    links = link_count(body)
    if links > limits.max_links:
        raise Refused(400, "too_many_links", links=links, limit=limits.max_links)
    return body


def _field(form, name: str, limit: int) -> str:
    value = form.get(name, "")
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > limit:
        raise Refused(413, "field_too_long", field=name, limit=limit)
    if _CONTROL.search(value):
        raise Refused(400, "field_control", field=name)
    return value


def akismet_says_spam(submission: Submission, address: str, agent: str, page: str, site: str):
    """True or False from Akismet when AKISMET_KEY is set; None when it is not, or Akismet
    cannot be reached (the comment then waits for a moderator, never lost)."""
    key = os.environ.get("AKISMET_KEY")
    if not key:
        return None
    data = urllib.parse.urlencode(
        {
            "blog": site,
            "user_ip": address,
            "user_agent": agent,
            "permalink": page,
            "comment_type": "reply" if submission.parent else "comment",
            "comment_author": submission.author,
            "comment_author_email": submission.email,
            "comment_author_url": submission.url,
            "comment_content": submission.body,
        }
    ).encode()
    endpoint = os.environ.get("AKISMET_ENDPOINT") or (
        f"https://{urllib.parse.quote(key)}.rest.akismet.com/1.1/comment-check"
    )  # another address: an Akismet-compatible service (or a test's)
    try:
        with urllib.request.urlopen(endpoint, data, 5) as answer:
            return json.loads(answer.read() or b"null") is True
    except (OSError, ValueError):
        return None
