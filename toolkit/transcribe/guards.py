"""Remove text that Whisper invented: words in non-speech, hallucinations and loops.

Whisper writes text where nobody speaks ("you", "Thank you." over silence,
captions over music) and can get stuck repeating one line. :func:`clean`
takes a finished :class:`Transcript` and returns a new one without that text:

1. words outside the speech spans found by :mod:`toolkit.transcribe.vad`, when given;
2. segments that only name a sound ("[Music]", "(upbeat music)", "♪");
3. segments that look hallucinated by Whisper's own scores;
4. repetition loops, within a segment or across segments, kept once.

Every threshold here was measured on real audio; see tests/test_guards.py.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from toolkit.transcribe.options import Span
from toolkit.transcribe.transcript import Segment, Transcript, Word
from toolkit.transcribe.vad import merge_spans

__all__ = ["clean", "word_key"]

log = logging.getLogger(__name__)

# (1) A word belongs to speech when at least half of it lies within a span
# widened by this much; Whisper's word times can be a little off at the edges.
SPAN_TOLERANCE = 0.25
# A segment without word times is kept when this share of it overlaps speech...
SEGMENT_SPEECH_SHARE = 0.5
# ... or at least this many seconds of it do.
SEGMENT_SPEECH_SECONDS = 1.0

# (3) Whisper's rule: a decoded window is silent when its no-speech probability
# is above 0.6 and its average log probability below -1.0.
NO_SPEECH_PROB = 0.6
LOGPROB = -1.0
# A likely silent window with unsure words: over 30 s of digital silence
# tiny.en and base both write "you" at no_speech_prob 0.93-0.95, avg_logprob
# -0.7 to -0.8 (above -1.0, so Whisper keeps it) and word probability
# 0.34-0.39. Real speech in the test clips and the sample episode reached
# no_speech_prob 0.81 (words 0.59), and words as unsure as 0.43 at
# no_speech_prob 0.72 but avg_logprob -0.18: it never meets all three.
# A loop's copies raise its avg_logprob (tiny.en looping over brown noise:
# -0.29 at no_speech_prob 0.95, words 0.08-0.89), so for a segment that was
# part of a loop the avg_logprob condition is left out.
QUIET_NO_SPEECH_PROB = 0.8
QUIET_WORD_PROB = 0.5
QUIET_LOGPROB = -0.5
# Words this unsure on average are invented whatever the no-speech
# probability says (real speech: 0.43 at the lowest; Whisper's garbage after
# a temperature fallback: 0.05-0.11), once there are two words to judge.
VERY_LOW_WORD_PROB = 0.15
MIN_WORDS_TO_JUDGE = 2
# A segment of one word is judged by a stricter bound: over real music beds
# (tests/data/music) tiny.en and base wrote one-word segments ("BE", "Music")
# at 0.000-0.005; the one-word segments of real speech in the tests were
# 0.91-0.997 (words inside longer segments go as low as 0.002, so only a
# segment's only word is judged alone).
SINGLE_WORD_PROB = 0.02
# Whisper keeps the last temperature's text even when it is still below its
# log-probability threshold. Over real music beds tiny.en's last tries were
# garbage at avg_logprob -2.2 to -5.8 with words averaging 0.17-0.42 ("The
# Women's", "illing Music", "Background music playing…"); real speech in the
# tests (both models, greedy and beam 5) never went below -0.98 (words 0.67).
GAVE_UP_LOGPROB = -2.0
GAVE_UP_WORD_PROB = 0.5
# Lines Whisper is known to invent over music and silence. Over the real
# music beds tiny.en wrote "Thank you." with a first word at 0.004-0.083; the
# real "Thanks for listening." of the sample episode has every word above 0.99.
INVENTED_LINES = {"thank you", "thank you for watching", "thanks for watching"}
INVENTED_LINE_WORD_PROB = 0.2

# (4) A phrase of n words repeated back to back at least this often is a loop.
# Single words need more repeats ("no, no, no" is speech); sentences fewer.
MAX_LOOP_WORDS = 50


def _min_repeats(n_words: int) -> int:
    if n_words == 1:
        return 5
    if n_words <= 3:
        return 4
    return 3


# --- (1) speech spans ---------------------------------------------------------------------


class _Speech:
    """Speech spans widened by :data:`SPAN_TOLERANCE`, joined where they meet, for lookups."""

    def __init__(self, spans: Sequence[Span]):
        self.spans = merge_spans(spans, min_silence=0.0, pad=SPAN_TOLERANCE)
        self.ends = [e for _, e in self.spans]

    def overlap(self, start: float, end: float) -> float:
        """Seconds of ``[start, end]`` within speech."""
        total = 0.0
        for s, e in self.spans[bisect.bisect_right(self.ends, start) :]:
            if s >= end:
                break
            total += min(end, e) - max(start, s)
        return total

    def holds(self, moment: float) -> bool:
        i = bisect.bisect_left(self.ends, moment)
        return i < len(self.spans) and self.spans[i][0] <= moment


def _word_in_speech(word: Word, speech: _Speech) -> bool:
    length = word.end - word.start
    if length <= 0:
        return speech.holds(word.start)
    return speech.overlap(word.start, word.end) >= 0.5 * length


def _segment_in_speech(segment: Segment, speech: _Speech) -> bool:
    length = segment.end - segment.start
    if length <= 0:
        return speech.holds(segment.start)
    inside = speech.overlap(segment.start, segment.end)
    return inside >= min(SEGMENT_SPEECH_SHARE * length, SEGMENT_SPEECH_SECONDS)


def _with_words(segment: Segment, words: list[Word]) -> Segment:
    """``segment`` narrowed to ``words`` (a subset of its own), text and times to match."""
    if len(words) == len(segment.words):
        return segment
    return replace(
        segment,
        start=words[0].start,
        end=words[-1].end,
        text="".join(w.word for w in words).strip(),
        words=words,
    )


def _keep_in_speech(segment: Segment, speech: _Speech) -> Segment | None:
    if not segment.words:
        return segment if _segment_in_speech(segment, speech) else None
    words = [w for w in segment.words if _word_in_speech(w, speech)]
    return _with_words(segment, words) if words else None


# --- (2) and (3) sound captions and hallucinations -----------------------------------------

# "[Music]", "(upbeat music)", "*applause*", "♪ ♪", "-": no speech in them.
_CAPTION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫♬#~\-–—.,!?…\s]")
# Captions Whisper also writes without brackets over music: "Music", "MUSIC."
_BARE_CAPTIONS = {"music", "applause", "laughter", "silence", "blank_audio", "inaudible"}


def _only_sound_caption(segment: Segment) -> bool:
    text = segment.text.strip()
    if not text:
        return False
    rest = _CAPTION.sub(" ", text).lower().split()
    return all(word in _BARE_CAPTIONS for word in rest)


def _hallucinated(segment: Segment, looped: bool = False) -> str | None:
    """Why ``segment`` looks invented, or None; ``looped``: it was part of a repetition loop."""
    if segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOGPROB:
        return "silent by no_speech_prob and avg_logprob"
    probs = [w.probability for w in segment.words if word_key(w.word)]
    if not probs:
        return None
    mean = sum(probs) / len(probs)
    if (
        segment.no_speech_prob > QUIET_NO_SPEECH_PROB
        and mean < QUIET_WORD_PROB
        and (looped or segment.avg_logprob < QUIET_LOGPROB)
    ):
        return f"likely silent, words unsure ({mean:.2f})"
    if len(probs) >= MIN_WORDS_TO_JUDGE and mean < VERY_LOW_WORD_PROB:
        return f"words very unsure ({mean:.2f})"
    line = " ".join(word_key(w.word) for w in segment.words if word_key(w.word))
    if line in INVENTED_LINES and min(probs) < INVENTED_LINE_WORD_PROB:
        return f"a line Whisper invents, unsure ({min(probs):.3f})"
    if segment.avg_logprob < GAVE_UP_LOGPROB and mean < GAVE_UP_WORD_PROB:
        return f"decoding gave up (avg_logprob {segment.avg_logprob:.2f}, words {mean:.2f})"
    if len(probs) == 1 and mean < SINGLE_WORD_PROB:
        return f"its one word very unsure ({mean:.3f})"
    return None


# --- (4) repetition loops -----------------------------------------------------------------


def word_key(token: str) -> str:
    """How a word compares in a loop: lower case, no punctuation ("Go," == "go")."""
    stripped = re.sub(r"[^\w']", "", token.lower())
    return stripped or token.strip()


@dataclass(frozen=True)
class _Token:
    segment: int  # index into the segment list
    index: int  # index into that segment's words, or its text split at spaces
    key: str


def _tokens(segments: Sequence[Segment]) -> list[_Token]:
    out = []
    for si, segment in enumerate(segments):
        parts = [w.word for w in segment.words] if segment.words else segment.text.split()
        out += [_Token(si, i, word_key(p)) for i, p in enumerate(parts) if word_key(p)]
    return out


def _loop_copies(keys: Sequence[str]) -> tuple[set[int], set[int]]:
    """The indexes in ``keys`` of each loop's first copy, which stays, and of its other copies.

    At each position the longest run of back-to-back copies of a phrase wins
    (the shorter phrase on a tie); a trailing partial copy goes with the loop.
    """
    first: set[int] = set()
    drop: set[int] = set()
    n, i = len(keys), 0
    while i < n:
        best: tuple[int, int] | None = None  # (tokens covered, phrase length)
        for unit in range(1, min(MAX_LOOP_WORDS, (n - i) // 2) + 1):
            if keys[i + unit] != keys[i]:
                continue
            phrase = keys[i : i + unit]
            reps = 1
            while keys[i + reps * unit : i + (reps + 1) * unit] == phrase:
                reps += 1
            if reps >= _min_repeats(unit) and (best is None or reps * unit > best[0]):
                best = (reps * unit, unit)
        if best is None:
            i += 1
            continue
        covered, unit = best
        end = i + covered
        tail = 0
        while tail < unit - 1 and end + tail < n and keys[end + tail] == keys[i + tail]:
            tail += 1
        first.update(range(i, i + unit))
        drop.update(range(i + unit, end + tail))
        i = end + tail
    return first, drop


def _without_loops(segments: list[Segment]) -> tuple[list[Segment], list[bool]]:
    """``segments`` with each loop kept once, and for each one left whether it was in a loop."""
    tokens = _tokens(segments)
    first, drop = _loop_copies([t.key for t in tokens])
    if not drop:
        return segments, [False] * len(segments)
    looped = {tokens[k].segment for k in first | drop}
    gone: dict[int, set[int]] = {}
    for k in drop:
        gone.setdefault(tokens[k].segment, set()).add(tokens[k].index)
    out, flags = [], []
    for si, segment in enumerate(segments):
        indexes = gone.get(si, set())
        kept: Segment | None = None
        if segment.words:
            words = [w for i, w in enumerate(segment.words) if i not in indexes]
            if any(word_key(w.word) for w in words):
                kept = _with_words(segment, words)
        else:
            parts = [p for i, p in enumerate(segment.text.split()) if i not in indexes]
            if any(word_key(p) for p in parts):
                kept = segment if not indexes else replace(segment, text=" ".join(parts))
        if kept is None:
            log.debug("loop: dropped segment %d, a repeated copy: %r", segment.id, segment.text)
            continue
        out.append(kept)
        flags.append(si in looped)
    return out, flags


# --- together -----------------------------------------------------------------------------


def clean(transcript: Transcript, speech: list[Span] | None = None) -> Transcript:
    """A copy of ``transcript`` without text that Whisper invented.

    ``speech`` is the list of ``(start, end)`` seconds that hold speech, as
    :func:`toolkit.transcribe.vad.speech_spans` returns it: words outside it are dropped,
    and an empty list drops everything. ``None`` skips that step. Segments
    that only caption a sound, segments that look hallucinated, and repeated
    copies in repetition loops are dropped too. Segment ids are renumbered
    from 0; the input is not changed.
    """
    spans = None if speech is None else _Speech(speech)
    segments: list[Segment] = []
    for segment in transcript.segments:
        kept = segment if spans is None else _keep_in_speech(segment, spans)
        if kept is None:
            log.debug("outside speech: %r at %.2f s", segment.text, segment.start)
            continue
        if not kept.text.strip():
            continue
        if _only_sound_caption(kept):
            log.debug("sound caption: %r at %.2f s", kept.text, kept.start)
            continue
        segments.append(kept)
    segments, looped = _without_loops(segments)
    cleaned = []
    for segment, in_loop in zip(segments, looped, strict=True):
        reason = _hallucinated(segment, in_loop)
        if reason:
            log.debug("hallucinated (%s): %r at %.2f s", reason, segment.text, segment.start)
        else:
            cleaned.append(segment)
    renumbered = [
        replace(s, id=i, words=[replace(w) for w in s.words]) for i, s in enumerate(cleaned)
    ]
    return replace(transcript, segments=renumbered, options=dict(transcript.options))
