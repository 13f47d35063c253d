"""Names the import gives: a post's slug and a category's key, made from what WordPress
stored (percent-decoded names, titles, invisible characters and all) so that each is a valid
file name and URL part on the new site."""

from __future__ import annotations

import re
import unicodedata

from blogsmith.authoring.new_article import title_slug
from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.values import plain
from blogsmith.content.fields import slug_problem
from blogsmith.core.config import is_category_key
from blogsmith.core.urls import tag_slug

RESERVED_PAGE_SLUGS = frozenset({"category", "tag", "page", "search", "sidebar"})
LONGEST_SLUG_BYTES = 200
_FORMAT_CHARACTERS = re.compile(
    r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)


def post_slug(post: wxr.Item, kind: str) -> str:
    """The post's own slug when the site can use it, else one from its title or its id."""
    slug = re.sub(r"[/\\\s?#%]+", "-", _clean(post.name)).strip("-.")
    if not slug or slug_problem(slug):
        slug = title_slug(plain(post.title)) or f"{kind}-{post.id}"
    while len(slug.encode("utf-8")) > LONGEST_SLUG_BYTES:
        slug = slug[:-1]
    if kind == "page" and (slug in RESERVED_PAGE_SLUGS or re.fullmatch(r"\d{4}", slug)):
        slug = f"{slug}-page"
    return slug


def category_key(slug: str, name: str, taken: set[str]) -> str:
    """A key for the site's config from the category's slug or name, else a numbered one."""
    for candidate in (tag_slug(_clean(slug)), tag_slug(_clean(name))):
        if candidate and is_category_key(candidate) and candidate not in taken:
            return candidate
    number = len(taken) + 1
    while f"category-{number}" in taken:
        number += 1
    return f"category-{number}"


def _clean(text: str) -> str:
    """NFC, without invisible format characters (bidi controls, zero-width spaces): what
    may stand in a URL or a file name."""
    return _FORMAT_CHARACTERS.sub("", unicodedata.normalize("NFC", text)).strip()
