"""The ID3 writer: an episode's tags in an MP3's ID3v2.3 tag.

Chapters are written as ID3 chapter frames (a top-level ordered CTOC and one
CHAP each), the transcript as unsynchronised lyrics (USLT).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TIT3,
    TLEN,
    TPE1,
    TPOS,
    TRCK,
    USLT,
    WOAS,
    CTOCFlags,
    Frame,
    ID3NoHeaderError,
)
from mutagen.mp3 import MP3, HeaderNotFoundError

from toolkit.errors import TaggingError
from toolkit.tag.model import EpisodeTags

__all__ = ["write_id3"]


def write_id3(path: Path, tags: EpisodeTags) -> None:
    """Replace the ID3 tag of the MP3 at ``path`` with ``tags`` (ID3v2.3)."""
    try:
        MP3(path)  # refuse anything that is not an MP3 stream
    except HeaderNotFoundError as e:
        raise TaggingError("not an MP3 file", path) from e
    try:
        id3 = ID3(path)
        id3.clear()
    except ID3NoHeaderError:
        id3 = ID3()
    lang = tags.language
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TALB(encoding=3, text=tags.show))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TCON(encoding=3, text="Podcast"))
    id3.add(TDRC(encoding=3, text=tags.date))
    id3.add(TLEN(encoding=3, text=str(round(tags.duration * 1000))))
    id3.add(COMM(encoding=3, lang=lang, desc="", text=tags.description))
    if tags.number is not None:
        id3.add(TRCK(encoding=3, text=str(tags.number)))
    if tags.season is not None:
        id3.add(TPOS(encoding=3, text=str(tags.season)))
    if tags.url:
        id3.add(WOAS(url=tags.url))
    if tags.artwork is not None:
        mime = mimetypes.guess_type(tags.artwork.name)[0] or "image/jpeg"
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=tags.artwork.read_bytes()))
    if tags.transcript:
        id3.add(USLT(encoding=3, lang=lang, desc="Transcript", text=tags.transcript))
    if tags.chapters:
        ids = [f"chp{i}" for i in range(len(tags.chapters))]
        id3.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text="Chapters")],
            )
        )
        for cid, ch in zip(ids, tags.chapters, strict=True):
            end = ch.end if ch.end is not None else tags.duration
            sub: list[Frame] = [TIT2(encoding=3, text=ch.title)]
            if ch.description:
                sub.append(TIT3(encoding=3, text=ch.description))
            id3.add(
                CHAP(
                    element_id=cid,
                    start_time=round(ch.start * 1000),
                    end_time=round(end * 1000),
                    sub_frames=sub,
                )
            )
    id3.save(path, v2_version=3)
