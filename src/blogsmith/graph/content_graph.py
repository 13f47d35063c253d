"""The immutable content graph: every article with its relations as keys, built in one pass.

All validation that needs more than one file happens here (links between articles, related
references, ambiguous slugs); every problem goes into the bag, and the caller decides when
the bag stops the build.
"""

from __future__ import annotations

import copy
import posixpath
from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass, field, replace
from datetime import datetime

from blogsmith.content.fields import Meta
from blogsmith.content.load import Content, LoadedComments, LoadedSource
from blogsmith.content.model import Article, Category, Tag
from blogsmith.core import urls
from blogsmith.core.build_cache import BuildCache, digest
from blogsmith.core.config import Config
from blogsmith.core.errors import ErrorBag, LocatedError
from blogsmith.core.yamlread import YamlDoc
from blogsmith.graph.related import Entry, related_blocks


@dataclass(frozen=True)
class Graph:
    config: Config
    articles: dict[str, Article]
    """Every article and page that gets a page of its own, by key."""
    timeline: tuple[str, ...]
    """Published articles, oldest first: the order of prev/next."""
    listed: tuple[str, ...]
    """What list pages show, newest first (published, plus drafts with --drafts)."""
    categories: dict[str, Category]
    by_category: dict[str, tuple[str, ...]]
    tags: dict[str, Tag]
    by_tag: dict[str, tuple[str, ...]]
    by_month: dict[tuple[int, int], tuple[str, ...]]
    prev: dict[str, str]
    next: dict[str, str]
    related: dict[str, tuple[str, ...]]
    """Hand-picked first, then the best-scoring others: the related-articles block."""
    extra_links: dict[str, tuple[str, ...]]
    """Hand-picked related articles the body does not link to already: the theme lists them
    as '関連記事' links under the body, as the body's own inline links would read."""
    pages: tuple[str, ...]
    docs: dict[str, YamlDoc]
    """Each built article's front matter, kept to locate errors found after the graph."""
    comments: dict[str, LoadedComments]
    """Reader comment threads by article key (articles without a comments file have none)."""
    fingerprints: dict[int, bytes] = field(default_factory=dict, repr=False)
    """id() of each Article and comments file -> a digest of everything it was made from besides the
    config: page keys name them by it instead of digesting their whole text every build."""
    maker: ArticleMaker | None = field(default=None, repr=False, compare=False)
    """How the articles were made: `remade` makes edited ones again alone with it."""
    said: dict[str, tuple[LocatedError, ...]] = field(default_factory=dict, repr=False)
    """What making each article warned of (links to drafts, a missing eyecatch image)."""
    next_publication: float | None = None
    """When the earliest scheduled article falls due (a timestamp): the build after that
    moment differs even if no file changed."""

    def years(self) -> dict[int, tuple[str, ...]]:
        result: dict[int, list[str]] = defaultdict(list)
        for (year, _month), keys in sorted(self.by_month.items(), reverse=True):
            result[year].extend(keys)
        return {year: tuple(keys) for year, keys in result.items()}

    def recent(self) -> tuple[str, ...]:
        return (
            tuple(reversed(self.timeline[-self.config.recent_count :]))
            if self.config.recent_count
            else ()
        )

    def remade(
        self,
        sources: dict[str, LoadedSource],
        threads: dict[str, LoadedComments | None],
        digests: dict[str, bytes],
    ) -> Graph | None:
        """This graph with the articles of `sources` (every touched key's current file) made
        again and the comment threads of `threads` replaced (None: removed), when nothing else
        can have changed: their pages, URLs and relations are as they were. None when the
        edit reaches further (an error to report, a card the sidebar of every page shows),
        which a full build must then make. `digests` are the new files' digests, by source path."""
        assert self.maker is not None
        maker = self.maker.replacing({k: s.meta for k, s in sources.items()}, digests)
        articles, comments = dict(self.articles), dict(self.comments)
        docs, extra_links = dict(self.docs), dict(self.extra_links)
        fingerprints, said = dict(self.fingerprints), dict(self.said)
        for key, thread in threads.items():
            old_thread = comments.pop(key, None)
            if old_thread is not None:
                fingerprints.pop(id(old_thread), None)
            if thread is not None:
                comments[key] = thread
                fingerprints.update(_thread_fingerprints(digests, {key: thread}))
        recent = self.recent()
        for key, loaded in sorted(sources.items()):
            old = articles[key]
            bag = ErrorBag()
            count = comments[key].count if key in comments else 0
            made, linked, fingerprint = maker.make(loaded, count, bag)
            if bag.errors:
                return None
            if key in recent and made.card != old.card and self.config.sidebar != "shared":
                return None  # every page's sidebar shows it: as much work as a full build
            if made == old:
                made = old
            else:
                fingerprints.pop(id(old), None)
            articles[key], fingerprints[id(made)] = made, fingerprint
            docs[key], said[key] = loaded.meta.doc, tuple(bag.warnings)
            if key in maker.picked:
                extra_links[key] = tuple(k for k in maker.picked[key] if k not in linked)
        return replace(
            self,
            articles=articles,
            comments=comments,
            docs=docs,
            extra_links=extra_links,
            fingerprints=fingerprints,
            maker=maker,
            said=said,
        )


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    now: datetime | None = None


