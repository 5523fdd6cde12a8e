"""Chapters: from the sample episode's real alignment, and from synthetic episodes.

The synthetic episode opens with two off-article topics (a garden, then a
listener's bicycle), then discusses the Markdown blog post about a tide mill,
whose paragraphs sit under subheads, and closes with a short goodbye.
"""

from __future__ import annotations

import json
from itertools import pairwise

import pytest

from toolkit.align import Alignment, ParagraphMatch, align
from toolkit.article import Article, Paragraph, read_article
from toolkit.chapters import (
    INTRODUCTION,
    MIN_CHAPTER_SECONDS,
    Chapter,
    chapters_from_alignment,
    chapters_from_transcript,
    to_podcast_json,
)
from toolkit.chapters.phrases import PhrasePicker, content_terms
from toolkit.chapters.topics import depth_scores
from toolkit.transcribe.transcript import Segment, Transcript

from .helpers import DATA, ROOT, SAMPLE_SLUG

SAMPLE_TRANSCRIPT = DATA / "golden" / "sample-transcript.full.json"
SAMPLE_ARTICLE = ROOT / "episodes" / SAMPLE_SLUG / "article.txt"

GARDEN = [
    "Before we start, I have to tell you about my garden this week.",
    "The tomatoes finally ripened after weeks of cold nights and grey skies.",
    "I grew three kinds of tomatoes this year, cherry tomatoes, plum tomatoes and a beefsteak.",
    "The beefsteak tomatoes split in the rain, but the cherry tomatoes were perfect.",
    "My neighbour swears by feeding tomato plants with seaweed from the beach.",
    "I tried the seaweed on half the tomato beds and the fruit did seem sweeter.",
    "Next year I want to build a small greenhouse for the tomatoes and the peppers.",
    "A greenhouse would let the tomato plants start in March instead of May.",
]
BICYCLE = [
    "Now, a listener wrote in with a question about bicycles.",
    "She rides her bicycle to work along the coast road every morning.",
    "Her bicycle chain keeps slipping on the steep hill by the harbour.",
    "A slipping chain usually means a worn chain or a worn cassette on the rear hub.",
    "Replace the chain every few thousand kilometres and the cassette lasts much longer.",
    "She also asked whether an electric bicycle would help her on the hills.",
    "An electric bicycle makes the hill easy, but the battery adds weight to the frame.",
    "Try a new chain first, it is cheap, and see if the bicycle chain still slips.",
]
MILL = [  # (line, paragraph of the blog post)
    ("Our story is about the Harbour Tide Mill at Porthgwyn, where volunteers grind flour.", 0),
    ("The sea fills the millpond twice a day and flows out through a wooden wheel.", 0),
    ("The mill closed in 1957, but since 2019 it grinds flour for the village bakery.", 0),
    ("Unlike a river mill, a tide mill cannot choose its hours.", 1),
    ("The gates close on the rising tide and the miller waits for the ebb.", 1),
    ("So the working day moves by about fifty minutes from one day to the next.", 1),
    ("Jory Penhallow leads the volunteer millers and plans the week around the tide tables.", 2),
    ("Some weeks that means grinding at four in the morning, he says.", 2),
    ("Penhallow says the silt is harder than the early starts, storms push sand in.", 3),
    ("A shallower pond stores less water and turns the wheel for a shorter time.", 3),
    ("The trust asked the Cornwall Maritime Society to measure the flour from one ebb.", 4),
    ("Engineers fitted a rotation counter to the main shaft for a lunar month.", 4),
    ("On a good spring tide the wheel grinds about 180 kilograms of wholemeal.", 5),
    ("A neap tide gives barely half of that, which surprised the volunteers.", 5),
    ("Elowen Hocking told the trustees the pond matters more than the wheel.", 6),
    ("So the money has to go into dredging before anything else.", 6),
    ("Her report recommends dredging a third of the pond every autumn.", 7),
    ("The trust applied to the Heritage Fund for a grant to pay for the dredging.", 8),
    ("The grant would also pay for a new set of sluice paddles this summer.", 8),
    ("Some residents worry that dredging will disturb the wading birds on the mudflats.", 9),
    ("The parish council has asked for an ecological survey before any work.", 9),
    ("Tamsin Rowe loves the mill, but the curlews were there before the miller.", 10),
    ("She says nobody has to choose, only count the birds first.", 10),
    ("Penhallow welcomed the survey, and the mill opens to visitors once a month.", 11),
]
GOODBYE = ["That's all for today.", "Thanks for listening, see you next week."]


