"""Naming the voices (toolkit.speakers.naming) and keeping their prints (toolkit.speakers.prints).

Real transcripts with real turns: the sample episode as Whisper ``base``
decoded it (``tests/data/decoded/``, see its MANIFEST), rebuilt as sentence
segments and split at the turns of ``tools/sample_episode/ground_truth.json``.
The guest is labelled "S1" and the host "S2", so the label order gives
nothing away. Voice prints are real: resemblyzer's, of the sample episode's
audio (samples cut with ffmpeg, voices as the mean of their windows).
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from toolkit.audio import decode
from toolkit.speakers.embed import WINDOW, embed_windows, voice_print, window_starts
from toolkit.speakers.model import Diarization, Naming, Turn, Voice
from toolkit.speakers.naming import Candidate, apply_names, name_speakers
from toolkit.speakers.prints import voice_prints
from toolkit.transcribe.sentences import sentence_segments
from toolkit.transcribe.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
TRUTH = json.loads((ROOT / "tools/sample_episode/ground_truth.json").read_text())
DECODED = ROOT / "tests/data/decoded"
LABEL = {"guest": "S1", "host": "S2"}
MAYA = Candidate("Maya Okafor", "host")
DANIEL = Candidate("Daniel Reyes", "guest")

# Edits of the words that take one kind of clue out of sample-openai-biased.
INTRO = "I'm Myrak Hafer, and my guest today is Daniel Reyes, who covers the United Nations."
NO_INTRODUCTIONS = [
    (INTRO, {"Myrak": "your", "Hafer,": "host,", "Daniel": "a", "Reyes,": "reporter,"}),
]  # "I'm your host, and my guest today is a reporter, who covers the United Nations."
NO_ADDRESSES = [
    ("Hi, Daniel.", {"Daniel.": "everyone."}),
    ("Hi, Maya.", {"Maya.": "there."}),
    ("My pleasure, Maya.", {"Maya.": "truly."}),
]


def _turns() -> list[tuple[float, float, str]]:
    return [(line["start"], line["end"], LABEL[line["role"]]) for line in TRUTH["lines"]]


def _transcript(
    name: str = "sample-openai-biased", edits: list[tuple[str, dict[str, str]]] | None = None
) -> Transcript:
    """A real decoding as sentence segments labelled by the true turns, with words edited.

    Each edit names a sentence (its whole text) and the words to replace in
    it; a word replaced by "" is dropped.
    """
    data = json.loads((DECODED / f"{name}.json").read_text())
    transcript = sentence_segments(Transcript.from_dict(data), _turns())
    for sentence, words in edits or []:
        (seg,) = [s for s in transcript.segments if s.text.strip() == sentence]
        found = [w for w in seg.words if w.word.strip() in words]
        assert len(found) == len(words), (sentence, words)
        for w in found:
            w.word = " " + words[w.word.strip()] if words[w.word.strip()] else ""
        seg.words = [w for w in seg.words if w.word]
        seg.text = "".join(w.word for w in seg.words).strip()
    return transcript


def _diarization(embeddings: dict[str, list[float]] | None = None) -> Diarization:
    seconds: dict[str, float] = {}
    for start, end, label in _turns():
        seconds[label] = seconds.get(label, 0.0) + end - start
    voices = [
        Voice(label, secs, list((embeddings or {}).get(label, [])))
        for label, secs in sorted(seconds.items())
    ]
    return Diarization(TRUTH["duration"], [Turn(*t) for t in _turns()], voices)


def _one_to_one(naming: Naming) -> None:
    names = list(naming.names.values())
    assert len(names) == len(set(names)), naming.names


@dataclass
class Prints:
    """Real voice prints of the sample episode's two voices."""

    #: A voice sample per label: voice_print of 6 s of its first line, cut with ffmpeg.
    sample: dict[str, tuple[float, ...]]
    #: Each label's voice as the diarization gives it: the mean print of its other lines.
    voice: dict[str, list[float]]
    #: The same from the first and from the second half of those lines, and their seconds.
    halves: dict[str, list[tuple[list[float], float]]]


