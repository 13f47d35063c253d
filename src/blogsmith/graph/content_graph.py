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
from blogsmith.core.config import Config
from blogsmith.core.digest import digest
from blogsmith.core.errors import ErrorBag, LocatedError
from blogsmith.core.yamlread import YamlDoc
from blogsmith.graph.related import Entry, Scoring, related_blocks

Keys = tuple[str, ...]
"""Article keys in an order (see Graph)."""


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


@dataclass
class GraphMemo:
    """What making the graph reuses from the last committed build."""

    articles: dict[str, Article] = field(default_factory=dict)
    """Its Article objects, by key (in memory only): an unchanged article stays the same
    object, so its card's digest is not made again (see render.pages.Fingerprints)."""
    related: Scoring | None = None
    """Its related-article scoring: reused while every input is the same."""

    def remember_related(self, scoring: Scoring) -> None:
        self.related = scoring


def build_graph(
    config: Config,
    content: Content,
    bag: ErrorBag,
    options: BuildOptions,
    memo: GraphMemo | None = None,
    statics: Container[str] | None = None,
) -> Graph:
    """The graph of every source that passed its checks; problems go to `bag`, so that later
    stages can still report theirs (URL collisions, template errors) in the same run.
    `memo`: what the last build made, to reuse. `statics`: the output paths of the static
    files, where eyecatch images must be (not checked without it)."""
    loaded_by_key = {s.key: s for s in content.sources}
    threads = _threads(content, loaded_by_key, bag)
    metas = {s.key: s.meta for s in content.sources if s.meta is not None}
    now = options.now or datetime.now(config.zone)
    built = {key: meta for key, meta in metas.items() if _is_built(meta, options, now)}
    categories = _categories(config)
    paths = {
        key: urls.article_path(config, m.kind, m.slug, m.category, m.date)
        for key, m in built.items()
    }
    maker = ArticleMaker(config, metas, paths, categories, content.digests, statics)
    made = _make_articles(maker, [loaded_by_key[key] for key in built], threads, bag, memo)
    articles = made.articles
    timeline, listed = _timeline(articles)
    by_category, by_tag, by_month = _lists(articles, listed, categories)
    picked = _HandPicked(metas, set(timeline), bag).of_articles(articles, config.related_count)
    maker.picked = picked
    return Graph(
        config=config,
        articles=articles,
        timeline=timeline,
        listed=listed,
        categories=categories,
        by_category=by_category,
        tags=dict(sorted(maker.tags.items())),
        by_tag=by_tag,
        by_month=by_month,
        prev={timeline[i]: timeline[i - 1] for i in range(1, len(timeline))},
        next={timeline[i]: timeline[i + 1] for i in range(len(timeline) - 1)},
        related=_related_blocks(config.related_count, articles, timeline, picked, memo),
        extra_links={
            key: tuple(k for k in keys if k not in made.linked[key]) for key, keys in picked.items()
        },
        pages=tuple(sorted(k for k, a in articles.items() if a.kind == "page")),
        docs={key: metas[key].doc for key in articles},
        comments={key: thread for key, thread in threads.items() if key in articles},
        fingerprints=made.fingerprints | _thread_fingerprints(content.digests, threads),
        maker=maker,
        said=made.said,
        next_publication=_next_publication(metas, now, options),
    )


def _is_built(meta: Meta, options: BuildOptions, now: datetime) -> bool:
    """Drafts only with --drafts, articles dated after `now` only with --future."""
    if meta.draft and not options.drafts:
        return False
    return not (meta.kind == "article" and meta.date > now and not options.future)


def _next_publication(metas: dict[str, Meta], now: datetime, options: BuildOptions) -> float | None:
    """See Graph.next_publication."""
    return min(
        (
            m.date.timestamp()
            for m in metas.values()
            if m.kind == "article" and m.date > now and not options.future
        ),
        default=None,
    )


def _categories(config: Config) -> dict[str, Category]:
    """The config's categories, in its order, each with its URL and description."""
    return {
        key: Category(key, name, urls.public_url(config, urls.category_path(key)), description)
        for key, name, description in config.categories
    }


