"""An append-only record of each file a target confirmed, written the moment it confirms.

A deploy killed at any point (kill -9, a dropped connection, a full disk) leaves every
confirmed step in this file, so the next deploy neither loses one nor sends it again. Each
line is written with one system call (a killed process loses none of them) and synced to
disk in batches (a power cut loses at most the last batch, which is then sent again). Each
line is signed like the cache: a line that a pull request or a torn write left is skipped,
never trusted (a planted line could otherwise make a deploy delete a file).
"""

from __future__ import annotations

import hmac
import json
import os
import time
from pathlib import Path

from blogsmith.cache.persist import signature

SYNC_EVERY = 256
SYNC_SECONDS = 1.0

Entry = list
"""["+", path, digest]: sent; ["-", path]: deleted; ["=", path, digest]: found already
there and adopted; ["x", path]: no longer the deploy's to manage (gone or changed by hand)."""


def _sign(url: str, body: bytes) -> str:
    return signature(url.encode("utf-8", "surrogateescape") + b"\n" + body).hex()


class Journal:
    """Open for appending for one deploy; `close` syncs what is left."""

    def __init__(self, path: Path, url: str):
        self.url = url
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        self.descriptor = os.open(path, flags, 0o600)
        self.unsynced = 0
        self.synced_at = time.monotonic()

    def record(self, entry: Entry) -> None:
        body = json.dumps(entry, ensure_ascii=False).encode("utf-8", "surrogateescape")
        line = _sign(self.url, body).encode() + b" " + body + b"\n"
        os.write(self.descriptor, line)
        self.unsynced += 1
        if self.unsynced >= SYNC_EVERY or time.monotonic() - self.synced_at > SYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        if self.unsynced:
            os.fsync(self.descriptor)
        self.unsynced = 0
        self.synced_at = time.monotonic()

    def close(self) -> None:
        if self.descriptor < 0:
            return
        try:
            self.sync()
        finally:
            os.close(self.descriptor)
            self.descriptor = -1


def replay(path: Path, url: str) -> list[Entry]:
    """The journal's signed entries in order; a torn or foreign line is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    entries = []
    for line in data.split(b"\n"):
        mark, _, body = line.partition(b" ")
        try:
            valid = hmac.compare_digest(mark.decode("ascii"), _sign(url, body))
            entry = json.loads(body.decode("utf-8", "surrogateescape")) if valid else None
        except ValueError:
            continue
        if isinstance(entry, list) and entry and all(isinstance(v, str) for v in entry):
            entries.append(entry)
    return entries
