"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


def _source_checksums() -> dict[str, str]:
    """The sha256 of every source the tests build from: the sample show (show.toml, cover
    art, episodes/, templates/) and tests/data (less the goldens when they are rewritten)."""
    import hashlib
    import os

    from .helpers import DATA, ROOT

    rewriting = os.environ.get("UPDATE_GOLDEN")
    files = [ROOT / "show.toml", ROOT / "cover.jpg"]
    for folder in (ROOT / "episodes", ROOT / "templates", DATA):
        files += [p for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()]
    sums: dict[str, str] = {}
    for path in files:
        if rewriting and (DATA / "golden") in path.parents:
            continue
        key = str(path.relative_to(ROOT))
        sums[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "-"
    return sums


@pytest.fixture(scope="session", autouse=True)
def sources_unchanged() -> Iterator[None]:
    """No test, and no build a test runs, changes, adds or removes a source file."""
    before = _source_checksums()
    yield
    after = _source_checksums()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the tests changed these source files: {changed}"


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


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, toolkit_cache: Path) -> Path:
    """The sample show, built once per session by the real CLI into a temporary folder."""
    from click.testing import CliRunner

    from toolkit.audio import file_sha256
    from toolkit.cli import cli

    from .helpers import ROOT, SAMPLE_SLUG

    source = ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3"
    before = file_sha256(source)
    out = tmp_path_factory.mktemp("site")
    # The build's profile is kept beside the site, for tests/test_profile.py.
    profile = tmp_path_factory.getbasetemp() / "site-profile.json"
    args = ["build", str(ROOT), "-o", str(out), "-q", "--profile", str(profile)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 transcribed" in result.output
    assert file_sha256(source) == before, "the source audio was modified"
    return out


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With TOOLKIT_NO_SKIPS set (``make test``, CI), a skipped test fails the run.

    Tests skip only when a tool or package is missing (espeak-ng,
    faster-whisper, ...); where the suite is meant to be whole, that is a fault.
    """
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("TOOLKIT_NO_SKIPS") and skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter is not None:
            reporter.write_line(
                f"TOOLKIT_NO_SKIPS: {len(skipped)} test(s) skipped; install what they need"
            )
