"""Names misheard past their spelling, put right where the audio says them.

The real checks run the base model on two labelled bench cases' real
transcripts (``tests/data/decoded``) and audio: what the voices said is known
from the cases' scripts. The guards are checked with a scorer that records
what it is asked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from toolkit.article import read_article
from toolkit.transcribe.bias import with_names
from toolkit.transcribe.names import _Matcher
from toolkit.transcribe.soundnames import (
    SOUND_PER_WORD,
    SPECIFIC,
    candidates,
    correct_by_sound,
)
from toolkit.transcribe.transcript import Correction, Segment, Transcript, Word

ROOT = Path(__file__).resolve().parents[1]


class _Asked:
    """A scorer that records the texts it is asked. The first (the heard text)
    scores 0, a text holding one of ``favour`` scores ``score``, any other -50."""

    model = "test"

    def __init__(self, *favour: str, score: float = 0.0) -> None:
        self.favour, self.bonus = favour, score
        self.asked: list[list[str]] = []

    def score(self, start: float, end: float, texts: Sequence[str]) -> list[float]:
        self.asked.append(list(texts))
        rest = [self.bonus if any(f in t for f in self.favour) else -50.0 for t in texts[1:]]
        return [0.0, *rest]


PEOPLE = ["Thaddeus Oyelowo", "Saoirse Vanterpool"]


def _said(text: str) -> Transcript:
    words = [Word(0.3 * i, 0.3 * i + 0.25, " " + w, 0.9) for i, w in enumerate(text.split())]
    seg = Segment(0, words[0].start, words[-1].end, text, words)
    return Transcript(language="en", duration=30.0, segments=[seg])


def _matcher() -> _Matcher:
    article = with_names(None, [*PEOPLE, "Ottoline Fairweather-Ashe"])
    assert article is not None
    return _Matcher(article, PEOPLE)


@pytest.mark.parametrize(
    ("said", "proposed"),
    [
        ("and a crossmatch with Sershaman Terpool today", "Saoirse Vanterpool"),
        ("head of libraries, Ardling Fairweather-Ashe, said", "Ottoline Fairweather-Ashe"),
        ("Hello, Saoirse and Thaddeus", None),  # the names, spelled right
        ("Thanks, Saoirse Vanterpool Terpool", None),  # would write Vanterpool twice
        ("The leader said so", None),  # everyday words only
        ("had never been Recorg-Vanterpool in the glen", None),  # a name's piece glued on
        # A person's first name on its own, as hosts call each other:
        ("Morning, Thadeu, we're here", "Thaddeus"),
        ("I'm Thaddeus Oyelowo tonight", None),  # a person's name, spelled right
        # The name heard in part: its last word right, the rest as everyday words.
        ("head of libraries, bottle in Fairweather-Ashe, said", "Ottoline Fairweather-Ashe"),
        ("and Saoirse so she Vanterpool", None),  # would write Saoirse twice
        ("But Vanterpool said no", None),  # the rest is nothing like the name's
    ],
)
def test_what_is_proposed_for_the_sound_to_decide(said: str, proposed: str | None) -> None:
    seg = _said(said).segments[0]
    found = {c.target.spelling for c in candidates(seg, _matcher())}
    assert (proposed in found) if proposed else not found, found


def test_a_name_is_taken_only_when_it_scores_as_well_as_the_words_heard() -> None:
    transcript = _said("and a crossmatch with Sershaman Terpool today")
    article = with_names(None, PEOPLE)
    assert article is not None
    # A name that scores 1 nat a word over the heard words is taken, with its evidence.
    fixed = correct_by_sound(transcript, article, _Asked("Saoirse Vanterpool", score=2.0), PEOPLE)
    assert "with Saoirse Vanterpool today" in fixed.text
    (c,) = fixed.corrections
    assert (c.original, c.corrected) == ("Sershaman Terpool", "Saoirse Vanterpool")
    assert c.sound == {
        "delta": 2.0,
        "per_word": SOUND_PER_WORD,
        "control_delta": -50.0,
        "specific": SPECIFIC,
        "model": "test",
    }
    assert transcript.text == "and a crossmatch with Sershaman Terpool today"  # input kept
    # One that scores 1.5 nats a word under them is not.
    kept = correct_by_sound(transcript, article, _Asked("Saoirse Vanterpool", score=-3.0), PEOPLE)
    assert kept.text == transcript.text and not kept.corrections
    # One that another name would fit as well is not: the words were garbled, not a name.
    either = _Asked("Saoirse Vanterpool", "Thaddeus Oyelowo", score=2.0)
    garbled = correct_by_sound(transcript, article, either, PEOPLE)
    assert garbled.text == transcript.text and not garbled.corrections
    # Every candidate of a sentence is scored in one call, with the heard text first.
    asked = _Asked()
    correct_by_sound(transcript, article, asked, PEOPLE)
    assert len(asked.asked) == 1 and asked.asked[0][0] == " " + transcript.text
    assert any("Saoirse Vanterpool" in t for t in asked.asked[0][1:])
    assert any("Thaddeus Oyelowo" in t for t in asked.asked[0][1:])  # the control


def test_a_transcript_with_sound_evidence_round_trips_and_version_2_reads() -> None:
    from toolkit.transcribe.transcript import SCHEMA_VERSION

    transcript = _said("hello there")
    transcript.corrections = [
        Correction(0.0, 0.5, "Kazimir", "Casimir", 0, {"delta": 1.5, "per_word": -1.0})
    ]
    data = transcript.to_dict()
    assert data["version"] == SCHEMA_VERSION == 3
    assert Transcript.from_dict(json.loads(json.dumps(data))) == transcript
    old = {**data, "version": 2, "corrections": [{**data["corrections"][0]}]}
    del old["corrections"][0]["sound"]
    assert Transcript.from_dict(old).corrections[0].sound is None


def _case(name: str, decoded: str) -> tuple[Transcript, Transcript]:
    """A bench case's real transcript, and the same put right by sound with the real model."""
    from toolkit.align.acoustic import whisper_scorer

    case = ROOT / "bench" / "cases" / name
    truth = json.loads((case / "truth.json").read_text("utf-8"))
    audio = ROOT / json.loads((ROOT / truth["source"]).read_text("utf-8"))["audio"]
    people = [s["name"] for s in truth["speakers"]]
    article = with_names(read_article(ROOT / truth["article"]), people)
    assert article is not None
    transcript = Transcript.load(ROOT / "tests" / "data" / "decoded" / decoded)
    fixed = correct_by_sound(transcript, article, whisper_scorer(audio, transcript), people)
    return transcript, fixed


