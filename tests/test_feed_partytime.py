"""Our feed read by podcast-partytime, the parser behind the Podcast Index.

podcastparser and feedparser cannot judge the Podcasting 2.0 tags (see
shared notes: the one reads none of them under the canonical namespace, the
other keeps the last of each). partytime reads every one, so it is the oracle
here: tests/js/parse_feed.mjs parses the feed under Node.js and prints what it
found as JSON. Every ``podcast:*`` element the feed holds, on the channel and
on each item, must come back with the values the XML gives it, and partytime
must list it among the Podcasting 2.0 tags the feed supports.

``make npm`` (part of ``make test``) installs partytime from
tests/js/package-lock.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .feedkit import NS, rich_feed
from .helpers import DATA, ROOT

JS = ROOT / "tests" / "js"
P = f"{{{NS['podcast']}}}"
Checker = Callable[[list[ET.Element], dict[str, Any]], None]


def partytime(feed: Path) -> dict[str, Any]:
    """What podcast-partytime makes of ``feed``."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "podcast-partytime").is_dir():
        pytest.skip("podcast-partytime is not installed: run `make npm` (needs Node.js and npm)")
    proc = subprocess.run(
        [node, str(JS / "parse_feed.mjs"), str(feed)],
        capture_output=True,
        text=True,
        env={**os.environ, "LOG": "silent"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Unexpected transcript type" not in proc.stderr, proc.stderr
    parsed: dict[str, Any] = json.loads(proc.stdout)
    return parsed


# --- one check per podcast:* element: the XML's values against partytime's ---------
def _text(el: ET.Element) -> str:
    return (el.text or "").strip()


def _guid(els, pt):
    assert pt["guid"] == _text(els[0])


def _locked(els, pt):
    assert pt["locked"] is (_text(els[0]) == "yes")
    assert pt["podcastOwner"] == els[0].get("owner")


def _funding(els, pt):
    assert [(f["url"], f["message"]) for f in pt["podcastFunding"]] == [
        (e.get("url"), _text(e)) for e in els
    ]


def _medium(els, pt):
    assert pt["medium"] == _text(els[0])


def _license(els, pt):
    assert pt["license"]["identifier"] == _text(els[0])
    assert pt["license"]["url"] == els[0].get("url") or els[0].get("url") is None


def _location(els, pt):
    loc = pt["podcastLocation"]
    assert (loc["name"], loc.get("geo"), loc.get("osm")) == (
        _text(els[0]),
        els[0].get("geo"),
        els[0].get("osm"),
    )


def _txt(els, pt):
    assert [(t["value"], t.get("purpose")) for t in pt["podcastTxt"]] == [
        (_text(e), e.get("purpose")) for e in els
    ]


def _value(els, pt):
    value, el = pt["value"], els[0]
    assert (value["type"], value["method"]) == (el.get("type"), el.get("method"))
    assert value["suggested"] == pytest.approx(float(el.get("suggested")))
    recipients = el.findall(f"{P}valueRecipient")
    assert recipients
    assert [
        (r.get("name"), r["type"], r["address"], r["split"], r["fee"], r.get("customKey"),
         r.get("customValue"))
        for r in value["recipients"]
    ] == [
        (e.get("name"), e.get("type"), e.get("address"), int(e.get("split")),
         e.get("fee") == "true", e.get("customKey"), e.get("customValue"))
        for e in recipients
    ]  # fmt: skip


def _person(els, pt):
    # partytime spells roles and groups as the Podcast Taxonomy does ("Host", "Cast").
    assert [
        (p["name"], p["role"].lower(), p["group"].lower(), p.get("href"), p.get("img"))
        for p in pt["podcastPeople"]
    ] == [(_text(e), e.get("role"), e.get("group"), e.get("href"), e.get("img")) for e in els]


def _transcript(els, pt):
    assert [
        (t["url"], t["type"], t.get("language"), t.get("rel")) for t in pt["podcastTranscripts"]
    ] == [(e.get("url"), e.get("type"), e.get("language"), e.get("rel")) for e in els]


def _chapters(els, pt):
    assert len(els) == 1
    assert (pt["podcastChapters"]["url"], pt["podcastChapters"]["type"]) == (
        els[0].get("url"),
        els[0].get("type"),
    )


def _soundbite(els, pt):
    assert [(b["startTime"], b["duration"], b["title"]) for b in pt["podcastSoundbites"]] == [
        (float(e.get("startTime")), float(e.get("duration")), _text(e)) for e in els
    ]


def _season(els, pt):
    assert pt["podcastSeason"]["number"] == int(_text(els[0]))
    assert pt["podcastSeason"].get("name") == els[0].get("name")


def _episode(els, pt):
    assert pt["podcastEpisode"]["number"] == float(_text(els[0]))


def _alternate(els, pt):
    assert [
        (a["type"], a["length"], a.get("bitrate"), a.get("title"), a["default"],
         [s["uri"] for s in a["source"]])
        for a in pt["alternativeEnclosures"]
    ] == [
        (e.get("type"), int(e.get("length")), int(e.get("bitrate")), e.get("title"),
         e.get("default") == "true", [s.get("uri") for s in e.findall(f"{P}source")])
        for e in els
    ]  # fmt: skip


CHANNEL: dict[str, Checker] = {
    "guid": _guid,
    "locked": _locked,
    "funding": _funding,
    "medium": _medium,
    "license": _license,
    "location": _location,
    "txt": _txt,
    "value": _value,
    "person": _person,
}
ITEM: dict[str, Checker] = {
    "transcript": _transcript,
    "chapters": _chapters,
    "soundbite": _soundbite,
    "person": _person,
    "season": _season,
    "episode": _episode,
    "alternateEnclosure": _alternate,
}


def podcast_children(parent: ET.Element) -> dict[str, list[ET.Element]]:
    """The parent's own podcast:* elements, by local name, in document order."""
    found: dict[str, list[ET.Element]] = {}
    for child in parent:
        if child.tag.startswith(P):
            found.setdefault(child.tag[len(P) :], []).append(child)
    return found


def supported(pt: dict[str, Any]) -> set[str]:
    return {name for names in pt["pc20support"].values() for name in names}


def check_every_podcast_tag(feed: Path) -> set[str]:
    """Check each podcast:* element of ``feed`` against partytime; the names seen."""
    pt = partytime(feed)
    channel = ET.parse(feed).getroot().find("channel")
    assert channel is not None
    seen: set[str] = set()
    tags = podcast_children(channel)
    assert set(tags) <= set(CHANNEL), f"no check for channel tags {set(tags) - set(CHANNEL)}"
    for name, els in tags.items():
        CHANNEL[name](els, pt)
        seen.add(name)
    items = channel.findall("item")
    assert [i.findtext("guid") for i in items] == [i["guid"] for i in pt["items"]]
    for item, parsed in zip(items, pt["items"], strict=True):
        tags = podcast_children(item)
        assert set(tags) <= set(ITEM), f"no check for item tags {set(tags) - set(ITEM)}"
        for name, els in tags.items():
            ITEM[name](els, parsed)
            seen.add(name)
    assert seen <= supported(pt), f"partytime does not count {seen - supported(pt)}"
    return seen


# --- the feeds --------------------------------------------------------------------
def test_every_podcast_tag_of_the_rich_feed_reads_back(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(rich_feed(), encoding="utf-8")
    seen = check_every_podcast_tag(feed)
    assert seen == set(CHANNEL) | set(ITEM)  # the rich show uses every tag


def test_several_transcripts_on_one_item(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(rich_feed(), encoding="utf-8")
    first = partytime(feed)["items"][0]
    kinds = [(t["type"], t["language"], t.get("rel")) for t in first["podcastTranscripts"]]
    assert kinds == [
        ("text/vtt", "de", "captions"),
        ("application/srt", "de", None),
        ("application/json", "de", None),
        ("text/html", "de", None),
        ("text/vtt", "en", "captions"),
        ("application/srt", "en", None),
        ("application/json", "en", None),
        ("text/html", "en", None),
    ]


def test_rich_feed_values_as_partytime_reads_them(tmp_path):
    """Literal values, so a wrong template cannot pass by agreeing with itself."""
    feed = tmp_path / "feed.xml"
    feed.write_text(rich_feed(), encoding="utf-8")
    pt = partytime(feed)
    assert pt["title"] == 'Tom & Jerry\'s <Great> "Show" ]]>'
    assert pt["locked"] is True and pt["podcastOwner"] == "ada@example.org"
    assert pt["podcastFunding"][0] == {
        "message": "Support the <show> & us",
        "url": "https://example.org/donate?x=1&y=2",
    }
    assert pt["license"]["identifier"] == "cc-by-4.0" and pt["license"]["url"]
    assert pt["podcastLocation"]["name"] == "Austin, TX"
    assert pt["value"]["recipients"][1]["fee"] is True
    first = pt["items"][0]
    assert first["title"] == 'Episode <two> & "quotes" ]]>'
    assert first["duration"] == 1800 and first["explicit"] is False
    assert first["itunesImage"] == "https://pod.example.org/show/002-everything/cover.png"
    assert first["podcastSeason"] == {"number": 1, "name": "The first year & <more>"}
    assert [a["title"] for a in first["alternativeEnclosures"]] == ["MP3", "Opus"]
    assert pt["items"][1]["explicit"] is True  # the show's


def test_every_podcast_tag_of_the_sample_feed_reads_back():
    seen = check_every_podcast_tag(DATA / "golden" / "sample" / "feed.xml")
    assert {"guid", "person", "transcript", "chapters", "soundbite", "season", "episode"} <= seen
