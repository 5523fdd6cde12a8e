"""Read a file's tags and chapters back, whatever its container.

:func:`read_tags` gives one :class:`FileTags` for an MP3 (ID3v2), an
M4A/M4B (MP4 atoms; Nero ``chpl`` chapters, or the QuickTime chapter track
through ffprobe), a FLAC, an Ogg Vorbis or an Opus file (Vorbis comments and
their ``CHAPTERnnn`` chapters). The writers' read-back check, ``toolkit
tags``, ``toolkit new-episode`` and ``[publish] keep_source_chapters`` all
read through it.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mutagen import MutagenError

from toolkit.errors import AudioError, TaggingError
from toolkit.tag.model import ChapterTag, Picture

__all__ = ["FileTags", "read_tags", "vorbis_time"]

READABLE = "MP3, M4A/M4B, FLAC, Ogg Vorbis or Opus"


@dataclass
class FileTags:
    """What a file's tag says, in one shape for every container."""

    path: Path
    format: str  # "MP3", "MP4", "FLAC", "Ogg Vorbis", "Ogg Opus"
    tag: str  # "ID3v2.3", "MP4 atoms", "Vorbis comments", or "none"
    duration: float | None = None
    title: str | None = None
    album: str | None = None
    artist: str | None = None
    date: str | None = None
    description: str | None = None
    comment: str | None = None
    number: int | None = None
    season: int | None = None
    genre: str | None = None
    podcast: bool = False
    feed_url: str | None = None
    guid: str | None = None
    url: str | None = None
    keywords: list[str] = field(default_factory=list)
    transcript: str | None = None
    artwork: Picture | None = None
    chapters: list[ChapterTag] = field(default_factory=list)
    #: Where the chapters came from: "ID3 CHAP", "Nero chpl", "QuickTime chapters"
    #: or "Vorbis CHAPTERnnn"; None without chapters.
    chapter_format: str | None = None
    #: Whether the file stores its chapters in time order (players list them as stored).
    chapters_in_order: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: pictures are summarised (MIME type, size), never their bytes."""
        out = asdict(self)
        out["path"] = str(self.path)
        out["artwork"] = _picture_dict(self.artwork)
        for ch, tagged in zip(out["chapters"], self.chapters, strict=True):
            ch["image"] = _picture_dict(tagged.image)
        return out


def _picture_dict(picture: Picture | None) -> dict[str, Any] | None:
    if picture is None:
        return None
    return {
        "mime": picture.mime,
        "width": picture.width,
        "height": picture.height,
        "bytes": len(picture.data),
    }


def _picture(data: bytes, mime: str | None = None) -> Picture:
    """A picture with its size in pixels when Pillow can tell it."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            kind = {"JPEG": "image/jpeg", "PNG": "image/png"}.get(im.format or "", mime or "")
            return Picture(data, kind or "application/octet-stream", im.width, im.height)
    except (UnidentifiedImageError, OSError):
        return Picture(data, mime or "application/octet-stream")


def _int(value: Any) -> int | None:
    """A track-style number: "4", "4/10", 4 or (4, 10); None when there is none."""
    if isinstance(value, tuple):
        value = value[0] if value else None
    if isinstance(value, int):
        return value or None
    m = re.match(r"\s*(\d+)", str(value or ""))
    return (int(m.group(1)) or None) if m else None


def _first(values: Any) -> str | None:
    if not values:
        return None
    text = str(values[0])
    return text if text.strip() else None


def read_tags(path: Path) -> FileTags:
    """The tags and chapters of ``path``; raises :class:`TaggingError` naming it."""
    import mutagen
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    path = Path(path)
    if not path.is_file():
        raise TaggingError("file not found", path)
    with open(path, "rb") as f:
        head = f.read(3)
    try:
        if head == b"ID3":  # an MP3, or a bare ID3 tag
            return _read_id3(path)
        audio = mutagen.File(path)
    except MutagenError as e:
        raise TaggingError(f"cannot read the tags ({e})", path) from e
    if isinstance(audio, MP3):
        return _read_id3(path)
    if isinstance(audio, MP4):
        return _read_mp4(path, audio)
    if isinstance(audio, FLAC):
        return _read_vorbis(path, audio, "FLAC")
    if isinstance(audio, OggVorbis):
        return _read_vorbis(path, audio, "Ogg Vorbis")
    if isinstance(audio, OggOpus):
        return _read_vorbis(path, audio, "Ogg Opus")
    raise TaggingError(f"not a file whose tags the toolkit reads ({READABLE})", path)


