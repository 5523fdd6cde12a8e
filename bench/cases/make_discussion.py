"""Build the synthesized discussion cases and their ``truth.json``.

A discussion case is a folder ``bench/cases/<name>/`` holding a conversation
``script.json`` (the format of ``tools/sample_episode/script.json``; its
``article`` key names the article, relative to the project root). For each case
this speaks the script with ``tools/make_sample_episode.py``'s synthesizer into
``audio.mp3`` (32 kbit/s, to keep the files small) with that tool's per-line
``ground_truth.json``, then derives the common ``truth.json`` from it (format
in ``truth.py``).

A script may say more than that tool reads:

* ``people``: the article's people whose names may be said (the speakers'
  names are added to them); every time one is said becomes a timed mention;
* a line's ``quotes`` may hold, beside verbatim pieces of the article, a
  misquote: ``{"article": "<a verbatim piece of an article quote>",
  "spoken": "<what the line says instead>", "changes": [{"kind": "number" |
  "negation" | "word", "article": "...", "spoken": "..."}]}``. The line's
  text holds the spoken words; the changes must be real differences between
  the two.

The tool itself refuses a quote that is not verbatim, so its checks are
redone here (allowing misquotes) and its ``build`` is called directly, with
the spoken words as the line's quotes; the audio and per-line truth are
the same bytes the tool writes for a script without misquotes.

The speaker cases of issue 11 need less and a little more:

* a script with no ``article`` is a speakers-only case: its lines discuss no
  paragraph and read no quote, and only ``audio.mp3`` and
  ``ground_truth.json`` are written (no ``truth.json``, so the alignment
  bench leaves it out);
* ``music`` lays a synthesized tune (:func:`tune`) around the speech: an
  intro jingle of ``jingle`` seconds before the first line, going on as a
  bed ``bed_gain_db`` below the voices until ``bed_until_line`` has ended,
  then fading out, and an outro jingle of ``outro`` seconds after the last
  line. Every line's times move by the intro's length, and the ground truth
  lists the music's spans as ``music``: ``[[start, end], ...]`` (the intro,
  the bed, the outro).

The ``sample`` case is the sample show's own episode: its audio and per-line
truth are made by ``tools/make_sample_episode.py`` with no options, so here only
its ``truth.json`` is derived, pointing at those files (its people are listed
here, as its script is the tool's).

    .venv/bin/python bench/cases/make_discussion.py [CASE ...]

With no case names it rebuilds every discussion case. The output is
deterministic, so a rebuild changes no bytes unless a script changed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from pydub import AudioSegment

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "tools"))

import make_sample_episode as gen  # noqa: E402
from truth import (  # noqa: E402
    CASES,
    ROOT,
    find_mentions,
    from_script_truth,
    tokens,
    write_truth,
)

SAMPLE_SCRIPT = ROOT / "tools" / "sample_episode" / "script.json"
SAMPLE_TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"
BITRATE = "32k"
# The sample article's people (its script is the tool's, so they are listed here).
SAMPLE_PEOPLE = [
    "Kimihiro Ishikane",
    "Naoko Kumagai",
    "Yoshimasa Hayashi",
    "Amina Mohammed",
    "Fumio Kishida",
    "Shino Mitsuko",
    "Margot Wallstrom",
    "Vladimir Putin",
    "Damilola Banjo",
    "Kelechukwu Ogu",
]
MISQUOTE_KINDS = ("number", "negation", "word")
# A music case's tune: its tempo, and the jingle's level against the voices.
TEMPO = 112  # beats per minute
JINGLE_GAIN_DB = -4.0
DUCK = 0.5  # seconds the intro takes to fall to the bed's level
FADE_OUT = 2.0  # seconds the bed takes to fade out after its last line
OUTRO_GAP = 0.5  # seconds between the last line's end and the outro


def spoken_quote(entry: str | dict[str, Any]) -> str:
    """The words a line's quote entry says aloud."""
    return entry if isinstance(entry, str) else entry["spoken"]