def make_transcript(lines: list[str], words_per_second: float = 2.5, pause: float = 0.4):
    """A transcript with one segment per line, timed by its word count."""
    segments, t = [], 0.0
    for i, text in enumerate(lines):
        length = max(1.0, len(text.split()) / words_per_second)
        segments.append(Segment(id=i, start=round(t, 3), end=round(t + length, 3), text=text))
        t += length + pause
    return Transcript(language="en", duration=round(t, 3), segments=segments)


def make_alignment(labels: list[int | None], article: Article, transcript: Transcript):
    """An alignment that maps segment i to paragraph labels[i]."""
    matches = []
    for para in article.paragraphs:
        segs = [
            s for s, label in zip(transcript.segments, labels, strict=True) if label == para.index
        ]
        matches.append(
            ParagraphMatch(
                index=para.index,
                discussed=bool(segs),
                start=segs[0].start if segs else None,
                end=segs[-1].end if segs else None,
                score=0.5 if segs else 0.0,
                segments=[s.id for s in segs],
            )
        )
    mapping = {s.id: label for s, label in zip(transcript.segments, labels, strict=True)}
    return Alignment(version=1, paragraphs=matches, quotes=[], segment_paragraph=mapping)


@pytest.fixture(scope="module")
def blog():
    return read_article(DATA / "articles" / "blog-post.md")


@pytest.fixture(scope="module")
def synthetic(blog):
    lines = GARDEN + BICYCLE + [line for line, _ in MILL] + GOODBYE
    labels = [None] * (len(GARDEN) + len(BICYCLE)) + [p for _, p in MILL] + [None] * len(GOODBYE)
    transcript = make_transcript(lines)
    return transcript, make_alignment(labels, blog, transcript)


@pytest.fixture(scope="module")
def sample():
    transcript = Transcript.load(SAMPLE_TRANSCRIPT)
    article = read_article(SAMPLE_ARTICLE)
    return transcript, article, align(transcript, article)


def assert_well_formed(chapters: list[Chapter], transcript: Transcript, duration: float, min_len):
    """Start at 0, contiguous, end at ``duration``, on segment starts, long enough."""
    assert chapters[0].start == 0.0
    assert chapters[-1].end == pytest.approx(duration)
    for ch, nxt in pairwise(chapters):
        assert ch.end == nxt.start
    starts = {round(s.start, 3) for s in transcript.segments}
    assert all(ch.start in starts for ch in chapters[1:])
    if len(chapters) > 1:
        assert all(ch.end - ch.start >= min_len for ch in chapters), chapters
    titles = [ch.title for ch in chapters]
    assert all(0 < len(t) <= 50 for t in titles), titles
    assert len(set(titles)) == len(titles), titles


def segment_index(transcript: Transcript, text: str) -> int:
    return next(i for i, s in enumerate(transcript.segments) if s.text == text)


# --- the sample episode: a real transcript against its real article ---------
def test_sample_chapters_are_well_formed(sample):
    transcript, article, alignment = sample
    chapters = chapters_from_alignment(alignment, article, transcript, 194.847)
    assert_well_formed(chapters, transcript, 194.847, MIN_CHAPTER_SECONDS)
    assert 3 <= len(chapters) <= 8


def test_sample_titles_are_key_phrases_not_truncated_sentences(sample):
    transcript, article, alignment = sample
    chapters = chapters_from_alignment(alignment, article, transcript, 194.847)
    for ch in chapters:
        assert not ch.title.endswith(("…", "...")), ch.title
        assert not any(p.text.startswith(ch.title) for p in article.paragraphs), ch.title
    titles = " | ".join(ch.title.lower() for ch in chapters)
    for topic in ("north korea", "rule of law", "afghanistan", "taliban"):
        assert topic in titles, titles


def test_sample_chapters_follow_the_discussion(sample):
    transcript, article, alignment = sample
    chapters = chapters_from_alignment(alignment, article, transcript, 194.847)
    # The rule-of-law debate starts with the host's question at 78.4 s.
    [rule] = [ch for ch in chapters if "rule of law" in ch.title.lower()]
    assert rule.start == pytest.approx(78.44)
    # The Taliban chapter starts where Kumagai's doubts do and keeps the short outro.
    assert chapters[-1].start == pytest.approx(162.48)


