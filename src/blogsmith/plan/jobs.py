"""From the graph to render jobs: one job per output file, decided before anything renders.

Pure: tests can assert a site's whole URL map without running a template. Two jobs on one
output path, or a path that would leave the output folder, are errors naming both origins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial

from blogsmith.core import urls
from blogsmith.core.dates import format_month, format_year
from blogsmith.core.errors import ErrorBag
from blogsmith.core.i18n import STRINGS
from blogsmith.graph.content_graph import Graph
from blogsmith.plan.job import Job, PageLink, Pagination
from blogsmith.plan.paths import check_paths
from blogsmith.plan.redirects import host_redirects_job, redirect_jobs
from blogsmith.plan.sitemap import chunks as sitemap_chunks
from blogsmith.plan.sitemap import sitemap_entries

SIDEBAR_PAGE = "sidebar-page.html"
"""The template of the shared sidebar's own page (`sidebar: shared`)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""An empty feed's <updated>."""
COMMENTS_FEED = "comments-feed.xml"
"""The template of the comment feeds, whose jobs a comment's change alone remakes."""


def referrers(jobs: list[Job], graph: Graph) -> dict[str, list[int]]:
    """Article key -> the jobs whose pages show it: its own page and its aliases, its
    neighbours', the related blocks it is in (hand-picked ones included), lists, feeds."""
    found: dict[str, list[int]] = {}
    for index, job in enumerate(jobs):
        for key in job.shown_articles(graph):
            found.setdefault(key, []).append(index)
    return found


def pages_showing(
    jobs: list[Job], graph: Graph, keys: set[str], found: dict[str, list[int]] | None = None
) -> list[int] | None:
    """The jobs whose pages can change when the articles of `keys` change without changing
    the site's shape (their URLs, order and relations): the pages that show them (`found`:
    their referrers when known), the shared sidebar's page when one is among the newest, and
    the site's comment feed.
    None when that is every page (the sidebar on every page lists the newest)."""
    if found is not None:
        among = {index for key in keys for index in found.get(key, ())}
    else:
        among = {index for index, job in enumerate(jobs) if job.shows_any(graph, keys)}
    if keys.intersection(graph.recent()):
        if graph.config.sidebar != "shared":
            return None
        among.update(index for index, job in enumerate(jobs) if job.template == SIDEBAR_PAGE)
    # The site's comment feed: a comment changed or gone anywhere can change which it shows.
    among.update(index for index, job in enumerate(jobs) if job.path == urls.COMMENTS_FEED_PATH)
    return sorted(among)


def plan(
    graph: Graph, bag: ErrorBag, search: bool = False, paths_checked: bool = False
) -> list[Job]:
    """Every output file of the site; `search` adds the search page. `paths_checked`: the
    paths are those of the last committed build (an edit kept the site's shape), whose
    checks they passed."""
    jobs: list[Job] = []
    config = graph.config
    queries: dict[str, dict[str, str]] = {}
    """Path -> {query name -> folder of its redirect pages}."""
    for key, article in graph.articles.items():
        doc = graph.docs[key]
        template = "page.html" if article.is_page else "article.html"
        jobs.append(Job(article.path, template, {"article": key}, article.source, doc.line("slug")))
        for index, alias in enumerate(article.aliases):
            with_query = urls.query_alias(alias)
            if with_query:
                queries.setdefault(with_query.path, {})[with_query.name] = with_query.folder
                alias = with_query.page
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
    if config.sidebar == "shared":
        jobs.append(Job(urls.SIDEBAR_PATH, SIDEBAR_PAGE, {}, "the shared sidebar"))
    jobs += _publishing_jobs(graph, search)
    jobs += redirect_jobs(graph)
    host_file = host_redirects_job(jobs, config, bag)
    if host_file is not None:
        jobs.append(host_file)
    jobs = _answer_queries(jobs, queries, config)
    if not paths_checked:
        check_paths(jobs, bag, search)
    return jobs


def _answer_queries(jobs: list[Job], queries: dict[str, dict[str, str]], config) -> list[Job]:
    """The jobs, the page at each path that old query URLs name (`/` for `/?p=123`) given the
    list its script follows; paths without a page are answered by the 404 page a host serves
    there."""
    if not queries:
        return jobs
    paths = {job.path for job in jobs}
    answers: dict[str, list[tuple[str, str, str]]] = {}
    for path, names in sorted(queries.items()):
        rules = [
            (urls.public_url(config, path), name, urls.public_url(config, folder))
            for name, folder in sorted(names.items())
        ]
        answers.setdefault(path if path in paths else "/404.html", []).extend(rules)
    return [
        replace(job, context={**job.context, "query_aliases": tuple(answers[job.path])})
        if job.path in answers
        else job
        for job in jobs
    ]


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
    stable = config.pagination == "stable"
    first_label = STRINGS[config.language]["first_page"] if stable else "1"
    pages = list_pages(len(spec.keys), config.per_page, stable)
    page_urls = {number: urls.public_url(config, spec.path_of(number)) for number, _, _ in pages}
    jobs = []
    for position, (number, start, stop) in enumerate(pages):
        context = {
            "kind": spec.kind,
            "title": spec.title,
            "keys": spec.keys[start:stop],
            "pagination": _pagination(pages, position, page_urls.__getitem__, first_label),
            **spec.extra,
        }
        if number is None:
            context["total"] = len(spec.keys)  # on the first page only: it changes every addition
        jobs.append(Job(spec.path_of(number), "list.html", context, spec.origin))
    return jobs


