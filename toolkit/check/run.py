"""``toolkit check``: every check over a show folder and, when given, its built site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from toolkit.check.artwork import check_artwork
from toolkit.check.categories import check_categories
from toolkit.check.dates import check_dates
from toolkit.check.duplicates import check_duplicates
from toolkit.check.fields import check_fields
from toolkit.check.limits import check_limits
from toolkit.check.loading import load_for_check
from toolkit.check.model import Report
from toolkit.check.site import check_site
from toolkit.errors import ConfigError

__all__ = ["check_show"]

#: The checks of the show folder, in the order they report.
SHOW_CHECKS = (
    check_fields,
    check_limits,
    check_artwork,
    check_categories,
    check_duplicates,
)


def check_show(show_dir: Path, site: Path | None = None, now: dt.datetime | None = None) -> Report:
    """Lint ``show_dir`` (and the site built from it at ``site``): errors and warnings.

    ``now`` is the time dates are checked against (default: the current time).
    Raises :class:`ConfigError` only when ``show_dir`` is no show folder, or
    ``site`` is no folder.
    """
    show_dir = Path(show_dir)
    source, findings = load_for_check(show_dir)
    report = Report(show_dir, site, findings)
    for check in SHOW_CHECKS:
        report.findings += check(source)
    report.findings += check_dates(source, now)
    if site is not None:
        if not site.is_dir():
            raise ConfigError("no such folder", site)
        report.findings += check_site(source, site, now)
    return report
