"""The first pass: what every post needs from the others, read before any is written.

Attachments (for images and eyecatches), the channel's authors and terms, the categories the
posts use with their keys on the new site, and the posts and pages to import, kept without
their bodies and comments so that memory does not grow with the export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.content import Attachment
from blogsmith.authoring.wordpress.report import Report
from blogsmith.authoring.wordpress.slugs import category_key
from blogsmith.authoring.wordpress.values import plain

PLANNING_META_KEYS = ("_yoast_wpseo_primary_category",)
DRAFT_STATUSES = {"draft": "draft", "pending": "pending review", "future": "scheduled"}
SKIPPED_STATUSES = {
    "private": "private",
    "trash": "in the trash",
    "auto-draft": "an unsaved auto-draft",
    "inherit": "a revision",
}


@dataclass
class Catalogue:
    channel: wxr.Channel
    attachments: dict[str, Attachment]
    posts: list[tuple[int, wxr.Item]]
    """Posts and pages to import, by position in the export, without their bodies and
    comments (first pass)."""
    categories: dict[str, str]
    """Category key -> display name, for every category a post uses."""
    term_keys: dict[str, str]
    """A WordPress category slug -> its key."""

    @classmethod
    def scan(cls, export: Path, report: Report, existing: dict[str, str]) -> Catalogue:
        """`existing`: the site's categories (key -> name); a WordPress category of the same
        name is imported into it."""
        channel = wxr.Channel()
        attachments: dict[str, Attachment] = {}
        posts: list[tuple[int, wxr.Item]] = []
        for position, item in enumerate(wxr.read(export)):
            if isinstance(item, wxr.Channel):
                channel = item
                continue
            if item.type == "attachment":
                attachments[item.id] = Attachment(
                    item.attachment_url,
                    plain(item.excerpt),
                    item.meta.get("_wp_attachment_image_alt", ""),
                    plain(item.title),
                    item.parent,
                )
            elif item.type not in ("post", "page"):
                report.skipped_types[item.type] += 1
            elif _skip_reason(item):
                report.skipped.append(
                    f"{item.type} {item.id} {plain(item.title)!r}: {_skip_reason(item)}"
                )
            else:
                # What the plan needs; the second pass reads the rest again.
                item.content, item.excerpt, item.comments = "", "", []
                item.meta = {k: v for k, v in item.meta.items() if k in PLANNING_META_KEYS}
                posts.append((position, item))
        catalogue = cls(channel, attachments, posts, {}, {})
        catalogue._categories(existing)
        return catalogue

    def _categories(self, existing: dict[str, str]) -> None:
        names = {t.slug: plain(t.name) for t in self.channel.terms if t.kind == "category"}
        by_name = {name: key for key, name in existing.items()}
        fallback = "未分類" if self.channel.language.startswith("ja") else "Uncategorized"
        for _, post in self.posts:
            if post.type != "post":
                continue
            slug, name = _primary_category(post, self.channel)
            if slug is None:
                slug, name = "uncategorized", fallback
            if slug in self.term_keys:
                continue
            shown = plain(name) or names.get(slug) or slug
            key = by_name.get(shown) or category_key(slug, shown, set(self.categories))
            self.term_keys[slug] = key
            self.categories[key] = existing.get(key, shown)

    def category_of(self, post: wxr.Item) -> str:
        """The key of the category an article goes into."""
        slug, _ = _primary_category(post, self.channel)
        return self.term_keys[slug if slug is not None else "uncategorized"]


def _skip_reason(item: wxr.Item) -> str | None:
    """Why a post or page is not imported, or None when it is."""
    if item.password:
        return "password-protected (its text is not meant for everyone)"
    if item.status in SKIPPED_STATUSES:
        return SKIPPED_STATUSES[item.status]
    if item.status != "publish" and item.status not in DRAFT_STATUSES:
        return f"status {item.status!r}"
    return None


def _primary_category(post: wxr.Item, channel: wxr.Channel) -> tuple[str | None, str]:
    """Yoast's primary category when the post names one, else its first category."""
    categories = [(t.slug, t.name) for t in post.terms if t.kind == "category" and t.slug]
    primary = post.meta.get("_yoast_wpseo_primary_category", "").strip()
    for term in channel.terms:
        if primary and term.kind == "category" and term.id == primary:
            return term.slug, term.name
    return categories[0] if categories else (None, "")
