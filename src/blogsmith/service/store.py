"""What the service asks of its database, one method a question; bound parameters only.

A limit is counted and what it allows is written in one transaction holding the lock of the
limit and the address: simultaneous requests take their turns, so the limit holds exactly.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from blogsmith.service import notices
from blogsmith.service.database import Database, Duplicate
from blogsmith.service.statuses import (
    APPROVED,
    APPROVING,
    PENDING,
    READER_WAITING,
    REJECTED,
    REMOVED,
    SPAM,
)
from blogsmith.service.submissions import Submission

__all__ = ["APPROVED", "APPROVING", "PENDING", "REJECTED", "REMOVED", "SPAM", "Store", "Stored"]
SESSION_SECONDS = 8 * 3600
VOTE_WINDOW = 24 * 3600
"""One address votes once per comment within this window (a shared address, an office or a
phone network, may vote again the next day); a voter's cookie once for ever."""


@dataclass(frozen=True)
class Stored:
    row: int
    article: str
    parent: str | None
    author: str
    email: str
    url: str
    body: str
    posted: float
    status: str
    file_id: str | None


EVENTS_KEPT = 2 * 24 * 3600
"""Posts, forms and failed logins are counted over an hour at most; kept two days."""
HOUR = 3600
_COLUMNS = "id, article, parent, author, email, url, body, posted, status, file_id"


