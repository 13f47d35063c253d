"""Build a synthetic archive of N articles cold, unchanged, after one edit and after adding one
article, and print a table of wall and CPU seconds, peak memory and pages written, beside two
floors measured in the same run on the same machine:

- markdown: Python-Markdown alone over every article body (one instance, reset per document);
- I/O: reading every source file, then writing as many files and bytes as the cold build wrote.

The default sidebar lists the newest articles on every page, so an addition rewrites every page;
the last row switches to `sidebar: shared` first and adds another article. The live preview
rows time `blogsmith serve` from saving a file to the edited page being served (see preview.py).

    python bench/run.py --articles 10000 [--seed 1] [--work /tmp/blogsmith-bench]

Uses only the standard library and the installed blogsmith; figures are whole processes
(os.wait4 gives each one's CPU time and peak resident memory).
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
from generate import write_site  # noqa: E402
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
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-bench-"))
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    write_site(site, args.articles, args.seed)
    build = [sys.executable, "-m", "blogsmith", "build", "--site", str(site)]
    rows = []
    rows.append(("cold build (no cache, no output)", measure(build)))
    rows.append(("no-change rebuild", measure(build)))
    edited = sorted((site / "content/articles").rglob("*.md"))[len(rows) * 7 % args.articles]
    with edited.open("a", encoding="utf-8") as stream:
        stream.write("\n本文の末尾に一段落を追記した。\n")
    rows.append(("one article's body edited", measure(build)))
    older = sorted((site / "content/articles").rglob("*.md"))[: -5 * 3 : 3][-10:]
    for name, change in (
        ("a body edit", lambda text, marker: text + f"\n{marker}\n"),
        ("a title edit", lambda text, marker: text.replace("\ntitle: ", f"\ntitle: {marker}", 1)),
    ):
        times = sorted(save_to_visible(site, older[:5] if "body" in name else older[5:], change))
        rows.append((f"live preview, {name}: save to visible, median of 5", {"wall": times[2]}))
    measure(build)  # the CLI's cache catches up with the preview's edits
    latest = sorted((site / "content/articles").rglob("*.md"))[-1].parent
    (latest / "bench-added.md").write_text(
        "---\ntitle: 追加した記事\ndate: 2023-12-31 23:30\ncategory: japan\ntags: [追加]\n---\n\n"
        "新しく追加した記事の本文。\n",
        encoding="utf-8",
    )
    rows.append(("one article added", measure(build)))
    config = site / "blogsmith.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "sidebar: shared\n", encoding="utf-8")
    measure(build)  # a config change renders every page once
    (latest / "bench-added-2.md").write_text(
        "---\ntitle: もう一本追加した記事\ndate: 2023-12-31 23:45\ncategory: europe\n"
        "tags: [追加]\n---\n\n二本目の追加記事の本文。\n",
        encoding="utf-8",
    )
    rows.append(("one article added, `sidebar: shared`", measure(build)))
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
    comments = sum(
        text.count("\n- id: ") + text.startswith("- id: ")
        for text in (
            p.read_text(encoding="utf-8") for p in (site / "content").rglob("*.comments.yaml")
        )
    )
    print(
        f"\n{args.articles} articles, {comments} comments, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}\n"
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


if __name__ == "__main__":
    main()
