"""`blogsmith build`, stage by stage: read the inputs, stop early when nothing changed, load
the content and make its graph, plan the pages, render the changed ones, copy the static
files, index for search, publish, and keep the cache for the next build.

Each stage is a method of `_Build`, the one build in progress, so `run` reads as the list of
stages in their order. The build knows nothing of the live preview: what a committed build
made is in its result (`BuildResult.site`), for whoever wants to keep it.
"""

from __future__ import annotations

import errno
import gc
import time
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from blogsmith.cache.build_cache import BuildCache
from blogsmith.cache.edit_reach import EditReach, edit_reach
from blogsmith.cache.inputs import (
    StaticPrints,
    content_changes,
    frame_digest,
    static_prints,
    with_content,
)
from blogsmith.cache.location import default_cache_dir
from blogsmith.cache.output_state import OutputState
from blogsmith.cache.persist import CacheFolder, Manifest
from blogsmith.content.load import (
    CONTENT_DIR,
    ContentFiles,
    content_prints,
    load_content,
    read_content_files,
)
from blogsmith.content.static import shown_static, static_files
from blogsmith.core.config import CONFIG_NAME, load_config
from blogsmith.core.errors import BuildError, ErrorBag, LocatedError, in_file_order, printable
from blogsmith.core.timings import stage
from blogsmith.core.workers import WorkerDied
from blogsmith.graph.content_graph import BuildOptions, Graph, build_graph
from blogsmith.output.publisher import Publisher
from blogsmith.output.search.index import SearchState, update_index
from blogsmith.output.writer import NotOwned, OutputBusy, StagedWriter, writing
from blogsmith.plan.jobs import Job, plan
from blogsmith.plan.paths import check_static_conflicts
from blogsmith.plan.redirects import check_redirect_targets
from blogsmith.render.batch import Progress, RenderCounter, pages_to_render, render_pages
from blogsmith.render.images import (
    ImageSettings,
    MeasuredImages,
    Originals,
    image_warnings,
    images_shown,
    is_resizable,
    location_warnings,
    measure_and_resize,
    publish_originals,
)
from blogsmith.render.pages import Renderer
from blogsmith.render.theme import Theme, default_theme


@dataclass(frozen=True)
class BuiltSite:
    """What a committed build made: the graph, its pages and the renderer that drew them."""

    graph: Graph
    jobs: list[Job]
    renderer: Renderer
    version: bytes
    images: MeasuredImages
    """What the image stage found of every site image the pages show."""
    static_paths: frozenset[str]
    """The output paths of the static files published."""
    cache: BuildCache | None = None
    """The cache this build committed to: what the next build in the process starts from."""


ContentPatch = Callable[[set[str]], "BuildResult | None"]
"""Given the content files changed since the last build, the output brought up to date (and
the result, its `site` set), or None when a build is needed."""


@dataclass
class BuildResult:
    pages: int = 0
    static_files: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    seconds: float = 0.0
    warnings: list[LocatedError] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    """Output files whose bytes this build changed or removed: what a live preview reloads."""
    site: BuiltSite | None = None
    """Set when the build committed and made pages (not when nothing had changed)."""
    cache_mark: tuple[int, int, int] | None = None
    """The mark of the manifest on disk as the build left it (CacheFolder.manifest_mark)."""

    def summary(self, output: Path) -> str:
        """The line `blogsmith build` ends with."""
        return (
            f"built {self.pages} pages and {self.static_files} static files in "
            f"{self.seconds:.2f} s: {self.written} written, {self.removed} removed, "
            f"into {output}"
        )


