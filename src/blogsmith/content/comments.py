"""A comments file's flat list into threads: checked, ordered, nested up to max_depth.

Replies nest inside the comment they answer; below `max_depth` the conversation continues
at the last level, in date order, each such reply carrying the author it answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from blogsmith.content.comment_text import clean, render_body, safe_url
from blogsmith.core.dates import EXPECTED_FORM, parse_datetime
from blogsmith.core.errors import ErrorBag, did_you_mean
from blogsmith.core.yamlread import YamlDoc

KINDS = ("comment", "trackback", "pingback")
FIELDS = ("id", "parent", "type", "author", "url", "date", "votes", "body", "removed", "edited")
EXAMPLE = "'- id: 101', 'author: ...', 'date: 2022-09-14T10:12:00+09:00', 'body: ...'"


@dataclass(frozen=True)
class Comment:
    id: str
    kind: str
    author: str
    url: str | None
    """Only a plain http(s) URL; anything else is not linked."""
    date: datetime
    votes: int
    has_votes: bool
    body_html: Markup
    parent: str | None
    depth: int
    reply_to: str | None
    """The author answered, set when the reply is shown below its parent's level."""
    replies: tuple[Comment, ...]
    removed: bool = False
    """Taken down (`removed:` in the file): shown as a placeholder, its replies under it."""
    edited: bool = False
    """Changed by a moderator after it was sent (`edited:` in the file): the page says so."""


@dataclass(frozen=True)
class Thread:
    comments: tuple[Comment, ...]
    """Top-level discussion comments in date order, replies nested inside."""
    trackbacks: tuple[Comment, ...]
    count: int
    """Discussion comments at every depth that readers can read (trackbacks, pingbacks and
    removed comments not counted)."""
    newest: datetime | None = None
    """The date of the newest of those (what the site's comment feed picks threads by)."""

    def readable(self) -> list[Comment]:
        """Every discussion comment readers can read, at any depth, in no particular order."""
        found, stack = [], list(self.comments)
        while stack:
            comment = stack.pop()
            stack.extend(comment.replies)
            if not comment.removed:
                found.append(comment)
        return found


EMPTY = Thread((), (), 0)


@dataclass(frozen=True)
class _Raw:
    id: str
    kind: str
    author: str
    url: str | None
    date: datetime
    votes: int
    has_votes: bool
    body: str
    parent: str | None
    line: int
    position: int
    removed: bool
    edited: bool = False

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.date, self.position)


def read_thread(doc: YamlDoc, where: str, zone: ZoneInfo, max_depth: int, bag: ErrorBag) -> Thread:
    """The thread of one comments file; every problem goes to `bag` with the comment's line."""
    data = doc.data
    if data is None:
        return EMPTY
    if not isinstance(data, list):
        bag.add(
            where,
            doc.first_line,
            f"a comments file must be a YAML list of comments, each like {EXAMPLE}",
        )
        return EMPTY
    raws: dict[str, _Raw] = {}
    named = {str(item["id"]).strip() for item in data if isinstance(item, dict) and "id" in item}
    for position, item in enumerate(data):
        raw = _check(item, position, doc, where, zone, bag)
        if raw is None:
            continue
        if raw.id in raws:
            bag.add(
                where,
                raw.line,
                f"comment {raw.id}: duplicate id; the comment on line "
                f"{raws[raw.id].line} has it already; give each comment its own id",
            )
            continue
        raws[raw.id] = raw
    usable = _check_parents(raws, named, where, bag)
    discussion = {key: raw for key, raw in usable.items() if raw.kind == "comment"}
    trackbacks = sorted((r for r in usable.values() if r.kind != "comment"), key=lambda r: r.order)
    return Thread(
        comments=_nest(discussion, max_depth),
        trackbacks=tuple(_comment(r, 1, None, ()) for r in trackbacks),
        count=sum(not raw.removed for raw in discussion.values()),
        newest=max((raw.date for raw in discussion.values() if not raw.removed), default=None),
    )


