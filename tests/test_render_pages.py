"""The renderers on small hand-made jobs: URLs and guids, people, translations, overrides.

The sample show's own output is held to the golden files by
tests/test_render_sample.py; these cover what the sample does not have.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from toolkit.config import load_episodes, load_show
from toolkit.paths import default_templates_dir
from toolkit.pipeline.job import EpisodeJob, PublishedAudio
from toolkit.render import podcast_guid, render_episode, render_show, render_transcripts
from toolkit.render.contexts import cover_name, episode_view, show_view
from toolkit.render.transcripts import WRITERS
from toolkit.transcribe.transcript import Transcript

from .helpers import DATA, ROOT

PODCAST = "{https://podcastindex.org/namespace/1.0}"


@pytest.fixture
def show():
    return load_show(ROOT)


@pytest.fixture
def job(show) -> EpisodeJob:
    """The sample episode with a short transcript (Host and Guest), no article."""
    (episode,) = load_episodes(ROOT)
    job = EpisodeJob(
        show, episode, transcript=Transcript.load(DATA / "golden" / "transcript.full.json")
    )
    job.audio = PublishedAudio(f"{episode.slug}.mp3", "audio/mpeg", 1234, 33.0)
    return job


def with_transcript_files(show, job: EpisodeJob) -> EpisodeJob:
    files = render_transcripts(show, job)
    job.transcript_files = files.transcript_files
    job.translation_files = files.translation_files
    return job


def test_guid_is_episode_toml_s_else_the_assigned_one_never_a_url(show, job):
    assert episode_view(show, job).guid == "un-desk-2023-001-japan-security-council"
    job.episode = job.episode.model_copy(update={"guid": None})
    with pytest.raises(ValueError, match="no guid"):
        episode_view(show, job)
    job.guid = "assigned-by-the-build"
    folder = f"{show.base_url}{job.slug}/"
    view = episode_view(show, job)
    assert view.guid == "assigned-by-the-build"
    assert view.folder_url == view.page_url == folder
    assert view.audio_url == folder + f"{job.slug}.mp3"
    moved = show.model_copy(update={"base_url": "https://elsewhere.example/pod/"})
    assert episode_view(moved, job).guid == "assigned-by-the-build"


def test_podcast_guid_matches_the_namespace_example():
    # The Podcasting 2.0 namespace's own example (podnews.net).
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == podcast_guid("https://podnews.net/rss")


def test_people_get_their_roles(show, job):
    names = {p.name: p.role for p in episode_view(show, job).people}
    assert names == {"Maya Okafor": "host", "Daniel Reyes": "guest"}
    job.episode = job.episode.model_copy(update={"hosts": [], "guests": []})
    show = show.model_copy(update={"hosts": [show.hosts[0].model_copy(update={"role": None})]})
    assert [(p.name, p.role) for p in episode_view(show, job).people] == [("Maya Okafor", "host")]
    assert [p.role for p in show_view(show).hosts] == ["host"]


def test_show_without_cover_art_has_no_image(show, job):
    bare = show.model_copy(update={"image": None, "categories": ["Arts"]})
    assert cover_name(bare) is None
    assert show_view(bare).image is None and show_view(bare).image_url is None
    feed = render_show(bare, [with_transcript_files(bare, job)])["feed.xml"]
    assert "itunes:image" not in feed and "<image>" not in feed
    assert '<itunes:category text="Arts"/>' in feed
    assert cover_name(show) == "cover.jpg"


def test_episode_without_published_audio_is_refused(show, job):
    job.audio = None
    with pytest.raises(ValueError, match="no published audio"):
        render_episode(show, job)


def test_translation_files_are_rendered_listed_and_linked(show, job):
    job.translation = job.transcript
    files = render_transcripts(show, job)
    assert files.transcript_files == {fmt: f"transcript.{fmt}" for fmt in WRITERS}
    assert files.translation_files == {fmt: f"transcript.en.{fmt}" for fmt in WRITERS}
    assert sorted(files) == sorted(
        [*files.transcript_files.values(), *files.translation_files.values()]
    )
    assert files["transcript.en.vtt"] == files["transcript.vtt"]
    assert job.transcript_files == {} and job.translation_files == {}  # the job is not changed

    with_transcript_files(show, job)
    page = render_episode(show, job)["index.html"]
    assert '<a href="transcript.en.srt" hreflang="en">SRT</a>' in page
    feed = ET.fromstring(render_show(show, [job])["feed.xml"])
    entries = [
        (t.get("url", "").rsplit("/", 1)[1], t.get("language"))
        for t in feed.iter(f"{PODCAST}transcript")
    ]
    listed = ["vtt", "srt", "json", "html"]  # plain text is on the page only
    assert entries == [(f"transcript.{fmt}", "en") for fmt in listed] + [
        (f"transcript.en.{fmt}", "en") for fmt in listed
    ]


def test_transcript_language_is_the_transcript_s(show, job):
    job.transcript.language = "de"
    job.translation = job.transcript
    with_transcript_files(show, job)
    view = episode_view(show, job)
    assert {f.language for f in view.transcript_files} == {"de"}
    assert {f.language for f in view.translation_files} == {"en"}
    assert [f.captions for f in view.feed_transcripts[:2]] == [True, False]  # VTT, SRT


def test_missing_transcript_is_refused(show, job):
    job.transcript = None
    with pytest.raises(ValueError, match="no transcript"):
        render_transcripts(show, job)


def test_show_files_are_feed_index_and_the_stylesheet_and_script_as_they_are(show, job):
    files = render_show(show, [with_transcript_files(show, job)])
    assert set(files) == {"feed.xml", "index.html", "style.css", "player.js"}
    for name in ("style.css", "player.js"):
        assert files[name] == (default_templates_dir() / name).read_text(encoding="utf-8")


def test_a_show_overrides_one_block_of_a_packaged_template(show, job, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "episode.html").write_text(
        '{% extends "default:episode.html" %}\n'
        '{% block soundbites %}<p class="bites">{{ ep.soundbites | length }} bites, '
        "{{ ep.people | map(attribute='role') | join('+') }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    (tmp_path / "templates" / "notes.md").write_text("# {{ ep.title }} ({{ show.title }})\n")
    own = show.model_copy(update={"root": tmp_path})
    files = render_episode(own, with_transcript_files(own, job))
    assert '<p class="bites">0 bites, host+guest</p>' in files["index.html"]
    assert "<h2>Chapters</h2>" not in files["index.html"]  # no chapters in this job
    assert '<audio id="player"' in files["index.html"]  # the rest is the packaged page
    assert files["notes.md"] == f"# {job.episode.title} ({show.title})\n"
