"""Transcribe audio with openai-whisper into a :class:`Transcript`, with caching."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .audio import SAMPLE_RATE, AudioInfo, decode, probe
from .cache import TranscriptCache, make_key
from .errors import ModelError
from .transcript import Segment, Transcript, Word


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding options; every field takes part in the cache key."""

    model: str = "tiny.en"
    language: str | None = None
    task: str = "transcribe"
    beam_size: int | None = None  # None: greedy, like whisper's Python API
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    initial_prompt: str | None = None
    word_timestamps: bool = True

    def decode_kwargs(self) -> dict[str, Any]:
        kwargs = asdict(self)
        kwargs.pop("model")
        if self.beam_size is not None:
            kwargs["best_of"] = self.beam_size
        return kwargs


@dataclass
class TranscribeResult:
    transcript: Transcript
    cached: bool
    cache_path: Path | None


def _from_whisper(
    result: dict[str, Any], duration: float, options: TranscribeOptions
) -> Transcript:
    segments = [
        Segment(
            id=i,
            start=round(float(seg["start"]), 3),
            end=round(float(seg["end"]), 3),
            text=seg["text"].strip(),
            words=[
                Word(
                    start=round(float(w["start"]), 3),
                    end=round(float(w["end"]), 3),
                    word=w["word"],
                    probability=round(float(w["probability"]), 4),
                )
                for w in seg.get("words", [])
            ],
            avg_logprob=round(float(seg.get("avg_logprob", 0.0)), 4),
            no_speech_prob=round(float(seg.get("no_speech_prob", 0.0)), 4),
        )
        for i, seg in enumerate(result["segments"])
    ]
    return Transcript(
        language=result.get("language") or options.language or "",
        duration=round(duration, 3),
        segments=segments,
        model=options.model,
        options=json.loads(json.dumps(asdict(options))),  # as stored in JSON
    )


def run_whisper(audio: Path, options: TranscribeOptions, *, progress: bool = True) -> Transcript:
    """Run openai-whisper on ``audio``; this loads the model (slow)."""
    import whisper

    from .models import load_model

    samples = decode(audio)
    model = load_model(options.model)
    if options.model.endswith(".en") and options.language not in (None, "en"):
        raise ModelError(
            f"model {options.model} only transcribes English, not {options.language!r}"
        )
    result = whisper.transcribe(
        model,
        samples,
        verbose=False if progress else None,  # False: whisper's own tqdm progress bar
        fp16=False,
        **options.decode_kwargs(),
    )
    return _from_whisper(result, len(samples) / SAMPLE_RATE, options)


def transcribe(
    audio: Path,
    options: TranscribeOptions,
    *,
    info: AudioInfo | None = None,
    cache: TranscriptCache | None = None,
    progress: bool = True,
) -> TranscribeResult:
    """Transcribe ``audio``, reusing a cached transcript when nothing changed."""
    info = info or probe(audio)
    cache = cache or TranscriptCache()
    key = make_key(info.sha256, options.model, asdict(options))
    hit = cache.get(key)
    if hit is not None:
        return TranscribeResult(hit, True, cache.path(key))
    transcript = run_whisper(Path(audio), options, progress=progress)
    return TranscribeResult(transcript, False, cache.put(key, transcript))