class Store:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._recorded = 0

    def accept(
        self, submission: Submission, address: str, status: str, per_hour: int
    ) -> Stored | None:
        """The comment stored (a form sent twice is stored once), or None when the address
        sent `per_hour` comments within the hour: counted and stored in one turn."""
        try:
            with self.database.transaction(_lock("comment", address)) as run:
                kept = _by_nonce(run, submission.nonce)
                if kept is not None:
                    return kept
                if _count(run, "comment", address, HOUR) >= per_hour:
                    return None
                run(
                    "INSERT INTO comments (nonce, article, parent, author, email, url, body,"
                    " address, posted, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        submission.nonce,
                        submission.article,
                        submission.parent,
                        submission.author,
                        submission.email,
                        submission.url,
                        submission.body,
                        address,
                        time.time(),
                        status,
                    ),
                )
                self._event(run, "comment", address)
                stored = _by_nonce(run, submission.nonce)
                if submission.notify and stored is not None:
                    notices.wish_replies(run, stored.row, submission.email)
                return stored
        except Duplicate:  # the same form at the same moment from another address
            with self.database.transaction() as run:
                return _by_nonce(run, submission.nonce)

    def count_events(self, kind: str, address: str, seconds: float) -> int:
        with self.database.transaction() as run:
            return _count(run, kind, address, seconds)

    def take_turn(self, keys: list[tuple[str, str]], limit: int, seconds: float) -> float | None:
        """Records an event for every (kind, address) of `keys` when each has fewer than
        `limit` within `seconds`, all in one turn; the moment recorded, or None when one is
        at its limit. Taken before the work it limits, so simultaneous requests never pass
        the count together."""
        with self.database.transaction(*(_lock(*key) for key in keys)) as run:
            if any(_count(run, kind, address, seconds) >= limit for kind, address in keys):
                return None
            moment = time.time()
            for kind, address in keys:
                self._event(run, kind, address, moment)
        return moment

    def give_turn_back(self, keys: list[tuple[str, str]], moment: float) -> None:
        """The events `take_turn` recorded at `moment` forgotten (the login succeeded)."""
        with self.database.transaction() as run:
            for kind, address in keys:
                run(
                    "DELETE FROM events WHERE kind = ? AND address = ? AND at = ?",
                    (kind, address, moment),
                )

    def _event(self, run, kind: str, address: str, moment: float | None = None) -> None:
        run(
            "INSERT INTO events (kind, address, at) VALUES (?, ?, ?)",
            (kind, address, time.time() if moment is None else moment),
        )
        self._recorded += 1
        if self._recorded % 1000 == 0:  # what no limit looks at any more
            run("DELETE FROM events WHERE at < ?", (time.time() - EVENTS_KEPT,))

    def forget_events(self, kind: str, address: str) -> None:
        with self.database.transaction() as run:
            run("DELETE FROM events WHERE kind = ? AND address = ?", (kind, address))

    def waiting(self) -> list[Stored]:
        """Pending comments, oldest first (and approvals a crash interrupted)."""
        with self.database.transaction() as run:
            rows = run(
                f"SELECT {_COLUMNS} FROM comments WHERE status IN (?, ?) ORDER BY posted, id",
                (PENDING, APPROVING),
            )
        return [Stored(*row) for row in rows]

    def listing(self, statuses: tuple[str, ...], limit: int) -> list[Stored]:
        """Comments in these statuses, newest first, at most `limit` (what a moderator
        reads: the newest spam is the likeliest to be a mistake)."""
        marks = ", ".join("?" for _ in statuses)
        with self.database.transaction() as run:
            rows = run(
                f"SELECT {_COLUMNS} FROM comments WHERE status IN ({marks})"
                " ORDER BY posted DESC, id DESC LIMIT ?",
                (*statuses, limit),
            )
        return [Stored(*row) for row in rows]

    def get(self, row: int) -> Stored | None:
        with self.database.transaction() as run:
            found = run(f"SELECT {_COLUMNS} FROM comments WHERE id = ?", (row,))
        return Stored(*found[0]) if found else None

    def transition(self, row: int, was: str, status: str, file_id: str | None = None) -> bool:
        """Moves the comment from `was` to `status` (keeping its file id unless one is given);
        False when it is no longer in `was`: another moderator, tab or instance decided first."""
        with self.database.transaction() as run:
            changed = run(
                "UPDATE comments SET status = ?, file_id = COALESCE(?, file_id), decided = ?"
                " WHERE id = ? AND status = ? RETURNING id",
                (status, file_id, time.time(), row, was),
            )
            if changed and status == APPROVED:
                notices.on_approval(run, row)  # queued with the approval, or not at all
        return bool(changed)

    def edit_waiting(self, row: int, body: str) -> bool:
        """The reader's new text for their comment, if it still waits (else False). One
        sent to spam, which its reader is never told, waits as far as they can see (and
        stays spam)."""
        with self.database.transaction() as run:
            changed = run(
                "UPDATE comments SET body = ? WHERE id = ? AND status IN (?, ?) RETURNING id",
                (body, row, *READER_WAITING),
            )
        return bool(changed)

    def moderator_edits_waiting(self, row: int, was: str, body: str, moderator: str) -> bool:
        """A moderator's new text for a waiting comment, if it still waits with the text
        `was` (else False: decided, or changed by its reader meanwhile); recorded."""
        with self.database.transaction() as run:
            changed = run(
                "UPDATE comments SET body = ? WHERE id = ? AND status = ? AND body = ?"
                " RETURNING article",
                (body, row, PENDING, was),
            )
            if changed:
                _record_edit(run, changed[0][0], f"#{row}", moderator, was, body)
        return bool(changed)

    def moderator_edited_published(
        self, article: str, file_id: str, was: str, body: str, moderator: str
    ) -> None:
        """A published comment's file was edited: its row (if the service took it) follows,
        and the edit is recorded."""
        with self.database.transaction() as run:
            run(
                "UPDATE comments SET body = ? WHERE article = ? AND file_id = ? AND status = ?",
                (body, article, file_id, APPROVED),
            )
            _record_edit(run, article, file_id, moderator, was, body)

    def edits(self, limit: int = 50) -> list[tuple[str, str, str, float, str, str]]:
        """(article, comment, moderator, at, before, after) of the latest edits, newest first;
        a comment is its id in the file, or #row while it waited."""
        with self.database.transaction() as run:
            rows = run(
                "SELECT article, comment, moderator, at, before, after FROM edits"
                " ORDER BY at DESC, id DESC LIMIT ?",
                (limit,),
            )
        return [tuple(row) for row in rows]

    def withdraw(self, row: int) -> bool:
        """The reader's comment deleted, if it still waits (or sits in spam, as above; else
        False): nothing is kept."""
        with self.database.transaction() as run:
            gone = run(
                "DELETE FROM comments WHERE id = ? AND status IN (?, ?) RETURNING id",
                (row, *READER_WAITING),
            )
            if gone:
                run("DELETE FROM reply_wishes WHERE comment = ?", (row,))
        return bool(gone)

    def forget_published(self, article: str, file_id: str) -> None:
        """A comment taken down from its file: what the reader typed is erased here too (it
        no longer earns trust for auto-approval), and its votes go with it."""
        with self.database.transaction() as run:
            erased = run(
                "UPDATE comments SET status = ?, author = '', email = '', url = '', body = ''"
                " WHERE article = ? AND file_id = ? AND status = ? RETURNING id",
                (REMOVED, article, file_id, APPROVED),
            )
            for (row,) in erased:  # the address it gave for replies goes too
                run("DELETE FROM reply_wishes WHERE comment = ?", (row,))
                run("DELETE FROM edits WHERE article = ? AND comment = ?", (article, f"#{row}"))
            run("DELETE FROM edits WHERE article = ? AND comment = ?", (article, file_id))
            run("DELETE FROM votes WHERE article = ? AND comment = ?", (article, file_id))
            run("DELETE FROM vote_baselines WHERE article = ? AND comment = ?", (article, file_id))

    def block(self, row: int) -> bool:
        """The reader of comment `row` blocked, by the email they gave (lowercased) and by
        their address (kept as a keyed hash): what they send later goes straight to spam.
        Their comment, if it waits, is marked as spam. False when there is no such comment."""
        with self.database.transaction() as run:
            found = run("SELECT email, address FROM comments WHERE id = ?", (row,))
            if not found:
                return False
            email, address = found[0]
            for kind, value in _blocked_keys(email, address):
                run(
                    "INSERT INTO blocked (kind, value, at) VALUES (?, ?, ?)"
                    " ON CONFLICT (kind, value) DO NOTHING",
                    (kind, value, time.time()),
                )
            run("UPDATE comments SET status = ? WHERE id = ? AND status = ?", (SPAM, row, PENDING))
        return True

    def unblock(self, row: int) -> bool:
        """The reader of comment `row` no longer blocked (their email and address)."""
        with self.database.transaction() as run:
            found = run("SELECT email, address FROM comments WHERE id = ?", (row,))
            if not found:
                return False
            for kind, value in _blocked_keys(*found[0]):
                run("DELETE FROM blocked WHERE kind = ? AND value = ?", (kind, value))
        return True

    def is_blocked(self, email: str, address: str) -> bool:
        """Whether a reader with this email, or at this address, was blocked."""
        keys = _blocked_keys(email, address)
        with self.database.transaction() as run:
            for kind, value in keys:
                if run("SELECT 1 FROM blocked WHERE kind = ? AND value = ?", (kind, value)):
                    return True
        return False

    def approved_before(self, email: str, author: str) -> bool:
        """A reader a moderator approved already, known by the name and the email together
        (as WordPress does): anyone may type a known email, or a name; without an email,
        never."""
        if not email:
            return False
        with self.database.transaction() as run:
            found = run(
                "SELECT 1 FROM comments WHERE email = ? AND author = ? AND status = ? LIMIT 1",
                (email, author, APPROVED),
            )
        return bool(found)

    def vote(self, article: str, comment: str, voter: str, address: str, baseline: int) -> bool:
        """Counts a vote unless this voter, or this address lately, voted for it already:
        the address checked and the vote stored in one turn, the voter by its key."""
        with self.database.transaction(_lock("vote", address, article, comment)) as run:
            recent = run(
                "SELECT 1 FROM votes WHERE article = ? AND comment = ? AND address = ? AND at > ?"
                " LIMIT 1",
                (article, comment, address, time.time() - VOTE_WINDOW),
            )
            if recent:
                return False
            counted = run(
                "INSERT INTO votes (article, comment, voter, address, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                (article, comment, voter, address, time.time()),
            )
            run(
                "INSERT INTO vote_baselines (article, comment, baseline) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (article, comment, baseline),
            )
        return bool(counted)

    def vote_totals(self, article: str | None = None) -> dict[tuple[str, str], int]:
        """(article, comment) -> the count the files had before the first vote here, plus the
        votes since: folding it into a file twice gives the same file."""
        query = (
            "SELECT b.article, b.comment, b.baseline + COUNT(v.voter) FROM vote_baselines b"
            " LEFT JOIN votes v ON v.article = b.article AND v.comment = b.comment"
        )
        params: tuple = ()
        if article is not None:
            query += " WHERE b.article = ?"
            params = (article,)
        with self.database.transaction() as run:
            rows = run(query + " GROUP BY b.article, b.comment, b.baseline", params)
        return {(a, c): int(total) for a, c, total in rows}

    def add_moderator(self, name: str, password_hash: str) -> None:
        """A new moderator, or a new password that ends the old one's sessions (it may have
        leaked with them)."""
        with self.database.transaction() as run:
            run("DELETE FROM moderators WHERE name = ?", (name,))
            run("INSERT INTO moderators (name, password) VALUES (?, ?)", (name, password_hash))
            run("DELETE FROM sessions WHERE moderator = ?", (name,))

    def set_moderator_email(self, name: str, email: str | None) -> bool:
        """Where moderator `name` hears of waiting comments (None: nowhere); False when
        there is no such moderator."""
        with self.database.transaction() as run:
            if not run("SELECT 1 FROM moderators WHERE name = ?", (name,)):
                return False
            run("DELETE FROM moderator_emails WHERE name = ?", (name,))
            if email:
                run("INSERT INTO moderator_emails (name, email) VALUES (?, ?)", (name, email))
        return True

    def moderator_email(self, name: str) -> str | None:
        with self.database.transaction() as run:
            found = run("SELECT email FROM moderator_emails WHERE name = ?", (name,))
        return found[0][0] if found else None

    def mailed_moderators(self) -> list[str]:
        """The names of the moderators with an address, in order."""
        with self.database.transaction() as run:
            rows = run(
                "SELECT e.name FROM moderator_emails e JOIN moderators m ON m.name = e.name"
                " ORDER BY e.name"
            )
        return [name for (name,) in rows]

    def end_sessions(self, moderator: str | None = None) -> int:
        """Every session of `moderator`, or of everyone, ended; how many were live."""
        with self.database.transaction() as run:
            if moderator is None:
                ended = run("DELETE FROM sessions WHERE expires > ? RETURNING 1", (time.time(),))
            else:
                ended = run(
                    "DELETE FROM sessions WHERE moderator = ? AND expires > ? RETURNING 1",
                    (moderator, time.time()),
                )
        return len(ended)

    def password_of(self, name: str) -> str | None:
        with self.database.transaction() as run:
            found = run("SELECT password FROM moderators WHERE name = ?", (name,))
        return found[0][0] if found else None

    def open_session(self, token: str, moderator: str, csrf: str) -> None:
        with self.database.transaction() as run:
            run("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            run(
                "INSERT INTO sessions (token, moderator, csrf, expires) VALUES (?, ?, ?, ?)",
                (_hashed(token), moderator, csrf, time.time() + SESSION_SECONDS),
            )

    def session(self, token: str) -> tuple[str, str] | None:
        """(moderator, CSRF token) of a live session."""
        with self.database.transaction() as run:
            found = run(
                "SELECT moderator, csrf FROM sessions WHERE token = ? AND expires > ?",
                (_hashed(token), time.time()),
            )
        return (found[0][0], found[0][1]) if found else None

    def close_session(self, token: str) -> None:
        with self.database.transaction() as run:
            run("DELETE FROM sessions WHERE token = ?", (_hashed(token),))


def _record_edit(run, article: str, comment: str, moderator: str, was: str, body: str) -> None:
    run(
        "INSERT INTO edits (article, comment, moderator, at, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (article, comment, moderator, time.time(), was, body),
    )


def _lock(kind: str, *about: str) -> str:
    return "|".join((kind, *about))


def _count(run, kind: str, address: str, seconds: float) -> int:
    ((count,),) = run(
        "SELECT COUNT(*) FROM events WHERE kind = ? AND address = ? AND at > ?",
        (kind, address, time.time() - seconds),
    )
    return int(count)


def _by_nonce(run, nonce: str) -> Stored | None:
    found = run(f"SELECT {_COLUMNS} FROM comments WHERE nonce = ?", (nonce,))
    return Stored(*found[0]) if found else None


def _blocked_keys(email: str, address: str) -> list[tuple[str, str]]:
    keys = [("address", address)]
    if email.strip():
        keys.append(("email", email.strip().lower()))
    return keys


def _hashed(token: str) -> str:
    """Sessions are stored by their cookie's digest: the database alone opens none."""
    return hashlib.sha256(token.encode()).hexdigest()
