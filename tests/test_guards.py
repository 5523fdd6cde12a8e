"""No invented text: voice activity detection and the transcript guards, on real audio.

The end-to-end tests run openai-whisper (tiny.en and base, from the offline
packages) the way the engine does: find the speech spans, give them to
``whisper.transcribe(clip_timestamps=...)`` with the guard decoding options,
skip Whisper when there is no speech, and clean the result.
"""

from __future__ import annotations

import difflib
import functools
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench.vad_decoding import clip_timestamps, compact, decode_guard_options
from toolkit.audio import SAMPLE_RATE, decode
from toolkit.transcribe.guards import clean
from toolkit.transcribe.transcript import Segment, Transcript, Word
from toolkit.transcribe.vad import merge_spans, speech_spans

from .helpers import DATA, SPEECH, normalise, speech_manifest

NOISE = DATA / "noise" / "noise.wav"
MUSIC = sorted((DATA / "music").glob("*.ogg"))  # real instrumental music beds, 20 s each
JFK = SPEECH / "jfk.flac"
MODELS = ["tiny.en", "base"]


# --- helpers ------------------------------------------------------------------------------


def seg(start: float, end: float, text: str, prob: float = 0.9, **scores: float) -> Segment:
    """A segment whose words share its time evenly, with Whisper's leading spaces."""
    parts = text.split()
    step = (end - start) / max(1, len(parts))
    words = [
        Word(round(start + k * step, 3), round(start + (k + 1) * step, 3), " " + p, prob)
        for k, p in enumerate(parts)
    ]
    return Segment(id=0, start=start, end=end, text=text, words=words, **scores)


def transcript(*segments: Segment, duration: float = 60.0) -> Transcript:
    numbered = [replace(s, id=i) for i, s in enumerate(segments)]
    return Transcript(language="en", duration=duration, segments=numbered, model="test")


def texts(t: Transcript) -> list[str]:
    return [s.text for s in t.segments]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def looped(audio: np.ndarray, seconds: float) -> np.ndarray:
    return np.resize(audio, round(seconds * SAMPLE_RATE)).astype(np.float32)


@functools.cache
def _model(name: str):
    from toolkit.transcribe.weights import load_model

    return load_model(name)


def to_transcript(result: dict, duration: float, model: str) -> Transcript:
    """openai-whisper's result dict as a Transcript (what the engine builds)."""
    segments = [
        Segment(
            id=i,
            start=float(s["start"]),
            end=float(s["end"]),
            text=s["text"].strip(),
            words=[
                Word(float(w["start"]), float(w["end"]), w["word"], float(w["probability"]))
                for w in s.get("words", [])
            ],
            avg_logprob=float(s["avg_logprob"]),
            no_speech_prob=float(s["no_speech_prob"]),
        )
        for i, s in enumerate(result["segments"])
    ]
    return Transcript(language="en", duration=duration, segments=segments, model=model)


def whisper_run(
    name: str, audio: np.ndarray, *, vad: str | None = "clips", guard: bool = True, **options
) -> tuple[Transcript, Transcript]:
    """Transcribe like the engine: (the raw transcript, the cleaned one).

    ``vad``: "clips" gives Whisper the speech spans as ``clip_timestamps``,
    "compact" gives it only the speech (``bench/vad_decoding.compact``), None no VAD.
    """
    import torch
    import whisper

    torch.manual_seed(0)  # the temperature fallback samples: the same text every run
    duration = len(audio) / SAMPLE_RATE
    spans = speech_spans(audio) if vad else None
    kwargs = {"fp16": False, "verbose": None, "language": "en", "word_timestamps": True}
    if guard:
        kwargs |= decode_guard_options()
    kwargs |= options
    if spans == []:
        raw = to_transcript({"segments": []}, duration, name)  # no speech: Whisper is not run
    elif vad == "compact":
        speech, timeline = compact(audio, spans)
        result = whisper.transcribe(_model(name), speech, **kwargs)
        raw = timeline.restore(to_transcript(result, len(speech) / SAMPLE_RATE, name))
    else:
        if spans is not None:
            kwargs["clip_timestamps"] = clip_timestamps(spans)
        result = whisper.transcribe(_model(name), audio, **kwargs)
        raw = to_transcript(result, duration, name)
    return raw, clean(raw, spans) if guard else raw


