"""toolkit import-feed: every real feed in tests/data/feeds, safety, and a round trip.

feedparser, an independent reader, is the oracle for what each feed holds.
The round trip imports a small feed whose enclosures are tests/data files
(file:// URLs and a local path), downloads them, builds the show with the
real CLI (a transcript fitted to each audio stands in for Whisper) and reads
the result back with podcastparser.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import tomllib
from dataclasses import replace
from email.utils import format_datetime
from pathlib import Path

import feedparser
import mutagen
import podcastparser
import pytest
from click.testing import CliRunner

from toolkit.check import check_show
from toolkit.config import Episode, Show, load_show
from toolkit.errors import FeedError
from toolkit.importer import ImportOptions, import_feed
from toolkit.importer.feed import read_feed
from toolkit.importer.tomlwrite import dumps

from .helpers import DATA, ROOT, SAMPLE_SLUG, SPEECH

FEEDS = DATA / "feeds"
NOT_A_FEED = "podcast-namespace-schema-example.xml"  # the spec's tag examples, not RSS
MALFORMED = "sentimental-garbage.xml"


def toml(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def _expected(feed: Path) -> dict[str, dict]:
    """guid -> title and enclosure of each item feedparser reads with an enclosure and date."""
    parsed = feedparser.parse(str(feed))
    out = {}
    for entry in parsed.entries:
        enclosures = entry.get("enclosures") or []
        if not enclosures or not entry.get("title") or not entry.get("published_parsed"):
            continue
        guid = entry.get("id") or enclosures[0]["href"]
        out[guid] = {"title": entry["title"], "enclosure": enclosures[0]["href"]}
    return out


@pytest.mark.parametrize(
    "name", sorted(p.name for p in FEEDS.glob("*.xml") if p.name != NOT_A_FEED)
)
def test_every_feed_imports_with_its_guids(name, tmp_path):
    report = import_feed(str(FEEDS / name), ImportOptions(output=tmp_path / "show"))
    show = tmp_path / "show"
    data = toml(show / "show.toml")
    # every field the feed had is valid; those it lacked are the only ones missing
    placeholders = {
        "title": "t",
        "description": "d",
        "author": "a",
        "language": "en",
        "base_url": "https://example.org/",
        "owner": {"name": "o", "email": "o@example.org"},
    }
    Show.model_validate({**placeholders, **data})
    missing = sorted(set(placeholders) - set(data))
    warned = {w.split("field '")[1].split("'")[0].split(".")[0] for w in report.warnings
              if "show.toml: field '" in w and "has no" in w}  # fmt: skip
    assert missing == sorted(warned & set(placeholders))
    if not missing:
        load_show(show)
    episodes = {}
    for ep in report.episodes:
        raw = toml(show / "episodes" / ep.slug / "episode.toml")
        episode = Episode.model_validate(raw)
        assert episode.audio_url == raw["imported"]["enclosure"]  # referenced, not downloaded
        episodes[episode.guid] = {"title": episode.title, "enclosure": episode.audio}
    expected = _expected(FEEDS / name)
    assert set(episodes) == set(expected)
    for guid, want in expected.items():
        assert episodes[guid]["enclosure"] == want["enclosure"]
        assert " ".join(episodes[guid]["title"].split()) == " ".join(want["title"].split())
    slugs = [ep.slug for ep in report.episodes]
    assert len({s.casefold() for s in slugs}) == len(slugs)


def test_the_malformed_feed_is_recovered_with_a_warning(tmp_path):
    report = import_feed(str(FEEDS / MALFORMED), ImportOptions(output=tmp_path / "show"))
    assert any("whitespace before the XML declaration" in w for w in report.warnings)
    assert len(report.episodes) == 138


def test_chapters_transcripts_and_people_are_kept(tmp_path):
    report = import_feed(str(FEEDS / "themnshow.xml"), ImportOptions(output=tmp_path / "show"))
    feed = read_feed((FEEDS / "themnshow.xml").read_bytes(), "themnshow.xml")
    by_guid = {ep.guid: ep.slug for ep in report.episodes}
    with_both = [i for i in feed.items if i.chapters and len(i.transcripts) > 1]
    assert with_both
    for item in with_both:
        raw = toml(tmp_path / "show" / "episodes" / by_guid[item.guid] / "episode.toml")
        assert raw["imported"]["chapters"] == item.chapters.url
        assert [t["url"] for t in raw["imported"]["transcripts"]] == [
            t.url for t in item.transcripts
        ]
        assert {t["type"] for t in raw["imported"]["transcripts"]} == {
            t.type for t in item.transcripts
        }
    data = toml(tmp_path / "show" / "show.toml")
    assert data["title"] == "The Mike Neumann Show"


def test_season_episode_and_type(tmp_path):
    report = import_feed(str(FEEDS / "1865.xml"), ImportOptions(output=tmp_path / "show"))
    feed = read_feed((FEEDS / "1865.xml").read_bytes(), "1865.xml")
    numbered = [i for i in feed.items if i.number is not None]
    assert numbered
    slug = {ep.guid: ep.slug for ep in report.episodes}
    for item in numbered:
        raw = toml(tmp_path / "show" / "episodes" / slug[item.guid] / "episode.toml")
        assert (raw.get("number"), raw.get("season")) == (item.number, item.season)
        assert raw.get("type", "full") == (item.episode_type or "full").lower()


def test_non_english_show_gets_a_multilingual_model(tmp_path):
    import_feed(str(FEEDS / "dk-podcast.xml"), ImportOptions(output=tmp_path / "show"))
    data = toml(tmp_path / "show" / "show.toml")
    assert data["language"] == "de"
    assert data["transcription"] == {"model": "base", "language": "de"}


def test_not_a_feed_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(
        __import__("toolkit.cli", fromlist=["cli"]).cli,
        ["import-feed", str(FEEDS / NOT_A_FEED), "-o", str(tmp_path / "x")],
    )
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {FEEDS / NOT_A_FEED}: not an RSS feed: the root element is <podcast:test-wrapper>"
    )
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "doctype, entity",
    [
        ('<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>', "b"),
        ('<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', "secret"),
    ],
)
def test_entities_are_refused(tmp_path, doctype, entity):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>&{entity};</title>'
        "</channel></rss>"
    )
    with pytest.raises(FeedError, match="declares XML entities"):
        import_feed(str(feed), ImportOptions(output=tmp_path / "show"))


def test_an_existing_show_is_never_overwritten(tmp_path):
    out = tmp_path / "show"
    out.mkdir()
    (out / "show.toml").write_text("title = 'mine'\n")
    with pytest.raises(FeedError, match="already there"):
        import_feed(str(FEEDS / "launched.xml"), ImportOptions(output=out))
    assert (out / "show.toml").read_text() == "title = 'mine'\n"


def test_toml_writer_round_trips_every_value():
    doc = {
        "title": 'Quotes " and \\ backslashes, \x01 control and \x7f',
        "description": 'Line one\n"""three quotes"""\n\ttab\r\nend"',
        "number": 3,
        "explicit": False,
        "date": dt.datetime(2023, 1, 17, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        "categories": ["News/Politics", "Kids & Family"],
        "hosts": [{"name": "A. Person", "role": "host"}],
        "owner": {"name": "Ünïcode", "email": "o@example.org"},
    }
    back = tomllib.loads(dumps(doc, "a header\nover two lines"))
    assert back == {**doc, "description": doc["description"].replace("\r\n", "\n")}


# --- the round trip ---------------------------------------------------------------
def fitted_transcript_stages():
    """The build's stages, with transcription replaced by one segment as long as the audio."""
    from toolkit.pipeline import stages
    from toolkit.transcribe.transcript import Segment, Transcript

    def fitted(job, ctx, folder):
        duration = job.source.duration
        job.transcript = Transcript(
            language="en",
            duration=duration,
            segments=[Segment(0, 0.0, duration, "An imported episode, read back.")],
        )
        job.transcript_outcome = "plain"
        stages.save_transcript(folder / stages.FULL_TRANSCRIPT, job.transcript)
        return stages.Record(files=[stages.FULL_TRANSCRIPT], action="fitted transcript")

    return [replace(s, run=fitted) if s.name == "transcribe" else s for s in stages.STAGES]


