"""Render an episode's files and the show's files, and return their text.

Nothing here writes a file or changes a job: each function returns a mapping
from a file name (relative to the episode's folder, or to the site's root) to
its contents, and the pipeline writes them into its staging tree. The cover
art is copied by the pipeline too (its name in the site: :func:`cover_name`).

Templates get the fields of their context dataclass
(:mod:`toolkit.render.contexts`), never the job; docs/templates.md lists them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jinja2

from toolkit.render.contexts import (
    FEED_FILE,
    TemplateContext,
    episode_page_context,
    feed_context,
    index_context,
    notes_context,
)
from toolkit.render.environment import shared_environment, xml_safe
from toolkit.render.transcripts import WRITERS, get_writer, writer_options

if TYPE_CHECKING:
    from toolkit.config import Show
    from toolkit.pipeline.job import EpisodeJob
    from toolkit.transcribe.transcript import Transcript

__all__ = [
    "TRANSCRIPT_BASENAME",
    "RenderedTranscripts",
    "render_episode",
    "render_feed",
    "render_show",
    "render_template",
    "render_transcripts",
]

TRANSCRIPT_BASENAME = "transcript"
STYLESHEET = "style.css"
PLAYER_SCRIPT = "player.js"


def render_template(env: jinja2.Environment, name: str, context: TemplateContext) -> str:
    """Template ``name`` rendered with ``context``, less what XML 1.0 forbids.

    Control characters (other than tab and newline), U+FFFE and U+FFFF are
    removed and line endings made ``\\n`` (:func:`xml_safe`), whatever the
    template is: values were escaped as they were printed, and escaping
    neither makes nor removes those characters. One pass over the output
    costs less than one per printed value.
    """
    return xml_safe(env.get_template(name).render(context.variables()))


def render_episode(show: Show, job: EpisodeJob) -> dict[str, str]:
    """An episode's page and notes: ``{"index.html": ..., "notes.md": ...}``.

    Reads ``job.transcript_files`` and ``job.translation_files`` for the
    download links, and ``job.audio`` for the player and the duration.
    """
    env = shared_environment(show.root)
    return {
        "index.html": render_template(env, "episode.html", episode_page_context(show, job)),
        "notes.md": render_template(env, "notes.md", notes_context(show, job)),
    }


@dataclass(frozen=True, eq=False)  # equal as a mapping is, by its items
class RenderedTranscripts(Mapping[str, str]):
    """An episode's transcript files: a mapping of file name to contents.

    ``transcript_files`` and ``translation_files`` say which file holds which
    format (``"vtt" -> "transcript.vtt"``); the pipeline puts them in the
    job's fields of the same names, which the page and the feed list.
    """

    files: dict[str, str]
    transcript_files: dict[str, str]
    translation_files: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.files[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


def render_transcripts(show: Show, job: EpisodeJob) -> RenderedTranscripts:
    """Every transcript format of ``job.transcript`` (``transcript.vtt``, ...).

    With an English translation (``job.translation``) also ``transcript.en.*``.
    The layout is ``show.toml``'s ``[transcripts]``. The job is not changed.
    """
    if job.transcript is None:
        raise ValueError(f"episode {job.episode.slug}: no transcript to render")
    options = writer_options(show)
    files: dict[str, str] = {}

    def write(transcript: Transcript, stem: str) -> dict[str, str]:
        names = {}
        for fmt in WRITERS:
            names[fmt] = f"{stem}.{fmt}"
            files[names[fmt]] = get_writer(fmt, options).render(transcript)
        return names

    transcripts = write(job.transcript, TRANSCRIPT_BASENAME)
    translations = {}
    if job.translation is not None:
        translations = write(job.translation, f"{TRANSCRIPT_BASENAME}.en")
    return RenderedTranscripts(files, transcripts, translations)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a show's files are rendered.

    Rendering allocates a great many short-lived objects and no cycles worth
    collecting; each full collection, meanwhile, walks every job's data (all
    the transcripts of a large show). Paused, a 10,000-episode feed renders
    2.5 times faster (bench/feed_scale.py). Reference counting still frees
    everything as it goes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_feed(show: Show, jobs: list[EpisodeJob]) -> str:
    """The RSS feed alone (``feed.xml``), its items in the order of ``jobs``."""
    with _collector_paused():
        return render_template(shared_environment(show.root), "feed.xml", feed_context(show, jobs))


def render_show(show: Show, jobs: list[EpisodeJob]) -> dict[str, str]:
    """The show's files: ``feed.xml``, ``index.html``, ``style.css`` and ``player.js``.

    ``jobs`` come in the order the index page and the feed list them.
    """
    env = shared_environment(show.root)
    assert env.loader is not None
    with _collector_paused():
        return {
            FEED_FILE: render_template(env, "feed.xml", feed_context(show, jobs)),
            "index.html": render_template(env, "index.html", index_context(show, jobs)),
            # Copied as they are: a stylesheet and a script are not templates.
            STYLESHEET: env.loader.get_source(env, STYLESHEET)[0],
            PLAYER_SCRIPT: env.loader.get_source(env, PLAYER_SCRIPT)[0],
        }
