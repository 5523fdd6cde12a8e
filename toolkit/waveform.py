"""The waveform of an episode, for the page's player: peaks computed at build time.

The audio is streamed at a low rate (only the envelope matters) and cut into
:data:`BINS` equal stretches; each one's peak is the 99th percentile of its
absolute samples (a click does not make a bar), scaled so the loudest bar is
1. Saved as ``waveform.json`` (versioned JSON): about 3 kB whatever the
episode's length.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from toolkit import datafile
from toolkit.audio import stream
from toolkit.errors import AudioError

__all__ = ["BINS", "SCHEMA_VERSION", "Waveform", "waveform"]

#: 1: duration and peaks.
SCHEMA_VERSION = 1
#: Bars across the whole episode.
BINS = 480
#: Samples per second decoded: enough for the envelope of speech.
RATE = 2000


@dataclass
class Waveform:
    """``peaks``: :data:`BINS` numbers in [0, 1], each the loudness of one stretch."""

    duration: float
    peaks: list[float] = field(default_factory=list)

    def save(self, path: Path) -> None:
        """Write ``waveform.json`` atomically."""
        datafile.write(path, SCHEMA_VERSION, asdict(self), indent=None)

    @classmethod
    def load(cls, path: Path) -> Waveform:
        data = datafile.read(path, "waveform", SCHEMA_VERSION, AudioError)
        try:
            return cls(float(data["duration"]), [float(p) for p in data["peaks"]])
        except (KeyError, TypeError, ValueError) as e:
            raise AudioError(f"malformed waveform: {e}", path) from e


def waveform(path: Path, bins: int = BINS) -> Waveform:
    """The peaks of the audio in ``path``, streamed (bounded memory for any length)."""
    import numpy as np

    samples = np.concatenate([np.abs(c) for c in stream(path, RATE, chunk_seconds=600.0)])
    duration = len(samples) / RATE
    if len(samples) < bins:
        samples = np.pad(samples, (0, bins - len(samples)))
    edges = np.linspace(0, len(samples), bins + 1).astype(np.int64)
    stretches = zip(edges[:-1], edges[1:], strict=True)
    peaks = np.array([np.percentile(samples[a:b], 99) for a, b in stretches])
    top = float(peaks.max())
    scaled = peaks / top if top > 0 else peaks
    return Waveform(round(duration, 3), [round(float(p), 3) for p in scaled])