AUDIO_FILES = [
    (ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3", "audio/mpeg", "file"),
    (SPEECH / "jfk.flac", "audio/flac", "file"),
    (SPEECH / "sense_and_sensibility_01_austen_64kb-0870.wav", "audio/wav", "path"),
]


#: The old host's chapters for the first episode: three to show, one silent marker.
CHAPTERS = [
    {"startTime": 0, "title": "Opening"},
    {"startTime": 42.5, "toc": False, "img": "https://old-host.example/i.jpg"},
    {"startTime": 60.25, "title": "The middle", "url": "https://example.org/m"},
    {"startTime": 120, "title": "Close"},
]


def _small_feed(tmp_path: Path) -> tuple[Path, list[dict]]:
    items = []
    for i, (audio, mime, how) in enumerate(AUDIO_FILES, 1):
        date = dt.datetime(2024, 3, i, 7, 30, tzinfo=dt.UTC)
        url = audio.as_uri() if how == "file" else str(audio)
        guid = f"old-host-episode-{i}" if i < 3 else None  # the last has none
        items.append(
            {
                "title": f"Episode {i}: a <small> & tidy test",
                "date": date,
                "url": url,
                "mime": mime,
                "size": audio.stat().st_size,
                "guid": guid or url,
            }  # fmt: skip
        )
    chapters = tmp_path / "old-chapters.json"
    chapters.write_text(json.dumps({"version": "1.2.0", "chapters": CHAPTERS}), "utf-8")
    extras = [
        f'<podcast:chapters url="{chapters.as_uri()}" type="application/json+chapters"/>'
        f'<podcast:transcript url="{(DATA / "transcripts" / "example.vtt").as_uri()}" '
        'type="text/vtt" language="en" rel="captions"/>',
        "",
        "",
    ]
    parts = []
    for it, extra in zip(items, extras, strict=True):
        guid = f'<guid isPermaLink="false">{it["guid"]}</guid>' if "old-host" in it["guid"] else ""
        title = it["title"].replace("&", "&amp;").replace("<", "&lt;")
        parts.append(
            f"<item><title>{title}</title>{guid}"
            f"<pubDate>{format_datetime(it['date'])}</pubDate>"
            f"<description>&lt;p&gt;Notes for {title}.&lt;/p&gt;</description>"
            f'<enclosure url="{it["url"]}" length="{it["size"]}" type="{it["mime"]}"/>'
            f"<itunes:explicit>false</itunes:explicit>{extra}</item>"
        )
    cover = (ROOT / "cover.jpg").as_uri()
    feed = tmp_path / "old-feed.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0">'
        "<channel><title>Round Trip</title><link>https://old-host.example/rt</link>"
        "<description>A show that moves hosts.</description><language>en-us</language>"
        "<itunes:author>Test Author</itunes:author><itunes:explicit>false</itunes:explicit>"
        "<itunes:owner><itunes:name>Test Owner</itunes:name>"
        "<itunes:email>owner@example.org</itunes:email></itunes:owner>"
        f'<itunes:image href="{cover}"/><itunes:category text="Education">'
        '<itunes:category text="Courses"/></itunes:category>' + "".join(parts) + "</channel></rss>",
        encoding="utf-8",
    )
    return feed, items


