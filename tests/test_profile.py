"""``toolkit build --profile``: where a build's time goes (toolkit.profile)."""

from __future__ import annotations

import contextvars
import json
import threading
import time
from pathlib import Path

import pytest

from toolkit.profile import Profile, profiling, timed


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_spans_nest_and_add_up():
    with profiling() as prof, timed("episode"):
        for _ in range(3):
            with timed("pass"):
                _spin(0.01)
        with timed("render"):
            _spin(0.01)
    paths = [t.path for t in prof.timings]
    assert paths == [("episode",), ("episode", "pass"), ("episode", "render")]
    episode, passes, render = prof.timings
    assert passes.count == 3 and render.count == 1
    assert passes.wall >= 0.03 and passes.cpu > 0
    assert episode.wall >= passes.wall + render.wall
    assert prof.wall >= episode.wall
    assert prof.get("episode", "pass") is passes and prof.get("nowhere") is None


def test_timed_records_nothing_outside_profiling():
    with timed("alone"):
        _spin(0.001)
    with profiling() as prof:
        pass
    assert prof.timings == []


def test_a_span_is_recorded_when_its_block_raises():
    with profiling() as prof, pytest.raises(ValueError), timed("failing"):
        raise ValueError("boom")
    assert prof.get("failing") is not None and prof.get("failing").count == 1


def test_a_thread_started_with_the_context_nests_under_its_starter():
    """Work started alongside (the diarization) keeps its own path, under the span it began in."""

    def alongside() -> None:
        with timed("diarization"), timed("voice prints"):
            _spin(0.02)

    with profiling() as prof, timed("transcribe"):
        thread = threading.Thread(target=contextvars.copy_context().run, args=(alongside,))
        thread.start()
        with timed("decoding"):
            _spin(0.02)
        thread.join()
    tree = [t.path for t in prof.tree()]
    assert ("transcribe", "diarization", "voice prints") in tree
    assert tree.index(("transcribe", "diarization", "voice prints")) == (
        tree.index(("transcribe", "diarization")) + 1
    )
    assert ("transcribe", "decoding") in tree
    assert ("transcribe", "decoding", "diarization") not in tree


def test_the_table_indents_children_and_gives_shares():
    with profiling() as prof, timed("episode"), timed("transcribe"):
        _spin(0.02)
    lines = prof.table().splitlines()
    assert lines[0].split() == ["step", "wall", "s", "share", "cpu/wall"]
    assert lines[1].startswith("episode ")
    assert lines[2].startswith("  transcribe ")
    assert lines[-1].startswith("total ") and "100 %" in lines[-1]
    saved = prof.to_dict()
    assert [s["path"] for s in saved["spans"]] == [["episode"], ["episode", "transcribe"]]
    empty = Profile().table().splitlines()
    assert len(empty) == 2 and empty[0].startswith("step") and empty[1].startswith("total")


def test_the_sample_build_profile_shows_its_stages_and_passes(site: Path):
    """The session's build ran with --profile FILE: each stage and pass, diarization alongside."""
    saved = json.loads((site.parent / "site-profile.json").read_text())
    spans = {tuple(s["path"]): s for s in saved["spans"]}
    slug = "001-japan-security-council"
    for stage in ("probe", "transcribe", "speakers", "align", "transcripts", "tag", "page"):
        assert (slug, stage) in spans, stage
    assert (slug, "transcribe", "biased pass", "decoding") in spans
    # The diarization ran in its thread while the episode was transcribed.
    assert (slug, "transcribe", "alongside: diarization", "diarization", "voice prints") in spans
    transcribe = spans[(slug, "transcribe")]["wall"]
    assert spans[(slug, "transcribe", "biased pass")]["wall"] <= transcribe
    assert 0 < transcribe <= saved["wall"]
    assert ("publish",) in spans and ("feed and index page",) in spans
