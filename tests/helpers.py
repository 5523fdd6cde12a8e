"""Small helpers shared by the tests."""

from __future__ import annotations

import csv
import re
from pathlib import Path

DATA = Path(__file__).parent / "data"
SPEECH = DATA / "speech"
ROOT = Path(__file__).parent.parent
SAMPLE_SLUG = "001-japan-security-council"


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: the usual WER normalisation."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def speech_manifest() -> dict[str, str]:
    """File name → reference text, from tests/data/speech/MANIFEST.tsv."""
    with open(SPEECH / "MANIFEST.tsv", newline="", encoding="utf-8") as f:
        return {row["file"]: row["reference_text"] for row in csv.DictReader(f, delimiter="\t")}
