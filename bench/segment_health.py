"""Segment health of transcripts: overlaps, word order, words repeated at joins, long segments.

Whisper decodes 30 s windows; where two windows (or a pass and the speech
refilled into it) meet, a transcript can go wrong in ways that every later
stage inherits: subtitles that overlap, a word-by-word highlight that jumps
back, a word said once but written twice. For one transcript this counts
(issue 10's targets are 0 for the first three):

* **overlaps**: segments that start before the previous segment ends (by
  more than 1 ms);
* **non-monotonic words**: words, in the transcript's order, that start before
  the previous word starts, or before it ends by more than 0.01 s;
* **duplicates at joins**: where one segment ends and the next starts with
  the same words (the same normalised word, or run of up to 5 words) and the
  two runs overlap in time: the number of such joins and of words repeated;
* **longest segment**: the longest segment's seconds and words (a very long
  one makes an unreadable subtitle and a coarse timestamp), and the most
  words any segment has.

Arguments are transcript JSON files (``transcript.full.json`` or a cache
entry) or audio files, which are transcribed as the build does
(``toolkit.transcribe.run.transcribe_with_article`` with the options that
``toolkit.pipeline.stages.transcribe_options`` makes from the
``[transcription]`` defaults, the ``--article`` and the ``--names``; the
transcript cache makes a re-run cheap). ``--episode DIR`` takes an episode
folder instead: its audio and article, the names of its show's and its own
hosts and guests, and its show's ``[transcription]`` settings::

    .venv/bin/python bench/segment_health.py --episode episodes/001-japan-security-council
    .venv/bin/python bench/segment_health.py AUDIO [--article FILE] [--names "A B,C D"]
        [--engine openai|faster|both] [--model base] [--json FILE]
    .venv/bin/python bench/segment_health.py TRANSCRIPT.json ...

``--long MINUTES`` builds a long episode first (``long_episode`` below) and
reports on it: the way to get the 60-minute figures (``--long 60``).
"""

from __future__ import annotations

import argparse
import inspect
import json
import subprocess
import sys
import tempfile
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.transcribe.transcript import Segment, Transcript  # noqa: E402

OVERLAP_EPS = 0.001
WORD_BACK_EPS = 0.01
MAX_RUN = 5
AUDIO_SUFFIXES = {".mp3", ".wav", ".flac", ".m4a", ".ogg", ".opus", ".aac", ".mp4"}


def _norm(word: str) -> str:
    return "".join(ch for ch in word.casefold() if ch.isalnum() or ch == "'").strip("'")


@dataclass
class Health:
    """What :func:`segment_health` found in one transcript."""

    name: str
    duration: float = 0.0
    segments: int = 0
    words: int = 0
    overlaps: int = 0
    non_monotonic: int = 0
    duplicate_joins: int = 0
    duplicated_words: int = 0
    longest_s: float = 0.0
    longest_words: int = 0
    most_words: int = 0
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def ok(self) -> bool:
        return not (self.overlaps or self.non_monotonic or self.duplicated_words)


def _duplicate_run(a: Segment, b: Segment) -> int:
    """The length of the longest run (<= MAX_RUN words) ending ``a`` and starting ``b``, in time."""
    wa = [w for w in a.words if _norm(w.word)]
    wb = [w for w in b.words if _norm(w.word)]
    for n in range(min(MAX_RUN, len(wa), len(wb)), 0, -1):
        tail, head = wa[-n:], wb[:n]
        if [_norm(w.word) for w in tail] == [_norm(w.word) for w in head] and (
            head[0].start < tail[-1].end
        ):
            return n
    return 0


