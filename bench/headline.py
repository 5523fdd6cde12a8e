"""The headline speed report: a one-hour episode published on two cores.

Builds one long, deterministic episode from the project's own audio and
times, in one run and alternating round-robin between them (so that the noise
of a shared machine hits every tool), these tools on it:

- ``cli``: the plain ``whisper`` CLI at its own defaults (beam 5, best_of 5,
  temperature fallback, fp16 requested and falling back to fp32 on the CPU),
  given only the model, English and an output folder::

      .venv/bin/whisper AUDIO --model CHECKPOINT --language en \\
          --output_format txt --output_dir TMP --verbose False

  ``CHECKPOINT`` is the converted offline ``base`` checkpoint
  (``toolkit.transcribe.weights.prepare('base')``, as bench/transcribe.py
  does): offline the CLI cannot load ``base`` by name.
- ``build-openai``, ``build-faster``: ``toolkit build`` of a one-episode show
  (the sample show's ``show.toml`` and cover with ``[transcription] engine =
  "openai"|"faster"`` and ``model = "base"``; the sample episode's
  ``episode.toml`` and ``article.txt``; the long audio as ``audio.mp3``);
  ``build-default``: the same show with no ``engine`` line, i.e. the build at
  its defaults, every stage; ``build-batched``: the faster engine with
  ``batch_size = 8`` (batched decoding of the speech spans). Each build gets a
  fresh, empty toolkit cache
  (``TOOLKIT_CACHE_DIR``) that shares only the converted models (``models/``
  and ``ct2/`` symlinked from the user's cache), so nothing is downloaded and
  nothing is reused::

      .venv/bin/toolkit build SHOW -o SITE -q --profile PROFILE.json

  (``--profile`` is left out where this checkout's CLI lacks it.)
- ``fw-seq``, ``fw-batched``: plain faster-whisper in a child process,
  ``WhisperModel(ct2_folder('base'), device="cpu", compute_type="int8",
  cpu_threads=2)``, ``.transcribe(audio, language="en", beam_size=1,
  word_timestamps=True)``, and ``BatchedInferencePipeline(model)`` with the
  same options and ``batch_size=8``; the segments are consumed and their text
  written out.
- ``rebuild``: after the last build of the run, the default ``templates/`` is
  copied into that show with one byte added to ``episode.html``, and the show
  rebuilt with the same cache and output: the time to publish a template change
  of an already transcribed episode.

Printed per tool: wall seconds, real-time factor (audio seconds / wall
seconds), ratio against the CLI (CLI wall / tool wall), WER against the known
texts (jiwer, ``bench.transcribe.normalise``d) and peak RSS (``os.wait4``'s
rusage of that child alone; this process stays small, since a child's peak
starts at its parent's). With ``--runs N`` the best wall of N is kept. Then
one PASS/MISSED line per target of the issue "Speed: a one-hour episode
published in three minutes on two cores":

- the build at its defaults runs at >= 20x real time;
- the build takes <= 1.2x the time of plain faster-whisper (sequential);
- the build takes >= 10x less time than the CLI, at a WER no more than 1 point
  above the CLI's;
- the build's peak RSS is <= 1.5 GB;
- the rebuild after a template change takes <= 5 s.

The episode (``headline_episode``), round after round until ``--minutes`` is
reached: a jingle (12-20 s of one of ``tests/data/music/*.ogg``, faded out)
every other round; one synthetic case (the sample episode, then the
discussion cases of ``bench/cases``: espeak-ng voices, 2-3 minutes each,
listed in ``bench.segment_health.SYNTHETIC``), the first round's with a music
bed (``nebula.ogg``, looped) mixed under it at -18 dB; one real recording
(``bench.segment_health.REAL``: LJ Speech, LibriVox, JFK); pauses of 0.4-3.2 s
between pieces. The last case is cut after the line that reaches the length
(at its ``end`` time in the script), so the episode is about ``--minutes``
long. Known texts, in order, make the reference; music has no words:

- the synthetic cases: the ``text`` of every line of their
  ``ground_truth.json`` (the sample's is ``tools/sample_episode/ground_truth.json``);
- the real recordings: ``reference_text`` of ``MANIFEST.tsv`` in
  ``tests/data/speech`` and ``../shared/data/speech``. The AMI clip of REAL is
  left out: its MANIFEST text is a note with timings, not a transcript.

The audio (32 kbit/s mono MP3) and its reference (``.json`` beside it) are
kept in ``--keep DIR`` or the toolkit cache's ``bench/`` folder, and reused::

    .venv/bin/python bench/headline.py [--minutes 60] [--runs 1]
        [--only cli,build-openai,build-faster,build-batched,build-default,fw-seq,fw-batched,rebuild]
        [--json OUT.json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provenance import git_state  # noqa: E402
from bench.segment_health import GAPS, REAL, SPEECH_DIRS, SYNTHETIC  # noqa: E402
from bench.transcribe import BIN, fresh_cache, prepare, run, wer  # noqa: E402

TOOLS = ("cli", "build-openai", "build-faster", "build-batched", "build-default", "fw-seq",
         "fw-batched", "rebuild")  # fmt: skip
# the rebuild reuses the last build of the run
BUILDS = ("build-default", "build-faster", "build-batched", "build-openai")
SAMPLE = ROOT / "episodes" / "001-japan-security-council"
SAMPLE_TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"
MUSIC = ROOT / "tests" / "data" / "music"
JINGLES = ("awakening.ogg", "coherence.ogg", "media-threat.ogg", "nebula.ogg")
JINGLE_S = (12.0, 16.0, 20.0, 14.0)
BED, BED_DB = "nebula.ogg", -18
NO_TEXT = {"ami_ES2011a_40s-46s.wav"}  # its MANIFEST text is a note, not a transcript


# --- the episode ----------------------------------------------------------------------
@dataclass
class Piece:
    """One stretch of the episode: a file (cut at ``end`` if given), its text, a pause after."""

    path: Path
    text: str
    gap: float
    end: float | None = None
    bed: bool = False
    kind: str = "speech"  # speech | jingle


def duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip())


def truth_lines(audio: Path) -> list[dict[str, Any]]:
    """The script lines (text, start, end) of a synthetic case's audio."""
    truth = SAMPLE_TRUTH if audio.parent == SAMPLE else audio.parent / "ground_truth.json"
    return list(json.loads(truth.read_text(encoding="utf-8"))["lines"])