def _unit(v: np.ndarray) -> list[float]:
    return [float(x) for x in v / np.linalg.norm(v)]


@pytest.fixture(scope="module")
def prints(tmp_path_factory: pytest.TempPathFactory) -> Prints:
    tmp = tmp_path_factory.mktemp("voices")
    audio_path = ROOT / TRUTH["audio"]
    audio = decode(audio_path)
    sample, voice, halves = {}, {}, {}
    for role, label in LABEL.items():
        lines = [line for line in TRUTH["lines"] if line["role"] == role]
        clip = tmp / f"{role}.wav"
        cut = ["ffmpeg", "-v", "error", "-ss", str(lines[0]["start"]), "-t", "6"]
        subprocess.run([*cut, "-i", str(audio_path), str(clip)], check=True)
        sample[label] = tuple(voice_print(clip, f"{role}s[0].voice"))
        rest = [(line["start"], line["end"]) for line in lines[1:]]
        voice[label] = _unit(embed_windows(audio, window_starts(rest), WINDOW).mean(axis=0))
        half = len(rest) // 2
        halves[label] = [
            (
                _unit(embed_windows(audio, window_starts(part), WINDOW).mean(axis=0)),
                sum(e - s for s, e in part),
            )
            for part in (rest[:half], rest[half:])
        ]
    return Prints(sample, voice, halves)


# --- Clues in the transcript ---------------------------------------------------------


@pytest.mark.parametrize("decoding", ["sample-openai-biased", "sample-faster-hotwords"])
def test_host_and_guest_named_with_evidence(decoding: str) -> None:
    transcript = _transcript(decoding)
    for candidates in ([MAYA, DANIEL], [DANIEL, MAYA]):
        naming = name_speakers(_diarization(), transcript, candidates)
        assert naming.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
        assert naming.unnamed == []
        host, guest = naming.evidence["S2"], naming.evidence["S1"]
        # Whisper misheard the host's name ("Myrak Hafer", "Myra Kaffir"): matched loosely.
        (intro,) = [e for e in host if e.startswith("introduces themself at 2.6 s: I'm ")]
        assert intro.endswith("(heard for Maya Okafor)")
        assert "addressed as Maya by S1 at 10.2 s: Hi, Maya" in " | ".join(host)
        assert any(e.startswith("introduced as Daniel Reyes by S2 at 3.8 s:") for e in guest)
        assert any(e.startswith("addressed as Daniel by S2 at 8.3 s: Hi, Daniel") for e in guest)


def test_evidence_reads_as_said() -> None:
    naming = name_speakers(_diarization(), _transcript(), [MAYA, DANIEL])
    assert naming.evidence["S2"][:3] == [
        "introduces themself at 2.6 s: I'm Myrak Hafer (heard for Maya Okafor)",
        "addressed as Maya by S1 at 10.2 s: Hi, Maya.",
        "addressed as Maya by S1 at 185.9 s: My pleasure, Maya.",
    ]
    assert naming.evidence["S1"][:2] == [
        "introduced as Daniel Reyes by S2 at 3.8 s: and my guest today is Daniel Reyes",
        "addressed as Daniel by S2 at 8.3 s: Hi, Daniel.",
    ]


def test_only_the_host_listed_leaves_the_guest_unnamed() -> None:
    naming = name_speakers(_diarization(), _transcript(), [MAYA])
    assert naming.names == {"S2": "Maya Okafor", "S1": "Speaker 2"}
    assert naming.unnamed == ["S1"]
    assert naming.evidence["S1"] == ["no clue names this voice"]


