"""Publish a tagged copy of an episode's audio, in the source's own format.

The source audio is only read. The published file is made in a temporary
file beside its destination, tagged, read back and checked, then renamed
into place, so a reader never sees a half-written file and a failure leaves
the last published file as it was.

What is published (:func:`publish_format`):

- MP3: ``.mp3`` (audio/mpeg), copied byte for byte, its ID3 tag replaced;
- MP4 with AAC or ALAC (``.m4a``, ``.m4b``, ``.mp4``): ``.m4a`` (``.m4b`` for
  an ``.m4b``; audio/x-m4a), remuxed by ffmpeg with ``-c copy`` (which writes
  the chapters), its atoms written by mutagen;
- FLAC: ``.flac`` (audio/flac), copied, Vorbis comments and Picture replaced;
- Ogg Vorbis: ``.ogg`` (audio/ogg) and Ogg Opus: ``.opus`` (audio/opus),
  copied, Vorbis comments replaced;
- anything else (WAV, ...): ``.mp3`` (audio/mpeg), encoded by ffmpeg
  (:func:`toolkit.audio.encode_mp3`).

``format = "mp3"`` (``[publish]`` in show.toml) encodes every source that
is not an MP3. Apple Podcasts takes MP3 and M4A enclosures (audio/mpeg,
audio/x-m4a); FLAC, Ogg and Opus play in browsers and many apps, not in Apple's.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from toolkit.audio import AudioInfo, encode_mp3
from toolkit.fsutil import atomic_path
from toolkit.tag.check import check_tags
from toolkit.tag.id3 import write_id3
from toolkit.tag.model import EpisodeTags, TagOptions
from toolkit.tag.mp4 import remux_mp4, write_mp4_atoms
from toolkit.tag.vorbis import write_vorbis

__all__ = ["APPLE_TYPES", "PublishFormat", "publish_audio", "publish_format"]

#: The enclosure types Apple Podcasts plays (of those published here).
APPLE_TYPES = ("audio/mpeg", "audio/x-m4a")


@dataclass(frozen=True)
class PublishFormat:
    """How a source is published: the file's extension and MIME type, and how it is made."""

    ext: str  # without the dot
    mime: str
    writer: Literal["id3", "mp4", "vorbis"]
    #: "copy": the source's bytes; "remux": its packets, by ffmpeg -c copy; "encode": MP3.
    method: Literal["copy", "remux", "encode"]

    @property
    def apple(self) -> bool:
        """Whether Apple Podcasts plays this enclosure type."""
        return self.mime in APPLE_TYPES


MP3 = PublishFormat("mp3", "audio/mpeg", "id3", "copy")
ENCODED_MP3 = PublishFormat("mp3", "audio/mpeg", "id3", "encode")


def publish_format(source: AudioInfo, wanted: Literal["source", "mp3"] = "source") -> PublishFormat:
    """What ``source`` is published as (see the module's table)."""
    if source.format == "mp3":
        return MP3
    if wanted == "mp3":
        return ENCODED_MP3
    if source.format == "mov" and source.codec in ("aac", "alac"):
        ext = "m4b" if source.path.suffix.lower() == ".m4b" else "m4a"
        return PublishFormat(ext, "audio/x-m4a", "mp4", "remux")
    if source.format == "flac" and source.codec == "flac":
        return PublishFormat("flac", "audio/flac", "vorbis", "copy")
    if source.format == "ogg" and source.codec == "vorbis":
        return PublishFormat("ogg", "audio/ogg", "vorbis", "copy")
    if source.format == "ogg" and source.codec == "opus":
        return PublishFormat("opus", "audio/opus", "vorbis", "copy")
    return ENCODED_MP3


def publish_audio(
    source: AudioInfo,
    dest: Path,
    tags: EpisodeTags,
    options: TagOptions | None = None,
    fmt: PublishFormat | None = None,
    original: Path | None = None,
) -> PublishFormat:
    """Write a tagged copy of ``source`` to ``dest`` atomically; returns its format.

    ``fmt`` (default :func:`publish_format` of ``source``) decides how the
    copy is made; ``dest`` should carry its extension. With
    ``options.keep_source_chapters`` and no chapters in ``tags``, the
    chapters of ``original`` (default: the source; the unmastered file when
    ``source`` is a mastered copy) are written. Raises
    :class:`~toolkit.errors.AudioError` when ffmpeg cannot copy or encode
    the source and :class:`~toolkit.errors.TaggingError` when the copy
    cannot be tagged or reads back wrong; ``dest`` is then left as it was.
    Characters no tag carries (NUL, other controls) are left out of every text
    (:meth:`EpisodeTags.cleaned`), as the feed leaves them out.
    """
    options = options or TagOptions()
    fmt = fmt or publish_format(source)
    dest = Path(dest)
    tags = tags.cleaned()
    if options.keep_source_chapters and not tags.chapters:
        tags = _with_chapters_of(original or source.path, tags)
    with atomic_path(dest) as tmp:
        if fmt.method == "encode":
            encode_mp3(source.path, tmp)
        elif fmt.method == "remux":
            remux_mp4(source.path, tmp, tags.chapters_in_order())
        else:
            shutil.copyfile(source.path, tmp)
        if fmt.writer == "id3":
            write_id3(tmp, tags, options, name=dest)
        elif fmt.writer == "mp4":
            write_mp4_atoms(tmp, tags, dest)
            check_tags(tmp, tags, dest)
        else:
            write_vorbis(tmp, tags, name=dest)
    return fmt


def _with_chapters_of(path: Path, tags: EpisodeTags) -> EpisodeTags:
    from dataclasses import replace

    from toolkit.errors import TaggingError
    from toolkit.tag.read import read_tags

    try:
        chapters = read_tags(path).chapters
    except TaggingError:
        return tags  # a WAV or another file without tags: no chapters to keep
    return replace(tags, chapters=chapters)
