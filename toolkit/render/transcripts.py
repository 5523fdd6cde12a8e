"""Transcript writers: WebVTT, SRT, Podcasting 2.0 JSON, plain text and HTML.

Like whisper's ``ResultWriter`` family, each format is a small class with an
``extension``, a ``mime_type`` and a ``render`` method, found through
:func:`get_writer`. A :class:`WriterOptions` sets the caption line length, the
lines per cue, word-level JSON and the paragraph pause; every field has a default,
so ``get_writer(fmt)`` alone gives the standard output.

Captions are cut into cues at word boundaries using the word timestamps. A cue
never spans two segments, so never two speakers.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from toolkit.transcribe.transcript import Segment, Transcript

MAX_LINE_CHARS = 42
MAX_LINES = 2
PARAGRAPH_PAUSE = 2.0
# A cut between two words this far apart (seconds) reads as well as one at a comma.
CUT_PAUSE = 0.5
_CUT_PUNCTUATION = (",", ".", ";", ":", "?", "!")


@dataclass(frozen=True)
class WriterOptions:
    """How the writers lay out a transcript.

    ``max_line_chars`` and ``max_lines`` bound caption cues (VTT, SRT): a line
    longer than ``max_line_chars`` only holds a single word that is longer than
    a line. ``words`` makes the JSON writer emit one entry per word.
    ``speakers`` writes speaker names where the transcript knows them.
    ``paragraph_pause`` is the silence (seconds) that starts a new paragraph in
    the plain text and HTML writers, besides a change of speaker.
    """

    max_line_chars: int = MAX_LINE_CHARS
    max_lines: int = MAX_LINES
    words: bool = False
    speakers: bool = True
    paragraph_pause: float = PARAGRAPH_PAUSE

    def __post_init__(self) -> None:
        if self.max_line_chars < 1:
            raise ValueError(f"max_line_chars must be at least 1, not {self.max_line_chars}")
        if self.max_lines < 1:
            raise ValueError(f"max_lines must be at least 1, not {self.max_lines}")
        if self.paragraph_pause < 0:
            raise ValueError(f"paragraph_pause must not be negative, not {self.paragraph_pause}")


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

    @property
    def text(self) -> str:
        """The spoken words of the cue, without the speaker label."""
        joined = " ".join(self.lines)
        if self.label:
            joined = joined[len(self.label) :].lstrip()
        return joined


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
        speaker = seg.speaker if speakers else None
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
    timed = [(w.start, max(w.start, w.end), w.word.strip()) for w in seg.words if w.word.strip()]
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


def _timestamp(seconds: float, sep: str) -> str:
    """``hh:mm:ss.ttt`` (VTT, ``sep="."``) or ``hh:mm:ss,mmm`` (SRT, ``sep=","``)."""
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clock(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``, rounded down, as in the namespace's HTML example."""
    s = max(0, int(seconds))
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _ms(seconds: float) -> float:
    return round(seconds, 3)


@dataclass
class Paragraph:
    """A run of segments by one speaker with no long pause inside."""

    speaker: str | None
    start: float
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def paragraphs(
    transcript: Transcript, pause: float = PARAGRAPH_PAUSE, speakers: bool = True
) -> Iterator[Paragraph]:
    """Group segments into paragraphs: a new one at each speaker turn or pause."""
    current: Paragraph | None = None
    prev_end = 0.0
    for seg in transcript.segments:
        text = seg.text.strip()
        if not text:
            continue
        speaker = seg.speaker if speakers else None
        if current is None or speaker != current.speaker or seg.start - prev_end >= pause:
            if current is not None:
                yield current
            current = Paragraph(speaker, seg.start)
        current.texts.append(text)
        prev_end = seg.end
    if current is not None:
        yield current


class TranscriptWriter:
    """Renders a transcript as one file format."""

    extension: str
    mime_type: str

    def __init__(self, options: WriterOptions | None = None) -> None:
        self.options = options or WriterOptions()

    def render(self, transcript: Transcript) -> str:
        raise NotImplementedError

    def cues(self, transcript: Transcript, label_turns: bool = False) -> list[Cue]:
        o = self.options
        return make_cues(
            transcript, o.max_line_chars, o.max_lines, label_turns=label_turns, speakers=o.speakers
        )