def build_graph(
    config: Config,
    content: Content,
    bag: ErrorBag,
    options: BuildOptions,
    cache: BuildCache | None = None,
    statics: Container[str] | None = None,
) -> Graph:
    """The graph of every source that passed its checks; problems go to `bag`, so that later
    stages can still report theirs (URL collisions, template errors) in the same run.
    `statics`: the output paths of the static files, where eyecatch images must be (not
    checked without it)."""
    metas: dict[str, Meta] = {}
    sources = content.sources
    loaded_by_key = {s.key: s for s in sources}
    threads = _threads(content, loaded_by_key, bag)
    for loaded in sources:
        meta = loaded.meta
        if meta is not None:
            metas[loaded.key] = meta
    now = options.now or datetime.now(config.zone)

    def is_built(meta: Meta) -> bool:
        if meta.draft and not options.drafts:
            return False
        return not (meta.kind == "article" and meta.date > now and not options.future)

    built = {key: meta for key, meta in metas.items() if is_built(meta)}
    categories = {
        key: Category(key, name, urls.public_url(config, urls.category_path(key)), description)
        for key, name, description in config.categories
    }
    paths = {
        key: urls.article_path(config, m.kind, m.slug, m.category, m.date)
        for key, m in built.items()
    }

    maker = ArticleMaker(config, metas, paths, categories, content.digests, statics)
    articles: dict[str, Article] = {}
    fingerprints: dict[int, bytes] = {}
    linked: dict[str, set[str]] = {}
    said: dict[str, tuple[LocatedError, ...]] = {}
    for key in built:
        count = threads[key].count if key in threads else 0
        own = ErrorBag()
        made, linked[key], fingerprint = maker.make(loaded_by_key[key], count, own)
        bag.extend(own)
        said[key] = tuple(own.warnings)
        previous = cache.articles.get(key) if cache is not None else None
        if previous is not None and previous == made:
            made = previous  # the same value as last build: what was made of it is reused
        articles[key] = made
        fingerprints[id(made)] = fingerprint

    stories = [a for a in articles.values() if a.kind == "article"]
    order = sorted(stories, key=lambda a: (a.date.timestamp(), a.key))
    timeline = tuple(a.key for a in order if not a.draft)
    listed = tuple(a.key for a in reversed(order))
    prev = {timeline[i]: timeline[i - 1] for i in range(1, len(timeline))}
    nxt = {timeline[i]: timeline[i + 1] for i in range(len(timeline) - 1)}

    by_category: dict[str, list[str]] = {key: [] for key in categories}
    by_tag: dict[str, list[str]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key in listed:
        article = articles[key]
        by_category[article.category.key].append(key)
        for tag in article.tags:
            by_tag[tag.slug].append(key)
        by_month[(article.date.year, article.date.month)].append(key)

    picked, related = _related(config, articles, timeline, metas, loaded_by_key, bag, cache)
    maker.picked = picked
    return Graph(
        config=config,
        articles=articles,
        timeline=timeline,
        listed=listed,
        categories=categories,
        by_category={k: tuple(v) for k, v in by_category.items()},
        tags=dict(sorted(maker.tags.items())),
        by_tag={k: tuple(v) for k, v in by_tag.items()},
        by_month={k: tuple(v) for k, v in sorted(by_month.items(), reverse=True)},
        prev=prev,
        next=nxt,
        related=related,
        extra_links={
            key: tuple(k for k in keys if k not in linked[key]) for key, keys in picked.items()
        },
        pages=tuple(sorted(k for k, a in articles.items() if a.kind == "page")),
        docs={key: metas[key].doc for key in articles},
        comments={key: thread for key, thread in threads.items() if key in articles},
        fingerprints=fingerprints | _thread_fingerprints(content.digests, threads),
        maker=maker,
        said=said,
        next_publication=min(
            (
                m.date.timestamp()
                for m in metas.values()
                if m.kind == "article" and m.date > now and not options.future
            ),
            default=None,
        ),
    )


class ArticleMaker:
    """One source to its Article, given what the other files decide (their paths, the tags
    met so far): the graph makes every article with it, the live preview one edited one."""

    def __init__(
        self,
        config: Config,
        metas: dict[str, Meta],
        paths: dict[str, str],
        categories: dict[str, Category],
        digests: dict[str, bytes],
        statics: Container[str] | None = None,
    ) -> None:
        self.config = config
        self.metas = metas
        """Every source's checked front matter, built or not (links to drafts are resolved)."""
        self.paths = paths
        self.categories = categories
        self.digests = digests
        self.statics = statics
        self.tags: dict[str, Tag] = {}
        """Every tag met so far; complete once the graph is made."""
        self.picked: dict[str, tuple[str, ...]] = {}
        """The hand-picked related articles, by key (set once the graph has checked them)."""

    def replacing(self, metas: dict[str, Meta], digests: dict[str, bytes]) -> ArticleMaker:
        """A maker for edited files whose shape is unchanged (so are paths, tags and the
        picked related articles); this one stays as it was."""
        other = copy.copy(self)
        other.metas = self.metas | metas
        other.digests = self.digests | digests
        return other

    def make(
        self, loaded: LoadedSource, comment_count: int, bag: ErrorBag
    ) -> tuple[Article, set[str], bytes]:
        """(the Article, the keys its body links to, its fingerprint: see Graph.fingerprints)."""
        config, key, meta = self.config, loaded.key, loaded.meta
        assert meta is not None
        body = loaded.body
        links = _resolve_links(loaded, body.links, self.metas, self.paths, config, bag)
        article_tags = []
        for name in meta.tags:
            slug = urls.tag_slug(name)
            if not slug:
                bag.add(
                    loaded.source,
                    meta.doc.line("tags"),
                    f"tag {name!r} has no letter or "
                    "digit to make its URL from; use a tag with letters or digits",
                )
                continue
            tag = self.tags.setdefault(
                slug, Tag(name, slug, urls.public_url(config, urls.tag_path(slug)))
            )
            article_tags.append(tag)
        path = self.paths[key]
        made = Article(
            key=key,
            source=loaded.source,
            kind=meta.kind,
            title=meta.title,
            slug=meta.slug,
            date=meta.date,
            updated=meta.updated,
            category=self.categories.get(meta.category) if meta.category else None,
            tags=tuple(dict.fromkeys(article_tags)),
            summary=meta.summary,
            author=meta.author,
            sources=meta.sources,
            eyecatch=meta.eyecatch,
            aliases=meta.aliases,
            draft=meta.draft,
            path=path,
            url=urls.public_url(config, path),
            body=body,
            links=tuple(sorted(links.items())),
            excerpt=meta.summary or body.excerpt,
            comment_count=comment_count,
        )
        image = made.eyecatch.image if made.eyecatch else ""
        if self.statics is not None and image.startswith("/"):
            if image.lstrip("/") not in self.statics:
                bag.warn(
                    loaded.source,
                    meta.doc.line("eyecatch", "image"),
                    f"eyecatch image {image} not found: add static{image}",
                )
        # An Article is its file, the config and exactly these values from other files.
        made_from = (sorted(links.items()), [(t.name, t.slug) for t in article_tags])
        fingerprint = digest(
            self.digests[loaded.source]
            + repr((made_from, comment_count)).encode("utf-8", "surrogatepass")
        )
        return made, {_target_key(key, href) for href in links}, fingerprint


def _threads(
    content: Content, loaded_by_key: dict[str, LoadedSource], bag: ErrorBag
) -> dict[str, LoadedComments]:
    threads = {}
    for loaded in content.comments:
        if loaded.key not in loaded_by_key:
            bag.add(
                loaded.source,
                0,
                f"there is no article content/{loaded.key} for these comments; a comments file "
                "sits beside its article with the same name (x.md, x.comments.yaml)",
            )
            continue
        threads[loaded.key] = loaded
    return threads


def _thread_fingerprints(
    digests: dict[str, bytes], threads: dict[str, LoadedComments]
) -> dict[int, bytes]:
    """A thread is made from its comments file and the config alone."""
    return {id(loaded): digests[loaded.source] for loaded in threads.values()}


def _target_key(from_key: str, href: str) -> str:
    target = href.split("#", 1)[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_key), target))


