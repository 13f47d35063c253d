"""Everything a build reads, as one digest: the "nothing changed" check of a cached build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from blogsmith import __version__
from blogsmith.content.load import ContentFiles, ContentPrints
from blogsmith.content.site_files import read_each
from blogsmith.core.config import CONFIG_NAME
from blogsmith.core.digest import digest
from blogsmith.graph.content_graph import BuildOptions
from blogsmith.render.pages import templates_digest
from blogsmith.render.theme import Theme

StaticPrints = dict[str, tuple[int, int, bytes]]
"""Static file (output path) -> its size, modification time and the digest of its bytes."""


def static_prints(
    statics: dict[str, str], marks: dict[str, tuple[int, int]], before: StaticPrints
) -> StaticPrints:
    """Each static file's digest: the last build's when its size and time are unchanged, its
    bytes' otherwise. A fresh clone (a CI run restoring the cache) gives every file a new
    time; its unchanged bytes then still say that nothing changed."""
    prints: StaticPrints = {}
    unread: list[tuple[str, str, int, int]] = []
    for relative, source in statics.items():
        size, modified = marks[relative]
        known = before.get(relative)
        if known is not None and known[:2] == (size, modified):
            prints[relative] = known
        else:
            unread.append((relative, source, size, modified))
    read = read_each([(source, size) for _, source, size, _ in unread])
    for (relative, _, size, modified), data in zip(unread, read, strict=True):
        printed = digest(data) if isinstance(data, bytes) else b"unreadable"
        prints[relative] = (size, modified, printed)
    return prints


def inputs_digest(
    site_dir: Path,
    output: Path,
    theme: Theme,
    files: ContentFiles | None,
    statics: StaticPrints,
    options: BuildOptions,
) -> bytes:
    """Everything a build reads, as one digest: when it and the output are as they were, the
    build would write exactly what is there. `statics`: each static file's digest."""
    return with_content(frame_digest(site_dir, output, theme, statics, options), files)


def frame_digest(
    site_dir: Path, output: Path, theme: Theme, statics: StaticPrints, options: BuildOptions
) -> bytes:
    """Everything a build reads but the content files: the config, the templates, the static
    files and the options. While it holds, a change to content alone may be patched in."""
    chosen = dataclasses.astuple(options)  # every option, however many there will be
    parts = [repr((__version__, str(output), str(theme.templates), chosen)).encode()]
    try:
        parts.append((site_dir / CONFIG_NAME).read_bytes())
    except OSError:
        parts.append(b"no config")
    parts.append(templates_digest(site_dir / "templates", theme.templates))
    for relative, (_, _, printed) in sorted(statics.items()):
        parts.append(relative.encode() + b"\0" + printed)
    return digest(b"\0".join(parts))


def with_content(frame: bytes, files: ContentFiles | None) -> bytes:
    """The frame's digest with every content file's."""
    parts = [frame]
    for file in files or ():
        parts.append(file.source.encode() + b"\0" + file.digest)
    return digest(b"\0".join(parts))


def content_changes(before: ContentPrints, files: ContentFiles | None) -> set[str]:
    """The content files (paths in the site) added, removed or changed since `before`."""
    now = {file.source: file.digest for file in files or ()}
    changed = {
        source for source, printed in now.items() if before.get(source, (b"",))[-1] != printed
    }
    return changed | (before.keys() - now.keys())
