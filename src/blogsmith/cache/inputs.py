"""Everything a build reads, as one digest: the "nothing changed" check of a cached build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from blogsmith import __version__
from blogsmith.content.load import ContentFiles
from blogsmith.core.build_cache import digest
from blogsmith.core.config import CONFIG_NAME
from blogsmith.graph.content_graph import BuildOptions
from blogsmith.render.pages import templates_digest
from blogsmith.render.theme import Theme


def inputs_digest(
    site_dir: Path,
    output: Path,
    theme: Theme,
    files: ContentFiles | None,
    statics: dict[str, tuple[int, int]],
    options: BuildOptions,
) -> bytes:
    """Everything a build reads, as one digest: when it and the output are as they were, the
    build would write exactly what is there. `statics`: each static file's size and time."""
    chosen = dataclasses.astuple(options)  # every option, however many there will be
    parts = [repr((__version__, str(output), str(theme.templates), chosen)).encode()]
    try:
        parts.append((site_dir / CONFIG_NAME).read_bytes())
    except OSError:
        parts.append(b"no config")
    parts.append(templates_digest(site_dir / "templates", theme.templates))
    for _, source, data in files or ():
        parts.append(source.encode() + b"\0" + digest(data))
    for relative, (size, modified) in sorted(statics.items()):
        parts.append(f"{relative}\0{size}\0{modified}".encode())
    return digest(b"\0".join(parts))
