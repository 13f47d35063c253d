"""A moderator changes what a reader wrote: a waiting comment (in the database, before it is
approved) or a published one (in its article's file, marked `edited:` so the page says so).

Either way the edit is of the text the moderator read (a digest of it comes with the new
text; a reader's or another moderator's change in between refuses it) and is recorded, with
who, when, the text before and after (`blogsmith comments edits` lists them). A published
comment is named by its link, as for a takedown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.config import Config
from blogsmith.service.comment_files import CommentFileRefused, comments_name, edit_comment
from blogsmith.service.messages import Said
from blogsmith.service.moderation import text_digest
from blogsmith.service.statuses import PENDING
from blogsmith.service.store import Store
from blogsmith.service.submissions import Limits, Refused, checked_body
from blogsmith.service.takedowns import TakedownRefused, target


class EditRefused(Said):
    """Nothing was edited, and why (a message of service/messages.py)."""


@dataclass(frozen=True)
class Edited:
    said: Said
    published: bool
    """The file changed: the site is to be built and published again."""


def edit(
    store: Store,
    site_dir: Path,
    config: Config,
    articles_by_path: dict[str, str],
    which: str,
    body: str,
    moderator: str,
    seen: str = "",
) -> Edited:
    """Comment `which` (a waiting comment's number, or a published comment's link) given the
    text `body`. `seen`: the text_digest of the text the moderator read ("" from a terminal,
    which reads nothing first)."""
    try:
        body = checked_body(body, Limits(config.comments.max_length, 10**6, 0))
    except Refused as refused:
        raise EditRefused(refused.key, **refused.values) from None
    which = which.strip().removeprefix("#")
    if which.isdigit():
        return _edit_waiting(store, int(which), body, moderator, seen)
    try:
        key, comment = target(which, articles_by_path, config.base_url)
    except TakedownRefused as refused:
        raise EditRefused(refused.key, **refused.values) from None
    when = datetime.now(config.zone).replace(microsecond=0)

    def read_as_seen(text: str) -> bool:
        return not seen or text_digest(text) == seen

    try:
        was = edit_comment(site_dir / CONTENT_DIR, key, comment, body, when, read_as_seen)
    except (CommentFileRefused, OSError) as exc:
        raise EditRefused("not_edited", detail=str(exc)) from None
    store.moderator_edited_published(key, comment, was, body, moderator)
    return Edited(Said("edited_published", comment=comment, file=comments_name(key)), True)


def _edit_waiting(store: Store, row: int, body: str, moderator: str, seen: str) -> Edited:
    stored = store.get(row)
    if stored is None:
        raise EditRefused("no_comment", row=row)
    if stored.status != PENDING:
        raise EditRefused("edit_not_waiting", row=row, status=stored.status)
    if seen and text_digest(stored.body) != seen:
        raise EditRefused("changed_since_read", row=row)
    if not store.moderator_edits_waiting(row, stored.body, body, moderator):
        raise EditRefused("changed_since_read", row=row)
    return Edited(Said("edited_waiting", row=row), False)
