"""The ID3 writer: an episode's tags in an MP3's ID3v2.3 (or v2.4) tag.

- The date goes where the version wants it: TYER (year) and TDAT (DDMM) in
  v2.3, TDRC in v2.4.
- Podcast frames as iTunes writes them: PCST (1), WFED (the feed URL), TGID
  (the guid), TDES (the description), TKWD (keywords) and TCON "Podcast".
- Chapters are ID3 chapter frames: a top-level ordered CTOC and one CHAP
  each, with TIT2 (title), TIT3 (description), WXXX (link) and APIC (image)
  sub-frames. mutagen orders frames by size when it saves; ffprobe and most
  players list CHAP frames in file order, so the CHAP frames are put back in
  time order in the saved tag (:class:`_ChaptersInTimeOrder`).
- The artwork is one APIC (front cover), the transcript one USLT.

WFED is not a URL frame as mutagen models it (no encoding byte) but a text
frame, as iTunes, TagLib, eyeD3 and Mp3tag write and read it: an encoding
byte, the URL and a terminator. mutagen 1.48 reads that layout as an empty
URL; :func:`toolkit.tag.read.read_tags` reads both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDAT,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TIT3,
    TKWD,
    TLEN,
    TPE1,
    TPOS,
    TRCK,
    TYER,
    USLT,
    WOAS,
    WXXX,
    CTOCFlags,
    Frame,
    ID3NoHeaderError,
    TextFrame,
)
from mutagen.mp3 import MP3, HeaderNotFoundError

from toolkit.errors import TaggingError
from toolkit.tag.artwork import load_artwork
from toolkit.tag.check import check_tags
from toolkit.tag.model import EpisodeTags, Picture, TagOptions

__all__ = ["write_id3"]

CHAPTER_TOC = "toc"


class WFED(TextFrame):
    """iTunes' podcast feed URL, in the layout iTunes writes: a text frame."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        TextFrame.__init__(self, *args, **kwargs)


class _ChaptersInTimeOrder(ID3):
    """An ID3 tag that saves its CHAP frames in time order.

    mutagen sorts the frames it saves by size; the CHAP frames are then put
    back, in order of start time, into the places CHAP frames took.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        ID3.__init__(self, *args, **kwargs)

    def _write(self, config: Any) -> bytearray:
        data = bytes(ID3._write(self, config))
        return bytearray(chapters_in_time_order(data, config.v2_version))


def chapters_in_time_order(frames: bytes, version: int) -> bytes:
    """ID3v2 frame data (no header, no padding) with its CHAP frames in time order."""
    parts: list[bytes] = []
    at = 0
    while at + 10 <= len(frames) and frames[at : at + 4] != b"\0\0\0\0":
        raw = frames[at + 4 : at + 8]
        if version == 4:
            size = (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
        else:
            size = int.from_bytes(raw, "big")
        parts.append(frames[at : at + 10 + size])
        at += 10 + size
    if at != len(frames):
        return frames  # not the layout mutagen writes: leave it (the read-back check tells)
    slots = [i for i, p in enumerate(parts) if p[:4] == b"CHAP"]
    chaps = sorted((parts[i] for i in slots), key=_chap_start)
    for i, chap in zip(slots, chaps, strict=True):
        parts[i] = chap
    return b"".join(parts)


def _chap_start(frame: bytes) -> int:
    body = frame[10:]
    end_of_id = body.find(b"\0")
    return int.from_bytes(body[end_of_id + 1 : end_of_id + 5], "big")


def _apic(picture: Picture, desc: str) -> APIC:
    return APIC(encoding=3, mime=picture.mime, type=3, desc=desc, data=picture.data)


def _date_frames(date: str, version: int) -> list[Frame]:
    if version == 4:
        return [TDRC(encoding=3, text=date)]
    frames: list[Frame] = [TYER(encoding=3, text=date[:4])]
    if len(date) >= 10:  # YYYY-MM-DD
        frames.append(TDAT(encoding=3, text=date[8:10] + date[5:7]))
    return frames


def _open(path: Path, name: Path) -> ID3:
    try:
        MP3(path)  # refuse anything that is not an MP3 stream
    except HeaderNotFoundError as e:
        raise TaggingError("not an MP3 file", name) from e
    try:
        id3: ID3 = _ChaptersInTimeOrder(path)
        id3.clear()
        id3.unknown_frames = []  # else mutagen writes the old tag's unknown frames again
    except ID3NoHeaderError:
        id3 = _ChaptersInTimeOrder()
    return id3


def write_id3(
    path: Path, tags: EpisodeTags, options: TagOptions | None = None, name: Path | None = None
) -> None:
    """Replace the ID3 tag of the MP3 at ``path`` with ``tags`` (ID3v2.3 by default).

    The tag is read back and checked (:func:`~toolkit.tag.check.check_tags`);
    errors name ``name`` (default ``path``), for a temporary file made for it.
    """
    options = options or TagOptions()
    version = options.id3_version
    name = name or path
    id3 = _open(path, name)
    lang = tags.language
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TALB(encoding=3, text=tags.show))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TCON(encoding=3, text="Podcast"))
    for frame in _date_frames(tags.date, version):
        id3.add(frame)
    id3.add(TLEN(encoding=3, text=str(round(tags.duration * 1000))))
    id3.add(COMM(encoding=3, lang=lang, desc="", text=tags.description))
    id3.add(TDES(encoding=3, text=tags.description))
    id3.add(PCST(value=1))
    if tags.feed_url:
        id3.add(WFED(encoding=0, text=tags.feed_url))
    if tags.guid:
        id3.add(TGID(encoding=3, text=tags.guid))
    if tags.keywords:
        id3.add(TKWD(encoding=3, text=",".join(tags.keywords)))
    if tags.number is not None:
        id3.add(TRCK(encoding=3, text=str(tags.number)))
    if tags.season is not None:
        id3.add(TPOS(encoding=3, text=str(tags.season)))
    if tags.url:
        id3.add(WOAS(url=tags.url))
    if tags.artwork is not None:
        id3.add(_apic(load_artwork(tags.artwork), "Cover"))
    if tags.transcript:
        id3.add(USLT(encoding=3, lang=lang, desc="Transcript", text=tags.transcript))
    chapters = tags.chapters_in_order()
    if chapters:
        ids = [f"chp{i}" for i in range(len(chapters))]
        id3.add(
            CTOC(
                element_id=CHAPTER_TOC,
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text="Chapters")],
            )
        )
        for cid, ch in zip(ids, chapters, strict=True):
            assert ch.end is not None  # chapters_in_order fills it
            sub: list[Frame] = [TIT2(encoding=3, text=ch.title)]
            if ch.description:
                sub.append(TIT3(encoding=3, text=ch.description))
            if ch.url:
                sub.append(WXXX(encoding=3, desc="chapter url", url=ch.url))
            if ch.image is not None:
                sub.append(_apic(ch.image, "chapter image"))
            id3.add(
                CHAP(
                    element_id=cid,
                    start_time=round(ch.start * 1000),
                    end_time=round(ch.end * 1000),
                    sub_frames=sub,
                )
            )
    if version == 3:
        id3.update_to_v23()  # v2.3 encodings in the sub-frames too
    try:
        id3.save(path, v2_version=version)
    except OSError as e:
        raise TaggingError(f"cannot write the ID3 tag ({e.strerror})", name) from e
    got = check_tags(path, tags, name)
    if got.tag != f"ID3v2.{version}":
        raise TaggingError(f"read back {got.tag} after writing ID3v2.{version}", name, "tags")
