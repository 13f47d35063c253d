"""Site images as a reader's phone wants them: their real size in the markup, and smaller
copies for `srcset` (WebP at every width; one in the original format, the fallback).

Editors upload what they have (a ministry photo of 3,000 px and several MB). Every image a
page shows from static/ (eyecatches, figures in bodies) is measured, and resized at the widths
`images.widths` names (1x and 2x of where the default theme shows them) when it is wider.
A copy's name holds a digest of its source's bytes and the settings, so a copy already in the
output is the right one and is kept without decoding anything: a rebuild with no image change
processes none, and a changed image processes only itself. Remote images are left alone.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from blogsmith.core.build_cache import digest
from blogsmith.core.workers import map_in_workers

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WEBP",
}
"""What the image stage resizes; other files (SVG, AVIF...) are shown as they are."""
SIZES = {
    "content": "(min-width: 60rem) 50rem, 100vw",
    "card": "(min-width: 40rem) 14rem, 100vw",
    "related": "(min-width: 72rem) 16rem, (min-width: 40rem) 50vw, 100vw",
}
"""How wide the default theme shows an image, for `sizes`: in the article column, as a
list card's thumbnail, in the related-articles grid."""
SHOWN_WIDTH = 740
"""The article column's width on a desktop: a narrower eyecatch is stretched."""
GOOGLE_MINIMUM_PIXELS = 50_000
"""Google's smallest Article structured-data image (width x height)."""


@dataclass(frozen=True)
class ImageSettings:
    widths: tuple[int, ...] = (210, 420, 740, 1480)
    webp: bool = True
    quality: int = 80


class Variant(NamedTuple):
    """A tuple (not a dataclass): the cache holds one per copy, and unpickles them all."""

    path: str
    """Its site path, like /images/tank.740w.1a2b3c4d.webp."""
    width: int
    height: int
    mime: str


class ImageFacts(NamedTuple):
    path: str
    """The original's site path, like /images/tank.jpg."""
    width: int
    height: int
    mime: str
    variants: tuple[Variant, ...] = ()

    def srcset(self, mime: str) -> tuple[Variant, ...]:
        """The copies of one format, narrowest first, and the original when it is of that
        format (the widest choice)."""
        found = [v for v in self.variants if v.mime == mime]
        if mime == self.mime:
            found.append(Variant(self.path, self.width, self.height, self.mime))
        return tuple(found)


class ImageProblem(NamedTuple):
    path: str
    message: str


COPY_NAME = re.compile(r"\.\d+w\.[0-9a-f]{8}\.[a-z]+$")
"""How `variant_name` ends a copy's name."""


def variant_name(path: str, width: int, source_digest: bytes, extension: str) -> str:
    """/images/tank.jpg -> /images/tank.740w.1a2b3c4d.webp."""
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}.{width}w.{source_digest.hex()[:8]}{extension}"))


def measure_and_resize(
    files: dict[str, Path],
    marks: dict[str, tuple[int, int]],
    settings: ImageSettings,
    known: dict[str, tuple[tuple, bytes, ImageFacts | ImageProblem]],
    keep,
    stage,
) -> tuple[
    dict[str, ImageFacts | ImageProblem],
    dict[str, tuple[tuple, bytes, ImageFacts | ImageProblem]],
    list[str],
    list[str],
]:
    """Facts or a problem for every image in `files` (site path -> source); the answers made
    now, for the cache (with the file's size and time and the digest they were made for);
    every copy's output path; and the copies staged now because the output lacks them.

    `marks` holds each file's size and modification time, from the build's listing.
    `known` is the last build's answers: a file of the same size and time, or of the same
    bytes, is not decoded again when its copies are in the output (`keep(relative)` keeps
    one there). `stage(relative, data) -> bool` stages a copy, and is None when nothing is
    written (`blogsmith check` measures without resizing)."""
    answers: dict[str, ImageFacts | ImageProblem] = {}
    fresh: dict[str, tuple[tuple, bytes, ImageFacts | ImageProblem]] = {}
    settings_key = repr(settings)  # compared once per image: text is cheaper than a dataclass
    todo: list[tuple[str, Path, bytes]] = []
    for path, source in sorted(files.items()):
        seen = (*marks[path], settings_key)
        previous = known.get(path)
        made_for = previous[1] if previous is not None and previous[0] == seen else None
        if made_for is None:
            try:
                data = source.read_bytes()
            except OSError as exc:
                answers[path] = ImageProblem(path, f"cannot be read ({exc.strerror or exc})")
                continue
            made_for = digest(data + settings_key.encode())
        if previous is not None and previous[1] == made_for:
            facts = previous[2]
            if (
                stage is None
                or isinstance(facts, ImageProblem)
                or all(keep(v.path.lstrip("/")) for v in facts.variants)
            ):
                answers[path] = facts
                if previous[0] != seen:
                    fresh[path] = (seen, made_for, facts)
                continue
        todo.append((path, source, made_for))
        fresh[path] = (seen, made_for, None)
    global _STAGE, _EXISTS
    _STAGE, _EXISTS = stage, keep
    try:
        arguments = [(p, s, m, settings) for p, s, m in todo]
        results = map_in_workers(_process, arguments, minimum_items=8)
    finally:
        _STAGE = _EXISTS = None
    staged: list[str] = []
    for (path, _, made_for), (facts, written) in zip(todo, results, strict=True):
        answers[path] = facts
        fresh[path] = (fresh[path][0], made_for, facts)
        staged += written
    copies = [
        v.path.lstrip("/")
        for facts in answers.values()
        if isinstance(facts, ImageFacts)
        for v in facts.variants
    ]
    return answers, fresh, copies, staged


