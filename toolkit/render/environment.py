"""The Jinja2 environment: a show's own templates first, the packaged ones behind.

A show overrides a template by putting a file of the same name in its own
``templates/`` folder. ``{% extends "default:episode.html" %}`` reaches the
packaged version, so a show can replace a single block.

The ``.html`` and ``.xml`` templates are autoescaped. Whatever a template
renders then passes :func:`xml_safe` (:func:`toolkit.render.pages.render_template`),
so no text from ``show.toml``, ``episode.toml`` or a transcript can put a
character XML 1.0 forbids into the feed: one pass over the output, not one
per value, so a 10,000-episode feed pays for it once.

HTML made from a show's input (the ``markdown`` filter: a description) passes
:func:`toolkit.render.sanitize.sanitize_html`, and every ``href`` and ``src``
of the packaged templates passes the ``safe_url`` filter
(:func:`toolkit.render.sanitize.safe_url`), which empties a ``javascript:``,
``data:`` or other non-web URL.
"""

from __future__ import annotations

import email.utils
import os
import re
from collections.abc import Callable, Iterator, MutableMapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
import markupsafe
from markdown_it import MarkdownIt
from markupsafe import Markup

from toolkit.paths import default_templates_dir
from toolkit.render.sanitize import safe_url, sanitize_html
from toolkit.render.transcripts import clock

# Raw HTML in a description is shown as text, never passed on: the notes go
# into the feed's content:encoded, which apps render. What the renderer makes
# then passes sanitize_html, the one allow-list for HTML from a show's input.
_md = MarkdownIt("commonmark", {"html": False})


class _EveryLink(MarkdownIt):
    """The same parser, taking every link as a link (``javascript:`` too): what a
    lenient Markdown reader of the notes would link to, for md_markdown to check."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        return True


_md_every_link = _EveryLink("commonmark", {"html": False})

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


def npt(seconds: float) -> str:
    """``01:02:03.500``: a time as Podlove Simple Chapters write it (normal play time)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def hms(seconds: float | None) -> str:
    """``00:02:17``: a time as the show notes' chapter lines write it (rounded down)."""
    s = max(0, int(seconds or 0))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


#: What Markdown reads as markup anywhere in a line: emphasis, code, links, HTML, escapes.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
#: What it reads as a block at the start of a line: headings, quotes, lists, rules.
_MD_BLOCK = re.compile(r"^(\s*(?:\d+)?)([#>+=.)-])", re.M)
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_text(text: object) -> str:
    """Plain text made literal in Markdown: every character it would read as markup escaped.

    Text from ``show.toml``, ``episode.toml``, an article or a transcript goes
    into the notes as it is written, never as a link, an image or HTML.
    """
    out = _MD_INLINE.sub(r"\\\1", str(text or ""))
    out = _MD_ENTITY.sub(r"\\&", out)
    return _MD_BLOCK.sub(lambda m: m.group(1) + "\\" + m.group(2), out)


#: Raw HTML in Markdown that is not an autolink (``<https://...>``).
_MD_HTML = re.compile(r"<(?!https?://[^\s<>]+>)")


def _links(tokens: list[Any]) -> Iterator[str]:
    """Every link and image destination in markdown-it's tokens."""
    for token in tokens:
        if token.type in ("link_open", "image"):
            yield str(token.attrGet("href") or token.attrGet("src") or "")
        if token.children:
            yield from _links(token.children)


def md_markdown(text: object) -> str:
    """Markdown written by the show (a description) with any raw HTML made text.

    The page renders descriptions with raw HTML shown as text; the notes keep
    the Markdown and do the same: ``<b>`` becomes ``&lt;b>``. A description
    with a link or image a browser must not follow (``javascript:``,
    ``data:``, ... : see :func:`safe_url`), in any form a Markdown reader
    takes (inline, reference, behind entities), is written as plain text
    instead (:func:`md_text`), so no reader of the notes can make it a link.
    """
    out = _MD_HTML.sub("&lt;", str(text or ""))
    if any(safe_url(url) != url for url in _links(_md_every_link.parse(out))):
        return md_text(text)
    return out


def markdown_html(text: object) -> Markup:
    """A description's Markdown as HTML for a page or the feed: rendered, then sanitised.

    Raw HTML is shown as text (the renderer's ``html`` is off) and the result
    passes :func:`sanitize_html`, so whatever the Markdown holds, only the
    allow-list's tags, attributes and link schemes reach the page.
    """
    return Markup(sanitize_html(_md.render(str(text or ""))))


def md_url(url: object) -> str:
    """A URL as a Markdown link's destination: what would end the link percent-encoded."""
    return re.sub(r"[\s<>()\[\]\\`\"]", lambda m: f"%{ord(m.group()):02X}", str(url or ""))


def timestamp(seconds: float | None) -> str:
    """``1:02:03`` or ``2:03``: a time as a listener reads it."""
    return "" if seconds is None else clock(seconds)


def rfc2822(value: datetime) -> str:
    """An RSS date, with the right weekday."""
    return email.utils.format_datetime(value)


try:  # MarkupSafe's own C routine behind escape(), without the Markup object around it
    from markupsafe import _escape_inner  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - an older or pure-Python MarkupSafe

    def _escape_inner(s: str, /) -> str:
        return str(markupsafe.escape(s))


def _output_escape(value: object) -> str:
    """Escape one printed value, as :func:`markupsafe.escape` does, as plain text.

    A template's output is joined into text anyway (blocks that are captured
    wrap their text in Markup themselves), so the Markup object that
    ``escape`` makes around each of a feed's hundreds of thousands of values
    is pure cost: without it the feed renders in half the time. Markup in
    (the ``markdown`` filter's output) is passed on as it is.
    """
    if value.__class__ is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        safe: str = html()
        return safe
    return _escape_inner(str(value))


class _Template(jinja2.Template):
    """A template whose printed values go through :func:`_output_escape`."""

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled module's escape(), which every {{ }} of an autoescaped
        # template calls; its blocks share the module's globals.
        template.root_render_func.__globals__["escape"] = _output_escape
        return template


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
        # Templates are compiled once: shared_environment() makes a new environment
        # when a template file changes.
        auto_reload=False,
    )
    env.template_class = _Template
    env.filters["timestamp"] = timestamp
    env.filters["rfc2822"] = rfc2822
    env.filters["npt"] = npt
    env.filters["hms"] = hms
    env.filters["md"] = md_text
    env.filters["md_markdown"] = md_markdown
    env.filters["md_url"] = md_url
    env.filters["markdown"] = markdown_html
    env.filters["safe_url"] = safe_url
    # Markup → plain text, so autoescaping escapes it again (HTML inside XML).
    env.filters["as_text"] = str
    return env


def _folder_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Each file of ``folder`` with its modification time and size; empty without it."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ()
    return tuple(
        sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries if e.is_file())
    )


@lru_cache(maxsize=8)
def _environment(root: str | None, _state: object) -> jinja2.Environment:
    return make_environment(Path(root) if root is not None else None)


def shared_environment(show_root: Path | None = None) -> jinja2.Environment:
    """:func:`make_environment`'s environment, made once while no template file changes.

    Compiling the page and notes templates costs about ten times rendering
    them, so a show of 500 episodes shares one environment and compiles them
    once. The show's ``templates/`` folder and the packaged one are listed
    (names, times, sizes) on each call: a template added, removed or edited
    makes a new environment, so a build never renders a stale template.
    """
    root = str(Path(show_root).resolve()) if show_root is not None else None
    own = _folder_state(Path(root) / "templates") if root is not None else ()
    return _environment(root, (own, _folder_state(default_templates_dir())))
