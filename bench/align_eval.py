"""How well do transcription and toolkit.align map articles onto episodes? Scored on labelled cases.

Each case under ``bench/cases/<name>/`` has audio, an article and a
``truth.json`` (format in ``bench/cases/truth.py``). For every case and every
engine (``--engine openai|faster|both``, default both) this transcribes the
audio the way the build does (``toolkit.transcribe.run.transcribe_with_article``
with the options ``toolkit.pipeline.stages.transcribe_options`` makes from the
``[transcription]`` defaults, Whisper ``base`` unless ``--model`` says
otherwise, English, the case's article, and the speakers' names as ``names``
where the toolkit takes them; the transcript cache makes a re-run cheap), reads
the article, times ``align()`` and scores the result against the truth.

Paragraphs (over every paragraph the article reader keeps):

* **start error**: ``|found start - true start|`` over the paragraphs the
  episode really discusses and the aligner also marks discussed: median and
  p90 (linear interpolation). A discussed paragraph the aligner misses counts
  against the accuracy and the overlap instead.
* **IoU**: intersection over union of the true first discussion
  ``[start, end]`` with the found ``[start, end]``, averaged over the truly
  discussed paragraphs; one the aligner misses counts 0.
* **discussed accuracy**: paragraphs whose discussed / not-discussed flag is right.

Quotes (over every quote the article reader finds; the truth gives each a
status: ``verbatim``, ``near`` (a real wording change: a misquote, or a quote
read in part) or ``not_spoken``):

* **recall**: of the quotes read aloud (verbatim or near), the share found
  (status verbatim or near) at a time that overlaps the true one;
* **precision**: of the quotes found, the share read aloud there;
* **status**: the share whose found status is the true one (verbatim =
  verbatim, near = near, not_found = not_spoken), a found one also at the
  right time;
* **false alerts**: quotes read word for word but reported near (a misquote
  alert a listener would see for nothing); **missed** (in the JSON and with
  ``-v``): real misquotes reported verbatim;
* **time error**: for each quote found at the right time, the larger of
  ``|found start - true start|`` and ``|found end - true end|``: median and max.

Names (the case's speakers and the article's people, ``truth.json``'s
``names`` and ``mentions``):

* **names right**: the share of the times a name is said for which the
  transcript has that form of it (its words, case-folded, hyphens split, a
  possessive dropped), spelled as the case spells it, starting within 2 s of
  when it was said;
* **names inserted**: words of the case's names in the transcript where no
  one said them (not part of a name found right, and no mention holding that
  word within 2 s).

Segment health (``bench/segment_health.py``) of each transcript: overlapping
segments, non-monotonic words, words duplicated at window joins, and the
longest segment.

Also: **revisits** (later stretches on a paragraph that the aligner reports
among its revisits; for information) and **align() time** (the median of
``--repeat`` runs; this machine is shared, so a rough figure).

The overall row of an engine pools the paragraphs, quotes and mentions of
every case. Targets (issue 10), checked on the overall rows: quote status
>= 95 %, 0 false misquote alerts, quote recall and precision 100 %, quote
time error (max) <= 0.5 s; paragraph start error median <= 1.0 s and p90 <=
4 s, IoU >= 0.7, discussed accuracy >= 97 %; names right >= 95 %, 0 names
inserted; segments: 0 overlaps, 0 non-monotonic words, 0 duplicates at joins.
The first figures (the baseline) are in ``bench/cases/README.md``.

    .venv/bin/python bench/align_eval.py [--engine openai|faster|both] [--model base]
        [--case NAME ...] [-v] [--json FILE] [--transcripts DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "cases"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from provenance import git_state  # noqa: E402
from segment_health import (  # noqa: E402
    Health,
    accepts_names,
    print_health,
    print_rows,
    segment_health,
    transcribe_as_build,
)
from truth import CASES, ROOT, load_truth, name_tokens, tokens  # noqa: E402

from toolkit.align import Alignment, align  # noqa: E402
from toolkit.article import Article, read_article  # noqa: E402
from toolkit.transcribe.transcript import Transcript  # noqa: E402

NAME_WINDOW = 2.0  # seconds between a name said and written
TARGETS = {
    "quote_status": 0.95,
    "false_alerts": 0,
    "quote_recall": 1.0,
    "quote_precision": 1.0,
    "quote_time_max": 0.5,
    "start_median": 1.0,
    "start_p90": 4.0,
    "iou": 0.7,
    "discussed": 0.97,
    "names_right": 0.95,
    "names_inserted": 0,
    "overlaps": 0,
    "non_monotonic": 0,
    "duplicates": 0,
}


@dataclass
class Score:
    """What one case (or all of them pooled) scored with one engine."""

    name: str
    start_errors: list[float] = field(default_factory=list)
    ious: list[float] = field(default_factory=list)
    flags_right: int = 0
    flags: int = 0
    quotes_spoken: int = 0
    quotes_recalled: int = 0
    quotes_found: int = 0
    quotes_correct: int = 0
    status_right: int = 0
    statuses: int = 0
    false_alerts: int = 0
    missed_misquotes: int = 0
    quote_errors: list[float] = field(default_factory=list)
    mentions: int = 0
    names_right: int = 0
    names_inserted: int = 0
    revisits_true: int = 0
    revisits_found: int = 0
    align_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, other: Score) -> None:
        for key, value in other.__dict__.items():
            if key in ("name", "notes", "details"):
                continue
            setattr(self, key, getattr(self, key) + value)

    def figures(self) -> dict[str, Any]:
        """Every figure, for ``--json``."""

        def rate(num: int, den: int) -> dict[str, Any]:
            return {"right": num, "of": den, "rate": num / den if den else None}

        return {
            "paragraph_start_error": {
                "median": _stat(self.start_errors, "median"),
                "p90": _stat(self.start_errors, "p90"),
                "n": len(self.start_errors),
            },
            "iou": {
                "mean": _stat(self.ious, "mean"),
                "median": _stat(self.ious, "median"),
                "n": len(self.ious),
            },
            "discussed_accuracy": rate(self.flags_right, self.flags),
            "quote_recall": rate(self.quotes_recalled, self.quotes_spoken),
            "quote_precision": rate(self.quotes_correct, self.quotes_found),
            "quote_status": rate(self.status_right, self.statuses),
            "false_misquote_alerts": self.false_alerts,
            "missed_misquotes": self.missed_misquotes,
            "quote_time_error": {
                "median": _stat(self.quote_errors, "median"),
                "max": _stat(self.quote_errors, "max"),
                "n": len(self.quote_errors),
            },
            "names_right": rate(self.names_right, self.mentions),
            "names_inserted": self.names_inserted,
            "revisits": rate(self.revisits_found, self.revisits_true),
            "align_seconds": self.align_seconds,
        }


def _stat(values: list[float], how: str) -> float | None:
    if not values:
        return None
    if how == "median":
        return float(statistics.median(values))
    if how == "mean":
        return float(statistics.fmean(values))
    if how == "p90":
        return float(np.percentile(values, 90))
    return float(max(values))


def find_paragraph(article: Article, first_words: str, index: int) -> int | None:
    """The index, in ``article``, of the truth paragraph that starts ``first_words``."""
    want = tokens(first_words)
    hits = [p.index for p in article.paragraphs if tokens(p.text)[: len(want)] == want]
    if index in hits:
        return index
    return hits[0] if hits else None


def overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and b0 < a1


def iou(a0: float, a1: float, b0: float, b1: float) -> float:
    inter = max(0.0, min(a1, b1) - max(a0, b0))
    union = max(a1, b1) - min(a0, b0)
    return inter / union if union > 0 else 0.0


def score_paragraphs(score: Score, truth: dict, article: Article, result: Alignment) -> None:
    truth_of: dict[int, dict] = {}
    for tp in truth["paragraphs"]:
        index = find_paragraph(article, tp["first_words"], tp["index"])
        if index is None:
            score.notes.append(f"truth paragraph not in the article: {tp['first_words']!r}")
            continue
        truth_of[index] = tp
    rows = score.details.setdefault("paragraphs", [])
    for m in result.paragraphs:
        tp = truth_of.get(m.index)
        true_discussed = bool(tp and tp["discussed"])
        score.flags += 1
        score.flags_right += m.discussed == true_discussed
        found = m.discussed and m.start is not None and m.end is not None
        overlap = None
        if true_discussed and tp is not None:
            overlap = iou(tp["start"], tp["end"], m.start, m.end) if found else 0.0  # type: ignore[arg-type]
            score.ious.append(overlap)
            if found:
                score.start_errors.append(abs(m.start - tp["start"]))  # type: ignore[operator]
        rows.append(
            {
                "index": m.index,
                "true_discussed": true_discussed,
                "true_start": tp["start"] if tp else None,
                "true_end": tp["end"] if tp else None,
                "discussed": m.discussed,
                "start": m.start,
                "end": m.end,
                "iou": overlap,
                "score": m.score,
            }
        )
        if m.discussed != true_discussed:
            what = "missed" if true_discussed else "found but not discussed"
            score.notes.append(f"paragraph {m.index} {what}")
        elif true_discussed and found and abs(m.start - tp["start"]) > 3.0:  # type: ignore[index,operator]
            score.notes.append(
                f"paragraph {m.index} starts at {m.start:.1f} s, truth {tp['start']:.1f} s"  # type: ignore[index]
            )
        for t0, t1 in tp["spans"][1:] if tp else []:
            score.revisits_true += 1
            if any(overlaps(r0, r1, t0, t1) for r0, r1 in m.revisits):
                score.revisits_found += 1
            else:
                score.notes.append(f"paragraph {m.index}: revisit at {t0:.1f} s missed")


def _truth_quote(truth_quotes: list[dict], k: int, text: str) -> dict | None:
    """The truth entry of the article's ``k``-th quote, ``text``."""
    want = tokens(text)
    if k < len(truth_quotes) and tokens(truth_quotes[k]["text"]) == want:
        return truth_quotes[k]
    return next((q for q in truth_quotes if tokens(q["text"]) == want), None)


