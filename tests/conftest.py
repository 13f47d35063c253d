from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from bs4 import BeautifulSoup

from blogsmith.content.comment_text import LINK_REL
from blogsmith.content.load import load_content
from blogsmith.core.config import load_config
from blogsmith.core.errors import ErrorBag, in_file_order
from blogsmith.graph.content_graph import BuildOptions, build_graph
from blogsmith.output.search.index import unpacked
from blogsmith.output.search.postings import read as read_postings
from blogsmith.output.search.terms import is_pair

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

DEFAULT_CONFIG = """\
title: テスト軍事ニュース
base_url: https://news.example.org/
language: ja
timezone: Asia/Tokyo
per_page: 10
related_count: 6
logo: /assets/favicon.svg
categories:
  europe: 欧州関連
  japan: 日本関連
"""


def article(
    title: str = "記事",
    date: str = "2022-09-14 06:30",
    category: str = "europe",
    body: str = "本文です。",
    **fields: str,
) -> str:
    """A source file: front matter from the arguments (extra fields as raw YAML values)."""
    lines = ["---", f"title: {title}", f"date: {date}", f"category: {category}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body).strip() + "\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str:
    """The comment service's database: SQLite, and PostgreSQL (which CI starts)."""
    from comment_service import empty_postgres

    return "comments.sqlite3" if request.param == "sqlite" else empty_postgres()


@pytest.fixture
def make_site(tmp_path: Path):
    """Write a site from {relative path: text}; blogsmith.yaml defaults to DEFAULT_CONFIG."""

    def make(
        files: dict[str, str | bytes], config: str | None = DEFAULT_CONFIG, name: str = "site"
    ) -> Path:
        site = tmp_path / name
        site.mkdir()
        if config is not None:
            (site / "blogsmith.yaml").write_text(config, encoding="utf-8")
        for relative, content in files.items():
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return site

    return make


def run_cli(
    *args: str | Path, cwd: Path | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    """The real command, in a subprocess, as an editor would run it (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "blogsmith", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=input,
        timeout=300,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tree(root: Path) -> dict[str, object]:
    """Every output file's bytes, the search index by what it means (see search_index): a
    rebuild keeps ids that a clean build would number otherwise, and must mean the same."""
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).as_posix().startswith("search/")
    }
    owned = files.pop(".blogsmith-output", None)
    if owned is not None:  # blogsmith's list of what it wrote: exactly the files there
        every = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        assert set(owned.decode().splitlines()) == every - {".blogsmith-output"}
    if (root / "search/index.html").is_file():
        files["search/index.html"] = (root / "search/index.html").read_bytes()
    if (root / "search/meta.json").is_file():
        files["search/ (meaning)"] = search_index(root)
    return files


def outside_search(changed: list[str]) -> list[str]:
    """The changed files that are not the search index's (search/index.html is a page)."""
    return [path for path in changed if not re.match(r"search/(?!index\.html$)", path)]


def search_texts(changed: list[str]) -> list[str]:
    """The changed text files of the search index: one per page whose text changed."""
    return [path for path in changed if path.startswith("search/f/")]


def packed(path: Path):
    """A file of the search index but meta.json: gzip-compressed JSON."""
    return unpacked(path.read_bytes())


def search_index(root: Path) -> dict[str, object]:
    """The index with ids replaced by the pages they name: every term's postings as
    {url: entry} (counts, a pair's places), every page's text file, category and date, the
    categories in order. The recent segment is merged as the search page merges it (the
    buckets' postings of stale ids dropped, the recent files' added), so an index with one
    means what a clean one does."""
    folder = root / "search"
    meta = json.loads((folder / "meta.json").read_bytes())
    pages: dict[int, dict] = {}
    for number in range(len(meta["blocks"])):
        block = packed(folder / f"d/{number}.json.gz")
        for slot, category in enumerate(block["c"]):
            if category is None:
                continue
            page_id = number * meta["block"] + slot
            text = packed(folder / f"f/{page_id}.json.gz")
            pages[page_id] = {**text, "category_index": category, "sort": block["d"][slot]}
    stale = set(meta["stale"])
    files = [f"i/{n}.json.gz" for n in range(meta["buckets"])]
    files += [f"r/{n}.json.gz" for n in range(len(meta["recent"]))]
    by_id: dict[str, dict[int, str]] = {}
    for name in files:
        for term, written in packed(folder / name).items():
            listed = read_postings(written, is_pair(term))
            ids = [number for number, _ in listed]
            assert ids == sorted(ids) and len(set(ids)) == len(ids), term
            live = dict(listed)
            if name.startswith("i/"):
                live = {i: w for i, w in live.items() if i not in stale}
            found = by_id.setdefault(term, {})
            assert not found.keys() & live.keys(), (term, "in a bucket and in the recent files")
            found.update(live)
    postings = {
        term: {pages[i]["url"]: w for i, w in sorted(found.items())}
        for term, found in by_id.items()
        if found
    }
    listed = {name for name in os.listdir(folder / "f")}
    assert listed == {f"{n}.json.gz" for n in pages}, "text files of pages not in the index"
    return {
        "categories": meta["categories"],
        "pages": sorted(pages.values(), key=lambda page: page["url"]),
        "postings": postings,
    }


def tree_snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root with its bytes and modification time in nanoseconds."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    """Debian's chromium driven by Playwright (no browser download); CI installs it."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI; .ci/run installs it")
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Shared by several test modules.

OWN_ELEMENTS = {"p", "br", "blockquote", "a"}


def assert_only_own_markup(body) -> None:
    for element in body.find_all(True):
        assert element.name in OWN_ELEMENTS, element
        if element.name == "a":
            assert set(element.attrs) == {"href", "rel"}, element
            assert element["href"].startswith(("http://", "https://")), element
            assert " ".join(element["rel"]) == LINK_REL
        else:
            assert element.attrs == {}, element


NOW = datetime(2023, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo"))


def graph_of(site, **options):
    bag = ErrorBag()
    config = load_config(site, bag)
    graph = build_graph(
        config, load_content(site, config, bag), bag, BuildOptions(now=NOW, **options)
    )
    return (
        graph,
        [str(e) for e in in_file_order(bag.errors)],
        [str(w) for w in in_file_order(bag.warnings)],
    )


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def imported_comments(site: Path) -> dict[str, dict]:
    found = {}
    for path in (site / "content").rglob("*.comments.yaml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            found[str(entry["id"])] = entry
    return found


@pytest.fixture(scope="session")
def example_site(tmp_path_factory):
    """The example archive built as the README builds it, on a plain static file server."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    output = tmp_path_factory.mktemp("example") / "public"
    assert run_cli("build", "--site", REPO, "--output", output, "-q").returncode == 0

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def npm_tool(variable: str, relative: str, what: str) -> str:
    """The path of a tool from npm that .ci/run installs (or `variable` names), or a skip."""
    found = os.environ.get(variable) or str(REPO / ".ci/cache/npm/node_modules" / relative)
    if not os.path.exists(found):
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing in CI; .ci/run installs it")
        pytest.skip(f"{what} not installed (npm install it, or set {variable})")
    return found


def axe_core() -> str:
    return npm_tool("BLOGSMITH_AXE_JS", "axe-core/axe.min.js", "axe-core")
