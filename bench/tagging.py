"""Tagging an hour of audio without re-encoding, and mastering against plain ffmpeg.

Test files: the sample episode's speech (3 min) looped to ``--minutes`` (60)
by ffmpeg: an MP3 (the sample's own frames, ``-c copy``), an M4A (AAC 64k)
and a FLAC, made once into ``--cache`` (default: a folder under the system's
temporary folder) and reused.

1. **Tagging** (target: under 1 s each): :func:`toolkit.tag.publish_audio`
   on each file, as the build's tag stage runs it: a copy (MP3, FLAC) or a
   ``-c copy`` remux with chapters (M4A), the whole tag (cover, a 40-chapter
   list, a transcript of 50 000 characters), then the read-back check. The
   audio is never re-encoded: its packets' MD5 is compared with the source's.
2. **Mastering**: :func:`toolkit.master.master` on the first
   ``--master-minutes`` (10) of the MP3, against the plain two-pass loudnorm
   commands of ffmpeg's documentation on the same file in the same run
   (measure with ``print_format=json``, then normalise with the measurements
   and encode the same MP3). Ours measures the result once more (the
   "after" loudness), so expect a ratio near 1.5.

This machine is shared: compare the ratios, measured in the same run.

    .venv/bin/python bench/tagging.py [--minutes 60] [--master-minutes 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.audio import probe  # noqa: E402
from toolkit.master import master  # noqa: E402
from toolkit.tag import ChapterTag, EpisodeTags, publish_audio  # noqa: E402

SAMPLE = ROOT / "episodes" / "001-japan-security-council" / "audio.mp3"


def ffmpeg(*args: str) -> str:
    proc = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stderr


def make_files(cache: Path, minutes: int) -> dict[str, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    loops = math.ceil(minutes * 60 / probe(SAMPLE).duration) - 1  # at least ``minutes``
    made = {}
    for ext, codec in (("mp3", ["-c", "copy"]), ("m4a", ["-c:a", "aac", "-b:a", "64k"]),
                       ("flac", ["-c:a", "flac"])):  # fmt: skip
        dest = cache / f"long-{minutes}min.{ext}"
        if not dest.is_file():
            print(f"making {dest} ...", flush=True)
            tmp = dest.with_name(f".{dest.name}.tmp.{ext}")
            ffmpeg("-y", "-stream_loop", str(loops), "-i", str(SAMPLE), *codec, str(tmp))
            tmp.rename(dest)
        made[ext] = dest
    return made


def packets_md5(path: Path) -> str:
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy",
         "-f", "md5", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.strip()


def tags_for(duration: float) -> EpisodeTags:
    step = duration / 40
    return EpisodeTags(
        title="An hour of the sample, looped",
        show="UN Desk Conversations",
        artist="Maya Okafor, Daniel Reyes",
        date="2023-01-17",
        description="A long episode for the tagging benchmark. " * 10,
        duration=duration,
        number=1,
        season=1,
        url="https://example.org/001/",
        artwork=ROOT / "cover.jpg",
        chapters=[ChapterTag(i * step, f"Chapter {i + 1}") for i in range(40)],
        transcript=("Words of the transcript, line after line.\n" * 1200)[:50_000],
        feed_url="https://example.org/feed.xml",
        guid="bench-001",
        keywords=["bench"],
    )


def bench_tagging(files: dict[str, Path], work: Path, runs: int) -> None:
    print("\ntagging (publish_audio: copy or -c copy remux, tag, read back)")
    for ext, path in files.items():
        info = probe(path)
        tags = tags_for(info.duration)
        times = []
        for n in range(runs):
            dest = work / f"published-{n}.{ext}"
            start = time.perf_counter()
            fmt = publish_audio(info, dest, tags)
            times.append(time.perf_counter() - start)
        same = packets_md5(dest) == packets_md5(path)
        best, median = min(times), statistics.median(times)
        verdict = "ok" if median < 1.0 else "OVER the 1 s target"
        print(
            f"  {ext:4} {info.duration / 60:5.1f} min {path.stat().st_size / 1e6:6.1f} MB "
            f"({fmt.method:5}): median {median:.3f} s, best {best:.3f} s "
            f"[{verdict}]; packets unchanged: {same}"
        )
        for n in range(runs):
            (work / f"published-{n}.{ext}").unlink()


def plain_two_pass(src: Path, dest: Path) -> None:
    """ffmpeg's documented two-pass loudnorm, as a user would type it."""
    target = "I=-16:TP=-1.5:LRA=11"
    err = ffmpeg("-i", str(src), "-af", f"loudnorm={target}:print_format=json", "-f", "null", "-")
    m = json.loads(re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", err)[-1])
    measured = (
        f"measured_I={m['input_i']}:measured_TP={m['input_tp']}:measured_LRA={m['input_lra']}"
        f":measured_thresh={m['input_thresh']}:offset={m['target_offset']}:linear=true"
    )
    info = probe(src)
    ffmpeg("-y", "-i", str(src), "-af", f"loudnorm={target}:{measured}:print_format=json",
           "-c:a", "libmp3lame", "-b:a", "128k", "-ar", str(info.sample_rate),
           "-ac", str(info.channels), str(dest))  # fmt: skip


def bench_mastering(mp3: Path, work: Path, minutes: int, runs: int) -> None:
    clip = work / f"master-{minutes}min.mp3"
    ffmpeg("-y", "-t", str(minutes * 60), "-i", str(mp3), "-c", "copy", str(clip))
    info = probe(clip)
    ours, plain = [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = master(info, work / "ours.mp3", "mp3")
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain_two_pass(clip, work / "plain.mp3")
        plain.append(time.perf_counter() - start)
    o, p = statistics.median(ours), statistics.median(plain)
    print(f"\nmastering {info.duration / 60:.1f} min of MP3 (median of {runs})")
    print(f"  toolkit.master:        {o:6.2f} s ({info.duration / o:5.1f}x real time)")
    print(f"    {result.summary()}")
    print(f"  plain two-pass ffmpeg: {p:6.2f} s ({info.duration / p:5.1f}x real time)")
    print(f"  ratio ours/plain: {o / p:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--master-minutes", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "toolkit-bench")
    args = parser.parse_args()
    files = make_files(args.cache, args.minutes)
    with tempfile.TemporaryDirectory(prefix="bench-tagging-") as tmp:
        bench_tagging(files, Path(tmp), args.runs)
        if args.master_minutes > 0:
            bench_mastering(files["mp3"], Path(tmp), args.master_minutes, args.runs)


if __name__ == "__main__":
    main()
