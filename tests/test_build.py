"""Build the sample show for real and read the results back like a client would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import podcastparser
import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from toolkit.audio import probe
from toolkit.cli import cli
from toolkit.render.contexts import FEED_TRANSCRIPT_TYPES
from toolkit.render.transcripts import WRITERS

from .helpers import ROOT, SAMPLE_SLUG

SLUG = SAMPLE_SLUG
SOURCE_AUDIO = ROOT / "episodes" / SLUG / "audio.mp3"
TRUTH = json.loads((ROOT / "tools" / "sample_episode" / "ground_truth.json").read_text())


def test_site_layout(site):
    for name in ("feed.xml", "index.html", "style.css", "cover.jpg"):
        assert (site / name).is_file(), name
    episode = site / SLUG
    for name in (
        "index.html",
        "notes.md",
        f"{SLUG}.mp3",
        "chapters.json",
        "alignment.json",
        *(f"transcript.{fmt}" for fmt in WRITERS),
    ):
        assert (episode / name).stat().st_size > 0, name
    assert not list(site.rglob("*.tmp")), "a temporary file was left behind"


def test_podcastparser_reads_the_feed(site):
    with open(site / "feed.xml", "rb") as f:
        feed = podcastparser.parse("http://127.0.0.1:8000/feed.xml", f)
    assert feed["title"] == "UN Desk Conversations"
    [episode] = feed["episodes"]
    [enclosure] = episode["enclosures"]
    published = site / SLUG / f"{SLUG}.mp3"
    assert enclosure["file_size"] == published.stat().st_size
    assert enclosure["mime_type"] == "audio/mpeg"
    assert enclosure["url"].endswith(f"/{SLUG}/{SLUG}.mp3")
    assert abs(episode["total_time"] - probe(SOURCE_AUDIO).duration) <= 1
    assert episode["guid"] == "un-desk-2023-001-japan-security-council"
    assert episode["number"] == 1


def test_feedparser_reads_the_feed(site):
    feed = feedparser.parse(str(site / "feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    [entry] = feed.entries
    [enclosure] = entry.enclosures
    assert int(enclosure.length) == (site / SLUG / f"{SLUG}.mp3").stat().st_size
    assert entry.itunes_duration == str(round(probe(SOURCE_AUDIO).duration))
    assert entry.published_parsed[:3] == (2023, 1, 17)
    assert feed.feed.itunes_explicit is not None or "itunes_explicit" in feed.feed


def test_feed_carries_podcasting20_tags(site):
    xml = (site / "feed.xml").read_text()
    for fmt in FEED_TRANSCRIPT_TYPES:  # plain text is on the page only
        assert f'/{SLUG}/transcript.{fmt}"' in xml
    assert 'type="application/json+chapters"' in xml
    assert '<podcast:person role="guest" group="cast">Daniel Reyes</podcast:person>' in xml
    # The check value from the namespace's documentation of podcast:guid.
    from toolkit.render import podcast_guid

    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_tagged_mp3_reads_back(site):
    published = site / SLUG / f"{SLUG}.mp3"
    tags = ID3(published)
    assert tags["TIT2"].text == ["Japan, the Security Council and the search for one voice"]
    assert tags["TALB"].text == ["UN Desk Conversations"]
    assert tags["TRCK"].text == ["1"]
    assert tags.getall("APIC")[0].data == (ROOT / "cover.jpg").read_bytes()
    assert "Security Council" in tags.getall("USLT")[0].text
    chapters = json.loads((site / SLUG / "chapters.json").read_text())["chapters"]
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert len(chaps) == len(chapters) >= 3
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [c["title"] for c in chapters]
    assert [c.start_time for c in chaps] == [round(c["startTime"] * 1000) for c in chapters]
    [toc] = tags.getall("CTOC")
    assert toc.child_element_ids == [c.element_id for c in chaps]
    # The audio itself is still a decodable MP3 of the same length.
    assert abs(MP3(published).info.length - probe(SOURCE_AUDIO).duration) < 0.1


def _quote_times_from_notes(notes: str) -> dict[str, float]:
    times = {}
    for line in notes.splitlines():
        if line.startswith("- ") and "“" in line:
            stamp, _, rest = line[2:].partition(" ")
            m, s = stamp.split(":")
            times[rest] = int(m) * 60 + int(s)
    return times


def test_notes_list_found_quotes_with_times(site):
    notes = (site / SLUG / "notes.md").read_text()
    assert "## Quotes from the article" in notes
    found = _quote_times_from_notes(notes)
    truth = [q for line in TRUTH["lines"] for q in line["quotes"]]
    assert len(truth) >= 3
    for quote in truth:
        [(text, start)] = [(t, s) for t, s in found.items() if quote["text"][:40] in t]
        # The notes print whole seconds; the quote starts within that second (±1 s).
        assert abs(start - quote["start"]) <= 1.0, (text, start, quote["start"])


def test_page_shows_transcript_and_map(site):
    page = (site / SLUG / "index.html").read_text()
    assert f'src="{SLUG}.mp3"' in page
    assert page.count('class="segment"') >= 10
    assert "not discussed" in page
    assert "Security Council has not really been successful" in page


def _rebuild(site: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys; from pathlib import Path;"
        "from toolkit.pipeline.build import BuildOptions, build;"
        f"r = build(Path({str(ROOT)!r}), BuildOptions(output=Path({str(site)!r}), progress=False));"
        "print('cached', r.cached, 'transcribed', r.transcribed);"
        "print('torch imported', 'torch' in sys.modules,"
        "      'whisper imported', 'whisper' in sys.modules)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ
    )


def test_rebuild_loads_no_model(site):
    before = (site / "feed.xml").read_text()
    proc = _rebuild(site)
    assert proc.returncode == 0, proc.stderr
    assert "cached 1 transcribed 0" in proc.stdout
    assert "torch imported False whisper imported False" in proc.stdout
    assert (site / "feed.xml").read_text() == before


# --- bad input -------------------------------------------------------------
@pytest.fixture
def broken_show(tmp_path: Path) -> Path:
    """A copy of the sample without its audio, in ``tmp_path/show`` (the output goes
    beside it: never inside the show folder)."""
    show = tmp_path / "show"
    show.mkdir()
    shutil.copy(ROOT / "show.toml", show)
    shutil.copy(ROOT / "cover.jpg", show)
    ep = show / "episodes" / SLUG
    ep.mkdir(parents=True)
    shutil.copy(ROOT / "episodes" / SLUG / "episode.toml", ep)
    shutil.copy(ROOT / "episodes" / SLUG / "article.txt", ep)
    return show


def _build(show: Path, tmp_path: Path):
    return CliRunner().invoke(cli, ["build", str(show), "-o", str(tmp_path / "out"), "-q"])


def test_missing_audio_file(broken_show, tmp_path):
    result = _build(broken_show, tmp_path)
    assert result.exit_code == 1
    assert "episode.toml: field 'audio': audio file" in result.output
    assert "audio.mp3 not found" in result.output
    assert "Traceback" not in result.output


def test_non_audio_file(broken_show, tmp_path):
    bad = broken_show / "episodes" / SLUG / "audio.mp3"
    bad.write_text("this is not audio\n")
    result = _build(broken_show, tmp_path)
    assert result.exit_code == 1
    assert f"{bad}: not a readable audio file" in result.output
    assert bad.read_text() == "this is not audio\n"  # given input is never touched


def test_missing_required_field(broken_show, tmp_path):
    shutil.copy(SOURCE_AUDIO, broken_show / "episodes" / SLUG / "audio.mp3")
    toml = broken_show / "episodes" / SLUG / "episode.toml"
    toml.write_text("\n".join(x for x in toml.read_text().splitlines() if not x.startswith("date")))
    result = _build(broken_show, tmp_path)
    assert result.exit_code == 1
    assert f"{toml}: field 'date': required field is missing" in result.output


def test_python_dash_m_works():
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    for command in ("build", "serve", "transcribe", "models"):
        assert command in proc.stdout


def test_content_encoded_is_escaped_html_notes(site):
    feed = feedparser.parse(str(site / "feed.xml"))
    [entry] = feed.entries
    html = entry.content[0].value
    assert html.startswith("<p>Japan takes the Security Council")
    assert "<strong>Chapters</strong>" in html
    assert "Security Council has not really been successful" in html
    with open(site / "feed.xml", "rb") as f:
        episode = podcastparser.parse("http://127.0.0.1:8000/feed.xml", f)["episodes"][0]
    assert "<strong>Quotes from the article</strong>" in episode["description_html"]


RARE_NAMES = ["Ishikane", "Kumagai", "DPRK", "PassBlue", "Senkaku", "Kimihiro", "Naoko"]


def _bias(options: dict) -> str:
    """The names decoding was biased towards: faster-whisper's hotwords, or
    openai-whisper's initial prompt, carried into every window."""
    if options["engine"] == "faster":
        assert options["initial_prompt"] is None
        return str(options["hotwords"])
    assert options["carry_initial_prompt"] is True and options["hotwords"] is None
    return str(options["initial_prompt"])


