"""The speakers step as one call: diarize (cached), name, and label the transcript.

The build's ``speakers`` stage and ``toolkit transcribe --diarize`` both use
:func:`find_speakers`; :func:`label_transcript` re-applies a saved
diarization to a transcript without touching the audio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.hashing import content_key, file_sha256
from toolkit.profile import timed
from toolkit.speakers.cache import DiarizationCache
from toolkit.speakers.model import Diarization, Naming
from toolkit.speakers.naming import Candidate
from toolkit.transcribe.transcript import Transcript

if TYPE_CHECKING:
    from toolkit.transcribe.gaps import Speech

__all__ = ["SpeakersResult", "diarization", "find_speakers", "label_transcript", "report"]


@dataclass
class SpeakersResult:
    """The named diarization, the transcript with its speakers, and whether it was cached."""

    diarization: Diarization
    transcript: Transcript
    cached: bool


def diarization(
    audio: Path,
    *,
    count: int | None = None,
    cache: DiarizationCache | None = None,
    sha256: str | None = None,
    speech: Speech | None = None,
) -> tuple[Diarization, bool]:
    """The diarization of ``audio`` (unnamed), and whether it came from the cache.

    Cached by the audio's content hash, ``count`` and the diarization's
    revision. It needs only the audio, so the build runs it alongside the
    transcription; ``speech`` shares the decoded samples and the voice
    activity with it.
    """
    from toolkit.speakers.diarize import DIARIZE_REVISION, diarize

    cache = cache or DiarizationCache()
    key = content_key(
        {"audio": sha256 or file_sha256(audio), "count": count, "revision": DIARIZE_REVISION}
    )
    found = cache.get(key)
    if found is not None:
        return found, True
    with timed("diarization"):
        found = diarize(audio, speakers=count, speech=speech)
    cache.put(key, found)
    return found, False


def find_speakers(
    audio: Path,
    transcript: Transcript,
    candidates: Sequence[Candidate],
    *,
    count: int | None = None,
    prints: Mapping[str, Sequence[float]] | None = None,
    cache: DiarizationCache | None = None,
    sha256: str | None = None,
    found: tuple[Diarization, bool] | None = None,
) -> SpeakersResult:
    """Who speaks when in ``audio``, named from ``candidates`` (and ``prints``).

    The diarization is :func:`diarization`'s (``found``, when it was already
    run, with whether it was cached); the naming is redone every time (it is
    cheap and depends on the transcript and the candidates).
    """
    from toolkit.speakers.naming import apply_names, name_speakers

    diarized, cached = found or diarization(audio, count=count, cache=cache, sha256=sha256)
    labelled = _turns_applied(transcript, diarized)
    with timed("naming"):
        diarized.naming = name_speakers(diarized, labelled, candidates, prints=prints)
    return SpeakersResult(diarized, apply_names(labelled, diarized.naming), cached)


def _turns_applied(transcript: Transcript, found: Diarization) -> Transcript:
    from toolkit.transcribe.sentences import sentence_segments

    return sentence_segments(transcript, [(t.start, t.end, t.speaker) for t in found.turns])


def label_transcript(transcript: Transcript, found: Diarization) -> Transcript:
    """``transcript`` split at ``found``'s turns, each segment with its speaker's name."""
    from toolkit.speakers.naming import apply_names

    labelled = _turns_applied(transcript, found)
    return labelled if found.naming is None else apply_names(labelled, found.naming)


def report(found: Diarization, cached: bool = False) -> str:
    """One line for the build's report: the voices found, and those left unnamed."""
    naming = found.naming or Naming()
    names = [naming.names[v.label] for v in found.voices if not v.music and v.label in naming.names]
    said = f"{len(names)} speaker{'s' if len(names) != 1 else ''}"
    if names:
        said += ": " + ", ".join(names)
    if naming.unnamed:
        unnamed = ", ".join(naming.names.get(label, label) for label in naming.unnamed)
        said += f" ({unnamed} not named: list them as hosts or guests, or give a voice sample)"
    return said + (" (cached diarization)" if cached else "")
