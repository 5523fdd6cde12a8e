"""Required fields: what Apple needs that the toolkit's own defaults would paper over.

``explicit`` defaults to false in the build, yet Apple requires the show to
say it; the language must be an ISO 639 code (Apple refuses a feed with an
invalid one); a serial show must number its episodes; an episode without a
``guid`` depends on the guid the build recorded beside the show.
"""

from __future__ import annotations

import functools

from toolkit.check.loading import ShowSource
from toolkit.check.model import Finding, Severity, error, warning

__all__ = ["check_fields", "language_problem"]

CHECK = "fields"


@functools.cache
def _languages() -> frozenset[str]:
    """ISO 639 codes (2 and 3 letters) as CLDR (through Babel) knows them."""
    from babel import Locale

    return frozenset(c for c in Locale("en").languages if isinstance(c, str) and c.isalpha())


@functools.cache
def _territories() -> frozenset[str]:
    from babel import Locale

    return frozenset(c.upper() for c in Locale("en").territories if isinstance(c, str))


def language_problem(code: str) -> tuple[Severity, str] | None:
    """What is wrong with a ``language`` value ("en", "en-US"), or None."""
    primary, _, region = code.partition("-")
    if primary.lower() not in _languages():
        return "error", f"{code!r} is not an ISO 639 language code"
    if primary != primary.lower():
        return "warning", f"write the language code in lower case: {primary.lower()!r}"
    if region and region.upper() not in _territories():
        return "warning", f"{region!r} is not a known region code"
    return None


def check_fields(source: ShowSource) -> list[Finding]:
    """Fields Apple requires, and the episode guids."""
    found: list[Finding] = []
    path = source.path
    if source.data and "explicit" not in source.data:
        found.append(
            error(
                CHECK,
                path,
                "explicit",
                "required by Apple: say true or false (left out, the feed says false)",
            )
        )
    show = source.show
    if show is not None:
        problem = language_problem(show.language)
        if problem is not None:
            found.append(Finding(problem[0], CHECK, path, "language", problem[1]))
    serial = show is not None and show.type == "serial"
    for ep in source.episodes:
        episode = ep.episode
        if episode is None:
            continue
        if serial and episode.number is None and episode.type == "full":
            found.append(error(CHECK, ep.path, "number", "a serial show must number every episode"))
        if not episode.guid:
            found.append(
                warning(
                    CHECK,
                    ep.path,
                    "guid",
                    "not set: the build assigns one and keeps it in .toolkit/guids.json "
                    "beside the show; lose that file and apps see a new episode (write it "
                    "here with toolkit build --write-guids)",
                )
            )
    return found