def _check(
    item: object, position: int, doc: YamlDoc, where: str, zone: ZoneInfo, bag: ErrorBag
) -> _Raw | None:
    line = doc.line(position)
    ident = _identity(item, position, doc, where, bag)
    if ident is None:
        return None
    name = f"comment {ident}"
    for key in item:
        if key not in FIELDS:
            hint = did_you_mean(str(key), list(FIELDS))
            bag.warn(
                where,
                doc.line(position, str(key)),
                f"{name}: unknown field '{key}' is ignored;{hint}".rstrip(";"),
            )
    failed = False

    def fail(key: str, message: str) -> None:
        nonlocal failed
        failed = True
        bag.add(where, doc.line(position, key), f"{name}: {message}")

    removed = _marked(item, "removed", "it was taken down", zone, fail)
    edited = _marked(item, "edited", "a moderator edited it", zone, fail)
    texts = _texts(item, removed, fail)
    date = _date(item, zone, fail)
    kind = item.get("type", "comment")
    if kind not in KINDS:
        fail("type", f"'type' must be comment, trackback or pingback, got {kind!r}")
    votes = item.get("votes", 0)
    if isinstance(votes, bool) or not isinstance(votes, int):
        fail("votes", f"'votes' must be a whole number, got {votes!r}")
    parent = item.get("parent")
    if parent is not None and (isinstance(parent, (bool, dict, list)) or not str(parent).strip()):
        fail("parent", "'parent' must be the id of another comment in this file")
    if failed:
        return None
    return _Raw(
        id=ident,
        kind=kind,
        author=" ".join(texts["author"].split()),
        url=safe_url(item.get("url")),
        date=date,
        votes=votes,
        has_votes="votes" in item,
        body=texts["body"],
        parent=None if parent is None else str(parent).strip(),
        line=line,
        position=position,
        removed=removed,
        edited=edited,
    )


def _identity(item: object, position: int, doc: YamlDoc, where: str, bag: ErrorBag) -> str | None:
    """The comment's id, or None once the bag says why it has no usable one: the problems
    of its other fields are reported under it, so they are checked only when there is one."""
    if not isinstance(item, dict):
        bag.add(
            where, doc.line(position), f"comment {position + 1} must be a mapping like {EXAMPLE}"
        )
        return None
    ident = item.get("id")
    if ident is None or isinstance(ident, (bool, dict, list)) or not str(ident).strip():
        bag.add(
            where,
            doc.line(position),
            f"comment {position + 1} has no 'id'; give every comment a unique "
            "id (a number or a word)",
        )
        return None
    ident = str(ident).strip()
    if len(ident.split()) > 1:  # stripped, so a space inside (split() and isspace() agree)
        bag.add(
            where,
            doc.line(position, "id"),
            f"comment {ident}: an id must not contain spaces (it becomes the link #comment-<id>)",
        )
        return None
    return ident


def _texts(item: dict, removed: bool, fail) -> dict[str, str]:
    """The author and body, cleaned of markup; both required unless it was taken down."""
    texts = {"author": "", "body": ""}
    for key in ("author", "body"):
        value = item.get(key)
        if isinstance(value, (dict, list, bool)):
            fail(key, f"'{key}' must be text")
            continue
        text = "" if value is None else clean(str(value))  # cleaned once, for both uses
        if not text.strip():
            if not removed:  # a removed comment keeps neither
                fail(key, f"missing '{key}'")
        else:
            texts[key] = text
    return texts


def _date(item: dict, zone: ZoneInfo, fail) -> datetime | None:
    """When the comment was written (required)."""
    if item.get("date") is None:
        fail("date", f"missing 'date'; {EXPECTED_FORM}")
        return None
    try:
        return parse_datetime(item["date"], zone)
    except ValueError as exc:
        fail("date", f"'date': {exc}; {EXPECTED_FORM}")
        return None


def _marked(item: dict, key: str, what: str, zone: ZoneInfo, fail) -> bool:
    """A mark a comment carries as the date something happened to it, or true."""
    value = item.get(key, False)
    if isinstance(value, bool):
        return value
    try:
        return bool(parse_datetime(value, zone))
    except ValueError as exc:
        fail(key, f"'{key}' must be the date {what} (or true): {exc}")
        return False


