"""What the moderation page lists: comments by status, filtered by article and by words, each
with what a moderator decides on (when, on which article, answering whom and what).

The words are matched after the search's folding (NFKC and case) in the name, email, web site
and text, so ｶｼﾞﾉ finds カジノ as the word lists do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blogsmith.core.dates import format_datetime
from blogsmith.output.search.terms import normalize
from blogsmith.service.articles import ArticleEntry, Articles, quoted
from blogsmith.service.store import APPROVING, PENDING, REJECTED, SPAM, Store, Stored

SHOWN = {"pending": (PENDING, APPROVING), "spam": (SPAM,), "rejected": (REJECTED,)}
"""The lists a moderator can ask for (the first is the default): what waits, and what was set
aside, to take a mistake back."""
ACTIONS = {
    "pending": ("approve", "reject", "spam"),
    "spam": ("restore", "reject"),
    "rejected": ("restore", "spam"),
}
"""The decisions each list offers (a comment set aside waits again before it is approved)."""
MOST = 500
"""Comments read for one listing: the newest, which a filter then narrows."""


@dataclass(frozen=True)
class Filter:
    status: str = "pending"
    article: str = ""
    words: str = ""

    @classmethod
    def of(cls, args) -> Filter:
        status = args.get("status", "pending")
        return cls(
            status if status in SHOWN else "pending",
            str(args.get("article", ""))[:300],
            str(args.get("words", ""))[:200].strip(),
        )


@dataclass(frozen=True)
class Listed:
    comment: Stored
    entry: ArticleEntry | None
    posted: str
    """When it was sent, in the site's language and time zone."""
    answered: tuple[str, str] | None
    """The author and the start of the comment it answers."""


def listing(
    store: Store, articles: Articles, chosen: Filter, language: str, zone
) -> tuple[list[Listed], list[tuple[str, str]]]:
    """The comments the filter keeps, newest first, and (key, title) of the articles those of
    the status have, for the article filter's choices."""
    found = store.listing(SHOWN[chosen.status], MOST)
    entries = {key: articles.get(key) for key in {comment.article for comment in found}}
    titles = {key: entry.title if entry else key for key, entry in entries.items()}
    words = normalize(chosen.words)
    kept = [
        comment
        for comment in found
        if (not chosen.article or comment.article == chosen.article)
        and (not words or words in _typed(comment))
    ]
    in_files: dict[str, dict[str, dict]] = {}  # each article's file read once
    listed = []
    for comment in kept:
        if comment.article not in in_files:
            in_files[comment.article] = articles.comments_in_file(comment.article)
        answered = in_files[comment.article].get(comment.parent) if comment.parent else None
        when = datetime.fromtimestamp(comment.posted, zone)
        listed.append(
            Listed(
                comment, entries[comment.article], format_datetime(when, language), quoted(answered)
            )
        )
    return listed, sorted(titles.items(), key=lambda item: item[1])


def _typed(comment: Stored) -> str:
    return normalize("\n".join((comment.author, comment.email, comment.url, comment.body)))
