"""The real tiny.en model on real speech: accuracy and word timing."""

from __future__ import annotations

import json
import re
import statistics

import jiwer
import pytest

from toolkit.transcribe import TranscribeOptions, transcribe

from .helpers import SPEECH, normalise, speech_manifest

CLIPS = ["jfk.flac"] + sorted(p.name for p in SPEECH.glob("sense_and_sensibility_*.wav"))
OPTIONS = TranscribeOptions(model="tiny.en")


@pytest.fixture(scope="module")
def transcripts():
    return {clip: transcribe(SPEECH / clip, OPTIONS, progress=False) for clip in CLIPS}


def test_clips_are_all_there():
    assert len(CLIPS) == 6


@pytest.mark.parametrize("clip", CLIPS)
def test_word_error_rate(transcripts, clip):
    reference = normalise(speech_manifest()[clip])
    hypothesis = normalise(transcripts[clip].transcript.text)
    # "mister" is how the reader's transcript spells "Mr."
    hypothesis = re.sub(r"\bmr\b", "mister", hypothesis)
    wer = jiwer.wer(reference, hypothesis)
    assert wer <= 0.15, f"{clip}: WER {wer:.2%}: {hypothesis!r}"


def _forced_alignment(clip: str) -> list[tuple[str, float]]:
    data = json.loads((SPEECH / clip).with_suffix(".json").read_text())
    words = []
    for w in data["w"]:
        token = re.sub(r"\(\d+\)$", "", w["t"])
        if token.startswith("<"):
            continue
        words.append((token, w["b"]))
    return words


@pytest.mark.parametrize("clip", [c for c in CLIPS if c.startswith("sense")])
def test_word_start_times(transcripts, clip):
    truth = _forced_alignment(clip)
    ours = [(normalise(w.word), w.start) for w in transcripts[clip].transcript.words]
    # Pair words by matching text, in order.
    errors, j = [], 0
    for token, begin in truth:
        for k in range(j, min(j + 3, len(ours))):
            if ours[k][0] == token:
                errors.append(abs(ours[k][1] - begin))
                j = k + 1
                break
    assert len(errors) >= 0.8 * len(truth), f"only {len(errors)}/{len(truth)} words paired"
    assert statistics.median(errors) <= 0.3, f"median start error {statistics.median(errors):.3f}s"


def test_second_run_comes_from_the_cache(transcripts):
    again = transcribe(SPEECH / "jfk.flac", OPTIONS, progress=False)
    assert again.cached
    assert again.transcript == transcripts["jfk.flac"].transcript


def test_changed_options_miss_the_cache(transcripts):
    first = transcripts["jfk.flac"]
    other = transcribe(
        SPEECH / "jfk.flac", TranscribeOptions(model="tiny.en", beam_size=2), progress=False
    )
    assert not other.cached
    assert other.cache_path != first.cache_path
