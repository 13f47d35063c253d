"""Where the default theme lives: inside the installed package, or at a source checkout's root.

The repository's templates/ and static/assets/ are the theme; the wheel carries them as
blogsmith/theme/, and an editable install reads them in place, so there is one copy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # blogsmith/


@dataclass(frozen=True)
class Theme:
    templates: Path
    assets: Path
    """The theme's static files, published under /assets/ before the site's own static/."""


def default_theme() -> Theme:
    packaged = _PACKAGE / "theme"
    if (packaged / "templates").is_dir():
        return Theme(packaged / "templates", packaged / "static" / "assets")
    checkout = _PACKAGE.parent.parent
    if (checkout / "templates" / "base.html").is_file() and (checkout / "pyproject.toml").is_file():
        return Theme(checkout / "templates", checkout / "static" / "assets")
    raise RuntimeError(f"the default theme is missing from {packaged}; reinstall blogsmith")