def test_the_one_voice_left_is_the_one_person_left() -> None:
    # The guest is neither introduced nor addressed; the host introduces herself.
    edits = [(INTRO, {"Daniel": "a", "Reyes,": "reporter,"}), ("Hi, Daniel.", {"Daniel.": "all."})]
    transcript = _transcript(edits=edits)
    naming = name_speakers(_diarization(), transcript, [MAYA, DANIEL])
    assert naming.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
    assert naming.evidence["S1"] == ["the only listed person left: the other voices are named"]
    assert naming.unnamed == []
    # Not when nobody is named by a clue, nor when a third voice would be left.
    bare = _transcript(edits=NO_INTRODUCTIONS + NO_ADDRESSES)
    assert set(name_speakers(_diarization(), bare, [MAYA, DANIEL]).unnamed) == {"S1", "S2"}
    three = _diarization()
    three.voices.append(Voice("S3", 5.0, list(three.voices[0].embedding)))
    three.turns.append(Turn(194.0, 195.0, "S3"))
    assert set(name_speakers(three, transcript, [MAYA, DANIEL]).unnamed) == {"S1", "S3"}
    # A guessed name teaches no voice print.
    assert set(voice_prints([_episode(_diarization(), naming)])) <= {"Maya Okafor"}


def test_introductions_alone_decide() -> None:
    # No roles: the tie-break cannot decide either.
    candidates = [Candidate("Daniel Reyes"), Candidate("Maya Okafor")]
    naming = name_speakers(_diarization(), _transcript(edits=NO_ADDRESSES), candidates)
    assert naming.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
    evidence = [e for label in naming.evidence.values() for e in label]
    assert not any("addressed" in e for e in evidence)
    assert any(e.startswith("introduces themself") for e in naming.evidence["S2"])
    assert any(e.startswith("introduced as Daniel Reyes") for e in naming.evidence["S1"])


def test_addresses_alone_decide() -> None:
    candidates = [Candidate("Daniel Reyes"), Candidate("Maya Okafor")]
    naming = name_speakers(_diarization(), _transcript(edits=NO_INTRODUCTIONS), candidates)
    assert naming.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
    evidence = [e for label in naming.evidence.values() for e in label]
    assert not any("introduc" in e for e in evidence)
    assert any(e.startswith("addressed as Maya by S1") for e in naming.evidence["S2"])
    assert any(e.startswith("addressed as Daniel by S2") for e in naming.evidence["S1"])


def test_a_first_name_alone_when_it_is_one_candidates() -> None:
    # "I'm Maya, and my guest today is a reporter, ...", and no addresses.
    edits = [(INTRO, {"Myrak": "Maya,", "Hafer,": "", "Daniel": "a", "Reyes,": "reporter,"})]
    transcript = _transcript(edits=edits + NO_ADDRESSES)
    naming = name_speakers(_diarization(), transcript, [Candidate("Maya Okafor"), DANIEL])
    # Daniel only as the one person left once Maya is named.
    assert naming.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
    assert naming.evidence["S2"] == ["introduces themself at 2.6 s: I'm Maya"]
    assert naming.evidence["S1"][0].startswith("the only listed person left")
    # Two Mayas: the first name names neither.
    two = [Candidate("Maya Okafor"), Candidate("Maya Brooks"), DANIEL]
    naming = name_speakers(_diarization(), transcript, two)
    assert naming.names == {"S2": "Speaker 1", "S1": "Speaker 2"}
    assert naming.unnamed == ["S2", "S1"]


def test_no_names_in_the_transcript_names_no_one() -> None:
    transcript = _transcript(edits=NO_INTRODUCTIONS + NO_ADDRESSES)
    naming = name_speakers(_diarization(), transcript, [MAYA, DANIEL])
    assert naming.names == {"S2": "Speaker 1", "S1": "Speaker 2"}  # roles alone name no one


# --- Voices ----------------------------------------------------------------------------


