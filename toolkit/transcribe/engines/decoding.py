"""What both engines share: decoding windows, languages, and building the transcript.

Whisper decodes 30 s windows. After each window it moves on ("seeks") to
where the last complete segment ended. With word timestamps on, both
libraries seek to the end of the last *word* instead, as dynamic time warping
placed it. On the sample episode with tiny.en that drops 40 % of the words:
the model emits a segment with timestamps 20 s too late, the word timings
follow them, and the next window starts after the speech it skipped (286
words instead of 489; see ``tests/test_engines.py``).

So the engines decode with word timestamps off, which seeks on the segment
timestamps as the ``whisper`` CLI does without ``--word_timestamps``, and then
add the word timings of each window with the library's own alignment, on the
same window of audio and with the same tokens as it would have used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from toolkit.errors import ModelError
from toolkit.transcribe.transcript import Segment, Transcript, Word

if TYPE_CHECKING:
    from toolkit.transcribe.options import TranscribeOptions

FRAMES_PER_SECOND = 100  # Mel frames per second of audio, in both libraries
WINDOW_FRAMES = 3000  # one 30 s decoding window


def clip_frames(clips: Sequence[tuple[float, float]] | None) -> list[tuple[int, int]]:
    """``clips`` in Mel frames, rounded as both libraries round ``clip_timestamps``."""
    return [(round(s * FRAMES_PER_SECOND), round(e * FRAMES_PER_SECOND)) for s, e in clips or ()]


def flat_clips(clips: Sequence[tuple[float, float]] | None) -> list[float] | str:
    """``clips`` as the libraries' ``clip_timestamps`` argument ("0": the whole file)."""
    return [t for span in clips for t in span] if clips else "0"


def window_size(seek: int, clips: Sequence[tuple[int, int]], content_frames: int) -> int:
    """The frames the library decoded in the window starting at frame ``seek``.

    Like the libraries: 30 s, cut short by the end of the audio or of the clip
    that holds ``seek``.
    """
    clip_end = next((e for s, e in clips if s <= seek < e), content_frames)
    return max(0, min(WINDOW_FRAMES, content_frames - seek, min(clip_end, content_frames) - seek))


def by_window(segments: Iterable[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """Consecutive segments grouped by the window (``seek``) they were decoded in."""
    group: list[dict[str, Any]] = []
    for segment in segments:
        if group and segment["seek"] != group[0]["seek"]:
            yield group
            group = []
        group.append(segment)
    if group:
        yield group


def last_word_end(window: Sequence[dict[str, Any]], default: float) -> float:
    """Where the last word of ``window`` ends, or ``default`` when it has no words."""
    ends = [w["end"] for s in window for w in s.get("words") or ()]
    return float(ends[-1]) if ends else default


def normalise_language(
    language: str | None, known: dict[str, str], names: dict[str, str]
) -> str | None:
    """A language code from a code or an English name ("de", "German"), or None.

    ``known`` maps codes to names and ``names`` names to codes (whisper's tables).
    """
    if language is None:
        return None
    text = language.strip().lower()
    if text in known:
        return text
    if text in names:
        return names[text]
    raise ModelError(f"unknown language '{language}'; use a code such as en, de or fr")


def check_task(options: TranscribeOptions, multilingual: bool) -> None:
    """Refuse what an English-only model cannot do, before any decoding."""
    if multilingual:
        return
    if options.language not in (None, "en"):
        raise ModelError(
            f"model {options.model} only transcribes English, not {options.language!r}; "
            "use a multilingual model such as base"
        )
    if options.task == "translate":
        raise ModelError(
            f"model {options.model} is English-only and cannot translate; "
            "use a multilingual model such as base"
        )


def build_transcript(
    segments: Iterable[dict[str, Any]],
    *,
    language: str,
    language_probability: float | None,
    duration: float,
    options: TranscribeOptions,
) -> Transcript:
    """The :class:`Transcript` of decoded segments (dicts as the libraries make them).

    Segments without text are dropped; ids count from 0.
    """
    kept = [s for s in segments if str(s["text"]).strip() and s["end"] > s["start"]]
    return Transcript(
        language=language,
        duration=round(duration, 3),
        segments=[
            Segment(
                id=i,
                start=round(float(s["start"]), 3),
                end=round(float(s["end"]), 3),
                text=str(s["text"]).strip(),
                words=[
                    Word(
                        start=round(float(w["start"]), 3),
                        end=round(float(w["end"]), 3),
                        word=w["word"],
                        probability=round(float(w["probability"]), 4),
                    )
                    for w in s.get("words") or ()
                ],
                avg_logprob=round(float(s.get("avg_logprob", 0.0)), 4),
                no_speech_prob=round(float(s.get("no_speech_prob", 0.0)), 4),
            )
            for i, s in enumerate(kept)
        ],
        model=options.model,
        options=json.loads(json.dumps(asdict(options))),  # as stored in JSON
        task=options.task,
        language_probability=(
            None if language_probability is None else round(float(language_probability), 4)
        ),
    )