_STAGE = None
"""What forked workers inherit to stage the copies they make (as render.batch does)."""
_EXISTS = None
"""And to ask whether the output holds a copy already."""


def _process(path: str, source: Path, made_for: bytes, settings: ImageSettings):
    """One image: its facts and its copies, staged here (in a worker when there are many).
    When the output has every copy already (named by the source's digest: a build that lost
    its cache), the image is not even decoded."""
    stage, exists = _STAGE, _EXISTS
    from PIL import Image, UnidentifiedImageError

    expected = EXTENSIONS.get(PurePosixPath(path).suffix.lower())
    decoded = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
            actual = image.format
            if actual == expected:
                plan = _copies(path, image.size, actual, made_for, settings)
                if (
                    stage is None  # `check` reads the whole image, as a first build does
                    or not plan
                    or not all(exists(name.lstrip("/")) for name, *_ in plan)
                ):
                    image.load()
                    decoded = True
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Warning) as exc:
        reason = (
            "is not an image blogsmith can read"
            if isinstance(exc, UnidentifiedImageError)
            else f"cannot be read as an image ({exc})"
        )
        return ImageProblem(path, f"{reason}; save it as JPEG, PNG, GIF or WebP"), []
    if actual != expected:
        return (
            ImageProblem(
                path,
                f"is a {actual} image with a {PurePosixPath(path).suffix} name; rename it to "
                f"{_usual_extension(actual)} or save it as {expected}",
            ),
            [],
        )
    written: list[str] = []
    if stage is not None and decoded:  # some copy is missing
        larger, size = image, None  # each copy is made from the next larger one: far faster
        for name, width, height, kind in plan:
            if (width, height) != size:
                larger = larger.resize(  # bicubic, antialiased: as sharp as Lanczos here at
                    (width, height), Image.Resampling.BICUBIC, reducing_gap=2.0
                )  # 60% of its time
                size = (width, height)
            if stage(name.lstrip("/"), _encode(larger, kind, settings.quality)):
                written.append(name.lstrip("/"))
    variants = sorted(
        (Variant(name, width, height, MIME[kind]) for name, width, height, kind in plan),
        key=lambda v: (v.width, v.mime),
    )
    width, height = image.size
    return ImageFacts(path, width, height, MIME[actual], tuple(variants)), written


def _copies(
    path: str, size: tuple[int, int], actual: str, made_for: bytes, settings: ImageSettings
) -> list[tuple[str, int, int, str]]:
    """(name, width, height, format) of each copy an image gets, widest first."""
    width, height = size
    if actual not in ("JPEG", "PNG", "WEBP"):
        return []
    targets = sorted({w for w in settings.widths if w < width}, reverse=True)
    fallback = fallback_width(targets)
    plan = []
    for target in targets:
        resized_height = max(1, round(height * target / width))
        formats = [("WEBP", ".webp")] if settings.webp else []
        if actual != "WEBP" and (not settings.webp or target == fallback):
            formats.append((actual, PurePosixPath(path).suffix.lower()))
        for kind, extension in formats:
            name = variant_name(path, target, made_for, extension)
            plan.append((name, target, resized_height, kind))
    return plan


def fallback_width(widths) -> int | None:
    """The copy an `<img src>` shows to a browser without WebP: the narrowest as wide as the
    article column, else none (the original is then narrow enough)."""
    return min((w for w in widths if w >= SHOWN_WIDTH), default=None)


def _encode(image, kind: str, quality: int) -> bytes:
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=quality, progressive=True)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=quality, method=2)  # 4 costs 50% more for ~5%
    else:
        image.save(out, kind, optimize=False)
    return out.getvalue()


def _usual_extension(kind: str | None) -> str:
    return {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}.get(
        kind or "", "its format"
    )


