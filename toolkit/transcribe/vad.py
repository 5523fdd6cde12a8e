"""Find the stretches of audio that hold speech, so Whisper skips the rest.

Voice activity detection uses the Silero VAD model that the ``silero-vad``
PyPI package ships inside itself, so nothing is downloaded at run time: its
batched ONNX build run by onnxruntime (``silero-vad[onnx-cpu]``), or, without
onnxruntime, its TorchScript build run by torch. Both give the same spans.

With ``TranscribeOptions.vad`` the engines decode only the clips
:func:`decoding_clips` makes of the spans, so music beds and silences cost
nothing and cannot turn into invented text; the timestamps stay relative to
the whole file. The same spans let :func:`toolkit.transcribe.guards.clean`
drop any word placed outside speech, and show where a pass skipped speech
(:mod:`toolkit.transcribe.gaps`, which runs this once per audio file).

torch and silero_vad are imported inside the functions that need them, so
that importing this module stays cheap.
"""

from __future__ import annotations

import functools
import importlib.resources
import importlib.util
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.errors import AudioError, ModelError
from toolkit.transcribe.options import Span

if TYPE_CHECKING:
    import numpy as np

__all__ = ["decoding_clips", "merge_spans", "speech_spans"]

MODEL_RATE = 16000  # the rate the VAD runs at; 8000 works too, others are resampled

MIN_SILENCE = 1.0  # shorter gaps between padded spans are joined
PAD = 0.5  # context kept each side of speech, so the first and last words are not clipped
# decoding_clips joins spans closer than this: every clip starts a new 30 s
# decoding window, so splitting at each pause would decode more windows than
# the whole file has (see bench/vad_speed.py).
JOIN = 5.0
THRESHOLD = 0.5  # Silero's own default speech probability
MIN_SPEECH = 0.25  # shorter blips (clicks, breaths) are not speech


@functools.cache
def _model() -> Any:
    """The Silero VAD TorchScript model, loaded once per process."""
    import torch

    threads = torch.get_num_threads()
    try:
        import silero_vad  # noqa: F401  (checks it is installed)
    except ImportError as e:
        raise ModelError(
            "voice activity detection needs the silero-vad package; run: pip install silero-vad"
        ) from e
    finally:
        # silero_vad sets torch to one thread when imported; Whisper needs them all back.
        torch.set_num_threads(threads)
    path = importlib.resources.files("silero_vad.data") / "silero_vad.jit"
    try:
        with importlib.resources.as_file(path) as file, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.load, torch >= 2.9
            jit: Any = torch.jit  # torch.jit.load has no type hints
            model = jit.load(str(file), map_location="cpu")
    except (OSError, RuntimeError, ValueError) as e:
        raise ModelError(f"cannot load the Silero VAD model: {e}", path=str(path)) from e
    return model.eval()


