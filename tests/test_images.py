"""The image stage: real sizes in the markup, resized WebP and original-format copies with
srcset, the first image eager, located warnings, and no image processed twice."""

from __future__ import annotations

import io
import re
import shutil
import time

import pytest
from conftest import DEFAULT_CONFIG, article, run_cli, soup, tree
from PIL import Image

from blogsmith.build import build, default_cache_dir
from blogsmith.cache.persist import CacheFolder
from blogsmith.render import images as image_stage


def picture(width: int, height: int, kind: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (70, 90, 60)).save(out, kind)
    return out.getvalue()


@pytest.fixture
def photo_site(make_site):
    return make_site(
        {
            "content/a/one.md": article(
                "写真の記事",
                "2022-09-01 10:00",
                eyecatch="{image: /images/tank.jpg, alt: 戦車, credit: 防衛省}",
                body='本文です。\n\n![地図](/images/map.png "出典:国土地理院")\n\n続き。',
            ),
            "content/a/two.md": article(
                "二つ目", "2022-09-02 10:00", eyecatch="{image: /images/ship.jpg}"
            ),
            "content/a/three.md": article("写真のない記事", "2022-09-03 10:00"),
            "static/images/tank.jpg": picture(2000, 1500),
            "static/images/ship.jpg": picture(1200, 800),
            "static/images/map.png": picture(900, 600, "PNG"),
        }
    )


def copies_of(img) -> dict[str, list[tuple[str, int]]]:
    """type -> [(url, width)] of an <img> inside a <picture>."""
    found = {}
    for source in img.parent.find_all("source"):
        found[source["type"]] = [
            (url, int(w[:-1])) for url, w in (c.split() for c in source["srcset"].split(", "))
        ]
    found["img"] = [(url, int(w[:-1])) for url, w in (c.split() for c in img["srcset"].split(", "))]
    return found


def test_images_get_their_size_copies_at_each_width_and_the_first_is_eager(photo_site):
    public = photo_site / "public"
    result = build(photo_site, public)
    assert not result.warnings
    page = soup(public / "europe/one/index.html")
    eyecatch = page.select_one("figure.eyecatch img")
    assert (eyecatch["width"], eyecatch["height"]) == ("2000", "1500")
    assert (eyecatch["loading"], eyecatch["fetchpriority"]) == ("eager", "high")
    assert eyecatch["sizes"] == "(min-width: 60rem) 50rem, 100vw"
    copies = copies_of(eyecatch)
    assert [w for _, w in copies["image/webp"]] == [210, 420, 740, 1480]
    assert [w for _, w in copies["img"]] == [740, 2000]  # one copy for browsers without WebP
    assert eyecatch["src"] == copies["img"][0][0]
    assert copies["img"][-1][0] == "/images/tank.jpg"  # the original, for the widest screens
    assert len(list((public / "images").glob("tank.*"))) == 6  # 4 WebP, 1 JPEG, the original
    for kind, listed in copies.items():
        for url, width in listed:
            with Image.open(public / url.lstrip("/")) as made:
                assert made.size == (width, round(1500 * width / 2000)), url
                assert made.format == ("WEBP" if kind == "image/webp" else "JPEG"), url
    figure = page.select_one(".entry-content figure")
    body_image = figure.select_one("img")
    assert figure.a["href"] == "/images/map.png"  # the original stays linked, to enlarge
    assert (body_image["width"], body_image["height"]) == ("900", "600")
    assert body_image["loading"] == "lazy" and not body_image.has_attr("fetchpriority")
    assert [w for _, w in copies_of(body_image)["image/webp"]] == [210, 420, 740]
    related = page.select(".related-item")
    assert related and all(item.select_one(".related-thumb-empty") is None for item in related)
    for thumb in page.select(".related-thumb"):
        assert thumb["loading"] == "lazy" and thumb.has_attr("width")
    home = soup(public / "index.html")
    thumbs = home.select(".card-thumb img")
    assert [t["loading"] for t in thumbs] == ["eager", "lazy"]
    assert thumbs[0]["fetchpriority"] == "high"
    assert home.select_one(".card:not(:has(.card-thumb))") is not None  # no grey box


