"""Read a WordPress export (WXR 1.0 to 1.2) as a stream of plain values.

The file is parsed incrementally and every <item> is dropped once read, so memory stays flat
however large the export. WordPress writes the `wp:` namespace as http:// or https:// and with
any export version; they are all read alike. Bytes that XML 1.0 forbids (control characters
that old WordPress versions let into exports) are dropped before parsing.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_TERM_KINDS = {"tag": "post_tag"}
"""WXR 1.0 wrote a post's tags as domain="tag"."""
_FORBIDDEN = bytes(b for b in range(32) if b not in (9, 10, 13))


class ExportUnreadable(Exception):
    """The export is not well-formed XML or not a WordPress export; says where."""


@dataclass
class Term:
    kind: str
    """'category' or 'post_tag'."""
    slug: str
    """Percent-decoded, as WordPress shows it."""
    name: str
    parent: str = ""
    id: str = ""
    """The term id (channel terms only): what plugins store in post meta."""


@dataclass
class Comment:
    id: str
    author: str
    author_url: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Item:
    id: str
    type: str
    status: str
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    date: str
    date_gmt: str
    modified_gmt: str
    name: str
    """post_name, percent-decoded."""
    password: str
    parent: str
    attachment_url: str
    terms: list[Term] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    language: str = ""
    base_blog_url: str = ""
    authors: dict[str, str] = field(default_factory=dict)
    """login -> display name."""
    terms: list[Term] = field(default_factory=list)


def read(path: Path) -> Iterator[Channel | Item]:
    """The channel's header (once, before the first item), then every item in file order."""
    channel = Channel()
    told = False
    items = 0
    children = _ChannelChildren()
    try:
        with open(path, "rb") as raw:
            for name, element in children.of(ET.iterparse(_Cleaned(raw), ("start", "end"))):
                if name != "item":
                    _read_header(channel, name, element)
                    continue
                if not told:
                    told = True
                    yield channel
                items += 1
                read_item = _item(element)
                read_item.id = read_item.id or f"item-{items}"  # some exports number none
                yield read_item
    except ET.ParseError as exc:
        line, column = exc.position
        raise ExportUnreadable(
            f"{path}:{line}: not well-formed XML at column {column + 1} ({exc.msg.split(':')[0]});"
            " export the site again from Tools > Export"
        ) from None
    if not children.found:
        raise ExportUnreadable(
            f"{path}: no <channel> found: this is not a WordPress export (Tools > Export makes one)"
        )
    if not told:
        yield channel


class _ChannelChildren:
    """The <channel>'s own children, each once it is read whole, dropped from the tree when
    the reader moves on so that memory stays flat."""

    def __init__(self) -> None:
        self.channel: ET.Element | None = None

    @property
    def found(self) -> bool:
        return self.channel is not None

    def of(self, events: Iterator[tuple[str, ET.Element]]) -> Iterator[tuple[str, ET.Element]]:
        depth = 0
        for event, element in events:
            name = _name(element.tag)
            if event == "start":
                depth += 1
                if name == "channel":
                    self.channel = element
                continue
            depth -= 1
            if self.channel is None or depth != 2:  # only the channel's own children
                continue
            yield name, element
            self.channel.remove(element)  # what is read is dropped: memory stays flat


def _read_header(channel: Channel, name: str, element: ET.Element) -> None:
    """One of the channel's own fields, authors or terms, into `channel`."""
    if name == "wp:author":
        login = _text(element, "wp:author_login")
        channel.authors[login] = _text(element, "wp:author_display_name") or login
    elif name == "wp:category":
        channel.terms.append(
            Term(
                "category",
                unquote(_text(element, "wp:category_nicename")),
                _text(element, "wp:cat_name"),
                unquote(_text(element, "wp:category_parent")),
                _text(element, "wp:term_id").strip(),
            )
        )
    elif name == "wp:tag":
        channel.terms.append(
            Term(
                "post_tag",
                unquote(_text(element, "wp:tag_slug")),
                _text(element, "wp:tag_name"),
            )
        )
    elif name in ("title", "link", "language", "wp:base_blog_url"):
        setattr(channel, name.removeprefix("wp:"), (element.text or "").strip())


