"""Locate article quotes in the transcript's words and class how faithfully they are heard."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from toolkit.align.model import ParagraphMatch, QuoteMatch, _r
from toolkit.align.normalise import Tokens, normalise_words
from toolkit.align.timeline import _Timeline
from toolkit.article import Article

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


def _show(word: str) -> str:
    return word.strip().strip("\"'\u201c\u201d\u2018\u2019.,;:!?()[]")


def _words_of(raw: list[str], norm: Tokens, a: int, b: int) -> str:
    """The source words behind tokens ``[a, b)``, for display."""
    if a >= b:
        return ""
    return " ".join(_show(w) for w in raw[norm.first[a] : norm.last[b - 1] + 1])


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


def _match_quote(
    quote_text: str,
    tl: _Timeline,
    norm: Tokens,
    hay: str,
    symbols: _Symbols,
    regions: list[tuple[int, int]],
    near: float,
) -> tuple[str, float | None, float | None, float, str | None, list[str]]:
    raw = quote_text.split()
    qn = normalise_words(raw)
    if not qn.tokens or not norm.tokens:
        return "not_found", None, None, 0.0, None, []
    needle = symbols.encode(qn.tokens)
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
        s, e, _ = _fit(qn.tokens, norm.tokens[a:b])
        score = _similarity(qn.tokens, norm.tokens[a + s : a + e])
        if e > s and (best is None or score > best[0]):
            best = (score, a + s, a + e)
        partial_at.append((max(lo, lo + found.dest_start - m), min(hi, lo + found.dest_end + m)))

    # Part of the quote read word for word (the rest left out): also "near".
    if best is None or best[0] < near:
        for a, b in partial_at:
            qs, qe, s, e = _local(needle, hay[a:b])
            if qe - qs >= max(_MIN_PART_WORDS, 0.4 * m) and (
                fuzz.ratio(needle[qs:qe], hay[a + s : a + e]) >= near
            ):
                best = (_similarity(qn.tokens, norm.tokens[a + s : a + e]), a + s, a + e)
                break
        else:
            score = round(best[0], 1) if best else 0.0
            return "not_found", None, None, score, None, []

    score, s, e = best
    first_word, last_word = norm.first[s], norm.last[e - 1]
    start = _r(tl.starts[first_word])
    end = _r(tl.ends[last_word])
    heard = "".join(tl.words[first_word : last_word + 1]).strip()
    if hay[s:e] == needle:
        return "verbatim", start, end, 100.0, heard, []
    return "near", start, end, round(score, 1), heard, _differences(raw, qn, tl.words, norm, s, e)


def _differences(
    raw: list[str], qn: Tokens, words: list[str], norm: Tokens, s: int, e: int
) -> list[str]:
    """Readable word differences between a quote and the heard tokens ``[s, e)``.

    Neighbouring small changes read as one ("article 'P5' / heard 'the five'").
    """
    ops: list[list[int]] = []  # [quote_start, quote_end, heard_start, heard_end]
    for op in Levenshtein.opcodes(qn.tokens, norm.tokens[s:e]):
        if op.tag == "equal":
            continue
        cur = [op.src_start, op.src_end, s + op.dest_start, s + op.dest_end]
        if ops and ops[-1][1] == cur[0] and ops[-1][3] == cur[2]:
            prev = ops[-1]
            if cur[1] - prev[0] <= 3 and cur[3] - prev[2] <= 3:
                prev[1], prev[3] = cur[1], cur[3]
                continue
        ops.append(cur)
    out = []
    for qa, qb, ha, hb in ops:
        said = _words_of(raw, qn, qa, qb)
        got = _words_of(words, norm, ha, hb)
        said_s = f"'{said}'" if said else "nothing"
        got_s = f"'{got}'" if got else "nothing"
        out.append(f"article {said_s} / heard {got_s}")
    return out


def _align_quotes(
    tl: _Timeline, norm: Tokens, article: Article, paragraphs: list[ParagraphMatch], near: float
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
        status, start, end_t, score, heard, diffs = _match_quote(
            q.text, tl, norm, hay, symbols, regions, near
        )
        out.append(
            QuoteMatch(
                text=q.text,
                speaker=q.speaker,
                paragraph=q.paragraph,
                status=status,
                start=start,
                end=end_t,
                score=score,
                heard=heard,
                differences=diffs,
            )
        )
    return out