def _check_parents(
    raws: dict[str, _Raw], named: set[str], where: str, bag: ErrorBag
) -> dict[str, _Raw]:
    """The comments whose chain of parents ends at the top; orphans and loops are errors.

    A reply to a comment that is in the file but has errors of its own is left out quietly:
    the parent's errors say what to fix."""
    usable: dict[str, _Raw] = {}
    state: dict[str, str] = {}
    for raw in raws.values():
        if raw.parent is None:
            continue
        parent = raws.get(raw.parent)
        if parent is None and raw.parent in named:
            state[raw.id] = "bad"
        elif parent is None:
            bag.add(
                where,
                raw.line,
                f"comment {raw.id}: replies to comment {raw.parent}, which "
                "is not in this file; fix 'parent' or remove it",
            )
            state[raw.id] = "bad"
        elif raw.kind != "comment" or parent.kind != "comment":
            bag.add(
                where,
                raw.line,
                f"comment {raw.id}: trackbacks and pingbacks cannot reply "
                "or be replied to; remove 'parent'",
            )
            state[raw.id] = "bad"
    for raw in raws.values():
        path: list[str] = []
        current: str | None = raw.id
        while current is not None and current not in state and current not in path:
            path.append(current)
            current = raws[current].parent
        if current is not None and current in path:
            loop = path[path.index(current) :]
            first = min(loop, key=lambda key: raws[key].line)
            rotated = loop[loop.index(first) :] + loop[: loop.index(first)]
            chain = " → ".join(rotated + [first])
            bag.add(
                where,
                raws[first].line,
                f"comment {first}: its parents loop back to it "
                f"({chain}); one of them must not have a 'parent'",
            )
            for key in loop:
                state[key] = "bad"
        verdict = state.get(current, "good") if current is not None else "good"
        for key in path:
            state.setdefault(key, verdict)
    for key, raw in raws.items():
        if state.get(key, "good") == "good":
            usable[key] = raw
    return usable


def _nest(comments: dict[str, _Raw], max_depth: int) -> tuple[Comment, ...]:
    children: dict[str | None, list[_Raw]] = defaultdict(list)
    for raw in sorted(comments.values(), key=lambda r: r.order):
        children[raw.parent].append(raw)
    return _level(None, 1, comments, children, max_depth)


def _level(
    parent: str | None,
    depth: int,
    comments: dict[str, _Raw],
    children: dict[str | None, list[_Raw]],
    max_depth: int,
) -> tuple[Comment, ...]:
    """The replies to `parent`, nested down to `max_depth`, the deeper ones flat at it. A
    function, not a closure that calls itself: that would be a reference cycle holding the
    thread, which only the cyclic collector frees (and a build keeps it off while loading)."""
    if depth < max_depth:
        return tuple(
            _comment(raw, depth, None, _level(raw.id, depth + 1, comments, children, max_depth))
            for raw in children[parent]
        )
    below = _descendants(parent, children)
    return tuple(
        _comment(raw, depth, comments[raw.parent].author if raw.parent != parent else None, ())
        for raw in sorted(below, key=lambda r: r.order)
    )


def _descendants(parent: str | None, children: dict[str | None, list[_Raw]]) -> list[_Raw]:
    found: list[_Raw] = []
    stack = list(children[parent])
    while stack:
        raw = stack.pop()
        found.append(raw)
        stack.extend(children[raw.id])
    return found


def _comment(raw: _Raw, depth: int, reply_to: str | None, replies: tuple[Comment, ...]) -> Comment:
    return Comment(
        id=raw.id,
        kind=raw.kind,
        author=raw.author,
        url=raw.url,
        date=raw.date,
        votes=raw.votes,
        has_votes=raw.has_votes,
        body_html=Markup("") if raw.removed else render_body(raw.body),
        parent=raw.parent,
        depth=depth,
        reply_to=reply_to,
        replies=replies,
        removed=raw.removed,
        edited=raw.edited and not raw.removed,
    )