def test_voice_samples_alone_decide(prints: Prints) -> None:
    transcript = _transcript(edits=NO_INTRODUCTIONS + NO_ADDRESSES)
    candidates = [
        Candidate("Daniel Reyes", sample=prints.sample["S1"]),
        Candidate("Maya Okafor", sample=prints.sample["S2"]),
    ]
    naming = name_speakers(_diarization(prints.voice), transcript, candidates)
    assert naming.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
    for label in ("S1", "S2"):
        (clue,) = naming.evidence[label]
        assert clue.startswith("voice sample similarity 0.9"), clue


def test_an_earlier_print_alone_decides(prints: Prints) -> None:
    transcript = _transcript(edits=NO_INTRODUCTIONS + NO_ADDRESSES)
    # Prints of the first half of each voice's lines; voices of the second half.
    earlier = {"Maya Okafor": prints.halves["S2"][0][0], "Daniel Reyes": prints.halves["S1"][0][0]}
    diarization = _diarization({label: v[1][0] for label, v in prints.halves.items()})
    naming = name_speakers(diarization, transcript, [MAYA, DANIEL], prints=earlier)
    assert naming.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
    assert naming.evidence["S1"][0].startswith("voice print of earlier episodes similarity 0.9")


def test_voice_samples_tell_alike_voices_apart(tmp_path: Path) -> None:
    # bench/cases/alike-voices: two espeak en-us male variants whose prints are as
    # near as 0.93 across the two voices. No transcript: the samples alone decide.
    case = ROOT / "bench/cases/alike-voices"
    truth = json.loads((case / "ground_truth.json").read_text())
    audio = decode(case / "audio.mp3")
    samples, embeddings, turns = {}, {}, []
    for role, label in LABEL.items():
        lines = [line for line in truth["lines"] if line["role"] == role]
        first = next(line for line in lines if line["end"] - line["start"] >= 6)
        clip = tmp_path / f"{role}.wav"
        cut = ["ffmpeg", "-v", "error", "-ss", str(first["start"]), "-t", "6"]
        subprocess.run([*cut, "-i", str(case / "audio.mp3"), str(clip)], check=True)
        samples[label] = tuple(voice_print(clip, f"{role}s[0].voice"))
        rest = [(line["start"], line["end"]) for line in lines if line is not first]
        embeddings[label] = _unit(embed_windows(audio, window_starts(rest), WINDOW).mean(axis=0))
        turns += [Turn(line["start"], line["end"], label) for line in lines]
    host, guest = truth["speakers"]["host"]["name"], truth["speakers"]["guest"]["name"]
    voices = [Voice(label, 60.0, embeddings[label]) for label in ("S1", "S2")]
    diarization = Diarization(truth["duration"], sorted(turns, key=lambda t: t.start), voices)
    empty = Transcript(language="en", duration=truth["duration"])
    both = [Candidate(guest, sample=samples["S1"]), Candidate(host, sample=samples["S2"])]
    naming = name_speakers(diarization, empty, both)
    assert naming.names == {"S2": host, "S1": guest}
    # The host's sample alone: the guest's voice, nearly as near, is not taken for the host.
    naming = name_speakers(diarization, empty, [Candidate(host, sample=samples["S2"])])
    assert naming.names == {"S2": host, "S1": "Speaker 2"}
    assert naming.evidence["S2"][0].startswith("voice sample similarity 0.9")
    assert "(the next voice 0.9" in naming.evidence["S2"][0]  # alike indeed


def test_a_music_voice_is_never_named(prints: Prints) -> None:
    diarization = _diarization({"S1": prints.voice["S1"]})  # the host's voice has no print
    # A jingle before the host speaks, whose print is the host's sample itself.
    diarization.voices.append(Voice("M1", 0.4, list(prints.sample["S2"]), music=True))
    diarization.turns.insert(0, Turn(0.0, 0.4, "M1"))
    transcript = _transcript(edits=NO_INTRODUCTIONS + NO_ADDRESSES)
    maya = Candidate("Maya Okafor", "host", sample=prints.sample["S2"])
    naming = name_speakers(diarization, transcript, [maya])
    assert naming.names == {"S2": "Speaker 1", "S1": "Speaker 2"}  # music is not counted
    assert "M1" not in naming.unnamed and "M1" not in naming.evidence