def segment_health(transcript: Transcript, name: str = "") -> Health:
    """Count a transcript's overlapping segments, out-of-order words and repeated joins."""
    h = Health(name, duration=transcript.duration, segments=len(transcript.segments))
    prev: Segment | None = None
    for seg in transcript.segments:
        n_words = len(seg.words)
        length = seg.end - seg.start
        if length > h.longest_s:
            h.longest_s, h.longest_words = round(length, 3), n_words
        h.most_words = max(h.most_words, n_words)
        if prev is not None:
            if seg.start < prev.end - OVERLAP_EPS:
                h.overlaps += 1
                if len(h.examples) < 20:
                    h.examples.append(
                        f"overlap: segment {seg.id} starts {seg.start:.2f} s, "
                        f"segment {prev.id} ends {prev.end:.2f} s"
                    )
            run = _duplicate_run(prev, seg)
            if run:
                h.duplicate_joins += 1
                h.duplicated_words += run
                if len(h.examples) < 20:
                    said = " ".join(w.word.strip() for w in seg.words[:run])
                    h.examples.append(f"duplicate at {seg.start:.2f} s: {said!r}")
        prev = seg
    last = None
    for w in transcript.words:
        h.words += 1
        if last is not None and (w.start < last.start or w.start < last.end - WORD_BACK_EPS):
            h.non_monotonic += 1
            if len(h.examples) < 20:
                h.examples.append(
                    f"word {w.word.strip()!r} at {w.start:.2f} s after "
                    f"{last.word.strip()!r} {last.start:.2f}-{last.end:.2f} s"
                )
        last = w
    return h


HEAD = ("transcript", "min", "segs", "words", "overlaps", "non-mono words",
        "dup joins", "dup words", "longest s", "its words", "most words")  # fmt: skip


def row(h: Health) -> tuple[str, ...]:
    return (
        h.name,
        f"{h.duration / 60:.1f}",
        str(h.segments),
        str(h.words),
        str(h.overlaps),
        str(h.non_monotonic),
        str(h.duplicate_joins),
        str(h.duplicated_words),
        f"{h.longest_s:.1f}",
        str(h.longest_words),
        str(h.most_words),
    )


