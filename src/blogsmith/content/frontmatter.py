"""Split a source file into its YAML front matter and its Markdown body."""

from __future__ import annotations

from dataclasses import dataclass

from blogsmith.core import yamlread

FENCE = "---"


@dataclass(frozen=True)
class SplitSource:
    meta: yamlread.YamlDoc
    body: str
    body_line: int


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


def split(text: str) -> SplitSource:
    """Front matter is the YAML between a first line '---' and the next line '---' (or '...')."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        raise FrontMatterError(
            1,
            "missing front matter: an article starts with a line '---', "
            "then YAML like 'title: ...', then another line '---'",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            break
    else:
        raise FrontMatterError(1, "front matter is not closed: add a line '---' after the YAML")
    yaml_text = "\n".join(lines[1:index])
    try:
        meta = yamlread.parse(yaml_text, first_line=2)
    except yamlread.YamlSyntaxError as exc:
        raise FrontMatterError(exc.line, f"invalid YAML in front matter: {exc.problem}") from None
    body = "\n".join(lines[index + 1 :])
    return SplitSource(meta, body, index + 2)
