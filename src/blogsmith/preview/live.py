"""What a committed build leaves behind in a long-running process, for patching it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from blogsmith.build import BuildResult
from blogsmith.core.errors import LocatedError
from blogsmith.graph.content_graph import Graph
from blogsmith.plan.jobs import Job, referrers
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
            built.renderer.kept(),
            built.version,
            result.static_files,
            warnings=result.warnings,
            images=built.images,
            static_paths=built.static_paths,
        )

    def referrers(self) -> dict[str, list[int]]:
        """Article key -> the jobs whose pages show it (plan.jobs.referrers), made once."""
        if self._referrers is None:
            self._referrers = referrers(self.jobs, self.graph)
        return self._referrers
