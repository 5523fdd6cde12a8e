"""The player's waveform: peaks of the real sample episode, and where the page draws them."""

from __future__ import annotations

import json
import subprocess

import pytest

from toolkit.errors import AudioError
from toolkit.waveform import BINS, Waveform, waveform

from .helpers import ROOT, SAMPLE_SLUG

AUDIO = ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3"
TRUTH = json.loads((ROOT / "tools" / "sample_episode" / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def wave() -> Waveform:
    return waveform(AUDIO)


def test_peaks_follow_the_speech(wave: Waveform) -> None:
    assert len(wave.peaks) == BINS and max(wave.peaks) == 1.0 and min(wave.peaks) >= 0
    assert wave.duration == pytest.approx(TRUTH["duration"], abs=0.5)
    step = wave.duration / BINS
    # The script starts speaking at 0.5 s: the first bar is quieter than any bar of speech.
    inside = [
        p
        for i, p in enumerate(wave.peaks)
        if any(
            ln["start"] + 0.5 < i * step and (i + 1) * step < ln["end"] - 0.5
            for ln in TRUTH["lines"]
        )
    ]
    assert len(inside) > BINS / 2
    assert wave.peaks[0] < min(inside)
    assert waveform(AUDIO) == wave  # the same audio, the same peaks


def test_saved_and_read_back(wave: Waveform, tmp_path) -> None:
    wave.save(tmp_path / "waveform.json")
    assert json.loads((tmp_path / "waveform.json").read_text())["version"] == 1
    assert Waveform.load(tmp_path / "waveform.json") == wave
    assert (tmp_path / "waveform.json").stat().st_size < 4000


def test_silence_and_errors(tmp_path) -> None:
    quiet = tmp_path / "quiet.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=8000:cl=mono",
            "-t",
            "2",
            str(quiet),
        ],
        check=True,
    )
    assert set(waveform(quiet).peaks) == {0.0}
    bad = tmp_path / "bad.mp3"
    bad.write_text("not audio")
    with pytest.raises(AudioError):
        waveform(bad)


def test_the_page_draws_it_with_the_chapters(site) -> None:
    page = (site / SAMPLE_SLUG / "index.html").read_text()
    saved = Waveform.load(site / SAMPLE_SLUG / "waveform.json")
    assert len(saved.peaks) == BINS
    svg = page[
        page.index('<svg class="waveform"') : page.index(
            "</svg>", page.index('<svg class="waveform"')
        )
    ]
    assert svg.count("M") == BINS
    chapters = json.loads((site / SAMPLE_SLUG / "chapters.json").read_text())["chapters"]
    assert svg.count("<line") == sum(c["startTime"] > 0 for c in chapters) >= 2
