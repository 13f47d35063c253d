"""Markdown to HTML with the archive's conventions: figures with credits, links to .md files,
base-path-aware site links, and the plain text excerpts are cut from.

The output does not depend on any other article: links to .md files are collected, not
resolved, so a body can be rendered (and later cached) on its own.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from blogsmith.content.markdown_linear import use_linear_links

_PLACEHOLDER = re.compile("\x02[^\x03]*\x03")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class RenderedBody:
    html: str
    text: str
    """Plain text of the body's paragraphs, one per line, for excerpts."""
    md_links: tuple[str, ...]


def is_md_link(href: str) -> bool:
    """A relative link to another source file, which the graph turns into that page's URL."""
    target = href.split("#", 1)[0]
    return bool(target.endswith(".md") and not _SCHEME.match(target) and not href.startswith("/"))


class _ArchiveTreeprocessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, extension: ArchiveExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        base = self.extension.base_path
        links: list[str] = []
        text_parts: list[str] = []
        for element in list(root):
            if element.tag == "h1":
                element.tag = "h2"
            if element.tag == "p":
                if _make_figure(element):
                    continue
                text_parts.append(_plain_text(element))
        for element in root.iter():
            if element.tag == "a":
                href = element.get("href", "")
                if is_md_link(href):
                    links.append(href)
                elif _is_site_path(href):
                    element.set("href", base + href[1:])
            elif element.tag == "img":
                src = element.get("src", "")
                if _is_site_path(src):
                    element.set("src", base + src[1:])
                element.set("loading", "lazy")
        self.extension.links = links
        self.extension.text = "\n".join(_PLACEHOLDER.sub("", part) for part in text_parts)


def _plain_text(element: etree.Element) -> str:
    """Reader-visible text of a paragraph, without footnote markers."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != "sup":
            parts.append(_plain_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _is_site_path(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def _make_figure(paragraph: etree.Element) -> bool:
    """A paragraph holding just an image with a title becomes a linked figure with a caption."""
    children = list(paragraph)
    if len(children) != 1 or (paragraph.text or "").strip():
        return False
    image = children[0]
    if image.tag != "img" or not image.get("title") or (image.tail or "").strip():
        return False
    caption_text = image.attrib.pop("title")
    paragraph.tag = "figure"
    paragraph.text = None
    paragraph.remove(image)
    image.tail = None
    link = etree.SubElement(paragraph, "a", {"href": image.get("src", ""), "class": "figure-link"})
    link.append(image)
    caption = etree.SubElement(paragraph, "figcaption")
    caption.text = caption_text
    return True


class ArchiveExtension(Extension):
    def __init__(self, base_path: str = "/"):
        super().__init__()
        self.base_path = base_path
        self.links: list[str] = []
        self.text = ""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API name)
        # After inline patterns (20) so links and images exist; before prettify (10).
        md.treeprocessors.register(_ArchiveTreeprocessor(md, self), "blogsmith-archive", 15)
        use_linear_links(md)


class NestedTooDeep(Exception):
    """Lists nested deeper than the Markdown parser can follow (it recurses per level)."""


class BodyRenderer:
    """One Markdown instance, reset per document, because building one is costly."""

    def __init__(self, base_path: str = "/", language: str = "ja", line_breaks: bool = False):
        self.extension = ArchiveExtension(base_path)
        self.backlink = "本文へ戻る" if language == "ja" else "Jump back to footnote %d in the text"
        self.line_breaks = line_breaks
        """A single newline inside a paragraph is a line break, as WordPress shows it."""
        self.md = self._make()

    def _make(self) -> markdown.Markdown:
        return markdown.Markdown(
            extensions=[
                "extra",
                "sane_lists",
                "toc",
                *(["nl2br"] if self.line_breaks else []),
                self.extension,
            ],
            extension_configs={
                "toc": {"slugify": slugify_unicode},
                "extra": {"footnotes": {"BACKLINK_TITLE": self.backlink}},
            },
            output_format="html",
        )

    def render(self, source: str) -> RenderedBody:
        self.md.reset()
        try:
            html = self.md.convert(source)
        except RecursionError:  # the parser recurses once per level of lists or quotes
            self.md = self._make()
            raise NestedTooDeep from None
        return RenderedBody(html, _unescape_amp(self.extension.text), tuple(self.extension.links))


def _unescape_amp(text: str) -> str:
    from markdown.util import AMP_SUBSTITUTE

    return text.replace(AMP_SUBSTITUTE, "&")


def excerpt(text: str, limit: int, language: str) -> str:
    """The start of `text`, cut by characters (Japanese has no spaces to cut at) and ended '…'.

    Paragraphs are joined without a space in Japanese, where sentences end in '。' instead.
    """
    joiner = "" if language == "ja" else " "
    text = joiner.join(" ".join(line.split()) for line in text.split("\n") if line.strip())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if language != "ja" and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" 、。,.;:") + "…"


def shortened(text: str, limit: int, language: str) -> str:
    """An excerpt cut shorter still, as excerpt() cuts (a related block shows a line of each
    article, where a list shows a paragraph)."""
    whole = text.removesuffix("…")
    if len(whole) <= limit:
        return text
    return excerpt(whole, limit, language)


def replace_links(html: str, mapping: dict[str, str]) -> str:
    """Swap the collected .md hrefs for the URLs the graph resolved them to."""
    if not mapping:
        return html

    def swap(match: re.Match[str]) -> str:
        raw = _unescape_attr(match.group(1))
        url = mapping.get(raw)
        return f'href="{_escape_attr(url)}"' if url is not None else match.group(0)

    return re.sub(r'href="([^"]*)"', swap, html)


def _unescape_attr(value: str) -> str:
    return (
        value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def _escape_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
