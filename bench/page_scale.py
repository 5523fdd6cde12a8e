"""Episode pages at scale: a 500-episode show, and the weight of a 1-hour page (issue 12).

1. **Render time.** 500 episodes, each carrying the sample episode's stored
   transcript (Whisper base) with its speakers from the script's truth, are
   rendered as the build renders them (:func:`toolkit.render.render_episode`:
   page and notes), then the show's feed and index page
   (:func:`toolkit.render.render_show`). Target: 10 s. The machine is shared,
   so the 50-episode show is timed in the same run as the peer (linear
   scaling gives 10x).
2. **Page weight.** The sample transcript repeated to one hour (about 1,000
   segments, 10,000 words, 12 chapters): the size of its ``index.html`` with
   everything it loads from the site except the audio (``player.js``,
   ``style.css``). Target: under 1 MB.

    .venv/bin/python bench/page_scale.py [--episodes 500] [--peer 50]
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import time
from pathlib import Path

from toolkit.chapters.model import Chapter
from toolkit.config import Episode, Show, load_episodes, load_show
from toolkit.pipeline.job import EpisodeJob, PublishedAudio
from toolkit.render import render_episode, render_show, render_transcripts
from toolkit.transcribe.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
STORED = ROOT / "tests" / "data" / "golden" / "sample-transcript.full.json"
TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"


def _with_speakers() -> Transcript:
    """The stored transcript, each segment named after the script line it overlaps most."""
    transcript = Transcript.load(STORED)
    lines = json.loads(TRUTH.read_text(encoding="utf-8"))["lines"]
    for seg in transcript.segments:
        line = max(lines, key=lambda ln: min(seg.end, ln["end"]) - max(seg.start, ln["start"]))
        seg.speaker = line["speaker"]
    return transcript


def _job(show: Show, episode: Episode, transcript: Transcript, duration: float) -> EpisodeJob:
    job = EpisodeJob(show, episode, transcript=transcript)
    job.audio = PublishedAudio(f"{episode.slug}.mp3", "audio/mpeg", int(duration * 8000), duration)
    job.transcript_files = dict(render_transcripts(show, job).transcript_files)
    return job


def render_time(show: Show, episode: Episode, transcript: Transcript, n: int) -> float:
    """Seconds to render ``n`` episodes' pages and notes, then the feed and index page."""
    jobs = []
    for i in range(n):
        ep = episode.model_copy(
            update={"slug": f"{i:04d}-episode", "guid": f"bench-{i}", "title": f"Episode {i}"}
        )
        jobs.append(_job(show, ep, transcript, transcript.duration))
    start = time.perf_counter()
    for job in jobs:
        render_episode(show, job)
    render_show(show, jobs)
    return time.perf_counter() - start


def hour_page(show: Show, episode: Episode, transcript: Transcript) -> tuple[int, int, int]:
    """Bytes of a 1-hour page, the same gzipped, and its words."""
    span = transcript.duration
    hour = copy.deepcopy(transcript)
    hour.segments = []
    rounds = 0
    while rounds * span < 3600:
        for seg in transcript.segments:
            piece = copy.deepcopy(seg)
            piece.id = len(hour.segments)
            piece.start += rounds * span
            piece.end += rounds * span
            for w in piece.words:
                w.start += rounds * span
                w.end += rounds * span
            hour.segments.append(piece)
        rounds += 1
    hour.duration = rounds * span
    job = _job(show, episode, hour, hour.duration)
    job.chapters = [Chapter(i * 300.0, f"Chapter {i + 1}") for i in range(12)]
    page = render_episode(show, job)["index.html"].encode()
    return len(page), len(gzip.compress(page)), len(hour.words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=500)
    parser.add_argument("--peer", type=int, default=50)
    args = parser.parse_args()
    show = load_show(ROOT)
    (episode,) = load_episodes(ROOT)
    transcript = _with_speakers()
    render_time(show, episode, transcript, 2)  # templates compiled, caches warm
    peer = render_time(show, episode, transcript, args.peer)
    full = render_time(show, episode, transcript, args.episodes)
    ok = "ok" if full <= 10 else "MISSED"
    print(f"{args.episodes} episodes: {full:.2f} s (target 10 s: {ok}); ", end="")
    print(f"{args.peer} episodes: {peer:.2f} s; ratio {full / peer:.1f}x ", end="")
    print(f"(linear: {args.episodes / args.peer:.0f}x)")
    size, zipped, words = hour_page(show, episode, transcript)
    assets = sum(len((ROOT / "templates" / f).read_bytes()) for f in ("player.js", "style.css"))
    total = size + assets
    ok = "ok" if total < 1_000_000 else "MISSED"
    print(
        f"1-hour page ({words} words): {size / 1e6:.3f} MB ({zipped / 1e3:.0f} kB gzipped); "
        f"with player.js and style.css {total / 1e6:.3f} MB (target < 1 MB: {ok})"
    )


if __name__ == "__main__":
    main()
