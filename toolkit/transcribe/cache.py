"""A content-addressed cache of transcripts.

A transcript is stored under a key made from the audio's content hash, the
model and every decoding option, so any change to one of them misses the cache.
Entries are written atomically: an interrupted run leaves no corrupt entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolkit import fsutil
from toolkit.errors import TranscriptError
from toolkit.hashing import content_key
from toolkit.paths import cache_dir
from toolkit.transcribe.transcript import Transcript


def make_key(audio_sha256: str, model: str, options: dict[str, Any]) -> str:
    """A stable key for one audio file transcribed by one model with some options."""
    return content_key({"audio": audio_sha256, "model": model, "options": options})


class TranscriptCache:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else cache_dir() / "transcripts"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Transcript | None:
        """The cached transcript, or None if absent or unreadable."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            return Transcript.load(path)
        except TranscriptError:
            return None  # a stale or foreign entry is a miss, not a failure

    def put(self, key: str, transcript: Transcript) -> Path:
        path = self.path(key)
        fsutil.write_text(path, json.dumps(transcript.to_dict(), ensure_ascii=False))
        return path
