"""What a deploy knows of one target: every file it put there (path -> MD5) and the stat
memo of the output's files, kept signed in the build cache folder beside the output.

`<cache>/deploy/<sha256 of the URL>.state` holds the state as JSON after a signature made
with the cache key (see cache.persist) over the format line and the JSON: a state that a pull
request plants or another machine wrote is ignored, as if the target had never been deployed
to (the deploy then compares with the target before sending anything, and deletes nothing).
The journal beside it (`.journal`) holds the steps of a deploy that has not been folded into
the state yet.

A deploy that finds nothing to do writes neither: the state is rewritten only when what it
holds changes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from blogsmith.cache.persist import signature
from blogsmith.deploy.journal import Entry, replay
from blogsmith.deploy.local import Memo

MAGIC = b"blogsmith deploy state 2\n"
"""Format 2: the memo keyed by path and figures (local.Memo), the JSON in ASCII (quick to
read), and the signature covers this line too."""
LEGACY_MAGIC = b"blogsmith deploy state 1\n"
"""Format 1 (memo: path -> [figures..., MD5], the JSON alone signed): still read when signed
here, so the deploy after an upgrade neither compares with the whole target nor forgets what
it sent; it writes format 2."""


@dataclass
class DeployState:
    sent: dict[str, str] = field(default_factory=dict)
    """What blogsmith put in the target: path -> MD5 hex of the bytes sent."""
    memo: Memo = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)
    """Paths sent or deleted whose change was not yet reported (--changed-urls, the CDN):
    a deploy interrupted, or whose invalidation failed, is reported by the next one."""
    trusted: bool = False
    """Read from a signed state or journal of this machine (False: a first deploy)."""
    settled: bool = False
    """Exactly what the state file holds, in the current format, with no journal beside it:
    while it is not changed, there is nothing to write."""

    def apply(self, entry: Entry) -> None:
        kind, path = entry[0], entry[1]
        if kind in ("+", "=") and len(entry) == 3:
            self.sent[path] = entry[2]
        elif kind in ("-", "x"):
            self.sent.pop(path, None)
        if kind in ("+", "-"):
            self.pending.add(path)
        self.settled = False


@dataclass(frozen=True)
class StateFiles:
    """Where one target's state and journal live."""

    folder: Path
    url: str

    @classmethod
    def of(cls, cache_dir: Path, url: str) -> StateFiles:
        return cls(cache_dir / "deploy", url.rstrip("/") or url)  # file:///x/ is file:///x

    @property
    def name(self) -> str:
        return hashlib.sha256(self.url.encode("utf-8", "surrogateescape")).hexdigest()

    @property
    def state(self) -> Path:
        return self.folder / f"{self.name}.state"

    @property
    def journal(self) -> Path:
        return self.folder / f"{self.name}.journal"


def load(files: StateFiles) -> DeployState:
    """The signed state with the journal's entries applied; an empty, untrusted state when
    neither was written here."""
    state = _read_state(files) or DeployState()
    journaled = os.path.lexists(files.journal)
    fold(files, state)
    state.settled = state.settled and not journaled
    return state


def fold(files: StateFiles, state: DeployState) -> None:
    """Applies the journal's signed entries to `state` (in memory; `settle` writes them into
    the state file and removes the journal)."""
    entries = replay(files.journal, files.url)
    for entry in entries:
        state.apply(entry)
    state.trusted = state.trusted or bool(entries)


def settle(files: StateFiles, state: DeployState) -> None:
    """Writes the state (the journal folded in), then removes the journal: a crash between
    the two only applies the same entries again."""
    payload = json.dumps(
        {
            "url": files.url,
            "sent": state.sent,
            "memo": state.memo,
            "pending": sorted(state.pending),
        },
        separators=(",", ":"),
    ).encode("ascii")
    files.folder.mkdir(parents=True, exist_ok=True)
    temporary = files.folder / f".{files.name}.{os.getpid()}.tmp"
    with open(temporary, "wb") as stream:
        stream.write(MAGIC + signature(MAGIC + payload).hex().encode() + b"\n" + payload)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, files.state)
    files.journal.unlink(missing_ok=True)
    state.trusted = True
    state.settled = True


def _read_state(files: StateFiles) -> DeployState | None:
    try:
        data = files.state.read_bytes()
    except FileNotFoundError:
        return None
    magic = MAGIC if data.startswith(MAGIC) else LEGACY_MAGIC
    head, _, payload = data.removeprefix(magic).partition(b"\n")
    signed = magic + payload if magic == MAGIC else payload
    if not data.startswith(magic) or not hmac.compare_digest(
        head, signature(signed).hex().encode()
    ):
        return None  # planted, copied or damaged: never trusted
    try:
        value = json.loads(payload.decode("utf-8", "surrogateescape"))
        if value["url"] != files.url:
            return None
        sent, memo = value["sent"], value["memo"]
        if magic == LEGACY_MAGIC:
            memo = dict(_legacy_memo(path, figures) for path, figures in memo.items())
        if not isinstance(sent, dict) or not all(type(m) is str for m in memo.values()):
            return None
        state = DeployState(sent, memo, set(value["pending"]), trusted=True)
        state.settled = magic == MAGIC
        return state
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _legacy_memo(path: str, figures: list) -> tuple[str, str]:
    size, mtime, inode, ctime, digest = figures
    return f"{path} {int(size)} {int(mtime)} {int(inode)} {int(ctime)}", digest
