"""The MP4 writer: an episode's tags in an M4A/M4B's atoms, its chapters by ffmpeg.

mutagen writes the iTunes atoms (``ilst``) but no chapters of either MP4 kind.
ffmpeg does, without re-encoding: given an FFMETADATA file of chapters and
``-c copy``, its MP4 muxer writes both a Nero ``chpl`` atom and a QuickTime
chapter track (a text track that the audio track's ``tref/chap`` points
to). Measured with ffmpeg 5.1: the chapter titles survive only when the
source's metadata is dropped with ``-map_metadata:g -1`` (global only);
``-map_metadata -1`` drops the chapters' titles too, and then no chapter
track is written. mutagen's later save keeps both kinds of chapters.

Atoms: ``©nam`` title, ``©alb`` and ``tvsh`` show, ``©ART`` artist,
``©day`` date, ``desc`` (at most 255 characters) and ``ldes`` description,
``©gen`` Podcast, ``stik`` 21 (podcast), ``pcst``, ``purl`` feed URL,
``egid`` guid, ``keyw`` keywords, ``©lyr`` transcript, ``covr`` artwork,
``trkn``/``tves`` episode number, ``tvsn`` season.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from toolkit.audio import FFMPEG, run_ffmpeg
from toolkit.errors import AudioError, TaggingError
from toolkit.fsutil import atomic_path
from toolkit.tag.artwork import load_artwork
from toolkit.tag.check import check_tags
from toolkit.tag.model import ChapterTag, EpisodeTags

__all__ = ["ffmetadata", "remux_mp4", "write_mp4", "write_mp4_atoms"]

SHORT_DESCRIPTION = 255  # iTunes shows at most this much of ``desc``
MEDIA_KIND_PODCAST = 21  # ``stik``


def _escape(text: str) -> str:
    """FFMETADATA's escaping: '=', ';', '#', '\\' and newlines take a backslash."""
    for ch in "\\=;#\n":
        text = text.replace(ch, "\\" + ch)
    return text


def ffmetadata(chapters: list[ChapterTag]) -> str:
    """An FFMETADATA file holding ``chapters`` (ends filled in), in milliseconds."""
    lines = [";FFMETADATA1"]
    for ch in chapters:
        assert ch.end is not None
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(ch.start * 1000)}",
            f"END={round(ch.end * 1000)}",
            f"title={_escape(ch.title)}",
        ]
    return "\n".join(lines) + "\n"


def remux_mp4(src: Path, dest: Path, chapters: list[ChapterTag]) -> None:
    """Copy the first audio stream of ``src`` into an MP4 at ``dest`` with ``chapters``.

    No re-encoding (``-c copy``): the audio packets are the source's. The
    source's tags, pictures and chapters are left out; ``dest`` is
    overwritten. Raises :class:`AudioError` naming ``src`` when ffmpeg fails.
    """
    src, dest = Path(src), Path(dest)
    with tempfile.TemporaryDirectory(prefix="toolkit-chapters-") as tmp:
        meta = Path(tmp) / "chapters.txt"
        meta.write_text(ffmetadata(chapters), encoding="utf-8")
        cmd = [
            FFMPEG, "-nostdin", "-v", "error", "-y",
            "-i", f"file:{src}",
            "-f", "ffmetadata", "-i", f"file:{meta}",
            "-map", "0:a:0", "-map_metadata:g", "-1",
            "-map_chapters", "1" if chapters else "-1",
            "-c", "copy", "-f", "ipod", f"file:{dest}",
        ]  # fmt: skip
        try:
            run_ffmpeg(cmd, src, "copy the audio into an MP4")
        except AudioError:
            dest.unlink(missing_ok=True)
            raise


def _short(text: str) -> str:
    if len(text) <= SHORT_DESCRIPTION:
        return text
    cut = text[: SHORT_DESCRIPTION - 1].rsplit(" ", 1)[0]
    return cut + "…"


def write_mp4_atoms(path: Path, tags: EpisodeTags, name: Path | None = None) -> None:
    """Replace the iTunes atoms of the MP4 at ``path`` with ``tags`` (chapters untouched).

    Errors name ``name`` (default ``path``).
    """
    from mutagen import MutagenError
    from mutagen.mp4 import MP4, MP4Cover

    name = name or path
    try:
        mp4 = MP4(path)
    except MutagenError as e:
        raise TaggingError(f"not an MP4 file ({e})", name) from e
    if mp4.tags is None:
        mp4.add_tags()
    atoms: Any = mp4.tags
    atoms.clear()
    atoms["©nam"] = [tags.title]
    atoms["©alb"] = [tags.show]
    atoms["tvsh"] = [tags.show]
    atoms["©ART"] = [tags.artist]
    atoms["©day"] = [tags.date]
    atoms["desc"] = [_short(tags.description)]
    atoms["ldes"] = [tags.description]
    atoms["©gen"] = ["Podcast"]
    atoms["stik"] = [MEDIA_KIND_PODCAST]
    atoms["pcst"] = True
    if tags.feed_url:
        atoms["purl"] = [tags.feed_url]
    if tags.guid:
        atoms["egid"] = [tags.guid]
    if tags.keywords:
        atoms["keyw"] = [",".join(tags.keywords)]
    if tags.number is not None:
        atoms["trkn"] = [(tags.number, 0)]
        atoms["tves"] = [tags.number]
    if tags.season is not None:
        atoms["tvsn"] = [tags.season]
    if tags.transcript:
        atoms["©lyr"] = [tags.transcript]
    if tags.artwork is not None:
        picture = load_artwork(tags.artwork)
        kind = MP4Cover.FORMAT_PNG if picture.mime == "image/png" else MP4Cover.FORMAT_JPEG
        atoms["covr"] = [MP4Cover(picture.data, imageformat=kind)]
    try:
        mp4.save()
    except (MutagenError, OSError) as e:
        raise TaggingError(f"cannot write the MP4 tags ({e})", name) from e


def write_mp4(path: Path, tags: EpisodeTags) -> None:
    """Replace the tags and chapters of the MP4 at ``path``, then read them back.

    The chapters are written by :func:`remux_mp4` into a temporary file that
    replaces ``path``; the audio is not re-encoded.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        remux_mp4(path, tmp, tags.chapters_in_order())
        write_mp4_atoms(tmp, tags, path)
        check_tags(tmp, tags, path)