def test_importing_vad_and_guards_stays_cheap():
    code = (
        "import sys, toolkit.transcribe.vad, toolkit.transcribe.guards; "
        "print(sorted({'torch', 'silero_vad', 'whisper'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- clip_timestamps and span merging -----------------------------------------------------


def test_clip_timestamps_is_flat_start_end_pairs():
    assert clip_timestamps([(0.5, 2.0), (10.0, 12.25)]) == [0.5, 2.0, 10.0, 12.25]
    assert clip_timestamps([(0.5, 2.0)]) == [0.5, 2.0]


def test_clip_timestamps_sorts_and_joins_overlaps():
    spans = [(10.0, 12.0), (0.0, 3.0), (2.5, 4.0)]
    assert clip_timestamps(spans, join=0.0) == [0.0, 4.0, 10.0, 12.0]


def test_clip_timestamps_drops_empty_spans():
    assert clip_timestamps([(1.0, 1.0), (3.0, 2.0), (4.0, 5.0)]) == [4.0, 5.0]


def test_clip_timestamps_joins_spans_closer_than_join():
    spans = [(0.0, 10.0), (12.0, 20.0), (40.0, 45.0)]
    assert clip_timestamps(spans) == [0.0, 20.0, 40.0, 45.0]  # default: 5 s
    assert clip_timestamps(spans, join=0.0) == [0.0, 10.0, 12.0, 20.0, 40.0, 45.0]


def test_clip_timestamps_of_no_speech_is_empty():
    # Whisper reads [] as "the whole file": the caller must not run it at all.
    assert clip_timestamps([]) == []


def test_clip_timestamps_are_read_by_whisper_as_clips():
    """The list parses in whisper.transcribe exactly like its CLI string form."""
    flat = clip_timestamps([(0.0, 1.5), (3.0, 4.25)], join=0.0)
    assert ",".join(str(t) for t in flat) == "0.0,1.5,3.0,4.25"
    assert all(isinstance(t, float) for t in flat)


def test_merge_spans_pads_and_keeps_within_the_audio():
    assert merge_spans([(0.2, 1.0), (5.0, 9.8)], min_silence=0.0, pad=0.5, duration=10.0) == [
        (0.0, 1.5),
        (4.5, 10.0),
    ]


def test_merge_spans_joins_short_pauses_only():
    spans = [(0.0, 1.0), (2.0, 3.0), (10.0, 11.0)]
    assert merge_spans(spans, min_silence=3.0, pad=0.0) == [(0.0, 3.0), (10.0, 11.0)]
    assert merge_spans(spans, min_silence=0.5, pad=0.0) == spans


def test_compact_keeps_only_the_spans_and_maps_times_back():
    audio = np.arange(10 * SAMPLE_RATE, dtype=np.float32)
    speech, timeline = compact(audio, [(5.0, 6.0), (1.0, 2.0)])
    assert len(speech) == 2 * SAMPLE_RATE
    assert speech[0] == SAMPLE_RATE and speech[SAMPLE_RATE] == 5 * SAMPLE_RATE
    assert [timeline.to_original(t) for t in (0.0, 0.5, 1.0, 1.5, 2.0)] == [
        1.0,
        1.5,
        5.0,
        5.5,
        6.0,
    ]


def test_timeline_restores_a_transcript():
    _, timeline = compact(silence(60), [(20.0, 25.0), (40.0, 45.0)])
    t = transcript(seg(0.5, 4.5, "before the bed"), seg(5.5, 9.0, "after it"), duration=10.0)
    out = timeline.restore(t)
    assert out.duration == 60.0
    assert [(s.start, s.end) for s in out.segments] == [(20.5, 24.5), (40.5, 44.0)]
    assert out.segments[1].words[0].start == 40.5
    assert t.segments[0].start == 0.5  # the input is unchanged


def test_compact_of_no_speech_is_empty():
    speech, timeline = compact(silence(5), [])
    assert len(speech) == 0 and timeline.to_original(1.0) == 1.0


# --- speech_spans on real audio ------------------------------------------------------------


def test_no_speech_spans_in_digital_silence():
    assert speech_spans(silence(30)) == []


def test_no_speech_spans_in_real_music():
    assert len(MUSIC) == 4
    for bed in MUSIC:
        assert speech_spans(decode(bed)) == [], bed.name


def test_no_speech_spans_in_noise_wav():
    assert speech_spans(decode(NOISE)) == []
    assert speech_spans(looped(decode(NOISE), 30)) == []


def _decode_at(path: Path, rate: int) -> np.ndarray:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate)]
    out = subprocess.run([*cmd, "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<f4")


def test_speech_spans_cover_the_speech_and_skip_the_padding():
    jfk = decode(JFK)
    padded = np.concatenate([silence(20), jfk, looped(decode(NOISE), 20)])
    spans = speech_spans(padded)
    assert spans, "no speech found"
    assert spans[0][0] >= 19.0 and spans[-1][1] <= 20 + 11.0 + 1.0, spans
    covered = sum(e - s for s, e in spans)
    assert covered >= 9.0, spans  # JFK speaks from 0.3 s to 10.6 s of his 11 s


def test_speech_spans_at_other_sample_rates():
    """44.1 kHz (resampled) and 8 kHz (native to Silero) find the same speech as 16 kHz."""
    at16 = speech_spans(decode(JFK))
    for rate in (44100, 8000):
        other = speech_spans(_decode_at(JFK, rate), rate)
        assert len(other) == len(at16)
        for (s1, e1), (s2, e2) in zip(at16, other, strict=True):
            assert abs(s1 - s2) < 0.3 and abs(e1 - e2) < 0.3, (rate, at16, other)


def test_speech_spans_leave_torch_threads_alone():
    import torch

    before = torch.get_num_threads()
    speech_spans(silence(1))
    assert torch.get_num_threads() == before


def test_speech_spans_refuse_stereo():
    from toolkit.errors import AudioError

    with pytest.raises(AudioError):
        speech_spans(np.zeros((2, 16000), dtype=np.float32))


# --- clean(): speech spans -----------------------------------------------------------------


def test_clean_drops_words_outside_speech():
    t = transcript(seg(0.0, 4.0, "you hello there friend"), seg(20.0, 22.0, "Thank you."))
    out = clean(t, [(1.0, 4.0)])
    assert texts(out) == ["hello there friend"]
    only = out.segments[0]
    assert (only.start, only.end) == (1.0, 4.0)
    assert [w.word for w in only.words] == [" hello", " there", " friend"]


def test_clean_with_no_speech_at_all_is_empty():
    t = transcript(seg(0.0, 2.0, "you"), seg(28.0, 30.0, "Thank you."))
    assert clean(t, []).segments == []


def test_clean_without_spans_keeps_ordinary_speech():
    t = transcript(seg(0.0, 3.0, "And so my fellow Americans"), seg(3.0, 5.0, "ask not"))
    assert clean(t) == t


def test_clean_tolerates_word_times_a_little_outside_a_span():
    t = transcript(seg(0.8, 3.1, "ask what you"))
    assert texts(clean(t, [(1.0, 3.0)])) == ["ask what you"]


def test_clean_judges_segments_without_words_by_overlap():
    inside = Segment(id=0, start=10.0, end=20.0, text="half in speech")
    outside = Segment(id=1, start=40.0, end=50.0, text="in the silence")
    t = Transcript(language="en", duration=60.0, segments=[inside, outside])
    assert texts(clean(t, [(14.0, 30.0)])) == ["half in speech"]


def test_clean_renumbers_and_leaves_the_input_alone():
    t = transcript(seg(0.0, 1.0, "you"), seg(5.0, 6.0, "hello"), seg(7.0, 8.0, "again"))
    before = repr(t)
    out = clean(t, [(4.0, 9.0)])
    assert [s.id for s in out.segments] == [0, 1]
    assert repr(t) == before
    out.segments[0].words[0].word = "changed"
    assert repr(t) == before


# --- clean(): hallucinations, with the scores measured on real audio ------------------------


def test_clean_drops_the_you_whisper_writes_over_silence():
    # tiny.en over 30 s of digital silence (base: 0.932, -0.82, 0.34)
    you = seg(28.08, 29.48, "you", prob=0.39, no_speech_prob=0.948, avg_logprob=-0.70)
    assert clean(transcript(you)).segments == []


def test_clean_keeps_unsure_real_speech():
    """Real lines of the sample episode that come close to the rules, and stay."""
    real = [
        # base: unsure words, but confident decoding
        seg(161.2, 162.0, "And rightly.", prob=0.43, no_speech_prob=0.716, avg_logprob=-0.18),
        # tiny.en: the highest no-speech probability real speech reached
        seg(185.6, 187.0, "My pleasure, Maya.", prob=0.59, no_speech_prob=0.813, avg_logprob=-0.6),
        # ami clip: the lowest average log probability
        seg(1.0, 4.0, "I'm Abigail Claferm", prob=0.82, no_speech_prob=0.157, avg_logprob=-0.75),
    ]
    t = transcript(*real)
    assert texts(clean(t)) == texts(t)


def test_clean_drops_what_whisper_itself_calls_silent():
    t = transcript(seg(0.0, 5.0, "Thank you.", no_speech_prob=0.7, avg_logprob=-1.2))
    assert clean(t).segments == []


def test_clean_drops_segments_of_very_unsure_words():
    # tiny.en after a silence bed, decoded at temperature 1.0: avg_logprob -4.3
    garbage = seg(176.9, 184.2, "Because if we have Full Federation emotional", prob=0.05)
    assert clean(transcript(garbage, seg(184.2, 189.3, "to speak with one voice"))).text == (
        "to speak with one voice"
    )


def test_clean_drops_a_lone_very_unsure_word():
    """What tiny.en wrote over a real music bed, alone in its segment."""
    music = [seg(28.6, 30.0, "BE", prob=0.0, no_speech_prob=0.464, avg_logprob=-4.8)]
    # one-word segments of real speech (base, the sample episode and the LJ clips)
    real = [seg(50.0, 50.6, "Right.", prob=0.911), seg(51.0, 52.0, "complaint.", prob=0.942)]
    assert texts(clean(transcript(*music, *real))) == ["Right.", "complaint."]


def test_clean_drops_what_whisper_kept_after_giving_up():
    """tiny.en over real music: every temperature failed, the last try is kept."""
    music = [
        seg(19.9, 21.3, "The Women's", prob=0.17, no_speech_prob=0.192, avg_logprob=-3.56),
        seg(46.0, 48.0, "illing Music", prob=0.19, no_speech_prob=0.464, avg_logprob=-5.08),
        seg(60.0, 62.0, "Background music playing…", prob=0.42, avg_logprob=-2.99),
    ]
    # the least sure real speech in the tests (tiny.en, stereo_diarization.wav)
    real = seg(50.0, 53.0, "He theorizes if you seem", prob=0.67, avg_logprob=-0.98)
    assert texts(clean(transcript(*music, real))) == ["He theorizes if you seem"]


def test_clean_drops_an_unsure_thank_you():
    over_music = seg(71.4, 72.8, "Thank you.", no_speech_prob=0.176, avg_logprob=-1.6)
    over_music.words[0] = replace(over_music.words[0], probability=0.004)
    said = seg(80.0, 81.0, "Thank you.", prob=0.97, no_speech_prob=0.4, avg_logprob=-0.3)
    thanks = seg(190.0, 191.5, "Thanks for listening.", prob=0.99, no_speech_prob=0.965)
    assert texts(clean(transcript(over_music, said, thanks))) == [
        "Thank you.",
        "Thanks for listening.",
    ]


def test_clean_keeps_an_unsure_word_among_sure_ones():
    line = seg(0.0, 3.0, "Ask Mr. Ishikane today", prob=0.9)
    line.words[2] = replace(line.words[2], probability=0.002)
    assert texts(clean(transcript(line))) == ["Ask Mr. Ishikane today"]


@pytest.mark.parametrize(
    "caption",
    ["[Music]", "(upbeat music)", "♪ ♪", "[BLANK_AUDIO]", "-", "Music", "MUSIC.", "Music ♪ Music"],
)
def test_clean_drops_sound_captions(caption):
    t = transcript(seg(0.0, 5.0, caption), seg(5.0, 7.0, "Welcome back."))
    assert texts(clean(t)) == ["Welcome back."]


def test_clean_keeps_speech_around_a_caption():
    t = transcript(seg(0.0, 5.0, "We laughed [laughter] a lot."), seg(5.0, 7.0, "Music helps."))
    assert texts(clean(t)) == ["We laughed [laughter] a lot.", "Music helps."]


# --- clean(): repetition loops ------------------------------------------------------------


def test_clean_collapses_a_line_repeated_across_segments():
    """The usual loop: each new window repeats the line before it."""
    line = "I'm going to go ahead and see what happens."
    t = transcript(
        seg(0.0, 4.0, "Thanks for joining us."),
        *[seg(4.0 + 2 * k, 6.0 + 2 * k, line) for k in range(8)],
    )
    out = clean(t)
    assert texts(out) == ["Thanks for joining us.", line]
    assert out.segments[1].start == 4.0


def test_clean_collapses_a_loop_inside_a_segment_and_its_cut_off_tail():
    looped = "we need to talk " * 6 + "we need"
    t = transcript(seg(0.0, 20.0, "So " + looped + " about it"))
    assert texts(clean(t)) == ["So we need to talk about it"]
    assert [w.word for w in clean(t).segments[0].words][-1] == " it"


def test_clean_collapses_a_phrase_loop_that_spans_segments():
    t = transcript(
        seg(0.0, 2.0, "one more time,"),
        seg(2.0, 4.0, "one more time, one more"),
        seg(4.0, 6.0, "time, one more time,"),
        seg(6.0, 8.0, "one more time, and that was all."),
    )
    assert clean(t).text == "one more time, and that was all."


def test_clean_collapses_a_loop_without_word_times():
    line = Segment(id=0, start=0.0, end=2.0, text="Subscribe to the channel.")
    t = Transcript(language="en", duration=10.0, segments=[replace(line) for _ in range(4)])
    assert texts(clean(t)) == ["Subscribe to the channel."]


@pytest.mark.parametrize(
    "speech",
    [
        "No, no, no, that is not what I said.",
        "It was very, very, very good.",
        "Yeah. Yeah. Yeah.",
        "Thank you. Thank you. Thank you. That's kind.",
        "ha ha ha ha",
    ],
)
def test_clean_keeps_ordinary_repetition(speech):
    t = transcript(seg(0.0, 5.0, speech))
    assert texts(clean(t)) == [speech]


def test_clean_keeps_the_same_short_line_from_two_speakers():
    t = transcript(seg(0.0, 1.0, "Right."), seg(1.0, 2.0, "Right."), seg(2.0, 3.0, "Right."))
    assert len(clean(t).segments) == 3


# --- decode_guard_options -----------------------------------------------------------------


def test_decode_guard_options_are_whisper_transcribe_arguments():
    import inspect

    import whisper

    options = decode_guard_options()
    known = set(inspect.signature(whisper.transcribe).parameters)
    assert set(options) <= known
    assert options["word_timestamps"] is True  # clean() needs word probabilities
    assert options["condition_on_previous_text"] is False


# --- end to end, on real audio ------------------------------------------------------------

NON_SPEECH = {
    "silence-30s": lambda: silence(30),
    "noise.wav": lambda: decode(NOISE),
    "music-80s": lambda: np.concatenate([decode(m) for m in MUSIC]),
}
JFK_WORDS = normalise(speech_manifest()["jfk.flac"]).split()


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("case", list(NON_SPEECH))
def test_non_speech_gives_an_empty_transcript(model, case):
    """VAD finds no speech, so Whisper is not even run."""
    raw, cleaned = whisper_run(model, NON_SPEECH[case]())
    assert raw.segments == [] and cleaned.segments == []


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("case", list(NON_SPEECH))
@pytest.mark.parametrize("decoding", ["whisper-defaults", "guard-options"])
def test_non_speech_gives_an_empty_transcript_without_vad(model, case, decoding):
    """Without VAD Whisper decodes the non-speech (over silence both models write
    "you" with its default options); clean() still leaves nothing. Music included."""
    guard = decoding == "guard-options"
    raw, _ = whisper_run(model, NON_SPEECH[case](), vad=None, guard=guard)
    assert clean(raw).segments == [], raw.text


def _jfk_padded(padding: str) -> np.ndarray:
    pad = silence(20) if padding == "silence" else looped(decode(NOISE), 20)
    return np.concatenate([pad, decode(JFK), pad])


def _assert_all_jfk_words_and_nothing_else(t: Transcript) -> None:
    words = normalise(t.text).split()
    found = difflib.SequenceMatcher(None, JFK_WORDS, words, autojunk=False).get_matching_blocks()
    assert sum(m.size for m in found) == len(JFK_WORDS), t.text
    assert len(words) == len(JFK_WORDS), t.text
    for w in t.words:  # JFK speaks from 20.3 s to 30.6 s
        assert w.start >= 19.5 and w.end <= 31.5, (w, t.text)


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    ("padding", "vad"), [("silence", "clips"), ("noise", "clips"), ("noise", "compact")]
)
def test_speech_in_long_padding_keeps_every_word(model, padding, vad):
    """JFK between 20 s of silence or noise, each side: every word, nothing invented."""
    _, cleaned = whisper_run(model, _jfk_padded(padding), vad=vad)
    _assert_all_jfk_words_and_nothing_else(cleaned)


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
def test_clean_alone_keeps_every_word_of_padded_speech(model):
    """No VAD and Whisper's default options: clean() removes none of the real words."""
    raw, _ = whisper_run(model, _jfk_padded("noise"), vad=None, guard=False)
    _assert_all_jfk_words_and_nothing_else(clean(raw))


