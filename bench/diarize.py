"""How well does toolkit.speakers tell the voices apart and name them? Scored on labelled cases.

Every case with a per-line ground truth (``bench/cases/*/ground_truth.json``,
and the sample's, which its ``truth.json`` points at) is run through
``toolkit.speakers.diarize.diarize`` and scored (issue 11):

* **DER**: the diarization error rate (``toolkit.speakers.score.der``) with
  a +-0.25 s collar, over the whole audio; for a case with music
  (``music`` in its ground truth: a jingle, a bed under the voices) also
  **without the music**, both the truth and the diarization cut to the time
  outside the music's spans (the cuts get collars too).
* **count**: the voices the diarization found (labels with turns) against
  the speakers of the truth.
* **names**: the share of the transcript's words given the right name. The
  case is transcribed as the build does it with the case's people as the
  show's hosts and guests (``toolkit.transcribe.run.transcribe_with_article``:
  Whisper ``base``, English, their names biasing the decoding and correcting
  it; the transcript cache makes a re-run cheap), its
  segments are made again as sentences split at the diarization's turns
  (``sentence_segments``), the voices are named by
  ``toolkit.speakers.naming.name_speakers`` with the case's speakers as the
  candidates (their names and roles, no voice samples) and the names set on
  the segments (``apply_names``). A word is right when its segment's name is
  the speaker of the truth at the word's midpoint (the nearest turn's when
  the midpoint falls in a pause).
* **time**: diarize()'s wall time, and as a ratio to the transcription's
  wall time in the same run when the transcript was made in it (a cached
  transcript took no model, so the ratio says "cached").

``--no-names`` skips the transcription and the naming (DER and count only:
a case's first transcription takes minutes on two cores). ``--long MINUTES``
adds ``bench/segment_health.py``'s long episode (every discussion case and
the real recordings, round after round: 18 voices in an hour), scored on the
truth of its pieces, DER and count only.

A ground truth's turns are its lines (``start``/``end``), or a line's
``speech`` stretches where it has them (``real-voices``: the pauses inside
a real reader's turn are not speech). ``--oracle`` scores the truth itself as
the diarization, with each label named by its own speaker: DER 0, the count
right, and the names share the ceiling that the transcript's word timings
allow (a check of this bench, not of the toolkit).

Targets (issue 11): DER <= 5 % on each case, the speaker count right on each
case, >= 98 % of the words named right on the sample. The exit status is 0
whatever the figures (a bench, not a test).

    .venv/bin/python bench/diarize.py [--case NAME ...] [--model base] [--oracle]
        [--no-names] [--long MINUTES] [-v] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance import git_state  # noqa: E402

from toolkit.speakers.model import Diarization, Naming, Turn  # noqa: E402
from toolkit.speakers.score import der  # noqa: E402
from toolkit.transcribe.transcript import Transcript  # noqa: E402

CASES = ROOT / "bench" / "cases"
COLLAR = 0.25
TARGET_DER = 0.05
TARGET_NAMES = 0.98  # on the sample
Span = tuple[float, float]


@dataclass
class Case:
    """One labelled case: its audio, the true turns and who speaks them."""

    name: str
    audio: Path
    duration: float
    turns: list[Turn]
    #: Each speaker's name and role ("host", "guest").
    people: list[tuple[str, str]]
    music: list[Span] = field(default_factory=list)


@dataclass
class Result:
    """What one case scored."""

    name: str
    der: float
    der_no_music: float | None
    found: int
    speakers: int
    words_right: int
    words: int
    diarize_s: float
    transcribe_s: float | None  # None: the transcript came from the cache (or none was made)
    names: dict[str, str]
    #: "fresh" (transcribed in this run), "cached", or "skipped" (``--no-names``).
    transcript: str = "fresh"
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def names_share(self) -> float | None:
        return self.words_right / self.words if self.words else None

    @property
    def ratio(self) -> float | None:
        if self.transcribe_s is None or self.transcribe_s <= 0:
            return None
        return self.diarize_s / self.transcribe_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "der": round(self.der, 4),
            "der_no_music": None if self.der_no_music is None else round(self.der_no_music, 4),
            "speakers_found": self.found,
            "speakers_true": self.speakers,
            "words_right": self.words_right,
            "words": self.words,
            "names_share": None if self.names_share is None else round(self.names_share, 4),
            "diarize_s": round(self.diarize_s, 2),
            "transcribe_s": None if self.transcribe_s is None else round(self.transcribe_s, 2),
            "ratio_to_transcription": None if self.ratio is None else round(self.ratio, 4),
            "transcript": self.transcript,
            "names": self.names,
            **self.details,
        }


# --- The cases -------------------------------------------------------------------


def ground_truth_path(folder: Path) -> Path | None:
    """A case folder's per-line truth: its own, or the one its ``truth.json`` names."""
    own = folder / "ground_truth.json"
    if own.is_file():
        return own
    truth = folder / "truth.json"
    if truth.is_file():
        source = str(json.loads(truth.read_text(encoding="utf-8")).get("source", ""))
        if source.endswith("ground_truth.json") and (ROOT / source).is_file():
            return ROOT / source
    return None


