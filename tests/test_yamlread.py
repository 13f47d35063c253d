"""YAML reading: the quick construction of plain documents gives what PyYAML's own does."""

from __future__ import annotations

import math

import pytest

from blogsmith.core import yamlread
from blogsmith.core.yamlread import YamlSyntaxError, parse

NESTED = "a:\n" + "".join(f"{'  ' * depth}- \n" for depth in range(1, 300)) + "  x\n"

DOCUMENTS = [
    "title: 記事\ntags: [一, 二]\nvotes: 12\nscore: -3\n",
    "numbers: [0, 7, 012, 0o17, 0x1F, 1_000, +5, 1:30, 3.5, 1e3, .inf, -.inf, ١٢]\n",
    "truths: [yes, No, true, FALSE, on, off, y, n]\nnothing: [~, null, '', ]\nempty:\n",
    "<<: {a: 1, b: 2}\nb: 3\n",
    "base: {a: 1}\nmerged: {<<: {a: 2}, c: 3}\n",
    "same: 1\nsame: 2\n",
    "? [a, b]\n: list key\n",
    "? {a: 1}\n: map key\n",
    "1: int key\n2.5: float key\nnull: null key\ntrue: bool key\n",
    "a: !!str 12\nb: !!int '012'\nc: !!float '1.5'\nd: !!bool 'yes'\n",
    "a: !!set {x, y}\nb: !!binary aGVsbG8=\nc: !!timestamp 2022-01-01\n",
    "a: !!float 'abc'\n",
    "a: !custom value\n",
    "a: ! 12\n",
    "a: 2022-13-45\nb: 2022-09-14T06:30:00+09:00\n",
    "=: value key\n",
    "huge: 123456789012345678901234567890\n",
    NESTED,
    "- - - deep\n  - [x, {y: [z]}]\n",
    "plain text\n",
    "'quoted'\n",
]


def built_by_pyyaml(monkeypatch, text: str):
    """What parse gives when every document goes the way PyYAML builds it."""

    def never(self, node):
        raise yamlread._Unusual

    with monkeypatch.context() as patched:
        patched.setattr(yamlread.Loader, "quick_document", never)
        return outcome(text)


def outcome(text: str):
    try:
        doc = parse(text)
    except YamlSyntaxError as error:
        return ("error", error.line, error.problem)
    return ("data", repr(doc.data), doc.lines)


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_quick_construction_gives_what_pyyaml_gives(monkeypatch, text):
    assert outcome(text) == built_by_pyyaml(monkeypatch, text)


def test_the_quick_construction_builds_plain_documents_itself(monkeypatch):
    """The comparison above would pass with the quick path never taken: it is taken."""
    taken = []
    quick = yamlread.Loader.quick_document

    def counted(self, node):
        taken.append(1)
        return quick(self, node)

    monkeypatch.setattr(yamlread.Loader, "quick_document", counted)
    data = parse("a: [1, x, 2.5, ~]\nb: {c: yes}\n").data
    assert taken == [1]
    assert data["a"][:2] == [1, "x"] and math.isclose(data["a"][2], 2.5)
    assert data["a"][3] is None and data["b"] == {"c": True}


@pytest.mark.parametrize("text", ["&x [y, *x]\n", "\ufeff&x [y, *x]\n"])
def test_an_alias_inside_its_own_anchor_is_an_error_after_a_byte_order_mark_too(text):
    with pytest.raises(YamlSyntaxError, match="refers to the value it is inside"):
        parse(text)


def test_an_anchor_on_a_flow_key_is_found():
    assert yamlread.ANCHOR.search("[?&x y, *x]\n")
