"""A content-addressed cache of versioned JSON data (transcripts, diarizations).

An entry is stored under a key made of content only: the audio's content
hash and every option that shapes the result, so any change to one of them
misses the cache and a copied or moved show hits it. Entries are written
atomically: an interrupted run leaves no corrupt entry. An entry that can no
longer be read (a stale version, a foreign file) is a miss, not a failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from toolkit import fsutil
from toolkit.errors import ToolkitError
from toolkit.paths import cache_dir

__all__ = ["JsonCache"]

T = TypeVar("T")


class JsonCache(Generic[T]):
    """Objects as JSON files under ``root`` (default: the user cache's ``folder``)."""

    def __init__(
        self,
        folder: str,
        load: Callable[[Path], T],
        dump: Callable[[T], dict[str, Any]],
        root: Path | None = None,
    ):
        self.root = Path(root) if root is not None else cache_dir() / folder
        self._load = load
        self._dump = dump

    def path(self, key: str) -> Path:
        """Where the entry for ``key`` lives (whether or not it exists)."""
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> T | None:
        """The cached object, or None if absent or unreadable."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            return self._load(path)
        except ToolkitError:
            return None

    def put(self, key: str, value: T) -> Path:
        """Store ``value`` under ``key``, atomically; returns its path."""
        path = self.path(key)
        fsutil.write_text(path, json.dumps(self._dump(value), ensure_ascii=False))
        return path
