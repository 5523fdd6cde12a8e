"""Loudness mastering: ffmpeg's loudnorm in two passes, streaming file to file.

Apple recommends -16 LUFS integrated (±1) with the true peak at or below
-1 dBTP. :func:`master` does what ffmpeg's documentation describes:

1. a measuring pass: ``loudnorm=I=..:TP=..:LRA=..:print_format=json`` on the
   source, decoded to nothing (``-f null``); its JSON gives the integrated
   loudness, true peak, loudness range and threshold;
2. the normalising pass with those measurements (``measured_I`` ...,
   ``linear=true``): one gain for the whole file when that reaches the target
   without passing the true-peak ceiling (loudnorm's "linear" type), else
   loudnorm's own dynamic normalisation with its true-peak limiter
   ("dynamic"). The result is encoded in the published format.
3. The mastered file is measured again (the same measuring pass), so the
   loudness reported "after" is the file's, encoding included.

An encoder's output peaks a little above its input's, so the ceiling given
to loudnorm is :data:`HEADROOM` below the setting. Measured with ffmpeg 5.1
on speech normalised to -1.5 dBTP: MP3 -1.9, AAC -1.4, Opus -1.3 and Vorbis
(q 5) -0.9 dBTP (ebur128's true peak); FLAC keeps loudnorm's own peak.

ffmpeg reads and writes the files itself; no audio passes through Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.audio import FFMPEG, AudioInfo, run_ffmpeg
from toolkit.errors import AudioError

__all__ = [
    "HEADROOM",
    "Loudness",
    "MasterResult",
    "MasterSettings",
    "encoder_args",
    "master",
    "measure",
]

#: dB kept between the true-peak ceiling and loudnorm's, by output format.
HEADROOM = {"mp3": 0.5, "m4a": 0.5, "m4b": 0.5, "opus": 0.5, "ogg": 1.0, "flac": 0.1}
#: loudnorm's loudness range target; the measured range when larger (up to 50 LU),
#: so that a wide-ranging episode is still normalised linearly.
LRA = 11.0


@dataclass(frozen=True)
class MasterSettings:
    """``[master]`` in show.toml, as :func:`master` takes it."""

    target_lufs: float = -16.0
    true_peak: float = -1.0
    channels: int | None = None
    bitrate: str | None = None


@dataclass(frozen=True)
class Loudness:
    """What loudnorm's measuring pass says of a file."""

    integrated: float  # LUFS
    true_peak: float  # dBTP
    lra: float  # LU
    threshold: float  # LUFS
    offset: float = 0.0  # loudnorm's target offset, for its second pass

    def summary(self) -> str:
        return f"{self.integrated:.1f} LUFS, {self.true_peak:.1f} dBTP"


@dataclass(frozen=True)
class MasterResult:
    before: Loudness
    after: Loudness
    #: loudnorm's choice: "linear" (one gain) or "dynamic".
    normalization: str

    def summary(self) -> str:
        return f"{self.before.summary()} -> {self.after.summary()}, {self.normalization}"


def _stats(stderr: str, path: Path) -> dict[str, Any]:
    """The JSON block loudnorm prints last on stderr."""
    found = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if not found:
        raise AudioError("ffmpeg's loudnorm printed no measurements", path)
    stats: dict[str, Any] = json.loads(found[-1])
    return stats


def _loudness(stats: dict[str, Any], prefix: str, path: Path) -> Loudness:
    try:
        return Loudness(
            integrated=float(stats[f"{prefix}_i"]),
            true_peak=float(stats[f"{prefix}_tp"]),
            lra=float(stats[f"{prefix}_lra"]),
            threshold=float(stats[f"{prefix}_thresh"]),
            offset=float(stats.get("target_offset", 0.0)),
        )
    except (KeyError, ValueError) as e:
        # -inf: silence; loudnorm cannot normalise a file with no loudness.
        raise AudioError(f"the audio has no measurable loudness ({e})", path) from e


def _target(settings: MasterSettings, peak: float) -> str:
    return f"I={settings.target_lufs}:TP={peak}"


