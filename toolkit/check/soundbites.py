"""Soundbites: each ``podcast:soundbite`` lies within its episode.

``startTime`` and ``duration`` are seconds; the clip must start at or after
0, last a positive time and end by the end of the audio. The spec suggests
titles of at most 128 characters (Livewire's validator holds feeds to it).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.check.model import Finding, error, warning
from toolkit.importer.feed import FeedItem

__all__ = ["check_soundbites"]

CHECK = "soundbites"
MAX_TITLE = 128
#: Rounding of the times in the feed, and encoder padding.
SLACK = 0.5


def check_soundbites(item: FeedItem, duration: float | None, feed: Path) -> list[Finding]:
    """The item's soundbites against ``duration`` (the audio's, in seconds; None: unknown)."""
    found: list[Finding] = []
    for i, bite in enumerate(item.soundbites, 1):
        field = f"{item.label()}/podcast:soundbite {i}"
        start, length = bite.start, bite.duration
        if start is None or start < 0:
            found.append(
                error(CHECK, feed, field, f"startTime {bite.start_text!r}: seconds, 0 or more")
            )
            continue
        if length is None or length <= 0:
            found.append(
                error(CHECK, feed, field, f"duration {bite.duration_text!r}: seconds, more than 0")
            )
            continue
        if duration is not None and start + length > duration + SLACK:
            found.append(
                error(
                    CHECK,
                    feed,
                    field,
                    f"{start:g} s + {length:g} s ends at {start + length:g} s, after the end of "
                    f"the episode ({duration:g} s)",
                )
            )
        if len(bite.title) > MAX_TITLE:
            found.append(
                warning(
                    CHECK,
                    feed,
                    field,
                    f"a title of {len(bite.title)} characters; keep to {MAX_TITLE}",
                )
            )
    return found
