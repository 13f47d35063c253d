"""Search finds exactly what was typed: over generated text made to hold the same pairs in many
orders, every result of the search page's own script holds each Japanese run of the query (as
a plain substring scan over the page's normalized text finds it), no page holding them is
missed, and the count is the scan's, after a clean build and after incremental ones (whose
changes sit in the recent segment)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import article, packed, run_cli
from test_search import search

from blogsmith.output.search.terms import normalize, phrases, required_terms, terms

ALPHABET = "双方の主張空母戦闘機艦載ラファール〇二年"
HALF_WIDTH = str.maketrans("ラファール", "ﾗﾌｧｰﾙ")


def run_of(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(2, 9)))


def body_of(rng: random.Random) -> str:
    """About 250 characters of runs of a small alphabet, broken by punctuation: every pair
    of it stands on most pages, each run of three or more on a few."""
    return "".join(run_of(rng) + rng.choice("。、「」 ") for _ in range(40))


def archive(rng: random.Random, count: int) -> dict[str, str]:
    return {
        f"content/p{n:03d}.md": article(
            run_of(rng), f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d} 09:00", body=body_of(rng)
        )
        for n in range(count)
    }


def scanned(output: Path) -> dict[str, tuple[str, str]]:
    """URL -> (normalized title and tags, normalized text) of every page the index holds."""
    pages = {}
    for path in (output / "search/f").iterdir():
        text = packed(path)
        heading = normalize(" ".join([text["title"], *text["tags"]]))
        pages[text["url"]] = (heading, normalize(text["text"]))
    return pages


def holding(pages: dict[str, tuple[str, str]], query: str) -> set[str]:
    """The pages whose title or text holds every space-separated piece of `query`."""
    pieces = normalize(query).split()
    return {
        url
        for url, fields in pages.items()
        if all(any(piece in field for field in fields) for piece in pieces)
    }


def queries_from(rng: random.Random, pages: dict[str, tuple[str, str]]) -> list[str]:
    """Runs of 3-6 characters cut from the pages, two-run queries, runs that may be nowhere,
    and half-width spellings of katakana (found by their full-width form)."""
    texts = [text for _heading, text in pages.values()]
    cut = []
    while len(cut) < 60:
        text = rng.choice(texts)
        size = rng.randint(3, 6)
        start = rng.randrange(len(text) - size)
        piece = text[start : start + size]
        if len(phrases(piece)) == 1 and phrases(piece)[0] == piece:
            cut.append(piece)
    invented = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(3, 5))) for _ in range(30)]
    pairs = [f"{a} {b}" for a, b in zip(cut[:15], invented[:15], strict=True)]
    half = [piece.translate(HALF_WIDTH) for piece in cut if set(piece) & set("ラファール")]
    return list(dict.fromkeys(cut + invented + pairs + half[:10]))


def pairs_only(pages: dict[str, tuple[str, str]], query: str) -> set[str]:
    """What the index found before it kept places: pages with every pair, anywhere."""
    wanted = set(required_terms(query))
    return {
        url for url, (heading, text) in pages.items() if wanted <= set(terms(heading + " " + text))
    }


def assert_exact(output: Path, queries: list[str]) -> None:
    pages = scanned(output)
    found = search(output, *queries)
    for query in queries:
        expected = holding(pages, query)
        assert len(found[query]) == len(set(found[query])), query  # each page once: the count
        assert set(found[query]) == expected, (
            query,
            sorted(set(found[query]) - expected)[:5],  # results without the query
            sorted(expected - set(found[query]))[:5],  # pages missed
        )


def test_every_result_holds_the_query_as_typed_and_none_is_missed(make_site):
    rng = random.Random(20221)
    site = make_site(archive(rng, 80))
    run = run_cli("build", "--site", site, "-q")
    assert run.returncode == 0, run.stderr
    output = site / "public"
    pages = scanned(output)
    queries = queries_from(rng, pages)
    # The text is made so that pairs alone find many wrong pages: the check means something.
    misled = [q for q in queries if pairs_only(pages, q) != holding(pages, q)]
    assert len(misled) >= 20, misled
    assert any(len(holding(pages, q)) > 3 for q in queries)
    assert_exact(output, queries)

    # Pages edited, added and deleted: their postings (with places) in the recent segment.
    for n in (3, 17, 42):
        (site / f"content/p{n:03d}.md").write_text(
            article(run_of(rng), "2023-05-05 09:00", body=body_of(rng)), encoding="utf-8"
        )
    (site / "content/p050.md").unlink()
    for n in range(3):
        (site / f"content/new{n}.md").write_text(
            article(run_of(rng), "2024-01-01 09:00", "japan", body=body_of(rng)),
            encoding="utf-8",
        )
    run = run_cli("build", "--site", site, "-q")
    assert run.returncode == 0, run.stderr
    assert json.loads((output / "search/meta.json").read_bytes())["recent"]
    assert_exact(output, queries + queries_from(rng, scanned(output))[:30])


def test_a_run_split_between_title_and_text_or_two_lines_is_not_the_query(make_site):
    site = make_site(
        {
            "content/title.md": article("双方の", body="主張を聞く。"),
            "content/lines.md": article("別件", body="双方の\n\n主張"),
            "content/kept.md": article("報告", body="双方の主張を聞く。"),
            "content/kanji-zero.md": article("年表", body="二〇二二年の記録。"),
        }
    )
    run = run_cli("build", "--site", site, "-q")
    assert run.returncode == 0, run.stderr
    found = search(site / "public", "双方の主張", "〇二二年", "二〇")
    assert found["双方の主張"] == ["/europe/kept/"]
    assert found["〇二二年"] == ["/europe/kanji-zero/"] == found["二〇"]
