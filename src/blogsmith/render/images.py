"""Site images as a reader's phone wants them: their real size in the markup, and smaller
copies for `srcset` (WebP at every width; one in the original format, the fallback).

Editors upload what they have (a ministry photo of 3,000 px and several MB). Every image a
page shows from static/ (eyecatches, figures in bodies) is measured, and resized at the widths
`images.widths` names (1x and 2x of where the default theme shows them) when it is wider.
A copy's name holds a digest of its source's bytes and the settings, so a copy already in the
output is the right one and is kept without decoding anything: a rebuild with no image change
processes none, and a changed image processes only itself. Remote images are left alone.
Sizes and copies are as browsers show the image (turned by its EXIF Orientation). The
originals of static/ are published without what places or names their photographer
(`publish_originals`), as incrementally as any static file.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from blogsmith.content.site_files import read_each
from blogsmith.content.static import shown_static
from blogsmith.core.digest import digest
from blogsmith.core.workers import inherited, map_in_workers
from blogsmith.output.records import OutputRecords
from blogsmith.output.writer import StagedWriter

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
    revision: int = 2
    """How copies are made: part of their names and of the cache's key, so a new way (2:
    turned upright, 16-bit greyscale scaled, animations left whole) makes every copy once."""


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


COPY_NAME = re.compile(r"\.(\d+)w\.[0-9a-f]{8}\.([a-z]+)$")
"""How `variant_name` ends a copy's name."""


def variant_name(path: str, width: int, source_digest: bytes, extension: str) -> str:
    """/images/tank.jpg -> /images/tank.740w.1a2b3c4d.webp."""
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}.{width}w.{source_digest.hex()[:8]}{extension}"))


class ImageRecord(NamedTuple):
    """What the image stage found of one image: enough to make its facts again without
    reading it. The cache keeps it as a plain tuple, its fields but `problem` in order, or
    its first three and `problem` (`for_cache`): tens of thousands load in milliseconds,
    where named tuples would each call a constructor; `from_cache` reads one back."""

    file_size: int
    file_time: int
    """Its file's modification time (ns)."""
    made_for: bytes | None
    """The digest of its bytes and the settings (None: the file could not be read)."""
    width: int = 0
    height: int = 0
    mime: str = ""
    copies: tuple[str, ...] = ()
    """The output paths of its copies, narrowest first."""
    problem: str | None = None
    """What is wrong with it, instead of its size, type and copies."""

    @classmethod
    def of(cls, mark: tuple[int, int], made_for: bytes | None, found) -> ImageRecord:
        """The record of what `_process` found (ImageFacts, or an ImageProblem) of a file
        of this size and time (`mark`)."""
        if isinstance(found, ImageProblem):
            return cls(*mark, made_for, problem=found.message)
        copies = tuple(variant.path.lstrip("/") for variant in found.variants)
        return cls(*mark, made_for, found.width, found.height, found.mime, copies)

    @classmethod
    def from_cache(cls, kept: tuple) -> ImageRecord:
        """A record as `for_cache` kept it (made without a call to the constructor: every
        build reads every image's)."""
        if len(kept) == 4:
            return cls(*kept[:3], problem=kept[3])
        return tuple.__new__(cls, (*kept, None))

    def for_cache(self) -> tuple:
        if self.problem is not None:
            return (*self[:3], self.problem)
        return self[:7]

    @property
    def mark(self) -> tuple[int, int]:
        """Its file's size and time."""
        return (self.file_size, self.file_time)

    def touched(self, mark: tuple[int, int]) -> ImageRecord:
        """The same record, of a file with the same bytes and a new size and time."""
        return self._replace(file_size=mark[0], file_time=mark[1])

    @property
    def size_or_problem(self) -> tuple[int, int] | str:
        return self.problem if self.problem is not None else (self.width, self.height)

    @property
    def version(self) -> bytes:
        """What a page that shows the image depends on: the digest its facts and copies were
        made from, or the problem found."""
        if self.problem is not None:
            return self.problem.encode("utf-8", "surrogatepass")
        return self.made_for

    def facts(self, path: str) -> ImageFacts | None:
        """What a page shows of the image at site path `path` (None: it has a problem)."""
        if self.problem is not None:
            return None
        width, height = self.width, self.height
        variants = []
        for copy in self.copies:
            match = COPY_NAME.search(copy)
            target = int(match.group(1))
            kind = EXTENSIONS["." + match.group(2)]
            variants.append(
                Variant("/" + copy, target, max(1, round(height * target / width)), MIME[kind])
            )
        return ImageFacts(path, width, height, self.mime, tuple(variants))