def picture_html(
    facts: ImageFacts | None,
    src: str,
    url_of,
    alt: str,
    sizes: str,
    eager: bool = False,
    css_class: str = "",
) -> str:
    """An image as the page shows it: a <picture> with WebP and original-format copies when
    there are any, always with its width and height when known, lazy unless `eager` (the
    first image above the fold, which also gets fetchpriority=high)."""
    attributes = [f'alt="{escape(alt)}"']
    if css_class:
        attributes.insert(0, f'class="{escape(css_class)}"')
    if facts is not None:
        attributes.append(f'width="{facts.width}" height="{facts.height}"')
    attributes.append('loading="eager" fetchpriority="high"' if eager else 'loading="lazy"')
    attributes.append('decoding="async"')
    if facts is None or not facts.variants:
        return f'<img src="{escape(url_of(src))}" {" ".join(attributes)}>'

    def srcset(mime: str) -> str:
        return ", ".join(f"{escape(url_of(v.path))} {v.width}w" for v in facts.srcset(mime))

    fallback = facts.srcset(facts.mime)
    middle = next((v for v in fallback if v.width >= SHOWN_WIDTH), fallback[-1])
    sources = "".join(
        f'<source type="{mime}" srcset="{srcset(mime)}" sizes="{sizes}">'
        for mime in dict.fromkeys(v.mime for v in facts.variants)
        if mime != facts.mime
    )
    return (
        f'<picture>{sources}<img src="{escape(url_of(middle.path))}" '
        f'srcset="{srcset(facts.mime)}" sizes="{sizes}" {" ".join(attributes)}></picture>'
    )


def facts_key(images: dict[str, ImageFacts]) -> bytes:
    """What pages show of the images, as one digest made in milliseconds for tens of
    thousands: each one's size and type and its copies' names (which hold its bytes' digest)."""
    parts = [
        f"{path}\0{facts.width}\0{facts.height}\0{facts.mime}\0"
        + "\0".join(variant.path for variant in facts.variants)
        for path, facts in sorted(images.items())
    ]
    return digest("\n".join(parts).encode("utf-8", "surrogatepass"))


_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def sized_body(html: str, facts_of, url_of, base_path: str) -> str:
    """A rendered body with each of its site images as `picture_html` makes them (the body
    is rendered once and cached; the images it shows are measured each build)."""

    def one(match: re.Match) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        src = unescape(attributes.get("src", ""))
        path = "/" + src[len(base_path) :] if src.startswith(base_path) else src
        facts = facts_of(path)
        if facts is None:
            return match.group(0)
        return picture_html(
            facts, path, url_of, unescape(attributes.get("alt", "")), SIZES["content"]
        )

    return _IMG.sub(one, html)


_BODY_IMAGE = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"')


def is_resizable(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in EXTENSIONS


def images_shown(graph, keys=None) -> dict[str, list[tuple[object, str]]]:
    """Site path of each site image the pages show -> the (article, 'eyecatch' or 'body')
    that show it, in article order; with `keys`, those articles' images only."""
    shown: dict[str, list[tuple[object, str]]] = {}
    articles = graph.articles
    for article in articles.values() if keys is None else [articles[k] for k in sorted(keys)]:
        for path, where in article_images(article, graph.config.base_path):
            shown.setdefault(path, []).append((article, where))
    if keys is not None:
        return shown
    for setting in (graph.config.logo, graph.config.default_image):
        if _is_site(setting):  # measured for structured data; said of in the config
            shown.setdefault(setting, [])
    return shown


def article_images(article, base_path: str) -> list[tuple[str, str]]:
    """(site path, 'eyecatch' or 'body') of the site images an article shows."""
    found = []
    if article.eyecatch and _is_site(article.eyecatch.image):
        found.append((article.eyecatch.image, "eyecatch"))
    for src in _BODY_IMAGE.findall(article.html):
        src = unescape(src)
        path = "/" + src[len(base_path) :] if src.startswith(base_path) else src
        if _is_site(path):
            found.append((path, "body"))
    return found


def image_warnings(graph, shown, statics, answers) -> list[tuple[str, int, str]]:
    """(file, line, message) for every image that will not show as it should."""
    found = []
    for path, users in shown.items():
        facts = answers.get(path)
        for article, where in users:
            line = graph.docs[article.key].line("eyecatch", "image") if where == "eyecatch" else 0
            if path.lstrip("/") not in statics:
                if where == "body":  # a missing eyecatch is said by the graph already
                    found.append(
                        (article.source, line, f"image {path} not found: add static{path}")
                    )
                continue
            if isinstance(facts, ImageProblem):
                found.append((article.source, line, f"image {path} {facts.message}"))
                continue
            if where != "eyecatch" or facts is None:
                continue
            if facts.width < SHOWN_WIDTH:
                found.append(
                    (
                        article.source,
                        line,
                        f"eyecatch image {path} is {facts.width}x{facts.height} px, narrower "
                        f"than the {SHOWN_WIDTH} px an article shows it at, so it looks "
                        "blurred; use one at least that wide",
                    )
                )
            if facts.width * facts.height < GOOGLE_MINIMUM_PIXELS:
                found.append(
                    (
                        article.source,
                        line,
                        f"eyecatch image {path} has fewer than {GOOGLE_MINIMUM_PIXELS:,} pixels, "
                        "the least Google shows for an article; use a larger image",
                    )
                )
    return found


def _is_site(path: str) -> bool:
    return path.startswith("/") and not path.startswith("//")
