"""A build in a new process after an edit that keeps the site's shape keys again only the
pages that show the edited articles; anything that reaches further keys every page. Either
way the output is what a clean build writes."""

from __future__ import annotations

import shutil

import pytest
from conftest import article, edit, graph_of, tree
from test_patch import ARCHIVE_CONFIG, COMMENTS, archive_files

from blogsmith import build as build_module
from blogsmith.build import build, default_cache_dir
from blogsmith.plan.jobs import SIDEBAR_PAGE


@pytest.fixture
def site(make_site):
    made = make_site(archive_files(), config=ARCHIVE_CONFIG)
    build(made, cache_dir=default_cache_dir(made / "public"))
    return made


def keyed_after(site, monkeypatch) -> tuple[list[int] | None, list]:
    """Builds as a new process would (the cache from disk); which jobs it keyed (None: all)."""
    seen = []
    keying = build_module.pages_to_render

    def recorded(jobs, renderer, writer, cache, reuse, failing, among=None):
        seen.append((among, jobs))
        return keying(jobs, renderer, writer, cache, reuse, failing, among)

    monkeypatch.setattr(build_module, "pages_to_render", recorded)
    build(site, cache_dir=default_cache_dir(site / "public"))
    return seen[0] if seen else (None, [])


def matches_a_clean_build(site, tmp_path) -> None:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(site, clean)
    assert tree(site / "public") == tree(clean)


def paths_of(among, jobs) -> set[str]:
    return {jobs[index].path for index in among}


def test_a_body_edit_keys_only_the_pages_showing_the_article(site, tmp_path, monkeypatch):
    edit(site / "content/a/s05.md", "本文5。", "書き直した本文。")
    among, jobs = keyed_after(site, monkeypatch)
    graph = graph_of(site)[0]
    showing = [i for i, job in enumerate(jobs) if "a/s05.md" in job.shown_articles(graph)]
    feed = [i for i, job in enumerate(jobs) if job.path == "/comments/feed.xml"]  # any comment
    assert among == sorted(showing + feed) and len(among) < len(jobs)
    assert "/europe/s05/" in paths_of(among, jobs)
    matches_a_clean_build(site, tmp_path)


def test_a_new_comment_on_a_newest_article_keys_the_shared_sidebar_too(site, tmp_path, monkeypatch):
    (site / "content/a/s13.comments.yaml").write_text(COMMENTS, encoding="utf-8")
    among, jobs = keyed_after(site, monkeypatch)
    assert among is not None
    assert any(jobs[index].template == SIDEBAR_PAGE for index in among)
    matches_a_clean_build(site, tmp_path)


def test_a_thread_changed_and_one_removed(site, tmp_path, monkeypatch):
    thread = site / "content/a/s01.comments.yaml"
    thread.write_text(COMMENTS.replace("最初の", "直した"), encoding="utf-8")
    among, _ = keyed_after(site, monkeypatch)
    assert among is not None
    matches_a_clean_build(site, tmp_path)
    thread.unlink()
    among, _ = keyed_after(site, monkeypatch)
    assert among is not None
    matches_a_clean_build(site, tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        "tags",
        "date",
        "a new article",
        "an article removed",
        "a template",
        "the config",
        "the sidebar on every page",
    ],
)
def test_what_reaches_further_keys_every_page(site, tmp_path, monkeypatch, change):
    a = site / "content/a"
    if change == "tags":
        edit(a / "s04.md", "tags: [タグ0, 共通]", "tags: [新しいタグ]")
    elif change == "date":
        edit(a / "s04.md", "2022-09-05", "2022-08-01")
    elif change == "a new article":
        (a / "new.md").write_text(article("新しい記事", "2022-08-20 10:00"), encoding="utf-8")
    elif change == "an article removed":
        (a / "s04.md").unlink()
    elif change == "a template":
        (site / "templates").mkdir()
        (site / "templates/404.html").write_text(
            "{% extends 'base.html' %}{% block main %}<h1>独自</h1>{% endblock %}",
            encoding="utf-8",
        )
        edit(a / "s05.md", "本文5。", "書き直した本文。")
    elif change == "the config":
        edit(site / "blogsmith.yaml", "per_page: 10", "per_page: 5")
        edit(a / "s05.md", "本文5。", "書き直した本文。")
    else:  # a newest article's card, shown in the sidebar of every page
        with (site / "blogsmith.yaml").open("a", encoding="utf-8") as config:
            config.write("sidebar: inline\n")
        build(site, cache_dir=default_cache_dir(site / "public"))
        edit(a / "s13.md", "title: 記事13", "title: 改題")
    among, _ = keyed_after(site, monkeypatch)
    assert among is None
    matches_a_clean_build(site, tmp_path)


def test_an_article_whose_time_came_keys_every_page(make_site, tmp_path, monkeypatch):
    site = make_site(
        {
            "content/a/now.md": article("今の記事", "2022-09-01 10:00"),
            "content/a/later.md": article("予約記事", "2099-01-01 10:00"),
        }
    )
    build(site, cache_dir=default_cache_dir(site / "public"))
    edit(site / "content/a/now.md", "本文です。", "直した本文。")
    monkeypatch.setattr(build_module.time, "time", lambda: 4102444800.0 + 3600 * 24)
    among, _ = keyed_after(site, monkeypatch)
    assert among is None
