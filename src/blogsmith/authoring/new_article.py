"""`blogsmith new`: start an article with its front matter filled in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from blogsmith.content.fields import slug_problem
from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.config import CONFIG_NAME, require_config
from blogsmith.core.urls import tag_slug
from blogsmith.core.yamlwrite import front_matter

LONGEST_SLUG = 60


class NewArticleRefused(Exception):
    """Why the article was not created, said as the editor should read it."""


def title_slug(title: str, longest: int = LONGEST_SLUG) -> str:
    """A slug made from a title the way tag URLs are: Japanese kept as it is (no
    transliteration), full-width forms folded, Latin letters lowercased, every run of spaces
    and punctuation one '-', cut at a '-' to at most `longest` characters.
    '停戦は40分で破綻 (続報)' -> '停戦は40分で破綻-続報'."""
    slug = tag_slug(title)
    if len(slug) > longest:
        cut = slug[:longest]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def new_article(
    site_dir: Path,
    title: str,
    category: str,
    slug: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Create content/articles/YYYY/MM/<slug>.md; returns its path."""
    config = require_config(site_dir)
    names = config.category_names
    if category not in names:
        known = ", ".join(f"{key} ({name})" for key, name in names.items()) or "none"
        raise NewArticleRefused(
            f"unknown category {category!r}; the categories in {CONFIG_NAME} are: {known}"
        )
    if not title.strip():
        raise NewArticleRefused("the title is empty; give the article's title in quotes")
    moment = (now or datetime.now(config.zone)).astimezone(config.zone)
    slug = slug if slug is not None else title_slug(title) or moment.strftime("%Y%m%d-%H%M%S")
    problem = slug_problem(slug)
    if problem:
        raise NewArticleRefused(f"{problem}; choose another with --slug")
    folder = site_dir / CONTENT_DIR / "articles" / f"{moment:%Y}" / f"{moment:%m}"
    path = folder / f"{slug}.md"
    if path.exists():
        raise NewArticleRefused(
            f"{path} already exists and is left as it is; choose another slug with --slug"
        )
    fields = {
        "title": title.strip(),
        "date": moment.replace(second=0, microsecond=0, tzinfo=None).strftime("%Y-%m-%d %H:%M"),
        "category": category,
        "tags": [],
        "sources": [],
    }
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as stream:  # never over a file made meanwhile
        stream.write(front_matter(fields, ""))
    return path