def _check_speakers(script: dict[str, Any]) -> None:
    """Every speaker has a name and a voice, and every line is by one of them."""
    speakers = script.get("speakers", {})
    if not speakers:
        raise gen.ScriptError("the script has no speakers")
    for role, who in speakers.items():
        if not {"name", "voice"} <= set(who):
            raise gen.ScriptError(f"speakers.{role} needs a name and a voice")
    for i, line in enumerate(script["lines"]):
        if line["speaker"] not in speakers:
            raise gen.ScriptError(f"line {i}: unknown speaker {line['speaker']!r}")


def check_script(script: dict[str, Any], article_path: Path) -> None:
    """``make_sample_episode.load_script``'s checks, allowing misquotes."""
    article, paragraphs = gen.article_paragraphs(article_path)
    _check_speakers(script)
    for i, line in enumerate(script["lines"]):
        para = line.get("paragraph")
        if para is not None and not any(p.startswith(para) for p in paragraphs):
            raise gen.ScriptError(f"line {i}: no article paragraph starts with {para!r}")
        for entry in line.get("quotes", []):
            piece = entry if isinstance(entry, str) else entry["article"]
            if piece not in article:
                raise gen.ScriptError(f"line {i}: quote is not verbatim in the article: {piece!r}")
            if spoken_quote(entry) not in line["text"]:
                raise gen.ScriptError(f"line {i}: quote is not spoken in the line: {entry!r}")
            if isinstance(entry, dict):
                check_misquote(i, entry)


def check_misquote(i: int, entry: dict[str, Any]) -> None:
    """A misquote's changes are real: its words differ, each change where it says."""
    if tokens(entry["article"]) == tokens(entry["spoken"]):
        raise gen.ScriptError(f"line {i}: a misquote that says the article's words: {entry!r}")
    if not entry.get("changes"):
        raise gen.ScriptError(f"line {i}: a misquote without changes: {entry!r}")
    for change in entry["changes"]:
        if change["kind"] not in MISQUOTE_KINDS:
            raise gen.ScriptError(f"line {i}: unknown change kind {change['kind']!r}")
        for side in ("article", "spoken"):
            want, have = tokens(change[side]), tokens(entry[side])
            if want and not any(have[k : k + len(want)] == want for k in range(len(have))):
                raise gen.ScriptError(f"line {i}: {change[side]!r} is not in the {side} words")


def generator_script(script: dict[str, Any]) -> dict[str, Any]:
    """The script as ``make_sample_episode.build`` reads it: quotes as spoken."""
    lines = [
        {**line, "quotes": [spoken_quote(q) for q in line.get("quotes", [])]}
        for line in script["lines"]
    ]
    return {**script, "lines": lines}


def case_names(script: dict[str, Any], people: list[str]) -> list[str]:
    """The case's names: the speakers', then the article's people."""
    names = [who["name"] for who in script["speakers"].values()]
    return names + [p for p in people if p not in names]


