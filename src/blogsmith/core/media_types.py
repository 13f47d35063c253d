"""What each kind of file the site publishes is, as a Content-Type: one table for the live
preview's server and for storage that serves what it was told at upload (S3).

Stated here rather than asked of `mimetypes`, whose answers depend on the machine's
/etc/mime.types: a browser given the wrong type for a page or a script refuses it.
"""

from __future__ import annotations

import mimetypes
import posixpath

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".gz": "application/gzip",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
}
HTML = CONTENT_TYPES[".html"]
FEED_NAMES = {"feed.xml", "atom.xml"}
"""blogsmith's feeds are Atom; the sitemaps are plain XML."""
FEED_TYPE = CONTENT_TYPES[".atom"]
FALLBACK_TYPE = "application/octet-stream"


def content_type(path: str) -> str:
    """The Content-Type of a published file, by its name."""
    name = posixpath.basename(path)
    if name in FEED_NAMES:
        return FEED_TYPE
    extension = posixpath.splitext(name)[1].lower()
    if extension in CONTENT_TYPES:
        return CONTENT_TYPES[extension]
    return mimetypes.guess_type(name, strict=False)[0] or FALLBACK_TYPE
