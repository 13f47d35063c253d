"""The articles readers may comment on, as the service knows them: key -> URL and title, from
the site's content graph, read again when a key it does not know turns up (a new article)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from blogsmith.build import load_graph
from blogsmith.cache.build_cache import BuildCache
from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.errors import BuildError, ErrorBag
from blogsmith.graph.content_graph import BuildOptions
from blogsmith.service.comment_files import CommentFileRefused, read_entries

QUOTED = 40
"""Characters of an answered comment that are quoted (comments.js quotes as many)."""
RELOAD_SECONDS = 30.0
"""Unknown keys read the site again at most this often (so a flood of them costs nothing)."""


@dataclass(frozen=True)
class ArticleEntry:
    key: str
    url: str
    title: str


class Articles:
    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.content = site_dir / CONTENT_DIR
        self._entries: dict[str, ArticleEntry] = {}
        self._missed = float("-inf")
        """When a key the service did not know last made it read the site again."""
        self._lock = threading.Lock()
        self._cache = BuildCache()
        """Reloads parse only the files that changed (in this thread: the forked workers of a
        full load run only at start, before the server's threads)."""
        self.reload()

    def reload(self) -> None:
        try:
            graph = load_graph(self.site_dir, BuildOptions(), ErrorBag(), self._cache)
        except BuildError:
            return  # keep what was known: the site is being edited
        self._entries = {
            key: ArticleEntry(key, article.url, article.title)
            for key, article in graph.articles.items()
            if not article.draft
        }

    def get(self, key: str) -> ArticleEntry | None:
        """The article, while its file is in content/: one deleted or renamed since the last
        load takes no comment (an approval for it would break every build)."""
        entry = self._entries.get(key)
        if entry is not None:
            return entry if (self.content / key).is_file() else None
        if _could_be_new(key) and (self.content / key).is_file():
            with self._lock:
                if time.monotonic() - self._missed > RELOAD_SECONDS:
                    self._missed = time.monotonic()
                    self.reload()
            entry = self._entries.get(key)
        return entry

    def by_path(self) -> dict[str, str]:
        """URL path (as base_url's pages give it) -> key, for naming a comment by its link."""
        return {entry.url: key for key, entry in self._entries.items()}

    def comments_in_file(self, key: str) -> dict[str, dict]:
        """Id -> the comment as YAML gives it, of the article's file now ({} when there is
        none, or it cannot be read)."""
        try:
            entries = read_entries(self.content, key)
        except CommentFileRefused:
            return {}
        return {str(entry.get("id")): entry for entry in entries}

    def comment_ids(self, key: str) -> set[str] | None:
        """The ids in the article's comments file now; None for an unknown article."""
        return None if self.get(key) is None else set(self.comments_in_file(key))

    def comment(self, key: str, comment: str) -> dict | None:
        """The comment `comment` of the article's file as YAML gives it; None when not there."""
        return None if self.get(key) is None else self.comments_in_file(key).get(comment)

    def answered(self, key: str, comment: str) -> tuple[str, str] | None:
        """The comment a reply answers as the reply's form names it (see quoted)."""
        return quoted(self.comment(key, comment) if comment else None)

    def votes_in_file(self, key: str, comment: str) -> int | None:
        """The vote count the file gives a comment; None when the comment is not there."""
        entry = self.comments_in_file(key).get(comment)
        if entry is None:
            return None
        votes = entry.get("votes", 0)
        return votes if isinstance(votes, int) and votes >= 0 else 0


def quoted(entry: dict | None) -> tuple[str, str] | None:
    """(author, the start of what it said) of a comment replies and the moderation page name
    it by; None for none, or one removed."""
    if entry is None or entry.get("removed"):
        return None
    said = " ".join(str(entry.get("body", "")).split())
    return str(entry.get("author", "")), said if len(said) <= QUOTED else said[:QUOTED] + "…"


def _could_be_new(key: str) -> bool:
    """A key that may name an article added since the last load: a relative path inside
    content/ (never one that leaves it: the file system is not even asked)."""
    parts = key.split("/")
    return (
        key.endswith(".md")
        and len(key) < 300
        and not key.startswith("/")
        and all(part not in ("", ".", "..") for part in parts)
        and "\\" not in key
        and "\x00" not in key
    )
