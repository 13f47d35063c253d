from conftest import article, graph_of

from blogsmith.core.errors import ErrorBag, in_file_order
from blogsmith.plan.jobs import plan


def plan_of(site):
    graph, errors, _ = graph_of(site)
    assert errors == []
    bag = ErrorBag()
    jobs = plan(graph, bag)
    return jobs, [str(e) for e in in_file_order(bag.errors)]


def test_the_whole_url_map_of_a_small_site(make_site):
    site = make_site(
        {
            "content/a/one.md": article("一", "2022-08-01", tags="[戦車]", aliases="[/archives/1]"),
            "content/a/two.md": article("二", "2022-09-01", "japan", tags="[戦車, 艦艇]"),
            "content/pages/about.md": "---\ntitle: について\nkind: page\n---\n",
        }
    )
    jobs, errors = plan_of(site)
    assert errors == []
    assert {job.output_file: job.template for job in jobs} == {
        "europe/one/index.html": "article.html",
        "japan/two/index.html": "article.html",
        "archives/1/index.html": "redirect.html",
        "about/index.html": "page.html",
        "index.html": "list.html",
        "category/europe/index.html": "list.html",
        "category/japan/index.html": "list.html",
        "tag/戦車/index.html": "list.html",
        "tag/艦艇/index.html": "list.html",
        "2022/index.html": "list.html",
        "2022/09/index.html": "list.html",
        "2022/08/index.html": "list.html",
        "404.html": "404.html",
        "feed.xml": "feed.xml",
        "category/europe/feed.xml": "feed.xml",
        "category/japan/feed.xml": "feed.xml",
        "comments/feed.xml": "comments-feed.xml",
        "sitemap.xml": "sitemap.xml",
        "robots.txt": "robots.txt",
        "sidebar/index.html": "sidebar-page.html",  # the shared sidebar, the default
    }


def _paged_site(make_site, count: int, pagination: str = ""):
    files = {
        f"content/a/{n:02d}.md": article(f"記事{n}", f"2022-09-{n:02d}")
        for n in range(1, count + 1)
    }
    config = "title: T\nbase_url: https://e.org/sub/\nper_page: 2\ncategories:\n  europe: 欧州\n"
    return make_site(files, config=config + pagination, name=f"site{count}")


def _home(site):
    jobs, _ = plan_of(site)
    return [job for job in jobs if job.context.get("kind") == "home"]


def _links(pagination):
    return [(link.label, link.url) for link in pagination.links]


def test_newest_first_pagination_numbers_pages_from_the_newest(make_site):
    home = _home(_paged_site(make_site, 25, "pagination: newest-first\n"))
    assert [job.path for job in home[:3]] == ["/", "/page/2/", "/page/3/"]
    assert len(home) == 13
    seventh = home[6].context["pagination"]
    assert seventh.number == 7
    assert _links(seventh) == [
        ("1", "/sub/"),
        ("…", None),
        ("5", "/sub/page/5/"),
        ("6", "/sub/page/6/"),
        ("7", None),
        ("8", "/sub/page/8/"),
        ("9", "/sub/page/9/"),
        ("…", None),
        ("12", "/sub/page/12/"),
        ("13", "/sub/page/13/"),
    ]
    assert [link.current for link in seventh.links].index(True) == 4
    assert seventh.prev_url == "/sub/page/6/" and seventh.next_url == "/sub/page/8/"
    assert home[0].context["keys"] == ("a/25.md", "a/24.md")
    assert home[0].context["total"] == 25 and "total" not in home[1].context


def test_stable_pagination_numbers_pages_from_the_oldest(make_site):
    home = _home(_paged_site(make_site, 25))
    assert [job.path for job in home[:3]] == ["/", "/page/11/", "/page/10/"]
    assert home[-1].path == "/page/1/" and len(home) == 12
    # The first page takes what is above the newest full page: never a short page.
    assert home[0].context["keys"] == ("a/25.md", "a/24.md", "a/23.md")
    assert home[1].context["keys"] == ("a/22.md", "a/21.md")
    assert home[-1].context["keys"] == ("a/02.md", "a/01.md")
    sixth = home[6].context["pagination"]
    assert sixth.number == 6 and home[6].context["keys"] == ("a/12.md", "a/11.md")
    assert _links(sixth) == [
        ("最新", "/sub/"),
        ("…", None),
        ("8", "/sub/page/8/"),
        ("7", "/sub/page/7/"),
        ("6", None),
        ("5", "/sub/page/5/"),
        ("4", "/sub/page/4/"),
        ("…", None),
        ("2", "/sub/page/2/"),
        ("1", "/sub/page/1/"),
    ]
    assert sixth.prev_url == "/sub/page/7/" and sixth.next_url == "/sub/page/5/"
    assert home[0].context["pagination"].number is None


