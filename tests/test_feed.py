"""The feed of a show that uses every setting, read back by real client parsers.

podcastparser (gPodder) and feedparser read the Apple fields, psc chapters and
the show notes; ElementTree checks each Podcasting 2.0 element and attribute
(podcast-partytime, the Podcast Index's parser, reads them too:
tests/test_feed_partytime.py). The rendered feed is held to a reviewed golden
file, tests/data/golden/feed-rich.xml; after an intended change run
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_feed.py`` and review
its diff.
"""

from __future__ import annotations

import io
import os

import feedparser
import podcastparser
import pytest
from markupsafe import escape

from toolkit.config import Show
from toolkit.errors import ConfigError
from toolkit.render import render_episode, render_show
from toolkit.render.contexts import episode_view, feed_context

from .feedkit import FEED_URL, NS, RICH_SHOW, parse, rich_feed, rich_jobs, rich_show
from .helpers import DATA

GOLDEN = DATA / "golden" / "feed-rich.xml"
SOUNDBITE = "podcast:soundbite"
EVERYTHING = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"  # the first job's guid


@pytest.fixture(scope="module")
def xml() -> str:
    return rich_feed()


@pytest.fixture(scope="module")
def channel(xml):
    return parse(xml).find("channel")


def item(channel, guid: str = EVERYTHING):
    [found] = [i for i in channel.findall("item") if i.findtext("guid") == guid]
    return found


def test_feed_matches_golden(xml):
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(xml, encoding="utf-8")
    assert xml == GOLDEN.read_text(encoding="utf-8")


# --- Apple's tags ---------------------------------------------------------------
def test_podcastparser_reads_channel_and_items(xml):
    feed = podcastparser.parse(FEED_URL, io.BytesIO(xml.encode()))
    assert feed["title"] == RICH_SHOW["title"]
    assert feed["description"] == RICH_SHOW["description"]
    assert feed["link"] == RICH_SHOW["link"]
    assert feed["itunes_author"] == "Ada & Bob"
    assert feed["itunes_owner"] == {"name": "Ada Lovelace", "email": "ada@example.org"}
    assert feed["cover_url"] == "https://pod.example.org/show/cover.jpg"
    assert feed["itunes_categories"] == [
        ["Technology"],
        ["News", "Tech News"],
        ["Society & Culture"],
    ]
    assert feed["explicit"] is True and feed["type"] == "serial"
    episodes = {e["guid"]: e for e in feed["episodes"]}
    ep = episodes[EVERYTHING]
    assert ep["title"] == 'Episode <two> & "quotes" ]]>'
    assert ep["total_time"] == 1800  # 1799.6 s, rounded
    assert ep["episode_art_url"] == "https://pod.example.org/show/002-everything/cover.png"
    assert ep["explicit"] is False  # the episode's own, over the show's true
    assert (ep["type"], ep["season"], ep["number"]) == ("full", 1, 2)
    assert ep["enclosures"] == [
        {
            "url": "https://pod.example.org/show/002-everything/002-everything.mp3",
            "file_size": 3_000_000,
            "mime_type": "audio/mpeg",
        }
    ]
    trailer = episodes["trailer-guid-from-episode-toml"]
    assert trailer["type"] == "trailer" and trailer["explicit"] is True  # the show's
    assert trailer["episode_art_url"] == "https://pod.example.org/show/cover.jpg"
    assert trailer["total_time"] == 60  # 59.5 s: a half rounds up


def test_podcastparser_reads_psc_chapters(xml):
    feed = podcastparser.parse(FEED_URL, io.BytesIO(xml.encode()))
    ep = next(e for e in feed["episodes"] if e["guid"] == EVERYTHING)
    assert ep["chapters"] == [
        {"start": 0, "title": "Intro & <welcome>"},
        {"start": 61, "title": 'Cats "and" mice', "href": "https://example.org/cats?a=1&b=2"},
        {"start": 3599, "title": "Past the hour", "image": "https://example.org/ch3.jpg"},
    ]


