"""A biased pass that writes out its prompt (toolkit.transcribe.bias.prompt_copies) is
decoded again there, without the bias (toolkit.transcribe.gaps.repair's ``redo``).

The copy is the one base made of bench/cases/interview-bees: "and with me is Adaeze
Okonkwo", a hard voice, came out as the prompt's "Inverbrack, Ewan Sinclair" and more.
The sample's real biased decodings (tests/data/decoded/) hold no copy.
"""

from __future__ import annotations

import pytest

from toolkit.transcribe.bias import prompt_copies, prompt_terms
from toolkit.transcribe.gaps import repair, without_words
from toolkit.transcribe.transcript import Correction, Segment, Transcript, Word

from .helpers import DATA

PROMPT = (
    "Morag Tulloch-Baird, Loch Corran, Inverbrack, Ewan Sinclair, Alasdair Moncrieffe, "
    "Highlands, Ruairidh MacCorquodale, Adaeze Okonkwo."
)
# The segment base decoded with that prompt (word times as it gave them).
HEARD = [
    (3.08, 3.32, " I'm"), (3.32, 3.5, " Ruairidh"), (3.5, 4.5, " MacCorquodale,"),
    (4.8, 4.96, " and"), (4.96, 5.1, " with"), (5.1, 5.42, " me,"), (5.74, 5.84, " I'm"),
    (5.84, 6.36, " Enrewee,"), (6.64, 7.32, " Inverbrack,"), (7.54, 7.76, " Ewan"),
    (7.76, 7.76, " Sinclair,"), (8.42, 9.38, " Adaeze."),
]  # fmt: skip


def _segment(i: int, words: list[tuple[float, float, str]]) -> Segment:
    ws = [Word(s, e, w, 0.5) for s, e, w in words]
    return Segment(i, ws[0].start, ws[-1].end, "".join(w.word for w in ws).strip(), ws)


def _spoken(text: str, start: float, step: float = 0.4) -> list[tuple[float, float, str]]:
    return [
        (round(start + k * step, 2), round(start + k * step + 0.3, 2), " " + w)
        for k, w in enumerate(text.split())
    ]


def _transcript(*segments: list[tuple[float, float, str]]) -> Transcript:
    return Transcript("en", 60.0, [_segment(i, words) for i, words in enumerate(segments)])


def test_prompt_terms_are_the_names_in_order():
    assert prompt_terms(PROMPT)[:3] == ["Morag Tulloch-Baird", "Loch Corran", "Inverbrack"]
    assert prompt_terms(PROMPT)[-1] == "Adaeze Okonkwo"
    assert prompt_terms("") == []


def test_the_prompt_copied_is_found_from_its_first_name_on():
    t = _transcript(_spoken("Hello and welcome to Field Notes.", 0.0), HEARD)
    assert prompt_copies(t, PROMPT) == [(6.64, 9.38)]


@pytest.mark.parametrize(
    "text",
    [
        "Ewan Sinclair, Inverbrack.",  # the other order
        "Inverbrack and Ewan Sinclair.",  # a word between them
        "We drove from Inverbrack to see Ewan Sinclair",
        "Ruairidh MacCorquodale here.",  # one name alone
    ],
)
def test_names_said_are_not_a_copy(text):
    assert prompt_copies(_transcript(_spoken(text, 10.0)), PROMPT) == []


@pytest.mark.parametrize("name", ["sample-openai-biased.json", "sample-faster-hotwords.json"])
def test_the_sample_decodings_copy_nothing(name):
    t = Transcript.load(DATA / "decoded" / name)
    prompt = t.options.get("initial_prompt") or t.options.get("hotwords")
    assert prompt and len(prompt_terms(prompt)) > 10
    assert prompt_copies(t, prompt) == []


def test_without_words_keeps_the_rest_of_a_segment():
    t = _transcript(_spoken("Hello there.", 0.0), HEARD)
    t.corrections = [
        Correction(3.32, 4.5, "Rory", "Ruairidh MacCorquodale", 1),
        Correction(7.54, 7.76, "Ewen", "Ewan", 1),
    ]
    cut = without_words(t, [(6.64, 9.38)])
    assert [s.text for s in cut.segments] == [
        "Hello there.",
        "I'm Ruairidh MacCorquodale, and with me, I'm Enrewee,",
    ]
    assert cut.segments[1].end == 6.36
    assert [c.corrected for c in cut.corrections] == ["Ruairidh MacCorquodale"]
    assert len(t.segments[1].words) == len(HEARD)  # the input is left alone


def test_the_copy_is_decoded_again_and_replaced():
    first = _transcript(_spoken("Hello and welcome to Field Notes.", 0.0), HEARD)
    asked: list[list[tuple[float, float]]] = []

    def again(gaps: list[tuple[float, float]]) -> Transcript:
        asked.append(gaps)
        return _transcript(_spoken("with me is Adaeze Okonkwo.", 6.5))

    done = repair(first, [(0.0, 9.5)], again, redo=prompt_copies(first, PROMPT))
    assert asked == [[(6.64, 9.38)]]
    assert done.outcome == "filled"
    text = " ".join(s.text for s in done.transcript.segments)
    assert "Ewan Sinclair" not in text and "Inverbrack" not in text
    assert text.endswith("I'm Enrewee, with me is Adaeze Okonkwo.")


def test_without_a_copy_nothing_is_decoded_again():
    first = _transcript(_spoken("Inverbrack and Ewan Sinclair spoke.", 0.0))

    def again(gaps: list[tuple[float, float]]) -> Transcript:
        raise AssertionError("nothing to decode again")

    done = repair(first, [(0.0, 2.5)], again, redo=prompt_copies(first, PROMPT))
    assert done.outcome == "kept" and done.transcript.text == first.text