@dataclass
class _Made:
    """What making every built article gave besides the articles themselves."""

    articles: dict[str, Article] = field(default_factory=dict)
    fingerprints: dict[int, bytes] = field(default_factory=dict)
    """See Graph.fingerprints."""
    linked: dict[str, set[str]] = field(default_factory=dict)
    """The keys each article's body links to: hand-picked related ones are not listed again."""
    said: dict[str, tuple[LocatedError, ...]] = field(default_factory=dict)
    """See Graph.said."""


def _make_articles(
    maker: ArticleMaker,
    sources: list[LoadedSource],
    threads: dict[str, LoadedComments],
    bag: ErrorBag,
    memo: GraphMemo | None,
) -> _Made:
    """Every source's Article; one equal to the last build's is that same object, so that what
    later stages made of it (its card's digest) is reused."""
    made = _Made()
    previous = memo.articles if memo is not None else {}
    for loaded in sources:
        key = loaded.key
        count = threads[key].count if key in threads else 0
        own = ErrorBag()
        article, made.linked[key], fingerprint = maker.make(loaded, count, own)
        bag.extend(own)
        made.said[key] = tuple(own.warnings)
        before = previous.get(key)
        if before is not None and before == article:
            article = before
        made.articles[key] = article
        made.fingerprints[id(article)] = fingerprint
    return made


def _timeline(articles: dict[str, Article]) -> tuple[Keys, Keys]:
    """(Graph.timeline, Graph.listed): the articles by date, pages left out."""
    stories = [a for a in articles.values() if a.kind == "article"]
    order = sorted(stories, key=lambda a: (a.date.timestamp(), a.key))
    return tuple(a.key for a in order if not a.draft), tuple(a.key for a in reversed(order))


