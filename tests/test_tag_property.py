"""Tags with any text round-trip: what the build writes into the published audio
is what a tag reader finds there, less the characters no tag carries (hypothesis)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.audio import probe
from toolkit.tag import ChapterTag, publish_audio
from toolkit.tag.model import tag_text
from toolkit.tag.read import read_tags

from .helpers import DATA
from .test_tag import full_tags

SOURCES = {
    "mp3": DATA / "tagged" / "silence-44-s.mp3",
    "flac": DATA / "speech" / "jfk.flac",
}
#: Any character but the surrogates, which no UTF encoding carries.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


def _published(kind: str, title: str, description: str, chapter: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tagprop-"))
    tags = replace(
        full_tags(3.0),
        title=title,
        description=description,
        chapters=[ChapterTag(0.0, chapter, end=1.0), ChapterTag(1.0, "Second")],
    )
    dest = folder / f"episode.{kind}"
    publish_audio(probe(SOURCES[kind]), dest, tags)
    return dest


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(SOURCES)), title=TEXT, description=TEXT, chapter=TEXT)
def test_any_text_round_trips_through_the_tags(kind, title, description, chapter):
    dest = _published(kind, title, description, chapter)
    try:
        read = read_tags(dest)
    finally:
        shutil.rmtree(dest.parent)

    # What no tag carries (NUL, other controls) is dropped, as the feed drops it; a
    # blank text reads back as none.
    def seen(text: str) -> str:
        return text if text.strip() else ""

    assert (read.title or "") == seen(tag_text(title))
    assert (read.description or "") == seen(tag_text(description))
    assert (read.chapters[0].title or "") == seen(tag_text(chapter))
