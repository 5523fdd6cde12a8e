"""Build the synthesized discussion cases and their ``truth.json``.

A discussion case is a folder ``bench/cases/<name>/`` holding a conversation
``script.json`` (the format of ``tools/sample_episode/script.json``; its
``article`` key names the article, relative to the project root). For each case
this speaks the script with ``tools/make_sample_episode.py``'s synthesizer into
``audio.mp3`` (32 kbit/s, to keep the files small) with that tool's per-line
``ground_truth.json``, then derives the common ``truth.json`` from it (format
in ``truth.py``).

A script may say more than that tool reads:

* ``people``: the article's people whose names may be said (the speakers'
  names are added to them); every time one is said becomes a timed mention;
* a line's ``quotes`` may hold, beside verbatim pieces of the article, a
  misquote: ``{"article": "<a verbatim piece of an article quote>",
  "spoken": "<what the line says instead>", "changes": [{"kind": "number" |
  "negation" | "word", "article": "...", "spoken": "..."}]}``. The line's
  text holds the spoken words; the changes must be real differences between
  the two.

The tool itself refuses a quote that is not verbatim, so its checks are
redone here (allowing misquotes) and its ``build`` is called directly, with
the spoken words as the line's quotes; the audio and per-line truth are
the same bytes the tool writes for a script without misquotes.

The ``sample`` case is the sample show's own episode: its audio and per-line
truth are made by ``tools/make_sample_episode.py`` with no options, so here only
its ``truth.json`` is derived, pointing at those files (its people are listed
here, as its script is the tool's).

    .venv/bin/python bench/cases/make_discussion.py [CASE ...]

With no case names it rebuilds every discussion case. The output is
deterministic, so a rebuild changes no bytes unless a script changed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "tools"))

import make_sample_episode as gen  # noqa: E402
from truth import (  # noqa: E402
    CASES,
    ROOT,
    find_mentions,
    from_script_truth,
    tokens,
    write_truth,
)

SAMPLE_SCRIPT = ROOT / "tools" / "sample_episode" / "script.json"
SAMPLE_TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"
BITRATE = "32k"
# The sample article's people (its script is the tool's, so they are listed here).
SAMPLE_PEOPLE = [
    "Kimihiro Ishikane",
    "Naoko Kumagai",
    "Yoshimasa Hayashi",
    "Amina Mohammed",
    "Fumio Kishida",
    "Shino Mitsuko",
    "Margot Wallstrom",
    "Vladimir Putin",
    "Damilola Banjo",
    "Kelechukwu Ogu",
]
MISQUOTE_KINDS = ("number", "negation", "word")


def spoken_quote(entry: str | dict[str, Any]) -> str:
    """The words a line's quote entry says aloud."""
    return entry if isinstance(entry, str) else entry["spoken"]


def check_script(script: dict[str, Any], article_path: Path) -> None:
    """``make_sample_episode.load_script``'s checks, allowing misquotes."""
    article, paragraphs = gen.article_paragraphs(article_path)
    speakers = script.get("speakers", {})
    if not speakers:
        raise gen.ScriptError("the script has no speakers")
    for role, who in speakers.items():
        if not {"name", "voice"} <= set(who):
            raise gen.ScriptError(f"speakers.{role} needs a name and a voice")
    for i, line in enumerate(script["lines"]):
        if line["speaker"] not in speakers:
            raise gen.ScriptError(f"line {i}: unknown speaker {line['speaker']!r}")
        para = line.get("paragraph")
        if para is not None and not any(p.startswith(para) for p in paragraphs):
            raise gen.ScriptError(f"line {i}: no article paragraph starts with {para!r}")
        for entry in line.get("quotes", []):
            piece = entry if isinstance(entry, str) else entry["article"]
            if piece not in article:
                raise gen.ScriptError(f"line {i}: quote is not verbatim in the article: {piece!r}")
            if spoken_quote(entry) not in line["text"]:
                raise gen.ScriptError(f"line {i}: quote is not spoken in the line: {entry!r}")
            if isinstance(entry, dict):
                check_misquote(i, entry)


def check_misquote(i: int, entry: dict[str, Any]) -> None:
    """A misquote's changes are real: its words differ, each change where it says."""
    if tokens(entry["article"]) == tokens(entry["spoken"]):
        raise gen.ScriptError(f"line {i}: a misquote that says the article's words: {entry!r}")
    if not entry.get("changes"):
        raise gen.ScriptError(f"line {i}: a misquote without changes: {entry!r}")
    for change in entry["changes"]:
        if change["kind"] not in MISQUOTE_KINDS:
            raise gen.ScriptError(f"line {i}: unknown change kind {change['kind']!r}")
        for side in ("article", "spoken"):
            want, have = tokens(change[side]), tokens(entry[side])
            if want and not any(have[k : k + len(want)] == want for k in range(len(have))):
                raise gen.ScriptError(f"line {i}: {change[side]!r} is not in the {side} words")


def generator_script(script: dict[str, Any]) -> dict[str, Any]:
    """The script as ``make_sample_episode.build`` reads it: quotes as spoken."""
    lines = [
        {**line, "quotes": [spoken_quote(q) for q in line.get("quotes", [])]}
        for line in script["lines"]
    ]
    return {**script, "lines": lines}


