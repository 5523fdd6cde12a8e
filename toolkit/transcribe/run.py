"""The runner: audio in, a cached :class:`~toolkit.transcribe.transcript.Transcript` out.

Three entry points, each looking its result up in the cache first, so a
rebuild with nothing changed loads no model and imports neither torch nor
whisper:

- :func:`transcribe`: one pass with the given options.
- :func:`transcribe_with_article`: what the build and ``toolkit transcribe
  --article`` run. Decoding is biased towards the article's names
  (:mod:`toolkit.transcribe.bias`); speech the biased pass skipped is decoded
  again unbiased and filled in, and only a pass that then loops is replaced
  by a whole unbiased pass (:func:`choose`);
  then near-miss spellings of the names are corrected
  (:mod:`toolkit.transcribe.names`).
- :func:`translate`: the English translation beside a transcript.

A pass that is not cached is :func:`run_engine`: it streams the audio through
the chosen engine (:mod:`toolkit.transcribe.engines`), optionally only its
speech, then applies the no-invented-text guards
(:mod:`toolkit.transcribe.guards`) and decodes again any speech it left
without words (:mod:`toolkit.transcribe.gaps`). Every pass over one audio
file shares one :class:`~toolkit.transcribe.gaps.Speech`: the file is
decoded for voice activity detection once, and the spans found serve the
guards, the gap check and the biased/unbiased choice.

Memory stays bounded on long episodes: a first pass streams the audio from
ffmpeg and holds only its spectrogram (115 MB an hour); the samples (16-bit: 115 MB
an hour) are held from when voice activity detection first needs them
(before decoding with ``vad``, after the first pass otherwise) until the
call returns. An interrupted run (Ctrl-C) writes nothing to the cache, whose
writes are atomic, so the next run starts cleanly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from toolkit.audio import AudioInfo, probe
from toolkit.hashing import content_key
from toolkit.profile import timed
from toolkit.transcribe.bias import bias_by_default, biased_options, prompt_copies, with_names
from toolkit.transcribe.cache import TranscriptCache
from toolkit.transcribe.gaps import (
    RepairOutcome,
    Speech,
    gap_clips,
    holds_up,
    repair,
    repetition,
)
from toolkit.transcribe.options import Progress, Span, TranscribeOptions
from toolkit.transcribe.sentences import sentence_segments
from toolkit.transcribe.transcript import Transcript

if TYPE_CHECKING:
    from tqdm import tqdm

    from toolkit.article import Article

__all__ = [
    "CHECK_REVISION",
    "ArticleResult",
    "Outcome",
    "TranscribeResult",
    "article_key",
    "choose",
    "decode_clips",
    "run_engine",
    "transcribe",
    "transcribe_with_article",
    "translate",
]

# Bumped when what transcribe_with_article keeps changes for the same passes.
# 2: the biased pass's gaps are the speech it left without words (as the
# refill's), filled from the plain pass; the plain pass replaces it when,
# filled, it loops or has under 85 % of the plain pass's words.
# 3: segments are sentences (toolkit.transcribe.sentences) after the filling.
# 4: the show's people are corrected where introduced (toolkit.transcribe.names).
# 5: two decodings of one stretch are no longer interleaved word by word.
# 6: the biased pass's gaps are filled from an unbiased decoding of the gaps
# alone; the whole unbiased pass runs only when the filled pass loops.
# 7: a loop is a repeat within a minute of words (gaps.LOOP_WINDOW), not anywhere.
# 8: segments where the biased pass copied its prompt (two of its names in its
# order, bias.prompt_copies) are decoded again unbiased.
# 9: words the pass wrote again just after themselves (toolkit.transcribe.echoes)
# are decoded again with the gaps; a gap's clip is not conditioned on the clip before.
# 10: a long sentence is not cut inside a written word (sentences._cut_cost).
CHECK_REVISION = 10
# What toolkit.transcribe.soundnames decides, in the kept transcript's key.
# 1: loose runs of capitalised words, checked on the sentence's audio.
# 2: and better than another name (soundnames.SPECIFIC).
# 3: a person's first name alone, and a name heard in part (soundnames._anchored).
SOUND_REVISION = 3
# A transcript with more of its word 4-grams repeated (within gaps.LOOP_WINDOW
# words) than this loops (a decoder stuck on a phrase or echoing the prompt);
# conversation scores about 0.005 (the 12-minute bench episode, both passes).
LOOP_REPETITION = 0.1

Outcome = Literal["plain", "biased", "filled", "fallback"]
# What the repair of the biased pass made of it, as an outcome.
_OUTCOMES: dict[RepairOutcome, Outcome] = {
    "kept": "biased",
    "filled": "filled",
    "replaced": "fallback",
}


@dataclass
class TranscribeResult:
    """What :func:`transcribe` returns."""

    transcript: Transcript
    #: It came from the cache: no model was loaded.
    cached: bool
    #: Where the cache keeps it.
    cache_path: Path | None


@dataclass
class ArticleResult:
    """What :func:`transcribe_with_article` kept, and how it got there."""

    transcript: Transcript
    #: Every pass (or the kept transcript itself) came from the cache: no model was loaded.
    cached: bool
    #: "plain": no biasing (none asked for, or the article has no names);
    #: "biased": the biased pass covered the speech; "filled": the biased
    #: pass with the plain pass's segments where it dropped speech;
    #: "fallback": the plain pass (the biased one could not be repaired).
    outcome: Outcome
    #: The stretches of speech (seconds) the biased pass left without words.
    gaps: list[Span] = field(default_factory=list)
    cache_path: Path | None = None


class ProgressBar:
    """A progress bar on stderr in seconds of audio, with the time left; one bar per phase."""

    def __init__(self, duration: float):
        self.duration = duration
        self.phase: str | None = None
        self.bar: tqdm[Any] | None = None

    def __call__(self, phase: str, done: float, total: float) -> None:
        from tqdm import tqdm

        total = total or self.duration
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(
                total=round(total, 1),
                desc=f"{phase:>12}",
                unit="s",
                file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s audio "
                "[{elapsed}<{remaining}, {rate_fmt}]",
            )
        if self.bar is not None:
            self.bar.update(max(0.0, round(min(done, total), 1) - self.bar.n))

    def close(self) -> None:
        """End the current phase's bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _empty(options: TranscribeOptions, duration: float) -> Transcript:
    """The transcript of audio without speech: no segments, nothing decoded."""
    return Transcript(
        language=options.language or ("en" if options.model.endswith(".en") else ""),
        duration=round(duration, 3),
        model=options.model,
        options=json.loads(json.dumps(asdict(options))),  # as stored in JSON
        task=options.task,
    )


