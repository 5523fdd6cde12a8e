"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def toolkit_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One temporary TOOLKIT_CACHE_DIR for the whole session.

    Tests never touch the user's cache, and a model converted once (a few
    seconds) is reused by every test that needs it.
    """
    root = tmp_path_factory.mktemp("toolkit-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TOOLKIT_CACHE_DIR", str(root))
        yield root
