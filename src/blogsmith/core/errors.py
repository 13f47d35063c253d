"""Located errors: every problem names its file and line so an editor can jump straight to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class LocatedError:
    """One problem in one place: `path:line: message` (line 0 means the whole file)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        path = printable(self.path)
        if self.line:
            return f"{path}:{self.line}: {self.message}"
        return f"{path}: {self.message}"


def printable(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (a Shift_JIS name the OS
    handed over as surrogates) shown as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass
class ErrorBag:
    """Collects every error of a build so they are reported together, not one per run."""

    errors: list[LocatedError] = field(default_factory=list)
    warnings: list[LocatedError] = field(default_factory=list)

    def add(self, path: str, line: int, message: str) -> None:
        self.errors.append(LocatedError(path, line, message))

    def warn(self, path: str, line: int, message: str) -> None:
        self.warnings.append(LocatedError(path, line, message))

    def extend(self, other: ErrorBag) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise BuildError(in_file_order(self.errors), in_file_order(self.warnings))


def in_file_order(errors: list[LocatedError]) -> list[LocatedError]:
    """By file and line; problems on one line keep the order they were found in."""
    return sorted(errors, key=lambda e: (e.path, e.line))


WARNINGS_PER_KIND = 5
"""How many warnings of one kind a build prints; `blogsmith check` prints them all."""

_NAMED_PARTS = re.compile(r"'[^']*'|\"[^\"]*\"|\S*/\S*|\d[\d,.]*")
"""What names one file or value in a message: quoted names, paths and URLs, numbers."""


def warning_kind(message: str) -> str:
    """A warning's message without what names its file or value, so that 20,000 eyecatches
    too small say one kind of thing: `eyecatch image … is …x… px, narrower than …`."""
    return _NAMED_PARTS.sub("…", message)


@dataclass(frozen=True)
class ShownWarning:
    """A warning to print, and how many more of its kind are left out after it."""

    warning: LocatedError
    more: int = 0


def capped_warnings(warnings: list[LocatedError], per_kind: int | None) -> list[ShownWarning]:
    """The warnings in their order, at most `per_kind` of each kind (all with None); the
    last one shown of a kind that has more carries the count of the rest."""
    if per_kind is None:
        return [ShownWarning(w) for w in warnings]
    totals: dict[str, int] = {}
    kinds = [warning_kind(w.message) for w in warnings]
    for kind in kinds:
        totals[kind] = totals.get(kind, 0) + 1
    shown: dict[str, int] = {}
    out = []
    for warning, kind in zip(warnings, kinds, strict=True):
        count = shown.get(kind, 0)
        if count < per_kind:
            shown[kind] = count + 1
            last = count + 1 == per_kind
            out.append(ShownWarning(warning, totals[kind] - per_kind if last else 0))
    return out


def warning_lines(warnings: list[LocatedError], per_kind: int | None) -> list[str]:
    """The lines a command prints for `warnings`: `file:line: warning: ...`, capped per kind
    (see capped_warnings) with a line saying how many more `blogsmith check` lists."""
    lines = []
    for shown in capped_warnings(warnings, per_kind):
        warning = shown.warning
        place = printable(warning.path) + (f":{warning.line}" if warning.line else "")
        lines.append(f"{place}: warning: {warning.message}")
        if shown.more:
            lines.append(f"… and {shown.more:,} more like this; blogsmith check lists them all")
    return lines


class BuildError(Exception):
    """Raised once with all the errors of a stage; the CLI prints them and exits 1."""

    def __init__(self, errors: list[LocatedError], warnings: list[LocatedError] | None = None):
        self.errors = errors
        self.warnings = warnings or []
        super().__init__("\n".join(str(e) for e in errors))


def did_you_mean(word: str, choices: list[str]) -> str:
    """A ' did you mean X?' hint when one choice is close enough, else ''."""
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" did you mean '{close[0]}'?" if close else ""
