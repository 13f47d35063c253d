"""With the default config (shared sidebar, stable pagination), publishing or removing the
newest article writes a number of files that does not grow with the archive."""

from __future__ import annotations

import shutil

import pytest
from conftest import DEFAULT_CONFIG, article, axe_core, outside_search, search_texts, tree

from blogsmith.build import build

CATEGORIES = ("europe", "japan")
TAGS = 7


def archive(count: int) -> dict[str, str]:
    """`count` articles, two a day from 2010 on (the last in 2010 or 2011), in two categories and
    seven tags; bodies short, so the archive is cheap to build."""
    files = {}
    for n in range(count):
        day, hour = divmod(n, 2)
        month, day = divmod(day, 28)
        files[f"content/a/s{n:04d}.md"] = article(
            f"記事{n}",
            f"{2010 + month // 12}-{month % 12 + 1:02d}-{day + 1:02d} {8 + hour * 6:02d}:00",
            CATEGORIES[n % 2],
            tags=f"[タグ{n % TAGS}, タグ{(n * 3 + 1) % TAGS}]",
            body=f"第{n}報。国境付近の動きを伝える記事です。",
        )
    return files


NEWEST = article(
    "最新の記事",
    "2012-01-01 09:00",
    "japan",
    tags="[タグ1, タグ4]",
    body="国境付近で新たな動き。",
)


def changes(make_site, tmp_path, count: int) -> tuple[list[str], list[str], int]:
    """What adding the newest article and then deleting it changed, on an archive of `count`
    articles, each checked against a clean build; and the number of pages."""
    site = make_site(archive(count), config=DEFAULT_CONFIG, name=f"site{count}")
    live, cache_dir = tmp_path / f"live{count}", tmp_path / f"cache{count}"
    first = build(site, live, cache_dir=cache_dir)
    assert "sidebar/index.html" in tree(live)  # the default is the shared sidebar

    def same_as_clean() -> None:
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(site, clean)
        assert tree(live) == tree(clean)

    newest = site / "content/a/newest.md"
    newest.write_text(NEWEST, encoding="utf-8")
    added = build(site, live, cache_dir=cache_dir)
    same_as_clean()
    newest.unlink()
    deleted = build(site, live, cache_dir=cache_dir)
    same_as_clean()
    return added.changed, deleted.changed, first.pages


def test_adding_or_deleting_the_newest_article_writes_as_much_on_a_larger_archive(
    make_site, tmp_path
):
    small_added, small_deleted, small_pages = changes(make_site, tmp_path, 200)
    large_added, large_deleted, large_pages = changes(make_site, tmp_path, 400)
    assert large_pages > 1.8 * small_pages

    for small, large in ((small_added, large_added), (small_deleted, large_deleted)):
        pages_small, pages_large = outside_search(small), outside_search(large)
        # The same kinds of pages: its own, its neighbour's, the first pages of its lists,
        # the feeds, the sitemap, the sidebar, the related blocks it is in; a list that
        # gains or loses a numbered page has a few more windows of page numbers to redo.
        assert abs(len(pages_large) - len(pages_small)) <= 4, (pages_small, pages_large)
        assert len(pages_large) < 40, pages_large
        assert len(large) < 60  # search index files included
        assert "sidebar/index.html" in pages_large
    assert len(search_texts(large_added)) == 1  # the new article's text, no other page's
    assert len(search_texts(large_deleted)) <= 1  # its text file removed, no other written


def test_the_inline_sidebar_is_still_an_option_and_touches_every_page(make_site, tmp_path):
    site = make_site(archive(30), config=DEFAULT_CONFIG + "sidebar: inline\n")
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    first = build(site, live, cache_dir=cache_dir)
    assert "sidebar/index.html" not in tree(live)
    (site / "content/a/newest.md").write_text(NEWEST, encoding="utf-8")
    added = build(site, live, cache_dir=cache_dir)
    assert len(outside_search(added.changed)) >= first.pages  # every page lists it
    clean = tmp_path / "clean"
    build(site, clean)
    assert tree(live) == tree(clean)


@pytest.mark.slow
@pytest.mark.parametrize("width", [320, 412, 1280])
def test_the_shared_sidebar_shows_all_of_itself_in_its_frame(browser, example_site, width):
    """Every reader sees the whole sidebar without scrolling inside the frame, and the page
    with its framed sidebar has no accessibility violations."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(example_site + "europe/ceasefire-broken/", wait_until="networkidle")
    loaded = [f.url for f in page.frames if f.url.endswith("/sidebar/")]
    assert loaded == ([] if width < 960 else [example_site + "sidebar/"])  # below the article: lazy
    page.locator("iframe.sidebar-frame").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const d = document.querySelector('iframe.sidebar-frame').contentDocument;"
        " return d && d.location.pathname === '/sidebar/' && d.readyState === 'complete'; }"
    )
    frame = page.locator("iframe.sidebar-frame").bounding_box()
    inner = next(f for f in page.frames if f.url.endswith("/sidebar/"))
    shown = inner.evaluate("() => document.querySelector('.sidebar').getBoundingClientRect()")
    assert shown["bottom"] <= frame["height"]
    assert shown["width"] == frame["width"]
    inner.add_script_tag(path=axe_core())  # axe tests the framed sidebar as part of the page
    page.add_script_tag(path=axe_core())
    report = page.evaluate("async () => await axe.run()")
    violations = report["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    in_frame = [n for rule in report["passes"] for n in rule["nodes"] if len(n["target"]) == 2]
    assert in_frame  # the frame's own elements were checked
    page.close()
