"""Article-aware transcription: biased options, the speech-coverage check and its fallback.

On real data: the sample episode's article and audio, speech found by the
real Silero VAD, and a stored base-model transcript of the episode
(tests/data/golden/sample-transcript.full.json). The whole path with Whisper
runs in the site build (tests/test_build.py); here the engine is replaced by
one that answers with the stored transcript, to count what every pass shares.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from toolkit.article import read_article
from toolkit.transcribe.bias import bias_by_default, biased_options
from toolkit.transcribe.gaps import speech_gaps
from toolkit.transcribe.options import TranscribeOptions
from toolkit.transcribe.run import article_key, choose
from toolkit.transcribe.transcript import Segment, Transcript, Word

from .helpers import DATA, ROOT, SAMPLE_SLUG

EPISODE = ROOT / "episodes" / SAMPLE_SLUG
GOLDEN_TRANSCRIPT = DATA / "golden" / "sample-transcript.full.json"


@pytest.fixture(scope="module")
def article():
    return read_article(EPISODE / "article.txt")


@pytest.fixture(scope="module")
def transcript():
    return Transcript.load(GOLDEN_TRANSCRIPT)


@pytest.fixture(scope="module")
def speech():
    from toolkit.audio import SAMPLE_RATE, decode
    from toolkit.transcribe.vad import speech_spans

    return speech_spans(decode(EPISODE / "audio.mp3"), SAMPLE_RATE)


def _words(*times: tuple[float, float]) -> Transcript:
    words = [Word(start=s, end=e, word=" w", probability=0.9) for s, e in times]
    segment = Segment(id=0, start=words[0].start, end=words[-1].end, text="w", words=words)
    return Transcript(language="en", duration=100.0, segments=[segment])


def _without(transcript: Transcript, start: float, end: float) -> Transcript:
    """``transcript`` less its segments that start within [start, end): dropped speech."""
    kept = [s for s in transcript.segments if not start <= s.start < end]
    return replace(copy.deepcopy(transcript), segments=kept)


# --- Options -----------------------------------------------------------------------


def test_openai_gets_a_prompt_carried_into_every_window(article):
    options = biased_options(TranscribeOptions(model="base", engine="openai"), article)
    assert options is not None
    assert "Ishikane" in options.initial_prompt and options.carry_initial_prompt
    assert options.hotwords is None


def test_faster_gets_hotwords(article):
    options = biased_options(TranscribeOptions(model="base", engine="faster"), article)
    assert options is not None
    assert "Ishikane" in options.hotwords
    assert options.initial_prompt is None and not options.carry_initial_prompt


def test_a_prompt_of_ones_own_comes_first(article):
    options = biased_options(TranscribeOptions(engine="openai", initial_prompt="UN Desk."), article)
    assert options is not None and options.initial_prompt.startswith("UN Desk. ")


def test_an_article_without_names_biases_nothing(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text(
        "the weather this week\n\n"
        + "it was cold on monday and warm on friday, and most of the week it rained "
        "a little in the morning and then cleared up by the middle of the day.\n" * 3
    )
    assert biased_options(TranscribeOptions(), read_article(plain)) is None


# --- The coverage check --------------------------------------------------------------


def test_words_across_the_speech_leave_no_gap():
    covered = _words((0.5, 1.0), (3.0, 3.5), (6.0, 6.5), (9.0, 9.8))
    assert speech_gaps(covered, [(0.0, 10.0)]) == []


def test_a_long_stretch_of_speech_without_words_is_a_gap():
    sparse = _words((0.5, 1.0), (12.0, 12.5))
    assert speech_gaps(sparse, [(0.0, 20.0)]) == [(2.0, 11.0), (13.5, 20.0)]


def test_silence_between_speech_spans_is_no_gap():
    two_turns = _words((0.5, 1.0), (3.0, 4.0), (30.0, 31.0), (33.0, 34.0))
    assert speech_gaps(two_turns, [(0.0, 4.5), (29.5, 34.5)]) == []


def test_the_stored_transcript_covers_the_sample_speech(transcript, speech):
    assert speech, "VAD found no speech in the sample episode"
    assert speech_gaps(transcript, speech) == []


def test_dropped_speech_is_found_where_it_was_dropped(transcript, speech):
    dropped = _without(transcript, 64.0, 90.0)
    gaps = speech_gaps(dropped, speech)
    assert gaps, "30 s of dropped speech went unnoticed"
    assert all(a >= 55.0 and b <= 95.0 for a, b in gaps), gaps
    assert sum(b - a for a, b in gaps) >= 20.0


# --- Keeping, filling, falling back --------------------------------------------------


def _never(*args: object) -> Transcript:
    raise AssertionError("a second decoding ran although it was not needed")


def test_a_covering_transcript_is_kept_without_a_plain_pass(transcript, speech):
    kept, outcome, gaps = choose(transcript, speech, _never, _never)
    assert (kept, outcome, gaps) == (transcript, "biased", [])


def test_dropped_speech_is_filled_from_the_gaps_alone(transcript, speech):
    """Only the skipped stretches are decoded again; no whole unbiased pass."""
    dropped = _without(transcript, 64.0, 90.0)
    asked: list[list[tuple[float, float]]] = []

    def again(gaps: list[tuple[float, float]]) -> Transcript:
        asked.append(gaps)
        return transcript

    kept, outcome, gaps = choose(dropped, speech, again, _never)
    assert asked == [gaps] and outcome == "filled"
    assert all(a >= 55.0 and b <= 95.0 for a, b in gaps), gaps
    assert kept.text == transcript.text
    assert speech_gaps(kept, speech) == []


def test_a_looping_biased_pass_gives_way_to_the_plain_pass(transcript, speech):
    looped = _without(transcript, 64.0, 90.0)
    words = [replace(w) for w in looped.segments[0].words]
    loop = [
        Segment(id=0, start=t, end=t + 2, text=looped.segments[0].text, words=words)
        for t in range(100, 190, 3)
    ]
    looped = replace(looped, segments=[*looped.segments, *loop])
    whole: list[int] = []

    def plain() -> Transcript:
        whole.append(1)
        return transcript

    # The loop's copies are echoes (toolkit.transcribe.echoes), decoded again;
    # here that decoding loops as well, so only the whole plain pass mends it.
    kept, outcome, _ = choose(looped, speech, lambda gaps: looped, plain)
    assert whole == [1] and (kept, outcome) == (transcript, "fallback")

    # Where the echoes decoded again hear the speech, no whole pass is needed.
    whole.clear()
    kept, outcome, _ = choose(looped, speech, lambda gaps: transcript, plain)
    assert whole == [] and outcome == "filled"
    assert kept.text.count(looped.segments[0].text) == 1


@pytest.mark.parametrize(
    ("model", "bias"),
    [("tiny.en", False), ("tiny", False), ("/models/tiny.en.pt", False),
     ("base", True), ("small.en", True), ("/models/large-v3", True)],
)  # fmt: skip
def test_bias_by_default_except_tiny(model, bias):
    assert bias_by_default(model) is bias


def test_tiny_with_an_article_runs_one_unbiased_pass(tmp_path, article):
    """tiny.en with an article: one plain pass (cached with the article), no prompt."""
    from toolkit.transcribe import TranscriptCache, transcribe_with_article

    options = TranscribeOptions(model="tiny.en", language="en")
    cache = TranscriptCache(tmp_path / "cache")
    audio = ROOT / "tests" / "data" / "speech" / "jfk.flac"
    result = transcribe_with_article(audio, options, article, cache=cache, progress=False)
    assert result.outcome == "plain"
    assert result.transcript.options.get("initial_prompt") is None
    again = transcribe_with_article(audio, options, article, cache=cache, progress=False)
    assert again.cached and again.transcript == result.transcript


# --- Cache keys ------------------------------------------------------------------------


def test_the_article_key_is_made_of_its_content_not_its_path(tmp_path, article):
    """A copied or moved show finds its transcripts again."""
    options = TranscribeOptions(model="base")
    copied = tmp_path / "elsewhere" / "article.txt"
    copied.parent.mkdir()
    copied.write_bytes((EPISODE / "article.txt").read_bytes())
    moved = read_article(copied)
    assert moved.source != article.source
    key = article_key("0" * 64, options, article, bias=True, correct=True)
    assert article_key("0" * 64, options, moved, bias=True, correct=True) == key
    edited = replace(moved, proper_nouns=[*moved.proper_nouns, "Kumagai Naoko"])
    assert article_key("0" * 64, options, edited, bias=True, correct=True) != key
    assert article_key("0" * 64, options, article, bias=False, correct=True) != key
    assert article_key("1" * 64, options, article, bias=True, correct=True) != key
    people = ["Maya Okafor"]
    assert article_key("0" * 64, options, article, bias=True, correct=True, names=people) != key


def test_the_article_key_follows_the_prompt(monkeypatch, article):
    """A change in how the prompt is made (not in the article) misses the kept transcript."""
    from toolkit.transcribe import bias

    options = TranscribeOptions(model="base", engine="openai")
    key = article_key("0" * 64, options, article, bias=True, correct=True)
    monkeypatch.setattr(bias, "PROMPT_MAX_TOKENS", 60)
    monkeypatch.setattr(bias.prompt_for, "__defaults__", (60, ()))
    assert article_key("0" * 64, options, article, bias=True, correct=True) != key


# --- One voice activity detection for every pass -----------------------------------------


class _Canned:
    """An engine that reads the audio it is given and answers with stored transcripts.

    The biased pass (a prompt in its options) loses the speech between 60 and
    90 s; the plain pass is the stored base transcript.
    """

    name = "openai"

    def __init__(self, plain: Transcript):
        self.plain = plain
        self.calls: list[tuple[bool, object]] = []

    def transcribe(self, chunks, options, *, clips=None, progress=None, threads=0):
        seconds = sum(len(c) for c in chunks) / 16000
        assert seconds > 190  # the whole episode, however it came
        biased = options.initial_prompt is not None
        self.calls.append((biased, clips))
        found = _without(self.plain, 64.0, 90.0) if biased else copy.deepcopy(self.plain)
        return replace(found, options={"initial_prompt": options.initial_prompt})


def test_every_pass_shares_one_decode_and_one_speech_detection(
    tmp_path, article, transcript, monkeypatch
):
    from toolkit.transcribe import TranscriptCache, engines, gaps, transcribe_with_article, vad

    canned = _Canned(transcript)
    monkeypatch.setattr(engines, "get_engine", lambda name: canned)
    counts = {"decode": 0, "stream": 0, "vad": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(gaps, "decode_pcm", counting("decode", gaps.decode_pcm))
    monkeypatch.setattr(gaps, "stream", counting("stream", gaps.stream))
    monkeypatch.setattr(vad, "speech_spans", counting("vad", vad.speech_spans))
    options = TranscribeOptions(model="base", engine="openai", language="en")
    cache = TranscriptCache(tmp_path / "cache")
    audio = EPISODE / "audio.mp3"

    result = transcribe_with_article(
        audio, options, article, bias=True, correct=False, cache=cache, progress=False
    )
    assert [biased for biased, _ in canned.calls] == [True, False]  # no refill was needed
    assert counts == {"decode": 1, "stream": 1, "vad": 1}
    assert (result.outcome, result.cached) == ("filled", False)
    assert result.gaps and all(55.0 <= a < b <= 95.0 for a, b in result.gaps)
    assert result.transcript.text == transcript.text

    again = transcribe_with_article(
        audio, options, article, bias=True, correct=False, cache=cache, progress=False
    )
    assert len(canned.calls) == 2 and counts["vad"] == 1  # all from the cache
    assert (again.outcome, again.cached) == ("filled", True)
    assert again.transcript == result.transcript
