"""What the rest of the build needs of one rendered Markdown body, cheap to keep and to load.

A rebuild takes every article from the build cache and shows only a few bodies: the graph,
the plan and the page keys need each body's links, images, excerpt and digest, and the HTML
only where a page shows it. So the HTML is pickled as its UTF-8 bytes and decoded where it is
used, and the rest is worked out once, when the file is read: a cache of 10,000 articles then
loads without decoding 80 MB of text, and the source's Markdown and plain text are not kept.
"""

from __future__ import annotations

import hashlib
import re
from html import unescape

from blogsmith.content.markdown_body import RenderedBody, excerpt, replace_links

BODY_IMAGE = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"')
"""The src of each image a body shows (the Markdown renderer writes src in double quotes)."""


class ArticleBody:
    """A rendered body: its HTML, the .md links it holds with their file lines, the sources of
    its images, its excerpt, and a digest of the HTML (what equal bodies share)."""

    __slots__ = ("_html", "_packed", "digest", "links", "images", "excerpt")

    def __init__(
        self,
        html: str,
        links: tuple[tuple[str, int], ...],
        images: tuple[str, ...],
        excerpt: str,
    ) -> None:
        self._html: str | None = html
        self._packed: bytes | None = None
        self.digest = hashlib.blake2b(_utf8(html), digest_size=20).digest()
        self.links = links
        """(href as written, the line of the file it is on) of each link to a .md source."""
        self.images = images
        """The src of each <img> in the HTML, unescaped, in order."""
        self.excerpt = excerpt
        """The start of the body's text, cut as the config says (see markdown_body.excerpt)."""

    @classmethod
    def of(
        cls, rendered: RenderedBody, body: str, body_line: int, excerpt_chars: int, language: str
    ) -> ArticleBody:
        """From the renderer's output and the Markdown it was made from (`body`, which starts
        on the file's line `body_line`)."""
        html = rendered.html
        sources = BODY_IMAGE.findall(html) if "<img" in html else ()
        return cls(
            html,
            tuple((href, _line_of(body, body_line, href)) for href in rendered.md_links),
            tuple(unescape(src) for src in sources),
            excerpt(rendered.text, excerpt_chars, language),
        )

    @property
    def html(self) -> str:
        """Decoded from the packed bytes on each use, not kept (see Article.html): a body
        made in this process keeps its text, one that came pickled keeps only its bytes."""
        if self._html is None:
            assert self._packed is not None
            return self._packed.decode("utf-8", "surrogatepass")
        return self._html

    def linked(self, links: tuple[tuple[str, str], ...]) -> str:
        """The HTML with each .md href swapped for the URL the graph resolved it to."""
        return replace_links(self.html, dict(links))

    def __getstate__(self) -> tuple:
        if self._packed is None:
            self._packed = _utf8(self.html)
        return (self._packed, self.digest, self.links, self.images, self.excerpt)

    def __setstate__(self, state: tuple) -> None:
        self._packed, self.digest, self.links, self.images, self.excerpt = state
        self._html = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArticleBody):
            return NotImplemented
        return (self.digest, self.links, self.images, self.excerpt) == (
            other.digest,
            other.links,
            other.images,
            other.excerpt,
        )

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"ArticleBody({self.digest.hex()[:12]}, {len(self.links)} links)"


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _line_of(body: str, body_line: int, needle: str) -> int:
    """The file line of the first body line mentioning `needle` (links carry no positions)."""
    for offset, text in enumerate(body.split("\n")):
        if needle in text:
            return body_line + offset
    return body_line
