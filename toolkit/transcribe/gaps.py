"""Speech that a pass skipped: found once per audio file, repaired one way.

Whisper sometimes moves past speech without writing it: a window decoded as
nothing, or timestamps that jump, after a music bed, under an article prompt,
or in a quantised model. This module is the one mechanism that finds and
repairs it, whichever pass skipped:

- :class:`Speech` holds one audio file's samples and the spans where voice
  activity detection (:mod:`toolkit.transcribe.vad`) hears speech, each
  computed at most once however many passes ask: the guards
  (:func:`toolkit.transcribe.guards.clean`), the gap check and the repair all
  read the same spans.
- :func:`speech_gaps` finds the stretches of speech longer than ``max_gap``
  seconds that no word covers.
- :func:`repair` has them decoded again and puts what that heard in their
  place (:func:`fill_gaps`). The second decoding is the caller's: the same
  options on the gaps alone (:func:`gap_clips`; the engine's refill, in
  :func:`toolkit.transcribe.run.run_engine`), or the gaps decoded unbiased
  for a pass biased by the article (:func:`toolkit.transcribe.run.choose`),
  where a whole unbiased pass replaces the biased one only when that loops.

The check costs one voice-activity pass over the samples (about 0.3 s for 3
minutes of audio) and the repair only the decoding of the gaps. The samples
(held as 16-bit integers: 115 MB an hour) stay until the :class:`Speech` is
released or dropped, so a later pass over the same file reads them instead of
decoding the file again.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from toolkit.audio import SAMPLE_RATE, decode_pcm, stream, to_float
from toolkit.profile import timed
from toolkit.transcribe.echoes import echoes
from toolkit.transcribe.options import Span
from toolkit.transcribe.transcript import Segment, Transcript

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "MAX_GAP",
    "Repair",
    "RepairOutcome",
    "Speech",
    "fill_gaps",
    "gap_clips",
    "holds_up",
    "repair",
    "repetition",
    "speech_gaps",
    "timed_words",
]

MAX_GAP = 5.0  # seconds of speech without a word that count as dropped speech
TOLERANCE = 1.0  # a word covers this long either side of itself
PAD = 1.0  # seconds of context decoded either side of a gap
# A whole second pass replaces the first when the first, filled, has fewer
# than this share of its words, or more of its word 4-grams repeated (by this
# much): a pass that looped or echoed the prompt, which filling cannot mend.
MIN_WORD_RATIO = 0.85
MAX_EXTRA_REPETITION = 0.1


class Speech:
    """One audio file's samples and speech spans, each found at most once.

    Nothing is decoded until it is asked for: :attr:`spans` decodes the file
    (with ffmpeg) and runs voice activity detection the first time, and
    :meth:`chunks` gives an engine the held samples, or streams the file
    while they are not held.
    """

    def __init__(self, audio: Path) -> None:
        self.audio = Path(audio)
        self._samples: np.ndarray | None = None
        self._duration: float | None = None
        self._raw: list[Span] | None = None
        self._spans: list[Span] | None = None
        # The diarization may ask from its own thread while the decoder runs.
        self._lock = threading.RLock()

    def samples(self) -> np.ndarray:
        """The mono 16 kHz samples of the file as 16-bit integers, decoded on the first call.

        Held as ffmpeg gives them, at half the memory of floats; :func:`toolkit.audio.to_float`
        of any slice is the float samples Whisper reads, exactly.
        """
        with self._lock:
            if self._samples is None:
                with timed("audio decode"):
                    self._samples = decode_pcm(self.audio)
                self._duration = len(self._samples) / SAMPLE_RATE
            return self._samples

    def release(self) -> None:
        """Let go of the held samples (about 115 MB an hour); the spans and duration stay.

        For when the stages that read the samples are done with them: an
        engine already reading them keeps its own reference until it is done,
        later :meth:`chunks` stream the file, and :meth:`samples` decodes it again.
        """
        with self._lock:
            self._samples = None

    @property
    def raw_spans(self) -> list[Span]:
        """Silero's own stretches of speech, unpadded and unjoined (split at pauses over 0.1 s).

        The one voice-activity pass over the file: :attr:`spans` and the
        diarization (:func:`toolkit.speakers.diarize.diarize`) are made from it.
        """
        with self._lock:
            if self._raw is None:
                from toolkit.transcribe.vad import speech_spans

                # Silero reads floats: a copy only for this pass.
                samples = to_float(self.samples())
                with timed("voice activity"):
                    self._raw = speech_spans(samples, SAMPLE_RATE, min_silence=0.0, pad=0.0)
                del samples
            return self._raw

    @property
    def spans(self) -> list[Span]:
        """Where voice activity detection hears speech, in seconds; ``[]`` when nowhere.

        :attr:`raw_spans` padded and joined as :func:`toolkit.transcribe.vad.speech_spans`
        does by default (pauses under 2 s stay inside a span).
        """
        with self._lock:
            if self._spans is None:
                from toolkit.transcribe.vad import MIN_SILENCE, PAD, merge_spans

                raw = self.raw_spans
                self._spans = merge_spans(
                    raw, min_silence=MIN_SILENCE, pad=PAD, duration=self.duration
                )
            return self._spans

    @property
    def duration(self) -> float:
        """The length of the decoded samples, in seconds."""
        with self._lock:
            if self._duration is None:
                self.samples()
            assert self._duration is not None
            return self._duration

    def chunks(self, seconds: float = 30.0) -> Iterator[np.ndarray]:
        """The audio for an engine, as floats: the held samples in slices, else streamed."""
        with self._lock:
            held = self._samples
        if held is None:
            yield from stream(self.audio)
            return
        step = round(seconds * SAMPLE_RATE)
        for start in range(0, len(held), step):
            yield to_float(held[start : start + step])


def speech_gaps(
    transcript: Transcript,
    speech: Sequence[Span],
    *,
    max_gap: float = MAX_GAP,
    tolerance: float = TOLERANCE,
) -> list[Span]:
    """Stretches inside ``speech`` longer than ``max_gap`` seconds that no word covers.

    A word covers its own time and ``tolerance`` seconds either side. Speech
    spans come from :func:`toolkit.transcribe.vad.speech_spans`, which keeps
    pauses under 2 s inside a span, so such a stretch is speech the model skipped.
    """
    covered: list[list[float]] = []
    for word in sorted(transcript.words, key=lambda w: w.start):
        start, end = word.start - tolerance, word.end + tolerance
        if covered and start <= covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], end)
        else:
            covered.append([start, end])
    gaps: list[Span] = []
    for s_start, s_end in speech:
        at = s_start
        for c_start, c_end in covered:
            if c_end <= at or c_start >= s_end:
                continue
            if c_start - at > max_gap:
                gaps.append((round(at, 3), round(c_start, 3)))
            at = max(at, c_end)
        if s_end - at > max_gap:
            gaps.append((round(at, 3), round(s_end, 3)))
    return gaps


def gap_clips(gaps: Sequence[Span], duration: float, *, pad: float = PAD) -> list[Span]:
    """The clips to decode again for ``gaps``: each padded by ``pad``, overlaps joined."""
    clips: list[list[float]] = []
    for start, end in sorted(gaps):
        start, end = max(0.0, start - pad), min(duration, end + pad)
        if clips and start <= clips[-1][1]:
            clips[-1][1] = max(clips[-1][1], end)
        else:
            clips.append([start, end])
    return [(round(a, 3), round(b, 3)) for a, b in clips]


def timed_words(transcript: Transcript) -> list[Span]:
    """(start, end) of every word; a segment without word times spreads its words evenly."""
    spans: list[Span] = []
    for seg in transcript.segments:
        if seg.words:
            spans += [(w.start, w.end) for w in seg.words if w.word.strip()]
        else:
            n = len(seg.text.split())
            step = (seg.end - seg.start) / n if n else 0.0
            spans += [(seg.start + k * step, seg.start + (k + 1) * step) for k in range(n)]
    return spans


#: How far back (in words, about a minute of speech) a repeated n-gram counts as a loop.
LOOP_WINDOW = 150


def repetition(transcript: Transcript, n: int = 4, window: int = LOOP_WINDOW) -> float:
    """The share of the text's word n-grams that occurred in the ``window`` words before:
    high in a loop.

    A decoder that loops repeats a phrase back to back; an episode that comes
    back to a phrase (a slogan, a name, a rerun segment) minutes later does
    not loop, so only a repeat within ``window`` words counts.
    """
    words = ["".join(c for c in w.lower() if c.isalnum()) for w in transcript.text.split()]
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    last: dict[tuple[str, ...], int] = {}
    repeated = 0
    for i, gram in enumerate(grams):
        if i - last.get(gram, -window - 1) <= window:
            repeated += 1
        last[gram] = i
    return repeated / len(grams) if grams else 0.0


def fill_gaps(first: Transcript, second: Transcript, gaps: Sequence[Span]) -> Transcript:
    """``first`` with ``second``'s segments put where it left speech without words.

    A segment of ``second`` goes in when most of its words fall in one of the
    ``gaps``. Segments are renumbered in time order; ``first``'s corrections
    follow their segments, ``second``'s are not carried over, so fill before
    :func:`toolkit.transcribe.names.correct_names`. The inputs are left unchanged.
    """
    filled = copy.deepcopy(first)
    if not gaps:
        return filled

    def in_gap(seg: Segment) -> bool:
        spans = timed_words(Transcript(second.language, second.duration, [seg]))
        inside = sum(any(a <= (s + e) / 2 <= b for a, b in gaps) for s, e in spans)
        return bool(spans) and 2 * inside > len(spans)

    added = [copy.deepcopy(seg) for seg in second.segments if in_gap(seg)]
    segments = sorted([*filled.segments, *added], key=lambda seg: seg.start)
    renumber = {id(seg): i for i, seg in enumerate(segments)}
    new_ids = {seg.id: renumber[id(seg)] for seg in filled.segments}
    for correction in filled.corrections:
        correction.segment = new_ids.get(correction.segment, correction.segment)
    for seg in segments:
        seg.id = renumber[id(seg)]
    filled.segments = segments
    return filled


RepairOutcome = Literal["kept", "filled", "replaced"]


@dataclass
class Repair:
    """What :func:`repair` made of a pass."""

    transcript: Transcript
    #: "kept": the pass as it was (no gaps, or nothing heard in them);
    #: "filled": the second decoding's segments put into its gaps;
    #: "replaced": the whole second pass instead (see :func:`repair`).
    outcome: RepairOutcome
    #: The stretches of speech (seconds) the pass left without words.
    gaps: list[Span] = field(default_factory=list)


def holds_up(filled: Transcript, whole: Transcript) -> bool:
    """Whether ``filled`` is as complete as ``whole``, a pass over the same audio, and no loop."""
    ours, theirs = len(timed_words(filled)), len(timed_words(whole))
    if theirs and ours / theirs < MIN_WORD_RATIO:
        return False
    return repetition(filled) <= repetition(whole) + MAX_EXTRA_REPETITION


def repair(
    first: Transcript,
    speech: Sequence[Span],
    again: Callable[[list[Span]], Transcript],
    *,
    whole: bool = False,
    max_gap: float = MAX_GAP,
    redo: Sequence[Span] = (),
) -> Repair:
    """``first`` with the speech it left without words decoded again by ``again``.

    ``speech`` is where voice activity detection hears speech
    (:attr:`Speech.spans`). ``again(gaps)`` is called only when there are
    gaps, and returns a transcript holding at least them, timed against the
    whole audio. With ``whole`` it is a complete pass over the audio, which
    replaces ``first`` when ``first``, filled, still holds up badly against
    it: fewer than :data:`MIN_WORD_RATIO` of its words, or a loop (more of its
    word 4-grams repeated, by :data:`MAX_EXTRA_REPETITION`). ``redo`` are
    stretches whose words are dropped from ``first`` and decoded again
    with the gaps (the biased pass's copies of its prompt, see
    :func:`toolkit.transcribe.bias.prompt_copies`).
    Stretches where the pass wrote again words it had just written
    (:func:`toolkit.transcribe.echoes.echoes`) are decoded again the same
    way, and so, once filled, are the pass's words that repeat what was
    decoded into a gap (words of the gap written after it); both are
    recorded in the result's options as ``"echoes"``.
    """
    gaps = speech_gaps(first, speech, max_gap=max_gap)
    echoed = echoes(first, LOOP_WINDOW)
    redo = [*redo, *echoed]
    if redo:
        first = without_words(first, redo)
        gaps = sorted([*gaps, *redo])
    if not gaps:
        return Repair(first, "kept", [])
    second = again(gaps)
    filled = fill_gaps(first, second, gaps)
    # A pass that skips speech may write its words after the gap instead, in
    # place of what is said there; filled, they stand twice.
    late = [e for e in echoes(filled, LOOP_WINDOW) if not _inside(e, gaps)]
    if late:
        filled = fill_gaps(without_words(filled, late), again(late), late)
        gaps = sorted([*gaps, *late])
        echoed = sorted([*echoed, *late])
    if echoed:
        filled = replace(filled, options={**filled.options, "echoes": [list(e) for e in echoed]})
    if whole and not holds_up(filled, second):
        return Repair(second, "replaced", gaps)
    if len(filled.segments) == len(first.segments) and not redo:
        return Repair(first, "kept", gaps)
    return Repair(filled, "filled", gaps)


def _inside(span: Span, spans: Sequence[Span]) -> bool:
    return any(a <= (span[0] + span[1]) / 2 <= b for a, b in spans)


def without_words(transcript: Transcript, spans: Sequence[Span]) -> Transcript:
    """``transcript`` without the words whose middle lies within ``spans``.

    A segment keeps its other words (its text and times follow them); one left
    with none, or without word times and inside a span, goes, with the
    corrections in it. The rest are renumbered; the input is left unchanged.
    """

    def inside(start: float, end: float) -> bool:
        return any(a <= (start + end) / 2 <= b for a, b in spans)

    kept: list[Segment] = []
    new_ids: dict[int, int] = {}
    for seg in transcript.segments:
        if not seg.words:
            if not inside(seg.start, seg.end):
                new_ids[seg.id] = len(kept)
                kept.append(replace(seg, id=len(kept)))
            continue
        words = [copy.deepcopy(w) for w in seg.words if not inside(w.start, w.end)]
        if not words:
            continue
        text = "".join(w.word for w in words).strip()
        new_ids[seg.id] = len(kept)
        kept.append(
            replace(
                seg, id=len(kept), start=words[0].start, end=words[-1].end, text=text, words=words
            )
        )
    corrections = [
        replace(c, segment=new_ids[c.segment])
        for c in transcript.corrections
        if c.segment in new_ids and not inside(c.start, c.end)
    ]
    return replace(transcript, segments=kept, corrections=corrections)
