"""Transcribe audio into a :class:`Transcript` with either engine, with caching.

:func:`transcribe` is the entry point: it looks the transcript up in the cache
first, so a rebuild with nothing changed loads no model and imports neither
torch nor whisper. Otherwise :func:`run_engine` streams the audio through the
chosen engine (:mod:`toolkit.transcribe.engines`): optionally only its speech, found by
voice activity detection, and always followed by the no-invented-text guards
and by the coverage check, which decodes again any speech the pass left
without words (:mod:`toolkit.transcribe.gaps`).

Memory stays bounded on long episodes: the audio streams from ffmpeg and only
its spectrogram (115 MB an hour) is held; the samples (230 MB an hour) are
held while voice activity detection finds the speech (before decoding with
``vad``, after it for the coverage check otherwise). An interrupted
run (Ctrl-C) writes nothing to the cache, whose writes are atomic, so the next
run starts cleanly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.audio import SAMPLE_RATE, AudioInfo, probe
from toolkit.transcribe.cache import TranscriptCache
from toolkit.transcribe.options import TranscribeOptions
from toolkit.transcribe.transcript import Transcript

if TYPE_CHECKING:
    import numpy as np
    from tqdm import tqdm

    from toolkit.transcribe.engines import Engine, Progress

__all__ = [
    "TranscribeResult",
    "run_engine",
    "transcribe",
    "translate",
]


@dataclass
class TranscribeResult:
    transcript: Transcript
    cached: bool
    cache_path: Path | None


class ProgressBar:
    """A progress bar on stderr in seconds of audio, with the time left; one bar per phase."""

    def __init__(self, duration: float):
        self.duration = duration
        self.phase: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, phase: str, done: float, total: float) -> None:
        from tqdm import tqdm

        total = total or self.duration
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(
                total=round(total, 1),
                desc=f"{phase:>12}",
                unit="s",
                file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s audio "
                "[{elapsed}<{remaining}, {rate_fmt}]",
            )
        if self.bar is not None:
            self.bar.update(max(0.0, round(min(done, total), 1) - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _slices(samples: np.ndarray, seconds: float = 30.0) -> Iterator[np.ndarray]:
    step = round(seconds * SAMPLE_RATE)
    for start in range(0, len(samples), step):
        yield samples[start : start + step]


def _guard(transcript: Transcript, speech: list[tuple[float, float]] | None) -> Transcript:
    """Drop invented text: words outside speech, sound captions, loops (see guards)."""
    from toolkit.transcribe.guards import clean

    return clean(transcript, speech)


def _empty(options: TranscribeOptions, duration: float) -> Transcript:
    """The transcript of audio without speech: no segments, nothing decoded."""
    return Transcript(
        language=options.language or ("en" if options.model.endswith(".en") else ""),
        duration=round(duration, 3),
        model=options.model,
        options=json.loads(json.dumps(asdict(options))),  # as stored in JSON
        task=options.task,
    )


def run_engine(
    audio: Path,
    options: TranscribeOptions,
    *,
    progress: bool | Progress = True,
    duration: float | None = None,
    threads: int = 0,
) -> Transcript:
    """Transcribe ``audio`` with ``options.engine``; this loads the model (slow).

    ``progress`` is True for a progress bar on stderr, False for none, or a
    callable ``(phase, seconds_done, seconds_total)``. ``duration`` (seconds)
    sizes the bar before the audio is read. ``threads`` sets the CPU threads
    (0: one per core); it does not change the text.
    """
    from toolkit.audio import decode, stream
    from toolkit.transcribe.engines import get_engine

    engine = get_engine(options.engine)
    bar = ProgressBar(duration or 0.0) if progress is True else None
    report = bar if bar is not None else progress or None
    speech: list[tuple[float, float]] | None = None
    try:
        if options.vad:
            from toolkit.transcribe.vad import decoding_clips, speech_spans

            samples = decode(audio)
            speech = speech_spans(samples, SAMPLE_RATE)
            if not speech:
                return _guard(_empty(options, len(samples) / SAMPLE_RATE), speech)
            chunks: Iterator[np.ndarray] = _slices(samples)
            del samples  # the chunks hold it until the spectrogram is made
        else:
            chunks = stream(audio)
        clips = decoding_clips(speech) if speech is not None else None
        transcript = engine.transcribe(
            chunks, options, clips=clips, progress=report or None, threads=threads
        )
        transcript = _guard(transcript, speech)
        if options.refill:
            transcript = _refill(engine, audio, options, transcript, speech, threads)
    finally:
        if bar is not None:
            bar.close()
    return transcript


def _refill(
    engine: Engine,
    audio: Path,
    options: TranscribeOptions,
    transcript: Transcript,
    speech: list[tuple[float, float]] | None,
    threads: int,
) -> Transcript:
    """``transcript`` with the speech it left without words decoded again.

    The stretches refilled are recorded in its options as ``"refilled"``.
    ``speech`` is where voice activity detection found speech, if it has run.
    """
    from toolkit.audio import decode, stream
    from toolkit.transcribe.gaps import gap_clips, speech_gaps
    from toolkit.transcribe.vad import speech_spans
    from toolkit.transcribe.vocabulary import fill_gaps

    samples = None
    if speech is None:
        samples = decode(audio)
        speech = speech_spans(samples, SAMPLE_RATE)
    gaps = speech_gaps(transcript, speech)
    if not gaps:
        return transcript
    chunks = _slices(samples) if samples is not None else stream(audio)
    clips = gap_clips(gaps, transcript.duration)
    again = engine.transcribe(chunks, options, clips=clips, threads=threads)
    filled = fill_gaps(transcript, _guard(again, speech), gaps=gaps)
    return replace(filled, options={**filled.options, "refilled": [list(g) for g in gaps]})


def transcribe(
    audio: Path,
    options: TranscribeOptions,
    *,
    info: AudioInfo | None = None,
    cache: TranscriptCache | None = None,
    progress: bool | Progress = True,
    threads: int = 0,
) -> TranscribeResult:
    """Transcribe ``audio``, reusing a cached transcript when nothing changed.

    See :func:`run_engine` for ``progress`` and ``threads``. Raises :class:`AudioError` for
    audio that cannot be read and :class:`ModelError` for a model or engine
    that cannot be had (the message says what to install).
    """
    info = info or probe(audio)
    cache = cache or TranscriptCache()
    key = options.cache_key(info.sha256)
    hit = cache.get(key)
    if hit is not None:
        return TranscribeResult(hit, True, cache.path(key))
    transcript = run_engine(
        Path(audio), options, progress=progress, duration=info.duration, threads=threads
    )
    return TranscribeResult(transcript, False, cache.put(key, transcript))


def translate(
    audio: Path,
    options: TranscribeOptions,
    spoken: Transcript,
    **kwargs: Any,
) -> TranscribeResult | None:
    """The English translation of ``audio``, whose transcript in its own language is ``spoken``.

    None when ``spoken`` is English already. The spoken language is passed on,
    so it is not detected again. ``kwargs`` are :func:`transcribe`'s.
    """
    if spoken.language == "en":
        return None
    english = replace(options, task="translate", language=spoken.language)
    return transcribe(audio, english, **kwargs)
