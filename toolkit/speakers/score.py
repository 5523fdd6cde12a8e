"""Score a diarization against the truth: the diarization error rate (DER).

DER is the share of the reference's speech time that the hypothesis gets
wrong: speech it misses, speech it invents (false alarm) and speech it gives
to the wrong voice (confusion), over the total reference speech. Hypothesis
labels are mapped to reference labels one to one so that they agree the
most (the Hungarian method, :func:`scipy.optimize.linear_sum_assignment`).

A ``collar`` of time either side of each reference turn boundary is not
scored, as is usual (NIST's md-eval): a boundary off by less than it costs
nothing. Overlapping reference speech counts once per voice, so a single
label over an overlap scores one voice right and misses the other.

Time is scored on a 10 ms grid, which is finer than any boundary the
pipeline draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from toolkit.speakers.model import Turn

if TYPE_CHECKING:
    import numpy as np

__all__ = ["STEP", "der", "speaker_count", "speaker_seconds"]

STEP = 0.01  # seconds per scored frame


def speaker_seconds(turns: Sequence[Turn]) -> dict[str, float]:
    """How long each label speaks in ``turns`` (overlaps of one label counted once)."""
    grid = _grid(turns, _end(turns))
    return {label: round(float(row.sum()) * STEP, 3) for label, row in grid.items()}


def speaker_count(turns: Sequence[Turn], *, min_seconds: float = 0.0) -> int:
    """How many labels speak in ``turns`` for more than ``min_seconds``."""
    return sum(1 for s in speaker_seconds(turns).values() if s > min_seconds)


def der(
    reference: Sequence[Turn],
    hypothesis: Sequence[Turn],
    *,
    collar: float = 0.25,
    duration: float | None = None,
) -> float:
    """The diarization error rate of ``hypothesis`` against ``reference`` (0.0 is perfect).

    ``collar``: seconds either side of each reference boundary left unscored.
    ``duration``: the audio's length (turns past it are cut); by default the
    end of the last turn. A reference with no speech scores 0.0 for an empty
    hypothesis and 1.0 for any other.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    end = duration if duration is not None else max(_end(reference), _end(hypothesis))
    n = _frames(end)
    ref = _grid(reference, end)
    hyp = _grid(hypothesis, end)
    scored = np.ones(n, dtype=bool)
    if collar > 0:
        for turn in reference:
            for edge in (turn.start, turn.end):
                scored[_frame(edge - collar, n) : _frame(edge + collar, n)] = False
    ref_labels, hyp_labels = sorted(ref), sorted(hyp)
    r = _stack(ref, ref_labels, n) & scored
    h = _stack(hyp, hyp_labels, n) & scored
    total = float(r.sum())
    if total == 0:
        return 0.0 if not h.any() else 1.0
    n_ref, n_hyp = r.sum(axis=0), h.sum(axis=0)
    # Per frame: missed max(0, nref - nhyp), false alarm max(0, nhyp - nref),
    # confusion min(nref, nhyp) - (voices the hypothesis has right).
    mapped_correct = np.zeros(n)
    if ref_labels and hyp_labels:
        overlap = r.astype(np.float64) @ h.astype(np.float64).T  # frames both speak
        rows, cols = linear_sum_assignment(-overlap)
        for i, j in zip(rows, cols, strict=True):
            mapped_correct += r[i] & h[j]
    errors = np.maximum(n_ref, n_hyp) - mapped_correct
    return float(errors.sum()) / total


def _end(turns: Sequence[Turn]) -> float:
    return max((t.end for t in turns), default=0.0)


def _frames(end: float) -> int:
    return max(0, round(end / STEP))


def _frame(t: float, n: int) -> int:
    return min(n, max(0, round(t / STEP)))


def _grid(turns: Sequence[Turn], end: float) -> dict[str, np.ndarray]:
    """Each label's frames of speech, as a boolean row over ``[0, end)``."""
    import numpy as np

    n = _frames(end)
    rows: dict[str, np.ndarray] = {}
    for turn in turns:
        row = rows.setdefault(turn.speaker, np.zeros(n, dtype=bool))
        row[_frame(turn.start, n) : _frame(turn.end, n)] = True
    return rows


def _stack(rows: dict[str, np.ndarray], labels: list[str], n: int) -> np.ndarray:
    import numpy as np

    if not labels:
        return np.zeros((0, n), dtype=bool)
    return np.stack([rows[label] for label in labels])
