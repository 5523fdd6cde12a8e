"""Duplicates: guids, episode numbers within a season, folder names that differ only in case.

Apple skips an item whose guid it has seen; two full episodes with the same
number in the same season confuse every app that orders by number (a trailer
or bonus may share its episode's number, as Apple's guide says); and two slugs
that differ only in case are one folder on macOS and Windows.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from toolkit.check.loading import EpisodeSource, ShowSource
from toolkit.check.model import Finding, error

__all__ = ["check_duplicates", "duplicate_guids"]

CHECK = "duplicates"


def _names(sources: list[EpisodeSource]) -> str:
    return ", ".join(s.folder.name for s in sources)


def duplicate_guids(guids: list[tuple[str, str]], path: Path, field: str) -> list[Finding]:
    """(guid, where) pairs in ``path``: one error per guid that appears twice."""
    seen: dict[str, list[str]] = defaultdict(list)
    for guid, where in guids:
        seen[guid].append(where)
    return [
        error(CHECK, path, field, f"guid {guid!r} is used {len(w)} times ({', '.join(w)})")
        for guid, w in seen.items()
        if len(w) > 1
    ]


def check_duplicates(source: ShowSource) -> list[Finding]:
    found: list[Finding] = []
    by_guid: dict[str, list[EpisodeSource]] = defaultdict(list)
    by_number: dict[tuple[int | None, int], list[EpisodeSource]] = defaultdict(list)
    by_slug: dict[str, list[EpisodeSource]] = defaultdict(list)
    for ep in source.episodes:
        by_slug[ep.folder.name.casefold()].append(ep)
        episode = ep.episode
        if episode is None:
            continue
        if episode.guid:
            by_guid[episode.guid].append(ep)
        if episode.number is not None and episode.type == "full":
            by_number[(episode.season, episode.number)].append(ep)
    for guid, eps in by_guid.items():
        if len(eps) > 1:
            for ep in eps:
                found.append(error(CHECK, ep.path, "guid", f"{guid!r} is shared by {_names(eps)}"))
    for (season, number), eps in by_number.items():
        if len(eps) > 1:
            where = f"season {season}" if season is not None else "the show"
            for ep in eps:
                found.append(
                    error(
                        CHECK,
                        ep.path,
                        "number",
                        f"episode {number} of {where} is shared by {_names(eps)}",
                    )
                )
    for eps in by_slug.values():
        if len(eps) > 1:
            for ep in eps:
                found.append(
                    error(
                        CHECK,
                        ep.folder,
                        None,
                        f"folder names that differ only in case ({_names(eps)}) are one "
                        "folder on macOS and Windows, and one URL on many servers",
                    )
                )
    return found
