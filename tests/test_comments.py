from zoneinfo import ZoneInfo

from blogsmith.content.comments import read_thread
from blogsmith.core import yamlread
from blogsmith.core.errors import ErrorBag, in_file_order

TOKYO = ZoneInfo("Asia/Tokyo")
WHERE = "content/a.comments.yaml"


def thread_of(text: str, max_depth: int = 5):
    bag = ErrorBag()
    thread = read_thread(yamlread.parse(text), WHERE, TOKYO, max_depth, bag)
    return thread, [str(e) for e in in_file_order(bag.errors)]


def comment(ident, date, parent=None, author=None, extra=""):
    lines = [
        f"- id: {ident}",
        f"  author: {author or f'author-{ident}'}",
        f"  date: {date}",
        f"  body: body of {ident}",
    ]
    if parent is not None:
        lines.insert(1, f"  parent: {parent}")
    return "\n".join(lines) + ("\n" + extra if extra else "") + "\n"


def shape(comments):
    """(id, depth, reply_to, [children]) for the whole tree."""
    return [(c.id, c.depth, c.reply_to, shape(c.replies)) for c in comments]


def test_threads_are_in_date_order_with_replies_nested():
    text = (
        comment(3, "2022-09-14 12:00")
        + comment(1, "2022-09-14 10:00")
        + comment(2, "2022-09-14 11:00", parent=1)
        + comment(4, "2022-09-14 10:30", parent=1)
        + comment("x", "2022-09-14 10:45", parent=4)
    )
    thread, errors = thread_of(text)
    assert errors == []
    assert thread.count == 5
    assert shape(thread.comments) == [
        ("1", 1, None, [("4", 2, None, [("x", 3, None, [])]), ("2", 2, None, [])]),
        ("3", 1, None, []),
    ]


def test_same_time_keeps_file_order():
    text = comment("b", "2022-09-14 10:00") + comment("a", "2022-09-14 10:00")
    thread, _ = thread_of(text)
    assert [c.id for c in thread.comments] == ["b", "a"]


def test_replies_below_max_depth_continue_at_the_last_level_in_order_with_a_hint():
    text = (
        comment(1, "2022-09-14 10:00")
        + comment(2, "2022-09-14 10:01", parent=1)
        + comment(3, "2022-09-14 10:02", parent=2, author="三")
        + comment(4, "2022-09-14 10:03", parent=3, author="四")
        + comment(5, "2022-09-14 10:04", parent=2)
        + comment(6, "2022-09-14 10:05", parent=4)
    )
    thread, _ = thread_of(text, max_depth=2)
    assert shape(thread.comments) == [
        (
            "1",
            1,
            None,
            [
                ("2", 2, None, []),
                ("3", 2, "author-2", []),
                ("4", 2, "三", []),
                ("5", 2, "author-2", []),
                ("6", 2, "四", []),
            ],
        ),
    ]
    flat, _ = thread_of(text, max_depth=1)
    assert shape(flat.comments) == [
        ("1", 1, None, []),
        ("2", 1, "author-1", []),
        ("3", 1, "author-2", []),
        ("4", 1, "三", []),
        ("5", 1, "author-2", []),
        ("6", 1, "四", []),
    ]


def test_ids_are_kept_as_written_and_trackbacks_listed_apart():
    text = comment("c-101", "2022-09-14 10:00") + (
        "- id: 7\n  type: pingback\n  author: Another Blog\n  url: https://b.example.net/p\n"
        "  date: 2022-09-15 08:00\n  body: 紹介しました\n"
    )
    thread, errors = thread_of(text)
    assert errors == []
    assert [c.id for c in thread.comments] == ["c-101"]
    assert [(t.id, t.kind, t.url) for t in thread.trackbacks] == [
        ("7", "pingback", "https://b.example.net/p")
    ]
    assert thread.count == 1


def test_votes_and_unsafe_author_urls():
    text = comment(
        1, "2022-09-14 10:00", extra="  votes: 54\n  url: javascript:alert(1)"
    ) + comment(2, "2022-09-14 10:01", extra="  url: https://ok.example/")
    thread, _ = thread_of(text)
    first, second = thread.comments
    assert (first.votes, first.has_votes, first.url) == (54, True, None)
    assert (second.votes, second.has_votes, second.url) == (0, False, "https://ok.example/")


