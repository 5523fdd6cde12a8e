"""show.toml and episode.toml validation: clear errors naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.config import load_episode, load_episodes, load_show
from toolkit.errors import ConfigError

from .helpers import ROOT

SAMPLE_EPISODE = ROOT / "episodes" / "001-japan-security-council"


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    """A copy of the sample show (without its large audio: a real small MP3 stands in)."""
    shutil.copy(ROOT / "show.toml", tmp_path / "show.toml")
    shutil.copy(ROOT / "cover.jpg", tmp_path / "cover.jpg")
    ep = tmp_path / "episodes" / SAMPLE_EPISODE.name
    ep.mkdir(parents=True)
    for name in ("episode.toml", "article.txt"):
        shutil.copy(SAMPLE_EPISODE / name, ep / name)
    shutil.copy(ROOT / "tests/data/tagged/silence-44-s.mp3", ep / "audio.mp3")
    return tmp_path


def test_sample_show_loads():
    show = load_show(ROOT)
    assert show.title == "UN Desk Conversations"
    assert show.base_url.endswith("/")
    assert show.transcription.model
    [episode] = load_episodes(ROOT)
    assert episode.slug == SAMPLE_EPISODE.name
    assert episode.number == 1
    assert episode.date.tzinfo is not None
    assert [p.name for p in episode.guests] == ["Daniel Reyes"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_missing_required_field_names_file_and_field(show_dir):
    toml = show_dir / "episodes" / SAMPLE_EPISODE.name / "episode.toml"
    text = toml.read_text()
    toml.write_text("\n".join(line for line in text.splitlines() if not line.startswith("title")))
    with pytest.raises(ConfigError) as err:
        load_episode(toml.parent)
    assert err.value.path == toml
    assert err.value.field == "title"
    assert "required field is missing" in str(err.value)


def test_bad_value_names_the_field(show_dir):
    toml = show_dir / "episodes" / SAMPLE_EPISODE.name / "episode.toml"
    _edit(toml, "number = 1", 'number = "one"')
    with pytest.raises(ConfigError) as err:
        load_episode(toml.parent)
    assert err.value.field == "number"


def test_missing_audio_file_is_reported(show_dir):
    ep = show_dir / "episodes" / SAMPLE_EPISODE.name
    (ep / "audio.mp3").unlink()
    with pytest.raises(ConfigError) as err:
        load_episode(ep)
    assert err.value.field == "audio"
    assert "audio.mp3" in str(err.value)


def test_show_errors(show_dir):
    _edit(show_dir / "show.toml", 'email = "maya@example.org"', 'email = "not-an-email"')
    with pytest.raises(ConfigError) as err:
        load_show(show_dir)
    assert err.value.field == "owner.email"
    assert str(show_dir / "show.toml") in str(err.value)


def test_unknown_field_and_bad_toml(show_dir):
    toml = show_dir / "show.toml"
    toml.write_text(toml.read_text() + "\n[extra]\nfoo = 1\n")
    with pytest.raises(ConfigError, match="field 'extra': unknown field"):
        load_show(show_dir)
    toml.write_text("title = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_show(show_dir)


def test_compute_type_is_checked(show_dir):
    toml = show_dir / "show.toml"
    text = toml.read_text()
    openai = 'model = "base"\nengine = "openai"\ncompute_type = "int8"'
    toml.write_text(text.replace('model = "base"', openai))
    with pytest.raises(ConfigError, match="compute_type needs engine") as err:
        load_show(show_dir)
    assert str(toml) in str(err.value)
    toml.write_text(
        text.replace('model = "base"', 'model = "base"\nengine = "faster"\ncompute_type = "int4"')
    )
    with pytest.raises(ConfigError, match="should be 'default', 'auto', 'float32', 'int8'") as err:
        load_show(show_dir)
    assert err.value.field == "transcription.compute_type"
    toml.write_text(
        text.replace('model = "base"', 'model = "base"\nengine = "faster"\ncompute_type = "int8"')
    )
    assert load_show(show_dir).transcription.compute_type == "int8"


def test_a_scheduled_date_warns_and_a_far_one_is_refused(show_dir):
    import datetime as dt

    toml = show_dir / "episodes" / SAMPLE_EPISODE.name / "episode.toml"
    now = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)  # the sample is dated 2023-01-17
    [episode] = load_episodes(show_dir, now=now)
    assert episode.warnings == [
        f"{toml}: field 'date': 2023-01-17 09:00 is in the future; the build publishes "
        "the episode now, dated then (apps list it first)"
    ]
    assert load_episodes(show_dir, now=now + dt.timedelta(days=30))[0].warnings == []
    with pytest.raises(ConfigError, match="more than a year from now") as err:
        load_episodes(show_dir, now=now - dt.timedelta(days=400))
    assert (err.value.path, err.value.field) == (toml, "date")
