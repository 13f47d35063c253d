"""Who is owed a notice, and when: the rules of the service's mail, apart from its sending.

- A reader who ticks 返信をメールで受け取る has their wish kept with the comment. Nothing is
  mailed for it until a moderator approves that comment (a spammer's form mails no one).
- On that approval, an address never asked before gets one request to confirm (a signed
  link); an address asked already, confirmed or unsubscribed gets nothing: an address
  someone else typed receives that one request and never another.
- On the approval of a reply, the author of the comment answered hears of it when they
  wished so and their address is confirmed (never of their own reply).
- Moderators with an address, and the webhook, hear of waiting comments at most once per
  batch interval, each time a comment arrived since their last notice.
"""

from __future__ import annotations

import time

from blogsmith.service.database import Database
from blogsmith.service.outbox import CONFIRM, REPLY, WAITING, WEBHOOK, queue
from blogsmith.service.statuses import APPROVED, PENDING

ASKED, CONFIRMED, UNSUBSCRIBED = "asked confirmed unsubscribed".split()


def wish_replies(run, comment_row: int, email: str) -> None:
    """Kept with a new comment, in the transaction that stores it."""
    run(
        "INSERT INTO reply_wishes (comment, email) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (comment_row, email.strip().lower()),
    )


def on_approval(run, row: int) -> None:
    """Queues what the approval of comment `row` owes, in the transaction that approves it."""
    found = run("SELECT article, parent, email FROM comments WHERE id = ?", (row,))
    if not found:
        return
    article, parent, email = found[0]
    wished = run("SELECT email FROM reply_wishes WHERE comment = ?", (row,))
    if wished:
        address = wished[0][0]
        asked = run(
            "INSERT INTO subscribers (email, state, changed) VALUES (?, ?, ?)"
            " ON CONFLICT (email) DO NOTHING RETURNING email",
            (address, ASKED, time.time()),
        )
        if asked:
            queue(run, CONFIRM, address, address)
    if parent:
        answered = run(
            "SELECT w.email FROM comments c JOIN reply_wishes w ON w.comment = c.id"
            " JOIN subscribers s ON s.email = w.email"
            " WHERE c.article = ? AND c.file_id = ? AND c.status = ? AND s.state = ?",
            (article, parent, APPROVED, CONFIRMED),
        )
        if answered and answered[0][0] != (email or "").strip().lower():
            queue(run, REPLY, answered[0][0], str(row))


def batch_waiting(database: Database, recipients: list[str], every: float) -> int:
    """Queues a notice of waiting comments for each recipient ("moderator:NAME", "webhook")
    whose last was `every` seconds ago or more and who has not heard of the newest waiting
    comment; how many were queued. One turn at a time across instances."""
    if not recipients:
        return 0
    queued = 0
    now = time.time()
    with database.transaction("notice-batches") as run:
        ((newest,),) = run("SELECT MAX(id) FROM comments WHERE status = ?", (PENDING,))
        if newest is None:
            return 0
        for recipient in recipients:
            last = run("SELECT at, upto FROM notice_batches WHERE recipient = ?", (recipient,))
            at, upto = last[0] if last else (0.0, 0)
            if newest <= upto or now - at < every:
                continue
            kind = WEBHOOK if recipient == "webhook" else WAITING
            queued += queue(run, kind, recipient, str(newest))
            run(
                "INSERT INTO notice_batches (recipient, at, upto) VALUES (?, ?, ?)"
                " ON CONFLICT (recipient) DO UPDATE SET at = excluded.at, upto = excluded.upto",
                (recipient, now, newest),
            )
    return queued


class Subscribers:
    """Readers' addresses and what they said to reply notices."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def state(self, email: str) -> str | None:
        with self.database.transaction() as run:
            found = run("SELECT state FROM subscribers WHERE email = ?", (email,))
        return found[0][0] if found else None

    def change(self, email: str, was: tuple[str, ...], state: str) -> bool:
        """The address moved to `state` if it is in one of `was` (a link used twice, or after
        an unsubscription, changes nothing)."""
        marks = ", ".join("?" for _ in was)
        with self.database.transaction() as run:
            changed = run(
                "UPDATE subscribers SET state = ?, changed = ?"
                f" WHERE email = ? AND state IN ({marks}) RETURNING email",
                (state, time.time(), email, *was),
            )
        return bool(changed)

    def unsubscribe(self, email: str) -> None:
        """No more mail to the address, from any state (even one never asked)."""
        with self.database.transaction() as run:
            run(
                "INSERT INTO subscribers (email, state, changed) VALUES (?, ?, ?)"
                " ON CONFLICT (email) DO UPDATE SET state = excluded.state,"
                " changed = excluded.changed",
                (email, UNSUBSCRIBED, time.time()),
            )
