"""The speaker cases of ``bench/cases/`` (issue 11) hold together: truth, audio and script agree.

``bench/diarize.py`` scores the diarization against these ground truths, so a
truth that runs past its audio, has overlapping lines, or a music span that
is not music would make its figures wrong without anyone noticing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from toolkit.audio import decode, probe

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "cases"
ALIKE_CASES = ["alike-voices", "alike-women", "alike-scots", "alike-harbour"]
SPEAKER_CASES = ["panel-three", "music-bed", *ALIKE_CASES, "real-voices"]
RATE = 16000


def ground_truth(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES / name / "ground_truth.json").read_text("utf-8"))
    return data


def rms_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(max(float(np.sqrt(np.mean(samples**2))), 1e-9)))


@pytest.mark.parametrize("name", SPEAKER_CASES)
def test_lines_are_in_order_inside_the_audio(name: str) -> None:
    truth = ground_truth(name)
    audio = ROOT / truth["audio"]
    assert audio.parent == CASES / name
    duration = probe(audio).duration
    # An MP3 frame's padding at most; the truth is the samples written.
    assert abs(duration - truth["duration"]) < 0.1
    assert 90 <= truth["duration"] <= 180
    lines = truth["lines"]
    assert [line["index"] for line in lines] == list(range(len(lines)))
    prev_end = 0.0
    for line in lines:
        assert line["speaker"] == truth["speakers"][line["role"]]["name"]
        assert prev_end < line["start"] < line["end"] <= truth["duration"]
        for a, b in line.get("speech", [[line["start"], line["end"]]]):
            assert line["start"] <= a < b <= line["end"]
        prev_end = line["end"]
    names = [who["name"] for who in truth["speakers"].values()]
    assert len(set(names)) == len(names) >= 2
    assert {line["speaker"] for line in lines} == set(names)


@pytest.mark.parametrize("name", ["panel-three", "music-bed", *ALIKE_CASES])
def test_every_voice_differs_from_the_older_cases(name: str) -> None:
    truth = ground_truth(name)
    voices = {(w["voice"], w.get("pitch")) for w in truth["speakers"].values()}
    older = set()
    for path in CASES.glob("*/ground_truth.json"):
        if path.parent.name not in SPEAKER_CASES:
            data = json.loads(path.read_text("utf-8"))
            older |= {w["voice"] for w in data["speakers"].values()}
    assert not {v for v, _ in voices} & older
    assert len(voices) == len(truth["speakers"])


def test_panel_three_has_three_voices_and_short_turns() -> None:
    truth = ground_truth("panel-three")
    assert len(truth["speakers"]) == 3
    short = [line for line in truth["lines"] if line["end"] - line["start"] < 2.0]
    assert len(short) >= 3
    assert {"Right.", "Exactly."} <= {line["text"] for line in short}


def test_music_bed_spans_are_music_and_quieter_than_the_voices() -> None:
    truth = ground_truth("music-bed")
    music = truth["music"]
    lines = truth["lines"]
    intro, bed, outro = music
    assert intro[0] == 0.0 and 5.0 <= intro[1] - intro[0] <= 10.0
    assert 5.0 <= outro[1] - outro[0] <= 10.0 and outro[1] <= truth["duration"]
    assert intro[1] < lines[0]["start"] and lines[-1]["end"] < outro[0]
    assert bed[0] == intro[1] and bed[1] > lines[1]["end"]  # the bed runs under the voices
    samples = decode(ROOT / truth["audio"], RATE).astype(np.float64)

    def part(a: float, b: float) -> np.ndarray:
        return samples[round(a * RATE) : round(b * RATE)]

    jingle = rms_db(part(*intro))
    voice = rms_db(part(lines[1]["start"], lines[1]["end"]))
    # The pauses between lines: under the bed there is music, after it silence.
    under = [(a["end"] + 0.05, b["start"] - 0.05) for a, b in zip(lines, lines[1:], strict=False)]
    bed_pauses = [rms_db(part(a, b)) for a, b in under if b < bed[1] - 2.0]
    late_pauses = [rms_db(part(a, b)) for a, b in under if a > bed[1]]
    assert bed_pauses and late_pauses
    assert jingle > voice - 10
    assert all(voice - 30 < p < voice - 10 for p in bed_pauses)
    assert max(late_pauses) < min(bed_pauses) - 20
    # Music, not noise: the jingle's spectrum has strong peaks (notes), noise has none.
    spectrum = np.abs(np.fft.rfft(part(1.0, 5.0)))
    assert np.percentile(spectrum, 99.9) > 50 * np.median(spectrum)


@pytest.mark.parametrize("name", ALIKE_CASES)
def test_alike_voices_guest_never_introduces_themself(name: str) -> None:
    script = json.loads((CASES / name / "script.json").read_text("utf-8"))
    host, guest = script["speakers"]["host"], script["speakers"]["guest"]
    # One accent, one sex: two variants of the same espeak-ng voice.
    assert host["voice"].split("+")[0] == guest["voice"].split("+")[0]
    assert host["voice"].split("+")[1][0] == guest["voice"].split("+")[1][0]
    first = guest["name"].split()[0]
    guest_text = " ".join(line["text"] for line in script["lines"] if line["speaker"] == "guest")
    host_text = " ".join(line["text"] for line in script["lines"] if line["speaker"] == "host")
    assert guest["name"] not in guest_text and not re.search(rf"\b{first}\b", guest_text)
    assert re.search(r"\bI'm\b|\bmy name\b", guest_text, re.IGNORECASE) is None
    assert re.search(rf"\b{first}\b", host_text)  # addressed by name
    assert f"I'm {host['name']}" in host_text


def test_real_voices_records_its_sources() -> None:
    truth = ground_truth("real-voices")
    manifest = (CASES / "real-voices" / "MANIFEST.md").read_text("utf-8")
    clips = {clip for line in truth["lines"] for clip in line["clip"]}
    assert all(clip in manifest for clip in clips)
    assert "public domain" in manifest
    roles = [line["role"] for line in truth["lines"]]
    assert all(a != b for a, b in zip(roles, roles[1:], strict=False))  # turns alternate
    gaps = [b["start"] - a["end"] for a, b in zip(truth["lines"], truth["lines"][1:], strict=False)]
    assert all(0.3 - 1e-3 <= g <= 1.0 + 1e-3 for g in gaps)


@pytest.mark.parametrize("name", ALIKE_CASES)
def test_alike_voices_are_alike(name: str) -> None:
    """The two voices' mean prints are as near as one voice's windows are to its own print."""
    from toolkit.speakers.embed import WINDOW, embed_windows, window_starts

    truth = ground_truth(name)
    samples = decode(ROOT / truth["audio"], RATE)
    prints, spread = [], []
    for role in truth["speakers"]:
        spans = [(line["start"], line["end"]) for line in truth["lines"] if line["role"] == role]
        windows = embed_windows(samples, window_starts(spans), WINDOW)
        mean = windows.mean(axis=0)
        mean /= np.linalg.norm(mean)
        prints.append(mean)
        spread.append(float(np.median(1 - windows @ mean)))
    distance = 1 - float(prints[0] @ prints[1])
    assert distance < 0.08  # 0.19-0.39 between the voices of the other two-voice cases
    assert distance < min(spread)  # nearer than a voice's own windows are to it
