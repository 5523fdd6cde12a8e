"""Locate article quotes in the transcript's words and class how faithfully they are heard."""

from __future__ import annotations

import bisect
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from toolkit.align.model import ParagraphMatch, QuoteMatch, _r
from toolkit.align.normalise import Tokens, normalise_words
from toolkit.align.quotecheck import (
    GLUED_SIMILARITY,
    GLUED_WORDS,
    REPORTING,
    SLIP_THRESHOLD,
    QuoteScorer,
    SoundGate,
    judge,
    judge_jointly,
    reported_end,
    sound_gate,
)
from toolkit.align.timeline import _Timeline
from toolkit.article import Article
from toolkit.article.words import SENTENCE_END

#: A quote read only in part is "near" if at least this many words (and 40%) were read.
_MIN_PART_WORDS = 6


class _Symbols:
    """Map each distinct token to one character, so rapidfuzz compares words."""

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def encode(self, tokens: list[str]) -> str:
        out = []
        for tok in tokens:
            code = self._codes.get(tok)
            if code is None:
                code = chr(0x10000 + len(self._codes))
                self._codes[tok] = code
            out.append(code)
        return "".join(out)


def _sub_cost(a: str, b: str) -> float:
    """Cost of hearing word ``b`` for article word ``a``: 0 equal, 0.5 alike, 1 different."""
    if a == b:
        return 0.0
    return 0.5 if Levenshtein.normalized_similarity(a, b) >= 0.75 else 1.0


def _fit(quote: list[str], hay: list[str]) -> tuple[int, int, float]:
    """Best stretch ``hay[s:e]`` for the whole of ``quote``, by word edit distance.

    A fitting alignment: the stretch may start and end anywhere in ``hay``.
    Swapping a word for a look-alike ("files" / "file") costs half a swap, so
    the stretch takes in the look-alike rather than ending before it. Returns
    ``(s, e, distance)``; among equal distances the shortest stretch wins.
    """
    m, n = len(quote), len(hay)
    # dist[i][j]: cost of quote[:i] ending at hay[j]; start[i][j]: where that stretch starts.
    dist = [[float(i)] * (n + 1) for i in range(m + 1)]
    start = [[0] * (n + 1) for _ in range(m + 1)]
    start[0] = list(range(n + 1))
    for i in range(1, m + 1):
        qi = quote[i - 1]
        drow, dprev = dist[i], dist[i - 1]
        srow, sprev = start[i], start[i - 1]
        for j in range(1, n + 1):
            best = dprev[j - 1] + _sub_cost(qi, hay[j - 1])
            src = sprev[j - 1]
            if dprev[j] + 1 < best or (dprev[j] + 1 == best and sprev[j] > src):
                best, src = dprev[j] + 1, sprev[j]
            if drow[j - 1] + 1 < best:
                best, src = drow[j - 1] + 1, srow[j - 1]
            drow[j], srow[j] = best, src
    last, first = dist[m], start[m]
    e = min(range(n + 1), key=lambda j: (last[j], j - first[j], j))
    return first[e], e, last[e]


def _similarity(said: list[str], heard: list[str]) -> float:
    """How alike two wordings are, 0-100, letting a misheard word cost less than a changed one.

    A word alignment of the normalised words: a word left out or heard extra
    costs 1, a word heard as another costs one minus their letter similarity
    ("cant" for "cannot" 0.33, "boats" for "vessels" 0.71), and the total is
    taken from the longer wording's length. ASR slips keep most letters;
    paraphrase changes the words, so it scores lower.
    """
    m, n = len(said), len(heard)
    if not m or not n:
        return 100.0 if m == n else 0.0
    swap = (1.0 - process.cdist(said, heard, scorer=Levenshtein.normalized_similarity)).tolist()
    prev = [float(j) for j in range(n + 1)]
    for i in range(1, m + 1):
        row = swap[i - 1]
        cur = [float(i)] + [0.0] * n
        for j in range(1, n + 1):
            cur[j] = min(prev[j - 1] + row[j - 1], prev[j] + 1.0, cur[j - 1] + 1.0)
        prev = cur
    return 100.0 * (1.0 - prev[n] / max(m, n))


