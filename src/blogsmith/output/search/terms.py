"""How text becomes search terms: the one rule the index and the search page both follow.

Japanese has no spaces, so dictionary word-splitting guesses, and a guess the query does not
repeat finds nothing (a katakana name next to Latin letters, a counter after a number). Here
runs of kanji and kana are cut into overlapping pairs of characters instead, which needs no
dictionary and matches any substring of two or more characters. A pair's posting keeps where
it stands (postings.py), and a result must hold the query's pairs one after another: each
Japanese run of the query as typed (漢数字 〇 included), never its pairs scattered. Latin
letters and digits are words, and so are their leading parts at each change between letters
and digits or at a hyphen (F-35A is f35a, f35, f, 35 and a; TB2 is tb2, tb and 2). Where a
word touches Japanese (2035年, ルTB2) the pair across the join is a term too: the search page
requires it for a lone character and counts it as a bonus otherwise.

No term is longer than MAX_TERM characters and no word has more than MAX_PREFIXES leading
parts, so a page's terms grow with its length, never with its square: one pasted 16 KB hash
made every one of its 16,000 leading parts a term (a 128 MB index). A longer word is its first
MAX_TERM characters, in the page and in the query alike, so the start of a long word still
finds it; its parts (each cut the same way) find it as before.

static/assets/search.js repeats these rules in JavaScript for the query; change both.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator

from blogsmith.output.search import postings

CJK = (
    "\u3005-\u3007\u3040-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff"
)
_UNITS = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+(?:[-.'’][^\W_{CJK}]+)*)")
_SEGMENTS = re.compile(r"\d+|[^\W\d_]+")
_PAIR = re.compile(rf"[{CJK}]{{2}}")

MAX_TERM = 64
"""The longest term, in characters (code points): longer than any ordinary word, a German
compound or a 20-digit number included; a longer word (a hash, a run of one letter) is its
first MAX_TERM characters, and a join with Japanese takes MAX_TERM - 1 of them."""

MAX_PREFIXES = 8
"""Leading parts per word (F-35A has one, f35): a word is found by its first 2 to 9 parts, so
a start of ten parts or more (a1b2c3d4e5 of a longer hash) finds it only when it holds
MAX_TERM characters or more (then it is cut to the word's own term)."""


def normalize(text: str) -> str:
    """Full-width letters and digits made half-width, half-width kana full-width, lowercase."""
    return unicodedata.normalize("NFKC", text).lower()


def terms(text: str) -> list[str]:
    """Every term of `text`, repeated as often as it occurs."""
    found: list[str] = []
    for _start, japanese, others in _units(normalize(text)):
        if japanese:
            found.extend(_pairs(japanese))
            found.extend(japanese)
        found.extend(others)
    return [term for term in found if term]


def _units(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """Each unit of normalized `text`: (where it starts, the Japanese run or "", the terms
    it makes besides the run's pairs and characters: a word's terms, and the join with the
    unit before it when that is of the other kind). Pages have hundreds of units: a run's
    edge characters are taken only when it touches a word."""
    previous_end, previous_run, previous_word = -1, "", ""
    for match in _UNITS.finditer(text):
        japanese, word = match.groups()
        start, end = match.span()
        touches = start == previous_end
        if japanese:
            others = [previous_word + japanese[0]] if touches and previous_word else []
            yield start, japanese, others
            previous_run, previous_word = japanese, ""
        else:
            if word.isalpha() or word.isdecimal():  # one part (most words): the word alone
                others, (first, last) = [word[:MAX_TERM]], _edges(word)
            else:
                segments = _SEGMENTS.findall(word)
                others, (first, last) = list(_word_terms(segments)), _edges("".join(segments))
            if touches and previous_run:
                others.append(previous_run[-1] + first)
            yield start, "", others
            previous_run, previous_word = "", last
        previous_end = end


def _pairs(japanese: str) -> Iterator[str]:
    return (japanese[i : i + 2] for i in range(len(japanese) - 1))


def _word_terms(segments: list[str]) -> Iterator[str]:
    """The word, then its parts and leading parts when it has several (f-35a: f35a; f, 35,
    a; f35), each at most MAX_TERM long."""
    yield "".join(segments)[:MAX_TERM]
    if len(segments) > 1:
        yield from (segment[:MAX_TERM] for segment in segments)
        yield from _prefixes(segments)


def _prefixes(segments: list[str]) -> Iterator[str]:
    """The word's first 2, 3… parts joined, but not the whole word, at most MAX_PREFIXES of
    them and each shorter than MAX_TERM: a query for a longer start is cut to the word's first
    MAX_TERM characters, which is the word's own term."""
    prefix = segments[0]
    for segment in segments[1 : min(len(segments) - 1, MAX_PREFIXES + 1)]:
        if len(prefix) + len(segment) >= MAX_TERM:
            return
        prefix += segment
        yield prefix


def _edges(word: str) -> tuple[str, str]:
    """What of a word joins the Japanese after it and before it: its first and last
    MAX_TERM - 1 characters, so that the join with one character is a term in full."""
    return word[: MAX_TERM - 1], word[-(MAX_TERM - 1) :]


def entries(title: str, body: str) -> dict[str, str]:
    """Term -> what a page's posting holds for it (postings.entry): how often it is in the
    title (and tags) and in the text, and for a pair of Japanese characters where it stands
    (the title's places, then the text's, in one count with a gap between them)."""
    heading = normalize(title)
    title_counts, title_places = _scan(heading, 0)
    counts, places = _scan(normalize(body), len(heading) + 1)
    number, entry = postings.number, postings.entry
    found = postings.counts_in_text(counts)  # all at once; the title's terms then corrected
    for term, count in title_counts.items():
        found[term] = number(count) + number(counts.get(term, 0))
    kept = postings.MAX_PLACES + 1  # enough to tell that a pair overflowed
    for pair, in_title in title_places.items():
        in_title, in_text = in_title[:kept], places.pop(pair, [])[:kept]
        found[pair] = entry(len(in_title), len(in_text), in_title + in_text)
    postings.pairs_in_text(places, found)
    found.pop("", None)
    return found


def is_pair(term: str) -> bool:
    """Whether `term` is a pair of Japanese characters (its postings list places)."""
    return _PAIR.fullmatch(term) is not None


def _scan(text: str, offset: int) -> tuple[Counter, dict[str, list[int]]]:
    """Normalized `text`'s terms: the count of each term but pairs, and each pair's places
    (offset by `offset`). This runs for every pair of every page: the runs are cut once all
    are found (a loop of their own costs less than one inside the loop over the units), each
    pair a slice (one string made, where adding its two characters made three)."""
    runs: list[str] = []
    starts: list[int] = []
    words: list[str] = []
    for start, japanese, others in _units(text):
        if japanese:
            runs.append(japanese)
            starts.append(offset + start)
        words += others
    places: defaultdict[str, list[int]] = defaultdict(list)
    for start, japanese in zip(starts, runs, strict=True):
        for at in range(len(japanese) - 1):
            places[japanese[at : at + 2]].append(start + at)
    counts = Counter("".join(runs))
    counts.update(words)
    return counts, places


def phrases(query: str) -> list[str]:
    """The Japanese runs of `query` that its pairs alone do not pin down (three characters or
    more): a result must hold each of them as typed, its pairs one after another."""
    return list(
        dict.fromkeys(
            match.group(1)
            for match in _UNITS.finditer(normalize(query))
            if match.group(1) and len(match.group(1)) > 2
        )
    )


def required_terms(query: str) -> list[str]:
    """The terms a page must have to match `query`, as the search page asks for them: every
    pair of a Japanese run, every word (its first MAX_TERM characters), and for a lone
    Japanese character its join with the word it touches (the character alone when it touches
    none)."""
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
            wanted.append(word[:MAX_TERM])
        elif len(japanese) > 1:
            wanted.extend(_pairs(japanese))
        else:
            if word_before:
                wanted.append(_edges(word_before)[1] + japanese)
            if word_after:
                wanted.append(japanese + _edges(word_after)[0])
            if not word_before and not word_after:
                wanted.append(japanese)
    return [term for term in dict.fromkeys(wanted) if term]
