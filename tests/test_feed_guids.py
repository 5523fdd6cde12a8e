"""Permanent item guids: assigned once, recorded beside the show, never derived from a URL.

An episode without a ``guid`` in ``episode.toml`` gets a UUID on its first
build (``<show>/.toolkit/guids.json``); a changed title, a renamed folder
(found again by its audio's content) or a moved site (``base_url``) keeps it.
``toolkit build --write-guids`` writes it into ``episode.toml`` and changes
nothing else there.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit import pipeline
from toolkit.cli import cli
from toolkit.config import load_episodes
from toolkit.errors import ConfigError
from toolkit.hashing import file_sha256
from toolkit.pipeline.guids import GUIDS_FILE, GUIDS_VERSION, assign_guids, write_guid

from .helpers import ROOT, SAMPLE_SLUG, stored_transcript_stages

SAMPLE = ROOT / "episodes" / SAMPLE_SLUG
SAMPLE_GUID = 'guid = "un-desk-2023-001-japan-security-council"\n'


def make_show(root: Path, slugs: list[str], audio: Path | None = None) -> Path:
    """A copy of the sample show whose episodes have no guid (one folder per slug)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "show.toml", root)
    shutil.copy(ROOT / "cover.jpg", root)
    toml = (SAMPLE / "episode.toml").read_text(encoding="utf-8")
    assert SAMPLE_GUID in toml
    for n, slug in enumerate(slugs, 1):
        folder = root / "episodes" / slug
        folder.mkdir(parents=True)
        shutil.copy(audio or SAMPLE / "audio.mp3", folder / "audio.mp3")
        shutil.copy(SAMPLE / "article.txt", folder)
        text = toml.replace(SAMPLE_GUID, "").replace("number = 1", f"number = {n}")
        (folder / "episode.toml").write_text(text, encoding="utf-8")
    return root


def guids(root: Path, say=None) -> dict[str, str]:
    return assign_guids(root, load_episodes(root), file_sha256, say)


def other_audio(tmp_path: Path) -> Path:
    """An MP3 with other content: the sample's bytes and one more."""
    path = tmp_path / "other.mp3"
    path.write_bytes((SAMPLE / "audio.mp3").read_bytes() + b"\0")
    return path


