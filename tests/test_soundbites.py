"""Soundbites around verified quotes: the sample episode, synthetic cases and the feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from toolkit import pipeline
from toolkit.align import Alignment, QuoteMatch, align
from toolkit.article import read_article
from toolkit.chapters.soundbites import (
    MAX_SOUNDBITE_SECONDS,
    MIN_SOUNDBITE_SECONDS,
    Soundbite,
    soundbite_title,
    soundbites_from_alignment,
)
from toolkit.transcribe.transcript import Segment, Transcript

from .helpers import DATA, ROOT, SAMPLE_SLUG, stored_transcript_stages

PODCAST = "{https://podcastindex.org/namespace/1.0}"
SAMPLE_DURATION = 194.847


def quote(text: str, start: float, end: float, status: str = "verbatim", score: float = 100.0):
    return QuoteMatch(text, None, 0, status, start, end, score, text)


def alignment_with(*quotes: QuoteMatch) -> Alignment:
    return Alignment(version=1, paragraphs=[], quotes=list(quotes), segment_paragraph={})


def even_transcript(n: int, length: float = 4.0, sentence_every: int = 1) -> Transcript:
    """``n`` segments of ``length`` seconds; every ``sentence_every``-th ends a sentence."""
    segments = [
        Segment(
            id=i,
            start=i * length,
            end=(i + 1) * length - 0.2,
            text=f"words of segment {i}" + ("." if (i + 1) % sentence_every == 0 else ""),
        )
        for i in range(n)
    ]
    return Transcript(language="en", duration=n * length, segments=segments)


def assert_valid(bites: list[Soundbite], transcript: Transcript, quotes: list[QuoteMatch]):
    """15-60 s, on segment boundaries, each around its quote, none overlapping."""
    starts = {s.start for s in transcript.segments}
    ends = {s.end for s in transcript.segments}
    by_title = {soundbite_title(q.text if q.status == "verbatim" else q.heard): q for q in quotes}
    for bite in bites:
        assert MIN_SOUNDBITE_SECONDS <= bite.duration <= MAX_SOUNDBITE_SECONDS, bite
        assert bite.start in starts
        assert round(bite.end, 3) in {round(e, 3) for e in ends}, bite
        q = by_title[bite.title]
        assert bite.start <= q.start and q.end <= bite.end + 1e-6, (bite, q)
    for a, b in pairwise(bites):
        assert a.end <= b.start + 1e-6, (a, b)


# --- the sample episode -------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    transcript = Transcript.load(DATA / "golden" / "sample-transcript.full.json")
    article = read_article(ROOT / "episodes" / SAMPLE_SLUG / "article.txt")
    return transcript, align(transcript, article)


def test_sample_soundbites_enclose_the_heard_quotes(sample):
    transcript, alignment = sample
    bites = soundbites_from_alignment(alignment, transcript, duration=SAMPLE_DURATION)
    heard = [q for q in alignment.quotes if q.status in ("verbatim", "near")]
    assert len(heard) >= 3
    assert len(bites) == len(heard)  # the quotes are far enough apart for one each
    assert_valid(bites, transcript, heard)
    assert [b.start for b in bites] == sorted(b.start for b in bites)


def test_sample_soundbite_starts_with_the_lead_in(sample):
    transcript, alignment = sample
    bites = soundbites_from_alignment(alignment, transcript, duration=SAMPLE_DURATION)
    # "We hope this event..." is heard from 89.9 s; the bite starts with the
    # sentence that leads into it ("In Ishikane's words, ..."), not at the chapter.
    [rule] = [b for b in bites if b.title.startswith(("We hope this event", "we hope this event"))]
    lead_in = next(s for s in transcript.segments if s.text.startswith("In Ishikane's words"))
    assert rule.start == lead_in.start == pytest.approx(88.34)
    for bite in bites:  # each starts at a sentence, within a sentence of its quote
        q = next(
            q for q in alignment.quotes if q.start is not None and bite.start <= q.start < bite.end
        )
        assert q.start - bite.start < 8.0, (bite, q)


def test_sample_titles_are_words_spoken(sample):
    """A near quote's title is what was heard, not the article's wording."""
    transcript, alignment = sample
    bites = soundbites_from_alignment(alignment, transcript, duration=SAMPLE_DURATION)
    spoken = " ".join(transcript.text.lower().split())
    for bite in bites:
        words = bite.title.rstrip("…").lower().replace(",", "").split()
        assert " ".join(words[:6]) in spoken.replace(",", ""), bite.title


# --- synthetic -------------------------------------------------------------------
def test_short_quote_grows_forward_by_sentences():
    transcript = even_transcript(20, sentence_every=2)
    q = quote("A line", 41.0, 43.0)  # inside segment 10, which starts a sentence
    [bite] = soundbites_from_alignment(alignment_with(q), transcript)
    assert_valid([bite], transcript, [q])
    # Segment 10 starts a sentence and segment 11 ends it: 8 s. The sentence before
    # (8 s) is too long to lead in; on one sentence (segments 12-13) gives 16 s.
    assert (bite.start, round(bite.end, 3)) == (40.0, 55.8)


def test_a_short_sentence_before_leads_in():
    transcript = even_transcript(20, length=2.0)
    q = quote("A line", 20.2, 21.5)  # segment 10 is a sentence of its own
    [bite] = soundbites_from_alignment(alignment_with(q), transcript)
    assert bite.start == 18.0  # "She said:" before it
    assert_valid([bite], transcript, [q])


def test_a_quote_at_the_end_grows_back():
    transcript = even_transcript(20, sentence_every=2)
    q = quote("Closing words", 73.0, 75.0)  # segment 18, the last sentence (18-19)
    [bite] = soundbites_from_alignment(alignment_with(q), transcript)
    assert_valid([bite], transcript, [q])
    assert (bite.start, round(bite.end, 3)) == (64.0, 79.8)


def test_quote_at_the_start_grows_forward():
    transcript = even_transcript(20)
    q = quote("Opening words", 0.5, 3.0)
    [bite] = soundbites_from_alignment(alignment_with(q), transcript)
    assert_valid([bite], transcript, [q])
    assert bite.start == 0.0


def test_soundbites_never_overlap_and_verbatim_wins():
    transcript = even_transcript(30)
    near = quote("Heard roughly", 40.5, 43.0, status="near", score=99.0)
    verbatim = quote("Heard exactly", 48.5, 51.0, score=90.0)
    far = quote("Later on", 100.5, 103.0, status="near", score=80.0)
    bites = soundbites_from_alignment(alignment_with(near, verbatim, far), transcript)
    assert_valid(bites, transcript, [near, verbatim, far])
    titles = [b.title for b in bites]
    assert "Heard exactly" in titles and "Later on" in titles
    # The near quote got what room was left before the verbatim one, or none.
    if "Heard roughly" in titles:
        assert len(bites) == 3


def test_unverified_and_overlong_quotes_are_left_out():
    transcript = even_transcript(40)
    missing = QuoteMatch("Never said", None, 0, "not_found", None, None, 0.0, None)
    overlong = quote("Far too long", 10.0, 80.0)
    assert soundbites_from_alignment(alignment_with(missing, overlong), transcript) == []


def test_soundbites_respect_custom_limits_and_duration():
    transcript = even_transcript(40)
    q = quote("Middle", 80.5, 83.0)
    [bite] = soundbites_from_alignment(alignment_with(q), transcript, min_length=30, max_length=40)
    assert 30 <= bite.duration <= 40
    assert soundbites_from_alignment(alignment_with(q), transcript, duration=60.0) == []


def test_title_is_cut_at_a_word_within_128_characters():
    text = "word " * 60
    title = soundbite_title(text)
    assert len(title) <= 128 and title.endswith("word…")
    assert soundbite_title("  Short\n quote ") == "Short quote"
    assert soundbite_title("“Quoted.”") == "Quoted."


def test_title_is_cut_after_a_clause_when_one_is_near():
    text = "We hope this event would serve as an important reminder that we should pursue it, "
    title = soundbite_title(text + "that we " * 20)
    assert (
        title == "We hope this event would serve as an important reminder that we should pursue it…"
    )


# --- the feed -----------------------------------------------------------------


def test_feed_carries_soundbites(tmp_path):
    stages = stored_transcript_stages()
    report = pipeline.build(ROOT, pipeline.BuildOptions(output=tmp_path, progress=False), stages)
    [job] = report.jobs
    assert len(job.soundbites) >= 3
    item = ET.parse(tmp_path / "feed.xml").getroot().find("channel/item")
    found = item.findall(f"{PODCAST}soundbite")
    assert [(float(e.get("startTime")), float(e.get("duration")), e.text) for e in found] == [
        (b.start, b.duration, b.title) for b in job.soundbites
    ]
    page = (tmp_path / SAMPLE_SLUG / "index.html").read_text(encoding="utf-8")
    assert 'class="soundbites"' in page
