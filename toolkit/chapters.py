"""Chapters: one list that feeds the ID3 tags, the notes and the feed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .align import Alignment
    from .article import Article


@dataclass
class Chapter:
    start: float
    title: str
    end: float | None = None
    url: str | None = None
    img: str | None = None
    description: str | None = None


def to_podcast_json(chapters: list[Chapter]) -> str:
    """Render the Podcasting 2.0 chapters JSON (version 1.2.0)."""
    items = []
    for ch in chapters:
        item: dict[str, object] = {"startTime": round(ch.start, 3), "title": ch.title}
        if ch.end is not None:
            item["endTime"] = round(ch.end, 3)
        if ch.url:
            item["url"] = ch.url
        if ch.img:
            item["img"] = ch.img
        items.append(item)
    return json.dumps({"version": "1.2.0", "chapters": items}, indent=2, ensure_ascii=False)


MIN_CHAPTER_SECONDS = 20.0
TITLE_CHARS = 60


def short_title(text: str, limit: int = TITLE_CHARS) -> str:
    """A chapter title from a paragraph: its first sentence, cut at a word boundary."""
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    first = first.strip("“”\"' ").rstrip(".,;:")
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return cut + "…"


def chapters_from_alignment(
    alignment: Alignment,
    article: Article,
    duration: float,
    min_length: float = MIN_CHAPTER_SECONDS,
) -> list[Chapter]:
    """Chapters from the discussed paragraphs, in the order they are heard.

    Each discussed paragraph opens a chapter titled by its subhead or its first
    sentence. A chapter shorter than ``min_length`` is folded into the one
    before it, and the time before the first discussed paragraph becomes an
    introduction.
    """
    paragraphs = {p.index: p for p in article.paragraphs}
    starts = sorted(
        (m.start, paragraphs[m.index])
        for m in alignment.paragraphs
        if m.discussed and m.start is not None
    )
    chapters: list[Chapter] = []
    for start, para in starts:
        title = para.heading or short_title(para.text)
        if chapters and start - chapters[-1].start < min_length:
            continue  # too close to the previous chapter: it belongs there
        if chapters and chapters[-1].title == title:
            continue
        chapters.append(Chapter(start=round(start, 3), title=title))
    if not chapters or chapters[0].start >= min_length:
        chapters.insert(0, Chapter(start=0.0, title="Introduction"))
    else:
        chapters[0].start = 0.0
    for ch, nxt in zip(chapters, chapters[1:], strict=False):
        ch.end = nxt.start
    chapters[-1].end = round(duration, 3)
    return chapters
