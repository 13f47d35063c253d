"""What the service asks of its database, one method a question; bound parameters only."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from blogsmith.service.database import Database, Duplicate
from blogsmith.service.submissions import Submission

PENDING, APPROVING, APPROVED, REJECTED, SPAM = "pending approving approved rejected spam".split()
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
_COLUMNS = "id, article, parent, author, email, url, body, posted, status, file_id"


class Store:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._recorded = 0

    def accept(self, submission: Submission, address: str, status: str) -> Stored:
        """The comment stored: a form sent twice is stored once."""
        try:
            with self.database.transaction() as run:
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
        except Duplicate:
            pass
        with self.database.transaction() as run:
            found = run(f"SELECT {_COLUMNS} FROM comments WHERE nonce = ?", (submission.nonce,))
        return Stored(*found[0])

    def count_events(self, kind: str, address: str, seconds: float) -> int:
        with self.database.transaction() as run:
            ((count,),) = run(
                "SELECT COUNT(*) FROM events WHERE kind = ? AND address = ? AND at > ?",
                (kind, address, time.time() - seconds),
            )
        return int(count)

    def record_event(self, kind: str, address: str) -> None:
        with self.database.transaction() as run:
            self._event(run, kind, address)

    def _event(self, run, kind: str, address: str) -> None:
        run("INSERT INTO events (kind, address, at) VALUES (?, ?, ?)", (kind, address, time.time()))
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

    def get(self, row: int) -> Stored | None:
        with self.database.transaction() as run:
            found = run(f"SELECT {_COLUMNS} FROM comments WHERE id = ?", (row,))
        return Stored(*found[0]) if found else None

    def decide(self, row: int, status: str, file_id: str | None = None) -> None:
        with self.database.transaction() as run:
            run(
                "UPDATE comments SET status = ?, file_id = COALESCE(?, file_id), decided = ?"
                " WHERE id = ?",
                (status, file_id, time.time(), row),
            )

    def approved_before(self, email: str, author: str, address: str) -> bool:
        """A reader a moderator approved already: the same email, or name and address."""
        with self.database.transaction() as run:
            if email:
                found = run(
                    "SELECT 1 FROM comments WHERE status = ? AND email = ? LIMIT 1",
                    (APPROVED, email),
                )
            else:
                found = run(
                    "SELECT 1 FROM comments WHERE status = ? AND email = '' AND author = ?"
                    " AND address = ? LIMIT 1",
                    (APPROVED, author, address),
                )
        return bool(found)

    def vote(self, article: str, comment: str, voter: str, address: str, baseline: int) -> bool:
        """Counts a vote unless this voter, or this address lately, voted for it already."""
        with self.database.transaction() as run:
            recent = run(
                "SELECT 1 FROM votes WHERE article = ? AND comment = ? AND address = ? AND at > ?"
                " LIMIT 1",
                (article, comment, address, time.time() - VOTE_WINDOW),
            )
            if recent:
                return False
            try:
                run(
                    "INSERT INTO votes (article, comment, voter, address, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (article, comment, voter, address, time.time()),
                )
            except Duplicate:
                return False
            if not run(
                "SELECT 1 FROM vote_baselines WHERE article = ? AND comment = ?", (article, comment)
            ):
                run(
                    "INSERT INTO vote_baselines (article, comment, baseline) VALUES (?, ?, ?)",
                    (article, comment, baseline),
                )
        return True

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
        with self.database.transaction() as run:
            run("DELETE FROM moderators WHERE name = ?", (name,))
            run("INSERT INTO moderators (name, password) VALUES (?, ?)", (name, password_hash))

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


def _hashed(token: str) -> str:
    """Sessions are stored by their cookie's digest: the database alone opens none."""
    return hashlib.sha256(token.encode()).hexdigest()
