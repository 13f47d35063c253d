"""Property: no comment body or author can put an element or attribute on the page that the
page would not have anyway; checked through the real YAML, graph and template path."""

from __future__ import annotations

import yaml
from bs4 import BeautifulSoup
from conftest import DEFAULT_CONFIG, article, assert_only_own_markup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blogsmith.build import load_graph
from blogsmith.content.comment_text import clean
from blogsmith.core.errors import ErrorBag
from blogsmith.graph.content_graph import BuildOptions
from blogsmith.plan.jobs import plan
from blogsmith.render.pages import Renderer
from blogsmith.render.theme import default_theme

HOSTILE_ALPHABET = st.sampled_from(
    list("<>&\"'=/ :;()[]#!-`*_\n\t\\")
    + [
        "<script>",
        "</p>",
        "<a href=",
        "javascript:",
        "https://",
        "http://e.com/",
        "data:",
        "onerror=",
        "&#x3C;",
        "&amp;",
        "\u202e",
        "\u200b",
        "\x00",
        "\x85",
        "\u2028",
        "<!--",
        "]]>",
    ]
)
TEXT = (
    st.lists(st.one_of(HOSTILE_ALPHABET, st.text(max_size=5)), min_size=1, max_size=40)
    .map("".join)
    .filter(lambda s: clean(s).strip())
)


def render_article(site, author: str, body: str, url: str) -> BeautifulSoup:
    comments = [
        {
            "id": 1,
            "author": author,
            "url": url,
            "date": "2022-09-14 10:00",
            "body": body,
            "votes": 3,
        },
        {"id": 2, "parent": 1, "author": author, "date": "2022-09-14 11:00", "body": body},
        {
            "id": 3,
            "type": "trackback",
            "author": author,
            "url": url,
            "date": "2022-09-15",
            "body": body,
        },
    ]
    (site / "content/a.comments.yaml").write_text(
        yaml.safe_dump(comments, allow_unicode=True), encoding="utf-8"
    )
    bag = ErrorBag()
    graph = load_graph(site, BuildOptions(), bag)
    assert bag.errors == []
    job = next(job for job in plan(graph, bag) if job.template == "article.html")
    html = Renderer(graph, site, default_theme()).render(job).decode("utf-8")
    return BeautifulSoup(html, "html5lib")


def signatures(page: BeautifulSoup) -> set[tuple]:
    """Every element outside comment bodies as (tag, attribute names)."""
    found = set()
    for element in page.find_all(True):
        if element.find_parent(class_="comment-content"):
            continue
        found.add((element.name, tuple(sorted(element.attrs))))
    return found


def test_property_no_comment_can_add_markup(make_site):
    site = make_site({"content/a.md": article("記事", "2022-09-14 06:30")}, DEFAULT_CONFIG)
    baseline = signatures(render_article(site, "author", "body", "https://ok.example/"))

    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(author=TEXT, body=TEXT, url=st.one_of(TEXT, st.just("https://ok.example/x")))
    def check(author: str, body: str, url: str) -> None:
        page = render_article(site, author, body, url)
        assert signatures(page) <= baseline
        section = page.find(id="comments")
        assert len(section.select("li.comment")) == 2
        assert section.select_one("li.comment li.comment")["id"] == "comment-2"
        for content in section.select(".comment-content"):
            assert_only_own_markup(content)
        as_read = yaml.safe_load(yaml.safe_dump(author, allow_unicode=True))  # YAML folds NEL
        expected_author = " ".join(clean(as_read).split())
        for name in section.select(".comment-author"):
            assert name.get_text() == expected_author
            link = name.find("a")
            if link is not None:
                assert link["href"].startswith(("http://", "https://"))

    check()
