"""Build a show folder from an existing podcast feed: ``toolkit import-feed``.

One module per job: ``xmlparse`` (safe parsing), ``feed`` (the feed as
dataclasses), ``fetch`` (reading the feed and downloading what it links),
``mapping`` (feed values to show.toml and episode.toml tables), ``text``
(show notes to plain text), ``slugs`` (folder names), ``tomlwrite`` (TOML
out) and ``run`` (:func:`import_feed`).
"""

from toolkit.importer.run import ImportedEpisode, ImportOptions, ImportReport, import_feed

__all__ = ["ImportOptions", "ImportReport", "ImportedEpisode", "import_feed"]
