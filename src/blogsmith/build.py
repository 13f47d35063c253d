"""The one function that knows the order: load, graph, plan, render, write."""

from __future__ import annotations

import errno
import gc
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from blogsmith import __version__
from blogsmith.cache.build_cache import BuildCache, digest
from blogsmith.cache.persist import CacheFolder, Manifest, output_state
from blogsmith.content.load import CONTENT_DIR, ContentFiles, load_content, read_content_files
from blogsmith.content.model import Article
from blogsmith.content.site_files import refusal
from blogsmith.core import urls
from blogsmith.core.config import CONFIG_NAME, load_config
from blogsmith.core.errors import BuildError, ErrorBag, LocatedError, in_file_order, printable
from blogsmith.core.timings import stage
from blogsmith.core.workers import WorkerDied, run_in_workers
from blogsmith.core.yamlread import YamlDoc
from blogsmith.graph.content_graph import BuildOptions, Graph, build_graph
from blogsmith.output.search.index import update_index
from blogsmith.output.writer import NotOwned, OutputBusy, StagedWriter, writing
from blogsmith.plan.jobs import INSIDE_SEARCH, Job, in_search_folder, plan
from blogsmith.preview.live import LiveSite
from blogsmith.render.pages import Fingerprints, Renderer, TemplateProblem, templates_digest
from blogsmith.render.theme import Theme, default_theme

Progress = Callable[[int, int], None]


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


def build(
    site_dir: Path, output: Path | None = None, options: BuildOptions | None = None, **kwargs
) -> BuildResult:
    """Build the site; raises BuildError with every problem found, leaving output untouched.

    Other arguments as for _build. One build at a time writes an output folder. The
    content, graph and caches are millions of objects that live for the whole build: the
    cyclic collector would scan them again and again (a third of a rebuild's time), so it
    stays off while they are made and then skips them (gc.freeze), running for rendering's
    short-lived garbage only.
    """
    target = (output or Path(site_dir).resolve() / "public").resolve()
    collecting = gc.isenabled()
    gc.disable()
    try:
        with writing(target) if kwargs.get("write", True) else nullcontext():
            return _build(
                site_dir, output, options, long_lived_made=lambda: _freeze(collecting), **kwargs
            )
    except OutputBusy as busy:
        raise BuildError([LocatedError(str(target), 0, f"cannot be written now: {busy}")]) from None
    except WorkerDied as died:
        raise BuildError([LocatedError(str(site_dir), 0, f"build stopped: {died}")]) from None
    except OSError as failed:  # the output's disk is full, read-only or gone
        raise BuildError([_unwritable(failed, target)]) from None
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _unwritable(failed: OSError, target: Path) -> LocatedError:
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


