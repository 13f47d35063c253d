"""blogsmith.yaml: each setting declared once (its type, default, check and the words of its
error) as a field of Config or of one of its sections, and read with every problem at once.

To add a setting, declare it here and use it (`config.comments.max_depth`); the reader
(core/settings.py) knows its key, its line and its default from the declaration."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blogsmith.core import yamlread
from blogsmith.core.errors import ErrorBag
from blogsmith.core.i18n import LANGUAGES
from blogsmith.core.settings import (
    CONFIG_NAME,
    Place,
    key_of,
    keys_of,
    matching,
    one_of,
    read_section,
    section,
    setting,
    text,
    true_or_false,
    web_address,
    whole_number,
    words,
)

PERMALINK_FIELDS = ("category", "slug", "year", "month", "day")
PAGINATIONS = ("stable", "newest-first")
SIDEBARS = ("shared", "inline")
ARCHIVE_LISTS = ("rows", "cards")
HOST_REDIRECTS = ("none", "netlify", "cloudflare", "s3")
MAX_COMMENT_DEPTH = 100
"""Replies nest on the page down to this depth at most: templates render threads by
recursion, and WordPress itself offers 10."""
MAIL_EXAMPLE = "smtp://blogsmith@mail.example.org:587"
DEPLOY_EXAMPLE = "file:///srv/www/, s3://news-archive/ or ssh://deploy@news.example.org/srv/www/"


class Category(NamedTuple):
    key: str
    name: str
    description: str = ""


def _smtp(value: object, place: Place) -> str | None:
    parts = urlsplit(value) if isinstance(value, str) else None
    try:
        port_ok = parts is not None and (parts.port or 0) >= 0
    except ValueError:
        port_ok = False
    if parts is None or parts.scheme not in ("smtp", "smtps") or not parts.hostname or not port_ok:
        place.refuse(
            f"'{place.name}' must be the SMTP server's URL, like {MAIL_EXAMPLE} "
            f"(smtps:// for TLS from the start), got {value!r}"
        )
        return None
    return value  # type: ignore[return-value]


_sender = matching(
    r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+",
    "the address notices are sent from, like comments@news.example.org",
)


def _tls_of(values: dict) -> str:
    """smtps:// speaks TLS from the start; any other server is asked for STARTTLS."""
    return "tls" if urlsplit(values.get("smtp", "")).scheme == "smtps" else "starttls"


@dataclass(frozen=True)
class MailConfig:
    """comments.mail: where the service's mail goes out. Given at all, it needs smtp and from."""

    smtp: str = setting("", _smtp, required=True)
    """The SMTP server notices go through (smtp://user:password@host:587); without it nothing
    is mailed and the form has no reply checkbox. The password may come from
    BLOGSMITH_SMTP_PASSWORD instead, so blogsmith.yaml can be committed."""
    sender: str = setting("", _sender, key="from", required=True)
    tls: str = setting("starttls", one_of("starttls", "tls", "none"), default_of=_tls_of)
    """starttls (required, the certificate checked), tls (implicit, port 465) or none (a relay
    on the same machine)."""
    batch_minutes: int = setting(5, whole_number(1, 24 * 60))
    """A moderator gets at most one mail about waiting comments in this many minutes."""


def _service_url(value: object, place: Place) -> str | None:
    url = web_address("the comment service's", "https://comments.news.example.org/")(value, place)
    return url if not url or url.endswith("/") else url + "/"


def _database(value: object, place: Place) -> str | None:
    if not isinstance(value, str) or not value.strip():
        example = "comments.sqlite3 or postgresql://blogsmith@localhost/comments"
        place.refuse(f"'{place.name}' must be text, like {example}")
        return None
    return value.strip()


def _command(value: object, place: Place) -> str | None:
    if not isinstance(value, str):
        place.refuse(f"'{place.name}' must be text, a command")
        return None
    return value.strip()


