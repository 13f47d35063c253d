"""The notices the service owes, kept in the database until they are out: mail to readers and
moderators, posts to a webhook.

A notice is queued in the same transaction as what causes it (an approval, a confirmation
asked for), so a crash never loses one, and by a key (kind, recipient, what it is about) so
nothing is queued twice. It is composed only when it is sent. A sender claims a notice by a
conditional update of its due time (two instances never both take it), and marks it sent at
once; a failure puts it back with a longer wait each time. A down mail server therefore
loses nothing and never slows a reader's post: posting only ever adds a row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from blogsmith.service.database import Database

QUEUED, SENT, DROPPED = "queued sent dropped".split()
CONFIRM, REPLY, WAITING, WEBHOOK = "confirm reply waiting webhook".split()
"""A subscription to confirm (about the address), a reply to a reader's comment (about the
reply's row), comments waiting for a moderator (about the newest row then waiting), and
the same for the webhook."""
LEASE = 300.0
"""A claimed notice is the claimer's for this long: a sender that dies while sending leaves
it to be sent again after it."""
FIRST_WAIT, LONGEST_WAIT = 10.0, 3600.0
MAX_TRIES = 20
"""A notice refused this many times (a mailbox that does not exist) is dropped: after about
13 hours of waits doubling from 10 seconds to an hour."""
KEPT = 30 * 24 * 3600.0
"""Sent and dropped notices (their recipients' addresses with them) are erased after this."""


@dataclass(frozen=True)
class Notice:
    row: int
    kind: str
    recipient: str
    about: str
    due: float
    tries: int


def queue(run, kind: str, recipient: str, about: str, delay: float = 0.0) -> bool:
    """Queues a notice inside the caller's transaction; False when it was queued before."""
    added = run(
        "INSERT INTO outbox (kind, recipient, about, due, tries, state, failure)"
        " VALUES (?, ?, ?, ?, 0, ?, '') ON CONFLICT (kind, recipient, about) DO NOTHING"
        " RETURNING id",
        (kind, recipient, about, time.time() + delay, QUEUED),
    )
    return bool(added)


def wait_after(tries: int) -> float:
    """Seconds before the next try of a notice that failed `tries` times."""
    return min(FIRST_WAIT * 2 ** max(tries - 1, 0), LONGEST_WAIT)


class Outbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    def claim(self, limit: int, kinds: tuple[str, ...]) -> list[Notice]:
        """Up to `limit` notices of `kinds` that are due, each now this sender's for LEASE
        seconds (taken from whoever else looked at the same moment by its due time)."""
        marks = ", ".join("?" for _ in kinds)
        now = time.time()
        with self.database.transaction() as run:
            due = run(
                "SELECT id, kind, recipient, about, due, tries FROM outbox"
                f" WHERE state = ? AND due <= ? AND kind IN ({marks}) ORDER BY due, id LIMIT ?",
                (QUEUED, now, *kinds, limit),
            )
        claimed = []
        for row, kind, recipient, about, was_due, tries in due:
            with self.database.transaction() as run:
                taken = run(
                    "UPDATE outbox SET due = ? WHERE id = ? AND state = ? AND due = ? RETURNING id",
                    (now + LEASE, row, QUEUED, was_due),
                )
            if taken:
                claimed.append(Notice(row, kind, recipient, about, now + LEASE, int(tries)))
        return claimed

    def sent(self, notice: Notice) -> None:
        self._settle(notice, "state = ?, failure = ''", (SENT,))

    def skip(self, notice: Notice, reason: str) -> None:
        """Nothing to send after all (the comments waited for were decided meanwhile)."""
        self._settle(notice, "state = ?, failure = ?", (SENT, reason))

    def failed(self, notice: Notice, reason: str) -> None:
        """Tried and refused: again after a longer wait, or dropped after MAX_TRIES."""
        tries = notice.tries + 1
        state = DROPPED if tries >= MAX_TRIES else QUEUED
        self._settle(
            notice,
            "state = ?, tries = ?, due = ?, failure = ?",
            (state, tries, time.time() + wait_after(tries), reason[:500]),
        )

    def put_back(self, notices: list[Notice], delay: float) -> None:
        """Claimed but not tried (the server could not be reached): due again after
        `delay`, without counting a try against them."""
        for notice in notices:
            self._settle(notice, "due = ?", (time.time() + delay,))

    def prune(self) -> int:
        """Erases what was sent or dropped more than KEPT ago; how many notices went. (Their
        keys are not needed to stop repeats: the subscribers table and the batches keep
        that.)"""
        with self.database.transaction() as run:
            gone = run(
                "DELETE FROM outbox WHERE state <> ? AND due < ? RETURNING id",
                (QUEUED, time.time() - KEPT),
            )
        return len(gone)

    def counts(self) -> dict[str, int]:
        """How many notices are in each state (what `blogsmith comments mail` reports)."""
        with self.database.transaction() as run:
            rows = run("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {state: int(count) for state, count in rows}

    def failures(self, limit: int = 20) -> list[tuple[str, str, int, str]]:
        """(kind, recipient, tries, failure) of the notices that failed lately."""
        with self.database.transaction() as run:
            rows = run(
                "SELECT kind, recipient, tries, failure FROM outbox WHERE failure <> ''"
                " AND state <> ? ORDER BY due DESC LIMIT ?",
                (SENT, limit),
            )
        return [(kind, recipient, int(tries), failure) for kind, recipient, tries, failure in rows]

    def _settle(self, notice: Notice, assignments: str, values: tuple) -> None:
        """Sets `assignments` (an SQL SET list, `values` bound to it) on a notice, only while
        this sender's claim on it holds (its due time)."""
        with self.database.transaction() as run:
            run(
                f"UPDATE outbox SET {assignments} WHERE id = ? AND due = ?",
                (*values, notice.row, notice.due),
            )
