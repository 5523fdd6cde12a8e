"""Bad show.toml and episode.toml input: one case per file in tests/data/bad/config/.

Each case is a TOML file of changes to a small valid show (the sample show's
settings and episode, with a real short MP3): ``[show]`` and ``[episode]``
override fields, ``[extra."<slug>"]`` adds another episode made from the
first, and ``[files]`` writes files (a picture of a size and format, a text
file, a symlink). In strings, ``{outside}`` is a folder beside the show
holding a private file, ``{soon}`` is a date a month from now,
``{repeat:X:N}`` is X written N times, and ``{drop}`` removes the field.
MANIFEST.tsv says, per case, what is wrong and how it must end: an error
naming the file and the field, a warning, or (``feed``) a well-formed feed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
import shutil
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.config import load_episodes, load_show
from toolkit.errors import ConfigError
from toolkit.importer.tomlwrite import dumps

from .helpers import DATA, ROOT, SAMPLE_SLUG

CASES = DATA / "bad" / "config"
AUDIO = DATA / "tagged" / "silence-44-s.mp3"
SAMPLE = ROOT / "episodes" / SAMPLE_SLUG
SLUG = "001-ep"
PRIVATE = "the producer's private notes: do not publish"


@dataclass(frozen=True)
class Case:
    name: str
    #: The file the error names, relative to the show folder ("-": none).
    file: str
    #: The field it names ("-": none).
    field: str
    #: "error", "warning" or "feed".
    outcome: str
    what: str

    @property
    def changes(self) -> dict[str, Any]:
        with (CASES / f"{self.name}.toml").open("rb") as f:
            return tomllib.load(f)

    def __str__(self) -> str:
        return self.name


def _manifest() -> list[Case]:
    with (CASES / "MANIFEST.tsv").open(newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return [Case(row.pop("case"), **row) for row in rows]


ALL = _manifest()
ERRORS = [c for c in ALL if c.outcome == "error"]


def test_manifest_lists_every_case_file():
    assert sorted(c.name for c in ALL) == sorted(p.stem for p in CASES.glob("*.toml"))
    assert len(ALL) >= 30
    assert {c.outcome for c in ALL} == {"error", "warning", "feed"}


def _expand(value: Any, outside: Path) -> Any:
    if isinstance(value, dict):
        return {k: _expand(v, outside) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, outside) for v in value]
    if not isinstance(value, str):
        return value
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    value = value.replace("{outside}", str(outside)).replace("{soon}", soon.isoformat())
    return re.sub(r"\{repeat:(.+?):(\d+)\}", lambda m: m.group(1) * int(m.group(2)), value)


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v != "{drop}"}


def _write_file(path: Path, spec: dict[str, Any]) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    if "symlink" in spec:
        path.symlink_to(spec["symlink"])
    elif "text" in spec:
        path.write_text(spec["text"], encoding="utf-8")
    else:
        from PIL import Image

        width, height = spec["image"]
        mode = "L" if width * height > 3000 * 3000 else "RGB"  # a big one stays light
        Image.new(mode, (width, height), 128).save(path, spec["format"])


def _outside(tmp_path: Path) -> Path:
    """Files a show must never publish: beside the show folder, not in it."""
    outside = tmp_path / "outside"
    (outside / "templates").mkdir(parents=True)
    shutil.copy(ROOT / "cover.jpg", outside / "cover.jpg")
    shutil.copy(AUDIO, outside / "audio.mp3")
    (outside / "private.txt").write_text(PRIVATE, encoding="utf-8")
    (outside / "voice.wav").write_bytes(b"RIFF")
    (outside / "templates" / "page.html").write_text(PRIVATE, encoding="utf-8")
    return outside


def _episode(folder: Path, data: dict[str, Any]) -> None:
    folder.mkdir(parents=True)
    (folder / "episode.toml").write_text(dumps(data), encoding="utf-8")
    shutil.copy(AUDIO, folder / "audio.mp3")
    shutil.copy(SAMPLE / "article.txt", folder / "article.txt")


def make_show(tmp_path: Path, case: Case) -> Path:
    """The small valid show with ``case``'s changes, in ``tmp_path/show``."""
    outside = _outside(tmp_path)
    changes = _expand(case.changes, outside)
    root = tmp_path / "show"
    root.mkdir()
    show = tomllib.loads((ROOT / "show.toml").read_text(encoding="utf-8"))
    (root / "show.toml").write_text(dumps(_merge(show, changes.get("show", {}))), "utf-8")
    shutil.copy(ROOT / "cover.jpg", root / "cover.jpg")
    episode = tomllib.loads((SAMPLE / "episode.toml").read_text(encoding="utf-8"))
    episode["audio"] = "audio.mp3"
    _episode(root / "episodes" / SLUG, _merge(episode, changes.get("episode", {})))
    for slug, more in changes.get("extra", {}).items():
        _episode(root / "episodes" / slug, _merge(episode, more))
    for name, spec in changes.get("files", {}).items():
        _write_file(root / name, spec)
    return root


