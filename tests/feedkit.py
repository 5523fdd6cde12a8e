"""A show that uses every feed setting, and hand-made jobs for it, for the feed tests.

The sample show (the repository's own ``show.toml``) leaves most Podcasting
2.0 settings out; :data:`RICH_SHOW` sets each of them, with text that needs
escaping (``&``, ``<``, quotes, ``]]>``) wherever a producer could write it.
The jobs are made by hand, as the pipeline leaves them before the show is
rendered: published audio (two formats for the first episode), chapters,
soundbites, transcript files and an English translation, and an assigned guid.
"""

from __future__ import annotations

import copy
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from toolkit.chapters import Chapter
from toolkit.chapters.soundbites import Soundbite
from toolkit.config import Episode, Show
from toolkit.pipeline.job import EpisodeJob, PublishedAudio
from toolkit.render.pages import render_show
from toolkit.transcribe.transcript import Transcript

from .helpers import DATA

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
FEED_URL = "https://pod.example.org/show/feed.xml"

RICH_SHOW: dict[str, Any] = {
    "title": 'Tom & Jerry\'s <Great> "Show" ]]>',
    "description": "Cats & mice, <b>not</b> bold. Ends with ]]> on purpose.",
    "author": "Ada & Bob",
    "owner": {"name": "Ada Lovelace", "email": "ada@example.org"},
    "language": "en",
    "base_url": "https://pod.example.org/show",
    "image": "cover.jpg",
    "categories": ["Technology", "News/Tech News", "Society & Culture"],
    "explicit": True,
    "type": "serial",
    "link": "https://example.org/?a=1&b=2",
    "copyright": "© 2025 Ada & Bob",
    "hosts": [
        {
            "name": "Ada <Host>",
            "role": "host",
            "href": "https://example.org/ada?x=1&y=2",
            "img": "https://example.org/ada.jpg",
        },
        {"name": "Bob", "role": "producer", "group": "creative direction"},
    ],
    "locked": True,
    "funding": [
        {"url": "https://example.org/donate?x=1&y=2", "text": "Support the <show> & us"},
        {"url": "https://example.org/members", "text": "Become a member"},
    ],
    "medium": "podcast",
    "license": "cc-by-4.0",
    "txt": [
        {"text": "S6lpp-7ZCn8-dZfGc-OoyaG", "purpose": "verify"},
        {"text": "free text & <more>"},
    ],
    "location": {
        "name": "Austin, TX",
        "geo": "geo:30.2672,97.7431",
        "osm": "R113314",
        "country": "US",
    },
    "value": {
        "type": "lightning",
        "method": "keysend",
        "suggested": "0.00000005000",
        "recipients": [
            {
                "name": "Ada & co",
                "type": "node",
                "address": "02d5c1bf8b940dc9cadca86d1b0a3c37fbe39cee4c7e839e33bef9174531d27f52",
                "split": 95,
                "custom_key": "696969",
                "custom_value": "eChoVKtO1KujpAA5HCoB",
            },
            {
                "name": "Host",
                "type": "node",
                "address": "03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a",
                "split": 5,
                "fee": True,
            },
        ],
    },
    "seasons": {"1": "The first year & <more>"},
}


def rich_show(root: Path = DATA, **changes: Any) -> Show:
    """:data:`RICH_SHOW` as the loader makes it, with ``changes`` applied."""
    show = Show.model_validate({**copy.deepcopy(RICH_SHOW), **changes})
    show.root = root
    return show


def episode(slug: str, **fields: Any) -> Episode:
    data: dict[str, Any] = {
        "title": "An episode",
        "date": dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
        "description": "What it is about.",
        "audio": "audio.mp3",
    }
    ep = Episode.model_validate({**data, **fields})
    ep.slug, ep.folder = slug, Path("/nonexistent/episodes") / slug
    return ep


def transcript(language: str = "en") -> Transcript:
    t = Transcript.load(DATA / "golden" / "transcript.full.json")
    t.language = language
    return t


def formats(stem: str) -> dict[str, str]:
    return {fmt: f"{stem}.{fmt}" for fmt in ("vtt", "srt", "json", "txt", "html")}


def rich_jobs(show: Show) -> list[EpisodeJob]:
    """Two episodes, newest first: a full one with everything, and a bare trailer."""
    first = episode(
        "002-everything",
        title='Episode <two> & "quotes" ]]>',
        number=2,
        season=1,
        date=dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
        description="Markdown *emphasis* & <script>alert(1)</script> ]]> done.",
        explicit=False,
        image="art.png",
        hosts=[{"name": "Ada <Host>", "role": "host", "img": "https://example.org/ada.jpg"}],
        guests=[{"name": "Guest & Friend", "href": "https://example.org/guest"}],
    )
    job = EpisodeJob(show, first, transcript=transcript("de"), translation=transcript("en"))
    job.guid = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    job.audio = PublishedAudio("002-everything.mp3", "audio/mpeg", 3_000_000, 1799.6)
    job.alternates = [PublishedAudio("002-everything.opus", "audio/opus", 1_200_000, 1799.6)]
    job.chapters = [
        Chapter(0.0, "Intro & <welcome>", 61.25),
        Chapter(61.25, 'Cats "and" mice', 3599.0, url="https://example.org/cats?a=1&b=2"),
        Chapter(3599.0, "Past the hour", None, img="https://example.org/ch3.jpg"),
    ]
    job.soundbites = [Soundbite(73.5, 22.0, "A <bite> & more"), Soundbite(400.0, 15.25, "Two")]
    job.transcript_files = formats("transcript")
    job.translation_files = formats("transcript.en")

    trailer = EpisodeJob(
        show,
        episode(
            "001-trailer",
            title="Trailer",
            type="trailer",
            date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            guid="trailer-guid-from-episode-toml",
        ),
        transcript=transcript("en"),
    )
    trailer.audio = PublishedAudio("001-trailer.mp3", "audio/mpeg", 500_000, 59.5)
    trailer.transcript_files = formats("transcript")
    return [job, trailer]


def rich_feed(show: Show | None = None) -> str:
    show = show or rich_show()
    return render_show(show, rich_jobs(show))["feed.xml"]


def parse(xml: str) -> ET.Element:
    return ET.fromstring(xml.encode("utf-8"))