def run_engine(
    audio: Path,
    options: TranscribeOptions,
    *,
    speech: Speech | None = None,
    progress: bool | Progress = True,
    duration: float | None = None,
    threads: int = 0,
) -> Transcript:
    """Transcribe ``audio`` with ``options.engine``, uncached; this loads the model (slow).

    With ``options.vad`` (and always when batching, ``options.batch_size``)
    only the speech is decoded; with ``options.refill``
    the speech the pass left without words is decoded again and put in place
    (:func:`toolkit.transcribe.gaps.repair`), recorded in the transcript's
    options as ``"refilled"``. ``speech`` shares the samples and speech spans
    with other passes over the same file. ``progress`` is True for a progress
    bar on stderr, False for none, or a callable ``(phase, seconds_done,
    seconds_total)``. ``duration`` (seconds) sizes the bar before the audio
    is read. ``threads`` sets the CPU threads (0: one per core); it does not
    change the text.
    """
    from toolkit.transcribe import engines
    from toolkit.transcribe.guards import clean
    from toolkit.transcribe.vad import decoding_clips

    engine = engines.get_engine(options.engine)
    speech = speech or Speech(audio)
    bar = ProgressBar(duration or 0.0) if progress is True else None
    report: Progress | None = bar if bar is not None else progress if callable(progress) else None
    try:
        clips: list[Span] | None = None
        if options.vad or options.batch_size:
            if not speech.spans:
                return clean(_empty(options, speech.duration), speech.spans)
            # Batched decoding packs the speech itself into chunks of up to 30 s.
            clips = list(speech.spans) if options.batch_size else decoding_clips(speech.spans)
        with timed("decoding"):
            transcript = engine.transcribe(
                speech.chunks(), options, clips=clips, progress=report, threads=threads
            )
        with timed("guards"):
            transcript = clean(transcript, speech.spans if clips is not None else None)
        if not options.refill:
            return transcript

        def decode_gaps(gaps: list[Span]) -> Transcript:
            clips = gap_clips(gaps, transcript.duration)
            with timed("refill"):
                return decode_clips(options, clips, speech, threads=threads)

        with timed("gap check"):
            refilled = repair(transcript, speech.spans, decode_gaps)
    finally:
        if bar is not None:
            bar.close()
    kept = refilled.transcript
    if not refilled.gaps:
        return kept
    return replace(kept, options={**kept.options, "refilled": [list(g) for g in refilled.gaps]})