def test_sample_min_length_is_configurable(sample):
    transcript, article, alignment = sample
    counts = []
    for min_len in (10.0, 20.0, 40.0, 90.0):
        chapters = chapters_from_alignment(alignment, article, transcript, 194.847, min_len)
        assert_well_formed(chapters, transcript, 194.847, min_len)
        counts.append(len(chapters))
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


# --- synthetic: subheads, an uncovered intro, topic segmentation ------------
def test_headings_title_their_chapters(synthetic, blog):
    transcript, alignment = synthetic
    chapters = chapters_from_alignment(alignment, blog, transcript)
    assert_well_formed(chapters, transcript, transcript.duration, MIN_CHAPTER_SECONDS)
    titles = [ch.title for ch in chapters]
    headings = ["A wheel that runs on the calendar", "Counting the grain", "What comes next"]
    assert [t for t in titles if t in headings] == headings
    # A subhead's chapter starts at its first paragraph's first line, or earlier
    # where the article's short opening paragraph (no subhead) joined it.
    starts = {c.title: c.start for c in chapters}
    for heading, first_para in zip(headings, (1, 4, 8), strict=True):
        line = next(line for line, p in MILL if p == first_para)
        start = transcript.segments[segment_index(transcript, line)].start
        assert starts[heading] == start or (first_para == 1 and starts[heading] < start)


def test_uncovered_intro_is_split_off_and_by_topic(synthetic, blog):
    transcript, alignment = synthetic
    chapters = chapters_from_alignment(alignment, blog, transcript)
    assert chapters[0].title == INTRODUCTION
    # Topic segmentation finds the switch from the garden to the bicycle (±1 line).
    switch = segment_index(transcript, BICYCLE[0])
    near = {transcript.segments[i].start for i in (switch - 1, switch, switch + 1)}
    [bike] = [ch for ch in chapters if ch.start in near]
    assert "bicycle" in bike.title.lower() or "chain" in bike.title.lower(), bike.title
    # The article's first paragraph (no subhead) starts a chapter of its own or
    # joins one; either way no chapter mixes the bicycle with the mill.
    mill_start = transcript.segments[segment_index(transcript, MILL[0][0])].start
    assert any(ch.start == mill_start for ch in chapters) or bike.end <= mill_start + 1e-6


def test_short_outro_merges_but_long_one_is_a_wrap_up(blog):
    lines = [line for line, _ in MILL]
    labels = [p for _, p in MILL]
    short = make_transcript(lines + GOODBYE)
    chapters = chapters_from_alignment(
        make_alignment(labels + [None] * 2, blog, short), blog, short
    )
    assert chapters[-1].title == "What comes next"
    chatter = GOODBYE + ["It was lovely to have you.", "Thank you, it was fun.",
                         "Talk to you soon.", "Bye for now, everybody."]  # fmt: skip
    long = make_transcript(lines + chatter)
    chapters = chapters_from_alignment(
        make_alignment(labels + [None] * len(chatter), blog, long), blog, long, min_length=10
    )
    assert chapters[-1].title == "Wrap-up"
    assert chapters[-1].start == long.segments[len(lines)].start


def test_paragraphs_without_headings_get_key_phrase_titles():
    paragraphs = [
        "The city council voted to close the old swimming pool on Mill Street next spring. "
        "The swimming pool needs a new roof, and repairs would cost more than a new pool.",
        "Parents say the swimming pool is the only place where children learn to swim. "
        "Swimming lessons will move to the leisure centre across the river.",
        "The council also approved new cycle lanes on the high street. "
        "Shopkeepers worry the cycle lanes will take away parking spaces.",
    ]
    article = Article(None, None, None, None, [Paragraph(i, t) for i, t in enumerate(paragraphs)])
    lines, labels = [], []
    for i, text in enumerate(paragraphs):
        for sentence in text.split(". "):
            lines += [sentence, "Right, and that matters to a lot of people here."]
            labels += [i, i]
    transcript = make_transcript(lines)
    chapters = chapters_from_alignment(
        make_alignment(labels, article, transcript), article, transcript
    )
    titles = [ch.title.lower() for ch in chapters]
    assert "pool" in titles[0] and "cycle lanes" in titles[-1], titles


