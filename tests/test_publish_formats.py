"""A show whose audio is an M4A: published as an M4A, and as an MP3 with ``[publish] format``.

The sample show with its episode's audio in AAC (made by ffmpeg from the
sample MP3), built by the real stages; transcription loads the stored
transcript of the sample, so no model runs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import podcastparser
import pytest
from mutagen.mp4 import MP4

from toolkit import pipeline
from toolkit.hashing import file_sha256
from toolkit.tag import read_tags

from .helpers import ROOT, SAMPLE_SLUG, stored_transcript_stages

SLUG = SAMPLE_SLUG


def m4a_show(root: Path, publish: str = "") -> Path:
    """A copy of the sample show whose episode's audio is an M4A (AAC)."""
    shutil.copytree(ROOT / "episodes", root / "episodes")
    shutil.copy(ROOT / "cover.jpg", root)
    (root / "show.toml").write_text((ROOT / "show.toml").read_text() + publish)
    folder = root / "episodes" / SLUG
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(folder / "audio.mp3"),
         "-c:a", "aac", "-b:a", "64k", str(folder / "audio.m4a")],
        check=True,
    )  # fmt: skip
    (folder / "audio.mp3").unlink()
    toml = folder / "episode.toml"
    toml.write_text(toml.read_text().replace('audio = "audio.mp3"', 'audio = "audio.m4a"'))
    return root


def build(show: Path, out: Path) -> pipeline.BuildReport:
    options = pipeline.BuildOptions(output=out, progress=False)
    return pipeline.build(show, options, stages=stored_transcript_stages())


def enclosure(site: Path) -> dict[str, object]:
    with open(site / "feed.xml", "rb") as f:
        feed = podcastparser.parse("http://127.0.0.1:8000/feed.xml", f)
    [episode] = feed["episodes"]
    return episode["enclosures"][0]


@pytest.fixture(scope="module")
def m4a_site(tmp_path_factory) -> tuple[Path, Path, str]:
    show = m4a_show(tmp_path_factory.mktemp("show"))
    source = show / "episodes" / SLUG / "audio.m4a"
    before = file_sha256(source)
    out = tmp_path_factory.mktemp("pub") / "site"
    build(show, out)
    return show, out, before


def test_an_m4a_source_is_published_as_m4a(m4a_site):
    show, site, before = m4a_site
    assert file_sha256(show / "episodes" / SLUG / "audio.m4a") == before
    published = site / SLUG / f"{SLUG}.m4a"
    assert published.is_file()
    assert not list(site.rglob("*.mp3")) and not list(site.rglob("*.tmp"))
    enc = enclosure(site)
    assert enc["mime_type"] == "audio/x-m4a"
    assert enc["file_size"] == published.stat().st_size
    assert str(enc["url"]).endswith(f"/{SLUG}/{SLUG}.m4a")


def test_the_page_plays_the_m4a(m4a_site):
    _, site, _ = m4a_site
    page = (site / SLUG / "index.html").read_text()
    assert re.search(rf'<audio [^>]*src="{SLUG}\.m4a"', page)


def test_the_m4a_carries_the_build_s_chapters_and_tags(m4a_site):
    _, site, _ = m4a_site
    published = site / SLUG / f"{SLUG}.m4a"
    chapters = json.loads((site / SLUG / "chapters.json").read_text())["chapters"]
    nero = MP4(published).chapters
    assert [c.title for c in nero] == [c["title"] for c in chapters]
    assert [round(c.start, 2) for c in nero] == [round(c["startTime"], 2) for c in chapters]
    got = read_tags(published)
    assert got.title == "Japan, the Security Council and the search for one voice"
    assert got.guid == "un-desk-2023-001-japan-security-council"
    assert got.feed_url == "http://127.0.0.1:8000/feed.xml"
    assert got.podcast and got.artwork is not None and got.transcript


def test_format_mp3_converts_and_replaces_the_m4a(m4a_site, tmp_path):
    show, site, _ = m4a_site
    copy = tmp_path / "show"
    shutil.copytree(show, copy)
    out = tmp_path / "site"
    shutil.copytree(site, out)  # the M4A site, built before
    with open(copy / "show.toml", "a") as f:
        f.write('\n[publish]\nformat = "mp3"\n')
    report = build(copy, out)
    assert report.episodes[0].actions["tag"] == "re-tagged"
    assert not (out / SLUG / f"{SLUG}.m4a").exists()
    published = out / SLUG / f"{SLUG}.mp3"
    enc = enclosure(out)
    assert enc["mime_type"] == "audio/mpeg" and enc["file_size"] == published.stat().st_size
    assert f'src="{SLUG}.mp3"' in (out / SLUG / "index.html").read_text()
    assert read_tags(published).tag == "ID3v2.3"


def test_a_format_apple_does_not_play_is_said(tmp_path):
    show = m4a_show(tmp_path / "show")
    folder = show / "episodes" / SLUG
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(folder / "audio.m4a"),
         "-c:a", "libopus", "-b:a", "24k", str(folder / "audio.opus")],
        check=True,
    )  # fmt: skip
    toml = folder / "episode.toml"
    toml.write_text(toml.read_text().replace('"audio.m4a"', '"audio.opus"'))
    report = build(show, tmp_path / "site")
    assert "Apple Podcasts plays MP3 and M4A only" in report.episodes[0].actions["tag"]
    assert enclosure(tmp_path / "site")["mime_type"] == "audio/opus"
