"""``kill -9`` at every stage of a build, and builds at once: the site is old or new, whole.

Each build here runs in its own process (the library's ``build`` with the
stored sample transcript in place of Whisper, :func:`tests.helpers.stored_transcript_stages`;
every other stage is the build's own). It is killed with SIGKILL:

- at the start of each stage, by the build's own fault point
  (``TOOLKIT_KILL_AT=<stage>``, a real ``os.kill(getpid(), SIGKILL)``);
- from outside, by this test, as soon as the file a stage writes appears in
  the build's staging folder.

After each kill the published site is byte for byte the old one, the lock
can be taken, and a rerun completes with the complete new site.
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

from toolkit.pipeline.stages import STAGES
from toolkit.publish import build_lock, lock_path

from .helpers import ROOT, add_episode

SLUGS = ["001-first", "002-second"]
NEW = "003-third"

# The build, in a process of its own, as the CLI runs it but with the stored transcript.
DRIVER = """
import sys
from pathlib import Path

sys.path.insert(0, ROOT)
from tests.helpers import stored_transcript_stages
from toolkit.errors import ToolkitError
from toolkit.pipeline.build import BuildOptions, build

show, out, wait = Path(sys.argv[1]), Path(sys.argv[2]), "--wait" in sys.argv
options = BuildOptions(out, progress=False, wait=wait, say=lambda line: print(line, flush=True))
try:
    build(show, options, stored_transcript_stages())
except ToolkitError as e:
    print(f"error: {e}", flush=True)
    sys.exit(1)
print("built", flush=True)
""".replace("ROOT", repr(str(ROOT)), 1)


def command(show: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", DRIVER, str(show), str(out), *args]


def run_build(show: Path, out: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        command(show, out, *args),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def start_build(show: Path, out: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.Popen(
        command(show, out, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )


def make_show(root: Path, slugs: list[str]) -> Path:
    """The sample show with one episode per slug (same audio and article); no acoustic check."""
    root.mkdir(parents=True)
    text = (ROOT / "show.toml").read_text(encoding="utf-8")
    # The acoustic check would load Whisper for the quotes; the stored transcript needs none.
    (root / "show.toml").write_text(text + "\n[alignment]\nacoustic_check = false\n")
    shutil.copy(ROOT / "cover.jpg", root)
    for n, slug in enumerate(slugs, 1):
        add_episode(root, slug, n)
    return root


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: relative path -> SHA-256 of its content."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def siblings(out: Path) -> list[str]:
    """What builds left beside the output besides the output and its lock."""
    return sorted(
        p.name for p in out.parent.iterdir() if p.name not in (out.name, lock_path(out).name)
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Built once: the two-episode show and its site ("old"), and the site with a third ("new")."""
    base = tmp_path_factory.mktemp("crash")
    show = make_show(base / "show", SLUGS)
    old = base / "old" / "out"
    old.parent.mkdir()
    first = run_build(show, old)
    assert first.returncode == 0, first.stdout + first.stderr
    grown = base / "grown"
    shutil.copytree(show, grown)
    add_episode(grown, NEW, 3)
    new = base / "new" / "out"
    new.parent.mkdir()
    second = run_build(grown, new)
    assert second.returncode == 0, second.stdout + second.stderr
    return {"show": show, "old": old, "new": new}


@pytest.fixture
def built(sites, tmp_path) -> tuple[Path, Path]:
    """A copy of the old site and its show, with the third episode added to the show."""
    show = tmp_path / "show"
    shutil.copytree(sites["show"], show)
    add_episode(show, NEW, 3)
    out = tmp_path / "pub" / "out"
    out.parent.mkdir()
    shutil.copytree(sites["old"], out)
    return show, out


