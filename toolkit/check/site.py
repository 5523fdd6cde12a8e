"""A built site: the feed's URLs lead to its files, and the files are what the feed says.

Every URL in ``feed.xml`` under ``base_url`` (in an attribute, or in the
text, which covers the show notes' links) must name a file in the site
(a URL ending in ``/`` names its ``index.html``). Each enclosure's
``length`` must be the file's size and its ``type`` the file's format;
transcripts, chapters and soundbites are checked by their own modules,
against the audio's real duration.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from toolkit.check.chapters import check_chapters
from toolkit.check.dates import check_feed_dates
from toolkit.check.duplicates import duplicate_guids
from toolkit.check.loading import ShowSource
from toolkit.check.model import Finding, error, warning
from toolkit.check.soundbites import check_soundbites
from toolkit.check.transcripts import check_transcript
from toolkit.errors import FeedError
from toolkit.importer.feed import Feed, FeedItem, element_name, read_feed

__all__ = ["AUDIO_TYPES", "SiteFiles", "audio_format", "check_site"]

CHECK = "site"
FEED_FILE = "feed.xml"
#: mutagen's class for a format -> the enclosure types that name it.
AUDIO_TYPES: dict[str, tuple[str, ...]] = {
    "MP3": ("audio/mpeg",),
    "MP4": ("audio/mp4", "audio/x-m4a", "video/mp4", "video/x-m4v"),
    "FLAC": ("audio/flac", "audio/x-flac"),
    "OggOpus": ("audio/ogg", "audio/opus"),
    "OggVorbis": ("audio/ogg", "audio/vorbis"),
    "OggFLAC": ("audio/ogg",),
    "WAVE": ("audio/wav", "audio/x-wav", "audio/vnd.wave"),
    "AIFF": ("audio/aiff", "audio/x-aiff"),
}
#: How far ``itunes:duration`` may be off the file's length (it is written in whole seconds).
DURATION_SLACK = 2.0


@dataclass(frozen=True)
class SiteFiles:
    """Maps the feed's URLs under ``base_url`` to files of the site at ``root``."""

    root: Path
    base_url: str

    def under(self, url: str) -> bool:
        return url.startswith(self.base_url)

    def resolve(self, url: str) -> Path | None:
        """The file ``url`` names (it may not exist); None when not under base_url,
        or when it would lead out of the site."""
        if not self.under(url):
            return None
        rel = unquote(urlsplit(url[len(self.base_url) :]).path)
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        root = self.root.resolve()
        path = (root / rel).resolve()
        return path if path.is_relative_to(root) else None


def audio_format(path: Path) -> tuple[str, float] | None:
    """mutagen's name for the file's format and its length in seconds; None if not audio."""
    import mutagen

    try:
        media = mutagen.File(path)
    except mutagen.MutagenError:
        return None
    if media is None:
        return None
    return type(media).__name__, float(getattr(media.info, "length", 0.0) or 0.0)


def _where(el: Any) -> str:
    """A short path to an element: channel/item[3]/enclosure."""
    parts: list[str] = []
    while el is not None and element_name(el) not in (None, "rss"):
        name = element_name(el) or "?"
        parent = el.getparent()
        if parent is not None:
            same = [c for c in parent if element_name(c) == name]
            if len(same) > 1:
                name += f"[{same.index(el) + 1}]"
        parts.append(name)
        el = parent
    return "/".join(reversed(parts))


def _feed_urls(feed: Feed, base: str) -> list[tuple[str, str]]:
    """(url, where) for every URL under ``base`` in the feed's attributes and text."""
    pattern = re.compile(re.escape(base) + r"[^\s\"'<>]*")
    urls: list[tuple[str, str]] = []
    for el in feed.root.iter():
        if element_name(el) is None:
            continue
        for key, value in el.attrib.items():
            urls += [(m, f"{_where(el)}@{key}") for m in pattern.findall(str(value))]
        if el.text:
            urls += [(m, _where(el)) for m in pattern.findall(str(el.text))]
    return urls


def _check_urls(feed: Feed, files: SiteFiles, path: Path) -> list[Finding]:
    found: list[Finding] = []
    seen: set[str] = set()
    for url, where in _feed_urls(feed, files.base_url):
        clean = url.rstrip(".,;)&")
        if clean in seen:
            continue
        seen.add(clean)
        if not files.under(clean):
            continue
        target = files.resolve(clean)
        if target is None or not target.is_file():
            found.append(
                error(CHECK, path, where, f"{clean} leads to no file in the site ({target})")
            )
    return found


