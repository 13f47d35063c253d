"""Which pages to render, and rendering them on every core.

A page is rendered again only when its inputs changed since the committed build (its
fingerprint, see pages.Fingerprints). Rendering is forked: workers inherit the renderer, the
jobs and the staging writer through one module value instead of having them pickled, and
stage the files they render themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from blogsmith.core.digest import digest
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


@dataclass
class PageKeys:
    """The inputs of every committed page and the card digests they were made with, carried
    from one build to the next. A page's key counts once the build that rendered it commits."""

    committed: dict[str, bytes] = field(default_factory=dict)
    """Output file -> the digest of the inputs its committed bytes were rendered from."""
    pending: dict[str, bytes] = field(default_factory=dict)
    """The same, of the pages this build rendered (in memory only)."""
    version: bytes | None = None
    """The templates and page-wide values the committed pages were rendered with."""
    cards: dict[int, tuple[object, bytes]] = field(default_factory=dict)
    """id() of a card -> (the card, its digest), from the last build (in memory only; see
    Fingerprints.remembered)."""
    card_fields: dict[bytes, bytes] = field(default_factory=dict)
    """An article's fingerprint (see Graph.fingerprints) -> the digest of its card's fields,
    made with the config and templates of `card_version`: kept on disk, so that a new process
    does not digest every card again (10,000 of them on a large archive)."""
    card_version: bytes | None = None

    def remember_page(self, target: str, key: bytes) -> None:
        """The inputs of a page rendered now: they count once the build commits."""
        self.pending[target] = key

    def cards_made_with(self, version: bytes) -> dict[bytes, bytes]:
        """The card digests by article fingerprint, if made with this renderer version."""
        return self.card_fields if version == self.card_version else {}

    def remember_cards(
        self,
        cards: dict[int, tuple[object, bytes]],
        every: bool,
        by_article: dict[bytes, bytes] | None = None,
        version: bytes | None = None,
    ) -> None:
        """Card digests made now: all of them (`every`), or some more; `by_article` the same
        by article fingerprint, made with renderer `version`."""
        if every:
            self.cards = cards
        else:
            self.cards.update(cards)
        if by_article is not None:
            if every or version != self.card_version:
                self.card_fields = dict(by_article)
            else:
                self.card_fields.update(by_article)
            self.card_version = version

    def commit(self, version: bytes, produced: set[str]) -> None:
        """The build's pages reached the output, rendered with `version`: the keys of the
        files in it (`produced`) are now the committed ones."""
        if version != self.version:
            self.committed = {}
        merged = {**self.committed, **self.pending}
        self.committed = {path: key for path, key in merged.items() if path in produced}
        self.pending = {}
        self.version = version

    def discard_pending(self) -> None:
        self.pending = {}

    def forget_committed(self) -> None:
        """The output is not as the last build left it: no committed page can be trusted."""
        self.committed, self.version = {}, None


def pages_to_render(
    jobs: list[Job],
    renderer: Renderer,
    writer: StagedWriter | None,
    keys: PageKeys | None,
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
    remembered = keys.cards if keys is not None else None
    stored = keys.cards_made_with(renderer.version) if keys is not None else None
    fingerprints = Fingerprints(renderer.graph, remembered, renderer.images, stored)
    for index in range(len(jobs)) if among is None else among:
        job = jobs[index]
        if keys is not None:
            target = job.output_file
            key = fingerprints.page(job, renderer.context(job))
            if renderer.shows_sidebar(job):
                key = digest(key + renderer.sidebar_inputs)
            if reuse and keys.committed.get(target) == key and writer.keep(target):
                continue
            keys.remember_page(target, key)
        todo.append(index)
    if keys is not None:
        keys.remember_cards(
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