def test_transcript_knows_the_articles_names(site):
    """Decoding was biased by the article and the names come out spelt as it spells them."""
    full = json.loads((site / SLUG / "transcript.full.json").read_text())
    options = full["options"]
    assert all(name in _bias(options) for name in ("Ishikane", "Kumagai", "DPRK"))
    assert options["outcome"] in ("biased", "filled")
    said = " ".join(line["text"] for line in TRUTH["lines"])
    text = " ".join(s["text"] for s in full["segments"])
    spoken = {name: said.count(name) for name in RARE_NAMES}
    right = sum(min(text.count(name), n) for name, n in spoken.items())
    assert sum(spoken.values()) == 13
    assert right >= 12, {name: text.count(name) for name in RARE_NAMES}
    article = (ROOT / "episodes" / SLUG / "article.txt").read_text()
    people = ("Maya Okafor", "Daniel Reyes")  # show.toml's and episode.toml's
    for c in full["corrections"]:
        assert c["corrected"].strip(".,'s") in article or c["corrected"] in people, c
        assert c["original"] != c["corrected"] and c["start"] <= c["end"], c


def test_transcript_knows_the_shows_people_and_is_in_sentences(site):
    """The host's and guest's names from show.toml and episode.toml come out right, and
    the segments are sentences: none overlaps, word times only go forward."""
    full = json.loads((site / SLUG / "transcript.full.json").read_text())
    text = " ".join(s["text"] for s in full["segments"])
    assert "I'm Maya Okafor" in text
    assert text.count("Daniel Reyes") == 1 and text.count("Maya Okafor") == 1
    assert _bias(full["options"]).rstrip(".").endswith(", Maya Okafor, Daniel Reyes")
    segments = full["segments"]
    assert all(b["start"] >= a["end"] for a, b in zip(segments, segments[1:], strict=False))
    words = [w for s in segments for w in s["words"]]
    assert all(b["start"] >= a["end"] - 0.01 for a, b in zip(words, words[1:], strict=False))
    assert max(s["end"] - s["start"] for s in segments) <= 8.0
    assert max(len(s["text"]) for s in segments) <= 84
    ends = sum(s["text"].rstrip("\"'”’").endswith((".", "?", "!")) for s in segments)
    assert ends >= 0.6 * len(segments)