class MeasuredImages:
    """What the image stage found of each image, by site path: its facts are made from its
    record when a page first shows it (a rebuild renders a few pages)."""

    def __init__(self, records: dict[str, ImageRecord] | None = None):
        self.records = records or {}
        self._made: dict[str, ImageFacts | None] = {}

    def __contains__(self, path: object) -> bool:
        return path in self.records

    def facts(self, path: str) -> ImageFacts | None:
        """What a page shows of an image: None when it is not a site image or not readable."""
        found = self._made.get(path)
        if found is None:
            record = self.records.get(path)
            if record is None:
                return None
            found = self._made[path] = record.facts(path)
        return found

    def size(self, path: str) -> tuple[int, int] | str | None:
        """An image's width and height, or the problem found, without making its facts."""
        record = self.records.get(path)
        return None if record is None else record.size_or_problem

    def version_of(self, path: str) -> bytes:
        """What a page that shows this image depends on (ImageRecord.version); b"" when it
        is not measured (remote, missing). Page keys carry it, so a changed image renders
        again only the pages that show it."""
        record = self.records.get(path)
        return b"" if record is None else record.version


class ResizedImages(NamedTuple):
    """What `measure_and_resize` did."""

    measured: MeasuredImages
    """Facts or a problem for every image."""
    fresh: dict[str, tuple]
    """The records made now, as the cache keeps them (ImageRecord.for_cache)."""
    copies: list[str]
    """The output paths of the copies of the images processed now."""
    staged: list[str]
    """Those of them staged now, the output lacking them."""


@dataclass
class ImageRecords:
    """What the image stage found of each image, carried from one build to the next (the
    cache folder saves it apart: most builds change none)."""

    settings: str = ""
    """The image settings `records` were made with."""
    records: dict[str, tuple] = field(default_factory=dict)
    """Site path of an image -> its ImageRecord, as for_cache keeps it."""
    changed: bool = False
    """`records` differs from the cache folder's copy."""

    def images_for(self, settings: str) -> dict[str, tuple]:
        """The images found before with these settings (none when they changed)."""
        if settings != self.settings:
            self.settings, self.records = settings, {}
            self.changed = True
        return self.records

    def remember_images(self, fresh: dict[str, tuple], shown: set[str]) -> None:
        """What this build found of images (`fresh`), among those the pages show now."""
        gone = self.records.keys() - shown
        for path in gone:
            del self.records[path]
        self.records.update(fresh)
        self.changed = self.changed or bool(fresh or gone)


@dataclass
class _Answers:
    """The image stage's answers as they are made, by site path: `records` for every image,
    `fresh` those the cache lacks, `todo` the images to process: (path, source, made_for)."""

    records: dict[str, ImageRecord] = field(default_factory=dict)
    fresh: dict[str, ImageRecord] = field(default_factory=dict)
    todo: list[tuple[str, str, bytes]] = field(default_factory=list)


def measure_and_resize(
    files: dict[str, str],
    marks: dict[str, tuple[int, int]],
    settings: ImageSettings,
    last_records: dict[str, tuple],
    keep,
    stage,
) -> ResizedImages:
    """Facts or a problem for every image in `files` (site path -> source), and its copies
    staged when the output lacks them.

    `marks` holds each file's size and modification time, from the build's listing (by
    output path: without the site path's leading slash).
    `last_records` are the last build's records, made with these settings (as the cache
    keeps them): a file of the same size and time, or of the same bytes, is not decoded
    again when its copies are in the output (`keep(relatives) -> bool` keeps them there,
    if it has them all). `stage(relative, data) -> bool` stages a copy, and is None when
    nothing is written (`blogsmith check` measures without resizing)."""
    answers = _Answers()
    with_copies = _reuse_last_records(
        files, marks, settings, last_records, stage is not None, answers
    )
    _keep_copies(with_copies, keep, answers)
    copies, staged = _process_all(answers, marks, settings, stage, keep)
    fresh = {path: record.for_cache() for path, record in answers.fresh.items()}
    return ResizedImages(MeasuredImages(answers.records), fresh, copies, staged)


