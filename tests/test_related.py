from blogsmith.graph.related import Entry, RelatedIndex

DAY = 86400.0


def entry(key, day, category="europe", tags=()):
    return Entry(key, day * DAY, category, tuple(tags))


def test_shared_tags_outrank_category_and_category_outranks_time():
    me = entry("me", 100, tags=["a", "b"])
    entries = [
        me,
        entry("two-tags", 10, "china", ["a", "b"]),
        entry("one-tag", 99, "china", ["a"]),
        entry("same-category", 100.5),
        entry("only-near", 100.2, "china"),
    ]
    index = RelatedIndex(entries)
    assert index.best(me, 4, set()) == ["two-tags", "one-tag", "same-category", "only-near"]


def test_never_itself_nor_excluded_and_deterministic_on_ties():
    me = entry("me", 50)
    entries = [me, entry("b", 40), entry("a", 60), entry("c", 60)]
    index = RelatedIndex(entries)
    # a and c tie on score and date: the key decides, every time.
    assert index.best(me, 3, set()) == ["a", "c", "b"]
    assert index.best(me, 3, {"a"}) == ["c", "b"]
    assert index.best(me, 0, set()) == []


def test_large_indexes_are_searched_near_the_article_in_time():
    entries = [entry(f"k{i:05d}", i, tags=["popular"]) for i in range(5000)]
    index = RelatedIndex(entries)
    best = index.best(entries[2500], 6, set())
    # Equal distance in time: the newer one first.
    assert best == ["k02501", "k02499", "k02502", "k02498", "k02503", "k02497"]
