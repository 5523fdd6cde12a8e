"""Chapters: the JSON follows the Podcasting 2.0 chapters spec and matches the audio's own.

The spec (version 1.2): an object with a ``version`` string and a
``chapters`` array, in ascending ``startTime``; each chapter has a
``startTime`` in seconds and may have a ``title``, ``img``, ``url``, ``toc``
(false: a silent marker), ``endTime`` and a ``location`` with ``name`` and
``geo``. The chapters that show (``toc`` not false) must be the ones in the
audio file: ID3 CHAP frames in an MP3, Nero chapters in an MP4 (what mutagen
reads), ``CHAPTERnnn`` Vorbis comments in FLAC, Ogg and Opus.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from toolkit.check.model import Finding, error, warning

__all__ = ["CHAPTERS_TYPE", "EmbeddedChapter", "check_chapters", "embedded_chapters"]

CHECK = "chapters"
CHAPTERS_TYPE = "application/json+chapters"
#: Embedded chapters are stored in milliseconds; JSON times may carry more digits.
TOLERANCE = 0.05


@dataclass(frozen=True)
class EmbeddedChapter:
    start: float
    title: str


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _spec_problems(data: Any, path: Path, duration: float | None) -> list[Finding]:
    if not isinstance(data, dict):
        return [error(CHECK, path, None, "a chapters file is a JSON object")]
    found: list[Finding] = []
    if not isinstance(data.get("version"), str):
        found.append(error(CHECK, path, "version", "required: the format's version, a string"))
    chapters = data.get("chapters")
    if not isinstance(chapters, list):
        return [*found, error(CHECK, path, "chapters", "required: an array of chapters")]
    previous = None
    for i, chapter in enumerate(chapters):
        where = f"chapters[{i}]"
        if not isinstance(chapter, dict):
            found.append(error(CHECK, path, where, "a chapter is an object"))
            continue
        start = chapter.get("startTime")
        if not _number(start) or start < 0:
            found.append(error(CHECK, path, f"{where}.startTime", "required: seconds, 0 or more"))
            continue
        if previous is not None and start < previous:
            found.append(
                error(
                    CHECK,
                    path,
                    f"{where}.startTime",
                    f"{start:g} s comes before the chapter before it ({previous:g} s): "
                    "chapters are in ascending startTime",
                )
            )
        previous = start
        if duration is not None and start >= duration:
            found.append(
                error(
                    CHECK,
                    path,
                    f"{where}.startTime",
                    f"{start:g} s is past the end of the audio ({duration:g} s)",
                )
            )
        end = chapter.get("endTime")
        if end is not None and (not _number(end) or end < start):
            found.append(
                error(CHECK, path, f"{where}.endTime", "seconds, no earlier than startTime")
            )
        for key in ("title", "img", "url"):
            if key in chapter and not isinstance(chapter[key], str):
                found.append(error(CHECK, path, f"{where}.{key}", "must be a string"))
        if "toc" in chapter and not isinstance(chapter["toc"], bool):
            found.append(error(CHECK, path, f"{where}.toc", "must be true or false"))
        location = chapter.get("location")
        if location is not None and not (
            isinstance(location, dict)
            and isinstance(location.get("name"), str)
            and isinstance(location.get("geo"), str)
        ):
            found.append(
                error(CHECK, path, f"{where}.location", "an object with a name and a geo URI")
            )
    return found


_VORBIS_TIME = re.compile(r"^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")


def embedded_chapters(audio: Path) -> tuple[str, list[EmbeddedChapter]] | None:
    """The chapters stored in ``audio`` and their kind, or None when mutagen cannot read it."""
    import mutagen
    from mutagen.id3 import ID3FileType
    from mutagen.mp4 import MP4

    try:
        media = mutagen.File(audio)
    except mutagen.MutagenError:
        return None
    if media is None:
        return None
    if isinstance(media, ID3FileType) or (media.tags is not None and hasattr(media.tags, "getall")):
        frames = media.tags.getall("CHAP") if media.tags is not None else []
        chapters = [
            EmbeddedChapter(
                f.start_time / 1000,
                str(f.sub_frames["TIT2"].text[0]) if "TIT2" in f.sub_frames else "",
            )
            for f in frames
        ]
        return "ID3 CHAP", sorted(chapters, key=lambda c: c.start)
    if isinstance(media, MP4):
        return "MP4 (Nero)", [
            EmbeddedChapter(float(c.start), str(c.title)) for c in (media.chapters or [])
        ]
    tags = media.tags
    if tags is None:
        return "tags", []
    comments = {str(k).upper(): str(v[0]) for k, v in tags.items() if v}
    vorbis: list[EmbeddedChapter] = []
    for key, value in sorted(comments.items()):
        if re.fullmatch(r"CHAPTER\d{3}", key):
            match = _VORBIS_TIME.match(value)
            if match:
                h, m, s = match.groups()
                start = int(h) * 3600 + int(m) * 60 + float(s)
                vorbis.append(EmbeddedChapter(start, comments.get(f"{key}NAME", "")))
    return "Vorbis CHAPTERnnn", sorted(vorbis, key=lambda c: c.start)


def _compare(data: dict[str, Any], audio: Path) -> list[Finding]:
    read = embedded_chapters(audio)
    if read is None:
        return []  # the enclosure check reports an unreadable file
    kind, embedded = read
    visible = [
        EmbeddedChapter(float(c["startTime"]), str(c.get("title", "")))
        for c in data["chapters"]
        if isinstance(c, dict) and _number(c.get("startTime")) and c.get("toc") is not False
    ]
    if not embedded:
        return [
            warning(
                CHECK,
                audio,
                None,
                f"the chapters JSON has {len(visible)} chapter(s) but the audio carries none "
                f"({kind}); players that read the file's own chapters show none",
            )
        ]
    if len(embedded) != len(visible):
        return [
            error(
                CHECK,
                audio,
                kind,
                f"{len(embedded)} chapter(s) in the audio, {len(visible)} in the chapters JSON",
            )
        ]
    found: list[Finding] = []
    for i, (inner, listed) in enumerate(zip(embedded, visible, strict=True)):
        if abs(inner.start - listed.start) > TOLERANCE:
            found.append(
                error(
                    CHECK,
                    audio,
                    f"{kind} {i + 1}",
                    f"starts at {inner.start:g} s; the chapters JSON says {listed.start:g} s",
                )
            )
        elif inner.title.strip() != listed.title.strip():
            found.append(
                error(
                    CHECK,
                    audio,
                    f"{kind} {i + 1}",
                    f"titled {inner.title!r}; the chapters JSON says {listed.title!r}",
                )
            )
    return found


def check_chapters(
    path: Path, mime: str | None, audio: Path | None, duration: float | None, feed: Path, field: str
) -> list[Finding]:
    """Check one chapters file, and compare it with the chapters inside ``audio``."""
    found: list[Finding] = []
    if mime != CHAPTERS_TYPE:
        found.append(
            warning(CHECK, feed, field, f"type is {mime!r}; the spec's is {CHAPTERS_TYPE!r}")
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return [*found, error(CHECK, path, None, f"cannot read: {e}")]
    except json.JSONDecodeError as e:
        return [*found, error(CHECK, path, f"line {e.lineno}", f"not JSON: {e.msg}")]
    problems = _spec_problems(data, path, duration)
    found += problems
    if not problems and audio is not None and audio.is_file():
        found += _compare(data, audio)
    return found