def real_texts() -> dict[str, Path | str]:
    """File name → path, and file name + ".txt" → reference text, of the real recordings."""
    found: dict[str, Path | str] = {}
    for folder in SPEECH_DIRS:
        manifest = folder / "MANIFEST.tsv"
        if not manifest.is_file():
            continue
        with open(manifest, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                name = row["file"]
                if name in REAL and name not in NO_TEXT and (folder / name).is_file():
                    found.setdefault(name, folder / name)
                    found.setdefault(name + ".txt", row["reference_text"])
    return found


def synthetic_piece(audio: Path, gap: float, budget: float, bed: bool) -> tuple[Piece, float]:
    """A case's audio and script, cut after the first line that ends past ``budget`` s."""
    lines = truth_lines(audio)
    kept = []
    for line in lines:
        kept.append(line)
        if line["end"] >= budget:
            break
    full = len(kept) == len(lines)
    end = None if full else float(kept[-1]["end"]) + 0.3
    length = duration(audio) if end is None else end
    text = " ".join(line["text"] for line in kept)
    return Piece(audio, text, gap, end, bed), length + gap


def plan(minutes: float) -> list[Piece]:
    """The episode's pieces, in order (see the module's docstring)."""
    real = real_texts()
    clips = [(real[r], str(real[r + ".txt"])) for r in REAL if r in real]
    synthetic = [ROOT / s for s in SYNTHETIC if (ROOT / s).is_file()]
    pieces: list[Piece] = []
    total, k = 0.0, 0
    target = minutes * 60
    while total < target:
        if k % 2 == 0:
            length = JINGLE_S[(k // 2) % len(JINGLE_S)]
            jingle = MUSIC / JINGLES[(k // 2) % len(JINGLES)]
            pieces.append(Piece(jingle, "", GAPS[k % len(GAPS)], length, kind="jingle"))
            total += length + GAPS[k % len(GAPS)]
        syn = synthetic[(k + k // len(synthetic)) % len(synthetic)]
        path, text = clips[k % len(clips)] if clips else (Path(), "")
        gap = GAPS[(k + 3) % len(GAPS)]
        clip_s = duration(Path(path)) + gap if clips else 0.0
        budget = target - total - clip_s  # leave room for the round's real clip
        piece, length = synthetic_piece(syn, GAPS[(k + 1) % len(GAPS)], budget, k == 0)
        pieces.append(piece)
        total += length
        if clips:
            pieces.append(Piece(Path(path), text, gap))
            total += clip_s
        k += 1
    return pieces


def piece_filter(i: int, piece: Piece, bed_input: int | None) -> str:
    """The filter graph of input ``i``: 16 kHz mono, cut, faded or bedded, then padded."""
    fmt = "aformat=sample_fmts=s16:sample_rates=16000:channel_layouts=mono"
    cut = f",atrim=end={piece.end}" if piece.end is not None else ""
    fade = ""
    if piece.kind == "jingle" and piece.end is not None:
        fade = f",afade=t=out:st={max(piece.end - 1.5, 0)}:d=1.5"
    head = f"[{i}:a]{fmt}{cut}{fade}"
    pad = f"apad=pad_dur={piece.gap}[a{i}]"
    if bed_input is None:
        return f"{head},{pad}"
    return (
        f"{head}[s{i}];[{bed_input}:a]{fmt},volume={BED_DB}dB[m{i}];"
        f"[s{i}][m{i}]amix=inputs=2:duration=first:normalize=0,{pad}"
    )


def render(pieces: list[Piece], dest: Path) -> None:
    """Join ``pieces`` into the MP3 ``dest`` with ffmpeg's concat filter."""
    cmd = ["ffmpeg", "-v", "error", "-y"]
    for piece in pieces:
        cmd += ["-i", str(piece.path)]
    parts = []
    extra = len(pieces)
    for i, piece in enumerate(pieces):
        bed_input = None
        if piece.bed:
            cmd += ["-stream_loop", "-1", "-i", str(MUSIC / BED)]
            bed_input, extra = extra, extra + 1
        parts.append(piece_filter(i, piece, bed_input))
    parts.append(
        "".join(f"[a{i}]" for i in range(len(pieces))) + f"concat=n={len(pieces)}:v=0:a=1[out]"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp_out = Path(tmp) / dest.name
        cmd += ["-filter_complex", ";".join(parts), "-map", "[out]", "-ac", "1", "-ar", "16000",
                "-b:a", "32k", "-map_metadata", "-1", "-fflags", "+bitexact",
                "-flags:a", "+bitexact", str(tmp_out)]  # fmt: skip
        subprocess.run(cmd, check=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp_out.replace(dest)


def headline_episode(minutes: float, dest_dir: Path) -> tuple[Path, str, list[dict[str, Any]]]:
    """The episode's audio, its reference text and its pieces, built once and kept."""
    dest = dest_dir / f"headline-{minutes:g}min.mp3"
    meta = dest.with_suffix(".json")
    if dest.is_file() and meta.is_file():
        data = json.loads(meta.read_text(encoding="utf-8"))
        return dest, data["reference"], data["pieces"]
    pieces = plan(minutes)
    render(pieces, dest)
    listing = [
        {"file": os.path.relpath(p.path, ROOT), "kind": p.kind, "end": p.end, "bed": p.bed,
         "words": len(p.text.split())}
        for p in pieces
    ]  # fmt: skip
    reference = " ".join(p.text for p in pieces if p.text)
    meta.write_text(
        json.dumps({"reference": reference, "pieces": listing}, indent=1) + "\n", encoding="utf-8"
    )
    return dest, reference, listing


# --- the tools ------------------------------------------------------------------------
@dataclass
class Result:
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    text: str = ""
    profile: dict[str, Any] | None = None

    def add(self, wall: float, cpu: float, rss_mb: float) -> None:
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.rss_mb.append(rss_mb)


@dataclass
class Context:
    audio: Path
    tmp: Path
    checkpoint: str
    ct2: str
    has_profile: bool
    last_build: tuple[Path, Path, Path] | None = None  # show, site, cache of the last build


def prepared_models() -> tuple[str, str]:
    """The CLI's checkpoint and the CTranslate2 folder of ``base``, made in a child."""
    checkpoint = prepare("base", faster=True)
    code = "from toolkit.transcribe.weights import ct2_folder; print(ct2_folder('base'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return checkpoint, out.stdout.strip().splitlines()[-1]


def build_has_profile() -> bool:
    out = subprocess.run([str(BIN / "toolkit"), "build", "--help"], capture_output=True, text=True)
    return "--profile" in out.stdout


def make_show(folder: Path, audio: Path, engine: str | None, batch: int | None = None) -> Path:
    """A one-episode show: the sample's settings, ``engine`` (None: no line) and model base.

    ``batch`` sets ``batch_size`` (the faster engine's batched decoding).
    """
    folder.mkdir(parents=True)
    toml = (ROOT / "show.toml").read_text(encoding="utf-8")
    settings = 'model = "base"\n' + (f'engine = "{engine}"\n' if engine else "")
    settings += f"batch_size = {batch}\n" if batch else ""
    head, sep, tail = toml.partition("[transcription]\n")
    own = ("model", "engine", "batch_size")
    tail = "\n".join(line for line in tail.splitlines() if not line.startswith(own))
    (folder / "show.toml").write_text(head + sep + settings + tail + "\n", encoding="utf-8")
    shutil.copy(ROOT / "cover.jpg", folder / "cover.jpg")
    episode = folder / "episodes" / "e1"
    episode.mkdir(parents=True)
    shutil.copy(SAMPLE / "episode.toml", episode / "episode.toml")
    shutil.copy(SAMPLE / "article.txt", episode / "article.txt")
    shutil.copy(audio, episode / "audio.mp3")
    return folder


def site_text(site: Path) -> str:
    """The built episode's transcript text."""
    folder = site / "e1"
    full = sorted(site.rglob("transcript.full.json"))
    if full:
        data = json.loads(full[0].read_text(encoding="utf-8"))
        return " ".join(s["text"].strip() for s in data["segments"])
    txt = folder / "transcript.txt"
    if txt.is_file():
        return txt.read_text(encoding="utf-8")
    data = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    return " ".join(s["body"].strip() for s in data["segments"])


def build_command(show: Path, site: Path, profile: Path, ctx: Context) -> list[str]:
    cmd = [str(BIN / "toolkit"), "build", str(show), "-o", str(site), "-q"]
    return cmd + (["--profile", str(profile)] if ctx.has_profile else [])


def timed(cmd: list[str], cache: Path | None = None) -> tuple[float, float, float]:
    env = dict(os.environ)
    if cache is not None:
        env["TOOLKIT_CACHE_DIR"] = str(cache)
    return run(cmd, env)


def read_profile(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def run_build(tool: str, i: int, ctx: Context, res: Result) -> None:
    engine = {"build-openai": "openai", "build-faster": "faster", "build-batched": "faster"}
    work = ctx.tmp / f"{tool}-{i}"
    batch = 8 if tool == "build-batched" else None
    show = make_show(work / "show", ctx.audio, engine.get(tool), batch)
    site, profile = work / "site", work / "profile.json"
    cache = fresh_cache(work, "cache")
    wall, cpu, rss = timed(build_command(show, site, profile, ctx), cache)
    res.add(wall, cpu, rss)
    res.text, res.profile = site_text(site), read_profile(profile)
    ctx.last_build = (show, site, cache)


def run_rebuild(i: int, ctx: Context, res: Result) -> None:
    if ctx.last_build is None:
        run_build("build-default", i, ctx, Result())
    assert ctx.last_build is not None
    show, site, cache = ctx.last_build
    templates = show / "templates"
    if not templates.is_dir():
        shutil.copytree(ROOT / "templates", templates)
    page = templates / "episode.html"
    page.write_text(page.read_text(encoding="utf-8") + " ", encoding="utf-8")  # one byte more
    profile = show.parent / f"rebuild-{i}.json"
    wall, cpu, rss = timed(build_command(show, site, profile, ctx), cache)
    res.add(wall, cpu, rss)
    res.text, res.profile = site_text(site), read_profile(profile)


def run_cli(i: int, ctx: Context, res: Result) -> None:
    out = ctx.tmp / f"cli-{i}"
    cmd = [str(BIN / "whisper"), str(ctx.audio), "--model", ctx.checkpoint, "--language", "en",
           "--output_format", "txt", "--output_dir", str(out), "--verbose", "False"]  # fmt: skip
    wall, cpu, rss = timed(cmd, fresh_cache(ctx.tmp, f"cache-cli-{i}"))
    res.add(wall, cpu, rss)
    res.text = (out / f"{ctx.audio.stem}.txt").read_text(encoding="utf-8")


FW_CODE = """
import sys
from faster_whisper import BatchedInferencePipeline, WhisperModel
folder, audio, out, batched = sys.argv[1:5]
model = WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=2)
options = dict(language="en", beam_size=1, word_timestamps=True)
if batched == "1":
    segments, _ = BatchedInferencePipeline(model).transcribe(audio, batch_size=8, **options)
else:
    segments, _ = model.transcribe(audio, **options)
with open(out, "w", encoding="utf-8") as f:
    f.write(" ".join(s.text.strip() for s in segments))
"""


def run_fw(tool: str, i: int, ctx: Context, res: Result) -> None:
    out = ctx.tmp / f"{tool}-{i}.txt"
    batched = "1" if tool == "fw-batched" else "0"
    cmd = [sys.executable, "-c", FW_CODE, ctx.ct2, str(ctx.audio), str(out), batched]
    wall, cpu, rss = timed(cmd)
    res.add(wall, cpu, rss)
    res.text = out.read_text(encoding="utf-8")


def run_tool(tool: str, i: int, ctx: Context, res: Result) -> None:
    print(f"run {i + 1}: {tool}...", file=sys.stderr, flush=True)
    if tool == "cli":
        run_cli(i, ctx, res)
    elif tool.startswith("build-"):
        run_build(tool, i, ctx, res)
    elif tool.startswith("fw-"):
        run_fw(tool, i, ctx, res)
    else:
        run_rebuild(i, ctx, res)


def order(tools: list[str], i: int) -> list[str]:
    """Run ``i``'s order: rotated by one each run; the rebuild follows the builds."""
    timed_tools = [t for t in tools if t != "rebuild"]
    k = i % len(timed_tools) if timed_tools else 0
    rotated = timed_tools[k:] + timed_tools[:k]
    return rotated + (["rebuild"] if "rebuild" in tools else [])


# --- the report -----------------------------------------------------------------------
def figures(results: dict[str, Result], audio_s: float, reference: str) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    cli = min(results["cli"].walls) if "cli" in results else None
    for tool, res in results.items():
        best = min(res.walls)
        rows[tool] = {
            "wall_s": round(best, 2),
            "walls": [round(w, 2) for w in res.walls],
            "cpu_s": round(min(res.cpus), 2),
            "rtf": round(audio_s / best, 2),
            "vs_cli": round(cli / best, 2) if cli else None,
            "wer": round(wer([reference], [res.text]), 4) if tool != "rebuild" else None,
            "peak_rss_gb": round(max(res.rss_mb) / 1024, 3),
            "words": len(res.text.split()),
            "profile": res.profile,
        }
    return rows


def print_table(rows: dict[str, Any]) -> None:
    head = ("tool", "wall s", "RTF", "vs CLI", "WER %", "peak RSS GB", "words")
    table = [head]
    for tool, r in rows.items():
        table.append((
            tool, f"{r['wall_s']:.1f}", f"{r['rtf']:.1f}x",
            "-" if r["vs_cli"] is None else f"{r['vs_cli']:.2f}x",
            "-" if r["wer"] is None else f"{100 * r['wer']:.1f}",
            f"{r['peak_rss_gb']:.2f}", str(r["words"]),
        ))  # fmt: skip
    widths = [max(len(row[c]) for row in table) for c in range(len(head))]
    for n, row in enumerate(table):
        print("  ".join(c.ljust(w) if k == 0 else c.rjust(w)
                        for k, (c, w) in enumerate(zip(row, widths, strict=True))))  # fmt: skip
        if n == 0:
            print("  ".join("-" * w for w in widths))


def targets(rows: dict[str, Any]) -> list[tuple[str, bool | None, str]]:
    """(target, met or None when not measured, the figures) for each of the issue's targets."""
    build = rows.get("build-default")
    fw, cli, rebuild = rows.get("fw-seq"), rows.get("cli"), rows.get("rebuild")
    out: list[tuple[str, bool | None, str]] = []
    if build:
        out.append(("build at its defaults >= 20x real time", build["rtf"] >= 20,
                    f"{build['rtf']:.1f}x"))  # fmt: skip
        out.append(("build peak RSS <= 1.5 GB", build["peak_rss_gb"] <= 1.5,
                    f"{build['peak_rss_gb']:.2f} GB"))  # fmt: skip
    if build and fw:
        ratio = build["wall_s"] / fw["wall_s"]
        out.append(("build <= 1.2x plain faster-whisper (sequential)", ratio <= 1.2,
                    f"{ratio:.2f}x ({build['wall_s']:.1f} s / {fw['wall_s']:.1f} s)"))  # fmt: skip
    if build and cli:
        gain, dwer = cli["wall_s"] / build["wall_s"], 100 * (build["wer"] - cli["wer"])
        out.append(("build >= 10x less time than the whisper CLI", gain >= 10, f"{gain:.1f}x"))
        out.append(("build WER <= CLI WER + 1 point", dwer <= 1,
                    f"{100 * build['wer']:.1f} % vs {100 * cli['wer']:.1f} %"))  # fmt: skip
    if rebuild:
        out.append(("rebuild after a template change <= 5 s", rebuild["wall_s"] <= 5,
                    f"{rebuild['wall_s']:.1f} s"))  # fmt: skip
    return out


def print_targets(met: list[tuple[str, bool | None, str]]) -> None:
    print()
    for name, ok, shown in met:
        print(f"{'PASS' if ok else 'MISSED':6}  {name}: {shown}")
    if not met:
        print("(no target measured: run build-default with fw-seq, cli and rebuild)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", default=",".join(TOOLS), help="tools, comma-separated")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="keep the episode (and the runs' files) here")
    args = parser.parse_args()
    tools = [t for t in args.only.split(",") if t]
    if unknown := set(tools) - set(TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")

    from toolkit.paths import cache_dir  # light: no model, no numpy

    keep = args.keep.resolve() if args.keep else None
    audio, reference, pieces = headline_episode(args.minutes, keep or cache_dir() / "bench")
    audio_s = duration(audio)
    print(f"episode: {audio} ({audio_s / 60:.1f} min, {len(pieces)} pieces, "
          f"{len(reference.split())} reference words); CPU cores "
          f"{len(os.sched_getaffinity(0))}, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    checkpoint, ct2 = prepared_models()
    results = {tool: Result() for tool in tools}
    tmp = Path(tempfile.mkdtemp(prefix="headline-runs-", dir=keep))
    try:
        ctx = Context(audio, tmp, checkpoint, ct2, build_has_profile())
        for i in range(args.runs):
            ctx.last_build = None
            for tool in order(tools, i):
                run_tool(tool, i, ctx, results[tool])
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    rows = figures(results, audio_s, reference)
    print()
    print_table(rows)
    met = targets(rows)
    print_targets(met)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        report = {
            "provenance": git_state(),
            "minutes": args.minutes,
            "audio_s": audio_s,
            "runs": args.runs,
            "pieces": pieces,
            "tools": rows,
            "targets": [{"target": n, "met": ok, "value": v} for n, ok, v in met],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
