"""From the graph to render jobs: one job per output file, decided before anything renders.

Pure: tests can assert a site's whole URL map without running a template. Two jobs on one
output path, or a path that would leave the output folder, are errors naming both origins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from . import urls
from .dates import format_month, format_year
from .errors import ErrorBag
from .graph import Graph
from .i18n import STRINGS
from .sitemap import chunks as sitemap_chunks
from .sitemap import sitemap_entries


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str | None
    """None marks a gap ('…') between numbered links."""


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    links: tuple[PageLink, ...]
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Job:
    path: str
    template: str
    context: dict = field(hash=False)
    origin: str
    line: int = 0

    @property
    def output_file(self) -> str:
        return urls.output_file(self.path)


def plan(graph: Graph, bag: ErrorBag, search: bool = False) -> list[Job]:
    """Every output file of the site; `search` adds the search page."""
    jobs: list[Job] = []
    config = graph.config
    for key, article in graph.articles.items():
        doc = graph.docs[key]
        template = "page.html" if article.is_page else "article.html"
        jobs.append(Job(article.path, template, {"article": key}, article.source, doc.line("slug")))
        for index, alias in enumerate(article.aliases):
            jobs.append(
                Job(
                    alias,
                    "redirect.html",
                    {"target": key},
                    article.source,
                    doc.line("aliases", index),
                )
            )

    for spec in _list_specs(graph):
        jobs += _list_jobs(spec, config)
    jobs.append(Job("/404.html", "404.html", {}, "the 404 page"))
    jobs += _publishing_jobs(graph, search)
    _check_paths(jobs, bag)
    return jobs


@dataclass(frozen=True)
class ListSpec:
    """One paginated list: what it shows, where its pages live, and how errors name it."""

    kind: str
    title: str
    keys: tuple[str, ...]
    path_of: Callable[[int], str]
    origin: str
    extra: dict = field(default_factory=dict, hash=False)


def _list_specs(graph: Graph) -> Iterator[ListSpec]:
    language = graph.config.language
    strings = STRINGS[language]
    yield ListSpec("home", "", graph.listed, urls.home_path, "the home page")
    for key, category in graph.categories.items():
        yield ListSpec(
            "category",
            strings["category_archive"].format(name=category.name),
            graph.by_category[key],
            partial(urls.category_path, key),
            f"the index of category '{key}'",
            {"category": key},
        )
    for slug, tag in graph.tags.items():
        yield ListSpec(
            "tag",
            strings["tag_archive"].format(name=tag.name),
            graph.by_tag[slug],
            partial(urls.tag_path, slug),
            f"the page of tag '{tag.name}'",
            {"tag": slug},
        )
    for year, keys in graph.years().items():
        yield ListSpec(
            "year",
            strings["date_archive"].format(name=format_year(year, language)),
            keys,
            partial(urls.year_path, year),
            f"the archive of {year}",
            {"year": year},
        )
    for (year, month), keys in graph.by_month.items():
        yield ListSpec(
            "month",
            strings["date_archive"].format(name=format_month(year, month, language)),
            keys,
            partial(urls.month_path, year, month),
            f"the archive of {year}-{month:02d}",
            {"year": year, "month": month},
        )


def _list_jobs(spec: ListSpec, config) -> list[Job]:
    per_page = config.per_page
    pages = max(1, -(-len(spec.keys) // per_page))
    jobs = []
    for number in range(1, pages + 1):
        context = {
            "kind": spec.kind,
            "title": spec.title,
            "keys": spec.keys[(number - 1) * per_page : number * per_page],
            "pagination": _pagination(
                number, pages, lambda n: urls.public_url(config, spec.path_of(n))
            ),
            "total": len(spec.keys),
            **spec.extra,
        }
        jobs.append(Job(spec.path_of(number), "list.html", context, spec.origin))
    return jobs


def _publishing_jobs(graph: Graph, search: bool) -> list[Job]:
    """Feeds, sitemap, robots.txt and the search page: what makes the site publishable."""
    config = graph.config
    count = config.feed_entries
    newest = graph.timeline[::-1][:count]
    jobs = [
        Job(
            urls.FEED_PATH,
            "feed.xml",
            {
                "entries": newest,
                "feed_path": urls.FEED_PATH,
                "alternate_path": "/",
                "title": config.title,
                "updated": _last_change(graph, newest),
            },
            "the site feed",
        )
    ]
    for key, category in graph.categories.items():
        published = tuple(k for k in graph.by_category[key] if not graph.articles[k].draft)
        path = urls.category_feed_path(key)
        jobs.append(
            Job(
                path,
                "feed.xml",
                {
                    "entries": published[:count],
                    "feed_path": path,
                    "alternate_path": urls.category_path(key),
                    "title": f"{category.name} | {config.title}",
                    "updated": _last_change(graph, published[:count]),
                },
                f"the feed of category '{key}'",
            )
        )
    parts = sitemap_chunks(sitemap_entries(graph))
    if len(parts) == 1:
        jobs.append(Job(urls.SITEMAP_PATH, "sitemap.xml", {"urls": tuple(parts[0])}, "the sitemap"))
    else:
        paths = [urls.sitemap_part_path(n) for n in range(1, len(parts) + 1)]
        jobs.append(
            Job(
                urls.SITEMAP_PATH,
                "sitemap-index.xml",
                {"sitemaps": tuple(urls.absolute_url(config, p) for p in paths)},
                "the sitemap index",
            )
        )
        jobs += [
            Job(path, "sitemap.xml", {"urls": tuple(part)}, "the sitemap")
            for path, part in zip(paths, parts, strict=True)
        ]
    jobs.append(Job(urls.ROBOTS_PATH, "robots.txt", {}, "robots.txt"))
    if search:
        jobs.append(Job(urls.SEARCH_PATH, "search.html", {}, "the search page"))
    return jobs


def _last_change(graph: Graph, keys: tuple[str, ...]) -> datetime:
    """A feed's <updated>: its newest entry's change, or the epoch for an empty feed."""
    moments = [graph.articles[k].updated or graph.articles[k].date for k in keys]
    return max(moments, default=datetime(1970, 1, 1, tzinfo=UTC))


def _pagination(number: int, total: int, url_of) -> Pagination:
    shown = sorted(
        {1, 2, total - 1, total, *range(number - 2, number + 3)} & set(range(1, total + 1))
    )
    links: list[PageLink] = []
    for n in shown:
        if links and n - links[-1].number > 1:
            links.append(PageLink(n - 1, None))
        links.append(PageLink(n, url_of(n)))
    return Pagination(
        number,
        total,
        tuple(links),
        url_of(number - 1) if number > 1 else None,
        url_of(number + 1) if number < total else None,
    )


def _check_paths(jobs: list[Job], bag: ErrorBag) -> None:
    owners: dict[str, Job] = {}
    for job in jobs:
        target = job.output_file
        if ".." in target.split("/") or target.startswith("/"):
            bag.add(
                job.origin,
                job.line,
                f"URL {job.path} would be written outside the output folder; remove '..' from it",
            )
            continue
        other = owners.get(target)
        if other is None:
            owners[target] = job
            continue
        first, second = sorted((other, job), key=_generated_last)
        if not _is_content(second):
            first, second = second, first
        owners[target] = first
        bag.add(
            second.origin,
            second.line,
            f"URL {job.path} is also the URL of "
            f"{_describe(first)}; give one of them another slug or alias",
        )


def _is_content(job: Job) -> bool:
    return job.origin.startswith("content/")


def _generated_last(job: Job) -> tuple:
    return (not _is_content(job), job.origin, job.line)


def _describe(job: Job) -> str:
    if _is_content(job) and job.line:
        return f"{job.origin}:{job.line}"
    return job.origin
