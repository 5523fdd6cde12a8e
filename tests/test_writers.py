"""Golden tests for the transcript writers.

To accept an intended change: ``UPDATE_GOLDEN=1 pytest tests/test_writers.py``
and review the diff of tests/data/golden/.
"""

from __future__ import annotations

import json
import os

import pytest

from toolkit.transcript import Transcript
from toolkit.writers import WRITERS, get_writer, make_cues

from .helpers import DATA

GOLDEN = DATA / "golden"


@pytest.fixture
def transcript() -> Transcript:
    return Transcript.load(GOLDEN / "transcript.full.json")


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_writer_matches_golden(transcript, fmt):
    rendered = get_writer(fmt).render(transcript)
    golden = GOLDEN / f"transcript.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_cues_respect_line_length_and_count(transcript):
    cues = make_cues(transcript, max_line_chars=20, max_lines=2)
    assert all(len(line) <= 20 for cue in cues for line in cue.lines)
    assert all(1 <= len(cue.lines) <= 2 for cue in cues)
    # Cues follow word timings and never overlap or cross a speaker change.
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.end <= b.start
    assert [c.speaker for c in cues][-1] == "Guest"
    # No word is lost or duplicated.
    words = " ".join(c.text for c in cues).split()
    assert words == transcript.text.split()


def test_podcasting20_json_shape(transcript):
    data = json.loads(get_writer("json").render(transcript))
    assert data["version"] == "1.0.0"
    assert [s["speaker"] for s in data["segments"]] == ["Host", "Host", "Guest"]
    assert data["segments"][0]["startTime"] == 0.5
    assert data["segments"][2]["endTime"] == 12.5


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown transcript format 'docx'"):
        get_writer("docx")


def test_transcript_round_trip(transcript, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(transcript.to_dict()))
    assert Transcript.load(path) == transcript
