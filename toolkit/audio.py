"""Probe, decode and encode episode audio with ffmpeg.

Every job runs ffmpeg or ffprobe as a subprocess that reads the file itself,
so no function here holds more of the audio in memory than it returns.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from toolkit.errors import AudioError
from toolkit.hashing import file_sha256

if TYPE_CHECKING:
    import numpy as np

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
SAMPLE_RATE = 16000  # what Whisper expects
MP3_BITRATE = "128k"  # what a source that is not an MP3 is published at


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
    #: The duration the file's header gives, when it differs from the decoded
    #: ``duration`` by more than a frame or two (a truncated or damaged file); else None.
    header_duration: float | None = None


#: A header duration further than this (seconds) from the decoded one is reported.
HEADER_TOLERANCE = 0.5


def _ffprobe(path: Path) -> dict[str, Any]:
    cmd = [
        FFPROBE,
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
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def decoded_duration(path: Path) -> float:
    """How long the first audio stream of ``path`` lasts, in seconds, by decoding all of it.

    A header's duration is only an estimate (an MP3's is the bit rate times
    the file's size, or its Xing frame count), and a truncated file keeps the
    whole file's. ffmpeg decodes to nothing (``-f null``) and reports where
    the decoded audio ended. Raises :class:`AudioError` naming ``path`` when
    ffmpeg fails or decodes no audio.
    """
    path = Path(path)
    cmd = [
        FFMPEG, "-nostdin", "-v", "error", "-nostats",
        "-i", f"file:{path}", "-map", "0:a:0", "-f", "null", "-progress", "pipe:1", "-",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise AudioError("ffmpeg is not installed", path) from e
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        reason = lines[-1].removeprefix(f"file:{path}: ") if lines else "unknown"
        raise AudioError(f"ffmpeg could not decode the audio ({reason})", path)
    ends = [
        line.partition("=")[2]
        for line in proc.stdout.decode(errors="replace").splitlines()
        if line.startswith("out_time_us=")
    ]
    micro = [int(v) for v in ends if v.strip().lstrip("-").isdigit()]
    if not micro or micro[-1] <= 0:
        raise AudioError("no audio could be decoded from the file (it is empty or damaged)", path)
    return micro[-1] / 1e6


def probe(path: Path, *, sha256: str | None = None, decode: bool = True) -> AudioInfo:
    """Describe an audio file; raise :class:`AudioError` if it holds no audio.

    The duration comes from decoding the whole file (:func:`decoded_duration`),
    never from its header alone, which a truncated file keeps whole; where
    the two differ, ``header_duration`` holds the header's. ``decode=False``
    takes the header's, for a copy of a file whose duration is known.
    ``sha256``: the file's content hash when the caller has it already (the
    file is then not read again to hash it).
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError("audio file not found", path)
    data = _ffprobe(path)
    streams = [s for s in data.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise AudioError("the file holds no audio stream", path)
    stream, fmt = streams[0], data.get("format", {})
    try:
        header: float | None = float(stream.get("duration") or fmt["duration"])
    except (KeyError, ValueError, TypeError) as e:
        if not decode:
            raise AudioError("cannot tell the audio's duration", path) from e
        header = None
    duration = decoded_duration(path) if decode else float(header or 0)
    if header is not None and (not decode or abs(header - duration) <= HEADER_TOLERANCE):
        header = None
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
        sha256=sha256 or file_sha256(path),
        header_duration=header,
    )