def case_names(script: dict[str, Any], people: list[str]) -> list[str]:
    """The case's names: the speakers', then the article's people."""
    names = [who["name"] for who in script["speakers"].values()]
    return names + [p for p in people if p not in names]


def mention_times(
    script: dict[str, Any], lines_truth: dict[str, Any], names: list[str], workdir: Path
) -> list[dict[str, Any]]:
    """Every mention of ``names`` with its estimated start and end (see truth.py).

    Each line with a mention is cut into the chunks ``build`` spoke, which are
    spoken again (espeak-ng is deterministic) to find where each chunk starts
    in the line; the result is checked against the line's true length. Then
    the chunk's words before the name, and up to its end, are spoken on their
    own: their lengths give the name's place in the chunk.
    """
    rate = gen.FRAME_RATE
    out: list[dict[str, Any]] = []
    n_wav = 0
    for index, (line, timed) in enumerate(zip(script["lines"], lines_truth["lines"], strict=True)):
        chunks = gen.split_line(line["text"], line.get("quotes", []))
        found = [
            (c, m) for c, chunk in enumerate(chunks) for m in find_mentions(chunk.speak, names)
        ]
        if not found:
            continue
        who = script["speakers"][line["speaker"]]
        pitch = who.get("pitch")

        def length(text: str, who: dict[str, Any] = who, pitch: Any = pitch) -> int:
            nonlocal n_wav
            if not text.strip(".,;:?!\"' "):
                return 0
            n_wav += 1
            wav = workdir / f"mention{n_wav:04d}.wav"
            seg = gen.synthesize(
                text, who["voice"], int(who.get("speed", 155)), wav,
                None if pitch is None else int(pitch),
            )  # fmt: skip
            return len(seg.raw_data) // 2

        starts, pos, prev = [], 0, ""
        for chunk in chunks:
            if prev:
                pause = gen.SENTENCE_PAUSE if prev[-1] in ".?!" else gen.CLAUSE_PAUSE
                pos += round(pause * rate)
            starts.append(pos)
            pos += length(chunk.speak)
            prev = chunk.speak
        if abs(pos / rate - (timed["end"] - timed["start"])) > 0.002:
            raise RuntimeError(f"line {index}: its chunks do not add up to its length")
        for c, m in found:
            speak = chunks[c].speak
            start = starts[c] + length(speak[: m.offset])
            end = starts[c] + length(speak[: m.offset + len(m.spoken)])
            out.append(
                {
                    "name": m.name,
                    "spoken": m.spoken,
                    "line": index,
                    "start": round(timed["start"] + start / rate, 3),
                    "end": round(timed["start"] + end / rate, 3),
                }
            )
    return out


def build_sample() -> Path:
    script = json.loads(SAMPLE_SCRIPT.read_text(encoding="utf-8"))
    lines = json.loads(SAMPLE_TRUTH.read_text(encoding="utf-8"))
    names = case_names(script, SAMPLE_PEOPLE)
    with tempfile.TemporaryDirectory(prefix="case-sample-") as work:
        mentions = mention_times(script, lines, names, Path(work))
    source = SAMPLE_TRUTH.relative_to(ROOT).as_posix()
    truth = from_script_truth("sample", script, lines, source, names, mentions)
    dest = CASES / "sample" / "truth.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_truth(truth, dest)
    return dest


def build_case(name: str) -> Path:
    folder = CASES / name
    script = json.loads((folder / "script.json").read_text(encoding="utf-8"))
    article = ROOT / script["article"]
    out, lines_path = folder / "audio.mp3", folder / "ground_truth.json"
    check_script(script, article)
    spoken = generator_script(script)
    names = case_names(script, script.get("people", []))
    with tempfile.TemporaryDirectory(prefix=f"case-{name}-") as work:
        audio, lines = gen.build(spoken, Path(work))
        mentions = mention_times(spoken, lines, names, Path(work))
    lines["audio"] = gen.display_path(out)
    lines["article"] = gen.display_path(article)
    if not gen.MIN_SECONDS <= lines["duration"] <= gen.MAX_SECONDS:
        print(f"warning: {name} is {lines['duration']:.1f} s long", file=sys.stderr)
    gen.export_mp3(audio, out, BITRATE)
    gen.write_json(lines, lines_path)
    source = lines_path.relative_to(ROOT).as_posix()
    truth = from_script_truth(name, script, lines, source, names, mentions)
    write_truth(truth, folder / "truth.json")
    return folder / "truth.json"


def discussion_cases() -> list[str]:
    return ["sample"] + sorted(p.parent.name for p in CASES.glob("*/script.json"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all discussion cases)")
    args = parser.parse_args()
    for name in args.cases or discussion_cases():
        dest = build_sample() if name == "sample" else build_case(name)
        truth = json.loads(dest.read_text(encoding="utf-8"))
        print(
            f"wrote {dest.relative_to(ROOT)}: {truth['duration']:.1f} s, "
            f"{sum(p['discussed'] for p in truth['paragraphs'])}/{len(truth['paragraphs'])} "
            f"paragraphs discussed, quotes "
            + ", ".join(
                f"{s} {sum(q['status'] == s for q in truth['quotes'])}"
                for s in ("verbatim", "near", "not_spoken")
            )
            + f", {len(truth['mentions'])} name mentions"
        )


if __name__ == "__main__":
    main()