def _local(quote: str, hay: str) -> tuple[int, int, int, int]:
    """Best local word alignment (Smith-Waterman: match +1, mismatch or gap -1).

    Finds the part of ``quote`` that was heard when only part of it was read.
    Returns ``(quote_start, quote_end, hay_start, hay_end)``.
    """
    n = len(hay)
    prev_h = [0] * (n + 1)
    prev_s = [(0, j) for j in range(n + 1)]
    best = (0, 0, 0, 0, 0)  # score, quote_end, hay_end, quote_start, hay_start
    for i in range(1, len(quote) + 1):
        cur_h = [0] * (n + 1)
        cur_s = [(i, 0)] * (n + 1)
        qi = quote[i - 1]
        for j in range(1, n + 1):
            if qi == hay[j - 1]:
                v = prev_h[j - 1] + 1
                st = prev_s[j - 1] if prev_h[j - 1] > 0 else (i - 1, j - 1)
            else:
                v, st = prev_h[j - 1] - 1, prev_s[j - 1]
            if prev_h[j] - 1 > v:
                v, st = prev_h[j] - 1, prev_s[j]
            if cur_h[j - 1] - 1 > v:
                v, st = cur_h[j - 1] - 1, cur_s[j - 1]
            if v <= 0:
                v, st = 0, (i, j)
            cur_h[j], cur_s[j] = v, st
            if v > best[0]:
                best = (v, i, j, st[0], st[1])
        prev_h, prev_s = cur_h, cur_s
    _, qe, e, qs, s = best
    return qs, qe, s, e


def _grow_by_letters(
    quote: list[str], hay: list[str], qs: int, qe: int, s: int, e: int
) -> tuple[int, int, int, int]:
    """The word-for-word part ``quote[qs:qe]`` heard at ``hay[s:e]``, grown at each
    end over heard words whose letters are the quote's next (or previous) words
    misheard: "11 pounds is still cheaper than a" then "taxidotestation" for
    "taxi to the station" (:data:`~toolkit.align.quotecheck.GLUED_SIMILARITY`).
    Only to count what was read of a quote read in part; its wording is
    judged afterwards as any other.
    """

    def step(q0: int, h0: int, forward: bool) -> tuple[int, int] | None:
        best: tuple[float, int, int] | None = None
        for h in (1, 2):
            heard = hay[h0 : h0 + h] if forward else hay[max(0, h0 - h) : h0]
            if len(heard) < h:
                break
            for k in range(1, GLUED_WORDS + 1):
                said = quote[q0 : q0 + k] if forward else quote[max(0, q0 - k) : q0]
                if len(said) < k:
                    break
                alike = Levenshtein.normalized_similarity("".join(said), "".join(heard))
                if alike >= GLUED_SIMILARITY and (best is None or alike > best[0]):
                    best = (alike, k, h)
        return None if best is None else (best[1], best[2])

    while (grown := step(qe, e, True)) is not None:
        qe, e = qe + grown[0], e + grown[1]
    while (grown := step(qs, s, False)) is not None:
        qs, s = qs - grown[0], s - grown[1]
    return qs, qe, s, e


#: A quote read in part ends at the sentence end it was heard to, where at
#: most this many of its next words follow in a new sentence ("... a taxi to
#: the station. And the crew?": "and the" are the quote's next words, by chance).
_STRAY_WORDS = 2


def _part_end(tl: _Timeline, norm: Tokens, s: int, e: int) -> int:
    """The end of a quote read in part at tokens ``[s, e)``, its stray last words left out."""
    for k in range(max(s + 1, e - _STRAY_WORDS), e):
        if SENTENCE_END.search(tl.words[norm.last[k - 1]].rstrip()):
            return k
    return e


