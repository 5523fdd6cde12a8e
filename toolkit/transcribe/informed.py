"""Article-aware transcription: bias decoding with the article's names, check, correct.

:func:`transcribe_with_article` is what the build and ``toolkit transcribe
--article`` run:

1. **Bias.** The article's proper nouns and rare terms go into decoding: as
   openai-whisper's ``initial_prompt``, carried into every window
   (``carry_initial_prompt``), or as faster-whisper's ``hotwords``
   (:func:`toolkit.transcribe.vocabulary.prompt_for`,
   :func:`~toolkit.transcribe.vocabulary.hotwords_for`).
2. **Check.** Biasing can derail a window: the model skips speech or echoes the
   prompt. The biased transcript is compared with where voice activity
   detection hears speech; when a stretch of speech longer than ``max_gap``
   seconds holds no word, an unbiased pass is run too and
   :func:`toolkit.transcribe.vocabulary.guarded` keeps the biased text with the plain
   pass filling its gaps (or the plain text, when that fails). So the extra
   pass costs time only on the episodes that need it.
3. **Correct.** Near-miss spellings of the article's names are set to the
   article's spelling, each recorded as a :class:`~toolkit.transcribe.transcript.Correction`
   (:func:`toolkit.transcribe.vocabulary.correct_names`).

Every pass is cached by :func:`toolkit.transcribe.run.transcribe`, and so is the
transcript kept and corrected (keyed by the audio, the options and the
article's text), so a rebuild loads no model and imports neither Whisper nor
torch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.transcribe.cache import TranscriptCache, make_key
from toolkit.transcribe.gaps import speech_gaps, speech_of
from toolkit.transcribe.options import ENGINE_REVISION, TranscribeOptions, is_tiny
from toolkit.transcribe.run import transcribe
from toolkit.transcribe.vocabulary import correct_names, guarded, hotwords_for, prompt_for

if TYPE_CHECKING:
    from toolkit.article import Article
    from toolkit.audio import AudioInfo
    from toolkit.transcribe.engines import Progress
    from toolkit.transcribe.transcript import Transcript

__all__ = [
    "InformedResult",
    "bias_by_default",
    "biased_options",
    "choose",
    "transcribe_with_article",
]

Span = tuple[float, float]

CHECK_REVISION = 1  # bumped when the check below changes what is kept


@dataclass
class InformedResult:
    """What :func:`transcribe_with_article` kept, and how it got there."""

    transcript: Transcript
    #: Every pass and the check came from the cache: no model was loaded.
    cached: bool
    #: "plain": no biasing (none asked for, or the article has no names);
    #: "biased": the biased pass covered the speech; "filled": the biased
    #: pass with the plain pass's segments where it dropped speech;
    #: "fallback": the plain pass (the biased one could not be repaired).
    outcome: str
    #: The stretches of speech (seconds) the biased pass left without words.
    gaps: list[Span] = field(default_factory=list)
    cache_path: Path | None = None


def biased_options(options: TranscribeOptions, article: Article) -> TranscribeOptions | None:
    """``options`` biased towards ``article``'s names, or None when it has none to give.

    openai-whisper gets them as an initial prompt carried into every window,
    faster-whisper as hotwords. A prompt the options already have is kept in
    front of the article's. The biased pass is not refilled by the engine: its
    gaps are checked here, against a plain pass (:func:`choose`).
    """
    if options.engine == "faster":
        words = hotwords_for(article)
        if not words:
            return None
        hotwords = f"{options.hotwords} {words}" if options.hotwords else words
        return replace(options, hotwords=hotwords, refill=False)
    prompt = prompt_for(article)
    if not prompt:
        return None
    initial = f"{options.initial_prompt} {prompt}" if options.initial_prompt else prompt
    return replace(options, initial_prompt=initial, carry_initial_prompt=True, refill=False)


def bias_by_default(model: str) -> bool:
    """Whether to bias decoding towards the article when the user has not said.

    Not for the tiny models: measured with ``bench/names.py`` on three
    episodes, the article prompt derails tiny.en (17-23 s of speech dropped
    each time), and even with the gaps filled its WER rises by 2.7 to 6.0
    points for 2 or 3 more names right, while base gains on both (names
    40/50 -> 49/50, 1/12 -> 12/12, 0/6 -> 4/6; WER equal or lower). Names are
    still corrected afterwards either way.
    """
    return not is_tiny(model)


def choose(
    biased: Transcript, speech: list[Span], plain: Callable[[], Transcript]
) -> tuple[Transcript, str, list[Span]]:
    """Keep ``biased`` unless it left speech without words; then ask ``plain()`` for help.

    Returns the transcript kept, the outcome ("biased", "filled" or
    "fallback", see :class:`InformedResult`) and the gaps found. ``plain`` is
    only called when there are gaps.
    """
    gaps = speech_gaps(biased, speech)
    if not gaps:
        return biased, "biased", gaps
    unbiased = plain()
    kept = guarded(biased, unbiased)
    outcome = "biased" if kept is biased else "fallback" if kept is unbiased else "filled"
    return kept, outcome, gaps


def _fingerprint(article: Article) -> str:
    """A digest of everything read from the article: changes when its text does."""
    blob = json.dumps(asdict(article), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def transcribe_with_article(
    audio: Path,
    options: TranscribeOptions,
    article: Article | None,
    *,
    bias: bool | None = None,
    correct: bool = True,
    info: AudioInfo | None = None,
    cache: TranscriptCache | None = None,
    progress: bool | Progress = True,
    threads: int = 0,
) -> InformedResult:
    """Transcribe ``audio`` knowing the ``article`` it discusses (see the module's text).

    ``bias`` turns the biased pass on (None: :func:`bias_by_default` for the
    model), ``correct`` the name correction. With no article, or neither, this
    is :func:`toolkit.transcribe.run.transcribe`.
    The kept and corrected transcript is cached under the audio, the options
    and the article's text, so a rebuild imports neither Whisper nor torch.
    Raises what :func:`toolkit.transcribe.run.transcribe` raises.
    """
    from toolkit.audio import probe

    info = info or probe(audio)
    cache = cache or TranscriptCache()
    run = {"info": info, "cache": cache, "progress": progress, "threads": threads}
    if bias is None:
        bias = bias_by_default(options.model)
    if article is None or not (bias or correct):
        plain = transcribe(audio, options, **run)  # type: ignore[arg-type]
        return InformedResult(plain.transcript, plain.cached, "plain", [], plain.cache_path)

    key = make_key(
        info.sha256,
        options.model,
        {
            **asdict(options),
            "engine_revision": ENGINE_REVISION,
            "article": _fingerprint(article),
            "bias": bias,
            "correct": correct,
            "check": CHECK_REVISION,
        },
    )
    hit = cache.get(key)
    if hit is not None:
        outcome = str(hit.options.get("outcome", "plain"))
        return InformedResult(hit, True, outcome, [], cache.path(key))

    biased = biased_options(options, article) if bias else None
    gaps: list[Span] = []
    if biased is None:
        result = transcribe(audio, options, **run)  # type: ignore[arg-type]
        transcript, outcome = result.transcript, "plain"
    else:
        result = transcribe(audio, biased, **run)  # type: ignore[arg-type]
        transcript, outcome, gaps = choose(
            result.transcript,
            speech_of(audio),
            lambda: transcribe(audio, options, **run).transcript,  # type: ignore[arg-type]
        )
    if correct:
        transcript = correct_names(transcript, article)
    transcript = replace(transcript, options={**transcript.options, "outcome": outcome})
    return InformedResult(transcript, result.cached, outcome, gaps, cache.put(key, transcript))
