"""show.toml's [transcripts] and [chapters] settings reach the built files.

Every real stage runs except transcription, which loads a stored base-model
transcript of the sample episode (as in tests/test_render_golden.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import webvtt

from toolkit import pipeline
from toolkit.errors import ConfigError

from .helpers import ROOT, SAMPLE_SLUG, stored_transcript_stages

SETTINGS = """
[transcripts]
max_line_chars = 24
max_lines = 1
word_level = true

[chapters]
min_length = 60
"""


def _show(tmp_path: Path, extra: str) -> Path:
    show = tmp_path / "show"
    shutil.copytree(ROOT / "episodes", show / "episodes")
    shutil.copy(ROOT / "cover.jpg", show)
    (show / "show.toml").write_text((ROOT / "show.toml").read_text() + extra)
    return show


def _build(show: Path, out: Path) -> Path:
    stages = stored_transcript_stages()
    pipeline.build(show, pipeline.BuildOptions(output=out, progress=False), stages=stages)
    return out / SAMPLE_SLUG


@pytest.fixture(scope="module")
def default_and_set(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("settings")
    default = _build(_show(tmp / "a", ""), tmp / "a" / "site")
    changed = _build(_show(tmp / "b", SETTINGS), tmp / "b" / "site")
    return default, changed


def test_caption_layout(default_and_set):
    default, changed = default_and_set
    before = webvtt.read(str(default / "transcript.vtt"))
    after = webvtt.read(str(changed / "transcript.vtt"))
    assert max(len(c.text.split("\n")) for c in before) == 2
    assert all(len(c.text.split("\n")) == 1 for c in after)
    assert all(len(c.text) <= 24 or " " not in c.text for c in after)
    assert len(after) > len(before)


def test_word_level_json(default_and_set):
    default, changed = default_and_set
    segments = json.loads((default / "transcript.json").read_text())["segments"]
    words = json.loads((changed / "transcript.json").read_text())["segments"]
    assert len(words) > 2 * len(segments)
    assert all(len(w["body"].split()) == 1 for w in words)


def test_chapter_minimum_length(default_and_set):
    default, changed = default_and_set
    before = json.loads((default / "chapters.json").read_text())["chapters"]
    after = json.loads((changed / "chapters.json").read_text())["chapters"]
    assert len(after) < len(before)
    starts = [c["startTime"] for c in after]
    assert starts[0] == 0
    lengths = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(lengths) >= 60, starts


def test_bad_setting_names_the_field(tmp_path):
    show = _show(tmp_path, "\n[chapters]\nmin_length = -5\n")
    with pytest.raises(ConfigError) as e:
        pipeline.build(show, pipeline.BuildOptions(output=tmp_path / "site", progress=False))
    assert "show.toml" in str(e.value) and "min_length" in str(e.value)
