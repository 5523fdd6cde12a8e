"""Tagging MP3s (ID3) and publishing them, on temporary copies of real files.

``silence-44-s.mp3`` is mutagen's own test MP3 with an ID3v2.3 tag of its own;
``mp3__chapters.mp3`` and ``mp3__pr-544-id3v24.mp3`` come from music-metadata's
samples (chapters with images and links; iTunes' podcast frames as Mp3tag writes
them); ``jfk.flac`` is the FLAC that the engine tests transcribe. See
tests/data/tagged/MANIFEST.md.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from toolkit import audio
from toolkit.audio import MP3_BITRATE, encode_mp3, probe
from toolkit.errors import AudioError, TaggingError
from toolkit.hashing import file_sha256
from toolkit.tag import ChapterTag, EpisodeTags, TagOptions, publish_audio, read_tags, write_id3
from toolkit.tag.artwork import MAX_ARTWORK
from toolkit.tag.id3 import chapters_in_time_order

from .helpers import DATA, ROOT, SPEECH

TAGGED = DATA / "tagged"
SILENCE = TAGGED / "silence-44-s.mp3"
CHAPTERED = TAGGED / "mp3__chapters.mp3"
ITUNES = TAGGED / "mp3__pr-544-id3v24.mp3"
ARTWORK = TAGGED / "image.jpg"
FLAC = SPEECH / "jfk.flac"
FEED = "https://example.org/feed.xml"


def full_tags(duration: float = 3.0) -> EpisodeTags:
    return EpisodeTags(
        title="Tïtle of the episode",
        show="The Show",
        artist="Ann, Bob",
        date="2023-01-17",
        description="What the episode is about.",
        duration=duration,
        number=4,
        season=2,
        url="https://example.org/004/",
        artwork=ARTWORK,
        chapters=[
            ChapterTag(start=0.0, end=1.5, title="One", description="The first"),
            ChapterTag(start=1.5, title="Two", url="https://example.org/two"),  # runs to the end
        ],
        transcript="Hello there.\nAnd goodbye.",
        feed_url=FEED,
        guid="show-004",
        keywords=["news", "politics"],
    )


def ffprobe_chapters(path: Path) -> list[tuple[int, int, str]]:
    """(start ms, end ms, title) of each chapter, as ffprobe lists them."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (
            round(float(c["start_time"]) * 1000),
            round(float(c["end_time"]) * 1000),
            c.get("tags", {}).get("title", ""),
        )
        for c in json.loads(out)["chapters"]
    ]


