"""The stand-alone commands: transcribe and models."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from toolkit.cli import cli

from .helpers import ROOT, SAMPLE_SLUG, SPEECH


def test_transcribe_writes_every_format(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["transcribe", str(SPEECH / "jfk.flac"), "--model", "tiny.en", "-o", str(tmp_path), "-q"],
    )
    assert result.exit_code == 0, result.output
    vtt = (tmp_path / "jfk.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n00:00:00.")
    assert "ask not what your country can do for you" in vtt.replace("\n", " ").lower()
    assert (tmp_path / "jfk.srt").read_text().startswith("1\n00:00:00,")
    assert json.loads((tmp_path / "jfk.json").read_text())["version"] == "1.0.0"
    assert "Americans" in (tmp_path / "jfk.txt").read_text()


def test_transcribe_with_article_writes_alignment(tmp_path):
    article = tmp_path / "speech.md"
    article.write_text(
        "# Inaugural address\n\nThe president said: \u201cAsk not what your country can do "
        "for you, ask what you can do for your country.\u201d\n"
    )
    result = CliRunner().invoke(
        cli,
        ["transcribe", str(SPEECH / "jfk.flac"), "--format", "txt", "-o", str(tmp_path),
         "--article", str(article), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    alignment = json.loads((tmp_path / "jfk.alignment.json").read_text())
    [quote] = alignment["quotes"]
    assert quote["status"] in ("verbatim", "near")
    assert 2.0 < quote["start"] < 5.0


def test_transcribe_refuses_unknown_format_and_bad_audio(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["transcribe", str(SPEECH / "jfk.flac"), "--format", "docx"])
    assert result.exit_code == 2
    assert "unknown format(s) docx" in result.output
    notes = ROOT / "episodes" / SAMPLE_SLUG / "SOURCES.md"
    result = runner.invoke(cli, ["transcribe", str(notes), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{notes}: not a readable audio file" in result.output
    missing = tmp_path / "nope.mp3"
    result = runner.invoke(cli, ["transcribe", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: audio file not found" in result.output
    jfk = str(SPEECH / "jfk.flac")
    args = ["transcribe", jfk, "--engine", "openai", "--compute-type", "int8", "-o", str(tmp_path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "compute type 'int8' needs the faster engine" in result.output


def test_models_lists_and_prepares_the_offline_weights():
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    assert lines["tiny.en"].startswith("ready: ")
    assert lines["base"].startswith("ready: ")


def test_unknown_model_is_a_clear_error():
    result = CliRunner().invoke(
        cli, ["transcribe", str(SPEECH / "jfk.flac"), "--model", "gigantic", "-q"]
    )
    assert result.exit_code == 1
    assert "gigantic" in result.output
    assert "Traceback" not in result.output


def test_align_command_on_the_built_sample(site, tmp_path):
    episode = site / SAMPLE_SLUG
    dest = tmp_path / "alignment.json"
    result = CliRunner().invoke(
        cli, ["align", str(episode / "transcript.full.json"),
              str(ROOT / "episodes" / SAMPLE_SLUG / "article.txt"), "-o", str(dest),
              "--audio", str(ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(dest.read_text())
    assert data["version"] == 5
    built = json.loads((episode / "alignment.json").read_text())
    # transcript.full.json is the transcribe stage's, without speakers: the build
    # aligned the transcript split at every turn, and knows who read each quote.
    assert all(q.pop("voiced_by") is None for q in data["quotes"])
    assert all(q.pop("voiced_by") for q in built["quotes"] if q["start"] is not None)
    for q in built["quotes"]:
        q.pop("voiced_by", None)
    assert data["quotes"] == built["quotes"]
    for got, want in zip(data["paragraphs"], built["paragraphs"], strict=True):
        assert (got["discussed"], got["start"]) == (want["discussed"], want["start"])
        if want["end"] is not None:
            assert abs(got["end"] - want["end"]) <= 4.0
    assert "paragraphs discussed" in result.output


def test_align_command_bad_transcript(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(
        cli, ["align", str(bad), str(ROOT / "episodes" / SAMPLE_SLUG / "article.txt")]
    )
    assert result.exit_code == 1
    assert f"{bad}: cannot read transcript" in result.output


def test_transcribe_layout_options(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["transcribe", str(SPEECH / "jfk.flac"), "--format", "vtt,srt,json", "-o", str(tmp_path),
         "--max-line-chars", "20", "--max-lines", "1", "--word-level", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cues = (tmp_path / "jfk.vtt").read_text().split("\n\n")[1:]
    assert len(cues) >= 5
    for cue in cues:
        timing, *lines = cue.strip().split("\n")
        assert "-->" in timing
        assert len(lines) == 1 and len(lines[0]) <= 20, cue
    full = json.loads((tmp_path / "jfk.full.json").read_text())
    n_words = sum(len(s["words"]) for s in full["segments"])
    entries = json.loads((tmp_path / "jfk.json").read_text())["segments"]
    assert len(entries) == n_words > 15
    assert all(len(e["body"].split()) == 1 for e in entries)


def test_models_for_the_faster_engine_are_ctranslate2_folders():
    result = CliRunner().invoke(cli, ["models", "--engine", "faster"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    for name in ("tiny.en", "base"):
        assert lines[name].startswith("ready: "), lines
        folder = Path(lines[name].removeprefix("ready: "))
        assert (folder / "model.bin").is_file() and (folder / "config.json").is_file()