@dataclass(frozen=True)
class CommentsConfig:
    """comments: the threads on pages and the comment service."""

    max_depth: int = setting(5, whole_number(1, MAX_COMMENT_DEPTH))
    url: str = setting("", _service_url)
    """The comment service's public URL: pages get a comment form posting to it (none when
    unset, as a site without the service)."""
    database: str = setting("comments.sqlite3", _database)
    """An SQLite file (relative to the site folder) or a postgresql:// URL."""
    publish: str = setting("", _command)
    """A command run in the site folder after the service rebuilds (rsync, git push...)."""
    auto_approve: bool = setting(False, true_or_false)
    """Approve a reader whose earlier comment (same email, or name and address) was approved."""
    max_length: int = setting(4000, whole_number(100, 100_000))
    max_links: int = setting(3, whole_number(0, 100))
    per_hour: int = setting(10, whole_number(1, 100_000))
    """Comments one address may post in an hour."""
    blocked_words: tuple[str, ...] = setting((), words)
    """A comment holding one of these (after the search's folding) goes straight to spam."""
    held_words: tuple[str, ...] = setting((), words)
    """A comment holding one of these always waits for a moderator, auto-approval or not."""
    mail: MailConfig = section(MailConfig, f"smtp: {MAIL_EXAMPLE}")
    webhook: str = setting("", web_address("an", "https://hooks.slack.com/services/T000/B000/XXXX"))
    """A URL the waiting comments are posted to as JSON ({"text": ...}: Slack, Mattermost,
    Discord's /slack endpoint), batched as the moderators' mail."""

    @property
    def sends_mail(self) -> bool:
        """Whether the service mails (readers may then ask to hear of replies)."""
        return bool(self.mail.smtp and self.url)


@dataclass(frozen=True)
class FeedsConfig:
    entries: int = setting(20, whole_number(1))
    content: str = setting("full", one_of("full", "summary"))
    comments: str = setting("site", one_of("site", "all", "none"))
    """Comment feeds: "site" (the site's newest comments at /comments/feed.xml), "all" (and
    one per article with comments: 55 MB more at 10,000 reference articles) or "none"."""


def _widths(value: object, place: Place) -> tuple[int, ...] | None:
    if not (
        isinstance(value, list) and value and all(type(w) is int and 16 <= w <= 8192 for w in value)
    ):
        place.refuse(
            f"'{place.name}' must be a list of widths in pixels (16 to 8192), like "
            f"[210, 420, 740, 1480], got {value!r}"
        )
        return None
    return tuple(sorted(set(value)))


@dataclass(frozen=True)
class ImagesConfig:
    widths: tuple[int, ...] = setting((210, 420, 740, 1480), _widths)
    """The widths site images are resized to when wider: 1x and 2x of a card's thumbnail
    and of the article column on a phone and a desktop."""
    webp: bool = setting(True, true_or_false)
    quality: int = setting(80, whole_number(1, 100))
    keep_metadata: bool = setting(False, true_or_false)
    """Publish JPEG, PNG and WebP originals with their metadata as they are (GPS location,
    camera serial, owner); by default they are published without it."""


def _deploy_to(value: object, place: Place) -> str | None:
    value = value or ""
    if not isinstance(value, str) or (value and "://" not in value):
        place.refuse(
            f"'{place.name}' must be the URL to deploy to, like {DEPLOY_EXAMPLE}, got {value!r}"
        )
        return None
    return value.strip()


_cloudfront = matching(
    r"[A-Z0-9]*",
    "a CloudFront distribution id, capital letters and digits like E2QWRUHAPOMQZL",
    null_is_empty=True,
)


def _cache_control(raw: object, place: Place) -> tuple[tuple[str, str], ...] | None:
    """A list of {pattern, value}, checked item by item."""
    example = '[{pattern: "*.html", value: "public, max-age=300"}]'
    if not isinstance(raw or [], list):
        place.refuse(f"'{place.name}' must be a list of patterns and values, like {example}")
        return None
    rules = []
    for number, item in enumerate(raw or []):
        pattern = item.get("pattern") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if (
            not isinstance(pattern, str)
            or not pattern.strip()
            or not isinstance(value, str)
            or not value.strip()
            or set(item) - {"pattern", "value"}
            or re.search(r"[\x00-\x1f\x7f]", value)
        ):
            place.refuse(
                f"item {number + 1} of '{place.name}' must be a pattern on the file's "
                f"path and a Cache-Control value on one line, like {example[1:-1]}, got {item!r}",
                number,
            )
            continue
        rules.append((pattern.strip(), value.strip()))
    return None if place.failed else tuple(rules)