def test_import_without_download_then_build_says_what_to_do(tmp_path):
    from toolkit.cli import cli

    feed, _ = _small_feed(tmp_path)
    show = tmp_path / "show"
    result = CliRunner().invoke(cli, ["import-feed", str(feed), "-o", str(show)])
    assert result.exit_code == 0, result.output
    assert "imported 3 episode(s)" in result.output and "audio not downloaded" in result.output
    audio = sorted(toml(p / "episode.toml")["audio"] for p in (show / "episodes").iterdir())
    assert audio == sorted(a.as_uri() for a, _, _ in AUDIO_FILES)  # a plain path too
    result = CliRunner().invoke(cli, ["build", str(show), "-o", str(tmp_path / "site"), "-q"])
    assert result.exit_code == 1
    assert "field 'audio': the audio is only a URL" in result.output
    assert "Traceback" not in result.output


def test_round_trip_keeps_guid_title_date_and_enclosure(tmp_path):
    from toolkit.cli import cli

    feed, items = _small_feed(tmp_path)
    show, site = tmp_path / "show", tmp_path / "site"
    base = "https://new-host.example/rt/"
    result = CliRunner().invoke(
        cli, ["import-feed", str(feed), "-o", str(show), "--download", "--base-url", base]
    )
    assert result.exit_code == 0, result.output
    assert "3 audio file(s) downloaded" in result.output
    assert toml(show / "show.toml")["image"] == "cover.jpg"
    build_module = importlib.import_module("toolkit.pipeline.build")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "STAGES", fitted_transcript_stages())
        result = CliRunner().invoke(cli, ["build", str(show), "-o", str(site), "-q"])
    assert result.exit_code == 0, result.output

    parsed = podcastparser.parse(base + "feed.xml", (site / "feed.xml").open("rb"))
    episodes = {e["guid"]: e for e in parsed["episodes"]}
    assert set(episodes) == {it["guid"] for it in items}
    for it, (audio, _, _) in zip(items, AUDIO_FILES, strict=True):
        episode = episodes[it["guid"]]
        assert episode["title"] == it["title"]
        assert episode["published"] == int(it["date"].timestamp())
        [enclosure] = episode["enclosures"]
        assert enclosure["url"].startswith(base)
        published = site / enclosure["url"][len(base) :]
        assert enclosure["file_size"] == published.stat().st_size
        # the same audio: as long as the file the old feed pointed at
        assert abs(mutagen.File(published).info.length - mutagen.File(audio).info.length) < 0.2
    # the imported episode records where its audio came from
    for ep_dir in (show / "episodes").iterdir():
        raw = toml(ep_dir / "episode.toml")
        assert raw["imported"]["enclosure"] in {it["url"] for it in items}
        assert (ep_dir / raw["audio"]).is_file()
    # the old host's chapters and transcript came along, and the build used the chapters
    first = next(
        p for p in (show / "episodes").iterdir() if p.name.endswith("episode-1-a-small-tidy-test")
    )
    raw = toml(first / "episode.toml")
    assert raw["imported"]["chapters"] == "chapters.json"
    assert raw["imported"]["transcripts"] == [
        {"url": "transcript-1.vtt", "type": "text/vtt", "language": "en", "rel": "captions"}
    ]
    assert (first / "transcript-1.vtt").read_bytes() == (
        DATA / "transcripts" / "example.vtt"
    ).read_bytes()
    built = json.loads((site / first.name / "chapters.json").read_text("utf-8"))["chapters"]
    assert [(c["startTime"], c["title"]) for c in built] == [
        (0.0, "Opening"),
        (60.25, "The middle"),
        (120.0, "Close"),
    ]
    report = check_show(show, site)
    assert report.ok, "\n".join(map(str, report.errors))