def probe_chapters(path: Path) -> list[tuple[float, float, str]]:
    """The chapters ffprobe finds in ``path``, in its order: (start, end, title) in seconds.

    Any container ffmpeg reads: ID3 CHAP, MP4 (Nero ``chpl`` or the QuickTime
    chapter track), Vorbis ``CHAPTERnnn`` comments (FLAC, Ogg), Matroska.
    Raises :class:`AudioError` when ffprobe is missing or cannot read the file.
    """
    path = Path(path)
    cmd = [FFPROBE, "-v", "error", "-show_chapters", "-of", "json", f"file:{path}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        raise AudioError("ffprobe is not installed (install ffmpeg)", path) from e
    if proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "unknown"
        raise AudioError(f"ffprobe cannot read the chapters ({reason})", path)
    chapters = json.loads(proc.stdout).get("chapters", [])
    return [
        (float(c["start_time"]), float(c["end_time"]), c.get("tags", {}).get("title", ""))
        for c in chapters
    ]


def _ffmpeg_pcm(path: Path, sample_rate: int) -> list[str]:
    """The ffmpeg command that decodes ``path`` to mono s16le at ``sample_rate``.

    The same command as the ``whisper`` CLI runs, so both see the same samples.
    """
    return [
        FFMPEG, "-nostdin", "-threads", "0", "-i", str(path),
        "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", str(sample_rate), "-",
    ]  # fmt: skip


def to_float(pcm: np.ndarray) -> np.ndarray:
    """16-bit samples as float32 in [-1, 1], exactly as Whisper's ``load_audio`` scales them."""
    import numpy as np

    return pcm.astype(np.float32) / np.float32(32768.0)


def stream(
    path: Path, sample_rate: int = SAMPLE_RATE, chunk_seconds: float = 30.0
) -> Iterator[np.ndarray]:
    """Decode ``path`` piece by piece: mono float32 chunks in [-1, 1] at ``sample_rate``.

    Each chunk but the last holds ``chunk_seconds`` of audio. Only one chunk is
    in memory at a time, so an episode of any length streams in bounded memory.
    Raises :class:`AudioError` when ffmpeg is missing or cannot decode the file
    (after the chunks it did decode).
    """
    for pcm in stream_pcm(path, sample_rate, chunk_seconds):
        yield to_float(pcm)


def stream_pcm(
    path: Path, sample_rate: int = SAMPLE_RATE, chunk_seconds: float = 30.0
) -> Iterator[np.ndarray]:
    """:func:`stream`'s chunks as ffmpeg gives them: 16-bit signed samples, half the memory."""
    import numpy as np

    path = Path(path)
    chunk_bytes = 2 * max(1, round(chunk_seconds * sample_rate))
    try:
        proc = subprocess.Popen(
            _ffmpeg_pcm(path, sample_rate),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as e:
        raise AudioError("ffmpeg is not installed", path) from e
    stdout, stderr = cast(IO[bytes], proc.stdout), cast(IO[bytes], proc.stderr)
    # stderr is drained by a thread so that ffmpeg never blocks on a full pipe.
    errors: list[bytes] = []
    drain = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
    drain.start()
    got_any = False
    try:
        while True:
            data = stdout.read(chunk_bytes)
            if len(data) % 2:  # a sample split across reads
                data += stdout.read(1)
            if not data:
                break
            got_any = True
            yield np.frombuffer(data, dtype="<i2").astype(np.int16)
    finally:
        if proc.poll() is None:
            proc.kill()  # the caller stopped early, or was interrupted
        stdout.close()
        proc.wait()
        drain.join()
        stderr.close()
    if proc.returncode != 0 or not got_any:
        lines = b"".join(errors).decode(errors="replace").strip().splitlines()
        raise AudioError(f"ffmpeg could not decode the audio ({lines[-1] if lines else ''})", path)


def decode(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode to mono float32 samples in [-1, 1] at ``sample_rate``, as Whisper wants.

    ffmpeg does the resampling exactly as the ``whisper`` CLI has it done, so both
    see the same samples and give the same text. The whole file is held in
    memory (4 bytes a sample: 230 MB an hour); :func:`stream` holds one chunk.
    """
    return to_float(decode_pcm(path, sample_rate))


def decode_pcm(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """:func:`decode`'s samples as 16-bit integers (2 bytes a sample: 115 MB an hour).

    :func:`to_float` of the result, or of any slice of it, is :func:`decode`'s
    float samples exactly.
    """
    import numpy as np

    chunks = list(stream_pcm(path, sample_rate, chunk_seconds=60.0))
    if len(chunks) == 1:
        return chunks[0]
    # Copy chunk by chunk, freeing each: the OS commits the output's pages only
    # as they are written, so the peak stays near one copy of the audio.
    out = np.empty(sum(len(c) for c in chunks), dtype=np.int16)
    at = 0
    chunks.reverse()
    while chunks:
        chunk = chunks.pop()
        out[at : at + len(chunk)] = chunk
        at += len(chunk)
    return out


def encode_mp3(src: Path, dest: Path, bitrate: str = MP3_BITRATE) -> None:
    """Encode the first audio stream of ``src`` to a constant-bit-rate MP3 at ``dest``.

    ffmpeg streams file to file, so memory stays small for an episode of any
    length. The source's tags and pictures are left out (the caller writes its
    own) and ``dest`` is overwritten. Raises :class:`AudioError` naming ``src``
    when ffmpeg is missing or fails; ``dest`` is then removed.
    """
    src, dest = Path(src), Path(dest)
    cmd = [
        FFMPEG, "-nostdin", "-v", "error", "-y",
        "-i", f"file:{src}",  # "file:": a name with a colon or a leading "-" is a name
        "-map", "0:a:0", "-map_metadata", "-1",
        "-c:a", "libmp3lame", "-b:a", bitrate,
        "-f", "mp3", f"file:{dest}",
    ]  # fmt: skip
    try:
        run_ffmpeg(cmd, src, "encode the audio to MP3")
    except AudioError:
        dest.unlink(missing_ok=True)
        raise


def run_ffmpeg(cmd: list[str], path: Path, what: str) -> str:
    """Run the ffmpeg command ``cmd`` about the file ``path``; its standard error.

    Raises :class:`AudioError` naming ``path`` when ffmpeg is missing or fails:
    "ffmpeg could not <what> (<ffmpeg's last line>)".
    """
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise AudioError("ffmpeg is not installed", path) from e
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        lines = err.strip().splitlines()
        # ffmpeg's last line says what went wrong, after the name of the file
        # concerned; the error names the file already.
        reason = lines[-1].removeprefix(f"file:{path}: ") if lines else "unknown"
        raise AudioError(f"ffmpeg could not {what} ({reason})", path)
    return err
