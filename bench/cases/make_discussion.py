"""Build the synthesized discussion cases and their ``truth.json``.

A discussion case is a folder ``bench/cases/<name>/`` holding a conversation
``script.json`` (the format of ``tools/sample_episode/script.json``; its
``article`` key names the article, relative to the project root). For each case
this speaks the script with ``tools/make_sample_episode.py`` into ``audio.mp3``
(32 kbit/s, to keep the files small) with that tool's per-line
``ground_truth.json``, then derives the common ``truth.json`` from it.

The ``sample`` case is the sample show's own episode: its audio and per-line
truth are made by ``tools/make_sample_episode.py`` with no options, so here only
its ``truth.json`` is derived, pointing at those files.

    .venv/bin/python bench/cases/make_discussion.py [CASE ...]

With no case names it rebuilds every discussion case. The output is
deterministic, so a rebuild changes no bytes unless a script changed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from truth import CASES, ROOT, from_script_truth, write_truth  # noqa: E402

GENERATOR = ROOT / "tools" / "make_sample_episode.py"
SAMPLE_TRUTH = ROOT / "tools" / "sample_episode" / "ground_truth.json"
BITRATE = "32k"


def build_sample() -> Path:
    lines = json.loads(SAMPLE_TRUTH.read_text(encoding="utf-8"))
    truth = from_script_truth("sample", lines, SAMPLE_TRUTH.relative_to(ROOT).as_posix())
    dest = CASES / "sample" / "truth.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_truth(truth, dest)
    return dest


def build_case(name: str) -> Path:
    folder = CASES / name
    script = json.loads((folder / "script.json").read_text(encoding="utf-8"))
    article = ROOT / script["article"]
    lines_path = folder / "ground_truth.json"
    cmd = [sys.executable, str(GENERATOR), "--script", str(folder / "script.json"),
           "--article", str(article), "--out", str(folder / "audio.mp3"),
           "--truth", str(lines_path), "--bitrate", BITRATE]  # fmt: skip
    subprocess.run(cmd, check=True)
    lines = json.loads(lines_path.read_text(encoding="utf-8"))
    truth = from_script_truth(name, lines, lines_path.relative_to(ROOT).as_posix())
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
        print(f"wrote {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
