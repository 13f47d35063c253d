"""A moderator's decisions, the same from the moderation page and the CLI: approving writes
the comment into its article's file; then the publish step folds the votes in, rebuilds
incrementally and runs the site's publish command.

Every decision is a conditional update, made only from the state it was taken on: a comment
another moderator (an older tab, a second instance, the CLI) rejected or marked as spam is
never approved, and an approval is never undone by a decision that arrives while it writes.
An approval is recorded as under way, with the id it is about to take in the file, before the
file is written: a crash in between leaves it waiting, and approving it again finds that id
in the file (with the same author, date and text) instead of adding it twice, while another
reader's identical comment gets an id of its own.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.config import Config
from blogsmith.service.builder import Builder
from blogsmith.service.comment_files import (
    ArticleGone,
    CommentFileRefused,
    NewComment,
    NoLongerWanted,
    append_comment,
    comment_in_file,
    holding,
    set_votes,
)
from blogsmith.service.messages import Said
from blogsmith.service.store import APPROVED, APPROVING, PENDING, REJECTED, SPAM, Store, Stored

DECISIONS = {"approve": APPROVED, "reject": REJECTED, "spam": SPAM, "restore": PENDING}
"""What a moderator can decide: `restore` takes a rejection or a spam verdict back (the
comment waits again), never an approval."""
PUBLISH_SECONDS = 600
"""How long the site's publish command (or the deploy) may run before its whole session is
ended."""
BUILD_SECONDS = 3600
"""How long a publish's build may run (its deploy then has PUBLISH_SECONDS more)."""


class ModerationRefused(Said):
    """A decision not taken, and why (a message of service/messages.py)."""


def decide(
    store: Store, site_dir: Path, config: Config, row: int, action: str, seen: str = ""
) -> Stored:
    """Approve, reject or mark as spam; the comment as it is now stored. `seen`: the
    text_digest of the text the moderator read; an approval of a comment whose reader changed
    it since is refused (the comment waits, with its new text)."""
    stored = store.get(row)
    if stored is None:
        raise ModerationRefused("no_comment", row=row)
    if stored.status == DECISIONS[action]:
        return stored
    if stored.status == APPROVED:
        raise ModerationRefused("already_approved", row=row)
    if action == "approve":
        return _approve(store, site_dir / CONTENT_DIR, config, stored, seen)
    return _set_aside(store, site_dir / CONTENT_DIR, config, stored, DECISIONS[action])


def _approve(store: Store, content: Path, config: Config, stored: Stored, seen: str) -> Stored:
    if stored.status == PENDING:
        if not store.transition(stored.row, PENDING, APPROVING):
            again = _again(store, stored.row)  # decided meanwhile
            return _approve(store, content, config, again, seen)
        stored = _again(store, stored.row)  # approving: its reader can no longer change it
        if seen and not text_digest(stored.body).startswith(seen):
            store.transition(stored.row, APPROVING, PENDING)
            raise ModerationRefused("changed_since_read", row=stored.row)
    if stored.status == APPROVED:
        return stored
    if stored.status != APPROVING:
        raise ModerationRefused("decided_before", row=stored.row, status=stored.status)

    reserved: list[str] = []

    def still_approving(file_id: str) -> bool:  # recorded before the file is written
        reserved.append(file_id)
        return store.transition(stored.row, APPROVING, APPROVING, file_id)

    try:
        file_id = append_comment(
            content, stored.article, _as_new(stored, config), still_approving, stored.file_id
        )
    except NoLongerWanted:
        now = _again(store, stored.row)
        raise ModerationRefused("decided_meanwhile", row=stored.row, status=now.status) from None
    except (CommentFileRefused, OSError) as exc:
        if isinstance(exc, CommentFileRefused) and not reserved and stored.file_id is None:
            store.transition(stored.row, APPROVING, PENDING)  # nothing can have been written
        key = "not_written_article_gone" if isinstance(exc, ArticleGone) else "not_written"
        raise ModerationRefused(key, row=stored.row, detail=str(exc)) from None
    store.transition(stored.row, APPROVING, APPROVED, file_id)
    return _again(store, stored.row)


def _set_aside(store: Store, content: Path, config: Config, stored: Stored, status: str) -> Stored:
    """Rejected or spam, from the state read; an approval under way is waited for (it holds
    the article folder's lock while it writes) and wins if it wrote the file."""
    while True:
        if stored.status == status:
            return stored
        if stored.status == APPROVED:
            raise ModerationRefused("approved_meanwhile", row=stored.row)
        if stored.status == APPROVING:
            decided = _set_aside_approval(store, content, config, stored, status)
        else:
            decided = store.transition(stored.row, stored.status, status)
        stored = _again(store, stored.row)
        if decided:
            return stored


def _set_aside_approval(
    store: Store, content: Path, config: Config, stored: Stored, status: str
) -> bool:
    """An approval is under way, or a crash interrupted it: once no approval writes, the
    file tells which. Written: it is approved (and the decision refused); not: `status`."""
    try:
        with holding(content, stored.article):
            now = _again(store, stored.row)  # the id an approval reserved is read under the lock
            if now.status != APPROVING:
                return False
            if comment_in_file(content, stored.article, now.file_id, _as_new(now, config)):
                store.transition(stored.row, APPROVING, APPROVED)
                return False
            return store.transition(stored.row, APPROVING, status)
    except ArticleGone:
        return store.transition(stored.row, APPROVING, status)
    except (CommentFileRefused, OSError) as exc:
        raise ModerationRefused("being_approved", row=stored.row, detail=str(exc)) from None


