"""What one build hands to the next: each stage's own state, and the moments that concern
them all.

Correctness comes first: every entry is keyed by the exact inputs it was made from (file
bytes and the settings they were read with, a page's whole resolved context), so a hit is
the same work, never a guess. Each stage keeps its state in a class beside it and is passed
only that; what a build renders and copies takes effect only once it has committed its
output.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from blogsmith.content.load import FileResults
from blogsmith.content.model import Article
from blogsmith.graph.content_graph import GraphMemo
from blogsmith.output.records import OutputRecords
from blogsmith.output.search.index import SearchState
from blogsmith.render.batch import PageKeys
from blogsmith.render.images import ImageRecords


@dataclass
class BuildCache:
    """Each stage's state; the cache folder saves the files' results and the images apart."""

    files: FileResults = field(default_factory=FileResults)
    graph: GraphMemo = field(default_factory=GraphMemo)
    pages: PageKeys = field(default_factory=PageKeys)
    images: ImageRecords = field(default_factory=ImageRecords)
    search: SearchState | None = None
    """The committed search index; None: make it anew."""
    output: OutputRecords = field(default_factory=OutputRecords)

    def committed(
        self,
        version: bytes,
        produced: set[str],
        search: SearchState | None,
        articles: dict[str, Article],
    ) -> None:
        """A build (or the preview's patch) moved its files in."""
        self.pages.commit(version, produced)
        self.output.commit(produced)
        self.search = search
        self.graph.articles = dict(articles)

    def forget_output(self) -> None:
        """The output is not as the last build left it: no committed page can be trusted."""
        self.pages.forget_committed()
        self.output.forget_output()

    def discard_pages(self) -> None:
        """The build failed: what it rendered and copied never reached the output."""
        self.pages.discard_pending()
        self.output.discard_pending()

    def for_disk(self) -> BuildCache:
        """A copy without what the cache folder saves apart (the files' results, the images)
        or what means something in this process only (objects and their ids)."""
        return replace(
            self,
            files=replace(self.files, entries={}, changed=set()),
            graph=replace(self.graph, articles={}),
            pages=replace(self.pages, pending={}, cards={}),
            images=ImageRecords(),
            output=replace(self.output, files=None, pending_statics={}),
        )
