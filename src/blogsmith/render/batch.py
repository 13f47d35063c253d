"""Which pages to render, and rendering them on every core.

A page is rendered again only when its inputs changed since the committed build (its
fingerprint, see pages.Fingerprints). Rendering is forked: workers inherit the renderer, the
jobs and the staging writer through one module value instead of having them pickled, and
stage the files they render themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from blogsmith.core.build_cache import BuildCache, digest
from blogsmith.core.errors import LocatedError
from blogsmith.core.workers import inherited, run_in_workers
from blogsmith.output.writer import StagedWriter
from blogsmith.plan.jobs import Job
from blogsmith.render.pages import Fingerprints, Renderer, TemplateProblem

Progress = Callable[[int, int], None]


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

    `among` limits the check to those jobs (the others are known to be unchanged: their
    files are kept without a key made, and a job whose file the output lacks is checked
    too). A build
    that already failed renders one page per template, enough to report template errors with
    the content's, without the cost of every page. (Making the keys in forked workers saves
    nothing: a worker touching the whole graph copies most of it, page by page.)
    """
    if failing:
        first: dict[str, int] = {}
        for index, job in enumerate(jobs):
            first.setdefault(job.template, index)
        return sorted(first.values())
    if among is not None and writer is not None:
        chosen = set(among)
        lacking = [
            index
            for index, job in enumerate(jobs)
            if index not in chosen and not writer.keep(job.output_file)
        ]
        among = sorted(chosen.union(lacking))
    todo = []
    remembered = cache.digests if cache is not None else None
    stored = cache.cards_made_with(renderer.version) if cache is not None else None
    fingerprints = Fingerprints(renderer.graph, remembered, renderer.images, stored)
    for index in range(len(jobs)) if among is None else among:
        job = jobs[index]
        if cache is not None:
            target = job.output_file
            key = fingerprints.page(job, renderer.context(job))
            if renderer.shows_sidebar(job):
                key = digest(key + renderer.sidebar_inputs)
            if reuse and cache.pages.get(target) == key and writer.keep(target):
                continue
            cache.remember_page(target, key)
        todo.append(index)
    if cache is not None:
        cache.remember_cards(
            fingerprints.cards,
            every=among is None,
            by_article=fingerprints.card_fields,
            version=renderer.version,
        )
    return todo


def render_pages(
    renderer: Renderer,
    jobs: list[Job],
    todo: list[int],
    writer: StagedWriter | None,
    counter: RenderCounter,
) -> list[LocatedError]:
    """Render `todo` on every core; staged files are written by whoever rendered them."""
    problems: list[LocatedError] = []
    staged: list[str] = []

    def collect(outcome: tuple[list[str], list[LocatedError], int]) -> None:
        changed, errors, count = outcome
        staged.extend(changed)
        problems.extend(errors)
        counter.advance(count)

    run_in_workers(_render_slice, len(todo), collect, inherit=(renderer, jobs, todo, writer))
    if writer:
        writer.record_all((jobs[index].output_file for index in todo), staged)
    return problems


def _render_slice(start: int, stop: int) -> tuple[list[str], list[LocatedError], int]:
    renderer, jobs, todo, writer = inherited()
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