def _lists(
    articles: dict[str, Article], listed: tuple[str, ...], categories: dict[str, Category]
) -> tuple[dict[str, Keys], dict[str, Keys], dict[tuple[int, int], Keys]]:
    """(Graph.by_category, Graph.by_tag, Graph.by_month), each list newest first like `listed`."""
    by_category: dict[str, list[str]] = {key: [] for key in categories}
    by_tag: dict[str, list[str]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key in listed:
        article = articles[key]
        by_category[article.category.key].append(key)
        for tag in article.tags:
            by_tag[tag.slug].append(key)
        by_month[(article.date.year, article.date.month)].append(key)
    return (
        {k: tuple(v) for k, v in by_category.items()},
        {k: tuple(v) for k, v in by_tag.items()},
        {k: tuple(v) for k, v in sorted(by_month.items(), reverse=True)},
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
        article_tags = self._tags(loaded.source, meta, bag)
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
            comment_feed_aliases=meta.comment_feed_aliases,
            draft=meta.draft,
            path=path,
            url=urls.public_url(config, path),
            body=body,
            links=tuple(sorted(links.items())),
            excerpt=meta.summary or body.excerpt,
            comment_count=comment_count,
        )
        self._check_eyecatch(loaded.source, meta, bag)
        # An Article is its file, the config and exactly these values from other files.
        made_from = (sorted(links.items()), [(t.name, t.slug) for t in article_tags])
        fingerprint = digest(
            self.digests[loaded.source]
            + repr((made_from, comment_count)).encode("utf-8", "surrogatepass")
        )
        return made, {_target_key(key, href) for href in links}, fingerprint

    def _tags(self, source: str, meta: Meta, bag: ErrorBag) -> list[Tag]:
        """The article's tags, each the one Tag of its slug that every article shares."""
        article_tags = []
        for name in meta.tags:
            slug = urls.tag_slug(name)
            if not slug:
                bag.add(
                    source,
                    meta.doc.line("tags"),
                    f"tag {name!r} has no letter or "
                    "digit to make its URL from; use a tag with letters or digits",
                )
                continue
            tag = self.tags.setdefault(
                slug, Tag(name, slug, urls.public_url(self.config, urls.tag_path(slug)))
            )
            article_tags.append(tag)
        return article_tags

    def _check_eyecatch(self, source: str, meta: Meta, bag: ErrorBag) -> None:
        """A site image named as the eyecatch must be among the static files (when known)."""
        image = meta.eyecatch.image if meta.eyecatch else ""
        if self.statics is not None and image.startswith("/"):
            if image.lstrip("/") not in self.statics:
                bag.warn(
                    source,
                    meta.doc.line("eyecatch", "image"),
                    f"eyecatch image {image} not found: add static{image}",
                )


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


class _HandPicked:
    """The related articles each front matter names, by slug or by .md path, checked every
    build: a name that finds no article, or several, goes to the bag, and so does a pick of
    the article itself or of one not published in this build."""

    def __init__(self, metas: dict[str, Meta], published: set[str], bag: ErrorBag) -> None:
        self.metas, self.published, self.bag = metas, published, bag
        self.by_slug: dict[str, list[str]] = defaultdict(list)
        for key, meta in metas.items():
            if meta.kind == "article":
                self.by_slug[meta.slug].append(key)

    def of_articles(self, articles: dict[str, Article], count: int) -> dict[str, Keys]:
        """Each article's picks (pages have none), at most `count`, in its order."""
        return {
            key: self.of(article, count)
            for key, article in articles.items()
            if article.kind == "article"
        }

    def of(self, article: Article, count: int) -> Keys:
        key, source, meta = article.key, article.source, self.metas[article.key]
        picked: list[str] = []
        for position, ref in enumerate(meta.related):
            line = meta.doc.line("related", position)
            target = self._target(key, ref, source, line)
            if target is None:
                continue
            if target == key:
                self.bag.add(
                    source,
                    line,
                    f"an article cannot be related to itself; remove {ref!r} from 'related'",
                )
            elif target not in self.published:
                self.bag.warn(
                    source,
                    line,
                    f"related article {ref!r} is a draft or scheduled; it "
                    "is left out until it is published",
                )
            elif target not in picked:
                picked.append(target)
        return tuple(picked[:count])

    def _target(self, key: str, ref: str, source: str, line: int) -> str | None:
        """The one article `ref` names, or None once the bag says why there is none."""
        if ref.endswith(".md"):
            target = _target_key(key, ref)
            if target not in self.metas:
                self.bag.add(
                    source,
                    line,
                    f"related article {ref!r} not found: there is no content/{target}",
                )
                return None
            return target
        matches = self.by_slug.get(ref, [])
        if not matches:
            self.bag.add(
                source,
                line,
                f"related article {ref!r} not found: no article has "
                "that slug; use an article's slug or its .md path relative to "
                "this file",
            )
            return None
        if len(matches) > 1:
            names = " and ".join(f"content/{m}" for m in sorted(matches))
            self.bag.add(
                source,
                line,
                f"related article {ref!r} is ambiguous: {names} "
                "share that slug; use the .md path relative to this file",
            )
            return None
        return matches[0]


def _related_blocks(
    count: int,
    articles: dict[str, Article],
    timeline: Keys,
    picked: dict[str, Keys],
    memo: GraphMemo | None,
) -> dict[str, Keys]:
    """The full related blocks: the picks, then the best-scoring others; the scoring is
    reused while every input to it is the same (and in part when few changed)."""
    entries: dict[str, Entry] = {}

    def entry(key: str) -> Entry:
        if key not in entries:
            a = articles[key]
            entries[key] = Entry(
                key, a.date.timestamp(), a.category.key, tuple(t.slug for t in a.tags)
            )
        return entries[key]

    requests = tuple((entry(key), picks) for key, picks in picked.items())
    inputs = (count, tuple(entry(key) for key in timeline), requests)
    before = memo.related if memo is not None else None
    if before is not None and before[0] == inputs:
        return before[1]
    result = related_blocks(inputs, before)
    if memo is not None:
        memo.remember_related((inputs, result))
    return result
