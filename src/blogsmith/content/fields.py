"""Check an article's front matter against the site format and turn it into typed values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from blogsmith.content.frontmatter import SplitSource
from blogsmith.content.model import Eyecatch, Source
from blogsmith.core.config import Config, is_redirect_path
from blogsmith.core.dates import EXPECTED_FORM, parse_datetime
from blogsmith.core.errors import ErrorBag, did_you_mean
from blogsmith.core.yamlread import YamlDoc

KINDS = ("article", "page")
_QUERY_ALIAS = re.compile(r"[A-Za-z0-9_-]+=[A-Za-z0-9_-]+")
_BAD_SLUG = re.compile(r"[/\\\s\x00-\x1f\x7f?#%]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _shape() -> Any:
    return field(metadata={"shape": True})


@dataclass(frozen=True)
class Meta:
    """Front matter that passed every check; `doc` stays for locating later (graph) errors.

    Its fields are the site format's front-matter fields, in the order the format lists
    them: the known-field list and the preview's shape fields are read off them."""

    title: str
    date: datetime | None = _shape()
    updated: datetime | None = _shape()
    category: str | None = _shape()
    slug: str = _shape()
    tags: tuple[str, ...] = _shape()
    summary: str
    author: str
    sources: tuple[Source, ...]
    eyecatch: Eyecatch | None
    related: tuple[str, ...] = _shape()
    aliases: tuple[str, ...] = _shape()
    comment_feed_aliases: tuple[str, ...] = _shape()
    draft: bool = _shape()
    kind: str = _shape()
    doc: YamlDoc = field(metadata={"front_matter": False})


KNOWN_FIELDS = tuple(f.name for f in fields(Meta) if f.metadata.get("front_matter", True))
SHAPE_FIELDS = tuple(f.name for f in fields(Meta) if f.metadata.get("shape"))
"""The front matter that decides pages, URLs, order and relations (the rest shows on pages
only): what the preview's patch, and a build keying only the pages an edit reaches
(cache.edit_reach), may not see change."""


def shape_of(meta: Meta) -> tuple:
    """An article's shape fields' values."""
    return tuple(getattr(meta, name) for name in SHAPE_FIELDS)


