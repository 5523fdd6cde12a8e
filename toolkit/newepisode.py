"""``toolkit new-episode``: an episode folder made from an audio file's own tags.

:func:`new_episode` reads the file's tags (:func:`toolkit.tag.read_tags`: MP3,
M4A/M4B, FLAC, Ogg Vorbis, Opus) and writes ``episodes/<slug>/episode.toml``
with its title, date, number, season, description, guid and chapters, the
slug made from the title. The audio is copied beside it as ``audio.<ext>``;
the source file is only read. The new episode.toml is loaded back with
:func:`toolkit.config.load_episode`, so what was written is a valid episode.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import fsutil
from toolkit.config import (
    EPISODE_FILE,
    EPISODES_DIR,
    MAX_DESCRIPTION_BYTES,
    SHOW_FILE,
    HttpUrl,
    load_episode,
)
from toolkit.errors import ConfigError, TaggingError
from toolkit.importer import slugs
from toolkit.tag.read import FileTags, read_tags

__all__ = ["NewEpisode", "new_episode", "slugify"]

MAX_SLUG = 60


@dataclass
class NewEpisode:
    """What :func:`new_episode` made."""

    folder: Path
    toml: Path
    audio: Path
    #: The fields taken from the tags, in episode.toml's order.
    fields: list[str] = field(default_factory=list)
    chapters: int = 0
    #: Things the producer should look at (a date with no day, ...).
    notes: list[str] = field(default_factory=list)


def slugify(title: str) -> str:
    """A URL-safe slug of at most MAX_SLUG characters (:func:`toolkit.importer.slugs.slugify`)."""
    return slugs.slugify(title, MAX_SLUG)


def _date(value: str | None, path: Path, notes: list[str]) -> dt.date | dt.datetime:
    """The episode's date from the tag's (ISO 8601, as the readers give it)."""
    if not value:
        raise TaggingError("the tags hold no date (episode.toml needs one)", path, "date")
    text = value.strip().replace(" ", "T")
    if re.fullmatch(r"\d{4}", text):
        notes.append(f"the tags give only the year {text}: the date is set to {text}-01-01")
        return dt.date(int(text), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        notes.append(f"the tags give only the month {text}: the date is set to {text}-01")
        text += "-01"
    try:
        if "T" in text:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise TaggingError(f"the tags' date {value!r} is not a date", path, "date") from e


def _web_url(url: str) -> bool:
    """Whether episode.toml takes ``url`` as a chapter's link (the loader's own rule)."""
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(HttpUrl).validate_python(url)
    except ValidationError:
        return False
    return True


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _episode_toml(tags: FileTags, audio_name: str, made: NewEpisode) -> str:
    path = tags.path
    if not tags.title:
        raise TaggingError("the tags hold no title (episode.toml needs one)", path, "title")
    description = tags.description or tags.comment
    if not description:
        raise TaggingError(
            "the tags hold no description or comment (episode.toml needs one)",
            path,
            "description",
        )
    size = len(description.encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        raise TaggingError(
            f"the tags' description is {size} bytes; episode.toml takes at most "
            f"{MAX_DESCRIPTION_BYTES} (Apple's limit): shorten it in the tags or write the "
            "episode.toml by hand",
            path,
            "description",
        )
    when = _date(tags.date, path, made.notes)
    date = when.isoformat().replace("+00:00", "Z")
    lines = [
        f"# Made by toolkit new-episode from the tags of {path.name}.",
        f"title = {_toml_string(tags.title)}",
    ]
    made.fields = ["title"]
    if tags.number:
        lines.append(f"number = {tags.number}")
        made.fields.append("number")
    if tags.season:
        lines.append(f"season = {tags.season}")
        made.fields.append("season")
    lines.append(f"date = {date}")
    made.fields.append("date")
    if tags.guid:
        lines.append(f"guid = {_toml_string(tags.guid)}")
        made.fields.append("guid")
    lines.append(f"description = {_toml_string(description)}")
    made.fields.append("description")
    lines.append(f"audio = {_toml_string(audio_name)}")
    if tags.keywords:
        lines.append(f"keywords = [{', '.join(_toml_string(k) for k in tags.keywords)}]")
        made.fields.append("keywords")
    for ch in tags.chapters:
        lines += ["", "[[chapters]]", f"start = {round(ch.start, 3)}"]
        lines.append(f"title = {_toml_string(ch.title or f'Chapter at {ch.start:.0f} s')}")
        if ch.url and _web_url(ch.url):
            lines.append(f"url = {_toml_string(ch.url)}")
        elif ch.url:
            made.notes.append(
                f"chapter at {ch.start:.0f} s: its link {ch.url!r} is no web URL; left out"
            )
    made.chapters = len(tags.chapters)
    if made.chapters:
        made.fields.append("chapters")
    return "\n".join(lines) + "\n"


def new_episode(audio: Path, show_dir: Path = Path(".")) -> NewEpisode:
    """Make ``show_dir/episodes/<slug>/`` from ``audio``'s tags, with a copy of the audio.

    Raises :class:`TaggingError` naming the audio file and the field the
    tags lack (title, date, description), or :class:`ConfigError` when the
    show folder has no show.toml or the episode folder exists already. On an
    error nothing is left behind.
    """
    audio, show_dir = Path(audio), Path(show_dir)
    if not (show_dir / SHOW_FILE).is_file():
        raise ConfigError(f"no {SHOW_FILE} here: not a show folder", show_dir)
    tags = read_tags(audio)
    slug = slugify(tags.title or "")
    if not slug:
        raise TaggingError(
            "the tags hold no title to make the episode's folder name from", audio, "title"
        )
    folder = show_dir / EPISODES_DIR / slug
    if folder.exists():
        raise ConfigError("the episode folder exists already; nothing was changed", folder)
    audio_name = f"audio{audio.suffix.lower()}"
    made = NewEpisode(folder=folder, toml=folder / EPISODE_FILE, audio=folder / audio_name)
    text = _episode_toml(tags, audio_name, made)
    folder.mkdir(parents=True)
    try:
        fsutil.copy_file(audio, made.audio)
        fsutil.write_text(made.toml, text)
        load_episode(folder)  # what was written is an episode the build reads
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return made