class WriteVTT(TranscriptWriter):
    """WebVTT captions; each cue of a known speaker opens with ``<v Name>``.

    The voice tag is markup, not displayed text (players show the name apart
    or not at all), so it does not count within the line length.
    """

    extension = "vtt"
    mime_type = "text/vtt"

    def render(self, transcript: Transcript) -> str:
        out = ["WEBVTT", ""]
        for cue in self.cues(transcript):
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
    """SRT captions; the first cue of each speaker turn starts with ``Name:``.

    The label is displayed text, so it counts within the first line's length.
    """

    extension = "srt"
    mime_type = "application/x-subrip"

    def render(self, transcript: Transcript) -> str:
        out: list[str] = []
        for i, cue in enumerate(self.cues(transcript, label_turns=True), start=1):
            out += [str(i), f"{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}"]
            out += cue.lines + [""]
        return "\n".join(out)


class WriteJSON(TranscriptWriter):
    """The Podcasting 2.0 JSON transcript format.

    One entry per segment, or with ``words=True`` one per word (a segment
    without word timings then stays one entry). ``speaker`` is set when known.
    """

    extension = "json"
    mime_type = "application/json"

    def render(self, transcript: Transcript) -> str:
        entries = []
        for seg in transcript.segments:
            speaker = seg.speaker if self.options.speakers else None
            words = [w for w in seg.words if w.word.strip()] if self.options.words else []
            if words:
                entries += [_entry(speaker, w.start, w.end, w.word) for w in words]
            elif seg.text.strip():
                entries.append(_entry(speaker, seg.start, seg.end, seg.text))
        data = {"version": "1.0.0", "segments": entries}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _entry(speaker: str | None, start: float, end: float, body: str) -> dict[str, object]:
    entry: dict[str, object] = {"speaker": speaker} if speaker else {}
    entry |= {"startTime": _ms(start), "endTime": _ms(max(start, end)), "body": body.strip()}
    return entry


class WriteTXT(TranscriptWriter):
    """Plain text: one paragraph per speaker turn or pause, ``Name:`` before each."""

    extension = "txt"
    mime_type = "text/plain"

    def render(self, transcript: Transcript) -> str:
        o = self.options
        out = [
            f"{p.speaker}: {p.text}" if p.speaker else p.text
            for p in paragraphs(transcript, o.paragraph_pause, o.speakers)
        ]
        return "\n\n".join(out) + "\n" if out else ""


class WriteHTML(TranscriptWriter):
    """The Podcasting 2.0 HTML transcript: per paragraph ``<cite>``, ``<time>``, ``<p>``.

    The same fragment as the namespace's example: ``<cite>Name:</cite>`` (left
    out when the speaker is unknown), ``<time>m:ss</time>``, then ``<p>text</p>``.
    """

    extension = "html"
    mime_type = "text/html"

    def render(self, transcript: Transcript) -> str:
        o = self.options
        out: list[str] = []
        for p in paragraphs(transcript, o.paragraph_pause, o.speakers):
            if p.speaker:
                out.append(f"<cite>{_html_escape(p.speaker)}:</cite>")
            out.append(f"<time>{_clock(p.start)}</time>")
            out.append(f"<p>{_html_escape(p.text)}</p>")
        return "\n".join(out) + "\n" if out else ""


def _html_escape(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


WRITERS: dict[str, type[TranscriptWriter]] = {
    w.extension: w for w in (WriteVTT, WriteSRT, WriteJSON, WriteTXT, WriteHTML)
}


def get_writer(fmt: str, options: WriterOptions | None = None) -> TranscriptWriter:
    """The writer for a format name (vtt, srt, json, txt, html), with its options."""
    try:
        cls = WRITERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown transcript format {fmt!r}; choose from {', '.join(WRITERS)}"
        ) from None
    return cls(options)