def _resolve_links(
    loaded: LoadedSource,
    hrefs: tuple[tuple[str, int], ...],
    metas: dict[str, Meta],
    paths: dict[str, str],
    config: Config,
    bag: ErrorBag,
) -> dict[str, str]:
    mapping = {}
    for href, line in hrefs:
        target = _target_key(loaded.key, href)
        fragment = href[len(href.split("#", 1)[0]) :]
        if target in paths:
            mapping[href] = urls.public_url(config, paths[target]) + fragment
        elif target in metas:
            bag.warn(
                loaded.source,
                line,
                f"link to content/{target}, which is a draft or "
                "scheduled and not published in this build; the link will not work yet",
            )
            mapping[href] = (
                urls.public_url(
                    config,
                    urls.article_path(
                        config,
                        metas[target].kind,
                        metas[target].slug,
                        metas[target].category,
                        metas[target].date,
                    ),
                )
                + fragment
            )
        else:
            bag.add(
                loaded.source,
                line,
                f"broken link to {href}: there is no content/{target}; "
                "link to an existing .md file by its path relative to this file",
            )
    return mapping


def _related(
    config: Config,
    articles: dict[str, Article],
    timeline: tuple[str, ...],
    metas: dict[str, Meta],
    loaded_by_key: dict[str, LoadedSource],
    bag: ErrorBag,
    cache: BuildCache | None,
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Hand-picked related articles (checked every build) and the full related blocks, whose
    scoring is reused while every input to it is the same."""
    published = set(timeline)
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key, meta in metas.items():
        if meta.kind == "article":
            by_slug[meta.slug].append(key)

    entries: dict[str, Entry] = {}

    def entry(key: str) -> Entry:
        if key not in entries:
            a = articles[key]
            entries[key] = Entry(
                key, a.date.timestamp(), a.category.key, tuple(t.slug for t in a.tags)
            )
        return entries[key]

    all_picked = {}
    for key, article in articles.items():
        if article.kind != "article":
            continue
        meta = metas[key]
        source = loaded_by_key[key].source
        picked: list[str] = []
        for position, ref in enumerate(meta.related):
            line = meta.doc.line("related", position)
            if ref.endswith(".md"):
                matches = [_target_key(key, ref)]
                if matches[0] not in metas:
                    bag.add(
                        source,
                        line,
                        f"related article {ref!r} not found: there is no content/{matches[0]}",
                    )
                    continue
            else:
                matches = by_slug.get(ref, [])
                if not matches:
                    bag.add(
                        source,
                        line,
                        f"related article {ref!r} not found: no article has "
                        "that slug; use an article's slug or its .md path relative to "
                        "this file",
                    )
                    continue
                if len(matches) > 1:
                    names = " and ".join(f"content/{m}" for m in sorted(matches))
                    bag.add(
                        source,
                        line,
                        f"related article {ref!r} is ambiguous: {names} "
                        "share that slug; use the .md path relative to this file",
                    )
                    continue
            target = matches[0]
            if target == key:
                bag.add(
                    source,
                    line,
                    f"an article cannot be related to itself; remove {ref!r} from 'related'",
                )
            elif target not in published:
                bag.warn(
                    source,
                    line,
                    f"related article {ref!r} is a draft or scheduled; it "
                    "is left out until it is published",
                )
            elif target not in picked:
                picked.append(target)
        all_picked[key] = tuple(picked[: config.related_count])
    requests = tuple((entry(key), picks) for key, picks in all_picked.items())
    inputs = (config.related_count, tuple(entry(key) for key in timeline), requests)
    before = cache.related if cache is not None else None
    if before is not None and before[0] == inputs:
        return all_picked, before[1]
    result = related_blocks(inputs, before)
    if cache is not None:
        cache.remember_related(inputs, result)
    return all_picked, result