def load_case(folder: Path) -> Case | None:
    """The case in ``folder``, or None when it has no per-line truth."""
    path = ground_truth_path(folder)
    if path is None:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    turns = [
        Turn(float(a), float(b), line["speaker"])
        for line in data["lines"]
        for a, b in line.get("speech", [[line["start"], line["end"]]])
    ]
    people = [
        (who["name"], who.get("role") or re.sub(r"\d+$", "", role))
        for role, who in data["speakers"].items()
    ]
    return Case(
        name=folder.name,
        audio=ROOT / data["audio"],
        duration=float(data["duration"]),
        turns=turns,
        people=people,
        music=[(float(a), float(b)) for a, b in data.get("music", [])],
    )


def all_cases() -> list[Case]:
    found = (load_case(p) for p in sorted(CASES.iterdir()) if p.is_dir())
    return [c for c in found if c is not None]


# The real recordings of the long episode, by the start of their file name.
REAL_SPEAKERS = {
    "LJ": "LJ Speech reader",
    "sense_and_sensibility": "LibriVox reader",
    "jfk": "John F. Kennedy",
    "ami_": "AMI speaker",
}


def voice_of(folder: Path) -> dict[str, str]:
    """Each speaker's voice in a synthetic case: the espeak-ng voice and pitch.

    Cases share no voice, but the long episode repeats each case, so its
    speakers are voices, not names.
    """
    path = ground_truth_path(folder)
    if path is None:
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        who["name"]: f"{who['voice']} pitch {who.get('pitch', 'default')}"
        for who in data["speakers"].values()
    }


def long_case(minutes: float) -> Case:
    """``bench/segment_health.py``'s long episode with its truth: every piece's turns, moved
    to where the piece starts in the episode.

    A synthetic piece's turns are its case's (each speaker its voice); a real
    recording is one speaker, whose turns are its speech as the voice activity
    detection finds it (with the diarization's padding). A piece starts after
    the decoded length of those before it and their silences, as ffmpeg's
    concat filter joins them.
    """
    from segment_health import long_episode, long_pieces

    from toolkit.audio import decode
    from toolkit.speakers.diarize import VAD_MIN_SILENCE, VAD_PAD
    from toolkit.transcribe.vad import speech_spans

    by_audio = {c.audio.resolve(): c for c in all_cases()}
    turns: list[Turn] = []
    at = 0.0
    for path, gap in long_pieces(minutes):
        samples = decode(path, 16000)
        case = by_audio.get(path.resolve())
        if case is not None:
            voices = voice_of(CASES / case.name)
            turns += [Turn(at + t.start, at + t.end, voices[t.speaker]) for t in case.turns]
        else:
            who = next(v for k, v in REAL_SPEAKERS.items() if path.name.startswith(k))
            spans = speech_spans(samples, 16000, min_silence=VAD_MIN_SILENCE, pad=VAD_PAD)
            turns += [Turn(at + a, at + b, who) for a, b in spans]
        at += len(samples) / 16000 + gap
    speakers = sorted({t.speaker for t in turns})
    return Case(
        name=f"long-{minutes:g}min",
        audio=long_episode(minutes),
        duration=round(at, 3),
        turns=sorted(turns, key=lambda t: t.start),
        people=[(who, "guest") for who in speakers],
    )


# --- Scoring ---------------------------------------------------------------------


def outside(turns: list[Turn], spans: list[Span]) -> list[Turn]:
    """``turns`` with the time inside ``spans`` cut out."""
    out: list[Turn] = []
    for turn in turns:
        pieces = [(turn.start, turn.end)]
        for a, b in spans:
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, a)), (max(s, b), e))
                if piece[1] - piece[0] > 1e-6
            ]
        out += [Turn(s, e, turn.speaker) for s, e in pieces]
    return out