def test_feedparser_reads_it_without_complaint(xml):
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == RICH_SHOW["title"]
    assert feed.feed.image.href == "https://pod.example.org/show/cover.jpg"
    assert feed.feed.podcast_guid == feed_context(rich_show(), []).podcast_guid
    entry = next(e for e in feed.entries if e.id == EVERYTHING)
    assert entry.itunes_duration == "1800"
    assert entry.image.href == "https://pod.example.org/show/002-everything/cover.png"
    assert [(c.start, c.title) for c in entry.psc_chapters.chapters] == [
        ("00:00:00.000", "Intro & <welcome>"),
        ("00:01:01.250", 'Cats "and" mice'),
        ("00:59:59.000", "Past the hour"),
    ]
    assert entry.published_parsed[:6] == (2025, 3, 4, 5, 6, 7)


def test_item_tags_in_apple_s_order(channel):
    """Every required and recommended item tag; content:encoded after description."""
    tags = [child.tag for child in item(channel)]
    apple = [
        "title",
        "description",
        f"{{{NS['content']}}}encoded",
        "enclosure",
        "guid",
        "pubDate",
        f"{{{NS['itunes']}}}duration",
        f"{{{NS['itunes']}}}image",
        f"{{{NS['itunes']}}}explicit",
        f"{{{NS['itunes']}}}episodeType",
        f"{{{NS['itunes']}}}season",
        f"{{{NS['itunes']}}}episode",
        f"{{{NS['itunes']}}}title",
        "link",
    ]
    for tag in apple:
        assert tag in tags, tag
    assert tags.index("description") < tags.index(f"{{{NS['content']}}}encoded")


def test_channel_tags_apple_requires_and_recommends(channel):
    for tag in ("title", "description", "language", "link", "copyright"):
        assert channel.findtext(tag), tag
    for tag in ("explicit", "author", "type"):
        assert channel.findtext(f"itunes:{tag}", namespaces=NS), tag
    assert channel.find("itunes:image", NS).get("href").endswith("/cover.jpg")
    assert channel.find("itunes:owner/itunes:email", NS).text == "ada@example.org"
    self_link = channel.find("atom:link", NS)
    assert (self_link.get("rel"), self_link.get("href")) == ("self", FEED_URL)


# --- Podcasting 2.0 -------------------------------------------------------------
def test_channel_podcast_tags(channel):
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "ada@example.org")
    assert [(f.get("url"), f.text) for f in channel.findall("podcast:funding", NS)] == [
        ("https://example.org/donate?x=1&y=2", "Support the <show> & us"),
        ("https://example.org/members", "Become a member"),
    ]
    assert channel.findtext("podcast:medium", namespaces=NS) == "podcast"
    license_ = channel.find("podcast:license", NS)
    assert (license_.text, license_.get("url")) == ("cc-by-4.0", None)
    location = channel.find("podcast:location", NS)
    assert location.text == "Austin, TX"
    assert location.attrib == {"geo": "geo:30.2672,97.7431", "osm": "R113314", "country": "us"}
    assert [(t.get("purpose"), t.text) for t in channel.findall("podcast:txt", NS)] == [
        ("verify", "S6lpp-7ZCn8-dZfGc-OoyaG"),
        (None, "free text & <more>"),
    ]
    value = channel.find("podcast:value", NS)
    assert value.attrib == {"type": "lightning", "method": "keysend", "suggested": "0.00000005000"}
    first, second = value.findall("podcast:valueRecipient", NS)
    assert first.get("name") == "Ada & co" and first.get("split") == "95"
    assert (first.get("customKey"), first.get("customValue")) == ("696969", "eChoVKtO1KujpAA5HCoB")
    assert first.get("fee") is None and second.get("fee") == "true"
    people = [(p.text, p.attrib) for p in channel.findall("podcast:person", NS)]
    assert people == [
        (
            "Ada <Host>",
            {
                "role": "host",
                "group": "cast",
                "href": "https://example.org/ada?x=1&y=2",
                "img": "https://example.org/ada.jpg",
            },
        ),
        ("Bob", {"role": "producer", "group": "creative direction"}),
    ]