def test_question_leads_into_the_next_chapter(blog):
    # A reaction, then a question between "A wheel..." and "Counting the grain".
    lines = [line for line, _ in MILL[:10]] + ["Hard work.", "So who counted the flour?"]
    lines += [line for line, _ in MILL[10:14]]
    labels = [p for _, p in MILL[:10]] + [None, None] + [p for _, p in MILL[10:14]]
    transcript = make_transcript(lines)
    alignment = make_alignment(labels, blog, transcript)
    chapters = chapters_from_alignment(alignment, blog, transcript, min_length=10)
    [grain] = [ch for ch in chapters if ch.title == "Counting the grain"]
    assert grain.start == transcript.segments[11].start  # the question, not the reaction


def test_revisited_paragraph_is_named_as_such():
    paragraphs = [
        "The harbour wall cracked in the January storm and the council closed the pier.",
        "Fishermen now land their catch at the beach, hauling boxes across the sand.",
    ]
    article = Article(None, None, None, None, [Paragraph(i, t) for i, t in enumerate(paragraphs)])
    lines = ["The harbour wall cracked in the storm and the council closed the pier."] * 5
    lines += ["Fishermen now haul their catch across the beach sand by hand."] * 5
    lines += ["Back to that harbour wall, the cracked wall will take a year to mend."] * 5
    transcript = make_transcript(lines)
    labels = [0] * 5 + [1] * 5 + [0] * 5
    chapters = chapters_from_alignment(
        make_alignment(labels, article, transcript), article, transcript
    )
    assert len(chapters) == 3
    assert chapters[2].title == f"{chapters[0].title} (revisited)"


# --- without an article --------------------------------------------------
def test_transcript_alone_is_split_by_topic():
    transcript = make_transcript(GARDEN + BICYCLE + [line for line, _ in MILL[:12]])
    chapters = chapters_from_transcript(transcript)
    assert_well_formed(chapters, transcript, transcript.duration, MIN_CHAPTER_SECONDS)
    assert len(chapters) == 3
    expected = [transcript.segments[segment_index(transcript, s)].start
                for s in (BICYCLE[0], MILL[0][0])]  # fmt: skip
    for got, want in zip([ch.start for ch in chapters[1:]], expected, strict=True):
        assert abs(got - want) <= 8.0  # within a line of the switch
    assert chapters[0].title == INTRODUCTION


def test_empty_transcript_has_one_chapter_or_none():
    assert chapters_from_transcript(Transcript("en", 0.0, [])) == []
    [only] = chapters_from_transcript(Transcript("en", 30.0, []))
    assert (only.start, only.end) == (0.0, 30.0)


# --- the parts --------------------------------------------------------------
def test_depth_scores_peak_at_the_dip():
    depths = depth_scores([0.5, 0.4, 0.05, 0.3, 0.6])
    assert max(range(5), key=depths.__getitem__) == 2
    assert depths[2] == pytest.approx((0.5 - 0.05) + (0.6 - 0.05))


def test_phrase_picker_keeps_names_whole_and_skips_fillers():
    picker = PhrasePicker(["North Korea tested missiles.", "The weather was fine."])
    titles = [
        p.text for p in picker.phrases("Yeah, so, North Korea’s missile tests worried Tokyo.")
    ]
    assert "North Korea’s missile tests" in titles
    assert not any(t.startswith(("Korea", "Yeah", "so")) for t in titles), titles
    assert content_terms("Yeah, the UN said it really likes talks.") == ["un", "like", "talk"]


def test_podcast_json_round_trip():
    chapters = [Chapter(0.0, "Introduction", 12.5), Chapter(12.5, "Rule of law", 40.0)]
    data = json.loads(to_podcast_json(chapters))
    assert data["version"] == "1.2.0"
    assert data["chapters"][1] == {"startTime": 12.5, "title": "Rule of law", "endTime": 40.0}


def test_podcast_json_keeps_only_web_links():
    """A source chapter's link or image that is not a web URL never reaches the JSON."""
    chapters = [
        Chapter(0.0, "Web", 5.0, url="https://example.org/a", img="https://example.org/a.jpg"),
        Chapter(5.0, "Script", 9.0, url="javascript:alert(1)", img="data:image/png;base64,AA"),
        Chapter(9.0, "Disguised", 12.0, url=" JaVa\tScRiPt:alert(1)"),
    ]
    items = json.loads(to_podcast_json(chapters))["chapters"]
    assert (items[0]["url"], items[0]["img"]) == (
        "https://example.org/a",
        "https://example.org/a.jpg",
    )
    assert all("url" not in c and "img" not in c for c in items[1:]), items
