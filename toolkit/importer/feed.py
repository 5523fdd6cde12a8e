"""Read a podcast RSS feed into dataclasses: the channel, its items and their links.

Elements are matched by namespace family and local name, so a feed that
declares the Podcasting 2.0 namespace by its old GitHub address, or the
iTunes one in another letter case, reads the same as one that uses the
canonical URIs. Values are kept as the feed writes them, with the dates,
durations, numbers and flags also parsed (None where a value does not parse).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import FeedError
from toolkit.importer.xmlparse import parse_xml

__all__ = [
    "Alternate",
    "Enclosure",
    "Feed",
    "FeedItem",
    "Link",
    "PersonLink",
    "SoundbiteLink",
    "TranscriptLink",
    "element_name",
    "parse_date",
    "parse_duration",
    "read_feed",
]


@dataclass
class Enclosure:
    url: str
    length: int | None
    type: str | None
    length_text: str | None = None


@dataclass
class Alternate:
    """A ``podcast:alternateEnclosure``: one more form of the audio, at its sources."""

    type: str | None
    length_text: str | None
    sources: list[str] = field(default_factory=list)

    @property
    def length(self) -> int | None:
        return _positive(self.length_text)


@dataclass
class Link:
    """A ``url`` with its ``type`` (``podcast:chapters``)."""

    url: str
    type: str | None


@dataclass
class TranscriptLink:
    url: str
    type: str | None
    language: str | None = None
    rel: str | None = None


@dataclass
class PersonLink:
    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass
class SoundbiteLink:
    start_text: str | None
    duration_text: str | None
    title: str

    @property
    def start(self) -> float | None:
        return _float(self.start_text)

    @property
    def duration(self) -> float | None:
        return _float(self.duration_text)


@dataclass
class FeedItem:
    """One ``<item>``; ``index`` is its place in the feed, from 1."""

    index: int
    title: str | None = None
    guid: str | None = None
    pub_date: str | None = None
    description: str | None = None
    summary: str | None = None
    content: str | None = None
    link: str | None = None
    enclosure: Enclosure | None = None
    duration_text: str | None = None
    episode_text: str | None = None
    season_text: str | None = None
    episode_type: str | None = None
    explicit_text: str | None = None
    image: str | None = None
    chapters: Link | None = None
    transcripts: list[TranscriptLink] = field(default_factory=list)
    persons: list[PersonLink] = field(default_factory=list)
    soundbites: list[SoundbiteLink] = field(default_factory=list)
    alternates: list[Alternate] = field(default_factory=list)

    @property
    def date(self) -> dt.datetime | None:
        return parse_date(self.pub_date) if self.pub_date else None

    @property
    def duration(self) -> float | None:
        return parse_duration(self.duration_text) if self.duration_text else None

    @property
    def number(self) -> int | None:
        return _positive(self.episode_text)

    @property
    def season(self) -> int | None:
        return _positive(self.season_text)

    @property
    def explicit(self) -> bool | None:
        return _flag(self.explicit_text)

    def label(self) -> str:
        """How messages name the item: its place and its guid or title."""
        name = self.guid or self.title
        return f"item {self.index}" + (f" ({name})" if name else "")


@dataclass
class Feed:
    source: str
    root: Any  # the lxml root element, for checks that walk the whole document
    title: str | None = None
    description: str | None = None
    summary: str | None = None
    link: str | None = None
    self_url: str | None = None
    language: str | None = None
    author: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    image: str | None = None
    categories: list[str] = field(default_factory=list)
    explicit_text: str | None = None
    type: str | None = None
    copyright: str | None = None
    last_build_date: str | None = None
    persons: list[PersonLink] = field(default_factory=list)
    items: list[FeedItem] = field(default_factory=list)
    #: What was recovered to read the feed.
    warnings: list[str] = field(default_factory=list)

    @property
    def explicit(self) -> bool | None:
        return _flag(self.explicit_text)


# --- values --------------------------------------------------------------------
def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _positive(text: str | None) -> int | None:
    try:
        value = int(text.strip()) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


def _flag(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    if value in ("true", "yes", "explicit"):
        return True
    if value in ("false", "no", "clean"):
        return False
    return None


def parse_date(text: str) -> dt.datetime | None:
    """An RFC 2822 date (ISO 8601 accepted too), aware; None if it does not parse."""
    text = text.strip()
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def parse_duration(text: str) -> float | None:
    """``itunes:duration``: seconds, ``MM:SS`` or ``HH:MM:SS``; None if neither."""
    text = text.strip()
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    value = _float(text)
    return value if value is not None and value >= 0 else None


# --- elements ------------------------------------------------------------------
def _family(namespace: str) -> str | None:
    ns = namespace.lower().rstrip("/")
    if ns == "http://www.itunes.com/dtds/podcast-1.0.dtd":
        return "itunes"
    if "podcastindex" in ns or "podcast-namespace" in ns:
        return "podcast"
    if ns == "http://purl.org/rss/1.0/modules/content":
        return "content"
    if ns == "http://www.w3.org/2005/atom":
        return "atom"
    return None


def element_name(el: Any) -> str | None:
    """``itunes:image``, ``podcast:transcript``, ``title``; None for comments and others."""
    tag = el.tag
    if not isinstance(tag, str):
        return None
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        family = _family(namespace)
        return f"{family}:{local}" if family else f"{{{namespace}}}{local}"
    return str(tag)


def _text(el: Any) -> str | None:
    text = "".join(str(t) for t in el.itertext()).strip()
    return text or None


def _attr(el: Any, name: str) -> str | None:
    value = el.get(name)
    return str(value).strip() if value is not None and str(value).strip() else None


def _person(el: Any) -> PersonLink | None:
    name = _text(el)
    if not name:
        return None
    return PersonLink(
        name, _attr(el, "role"), _attr(el, "group"), _attr(el, "href"), _attr(el, "img")
    )


def _categories(el: Any) -> list[str]:
    """``itunes:category`` elements, nested one level: "Category" or "Category/Sub"."""
    top = _attr(el, "text")
    if not top:
        return []
    subs = [_attr(c, "text") for c in el if element_name(c) == "itunes:category"]
    return [f"{top}/{s}" for s in subs if s] or [top]


def _item(el: Any, index: int) -> FeedItem:
    item = FeedItem(index)
    for child in el:
        name = element_name(child)
        if name == "title":
            item.title = _text(child)
        elif name == "guid":
            item.guid = _text(child)
        elif name == "pubDate":
            item.pub_date = _text(child)
        elif name == "description":
            item.description = _text(child)
        elif name == "itunes:summary":
            item.summary = _text(child)
        elif name == "content:encoded":
            item.content = _text(child)
        elif name == "link":
            item.link = _text(child)
        elif name == "enclosure" and item.enclosure is None and _attr(child, "url"):
            length = _attr(child, "length")
            item.enclosure = Enclosure(
                str(_attr(child, "url")),
                _positive(length) if length != "0" else 0,
                _attr(child, "type"),
                length,
            )
        elif name == "itunes:duration":
            item.duration_text = _text(child)
        elif name in ("itunes:episode", "podcast:episode") and item.episode_text is None:
            item.episode_text = _text(child)
        elif name in ("itunes:season", "podcast:season") and item.season_text is None:
            item.season_text = _text(child)
        elif name == "itunes:episodeType":
            item.episode_type = _text(child)
        elif name == "itunes:explicit":
            item.explicit_text = _text(child)
        elif name == "itunes:image" and _attr(child, "href"):
            item.image = _attr(child, "href")
        elif name == "podcast:chapters" and _attr(child, "url"):
            item.chapters = Link(str(_attr(child, "url")), _attr(child, "type"))
        elif name == "podcast:transcript" and _attr(child, "url"):
            item.transcripts.append(
                TranscriptLink(
                    str(_attr(child, "url")),
                    _attr(child, "type"),
                    _attr(child, "language"),
                    _attr(child, "rel"),
                )
            )
        elif name == "podcast:person":
            person = _person(child)
            if person is not None:
                item.persons.append(person)
        elif name == "podcast:alternateEnclosure":
            sources = [
                str(_attr(c, "uri"))
                for c in child
                if element_name(c) == "podcast:source" and _attr(c, "uri")
            ]
            item.alternates.append(Alternate(_attr(child, "type"), _attr(child, "length"), sources))
        elif name == "podcast:soundbite":
            item.soundbites.append(
                SoundbiteLink(
                    _attr(child, "startTime"), _attr(child, "duration"), _text(child) or ""
                )
            )
    return item


def _channel(feed: Feed, channel: Any) -> None:
    for child in channel:
        name = element_name(child)
        if name == "title":
            feed.title = _text(child)
        elif name == "description":
            feed.description = _text(child)
        elif name == "itunes:summary":
            feed.summary = _text(child)
        elif name == "link" and feed.link is None:
            feed.link = _text(child)
        elif name == "atom:link" and _attr(child, "rel") == "self":
            feed.self_url = _attr(child, "href")
        elif name == "language":
            feed.language = _text(child)
        elif name == "itunes:author":
            feed.author = _text(child)
        elif name == "itunes:owner":
            for part in child:
                if element_name(part) == "itunes:name":
                    feed.owner_name = _text(part)
                elif element_name(part) == "itunes:email":
                    feed.owner_email = _text(part)
        elif name == "itunes:image" and _attr(child, "href"):
            feed.image = _attr(child, "href")
        elif name == "image" and feed.image is None:
            for part in child:
                if element_name(part) == "url":
                    feed.image = _text(part)
        elif name == "itunes:category":
            feed.categories += _categories(child)
        elif name == "itunes:explicit":
            feed.explicit_text = _text(child)
        elif name == "itunes:type":
            feed.type = _text(child)
        elif name == "copyright":
            feed.copyright = _text(child)
        elif name == "lastBuildDate":
            feed.last_build_date = _text(child)
        elif name == "podcast:person":
            person = _person(child)
            if person is not None:
                feed.persons.append(person)
        elif name == "item":
            feed.items.append(_item(child, len(feed.items) + 1))


def read_feed(data: bytes, source: Path | str) -> Feed:
    """Parse the bytes of an RSS feed; :class:`FeedError` when it is none."""
    parsed = parse_xml(data, source)
    root = parsed.root
    if element_name(root) != "rss":
        raise FeedError(f"not an RSS feed: the root element is <{element_name(root)}>", source)
    channel = next((c for c in root if element_name(c) == "channel"), None)
    if channel is None:
        raise FeedError("not an RSS feed: <rss> has no <channel>", source)
    feed = Feed(str(source), root, warnings=list(parsed.warnings))
    _channel(feed, channel)
    return feed