def test_stable_pagination_changes_only_the_newest_pages_when_articles_are_added(make_site):
    before = {job.path: job.context for job in _home(_paged_site(make_site, 24))}
    for count in (25, 26, 27):
        after = {job.path: job.context for job in _home(_paged_site(make_site, count))}
        changed = {path for path, context in before.items() if after.get(path) != context}
        newest = list(after)[:5]  # the first page and the window of links beside it
        assert changed and changed <= set(newest), (count, changed)
        before = after


def test_a_list_that_fits_on_one_page_has_no_page_links(make_site):
    for count in (1, 2, 3):
        (first,) = _home(_paged_site(make_site, count))
        assert first.context["pagination"].links == ()
        assert len(first.context["keys"]) == count


def test_two_sources_on_one_url_is_an_error_naming_both(make_site):
    site = make_site(
        {
            "content/a/same.md": article("一", "2022-08-01"),
            "content/b/same.md": article("二", "2022-08-02"),
            "content/c.md": article("三", "2022-08-03", aliases="[/europe/same/]"),
            "content/pages/tag.md": "---\ntitle: t\nkind: page\naliases: [/tag/戦車/]\n---\n",
            "content/e.md": article("五", "2022-08-05", tags="[戦車]"),
        }
    )
    jobs, errors = plan_of(site)
    assert errors == [
        "content/b/same.md:2: URL /europe/same/ is also the URL of content/a/same.md:2; give one "
        "of them another slug or alias",
        "content/c.md:5: URL /europe/same/ is also the URL of content/a/same.md:2; give one of "
        "them another slug or alias",
        "content/pages/tag.md:4: URL /tag/戦車/ is also the URL of the page of tag '戦車'; "
        "give one of them another slug or alias",
    ]


def test_a_page_slug_may_not_take_a_generated_page(make_site):
    site = make_site(
        {
            "content/p.md": "---\ntitle: p\nkind: page\nslug: '2022'\n---\n",
            "content/a.md": article("a", "2022-08-01"),
        }
    )
    _, errors = plan_of(site)
    assert errors == [
        "content/p.md:4: URL /2022/ is also the URL of the archive of 2022; give "
        "one of them another slug or alias"
    ]


def test_old_query_urls_redirect_through_a_page_of_their_own(make_site, tmp_path):
    from blogsmith.build import build

    site = make_site(
        {
            "content/a/one.md": article(
                "一", "2022-08-01", aliases="[/?p=5, /index.php?page_id=7]"
            ),
        }
    )
    build(site, tmp_path / "out")
    out = tmp_path / "out"
    assert "/europe/one/" in (out / "_p/5/index.html").read_text(encoding="utf-8")
    assert "/europe/one/" in (out / "_index.php_page_id/7/index.html").read_text(encoding="utf-8")
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '[["/","p","/_p/"]]' in home  # the home page follows ?p=
    missing = (out / "404.html").read_text(encoding="utf-8")  # no page at /index.php
    assert '[["/index.php","page_id","/_index.php_page_id/"]]' in missing
    assert "rules" not in (out / "europe/one/index.html").read_text(encoding="utf-8")


def test_a_query_alias_must_be_one_name_and_value(make_site):
    import pytest

    from blogsmith.build import build
    from blogsmith.core.errors import BuildError

    site = make_site({"content/a/one.md": article("一", "2022-08-01", aliases="['/?p=1&x=2']")})
    with pytest.raises(BuildError) as failure:
        build(site, write=False)
    assert "at most one query of the form ?name=value (like /?p=123)" in str(
        failure.value.errors[0]
    )