def checksums(root: Path) -> dict[str, str]:
    """Every file under ``root`` (a symlink: its target), to show that none changed."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                out[key] = "-> " + os.readlink(path)
            elif path.is_file():
                out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _names_file_and_field(message: str, root: Path, case: Case) -> None:
    if case.file != "-":
        assert str(root / case.file) in message, message
    if case.field != "-":
        assert f"field '{case.field}'" in message, message


@pytest.mark.parametrize("case", ALL, ids=str)
def test_loader(tmp_path, case):
    """The real loader refuses the case with a ConfigError naming the file and the
    field, or loads it with a warning, or loads it and the feed is well formed."""
    root = make_show(tmp_path, case)
    before = checksums(root)
    if case.outcome == "error":
        with pytest.raises(ConfigError) as caught:
            load_show(root)
            load_episodes(root)
        error = caught.value
        assert error.path == (root / case.file if case.file != "-" else None), str(error)
        assert error.field == (case.field if case.field != "-" else None), str(error)
        _names_file_and_field(str(error), root, case)
        assert PRIVATE not in str(error)
    elif case.outcome == "warning":
        load_show(root)
        [episode] = load_episodes(root)
        assert episode.warnings, "no warning"
        for line in episode.warnings:
            _names_file_and_field(line, root, case)
    else:
        _assert_feed_well_formed(root)
    assert checksums(root) == before


def _assert_feed_well_formed(root: Path) -> None:
    from toolkit.pipeline.job import EpisodeJob, PublishedAudio
    from toolkit.render.pages import render_show

    from .feedkit import formats, transcript

    show = load_show(root)
    [episode] = load_episodes(root)
    assert "\x00" in show.title and "\x0b" in episode.title  # the loader keeps them
    job = EpisodeJob(show, episode, transcript=transcript())
    job.guid = "control-characters"
    job.audio = PublishedAudio(f"{SLUG}.mp3", "audio/mpeg", 1000, 44.0)
    job.transcript_files = formats("transcript")
    feed = render_show(show, [job])["feed.xml"]
    channel = ET.fromstring(feed.encode("utf-8")).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "UN Desk Conversations"
    item = channel.find("item")
    assert item is not None
    assert item.findtext("title") == "Japan and the Council"
    assert item.findtext("description") == "Bell and more"


@pytest.mark.parametrize("case", ERRORS, ids=str)
def test_build_refuses(tmp_path, case):
    """``toolkit build``: exit 1, one message naming the file and the field, no
    traceback; the site built earlier and the show's files are as they were."""
    root = make_show(tmp_path, case)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the site built earlier", encoding="utf-8")
    before, site_before = checksums(root), checksums(site)
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(site), "-q"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: "), result.output
    _names_file_and_field(result.output, root, case)
    assert PRIVATE not in result.output
    assert checksums(root) == before
    assert checksums(site) == site_before


@pytest.mark.parametrize("name", ["image-symlink-out", "episode-image-dotdot"])
def test_check_reports_art_outside_the_show(tmp_path, name):
    """``toolkit check`` finds cover art outside the show folder too."""
    from toolkit.check import check_show

    [case] = [c for c in ALL if c.name == name]
    root = make_show(tmp_path, case)
    found = [f for f in check_show(root).errors if f.check == "artwork"]
    assert [(f.path, f.field) for f in found] == [(root / case.file, "image")], found
    assert "outside the show folder" in found[0].message


