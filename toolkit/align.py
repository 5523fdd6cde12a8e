"""Align an article to an episode's transcript, text to text.

Forced aligners expect the audio to read the text nearly word for word; a
conversation about an article does not. So the article is aligned to the
transcript's *text* instead:

* **Paragraphs.** Each paragraph is scored against sliding windows of the
  transcript (TF-IDF cosine over normalised content words). An in-order local
  dynamic programme in the Smith-Waterman style assigns runs of windows to
  paragraphs: a window earns its similarity minus ``threshold``, skipping a
  paragraph or a window costs a penalty. A second pass picks up stretches the
  in-order path left out but that clearly match a paragraph (topics the hosts
  come back to, or discuss out of order). Boundaries are then moved to segment
  boundaries using each segment's own similarity, which also catches a single
  sentence that plainly returns to an earlier paragraph.
* **Quotes.** Each quote is located in the transcript's word sequence by fuzzy
  matching of normalised words (one word, one symbol, searched with rapidfuzz),
  refined by a small word-level fitting alignment, and timed by the matched
  words' timestamps. It is then classed ``verbatim``, ``near`` (differences
  listed; this includes a quote read only in part, the rest listed as not
  heard) or ``not_found``. Numbers compare by value ("twenty-four" = "24").
  Telling an ASR slip from a real wording change needs the audio, so "near"
  covers both.

The result is an :class:`Alignment`, saved as versioned JSON.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from .article import Article
from .errors import ToolkitError
from .transcript import Transcript

__all__ = [
    "SCHEMA_VERSION",
    "Alignment",
    "AlignmentError",
    "ParagraphMatch",
    "QuoteMatch",
    "Tokens",
    "align",
    "normalise_words",
]

SCHEMA_VERSION = 1

#: Default similarity a window must beat to count towards a paragraph.
DEFAULT_THRESHOLD = 0.12
#: A quote whose word-level similarity (0-100) reaches this is "near".
DEFAULT_NEAR = 80.0
#: A quote read only in part is "near" if at least this many words (and 40%) were read.
_MIN_PART_WORDS = 6
#: A segment needs this many content words for its own similarity to relabel it.
_MIN_SEGMENT_TERMS = 5


class AlignmentError(ToolkitError, ValueError):
    """An alignment file is malformed or has an unsupported version."""


@dataclass
class ParagraphMatch:
    """Where one article paragraph is discussed in the episode."""

    index: int
    discussed: bool
    start: float | None
    end: float | None
    #: Peak TF-IDF cosine similarity (0-1) of the paragraph's windows.
    score: float
    #: Transcript segment ids that relate to this paragraph, revisits included.
    segments: list[int] = field(default_factory=list)
    #: Later stretches, ``[start, end]``, where the hosts come back to it.
    revisits: list[list[float]] = field(default_factory=list)


@dataclass
class QuoteMatch:
    """Where, and how faithfully, one article quote is heard."""

    text: str
    speaker: str | None
    paragraph: int
    status: str  # "verbatim" | "near" | "not_found"
    start: float | None
    end: float | None
    #: Word-level similarity, 0-100, of the article's and the heard wording.
    score: float
    #: The transcript words matched, as transcribed.
    heard: str | None
    #: For "near": one line per difference, e.g. ``article 'twenty' / heard 'ten'``.
    differences: list[str] = field(default_factory=list)


@dataclass
class Alignment:
    """The article mapped onto the episode's timeline."""

    version: int
    paragraphs: list[ParagraphMatch]
    quotes: list[QuoteMatch]
    #: Transcript segment id -> paragraph index, or None where no paragraph fits.
    segment_paragraph: dict[int, int | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "paragraphs": [asdict(p) for p in self.paragraphs],
            "quotes": [asdict(q) for q in self.quotes],
            # JSON object keys are strings; from_dict turns them back into ints.
            "segment_paragraph": {str(k): v for k, v in self.segment_paragraph.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alignment:
        try:
            if data.get("version") != SCHEMA_VERSION:
                raise AlignmentError(
                    f"unsupported alignment version {data.get('version')!r} "
                    f"(expected {SCHEMA_VERSION})"
                )
            return cls(
                version=SCHEMA_VERSION,
                paragraphs=[ParagraphMatch(**p) for p in data["paragraphs"]],
                quotes=[QuoteMatch(**q) for q in data["quotes"]],
                segment_paragraph={
                    int(k): (None if v is None else int(v))
                    for k, v in data["segment_paragraph"].items()
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            if isinstance(e, AlignmentError):
                raise
            raise AlignmentError(f"malformed alignment: {e}") from e


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_FILLERS = frozenset({"uh", "um", "uhm", "er", "erm", "ah", "hmm", "mm"})
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|[^\W_]+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Tokens:
    """Normalised tokens, each pointing back to the source words it came from."""

    tokens: list[str]
    first: list[int]  # index of the first source word of each token
    last: list[int]  # index of the last source word of each token


def _raw_tokens(words: list[str]) -> tuple[list[str], list[int]]:
    out: list[str] = []
    src: list[int] = []
    for i, word in enumerate(words):
        text = _APOSTROPHES.sub("", word.lower())
        for tok in _TOKEN.findall(text):
            if tok[0].isdigit():
                tok = tok.replace(",", "")
            if tok in _FILLERS:
                continue
            out.append(tok)
            src.append(i)
        if "%" in text:
            out.append("percent")
            src.append(i)
    return out, src


def _number_run(toks: list[str], i: int) -> tuple[int, int] | None:
    """Parse spelled-out number words starting at ``toks[i]``.

    Returns ``(value, tokens used)`` or None. Handles "twenty four", "one hundred
    and five", "two thousand", "40 million" and years such as "nineteen ninety".
    """

    def small(j: int) -> tuple[int, int] | None:
        # A number below 100: "seven", "twelve", "forty", "forty two".
        if j >= len(toks):
            return None
        if toks[j] in _UNITS:
            return _UNITS[toks[j]], 1
        if toks[j] in _TENS:
            value = _TENS[toks[j]]
            nxt = toks[j + 1] if j + 1 < len(toks) else ""
            if nxt in _UNITS and 0 < _UNITS[nxt] < 10:
                return value + _UNITS[nxt], 2
            return value, 1
        return None

    first = small(i)
    if first is None:
        if _DIGITS.fullmatch(toks[i]) and i + 1 < len(toks) and toks[i + 1] in _SCALES:
            return int(float(toks[i]) * _SCALES[toks[i + 1]]), 2
        return None
    value, used = first
    # Years read in pairs: "nineteen ninety", "twenty twenty four".
    if 10 <= value < 100:
        second = small(i + used)
        if second is not None and second[0] >= 10:
            return value * 100 + second[0], used + second[1]
    total, current = 0, value
    j = i + used
    while j < len(toks):
        tok = toks[j]
        if tok == "hundred" and current < 100:
            current *= 100
            j += 1
            if j + 1 < len(toks) and toks[j] == "and" and small(j + 1) is not None:
                j += 1
            nxt = small(j)
            if nxt is not None:
                current += nxt[0]
                j += nxt[1]
        elif tok in _SCALES and current > 0:
            total += current * _SCALES[tok]
            current = 0
            j += 1
            if j + 1 < len(toks) and toks[j] == "and" and small(j + 1) is not None:
                j += 1
            nxt = small(j)
            if nxt is None:
                break
            current, used = nxt
            j += used
        else:
            break
    return total + current, j - i


def normalise_words(words: list[str]) -> Tokens:
    """Normalise words for matching: lowercase, no punctuation, numbers as digits.

    ``words`` are raw words as transcribed or written (" Council,", "twenty-four",
    "40%"). Hyphenated words split into parts, apostrophes vanish ("Japan's" ->
    "japans"), fillers ("uh", "um") are dropped and spelled-out numbers become
    digits ("twenty four" -> "24", "per cent" -> "percent"). Each token keeps
    the range of source words it came from, so a match maps back to timestamps.
    """
    toks, src = _raw_tokens(words)
    out = Tokens([], [], [])
    i = 0
    while i < len(toks):
        tok = toks[i]
        run = _number_run(toks, i)
        if run is not None:
            value, used = run
            out.tokens.append(str(value))
            out.first.append(src[i])
            out.last.append(src[i + used - 1])
            i += used
            continue
        if tok == "per" and i + 1 < len(toks) and toks[i + 1] == "cent":
            out.tokens.append("percent")
            out.first.append(src[i])
            out.last.append(src[i + 1])
            i += 2
            continue
        out.tokens.append(tok)
        out.first.append(src[i])
        out.last.append(src[i])
        i += 1
    return out


def _stem(tok: str) -> str:
    """A light suffix stripper, so "sanctions"/"sanctioned" meet "sanction"."""
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if tok.endswith("sses"):
        return tok[:-2]
    if len(tok) > 5 and tok.endswith("ing"):
        return tok[:-3]
    if len(tok) > 4 and tok.endswith("ed"):
        return tok[:-2]
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


def _content_term(tok: str) -> str | None:
    """The term TF-IDF sees for a token, or None for stop words and small numbers."""
    if tok in ENGLISH_STOP_WORDS or (len(tok) < 2 and not tok.isdigit()):
        return None
    if tok.isdigit() and int(tok) < 10:  # "one" is usually a pronoun, not a figure
        return None
    return _stem(tok)


def _content_terms(tokens: list[str]) -> list[str]:
    return [term for term in map(_content_term, tokens) if term is not None]


def _identity(doc: list[str]) -> list[str]:
    return doc


# --------------------------------------------------------------------------
# Transcript preparation
# --------------------------------------------------------------------------


@dataclass
class _Timeline:
    """The transcript flattened into timed words, with per-segment ranges."""

    starts: np.ndarray
    ends: np.ndarray
    words: list[str]
    seg_ids: list[int]
    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_words: list[tuple[int, int]]  # [first, last) word index per segment


def _timeline(transcript: Transcript) -> _Timeline:
    starts: list[float] = []
    ends: list[float] = []
    words: list[str] = []
    seg_words: list[tuple[int, int]] = []
    for seg in transcript.segments:
        first = len(words)
        if seg.words:
            for w in seg.words:
                starts.append(w.start)
                ends.append(w.end)
                words.append(w.word)
        else:
            # No word timestamps: spread the segment's words evenly over it.
            parts = seg.text.split()
            step = (seg.end - seg.start) / max(len(parts), 1)
            for k, part in enumerate(parts):
                starts.append(seg.start + k * step)
                ends.append(seg.start + (k + 1) * step)
                words.append(" " + part)
        seg_words.append((first, len(words)))
    return _Timeline(
        starts=np.asarray(starts, dtype=float),
        ends=np.asarray(ends, dtype=float),
        words=words,
        seg_ids=[s.id for s in transcript.segments],
        seg_start=np.asarray([s.start for s in transcript.segments], dtype=float),
        seg_end=np.asarray([s.end for s in transcript.segments], dtype=float),
        seg_words=seg_words,
    )


# --------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------


def _in_order_path(
    gain: np.ndarray, skip: float, gap: float
) -> tuple[list[tuple[int, int]], float]:
    """Best in-order local path through a (paragraphs x windows) gain matrix.

    Each window is either left out or assigned to one paragraph; paragraph
    indices never decrease along the path. An assigned window earns its gain,
    each paragraph jumped over costs ``skip`` and each window left out between
    two assigned ones costs ``gap``. Like Smith-Waterman, the path may start
    and end anywhere. Returns ``[(window, paragraph), ...]`` and its score.
    """
    n_par, n_win = gain.shape
    if n_par == 0 or n_win == 0:
        return [], 0.0
    par = np.arange(n_par)
    # V: best path whose last assigned window is i, given to p.
    # G: best path whose last paragraph is p and last assigned window is <= i.
    g_prev = np.full(n_par, -np.inf)
    g_src_prev = np.full(n_par, -1)
    from_par = np.empty((n_win, n_par), dtype=np.int64)  # -1: path starts here
    from_win = np.empty((n_win, n_par), dtype=np.int64)
    best, best_at = 0.0, (-1, -1)
    for i in range(n_win):
        # Arriving from an earlier paragraph q < p costs skip * (p - q - 1).
        shifted = g_prev + skip * par
        run_max = np.maximum.accumulate(shifted)
        run_arg = np.maximum.accumulate(np.where(shifted == run_max, par, 0))
        from_lower = np.full(n_par, -np.inf)
        from_lower[1:] = run_max[:-1] - skip * (par[1:] - 1)
        lower_arg = np.zeros(n_par, dtype=np.int64)
        lower_arg[1:] = run_arg[:-1]

        choices = np.vstack([np.zeros(n_par), g_prev, from_lower])
        pick = np.argmax(choices, axis=0)
        v = gain[:, i] + choices[pick, par]
        src_par = np.where(pick == 0, -1, np.where(pick == 1, par, lower_arg))
        from_par[i] = src_par
        from_win[i] = np.where(src_par < 0, -1, g_src_prev[np.maximum(src_par, 0)])

        decayed = g_prev - gap
        take_v = v >= decayed
        g_prev = np.where(take_v, v, decayed)
        g_src_prev = np.where(take_v, i, g_src_prev)
        p_best = int(np.argmax(v))
        if v[p_best] > best:
            best, best_at = float(v[p_best]), (i, p_best)

    path: list[tuple[int, int]] = []
    i, p = best_at
    while i >= 0 and p >= 0:
        path.append((i, p))
        i, p = int(from_win[i, p]), int(from_par[i, p])
    path.reverse()
    return path, best


def _runs(labels: list[Any]) -> list[tuple[int, int, Any]]:
    """Maximal runs ``(first, last + 1, label)`` of equal consecutive labels."""
    out: list[tuple[int, int, Any]] = []
    start = 0
    for k in range(1, len(labels) + 1):
        if k == len(labels) or labels[k] != labels[start]:
            out.append((start, k, labels[start]))
            start = k
    return out


def _align_paragraphs(
    tl: _Timeline,
    norm: Tokens,
    article: Article,
    threshold: float,
    window: float,
    hop: float,
) -> tuple[list[ParagraphMatch], dict[int, int | None]]:
    n_par = len(article.paragraphs)
    n_seg = len(tl.seg_ids)
    empty = [ParagraphMatch(p.index, False, None, None, 0.0) for p in article.paragraphs]
    if n_par == 0 or len(tl.words) == 0:
        return empty, {sid: None for sid in tl.seg_ids}

    # Content terms of the transcript, each with the word it came from.
    terms: list[str] = []
    term_word: list[int] = []
    for tok, first in zip(norm.tokens, norm.first, strict=True):
        term = _content_term(tok)
        if term is not None:
            terms.append(term)
            term_word.append(first)
    term_word_arr = np.asarray(term_word, dtype=np.int64)
    term_time = (tl.starts[term_word_arr] + tl.ends[term_word_arr]) / 2 if terms else np.zeros(0)
    term_time = np.maximum.accumulate(term_time) if terms else term_time  # ASR may jitter

    # Sliding windows over time.
    t0, t1 = float(tl.starts[0]), float(tl.ends[-1])
    n_win = max(1, int(np.ceil(max(t1 - t0 - window, 0.0) / hop)) + 1)
    win_start = t0 + hop * np.arange(n_win)
    lo = np.searchsorted(term_time, win_start, side="left")
    hi = np.searchsorted(term_time, win_start + window, side="left")
    win_docs = [terms[a:b] for a, b in zip(lo, hi, strict=True)]

    par_docs = []
    for p in article.paragraphs:
        text = f"{p.heading}\n{p.text}" if p.heading else p.text
        par_docs.append(_content_terms(normalise_words(text.split()).tokens))
    seg_docs = [terms[a:b] for a, b in _segment_term_ranges(tl, term_word_arr)]

    if not any(par_docs) or not terms:
        return empty, {sid: None for sid in tl.seg_ids}
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    vec.fit(par_docs + win_docs)
    par_m = vec.transform(par_docs)
    sim = (par_m @ vec.transform(win_docs).T).toarray()  # paragraphs x windows
    seg_sim = (par_m @ vec.transform(seg_docs).T).toarray()  # paragraphs x segments

    # First pass: the best in-order path.
    gain = sim - threshold
    path, _ = _in_order_path(gain, skip=threshold / 2, gap=threshold / 20)
    win_label = np.full(n_win, -1)
    win_pass = np.zeros(n_win, dtype=np.int64)
    for i, p in path:
        if gain[p, i] > 0:  # a window the path only bridges stays unlabelled
            win_label[i], win_pass[i] = p, 1

    # Second pass: clear matches the in-order path left out.
    best_par = np.argmax(sim, axis=0)
    strong = sim[best_par, np.arange(n_win)] >= 1.5 * threshold
    cand = [int(best_par[i]) if strong[i] and win_label[i] < 0 else -1 for i in range(n_win)]
    for a, b, p in _runs(cand):
        if p >= 0 and b - a >= 2:
            win_label[a:b], win_pass[a:b] = p, 2

    # Each segment takes the label of the window centred nearest to it.
    centres = win_start + window / 2
    seg_mid = (tl.seg_start + tl.seg_end) / 2
    nearest = np.clip(np.searchsorted(centres, seg_mid), 1, n_win - 1) if n_win > 1 else None
    if nearest is None:
        seg_win = np.zeros(n_seg, dtype=np.int64)
    else:
        left_closer = (seg_mid - centres[nearest - 1]) <= (centres[nearest] - seg_mid)
        seg_win = np.where(left_closer, nearest - 1, nearest)
    labels = [(int(win_label[w]), int(win_pass[w])) for w in seg_win]
    # One segment is short, so its own similarity is low even on topic: it must
    # only beat a quarter of the window threshold to pull a boundary.
    labels = _refine_boundaries(labels, seg_sim, tl, threshold / 4, window / 2)
    # A sentence that plainly returns to another paragraph ("which brings us back
    # to ...") is too short for the windows to see; its own similarity can.
    for k, (cur, _) in enumerate(labels):
        q = int(np.argmax(seg_sim[:, k]))
        own_q = seg_sim[q, k]
        own_cur = seg_sim[cur, k] if cur >= 0 else 0.0
        if (
            q != cur
            and len(seg_docs[k]) >= _MIN_SEGMENT_TERMS
            and own_q >= 2 * threshold
            and own_cur < threshold
            and own_q >= 2 * own_cur
        ):
            beside = labels[k - 1 : k] + labels[k + 1 : k + 2]
            labels[k] = (q, 1) if (q, 1) in beside else (q, 2)

    # Collect each paragraph's segments, main span and revisits.
    matches: list[ParagraphMatch] = []
    seg_par: dict[int, int | None] = {sid: None for sid in tl.seg_ids}
    for k, (p, _) in enumerate(labels):
        if p >= 0:
            seg_par[tl.seg_ids[k]] = article.paragraphs[p].index
    runs = [r for r in _runs(labels) if r[2][0] >= 0]
    for p in range(n_par):
        para = article.paragraphs[p]
        mine = [(a, b, pas) for a, b, (q, pas) in runs if q == p]
        if not mine:
            matches.append(ParagraphMatch(para.index, False, None, None, _r(sim[p].max())))
            continue
        first = [(a, b) for a, b, pas in mine if pas == 1]
        later = [(a, b) for a, b, pas in mine if pas == 2]
        if first:
            main = (first[0][0], first[-1][1])
        else:
            # Discussed only out of order: the strongest stretch is the main one.
            main = max(later, key=lambda r: float(seg_sim[p, r[0] : r[1]].sum()))
            later.remove(main)
        segs = [k for a, b, _ in mine for k in range(a, b)]
        win_mask = win_label == p
        score = sim[p, win_mask].max() if win_mask.any() else sim[p].max()
        matches.append(
            ParagraphMatch(
                index=para.index,
                discussed=True,
                start=_r(tl.seg_start[main[0]]),
                end=_r(tl.seg_end[main[1] - 1]),
                score=_r(score),
                segments=sorted(tl.seg_ids[k] for k in segs),
                revisits=[
                    [_r(tl.seg_start[a]), _r(tl.seg_end[b - 1])]
                    for a, b in later
                    if a >= main[1] or b <= main[0]
                ],
            )
        )
    return matches, seg_par


def _segment_term_ranges(tl: _Timeline, term_word: np.ndarray) -> list[tuple[int, int]]:
    firsts = np.asarray([a for a, _ in tl.seg_words], dtype=np.int64)
    lasts = np.asarray([b for _, b in tl.seg_words], dtype=np.int64)
    lo = np.searchsorted(term_word, firsts, side="left")
    hi = np.searchsorted(term_word, lasts, side="left")
    return list(zip(lo.tolist(), hi.tolist(), strict=True))


def _refine_boundaries(
    labels: list[tuple[int, int]],
    seg_sim: np.ndarray,
    tl: _Timeline,
    threshold: float,
    reach: float,
) -> list[tuple[int, int]]:
    """Move each boundary between labelled runs to the best nearby segment boundaries.

    A segment earns its own similarity minus ``threshold`` on the side of its
    paragraph, and nothing when it is left unlabelled. Between runs ``A`` and
    ``B`` the boundary becomes ``A... | none... | B...``: the two cuts may move
    by up to ``reach`` seconds but never past the neighbouring boundaries. So a
    lead-in question that names the topic joins its paragraph, while filler and
    reaction lines at the edges ("Sure thing.") fall outside both.
    """
    labels = list(labels)
    runs = _runs(labels)
    none = (-1, 0)

    def own(k: int, label: tuple[int, int]) -> float:
        return float(seg_sim[label[0], k]) - threshold if label[0] >= 0 else 0.0

    for r in range(1, len(runs)):
        a_start, cut, a_label = runs[r - 1]
        _, b_end, b_label = runs[r]
        t_cut = tl.seg_start[cut]
        lo = cut
        while lo - 1 > a_start and t_cut - tl.seg_start[lo - 1] <= reach:
            lo -= 1
        hi = cut
        while hi + 1 < b_end and tl.seg_start[hi + 1] - t_cut <= reach:
            hi += 1
        # prefix_a[c]: segments lo..c-1 labelled A; suffix_b[c]: segments c..hi-1 labelled B.
        span = range(lo, hi + 1)
        prefix_a = {lo: 0.0}
        for c in range(lo + 1, hi + 1):
            prefix_a[c] = prefix_a[c - 1] + own(c - 1, a_label)
        suffix_b = {hi: 0.0}
        for c in range(hi - 1, lo - 1, -1):
            suffix_b[c] = suffix_b[c + 1] + own(c, b_label)
        best = (prefix_a[cut] + suffix_b[cut], 0, cut, cut)
        for c1 in span:
            for c2 in range(c1, hi + 1):
                score = prefix_a[c1] + suffix_b[c2]
                moved = abs(c1 - cut) + abs(c2 - cut)
                if score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and moved < best[1]):
                    best = (score, moved, c1, c2)
        _, _, c1, c2 = best
        for k in range(lo, hi):
            labels[k] = a_label if k < c1 else none if k < c2 else b_label
        runs[r - 1] = (a_start, c1, a_label)
        runs[r] = (c2, b_end, b_label)

    # The transcript's own edges: trim an intro or outro off a paragraph that
    # begins or ends the episode.
    n = len(labels)
    if runs and runs[0][2][0] >= 0:
        _, b_end, label = runs[0]
        hi, total, best, cut = 0, 0.0, 0.0, 0
        while hi < b_end - 1 and tl.seg_start[hi] - tl.seg_start[0] <= reach:
            total += own(hi, label)
            hi += 1
            if -total > best + 1e-9:
                best, cut = -total, hi
        for k in range(cut):
            labels[k] = none
    if runs and runs[-1][2][0] >= 0:
        a_start, _, label = runs[-1]
        lo, total, best, cut = n, 0.0, 0.0, n
        while lo - 1 > a_start and tl.seg_end[-1] - tl.seg_end[lo - 1] <= reach:
            lo -= 1
            total += own(lo, label)
            if -total > best + 1e-9:
                best, cut = -total, lo
        for k in range(cut, n):
            labels[k] = none
    return labels


def _r(x: float) -> float:
    return round(float(x), 3)


# --------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------


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
        score = fuzz.ratio(needle, hay[a + s : a + e])
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
                best = (fuzz.ratio(needle, hay[a + s : a + e]), a + s, a + e)
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


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def align(
    transcript: Transcript,
    article: Article,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window: float = 20.0,
    hop: float = 5.0,
    near: float = DEFAULT_NEAR,
) -> Alignment:
    """Map ``article``'s paragraphs and quotes onto ``transcript``'s timeline.

    ``threshold`` is the TF-IDF cosine similarity a transcript window must beat
    to count towards a paragraph; ``window`` and ``hop`` (seconds) shape the
    sliding windows. A quote whose word-level similarity (0-100) reaches
    ``near`` but is not word for word is "near"; below it, "not_found".
    """
    if window <= 0 or hop <= 0:
        raise ValueError("window and hop must be positive")
    tl = _timeline(transcript)
    norm = normalise_words(tl.words)
    paragraphs, seg_par = _align_paragraphs(tl, norm, article, threshold, window, hop)
    quotes = _align_quotes(tl, norm, article, paragraphs, near)
    return Alignment(SCHEMA_VERSION, paragraphs, quotes, seg_par)