def test_two_labels_never_get_one_name(prints: Prints) -> None:
    # Both voices say they are Maya (the guest's "Hi, Maya." edited to "I'm Maya."),
    # both sound exactly like her sample, and she is listed three times.
    transcript = _transcript(edits=[("Hi, Maya.", {"Hi,": "I'm"})])
    same = list(prints.sample["S2"])
    maya = Candidate("Maya Okafor", "host", sample=prints.sample["S2"])
    diarization = _diarization({"S1": same, "S2": same})
    naming = name_speakers(diarization, transcript, [maya, maya, MAYA])
    _one_to_one(naming)
    assert naming.names == {"S2": "Maya Okafor", "S1": "Speaker 2"}
    assert "introduces themself at 10.2 s: I'm Maya" not in naming.evidence["S2"]


def test_every_naming_is_one_to_one(prints: Prints) -> None:
    transcript = _transcript()
    for candidates in ([MAYA, DANIEL], [DANIEL], [MAYA, MAYA], []):
        _one_to_one(name_speakers(_diarization(prints.voice), transcript, candidates))


def test_apply_names() -> None:
    transcript = _transcript()
    transcript.segments[-1].speaker = "S9"  # a label the naming does not know
    naming = name_speakers(_diarization(), transcript, [MAYA])
    named = apply_names(transcript, naming)
    assert [s.speaker for s in named.segments[:4]] == [
        "Maya Okafor",
        "Maya Okafor",
        "Maya Okafor",
        "Speaker 2",
    ]
    assert named.segments[-1].speaker is None
    assert transcript.segments[0].speaker == "S2"  # the input is left as it was
    assert [s.text for s in named.segments] == [s.text for s in transcript.segments]


# --- Prints kept from episode to episode ----------------------------------------------


def _named(prints: Prints, part: int | None = None) -> tuple[Diarization, Naming]:
    """A diarization with real prints (one half of each voice's lines, or all) and its naming."""
    if part is None:
        diarization = _diarization(prints.voice)
    else:
        diarization = _diarization({k: v[part][0] for k, v in prints.halves.items()})
        for voice in diarization.voices:
            voice.seconds = prints.halves[voice.label][part][1]
    return diarization, name_speakers(diarization, _transcript(), [MAYA, DANIEL])


def _episode(diarization: Diarization, naming: Naming) -> Diarization:
    diarization.naming = naming
    return diarization


def test_prints_of_an_earlier_episode_name_the_next(prints: Prints) -> None:
    assert voice_prints([]) == {}
    kept = voice_prints([_episode(*_named(prints, 0))])
    assert set(kept) == {"Maya Okafor", "Daniel Reyes"}
    assert np.allclose(kept["Maya Okafor"], prints.halves["S2"][0][0], atol=1e-5)
    assert np.allclose(kept["Daniel Reyes"], prints.halves["S1"][0][0], atol=1e-5)
    # The kept prints name the voices of the other half on their own.
    transcript = _transcript(edits=NO_INTRODUCTIONS + NO_ADDRESSES)
    later = _named(prints, 1)[0]
    again = name_speakers(later, transcript, [MAYA, DANIEL], prints=kept)
    assert again.names == {"S2": "Maya Okafor", "S1": "Daniel Reyes"}
    assert all(e[0].startswith("voice print of earlier episodes") for e in again.evidence.values())


def test_prints_are_a_mean_by_seconds(prints: Prints) -> None:
    kept = voice_prints([_episode(*_named(prints, part)) for part in (0, 1)])["Maya Okafor"]
    (a, sa), (b, sb) = prints.halves["S2"]
    mean = (np.array(a) * sa + np.array(b) * sb) / (sa + sb)
    assert np.allclose(kept, mean / np.linalg.norm(mean), atol=1e-5)
    assert math.isclose(float(np.linalg.norm(kept)), 1.0, abs_tol=1e-5)
    unnamed = _diarization(prints.voice)  # never named: adds nothing
    assert voice_prints([_episode(*_named(prints, 0)), unnamed]) == voice_prints(
        [_episode(*_named(prints, 0))]
    )


