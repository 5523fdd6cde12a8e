"""A content-addressed cache of transcripts.

A transcript is stored under a key made of content only (see
:meth:`toolkit.transcribe.options.TranscribeOptions.cache_key` and
:func:`toolkit.transcribe.run.article_key`): the audio's content hash, the
model, every decoding option and, for an article-aware transcript, the
article's text, so any change to one of them misses the cache and a copied or
moved show hits it. Entries are written atomically: an interrupted run
leaves no corrupt entry.
"""

from __future__ import annotations

import json
from pathlib import Path

from toolkit import fsutil
from toolkit.errors import TranscriptError
from toolkit.paths import cache_dir
from toolkit.transcribe.transcript import Transcript

__all__ = ["TranscriptCache"]


class TranscriptCache:
    """Transcripts as JSON files under ``root`` (default: the user cache's ``transcripts``)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else cache_dir() / "transcripts"

    def path(self, key: str) -> Path:
        """Where the entry for ``key`` lives (whether or not it exists)."""
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
        """Store ``transcript`` under ``key``, atomically; returns its path."""
        path = self.path(key)
        fsutil.write_text(path, json.dumps(transcript.to_dict(), ensure_ascii=False))
        return path
