"""The live preview in a real browser: an open tab follows edits on disk by itself."""

from __future__ import annotations

import time

import pytest
from conftest import REPO, article
from serving import ServeProcess

pytestmark = pytest.mark.slow


def open_live(browser, url: str):
    page = browser.new_page()
    navigations = []
    page.on(  # the page's own navigations, not its shared sidebar's frame loading
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame is page.main_frame else None,
    )
    page.goto(url)
    page.wait_for_selector("html[data-blogsmith-live=connected]", timeout=10_000)
    return page, navigations


def test_the_open_page_follows_markdown_and_template_edits(browser, make_site):
    site = make_site(
        {
            "content/a/story.md": article("記事", "2022-09-01 10:00", body="元の本文です。"),
            "content/a/other.md": article("別の記事", "2022-09-02 10:00"),
        }
    )
    server = ServeProcess(site)
    try:
        page, navigations = open_live(browser, server.url + "europe/story/")
        assert "元の本文です。" in page.inner_text("main")

        source = site / "content/a/story.md"
        source.write_text(source.read_text().replace("元の本文です。", "保存した新しい本文です。"))
        started = time.monotonic()
        page.wait_for_function(
            "document.querySelector('main').innerText.includes('保存した新しい本文です。')",
            timeout=2_000,
        )
        assert time.monotonic() - started < 2.0

        page.wait_for_selector("html[data-blogsmith-live=connected]", timeout=10_000)
        templates = site / "templates"
        templates.mkdir()
        theme_article = (REPO / "templates/article.html").read_text()
        (templates / "article.html").write_text(
            theme_article.replace(
                '<h1 class="entry-title">',
                '<p class="edited-template">テンプレートを編集</p><h1 class="entry-title">',
            )
        )
        started = time.monotonic()
        page.wait_for_selector(".edited-template", timeout=2_000)
        assert time.monotonic() - started < 2.0
        # Every navigation was the page reloading itself, never the test going elsewhere.
        assert set(navigations) == {server.url + "europe/story/"}
    finally:
        server.stop()


def test_a_build_error_shows_over_the_page_until_fixed(browser, make_site):
    site = make_site({"content/a/story.md": article("記事", "2022-09-01 10:00", body="本文。")})
    server = ServeProcess(site)
    try:
        page, _ = open_live(browser, server.url + "europe/story/")
        source = site / "content/a/story.md"
        good = source.read_text()
        source.write_text(good.replace("date: 2022-09-01 10:00", "date: 2022-09-31 10:00"))
        overlay = page.wait_for_selector("#blogsmith-errors", timeout=5_000)
        assert (
            "content/a/story.md:3: 'date': '2022-09-31 10:00' is not a date" in overlay.inner_text()
        )
        assert "本文。" in page.inner_text("main")  # the last good page stays underneath
        source.write_text(good.replace("本文。", "直った本文。"))
        page.wait_for_function(
            "!document.getElementById('blogsmith-errors') && "
            "document.querySelector('main').innerText.includes('直った本文。')",
            timeout=5_000,
        )
    finally:
        server.stop()


def test_old_query_links_land_on_the_article(browser, make_site):
    site = make_site(
        {
            "content/a/story.md": article(
                "移転した記事", "2022-09-01 10:00", aliases="[/?p=7, /index.php?p=8]"
            ),
        }
    )
    server = ServeProcess(site)
    try:
        page = browser.new_page()
        for old in ("?p=7", "index.php?p=8"):  # the home page; no page: the 404 page
            page.goto(server.url + old)
            page.wait_for_url("**/europe/story/", timeout=10_000)
            assert page.inner_text("h1") == "移転した記事"
        page.goto(server.url + "?p=7#comments")
        page.wait_for_url("**/europe/story/#comments", timeout=10_000)
        page.goto(server.url + "?p=999")  # no such old post: not found, as WordPress says
        page.wait_for_url("**/_p/999/", timeout=10_000)
        page.wait_for_load_state()
        assert page.inner_text("h1") == "ページが見つかりません"
        page.goto(server.url + "?s=戦車")  # other queries: the home page stays
        page.wait_for_load_state()
        assert page.url.endswith("?s=%E6%88%A6%E8%BB%8A")
    finally:
        server.stop()
