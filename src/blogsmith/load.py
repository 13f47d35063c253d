"""Read the site's content files: the only module that opens them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import yamlread
from .errors import ErrorBag
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


def content_files(site_dir: Path) -> list[tuple[str, Path]]:
    """(key, path) of every file under content/, in a stable order, skipping editor litter."""
    root = site_dir / CONTENT_DIR
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith((".", "#")) or name.endswith("~"):
                continue
            path = Path(folder) / name
            found.append((path.relative_to(root).as_posix(), path))
    return found


def load_content(site_dir: Path, bag: ErrorBag) -> Content:
    root = site_dir / CONTENT_DIR
    if not root.is_dir():
        bag.add(
            CONTENT_DIR,
            0,
            "folder not found: put articles under content/ "
            "(for example content/articles/2022/09/my-article.md)",
        )
        return Content([], [])
    loaded = []
    comments = []
    for key, path in content_files(site_dir):
        source = f"{CONTENT_DIR}/{key}"
        if key.endswith(COMMENTS_SUFFIX):
            text = _read(path, source, bag)
            if text is None:
                continue
            try:
                doc = yamlread.parse(text)
            except yamlread.YamlSyntaxError as exc:
                bag.add(source, exc.line, f"invalid YAML: {exc.problem}")
                continue
            article_key = key[: -len(COMMENTS_SUFFIX)] + ".md"
            comments.append(LoadedComments(article_key, source, doc))
            continue
        if not key.endswith(".md"):
            bag.warn(
                source,
                0,
                "ignored: content/ holds .md articles and .comments.yaml files; "
                "put images and other files under static/",
            )
            continue
        text = _read(path, source, bag)
        if text is None:
            continue
        try:
            loaded.append(LoadedSource(key, source, split(text)))
        except FrontMatterError as exc:
            bag.add(source, exc.line, exc.message)
    return Content(loaded, comments)


def _read(path: Path, source: str, bag: ErrorBag) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        bag.add(
            source, 0, f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        )
        return None
