"""The acoustic quote check: how well it tells ASR slips from real changes, and what it costs.

``separation`` measures the scores behind the threshold
(:data:`toolkit.align.quotecheck.SLIP_THRESHOLD`). Each labelled difference
is one that normalisation leaves between a quote and the words heard:

* **slips**: the quotes the labelled cases (``bench/cases/*/truth.json``) say
  were read word for word, and real speech read from a known text (the
  LibriVox and JFK clips of ``tests/data/speech``, the LJ Speech clips of
  ``../shared/data/speech`` where present), each aligned as a quote of its own
  text: every wording difference there is an ASR error;
* **changes**: the misquotes the cases' truth lists (kind ``word``), and
  edits of the quotes read word for word (:data:`EDITS`): the article is made
  to say something the speaker did not (a word swapped, left out or added;
  numbers and negations too, which the rules decide, scored for the record).

For every difference it records Whisper's log-probability of the heard text
with the difference put back to the article's wording, and of the heard text,
and prints their difference (summed over the text) for the slips and the
changes, with the threshold that separates them best and the errors at the
threshold in use. ``--variant`` picks how the audio is scored: ``clip`` (the
encoder over the clip, at least 10 s) or ``full`` (padded to Whisper's 30 s
window), each with ``-prompt`` (after the prompt of names that transcription
decoded with, as the build does: the default ``clip-prompt``) or without;
``--margin`` the seconds around the quote.

``speed`` times builds of the sample show (``toolkit build . -o DIR``) with
the check on and off: warm (the transcript cached, a fresh output folder and
score cache, so every stage but transcription runs), and cold (an empty
transcript cache too, so transcription runs: the real comparison). It also
times align() alone, with and without the check, in a fresh process.

    .venv/bin/python bench/quote_check.py separation [--variant clip|full] [--margin 0.3] [-v]
    .venv/bin/python bench/quote_check.py speed [--repeat 3] [--no-cold]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "cases"))
sys.path.insert(0, str(ROOT))

from truth import CASES, load_truth, tokens  # noqa: E402

from toolkit.align import align, quotecheck  # noqa: E402
from toolkit.align.acoustic import WhisperScorer, decoding_prompt  # noqa: E402
from toolkit.align.model import Alignment, QuoteMatch  # noqa: E402
from toolkit.article import Article, Paragraph, Quote, read_article  # noqa: E402
from toolkit.transcribe.options import TranscribeOptions  # noqa: E402
from toolkit.transcribe.run import transcribe, transcribe_with_article  # noqa: E402
from toolkit.transcribe.transcript import Transcript  # noqa: E402

MODEL = "base"
SPEECH = [ROOT / "tests" / "data" / "speech", ROOT.parent / "shared" / "data" / "speech"]

#: Edits of quotes read word for word: (the quote's first words, the article's
#: words, what the article is made to say instead). The speaker said the former.
EDITS: list[tuple[str, str, str]] = [
    # the sample
    ("The Security Council has not", "successful", "effective"),
    ("The Security Council has not", "not really been", "not been"),
    ("The Security Council has not", "speaking in", "talking with"),
    ("The Security Council has not", "has not really", "has really"),
    ("We hope this event", "important", "useful"),
    ("We hope this event", "pursue", "uphold"),
    ("We hope this event", "abandon", "reject"),
    ("We hope this event", "we should pursue", "we should always pursue"),
    ("It is easy for", "easy", "simple"),
    ("It is easy for", "agreement", "accord"),
    ("It is easy for", "since all", "because all"),
    ("It is easy for", "P5", "P3"),
    ("Even if it becomes", "wonder", "doubt"),
    ("Even if it becomes", "meet", "talk"),
    ("Even if it becomes", "stance", "position"),
    ("Even if it becomes", "possible", "feasible"),
    # discussion-mill
    ("We plan our whole week", "whole", "entire"),
    ("We plan our whole week", "We plan", "We organise"),
    ("We plan our whole week", "our whole week", "our week"),
    ("We plan our whole week", "four", "five"),
    ("The numbers told us", "told", "showed"),
    ("The numbers told us", "matters", "counts"),
    ("The numbers told us", "money", "funding"),
    ("I love the mill", "love", "like"),
    ("I love the mill", "long before", "well before"),
    ("I love the mill", "I love", "I really love"),
    ("If we can show", "show", "prove"),
    ("If we can show", "share", "split"),
    ("If we can show", "everybody", "everyone"),
    # discussion-rail
    ("For fifteen years", "fifteen", "twenty"),
    ("For fifteen years", "would never happen", "would happen"),
    ("For fifteen years", "standing", "waiting"),
    ("For fifteen years", "waving", "holding"),
    ("We were told the extra", "extra", "new"),
    ("We were told the extra", "ready", "finished"),
    ("We were told the extra", "spring", "summer"),
    ("A railway that local", "local", "ordinary"),
    ("A railway that local", "cannot", "can"),
    ("A railway that local", "half", "partly"),
    # interview-bees, misquote-ferry, paraphrase-orchard, verbatim-shanty
    ("You are counting", "wrong", "right"),
    ("You are counting", "animal", "insect"),
    ("I cannot promise", "promise", "guarantee"),
    ("I cannot promise", "ten", "twenty"),
    ("In January the lifeboat", "emergency", "lifeline"),
    ("In January the lifeboat", "is not a", "is a"),
    ("If a variety only grows", "bad winter", "hard winter"),
    ("If a variety only grows", "finish", "end"),
    ("Some of these voices", "could not read", "could read"),
    ("Some of these voices", "record", "trace"),
    ("Every tape we played", "last time", "final time"),
    ("Every tape we played", "only played", "played"),
    ("A port city", "forgets why", "forgets how"),
    ("A port city", "songs", "stories"),
    # real speech (the clips' own texts)
    ("Printing, in the only", "concerned", "interested"),
    ("Printing, in the only", "arts", "skills"),
    ("Printing, in the only", "represented", "shown"),
    ("in being comparatively", "comparatively", "relatively"),
    ("in being comparatively", "modern", "recent"),
    ("For although the Chinese", "impressions", "prints"),
    ("For although the Chinese", "centuries", "decades"),
    ("For although the Chinese", "similar", "comparable"),
    ("produced the block books", "immediate", "direct"),
    ("produced the block books", "true", "real"),
    ("the invention of movable", "justly", "rightly"),
    ("the invention of movable", "middle", "end"),
    ("the invention of movable", "fifteenth", "sixteenth"),
    ("And it is worth", "fine typography", "good typography"),
    ("the earliest book printed", "earliest", "oldest"),
    ("has never been surpassed", "never been", "been"),
    ("has never been surpassed", "surpassed", "equalled"),
    ("and mister john dashwood", "leisure", "time"),
    ("and mister john dashwood", "prudently", "wisely"),
    ("he was not an ill", "young", "old"),
    ("he was not an ill", "man", "fellow"),
    ("unless to be rather", "selfish", "greedy"),
    ("unless to be rather", "cold", "hard"),
    ("had he married", "respectable", "respected"),
    ("had he married", "woman", "lady"),
    ("he might even have", "amiable", "agreeable"),
    ("he might even have", "even have", "have"),
    ("And so my fellow", "fellow", "dear"),
    ("And so my fellow", "ask not what", "ask what"),
    ("And so my fellow", "country can", "nation can"),
]


@dataclass
class Case:
    """One quote as the article has it, and the audio and transcript it is heard in."""

    name: str
    audio: Path
    transcript: Transcript
    article: Article
    quote: Quote
    #: "verbatim": every wording difference is a slip; "near": the truth's changes.
    truth: str
    changes: list[dict[str, str]] = field(default_factory=list)
    #: The prompt transcription decoded with (the article's and the speakers' names),
    #: as the build gives it to the scorer.
    prompt: str = ""


def _transcribe(audio: Path, article: Article | None, names: list[str]) -> Transcript:
    options = TranscribeOptions(model=MODEL, language="en")
    if article is None:
        return transcribe(audio, options, progress=False).transcript
    return transcribe_with_article(audio, options, article, names=names, progress=False).transcript


def episode_cases() -> list[Case]:
    out = []
    for path in sorted(CASES.glob("*/truth.json")):
        truth = load_truth(path)
        if not truth["quotes"]:
            continue
        article = read_article(ROOT / truth["article"])
        audio = ROOT / truth["audio"]
        names = [s["name"] for s in truth.get("speakers", []) if s.get("name")]
        transcript = _transcribe(audio, article, names)
        prompt = decoding_prompt(transcript)
        for tq, q in zip(truth["quotes"], article.quotes, strict=True):
            if tq["status"] == "not_spoken":
                continue
            kinds = {c["kind"] for c in tq["changes"]}
            if "partial" in kinds:
                # Read in part: the words the fit takes in after what was read
                # are no slips, so these are left out.
                continue
            name = path.parent.name
            out.append(
                Case(name, audio, transcript, article, q, tq["status"], tq["changes"], prompt)
            )
    return out


def speech_cases() -> list[Case]:
    out: list[Case] = []
    seen: set[str] = set()
    for folder in SPEECH:
        manifest = folder / "MANIFEST.tsv"
        if not manifest.is_file():
            continue
        with open(manifest, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        for row in rows:
            name, text = row["file"], row["reference_text"]
            usable = name.startswith(("LJ", "sense_and", "jfk"))
            if not usable or name in seen or not (folder / name).is_file():
                continue
            seen.add(name)
            audio = folder / name
            transcript = _transcribe(audio, None, [])
            quote = Quote(text=text, speaker=None, paragraph=0)
            article = Article(None, None, None, None, [Paragraph(0, text)], [quote])
            out.append(Case(name, audio, transcript, article, quote, "verbatim"))
    return out


def _run(case: Case, text: str, scorer: WhisperScorer) -> QuoteMatch:
    """Align ``case`` with its quote reading ``text``; ``scorer`` does the acoustic check."""
    article = Article(
        case.article.title, None, None, None, case.article.paragraphs,
        [Quote(text=text, speaker=case.quote.speaker, paragraph=case.quote.paragraph)],
    )  # fmt: skip
    scorer.audio, scorer.prompt = case.audio, case.prompt if scorer.settings["prompt"] else ""
    result: Alignment = align(case.transcript, article, scorer=scorer)
    return result.quotes[0]


def _scored(match: QuoteMatch) -> list[tuple[str, str, str, float]]:
    if match.check is None:
        return []
    return [
        (d.article, d.heard, d.kind, d.score_difference)
        for d in match.check.differences
        if d.score_difference is not None
    ]


def measure(cases: list[Case], scorer: WhisperScorer, verbose: bool) -> list[dict[str, Any]]:
    """Every scored difference of every case and edit, labelled slip or change."""
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def add(case: Case, match: QuoteMatch, is_change: Any) -> None:
        for said, heard, kind, diff in _scored(match):
            lab = "change" if is_change(said, heard) else "slip"
            row = {"case": case.name, "kind": kind, "label": lab, "article": said,
                   "heard": heard, "difference": diff}  # fmt: skip
            # The same difference turns up once per edit of its quote: keep one.
            rows.setdefault((case.name, said, heard, lab), row)

    for case in cases:
        match = _run(case, case.quote.text, scorer)
        if match.status == "not_found":
            print(f"  (not found: {case.name} {case.quote.text[:40]!r})")
            continue
        if case.truth != "verbatim":
            wanted = [set(tokens(c["article"])) | set(tokens(c["spoken"])) for c in case.changes]

            def truth_change(a: str, h: str, wanted: list[set[str]] = wanted) -> bool:
                return any(w & (set(tokens(a)) | set(tokens(h))) for w in wanted)

            add(case, match, truth_change)
            continue
        add(case, match, lambda a, h: False)
        # Edits: differences the plain quote does not have are the edit.
        before = {(d[0], d[1]) for d in _scored(match)}
        for prefix, old, new in EDITS:
            if not case.quote.text.startswith(prefix):
                continue
            if old not in case.quote.text:
                print(f"  (edit {old!r} not in {case.quote.text[:40]!r})")
                continue
            edited = _run(case, case.quote.text.replace(old, new, 1), scorer)
            if edited.status == "not_found":
                print(f"  (edit not found: {case.name} {new!r})")
                continue
            add(case, edited, lambda a, h, b=before: (a, h) not in b)
    out = list(rows.values())
    if verbose:
        for r in sorted(out, key=lambda r: (r["kind"], r["difference"])):
            print(
                f"  {r['label']:6} {r['kind']:8} {r['difference']:+7.2f}  {r['case'][:24]:24}"
                f" article {r['article']!r} / heard {r['heard']!r}"
            )
    return out


def best_threshold(slips: list[float], changes: list[float]) -> tuple[float, int]:
    """The threshold with the fewest errors (slip below it, change at or above), widest gap."""
    points = sorted(set(slips + changes))
    best = (len(slips) + len(changes), 0.0, 0.0)
    for lo, hi in zip([points[0] - 1, *points], [*points, points[-1] + 1], strict=True):
        t = (lo + hi) / 2
        errors = sum(s < t for s in slips) + sum(c >= t for c in changes)
        if (errors, -(hi - lo)) < (best[0], -best[2]):
            best = (errors, t, hi - lo)
    return round(best[1], 2), best[0]


def report(rows: list[dict[str, Any]], threshold: float) -> None:
    def span(xs: list[float]) -> str:
        if not xs:
            return "-"
        return f"{min(xs):+.2f} .. {max(xs):+.2f} (median {statistics.median(xs):+.2f})"

    for kind in ("wording", "number", "negation"):
        slips = [r["difference"] for r in rows if r["kind"] == kind and r["label"] == "slip"]
        changes = [r["difference"] for r in rows if r["kind"] == kind and r["label"] == "change"]
        if not slips and not changes:
            continue
        print(f"  {kind:8} slips   n={len(slips):3}  {span(slips)}")
        print(f"  {kind:8} changes n={len(changes):3}  {span(changes)}")
        if kind == "wording" and slips and changes:
            t, errors = best_threshold(slips, changes)
            print(f"  best threshold {t:+.2f}: {errors} error(s)")
            missed = sum(c >= threshold for c in changes)
            false = sum(s < threshold for s in slips)
            print(
                f"  at SLIP_THRESHOLD {threshold:+.2f}: {false} of {len(slips)} slips called"
                f" changes (false alerts), {missed} of {len(changes)} changes called slips (missed)"
            )


def separation(args: argparse.Namespace) -> None:
    # Score numbers and negations too, for the record (the rules decide them).
    quotecheck.SCORED_KINDS = ("wording", "number", "negation")
    cases = episode_cases() + speech_cases()
    everything = {}
    for variant in args.variant:
        for margin in args.margin:
            quotecheck.CLIP_MARGIN = margin
            full, prompt = variant.startswith("full"), variant.endswith("prompt")
            scorer = WhisperScorer(cases[0].audio, MODEL, "en", full_window=full)
            scorer.prompt = "on" if prompt else ""  # _run sets each case's own
            t0 = time.perf_counter()
            rows = measure(cases, scorer, args.verbose)
            took = time.perf_counter() - t0
            name = f"{variant}, margin {margin} s"
            print(f"\n=== {name}: {len(cases)} quotes and their edits, {len(rows)} differences, "
                  f"{scorer.clips} clips scored in {took:.1f} s")  # fmt: skip
            report(rows, quotecheck.SLIP_THRESHOLD)
            everything[name] = rows
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1), encoding="utf-8")


# --- speed ---------------------------------------------------------------------


def _show_copy(dest: Path, check: bool) -> Path:
    """A copy of the sample show whose show.toml turns the check on or off."""
    shutil.copytree(ROOT / "episodes", dest / "episodes")
    for name in ("cover.jpg",):
        shutil.copy(ROOT / name, dest / name)
    toml = (ROOT / "show.toml").read_text(encoding="utf-8")
    toml += f"\n[alignment]\nacoustic_check = {'true' if check else 'false'}\n"
    (dest / "show.toml").write_text(toml, encoding="utf-8")
    return dest


def _build(show: Path, out: Path, cache: Path) -> float:
    env = {**os.environ, "TOOLKIT_CACHE_DIR": str(cache)}
    cmd = [str(ROOT / ".venv" / "bin" / "toolkit"), "build", str(show), "-o", str(out), "-q"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    return time.perf_counter() - t0


def _fresh_cache(base: Path, user_cache: Path, transcripts: bool) -> Path:
    """A cache folder with the user's converted models (and transcripts, for warm builds)."""
    base.mkdir(parents=True)
    for part in ("models", "ct2", *(["transcripts"] if transcripts else [])):
        if (user_cache / part).is_dir():
            shutil.copytree(user_cache / part, base / part)
    return base


