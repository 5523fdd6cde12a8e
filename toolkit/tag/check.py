"""Every tag write is read back: :func:`check_tags` compares the file with what was written.

The file is read again from disk (:func:`toolkit.tag.read.read_tags`, the
same reader ``toolkit tags`` uses) and each field the writer was given is
compared. A difference raises :class:`TaggingError` naming the file and the
field, so a writer that silently drops or mangles a field fails the build
instead of publishing a wrong file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.errors import TaggingError
from toolkit.tag.model import EpisodeTags
from toolkit.tag.read import FileTags, read_tags

__all__ = ["check_tags"]

#: Chapter times are stored in milliseconds (ID3, Vorbis) or finer (MP4).
TIME_TOLERANCE = 0.0015


def check_tags(path: Path, tags: EpisodeTags, name: Path | None = None) -> FileTags:
    """Read ``path`` back and check it holds ``tags``; returns what was read.

    ``name``: the file the error names (``path`` may be a temporary file for it).
    """
    got = read_tags(path)
    name = name or path

    def blank_is_none(value: Any) -> Any:  # readers give None for a blank text
        return None if isinstance(value, str) and not value.strip() else value

    def same(field: str, written: Any, read: Any) -> None:
        if blank_is_none(written) != blank_is_none(read):
            raise TaggingError(
                f"read back {read!r} after writing {written!r}", name, f"tags.{field}"
            )

    same("title", tags.title, got.title)
    same("show", tags.show, got.album)
    same("artist", tags.artist, got.artist)
    same("description", tags.description, got.description)
    same("number", tags.number, got.number)
    same("season", tags.season, got.season)
    same("podcast", True, got.podcast)
    same("genre", "Podcast", got.genre)
    if tags.feed_url:
        same("feed_url", tags.feed_url, got.feed_url)
    if tags.guid:
        same("guid", tags.guid, got.guid)
    same("keywords", tags.keywords, got.keywords)
    if tags.transcript:
        same("transcript", tags.transcript, got.transcript)
    same("artwork", tags.artwork is not None, got.artwork is not None)
    same("date", tags.date, (got.date or "")[: len(tags.date)])
    chapters = tags.chapters_in_order()
    same("chapters", len(chapters), len(got.chapters))
    if not got.chapters_in_order:
        raise TaggingError("the chapters are not stored in time order", name, "tags.chapters")
    for i, (want, have) in enumerate(zip(chapters, got.chapters, strict=True)):
        same(f"chapters[{i}].title", want.title, have.title)
        if abs(want.start - have.start) > TIME_TOLERANCE:
            same(f"chapters[{i}].start", round(want.start, 3), round(have.start, 3))
        if got.format != "MP4":  # MP4 chapters have no links
            same(f"chapters[{i}].url", want.url, have.url)
    return got
