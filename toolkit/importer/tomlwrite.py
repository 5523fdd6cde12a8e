"""Write the TOML of show.toml and episode.toml (tomllib only reads).

Just what the importer writes: strings, integers, booleans, aware datetimes,
lists of those or of small tables (written inline, one per line), and tables.
A string with line breaks becomes a multi-line string. Every value written
reads back with :mod:`tomllib` as it was (the tests hold it to that).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["dumps", "toml_value"]

_ESCAPES = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}


def _escape(text: str, multiline: bool) -> str:
    out: list[str] = []
    for ch in text:
        if multiline and ch in "\n\t":
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _string(text: str) -> str:
    text = text.replace("\r\n", "\n")
    if "\n" in text:
        return f'"""\n{_escape(text, multiline=True)}"""'
    return f'"{_escape(text, multiline=False)}"'


def _key(key: str) -> str:
    if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return key
    return _string(key)


def toml_value(value: Any) -> str:
    """One value as TOML (inline: a dict becomes an inline table)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("only aware datetimes are written")
        return value.isoformat()
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items())
        return f"{{ {inner} }}" if inner else "{}"
    if isinstance(value, list | tuple):
        items = [toml_value(v) for v in value]
        if any(isinstance(v, dict) for v in value) or sum(len(i) for i in items) > 80:
            return "[\n" + "".join(f"  {i},\n" for i in items) + "]"
        return "[" + ", ".join(items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(doc: dict[str, Any], header: str = "") -> str:
    """``doc`` as a TOML document: its plain values, then each table as ``[name]``.

    ``header`` lines are written first as comments. ``None`` values are left out.
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    tables = {k: v for k, v in doc.items() if isinstance(v, dict) and v}
    for key, value in doc.items():
        if value is None or key in tables or (isinstance(value, dict) and not value):
            continue
        lines.append(f"{_key(key)} = {toml_value(value)}")
    for key, table in tables.items():
        lines += ["", f"[{_key(key)}]"]
        lines += [f"{_key(k)} = {toml_value(v)}" for k, v in table.items() if v is not None]
    return "\n".join(lines) + "\n"
