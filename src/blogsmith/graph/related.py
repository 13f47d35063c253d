"""Deterministic related-article scoring through indexes of tags and categories.

Every candidate comes from an index (same tag, same category, nearest in time), and large
index lists are searched only near the article's date, so the cost per article is bounded
whatever the archive's size: no pair of articles is ever compared blindly.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

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


class _DatedList:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.times: list[float] = []

    def freeze(self) -> None:
        self.entries.sort(key=lambda e: (e.timestamp, e.key))
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

    def best(self, article: Entry, count: int, exclude: set[str]) -> list[str]:
        """The `count` best-scoring other articles: shared tags, then category, then time."""
        if count <= 0:
            return []
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
