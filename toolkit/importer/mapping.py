"""From a feed's channel and items to the tables of show.toml and episode.toml.

Nothing is made up: a value the feed lacks is left out (a warning says which
field to fill in), except where the feed itself says what apps use instead
(an item without a guid is known to apps by its enclosure URL, so that
becomes its guid). Show notes become plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toolkit.check.apple_categories import OLD_NAMES, category_problem
from toolkit.config import MAX_DESCRIPTION_BYTES
from toolkit.importer.feed import Feed, FeedItem, PersonLink
from toolkit.importer.text import html_to_text

__all__ = ["Mapped", "episode_table", "show_table"]

_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2,4}))?$")
EPISODE_TYPES = ("full", "trailer", "bonus")
SHOW_TYPES = ("episodic", "serial")


@dataclass
class Mapped:
    """One TOML document's table and the warnings about it."""

    table: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _person(p: PersonLink) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name}
    if p.role:
        out["role"] = p.role.lower()
    if p.href:
        out["href"] = p.href
    if p.img:
        out["img"] = p.img
    return out


def _hosts(persons: list[PersonLink]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(hosts, everyone else): a person with no role is a host, as the namespace says."""
    hosts = [_person(p) for p in persons if (p.role or "host").lower() == "host"]
    others = [_person(p) for p in persons if (p.role or "host").lower() != "host"]
    return hosts, others


def _too_long(description: str, path: Path) -> list[str]:
    size = len(description.encode("utf-8"))
    if size <= MAX_DESCRIPTION_BYTES:
        return []
    return [
        f"{path}: field 'description': {size} bytes; Apple allows {MAX_DESCRIPTION_BYTES}: "
        "shorten it"
    ]


def language(code: str) -> str | None:
    """ "en", "en-US", "EN_us" -> "en", "en-US", "en-US"; None when it is no such code."""
    match = _LANGUAGE.match(code.strip())
    if match is None:
        return None
    primary, region = match.groups()
    return primary.lower() + (f"-{region.upper()}" if region else "")


def show_table(feed: Feed, path: Path, base_url: str | None) -> Mapped:
    """show.toml's table for ``feed``; ``path`` is the show.toml it will be."""
    out: dict[str, Any] = {}
    warnings: list[str] = []

    def missing(name: str, what: str) -> None:
        warnings.append(f"{path}: field '{name}': the feed has no {what}; fill it in")

    if feed.title:
        out["title"] = feed.title
    else:
        missing("title", "<title>")
    description = html_to_text(feed.description or feed.summary or "")
    if description:
        out["description"] = description
        warnings += _too_long(description, path)
    else:
        missing("description", "<description>")
    author = feed.author or feed.owner_name
    if author:
        out["author"] = author
    else:
        missing("author", "itunes:author")
    code = language(feed.language) if feed.language else None
    if code:
        out["language"] = code
    else:
        missing("language", "usable <language>")
    if base_url:
        out["base_url"] = base_url
    elif feed.link and feed.link.startswith(("http://", "https://")):
        parts = urlsplit(feed.link)
        out["base_url"] = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"
        warnings.append(
            f"{path}: field 'base_url': set from the feed's <link> ({feed.link}); change it to "
            "where the new site will be published (or import with --base-url)"
        )
    else:
        warnings.append(
            f"{path}: field 'base_url': the feed has no <link>; set it to where the new site "
            "will be published (or import with --base-url)"
        )
    if feed.categories:
        out["categories"] = apple_categories(feed.categories, path, warnings)
    if feed.explicit is not None:
        out["explicit"] = feed.explicit
    else:
        missing("explicit", "itunes:explicit true or false")
    if feed.type and feed.type.lower() in SHOW_TYPES:
        out["type"] = feed.type.lower()
    if feed.link:
        out["link"] = feed.link
    if feed.copyright:
        out["copyright"] = feed.copyright
    hosts, _ = _hosts(feed.persons)
    if hosts:
        out["hosts"] = hosts
    if feed.owner_email:
        out["owner"] = {"name": feed.owner_name or author or feed.owner_email}
        out["owner"]["email"] = feed.owner_email
    else:
        missing("owner.email", "itunes:owner email")
    if code and not code.startswith("en"):
        # tiny.en, the default, knows English only; base is multilingual.
        out["transcription"] = {"model": "base", "language": code.split("-")[0]}
    return Mapped(out, warnings)


def episode_table(item: FeedItem, path: Path, audio: str) -> Mapped:
    """episode.toml's table for ``item``, whose audio is ``audio`` (a URL or a file name)."""
    out: dict[str, Any] = {}
    warnings: list[str] = []
    title = item.title or ""
    out["title"] = title
    if item.number is not None:
        out["number"] = item.number
    if item.season is not None:
        out["season"] = item.season
    if item.episode_type and item.episode_type.lower() in EPISODE_TYPES:
        out["type"] = item.episode_type.lower()
    out["date"] = item.date
    enclosure = item.enclosure
    if item.guid:
        out["guid"] = item.guid
    elif enclosure is not None:
        out["guid"] = enclosure.url
        warnings.append(
            f"{path}: field 'guid': the item has none; apps know it by its enclosure URL, "
            "kept as its guid"
        )
    description = html_to_text(item.description or item.summary or item.content or "")
    if not description:
        description = title
        warnings.append(f"{path}: field 'description': the item has none; set to its title")
    out["description"] = description
    warnings += _too_long(description, path)
    out["audio"] = audio
    if item.explicit is not None:
        out["explicit"] = item.explicit
    hosts, guests = _hosts(item.persons)
    if hosts:
        out["hosts"] = hosts
    if guests:
        out["guests"] = guests
    imported: dict[str, Any] = {}
    if enclosure is not None:
        imported["enclosure"] = enclosure.url
    if item.link:
        imported["link"] = item.link
    if item.image:
        imported["image"] = item.image
    if item.chapters is not None:
        imported["chapters"] = item.chapters.url
    transcripts = []
    for t in item.transcripts:
        entry: dict[str, Any] = {"url": t.url, "type": t.type or "text/plain"}
        if t.language:
            entry["language"] = t.language
        if t.rel:
            entry["rel"] = t.rel
        transcripts.append(entry)
    if transcripts:
        imported["transcripts"] = transcripts
    if imported:
        out["imported"] = imported
    return Mapped(out, warnings)


def apple_categories(categories: list[str], path: Path, warnings: list[str]) -> list[str]:
    """The feed's categories as Apple names them: pre-2019 names renamed, the rest dropped.

    ``show.toml`` takes only Apple's categories, so a category the loader would
    refuse is left out, with a line in ``warnings`` saying why.
    """
    kept: list[str] = []
    for i, cat in enumerate(categories):
        name = OLD_NAMES.get(cat.replace(" / ", "/").strip(), cat)
        problem = category_problem(name)
        if problem:
            warnings.append(f"{path}: field 'categories[{i}]': {problem}; left out")
        elif name != cat:
            warnings.append(f"{path}: field 'categories[{i}]': {cat!r} written as {name!r}")
        if not problem and name not in kept:
            kept.append(name)
    return kept