# --- ID3 ------------------------------------------------------------------------
def _read_id3(path: Path) -> FileTags:
    from mutagen.id3 import ID3, Frames, ID3NoHeaderError
    from mutagen.mp3 import MP3, HeaderNotFoundError

    from toolkit.tag.id3 import WFED

    try:
        # WFED as iTunes writes it (a text frame); mutagen's own class is a URL frame.
        id3 = ID3(path, known_frames={**Frames, "WFED": WFED})
    except ID3NoHeaderError:
        id3 = ID3()
    try:
        mp3: Any = MP3(path)
        duration: float | None = mp3.info.length
        fmt = "MP3"
    except HeaderNotFoundError:
        duration, fmt = None, "ID3 tag"
    text = {key: _first(id3[key].text) for key in id3 if hasattr(id3[key], "text")}
    out = FileTags(path, fmt, f"ID3v2.{id3.version[1]}" if id3.version else "none", duration)
    out.title, out.album, out.artist = text.get("TIT2"), text.get("TALB"), text.get("TPE1")
    date = id3.get("TDRC")
    out.date = str(date.text[0]) if date is not None and date.text else None
    comments = [c for c in id3.getall("COMM") if c.text and not c.desc.startswith("ID3v1")]
    out.comment = _first(comments[0].text) if comments else None
    out.description = text.get("TDES") or out.comment
    out.number, out.season = _int(text.get("TRCK")), _int(text.get("TPOS"))
    out.genre = text.get("TCON")
    out.podcast = "PCST" in id3 and id3["PCST"].value == 1
    out.feed_url = text.get("WFED")
    if out.feed_url is None:  # a WFED written as mutagen's URL frame
        plain = ID3(path).get("WFED")
        out.feed_url = (plain.url or None) if plain is not None else None
    out.guid = text.get("TGID")
    woas = id3.get("WOAS")
    out.url = woas.url if woas is not None else None
    out.keywords = [k.strip() for k in (text.get("TKWD") or "").split(",") if k.strip()]
    lyrics = id3.getall("USLT")
    out.transcript = lyrics[0].text if lyrics else None
    covers = sorted(id3.getall("APIC"), key=lambda a: a.type != 3)  # the front cover first
    out.artwork = _picture(covers[0].data, covers[0].mime) if covers else None
    out.chapters, out.chapters_in_order = _id3_chapters(id3)
    out.chapter_format = "ID3 CHAP" if out.chapters else None
    return out


def _id3_chapters(id3: Any) -> tuple[list[ChapterTag], bool]:
    """The CHAP frames by start time, and whether the file stores them in that order."""
    stored = id3.getall("CHAP")  # mutagen keeps the file's order
    starts = [c.start_time for c in stored]
    out = []
    for chap in sorted(stored, key=lambda c: c.start_time):
        sub = chap.sub_frames
        title, desc = sub.get("TIT2"), sub.get("TIT3")
        links, images = sub.getall("WXXX"), sub.getall("APIC")
        out.append(
            ChapterTag(
                start=chap.start_time / 1000,
                title=(_first(title.text) or "") if title is not None else "",
                end=chap.end_time / 1000 if chap.end_time > 0 else None,
                url=links[0].url if links else None,
                image=_picture(images[0].data, images[0].mime) if images else None,
                description=_first(desc.text) if desc is not None else None,
            )
        )
    return out, starts == sorted(starts)


