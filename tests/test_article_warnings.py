"""The build warns about an article it cannot use well: one given only as a URL
(never fetched, so nothing is aligned) and one far too long for a page."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from toolkit import pipeline

from .helpers import ROOT, SAMPLE_SLUG, stored_transcript_stages


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """A cache of these tests' own: the session's build of the sample (tests/conftest.py
    ``site``) must find nothing of the sample's made here, such as its diarization."""
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))


def _show(tmp_path: Path) -> Path:
    show = tmp_path / "show"
    show.mkdir()
    text = (ROOT / "show.toml").read_text(encoding="utf-8")
    (show / "show.toml").write_text(text + "\n[alignment]\nacoustic_check = false\n")
    shutil.copy(ROOT / "cover.jpg", show)
    shutil.copytree(ROOT / "episodes" / SAMPLE_SLUG, show / "episodes" / SAMPLE_SLUG)
    return show


def _build(show: Path, site: Path) -> tuple[pipeline.BuildReport, list[str]]:
    said: list[str] = []
    opts = pipeline.BuildOptions(output=site, progress=False, say=said.append)
    return pipeline.build(show, opts, stages=stored_transcript_stages()), said


def test_an_article_url_is_not_fetched_and_the_build_says_so(tmp_path):
    show = _show(tmp_path)
    toml = show / "episodes" / SAMPLE_SLUG / "episode.toml"
    url = "https://www.passblue.com/2023/01/17/japan/"
    toml.write_text(toml.read_text().replace('article = "article.txt"', f'article = "{url}"'))
    report, said = _build(show, tmp_path / "site")
    [line] = [w for w in report.warnings if "field 'article'" in w]
    assert line.startswith(f"{toml}: field 'article': {url} is a URL")
    assert f"warning: {line}" in said
    assert report.episodes[0].actions["article"] == "no article"
    # Reused on the next build, and told again.
    again, said = _build(show, tmp_path / "site")
    assert again.episodes[0].actions["article"] == "reused" and f"warning: {line}" in said


def test_a_huge_article_is_built_with_a_warning(tmp_path):
    show = _show(tmp_path)
    article = show / "episodes" / SAMPLE_SLUG / "article.txt"
    rng = random.Random(1)
    vocab = (
        "the council members debated a resolution late into the night while envoys waited "
        "outside the chamber for news about sanctions missile tests and maritime disputes"
    ).split()
    filler = "\n\n".join(
        " ".join(
            " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(8)
        )
        for _ in range(400)
    )
    article.write_text("Envoys wait for the council\n\n" + filler)
    report, _ = _build(show, tmp_path / "site")
    [line] = [w for w in report.warnings if "field 'article'" in w]
    assert f"{article}: its text is " in line and "is it the right file?" in line
    assert (tmp_path / "site" / SAMPLE_SLUG / "index.html").is_file()


def test_the_sample_article_gives_no_warning(tmp_path):
    report, _ = _build(_show(tmp_path), tmp_path / "site")
    assert not [w for w in report.warnings if "field 'article'" in w], report.warnings