def decode_clips(
    options: TranscribeOptions, clips: list[Span], speech: Speech, *, threads: int = 0
) -> Transcript:
    """Decode only ``clips`` (seconds) of ``speech``'s audio with ``options``, guarded.

    Uncached: for the stretches a pass left without words. Timestamps are
    against the whole audio; words outside speech are dropped
    (:func:`toolkit.transcribe.guards.clean`). No clip is conditioned on the
    text of the clip before it, which is speech from elsewhere in the episode:
    so conditioned, the faster engine wrote a sentence of 105 s again at 128 s
    (bench/cases/misquote-ferry), in place of what was said there.
    """
    from toolkit.transcribe import engines
    from toolkit.transcribe.guards import clean

    engine = engines.get_engine(options.engine)
    options = replace(options, condition_on_previous_text=False)
    again = engine.transcribe(speech.chunks(), options, clips=clips, threads=threads)
    return clean(again, speech.spans)


def transcribe(
    audio: Path,
    options: TranscribeOptions,
    *,
    info: AudioInfo | None = None,
    cache: TranscriptCache | None = None,
    progress: bool | Progress = True,
    threads: int = 0,
    speech: Speech | None = None,
) -> TranscribeResult:
    """Transcribe ``audio``, reusing a cached transcript when nothing changed.

    ``info`` is the audio's :func:`toolkit.audio.probe` (probed when None);
    ``cache`` defaults to the user's transcript cache. See :func:`run_engine`
    for ``progress``, ``threads`` and ``speech``. Raises :class:`AudioError`
    for audio that cannot be read and :class:`ModelError` for a model or
    engine that cannot be had (the message says what to install).
    """
    info = info or probe(audio)
    cache = cache or TranscriptCache()
    key = options.cache_key(info.sha256)
    hit = cache.get(key)
    if hit is not None:
        return TranscribeResult(sentence_segments(hit), True, cache.path(key))
    transcript = run_engine(
        Path(audio),
        options,
        speech=speech,
        progress=progress,
        duration=info.duration,
        threads=threads,
    )
    # The cache keeps the engine's own segments; sentences are made from them
    # on the way out, so a change to that step costs no decoding.
    path = cache.put(key, transcript)
    return TranscribeResult(sentence_segments(transcript), False, path)


