"""Small helpers shared by the tests."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
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


GERMAN = (
    "Guten Morgen und herzlich willkommen. Heute sprechen wir über das Wetter. Es regnet "
    "seit drei Tagen, und die Menschen bleiben zu Hause. Morgen soll die Sonne wieder scheinen."
)
# Of espeak-ng's German voices at a few speeds, base understood this one best
# (detected as German at p = 0.93; translated to "Good morning and welcome! Today
# we speak about the weather. ...").
GERMAN_VOICE = ["-v", "de+m3", "-s", "120"]


def espeak_german(dest: Path) -> Path:
    """Write :data:`GERMAN` spoken by espeak-ng to ``dest`` (a WAV file); skip without it."""
    import subprocess

    import pytest

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    subprocess.run(["espeak-ng", *GERMAN_VOICE, "-w", str(dest), GERMAN], check=True)
    return dest


STORED_TRANSCRIPT = DATA / "golden" / "sample-transcript.full.json"


def stored_transcript_stages():
    """The build's stages with transcription replaced by the stored sample transcript.

    For tests of what comes after transcription: no model runs, and every
    other stage is the build's own.
    """
    from dataclasses import replace

    from toolkit.pipeline import stages
    from toolkit.transcribe.transcript import Transcript

    def stored(job, ctx, folder):
        job.transcript = Transcript.load(STORED_TRANSCRIPT)
        job.transcript_outcome = "plain"
        stages.save_transcript(folder / stages.FULL_TRANSCRIPT, job.transcript)
        return stages.Record(files=[stages.FULL_TRANSCRIPT], action="stored transcript")

    return [replace(s, run=stored) if s.name == "transcribe" else s for s in stages.STAGES]


def add_episode(show: Path, slug: str, number: int) -> Path:
    """A copy of the sample episode as ``slug``: its own number, guid and date."""
    folder = show / "episodes" / slug
    shutil.copytree(ROOT / "episodes" / SAMPLE_SLUG, folder)
    toml = folder / "episode.toml"
    text = toml.read_text()
    text = text.replace("number = 1", f"number = {number}")
    text = text.replace('guid = "un-desk-2023-001-japan-security-council"', f'guid = "{slug}"')
    text = text.replace("2023-01-17T09", f"2023-01-{16 + number}T09")
    toml.write_text(text)
    return folder


def serving(site: Path) -> Iterator[str]:
    """``site`` served by ``toolkit serve``'s server on a free port, in a thread: yields
    its base URL, then shuts the server down."""
    import threading

    from toolkit.publish.serve import make_server

    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
