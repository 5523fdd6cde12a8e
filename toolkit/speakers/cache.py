"""A content-addressed cache of diarizations (see :mod:`toolkit.datacache`).

The key is the audio's content hash, the speaker count asked for and the
diarization's revision, so the same audio is diarized once on this machine
whatever show or folder it is in.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.datacache import JsonCache
from toolkit.speakers.model import Diarization

__all__ = ["DiarizationCache"]


class DiarizationCache(JsonCache[Diarization]):
    """Diarizations as JSON files under ``root`` (default: the user cache's ``diarization``)."""

    def __init__(self, root: Path | None = None):
        super().__init__("diarization", Diarization.load, Diarization.to_dict, root)
