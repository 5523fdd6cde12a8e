"""Telling alike voices apart by time (toolkit.speakers.split) and the frames' best path.

Synthetic embeddings, so each property is shown on its own: two voices a
little apart, under what is said varying far more, taking turns; one voice
with the same variation; too few windows to judge. The real cases are in
tests/test_diarize.py (bench/cases/alike-*).
"""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.speakers.diarize import _best_path
from toolkit.speakers.split import MIN_HALF, _runs, split_voice, switch_rate

HOP = 0.75
DIM = 64


def turns_of(lengths: list[int], gap: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Window starts for turns of ``lengths`` windows (``gap`` seconds between turns), and
    each window's turn, alternating 0, 1, 0, ..."""
    starts, who, at = [], [], 0.0
    for i, n in enumerate(lengths):
        starts += [at + k * HOP for k in range(n)]
        who += [i % 2] * n
        at = starts[-1] + HOP + gap
    return np.asarray(starts), np.asarray(who)


def voices(who: np.ndarray, apart: float, seed: int) -> np.ndarray:
    """Unit embeddings: a shared voice, ``apart`` between the two speakers along one
    direction, and what is said: three directions that vary twice as much from one
    window to the next (so they, not the speakers, are what varies most), and a
    little noise in every direction."""
    rng = np.random.default_rng(seed)
    axes, _ = np.linalg.qr(rng.normal(size=(DIM, 5)))
    base, speaker, content = axes[:, 0], axes[:, 1], axes[:, 2:]
    said = rng.normal(scale=0.3, size=(len(who), 3)) @ content.T
    said += rng.normal(scale=0.03, size=(len(who), DIM))
    e = base + np.where(who[:, None] == 1, apart / 2, -apart / 2) * speaker + said
    result: np.ndarray = e / np.linalg.norm(e, axis=1, keepdims=True)
    return result


LENGTHS = [12, 9, 15, 6, 11, 14, 8, 10, 13, 7]  # ten turns, 105 windows


def test_two_voices_taking_turns_are_split() -> None:
    starts, who = turns_of(LENGTHS)
    e = voices(who, 0.5, seed=1)
    # What varies most is what is said: the first principal direction does not split the voices.
    centred = e - e.mean(axis=0)
    first = centred @ np.linalg.svd(centred, full_matrices=False)[2][0]
    by_first = first > np.median(first)
    assert max(np.mean(by_first == who), np.mean(by_first != who)) < 0.75
    halves = split_voice(e, starts, HOP, 8)
    assert halves is not None
    agree = max(np.mean(halves == who), np.mean(halves != who))
    assert agree >= 0.95


def test_one_voice_is_not_split() -> None:
    starts, who = turns_of(LENGTHS)
    for seed in range(5):
        assert split_voice(voices(who, 0.0, seed=seed), starts, HOP, 8) is None


def test_one_voice_in_two_recordings_is_not_split() -> None:
    """Two halves that never alternate (a voice recorded in two rooms) are runs, not turns."""
    starts, who = turns_of([50, 55])
    assert split_voice(voices(who, 0.5, seed=3), starts, HOP, 8) is None


def test_too_few_windows_are_not_judged() -> None:
    starts, who = turns_of([MIN_HALF - 4, MIN_HALF - 4, 6])
    assert split_voice(voices(who, 0.5, seed=2), starts, HOP, 8) is None


def test_switch_rate_is_a_share_of_chance() -> None:
    labels = np.asarray([0, 0, 0, 1, 1, 1, 0, 0, 1, 1])
    adjacent = np.arange(9)  # every window next to the one after it
    # 3 changes in 9 pairs; halves of 5 and 5 differ by chance half the time.
    assert switch_rate(labels, adjacent) == pytest.approx((3 / 9) / 0.5)
    assert switch_rate(np.zeros(10, dtype=np.int64), adjacent) == 1.0


def test_runs_ignore_a_lone_window() -> None:
    assert _runs(np.asarray([0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1])) == (2, 2)
    assert _runs(np.asarray([0, 0, 0, 1, 1, 1])) == (1, 1)


def test_best_path_keeps_a_voice_through_noise_and_takes_a_real_change() -> None:
    rng = np.random.default_rng(0)
    frames = 600
    score = np.full((frames, 2), 0.5) + rng.normal(scale=0.03, size=(frames, 2))
    score[:300, 0] += 0.02  # voice 0 for 3 s, voice 1 after
    score[300:, 1] += 0.02
    score[100:120, 1] += 0.05  # 0.2 s where voice 1 looks a little nearer: noise
    path = _best_path(score, 2.0)
    assert set(path[:290]) == {0} and set(path[310:]) == {1}
    assert np.argmax(score, axis=1)[:290].tolist().count(1) > 50  # frame by frame, it flickers
    # Voices far apart change at once.
    far = np.zeros((200, 2))
    far[:100, 0], far[100:, 1] = 0.3, 0.3
    assert _best_path(far, 2.0).tolist() == [0] * 100 + [1] * 100
    assert _best_path(score[:, :1], 2.0).tolist() == [0] * frames
