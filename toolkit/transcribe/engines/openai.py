"""The openai-whisper engine (the default).

It runs ``whisper.transcribe`` with the options the ``whisper`` CLI would use,
so on the same model the text is the CLI's text (with ``--word_timestamps
False``; see :mod:`toolkit.transcribe.engines.decoding` for why word timings are added
afterwards). Three things differ, none of which changes the text:

- The log-Mel spectrogram is computed while the audio streams in
  (:mod:`toolkit.transcribe.engines.spectrogram`), bit for bit the one whisper would compute,
  and handed to ``whisper.transcribe``. whisper has no parameter for that, so
  for the length of the call its module-level ``log_mel_spectrogram`` returns
  the given spectrogram when it is passed one, and calls the original
  otherwise.
- Its ``tqdm`` progress bar is replaced, for the same call, by one that
  reports the audio time done to the caller.
- The language is detected here, as whisper does it (the first 30 s, or the
  first 30 s of speech when only clips are decoded), to record its probability.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from toolkit.transcribe.engines import Progress, Span
from toolkit.transcribe.engines.decoding import (
    FRAMES_PER_SECOND,
    build_transcript,
    by_window,
    check_task,
    clip_frames,
    flat_clips,
    last_word_end,
    normalise_language,
    window_size,
)
from toolkit.transcribe.engines.spectrogram import log_mel, torch_power_mel

if TYPE_CHECKING:
    import numpy as np
    import torch
    from whisper.model import Whisper

    from toolkit.transcribe.options import TranscribeOptions
    from toolkit.transcribe.transcript import Transcript

_HOOK_LOCK = threading.Lock()  # the hooks patch module globals: one call at a time


@functools.lru_cache(maxsize=2)
def _model(name: str) -> Whisper:
    """The model ``name``, loaded once per process (a few seconds each time otherwise)."""
    from toolkit.transcribe.weights import load_model

    return load_model(name)


class _AudioTimeBar:
    """Stands in for the ``tqdm`` bar inside ``whisper.transcribe``: reports frames done."""

    def __init__(self, report: Callable[[int], None]):
        self.report = report

    def __enter__(self) -> _AudioTimeBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, frames: int) -> None:
        self.report(frames)


@contextmanager
def _hooks(mel: torch.Tensor, report: Callable[[int], None]) -> Iterator[None]:
    """While open, ``whisper.transcribe(model, mel)`` uses ``mel`` and reports progress."""
    module: Any = importlib.import_module("whisper.transcribe")
    original_mel = module.log_mel_spectrogram
    original_tqdm = module.tqdm

    def given_mel(audio: Any, *args: Any, **kwargs: Any) -> Any:
        return mel if audio is mel else original_mel(audio, *args, **kwargs)

    def bar(*args: Any, **kwargs: Any) -> _AudioTimeBar:
        return _AudioTimeBar(report)

    with _HOOK_LOCK:
        module.log_mel_spectrogram = given_mel
        module.tqdm = SimpleNamespace(tqdm=bar)
        try:
            yield
        finally:
            module.log_mel_spectrogram = original_mel
            module.tqdm = original_tqdm


def _detect_language(model: Whisper, mel: torch.Tensor, start: int) -> tuple[str, float]:
    """The language spoken in the 30 s from frame ``start``, and its probability."""
    from whisper.audio import N_FRAMES, pad_or_trim

    _, probs = model.detect_language(pad_or_trim(mel[:, start:], N_FRAMES))
    language = max(probs, key=probs.get)
    return language, float(probs[language])


def _decode_options(options: TranscribeOptions, language: str) -> dict[str, Any]:
    """``whisper.transcribe`` keyword arguments, as the CLI passes them."""
    beam = options.beam_size
    return {
        "language": language,
        "task": options.task,
        "temperature": options.temperature,
        "condition_on_previous_text": options.condition_on_previous_text,
        "initial_prompt": options.initial_prompt,
        "carry_initial_prompt": options.carry_initial_prompt,
        "beam_size": beam,
        "best_of": beam,  # the CLI's --best_of follows --beam_size (5 and 5 by default)
        "fp16": False,
        "word_timestamps": False,
    }


class OpenAIEngine:
    """openai-whisper, on the CPU in fp32."""

    name = "openai"

    def transcribe(
        self,
        chunks: Iterable[np.ndarray],
        options: TranscribeOptions,
        *,
        clips: Sequence[Span] | None = None,
        progress: Progress | None = None,
        threads: int = 0,
    ) -> Transcript:
        import torch
        import whisper
        from whisper.audio import N_FRAMES, N_SAMPLES, SAMPLE_RATE
        from whisper.tokenizer import LANGUAGES, TO_LANGUAGE_CODE, get_tokenizer

        if threads > 0:
            torch.set_num_threads(threads)  # as the whisper CLI's --threads does
        language = normalise_language(options.language, LANGUAGES, TO_LANGUAGE_CODE)
        model = _model(options.model)
        check_task(options, model.is_multilingual)
        report = progress or (lambda phase, done, total: None)

        mel_array, n_samples = log_mel(
            chunks,
            torch_power_mel(model.dims.n_mels),
            N_SAMPLES,
            on_chunk=lambda n: report("reading", n / SAMPLE_RATE, 0.0),
        )
        mel = torch.from_numpy(mel_array)
        content_frames = mel.shape[-1] - N_FRAMES
        total = content_frames / FRAMES_PER_SECOND
        frames = clip_frames(clips)

        probability = None
        if language is None and model.is_multilingual:
            language, probability = _detect_language(model, mel, frames[0][0] if frames else 0)
        language = language or "en"

        done = 0

        def frames_done(n: int) -> None:
            nonlocal done
            done += n
            report("transcribing", min(done, content_frames) / FRAMES_PER_SECOND, total)

        with _hooks(mel, frames_done):
            result = whisper.transcribe(
                model,
                mel,
                verbose=None,
                clip_timestamps=flat_clips(clips),
                **_decode_options(options, language),
            )
        segments: list[dict[str, Any]] = result["segments"]
        if options.word_timestamps:
            tokenizer = get_tokenizer(
                model.is_multilingual,
                num_languages=model.num_languages,
                language=language,
                task=options.task,
            )
            _add_word_timings(model, tokenizer, mel, segments, frames, content_frames, report)
        return build_transcript(
            segments,
            language=language,
            language_probability=probability,
            duration=n_samples / SAMPLE_RATE,
            options=options,
        )


@contextmanager
def _encoder_attends_with_sdpa(model: Whisper) -> Iterator[None]:
    """While open, the encoder uses scaled-dot-product attention even where whisper turns it off.

    ``whisper.timing.find_alignment`` turns it off for its whole forward pass,
    to read the decoder's cross-attention weights. The encoder's own weights
    are not read, and written out they take 8 x 1500 x 1500 floats a layer
    (72 MB, and as much again for their softmax). With it on, the word times
    of 2 minutes of the bench episode came out the same, and the pass's peak
    memory was about 70 MB lower.
    """
    from whisper.model import MultiHeadAttention

    encoder = model.encoder
    original = encoder.forward

    def forward(x: torch.Tensor) -> torch.Tensor:
        before = MultiHeadAttention.use_sdpa
        MultiHeadAttention.use_sdpa = True
        try:
            out: torch.Tensor = original(x)
            return out
        finally:
            MultiHeadAttention.use_sdpa = before

    encoder.forward = forward
    try:
        yield
    finally:
        del encoder.forward


def _add_word_timings(
    model: Whisper,
    tokenizer: Any,
    mel: torch.Tensor,
    segments: list[dict[str, Any]],
    clips: Sequence[tuple[int, int]],
    content_frames: int,
    report: Progress,
) -> None:
    """Give ``segments`` their words, window by window, as ``whisper.transcribe`` would."""
    from whisper.audio import N_FRAMES, pad_or_trim
    from whisper.timing import add_word_timestamps

    total = content_frames / FRAMES_PER_SECOND
    last_speech = 0.0
    with _encoder_attends_with_sdpa(model):
        for window in by_window(segments):
            seek = window[0]["seek"]
            size = window_size(seek, clips, content_frames)
            add_word_timestamps(
                segments=window,
                model=model,
                tokenizer=tokenizer,
                mel=pad_or_trim(mel[:, seek : seek + size], N_FRAMES),
                num_frames=size,
                last_speech_timestamp=last_speech,
            )
            last_speech = last_word_end(window, last_speech)
            report("word timings", (seek + size) / FRAMES_PER_SECOND, total)


ENGINE = OpenAIEngine()