def test_item_podcast_tags(channel):
    ep = item(channel)
    season = ep.find("podcast:season", NS)
    assert (season.text, season.get("name")) == ("1", "The first year & <more>")
    assert ep.findtext("podcast:episode", namespaces=NS) == "2"
    transcripts = [t.attrib for t in ep.findall("podcast:transcript", NS)]
    base = "https://pod.example.org/show/002-everything/"
    assert transcripts == [
        {"url": base + "transcript.vtt", "type": "text/vtt", "language": "de", "rel": "captions"},
        {"url": base + "transcript.srt", "type": "application/srt", "language": "de"},
        {"url": base + "transcript.json", "type": "application/json", "language": "de"},
        {"url": base + "transcript.html", "type": "text/html", "language": "de"},
        {
            "url": base + "transcript.en.vtt",
            "type": "text/vtt",
            "language": "en",
            "rel": "captions",
        },
        {"url": base + "transcript.en.srt", "type": "application/srt", "language": "en"},
        {"url": base + "transcript.en.json", "type": "application/json", "language": "en"},
        {"url": base + "transcript.en.html", "type": "text/html", "language": "en"},
    ]
    [chapters] = ep.findall("podcast:chapters", NS)
    assert chapters.attrib == {"url": base + "chapters.json", "type": "application/json+chapters"}
    bites = [(b.get("startTime"), b.get("duration"), b.text) for b in ep.findall(SOUNDBITE, NS)]
    assert bites == [("73.5", "22.0", "A <bite> & more"), ("400.0", "15.25", "Two")]
    people = [(p.text, p.get("role"), p.get("group")) for p in ep.findall("podcast:person", NS)]
    assert people == [("Ada <Host>", "host", "cast"), ("Guest & Friend", "guest", "cast")]


def test_alternate_enclosures_list_every_published_format(channel):
    ep = item(channel)
    alternates = ep.findall("podcast:alternateEnclosure", NS)
    assert [a.attrib for a in alternates] == [
        {"type": "audio/mpeg", "length": "3000000", "bitrate": "13336", "title": "MP3",
         "default": "true"},
        {"type": "audio/opus", "length": "1200000", "bitrate": "5335", "title": "Opus"},
    ]  # fmt: skip
    sources = [a.find("podcast:source", NS).get("uri") for a in alternates]
    assert sources == [
        "https://pod.example.org/show/002-everything/002-everything.mp3",
        "https://pod.example.org/show/002-everything/002-everything.opus",
    ]
    assert sources[0] == ep.find("enclosure").get("url")
    # One format only: no alternateEnclosure at all.
    assert (
        item(channel, "trailer-guid-from-episode-toml").find("podcast:alternateEnclosure", NS)
        is None
    )


def test_the_enclosure_is_the_published_file_as_it_is():
    """Whatever format the tagging stage published, the feed takes its file and type."""
    show = rich_show()
    jobs = rich_jobs(show)
    jobs[0].audio = type(jobs[0].audio)("002-everything.m4a", "audio/x-m4a", 123, 10.0)
    jobs[0].alternates = []
    feed = parse(render_show(show, jobs)["feed.xml"]).find("channel")
    enclosure = item(feed).find("enclosure")
    assert enclosure.attrib == {
        "url": "https://pod.example.org/show/002-everything/002-everything.m4a",
        "length": "123",
        "type": "audio/x-m4a",
    }


# --- show notes and durations ---------------------------------------------------
def test_content_encoded_holds_escaped_notes_with_chapter_times(xml):
    feed = feedparser.parse(xml)
    entry = next(e for e in feed.entries if e.id == EVERYTHING)
    html = entry.content[0].value
    assert "<em>emphasis</em>" in html  # the description's Markdown
    assert "&lt;script&gt;" in html and "<script>" not in html  # raw HTML shown as text
    for line in ("0:00 Intro &amp; &lt;welcome&gt;", "1:01 Cats", "59:59 Past the hour"):
        assert line in html


def test_duration_is_the_same_on_page_notes_and_feed():
    show = rich_show()
    job = rich_jobs(show)[0]
    job.audio = type(job.audio)("002-everything.mp3", "audio/mpeg", 1, 194.85)
    view = episode_view(show, job)
    assert view.duration == 195
    files = render_episode(show, job)
    assert '<time datetime="PT195S">3:15</time>' in files["index.html"]
    assert "· 3:15" in files["notes.md"]
    feed = parse(render_show(show, [job])["feed.xml"]).find("channel")
    assert item(feed).findtext("itunes:duration", namespaces=NS) == "195"