def mention_times(
    script: dict[str, Any], lines_truth: dict[str, Any], names: list[str], workdir: Path
) -> list[dict[str, Any]]:
    """Every mention of ``names`` with its estimated start and end (see truth.py).

    Each line with a mention is cut into the chunks ``build`` spoke, which are
    spoken again (espeak-ng is deterministic) to find where each chunk starts
    in the line; the result is checked against the line's true length. Then
    the chunk's words before the name, and up to its end, are spoken on their
    own: their lengths give the name's place in the chunk.
    """
    rate = gen.FRAME_RATE
    out: list[dict[str, Any]] = []
    n_wav = 0
    for index, (line, timed) in enumerate(zip(script["lines"], lines_truth["lines"], strict=True)):
        chunks = gen.split_line(line["text"], line.get("quotes", []))
        found = [
            (c, m) for c, chunk in enumerate(chunks) for m in find_mentions(chunk.speak, names)
        ]
        if not found:
            continue
        who = script["speakers"][line["speaker"]]
        pitch = who.get("pitch")

        def length(text: str, who: dict[str, Any] = who, pitch: Any = pitch) -> int:
            nonlocal n_wav
            if not text.strip(".,;:?!\"' "):
                return 0
            n_wav += 1
            wav = workdir / f"mention{n_wav:04d}.wav"
            seg = gen.synthesize(
                text, who["voice"], int(who.get("speed", 155)), wav,
                None if pitch is None else int(pitch),
            )  # fmt: skip
            return len(seg.raw_data) // 2

        starts, pos, prev = [], 0, ""
        for chunk in chunks:
            if prev:
                pause = gen.SENTENCE_PAUSE if prev[-1] in ".?!" else gen.CLAUSE_PAUSE
                pos += round(pause * rate)
            starts.append(pos)
            pos += length(chunk.speak)
            prev = chunk.speak
        if abs(pos / rate - (timed["end"] - timed["start"])) > 0.002:
            raise RuntimeError(f"line {index}: its chunks do not add up to its length")
        for c, m in found:
            speak = chunks[c].speak
            start = starts[c] + length(speak[: m.offset])
            end = starts[c] + length(speak[: m.offset + len(m.spoken)])
            out.append(
                {
                    "name": m.name,
                    "spoken": m.spoken,
                    "line": index,
                    "start": round(timed["start"] + start / rate, 3),
                    "end": round(timed["start"] + end / rate, 3),
                }
            )
    return out


def build_sample() -> Path:
    script = json.loads(SAMPLE_SCRIPT.read_text(encoding="utf-8"))
    lines = json.loads(SAMPLE_TRUTH.read_text(encoding="utf-8"))
    names = case_names(script, SAMPLE_PEOPLE)
    with tempfile.TemporaryDirectory(prefix="case-sample-") as work:
        mentions = mention_times(script, lines, names, Path(work))
    source = SAMPLE_TRUTH.relative_to(ROOT).as_posix()
    truth = from_script_truth("sample", script, lines, source, names, mentions)
    dest = CASES / "sample" / "truth.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_truth(truth, dest)
    return dest


def check_speakers_only(script: dict[str, Any]) -> None:
    """A script without an article: speakers as usual, no paragraph or quote on any line."""
    _check_speakers(script)
    for i, line in enumerate(script["lines"]):
        if line.get("paragraph") is not None or line.get("quotes"):
            raise gen.ScriptError(f"line {i}: a paragraph or quote in a script with no article")


def _midi(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69) / 12))