class _Cleaned(io.RawIOBase):
    """The file's bytes without the control characters XML 1.0 forbids."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            data = self.raw.read(len(buffer))
            if not data:
                return 0
            data = data.translate(None, _FORBIDDEN)
            if data:
                buffer[: len(data)] = data
                return len(data)

    def read(self, size: int = -1) -> bytes:
        return self.raw.read(size).translate(None, _FORBIDDEN)


def _name(tag: str) -> str:
    """'{ns}local' as 'wp:local', 'content:local', 'excerpt:local', 'dc:local' or 'local'."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    if namespace == CONTENT_NS:
        return f"content:{local}"
    if namespace == DC_NS:
        return f"dc:{local}"
    bare = namespace.split("://", 1)[-1]
    if bare.startswith("wordpress.org/export/"):
        return f"excerpt:{local}" if bare.rstrip("/").endswith("/excerpt") else f"wp:{local}"
    return local


def _text(element: ET.Element, name: str) -> str:
    for child in element:
        if _name(child.tag) == name:
            return child.text or ""
    return ""


def _item(element: ET.Element) -> Item:
    values: dict[str, str] = {}
    terms, bare_terms, meta, comments = [], [], {}, []
    for child in element:
        name = _name(child.tag)
        if name == "category":
            label = (child.text or "").strip()
            domain = child.get("domain", "")
            kind = _TERM_KINDS.get(domain, domain) or "category"
            term = Term(kind, unquote(child.get("nicename", "")) or label, label)
            (terms if domain else bare_terms).append(term)
        elif name == "wp:postmeta":
            meta[_text(child, "wp:meta_key")] = _text(child, "wp:meta_value")
        elif name == "wp:comment":
            comments.append(_comment(child))
        else:
            values[name] = child.text or ""
    # WXR 1.0 names each category twice, bare and with its domain: the bare one only counts
    # when it is alone (the oldest exports give neither domain nor nicename)
    named = {term.name for term in terms if term.kind == "category"}
    terms = [term for term in bare_terms if term.name not in named] + terms
    link = values.get("link", "").strip()
    post_id = (
        values.get("wp:post_id", "").strip() or parse_qs(urlsplit(link).query).get("p", [""])[0]
    )
    return Item(
        id=post_id,
        type=values.get("wp:post_type", "post").strip(),
        status=values.get("wp:status", "").strip(),
        title=values.get("title", ""),
        link=link,
        creator=values.get("dc:creator", ""),
        content=values.get("content:encoded", ""),
        excerpt=values.get("excerpt:encoded", ""),
        date=values.get("wp:post_date", "").strip(),
        date_gmt=values.get("wp:post_date_gmt", "").strip(),
        modified_gmt=values.get("wp:post_modified_gmt", "").strip(),
        name=unquote(values.get("wp:post_name", "").strip()),
        password=values.get("wp:post_password", ""),
        parent=values.get("wp:post_parent", "0").strip(),
        attachment_url=values.get("wp:attachment_url", "").strip(),
        terms=terms,
        meta=meta,
        comments=comments,
    )


def _comment(element: ET.Element) -> Comment:
    meta = {}
    values = {}
    for child in element:
        name = _name(child.tag)
        if name == "wp:commentmeta":
            meta[_text(child, "wp:meta_key")] = _text(child, "wp:meta_value")
        else:
            values[name] = child.text or ""
    return Comment(
        id=values.get("wp:comment_id", "").strip(),
        author=values.get("wp:comment_author", "").strip(),
        author_url=values.get("wp:comment_author_url", "").strip(),
        date=values.get("wp:comment_date", "").strip(),
        date_gmt=values.get("wp:comment_date_gmt", "").strip(),
        content=values.get("wp:comment_content", ""),
        approved=values.get("wp:comment_approved", "").strip(),
        type=values.get("wp:comment_type", "").strip(),
        parent=values.get("wp:comment_parent", "0").strip() or "0",
        meta=meta,
    )
