"""The live preview's quick path: an edit that leaves the site's shape alone is patched in.

Saving an article's body or a comments file changes one article, not which pages exist or
how they relate. Reading every file, remaking the graph and keying every page again takes
a second on a large archive; here only the changed files are loaded and only the pages that
show the changed articles are keyed again. Anything else (a file added or removed, a changed
date, slug, category, tags, aliases or related list, the config, a template, an error) is
left to a full build, which the caller makes when `patch` returns None.
"""

from __future__ import annotations

import time
from dataclasses import replace

from blogsmith.build import BuildResult, check_eyecatch_file
from blogsmith.content.fields import SHAPE_FIELDS, Meta
from blogsmith.content.load import (
    COMMENTS_SUFFIX,
    CONTENT_DIR,
    FileResult,
    LoadedComments,
    load_file,
)
from blogsmith.core.build_cache import BuildCache
from blogsmith.core.errors import ErrorBag, LocatedError, in_file_order
from blogsmith.graph.content_graph import ArticleMaker, Graph
from blogsmith.output.publisher import Publisher
from blogsmith.output.search.index import update_index
from blogsmith.preview.live import LiveSite
from blogsmith.render.batch import RenderCounter, pages_to_render, render_pages


def patch(
    live: LiveSite, cache: BuildCache, changed: set[str], publisher: Publisher
) -> tuple[BuildResult, LiveSite] | None:
    """Bring the output up to date with `changed` (paths in the site) if the last build's
    shape still holds: the result and the site as it now is; None when a full build is
    needed. Pages are the bytes a full build would write (tests compare them)."""
    started = time.perf_counter()
    if not changed or cache.outputs is None:
        return None
    graph = live.graph
    maker = graph.maker
    if maker is None:
        return None
    if graph.next_publication is not None and time.time() >= graph.next_publication:
        return None
    edit = _Edit(live, cache, maker)
    if not edit.apply(sorted(changed)):
        return None
    patched = edit.graph()
    renderer = live.renderer.with_graph(patched)
    jobs = live.jobs
    referrers = live.referrers()
    among = sorted({index for key in edit.touched for index in referrers.get(key, ())})
    writer = publisher.stage(cache.outputs)
    try:
        todo = pages_to_render(jobs, renderer, writer, cache, True, False, among)
        problems = render_pages(renderer, jobs, todo, writer, RenderCounter(None, len(todo), 0))
        if problems:  # a full build reports them with everything else
            writer.abort()
            cache.discard_pages()
            return None
        searched = update_index(patched, writer, cache.search) if graph.config.search else None
        writer.produced.update(cache.outputs)  # the same files as before: none is stale
        publisher.publish(writer)
        cache.commit_pages(live.version, writer.produced)
        cache.search = searched
    except BaseException:
        writer.abort()
        cache.discard_pages()
        raise
    cache.articles = dict(patched.articles)
    warnings = in_file_order(edit.warnings())
    now = replace(live, graph=patched, renderer=renderer, warnings=warnings)
    return BuildResult(
        pages=len(jobs),
        static_files=live.static_files,
        rendered=len(todo),
        written=len(writer.changed),
        warnings=warnings,
        changed=sorted(writer.changed),
        seconds=time.perf_counter() - started,
    ), now


