"""Reader comment text to HTML that can hold no markup but our own.

A comment is untrusted: every character of it is escaped, and the only elements in the
result are the ones made here (p, br, blockquote, and links to http(s) URLs). Characters that
HTML forbids (controls, noncharacters, lone surrogates) are dropped.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

LINK_REL = "nofollow ugc noopener"

# What HTML and XML do not allow in text: controls but tab and line breaks, noncharacters,
# lone surrogates. Written as the complement of what they allow, one range per plane: the
# same characters, but a character of text is found in the set in a step or two, where a
# list of what is forbidden was walked to its end for every character (eight times slower).
FORBIDDEN = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd"
    + "".join(f"{chr(plane << 16)}-{chr(plane << 16 | 0xFFFD)}" for plane in range(1, 17))
    + "]"
)
# ASCII URL characters only: Japanese text usually runs straight on after a URL.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TRAILING = ".,;:!?'\"]"


def clean(text: str) -> str:
    """Text with Unix line breaks and without the characters HTML does not allow."""
    return FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def render_body(text: str) -> Markup:
    """Paragraphs at blank lines, <br> at line breaks, quotes for lines starting with '>'."""
    blocks: list[str] = []
    paragraph: list[str] = []
    for line in clean(text).split("\n") + [""]:
        if line.strip():
            paragraph.append(line)
            continue
        if paragraph:
            blocks.extend(_paragraph_html(paragraph))
            paragraph = []
    return Markup("".join(blocks))


def _paragraph_html(lines: list[str]) -> list[str]:
    """A paragraph's lines, with each run of quoted lines as a blockquote of its own."""
    html: list[str] = []
    run: list[str] = []
    quoted = lines[0].startswith(">")
    for line in lines + [None]:
        is_quote = line is not None and line.startswith(">")
        if line is None or is_quote != quoted:
            inner = _lines_html(run)
            html.append(f"<blockquote><p>{inner}</p></blockquote>" if quoted else f"<p>{inner}</p>")
            run, quoted = [], is_quote
        if line is not None:
            run.append(line)
    return html


def _lines_html(lines: list[str]) -> str:
    """Lines apart by <br>; without a URL among them (most comments) escaped all at once,
    as escaping leaves the line breaks that stand for the <br> alone."""
    joined = "\n".join(lines)
    if "://" not in joined:
        return str(escape(joined)).replace("\n", "<br>")
    return "<br>".join(_line_html(line) for line in lines)


def _line_html(line: str) -> str:
    out: list[str] = []
    position = 0
    for match in _URL.finditer(line):
        url = _trim(match.group(0))
        if safe_url(url) is None:
            continue
        start, end = match.start(), match.start() + len(url)
        out.append(str(escape(line[position:start])))
        out.append(link(url, url))
        position = end
    out.append(str(escape(line[position:])))
    return "".join(out)


def _trim(url: str) -> str:
    """Leave sentence punctuation and an unbalanced ')' outside the link."""
    end = len(url)
    unmatched = url.count(")") - url.count("(")  # counted once: a URL can be 65 KB of ')'
    while end and (url[end - 1] in _TRAILING or (url[end - 1] == ")" and unmatched > 0)):
        unmatched -= url[end - 1] == ")"
        end -= 1
    return url[:end]


def link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(text)}</a>'


def link_count(text: str) -> int:
    """How many URLs a body holds (each becomes a link on the page)."""
    return len(_URL.findall(text))


def safe_url(value: object) -> str | None:
    """The value as a link target when it is a plain http(s) URL, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        if not _URL.fullmatch(value) or not urlsplit(value).hostname:
            return None
    except ValueError:  # urlsplit refuses some hosts, like an unclosed '[' of an IPv6 address
        return None
    return value
