"""Related blocks scored again after a small change equal blocks scored from scratch.

An addition, a deletion or an edited date, category or tag list rescores only the articles
that change can reach; over many random archives and changes (busy tags and rare ones, ties
in time, lists crossing the length where they are read whole, hand-picked related articles),
the result is exactly what scoring every article gives.
"""

from __future__ import annotations

import random

import pytest

from blogsmith.graph import related
from blogsmith.graph.related import Entry, related_blocks

DAY = 86400.0
CATEGORIES = ("europe", "asia", "americas")


def random_entry(rng: random.Random, key: str, tags: list[str]) -> Entry:
    day = rng.choice([rng.randrange(0, 2000), 1000])  # many share one moment: ties
    chosen = dict.fromkeys(rng.sample(tags, rng.randrange(0, 4)))  # once each, as the graph
    return Entry(key, day * DAY, rng.choice(CATEGORIES), tuple(chosen))


def inputs_of(count: int, entries: dict[str, Entry], picks: dict[str, tuple[str, ...]]):
    ordered = tuple(sorted(entries.values(), key=lambda e: (e.timestamp, e.key)))
    requests = tuple((e, picks.get(e.key, ())) for e in ordered)
    return (count, ordered, requests)


def changed(rng: random.Random, entries: dict[str, Entry], tags: list[str], serial: int):
    """The archive after one to three additions, deletions or edits."""
    after = dict(entries)
    for step in range(rng.randrange(1, 4)):
        kind = rng.choice(("add", "delete", "edit", "edit-date"))
        if kind == "add" or not after:
            key = f"new{serial}-{step}"
            after[key] = random_entry(rng, key, tags)
        elif kind == "delete":
            del after[rng.choice(sorted(after))]
        else:
            key = rng.choice(sorted(after))
            old = after[key]
            fresh = random_entry(rng, key, tags)
            after[key] = (
                fresh if kind == "edit" else Entry(key, fresh.timestamp, old.category, old.tags)
            )
    return after


@pytest.mark.parametrize("seed", range(40))
def test_small_changes_rescore_to_what_a_full_scoring_gives(seed):
    rng = random.Random(seed)
    # A busy tag (lists read near the date), rare ones (read whole, some crossing the limit).
    tags = ["busy"] * 6 + [f"rare{n}" for n in range(rng.randrange(2, 30))]
    size = rng.choice([30, 59, 60, 61, 62, 150, 400])
    entries = {f"a{n}": random_entry(rng, f"a{n}", tags) for n in range(size)}
    picks = {key: (rng.choice(sorted(entries)),) for key in rng.sample(sorted(entries), 5)}
    count = rng.choice([3, 6])
    before = inputs_of(count, entries, picks)
    result = related_blocks(before)
    for serial in range(6):
        entries = changed(rng, entries, tags, serial)
        picks = {k: tuple(p for p in v if p in entries and p != k) for k, v in picks.items()}
        inputs = inputs_of(count, entries, picks)
        again = related_blocks(inputs, (before, result))
        assert again == related_blocks(inputs), (seed, serial)
        before, result = inputs, again


def test_an_addition_rescores_a_few_articles_not_all(monkeypatch):
    # The calls are counted in this process: a worker's would not be seen.
    monkeypatch.setenv("BLOGSMITH_WORKERS", "1")
    rng = random.Random(7)
    tags = [f"tag{n}" for n in range(40)]
    entries = {f"a{n}": random_entry(rng, f"a{n}", tags) for n in range(3000)}
    before = inputs_of(6, entries, {})
    result = related_blocks(before)
    scored = []
    best = related.RelatedIndex.best
    monkeypatch.setattr(
        related.RelatedIndex,
        "best",
        lambda self, a, *rest: scored.append(a) or best(self, a, *rest),
    )
    entries["added"] = Entry("added", 2100 * DAY, "asia", ("tag1", "tag2"))
    inputs = inputs_of(6, entries, {})
    assert related_blocks(inputs, (before, result)) == related_blocks(inputs)
    assert 0 < len(scored) - len(entries) < 300  # the second call scored all of them


def test_blocks_scored_on_every_core_are_the_ones_one_core_scores(monkeypatch):
    """A cold build's thousands of blocks are scored in forked workers: the same blocks, in
    the same order, as in one process."""
    rng = random.Random(11)
    tags = [f"tag{n}" for n in range(40)]
    entries = {f"a{n}": random_entry(rng, f"a{n}", tags) for n in range(3000)}
    picks = {f"a{n}": (f"a{n + 1}",) for n in range(0, 3000, 7)}
    inputs = inputs_of(6, entries, picks)
    monkeypatch.setenv("BLOGSMITH_WORKERS", "2")
    shared = related_blocks(inputs)
    monkeypatch.setenv("BLOGSMITH_WORKERS", "1")
    alone = related_blocks(inputs)
    assert list(shared.items()) == list(alone.items())
    assert all(len(block) == 6 for block in alone.values())


@pytest.mark.parametrize("seed", range(25))
def test_an_article_not_named_a_reader_looks_at_the_same_candidates(seed):
    """The precise promise behind rescoring few: for every article readers_of leaves out,
    what best() looks at is the same with and without the changed entry, at every count."""
    rng = random.Random(1000 + seed)
    tags = ["busy"] * 8 + [f"rare{n}" for n in range(rng.randrange(2, 20))]
    size = rng.choice([59, 60, 61, 62, 63, 120, 300])
    entries = [random_entry(rng, f"a{n}", tags) for n in range(size)]
    count = rng.choice([2, 6, 12])
    for trial in range(8):
        changed = random_entry(rng, f"x{trial}", tags)
        without = related.RelatedIndex(entries)
        with_it = related.RelatedIndex([*entries, changed])
        readers = with_it.readers_of(changed, count)
        for entry in entries:
            if entry.key in readers:
                continue
            for asked in range(1, count + 1):
                seen = set(with_it.candidates(entry, asked)[0])
                assert changed.key not in seen, (seed, trial, entry, asked)
                assert seen == set(without.candidates(entry, asked)[0]), (seed, trial, entry)
