"""Tagging M4A/M4B (MP4 atoms, chapters by ffmpeg) and FLAC/Ogg/Opus (Vorbis comments).

The test files are made by ffmpeg from ``jfk.flac`` (11 s of real speech): AAC
in an M4A, Opus, Ogg Vorbis, and the FLAC itself. Every published copy is
checked with the real readers: ffprobe (chapters, in order), mutagen (atoms,
comments, pictures) and ffmpeg's packet checksums (no re-encoding).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from mutagen.flac import FLAC, Picture
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from toolkit.audio import probe
from toolkit.errors import AudioError, TaggingError
from toolkit.hashing import file_sha256
from toolkit.tag import (
    ChapterTag,
    EpisodeTags,
    TagOptions,
    publish_audio,
    publish_format,
    read_tags,
    write_mp4,
    write_vorbis,
)
from toolkit.tag.mp4 import ffmetadata
from toolkit.tag.vorbis import vorbis_clock

from .helpers import DATA, ROOT, SPEECH
from .test_tag import ffprobe_chapters

JFK = SPEECH / "jfk.flac"
TAGGED = DATA / "tagged"
ARTWORK = ROOT / "cover.jpg"
FEED = "https://example.org/feed.xml"
ENCODE = {
    "m4a": ["-c:a", "aac", "-b:a", "64k"],
    "opus": ["-c:a", "libopus", "-b:a", "32k"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "2"],
}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    """jfk.flac and ffmpeg's M4A (AAC), Opus and Ogg Vorbis encodings of it."""
    folder = tmp_path_factory.mktemp("sources")
    made = {"flac": folder / "jfk.flac"}
    shutil.copyfile(JFK, made["flac"])
    for ext, codec in ENCODE.items():
        made[ext] = folder / f"jfk.{ext}"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-i", str(JFK), *codec, str(made[ext])],
            check=True,
        )
    return made


def tags(duration: float = 11.0) -> EpisodeTags:
    return EpisodeTags(
        title="Ask not",
        show="Speeches",
        artist="John F. Kennedy",
        date="1961-01-20",
        description="The inaugural address. " * 20,  # longer than MP4's short desc
        duration=duration,
        number=35,
        season=1,
        url="https://example.org/035/",
        artwork=ARTWORK,
        feed_url=FEED,
        guid="speeches-035",
        keywords=["inauguration", "speech"],
        transcript="And so, my fellow Americans,\nask not what your country can do for you.",
        chapters=[  # out of order on purpose; titles with FFMETADATA's special characters
            ChapterTag(7.25, "Ask not = do; #2", url="https://example.org/035#ask"),
            ChapterTag(0.0, "My fellow Americans"),
            ChapterTag(3.5, "Back\\slash\nnew line"),
        ],
    )


TITLES = ["My fellow Americans", "Back\\slash\nnew line", "Ask not = do; #2"]
STARTS = [0, 3500, 7250]


def packets_md5(path: Path) -> str:
    """The MD5 of the first audio stream's packets: equal means not re-encoded."""
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy",
         "-f", "md5", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.strip()


def publish(src: Path, tmp_path: Path, t: EpisodeTags | None = None) -> Path:
    info = probe(src)
    fmt = publish_format(info)
    dest = tmp_path / "site" / f"episode.{fmt.ext}"
    before = file_sha256(src)
    publish_audio(info, dest, t or tags())
    assert file_sha256(src) == before, "the source was modified"
    assert [p.name for p in dest.parent.iterdir()] == [dest.name], "a temporary file was left"
    return dest


# --- MP4 -----------------------------------------------------------------------
def test_m4a_is_published_as_m4a_without_reencoding(sources, tmp_path):
    dest = publish(sources["m4a"], tmp_path)
    assert dest.suffix == ".m4a"
    assert packets_md5(dest) == packets_md5(sources["m4a"])
    assert abs(probe(dest).duration - probe(sources["m4a"]).duration) < 0.05


