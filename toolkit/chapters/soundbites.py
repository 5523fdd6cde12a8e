"""Soundbites: short highlights around the article's quotes, for ``podcast:soundbite``.

A quote the aligner heard (``verbatim`` first, then ``near``) is a natural
highlight: the moment the episode voices the article's own words. Each
soundbite encloses its quote and is cut on the transcript's sentences (its
segments). It starts at the sentence that leads into the quote and ends with
the quote's sentence; under ``min_length`` seconds it goes on a sentence at a
time, and reaches back only where it cannot go on (see ``_grow``). It never
exceeds ``max_length`` seconds and never overlaps another soundbite. Its title
is made of words spoken: the quote as the article writes it when it was heard
verbatim, else the words heard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolkit.transcribe.transcript import Segment, Transcript

if TYPE_CHECKING:
    from toolkit.align import Alignment, QuoteMatch

#: The namespace recommends 15-120 s; a shorter cap keeps a soundbite a highlight.
MIN_SOUNDBITE_SECONDS = 15.0
MAX_SOUNDBITE_SECONDS = 60.0
#: The namespace asks for titles of at most 128 characters, or aggregators may cut them.
TITLE_CHARS = 128
_STATUS_RANK = {"verbatim": 0, "near": 1}
#: The longest sentence (seconds) that may lead into a quote that opens its own sentence.
_LEAD_IN_SECONDS = 6.0
#: A quote heard within this long (seconds) of its sentence's start opens the sentence.
_OPENS_SECONDS = 0.5
_EPS = 1e-6


@dataclass
class Soundbite:
    """One highlight: ``start`` and ``duration`` in seconds, and a title."""

    start: float
    duration: float
    title: str

    @property
    def end(self) -> float:
        return self.start + self.duration


def soundbite_title(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` on one line, whole words only, fitting ``limit`` characters.

    A text too long is cut after the last sentence or clause that ends
    before the limit (when that keeps at least half of it), else at a word
    boundary, with an ellipsis.
    """
    text = " ".join(text.split()).strip("\"'“”‘’ ")
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    clause = max(head.rfind(p) for p in (". ", "? ", "! ", "; ", ", ", ": ", " — "))
    if clause >= limit // 2:
        return head[: clause + 1].rstrip(",;: —") + "…"
    return head.rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.!?…][\"'”’)\]]*\s*$", text))


class _Span:
    """A soundbite being grown over segments ``first``..``last`` (inclusive)."""

    def __init__(self, segments: list[Segment], first: int, last: int):
        self.segments, self.first, self.last = segments, first, last

    @property
    def start(self) -> float:
        return self.segments[self.first].start

    @property
    def end(self) -> float:
        return self.segments[self.last].end

    @property
    def length(self) -> float:
        return self.end - self.start


def _segment_at(segments: list[Segment], t: float, *, ending: bool) -> int:
    """The segment holding time ``t`` (or the nearest one on the quote's side of ``t``)."""
    if ending:
        for i, seg in enumerate(segments):
            if seg.end >= t - _EPS:
                return i
        return len(segments) - 1
    for i in range(len(segments) - 1, -1, -1):
        if segments[i].start <= t + _EPS:
            return i
    return 0


def _free(start: float, end: float, taken: list[Soundbite]) -> bool:
    return all(end <= b.start + _EPS or start >= b.end - _EPS for b in taken)


def _sentence_start(segments: list[Segment], k: int) -> int:
    """The first segment of the sentence that segment ``k`` belongs to."""
    while k > 0 and not _ends_sentence(segments[k - 1].text):
        k -= 1
    return k