@pytest.mark.slow
def test_misheard_names_are_put_right_and_words_said_are_kept() -> None:
    """verbatim-shanty: the guest's name and a librarian's, misheard by base, are
    put right. "Saturday" (said) and "Moises" (heard for "Voices"), loosely
    like "Shanty" and "Saoirse", stay."""
    before, fixed = _case("verbatim-shanty", "shanty-openai.json")
    assert "Sershaman Terpool" in before.text and "Ardling Fairweather" in before.text
    assert "Saoirse Vanterpool" in fixed.text
    assert "Ottoline Fairweather-Ashe" in fixed.text
    assert fixed.text.count("Saturday") == before.text.count("Saturday") == 2
    assert "Moises" in fixed.text
    made = [c for c in fixed.corrections if c.sound is not None]
    assert {c.corrected for c in made} == {"Saoirse Vanterpool", "Ottoline Fairweather-Ashe"}
    assert all(c.sound and c.sound["delta"] >= SOUND_PER_WORD * 2 for c in made)


@pytest.mark.slow
def test_a_name_the_decoder_wrote_where_none_was_said_is_not_made_whole() -> None:
    """paraphrase-orchard: "Kazimir" was the host's "Casimir"; "Lloyd-Mies" was
    "put it like this", with the name's piece copied from the prompt."""
    before, fixed = _case("paraphrase-orchard", "orchard-openai.json")
    assert "Kazimir" in before.text and "Lloyd-Mies" in before.text
    assert "Kazimir" not in fixed.text and "Oi, Casimir," in fixed.text
    assert "Lloyd-Merriman, if" not in fixed.text
    assert not [c for c in fixed.corrections if c.sound and "Lloyd" in c.corrected]


def test_a_name_heard_in_part_is_scored_against_a_control_with_the_heard_word_kept() -> None:
    """ "bottle in Fairweather-Ashe" is scored as the whole name, against another
    single name put before the heard "Fairweather-Ashe", not in place of it: the
    control keeps the word that was heard right, as the name does."""
    seg = _said("head of libraries, bottle in Fairweather-Ashe, said").segments[0]
    (c,) = [c for c in candidates(seg, _matcher()) if c.target.spelling.startswith("Ottoline")]
    assert c.text == "head of libraries, Ottoline Fairweather-Ashe, said"
    assert c.control is not None and c.control.endswith(" Fairweather-Ashe, said")
    assert "bottle in" not in c.control and "Ottoline" not in c.control


@pytest.mark.slow
def test_a_name_heard_in_part_is_made_whole() -> None:
    """discussion-mill: "Elowen Hocking told the trustees" was heard "below in
    Hocking told the trusting". The rest of the names heard right stay as
    they are, and nothing else is put right."""
    before, fixed = _case("discussion-mill", "mill-openai.json")
    assert "below in Hocking told" in before.text
    assert "Elowen Hocking told" in fixed.text and "below in" not in fixed.text
    made = [c for c in fixed.corrections if c.sound is not None]
    assert [(c.original, c.corrected) for c in made] == [("below in Hocking", "Elowen Hocking")]
    assert fixed.text.count("Penhallow") == before.text.count("Penhallow")


@pytest.mark.slow
def test_a_garbled_word_that_any_name_fits_is_left_alone() -> None:
    """names-glassworks: "the lorries can't come before eight" was heard "the
    Lorincunt come before eight". "Florian" (the guest) scores 1 nat over that
    garbled word, but so does another name put in its place: it stays."""
    before, fixed = _case("names-glassworks", "glassworks-openai.json")
    assert "the Lorincunt come" in before.text
    assert "the Lorincunt come" in fixed.text and "Florian come" not in fixed.text
