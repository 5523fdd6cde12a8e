"""Parse a feed's XML safely: no DTD loaded, no entity expanded, nothing fetched.

lxml is told not to resolve entities, load a DTD or reach the network, and a
document that declares entities is refused outright (the entity-expansion
attacks that defusedxml guards against). One common fault is recovered: text
or a byte-order mark before the XML declaration, which real hosts emit and
which strict parsers (podcastparser) reject; the caller is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from toolkit.errors import FeedError

__all__ = ["ParsedXML", "parse_xml"]


@dataclass
class ParsedXML:
    """The document's root element and what was recovered to read it."""

    root: Any  # lxml.etree._Element (lxml has no type hints)
    warnings: list[str] = field(default_factory=list)


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _parse(data: bytes, source: Path | str) -> Any:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise FeedError(f"not well-formed XML: {e.msg}", source) from e
    if root is None:
        raise FeedError("empty XML document", source)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FeedError("the document declares XML entities; refused (entity expansion)", source)
    return root


def parse_xml(data: bytes, source: Path | str) -> ParsedXML:
    """Parse ``data`` (the bytes of ``source``, named in errors and warnings)."""
    try:
        return ParsedXML(_parse(data, source))
    except FeedError:
        stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped == data or not stripped.startswith(b"<?xml"):
            raise
    root = _parse(stripped, source)
    skipped = len(data) - len(stripped)
    return ParsedXML(
        root,
        [
            f"{source}: {skipped} byte(s) of whitespace before the XML declaration; "
            "skipped them (strict feed readers reject such a feed)"
        ],
    )
