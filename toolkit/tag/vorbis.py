"""The Vorbis comment writer: an episode's tags in a FLAC, Ogg Vorbis or Opus file.

Fields: TITLE, ALBUM (the show), ARTIST, DATE, DESCRIPTION, GENRE Podcast,
TRACKNUMBER (the episode), DISCNUMBER (the season, as ID3's TPOS), LYRICS
(the transcript), and Mp3tag's names for iTunes' podcast frames: PODCAST
(1), PODCASTURL (the feed), PODCASTID (the guid), PODCASTKEYWORDS.

Chapters follow the Vorbis chapter extension, in time order:
``CHAPTER001=HH:MM:SS.mmm``, ``CHAPTER001NAME=…``, ``CHAPTER001URL=…``.
ffprobe reads them as chapters in FLAC, Ogg Vorbis and Opus (checked with
ffmpeg 5.1; it lists them in the order the comments are stored). Its parser
reads three digits, so a file holds at most 999 chapters.

The artwork is a FLAC Picture block, or a ``METADATA_BLOCK_PICTURE``
comment (the same block, base64) in Ogg.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from toolkit.errors import TaggingError
from toolkit.tag.artwork import load_artwork
from toolkit.tag.check import check_tags
from toolkit.tag.model import EpisodeTags, Picture

__all__ = ["MAX_CHAPTERS", "vorbis_clock", "write_vorbis"]

MAX_CHAPTERS = 999


def vorbis_clock(seconds: float) -> str:
    """Seconds as ``HH:MM:SS.mmm``."""
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _flac_picture(picture: Picture) -> Any:
    from mutagen.flac import Picture as FlacPicture

    block = FlacPicture()
    block.type = 3  # front cover
    block.mime = picture.mime
    block.desc = "Cover"
    block.width, block.height = picture.width, picture.height
    block.depth = 24
    block.data = picture.data
    return block


def _open(path: Path, name: Path) -> Any:
    from mutagen import MutagenError
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    for kind in (FLAC, OggOpus, OggVorbis):
        try:
            return kind(path)
        except MutagenError:
            continue
    raise TaggingError("not a FLAC, Ogg Vorbis or Opus file", name)


def write_vorbis(path: Path, tags: EpisodeTags, name: Path | None = None) -> None:
    """Replace the Vorbis comments (and FLAC pictures) of ``path`` with ``tags``.

    The comments are read back and checked; errors name ``name`` (default ``path``).
    """
    from mutagen import MutagenError
    from mutagen.flac import FLAC

    path = Path(path)
    name = name or path
    chapters = tags.chapters_in_order()
    if len(chapters) > MAX_CHAPTERS:
        raise TaggingError(
            f"{len(chapters)} chapters; Vorbis comments hold at most {MAX_CHAPTERS}",
            name,
            "chapters",
        )
    audio = _open(path, name)
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    fields: list[tuple[str, str]] = [
        ("TITLE", tags.title),
        ("ALBUM", tags.show),
        ("ARTIST", tags.artist),
        ("DATE", tags.date),
        ("DESCRIPTION", tags.description),
        ("GENRE", "Podcast"),
        ("PODCAST", "1"),
    ]
    if tags.number is not None:
        fields.append(("TRACKNUMBER", str(tags.number)))
    if tags.season is not None:
        fields.append(("DISCNUMBER", str(tags.season)))
    if tags.feed_url:
        fields.append(("PODCASTURL", tags.feed_url))
    if tags.guid:
        fields.append(("PODCASTID", tags.guid))
    if tags.keywords:
        fields.append(("PODCASTKEYWORDS", ",".join(tags.keywords)))
    if tags.transcript:
        fields.append(("LYRICS", tags.transcript))
    for n, ch in enumerate(chapters, 1):
        fields.append((f"CHAPTER{n:03d}", vorbis_clock(ch.start)))
        fields.append((f"CHAPTER{n:03d}NAME", ch.title))
        if ch.url:
            fields.append((f"CHAPTER{n:03d}URL", ch.url))
    is_flac = isinstance(audio, FLAC)
    if is_flac:
        audio.clear_pictures()
    if tags.artwork is not None:
        block = _flac_picture(load_artwork(tags.artwork))
        if is_flac:
            audio.add_picture(block)
        else:
            fields.append(("METADATA_BLOCK_PICTURE", base64.b64encode(block.write()).decode()))
    audio.tags.extend(fields)  # a list of pairs keeps this order in the file
    try:
        audio.save()
    except (MutagenError, OSError) as e:
        raise TaggingError(f"cannot write the Vorbis comments ({e})", name) from e
    check_tags(path, tags, name)