def test_m4a_atoms_read_back_with_mutagen(sources, tmp_path):
    mp4 = MP4(publish(sources["m4a"], tmp_path))
    atoms = mp4.tags
    assert atoms["©nam"] == ["Ask not"]
    assert atoms["©alb"] == ["Speeches"] and atoms["tvsh"] == ["Speeches"]
    assert atoms["©ART"] == ["John F. Kennedy"]
    assert atoms["©day"] == ["1961-01-20"]
    assert atoms["ldes"] == [tags().description]
    assert len(atoms["desc"][0]) <= 255 and atoms["desc"][0].endswith("…")
    assert atoms["©gen"] == ["Podcast"]
    assert atoms["pcst"] is True and atoms["stik"] == [21]
    assert atoms["purl"] == [FEED] and atoms["egid"] == ["speeches-035"]
    assert atoms["keyw"] == ["inauguration,speech"]
    assert atoms["©lyr"] == [tags().transcript]
    assert atoms["trkn"] == [(35, 0)] and atoms["tves"] == [35] and atoms["tvsn"] == [1]
    [cover] = atoms["covr"]
    assert bytes(cover) == ARTWORK.read_bytes() and cover.imageformat == cover.FORMAT_JPEG


def test_m4a_has_both_kinds_of_chapters_in_order(sources, tmp_path):
    dest = publish(sources["m4a"], tmp_path)
    # Nero chpl, as mutagen reads it ...
    assert [(round(c.start * 1000), c.title) for c in MP4(dest).chapters] == list(
        zip(STARTS, TITLES, strict=True)
    )
    # ... and the QuickTime chapter track: a second (text) track beside the audio.
    streams = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0",
         str(dest)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert streams[0] == "audio" and "data" in streams
    assert b"chpl" in dest.read_bytes() and b"chap" in dest.read_bytes()
    assert ffprobe_chapters(dest) == [(0, 3500, TITLES[0]), (3500, 7250, TITLES[1]),
                                      (7250, 11000, TITLES[2])]  # fmt: skip


def test_m4b_keeps_its_extension(sources, tmp_path):
    m4b = tmp_path / "book.m4b"
    shutil.copyfile(sources["m4a"], m4b)
    fmt = publish_format(probe(m4b))
    assert (fmt.ext, fmt.mime, fmt.method) == ("m4b", "audio/x-m4a", "remux")


def test_write_mp4_in_place_replaces_tags_and_chapters(tmp_path):
    book = tmp_path / "nero.m4b"
    shutil.copyfile(TAGGED / "nero-chapters.m4b", book)  # 112 real Nero chapters
    assert len(MP4(book).chapters) == 112
    t = tags()
    t.chapters = t.chapters[:2]
    write_mp4(book, t)
    got = read_tags(book)
    assert [c.title for c in got.chapters] == ["My fellow Americans", "Ask not = do; #2"]
    assert got.title == "Ask not" and got.genre == "Podcast"  # Audiobook before


def test_ffmetadata_escapes_its_special_characters():
    text = ffmetadata(tags().chapters_in_order())
    assert "title=Ask not \\= do\\; \\#2" in text
    assert "title=Back\\\\slash\\\nnew line" in text


def test_remux_failure_names_the_source(tmp_path):
    bad = tmp_path / "broken.m4a"
    shutil.copyfile(TAGGED / "covr-with-name.m4a", bad)
    bad.write_bytes(bad.read_bytes()[:600])  # the moov box is cut off
    info = probe(TAGGED / "covr-with-name.m4a")
    info.path = bad
    with pytest.raises((AudioError, TaggingError)) as e:
        publish_audio(info, tmp_path / "out.m4a", tags(3.7))
    assert e.value.path in (bad, tmp_path / "out.m4a")
    assert not (tmp_path / "out.m4a").exists()


# --- Vorbis comments -------------------------------------------------------------
@pytest.mark.parametrize("ext", ["flac", "opus", "ogg"])
def test_vorbis_files_are_copied_and_list_their_chapters_in_order(sources, tmp_path, ext):
    dest = publish(sources[ext], tmp_path)
    assert dest.suffix == f".{ext}"
    assert packets_md5(dest) == packets_md5(sources[ext])
    listed = ffprobe_chapters(dest)
    assert [(start, title) for start, _, title in listed] == list(zip(STARTS, TITLES, strict=True))


