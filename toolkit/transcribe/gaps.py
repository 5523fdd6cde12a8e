"""Find and repair speech that Whisper skipped.

Whisper sometimes moves past speech without writing it: a window decoded as
nothing, or timestamps that jump, after a music bed, with a prompt, or in a
quantised model. Voice activity detection (:mod:`toolkit.transcribe.vad`) says where
speech is; :func:`speech_gaps` finds the stretches of it longer than
``max_gap`` seconds that no word covers; :func:`gap_clips` gives the clips to
decode again, and :func:`toolkit.transcribe.vocabulary.fill_gaps` puts what that pass
heard into the gaps.
:func:`toolkit.transcribe.run.run_engine` does this after every pass unless
``TranscribeOptions.refill`` is off, so the check costs one voice-activity pass
(about 0.3 s for 3 minutes of audio) and the repair only the gaps' decoding.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.transcribe.transcript import Transcript

__all__ = ["MAX_GAP", "gap_clips", "speech_gaps", "speech_of"]

Span = tuple[float, float]

MAX_GAP = 5.0  # seconds of speech without a word that count as dropped speech
TOLERANCE = 1.0  # a word covers this long either side of itself
PAD = 1.0  # seconds of context decoded either side of a gap


def speech_of(audio: Path) -> list[Span]:
    """Where voice activity detection hears speech in ``audio`` (seconds)."""
    from toolkit.audio import SAMPLE_RATE, decode
    from toolkit.transcribe.vad import speech_spans

    return speech_spans(decode(audio), SAMPLE_RATE)


def speech_gaps(
    transcript: Transcript,
    speech: list[Span],
    *,
    max_gap: float = MAX_GAP,
    tolerance: float = TOLERANCE,
) -> list[Span]:
    """Stretches inside ``speech`` longer than ``max_gap`` seconds that no word covers.

    A word covers its own time and ``tolerance`` seconds either side. Speech
    spans come from :func:`toolkit.transcribe.vad.speech_spans`, which keeps pauses under
    a second inside a span, so such a stretch is speech the model skipped.
    """
    covered: list[list[float]] = []
    for word in sorted(transcript.words, key=lambda w: w.start):
        start, end = word.start - tolerance, word.end + tolerance
        if covered and start <= covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], end)
        else:
            covered.append([start, end])
    gaps: list[Span] = []
    for s_start, s_end in speech:
        at = s_start
        for c_start, c_end in covered:
            if c_end <= at or c_start >= s_end:
                continue
            if c_start - at > max_gap:
                gaps.append((round(at, 3), round(c_start, 3)))
            at = max(at, c_end)
        if s_end - at > max_gap:
            gaps.append((round(at, 3), round(s_end, 3)))
    return gaps


def gap_clips(gaps: list[Span], duration: float, *, pad: float = PAD) -> list[Span]:
    """The clips to decode again for ``gaps``: each padded by ``pad``, overlaps joined."""
    clips: list[list[float]] = []
    for start, end in sorted(gaps):
        start, end = max(0.0, start - pad), min(duration, end + pad)
        if clips and start <= clips[-1][1]:
            clips[-1][1] = max(clips[-1][1], end)
        else:
            clips.append([start, end])
    return [(round(a, 3), round(b, 3)) for a, b in clips]