def score_quotes(score: Score, truth: dict, result: Alignment) -> None:
    rows = score.details.setdefault("quotes", [])
    true_quotes = truth["quotes"]
    seen = set()
    for k, q in enumerate(result.quotes):
        tq = _truth_quote(true_quotes, k, q.text)
        if tq is None:
            score.notes.append(f"quote not in the truth: {q.text[:50]!r}")
            continue
        seen.add(id(tq))
        spoken = tq["status"] != "not_spoken"
        found = q.status != "not_found" and q.start is not None and q.end is not None
        where = found and spoken and overlaps(q.start, q.end, tq["start"], tq["end"])  # type: ignore[arg-type]
        score.quotes_spoken += spoken
        score.quotes_found += found
        score.quotes_correct += where
        score.quotes_recalled += where
        want = "not_found" if not spoken else tq["status"]
        right = (not spoken and not found) or (where and q.status == want)
        score.statuses += 1
        score.status_right += right
        partial_only = all(c["kind"] == "partial" for c in tq["changes"])
        alert = tq["status"] == "verbatim" and q.status == "near"
        missed = tq["status"] == "near" and not partial_only and q.status == "verbatim"
        score.false_alerts += alert
        score.missed_misquotes += missed
        err = None
        if where:
            err = max(abs(q.start - tq["start"]), abs(q.end - tq["end"]))  # type: ignore[operator]
            score.quote_errors.append(err)
        rows.append(
            {
                "text": q.text,
                "true_status": tq["status"],
                "changes": tq["changes"],
                "true_start": tq["start"],
                "true_end": tq["end"],
                "status": q.status,
                "start": q.start,
                "end": q.end,
                "score": q.score,
                "heard": q.heard,
                "differences": q.differences,
                "right": right,
                "time_error": err,
            }
        )
        label = f"{q.text[:45]!r}"
        if found and not where:
            at = f"at {q.start} s" + (f", truth {tq['start']} s" if spoken else ", not spoken")
            score.notes.append(f"quote {q.status} {at}: {label}")
        elif spoken and not found:
            score.notes.append(f"quote missed ({tq['status']}, at {tq['start']} s): {label}")
        elif alert:
            score.notes.append(f"false misquote alert {q.differences}: {label}")
        elif where and q.status != tq["status"]:
            score.notes.append(f"quote {q.status}, truth {tq['status']} {tq['changes']}: {label}")
    for tq in true_quotes:
        if id(tq) not in seen:
            score.notes.append(
                f"truth quote the article reader no longer finds: {tq['text'][:50]!r}"
            )