_ALIGN_ALONE = """
import json, sys, time
from pathlib import Path
from toolkit.align import align
from toolkit.align.acoustic import whisper_scorer
from toolkit.article import Article
from toolkit.transcribe.transcript import Transcript
site, audio, check = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
t = Transcript.load(site / "transcript.full.json")
a = Article.from_dict(json.loads((site / "article.json").read_text()))
if sys.argv[4] == "1":  # as in a build that transcribed with openai-whisper: the model
    # loaded, its tokenizer made and torch warm, by a second of silence transcribed
    import numpy as np, whisper
    from toolkit.transcribe.engines.openai import _model
    whisper.transcribe(_model(t.model or "base"), np.zeros(16000, np.float32), language="en")
t0 = time.perf_counter()
scorer = whisper_scorer(audio, t) if check else None
result = align(t, a, scorer=scorer)
took = time.perf_counter() - t0
print(took, scorer.clips if scorer else 0)
"""


def speed(args: argparse.Namespace) -> None:
    from toolkit.paths import cache_dir

    user_cache = cache_dir()
    slug = "001-japan-security-council"
    with tempfile.TemporaryDirectory(prefix="quote-check-") as tmp:
        base = Path(tmp)
        shows = {c: _show_copy(base / f"show-{c}", c) for c in (True, False)}
        _build(shows[True], base / "prime", user_cache)  # the user's transcript cache is warm
        warm: dict[bool, list[float]] = {True: [], False: []}
        for r in range(args.repeat):
            for check in (False, True):
                cache = _fresh_cache(base / f"cache-w{r}-{check}", user_cache, transcripts=True)
                warm[check].append(_build(shows[check], base / f"warm-{r}-{check}", cache))
        print(f"warm builds (transcript cached), median of {args.repeat}:")
        on, off = statistics.median(warm[True]), statistics.median(warm[False])
        print(f"  check off {off:.2f} s, on {on:.2f} s: +{on - off:.2f} s ({on / off - 1:+.1%})")
        print(f"  (all runs: off {warm[False]}, on {warm[True]})")

        site = base / "prime" / slug
        audio = ROOT / "episodes" / slug / "audio.mp3"
        check_cost = loaded_cost = 0.0
        for loaded in (False, True):
            alone: dict[bool, list[float]] = {True: [], False: []}
            clips = 0
            for _ in range(args.repeat):
                for check in (False, True):
                    argv = [str(site), str(audio), str(int(check)), str(int(loaded))]
                    proc = subprocess.run(
                        [sys.executable, "-c", _ALIGN_ALONE, *argv],
                        check=True, capture_output=True, text=True, cwd=ROOT,
                    )  # fmt: skip
                    took, n = proc.stdout.split()
                    alone[check].append(float(took))
                    clips = max(clips, int(n))
            on, off = statistics.median(alone[True]), statistics.median(alone[False])
            how = (
                "with the model loaded and warm (as in a build that transcribed)"
                if loaded
                else "includes importing torch and loading the model"
            )
            print(
                f"align() alone in a fresh process: off {off:.2f} s, on {on:.2f} s "
                f"({clips} clip(s) scored; {how}): the check costs {on - off:.2f} s"
            )
            if loaded:
                loaded_cost = on - off
            else:
                check_cost = on - off
        if args.cold:
            cold = {}
            for check in (False, True):
                cache = _fresh_cache(base / f"cache-c-{check}", user_cache, transcripts=False)
                cold[check] = _build(shows[check], base / f"cold-{check}", cache)
            on, off = cold[True], cold[False]
            print(f"cold builds (transcription runs): off {off:.1f} s, on {on:.1f} s: "
                  f"+{on - off:.1f} s ({on / off - 1:+.1%})")  # fmt: skip
            print(
                f"the check's own cost ({check_cost:.2f} s, align() alone) against the cold "
                f"build: {check_cost / off:.1%}; with the model loaded ({loaded_cost:.2f} s): "
                f"{loaded_cost / off:.1%}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sep = sub.add_parser("separation", help="slips against changes, and the threshold")
    sep.add_argument(
        "--variant",
        choices=["clip", "full", "clip-prompt", "full-prompt"],
        nargs="+",
        default=["clip-prompt"],
    )
    sep.add_argument("--margin", type=float, nargs="+", default=[quotecheck.CLIP_MARGIN])
    sep.add_argument("--json", help="write every scored difference here")
    sep.add_argument("-v", "--verbose", action="store_true")
    spd = sub.add_parser("speed", help="build times with the check on and off")
    spd.add_argument("--repeat", type=int, default=3)
    spd.add_argument("--no-cold", dest="cold", action="store_false")
    args = parser.parse_args()
    separation(args) if args.command == "separation" else speed(args)


if __name__ == "__main__":
    main()