@pytest.mark.parametrize(
    ("ext", "kind", "mime"),
    [
        ("flac", FLAC, "audio/flac"),
        ("opus", OggOpus, "audio/opus"),
        ("ogg", OggVorbis, "audio/ogg"),
    ],
)
def test_vorbis_comments_read_back_with_mutagen(sources, tmp_path, ext, kind, mime):
    assert publish_format(probe(sources[ext])).mime == mime
    f = kind(publish(sources[ext], tmp_path))
    c = f.tags
    assert c["TITLE"] == ["Ask not"] and c["ALBUM"] == ["Speeches"]
    assert c["DATE"] == ["1961-01-20"] and c["GENRE"] == ["Podcast"]
    assert c["TRACKNUMBER"] == ["35"] and c["DISCNUMBER"] == ["1"]
    assert (
        c["PODCAST"] == ["1"] and c["PODCASTURL"] == [FEED] and c["PODCASTID"] == ["speeches-035"]
    )
    assert c["LYRICS"] == [tags().transcript]
    assert c["CHAPTER001"] == ["00:00:00.000"] and c["CHAPTER001NAME"] == [TITLES[0]]
    assert c["CHAPTER003"] == ["00:00:07.250"] and c["CHAPTER003URL"] == [
        "https://example.org/035#ask"
    ]
    keys = [k for k, _ in c if k.startswith("CHAPTER")]
    assert keys == ["CHAPTER001", "CHAPTER001NAME", "CHAPTER002", "CHAPTER002NAME",
                    "CHAPTER003", "CHAPTER003NAME", "CHAPTER003URL"]  # fmt: skip
    if kind is FLAC:
        [picture] = f.pictures  # a Picture block
        assert "METADATA_BLOCK_PICTURE" not in c
    else:
        [block] = c["METADATA_BLOCK_PICTURE"]
        picture = Picture(base64.b64decode(block))
    assert (picture.type, picture.mime, picture.data) == (3, "image/jpeg", ARTWORK.read_bytes())
    assert (picture.width, picture.height) == (1400, 1400)


def test_write_vorbis_replaces_the_old_comments(sources, tmp_path):
    flac = tmp_path / "jfk.flac"
    shutil.copyfile(sources["flac"], flac)
    f = FLAC(flac)
    f["CHAPTER001"], f["CHAPTER001NAME"], f["ENCODER"] = "00:00:01.000", "Old", "x"
    f.save()
    t = tags()
    t.chapters, t.artwork = [], None
    write_vorbis(flac, t)
    got = read_tags(flac)
    assert got.chapters == [] and got.artwork is None
    assert "ENCODER" not in FLAC(flac).tags


def test_vorbis_refuses_too_many_chapters(sources, tmp_path):
    flac = tmp_path / "jfk.flac"
    shutil.copyfile(sources["flac"], flac)
    t = tags()
    t.chapters = [ChapterTag(i / 100, f"c{i}") for i in range(1000)]
    with pytest.raises(TaggingError, match="at most 999") as e:
        write_vorbis(flac, t)
    assert (e.value.path, e.value.field) == (flac, "chapters")


def test_vorbis_clock():
    assert vorbis_clock(0) == "00:00:00.000"
    assert vorbis_clock(3723.4567) == "01:02:03.457"


# --- choosing the format ---------------------------------------------------------------
def test_format_mp3_encodes_every_source_but_an_mp3(sources, tmp_path):
    for ext in ("m4a", "flac", "opus"):
        fmt = publish_format(probe(sources[ext]), "mp3")
        assert (fmt.ext, fmt.mime, fmt.method) == ("mp3", "audio/mpeg", "encode")
    fmt = publish_format(probe(TAGGED / "silence-44-s.mp3"), "mp3")
    assert fmt.method == "copy"


def test_a_wav_is_encoded_to_mp3(tmp_path):
    wav = sorted(SPEECH.glob("*.wav"))[0]
    info = probe(wav)
    fmt = publish_format(info)
    assert (fmt.ext, fmt.method) == ("mp3", "encode")
    dest = tmp_path / "episode.mp3"
    publish_audio(info, dest, tags(info.duration))
    assert probe(dest).codec == "mp3"
    assert [t for _, _, t in ffprobe_chapters(dest)] == TITLES


def test_keep_source_chapters_carries_them_across_formats(sources, tmp_path):
    """An M4A's chapters kept when the build made none, even when it is encoded to MP3."""
    chaptered = publish(sources["m4a"], tmp_path / "first")
    t = tags()
    t.chapters = []
    info = probe(chaptered)
    as_mp3 = tmp_path / "episode.mp3"
    publish_audio(
        info, as_mp3, t, TagOptions(keep_source_chapters=True), publish_format(info, "mp3")
    )
    assert [title for _, _, title in ffprobe_chapters(as_mp3)] == TITLES
    as_m4a = tmp_path / "episode.m4a"
    publish_audio(info, as_m4a, t)  # not asked: none
    assert ffprobe_chapters(as_m4a) == []
