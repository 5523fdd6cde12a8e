"""Episode folder names for imported items: the date and the title, URL-safe and unique."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = ["Slugs", "slugify"]

MAX_WORDS_CHARS = 50


def slugify(text: str, limit: int = MAX_WORDS_CHARS) -> str:
    """Lower-case ASCII words joined by ``-``, cut at a word within ``limit`` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")


class Slugs:
    """Hands out folder names, none equal to another when case is ignored."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, date: dt.datetime, title: str) -> str:
        words = slugify(title)
        base = f"{date:%Y-%m-%d}-{words}" if words else f"{date:%Y-%m-%d}"
        slug, n = base, 2
        while slug.casefold() in self._taken:
            slug, n = f"{base}-{n}", n + 1
        self._taken.add(slug.casefold())
        return slug
