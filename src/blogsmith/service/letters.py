"""Each notice of the outbox put into words when it is sent: a mail (headers, a Japanese
subject and body MIME-encoded) or the webhook's JSON.

Links are signed by the service (a confirmation, an unsubscription: whoever holds the link
acts for that address and no other). Every reader's mail carries List-Unsubscribe and
List-Unsubscribe-Post, so a mail program's own button unsubscribes in one click (RFC 8058).
A notice whose subject is gone (a comment withdrawn, taken down) composes to None.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlencode, urlsplit

from blogsmith.core.config import Config
from blogsmith.service.articles import Articles
from blogsmith.service.messages import say
from blogsmith.service.notices import CONFIRMED, Subscribers
from blogsmith.service.outbox import CONFIRM, REPLY, WAITING, WEBHOOK, Notice
from blogsmith.service.secrets import Signer
from blogsmith.service.statuses import APPROVED
from blogsmith.service.store import Store, Stored

LISTED = 20
"""Waiting comments a moderator's notice lists (then "and N more")."""


@dataclass(frozen=True)
class Letters:
    config: Config
    store: Store
    signer: Signer
    articles: Articles

    def compose(self, notice: Notice) -> EmailMessage | dict | None:
        """The mail (or, for the webhook, the JSON) of `notice`; None when there is nothing
        left to say."""
        if notice.kind == CONFIRM:
            return self.confirmation(notice)
        if notice.kind == REPLY:
            return self.reply_notice(notice)
        if notice.kind == WAITING:
            return self.waiting_notice(notice)
        if notice.kind == WEBHOOK:
            _, text = self._waiting_text()
            return {"text": text} if text else None
        return None

    def confirmation(self, notice: Notice) -> EmailMessage:
        email = notice.recipient
        body = self.say("mail_confirm_body", confirm=self.link("subscription", "confirm", email))
        return self.mail(notice, email, self.say("mail_confirm_subject"), body, email)

    def reply_notice(self, notice: Notice) -> EmailMessage | None:
        reply = self.store.get(int(notice.about))
        entry = self.articles.get(reply.article) if reply else None
        if reply is None or entry is None or reply.status != APPROVED:
            return None
        if Subscribers(self.store.database).state(notice.recipient) != CONFIRMED:
            return None  # unsubscribed since
        link = f"{self.config.base_url.rstrip('/')}{entry.url}#comment-{reply.file_id}"
        body = self.say(
            "mail_reply_body",
            author=reply.author,
            title=entry.title,
            quote=shortened(reply.body, 400),
            link=link,
            unsubscribe=self.link("unsubscribe", "unsubscribe", notice.recipient),
        )
        subject = self.say("mail_reply_subject", author=reply.author)
        return self.mail(notice, notice.recipient, subject, body, notice.recipient)

    def waiting_notice(self, notice: Notice) -> EmailMessage | None:
        name = notice.recipient.removeprefix("moderator:")
        address = self.store.moderator_email(name)
        count, text = self._waiting_text()
        if address is None or not text:
            return None
        subject = self.say("mail_waiting_subject", count=count)
        return self.mail(notice, address, subject, text, None)

    def test_mail(self, to: str) -> EmailMessage:
        server = urlsplit(self.config.comments.mail.smtp).hostname or ""
        probe = Notice(0, "test", to, "", 0.0, 0)
        body = self.say("mail_test_body", server=server)
        return self.mail(probe, to, self.say("mail_test_subject"), body, None)

    def _waiting_text(self) -> tuple[int, str]:
        """How many comments wait, and the notice listing them ("" when none does)."""
        waiting = self.store.waiting()
        if not waiting:
            return 0, ""
        lines = [self._waiting_line(comment) for comment in waiting[:LISTED]]
        if len(waiting) > LISTED:
            lines.append(self.say("mail_waiting_more", count=len(waiting) - LISTED))
        moderate = self.config.comments.url + "moderate"
        text = self.say(
            "mail_waiting_body", count=len(waiting), listing="\n".join(lines), moderate=moderate
        )
        return len(waiting), text

    def _waiting_line(self, comment: Stored) -> str:
        entry = self.articles.get(comment.article)
        when = datetime.fromtimestamp(comment.posted, self.config.zone).strftime("%Y-%m-%d %H:%M")
        return self.say(
            "mail_waiting_item",
            author=comment.author,
            title=entry.title if entry else comment.article,
            when=when,
            quote=shortened(comment.body, 60),
        )

    def link(self, path: str, purpose: str, email: str) -> str:
        token = self.signer.sign(purpose, email)
        return f"{self.config.comments.url}{path}?{urlencode({'token': token})}"

    def message_key(self, notice: Notice) -> str:
        """The same for every try of a notice (a receiver drops a repeat), and never the
        same for two databases' notices of one number."""
        signed = self.signer.sign("message", notice.kind, str(notice.row))
        return f"{notice.kind}.{notice.row}.{hashlib.sha256(signed.encode()).hexdigest()[:16]}"

    def say(self, key: str, **values: object) -> str:
        return say(self.config.language, key, site=self.config.title, **values)

    def mail(
        self, notice: Notice, to: str, subject: str, body: str, unsubscribing: str | None
    ) -> EmailMessage:
        message = EmailMessage()
        host = urlsplit(self.config.comments.url).hostname or "localhost"
        message["From"] = self.config.comments.mail.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(self.config.zone))
        message["Message-ID"] = f"<{self.message_key(notice)}@{host}>"
        message["Auto-Submitted"] = "auto-generated"
        if unsubscribing:
            message["List-Unsubscribe"] = (
                f"<{self.link('unsubscribe', 'unsubscribe', unsubscribing)}>"
            )
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(body, charset="utf-8", cte="base64")
        return message


def shortened(text: str, limit: int) -> str:
    """A comment's text on one line, cut at `limit` characters."""
    said = " ".join(text.split())
    return said if len(said) <= limit else said[:limit] + "…"
