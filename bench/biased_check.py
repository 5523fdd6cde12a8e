"""How a biased transcript compares with a plain pass over the same audio (bench/names.py).

:func:`check_biased` measures what the biased pass lost against the plain
one: the stretches of the plain pass's words it has no word near, how many
words it has, and whether it loops. bench/names.py prints it beside every
prompted pass, and scores :func:`guarded`, the choice that the plain pass
alone would make, against the toolkit's own
(:func:`toolkit.transcribe.run.choose`, which finds gaps by voice activity
detection).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.transcribe.gaps import fill_gaps, repetition, timed_words
from toolkit.transcribe.transcript import Transcript

__all__ = ["CoverageCheck", "check_biased", "guarded"]


@dataclass
class CoverageCheck:
    """How a biased transcript compares with an unbiased one of the same audio."""

    plain_words: int
    biased_words: int
    missing_seconds: float  # plain speech with no biased word near it, in total
    longest_gap: float  # the longest such stretch, seconds
    plain_repetition: float  # share of word 4-grams that repeat an earlier one
    biased_repetition: float
    safe: bool
    reason: str  # why it is unsafe; "" when safe
    gaps: list[tuple[float, float]] = field(default_factory=list)  # the missing stretches

    @property
    def word_ratio(self) -> float:
        return self.biased_words / self.plain_words if self.plain_words else 1.0


def check_biased(
    biased: Transcript,
    plain: Transcript,
    *,
    max_gap: float = 5.0,
    min_ratio: float = 0.85,
    max_extra_repetition: float = 0.1,
    tolerance: float = 1.0,
) -> CoverageCheck:
    """Compare a biased transcript with an unbiased pass over the same audio.

    Biasing may make a small model skip speech (a window decoded as nothing or
    as the prompt) or loop. The biased transcript is unsafe when a stretch of
    more than ``max_gap`` seconds of the plain transcript's words has no biased
    word within ``tolerance`` seconds, when it has fewer than ``min_ratio``
    times the plain transcript's words, or when more of its word 4-grams repeat
    (by ``max_extra_repetition``) than the plain one's. More words than the
    plain pass is not in itself a fault: the plain pass may be the one that
    skipped speech.
    """
    plain_spans = timed_words(plain)
    biased_spans = sorted(timed_words(biased))
    covered_until: list[tuple[float, float]] = []
    for start, end in biased_spans:  # merge the biased words' times, padded
        start, end = start - tolerance, end + tolerance
        if covered_until and start <= covered_until[-1][1]:
            covered_until[-1] = (covered_until[-1][0], max(covered_until[-1][1], end))
        else:
            covered_until.append((start, end))

    def covered(start: float, end: float) -> bool:
        mid = (start + end) / 2
        return any(a <= mid <= b for a, b in covered_until)

    gaps: list[tuple[float, float]] = []
    run: list[tuple[float, float]] = []
    for span in [*plain_spans, None]:
        if span is not None and not covered(*span):
            run.append(span)
            continue
        if run:
            gaps.append((run[0][0], run[-1][1]))
            run = []
    missing = sum(b - a for a, b in gaps)
    longest = max((b - a for a, b in gaps), default=0.0)
    check = CoverageCheck(
        plain_words=len(plain_spans),
        biased_words=len(biased_spans),
        missing_seconds=round(missing, 2),
        longest_gap=round(longest, 2),
        plain_repetition=round(repetition(plain), 3),
        biased_repetition=round(repetition(biased), 3),
        safe=True,
        reason="",
        gaps=gaps,
    )
    if longest > max_gap:
        check.safe, check.reason = False, f"{longest:.1f} s of speech missing"
    elif check.word_ratio < min_ratio:
        check.safe, check.reason = False, f"only {check.word_ratio:.0%} of the words"
    elif check.biased_repetition > check.plain_repetition + max_extra_repetition:
        check.safe, check.reason = False, f"{check.biased_repetition:.0%} repeated (a loop)"
    return check


def guarded(biased: Transcript, plain: Transcript) -> Transcript:
    """The transcript to keep from a biased and a plain pass, judged by the plain one alone.

    The biased one when :func:`check_biased` finds it safe; when it only
    dropped speech, the biased one with the plain pass's segments filling the
    gaps (:func:`~toolkit.transcribe.gaps.fill_gaps`); otherwise (a loop) the
    plain one. The toolkit itself looks for gaps by voice activity detection
    instead (:func:`toolkit.transcribe.run.choose`); bench/names.py scores both.
    """
    check = check_biased(biased, plain)
    if check.safe:
        return biased
    if check.gaps:
        filled = fill_gaps(biased, plain, check.gaps)
        if check_biased(filled, plain).safe:
            return filled
    return plain