def truth_at(turns: list[Turn], t: float) -> str | None:
    """The true speaker at ``t``: the turn holding it, else the nearest one."""
    best: tuple[float, str] | None = None
    for turn in turns:
        distance = max(turn.start - t, t - turn.end, 0.0)
        if best is None or distance < best[0]:
            best = (distance, turn.speaker)
    return None if best is None else best[1]


def named_words(
    transcript: Transcript, turns: list[Turn]
) -> tuple[int, int, Counter[tuple[str, str]]]:
    """Words whose segment's speaker is the truth's at their midpoint; all words; the mix-ups."""
    right = total = 0
    wrong: Counter[tuple[str, str]] = Counter()
    for seg in transcript.segments:
        for w in seg.words:
            want = truth_at(turns, (w.start + w.end) / 2)
            total += 1
            if seg.speaker == want:
                right += 1
            else:
                wrong[(str(want), str(seg.speaker))] += 1
    return right, total, wrong


def majority(truth: list[Turn], hyp: list[Turn]) -> dict[str, str]:
    """Each hypothesis label and the true speaker it overlaps most."""
    overlap: dict[str, dict[str, float]] = {}
    for h in hyp:
        for r in truth:
            shared = min(h.end, r.end) - max(h.start, r.start)
            if shared > 0:
                row = overlap.setdefault(h.speaker, {})
                row[r.speaker] = row.get(r.speaker, 0.0) + shared
    return {label: max(row, key=lambda k: row[k]) for label, row in sorted(overlap.items())}


# --- Running ---------------------------------------------------------------------


def oracle(case: Case) -> tuple[Diarization, Naming]:
    """The truth as a diarization (labels S1, S2, ...) and a naming of it."""
    labels = {name: f"S{k + 1}" for k, (name, _) in enumerate(case.people)}
    turns = [Turn(t.start, t.end, labels[t.speaker]) for t in case.turns]
    naming = Naming(names={label: name for name, label in labels.items()})
    return Diarization(duration=case.duration, turns=turns), naming


def transcribe_case(case: Case, model: str) -> tuple[Transcript, float | None]:
    """The case's transcript and its wall time (None: it came from the cache).

    Transcribed as the build does it with the show's people: their names bias
    the decoding and correct what was misheard (``transcribe_with_article``
    with the case's people and no article).
    """
    from toolkit.transcribe import TranscribeOptions
    from toolkit.transcribe.run import transcribe_with_article

    start = time.perf_counter()
    options = TranscribeOptions(model=model, language="en")
    names = [name for name, _ in case.people]
    result = transcribe_with_article(case.audio, options, None, names=names, progress=False)
    elapsed = time.perf_counter() - start
    return result.transcript, None if result.cached else elapsed


def run_case(case: Case, args: argparse.Namespace) -> Result:
    from toolkit.transcribe.sentences import sentence_segments

    start = time.perf_counter()
    if args.oracle:
        diarization, naming = oracle(case)
    else:
        from toolkit.speakers.diarize import diarize

        diarization = diarize(case.audio)
    diarize_s = time.perf_counter() - start
    hyp = diarization.turns
    score = der(case.turns, hyp, collar=COLLAR, duration=case.duration)
    no_music = (
        der(
            outside(case.turns, case.music),
            outside(hyp, case.music),
            collar=COLLAR,
            duration=case.duration,
        )
        if case.music
        else None
    )
    found = len({t.speaker for t in hyp})
    if args.no_names:
        return Result(
            name=case.name,
            der=score,
            der_no_music=no_music,
            found=found,
            speakers=len(case.people),
            words_right=0,
            words=0,
            diarize_s=diarize_s,
            transcribe_s=None,
            names={},
            transcript="skipped",
            details={"labels": majority(case.turns, hyp)},
        )

    transcript, transcribe_s = transcribe_case(case, args.model)
    segmented = sentence_segments(transcript, [(t.start, t.end, t.speaker) for t in hyp])
    if not args.oracle:
        from toolkit.speakers.naming import Candidate, name_speakers

        candidates = [Candidate(name, role, None) for name, role in case.people]
        naming = name_speakers(diarization, segmented, candidates)
    named = with_names(segmented, naming)
    right, total, wrong = named_words(named, case.turns)
    details: dict[str, Any] = {
        "labels": majority(case.turns, hyp),
        "evidence": naming.evidence,
        "unnamed": naming.unnamed,
        "music_voices": [v.label for v in diarization.voices if v.music],
        "wrong_words": {f"{want} as {got}": n for (want, got), n in wrong.most_common()},
    }
    return Result(
        name=case.name,
        der=score,
        der_no_music=no_music,
        found=found,
        speakers=len(case.people),
        words_right=right,
        words=total,
        diarize_s=diarize_s,
        transcribe_s=transcribe_s,
        names=dict(naming.names),
        details=details,
        transcript="cached" if transcribe_s is None else "fresh",
    )


