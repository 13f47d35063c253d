"""What the sitemap lists: every page a search engine should know, with its last change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blogsmith.core import urls
from blogsmith.graph.content_graph import Graph

LIMIT = 50_000
"""URLs in one sitemap file (the protocol's limit); more make a sitemap index."""


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None


def sitemap_entries(graph: Graph) -> list[SitemapEntry]:
    """Articles, standalone pages and the first page of every list, as absolute URLs."""
    config = graph.config
    articles = graph.articles

    def newest(keys) -> datetime | None:
        moments = [_changed(articles[key]) for key in keys if not articles[key].draft]
        return max(moments) if moments else None

    def entry(path: str, lastmod: datetime | None) -> SitemapEntry:
        return SitemapEntry(urls.absolute_url(config, path), lastmod)

    entries = [entry(urls.home_path(), newest(graph.timeline))]
    for article in articles.values():
        if not article.draft:
            entries.append(entry(article.path, _changed(article)))
    for key, keys in graph.by_category.items():
        entries.append(entry(urls.category_path(key), newest(keys)))
    for slug, keys in graph.by_tag.items():
        entries.append(entry(urls.tag_path(slug), newest(keys)))
    for year, keys in graph.years().items():
        entries.append(entry(urls.year_path(year), newest(keys)))
    for (year, month), keys in graph.by_month.items():
        entries.append(entry(urls.month_path(year, month), newest(keys)))
    return entries


def _changed(article) -> datetime | None:
    return article.updated or article.date


def chunks(entries: list[SitemapEntry], limit: int | None = None) -> list[list[SitemapEntry]]:
    limit = limit or LIMIT
    return [entries[i : i + limit] for i in range(0, len(entries), limit)] or [[]]
