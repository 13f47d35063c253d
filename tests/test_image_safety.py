"""What images publish beyond their pixels: turned phone photos upright in copies and markup,
no photographer's location in the originals, 16-bit greys and animations intact, and no SVG
that runs code on the site's origin."""

from __future__ import annotations

import builtins
import io
import struct
from pathlib import Path

import pytest
from conftest import DEFAULT_CONFIG, article, run_cli, soup, tree, tree_snapshot
from PIL import Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from blogsmith.build import build, default_cache_dir

GPS_IFD, ARTIST, SERIAL, ORIENTATION = 0x8825, 0x013B, 0xA431, 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf'
    b'-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="35,40.5N" exif:GPSLongitude="139,45.2E"/></rdf:RDF></x:xmpmeta>'
)


def located_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: where, who, which camera."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[ARTIST] = "山田太郎"
    exif.get_ifd(0x8769)[SERIAL] = "SN-0042"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (35.0, 40.0, 30.0), 3: "E", 4: (139.0, 45.0, 12.0)})
    return exif


def halves(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Red on the left, blue on the right: which way up a copy is shows."""
    image = Image.new(mode, (width, height), (200, 20, 20))
    image.paste((20, 20, 200), (width // 2, 0, width, height))
    return image


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def with_xmp_segment(jpeg: bytes) -> bytes:
    """A JPEG with an XMP APP1 segment, as Lightroom and phones write it."""
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + XMP
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def pixels(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.convert("RGB").tobytes()


def copy_files(public: Path, stem: str) -> list[Path]:
    return sorted(p for p in (public / "images").glob(f"{stem}.*w.*"))


# 18. Portrait phone photos


def test_a_turned_phone_photo_is_measured_and_copied_upright(make_site):
    """Stored 1600x1200 with Orientation 6 (a phone held upright), shown 1200x1600."""
    stored = encoded(halves(1600, 1200), "JPEG", exif=located_exif(orientation=6), quality=95)
    site = make_site(
        {
            "content/a/one.md": article("縦の写真", eyecatch="{image: /images/upright.jpg}"),
            "static/images/upright.jpg": stored,
        }
    )
    public = site / "public"
    build(site, public)
    img = soup(public / "europe/one/index.html").select_one("figure.eyecatch img")
    assert (img["width"], img["height"]) == ("1200", "1600")
    assert img["srcset"].endswith("/images/upright.jpg 1200w")
    copies = copy_files(public, "upright")
    assert copies
    for copy in copies:
        with Image.open(copy) as made:
            width = int(copy.name.split(".")[1][:-1])
            assert made.size == (width, round(1600 * width / 1200)), copy.name
            assert ORIENTATION not in made.getexif(), copy.name
            rgb = made.convert("RGB")
            top, bottom = rgb.getpixel((width // 2, 5)), rgb.getpixel((width // 2, made.height - 5))
        # Orientation 6 turns the stored image a quarter clockwise: its left half on top.
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], copy.name


# 19. The photographer's location


def located_site(make_site, config: str = DEFAULT_CONFIG) -> Path:
    """A JPEG, PNG and WebP carrying GPS (EXIF and XMP), owner, serial; one no page shows."""
    profile = srgb_profile()
    jpeg = encoded(halves(1000, 700), "JPEG", exif=located_exif(3), icc_profile=profile)
    text = PngInfo()
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    text.add_text("Author", "山田太郎")
    text.add_text("Title", "演習")
    png = encoded(halves(900, 600), "PNG", exif=located_exif(), pnginfo=text)
    webp = encoded(halves(800, 600), "WEBP", exif=located_exif(), xmp=XMP, icc_profile=profile)
    return make_site(
        {
            "content/a/one.md": article(
                "位置の記事",
                eyecatch="{image: /images/field.jpg}",
                body='![地図](/images/map.png "出典:陸自")\n\n![艦](/images/ship.webp)',
            ),
            "static/images/field.jpg": with_xmp_segment(jpeg),
            "static/images/map.png": png,
            "static/images/ship.webp": webp,
            "static/images/unused.jpg": encoded(halves(300, 200), "JPEG", exif=located_exif()),
            "static/images/plain.jpg": encoded(halves(300, 200), "JPEG"),
        },
        config=config,
    )


def assert_private_metadata_gone(published: Path, source: Path) -> None:
    raw = published.read_bytes()
    assert b"GPSLatitude" not in raw and "山田太郎".encode() not in raw, published.name
    assert b"SN-0042" not in raw and b"http://ns.adobe.com/xap" not in raw, published.name
    with Image.open(published) as image, Image.open(source) as original:
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and ARTIST not in exif, published.name
        assert exif.get(ORIENTATION, 1) == original.getexif().get(ORIENTATION, 1)
        assert image.info.get("icc_profile") == original.info.get("icc_profile")
        assert image.format == original.format and image.size == original.size
    assert pixels(published) == pixels(source), published.name  # not encoded again


LOCATED = ["field.jpg", "map.png", "ship.webp", "unused.jpg"]


def test_published_originals_lose_location_and_personal_metadata(make_site):
    site = located_site(make_site)
    sources = {p.name: p.read_bytes() for p in (site / "static/images").iterdir()}
    for command in ("check", "build"):
        run = run_cli(command, "--site", site)
        assert run.returncode == 0, run.stderr
        said = [line for line in run.stderr.splitlines() if "place it was taken" in line]
        assert [line.split(":")[0] for line in said] == [f"static/images/{n}" for n in LOCATED]
        assert all("removed from the published image" in line for line in said), said
    public = site / "public"
    for name in LOCATED:
        assert_private_metadata_gone(public / "images" / name, site / "static/images" / name)
    assert (public / "images/plain.jpg").read_bytes() == sources["plain.jpg"]  # nothing to drop
    with Image.open(public / "images/map.png") as png:
        assert png.text == {"Title": "演習"}  # a title names nobody
    assert {p.name: p.read_bytes() for p in (site / "static/images").iterdir()} == sources
    figure = soup(public / "europe/one/index.html").select_one(".entry-content figure")
    assert figure.a["href"] == "/images/map.png"


def test_keep_metadata_publishes_originals_as_they_are(make_site):
    site = located_site(make_site, DEFAULT_CONFIG + "images:\n  keep_metadata: true\n")
    result = build(site, site / "public")
    for name in LOCATED:
        assert (site / "public/images" / name).read_bytes() == (
            site / "static/images" / name
        ).read_bytes()
    said = [str(w) for w in result.warnings if "place it was taken" in w.message]
    assert len(said) == 4 and all("keep_metadata is true" in w for w in said)
    bad = make_site(
        {"content/a.md": article()},
        config=DEFAULT_CONFIG + "images:\n  keep_metadata: maybe\n",
        name="bad",
    )
    run = run_cli("check", "--site", bad)
    assert run.returncode == 1 and "keep_metadata" in run.stderr


def test_originals_are_published_incrementally_and_as_a_clean_build_would(
    make_site, tmp_path, monkeypatch
):
    site = located_site(make_site)
    public = site / "public"
    cache_dir = default_cache_dir(public)
    first = build(site, public, cache_dir=cache_dir)
    read: list[str] = []
    real_open = builtins.open

    def opened(file, mode="r", *args, **kwargs):
        if isinstance(file, str | Path) and "static" in Path(file).parts:
            read.append(Path(file).name)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", opened)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda *a: pytest.fail("decoded"))
    (site / "content/a/one.md").write_text(
        article("改訂", eyecatch="{image: /images/field.jpg}", body="![地図](/images/map.png)")
    )
    edited = build(site, public, cache_dir=cache_dir)
    assert read == []
    location = [w for w in first.warnings if "place it was taken" in w.message]
    assert [w for w in edited.warnings if "place it was taken" in w.message] == location
    monkeypatch.undo()

    (site / "static/images/unused.jpg").write_bytes(
        encoded(halves(320, 200), "JPEG", exif=located_exif())
    )
    build(site, public, cache_dir=cache_dir)
    clean = build(site, tmp_path / "clean")
    assert tree(public) == tree(tmp_path / "clean")
    edit_config(site, "images:\n  keep_metadata: true\n")
    build(site, public, cache_dir=cache_dir)
    assert (public / "images/unused.jpg").read_bytes() == (
        site / "static/images/unused.jpg"
    ).read_bytes()
    edit_config(site, "")
    build(site, public, cache_dir=cache_dir)
    assert tree(public) == tree(tmp_path / "clean") and clean.warnings


def test_an_archive_of_originals_is_cleaned_on_every_core_and_kept_on_rebuild(
    make_site, monkeypatch
):
    """Past the workers' threshold the originals are staged by forked workers: each still
    loses its location, the warnings come in file order, and a rebuild writes none."""
    monkeypatch.setenv("BLOGSMITH_WORKERS", "2")
    located = encoded(halves(40, 30), "JPEG", exif=located_exif())
    plain = encoded(halves(40, 30), "JPEG")
    files: dict[str, object] = {"content/a/one.md": article("写真の記事")}
    for number in range(450):
        files[f"static/images/{number:03d}.jpg"] = located if number % 3 == 0 else plain
    site = make_site(files)
    public, cache_dir = site / "public", default_cache_dir(site / "public")
    first = build(site, public, cache_dir=cache_dir)
    said = [w.path for w in first.warnings if "place it was taken" in w.message]
    assert said == [f"static/images/{n:03d}.jpg" for n in range(0, 450, 3)]
    for number in range(0, 450, 3):
        assert_private_metadata_gone(
            public / f"images/{number:03d}.jpg", site / f"static/images/{number:03d}.jpg"
        )
    assert (public / "images/001.jpg").read_bytes() == plain
    again = build(site, public, cache_dir=cache_dir)
    assert again.written == 0 and not any("images/" in path for path in again.changed)
    assert [w.path for w in again.warnings if "place it was taken" in w.message] == said


def edit_config(site: Path, images: str) -> None:
    (site / "blogsmith.yaml").write_text(DEFAULT_CONFIG + images, encoding="utf-8")


# 20. 16-bit greys, animations, SVG


def test_a_16_bit_greyscale_png_keeps_its_greys_in_every_copy(make_site):
    grey = Image.new("I;16", (1000, 600), 0x8000)  # middle grey, on 16 bits
    site = make_site(
        {
            "content/a/one.md": article("灰色", eyecatch="{image: /images/grey.png}"),
            "static/images/grey.png": encoded(grey, "PNG"),
        }
    )
    with Image.open(site / "static/images/grey.png") as source:
        assert source.mode == "I;16"
    build(site, site / "public")
    copies = copy_files(site / "public", "grey")
    assert {p.suffix for p in copies} == {".webp", ".png"}
    for copy in copies:
        with Image.open(copy) as made:
            assert all(120 <= value <= 136 for value in made.convert("L").getextrema()), copy


def animation(kind: str) -> bytes:
    frames = [halves(1000, 600), halves(1000, 600).transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    return encoded(frames[0], kind, save_all=True, append_images=frames[1:], duration=200)


@pytest.mark.parametrize("name,kind", [("drill.webp", "WEBP"), ("drill.png", "PNG")])
def test_an_animation_is_published_whole_with_its_size_and_no_copies(make_site, name, kind):
    site = make_site(
        {
            "content/a/one.md": article("動画", body=f"![演習](/images/{name})"),
            "static/images/" + name: animation(kind),
        }
    )
    public = site / "public"
    build(site, public)
    img = soup(public / "europe/one/index.html").select_one(".entry-content img")
    assert (img["width"], img["height"]) == ("1000", "600")
    assert img.parent.name != "picture" and not img.has_attr("srcset")
    assert img["src"] == f"/images/{name}" and not copy_files(public, "drill")
    with Image.open(public / "images" / name) as published:
        assert published.n_frames == 2


SAFE_SVG = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10"><a xlink:href="https://news.example.org/"><rect width="10" '
    'height="10" fill="#345"/></a></svg>\n'
)
OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
UNSAFE_SVGS = {
    "script": (f"{OPEN}<script>alert(document.cookie)</script></svg>", "<script>"),
    "event": (f'{OPEN}<rect width="9" height="9" onload="alert(1)"/></svg>', "onload"),
    "url": (f'{OPEN}<a xlink:href=" java\tscript:alert(1)"><text>x</text></a></svg>', "href"),
    "html": (f"{OPEN}<foreignObject><p>x</p></foreignObject></svg>", "<foreignObject>"),
    "animate": (f'{OPEN}<a><set attributeName="href" to="javascript:alert(1)"/></a></svg>', "to"),
    "entities": (
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"{OPEN}<text>&b;</text></svg>",
        "DOCTYPE",
    ),
    "external": (
        f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>{OPEN}<text>&x;</text></svg>',
        "DOCTYPE",
    ),
}


@pytest.mark.parametrize("case", sorted(UNSAFE_SVGS))
def test_an_svg_that_runs_code_is_a_located_error_and_the_output_stays(make_site, case):
    svg, named = UNSAFE_SVGS[case]
    site = make_site(
        {
            "content/a/one.md": article("図", body="![図](/images/chart.svg)"),
            "static/images/chart.svg": SAFE_SVG,
        }
    )
    run = run_cli("build", "--site", site)
    assert run.returncode == 0, run.stderr
    before = tree_snapshot(site / "public")
    (site / "static/images/chart.svg").write_text(svg, encoding="utf-8")
    for command in ("check", "build"):
        run = run_cli(command, "--site", site)
        assert run.returncode == 1, (command, run.stderr)
        [error] = [e for e in run.stderr.splitlines() if e.startswith("static/images/chart.svg")]
        assert named in error and "remove" in error, error
    assert tree_snapshot(site / "public") == before