def with_names(transcript: Transcript, naming: Naming) -> Transcript:
    """The segments' labels replaced by the naming's names (``apply_names``)."""
    from toolkit.speakers.naming import apply_names

    return apply_names(transcript, naming)


# --- Reporting -------------------------------------------------------------------


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def print_table(results: list[Result]) -> None:
    head = ["case", "DER", "DER no music", "count", "names right", "diarize s", "x transcribe"]
    rows = []
    for r in results:
        ratio = r.transcript if r.ratio is None else f"{r.ratio:.3f}"
        rows.append(
            [
                r.name,
                pct(r.der),
                pct(r.der_no_music),
                f"{r.found}/{r.speakers}" + ("" if r.found == r.speakers else " !"),
                f"{pct(r.names_share)} {r.words_right}/{r.words}" if r.words else "-",
                f"{r.diarize_s:.1f}",
                ratio,
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(head, widths, strict=True))
        )
    )
    print(line)
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def verdict(results: list[Result]) -> list[dict[str, Any]]:
    """The issue's targets, each with the cases that miss it."""
    sample = [r for r in results if r.name == "sample"]
    return [
        {
            "target": f"DER <= {pct(TARGET_DER)} on each case",
            "missed": [r.name for r in results if r.der > TARGET_DER],
        },
        {
            "target": "the speaker count right on each case",
            "missed": [r.name for r in results if r.found != r.speakers],
        },
        {
            "target": f">= {pct(TARGET_NAMES)} of the words named right on the sample",
            "missed": [
                r.name for r in sample if r.names_share is None or r.names_share < TARGET_NAMES
            ],
            "checked": any(r.transcript != "skipped" for r in sample),
        },
    ]


def print_detail(r: Result) -> None:
    print(f"\n# {r.name}")
    print(f"  labels -> true speaker (most overlap): {r.details['labels']}")
    if r.transcript == "skipped":
        return
    print(f"  names: {r.names}  unnamed: {r.details['unnamed']}")
    for label, clues in r.details["evidence"].items():
        print(f"  evidence {label}: {'; '.join(clues)}")
    if r.details["music_voices"]:
        print(f"  music voices: {r.details['music_voices']}")
    for mixup, n in r.details["wrong_words"].items():
        print(f"  wrong words: {n} of {mixup}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--model", default="base", help="Whisper model (default base)")
    parser.add_argument(
        "--oracle", action="store_true", help="score the truth as the diarization (a self-check)"
    )
    parser.add_argument(
        "--no-names",
        action="store_true",
        help="no transcription and naming: DER and count only",
    )
    parser.add_argument(
        "--long",
        type=float,
        metavar="MINUTES",
        help="also the long episode of bench/segment_health.py (DER and count only)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="per-case labels and names")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()

    cases = all_cases()
    if args.case:
        unknown = set(args.case) - {c.name for c in cases}
        if unknown:
            print(
                f"no such case with a ground truth: {', '.join(sorted(unknown))}", file=sys.stderr
            )
        cases = [c for c in cases if c.name in args.case]
    results = []
    for case in cases:
        print(f"{case.name}: {case.duration:.0f} s, {len(case.people)} speakers", file=sys.stderr)
        results.append(run_case(case, args))
    if args.long:
        case = long_case(args.long)
        print(f"{case.name}: {case.duration:.0f} s, {len(case.people)} voices", file=sys.stderr)
        # Naming it would take the whole hour transcribed: DER and count only.
        results.append(run_case(case, argparse.Namespace(**{**vars(args), "no_names": True})))
    kind = "the truth itself (--oracle)" if args.oracle else "toolkit.speakers.diarize"
    print(f"\ndiarization: {kind}; collar {COLLAR} s; names on Whisper {args.model}")
    print_table(results)
    checks = verdict(results)
    print()
    for c in checks:
        state = "met" if not c["missed"] else "missed on " + ", ".join(c["missed"])
        if not c.get("checked", True):
            state = "not checked (no sample case run)"
        print(f"target: {c['target']}: {state}")
    if args.verbose:
        for r in results:
            print_detail(r)
    if args.json:
        report = {
            "model": args.model,
            "oracle": args.oracle,
            "collar": COLLAR,
            **git_state(),
            "cases": {r.name: r.to_dict() for r in results},
            "targets": checks,
        }
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
