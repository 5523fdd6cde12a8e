"""The voice prints of a show's people, kept from episode to episode.

Each person named in an episode leaves the print of their voice in
``<show>/.toolkit/voices.json`` (versioned JSON), and the next episodes'
voices are compared with it (:func:`toolkit.speakers.naming.name_speakers`'s
``prints``). A person's print is the running mean of their voices' prints,
weighted by the seconds they spoke, kept at unit length.

A print learns only from a voice that another clue named (an introduction,
an address, a voice sample): a voice named by an earlier print alone would
only feed a print its own guess. ``"Speaker N"`` voices and music never
leave a print. Each voice added is recorded by a short hash of its print,
so building an episode again adds nothing; a changed diarization of the
same episode counts as another voice. :func:`voice_prints` makes the same
prints from named diarizations in memory (a build's earlier episodes).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from toolkit import datafile
from toolkit.errors import SpeakerError
from toolkit.speakers.model import Diarization, Naming, Voice
from toolkit.speakers.naming import AGAINST, PRINT_CLUE, ROLE_CLUE

__all__ = ["VOICES_FILE", "VOICES_VERSION", "load_prints", "update_prints", "voice_prints"]

VOICES_FILE = Path(".toolkit") / "voices.json"
#: 1: per person, the print, the seconds it is the mean of, and the voices added.
VOICES_VERSION = 1


def _read(path: Path) -> dict[str, dict[str, Any]]:
    """The people of a voices file, checked; none when it does not exist."""
    if not path.is_file():
        return {}
    data = datafile.read(path, "voices", VOICES_VERSION, SpeakerError)
    people = data.get("people")
    if not isinstance(people, dict):
        raise SpeakerError("expected a table of people by name", path, "people")
    for name, entry in people.items():
        where = f"people.{name}"
        if not isinstance(entry, dict):
            raise SpeakerError("expected a print, seconds and voices", path, where)
        vector = entry.get("print")
        if (
            not isinstance(vector, list)
            or not vector
            or not all(isinstance(x, int | float) and math.isfinite(x) for x in vector)
        ):
            raise SpeakerError("expected a list of numbers", path, f"{where}.print")
        seconds = entry.get("seconds")
        if not isinstance(seconds, int | float) or not seconds > 0:
            raise SpeakerError("expected a positive number of seconds", path, f"{where}.seconds")
        voices = entry.get("voices")
        if not isinstance(voices, list) or not all(isinstance(v, str) for v in voices):
            raise SpeakerError("expected a list of voice hashes", path, f"{where}.voices")
    return people


def load_prints(show_dir: Path) -> dict[str, list[float]]:
    """The voice print of each person of the show, by name (none before the first)."""
    people = _read(Path(show_dir) / VOICES_FILE)
    return {name: [float(x) for x in entry["print"]] for name, entry in people.items()}


def _learned(naming: Naming, label: str) -> bool:
    """Whether a clue other than an earlier print (or a tie-break) named ``label``."""
    if label in naming.unnamed or label not in naming.names:
        return False
    return any(
        not e.startswith((PRINT_CLUE, ROLE_CLUE, AGAINST)) for e in naming.evidence.get(label, [])
    )


def _voice_hash(vector: list[float], seconds: float) -> str:
    text = json.dumps([round(x, 5) for x in vector] + [round(seconds, 2)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _named_voices(diarization: Diarization, naming: Naming) -> Iterator[tuple[str, Voice]]:
    """The voices of ``diarization`` that ``naming`` names by a clue, with their names."""
    for voice in diarization.voices:
        spoke = not voice.music and bool(voice.embedding) and voice.seconds > 0
        if spoke and _learned(naming, voice.label):
            yield naming.names[voice.label], voice


def _added(
    entry: dict[str, Any] | None, voice: Voice, name: str, path: Path | None
) -> dict[str, Any]:
    """A person's entry with ``voice`` added to the running mean."""
    if entry is None:
        entry = {"print": [0.0] * len(voice.embedding), "seconds": 0.0, "voices": []}
    elif len(entry["print"]) != len(voice.embedding):
        raise SpeakerError(
            f"the print of {name} has {len(entry['print'])} numbers, "
            f"the voice {voice.label} {len(voice.embedding)}: not the same model",
            path,
            f"people.{name}.print",
        )
    total = entry["seconds"] + voice.seconds
    mean = [
        (old * entry["seconds"] + new * voice.seconds) / total
        for old, new in zip(entry["print"], voice.embedding, strict=True)
    ]
    norm = math.sqrt(sum(x * x for x in mean)) or 1.0
    return {
        "print": [round(x / norm, 6) for x in mean],
        "seconds": round(total, 3),
        "voices": [*entry["voices"], _voice_hash(voice.embedding, voice.seconds)],
    }


def voice_prints(diarizations: Sequence[Diarization]) -> dict[str, list[float]]:
    """The prints of the people that ``diarizations`` name (each by its own naming).

    The same running mean as :func:`update_prints` keeps, made from named
    diarizations in memory (a build's earlier episodes) instead of the file.
    """
    people: dict[str, dict[str, Any]] = {}
    for diarization in diarizations:
        if diarization.naming is not None:
            for name, voice in _named_voices(diarization, diarization.naming):
                people[name] = _added(people.get(name), voice, name, None)
    return {name: entry["print"] for name, entry in sorted(people.items())}


def update_prints(show_dir: Path, diarization: Diarization, naming: Naming) -> bool:
    """Add each named voice of ``diarization`` to its person's print; whether it wrote.

    A person's print and seconds become the mean, weighted by seconds
    spoken, of what they were and this voice; a voice already added is
    not added again. The file is written atomically, and only when a print
    changed.
    """
    path = Path(show_dir) / VOICES_FILE
    people = _read(path)
    changed = False
    for name, voice in _named_voices(diarization, naming):
        entry = people.get(name)
        if entry is None or _voice_hash(voice.embedding, voice.seconds) not in entry["voices"]:
            people[name] = _added(entry, voice, name, path)
            changed = True
    if changed:
        datafile.write(path, VOICES_VERSION, {"people": dict(sorted(people.items()))})
    return changed