def build(
    site_dir: Path,
    output: Path | None = None,
    options: BuildOptions | None = None,
    *,
    write: bool = True,
    progress: Progress | None = None,
    theme: Theme | None = None,
    cache: BuildCache | None = None,
    publisher: Publisher | None = None,
    cache_dir: Path | None = None,
    patch: ContentPatch | None = None,
    keep_site: bool = False,
    kept_mark: tuple[int, int, int] | None = None,
) -> BuildResult:
    """Build the site; raises BuildError with every problem found, leaving output untouched.

    `write=False` is `blogsmith check`: everything but writing. `cache` carries work from one
    build to the next in the same process; `publisher` is the output folder's owner when the
    caller keeps one (the preview, whose server reads the folder); `cache_dir` keeps the
    cache on disk for the next run: when no input changed and the output is as it was left,
    nothing is done.

    A process that keeps the last build (the comment service's builder) passes `patch`: when
    only content files changed since the build on disk and everything else it read is as it
    was, `patch` is given their paths and may bring the output up to date itself (see
    preview.patch); the cache on disk is then saved as a build would save it. `keep_site`
    makes the graph and pages even when nothing changed, for such a process to keep.
    `kept_mark` is the mark of the manifest its `cache` and `patch` belong to (the result's
    `cache_mark` of its last build): when the one on disk has another (another process
    built), they are set aside, under the output's lock, and the site is made to be kept.

    One build at a time writes an output folder. The content, graph and caches are millions
    of objects that live for the whole build: the cyclic collector would scan them again and
    again (a third of a rebuild's time), so it stays off while they are made and then skips
    them (gc.freeze), running for rendering's short-lived garbage only.
    """
    run = _Build(site_dir, output, options, write, progress, theme, cache, publisher, cache_dir)
    if write:  # `check` neither patches nor keeps a site
        run.patch, run.keep_site, run.kept_mark = patch, keep_site, kept_mark
    collecting = gc.isenabled()
    gc.disable()
    try:
        with writing(run.output) if write else nullcontext():
            result = run.stages(lambda: _freeze(collecting))
            result.cache_mark = run.folder.manifest_mark() if run.folder is not None else None
            return result
    except OutputBusy as busy:
        problem = LocatedError(str(run.output), 0, f"cannot be written now: {busy}")
        raise BuildError([problem]) from None
    except WorkerDied as died:
        raise BuildError([LocatedError(str(run.site_dir), 0, f"build stopped: {died}")]) from None
    except OSError as failed:  # the output's disk is full, read-only or gone
        raise BuildError([_write_failure(failed, run.output)]) from None
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class Committed:
    """What a build (or the preview's patch) leaves the next one in its process, once its
    files are published."""

    version: bytes
    """The renderer's version: the templates and settings its page keys were made with."""
    graph: Graph
    searched: SearchState | None


@contextmanager
def committing(writer: StagedWriter | None, cache: BuildCache | None) -> Iterator[None]:
    """The one way staged files end: published by `commit` inside this block, or, on any
    failure (an error, a crash, Ctrl-C), abandoned, with the page keys the cache took
    meanwhile, so that the output and the cache stay as the last build left them."""
    try:
        yield
    except BaseException:
        if writer is not None:
            writer.abort()
        if cache is not None:
            cache.discard_pages()
        raise


def commit(
    publisher: Publisher, writer: StagedWriter, cache: BuildCache | None, committed: Committed
) -> list[str]:
    """Publishes the staged files, then lets the cache take this build's state as the last
    one; the output files removed (nothing produces them any more)."""
    removed = publisher.publish(writer)
    if cache is not None:
        cache.committed(
            committed.version, writer.produced, committed.searched, committed.graph.articles
        )
    return removed


