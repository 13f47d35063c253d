"""One deploy: read the output and what this target was sent before, decide (plan.py), then
send phase by phase, recording every confirmed step at once (journal.py).

Nothing is changed before every check has passed: a file of someone else's where ours would
go, more deletions than allowed, a damaged output. While the deploy runs it holds the
output's build lock, so a build cannot replace a file between its digest and its upload.

A deploy with nothing to send, delete, adopt or forget, whose output's files kept their
figures, writes nothing: the state is read once and left as it was.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from blogsmith.deploy.journal import Journal
from blogsmith.deploy.local import scan
from blogsmith.deploy.names import some
from blogsmith.deploy.plan import PHASES, Plan, plan
from blogsmith.deploy.state import DeployState, StateFiles, fold, load, settle
from blogsmith.deploy.targets.base import DeployFailed, Target, Upload
from blogsmith.output.writer import OutputBusy, writing


class DeployRefused(DeployFailed):
    """Stopped before changing anything; the message says how to proceed."""

    def __init__(self, message: str, files: Sequence[str] = ()):
        super().__init__(message)
        self.files = list(files)


@dataclass(frozen=True)
class DeployOptions:
    dry_run: bool = False
    verify: bool = False
    max_deletes: int | None = None
    """None: 10% of the files deployed, at least 50."""


@dataclass
class DeployReport:
    plan: Plan
    left_out: list[str]
    uploaded: int = 0
    deleted: int = 0
    seconds: float = 0.0
    changed: list[str] = field(default_factory=list)
    """Paths changed in the target by this deploy and by any unreported one before it."""


Announce = Callable[[list[str]], bool]
"""Told the changed paths after a deploy (--changed-urls, the CDN); True: they are reported;
False: the next deploy tells them again."""


def deploy(
    output: Path,
    cache_dir: Path,
    target: Target,
    options: DeployOptions,
    announce: Announce | None = None,
) -> DeployReport:
    started = time.monotonic()
    files = StateFiles.of(cache_dir, target.url)
    if not output.is_dir():
        raise DeployFailed(f"{output} is not a built site: run `blogsmith build` first")
    try:
        with writing(output):
            report, state = _deploy_locked(output, files, target, options)
            if not options.dry_run and (announce is None or announce(report.changed)):
                _reported(files, state, report.changed)
    except OutputBusy:
        raise DeployFailed(
            f"{output} is being built right now; deploy when the build is done"
        ) from None
    finally:
        gc.unfreeze()  # see _out_of_collection
    report.seconds = time.monotonic() - started
    return report


def _deploy_locked(
    output: Path, files: StateFiles, target: Target, options: DeployOptions
) -> tuple[DeployReport, DeployState]:
    """The deploy, and the state as it now is on disk (the lock held: no one else writes
    it)."""
    with _out_of_collection():
        state = load(files)
        local = scan(output, state.memo)
        holdings = target.holdings() if options.verify or not state.trusted else None
        decided = plan(local.files, state.sent, holdings, frozenset(local.left_out))
    report = DeployReport(decided, local.left_out)
    _check(decided, state, target.url, options)
    if options.dry_run:
        return report, state
    if local.memo != state.memo:
        state.memo = local.memo
        state.settled = False
    if not state.settled:  # else the state file holds exactly this, and there is no journal
        settle(files, state)  # the journal starts empty, the memo is kept even if this fails
    if decided.uploads or decided.deletes or decided.adopt or decided.forget:
        journal = Journal(files.journal, files.url)
        try:
            for path, digest in decided.adopt.items():
                journal.record(["=", path, digest])
            for path in decided.forget:
                journal.record(["x", path])
            _carry_out(decided, target, journal, report)
        finally:
            journal.close()
        fold(files, state)  # what the target confirmed, as recorded
        settle(files, state)
    report.changed = sorted(state.pending)
    return report, state


@contextmanager
def _out_of_collection() -> Iterator[None]:
    """The state, the scan and the plan are a few objects per file (hundreds of thousands,
    without cycles) that live to the end of the deploy: the cyclic collector would only look
    at them again and again (a tenth of a deploy with nothing to send). It is off while they
    are made, then they are frozen out of its way (as the build does; `deploy` unfreezes)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _reported(files: StateFiles, state: DeployState, changed: list[str]) -> None:
    if changed:
        state.pending.difference_update(changed)
        settle(files, state)


def _check(decided: Plan, state: DeployState, url: str, options: DeployOptions) -> None:
    if decided.foreign:
        raise DeployRefused(
            f"{url} holds files that blogsmith did not deploy where it would put its own "
            f"({some(decided.foreign)}); nothing was changed. blogsmith never overwrites them: "
            "remove or move them in the target (or deploy to an empty one) and deploy again",
            decided.foreign,
        )
    limit = options.max_deletes
    if limit is None:
        limit = max(50, math.ceil(len(state.sent) / 10))
    if len(decided.deletes) > limit:
        raise DeployRefused(
            f"this deploy would delete {len(decided.deletes)} files from {url} "
            f"({some(decided.deletes)}), more than the {limit} allowed; nothing was changed. "
            "If the last build is right, deploy again with "
            f"--max-deletes {len(decided.deletes)}; if not, fix the site and build again",
            decided.deletes,
        )


def _carry_out(decided: Plan, target: Target, journal: Journal, report: DeployReport) -> None:
    """Each phase in order, one call each; every confirmation recorded as it comes."""
    for phase in PHASES:
        uploads = decided.sends[phase]
        if uploads:
            target.send(uploads, _recorder(uploads, journal, report))
    if decided.deletes:
        wanted = set(decided.deletes)

        def deleted(path: str) -> None:
            if path in wanted:
                wanted.discard(path)
                journal.record(["-", path])
                report.deleted += 1

        target.delete(decided.deletes, deleted)
    if decided.uploads or decided.deletes:
        target.finish(
            f"blogsmith deploy: {len(decided.uploads)} uploaded, {len(decided.deletes)} deleted"
        )


def _recorder(uploads: Sequence[Upload], journal: Journal, report: DeployReport):
    digests = {upload.path: upload.digest for upload in uploads}

    def done(path: str) -> None:
        digest = digests.pop(path, None)
        if digest is not None:
            journal.record(["+", path, digest])
            report.uploaded += 1

    return done
