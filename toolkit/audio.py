"""Probe, hash and decode episode audio with pydub and ffmpeg."""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AudioError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16000  # what Whisper expects

# Container formats we publish as they are, and the MIME type the feed gives them.
MIME_TYPES = {
    "mp3": "audio/mpeg",
    "mp4": "audio/x-m4a",
    "m4a": "audio/x-m4a",
}


@dataclass
class AudioInfo:
    path: Path
    format: str  # ffprobe's format name, e.g. "mp3", "wav", "flac"
    codec: str
    duration: float  # seconds
    size: int  # bytes
    sample_rate: int
    channels: int
    bit_rate: int | None
    sha256: str


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _ffprobe(path: Path) -> dict:
    from pydub.utils import get_prober_name

    cmd = [
        get_prober_name(),
        "-v", "error",
        "-print_format", "json",
        "-show_format", "-show_streams",
        str(path),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        raise AudioError("ffprobe is not installed (install ffmpeg)", path) from e
    if proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "unknown"
        raise AudioError(f"not a readable audio file ({reason})", path)
    return json.loads(proc.stdout)


def probe(path: Path) -> AudioInfo:
    """Describe an audio file; raise :class:`AudioError` if it holds no audio."""
    path = Path(path)
    if not path.is_file():
        raise AudioError("audio file not found", path)
    data = _ffprobe(path)
    streams = [s for s in data.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise AudioError("the file holds no audio stream", path)
    stream, fmt = streams[0], data.get("format", {})
    try:
        duration = float(stream.get("duration") or fmt["duration"])
    except (KeyError, ValueError) as e:
        raise AudioError("cannot tell the audio's duration", path) from e
    if duration <= 0:
        raise AudioError("the audio is empty", path)
    bit_rate = fmt.get("bit_rate")
    return AudioInfo(
        path=path,
        format=fmt.get("format_name", "").split(",")[0],
        codec=stream.get("codec_name", ""),
        duration=duration,
        size=path.stat().st_size,
        sample_rate=int(stream.get("sample_rate", 0)),
        channels=int(stream.get("channels", 0)),
        bit_rate=int(bit_rate) if bit_rate else None,
        sha256=file_sha256(path),
    )


def decode(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode to mono float32 samples in [-1, 1] at ``sample_rate``, as Whisper wants.

    ffmpeg does the resampling exactly as the ``whisper`` CLI has it done, so both
    see the same samples and give the same text.
    """
    import numpy as np
    from pydub.utils import get_encoder_name

    cmd = [
        get_encoder_name(), "-nostdin", "-threads", "0", "-i", str(path),
        "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", str(sample_rate), "-",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise AudioError("ffmpeg is not installed", path) from e
    if proc.returncode != 0 or not proc.stdout:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise AudioError(f"ffmpeg could not decode the audio ({lines[-1] if lines else ''})", path)
    return np.frombuffer(proc.stdout, dtype=np.int16).astype(np.float32) / 32768.0


def mime_type(info: AudioInfo) -> str:
    """The enclosure MIME type of a published file."""
    return MIME_TYPES.get(info.format, "audio/mpeg")