def measure(path: Path, settings: MasterSettings | None = None) -> Loudness:
    """loudnorm's measuring pass over ``path`` (its first audio stream)."""
    settings = settings or MasterSettings()
    path = Path(path)
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-i", f"file:{path}", "-map", "0:a:0",
        "-af", f"loudnorm={_target(settings, settings.true_peak)}:LRA={LRA}:print_format=json",
        "-f", "null", "-",
    ]  # fmt: skip
    loudness = _loudness(_stats(run_ffmpeg(cmd, path, "measure the loudness"), path), "input", path)
    if loudness.integrated == float("-inf") or loudness.integrated < -70:
        raise AudioError("the audio is silent: no loudness to normalise", path)
    return loudness


#: ext -> (encoder, default bit rate or None for lossless/quality-based, lossy).
_ENCODERS: dict[str, tuple[str, str | None, bool]] = {
    "mp3": ("libmp3lame", "128k", True),
    "m4a": ("aac", "128k", True),
    "m4b": ("aac", "128k", True),
    "opus": ("libopus", "96k", True),
    "ogg": ("libvorbis", None, True),  # -q:a 5 unless a bit rate is set
    "flac": ("flac", None, False),
}
_MUXERS = {"mp3": "mp3", "m4a": "ipod", "m4b": "ipod", "opus": "ogg", "ogg": "ogg", "flac": "flac"}


def encoder_args(ext: str, source: AudioInfo, settings: MasterSettings) -> list[str]:
    """ffmpeg's output options for a mastered ``.ext`` file."""
    if ext not in _ENCODERS:
        raise ValueError(f"no encoder for .{ext}")
    codec, default_rate, lossy = _ENCODERS[ext]
    rate = source.sample_rate or 44100
    if ext == "opus":
        rate = 48000  # the only rate Opus encodes at here that every source converts to
    elif ext == "mp3":
        rate = min(rate, 48000)
    channels = settings.channels or min(source.channels or 2, 2)
    args = ["-c:a", codec, "-ar", str(rate), "-ac", str(channels)]
    bitrate = settings.bitrate or default_rate
    if lossy and bitrate:
        args += ["-b:a", bitrate]
    elif ext == "ogg":
        args += ["-q:a", "5"]
    if ext == "flac":
        args += ["-sample_fmt", "s16"]
    return [*args, "-f", _MUXERS[ext]]


def master(
    source: AudioInfo, dest: Path, ext: str, settings: MasterSettings | None = None
) -> MasterResult:
    """Master ``source`` into ``dest`` (a ``.ext`` file) at the target loudness.

    The source is only read; ``dest`` is overwritten, and removed when ffmpeg
    fails. Tags, pictures and chapters are left out (the tag stage writes its
    own). Raises :class:`AudioError` naming the source.
    """
    settings = settings or MasterSettings()
    src, dest = source.path, Path(dest)
    out_args = encoder_args(ext, source, settings)
    peak = round(settings.true_peak - HEADROOM[ext], 2)
    ceiling = MasterSettings(settings.target_lufs, peak, settings.channels, settings.bitrate)
    before = measure(src, ceiling)
    lra = min(max(LRA, before.lra), 50.0)
    measured = (
        f"measured_I={before.integrated}:measured_TP={before.true_peak}"
        f":measured_LRA={before.lra}:measured_thresh={before.threshold}"
        f":offset={before.offset}"
    )
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-y", "-i", f"file:{src}",
        "-map", "0:a:0", "-map_metadata", "-1", "-map_chapters", "-1",
        "-af", f"loudnorm={_target(ceiling, peak)}:LRA={lra}:{measured}"
               ":linear=true:print_format=json",
        *out_args, f"file:{dest}",
    ]  # fmt: skip
    try:
        stats = _stats(run_ffmpeg(cmd, src, "master the audio"), src)
    except AudioError:
        dest.unlink(missing_ok=True)
        raise
    after = measure(dest, settings)
    return MasterResult(before, after, str(stats.get("normalization_type", "unknown")))
