"""Build the ``reading`` case: eight LJ Speech clips read in a row, their text as the article.

The clips LJ001-0001 to LJ001-0008 (``../shared/data/speech/``, public domain)
are consecutive pieces of three sentences of one essay. They are joined in
order, with 0.5 s of silence before the first, between each two and after the
last, into ``bench/cases/reading/audio.mp3`` (mono, 22.05 kHz, 32 kbit/s).

The article, ``article.md``, has one paragraph per sentence: clips are grouped
until one's text ends a sentence (``.``, ``?`` or ``!``), which gives three
paragraphs of 31, 63 and 36 words (clips 1-2, 3-5 and 6-8). A paragraph per
clip would make fragments such as "has never been surpassed." into paragraphs,
which no article has. The scare-quoted title in the last sentence ("forty-two
line Bible") is a name, not a quotation, so the case has no quotes.

``truth.json`` gives each paragraph's start and end from the join offsets: the
first sample of its first clip and the last sample of its last. The clips are
already trimmed (speech starts within 20 ms of each clip's start), so these are
the true speech boundaries to within 20 ms.

    .venv/bin/python bench/cases/make_reading.py [--speech DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from pydub import AudioSegment

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "tools"))

from make_sample_episode import FRAME_RATE, export_mp3, seconds, silence  # noqa: E402
from truth import CASES, ROOT, make_truth, write_truth  # noqa: E402

from toolkit.article import read_article  # noqa: E402

CLIPS = [f"LJ001-{n:04d}.wav" for n in range(1, 9)]
GAP = 0.5  # seconds of silence before, between and after the clips
BITRATE = "32k"
TITLE = "Printing"
DEFAULT_SPEECH = ROOT.parent / "shared" / "data" / "speech"


def read_manifest(speech: Path) -> dict[str, dict[str, str]]:
    with open(speech / "MANIFEST.tsv", newline="", encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def sentences(texts: list[str]) -> list[list[int]]:
    """Group clip indices into sentences: a group ends at a clip ending in . ? or !"""
    groups: list[list[int]] = [[]]
    for k, text in enumerate(texts):
        groups[-1].append(k)
        if text.rstrip().endswith((".", "?", "!")) and k < len(texts) - 1:
            groups.append([])
    return groups


def write_manifest(folder: Path, rows: list[dict[str, str]]) -> None:
    lines = [
        "# The reading case",
        "",
        "Built by `bench/cases/make_reading.py` from the LJ Speech clips below, joined in",
        f"order with {GAP} s of silence around each; `article.md` is their reference text,",
        "one paragraph per sentence. Licence and source of each clip, as given in",
        "`../shared/data/speech/MANIFEST.tsv`:",
        "",
        "| file | duration (s) | speaker | source | licence |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['file']} | {row['duration_s']} | {row['speaker']} | "
            f"{row['source']} | {row['license']} |"
        )
    lines += ["", "The joined audio and the article are likewise in the public domain.", ""]
    (folder / "MANIFEST.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech", type=Path, default=DEFAULT_SPEECH, help="LJ Speech clips")
    args = parser.parse_args()
    manifest = read_manifest(args.speech)
    rows = [manifest[name] for name in CLIPS]
    texts = [row["reference_text"].strip() for row in rows]
    groups = sentences(texts)

    folder = CASES / "reading"
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(" ".join(texts[k] for k in group) for group in groups)
    article_path = folder / "article.md"
    article_path.write_text(f"# {TITLE}\n\n{body}\n", encoding="utf-8")

    pieces = [silence(GAP)]
    pos = len(pieces[0].raw_data) // 2
    clip_span: list[tuple[float, float]] = []
    for name in CLIPS:
        clip = AudioSegment.from_wav(args.speech / name).set_channels(1).set_sample_width(2)
        clip = clip.set_frame_rate(FRAME_RATE)
        start = pos
        pieces += [clip, silence(GAP)]
        pos += len(clip.raw_data) // 2
        clip_span.append((seconds(start), seconds(pos)))
        pos += len(pieces[-1].raw_data) // 2
    audio = sum(pieces[1:], pieces[0])
    export_mp3(audio, folder / "audio.mp3", BITRATE)

    article = read_article(article_path)
    if len(article.paragraphs) != len(groups):
        raise SystemExit(f"the reader kept {len(article.paragraphs)} of {len(groups)} paragraphs")
    spans = {
        p.index: [[clip_span[group[0]][0], clip_span[group[-1]][1]]]
        for p, group in zip(article.paragraphs, groups, strict=True)
    }
    truth = make_truth(
        "reading", "reading", (folder / "audio.mp3").relative_to(ROOT).as_posix(),
        article_path.relative_to(ROOT).as_posix(), seconds(pos),
        "LJ Speech LJ001-0001..0008 joined by bench/cases/make_reading.py (join offsets)",
        article, spans, [],
    )  # fmt: skip
    write_truth(truth, folder / "truth.json")
    write_manifest(folder, rows)
    print(f"wrote {folder.relative_to(ROOT)}: {seconds(pos):.3f} s, {len(groups)} paragraphs")


if __name__ == "__main__":
    main()
