"""Build the ``real-voices`` case: real people's speech joined into a conversation.

Three real voices from ``../shared/data/speech/`` (see its ``MANIFEST.tsv``)
take turns: Linda Johnson, the LJ Speech reader, as the "host"; the LibriVox
reader of *Sense and Sensibility*, chapter 1, and John F. Kennedy (the
inaugural address clip) as the "guests". Each clip is one turn (the last
two LJ clips, one sentence, make one turn); the turns alternate between the
host and a guest, with a pause of 0.3-1.0 s between them drawn from a seeded
generator, 0.5 s of silence before the first and 1.0 s after the last.

Each clip is made mono 22.05 kHz, cut to its speech and set to the same
speech level (:data:`LEVEL_DBFS`). Its speech is found on 10 ms frames: a
frame is speech when louder than the clip's noise floor (its 5th percentile
frame) plus :data:`OVER_FLOOR_DB`, and never below :data:`MIN_DBFS`. The clip
runs from its first speech frame to its last, and a quieter run of
:data:`SPLIT_PAUSE` seconds or more inside it (JFK's pauses between phrases)
is a pause within the turn. The times are then exact to the frame (10 ms):
they are the sample offsets of the joins.

``ground_truth.json`` has the format of ``tools/make_sample_episode.py``'s
(one entry in ``lines`` per turn: its speaker, start, end and text), and
per turn its ``clip`` and ``speech``: the stretches of it that are speech
(``[[start, end], ...]``, seconds on the case's audio). ``MANIFEST.md``
records each clip's source and licence. The case has no article, so no
``truth.json``.

    .venv/bin/python bench/cases/make_real_voices.py [--speech DIR]

The output is deterministic: a rebuild writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
from pydub import AudioSegment

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "tools"))

from make_sample_episode import (  # noqa: E402
    FRAME_RATE,
    display_path,
    export_mp3,
    seconds,
    write_json,
)
from truth import CASES, ROOT  # noqa: E402

NAME = "real-voices"
BITRATE = "32k"
DEFAULT_SPEECH = ROOT.parent / "shared" / "data" / "speech"
SEED = 61907
LEAD_IN, TAIL = 0.5, 1.0  # seconds of silence before the first turn, after the last
TURN_PAUSE = (0.3, 1.0)  # seconds between two turns, drawn per gap
JOIN_PAUSE = 0.25  # seconds between two clips of one turn
FRAME = 0.01  # seconds per frame when finding speech
OVER_FLOOR_DB = 12.0
MIN_DBFS = -45.0
SPLIT_PAUSE = 0.5  # a quieter run this long (seconds) inside a clip is a pause
LEVEL_DBFS = -20.0  # every clip's speech RMS

SPEAKERS: dict[str, dict[str, str]] = {
    "host": {"name": "Linda Johnson", "role": "host"},
    "guest": {"name": "LibriVox Reader", "role": "guest"},
    "guest2": {"name": "John F. Kennedy", "role": "guest"},
}
SS = "sense_and_sensibility_01_austen_64kb-{}.wav"
# The turns in order: the speaker's role and the clips spoken.
TURNS: list[tuple[str, list[str]]] = [
    ("host", ["LJ001-0001.wav"]),
    ("guest", [SS.format("0870")]),
    ("host", ["LJ001-0002.wav"]),
    ("guest", [SS.format("0880")]),
    ("host", ["LJ001-0003.wav"]),
    ("guest2", ["jfk.flac"]),
    ("host", ["LJ001-0004.wav"]),
    ("guest", [SS.format("0890")]),
    ("host", ["LJ001-0005.wav"]),
    ("guest", [SS.format("0920")]),
    ("host", ["LJ001-0006.wav"]),
    ("guest", [SS.format("0930")]),
    ("host", ["LJ001-0007.wav", "LJ001-0008.wav"]),
]


def read_manifest(speech: Path) -> dict[str, dict[str, str]]:
    with open(speech / "MANIFEST.tsv", newline="", encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def load(path: Path) -> np.ndarray:
    """The clip as mono 22.05 kHz 16-bit samples (floats)."""
    seg = AudioSegment.from_file(path).set_channels(1).set_sample_width(2)
    seg = seg.set_frame_rate(FRAME_RATE)
    return np.array(seg.get_array_of_samples(), dtype=np.float64)


def speech_runs(x: np.ndarray) -> list[tuple[int, int]]:
    """The clip's stretches of speech as sample ranges (see the module's text)."""
    size = round(FRAME * FRAME_RATE)
    n = len(x) // size
    rms = np.sqrt(np.mean(x[: n * size].reshape(n, size) ** 2, axis=1))
    db = 20 * np.log10(np.maximum(rms, 1e-9) / 32768)
    loud = db > max(MIN_DBFS, float(np.percentile(db, 5)) + OVER_FLOOR_DB)
    frames = np.nonzero(loud)[0]
    if not len(frames):
        raise RuntimeError("a clip with no speech")
    runs: list[list[int]] = [[int(frames[0]), int(frames[0]) + 1]]
    for f in frames[1:]:
        if f - runs[-1][1] >= round(SPLIT_PAUSE / FRAME):
            runs.append([int(f), int(f) + 1])
        else:
            runs[-1][1] = int(f) + 1
    return [(a * size, min(len(x), b * size)) for a, b in runs]


def build(speech: Path) -> tuple[np.ndarray, dict[str, Any], list[str]]:
    """The case's samples, its ground truth and the clips used, in order."""
    manifest = read_manifest(speech)
    rng = random.Random(SEED)
    pieces: list[np.ndarray] = [np.zeros(round(LEAD_IN * FRAME_RATE))]
    pos = len(pieces[0])
    lines: list[dict[str, Any]] = []
    used: list[str] = []
    for index, (role, clips) in enumerate(TURNS):
        if index:
            gap = np.zeros(round(round(rng.uniform(*TURN_PAUSE), 2) * FRAME_RATE))
            pieces.append(gap)
            pos += len(gap)
        start, spans = pos, []
        for k, clip in enumerate(clips):
            if k:
                join = np.zeros(round(JOIN_PAUSE * FRAME_RATE))
                pieces.append(join)
                pos += len(join)
            x = load(speech / clip)
            runs = speech_runs(x)
            cut = x[runs[0][0] : runs[-1][1]]
            voiced = np.concatenate([x[a:b] for a, b in runs])
            gain = 10 ** (LEVEL_DBFS / 20) * 32768 / float(np.sqrt(np.mean(voiced**2)))
            pieces.append(cut * gain)
            spans += [
                [seconds(pos + a - runs[0][0]), seconds(pos + b - runs[0][0])] for a, b in runs
            ]
            pos += len(cut)
            used.append(clip)
        for k in range(len(spans) - 1, 0, -1):  # clips of one turn: pauses as inside a clip
            if spans[k][0] - spans[k - 1][1] < SPLIT_PAUSE:
                spans[k - 1 : k + 1] = [[spans[k - 1][0], spans[k][1]]]
        lines.append(
            {
                "index": index,
                "role": role,
                "speaker": SPEAKERS[role]["name"],
                "start": seconds(start),
                "end": seconds(pos),
                "text": " ".join(manifest[c]["reference_text"] for c in clips),
                "clip": clips,
                "speech": spans,
            }
        )
    pieces.append(np.zeros(round(TAIL * FRAME_RATE)))
    pos += len(pieces[-1])
    samples = np.concatenate(pieces)
    source = {role: manifest[clips[0]]["speaker"] for role, clips in reversed(TURNS)}
    peak = float(np.abs(samples).max())
    if peak > 32000:
        raise RuntimeError(f"the joined clips clip (peak {peak:.0f})")
    truth = {
        "title": "Real voices: three readers taking turns",
        "audio": "",
        "sample_rate": FRAME_RATE,
        "duration": seconds(pos),
        "speakers": {
            role: {**who, "voice": "human", "source": source[role]}
            for role, who in SPEAKERS.items()
        },
        "lines": lines,
    }
    return samples, truth, used


