"""What the image stage costs: a synthetic archive of N articles with a 2,000x1,500 JPEG
eyecatch each, beside the same archive without those photos, built with the default config
(search on), in the same run on the same machine:

- cold build of each, and the difference (the time images add to a first build);
- no-change rebuild and one article's body edited, each in turn A B A B ... (`--rounds`), with
  the median of each and of the ratios pair by pair (so a drift of the machine's speed cancels).

    python bench/images.py --articles 10000 [--rounds 5] [--work /tmp/blogsmith-images]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_site  # noqa: E402
from run import measure, median, output_size  # noqa: E402

EYECATCH = re.compile(r"eyecatch:\n  image: /images/eyecatch-\d+\.jpg\n  alt: 写真\n")


def without_photos(site: Path, copy: Path) -> None:
    """The same archive with the per-article eyecatches (fields and files) taken out."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", ".*.blogsmith-cache"))
    for photo in (copy / "static/images").glob("eyecatch-*.jpg"):
        photo.unlink()
    for article in (copy / "content").rglob("*.md"):
        text = article.read_text(encoding="utf-8")
        article.write_text(EYECATCH.sub("", text), encoding="utf-8")


def edit(site: Path, round_number: int) -> None:
    """The same article's body changed, a new word each round."""
    articles = sorted((site / "content/articles").rglob("*.md"))
    edited = articles[len(articles) // 2]
    text = edited.read_text(encoding="utf-8").rstrip("\n")
    edited.write_text(text + f"\n\n追記{round_number}回目。\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-images-"))
    photos, plain = work / "photos", work / "plain"
    started = time.perf_counter()
    if not (photos / "blogsmith.yaml").exists():
        write_site(photos, args.articles, args.seed, photo_per_article=True)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    for site in (photos, plain):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / ".public.blogsmith-cache", ignore_errors=True)
    without_photos(photos, plain)

    def build(site: Path) -> list[str]:
        return [sys.executable, "-m", "blogsmith", "build", "--site", str(site)]

    cold = {site: measure(build(site)) for site in (photos, plain)}
    rows = {"no-change rebuild": {photos: [], plain: []}, "one body edit": {photos: [], plain: []}}
    for round_number in range(args.rounds):
        for site in (photos, plain):
            rows["no-change rebuild"][site].append(measure(build(site)))
        for site in (photos, plain):
            edit(site, round_number)
            rows["one body edit"][site].append(measure(build(site)))
    files = {site: output_size(site / "public") for site in (photos, plain)}
    print(f"\n{args.articles} articles, {args.rounds} rounds (medians; ratio = photos / plain)")
    print(f"{'':28} {'photos wall':>12} {'plain wall':>11} {'ratio':>7} {'ratio CPU':>10}")
    added = cold[photos]["wall"] - cold[plain]["wall"]
    print(
        f"{'cold build':28} {cold[photos]['wall']:11.1f}s {cold[plain]['wall']:10.1f}s "
        f"{cold[photos]['wall'] / cold[plain]['wall']:7.2f} "
        f"{cold[photos]['cpu'] / cold[plain]['cpu']:10.2f}   (images add {added:.0f} s)"
    )
    for name, by_site in rows.items():
        a, b = by_site[photos], by_site[plain]
        print(
            f"{name:28} {median([r['wall'] for r in a]):11.2f}s "
            f"{median([r['wall'] for r in b]):10.2f}s "
            f"{median([x['wall'] / y['wall'] for x, y in zip(a, b, strict=True)]):7.2f} "
            f"{median([x['cpu'] / y['cpu'] for x, y in zip(a, b, strict=True)]):10.2f}"
        )
    for site in (photos, plain):
        count, total = files[site]
        print(f"output of {site.name}: {count} files, {total / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
