"""The build: every episode through the stage list, then the show, published as a whole.

1. Take the output's lock (:mod:`toolkit.publish.lock`): one build per site.
2. For each episode, each stage's key is computed from its inputs
   (:mod:`toolkit.pipeline.stages`). A stage whose key and files are
   unchanged since the last build is skipped: its files are brought over
   from the old site as they are (hard links) and its data restored, but
   only when a later stage needs them. Otherwise it runs.
3. The show's files (feed, index page, stylesheet, cover) are rendered the
   same way, keyed by the show, the templates and every episode's keys.
4. Nothing changed at all: the site is left untouched. Otherwise the new
   site, built in a staging folder beside the output, is switched into
   place as a whole (:mod:`toolkit.publish.site`). An episode that fails
   fails the build, and the old site stays as it was.

The keys and what each stage kept are recorded in the site's
``.toolkit/state.json`` (versioned JSON; never served), which is all the
next build reads of the old site besides the files it reuses.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import datafile, fsutil
from toolkit.config import Episode, Show, load_episodes, load_show
from toolkit.errors import AudioError, PublishError
from toolkit.hashing import content_key
from toolkit.pipeline.job import EpisodeJob
from toolkit.pipeline.stages import STAGES, Context, Record, Stage, code_digest, templates_digest
from toolkit.profile import timed
from toolkit.publish import STATE_DIR, Staging, build_lock, recover
from toolkit.transcribe.cache import TranscriptCache

__all__ = ["BuildOptions", "BuildReport", "EpisodeReport", "build", "check_output"]

STATE_FILE = f"{STATE_DIR}/state.json"
STATE_VERSION = 1
SHOW_STAGE = "show"


@dataclass
class BuildOptions:
    output: Path
    model: str | None = None  # overrides show.toml
    progress: bool = True
    cache: TranscriptCache | None = None
    #: Another build is writing the same output: wait for it (else fail at once).
    wait: bool = False
    #: Told what the build does as it goes (one line each); None: silent.
    say: Callable[[str], None] | None = None
    #: Write each assigned guid into its episode.toml (``--write-guids``).
    write_guids: bool = False


@dataclass
class EpisodeReport:
    """What the build did for one episode."""

    slug: str
    #: Stage name -> what happened: its verb when it ran, "reused" when skipped.
    actions: dict[str, str]

    @property
    def skipped(self) -> bool:
        return all(a == "reused" for a in self.actions.values())

    def summary(self) -> str:
        """One line for a producer: what was done, or "skipped"."""
        done = [a for a in self.actions.values() if a not in ("reused", "")]  # "": nothing to say
        return ", ".join(dict.fromkeys(done)) if done else "skipped (nothing changed)"


@dataclass
class BuildReport:
    output: Path
    jobs: list[EpisodeJob]
    episodes: list[EpisodeReport] = field(default_factory=list)
    #: What happened to the show's own files ("re-rendered" or "reused").
    show: str = "reused"
    #: Episodes that the last build published and this one removed.
    withdrawn: list[str] = field(default_factory=list)
    #: False when nothing changed and the site was left as it was.
    published: bool = True
    #: What the producer should know, each naming the file and the field
    #: (a very short audio, an empty transcript); told as ``warning: ...`` too.
    warnings: list[str] = field(default_factory=list)

    @property
    def transcribed(self) -> int:
        return sum(e.actions.get("transcribe") == "transcribed" for e in self.episodes)

    @property
    def cached(self) -> int:
        return len(self.episodes) - self.transcribed


# --- the record of the last build --------------------------------------------
def _read_state(output: Path) -> dict[str, Any]:
    path = output / STATE_FILE
    if not path.is_file():
        return {}
    try:
        return datafile.read(path, "build state", STATE_VERSION, PublishError)
    except PublishError:
        return {}  # an unreadable record only means that nothing is reused


def check_output(show_root: Path, output: Path) -> None:
    """Refuse an output folder that would write inside the show folder, or hold it.

    The build replaces the output as a whole, and writes its staging folder
    and lock beside it: an output inside the show (``-o show/episodes``) would
    replace the show's own files, and a show inside the output would be
    thrown away with the old site. Symbolic links are followed. Raises
    :class:`~toolkit.errors.PublishError` naming the output.
    """
    show = Path(show_root).resolve()
    out = Path(output).resolve()
    beside = show.parent / f"{show.name}-site"
    if out == show:
        raise PublishError(
            f"the output folder is the show folder {show}; choose a folder outside it "
            f"(e.g. -o {beside})",
            output,
        )
    if out.is_relative_to(show):
        raise PublishError(
            f"the output folder is inside the show folder {show}, whose files the build "
            f"never writes; choose a folder outside it (e.g. -o {beside})",
            output,
        )
    if show.is_relative_to(out):
        raise PublishError(
            f"the show folder {show} is inside the output folder, which the build replaces "
            "as a whole; choose an output folder that does not hold the show",
            output,
        )
    for parent in [out, *out.parents]:
        if parent.exists():
            if not parent.is_dir():
                what = "the output" if parent == out else f"{parent}"
                raise PublishError(f"{what} is a file, not a folder", output)
            break


def _fault_point(stage: str) -> None:
    """``TOOLKIT_KILL_AT=<stage>``: the build kills itself (SIGKILL) as that stage starts.

    For the tests of what a crash leaves behind; a real ``kill -9`` at a
    known point. The stage names are those of :data:`toolkit.pipeline.stages.STAGES`,
    and "show" and "publish".
    """
    if os.environ.get("TOOLKIT_KILL_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def _audio_field(job: EpisodeJob) -> Iterator[None]:
    """An :class:`AudioError` about the episode's audio also names ``episode.toml``'s ``audio``.

    The README promises that an error names the file and the field: the
    audio file is named in the message, the field where it is set.
    """
    from toolkit.config import EPISODE_FILE

    try:
        yield
    except AudioError as e:
        audio = job.episode.audio_path
        if e.field is not None or e.path is None or Path(e.path).absolute() != audio.absolute():
            raise
        raise AudioError(f"{audio}: {e.message}", job.episode.folder / EPISODE_FILE, "audio") from e


class _EpisodeRun:
    """One episode's stages: keys, skipping, restoring on demand."""

    def __init__(
        self,
        job: EpisodeJob,
        ctx: Context,
        staging: Staging,
        old: dict[str, Any],
        stages: list[Stage],
    ):
        self.job, self.ctx, self.staging, self.old = job, ctx, staging, old
        self.stages = {s.name: s for s in stages}
        self.order = [s.name for s in stages]
        self.keys: dict[str, str] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.actions: dict[str, str] = {}
        self.ready: set[str] = set()  # stages whose job fields are filled
        #: What the producer should know ("<file>: field 'audio': ..."), stage by stage.
        self.warnings: list[str] = []
        self.folder = staging.root / job.slug
        self.old_folder = staging.previous / job.slug if staging.previous else None

    def _reusable(self, name: str, key: str) -> dict[str, Any] | None:
        record: dict[str, Any] | None = self.old.get(name)
        if not record or record.get("key") != key or self.old_folder is None:
            return None
        if all((self.old_folder / f).is_file() for f in record.get("files", [])):
            return record
        return None

    def _ensure(self, name: str) -> None:
        """Fill ``name``'s fields of the job, restoring them if the stage was skipped."""
        if name in self.ready:
            return
        stage = self.stages[name]
        for need in stage.needs:
            self._ensure(need)
        assert self.old_folder is not None
        with timed(f"{name} (restored)"):
            stage.restore(self.job, self.old_folder, self.records[name].get("data", {}))
        self.ready.add(name)

    def run(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in self.order:
            stage = self.stages[name]
            with _audio_field(self.job):
                inputs = stage.inputs(self.job, self.ctx, self.keys)
            key = content_key({"stage": name, "stages": code_digest("pipeline"), **inputs})
            self.keys[name] = key
            record = self._reusable(name, key)
            if record is not None:
                for f in record.get("files", []):
                    self.staging.reuse(f"{self.job.slug}/{f}")
                self.records[name] = record
                self.actions[name] = "reused"
                self.warnings.extend(record.get("warnings", []))
                continue
            for need in stage.needs:
                self._ensure(need)
            _fault_point(name)
            with timed(name), _audio_field(self.job):
                done: Record = stage.run(self.job, self.ctx, self.folder)
            self.ready.add(name)
            self.records[name] = {"key": key, "files": done.files, "data": done.data}
            if done.warnings:  # kept, so that a build that reuses the stage says them again
                self.records[name]["warnings"] = list(done.warnings)
                self.warnings.extend(done.warnings)
            # "re-tagged" when the last build had made it; plain "tagged" the first time.
            verb = stage.verb if name in self.old else stage.verb.removeprefix("re-")
            self.actions[name] = verb if done.action is None else done.action

    def ensure_all(self) -> None:
        for name in self.order:
            self._ensure(name)


def _render_show(show: Show, jobs: list[EpisodeJob], staging: Staging) -> list[str]:
    """Write the show-level files: feed, index page, stylesheet and cover art."""
    from toolkit.render import cover_name, render_show

    files = render_show(show, jobs)
    for name, text in files.items():
        fsutil.write_text(staging.root / name, text)
    names = sorted(files)
    cover = cover_name(show)
    if show.image_path is not None and cover is not None:
        fsutil.copy_file(show.image_path, staging.root / cover)
        names.append(cover)
    return names


def _assign_guids(
    show: Show, jobs: list[EpisodeJob], ctx: Context, write: bool, say: Callable[[str], None]
) -> None:
    """Give every job its permanent guid (:mod:`toolkit.pipeline.guids`).

    With ``write``, an assigned guid is also written into its ``episode.toml``.
    """
    from toolkit.config import EPISODE_FILE
    from toolkit.pipeline.guids import assign_guids, write_guid

    guids = assign_guids(show.root, [j.episode for j in jobs], ctx.sha256, say)
    for job in jobs:
        job.guid = guids[job.slug]
        if write and not job.episode.guid:
            write_guid(job.episode.folder / EPISODE_FILE, job.guid)
            job.episode.guid = job.guid
            say(f"{job.slug}: wrote guid = {job.guid!r} into {EPISODE_FILE}")


def build(show_dir: Path, opts: BuildOptions, stages: list[Stage] | None = None) -> BuildReport:
    """Build the show in ``show_dir`` into ``opts.output`` (see the module's text)."""
    show = load_show(show_dir)
    episodes = load_episodes(show_dir)
    output = Path(opts.output).absolute()
    check_output(show.root, output)
    say = opts.say or (lambda line: None)
    with build_lock(output, wait=opts.wait, say=say):
        for line in recover(output):
            say(line)
        ctx = Context(show=show, model=opts.model, progress=opts.progress, cache=opts.cache)
        try:
            return _build_locked(show, episodes, output, opts, ctx, stages or STAGES, say)
        finally:
            ctx.close()


def _build_locked(
    show: Show,
    episodes: list[Episode],
    output: Path,
    opts: BuildOptions,
    ctx: Context,
    stages: list[Stage],
    say: Callable[[str], None],
) -> BuildReport:
    state = _read_state(output) if output.is_dir() else {}
    old_episodes: dict[str, Any] = state.get("episodes", {})
    jobs = [EpisodeJob(show, ep) for ep in episodes]
    _assign_guids(show, jobs, ctx, opts.write_guids, say)
    report = BuildReport(output, jobs)
    with Staging(output) as staging:
        runs: list[_EpisodeRun] = []
        # Oldest first: an episode's speakers are named with the voices of the
        # episodes before it (and never of later ones, so one build settles them).
        for job in sorted(jobs, key=lambda j: (j.episode.date, j.slug)):
            run = _EpisodeRun(job, ctx, staging, old_episodes.get(job.slug, {}), stages)
            with timed(job.slug):
                run.run()
            ctx.learn_voices(staging.root / job.slug)
            runs.append(run)
            episode = EpisodeReport(job.slug, run.actions)
            report.episodes.append(episode)
            job.actions = dict(run.actions)
            say(f"{job.slug}: {episode.summary()}")
            # The loader's (a date in the future), then the stages'.
            warnings = [*job.episode.warnings, *run.warnings]
            for warning in warnings:
                say(f"warning: {warning}")
            report.warnings.extend(warnings)
        report.withdrawn = sorted(set(old_episodes) - {j.slug for j in jobs})
        for slug in report.withdrawn:
            say(f"{slug}: withdrawn (no longer in the show), removed from the site")

        show_key = content_key(
            {
                "show": show.model_dump(mode="json"),
                "image": ctx.sha256(show.image_path) if show.image_path else None,
                "templates": templates_digest(show),
                "episodes": [[r.job.slug, r.keys] for r in runs],
                "guids": [r.job.guid for r in runs],
                "code": code_digest("render"),
            }
        )
        old_show = state.get(SHOW_STAGE, {})
        reusable = old_show.get("key") == show_key and all(
            staging.old(f) is not None for f in old_show.get("files", [])
        )
        if reusable:
            show_files = list(old_show["files"])
            for name in show_files:
                staging.reuse(name)
        else:
            with timed("restoring skipped stages"):
                for run in runs:
                    run.ensure_all()
            _fault_point(SHOW_STAGE)
            with timed("feed and index page"):
                show_files = _render_show(show, jobs, staging)
            report.show = "re-rendered"
            say("feed and index page: re-rendered")

        new_state = {
            "toolkit": code_digest("pipeline"),
            "episodes": {r.job.slug: r.records for r in runs},
            SHOW_STAGE: {"key": show_key, "files": show_files},
        }
        unchanged = (
            reusable
            and not report.withdrawn
            and all(e.skipped for e in report.episodes)
            and {k: v for k, v in state.items() if k != "version"} == new_state
        )
        if unchanged:
            report.published = False
            say("nothing changed; the site was left as it was")
            return report
        datafile.write(staging.root / STATE_FILE, STATE_VERSION, new_state)
        _fault_point("publish")
        with timed("publish"):
            staging.commit()
    return report