class _Build:
    """One build in progress: its request, its problems so far, and its stages."""

    def __init__(
        self,
        site_dir: Path,
        output: Path | None,
        options: BuildOptions | None,
        write: bool,
        progress: Progress | None,
        theme: Theme | None,
        cache: BuildCache | None,
        publisher: Publisher | None,
        cache_dir: Path | None,
    ) -> None:
        self.started = time.perf_counter()
        self.site_dir = Path(site_dir).resolve()
        self.output = (output or self.site_dir / "public").resolve()
        self.options = options or BuildOptions()
        self.write, self.progress = write, progress
        self.theme = theme or default_theme()
        self.cache = cache
        self.publisher = publisher or Publisher(self.output)
        self.folder = CacheFolder(cache_dir) if cache_dir is not None and write else None
        self.bag = ErrorBag()
        self.inputs = b""
        self.state: OutputState | None = None
        self.marks: dict[str, tuple[int, int]] = {}
        """Each static file's size and modification time, from its one stat of this build."""
        self.unchanged_output = True
        """Whether the output is as the last build left it (its files' sizes and times)."""
        self.seen_at = 0
        """When the output was last found as `state` says (time.time_ns())."""
        self.files: ContentFiles | None = None
        self.prints_taken = 0
        """When this build began reading the content files (time.time_ns())."""
        self.static_prints: StaticPrints = {}
        """Each static file's digest, kept in the manifest for the next build's check."""
        self.originals = Originals(frozenset(), ())
        """The image originals the image stage published (without their private metadata)."""
        self.patch: ContentPatch | None = None
        """Given the changed content files, brings the output up to date, or declines."""
        self.keep_site = False
        """Whether to make the graph and pages even when nothing changed."""
        self.frame = b""
        """The digest of what this build reads but the content (cache.inputs.frame_digest)."""
        self.reach: EditReach | None = None
        """How far a change to content alone reaches: the pages to key again."""
        self.kept_mark: tuple[int, int, int] | None = None
        """The manifest the passed cache and patch belong to (see build)."""

    def stages(self, long_lived_made: Callable[[], None]) -> BuildResult:
        if self.kept_mark is not None and (
            self.folder is None or self.folder.manifest_mark() != self.kept_mark
        ):  # another process built since: its cache on disk, a site made anew to be kept
            self.cache, self.patch, self.keep_site = None, None, True
        manifest = self.folder.load_manifest() if self.folder is not None else None
        with stage("read"):
            files, statics = self.read_inputs(manifest)
        if self.folder is not None:
            unchanged = self.skip_when_unchanged(manifest, files, statics)
            if unchanged is not None:
                return unchanged
            changed = self.content_changed(manifest, files)
            if changed is not None and self.cache is not None:  # before a patch loads them
                self.reach = edit_reach(changed, self.cache.files)
            patched = self.patch_content(changed, statics)
            if patched is not None:
                return patched
        graph = load_graph(self.site_dir, self.options, self.bag, self.cache, files, statics)
        if self.reach is not None and not self.reach.holds(graph, self.cache.files):
            self.reach = None
        jobs = self.plan_pages(graph, statics)
        writer = self.staging()
        images = self.measure_images(graph, statics, writer)
        result = BuildResult(
            pages=len(jobs), static_files=len(statics), warnings=in_file_order(self.bag.warnings)
        )
        renderer = Renderer(graph, self.site_dir, self.theme, graph.config.search, images)
        long_lived_made()
        with committing(writer, self.cache):
            counter = self.render(renderer, jobs, writer, len(statics), result)
            if writer:
                self.copy_static(statics, writer, counter)
            self.bag.raise_if_any()
            if writer:
                searched = self.index_for_search(graph, writer)
                self.publish(writer, result, Committed(renderer.version, graph, searched))
                if self.folder is not None:
                    self.save_cache(graph, jobs, statics, result)
        if writer is not None:
            result.site = BuiltSite(
                graph, jobs, renderer, renderer.version, images, frozenset(statics), self.cache
            )
        result.seconds = time.perf_counter() - self.started
        return result

    def read_inputs(self, manifest: Manifest | None) -> tuple[ContentFiles | None, dict[str, str]]:
        """Every content file (its digest: from the last build's manifest when its status is
        unchanged) and every static file's path; files that may not be read (links out of
        the site, devices) are errors, hidden ones in static/ warnings."""
        refused: list[tuple[str, str]] = []
        skipped: list[str] = []
        prints = manifest.content_prints if manifest is not None else None
        self.prints_taken = time.time_ns()
        files = read_content_files(self.site_dir, refused, prints)
        self.files = files
        statics = static_files(self.site_dir, self.theme.assets, refused, skipped, self.marks)
        for source, problem in refused:
            self.bag.add(source, 0, problem)
        for source in skipped:
            self.bag.warn(
                source,
                0,
                "not published: a hidden file (only .well-known/, .nojekyll and .htaccess "
                "are); rename it if it belongs on the site",
            )
        return files, statics

    def skip_when_unchanged(
        self, manifest: Manifest | None, files: ContentFiles | None, statics: dict[str, str]
    ) -> BuildResult | None:
        """The result of the last build when nothing it read changed and its output is as it
        left it; otherwise None, with the cache from disk ready for this build."""
        assert self.folder is not None
        with stage("cache"):
            known = getattr(manifest, "static_prints", None) or {}
            self.static_prints = static_prints(statics, self.marks, known)
            self.frame = frame_digest(
                self.site_dir, self.output, self.theme, self.static_prints, self.options
            )
            self.inputs = with_content(self.frame, files)
            self.seen_at = time.time_ns()
            self.unchanged_output = (
                manifest is not None
                and manifest.output == str(self.output)
                and manifest.outputs.unchanged(self.output)
            )
            self.state = (
                manifest.outputs if self.unchanged_output else OutputState.walked(self.output)
            )
            if (
                self.unchanged_output
                and not self.keep_site
                and manifest.inputs == self.inputs
                and (manifest.next_publication is None or time.time() < manifest.next_publication)
            ):
                return BuildResult(
                    pages=manifest.pages,
                    static_files=manifest.static_files,
                    seconds=time.perf_counter() - self.started,
                    warnings=list(manifest.warnings),  # what that build said still holds
                )
            if self.cache is None:
                self.cache = self.folder.load_cache() or BuildCache()
                if self.unchanged_output:
                    self.cache.output.found_outputs(self.state.files())
            if not self.unchanged_output:
                self.cache.forget_output()
        return None

    def content_changed(
        self, manifest: Manifest | None, files: ContentFiles | None
    ) -> set[str] | None:
        """The content files changed since the build on disk, when nothing else it read
        changed, its output is as it left it and no article's time to appear has come; None
        otherwise."""
        if (
            manifest is None
            or manifest.content_prints is None
            or not self.unchanged_output
            or manifest.frame != self.frame
            or (manifest.next_publication is not None and time.time() >= manifest.next_publication)
        ):
            return None
        return content_changes(manifest.content_prints[0], files)

    def patch_content(
        self, changed: set[str] | None, statics: dict[str, str]
    ) -> BuildResult | None:
        """The output brought up to date by `patch` when only content files changed; None
        when a build is needed."""
        if self.patch is None or not changed:
            return None
        result = self.patch(changed)
        if result is None or result.site is None:
            return None
        self.save_cache(result.site.graph, result.site.jobs, statics, result)
        result.seconds = time.perf_counter() - self.started
        return result

    def plan_pages(self, graph: Graph, statics: dict[str, str]) -> list[Job]:
        checked = self.reach is not None  # the last build's paths and static files
        with stage("plan"):
            jobs = plan(graph, self.bag, graph.config.search, paths_checked=checked)
        if not checked:
            check_static_conflicts(jobs, statics, self.bag, graph.config.search)
            check_redirect_targets(jobs, statics, self.bag)
        if self.write:
            _check_output_folder(self.site_dir, self.output, self.bag)
        return jobs

    def staging(self) -> StagedWriter | None:
        """Where this build's files wait until it has succeeded; None for `check`, or when
        there already are errors (the output folder is then not even looked at)."""
        if not self.write or self.bag:
            return None
        cache = self.cache
        present = cache.output.files if cache is not None and self.output.is_dir() else None
        try:
            return self.publisher.stage(present)
        except NotOwned as refused:
            self.bag.add(str(self.output), 0, f"cannot be the output folder: it {refused}")
            return None

    def measure_images(
        self, graph: Graph, statics: dict[str, str], writer: StagedWriter | None
    ) -> MeasuredImages:
        """Every site image the pages show, measured, and resized into the copies the
        output lacks; what is wrong with one is a warning on each article that shows it."""
        config = graph.config
        settings = ImageSettings(config.images.widths, config.images.webp, config.images.quality)
        shown = images_shown(graph)
        files = {
            path: statics[path[1:]] for path in shown if path[1:] in statics and is_resizable(path)
        }
        cache = self.cache
        known = cache.images.images_for(repr(settings)) if cache is not None else {}
        with stage("images"):
            done = measure_and_resize(
                files,
                self.marks,
                settings,
                known,
                writer.keep_all if writer else (lambda relatives: False),
                writer.stage if writer else None,
            )
        if cache is not None:
            cache.images.remember_images(done.fresh, set(files))
        if writer:
            writer.record_all(done.copies, done.staged)
        answers = done.measured
        for warning in image_warnings(graph, shown, statics, answers):
            self.bag.warn(*warning)
        keep = config.images.keep_metadata
        with stage("originals"):
            outputs = cache.output if cache is not None else None
            self.originals = publish_originals(statics, self.marks, keep, outputs, writer)
        for warning in location_warnings(self.originals, self.site_dir, keep):
            self.bag.warn(*warning)
        if not config.logo:
            self.bag.warn(
                CONFIG_NAME,
                0,
                "'logo' is not set: search engines show an article's publisher with its logo "
                "(Google's Article structured data); add one, like 'logo: /images/logo.png'",
            )
        for key in ("logo", "default_image"):
            image = getattr(config, key)
            if image and image.lstrip("/") not in statics:
                self.bag.warn(CONFIG_NAME, 0, f"'{key}' {image} not found: add static{image}")
        return answers

    def render(
        self,
        renderer: Renderer,
        jobs: list[Job],
        writer: StagedWriter | None,
        statics: int,
        result: BuildResult,
    ) -> RenderCounter:
        keys = self.cache.pages if self.cache is not None else None
        reuse = keys is not None and writer is not None and keys.version == renderer.version
        with stage("render"):
            among = None
            if reuse and self.reach is not None:
                among = self.reach.pages(renderer.graph, jobs)
            todo = pages_to_render(jobs, renderer, writer, keys, reuse, bool(self.bag), among)
            counter = RenderCounter(self.progress, len(jobs) + statics, len(jobs) - len(todo))
            problems = render_pages(renderer, jobs, todo, writer, counter)
        result.rendered = len(todo)
        self.bag.errors.extend(dict.fromkeys(problems))
        return counter

    def copy_static(
        self, statics: dict[str, str], writer: StagedWriter, counter: RenderCounter
    ) -> None:
        outputs = self.cache.output if self.cache is not None else None
        committed = outputs.statics if outputs is not None else {}
        with stage("static"):
            for relative, source in sorted(statics.items()):
                if relative in self.originals.published:  # by the image stage
                    counter.advance(1)
                    continue
                try:
                    mark = self.marks[relative]
                    if committed.get(relative) != mark or not writer.keep(relative):
                        with open(source, "rb") as stream:
                            writer.put(relative, stream.read())
                    if outputs is not None:
                        outputs.remember_static(relative, mark)
                except OSError as exc:
                    self.bag.add(
                        shown_static(self.site_dir, Path(source)),
                        0,
                        f"cannot be read ({exc.strerror or exc}); fix or remove the file",
                    )
                counter.advance(1)

    def index_for_search(self, graph: Graph, writer: StagedWriter) -> SearchState | None:
        if not graph.config.search:
            return None
        with stage("search"):
            committed = self.cache.search if self.cache else None
            return update_index(graph, writer, committed, verify=not self.unchanged_output)

    def publish(self, writer: StagedWriter, result: BuildResult, committed: Committed) -> None:
        with stage("commit"):
            try:
                removed = commit(self.publisher, writer, self.cache, committed)
            except NotOwned as refused:
                many = len(refused.files) > 5
                shown = ", ".join(refused.files[:5]) + (" and more" if many else "")
                raise BuildError(
                    [
                        LocatedError(
                            str(self.output),
                            0,
                            f"{refused}: {shown}; move them away (or remove them) and build again",
                        )
                    ]
                ) from None
        result.changed = sorted([*writer.changed, *removed])
        result.written = len(writer.changed)
        result.removed = len(removed)

    def save_cache(
        self, graph: Graph, jobs: list[Job], statics: dict[str, str], result: BuildResult
    ) -> None:
        assert self.folder is not None and self.cache is not None and self.state is not None
        with stage("save cache"):
            state = self.state.after(self.output, result.changed, self.seen_at)
            manifest = Manifest(
                self.inputs,
                str(self.output),
                graph.next_publication,
                state,
                len(jobs),
                len(statics),
                result.warnings,
                self.static_prints,
                (content_prints(self.files), self.prints_taken),
                self.frame,
            )
            try:
                self.folder.save(manifest, self.cache)
            except OSError as failed:  # the site is out; only the next build is slower
                self.folder.forget()
                result.warnings.append(
                    LocatedError(
                        str(self.folder.folder),
                        0,
                        f"the build cache was not saved ({failed.strerror or failed}); "
                        "the next build starts from scratch",
                    )
                )


