"""Golden files for the rendered show: feed, episode page, notes, chapters and
every transcript format (with the speakers the real speakers stage found).

The build runs every real stage except transcription, which loads a stored
transcript of the sample episode (Whisper base), so the output is the same on
every machine. To accept an intended change:
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_golden.py``,
then review the diff of tests/data/golden/sample/.
"""

from __future__ import annotations

import os

import pytest

from toolkit import pipeline

from .helpers import DATA, ROOT, SAMPLE_SLUG, stored_transcript_stages

GOLDEN = DATA / "golden" / "sample"
FILES = ["feed.xml", "index.html", f"{SAMPLE_SLUG}/index.html", f"{SAMPLE_SLUG}/notes.md",
         f"{SAMPLE_SLUG}/chapters.json"] + [
         f"{SAMPLE_SLUG}/transcript.{fmt}" for fmt in ("vtt", "srt", "json", "txt", "html")
]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    stages = stored_transcript_stages()
    out = tmp_path_factory.mktemp("golden-site")
    pipeline.build(ROOT, pipeline.BuildOptions(output=out, progress=False), stages=stages)
    return out


@pytest.mark.parametrize("name", FILES)
def test_rendered_file_matches_golden(built, name):
    rendered = (built / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")
