"""A WordPress post's HTML as the Markdown an editor would have written.

WordPress stores what the editor typed, not what it shows: classic posts have no <p> (blank
lines make paragraphs on display), captions and galleries are shortcodes, a URL alone on a
line is an embed, the block editor wraps everything in <!-- wp:... --> comments. These are
turned into plain HTML first, then markdownify writes Markdown. What Markdown cannot say
(iframes, forms, tables with merged cells...) stays as HTML, which Markdown passes through,
and is listed for the report.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, CData, NavigableString, Tag
from markdownify import ATX, MarkdownConverter

KEEP_AS_HTML = frozenset(
    "iframe video audio object embed script style form input select textarea button svg "
    "canvas math details noscript map".split()
)
"""Elements with no Markdown form: kept as they are and reported."""
INLINE_HTML = frozenset("sup sub del s ins u mark abbr kbd ruby small".split())
"""Inline elements Markdown has no syntax for but shows fine as HTML: kept, not reported."""
BLOCK_TAGS = (
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr iframe li main nav noscript ol p pre section table tbody "
    "td tfoot th thead tr ul video audio object embed script style"
).split()
KNOWN_SHORTCODES = ("caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist")

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->\n?", re.S)
_MORE = re.compile(r"<!--more(.*?)?-->", re.S)
_NEXTPAGE = re.compile(r"<!--nextpage-->")
_CAPTION = re.compile(r"\[(?:wp_)?caption([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.S)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]")
_EMBED = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S)
_MEDIA = re.compile(r"\[(audio|video|playlist)([^\]]*)\](?:.*?\[/\1\])?", re.S)
_ATTRIBUTE = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_SHORTCODE = re.compile(r"\[([a-z][a-z0-9_-]*)(\s+[\w-]+\s*=[^\]]*)?\](?:.*?\[/\1\])?", re.S)
_BARE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)
_PRE = re.compile(r"<pre\b.*?</pre>", re.S | re.I)
_BLOCKS = "|".join(BLOCK_TAGS)
_STARTS_BLOCK = re.compile(rf"^\s*</?(?:{_BLOCKS})\b", re.I)
_ENDS_BLOCK = re.compile(rf"</(?:{_BLOCKS})>\s*$", re.I)
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCKS})[\s/>])", re.I)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCKS})>)", re.I)
_QUOTE = re.compile(r"(<blockquote\b[^>]*>)((?:(?!<blockquote\b).)*?)(</blockquote>)", re.S | re.I)
_SCRIPT_URL = re.compile(r"[\x00-\x20]*(?:javascript|vbscript|data)[\x00-\x20]*:", re.I)
"""A URL a browser would run or render as a page (spaces and controls before it ignored)."""
_WORD_BREAKS = frozenset(BLOCK_TAGS) | {"br", "img", "hr"}


@dataclass(frozen=True)
class Attachment:
    url: str
    caption: str
    alt: str
    title: str
    parent: str


@dataclass
class Converted:
    markdown: str
    more: str | None
    """The text before <!--more-->, when the post has one: its summary."""
    kept_html: list[str] = field(default_factory=list)
    """What stayed HTML, as '<tag>' names, for the report."""
    shortcodes: list[str] = field(default_factory=list)
    """Shortcodes left as text (unknown to the importer)."""
    missing: list[str] = field(default_factory=list)
    """Gallery images that are not in the export."""
    script_links: int = 0
    """Links to javascript:, vbscript: or data: URLs, made plain text."""


@dataclass
class Context:
    """What converting one post needs from the rest of the export."""

    post_id: str
    attachments: dict[str, Attachment]
    link_target: Callable[[str], str | None]
    """An old URL -> the .md file it now is (relative to the post's file), or None."""
    media_url: Callable[[str], str]
    """An image or file URL -> the URL the site uses for it (local when copied)."""


def convert(raw: str, context: Context) -> Converted:
    blocks = "<!-- wp:" in raw
    text = _BLOCK_COMMENT.sub("", raw.replace("\r\n", "\n"))
    more = None
    found = _MORE.search(text)
    if found:
        more = text[: found.start()]
        text = text[: found.start()] + text[found.end() :]
    text = _NEXTPAGE.sub("\n\n<hr>\n\n", text)
    result = Converted("", None)
    text = _shortcodes(text, context, result)
    text = _BARE_URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', text)
    if not blocks:
        text = autop(text)
    converter = _Converter(context, result)
    result.markdown = _tidy(converter.convert(text))
    if more is not None:
        lead = BeautifulSoup(autop(_shortcodes(more, context, Converted("", None))), "html.parser")
        for figure in lead.find_all("figure"):
            figure.decompose()
        result.more = words_of(lead)
    result.kept_html = sorted(set(result.kept_html))
    return result


def words_of(node: Tag) -> str:
    """The text of some HTML on one line. Block elements and <br> part words; inline ones
    do not (get_text(" ") would make `Mark<sup>up</sup>` two words and H<sub>2</sub>O three)."""
    pieces = []
    for piece in node.descendants:
        if type(piece) in (NavigableString, CData):
            pieces.append(str(piece))
        elif isinstance(piece, Tag) and (piece.name in _WORD_BREAKS):
            pieces.append(" ")
    return " ".join("".join(pieces).split())


def autop(text: str) -> str:
    """WordPress's paragraphs for classic posts: blank lines part paragraphs and a single
    line break is <br>, except around and inside block elements and <pre>."""
    saved: list[str] = []

    def save(match: re.Match) -> str:
        saved.append(match.group(0))
        return f"\x00{len(saved) - 1}\x00"

    text = _PRE.sub(save, text)
    # WordPress makes paragraphs and line breaks inside a quote too
    text = _QUOTE.sub(lambda m: m.group(1) + autop(m.group(2)) + m.group(3), text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)  # every block element apart from the text
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    chunks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    out = []
    for chunk in chunks:
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk) or _ENDS_BLOCK.search(chunk) or chunk.startswith("\x00"):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    joined = "\n\n".join(out)
    return re.sub("\x00(\\d+)\x00", lambda m: saved[int(m.group(1))], joined)


