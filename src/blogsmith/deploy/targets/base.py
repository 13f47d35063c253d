"""What every deploy target does, whatever it stores files in.

The deploy itself (deploy/run.py) decides what to send, in which order and what to delete,
from what it last sent to this target; a target only carries out those steps and, for
`--verify` or a first deploy, says what it holds. Paths are the output's relative paths with
`/` (`europe/ceasefire/index.html`); digests are MD5 hex of the bytes (what S3 calls an ETag
for a single-part upload, so a bucket's listing can be compared without reading a file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class DeployFailed(Exception):
    """The target refused or could not be reached: one message that says what to do (the
    next deploy finishes the job)."""


@dataclass(frozen=True)
class Upload:
    path: str
    """Relative output path, with `/`."""
    source: Path
    """The file in the output folder (a regular file, never a link)."""
    digest: str
    """MD5 hex of its bytes."""
    size: int


Done = Callable[[str], None]
"""Called with a path once the target holds that file as sent (or no longer holds a deleted
one): the deploy records it at once, so an interrupted deploy is finished by the next one
without sending it again."""


@dataclass(frozen=True)
class DeploySettings:
    """What `blogsmith.yaml`'s `deploy:` section tells the targets."""

    cache_control: tuple[tuple[str, str], ...] = ()
    """(glob pattern on the path, Cache-Control value), the first match wins; a target with
    headers (S3) sends the value, others ignore it."""
    cloudfront: str | None = None
    """A CloudFront distribution to invalidate the changed paths of."""
    invalidate_limit: int = 100
    """Past this many changed paths, one `/*` invalidation instead."""
    redirects: dict[str, str] = field(default_factory=dict)
    """Output file -> the URL path it redirects to (`host_redirects: s3`): a target that can
    answer a path with a redirect (an S3 website) is told to."""


class Target(Protocol):
    url: str
    """As the user wrote it (`s3://news-archive/`), for messages."""

    def holdings(self) -> dict[str, str | None]:
        """Every file the target holds now: path -> MD5 hex, or None when the target cannot
        say it without reading the file (then the deploy treats it as different)."""
        ...

    def send(self, uploads: Sequence[Upload], done: Done) -> None:
        """Puts these files (one phase of the deploy: assets, pages or feeds), each replacing
        what is at its path; calls `done` for each as soon as it is in place."""
        ...

    def delete(self, paths: Sequence[str], done: Done) -> None:
        """Removes these files (only ever ones blogsmith sent before)."""
        ...

    def finish(self, message: str) -> None:
        """Ends the deploy (a git target commits and pushes here, then calls the `done` it
        kept; others have nothing left to do). `message` describes the deploy."""
        ...

    def close(self) -> None:
        """Releases connections and temporary files, whether or not the deploy finished."""
        ...
