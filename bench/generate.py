"""Write a synthetic news archive of any size in the blogsmith site format, the same for the
same seed: Japanese articles over ten years, tags with a long-tail popularity, figures,
links between articles, and threaded reader comments.

    python bench/generate.py OUT_DIR --articles 10000 [--seed 1]
"""

from __future__ import annotations

import argparse
import functools
import io
import multiprocessing
import random
from datetime import datetime, timedelta
from pathlib import Path

CATEGORIES = {
    "europe": "欧州関連",
    "americas": "北米/南米関連",
    "china": "中国関連",
    "japan": "日本関連",
    "trivia": "軍事的雑学",
}
SUBJECTS = [
    "陸軍",
    "海軍",
    "空軍",
    "国防省",
    "防衛装備庁",
    "海兵隊",
    "沿岸警備隊",
    "統合参謀本部",
    "議会の委員会",
    "造船所",
    "航空機メーカー",
    "研究所",
    "同盟国",
    "周辺国",
]
OBJECTS = [
    "新型戦車",
    "次期戦闘機",
    "哨戒機",
    "潜水艦",
    "フリゲート",
    "無人機",
    "防空システム",
    "長距離ミサイル",
    "輸送機",
    "装甲車",
    "レーダー",
    "弾薬",
    "揚陸艦",
    "空中給油機",
]
VERBS = [
    "の調達を発表した",
    "の試験を始めた",
    "の配備を前倒しした",
    "の計画を見直している",
    "の量産に入った",
    "の導入を検討している",
    "の改修案を比較している",
    "の契約を結んだ",
]
TAILS = [
    "関係者によれば、予算の確保が課題になっている。",
    "詳しい数量や納期は明らかにされていない。",
    "周辺国はこの動きを注視している。",
    "議会では費用をめぐって議論が続いている。",
    "実戦配備までには数年かかる見込みだ。",
    "過去の計画と比べると規模は大きい。",
    "専門家の間でも評価は分かれている。",
    "現地の報道はさらに踏み込んだ内容を伝えている。",
]
READERS = [
    "名無し",
    "匿名",
    "通りすがり",
    "元自衛官",
    "Old Sapper",
    "Kestrel",
    "航空ファン",
    "NightOwl",
    "雪国の名無し",
    "退役軍曹",
    "Marcus B.",
    "地図好き",
    "理系の名無し",
    "Anna K.",
]
REMARKS = [
    "これは予想通りの展開。",
    "費用対効果が気になる。",
    "ソースはありますか?",
    "同意します。",
    "いや、それは違うと思う。",
    "続報待ちですね。",
    "This changes the balance in the region.",
    "数が揃わないと意味がない。",
    "整備性はどうなんだろう。",
    "I doubt the schedule will hold.",
]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)}は{rng.choice(OBJECTS)}{rng.choice(VERBS)}。{rng.choice(TAILS)}"


