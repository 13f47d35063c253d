"""Render jobs to bytes with Jinja2: site templates over the default theme's, strict and escaped.

Relations stored as keys in the graph become Article objects here, one level deep.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import jinja2
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape

from blogsmith import __version__
from blogsmith.content.comment_text import FORBIDDEN
from blogsmith.content.comments import EMPTY as EMPTY_THREAD
from blogsmith.content.markdown_body import shortened
from blogsmith.content.model import Article, Card, Category, Tag
from blogsmith.core import urls
from blogsmith.core.dates import format_date, format_datetime, format_year
from blogsmith.core.digest import digest
from blogsmith.core.errors import LocatedError
from blogsmith.core.i18n import STRINGS
from blogsmith.graph.content_graph import Graph
from blogsmith.plan.jobs import SIDEBAR_PAGE, Job
from blogsmith.render.images import (
    SIZES,
    MeasuredImages,
    article_images,
    picture_html,
    sized_body,
)
from blogsmith.render.metadata import (
    absolute_html,
    collection_page,
    feed_content,
    image_url,
    news_article,
    tag_uri,
)
from blogsmith.render.theme import Theme
from blogsmith.render.unindented import UnindentedLoader


class Destination(NamedTuple):
    """What a redirect page names when it leads to a path, not an article (a feed)."""

    title: str
    path: str
    url: str


@dataclass(frozen=True)
class YearLink:
    name: str
    count: int
    url: str


_FIRST_PARAGRAPH = re.compile(r"^\s*<p>.*?</p>\n?", re.S)


def split_lead(html: str) -> tuple[str, str]:
    """(lead paragraph, the rest): the theme puts the sources right after the lead, as news
    blogs do. When the body does not open with a paragraph the lead is empty."""
    match = _FIRST_PARAGRAPH.match(html)
    if not match:
        return "", html
    return match.group(0), html[match.end() :]


def newest_comments(articles: list, threads: list, count: int) -> list[tuple]:
    """(article, comment) for the newest `count` comments readers can read in `threads`
    (each the thread of the article beside it), newest first."""
    found = [
        (comment.date, article.key, comment.id, article, comment)
        for article, loaded in zip(articles, threads, strict=True)
        for comment in loaded.thread().readable()
    ]
    found.sort(key=lambda item: item[:3], reverse=True)
    return [(article, comment) for *_, article, comment in found[:count]]


class _Strings(dict):
    """The interface strings, `t`: a dict (`t["vote"]`, `t[kind]`) whose keys are attributes
    too. Jinja reads `t.vote` as an attribute first: on a plain dict that fails, with an
    exception at each of the 25 or so a page prints, before it reads the key. A key named
    like a dict's own attribute stays a key only, as Jinja finds the attribute first."""

    def __init__(self, strings: dict[str, str]) -> None:
        super().__init__(strings)
        self.__dict__.update({key: text for key, text in strings.items() if not hasattr(dict, key)})


def _card(article: Article | None) -> Card | None:
    return article.card if article is not None else None


def templates_digest(*roots: Path) -> bytes:
    """The digest of every template file (names and bytes) under `roots`, in order."""
    parts = []
    for root in roots:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    parts.append(path.relative_to(root).as_posix().encode() + b"\0")
                    parts.append(path.read_bytes() + b"\0")
        parts.append(b"\1")
    return digest(b"".join(parts))


