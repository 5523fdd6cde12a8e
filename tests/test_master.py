"""Mastering to -16 LUFS / -1 dBTP with two-pass loudnorm, judged by ffmpeg's ebur128.

The clips are cut (``-c copy``) from the sample episode's speech, which peaks
at -0.5 dBTP at -20.6 LUFS: reaching -16 LUFS needs loudnorm's dynamic mode.
``jfk.flac`` (-12.9 LUFS, -2.1 dBTP) is turned down linearly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit import pipeline
from toolkit.audio import probe
from toolkit.errors import AudioError
from toolkit.hashing import file_sha256
from toolkit.master import MasterSettings, master, measure

from .helpers import DATA, ROOT, SAMPLE_SLUG, SPEECH, stored_transcript_stages

SAMPLE = ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3"


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP), as ffmpeg's ebur128 filter measures."""
    err = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    summary = err[err.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """20 s of the sample episode's speech (MP3, 22.05 kHz mono)."""
    dest = tmp_path_factory.mktemp("clip") / "clip.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-ss", "30", "-t", "20", "-i", str(SAMPLE),
         "-c", "copy", str(dest)],
        check=True,
    )  # fmt: skip
    return dest


@pytest.mark.parametrize("ext", ["mp3", "m4a", "opus", "flac"])
def test_mastered_clip_meets_apple_s_loudness(clip, tmp_path, ext):
    before = file_sha256(clip)
    dest = tmp_path / f"mastered.{ext}"
    result = master(probe(clip), dest, ext)
    assert file_sha256(clip) == before, "the source was modified"
    integrated, peak = ebur128(dest)
    assert abs(integrated - -16.0) <= 1.0, integrated
    assert peak <= -1.0, peak
    assert result.before.integrated < -19 and result.before.true_peak > -1
    assert result.normalization == "dynamic"  # a linear gain would clip the peaks
    assert abs(result.after.integrated - integrated) < 0.5  # "after" is the file's own
    assert abs(probe(dest).duration - probe(clip).duration) < 0.1


def test_a_loud_file_is_turned_down_linearly(tmp_path):
    dest = tmp_path / "jfk.flac"
    result = master(probe(SPEECH / "jfk.flac"), dest, "flac")
    assert result.normalization == "linear"
    integrated, peak = ebur128(dest)
    assert abs(integrated - -16.0) <= 1.0 and peak <= -1.0


def test_settings_set_the_target_channels_and_bitrate(clip, tmp_path):
    dest = tmp_path / "loud.mp3"
    settings = MasterSettings(target_lufs=-19.0, true_peak=-2.0, channels=2, bitrate="96k")
    master(probe(clip), dest, "mp3", settings)
    integrated, peak = ebur128(dest)
    assert abs(integrated - -19.0) <= 1.0 and peak <= -2.0
    info = probe(dest)
    assert info.channels == 2 and round((info.bit_rate or 0) / 1000) == 96


def test_silence_cannot_be_mastered(tmp_path):
    silent = DATA / "tagged" / "silence-44-s.mp3"
    with pytest.raises(AudioError, match="silent") as e:
        measure(silent)
    assert e.value.path == silent
    with pytest.raises(AudioError):
        master(probe(silent), tmp_path / "out.mp3", "mp3")
    assert not (tmp_path / "out.mp3").exists()


# --- the master stage in a build ---------------------------------------------------------
def _show(root: Path, master_toml: str) -> Path:
    shutil.copytree(ROOT / "episodes", root / "episodes")
    shutil.copy(ROOT / "cover.jpg", root)
    (root / "show.toml").write_text((ROOT / "show.toml").read_text() + master_toml)
    return root


def _build(show: Path, out: Path) -> tuple[pipeline.BuildReport, list[str]]:
    said: list[str] = []
    opts = pipeline.BuildOptions(output=out, progress=False, say=said.append)
    return pipeline.build(show, opts, stages=stored_transcript_stages()), said


def test_the_build_masters_reports_and_caches(tmp_path):
    show = _show(tmp_path / "show", "\n[master]\nenabled = true\n")
    out = tmp_path / "site"
    before = file_sha256(show / "episodes" / SAMPLE_SLUG / "audio.mp3")
    report, said = _build(show, out)
    line = next(s for s in said if s.startswith(f"{SAMPLE_SLUG}:"))
    assert re.search(r"mastered \(-20\.\d LUFS, -0\.\d dBTP -> -1[56]\.\d LUFS, -\d\.\d dBTP", line)
    published = out / SAMPLE_SLUG / f"{SAMPLE_SLUG}.mp3"
    integrated, peak = ebur128(published)
    assert abs(integrated - -16.0) <= 1.0 and peak <= -1.0
    assert file_sha256(show / "episodes" / SAMPLE_SLUG / "audio.mp3") == before
    state = json.loads((out / ".toolkit" / "state.json").read_text())
    kept = state["episodes"][SAMPLE_SLUG]["master"]["data"]["loudness"]
    assert kept["before"]["integrated"] < -19 and abs(kept["after"]["integrated"] + 16) <= 1
    # The same build again: nothing is mastered again. A new title re-tags the
    # mastered audio without mastering it again; a new target masters again.
    again, _ = _build(show, out)
    assert again.episodes[0].actions["master"] == "reused"
    toml = show / "episodes" / SAMPLE_SLUG / "episode.toml"
    toml.write_text(toml.read_text().replace('title = "Japan,', 'title = "Japan again,'))
    retitled, _ = _build(show, out)
    assert retitled.episodes[0].actions["master"] == "reused"
    assert retitled.episodes[0].actions["tag"] == "re-tagged"
    assert abs(ebur128(published)[0] - integrated) < 0.05
    with open(show / "show.toml", "a") as f:
        f.write("target_lufs = -19.0\n")
    louder, _ = _build(show, out)
    assert louder.episodes[0].actions["master"].startswith("mastered (")
    assert abs(ebur128(published)[0] - -19.0) <= 1.0


def test_mastering_is_off_by_default_and_says_nothing(tmp_path):
    show = _show(tmp_path / "show", "")
    report, said = _build(show, tmp_path / "site")
    assert report.episodes[0].actions["master"] == ""
    assert "master" not in next(s for s in said if s.startswith(f"{SAMPLE_SLUG}:"))
    assert not list((tmp_path / "site").rglob(".mastered.*"))


@pytest.mark.parametrize(
    ("toml", "field", "message"),
    [
        ('[master]\nbitrate = "loud"\n', "master.bitrate", 'a bit rate such as "128k"'),
        ("[master]\ntrue_peak = 2\n", "master.true_peak", "less than or equal to 0"),
        ("[publish]\nid3_version = 5\n", "publish.id3_version", "3 or 4"),
        ('[publish]\nformat = "wav"\n', "publish.format", "'source' or 'mp3'"),
    ],
)
def test_bad_settings_name_the_field(tmp_path, toml, field, message):
    from toolkit.config import load_show
    from toolkit.errors import ConfigError

    show = _show(tmp_path / "show", "\n" + toml)
    with pytest.raises(ConfigError, match=re.escape(message)) as e:
        load_show(show)
    assert (e.value.path, e.value.field) == (show / "show.toml", field)
