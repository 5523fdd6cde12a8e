"""The diarization scorer on hand-built turns, where the right DER is known."""

from __future__ import annotations

import pytest

from toolkit.speakers.model import Turn
from toolkit.speakers.score import der, speaker_count, speaker_seconds

REF = [Turn(0.0, 10.0, "A"), Turn(10.0, 20.0, "B"), Turn(20.0, 30.0, "A")]


def test_perfect_match_is_zero() -> None:
    assert der(REF, REF, collar=0.0) == 0.0


def test_swapped_labels_are_mapped() -> None:
    hyp = [Turn(t.start, t.end, {"A": "S2", "B": "S1"}[t.speaker]) for t in REF]
    assert der(REF, hyp, collar=0.0) == 0.0


def test_a_missed_turn_is_its_share() -> None:
    hyp = REF[:2]  # the last 10 s of 30 s of speech are missed
    assert der(REF, hyp, collar=0.0) == pytest.approx(1 / 3)


def test_confusion_and_false_alarm() -> None:
    # One label for everything: B's 10 s are confused; 5 s of invented speech.
    hyp = [Turn(0.0, 35.0, "X")]
    assert der(REF, hyp, collar=0.0, duration=35.0) == pytest.approx(15 / 30)


def test_the_collar_forgives_small_boundary_errors() -> None:
    hyp = [Turn(0.0, 10.2, "A"), Turn(10.2, 19.8, "B"), Turn(19.8, 30.0, "A")]
    assert der(REF, hyp, collar=0.0) == pytest.approx(0.4 / 30)
    assert der(REF, hyp, collar=0.25) == 0.0
    late = [Turn(0.0, 10.5, "A"), Turn(10.5, 20.0, "B"), Turn(20.0, 30.0, "A")]
    assert der(REF, late, collar=0.25) > 0.0


def test_an_extra_voice_is_an_error() -> None:
    hyp = [Turn(0.0, 10.0, "S1"), Turn(10.0, 20.0, "S2"), Turn(20.0, 30.0, "S3")]
    assert der(REF, hyp, collar=0.0) == pytest.approx(1 / 3)


def test_overlap_counts_each_voice() -> None:
    ref = [Turn(0.0, 10.0, "A"), Turn(5.0, 10.0, "B")]  # 15 s of speech
    hyp = [Turn(0.0, 10.0, "S1")]
    assert der(ref, hyp, collar=0.0) == pytest.approx(5 / 15)


def test_empty_reference() -> None:
    assert der([], [], collar=0.0) == 0.0
    assert der([], [Turn(0.0, 1.0, "S1")], collar=0.0) == 1.0


def test_speaker_counts() -> None:
    assert speaker_seconds(REF) == {"A": 20.0, "B": 10.0}
    assert speaker_count(REF) == 2
    assert speaker_count(REF, min_seconds=15.0) == 1