class Fingerprints:
    """Digests of the values pages are rendered from, each made once per build.

    A page's key is the digest of its template, path and every value of its context: equal
    keys render equal bytes (with equal templates and page-wide values), and keys are small
    enough to keep from one build to the next on disk. Articles and threads are named by the
    digests the graph made of their inputs; cards by their fields, so that a list page's key
    stays the same when only a body it does not show was edited. A card's digest and an
    article page's key also carry what was measured of the images they show (see
    MeasuredImages.version_of): a changed photo renders again only the pages that show it.
    """

    def __init__(
        self,
        graph: Graph,
        remembered: dict | None = None,
        images: MeasuredImages | None = None,
        stored: dict[bytes, bytes] | None = None,
    ) -> None:
        self._made: dict[int, bytes] = dict(graph.fingerprints)
        self._graph = graph
        self.images = images if images is not None else MeasuredImages()
        self._base_path = graph.config.base_path
        self._plains: dict[int, tuple] = {}
        self._alive: list[object] = []  # keeps id() unique while a value's digest is remembered
        self.remembered = remembered if remembered is not None else {}
        """id() -> (card, digest of its fields), passed from one build to the next in a
        process: the cards of unchanged articles are the same objects (see
        graph.build_graph)."""
        self.cards: dict[int, tuple[object, bytes]] = {}
        """The card digests of this build, for the next one."""
        self.stored = stored if stored is not None else {}
        """Article fingerprint -> its card's digest, from an earlier process with the same
        renderer version: a card is made from its article alone, with the config."""
        self.card_fields: dict[bytes, bytes] = {}
        """The same, of this build's cards."""

    def of(self, value: object) -> bytes:
        kind = type(value)
        if kind in _SCALARS:
            return digest(repr(value).encode("utf-8", "surrogatepass"))
        if kind is list or kind is tuple:
            return digest(b"L" + b"".join([self.of(item) for item in value]))
        made = self._made.get(id(value))
        if made is not None:
            return made
        if isinstance(value, Article):
            raise ValueError(f"{value!r:.80} is not in the graph it should come from")
        if kind is Card:
            known = self.remembered.get(id(value))
            fields = known[1] if known is not None and known[0] is value else None
            article = self._article_print(value)
            if fields is None and article is not None:
                fields = self.stored.get(article)
            if fields is None:
                fields = digest(repr(self._plain(value)).encode("utf-8", "surrogatepass"))
            self.cards[id(value)] = (value, fields)
            if article is not None:
                self.card_fields[article] = fields
            shown = self.images.version_of(value.eyecatch.image) if value.eyecatch else b""
            made = self._made[id(value)] = digest(fields + shown) if shown else fields
            return made
        return digest(repr(self._plain(value)).encode("utf-8", "surrogatepass"))

    def _article_print(self, card: Card) -> bytes | None:
        """The fingerprint of the article whose own card this is (None for any other card)."""
        article = self._graph.articles.get(card.key)
        if article is None or vars(article).get("card") is not card:
            return None
        return self._graph.fingerprints.get(id(article))

    def _plain(self, value: object) -> object:
        """Dataclasses as tuples of their type and fields: repr of those is many times faster.
        Categories and tags, shared by many cards, are converted once."""
        kind = type(value)
        if kind in _SCALARS:
            return value
        if kind is tuple:
            return tuple([self._plain(item) for item in value])
        if not hasattr(kind, "__dataclass_fields__"):
            return value
        plain = self._plains.get(id(value))
        if plain is None:
            plain = (kind.__name__, *[self._plain(item) for item in vars(value).values()])
            if kind in _SHARED:
                self._plains[id(value)] = plain
                self._alive.append(value)
        return plain

    def page(self, job: Job, context: dict) -> bytes:
        parts = [job.template.encode(), job.path.encode()]
        for name in sorted(context):
            parts += [name.encode(), self.of(context[name])]
        article = context.get("article")
        if type(article) is Article and self.images.records:
            version_of = self.images.version_of
            parts += [version_of(path) for path, _ in article_images(article, self._base_path)]
        return digest(b"\0".join(parts))


_SCALARS = frozenset({str, int, float, bool, type(None)})
_SHARED = frozenset({Category, Tag})


class TemplateProblem(Exception):
    def __init__(self, error: LocatedError):
        self.error = error
        super().__init__(str(error))


