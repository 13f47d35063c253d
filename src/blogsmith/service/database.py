"""Where the comment service keeps what readers sent: SQLite (a file beside the site) or
PostgreSQL (a URL, so several service instances can share it).

SQL is written once with `?` placeholders and only ever run with bound parameters; the
PostgreSQL driver gets them as `%s`. Each thread keeps its own connection.

A check and the write it allows (a limit counted, then a comment stored) run in one
transaction holding a named lock, so simultaneous requests take their turns: SQLite's
`BEGIN IMMEDIATE` already lets one writer in at a time, PostgreSQL takes transaction-scoped
advisory locks.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS comments (
    id {serial},
    nonce TEXT NOT NULL UNIQUE,
    article TEXT NOT NULL,
    parent TEXT,
    author TEXT NOT NULL,
    email TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    address TEXT NOT NULL,
    posted {real} NOT NULL,
    status TEXT NOT NULL,
    file_id TEXT,
    decided {real}
);
CREATE INDEX IF NOT EXISTS comments_status ON comments (status, posted);
CREATE INDEX IF NOT EXISTS comments_email ON comments (email, author);
CREATE TABLE IF NOT EXISTS votes (
    article TEXT NOT NULL,
    comment TEXT NOT NULL,
    voter TEXT NOT NULL,
    address TEXT NOT NULL,
    at {real} NOT NULL,
    PRIMARY KEY (article, comment, voter)
);
CREATE INDEX IF NOT EXISTS votes_address ON votes (article, comment, address, at);
CREATE TABLE IF NOT EXISTS vote_baselines (
    article TEXT NOT NULL,
    comment TEXT NOT NULL,
    baseline INTEGER NOT NULL,
    PRIMARY KEY (article, comment)
);
CREATE TABLE IF NOT EXISTS events (
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    at {real} NOT NULL
);
CREATE INDEX IF NOT EXISTS events_address ON events (kind, address, at);
CREATE TABLE IF NOT EXISTS moderators (
    name TEXT PRIMARY KEY,
    password TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    moderator TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires {real} NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blocked (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    at {real} NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE TABLE IF NOT EXISTS outbox (
    id {serial},
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    about TEXT NOT NULL,
    due {real} NOT NULL,
    tries INTEGER NOT NULL,
    state TEXT NOT NULL,
    failure TEXT NOT NULL,
    UNIQUE (kind, recipient, about)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, due);
CREATE TABLE IF NOT EXISTS subscribers (
    email TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    changed {real} NOT NULL
);
CREATE TABLE IF NOT EXISTS reply_wishes (
    comment BIGINT PRIMARY KEY,
    email TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS moderator_emails (
    name TEXT PRIMARY KEY,
    email TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS edits (
    id {serial},
    article TEXT NOT NULL,
    comment TEXT NOT NULL,
    moderator TEXT NOT NULL,
    at {real} NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notice_batches (
    recipient TEXT PRIMARY KEY,
    at {real} NOT NULL,
    upto BIGINT NOT NULL
)
"""
TABLES = tuple(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))
SERIAL = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "BIGSERIAL PRIMARY KEY"}
REAL = {"sqlite": "REAL", "postgresql": "DOUBLE PRECISION"}
"""Times are seconds since 1970: PostgreSQL's REAL (4 bytes) would round them to 128 s."""


class Duplicate(Exception):
    """A row with that unique key is already there (a form sent twice)."""


class Database:
    def __init__(self, where: str, site_dir: Path) -> None:
        if where.startswith(("postgresql://", "postgres://")):
            import psycopg

            self.kind = "postgresql"
            self._connect = lambda: psycopg.connect(where, autocommit=False)
            self._integrity = psycopg.errors.UniqueViolation
            self.where = where.split("@")[-1]  # never the password
        else:
            path = (site_dir / where).resolve()
            self.kind = "sqlite"
            self._connect = lambda: _sqlite(path)
            self._integrity = sqlite3.IntegrityError
            self.where = str(path)
        self._local = threading.local()

    def create(self) -> None:
        schema = SCHEMA.format(serial=SERIAL[self.kind], real=REAL[self.kind])
        with self.transaction() as run:
            for statement in schema.split(";"):
                run(statement)
            if self.kind == "postgresql":
                _widen_times(run)

    @contextmanager
    def transaction(self, *locks: str):
        """`run(sql, params) -> rows` inside one transaction: committed when the block ends,
        rolled back when it raises. While it runs, no other transaction holds any of `locks`
        (names, such as the kind of a limit and an address)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        cursor = connection.cursor()

        def run(sql: str, params: tuple = ()) -> list[tuple]:
            if self.kind == "postgresql":
                sql = sql.replace("?", "%s")
            try:
                cursor.execute(sql, params)
            except self._integrity as exc:
                raise Duplicate(str(exc)) from None
            return cursor.fetchall() if cursor.description else []

        try:
            if self.kind == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")  # writers queue here, not fail mid-way
            else:
                for name in sorted(set(locks)):  # in one order: two never wait for each other
                    run("SELECT pg_advisory_xact_lock(?)", (_lock_key(name),))
            yield run
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _lock_key(name: str) -> int:
    """A lock's name as the 64-bit number PostgreSQL's advisory locks take."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _widen_times(run) -> None:
    """Times a database made before kept in REAL columns, rounded, made exact from now on."""
    narrow = run(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND data_type = 'real'"
        " AND table_name = ANY(?)",
        (list(TABLES),),
    )
    for table, column in narrow:  # names from the catalogue, of tables this schema made
        run(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE DOUBLE PRECISION')


def _sqlite(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    connection.execute("PRAGMA synchronous=FULL")  # an accepted comment survives a power cut
    connection.execute("PRAGMA busy_timeout=30000")
    return connection
