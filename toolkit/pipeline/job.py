"""The job: everything one episode's stages have made, as plain data.

One :class:`EpisodeJob` per episode passes through the stage list
(:mod:`toolkit.pipeline.stages`). A stage reads the fields that earlier stages
filled and fills its own; it holds no behaviour, so the renderers
(:mod:`toolkit.render`) read it without reaching into the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stages import these when they need them: a no-op build loads none
    from toolkit.align import Alignment
    from toolkit.article import Article
    from toolkit.audio import AudioInfo
    from toolkit.chapters import Chapter
    from toolkit.chapters.soundbites import Soundbite
    from toolkit.config import Episode, Show
    from toolkit.transcribe.transcript import Transcript
    from toolkit.waveform import Waveform

__all__ = ["EpisodeJob", "PublishedAudio"]


@dataclass
class PublishedAudio:
    """The tagged copy of the audio in the site."""

    file: str  # its name inside the episode's folder
    mime: str
    size: int  # bytes, for the feed's enclosure
    duration: float  # seconds


@dataclass
class EpisodeJob:
    """What is known about one episode as it moves through the stages."""

    show: Show
    episode: Episode
    source: AudioInfo | None = None
    article: Article | None = None
    transcript: Transcript | None = None
    #: "plain", "biased", "filled" or "fallback" (see toolkit.transcribe).
    transcript_outcome: str = ""
    translation: Transcript | None = None  # English, with [transcription] task = "translate"
    alignment: Alignment | None = None
    #: The episode's peaks, drawn under the page's scrubber.
    waveform: Waveform | None = None
    chapters: list[Chapter] = field(default_factory=list)
    soundbites: list[Soundbite] = field(default_factory=list)
    #: The mastered audio (``[master] enabled``): what the tag stage publishes.
    mastered: AudioInfo | None = None
    audio: PublishedAudio | None = None
    #: The same audio published in other formats, beside ``audio`` (the feed lists
    #: every format as a podcast:alternateEnclosure when there is more than one).
    alternates: list[PublishedAudio] = field(default_factory=list)
    #: The item's permanent guid: ``episode.toml``'s, else the one the build
    #: assigned and recorded beside the show (:mod:`toolkit.pipeline.guids`).
    guid: str | None = None
    #: Transcript files in the episode's folder, by format ("vtt" -> "transcript.vtt").
    transcript_files: dict[str, str] = field(default_factory=dict)
    translation_files: dict[str, str] = field(default_factory=dict)
    #: What the build did, stage by stage ("transcribed", "reused", "re-tagged", ...).
    actions: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.episode.slug