def _attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
        for m in _ATTRIBUTE.finditer(text)
    }


def _figure(url: str, alt: str, caption: str, link: str = "") -> str:
    image = f'<img src="{html.escape(url)}" alt="{html.escape(alt)}">'
    if link:
        image = f'<a href="{html.escape(link)}">{image}</a>'
    caption_html = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"\n\n<figure>{image}{caption_html}</figure>\n\n"


def _shortcodes(text: str, context: Context, result: Converted) -> str:
    def caption(match: re.Match) -> str:
        attributes = _attributes(match.group(1))
        inner = BeautifulSoup(match.group(2), "html.parser")
        image = inner.find("img")
        if image is None:
            return match.group(2)
        link = image.parent.get("href", "") if image.parent.name == "a" else ""
        image.extract()
        for anchor in inner.find_all("a"):
            if not anchor.get_text(strip=True):
                anchor.extract()
        words = " ".join(attributes.get("caption", "").split()) or words_of(inner)
        return _figure(image.get("src", ""), image.get("alt", ""), words, link)

    def gallery(match: re.Match) -> str:
        attributes = _attributes(match.group(1))
        if attributes.get("ids"):
            ids = [part.strip() for part in attributes["ids"].split(",") if part.strip()]
        else:
            ids = sorted(
                (key for key, a in context.attachments.items() if a.parent == context.post_id),
                key=int,
            )
        figures = []
        for number in ids:
            image = context.attachments.get(number)
            if image is None:
                result.missing.append(f"gallery image {number}")
                continue
            figures.append(_figure(image.url, image.alt, image.caption))
        return "".join(figures)

    def embed(match: re.Match) -> str:
        url = match.group(1).strip()
        return f'\n\n<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>\n\n'

    def media(match: re.Match) -> str:
        attributes = _attributes(match.group(2))
        url = attributes.get("src") or next(
            (v for k, v in attributes.items() if k in ("mp3", "m4a", "ogg", "wav", "mp4", "webm")),
            "",
        )
        if not url:  # the short form: [audio https://...]
            found = re.search(r"https?://[^\s\]\"']+", match.group(2))
            url = found.group(0) if found else ""
        if not url:
            result.shortcodes.append(f"[{match.group(1)}]")
            return match.group(0)
        return f'\n\n<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>\n\n'

    text = _CAPTION.sub(caption, text)
    text = _GALLERY.sub(gallery, text)
    text = _EMBED.sub(embed, text)
    text = _MEDIA.sub(media, text)
    for found in _SHORTCODE.finditer(text):
        if found.group(1) not in KNOWN_SHORTCODES and (found.group(2) or "[/" in found.group(0)):
            result.shortcodes.append(f"[{found.group(1)}]")
    return text


