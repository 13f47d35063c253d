"""Read the site's content files: the only module that opens them.

Everything that depends on one file alone (front matter, the Markdown body, the comment
thread) is done here, per file, by a pure function: so it can run on every core and be
reused while the file's bytes and the settings it depends on stay the same.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from blogsmith.content.article_body import ArticleBody
from blogsmith.content.comment_text import FORBIDDEN
from blogsmith.content.comments import Thread, read_thread
from blogsmith.content.fields import Meta, check_meta
from blogsmith.content.frontmatter import FrontMatterError, split
from blogsmith.content.markdown_body import BodyRenderer, NestedTooDeep
from blogsmith.content.markdown_linear import escape_unclosed_tags
from blogsmith.content.site_files import checked, read_each, read_whole
from blogsmith.core import yamlread
from blogsmith.core.config import Config
from blogsmith.core.digest import digest
from blogsmith.core.errors import ErrorBag, LocatedError
from blogsmith.core.workers import map_in_workers

CONTENT_DIR = "content"
COMMENTS_SUFFIX = ".comments.yaml"


@dataclass(frozen=True)
class LoadedSource:
    """One Markdown source: `key` is its path under content/, `source` its path in the site."""

    key: str
    source: str
    body: ArticleBody
    meta: Meta | None
    """The checked front matter, or None when it has errors (reported with the file)."""


@dataclass(frozen=True)
class LoadedComments:
    """A comments file: `key` is the article it belongs to (its path under content/)."""

    key: str
    source: str
    count: int
    """Discussion comments at every depth: what cards show."""
    newest: datetime | None
    """When the newest of them was written (None: no comment readers can read)."""
    packed: bytes
    """The Thread, pickled: a rebuild takes every file's result from the cache but renders
    few threads, and unpickling a hundred thousand comments would cost more than the rest."""

    def thread(self) -> Thread:
        return pickle.loads(self.packed)


@dataclass(frozen=True)
class Content:
    sources: list[LoadedSource]
    comments: list[LoadedComments]
    digests: dict[str, bytes] = field(default_factory=dict)
    """Source path -> digest of its bytes: what page keys name a file's content by."""


@dataclass(frozen=True)
class Settings:
    """What per-file work depends on besides the file: the config."""

    config: Config

    @classmethod
    def of(cls, config: Config) -> Settings:
        return cls(config)


@dataclass(frozen=True)
class FileResult:
    value: LoadedSource | LoadedComments | None
    errors: tuple[LocatedError, ...] = ()
    warnings: tuple[LocatedError, ...] = ()


class FileEntry:
    """One file's result and the digest of the bytes it was made from (the cache folder saves
    them in parts, see cache.persist)."""

    __slots__ = ("digest", "value")

    def __init__(self, digest: bytes, value: FileResult):
        self.digest, self.value = digest, value


@dataclass
class FileResults:
    """What loading made of each file, carried from one build to the next: an entry is reused
    while the file's bytes and the settings are the same. Written only through its methods."""

    settings: Settings | None = None
    """What the results were made with."""
    entries: dict[str, FileEntry] = field(default_factory=dict)
    """Source path -> the digest of its bytes and what loading made of them."""
    changed: set[str] | None = field(default_factory=set)
    """Sources whose entry was added, replaced or dropped since the cache folder last saved
    `entries` (None: all of them): the folder rewrites only their part."""

    def unknown_files(self, settings: Settings, files: list[tuple[str, bytes]]) -> set[str]:
        """The sources whose results are not known for these settings and the bytes of
        these digests (source, digest of its bytes)."""
        if settings != self.settings:
            self.entries = {}
            self.settings = settings
            self.changed = None
        unknown = set()
        for source, printed in files:
            hit = self.entries.get(source)
            if hit is None or hit.digest != printed:
                unknown.add(source)
        return unknown

    def remember_file(self, source: str, printed: bytes, result: FileResult) -> None:
        """`result` of loading `source`, whose bytes have the digest `printed`."""
        self.entries[source] = FileEntry(printed, result)
        self._file_changed(source)

    def file(self, source: str) -> FileResult:
        return self.entries[source].value

    def forget_missing(self, present: set[str]) -> None:
        for path in set(self.entries) - present:
            del self.entries[path]
            self._file_changed(path)

    def forget_file(self, source: str) -> None:
        if self.entries.pop(source, None) is not None:
            self._file_changed(source)

    def _file_changed(self, source: str) -> None:
        if self.changed is not None:
            self.changed.add(source)


