"""A content-addressed cache of transcripts.

A transcript is stored under a key made of content only (see
:meth:`toolkit.transcribe.options.TranscribeOptions.cache_key` and
:func:`toolkit.transcribe.run.article_key`): the audio's content hash, the
model, every decoding option and, for an article-aware transcript, the
article's text (see :mod:`toolkit.datacache`).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.datacache import JsonCache
from toolkit.transcribe.transcript import Transcript

__all__ = ["TranscriptCache"]


class TranscriptCache(JsonCache[Transcript]):
    """Transcripts as JSON files under ``root`` (default: the user cache's ``transcripts``)."""

    def __init__(self, root: Path | None = None):
        super().__init__("transcripts", Transcript.load, Transcript.to_dict, root)