# --- the rule -------------------------------------------------------------------
def test_first_build_assigns_a_uuid_and_records_it(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    said: list[str] = []
    first = guids(show, said.append)
    assert uuid.UUID(first["001-a"]).version == 4
    assert said == [f"001-a: assigned the permanent guid {first['001-a']} (recorded in "
                    f"{show / GUIDS_FILE})"]  # fmt: skip
    record = json.loads((show / GUIDS_FILE).read_text())
    assert record["version"] == GUIDS_VERSION
    assert record["episodes"] == [
        {"guid": first["001-a"], "slug": "001-a", "audio": [file_sha256(SAMPLE / "audio.mp3")]}
    ]
    # The producer's episode.toml is not touched.
    assert "guid" not in (show / "episodes" / "001-a" / "episode.toml").read_text()


def test_nothing_changed_nothing_written(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    first = guids(show)
    before = (show / GUIDS_FILE).stat().st_mtime_ns
    said: list[str] = []
    assert guids(show, said.append) == first
    assert said == [] and (show / GUIDS_FILE).stat().st_mtime_ns == before


def test_title_change_keeps_the_guid(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    first = guids(show)
    toml = show / "episodes" / "001-a" / "episode.toml"
    text = toml.read_text()
    toml.write_text(text.replace("search for one voice", "a new title"))
    assert guids(show) == first


def test_renamed_folder_keeps_the_guid_through_its_audio(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    first = guids(show)
    (show / "episodes" / "001-a").rename(show / "episodes" / "001-renamed")
    said: list[str] = []
    assert guids(show, said.append) == {"001-renamed": first["001-a"]}
    assert said[0].startswith(f"001-renamed: renamed from 001-a, kept its guid {first['001-a']}")
    assert json.loads((show / GUIDS_FILE).read_text())["episodes"][0]["slug"] == "001-renamed"


def test_new_audio_keeps_the_guid_and_a_later_rename_still_finds_it(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    first = guids(show)
    shutil.copy(other_audio(tmp_path), show / "episodes" / "001-a" / "audio.mp3")
    assert guids(show) == first
    record = json.loads((show / GUIDS_FILE).read_text())["episodes"][0]
    assert len(record["audio"]) == 2  # first seen first, then the new one
    (show / "episodes" / "001-a").rename(show / "episodes" / "001-b")
    assert guids(show) == {"001-b": first["001-a"]}


def test_rename_and_new_audio_at_once_is_a_new_episode(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    first = guids(show)
    (show / "episodes" / "001-a").rename(show / "episodes" / "001-b")
    shutil.copy(other_audio(tmp_path), show / "episodes" / "001-b" / "audio.mp3")
    assert guids(show)["001-b"] != first["001-a"]


def test_withdrawn_episode_put_back_keeps_its_guid(tmp_path):
    show = make_show(tmp_path / "show", ["001-a", "002-b"])
    first = guids(show)
    away = tmp_path / "away"
    (show / "episodes" / "002-b").rename(away)
    assert guids(show) == {"001-a": first["001-a"]}
    away.rename(show / "episodes" / "002-b")
    assert guids(show) == first


def test_two_episodes_with_the_same_audio_get_two_guids(tmp_path):
    show = make_show(tmp_path / "show", ["001-a", "002-b"])
    first = guids(show)
    assert len(set(first.values())) == 2
    # One renamed: the orphaned record is the one whose audio matches, and only once.
    (show / "episodes" / "002-b").rename(show / "episodes" / "003-c")
    again = guids(show)
    assert again["001-a"] == first["001-a"] and again["003-c"] == first["002-b"]


def test_episode_toml_guid_wins_and_is_not_recorded(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    toml = show / "episodes" / "001-a" / "episode.toml"
    toml.write_text('guid = "mine"\n' + toml.read_text())
    assert guids(show) == {"001-a": "mine"}
    assert not (show / GUIDS_FILE).exists()


def test_an_assigned_guid_that_clashes_is_refused(tmp_path):
    show = make_show(tmp_path / "show", ["001-a", "002-b"])
    assigned = guids(show)["001-a"]
    toml = show / "episodes" / "002-b" / "episode.toml"
    toml.write_text(f'guid = "{assigned}"\n' + toml.read_text())
    with pytest.raises(ConfigError, match="already the guid of episode 001-a") as caught:
        guids(show)
    assert caught.value.path == toml and caught.value.field == "guid"


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ({"version": GUIDS_VERSION + 1, "episodes": []}, "version", "newer toolkit"),
        ({"version": 1, "episodes": {}}, "episodes", "expected a list"),
        ({"version": 1, "episodes": [{"slug": "001-a"}]}, "episodes.0.guid", "missing"),
        ({"version": 1, "episodes": [{"guid": "g", "slug": "a", "audio": "x"}]},
         "episodes.0.audio", "content hashes"),
    ],
)  # fmt: skip
def test_a_bad_guids_file_names_its_field(tmp_path, content, field, message):
    show = make_show(tmp_path / "show", ["001-a"])
    (show / GUIDS_FILE).parent.mkdir()
    (show / GUIDS_FILE).write_text(json.dumps(content))
    with pytest.raises(ConfigError, match=message) as caught:
        guids(show)
    assert caught.value.path == show / GUIDS_FILE and caught.value.field == field


def test_a_show_that_cannot_take_the_record_gets_a_clear_error(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    (show / ".toolkit").write_text("a file where the folder should be")  # even root cannot
    with pytest.raises(ConfigError, match="cannot record the assigned guids.*--write-guids"):
        guids(show)


# --- writing into episode.toml ---------------------------------------------------
TOMLS = [
    # No comments: the line goes first.
    'title = "T"\ndate = 2025-01-01\n',
    # Comments and blank lines first; tables after.
    '# My episode\n\n# notes\ntitle = "T"\n\n[[guests]]\nname = "G"\n',
    # A multi-line string with lines that look like tables.
    'description = """\n[not a table]\nguid = "no"\n"""\ntitle = "T"\n',
    # Windows line endings, no final newline.
    '# c\r\ntitle = "T"\r\ndate = 2025-01-01',
]


@pytest.mark.parametrize("text", TOMLS)
def test_write_guid_adds_one_line_and_changes_nothing_else(tmp_path, text):
    path = tmp_path / "episode.toml"
    path.write_bytes(text.encode())
    path.chmod(0o640)
    write_guid(path, "3f2b-guid")
    after = path.read_bytes().decode()
    newline = "\r\n" if "\r\n" in text else "\n"
    line = f'guid = "3f2b-guid"{newline}'
    assert after.count(line) == 1
    assert after.replace(line, "", 1) == text  # the rest, byte for byte
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    with pytest.raises(ConfigError, match="already has a guid"):
        write_guid(path, "another")


# --- through the build and the CLI ----------------------------------------------------
def feed_guids(site: Path) -> dict[str, str]:
    channel = ET.parse(site / "feed.xml").getroot().find("channel")
    assert channel is not None
    return {
        (i.findtext("link") or "").rstrip("/").rsplit("/", 1)[-1]: i.findtext("guid") or ""
        for i in channel.findall("item")
    }


def build(show: Path, out: Path) -> None:
    options = pipeline.BuildOptions(output=out, progress=False)
    pipeline.build(show, options, stages=stored_transcript_stages())


def test_the_feed_keeps_its_guid_through_rename_retitle_and_a_moved_site(tmp_path):
    show = make_show(tmp_path / "show", ["001-a"])
    out = tmp_path / "site"
    build(show, out)
    [(slug, guid)] = feed_guids(out).items()
    assert slug == "001-a" and guid == guids(show)["001-a"]
    (show / "episodes" / "001-a").rename(show / "episodes" / "001-renamed")
    toml = show / "episodes" / "001-renamed" / "episode.toml"
    toml.write_text(toml.read_text().replace("search for one voice", "one voice"))
    settings = show / "show.toml"
    settings.write_text(
        settings.read_text().replace("http://127.0.0.1:8000/", "https://moved.example.org/")
    )
    build(show, out)
    assert feed_guids(out) == {"001-renamed": guid}


def test_build_write_guids_writes_episode_toml(tmp_path, monkeypatch):
    # The CLI runs the build's own stage list: transcription from the stored transcript.
    monkeypatch.setattr(sys.modules["toolkit.pipeline.build"], "STAGES", stored_transcript_stages())
    show = make_show(tmp_path / "show", ["001-a"])
    toml = show / "episodes" / "001-a" / "episode.toml"
    before = toml.read_text()
    out = tmp_path / "site"
    args = ["build", str(show), "-o", str(out), "-q", "--write-guids"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    guid = feed_guids(out)["001-a"]
    assert f"001-a: wrote guid = '{guid}' into episode.toml" in result.output
    assert toml.read_text() == f'guid = "{guid}"\n' + before
    # The next build finds it there: the same guid, and nothing to re-render.
    again = CliRunner().invoke(cli, ["build", str(show), "-o", str(out), "-q", "--write-guids"])
    assert again.exit_code == 0, again.output
    assert "wrote guid" not in again.output and "nothing changed" in again.output
    assert feed_guids(out) == {"001-a": guid}


def test_the_episode_s_own_cover_is_published_and_is_the_item_s_image(tmp_path):
    """Not a guid, but the same build: episode.toml's image, copied by the page stage."""
    show = make_show(tmp_path / "show", ["001-a"])
    folder = show / "episodes" / "001-a"
    shutil.copy(ROOT / "cover.jpg", folder / "art.jpg")
    toml = folder / "episode.toml"
    toml.write_text('image = "art.jpg"\n' + toml.read_text())
    out = tmp_path / "site"
    build(show, out)
    assert (out / "001-a" / "cover.jpg").read_bytes() == (ROOT / "cover.jpg").read_bytes()
    item = ET.parse(out / "feed.xml").getroot().find("channel/item")
    assert item is not None
    image = item.find("{http://www.itunes.com/dtds/podcast-1.0.dtd}image")
    assert image is not None and image.get("href") == "http://127.0.0.1:8000/001-a/cover.jpg"