def _check_enclosure(
    item: FeedItem,
    files: SiteFiles,
    audio: Path | None,
    fmt: tuple[str, float] | None,
    path: Path,
) -> list[Finding]:
    enclosure = item.enclosure
    field = f"{item.label()}/enclosure"
    if enclosure is None:
        return [error(CHECK, path, field, "missing: an episode needs its audio")]
    if not files.under(enclosure.url):
        return [warning(CHECK, path, field, f"{enclosure.url} is not under base_url; not checked")]
    if audio is None or not audio.is_file():
        return []  # reported with the other URLs
    found: list[Finding] = []
    size = audio.stat().st_size
    if enclosure.length != size:
        found.append(
            error(
                CHECK,
                path,
                f"{field}@length",
                f"{enclosure.length_text!r}, but {audio.name} is {size} bytes",
            )
        )
    if fmt is None:
        return [*found, error(CHECK, audio, None, "not an audio file mutagen can read")]
    kind, length = fmt
    types = AUDIO_TYPES.get(kind)
    if types is not None and (enclosure.type or "").lower() not in types:
        found.append(
            error(
                CHECK,
                path,
                f"{field}@type",
                f"{enclosure.type!r}, but {audio.name} is {kind}: use {types[0]!r}",
            )
        )
    if item.duration is not None and length and abs(item.duration - length) > DURATION_SLACK:
        found.append(
            warning(
                CHECK,
                path,
                f"{item.label()}/itunes:duration",
                f"{item.duration_text!r}, but {audio.name} lasts {length:.1f} s",
            )
        )
    return found


def _check_alternates(item: FeedItem, files: SiteFiles, path: Path) -> list[Finding]:
    """Each podcast:alternateEnclosure's length and type against its sources in the site."""
    found: list[Finding] = []
    for i, alt in enumerate(item.alternates, 1):
        field = f"{item.label()}/podcast:alternateEnclosure {i}"
        for url in alt.sources:
            target = files.resolve(url)
            if target is None or not target.is_file():
                continue  # not ours, or reported with the other URLs
            size = target.stat().st_size
            if alt.length is not None and alt.length != size:
                found.append(
                    error(
                        CHECK,
                        path,
                        f"{field}@length",
                        f"{alt.length_text!r}, but {target.name} is {size} bytes",
                    )
                )
            fmt = audio_format(target)
            types = AUDIO_TYPES.get(fmt[0]) if fmt is not None else None
            if types is not None and fmt is not None and (alt.type or "").lower() not in types:
                found.append(
                    error(
                        CHECK,
                        path,
                        f"{field}@type",
                        f"{alt.type!r}, but {target.name} is {fmt[0]}: use {types[0]!r}",
                    )
                )
    return found


def _check_item(item: FeedItem, files: SiteFiles, path: Path) -> list[Finding]:
    audio = files.resolve(item.enclosure.url) if item.enclosure else None
    fmt = audio_format(audio) if audio is not None and audio.is_file() else None
    duration = fmt[1] if fmt is not None and fmt[1] else item.duration
    found = _check_enclosure(item, files, audio, fmt, path)
    found += _check_alternates(item, files, path)
    for i, link in enumerate(item.transcripts, 1):
        target = files.resolve(link.url)
        if target is not None and target.is_file():
            field = f"{item.label()}/podcast:transcript {i}"
            found += check_transcript(target, link.type, duration, path, field)
    if item.chapters is not None:
        target = files.resolve(item.chapters.url)
        if target is not None and target.is_file():
            field = f"{item.label()}/podcast:chapters"
            found += check_chapters(target, item.chapters.type, audio, duration, path, field)
    found += check_soundbites(item, duration, path)
    return found


def check_site(source: ShowSource, site: Path, now: dt.datetime | None = None) -> list[Finding]:
    """Check the site built at ``site`` for the show in ``source``."""
    path = site / FEED_FILE
    if not path.is_file():
        return [error(CHECK, path, None, "no feed here: is this a built site? (toolkit build)")]
    try:
        feed = read_feed(path.read_bytes(), path)
    except FeedError as e:
        return [error(CHECK, path, None, e.message)]
    except OSError as e:
        return [error(CHECK, path, None, f"cannot read: {e.strerror or e}")]
    found = [warning(CHECK, path, None, w) for w in feed.warnings]
    base = source.show.base_url if source.show is not None else feed.link
    if not base:
        return [*found, error(CHECK, path, "channel/link", "no base URL to check the site by")]
    files = SiteFiles(site, base if base.endswith("/") else base + "/")
    found += _check_urls(feed, files, path)
    found += check_feed_dates(feed, path, now)
    found += duplicate_guids(
        [(item.guid, item.label()) for item in feed.items if item.guid], path, "guid"
    )
    for item in feed.items:
        if not item.guid:
            found.append(error(CHECK, path, f"{item.label()}/guid", "missing"))
        found += _check_item(item, files, path)
    return found
