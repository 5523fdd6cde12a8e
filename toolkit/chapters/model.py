"""The chapter data model and its Podcasting 2.0 JSON form."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass
class Chapter:
    """One chapter: where it starts and ends (seconds) and what it is called."""

    start: float
    title: str
    end: float | None = None
    url: str | None = None
    img: str | None = None
    description: str | None = None


def to_podcast_json(chapters: list[Chapter]) -> str:
    """Render the Podcasting 2.0 chapters JSON (version 1.2.0).

    A chapter's ``url`` and ``img`` can come from the source audio's own
    chapters (``keep_source_chapters``): one that is not a web URL
    (``javascript:``, ``data:``; see :func:`toolkit.render.sanitize.safe_url`)
    is left out, since apps open them.
    """
    from toolkit.render.sanitize import safe_url

    items = []
    for ch in chapters:
        item: dict[str, object] = {"startTime": round(ch.start, 3), "title": ch.title}
        if ch.end is not None:
            item["endTime"] = round(ch.end, 3)
        if ch.url and safe_url(ch.url):
            item["url"] = ch.url
        if ch.img and safe_url(ch.img):
            item["img"] = ch.img
        items.append(item)
    return json.dumps({"version": "1.2.0", "chapters": items}, indent=2, ensure_ascii=False)