class Renderer:
    def __init__(
        self,
        graph: Graph,
        site_dir: Path,
        theme: Theme,
        search: bool = False,
        images: MeasuredImages | None = None,
    ):
        self.graph = graph
        self.images = images if images is not None else MeasuredImages()
        """What the image stage found of each site image a page shows."""
        self.config = graph.config
        self.site_templates = site_dir / "templates"
        self.theme = theme
        self.site_dir = site_dir
        self._sidebar_html: Markup | None = None
        self.env = _environment(self.site_templates, theme.templates)
        self._add_filters()
        self._add_functions()
        self._add_site_values(search)

    def _add_filters(self) -> None:
        """The filters templates pass dates, links, texts and bodies through, in the site's
        language and under its base path."""
        config = self.config
        self.env.filters["date"] = lambda moment: format_date(moment, config.language)
        self.env.filters["isodate"] = lambda moment: moment.isoformat()
        self.env.filters["datetime"] = lambda moment: format_datetime(moment, config.language)
        self.env.filters["site_url"] = lambda link: (
            urls.public_url(config, link)
            if link.startswith("/") and not link.startswith("//")
            else link
        )
        self.env.filters["absolute"] = lambda path: urls.absolute_url(config, path)
        self.env.filters["split_lead"] = split_lead
        self.env.filters["shortened"] = lambda text, limit: shortened(text, limit, config.language)
        self.env.filters["absolute_html"] = absolute_html
        self.env.filters["image_url"] = lambda image: image_url(config, image)
        site_url = self.env.filters["site_url"]
        self.env.filters["sized_images"] = lambda html: Markup(
            sized_body(html, self.images.facts, site_url, config.base_path)
        )

    def _add_functions(self) -> None:
        """The functions templates call: URLs, pictures, the sidebar, structured data, feeds
        and counted words."""
        config = self.config
        strings = STRINGS[config.language]
        site_url = self.env.filters["site_url"]
        self.env.globals.update(
            url=lambda path: urls.public_url(config, path),
            asset=lambda path: urls.public_url(config, "/assets/" + path.lstrip("/")),
            picture=lambda path, alt="", sizes="content", eager=False, css_class="": Markup(
                picture_html(
                    self.images.facts(path), path, site_url, alt, SIZES[sizes], eager, css_class
                )
            ),
            sidebar=self._sidebar,
            news_article=lambda article: news_article(config, article, self.size_of),
            collection_page=lambda title, description, path, items: collection_page(
                config, title, description, path, items
            ),
            list_description=self._list_description,
            tag_uri=lambda article: tag_uri(config, article),
            comments_feed_path=urls.comments_feed_path,
            feed_content=lambda article: feed_content(
                config, article, strings["sources"], strings["eyecatch_credit"]
            ),
            comment_count=lambda n: strings[
                "comment_count_one" if n == 1 else "comment_count"
            ].format(n=n),
        )

    def _add_site_values(self, search: bool) -> None:
        """What pages show of the whole site: its config and words, its categories, the
        sidebar's lists (see `version` and `sidebar_inputs`, made of these)."""
        graph, config = self.graph, self.config
        self.env.globals.update(
            site=config,
            t=_Strings(STRINGS[config.language]),
            categories=list(graph.categories.values()),
            category_counts={k: len(v) for k, v in graph.by_category.items()},
            recent=[graph.articles[k].card for k in graph.recent()],
            search_enabled=search,
            og_locale="ja_JP" if config.language == "ja" else "en_US",
            archive_years=[
                YearLink(
                    format_year(year, config.language),
                    len(keys),
                    urls.public_url(config, urls.year_path(year)),
                )
                for year, keys in graph.years().items()
            ],
        )

    def size_of(self, path: str) -> tuple[int, int] | None:
        found = self.images.size(path)
        return found if isinstance(found, tuple) else None

    def _list_description(self, kind: str, title: str, category=None, number=None) -> str:
        """A list page's own meta description: the category's from the config, or one
        made from the list's title; later pages say their number, so no two are alike."""
        config, strings = self.config, STRINGS[self.config.language]
        if kind == "home":
            text = config.description or config.title
        elif category is not None and category.description:
            text = category.description
        else:
            text = strings["list_description"].format(title=title, site=config.title)
        if number:
            text += " (" + strings["page_n"].format(n=number) + ")"
        return text

    def with_graph(self, graph: Graph) -> Renderer:
        """This renderer over a graph of the same shape (an edit patched in by the live
        preview): the compiled templates and the rendered sidebar are kept, unless the card
        of a newest article changed (a comment on it): the sidebar lists those, so a renderer
        is made anew over the graph."""
        if [graph.articles[key].card for key in graph.recent()] != self.env.globals["recent"]:
            search = self.env.globals["search_enabled"]
            return Renderer(graph, self.site_dir, self.theme, search, self.images).kept()
        twin = copy.copy(self)
        twin.graph = graph
        return twin

    def kept(self) -> Renderer:
        """This renderer, kept by a process between builds (the preview, the comment service's
        builder): its templates are checked for changes at each use again. A build that patches
        pages with it trusts a digest of the template files taken before they are compiled, so
        an edit made and undone around that moment would otherwise be served on."""
        self.env.auto_reload = True
        return self

    def _sidebar(self) -> Markup:
        """sidebar.html, rendered on its first use in this process and reused by every page."""
        if self._sidebar_html is None:
            self._sidebar_html = Markup(self.env.get_template("sidebar.html").render())
        return self._sidebar_html

    @cached_property
    def version(self) -> bytes:
        """Everything besides a job's own context and the sidebar that its bytes depend on."""
        values = (
            self.config,
            tuple(self.env.globals["categories"]),
            self.env.globals["search_enabled"],
            __version__,
            self.images.version_of(self.config.logo),  # in every article's structured data
            self.images.version_of(self.config.default_image),
        )
        return digest(self._templates_digest() + repr(values).encode("utf-8", "surrogatepass"))

    @cached_property
    def sidebar_inputs(self) -> bytes:
        """What the sidebar shows: it changes with every addition, so only the pages that
        carry the sidebar depend on it."""
        values = (
            tuple(self.env.globals["category_counts"].items()),
            tuple(self.env.globals["recent"]),
            tuple(self.env.globals["archive_years"]),
        )
        return digest(repr(values).encode("utf-8", "surrogatepass"))

    def shows_sidebar(self, job: Job) -> bool:
        """Every page carries the sidebar, unless `sidebar: shared` puts it on a page of its own."""
        return self.config.sidebar != "shared" or job.template == SIDEBAR_PAGE

    def _templates_digest(self) -> bytes:
        return templates_digest(self.site_templates, self.theme.templates)

    def context(self, job: Job) -> dict:
        """The job's keys resolved into the objects its template reads, comment threads left
        packed: what the page's key is made from."""
        return self._context(job, unpack=False)

    def render(self, job: Job, context: dict | None = None) -> bytes:
        try:
            template = self.env.get_template(job.template)
            if context is None:
                context = self._context(job)
            return template.render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(
                LocatedError(
                    self._shown(exc.filename, exc.name),
                    exc.lineno or 0,
                    f"template syntax error: {exc.message}",
                )
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(
                LocatedError(
                    f"templates/{exc.name}",
                    0,
                    "template not found; add it to the site's templates/ folder",
                )
            ) from None
        except Exception as exc:  # any error raised while a template runs
            path, line = self._template_frame(exc)
            kind = (
                "undefined value" if isinstance(exc, jinja2.UndefinedError) else type(exc).__name__
            )
            raise TemplateProblem(
                LocatedError(path, line, f"{kind} while rendering {job.path}: {exc}")
            ) from None

    def _context(self, job: Job, unpack: bool = True) -> dict:
        graph = self.graph
        articles = graph.articles
        context = dict(job.context)
        context["page_url"] = urls.public_url(self.config, job.path)
        context["page_path"] = job.path
        if "article" in context:
            key = context["article"]
            context["article"] = articles[key]
            context["prev"] = _card(articles.get(graph.prev.get(key, "")))
            context["next"] = _card(articles.get(graph.next.get(key, "")))
            context["related"] = [articles[k].card for k in graph.related.get(key, ())]
            context["extra_links"] = [articles[k].card for k in graph.extra_links.get(key, ())]
            comments = graph.comments.get(key)
            if comments is None:
                context["comments"] = EMPTY_THREAD
            else:
                context["comments"] = comments.thread() if unpack else comments
        if "keys" in context:
            context["articles"] = [articles[k].card for k in context.pop("keys")]
        if "category" in context:
            context["category"] = graph.categories[context["category"]]
        if "tag" in context:
            context["tag"] = graph.tags[context["tag"]]
        if "entries" in context:
            context["entries"] = [articles[k] for k in context["entries"]]
        if "target" in context:
            context["target"] = articles[context["target"]].card
        if "to" in context:
            to = context.pop("to")
            context["target"] = Destination(to, to, urls.public_url(self.config, to))
            context["host_redirect"] = self.config.host_redirects != "none"
        if "commented" in context:
            # An article's own feed may be there before its first comment (an old feed URL
            # leads to it): it then lists none.
            keys = [key for key in context.pop("commented") if key in graph.comments]
            threads = [graph.comments[key] for key in keys]
            context["commented"] = [articles[key] for key in keys]
            context["feed_comments"] = (
                newest_comments(context["commented"], threads, self.config.feeds.entries)
                if unpack
                else threads
            )
        return context

    def _shown(self, filename: str | None, name: str | None) -> str:
        if filename:
            path = Path(filename)
            for root, label in ((self.site_dir, None), (self.theme.templates, "default theme")):
                try:
                    relative = path.resolve().relative_to(root.resolve())
                except ValueError:
                    continue
                return f"{label}: templates/{relative.as_posix()}" if label else relative.as_posix()
        return f"templates/{name}"

    def _template_frame(self, exc: BaseException) -> tuple[str, int]:
        """The innermost template line in the traceback (Jinja maps frames to templates)."""
        found = ("templates", 0)
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if (
                filename.endswith((".html", ".xml", ".txt"))
                and "site-packages/jinja2" not in filename
            ):
                found = (self._shown(filename, None), tb.tb_lineno)
            tb = tb.tb_next
        return found


def _environment(site_templates: Path, theme_templates: Path) -> jinja2.Environment:
    """Jinja with the site's templates over the theme's, escaped and strict: an undefined
    value is an error, not an empty text.

    Templates are compiled once and not checked again (no auto_reload: a stat of each file at
    every page, and of base.html and comments.html within it): a build makes its renderer
    anew. A process that keeps one between builds checks them again (Renderer.kept)."""
    env = _PageEnvironment(
        loader=jinja2.ChoiceLoader(
            [
                UnindentedLoader(site_templates),
                UnindentedLoader(theme_templates),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_allowed_characters,
        auto_reload=False,
    )
    # Structured data as UTF-8, not \uXXXX escapes (twice the bytes of Japanese text), and
    # without spaces; `tojson` still escapes the characters that could end the <script>.
    env.policies["json.dumps_kwargs"] = {
        "sort_keys": True,
        "ensure_ascii": False,
        "separators": (",", ":"),
    }
    return env


def _allowed_characters(value: object) -> object:
    """Every value a page or feed shows, without the characters HTML and XML forbid (a title
    written with a YAML escape like "\\v" would otherwise make feed.xml ill-formed)."""
    if isinstance(value, str) and FORBIDDEN.search(value):
        cleaned = FORBIDDEN.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def _printed(value: object) -> str:
    """What `{{ value }}` puts in an escaped page: the value through `_allowed_characters`,
    then escaped, in one call where Jinja makes two (a page prints a few hundred values) and
    without a Markup made of each: the page joins them into one str. Texts and Markup, most
    of what is printed, go the short way: a printable text (no line break) holds no forbidden
    character, and the replacements are markupsafe's own; an int is its digits. Anything
    else is escaped as Jinja would (an undefined value still raises)."""
    kind = value.__class__
    if kind is str:
        if not value.isprintable():
            value = _allowed_characters(value)
        return (
            value.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    if kind is Markup:
        return _allowed_characters(value)
    if kind is int:  # counts and depths: digits, nothing to clean or escape
        return str(value)
    return escape(_allowed_characters(value))


class _PrintedOnce(CodeGenerator):
    """Templates whose printed values go through `_printed`, one call, where Jinja writes
    escape(environment.finalize(value)). Where autoescaping is decided while the page renders
    (an {% autoescape %} block with a variable) Jinja's own code is kept."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.printed(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class _PageEnvironment(jinja2.Environment):
    """An Environment whose templates print with `_printed`."""

    code_generator_class = _PrintedOnce
    printed = staticmethod(_printed)