def test_an_unchanged_image_is_never_processed_again(photo_site, monkeypatch):
    processed = []
    real = image_stage._process

    def counted(path, *rest):
        processed.append(path)
        return real(path, *rest)

    monkeypatch.setattr(image_stage, "_process", counted)
    public = photo_site / "public"
    cache_dir = default_cache_dir(public)
    build(photo_site, public, cache_dir=cache_dir)
    assert sorted(processed) == ["/images/map.png", "/images/ship.jpg", "/images/tank.jpg"]
    processed.clear()
    (photo_site / "content/a/two.md").write_text(
        article("二つ目の改訂", "2022-09-02 10:00", eyecatch="{image: /images/ship.jpg}")
    )
    build(photo_site, public, cache_dir=cache_dir)
    assert processed == []
    (photo_site / "static/images/ship.jpg").write_bytes(picture(1000, 800))
    build(photo_site, public, cache_dir=cache_dir)
    assert processed == ["/images/ship.jpg"]
    ship = soup(public / "europe/two/index.html").select_one("figure.eyecatch img")
    assert (ship["width"], ship["height"]) == ("1000", "800")
    stale = [p.name for p in (public / "images").iterdir() if p.name.startswith("ship.")]
    assert len({re.sub(r"\.\d+w\.", ".", name) for name in stale}) == 3  # old copies removed
    processed.clear()
    lost = next((public / "images").glob("tank.420w.*.webp"))
    lost.unlink()  # copies are checked by name, not stat-ed: a missing one is still noticed
    build(photo_site, public, cache_dir=cache_dir)
    assert processed == ["/images/tank.jpg"] and lost.is_file()
    (photo_site / "content/a/two.md").write_text(article("二つ目の改訂", "2022-09-02 10:00"))
    build(photo_site, public, cache_dir=cache_dir)
    kept = CacheFolder(cache_dir).load_cache().images.records  # only what pages still show
    assert sorted(kept) == ["/images/map.png", "/images/tank.jpg"]


def test_a_lost_cache_finds_the_copies_in_the_output_without_decoding_an_image(
    photo_site, monkeypatch
):
    from PIL import ImageFile

    public = photo_site / "public"
    cache_dir = default_cache_dir(public)
    build(photo_site, public, cache_dir=cache_dir)
    before = {p.name: p.stat().st_mtime_ns for p in (public / "images").iterdir()}
    shutil.rmtree(cache_dir)
    decoded = []
    real = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda image: decoded.append(image) or real(image)
    )
    build(photo_site, public, cache_dir=cache_dir)
    assert decoded == []  # every copy is there, under its source's digest
    assert {p.name: p.stat().st_mtime_ns for p in (public / "images").iterdir()} == before
    assert soup(public / "europe/one/index.html").select_one("figure.eyecatch source")


def test_images_that_will_not_show_as_they_should_are_located_warnings(make_site):
    site = make_site(
        {
            "content/a.md": article("小さい", "2022-09-01", eyecatch="{image: /images/dot.jpg}"),
            "content/b.md": article("偽物", "2022-09-02", eyecatch="{image: /images/fake.jpg}"),
            "content/c.md": article("中身違い", "2022-09-03", eyecatch="{image: /images/p.jpg}"),
            "content/d.md": article("本文", "2022-09-04", body="![無い](/images/none.png)"),
            "static/images/dot.jpg": picture(1, 1),
            "static/images/fake.jpg": b"not an image at all",
            "static/images/p.jpg": picture(800, 600, "PNG"),
        }
    )
    expected = [
        "content/a.md:5: warning: eyecatch image /images/dot.jpg is 1x1 px, narrower than the "
        "740 px an article shows it at, so it looks blurred; use one at least that wide",
        "content/a.md:5: warning: eyecatch image /images/dot.jpg has fewer than 50,000 pixels, "
        "the least Google shows for an article; use a larger image",
        "content/b.md:5: warning: image /images/fake.jpg is not an image blogsmith can read; "
        "save it as JPEG, PNG, GIF or WebP",
        "content/c.md:5: warning: image /images/p.jpg is a PNG image with a .jpg name; rename "
        "it to .png or save it as JPEG",
        "content/d.md: warning: image /images/none.png not found: add static/images/none.png",
    ]
    for command in ("check", "build"):
        run = run_cli(command, "--site", site)
        assert run.returncode == 0, run.stderr
        assert run.stderr.splitlines() == expected, command


