"""How text becomes search terms: the one rule the index and the search page both follow.

Japanese has no spaces, so dictionary word-splitting guesses, and a guess the query does not
repeat finds nothing (a katakana name next to Latin letters, a counter after a number). Here
runs of kanji and kana are cut into overlapping pairs of characters instead, which needs no
dictionary and matches any substring of two or more characters; a query must hold every
pair, so a page that shares one character with it never matches. Latin letters and digits
are words, and so are their leading parts at each change between letters and digits or at
a hyphen (F-35A is f35a, f35, f, 35 and a; TB2 is tb2, tb and 2). Where a word touches
Japanese (2035年, ルTB2) the pair across the join is a term too: the search page requires it
for a lone character and counts it as a bonus otherwise.

static/assets/search.js repeats these rules in JavaScript for the query; change both.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

CJK = (
    "\u3005\u3006\u3040-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff"
)
_UNITS = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+(?:[-.'’][^\W_{CJK}]+)*)")
_SEGMENTS = re.compile(r"\d+|[^\W\d_]+")

TITLE = 1000
"""A term's weight is its count in the body (at most TITLE - 1) plus TITLE for each time the
title or a tag has it: the search page reads the two parts back apart."""


def normalize(text: str) -> str:
    """Full-width letters and digits made half-width, half-width kana full-width, lowercase."""
    return unicodedata.normalize("NFKC", text).lower()


def terms(text: str) -> list[str]:
    """Every term of `text`, repeated as often as it occurs."""
    found: list[str] = []
    previous_end, previous_kind, previous_last = -1, "", ""
    for match in _UNITS.finditer(normalize(text)):
        japanese, word = match.group(1), match.group(2)
        if japanese:
            kind, first, last = "j", japanese[0], japanese[-1]
            found.extend(japanese[i : i + 2] for i in range(len(japanese) - 1))
            found.extend(japanese)
        else:
            segments = _SEGMENTS.findall(word)
            joined = "".join(segments)
            kind, first, last = "w", joined, joined
            found.append(joined)
            if len(segments) > 1:  # f-35a: also f, 35, a, f35
                found.extend(segments)
                found.extend("".join(segments[:n]) for n in range(2, len(segments)))
        if match.start() == previous_end and previous_kind not in ("", kind):
            found.append(previous_last + first)
        previous_end, previous_kind, previous_last = match.end(), kind, last
    return [term for term in found if term]


def weights(title: str, body: str) -> dict[str, int]:
    """Term -> weight for one page (see TITLE)."""
    counts = {term: min(count, TITLE - 1) for term, count in Counter(terms(body)).items()}
    for term in terms(title):
        counts[term] = counts.get(term, 0) + TITLE
    return counts


def required_terms(query: str) -> list[str]:
    """The terms a page must have to match `query`, as the search page asks for them: every
    pair of a Japanese run, every word, and for a lone Japanese character its join with the
    word it touches (the character alone when it touches none)."""
    units = [
        (match.start(), match.end(), match.group(1), "".join(_SEGMENTS.findall(match.group(2))))
        if match.group(2)
        else (match.start(), match.end(), match.group(1), "")
        for match in _UNITS.finditer(normalize(query))
    ]
    wanted: list[str] = []
    for index, (start, end, japanese, word) in enumerate(units):
        before = units[index - 1] if index else None
        after = units[index + 1] if index + 1 < len(units) else None
        word_before = before[3] if before and before[1] == start and not before[2] else ""
        word_after = after[3] if after and after[0] == end and not after[2] else ""
        if not japanese:
            wanted.append(word)
        elif len(japanese) > 1:
            wanted.extend(japanese[i : i + 2] for i in range(len(japanese) - 1))
        else:
            if word_before:
                wanted.append(word_before + japanese)
            if word_after:
                wanted.append(japanese + word_after)
            if not word_before and not word_after:
                wanted.append(japanese)
    return [term for term in dict.fromkeys(wanted) if term]
