"""One WordPress comment as an entry of the site's comment file, or why it is left out."""

from __future__ import annotations

import re

from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.comment_html import comment_text
from blogsmith.authoring.wordpress.report import Report
from blogsmith.authoring.wordpress.values import moment, plain
from blogsmith.core.config import Config

VOTE_META_KEYS = ("votes", "wpdiscuz_votes", "cld_like_count", "_comment_like_count", "like_count")
"""Comment meta read as the comment's votes, first found wins: a plain `votes` field,
wpDiscuz's net vote count, Comments Like Dislike's like count, and two common custom keys."""


def comment_entry(
    comment: wxr.Comment, new_id: str, config: Config, report: Report
) -> dict[str, object] | None:
    """The approved comment under `new_id`, without its parent (the thread's to decide), or
    None when it is not imported, counted in the report by why."""
    kind = comment.type if comment.type not in ("", "comment") else "comment"
    reason = _left_out(comment, kind)
    body = comment_text(comment.content) if reason is None else ""
    if reason is None and not body.strip():
        reason = "empty"
    if reason is not None:
        report.comments_skipped[reason] += 1
        return None
    entry: dict[str, object] = {"id": int(new_id) if new_id.isdigit() else new_id}
    if kind != "comment":
        entry["type"] = kind
    anonymous = "名無し" if config.language == "ja" else "Anonymous"
    entry["author"] = plain(comment.author) or anonymous
    url = comment.author_url
    if url.startswith(("http://", "https://")) and not re.search(r"\s", url):
        entry["url"] = url
    entry["date"] = moment(comment.date, comment.date_gmt, config.zone)
    votes = _votes(comment.meta)
    if votes:
        entry["votes"] = votes
    entry["body"] = body
    return entry


def _left_out(comment: wxr.Comment, kind: str) -> str | None:
    """Why a comment is not for readers (spam, unapproved, a kind the site has no place
    for), or None."""
    if comment.approved != "1":
        return "spam" if comment.approved == "spam" else "unapproved"
    if kind not in ("comment", "trackback", "pingback"):
        return f"of type {kind}"
    return None


def _votes(meta: dict[str, str]) -> int:
    for key in VOTE_META_KEYS:
        value = meta.get(key, "").strip()
        if re.fullmatch(r"-?\d+", value):
            return int(value)
    return 0
