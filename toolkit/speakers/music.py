"""Tell music from voices: how steady a window's spectrum stays.

Speech changes its spectrum with every sound, several times a second;
music holds its notes and chords, so its spectrum 100 ms later is nearly the
same. :func:`stability` measures that on resemblyzer's mel spectrogram (the
one the embeddings are made from, so it costs no second spectrogram). It
does not depend on any voice or any tune: measured on this project's audio,
windows of speech (espeak-ng voices, real recordings) score 0.45-0.65, pure
music (synthetic chords and melodies, the real instrumental beds of
``tests/data/music``) 0.89-0.99, and speech over a music bed as loud as the
voice 0.70-0.77, which stays speech. A slow voice in a reverberant hall
holds its spectrum too (JFK's inaugural clip: 0.83), so stability alone is
not enough to call a stretch music.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["LAG", "MUSIC_STABILITY", "stability"]

LAG = 10  # mel frames (10 ms each) between the spectra compared: 100 ms
#: A cluster whose windows' median stability is above this may be music
#: (:func:`toolkit.speakers.diarize.cluster` also asks that Silero hears little speech).
MUSIC_STABILITY = 0.85
FLOOR = 1e-6  # power added before the log, so silence does not blow up


def stability(mels: np.ndarray) -> np.ndarray:
    """Per window (n, frames, bands power mel), the median cosine of its spectra 100 ms apart.

    Each frame's log spectrum is centred on its own mean (so loudness does not
    count, only shape), then compared with the frame :data:`LAG` frames on.
    Near 1 for held notes and chords, near 0.5 for speech.
    """
    import numpy as np

    logs = np.log(mels.astype(np.float64) + FLOOR)
    logs -= logs.mean(axis=2, keepdims=True)
    a, b = logs[:, :-LAG, :], logs[:, LAG:, :]
    norms = np.linalg.norm(a, axis=2) * np.linalg.norm(b, axis=2)
    cos = (a * b).sum(axis=2) / np.maximum(norms, 1e-12)
    result: np.ndarray = np.median(cos, axis=1)
    return result
