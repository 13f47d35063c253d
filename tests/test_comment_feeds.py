"""Comment feeds, as WordPress readers know them: the site's newest comments at
/comments/feed.xml and one per article, linked from the pages' <head>, kept up to date by
rebuilds that change only what a new comment changes."""

from __future__ import annotations

from pathlib import Path

import feedparser
from bs4 import BeautifulSoup
from conftest import DEFAULT_CONFIG, article, run_cli, soup

SITE = "https://news.example.org/"
CEASEFIRE = """\
- id: 101
  author: AAA
  date: 2022-09-14T10:12:00+09:00
  body: "<b>太字にはならない</b> https://example.com/a"
- id: 102
  parent: 101
  author: F-104
  date: 2022-09-14T12:40:00+09:00
  body: 返信です
- id: 103
  parent: 101
  date: 2022-09-14T13:00:00+09:00
  removed: 2022-09-15
"""
SHELLING = """\
- id: 7
  author: 名無し
  date: 2022-09-14T11:00:00+09:00
  body: 砲撃の続報
- id: 8
  type: trackback
  author: Another Blog
  url: https://blog.example.net/post
  date: 2022-09-14T14:00:00+09:00
  body: 紹介しました
"""


def files(ceasefire: str = CEASEFIRE) -> dict[str, str]:
    return {
        "content/articles/ceasefire.md": article("停戦は破綻", slug="ceasefire"),
        "content/articles/ceasefire.comments.yaml": ceasefire,
        "content/articles/shelling.md": article("激しい砲撃", "2022-09-13 08:00", slug="shelling"),
        "content/articles/shelling.comments.yaml": SHELLING,
        "content/articles/quiet.md": article("静かな記事", "2022-09-12 08:00", slug="quiet"),
    }


def feed(path: Path):
    parsed = feedparser.parse(path.read_text(encoding="utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_the_site_feed_lists_the_newest_readable_comments_newest_first(make_site):
    site = make_site(files())
    assert run_cli("build", "--site", site).returncode == 0
    parsed = feed(site / "public/comments/feed.xml")
    assert parsed.feed.title == "テスト軍事ニュースのコメント"
    assert [entry.link for entry in parsed.entries] == [
        SITE + "europe/ceasefire/#comment-102",
        SITE + "europe/shelling/#comment-7",
        SITE + "europe/ceasefire/#comment-101",
    ]  # the removed comment and the trackback are not comments to read
    first = parsed.entries[0]
    assert first.title == "F-104さんのコメント: 停戦は破綻"
    assert first.author == "F-104" and first.published.startswith("2022-09-14T12:40:00")
    body = BeautifulSoup(parsed.entries[2].content[0].value, "html.parser")
    assert body.find("b") is None and "<b>太字にはならない</b>" in body.get_text()
    assert body.a["href"] == "https://example.com/a" and "nofollow" in body.a["rel"]


ALL = DEFAULT_CONFIG + "feeds:\n  comments: all\n"


def test_each_article_with_comments_has_its_feed_linked_from_its_head(make_site):
    site = make_site(files(), ALL)
    assert run_cli("build", "--site", site).returncode == 0
    parsed = feed(site / "public/europe/ceasefire/feed.xml")
    assert parsed.feed.title == "「停戦は破綻」へのコメント | テスト軍事ニュース"
    assert [entry.link[-3:] for entry in parsed.entries] == ["102", "101"]
    assert parsed.feed.link == SITE + "europe/ceasefire/"
    assert not (site / "public/europe/quiet/feed.xml").exists()

    def feeds_of(page: str) -> list[str]:
        head = soup(site / "public" / page / "index.html")
        return [link["href"] for link in head.find_all("link", type="application/atom+xml")]

    assert "/comments/feed.xml" in feeds_of("europe/quiet")
    assert "/europe/ceasefire/feed.xml" in feeds_of("europe/ceasefire")
    assert not any(href.endswith("quiet/feed.xml") for href in feeds_of("europe/quiet"))


def test_a_new_comment_rebuilds_the_feeds_that_show_it(make_site):
    site = make_site(files(), ALL)
    assert run_cli("build", "--site", site).returncode == 0
    quiet = "content/articles/quiet.comments.yaml"
    first = "- id: 1\n  author: 新しい読者\n  date: 2022-09-20T09:00:00+09:00\n  body: 最初\n"
    (site / quiet).write_text(first, encoding="utf-8")
    again = run_cli("build", "--site", site)
    assert again.returncode == 0, again.stderr
    newest = feed(site / "public/comments/feed.xml").entries[0]
    assert newest.link == SITE + "europe/quiet/#comment-1"
    assert feed(site / "public/europe/quiet/feed.xml").entries[0].author == "新しい読者"
    clean = make_site({**files(), quiet: (site / quiet).read_text()}, ALL, name="clean")
    assert run_cli("build", "--site", clean).returncode == 0
    for path in ("comments/feed.xml", "europe/quiet/feed.xml", "europe/quiet/index.html"):
        assert (site / "public" / path).read_bytes() == (clean / "public" / path).read_bytes()


def test_comment_feeds_by_config(make_site):
    only_site = make_site(files(), DEFAULT_CONFIG + "feeds:\n  entries: 2\n")  # the default
    assert run_cli("build", "--site", only_site).returncode == 0
    assert len(feed(only_site / "public/comments/feed.xml").entries) == 2
    assert not (only_site / "public/europe/ceasefire/feed.xml").exists()
    none = make_site(files(), DEFAULT_CONFIG + "feeds:\n  comments: none\n", name="none")
    assert run_cli("build", "--site", none).returncode == 0
    assert not (none / "public/comments").exists()
    assert "/comments/feed.xml" not in (none / "public/index.html").read_text()
    wrong = make_site(files(), DEFAULT_CONFIG + "feeds:\n  comments: every\n", name="wrong")
    refused = run_cli("check", "--site", wrong)
    assert refused.returncode != 0
    assert "'feeds.comments' must be site, all or none, got 'every'" in refused.stderr
