"""The site's blogsmith.yaml: made for a new site from the export's channel, or the existing
one given the categories it lacks, its comments and order kept as the owner wrote them."""

from __future__ import annotations

import re
from pathlib import Path

from blogsmith.authoring.wordpress.catalogue import Catalogue
from blogsmith.authoring.wordpress.files import Files
from blogsmith.authoring.wordpress.report import ImportRefused, Report
from blogsmith.authoring.wordpress.values import plain
from blogsmith.core.config import CONFIG_NAME, Config, require_config
from blogsmith.core.errors import BuildError
from blogsmith.core.yamlwrite import dump

OLD_FEEDS = {"/feed/": "/feed.xml", "/comments/feed/": "/comments/feed.xml"}
"""WordPress's feed URLs, where readers subscribed, and the new site's feeds."""


def site_config(site_dir: Path, catalogue: Catalogue, files: Files, report: Report) -> Config:
    """The site's config, created for a new site, with the export's categories added."""
    path = site_dir / CONFIG_NAME
    channel = catalogue.channel
    if not path.exists():
        japanese = channel.language.lower().startswith("ja")
        base_url = (channel.base_blog_url or channel.link or "https://example.org").rstrip("/")
        settings = {
            "title": plain(channel.title) or "Imported archive",
            "base_url": base_url + "/",
            "language": "ja" if japanese else "en",
            "timezone": "Asia/Tokyo" if japanese else "UTC",
            "categories": dict(catalogue.categories),
            "redirects": OLD_FEEDS,
        }
        files.write(CONFIG_NAME, dump(settings).encode("utf-8"))
        report.categories_added = list(catalogue.categories)
    else:
        config = load_config(site_dir)
        known = config.category_names
        missing = {k: v for k, v in catalogue.categories.items() if k not in known}
        if missing:
            text = path.read_text(encoding="utf-8")
            path.write_text(_with_categories(text, missing), encoding="utf-8")
            report.categories_added = list(missing)
    return load_config(site_dir)


def load_config(site_dir: Path) -> Config:
    """The site's config, or the import refused when it has problems: nothing is written
    into a site that would not build."""
    try:
        return require_config(site_dir)
    except BuildError as exc:
        problems = "; ".join(str(error) for error in exc.errors)
        raise ImportRefused(
            f"the site's {CONFIG_NAME} has problems, fix them first: {problems}"
        ) from None


def _with_categories(text: str, missing: dict[str, str]) -> str:
    """The config text with `missing` added under `categories:`, comments and order kept."""
    entries = "".join(f"  {line}\n" for line in dump(missing).splitlines())
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if re.match(r"categories\s*:\s*(#.*)?$", line.rstrip("\n")):
            end = index + 1
            while end < len(lines) and (
                lines[end].startswith((" ", "\t", "#")) or not lines[end].strip()
            ):
                end += 1
            while end > index + 1 and not lines[end - 1].strip():
                end -= 1
            return "".join(lines[:end]) + entries + "".join(lines[end:])
    if re.search(r"^categories\s*:", text, re.M):
        raise ImportRefused(
            f"{CONFIG_NAME}: write 'categories' as one 'key: name' per line so that the "
            "import can add to it"
        )
    return text.rstrip("\n") + "\ncategories:\n" + entries
