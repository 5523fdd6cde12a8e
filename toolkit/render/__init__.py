"""Rendering: transcript files, the episode pages and notes, the index page and the feed.

One job to a module:

- ``captions``: a transcript cut into caption cues (line breaking);
- ``transcripts``: the five transcript writers (VTT, SRT, Podcasting 2.0 JSON,
  TXT, HTML), their :class:`WriterOptions` and :func:`get_writer`;
- ``environment``: the Jinja2 environment (show overrides, filters);
- ``contexts``: what each template sees, one frozen dataclass per template,
  and the builders that make them from the show and the jobs;
- ``pages``: :func:`render_episode`, :func:`render_transcripts`,
  :func:`render_show` and :func:`render_feed`, which return file contents
  and write nothing.

Every template variable is documented in docs/templates.md.
"""

from __future__ import annotations

from toolkit.render.contexts import cover_name, podcast_guid
from toolkit.render.environment import make_environment
from toolkit.render.pages import (
    RenderedTranscripts,
    render_episode,
    render_feed,
    render_show,
    render_transcripts,
)
from toolkit.render.transcripts import WRITERS, WriterOptions, get_writer, writer_options

__all__ = [
    "WRITERS",
    "RenderedTranscripts",
    "WriterOptions",
    "cover_name",
    "get_writer",
    "make_environment",
    "podcast_guid",
    "render_episode",
    "render_feed",
    "render_show",
    "render_transcripts",
    "writer_options",
]
