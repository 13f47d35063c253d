"""The site URLs a deploy changed, for a CDN to forget and for whoever asked (--changed-urls)."""

from __future__ import annotations

from urllib.parse import quote, urljoin

from blogsmith.core.config import Config

KEPT_IN_PATH = "/!$&'()*+,;=:@"
"""Characters that stand as they are in a URL path; everything else is percent-encoded."""


def url_path(config: Config, path: str) -> str:
    """The path readers ask for, unencoded: `europe/x/index.html` -> `/europe/x/`, under
    base_url's path."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path.removesuffix("index.html")
    return config.base_path + path


def absolute_url(config: Config, path: str) -> str:
    return urljoin(config.base_url, quote(url_path(config, path), safe=KEPT_IN_PATH))
