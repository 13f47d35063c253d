"""How a term's postings are written: a few characters a page, with where a pair stands.

A term's postings are one string: for each page that has the term, in id order, the id (the
first as it is, each next as the step from the one before), then how often the term is in the
page's title and tags, then how often in its text. A pair of Japanese characters then lists
where it stands on the page (counted in code points of the normalized title, then of the
normalized text after it), each as the step from the one before: so the search page keeps a
result only where a query's pairs stand one after another, exactly the pages that hold each
Japanese run of the query as typed. Pairs alone also find pages that hold them apart: 双方の主張
asks for 双方, 方の, の主, 主張, and a page saying 双方 here and の主張 there has them all.

Each number is written in base 43, its last digit from TERMINAL and any digit before it from
LEADING, so no separator is needed: below 43 is one character, below 1,849 two; no character
needs escaping in JSON. A pair that stands more than MAX_PLACES times on a page (only
machine-made text does that) lists no places there: the search page then asks that pair only
to be on the page, as it did before places were kept.

static/assets/search.js reads the same strings: change both.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import sub

TERMINAL = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LEADING = "#$%&'()*+,-./abcdefghijklmnopqrstuvwxyz{|}~"
BASE = len(TERMINAL)
MAX_PLACES = 999
"""Places listed per pair and page, and the most a page's text counts for a term's weight."""

_VALUE = {char: value for value, char in enumerate(TERMINAL)}
_LEAD = {char: value for value, char in enumerate(LEADING)}


def _long_number(value: int) -> str:
    digits = TERMINAL[value % BASE]
    value //= BASE
    while value:
        digits = LEADING[value % BASE] + digits
        value //= BASE
    return digits


_SHORTS = BASE * BASE
WRITTEN = [_long_number(value) for value in range(5 * _SHORTS)]
"""Every number below 5 * 1,849 (9,245), written once: nearly every id step, count and place
(the loops that write millions look them up themselves; a fifth of a page's pairs stand past
1,849, which took a call of _long_number each when the table stopped there)."""
_WRITTEN = len(WRITTEN)


def number(value: int) -> str:
    return WRITTEN[value] if value < _WRITTEN else _long_number(value)


_IN_TEXT = ["0" + written for written in WRITTEN[:_SHORTS]]
"""entry(0, count) for the counts of one or two characters: a term not in the title."""
_ALONE = ["01" + written for written in WRITTEN]
"""entry(0, 1, [place]) for the places below _WRITTEN: a pair that stands once on a page, not
in its title, as most do."""


def entry(in_title: int, in_text: int, places: list[int] | None = None) -> str:
    """What a page's posting holds after its id: the counts, and a pair's `places` in order
    (none past MAX_PLACES)."""
    table = WRITTEN
    written = [number(in_title), number(in_text)]
    if places is not None and len(places) <= MAX_PLACES:
        previous = 0
        for place in places:
            gap = place - previous
            written.append(table[gap] if gap < _WRITTEN else _long_number(gap))
            previous = place
    return "".join(written)


def counts_in_text(counts: dict[str, int]) -> dict[str, str]:
    """entry(0, count) for every term of `counts` (most of a page's terms are not in its
    title): looked up in one comprehension, not written one call at a time."""
    if max(counts.values(), default=0) >= _SHORTS:
        return {term: "0" + number(count) for term, count in counts.items()}
    written = _IN_TEXT
    return {term: written[count] for term, count in counts.items()}


def pairs_in_text(places: dict[str, list[int]], found: dict[str, str]) -> None:
    """entry(0, len(at), at) for every pair of `places`, none of them in the title (a count
    past MAX_PLACES is written as MAX_PLACES + 1, as it always was), put in `found` (the
    page's other terms: merging a dict of its own cost a tenth of this). A page has hundreds
    of pairs, most standing once or twice: one loop with the tables at hand writes them, not
    a call each."""
    table, wide, long, alone = WRITTEN, _WRITTEN, _long_number, _ALONE
    for pair, at in places.items():
        count = len(at)
        if count == 1:
            place = at[0]
            found[pair] = alone[place] if place < wide else "01" + long(place)
            continue
        if count == 2 and at[1] < wide:
            first = at[0]
            found[pair] = "02" + table[first] + table[at[1] - first]
            continue
        if count > MAX_PLACES:  # counted as MAX_PLACES + 1, its places left out
            found[pair] = entry(0, MAX_PLACES + 1)
            continue
        written, previous = [_IN_TEXT[count]], 0
        for place in at:
            gap = place - previous
            written.append(table[gap] if gap < wide else long(gap))
            previous = place
        found[pair] = "".join(written)


def numbers_below(end: int) -> list[str]:
    """number(value) for every value below `end`, to look up (WRITTEN when it holds them)."""
    if end <= _WRITTEN:
        return WRITTEN
    return WRITTEN + [_long_number(value) for value in range(_WRITTEN, end)]


def stepped(found: list, steps: list[str]) -> tuple[int, str, int]:
    """A term's [id, entry, id, entry…] over pages in id order as (the first id, what is
    written after it, the last id): each later id as the step from the one before, looked up
    in `steps` (which holds every step), all in C-level calls and one join. Reuses `found`."""
    first, last = found[0], found[-2]
    found[2::2] = map(steps.__getitem__, map(sub, found[2::2], found[:-2:2]))
    found[0] = ""
    return first, "".join(found), last


def write(postings: Iterable[tuple[int, str]], previous: int | None = None) -> str:
    """(id, entry) pairs in id order as a term's string; after `previous`, the first id is
    written as the step from it (to append to a string that ends with that id)."""
    written = []
    for number_, made in postings:
        written.append(number(number_ if previous is None else number_ - previous) + made)
        previous = number_
    return "".join(written)


def read(text: str, pair: bool) -> list[tuple[int, str]]:
    """A term's string back as (id, entry) pairs; `pair`: the term is a pair of Japanese
    characters (its entries list places)."""
    numbers = _numbers(text)
    found, at, page = [], 0, None
    while at < len(numbers):
        page = numbers[at] if page is None else page + numbers[at]
        in_title, in_text = numbers[at + 1], numbers[at + 2]
        size = in_title + in_text if pair and in_title + in_text <= MAX_PLACES else 0
        found.append((page, _text_of(numbers[at + 1 : at + 3 + size])))
        at += 3 + size
    return found


def places(made: str) -> list[int] | None:
    """Where a pair stands, from its entry; None when it stands there too often to list."""
    numbers = _numbers(made)
    if numbers[0] + numbers[1] > MAX_PLACES:
        return None
    found, at = [], 0
    for gap in numbers[2:]:
        at += gap
        found.append(at)
    return found


def holds_run(entries: list[str]) -> bool:
    """Whether a page holds a Japanese run whose pairs, in order, have these entries on it:
    some place of the first pair followed by the next pair one place on, and so on. A pair
    that lists no places is taken as standing anywhere."""
    starts: set[int] | None = None
    for offset, made in enumerate(entries):
        where = places(made)
        if where is None:
            continue
        here = {place - offset for place in where}
        starts = here if starts is None else starts & here
        if not starts:
            return False
    return True


def _numbers(text: str) -> list[int]:
    numbers, current = [], 0
    for char in text:
        lead = _LEAD.get(char)
        if lead is None:
            numbers.append(current * BASE + _VALUE[char])
            current = 0
        else:
            current = current * BASE + lead
    return numbers


def _text_of(numbers: list[int]) -> str:
    """Numbers written again (an entry, whose places are steps already)."""
    return "".join(map(number, numbers))
