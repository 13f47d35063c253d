"""What a deploy does, decided before it changes anything: which files to send in which
phase, which to delete, and which it must refuse to touch.

The phases keep the site whole at every moment: new and changed assets (images,
stylesheets, scripts, the search index's files) first, then the pages that link them, then
what announces pages (feeds, sitemaps, robots.txt, the search index's meta.json, which makes
new index files reachable); deletions last, when no page links a deleted file any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blogsmith.deploy.local import LocalFile
from blogsmith.deploy.targets.base import Upload

PHASES = ("assets", "pages", "announcements")


def phase_of(path: str) -> str:
    if path.endswith(".html"):
        return "pages"
    if path.endswith(".xml") or path in ("robots.txt", "search/meta.json"):
        return "announcements"
    return "assets"


@dataclass
class Plan:
    sends: dict[str, list[Upload]] = field(default_factory=lambda: {p: [] for p in PHASES})
    deletes: list[str] = field(default_factory=list)
    unchanged: int = 0
    adopt: dict[str, str] = field(default_factory=dict)
    """Files the target already holds with our bytes (a first deploy, --verify): recorded
    as ours without sending them."""
    forget: list[str] = field(default_factory=list)
    """Files recorded as ours that the target no longer holds, or holds changed by hand
    where nothing of ours goes any more (kept, never deleted)."""
    foreign: list[str] = field(default_factory=list)
    """Our paths where the target holds other bytes that blogsmith never put there."""

    @property
    def uploads(self) -> list[Upload]:
        return [upload for phase in PHASES for upload in self.sends[phase]]


def plan(
    local: dict[str, LocalFile],
    sent: dict[str, str],
    holdings: dict[str, str | None] | None,
    left_out: frozenset[str] = frozenset(),
) -> Plan:
    """From what the output holds, what the deploy sent before and, when it was asked
    (`holdings`), what the target holds now. Names left out of the output (links) are
    neither sent nor deleted."""
    result = Plan()
    for path, file in sorted(local.items()):
        if _needs_sending(result, path, file.digest, sent, holdings):
            upload = Upload(path, file.source, file.digest, file.size)
            result.sends[phase_of(path)].append(upload)
        else:
            result.unchanged += 1
    for path, digest in sorted(sent.items()):
        if path in local or path in left_out:
            continue
        if holdings is None or holdings.get(path, "") == digest:
            result.deletes.append(path)
        else:
            result.forget.append(path)
    return result


def _needs_sending(
    result: Plan,
    path: str,
    digest: str,
    sent: dict[str, str],
    holdings: dict[str, str | None] | None,
) -> bool:
    if holdings is None:
        return sent.get(path) != digest
    if path not in holdings:
        return True  # new, or removed by hand
    held = holdings[path]
    if held == digest:
        if sent.get(path) != digest:
            result.adopt[path] = digest
        return False
    if path in sent:
        return True  # ours, changed by hand or out of date: sent again
    result.foreign.append(path)
    return False
