"""The deploy's settings from `blogsmith.yaml`, with blogsmith's Cache-Control defaults."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from blogsmith.core import urls
from blogsmith.core.config import Config
from blogsmith.deploy.targets.base import DeploySettings

HEX8 = "[0-9a-f]" * 8
SHORT = "public, max-age=300"
"""Pages, feeds, the sitemap and the search index change in place: readers see an edit
within five minutes."""
IMMUTABLE = "public, max-age=31536000, immutable"
"""A name that holds its bytes' digest never holds other bytes."""
HOURLY = "public, max-age=3600"
"""Stylesheets, scripts and original images keep their names when they change (no digest
in the name), so they cannot be kept for long without readers getting stale ones."""

DEFAULT_CACHE_CONTROL: tuple[tuple[str, str], ...] = (
    (f"*.[0-9]*w.{HEX8}.*", IMMUTABLE),  # image copies: x.740w.1a2b3c4d.webp
    ("*.html", SHORT),
    ("*.xml", SHORT),  # feeds and sitemaps
    ("robots.txt", SHORT),
    ("search/*", SHORT),
    ("*", HOURLY),
)
"""Patterns match the whole relative path (`*` also crosses `/`), the first match wins."""


def deploy_settings(config: Config, output: Path) -> DeploySettings:
    rules = config.deploy.cache_control
    return DeploySettings(
        cache_control=DEFAULT_CACHE_CONTROL if rules is None else rules,
        cloudfront=config.deploy.cloudfront or None,
        invalidate_limit=config.deploy.invalidate_limit,
        redirects=redirect_locations(config, output),
    )


def redirect_locations(config: Config, output: Path) -> dict[str, str]:
    """With `host_redirects: s3`, each redirect the build listed in /_redirects, as the
    output file of its page -> where it leads (a URL path, as S3 wants it)."""
    listed = output / urls.output_file(urls.HOST_REDIRECTS_PATH)
    if config.host_redirects != "s3" or listed.is_symlink() or not listed.is_file():
        return {}
    found = {}
    for line in listed.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(config.base_path):
            path = "/" + unquote(parts[0][len(config.base_path) :])
            found[urls.output_file(path)] = parts[1]
    return found
