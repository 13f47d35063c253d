from conftest import article
from test_graph import graph_of

from blogsmith.errors import ErrorBag, in_file_order
from blogsmith.plan import plan


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
        "sitemap.xml": "sitemap.xml",
        "robots.txt": "robots.txt",
    }


def test_lists_are_paginated_with_numbered_links(make_site):
    files = {f"content/a/{n:02d}.md": article(f"記事{n}", f"2022-09-{n:02d}") for n in range(1, 26)}
    site = make_site(
        files,
        config="title: T\nbase_url: https://e.org/sub/\nper_page: 2\ncategories:\n  europe: 欧州\n",
    )
    jobs, _ = plan_of(site)
    home = [job for job in jobs if job.context.get("kind") == "home"]
    assert [job.path for job in home[:3]] == ["/", "/page/2/", "/page/3/"]
    assert len(home) == 13
    seventh = home[6].context["pagination"]
    assert (seventh.number, seventh.total) == (7, 13)
    assert [(link.number, link.url) for link in seventh.links] == [
        (1, "/sub/"),
        (2, "/sub/page/2/"),
        (4, None),
        (5, "/sub/page/5/"),
        (6, "/sub/page/6/"),
        (7, "/sub/page/7/"),
        (8, "/sub/page/8/"),
        (9, "/sub/page/9/"),
        (11, None),
        (12, "/sub/page/12/"),
        (13, "/sub/page/13/"),
    ]
    assert seventh.prev_url == "/sub/page/6/" and seventh.next_url == "/sub/page/8/"
    assert home[0].context["keys"] == ("a/25.md", "a/24.md")


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
