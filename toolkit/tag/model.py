"""The tags of a published episode: the data every container's writer takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.chapters import Chapter


@dataclass
class EpisodeTags:
    """Everything written into the published file's tag."""

    title: str
    show: str
    artist: str
    date: str  # ISO 8601
    description: str
    duration: float  # seconds; also the end of a last chapter that has none
    number: int | None = None
    season: int | None = None
    url: str | None = None
    artwork: Path | None = None
    chapters: list[Chapter] = field(default_factory=list)
    transcript: str | None = None
    language: str = "eng"  # ISO 639-2, as ID3's COMM and USLT frames want
