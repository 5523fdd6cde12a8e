"""Chapters: one list that feeds the ID3 tags, the notes and the feed.

Chapters come from the article's alignment where there is one: runs of
discussed paragraphs, grouped by the article's subheads and titled by them or
by key phrases. Stretches the article does not cover are split by topic
segmentation of the transcript itself. Every chapter lasts at least a minimum
length; together they run from 0 to the episode's end without gaps.

The package keeps one job to a module: ``model`` (:class:`Chapter` and the
Podcasting 2.0 JSON), ``phrases`` (key phrases for titles), ``topics``
(TextTiling-style segmentation) and ``build`` (:func:`chapters_from_alignment`).
"""

from __future__ import annotations

from toolkit.chapters.build import (
    INTRODUCTION,
    MIN_CHAPTER_SECONDS,
    WRAP_UP,
    chapters_from_alignment,
    chapters_from_transcript,
)
from toolkit.chapters.model import Chapter, to_podcast_json
from toolkit.chapters.phrases import PhrasePicker
from toolkit.chapters.topics import topic_boundaries

__all__ = [
    "INTRODUCTION",
    "MIN_CHAPTER_SECONDS",
    "WRAP_UP",
    "Chapter",
    "PhrasePicker",
    "chapters_from_alignment",
    "chapters_from_transcript",
    "to_podcast_json",
    "topic_boundaries",
]
