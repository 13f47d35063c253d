"""A moderator's decisions, the same from the moderation page and the CLI: approving writes
the comment into its article's file; then the publish step folds the votes in, rebuilds
incrementally and runs the site's publish command.

An approval is recorded as under way before the file is written, so a crash in between leaves
it waiting, and approving it again finds it already in the file (same author, date and text)
instead of adding it twice.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.config import Config
from blogsmith.service.comment_files import (
    CommentFileRefused,
    NewComment,
    append_comment,
    comments_path,
    set_votes,
)
from blogsmith.service.store import APPROVED, APPROVING, REJECTED, SPAM, Store, Stored

DECISIONS = {"approve": APPROVED, "reject": REJECTED, "spam": SPAM}


class ModerationRefused(Exception):
    pass


def decide(store: Store, site_dir: Path, config: Config, row: int, action: str) -> Stored:
    """Approve, reject or mark as spam; the comment as it is now stored."""
    stored = store.get(row)
    if stored is None:
        raise ModerationRefused(f"there is no comment {row}")
    if stored.status == DECISIONS[action]:
        return stored
    if stored.status == APPROVED:
        raise ModerationRefused(f"comment {row} is approved and in its article's file already")
    if action != "approve":
        store.decide(row, DECISIONS[action])
        return store.get(row)  # type: ignore[return-value]
    path = comments_path(site_dir / CONTENT_DIR, stored.article)
    store.decide(row, APPROVING)
    comment = NewComment(
        author=stored.author,
        date=datetime.fromtimestamp(stored.posted, config.zone).replace(microsecond=0),
        body=stored.body,
        parent=stored.parent,
        url=stored.url,
    )
    try:
        file_id = append_comment(path, comment, stored.file_id)
    except (CommentFileRefused, OSError) as exc:
        raise ModerationRefused(f"comment {row} was not written (it still waits): {exc}") from None
    store.decide(row, APPROVED, file_id)
    return store.get(row)  # type: ignore[return-value]


@dataclass
class PublishResult:
    built: bool = False
    message: str = ""
    published: bool = False


def publish(
    store: Store, site_dir: Path, config: Config, output: Path | None = None
) -> PublishResult:
    """Votes folded into the comment files, an incremental build, the publish command."""
    result = PublishResult()
    by_article: dict[str, dict[str, int]] = {}
    for (article, comment), total in store.vote_totals().items():
        by_article.setdefault(article, {})[comment] = total
    for article, totals in sorted(by_article.items()):
        try:
            set_votes(comments_path(site_dir / CONTENT_DIR, article), totals)
        except (CommentFileRefused, OSError):
            continue  # the votes stay in the database; the next publish tries again
    command = [sys.executable, "-m", "blogsmith", "build", "--site", str(site_dir)]
    if output is not None:
        command += ["--output", str(output)]
    try:  # a process of its own: the service's threads never share a fork with the build
        built = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        result.message = f"the build did not run: {exc}"
        return result
    lines = (built.stdout + built.stderr).strip().splitlines()
    if built.returncode != 0:
        result.message = "the build failed: " + " / ".join(lines[-6:])
        return result
    result.built = True
    result.message = next((line for line in reversed(lines) if line.startswith("built ")), "")
    if config.comments_publish:
        try:
            done = subprocess.run(
                shlex.split(config.comments_publish),
                cwd=site_dir,
                capture_output=True,
                text=True,
                timeout=600,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            result.message += f"; the publish command failed: {exc}"
            return result
        result.published = done.returncode == 0
        if not result.published:
            result.message += (
                f"; the publish command exited with {done.returncode}: "
                f"{(done.stderr or done.stdout).strip()[-500:]}"
            )
    return result


@dataclass
class Publisher:
    """The service's publish step, in a thread of its own: approvals in a burst make one
    build, and a request waits for none. A request made while a publish runs makes another
    (that one may have read the files already)."""

    store: Store
    site_dir: Path
    config: Config
    output: Path | None = None
    fold_every: float = 3600.0
    """Seconds between publishes that fold new votes in (approvals publish at once)."""
    last: PublishResult | None = None
    _wanted: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._loop, name="publish", daemon=True).start()

    def request(self) -> None:
        self._wanted.set()

    def _totals(self) -> dict | None:
        try:
            return self.store.vote_totals()
        except Exception:  # the database is away: the next round tries again
            return None

    def _loop(self) -> None:
        folded = self._totals()
        while True:
            asked = self._wanted.wait(timeout=self.fold_every)
            totals = self._totals()
            if not asked and (totals is None or totals == folded):
                continue  # no vote since the last publish: nothing to fold
            folded = totals
            self._wanted.clear()
            try:
                self.last = publish(self.store, self.site_dir, self.config, self.output)
            except Exception as exc:  # the service keeps serving; the moderator sees why
                self.last = PublishResult(message=f"publishing failed: {exc}")
