"""Redirects that are not an article's old page URLs: blogsmith.yaml's `redirects` (an old
section, WordPress's /feed/) and the old URLs of an article's comment feed
(`comment_feed_aliases`, WordPress's /2019/01/post/feed/).

Each gets the redirect page an article's alias gets, which sends a browser on. A feed reader
does not run a page's script or read its refresh, so these redirects are also the lines of
the host's redirect file (`host_redirects`): /_redirects, which Netlify and Cloudflare Pages
answer with a 301. Article aliases stay pages only: a browser is what follows them, and
Cloudflare reads at most 2,000 lines.
"""

from __future__ import annotations

from blogsmith.core import urls
from blogsmith.core.config import Config
from blogsmith.core.errors import ErrorBag
from blogsmith.core.settings import CONFIG_NAME
from blogsmith.graph.content_graph import Graph
from blogsmith.plan.job import Job

REDIRECT = "redirect.html"
HOST_REDIRECTS = "host-redirects.txt"
"""The template of the host's redirect file."""
CLOUDFLARE_LINES = 2000
"""The static redirects Cloudflare Pages reads; it ignores the lines after them."""


def comment_feed_of(article, config: Config) -> str:
    """Where an old comment feed of `article` leads: its own comment feed with
    `feeds.comments: all`, the site's with `site`, its page when there are no comment feeds
    (or it is a draft, which no feed lists)."""
    if config.feeds.comments == "none" or article.draft:
        return article.path
    if config.feeds.comments == "all":
        return urls.comments_feed_path(article.path)
    return urls.COMMENTS_FEED_PATH


def redirect_jobs(graph: Graph) -> list[Job]:
    """A redirect page for each comment-feed alias and each of blogsmith.yaml's redirects."""
    jobs = []
    for key, article in graph.articles.items():
        if article.comment_feed_aliases:
            to = comment_feed_of(article, graph.config)
            line = graph.docs[key].line
            jobs += [
                Job(alias, REDIRECT, {"to": to}, article.source, line("comment_feed_aliases", n))
                for n, alias in enumerate(article.comment_feed_aliases)
            ]
    jobs += [
        Job(redirect.old, REDIRECT, {"to": redirect.new}, CONFIG_NAME, redirect.line)
        for redirect in graph.config.redirects
    ]
    return jobs


def host_redirects_job(jobs: list[Job], config: Config, bag: ErrorBag) -> Job | None:
    """The host's redirect file, listing the redirects of `redirect_jobs`; None when
    `host_redirects` is none or there are none."""
    if config.host_redirects == "none":
        return None
    lines = tuple(
        (urls.public_url(config, job.path), urls.public_url(config, job.context["to"]))
        for job in jobs
        if job.template == REDIRECT and "to" in job.context
    )
    if not lines:
        return None
    if config.host_redirects == "cloudflare" and len(lines) > CLOUDFLARE_LINES:
        bag.warn(
            CONFIG_NAME,
            0,
            f"/_redirects has {len(lines):,} redirects and Cloudflare Pages reads the first "
            f"{CLOUDFLARE_LINES:,} only; the others answer with their redirect pages",
        )
    # Netlify serves a file where there is one (the redirect page) unless the rule is forced.
    status = "301!" if config.host_redirects == "netlify" else "301"
    return Job(
        urls.HOST_REDIRECTS_PATH,
        HOST_REDIRECTS,
        {"redirects": lines, "status": status},
        "the host's redirect file",
    )


def check_redirect_targets(jobs: list[Job], statics: dict[str, str], bag: ErrorBag) -> None:
    """Every redirect leads to a page, a feed or a static file the build writes."""
    redirecting = [job for job in jobs if job.template == REDIRECT and "to" in job.context]
    if not redirecting:  # most sites: no set of every output file made for nothing
        return
    written = {job.output_file for job in jobs}
    for job in redirecting:
        to = job.context["to"]
        target = urls.output_file(to)
        if target not in written and target not in statics:
            bag.add(
                job.origin,
                job.line,
                f"redirect {job.path} -> {to} leads nowhere: no page, feed or static file of "
                "the site is at that path; name one the build writes, like /comments/feed.xml",
            )
