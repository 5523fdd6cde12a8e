"""The tags of a published episode: the data every container's writer takes.

:class:`EpisodeTags` is what goes into the file, :class:`ChapterTag` one
chapter of it, :class:`Picture` an embedded image and :class:`TagOptions`
how it is written. Every writer (``id3``, ``mp4``, ``vorbis``) takes the same
:class:`EpisodeTags`, and the reader (``read``) gives the same shapes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from toolkit.chapters import Chapter

__all__ = ["ChapterTag", "EpisodeTags", "Picture", "TagOptions", "tag_text"]

#: What no tag carries as text: NUL (ID3's separator between values), the other
#: C0 controls but tab and newline, and lone surrogates; the feed drops them too.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def tag_text(text: str) -> str:
    """``text`` without the characters a tag cannot carry (see :data:`_NOT_TEXT`)."""
    return _NOT_TEXT.sub("", text) if _NOT_TEXT.search(text) else text


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

    def cleaned(self) -> EpisodeTags:
        """These tags with every text stripped of what no tag carries (:func:`tag_text`),
        so that what is written reads back the same."""

        def text(value: str | None) -> str | None:
            return None if value is None else tag_text(value)

        chapters = [
            replace(c, title=tag_text(c.title), description=text(c.description))
            for c in self.chapters
        ]
        return replace(
            self,
            title=tag_text(self.title),
            show=tag_text(self.show),
            artist=tag_text(self.artist),
            description=tag_text(self.description),
            transcript=text(self.transcript),
            keywords=[tag_text(k) for k in self.keywords],
            chapters=chapters,
        )

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
