"""File names in messages: enough to find them, never a screenful."""

from __future__ import annotations

from collections.abc import Sequence


def some(paths: Sequence[str], shown: int = 5) -> str:
    """`a, b, c and 12 more`."""
    ordered = sorted(paths)
    more = f" and {len(ordered) - shown} more" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more