def write_manifest(folder: Path, rows: list[dict[str, str]]) -> None:
    lines = [
        "# The real-voices case",
        "",
        "Built by `bench/cases/make_real_voices.py`: real speech from",
        "`../shared/data/speech/`, each clip cut to its speech and set to one level, joined",
        "into turns that alternate between the LJ Speech reader (the host) and two",
        "guests (the LibriVox reader of *Sense and Sensibility* and John F. Kennedy), with",
        "0.3-1.0 s of silence between turns. Source and licence of each clip, as given in",
        "`../shared/data/speech/MANIFEST.tsv`:",
        "",
        "| file | duration (s) | speaker | source | licence |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['file']} | {row['duration_s']} | {row['speaker']} | "
            f"{row['source']} | {row['license']} |"
        )
    lines += [
        "",
        "All three recordings are in the public domain (LJ Speech, LibriVox, a US",
        "government work), so the joined audio is too. The LibriVox reader is not named",
        'in the source; the case calls them "LibriVox Reader".',
        "",
    ]
    (folder / "MANIFEST.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech", type=Path, default=DEFAULT_SPEECH, help="the speech clips")
    args = parser.parse_args()
    folder = CASES / NAME
    folder.mkdir(parents=True, exist_ok=True)
    samples, truth, used = build(args.speech)
    out = folder / "audio.mp3"
    audio = AudioSegment(
        data=np.round(samples).astype(np.int16).tobytes(),
        sample_width=2,
        frame_rate=FRAME_RATE,
        channels=1,
    )
    truth["audio"] = display_path(out)
    export_mp3(audio, out, BITRATE)
    write_json(truth, folder / "ground_truth.json")
    manifest = read_manifest(args.speech)
    write_manifest(folder, [manifest[c] for c in dict.fromkeys(used)])
    print(
        f"wrote {out.relative_to(ROOT)}: {truth['duration']:.1f} s, "
        f"{len(truth['lines'])} turns of {len(truth['speakers'])} speakers"
    )


if __name__ == "__main__":
    main()
