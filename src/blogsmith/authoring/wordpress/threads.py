"""A post's comments as a thread the site builds, however the export tangled it.

An export is not a database: ids repeat, a comment can answer itself and parents can form a
loop. Every approved comment is kept all the same, renumbered or cut loose from its parent as
little as needed, and the report says so.
"""

from __future__ import annotations

from collections import Counter

from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.comments import comment_entry
from blogsmith.authoring.wordpress.report import Report
from blogsmith.core.config import Config


def comment_thread(
    comments: list[wxr.Comment], config: Config, report: Report, source: str
) -> list[dict]:
    """The approved comments, replies to left-out ones moved up to the nearest kept one."""
    ids = _Ids(comments)
    kept: dict[int, dict] = {}
    """Position in the thread -> the entry of a kept comment."""
    kept_position: dict[str, int] = {}
    """The id of a kept first comment -> its position."""
    for position, comment in enumerate(comments):
        new_id = ids.give(comment)
        entry = comment_entry(comment, new_id, config, report)
        if entry is None:
            continue
        kept[position] = entry
        if new_id == comment.id:
            kept_position[comment.id] = position
    ids.note_repeats(report, source)
    nearest = _NearestKept(ids.first, kept_position)
    parent_of = _parents(comments, kept, nearest, report, source)
    _cut_loops(parent_of, kept, report, source)
    return _with_parents(kept, parent_of)


class _Ids:
    """Ids unique in the thread: the first comment with an id keeps it, the others get it
    with a number after it."""

    def __init__(self, comments: list[wxr.Comment]) -> None:
        self.first: dict[str, wxr.Comment] = {}
        """An id -> its first comment: what a reply to that id answers."""
        self.taken = {comment.id for comment in comments}
        self.repeats: Counter = Counter()

    def give(self, comment: wxr.Comment) -> str:
        original = comment.id
        if original and original not in self.first:
            self.first[original] = comment
            return original
        self.repeats[original] += 1
        return self._unused(original or "comment")

    def _unused(self, original: str) -> str:
        number = 2
        while f"{original}-{number}" in self.taken:
            number += 1
        self.taken.add(f"{original}-{number}")
        return f"{original}-{number}"

    def note_repeats(self, report: Report, source: str) -> None:
        for original, count in sorted(self.repeats.items()):
            if original:
                said = (
                    f"comment {original} appears {count + 1} times in the export; the others "
                    "were given new ids, and replies answer the first"
                )
            else:
                said = f"{count} comments have no id in the export; they were given new ids"
            report.notes.append(f"{source}: {said}")


class _NearestKept:
    """The nearest kept comment at or above an id, remembered along the way, so that a long
    chain of left-out comments is walked once, not once per reply below it."""

    def __init__(self, first: dict[str, wxr.Comment], kept: dict[str, int]) -> None:
        self.first, self.kept = first, kept
        self.known: dict[str, int | None] = {}

    def __call__(self, comment_id: str) -> int | None:
        walked: list[str] = []
        on_path: set[str] = set()
        current = comment_id
        while True:
            if current in self.kept:
                found = self.kept[current]
                break
            if current in self.known:
                found = self.known[current]
                break
            comment = self.first.get(current)
            if comment is None or current in on_path:  # missing, or a loop of left-out ones
                found = None
                break
            walked.append(current)
            on_path.add(current)
            current = comment.parent
        for walked_id in walked:
            self.known[walked_id] = found
        return found


def _parents(
    comments: list[wxr.Comment],
    kept: dict[int, dict],
    nearest: _NearestKept,
    report: Report,
    source: str,
) -> dict[int, int]:
    """Position of each kept reply -> position of the kept comment it now answers."""
    parent_of: dict[int, int] = {}
    for position in kept:
        comment = comments[position]
        if comment.parent in ("0", ""):
            continue
        if comment.parent == comment.id:
            report.notes.append(
                f"{source}: comment {comment.id} answers itself; it now starts a thread"
            )
            continue
        target = nearest(comment.parent)
        if target != nearest.kept.get(comment.parent):
            report.reparented += 1
        if target is not None and target != position:
            parent_of[position] = target
    return parent_of


def _cut_loops(
    parent_of: dict[int, int], kept: dict[int, dict], report: Report, source: str
) -> None:
    """Each loop of replies cut at its comment first in the export, which starts the thread."""
    for loop in _loops(parent_of, kept):
        del parent_of[loop[0]]
        ids = ", ".join(str(kept[position]["id"]) for position in loop)
        report.notes.append(
            f"{source}: comments {ids} answer each other in a loop; "
            f"{kept[loop[0]]['id']} now starts the thread"
        )


def _loops(parent_of: dict[int, int], kept: dict[int, dict]) -> list[list[int]]:
    """Each loop of parents once, as positions starting with the one first in the export."""
    state: dict[int, int] = {}  # 1: on the path being walked, 2: done
    loops = []
    for start in kept:
        path: list[int] = []
        current: int | None = start
        while current is not None and current not in state:
            state[current] = 1
            path.append(current)
            current = parent_of.get(current)
        if current is not None and state[current] == 1:
            loops.append(sorted(path[path.index(current) :]))
        for position in path:
            state[position] = 2
    return loops


def _with_parents(kept: dict[int, dict], parent_of: dict[int, int]) -> list[dict]:
    """The entries in export order, each reply's `parent` written right after its `id`."""
    for position, target in parent_of.items():
        entry = kept[position]
        ordered = {"id": entry["id"], "parent": kept[target]["id"]}
        ordered.update((k, v) for k, v in entry.items() if k != "id")
        kept[position] = ordered
    return list(kept.values())