def test_orphans_loops_and_duplicates_name_the_comment_and_line():
    text = (
        comment(1, "2022-09-14 10:00")  # line 1
        + comment(1, "2022-09-14 10:01")  # line 5: duplicate
        + comment(2, "2022-09-14 10:02", parent=99)  # line 9: orphan
        + comment(3, "2022-09-14 10:03", parent=5)  # line 14: loop 3 -> 5 -> 4 -> 3
        + comment(4, "2022-09-14 10:04", parent=3)  # line 19
        + comment(5, "2022-09-14 10:05", parent=4)  # line 24
        + comment(6, "2022-09-14 10:06", parent=6)  # line 29: its own parent
        + comment(7, "2022-09-14 10:07", parent=2)
    )  # line 34: below the orphan, no error
    thread, errors = thread_of(text)
    assert errors == [
        f"{WHERE}:5: comment 1: duplicate id; the comment on line 1 has it already; give each "
        "comment its own id",
        f"{WHERE}:9: comment 2: replies to comment 99, which is not in this file; fix 'parent' "
        "or remove it",
        f"{WHERE}:14: comment 3: its parents loop back to it (3 → 5 → 4 → 3); one of them must "
        "not have a 'parent'",
        f"{WHERE}:29: comment 6: its parents loop back to it (6 → 6); one of them must not have a "
        "'parent'",
    ]
    assert [c.id for c in thread.comments] == ["1"]


def test_missing_and_malformed_fields():
    text = (
        "- id: 1\n  date: 2022-09-14 10:00\n  body: b\n"  # no author
        "- id: 2\n  author: a\n  date: 2022-02-30\n  body: b\n"  # bad date
        "- id: 3\n  author: a\n  date: 2022-09-14\n  body: ''\n"  # empty body
        "- author: a\n  date: 2022-09-14\n  body: b\n"  # no id
        "- just text\n"
        "- id: 6\n  author: a\n  date: 2022-09-14\n  body: b\n  type: like\n  votes: many\n"
        "- id: 7 7\n  author: a\n  date: 2022-09-14\n  body: b\n"
        "- id: 8\n  type: trackback\n  parent: 9\n  author: a\n  date: 2022-09-14\n  body: b\n"
        "- id: 9\n  author: a\n  date: 2022-09-14\n  body: b\n"
        "- id: 10\n  parent: 1\n  author: a\n  date: 2022-09-14\n  body: b\n"
    )
    _, errors = thread_of(text)
    assert errors == [
        f"{WHERE}:1: comment 1: missing 'author'",
        f"{WHERE}:6: comment 2: 'date': '2022-02-30' is not a date (day is out of range for "
        "month); write it like 2022-09-14 06:30 or 2022-09-14T06:30:00+09:00",
        f"{WHERE}:11: comment 3: missing 'body'",
        f"{WHERE}:12: comment 4 has no 'id'; give every comment a unique id (a number or a word)",
        f"{WHERE}:15: comment 5 must be a mapping like '- id: 101', 'author: ...', "
        "'date: 2022-09-14T10:12:00+09:00', 'body: ...'",
        f"{WHERE}:20: comment 6: 'type' must be comment, trackback or pingback, got 'like'",
        f"{WHERE}:21: comment 6: 'votes' must be a whole number, got 'many'",
        f"{WHERE}:22: comment 7 7: an id must not contain spaces (it becomes the link "
        "#comment-<id>)",
        f"{WHERE}:26: comment 8: trackbacks and pingbacks cannot reply or be replied to; remove "
        "'parent'",
    ]


def test_a_file_that_is_not_a_list():
    _, errors = thread_of("id: 1\nauthor: a\n")
    assert errors == [
        f"{WHERE}:1: a comments file must be a YAML list of comments, each like "
        "'- id: 101', 'author: ...', 'date: 2022-09-14T10:12:00+09:00', "
        "'body: ...'"
    ]
    empty, errors = thread_of("")
    assert errors == [] and empty.count == 0