@dataclass(frozen=True)
class DeployConfig:
    to: str = setting("", _deploy_to)
    """Where `blogsmith deploy` sends the output when no --to is given (file://, s3://...)."""
    cloudfront: str = setting("", _cloudfront)
    """A CloudFront distribution whose changed paths a deploy invalidates."""
    invalidate_limit: int = setting(100, whole_number(1, 3000))
    cache_control: tuple[tuple[str, str], ...] | None = setting(None, _cache_control)
    """(pattern, Cache-Control value) pairs, first match wins; None: blogsmith's defaults."""


def _required_text(value: object, place: Place) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        place.refuse(f"missing required setting '{place.name}'")
        return None
    if not isinstance(value, str):
        place.refuse(f"'{place.name}' must be text, got {value!r}")
        return None
    return value.strip()


def _base_url(value: object, place: Place) -> str | None:
    url = _required_text(value, place)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        place.refuse(
            f"'{place.name}' must be an absolute http(s) URL like https://news.example.org/, "
            f"got '{url}'"
        )
        return None
    if parts.query or parts.fragment:
        place.refuse(f"'{place.name}' must not have a query or fragment")
        return None
    return url if url.endswith("/") else url + "/"


def _language(value: object, place: Place) -> str | None:
    if value not in LANGUAGES:
        place.refuse(f"'{place.name}' must be one of {', '.join(LANGUAGES)}, got {value!r}")
        return None
    return value  # type: ignore[return-value]


def _timezone(value: object, place: Place) -> str | None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        place.refuse(f"unknown timezone {value!r}; use an IANA name like Asia/Tokyo or UTC")
        return None
    return str(value)


def _permalink(permalink: object, place: Place) -> str | None:
    example = "like /{category}/{slug}/ or /{year}/{month}/{slug}.html"
    if not isinstance(permalink, str) or not permalink.startswith("/"):
        place.refuse(f"'permalink' must be a path starting with '/', {example}")
        return None
    fields = re.findall(r"\{([^{}]*)\}", permalink)
    unknown = [f for f in fields if f not in PERMALINK_FIELDS]
    if re.search(r"[\x00-\x20\x7f?#%\\]", permalink) or ".." in permalink.split("/"):
        place.refuse(
            "'permalink' must not hold spaces, control characters, '?', '#', '%', '\\' "
            f"or '..', {example}"
        )
    elif unknown:
        place.refuse(
            f"'permalink' has unknown field {{{unknown[0]}}}; "
            f"use {', '.join('{' + f + '}' for f in PERMALINK_FIELDS)}"
        )
    elif "slug" not in fields:
        place.refuse(f"'permalink' must contain {{slug}} so URLs are unique, {example}")
    elif not (permalink.endswith("/") or permalink.endswith(".html")):
        place.refuse(f"'permalink' must end with '/' or '.html', {example}")
    return None if place.failed else permalink


def _site_path(value: object, place: Place) -> str | None:
    """An image of the site, by its path from the site's root."""
    path = text(value, place)
    if path and not path.startswith("/"):
        place.refuse(f"'{place.name}' must be a site path like /images/logo.png, got {path!r}")
        return None
    return path


def _authors(value: object, place: Place) -> tuple[tuple[str, str], ...] | None:
    value = value or {}
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and isinstance(url, str) and url.startswith(("http://", "https://"))
        for name, url in value.items()
    ):
        place.refuse(
            "'authors' must map author names to the URL of a page about them, like "
            "'管理人: https://news.example.org/about/'"
        )
        return None
    return tuple(value.items())


def is_category_key(key: str) -> bool:
    """Letters and digits of any script (a Japanese key stays readable in its URLs), '-' and
    '_', starting with a letter or digit."""
    return re.fullmatch(r"[^\W_][\w-]*", key) is not None


