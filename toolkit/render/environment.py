"""The Jinja2 environment: a show's own templates first, the packaged ones behind.

A show overrides a template by putting a file of the same name in its own
``templates/`` folder. ``{% extends "default:episode.html" %}`` reaches the
packaged version, so a show can replace a single block.
"""

from __future__ import annotations

import email.utils
from datetime import datetime
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from toolkit.paths import default_templates_dir
from toolkit.render.transcripts import clock

_md = MarkdownIt("commonmark")


def timestamp(seconds: float | None) -> str:
    """``1:02:03`` or ``2:03``: a time as a listener reads it."""
    return "" if seconds is None else clock(seconds)


def rfc2822(value: datetime) -> str:
    """An RSS date, with the right weekday."""
    return email.utils.format_datetime(value)


def make_environment(show_root: Path | None = None) -> jinja2.Environment:
    """A template environment with the show's overrides ahead of the defaults."""
    default = jinja2.FileSystemLoader(default_templates_dir())
    loaders: list[jinja2.BaseLoader] = []
    if show_root is not None and (Path(show_root) / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(Path(show_root) / "templates"))
    loaders.append(default)
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PrefixLoader({"default": default}, delimiter=":"), *loaders]
        ),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["timestamp"] = timestamp
    env.filters["rfc2822"] = rfc2822
    env.filters["markdown"] = lambda text: Markup(_md.render(text or ""))
    # Markup → plain text, so autoescaping escapes it again (HTML inside XML).
    env.filters["as_text"] = str
    return env
