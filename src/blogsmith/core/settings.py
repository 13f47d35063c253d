"""How blogsmith.yaml's settings are declared and read: one dataclass field per key, its
check and default in the field's metadata, nested sections as nested dataclasses.

The reader walks the declarations, so a new setting is one field and its use: its key is
known (unknown keys get a warning with a did-you-mean), its problems are reported with
their line, all of them at once, and its default is the field's."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from blogsmith.core.errors import ErrorBag, did_you_mean
from blogsmith.core.yamlread import YamlDoc

CONFIG_NAME = "blogsmith.yaml"


@dataclass
class Place:
    """Where a setting is read: its dotted name for messages, its line for errors."""

    path: tuple[str, ...]
    doc: YamlDoc
    bag: ErrorBag
    failed: bool = False

    @property
    def name(self) -> str:
        return ".".join(self.path)

    def refuse(self, message: str, *deeper: str | int) -> None:
        """An error at the setting's line (or at an item `deeper` inside it)."""
        self.bag.add(CONFIG_NAME, self.doc.line(*self.path, *deeper), message)
        self.failed = True


Check = Callable[[Any, Place], Any]
"""Turns the YAML value of a setting into the config's value, or calls place.refuse."""


def setting(
    default: Any = dataclasses.MISSING,
    check: Check | None = None,
    key: str = "",
    required: bool = False,
    default_of: Callable[[dict], Any] | None = None,
) -> Any:
    """A declared setting. `key` when the YAML key is not the field's name; `required`: an
    absent key is checked as null (the check says what is missing); `default_of`: a default
    that depends on the settings read before it."""
    metadata = {"check": check, "key": key, "required": required, "default_of": default_of}
    return field(default=default, metadata=metadata)


def section(kind: type, example: str) -> Any:
    """A nested mapping of settings; `example` is a line of it, shown when it is not one."""
    return field(default=kind(), metadata={"section": kind, "example": example})


def key_of(declared: dataclasses.Field) -> str:
    return declared.metadata.get("key") or declared.name


def keys_of(kind: type) -> list[str]:
    """The YAML keys a settings class declares, in order."""
    return [key_of(declared) for declared in dataclasses.fields(kind)]


def read_section(kind: type, data: dict, path: tuple, doc: YamlDoc, bag: ErrorBag) -> Any:
    """An instance of `kind` from the mapping `data` at `path`, or None when any of its
    settings was refused (each refusal reported in `bag`)."""
    known = keys_of(kind)
    for key in data:
        if key not in known:
            hint = did_you_mean(str(key), known)
            name = ".".join((*path, str(key)))
            bag.warn(
                CONFIG_NAME,
                doc.line(*path, key),
                f"unknown setting '{name}' is ignored;{hint}".rstrip(";"),
            )
    values: dict[str, Any] = {}
    failed = False
    for declared in dataclasses.fields(kind):
        key = key_of(declared)
        place = Place((*path, key), doc, bag)
        if "section" in declared.metadata:
            value = _nested(declared, data.get(key), place)
        elif key in data or declared.metadata["required"]:
            value = declared.metadata["check"](data.get(key), place)
        elif declared.metadata["default_of"] is not None:
            value = declared.metadata["default_of"](values)
        else:
            continue
        failed = failed or place.failed
        if not place.failed and value is not None:
            values[declared.name] = value
    return None if failed else kind(**values)


def _nested(declared: dataclasses.Field, data: object, place: Place) -> Any:
    """A nested section: left out or null, its defaults; not a mapping, an error."""
    if data is None:
        return None
    if not isinstance(data, dict):
        place.refuse(f"'{place.name}' must be a mapping like '{declared.metadata['example']}'")
        return None
    read = read_section(declared.metadata["section"], data, place.path, place.doc, place.bag)
    place.failed = read is None
    return read


# The checks most settings share; the config's own (permalink, categories...) sit beside it.


def text(value: object, place: Place) -> str | None:
    """Text, null meaning empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        place.refuse(f"'{place.name}' must be text, got {value!r}")
        return None
    return value


def true_or_false(value: object, place: Place) -> bool | None:
    if not isinstance(value, bool):
        place.refuse(f"'{place.name}' must be true or false, got {value!r}")
        return None
    return value


def whole_number(minimum: int, maximum: int | None = None) -> Check:
    def check(value: object, place: Place) -> int | None:
        fits = not isinstance(value, bool) and isinstance(value, int) and value >= minimum
        if not fits or (maximum is not None and value > maximum):  # type: ignore[operator]
            limits = (
                f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
            )
            place.refuse(f"'{place.name}' must be a whole number {limits}, got {value!r}")
            return None
        return value  # type: ignore[return-value]

    return check


def one_of(*choices: str) -> Check:
    """One of `choices` (declare the first as the default)."""

    def check(value: object, place: Place) -> str | None:
        if value not in choices:
            words = ", ".join(choices[:-1]) + f" or {choices[-1]}"
            place.refuse(f"'{place.name}' must be {words}, got {value!r}")
            return None
        return value  # type: ignore[return-value]

    return check


def matching(pattern: str, description: str, null_is_empty: bool = False) -> Check:
    """Text the whole of which matches `pattern` (null meaning empty with `null_is_empty`);
    `description` says what it must be, with an example."""
    compiled = re.compile(pattern)

    def check(value: object, place: Place) -> str | None:
        if value is None and null_is_empty:
            value = ""
        if not isinstance(value, str) or not compiled.fullmatch(value):
            place.refuse(f"'{place.name}' must be {description}, got {value!r}")
            return None
        return value

    return check


def web_address(whose: str, example: str) -> Check:
    """An absolute http(s) URL ending in '/' when it is a folder; null or '' for none."""

    def check(value: object, place: Place) -> str | None:
        if not value:
            return ""
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            place.refuse(
                f"'{place.name}' must be {whose} absolute http(s) URL, like {example}, "
                f"got {value!r}"
            )
            return None
        return value

    return check


def words(value: object, place: Place) -> tuple[str, ...] | None:
    """A list of words or phrases (one alone may be written without the list)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(word, str) and word.strip() for word in value
    ):
        place.refuse(
            f"'{place.name}' must be a list of words or phrases, like [カジノ, 'free money'], "
            f"got {value!r}"
        )
        return None
    return tuple(word.strip() for word in value)