def choose(
    biased: Transcript,
    speech: list[Span],
    again: Callable[[list[Span]], Transcript],
    whole: Callable[[], Transcript],
    copies: Sequence[Span] = (),
) -> tuple[Transcript, Outcome, list[Span]]:
    """Keep ``biased``, with the speech it left without words decoded again unbiased.

    The same repair as the engine's refill (:func:`toolkit.transcribe.gaps.repair`):
    ``again(gaps)`` decodes only the stretches the biased pass skipped, without
    the bias (decoding them with it can skip them again), and its segments
    fill them. Only when the result loops (more than :data:`LOOP_REPETITION`
    of its word 4-grams repeated) is ``whole()``, the whole unbiased pass,
    decoded; it replaces the biased one when that, filled, holds up worse
    against it (fewer words, or more repetition). Returns the transcript kept,
    the outcome ("biased", "filled" or "fallback", see :class:`ArticleResult`)
    and the gaps found. ``again`` is only called when there are gaps, and
    ``whole`` only on a loop. ``copies`` are stretches where the biased pass
    wrote out its prompt (:func:`toolkit.transcribe.bias.prompt_copies`):
    their words are dropped and decoded again unbiased with the gaps.
    """
    done = repair(biased, speech, again, redo=copies)
    if repetition(done.transcript) <= LOOP_REPETITION:
        return done.transcript, _OUTCOMES[done.outcome], done.gaps
    plain = whole()
    if holds_up(done.transcript, plain):
        return done.transcript, _OUTCOMES[done.outcome], done.gaps
    return plain, "fallback", done.gaps


def _article_content(article: Article) -> dict[str, Any]:
    """Everything read from the article, without where it was read from."""
    return {k: v for k, v in article.to_dict().items() if k != "source"}


def article_key(
    audio_sha256: str,
    options: TranscribeOptions,
    article: Article,
    *,
    bias: bool,
    correct: bool,
    names: Sequence[str] = (),
    listen: bool = False,
) -> str:
    """The cache key of what :func:`transcribe_with_article` keeps for this audio and article.

    Made of content only: the audio's hash, the options, the biased pass's
    options (so a change in how the prompt is made misses), the article's
    text and names and the show's ``names``, never a path, so a copied or
    moved show finds it again.
    """
    biased = biased_options(options, article, names) if bias else None
    return content_key(
        {
            "transcript": options.cache_key(audio_sha256),
            "biased": asdict(biased) if biased is not None else None,
            "article": _article_content(article),
            "names": list(names),
            "bias": bias,
            "correct": correct,
            "check": CHECK_REVISION,
            "by_sound": SOUND_REVISION if correct and listen else None,
        }
    )


def _names_by_sound(
    audio: Path,
    info: AudioInfo,
    options: TranscribeOptions,
    transcript: Transcript,
    article: Article,
    names: Sequence[str],
) -> Transcript:
    """``transcript`` with names misheard past their spelling put right by their sound."""
    from toolkit.align.acoustic import CachedScorer, whisper_scorer
    from toolkit.transcribe.soundnames import correct_by_sound

    # The model, language and prompt it was decoded with, as the quote check scores.
    scorer = CachedScorer(whisper_scorer(audio, transcript, options.model), info.sha256)
    with timed("names by sound"):
        return correct_by_sound(transcript, article, scorer, names)


