"""The renderers alone, with no pipeline, against the golden files of the sample show.

Each job is made by hand from ``show.toml`` and ``episodes/``: the stored
transcript of the golden test (Whisper base, so the same on every machine),
its speakers found and named, the waveform, then article reading, alignment, chapters and
soundbites run directly. The published audio's size is the golden feed's
enclosure length, so nothing is tagged or encoded. The output must match
tests/data/golden/sample/ byte for byte, as the whole build's does
(tests/test_render_golden.py).
"""

from __future__ import annotations

import re

import pytest

from toolkit.align import align
from toolkit.align.acoustic import CachedScorer, whisper_scorer
from toolkit.article import read_article
from toolkit.audio import probe
from toolkit.chapters import chapters_from_alignment, to_podcast_json
from toolkit.chapters.soundbites import soundbites_from_alignment
from toolkit.config import load_episodes, load_show
from toolkit.pipeline.job import EpisodeJob, PublishedAudio
from toolkit.pipeline.stages import speaker_candidates
from toolkit.render import render_episode, render_show, render_transcripts
from toolkit.speakers.run import find_speakers
from toolkit.transcribe.transcript import Transcript
from toolkit.waveform import waveform

from .helpers import DATA, ROOT, SAMPLE_SLUG

GOLDEN = DATA / "golden" / "sample"
STORED_TRANSCRIPT = DATA / "golden" / "sample-transcript.full.json"


def golden_enclosure_length() -> int:
    feed = (GOLDEN / "feed.xml").read_text(encoding="utf-8")
    found = re.search(r'<enclosure [^>]*length="(\d+)"', feed)
    assert found, "the golden feed has an enclosure length"
    return int(found.group(1))


@pytest.fixture(scope="module")
def show():
    return load_show(ROOT)


@pytest.fixture(scope="module")
def jobs(show) -> list[EpisodeJob]:
    jobs = []
    for episode in load_episodes(ROOT):
        job = EpisodeJob(show, episode)
        job.source = probe(episode.audio_path)
        duration = job.source.duration
        # The speakers stage's step: diarize the audio, name the voices, label the transcript.
        found = find_speakers(
            episode.audio_path,
            Transcript.load(STORED_TRANSCRIPT),
            speaker_candidates(show, episode),
            sha256=job.source.sha256,
        )
        job.transcript = found.transcript
        job.waveform = waveform(episode.audio_path)
        if episode.article_path is not None:
            job.article = read_article(episode.article_path)
            # The quote check as the build runs it (the acoustic check on the episode's audio).
            scorer = CachedScorer(
                whisper_scorer(episode.audio_path, job.transcript, show.transcription.model),
                job.source.sha256,
            )
            job.alignment = align(job.transcript, job.article, scorer=scorer)
        job.chapters = chapters_from_alignment(
            job.alignment,
            job.article,
            job.transcript,
            duration,
            min_length=show.chapters.min_length,
        )
        if job.alignment is not None:
            job.soundbites = soundbites_from_alignment(
                job.alignment, job.transcript, duration=duration
            )
        job.audio = PublishedAudio(
            f"{episode.slug}.mp3", "audio/mpeg", golden_enclosure_length(), duration
        )
        jobs.append(job)
    assert [j.slug for j in jobs] == [SAMPLE_SLUG]
    return jobs


@pytest.fixture(scope="module")
def rendered(show, jobs) -> dict[str, str]:
    """Every file the renderers make, by its path in the site."""
    out: dict[str, str] = {}
    for job in jobs:
        transcripts = render_transcripts(show, job)
        # What the pipeline does with the names: the page and the feed list them.
        job.transcript_files = transcripts.transcript_files
        job.translation_files = transcripts.translation_files
        files = {**transcripts, **render_episode(show, job)}
        files["chapters.json"] = to_podcast_json(job.chapters)
        out |= {f"{job.slug}/{name}": text for name, text in files.items()}
    return out | render_show(show, jobs)


GOLDEN_FILES = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())


def test_every_golden_file_is_checked():
    assert set(GOLDEN_FILES) >= {"feed.xml", "index.html", f"{SAMPLE_SLUG}/index.html"}


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_renderers_match_golden(rendered, name):
    assert name in rendered, sorted(rendered)
    assert rendered[name] == (GOLDEN / name).read_text(encoding="utf-8")


def test_the_site_has_every_file_the_renderers_own(rendered):
    formats = ["vtt", "srt", "json", "txt", "html"]
    episode = {f"{SAMPLE_SLUG}/{n}" for n in ("index.html", "notes.md", "chapters.json")}
    episode |= {f"{SAMPLE_SLUG}/transcript.{fmt}" for fmt in formats}
    assert set(rendered) == {"feed.xml", "index.html", "style.css", "player.js"} | episode
