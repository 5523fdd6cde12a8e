"""Render the feed of a 10,000-episode show, against a 1,000-episode one.

The jobs are built in memory, as the pipeline leaves them before it renders
the show: every episode carries the sample episode's real transcript,
article, alignment, chapters and soundbites (one copy, shared: the jobs
differ in slug, title, number, date and guid), published audio in two
formats, transcript files and an English translation. Nothing is read from
disk while timing. Each size is rendered with :func:`toolkit.render.render_feed`
(feed.xml alone) and, for the record, :func:`render_show` (feed and index page).

Targets: the 10,000-episode feed in under 2 s and 500 MB peak RSS. The
machine is shared: compare the ratio to the 1,000-episode feed, measured in
the same run (linear scaling gives 10x).

    .venv/bin/python bench/feed_scale.py [--episodes 10000] [--peer 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import statistics
import sys
import time
from pathlib import Path

from toolkit.align import align
from toolkit.article import read_article
from toolkit.chapters import chapters_from_alignment
from toolkit.chapters.soundbites import soundbites_from_alignment
from toolkit.config import load_episodes, load_show
from toolkit.pipeline.job import EpisodeJob, PublishedAudio
from toolkit.render import render_feed, render_show
from toolkit.transcribe.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
STORED = ROOT / "tests" / "data" / "golden" / "sample-transcript.full.json"
FORMATS = ("vtt", "srt", "json", "txt", "html")


def rss_mb() -> float:
    """This process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_jobs(count: int) -> tuple[object, list[EpisodeJob]]:
    """The sample show and ``count`` jobs made from its one episode, newest first."""
    show = load_show(ROOT)
    [sample] = load_episodes(ROOT)
    transcript = Transcript.load(STORED)
    article = read_article(sample.article_path) if sample.article_path else None
    alignment = align(transcript, article) if article is not None else None
    duration = transcript.segments[-1].end
    chapters = chapters_from_alignment(alignment, article, transcript, duration, min_length=20)
    bites = soundbites_from_alignment(alignment, transcript, duration=duration) if alignment else []
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    jobs = []
    for n in range(count, 0, -1):
        slug = f"{n:05d}-episode"
        episode = sample.model_copy(
            update={
                "title": f"{sample.title} ({n})",
                "number": n,
                "season": 1 + n // 100,
                "date": start + dt.timedelta(days=n),
                "guid": None,
                "slug": slug,
            }
        )
        job = EpisodeJob(show, episode, transcript=transcript, translation=transcript)
        job.article, job.alignment = article, alignment
        job.chapters, job.soundbites = chapters, bites
        job.guid = f"00000000-0000-4000-8000-{n:012d}"
        job.audio = PublishedAudio(f"{slug}.mp3", "audio/mpeg", 3_000_000 + n, 1799.6)
        job.alternates = [PublishedAudio(f"{slug}.opus", "audio/opus", 1_200_000 + n, 1799.6)]
        job.transcript_files = {fmt: f"transcript.{fmt}" for fmt in FORMATS}
        job.translation_files = {fmt: f"transcript.en.{fmt}" for fmt in FORMATS}
        jobs.append(job)
    return show, jobs


def timed(fn, *args) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds of this process, and the result of ``fn(*args)``."""
    gc.collect()
    begin, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - begin, time.process_time() - cpu, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--peer", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    base = rss_mb()
    show, jobs = make_jobs(args.episodes)
    built = rss_mb()
    peer = jobs[: args.peer]
    print(f"jobs: {len(jobs)} built in memory; peak RSS {built:.0f} MB (imports: {base:.0f} MB)")

    results: dict[str, list[tuple[float, float]]] = {}
    sizes = {}
    for label, subset in ((f"feed {args.peer}", peer), (f"feed {args.episodes}", jobs)):
        for _ in range(args.runs):
            wall, cpu, xml = timed(render_feed, show, subset)
            results.setdefault(label, []).append((wall, cpu))
            sizes[label] = len(xml.encode())  # type: ignore[union-attr]
            del xml
    feed_peak = rss_mb()
    for label, subset in ((f"show {args.peer}", peer), (f"show {args.episodes}", jobs)):
        wall, cpu, files = timed(render_show, show, subset)
        results[label] = [(wall, cpu)]
        del files
    show_peak = rss_mb()

    print(f"{'render':<12} {'best wall s':>11} {'median':>7} {'best CPU s':>10} {'MB out':>7}")
    for label, runs in results.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        size = f"{sizes[label] / 1e6:7.1f}" if label in sizes else ""
        print(f"{label:<12} {min(walls):11.3f} {statistics.median(walls):7.3f} "
              f"{min(cpus):10.3f} {size}")  # fmt: skip
    small = min(w for w, _ in results[f"feed {args.peer}"])
    large = min(w for w, _ in results[f"feed {args.episodes}"])
    print(f"ratio feed {args.episodes}/{args.peer}: {large / small:.1f}x (linear: "
          f"{args.episodes / args.peer:.0f}x)")  # fmt: skip
    print(f"peak RSS: {feed_peak:.0f} MB after the feeds, {show_peak:.0f} MB after render_show "
          f"({built:.0f} MB with the jobs alone)")  # fmt: skip
    ok = large < 2.0 and feed_peak < 500
    print(f"target (feed of {args.episodes} < 2 s, < 500 MB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
