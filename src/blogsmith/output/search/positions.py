"""Where a pair of Japanese characters stands in a page, written small enough to ship.

Pairs alone find every page that holds a query, but also pages that hold its pairs apart:
双方の主張 asks for 双方, 方の, の主, 主張, and a page saying 双方 here and の主張 there has
them all. So a pair's posting carries the places where the pair starts (counted in code points
of the normalized title, then of the normalized text after it), and the search page keeps a
result only where the query's pairs stand one after another: exactly the pages that hold
each Japanese run of the query as typed.

A posting's value is a string: the number of places in the title first, then the places in
order, each as the gap from the one before (the first from 0). Each number is written in base
43, its last digit from TERMINAL and any digit before it from LEADING, so no separator is
needed: a number below 43 is one character, below 1,849 two. No character needs escaping in
JSON. A page where one pair stands more than MAX_PLACES times (only machine-made text does
that) keeps no places for it, only OVERFLOW: the search page then asks that pair only to be
there, as it did before places were kept.

static/assets/search.js reads the same strings: change both.
"""

from __future__ import annotations

TERMINAL = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LEADING = "#$%&'()*+,-./abcdefghijklmnopqrstuvwxyz{|}~"
BASE = len(TERMINAL)
OVERFLOW = "!"
MAX_PLACES = 999
"""Places kept per pair and page; as terms.TITLE - 1, the most a page's body counts."""

_VALUE = {char: value for value, char in enumerate(TERMINAL)}
_LEAD = {char: value for value, char in enumerate(LEADING)}


def encode(in_title: int, places: list[int]) -> str:
    """A pair's value for one page: `places` in order, the first `in_title` of them in the
    title; OVERFLOW instead of them past MAX_PLACES."""
    if len(places) > MAX_PLACES:
        return _number(in_title) + OVERFLOW
    short, previous = _SHORT, 0
    written = [_number(in_title)]
    for place in places:
        gap = place - previous
        written.append(short[gap] if gap < _SHORTS else _number(gap))
        previous = place
    return "".join(written)


def _number(value: int) -> str:
    digits = TERMINAL[value % BASE]
    value //= BASE
    while value:
        digits = LEADING[value % BASE] + digits
        value //= BASE
    return digits


_SHORTS = BASE * BASE
_SHORT = [_number(value) for value in range(_SHORTS)]
"""Every number of one or two characters, written once: most places are."""
ALONE = {place: TERMINAL[0] + _SHORT[place] for place in range(_SHORTS)}
"""encode(0, [place]) for the places _SHORT writes: a pair that stands once, not in the title."""


def decode(value: str) -> tuple[int, list[int] | None]:
    """(places in the title, every place) from encode()'s string; None for the places of
    a pair that overflowed."""
    numbers, current = [], 0
    for char in value:
        if char == OVERFLOW:
            return numbers[0], None
        lead = _LEAD.get(char)
        if lead is None:
            numbers.append(current * BASE + _VALUE[char])
            current = 0
        else:
            current = current * BASE + lead
    places, at = [], 0
    for gap in numbers[1:]:
        at += gap
        places.append(at)
    return numbers[0], places


def holds_run(values: list[str]) -> bool:
    """Whether a page holds a Japanese run whose pairs, in order, have these values on it:
    some place of the first pair followed by the next pair one place on, and so on. A pair
    that overflowed is taken as standing anywhere."""
    starts: set[int] | None = None
    for offset, value in enumerate(values):
        places = decode(value)[1]
        if places is None:
            continue
        here = {place - offset for place in places}
        starts = here if starts is None else starts & here
        if not starts:
            return False
    return True
