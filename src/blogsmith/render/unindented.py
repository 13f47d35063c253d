"""Templates read without the indentation of their lines, which is there for whoever edits
them and costs every page it is copied into (a nested comment thread repeats it at each
depth: about a twentieth of an article page's bytes).

A browser shows a run of spaces and line breaks between tags as one space, or none, so a line
keeps its line break and loses only its leading spaces and tabs; lines inside <pre>,
<textarea>, <script> and <style>, where spaces are what they say, are kept as written. Lines
keep their numbers, so a template's error still names its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import jinja2

KEPT = ("pre", "textarea", "script", "style")
_OPENS = re.compile(rf"<({'|'.join(KEPT)})\b", re.I)
_CLOSES = {name: re.compile(rf"</{name}\s*>", re.I) for name in KEPT}


def unindented(source: str) -> str:
    """`source` with each line's leading spaces and tabs removed, but inside the elements whose
    spaces count."""
    lines = source.split("\n")
    inside: str | None = None  # the element whose end is awaited
    for number, line in enumerate(lines):
        if inside is None:
            lines[number] = line.lstrip(" \t")
        at = 0
        while True:  # follow the line's openings and closings, left to right
            if inside is None:
                opened = _OPENS.search(line, at)
                if opened is None:
                    break
                inside, at = opened.group(1).lower(), opened.end()
            else:
                closed = _CLOSES[inside].search(line, at)
                if closed is None:
                    break
                inside, at = None, closed.end()
    return "\n".join(lines)


class UnindentedLoader(jinja2.FileSystemLoader):
    """A folder of templates, each read unindented."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        return unindented(source), filename, uptodate