def _reuse_last_records(
    files: dict[str, str],
    marks: dict[str, tuple[int, int]],
    settings: ImageSettings,
    last_records: dict[str, tuple],
    writes: bool,
    answers: _Answers,
) -> list[tuple[str, str, ImageRecord]]:
    """Answers the images whose record still holds (the same size and time, or the same
    bytes), or that cannot be read; the others are left to do. Returns those whose record
    holds but whose copies the output must have: (path, source, record)."""
    settings_key = repr(settings).encode()
    with_copies = []
    previous_of: dict[str, ImageRecord | None] = {}
    for path in files:
        kept = last_records.get(path)
        previous_of[path] = None if kept is None else ImageRecord.from_cache(kept)
    unchanged = {
        path
        for path, previous in previous_of.items()
        if previous is not None and previous.mark == marks[path[1:]]
    }
    unread = [
        (source, marks[path[1:]][0]) for path, source in files.items() if path not in unchanged
    ]
    read = read_each(unread)  # in the order of `files`, as they are taken below
    for path, source in files.items():
        mark = marks[path[1:]]
        previous = previous_of[path]
        if path in unchanged:
            made_for = previous.made_for
        else:
            data = next(read)
            if isinstance(data, OSError):
                problem = ImageProblem(path, f"cannot be read ({data.strerror or data})")
                answers.records[path] = ImageRecord.of(mark, None, problem)
                continue
            made_for = digest(data + settings_key)
            if previous is not None and previous.made_for == made_for:  # the same, touched
                previous = answers.fresh[path] = previous.touched(mark)
        if previous is None or previous.made_for != made_for:
            answers.todo.append((path, source, made_for))
        elif not writes or previous.problem is not None:
            answers.records[path] = previous
        else:
            with_copies.append((path, source, previous))
    return with_copies


def _keep_copies(with_copies: list[tuple[str, str, ImageRecord]], keep, answers: _Answers) -> None:
    """Keeps the copies of these images in the output; an image whose copies it lacks is
    processed again. Usually every copy is there: one question for all of them, then one
    for each image."""
    every = keep([copy for *_, previous in with_copies for copy in previous.copies])
    for path, source, previous in with_copies:
        if every or keep(previous.copies):
            answers.records[path] = previous
        else:
            answers.fresh.pop(path, None)
            answers.todo.append((path, source, previous.made_for))


def _process_all(
    answers: _Answers, marks: dict[str, tuple[int, int]], settings: ImageSettings, stage, keep
) -> tuple[list[str], list[str]]:
    """Processes the images left to do, on every core: the output paths of their copies,
    and of those staged."""
    todo = sorted(answers.todo)
    arguments = [(p, s, m, settings) for p, s, m in todo]
    results = map_in_workers(_process, arguments, minimum_items=8, inherit=(stage, keep))
    staged: list[str] = []
    copies: list[str] = []
    for (path, _, made_for), (found, written) in zip(todo, results, strict=True):
        record = ImageRecord.of(marks[path[1:]], made_for, found)
        answers.records[path] = answers.fresh[path] = record
        copies += record.copies
        staged += written
    return copies, staged


def _process(path: str, source: str, made_for: bytes, settings: ImageSettings):
    """One image: its facts (its size as browsers show it, turned by its EXIF Orientation)
    and its copies, staged here (in a worker when there are many). When the output has every
    copy already (named by the source's digest: a build that lost its cache), the image is
    not even decoded. An animation gets no copies: a copy would keep its first frame only."""
    stage, exists = inherited()  # staging a copy; whether the output holds one already
    from PIL import Image, UnidentifiedImageError

    expected = EXTENSIONS.get(PurePosixPath(path).suffix.lower())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
            actual = image.format
            if actual != expected:
                return _misnamed(path, actual, expected), []
            orientation = _orientation(image)
            shown = _shown_size(image.size, orientation)
            plan = [] if _is_animated(image) else _copies(path, shown, actual, made_for, settings)
            decoded = (
                stage is None  # `check` reads the whole image, as a first build does
                or not plan
                or not exists([name.lstrip("/") for name, *_ in plan])
            )
            if decoded:
                image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Warning) as exc:
        reason = (
            "is not an image blogsmith can read"
            if isinstance(exc, UnidentifiedImageError)
            else f"cannot be read as an image ({exc})"
        )
        return ImageProblem(path, f"{reason}; save it as JPEG, PNG, GIF or WebP"), []
    written: list[str] = []
    if stage is not None and decoded and plan:  # some copy is missing
        written = _make_copies(_upright(_eight_bit(image), orientation), plan, settings, stage)
    variants = sorted(
        (Variant(name, width, height, MIME[kind]) for name, width, height, kind in plan),
        key=lambda v: (v.width, v.mime),
    )
    return ImageFacts(path, *shown, MIME[actual], tuple(variants)), written


