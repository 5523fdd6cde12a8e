"""Rebuild a 200-episode show: nothing changed, and one template changed.

The show is made from the sample: every episode has the first 20 s of the
sample's audio and its article, so one real transcription (tiny.en, of a
one-episode show) fills the transcript cache for all of them; the transcript
cache is keyed by content, so 200 episodes with the same audio transcribe
once. Then, each the real CLI (``toolkit build SHOW -o SITE -q``) in its own
process:

1. the first build of the 200-episode show (every stage runs but
   transcription, which the cache serves): the peer of the two rebuilds;
2. a rebuild with nothing changed (target: 2 s or less);
3. a rebuild after one template changed (target: 10 s or less).

Peak memory is each build's own maximum resident set size. This machine is
shared: compare the ratios to the first build, measured in the same run.

    .venv/bin/python bench/rebuild.py [--episodes 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "episodes" / "001-japan-security-council"
TOOLKIT = str(Path(sys.executable).parent / "toolkit")


def make_show(root: Path, episodes: int, audio: Path) -> None:
    root.mkdir(parents=True)
    text = (ROOT / "show.toml").read_text().replace('model = "base"', 'model = "tiny.en"')
    (root / "show.toml").write_text(text)
    shutil.copy(ROOT / "cover.jpg", root)
    toml = (SAMPLE / "episode.toml").read_text()
    for n in range(1, episodes + 1):
        folder = root / "episodes" / f"{n:03d}-episode"
        folder.mkdir(parents=True)
        shutil.copy(audio, folder / "audio.mp3")
        shutil.copy(SAMPLE / "article.txt", folder)
        (folder / "episode.toml").write_text(
            toml.replace("number = 1", f"number = {n}").replace(
                'guid = "un-desk-2023-001-japan-security-council"', f'guid = "bench-{n}"'
            )
        )


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs of each rebuild (best kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = dict(os.environ, TOOLKIT_CACHE_DIR=str(base / "cache"))
        audio = base / "short.mp3"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-i", str(SAMPLE / "audio.mp3"),
             "-t", "20", "-c", "copy", str(audio)],
            check=True,
        )  # fmt: skip
        make_show(base / "one", 1, audio)
        warm, _ = timed(
            [TOOLKIT, "build", str(base / "one"), "-o", str(base / "one-site"), "-q"], env
        )
        show, site = base / "show", base / "site"
        make_show(show, args.episodes, audio)
        cmd = [TOOLKIT, "build", str(show), "-o", str(site), "-q"]
        first, first_rss = timed(cmd, env)
        noop = [timed(cmd, env) for _ in range(args.runs)]
        changed = []
        for run in range(args.runs):
            (show / "templates").mkdir(exist_ok=True)
            (show / "templates" / "notes.md").write_text(
                f'{{% extends "default:notes.md" %}}\n{{# change {run} #}}\n'
            )
            changed.append(timed(cmd, env))
    best_noop, best_changed = min(t for t, _ in noop), min(t for t, _ in changed)
    print(f"{args.episodes} episodes of 20 s; transcript cache warmed in {warm:.1f} s (1 episode)")
    print(f"first build:            {first:7.2f} s   peak RSS {first_rss:6.0f} MB")
    print(
        f"no-op rebuild:          {best_noop:7.2f} s   peak RSS {max(r for _, r in noop):6.0f} MB"
        f"   ({best_noop / first:.3f} of the first build; target <= 2 s)"
    )
    print(
        f"template-change rebuild:{best_changed:7.2f} s   "
        f"peak RSS {max(r for _, r in changed):6.0f} MB"
        f"   ({best_changed / first:.3f} of the first build; target <= 10 s)"
    )
    print("all runs (s): no-op " + ", ".join(f"{t:.2f}" for t, _ in noop))
    print("              template " + ", ".join(f"{t:.2f}" for t, _ in changed))


if __name__ == "__main__":
    main()