def _to_model_rate(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """Mono float32 audio at a rate Silero accepts (8 or 16 kHz), resampling if needed."""
    import numpy as np

    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim != 1:
        raise AudioError(f"voice activity detection needs mono audio, got shape {audio.shape}")
    if sample_rate <= 0:
        raise AudioError(f"bad sample rate {sample_rate}")
    if sample_rate in (8000, MODEL_RATE):
        audio = np.ascontiguousarray(audio)
        return (audio if audio.flags.writeable else audio.copy()), sample_rate
    # Linear interpolation is crude but plenty for deciding speech or not.
    n_out = round(len(audio) * MODEL_RATE / sample_rate)
    times = np.arange(n_out, dtype=np.float64) * (sample_rate / MODEL_RATE)
    resampled = np.interp(times, np.arange(len(audio)), audio).astype(np.float32)
    return resampled, MODEL_RATE


@functools.cache
def _sequence_model() -> Any | None:
    """Silero's batched ("sequence") ONNX model, loaded once; None without onnxruntime.

    Bit-exact with the streaming model, but it runs blocks of 512 frames per
    onnxruntime call instead of one 32 ms frame per Python call: about 7x
    faster (0.3 s instead of 2.2 s for the 195 s sample episode).
    """
    if importlib.util.find_spec("onnxruntime") is None:
        return None
    import torch

    threads = torch.get_num_threads()
    try:
        from silero_vad import load_silero_vad

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # its importlib.resources.path
            return load_silero_vad(sequence=True)
    except (ImportError, OSError, RuntimeError, ValueError) as e:
        raise ModelError(f"cannot load the Silero VAD sequence model: {e}") from e
    finally:
        torch.set_num_threads(threads)  # importing silero_vad sets torch to one thread


def _raw_spans(audio: np.ndarray, rate: int, threshold: float, min_speech: float) -> list[Span]:
    """Silero's speech stretches in seconds, split at every pause over 0.1 s, unpadded.

    By the batched ONNX model at 16 kHz when onnxruntime is installed (it is
    with ``silero-vad[onnx-cpu]``, a dependency), else by the TorchScript model.
    """
    kwargs = {
        "threshold": threshold,
        "sampling_rate": rate,
        "min_speech_duration_ms": round(min_speech * 1000),
        "min_silence_duration_ms": 100,
        "speech_pad_ms": 0,
    }
    sequence = _sequence_model() if rate == MODEL_RATE else None
    if sequence is not None:
        from silero_vad import get_speech_timestamps_sequence

        found = get_speech_timestamps_sequence(audio, sequence, **kwargs)
        return [(s["start"] / rate, s["end"] / rate) for s in found]
    import torch
    from silero_vad import get_speech_timestamps

    model = _model()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a 2 MB model on 32 ms chunks: more threads only add overhead
    try:
        found = get_speech_timestamps(torch.from_numpy(audio), model, **kwargs)
    finally:
        torch.set_num_threads(threads)
    return [(s["start"] / rate, s["end"] / rate) for s in found]


def merge_spans(
    spans: Iterable[Span], *, min_silence: float, pad: float, duration: float | None = None
) -> list[Span]:
    """Pad each span by ``pad`` seconds, then join spans less than ``min_silence`` apart.

    The result is sorted, never overlaps, and stays within ``[0, duration]``.
    """
    merged: list[list[float]] = []
    for start, end in sorted(spans):
        start = max(0.0, start - pad)
        end = end + pad if duration is None else min(duration, end + pad)
        if end <= start:
            continue
        if merged and start - merged[-1][1] < min_silence:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(round(s, 3), round(e, 3)) for s, e in merged]


def speech_spans(
    samples: np.ndarray,
    sample_rate: int = 16000,
    *,
    min_silence: float = MIN_SILENCE,
    pad: float = PAD,
    threshold: float = THRESHOLD,
    min_speech: float = MIN_SPEECH,
) -> list[Span]:
    """The ``(start, end)`` seconds of speech in mono ``samples``; ``[]`` when there is none.

    Each stretch of speech is widened by ``pad`` seconds each side (within
    the audio), then stretches less than ``min_silence`` seconds apart are
    joined: with the defaults, pauses under 2 s stay inside a span.
    ``threshold`` is Silero's speech probability and ``min_speech`` the
    shortest stretch that counts. Pass the result to :func:`decoding_clips`
    for the engines and to :func:`toolkit.transcribe.guards.clean` afterwards.

    Raises :class:`ModelError` when silero-vad is not installed and
    :class:`AudioError` for audio that is not mono.
    """
    audio, rate = _to_model_rate(samples, sample_rate)
    if len(audio) == 0:
        return []
    raw = _raw_spans(audio, rate, threshold, min_speech)
    return merge_spans(raw, min_silence=min_silence, pad=pad, duration=len(audio) / rate)


def decoding_clips(spans: Sequence[Span], *, join: float = JOIN) -> list[Span]:
    """The stretches for Whisper to decode: ``spans`` sorted, those under ``join`` s apart joined.

    Each clip starts a decoding window of its own, so decoding every span
    apart would run more windows than the whole file has. An empty list means
    there is nothing to transcribe.
    """
    return merge_spans(spans, min_silence=join, pad=0.0)
