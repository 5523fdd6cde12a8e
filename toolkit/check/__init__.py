"""Lint a show folder and its built site: ``toolkit check``.

One module per check: ``fields`` (what Apple requires), ``limits`` (https,
sizes), ``artwork``, ``categories`` (with Apple's list in
``apple_categories``), ``duplicates``, ``dates``, and for a built site
``site`` (URLs, enclosures), ``transcripts``, ``chapters`` and
``soundbites``. Each returns :class:`Finding`s; :func:`check_show` runs them all.
"""

from toolkit.check.model import Finding, Report
from toolkit.check.run import check_show

__all__ = ["Finding", "Report", "check_show"]
