"""YAML parsing that remembers where each value came from, so errors can name the line."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loading, libyaml when present, with dates left as text.

    PyYAML turns `2022-13-45` into a crash rather than an error with a line, and reads a
    time without an offset as UTC; blogsmith parses dates itself, in the site's timezone.
    """


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDoc:
    data: object
    lines: dict[KeyPath, int]
    first_line: int

    def line(self, *path: str | int) -> int:
        """The line of the deepest known part of `path` (file lines, 1-based)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line


class YamlSyntaxError(Exception):
    def __init__(self, line: int, problem: str):
        self.line = line
        self.problem = problem
        super().__init__(problem)


def parse(text: str, first_line: int = 1, depth: int = 0) -> YamlDoc:
    """Parse one YAML document; `first_line` is the file line where `text` starts; lines are
    kept `depth` keys deep (RECORDED_DEPTH unless given)."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and ANCHOR.search(text):  # an alias (*name) needs one to refer to
            _check_expansion(node, first_line)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark:
            started = first_line + exc.context_mark.line
            problem += f" ({exc.context} started on line {started})"
        raise YamlSyntaxError(line, problem) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise YamlSyntaxError(first_line, str(exc)) from None
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _record(node, (), first_line, lines, depth or RECORDED_DEPTH)
    return YamlDoc(data, lines, first_line)


ANCHOR = re.compile(r"(?:^|[\s\[{,:])&", re.M)
"""Where an anchor (&name) may stand: at the start of a node, after a space, a line's start, a
flow indicator or the colon after a quoted key ({"a":&x 1}). Text without one (most files;
"Q&A" is not one) has no alias to expand."""
ALIAS_ROOM = 10_000
"""Aliases (*name) may make a document this many values larger than it is written, and ten
times its written size at most: a kilobyte of nested aliases cannot ask for gigabytes."""


def _check_expansion(root: yaml.Node, first_line: int) -> None:
    counted = _Expansion(first_line)
    try:
        expanded = counted.size(root)
    except RecursionError:
        raise YamlSyntaxError(first_line, "values nested too deeply") from None
    written = len(counted.sizes)
    if expanded > 10 * written + ALIAS_ROOM:
        raise YamlSyntaxError(
            first_line,
            f"aliases (*name) repeat values so often that these {written} values would become "
            f"{expanded:,}; write the values out instead of repeating them by alias",
        )


class _Expansion:
    """The size of each node with its aliases expanded. A class, not a closure that calls
    itself: such a closure is a reference cycle, garbage only the cyclic collector frees, and
    a build keeps that collector off while it loads."""

    def __init__(self, first_line: int):
        self.first_line = first_line
        self.sizes: dict[int, int] = {}
        self.open_nodes: set[int] = set()

    def size(self, node: yaml.Node) -> int:
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in self.open_nodes:
            raise YamlSyntaxError(
                self.first_line + node.start_mark.line,
                "an alias (*name) refers to the value it is inside; write the value out",
            )
        self.open_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(self.size(key) + self.size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(self.size(item) for item in node.value)
        else:
            total = 1
        self.open_nodes.discard(id(node))
        self.sizes[id(node)] = total
        return total


RECORDED_DEPTH = 2
"""Lines are kept for keys up to two levels deep (`sources[1]`, a comment's `date`): all that
errors point at, without walking every node of a file of a thousand comments."""


def _record(
    node: yaml.Node, path: KeyPath, first_line: int, out: dict[KeyPath, int], depth: int
) -> None:
    out[path] = first_line + node.start_mark.line
    if len(path) >= depth:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_path = (*path, key_node.value)
                _record(value_node, key_path, first_line, out, depth)
                out[key_path] = first_line + key_node.start_mark.line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, (*path, index), first_line, out, depth)
