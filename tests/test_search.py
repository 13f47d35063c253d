"""Full-text search: the switch, the warning when Pagefind cannot run, and real searches for
Japanese and ASCII words in a browser."""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import DEFAULT_CONFIG, REPO, article, run_cli, soup
from test_browser import browser  # noqa: F401 (fixture)

SEARCH_ON = DEFAULT_CONFIG.replace("search: false", "search: true")


def test_search_off_builds_no_index_page_or_form(make_site):
    site = make_site({"content/a.md": article("一")})
    assert run_cli("build", "--site", site).returncode == 0
    assert not (site / "public/pagefind").exists() and not (site / "public/search").exists()
    assert soup(site / "public/index.html").find("form", role="search") is None


def test_search_on_indexes_articles_and_adds_the_page_and_form(make_site):
    site = make_site({"content/a.md": article("一"), "content/b.md": article("二")}, SEARCH_ON)
    assert run_cli("build", "--site", site).returncode == 0
    out = site / "public"
    assert (out / "pagefind/pagefind.js").is_file() and (out / "pagefind/pagefind-ui.js").is_file()
    form = soup(out / "index.html").find("form", role="search")
    assert form["action"] == "/search/" and form.find("input")["name"] == "q"
    assert soup(out / "search/index.html").find(id="search") is not None
    # A rebuild with nothing changed keeps the index; switching search off removes it.
    assert run_cli("build", "--site", site).returncode == 0
    (site / "blogsmith.yaml").write_text(DEFAULT_CONFIG)
    assert run_cli("build", "--site", site).returncode == 0
    assert not (out / "pagefind").exists() and not (out / "search").exists()


def test_a_pagefind_that_cannot_run_is_a_warning_not_a_failure(make_site):
    site = make_site({"content/a.md": article("一")}, SEARCH_ON)
    env = {**os.environ, "PAGEFIND_BINARY_PATH": "/nonexistent/pagefind"}
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "blogsmith", "build", "--site", str(site)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0
    assert result.stderr.startswith(
        "blogsmith.yaml: warning: search: the Pagefind binary /nonexistent/pagefind cannot run "
        "here ("
    )
    assert result.stderr.rstrip().endswith(
        "the site is built without search (set 'search: false' to silence this)"
    )
    assert not (site / "public/search").exists()
    assert (site / "public/europe/a/index.html").is_file()


@pytest.fixture(scope="module")
def searchable_site(tmp_path_factory):
    output = tmp_path_factory.mktemp("search") / "public"
    assert run_cli("build", "--site", REPO, "--output", output, "-q").returncode == 0
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.slow
def test_a_japanese_word_finds_its_article_first(browser, searchable_site):  # noqa: F811
    page = browser.new_page()
    # 「レトルト」 is written in one article only; Pagefind splits Japanese into characters,
    # so other pages may match partly, but the article must rank first.
    page.goto(searchable_site + "/search/?q=" + "レトルト")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    links = page.locator(".pagefind-ui__result-link")
    assert links.first.get_attribute("href") == "/trivia/ration-history/"
    assert "戦闘糧食の百年" in links.first.inner_text()


@pytest.mark.slow
def test_an_ascii_word_in_no_article_finds_nothing(browser, searchable_site):  # noqa: F811
    page = browser.new_page()
    page.goto(searchable_site + "/search/?q=zqxjvbw")
    page.wait_for_selector(".pagefind-ui__message", timeout=15_000)
    page.wait_for_timeout(500)
    assert page.locator(".pagefind-ui__result").count() == 0
    assert "zqxjvbw" in page.inner_text(".pagefind-ui__message")