def tune(seconds: float, seed: int, rate: int = gen.FRAME_RATE) -> np.ndarray:
    """A deterministic tune of ``seconds``, peak 1.0: chords, a beat and a melody.

    A four-bar progression (I V vi IV) of chords whose notes have four
    harmonics, a kick on beats one and three, a short hi-hat on the
    off-beats, and a melody in eighth notes walking the major pentatonic
    scale over the chords (``seed`` picks the key and the walk).
    """
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    out = np.zeros(n)
    beat = 60.0 / TEMPO

    def add(start: float, wave: np.ndarray, gain: float) -> None:
        a = round(start * rate)
        if a >= n:
            return
        piece = wave[: n - a]
        out[a : a + len(piece)] += gain * piece

    def note(freq: float, length: float, decay: float, partials: tuple[float, ...]) -> np.ndarray:
        t = np.arange(round(length * rate)) / rate
        env = np.minimum(1.0, t / 0.01) * np.exp(-decay * t) * np.minimum(1.0, (length - t) / 0.02)
        wave = sum(p * np.sin(2 * np.pi * freq * (k + 1) * t) for k, p in enumerate(partials))
        return np.asarray(env * wave)

    key = 48 + int(rng.integers(0, 7))  # C3 to F#3
    chords = [(0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12)]
    pentatonic = [0, 2, 4, 7, 9]
    t_kick = np.arange(round(0.25 * rate)) / rate
    kick = np.sin(2 * np.pi * (50 * t_kick + 70 / 12 * (1 - np.exp(-12 * t_kick)))) * np.exp(
        -14 * t_kick
    )
    hat_noise = rng.standard_normal(round(0.05 * rate))
    hat = np.diff(hat_noise, prepend=0.0) * np.exp(-90 * np.arange(len(hat_noise)) / rate)
    step = int(rng.integers(0, len(pentatonic)))
    bars = int(seconds / (4 * beat)) + 1
    for bar in range(bars):
        start = bar * 4 * beat
        chord = chords[bar % len(chords)]
        for pitch in chord:
            add(start, note(_midi(key + 12 + pitch), 4 * beat, 0.6, (1.0, 0.5, 0.3, 0.15)), 0.12)
        add(start, note(_midi(key + chord[0]), 4 * beat, 0.9, (1.0, 0.6, 0.2, 0.1)), 0.2)
        for b in range(4):
            if b % 2 == 0:
                add(start + b * beat, kick, 0.5)
            add(start + (b + 0.5) * beat, hat, 0.05)
        for eighth in range(8):
            if rng.random() < 0.2:  # a rest
                continue
            step = int(np.clip(step + rng.integers(-2, 3), 0, 2 * len(pentatonic) - 1))
            octave, degree = divmod(step, len(pentatonic))
            pitch = key + 24 + 12 * octave + pentatonic[degree]
            add(start + eighth * beat / 2, note(_midi(pitch), beat / 2, 3.0, (1.0, 0.4, 0.2)), 0.15)
    fade = min(n, round(0.3 * rate))
    out[:fade] *= np.linspace(0.0, 1.0, fade)
    out[n - fade :] *= np.linspace(1.0, 0.0, fade)
    return out / max(float(np.abs(out).max()), 1e-9)


def unit_rms(wave: np.ndarray) -> np.ndarray:
    """``wave`` scaled to an RMS of 1."""
    return wave / max(float(np.sqrt(np.mean(wave**2))), 1e-9)


def with_music(
    speech: AudioSegment, lines: dict[str, Any], music: dict[str, Any]
) -> tuple[AudioSegment, dict[str, Any]]:
    """``speech`` with ``music``'s intro, bed and outro laid round it, and its truth moved.

    Levels are set against the voices' RMS (over their non-silent samples):
    the jingles ``JINGLE_GAIN_DB`` below it, the bed ``bed_gain_db``.
    """
    rate = gen.FRAME_RATE
    voice = np.frombuffer(speech.raw_data, dtype=np.int16).astype(np.float64)
    loud = voice[np.abs(voice) > gen.SILENCE_AMPLITUDE]
    rms = float(np.sqrt(np.mean(loud**2)))
    intro = round(float(music["jingle"]) * rate)
    lines_out = lines["lines"]
    bed_line = lines_out[int(music["bed_until_line"])]
    bed_end = intro + round((bed_line["end"] + FADE_OUT) * rate)
    outro_start = intro + round((lines_out[-1]["end"] + OUTRO_GAP) * rate)
    outro_end = outro_start + round(float(music["outro"]) * rate)
    total = max(intro + len(voice), outro_end)
    mix = np.zeros(total)
    mix[intro : intro + len(voice)] = voice

    def level(db: float) -> float:
        return float(rms * 10 ** (db / 20))

    seed = int(music.get("seed", 0))
    head = unit_rms(tune(bed_end / rate, seed, rate))
    gain = np.full(len(head), level(float(music["bed_gain_db"])))
    duck, fade = round(DUCK * rate), round(FADE_OUT * rate)
    gain[: intro - duck] = level(JINGLE_GAIN_DB)
    gain[intro - duck : intro] = np.linspace(
        level(JINGLE_GAIN_DB), level(float(music["bed_gain_db"])), duck
    )
    gain[len(head) - fade :] *= np.linspace(1.0, 0.0, fade)
    mix[: len(head)] += head * gain
    tail = unit_rms(tune((outro_end - outro_start) / rate, seed + 1, rate))
    mix[outro_start:outro_end] += tail * level(JINGLE_GAIN_DB)
    peak = float(np.abs(mix).max())
    if peak > 32000:
        mix *= 32000 / peak
    samples = np.round(mix).astype(np.int16)
    audio = AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=rate, channels=1)
    shift = intro / rate
    moved = {
        **lines,
        "duration": gen.seconds(total),
        "lines": [
            {**line, "start": round(line["start"] + shift, 3), "end": round(line["end"] + shift, 3)}
            for line in lines_out
        ],
        "music": [
            [0.0, gen.seconds(intro)],
            [gen.seconds(intro), gen.seconds(bed_end)],
            [gen.seconds(outro_start), gen.seconds(outro_end)],
        ],
    }
    return audio, moved


