"""A hostile page costs the search index linear time and bounded space: one pasted 16 KB hash
(a1a1…) made each of its 16,000 leading parts a term, a 128 MB index built in a minute. Term
counts and bytes are compared, not clocks (as in test_linear_time.py), so a slow machine does
not fail them; ordinary words are cut exactly as before, by the index and the search page."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from conftest import REPO, article, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from test_search import node, search

from blogsmith.output.search.postings import (
    MAX_PLACES,
    WRITTEN,
    number,
    numbers_below,
    places,
    stepped,
)
from blogsmith.output.search.terms import (
    MAX_PREFIXES,
    MAX_TERM,
    entries,
    required_terms,
    terms,
)


def letter_digit_hash(size: int) -> str:
    return ("a1" * size)[:size]


def kanji_run(size: int) -> str:
    return "漢" * size


def long_words(size: int, count: int = 40) -> str:
    """`count` distinct words of letters and digits (w12w12…) as long as `size` allows."""
    length = size // count - 1
    return " ".join((f"w{number}" * length)[:length] for number in range(count))


HOSTILE = [letter_digit_hash, kanji_run, long_words]


def work(text: str) -> int:
    """Characters of every term made, repeats included: what cutting the text costs."""
    return sum(len(term) for term in terms(text))


def index_bytes(text: str) -> int:
    """The page's share of the index: each distinct term with its weight, as JSON."""
    return len(json.dumps(entries("", text), ensure_ascii=False).encode())


def grows_linearly(measure, make, small: int = 16_000) -> None:
    """Four times the input costs about four times as much (longer numbers in the words'
    names add a little), never sixteen."""
    short, long = measure(make(small)), measure(make(4 * small))
    assert long <= 5 * short, (make.__name__, short, long)


# -- the caps ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", HOSTILE, ids=lambda make: make.__name__)
def test_a_hostile_page_is_cut_into_terms_in_linear_time(make):
    grows_linearly(work, make)


@pytest.mark.parametrize("make", HOSTILE, ids=lambda make: make.__name__)
def test_a_hostile_page_takes_index_space_in_proportion_to_its_length(make):
    grows_linearly(index_bytes, make)
    assert index_bytes(make(16_000)) < 16 * 16_000  # before: 128 MB for the hash


def test_a_long_word_is_its_first_64_characters_and_8_leading_parts():
    found = set(terms(letter_digit_hash(16_000)))
    leading = {letter_digit_hash(n) for n in range(2, MAX_PREFIXES + 2)}
    assert found == {letter_digit_hash(MAX_TERM), "a", "1"} | leading
    assert required_terms(letter_digit_hash(100)) == [letter_digit_hash(MAX_TERM)]
    joined = terms(letter_digit_hash(1_000) + "年")
    assert max(map(len, joined)) == MAX_TERM and joined[-1] == "1" + "a1" * 31 + "年"


