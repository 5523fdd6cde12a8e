"""How much faster is Whisper when voice activity detection skips the non-speech?

Builds an episode that is about 30 % non-speech: the sample episode (195 s)
with four 20 s beds spliced in at its quietest moments near 40, 85, 130 and
170 s. ``--beds music`` (the default): four excerpts of real instrumental
music (tests/data/music, see its MANIFEST). ``--beds synthetic``: a music-like
chord pattern, pink noise, digital silence, and brown noise with a mains hum,
made with ffmpeg. The episode is written to a temporary folder. Then it
transcribes it with tiny.en three ways: the whole file; with VAD as
``clip_timestamps`` from ``toolkit.transcribe.vad.speech_spans``; and with VAD as
compacted audio (``bench/vad_decoding.compact``, only the speech, times mapped back).
After one warm-up transcription, runs alternate and the best of N is kept
for each, because this machine is shared and noisy. The VAD times include
finding the speech spans. Whisper's decoding passes (fallbacks included)
are counted too: CPU contention cannot blur that cost.

Prints each way's time and speed ratio to the whole file (target for VAD: at
least 1.3x). For each way,
before and after ``toolkit.transcribe.guards.clean``, it prints the words written, those
inside the beds (where every word is invented), the script's words found in
order, and the WER against the script the episode was synthesised from.

By default every way uses ``bench/vad_decoding.decode_guard_options()``; with
``--whisper-defaults``, openai-whisper's own defaults instead (conditioned on
the previous text), with word timestamps.

With ``--engine openai|faster`` it times the toolkit's own path instead
(``toolkit.transcribe.run.run_engine`` on the file, guards on), without and with
``vad=True``: the figure a producer sees.

    .venv/bin/python bench/vad_speed.py [--runs 3] [--model tiny.en] [--beds music|synthetic]
        [--min-silence S]
        [--whisper-defaults] [--engine openai|faster] [--keep DIR] [--dump DIR]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EPISODE = ROOT / "episodes" / "001-japan-security-council" / "audio.mp3"
RATE = 16000

MUSIC = ROOT / "tests" / "data" / "music"

# (where to insert, seconds into the episode; seconds; a file, or an ffmpeg lavfi source)
MUSIC_BEDS = [
    (40.0, 20.0, MUSIC / "awakening.ogg"),
    (85.0, 20.0, MUSIC / "coherence.ogg"),
    (130.0, 20.0, MUSIC / "nebula.ogg"),
    (170.0, 20.0, MUSIC / "media-threat.ogg"),
]
SYNTHETIC_BEDS = [
    (
        40.0,
        20.0,
        "aevalsrc='0.25*(0.6+0.4*sin(2*PI*2*t))*(sin(2*PI*220*t)+0.7*sin(2*PI*277.18*t)"
        "+0.6*sin(2*PI*329.63*t)+0.3*sin(2*PI*110*t)*gte(mod(t,1),0.5))':s=16000",
    ),
    (85.0, 20.0, "anoisesrc=color=pink:amplitude=0.08:seed=7:r=16000"),
    (130.0, 20.0, "anullsrc=r=16000:cl=mono"),
    (
        170.0,
        20.0,
        "anoisesrc=color=brown:amplitude=0.15:seed=11:r=16000[n];"
        "sine=f=50:r=16000,volume=0.05[h];[n][h]amix=inputs=2:normalize=0",
    ),
]


def ffmpeg_bed(source: str | Path, seconds: float, dest: Path) -> np.ndarray:
    """Render one audio file or lavfi source to mono 16 kHz and load it."""
    given = ["-i", str(source)] if isinstance(source, Path) else ["-f", "lavfi", "-i", source]
    cmd = [
        "ffmpeg", "-nostdin", "-v", "error", "-y", *given,
        "-t", str(seconds), "-ac", "1", "-ar", str(RATE), str(dest),
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    from toolkit.audio import decode

    return decode(dest)


def quietest(samples: np.ndarray, around: float, within: float = 3.0) -> int:
    """The sample index of the quietest 100 ms near ``around`` seconds (a pause)."""
    frame = RATE // 10
    lo = int((around - within) * RATE)
    hi = int((around + within) * RATE)
    frames = samples[lo:hi][: (hi - lo) // frame * frame].reshape(-1, frame)
    best = int(np.argmin((frames**2).mean(axis=1)))
    return lo + best * frame + frame // 2


def build_episode(folder: Path, kind: str) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The episode with the ``kind`` of beds spliced in, and where the beds lie (seconds)."""
    from toolkit.audio import decode

    speech = decode(EPISODE)
    pieces, beds, last, offset = [], [], 0, 0
    for i, (at, seconds, source) in enumerate(MUSIC_BEDS if kind == "music" else SYNTHETIC_BEDS):
        cut = quietest(speech, at)
        bed = ffmpeg_bed(source, seconds, folder / f"bed{i}.wav")
        pieces += [speech[last:cut], bed]
        start = (offset + cut - last) / RATE
        beds.append((start, start + len(bed) / RATE))
        offset += cut - last + len(bed)
        last = cut
    pieces.append(speech[last:])
    audio = np.concatenate(pieces).astype(np.float32)
    with wave.open(str(folder / "episode_with_beds.wav"), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return audio, beds


def to_transcript(result: dict, duration: float):
    from toolkit.transcribe.transcript import Segment, Transcript, Word

    segments = [
        Segment(
            id=i,
            start=s["start"],
            end=s["end"],
            text=s["text"].strip(),
            words=[Word(w["start"], w["end"], w["word"], w["probability"]) for w in s["words"]],
            avg_logprob=s["avg_logprob"],
            no_speech_prob=s["no_speech_prob"],
        )
        for i, s in enumerate(result["segments"])
    ]
    return Transcript(language="en", duration=duration, segments=segments)


def script_words() -> list[str]:
    """The episode's spoken words, from the script it was synthesised from."""
    truth = json.loads((ROOT / "tools" / "sample_episode" / "ground_truth.json").read_text())
    return [norm(w) for line in truth["lines"] for w in line["text"].split() if norm(w)]


def word_error_rate(ref: list[str], hyp: list[str]) -> float:
    """Word-level Levenshtein distance over the reference length."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def norm(word: str) -> str:
    return re.sub(r"[^a-z0-9']", "", word.lower())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--beds", choices=["music", "synthetic"], default="music")
    parser.add_argument("--min-silence", type=float, default=None, help="override the default")
    parser.add_argument("--keep", type=Path, help="write the test audio here, not to a temp dir")
    parser.add_argument("--dump", type=Path, help="write both Whisper results here as JSON")
    parser.add_argument(
        "--engine",
        choices=["openai", "faster"],
        help="time the toolkit's own path (run_engine, file in, guards on) with this "
        "engine, without and with vad=True, instead of whisper.transcribe three ways",
    )
    parser.add_argument(
        "--whisper-defaults",
        action="store_true",
        help="openai-whisper's default options, not guards.decode_guard_options()",
    )
    args = parser.parse_args()

    import whisper

    from bench.vad_decoding import clip_timestamps, compact, decode_guard_options
    from toolkit.transcribe.transcript import Transcript
    from toolkit.transcribe.vad import speech_spans
    from toolkit.transcribe.weights import load_model

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        audio, beds = build_episode(folder, args.beds)
        if args.engine:
            times, results, passes = time_toolkit(args, folder / "episode_with_beds.wav")
            report(args, audio, beds, times, results, passes)
            return
    duration = len(audio) / RATE
    model = load_model(args.model)
    options = dict(
        fp16=False,
        verbose=None,
        temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        word_timestamps=True,
    )
    if not args.whisper_defaults:
        options.update(decode_guard_options())
    vad_kwargs = {} if args.min_silence is None else {"min_silence": args.min_silence}

    # Count Whisper's decoding passes (fallbacks included): a cost that CPU contention can't blur.
    decode_calls = [0]
    decode = model.decode

    def counting_decode(*a, **kw):
        decode_calls[0] += 1
        return decode(*a, **kw)

    model.decode = counting_decode

    def plain() -> tuple[Transcript, list | None]:
        return to_transcript(whisper.transcribe(model, audio, **options), duration), None

    def clips() -> tuple[Transcript, list | None]:
        spans = speech_spans(audio, RATE, **vad_kwargs)
        if not spans:
            return to_transcript({"segments": []}, duration), spans
        result = whisper.transcribe(model, audio, clip_timestamps=clip_timestamps(spans), **options)
        return to_transcript(result, duration), spans

    def compacted() -> tuple[Transcript, list | None]:
        spans = speech_spans(audio, RATE, **vad_kwargs)
        if not spans:
            return to_transcript({"segments": []}, duration), spans
        speech, timeline = compact(audio, spans, RATE)
        result = whisper.transcribe(model, speech, **options)
        return timeline.restore(to_transcript(result, len(speech) / RATE)), spans

    runs = {"plain": plain, "vad-clips": clips, "vad-compact": compacted}
    # Warm up first: the first transcription in a process pays for numba compiling
    # Whisper's word-timing code and for torch's first passes (over 100 s here).
    whisper.transcribe(model, audio[: 20 * RATE], **options)
    speech_spans(audio[: 20 * RATE], RATE)
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, tuple[Transcript, list | None]] = {}
    passes: dict[str, int] = {}
    for _ in range(args.runs):
        for name, func in runs.items():
            decode_calls[0] = 0
            start = time.perf_counter()
            results[name] = func()
            times[name].append(time.perf_counter() - start)
            passes[name] = decode_calls[0]

    report(args, audio, beds, times, results, passes)


def time_toolkit(args: argparse.Namespace, wav: Path) -> tuple[dict, dict, dict]:
    """The product path: ``toolkit.transcribe.run.run_engine`` on the file, without and with VAD.

    Both runs go through the engine's guards (``toolkit.transcribe.guards.clean``); with
    ``--whisper-defaults`` the decoding keeps Whisper's conditioning on the previous
    text, otherwise it is off as ``decode_guard_options()`` recommends.
    """
    from toolkit.transcribe.options import TranscribeOptions
    from toolkit.transcribe.run import run_engine

    conditioned = {"condition_on_previous_text": bool(args.whisper_defaults)}

    def way(vad: bool):
        options = TranscribeOptions(
            model=args.model, engine=args.engine, language="en", vad=vad, **conditioned
        )
        return lambda: (run_engine(wav, options, progress=False), None)

    runs = {f"{args.engine}": way(False), f"{args.engine}-vad": way(True)}
    runs[args.engine]()  # warm up: model load, first passes, VAD model
    runs[f"{args.engine}-vad"]()
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict = {}
    for _ in range(args.runs):
        for name, func in runs.items():
            start = time.perf_counter()
            results[name] = func()
            times[name].append(time.perf_counter() - start)
    return times, results, {name: None for name in runs}


def report(args, audio, beds, times, results, passes) -> None:
    from toolkit.transcribe.guards import clean

    duration = len(audio) / RATE
    bed_seconds = sum(e - s for s, e in beds)
    plain_name = next(iter(times))
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for name, (transcript, _) in results.items():
            (args.dump / f"{name}.json").write_text(json.dumps(transcript.to_dict(), indent=1))
        (args.dump / "beds.json").write_text(json.dumps(beds))
    print(f"audio: {duration:.1f} s, of which beds {bed_seconds:.0f} s", end="")
    print(f" ({bed_seconds / duration:.0%}, {args.beds}); model {args.model}; best of {args.runs}")
    if "vad-clips" in results:
        spans = results["vad-clips"][1] or []
        print(f"VAD spans: {len(spans)}, {sum(e - s for s, e in spans):.1f} s of audio kept")
    best = {name: min(t) for name, t in times.items()}
    for name in times:
        listed = ", ".join(f"{t:.1f}" for t in times[name])
        ratio = best[plain_name] / best[name]
        counted = "" if passes[name] is None else f"; {passes[name]} decoding passes"
        print(f"{name:>11}: best {best[name]:6.1f} s  {ratio:.2f}x  (runs: {listed}){counted}")
    print("speed ratio = plain's best time / this one's (target for VAD: >= 1.3x)")

    reference = script_words()
    print(f"{'':>17}  {'words':>5}  {'in beds':>7}  {'script words found':>18}  WER vs script")
    for name, (raw, found_spans) in results.items():
        for label, transcript in (("", raw), ("+clean", clean(raw, found_spans))):
            found = transcript.words
            hyp = [norm(w.word) for w in found if norm(w.word)]
            invented = [
                w.word for w in found if any(s <= (w.start + w.end) / 2 <= e for s, e in beds)
            ]
            blocks = difflib.SequenceMatcher(None, reference, hyp, autojunk=False)
            matched = sum(m.size for m in blocks.get_matching_blocks())
            print(
                f"{name + label:>17}  {len(hyp):>5}  {len(invented):>7}  "
                f"{matched:>6}/{len(reference)} ({matched / len(reference):.0%})  "
                f"{word_error_rate(reference, hyp):>12.1%}  {' '.join(invented[:8])}"
            )


if __name__ == "__main__":
    main()
