"""Each post's place on the new site, decided for all of them before any is written.

A post's file and URL must be unique across the import (ids and slugs repeat in real
exports), and its old URLs become redirects unless the new site uses them for something else;
deciding this first is what lets the second pass link any post to any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.catalogue import DRAFT_STATUSES, Catalogue
from blogsmith.authoring.wordpress.old_links import OldLinks
from blogsmith.authoring.wordpress.report import Report
from blogsmith.authoring.wordpress.site_config import OLD_FEEDS
from blogsmith.authoring.wordpress.slugs import post_slug
from blogsmith.authoring.wordpress.values import moment
from blogsmith.content.fields import is_site_alias
from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.config import Config, is_redirect_path
from blogsmith.core.urls import article_path, output_file
from blogsmith.plan.paths import in_search_folder, unwritable

_GENERATED = re.compile(
    r"^/(?:|search/|sidebar/|feed\.xml|sitemap\.xml|robots\.txt|404\.html|"
    r"(?:category|tag|page)/.*|\d{4}/(?:\d{2}/)?(?:page/\d+/)?)$"
)
"""Paths the site makes itself: an old URL there cannot become a redirect."""


@dataclass
class Plan:
    """One post or page to write, decided in the first pass."""

    id: str
    position: int
    """Where the item stands in the export: ids are not always unique."""
    kind: str
    key: str
    """Its file under content/."""
    path: str
    """Its URL path in the new site."""
    category: str | None
    draft: str | None
    """Why it is a draft (draft, pending review, scheduled), or None when published."""
    aliases: list[str]
    comment_feed_aliases: list[str] = field(default_factory=list)
    """The old URL of its comment feed (its old permalink's /feed/)."""


@dataclass
class Plans:
    """What the second pass writes by: each post's plan by its position in the export, and
    where the old site's links now lead."""

    by_position: dict[int, Plan]
    old_links: OldLinks


def plan_posts(catalogue: Catalogue, config: Config, report: Report) -> Plans:
    """Each post's file, URL and old URLs, unique across the import."""
    places = _Places(config)
    channel = catalogue.channel
    base = urlsplit(channel.base_blog_url or channel.link).path.rstrip("/")
    old_links = OldLinks(channel)
    by_position: dict[int, Plan] = {}
    first_with_id: dict[str, Plan] = {}
    for position, post in catalogue.posts:
        planned = places.take(position, post, catalogue)
        by_position[position] = planned
        first = first_with_id.setdefault(post.id, planned)
        query = "page_id" if planned.kind == "page" else "p"
        by_id = f"/?{query}={post.id}" if post.id.isdigit() and first is planned else ""
        _add_aliases(planned, post.link, base, by_id, report)
        old_links.add(post, query, planned.key)
    _drop_aliases_now_in_use(by_position.values(), places.paths, report)
    _note_duplicate_posts(by_position.values(), report)
    return Plans(by_position, old_links)


class _Places:
    """The files and URL paths taken so far: a post whose slug would take one again is given
    its id after the slug."""

    def __init__(self, config: Config) -> None:
        self.config, self.zone = config, config.zone
        self.keys: set[str] = set()
        self.paths: set[str] = set()

    def take(self, position: int, post: wxr.Item, catalogue: Catalogue) -> Plan:
        kind = "page" if post.type == "page" else "article"
        date = moment(post.date, post.date_gmt, self.zone)
        category = catalogue.category_of(post) if kind == "article" else None
        slug = post_slug(post, kind)
        while True:
            key = (
                f"pages/{slug}.md" if kind == "page" else f"articles/{date:%Y}/{date:%m}/{slug}.md"
            )
            path = article_path(self.config, kind, slug, category, date)
            if key not in self.keys and path not in self.paths:
                break
            slug = f"{slug}-{post.id}" if not slug.endswith(f"-{post.id}") else slug + "-2"
        self.keys.add(key)
        self.paths.add(path)
        draft = DRAFT_STATUSES.get(post.status)
        return Plan(post.id, position, kind, key, path, category, draft, [])


def _add_aliases(plan: Plan, link: str, base: str, by_id: str, report: Report) -> None:
    """The path of the post's old permalink `link` and `by_id` (its ?p= or ?page_id= URL)
    as redirects, when the new site can serve them there."""
    old = urlsplit(link)
    link_path = unquote(old.path) if link and not old.query else ""
    if link_path.startswith(base + "/"):
        link_path = link_path[len(base) :]
    for alias in (link_path, by_id):
        if (
            not alias
            or alias == plan.path
            or alias in plan.aliases
            or not is_site_alias(alias)
            or unwritable(output_file(alias.partition("?")[0]))
        ):
            continue
        if _GENERATED.match(alias.partition("?")[0]) and "?" not in alias:
            report.notes.append(
                f"content/{plan.key}: old URL {alias} is a page the site makes itself "
                "(home, archives, feeds); no redirect is made for it"
            )
            continue
        plan.aliases.append(alias)
    _add_comment_feed_alias(plan, link_path)


def _add_comment_feed_alias(plan: Plan, link_path: str) -> None:
    """The old permalink's /feed/ (the post's comment feed), when the new site can redirect
    it: not a feed of the site's own (the site's /comments/feed/), nor inside /search/."""
    feed = link_path + "feed/"
    if (
        link_path.endswith("/")
        and not _GENERATED.match(link_path)
        and feed not in OLD_FEEDS
        and is_redirect_path(feed)
        and not unwritable(output_file(feed))
        and not in_search_folder(output_file(feed))
    ):
        plan.comment_feed_aliases.append(feed)


def _drop_aliases_now_in_use(plans: Iterable[Plan], paths: set[str], report: Report) -> None:
    """An old URL that is now another page's own URL is that page's, not a redirect."""
    for plan in plans:
        clashing = [alias for alias in plan.aliases + plan.comment_feed_aliases if alias in paths]
        for alias in clashing:
            (plan.aliases if alias in plan.aliases else plan.comment_feed_aliases).remove(alias)
            report.notes.append(
                f"content/{plan.key}: old URL {alias} is now another page's URL; "
                "no redirect is made for it"
            )


def _note_duplicate_posts(plans: Iterable[Plan], report: Report) -> None:
    """WordPress's own importer test data has posts that share an id: each is its own post."""
    by_id: dict[str, list[Plan]] = {}
    for plan in plans:
        by_id.setdefault(plan.id, []).append(plan)
    for post_id, same in by_id.items():
        if len(same) > 1:
            files = ", ".join(f"{CONTENT_DIR}/{plan.key}" for plan in same)
            report.notes.append(
                f"post {post_id} appears {len(same)} times in the export: each is imported "
                f"({files}); its old ?p= URL leads to the first"
            )