class _Edit:
    """The changed files applied to copies of the graph's tables, or refused."""

    def __init__(self, live: LiveSite, cache: BuildCache, maker: ArticleMaker) -> None:
        graph = live.graph
        self.live, self.cache, self.maker = live, cache, maker
        self.articles = dict(graph.articles)
        self.comments = dict(graph.comments)
        self.docs = dict(graph.docs)
        self.extra_links = dict(graph.extra_links)
        self.fingerprints = dict(graph.fingerprints)
        self.touched: set[str] = set()
        """Keys of the articles whose file or comments changed."""
        self._before: dict[str, FileResult] = {}
        """What the changed articles' files were loaded as by the last build."""
        self._old_warnings: list[LocatedError] = []
        self._new_warnings: list[LocatedError] = []

    def apply(self, paths: list[str]) -> bool:
        """Whether every change could be patched in."""
        prefix = CONTENT_DIR + "/"
        if not all(path.startswith(prefix) for path in paths):
            return False
        threads = [path for path in paths if path.endswith(COMMENTS_SUFFIX)]
        sources = [path for path in paths if path not in threads]
        return (
            all(self._thread(path) for path in threads)
            and all(self._source(path) for path in sources)
            and all(self._remake(key) for key in sorted(self.touched))
        )

    def graph(self) -> Graph:
        return replace(
            self.live.graph,
            articles=self.articles,
            comments=self.comments,
            docs=self.docs,
            extra_links=self.extra_links,
            fingerprints=self.fingerprints,
        )

    def warnings(self) -> list[LocatedError]:
        """The last build's, with what was said of the changed files replaced by what is now."""
        kept = list(self.live.warnings)
        for warning in self._old_warnings:
            if warning in kept:
                kept.remove(warning)
        return kept + self._new_warnings

    def _thread(self, path: str) -> bool:
        key = path[len(CONTENT_DIR) + 1 : -len(COMMENTS_SUFFIX)] + ".md"
        if key not in self.articles:
            return False
        before = self.cache.files.get(path)
        try:
            data = (self.live.site_dir / path).read_bytes()
        except FileNotFoundError:
            self.cache.files.pop(path, None)
            after = None
        except OSError:
            return False
        else:
            after = self._load(path, data)
            if after is None or not isinstance(after.value, LoadedComments):
                return False
        if before is not None:
            self._old_warnings += before.value.warnings
        if after is not None:
            self._new_warnings += after.warnings
        old = self.comments.pop(key, None)
        if old is not None:
            self.fingerprints.pop(id(old), None)
        if after is not None:
            thread = after.value
            self.comments[key] = thread
            self.fingerprints[id(thread)] = self.cache.files[path].digest
        self.touched.add(key)
        return True

    def _source(self, path: str) -> bool:
        key = path[len(CONTENT_DIR) + 1 :]
        if key not in self.articles:  # new, removed, or not built (a draft): a full build
            return False
        before = self.cache.files.get(path)
        try:
            data = (self.live.site_dir / path).read_bytes()
        except OSError:
            return False
        after = self._load(path, data)
        meta = getattr(after.value, "meta", None) if after is not None else None
        if before is None or meta is None or _shape(meta) != _shape(self.maker.metas[key]):
            return False
        self._before[key] = before.value
        self.touched.add(key)
        return True

    def _load(self, path: str, data: bytes) -> FileResult | None:
        """The file's result (the cached one when its bytes are known); None on errors."""
        cache = self.cache
        if path in cache.unknown_files(cache.settings, [(path, data)]):
            cache.remember_file(
                path, data, load_file(path[len(CONTENT_DIR) + 1 :], path, data, cache.settings)
            )
        result = cache.file(path)
        return None if result.errors or result.value is None else result

    def _remake(self, key: str) -> bool:
        """The touched article made again from its file and thread, as the graph makes it;
        what was said of it then (file, links, eyecatch) is replaced by what is said now."""
        maker, site_dir = self.maker, self.live.site_dir
        old = self.articles[key]
        now = self.cache.file(old.source)
        then = self._before.get(key, now)
        said_then = ErrorBag()
        maker.make(then.value, old.comment_count, said_then)
        check_eyecatch_file(old, self.docs[key], site_dir, said_then)
        loaded = now.value
        meta = loaded.meta
        maker.metas[key] = meta
        maker.digests[old.source] = self.cache.files[old.source].digest
        said_now = ErrorBag()
        count = self.comments[key].count if key in self.comments else 0
        made, linked, fingerprint = maker.make(loaded, count, said_now)
        if said_now.errors:  # a broken link: a full build reports it with everything else
            return False
        check_eyecatch_file(made, meta.doc, site_dir, said_now)
        if made == old:
            made = old
        else:
            self.fingerprints.pop(id(old), None)
        self.articles[key] = made
        self.fingerprints[id(made)] = fingerprint
        self.docs[key] = meta.doc
        if key in maker.picked:
            self.extra_links[key] = tuple(k for k in maker.picked[key] if k not in linked)
        if key in self.live.graph.recent() and made.card != old.card:
            return False  # every page's sidebar shows it: as much work as a full build
        if key in self._before:
            self._old_warnings += then.warnings
            self._new_warnings += now.warnings
        self._old_warnings += said_then.warnings
        self._new_warnings += said_now.warnings
        return True


def _shape(meta: Meta) -> tuple:
    return tuple(getattr(meta, name) for name in SHAPE_FIELDS)
