"""toolkit check: the clean sample show and site, then each check on a copy broken on purpose.

The sample show is built once for the module by the real CLI, with the
stored transcript in place of Whisper (tests/helpers.py); each test breaks a
copy of the show folder or of the built site and checks that the right
file and field are named.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from toolkit.check import Finding, check_show
from toolkit.check.apple_categories import APPLE_CATEGORIES, category_problem
from toolkit.check.chapters import embedded_chapters
from toolkit.check.transcripts import TranscriptFormatError, read_cues
from toolkit.cli import cli

from .helpers import DATA, ROOT, SAMPLE_SLUG, SPEECH, stored_transcript_stages

EPISODE = f"episodes/{SAMPLE_SLUG}"
AUDIO = f"{SAMPLE_SLUG}/{SAMPLE_SLUG}.mp3"


def copy_sample(dest: Path) -> Path:
    """The sample show (show.toml, cover, episodes) copied to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("show.toml", "cover.jpg"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "episodes", dest / "episodes")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample show and the site the real CLI builds from it (stored transcript)."""
    root = tmp_path_factory.mktemp("check-built")
    show, site = copy_sample(root / "show"), root / "site"
    build_module = importlib.import_module("toolkit.pipeline.build")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "STAGES", stored_transcript_stages())
        result = CliRunner().invoke(cli, ["build", str(show), "-o", str(site), "-q"])
    assert result.exit_code == 0, result.output
    return show, site


@pytest.fixture
def copy(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the built show and site, to break."""
    show, site = built
    return (
        Path(shutil.copytree(show, tmp_path / "show")),
        Path(shutil.copytree(site, tmp_path / "site")),
    )


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def errors(show: Path, site: Path | None = None, check: str | None = None) -> list[Finding]:
    found = check_show(show, site).errors
    return [f for f in found if check is None or f.check == check]


