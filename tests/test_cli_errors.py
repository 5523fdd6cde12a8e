"""Bad input to the CLI and bad audio: a clear error or a warning, never a traceback.

Each case is a row of ``tests/data/bad/cli/MANIFEST.tsv`` or
``tests/data/bad/audio/MANIFEST.tsv`` (case, what is wrong, what must
happen) and has one test here, ``test_<case>`` with dashes as underscores;
:func:`test_every_case_has_its_test` keeps the two in step. Errors must
name the file (and the field where there is one), exit non-zero, print no
traceback and change no source file. The audio is made with ffmpeg when the
test runs.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import socket
import subprocess
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from toolkit.cli import cli

from .helpers import DATA, ROOT, SAMPLE_SLUG, SPEECH

BAD = DATA / "bad"
SAMPLE_AUDIO = ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3"


def manifest(kind: str) -> list[dict[str, str]]:
    with open(BAD / kind / "MANIFEST.tsv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_every_case_has_its_test():
    tests = {name for name in globals() if name.startswith("test_")}
    cases = [row["case"] for kind in ("cli", "audio") for row in manifest(kind)]
    assert len(cases) == len(set(cases)) >= 20
    for case in cases:
        assert f"test_{case.replace('-', '_')}" in tests, f"no test for case {case}"
    for row in manifest("cli") + manifest("audio"):
        assert row["wrong"] and row["expected"], row


# --- helpers -------------------------------------------------------------------
def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def fails(result: Result, *needles: str) -> str:
    """The error's text, once sure it is a clean failure mentioning every needle."""
    out = result.output
    assert result.exit_code != 0, out
    # A ClickException or sys.exit is a SystemExit; anything else escaped the CLI.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception),
        out,
    )
    assert "Traceback" not in out, out
    for needle in needles:
        assert needle in out, (needle, out)
    return out


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: relative path -> SHA-256 (folders: "dir")."""
    return {
        p.relative_to(folder).as_posix(): (
            "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(folder.rglob("*"))
    }


def make_show(
    root: Path,
    slug: str = "001-episode",
    audio: Path | None = SAMPLE_AUDIO,
    audio_name: str = "audio.mp3",
    article: bool = True,
    extra: str = "",
) -> Path:
    """A show folder like the sample, one episode ``slug`` whose audio is a copy of ``audio``."""
    root.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "show.toml").read_text(encoding="utf-8")
    (root / "show.toml").write_text(text + extra, encoding="utf-8")
    shutil.copy(ROOT / "cover.jpg", root)
    folder = root / "episodes" / slug
    folder.mkdir(parents=True)
    toml = (ROOT / "episodes" / SAMPLE_SLUG / "episode.toml").read_text(encoding="utf-8")
    toml = toml.replace('audio = "audio.mp3"', f'audio = "{audio_name}"')
    if article:
        shutil.copy(ROOT / "episodes" / SAMPLE_SLUG / "article.txt", folder)
    else:
        toml = toml.replace('article = "article.txt"\n', "")
    (folder / "episode.toml").write_text(toml, encoding="utf-8")
    if audio is not None:
        shutil.copy(audio, folder / audio_name)
    return root


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


# --- cli: the output folder and the show folder -----------------------------------
def test_build_output_inside_show(tmp_path):
    slug = "001-episode"
    show = make_show(tmp_path / "show", slug, audio_name=f"{slug}.mp3")
    before = snapshot(show)
    out = fails(invoke("build", show, "-o", show / "episodes", "-q"), "inside the show folder")
    assert str(show / "episodes") in out
    assert snapshot(show) == before  # the source <slug>.mp3 above all


def test_build_output_is_show(tmp_path):
    show = make_show(tmp_path / "show")
    before = snapshot(show)
    fails(invoke("build", show, "-o", show, "-q"), "is the show folder")
    assert snapshot(show) == before


def test_build_show_inside_output(tmp_path):
    parent = tmp_path / "parent"
    show = make_show(parent / "show")
    before = snapshot(parent)
    fails(invoke("build", show, "-o", parent, "-q"), "inside the output folder", str(parent))
    assert snapshot(parent) == before
    assert [p.name for p in tmp_path.iterdir()] == ["parent"]  # no lock, no staging


def test_build_output_symlink_into_show(tmp_path):
    show = make_show(tmp_path / "show")
    (show / "public").mkdir()
    link = tmp_path / "site"
    link.symlink_to(show / "public")
    before = snapshot(show)
    fails(invoke("build", show, "-o", link, "-q"), "inside the show folder")
    assert snapshot(show) == before


def test_build_output_is_file(tmp_path):
    show = make_show(tmp_path / "show")
    target = tmp_path / "site"
    target.write_text("not a folder\n")
    fails(invoke("build", show, "-o", target, "-q"), str(target), "is a file, not a folder")
    assert target.read_text() == "not a folder\n"


def test_build_output_under_file(tmp_path):
    show = make_show(tmp_path / "show")
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file\n")
    fails(invoke("build", show, "-o", blocker / "site", "-q"), str(blocker), "is a file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "show"]


def test_build_output_unwritable(tmp_path):
    # /proc takes no new file, even from root (chmod would not stop root).
    show = make_show(tmp_path / "show")
    before = snapshot(show)
    fails(invoke("build", show, "-o", "/proc/toolkit-site", "-q"), "/proc/.toolkit-site.lock")
    assert snapshot(show) == before


def test_build_missing_show(tmp_path):
    fails(invoke("build", tmp_path / "nowhere", "-o", tmp_path / "site"), "show.toml")
    assert not (tmp_path / "site").exists()


# --- cli: wrong files ----------------------------------------------------------------
def test_align_mp3_transcript(tmp_path):
    article = ROOT / "episodes" / SAMPLE_SLUG / "article.txt"
    out = tmp_path / "alignment.json"
    fails(
        invoke("align", SAMPLE_AUDIO, article, "-o", out),
        str(SAMPLE_AUDIO),
        "not a transcript file",
    )
    assert not out.exists()


def test_align_chapters_transcript(tmp_path):
    article = ROOT / "episodes" / SAMPLE_SLUG / "article.txt"
    chapters = BAD / "cli" / "chapters.json"
    text = fails(
        invoke("align", chapters, article, "-o", tmp_path / "a.json"),
        str(chapters),
        "not a transcript file",
        "chapters",
    )
    assert "version" not in text, text


def test_align_podcast_json_transcript(tmp_path):
    article = ROOT / "episodes" / SAMPLE_SLUG / "article.txt"
    given = BAD / "cli" / "transcript.json"
    text = fails(
        invoke("align", given, article, "-o", tmp_path / "a.json"),
        str(given),
        "not a transcript file",
        "field 'language'",
    )
    assert "1.0.0" not in text


def test_align_list_transcript(tmp_path):
    article = ROOT / "episodes" / SAMPLE_SLUG / "article.txt"
    given = BAD / "cli" / "list.json"
    fails(
        invoke("align", given, article, "-o", tmp_path / "a.json"),
        str(given),
        "not a transcript file",
    )


def test_align_missing_article(tmp_path):
    missing = tmp_path / "article.txt"
    fails(
        invoke("align", DATA / "golden" / "sample-transcript.full.json", missing),
        str(missing),
    )
    assert not (DATA / "golden" / "alignment.json").exists()


def test_tags_text_file():
    given = BAD / "cli" / "notes.txt"
    fails(invoke("tags", given), str(given), "not a file whose tags the toolkit reads")


def test_transcribe_text_file(tmp_path):
    given = BAD / "cli" / "notes.txt"
    fails(
        invoke("transcribe", given, "-o", tmp_path, "-q"),
        str(given),
        "not a readable audio file",
    )
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_check_missing_show(tmp_path):
    (tmp_path / "episodes").mkdir()
    fails(invoke("check", tmp_path), "show.toml")


def test_import_feed_html(tmp_path):
    given = BAD / "cli" / "page.html"
    out = tmp_path / "show"
    fails(invoke("import-feed", given, "-o", out), str(given), "not an RSS feed")
    assert not out.exists()


def test_import_feed_mp3(tmp_path):
    out = tmp_path / "show"
    fails(invoke("import-feed", SAMPLE_AUDIO, "-o", out), str(SAMPLE_AUDIO), "XML")
    assert not out.exists()


def test_new_episode_text_file(tmp_path):
    show = make_show(tmp_path / "show")
    before = snapshot(show)
    given = BAD / "cli" / "notes.txt"
    fails(invoke("new-episode", given, "--show", show), str(given))
    assert snapshot(show) == before


def test_serve_port_in_use(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>site</p>")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        fails(invoke("serve", "-d", site, "-p", str(port)), f"127.0.0.1:{port}", "--port")


# --- audio ---------------------------------------------------------------------------
def mp3_of(seconds: float, dest: Path) -> Path:
    """``seconds`` of real speech (tests/data/speech) as a 64 kbit/s MP3 with its Xing header."""
    ffmpeg(
        "-i", str(SPEECH / "jfk.flac"), "-t", str(seconds),
        "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", str(dest),
    )  # fmt: skip
    return dest


def truncated_mp3(dest: Path) -> Path:
    """The first 10 KB (about 1.2 s) of an 11 s MP3, whose header still says 11 s."""
    whole = mp3_of(11, dest.with_name("whole.mp3"))
    dest.write_bytes(whole.read_bytes()[:10_000])
    whole.unlink()
    return dest


def test_truncated_mp3(tmp_path):
    from toolkit.audio import probe

    info = probe(truncated_mp3(tmp_path / "cut.mp3"))
    assert 0.8 < info.duration < 1.8, info
    assert info.header_duration is not None and info.header_duration > 10, info


def failing_build(tmp_path: Path, audio: Path) -> str:
    """Build a show whose one episode has ``audio``: the error, checked to name the field."""
    show = make_show(tmp_path / "show", audio=audio, article=False)
    source = show / "episodes" / "001-episode" / "audio.mp3"
    before = snapshot(show)
    out = fails(
        invoke("build", show, "-o", tmp_path / "site", "-q"),
        f"{show / 'episodes' / '001-episode' / 'episode.toml'}: field 'audio': {source}: ",
    )
    assert snapshot(show) == before
    assert not (tmp_path / "site").exists()
    return out


def test_text_as_mp3(tmp_path):
    given = tmp_path / "notes.mp3"
    given.write_text("Show notes, not audio.\n")
    failing_build(tmp_path, given)


def test_zero_byte(tmp_path):
    given = tmp_path / "empty.mp3"
    given.write_bytes(b"")
    failing_build(tmp_path, given)


def test_wav_bad_header(tmp_path):
    given = tmp_path / "bad.wav"
    with wave.open(str(SPEECH / "LJ001-0001.wav")) as w:
        frames = w.readframes(w.getnframes())
    data = bytearray(b"XXXX\0\0\0\0WAVEjunk" + frames[:32000])
    given.write_bytes(bytes(data))
    failing_build(tmp_path, given)


def test_video_only(tmp_path):
    given = tmp_path / "video.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:s=16x16:d=1", "-c:v", "mpeg4", str(given))
    show = make_show(tmp_path / "show", audio=given, audio_name="audio.mp4", article=False)
    toml = show / "episodes" / "001-episode" / "episode.toml"
    fails(
        invoke("build", show, "-o", tmp_path / "site", "-q"),
        f"{toml}: field 'audio': {toml.parent / 'audio.mp4'}: ",
        "no audio stream",
    )
    assert not (tmp_path / "site").exists()


def test_tags_zero_byte(tmp_path):
    given = tmp_path / "empty.mp3"
    given.write_bytes(b"")
    fails(invoke("tags", given), str(given))


# --- audio that builds, with a warning (a real build with the tiny model) ---------------
def warned_build(tmp_path: Path, audio: Path, warning: str) -> tuple[Path, str]:
    """Build ``audio`` as a one-episode show with tiny.en: the site, once sure it warned."""
    show = make_show(tmp_path / "show", audio=audio, article=False)
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace('model = "base"', 'model = "tiny.en"'))
    before = snapshot(show)
    site = tmp_path / "site"
    result = invoke("build", show, "-o", site, "-q")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    field = f"{show / 'episodes' / '001-episode' / 'episode.toml'}: field 'audio': "
    lines = [x for x in result.output.splitlines() if x.startswith(f"warning: {field}")]
    assert any(warning in x for x in lines), result.output
    assert snapshot(show) == before
    return site, result.output


def feed_duration(site: Path) -> str:
    import xml.etree.ElementTree as ET

    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    item = ET.parse(site / "feed.xml").getroot().find("channel/item")
    assert item is not None
    found = item.find("itunes:duration", ns)
    assert found is not None and found.text is not None
    return found.text


@pytest.mark.slow
def test_truncated_mp3_build(tmp_path):
    cut = truncated_mp3(tmp_path / "cut.mp3")
    site, _ = warned_build(tmp_path, cut, "header says 11.0 s but only 1.2 s")
    assert feed_duration(site) in ("1", "2", "00:00:01", "00:01", "0:01"), feed_duration(site)
    from mutagen.id3 import ID3

    tlen = int(ID3(site / "001-episode" / "001-episode.mp3")["TLEN"].text[0])
    assert 800 < tlen < 1800, tlen


@pytest.mark.slow
def test_short_clip_build(tmp_path):
    clip = mp3_of(0.3, tmp_path / "clip.mp3")
    site, _ = warned_build(tmp_path, clip, "lasts only 0.3")
    # A build that reuses every stage says it again: the producer still has to know.
    again = invoke("build", tmp_path / "show", "-o", site, "-q")
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    assert "warning: " in again.output and "lasts only 0.3" in again.output, again.output
    # The feed says it lasts a second, never 0 (apps read 0 as unknown).
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<itunes:duration>1</itunes:duration>" in feed


@pytest.mark.slow
def test_silence_build(tmp_path):
    silence = tmp_path / "silence.mp3"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "3", str(silence))
    site, _ = warned_build(tmp_path, silence, "no speech was recognised")
    assert (site / "001-episode" / "transcript.txt").is_file()
    # toolkit transcribe says so too, naming the file.
    result = invoke("transcribe", silence, "--model", "tiny.en", "-o", tmp_path / "t", "-q")
    assert result.exit_code == 0, result.output
    assert f"warning: {silence}: no speech was recognised" in result.output, result.output


@pytest.mark.slow
def test_noise_build(tmp_path):
    noise = tmp_path / "noise.mp3"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=d=3:c=pink:r=16000:a=0.3", str(noise))
    warned_build(tmp_path, noise, "no speech was recognised")


def test_the_default_output_is_beside_the_show(tmp_path, monkeypatch):
    """Without -o, run in the show folder: the site goes beside it, never inside."""
    given = tmp_path / "notes.mp3"
    given.write_text("not audio\n")
    show = make_show(tmp_path / "myshow", audio=given, article=False)
    before = snapshot(show)
    monkeypatch.chdir(show)
    fails(invoke("build", "-q"), "not a readable audio file")
    assert snapshot(show) == before
    # The build got as far as the lock of its output, beside the show.
    assert (tmp_path / ".myshow-site.lock").is_file()


def test_serve_no_site(tmp_path, monkeypatch):
    show = make_show(tmp_path / "myshow")
    monkeypatch.chdir(show)
    fails(invoke("serve", "-p", "0"), str(tmp_path / "myshow-site"), "./site", "-d")