# --- MP4 ------------------------------------------------------------------------
def _read_mp4(path: Path, mp4: Any) -> FileTags:
    tags = mp4.tags or {}

    def text(key: str) -> str | None:
        return _first(tags.get(key))

    out = FileTags(path, "MP4", "MP4 atoms" if mp4.tags is not None else "none", mp4.info.length)
    out.title, out.album, out.artist = text("©nam"), text("©alb"), text("©ART")
    out.date = text("©day")
    out.description = text("ldes") or text("desc")
    out.comment = text("©cmt")
    trkn = tags.get("trkn")
    out.number = _int(tags["tves"][0]) if "tves" in tags else _int(trkn[0]) if trkn else None
    out.season = _int(tags["tvsn"][0]) if "tvsn" in tags else None
    out.genre = text("©gen")
    out.podcast = bool(tags.get("pcst"))
    out.feed_url, out.guid = text("purl"), text("egid")
    out.keywords = [k.strip() for k in (text("keyw") or "").split(",") if k.strip()]
    out.transcript = text("©lyr")
    covers = tags.get("covr") or []
    if covers:
        mime = "image/png" if covers[0].imageformat == covers[0].FORMAT_PNG else "image/jpeg"
        out.artwork = _picture(bytes(covers[0]), mime)
    if mp4.chapters:
        out.chapters = [ChapterTag(c.start, c.title) for c in mp4.chapters]
        out.chapters_in_order = _ordered(out.chapters)
        out.chapters.sort(key=lambda c: c.start)
        out.chapter_format = "Nero chpl"
    else:
        out.chapters = _ffprobe_chapters(path)
        out.chapter_format = "QuickTime chapters" if out.chapters else None
    _fill_ends(out.chapters, mp4.info.length)
    return out


def _ffprobe_chapters(path: Path) -> list[ChapterTag]:
    from toolkit.audio import probe_chapters

    try:
        found = probe_chapters(path)
    except AudioError:
        return []
    return [ChapterTag(start, title, end) for start, end, title in found]


def _ordered(chapters: list[ChapterTag]) -> bool:
    starts = [c.start for c in chapters]
    return starts == sorted(starts)


def _fill_ends(chapters: list[ChapterTag], duration: float | None) -> None:
    for i, ch in enumerate(chapters):
        if ch.end is None:
            ch.end = chapters[i + 1].start if i + 1 < len(chapters) else duration


# --- Vorbis comments ----------------------------------------------------------------
_CHAPTER = re.compile(r"^CHAPTER(\d+)$")


def vorbis_time(value: str) -> float:
    """``HH:MM:SS.mmm`` (or ``HH:MM:SS``) in seconds; ValueError when malformed."""
    m = re.fullmatch(r"\s*(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)\s*", value)
    if not m:
        raise ValueError(f"not a chapter time (HH:MM:SS.mmm): {value!r}")
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def _read_vorbis(path: Path, audio: Any, fmt: str) -> FileTags:
    from mutagen.flac import Picture as FlacPicture

    comments: dict[str, list[str]] = {}
    for key, value in audio.tags or []:
        comments.setdefault(key.upper(), []).append(value)

    def text(key: str) -> str | None:
        return _first(comments.get(key))

    out = FileTags(path, fmt, "Vorbis comments" if audio.tags is not None else "none")
    out.duration = audio.info.length
    out.title, out.album, out.artist = text("TITLE"), text("ALBUM"), text("ARTIST")
    out.date = text("DATE")
    out.comment = text("COMMENT")
    out.description = text("PODCASTDESC") or text("DESCRIPTION") or out.comment
    out.number = _int(text("TRACKNUMBER"))
    out.season = _int(text("DISCNUMBER"))
    out.genre = text("GENRE")
    out.podcast = text("PODCAST") == "1"
    out.feed_url, out.guid = text("PODCASTURL"), text("PODCASTID")
    out.keywords = [k.strip() for k in (text("PODCASTKEYWORDS") or "").split(",") if k.strip()]
    lyrics = comments.get("LYRICS")
    out.transcript = lyrics[0] if lyrics else None
    pictures = list(getattr(audio, "pictures", []))
    for b64 in comments.get("METADATA_BLOCK_PICTURE", []):
        try:
            pictures.append(FlacPicture(base64.b64decode(b64)))
        except (binascii.Error, ValueError, struct.error, MutagenError):
            continue
    pictures.sort(key=lambda p: p.type != 3)
    out.artwork = _picture(pictures[0].data, pictures[0].mime) if pictures else None
    found = []
    for key, values in comments.items():
        m = _CHAPTER.match(key)
        if not m:
            continue
        try:
            start = vorbis_time(values[0])
        except ValueError:
            continue
        n = m.group(1)
        name, link = comments.get(f"CHAPTER{n}NAME"), comments.get(f"CHAPTER{n}URL")
        found.append(ChapterTag(start, name[0] if name else "", url=link[0] if link else None))
    out.chapters_in_order = _ordered(found)
    out.chapters = sorted(found, key=lambda c: c.start)
    _fill_ends(out.chapters, out.duration)
    out.chapter_format = "Vorbis CHAPTERnnn" if out.chapters else None
    return out