def test_what_is_allowed_still_loads(tmp_path):
    """The edges of each rule: a symlink that stays inside the show folder, an
    image in a subfolder, 3000 px art, mailto: for a person, a trailer sharing
    its episode's number, a date in the past, an ISO date string."""
    from PIL import Image

    [case] = [c for c in ALL if c.name == "title-control-chars"]
    root = make_show(tmp_path, case)
    (root / "art").mkdir()
    Image.new("RGB", (3000, 3000)).save(root / "art" / "big.png", "PNG")
    (root / "cover.jpg").rename(root / "art" / "cover.jpg")
    (root / "cover.jpg").symlink_to(root / "art" / "cover.jpg")
    show_toml = root / "show.toml"
    data = tomllib.loads(show_toml.read_text(encoding="utf-8"))
    data["hosts"] = [{"name": "Maya Okafor", "href": "mailto:maya@example.org"}]
    data["link"] = "https://example.org/show?x=1&y=2"
    show_toml.write_text(dumps(data), encoding="utf-8")
    trailer = root / "episodes" / "002-trailer"
    _episode(trailer, {"title": "Trailer", "type": "trailer", "number": 1, "season": 1,
                       "date": "2023-01-10", "description": "Soon.", "audio": "audio.mp3",
                       "image": "../../art/big.png"})  # fmt: skip
    show = load_show(root)
    assert show.hosts[0].href == "mailto:maya@example.org"
    episodes = load_episodes(root)
    assert [e.slug for e in episodes] == [SLUG, "002-trailer"]
    assert episodes[1].date == dt.datetime(2023, 1, 10, tzinfo=dt.UTC)
    assert not any(e.warnings for e in episodes)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("category-unknown", "did you mean 'Technology'?"),
        ("category-case", "case-sensitive: 'News/Politics'"),
        ("category-pre-2019", "since 2019: write 'Arts/Books'"),
        ("cover-6000px", "6000x6000 px: Apple needs 1400 to 3000 px a side"),
        ("cover-100px", "100x100 px"),
        ("cover-not-square", "must be square"),
        ("cover-text", "not an image"),
        ("cover-png-named-jpg", "name it cover.png"),
        ("episode-description-bytes", "4002 bytes long; Apple allows 4000"),
        ("image-symlink-out", "outside the show folder"),
        ("audio-absolute", "outside the show folder"),
        ("date-integer", "not 5"),
        ("date-2099", "more than a year from now"),
        ("number-duplicate", "episode 1 of season 1 is already 001-ep"),
        ("slug-case", "001-EP and 001-ep differ only in case"),
    ],
)
def test_message_says_what_to_fix(tmp_path, name, says):
    [case] = [c for c in ALL if c.name == name]
    root = make_show(tmp_path, case)
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_show(root)
        load_episodes(root)


class _Valid(Case):
    """The small valid show, unchanged."""

    @property
    def changes(self) -> dict[str, Any]:
        return {}


VALID = _Valid("valid", "-", "-", "feed", "the small valid show")

UNREADABLE = {
    # what bench/fuzz.py found escaping the loader: each is now a ConfigError
    "not-utf8": (b'title = "Caf\xe9"\n', "not UTF-8"),
    "nested-too-deep": (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_episode_toml_names_the_file(tmp_path, name):
    """An episode.toml that is not UTF-8 or nests without end is a ConfigError naming
    the file, from the loader and from `toolkit build` (exit 1, no traceback)."""
    from click.testing import CliRunner

    from toolkit.cli import cli

    root = make_show(tmp_path, VALID)
    raw, says = UNREADABLE[name]
    toml = root / "episodes" / SLUG / "episode.toml"
    toml.write_bytes(raw)
    with pytest.raises(ConfigError, match=says) as caught:
        load_episodes(root)
    assert caught.value.path == toml
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(tmp_path / "site")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{toml}: not valid TOML: {says}" in result.output


def test_a_file_name_the_system_refuses_names_the_field(tmp_path):
    """audio = a name longer than the file system takes: an error on field 'audio'."""
    root = make_show(tmp_path, VALID)
    toml = root / "episodes" / SLUG / "episode.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data["audio"] = "a" * 300 + ".mp3"
    toml.write_text(dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_episodes(root)
    assert (caught.value.path, caught.value.field) == (toml, "audio")
    assert "cannot be read" in str(caught.value)


def test_the_build_tells_the_loaders_warnings(tmp_path):
    """A date a month ahead is built, and the build's report says so, naming the field."""
    from toolkit import pipeline

    from .helpers import stored_transcript_stages

    [case] = [c for c in ALL if c.name == "date-next-month"]
    root = make_show(tmp_path, case)
    said: list[str] = []
    opts = pipeline.BuildOptions(output=tmp_path / "site", progress=False, say=said.append)
    report = pipeline.build(root, opts, stages=stored_transcript_stages())
    toml = root / "episodes" / SLUG / "episode.toml"
    [line] = [w for w in report.warnings if "field 'date'" in w]
    assert line.startswith(f"{toml}: field 'date': ") and "in the future" in line
    assert f"warning: {line}" in said
