"""A pass that writes again words it wrote just before (toolkit.transcribe.echoes) is
decoded again there (toolkit.transcribe.gaps.repair).

The echo is the faster engine's on bench/cases/misquote-ferry (tests/data/decoded):
the guest said "with a second survey, this time counting the visitors" at 128 s, and
base, conditioned on the text before, wrote a sentence of 105 s there once more.
"""

from __future__ import annotations

import json

import pytest

from toolkit.transcribe.echoes import ECHO_WORDS, echoes
from toolkit.transcribe.gaps import LOOP_WINDOW, repair
from toolkit.transcribe.transcript import Segment, Transcript, Word

from .helpers import DATA

DECODED = DATA / "decoded"


def _load(name: str) -> Transcript:
    return Transcript.from_dict(json.loads((DECODED / name).read_text(encoding="utf-8")))


def _spoken(text: str, start: float, step: float = 0.4) -> Segment:
    words = [
        Word(round(start + k * step, 2), round(start + k * step + 0.3, 2), " " + w, 0.9)
        for k, w in enumerate(text.split())
    ]
    return Segment(0, words[0].start, words[-1].end, text, words)


def _transcript(*segments: Segment) -> Transcript:
    numbered = [Segment(i, s.start, s.end, s.text, s.words) for i, s in enumerate(segments)]
    return Transcript("en", 600.0, numbered)


SENTENCE = "Captain Ruaraidh has skippered the ferry for nineteen years and he is not worried."


def test_the_ferry_echo_is_found_from_its_first_to_its_last_copied_word():
    ferry = _load("ferry-faster-echo.json")
    assert echoes(ferry, LOOP_WINDOW) == [(127.74, 134.14)]
    heard = " ".join(
        w.word.strip() for s in ferry.segments for w in s.words if 127.74 <= w.start < 134.14
    )
    assert heard.startswith("Captain Ruaraidh Oyelaran-Stewart has kept a ferry")
    assert heard.endswith("and he is not worried")


def test_the_sample_faster_decoding_has_no_echo():
    assert echoes(_load("sample-faster-hotwords.json"), LOOP_WINDOW) == []


def test_words_heard_twice_where_openai_windows_overlap_are_an_echo():
    # 177.0-180.5 s decoded again what the window before it ended with.
    found = echoes(_load("sample-openai-biased.json"), LOOP_WINDOW)
    assert len(found) == 1 and 177.0 <= found[0][0] < found[0][1] <= 182.0


def test_a_sentence_written_again_a_little_later_is_an_echo():
    t = _transcript(
        _spoken(SENTENCE, 10.0),
        _spoken("He said the crossing takes thirty-five minutes.", 20.0),
        _spoken("Captain Ruaraidh has kept a ferry for 19 years, and he is not worried.", 30.0),
    )
    assert echoes(t, LOOP_WINDOW) == [(30.0, 35.5)]


@pytest.mark.parametrize(
    "later",
    [
        "Thank you for having me.",  # a short phrase comes back often
        "The ferry for nineteen years was the only way to the mainland.",  # 4 words alike
        "Not worried at all, he is, and nineteen years of it.",  # the words, out of order
    ],
)
def test_phrases_that_come_back_in_conversation_are_no_echo(later):
    t = _transcript(
        _spoken("Thank you for having me, it is a pleasure to be here.", 0.0),
        _spoken(SENTENCE, 10.0),
        _spoken(later, 30.0),
    )
    assert echoes(t, LOOP_WINDOW) == []


def test_a_sentence_said_again_beyond_the_window_is_no_echo():
    filler = [_spoken(f"word{k} " * 10, 20.0 + 5 * k) for k in range(16)]  # 160 words
    t = _transcript(_spoken(SENTENCE, 10.0), *filler, _spoken(SENTENCE, 120.0))
    assert echoes(t, window=150) == []
    assert echoes(t, window=200) != []


def test_an_echo_is_decoded_again_and_what_is_heard_there_kept():
    said = "with a second survey this time counting the visitors and the ferry crew"
    t = _transcript(_spoken(SENTENCE, 10.0), _spoken(SENTENCE, 30.0))
    asked: list[list[tuple[float, float]]] = []

    def again(gaps):
        asked.append(gaps)
        return _transcript(_spoken(said, 30.0))

    done = repair(t, [(10.0, 16.0), (30.0, 36.0)], again)
    assert asked == [[(30.0, 35.5)]]
    assert done.outcome == "filled"
    assert done.transcript.options["echoes"] == [[30.0, 35.5]]
    assert done.transcript.text.split()[-len(said.split()) :] == said.split()
    assert done.transcript.text.count("skippered") == 1


def test_a_sentence_really_said_twice_is_heard_again_and_stays():
    t = _transcript(_spoken(SENTENCE, 10.0), _spoken(SENTENCE, 30.0))
    asked: list[list[tuple[float, float]]] = []

    def again(gaps):
        asked.append(gaps)
        return _transcript(_spoken(SENTENCE, 30.0))

    done = repair(t, [(10.0, 16.0), (30.0, 36.0)], again)
    assert asked == [[(30.0, 35.5)]]  # heard again ...
    assert done.transcript.text.count("skippered") == 2  # ... and kept
    assert len(SENTENCE.split()) >= ECHO_WORDS


def test_words_of_a_gap_written_after_it_are_decoded_again_once_filled():
    # As on misquote-ferry: the pass skipped the sentence said at 10 s and wrote
    # it at 30 s, where other words were said; the gap's decoding hears it at 10 s.
    said = "with a second survey this time counting the visitors and the ferry crew"
    t = _transcript(_spoken("Is this settled for good?", 0.0), _spoken(SENTENCE, 30.0))
    asked: list[list[tuple[float, float]]] = []

    def again(gaps):
        asked.append(gaps)
        return _transcript(_spoken(SENTENCE if gaps[0][0] < 30.0 else said, gaps[0][0]))

    done = repair(t, [(0.0, 2.0), (10.0, 16.0), (30.0, 36.0)], again)
    assert asked == [[(10.0, 16.0)], [(30.0, 35.5)]]
    assert done.transcript.options["echoes"] == [[30.0, 35.5]]
    assert done.transcript.text.count("skippered") == 1
    assert done.transcript.text.endswith(said)
    assert done.gaps == [(10.0, 16.0), (30.0, 35.5)]
