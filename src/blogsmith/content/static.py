"""The files static/ and the theme's assets publish as they are, and the hidden ones that
are not published."""

from __future__ import annotations

import os
from pathlib import Path

from blogsmith.content.site_files import checked

PUBLISHED_HIDDEN = {".nojekyll", ".htaccess", ".well-known"}
"""Hidden files and folders that hosts read, so static/ publishes them (.well-known/ for
security.txt and domain checks; GitHub Pages' .nojekyll; Apache's .htaccess)."""
QUIETLY_SKIPPED = {".DS_Store", ".gitkeep", ".gitignore", ".git", ".keep"}


def static_files(
    site_dir: Path,
    theme_assets: Path,
    refused: list[tuple[str, str]] | None = None,
    skipped: list[str] | None = None,
    marks: dict[str, tuple[int, int]] | None = None,
) -> dict[str, Path]:
    """Output path -> source file: the theme's assets first, the site's static/ over them;
    files that are not read (see site_files) go into `refused` as (source, why), and other
    hidden files, which are never published, into `skipped`. `marks` gets each file's size
    and modification time: the build's one look at it (a photo archive has thousands)."""
    found: dict[str, Path] = {}
    for root, prefix, within in (
        (theme_assets, "assets/", theme_assets),
        (site_dir / "static", "", site_dir),
    ):
        if not root.is_dir():
            continue
        for folder, dirs, files in os.walk(root):
            hidden = [name for name in [*dirs, *files] if _hidden(name)]
            if skipped is not None and root != theme_assets:
                skipped.extend(
                    shown_static(site_dir, Path(folder) / name)
                    for name in sorted(hidden)
                    if name not in QUIETLY_SKIPPED
                )
            dirs[:] = sorted(d for d in dirs if not _hidden(d))
            for name in sorted(files):
                if _hidden(name):
                    continue
                path = Path(folder) / name
                problem, status = checked(path, within)
                if problem:
                    if refused is not None:
                        refused.append((shown_static(site_dir, path), problem))
                    continue
                relative = prefix + path.relative_to(root).as_posix()
                found[relative] = path
                if marks is not None and status is not None:
                    marks[relative] = (status.st_size, status.st_mtime_ns)
    return found


def _hidden(name: str) -> bool:
    return (name.startswith(".") and name not in PUBLISHED_HIDDEN) or name in QUIETLY_SKIPPED


def shown_static(site_dir: Path, source: Path) -> str:
    try:
        return source.relative_to(site_dir).as_posix()
    except ValueError:
        return str(source)