class _Converter(MarkdownConverter):
    def __init__(self, context: Context, result: Converted) -> None:
        super().__init__(heading_style=ATX, bullets="-", escape_underscores=False)
        self.context = context
        self.result = result

    def process_tag(self, node, parent_tags=None):
        name = node.name
        if name in KEEP_AS_HTML or (name == "table" and _complex_table(node)):
            self.result.kept_html.append(f"<{name}>")
            return f"\n\n{node}\n\n"
        if name in INLINE_HTML:
            return str(node)
        if name == "figure":
            converted = self._figure(node)
            if converted is not None:
                return converted
        return super().process_tag(node, parent_tags)

    def _figure(self, node: Tag) -> str | None:
        classes = " ".join(node.get("class", []))
        if "wp-block-embed" in classes:
            url = node.get_text(" ", strip=True).split(" ")[0]
            if url.startswith(("http://", "https://")):
                return f"\n\n<{url}>\n\n"
        image = node.find("img")
        if image is None or node.find(["table", "video", "audio", "iframe"]):
            return None
        images = node.find_all("img")
        caption_node = node.find("figcaption")
        caption = words_of(caption_node) if caption_node else ""
        if len(images) > 1:  # a block gallery: one figure per image
            return "".join(
                self._image(i, _own_caption(i) or (caption if n == len(images) - 1 else ""))
                for n, i in enumerate(images)
            )
        return self._image(image, caption)

    def _image(self, image: Tag, caption: str) -> str:
        """An image alone in its paragraph: the renderer makes it a figure, the caption
        its credit line."""
        return f"\n\n{self._markdown_image(image, caption)}\n\n"

    def _markdown_image(self, image: Tag, title: str) -> str:
        url = image.get("src", "")
        if _SCRIPT_URL.match(url):
            self.result.script_links += 1
            url = ""
        url = self.context.media_url(url)
        alt = _escape_brackets(" ".join(image.get("alt", "").split()))
        title_part = ' "' + title.replace('"', "”") + '"' if title else ""
        return f"![{alt}]({_link_target(url)}{title_part})"

    def convert_img(self, el, text, parent_tags):
        if "_inline" in parent_tags and el.parent.name not in ("a", "p"):
            return el.get("alt", "")  # in a heading or a table cell: its text
        return self._markdown_image(el, el.get("title", ""))

    def convert_a(self, el, text, parent_tags):
        href = el.get("href", "")
        if _SCRIPT_URL.match(href):
            self.result.script_links += 1
            return text
        target = self.context.link_target(href) if href else None
        if target is not None:
            el["href"] = target
        elif el.find("img") is not None and href.startswith(("http://", "https://")):
            el["href"] = self.context.media_url(href)  # a linked image: its full size
        return super().convert_a(el, text, parent_tags)


def _own_caption(image: Tag) -> str:
    holder = image.find_parent("figure")
    caption = holder.find("figcaption") if holder is not None else None
    return words_of(caption) if caption else ""


def _complex_table(table: Tag) -> bool:
    """Merged cells, nested tables or block content in cells: a pipe table cannot hold it."""
    for cell in table.find_all(["td", "th"]):
        if cell.get("colspan", "1") != "1" or cell.get("rowspan", "1") != "1":
            return True
        if cell.find(["table", "ul", "ol", "p", "pre", "blockquote", "br"]):
            return True
    return False


def _escape_brackets(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def _link_target(url: str) -> str:
    return f"<{url}>" if any(c in url for c in " ()") else url


def _tidy(markdown: str) -> str:
    """No trailing blanks but the two spaces of a line break, no runs of blank lines."""
    markdown = re.sub(
        r"(?<=\S)[ \t]+\n", lambda m: "  \n" if m.group(0) == "  \n" else "\n", markdown
    )
    markdown = re.sub(r"^[ \t]+\n", "\n", markdown, flags=re.M)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def relative_link(from_key: str, to_key: str, fragment: str = "") -> str:
    """The link from one content file to another, as editors write it (`../08/x.md`)."""
    return posixpath.relpath(to_key, posixpath.dirname(from_key) or ".") + fragment


__all__ = ["Attachment", "Context", "Converted", "autop", "convert", "relative_link", "words_of"]
