"""Tag the published copy of an episode's audio with mutagen.

One writer per container, each in its own module, all taking the same
:class:`EpisodeTags`: ``id3`` (MP3) today. ``model`` holds the tags and
``publish`` makes the tagged copy (:func:`publish_audio`).
"""

from __future__ import annotations

from toolkit.tag.id3 import write_id3
from toolkit.tag.model import EpisodeTags
from toolkit.tag.publish import publish_audio

__all__ = ["EpisodeTags", "publish_audio", "write_id3"]