def raw_frames(path: Path) -> list[tuple[str, bytes]]:
    """The frames of an ID3v2.3/2.4 tag as they lie in the file: (id, body), in order.

    This is how iTunes, TagLib and eyeD3 see a tag: bodies taken as they are,
    with no knowledge of mutagen's frame classes (WFED is a text frame to them).
    """
    data = path.read_bytes()
    assert data[:3] == b"ID3"
    version = data[3]
    size = int.from_bytes(bytes(b & 0x7F for b in data[6:10]), "big")  # syncsafe
    frames, at, end = [], 10, 10 + size
    while at + 10 <= end and data[at : at + 4] != b"\0\0\0\0":
        raw = data[at + 4 : at + 8]
        if version == 4:  # syncsafe
            n = (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
        else:
            n = int.from_bytes(raw, "big")
        frames.append((data[at : at + 4].decode(), data[at + 10 : at + 10 + n]))
        at += 10 + n
    return frames


def apple_text(body: bytes) -> str:
    """A text frame's body as iTunes reads it: an encoding byte, then the text."""
    codec = {0: "latin-1", 1: "utf-16", 2: "utf-16-be", 3: "utf-8"}[body[0]]
    return body[1:].decode(codec).rstrip("\0")


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    dest = tmp_path / "episode.mp3"
    shutil.copyfile(SILENCE, dest)
    return dest


# --- the tag -----------------------------------------------------------------------
def test_write_id3_replaces_the_tag(mp3):
    write_id3(mp3, full_tags())
    tags = ID3(mp3)
    assert tags.version == (2, 3, 0)
    assert "TIT1" not in tags  # the old tag is gone
    assert tags["TIT2"].text == ["Tïtle of the episode"]
    assert tags["TALB"].text == ["The Show"]
    assert tags["TPE1"].text == ["Ann, Bob"]
    assert tags["TCON"].text == ["Podcast"]
    assert str(tags["TDRC"].text[0]) == "2023-01-17"  # mutagen's v2.4 view of TYER + TDAT
    assert tags["TLEN"].text == ["3000"]
    assert tags["TRCK"].text == ["4"]
    assert tags["TPOS"].text == ["2"]
    assert tags["WOAS"].url == "https://example.org/004/"
    [comm] = tags.getall("COMM")
    assert (comm.lang, comm.text) == ("eng", ["What the episode is about."])
    [apic] = tags.getall("APIC")
    assert (apic.mime, apic.type, apic.data) == ("image/jpeg", 3, ARTWORK.read_bytes())
    [uslt] = tags.getall("USLT")
    assert (uslt.desc, uslt.text) == ("Transcript", "Hello there.\nAnd goodbye.")
    [toc] = tags.getall("CTOC")
    assert toc.child_element_ids == ["chp0", "chp1"]
    chaps = tags.getall("CHAP")
    assert [(c.element_id, c.start_time, c.end_time) for c in chaps] == [
        ("chp0", 0, 1500),
        ("chp1", 1500, 3000),
    ]
    assert chaps[0].sub_frames["TIT3"].text == ["The first"]
    assert "TIT3" not in chaps[1].sub_frames
    assert chaps[1].sub_frames.getall("WXXX")[0].url == "https://example.org/two"
    assert abs(MP3(mp3).info.length - MP3(SILENCE).info.length) < 1e-6


def test_id3v23_has_the_v23_date_frames_and_no_tdrc(mp3):
    write_id3(mp3, full_tags())
    raw = ID3(mp3, translate=False)  # the frames as stored, not mutagen's v2.4 view
    assert raw.version == (2, 3, 0)
    assert raw["TYER"].text == ["2023"]
    assert raw["TDAT"].text == ["1701"]  # DDMM
    assert "TDRC" not in raw
    stored = [fid for fid, _ in raw_frames(mp3)]
    assert "TDRC" not in stored and {"TYER", "TDAT"} <= set(stored)


def test_id3v24_on_request_has_tdrc(mp3):
    write_id3(mp3, full_tags(), TagOptions(id3_version=4))
    raw = ID3(mp3, translate=False)
    assert raw.version == (2, 4, 0)
    assert str(raw["TDRC"].text[0]) == "2023-01-17"
    assert "TYER" not in raw and "TDAT" not in raw
    assert read_tags(mp3).tag == "ID3v2.4"


@pytest.mark.parametrize("version", [3, 4])
def test_podcast_frames_read_as_apple_reads_them(mp3, version):
    write_id3(mp3, full_tags(), TagOptions(id3_version=version))
    # mutagen reads PCST, TGID and TDES; ...
    tags = ID3(mp3)
    assert tags["PCST"].value == 1
    assert tags["TGID"].text == ["show-004"]
    assert tags["TDES"].text == ["What the episode is about."]
    assert tags["TKWD"].text == ["news,politics"]
    assert "WFED" in tags
    # ... and an Apple-style reader (iTunes, TagLib, eyeD3) reads every frame as
    # stored, WFED as a text frame: an encoding byte, the URL, a terminator.
    frames = dict(raw_frames(mp3))
    assert frames["PCST"] == b"\0\0\0\1"
    assert frames["WFED"] == b"\0" + FEED.encode() + b"\0"
    assert apple_text(frames["WFED"]) == FEED
    assert apple_text(frames["TGID"]) == "show-004"
    assert apple_text(frames["TDES"]) == "What the episode is about."
    assert apple_text(frames["TCON"]) == "Podcast"
    # Our reader gives the feed URL back (mutagen 1.48 models WFED as a URL frame).
    got = read_tags(mp3)
    assert (got.podcast, got.feed_url, got.guid) == (True, FEED, "show-004")


def test_itunes_frames_written_by_mp3tag_read_back():
    got = read_tags(ITUNES)
    assert got.tag == "ID3v2.4"
    assert (got.feed_url, got.guid, got.description) == (
        "http://podcast.url",
        "1234",
        "Long Description",
    )
    assert got.keywords == ["Podcast Keywords"]
    assert got.podcast is False  # Mp3tag wrote PCST with the value 0


def test_write_id3_leaves_out_what_is_not_set(mp3):
    write_id3(mp3, EpisodeTags("T", "S", "A", "2023", "About", duration=3.0))
    frames = {key[:4] for key in ID3(mp3, translate=False)}
    assert frames == {"TIT2", "TALB", "TPE1", "TCON", "TYER", "TLEN", "COMM", "TDES", "PCST"}


def test_write_id3_twice_gives_the_same_file(mp3):
    write_id3(mp3, full_tags())
    once = mp3.read_bytes()
    write_id3(mp3, full_tags())
    assert mp3.read_bytes() == once


def test_write_id3_refuses_a_file_that_is_not_an_mp3(tmp_path):
    text = tmp_path / "notes.mp3"
    text.write_text("not audio\n" * 100)
    with pytest.raises(TaggingError, match="not an MP3") as e:
        write_id3(text, full_tags())
    assert e.value.path == text
    assert text.read_text() == "not audio\n" * 100


def test_a_tag_that_reads_back_wrong_is_an_error(mp3):
    # A NUL separates the values of an ID3 text frame; v2.3 has one value, so
    # mutagen joins them with "/": the title would be published wrong.
    tags = full_tags()
    tags.title = "Part one\0Part two"
    with pytest.raises(TaggingError, match="read back 'Part one/Part two'") as e:
        write_id3(mp3, tags)
    assert e.value.path == mp3
    assert e.value.field == "tags.title"


# --- chapters ------------------------------------------------------------------------
def test_chapters_are_stored_and_listed_in_time_order(mp3):
    """mutagen saves frames by size; ffprobe lists CHAP frames in file order."""
    tags = full_tags(9.0)
    tags.chapters = [
        ChapterTag(6.0, "Third"),
        ChapterTag(0.0, "A first chapter with a much longer title than the others"),
        ChapterTag(3.0, "Second", url="https://example.org/2"),
    ]
    write_id3(mp3, tags)
    assert ffprobe_chapters(mp3) == [
        (0, 3000, "A first chapter with a much longer title than the others"),
        (3000, 6000, "Second"),
        (6000, 9000, "Third"),
    ]
    assert [c.start_time for c in ID3(mp3).getall("CHAP")] == [0, 3000, 6000]
    assert [fid for fid, _ in raw_frames(mp3) if fid == "CHAP"] == ["CHAP"] * 3
    [toc] = ID3(mp3).getall("CTOC")
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]