def only(found: list[Finding]) -> Finding:
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# --- the clean sample -----------------------------------------------------------
def test_sample_show_and_site_have_no_errors(built):
    show, site = built
    result = CliRunner().invoke(cli, ["check", str(show), "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output
    # the only warning: the sample is published on a loopback http address
    report = check_show(show, site)
    assert [(f.check, f.field) for f in report.warnings] == [("limits", "base_url")]


def test_json_output(built):
    show, site = built
    result = CliRunner().invoke(cli, ["check", str(show), "--site", str(site), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True and data["errors"] == 0 and data["warnings"] == 1
    assert set(data["findings"][0]) == {"severity", "check", "path", "field", "message"}


def test_json_reports_errors_and_exit_status_1(copy):
    show, site = copy
    edit(
        show / "show.toml", 'categories = ["News/Politics", "Government"]', 'categories = ["Newz"]'
    )
    result = CliRunner().invoke(cli, ["check", str(show), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False
    [finding] = [f for f in data["findings"] if f["severity"] == "error"]
    assert finding["path"] == str(show / "show.toml") and finding["field"] == "categories[0]"


def test_default_site_is_site_in_the_current_folder(built, tmp_path, monkeypatch):
    show, site = built
    shutil.copytree(site, tmp_path / "site")
    (tmp_path / "site" / AUDIO).unlink()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(show)])
    assert result.exit_code == 1
    assert "leads to no file in the site" in result.output


def test_not_a_show_folder_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path}: no show.toml here: not a show folder"


# --- the show folder ------------------------------------------------------------
def test_invalid_toml_fields_are_all_reported(copy):
    show, _ = copy
    edit(show / "show.toml", 'author = "Maya Okafor"\n', "")
    edit(show / "show.toml", 'email = "maya@example.org"', 'email = "not an address"')
    found = errors(show, check="fields")
    assert {f.field for f in found} == {"author", "owner.email"}
    assert all(f.path == show / "show.toml" for f in found)


@pytest.mark.parametrize(
    "problem, field",
    [
        (("explicit = false\n", ""), "explicit"),
        (('email = "maya@example.org"\n', ""), "owner.email"),
        (('language = "en"', 'language = "xx"'), "language"),
    ],
)
def test_required_fields(copy, problem, field):
    show, _ = copy
    edit(show / "show.toml", *problem)
    finding = only(errors(show))
    assert (finding.path, finding.field) == (show / "show.toml", field)


def test_serial_show_needs_episode_numbers(copy):
    show, _ = copy
    edit(show / "show.toml", 'type = "episodic"', 'type = "serial"')
    edit(show / EPISODE / "episode.toml", "number = 1\n", "")
    finding = only(errors(show))
    assert (finding.check, finding.field) == ("fields", "number")


def test_episode_without_guid_is_a_warning(copy):
    show, _ = copy
    edit(show / EPISODE / "episode.toml", 'guid = "un-desk-2023-001-japan-security-council"\n', "")
    report = check_show(show)
    assert report.ok
    assert any(f.field == "guid" and f.check == "fields" for f in report.warnings)


def test_urls_must_be_https(copy):
    show, _ = copy
    edit(
        show / "show.toml",
        'base_url = "http://127.0.0.1:8000/"',
        'base_url = "http://example.org/"',
    )
    edit(
        show / "show.toml", 'type = "episodic"', 'type = "episodic"\nlink = "https://example.org/"'
    )
    edit(
        show / EPISODE / "episode.toml",
        '{ name = "Daniel Reyes", role = "guest" }',
        '{ name = "Daniel Reyes", role = "guest", href = "ftp://example.org/dr", '
        'img = "https://example.org/dr.jpg" }',
    )
    found = errors(show, check="limits")
    assert {(f.path.name, f.field) for f in found} == {
        ("show.toml", "base_url"),
        ("episode.toml", "guests[0].href"),
    }


def test_description_limit_counts_bytes(copy):
    show, _ = copy
    # 1,500 characters (within the model's 4,000) but 4,500 bytes in UTF-8
    edit(show / EPISODE / "episode.toml", 'description = """', 'description = """' + "€" * 1500)
    finding = only(errors(show))
    assert (finding.check, finding.field) == ("limits", "description")
    assert "bytes" in finding.message


def test_title_limit(copy):
    show, _ = copy
    edit(show / "show.toml", 'title = "UN Desk Conversations"', f'title = "{"T" * 256}"')
    finding = only(errors(show))
    assert (finding.path.name, finding.field) == ("show.toml", "title")


def _save_cover(show: Path, image: Image.Image, name: str, fmt: str) -> Path:
    path = show / name
    image.save(path, fmt)
    edit(show / "show.toml", 'image = "cover.jpg"', f'image = "{name}"')
    return path


@pytest.mark.parametrize(
    "make, name, fmt, words",
    [
        (lambda: Image.new("RGB", (1000, 1000)), "small.jpg", "JPEG", ["1400 to 3000"]),
        (lambda: Image.new("RGB", (1400, 1600)), "tall.jpg", "JPEG", ["square"]),
        (lambda: Image.new("RGB", (3001, 3001)), "big.png", "PNG", ["1400 to 3000"]),
        (lambda: Image.new("RGB", (1400, 1400)), "png.jpg", "PNG", ["extension", "png.png"]),
        (lambda: Image.new("CMYK", (1400, 1400)), "cmyk.jpg", "JPEG", ["RGB"]),
        (lambda: Image.new("L", (1400, 1400)), "grey.png", "PNG", ["RGB"]),
        (lambda: Image.new("RGB", (1400, 1400)), "cover.gif", "GIF", ["JPEG or PNG"]),
    ],
)
def test_artwork(copy, make, name, fmt, words):
    show, _ = copy
    path = _save_cover(show, make(), name, fmt)
    found = errors(show, check="artwork")
    finding = only(found)
    assert finding.path == path
    assert all(w in finding.message for w in words), finding


def test_artwork_missing(copy):
    show, _ = copy
    edit(show / "show.toml", 'image = "cover.jpg"\n', "")
    finding = only(errors(show))
    assert (finding.check, finding.field) == ("artwork", "image")


def test_artwork_with_transparency_is_a_warning(copy):
    show, _ = copy
    _save_cover(show, Image.new("RGBA", (1400, 1400)), "alpha.png", "PNG")
    report = check_show(show)
    assert report.ok
    assert any(f.check == "artwork" and "RGBA" in f.message for f in report.warnings)


@pytest.mark.parametrize(
    "categories, hint",
    [
        ('["News/Politicks"]', "not a subcategory of 'News'"),
        ('["news/politics"]', "case-sensitive: 'News/Politics'"),
        ('["Politics"]', "write it as 'News/Politics'"),
        ('["Games & Hobbies"]', "not an Apple category"),
        ("[]", "Apple requires a category"),
    ],
)
def test_categories(copy, categories, hint):
    show, _ = copy
    edit(show / "show.toml", '["News/Politics", "Government"]', categories)
    finding = only(errors(show))
    assert finding.check == "categories" and hint in finding.message, finding


def test_apple_category_list_is_the_2019_list():
    assert len(APPLE_CATEGORIES) == 19
    assert len(APPLE_CATEGORIES) + sum(map(len, APPLE_CATEGORIES.values())) == 110
    assert category_problem("Society & Culture/Documentary") is None
    assert category_problem("Technology") is None


def _second_episode(show: Path, name: str) -> Path:
    second = show / "episodes" / name
    shutil.copytree(show / EPISODE, second)
    return second / "episode.toml"


def test_duplicate_guid_and_number(copy):
    show, _ = copy
    _second_episode(show, "002-second")
    found = errors(show, check="duplicates")
    assert {(f.path.parent.name, f.field) for f in found} == {
        (SAMPLE_SLUG, "guid"),
        ("002-second", "guid"),
        (SAMPLE_SLUG, "number"),
        ("002-second", "number"),
    }


def test_same_number_in_another_season_or_a_trailer_is_fine(copy):
    show, _ = copy
    toml = _second_episode(show, "002-second")
    edit(toml, "un-desk-2023-001", "un-desk-2023-002")
    edit(toml, "season = 1", "season = 2")
    assert errors(show) == []
    edit(toml, "season = 2", "season = 1")
    edit(toml, 'type = "full"', 'type = "trailer"')
    assert errors(show) == []


def test_slugs_that_differ_only_in_case(copy):
    show, _ = copy
    toml = _second_episode(show, SAMPLE_SLUG.upper())
    edit(toml, "un-desk-2023-001", "un-desk-2023-002")
    edit(toml, "number = 1", "number = 2")
    found = errors(show, check="duplicates")
    assert {f.path.name for f in found} == {SAMPLE_SLUG, SAMPLE_SLUG.upper()}
    assert "differ only in case" in found[0].message


def test_episode_dated_in_the_future(copy):
    show, _ = copy
    edit(show / EPISODE / "episode.toml", "date = 2023-01-17T09:00:00Z", "date = 2999-01-01")
    finding = only(errors(show))
    assert (finding.check, finding.field) == ("dates", "date")
    assert "more than a year from now" in finding.message
    # A month ahead is a scheduled episode: a warning, as the build gives.
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    edit(show / EPISODE / "episode.toml", "date = 2999-01-01", f"date = {soon}")
    assert not errors(show, check="dates")
    [warned] = [f for f in check_show(show).warnings if f.check == "dates"]
    assert warned.field == "date" and "in the future" in warned.message


def test_audio_that_is_only_a_url(copy):
    show, _ = copy
    edit(
        show / EPISODE / "episode.toml",
        'audio = "audio.mp3"',
        'audio = "https://example.org/a.mp3"',
    )
    finding = only(errors(show))
    assert (finding.field, finding.path.name) == ("audio", "episode.toml")
    assert "only a URL" in finding.message


# --- the built site ---------------------------------------------------------------
def test_feed_url_without_a_file(copy):
    show, site = copy
    (site / SAMPLE_SLUG / "transcript.srt").unlink()
    finding = only(errors(show, site))
    assert finding.check == "site" and finding.path == site / "feed.xml"
    assert "transcript.srt leads to no file" in finding.message
    assert "podcast:transcript" in (finding.field or "")


def test_enclosure_length_and_type(copy):
    show, site = copy
    size = (site / AUDIO).stat().st_size
    edit(
        site / "feed.xml",
        f'length="{size}" type="audio/mpeg"',
        f'length="{size + 1}" type="audio/mp3"',
    )
    found = errors(show, site, "site")
    assert {f.field.rsplit("@", 1)[1] for f in found if f.field} == {"length", "type"}
    assert any("use 'audio/mpeg'" in f.message for f in found)


def test_alternate_enclosure_length_and_type(copy):
    show, site = copy
    url = f"http://127.0.0.1:8000/{AUDIO}"
    size = (site / AUDIO).stat().st_size
    alternate = (
        f'<podcast:alternateEnclosure type="audio/ogg" length="{size}">'
        f'<podcast:source uri="{url}"/></podcast:alternateEnclosure>'
        f'<podcast:alternateEnclosure type="audio/mpeg" length="12">'
        f'<podcast:source uri="{url}"/></podcast:alternateEnclosure>'
    )
    edit(site / "feed.xml", "</item>", alternate + "</item>")
    found = errors(show, site, "site")
    assert sorted(f.field.split("/")[-1] for f in found if f.field) == [
        "podcast:alternateEnclosure 1@type",
        "podcast:alternateEnclosure 2@length",
    ]


def test_wrong_weekday_in_pubdate(copy):
    show, site = copy
    edit(site / "feed.xml", "<pubDate>Tue, 17 Jan 2023", "<pubDate>Mon, 17 Jan 2023")
    finding = only(errors(show, site))
    assert finding.check == "dates" and finding.field.endswith("/pubDate")
    assert "is a Tue, not a Mon" in finding.message


def test_pubdate_in_the_future_and_unparseable(copy):
    show, site = copy
    edit(site / "feed.xml", "<pubDate>Tue, 17 Jan 2023", "<pubDate>Mon, 17 Jan 2050")
    assert "in the future" in only(errors(show, site)).message
    edit(site / "feed.xml", "<pubDate>Mon, 17 Jan 2050 09:00:00 +0000", "<pubDate>2050-01-17")
    assert "not an RFC 2822 date" in only(errors(show, site)).message


def test_malformed_feed_is_recovered_with_a_warning(copy):
    show, site = copy
    feed = site / "feed.xml"
    feed.write_bytes(b"\n" + feed.read_bytes())
    report = check_show(show, site)
    assert report.ok
    assert any("whitespace before the XML declaration" in f.message for f in report.warnings)


def test_unreadable_feed_is_an_error(copy):
    show, site = copy
    edit(site / "feed.xml", "</channel>", "")
    assert "not well-formed XML" in only(errors(show, site)).message


def test_duplicate_guid_in_feed(copy):
    show, site = copy
    text = (site / "feed.xml").read_text(encoding="utf-8")
    item = re.search(r"<item>.*?</item>", text, re.S)
    assert item
    (site / "feed.xml").write_text(text.replace(item.group(0), item.group(0) * 2), "utf-8")
    found = errors(show, site, "duplicates")
    assert "used 2 times" in only(found).message


@pytest.mark.parametrize(
    "name, old, new, where",
    [
        ("transcript.vtt", "WEBVTT", "WEBVTX", "line 1"),
        ("transcript.vtt", "00:00:06.140 -->", "00:00:01.140 -->", "cue 3"),
        ("transcript.vtt", "--> 00:00:05.840", "--> 00:00:01.840", "cue 2"),
        ("transcript.vtt", "00:00:02.560 -->", "00:00:02,560 -->", "cue 2"),
        ("transcript.srt", "00:00:02,560 -->", "00:00:02.560 -->", "cue 2"),
        ("transcript.srt", "\n2\n", "\nsecond\n", "cue 2"),
        ("transcript.json", '"endTime": 2.1,', "", "segments[0].endTime"),
        ("transcript.json", '"startTime": 2.56', '"startTime": -0.56', "segments[1]"),
        ("transcript.json", '"version": "1.0.0",', "", "version"),
        ("transcript.html", "<time>0:00</time>", "<time>9:99</time>", "<time> 1"),
    ],
)
def test_transcripts(copy, name, old, new, where):
    show, site = copy
    edit(site / SAMPLE_SLUG / name, old, new)
    finding = only(errors(show, site))
    assert (finding.check, finding.path.name) == ("transcripts", name)
    assert finding.field and finding.field.startswith(where), finding


def test_html_transcript_times_must_not_go_back():
    html = "<time>0:10</time><p>a</p><time>0:05</time><p>b</p>"
    with pytest.raises(TranscriptFormatError, match="must not go back"):
        read_cues(html, "text/html")


def test_real_transcripts_parse():
    """The namespace's own examples (tests/data/transcripts) pass the readers."""
    cases = {"vtt": "text/vtt", "srt": "application/srt", "json": "application/json",
             "html": "text/html"}  # fmt: skip
    for ext, mime in cases.items():
        text = (DATA / "transcripts" / f"example.{ext}").read_text(encoding="utf-8")
        assert read_cues(text, mime)


def test_transcript_past_the_end_of_the_audio(copy):
    show, site = copy
    vtt = site / SAMPLE_SLUG / "transcript.vtt"
    vtt.write_text(vtt.read_text("utf-8") + "\n00:10:00.000 --> 00:10:01.000\nlate\n", "utf-8")
    assert "past the end of the audio" in only(errors(show, site)).message


def _chapters(site: Path) -> tuple[Path, dict]:
    path = site / SAMPLE_SLUG / "chapters.json"
    return path, json.loads(path.read_text("utf-8"))


def test_chapters_follow_the_spec(copy):
    show, site = copy
    path, data = _chapters(site)
    data["chapters"][2]["startTime"] = 20.0  # before chapters[1] (22.6 s)
    del data["version"]
    data["chapters"][0]["toc"] = "no"
    path.write_text(json.dumps(data), "utf-8")
    found = errors(show, site, "chapters")
    assert {f.field for f in found} == {"version", "chapters[2].startTime", "chapters[0].toc"}
    assert all(f.path == path for f in found)


def test_chapters_must_match_the_id3_chapters(copy):
    show, site = copy
    path, data = _chapters(site)
    data["chapters"][3]["title"] = "Another title"
    path.write_text(json.dumps(data), "utf-8")
    finding = only(errors(show, site))
    assert (finding.check, finding.path, finding.field) == ("chapters", site / AUDIO, "ID3 CHAP 4")
    data["chapters"].pop()
    path.write_text(json.dumps(data), "utf-8")
    assert "6 chapter(s) in the audio, 5 in the chapters JSON" in only(errors(show, site)).message


def test_silent_chapters_are_not_compared(copy):
    show, site = copy
    path, data = _chapters(site)
    data["chapters"].insert(1, {"startTime": 10.0, "toc": False, "img": "https://example.org/i"})
    path.write_text(json.dumps(data), "utf-8")
    assert errors(show, site) == []


def test_chapters_inside_mp4_and_flac(tmp_path):
    meta = tmp_path / "meta.txt"
    meta.write_text(
        ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=5000\ntitle=One\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=5000\nEND=11000\ntitle=Two\n"
    )
    m4a = tmp_path / "ch.m4a"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(SPEECH / "jfk.flac"), "-i", str(meta),
         "-map_metadata", "1", "-map_chapters", "1", "-c:a", "aac", "-b:a", "32k", str(m4a)],
        check=True,
    )  # fmt: skip
    kind, chapters = embedded_chapters(m4a)
    assert kind == "MP4 (Nero)"
    assert [(c.start, c.title) for c in chapters] == [(0.0, "One"), (5.0, "Two")]

    from mutagen.flac import FLAC

    flac = Path(shutil.copy(SPEECH / "jfk.flac", tmp_path / "ch.flac"))
    tags = FLAC(flac)
    tags.update({"CHAPTER001": "00:00:00.000", "CHAPTER001NAME": "One",
                 "CHAPTER002": "00:00:05.500", "CHAPTER002NAME": "Two"})  # fmt: skip
    tags.save()
    kind, chapters = embedded_chapters(flac)
    assert kind == "Vorbis CHAPTERnnn"
    assert [(c.start, c.title) for c in chapters] == [(0.0, "One"), (5.5, "Two")]


def test_soundbite_past_the_end(copy):
    show, site = copy
    feed = site / "feed.xml"
    bite = re.search(r'<podcast:soundbite startTime="[\d.]+" duration="([\d.]+)"', feed.read_text())
    assert bite is not None and float(bite.group(1)) > 5
    edit(feed, bite.group(0), f'<podcast:soundbite startTime="190" duration="{bite.group(1)}"')
    finding = only(errors(show, site))
    assert finding.check == "soundbites" and "after the end of the episode" in finding.message
    edit(site / "feed.xml", 'startTime="190"', 'startTime="-1"')
    assert "0 or more" in only(errors(show, site)).message


def test_check_dates_against_a_given_now(built):
    show, site = built
    report = check_show(show, site, now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
    assert {f.check for f in report.errors} == {"dates"}


def test_files_outside_the_show_folder(copy, tmp_path):
    """toolkit check refuses, as the build does, an audio or article path that leaves
    the show folder, naming the field."""
    show, _ = copy
    outside = tmp_path / "private.txt"
    outside.write_text("not for publishing")
    toml = show / EPISODE / "episode.toml"
    edit(toml, 'article = "article.txt"', f'article = "{outside}"')
    finding = only(errors(show))
    assert (finding.path, finding.field) == (toml, "article")
    assert "outside the show folder" in finding.message
    edit(toml, f'article = "{outside}"', 'article = "../../../private.txt"')
    assert only(errors(show)).field == "article"
