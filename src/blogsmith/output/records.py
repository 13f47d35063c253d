"""What the committed output holds, as the build that left it knows: carried from one build
to the next, so that an unchanged file is neither read nor written again."""

from __future__ import annotations

from dataclasses import dataclass, field

StaticMark = tuple
"""A static file's source size and time when the output got it, or for an original the
image stage published, its render.images.OriginalRecord (as its for_cache keeps it)."""


@dataclass
class OutputRecords:
    """Written only through its methods; a record counts once its build commits."""

    files: set[str] | None = None
    """The files the last committed build left in the output (None: unknown). Not kept on
    disk: the manifest lists them, with their sizes and times."""
    statics: dict[str, StaticMark] = field(default_factory=dict)
    """Output path of a committed static file -> its mark: an unchanged one is not read
    again."""
    pending_statics: dict[str, StaticMark] = field(default_factory=dict)
    """The same, of the static files this build staged or kept (in memory only)."""

    def remember_static(self, relative: str, mark: StaticMark) -> None:
        """A static file staged or kept now, as its source was: it counts once committed."""
        self.pending_statics[relative] = mark

    def statics_unchanged(self) -> None:
        """A patch copies no static file: the committed ones stay as they are."""
        self.pending_statics = {**self.statics, **self.pending_statics}

    def found_outputs(self, files: set[str]) -> None:
        """The output folder's files, as the cache folder's record says they still are."""
        self.files = files

    def forget_output(self) -> None:
        """The output is not as the last build left it: none of its records can be trusted."""
        self.files, self.statics = None, {}

    def discard_pending(self) -> None:
        self.pending_statics = {}

    def commit(self, produced: set[str]) -> None:
        """The build's files (`produced`) are the output now."""
        self.statics = {k: v for k, v in self.pending_statics.items() if k in produced}
        self.pending_statics = {}
        # What this process left in the output: the next build in it (the live preview)
        # keeps files there without looking; a cache folder records their state instead.
        self.files = set(produced)
