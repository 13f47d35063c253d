"""The index's recent segment: the postings of pages added or changed since the last merge.

A 2,250-character Japanese article has over a thousand distinct terms, which land in about
half of a large archive's buckets: putting one article straight into the buckets rewrote (and
deployed) a thousand files. Instead its postings go to the few recent files (r/N.json, laid
out like the buckets, a term's file chosen by the same hash), and meta.json lists as stale the
ids whose postings in the buckets are out of date (the page was edited or deleted since). The
search page drops the stale ids from a bucket's postings and adds the recent ones, which is
exactly what merged buckets hold; the build merges them once the segment passes its bound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Value = int | str
"""What a posting holds for its page: a weight, or a pair's places (see terms.entries)."""

MAX_PAGES = 64
"""Pages (added, changed or deleted) since the last merge beyond which the buckets are merged:
two months of this archive's news at one article a day. A merge touches nearly every bucket of
a large archive whatever it merges, so it is worth doing rarely; the pages' stale ids, in
meta.json, stay a few hundred bytes."""

MAX_POSTINGS = 128_000
"""Postings in the segment beyond which the buckets are merged: 64 articles of the reference
archive (about 1,000 terms each) in at most 16 recent files of a bucket's size, so a query's
extra fetch costs what a bucket does, and an addition rewrites at most 16 of them. One huge
page can pass it alone: it is merged at once, as before."""

POSTINGS_PER_FILE = 8000
"""As index.POSTINGS_PER_BUCKET: each recent file is about a bucket's size."""


class Recent:
    """The segment's postings: term -> {id: value} (a weight, or a pair's places)."""

    def __init__(self, postings: dict[str, dict[int, Value]] | None = None):
        self.postings = postings if postings is not None else {}

    @classmethod
    def read(cls, files: Iterable[dict[str, list]]) -> Recent:
        """The segment from its files (decoded JSON)."""
        postings: dict[str, dict[int, Value]] = {}
        for data in files:
            for term, flat in data.items():
                postings.setdefault(term, {}).update(zip(flat[::2], flat[1::2], strict=True))
        return cls(postings)

    def without(self, ids: set[int]) -> None:
        """Drop every posting of `ids` (pages edited again or deleted)."""
        if not ids:
            return
        for term in list(self.postings):
            found = self.postings[term]
            for number in ids & found.keys():
                del found[number]
            if not found:
                del self.postings[term]

    def add(self, number: int, entries: dict[str, Value]) -> None:
        for term, value in entries.items():
            self.postings.setdefault(term, {})[number] = value

    def size(self) -> int:
        return sum(len(found) for found in self.postings.values())

    def files(self, place: Callable[[str, int], int]) -> list[dict[str, list]]:
        """The segment cut into files of about a bucket's size, a term's file being
        place(term, file count) (the buckets' hash); none when it is empty."""
        count = file_count(self.size())
        files: list[dict[str, list]] = [{} for _ in range(count)]
        for term, found in self.postings.items():
            files[place(term, count)][term] = _flat(found)
        return files


def file_count(postings: int) -> int:
    """The power of two that gives each recent file at most about POSTINGS_PER_FILE."""
    if not postings:
        return 0
    count = 1
    while count * POSTINGS_PER_FILE < postings:
        count *= 2
    return count


def merged(
    bucket: dict[str, list], stale: set[int], recent: dict[str, dict[int, Value]]
) -> dict[str, list]:
    """A bucket without the `stale` ids' postings and with the `recent` ones (its terms'),
    what the search page makes of the two: the buckets after a merge."""
    result: dict[str, list] = {}
    for term, flat in bucket.items():
        kept = _live(flat, stale) if stale else flat
        if kept:
            result[term] = kept
    for term, found in recent.items():
        joined = dict(zip(result.get(term, [])[::2], result.get(term, [])[1::2], strict=True))
        joined.update(found)
        result[term] = _flat(joined)
    return result


def _live(flat: list, stale: set[int]) -> list:
    kept: list = []
    for index in range(0, len(flat), 2):
        if flat[index] not in stale:
            kept += flat[index : index + 2]
    return kept


def _flat(found: dict[int, Value]) -> list:
    """{id: value} as the files hold it: [id, value, id, value, ...] in id order."""
    return [value for number in sorted(found) for value in (number, found[number])]
