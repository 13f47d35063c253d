"""What the image stage costs: a synthetic archive of N articles with a 2,000x1,500 JPEG
eyecatch each, beside the same archive without those photos (plain: no eyecatches; remote: the
same eyecatch fields pointing at another server, which the image stage leaves alone) and
as-is (the same photo files, published as they are), built with the default config (search
on), in the same run on the same machine:

- cold build of each, and what images add to a first build;
- no-change rebuild and one article's body edited, each in turn (`--rounds`), with the median
  of each and of the ratios pair by pair (so a drift of the machine's speed cancels);
- one photo replaced by another (photos only): what an editor waits for after swapping an
  eyecatch, which renders again only the pages that show it.

    python bench/images.py --articles 10000 [--rounds 5] [--work /tmp/blogsmith-images]
    python bench/images.py --work DIR --rebuilds-only   # the archives DIR holds, built already
"""

from __future__ import annotations

import argparse
import os
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


def without_photos(site: Path, copy: Path, remote: bool = False) -> None:
    """The same archive with the per-article photo files taken out, and their eyecatch fields
    too, or (`remote`) pointing at a web server instead: the same pages, showing eyecatches
    the image stage leaves alone."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", ".*.blogsmith-cache"))
    for photo in (copy / "static/images").glob("eyecatch-*.jpg"):
        photo.unlink()
    for article in (copy / "content").rglob("*.md"):
        text = article.read_text(encoding="utf-8")
        if remote:
            text = text.replace("  image: /images/", "  image: https://photos.example.org/")
        else:
            text = EYECATCH.sub("", text)
        article.write_text(text, encoding="utf-8")


def published_as_they_are(site: Path, copy: Path) -> None:
    """The same archive with the same photo files, under a name the image stage leaves
    alone (.avif, shown as it is): static/ and the output hold the same originals, with no
    copies and nothing measured. What images cost a rebuild beside this is the image
    stage's own share; beside plain, it is also the cost of 10,000 more files to publish."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(
        site,
        copy,
        ignore=shutil.ignore_patterns("public", ".*.blogsmith-cache"),
        copy_function=os.link,  # the same bytes, without copying gigabytes
    )
    for photo in (copy / "static/images").glob("eyecatch-*.jpg"):
        photo.rename(photo.with_suffix(".avif"))
    for article in (copy / "content").rglob("*.md"):
        text = article.read_text(encoding="utf-8")
        renamed = re.sub(r"(image: /images/eyecatch-\d+)\.jpg", r"\1.avif", text)
        article.unlink()  # a hard link: the original archive's file stays as it is
        article.write_text(renamed, encoding="utf-8")


def edit(site: Path, round_number: int) -> None:
    """The same article's body changed, a new word each round."""
    articles = sorted((site / "content/articles").rglob("*.md"))
    edited = articles[len(articles) // 2]
    text = edited.read_text(encoding="utf-8").rstrip("\n")
    edited.write_text(text + f"\n\n追記{round_number}回目。\n", encoding="utf-8")


def replace_photo(site: Path, round_number: int) -> None:
    """The middle article's eyecatch replaced by another photo of the same size: the same
    one mirrored, saved at a quality of its own each round, so its bytes always change. A
    new file takes the old one's name: the as-is archive's hard link keeps the old bytes."""
    from PIL import Image, ImageOps

    photos = sorted((site / "static/images").glob("eyecatch-*.jpg"))
    photo = photos[len(photos) // 2]
    with Image.open(photo) as image:
        mirrored = ImageOps.mirror(image)
    replacement = photo.with_name(photo.name + ".new")
    mirrored.save(replacement, "JPEG", quality=70 + round_number % 20)
    os.replace(replacement, photo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--rebuilds-only",
        action="store_true",
        help="keep the archives --work holds, built: time the rebuilds only",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-images-"))
    photos, plain, remote = work / "photos", work / "plain", work / "remote"
    as_is = work / "as-is"
    sites = (photos, plain, remote, as_is)
    started = time.perf_counter()
    if not (photos / "blogsmith.yaml").exists():
        write_site(photos, args.articles, args.seed, photo_per_article=True)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)

    def build(site: Path) -> list[str]:
        return [sys.executable, "-m", "blogsmith", "build", "--site", str(site)]

    cold = {}
    if not args.rebuilds_only:
        for site in sites:
            shutil.rmtree(site / "public", ignore_errors=True)
            shutil.rmtree(site / ".public.blogsmith-cache", ignore_errors=True)
        without_photos(photos, plain)
        without_photos(photos, remote, remote=True)
        published_as_they_are(photos, as_is)
        cold = {site: measure(build(site)) for site in sites}
    elif not (as_is / "public").is_dir():  # archives from before this baseline existed
        published_as_they_are(photos, as_is)
        measure(build(as_is))
    rows: dict[str, dict[Path, list[dict]]] = {
        "no-change rebuild": {site: [] for site in sites},
        "one body edit": {site: [] for site in sites},
    }
    replaced: list[dict] = []
    for round_number in range(args.rounds):
        for site in sites:
            rows["no-change rebuild"][site].append(measure(build(site)))
        for site in sites:
            edit(site, round_number)
            rows["one body edit"][site].append(measure(build(site)))
        replace_photo(photos, round_number)
        replaced.append(measure(build(photos)))
    others = (plain, remote, as_is)
    articles = sum(1 for _ in (photos / "content/articles").rglob("*.md"))
    print(
        f"\n{articles} articles, {args.rounds} rounds, wall seconds (medians; ratios pair "
        "by pair): photos = a 2,000x1,500 JPEG eyecatch each; plain = no eyecatch; remote = "
        "the same eyecatches on another server (the image stage leaves them alone); as-is = "
        "the same photo files published as they are, under a name the image stage leaves alone"
    )
    print(f"{'':20}" + "".join(f"{site.name:>8}" for site in sites), end="")
    print("".join(f"{'/' + site.name:>9}" for site in others))
    if cold:
        added = cold[photos]["wall"] - cold[as_is]["wall"]
        print(
            f"{'cold build':20}"
            + "".join(f"{cold[site]['wall']:8.1f}" for site in sites)
            + "".join(f"{cold[photos]['wall'] / cold[site]['wall']:9.2f}" for site in others)
            + f"   (the image stage adds {added:.0f} s)"
        )
    for name, by_site in rows.items():
        walls = {site: [r["wall"] for r in by_site[site]] for site in sites}
        ratios = [
            median([x / y for x, y in zip(walls[photos], walls[other], strict=True)])
            for other in others
        ]
        print(
            f"{name:20}"
            + "".join(f"{median(walls[site]):8.2f}" for site in sites)
            + "".join(f"{ratio:9.2f}" for ratio in ratios)
        )
    print(f"{'one photo replaced':20}{median([r['wall'] for r in replaced]):8.2f}")
    for site in sites:
        count, total = output_size(site / "public")
        print(f"output of {site.name}: {count} files, {total / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
