"""Read the site's content files: the only module that opens them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import yamlread
from .cache import BuildCache
from .errors import ErrorBag, LocatedError
from .frontmatter import FrontMatterError, SplitSource, split

CONTENT_DIR = "content"
COMMENTS_SUFFIX = ".comments.yaml"


@dataclass(frozen=True)
class LoadedSource:
    """One Markdown source: `key` is its path under content/, `source` its path in the site."""

    key: str
    source: str
    parts: SplitSource


@dataclass(frozen=True)
class LoadedComments:
    """A comments file: `key` is the article it belongs to (its path under content/)."""

    key: str
    source: str
    doc: yamlread.YamlDoc


@dataclass(frozen=True)
class Content:
    sources: list[LoadedSource]
    comments: list[LoadedComments]


@dataclass(frozen=True)
class _FileResult:
    value: LoadedSource | LoadedComments | None
    errors: tuple[LocatedError, ...] = ()
    warnings: tuple[LocatedError, ...] = ()


def content_files(site_dir: Path) -> list[tuple[str, Path]]:
    """(key, path) of every file under content/, in a stable order, skipping editor litter."""
    root = site_dir / CONTENT_DIR
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if is_editor_litter(name):
                continue
            path = Path(folder) / name
            found.append((path.relative_to(root).as_posix(), path))
    return found


def is_editor_litter(name: str) -> bool:
    """Hidden, backup and swap files that editors write beside the real one."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def load_content(site_dir: Path, bag: ErrorBag, cache: BuildCache | None = None) -> Content:
    root = site_dir / CONTENT_DIR
    if not root.is_dir():
        bag.add(
            CONTENT_DIR,
            0,
            "folder not found: put articles under content/ "
            "(for example content/articles/2022/09/my-article.md)",
        )
        return Content([], [])
    sources, comments = [], []
    present = set()
    for key, path in content_files(site_dir):
        source = f"{CONTENT_DIR}/{key}"
        try:
            data = path.read_bytes()
        except OSError:  # removed between the listing and the read: it is gone
            continue
        present.add(source)
        if cache is None:
            result = _load_file(key, source, data)
        else:
            result = cache.loaded(source, data, lambda d, k=key, s=source: _load_file(k, s, d))
        bag.errors.extend(result.errors)
        bag.warnings.extend(result.warnings)
        if isinstance(result.value, LoadedSource):
            sources.append(result.value)
        elif isinstance(result.value, LoadedComments):
            comments.append(result.value)
    if cache is not None:
        cache.forget_missing(present)
    return Content(sources, comments)


def _load_file(key: str, source: str, data: bytes) -> _FileResult:
    """One file's bytes to what the graph needs, with its errors; pure, so it can be cached."""
    if not key.endswith((".md", COMMENTS_SUFFIX)):
        return _FileResult(
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
        return _FileResult(
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
        try:
            doc = yamlread.parse(text)
        except yamlread.YamlSyntaxError as exc:
            return _FileResult(
                None, (LocatedError(source, exc.line, f"invalid YAML: {exc.problem}"),)
            )
        return _FileResult(LoadedComments(key[: -len(COMMENTS_SUFFIX)] + ".md", source, doc))
    try:
        return _FileResult(LoadedSource(key, source, split(text)))
    except FrontMatterError as exc:
        return _FileResult(None, (LocatedError(source, exc.line, exc.message),))
