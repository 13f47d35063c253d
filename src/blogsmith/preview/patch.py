"""The live preview's quick path: an edit that leaves the site's shape alone is patched in.

Saving an article's body or a comments file changes one article, not which pages exist or
how they relate. Reading every file, remaking the graph and keying every page again takes
a second on a large archive; here only the changed files are loaded (as the build loads
them), the graph makes only their articles again (`Graph.remade`), and only the pages that
show them are keyed, rendered and published by the build's own stages. Anything else (a
file added or removed, a changed shape field, the config, a template, an error) is left to
a full build, which the caller makes when `patch` returns None.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from blogsmith.build import BuildResult, Committed, commit, committing
from blogsmith.cache.build_cache import BuildCache
from blogsmith.content.fields import shape_of
from blogsmith.content.load import (
    COMMENTS_SUFFIX,
    CONTENT_DIR,
    FileResult,
    FileResults,
    LoadedComments,
    LoadedSource,
    article_of,
    load_one,
)
from blogsmith.core.errors import LocatedError, in_file_order
from blogsmith.graph.content_graph import Graph
from blogsmith.output.publisher import Publisher
from blogsmith.output.search.index import update_index
from blogsmith.plan.jobs import COMMENTS_FEED, Job, comment_feed_jobs, pages_showing
from blogsmith.preview.live import LiveSite
from blogsmith.render.batch import RenderCounter, pages_to_render, render_pages
from blogsmith.render.images import image_warnings, images_shown, is_resizable


def patch(
    live: LiveSite, cache: BuildCache, changed: set[str], publisher: Publisher
) -> tuple[BuildResult, LiveSite] | None:
    """Bring the output up to date with `changed` (paths in the site) if the last build's
    shape still holds: the result and the site as it now is; None when a full build is
    needed. Pages are the bytes a full build would write (tests compare them)."""
    started = time.perf_counter()
    graph = live.graph
    if not changed or cache.output.files is None or graph.maker is None:
        return None
    if graph.next_publication is not None and time.time() >= graph.next_publication:
        return None
    edit = _read_edit(live, cache.files, sorted(changed))
    if edit is None:
        return None
    sources = {
        key: edit.sources.get(key) or cache.files.file(graph.articles[key].source).value
        for key in edit.touched
    }
    patched = graph.remade(sources, edit.threads, edit.digests)
    if patched is None or not _images_measured(live, patched, edit.touched):
        return None  # a new image to measure and resize: a full build does it
    renderer = live.renderer.with_graph(patched)
    among = pages_showing(live.jobs, graph, edit.touched, live.referrers())
    if among is None:
        return None
    jobs, gone = live.jobs, set()
    if edit.threads:
        jobs, among, gone = _with_comment_feeds(live.jobs, among, patched)
    writer = publisher.stage(cache.output.files)
    try:
        with committing(writer, cache):
            todo = pages_to_render(jobs, renderer, writer, cache.pages, True, False, among)
            counter = RenderCounter(None, len(todo), 0)
            if render_pages(renderer, jobs, todo, writer, counter):
                raise _FullBuildNeeded  # which reports the problems with everything else
            searched = update_index(patched, writer, cache.search) if graph.config.search else None
            writer.keep_all(cache.output.files - gone)  # the files as before, but feeds gone
            cache.output.statics_unchanged()
            commit(publisher, writer, cache, Committed(live.version, patched, searched))
    except _FullBuildNeeded:
        return None
    warnings = in_file_order(edit.warnings(live, patched))
    now = replace(live, graph=patched, jobs=jobs, renderer=renderer, warnings=warnings)
    if jobs is not live.jobs:
        now = replace(now, _referrers=None)  # the feeds may show other articles now
    result = BuildResult(
        pages=len(jobs),
        static_files=live.static_files,
        rendered=len(todo),
        written=len(writer.changed),
        warnings=warnings,
        changed=sorted(writer.changed),
        seconds=time.perf_counter() - started,
    )
    return result, now


class _FullBuildNeeded(Exception):
    """A page of the patch failed to render: what was staged is abandoned."""


def _with_comment_feeds(
    jobs: list[Job], among: list[int], patched: Graph
) -> tuple[list[Job], list[int], set[str]]:
    """A changed comment changes which comments the comment feeds show, and an article's
    first comment (or its last one removed) makes its feed (or takes it away): the jobs with
    the feeds planned again for the patched graph, the indexes among them to render (`among`
    of the old jobs, and the feeds that changed), and the output files of the feeds gone."""
    fresh = {job.path: job for job in comment_feed_jobs(patched)}
    chosen = {id(jobs[index]) for index in among}
    kept: list[Job] = []
    gone: set[str] = set()
    for job in jobs:
        if job.template != COMMENTS_FEED:
            kept.append(job)
            continue
        new = fresh.pop(job.path, None)
        if new is None:
            gone.add(job.output_file)
        elif new.context != job.context:
            chosen.add(id(new))
            kept.append(new)
        else:
            kept.append(job)
    for new in fresh.values():
        chosen.add(id(new))
        kept.append(new)
    return kept, [index for index, job in enumerate(kept) if id(job) in chosen], gone


@dataclass
class _Edit:
    """The changed files, loaded, when every one of them can be patched in."""

    sources: dict[str, LoadedSource] = field(default_factory=dict)
    threads: dict[str, LoadedComments | None] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    """Keys of the articles whose file or comments changed."""
    before: list[FileResult] = field(default_factory=list)
    after: list[FileResult] = field(default_factory=list)
    """What loading the changed files said then and now."""

    def warnings(self, live: LiveSite, patched: Graph) -> list[LocatedError]:
        """The last build's, with what was said of the changed files replaced by what is now:
        by loading them, by making their articles, and by the image stage of their images."""
        kept = list(live.warnings)
        said_then = [w for r in self.before for w in r.warnings]
        said_then += [w for key in self.touched for w in live.graph.said.get(key, ())]
        said_then += _image_warnings(live, live.graph, self.touched)
        for warning in said_then:
            if warning in kept:
                kept.remove(warning)
        said_now = [w for r in self.after for w in r.warnings]
        said_now += [w for key in self.touched for w in patched.said.get(key, ())]
        said_now += _image_warnings(live, patched, self.touched)
        return kept + said_now


def _read_edit(live: LiveSite, results: FileResults, paths: list[str]) -> _Edit | None:
    prefix = CONTENT_DIR + "/"
    if not all(path.startswith(prefix) for path in paths):
        return None
    edit = _Edit()
    articles = live.graph.articles
    for path in paths:
        is_thread = path.endswith(COMMENTS_SUFFIX)
        key = article_of(path[len(prefix) :])
        if key not in articles:  # new, removed, or not built (a draft): a full build
            return None
        before = results.entries.get(path)
        try:
            data = (live.site_dir / path).read_bytes()
        except FileNotFoundError:
            if not is_thread:
                return None
            results.forget_file(path)  # a comments file removed: the thread goes
            after = None
        except OSError:
            return None
        else:
            after = load_one(path, data, results)
            if after.errors or after.value is None:
                return None  # a full build reports the errors with everything else
            edit.digests[path] = results.entries[path].digest
        if is_thread:
            if after is not None and not isinstance(after.value, LoadedComments):
                return None
            edit.threads[key] = after.value if after is not None else None
        else:
            meta = getattr(after.value, "meta", None)
            if (
                before is None
                or meta is None
                or shape_of(meta) != shape_of(live.graph.maker.metas[key])
            ):
                return None
            edit.sources[key] = after.value
        if before is not None:
            edit.before.append(before.value)
        if after is not None:
            edit.after.append(after)
        edit.touched.add(key)
    return edit


def _images_measured(live: LiveSite, patched: Graph, keys: set[str]) -> bool:
    """Whether every site image the touched articles now show was measured by the build
    (or is not one the image stage measures: missing, remote, SVG)."""
    return all(
        path in live.images or path.lstrip("/") not in live.static_paths or not is_resizable(path)
        for path in images_shown(patched, keys)
    )


def _image_warnings(live: LiveSite, graph: Graph, keys: set[str]) -> list[LocatedError]:
    shown = images_shown(graph, keys)
    return [
        LocatedError(*found)
        for found in image_warnings(graph, shown, live.static_paths, live.images)
    ]
