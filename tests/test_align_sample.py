"""Align the sample episode's real transcript to its article, against the script's truth.

The transcript is the stored Whisper ``base`` transcript of the sample episode
(``tests/data/golden/sample-transcript.full.json``), so the test runs no model.
The truth is ``tools/sample_episode/ground_truth.json``, written by the script
that synthesized the episode: which paragraph each line discusses, and the
exact times of the quotes read aloud. The thresholds are the issue's targets.
"""

from __future__ import annotations

import json
import statistics

import pytest

from toolkit.align import Alignment, align, normalise_words
from toolkit.article import Article, read_article
from toolkit.transcribe.transcript import Transcript

from .helpers import DATA, ROOT, SAMPLE_SLUG

TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def article() -> Article:
    return read_article(ROOT / "episodes" / SAMPLE_SLUG / "article.txt")


@pytest.fixture(scope="module")
def alignment(article: Article) -> Alignment:
    transcript = Transcript.load(DATA / "golden" / "sample-transcript.full.json")
    return align(transcript, article)


def true_starts(truth: dict, article: Article) -> dict[int, float]:
    """Paragraph index -> start of the first line that discusses it."""
    starts: dict[int, float] = {}
    for line in truth["lines"]:
        if line["paragraph"] is None:
            continue
        (index,) = [p.index for p in article.paragraphs if p.text.startswith(line["paragraph"])]
        starts.setdefault(index, line["start"])
    return starts


def tokens(text: str) -> str:
    return " ".join(normalise_words(text.split()).tokens)


def test_discussed_flags(alignment: Alignment, truth: dict, article: Article) -> None:
    discussed = set(true_starts(truth, article))
    wrong = [m.index for m in alignment.paragraphs if m.discussed != (m.index in discussed)]
    assert len(alignment.paragraphs) == len(article.paragraphs)
    assert len(wrong) <= 0.1 * len(article.paragraphs), wrong


def test_paragraph_start_error(alignment: Alignment, truth: dict, article: Article) -> None:
    starts = true_starts(truth, article)
    by_index = {m.index: m for m in alignment.paragraphs}
    errors = {
        i: abs(by_index[i].start - t) for i, t in starts.items() if by_index[i].start is not None
    }
    assert statistics.median(errors.values()) <= 3.0, errors


def test_spoken_quotes_are_found_in_time(alignment: Alignment, truth: dict) -> None:
    spoken = [q for line in truth["lines"] for q in line["quotes"]]
    assert spoken
    for said in spoken:
        hits = [
            q
            for q in alignment.quotes
            if q.status != "not_found" and tokens(said["text"]) in tokens(q.text)
        ]
        assert len(hits) == 1, said["text"]
        (hit,) = hits
        assert hit.start is not None and abs(hit.start - said["start"]) <= 1.0, said["text"]


def test_unspoken_quotes_are_not_found(alignment: Alignment, truth: dict) -> None:
    spoken = [tokens(q["text"]) for line in truth["lines"] for q in line["quotes"]]
    for q in alignment.quotes:
        if not any(s in tokens(q.text) for s in spoken):
            assert q.status == "not_found", q.text


def test_return_to_a_paragraph_is_a_revisit(
    alignment: Alignment, truth: dict, article: Article
) -> None:
    """The hosts come back to the DPRK quote's paragraph; the ASR wrote "VPRK" there."""
    by_index = {m.index: m for m in alignment.paragraphs}
    first_seen: set[int] = set()
    prev = None
    for line in truth["lines"]:
        para = line["paragraph"]
        if para is not None:
            (index,) = [p.index for p in article.paragraphs if p.text.startswith(para)]
            if index in first_seen and para != prev:
                revisits = by_index[index].revisits
                assert any(a < line["end"] and line["start"] < b for a, b in revisits), index
            first_seen.add(index)
        prev = para
