"""How well does toolkit.align map articles onto real episodes? Scored on labelled cases.

Each case under ``bench/cases/<name>/`` has audio, an article and a
``truth.json`` (format in ``bench/cases/truth.py``). For every case this
transcribes the audio with the toolkit (Whisper ``base`` by default; the
transcript cache makes a re-run cheap), reads the article, times ``align()``
and scores the result against the truth:

* **paragraph start error**: ``|found start - true start|`` over the paragraphs
  the episode really discusses and the aligner also marks discussed (median and
  p90, linear interpolation; a discussed paragraph the aligner misses counts
  against accuracy instead);
* **discussed accuracy**: paragraphs whose discussed / not-discussed flag is
  right, over every paragraph the article reader keeps;
* **quote recall and precision**: a found quote (status verbatim or near) is
  correct when it is one of the quotes read aloud (the article's quote and the
  spoken one share their words) and its time overlaps the true time. Recall is
  the share of quotes read aloud found correctly; precision the share of found
  quotes that are correct;
* **quote start error**: ``|found start - true start|`` of the correct ones;
* **revisits**: later stretches on a paragraph (after its first discussion)
  that the aligner reports among the paragraph's revisits (for information; the
  issue sets no target);
* **align() time**: the median of ``--repeat`` runs (this machine is shared;
  treat it as a rough figure).

The overall row pools the paragraphs and quotes of every case (and adds up the
align() times). Targets (issue
4): start error median <= 3 s and p90 <= 8 s, accuracy >= 90 %, quote recall
and precision >= 95 %, quote time error <= 1 s.

    .venv/bin/python bench/align_eval.py [--model base] [--case NAME ...] [-v]
        [--transcripts DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "cases"))

from truth import CASES, ROOT, load_truth  # noqa: E402

from toolkit.align import Alignment, align, normalise_words  # noqa: E402
from toolkit.article import Article, read_article  # noqa: E402
from toolkit.transcribe.options import TranscribeOptions  # noqa: E402
from toolkit.transcribe.run import transcribe  # noqa: E402
from toolkit.transcribe.transcript import Transcript  # noqa: E402

TARGETS = {"median": 3.0, "p90": 8.0, "accuracy": 0.90, "recall": 0.95, "precision": 0.95}
QUOTE_TIME_TARGET = 1.0


@dataclass
class Score:
    """What one case (or all of them pooled) scored."""

    name: str
    start_errors: list[float] = field(default_factory=list)
    flags_right: int = 0
    flags: int = 0
    quotes_true: int = 0
    quotes_recalled: int = 0
    quotes_found: int = 0
    quotes_correct: int = 0
    quote_errors: list[float] = field(default_factory=list)
    revisits_true: int = 0
    revisits_found: int = 0
    align_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.start_errors += other.start_errors
        self.flags_right += other.flags_right
        self.flags += other.flags
        self.quotes_true += other.quotes_true
        self.quotes_recalled += other.quotes_recalled
        self.quotes_found += other.quotes_found
        self.quotes_correct += other.quotes_correct
        self.quote_errors += other.quote_errors
        self.revisits_true += other.revisits_true
        self.revisits_found += other.revisits_found
        self.align_seconds += other.align_seconds


def _tokens(text: str) -> list[str]:
    return normalise_words(text.split()).tokens


def _contains(long: list[str], short: list[str]) -> bool:
    n = len(short)
    return n > 0 and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def same_quote(article_quote: str, spoken: str) -> bool:
    """Whether an article quote and a quote read aloud share their words.

    A host may read only part of a long quote, and the reader may cut a quote
    where the script did not, so either may contain the other.
    """
    a, b = _tokens(article_quote), _tokens(spoken)
    return _contains(a, b) or _contains(b, a)


def find_paragraph(article: Article, first_words: str, index: int) -> int | None:
    """The index, in ``article``, of the truth paragraph that starts ``first_words``."""
    want = _tokens(first_words)
    hits = [p.index for p in article.paragraphs if _tokens(p.text)[: len(want)] == want]
    if index in hits:
        return index
    return hits[0] if hits else None


def overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and b0 < a1


def score_case(name: str, truth: dict, article: Article, result: Alignment) -> Score:
    score = Score(name)
    truth_flag: dict[int, dict] = {}
    for tp in truth["paragraphs"]:
        index = find_paragraph(article, tp["first_words"], tp["index"])
        if index is None:
            score.notes.append(f"truth paragraph not in the article: {tp['first_words']!r}")
            continue
        truth_flag[index] = tp
    for m in result.paragraphs:
        tp = truth_flag.get(m.index)
        true_discussed = bool(tp and tp["discussed"])
        score.flags += 1
        score.flags_right += m.discussed == true_discussed
        if true_discussed and m.discussed and m.start is not None:
            score.start_errors.append(abs(m.start - tp["start"]))
        if m.discussed != true_discussed:
            what = "missed" if true_discussed else "found but not discussed"
            score.notes.append(f"paragraph {m.index} {what}")
        elif true_discussed and m.start is not None and abs(m.start - tp["start"]) > 3.0:
            score.notes.append(
                f"paragraph {m.index} starts at {m.start:.1f} s, truth {tp['start']:.1f} s"
            )
        for t0, t1 in tp["spans"][1:] if tp else []:
            score.revisits_true += 1
            if any(overlaps(r0, r1, t0, t1) for r0, r1 in m.revisits):
                score.revisits_found += 1
            else:
                score.notes.append(f"paragraph {m.index}: revisit at {t0:.1f} s missed")

    true_quotes = truth["quotes"]
    score.quotes_true = len(true_quotes)
    recalled = [False] * len(true_quotes)
    for q in result.quotes:
        if q.status == "not_found" or q.start is None or q.end is None:
            continue
        score.quotes_found += 1
        match = None
        for k, tq in enumerate(true_quotes):
            if same_quote(q.text, tq["text"]) and overlaps(q.start, q.end, tq["start"], tq["end"]):
                match = k
                break
        if match is None:
            score.notes.append(f"quote found where none was read: {q.text[:50]!r} at {q.start} s")
            continue
        score.quotes_correct += 1
        if not recalled[match]:
            recalled[match] = True
            score.quote_errors.append(abs(q.start - true_quotes[match]["start"]))
    score.quotes_recalled = sum(recalled)
    for tq, ok in zip(true_quotes, recalled, strict=True):
        if not ok:
            score.notes.append(f"quote missed: {tq['text'][:50]!r} at {tq['start']} s")
    return score


def load_transcript(name: str, audio: Path, model: str, keep: Path | None) -> Transcript:
    """The case's transcript: from ``keep`` when it holds one, else transcribed (and kept)."""
    kept = keep / f"{name}.{model}.json" if keep is not None else None
    if kept is not None and kept.is_file():
        return Transcript.load(kept)
    options = TranscribeOptions(model=model, language="en")
    transcript = transcribe(audio, options, progress=False).transcript
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(transcript.to_dict(), ensure_ascii=False), encoding="utf-8")
    return transcript


