"""What one build can hand to the next: per-file results and the inputs of every page.

Correctness comes first: every entry is keyed by the exact inputs it was made from (file
bytes and the settings they were read with, a page's whole resolved context), so a hit is
the same work, never a guess. Page entries only take effect when a build has committed its
output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from typing import Any


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


class FileEntry:
    """One file's result and the digest of the bytes it was made from (the cache folder saves
    them in parts, see cache.persist)."""

    __slots__ = ("digest", "value")

    def __init__(self, digest: bytes, value: object):
        self.digest, self.value = digest, value


@dataclass
class BuildCache:
    """Written only through its methods, each named for the moment of a build it records."""

    settings: Hashable = None
    """What per-file results depend on besides the file (see content.load.Settings)."""
    files: dict[str, FileEntry] = field(default_factory=dict)
    """Source path -> the digest of its bytes and what loading made of them."""
    files_changed: set[str] | None = field(default_factory=set)
    """Sources whose entry was added, replaced or dropped since the cache folder last saved
    `files` (None: all of them): the folder rewrites only their part (in memory only)."""
    pages: dict[str, bytes] = field(default_factory=dict)
    """Output file -> the digest of the inputs its committed bytes were rendered from."""
    pending_pages: dict[str, bytes] = field(default_factory=dict)
    version: bytes | None = None
    """The templates and page-wide values the committed pages were rendered with."""
    related: tuple | None = None
    """(every input of the related-article scoring, its result)."""
    search: Any = None
    """The committed search index (see output.search.index.SearchState); None: make it anew."""
    outputs: set[str] | None = None
    """The files the last committed build left in the output (None: unknown). Not kept on
    disk: the manifest lists them, with their sizes and times."""
    articles: dict[str, Any] = field(default_factory=dict)
    """The last committed build's Article objects, by key (in memory only): an unchanged
    article stays the same object, so its card's digest is not made again (see
    render.pages.Fingerprints)."""
    digests: dict[int, tuple[Any, bytes]] = field(default_factory=dict)
    """id() of a value -> (the value, its digest), from the last build (in memory only)."""
    card_fields: dict[bytes, bytes] = field(default_factory=dict)
    """An article's fingerprint (see Graph.fingerprints) -> the digest of its card's fields,
    made with the config and templates of `card_version`: kept on disk, so that a new process
    does not digest every card again (10,000 of them on a large archive)."""
    card_version: bytes | None = None
    statics: dict[str, tuple] = field(default_factory=dict)
    """Output path of a static file -> its source's size and time when the committed output
    got it, or for an original the image stage published, its render.images.OriginalRecord
    (as its for_cache keeps it): an unchanged one is not read again."""
    pending_statics: dict[str, tuple] = field(default_factory=dict)
    image_settings: str = ""
    """The image settings `images` was made with."""
    images: dict[str, tuple] = field(default_factory=dict)
    """Site path of an image -> what the image stage found (render.images.ImageRecord, as
    its for_cache keeps it)."""
    images_changed: bool = False
    """`images` differs from the cache folder's copy (saved apart: most builds change none)."""

    # Loading

    def unknown_files(self, settings: Hashable, files: list[tuple[str, bytes]]) -> set[str]:
        """The sources whose results are not known for these settings and the bytes of
        these digests (source, digest of its bytes)."""
        if settings != self.settings:
            self.files = {}
            self.settings = settings
            self.files_changed = None
        unknown = set()
        for source, printed in files:
            hit = self.files.get(source)
            if hit is None or hit.digest != printed:
                unknown.add(source)
        return unknown

    def remember_file(self, source: str, printed: bytes, result: object) -> None:
        """`result` of loading `source`, whose bytes have the digest `printed`."""
        self.files[source] = FileEntry(printed, result)
        self._file_changed(source)

    def file(self, source: str) -> Any:
        return self.files[source].value

    def forget_missing(self, present: set[str]) -> None:
        for path in set(self.files) - present:
            del self.files[path]
            self._file_changed(path)

    def forget_file(self, source: str) -> None:
        if self.files.pop(source, None) is not None:
            self._file_changed(source)

    def _file_changed(self, source: str) -> None:
        if self.files_changed is not None:
            self.files_changed.add(source)

    # The graph

    def remember_related(self, inputs: object, result: object) -> None:
        self.related = (inputs, result)

    # Images

    def images_for(self, settings: str) -> dict[str, tuple]:
        """The images found before with these settings (none when they changed)."""
        if settings != self.image_settings:
            self.image_settings, self.images = settings, {}
            self.images_changed = True
        return self.images

    def remember_images(self, fresh: dict[str, tuple], shown: set[str]) -> None:
        """What this build found of images (`fresh`), among those the pages show now."""
        gone = self.images.keys() - shown
        for path in gone:
            del self.images[path]
        self.images.update(fresh)
        self.images_changed = self.images_changed or bool(fresh or gone)

    # Rendering

    def remember_page(self, target: str, key: bytes) -> None:
        """The inputs of a page rendered now: they count once the build commits."""
        self.pending_pages[target] = key

    def cards_made_with(self, version: bytes) -> dict[bytes, bytes]:
        """The card digests by article fingerprint, if made with this renderer version."""
        return self.card_fields if version == self.card_version else {}

    def remember_cards(
        self,
        cards: dict[int, tuple[Any, bytes]],
        every: bool,
        by_article: dict[bytes, bytes] | None = None,
        version: bytes | None = None,
    ) -> None:
        """Card digests made now: all of them (`every`), or some more; `by_article` the same
        by article fingerprint, made with renderer `version`."""
        if every:
            self.digests = cards
        else:
            self.digests.update(cards)
        if by_article is not None:
            if every or version != self.card_version:
                self.card_fields = dict(by_article)
            else:
                self.card_fields.update(by_article)
            self.card_version = version

    # The output

    def forget_output(self) -> None:
        """The output is not as the last build left it: no committed page can be trusted."""
        self.pages, self.version, self.outputs, self.statics = {}, None, None, {}

    def remember_static(self, relative: str, mark: tuple) -> None:
        """A static file staged or kept now, as its source was: it counts once committed."""
        self.pending_statics[relative] = mark

    def committed(
        self,
        version: bytes,
        produced: set[str],
        search: object,
        articles: dict[str, Any],
    ) -> None:
        """A build (or the preview's patch) moved its files in."""
        if version != self.version:
            self.pages = {}
        merged = {**self.pages, **self.pending_pages}
        self.pages = {path: key for path, key in merged.items() if path in produced}
        self.pending_pages = {}
        self.version = version
        self.statics = {k: v for k, v in self.pending_statics.items() if k in produced}
        self.pending_statics = {}
        self.search = search
        self.articles = dict(articles)
        # What this process left in the output: the next build in it (the live preview)
        # keeps files there without looking; a cache folder records their state instead.
        self.outputs = set(produced)

    def statics_unchanged(self) -> None:
        """A patch copies no static file: the committed ones stay as they are."""
        self.pending_statics = {**self.statics, **self.pending_statics}

    def found_outputs(self, outputs: set[str]) -> None:
        """The output folder's files, as the cache folder's record says they still are."""
        self.outputs = outputs

    def discard_pages(self) -> None:
        """The build failed: what it rendered and copied never reached the output."""
        self.pending_pages = {}
        self.pending_statics = {}

    def for_disk(self) -> BuildCache:
        """A copy without what means something in this process only (object ids)."""
        return replace(
            self,
            pending_pages={},
            files={},
            files_changed=set(),
            pending_statics={},
            articles={},
            digests={},
            images={},
            image_settings="",
            outputs=None,
        )
