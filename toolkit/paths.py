"""Where the toolkit keeps its caches and finds its packaged files."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "podcast-toolkit"


def cache_dir() -> Path:
    """The user's cache folder for converted models and transcripts.

    ``TOOLKIT_CACHE_DIR`` overrides the platform default (for tests and CI).
    """
    override = os.environ.get("TOOLKIT_CACHE_DIR")
    root = Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))
    root.mkdir(parents=True, exist_ok=True)
    return root


def default_templates_dir() -> Path:
    """The packaged default templates.

    In a wheel they sit inside the package (``toolkit/templates``); in a source
    checkout or an editable install they are the top-level ``templates/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the toolkit's default templates are missing from this installation")