def _part_start(tl: _Timeline, quote: Tokens, norm: Tokens, s: int, e: int) -> int:
    """The start of a quote found at tokens ``[s, e)`` by a loose match, after a
    lead-in it took in: "committee, said, report City at ..." starts after
    "said,", a reporting verb (:data:`~toolkit.align.quotecheck.REPORTING`)
    closed by a comma or colon within its first :data:`_STRAY_WORDS` + 1
    words, that the quote does not begin with."""
    for k in range(s, min(e - 1, s + _STRAY_WORDS + 1)):
        word = tl.words[norm.last[k]].rstrip()
        if (
            norm.tokens[k] in REPORTING
            and word[-1:] in ",:"
            and norm.tokens[k] not in quote.tokens[:3]
        ):
            return k + 1
    return s


class _Located(NamedTuple):
    """Where a quote is heard best: transcript tokens ``[s, e)`` at ``similarity`` (0-100).

    ``heard``: whether that reaches ``near`` (or part of the quote was read
    word for word). ``s`` and ``e`` are -1 when nothing is like the quote.
    """

    similarity: float
    s: int
    e: int
    heard: bool
    #: Found as a quote read in part (its part read word for word).
    part: bool = False


_NOWHERE = _Located(0.0, -1, -1, False)


def _locate(
    quote: Tokens,
    norm: Tokens,
    hay: str,
    symbols: _Symbols,
    regions: list[tuple[int, int]],
    near: float,
    grow: bool = False,
) -> _Located:
    """Where the quote is heard best, and whether it is heard at all.

    ``grow``: a quote read in part counts the words misheard at the ends of
    its part read word for word (:func:`_grow_by_letters`) as read.
    """
    if not quote.tokens or not norm.tokens:
        return _NOWHERE
    needle = symbols.encode(quote.tokens)
    m = len(needle)

    # Whole quote: rapidfuzz finds the best stretch, a fitting alignment trims it.
    best: tuple[float, int, int] | None = None  # score, start, end (token indices)
    partial_at: list[tuple[int, int]] = []
    for lo, hi in regions:
        found = fuzz.partial_ratio_alignment(needle, hay[lo:hi])
        if found is None or found.dest_end <= found.dest_start:
            continue
        slack = max(2, m // 5)
        a = max(lo, lo + found.dest_start - slack)
        b = min(hi, lo + found.dest_end + slack)
        s, e, _ = _fit(quote.tokens, norm.tokens[a:b])
        score = _similarity(quote.tokens, norm.tokens[a + s : a + e])
        if e > s and (best is None or score > best[0]):
            best = (score, a + s, a + e)
        partial_at.append((max(lo, lo + found.dest_start - m), min(hi, lo + found.dest_end + m)))

    # Part of the quote read word for word (the rest left out).
    if best is None or best[0] < near:
        for a, b in partial_at:
            qs, qe, s, e = _local(needle, hay[a:b])
            if qe - qs < _MIN_PART_WORDS or fuzz.ratio(needle[qs:qe], hay[a + s : a + e]) < near:
                continue
            if grow:
                # Words misheard at its ends count as read: the quote's wording is
                # judged afterwards (a slip, or a change) as for any found quote.
                qs, qe, s, e = _grow_by_letters(quote.tokens, norm.tokens[a:b], qs, qe, s, e)
            if qe - qs >= max(_MIN_PART_WORDS, 0.4 * m):
                score = _similarity(quote.tokens, norm.tokens[a + s : a + e])
                return _Located(score, a + s, a + e, True, part=True)
        if best is None:
            return _NOWHERE
        return _Located(round(best[0], 1), best[1], best[2], False)
    return _Located(best[0], best[1], best[2], True)


def _by_letters(quote: Tokens, norm: Tokens, lo: int, hi: int) -> tuple[float, int, int] | None:
    """The stretch of transcript tokens ``[s, e)`` in ``[lo, hi)`` whose letters are most
    like the quote's, and how alike (0-100): ``(similarity, s, e)``.

    Words misheard by a voice Whisper hears badly keep many of their letters
    but few of their words ("a port city that forgets its songs" heard
    "report City at Forget Sits on"): compared letter by letter, with the
    spaces taken out (a mishearing moves them), the stretch is found where a
    word search finds none. None when the tokens are empty.
    """
    text = "".join(quote.tokens)
    offsets, at = [], 0
    for tok in norm.tokens[lo:hi]:
        offsets.append(at)
        at += len(tok)
    if not text or not offsets:
        return None
    found = fuzz.partial_ratio_alignment(text, "".join(norm.tokens[lo:hi]))
    if found is None or found.dest_end <= found.dest_start:
        return None
    s = lo + bisect.bisect_right(offsets, found.dest_start) - 1
    e = lo + bisect.bisect_left(offsets, found.dest_end)
    return found.score, s, max(e, s + 1)


def _align_quotes(
    tl: _Timeline,
    norm: Tokens,
    article: Article,
    paragraphs: list[ParagraphMatch],
    near: float,
    scorer: QuoteScorer | None = None,
    threshold: float = SLIP_THRESHOLD,
) -> list[QuoteMatch]:
    symbols = _Symbols()
    hay = symbols.encode(norm.tokens)
    tok_time = np.zeros(0)
    if norm.tokens:
        tok_time = np.maximum.accumulate(tl.starts[np.asarray(norm.first, dtype=np.int64)])
    by_index = {p.index: p for p in paragraphs}
    out = []
    for q in article.quotes:
        regions = [(0, len(hay))]
        para = by_index.get(q.paragraph)
        if para is not None and para.discussed and para.start is not None:
            # Look first where the paragraph is discussed; a repeat elsewhere
            # only wins if it matches better.
            end = para.end if para.end is not None else para.start
            lo = int(np.searchsorted(tok_time, para.start - 30.0))
            hi = int(np.searchsorted(tok_time, end + 30.0))
            if hi > lo:
                regions.insert(0, (lo, hi))
        raw = q.text.split()
        qn = normalise_words(raw)
        found = _locate(qn, norm, hay, symbols, regions, near)
        by_sound: SoundGate | None = None
        if not found.heard and scorer is not None:
            # Misheard beyond a word match: a stretch as alike in letters as a
            # near quote is in words, heard on the audio to say the quote;
            # first where the paragraph is discussed, as for the words.
            tried: set[tuple[int, int]] = set()
            for lo, hi in regions:
                letters = _by_letters(qn, norm, lo, hi)
                if letters is None or letters[0] < near or letters[1:] in tried:
                    continue
                tried.add(letters[1:])
                gate = sound_gate(q.text, tl, norm, letters[1], letters[2], scorer)
                if gate.passed:
                    by_sound = gate
                    found = _Located(letters[0], letters[1], letters[2], True)
                    break
        if not found.heard:
            # Last, a quote read in part whose part was misheard at its ends
            # ("taxi to the station" heard "taxidotestation"): after the
            # letters, which would take a quote read whole for one read in part.
            grown = _locate(qn, norm, hay, symbols, regions, near, grow=True)
            found = grown if grown.heard else found
        match = QuoteMatch(
            text=q.text,
            speaker=q.speaker,
            paragraph=q.paragraph,
            status="not_found",
            start=None,
            end=None,
            score=0.0,
            heard=None,
        )
        if not found.heard:
            match.score = found.similarity
        else:
            score, s = found.similarity, found.s
            e = reported_end(qn, norm, s, found.e)
            if found.part or by_sound is not None:
                s = _part_start(tl, qn, norm, s, e)  # a loose match's lead-in
            if found.part:
                # Read in part, it ends at a sentence end: what the loosely
                # found one takes in after one may be its last words misheard.
                e = _part_end(tl, norm, s, e)
            # Cut there, the quote is not grown back into the reporter's words.
            heard = norm if e == found.e else norm.head(e)
            judged = judge(raw, qn, tl, heard, s, e, scorer, threshold)
            if by_sound is not None:
                judged = judge_jointly(judged, by_sound, threshold)
            s, e = judged.s, judged.e
            first_word, last_word = norm.first[s], norm.last[e - 1]
            match.start = _r(tl.starts[first_word])
            match.end = _r(tl.ends[last_word])
            match.heard = "".join(tl.words[first_word : last_word + 1]).strip()
            match.status, match.differences, match.check = (
                judged.status,
                judged.listed,
                judged.check,
            )
            if by_sound is not None:
                match.check.found_by = "letters and sound"
                match.check.sound = by_sound.evidence()
            match.score = 100.0 if not match.check.differences else round(score, 1)
        out.append(match)
    return out