def score_names(score: Score, truth: dict, transcript: Transcript) -> None:
    toks = [(t, w.start) for w in transcript.words for t in name_tokens(w.word)]
    vocab = {t for n in truth["names"] for t in name_tokens(n)}
    used: set[int] = set()
    rows = score.details.setdefault("names", [])
    for m in sorted(truth["mentions"], key=lambda m: m["start"]):
        want = name_tokens(m["spoken"])
        n = len(want)
        best = None
        for i in range(len(toks) - n + 1):
            gap = abs(toks[i][1] - m["start"])
            if gap > NAME_WINDOW or any(j in used for j in range(i, i + n)):
                continue
            if [t for t, _ in toks[i : i + n]] == want and (best is None or gap < best[1]):
                best = (i, gap)
        score.mentions += 1
        heard = " ".join(
            w.word.strip() for w in transcript.words if abs(w.start - m["start"]) <= 1.5
        )
        if best is not None:
            score.names_right += 1
            used.update(range(best[0], best[0] + n))
        else:
            score.notes.append(f"name {m['spoken']!r} at {m['start']:.1f} s heard as {heard!r}")
        rows.append({**m, "right": best is not None, "heard": heard})
    for i, (t, start) in enumerate(toks):
        if t not in vocab or i in used:
            continue
        if any(
            abs(m["start"] - start) <= NAME_WINDOW and t in name_tokens(m["spoken"])
            for m in truth["mentions"]
        ):
            continue
        score.names_inserted += 1
        score.notes.append(f"name word {t!r} inserted at {start:.1f} s")
        rows.append({"inserted": t, "start": start})


