"""Voice prints: resemblyzer's GE2E embeddings of windows of raw 16 kHz audio.

The encoder's weights ship inside the resemblyzer wheel, so nothing is
downloaded. Windows are embedded from the raw samples (each window's volume
normalised, then resemblyzer's mel spectrogram), never through its
``preprocess_wav``: that one cuts silences out and so shifts every time.

:func:`embed_windows` works through the windows a batch at a time, so memory
stays bounded for an episode of any length. :func:`voice_print` is the voice
print of a person's short voice sample file.

torch and resemblyzer are imported inside the functions that need them, so
that importing this module stays cheap.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import AudioError, ModelError, SpeakerError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "HOP",
    "MIN_SAMPLE_SPEECH",
    "MODEL",
    "RATE",
    "WINDOW",
    "embed_windows",
    "encoder",
    "window_features",
    "voice_print",
    "window_starts",
]

MODEL = "resemblyzer-ge2e"
RATE = 16000  # the rate the encoder's mel spectrogram expects
TARGET_DBFS = -30.0  # resemblyzer's own loudness target
BATCH = 128  # windows per forward pass: about 1 MB of spectrogram
BED_PERCENTILE = 20  # the share of each window's frames under its steady floor
MIN_SAMPLE_SPEECH = 3.0  # seconds of speech a voice sample must hold
WINDOW = 1.5  # seconds of audio per embedding
HOP = 0.75  # seconds between window starts


@functools.cache
def encoder() -> Any:
    """resemblyzer's ``VoiceEncoder`` on the CPU, loaded once per process.

    torch's thread count is left as it was (Whisper needs all of them).
    """
    import torch

    threads = torch.get_num_threads()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its scipy.ndimage.morphology import
            from resemblyzer import VoiceEncoder

            model = VoiceEncoder(device="cpu", verbose=False)
    except ImportError as e:
        raise ModelError(
            "speaker diarization needs resemblyzer; run: pip install --no-deps resemblyzer"
        ) from e
    except (OSError, RuntimeError, ValueError) as e:
        raise ModelError(f"cannot load the resemblyzer voice encoder: {e}") from e
    finally:
        torch.set_num_threads(threads)
    return model.eval()


def _mels(windows: np.ndarray) -> np.ndarray:
    """resemblyzer's mel spectrograms of equal-length windows: (n, frames, 40) float32.

    Each window is brought to resemblyzer's loudness (as its
    ``normalize_volume`` does, both up and down), so a voice's print does not
    depend on how loud it was recorded.
    """
    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from resemblyzer import normalize_volume, wav_to_mel_spectrogram

    level = np.empty_like(windows)
    for i, w in enumerate(windows):
        if not np.any(w):
            w = w + np.float32(1e-6)  # digital silence: no loudness to normalise
        level[i] = normalize_volume(w, TARGET_DBFS)
    # librosa takes the whole batch at once (about 20x faster than one call a
    # window); resemblyzer's transpose then puts the batch axis last.
    mels: np.ndarray = wav_to_mel_spectrogram(level)
    return np.ascontiguousarray(mels.transpose(2, 0, 1), dtype=np.float32)


def _without_bed(mels: np.ndarray) -> np.ndarray:
    """Mel spectrograms with each band's steady floor taken out: a music bed under a voice.

    Per window and band, the :data:`BED_PERCENTILE` th percentile of its
    frames is what never stops sounding (held chords, hum); speech alone
    falls near silence there between its sounds, so it loses little. Without
    this, a voice over a bed 10 dB under it embeds as a voice of its own
    (the sample with a bed under 40 s of it found three speakers). What is
    left is kept at least at 5 % of the band's power, so no band goes to 0.
    """
    import numpy as np

    floor = np.percentile(mels, BED_PERCENTILE, axis=1, keepdims=True)
    kept: np.ndarray = np.maximum(mels - floor, np.float32(0.05) * mels).astype(np.float32)
    return kept


def window_starts(
    spans: Sequence[tuple[float, float]], length: float = WINDOW, hop: float = HOP
) -> list[float]:
    """Where the windows of ``length`` seconds start, ``hop`` apart, inside each span.

    Each span's windows run from its start; a last one ends at its end so
    that none of it is left out. A span shorter than a window gets one
    window centred on it (with the silence around it).
    """
    starts: list[float] = []
    for s, e in spans:
        if e - s <= length:
            starts.append(round(max(0.0, (s + e - length) / 2), 3))
            continue
        n = int((e - s - length) // hop) + 1
        starts += [round(s + k * hop, 3) for k in range(n)]
        if e - (starts[-1] + length) > 0.05:
            starts.append(round(e - length, 3))
    return starts


def embed_windows(
    samples: np.ndarray, starts: Sequence[float], length: float, *, offset: float = 0.0
) -> np.ndarray:
    """The unit-length embeddings (n, 256) of the windows of ``samples`` (16 kHz mono:
    float32 in [-1, 1], or 16-bit integers as :func:`toolkit.audio.decode_pcm` gives them).

    Window ``i`` runs ``length`` seconds from ``starts[i]`` (seconds in the
    file; ``offset`` is the file time of ``samples[0]``). A window that runs
    off either end is padded with silence.
    """
    return window_features(samples, starts, length, offset=offset)[0]


def window_features(
    samples: np.ndarray, starts: Sequence[float], length: float, *, offset: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """The embeddings (n, 256) of :func:`embed_windows` and each window's spectral stability (n,).

    Both come from the same mel spectrogram; the stability
    (:func:`toolkit.speakers.music.stability`) tells music from voices.
    """
    import numpy as np
    import torch

    from toolkit.speakers.music import stability

    size = round(length * RATE)
    model = encoder()
    result = np.zeros((len(starts), 256), dtype=np.float32)
    steady = np.zeros(len(starts), dtype=np.float64)
    for b in range(0, len(starts), BATCH):
        batch = np.zeros((len(starts[b : b + BATCH]), size), dtype=np.float32)
        for i, start in enumerate(starts[b : b + BATCH]):
            a = round((start - offset) * RATE)
            lo, hi = max(0, a), min(len(samples), a + size)
            if hi > lo:
                batch[i, lo - a : hi - a] = samples[lo:hi]
        if samples.dtype == np.int16:  # held 16-bit samples: scaled as toolkit.audio.to_float
            batch *= np.float32(1 / 32768)
        spectra = _mels(batch)
        steady[b : b + len(batch)] = stability(spectra)
        mels = torch.from_numpy(_without_bed(spectra))
        threads = torch.get_num_threads()
        # One thread: the same numbers whatever the machine's thread count, and
        # on a shared CPU several threads on small matrices only fight (a batch
        # took 5-10 s on two busy threads, 0.5 s on one).
        torch.set_num_threads(1)
        try:
            with torch.no_grad():
                result[b : b + len(batch)] = model(mels).numpy()
        finally:
            torch.set_num_threads(threads)
    return result, steady


def voice_print(path: Path, field: str) -> list[float]:
    """The voice print (unit length, 256 numbers) of a person's short voice sample.

    ``path``: any audio ffmpeg reads; ``field``: where the producer named it
    (``hosts[0].voice``), for the error. The sample's speech (found by the
    same voice activity detection as the transcription's) is cut into the
    windows :func:`toolkit.speakers.diarize.diarize` uses, and their mean
    embedding is the print, so it compares with a diarized voice's.
    Raises :class:`SpeakerError` naming the file and the field when the file
    is missing, cannot be decoded or holds under :data:`MIN_SAMPLE_SPEECH`
    seconds of speech.
    """
    import numpy as np

    from toolkit.audio import decode
    from toolkit.transcribe.vad import speech_spans

    path = Path(path)
    if not path.is_file():
        raise SpeakerError("voice sample not found", path, field)
    try:
        samples = decode(path, RATE)
    except AudioError as e:
        raise SpeakerError(f"cannot read the voice sample: {e.message}", path, field) from e
    spans = speech_spans(samples, RATE, min_silence=0.3, pad=0.1)
    found = sum(e - s for s, e in spans)
    if found < MIN_SAMPLE_SPEECH:
        raise SpeakerError(
            f"the voice sample holds {found:.1f} s of speech; at least "
            f"{MIN_SAMPLE_SPEECH:g} s are needed",
            path,
            field,
        )
    embeds = embed_windows(samples, window_starts(spans), WINDOW)
    mean = embeds.mean(axis=0)
    mean /= np.linalg.norm(mean)
    return [round(float(x), 5) for x in mean]