def test_download_failure_is_reported_and_the_url_kept(tmp_path):
    feed, items = _small_feed(tmp_path)
    text = feed.read_text().replace(
        (SPEECH / "jfk.flac").as_uri(), (tmp_path / "gone.flac").as_uri()
    )
    feed.write_text(text)
    report = import_feed(str(feed), ImportOptions(output=tmp_path / "show", download=True))
    assert len(report.failed) == 1 and "gone.flac" in report.failed[0]
    failed = [e for e in report.episodes if e.audio.startswith("file:")]
    assert [e.guid for e in failed] == [items[1]["guid"]]


def test_categories_are_written_as_apple_names_them():
    """Pre-2019 names are renamed, names outside Apple's list are left out, each with a
    warning naming the field, so the imported show.toml loads."""
    from toolkit.importer.mapping import apple_categories

    warnings: list[str] = []
    feed_categories = ["Arts/Literature", "Technology", "Made Up", "Technology", "News/Politics"]
    kept = apple_categories(feed_categories, Path("show.toml"), warnings)
    assert kept == ["Arts/Books", "Technology", "News/Politics"]
    assert len(warnings) == 2
    assert "categories[0]" in warnings[0] and "'Arts/Books'" in warnings[0]
    assert "categories[2]" in warnings[1] and "left out" in warnings[1]