def score_case(
    name: str, truth: dict, article: Article, result: Alignment, transcript: Transcript
) -> Score:
    score = Score(name)
    score_paragraphs(score, truth, article, result)
    score_quotes(score, truth, result)
    score_names(score, truth, transcript)
    return score


def speaker_names(truth: dict) -> list[str]:
    return [s["name"] for s in truth.get("speakers", [])]


def load_transcript(
    truth: dict, article: Article, engine: str, model: str, keep: Path | None
) -> Transcript:
    """The case's transcript: from ``keep`` when it holds one, else transcribed (and kept)."""
    kept = keep / f"{truth['name']}.{engine}.{model}.json" if keep is not None else None
    if kept is not None and kept.is_file():
        return Transcript.load(kept)
    transcript = transcribe_as_build(
        ROOT / truth["audio"], article, speaker_names(truth), model, engine
    )
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(transcript.to_dict(), ensure_ascii=False), encoding="utf-8")
    return transcript


def run_case(path: Path, engine: str, args: argparse.Namespace) -> tuple[Score, Health]:
    truth = load_truth(path)
    article = read_article(ROOT / truth["article"])
    print(f"  {engine}: {truth['name']}", file=sys.stderr, flush=True)
    transcript = load_transcript(truth, article, engine, args.model, args.transcripts)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = align(transcript, article)
        times.append(time.perf_counter() - t0)
    if not args.text_only:
        # The quote check as the build runs it: the acoustic check on the case's audio.
        from toolkit.align.acoustic import CachedScorer, whisper_scorer
        from toolkit.hashing import file_sha256

        audio = ROOT / truth["audio"]
        scorer = CachedScorer(whisper_scorer(audio, transcript, args.model), file_sha256(audio))
        result = align(transcript, article, scorer=scorer)
    score = score_case(truth["name"], truth, article, result, transcript)
    score.align_seconds = statistics.median(times)
    health = segment_health(transcript, truth["name"])
    if args.verbose:
        print_details(truth["name"], engine, score, health)
    return score, health


