"""Any text a producer can write gives a feed that parses, and reads back as written.

Titles and descriptions come from hypothesis: any Unicode, with the
characters that break hand-made XML (``& < > " '``, ``]]>``) and control
characters mixed in. They go through the same pydantic models as
``show.toml`` and ``episode.toml``. The feed must parse with ElementTree and
with feedparser (no bozo flag), and each text must come back exactly, less
what XML 1.0 cannot hold: :func:`xml_text` says what that is, from the
specification's ``Char`` production, independently of the renderer.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import markupsafe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.config import Episode, Show
from toolkit.render import render_feed
from toolkit.render.environment import _output_escape

from .feedkit import NS, RICH_SHOW, rich_jobs

SPECIALS = [
    "&", "<", ">", '"', "'", "]]>", "<![CDATA[", "&amp;",  # markup
    "\x00", "\x0b", "\x1f", "\ufffe", "\uffff",  # forbidden in XML 1.0
    "\r", "\r\n", "\t", "\n", "\x7f", "\x85", "\u2028", "\U0001f399",  # allowed, but odd
]  # fmt: skip

# Any code point but surrogates (TOML files and Python's UTF-8 cannot carry them).
ANY_CHAR = st.characters(exclude_categories=["Cs"])
TEXT = st.lists(
    st.one_of(st.text(ANY_CHAR, max_size=12), st.sampled_from(SPECIALS)), max_size=8
).map("".join)


def xml_char(c: str) -> bool:
    """XML 1.0's Char production."""
    n = ord(c)
    return c in "\t\n\r" or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF


def xml_text(text: str) -> str:
    """What an XML parser gives back for ``text``: only Chars, line ends as ``\\n``."""
    kept = "".join(c for c in text if xml_char(c))
    return re.sub("\r\n?", "\n", kept)


def feed_for(show_title: str, show_description: str, title: str, description: str):
    """Show and episode models as the loader makes them, and the feed of the first job."""
    show = Show.model_validate({**RICH_SHOW, "title": show_title, "description": show_description})
    job = rich_jobs(show)[0]
    old = job.episode
    job.episode = Episode.model_validate(
        {**old.model_dump(), "title": title, "description": description}
    )
    job.episode.slug, job.episode.folder = old.slug, old.folder
    return show, job, render_feed(show, [job])


def nonblank(text: str) -> bool:
    return bool(text.strip())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    show_title=TEXT.filter(nonblank),
    show_description=TEXT.filter(nonblank),
    title=TEXT.filter(nonblank),
    description=TEXT.filter(nonblank),
)
def test_any_text_gives_a_feed_that_parses_and_round_trips(
    show_title, show_description, title, description
):
    show, job, xml = feed_for(show_title, show_description, title, description)
    channel = ET.fromstring(xml.encode("utf-8")).find("channel")
    assert channel is not None
    item = channel.find("item")
    assert item is not None
    # The models strip surrounding whitespace, as they do for show.toml and episode.toml.
    assert (channel.findtext("title") or "") == xml_text(show.title)
    assert (channel.findtext("description") or "") == xml_text(show.description)
    assert (item.findtext("title") or "") == xml_text(job.episode.title)
    assert (item.findtext("itunes:title", namespaces=NS) or "") == xml_text(job.episode.title)
    assert (item.findtext("description") or "") == xml_text(job.episode.description)
    # The notes (Markdown made HTML) are one escaped text too.
    assert item.find("content:encoded", NS) is not None
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 1


def test_the_oracle_knows_what_xml_forbids():
    assert xml_text("a\x00b\x1f\x0bc\r\nd\re\ufffe\uffff\t\x85") == "abc\nd\ne\t\x85"
    _, _, xml = feed_for("A & B", "d", "x\x00<y>]]>\x1f", "z")
    assert "<title>x&lt;y&gt;]]&gt;</title>" in xml


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(TEXT, st.integers(), st.floats(allow_nan=False), st.none()))
def test_output_escaping_is_markupsafe_s(value):
    """The environment's faster escape gives what markupsafe.escape gives."""
    assert _output_escape(value) == str(markupsafe.escape(value))
    if isinstance(value, str):
        assert _output_escape(markupsafe.Markup(value)) == value  # safe text passes as it is
