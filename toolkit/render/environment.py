"""The Jinja2 environment: a show's own templates first, the packaged ones behind.

A show overrides a template by putting a file of the same name in its own
``templates/`` folder. ``{% extends "default:episode.html" %}`` reaches the
packaged version, so a show can replace a single block.

Every value a template prints passes :func:`xml_safe` first (the
environment's ``finalize``), so no text from ``show.toml``, ``episode.toml``
or a transcript can put a character XML 1.0 forbids into the feed; the
``.html`` and ``.xml`` templates then autoescape it.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from toolkit.paths import default_templates_dir
from toolkit.render.transcripts import clock

# Raw HTML in a description is shown as text, never passed on: the notes go
# into the feed's content:encoded, which apps render.
_md = MarkdownIt("commonmark", {"html": False})

#: What XML 1.0 forbids in a document (all C0 controls but tab, newline and
#: carriage return; lone surrogates; U+FFFE and U+FFFF), and carriage returns,
#: which an XML parser turns into newlines anyway.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CR = re.compile("\r\n?")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids, with ``\\n`` line endings."""
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("", text)
    if "\r" in text:
        text = _CR.sub("\n", text)
    return text


def _finalize(value: object) -> object:
    """Every ``{{ ... }}`` output: text is made XML-safe (and stays Markup if it was)."""
    if isinstance(value, Markup):
        return Markup(xml_safe(str(value)))
    if isinstance(value, str):
        return xml_safe(value)
    return value


def npt(seconds: float) -> str:
    """``01:02:03.500``: a time as Podlove Simple Chapters write it (normal play time)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


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
        # Text from show.toml, episode.toml and transcripts may hold control characters.
        finalize=_finalize,
        # Templates are read once per render (one environment per render).
        auto_reload=False,
    )
    env.filters["timestamp"] = timestamp
    env.filters["rfc2822"] = rfc2822
    env.filters["npt"] = npt
    env.filters["markdown"] = lambda text: Markup(_md.render(text or ""))
    # Markup → plain text, so autoescaping escapes it again (HTML inside XML).
    env.filters["as_text"] = str
    return env
