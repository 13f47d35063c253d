"""The files static/ and the theme's assets publish as they are, and the hidden ones that
are not published."""

from __future__ import annotations

import os
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path

from blogsmith.content.site_files import checked
from blogsmith.content.svg_safety import is_svg, svg_problem

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
) -> dict[str, str]:
    """Output path -> source file: the theme's assets first, the site's static/ over them;
    files that are not read (see site_files), and SVGs that would run code on the site
    (content.svg_safety), go into `refused` as (source, why), and other hidden files, which
    are never published, into `skipped`. `marks` gets each file's size
    and modification time: the build's one look at it. A photo archive has tens of
    thousands, so the listing uses strings (pathlib and os.walk cost more than the stats)."""
    found: dict[str, str] = {}
    for root, prefix, within in (
        (theme_assets, "assets/", theme_assets),
        (site_dir / "static", "", site_dir),
    ):
        if not root.is_dir():
            continue
        inside = "" if root == within else str(root.relative_to(within)) + "/"
        said = skipped if root != theme_assets else None
        for entry, here in _listed(str(root)):
            if _hidden(entry.name):
                if said is not None and entry.name not in QUIETLY_SKIPPED:
                    said.append(shown_static(site_dir, Path(entry.path)))
                continue
            problem, status = checked(entry.path, within, inside + here)
            if not problem and is_svg(entry.name):
                problem = _svg_verdict(entry.path, status)
            if problem:
                if refused is not None:
                    refused.append((shown_static(site_dir, Path(entry.path)), problem))
                continue
            found[prefix + here] = entry.path
            if marks is not None and status is not None:
                marks[prefix + here] = (status.st_size, status.st_mtime_ns)
    return found


_SVG_VERDICTS: dict[tuple[str, int, int], str | None] = {}
"""What was found of each SVG as it was (path, size, time): a process that builds again
(the live preview) reads an unchanged one once."""


def _svg_verdict(path: str, status) -> str | None:
    """Why an SVG may not be published (it would run code on the site's origin), or None."""
    if status is None:
        return svg_problem(path)
    key = (path, status.st_size, status.st_mtime_ns)
    if key not in _SVG_VERDICTS:
        _SVG_VERDICTS[key] = svg_problem(path)
    return _SVG_VERDICTS[key]


def _listed(folder: str, here: str = "") -> Iterator[tuple[os.DirEntry, str]]:
    """(entry, path under the first folder) of everything under `folder` but the folders
    themselves, by name; a hidden folder is listed, not entered."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=attrgetter("name"))
    except OSError:  # as os.walk: a folder that is gone or unreadable holds nothing
        return
    for entry in entries:
        if entry.is_dir() and not _hidden(entry.name):
            if not entry.is_symlink():  # as os.walk: never into a linked folder
                yield from _listed(entry.path, f"{here}{entry.name}/")
            continue
        yield entry, here + entry.name


def _hidden(name: str) -> bool:
    return (name.startswith(".") and name not in PUBLISHED_HIDDEN) or name in QUIETLY_SKIPPED


def shown_static(site_dir: Path, source: Path) -> str:
    try:
        return source.relative_to(site_dir).as_posix()
    except ValueError:
        return str(source)
