"""Links in the posts to the old site, led to the files they were imported as.

A post links another by its permalink, its ?p= or ?page_id= URL, with or without www., as a
path alone: each is reduced to one lookup key so that any of them finds the new file.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs, unquote, urlsplit

from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.content import relative_link


class OldLinks:
    """The old URLs of every imported post -> the key of its new file."""

    def __init__(self, channel: wxr.Channel) -> None:
        self.hosts = {_host(channel.base_blog_url), _host(channel.link)} - {""}
        """The old site's host names."""
        self.keys: dict[str, str] = {}
        """A normalised old URL -> the key of the file it is now."""

    def add(self, post: wxr.Item, query: str, key: str) -> None:
        """The post's permalink and its `?{query}=id` URL on each old host; the first post
        to claim a URL keeps it."""
        for url in (post.link, *(f"https://{host}/?{query}={post.id}" for host in self.hosts)):
            found = _url_key(url, self.hosts)
            if found:
                self.keys.setdefault(found, key)

    def target(self, from_key: str, url: str) -> str | None:
        """A link to an imported post as a link from `from_key` to its file, else None."""
        found = _url_key(url, self.hosts)
        target = self.keys.get(found) if found else None
        if target is None:
            return None
        fragment = urlsplit(html.unescape(url)).fragment
        return relative_link(from_key, target, f"#{fragment}" if fragment else "")


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.") if url else ""


def _url_key(url: str, hosts: set[str]) -> str | None:
    """An old URL as a lookup key: host, decoded path without the last '/', or ?p=/?page_id=."""
    url = html.unescape(url.strip())
    if url.startswith("/") and not url.startswith("//"):
        url = f"https://{next(iter(sorted(hosts)), '')}{url}"
    elif url.startswith("//"):
        url = "https:" + url
    if not url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    query = parse_qs(parts.query)
    for name in ("p", "page_id"):
        if name in query:
            return f"{host}?{name}={query[name][0]}"
    return host + unquote(parts.path).rstrip("/")
