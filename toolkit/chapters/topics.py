"""Topic segmentation of a stretch of transcript, in the manner of TextTiling.

Hearst's TextTiling compares the words either side of each gap between
sentences and cuts where that lexical cohesion dips. Here the units are
transcript segments and the blocks are time windows: for each gap, the
segments heard in the ``window`` seconds before it are compared with those
heard in the ``window`` seconds after it, by cosine similarity of TF-IDF
vectors over content terms (IDF from the whole transcript). A gap's depth is
how far its similarity lies below the nearest peaks on either side. The
deepest gaps become boundaries, as long as every piece keeps ``min_length``
seconds and the depth clears both TextTiling's cutoff (mean minus half the
standard deviation) and an absolute floor. A boundary prefers a segment that
starts a sentence.

No NLTK data is needed: the word rules are those of :mod:`.phrases`.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from toolkit.chapters.phrases import content_terms, ends_sentence
from toolkit.transcribe.transcript import Segment

#: Seconds of speech compared either side of a gap.
DEFAULT_WINDOW = 30.0
#: A dip shallower than this is noise, whatever the statistics say.
MIN_DEPTH = 0.1


def _analyzer(text: str) -> list[str]:
    return content_terms(text)


def fit_vectorizer(texts: Sequence[str]) -> TfidfVectorizer | None:
    """A TF-IDF vectoriser over content terms, or None when ``texts`` have none.

    Its rows are not normalised, so the rows of several segments add up to the
    row of their joined text; :func:`cosine` normalises when it compares.
    """
    vectorizer = TfidfVectorizer(analyzer=_analyzer, norm=None)
    try:
        vectorizer.fit(list(texts))
    except ValueError:  # an empty vocabulary: nothing but stop words
        return None
    return vectorizer


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    """Cosine similarity of two vectors, 0 where either is all zeros."""
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    return float(u @ v) / (nu * nv) if nu and nv else 0.0


def gap_similarities(
    segments: Sequence[Segment], vectorizer: TfidfVectorizer, window: float = DEFAULT_WINDOW
) -> list[float]:
    """Similarity across each gap: ``result[g - 1]`` is for the gap before ``segments[g]``."""
    rows = vectorizer.transform([s.text for s in segments]).tocsr()
    starts = [s.start for s in segments]
    sims = []
    for g in range(1, len(segments)):
        t = starts[g]
        lo = min(bisect.bisect_left(starts, t - window), g - 1)
        hi = max(bisect.bisect_left(starts, t + window), g + 1)
        left = np.asarray(rows[lo:g].sum(axis=0)).ravel()
        right = np.asarray(rows[g:hi].sum(axis=0)).ravel()
        sims.append(cosine(left, right))
    return sims


def depth_scores(sims: Sequence[float]) -> list[float]:
    """TextTiling depth: climb to the peak on each side, add both rises."""
    depths = []
    for i, s in enumerate(sims):
        left = s
        for k in range(i - 1, -1, -1):
            if sims[k] < left:
                break
            left = sims[k]
        right = s
        for k in range(i + 1, len(sims)):
            if sims[k] < right:
                break
            right = sims[k]
        depths.append((left - s) + (right - s))
    return depths


def topic_boundaries(
    segments: Sequence[Segment],
    end: float,
    vectorizer: TfidfVectorizer | None,
    min_length: float,
    window: float = DEFAULT_WINDOW,
) -> list[int]:
    """Where a stretch of segments changes topic.

    ``segments`` is the stretch, in order, and ``end`` the time it ends. The
    result lists the indices (into ``segments``, ascending) of the segments
    that start a new piece; every piece lasts at least ``min_length`` seconds.
    """
    if vectorizer is None or len(segments) < 2 or end - segments[0].start < 2 * min_length:
        return []
    sims = gap_similarities(segments, vectorizer, window)
    depths = depth_scores(sims)
    cutoff = max(MIN_DEPTH, statistics.mean(depths) + statistics.pstdev(depths))
    candidates = [g for g in range(1, len(segments)) if depths[g - 1] >= cutoff]
    at_sentences = [g for g in candidates if ends_sentence(segments[g - 1].text)]
    chosen: list[int] = []
    edges = np.array([segments[0].start, end])
    for g in sorted(at_sentences or candidates, key=lambda g: -depths[g - 1]):
        t = segments[g].start
        cuts = np.sort(np.append(edges, [segments[c].start for c in chosen]))
        before, after = cuts[cuts <= t].max(), cuts[cuts > t].min()
        if t - before >= min_length and after - t >= min_length:
            chosen.append(g)
    return sorted(chosen)
