"""Sends what the outbox holds: a thread of the comment service that, every few seconds,
queues the moderators' batched notices, then claims what is due and sends it, mail over one
SMTP connection a round, webhook posts one by one.

A server that cannot be reached (down, wrong password, no STARTTLS when it is required) puts
everything claimed back untried and is tried again after a wait that doubles to half a minute;
a message the server refuses waits longer each time (outbox.wait_after). Every instance may
run one: claims are conditional, so none sends a notice another sent.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import threading
import time
import urllib.request
from urllib.parse import unquote, urlsplit

from blogsmith.core.config import Config
from blogsmith.service.letters import Letters
from blogsmith.service.notices import batch_waiting
from blogsmith.service.outbox import CONFIRM, REPLY, WAITING, WEBHOOK, Outbox

log = logging.getLogger("blogsmith.mail")
MAIL_KINDS = (CONFIRM, REPLY, WAITING)
ROUND = 50
"""Notices claimed at a time."""
TICK = 2.0
"""Seconds between rounds when nothing is due."""
LONGEST_PAUSE = 30.0
SMTP_SECONDS = 30
PRUNE_EVERY = 3600.0


class Unreachable(Exception):
    """The mail server could not be reached or would not let us send (its words)."""


class Postman:
    def __init__(self, config: Config, outbox: Outbox, letters: Letters, tick: float = TICK):
        self.config = config
        self.outbox = outbox
        self.letters = letters
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pause = 0.0
        self._pruned = 0.0

    @property
    def wanted(self) -> bool:
        return bool(self.config.comments.sends_mail or self.config.comments.webhook)

    def start(self) -> None:
        if self.wanted and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="postman", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=SMTP_SECONDS + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.round()
            except Exception:  # a database hiccup: logged, and the next round tries again
                log.exception("sending notices failed")
                busy = False
            self._stop.wait(self._pause or (0 if busy else self.tick))

    def round(self) -> bool:
        """One round: batches queued, due notices sent; True when more may be due."""
        if time.monotonic() - self._pruned > PRUNE_EVERY or not self._pruned:
            self.outbox.prune()
            self._pruned = time.monotonic()
        batch_waiting(
            self.outbox.database,
            self.batch_recipients(),
            60.0 * self.config.comments.mail.batch_minutes,
        )
        busy = False
        if self.config.comments.sends_mail:
            busy |= self._send_mail(self.outbox.claim(ROUND, MAIL_KINDS))
        if self.config.comments.webhook:
            busy |= self._post_webhook(self.outbox.claim(ROUND, (WEBHOOK,)))
        return busy

    def batch_recipients(self) -> list[str]:
        names = self.letters.store.mailed_moderators() if self.config.comments.sends_mail else []
        return [f"moderator:{name}" for name in names] + (
            ["webhook"] if self.config.comments.webhook else []
        )

    def _send_mail(self, notices) -> bool:
        if not notices:
            return False
        try:
            with connect(self.config) as smtp:

                def send(message) -> None:
                    try:
                        smtp.send_message(message)
                    except smtplib.SMTPServerDisconnected as exc:  # not the message's fault
                        raise Unreachable(str(exc)) from None

                self._deliver(notices, send, (smtplib.SMTPException, ValueError))
        except Unreachable as exc:
            self._pause = min(max(self._pause * 2, 2.0), LONGEST_PAUSE)
            log.warning("mail server unreachable (%s); again in %.0f s", exc, self._pause)
            self.outbox.put_back(notices, 0.0)  # those not sent; each one sent is settled
            return False
        self._pause = 0.0
        return len(notices) == ROUND

    def _post_webhook(self, notices) -> bool:
        def send(payload) -> None:
            post_json(self.config.comments.webhook, payload)

        self._deliver(notices, send, (OSError, ValueError))
        return len(notices) == ROUND

    def _deliver(self, notices, send, refusals: tuple[type[Exception], ...]) -> None:
        """Each notice composed and sent, then settled: sent, skipped (nothing left to say)
        or failed (to be tried again later)."""
        for notice in notices:
            composed = self.letters.compose(notice)
            if composed is None:
                self.outbox.skip(notice, "nothing to say any more")
                continue
            try:
                send(composed)
            except refusals as exc:
                self.outbox.failed(notice, _words(exc))
                log.warning("%s to %s refused: %s", notice.kind, notice.recipient, _words(exc))
                continue
            self.outbox.sent(notice)


class connect:
    """An SMTP session as `comments.mail` asks for it, logged in; Unreachable when it cannot
    be had. Used as `with connect(config) as smtp:`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> smtplib.SMTP:
        parts = urlsplit(self.config.comments.mail.smtp)
        tls = self.config.comments.mail.tls
        host = parts.hostname or ""
        context = ssl.create_default_context()
        try:
            if tls == "tls":
                self.smtp = smtplib.SMTP_SSL(
                    host, parts.port or 465, timeout=SMTP_SECONDS, context=context
                )
            else:
                self.smtp = smtplib.SMTP(host, parts.port or 587, timeout=SMTP_SECONDS)
                if tls == "starttls":
                    self.smtp.starttls(context=context)  # refused: never sent in clear
            if parts.username:
                password = unquote(parts.password or "") or os.environ.get(
                    "BLOGSMITH_SMTP_PASSWORD", ""
                )
                self.smtp.login(unquote(parts.username), password)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Unreachable(f"{host}: {_words(exc)}") from None
        return self.smtp

    def __exit__(self, *exc_info) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None


def post_json(url: str, payload: dict) -> None:
    """POSTs `payload`; OSError (urllib's HTTPError is one) unless it answers 2xx."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read(4096)


def _words(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{who}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for who, (code, text) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        said = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {said}"
    return str(exc) or type(exc).__name__
