import pytest
from conftest import article, graph_of


@pytest.fixture
def news(make_site):
    return make_site(
        {
            "content/a/old.md": article("古い記事", "2022-08-01 10:00", tags="[戦車]"),
            "content/a/mid.md": article("中間の記事", "2022-09-01 10:00", "japan", tags="[戦車]"),
            "content/a/new.md": article(
                "新しい記事",
                "2022-10-01 10:00",
                related="[old]",
                body="[中間](mid.md)と[古い](old.md#top)",
            ),
            "content/a/draft.md": article("下書き", "2022-09-15 10:00", draft="true"),
            "content/a/future.md": article("予約投稿", "2023-05-01 10:00"),
            "content/pages/about.md": "---\ntitle: について\nkind: page\n---\n\n説明。\n",
        }
    )


def test_prev_next_follow_published_articles_in_date_order(news):
    graph, errors, _ = graph_of(news)
    assert errors == []
    assert graph.timeline == ("a/old.md", "a/mid.md", "a/new.md")
    assert graph.prev == {"a/mid.md": "a/old.md", "a/new.md": "a/mid.md"}
    assert graph.next == {"a/old.md": "a/mid.md", "a/mid.md": "a/new.md"}
    assert set(graph.articles) == {"a/old.md", "a/mid.md", "a/new.md", "pages/about.md"}


def test_drafts_and_future_articles_are_built_only_when_asked(news):
    graph, _, _ = graph_of(news, drafts=True, future=True)
    assert "a/draft.md" in graph.articles and "a/future.md" in graph.articles
    assert graph.timeline == ("a/old.md", "a/mid.md", "a/new.md", "a/future.md")
    assert graph.listed[0] == "a/future.md" and "a/draft.md" in graph.listed
    assert "a/draft.md" not in graph.prev.values() and "a/draft.md" not in graph.next.values()


def test_links_to_md_files_become_urls(news):
    graph, _, _ = graph_of(news)
    html = graph.articles["a/new.md"].html
    assert '<a href="/japan/mid/">中間</a>' in html
    assert '<a href="/europe/old/#top">古い</a>' in html


def test_related_is_hand_picked_first_then_scored_never_self_or_draft(news):
    graph, _, _ = graph_of(news, drafts=True)
    assert graph.related["a/new.md"] == ("a/old.md", "a/mid.md")
    assert graph.extra_links["a/new.md"] == ()  # the body links to old.md already
    assert graph.related["a/mid.md"] == ("a/old.md", "a/new.md")
    for key, related in graph.related.items():
        assert key not in related and "a/draft.md" not in related


def test_indexes_by_category_tag_and_month(news):
    graph, _, _ = graph_of(news)
    assert graph.by_category == {"europe": ("a/new.md", "a/old.md"), "japan": ("a/mid.md",)}
    assert graph.by_tag == {"戦車": ("a/mid.md", "a/old.md")}
    assert list(graph.by_month) == [(2022, 10), (2022, 9), (2022, 8)]
    assert graph.years() == {2022: ("a/new.md", "a/mid.md", "a/old.md")}


def test_excerpt_is_the_summary_or_the_start_of_the_body(make_site):
    site = make_site(
        {
            "content/x.md": article("x", summary="手書きの要約", body="本文。"),
            "content/y.md": article("y", body="あ" * 200),
        }
    )
    graph, _, _ = graph_of(site)
    assert graph.articles["x.md"].excerpt == "手書きの要約"
    assert graph.articles["y.md"].excerpt == "あ" * 80 + "…"


def test_cross_file_problems_name_file_and_line(make_site):
    site = make_site(
        {
            "content/a/one.md": article(
                "一",
                related="[missing-slug, ../nowhere.md, dup, one]",
                body="段落。\n\n関連記事:[どこにもない](gone.md)",
            ),
            "content/b/dup.md": article("二", "2022-09-10"),
            "content/c/dup.md": article("三", "2022-09-11", "japan"),
            "content/a/draft.md": article("下書き", draft="true"),
            "content/a/linker.md": article("四", body="[下書き](draft.md)"),
        }
    )
    _, errors, warnings = graph_of(site)
    assert errors == [
        "content/a/one.md:5: related article 'missing-slug' not found: no article has that slug; "
        "use an article's slug or its .md path relative to this file",
        "content/a/one.md:5: related article '../nowhere.md' not found: there is no "
        "content/nowhere.md",
        "content/a/one.md:5: related article 'dup' is ambiguous: content/b/dup.md and "
        "content/c/dup.md share that slug; use the .md path relative to this file",
        "content/a/one.md:5: an article cannot be related to itself; remove 'one' from 'related'",
        "content/a/one.md:10: broken link to gone.md: there is no content/a/gone.md; link to an "
        "existing .md file by its path relative to this file",
    ]
    assert warnings == [
        "content/a/linker.md:7: link to content/a/draft.md, which is a draft or scheduled and not "
        "published in this build; the link will not work yet",
    ]


def test_tag_urls_keep_japanese_and_fold_case_and_width(make_site):
    site = make_site(
        {
            "content/a.md": article("a", tags="['F-35 ライトニングII', 'Ｆ－３５ ライトニングⅡ']"),
        }
    )
    graph, _, _ = graph_of(site)
    assert list(graph.tags) == ["f-35-ライトニングii"]
    assert graph.tags["f-35-ライトニングii"].name == "F-35 ライトニングII"
    assert graph.tags["f-35-ライトニングii"].url == (
        "/tag/f-35-%E3%83%A9%E3%82%A4%E3%83%88%E3%83%8B%E3%83%B3%E3%82%B0ii/"
    )
