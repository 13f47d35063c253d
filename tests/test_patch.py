"""The live preview patches an edit into its last build: the output must be what a clean
build of the same files writes, byte for byte, and anything the patch cannot do safely must
fall back to a full build."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import DEFAULT_CONFIG, article, edit, tree

from blogsmith.build import build
from blogsmith.graph.content_graph import BuildOptions
from blogsmith.preview import serve as serve_module
from blogsmith.preview.serve import Preview

COMMENTS = "- id: 1\n  author: 読者\n  date: 2022-09-05 10:00\n  body: 最初のコメント\n"
REPLY = "- id: 2\n  parent: 1\n  author: 別の読者\n  date: 2022-09-05 11:00\n  body: 返信\n"


def archive_files() -> dict[str, str]:
    """Fourteen articles a day apart in two categories and two tags, one with a thread, one
    with a hand-picked related article, and a draft; the sidebar lists the newest three."""
    return {
        f"content/a/s{n:02d}.md": article(
            f"記事{n}",
            f"2022-09-{n + 1:02d} 10:00",
            "japan" if n % 3 == 0 else "europe",
            tags=f"[タグ{n % 2}, 共通]",
            body=f"本文{n}。" * 30,
            **({"related": "[s06]"} if n == 5 else {}),
        )
        for n in range(14)
    } | {"content/a/s01.comments.yaml": COMMENTS, "content/a/draft.md": draft_article()}


ARCHIVE_CONFIG = DEFAULT_CONFIG + "recent_count: 3\nfeeds:\n  comments: all\n"
"""With a comment feed per article: a first comment adds a feed, the last one's removal
takes it away, and a patch does both."""


@pytest.fixture
def preview(make_site, tmp_path, monkeypatch):
    site = make_site(archive_files(), config=ARCHIVE_CONFIG)
    full_builds = []

    def counted(*args, **kwargs):
        full_builds.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(serve_module, "build", counted)
    live = Preview(site, BuildOptions(), tmp_path / "live", out=io.StringIO(), err=io.StringIO())
    assert live.rebuild() is not None
    full_builds.clear()
    yield site, live, full_builds, tmp_path
    live.stop()


def draft_article() -> str:
    return article("下書き", "2022-09-20 10:00", draft="true")


def check_step(site: Path, live: Preview, tmp_path: Path, result) -> None:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    expected = build(site, clean)
    assert tree(live.output) == tree(clean)
    assert result.warnings == expected.warnings


def test_edits_that_keep_the_site_shape_are_patched_and_equal_a_clean_build(preview):
    site, live, full_builds, tmp_path = preview
    a = site / "content/a"
    steps = {
        "body": (["s03.md"], lambda: edit(a / "s03.md", "本文3。", "書き換えた本文。")),
        "title shows in lists and neighbours": (
            ["s04.md"],
            lambda: edit(a / "s04.md", "title: 記事4", "title: 改題した記事4"),
        ),
        "summary": (
            ["s07.md"],
            lambda: edit(a / "s07.md", "category:", "summary: 要約\ncategory:"),
        ),
        "sources and eyecatch (missing image warns)": (
            ["s08.md"],
            lambda: edit(
                a / "s08.md",
                "category:",
                "sources:\n  - https://example.com/a\neyecatch:\n  image: /images/none.jpg\n"
                "  alt: 写真\n  credit: 防衛省\ncategory:",
            ),
        ),
        "a link to the hand-picked related article leaves the extra links": (
            ["s05.md"],
            lambda: edit(a / "s05.md", "本文5。", "[関連](s06.md)の本文5。"),
        ),
        "a link to a draft warns": (
            ["s09.md"],
            lambda: edit(a / "s09.md", "本文9。", "[下書き](draft.md)の本文9。"),
        ),
        "the warning goes when the link goes": (
            ["s09.md"],
            lambda: edit(a / "s09.md", "[下書き](draft.md)の", ""),
        ),
        "a reply changes the comment count": (
            ["s01.comments.yaml"],
            lambda: (a / "s01.comments.yaml").write_text(COMMENTS + REPLY),
        ),
        "a comment edited, count the same": (
            ["s01.comments.yaml"],
            lambda: edit(a / "s01.comments.yaml", "返信", "訂正した返信"),
        ),
        "a first comment": (
            ["s02.comments.yaml"],
            lambda: (a / "s02.comments.yaml").write_text(COMMENTS),
        ),
        "comments removed": (["s02.comments.yaml"], lambda: (a / "s02.comments.yaml").unlink()),
        "two files at once": (
            ["s03.md", "s06.md"],
            lambda: (
                edit(a / "s03.md", "書き換えた", "再び"),
                edit(a / "s06.md", "本文6。", "六。"),
            ),
        ),
        "touched, not changed": (["s10.md"], lambda: (a / "s10.md").touch()),
    }
    for name, (paths, change) in steps.items():
        change()
        result = live.rebuild({f"content/a/{path}" for path in paths})
        assert result is not None, name
        assert full_builds == [], f"{name}: not patched"
        check_step(site, live, tmp_path, result)
    assert not any("draft.md" in str(w) for w in live.live.warnings)


def test_a_patch_writes_only_the_pages_that_show_what_changed(preview):
    site, live, full_builds, _ = preview
    a = site / "content/a"
    (a / "s01.comments.yaml").write_text(COMMENTS.replace("最初の", "直した"))
    result = live.rebuild({"content/a/s01.comments.yaml"})
    assert full_builds == []
    # the comment's page, and the comment feeds showing the edited comment
    assert result.changed == ["comments/feed.xml", "europe/s01/feed.xml", "europe/s01/index.html"]
    edit(a / "s04.md", "title: 記事4", "title: 改題した記事4")
    result = live.rebuild({"content/a/s04.md"})
    assert full_builds == []
    changed = set(result.changed)
    assert {"europe/s04/index.html", "japan/s03/index.html", "europe/s05/index.html"} <= changed
    assert "index.html" in changed and "feed.xml" in changed
    graph = live.live.graph
    unrelated = [
        article.path.strip("/") + "/index.html"
        for key, article in graph.articles.items()
        if "a/s04.md" not in (key, graph.prev.get(key), graph.next.get(key), *graph.related[key])
    ]
    assert unrelated and not changed & set(unrelated)


@pytest.mark.parametrize(
    ("name", "path", "old", "new"),
    [
        ("date moves it in the timeline", "s04.md", "2022-09-05", "2022-08-01"),
        ("tags change lists", "s04.md", "tags: [タグ0, 共通]", "tags: [新しいタグ]"),
        ("category changes its URL", "s04.md", "category: europe", "category: japan"),
        ("slug changes its URL", "s04.md", "category:", "slug: renamed\ncategory:"),
        ("aliases add pages", "s04.md", "category:", "aliases: [/old/4]\ncategory:"),
    ],
)
def test_edits_that_change_the_site_shape_fall_back_to_a_full_build(preview, name, path, old, new):
    site, live, full_builds, tmp_path = preview
    edit(site / "content/a" / path, old, new)
    result = live.rebuild({f"content/a/{path}"})
    assert full_builds == [1], name
    check_step(site, live, tmp_path, result)


def test_a_newest_articles_card_is_patched_into_the_one_shared_sidebar(preview):
    site, live, full_builds, tmp_path = preview
    a = site / "content/a"
    edit(a / "s13.md", "title: 記事13", "title: 改題")
    result = live.rebuild({"content/a/s13.md"})
    assert full_builds == []
    assert "sidebar/index.html" in result.changed
    check_step(site, live, tmp_path, result)
    (a / "s12.comments.yaml").write_text(COMMENTS)  # its comment count: what readers add
    result = live.rebuild({"content/a/s12.comments.yaml"})
    assert full_builds == []
    check_step(site, live, tmp_path, result)


def test_with_the_sidebar_on_every_page_a_newest_articles_card_is_a_full_build(preview):
    site, live, full_builds, tmp_path = preview
    with (site / "blogsmith.yaml").open("a", encoding="utf-8") as config:
        config.write("sidebar: inline\n")
    assert live.rebuild({"blogsmith.yaml"}) is not None
    full_builds.clear()
    edit(site / "content/a/s13.md", "title: 記事13", "title: 改題")
    result = live.rebuild({"content/a/s13.md"})
    assert full_builds == [1]
    check_step(site, live, tmp_path, result)


def test_new_files_deleted_files_config_and_templates_fall_back(preview):
    site, live, full_builds, tmp_path = preview
    a = site / "content/a"
    changes = [
        (
            "content/a/new.md",
            lambda: (a / "new.md").write_text(article("新記事", "2022-10-01 10:00")),
        ),
        ("content/a/s12.md", lambda: (a / "s12.md").unlink()),
        ("content/a/draft.md", lambda: edit(a / "draft.md", "下書き", "まだ下書き")),
        ("blogsmith.yaml", lambda: edit(site / "blogsmith.yaml", "per_page: 10", "per_page: 4")),
    ]
    for count, (path, change) in enumerate(changes, 1):
        change()
        result = live.rebuild({path})
        assert len(full_builds) == count, path
        check_step(site, live, tmp_path, result)


def test_an_error_falls_back_and_is_reported_then_the_fix_is_built(preview):
    site, live, full_builds, tmp_path = preview
    a = site / "content/a"
    edit(a / "s03.md", "本文3。", "[壊れた](missing.md)本文3。")
    assert live.rebuild({"content/a/s03.md"}) is None
    assert any("broken link to missing.md" in error for error in live.state.errors)
    edit(a / "s03.md", "[壊れた](missing.md)", "")
    result = live.rebuild({"content/a/s03.md"})
    assert full_builds == [1, 1]  # after a failed build, only a full build is trusted
    check_step(site, live, tmp_path, result)
    edit(a / "s03.md", "title: 記事3", "title: 記事3\ndate: [")
    assert live.rebuild({"content/a/s03.md"}) is None
    assert len(full_builds) == 3


def test_the_renderer_a_preview_keeps_reads_a_changed_template_again(preview):
    """A one-off build compiles each template once; a renderer kept between builds (and the
    one a patch makes anew when the sidebar's cards change) sees a template file change."""
    import os

    site, live, _, _ = preview
    folder = site / "templates"
    folder.mkdir(exist_ok=True)
    template = folder / "kept-check.html"
    template.write_text("first", encoding="utf-8")
    renderer, graph = live.live.renderer, live.live.graph
    twin = renderer.with_graph(graph)  # the same sidebar cards: the same compiled templates
    renderer.env.globals["recent"] = []  # as if a newest card changed: a renderer made anew
    made = renderer.with_graph(graph)
    assert twin.env is renderer.env and made.env is not renderer.env
    kept = [renderer, made]
    assert [each.env.get_template("kept-check.html").render() for each in kept] == ["first"] * 2
    template.write_text("second", encoding="utf-8")
    later = template.stat().st_mtime + 10
    os.utime(template, (later, later))
    assert [each.env.get_template("kept-check.html").render() for each in kept] == ["second"] * 2
