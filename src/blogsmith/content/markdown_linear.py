"""Markdown that costs linear time however a hostile body is written.

Python-Markdown finds a link's text by counting brackets from its `[` to the end of the
paragraph when the bracket never closes, and it does so for every `[`: 8,000 of them took 11 s.
Here each text's brackets and parentheses are matched once, with a stack, and every `[` or
`(` looks its partner up. The result is the same as the library's count, which stays in use
where a quote may open a link title. The standard html.parser (before Python 3.11.13 and
3.12.11) rescans to the end from every `<` of a tag that never closes; those are escaped
first when a body holds more than a few.
"""

from __future__ import annotations

import bisect
import re

import markdown
from markdown import inlinepatterns as patterns

UNCLOSED_TAGS_ALLOWED = 100
"""More `<` tag starts than this that never reach their `>` are shown as text."""
_UNCLOSED_TAG = re.compile(r"<(?=[A-Za-z/!?])[^<>]*(?=<|\Z)")
_SHORT = 200
"""How far a plain search may look before the matched table is used."""


class _Partners:
    """For the last text asked about: where each `[` and `(` closes, and where quotes are."""

    def __init__(self) -> None:
        self.data: str | None = None
        self.closing: dict[int, int] = {}
        self.quotes: list[int] = []

    def _read(self, data: str) -> None:
        if data is self.data:
            return
        self.data, self.closing, self.quotes = data, {}, []
        open_at: dict[str, list[int]] = {"[": [], "(": []}
        for found in re.finditer(r"[\[\]()'\"]", data):
            char, at = found.group(), found.start()
            if char in "[(":
                open_at[char].append(at)
            elif char in "'\"":
                self.quotes.append(at)
            elif open_at["[" if char == "]" else "("]:
                self.closing[open_at["[" if char == "]" else "("].pop()] = at

    def close_of(self, data: str, opening: int) -> int | None:
        self._read(data)
        return self.closing.get(opening)

    def quote_between(self, data: str, start: int, end: int) -> bool:
        self._read(data)
        first = bisect.bisect_left(self.quotes, start)
        return first < len(self.quotes) and self.quotes[first] < end


def _matched_text(partners: _Partners, data: str, index: int) -> tuple[str, int, bool]:
    """What `getText` returns: the text up to the `]` that closes the `[` before `index`."""
    end = data.find("]", index, index + _SHORT)
    if end != -1 and "[" not in data[index:end]:
        return data[index:end], end + 1, True
    if index == 0 or data[index - 1] != "[":
        return patterns.LinkInlineProcessor.getText(None, data, index)  # type: ignore[arg-type]
    close = partners.close_of(data, index - 1)
    if close is None:
        return data[index:], len(data), False
    return data[index:close], close + 1, True


def _matched_link(processor, data: str, index: int) -> tuple[str, str | None, int, bool] | None:
    """What `getLink` returns for `(url)` without quotes, from the matched table; None when
    a quote may start a title and the library's own scan must decide."""
    found = processor.RE_LINK.match(data, pos=index)
    if found is None or found.group(1):
        return None
    start = found.end()
    end = data.find(")", start, start + _SHORT)
    if end != -1 and not any(c in data[start:end] for c in "('\""):
        return processor.unescape(data[start:end]).strip(), None, end + 1, True
    close = processor.partners.close_of(data, index)
    if processor.partners.quote_between(data, start, len(data) if close is None else close):
        return None
    if close is None:
        return "", None, index, False
    return processor.unescape(data[start:close]).strip(), None, close + 1, True


def _linear(base: type) -> type:
    class Linear(base):  # type: ignore[misc, valid-type]
        partners: _Partners

        def getText(self, data: str, index: int) -> tuple[str, int, bool]:  # noqa: N802
            return _matched_text(self.partners, data, index)

        def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:  # noqa: N802
            return _matched_link(self, data, index) or super().getLink(data, index)

    Linear.__name__ = Linear.__qualname__ = f"Linear{base.__name__}"
    return Linear


_REPLACED = (
    # (name, class, pattern, priority): as Python-Markdown registers them
    ("link", patterns.LinkInlineProcessor, patterns.LINK_RE, 160),
    ("image_link", patterns.ImageInlineProcessor, patterns.IMAGE_LINK_RE, 150),
    ("reference", patterns.ReferenceInlineProcessor, patterns.REFERENCE_RE, 140),
    ("short_reference", patterns.ShortReferenceInlineProcessor, patterns.REFERENCE_RE, 130),
    ("image_reference", patterns.ImageReferenceInlineProcessor, patterns.IMAGE_REFERENCE_RE, 125),
    (
        "short_image_ref",
        patterns.ShortImageReferenceInlineProcessor,
        patterns.IMAGE_REFERENCE_RE,
        125,
    ),
)
_CLASSES = {name: _linear(cls) for name, cls, _, _ in _REPLACED}


_FOOTNOTE = r"\[\^([^\]\[]*)\]"
"""The footnotes extension's marker, whose id may not hold `[` either: `[^]]*` ran to the
end of the paragraph from every `[^`."""


def use_linear_links(md: markdown.Markdown) -> None:
    """Swap the library's link, image and footnote processors for ones in linear time."""
    partners = _Partners()
    for name, _, pattern, priority in _REPLACED:
        processor = _CLASSES[name](pattern, md)
        processor.partners = partners
        md.inlinePatterns.register(processor, name, priority)
    if "footnote" in md.inlinePatterns:
        footnotes = md.inlinePatterns["footnote"]
        md.inlinePatterns.register(type(footnotes)(_FOOTNOTE, footnotes.footnotes), "footnote", 175)


def escape_unclosed_tags(body: str) -> tuple[str, int]:
    """The body with every `<` that starts a tag it never closes written `&lt;`, when there
    are more than a few (a handful is shown as text by the parser anyway), and their count."""
    unclosed = [found.start() for found in _UNCLOSED_TAG.finditer(body)]
    if len(unclosed) <= UNCLOSED_TAGS_ALLOWED:
        return body, 0
    pieces, last = [], 0
    for at in unclosed:
        pieces += [body[last:at], "&lt;"]
        last = at + 1
    return "".join(pieces) + body[last:], len(unclosed)
