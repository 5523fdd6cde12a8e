"""Benchmark `toolkit transcribe` (both engines) against the plain `whisper` CLI, in one run.

Every tool transcribes the same files with the same model and options, one
process per tool holding all the files (so each loads its model once):

- the 6 clips of tests/data/speech, against the reference texts of its MANIFEST.tsv;
- the 195 s synthetic sample episode, against its script (tools/sample_episode).

Options: greedy decoding with temperature fallback, fp32 on the CPU, word
timestamps, English; the default thread counts. Printed per tool: audio
seconds per wall second, peak RSS (``os.wait4``'s rusage of that child alone),
CPU seconds (user + system, less sensitive than wall time to other load on a
shared machine), WER on the clips (corpus) and on the episode, and ratios
against the CLI.
Runs alternate between the tools and the best of N is kept for each, because
this machine is shared and noisy.

The fair comparison. The CLI is given the model as a checkpoint path (the
converted offline weights; it cannot load them by name offline, since it
checks a name's download against the official file's hash). Given a path,
whisper ignores the checkpoint's alignment heads and falls back to the last
half of the decoder layers. With ``--word_timestamps True`` those heads steer
where each next 30 s window starts, so the CLI's text then depends on the
heads: it is not the text of the model as published. The toolkit does not let
word timings steer seeking at all (they dropped 40 % of the sample episode,
see toolkit/engines/windows.py); it seeks as the CLI does with
``--word_timestamps False``, where the heads play no part. So the CLI runs
twice per model:

- ``whisper`` (``--word_timestamps False``): the same decoding as the toolkit,
  so the text must be identical; it does less work (no word timings).
- ``whisper-wt`` (``--word_timestamps True``): the same work as the toolkit
  (decoding plus one alignment pass per window), so the time to beat; its text
  differs where its word-timestamp seeking differs.

``faster`` is the faster engine as it runs by default (int8 for base, the
model's float32 for tiny.en: ``toolkit.transcribe.engines.faster.compute_type_for``);
``faster-fp32`` forces float32, to show what int8 gains.

Targets: the openai engine within 10 % of ``whisper-wt``'s time with the text
of ``whisper``; the faster engine at least 2x ``whisper-wt`` on tiny.en and base.

``--long MINUTES`` instead builds an episode of that many minutes by repeating
the sample episode (ffmpeg, into a temporary folder) and runs each tool once on
it, to measure memory on a long episode.

    .venv/bin/python bench/transcribe.py [--models tiny.en,base] [--runs 3]
        [--tools whisper,whisper-wt,openai,faster,faster-fp32] [--threads N] [--beam 5] [--long 60]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SPEECH = ROOT / "tests" / "data" / "speech"
EPISODE = ROOT / "episodes" / "001-japan-security-council" / "audio.mp3"
GROUND_TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"
TOOLS = ("whisper", "whisper-wt", "openai", "faster", "faster-fp32")


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"\bmr\b", "mister", text)  # the LibriVox references spell it out
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def references() -> dict[Path, str]:
    """Audio file → reference text: the 6 clips, then the sample episode."""
    with open(SPEECH / "MANIFEST.tsv", newline="", encoding="utf-8") as f:
        refs = {SPEECH / r["file"]: r["reference_text"] for r in csv.DictReader(f, delimiter="\t")}
    script = json.loads(GROUND_TRUTH.read_text())
    refs[EPISODE] = " ".join(line["text"] for line in script["lines"])
    return refs


@dataclass
class Runs:
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # file stem → text


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``cmd``; return (wall seconds, CPU seconds, peak RSS in MB) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err.decode(errors='replace')[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def command(
    tool: str,
    files: list[Path],
    model: str,
    checkpoint: str,
    out: Path,
    threads: int,
    beam: int | None = None,
) -> list[str]:
    audio = [str(f) for f in files]
    width = "None" if beam is None else str(beam)
    if tool.startswith("whisper"):
        wt = "True" if tool == "whisper-wt" else "False"
        return [
            str(BIN / "whisper"), *audio, "--model", checkpoint, "--language", "en",
            "--fp16", "False", "--word_timestamps", wt, "--beam_size", width,
            "--best_of", width, "--output_format", "json", "--output_dir", str(out),
            "--verbose", "False", "--threads", str(threads),
        ]  # fmt: skip
    engine = tool.split("-")[0]
    return [
        str(BIN / "toolkit"), "transcribe", *audio, "--engine", engine, "--language", "en",
        "--model", checkpoint if tool == "openai" else model, "--threads", str(threads),
        "--format", "txt", "-o", str(out), "-q",
        *([] if beam is None else ["--beam-size", str(beam)]),
        *(["--compute-type", "float32"] if tool == "faster-fp32" else []),
    ]  # fmt: skip


def read_texts(tool: str, files: list[Path], out: Path) -> dict[str, str]:
    texts = {}
    for f in files:
        if tool.startswith("whisper"):
            texts[f.stem] = json.loads((out / f"{f.stem}.json").read_text())["text"]
        else:
            data = json.loads((out / f"{f.stem}.full.json").read_text())
            texts[f.stem] = " ".join(s["text"].strip() for s in data["segments"])
    return texts


def fresh_cache(tmp: Path, name: str) -> Path:
    """A toolkit cache with no transcripts that shares the converted models."""
    from toolkit.paths import cache_dir

    root = tmp / name
    root.mkdir()
    for sub in ("models", "ct2"):
        if (cache_dir() / sub).is_dir():
            (root / sub).symlink_to(cache_dir() / sub)
    return root


def wer(refs: list[str], hyps: list[str]) -> float:
    import jiwer

    return jiwer.wer([normalise(r) for r in refs], [normalise(h) for h in hyps])


def prepare(model: str, faster: bool) -> str:
    """The converted offline checkpoint of ``model`` (for the CLI); joins base's CTranslate2
    parts for faster-whisper too, so that no timed run converts anything.

    Done in a child process: this one must stay small, because a child's peak RSS
    as rusage reports it starts at its parent's (the peak survives fork and exec).
    """
    code = (
        "import sys; from toolkit.transcribe.weights import prepare, ct2_folder\n"
        f"print(prepare({model!r}))\n" + (f"ct2_folder({model!r})\n" if faster else "")
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def bench_model(
    model: str,
    tools: list[str],
    files: list[Path],
    runs: int,
    threads: int,
    beam: int | None = None,
) -> None:
    from toolkit.audio import probe

    checkpoint = prepare(model, any(t.startswith("faster") for t in tools))
    duration = sum(probe(f).duration for f in files)
    results = {tool: Runs() for tool in tools}
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            for tool in tools:
                out = Path(tmp, f"{tool}-{i}")
                env["TOOLKIT_CACHE_DIR"] = str(fresh_cache(Path(tmp), f"cache-{tool}-{i}"))
                cmd = command(tool, files, model, checkpoint, out, threads, beam)
                wall, cpu, rss = run(cmd, env)
                results[tool].walls.append(wall)
                results[tool].cpus.append(cpu)
                results[tool].rss.append(rss)
                results[tool].texts = read_texts(tool, files, out)

    how = f"{threads} thread(s)" if threads else "default threads"
    how += ", greedy" if beam is None else f", beam {beam}"
    print(f"\n## {model}: {len(files)} files, {duration:.1f} s of audio, {how}, best of {runs}\n")
    refs = references()
    clips = [f for f in files if f != EPISODE and f in refs]
    base_tool = "whisper-wt" if "whisper-wt" in tools else tools[0]
    best = {tool: min(r.walls) for tool, r in results.items()}
    cpu = {tool: min(r.cpus) for tool, r in results.items()}
    columns = ["tool", "wall s", "audio s / wall s", f"speed vs {base_tool}", "CPU s",
               f"CPU vs {base_tool}", "peak RSS MB", "WER clips", "WER episode",
               "text = whisper"]  # fmt: skip
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * (len(columns) - 2) + "---|")
    for tool in tools:
        r = results[tool]
        texts = r.texts
        clip_wer = wer([refs[f] for f in clips], [texts[f.stem] for f in clips]) if clips else None
        ep_wer = wer([refs[EPISODE]], [texts[EPISODE.stem]]) if EPISODE in files else None
        same = "-"
        if "whisper" in results and tool != "whisper":
            reference = results["whisper"].texts
            equal = [texts[f.stem].split() == reference[f.stem].split() for f in files]
            same = "yes" if all(equal) else f"{sum(equal)}/{len(files)} files"
        print(
            f"| {tool} | {best[tool]:.1f} | {duration / best[tool]:.1f} | "
            f"{best[base_tool] / best[tool]:.2f}x | {cpu[tool]:.1f} | "
            f"{cpu[base_tool] / cpu[tool]:.2f}x | {min(r.rss):.0f} | "
            f"{'-' if clip_wer is None else f'{clip_wer:.1%}'} | "
            f"{'-' if ep_wer is None else f'{ep_wer:.1%}'} | {same} |"
        )
    print("\nall runs (wall s): " + "; ".join(
        f"{tool} " + ", ".join(f"{w:.1f}" for w in results[tool].walls) for tool in tools
    ))  # fmt: skip
    if EPISODE in files:
        counts = ", ".join(f"{t} {len(results[t].texts[EPISODE.stem].split())}" for t in tools)
        print(f"episode words (script {len(refs[EPISODE].split())}): {counts}")


def long_episode(minutes: float, folder: Path) -> Path:
    """The sample episode repeated to ``minutes`` (stream copy, no re-encoding)."""
    from toolkit.audio import probe

    repeats = max(1, round(minutes * 60 / probe(EPISODE).duration))
    dest = folder / f"long-{minutes:g}min.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", str(repeats - 1), "-i", str(EPISODE),
         "-c", "copy", str(dest)],
        check=True,
    )  # fmt: skip
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--long", type=float, default=None, metavar="MINUTES")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads; 0: one per core")
    parser.add_argument(
        "--beam",
        type=int,
        default=None,
        help="beam size (and best-of) for every tool; greedy when omitted. "
        "The whisper CLI's own default is 5.",
    )
    args = parser.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")

    print(f"CPU cores: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.long:
            files = [long_episode(args.long, Path(tmp))]
        else:
            files = [*sorted(SPEECH.glob("*.wav")), SPEECH / "jfk.flac", EPISODE]
            files = [f for f in files if f in references()]
        for model in args.models.split(","):
            runs = 1 if args.long else args.runs
            bench_model(model, tools, files, runs, args.threads, args.beam)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