def test_image_settings_are_read_and_checked(make_site):
    site = make_site(
        {
            "content/a.md": article(eyecatch="{image: /images/t.jpg}"),
            "static/images/t.jpg": picture(1000, 500),
        },
        config=DEFAULT_CONFIG + "images:\n  widths: [300, 600]\n  webp: false\n  quality: 60\n",
    )
    build(site, site / "public")
    img = soup(site / "public/europe/a/index.html").select_one("figure.eyecatch img")
    copies = copies_of(img)
    assert "image/webp" not in copies and [w for _, w in copies["img"]] == [300, 600, 1000]
    bad = make_site(
        {"content/a.md": article()},
        config=DEFAULT_CONFIG + "images:\n  widths: [0]\n  quality: 101\n",
        name="bad",
    )
    run = run_cli("check", "--site", bad)
    assert run.returncode == 1
    assert "'images.widths' must be a list of widths in pixels (16 to 8192)" in run.stderr
    assert "'images.quality' must be a whole number from 1 to 100, got 101" in run.stderr


def test_the_feed_carries_the_eyecatch_credit(photo_site):
    import feedparser

    build(photo_site, photo_site / "public")
    feed = feedparser.parse((photo_site / "public/feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "写真の記事")
    assert "<figcaption>アイキャッチ画像の出典:防衛省</figcaption>" in entry.content[0].value


def test_an_unchanged_static_file_is_not_read_again(photo_site, monkeypatch):
    """A photo archive's static/ is gigabytes: a rebuild reads only what changed."""
    import builtins
    from pathlib import Path

    public = photo_site / "public"
    cache_dir = default_cache_dir(public)
    build(photo_site, public, cache_dir=cache_dir)
    read = []
    real_read, real_open = Path.read_bytes, builtins.open

    def counted(path: Path) -> bytes:
        if "static" in path.parts:
            read.append(path.name)
        return real_read(path)

    def opened(file, mode="r", *args, **kwargs):
        if isinstance(file, str | Path) and "static" in Path(file).parts:
            read.append(Path(file).name)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", counted)
    monkeypatch.setattr(builtins, "open", opened)
    (photo_site / "content/a/three.md").write_text(article("改訂", "2022-09-03 10:00"))
    build(photo_site, public, cache_dir=cache_dir)
    assert read == []
    (photo_site / "static/images/ship.jpg").write_bytes(picture(1100, 800))
    build(photo_site, public, cache_dir=cache_dir)
    assert read.count("ship.jpg") >= 1 and "tank.jpg" not in read
    assert (public / "images/ship.jpg").read_bytes() == (
        photo_site / "static/images/ship.jpg"
    ).read_bytes()


def test_a_changed_image_renders_again_only_the_pages_that_show_it(photo_site, tmp_path):
    """Page keys carry what was measured of the images each page shows: a new map renders
    again the one article whose body shows it, a new eyecatch the pages that show its
    article's card too; and the output is what a first build makes of the same files."""
    public = photo_site / "public"
    cache_dir = default_cache_dir(public)
    first = build(photo_site, public, cache_dir=cache_dir)

    def matches_a_first_build() -> None:
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(photo_site, clean)
        assert tree(public) == tree(clean)

    (photo_site / "static/images/map.png").write_bytes(picture(1000, 700, "PNG"))
    new_map = build(photo_site, public, cache_dir=cache_dir)
    assert new_map.rendered == 1
    pages = [path for path in new_map.changed if path.endswith(".html")]
    assert pages == ["europe/one/index.html"]
    body_image = soup(public / pages[0]).select_one(".entry-content figure img")
    assert (body_image["width"], body_image["height"]) == ("1000", "700")
    matches_a_first_build()

    (photo_site / "static/images/ship.jpg").write_bytes(picture(1600, 900))
    new_ship = build(photo_site, public, cache_dir=cache_dir)
    assert 1 < new_ship.rendered < first.pages
    assert "europe/two/index.html" in new_ship.changed and "index.html" in new_ship.changed
    assert "search/index.html" not in new_ship.changed
    matches_a_first_build()


def test_copies_are_checked_by_their_folders_time_once_it_can_be_trusted(photo_site, monkeypatch):
    """A no-change rebuild lists no folder of copies whose time is older than a clock step
    before it was last seen; one changed more recently (by the build itself) is listed, so
    a copy removed within the same clock step is still noticed."""
    import os

    from blogsmith.cache import output_state

    public = photo_site / "public"
    cache_dir = default_cache_dir(public)
    build(photo_site, public, cache_dir=cache_dir)
    images = public / "images"
    recorded = CacheFolder(cache_dir).load_manifest().outputs
    assert not recorded.folder("images").trusted  # just written: too recent to trust
    listed = []
    real = os.listdir
    monkeypatch.setattr(output_state.os, "listdir", lambda path: listed.append(path) or real(path))
    lost = next(images.glob("ship.740w.*.jpg"))
    lost.unlink()
    os.utime(images, ns=(recorded.folder("images").modified,) * 2)  # in the same clock step
    repaired = build(photo_site, public, cache_dir=cache_dir)
    assert listed == [f"{public}/images/"] and lost.is_file()
    assert repaired.changed == [lost.relative_to(public).as_posix()]

    hour_ago = (time.time_ns() - 3600 * 10**9,) * 2
    os.utime(images, ns=hour_ago)
    (photo_site / "content/a/three.md").write_text(article("改訂", "2022-09-03 10:00"))
    build(photo_site, public, cache_dir=cache_dir)  # records the folder's time, now trusted
    assert CacheFolder(cache_dir).load_manifest().outputs.folder("images") == (hour_ago[0], True)
    listed.clear()
    quiet = build(photo_site, public, cache_dir=cache_dir)
    assert (listed, quiet.rendered, quiet.changed) == ([], 0, [])
    lost.unlink()  # the folder's time moves on: noticed without a listing
    again = build(photo_site, public, cache_dir=cache_dir)
    assert lost.is_file() and again.changed == [lost.relative_to(public).as_posix()]


def test_pages_rendered_from_the_cached_image_records_match_a_first_build(photo_site, tmp_path):
    """A rebuild makes an image's facts from the few numbers the cache keeps of it: the page
    it renders is the page a build without any cache writes."""
    public = photo_site / "public"
    cache_dir = default_cache_dir(public)
    build(photo_site, public, cache_dir=cache_dir)
    one = photo_site / "content/a/one.md"
    one.write_text(one.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    rebuilt = build(photo_site, public, cache_dir=cache_dir)
    assert "europe/one/index.html" in rebuilt.changed
    fresh = tmp_path / "fresh"
    build(photo_site, fresh)
    for page in ("europe/one/index.html", "index.html", "europe/two/index.html"):
        assert (public / page).read_bytes() == (fresh / page).read_bytes(), page
    img = soup(public / "europe/one/index.html").select_one("figure.eyecatch img")
    assert (img["width"], img["height"]) == ("2000", "1500")
    assert [w for _, w in copies_of(img)["image/webp"]] == [210, 420, 740, 1480]


def test_the_manifest_keeps_the_output_listing_exactly(tmp_path):
    """The manifest packs the output's files into strings and one array, its image copies
    apart; what loads is what was saved, names with any character a file may have
    included, whether it holds copies only, files only or nothing."""
    from blogsmith.cache.output_state import OutputState
    from blogsmith.cache.persist import Manifest

    files = {
        "index.html": (1234, 1_700_000_000_123_456_789),
        "アーカイブ/2022/index.html": (0, 1),
        "a b\n\tc.txt": (2**40, 0),
    }
    outputs = OutputState(files, ["images/tank.740w.1a2b3c4d.webp"])
    folder = CacheFolder(tmp_path / "cache")
    folder.save(Manifest(b"inputs", "/out", None, outputs, 3, 1, []), None)
    loaded = folder.load_manifest()
    assert loaded is not None and loaded.outputs == outputs
    assert (loaded.pages, loaded.static_files) == (3, 1)
    copies = OutputState(copies=["tank.210w.1a2b3c4d.webp", "b/ship.420w.0f0f0f0f.jpg"])
    for only in (copies, OutputState({"index.html": (1, 2)}), OutputState()):
        folder.save(Manifest(b"inputs", "/out", None, only, 0, 0, []), None)
        assert folder.load_manifest().outputs == only
