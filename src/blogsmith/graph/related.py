"""Deterministic related-article scoring through indexes of tags and categories.

Every candidate comes from an index (same tag, same category, nearest in time), and large
index lists are searched only near the article's date, so the cost per article is bounded
whatever the archive's size: no pair of articles is ever compared blindly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from blogsmith.core.workers import inherited, map_in_workers

TAG_WEIGHT = 3.0
CATEGORY_WEIGHT = 1.0
CLOSENESS_SECONDS = 30.0 * 86400.0
WHOLE_LIST_LIMIT = 60
WINDOW = 20


@dataclass(frozen=True)
class Entry:
    key: str
    timestamp: float
    category: str | None
    tags: tuple[str, ...]


def _order(entry: Entry) -> tuple[float, str]:
    return (entry.timestamp, entry.key)


class _DatedList:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.times: list[float] = []

    def freeze(self) -> None:
        self.entries.sort(key=_order)
        self.times = [e.timestamp for e in self.entries]

    def near(self, timestamp: float, size: int) -> list[Entry]:
        if len(self.entries) <= max(size * 2, WHOLE_LIST_LIMIT):
            return self.entries
        middle = bisect_left(self.times, timestamp)
        return self.entries[max(0, middle - size) : middle + size]


class RelatedIndex:
    def __init__(self, entries: list[Entry]):
        self.by_tag: dict[str, _DatedList] = defaultdict(_DatedList)
        self.by_category: dict[str | None, _DatedList] = defaultdict(_DatedList)
        self.everything = _DatedList()
        for entry in entries:
            for tag in entry.tags:
                self.by_tag[tag].entries.append(entry)
            self.by_category[entry.category].entries.append(entry)
            self.everything.entries.append(entry)
        for dated in (*self.by_tag.values(), *self.by_category.values(), self.everything):
            dated.freeze()

    def readers_of(self, entry: Entry, count: int) -> set[str]:
        """The keys of the indexed articles whose best() may change when `entry` (which is in
        this index) joins or leaves it: best() reads only the lists of its own tags, category
        and everything, each whole when short or else near its own date, so an article far
        (in that list's order) from `entry`, or sharing no list with it, is not affected."""
        lists = [(self.by_tag[tag], WINDOW) for tag in entry.tags]
        lists += [(self.by_category[entry.category], WINDOW), (self.everything, count * 2)]
        readers: set[str] = set()
        for dated, size in lists:
            entries, times = dated.entries, dated.times
            if len(entries) <= max(size * 2, WHOLE_LIST_LIMIT) + 1:  # whole, with or without it
                readers.update(e.key for e in entries)
                continue
            at = bisect_left(entries, (entry.timestamp, entry.key), key=_order)
            low = times[max(0, at - size - 1)]
            high = times[min(len(entries) - 1, at + size + 1)]
            nearby = entries[bisect_left(times, low) : bisect_right(times, high)]
            readers.update(e.key for e in nearby)
        return readers

    def candidates(self, article: Entry, count: int) -> tuple[dict[str, Entry], dict[str, int]]:
        """What best() chooses from: (every entry it looks at, by key; the tags each shares)."""
        shared: dict[str, int] = defaultdict(int)
        found: dict[str, Entry] = {}
        for tag in article.tags:
            for entry in self.by_tag[tag].near(article.timestamp, WINDOW):
                shared[entry.key] += 1
                found[entry.key] = entry
        same_category = self.by_category[article.category].near(article.timestamp, WINDOW)
        for entry in same_category:
            found[entry.key] = entry
        for entry in self.everything.near(article.timestamp, count * 2):
            found.setdefault(entry.key, entry)
        return found, shared

    def best(self, article: Entry, count: int, exclude: set[str]) -> list[str]:
        """The `count` best-scoring other articles: shared tags, then category, then time."""
        if count <= 0:
            return []
        found, shared = self.candidates(article, count)
        here = article.timestamp
        scored = []
        for key, entry in found.items():
            if key == article.key or key in exclude:
                continue
            score = (
                TAG_WEIGHT * shared.get(key, 0)
                + (CATEGORY_WEIGHT if entry.category == article.category else 0.0)
                + 1.0 / (1.0 + abs(entry.timestamp - here) / CLOSENESS_SECONDS)
            )
            scored.append((-score, -entry.timestamp, key))
        scored.sort()
        return [key for _, _, key in scored[:count]]


Inputs = tuple[int, tuple[Entry, ...], tuple[tuple[Entry, tuple[str, ...]], ...]]
"""(related_count, every published article's entry in time order, (each article's entry, its
hand-picked related keys))."""

Scoring = tuple[Inputs, dict[str, tuple[str, ...]]]
"""The inputs of one scoring and its result: each requesting article's related block."""

RESCORE_LIMIT = 64
"""Past this many articles added, removed or changed, every related block is scored again."""


def related_blocks(inputs: Inputs, before: Scoring | None = None) -> dict[str, tuple[str, ...]]:
    """Each requesting article's related block: its picks, then the best of the rest. With
    `before` (an earlier build's inputs and result), only the blocks an edit can reach are
    scored again: an addition rescores a few hundred articles, not ten thousand."""
    count, entries, requests = inputs
    index = RelatedIndex(list(entries))
    again = _to_score_again(inputs, before, index) if before is not None else None
    scored = [(wanted, picks) for wanted, picks in requests if again is None or wanted.key in again]
    blocks = map_in_workers(_block, scored, inherit=(index, count))
    made = {wanted.key: block for (wanted, _), block in zip(scored, blocks, strict=True)}
    return {
        wanted.key: made[wanted.key] if wanted.key in made else before[1][wanted.key]
        for wanted, _ in requests
    }


def _block(wanted: Entry, picks: tuple[str, ...]) -> tuple[str, ...]:
    """One article's block, on every core when many are scored (a cold build's ten thousand
    took 1.3 s, most of the graph stage, on one core while the other waited)."""
    index, count = inherited()
    return picks + tuple(index.best(wanted, count - len(picks), set(picks)))


def _to_score_again(inputs: Inputs, before: tuple, index: RelatedIndex) -> set[str] | None:
    """The articles whose blocks must be scored again: those a changed article's presence or
    absence can reach (see RelatedIndex.readers_of), those whose own request changed or that
    had no block, and those outside the index (drafts shown with --drafts). None: all."""
    (count, entries, requests), (old_count, old_entries, old_requests) = inputs, before[0]
    if count != old_count:
        return None
    now = {e.key: e for e in entries}
    then = {e.key: e for e in old_entries}
    gone = [e for key, e in then.items() if now.get(key) != e]
    came = [e for key, e in now.items() if then.get(key) != e]
    if len(gone) + len(came) > RESCORE_LIMIT:
        return None
    again: set[str] = set()
    if gone:
        old_index = RelatedIndex(list(old_entries))
        for changed in gone:
            again |= old_index.readers_of(changed, count)
    for changed in came:
        again |= index.readers_of(changed, count)
    asked = {wanted.key: (wanted, picks) for wanted, picks in old_requests}
    for wanted, picks in requests:
        key = wanted.key
        if asked.get(key) != (wanted, picks) or key not in now or key not in before[1]:
            again.add(key)
    return again
