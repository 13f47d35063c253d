"""A published comment taken down (a legal request, a doxxing, a mistake): out of its
article's `.comments.yaml`, out of the service's database, then rebuilt and published like an
approval.

A moderator names the comment as readers see it: the link its date carries on the article's
page (`https://news.example.org/europe/ceasefire/#comment-102`, or the path alone), or the
article's file and the id (`articles/2022/09/ceasefire.md#comment-102`). The file keeps the
rest of its text exactly (comment_files.remove_comment); a comment others answer stays as a
placeholder with its id, parent and date, so its replies keep their thread. What the reader
typed stays in git's history: a takedown that must reach it is a history rewrite, which the
docs/comments.md describes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.config import Config
from blogsmith.service.comment_files import CommentFileRefused, comments_name, remove_comment
from blogsmith.service.messages import Said
from blogsmith.service.store import Store

_ANCHOR = re.compile(r"#comment-(?P<id>[^\s#]+)$")


class TakedownRefused(Said):
    """Nothing was removed, and why (a message of service/messages.py)."""


@dataclass(frozen=True)
class Takedown:
    article: str
    comment: str
    placeholder: bool
    """Other comments answer it: a placeholder stayed in its place."""

    def said(self) -> Said:
        key = "removed_placeholder" if self.placeholder else "removed"
        return Said(key, comment=self.comment, file=comments_name(self.article))


def target(link: str, articles_by_path: dict[str, str], base_url: str) -> tuple[str, str]:
    """(article key, comment id) of a comment's link; TakedownRefused when it names none."""
    link = link.strip()
    anchor = _ANCHOR.search(link)
    if anchor is None:
        raise TakedownRefused("link_malformed")
    address = link[: anchor.start()]
    comment = unquote(anchor.group("id"))
    file = address.removeprefix(CONTENT_DIR + "/")
    if file.endswith(".md"):
        if file not in articles_by_path.values():
            raise TakedownRefused("link_unknown_article", link=address)
        return file, comment
    path = unquote(urlsplit(address).path or "/")
    base_path = urlsplit(base_url).path.rstrip("/")
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    key = articles_by_path.get(path) or articles_by_path.get(path.rstrip("/") + "/")
    if key is None:
        raise TakedownRefused("link_unknown_article", link=address)
    return key, comment


def take_down(
    store: Store, site_dir: Path, config: Config, articles_by_path: dict[str, str], link: str
) -> Takedown:
    """The comment at `link` removed from its file and from the database (not yet built)."""
    key, comment = target(link, articles_by_path, config.base_url)
    when = datetime.now(config.zone).replace(microsecond=0)
    try:
        _, placeholder = remove_comment(site_dir / CONTENT_DIR, key, comment, when)
    except (CommentFileRefused, OSError) as exc:
        raise TakedownRefused("not_removed", detail=str(exc)) from None
    store.forget_published(key, comment)
    return Takedown(key, comment, placeholder)
