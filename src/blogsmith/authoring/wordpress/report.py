"""What an import did, for the person who ran it, and the one error that stops it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from blogsmith.core.config import CONFIG_NAME


class ImportRefused(Exception):
    """Nothing was imported; the message says why and what to do."""


@dataclass
class Report:
    """Counted and noted as the import goes, printed at its end: the person who ran it checks
    what could not be carried over."""

    export: Path
    articles: int = 0
    drafts: Counter = field(default_factory=Counter)
    pages: int = 0
    comments: int = 0
    comment_files: int = 0
    categories_added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skipped_types: Counter = field(default_factory=Counter)
    comments_skipped: Counter = field(default_factory=Counter)
    reparented: int = 0
    unconverted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)

    def text(self, site: Path) -> str:
        drafts = ", ".join(f"{n} {why}" for why, n in sorted(self.drafts.items()))
        lines = [
            f"imported {self.export} into {site}:",
            f"  articles: {self.articles} published"
            + (f", {sum(self.drafts.values())} drafts ({drafts})" if self.drafts else ""),
            f"  pages: {self.pages}",
            f"  comments: {self.comments} in {self.comment_files} files"
            + (
                "; not imported: "
                + ", ".join(f"{n} {why}" for why, n in sorted(self.comments_skipped.items()))
                if self.comments_skipped
                else ""
            ),
        ]
        if self.reparented:
            lines.append(
                f"  {self.reparented} replies to comments that were not imported now answer "
                "the nearest imported comment above them"
            )
        if self.categories_added:
            lines.append(f"  categories added to {CONFIG_NAME}: {', '.join(self.categories_added)}")
        lines.append(
            f"  files: {self.written} written, {self.unchanged} already as imported"
            + (f", {len(self.conflicts)} left as they were" if self.conflicts else "")
        )
        for title, entries in (
            ("skipped", self.skipped),
            ("kept as HTML (no Markdown form; check how they look)", self.unconverted),
            ("notes", self.notes),
        ):
            if entries:
                lines.append(f"{title}:")
                lines += [f"  {entry}" for entry in entries]
        if self.skipped_types:
            other = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped_types.items()))
            lines.append(f"not articles or pages, not imported: {other}")
        if self.conflicts:
            lines.append("these files differ from the import and were left as they were:")
            lines += [f"  {path}" for path in self.conflicts]
            lines.append("  (run again with --force to overwrite them)")
        lines.append(f"next: blogsmith build --site {site}")
        return "\n".join(lines)