def test_a_page_of_one_long_run_is_counted_in_little_memory():
    body = kanji_run(250_000)  # half a megabyte as a str
    tracemalloc.start()
    try:
        counted = entries("", body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A pair standing on a page this often lists no places (the search page asks it only to
    # be there), and is counted no further.
    assert counted == {
        "漢漢": number(0) + number(MAX_PLACES + 1),
        "漢": number(0) + number(250_000),
    }
    assert peak < 12_000_000, peak  # before: 47 MB, every pair and character in one list


def test_places_and_steps_past_the_written_tables_are_written_in_full():
    far = len(WRITTEN) + 100  # a place past the numbers written once: written as it comes
    body = "x" * far + "漢字 漢字" + "y" * 2_000 + "漢字 空母 火器" + "z" * 9_000 + "火器"
    at = far + 1  # the title (none) and the gap after it come first
    found = entries("", body)
    assert places(found["漢字"]) == [at, at + 3, at + 2_005]
    assert places(found["空母"]) == [at + 2_008]
    assert places(found["火器"]) == [at + 2_011, at + 11_013]
    steps = numbers_below(3 * len(WRITTEN))  # a slice of more pages than WRITTEN holds
    assert steps[: len(WRITTEN)] == WRITTEN
    assert all(steps[value] == number(value) for value in range(len(WRITTEN), len(steps), 97))
    written = stepped([5, "a", 6, "b", 5 + 2 * len(WRITTEN), "c"], steps)
    assert written == (
        5,
        "a" + number(1) + "b" + number(2 * len(WRITTEN) - 1) + "c",
        5 + 2 * len(WRITTEN),
    )


# -- ordinary words, the same on both sides ---------------------------------------------------

GERMAN = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"  # 63 letters


def test_ordinary_words_are_cut_as_they_always_were():
    assert set(terms("F-35A")) == {"f35a", "f35", "f", "35", "a"}
    assert set(terms("MQ-9B")) == {"mq9b", "mq9", "mq", "9", "b"}
    assert {"tb2", "tb", "2", "ルtb2"} <= set(terms("バイラクタルTB2"))
    assert {"2035", "2035年"} <= set(terms("2035年までに"))
    assert terms("12345678901234567890") == ["12345678901234567890"]
    assert terms(GERMAN) == [GERMAN.lower()]
    assert GERMAN.lower() + "法" in terms(GERMAN + "法")
    uuid_start = "550e8400-e29b-41d4"  # nine parts: its leading parts are all kept
    assert {"550e8400", "550e8400e29b", "550e8400e29b41d"} <= set(terms(uuid_start + "-a716"))


LONG_SAMPLES = [
    letter_digit_hash(5_000),
    "x" * 63 + "年",
    "年" + "x" * 64 + "年" + "y" * 65 + "年z",
    "a-b-c-d-e-f-g-h-i-j-k-l-m",
    "𐐨" * 70 + "1" + "𐐨" * 3 + "空",  # letters outside the BMP count as one character
    long_words(3_000),
    "戦" + "1a" * 40 + "戦車",
]


@settings(max_examples=10, deadline=None)
@given(st.lists(st.text(alphabet="ab12-.' 年空𐐨", min_size=30, max_size=300), max_size=20))
def test_the_search_page_cuts_long_words_exactly_as_the_index_does(samples):
    samples = LONG_SAMPLES + samples
    script = (
        "const s=require(process.argv[1]);const x=JSON.parse(process.argv[2]);"
        "console.log(JSON.stringify(x.map(t=>[s.terms(t),s.plan(t).required])))"
    )
    found = json.loads(
        node("-e", script, str(REPO / "static/assets/search.js"), json.dumps(samples))
    )
    for sample, (script_terms, asked) in zip(samples, found, strict=True):
        assert script_terms == terms(sample), sample[:80]
        assert asked == required_terms(sample), sample[:80]
        assert set(asked) <= set(terms(sample)), sample[:80]


# -- built and searched ------------------------------------------------------------------------

ORDINARY = (
    "F-35Aの配備、MQ-9Bの導入、バイラクタルTB2の調達、2035年の目標。"
    f"{GERMAN}。識別番号12345678901234567890。"
)


def test_a_site_of_hostile_pages_builds_a_small_index_that_still_finds_them(make_site):
    site = make_site(
        {
            "content/hash16.md": article("ハッシュ一", body=letter_digit_hash(16_000)),
            "content/hash100.md": article("ハッシュ二", body="b2" * 50_000),
            "content/kanji.md": article("漢字の列", body=kanji_run(1_000_000)),
            "content/words.md": article("長い単語", body=long_words(64_000)),
            "content/plain.md": article("普通の記事", body=ORDINARY),
        }
    )
    run = run_cli("build", "--site", site, "-q")
    assert run.returncode == 0, run.stderr
    index = site / "public/search/i"
    assert sum(bucket.stat().st_size for bucket in index.iterdir()) < 100_000
    start_of_words = (f"w7{'w7' * 100}", "w7w7w7w7")  # past 64 characters; within 8 parts
    queries = {
        **dict.fromkeys(["F-35A", "F-35", "MQ-9B", "TB2", "2035年", GERMAN], "plain"),
        "12345678901234567890": "plain",
        letter_digit_hash(8): "hash16",  # the start of the hash, within its first 9 parts
        letter_digit_hash(64): "hash16",  # its first 64 characters…
        letter_digit_hash(300): "hash16",  # …or more
        "b2" * 50_000: "hash100",  # the whole word
        "漢漢漢漢": "kanji",
        **dict.fromkeys(start_of_words, "words"),
    }
    found = search(site / "public", *queries)
    for query, page in queries.items():
        assert found[query] == [f"/europe/{page}/"], (query[:80], found[query])
    ten_parts = letter_digit_hash(20)  # a longer start than 9 parts, under 64 characters
    assert search(site / "public", ten_parts)[ten_parts] == []  # by design
