"""The voice prints of a show's people, from the episodes built before.

Each episode's ``diarization.json`` keeps its voices' prints and the names
its naming gave them, so the show's earlier episodes are its cache of
voices: the build collects them oldest first (``Context.learn_voices``) and
:func:`voice_prints` makes one print per person for the next episode's
:func:`toolkit.speakers.naming.name_speakers`. A person's print is the mean
of their voices' prints, weighted by the seconds they spoke, at unit length.

A print learns only from a voice that another clue named (an introduction,
an address, a voice sample): a voice named by an earlier print alone, or as
the one voice left for the one person left, would only feed a print a guess.
``"Speaker N"`` voices and music never leave a print. Only earlier episodes
count, so a later episode never changes an earlier one's names, and one build
settles them all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from toolkit.errors import SpeakerError
from toolkit.speakers.model import Diarization, Naming, Voice
from toolkit.speakers.naming import AGAINST, LAST_CLUE, PRINT_CLUE, ROLE_CLUE

__all__ = ["voice_prints"]


def _learned(naming: Naming, label: str) -> bool:
    """Whether a clue other than an earlier print (or a tie-break) named ``label``."""
    if label in naming.unnamed or label not in naming.names:
        return False
    return any(
        not e.startswith((PRINT_CLUE, ROLE_CLUE, AGAINST, LAST_CLUE))
        for e in naming.evidence.get(label, [])
    )


def _named_voices(diarization: Diarization, naming: Naming) -> Iterator[tuple[str, Voice]]:
    """The voices of ``diarization`` that ``naming`` names by a clue, with their names."""
    for voice in diarization.voices:
        spoke = not voice.music and bool(voice.embedding) and voice.seconds > 0
        if spoke and _learned(naming, voice.label):
            yield naming.names[voice.label], voice


def voice_prints(diarizations: Sequence[Diarization]) -> dict[str, list[float]]:
    """The print of each person that ``diarizations`` name (each by its own naming)."""
    sums: dict[str, list[float]] = {}
    for diarization in diarizations:
        if diarization.naming is None:
            continue
        for name, voice in _named_voices(diarization, diarization.naming):
            total = sums.setdefault(name, [0.0] * len(voice.embedding))
            if len(total) != len(voice.embedding):
                raise SpeakerError(
                    f"the voice prints of {name} have {len(total)} and "
                    f"{len(voice.embedding)} numbers: made by different models; build again",
                    None,
                    "voices",
                )
            for i, x in enumerate(voice.embedding):
                total[i] += x * voice.seconds
    prints = {}
    for name, total in sorted(sums.items()):
        norm = math.sqrt(sum(x * x for x in total)) or 1.0
        prints[name] = [round(x / norm, 6) for x in total]
    return prints