def transcribe_with_article(
    audio: Path,
    options: TranscribeOptions,
    article: Article | None,
    *,
    names: Sequence[str] = (),
    bias: bool | None = None,
    correct: bool = True,
    listen: bool = True,
    info: AudioInfo | None = None,
    cache: TranscriptCache | None = None,
    progress: bool | Progress = True,
    threads: int = 0,
    speech: Speech | None = None,
) -> ArticleResult:
    """Transcribe ``audio`` knowing the ``article`` it discusses (see the module's text).

    ``names`` are the show's own people (hosts and guests): they join the
    article's names, first, for biasing and for correction
    (:func:`~toolkit.transcribe.bias.with_names`); they are used even with no
    article. ``bias`` turns the biased pass on (None:
    :func:`~toolkit.transcribe.bias.bias_by_default` for the model),
    ``correct`` the name correction, and ``listen`` (with ``correct``) the
    names misheard past their spelling put right where the audio says them
    (:func:`~toolkit.transcribe.soundnames.correct_by_sound`, scored with the
    model decoded with, in openai-whisper; the model is loaded only for a
    sentence with a run of words loosely like a name). With neither an article nor names, or
    neither bias nor correction, this is :func:`transcribe`. Every pass is cached by
    :func:`transcribe`, and the kept and corrected transcript under
    :func:`article_key`, so a rebuild imports neither Whisper nor torch.
    The other arguments are :func:`transcribe`'s. Raises what it raises.
    """
    info = info or probe(audio)
    cache = cache or TranscriptCache()
    speech = speech or Speech(audio)

    def run(opts: TranscribeOptions) -> TranscribeResult:
        return transcribe(
            audio,
            opts,
            info=info,
            cache=cache,
            progress=progress,
            threads=threads,
            speech=speech,
        )

    if bias is None:
        bias = bias_by_default(options.model)
    article = with_names(article, names)
    if article is None or not (bias or correct):
        with timed("plain pass"):
            plain = run(options)
        return ArticleResult(plain.transcript, plain.cached, "plain", [], plain.cache_path)

    key = article_key(
        info.sha256, options, article, bias=bias, correct=correct, names=names, listen=listen
    )
    hit = cache.get(key)
    if hit is not None:
        stored = hit.options.get("outcome")
        outcome: Outcome = cast(Outcome, stored) if stored in get_args(Outcome) else "plain"
        return ArticleResult(hit, True, outcome, [], cache.path(key))

    biased = biased_options(options, article, names) if bias else None
    gaps: list[Span] = []
    outcome = "plain"
    if biased is None:
        with timed("plain pass"):
            first = run(options)
        transcript, cached = first.transcript, first.cached
    else:
        with timed("biased pass"):
            first = run(biased)
        cached = first.cached

        def unbiased_gaps(gaps: list[Span]) -> Transcript:
            nonlocal cached
            cached = False
            clips = gap_clips(gaps, speech.duration)
            with timed("unbiased refill"):
                return decode_clips(options, clips, speech, threads=threads)

        def plain_pass() -> Transcript:
            nonlocal cached
            with timed("plain pass"):
                second = run(options)
            cached = cached and second.cached
            return second.transcript

        copies = prompt_copies(first.transcript, biased.initial_prompt or biased.hotwords or "")
        transcript, outcome, gaps = choose(
            first.transcript, speech.spans, unbiased_gaps, plain_pass, copies
        )
        if copies:
            copied = {"prompt_copies": [list(c) for c in copies]}
            transcript = replace(transcript, options={**transcript.options, **copied})
        # Filling gaps joins two passes' segments: one sentence may now span both.
        transcript = sentence_segments(transcript)
    if correct:
        from toolkit.transcribe.names import correct_names

        with timed("name correction"):
            transcript = correct_names(transcript, article, names)
        if listen:
            transcript = _names_by_sound(audio, info, options, transcript, article, names)
    transcript = replace(transcript, options={**transcript.options, "outcome": outcome})
    return ArticleResult(transcript, cached, outcome, gaps, cache.put(key, transcript))


def translate(
    audio: Path,
    options: TranscribeOptions,
    spoken: Transcript,
    *,
    info: AudioInfo | None = None,
    cache: TranscriptCache | None = None,
    progress: bool | Progress = True,
    threads: int = 0,
    speech: Speech | None = None,
) -> TranscribeResult | None:
    """The English translation of ``audio``, whose transcript in its own language is ``spoken``.

    None when ``spoken`` is English already. The spoken language is passed on,
    so it is not detected again. The other arguments are :func:`transcribe`'s.
    """
    if spoken.language == "en":
        return None
    english = replace(options, task="translate", language=spoken.language)
    return transcribe(
        audio,
        english,
        info=info,
        cache=cache,
        progress=progress,
        threads=threads,
        speech=speech,
    )
