"""Speech that a pass left without words is decoded again (toolkit.transcribe.gaps).

Whisper skipping speech cannot be caused on demand, so the end-to-end tests
wrap the real engine: its first pass loses the words of one stretch of real
speech, as Whisper does after a music bed; the repair pass is the real model.
"""

from __future__ import annotations

import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from toolkit.audio import SAMPLE_RATE, decode
from toolkit.transcribe import engines
from toolkit.transcribe.gaps import fill_gaps, gap_clips, speech_gaps
from toolkit.transcribe.options import TranscribeOptions
from toolkit.transcribe.run import run_engine
from toolkit.transcribe.transcript import Segment, Transcript, Word

from .helpers import SPEECH, normalise, speech_manifest

JFK = SPEECH / "jfk.flac"
CLIPS = [*sorted(SPEECH.glob("sense_and_sensibility_*.wav"))[:2], JFK]


def test_gap_clips_pad_join_and_stay_in_the_audio():
    assert gap_clips([(0.5, 7.0), (20.0, 30.0)], 30.5) == [(0.0, 8.0), (19.0, 30.5)]
    assert gap_clips([(10.0, 16.0), (17.5, 25.0)], 60.0) == [(9.0, 26.0)]
    assert gap_clips([], 60.0) == []


def _segment(i: int, start: float, words: list[str]) -> Segment:
    timed = [Word(start + k, start + k + 0.8, " " + w, 0.9) for k, w in enumerate(words)]
    return Segment(i, start, timed[-1].end, " ".join(words), words=timed)


def test_fill_puts_the_second_pass_into_the_gaps_only():
    first = Transcript("en", 40.0, [_segment(0, 0.0, ["one", "two"]), _segment(1, 30.0, ["six"])])
    again = Transcript(
        "en",
        40.0,
        [_segment(0, 1.0, ["two"]), _segment(1, 10.0, ["three", "four", "five"])],
    )
    filled = fill_gaps(first, again, gaps=[(3.0, 29.0)])
    assert [s.text for s in filled.segments] == ["one two", "three four five", "six"]
    assert [s.id for s in filled.segments] == [0, 1, 2]
    assert [s.text for s in first.segments] == ["one two", "six"]  # the input is left alone


@pytest.fixture(scope="module")
def three_speakers(tmp_path_factory) -> tuple[Path, float, float]:
    """Two LibriVox clips and JFK, 1 s apart, as one WAV; and where JFK lies (seconds)."""
    gap = np.zeros(SAMPLE_RATE, dtype=np.float32)
    pieces, at = [], 0
    for clip in CLIPS:
        samples = decode(clip)
        start = at
        pieces += [samples, gap]
        at += len(samples) + len(gap)
    audio = np.concatenate(pieces)
    path = tmp_path_factory.mktemp("coverage") / "three.wav"
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path, start / SAMPLE_RATE, (start + len(decode(JFK))) / SAMPLE_RATE


class _Forgetful:
    """The real engine, but its first pass loses every word between ``start`` and ``end``."""

    def __init__(self, start: float, end: float):
        self.inner = engines.get_engine("openai")
        self.start, self.end = start, end
        self.calls: list[object] = []
        self.name = "openai"

    def transcribe(self, chunks, options, *, clips=None, progress=None, threads=0):
        found = self.inner.transcribe(
            chunks, options, clips=clips, progress=progress, threads=threads
        )
        self.calls.append(clips)
        if len(self.calls) > 1:
            return found
        kept = [
            replace(s, words=[w for w in s.words if not self.start <= w.start < self.end])
            for s in found.segments
        ]
        kept = [
            replace(s, text="".join(w.word for w in s.words).strip(), start=s.words[0].start)
            for s in kept
            if s.words
        ]
        return replace(found, segments=kept)


def test_dropped_speech_is_decoded_again(three_speakers, monkeypatch):
    path, start, end = three_speakers
    forgetful = _Forgetful(start, end + 1.0)
    monkeypatch.setattr(engines, "get_engine", lambda name: forgetful)
    transcript = run_engine(path, TranscribeOptions(model="tiny.en"), progress=False)
    [clip] = forgetful.calls[1]  # the second pass decoded only around JFK
    assert clip[0] <= start + 1.0 and clip[1] >= end - 1.0
    assert clip[1] - clip[0] < end - start + 4.0
    [[gap_start, gap_end]] = transcript.options["refilled"]
    assert start - 1.0 <= gap_start and gap_end <= end + 1.0
    jfk = normalise(speech_manifest()["jfk.flac"])
    assert jfk in normalise(transcript.text)
    assert normalise(transcript.text).count("ask not") == 1
    times = [w.start for w in transcript.words]
    assert times == sorted(times)


def test_nothing_dropped_means_one_pass(three_speakers, monkeypatch):
    path, _, _ = three_speakers
    forgetful = _Forgetful(0.0, 0.0)  # forgets nothing
    monkeypatch.setattr(engines, "get_engine", lambda name: forgetful)
    transcript = run_engine(path, TranscribeOptions(model="tiny.en"), progress=False)
    assert forgetful.calls == [None]
    assert "refilled" not in transcript.options
    assert speech_gaps(transcript, [(0.0, transcript.duration)], max_gap=8.0) == []


def test_refill_can_be_turned_off(three_speakers, monkeypatch):
    path, start, end = three_speakers
    forgetful = _Forgetful(start, end + 1.0)
    monkeypatch.setattr(engines, "get_engine", lambda name: forgetful)
    options = TranscribeOptions(model="tiny.en", refill=False)
    transcript = run_engine(path, options, progress=False)
    assert len(forgetful.calls) == 1
    assert "ask not" not in normalise(transcript.text)


def test_repetition_counts_a_loop_not_a_phrase_that_comes_back():
    """A decoder's loop repeats a phrase back to back: high. The same paragraph said
    again minutes later (a rerun segment, an ad read twice) is no loop: near 0."""
    from toolkit.transcribe.gaps import LOOP_WINDOW, repetition
    from toolkit.transcribe.run import LOOP_REPETITION

    paragraph = (
        "the council met on tuesday to discuss the resolution and the envoys said they "
        "would vote for it if the text named the missile tests and the sanctions"
    ).split()
    others = [f"word{i}" for i in range(2 * LOOP_WINDOW)]
    come_back = Transcript(
        "en",
        600.0,
        [_segment(0, 0.0, paragraph), _segment(1, 60.0, others), _segment(2, 400.0, paragraph)],
    )
    assert repetition(come_back) <= 0.01
    loop = Transcript(
        "en", 60.0, [_segment(i, 10.0 * i, ["we", "are", "here", "now"] * 3) for i in range(6)]
    )
    assert repetition(loop) > LOOP_REPETITION


def test_speech_let_go_keeps_its_spans_and_streams_the_same_audio():
    """The build lets go of the samples once the diarization is done (about 230 MB an
    hour): the spans and the duration stay, and an engine then gets the same audio streamed."""
    from toolkit.audio import decode, to_float
    from toolkit.transcribe.gaps import Speech

    speech = Speech(JFK)
    held = np.concatenate(list(speech.chunks()))  # streamed: nothing held yet
    samples = speech.samples()
    assert samples.dtype == np.int16  # half the memory of floats
    assert np.array_equal(held, to_float(samples))
    assert np.array_equal(held, decode(JFK))
    spans, duration = speech.spans, speech.duration
    speech.release()
    assert speech._samples is None
    assert speech.spans == spans and speech.duration == duration
    assert speech._samples is None  # neither decoded the file again
    assert np.array_equal(np.concatenate(list(speech.chunks())), held)
