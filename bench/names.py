"""Does knowing the article help? Name accuracy and WER with and without it.

For each scripted episode and each model, the audio is transcribed twice by the
toolkit's engine (``toolkit.transcribe.run.run_engine``, ``--engine openai`` by
default; greedy with whisper's temperature fallback, word timestamps, fp32,
English), uncached:

* **plain**: no biasing;
* **prompt**: biased by ``toolkit.transcribe.bias.biased_options`` (openai-whisper:
  ``initial_prompt=prompt_for(article)`` with ``carry_initial_prompt=True``;
  faster-whisper: ``hotwords``);

and each transcript is scored as it is and after ``correct_names`` (**+fix**),
giving four conditions; a fifth, **guarded+fix**: what ``bench/biased_check.guarded``
keeps judging by the plain pass alone (the prompted pass, or it with the plain
pass filling the speech it dropped, or the plain pass), corrected; and a
sixth, **toolkit**: what the build keeps (``toolkit.transcribe.run.choose``:
the prompted pass unless voice activity detection finds more than 5 s of
speech without words in it, then it with the plain pass filling those gaps,
or the plain pass when that loops or lost too many words), corrected.
Scores, against the script (the exact spoken text):

* **names**: of the spoken occurrences of the article's names (proper nouns
  with at least one uncommon word), how many the transcript has spelled as
  the article does, at the aligned position (a word-level Levenshtein
  alignment of normalised words; a name counts when all its words align as
  equal). **rare** is the same for names Whisper's vocabulary splits
  (``is_rare_name``), the ones biasing is for.
* **extra**: words of rare names written more often than they were spoken
  (names the prompt made up, "Mohammed" for "those uninhabited").
* **WER**: word error rate after Whisper's English text normaliser.
* **fixes**: corrections made; **check**: ``bench/biased_check.check_biased``
  of the prompted pass against the plain one (ok, or the reason it fails).

Episodes: the sample episode, then every ``bench/cases/*/`` holding a
``script.json`` (or ``ground_truth.json``) that names its article. A case
without ``audio.mp3``/``audio.wav`` and ``ground_truth.json`` is synthesised
into a temporary folder with ``tools/make_sample_episode.py`` (espeak-ng).

    .venv/bin/python bench/names.py [--models tiny.en base] [--case DIR ...]
        [--engine openai|faster] [--threads 2] [--max-tokens N] [--save DIR [--reuse]] [--verbose]

``--reuse`` scores the transcripts an earlier ``--save`` run wrote instead of
transcribing again (for trying other correction rules).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.biased_check import check_biased, guarded  # noqa: E402
from toolkit.article import Article, read_article  # noqa: E402
from toolkit.audio import SAMPLE_RATE, decode  # noqa: E402
from toolkit.transcribe.bias import (  # noqa: E402
    biased_options,
    count_tokens,
    is_common_word,
    is_distinctive,
    is_rare_name,
    prompt_for,
)
from toolkit.transcribe.names import correct_names  # noqa: E402
from toolkit.transcribe.options import TranscribeOptions  # noqa: E402
from toolkit.transcribe.run import choose, run_engine  # noqa: E402
from toolkit.transcribe.transcript import Transcript  # noqa: E402
from toolkit.transcribe.vad import speech_spans  # noqa: E402

SAMPLE = ("sample", ROOT / "episodes/001-japan-security-council/audio.mp3",
          ROOT / "tools/sample_episode/ground_truth.json")  # fmt: skip


@dataclass
class Episode:
    name: str
    audio: Path
    lines: list[str]
    article: Article


def _episode(name: str, audio: Path, truth: Path) -> Episode:
    data = json.loads(truth.read_text(encoding="utf-8"))
    article = read_article(ROOT / data["article"])
    return Episode(name, audio, [line["text"] for line in data["lines"]], article)


def find_episodes(cases: list[Path], workdir: Path) -> list[Episode]:
    """The sample episode and the cases, synthesising audio a case lacks."""
    episodes = [_episode(*SAMPLE)]
    for case in cases:
        found = [case / f"audio.{ext}" for ext in ("mp3", "wav")]
        audio = next((a for a in found if a.is_file()), None)
        truth = case / "ground_truth.json"
        if truth.is_file() and "article" not in json.loads(truth.read_text(encoding="utf-8")):
            continue  # a speakers case (issue 11): no article to take names from
        if audio is not None and truth.is_file():
            episodes.append(_episode(case.name, audio, truth))
            continue
        script = case / "script.json"
        if not script.is_file():
            continue
        article = ROOT / json.loads(script.read_text(encoding="utf-8"))["article"]
        audio, truth = workdir / f"{case.name}.mp3", workdir / f"{case.name}.truth.json"
        subprocess.run(
            [sys.executable, str(ROOT / "tools/make_sample_episode.py"), "--script", str(script),
             "--article", str(article), "--out", str(audio), "--truth", str(truth)],
            check=True, capture_output=True,
        )  # fmt: skip
        episodes.append(_episode(case.name + " (synthesised)", audio, truth))
    return episodes


# --- Scoring ----------------------------------------------------------------------


def name_tokens(text: str) -> list[str]:
    """Lower-case words with possessives dropped and hyphens split: how names are compared."""
    text = re.sub(r"['’]s\b", "", text.lower())
    return re.findall(r"[a-z0-9]+", text)


def find_names(tokens: list[str], names: list[list[str]]) -> list[tuple[int, int]]:
    """(start, end) token spans of ``names`` in ``tokens``, longest names first, no overlaps."""
    spans: list[tuple[int, int]] = []
    taken: set[int] = set()
    for name in sorted(names, key=len, reverse=True):
        n = len(name)
        for i in range(len(tokens) - n + 1):
            if tokens[i : i + n] == name and taken.isdisjoint(range(i, i + n)):
                spans.append((i, i + n))
                taken.update(range(i, i + n))
    return sorted(spans)


def equal_positions(ref: list[str], hyp: list[str]) -> set[int]:
    """Reference positions that a word-level alignment matches to an equal word."""
    equal: set[int] = set()
    for op in Levenshtein.opcodes(ref, hyp):
        if op.tag == "equal":
            equal.update(range(op.src_start, op.src_end))
    return equal


@dataclass
class Score:
    names: int
    names_total: int
    rare: int
    rare_total: int
    extra: int
    wer: float
    fixes: int


def score(ref_text: str, transcript: Transcript, article: Article) -> Score:
    from whisper.normalizers import EnglishTextNormalizer

    names = [n for n in dict.fromkeys(article.proper_nouns) if is_distinctive(n)]
    tokens = {n: name_tokens(n) for n in names}
    rare = {tuple(tokens[n]) for n in names if is_rare_name(n)}
    ref, hyp = name_tokens(ref_text), name_tokens(transcript.text)
    equal = equal_positions(ref, hyp)
    spoken = find_names(ref, [t for t in tokens.values() if t])
    right = [all(k in equal for k in range(a, b)) for a, b in spoken]
    is_rare = [tuple(ref[a:b]) in rare for a, b in spoken]
    # Words of rare names written more often than they were said: names the prompt made up.
    name_words = {w for t in rare for w in t if not is_common_word(w)}
    extra = sum(max(0, hyp.count(w) - ref.count(w)) for w in name_words)
    norm = EnglishTextNormalizer()
    ref_words, hyp_words = norm(ref_text).split(), norm(transcript.text).split()
    return Score(
        names=sum(right),
        names_total=len(right),
        rare=sum(r for r, q in zip(right, is_rare, strict=True) if q),
        rare_total=sum(is_rare),
        extra=extra,
        wer=Levenshtein.distance(ref_words, hyp_words) / max(1, len(ref_words)),
        fixes=len(transcript.corrections),
    )


# --- Transcribing ------------------------------------------------------------------


def transcribe(audio: Path, options: TranscribeOptions, threads: int) -> tuple[Transcript, float]:
    """``audio`` through the toolkit's engine, uncached; the transcript and the wall time."""
    start = time.perf_counter()
    transcript = run_engine(audio, options, progress=False, threads=threads)
    return transcript, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument(
        "--case", type=Path, action="append", help="a case folder (default: bench/cases/*)"
    )
    parser.add_argument("--threads", type=int, default=2, help="CPU threads")
    parser.add_argument("--engine", default="openai", choices=["openai", "faster"])
    parser.add_argument("--max-tokens", type=int, default=None, help="prompt budget")
    parser.add_argument("--save", type=Path, help="write every transcript's JSON here")
    parser.add_argument(
        "--reuse", action="store_true", help="load plain and prompt transcripts saved in --save"
    )
    parser.add_argument("--verbose", action="store_true", help="print prompts and corrections")
    args = parser.parse_args()
    if args.reuse and not args.save:
        parser.error("--reuse needs --save DIR")

    cases = args.case or sorted(p for p in (ROOT / "bench/cases").glob("*") if p.is_dir())
    with tempfile.TemporaryDirectory() as tmp:
        episodes = find_episodes(cases, Path(tmp))
        rows = []
        for ep in episodes:
            samples = decode(ep.audio)
            speech = speech_spans(samples, SAMPLE_RATE)
            ref = " ".join(ep.lines)
            prompt = (
                prompt_for(ep.article, args.max_tokens)
                if args.max_tokens
                else prompt_for(ep.article)
            )
            print(f"# {ep.name}: {len(samples) / SAMPLE_RATE:.0f} s, "
                  f"prompt {count_tokens(prompt)} tokens", flush=True)  # fmt: skip
            if args.verbose:
                print(f"  prompt: {prompt}")
            for model_name in args.models:

                def path(cond: str, model_name: str = model_name, ep: Episode = ep) -> Path:
                    slug = re.sub(r"\W+", "-", f"{ep.name}-{model_name}-{cond}").strip("-")
                    return args.save / f"{slug}.json"

                reused = args.reuse and path("plain").is_file() and path("prompt").is_file()
                options = TranscribeOptions(model=model_name, engine=args.engine, language="en")
                if reused:
                    plain, t_plain = Transcript.load(path("plain")), 0.0
                    biased, t_biased = Transcript.load(path("prompt")), 0.0
                else:
                    plain, t_plain = transcribe(ep.audio, options, args.threads)
                    prompted = biased_options(options, ep.article)
                    assert prompted is not None, f"{ep.name}: the article has no names"
                    if args.max_tokens:
                        prompted = replace(prompted, initial_prompt=prompt, hotwords=None)
                    biased, t_biased = transcribe(ep.audio, prompted, args.threads)
                check = check_biased(biased, plain)
                kept = guarded(biased, plain)
                # What the build keeps: the prompted pass with the speech it left without
                # words filled from the plain one, or the plain one when that loops
                # (toolkit.transcribe.run.choose; the plain pass stands in for both decodings).
                built, built_outcome, _ = choose(
                    biased, speech, lambda _gaps, p=plain: p, lambda p=plain: p
                )
                runs = {
                    "plain": plain,
                    "plain+fix": correct_names(plain, ep.article),
                    "prompt": biased,
                    "prompt+fix": correct_names(biased, ep.article),
                    "guarded+fix": correct_names(kept, ep.article),
                    "toolkit": correct_names(built, ep.article),
                }
                for cond, transcript in runs.items():
                    s = score(ref, transcript, ep.article)
                    note = ""
                    if cond.startswith("prompt"):
                        note = "ok" if check.safe else check.reason
                    elif cond.startswith("guarded") and not check.safe:
                        note = "plain" if kept is plain else "gaps filled from plain"
                    elif cond == "toolkit":
                        note = built_outcome
                    wall = t_biased if cond.startswith("prompt") else t_plain
                    rows.append((ep.name, model_name, cond, s, wall, note))
                    if args.verbose and cond.endswith("+fix"):
                        for c in transcript.corrections:
                            print(f"  {model_name} {cond}: {c.start:7.2f} {c.original!r} -> "
                                  f"{c.corrected!r}")  # fmt: skip
                    if args.save and not (reused and cond in ("plain", "prompt")):
                        args.save.mkdir(parents=True, exist_ok=True)
                        path(cond).write_text(json.dumps(transcript.to_dict(), indent=1))
                print(f"  {model_name}: plain {t_plain:.0f} s, prompt {t_biased:.0f} s; "
                      f"coverage: {check}", flush=True)  # fmt: skip

    header = f"{'episode':<32} {'model':<8} {'condition':<11} {'names':>7} {'rare':>7} "
    header += f"{'extra':>5} {'WER':>6} {'fixes':>5}  check"
    print()
    print(header)
    print("-" * len(header))
    for name, model_name, cond, s, _wall, note in rows:
        print(
            f"{name:<32} {model_name:<8} {cond:<11} {s.names:>3}/{s.names_total:<3} "
            f"{s.rare:>3}/{s.rare_total:<3} {s.extra:>5} {s.wer:>6.3f} {s.fixes:>5}  {note}"
        )


if __name__ == "__main__":
    main()