SEEN_SHOWN = 8
"""How much of a text's digest `comments pending` shows, to approve as `NUMBER@SEEN`."""


def text_digest(body: str) -> str:
    """What names the text a moderator read (the moderation page sends it with a decision)."""
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _again(store: Store, row: int) -> Stored:
    found = store.get(row)
    if found is None:
        raise ModerationRefused("no_comment", row=row)
    return found


def _as_new(stored: Stored, config: Config) -> NewComment:
    return NewComment(
        author=stored.author,
        date=datetime.fromtimestamp(stored.posted, config.zone).replace(microsecond=0),
        body=stored.body,
        parent=stored.parent,
        url=stored.url,
    )


@dataclass
class PublishResult:
    built: bool = False
    message: str = ""
    published: bool = False
    """The deploy (`deploy.to`) and the publish command, those set, succeeded."""


def publish(
    store: Store,
    site_dir: Path,
    config: Config,
    output: Path | None = None,
    builder: Builder | None = None,
) -> PublishResult:
    """Votes folded into the comment files, an incremental build and a deploy (`deploy.to`)
    by `builder` (a builder process made for this publish when None), the publish command."""
    result = PublishResult()
    by_article: dict[str, dict[str, int]] = {}
    for (article, comment), total in store.vote_totals().items():
        by_article.setdefault(article, {})[comment] = total
    for article, totals in sorted(by_article.items()):
        try:
            set_votes(site_dir / CONTENT_DIR, article, totals)
        except (CommentFileRefused, OSError):
            continue  # the votes stay in the database; the next publish tries again
    own = builder is None
    builder = builder or Builder(site_dir, output, keep=False)
    try:
        answer = builder.run(bool(config.deploy.to), BUILD_SECONDS + PUBLISH_SECONDS)
    finally:
        if own:
            builder.close()
    code, said = answer["build"]
    lines = said.strip().splitlines()
    if code != 0:
        result.message = "the build failed: " + " / ".join(lines[-6:])
        return result
    result.built = True
    result.message = lines[-1] if lines else ""
    result.published = True
    if answer["deploy"] is not None:  # it sent just what the build changed
        code, said = answer["deploy"]
        result.published = code == 0
        lines = said.strip().splitlines()
        done = lines[-1] if lines else ""
        result.message += f"; {done}" if code == 0 else f"; the deploy {_ended(code)}: {done}"
    if config.comments.publish and result.published:
        code, said = run_in_own_session(
            shlex.split(config.comments.publish), site_dir, PUBLISH_SECONDS
        )
        result.published = code == 0
        if not result.published:
            result.message += f"; the publish command {_ended(code)}: {said.strip()[-500:]}"
    return result


def run_in_own_session(command: list[str], cwd: Path, timeout: float) -> tuple[int | None, str]:
    """(exit code, what it printed) of `command`, run in a session of its own with its output
    in a file: a process it leaves behind (an ssh ControlPersist master under `git push` or
    rsync) holds no pipe open, so the command is done when it exits; past `timeout`, its
    whole session is ended. The code is None when it could not run or was ended."""
    with tempfile.TemporaryFile() as said:
        try:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=said,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            return None, f"it did not run: {exc}"
        try:
            code: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end_session(process)
            code = None
            said.write(f"\nended after {timeout:g} s".encode())
        said.seek(0)
        return code, said.read().decode("utf-8", "replace")


def _end_session(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _ended(code: int | None) -> str:
    return "did not finish" if code is None else f"exited with {code}"


@dataclass
class SiteRepublisher:
    """The service's publish step, in a thread of its own: approvals in a burst make one
    build, and a request waits for none. A request made while a publish runs makes another
    (that one may have read the files already). Its builder process keeps the build each
    publish makes, so that the next one patches the changed comments files in."""

    store: Store
    site_dir: Path
    config: Config
    output: Path | None = None
    fold_every: float = 3600.0
    """Seconds between publishes that fold new votes in (approvals publish at once)."""
    last: PublishResult | None = None
    _wanted: threading.Event = field(default_factory=threading.Event)
    _builder: Builder | None = None

    def start(self) -> None:
        """Before the service answers anyone: the totals read here are what the files hold,
        so a vote that arrives next is new (read in the thread, it could be missed)."""
        folded = self._totals()
        self._builder = Builder(self.site_dir, self.output)
        threading.Thread(target=self._loop, args=(folded,), name="publish", daemon=True).start()

    def request(self) -> None:
        self._wanted.set()

    def _totals(self) -> dict | None:
        try:
            return self.store.vote_totals()
        except Exception:  # the database is away: the next round tries again
            return None

    def _loop(self, folded: dict | None) -> None:
        while True:
            asked = self._wanted.wait(timeout=self.fold_every)
            totals = self._totals()
            if not asked and (totals is None or totals == folded):
                continue  # no vote since the last publish: nothing to fold
            folded = totals
            self._wanted.clear()
            try:
                self.last = publish(
                    self.store, self.site_dir, self.config, self.output, self._builder
                )
            except Exception as exc:  # the service keeps serving; the moderator sees why
                self.last = PublishResult(message=f"publishing failed: {exc}")