def _grow(
    span: _Span, opens: bool, min_length: float, max_length: float, taken: list[Soundbite]
) -> None:
    """Start at the sentence that leads into the quote, finish its sentence, then reach forward.

    The soundbite starts at the start of the sentence the quote starts in;
    when the quote opens its sentence (``opens``), the sentence before it, if short
    (``She said:``, a question), leads in. It ends at the end of the quote's
    sentence. Under ``min_length`` it reaches forward a sentence at a time
    (what is said about the quote), and back a sentence at a time only where
    it cannot reach forward (the episode's end, another soundbite, or
    ``max_length``).
    """
    segments = span.segments

    def reach(first: int, last: int) -> bool:
        """Widen the span to ``first``..``last`` if that fits; say whether it did."""
        if first < 0 or last >= len(segments):
            return False
        start, end = segments[first].start, segments[last].end
        if end - start > max_length or not _free(start, end, taken):
            return False
        span.first, span.last = first, last
        return True

    first = _sentence_start(segments, span.first)
    if opens and first == span.first and first > 0:
        lead = _sentence_start(segments, first - 1)
        if segments[first].start - segments[lead].start <= _LEAD_IN_SECONDS:
            first = lead
    last = span.last
    while last + 1 < len(segments) and not _ends_sentence(segments[last].text):
        last += 1
    if not reach(first, last):
        reach(span.first, last)
    while span.length < min_length:
        nxt = span.last + 1
        while nxt + 1 < len(segments) and not _ends_sentence(segments[nxt].text):
            nxt += 1
        back = _sentence_start(segments, span.first - 1) if span.first > 0 else -1
        if not (
            reach(span.first, nxt)
            or reach(span.first, span.last + 1)  # a whole sentence on was too much
            or reach(back, span.last)
            or reach(span.first - 1, span.last)
        ):
            return


def soundbites_from_alignment(
    alignment: Alignment,
    transcript: Transcript,
    min_length: float = MIN_SOUNDBITE_SECONDS,
    max_length: float = MAX_SOUNDBITE_SECONDS,
    duration: float | None = None,
) -> list[Soundbite]:
    """Soundbites around the verified quotes of ``alignment``, in time order.

    Verbatim quotes are placed first, then near ones, each by descending match
    score; a quote whose soundbite would overlap one already placed, or that
    cannot reach ``min_length`` seconds, is left out. ``duration`` (default:
    the transcript's) bounds every soundbite.
    """
    duration = float(transcript.duration if duration is None else duration)
    segments = sorted((s for s in transcript.segments if s.start < duration), key=lambda s: s.start)
    quotes = [
        q
        for q in alignment.quotes
        if q.status in _STATUS_RANK and q.start is not None and q.end is not None
    ]
    quotes.sort(key=lambda q: (_STATUS_RANK[q.status], -q.score, q.start))
    taken: list[Soundbite] = []
    for quote in quotes:
        bite = _soundbite(quote, segments, min_length, max_length, duration, taken)
        if bite is not None:
            taken.append(bite)
    return sorted(taken, key=lambda b: b.start)


def _soundbite(
    quote: QuoteMatch,
    segments: list[Segment],
    min_length: float,
    max_length: float,
    duration: float,
    taken: list[Soundbite],
) -> Soundbite | None:
    if not segments:
        return None
    assert quote.start is not None and quote.end is not None
    span = _Span(
        segments,
        _segment_at(segments, quote.start, ending=False),
        _segment_at(segments, quote.end, ending=True),
    )
    if span.last < span.first:
        span.last = span.first
    opens = quote.start - segments[span.first].start < _OPENS_SECONDS
    _grow(span, opens, min_length, max_length, taken)
    start = span.start
    end = min(span.end, duration, start + max_length)
    if end - start < min_length - _EPS or not _free(start, end, taken):
        return None
    if not (start <= quote.start + _EPS and quote.end <= end + _EPS):
        return None  # a quote longer than max_length cannot be enclosed
    # The title is words spoken: the article's wording only where it was heard as written.
    said = quote.text if quote.status == "verbatim" or not quote.heard else quote.heard
    return Soundbite(round(start, 3), round(end - start, 3), soundbite_title(said))
