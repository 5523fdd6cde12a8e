"""``toolkit tags`` and ``toolkit new-episode`` through the real CLI, on real files."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit import pipeline
from toolkit.audio import probe
from toolkit.cli import cli
from toolkit.config import load_episode
from toolkit.hashing import file_sha256
from toolkit.newepisode import slugify
from toolkit.tag import ChapterTag, publish_audio

from .helpers import DATA, ROOT, SAMPLE_SLUG, stored_transcript_stages
from .test_tag import full_tags

TAGGED = DATA / "tagged"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def tagged_mp3(tmp_path) -> Path:
    """An MP3 published by the toolkit: every field, three chapters."""
    dest = tmp_path / "in" / "Episode 4.mp3"
    tags = full_tags(3.7)
    tags.chapters = [
        ChapterTag(0.0, "Hello", url="https://example.org/hello"),
        ChapterTag(1.25, "Middle"),
        ChapterTag(2.5, "Goodbye"),
    ]
    publish_audio(probe(TAGGED / "silence-44-s.mp3"), dest, tags)
    return dest


@pytest.fixture
def show(tmp_path) -> Path:
    root = tmp_path / "show"
    root.mkdir()
    shutil.copy(ROOT / "show.toml", root)
    shutil.copy(ROOT / "cover.jpg", root)
    return root


# --- toolkit tags --------------------------------------------------------------------
def test_tags_prints_a_table_of_fields_and_chapters(tagged_mp3):
    result = run("tags", str(tagged_mp3))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "MP3, ID3v2.3" in out
    assert "Tïtle of the episode" in out and "The Show" in out
    assert "https://example.org/feed.xml" in out and "show-004" in out
    assert "chapters     3 (ID3 CHAP)" in out
    assert "0:00:01.250  0:00:02.500  Middle" in out
    assert "https://example.org/hello" in out


def test_tags_json_has_every_field(tagged_mp3):
    result = run("tags", str(tagged_mp3), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "Tïtle of the episode" and data["podcast"] is True
    assert [c["title"] for c in data["chapters"]] == ["Hello", "Middle", "Goodbye"]
    assert data["artwork"]["mime"] == "image/jpeg"
    assert data["transcript"] == "Hello there.\nAnd goodbye."


def test_tags_reads_an_m4b_s_nero_chapters():
    result = run("tags", str(TAGGED / "nero-chapters.m4b"), "--json")
    data = json.loads(result.output)
    assert data["chapter_format"] == "Nero chpl" and len(data["chapters"]) == 112
    assert data["genre"] == "Audiobook"


@pytest.mark.parametrize("name", ["missing.mp3", "notes.txt"])
def test_tags_refuses_what_it_cannot_read(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("just text\n")
    result = run("tags", str(path))
    assert result.exit_code == 1
    assert str(path) in result.output
    assert "Traceback" not in result.output


# --- toolkit new-episode ---------------------------------------------------------------
def test_slugify():
    assert slugify("Japan, the Security Council & the search: for ONE voice!") == (
        "japan-the-security-council-the-search-for-one-voice"
    )
    assert slugify("Ça déborde — épisode 3") == "ca-deborde-episode-3"
    assert len(slugify("word " * 40)) <= 60


def test_new_episode_makes_an_episode_from_the_tags(tagged_mp3, show):
    before = file_sha256(tagged_mp3)
    result = run("new-episode", str(tagged_mp3), "--show", str(show))
    assert result.exit_code == 0, result.output
    folder = show / "episodes" / "title-of-the-episode"
    assert f"wrote {folder / 'episode.toml'}" in result.output
    assert "3 chapter(s)" in result.output
    assert file_sha256(tagged_mp3) == before, "the source was modified"
    assert tagged_mp3.is_file(), "the source was moved"
    assert file_sha256(folder / "audio.mp3") == before
    data = tomllib.loads((folder / "episode.toml").read_text())
    assert data["title"] == "Tïtle of the episode"
    assert (data["number"], data["season"], data["guid"]) == (4, 2, "show-004")
    assert str(data["date"]) == "2023-01-17"
    assert data["description"] == "What the episode is about."
    assert data["keywords"] == ["news", "politics"]
    assert [(c["start"], c["title"]) for c in data["chapters"]] == [
        (0.0, "Hello"),
        (1.25, "Middle"),
        (2.5, "Goodbye"),
    ]
    assert data["chapters"][0]["url"] == "https://example.org/hello"
    episode = load_episode(folder)
    assert [c.title for c in episode.chapters] == ["Hello", "Middle", "Goodbye"]


def test_new_episode_never_overwrites_an_episode(tagged_mp3, show):
    assert run("new-episode", str(tagged_mp3), "--show", str(show)).exit_code == 0
    toml = show / "episodes" / "title-of-the-episode" / "episode.toml"
    toml.write_text(toml.read_text() + "# edited\n")
    result = run("new-episode", str(tagged_mp3), "--show", str(show))
    assert result.exit_code == 1
    assert "exists already" in result.output and "Traceback" not in result.output
    assert toml.read_text().endswith("# edited\n")


def test_new_episode_names_the_missing_field(show):
    # music-metadata's chapters sample has chapters and an artist, but no title.
    result = run("new-episode", str(TAGGED / "mp3__chapters.mp3"), "--show", str(show))
    assert result.exit_code == 1
    assert "mp3__chapters.mp3" in result.output and "field 'title'" in result.output
    assert not (show / "episodes").exists() or not any((show / "episodes").iterdir())


def test_new_episode_needs_a_show_folder(tagged_mp3, tmp_path):
    result = run("new-episode", str(tagged_mp3), "--show", str(tmp_path))
    assert result.exit_code == 1 and "show.toml" in result.output


def test_a_year_alone_becomes_the_first_of_january(show, tmp_path):
    mp3 = tmp_path / "old.mp3"
    tags = full_tags(3.7)
    tags.date, tags.chapters = "2004", []
    publish_audio(probe(TAGGED / "silence-44-s.mp3"), mp3, tags)
    result = run("new-episode", str(mp3), "--show", str(show))
    assert result.exit_code == 0, result.output
    assert "note: the tags give only the year 2004" in result.output
    data = tomllib.loads((show / "episodes" / "title-of-the-episode" / "episode.toml").read_text())
    assert str(data["date"]) == "2004-01-01"


def test_the_build_uses_episode_toml_s_chapters(tmp_path):
    show = tmp_path / "show"
    shutil.copytree(ROOT / "episodes", show / "episodes")
    shutil.copy(ROOT / "cover.jpg", show)
    shutil.copy(ROOT / "show.toml", show)
    toml = show / "episodes" / SAMPLE_SLUG / "episode.toml"
    toml.write_text(
        toml.read_text()
        + '\n[[chapters]]\nstart = "1:30"\ntitle = "Later"\n'
        + '\n[[chapters]]\nstart = 0\ntitle = "Opening"\nurl = "https://example.org/"\n'
    )
    out = tmp_path / "site"
    opts = pipeline.BuildOptions(output=out, progress=False)
    pipeline.build(show, opts, stages=stored_transcript_stages())
    chapters = json.loads((out / SAMPLE_SLUG / "chapters.json").read_text())["chapters"]
    assert [(c["startTime"], c["title"]) for c in chapters] == [(0.0, "Opening"), (90.0, "Later")]
    result = run("tags", str(out / SAMPLE_SLUG / f"{SAMPLE_SLUG}.mp3"), "--json")
    assert [c["title"] for c in json.loads(result.output)["chapters"]] == ["Opening", "Later"]


def test_new_episode_leaves_out_a_chapter_link_that_is_no_web_url(tmp_path, show):
    """A source chapter's javascript: link is left out, with a note; a description
    longer than Apple's 4,000 bytes is an error naming the audio and the field."""
    source = tmp_path / "in" / "Episode 5.mp3"
    tags = full_tags(3.7)
    tags.chapters = [
        ChapterTag(0.0, "Hello", url="javascript:alert(1)"),
        ChapterTag(1.25, "Web", url="https://example.org/web"),
    ]
    publish_audio(probe(TAGGED / "silence-44-s.mp3"), source, tags)
    result = run("new-episode", str(source), "--show", str(show))
    assert result.exit_code == 0, result.output
    assert "'javascript:alert(1)' is no web URL; left out" in result.output
    toml = show / "episodes" / "title-of-the-episode" / "episode.toml"
    chapters = tomllib.loads(toml.read_text())["chapters"]
    assert [c.get("url") for c in chapters] == [None, "https://example.org/web"]

    long = tmp_path / "in" / "Episode 6.mp3"
    tags.title, tags.description = "Another one", "é" * 2001
    publish_audio(probe(TAGGED / "silence-44-s.mp3"), long, tags)
    result = run("new-episode", str(long), "--show", str(show))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{long}: field 'description': " in result.output and "4002 bytes" in result.output
    assert not (show / "episodes" / "another-one").exists()
