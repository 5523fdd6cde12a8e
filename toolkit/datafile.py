"""Versioned JSON: how every stage saves its data and reads it back.

Each file is one JSON object whose ``"version"`` says which layout of its
kind it holds (the transcript, the article, the alignment, the build's state).
A reader accepts its own version and older ones it knows how to read, and
refuses a newer one with a clear error rather than misreading it. Bump a
kind's version whenever its fields change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolkit import fsutil
from toolkit.errors import ToolkitError

__all__ = ["check_version", "dumps", "read", "write"]


def dumps(version: int, payload: dict[str, Any], *, indent: int | None = 1) -> str:
    """``payload`` as versioned JSON text (``"version"`` first)."""
    return json.dumps({"version": version, **payload}, ensure_ascii=False, indent=indent)


def write(path: Path, version: int, payload: dict[str, Any], *, indent: int | None = 1) -> None:
    """Write ``payload`` to ``path`` as versioned JSON, atomically."""
    fsutil.write_text(path, dumps(version, payload, indent=indent))


def check_version(
    data: Any,
    kind: str,
    version: int,
    error: type[ToolkitError],
    path: Path | None = None,
    oldest: int = 1,
) -> int:
    """The version of ``data``, a ``kind`` file this toolkit reads up to ``version``.

    Raises ``error`` naming ``path`` and the field when the object or its
    version is missing, older than ``oldest``, or newer than ``version``.
    """
    if not isinstance(data, dict):
        raise error(f"not a {kind} file: expected a JSON object", path)
    found = data.get("version")
    if not isinstance(found, int) or isinstance(found, bool):
        raise error(f"not a {kind} file: no version number", path, "version")
    if found > version:
        raise error(
            f"{kind} version {found} was written by a newer toolkit "
            f"(this one reads up to version {version}); upgrade the toolkit",
            path,
            "version",
        )
    if found < oldest:
        raise error(
            f"{kind} version {found} is too old to read (oldest supported: {oldest}); "
            "build it again",
            path,
            "version",
        )
    return found


def read(
    path: Path, kind: str, version: int, error: type[ToolkitError], oldest: int = 1
) -> dict[str, Any]:
    """Read a ``kind`` file written as versioned JSON; see :func:`check_version`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise error(f"{kind} file not found", path) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise error(f"cannot read the {kind} file: {e}", path) from e
    check_version(data, kind, version, error, path, oldest)
    fields: dict[str, Any] = data
    return fields
