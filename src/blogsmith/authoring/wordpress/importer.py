"""`blogsmith import wordpress`: a WordPress export as articles, pages and comment files.

Two passes over the export, each streaming: the first catalogues what every post needs from
the others (its new file, its old URLs, the attachments, the categories), the second converts
and writes one post at a time. What is written is a function of the export and the site's
config alone, so a second run finds every file as it left it and writes nothing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup

from blogsmith.authoring.new_article import title_slug
from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.comment_html import comment_text
from blogsmith.authoring.wordpress.content import (
    Attachment,
    Context,
    convert,
    relative_link,
    words_of,
)
from blogsmith.content.fields import is_site_alias, slug_problem
from blogsmith.content.load import COMMENTS_SUFFIX, CONTENT_DIR
from blogsmith.core.config import CONFIG_NAME, Config, is_category_key, require_config
from blogsmith.core.errors import BuildError
from blogsmith.core.urls import article_path, output_file, tag_slug
from blogsmith.core.yamlwrite import dump, front_matter
from blogsmith.plan.paths import unwritable

VOTE_META_KEYS = ("votes", "wpdiscuz_votes", "cld_like_count", "_comment_like_count", "like_count")
"""Comment meta read as the comment's votes, first found wins: a plain `votes` field,
wpDiscuz's net vote count, Comments Like Dislike's like count, and two common custom keys."""
PLANNING_META_KEYS = ("_yoast_wpseo_primary_category",)
DRAFT_STATUSES = {"draft": "draft", "pending": "pending review", "future": "scheduled"}
SKIPPED_STATUSES = {
    "private": "private",
    "trash": "in the trash",
    "auto-draft": "an unsaved auto-draft",
    "inherit": "a revision",
}
RESERVED_PAGE_SLUGS = frozenset({"category", "tag", "page", "search", "sidebar"})
LONGEST_SLUG_BYTES = 200
_GENERATED = re.compile(
    r"^/(?:|search/|sidebar/|feed\.xml|sitemap\.xml|robots\.txt|404\.html|"
    r"(?:category|tag|page)/.*|\d{4}/(?:\d{2}/)?(?:page/\d+/)?)$"
)
"""Paths the site makes itself: an old URL there cannot become a redirect."""
_FORMAT_CHARACTERS = re.compile(
    r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)


class ImportRefused(Exception):
    """Nothing was imported; the message says why and what to do."""


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


@dataclass
class Report:
    export: Path
    articles: int = 0
    drafts: Counter = field(default_factory=Counter)
    pages: int = 0
    comments: int = 0
    comment_files: int = 0
    categories_added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skipped_types: Counter = field(default_factory=Counter)
    comments_skipped: Counter = field(default_factory=Counter)
    reparented: int = 0
    unconverted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)

    def text(self, site: Path) -> str:
        drafts = ", ".join(f"{n} {why}" for why, n in sorted(self.drafts.items()))
        lines = [
            f"imported {self.export} into {site}:",
            f"  articles: {self.articles} published"
            + (f", {sum(self.drafts.values())} drafts ({drafts})" if self.drafts else ""),
            f"  pages: {self.pages}",
            f"  comments: {self.comments} in {self.comment_files} files"
            + (
                "; not imported: "
                + ", ".join(f"{n} {why}" for why, n in sorted(self.comments_skipped.items()))
                if self.comments_skipped
                else ""
            ),
        ]
        if self.reparented:
            lines.append(
                f"  {self.reparented} replies to comments that were not imported now answer "
                "the nearest imported comment above them"
            )
        if self.categories_added:
            lines.append(f"  categories added to {CONFIG_NAME}: {', '.join(self.categories_added)}")
        lines.append(
            f"  files: {self.written} written, {self.unchanged} already as imported"
            + (f", {len(self.conflicts)} left as they were" if self.conflicts else "")
        )
        for title, entries in (
            ("skipped", self.skipped),
            ("kept as HTML (no Markdown form; check how they look)", self.unconverted),
            ("notes", self.notes),
        ):
            if entries:
                lines.append(f"{title}:")
                lines += [f"  {entry}" for entry in entries]
        if self.skipped_types:
            other = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped_types.items()))
            lines.append(f"not articles or pages, not imported: {other}")
        if self.conflicts:
            lines.append("these files differ from the import and were left as they were:")
            lines += [f"  {path}" for path in self.conflicts]
            lines.append("  (run again with --force to overwrite them)")
        lines.append(f"next: blogsmith build --site {site}")
        return "\n".join(lines)


def import_wordpress(
    export: Path, site_dir: Path, attachments: Path | None = None, force: bool = False
) -> Report:
    if not export.is_file():
        raise ImportRefused(f"{export}: no such file; give the path of the WordPress export")
    if attachments is not None and not attachments.is_dir():
        raise ImportRefused(f"--attachments {attachments}: no such folder")
    site_dir.mkdir(parents=True, exist_ok=True)
    report = Report(export)
    files = _Files(site_dir, force, report)
    try:
        existing = _load(site_dir).category_names if (site_dir / CONFIG_NAME).exists() else {}
        catalogue = _Catalogue.scan(export, report, existing)
        config = _site_config(site_dir, catalogue, files, report)
        catalogue.plan(config, report)
        media = _Media(attachments, files, report)
        (site_dir / CONTENT_DIR).mkdir(exist_ok=True)  # a site, even from an export of nothing
        for position, item in enumerate(wxr.read(export)):
            if position in catalogue.plans:
                _write_post(
                    item, catalogue.plans[position], catalogue, config, media, files, report
                )
    except wxr.ExportUnreadable as exc:
        raise ImportRefused(str(exc)) from None
    return report


class _Files:
    """Writes files that are new or differ; never over a different file without `force`."""

    def __init__(self, site_dir: Path, force: bool, report: Report) -> None:
        self.site_dir, self.force, self.report = site_dir, force, report

    def write(self, relative: str, data: bytes) -> bool:
        path = self.site_dir / relative
        if path.is_symlink() or not path.parent.resolve().is_relative_to(self.site_dir.resolve()):
            self.report.notes.append(f"{relative}: not written: it is reached through a symlink")
            return False
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current == data:
            self.report.unchanged += 1
            return True
        if current is not None and not self.force:
            self.report.conflicts.append(relative)
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.importing")
        temporary.write_bytes(data)
        temporary.replace(path)
        self.report.written += 1
        return True


@dataclass
class _Catalogue:
    channel: wxr.Channel
    attachments: dict[str, Attachment]
    posts: list[tuple[int, wxr.Item]]
    """Posts and pages to import, by position in the export, without their bodies and
    comments (first pass)."""
    categories: dict[str, str]
    """Category key -> display name, for every category a post uses."""
    term_keys: dict[str, str]
    """A WordPress category slug -> its key."""
    plans: dict[int, Plan] = field(default_factory=dict)
    old_urls: dict[str, str] = field(default_factory=dict)
    """A normalised old URL -> the key of the file it is now."""
    hosts: set[str] = field(default_factory=set)
    """The old site's host names."""

    @classmethod
    def scan(cls, export: Path, report: Report, existing: dict[str, str]) -> _Catalogue:
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
                    _plain(item.excerpt),
                    item.meta.get("_wp_attachment_image_alt", ""),
                    _plain(item.title),
                    item.parent,
                )
            elif item.type not in ("post", "page"):
                report.skipped_types[item.type] += 1
            elif _skip_reason(item):
                report.skipped.append(
                    f"{item.type} {item.id} {_plain(item.title)!r}: {_skip_reason(item)}"
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
        names = {t.slug: _plain(t.name) for t in self.channel.terms if t.kind == "category"}
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
            shown = _plain(name) or names.get(slug) or slug
            key = by_name.get(shown) or _category_key(slug, shown, set(self.categories))
            self.term_keys[slug] = key
            self.categories[key] = existing.get(key, shown)

    def plan(self, config: Config, report: Report) -> None:
        """Each post's file, URL and old URLs, unique across the import."""
        keys: set[str] = set()
        paths: set[str] = set()
        zone = config.zone
        base = urlsplit(self.channel.base_blog_url or self.channel.link).path.rstrip("/")
        hosts = {_host(self.channel.base_blog_url), _host(self.channel.link)} - {""}
        first_with_id: dict[str, Plan] = {}
        for position, post in self.posts:
            kind = "page" if post.type == "page" else "article"
            date = _moment(post.date, post.date_gmt, zone)
            category = None
            if kind == "article":
                slug, _ = _primary_category(post, self.channel)
                category = self.term_keys[slug if slug is not None else "uncategorized"]
            slug = _slug(post, kind)
            while True:
                key = (
                    f"pages/{slug}.md"
                    if kind == "page"
                    else f"articles/{date:%Y}/{date:%m}/{slug}.md"
                )
                path = article_path(config, kind, slug, category, date)
                if key not in keys and path not in paths:
                    break
                slug = f"{slug}-{post.id}" if not slug.endswith(f"-{post.id}") else slug + "-2"
            keys.add(key)
            paths.add(path)
            plan = Plan(
                post.id, position, kind, key, path, category, DRAFT_STATUSES.get(post.status), []
            )
            self.plans[position] = plan
            first = first_with_id.setdefault(post.id, plan)
            old = urlsplit(post.link)
            link_path = unquote(old.path) if post.link and not old.query else ""
            if link_path.startswith(base + "/"):
                link_path = link_path[len(base) :]
            query = "page_id" if kind == "page" else "p"
            by_id = f"/?{query}={post.id}" if post.id.isdigit() and first is plan else ""
            for alias in (link_path, by_id):
                if (
                    not alias
                    or alias == path
                    or alias in plan.aliases
                    or not is_site_alias(alias)
                    or unwritable(output_file(alias.partition("?")[0]))
                ):
                    continue
                if _GENERATED.match(alias.partition("?")[0]) and "?" not in alias:
                    report.notes.append(
                        f"content/{key}: old URL {alias} is a page the site makes itself "
                        "(home, archives, feeds); no redirect is made for it"
                    )
                    continue
                plan.aliases.append(alias)
            for url in (post.link, *(f"https://{host}/?{query}={post.id}" for host in hosts)):
                found = _url_key(url, hosts)
                if found:
                    self.old_urls.setdefault(found, key)
        for plan in self.plans.values():
            clashing = [alias for alias in plan.aliases if alias in paths]
            for alias in clashing:
                plan.aliases.remove(alias)
                report.notes.append(
                    f"content/{plan.key}: old URL {alias} is now another page's URL; "
                    "no redirect is made for it"
                )
        self.hosts = hosts
        _note_duplicate_posts(self.plans.values(), report)

    def link_target(self, from_key: str, url: str) -> str | None:
        found = _url_key(url, self.hosts)
        target = self.old_urls.get(found) if found else None
        if target is None:
            return None
        fragment = urlsplit(html.unescape(url)).fragment
        return relative_link(from_key, target, f"#{fragment}" if fragment else "")


class _Media:
    """Image URLs under wp-content/uploads/: copied from --attachments into static/uploads/
    and linked there when the file is found, left pointing at the old site when not."""

    MARK = "/wp-content/uploads/"

    def __init__(self, folder: Path | None, files: _Files, report: Report):
        self.folder = folder.resolve() if folder is not None else None
        self.files, self.report = files, report
        self.missing: set[str] = set()

    def url(self, url: str) -> str:
        if self.folder is None or self.MARK not in url:
            return url
        relative = self._inside(unquote(urlsplit(url).path.split(self.MARK, 1)[1]))
        if relative is None:
            if url not in self.missing:
                self.missing.add(url)
                self.report.notes.append(f"not in --attachments, left linking the old site: {url}")
            return url
        self.files.write(f"static/uploads/{relative}", (self.folder / relative).read_bytes())
        return f"/uploads/{relative}"

    def _inside(self, relative: str) -> str | None:
        """The path as a plain file of the folder, or None: an export is untrusted, and
        `//etc/x`, `%2F`, `..` or a symlink out must never copy a file from elsewhere."""
        parts = relative.split("/")
        if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
            return None
        source = self.folder / relative
        try:
            if source.resolve().is_relative_to(self.folder) and source.is_file():
                return relative
        except (OSError, ValueError):
            pass
        return None


def _site_config(site_dir: Path, catalogue: _Catalogue, files: _Files, report: Report) -> Config:
    """The site's config, created for a new site, with the export's categories added."""
    path = site_dir / CONFIG_NAME
    channel = catalogue.channel
    if not path.exists():
        japanese = channel.language.lower().startswith("ja")
        base_url = (channel.base_blog_url or channel.link or "https://example.org").rstrip("/")
        settings = {
            "title": _plain(channel.title) or "Imported archive",
            "base_url": base_url + "/",
            "language": "ja" if japanese else "en",
            "timezone": "Asia/Tokyo" if japanese else "UTC",
            "categories": dict(catalogue.categories),
        }
        files.write(CONFIG_NAME, dump(settings).encode("utf-8"))
        report.categories_added = list(catalogue.categories)
    else:
        config = _load(site_dir)
        known = config.category_names
        missing = {k: v for k, v in catalogue.categories.items() if k not in known}
        if missing:
            text = path.read_text(encoding="utf-8")
            path.write_text(_with_categories(text, missing), encoding="utf-8")
            report.categories_added = list(missing)
    return _load(site_dir)


def _load(site_dir: Path) -> Config:
    try:
        return require_config(site_dir)
    except BuildError as exc:
        problems = "; ".join(str(error) for error in exc.errors)
        raise ImportRefused(
            f"the site's {CONFIG_NAME} has problems, fix them first: {problems}"
        ) from None


def _with_categories(text: str, missing: dict[str, str]) -> str:
    """The config text with `missing` added under `categories:`, comments and order kept."""
    entries = "".join(f"  {line}\n" for line in dump(missing).splitlines())
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if re.match(r"categories\s*:\s*(#.*)?$", line.rstrip("\n")):
            end = index + 1
            while end < len(lines) and (
                lines[end].startswith((" ", "\t", "#")) or not lines[end].strip()
            ):
                end += 1
            while end > index + 1 and not lines[end - 1].strip():
                end -= 1
            return "".join(lines[:end]) + entries + "".join(lines[end:])
    if re.search(r"^categories\s*:", text, re.M):
        raise ImportRefused(
            f"{CONFIG_NAME}: write 'categories' as one 'key: name' per line so that the "
            "import can add to it"
        )
    return text.rstrip("\n") + "\ncategories:\n" + entries


def _note_duplicate_posts(plans, report: Report) -> None:
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


def _write_post(
    item: wxr.Item,
    plan: Plan,
    catalogue: _Catalogue,
    config: Config,
    media: _Media,
    files: _Files,
    report: Report,
) -> None:
    source = f"{CONTENT_DIR}/{plan.key}"
    context = Context(
        item.id,
        catalogue.attachments,
        lambda url: catalogue.link_target(plan.key, url),
        media.url,
    )
    converted = convert(item.content, context)
    for tag in converted.kept_html:
        report.unconverted.append(f"{source}: {tag}")
    for shortcode in converted.shortcodes:
        report.notes.append(f"{source}: shortcode {shortcode} left as text")
    if converted.script_links:
        report.notes.append(
            f"{source}: {converted.script_links} links to javascript:, vbscript: or data: URLs "
            "were made plain text (they would run script on the new site)"
        )
    for missing in converted.missing:
        report.notes.append(f"{source}: {missing} is not in the export")
    title = _plain(item.title)
    if not title:
        title = "(無題)" if config.language == "ja" else "(untitled)"
        report.notes.append(f"{source}: the post has no title; it is called {title}")
    fields: dict[str, object] = {
        "title": title,
        "date": _moment(item.date, item.date_gmt, config.zone),
    }
    if plan.kind == "page":
        fields["kind"] = "page"
    else:
        fields["category"] = plan.category
    tags = []
    for term in item.terms:
        if term.kind == "post_tag" and term.name:
            name = _plain(term.name)
            if tag_slug(name):
                tags.append(name)
            else:
                report.notes.append(f"{source}: tag {name!r} has no letter or digit; left out")
    if tags:
        fields["tags"] = list(dict.fromkeys(tags))
    summary = _plain(item.excerpt) or converted.more
    if summary:
        fields["summary"] = summary
    author = catalogue.channel.authors.get(item.creator, item.creator).strip()
    if author:
        fields["author"] = _plain(author)
    eyecatch = catalogue.attachments.get(item.meta.get("_thumbnail_id", ""))
    if eyecatch is not None and eyecatch.url:
        fields["eyecatch"] = (
            {"image": media.url(eyecatch.url)}
            | ({"alt": eyecatch.alt} if eyecatch.alt else {})
            | ({"credit": eyecatch.caption} if eyecatch.caption else {})
        )
    if plan.aliases:
        fields["aliases"] = plan.aliases
    if plan.draft:
        fields["draft"] = True
        report.drafts[plan.draft] += 1
    elif plan.kind == "page":
        report.pages += 1
    else:
        report.articles += 1
    files.write(source, front_matter(fields, converted.markdown).encode("utf-8"))
    thread = _comments(item, config, report, source)
    if thread:
        comments_file = source[: -len(".md")] + COMMENTS_SUFFIX
        if files.write(comments_file, dump(thread).encode("utf-8")):
            report.comment_files += 1
            report.comments += len(thread)


def _comments(item: wxr.Item, config: Config, report: Report, source: str) -> list[dict]:
    """The approved comments, replies to left-out ones moved up to the nearest kept one.

    An export is not a database: ids repeat, a comment can answer itself and parents can
    form a loop. Every comment is kept all the same, renumbered or cut loose from its
    parent as little as needed, and the report says so, so that the site builds."""
    first: dict[str, wxr.Comment] = {}
    """An id -> its first comment: what a reply to that id answers."""
    kept: dict[int, dict] = {}
    """Position in the thread -> the entry of a kept comment."""
    kept_position: dict[str, int] = {}
    """The id of a kept first comment -> its position."""
    taken = {comment.id for comment in item.comments}
    repeats: Counter = Counter()
    for position, comment in enumerate(item.comments):
        original = comment.id
        if original and original not in first:
            first[original] = comment
            new_id = original
        else:
            repeats[original] += 1
            new_id = _unused_id(original or "comment", taken)
        reason = None
        kind = comment.type if comment.type not in ("", "comment") else "comment"
        if comment.approved != "1":
            reason = "spam" if comment.approved == "spam" else "unapproved"
        elif kind not in ("comment", "trackback", "pingback"):
            reason = f"of type {kind}"
        body = comment_text(comment.content) if reason is None else ""
        if reason is None and not body.strip():
            reason = "empty"
        if reason is not None:
            report.comments_skipped[reason] += 1
            continue
        entry: dict[str, object] = {"id": int(new_id) if new_id.isdigit() else new_id}
        if kind != "comment":
            entry["type"] = kind
        anonymous = "名無し" if config.language == "ja" else "Anonymous"
        entry["author"] = _plain(comment.author) or anonymous
        url = comment.author_url
        if url.startswith(("http://", "https://")) and not re.search(r"\s", url):
            entry["url"] = url
        entry["date"] = _moment(comment.date, comment.date_gmt, config.zone)
        votes = _votes(comment.meta)
        if votes:
            entry["votes"] = votes
        entry["body"] = body
        kept[position] = entry
        if new_id == original:
            kept_position[original] = position
    for original, count in sorted(repeats.items()):
        if original:
            said = (
                f"comment {original} appears {count + 1} times in the export; the others "
                "were given new ids, and replies answer the first"
            )
        else:
            said = f"{count} comments have no id in the export; they were given new ids"
        report.notes.append(f"{source}: {said}")
    nearest = _NearestKept(first, kept_position)
    parent_of: dict[int, int] = {}
    for position in kept:
        comment = item.comments[position]
        if comment.parent in ("0", ""):
            continue
        if comment.parent == comment.id:
            report.notes.append(
                f"{source}: comment {comment.id} answers itself; it now starts a thread"
            )
            continue
        target = nearest(comment.parent)
        if target != kept_position.get(comment.parent):
            report.reparented += 1
        if target is not None and target != position:
            parent_of[position] = target
    for loop in _loops(parent_of, kept):
        del parent_of[loop[0]]
        ids = ", ".join(str(kept[position]["id"]) for position in loop)
        report.notes.append(
            f"{source}: comments {ids} answer each other in a loop; "
            f"{kept[loop[0]]['id']} now starts the thread"
        )
    for position, target in parent_of.items():
        entry = kept[position]
        ordered = {"id": entry["id"], "parent": kept[target]["id"]}
        ordered.update((k, v) for k, v in entry.items() if k != "id")
        kept[position] = ordered
    return list(kept.values())


class _NearestKept:
    """The nearest kept comment at or above an id, remembered along the way, so that a long
    chain of left-out comments is walked once, not once per reply below it."""

    def __init__(self, first: dict[str, wxr.Comment], kept: dict[str, int]) -> None:
        self.first, self.kept = first, kept
        self.known: dict[str, int | None] = {}

    def __call__(self, comment_id: str) -> int | None:
        walked: list[str] = []
        on_path: set[str] = set()
        current = comment_id
        while True:
            if current in self.kept:
                found = self.kept[current]
                break
            if current in self.known:
                found = self.known[current]
                break
            comment = self.first.get(current)
            if comment is None or current in on_path:  # missing, or a loop of left-out ones
                found = None
                break
            walked.append(current)
            on_path.add(current)
            current = comment.parent
        for walked_id in walked:
            self.known[walked_id] = found
        return found


def _loops(parent_of: dict[int, int], kept: dict[int, dict]) -> list[list[int]]:
    """Each loop of parents once, as positions starting with the one first in the export."""
    state: dict[int, int] = {}  # 1: on the path being walked, 2: done
    loops = []
    for start in kept:
        path: list[int] = []
        current: int | None = start
        while current is not None and current not in state:
            state[current] = 1
            path.append(current)
            current = parent_of.get(current)
        if current is not None and state[current] == 1:
            loops.append(sorted(path[path.index(current) :]))
        for position in path:
            state[position] = 2
    return loops


def _unused_id(original: str, taken: set[str]) -> str:
    number = 2
    while f"{original}-{number}" in taken:
        number += 1
    taken.add(f"{original}-{number}")
    return f"{original}-{number}"


def _votes(meta: dict[str, str]) -> int:
    for key in VOTE_META_KEYS:
        value = meta.get(key, "").strip()
        if re.fullmatch(r"-?\d+", value):
            return int(value)
    return 0


def _skip_reason(item: wxr.Item) -> str | None:
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


def _category_key(slug: str, name: str, taken: set[str]) -> str:
    for candidate in (tag_slug(_clean(slug)), tag_slug(_clean(name))):
        if candidate and is_category_key(candidate) and candidate not in taken:
            return candidate
    number = len(taken) + 1
    while f"category-{number}" in taken:
        number += 1
    return f"category-{number}"


def _slug(post: wxr.Item, kind: str) -> str:
    slug = re.sub(r"[/\\\s?#%]+", "-", _clean(post.name)).strip("-.")
    if not slug or slug_problem(slug):
        slug = title_slug(_plain(post.title)) or f"{kind}-{post.id}"
    while len(slug.encode("utf-8")) > LONGEST_SLUG_BYTES:
        slug = slug[:-1]
    if kind == "page" and (slug in RESERVED_PAGE_SLUGS or re.fullmatch(r"\d{4}", slug)):
        slug = f"{slug}-page"
    return slug


def _clean(text: str) -> str:
    """NFC, without invisible format characters (bidi controls, zero-width spaces): what
    may stand in a URL or a file name."""
    return _FORMAT_CHARACTERS.sub("", unicodedata.normalize("NFC", text)).strip()


def _plain(markup: str) -> str:
    """Text of a title, excerpt or name that may hold HTML and entities, on one line."""
    if "<" in markup or "&" in markup:
        return words_of(BeautifulSoup(markup, "html.parser"))
    return " ".join(markup.split())


def _moment(local: str, gmt: str, zone: tzinfo) -> datetime:
    """The post's local time with the offset WordPress used then (local minus GMT)."""
    when = _parse(local) or _parse(gmt) or datetime(1970, 1, 1)
    utc = _parse(gmt)
    if utc is None:  # drafts have no GMT time yet: the site's zone
        return when.replace(tzinfo=zone)
    minutes = round((when - utc).total_seconds() / 60)
    if not -12 * 60 <= minutes <= 14 * 60:  # no zone is that far: the GMT time is wrong
        return when.replace(tzinfo=zone)
    return when.replace(tzinfo=timezone(timedelta(minutes=minutes)))


def _parse(text: str) -> datetime | None:
    try:
        value = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return value if value.year > 1 else None


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.") if url else ""


def _url_key(url: str, hosts: set[str]) -> str | None:
    """An old URL as a lookup key: host, decoded path without the last '/', or ?p=/?page_id=."""
    url = html.unescape(url.strip())
    if url.startswith("/") and not url.startswith("//"):
        url = f"https://{next(iter(sorted(hosts)), '')}{url}"
    elif url.startswith("//"):
        url = "https:" + url
    if not url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    query = parse_qs(parts.query)
    for name in ("p", "page_id"):
        if name in query:
            return f"{host}?{name}={query[name][0]}"
    return host + unquote(parts.path).rstrip("/")


__all__ = ["ImportRefused", "Report", "import_wordpress"]