def content_files(site_dir: Path) -> list[tuple[str, str]]:
    """(key, path) of every file under content/, in a stable order, skipping editor litter
    (paths as strings: tens of thousands of Path objects cost more than reading the folders)."""
    root = str(site_dir / CONTENT_DIR)
    found: list[tuple[str, str]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = os.path.relpath(folder, root).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        for name in sorted(files):
            if not is_editor_litter(name):
                found.append((prefix + name, os.path.join(folder, name)))
    return found


def is_editor_litter(name: str) -> bool:
    """Hidden, backup and swap files that editors write beside the real one."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def article_of(path: str) -> str:
    """The article file a path names: itself, or the one a comments file sits beside."""
    return path[: -len(COMMENTS_SUFFIX)] + ".md" if path.endswith(COMMENTS_SUFFIX) else path


ContentPrints = dict[str, tuple[int, int, int, int, bytes]]
"""Source -> (size, mtime_ns, inode, ctime_ns, digest of its bytes) as a build read it."""

RACY_NS = 2_000_000_000
"""A file changed this close before the prints were taken may change again within the same
clock tick without its time moving (file times advance in ticks): it is read again."""


class ContentFile:
    """One content file: its key under content/, its path in the site, its status and the
    digest of its bytes; the bytes themselves only when they were read."""

    __slots__ = ("key", "source", "path", "figures", "digest", "_data")

    def __init__(
        self,
        key: str,
        source: str,
        path: str,
        figures: tuple,
        data: bytes | None,
        printed: bytes = b"",
    ):
        """`data` as read now, or None with `printed`, the digest the last build recorded."""
        self.key, self.source, self.path, self.figures = key, source, path, figures
        self._data = data
        self.digest = digest(data) if data is not None else printed

    @property
    def data(self) -> bytes:
        """The bytes (read now if the digest came from the last build's prints)."""
        if self._data is None:
            self._data = read_whole(self.path, self.figures[0])
            self.digest = digest(self._data)
        return self._data

    def loaded(self) -> None:
        """Let go of the bytes once they are loaded: a build holds every file's results, and
        the sources beside them (a tenth of the build's memory) were copied into each forked
        worker. The digest stays; `data` reads the file again if asked."""
        self._data = None


ContentFiles = list[ContentFile]


def read_content_files(
    site_dir: Path,
    refused: list[tuple[str, str]] | None = None,
    prints: tuple[ContentPrints, int] | None = None,
) -> ContentFiles | None:
    """Every content file, or None when there is no content/; the files not read (see
    site_files) go into `refused` as (source, why).

    `prints` are the last build's (see content_prints) and when it took them: a file whose
    size, time, inode and change time are as they were then, and was not changed just before
    (RACY_NS), keeps its digest unread. A fresh clone gives every file a new inode, so it
    reads them all. A file that cannot be read is refused, not left out unsaid."""
    if not (site_dir / CONTENT_DIR).is_dir():
        return None
    known, taken = prints if prints is not None else ({}, 0)
    found: list[tuple[str, str, str, tuple, bytes | None]] = []
    for key, path in content_files(site_dir):
        source = f"{CONTENT_DIR}/{key}"
        problem, status = checked(path, site_dir, source)
        if problem or status is None:
            if refused is not None:
                refused.append((source, problem or "cannot be read"))
            continue
        figures = (status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns)
        before = known.get(source)
        trusted = (
            before is not None
            and before[:4] == figures
            and max(status.st_mtime_ns, status.st_ctime_ns) < taken - RACY_NS
        )
        found.append((key, source, path, figures, before[4] if trusted else None))
    unread = [(path, figures[0]) for _, _, path, figures, printed in found if printed is None]
    read = read_each(unread)
    files = []
    for key, source, path, figures, printed in found:
        if printed is not None:
            files.append(ContentFile(key, source, path, figures, None, printed))
            continue
        data = next(read)
        if isinstance(data, bytes):
            files.append(ContentFile(key, source, path, figures, data))
        elif not isinstance(data, FileNotFoundError) and refused is not None:
            # (a file removed between the listing and the read is simply gone)
            problem = data.strerror or data
            refused.append((source, f"cannot be read ({problem}); give blogsmith read access"))
    return files


def content_prints(files: ContentFiles | None) -> ContentPrints:
    """What read_content_files needs of this build's files to trust them next time."""
    return {f.source: (*f.figures, f.digest) for f in files or ()}


def load_content(
    site_dir: Path,
    config: Config,
    bag: ErrorBag,
    results: FileResults | None = None,
    files: ContentFiles | None = None,
) -> Content:
    files = files if files is not None else read_content_files(site_dir)
    if files is None:
        bag.add(
            CONTENT_DIR,
            0,
            "folder not found: put articles under content/ "
            "(for example content/articles/2022/09/my-article.md)",
        )
        return Content([], [])
    settings = Settings.of(config)
    results = results if results is not None else FileResults()
    todo = results.unknown_files(settings, [(f.source, f.digest) for f in files])
    unknown = [f for f in files if f.source in todo]
    made = map_in_workers(load_file, [(f.key, f.source, f.data, settings) for f in unknown])
    for file, result in zip(unknown, made, strict=True):
        results.remember_file(file.source, file.digest, result)
        file.loaded()
    sources, comments = [], []
    for file in files:
        result = results.file(file.source)
        bag.errors.extend(result.errors)
        bag.warnings.extend(result.warnings)
        if isinstance(result.value, LoadedSource):
            sources.append(result.value)
        elif isinstance(result.value, LoadedComments):
            comments.append(result.value)
    results.forget_missing({f.source for f in files})
    digests = {f.source: results.entries[f.source].digest for f in files}
    return Content(sources, comments, digests)


def load_one(source: str, data: bytes, results: FileResults) -> FileResult:
    """One file, through `results`, as load_content loads it with their settings (the live
    preview's quick path reads a saved file with it, after a build has set them)."""
    settings = results.settings
    assert settings is not None, "results of a build, with its settings"
    printed = digest(data)
    if source in results.unknown_files(settings, [(source, printed)]):
        key = source[len(CONTENT_DIR) + 1 :]
        results.remember_file(source, printed, load_file(key, source, data, settings))
    return results.file(source)


_renderers: dict[tuple[str, str, bool], BodyRenderer] = {}


def load_file(key: str, source: str, data: bytes, settings: Settings) -> FileResult:
    """One file's bytes to what the graph needs, with its errors; pure, so it can be cached
    and run in another process."""
    if not key.endswith((".md", COMMENTS_SUFFIX)):
        return FileResult(
            None,
            warnings=(
                LocatedError(
                    source,
                    0,
                    "ignored: content/ holds .md articles and .comments.yaml files; "
                    "put images and other files under static/",
                ),
            ),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FileResult(
            None,
            (
                LocatedError(
                    source,
                    0,
                    f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8",
                ),
            ),
        )
    if key.endswith(COMMENTS_SUFFIX):
        return _load_comments(key, source, text, settings)
    return _load_article(key, source, text, settings)


def _load_comments(key: str, source: str, text: str, settings: Settings) -> FileResult:
    """A comments file's thread, packed (see LoadedComments.packed)."""
    try:
        doc = yamlread.parse(text)
    except yamlread.YamlSyntaxError as exc:
        return FileResult(None, (LocatedError(source, exc.line, f"invalid YAML: {exc.problem}"),))
    from zoneinfo import ZoneInfo

    bag = ErrorBag()
    config = settings.config
    thread = read_thread(doc, source, ZoneInfo(config.timezone), config.comments.max_depth, bag)
    article = article_of(key)
    packed = pickle.dumps(thread, protocol=pickle.HIGHEST_PROTOCOL)
    return FileResult(
        LoadedComments(article, source, thread.count, thread.newest, packed),
        tuple(bag.errors),
        tuple(bag.warnings),
    )


def _without_control_characters(text: str, source: str) -> tuple[str, LocatedError | None]:
    """The text without the characters HTML and feeds cannot hold (pasted from a word
    processor, usually: they would break feed.xml), and the warning that says so."""
    forbidden = FORBIDDEN.search(text)
    if not forbidden:
        return text, None
    line = text.count("\n", 0, forbidden.start()) + 1
    text, count = FORBIDDEN.subn("", text)
    return text, LocatedError(
        source,
        line,
        f"control character U+{ord(forbidden.group()):04X} removed "
        f"({count} in this file): HTML and feeds cannot hold "
        "such characters; delete them from the file",
    )


def _load_article(key: str, source: str, text: str, settings: Settings) -> FileResult:
    """A Markdown source's checked front matter and body."""
    text, removed = _without_control_characters(text, source)
    said: list[LocatedError] = [removed] if removed is not None else []
    try:
        parts = split(text)
    except FrontMatterError as exc:
        return FileResult(None, (LocatedError(source, exc.line, exc.message),))
    config = settings.config
    renderer_key = (config.base_path, config.language, config.line_breaks)
    renderer = _renderers.get(renderer_key)
    if renderer is None:
        renderer = _renderers[renderer_key] = BodyRenderer(*renderer_key)
    body_text, unclosed = escape_unclosed_tags(parts.body)
    if unclosed:
        said.append(
            LocatedError(
                source,
                parts.body_line,
                f"{unclosed} '<' open an HTML tag that never closes; they are shown as text. "
                "Close each tag with '>', or write '&lt;' for a '<' that is text",
            )
        )
    try:
        body = renderer.render(body_text)
    except NestedTooDeep:
        return FileResult(
            None,
            (
                LocatedError(
                    source,
                    parts.body_line,
                    "lists are nested too deeply for the Markdown parser; keep nesting to a "
                    "few levels (each '1.' or '-' that starts a line's text opens one more)",
                ),
            ),
            tuple(said),
        )
    bag = ErrorBag()
    meta = check_meta(key, source, parts, config, bag)
    made = ArticleBody.of(body, parts.body, parts.body_line, config.excerpt_chars, config.language)
    return FileResult(
        LoadedSource(key, source, made, meta),
        tuple(bag.errors),
        (*said, *bag.warnings),
    )
