"""Real builds: what a rebuild redoes, what a crash leaves, and two builds at once.

Every build here is the real CLI (``python -m toolkit build``) in its own
process, on copies of the sample show. The transcript comes from the
session's cache, filled by the ``site`` fixture's real Whisper run, so these
builds load no model; each stage still runs for real.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.publish import build_lock, lock_path

from .helpers import ROOT, add_episode

SLUGS = ["001-first", "002-second"]


def make_show(root: Path, slugs: list[str] = SLUGS) -> Path:
    """A copy of the sample show with one episode per slug (the same audio and article)."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "show.toml", root)
    shutil.copy(ROOT / "cover.jpg", root)
    for n, slug in enumerate(slugs, 1):
        add_episode(root, slug, n)
    return root


def run_build(show: Path, out: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "toolkit", "build", str(show), "-o", str(out), "-q", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: relative path -> SHA-256 of its content."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: relative path -> (inode, modification time in ns)."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def siblings(out: Path) -> list[str]:
    """What a build left beside the output besides the output and its lock."""
    return sorted(
        p.name for p in out.parent.iterdir() if p.name not in (out.name, lock_path(out).name)
    )


@pytest.fixture
def built(site, tmp_path):
    """A two-episode show, built once into ``out``; ``site`` warms the transcript cache."""
    show = make_show(tmp_path / "show")
    out = tmp_path / "pub" / "out"
    out.parent.mkdir()
    first = run_build(show, out)
    assert first.returncode == 0, first.stderr + first.stdout
    for slug in SLUGS:
        assert f"{slug}: " in first.stdout
        assert "reused cached transcript" in first.stdout, first.stdout
    return show, out


def check_clean_rebuild(show: Path, out: Path, tmp_path: Path) -> None:
    """A build after a crash gives the tree a build into a new folder gives."""
    again = run_build(show, out)
    assert again.returncode == 0, again.stderr + again.stdout
    clean = tmp_path / "clean" / "out"
    clean.parent.mkdir()
    fresh = run_build(show, clean)
    assert fresh.returncode == 0, fresh.stderr + fresh.stdout
    assert tree(out) == tree(clean)
    assert siblings(out) == [], "the crashed build's staging folder was not removed"


# --- what a rebuild redoes ------------------------------------------------------
def test_rebuild_with_nothing_changed_touches_nothing(built):
    show, out = built
    before = stats(out)
    again = run_build(show, out)
    assert again.returncode == 0, again.stderr
    for slug in SLUGS:
        assert f"{slug}: skipped (nothing changed)" in again.stdout
    assert "nothing changed; the site was left as it was" in again.stdout
    assert stats(out) == before
    assert siblings(out) == []


def test_template_change_rerenders_only_pages_and_feed(built):
    show, out = built
    before = stats(out)
    (show / "templates").mkdir()
    (show / "templates" / "notes.md").write_text(
        '{% extends "default:notes.md" %}\n', encoding="utf-8"
    )
    (show / "templates" / "feed.xml").write_text(
        (ROOT / "templates" / "feed.xml").read_text(encoding="utf-8") + "<!-- changed -->\n",
        encoding="utf-8",
    )
    again = run_build(show, out)
    assert again.returncode == 0, again.stderr
    for slug in SLUGS:
        assert f"{slug}: re-rendered\n" in again.stdout, again.stdout
    assert "feed and index page: re-rendered" in again.stdout
    after = stats(out)
    assert after.keys() == before.keys()
    rendered = {f"{s}/index.html" for s in SLUGS} | {f"{s}/notes.md" for s in SLUGS}
    rendered |= {"feed.xml", "index.html", "style.css", "player.js", "cover.jpg"}
    rendered.add(".toolkit/state.json")
    for name, stat in before.items():
        if name not in rendered:
            assert after[name] == stat, f"{name} was written again"
    for slug in SLUGS:  # the audio above all: neither copied nor re-tagged
        assert after[f"{slug}/{slug}.mp3"] == before[f"{slug}/{slug}.mp3"]
    assert (out / "feed.xml").read_text().endswith("<!-- changed -->\n")


def test_title_change_retags_and_rerenders_but_does_not_transcribe(built):
    show, out = built
    before = stats(out)
    toml = show / "episodes" / SLUGS[0] / "episode.toml"
    toml.write_text(toml.read_text().replace("the search for one voice", "one voice"))
    again = run_build(show, out)
    assert again.returncode == 0, again.stderr
    line = next(x for x in again.stdout.splitlines() if x.startswith(f"{SLUGS[0]}: "))
    assert "re-tagged" in line and "re-rendered" in line and "transcribed" not in line, line
    assert f"{SLUGS[1]}: re-rendered\n" not in again.stdout  # its page does not show the title
    after = stats(out)
    first_mp3 = f"{SLUGS[0]}/{SLUGS[0]}.mp3"
    second_mp3 = f"{SLUGS[1]}/{SLUGS[1]}.mp3"
    assert after[first_mp3] != before[first_mp3]
    assert after[second_mp3] == before[second_mp3]
    assert after[f"{SLUGS[0]}/transcript.full.json"] == before[f"{SLUGS[0]}/transcript.full.json"]
    from mutagen.id3 import ID3

    assert ID3(out / first_mp3)["TIT2"].text == ["Japan, the Security Council and one voice"]


def test_withdrawn_episode_is_removed(built):
    show, out = built
    shutil.rmtree(show / "episodes" / SLUGS[1])
    again = run_build(show, out)
    assert again.returncode == 0, again.stderr
    assert f"{SLUGS[1]}: withdrawn" in again.stdout
    assert not (out / SLUGS[1]).exists()
    assert SLUGS[1] not in (out / "feed.xml").read_text()


def test_moved_show_reuses_its_transcripts(built, tmp_path):
    show, _ = built
    moved = tmp_path / "elsewhere" / "show"
    shutil.copytree(show, moved)
    out = tmp_path / "moved-site"
    result = run_build(moved, out)
    assert result.returncode == 0, result.stderr
    assert "(0 transcribed" in result.stdout, result.stdout


def test_failed_episode_leaves_the_old_site(built):
    show, out = built
    before = tree(out)
    add_episode(show, "003-third", 3)
    (show / "episodes" / "003-third" / "audio.mp3").write_text("not audio\n")
    again = run_build(show, out)
    assert again.returncode == 1
    assert "not a readable audio file" in again.stdout + again.stderr
    assert "Traceback" not in again.stdout + again.stderr
    assert tree(out) == before
    assert siblings(out) == []


# --- a crash at any point leaves the old site -----------------------------------
@pytest.mark.parametrize(
    ("stage", "change"),
    [("transcribe", "new episode"), ("tag", "title"), ("page", "template")],
)
def test_kill_9_leaves_the_old_site_whole(built, tmp_path, stage, change):
    show, out = built
    before = tree(out)
    if change == "new episode":
        add_episode(show, "003-third", 3)
    elif change == "title":
        toml = show / "episodes" / SLUGS[1] / "episode.toml"
        toml.write_text(toml.read_text().replace("the search for one voice", "one voice"))
    else:
        (show / "templates").mkdir()
        (show / "templates" / "notes.md").write_text('{% extends "default:notes.md" %}\nmore\n')
    killed = run_build(show, out, env={"TOOLKIT_KILL_AT": stage})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert any(name.startswith(".out.staging-") for name in siblings(out)), siblings(out)
    assert tree(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    check_clean_rebuild(show, out, tmp_path)


def test_kill_9_while_switching_leaves_one_site(built, tmp_path):
    show, out = built
    add_episode(show, "003-third", 3)
    killed = run_build(show, out, env={"TOOLKIT_KILL_AT": "publish"})
    assert killed.returncode == -signal.SIGKILL
    assert "003-third" not in (out / "feed.xml").read_text()
    check_clean_rebuild(show, out, tmp_path)


# --- one build at a time --------------------------------------------------------
def test_second_build_fails_and_names_the_lock(built):
    show, out = built
    before = tree(out)
    with build_lock(out):
        result = run_build(show, out)
    assert result.returncode == 1
    message = result.stdout + result.stderr
    assert str(lock_path(out)) in message and f"process {os.getpid()}" in message, message
    assert "--wait" in message and "Traceback" not in message
    assert tree(out) == before


def test_second_build_waits_with_wait(built):
    show, out = built
    toml = show / "episodes" / SLUGS[0] / "episode.toml"
    toml.write_text(toml.read_text().replace("the search for one voice", "one voice"))
    with build_lock(out):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "toolkit", "build", str(show), "-o", str(out), "-q", "--wait"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(3)
        assert waiting.poll() is None, "the second build did not wait for the lock"
        assert "Council and one voice" not in (out / "feed.xml").read_text()
    output, _ = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, output
    assert f"waiting for the build of process {os.getpid()}" in output
    assert "Council and one voice" in (out / "feed.xml").read_text()


def test_two_builds_at_once_never_interleave(built, tmp_path):
    """Two shows built into one output at the same time: each feed matches its files."""
    show, out = built
    other = make_show(tmp_path / "other", ["001-other"])
    toml = other / "show.toml"
    toml.write_text(toml.read_text().replace('"UN Desk Conversations"', '"Other Show"'))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "toolkit", "build", str(s), "-o", str(out), "-q", "--wait"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for s in (other, show)
    ]
    for p in procs:
        output, _ = p.communicate(timeout=600)
        assert p.returncode == 0, output
    import podcastparser

    with open(out / "feed.xml", "rb") as f:
        feed = podcastparser.parse("http://127.0.0.1:8000/feed.xml", f)
    slugs = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(feed["episodes"]) == len(slugs)
    for episode in feed["episodes"]:
        [enclosure] = episode["enclosures"]
        slug = enclosure["url"].rstrip("/").split("/")[-2]
        assert enclosure["file_size"] == (out / slug / f"{slug}.mp3").stat().st_size
    expected = {"Other Show": ["001-other"], "UN Desk Conversations": SLUGS}
    assert slugs == expected[feed["title"]]


def test_stale_lock_of_a_killed_build_is_taken_over(built):
    show, out = built
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(out).write_text(f"{dead.pid}\n")
    result = run_build(show, out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"took over the lock {lock_path(out)} of build {dead.pid}" in result.stdout