def test_time_order_holds_for_many_chapters_with_images(mp3):
    image = read_tags(CHAPTERED).chapters[0].image
    tags = full_tags(120.0)
    tags.chapters = [
        ChapterTag(
            float(t),
            f"Chapter at {t:03d} s" + " long" * (t % 7),
            image=image if (t // 10) % 2 else None,
        )
        for t in reversed(range(0, 120, 10))
    ]
    write_id3(mp3, tags)
    listed = ffprobe_chapters(mp3)
    assert [start for start, _, _ in listed] == list(range(0, 120_000, 10_000))
    got = read_tags(mp3)
    assert got.chapters_in_order
    assert [c.image is not None for c in got.chapters] == [
        bool((t // 10) % 2) for t in range(0, 120, 10)
    ]
    assert got.chapters[1].image == image


def test_chapters_in_time_order_leaves_other_frames_in_place():
    def frame(fid: bytes, body: bytes) -> bytes:
        return fid + len(body).to_bytes(4, "big") + b"\0\0" + body

    def chap(start: int) -> bytes:
        return frame(b"CHAP", b"c%d\0" % start + start.to_bytes(4, "big") + b"\0" * 12)

    data = frame(b"TIT2", b"\x00x") + chap(20) + frame(b"TALB", b"\x00y") + chap(10)
    ordered = chapters_in_time_order(data, 3)
    assert ordered == frame(b"TIT2", b"\x00x") + chap(10) + frame(b"TALB", b"\x00y") + chap(20)
    assert chapters_in_time_order(data[:-3], 3) == data[:-3]  # not frames: left as it is


def test_real_chapters_with_images_and_links_read_back():
    got = read_tags(CHAPTERED)
    assert [(c.start, c.end, c.title) for c in got.chapters] == [
        (0.0, 1.0, "Introduction"),
        (1.0, 2.0, "New chapter"),
        (2.0, 2.025, "Chapter 1"),
    ]
    assert got.chapters[0].url == "https://github.com/Borewit/music-metadata"
    assert all(c.image is not None and c.image.mime == "image/jpeg" for c in got.chapters)


def test_a_real_podcast_tag_reads_back():
    got = read_tags(TAGGED / "id3v23_chap.id3")  # a tag with no audio after it
    assert (got.format, got.tag, got.title) == ("ID3 tag", "ID3v2.3", "554: Read-it-later Services")
    assert len(got.chapters) == 7 and got.chapters[-1].end == 5997.0
    assert got.artwork is not None and (got.artwork.width, got.artwork.height) == (1400, 1400)


# --- artwork -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_large_artwork_is_reduced_inside_the_file(mp3, tmp_path, kind):
    big = tmp_path / f"cover.{kind.lower()}"
    with Image.open(ROOT / "cover.jpg") as im:
        im.resize((3000, 3000)).save(big, kind)
    tags = full_tags()
    tags.artwork = big
    write_id3(mp3, tags)
    [apic] = ID3(mp3).getall("APIC")
    with Image.open(io.BytesIO(apic.data)) as im:
        assert im.format == kind and im.size == (MAX_ARTWORK, MAX_ARTWORK)
    assert apic.mime == f"image/{kind.lower()}"
    assert len(apic.data) < big.stat().st_size


def test_artwork_that_fits_is_embedded_as_it_is(mp3):
    tags = full_tags()
    tags.artwork = ROOT / "cover.jpg"  # 1400 px
    write_id3(mp3, tags)
    assert ID3(mp3).getall("APIC")[0].data == (ROOT / "cover.jpg").read_bytes()


def test_artwork_that_is_not_an_image_names_the_file(mp3, tmp_path):
    bad = tmp_path / "cover.jpg"
    bad.write_text("not a picture")
    tags = full_tags()
    tags.artwork = bad
    before = file_sha256(mp3)
    with pytest.raises(TaggingError, match="not a JPEG or PNG") as e:
        write_id3(mp3, tags)
    assert (e.value.path, e.value.field) == (bad, "image")
    assert file_sha256(mp3) == before


# --- encoding and publishing -----------------------------------------------------------------
def test_encode_mp3_streams_a_flac_to_an_mp3(tmp_path):
    dest = tmp_path / "jfk.mp3"
    encode_mp3(FLAC, dest)
    info = MP3(dest).info
    assert abs(info.length - probe(FLAC).duration) < 0.1
    assert round(info.bitrate / 1000) == int(MP3_BITRATE.removesuffix("k"))


def test_encode_mp3_takes_any_file_name(tmp_path):
    src = tmp_path / "-a:b.flac"  # a leading "-" and a colon mean something to ffmpeg
    shutil.copyfile(FLAC, src)
    dest = tmp_path / "-c:d.mp3"
    encode_mp3(src, dest)
    assert abs(MP3(dest).info.length - probe(FLAC).duration) < 0.1


def test_encode_mp3_names_the_file_it_cannot_read(tmp_path):
    src = tmp_path / "broken.wav"
    src.write_bytes(b"RIFF" + b"\0" * 400)
    dest = tmp_path / "out.mp3"
    with pytest.raises(AudioError, match="could not encode") as e:
        encode_mp3(src, dest)
    assert e.value.path == src
    assert not dest.exists()


def test_encode_mp3_without_ffmpeg(tmp_path, monkeypatch):
    monkeypatch.setattr(audio, "FFMPEG", str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(AudioError, match="ffmpeg is not installed"):
        encode_mp3(FLAC, tmp_path / "out.mp3")


def test_publish_audio_copies_an_mp3_and_tags_the_copy(mp3, tmp_path):
    before = file_sha256(mp3)
    dest = tmp_path / "site" / "episode.mp3"
    fmt = publish_audio(probe(mp3), dest, full_tags())
    assert (fmt.ext, fmt.mime, fmt.method) == ("mp3", "audio/mpeg", "copy")
    assert file_sha256(mp3) == before, "the source was modified"
    assert ID3(dest)["TIT2"].text == ["Tïtle of the episode"]
    # The audio frames are the source's, byte for byte, between the new ID3v2
    # tag and the ID3v1 tag at the end (which mutagen brings up to date).
    source, published = SILENCE.read_bytes(), dest.read_bytes()
    assert source[-128:].startswith(b"TAG") and published[-128:].startswith(b"TAG")
    assert published[ID3(dest).size : -128] == source[ID3(SILENCE).size : -128]


def test_publish_audio_keeps_the_source_chapters_when_asked(tmp_path):
    src = tmp_path / "chapters.mp3"
    shutil.copyfile(CHAPTERED, src)
    before = file_sha256(src)
    tags = full_tags(2.025)
    tags.chapters = []
    kept, dropped = tmp_path / "kept.mp3", tmp_path / "dropped.mp3"
    publish_audio(probe(src), kept, tags, TagOptions(keep_source_chapters=True))
    publish_audio(probe(src), dropped, tags)
    assert [t for _, _, t in ffprobe_chapters(kept)] == ["Introduction", "New chapter", "Chapter 1"]
    got = read_tags(kept)
    assert got.chapters[0].url == "https://github.com/Borewit/music-metadata"
    assert got.chapters[0].image == read_tags(CHAPTERED).chapters[0].image
    assert ffprobe_chapters(dropped) == [] and not ID3(dropped).getall("CHAP")
    assert file_sha256(src) == before


def test_publish_audio_failure_leaves_dest_as_it_was(tmp_path):
    text = tmp_path / "notes.mp3"
    text.write_text("not audio\n" * 100)
    source = probe(SILENCE)
    source.path = text  # probed as an MP3, but it is not one any more
    dest = tmp_path / "episode.mp3"
    dest.write_bytes(b"the last build")
    with pytest.raises(TaggingError) as e:
        publish_audio(source, dest, full_tags())
    assert e.value.path == dest  # named as published, not as its temporary file
    assert dest.read_bytes() == b"the last build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["episode.mp3", "notes.mp3"]