def build_speakers_case(name: str, script: dict[str, Any]) -> Path:
    """A case with no article: its audio and ground truth only."""
    folder = CASES / name
    check_speakers_only(script)
    out, lines_path = folder / "audio.mp3", folder / "ground_truth.json"
    with tempfile.TemporaryDirectory(prefix=f"case-{name}-") as work:
        audio, lines = gen.build(script, Path(work))
    if "music" in script:
        audio, lines = with_music(audio, lines, script["music"])
    lines["audio"] = gen.display_path(out)
    del lines["article"]
    gen.export_mp3(audio, out, BITRATE)
    gen.write_json(lines, lines_path)
    return lines_path


def build_case(name: str) -> Path:
    folder = CASES / name
    script = json.loads((folder / "script.json").read_text(encoding="utf-8"))
    if "article" not in script:
        return build_speakers_case(name, script)
    article = ROOT / script["article"]
    out, lines_path = folder / "audio.mp3", folder / "ground_truth.json"
    check_script(script, article)
    spoken = generator_script(script)
    names = case_names(script, script.get("people", []))
    with tempfile.TemporaryDirectory(prefix=f"case-{name}-") as work:
        audio, lines = gen.build(spoken, Path(work))
        mentions = mention_times(spoken, lines, names, Path(work))
    lines["audio"] = gen.display_path(out)
    lines["article"] = gen.display_path(article)
    if not gen.MIN_SECONDS <= lines["duration"] <= gen.MAX_SECONDS:
        print(f"warning: {name} is {lines['duration']:.1f} s long", file=sys.stderr)
    gen.export_mp3(audio, out, BITRATE)
    gen.write_json(lines, lines_path)
    source = lines_path.relative_to(ROOT).as_posix()
    truth = from_script_truth(name, script, lines, source, names, mentions)
    write_truth(truth, folder / "truth.json")
    return folder / "truth.json"


def discussion_cases() -> list[str]:
    return ["sample"] + sorted(p.parent.name for p in CASES.glob("*/script.json"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all discussion cases)")
    args = parser.parse_args()
    for name in args.cases or discussion_cases():
        dest = build_sample() if name == "sample" else build_case(name)
        truth = json.loads(dest.read_text(encoding="utf-8"))
        if dest.name == "ground_truth.json":
            print(
                f"wrote {dest.relative_to(ROOT)}: {truth['duration']:.1f} s, "
                f"{len(truth['speakers'])} speakers, {len(truth['lines'])} lines"
                + (f", music {truth['music']}" if "music" in truth else "")
            )
            continue
        print(
            f"wrote {dest.relative_to(ROOT)}: {truth['duration']:.1f} s, "
            f"{sum(p['discussed'] for p in truth['paragraphs'])}/{len(truth['paragraphs'])} "
            f"paragraphs discussed, quotes "
            + ", ".join(
                f"{s} {sum(q['status'] == s for q in truth['quotes'])}"
                for s in ("verbatim", "near", "not_spoken")
            )
            + f", {len(truth['mentions'])} name mentions"
        )


if __name__ == "__main__":
    main()
