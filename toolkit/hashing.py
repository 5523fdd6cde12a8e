"""Content hashes: of files, and of the settings a result was made from.

Every cache key and every stage's record of its inputs is made here, from
content only, never from a path, so a copied or moved show reuses its work.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = ["content_key", "file_sha256"]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def content_key(value: Any) -> str:
    """A stable SHA-256 of a JSON-able ``value`` (dict keys sorted)."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
