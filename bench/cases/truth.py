"""The labelled cases' common ground-truth format, ``bench/cases/<name>/truth.json``.

One file per case, whatever made it (a synthesized discussion or a reading)::

    {
      "version": 1,
      "name": "sample",
      "kind": "discussion",            # or "reading"
      "audio": "episodes/.../audio.mp3",   # paths relative to the project root
      "article": "episodes/.../article.txt",
      "duration": 194.774,
      "source": "where the truth comes from",
      "paragraphs": [                  # every paragraph the article reader keeps
        {"index": 0, "first_words": "Kimihiro Ishikane, Japan's permanent ...",
         "discussed": true,
         "start": 20.914, "end": 37.419,   # the first stretch that discusses it
         "spans": [[20.914, 37.419]]},     # every stretch, revisits included
        {"index": 3, "first_words": "...", "discussed": false,
         "start": null, "end": null, "spans": []}
      ],
      "quotes": [                      # article quotes read aloud word for word
        {"text": "...", "paragraph": 1, "start": 40.761, "end": 46.759}
      ]
    }

``index`` is the paragraph's place in ``toolkit.article.read_article(article)``
when the truth was written; ``first_words`` lets the evaluation find it again
should the reader's paragraphs ever shift. Times are seconds on the audio.

This module turns the per-line ground truth that ``tools/make_sample_episode.py``
writes into that format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolkit.article import Article, read_article

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "bench" / "cases"
VERSION = 1
FIRST_WORDS = 8


def first_words(text: str, n: int = FIRST_WORDS) -> str:
    """The first ``n`` words of a paragraph, enough to find it again."""
    return " ".join(text.split()[:n])


def paragraph_index(article: Article, prefix: str) -> int:
    """The index of the article paragraph that starts with ``prefix``."""
    for p in article.paragraphs:
        if p.text.startswith(prefix):
            return p.index
    raise ValueError(f"no paragraph of {article.source} starts with {prefix!r}")


def _spans(lines: list[dict[str, Any]], index_of: dict[int, int | None]) -> dict[int, list]:
    """Each paragraph's stretches: runs of consecutive lines that discuss it."""
    spans: dict[int, list[list[float]]] = {}
    prev: int | None = None
    for k, line in enumerate(lines):
        para = index_of[k]
        if para is not None:
            if para == prev:
                spans[para][-1][1] = line["end"]
            else:
                spans.setdefault(para, []).append([line["start"], line["end"]])
        prev = para
    return spans


def from_script_truth(name: str, lines_truth: dict[str, Any], source: str) -> dict[str, Any]:
    """The common truth for a case made by ``tools/make_sample_episode.py``.

    ``lines_truth`` is that tool's ground truth: per line its start, end, the
    first words of the paragraph it discusses (or null) and its quotes' times.
    """
    article = read_article(ROOT / lines_truth["article"])
    lines = lines_truth["lines"]
    index_of = {
        k: None if line["paragraph"] is None else paragraph_index(article, line["paragraph"])
        for k, line in enumerate(lines)
    }
    spans = _spans(lines, index_of)
    quotes = [
        {"text": q["text"], "paragraph": index_of[k], "start": q["start"], "end": q["end"]}
        for k, line in enumerate(lines)
        for q in line["quotes"]
    ]
    return make_truth(
        name, "discussion", lines_truth["audio"], lines_truth["article"],
        lines_truth["duration"], source, article, spans, quotes,
    )  # fmt: skip


def make_truth(
    name: str,
    kind: str,
    audio: str,
    article_path: str,
    duration: float,
    source: str,
    article: Article,
    spans: dict[int, list[list[float]]],
    quotes: list[dict[str, Any]],
) -> dict[str, Any]:
    """Assemble a truth file from each paragraph's spans and the quotes heard."""
    paragraphs = []
    for p in article.paragraphs:
        mine = spans.get(p.index, [])
        paragraphs.append(
            {
                "index": p.index,
                "first_words": first_words(p.text),
                "discussed": bool(mine),
                "start": mine[0][0] if mine else None,
                "end": mine[0][1] if mine else None,
                "spans": mine,
            }
        )
    return {
        "version": VERSION,
        "name": name,
        "kind": kind,
        "audio": audio,
        "article": article_path,
        "duration": duration,
        "source": source,
        "paragraphs": paragraphs,
        "quotes": quotes,
    }


def write_truth(truth: dict[str, Any], dest: Path) -> None:
    """Write a truth file as pretty UTF-8 JSON."""
    dest.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load_truth(path: Path) -> dict[str, Any]:
    """Read a truth file, checking its version."""
    truth = json.loads(Path(path).read_text(encoding="utf-8"))
    if truth.get("version") != VERSION:
        raise ValueError(f"{path}: unsupported truth version {truth.get('version')!r}")
    return truth