ListPage = tuple[int | None, int, int]
"""(page number or None for the first page, start, stop) into a newest-first list."""


def list_pages(count: int, per_page: int, stable: bool) -> list[ListPage]:
    """How a list of `count` articles, newest first, is cut into pages.

    newest-first: page n holds the (n-1)*per_page+1-th to the n*per_page-th newest.
    stable: pages are numbered from the oldest, page k always holding the (k-1)*per_page+1-th
    to the k*per_page-th oldest, so an addition changes the first page only; the first page
    holds the newest per_page to 2*per_page-1 articles (the newest full page and what is above
    it), so that no page is ever short.
    """
    if not stable:
        total = max(1, -(-count // per_page))
        return [
            (None if n == 1 else n, (n - 1) * per_page, min(count, n * per_page))
            for n in range(1, total + 1)
        ]
    full = count // per_page
    first_stop = count - (full - 1) * per_page if full > 1 else count
    pages: list[ListPage] = [(None, 0, first_stop)]
    for number in range(full - 1, 0, -1):
        stop = count - (number - 1) * per_page
        pages.append((number, stop - per_page, stop))
    return pages


def _publishing_jobs(graph: Graph, search: bool) -> list[Job]:
    """Feeds, sitemap, robots.txt and the search page: what makes the site publishable."""
    config = graph.config
    count = config.feeds.entries
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
    jobs += comment_feed_jobs(graph)
    jobs.append(Job(urls.ROBOTS_PATH, "robots.txt", {}, "robots.txt"))
    if search:
        jobs.append(Job(urls.SEARCH_PATH, "search.html", {}, "the search page"))
    return jobs


def comment_feed_jobs(graph: Graph) -> list[Job]:
    """The site's comment feed (its newest comments: they are in the threads with the newest
    comments, so only those are read) and, with `feeds.comments: all`, one per article that
    has comments readers can read or old comment-feed URLs that lead to its feed."""
    config = graph.config
    if config.feeds.comments == "none":
        return []
    commented = sorted(
        (
            (loaded.newest, key)
            for key, loaded in graph.comments.items()
            if loaded.newest is not None and not graph.articles[key].draft
        ),
        reverse=True,
    )
    newest = commented[: config.feeds.entries]
    site_feed = {
        "commented": tuple(key for _, key in newest),
        "feed_path": urls.COMMENTS_FEED_PATH,
        "alternate_path": "/",
        "title": STRINGS[config.language]["comments_feed"].format(site=config.title),
        "updated": newest[0][0] if newest else _EPOCH,
    }
    jobs = [Job(urls.COMMENTS_FEED_PATH, COMMENTS_FEED, site_feed, "the comments feed")]
    if config.feeds.comments == "all":
        jobs += _article_comment_feeds(graph, {key: when for when, key in commented})
    return jobs


def _article_comment_feeds(graph: Graph, newest: dict[str, datetime]) -> list[Job]:
    """An article's own comment feed, for each article with readable comments (`newest`:
    when the newest was written) and each whose old comment-feed URLs lead to it (an empty
    feed until its first comment, as WordPress's was)."""
    config = graph.config
    aliased = [
        key
        for key, article in graph.articles.items()
        if article.comment_feed_aliases and not article.draft
    ]
    jobs = []
    for key in sorted(newest.keys() | aliased):
        article = graph.articles[key]
        path = urls.comments_feed_path(article.path)
        feed = {
            "commented": (key,),
            "feed_path": path,
            "alternate_path": article.path,
            "title": STRINGS[config.language]["article_comments_feed"].format(
                title=article.title, site=config.title
            ),
            "updated": newest.get(key) or article.updated or article.date or _EPOCH,
        }
        jobs.append(Job(path, COMMENTS_FEED, feed, f"the comments feed of {article.source}"))
    return jobs


def _last_change(graph: Graph, keys: tuple[str, ...]) -> datetime:
    """A feed's <updated>: its newest entry's change, or the epoch for an empty feed."""
    moments = [graph.articles[k].updated or graph.articles[k].date for k in keys]
    return max(moments, default=_EPOCH)


def _pagination(pages: list[ListPage], position: int, url_of, first_label: str) -> Pagination:
    """Links to the first page, the two pages either side and the oldest two, newest first.

    Only stable neighbours are named, so that with stable pagination an addition changes the
    links of the first few pages alone.
    """
    last = len(pages) - 1
    near = {0, last - 1, last, *range(position - 2, position + 3)}
    shown = sorted(index for index in near if 0 <= index <= last)
    links: list[PageLink] = []
    previous = 0
    for index in shown if last else ():
        if links and index - previous > 1:
            links.append(PageLink("…", None))
        number = pages[index][0]
        label = str(number) if number is not None else first_label
        current = index == position
        links.append(PageLink(label, None if current else url_of(number), current))
        previous = index
    return Pagination(
        pages[position][0],
        tuple(links),
        url_of(pages[position - 1][0]) if position > 0 else None,
        url_of(pages[position + 1][0]) if position < last else None,
    )