def print_details(name: str, engine: str, score: Score, health: Health) -> None:
    def t(x: float | None) -> str:
        return "      -" if x is None else f"{x:7.1f}"

    print(f"--- {name} ({engine})")
    for p in score.details.get("paragraphs", []):
        o = "    " if p["iou"] is None else f"{p['iou']:.2f}"
        print(f"  p{p['index']:<3} truth {t(p['true_start'])} {t(p['true_end'])}  "
              f"found {t(p['start'])} {t(p['end'])}  IoU {o}  score {p['score']:.2f}")  # fmt: skip
    for q in score.details.get("quotes", []):
        mark = "ok" if q["right"] else "XX"
        print(f"  {mark} quote truth {q['true_status']:10} {t(q['true_start'])}  found "
              f"{q['status']:9} {t(q['start'])}  {q['text'][:50]!r}")  # fmt: skip
        for d in q["differences"]:
            print(f"       {d}")
    for n in score.details.get("names", []):
        if "inserted" in n:
            print(f"  XX name inserted {n['inserted']!r} at {n['start']:.1f} s")
        else:
            mark = "ok" if n["right"] else "XX"
            print(f"  {mark} name {n['spoken']!r} at {n['start']:.1f} s: heard {n['heard']!r}")
    for ex in health.examples:
        print(f"  segments: {ex}")
    for note in score.notes:
        print(f"  ! {note}")


def _f(x: float | None, fmt: str = ".2f") -> str:
    return "-" if x is None else format(x, fmt)


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}% {num}/{den}" if den else "-"


HEAD = ("case", "start med", "p90", "IoU", "discussed", "q recall", "q precision",
        "q status", "false alerts", "q err med", "q err max", "names right",
        "names ins", "revisits", "align s")  # fmt: skip


def table_row(s: Score) -> tuple[str, ...]:
    return (
        s.name,
        _f(_stat(s.start_errors, "median")),
        _f(_stat(s.start_errors, "p90")),
        _f(_stat(s.ious, "mean")),
        _pct(s.flags_right, s.flags),
        _pct(s.quotes_recalled, s.quotes_spoken),
        _pct(s.quotes_correct, s.quotes_found),
        _pct(s.status_right, s.statuses),
        str(s.false_alerts),
        _f(_stat(s.quote_errors, "median")),
        _f(_stat(s.quote_errors, "max")),
        _pct(s.names_right, s.mentions),
        str(s.names_inserted),
        f"{s.revisits_found}/{s.revisits_true}",
        f"{s.align_seconds:.3f}",
    )


