"""Who speaks when: speaker diarization with no download.

The steps, each small:

1. decode the audio to 16 kHz mono (:func:`toolkit.audio.decode`);
2. find speech with the transcription's own voice activity detection
   (:func:`toolkit.transcribe.vad.speech_spans`), with tighter padding so a
   pause between two voices stays a pause;
3. cut the speech into windows of :data:`WINDOW` seconds, :data:`HOP` apart,
   and embed each (:mod:`toolkit.speakers.embed`, a batch at a time, so an
   hour needs no more memory than its samples and one batch);
4. cluster the embeddings: a fine cut of an average-linkage dendrogram on
   cosine distance (raised until half the windows are in pieces of a
   voice's size: real speech wanders more than synthetic), then the
   clusters whose centroids are nearest joined two by two while under
   :data:`THRESHOLD` apart (the number of speakers is estimated) or until
   the number asked for is left; a voice that holds two voices alike, told
   apart by time rather than by distance (:mod:`toolkit.speakers.split`),
   is split;
5. recognise music: a cluster whose spectrum holds steady like held notes
   (:mod:`toolkit.speakers.music`) and that Silero mostly does not call
   speech is music, a ``Voice(music=True)`` with no turns; clusters of a
   few windows are merged into the nearest voice;
6. label each 10 ms frame of speech from the windows over it, the nearest
   counting most, along the best path through each stretch of speech where
   a change of voice costs :data:`SWITCH_COST`, and make turns; a flicker
   (a turn under :data:`FLICKER` seconds between two turns of one voice)
   joins them.

Overlapping speech cannot be represented: each frame has one label. A
window where two voices talk at once embeds as its dominant (louder) voice,
so the overlap goes to the louder one.

Labels are "S1", "S2", ... in order of first appearance, so the same audio
always gets the same labels; the whole computation is deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import SpeakerError
from toolkit.profile import timed
from toolkit.speakers.embed import HOP, MODEL, RATE, WINDOW, window_features, window_starts
from toolkit.speakers.model import Diarization, Turn, Voice
from toolkit.speakers.music import MUSIC_STABILITY
from toolkit.speakers.split import MAX_SWITCH, split_voice

if TYPE_CHECKING:
    import numpy as np

    from toolkit.transcribe.gaps import Speech

__all__ = ["DIARIZE_REVISION", "THRESHOLD", "cluster", "diarize", "speech_cover"]

#: Bumped whenever the algorithm changes what it finds (the cache keys on it).
DIARIZE_REVISION = 6

# Cosine distance between voice centroids above which they are two voices.
# Measured: one voice split in two gives 0.07-0.09; two voices of one case
# 0.19-0.39; but espeak-ng variants of different cases come as close as
# 0.085 (en-us+f2 and en-029+f1). 0.10-0.12 (with FINE 0.2) found the same
# on every case and on joins of 3 and 4 cases (5 of 6 and 5 of 8 voices);
# 0.15 found 2 and 4 there, 0.08 split one case's voice.
THRESHOLD = 0.11
# The first, fine cut of the average-linkage dendrogram: at FINE (a voice in
# a few pieces), or higher, FINE_STEP at a time, until clusters of at least
# MIN_WINDOWS hold FINE_HELD of the windows, but never above FINE_MAX. Real
# speech wanders more than espeak-ng's: at 0.2 three real readers
# (real-voices) came in 41 pieces of 1-6 windows, none a voice's size, and
# all were merged into one; at 0.25 half the windows are in their three
# voices. Every espeak-ng case holds 0.44-0.92 at 0.2, so keeps it (a
# FINE_HELD of 0.4-0.6 found the same on every case). MIN_WINDOWS, not
# MIN_SHARE: an hour's 1 % is 48 windows, a piece a voice need not come in.
# FINE_MAX stays under where voices join in the dendrogram (0.32 for the
# alike espeak-ng pair, 0.39-0.56 for the real readers).
FINE = 0.2
FINE_STEP = 0.01
FINE_HELD = 0.5
FINE_MAX = 0.3
MIN_WINDOWS = 8  # a cluster of fewer windows (about 6 s of speech) is not a voice of its own
MIN_SHARE = 0.01  # nor is one of under 1 % of the windows
FRAME = 0.01  # seconds per labelled frame
FLICKER = 0.5  # a shorter turn between two turns of one voice is theirs
# What a change of voice inside a stretch of speech costs, in frame scores
# (mean cosine similarities, one a frame): the new voice must score 0.02
# better for a second (100 frames) to be taken.
SWITCH_COST = 2.0
MUSIC_COVER = 0.5  # music: a cluster whose windows are mostly not Silero's speech
MAX_CLUSTERED = 6000  # windows clustered at most (6000 is 140 MB of distances)
# The voice activity detection, tighter than the transcription's (0.5 s of
# padding, pauses under 1 s joined): turns end where the voice stops.
VAD_PAD = 0.1
VAD_MIN_SILENCE = 0.3


def diarize(
    audio: Path, *, speakers: int | None = None, speech: Speech | None = None
) -> Diarization:
    """Who speaks when in ``audio`` (any file ffmpeg reads).

    ``speakers``: the number of voices, or None to estimate it. ``speech``
    shares the decoded samples and the voice-activity pass with the
    transcription of the same file (:class:`toolkit.transcribe.gaps.Speech`).
    Raises :class:`toolkit.errors.AudioError` when the file cannot be decoded,
    :class:`toolkit.errors.ModelError` when a model cannot be loaded and
    :class:`SpeakerError` for a number of speakers under 1.
    """
    import numpy as np

    from toolkit.transcribe.gaps import Speech
    from toolkit.transcribe.vad import merge_spans

    if speakers is not None and speakers < 1:
        raise SpeakerError(f"the number of speakers must be at least 1, not {speakers}", audio)
    speech = speech or Speech(Path(audio))
    samples = speech.samples()
    duration = round(len(samples) / RATE, 3)
    # Silero's own stretches (unpadded, unjoined), then padded and joined.
    raw = speech.raw_spans
    spans = merge_spans(raw, min_silence=VAD_MIN_SILENCE, pad=VAD_PAD, duration=duration)
    starts = window_starts(spans)
    options: dict[str, object] = {
        "model": MODEL,
        "window": WINDOW,
        "hop": HOP,
        "threshold": THRESHOLD,
        "music_stability": MUSIC_STABILITY,
        "music_cover": MUSIC_COVER,
        "switch_cost": SWITCH_COST,
        "split_max_switch": MAX_SWITCH,
        "speakers_asked": speakers,
        "revision": DIARIZE_REVISION,
    }
    if not starts:
        options["speakers_found"] = 0
        return Diarization(duration=duration, options=options)
    with timed("voice prints"):
        embeds, steady = window_features(samples, starts, WINDOW)
    del samples
    cover = speech_cover(raw, starts, duration)
    at = np.asarray(starts)  # each window's start, in time order
    with timed("clustering"):
        labels, music = cluster(embeds, steady, cover, speakers, at)
    centroids = {int(c): _unit(embeds[labels == c].mean(axis=0)) for c in np.unique(labels)}
    frames = _label_frames(spans, at, embeds, centroids, duration)
    turns, seconds = _turns(frames, music)
    # Labels in order of first appearance: of the turns, then of music.
    order = list(dict.fromkeys(int(t.speaker) for t in turns))
    names = {c: f"S{i + 1}" for i, c in enumerate(order)}
    music_order = sorted(music, key=lambda c: int(np.argmax(labels == c)))
    names.update({c: f"M{i + 1}" for i, c in enumerate(music_order)})
    voices = [
        Voice(
            label=names[c],
            seconds=round(seconds.get(c, 0.0), 2),
            embedding=[round(float(x), 5) for x in centroids[c]],
            music=c in music,
        )
        for c in order + music_order
    ]
    options["speakers_found"] = len(order)
    options["music_windows"] = int(sum(np.sum(labels == c) for c in music))
    return Diarization(
        duration=duration,
        turns=[Turn(t.start, t.end, names[int(t.speaker)]) for t in turns],
        voices=voices,
        options=options,
    )


def _unit(v: np.ndarray) -> np.ndarray:
    import numpy as np

    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def _linkage(embeds: np.ndarray) -> np.ndarray:
    import numpy as np
    from scipy.cluster.hierarchy import linkage

    z: np.ndarray = linkage(embeds.astype(np.float64), method="average", metric="cosine")
    return z


def speech_cover(
    raw: list[tuple[float, float]], starts: list[float], duration: float
) -> np.ndarray:
    """The share of each window (from ``starts``, :data:`WINDOW` long) that Silero calls speech.

    ``raw``: Silero's stretches before any padding or joining. Music gets
    into the windows only beside or under speech (a jingle's tail within
    the padding, a pause joined over), so a window that is mostly music is
    mostly outside those stretches.
    """
    import numpy as np

    n = int(round(duration / FRAME)) + 1
    mask = np.zeros(n + 1, dtype=np.float64)
    for s, e in raw:
        mask[int(round(s / FRAME)) : int(round(e / FRAME))] = 1.0
    summed = np.concatenate([[0.0], np.cumsum(mask)])
    width = int(round(WINDOW / FRAME))
    a = np.clip(np.round(np.asarray(starts) / FRAME).astype(np.int64), 0, n)
    b = np.clip(a + width, 0, n)
    result: np.ndarray = (summed[b] - summed[a]) / width
    return result


def cluster(
    embeds: np.ndarray,
    steady: np.ndarray,
    cover: np.ndarray,
    speakers: int | None,
    starts: np.ndarray,
) -> tuple[np.ndarray, set[int]]:
    """A cluster number per window, numbered by first window, and the clusters that are music.

    ``embeds``, ``steady``: each window's embedding and spectral stability
    (:func:`toolkit.speakers.embed.window_features`); ``cover``: its share of
    speech (:func:`speech_cover`). A fine cut of the dendrogram
    (:func:`_fine_cut`) splits every voice into a few clusters; music is a
    cluster whose spectrum holds steady (median stability over
    :data:`~toolkit.speakers.music.MUSIC_STABILITY`) where Silero hears
    little speech (median cover under :data:`MUSIC_COVER`): both, since a
    slow voice in a reverberant room can hold its spectrum nearly as well
    (JFK's inaugural clip scores 0.83), while music never passes Silero.
    Music stays out of the voices (so a fixed count is a count of voices)
    and is one cluster, however many tunes. The rest, tiny clusters
    merged into the nearest, are joined two by two at their closest
    centroids while those are nearer than :data:`THRESHOLD` (or until
    ``speakers`` are left). Centroids, unlike the average distance between
    windows, do not grow with how much each window wanders from its voice.
    Last, each voice that holds two voices alike (told apart by time, not
    by distance: :mod:`toolkit.speakers.split`; ``starts``, each window's
    start in seconds, in time order) is split, while fewer than
    ``speakers`` are found when that is given.
    """
    import numpy as np
    from scipy.cluster.hierarchy import fcluster

    n = len(embeds)
    if n == 1:
        return np.zeros(1, dtype=np.int64), set()
    pick = _subsample(n)
    z = _linkage(embeds[pick])
    labels = _assign(embeds, embeds[pick], _fine_cut(z))
    is_music = np.zeros(n, dtype=bool)
    for c in np.unique(labels):
        idx = labels == c
        steady_c, cover_c = np.median(steady[idx]), np.median(cover[idx])
        if steady_c > MUSIC_STABILITY and cover_c < MUSIC_COVER:
            is_music |= idx
    # All the music is one "voice": nothing needs to tell one tune from another.
    labels[is_music] = labels[is_music].min() if is_music.any() else 0
    voice = np.flatnonzero(~is_music)
    if len(voice):
        sub = labels[voice]
        if speakers is not None:
            pick = voice[_subsample(len(voice))]
            fixed = fcluster(_linkage(embeds[pick]), speakers, criterion="maxclust")
            sub = _assign(embeds[voice], embeds[pick], fixed)
        sub = _refine(embeds[voice], _merge_tiny(embeds[voice], sub))
        sub = _join_close(embeds[voice], sub, speakers)
        sub = _split_alike(embeds[voice], starts[voice], sub, speakers)
        labels[voice] = sub + labels.max() + 1
    # Renumber 0..k-1 by first window.
    _, first_at, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first_at))
    result: np.ndarray = rank[inverse].astype(np.int64)
    return result, {int(c) for c in np.unique(result[is_music])}


def _fine_cut(z: np.ndarray) -> np.ndarray:
    """The fine cut's cluster numbers (:data:`FINE`, raised until a voice's pieces are big enough).

    ``z``: the average linkage of the windows clustered.
    """
    import numpy as np
    from scipy.cluster.hierarchy import fcluster

    n = len(z) + 1
    cut = FINE
    while True:
        labels: np.ndarray = fcluster(z, cut, criterion="distance")
        _, counts = np.unique(labels, return_counts=True)
        if counts[counts >= MIN_WINDOWS].sum() >= FINE_HELD * n or cut >= FINE_MAX:
            return labels
        cut = round(cut + FINE_STEP, 3)


def _join_close(embeds: np.ndarray, labels: np.ndarray, speakers: int | None) -> np.ndarray:
    """Join the two clusters with the closest centroids, refining, while they are too close.

    Too close: under :data:`THRESHOLD` apart (cosine distance), or, with
    ``speakers``, more clusters than that.
    """
    import numpy as np

    while True:
        keys = np.unique(labels)
        if len(keys) < 2:
            return labels
        cents = np.stack([_unit(embeds[labels == k].mean(axis=0)) for k in keys])
        dist = 1.0 - cents @ cents.T
        np.fill_diagonal(dist, np.inf)
        i, j = np.unravel_index(int(np.argmin(dist)), dist.shape)
        if speakers is not None:
            if len(keys) <= speakers:
                return labels
        elif dist[i, j] >= THRESHOLD:
            return labels
        labels = _refine(embeds, np.where(labels == keys[j], keys[i], labels))


def _split_alike(
    embeds: np.ndarray, starts: np.ndarray, labels: np.ndarray, speakers: int | None
) -> np.ndarray:
    """Each cluster that holds two alike voices split in two, and the halves tried again.

    With ``speakers``, only while fewer clusters than that are left. After a
    split, the windows are refined to the nearest voice.
    """
    import numpy as np

    todo = [int(k) for k in np.unique(labels)]
    split = False
    while todo:
        if speakers is not None and len(np.unique(labels)) >= speakers:
            break
        key = todo.pop(0)
        idx = np.flatnonzero(labels == key)
        halves = split_voice(embeds[idx], starts[idx], HOP, MIN_WINDOWS)
        if halves is None:
            continue
        new = int(labels.max()) + 1
        labels = labels.copy()
        labels[idx[halves == 1]] = new
        todo += [key, new]
        split = True
    return _refine(embeds, labels) if split else labels


def _subsample(n: int) -> np.ndarray:
    """At most :data:`MAX_CLUSTERED` window indices, evenly spread (all of them when fewer)."""
    import numpy as np

    if n <= MAX_CLUSTERED:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, MAX_CLUSTERED).round().astype(np.int64))


def _assign(embeds: np.ndarray, clustered: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each of ``embeds`` gets the label of the nearest centroid of the ``clustered`` windows."""
    import numpy as np

    if len(clustered) == len(embeds):
        return labels.astype(np.int64)
    keys = np.unique(labels)
    cents = np.stack([_unit(clustered[labels == k].mean(axis=0)) for k in keys])
    result: np.ndarray = keys[np.argmax(embeds @ cents.T, axis=1)].astype(np.int64)
    return result


