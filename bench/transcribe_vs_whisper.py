"""Time `toolkit transcribe` against the plain `whisper` CLI on one file, in one run.

bench/transcribe.py is the full benchmark (both engines, both CLI modes, the
test clips and the sample episode, WER); this is the quick check on one file.

Both commands get the same audio, the same model checkpoint and the same
decoding options (greedy, temperature fallback, word timestamps, fp32 on the
CPU, English). The toolkit's transcript cache points at a fresh folder for
every run, so it always transcribes. Runs alternate between the two tools and
the best of N is kept for each, because this machine is shared and noisy.
Prints wall time, peak RSS, the ratio, and how many words differ.

The two texts can differ on files longer than 30 s: with word timestamps the
whisper CLI starts each next window where the last word ended, as its
alignment heads place it (and given a checkpoint path it ignores the
checkpoint's heads for the last half of the decoder layers), while the toolkit
seeks on segment timestamps and adds word timings afterwards (see
toolkit/engines/windows.py). On the sample episode the CLI drops about 40 % of
the words that way.

    .venv/bin/python bench/transcribe_vs_whisper.py [--model tiny.en] [--audio FILE] [--runs 3]
"""

from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_AUDIO = ROOT / "episodes" / "001-japan-security-council" / "audio.mp3"


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MB) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--audio", type=Path, default=DEFAULT_AUDIO)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from toolkit.audio import probe

    # In a child: loading torch here would raise every child's reported peak RSS to
    # this process's, since rusage's peak survives fork and exec.
    code = (
        "from toolkit.transcribe.weights import prepare, resolve\n"
        f"s = resolve({args.model!r}); print(s.path or prepare({args.model!r}))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if found.returncode != 0:
        raise SystemExit(found.stderr)
    checkpoint = found.stdout.strip()
    duration = probe(args.audio).duration
    print(f"audio: {args.audio} ({duration:.1f} s); model: {args.model} ({checkpoint})")

    results: dict[str, list[tuple[float, float]]] = {"whisper": [], "toolkit": []}
    with tempfile.TemporaryDirectory() as tmp:
        out_w, out_t = Path(tmp, "whisper"), Path(tmp, "toolkit")
        env = dict(os.environ)
        for i in range(args.runs):
            whisper_cmd = [
                str(BIN / "whisper"), str(args.audio), "--model", checkpoint,
                "--language", "en", "--fp16", "False", "--word_timestamps", "True",
                "--beam_size", "None", "--best_of", "None",
                "--output_format", "all", "--output_dir", str(out_w), "--verbose", "False",
            ]  # fmt: skip
            toolkit_cmd = [
                str(BIN / "toolkit"), "transcribe", str(args.audio), "--model", checkpoint,
                "--language", "en", "--format", "vtt,srt,json,txt", "-o", str(out_t), "-q",
            ]  # fmt: skip
            env["TOOLKIT_CACHE_DIR"] = str(Path(tmp, f"cache{i}"))
            results["whisper"].append(run(whisper_cmd, env))
            results["toolkit"].append(run(toolkit_cmd, env))
        stem = args.audio.stem
        words_w = (out_w / f"{stem}.txt").read_text().split()
        words_t = (out_t / f"{stem}.txt").read_text().split()
    matcher = difflib.SequenceMatcher(a=words_w, b=words_t, autojunk=False)
    same_words = sum(block.size for block in matcher.get_matching_blocks())

    best = {k: min(v) for k, v in results.items()}
    for name, (wall, rss) in best.items():
        print(
            f"{name:8} best of {args.runs}: {wall:6.2f} s wall, {duration / wall:5.1f}x "
            f"real time, peak RSS {rss:.0f} MB"
        )
    ratio = best["toolkit"][0] / best["whisper"][0]
    print(f"ratio toolkit/whisper wall time: {ratio:.2f}")
    print(f"words in common: {same_words} of {len(words_w)} (whisper), {len(words_t)} (toolkit)")


if __name__ == "__main__":
    main()
