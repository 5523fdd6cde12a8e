"""Transcript writers: WebVTT, SRT, Podcasting 2.0 JSON, plain text and HTML.

Like whisper's ``ResultWriter`` family, each format is a small class with an
``extension``, a ``mime_type`` and a ``render`` method, found through
:func:`get_writer`. A :class:`WriterOptions` sets the caption line length, the
lines per cue, word-level JSON and the paragraph pause; every field has a default,
so ``get_writer(fmt)`` alone gives the standard output. The caption formats
(VTT, SRT) take their cues from :mod:`toolkit.render.captions`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from toolkit.render.captions import MAX_LINE_CHARS, MAX_LINES, Cue, make_cues
from toolkit.transcribe.sentences import ends_sentence
from toolkit.transcribe.transcript import Transcript

if TYPE_CHECKING:
    from toolkit.config import Show

__all__ = [
    "PARAGRAPH_PAUSE",
    "WRITERS",
    "TranscriptWriter",
    "WriteHTML",
    "WriteJSON",
    "WriteSRT",
    "WriteTXT",
    "WriteVTT",
    "WriterOptions",
    "clock",
    "get_writer",
    "paragraphs",
    "writer_options",
]

PARAGRAPH_PAUSE = 2.0


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


def writer_options(show: Show) -> WriterOptions:
    """The transcript layout ``show.toml``'s ``[transcripts]`` asks for."""
    t = show.transcripts
    return WriterOptions(
        max_line_chars=t.max_line_chars,
        max_lines=t.max_lines,
        words=t.word_level,
        speakers=t.speakers,
        paragraph_pause=t.paragraph_pause,
    )


def _timestamp(seconds: float, sep: str) -> str:
    """``hh:mm:ss.ttt`` (VTT, ``sep="."``) or ``hh:mm:ss,mmm`` (SRT, ``sep=","``)."""
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def clock(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``, rounded down, as in the namespace's HTML example."""
    s = max(0, int(seconds))
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _ms(seconds: float) -> float:
    return round(seconds, 3)


@dataclass
class Paragraph:
    """A run of whole sentences by one speaker with no long pause inside."""

    speaker: str | None
    start: float
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.texts)


#: A paragraph runs at least this long (seconds) before it may end at a sentence ...
PARAGRAPH_MIN = 15.0
#: ... and ends at the sentence boundary after the longest pause before this long.
PARAGRAPH_MAX = 45.0


@dataclass
class _Sentence:
    speaker: str | None
    start: float
    end: float
    texts: list[str]


def _sentences(transcript: Transcript, speakers: bool) -> list[_Sentence]:
    """The segments joined into whole sentences (a sentence never spans two speakers)."""
    out: list[_Sentence] = []
    open_ = False
    for seg in transcript.segments:
        text = seg.text.strip()
        if not text:
            continue
        speaker = seg.speaker if speakers else None
        if open_ and out and out[-1].speaker == speaker:
            out[-1].texts.append(text)
            out[-1].end = seg.end
        else:
            out.append(_Sentence(speaker, seg.start, seg.end, [text]))
        last = seg.words[-1].word if seg.words else text
        open_ = not ends_sentence(last)
    return out


def paragraphs(
    transcript: Transcript, pause: float = PARAGRAPH_PAUSE, speakers: bool = True
) -> Iterator[Paragraph]:
    """Group the transcript's sentences into paragraphs.

    A new paragraph starts at each change of speaker and after a silence of
    ``pause`` seconds. Within one speaker's long run (or a transcript without
    speakers) a paragraph also ends between two sentences once it has run
    :data:`PARAGRAPH_MIN` seconds: at the longest pause between sentences
    before :data:`PARAGRAPH_MAX` seconds, so paragraphs follow the talk's
    own breaks. A paragraph always holds whole sentences.
    """
    sentences = _sentences(transcript, speakers)
    i = 0
    while i < len(sentences):
        first = sentences[i]
        par = Paragraph(first.speaker, first.start, list(first.texts))
        j = i + 1
        # Where this paragraph may end: before a turn, a long pause, or the best break.
        hard = j
        while hard < len(sentences):
            nxt, prev = sentences[hard], sentences[hard - 1]
            if nxt.speaker != first.speaker or nxt.start - prev.end >= pause:
                break
            hard += 1
        breaks = [
            k
            for k in range(j, hard)
            if PARAGRAPH_MIN <= sentences[k].start - first.start <= PARAGRAPH_MAX
        ]
        if breaks:
            end = max(breaks, key=lambda k: (sentences[k].start - sentences[k - 1].end, -k))
        else:
            late = [k for k in range(j, hard) if sentences[k].start - first.start > PARAGRAPH_MAX]
            end = late[0] if late else hard
        for sentence in sentences[j:end]:
            par.texts.extend(sentence.texts)
        yield par
        i = end


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
            out.append(f"<time>{clock(p.start)}</time>")
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