def run_case(path: Path, args: argparse.Namespace) -> Score:
    model, repeat, verbose = args.model, args.repeat, args.verbose
    truth = load_truth(path)
    article = read_article(ROOT / truth["article"])
    transcript = load_transcript(truth["name"], ROOT / truth["audio"], model, args.transcripts)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = align(transcript, article)
        times.append(time.perf_counter() - t0)
    score = score_case(truth["name"], truth, article, result)
    score.align_seconds = statistics.median(times)
    if verbose:
        print(f"--- {truth['name']}")
        for tp, m in zip(truth["paragraphs"], result.paragraphs, strict=False):
            found = f"{m.start:7.1f}" if m.start is not None else "      -"
            want = f"{tp['start']:7.1f}" if tp["start"] is not None else "      -"
            print(f"  p{m.index:<3} truth {want}  found {found}  score {m.score:.2f}  "
                  f"revisits {m.revisits}")  # fmt: skip
        for q in result.quotes:
            print(f"  quote {q.status:9} {q.start!s:>8} {q.score:5.1f}  {q.text[:60]!r}")
        for note in score.notes:
            print(f"  ! {note}")
    return score


def _fmt(values: list[float], how: str) -> str:
    if not values:
        return "-"
    if how == "median":
        return f"{statistics.median(values):.2f}"
    if how == "p90":
        return f"{float(np.percentile(values, 90)):.2f}"
    return f"{max(values):.2f}"


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}% ({num}/{den})" if den else "-"


def print_table(scores: list[Score]) -> None:
    head = ("case", "start med", "start p90", "discussed acc", "quote recall",
            "quote precision", "q err med", "q err max", "revisits", "align s")  # fmt: skip
    rows = [
        (
            s.name,
            _fmt(s.start_errors, "median"),
            _fmt(s.start_errors, "p90"),
            _pct(s.flags_right, s.flags),
            _pct(s.quotes_recalled, s.quotes_true),
            _pct(s.quotes_correct, s.quotes_found),
            _fmt(s.quote_errors, "median"),
            _fmt(s.quote_errors, "max"),
            f"{s.revisits_found}/{s.revisits_true}",
            f"{s.align_seconds:.3f}",
        )
        for s in scores
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for k, row in enumerate([head, *rows]):
        if k == len(rows):  # the overall row
            print("  ".join("-" * w for w in widths))
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))  # fmt: skip
        if k == 0:
            print("  ".join("-" * w for w in widths))


def verdict(total: Score) -> list[str]:
    """Which of the issue's targets the pooled score misses."""
    misses = []
    errs = total.start_errors
    if errs and statistics.median(errs) > TARGETS["median"]:
        misses.append("paragraph start error median")
    if errs and float(np.percentile(errs, 90)) > TARGETS["p90"]:
        misses.append("paragraph start error p90")
    if total.flags and total.flags_right / total.flags < TARGETS["accuracy"]:
        misses.append("discussed accuracy")
    if total.quotes_true and total.quotes_recalled / total.quotes_true < TARGETS["recall"]:
        misses.append("quote recall")
    if total.quotes_found and total.quotes_correct / total.quotes_found < TARGETS["precision"]:
        misses.append("quote precision")
    if total.quote_errors and max(total.quote_errors) > QUOTE_TIME_TARGET:
        misses.append("quote time error")
    return misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base", help="Whisper model (default base)")
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="align() runs to time")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-paragraph detail")
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
    scores = [run_case(p, args) for p in paths]
    total = Score("overall")
    for s in scores:
        total.add(s)
    print(f"\nmodel {args.model}, {len(scores)} cases")
    print_table([*scores, total])
    misses = verdict(total)
    print("\ntargets: " + ("all met" if not misses else "missed: " + ", ".join(misses)))
    if not args.verbose:
        for s in scores:
            for note in s.notes:
                print(f"  {s.name}: {note}")


if __name__ == "__main__":
    main()