def _merge_tiny(embeds: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Clusters of under :data:`MIN_WINDOWS` windows (or :data:`MIN_SHARE`) join the nearest larger.

    A tiny cluster is a few windows over a cough, a laugh or a boundary
    between voices, not a voice.
    """
    import numpy as np

    keys, counts = np.unique(labels, return_counts=True)
    least = max(MIN_WINDOWS, MIN_SHARE * len(labels))
    if counts.max() < least:
        least = counts.max()  # a short file: its largest cluster is a voice
    big = [int(k) for k, c in zip(keys, counts, strict=True) if c >= least]
    if not big:
        return labels
    cents = np.stack([_unit(embeds[labels == k].mean(axis=0)) for k in big])
    result = labels.copy()
    for k, c in zip(keys, counts, strict=True):
        if c < least:
            idx = labels == k
            result[idx] = np.asarray(big)[np.argmax(embeds[idx] @ cents.T, axis=1)]
    return result


def _refine(embeds: np.ndarray, labels: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Move each window to its nearest voice centroid, a few rounds (tightens the cut's edges)."""
    import numpy as np

    for _ in range(rounds):
        keys = np.unique(labels)
        if len(keys) < 2:
            break
        cents = np.stack([_unit(embeds[labels == k].mean(axis=0)) for k in keys])
        moved = keys[np.argmax(embeds @ cents.T, axis=1)]
        if np.array_equal(moved, labels):
            break
        labels = moved
    return labels


def _label_frames(
    spans: list[tuple[float, float]],
    starts: np.ndarray,
    embeds: np.ndarray,
    centroids: dict[int, np.ndarray],
    duration: float,
) -> np.ndarray:
    """The cluster of each 10 ms frame (-1 outside speech).

    Each window votes for every cluster with its cosine similarity to it,
    weighted by how near the frame is to the window's centre (a triangle
    over the window); a frame's score for a cluster is its weighted mean
    vote. Inside each stretch of speech the frames' clusters are then the
    path of highest total score where each change of cluster costs
    :data:`SWITCH_COST` (:func:`_best_path`): a change of voice inside a
    stretch must be heard for a while, one at a pause between stretches
    is free. Two voices far apart (scores 0.2-0.4 apart) change within a
    tenth of a second as before; two alike voices (a few hundredths apart,
    with windows' noise as large) no longer flicker between them.
    """
    import numpy as np

    n = int(round(duration / FRAME))
    keys = sorted(centroids)
    cents = np.stack([centroids[k] for k in keys])
    sims = embeds @ cents.T  # (windows, clusters)
    score = np.zeros((n, len(keys)), dtype=np.float64)
    weight = np.zeros(n, dtype=np.float64)
    width = int(round(WINDOW / FRAME))
    tri = 1.0 - np.abs(np.arange(width) + 0.5 - width / 2) / (width / 2)
    for i, start in enumerate(starts):
        a = int(round(start / FRAME))
        lo, hi = max(0, a), min(n, a + width)
        if hi > lo:
            score[lo:hi] += tri[lo - a : hi - a, None] * sims[i][None, :]
            weight[lo:hi] += tri[lo - a : hi - a]
    result = np.full(n, -1, dtype=np.int64)
    voted = weight > 0
    score[voted] /= weight[voted, None]
    for s, e in spans:
        a, b = int(round(s / FRAME)), min(n, int(round(e / FRAME)))
        # The voted runs inside the stretch, each a path of its own.
        inside = np.flatnonzero(voted[a:b]) + a
        if not len(inside):
            continue
        cuts = np.flatnonzero(np.diff(inside) > 1) + 1
        for run in np.split(inside, cuts):
            path = _best_path(score[run[0] : run[-1] + 1], SWITCH_COST)
            result[run[0] : run[-1] + 1] = np.asarray(keys)[path]
    return result


def _best_path(score: np.ndarray, cost: float) -> np.ndarray:
    """The column per row of ``score`` (frames, clusters) with the highest total, each change
    of column costing ``cost`` (Viterbi with one switching cost)."""
    import numpy as np

    frames, k = score.shape
    if k == 1:
        return np.zeros(frames, dtype=np.int64)
    total = score[0].copy()
    came = np.zeros((frames, k), dtype=np.int64)  # the column each row's best came from
    for t in range(1, frames):
        best = int(np.argmax(total))
        switch = total[best] - cost
        stay = total >= switch
        came[t] = np.where(stay, np.arange(k), best)
        total = np.where(stay, total, switch) + score[t]
    path = np.empty(frames, dtype=np.int64)
    path[-1] = int(np.argmax(total))
    for t in range(frames - 1, 0, -1):
        path[t - 1] = came[t, path[t]]
    return path


def _turns(frames: np.ndarray, music: set[int]) -> tuple[list[Turn], dict[int, float]]:
    """Turns (speaker: the cluster number as text) from frame labels, and each cluster's seconds.

    Music frames make no turn. A turn under :data:`FLICKER` seconds between
    two turns of one voice (with no more than a flicker of silence around
    it) becomes theirs, and the three join.
    """
    import numpy as np

    runs: list[list[float]] = []  # [start, end, cluster]
    change = np.flatnonzero(np.diff(frames)) + 1
    bounds = [0, *change.tolist(), len(frames)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        c = int(frames[a])
        if c >= 0:
            runs.append([a * FRAME, b * FRAME, c])
    seconds: dict[int, float] = {}
    for run in runs:
        seconds[int(run[2])] = seconds.get(int(run[2]), 0.0) + (run[1] - run[0])
    speech = [r for r in runs if int(r[2]) not in music]
    changed = True
    while changed:
        changed = False
        for i in range(1, len(speech) - 1):
            prev, cur, nxt = speech[i - 1], speech[i], speech[i + 1]
            short = cur[1] - cur[0] < FLICKER
            near = cur[0] - prev[1] < FLICKER and nxt[0] - cur[1] < FLICKER
            if short and near and prev[2] == nxt[2] != cur[2]:
                seconds[int(cur[2])] -= cur[1] - cur[0]
                seconds[int(prev[2])] += cur[1] - cur[0]
                cur[2] = prev[2]
                changed = True
        merged: list[list[float]] = []
        for r in speech:
            if merged and merged[-1][2] == r[2] and r[0] - merged[-1][1] < 1e-6:
                merged[-1][1] = r[1]
            else:
                merged.append(list(r))
        speech = merged
    turns = [Turn(round(s, 2), round(e, 2), str(int(c))) for s, e, c in speech]
    return turns, seconds
