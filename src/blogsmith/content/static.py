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
        base = str(root)
        inside = "" if root == within else str(root.relative_to(within)) + "/"
        for folder, dirs, files in os.walk(base):
            hidden = [name for name in [*dirs, *files] if _hidden(name)]
            if skipped is not None and root != theme_assets:
                skipped.extend(
                    shown_static(site_dir, Path(folder) / name)
                    for name in sorted(hidden)
                    if name not in QUIETLY_SKIPPED
                )
            dirs[:] = sorted(d for d in dirs if not _hidden(d))
            here = folder[len(base) + 1 :].replace(os.sep, "/")  # strings: pathlib costs more
            here = here + "/" if here else ""
            for name in sorted(files):
                if _hidden(name):
                    continue
                path = os.path.join(folder, name)
                problem, status = checked(path, within, inside + here + name)
                if problem:
                    if refused is not None:
                        refused.append((shown_static(site_dir, Path(path)), problem))
                    continue
                relative = prefix + here + name
                found[relative] = Path(path)
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
