"""Whisper's log-Mel spectrogram, computed piece by piece from streamed audio.

Both Whisper libraries compute the spectrogram of a whole file at once, and
their short-time Fourier transform holds every frame's complex spectrum: about
2 GB (openai-whisper) or 3.5 GB (faster-whisper) for an hour of audio. Here the
audio arrives in chunks and each chunk's frames are turned into Mel bands
straight away, so what stays in memory is the spectrogram itself, 80 bands x
100 frames a second x 4 bytes: 115 MB an hour.

The result is bit for bit what openai-whisper computes, and faster-whisper's
to within 1e-6 (numpy's matrix product sums in an order that depends on the
matrix's size; both checked by ``tests/test_engines.py``): a frame depends only
on its own 400 samples, the file's edges are padded as the libraries pad them
(a reflection of the first 200 samples in front, zeros behind), and the one global step, clamping
everything to 8 below the loudest value, waits until the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from toolkit.errors import AudioError

N_FFT = 400  # samples per analysis frame (25 ms at 16 kHz)
HOP = 160  # samples between frames (10 ms)
_EDGE = N_FFT // 2  # how far a frame reaches either side of its centre

PowerMel = Callable[[np.ndarray], np.ndarray]
"""Maps a buffer of ``(n - 1) * HOP + N_FFT`` samples to its ``n`` frames of
log10 Mel power, shape ``(n_mels, n)``, float32, before the global clamp."""


def numpy_power_mel(filters: np.ndarray) -> PowerMel:
    """faster-whisper's computation: numpy's FFT with a Hann window, Mel ``filters``."""
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    filters = np.asarray(filters, dtype=np.float32)

    def power_mel(buffer: np.ndarray) -> np.ndarray:
        frames = np.lib.stride_tricks.sliding_window_view(buffer, N_FFT)[::HOP]
        spectrum = np.fft.rfft(frames * window, n=N_FFT, axis=-1).astype(np.complex64)
        power = np.abs(spectrum.T) ** 2
        mel: np.ndarray = np.log10(np.clip(filters @ power, a_min=1e-10, a_max=None))
        return mel

    return power_mel


def torch_power_mel(n_mels: int) -> PowerMel:
    """openai-whisper's computation: ``torch.stft`` and whisper's own Mel filters."""
    import torch
    from whisper.audio import mel_filters

    window = torch.hann_window(N_FFT)
    filters = mel_filters("cpu", n_mels)

    def power_mel(buffer: np.ndarray) -> np.ndarray:
        stft = torch.stft(
            torch.from_numpy(buffer), N_FFT, HOP, window=window, center=False, return_complex=True
        )
        power = stft.abs() ** 2
        mel: np.ndarray = (filters @ power).clamp(min=1e-10).log10().numpy()
        return mel

    return power_mel


_BATCH = 16  # frames per call come in multiples of this (see _Frames.feed)
_RESERVE = 1024  # frames held back for the last call (see _Frames.feed)


# Frames per page of the growing spectrogram: 22 minutes, 42 MB at 80 bands. Over
# glibc's largest mmap threshold (32 MB), so each page is mapped on its own and
# given back to the system as soon as it is freed.
_PAGE = 1 << 17


class _Frames:
    """Collects frames from a growing buffer of (edge-padded) samples.

    The frames go into pages of ``_PAGE`` frames, which are joined at the end
    and freed one by one as they are copied: the peak is one spectrogram and
    one page. (Small blocks, freed into the C heap, would stay resident and
    double it.)
    """

    def __init__(self, power_mel: PowerMel):
        self.power_mel = power_mel
        self.pages: list[np.ndarray] = []
        self.count = 0
        self.buffer = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray, last: int | None = None) -> None:
        """Append ``samples`` and turn complete frames into Mel bands.

        The library computes every frame in one call, and the matrix product
        that makes Mel bands works through the columns in groups, with other
        code paths for a small product and for the columns left over. To give
        the same last bit, frames are taken in multiples of ``_BATCH`` until the
        end, and the last ``_RESERVE`` are held back so that the final call,
        which takes ``last`` frames in all, is never a small one.
        """
        buffer = np.concatenate([self.buffer, samples]) if len(self.buffer) else samples
        ready = (len(buffer) - N_FFT) // HOP + 1 if len(buffer) >= N_FFT else 0
        if last is None:
            ready = max(0, ready - _RESERVE)
            ready -= ready % _BATCH
        else:
            ready = min(ready, last - self.count)
        if ready > 0:
            self._store(self.power_mel(np.ascontiguousarray(buffer[: (ready - 1) * HOP + N_FFT])))
            buffer = buffer[ready * HOP :]
        self.buffer = np.array(buffer, dtype=np.float32)  # a copy: drop the chunk behind it

    def _store(self, block: np.ndarray) -> None:
        done = 0
        while done < block.shape[1]:
            at = self.count % _PAGE
            if at == 0:
                self.pages.append(np.empty((block.shape[0], _PAGE), dtype=np.float32))
            n = min(_PAGE - at, block.shape[1] - done)
            self.pages[-1][:, at : at + n] = block[:, done : done + n]
            done += n
            self.count += n

    def assemble(self, n_frames: int) -> np.ndarray:
        """The first ``n_frames`` frames as one array, freeing each page once copied."""
        out = np.empty((self.pages[0].shape[0], n_frames), dtype=np.float32)
        self.pages.reverse()
        at = 0
        while self.pages:
            page = self.pages.pop()
            n = min(_PAGE, n_frames - at)
            out[:, at : at + n] = page[:, :n]
            at += n
            del page
        return out


def log_mel(
    chunks: Iterable[np.ndarray],
    power_mel: PowerMel,
    padding: int,
    on_chunk: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """The log-Mel spectrogram of streamed mono 16 kHz ``chunks``, and the sample count.

    ``padding`` zero samples are appended, as the library does (openai-whisper
    appends 30 s, faster-whisper one hop). The spectrogram has
    ``(samples + padding) // HOP`` frames, scaled like Whisper's: clamped to
    8 below its maximum, then ``(x + 4) / 4``. ``on_chunk`` is called with the
    samples read so far after each chunk. Raises :class:`AudioError` for
    empty audio.
    """
    frames = _Frames(power_mel)
    total = 0
    head: list[np.ndarray] = []  # the first samples, until the front edge can be mirrored
    mirrored = False
    for chunk in chunks:
        chunk = np.asarray(chunk, dtype=np.float32)
        total += len(chunk)
        if not mirrored:
            head.append(chunk)
            if total <= _EDGE:
                continue
            chunk = np.concatenate(head)
            chunk = np.concatenate([chunk[1 : _EDGE + 1][::-1], chunk])
            head, mirrored = [], True
        frames.feed(chunk)
        if on_chunk is not None:
            on_chunk(total)
    if total == 0:
        raise AudioError("the audio holds no samples")
    n_frames = (total + padding) // HOP
    # The back edge: the padding, then zeros for the mirror of the padding's last samples.
    tail = np.zeros(padding + _EDGE, dtype=np.float32)
    if not mirrored:  # audio shorter than the front edge: mirror it with its padding
        short = np.concatenate([*head, tail])
        tail = np.concatenate([short[1 : _EDGE + 1][::-1], short])
    # Like the libraries, compute one frame more than is kept (it would read
    # the back edge's mirror, which holds audio when the padding is short).
    frames.feed(tail, last=n_frames + 1)
    mel = frames.assemble(n_frames)
    np.maximum(mel, mel.max() - 8.0, out=mel)
    mel += 4.0
    mel /= 4.0
    return mel, total
