"""The site's URL scheme: where every kind of page lives, and the file that serves it.

Paths here are site paths ('/europe/x/'); `public_url` adds the base_url's path and
percent-encodes, which is what links in pages use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

from slugify import slugify

from blogsmith.core.config import Config


def article_path(config: Config, kind: str, slug: str, category: str | None, date) -> str:
    if kind == "page":
        return f"/{slug}/"
    return config.permalink.format(
        category=category,
        slug=slug,
        year=f"{date.year:04d}",
        month=f"{date.month:02d}",
        day=f"{date.day:02d}",
    )


SIDEBAR_PATH = "/sidebar/"


def paged(path: str, page: int | None) -> str:
    """A list's page: None is its first page, at the list's own URL."""
    return path if page is None else f"{path}page/{page}/"


def home_path(page: int | None = None) -> str:
    return paged("/", page)


def category_path(key: str, page: int | None = None) -> str:
    return paged(f"/category/{key}/", page)


def tag_path(slug: str, page: int | None = None) -> str:
    return paged(f"/tag/{slug}/", page)


def year_path(year: int, page: int | None = None) -> str:
    return paged(f"/{year:04d}/", page)


def month_path(year: int, month: int, page: int | None = None) -> str:
    return paged(f"/{year:04d}/{month:02d}/", page)


@lru_cache(maxsize=65536)
def tag_slug(name: str) -> str:
    """A tag's URL segment: Japanese kept readable, never transliterated.

    python-slugify picks its transliteration backend by what is installed (text-unidecode or
    Unidecode); with allow_unicode=True no backend is called, so tag URLs are the same on
    every machine. NFKC folds full-width forms, letters are lowercased, and every run of
    punctuation or spaces becomes one '-': 'F-35 ライトニングII' -> 'f-35-ライトニングii'.
    """
    return slugify(name, allow_unicode=True)


def folders_of(relative: str) -> list[str]:
    """The folders an output file lies in, outermost first: 'a/b/c.html' -> ['a', 'a/b']."""
    parts = relative.split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


HOST_REDIRECTS_PATH = "/_redirects"
"""The redirect file Netlify and Cloudflare Pages read: a file, though its name has no dot."""


def output_file(path: str) -> str:
    """The file (relative to the output folder) that serves a site path."""
    relative = path.lstrip("/")
    if path == HOST_REDIRECTS_PATH:
        return relative
    if relative == "" or relative.endswith("/"):
        return relative + "index.html"
    last = relative.rsplit("/", 1)[-1]
    if "." in last:
        return relative
    return relative + "/index.html"


def public_url(config: Config, path: str) -> str:
    """A link target for `path`: under base_url's path, percent-encoded."""
    return config.base_path + _encoded(path.lstrip("/"))


@lru_cache(maxsize=65536)
def _encoded(path: str) -> str:
    return quote(path, safe="/:@!$&'()*+,;=-._~")


def absolute_url(config: Config, path: str) -> str:
    origin = config.base_url[: len(config.base_url) - len(config.base_path)]
    return origin + public_url(config, path)


class QueryAlias(NamedTuple):
    """An old URL with a query (`/?p=123`), as a static site answers it."""

    path: str
    """What a host serves for it, whatever the query (`/`)."""
    name: str
    """The query's name (`p`)."""
    folder: str
    """Where the redirect pages of that name live (`/_p/`)."""
    page: str
    """This alias's redirect page (`/_p/123/`)."""


def query_alias(alias: str) -> QueryAlias | None:
    """None for a plain path. A script on the page at `path` sends `?p=123` on to `page`. A
    path to a file (`/index.php?p=1`) gets a folder beside it (`/_index.php_p/`), never one
    named like the file, which hosts would answer with a redirect that drops the query."""
    path, mark, query = alias.partition("?")
    if not mark:
        return None
    name, _, value = query.partition("=")
    parent, _, file = path.rpartition("/")
    folder = f"{parent}/_{file + '_' if file else ''}{name}/"
    return QueryAlias(path, name, folder, f"{folder}{value}/")


FEED_PATH = "/feed.xml"
SITEMAP_PATH = "/sitemap.xml"
ROBOTS_PATH = "/robots.txt"
SEARCH_PATH = "/search/"


COMMENTS_FEED_PATH = "/comments/feed.xml"


def comments_feed_path(article_path: str) -> str:
    """An article's comment feed, beside its page (as WordPress's /post/feed/)."""
    if article_path.endswith("/"):
        return article_path + "feed.xml"
    return article_path.rsplit(".", 1)[0] + ".feed.xml"


def category_feed_path(key: str) -> str:
    return f"/category/{key}/feed.xml"


def sitemap_part_path(number: int) -> str:
    return f"/sitemap-{number}.xml"