# --- settings, validated -----------------------------------------------------------
BAD_SETTINGS = [
    ({"medium": "radio"}, "medium"),
    ({"funding": [{"url": "ftp://example.org", "text": "x"}]}, "funding.0.url"),
    ({"funding": [{"url": "https://example.org", "text": "x" * 129}]}, "funding.0.text"),
    ({"location": {"name": "Austin", "geo": "30.2,97.7"}}, "location.geo"),
    ({"location": {"name": "Austin", "osm": "113314"}}, "location.osm"),
    ({"value": {"recipients": []}}, "value.recipients"),
    ({"value": {"recipients": [{"type": "node", "address": "a", "split": 0}]}},
     "value.recipients.0.split"),
    ({"value": {"recipients": [{"type": "node", "address": "a", "split": 1, "custom_key": "k"}]}},
     "value.recipients.0"),
    ({"seasons": {"0": "Zero"}}, "seasons.0.[key]"),
    ({"license": {"url": "https://example.org/l"}}, "license.identifier"),
    ({"txt": [{"text": ""}]}, "txt.0.text"),
    ({"locked": "maybe"}, "locked"),
    ({"hosts": [{"name": "Ada", "img": "ada.jpg"}]}, "hosts.0.img"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field"), BAD_SETTINGS)
def test_bad_show_settings_name_file_and_field(tmp_path, change, field):
    import tomllib

    from toolkit.config import load_show

    text = (DATA.parent.parent / "show.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text) | change
    (tmp_path / "show.toml").write_text(_toml(data), encoding="utf-8")
    (tmp_path / "cover.jpg").write_bytes(b"")
    with pytest.raises(ConfigError) as caught:
        load_show(tmp_path)
    assert caught.value.path == tmp_path / "show.toml"
    assert caught.value.field == field, str(caught.value)
    assert "pattern" not in str(caught.value)  # says what it wants, not the regex


def _toml(data: dict) -> str:
    """A small TOML writer for the test's settings (strings, numbers, tables, lists)."""
    import json

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{json.dumps(str(k))} = {value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v) if isinstance(v, str) else str(v)

    return "".join(f"{json.dumps(k)} = {value(v)}\n" for k, v in data.items())


def test_episode_image_must_be_a_jpeg_or_png(tmp_path):
    from toolkit.config import load_episode

    folder = tmp_path / "001-ep"
    folder.mkdir()
    (folder / "audio.mp3").write_bytes(b"")
    toml = 'title = "t"\ndate = 2025-01-01\ndescription = "d"\naudio = "audio.mp3"\n'
    (folder / "episode.toml").write_text(toml + 'image = "art.gif"\n')
    with pytest.raises(ConfigError, match="JPEG or PNG") as caught:
        load_episode(folder)
    assert caught.value.field == "image"
    (folder / "episode.toml").write_text(toml + 'image = "art.png"\n')
    with pytest.raises(ConfigError, match="not found") as caught:
        load_episode(folder)
    assert caught.value.field == "image"


def test_no_optional_setting_no_tag():
    required = ("title", "description", "author", "owner", "language", "base_url")
    bare = Show.model_validate({k: v for k, v in RICH_SHOW.items() if k in required})
    feed = parse(render_show(bare, rich_jobs(bare))["feed.xml"]).find("channel")
    for tag in ("locked", "funding", "medium", "license", "location", "txt", "value"):
        assert feed.find(f"podcast:{tag}", NS) is None, tag
    assert item(feed).find("podcast:season", NS).get("name") is None
    assert item(feed).find("itunes:image", NS).get("href").endswith("/002-everything/cover.png")
    assert item(feed, "trailer-guid-from-episode-toml").find("itunes:image", NS) is None


def test_a_show_replaces_the_item_notes_block(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "feed.xml").write_text(
        '{% extends "default:feed.xml" %}\n'
        "{% block item_notes %}<p>{{ ep.title }} of {{ show.title }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    show = rich_show(root=tmp_path)
    feed = parse(render_show(show, rich_jobs(show))["feed.xml"]).find("channel")
    notes = item(feed).findtext("content:encoded", namespaces=NS)
    assert (
        notes == f"<p>Episode &lt;two&gt; &amp; &#34;quotes&#34; ]]&gt; of {escape(show.title)}</p>"
    )
    assert item(feed).find("psc:chapters", NS) is not None  # the rest is the packaged feed