def _misnamed(path: str, actual: str | None, expected: str | None) -> ImageProblem:
    return ImageProblem(
        path,
        f"is a {actual} image with a {PurePosixPath(path).suffix} name; rename it to "
        f"{_usual_extension(actual)} or save it as {expected}",
    )


def _make_copies(image, plan, settings: ImageSettings, stage) -> list[str]:
    """Stages each copy of `plan`, each made from the next larger one (far faster); the
    output paths of those staged."""
    from PIL import Image

    written = []
    larger, size = image, None
    for name, width, height, kind in plan:
        if (width, height) != size:
            larger = larger.resize(  # bicubic, antialiased: as sharp as Lanczos here at
                (width, height), Image.Resampling.BICUBIC, reducing_gap=2.0
            )  # 60% of its time
            size = (width, height)
        if stage(name.lstrip("/"), _encode(larger, kind, settings.quality)):
            written.append(name.lstrip("/"))
    return written


ORIENTATION_TAG = 0x0112
TURNED = (5, 6, 7, 8)
"""EXIF Orientations that swap width and height (a phone held upright)."""


def _orientation(image) -> int:
    """The EXIF Orientation browsers turn the image by (1: as stored), read without decoding
    (a PNG's eXIf after its pixels is not looked for: that would decode it)."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    try:
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - broken EXIF: browsers show the image as stored
        return 1
    return orientation if orientation in range(1, 9) else 1


def _shown_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    width, height = size
    return (height, width) if orientation in TURNED else (width, height)


def _upright(image, orientation: int):
    """The image as browsers show it: copies carry no EXIF, so they are turned themselves."""
    from PIL import Image

    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    return image if method is None else image.transpose(method)


def _eight_bit(image):
    """A 16-bit (or 32-bit) greyscale image scaled to 8 bits: converted as it is, every value
    above 255 would be white."""
    if image.mode not in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
        return image
    return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")


def _is_animated(image) -> bool:
    """Whether a PNG (APNG) or WebP has more than one frame, known from its header. GIFs get
    no copies anyway, and counting their frames would read them whole."""
    return image.format in ("PNG", "WEBP") and bool(getattr(image, "is_animated", False))


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


def is_resizable(path: str) -> bool:
    name = path[path.rfind("/") + 1 :]  # as PurePosixPath.suffix, which costs ten times more
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:].lower() in EXTENSIONS


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
    for src in article.body.images:
        path = "/" + src[len(base_path) :] if src.startswith(base_path) else src
        if _is_site(path):
            found.append((path, "body"))
    return found


def image_warnings(graph, shown, statics, answers) -> list[tuple[str, int, str]]:
    """(file, line, message) for every image that will not show as it should."""
    said = []

    def say(article, where: str, message: str) -> None:
        line = graph.docs[article.key].line("eyecatch", "image") if where == "eyecatch" else 0
        said.append((article.source, line, message))

    for path, users in shown.items():
        found = answers.size(path)
        for article, where in users:
            if path.lstrip("/") not in statics:
                if where == "body":  # a missing eyecatch is said by the graph already
                    say(article, where, f"image {path} not found: add static{path}")
                continue
            if isinstance(found, str):
                say(article, where, f"image {path} {found}")
                continue
            if where != "eyecatch" or found is None:
                continue
            width, height = found
            if width < SHOWN_WIDTH:
                say(
                    article,
                    where,
                    f"eyecatch image {path} is {width}x{height} px, narrower than the "
                    f"{SHOWN_WIDTH} px an article shows it at, so it looks blurred; use one "
                    "at least that wide",
                )
            if width * height < GOOGLE_MINIMUM_PIXELS:
                say(
                    article,
                    where,
                    f"eyecatch image {path} has fewer than {GOOGLE_MINIMUM_PIXELS:,} pixels, "
                    "the least Google shows for an article; use a larger image",
                )
    return said


ORIGINALS = (".jpg", ".jpeg", ".png", ".webp")
"""The static files whose metadata can place or name someone (EXIF, XMP)."""


class Originals(NamedTuple):
    published: frozenset[str]
    """Output paths of the originals published here: the static copy leaves them alone."""
    located: tuple[str, ...]
    """Sources of those that carried the place they were taken."""


class OriginalRecord(NamedTuple):
    """What the cache keeps of an original `publish_originals` published, among the records
    of static files: as a plain tuple of its fields (see from_cache)."""

    file_size: int
    file_time: int
    """Its source's modification time (ns)."""
    kept_metadata: bool
    """The images.keep_metadata setting it was published with."""
    located: bool
    """Whether it carried the place it was taken (for the warning every build says)."""

    @classmethod
    def from_cache(cls, kept: tuple | None) -> OriginalRecord | None:
        """A record as `for_cache` kept it (made without a call to the constructor: every
        build reads every original's); None for none, or a static file's own record (its
        size and time only: it was not published as an original)."""
        if kept is None or len(kept) != len(cls._fields):
            return None
        return tuple.__new__(cls, kept)

    def for_cache(self) -> tuple:
        return tuple(self)

    @property
    def mark(self) -> tuple[int, int]:
        """Its source's size and time."""
        return (self.file_size, self.file_time)