def _categories(raw: object, place: Place) -> tuple[Category, ...]:
    """Each category as `key: name` or `key: {name: ..., description: ...}`; the good ones
    are kept, so that their articles' own checks still run."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        place.refuse("'categories' must map keys to display names, like 'europe: 欧州関連'")
        return ()
    categories = []
    for key, value in raw.items():
        if not isinstance(key, str) or not is_category_key(key):
            place.refuse(
                f"category key {key!r} must be letters, digits, '-' or "
                "'_' (it becomes part of URLs), like 'europe' or 'あさひ'",
                str(key),
            )
            continue
        name, description = value, ""
        if isinstance(value, dict):
            name, description = value.get("name"), value.get("description", "")
            if not isinstance(description, str):
                place.refuse(f"category '{key}': 'description' must be text", key)
                continue
        if not isinstance(name, str) or not name.strip():
            place.refuse(
                f"category '{key}' needs a display name after the colon, like 'europe: 欧州関連'",
                key,
            )
            continue
        categories.append(Category(key, name.strip(), description.strip()))
    return tuple(categories)


class Redirect(NamedTuple):
    """An old path of the site (`redirects` in blogsmith.yaml) and where it now leads."""

    old: str
    new: str
    line: int


_SITE_PATH = re.compile(r"/(?!/)[^\x00-\x20\x7f?#\\]*")
"""A path of this site as a redirect names it: no query, fragment, space or backslash."""


def is_redirect_path(path: object) -> bool:
    return (
        isinstance(path, str)
        and _SITE_PATH.fullmatch(path) is not None
        and ".." not in path.split("/")
    )


def _redirects(raw: object, place: Place) -> tuple[Redirect, ...] | None:
    example = "'/comments/feed/: /comments/feed.xml'"
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        place.refuse(f"'redirects' must map old paths to where they now lead, like {example}")
        return None
    found = []
    for old, new in raw.items():
        if not (is_redirect_path(old) and is_redirect_path(new)):
            place.refuse(
                f"redirect {old!r} -> {new!r} must be two paths of this site, like {example}, "
                "without a query, '#', spaces or '..'",
                old,
            )
            continue
        found.append(Redirect(old, new, place.doc.line(*place.path, old)))
    return tuple(found)


def _japanese(values: dict) -> bool:
    return values.get("language", "ja") == "ja"


@dataclass(frozen=True)
class Config:
    """The site's settings: blogsmith.yaml's keys in the order the site format lists them."""

    title: str = setting(check=_required_text, required=True)
    base_url: str = setting(check=_base_url, required=True)
    language: str = setting("ja", _language)
    timezone: str = setting("Asia/Tokyo", _timezone)
    permalink: str = setting("/{category}/{slug}/", _permalink)
    per_page: int = setting(10, whole_number(1))
    related_count: int = setting(6, whole_number(0))
    recent_count: int = setting(5, whole_number(0))
    excerpt_length: int = setting(0, whole_number(0))
    comments: CommentsConfig = section(CommentsConfig, "max_depth: 5")
    search: bool = setting(True, true_or_false)
    feeds: FeedsConfig = section(FeedsConfig, "entries: 20")
    line_breaks: bool = setting(True, true_or_false, default_of=_japanese)
    """A single newline inside a paragraph is a <br> (as WordPress and Japanese news blogs
    show it); the default is true for ja, false for en."""
    images: ImagesConfig = section(ImagesConfig, "quality: 80")
    pagination: str = setting(PAGINATIONS[0], one_of(*PAGINATIONS))
    """stable: older list pages are numbered from the oldest article and never shift;
    newest-first: page 2 holds the 11th to 20th newest, so every page shifts on an addition."""
    sidebar: str = setting(SIDEBARS[0], one_of(*SIDEBARS))
    """inline: every page carries the sidebar; shared: one sidebar page framed by every page,
    so an addition does not rewrite every page of the site."""
    archive_lists: str = setting(ARCHIVE_LISTS[0], one_of(*ARCHIVE_LISTS))
    """rows: tag, year and month pages list their articles one line each (date, category,
    title), a third of a card's bytes; cards: with a picture and an excerpt, as the home and
    category pages always do."""
    authors: tuple[tuple[str, str], ...] = setting((), _authors)
    """Author name -> the URL of a page about them, for structured data (name and url)."""
    description: str = setting("", text)
    author: str = setting("", text)
    logo: str = setting("", _site_path)
    twitter: str = setting("", text)
    default_image: str = setting("", _site_path)
    """The image an article without an eyecatch is shown with where one is needed (its
    structured data); the logo when not set."""
    categories: tuple[Category, ...] = setting((), _categories)
    redirects: tuple[Redirect, ...] = setting((), _redirects)
    """Old paths of the site that lead elsewhere now (WordPress's /feed/ and /comments/feed/
    after an import): a redirect page each, and a line of the host's redirect file."""
    host_redirects: str = setting(HOST_REDIRECTS[0], one_of(*HOST_REDIRECTS))
    """netlify or cloudflare: /_redirects lists the redirects of `redirects` and of the
    comment-feed aliases, which the host answers with a 301 (a feed reader does not follow a
    redirect page); s3: `blogsmith deploy` makes those pages S3 website redirects."""
    deploy: DeployConfig = section(DeployConfig, f"to: {DEPLOY_EXAMPLE.split(',')[0]}")

    def __post_init__(self) -> None:
        # Made now, never on first use: a Config is pickled for the workers in one thread
        # while the main thread reads it, and a first use would change it meanwhile.
        _ = self.base_path

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': every site URL starts with it
        (asked for each of the hundreds of thousands of links a build makes)."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def excerpt_chars(self) -> int:
        if self.excerpt_length:
            return self.excerpt_length
        return 80 if self.language == "ja" else 200

    @property
    def category_names(self) -> dict[str, str]:
        return {category.key: category.name for category in self.categories}

    def __getattr__(self, name: str):
        """The flat names settings had before sections (`site.comments_url` in a site's own
        templates written for them) still read the nested setting."""
        path = _flat_names().get(name)
        if path is None:
            raise AttributeError(name)
        value = self
        for part in path:
            value = getattr(value, part)
        return value


