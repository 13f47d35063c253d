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

from blogsmith.output.search import postings
from blogsmith.output.search.terms import is_pair

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
    """The segment's postings: term -> {id: entry} (postings.entry)."""

    def __init__(self, found: dict[str, dict[int, str]] | None = None):
        self.postings = found if found is not None else {}

    @classmethod
    def read(cls, files: Iterable[dict[str, str]]) -> Recent:
        """The segment from its files (decoded JSON)."""
        found: dict[str, dict[int, str]] = {}
        for data in files:
            for term, written in data.items():
                found.setdefault(term, {}).update(postings.read(written, is_pair(term)))
        return cls(found)

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

    def add(self, number: int, entries: dict[str, str]) -> None:
        for term, made in entries.items():
            self.postings.setdefault(term, {})[number] = made

    def size(self) -> int:
        return sum(len(found) for found in self.postings.values())

    def files(self, place: Callable[[str, int], int]) -> list[dict[str, str]]:
        """The segment cut into files of about a bucket's size, a term's file being
        place(term, file count) (the buckets' hash); none when it is empty."""
        count = file_count(self.size())
        files: list[dict[str, str]] = [{} for _ in range(count)]
        for term, found in self.postings.items():
            files[place(term, count)][term] = _written(found)
        return files


def file_count(size: int) -> int:
    """The power of two that gives each recent file at most about POSTINGS_PER_FILE."""
    if not size:
        return 0
    count = 1
    while count * POSTINGS_PER_FILE < size:
        count *= 2
    return count


def merged(
    bucket: dict[str, str], stale: set[int], recent: dict[str, dict[int, str]]
) -> dict[str, str]:
    """A bucket without the `stale` ids' postings and with the `recent` ones (its terms'),
    what the search page makes of the two: the buckets after a merge."""
    result: dict[str, dict[int, str]] = {}
    kept: dict[str, str] = {}
    for term, written in bucket.items():
        if not stale and term not in recent:
            kept[term] = written  # as it is
            continue
        found = dict(postings.read(written, is_pair(term)))
        for number in stale & found.keys():
            del found[number]
        if found:
            result[term] = found
    for term, found in recent.items():
        result.setdefault(term, {}).update(found)
    return kept | {term: _written(found) for term, found in result.items()}


def _written(found: dict[int, str]) -> str:
    return postings.write((number, found[number]) for number in sorted(found))
