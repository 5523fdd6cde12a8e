"""The transcript data model shared by every stage.

A :class:`Transcript` holds :class:`Segment` objects, each holding timed
:class:`Word` objects, like faster-whisper's model. It is saved as versioned JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.datafile import check_version
from toolkit.errors import TranscriptError

#: 1: segments and words; files written at version 1 may lack ``corrections``,
#: ``task`` and ``language_probability``, added later without a bump.
#: 2: all three are always written.
#: 3: a correction may carry ``sound``, the scores that made it
#: (:mod:`toolkit.transcribe.soundnames`); older files read as having none.
SCHEMA_VERSION = 3


__all__ = ["SCHEMA_VERSION", "Correction", "Segment", "Transcript", "Word"]


@dataclass
class Word:
    """One timed word as Whisper wrote it (with its leading space) and how sure it was."""

    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Segment:
    """A stretch of text Whisper decoded as one, its words, and its decoding scores."""

    id: int
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    speaker: str | None = None


@dataclass
class Correction:
    """One spelling fixed after transcription (see :mod:`toolkit.transcribe.names`).

    ``original`` is the text as transcribed, ``corrected`` what replaced it,
    ``start``/``end`` the time span of the replaced words and ``segment`` the
    id of the segment holding them. ``sound`` is the evidence of a name put
    right by its sound (:mod:`toolkit.transcribe.soundnames`): the score of
    the sentence with the name against the sentence as heard, and the
    threshold; None for a spelling corrected from its letters.
    """

    start: float
    end: float
    original: str
    corrected: str
    segment: int
    sound: dict[str, Any] | None = None


@dataclass
class Transcript:
    """The whole transcript of one audio file: segments, and how it was made.

    ``options`` are the decoding options as stored in JSON, plus what the
    runner recorded (``"refilled"``, ``"outcome"``); ``corrections`` the
    names set to the article's spelling.
    """

    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)
    model: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    corrections: list[Correction] = field(default_factory=list)
    #: "transcribe": the text is in ``language``, the language spoken;
    #: "translate": the text is Whisper's English translation of it.
    task: str = "transcribe"
    #: How sure language detection was of ``language``; None when it was given
    #: or the model is English-only.
    language_probability: float | None = None

    @property
    def text_language(self) -> str:
        """The language the text is written in: English for a translation."""
        return "en" if self.task == "translate" else self.language

    @property
    def text(self) -> str:
        """The segments' text, joined by spaces."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def words(self) -> list[Word]:
        """Every timed word, in segment order."""
        return [w for s in self.segments for w in s.words]

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON form (``transcript.full.json``)."""
        return {"version": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path | None = None) -> Transcript:
        """A transcript from :meth:`to_dict` output; :class:`TranscriptError` if malformed."""
        _check_kind(data, source)
        try:
            check_version(data, "transcript", SCHEMA_VERSION, TranscriptError, source)
            segments = [
                Segment(
                    **{k: v for k, v in seg.items() if k != "words"},
                    words=[Word(**w) for w in seg.get("words", [])],
                )
                for seg in data["segments"]
            ]
            return cls(
                language=data["language"],
                duration=float(data["duration"]),
                segments=segments,
                model=data.get("model", ""),
                options=data.get("options", {}),
                # Version 1 files may lack the next three.
                corrections=[Correction(**c) for c in data.get("corrections", [])],
                task=data.get("task", "transcribe"),
                language_probability=data.get("language_probability"),
            )
        except TranscriptError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            raise TranscriptError(f"malformed transcript: {e}", source) from e

    @classmethod
    def load(cls, path: Path) -> Transcript:
        """Read a transcript file; :class:`TranscriptError` naming it if that fails."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise TranscriptError("transcript file not found", path) from e
        except IsADirectoryError as e:
            raise TranscriptError("a folder, not a transcript file", path) from e
        except UnicodeDecodeError as e:
            raise TranscriptError(
                f"cannot read transcript: not a transcript file, not UTF-8 text (audio?); "
                f"{_WANTED}",
                path,
            ) from e
        except json.JSONDecodeError as e:
            raise TranscriptError(
                f"cannot read transcript: not a transcript file, not JSON ({e}); {_WANTED}", path
            ) from e
        except OSError as e:
            raise TranscriptError(f"cannot read transcript: {e.strerror or e}", path) from e
        return cls.from_dict(data, path)


#: What a transcript file is, for the errors about a file that is not one.
_WANTED = "expected a transcript.full.json from build, or a NAME.full.json from transcribe"


def _check_kind(data: Any, source: Path | None) -> None:
    """Refuse JSON that is not a transcript at all, before its version is looked at.

    A Podcasting 2.0 chapters file (``"version": "1.2.0"``), a transcript in
    Podcasting 2.0 JSON or any other JSON is "not a transcript file", not a
    transcript of an unknown version.
    """
    if not isinstance(data, dict):
        raise TranscriptError(f"not a transcript file: expected a JSON object; {_WANTED}", source)
    if "chapters" in data and "segments" not in data:
        raise TranscriptError(
            f"not a transcript file: a chapters file (chapters.json); {_WANTED}", source
        )
    for name, kind in (("segments", list), ("language", str)):
        if not isinstance(data.get(name), kind):
            raise TranscriptError(
                f"not a transcript file: it has no '{name}' {kind.__name__} "
                f"(a Podcasting 2.0 JSON transcript is not one); {_WANTED}",
                source,
                name,
            )