def verdict(total: Score, health: list[Health]) -> list[dict[str, Any]]:
    """Each of issue 10's targets: the pooled figure, the target, and whether it is met."""

    def rate(num: int, den: int) -> float | None:
        return num / den if den else None

    figures = [
        ("quote status", rate(total.status_right, total.statuses), ">=", "quote_status"),
        ("false misquote alerts", total.false_alerts, "<=", "false_alerts"),
        ("quote recall", rate(total.quotes_recalled, total.quotes_spoken), ">=", "quote_recall"),
        ("quote precision", rate(total.quotes_correct, total.quotes_found), ">=",
         "quote_precision"),
        ("quote time error max", _stat(total.quote_errors, "max"), "<=", "quote_time_max"),
        ("paragraph start median", _stat(total.start_errors, "median"), "<=", "start_median"),
        ("paragraph start p90", _stat(total.start_errors, "p90"), "<=", "start_p90"),
        ("paragraph IoU", _stat(total.ious, "mean"), ">=", "iou"),
        ("discussed accuracy", rate(total.flags_right, total.flags), ">=", "discussed"),
        ("names right", rate(total.names_right, total.mentions), ">=", "names_right"),
        ("names inserted", total.names_inserted, "<=", "names_inserted"),
        ("overlapping segments", sum(h.overlaps for h in health), "<=", "overlaps"),
        ("non-monotonic words", sum(h.non_monotonic for h in health), "<=", "non_monotonic"),
        ("duplicates at joins", sum(h.duplicated_words for h in health), "<=", "duplicates"),
    ]  # fmt: skip
    out = []
    for label, value, op, key in figures:
        target = TARGETS[key]
        ok = value is None or (value >= target if op == ">=" else value <= target)
        out.append({"figure": label, "value": value, "target": f"{op} {target}", "met": ok})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("openai", "faster", "both"), default="both")
    parser.add_argument("--model", default="base", help="Whisper model (default base)")
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="align() runs to time")
    parser.add_argument(
        "--text-only",
        action="store_true",
        help="score the quotes without the acoustic check (the build runs it by default)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="per-paragraph detail")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument(
        "--transcripts",
        type=Path,
        help="keep each case's transcript in this folder and reuse it from there, so that "
        "aligner versions compare on the same transcripts whatever the transcriber does",
    )
    args = parser.parse_args()

    paths = sorted(CASES.glob("*/truth.json"))
    if args.case:
        paths = [p for p in paths if p.parent.name in args.case]
    engines = ("openai", "faster") if args.engine == "both" else (args.engine,)
    report: dict[str, Any] = {
        "model": args.model,
        "names_passed": accepts_names(),
        **git_state(),
        "engines": {},
    }
    summary: list[tuple[str, list[dict[str, Any]]]] = []
    for engine in engines:
        scores, healths = [], []
        for p in paths:
            score, health = run_case(p, engine, args)
            scores.append(score)
            healths.append(health)
        total = Score("overall")
        for s in scores:
            total.add(s)
        passed = "passed to" if accepts_names() else "not taken by"
        print(f"\n{engine} engine, model {args.model}, {len(scores)} cases "
              f"(speaker names {passed} the toolkit)")  # fmt: skip
        print_rows(HEAD, [table_row(s) for s in [*scores, total]], total_from=len(scores))
        print(f"\nsegment health ({engine})")
        print_health(healths)
        checks = verdict(total, healths)
        summary.append((engine, checks))
        missed = [c["figure"] for c in checks if not c["met"]]
        print(
            f"\ntargets ({engine}): "
            + ("all met" if not missed else "missed: " + ", ".join(missed))
        )
        if not args.verbose:
            for s in scores:
                for note in s.notes:
                    print(f"  {s.name}: {note}")
        report["engines"][engine] = {
            "cases": {
                s.name: {**s.figures(), "details": s.details, "notes": s.notes} for s in scores
            },
            "overall": total.figures(),
            "segment_health": {h.name: h.to_dict() for h in healths},
            "verdict": checks,
        }
    if len(summary) > 1:
        print("\nverdict (issue 10 targets, overall rows)")
        head = ("figure", "target", *[e for e, _ in summary])
        rows = []
        for k, check in enumerate(summary[0][1]):
            cells = []
            for _, checks in summary:
                c = checks[k]
                v = c["value"]
                shown = "-" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))
                cells.append(f"{shown} {'ok' if c['met'] else 'MISS'}")
            rows.append((check["figure"], check["target"], *cells))
        print_rows(head, rows)
    if args.json:
        args.json.write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
