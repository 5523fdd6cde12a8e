"""Caption cues: a transcript cut into timed lines for WebVTT and SRT.

Cues are cut at word boundaries using the word timestamps, as few per segment
as fit and even in length, preferring a cut after punctuation or at a pause.
A cue never spans two segments, so never two speakers. Lines inside a cue are
broken evenly too (no lone last word).
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.transcribe.transcript import Segment, Transcript

__all__ = ["CUT_PAUSE", "MAX_LINES", "MAX_LINE_CHARS", "Cue", "make_cues"]

MAX_LINE_CHARS = 42
MAX_LINES = 2
# A cut between two words this far apart (seconds) reads as well as one at a comma.
CUT_PAUSE = 0.5
_CUT_PUNCTUATION = (",", ".", ";", ":", "?", "!")


@dataclass
class Cue:
    """One caption: its times, its display lines and its speaker.

    ``label`` is the speaker prefix (``"Name:"``) when the first line starts
    with one; it counts within the line budget like a word.
    """

    start: float
    end: float
    lines: list[str]
    speaker: str | None = None
    label: str | None = None


# A word as the cue splitter sees it: start, end, text.
_Timed = tuple[float, float, str]


def make_cues(
    transcript: Transcript,
    max_line_chars: int = MAX_LINE_CHARS,
    max_lines: int = MAX_LINES,
    *,
    label_turns: bool = False,
    speakers: bool = True,
) -> list[Cue]:
    """Cut the transcript into caption cues.

    A cue never spans two segments (so never two speakers), holds at most
    ``max_lines`` lines of at most ``max_line_chars`` characters (a single word
    longer than a line stands alone), and starts and ends on word timestamps.
    A segment without word timings has its words timed in proportion to their
    length. With ``label_turns`` the first cue of each speaker turn starts with
    ``"Name:"``, counted within the first line (SRT's convention). Cues come out
    in order and never overlap.
    """
    cues: list[Cue] = []
    previous_speaker: str | None = None
    for seg in transcript.segments:
        timed = _timed_words(seg)
        if not timed:
            continue
        # A name is one line of a cue: any line break or run of spaces in it is one space.
        speaker = " ".join(seg.speaker.split()) or None if speakers and seg.speaker else None
        label = None
        if label_turns and speaker and speaker != previous_speaker:
            label = f"{speaker}:"
        previous_speaker = speaker
        chunks = _balanced_chunks(timed, max_line_chars, max_lines, label)
        for i, chunk in enumerate(chunks):
            chunk_label = label if i == 0 else None
            tokens = ([chunk_label] if chunk_label else []) + [t for _, _, t in chunk]
            lines = _wrap(tokens, max_line_chars)
            if len(lines) > max_lines:  # only a label too long to share a line
                lines = [" ".join(lines)]
            cues.append(Cue(chunk[0][0], chunk[-1][1], lines, speaker, chunk_label))
    _untangle(cues)
    return cues


def _timed_words(seg: Segment) -> list[_Timed]:
    # A word with a line break inside would end its cue early: whitespace runs become one space.
    timed = [(w.start, max(w.start, w.end), " ".join(w.word.split())) for w in seg.words]
    timed = [t for t in timed if t[2]]
    if timed or not seg.text.strip():
        return timed
    # No word timings: share the segment's time out in proportion to word length.
    words = seg.text.split()
    total = sum(len(w) + 1 for w in words)
    span = max(0.0, seg.end - seg.start)
    out, at = [], 0
    for w in words:
        start = seg.start + span * at / total
        at += len(w) + 1
        out.append((start, seg.start + span * at / total, w))
    return out


def _untangle(cues: list[Cue]) -> None:
    """Round times to milliseconds and make cues ordered and non-overlapping.

    Whisper's word times can overlap across a segment boundary by a few
    hundredths; the earlier cue then ends where the next begins.
    """
    for cue in cues:
        cue.start, cue.end = round(cue.start, 3), round(max(cue.start, cue.end), 3)
    for prev, cue in zip(cues, cues[1:], strict=False):
        cue.start = max(cue.start, prev.start)
        cue.end = max(cue.end, cue.start)
        prev.end = min(prev.end, cue.start)


def _greedy_wrap(tokens: list[str], width: int) -> list[str]:
    """Greedy line fill; a token longer than ``width`` stands alone on its line."""
    lines: list[str] = []
    for t in tokens:
        if lines and len(lines[-1]) + 1 + len(t) <= width:
            lines[-1] += " " + t
        else:
            lines.append(t)
    return lines


def _wrap(tokens: list[str], width: int) -> list[str]:
    """Break a cue into as few lines as the greedy fill, but even in length.

    A greedy fill leaves a lone word on the last line ("Council has / not");
    this picks the breaks that keep lines near their average length, preferring
    a break after punctuation. A line longer than ``width`` only holds one token.
    """
    greedy = _greedy_wrap(tokens, width)
    n_lines, n = len(greedy), len(tokens)
    if n_lines < 2:
        return greedy
    lengths = [0]
    for t in tokens:
        lengths.append(lengths[-1] + len(t) + 1)
    target = (lengths[-1] - n_lines) / n_lines

    def cost(a: int, b: int) -> float | None:
        length = lengths[b] - lengths[a] - 1
        if length > width and b - a > 1:
            return None
        c = ((length - target) / target) ** 2
        return c + 0.5 if b < n and not tokens[b - 1].endswith(_CUT_PUNCTUATION) else c

    inf = float("inf")
    # best[k][i]: cost of tokens[:i] in k lines; back[k][i]: where the k-th line starts.
    best = [[inf] * (n + 1) for _ in range(n_lines + 1)]
    back = [[0] * (n + 1) for _ in range(n_lines + 1)]
    best[0][0] = 0.0
    for k in range(1, n_lines + 1):
        for b in range(1, n + 1):
            for a in range(b - 1, -1, -1):
                c = cost(a, b)
                if c is None:
                    break
                if best[k - 1][a] + c < best[k][b]:
                    best[k][b], back[k][b] = best[k - 1][a] + c, a
    lines, b = [], n
    for k in range(n_lines, 0, -1):
        a = back[k][b]
        lines.append(" ".join(tokens[a:b]))
        b = a
    return lines[::-1]


def _fit_ends(words: list[str], width: int, max_lines: int, label: str | None) -> list[int]:
    """For each start index, the end (exclusive) of the longest cue that fits there.

    Only a cue starting at 0 carries the label. A cue always holds at least one
    word, even one longer than the whole cue.
    """
    n = len(words)
    ends = []
    for start in range(n):
        lines, used = 1, 0
        if start == 0 and label:
            used = len(label)
        end = start
        while end < n:
            w = len(words[end])
            if used == 0:
                used = w
            elif used + 1 + w <= width:
                used += 1 + w
            elif lines < max_lines:
                lines, used = lines + 1, w
            else:
                break
            end += 1
        ends.append(max(end, start + 1))
    return ends


def _balanced_chunks(
    timed: list[_Timed], width: int, max_lines: int, label: str | None = None
) -> list[list[_Timed]]:
    """Split a segment's words into as few cues as fit, even in length, cut at punctuation.

    A greedy fill leaves a last cue of one or two words ("Nations.") that
    flashes by in half a second. Instead, a small dynamic programme picks the
    cut points: first the fewest cues, then each cue's length near the average,
    and a cut after a comma or full stop, or at a pause, is preferred to one
    inside a phrase.
    """
    words = [t for _, _, t in timed]
    n = len(words)
    ends = _fit_ends(words, width, max_lines, label)
    label_len = len(label) + 1 if label else 0
    n_cues, at = 0, 0
    while at < n:
        n_cues, at = n_cues + 1, ends[at]
    if n_cues == 1:
        return [timed]
    lengths = [0]
    for w in words:
        lengths.append(lengths[-1] + len(w) + 1)
    target = (lengths[-1] + label_len) / n_cues

    def cost(start: int, end: int) -> float:
        length = lengths[end] - lengths[start] + (label_len if start == 0 else 0)
        c = ((length - target) / target) ** 2
        in_phrase = end < n and not words[end - 1].endswith(_CUT_PUNCTUATION)
        if in_phrase and timed[end][0] - timed[end - 1][1] < CUT_PAUSE:
            c += 0.3
        return c

    # best[i]: (cues, cost) of the best cut of words[:i]; back[i]: where its last cue starts.
    inf = (n + 1, 0.0)
    best: list[tuple[int, float]] = [(0, 0.0)] + [inf] * n
    back = [0] * (n + 1)
    for start in range(n):
        if best[start] == inf:
            continue
        count, so_far = best[start]
        for end in range(start + 1, ends[start] + 1):
            candidate = (count + 1, so_far + cost(start, end))
            if candidate <= best[end]:  # on a tie, the later cut (as before)
                best[end], back[end] = candidate, start
    chunks, end = [], n
    while end > 0:
        chunks.append(timed[back[end] : end])
        end = back[end]
    return chunks[::-1]
