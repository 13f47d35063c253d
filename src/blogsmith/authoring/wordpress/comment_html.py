"""A WordPress comment's HTML as the plain text blogsmith's comment files hold.

Comment bodies are untrusted and shown as text, so no markup is kept: paragraphs and line
breaks stay as lines, quotes become '>' lines (which the theme shows as quotes), a link
becomes its text followed by its address (which the theme links), an image its alt text.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

_BLOCKS = frozenset("p div ul ol h1 h2 h3 h4 h5 h6 pre table tr section article figure".split())
_DROPPED = frozenset("script style noscript template".split())


def comment_text(raw: str) -> str:
    soup = BeautifulSoup(raw.replace("\r\n", "\n"), "html.parser")
    text = re.sub("\x01\n?", "\n", _render(soup))  # <br> and the line end after it: one break
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _render(node: Tag) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            parts.append(str(child))
            continue
        parts.append(_element(child))
    return "".join(parts)


def _element(element: Tag) -> str:
    name = element.name
    if name in _DROPPED:
        return ""
    if name == "br":
        return "\x01"
    if name == "img":
        return element.get("alt", "")
    inner = _render(element)
    if name == "a":
        href = element.get("href", "").strip()
        shown = inner.strip()
        if href.startswith(("http://", "https://")) and href != shown:
            return f"{shown} {href}" if shown else href
        return inner
    if name == "blockquote":
        quoted = "\n".join(f"> {line}".rstrip() for line in inner.strip("\n").split("\n"))
        return f"\n\n{quoted}\n\n"
    if name == "li":
        return f"\n- {inner.strip()}"
    if name in ("td", "th"):
        return inner.strip() + " "
    if name in _BLOCKS:
        return f"\n\n{inner.strip(chr(10))}\n\n"
    return inner
