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

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a node, as PyYAML's resolver gives it, with a plain scalar's candidate
        patterns looked up once per first character (libyaml asks for every scalar, and a
        comments file has tens of thousands)."""
        if kind is yaml.ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                if regexp.match(value):
                    return tag
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)

    def quick_document(self, node: yaml.Node) -> object:
        """What construct_document makes of a document without anchors, when all its nodes
        are plain mappings, lists and scalars (nearly every file): built in one walk instead
        of PyYAML's generators and bookkeeping per node. Raises _Unusual for anything else,
        nesting too deep for one walk, or a value that fails (PyYAML builds in another order,
        so its error may be another value's): construct_document then builds it as ever."""
        try:
            return self._quick(node)
        except Exception:  # noqa: BLE001 (construct_document raises the error the user sees)
            raise _Unusual from None

    def _quick(self, node: yaml.Node) -> object:
        kind, tag = type(node), node.tag
        if kind is yaml.ScalarNode:
            value = node.value
            if tag == _STR:
                return value
            if tag == _INT and value.isdigit() and value.isascii() and value[0] != "0":
                return int(value)  # what construct_yaml_int makes of plain decimal digits
            if tag in _SCALARS:
                return self.yaml_constructors[tag](self, node)
        elif kind is yaml.MappingNode and tag == _MAP:
            mapping = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode:
                    raise _Unusual  # PyYAML says which keys it cannot hash
                mapping[self._quick(key_node)] = self._quick(value_node)
            return mapping
        elif kind is yaml.SequenceNode and tag == _SEQ:
            return [self._quick(item) for item in node.value]
        raise _Unusual


class _Unusual(Exception):
    """A node Loader.quick_document leaves to PyYAML's construction."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_WILDCARD = tuple(Loader.yaml_implicit_resolvers.get(None, ()))
"""Patterns tried whatever a plain scalar starts with (none in PyYAML's own)."""
_IMPLICIT = {
    first: (*resolvers, *_WILDCARD)
    for first, resolvers in Loader.yaml_implicit_resolvers.items()
    if first is not None
}
"""A plain scalar's first character (or '' when empty) -> the patterns tried, in order."""
_STR, _INT, _MAP, _SEQ = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "map", "seq"))
_SCALARS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)
"""Scalar tags whose SafeConstructor methods Loader._quick calls directly (they keep no state)."""

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
        data = _construct(loader, node, text, first_line) if node is not None else None
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


def _construct(loader: Loader, node: yaml.Node, text: str, first_line: int) -> object:
    """The document's data. Only an anchor (&name) lets a node appear twice, through an
    alias (*name): then its expansion is checked and PyYAML builds it, sharing the values;
    otherwise the quick walk does when it can."""
    if "&" in text and ANCHOR.search(text):  # an alias (*name) needs one to refer to
        _check_expansion(node, first_line)
        return loader.construct_document(node)
    try:
        return loader.quick_document(node)
    except _Unusual:
        return loader.construct_document(node)


ANCHOR = re.compile(r"(?:^|[\s\[{,:?\ufeff])&", re.M)
"""Where an anchor (&name) may stand: at the start of a node, after a space, a line's start, a
flow indicator, the colon after a quoted key ({"a":&x 1}), a flow key's '?' ([?&x a, *x]) or
the byte order mark a file may open with. Text without one (most files; "Q&A" is not one)
has no alias to expand."""
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
    """Each node's line into `out` by its path, down to `depth`; a key's path gets the key's
    line. The last level is written here, not in a call per node (most of a file's nodes)."""
    out[path] = first_line + node.start_mark.line
    if len(path) >= depth:
        return
    last = len(path) + 1 >= depth
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_path = (*path, key_node.value)
                if not last:
                    _record(value_node, key_path, first_line, out, depth)
                out[key_path] = first_line + key_node.start_mark.line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            if last:
                out[(*path, index)] = first_line + item.start_mark.line
            else:
                _record(item, (*path, index), first_line, out, depth)