def publish_originals(
    statics: dict[str, str],
    marks,
    keep_metadata: bool,
    outputs: OutputRecords | None,
    writer: StagedWriter | None,
) -> Originals:
    """Every JPEG, PNG and WebP of static/ published without its private metadata (see
    render.private_metadata), or as it is with `keep_metadata`. Like any static file, an
    unchanged one is kept in the output without being read: its record in `outputs` says
    its source's size and time, the setting it was published with and whether it carried a
    location (for the warning, said by every build). The others are read and staged on every
    core: creating a file costs the system more than cleaning it (a photo archive has tens of
    thousands). `writer` is None for `check`, which reads them all."""
    committed = outputs.statics if outputs is not None and writer is not None else {}
    records: dict[str, OriginalRecord] = {}
    todo: list[tuple[str, str, tuple[int, int], bool]] = []
    for relative, source in statics.items():
        if not relative.lower().endswith(ORIGINALS):
            continue
        mark = marks[relative]
        record = OriginalRecord.from_cache(committed.get(relative))
        if (
            record is None
            or record.mark != mark
            or record.kept_metadata != keep_metadata
            or not writer.keep(relative)
        ):
            todo.append((relative, source, mark, keep_metadata))
        else:
            records[relative] = record
    made = map_in_workers(
        _publish_original, todo, inherit=writer.stage if writer is not None else None
    )
    for (relative, *_), outcome in zip(todo, made, strict=True):
        if outcome is None:  # unreadable: the static copy says so
            continue
        records[relative], staged = outcome
        if writer is not None:
            writer.record(relative, staged)
    published, located = set(), []
    for relative, source in statics.items():
        record = records.get(relative)
        if record is None:
            continue
        published.add(relative)
        if outputs is not None and writer is not None:
            outputs.remember_static(relative, record.for_cache())
        if record.located:
            located.append(source)
    return Originals(frozenset(published), tuple(located))


def _publish_original(
    relative: str, source: str, mark: tuple[int, int], keep_metadata: bool
) -> tuple[OriginalRecord, bool] | None:
    """Reads one original and stages it as published: its record and whether it was staged
    (the output held other bytes), or None when unreadable."""
    from blogsmith.render.private_metadata import without_private_metadata

    try:
        with open(source, "rb") as stream:
            data = stream.read()
    except OSError:
        return None
    cleaned = without_private_metadata(data)
    stage = inherited()  # the writer's, or None for `check`
    staged = stage is not None and stage(relative, data if keep_metadata else cleaned.data)
    return OriginalRecord(*mark, keep_metadata, cleaned.located), staged


def location_warnings(originals: Originals, site_dir, keep_metadata: bool) -> list[tuple]:
    """(file, line, message) for each original that carried where it was taken."""
    if keep_metadata:
        message = (
            "publishes the place it was taken (GPS), since images.keep_metadata is true; "
            "set it to false, or remove the location from the file"
        )
    else:
        message = (
            "carries the place it was taken (GPS): it was removed from the published image, "
            "with the other personal metadata (the file in static/ is unchanged)"
        )
    return [(shown_static(site_dir, Path(source)), 0, message) for source in originals.located]


def _is_site(path: str) -> bool:
    return path.startswith("/") and not path.startswith("//")
