"""Writing front matter and comment files that editors will read and edit afterwards.

PyYAML's safe dumper with three choices made for people: text stays as written (no \\u
escapes for Japanese), multi-line text is a `|` block, and dates are plain ISO 8601 values,
as an editor types them. Anything YAML cannot hold as plain text (control characters, bidi
controls) is escaped by PyYAML in a double-quoted string, which loads back to the same text.
"""

from __future__ import annotations

import re
from datetime import datetime

import yaml


class _Dumper(yaml.SafeDumper):
    pass


_FOLDED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
"""What YAML reads as a line break or cannot hold as plain text: such text is double-quoted,
where PyYAML escapes it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _FOLDED.search(value) or value != value.strip(" \t") and "\n" in value:
        style = '"'
    elif "\n" in value.strip("\n"):
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _moment(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    text = value.isoformat(sep=" " if value.tzinfo is None else "T")
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(datetime, _moment)


def dump(value: object) -> str:
    """`value` (dicts, lists, text, numbers, datetimes) as block-style YAML."""
    return yaml.dump(
        value,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
    )


def front_matter(fields: dict, body: str) -> str:
    """An article source: the fields between `---` lines, then the Markdown body."""
    return f"---\n{dump(fields)}---\n\n{body.strip()}\n"