def after_the_kill(show: Path, out: Path, before: dict[str, str], new: Path) -> None:
    """The site is the old one whole, the lock is free, and a rerun gives the new site."""
    assert tree(out) == before, "the killed build changed the published site"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    with build_lock(out):  # a LockedError here: the dead build's lock was not released
        pass
    again = run_build(show, out)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Traceback" not in again.stdout + again.stderr
    assert tree(out) == tree(new), "the rerun did not give the complete new site"
    assert siblings(out) == [], "what the killed build left was not removed"


KILL_POINTS = [s.name for s in STAGES] + ["show", "publish"]


@pytest.mark.parametrize("stage", KILL_POINTS)
def test_kill_9_at_the_start_of_each_stage(built, sites, stage):
    show, out = built
    before = tree(out)
    killed = run_build(show, out, env={"TOOLKIT_KILL_AT": stage})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    # The first two episodes are reused; the third dies at this stage (or the
    # show's files, or the switch, after all three).
    assert (f"{NEW}: " in killed.stdout) == (stage in ("show", "publish")), killed.stdout
    assert any(n.startswith(".out.staging-") for n in siblings(out)), siblings(out)
    after_the_kill(show, out, before, sites["new"])


# Files the stages write, in the order the build writes them; the build is
# killed from outside as soon as one appears in its staging folder.
MARKS = [
    f"{NEW}/article.json",
    f"{NEW}/transcript.full.json",
    f"{NEW}/waveform.json",
    f"{NEW}/diarization.json",
    f"{NEW}/alignment.json",
    f"{NEW}/chapters.json",
    f"{NEW}/transcript.vtt",
    f"{NEW}/{NEW}.mp3",
    f"{NEW}/index.html",
    "feed.xml",
    ".toolkit/state.json",
]


@pytest.mark.parametrize("mark", MARKS)
def test_kill_9_from_outside_as_each_stage_writes(built, sites, mark):
    show, out = built
    before = tree(out)
    proc = start_build(show, out)
    staging = out.parent / f".out.staging-{proc.pid}"
    deadline = time.monotonic() + 300
    while not (staging / mark).exists() and proc.poll() is None:
        assert time.monotonic() < deadline, f"{mark} never appeared"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    output, _ = proc.communicate(timeout=60)
    if proc.returncode == 0:
        # The last record is written just before the switch: the build may have
        # ended before it was seen. Then the new site is there, whole.
        assert mark == ".toolkit/state.json", output
        assert tree(out) == tree(sites["new"])
        return
    assert proc.returncode == -signal.SIGKILL, output
    if tree(out) != before:  # killed after the switch: then the new site, whole
        assert mark == ".toolkit/state.json", mark
        assert tree(out) == tree(sites["new"])
        before = tree(out)
    after_the_kill(show, out, before, sites["new"])


def test_a_waiting_build_takes_over_from_a_killed_one(built, sites):
    """Two builds at once: the first dies holding the lock, the second then builds it whole."""
    show, out = built
    before = tree(out)
    first = start_build(show, out, env={"TOOLKIT_KILL_AT": "tag"})
    staging = out.parent / f".out.staging-{first.pid}"
    deadline = time.monotonic() + 300
    while not staging.exists() and first.poll() is None:  # it holds the lock by then
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = start_build(show, out, "--wait")
    output, _ = first.communicate(timeout=600)
    assert first.returncode == -signal.SIGKILL, output
    assert tree(out) == before
    output, _ = second.communicate(timeout=600)
    assert second.returncode == 0, output
    assert f"waiting for the build of process {first.pid}" in output, output
    assert tree(out) == tree(sites["new"])
    assert siblings(out) == []


def test_two_builds_at_once_publish_one_whole_site(built, sites):
    """Two builds of one output at once, both told to wait: one builds, the other finds it done."""
    show, out = built
    procs = [start_build(show, out, "--wait") for _ in range(2)]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert tree(out) == tree(sites["new"])
    assert sum("nothing changed; the site was left as it was" in o for o in outputs) == 1, outputs
    assert siblings(out) == []