def _build(
    site_dir: Path,
    output: Path | None = None,
    options: BuildOptions | None = None,
    *,
    write: bool = True,
    progress: Progress | None = None,
    theme: Theme | None = None,
    cache: BuildCache | None = None,
    guard: AbstractContextManager | None = None,
    cache_dir: Path | None = None,
    long_lived_made: Callable[[], None] = lambda: None,
) -> BuildResult:
    """`cache` carries work from one build to the next in the same process; `guard` is held
    while finished files are moved into the output, so a server can keep readers out.
    `cache_dir` keeps the cache on disk for the next run: when no input changed and the
    output is as it was left, nothing is done.
    """
    started = time.perf_counter()
    site_dir = site_dir.resolve()
    output = (output or site_dir / "public").resolve()
    if cache is not None:
        cache.live = None  # only a committed build can be patched
    options = options or BuildOptions()
    theme = theme or default_theme()
    bag = ErrorBag()
    refused: list[tuple[str, str]] = []
    skipped: list[str] = []
    files = read_content_files(site_dir, refused)
    statics = static_files(site_dir, theme, refused, skipped)
    for source, problem in refused:
        bag.add(source, 0, problem)
    for source in skipped:
        bag.warn(
            source,
            0,
            "not published: a hidden file (only .well-known/, .nojekyll and .htaccess are); "
            "rename it if it belongs on the site",
        )
    folder = CacheFolder(cache_dir) if cache_dir is not None and write else None
    inputs = b""
    state: dict[str, tuple[int, int]] | None = None
    unchanged_output = True
    if folder is not None:
        with stage("cache"):
            inputs = inputs_digest(site_dir, output, theme, files, statics, options)
            manifest = folder.load_manifest()
            state = output_state(output)
            unchanged_output = (
                manifest is not None
                and manifest.output == str(output)
                and state == manifest.outputs
            )
            if (
                unchanged_output
                and manifest.inputs == inputs
                and (manifest.next_publication is None or time.time() < manifest.next_publication)
            ):
                return BuildResult(
                    pages=manifest.pages,
                    static_files=manifest.static_files,
                    seconds=time.perf_counter() - started,
                )
            if cache is None:
                cache = folder.load_cache() or BuildCache()
            if not unchanged_output:
                cache.pages, cache.version, cache.outputs = {}, None, None
    graph = load_graph(site_dir, options, bag, cache, files)
    search = graph.config.search
    with stage("plan"):
        jobs = plan(graph, bag, search)
    _check_static_conflicts(jobs, statics, bag, search)
    if write:
        _check_output_folder(site_dir, output, bag)

    known = cache.outputs if cache is not None and output.is_dir() else None
    writer = _writer(output, known, bag) if write and not bag else None
    result = BuildResult(
        pages=len(jobs), static_files=len(statics), warnings=in_file_order(bag.warnings)
    )
    renderer = Renderer(graph, site_dir, theme, search)
    version = renderer.version
    reuse = cache is not None and writer is not None and cache.version == version
    total = len(jobs) + len(statics)
    long_lived_made()
    try:
        with stage("render"):
            todo = pages_to_render(jobs, renderer, writer, cache, reuse, bool(bag))
            counter = RenderCounter(progress, total, len(jobs) - len(todo))
            problems = render_pages(renderer, jobs, todo, writer, counter)
        result.rendered = len(todo)
        for problem in dict.fromkeys(problems):
            bag.errors.append(problem)
        if writer:
            with stage("static"):
                for relative, source in sorted(statics.items()):
                    try:
                        writer.put(relative, source.read_bytes())
                    except OSError as exc:
                        bag.add(
                            _shown_static(site_dir, source),
                            0,
                            f"cannot be read ({exc.strerror or exc}); fix or remove the file",
                        )
                    counter.advance(1)
        bag.raise_if_any()
        if writer:
            searched = None
            if search:
                with stage("search"):
                    searched = update_index(
                        graph, writer, cache.search if cache else None, verify=not unchanged_output
                    )
            with guard or nullcontext(), stage("commit"):
                removed = _commit(writer, output)
            if cache is not None:
                cache.commit_pages(version, writer.produced)
                cache.search = searched
                # What this process left in the output: the next build in it (the live
                # preview) finds stale files without a walk; a cache folder records a real
                # walk instead (below).
                cache.outputs = set(writer.produced)
            result.changed = sorted([*writer.changed, *removed])
            result.written = len(writer.changed)
            result.removed = len(removed)
            if folder is not None:
                with stage("save cache"):
                    state = output_state(output, state, result.changed)
                    cache.outputs = set(state)
                    manifest = Manifest(
                        inputs,
                        str(output),
                        graph.next_publication,
                        state,
                        len(jobs),
                        len(statics),
                        result.warnings,
                    )
                    try:
                        folder.save(manifest, cache)
                    except OSError as failed:  # the site is out; only the next build is slower
                        folder.forget()
                        result.warnings.append(
                            LocatedError(
                                str(cache_dir),
                                0,
                                f"the build cache was not saved ({failed.strerror or failed}); "
                                "the next build starts from scratch",
                            )
                        )
    except BaseException:
        if writer:
            writer.abort()
        if cache is not None:
            cache.discard_pages()
        raise
    if cache is not None and writer is not None:  # committed: what the live preview patches
        cache.live = LiveSite(
            site_dir,
            output,
            graph,
            jobs,
            renderer,
            version,
            len(statics),
            warnings=result.warnings,
        )
    result.seconds = time.perf_counter() - started
    return result


class RenderCounter:
    """Progress across pages rendered here and in workers."""

    def __init__(self, progress: Progress | None, total: int, done: int):
        self.progress, self.total, self.done = progress, total, done

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress(self.done, self.total)


