"""Voices that sound alike: one cluster of windows split in two where it holds two voices.

Two voices whose prints are as close as one voice's own windows (resemblyzer
cosine 0.93-0.96 between their mean prints) come out of the clustering as
one voice: the first direction along which the windows vary is what is
said, not who says it. What tells the speaker apart is time: a voice holds
through a turn, while the sounds of speech change from one window to the
next. So:

1. the direction of the windows' embeddings that changes slowest between
   adjacent windows of a stretch of speech (slow feature analysis: the
   embeddings reduced to their first :data:`DIMENSIONS` principal
   components and whitened; the direction is the eigenvector of the
   adjacent windows' differences with the smallest eigenvalue) gives a
   first split, at the two-means threshold of the windows along it;
2. spherical two-means in the whole embedding space, from that split,
   with no regard to time, moves each window to the nearer half;
3. the split stands when time agrees with it, as it does with a change of
   speaker: adjacent windows fall in different halves far less often than
   chance would put them there (:data:`MAX_SWITCH` of the chance rate, for
   halves of those sizes), each half is at least :data:`MIN_HALF` windows
   and comes back in at least :data:`MIN_RUNS` separate runs
   (two voices take turns; a voice recorded once in one room and once in
   another is two runs, not turns).

Step 2 is why step 3 can test the split: on one voice, two-means pulls the
halves back to what is said, and adjacent windows then switch halves at
0.42-0.86 of the chance rate (every voice of at least 2 x :data:`MIN_HALF`
windows of the bench cases and of the 62-minute episode of
``bench/diarize.py --long 60``); on two alike voices the halves stay with
the speakers and switch at 0.19-0.29 of it (``bench/cases/alike-*``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DIMENSIONS", "MAX_SWITCH", "MIN_HALF", "MIN_RUNS", "split_voice", "switch_rate"]

DIMENSIONS = 16  # principal components the slow direction is looked for in
# Windows in each half, at least: twice the dimensions the slow direction is
# fit in (with fewer, some direction is slow for any split), 24 s of speech.
MIN_HALF = 2 * DIMENSIONS
MAX_SWITCH = 0.35  # adjacent windows in different halves, as a share of chance, at most
MIN_RUNS = 3  # runs (of two or more windows) each half comes back in, at least
MIN_ADJACENT = 20  # adjacent pairs needed to judge the split at all
ROUNDS = 30  # two-means rounds at most
_TOLERANCE = 0.01  # seconds: starts one hop apart, within a stretch of speech


def split_voice(
    embeds: np.ndarray, starts: np.ndarray, hop: float, min_windows: int
) -> np.ndarray | None:
    """A 0/1 half per window when ``embeds`` (one voice's windows, in time order) hold two
    voices; None when they are one.

    ``starts``: each window's start (seconds); windows ``hop`` apart are
    adjacent (the same stretch of speech). ``min_windows``: the fewest
    windows a voice has (each half must hold that many, and at least
    :data:`MIN_HALF`).
    """
    import numpy as np

    n = len(embeds)
    least = max(min_windows, MIN_HALF)
    if n < 2 * least:
        return None
    adjacent = _adjacent(starts, hop)
    if len(adjacent) < MIN_ADJACENT:
        return None
    slow = _slowest(embeds, adjacent)
    if slow is None:
        return None
    labels = _two_means(embeds, _halve(slow))
    counts = np.bincount(labels, minlength=2)
    if counts.min() < least:
        return None
    if switch_rate(labels, adjacent) > MAX_SWITCH:
        return None
    if min(_runs(labels)) < MIN_RUNS:
        return None
    return labels


def switch_rate(labels: np.ndarray, adjacent: np.ndarray) -> float:
    """How often adjacent windows fall in different halves, as a share of chance.

    Chance, for halves holding shares p and 1 - p of the windows, is
    2p(1 - p): the rate at which two windows drawn at random differ.
    """
    import numpy as np

    p = float(np.mean(labels))
    chance = 2 * p * (1 - p)
    if chance == 0:
        return 1.0
    return float(np.mean(labels[adjacent] != labels[adjacent + 1])) / chance


def _adjacent(starts: np.ndarray, hop: float) -> np.ndarray:
    """Indices i where window i + 1 starts one hop after window i."""
    import numpy as np

    result: np.ndarray = np.flatnonzero(np.abs(np.diff(starts) - hop) < _TOLERANCE)
    return result


def _slowest(embeds: np.ndarray, adjacent: np.ndarray) -> np.ndarray | None:
    """Each window's value along the slowest-changing direction, or None when there is none."""
    import numpy as np

    centred = embeds.astype(np.float64) - embeds.mean(axis=0)
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(DIMENSIONS, len(embeds) - 2)
    keep = sing[:k] > 1e-9 * max(float(sing[0]), 1e-30)
    if keep.sum() < 2:
        return None
    scale = sing[:k][keep] / np.sqrt(len(embeds))
    white = centred @ (vt[:k][keep].T / scale)
    diffs = white[adjacent + 1] - white[adjacent]
    _, vectors = np.linalg.eigh(diffs.T @ diffs / len(diffs))
    result: np.ndarray = white @ vectors[:, 0]
    return result


def _halve(values: np.ndarray) -> np.ndarray:
    """0/1 by the two-means threshold of one-dimensional ``values``."""
    import numpy as np

    cut = float(np.median(values))
    for _ in range(ROUNDS):
        low, high = values[values <= cut], values[values > cut]
        if not len(low) or not len(high):
            break
        new = (float(low.mean()) + float(high.mean())) / 2
        if abs(new - cut) < 1e-12:
            break
        cut = new
    result: np.ndarray = (values > cut).astype(np.int64)
    return result


def _two_means(embeds: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Spherical two-means from ``labels``: each window to the nearer half's mean direction."""
    import numpy as np

    for _ in range(ROUNDS):
        if labels.min() == labels.max():
            break
        cents = np.stack([embeds[labels == k].mean(axis=0) for k in (0, 1)])
        cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
        moved = np.argmax(embeds @ cents.T, axis=1).astype(np.int64)
        if np.array_equal(moved, labels):
            break
        labels = moved
    return labels


def _runs(labels: np.ndarray) -> tuple[int, int]:
    """How many separate runs of two or more windows each half comes in (in time order).

    A lone window between two of the other half is not a run of its own,
    and the runs on either side of it are one.
    """
    runs: list[list[int]] = []
    for label in labels.tolist():
        if runs and runs[-1][0] == label:
            runs[-1][1] += 1
        else:
            runs.append([label, 1])
    merged: list[int] = []
    for label, length in runs:
        if length >= 2 and (not merged or merged[-1] != label):
            merged.append(label)
    return merged.count(0), merged.count(1)
