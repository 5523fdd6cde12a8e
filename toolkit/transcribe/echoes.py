"""Find where a decoder wrote again a sentence it had written a little earlier.

Whisper conditions each 30 s window on the text before it. Now and then it
writes that text out once more in place of what is said: on
``bench/cases/misquote-ferry`` the faster engine heard "Captain Ruaraidh
Oyelaran-Stewart has kept a ferry for nineteen years, and he is not worried"
at 128 s, a sentence of 105 s, where the guest said "with a second survey,
this time counting the visitors". A loop (a phrase back to back, see
:mod:`toolkit.transcribe.guards`) it is not: the sentence comes once more,
with other words between.

:func:`echoes` finds such stretches: a run of words that matches, word for
word in order, most of a run that ended before it, within
:data:`toolkit.transcribe.gaps.LOOP_WINDOW` words. People do say a sentence
again (a host reads back a quote), so an echo is not dropped: its words are
decoded again from the audio alone (:func:`toolkit.transcribe.gaps.repair`),
which hears a real repeat again and the said words in place of a false one.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from toolkit.transcribe.guards import word_key
from toolkit.transcribe.options import Span
from toolkit.transcribe.transcript import Transcript, Word

__all__ = ["ECHO_WORDS", "echoes"]

# An echo has at least this many words that match the earlier run in order
# (the ferry's had 12 of 16); shorter runs ("thank you for having me", "a lot
# of the") come back in conversation all the time.
ECHO_WORDS = 8
# ... and they are at least this share of the echo's words, and of the earlier
# run's (the ferry's: 12 of 16 and 12 of 16; "19" against "nineteen", "her"
# against "a", a name heard two ways).
ECHO_SHARE = 0.6
# The longest echo looked for, in words (a window's text is about 80).
MAX_ECHO_WORDS = 120
# Words of the two runs' starts compared before the full comparison: at least
# this many of the echo's first ones are among the earlier run's first ones.
_PROBE = 6
_PROBE_HITS = 3


def _extent(blocks: Sequence[tuple[int, int, int]]) -> tuple[int, int, int] | None:
    """The longest prefix of matching ``blocks`` (later, earlier, size) dense enough to be an echo.

    Returns (later start, later end exclusive, matched words), or None.
    """
    if not blocks:
        return None
    best = None
    matched = 0
    first_later, first_earlier, _ = blocks[0]
    for a, b, size in blocks:
        matched += size
        span = max(a + size - first_later, b + size - first_earlier)
        if matched >= ECHO_WORDS and matched >= ECHO_SHARE * span:
            best = (first_later, a + size, matched)
    return best


def echoes(transcript: Transcript, window: int) -> list[Span]:
    """The stretches (seconds) where ``transcript`` writes again words it wrote just before.

    The earlier run starts at most ``window`` words before the echo (the
    repair passes :data:`toolkit.transcribe.gaps.LOOP_WINDOW`) and ends before
    it starts; each echo runs from its first to its last matching word.
    Segments without word times are not looked at.
    """
    words: list[Word] = [w for s in transcript.segments for w in s.words if word_key(w.word)]
    keys = [word_key(w.word) for w in words]
    found: list[tuple[int, int, int]] = []  # (matched words, start, end) of each candidate
    for j in range(ECHO_WORDS, len(keys) - ECHO_WORDS + 1):
        probe = set(keys[j : j + _PROBE])
        for i in range(max(0, j - window), j - ECHO_WORDS + 1):
            if keys[i] != keys[j] or len(probe & set(keys[i : i + _PROBE + 2])) < _PROBE_HITS:
                continue
            later = keys[j : j + MAX_ECHO_WORDS]
            earlier = keys[i:j]  # the earlier run ends before the echo starts
            blocks = SequenceMatcher(None, later, earlier, autojunk=False).get_matching_blocks()
            extent = _extent([(a, b, n) for a, b, n in blocks if n])
            if extent:
                found.append((extent[2], j + extent[0], j + extent[1]))
    # The runs that match most, each once: a run that starts inside an echo (or
    # aligns part of one with its own earlier copy) matches fewer words.
    taken: list[tuple[int, int]] = []
    for _, start, end in sorted(found, key=lambda c: (-c[0], c[1])):
        if all(end <= a or b <= start for a, b in taken):
            taken.append((start, end))
    return [(words[a].start, words[b - 1].end) for a, b in sorted(taken)]
