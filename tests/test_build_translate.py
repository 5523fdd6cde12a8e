"""A show in German with ``task = "translate"``: the build writes an English
translation beside the transcript and lists both in the feed and on the page.

The speech is German made offline by espeak-ng (tests/helpers.py); base detects
the language and translates it.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.render.contexts import FEED_TRANSCRIPT_TYPES
from toolkit.render.transcripts import WRITERS

from .helpers import espeak_german, normalise

SHOW = """\
title = "Wetterbericht"
description = "Das Wetter, kurz und knapp."
author = "Anna Berger"
language = "de"
base_url = "http://127.0.0.1:8000/"

[owner]
name = "Anna Berger"
email = "anna@example.org"

[transcription]
model = "base"
task = "translate"
"""

EPISODE = """\
title = "Regen"
date = 2024-03-01
description = "Drei Tage Regen."
audio = "audio.wav"
guid = "wetter-001"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    show = tmp_path_factory.mktemp("wetter")
    (show / "show.toml").write_text(SHOW)
    episode = show / "episodes" / "001-regen"
    episode.mkdir(parents=True)
    (episode / "episode.toml").write_text(EPISODE)
    espeak_german(episode / "audio.wav")
    out = tmp_path_factory.mktemp("wetter-site")
    result = CliRunner().invoke(cli, ["build", str(show), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_translation_is_written_beside_the_transcript(site):
    folder = site / "001-regen"
    full = json.loads((folder / "transcript.full.json").read_text())
    assert (full["language"], full["task"]) == ("de", "transcribe")
    assert full["language_probability"] > 0.4
    assert "morgen" in normalise((folder / "transcript.txt").read_text())
    english = normalise((folder / "transcript.en.txt").read_text()).split()
    assert set(english) & {"morning", "weather", "welcome", "today", "rain", "raining"}
    assert not set(english) & {"morgen", "wetter", "heute", "und"}
    for fmt in WRITERS:
        assert (folder / f"transcript.en.{fmt}").stat().st_size > 0, fmt


@pytest.mark.slow
def test_feed_and_page_list_both_languages(site):
    feed = (site / "feed.xml").read_text()
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.bozo_exception
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    found = ElementTree.fromstring(feed.encode()).findall(".//item/podcast:transcript", ns)
    by_language: dict[str, list[str]] = {"de": [], "en": []}
    for t in found:
        by_language[t.get("language", "")].append(t.get("url", "").rsplit("/", 1)[1])
    by_language = {lang: sorted(names) for lang, names in by_language.items()}
    # The feed lists the formats podcast apps read (plain text is on the page only).
    assert by_language["de"] == sorted(f"transcript.{fmt}" for fmt in FEED_TRANSCRIPT_TYPES)
    assert by_language["en"] == sorted(f"transcript.en.{fmt}" for fmt in FEED_TRANSCRIPT_TYPES)
    page = (site / "001-regen" / "index.html").read_text()
    assert 'href="transcript.en.vtt" hreflang="en"' in page