def paragraph(rng: random.Random) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def photo(n: int, width: int = 1600, height: int = 900) -> bytes:
    """A photo-like JPEG (sky, ground, soft edges, grain) of the size editors upload, different
    for each n: drawn at a quarter of its size and enlarged (the blur), over a grain made once
    per size and cropped at an offset of n's (10,000 of them take minutes, not an hour)."""
    from PIL import Image, ImageDraw

    rng = random.Random(n)
    small = Image.new("RGB", (width // 4, height // 4))
    draw = ImageDraw.Draw(small)
    horizon = int(small.height * rng.uniform(0.45, 0.7))
    for y in range(small.height):
        shade = (
            int(150 + 80 * y / small.height)
            if y < horizon
            else int(90 - 40 * (y - horizon) / small.height)
        )
        draw.line([(0, y), (small.width, y)], fill=(shade - 20, shade - 10, shade))
    for _ in range(12):
        x, y = rng.randrange(small.width), rng.randrange(horizon - 20, small.height)
        size = rng.randrange(10, 65)
        draw.rectangle(
            [x, y, x + size * 2, y + size], fill=tuple(rng.randrange(30, 90) for _ in "rgb")
        )
    base = small.resize((width, height), Image.Resampling.BICUBIC)
    left, top = rng.randrange(_GRAIN_MARGIN), rng.randrange(_GRAIN_MARGIN)
    grain = _grain(width, height).crop((left, top, left + width, top + height))
    out = io.BytesIO()
    Image.blend(base, grain, 0.12).save(out, "JPEG", quality=85)
    return out.getvalue()


_GRAIN_MARGIN = 97


@functools.cache
def _grain(width: int, height: int):
    from PIL import Image

    size = (width + _GRAIN_MARGIN, height + _GRAIN_MARGIN)
    return Image.effect_noise(size, 18).convert("RGB")


def _write_photo(job: tuple[Path, int, int, int]) -> None:
    path, n, width, height = job
    path.write_bytes(photo(n, width, height))


def write_site(
    out: Path,
    articles: int,
    seed: int = 1,
    comments_per_article: float = 12.0,
    photo_per_article: bool = False,
) -> None:
    """`photo_per_article`: every article gets an eyecatch of its own, a 2,000x1,500 JPEG
    (the image stage's worst case); otherwise 60% show one of 20 shared 1,600x900 photos."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "blogsmith.yaml").write_text(
        "title: 大規模アーカイブ\nbase_url: https://bench.example.org/\nlanguage: ja\n"
        "timezone: Asia/Tokyo\ncategories:\n"
        + "".join(f"  {key}: {name}\n" for key, name in CATEGORIES.items()),
        encoding="utf-8",
    )
    images = out / "static/images"
    images.mkdir(parents=True, exist_ok=True)
    for n in range(20):
        (images / f"photo-{n}.jpg").write_bytes(photo(n))
    tags = [f"{rng.choice(OBJECTS)}{n}" for n in range(600)]
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(tags))]  # long-tail popularity
    start = datetime(2014, 1, 1, 6, 0)
    span = timedelta(days=3650) / max(articles, 1)
    keys: list[str] = []
    photos: list[tuple[Path, int, int, int]] = []
    for n in range(articles):
        moment = start + span * n + timedelta(minutes=rng.randint(0, 600))
        folder = f"content/articles/{moment:%Y/%m}"
        key = f"{moment:%Y/%m}/a{n:06d}"
        path = out / folder / f"a{n:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        chosen = list(dict.fromkeys(rng.choices(tags, weights, k=rng.randint(1, 5))))
        body = [paragraph(rng) for _ in range(rng.randint(4, 7))]
        body.insert(2, f"## {rng.choice(OBJECTS)}の概要")
        body.insert(3, "- " + "\n- ".join(rng.sample(OBJECTS, 3)))
        if rng.random() < 0.3:
            body.insert(1, f'![概略図](/images/photo-{rng.randrange(20)}.jpg "出典:管理人作成")')
        body.append(f"整理番号{n:06d}。")  # a word only this article has, for search checks
        if keys and rng.random() < 0.4:
            target = rng.choice(keys[-200:])
            body.append(f"関連記事:[以前の記事](../../{target}.md)")
        front = [
            "---",
            f"title: {rng.choice(SUBJECTS)}、{rng.choice(OBJECTS)}{rng.choice(VERBS)}(第{n}報)",
            f"date: {moment:%Y-%m-%d %H:%M}",
            f"category: {rng.choice(list(CATEGORIES))}",
            f"tags: [{', '.join(chosen)}]",
            "sources:",
            f'  - title: "Report {n}"\n    url: https://example.com/report/{n}',
        ]
        if photo_per_article:
            photos.append((images / f"eyecatch-{n:06d}.jpg", 1000 + n, 2000, 1500))
            front += ["eyecatch:", f"  image: /images/eyecatch-{n:06d}.jpg", "  alt: 写真"]
        elif rng.random() < 0.6:
            front += [
                "eyecatch:",
                f"  image: /images/photo-{rng.randrange(20)}.jpg",
                "  alt: 写真",
                "  credit: 管理人作成",
            ]
        path.write_text("\n".join(front + ["---", "", "\n\n".join(body), ""]), encoding="utf-8")
        count = int(rng.expovariate(1.0 / comments_per_article)) if rng.random() < 0.9 else 0
        if count:
            write_comments(path.with_suffix("").with_suffix(".comments.yaml"), moment, count, rng)
        keys.append(key)
    if photos:
        with multiprocessing.Pool() as pool:  # a photo costs more than its article
            pool.map(_write_photo, photos, chunksize=64)


def write_comments(path: Path, moment: datetime, count: int, rng: random.Random) -> None:
    lines = []
    for n in range(1, count + 1):
        moment += timedelta(minutes=rng.randint(1, 120))
        lines.append(f"- id: {n}")
        if n > 1 and rng.random() < 0.5:
            lines.append(f"  parent: {rng.randint(max(1, n - 8), n - 1)}")
        lines.append(f'  author: "{rng.choice(READERS)}"')
        lines.append(f"  date: {moment:%Y-%m-%dT%H:%M:%S}+09:00")
        if rng.random() < 0.8:
            lines.append(f"  votes: {rng.randint(0, 80)}")
        body = rng.choice(REMARKS)
        if rng.random() < 0.2:
            body = f">>{rng.randint(1, n)}\n    {body}"
            lines.append(f"  body: |\n    {body}")
        else:
            lines.append(f'  body: "{body}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--photo-per-article", action="store_true", help="a 2,000x1,500 JPEG eyecatch each"
    )
    args = parser.parse_args()
    write_site(args.out, args.articles, args.seed, photo_per_article=args.photo_per_article)


if __name__ == "__main__":
    main()
