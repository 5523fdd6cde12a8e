"""Publish a tagged copy of an episode's audio.

The source audio is only read. The published file is made in a temporary file
beside ``dest``: an MP3 source is copied byte for byte, any other format is
encoded to MP3 by ffmpeg (:func:`toolkit.audio.encode_mp3`). The copy is
tagged, then moved over ``dest``, so a reader never sees a half-written file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from toolkit.audio import AudioInfo, encode_mp3
from toolkit.fsutil import atomic_path
from toolkit.tag.id3 import write_id3
from toolkit.tag.model import EpisodeTags


def publish_audio(source: AudioInfo, dest: Path, tags: EpisodeTags) -> None:
    """Write a tagged copy of ``source`` to ``dest`` atomically.

    Every episode is published as an MP3 today; a source in another container
    is encoded at :data:`toolkit.audio.MP3_BITRATE`. Raises
    :class:`~toolkit.errors.AudioError` when the source cannot be encoded and
    :class:`~toolkit.errors.TaggingError` when the copy cannot be tagged;
    ``dest`` is then left as it was.
    """
    with atomic_path(dest) as tmp:
        if source.format == "mp3":
            shutil.copyfile(source.path, tmp)
        else:
            encode_mp3(source.path, tmp)
        write_id3(tmp, tags)
