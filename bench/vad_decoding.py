"""Ways to run ``whisper.transcribe`` on only the speech, for bench/vad_speed.py and the tests.

The toolkit's engines decode the clips :func:`toolkit.transcribe.vad.decoding_clips`
makes of the speech spans. Calling openai-whisper directly, as
bench/vad_speed.py and tests/test_guards.py do to measure the guards, takes
them as ``clip_timestamps`` (:func:`clip_timestamps`), or as compacted audio:
only the speech, back to back, with its times mapped back afterwards
(:func:`compact`, :class:`Timeline`). :func:`decode_guard_options` gives the
``transcribe()`` arguments that keep invented text from being decoded.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from toolkit.transcribe.guards import LOGPROB, NO_SPEECH_PROB
from toolkit.transcribe.options import Span
from toolkit.transcribe.transcript import Transcript
from toolkit.transcribe.vad import JOIN, decoding_clips, merge_spans

__all__ = ["Timeline", "clip_timestamps", "compact", "decode_guard_options"]


def clip_timestamps(spans: Sequence[Span], *, join: float = JOIN) -> list[float]:
    """:func:`decoding_clips` flattened to ``[start, end, ...]``, Whisper's ``clip_timestamps``.

    An empty list means there is nothing to transcribe: do not call Whisper at
    all, because Whisper reads ``clip_timestamps=[]`` as "the whole file".
    """
    return [t for span in decoding_clips(spans, join=join) for t in span]


@dataclass(frozen=True)
class Timeline:
    """Where each speech span of the original audio lies in the audio :func:`compact` made."""

    spans: tuple[Span, ...]  # seconds in the original audio
    starts: tuple[float, ...]  # where each span starts in the compacted audio
    duration: float  # of the original audio

    def to_original(self, seconds: float) -> float:
        """A time in the compacted audio as a time in the original audio."""
        if not self.spans:
            return seconds
        i = max(0, bisect.bisect_right(self.starts, seconds) - 1)
        start, end = self.spans[i]
        return round(start + min(max(0.0, seconds - self.starts[i]), end - start), 3)

    def restore(self, transcript: Transcript) -> Transcript:
        """A copy of ``transcript`` of the compacted audio, timed against the original."""
        t = self.to_original
        segments = [
            replace(
                s,
                start=t(s.start),
                end=t(s.end),
                words=[replace(w, start=t(w.start), end=t(w.end)) for w in s.words],
            )
            for s in transcript.segments
        ]
        return replace(transcript, segments=segments, duration=self.duration)


def compact(
    samples: np.ndarray, spans: Sequence[Span], sample_rate: int = 16000
) -> tuple[np.ndarray, Timeline]:
    """Only the speech of ``samples``, spans back to back, and the :class:`Timeline` to undo it.

    Faster than ``clip_timestamps`` when the non-speech comes in many
    separate stretches: each clip costs Whisper at least one decoding window
    of its own, while compacted audio fills every window with speech. The
    spans' padding keeps a natural pause between the joined pieces.
    """
    pieces, starts, at = [], [], 0
    merged = merge_spans(spans, min_silence=0.0, pad=0.0, duration=len(samples) / sample_rate)
    for start, end in merged:
        piece = samples[round(start * sample_rate) : round(end * sample_rate)]
        pieces.append(piece)
        starts.append(at / sample_rate)
        at += len(piece)
    audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    timeline = Timeline(tuple(merged), tuple(starts), len(samples) / sample_rate)
    return audio.astype(np.float32, copy=False), timeline


def decode_guard_options() -> dict[str, Any]:
    """openai-whisper ``transcribe()`` keyword arguments that keep invented text out.

    Use them together with :func:`clip_timestamps`. Measured
    with bench/vad_speed.py's episode (the sample episode with 80 s of music,
    noise and silence beds), WER against its script:

    - ``condition_on_previous_text=False``: with VAD, tiny.en 32.9 % -> 20.0 %
      (conditioned, it skipped whole stretches of speech), base 14.7 % -> 14.5 %;
      without VAD, tiny.en 30.5 % -> 26.1 %, base 14.5 % -> 16.0 %.
    - The temperature fallback with Whisper's compression-ratio (2.4), log
      probability (-1.0) and no-speech (0.6) thresholds, Whisper's defaults,
      spelled out: without the first two, tiny.en loops over brown noise and
      over slowed speech (tests/test_guards.py).
    - ``word_timestamps=True``: :func:`toolkit.transcribe.guards.clean` needs word
      times and probabilities.

    ``hallucination_silence_threshold`` is left out on purpose: with VAD it
    changed nothing (tiny.en 20.0 % -> 20.6 %, base 14.5 % -> 14.5 %), and
    without VAD it cost base 9 s of real speech before a music bed (16.0 % ->
    20.8 %), although it helped tiny.en (26.1 % -> 19.6 %).
    """
    return {
        "temperature": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        "compression_ratio_threshold": 2.4,
        "logprob_threshold": LOGPROB,
        "no_speech_threshold": NO_SPEECH_PROB,
        "condition_on_previous_text": False,
        "word_timestamps": True,
    }
