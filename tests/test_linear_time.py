"""Pathological input costs linear time: four times the input takes about four times as long,
never sixteen. Each case took seconds before (8,000 `[` took 11 s); the ratio, not a clock
limit, is what is asserted, so a slow machine does not fail it."""

from __future__ import annotations

import re
import time

import pytest
from conftest import article, run_cli, soup
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from blogsmith.content import markdown_body as markdown_render
from blogsmith.content.comment_text import render_body
from blogsmith.content.markdown_body import BodyRenderer, NestedTooDeep
from blogsmith.content.markdown_linear import UNCLOSED_TAGS_ALLOWED, escape_unclosed_tags


def seconds(work, text: str) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        work(text)
        best = min(best, time.perf_counter() - started)
    return best


def grows_linearly(work, unit: str, small: int = 4_000) -> None:
    short = seconds(work, unit * (small // len(unit)))
    long = seconds(work, unit * (4 * small // len(unit)))
    assert long < 8 * short + 0.05, (unit, short, long)


@pytest.mark.parametrize(
    "unit", ["[", "![", "[a][", "[^", "[a](", "[](", "[a](<", "<a ", "<x@"], ids=repr
)
def test_markdown_bodies_of_brackets_parentheses_and_open_tags_render_in_linear_time(unit):
    """As the build renders a body: unclosed tags escaped first, then Markdown."""
    renderer = BodyRenderer()
    grows_linearly(lambda text: renderer.render(escape_unclosed_tags(text)[0]), unit)


def test_a_comment_of_a_url_and_65_kb_of_parentheses_renders_in_linear_time():
    grows_linearly(render_body, ")", small=16_000)
    html = render_body("http://a.example/" + ")" * 65_000)
    assert '<a href="http://a.example/"' in html and html.count(")") == 65_000


def _reference_renderer() -> BodyRenderer:
    """The same renderer with the library's own link parsing."""
    original = markdown_render.use_linear_links
    markdown_render.use_linear_links = lambda md: None
    try:
        return BodyRenderer()
    finally:
        markdown_render.use_linear_links = original


REFERENCE = _reference_renderer()
LINEAR = BodyRenderer()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="[]()!<>\"' a^:\n*\\x", max_size=60))
def test_links_mean_what_the_library_would_make_of_them(text):
    assume(not re.search(r"\[\^[^\]\n]*\[", text))  # a footnote id holding '[' (see module)
    assert LINEAR.render(text).html == REFERENCE.render(text).html


@pytest.mark.parametrize(
    "body",
    [
        '[リンク](https://example.org/a_(b)) と ![図](/img/a.jpg "出典:防衛省")',
        '[参考][ref] と [ref]\n\n[ref]: https://example.org/ "題"',
        "脚注[^1]\n\n[^1]: 注の本文",
        "[[入れ子]](https://example.org/) [a](<https://example.org/x y> '題')",
        "[未完 [リンク](https://example.org/(a) [閉じ]",
    ],
)
def test_ordinary_links_render_exactly_as_before(body):
    assert LINEAR.render(body).html == REFERENCE.render(body).html


def test_nesting_deeper_than_the_parser_follows_is_a_located_error(make_site):
    deep = "1. " * 2_000 + "深すぎる\n"
    site = make_site(
        {
            "content/deep.md": article("深い入れ子", "2022-08-01", body=deep),
            "content/ok.md": article("普通", "2022-08-02"),
        }
    )
    for command in ("check", "build"):
        run = run_cli(command, "--site", site)
        assert run.returncode == 1, (command, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr
        assert re.search(r"content/deep\.md:\d+: .*nested too deeply", run.stderr), run.stderr
    with pytest.raises(NestedTooDeep):
        BodyRenderer().render(deep)


def test_a_flood_of_unclosed_tags_is_shown_as_text_with_a_warning(make_site, tmp_path):
    flood = "<a " * (UNCLOSED_TAGS_ALLOWED + 1) + '\n\n<b>太字</b>と<a href="/x/">リンク</a>\n'
    site = make_site({"content/flood.md": article("タグの洪水", "2022-08-01", body=flood)})
    run = run_cli("build", "--site", site, "--output", tmp_path / "public")
    assert run.returncode == 0, run.stderr
    assert re.search(
        r"content/flood\.md:\d+: warning: 101 '<' open an HTML tag that never closes", run.stderr
    )
    page = soup(next((tmp_path / "public").glob("*/flood/index.html")))
    content = page.select_one(".entry-content")
    assert content.get_text().count("<a ") == UNCLOSED_TAGS_ALLOWED + 1
    assert content.select_one("b").get_text() == "太字"  # closed tags stay tags
