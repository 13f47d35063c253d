"""Read and validate blogsmith.yaml, reporting every problem at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blogsmith.core import yamlread
from blogsmith.core.errors import ErrorBag, did_you_mean
from blogsmith.core.i18n import LANGUAGES

CONFIG_NAME = "blogsmith.yaml"
PERMALINK_FIELDS = ("category", "slug", "year", "month", "day")
KNOWN_KEYS = (
    "title base_url language timezone permalink per_page related_count comments categories"
    " description author recent_count excerpt_length search feeds logo twitter"
    " pagination sidebar images line_breaks authors default_image deploy"
).split()
PAGINATIONS = ("stable", "newest-first")
SIDEBARS = ("shared", "inline")


@dataclass(frozen=True)
class Config:
    title: str
    base_url: str
    language: str = "ja"
    timezone: str = "Asia/Tokyo"
    permalink: str = "/{category}/{slug}/"
    per_page: int = 10
    related_count: int = 6
    comments_max_depth: int = 5
    comments_url: str = ""
    """The comment service's public URL: pages get a comment form posting to it (none when
    unset, as a site without the service)."""
    comments_database: str = "comments.sqlite3"
    """An SQLite file (relative to the site folder) or a postgresql:// URL."""
    comments_publish: str = ""
    """A command run in the site folder after the service rebuilds (rsync, git push...)."""
    comments_auto_approve: bool = False
    """Approve a reader whose earlier comment (same email, or name and address) was approved."""
    comments_max_length: int = 4000
    comments_max_links: int = 3
    comments_per_hour: int = 10
    """Comments one address may post in an hour."""
    comments_blocked_words: tuple[str, ...] = ()
    """A comment holding one of these (after the search's folding) goes straight to spam."""
    comments_held_words: tuple[str, ...] = ()
    """A comment holding one of these always waits for a moderator, auto-approval or not."""
    comments_mail_smtp: str = ""
    """The SMTP server notices go through (smtp://user:password@host:587); without it nothing
    is mailed and the form has no reply checkbox. The password may come from
    BLOGSMITH_SMTP_PASSWORD instead, so blogsmith.yaml can be committed."""
    comments_mail_from: str = ""
    comments_mail_tls: str = "starttls"
    """starttls (required, the certificate checked), tls (implicit, port 465) or none (a relay
    on the same machine)."""
    comments_mail_batch_minutes: int = 5
    """A moderator gets at most one mail about waiting comments in this many minutes."""
    comments_webhook: str = ""
    """A URL the waiting comments are posted to as JSON ({"text": ...}: Slack, Mattermost,
    Discord's /slack endpoint), batched as the moderators' mail."""
    categories: tuple[tuple[str, str], ...] = ()
    description: str = ""
    author: str = ""
    recent_count: int = 5
    excerpt_length: int = 0
    search: bool = True
    feed_entries: int = 20
    feed_content: str = "full"
    feed_comments: str = "site"
    """Comment feeds: "site" (the site's newest comments at /comments/feed.xml), "all" (and
    one per article with comments: 55 MB more at 10,000 reference articles) or "none"."""
    logo: str = ""
    twitter: str = ""
    pagination: str = "stable"
    """stable: older list pages are numbered from the oldest article and never shift;
    newest-first: page 2 holds the 11th to 20th newest, so every page shifts on an addition."""
    sidebar: str = "shared"
    """inline: every page carries the sidebar; shared: one sidebar page framed by every page,
    so an addition does not rewrite every page of the site."""
    image_widths: tuple[int, ...] = (210, 420, 740, 1480)
    """The widths site images are resized to when wider: 1x and 2x of a card's thumbnail
    and of the article column on a phone and a desktop."""
    image_webp: bool = True
    image_quality: int = 80
    image_keep_metadata: bool = False
    """Publish JPEG, PNG and WebP originals with their metadata as they are (GPS location,
    camera serial, owner); by default they are published without it."""
    authors: tuple[tuple[str, str], ...] = ()
    """Author name -> the URL of a page about them, for structured data (name and url)."""
    default_image: str = ""
    """The image an article without an eyecatch is shown with where one is needed (its
    structured data); the logo when not set."""
    category_descriptions: tuple[tuple[str, str], ...] = ()
    line_breaks: bool = True
    """A single newline inside a paragraph is a <br> (as WordPress and Japanese news blogs
    show it); the default is true for ja, false for en."""
    deploy_to: str = ""
    """Where `blogsmith deploy` sends the output when no --to is given (file://, s3://...)."""
    deploy_cloudfront: str = ""
    """A CloudFront distribution whose changed paths a deploy invalidates."""
    deploy_invalidate_limit: int = 100
    deploy_cache_control: tuple[tuple[str, str], ...] | None = None
    """(pattern, Cache-Control value) pairs, first match wins; None: blogsmith's defaults."""

    @property
    def comments_mail(self) -> bool:
        """Whether the service mails (readers may then ask to hear of replies)."""
        return bool(self.comments_mail_smtp and self.comments_url)

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
        return dict(self.categories)


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
    data = doc.data
    where = CONFIG_NAME
    if not isinstance(data, dict):
        bag.add(where, doc.first_line, "must be a mapping of settings like 'title: My news'")
        return None
    start = len(bag.errors)
    for key in data:
        if key not in KNOWN_KEYS:
            hint = did_you_mean(str(key), KNOWN_KEYS)
            bag.warn(where, doc.line(key), f"unknown setting '{key}' is ignored;{hint}".rstrip(";"))

    values: dict[str, object] = {}
    for key in ("title", "base_url"):
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            bag.add(where, doc.line(key), f"missing required setting '{key}'")
        elif not isinstance(value, str):
            bag.add(where, doc.line(key), f"'{key}' must be text, got {value!r}")
        else:
            values[key] = value.strip()

    base_url = values.get("base_url")
    if isinstance(base_url, str):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            bag.add(
                where,
                doc.line("base_url"),
                "'base_url' must be an absolute http(s) URL "
                f"like https://news.example.org/, got '{base_url}'",
            )
        elif parts.query or parts.fragment:
            bag.add(where, doc.line("base_url"), "'base_url' must not have a query or fragment")
        elif not base_url.endswith("/"):
            values["base_url"] = base_url + "/"

    language = data.get("language", "ja")
    if language not in LANGUAGES:
        bag.add(
            where,
            doc.line("language"),
            f"'language' must be one of {', '.join(LANGUAGES)}, got {language!r}",
        )
    else:
        values["language"] = language

    timezone = data.get("timezone", "Asia/Tokyo")
    try:
        ZoneInfo(str(timezone))
        values["timezone"] = str(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        bag.add(
            where,
            doc.line("timezone"),
            f"unknown timezone {timezone!r}; use an IANA name like Asia/Tokyo or UTC",
        )

    permalink = data.get("permalink", "/{category}/{slug}/")
    if _check_permalink(permalink, doc, bag):
        values["permalink"] = permalink

    for key, default, minimum in (
        ("per_page", 10, 1),
        ("related_count", 6, 0),
        ("recent_count", 5, 0),
        ("excerpt_length", 0, 0),
    ):
        number = _int_setting(data, doc, bag, (key,), default, minimum)
        if number is not None:
            values[key] = number

    comments = data.get("comments", {}) or {}
    if not isinstance(comments, dict):
        bag.add(where, doc.line("comments"), "'comments' must be a mapping like 'max_depth: 5'")
    else:
        depth = _int_setting(comments, doc, bag, ("comments", "max_depth"), 5, 1, MAX_COMMENT_DEPTH)
        if depth is not None:
            values["comments_max_depth"] = depth
        _comment_service(comments, doc, bag, values)

    search = _bool_setting(data, doc, bag, ("search",), True)
    if search is not None:
        values["search"] = search

    feeds = data.get("feeds", {}) or {}
    if not isinstance(feeds, dict):
        bag.add(where, doc.line("feeds"), "'feeds' must be a mapping like 'entries: 20'")
    else:
        _warn_unknown("feeds", feeds, FEED_KEYS, doc, bag)
        entries = _int_setting(feeds, doc, bag, ("feeds", "entries"), 20, 1)
        if entries is not None:
            values["feed_entries"] = entries
        for key, choices in (
            ("content", ("full", "summary")),
            ("comments", ("site", "all", "none")),
        ):
            chosen = _choice_setting(feeds, doc, bag, ("feeds", key), choices)
            if chosen is not None:
                values[f"feed_{key}"] = chosen

    japanese = values.get("language", "ja") == "ja"
    line_breaks = _bool_setting(data, doc, bag, ("line_breaks",), japanese)
    if line_breaks is not None:
        values["line_breaks"] = line_breaks

    images = data.get("images", {}) or {}
    if not isinstance(images, dict):
        bag.add(where, doc.line("images"), "'images' must be a mapping like 'quality: 80'")
    else:
        _warn_unknown("images", images, IMAGE_KEYS, doc, bag)
        widths = images.get("widths", list(Config.image_widths))
        if not (
            isinstance(widths, list)
            and widths
            and all(type(w) is int and 16 <= w <= 8192 for w in widths)
        ):
            bag.add(
                where,
                doc.line("images", "widths"),
                f"'images.widths' must be a list of widths in pixels (16 to 8192), like "
                f"[210, 420, 740, 1480], got {widths!r}",
            )
        else:
            values["image_widths"] = tuple(sorted(set(widths)))
        webp = _bool_setting(images, doc, bag, ("images", "webp"), True)
        if webp is not None:
            values["image_webp"] = webp
        quality = _int_setting(images, doc, bag, ("images", "quality"), 80, 1, 100)
        if quality is not None:
            values["image_quality"] = quality
        keep = _bool_setting(images, doc, bag, ("images", "keep_metadata"), False)
        if keep is not None:
            values["image_keep_metadata"] = keep

    for key, choices in (("pagination", PAGINATIONS), ("sidebar", SIDEBARS)):
        value = data.get(key, choices[0])
        if value not in choices:
            bag.add(
                where,
                doc.line(key),
                f"'{key}' must be {' or '.join(choices)}, got {value!r}",
            )
        else:
            values[key] = value

    authors = data.get("authors", {}) or {}
    if not isinstance(authors, dict) or not all(
        isinstance(name, str) and isinstance(url, str) and url.startswith(("http://", "https://"))
        for name, url in authors.items()
    ):
        bag.add(
            where,
            doc.line("authors"),
            "'authors' must map author names to the URL of a page about them, like "
            "'管理人: https://news.example.org/about/'",
        )
    else:
        values["authors"] = tuple(authors.items())

    for key in ("description", "author", "logo", "twitter", "default_image"):
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            bag.add(where, doc.line(key), f"'{key}' must be text, got {value!r}")
        else:
            values[key] = value

    for key in ("logo", "default_image"):
        image = values.get(key, "")
        if image and not image.startswith("/"):
            bag.add(
                where,
                doc.line(key),
                f"'{key}' must be a site path like /images/logo.png, got {image!r}",
            )
    values["categories"], values["category_descriptions"] = _categories(
        data.get("categories", {}), doc, bag
    )
    _deploy(data.get("deploy", {}), doc, bag, values)
    if len(bag.errors) > start:
        return None
    return Config(**values)  # type: ignore[arg-type]


MAX_COMMENT_DEPTH = 100
"""Replies nest on the page down to this depth at most: templates render threads by
recursion, and WordPress itself offers 10."""


def _warn_unknown(section: str, settings: dict, known: list[str], doc, bag: ErrorBag) -> None:
    """A warning, with a did-you-mean, for each key of a section blogsmith does not know."""
    for key in settings:
        if key not in known:
            hint = did_you_mean(str(key), known)
            bag.warn(
                CONFIG_NAME,
                doc.line(*section.split("."), key),
                f"unknown setting '{section}.{key}' is ignored;{hint}".rstrip(";"),
            )


IMAGE_KEYS = "widths webp quality keep_metadata".split()
FEED_KEYS = "entries content comments".split()
COMMENT_KEYS = (
    "max_depth url database publish auto_approve max_length max_links per_hour blocked_words "
    "held_words mail webhook"
).split()
MAIL_KEYS = "smtp from tls batch_minutes".split()
MAIL_EXAMPLE = "smtp://blogsmith@mail.example.org:587"


def _comment_service(comments: dict, doc, bag: ErrorBag, values: dict) -> None:
    """The comment service's settings, under `comments:`."""
    _warn_unknown("comments", comments, COMMENT_KEYS, doc, bag)
    url = _web_address(
        comments, doc, bag, "url", "the comment service's", "https://comments.news.example.org/"
    )
    if url:
        values["comments_url"] = url if url.endswith("/") else url + "/"
    for key in ("database", "publish"):
        value = comments.get(key, getattr(Config, f"comments_{key}"))
        if not isinstance(value, str) or (key == "database" and not value.strip()):
            example = "comments.sqlite3 or postgresql://blogsmith@localhost/comments"
            bag.add(
                CONFIG_NAME,
                doc.line("comments", key),
                f"'comments.{key}' must be text"
                + (f", like {example}" if key == "database" else ", a command"),
            )
        else:
            values[f"comments_{key}"] = value.strip()
    auto = _bool_setting(comments, doc, bag, ("comments", "auto_approve"), False)
    if auto is not None:
        values["comments_auto_approve"] = auto
    for key, default, minimum, maximum in (
        ("max_length", 4000, 100, 100_000),
        ("max_links", 3, 0, 100),
        ("per_hour", 10, 1, 100_000),
    ):
        number = _int_setting(comments, doc, bag, ("comments", key), default, minimum, maximum)
        if number is not None:
            values[f"comments_{key}"] = number
    for key in ("blocked_words", "held_words"):
        words = comments.get(key, [])
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not all(
            isinstance(word, str) and word.strip() for word in words
        ):
            bag.add(
                CONFIG_NAME,
                doc.line("comments", key),
                f"'comments.{key}' must be a list of words or phrases, like "
                f"[カジノ, 'free money'], got {words!r}",
            )
        else:
            values[f"comments_{key}"] = tuple(word.strip() for word in words)
    _comment_mail(comments.get("mail"), doc, bag, values)
    webhook = _web_address(
        comments, doc, bag, "webhook", "an", "https://hooks.slack.com/services/T000/B000/XXXX"
    )
    if webhook:
        values["comments_webhook"] = webhook


def _web_address(comments: dict, doc, bag: ErrorBag, key: str, whose: str, example: str) -> str:
    """An absolute http(s) URL under `comments:` ("" when not given, or wrong: then said)."""
    url = comments.get(key) or ""
    parts = urlsplit(url) if isinstance(url, str) else None
    if url and (parts is None or parts.scheme not in ("http", "https") or not parts.netloc):
        bag.add(
            CONFIG_NAME,
            doc.line("comments", key),
            f"'comments.{key}' must be {whose} absolute http(s) URL, like {example}, got {url!r}",
        )
        return ""
    return url


def _comment_mail(mail: object, doc, bag: ErrorBag, values: dict) -> None:
    """Where the service's mail goes out, under `comments.mail:`."""
    if mail is None:
        return
    where = ("comments", "mail")
    if not isinstance(mail, dict):
        bag.add(
            CONFIG_NAME,
            doc.line(*where),
            f"'comments.mail' must be a mapping like 'smtp: {MAIL_EXAMPLE}'",
        )
        return
    _warn_unknown("comments.mail", mail, MAIL_KEYS, doc, bag)
    smtp, sender = mail.get("smtp"), mail.get("from")
    parts = urlsplit(smtp) if isinstance(smtp, str) else None
    try:
        port_ok = parts is not None and (parts.port or 0) >= 0
    except ValueError:
        port_ok = False
    if parts is None or parts.scheme not in ("smtp", "smtps") or not parts.hostname or not port_ok:
        bag.add(
            CONFIG_NAME,
            doc.line(*where, "smtp"),
            f"'comments.mail.smtp' must be the SMTP server's URL, like {MAIL_EXAMPLE} "
            f"(smtps:// for TLS from the start), got {smtp!r}",
        )
    else:
        values["comments_mail_smtp"] = smtp
    if not isinstance(sender, str) or not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", sender):
        bag.add(
            CONFIG_NAME,
            doc.line(*where, "from"),
            "'comments.mail.from' must be the address notices are sent from, like "
            f"comments@news.example.org, got {sender!r}",
        )
    else:
        values["comments_mail_from"] = sender
    default_tls = "tls" if parts is not None and parts.scheme == "smtps" else "starttls"
    tls = mail.get("tls", default_tls)
    if tls not in ("starttls", "tls", "none"):
        bag.add(
            CONFIG_NAME,
            doc.line(*where, "tls"),
            f"'comments.mail.tls' must be starttls, tls or none, got {tls!r}",
        )
    else:
        values["comments_mail_tls"] = tls
    minutes = _int_setting(mail, doc, bag, (*where, "batch_minutes"), 5, 1, 24 * 60)
    if minutes is not None:
        values["comments_mail_batch_minutes"] = minutes


DEPLOY_KEYS = "to cloudfront invalidate_limit cache_control".split()
DEPLOY_EXAMPLE = "file:///srv/www/, s3://news-archive/ or ssh://deploy@news.example.org/srv/www/"


def _deploy(deploy: object, doc, bag: ErrorBag, values: dict) -> None:
    """`blogsmith deploy`'s settings, under `deploy:`."""
    if deploy is None:
        return
    if not isinstance(deploy, dict):
        bag.add(
            CONFIG_NAME,
            doc.line("deploy"),
            f"'deploy' must be a mapping like 'to: {DEPLOY_EXAMPLE.split(',')[0]}'",
        )
        return
    _warn_unknown("deploy", deploy, DEPLOY_KEYS, doc, bag)
    to = deploy.get("to") or ""
    if not isinstance(to, str) or (to and "://" not in to):
        bag.add(
            CONFIG_NAME,
            doc.line("deploy", "to"),
            f"'deploy.to' must be the URL to deploy to, like {DEPLOY_EXAMPLE}, got {to!r}",
        )
    else:
        values["deploy_to"] = to.strip()
    cloudfront = deploy.get("cloudfront") or ""
    if not isinstance(cloudfront, str) or not re.fullmatch(r"[A-Z0-9]*", cloudfront):
        bag.add(
            CONFIG_NAME,
            doc.line("deploy", "cloudfront"),
            "'deploy.cloudfront' must be a CloudFront distribution id, capital letters and "
            f"digits like E2QWRUHAPOMQZL, got {cloudfront!r}",
        )
    else:
        values["deploy_cloudfront"] = cloudfront
    limit = _int_setting(deploy, doc, bag, ("deploy", "invalidate_limit"), 100, 1, 3000)
    if limit is not None:
        values["deploy_invalidate_limit"] = limit
    if "cache_control" in deploy:
        rules = _cache_control(deploy["cache_control"], doc, bag)
        if rules is not None:
            values["deploy_cache_control"] = rules


def _cache_control(raw: object, doc, bag: ErrorBag) -> tuple[tuple[str, str], ...] | None:
    """`deploy.cache_control`: a list of {pattern, value}, checked item by item."""
    example = '[{pattern: "*.html", value: "public, max-age=300"}]'
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        bag.add(
            CONFIG_NAME,
            doc.line("deploy", "cache_control"),
            f"'deploy.cache_control' must be a list of patterns and values, like {example}",
        )
        return None
    rules, valid = [], True
    for number, item in enumerate(raw):
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
            bag.add(
                CONFIG_NAME,
                doc.line("deploy", "cache_control", number),
                f"item {number + 1} of 'deploy.cache_control' must be a pattern on the file's "
                f"path and a Cache-Control value on one line, like {example[1:-1]}, got {item!r}",
            )
            valid = False
            continue
        rules.append((pattern.strip(), value.strip()))
    return tuple(rules) if valid else None


def _check_permalink(permalink: object, doc: yamlread.YamlDoc, bag: ErrorBag) -> bool:
    line = doc.line("permalink")
    example = "like /{category}/{slug}/ or /{year}/{month}/{slug}.html"
    if not isinstance(permalink, str) or not permalink.startswith("/"):
        bag.add(CONFIG_NAME, line, f"'permalink' must be a path starting with '/', {example}")
        return False
    if re.search(r"[\x00-\x20\x7f?#%\\]", permalink) or ".." in permalink.split("/"):
        bag.add(
            CONFIG_NAME,
            line,
            f"'permalink' must not hold spaces, control characters, '?', '#', '%', '\\' "
            f"or '..', {example}",
        )
        return False
    fields = re.findall(r"\{([^{}]*)\}", permalink)
    unknown = [f for f in fields if f not in PERMALINK_FIELDS]
    if unknown:
        bag.add(
            CONFIG_NAME,
            line,
            f"'permalink' has unknown field {{{unknown[0]}}}; "
            f"use {', '.join('{' + f + '}' for f in PERMALINK_FIELDS)}",
        )
        return False
    if "slug" not in fields:
        bag.add(
            CONFIG_NAME, line, f"'permalink' must contain {{slug}} so URLs are unique, {example}"
        )
        return False
    if not (permalink.endswith("/") or permalink.endswith(".html")):
        bag.add(CONFIG_NAME, line, f"'permalink' must end with '/' or '.html', {example}")
        return False
    return True


def _bool_setting(data: dict, doc, bag: ErrorBag, path: tuple, default: bool) -> bool | None:
    value = data.get(path[-1], default)
    if not isinstance(value, bool):
        name = ".".join(path)
        bag.add(CONFIG_NAME, doc.line(*path), f"'{name}' must be true or false, got {value!r}")
        return None
    return value


def _choice_setting(data: dict, doc, bag: ErrorBag, path: tuple, choices: tuple) -> str | None:
    """One of `choices` (the first is the default); None, and an error, for anything else."""
    value = data.get(path[-1], choices[0])
    if value not in choices:
        name, words = ".".join(path), ", ".join(choices[:-1]) + f" or {choices[-1]}"
        bag.add(CONFIG_NAME, doc.line(*path), f"'{name}' must be {words}, got {value!r}")
        return None
    return value


def _int_setting(
    data: dict,
    doc,
    bag: ErrorBag,
    path: tuple,
    default: int,
    minimum: int,
    maximum: int | None = None,
):
    value = data.get(path[-1], default)
    valid = not isinstance(value, bool) and isinstance(value, int) and value >= minimum
    if not valid or (maximum is not None and value > maximum):
        name = ".".join(path)
        limits = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        bag.add(
            CONFIG_NAME, doc.line(*path), f"'{name}' must be a whole number {limits}, got {value!r}"
        )
        return None
    return value


def is_category_key(key: str) -> bool:
    """Letters and digits of any script (a Japanese key stays readable in its URLs), '-' and
    '_', starting with a letter or digit."""
    return re.fullmatch(r"[^\W_][\w-]*", key) is not None


def _categories(
    raw: object, doc: yamlread.YamlDoc, bag: ErrorBag
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(key, display name) of each category, and (key, description) of those that have one:
    a category is `key: name`, or `key: {name: ..., description: ...}`."""
    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        bag.add(
            CONFIG_NAME,
            doc.line("categories"),
            "'categories' must map keys to display names, like 'europe: 欧州関連'",
        )
        return (), ()
    result, descriptions = [], []
    for key, value in raw.items():
        line = doc.line("categories", str(key))
        if not isinstance(key, str) or not is_category_key(key):
            bag.add(
                CONFIG_NAME,
                line,
                f"category key {key!r} must be letters, digits, '-' or "
                "'_' (it becomes part of URLs), like 'europe' or 'あさひ'",
            )
            continue
        name, description = value, ""
        if isinstance(value, dict):
            name, description = value.get("name"), value.get("description", "")
            if not isinstance(description, str):
                bag.add(CONFIG_NAME, line, f"category '{key}': 'description' must be text")
                continue
        if not isinstance(name, str) or not name.strip():
            bag.add(
                CONFIG_NAME,
                line,
                f"category '{key}' needs a display name after the colon, like 'europe: 欧州関連'",
            )
            continue
        result.append((key, name.strip()))
        if description.strip():
            descriptions.append((key, description.strip()))
    return tuple(result), tuple(descriptions)
