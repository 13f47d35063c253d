"""What one build can hand to the next: per-file results and the inputs of every page.

Correctness comes first: every entry is keyed by the exact inputs it was made from (file
bytes and the settings they were read with, a page's whole resolved context), so a hit is
the same work, never a guess. Page entries only take effect when a build has committed its
output.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


class FileEntry:
    """One file's result, kept pickled beside the value: saving the cache then copies the
    bytes of every unchanged file instead of pickling all its objects again."""

    __slots__ = ("digest", "_blob", "_value")

    def __init__(self, digest: bytes, value: object):
        self.digest, self._blob, self._value = digest, None, value

    @property
    def value(self) -> object:
        if self._value is None:
            self._value = pickle.loads(self._blob)
        return self._value

    def __getstate__(self) -> tuple[bytes, bytes]:
        if self._blob is None:
            self._blob = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return self.digest, self._blob

    def __setstate__(self, state: tuple[bytes, bytes]) -> None:
        self.digest, self._blob = state
        self._value = None


@dataclass
class BuildCache:
    settings: object = None
    """What per-file results depend on besides the file (see load.Settings)."""
    files: dict[str, FileEntry] = field(default_factory=dict)
    """Source path -> the digest of its bytes and what loading made of them."""
    pages: dict[str, object] = field(default_factory=dict)
    """Output file -> the inputs its committed bytes were rendered from."""
    pending_pages: dict[str, object] = field(default_factory=dict)
    version: object = None
    """The templates and page-wide values the committed pages were rendered with."""
    related: tuple | None = None
    """(every input of the related-article scoring, its result)."""
    search: object = None
    """The committed search index (see search.index.SearchState); None: make it anew."""
    outputs: set[str] | None = None
    """The files the last committed build left in the output (None: unknown)."""
    articles: dict = field(default_factory=dict)
    """The last build's Article objects, by key (in memory only): an unchanged article stays
    the same object, so its card's digest is not made again (see render.Fingerprints)."""
    digests: dict = field(default_factory=dict)
    """id() of a value -> (the value, its digest), from the last build (in memory only)."""

    def unknown_files(self, settings: object, files: list[tuple[str, bytes]]) -> set[str]:
        """The sources whose results are not known for these exact bytes and settings."""
        if settings != self.settings:
            self.files = {}
            self.settings = settings
        unknown = set()
        for source, data in files:
            hit = self.files.get(source)
            if hit is None or hit.digest != digest(data):
                unknown.add(source)
        return unknown

    def remember_file(self, source: str, data: bytes, result: object) -> None:
        self.files[source] = FileEntry(digest(data), result)

    def file(self, source: str) -> object:
        return self.files[source].value

    def forget_missing(self, present: set[str]) -> None:
        for path in set(self.files) - present:
            del self.files[path]

    def commit_pages(self, version: object, produced: set[str]) -> None:
        if version != self.version:
            self.pages = {}
        merged = {**self.pages, **self.pending_pages}
        self.pages = {path: key for path, key in merged.items() if path in produced}
        self.pending_pages = {}
        self.version = version

    def discard_pages(self) -> None:
        self.pending_pages = {}
