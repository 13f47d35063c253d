"""What a committed build leaves behind in a long-running process, for patching it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from blogsmith.build import BuildResult
from blogsmith.core.errors import LocatedError
from blogsmith.graph.content_graph import Graph
from blogsmith.plan.jobs import Job
from blogsmith.render.images import MeasuredImages
from blogsmith.render.pages import Renderer


@dataclass
class LiveSite:
    """The graph, jobs and renderer of the last committed build, as the preview keeps them
    from the build's result; patch.patch() brings them up to date with an edit."""

    site_dir: Path
    output: Path
    graph: Graph
    jobs: list[Job]
    renderer: Renderer
    version: bytes
    static_files: int
    warnings: list[LocatedError] = field(default_factory=list)
    images: MeasuredImages = field(default_factory=MeasuredImages)
    """What the build's image stage found (see build.BuiltSite)."""
    static_paths: frozenset[str] = frozenset()
    _referrers: dict[str, list[int]] | None = None

    @classmethod
    def of(cls, site_dir: Path, output: Path, result: BuildResult) -> LiveSite | None:
        """What the preview keeps of a build's result; None when the build made no pages."""
        built = result.site
        if built is None:
            return None
        return cls(
            site_dir,
            output,
            built.graph,
            built.jobs,
            built.renderer,
            built.version,
            result.static_files,
            warnings=result.warnings,
            images=built.images,
            static_paths=built.static_paths,
        )

    def referrers(self) -> dict[str, list[int]]:
        """Article key -> the jobs whose pages show it: its own page and its aliases, its
        neighbours', the related blocks it is in (hand-picked ones included), lists, feeds."""
        if self._referrers is None:
            found: dict[str, list[int]] = {}
            for index, job in enumerate(self.jobs):
                for key in job.shown_articles(self.graph):
                    found.setdefault(key, []).append(index)
            self._referrers = found
        return self._referrers
