"""How far an edit reaches, for a build in a new process: when only the files and threads
of articles the last build had changed, and none of their shape fields (the front matter
that decides pages, URLs, order and relations), only the pages that show those articles
can differ from the last build's. Only those are keyed again, as the live preview's patch
does, not every page: at 10,000 articles that is most of a second of a one-edit build."""

from __future__ import annotations

from dataclasses import dataclass

from blogsmith.content.fields import Meta, shape_of
from blogsmith.content.load import CONTENT_DIR, FileResults, LoadedSource, article_of
from blogsmith.graph.content_graph import Graph
from blogsmith.plan.jobs import Job, pages_showing


@dataclass
class EditReach:
    """The articles an edit of content alone touched, and their shapes before it."""

    touched: frozenset[str]
    """The keys of the articles whose file or thread changed."""
    shapes: dict[str, tuple]
    """Each changed article file's shape as the last build read it, by source path."""

    def holds(self, graph: Graph, results: FileResults) -> bool:
        """Once the content is loaded: whether every touched article is still in the graph
        with the shape it had (then the site's paths are the last build's too)."""
        for source, before in self.shapes.items():
            meta = _meta(results, source)
            if meta is None or shape_of(meta) != before:
                return False
        return all(key in graph.articles for key in self.touched)

    def pages(self, graph: Graph, jobs: list[Job]) -> list[int] | None:
        """The jobs whose pages can have changed (None: every one), once it `holds`."""
        return pages_showing(jobs, graph, set(self.touched))


def edit_reach(changed: set[str], results: FileResults) -> EditReach | None:
    """Before the content is loaded (`results` still the last build's): the
    articles `changed` (paths in the site) touch, when each is one the last build had."""
    prefix = CONTENT_DIR + "/"
    touched: set[str] = set()
    shapes: dict[str, tuple] = {}
    for path in changed:
        source = article_of(path)
        meta = _meta(results, source)
        if not source.startswith(prefix) or meta is None:
            return None  # a new article, not an article, or one the last build refused
        touched.add(source[len(prefix) :])
        if source == path:  # the article's own file, not its thread
            shapes[source] = shape_of(meta)
    return EditReach(frozenset(touched), shapes)


def _meta(results: FileResults, source: str) -> Meta | None:
    """The front matter of an article file as loaded (None: not one, or not loaded)."""
    entry = results.entries.get(source)
    loaded = entry.value.value if entry is not None else None  # its FileResult's value
    return loaded.meta if isinstance(loaded, LoadedSource) else None