@functools.cache
def _flat_names() -> dict[str, tuple[str, ...]]:
    """comments_mail_from -> (comments, mail, sender), and so on for every section."""
    names: dict[str, tuple[str, ...]] = {}
    for declared in dataclasses.fields(Config):
        if "section" not in declared.metadata:
            continue
        prefix = {"feeds": "feed", "images": "image"}.get(declared.name, declared.name)
        for inner in dataclasses.fields(declared.metadata["section"]):
            flat = f"{prefix}_{key_of(inner)}"
            names[flat] = (declared.name, inner.name)
            if "section" in inner.metadata:
                for deeper in dataclasses.fields(inner.metadata["section"]):
                    names[f"{flat}_{key_of(deeper)}"] = (declared.name, inner.name, deeper.name)
    names["comments_mail"] = ("comments", "sends_mail")  # it said whether mail is sent
    return names


KNOWN_KEYS = keys_of(Config)
COMMENT_KEYS = keys_of(CommentsConfig)
MAIL_KEYS = keys_of(MailConfig)
IMAGE_KEYS = keys_of(ImagesConfig)
FEED_KEYS = keys_of(FeedsConfig)
DEPLOY_KEYS = keys_of(DeployConfig)


def load_config(site_dir: Path, bag: ErrorBag) -> Config | None:
    """The site's config, or None (with errors in `bag`) when it cannot be used."""
    path = site_dir / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        bag.add(
            CONFIG_NAME,
            0,
            f"not found in {site_dir}; a site needs {CONFIG_NAME} with "
            "at least 'title' and 'base_url' (run blogsmith in the site's folder or pass "
            "--site DIR)",
        )
        return None
    except UnicodeDecodeError as exc:
        bag.add(CONFIG_NAME, 0, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    try:
        doc = yamlread.parse(text, depth=3)  # comments.mail.smtp
    except yamlread.YamlSyntaxError as exc:
        bag.add(CONFIG_NAME, exc.line, f"invalid YAML: {exc.problem}")
        return None
    return validate_config(doc, bag)


def require_config(site_dir: Path) -> Config:
    """The site's config for commands that only read it; BuildError with its problems."""
    bag = ErrorBag()
    config = load_config(site_dir, bag)
    bag.raise_if_any()
    assert config is not None
    return config


def validate_config(doc: yamlread.YamlDoc, bag: ErrorBag) -> Config | None:
    """The config of a parsed blogsmith.yaml, or None when any setting was refused."""
    if not isinstance(doc.data, dict):
        bag.add(CONFIG_NAME, doc.first_line, "must be a mapping of settings like 'title: My news'")
        return None
    return read_section(Config, doc.data, (), doc, bag)
