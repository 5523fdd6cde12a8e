"""Transcript files: each parses as the MIME type its ``podcast:transcript`` declares.

WebVTT, SRT, Podcasting 2.0 JSON and HTML are read by small strict readers
of their own (apps' readers are strict too: AntennaPod drops a file it cannot
parse), plain text only has to be UTF-8. Every cue must end after it starts
and start no earlier than the cue before it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeGuard

from toolkit.check.model import Finding, error, warning

__all__ = ["Cue", "TranscriptFormatError", "check_transcript", "read_cues"]

CHECK = "transcripts"
#: How far past the end of the audio a cue may run (encoder padding, rounding).
END_SLACK = 1.0


@dataclass(frozen=True)
class Cue:
    """One timed unit: a caption cue, a JSON segment or an HTML ``<time>``."""

    start: float
    end: float | None
    #: How to name it in a message: "cue 3", "segments[2]", "<time> 4".
    where: str


class TranscriptFormatError(ValueError):
    """A transcript that does not parse; ``where`` names the cue or line."""

    def __init__(self, where: str | None, message: str):
        self.where = where
        self.message = message
        super().__init__(message)


_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?$")
_SRT_TIMING = re.compile(
    r"^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})[ \t]+-->[ \t]+(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})"
    r"(?:[ \t].*)?$"
)


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _vtt(text: str) -> list[Cue]:
    if not re.match(r"^\ufeff?WEBVTT(?:[ \t].*)?$", text.split("\n", 1)[0].rstrip("\r")):
        raise TranscriptFormatError("line 1", "a WebVTT file must begin with 'WEBVTT'")
    cues: list[Cue] = []
    for first, lines in _blocks(text)[1:]:
        if lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing is None:
            raise TranscriptFormatError(f"line {first}", "a cue without a timing line")
        match = _VTT_TIMING.match(lines[timing].strip())
        where = f"cue {len(cues) + 1} (line {first + timing})"
        if match is None:
            raise TranscriptFormatError(
                where, f"bad timing {lines[timing].strip()!r} (want 00:00:01.000 --> 00:00:02.500)"
            )
        g = match.groups()
        cues.append(Cue(_seconds(*g[:4]), _seconds(*g[4:]), where))
    return cues


def _srt(text: str) -> list[Cue]:
    cues: list[Cue] = []
    for first, lines in _blocks(text.lstrip("\ufeff")):
        where = f"cue {len(cues) + 1} (line {first})"
        if not lines[0].strip().isdigit():
            raise TranscriptFormatError(where, f"expected the cue's number, got {lines[0]!r}")
        match = _SRT_TIMING.match(lines[1].strip()) if len(lines) > 1 else None
        if match is None:
            raise TranscriptFormatError(
                where, "expected a timing line like 00:00:01,000 --> 00:00:02,500"
            )
        if len(lines) < 3:
            raise TranscriptFormatError(where, "a cue without text")
        g = match.groups()
        cues.append(Cue(_seconds(*g[:4]), _seconds(*g[4:]), where))
    return cues


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json(text: str) -> list[Cue]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TranscriptFormatError(f"line {e.lineno}", f"not JSON: {e.msg}") from e
    if not isinstance(data, dict):
        raise TranscriptFormatError(None, "a JSON transcript is an object")
    if not isinstance(data.get("version"), str):
        raise TranscriptFormatError("version", "required: the format's version, a string")
    segments = data.get("segments")
    if not isinstance(segments, list):
        raise TranscriptFormatError("segments", "required: an array of segments")
    cues: list[Cue] = []
    for i, seg in enumerate(segments):
        where = f"segments[{i}]"
        if not isinstance(seg, dict):
            raise TranscriptFormatError(where, "a segment is an object")
        for key in ("startTime", "endTime"):
            if not _number(seg.get(key)):
                raise TranscriptFormatError(f"{where}.{key}", "required: a number of seconds")
        if not isinstance(seg.get("body"), str):
            raise TranscriptFormatError(f"{where}.body", "required: the words, a string")
        cues.append(Cue(float(seg["startTime"]), float(seg["endTime"]), where))
    return cues


class _Times(HTMLParser):
    """Collects the text of every ``<time>`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "time":
            self._inside = True
            self.times.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "time":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.times[-1] += data


_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):([0-5]\d)(?:[.,](\d{1,3}))?$")


def _html(text: str) -> list[Cue]:
    parser = _Times()
    parser.feed(text)
    parser.close()
    if not text.strip():
        raise TranscriptFormatError(None, "empty")
    cues: list[Cue] = []
    for i, value in enumerate(parser.times, 1):
        match = _CLOCK.match(value.strip())
        if match is None:
            raise TranscriptFormatError(f"<time> {i}", f"{value.strip()!r} is not a time")
        h, m, s, frac = match.groups()
        cues.append(Cue(_seconds(h, m, s, (frac or "0").ljust(3, "0")), None, f"<time> {i}"))
    return cues


def _plain(text: str) -> list[Cue]:
    if not text.strip():
        raise TranscriptFormatError(None, "empty")
    return []


READERS: dict[str, Callable[[str], list[Cue]]] = {
    "text/vtt": _vtt,
    "application/x-subrip": _srt,
    "application/srt": _srt,
    "text/srt": _srt,
    "application/x-srt": _srt,
    "application/json": _json,
    "text/html": _html,
    "text/plain": _plain,
}


def read_cues(text: str, mime: str) -> list[Cue]:
    """The cues of a transcript of type ``mime``; :class:`TranscriptFormatError` if bad."""
    reader = READERS.get(mime.split(";")[0].strip().lower())
    if reader is None:
        raise KeyError(mime)
    cues = reader(text)
    previous: Cue | None = None
    for cue in cues:
        if cue.end is not None and cue.end < cue.start:
            raise TranscriptFormatError(cue.where, f"ends ({cue.end:g} s) before it starts")
        if previous is not None and cue.start < previous.start:
            raise TranscriptFormatError(
                cue.where,
                f"starts at {cue.start:g} s, before the one before it ({previous.start:g} s): "
                "times must not go back",
            )
        previous = cue
    return cues


def check_transcript(
    path: Path, mime: str | None, duration: float | None, feed: Path, field: str
) -> list[Finding]:
    """Read one transcript file as ``mime`` says; ``duration`` is the audio's."""
    if not mime:
        return [error(CHECK, feed, field, "a podcast:transcript needs its type")]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        return [error(CHECK, path, None, f"not UTF-8 text ({e.reason} at byte {e.start})")]
    except OSError as e:
        return [error(CHECK, path, None, f"cannot read: {e}")]
    try:
        cues = read_cues(text, mime)
    except KeyError:
        return [warning(CHECK, feed, field, f"unknown transcript type {mime!r}; not checked")]
    except TranscriptFormatError as e:
        return [error(CHECK, path, e.where, f"not a valid {mime} transcript: {e.message}")]
    if duration is not None and cues:
        last = max(c.end if c.end is not None else c.start for c in cues)
        if last > duration + END_SLACK:
            return [
                error(
                    CHECK,
                    path,
                    None,
                    f"runs to {last:g} s, past the end of the audio ({duration:g} s)",
                )
            ]
    return []
