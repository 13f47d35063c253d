"""Where a build keeps its cache: named here apart from the build, so that commands which only
need the place (deploy) do not import the whole pipeline to find it."""

from __future__ import annotations

from pathlib import Path


def default_cache_dir(output: Path) -> Path:
    """Beside the output: `public/` keeps its cache in `.public.blogsmith-cache/`."""
    return output.parent / f".{output.name}.blogsmith-cache"