class _Checker:
    def __init__(self, parts: SplitSource, source: str, config: Config, bag: ErrorBag):
        self.doc = parts.meta
        self.data = self.doc.data
        self.where = source
        self.config = config
        self.bag = bag
        self.failed = False

    def error(self, key: tuple, message: str) -> None:
        self.failed = True
        self.bag.add(self.where, self.doc.line(*key), message)

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error((key,), f"missing required field '{key}'")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error((key,), f"'{key}' must be text, got {_shown(value)}")
            return default
        value = str(value).strip()
        if required and not value:
            self.error((key,), f"'{key}' must not be empty")
        return value

    def moment(self, key: str, required: bool) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error((key,), f"missing required field '{key}'; {EXPECTED_FORM}")
            return None
        try:
            return parse_datetime(value, self.config.zone)
        except ValueError as exc:
            self.error((key,), f"'{key}': {exc}; {EXPECTED_FORM}")
            return None

    def text_list(self, key: str, example: str) -> list[tuple[int, str]]:
        """(index, text) of a list of texts; a single text is taken as a list of one."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            self.error((key,), f"'{key}' must be a list, like {example}")
            return []
        items = []
        for index, item in enumerate(value):
            if (
                isinstance(item, bool)
                or not isinstance(item, (str, int, float))
                or not str(item).strip()
            ):
                self.error(
                    (key, index),
                    f"'{key}' item {index + 1} must be text, got "
                    f"{_shown(item)}; write a list like {example}",
                )
            else:
                items.append((index, str(item).strip()))
        return items


def check_meta(
    key: str, source: str, parts: SplitSource, config: Config, bag: ErrorBag
) -> Meta | None:
    """Typed front matter, or None after adding every problem of this file to `bag`."""
    doc = parts.meta
    if not isinstance(doc.data, dict):
        bag.add(
            source,
            doc.first_line,
            "front matter must be YAML keys like "
            "'title: ...', 'date: 2022-09-14 06:30', 'category: europe'",
        )
        return None
    c = _Checker(parts, source, config, bag)
    _warn_of_unknown_fields(c)
    kind = _kind(c)
    is_article = kind == "article"

    title = c.text("title", required=True)
    date = c.moment("date", required=is_article)
    updated = c.moment("updated", required=False)
    category = _category(c, required=is_article)
    slug = _slug(c, key)
    tags = tuple(dict.fromkeys(t for _, t in c.text_list("tags", "[アゼルバイジャン, アルメニア]")))
    summary = c.text("summary")
    author = c.text("author", default=config.author)
    sources = _sources(c)
    eyecatch = _eyecatch(c)
    related = tuple(r for _, r in c.text_list("related", "[sudden-clash, ../08/heavy-shelling.md]"))
    aliases = _aliases(c)
    comment_feed_aliases = _comment_feed_aliases(c)
    draft = c.data.get("draft", False)
    if not isinstance(draft, bool):
        c.error(("draft",), f"'draft' must be true or false, got {_shown(draft)}")
    if c.failed:
        return None
    return Meta(
        title=title,
        date=date,
        updated=updated,
        category=category,
        slug=slug,
        tags=tags,
        summary=summary,
        author=author,
        sources=sources,
        eyecatch=eyecatch,
        related=related,
        aliases=aliases,
        comment_feed_aliases=comment_feed_aliases,
        draft=bool(draft),
        kind=kind,
        doc=doc,
    )


def _warn_of_unknown_fields(c: _Checker) -> None:
    """Fields the format does not know are ignored, most often misspelt: a warning each."""
    for name in c.data:
        if name not in KNOWN_FIELDS:
            hint = did_you_mean(str(name), KNOWN_FIELDS)
            c.bag.warn(
                c.where,
                c.doc.line(str(name)),
                f"unknown field '{name}' is ignored;{hint}".rstrip(";"),
            )


def _kind(c: _Checker) -> str:
    """'article' or 'page' (an error, and checked as an article, when it is neither)."""
    kind = c.data.get("kind", "article")
    if kind not in KINDS:
        c.error(("kind",), f"'kind' must be 'article' or 'page', got {_shown(kind)}")
        kind = "article"
    return kind


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _category(c: _Checker, required: bool) -> str | None:
    value = c.data.get("category")
    declared = list(c.config.category_names)
    listing = ", ".join(sorted(declared)) or "(none: add a 'categories' mapping to blogsmith.yaml)"
    if value is None:
        if required:
            c.error(("category",), f"missing required field 'category'; use one of: {listing}")
        return None
    if not isinstance(value, str) or value not in declared:
        hint = did_you_mean(str(value), declared)
        c.error(
            ("category",), f"unknown category {_shown(value)};{hint} declared categories: {listing}"
        )
        return None
    return value


def _slug(c: _Checker, key: str) -> str:
    default = PurePosixPath(key).stem
    slug = c.text("slug", default=default) or default
    problem = slug_problem(slug)
    if problem:
        c.error(("slug",), problem)
    return slug


def slug_problem(slug: str) -> str | None:
    """What is wrong with `slug` as one URL segment, or None."""
    if _BAD_SLUG.search(slug) or slug in ("", ".", ".."):
        return (
            f"slug {slug!r} must not contain '/', '\\', spaces, '?', '#', '%' "
            "or control characters (it becomes one URL segment), like 'ceasefire-broken'"
        )
    return None


def is_site_alias(alias: str) -> bool:
    """A path on this site that cannot leave the output, with at most one ?name=value."""
    path, mark, query = alias.partition("?")
    return (
        path.startswith("/")
        and not path.startswith("//")
        and ".." not in path.split("/")
        and "\\" not in alias
        and "#" not in alias
        and not _CONTROL.search(alias)
        and (not mark or _QUERY_ALIAS.fullmatch(query) is not None)
    )


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _sources(c: _Checker) -> tuple[Source, ...]:
    value = c.data.get("sources")
    example = "'- title: ...' with 'url: https://...', or a bare URL"
    if value is None:
        return ()
    if not isinstance(value, list):
        c.error(("sources",), f"'sources' must be a list of {example}")
        return ()
    result = []
    for index, item in enumerate(value):
        key = ("sources", index)
        if isinstance(item, str):
            title, url = item.strip(), item.strip()
        elif isinstance(item, dict):
            url = item.get("url")
            title = item.get("title") or url
            if not isinstance(url, str):
                c.error(key, f"source {index + 1} needs a 'url'; each source is {example}")
                continue
            if not isinstance(title, str):
                c.error(key, f"source {index + 1}: 'title' must be text")
                continue
            title, url = title.strip(), url.strip()
        else:
            c.error(key, f"source {index + 1} must be {example}, got {_shown(item)}")
            continue
        if not is_web_url(url):
            c.error(
                key,
                f"source {index + 1}: {url!r} is not an http(s) URL; write it like "
                "https://example.com/article",
            )
            continue
        result.append(Source(title, url))
    return tuple(result)


def _eyecatch(c: _Checker) -> Eyecatch | None:
    value = c.data.get("eyecatch")
    if value is None:
        return None
    if isinstance(value, str):
        value = {"image": value}
    if not isinstance(value, dict) or not isinstance(value.get("image"), str):
        c.error(
            ("eyecatch",),
            "'eyecatch' needs 'image: /images/...' (and optionally 'alt' and 'credit')",
        )
        return None
    fields = {}
    for name in ("image", "alt", "credit"):
        item = value.get(name, "")
        if item is None:
            item = ""
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            c.error(("eyecatch", name), f"'eyecatch.{name}' must be text, got {_shown(item)}")
            return None
        fields[name] = str(item).strip()
    image = fields["image"]
    if not (image.startswith("/") or is_web_url(image)):
        c.error(
            ("eyecatch", "image"),
            f"'eyecatch.image' {image!r} must be a site path like "
            "/images/2022/09/photo.jpg (a file under static/) or an http(s) URL",
        )
        return None
    return Eyecatch(**fields)


def _aliases(c: _Checker) -> tuple[str, ...]:
    return _old_urls(
        c,
        "aliases",
        "[/archives/12345]",
        is_site_alias,
        "alias {!r} must be a path on this site like /archives/12345, without '..' or '#', "
        "and with at most one query of the form ?name=value (like /?p=123)",
    )


def _comment_feed_aliases(c: _Checker) -> tuple[str, ...]:
    """Old URLs of the article's comment feed (WordPress's /2019/01/post/feed/)."""
    return _old_urls(
        c,
        "comment_feed_aliases",
        "[/archives/12345/feed/]",
        is_redirect_path,
        "comment feed alias {!r} must be a path on this site like /archives/12345/feed/, "
        "without a query, '#', spaces or '..'",
    )


def _old_urls(c: _Checker, name: str, example: str, fits, refusal: str) -> tuple[str, ...]:
    """The list `name` of old URLs: each that `fits`, the others refused with `refusal`."""
    result = []
    for index, alias in c.text_list(name, example):
        if fits(alias):
            result.append(alias)
        else:
            c.error((name, index), refusal.format(alias))
    return tuple(result)
