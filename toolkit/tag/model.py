"""The tags of a published episode: the data every container's writer takes.

:class:`EpisodeTags` is what goes into the file, :class:`ChapterTag` one
chapter of it, :class:`Picture` an embedded image and :class:`TagOptions`
how it is written. Every writer (``id3``, ``mp4``, ``vorbis``) takes the same
:class:`EpisodeTags`, and the reader (``read``) gives the same shapes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from toolkit.chapters import Chapter

__all__ = ["ChapterTag", "EpisodeTags", "Picture", "TagOptions"]


@dataclass(frozen=True)
class Picture:
    """An image as it is embedded: its bytes, MIME type and size in pixels."""

    data: bytes
    mime: str  # "image/jpeg" or "image/png"
    width: int = 0
    height: int = 0

    def summary(self) -> str:
        kind = self.mime.removeprefix("image/").upper()
        return f"{kind} {self.width}x{self.height}, {len(self.data)} bytes"


@dataclass
class ChapterTag:
    """One chapter inside the file (seconds); ``end`` None: the next start, or the end."""

    start: float
    title: str
    end: float | None = None
    url: str | None = None
    image: Picture | None = None
    description: str | None = None

    @classmethod
    def from_chapter(cls, chapter: Chapter) -> ChapterTag:
        """A pipeline chapter as a tag (its ``img`` is a URL for the feed, not embedded)."""
        return cls(
            start=chapter.start,
            title=chapter.title,
            end=chapter.end,
            url=chapter.url,
            description=chapter.description,
        )


@dataclass
class EpisodeTags:
    """Everything written into the published file's tag."""

    title: str
    show: str
    artist: str
    date: str  # ISO 8601: "2023-01-17", or a year alone
    description: str
    duration: float  # seconds; also the end of a last chapter that has none
    number: int | None = None
    season: int | None = None
    url: str | None = None  # the episode's page
    artwork: Path | None = None  # JPEG or PNG; reduced to MAX_ARTWORK px inside the file
    chapters: list[ChapterTag] = field(default_factory=list)
    transcript: str | None = None
    language: str = "eng"  # ISO 639-2, as ID3's COMM and USLT frames want
    feed_url: str | None = None  # the podcast's feed (ID3 WFED, MP4 purl)
    guid: str | None = None  # the episode's guid in the feed (ID3 TGID, MP4 egid)
    keywords: list[str] = field(default_factory=list)

    def chapters_in_order(self) -> list[ChapterTag]:
        """The chapters sorted by start, each with its end filled in."""
        ordered = sorted(self.chapters, key=lambda c: c.start)
        out = []
        for i, ch in enumerate(ordered):
            nxt = ordered[i + 1].start if i + 1 < len(ordered) else self.duration
            end = ch.end if ch.end is not None else nxt
            out.append(
                ChapterTag(ch.start, ch.title, max(end, ch.start), ch.url, ch.image, ch.description)
            )
        return out


@dataclass(frozen=True)
class TagOptions:
    """How the tags are written (``[publish]`` in show.toml)."""

    id3_version: Literal[3, 4] = 3
    #: When the build made no chapters, carry the source file's own chapters.
    keep_source_chapters: bool = False
