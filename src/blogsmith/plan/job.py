"""A render job: one output file, its template and the context it is rendered with, by keys
(what plan/jobs.py decides and plan/paths.py checks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from blogsmith.core import urls

if TYPE_CHECKING:
    from blogsmith.graph.content_graph import Graph


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str | None
    """None marks a gap ('…') between numbered links, or the current page."""
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    number: int | None
    """The page's number, None on a list's first page."""
    links: tuple[PageLink, ...]
    """Empty when the list fits on one page."""
    prev_url: str | None
    """The newer page."""
    next_url: str | None
    """The older page."""


@dataclass(frozen=True)
class Job:
    """One output file: its template and the context it is rendered with, by keys.

    Context keys that name articles: `article` (the page's own, whose previous, next and
    related articles it shows too), `keys` (a list's cards), `entries` (a feed's), `commented`
    (the articles whose comments a comment feed shows), `target` (the article an alias
    redirects to); `category`, `tag`, `year` and `month` name what a
    list is of. `shown_articles` is what they mean for which pages show an article; the
    renderer resolves them into objects for the templates."""

    path: str
    template: str
    context: dict = field(hash=False)
    origin: str
    line: int = 0

    @property
    def output_file(self) -> str:
        return urls.output_file(self.path)

    def shows_any(self, graph: Graph, keys: set[str]) -> bool:
        """Whether this page shows any of `keys`: shown_articles spelled out without making
        the set, three times as fast over every page of a large archive (a one-edit build
        asks it of each)."""
        context = self.context
        key = context.get("article")
        if key is not None and (
            key in keys
            or graph.prev.get(key) in keys
            or graph.next.get(key) in keys
            or not keys.isdisjoint(graph.related.get(key, ()))
        ):
            return True
        for name in ("keys", "entries", "commented"):
            if name in context and not keys.isdisjoint(context[name]):
                return True
        return context.get("target") in keys

    def shown_articles(self, graph: Graph) -> set[str]:
        """The keys of every article whose values this page shows."""
        context = self.context
        keys: set[str] = set()
        if "article" in context:
            key = context["article"]
            keys.add(key)
            keys.update(k for k in (graph.prev.get(key), graph.next.get(key)) if k)
            keys.update(graph.related.get(key, ()))
        for name in ("keys", "entries", "commented"):
            keys.update(context.get(name, ()))
        if "target" in context:
            keys.add(context["target"])
        return keys
