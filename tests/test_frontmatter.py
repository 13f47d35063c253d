from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from blogsmith.content.fields import check_meta
from blogsmith.content.frontmatter import FrontMatterError, split
from blogsmith.content.model import Eyecatch, Source
from blogsmith.core.config import Category, Config
from blogsmith.core.dates import format_date, parse_datetime
from blogsmith.core.errors import ErrorBag, in_file_order

CONFIG = Config(
    title="T",
    base_url="https://a.example/",
    categories=(Category("europe", "欧州関連"), Category("japan", "日本関連")),
    author="管理人",
)
TOKYO = ZoneInfo("Asia/Tokyo")


def meta_of(text: str, key: str = "articles/2022/09/ceasefire-broken.md"):
    bag = ErrorBag()
    return (
        check_meta(key, f"content/{key}", split(text), CONFIG, bag),
        [str(e) for e in in_file_order(bag.errors)],
        [str(w) for w in bag.warnings],
    )


def test_split_maps_body_to_file_lines():
    parts = split("---\ntitle: A\ndate: 2022-09-14\n---\n\nBody\n")
    assert parts.meta.data == {"title": "A", "date": "2022-09-14"}
    assert parts.meta.line("date") == 3
    assert parts.body_line == 5
    assert parts.body == "\nBody\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "title: A\n",
            1,
            "missing front matter: an article starts with a line '---', then YAML "
            "like 'title: ...', then another line '---'",
        ),
        ("---\ntitle: A\n", 1, "front matter is not closed: add a line '---' after the YAML"),
        (
            "---\ntitle: A\n  bad: indent\n---\n",
            3,
            "invalid YAML in front matter: mapping values are not allowed in this context",
        ),
    ],
)
def test_split_errors_are_located(text, line, message):
    with pytest.raises(FrontMatterError) as caught:
        split(text)
    assert (caught.value.line, caught.value.message) == (line, message)


def test_a_full_front_matter_becomes_typed_values():
    meta, errors, warnings = meta_of("""---
title: 停戦は40分で破綻
date: 2022-09-14 06:30
updated: 2022-09-14T12:00:00+09:00
category: europe
tags: [アゼルバイジャン, アルメニア, アルメニア]
sources:
  - title: "Governor: Situation is tense"
    url: https://example.com/a
  - https://example.com/b
eyecatch:
  image: /images/2022/09/lachin.jpg
  alt: ラチンに入る部隊
  credit: Ministry of Defence
related: [sudden-clash, ../08/heavy-shelling.md]
aliases: [/archives/12345]
---
""")
    assert errors == [] and warnings == []
    assert meta.title == "停戦は40分で破綻"
    assert meta.slug == "ceasefire-broken"
    assert meta.date == datetime(2022, 9, 14, 6, 30, tzinfo=TOKYO)
    assert meta.updated.utcoffset() == timedelta(hours=9)
    assert meta.tags == ("アゼルバイジャン", "アルメニア")
    assert meta.sources == (
        Source("Governor: Situation is tense", "https://example.com/a"),
        Source("https://example.com/b", "https://example.com/b"),
    )
    assert meta.eyecatch == Eyecatch(
        "/images/2022/09/lachin.jpg", "ラチンに入る部隊", "Ministry of Defence"
    )
    assert meta.related == ("sudden-clash", "../08/heavy-shelling.md")
    assert meta.aliases == ("/archives/12345",)
    assert meta.author == "管理人"
    assert meta.draft is False


