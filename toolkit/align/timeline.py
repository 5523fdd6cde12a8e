"""The transcript flattened into timed words, with per-segment ranges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from toolkit.transcribe.transcript import Transcript


@dataclass
class _Timeline:
    """The transcript flattened into timed words, with per-segment ranges."""

    starts: np.ndarray
    ends: np.ndarray
    words: list[str]
    seg_ids: list[int]
    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_words: list[tuple[int, int]]  # [first, last) word index per segment


def _timeline(transcript: Transcript) -> _Timeline:
    starts: list[float] = []
    ends: list[float] = []
    words: list[str] = []
    seg_words: list[tuple[int, int]] = []
    for seg in transcript.segments:
        first = len(words)
        if seg.words:
            for w in seg.words:
                starts.append(w.start)
                ends.append(w.end)
                words.append(w.word)
        else:
            # No word timestamps: spread the segment's words evenly over it.
            parts = seg.text.split()
            step = (seg.end - seg.start) / max(len(parts), 1)
            for k, part in enumerate(parts):
                starts.append(seg.start + k * step)
                ends.append(seg.start + (k + 1) * step)
                words.append(" " + part)
        seg_words.append((first, len(words)))
    return _Timeline(
        starts=np.asarray(starts, dtype=float),
        ends=np.asarray(ends, dtype=float),
        words=words,
        seg_ids=[s.id for s in transcript.segments],
        seg_start=np.asarray([s.start for s in transcript.segments], dtype=float),
        seg_end=np.asarray([s.end for s in transcript.segments], dtype=float),
        seg_words=seg_words,
    )
