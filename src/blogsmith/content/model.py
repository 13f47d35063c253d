"""The content as immutable values: what templates read and what the graph relates by key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blogsmith.content.article_body import ArticleBody


@dataclass(frozen=True)
class Source:
    """One reference an article is based on ("参考")."""

    title: str
    url: str


@dataclass(frozen=True)
class Eyecatch:
    image: str
    alt: str
    credit: str


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Card:
    """What a page shows of an article it links to (lists, related, neighbours, sidebar).

    Templates get cards, not whole articles, for every relation: a page that lists an
    article then depends on these fields only, so editing a body re-renders just its page.
    """

    key: str
    kind: str
    title: str
    url: str
    path: str
    date: datetime | None
    updated: datetime | None
    category: Category | None
    tags: tuple[Tag, ...]
    summary: str
    excerpt: str
    author: str
    eyecatch: Eyecatch | None
    draft: bool
    comment_count: int


@dataclass(frozen=True)
class Article:
    """An article or a standalone page (kind 'page'), fully resolved except its relations.

    `key` is the source path relative to content/; relations (prev/next, related) live in the
    graph as keys so an Article never holds another Article.
    """

    key: str
    source: str
    kind: str
    title: str
    slug: str
    date: datetime | None
    updated: datetime | None
    category: Category | None
    tags: tuple[Tag, ...]
    summary: str
    author: str
    sources: tuple[Source, ...]
    eyecatch: Eyecatch | None
    aliases: tuple[str, ...]
    comment_feed_aliases: tuple[str, ...]
    draft: bool
    path: str
    url: str
    body: ArticleBody
    links: tuple[tuple[str, str], ...]
    """Each .md link of the body (as written) and the URL the graph resolved it to."""
    excerpt: str
    comment_count: int = 0

    @property
    def is_page(self) -> bool:
        return self.kind == "page"

    @property
    def html(self) -> str:
        """The body's HTML with its .md links pointing at their pages: made each time a page,
        a feed or the search index asks (a few microseconds), not kept: kept, the build's
        process held the HTML of every article it rendered and indexed itself (half of them),
        and each worker forked after that counted it again."""
        return self.body.linked(self.links)

    @cached_property
    def card(self) -> Card:
        return Card(
            key=self.key,
            kind=self.kind,
            title=self.title,
            url=self.url,
            path=self.path,
            date=self.date,
            updated=self.updated,
            category=self.category,
            tags=self.tags,
            summary=self.summary,
            excerpt=self.excerpt,
            author=self.author,
            eyecatch=self.eyecatch,
            draft=self.draft,
            comment_count=self.comment_count,
        )