def pages_to_render(
    jobs: list[Job],
    renderer: Renderer,
    writer: StagedWriter | None,
    cache: BuildCache | None,
    reuse: bool,
    failing: bool,
    among: list[int] | None = None,
) -> list[int]:
    """Indexes of the jobs to render: those whose inputs changed since the committed build.

    `among` limits the check to those jobs (the others are known to be unchanged). A build
    that already failed renders one page per template, enough to report template errors with
    the content's, without the cost of every page.
    """
    if failing:
        first: dict[str, int] = {}
        for index, job in enumerate(jobs):
            first.setdefault(job.template, index)
        return sorted(first.values())
    todo = []
    fingerprints = Fingerprints(renderer.graph, cache.digests if cache is not None else None)
    for index in range(len(jobs)) if among is None else among:
        job = jobs[index]
        if cache is not None:
            target = job.output_file
            key = fingerprints.page(job, renderer.context(job))
            if renderer.shows_sidebar(job):
                key = digest(key + renderer.sidebar_inputs)
            if reuse and cache.pages.get(target) == key and writer.keep(target):
                continue
            cache.pending_pages[target] = key
        todo.append(index)
    if cache is not None:
        if among is None:
            cache.digests = fingerprints.cards
        else:
            cache.digests.update(fingerprints.cards)
    return todo


_RENDERING: tuple = ()
"""What forked render workers inherit: (renderer, jobs, todo, writer)."""


def render_pages(
    renderer: Renderer,
    jobs: list[Job],
    todo: list[int],
    writer: StagedWriter | None,
    counter: RenderCounter,
) -> list[LocatedError]:
    """Render `todo` on every core; staged files are written by whoever rendered them."""
    global _RENDERING
    _RENDERING = (renderer, jobs, todo, writer)
    problems: list[LocatedError] = []

    def collect(outcome: tuple[list[str], list[LocatedError], int]) -> None:
        changed, errors, count = outcome
        if writer:
            writer.changed.extend(changed)
        problems.extend(errors)
        counter.advance(count)

    try:
        run_in_workers(_render_slice, len(todo), collect)
    finally:
        _RENDERING = ()
    if writer:
        writer.produced.update(jobs[index].output_file for index in todo)
    return problems


def _render_slice(start: int, stop: int) -> tuple[list[str], list[LocatedError], int]:
    renderer, jobs, todo, writer = _RENDERING
    changed: list[str] = []
    errors: list[LocatedError] = []
    for index in todo[start:stop]:
        job = jobs[index]
        try:
            data = renderer.render(job)
        except TemplateProblem as problem:
            errors.append(problem.error)
            continue
        if writer and writer.stage(job.output_file, data):
            changed.append(job.output_file)
    return changed, errors, stop - start


def load_graph(
    site_dir: Path,
    options: BuildOptions,
    bag: ErrorBag,
    cache: BuildCache | None = None,
    files: ContentFiles | None = None,
) -> Graph:
    config = load_config(site_dir, bag)
    if config is None:
        bag.raise_if_any()
    with stage("load"):
        content = load_content(site_dir, config, bag, cache, files)
    with stage("graph"):
        graph = build_graph(config, content, bag, options, cache)
    _check_eyecatch_files(graph, site_dir, bag)
    return graph


def inputs_digest(
    site_dir: Path,
    output: Path,
    theme: Theme,
    files: ContentFiles | None,
    statics: dict[str, Path],
    options: BuildOptions,
) -> bytes:
    """Everything a build reads, as one digest: when it and the output are as they were, the
    build would write exactly what is there."""
    parts = [
        repr(
            (
                __version__,
                str(output),
                str(theme.templates),
                options.drafts,
                options.future,
                options.now,
            )
        ).encode()
    ]
    try:
        parts.append((site_dir / CONFIG_NAME).read_bytes())
    except OSError:
        parts.append(b"no config")
    parts.append(templates_digest(site_dir / "templates", theme.templates))
    for _, source, data in files or ():
        parts.append(source.encode() + b"\0" + digest(data))
    for relative, path in sorted(statics.items()):
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest(b"\0".join(parts))


def default_cache_dir(output: Path) -> Path:
    """Beside the output: `public/` keeps its cache in `.public.blogsmith-cache/`."""
    return output.parent / f".{output.name}.blogsmith-cache"


PUBLISHED_HIDDEN = {".nojekyll", ".htaccess", ".well-known"}
"""Hidden files and folders that hosts read, so static/ publishes them (.well-known/ for
security.txt and domain checks; GitHub Pages' .nojekyll; Apache's .htaccess)."""
QUIETLY_SKIPPED = {".DS_Store", ".gitkeep", ".gitignore", ".git", ".keep"}


