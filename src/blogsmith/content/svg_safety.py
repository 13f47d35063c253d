"""SVG files that would run code on the site's origin are refused.

An SVG in static/ is published as it is and figures link to it: opened on its own, its
scripts run with the site's cookies and storage. A static site cannot choose how its host
serves a file (no Content-Security-Policy of its own), so such a file is a build error, not
a warning. The file is parsed without entity expansion (a DOCTYPE declaring entities is
refused before anything is expanded) and without looking anything up on the network.
"""

from __future__ import annotations

import gzip
import re
import zlib
from xml.parsers import expat

SVG_EXTENSIONS = (".svg", ".svgz")
SCRIPT_ELEMENTS = {"script", "foreignobject", "handler", "iframe", "embed", "object"}
"""Elements that run code or embed HTML (which runs code): an illustration needs none."""
SCRIPT_URL = re.compile(r"^(javascript|vbscript):", re.IGNORECASE)
UNSEEN = re.compile(r"[\x00-\x20]+")
"""What browsers ignore inside a URL's scheme ("java\\tscript:")."""
LARGEST = 1 << 26
"""The most a .svgz is inflated to (64 MB)."""


class Refused(Exception):
    """What is wrong with an SVG file, and what would be right."""


def is_svg(name: str) -> bool:
    return name.lower().endswith(SVG_EXTENSIONS)


def svg_problem(path: str) -> str | None:
    """Why this SVG file may not be published, or None when it is safe."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
        if data[:2] == b"\x1f\x8b":
            data = _inflated(data)
        _check(data)
    except Refused as refused:
        return str(refused)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc}); fix or remove the file"
    return None


def _inflated(data: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(data, LARGEST)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise Refused(f"is not a readable .svgz ({exc}); save it again") from None
    if inflater.unconsumed_tail:
        raise Refused("inflates to more than 64 MB; publish a smaller drawing")
    return inflated


def _check(data: bytes) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _entity
    parser.ExternalEntityRefHandler = _external
    parser.StartElementHandler = _element
    parser.ProcessingInstructionHandler = _instruction
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Refused(
            f"is not well-formed SVG ({expat.ErrorString(exc.code)} at line {exc.lineno}); "
            "save it again from the drawing program"
        ) from None


def _doctype(name, system_id, public_id, has_internal_subset) -> None:
    if has_internal_subset:
        raise Refused(
            "declares entities in its DOCTYPE, which a browser expands (and may fetch); "
            "remove the DOCTYPE (export it as plain SVG)"
        )


def _entity(name, *rest) -> None:
    raise Refused(f"declares the entity {name!r}; remove the DOCTYPE (export it as plain SVG)")


def _external(*rest) -> int:
    raise Refused("refers to an external entity; remove the DOCTYPE (export it as plain SVG)")


def _element(name: str, attributes: dict[str, str]) -> None:
    local = name.rpartition(" ")[2]
    if local.lower() in SCRIPT_ELEMENTS:
        raise Refused(
            f"has a <{local}> element, which runs code when the file is opened on the site; "
            f"remove the <{local}> (an illustration needs no script)"
        )
    for attribute, value in attributes.items():
        attribute = attribute.rpartition(" ")[2]
        if attribute.lower().startswith("on"):
            raise Refused(
                f'has an event handler ({attribute}="...") on <{local}>, which runs code when '
                f"the file is opened on the site; remove the {attribute} attribute"
            )
        if SCRIPT_URL.match(UNSEEN.sub("", value)) or (
            attribute == "attributeName" and value.strip().lower().startswith("on")
        ):
            raise Refused(
                f"has a script in the {attribute} attribute of <{local}>, which runs when the "
                "file is opened on the site; remove it (link to an http(s) address)"
            )


def _instruction(target: str, data: str) -> None:
    if target == "xml-stylesheet" and "xsl" in data.lower():
        raise Refused(
            "applies an XSLT stylesheet, which can make a page that runs code; remove the "
            "<?xml-stylesheet?> line"
        )