def print_rows(head: tuple[str, ...], rows: list[tuple[str, ...]], total_from: int = -1) -> None:
    """A plain text table; a rule above row ``total_from`` when given."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(r: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths, strict=True)))  # fmt: skip

    rule = "  ".join("-" * w for w in widths)
    print(line(head))
    print(rule)
    for k, r in enumerate(rows):
        if k == total_from:
            print(rule)
        print(line(r))


def print_health(items: list[Health], verbose: bool = False) -> None:
    print_rows(HEAD, [row(h) for h in items])
    if verbose:
        for h in items:
            for ex in h.examples:
                print(f"  {h.name}: {ex}")


# --- transcribing as the build does ------------------------------------------------
def build_options(model: str | None, engine: str | None, show: Any = None) -> tuple[Any, Any]:
    """The build's ``TranscribeOptions`` and ``[transcription]`` settings.

    ``show`` (a loaded ``show.toml``) gives the settings; without one they are
    the defaults with English and ``model``/``engine``.
    """
    from toolkit.config import Transcription
    from toolkit.pipeline.stages import transcribe_options

    if show is None:
        settings = Transcription(model=model or "base", engine=engine or "openai", language="en")
    else:
        settings = show.transcription
        if engine:
            settings = settings.model_copy(update={"engine": engine})
    options = transcribe_options(types.SimpleNamespace(transcription=settings), model)  # type: ignore[arg-type]
    return options, settings


def accepts_names() -> bool:
    """Whether ``transcribe_with_article`` takes the show's people's ``names``."""
    from toolkit.transcribe.run import transcribe_with_article

    return "names" in inspect.signature(transcribe_with_article).parameters


def transcribe_as_build(
    audio: Path,
    article: Any,
    names: list[str],
    model: str | None = "base",
    engine: str | None = "openai",
    show: Any = None,
    progress: bool = False,
) -> Transcript:
    """``audio`` transcribed the way ``toolkit build`` does (``_transcribe_run``)."""
    from toolkit.transcribe.gaps import Speech
    from toolkit.transcribe.run import transcribe_with_article

    options, settings = build_options(model, engine, show)
    extra: dict[str, Any] = {"names": list(names)} if names and accepts_names() else {}
    result = transcribe_with_article(
        audio,
        options,
        article,
        bias=settings.article_prompt,
        correct=settings.correct_names,
        **({"listen": settings.names_by_sound} if hasattr(settings, "names_by_sound") else {}),
        progress=progress,
        threads=settings.threads,
        speech=Speech(audio),
        **extra,
    )
    return result.transcript


def episode_inputs(folder: Path) -> tuple[Path, Any, list[str], Any]:
    """An episode folder's audio, article, people's names and show."""
    from toolkit.article import read_article
    from toolkit.config import load_episode, load_show

    folder = folder.resolve()
    episode = load_episode(folder)
    show = load_show(folder.parent.parent)
    article = read_article(episode.article_path) if episode.article_path else None
    people = [*show.hosts, *episode.hosts, *episode.guests]
    names = list(dict.fromkeys(p.name for p in people))
    return episode.audio_path, article, names, show


# --- a long episode -----------------------------------------------------------------
SPEECH_DIRS = (ROOT / "tests" / "data" / "speech", ROOT.parent / "shared" / "data" / "speech")
SYNTHETIC = [
    "episodes/001-japan-security-council/audio.mp3",
    "bench/cases/discussion-mill/audio.mp3",
    "bench/cases/discussion-rail/audio.mp3",
    "bench/cases/interview-bees/audio.mp3",
    "bench/cases/misquote-ferry/audio.mp3",
    "bench/cases/paraphrase-orchard/audio.mp3",
    "bench/cases/verbatim-shanty/audio.mp3",
]
REAL = [
    "LJ001-0001.wav", "LJ001-0002.wav", "LJ001-0003.wav", "LJ001-0004.wav",
    "LJ001-0005.wav", "LJ001-0006.wav", "LJ001-0007.wav", "LJ001-0008.wav",
    "jfk.flac", "sense_and_sensibility_01_austen_64kb-0870.wav",
    "sense_and_sensibility_01_austen_64kb-0880.wav",
    "sense_and_sensibility_01_austen_64kb-0890.wav",
    "sense_and_sensibility_01_austen_64kb-0920.wav",
    "sense_and_sensibility_01_austen_64kb-0930.wav", "ami_ES2011a_40s-46s.wav",
]  # fmt: skip
GAPS = (0.7, 1.3, 2.1, 0.4, 3.2, 1.0)  # seconds of silence between pieces, in turn


def long_episode(minutes: float, dest_dir: Path | None = None) -> Path:
    """A deterministic episode of at least ``minutes``: synthetic talk with real speech between.

    Round after round, every discussion case's audio (espeak-ng voices, 2-3
    minutes each) is followed by one of the real recordings of
    ``tests/data/speech`` and ``../shared/data/speech`` (LJ Speech, LibriVox,
    JFK, an AMI meeting clip), with pauses of 0.4-3.2 s between pieces; each
    round starts one case later, so the windows meet the speech at other
    places. The pieces are decoded to 16 kHz mono and joined by ffmpeg's
    concat filter into a 32 kbit/s MP3, kept in the toolkit's cache folder
    (``bench/long-60min.mp3`` there) so that its transcripts stay cached too.
    """
    from toolkit.paths import cache_dir

    dest_dir = dest_dir or cache_dir() / "bench"
    name = f"long-{minutes:g}min.mp3"
    dest = dest_dir / name
    if dest.is_file():
        return dest
    pieces = long_pieces(minutes)
    dest_dir.mkdir(parents=True, exist_ok=True)
    _long_episode_file(pieces, dest)
    return dest


def long_pieces(minutes: float) -> list[tuple[Path, float]]:
    """The pieces of :func:`long_episode`, in order: each file and the silence after it."""
    from toolkit.audio import probe

    found = [[d / r for d in SPEECH_DIRS if (d / r).is_file()] for r in REAL]
    real_paths = [paths[0] for paths in found if paths]
    synthetic = [ROOT / s for s in SYNTHETIC if (ROOT / s).is_file()]
    pieces: list[tuple[Path, float]] = []
    total, k, r = 0.0, 0, 0
    while total < minutes * 60:
        rnd = k // len(synthetic)
        syn = synthetic[(k + rnd) % len(synthetic)]
        pieces.append((syn, GAPS[k % len(GAPS)]))
        total += probe(syn).duration + GAPS[k % len(GAPS)]
        if real_paths:
            clip = real_paths[r % len(real_paths)]
            pieces.append((clip, GAPS[(k + 3) % len(GAPS)]))
            total += probe(clip).duration + GAPS[(k + 3) % len(GAPS)]
            r += 1
        k += 1
    return pieces


def _long_episode_file(pieces: list[tuple[Path, float]], dest: Path) -> None:
    """``pieces`` joined into ``dest`` (written beside, then moved into place)."""
    name = dest.name
    cmd = ["ffmpeg", "-v", "error", "-y"]
    for path, _ in pieces:
        cmd += ["-i", str(path)]
    parts = []
    for i, (_, gap) in enumerate(pieces):
        parts.append(
            f"[{i}:a]aformat=sample_fmts=s16:sample_rates=16000:channel_layouts=mono,"
            f"apad=pad_dur={gap}[a{i}]"
        )
    parts.append(
        "".join(f"[a{i}]" for i in range(len(pieces))) + f"concat=n={len(pieces)}:v=0:a=1[out]"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp_out = Path(tmp) / name
        cmd += ["-filter_complex", ";".join(parts), "-map", "[out]", "-ac", "1", "-ar", "16000",
                "-b:a", "32k", "-map_metadata", "-1", "-fflags", "+bitexact",
                "-flags:a", "+bitexact", str(tmp_out)]  # fmt: skip
        subprocess.run(cmd, check=True)
        tmp_out.replace(dest)


# --- command line ---------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="transcript JSON or audio files")
    parser.add_argument("--episode", type=Path, action="append", help="an episode folder")
    parser.add_argument("--long", type=float, metavar="MINUTES", help="a long episode, built")
    parser.add_argument("--article", type=Path, help="the article audio files discuss")
    parser.add_argument("--names", default="", help="people's names, comma-separated")
    parser.add_argument("--engine", choices=("openai", "faster", "both"), default="both")
    parser.add_argument(
        "--model", default=None, help="Whisper model (default: base, or the show's)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list what was found")
    args = parser.parse_args()

    from toolkit.article import read_article

    engines = ("openai", "faster") if args.engine == "both" else (args.engine,)
    names = [n.strip() for n in args.names.split(",") if n.strip()]
    article = read_article(args.article) if args.article else None
    jobs: list[tuple[str, Path, Any, list[str], Any]] = []  # label, audio, article, names, show
    for path in args.files:
        if path.suffix.lower() == ".json":
            continue
        jobs.append((path.name, path, article, names, None))
    for folder in args.episode or []:
        audio, ep_article, ep_names, show = episode_inputs(folder)
        jobs.append((folder.name, audio, ep_article, ep_names, show))
    if args.long:
        long = long_episode(args.long)
        jobs.append((long.name, long, None, [], None))

    results: list[Health] = []
    for path in args.files:
        if path.suffix.lower() == ".json":
            results.append(segment_health(Transcript.load(path), path.name))
    for label, audio, art, who, show in jobs:
        for engine in engines:
            model = args.model or (None if show is not None else "base")
            print(f"transcribing {label} ({engine})...", file=sys.stderr, flush=True)
            transcript = transcribe_as_build(audio, art, who, model, engine, show, progress=True)
            results.append(segment_health(transcript, f"{label} [{engine} {transcript.model}]"))
    if not results:
        parser.error("nothing to report on")
    print_health(results, args.verbose)
    if args.json:
        args.json.write_text(
            json.dumps([h.to_dict() for h in results], indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