def static_files(
    site_dir: Path,
    theme: Theme,
    refused: list[tuple[str, str]] | None = None,
    skipped: list[str] | None = None,
) -> dict[str, Path]:
    """Output path -> source file: the theme's assets first, the site's static/ over them;
    files that are not read (see site_files) go into `refused` as (source, why), and other
    hidden files, which are never published, into `skipped`."""
    found: dict[str, Path] = {}
    for root, prefix, within in (
        (theme.assets, "assets/", theme.assets),
        (site_dir / "static", "", site_dir),
    ):
        if not root.is_dir():
            continue
        for folder, dirs, files in os.walk(root):
            hidden = [name for name in [*dirs, *files] if _hidden(name)]
            if skipped is not None and root != theme.assets:
                skipped.extend(
                    _shown_static(site_dir, Path(folder) / name)
                    for name in sorted(hidden)
                    if name not in QUIETLY_SKIPPED
                )
            dirs[:] = sorted(d for d in dirs if not _hidden(d))
            for name in sorted(files):
                if _hidden(name):
                    continue
                path = Path(folder) / name
                problem = refusal(path, within)
                if problem:
                    if refused is not None:
                        refused.append((_shown_static(site_dir, path), problem))
                    continue
                found[prefix + path.relative_to(root).as_posix()] = path
    return found


def _hidden(name: str) -> bool:
    return (name.startswith(".") and name not in PUBLISHED_HIDDEN) or name in QUIETLY_SKIPPED


def _shown_static(site_dir: Path, source: Path) -> str:
    try:
        return source.relative_to(site_dir).as_posix()
    except ValueError:
        return str(source)


def _check_static_conflicts(
    jobs: list[Job], statics: dict[str, Path], bag: ErrorBag, search: bool
) -> None:
    pages = {job.output_file: job for job in jobs}
    for relative in statics:
        if search and in_search_folder(relative):
            bag.add(f"static/{relative}", 0, INSIDE_SEARCH)
    for job in jobs:
        if job.output_file in statics:
            bag.add(
                f"static/{job.output_file}",
                0,
                f"would overwrite the page {job.path} of "
                f"{job.origin}; rename or remove the static file",
            )
    folders = {folder: job for target, job in pages.items() for folder in urls.folders_of(target)}
    for relative in statics:
        page = folders.get(relative)
        if page is not None:
            bag.add(
                f"static/{relative}",
                0,
                f"is a file where the page {page.path} of {page.origin} needs a folder; "
                "rename or move the static file",
            )
        page = next((pages[f] for f in urls.folders_of(relative) if f in pages), None)
        if page is not None:
            bag.add(
                f"static/{relative}",
                0,
                f"needs a folder where the page {page.path} of {page.origin} has its file; "
                "rename or move the static file",
            )


def _writer(output: Path, known: set[str] | None, bag: ErrorBag) -> StagedWriter | None:
    try:
        return StagedWriter(output, known=known)
    except NotOwned as refused:
        bag.add(str(output), 0, f"cannot be the output folder: it {refused}")
        return None


def _commit(writer: StagedWriter, output: Path) -> list[str]:
    try:
        return writer.commit()
    except NotOwned as refused:
        shown = ", ".join(refused.files[:5]) + (" and more" if len(refused.files) > 5 else "")
        raise BuildError(
            [
                LocatedError(
                    str(output),
                    0,
                    f"{refused}: {shown}; move them away (or remove them) and build again",
                )
            ]
        ) from None


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


def _check_eyecatch_files(graph: Graph, site_dir: Path, bag: ErrorBag) -> None:
    for article in graph.articles.values():
        check_eyecatch_file(article, graph.docs[article.key], site_dir, bag)


def check_eyecatch_file(article: Article, doc: YamlDoc, site_dir: Path, bag: ErrorBag) -> None:
    image = article.eyecatch.image if article.eyecatch else ""
    if image.startswith("/") and not (site_dir / "static" / image.lstrip("/")).is_file():
        bag.warn(
            article.source,
            doc.line("eyecatch", "image"),
            f"eyecatch image {image} not found: add static{image}",
        )


__all__ = ["build", "BuildError", "BuildOptions", "BuildResult"]
