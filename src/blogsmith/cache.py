"""What one build can hand to the next in the same process (the live preview's rebuilds).

Correctness comes first: every entry is keyed by the exact inputs it was made from (file
bytes, Markdown text, a page's whole resolved context), so a hit is the same work, never a
guess. Page entries only take effect when a build has committed its output.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .markdown_render import RenderedBody


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


@dataclass
class BuildCache:
    files: dict[str, tuple[bytes, object]] = field(default_factory=dict)
    """Source path -> (digest of its bytes, what loading made of them)."""
    bodies: dict[tuple[str, str, bytes], RenderedBody] = field(default_factory=dict)
    """(base path, language, digest of the Markdown) -> rendered body."""
    fresh_bodies: dict[tuple[str, str, bytes], RenderedBody] = field(default_factory=dict)
    """The bodies the build under way used: they replace `bodies` when its graph is made."""
    version: object = None
    """The templates and page-wide values the committed pages were rendered with."""
    pages: dict[str, object] = field(default_factory=dict)
    """Output file -> the inputs its committed bytes were rendered from."""
    pending_pages: dict[str, object] = field(default_factory=dict)

    def loaded(self, path: str, data: bytes, make):
        """What `make(data)` gives, made again only when the file's bytes changed."""
        key = digest(data)
        hit = self.files.get(path)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = make(data)
        self.files[path] = (key, value)
        return value

    def forget_missing(self, present: set[str]) -> None:
        for path in set(self.files) - present:
            del self.files[path]

    def commit_pages(self, version: object, produced: set[str]) -> None:
        if version != self.version:
            self.pages = {}
        self.pages = {
            path: key
            for path, key in {**self.pages, **self.pending_pages}.items()
            if path in produced
        }
        self.pending_pages = {}
        self.version = version

    def discard_pages(self) -> None:
        self.pending_pages = {}
