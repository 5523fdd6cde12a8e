"""The data of the speakers stage: who speaks when, and who they are.

A :class:`Diarization` holds the :class:`Turn` objects (a stretch of audio
and the voice label that speaks in it) and the :class:`Voice` objects (each
label's voice print and how much it spoke). :class:`Naming` maps labels to
the show's people. Both are saved together in ``diarization.json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit import datafile
from toolkit.errors import SpeakerError

__all__ = ["SCHEMA_VERSION", "Diarization", "Naming", "Turn", "Voice"]

#: 1: turns, voices, options; naming with labels, evidence and unnamed.
SCHEMA_VERSION = 1


@dataclass
class Turn:
    """One voice speaking from ``start`` to ``end`` (seconds); ``speaker`` is its label ("S1")."""

    start: float
    end: float
    speaker: str


@dataclass
class Voice:
    """One voice found in the audio.

    ``embedding`` is its mean voice print (unit length, 256 numbers for
    resemblyzer); ``seconds`` how long it speaks. A voice recognised as
    music or a jingle has ``music`` set and no turns.
    """

    label: str
    seconds: float
    embedding: list[float] = field(default_factory=list)
    music: bool = False


@dataclass
class Naming:
    """Which person each voice label is, and why.

    ``names`` maps a label to a person's name or, where no clue named it,
    a stable ``"Speaker N"``; ``evidence`` lists per label the clues that
    decided it ("introduction at 3.2 s", "voice sample 0.83", ...);
    ``unnamed`` the labels left as "Speaker N".
    """

    names: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)


@dataclass
class Diarization:
    """Who speaks when in one audio file, and how it was found."""

    duration: float
    turns: list[Turn] = field(default_factory=list)
    voices: list[Voice] = field(default_factory=list)
    #: How it was made: the model, the windows, the speaker count asked for.
    options: dict[str, Any] = field(default_factory=dict)
    naming: Naming | None = None

    def speaker_at(self, t: float) -> str | None:
        """The label of the turn holding time ``t``, or None in silence."""
        for turn in self.turns:
            if turn.start <= t < turn.end:
                return turn.speaker
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"version": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path | None = None) -> Diarization:
        """A diarization from :meth:`to_dict` output; :class:`SpeakerError` if malformed."""
        try:
            datafile.check_version(data, "diarization", SCHEMA_VERSION, SpeakerError, source)
            naming = data.get("naming")
            return cls(
                duration=float(data["duration"]),
                turns=[Turn(**t) for t in data["turns"]],
                voices=[Voice(**v) for v in data["voices"]],
                options=dict(data.get("options", {})),
                naming=None if naming is None else Naming(**naming),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            if isinstance(e, SpeakerError):
                raise
            raise SpeakerError(f"malformed diarization: {e}", source) from e

    def save(self, path: Path) -> None:
        """Write ``diarization.json`` atomically."""
        payload = asdict(self)
        datafile.write(path, SCHEMA_VERSION, payload)

    @classmethod
    def load(cls, path: Path) -> Diarization:
        """Read a diarization file; :class:`SpeakerError` naming it if that fails."""
        return cls.from_dict(datafile.read(path, "diarization", SCHEMA_VERSION, SpeakerError), path)
