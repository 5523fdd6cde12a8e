"""Decoding that knows the article: prompts, name corrections and the derailing guard.

Run on real data: the sample episode's article, a stored base-model transcript
of the sample episode (tests/data/golden/sample-transcript.full.json), and, in
the slow test, the base model on the episode's first minute.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from dataclasses import replace

import pytest

from bench.biased_check import check_biased, guarded
from toolkit.article import read_article
from toolkit.transcribe.bias import (
    PROMPT_MAX_TOKENS,
    count_tokens,
    hotwords_for,
    prompt_for,
    terms_for,
)
from toolkit.transcribe.gaps import fill_gaps
from toolkit.transcribe.names import correct_names
from toolkit.transcribe.transcript import Correction, Segment, Transcript, Word

from .helpers import DATA, ROOT, SAMPLE_SLUG

EPISODE = ROOT / "episodes" / SAMPLE_SLUG
GOLDEN_TRANSCRIPT = DATA / "golden" / "sample-transcript.full.json"
WHISPER_PROMPT_LIMIT = 448 // 2 - 1  # whisper keeps at most this many prompt tokens


@pytest.fixture(scope="module")
def article():
    return read_article(EPISODE / "article.txt")


@pytest.fixture(scope="module")
def transcript():
    return Transcript.load(GOLDEN_TRANSCRIPT)


@pytest.fixture(scope="module")
def corrected(transcript, article):
    return correct_names(transcript, article)


# --- Prompts ----------------------------------------------------------------------


def test_prompt_names_the_articles_rare_names(article):
    prompt = prompt_for(article)
    for name in ["Kimihiro Ishikane", "Naoko Kumagai", "DPRK", "Senkaku Islands", "PassBlue"]:
        assert name in prompt


@pytest.mark.parametrize("budget", [PROMPT_MAX_TOKENS, 220, 40])
def test_prompt_stays_within_the_budget(article, budget):
    prompt = prompt_for(article, max_tokens=budget)
    assert 0 < count_tokens(prompt) <= min(budget, WHISPER_PROMPT_LIMIT)
    assert "Ishikane" in prompt  # the most useful name survives the smallest budget


def test_prompt_leaves_out_common_words(article):
    terms = terms_for(article)
    for word in ["Council", "Article", "Rule", "Law", "East", "Security Council"]:
        assert word not in terms
    # A surname that the full name already carries is not repeated.
    assert "Ishikane" not in terms and "Kimihiro Ishikane" in terms


def test_hotwords(article):
    hotwords = hotwords_for(article)
    assert "Kumagai" in hotwords and "DPRK" in hotwords
    assert count_tokens(hotwords) <= PROMPT_MAX_TOKENS


# --- Correction -------------------------------------------------------------------


def test_near_miss_names_are_corrected(corrected):
    found = {(c.original, c.corrected) for c in corrected.corrections}
    assert ("Kibitiro Ishikane", "Kimihiro Ishikane") in found
    assert ("Kuma Kai", "Kumagai") in found
    assert ("VPRK", "DPRK") in found
    assert sum(c.original == "Kuma Kai" for c in corrected.corrections) == 2
    text = corrected.text
    assert "Kimihiro Ishikane, Japan's permanent" in text
    assert "As Kumagai said," in text
    assert "North Korea and the DPRK either" in text
    assert not re.search(r"Kuma Kai|VPRK|Kibitiro", text)


def test_corrections_record_where_they_are(corrected):
    for c in corrected.corrections:
        seg = next(s for s in corrected.segments if s.id == c.segment)
        assert seg.start <= c.start < c.end <= seg.end
        merged = [w for w in seg.words if w.start >= c.start and w.end <= c.end]
        assert " ".join(w.word.strip(" ,.") for w in merged) == c.corrected


def test_only_article_names_are_written(corrected, article):
    names = {n.replace("’", "'") for n in article.proper_nouns}
    name_words = {w for n in names for w in n.split()}
    for c in corrected.corrections:
        assert c.corrected in names or c.corrected in name_words, c


def test_ordinary_words_are_untouched(transcript, corrected):
    """Outside the corrected spans every word and its timing is as before."""
    spans = [(c.segment, c.start, c.end) for c in corrected.corrections]

    def outside(seg_id: int, word: Word) -> bool:
        return not any(s == seg_id and a <= word.start < b for s, a, b in spans)

    for before, after in zip(transcript.segments, corrected.segments, strict=True):
        kept_before = [w for w in before.words if outside(before.id, w)]
        kept_after = [w for w in after.words if outside(after.id, w)]
        assert kept_before == kept_after
        assert after.text == "".join(w.word for w in after.words).strip()
        if not any(s == before.id for s, _, _ in spans):
            assert after == before
    # Two-word misspellings became one word: "Kuma Kai" twice (-2), "Kibitiro Ishikane"
    # stays two words, "Yon-Yang" (two Whisper words) became "Pyongyang" (-1).
    merged = sum(
        len(c.original.replace("-", " -").split()) - len(c.corrected.split())
        for c in corrected.corrections
    )
    assert len(transcript.words) - len(corrected.words) == merged == 3


def test_input_is_not_modified(transcript, corrected):
    assert transcript.corrections == []
    assert transcript.to_dict() == Transcript.load(GOLDEN_TRANSCRIPT).to_dict()


def test_correcting_twice_changes_nothing_more(corrected, article):
    again = correct_names(corrected, article)
    assert again.corrections == corrected.corrections
    assert again.segments == corrected.segments


def test_another_articles_names_change_nothing(transcript):
    """Corrections toward names that were never spoken would be false ones."""
    for other in ["bench/cases/discussion-mill/article.md", "tests/data/articles/news-page.html"]:
        path = ROOT / other
        if not path.is_file():
            continue
        assert correct_names(transcript, read_article(path)).corrections == []


def test_segments_without_word_times(article):
    seg = Segment(id=3, start=10.0, end=14.0, text="As Kuma Kai said, the VPRK won't move.")
    bare = Transcript(language="en", duration=20.0, segments=[seg])
    fixed = correct_names(bare, article)
    assert fixed.segments[0].text == "As Kumagai said, the DPRK won't move."
    assert fixed.segments[0].words == []
    assert [(c.start, c.end, c.segment) for c in fixed.corrections] == [(10.0, 14.0, 3)] * 2


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("Senkako Islands.", "Senkaku Islands."),  # one letter off: corrected
        ("Ishi Kane.", "Ishikane."),  # the same letters, split: joined
        ("Senkakuin.", "Senkakuin."),  # the name with an ending: another word
        ("kuma kai.", "kuma kai."),  # not written as a name, and not the same letters
        ("the UK.", "the UK."),  # "UN" is one letter off but too short to guess
        ("Moe, Naoko Kumagai.", "Moe, Naoko Kumagai."),  # the name is already there
        ("Naoko Kuma Kai.", "Naoko Kumagai."),
    ],
)
def test_what_counts_as_a_near_miss(article, said, written):
    seg = Segment(id=0, start=0.0, end=2.0, text=said)
    fixed = correct_names(Transcript("en", 2.0, [seg]), article)
    assert fixed.segments[0].text == written


def test_possessive_is_kept(article):
    words = [Word(1.0, 1.4, " In"), Word(1.4, 2.0, " Ishikani's"), Word(2.0, 2.4, " words,")]
    seg = Segment(id=0, start=1.0, end=2.4, text="In Ishikani's words,", words=words)
    fixed = correct_names(Transcript("en", 3.0, [seg]), article)
    assert fixed.segments[0].text == "In Ishikane's words,"
    assert fixed.corrections == [Correction(1.4, 2.0, "Ishikani's", "Ishikane's", 0)]


def test_corrections_round_trip_through_json(corrected):
    data = json.loads(json.dumps(corrected.to_dict()))
    keys = {"start", "end", "original", "corrected", "segment", "sound"}
    assert data["corrections"][0].keys() == keys
    assert data["corrections"][0]["sound"] is None  # corrected from its letters
    loaded = Transcript.from_dict(data)
    assert loaded.corrections == corrected.corrections
    assert loaded == corrected


def test_transcripts_saved_before_corrections_still_load():
    data = json.loads(GOLDEN_TRANSCRIPT.read_text(encoding="utf-8"))
    data.pop("corrections", None)
    assert Transcript.from_dict(data).corrections == []


# --- The derailing guard -----------------------------------------------------------


def test_a_transcript_is_as_good_as_itself(transcript):
    check = check_biased(transcript, transcript)
    assert check.safe and check.longest_gap == 0 and check.word_ratio == 1


def test_corrected_transcript_is_safe(transcript, corrected):
    assert check_biased(corrected, transcript).safe


def test_dropped_speech_is_caught(transcript):
    """40 s of speech gone, as tiny.en has done under a per-window prompt."""
    derailed = copy.deepcopy(transcript)
    derailed.segments = [s for s in derailed.segments if not 60 <= s.start < 100]
    check = check_biased(derailed, transcript)
    assert not check.safe
    assert check.longest_gap > 30
    assert "missing" in check.reason


def test_dropped_speech_is_filled_from_the_plain_pass(transcript, corrected):
    derailed = copy.deepcopy(corrected)  # biased (here: corrected) but 40 s gone
    derailed.segments = [s for s in derailed.segments if not 64 <= s.start < 100]
    check = check_biased(derailed, transcript)
    assert len(check.gaps) == 1
    start, end = check.gaps[0]
    assert 64 <= start <= 66 and 98 <= end <= 102  # the words of the segments removed
    filled = fill_gaps(derailed, transcript, check.gaps)
    assert [s.id for s in filled.segments] == list(range(len(transcript.segments)))
    assert [s.text for s in filled.segments if 64 <= s.start < 100] == [
        s.text for s in transcript.segments if 64 <= s.start < 100
    ]
    assert "Kumagai" in filled.text  # the biased pass's words are kept elsewhere
    for c in filled.corrections:  # and its corrections still point at their segments
        seg = filled.segments[c.segment]
        assert seg.start <= c.start < c.end <= seg.end
    assert check_biased(filled, transcript).safe
    assert guarded(derailed, transcript).text == filled.text
    assert guarded(corrected, transcript) is corrected


def test_a_loop_is_caught(transcript):
    looped = copy.deepcopy(transcript)
    seg = max(looped.segments, key=lambda s: len(s.words))
    for k in range(10):  # the same line again and again
        looped.segments.append(copy.deepcopy(seg))
        looped.segments[-1].id = 1000 + k
    check = check_biased(looped, transcript)
    assert not check.safe and "loop" in check.reason
    assert guarded(looped, transcript) is transcript


# --- End to end: base on the sample's first minute ----------------------------------


E2E_NAMES = ["Kimihiro Ishikane", "Ishikane", "DPRK", "PassBlue"]


def _names_in(text: str) -> Counter[str]:
    """Occurrences of the names in ``text``, a full name not counted again as its surname."""
    found: Counter[str] = Counter()
    for name in sorted(E2E_NAMES, key=len, reverse=True):
        found[name] = text.count(name)
        text = text.replace(name, " ")
    return found


def _name_hits(text: str, spoken: Counter[str]) -> int:
    """How many spoken name occurrences the text spells right (counted, not aligned)."""
    return sum((_names_in(text) & spoken).values())


@pytest.mark.slow
def test_prompting_base_helps_on_the_first_minute(article):
    import whisper

    from toolkit.audio import SAMPLE_RATE, decode
    from toolkit.transcribe.weights import load_model

    truth = json.loads((ROOT / "tools/sample_episode/ground_truth.json").read_text())
    samples = decode(EPISODE / "audio.mp3")[: 60 * SAMPLE_RATE]
    spoken = _names_in(" ".join(line["text"] for line in truth["lines"] if line["end"] <= 60))
    assert sum(spoken.values()) == 4  # PassBlue, Kimihiro Ishikane, Ishikane, DPRK

    model = load_model("base")
    options = dict(language="en", fp16=False, word_timestamps=True)
    plain = whisper.transcribe(model, samples, **options)["text"]
    prompted = whisper.transcribe(
        model, samples, initial_prompt=prompt_for(article), carry_initial_prompt=True, **options
    )["text"]
    assert _name_hits(prompted, spoken) >= _name_hits(plain, spoken), (plain, prompted)


# --- The show's own people ----------------------------------------------------------

PEOPLE = ["Maya Okafor", "Daniel Reyes"]


def _said(text: str) -> Transcript:
    words = [Word(0.3 * i, 0.3 * i + 0.25, " " + w, 0.9) for i, w in enumerate(text.split())]
    seg = Segment(0, words[0].start, words[-1].end, text, words)
    return Transcript(language="en", duration=30.0, segments=[seg])


def test_the_shows_people_are_always_in_the_prompt(article):
    from toolkit.transcribe.bias import with_names

    both = with_names(article, PEOPLE)
    assert both is not None and both.proper_nouns[:2] == PEOPLE
    assert article.proper_nouns[:2] != PEOPLE  # the article itself is left unchanged
    # Taken first, written last (at the head, base wrote the host's name for another).
    assert prompt_for(both, people=PEOPLE).endswith(", Maya Okafor, Daniel Reyes.")
    short = prompt_for(both, max_tokens=20, people=PEOPLE)
    assert short.endswith(", Maya Okafor, Daniel Reyes.") and "Kumagai" not in short
    assert "Daniel Reyes" not in prompt_for(both, max_tokens=20)  # not a rare name
    alone = with_names(None, PEOPLE)
    assert alone is not None and alone.paragraphs == [] and alone.proper_nouns == PEOPLE
    unsigned = replace(article, byline=None)
    assert with_names(None, []) is None and with_names(unsigned, []) is unsigned


def test_the_hosts_misheard_name_is_corrected(transcript, article):
    """The stored plain pass says "I'm Myra Kefir"; with the show's people it says Maya Okafor."""
    from toolkit.transcribe.bias import with_names

    assert "I'm Myra Kefir" in transcript.text
    assert "Myra Kefir" in correct_names(transcript, article).text  # the article alone: no
    fixed = correct_names(transcript, with_names(article, PEOPLE), PEOPLE)
    assert "I'm Maya Okafor and my guest today is Daniel Reyes" in fixed.text
    person = [c for c in fixed.corrections if c.corrected == "Maya Okafor"]
    assert [(c.original, c.start < 5) for c in person] == [("Myra Kefir", True)]


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("I'm Maya Raakafur and this is the show", "Maya Okafor"),  # as the biased pass heard it
        ("Thanks, Myrak Hafer. See you", "Maya Okafor"),
        ("and I'm Mark Taylor from the desk", "Mark Taylor"),  # another person: 40
        ("we saw Myra Kefir at the market", "Myra Kefir"),  # not introduced
        ("I'm Myra. Kefir is a drink", "Kefir"),  # a sentence ends between
        ("my guest is Danielle Rice today", "Daniel Reyes"),
    ],
)
def test_people_are_corrected_only_where_introduced(said, kept):
    from toolkit.transcribe.bias import with_names

    fixed = correct_names(_said(said), with_names(None, PEOPLE), PEOPLE)
    assert kept in fixed.text, fixed.text


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Tomasz Wierzbicki", ["Tomasz Wierzbicki"]),
        ("By Lena Vos and Tomas Reis", ["Lena Vos", "Tomas Reis"]),
        ("Interview by Bronwen Ap-Rhys", ["Bronwen Ap-Rhys"]),
        ("By Jane Doe, John Smith & Ann O’Neill", ["Jane Doe", "John Smith", "Ann O'Neill"]),
        ("Staff reporter", []),
        ("Reuters", []),
        ("desk@example.com", []),
        (None, []),
    ],
)
def test_a_bylines_people_are_found(byline, names):
    from toolkit.transcribe.bias import byline_names

    assert byline_names(byline) == names


def test_the_articles_author_joins_the_names(article):
    """A host says who wrote the article ("a blog post by ..."): its byline joins
    the names after the show's people, so it is biased towards and corrected."""
    from toolkit.transcribe.bias import with_names

    signed = replace(article, byline="By Morwenna Tregear")
    both = with_names(signed, PEOPLE)
    assert both is not None and both.proper_nouns[:2] == PEOPLE
    assert both.proper_nouns[-1] == "Morwenna Tregear"
    assert "Morwenna Tregear" in prompt_for(both, people=PEOPLE)
    alone = with_names(signed, [])
    assert alone is not None and alone.proper_nouns[-1] == "Morwenna Tregear"
    # An author the text names already keeps its place: the prompt is unchanged.
    unsigned = with_names(replace(article, byline=None), PEOPLE)
    assert unsigned is not None and "Damilola Banjo" in article.proper_nouns
    assert with_names(article, PEOPLE).proper_nouns == unsigned.proper_nouns
    fixed = correct_names(_said("a blog post by Morwena Tregear about the mill"), alone)
    assert "Morwenna Tregear" in fixed.text, fixed.text
    assert "Morwenna" not in " ".join(article.proper_nouns)  # the article is unchanged
