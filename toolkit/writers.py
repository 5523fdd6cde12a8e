"""Transcript writers: WebVTT, SRT, Podcasting 2.0 JSON and plain text.

Like whisper's ``ResultWriter`` family, each format is a small class with an
``extension`` and a ``render`` method, found through :func:`get_writer`.
Captions are cut into cues at word boundaries using the word timestamps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .transcript import Transcript

MAX_LINE_CHARS = 42
MAX_LINES = 2


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]
    speaker: str | None = None

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _wrap(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for w in words:
        if lines and len(lines[-1]) + 1 + len(w) <= width:
            lines[-1] += " " + w
        else:
            lines.append(w)
    return lines


def make_cues(
    transcript: Transcript, max_line_chars: int = MAX_LINE_CHARS, max_lines: int = MAX_LINES
) -> list[Cue]:
    """Cut the transcript into caption cues.

    A cue never spans two segments (so never two speakers), holds at most
    ``max_lines`` lines of at most ``max_line_chars`` characters (a single word
    longer than a line stands alone), and starts and ends on word timestamps.
    """
    cues: list[Cue] = []
    for seg in transcript.segments:
        timed = [(w.start, w.end, w.word.strip()) for w in seg.words if w.word.strip()]
        if not timed:  # no word timings: the segment is one cue
            if seg.text.strip():
                lines = _wrap(seg.text.split(), max_line_chars)
                for i in range(0, len(lines), max_lines):
                    cues.append(Cue(seg.start, seg.end, lines[i : i + max_lines], seg.speaker))
            continue
        for chunk in _balanced_chunks(timed, max_line_chars, max_lines):
            cues.append(_cue(chunk, max_line_chars, seg.speaker))
    return cues


def _fits(words: list[str], width: int, max_lines: int) -> bool:
    return len(_wrap(words, width)) <= max_lines


def _balanced_chunks(
    timed: list[tuple[float, float, str]], width: int, max_lines: int
) -> list[list[tuple[float, float, str]]]:
    """Split a segment's words into as few cues as fit, even in length, cut at punctuation.

    A greedy fill leaves a last cue of one or two words ("Nations.") that
    flashes by in half a second. Instead, a small dynamic programme picks the
    cut points: each cue's length should be near the average, and a cut after
    a comma or full stop is preferred to one inside a phrase.
    """
    words = [t for _, _, t in timed]
    n_words = len(words)
    # The fewest cues that fit, from a greedy fill.
    n_cues, current = 1, []
    for w in words:
        if current and not _fits(current + [w], width, max_lines):
            n_cues, current = n_cues + 1, []
        current.append(w)
    if n_cues == 1:
        return [timed]
    target = sum(len(w) + 1 for w in words) / n_cues
    inf = float("inf")
    # best[k][i]: cost of cutting words[:i] into k cues; back[k][i]: where the last cue starts.
    best = [[inf] * (n_words + 1) for _ in range(n_cues + 1)]
    back = [[0] * (n_words + 1) for _ in range(n_cues + 1)]
    best[0][0] = 0.0
    for k in range(1, n_cues + 1):
        for end in range(1, n_words + 1):
            for start in range(end - 1, -1, -1):
                chunk = words[start:end]
                if not _fits(chunk, width, max_lines):
                    break
                if best[k - 1][start] == inf:
                    continue
                length = sum(len(w) + 1 for w in chunk)
                cost = ((length - target) / target) ** 2
                if end < n_words and not chunk[-1].endswith((",", ".", ";", ":", "?", "!")):
                    cost += 0.3
                if best[k - 1][start] + cost < best[k][end]:
                    best[k][end] = best[k - 1][start] + cost
                    back[k][end] = start
    cuts, end = [], n_words
    for k in range(n_cues, 0, -1):
        cuts.append((back[k][end], end))
        end = back[k][end]
    return [timed[a:b] for a, b in reversed(cuts)]


def _cue(words: list[tuple[float, float, str]], width: int, speaker: str | None) -> Cue:
    return Cue(words[0][0], words[-1][1], _wrap([t for _, _, t in words], width), speaker)


def _timestamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


class TranscriptWriter:
    extension: str
    mime_type: str

    def render(self, transcript: Transcript) -> str:
        raise NotImplementedError


class WriteVTT(TranscriptWriter):
    extension = "vtt"
    mime_type = "text/vtt"

    def render(self, transcript: Transcript) -> str:
        out = ["WEBVTT", ""]
        for cue in make_cues(transcript):
            out.append(f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}")
            lines = [_vtt_escape(line) for line in cue.lines]
            if cue.speaker:
                lines[0] = f"<v {_vtt_escape(cue.speaker)}>{lines[0]}"
            out.extend(lines)
            out.append("")
        return "\n".join(out)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class WriteSRT(TranscriptWriter):
    extension = "srt"
    mime_type = "application/x-subrip"

    def render(self, transcript: Transcript) -> str:
        out: list[str] = []
        for i, cue in enumerate(make_cues(transcript), start=1):
            lines = list(cue.lines)
            if cue.speaker:
                lines[0] = f"{cue.speaker}: {lines[0]}"
            out += [str(i), f"{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}"]
            out += lines + [""]
        return "\n".join(out)


class WriteJSON(TranscriptWriter):
    """The Podcasting 2.0 JSON transcript format, one entry per segment."""

    extension = "json"
    mime_type = "application/json"

    def render(self, transcript: Transcript) -> str:
        segments = []
        for seg in transcript.segments:
            entry = {"startTime": seg.start, "endTime": seg.end, "body": seg.text.strip()}
            if seg.speaker:
                entry = {"speaker": seg.speaker, **entry}
            segments.append(entry)
        return json.dumps({"version": "1.0.0", "segments": segments}, indent=2, ensure_ascii=False)


class WriteTXT(TranscriptWriter):
    """Plain text: one paragraph per speaker turn, or per pause of 2 s or more."""

    extension = "txt"
    mime_type = "text/plain"
    pause = 2.0

    def render(self, transcript: Transcript) -> str:
        paragraphs: list[list[str]] = []
        prev = None
        for seg in transcript.segments:
            text = seg.text.strip()
            if not text:
                continue
            new_turn = prev is None or seg.speaker != prev.speaker
            if new_turn or seg.start - prev.end >= self.pause:
                paragraphs.append([f"{seg.speaker}: {text}" if seg.speaker else text])
            else:
                paragraphs[-1].append(text)
            prev = seg
        return "\n\n".join(" ".join(p) for p in paragraphs) + "\n"


WRITERS: dict[str, type[TranscriptWriter]] = {
    w.extension: w for w in (WriteVTT, WriteSRT, WriteJSON, WriteTXT)
}


def get_writer(fmt: str) -> TranscriptWriter:
    """The writer for a format name (vtt, srt, json, txt)."""
    try:
        return WRITERS[fmt]()
    except KeyError:
        raise ValueError(
            f"unknown transcript format {fmt!r}; choose from {', '.join(WRITERS)}"
        ) from None
