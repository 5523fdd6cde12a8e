"""How long and how much memory does diarizing a 1-hour episode take?

The episode is ``bench/segment_health.py``'s 62-minute one (espeak-ng
discussions with real recordings between, built once into the toolkit's
cache folder). ``toolkit.speakers.diarize.diarize`` runs on it in a fresh
process, so its peak RSS is its own (the child's ``ru_maxrss``); its wall
time is from the call to the return, models loaded inside.

The figure is a ratio to the transcription of the same audio in the same
run (``toolkit.transcribe.transcribe`` with ``base``, the build's options,
an empty cache so Whisper really runs, in its own process). Whisper on a
whole hour takes long on a shared machine, so by default only the first
``--transcribe-minutes`` (10) are transcribed and the time is scaled to the
whole episode; the output says so. ``--transcribe-minutes 0`` transcribes
all of it.

Targets (issue 11): at most 60 s and 1 GB for one hour.

    .venv/bin/python bench/diarize_speed.py [--transcribe-minutes 10] [--minutes 60]
        [--audio FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS_PER_HOUR = 60.0
TARGET_RSS_GB = 1.0


def _child_diarize(audio: Path) -> dict[str, Any]:
    from toolkit.speakers.diarize import diarize

    start = time.perf_counter()
    d = diarize(audio)
    wall = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "wall_s": round(wall, 2),
        "peak_rss_gb": round(rss_kb / 1024**2, 3),
        "speakers_found": d.options.get("speakers_found"),
        "music_voices": sum(1 for v in d.voices if v.music),
        "turns": len(d.turns),
        "duration_s": d.duration,
    }


def _child_transcribe(audio: Path) -> dict[str, Any]:
    from bench.segment_health import build_options
    from toolkit.transcribe import TranscriptCache, transcribe

    options, settings = build_options("base", "openai")
    with tempfile.TemporaryDirectory() as cache_dir:
        start = time.perf_counter()
        result = transcribe(
            audio,
            options,
            cache=TranscriptCache(Path(cache_dir)),
            progress=False,
            threads=settings.threads,
        )
        wall = time.perf_counter() - start
    assert not result.cached
    return {"wall_s": round(wall, 2), "segments": len(result.transcript.segments)}


def _in_child(job: str, audio: Path) -> dict[str, Any]:
    """Run ``job`` on ``audio`` in a fresh Python process; its JSON result."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", job, "--audio", str(audio)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{job} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _head(audio: Path, minutes: float, dest: Path) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(audio), "-t", f"{minutes * 60:g}",
         "-ac", "1", "-ar", "16000", str(dest)],
        check=True,
    )  # fmt: skip
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audio", type=Path, help="the episode (default: the 62-minute one)")
    parser.add_argument("--minutes", type=float, default=60, help="the built episode's length")
    parser.add_argument("--transcribe-minutes", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["diarize", "transcribe"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        job = _child_diarize if args.child == "diarize" else _child_transcribe
        print(json.dumps(job(args.audio)))
        return

    from bench.segment_health import long_episode
    from toolkit.audio import probe

    audio = args.audio or long_episode(args.minutes)
    duration = probe(audio).duration
    dia = _in_child("diarize", audio)
    with tempfile.TemporaryDirectory() as tmp:
        part = args.transcribe_minutes
        if part and part * 60 < duration:
            head = _head(audio, part, Path(tmp) / "head.wav")
            tr = _in_child("transcribe", head)
            scale = duration / (part * 60)
            note = f"first {part:g} min transcribed, time scaled x{scale:.2f} to the whole"
        else:
            tr, scale, note = _in_child("transcribe", audio), 1.0, "whole episode transcribed"
    transcribe_s = tr["wall_s"] * scale
    per_hour = dia["wall_s"] * 3600 / duration
    report = {
        "audio": str(audio),
        "duration_min": round(duration / 60, 1),
        "diarize": dia,
        "diarize_s_per_hour": round(per_hour, 1),
        "transcribe_s": round(transcribe_s, 1),
        "transcribe_note": note,
        "ratio_to_transcription": round(dia["wall_s"] / transcribe_s, 3),
        "targets_met": per_hour <= TARGET_SECONDS_PER_HOUR and dia["peak_rss_gb"] <= TARGET_RSS_GB,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"episode            {audio} ({report['duration_min']} min)")
    print(f"diarize            {dia['wall_s']:.1f} s ({per_hour:.1f} s per hour, target <= 60)")
    print(f"peak RSS           {dia['peak_rss_gb']:.2f} GB (target <= 1)")
    print(f"found              {dia['speakers_found']} speakers, {dia['music_voices']} music, "
          f"{dia['turns']} turns")  # fmt: skip
    print(f"transcribe (base)  {transcribe_s:.1f} s ({note})")
    print(f"ratio              diarize = {report['ratio_to_transcription']:.3f} x transcription")
    print(f"targets            {'met' if report['targets_met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
