"""Dates: no episode dated far in the future, and every date in a built feed well formed.

A wrong weekday in an RFC 2822 date ("Mon, 17 Jan 2023" for a Tuesday) is
a common validator error: parsers that trust the day name misread the date.
An episode dated in the future is published at once by the build anyway,
and apps sort it above the real latest one, or hide it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from pathlib import Path

from toolkit.check.loading import ShowSource
from toolkit.check.model import Finding, error, warning
from toolkit.config import MAX_AHEAD
from toolkit.importer.feed import Feed

__all__ = ["check_dates", "check_feed_dates", "date_problem"]

CHECK = "dates"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY = re.compile(r"^\s*([A-Za-z]{3}),")


def date_problem(text: str, now: dt.datetime) -> str | None:
    """What is wrong with an RFC 2822 date: unparseable, wrong weekday, in the future."""
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return f"{text!r} is not an RFC 2822 date (like 'Tue, 17 Jan 2023 09:00:00 +0000')"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    day = _WEEKDAY.match(text)
    if day and day.group(1).title() != WEEKDAYS[when.weekday()]:
        return f"{text!r}: {when:%d %b %Y} is a {WEEKDAYS[when.weekday()]}, not a {day.group(1)}"
    if when > now:
        return f"{text!r} is in the future"
    return None


def check_dates(source: ShowSource, now: dt.datetime | None = None) -> list[Finding]:
    """No episode.toml ``date`` after ``now``: a warning; more than a year after, an error.

    The same rule as the loader's (:data:`toolkit.config.MAX_AHEAD`): a date a
    little ahead is a scheduled episode, one years ahead a typo.
    """
    now = now or dt.datetime.now(dt.UTC)
    found: list[Finding] = []
    for ep in source.episodes:
        if ep.episode is None or ep.episode.date <= now:
            continue
        when = ep.episode.date.isoformat()
        if ep.episode.date - now > MAX_AHEAD:
            found.append(
                error(CHECK, ep.path, "date", f"{when} is more than a year from now: a typo?")
            )
        else:
            found.append(
                warning(
                    CHECK,
                    ep.path,
                    "date",
                    f"{when} is in the future: the build publishes the episode now, and "
                    "apps list it above the latest one",
                )
            )
    return found


def check_feed_dates(feed: Feed, path: Path, now: dt.datetime | None = None) -> list[Finding]:
    """Each item's ``pubDate`` (and the channel's ``lastBuildDate``) in a built feed."""
    now = now or dt.datetime.now(dt.UTC)
    found: list[Finding] = []
    if feed.last_build_date:
        problem = date_problem(feed.last_build_date, now)
        if problem:
            found.append(error(CHECK, path, "channel/lastBuildDate", problem))
    for item in feed.items:
        if not item.pub_date:
            found.append(error(CHECK, path, f"{item.label()}/pubDate", "missing"))
            continue
        problem = date_problem(item.pub_date, now)
        if problem:
            found.append(error(CHECK, path, f"{item.label()}/pubDate", problem))
    return found