def test_prints_learn_only_from_other_clues(prints: Prints) -> None:
    diarization = _diarization(prints.voice)
    transcript = _transcript(edits=NO_INTRODUCTIONS + NO_ADDRESSES)
    # Named by nothing: "Speaker 1" and "Speaker 2" leave no print.
    naming = name_speakers(diarization, transcript, [MAYA, DANIEL])
    assert voice_prints([_episode(diarization, naming)]) == {}
    # Named by an earlier print alone: that print is not fed its own guess.
    earlier = {"Maya Okafor": prints.halves["S2"][0][0]}
    naming = name_speakers(diarization, transcript, [MAYA, DANIEL], prints=earlier)
    assert naming.names["S2"] == "Maya Okafor"
    assert voice_prints([_episode(diarization, naming)]) == {}
    # Named by a voice sample: learnt.
    maya = Candidate("Maya Okafor", "host", sample=prints.sample["S2"])
    naming = name_speakers(diarization, transcript, [maya, DANIEL])
    assert set(voice_prints([_episode(diarization, naming)])) == {"Maya Okafor"}


def test_music_leaves_no_print(prints: Prints) -> None:
    diarization = _diarization(prints.voice)
    diarization.voices.append(Voice("M1", 5.0, list(prints.sample["S2"]), music=True))
    naming = copy.deepcopy(name_speakers(diarization, _transcript(), [MAYA, DANIEL]))
    naming.names["M1"] = "Maya Okafor"  # even where a naming says so
    naming.evidence["M1"] = ["introduces themself at 0.0 s: I'm Maya Okafor"]
    kept = voice_prints([_episode(diarization, naming)])
    assert np.allclose(kept["Maya Okafor"], prints.voice["S2"], atol=1e-5)


def test_a_name_that_opens_a_turn_calls_on_the_next_voice() -> None:
    """bench/cases/panel-three's script, three voices: "Tobias, the proposal is ... Why ten?"
    opens the host's turn right after Callum's "Good evening."; Tobias answers it.

    Its words are the script's, evenly timed over each line (a transcript as
    right as can be); only the names are clues. Callum is addressed the same
    way later ("Callum, the council has to pay for it.").
    """
    from toolkit.transcribe.transcript import Segment, Word

    truth = json.loads((ROOT / "bench/cases/panel-three/ground_truth.json").read_text())
    label = {"host": "S2", "guest": "S3", "guest2": "S1"}  # the order gives nothing away
    segments, turns = [], []
    for k, line in enumerate(truth["lines"]):
        said = line["text"].split()
        step = (line["end"] - line["start"]) / len(said)
        words = [
            Word(line["start"] + i * step, line["start"] + (i + 1) * step, " " + w)
            for i, w in enumerate(said)
        ]
        who = label[line["role"]]
        segments.append(Segment(k, line["start"], line["end"], line["text"], words, speaker=who))
        turns.append(Turn(line["start"], line["end"], who))
    transcript = Transcript(language="en", duration=truth["duration"], segments=segments)
    seconds = {
        who: sum(t.end - t.start for t in turns if t.speaker == who) for who in label.values()
    }
    voices = [Voice(who, secs, []) for who, secs in sorted(seconds.items())]
    diarization = Diarization(truth["duration"], turns, voices)
    people = [Candidate(p["name"], role.rstrip("2")) for role, p in truth["speakers"].items()]
    naming = name_speakers(diarization, transcript, people)
    assert naming.names == {"S2": "Priya Raman", "S3": "Tobias Wren", "S1": "Callum Ashdown"}
    assert any(e.startswith("addressed as Tobias by S2 at 21.7 s") for e in naming.evidence["S3"])
