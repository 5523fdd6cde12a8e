"""Tagging and publishing the audio, on temporary copies of real files.

``silence-44-s.mp3`` is mutagen's own test MP3 with an ID3v2.3 tag of its own;
``jfk.flac`` is the FLAC that the engine tests transcribe.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from toolkit import audio
from toolkit.audio import MP3_BITRATE, encode_mp3, probe
from toolkit.chapters import Chapter
from toolkit.errors import AudioError, TaggingError
from toolkit.hashing import file_sha256
from toolkit.tag import EpisodeTags, publish_audio, write_id3

from .helpers import DATA, SPEECH

SILENCE = DATA / "tagged" / "silence-44-s.mp3"
ARTWORK = DATA / "tagged" / "image.jpg"
FLAC = SPEECH / "jfk.flac"


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
            Chapter(start=0.0, end=1.5, title="One", description="The first"),
            Chapter(start=1.5, title="Two"),  # no end: runs to the episode's end
        ],
        transcript="Hello there.\nAnd goodbye.",
    )


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    dest = tmp_path / "episode.mp3"
    shutil.copyfile(SILENCE, dest)
    return dest


def test_write_id3_replaces_the_tag(mp3):
    write_id3(mp3, full_tags())
    tags = ID3(mp3)
    assert tags.version == (2, 3, 0)
    assert "TIT1" not in tags and "TYER" not in tags  # the old tag is gone
    assert tags["TIT2"].text == ["Tïtle of the episode"]
    assert tags["TALB"].text == ["The Show"]
    assert tags["TPE1"].text == ["Ann, Bob"]
    assert tags["TCON"].text == ["Podcast"]
    assert str(tags["TDRC"].text[0]) == "2023-01-17"
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
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.element_id, c.start_time, c.end_time) for c in chaps] == [
        ("chp0", 0, 1500),
        ("chp1", 1500, 3000),
    ]
    assert chaps[0].sub_frames["TIT3"].text == ["The first"]
    assert "TIT3" not in chaps[1].sub_frames
    assert abs(MP3(mp3).info.length - MP3(SILENCE).info.length) < 1e-6


def test_write_id3_leaves_out_what_is_not_set(mp3):
    write_id3(mp3, EpisodeTags("T", "S", "A", "2023", "About", duration=3.0))
    frames = {key[:4] for key in ID3(mp3)}
    assert frames == {"TIT2", "TALB", "TPE1", "TCON", "TDRC", "TLEN", "COMM"}


def test_write_id3_twice_gives_the_same_file(mp3, tmp_path):
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
    publish_audio(probe(mp3), dest, full_tags())
    assert file_sha256(mp3) == before, "the source was modified"
    assert ID3(dest)["TIT2"].text == ["Tïtle of the episode"]
    # The audio frames are the source's, byte for byte, between the new ID3v2
    # tag and the ID3v1 tag at the end (which mutagen brings up to date).
    source, published = SILENCE.read_bytes(), dest.read_bytes()
    assert source[-128:].startswith(b"TAG") and published[-128:].startswith(b"TAG")
    assert published[ID3(dest).size : -128] == source[ID3(SILENCE).size : -128]


def test_publish_audio_encodes_a_flac(tmp_path):
    source = probe(FLAC)
    before = file_sha256(FLAC)
    dest = tmp_path / "episode.mp3"
    publish_audio(source, dest, full_tags(source.duration))
    assert file_sha256(FLAC) == before
    assert abs(MP3(dest).info.length - source.duration) < 0.1
    assert ID3(dest)["TLEN"].text == [str(round(source.duration * 1000))]
    assert [p.name for p in tmp_path.iterdir()] == ["episode.mp3"]  # no temporary file left


def test_publish_audio_failure_leaves_dest_as_it_was(tmp_path):
    text = tmp_path / "notes.mp3"
    text.write_text("not audio\n" * 100)
    source = probe(SILENCE)
    source.path = text  # probed as an MP3, but it is not one any more
    dest = tmp_path / "episode.mp3"
    dest.write_bytes(b"the last build")
    with pytest.raises(TaggingError):
        publish_audio(source, dest, full_tags())
    assert dest.read_bytes() == b"the last build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["episode.mp3", "notes.mp3"]