def load_graph(
    site_dir: Path,
    options: BuildOptions,
    bag: ErrorBag,
    cache: BuildCache | None = None,
    files: ContentFiles | None = None,
    statics: Container[str] | None = None,
) -> Graph:
    """The site's graph; `statics` are the output paths of its static files, where eyecatch
    images are looked for (not at all without them: the comment service needs no warnings)."""
    config = load_config(site_dir, bag)
    if config is None:
        bag.raise_if_any()
    with stage("load"):
        results = cache.files if cache is not None else None
        content = load_content(site_dir, config, bag, results, files)
    with stage("graph"):
        memo = cache.graph if cache is not None else None
        return build_graph(config, content, bag, options, memo, statics)


def _write_failure(failed: OSError, target: Path) -> LocatedError:
    reason = failed.strerror or str(failed)
    if failed.errno == errno.ENOSPC:
        advice = "free some space on that disk and build again"
    elif failed.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = "give blogsmith write access there or choose another --output"
    else:
        advice = "fix the disk or choose another --output, then build again"
    return LocatedError(
        printable(str(failed.filename or target)), 0, f"cannot be written ({reason}); {advice}"
    )


def _freeze(collecting: bool) -> None:
    gc.freeze()
    if collecting:
        gc.enable()


def _check_output_folder(site_dir: Path, output: Path, bag: ErrorBag) -> None:
    """Refuse an output folder whose cleaning would delete the site's own files."""
    if (
        output == site_dir
        or output in site_dir.parents
        or (output / CONFIG_NAME).exists()
        or (output / CONTENT_DIR).is_dir()
    ):
        bag.add(
            str(output),
            0,
            "cannot be the output folder: it holds the site's sources; "
            "use a folder of its own like public/",
        )


__all__ = ["build", "BuildError", "BuildOptions", "BuildResult", "BuiltSite", "default_cache_dir"]