def test_every_field_problem_is_reported_with_its_line():
    meta, errors, warnings = meta_of("""---
title: ""
date: 2022-02-30 10:00
category: eurpe
slug: ../escape
tags: {a: 1}
sources:
  - title: no url
  - ftp://example.com/file
eyecatch:
  alt: no image
aliases: [archives/1]
draft: "yes"
kind: post
colour: red
---
""")
    assert meta is None
    assert errors == [
        "content/articles/2022/09/ceasefire-broken.md:2: 'title' must not be empty",
        "content/articles/2022/09/ceasefire-broken.md:3: 'date': '2022-02-30 10:00' is not a date"
        " (day is out of range for month); write it like 2022-09-14 06:30 or "
        "2022-09-14T06:30:00+09:00",
        "content/articles/2022/09/ceasefire-broken.md:4: unknown category 'eurpe'; did you mean "
        "'europe'? declared categories: europe, japan",
        "content/articles/2022/09/ceasefire-broken.md:5: slug '../escape' must not contain '/', "
        "'\\', spaces, '?', '#', '%' or control characters (it becomes one URL segment), like "
        "'ceasefire-broken'",
        "content/articles/2022/09/ceasefire-broken.md:6: 'tags' must be a list, like "
        "[アゼルバイジャン, アルメニア]",
        "content/articles/2022/09/ceasefire-broken.md:8: source 1 needs a 'url'; each source is "
        "'- title: ...' with 'url: https://...', or a bare URL",
        "content/articles/2022/09/ceasefire-broken.md:9: source 2: 'ftp://example.com/file' is "
        "not an http(s) URL; write it like https://example.com/article",
        "content/articles/2022/09/ceasefire-broken.md:10: 'eyecatch' needs 'image: /images/...' "
        "(and optionally 'alt' and 'credit')",
        "content/articles/2022/09/ceasefire-broken.md:12: alias 'archives/1' must be a path on "
        "this site like /archives/12345, without '..' or '#', and with at most one query of "
        "the form ?name=value (like /?p=123)",
        "content/articles/2022/09/ceasefire-broken.md:13: 'draft' must be true or false, got 'yes'",
        "content/articles/2022/09/ceasefire-broken.md:14: 'kind' must be 'article' or 'page', "
        "got 'post'",
    ]
    assert warnings == [
        "content/articles/2022/09/ceasefire-broken.md:15: unknown field 'colour' is ignored"
    ]


def test_pages_need_no_date_or_category():
    meta, errors, _ = meta_of(
        "---\ntitle: このサイトについて\nkind: page\n---\n", key="pages/about.md"
    )
    assert errors == []
    assert (meta.kind, meta.slug, meta.date, meta.category) == ("page", "about", None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-09-14 06:30", datetime(2022, 9, 14, 6, 30, tzinfo=TOKYO)),
        ("2022-09-14", datetime(2022, 9, 14, tzinfo=TOKYO)),
        ("2022-09-14T12:00:00+09:00", datetime(2022, 9, 14, 12, tzinfo=TOKYO)),
        ("2022-09-14T03:00:00Z", datetime(2022, 9, 14, 12, tzinfo=TOKYO)),
        ("2022-09-14 05:00:00 +02:00", datetime(2022, 9, 14, 12, tzinfo=TOKYO)),
    ],
)
def test_dates_without_offset_are_read_in_the_site_timezone(value, expected):
    parsed = parse_datetime(value, TOKYO)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (
            "2022-02-30T12:00:00+09:00",
            "'2022-02-30T12:00:00+09:00' is not a date (day is out of range for month)",
        ),
        (
            "2022-09-14T24:00:00+09:00",
            "'2022-09-14T24:00:00+09:00' is not a date (hour must be in 0..23)",
        ),
        (
            "2022-09-14T12:00:60+09:00",
            "'2022-09-14T12:00:60+09:00' is not a date (second must be in 0..59)",
        ),
        ("2022-09-14T12:00:00+24:00", "'+24:00' is not a UTC offset"),
        ("2022-09-14T12:00:00+09:60", "'+09:60' is not a UTC offset"),
        ("２０２２-09-14T12:00:00+09:00", None),
    ],
)
def test_the_common_form_out_of_range_is_said_as_any_form(value, reason):
    """Comment dates take a quicker reading in their usual form; what it cannot read goes
    the usual way, with the usual reason."""
    if reason is None:
        assert parse_datetime(value, TOKYO) == datetime(2022, 9, 14, 12, tzinfo=TOKYO)
        return
    with pytest.raises(ValueError) as raised:
        parse_datetime(value, TOKYO)
    assert str(raised.value) == reason


def test_dates_are_shown_in_the_site_language():
    moment = datetime(2022, 9, 14, 6, 30, tzinfo=UTC)
    assert format_date(moment, "ja") == "2022年9月14日"
    assert format_date(moment, "en") == "September 14, 2022"
