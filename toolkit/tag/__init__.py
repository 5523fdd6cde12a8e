"""Tag the published copy of an episode's audio with mutagen (and ffmpeg for MP4 chapters).

One writer per container, each in its own module, all taking the same
:class:`EpisodeTags`: ``id3`` (MP3), ``mp4`` (M4A/M4B) and ``vorbis``
(FLAC, Ogg Vorbis, Opus). ``model`` holds the tags, ``artwork`` prepares
the embedded picture, ``read`` reads any of these files back and ``check``
compares a written file with its tags. ``publish`` makes the tagged copy
(:func:`publish_audio`) in the format :func:`publish_format` picks.
"""

from __future__ import annotations

from toolkit.tag.check import check_tags
from toolkit.tag.id3 import write_id3
from toolkit.tag.model import ChapterTag, EpisodeTags, Picture, TagOptions
from toolkit.tag.mp4 import write_mp4
from toolkit.tag.publish import PublishFormat, publish_audio, publish_format
from toolkit.tag.read import FileTags, read_tags
from toolkit.tag.vorbis import write_vorbis

__all__ = [
    "ChapterTag",
    "EpisodeTags",
    "FileTags",
    "Picture",
    "PublishFormat",
    "TagOptions",
    "check_tags",
    "publish_audio",
    "publish_format",
    "read_tags",
    "write_id3",
    "write_mp4",
    "write_vorbis",
]
