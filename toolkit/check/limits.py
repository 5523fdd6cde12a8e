"""Limits: https URLs, Apple's 4,000-byte descriptions and 255-character titles.

Every URL a show publishes (``base_url``, ``link``, a person's ``href`` and
``img``, any other ``url``) should be https: Podcasting 2.0 asks it of every
URL in its tags, and apps load artwork and transcripts from pages served on
https. A plain-http loopback address is only a warning: it is how a show is
previewed with ``toolkit serve``. Apple limits a description to 4,000 bytes
(not characters: UTF-8 counts) and any other value to 255 characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toolkit.check.loading import ShowSource
from toolkit.check.model import Finding, Severity, error, warning
from toolkit.config import MAX_DESCRIPTION_BYTES

__all__ = ["check_limits", "url_problem"]

CHECK = "limits"
MAX_TITLE_CHARS = 255
URL_KEYS = {"base_url", "link", "href", "img", "url"}
#: Tables whose URLs are never published: the old host's (import-feed), settings.
SKIP = {"imported", "transcription"}


def url_problem(url: str) -> tuple[Severity, str] | None:
    """Why ``url`` is not a good public URL, or None when it is https."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        return None
    if parts.scheme == "http" and parts.netloc:
        host = parts.hostname or ""
        if host == "localhost" or host.startswith("127.") or host == "::1":
            return "warning", f"{url} is plain http: fine for a local preview, publish on https"
        return "error", f"{url} is plain http: publish on https (apps and Podcasting 2.0 need it)"
    return "error", f"{url!r} is not an https URL"


def _urls(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key in SKIP:
            continue
        if isinstance(value, dict):
            yield from _urls(value, f"{name}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield from _urls(item, f"{name}[{i}].")
        elif isinstance(value, str) and key in URL_KEYS:
            yield name, value


def _check_urls(data: dict[str, Any], path: Path) -> Iterator[Finding]:
    for name, url in _urls(data):
        problem = url_problem(url)
        if problem is not None:
            yield Finding(problem[0], CHECK, path, name, problem[1])


def _check_text(data: dict[str, Any], path: Path) -> Iterator[Finding]:
    description = data.get("description")
    if isinstance(description, str):
        size = len(description.strip().encode("utf-8"))
        if size > MAX_DESCRIPTION_BYTES:
            yield error(
                CHECK,
                path,
                "description",
                f"{size} bytes; Apple allows {MAX_DESCRIPTION_BYTES} (UTF-8 bytes, not characters)",
            )
    title = data.get("title")
    if isinstance(title, str) and len(title.strip()) > MAX_TITLE_CHARS:
        yield error(
            CHECK,
            path,
            "title",
            f"{len(title.strip())} characters; Apple allows {MAX_TITLE_CHARS}",
        )


def check_limits(source: ShowSource) -> list[Finding]:
    """URLs, description sizes and title lengths of the show and every episode."""
    found = [*_check_urls(source.data, source.path), *_check_text(source.data, source.path)]
    show_title = source.show.title if source.show is not None else None
    for ep in source.episodes:
        found += _check_urls(ep.data, ep.path)
        found += _check_text(ep.data, ep.path)
        title = ep.episode.title if ep.episode is not None else None
        if show_title and title and title.casefold().startswith(show_title.casefold()):
            found.append(
                warning(
                    CHECK,
                    ep.path,
                    "title",
                    "repeats the show's title; Apple asks for the episode's own title only",
                )
            )
    return found