def _ffmpeg_source(source: str, seconds: float) -> np.ndarray:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", source, "-t", str(seconds)]
    cmd += ["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    return np.frombuffer(subprocess.run(cmd, capture_output=True, check=True).stdout, "<f4").copy()


# Whisper's own loop guards off: one greedy pass, no compression-ratio fallback.
LOOPY = {"temperature": 0.0, "compression_ratio_threshold": None}


@pytest.mark.slow
def test_real_loop_over_brown_noise_is_removed():
    """tiny.en loops over 30 s of brown noise when conditioned on its previous text."""
    noise = _ffmpeg_source("anoisesrc=color=brown:amplitude=0.15:seed=11:r=16000", 30)
    # sample_len: the loop is the same with fewer tokens a window, and 3x cheaper
    options = {"condition_on_previous_text": True, "sample_len": 64, **LOOPY}
    raw, _ = whisper_run("tiny.en", noise, vad=None, guard=False, **options)
    lines = [s.text for s in raw.segments if s.text]
    assert len(lines) >= 3 and len(set(lines)) == 1, f"Whisper did not loop: {lines}"
    assert clean(raw).segments == []  # collapsed to one copy, then dropped as silent
    assert speech_spans(noise) == []


@pytest.mark.slow
def test_real_loop_over_slowed_speech_is_kept_once():
    """JFK at half speed: tiny.en repeats one line over the whole clip."""
    jfk = decode(JFK)
    slowed = np.interp(np.arange(0, len(jfk), 0.5), np.arange(len(jfk)), jfk).astype(np.float32)
    raw, _ = whisper_run("tiny.en", slowed, vad=None, guard=False, **LOOPY)
    lines = [normalise(s.text) for s in raw.segments if s.text]
    assert len(lines) >= 3 and len(set(lines)) == 1, f"Whisper did not loop: {lines}"
    assert [normalise(s.text) for s in clean(raw).segments] == lines[:1]


@pytest.mark.parametrize("audio", ["jfk-in-noise", "sample-episode"])
def test_batched_and_streaming_vad_models_agree(audio, monkeypatch):
    """The batched ONNX Silero model (used when onnxruntime is there) finds exactly
    the spans the streaming TorchScript model finds, on real speech in real noise."""
    from toolkit.transcribe import vad

    from .helpers import ROOT, SAMPLE_SLUG

    if audio == "jfk-in-noise":
        samples = _jfk_padded("noise")
    else:
        samples = decode(ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3")
    assert vad._sequence_model() is not None, "onnxruntime is missing"
    batched = vad._raw_spans(samples, SAMPLE_RATE, vad.THRESHOLD, vad.MIN_SPEECH)
    monkeypatch.setattr(vad, "_sequence_model", lambda: None)
    streaming = vad._raw_spans(samples, SAMPLE_RATE, vad.THRESHOLD, vad.MIN_SPEECH)
    assert len(batched) > 5
    assert batched == streaming
