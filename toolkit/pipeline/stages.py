"""The stages of an episode's build, each with the inputs it depends on.

Like beets' importer, one job (:class:`~toolkit.pipeline.job.EpisodeJob`)
passes through a list of small stages. Each :class:`Stage` says:

- ``inputs``: everything its output depends on, as JSON-able data: content
  hashes of source files, the settings it reads, the keys of the stages it
  builds on, and a digest of its own code. The build hashes them into the
  stage's key (:func:`toolkit.hashing.content_key`): no path takes part, so
  a copied or moved show reuses its work.
- ``run``: do the work, write its files into the episode's staging folder and
  fill its fields of the job; returns what it wrote and the data to keep.
- ``restore``: when the key is unchanged, fill the same fields of the job
  from the files and data the last build kept, without doing the work.

Transcription keeps its own content-addressed cache as well
(:mod:`toolkit.transcribe.cache`), so even a new site folder loads no model
for audio that was transcribed before.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import datafile, fsutil
from toolkit.audio import AudioInfo, probe
from toolkit.config import Episode, Show
from toolkit.errors import AlignmentError, ArticleError, TranscriptError
from toolkit.hashing import file_sha256
from toolkit.pipeline.job import EpisodeJob, PublishedAudio
from toolkit.profile import timed
from toolkit.transcribe.options import TranscribeOptions

if TYPE_CHECKING:
    from toolkit.speakers.cache import DiarizationCache
    from toolkit.speakers.model import Diarization
    from toolkit.speakers.naming import Candidate
    from toolkit.transcribe.cache import TranscriptCache
    from toolkit.transcribe.gaps import Speech
    from toolkit.transcribe.transcript import Transcript

# Each stage imports the modules that do its work when it runs or restores,
# so a build that skips everything loads neither scikit-learn nor Whisper.

__all__ = [
    "ARTICLE_FILE",
    "FULL_TRANSCRIPT",
    "STAGES",
    "Context",
    "Record",
    "Stage",
    "code_digest",
    "transcribe_options",
]

FULL_TRANSCRIPT = "transcript.full.json"  # our own data model, with word timings
FULL_TRANSLATION = "transcript.en.full.json"
ARTICLE_FILE = "article.json"

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def code_digest(*parts: str) -> str:
    """A digest of the toolkit's own source under ``parts`` (packages or modules).

    A stage's key holds the digest of the code that makes its output, so an
    upgraded toolkit redoes exactly the stages whose code changed.
    """
    h = hashlib.sha256()
    for part in parts:
        base = _PACKAGE / part
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
        for path in files:
            h.update(path.relative_to(_PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class Context:
    """What every stage of one build shares."""

    show: Show
    #: The model named on the command line, overriding show.toml's.
    model: str | None = None
    progress: bool = True
    cache: TranscriptCache | None = None
    #: Where diarizations are cached; None: the user cache's ``diarization``.
    speakers_cache: DiarizationCache | None = None
    #: The content hash of every file the stages read, computed once per build.
    hashes: dict[Path, str] = field(default_factory=dict)

    #: The named voices of the episodes built so far, oldest first (see
    #: :meth:`learn_voices`): the voice prints that help name later episodes' speakers.
    voices: list[Diarization] = field(default_factory=list)

    #: Work started ahead of the stage that needs it, by (episode, what): see :meth:`ahead`.
    _ahead: dict[tuple[str, str], Future[Any]] = field(default_factory=dict, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)
    #: Each episode's decoded audio and voice activity, shared by its stages.
    _speech: dict[str, Speech] = field(default_factory=dict, repr=False)

    def speech(self, job: EpisodeJob) -> Speech:
        """The episode's audio samples and speech spans, decoded once for all its stages."""
        from toolkit.transcribe.gaps import Speech

        if job.slug not in self._speech:
            self._speech[job.slug] = Speech(job.episode.audio_path)
        return self._speech[job.slug]

    def ahead(self, job: EpisodeJob, what: str, work: Callable[[], Any]) -> None:
        """Start ``work`` for ``job`` in a thread of its own, for a later stage to :meth:`take`.

        For work that needs no earlier stage's result (the diarization needs
        only the audio): it runs while the decoder does, on the core the
        decoder leaves idle. Its profile spans nest under the span open now.
        """
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toolkit-ahead")

        def alongside() -> Any:
            with timed(f"alongside: {what}"):
                return work()

        context = contextvars.copy_context()
        self._ahead[(job.slug, what)] = self._pool.submit(context.run, alongside)

    def take(self, job: EpisodeJob, what: str) -> Any | None:
        """What :meth:`ahead` started for ``job``, once it is done (None if nothing was).

        Raises what the work raised.
        """
        future = self._ahead.pop((job.slug, what), None)
        if future is None:
            return None
        with timed(f"waiting for the {what}"):
            return future.result()

    def done_with(self, job: EpisodeJob) -> None:
        """Let go of the episode's decoded audio (about 115 MB an hour)."""
        self._speech.pop(job.slug, None)

    def close(self) -> None:
        """Wait for work started ahead and end its thread; the build's last step."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._ahead.clear()
        self._speech.clear()

    def sha256(self, path: Path) -> str:
        if path not in self.hashes:
            self.hashes[path] = file_sha256(path)
        return self.hashes[path]

    def learn_voices(self, folder: Path) -> None:
        """Keep the named voices of the episode just built in ``folder``, if it has any."""
        from toolkit.speakers.model import Diarization

        saved = folder / DIARIZATION_FILE
        if saved.is_file():
            self.voices.append(Diarization.load(saved))


@dataclass
class Record:
    """What a stage left: the files it wrote (in the episode's folder) and data to keep."""

    files: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    #: What it did, for the build's report ("transcribed", "reused", ...); None: its
    #: verb; "": nothing to report (a stage that is turned off).
    action: str | None = None
    #: What the producer should know, each naming the file and the field
    #: (:func:`audio_warning`); the build says them, again when it reuses the stage.
    warnings: list[str] = field(default_factory=list)


Inputs = Callable[[EpisodeJob, Context, dict[str, str]], dict[str, Any]]
Run = Callable[[EpisodeJob, Context, Path], Record]
Restore = Callable[[EpisodeJob, Path, dict[str, Any]], None]


@dataclass(frozen=True)
class Stage:
    """One step of an episode's build (see the module's text)."""

    name: str
    #: What the build's report says when the stage ran ("aligned", "re-tagged").
    verb: str
    #: The stages whose job fields this one reads; they are restored first.
    needs: tuple[str, ...]
    inputs: Inputs
    run: Run
    restore: Restore


# --- probe -------------------------------------------------------------------
def _probe_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    return {"audio": ctx.sha256(job.episode.audio_path), "code": code_digest("audio")}


#: Audio shorter than this (seconds) is published with a warning: apps show
#: ``itunes:duration`` in whole seconds, and such a file is most likely a mistake.
SHORT_AUDIO = 1.0


def audio_warning(job: EpisodeJob, text: str) -> str:
    """A warning about the episode's audio, naming ``episode.toml``'s ``audio`` and the file."""
    from toolkit.config import EPISODE_FILE

    return f"{job.episode.folder / EPISODE_FILE}: field 'audio': {job.episode.audio_path}: {text}"


def _probe_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    # The inputs hashed the audio already; probe does not read it again for that.
    # The duration is the decoded audio's, never only the header's.
    job.source = probe(job.episode.audio_path, sha256=ctx.sha256(job.episode.audio_path))
    warnings = []
    if job.source.header_duration is not None:
        warnings.append(
            audio_warning(
                job,
                f"its header says {job.source.header_duration:.1f} s but only "
                f"{job.source.duration:.1f} s of audio decode (a truncated or damaged file?); "
                "the decoded duration is published",
            )
        )
    if job.source.duration < SHORT_AUDIO:
        warnings.append(
            audio_warning(
                job,
                f"the audio lasts only {job.source.duration:.2f} s "
                "(itunes:duration counts whole seconds); is it the right file?",
            )
        )
    return Record(data={"source": {**asdict(job.source), "path": None}}, warnings=warnings)


def _probe_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    job.source = AudioInfo(**{**data["source"], "path": job.episode.audio_path})


# --- article -----------------------------------------------------------------


def _article_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    path = job.episode.article_path
    return {
        "article": ctx.sha256(path) if path is not None else None,
        "suffix": path.suffix.lower() if path is not None else None,
        # An article given only as a URL is not fetched: its warning names it.
        "url": job.episode.article if path is None else None,
        "code": code_digest("article"),
    }


#: An article's text past this many characters (some 30,000 words, ten long reads)
#: is published whole on the page, but is likely the wrong file: the build warns.
LONG_ARTICLE = 200_000


def article_warning(job: EpisodeJob, text: str) -> str:
    """A warning about the episode's article, naming ``episode.toml``'s ``article``."""
    from toolkit.config import EPISODE_FILE

    return f"{job.episode.folder / EPISODE_FILE}: field 'article': {text}"


def _article_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    from toolkit.article import read_article
    from toolkit.article.model import SCHEMA_VERSION as ARTICLE_VERSION

    path = job.episode.article_path
    if path is None:
        job.article = None
        warnings = []
        if job.episode.article:  # a URL: the build reads no web page
            warnings.append(
                article_warning(
                    job,
                    f"{job.episode.article} is a URL, which the build does not fetch, so "
                    "nothing is aligned to it: save the page beside episode.toml, set article "
                    "to its file name and article_url to the URL",
                )
            )
        return Record(action="no article", warnings=warnings)
    job.article = read_article(path)
    fields = job.article.to_dict()
    fields.pop("version", None)
    fields["source"] = path.name  # a public file: never the show's local path
    datafile.write(folder / ARTICLE_FILE, ARTICLE_VERSION, fields)
    warnings = []
    size = len(job.article.text)
    if size > LONG_ARTICLE:
        warnings.append(
            article_warning(
                job,
                f"{path}: its text is {size:,} characters (about {size // 6:,} words), all "
                "of it on the episode's page: is it the right file?",
            )
        )
    return Record(files=[ARTICLE_FILE], warnings=warnings)


def _article_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    from toolkit.article import Article
    from toolkit.article.model import SCHEMA_VERSION as ARTICLE_VERSION

    saved = folder / ARTICLE_FILE
    if not saved.is_file():
        job.article = None
        return
    raw = datafile.read(saved, "article", ARTICLE_VERSION, ArticleError)
    job.article = Article.from_dict(raw, job.episode.article_path)


# --- transcribe --------------------------------------------------------------
def transcribe_options(show: Show, model: str | None = None) -> TranscribeOptions:
    """The decoding options ``show.toml`` asks for; ``model`` overrides its model."""
    settings = show.transcription
    return TranscribeOptions(
        model=model or settings.model,
        engine=settings.engine,
        language=settings.language,
        beam_size=settings.beam_size,
        vad=settings.vad,
        compute_type=settings.compute_type,
        batch_size=settings.batch_size,
    )


def spoken_names(show: Show, episode: Episode) -> list[str]:
    """The people the episode's audio may name: the show's hosts, the episode's hosts and guests."""
    people = [*show.hosts, *episode.hosts, *episode.guests]
    return list(dict.fromkeys(p.name for p in people))


def _transcribe_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    settings = ctx.show.transcription
    return {
        "audio": ctx.sha256(job.episode.audio_path),
        "options": asdict(transcribe_options(ctx.show, ctx.model)),
        "article": keys["article"] if job.episode.article_path is not None else None,
        "names": spoken_names(ctx.show, job.episode),
        "bias": settings.article_prompt,
        "correct": settings.correct_names,
        "by_sound": settings.names_by_sound,
        "task": settings.task,
        # Its own cache keeps the transcripts (keyed by their engine's revision),
        # so a change of the transcription code costs a cache lookup, not a model.
        "code": code_digest("transcribe"),
    }


def _transcribe_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    """Transcribe, biased towards the article's names and corrected to their spelling."""
    from toolkit.transcribe import transcribe_with_article, translate

    settings = ctx.show.transcription
    options = transcribe_options(ctx.show, ctx.model)
    # One decoding and one voice activity pass of the audio, shared by every
    # pass and by the diarization.
    speech = ctx.speech(job)
    if ctx.show.speakers.enabled:
        _diarize_ahead(job, ctx, speech)
    run: dict[str, Any] = {
        "info": job.source,
        "cache": ctx.cache,
        "progress": ctx.progress,
        "threads": settings.threads,
        "speech": speech,
    }
    result = transcribe_with_article(
        job.episode.audio_path,
        options,
        job.article,
        names=spoken_names(ctx.show, job.episode),
        bias=settings.article_prompt,
        correct=settings.correct_names,
        listen=settings.names_by_sound,
        **run,
    )
    job.transcript, job.transcript_outcome = result.transcript, result.outcome
    cached = result.cached
    files = [FULL_TRANSCRIPT]
    job.translation = None
    if settings.task == "translate":
        translated = translate(job.episode.audio_path, options, job.transcript, **run)
        if translated is not None:
            job.translation = translated.transcript
            cached = cached and translated.cached
            save_transcript(folder / FULL_TRANSLATION, job.translation)
            files.append(FULL_TRANSLATION)
    save_transcript(folder / FULL_TRANSCRIPT, job.transcript)
    if not ctx.show.speakers.enabled:
        ctx.done_with(job)
    warnings = []
    if not job.transcript.words:
        warnings.append(audio_warning(job, EMPTY_TRANSCRIPT))
    return Record(
        files=files,
        data={"outcome": job.transcript_outcome},
        action="reused cached transcript" if cached else "transcribed",
        warnings=warnings,
    )


#: The warning for a transcript without a word (silence, noise or music only).
EMPTY_TRANSCRIPT = (
    "no speech was recognised (silence, noise or music only?): the transcript is empty"
)


def _transcribe_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    job.transcript = load_transcript(folder / FULL_TRANSCRIPT)
    job.transcript_outcome = data.get("outcome", "")
    translation = folder / FULL_TRANSLATION
    job.translation = load_transcript(translation) if translation.is_file() else None


def save_transcript(path: Path, transcript: Transcript) -> None:
    from toolkit.transcribe.transcript import SCHEMA_VERSION as TRANSCRIPT_VERSION

    fields = transcript.to_dict()
    fields.pop("version", None)
    datafile.write(path, TRANSCRIPT_VERSION, fields)


def load_transcript(path: Path) -> Transcript:
    from toolkit.transcribe.transcript import SCHEMA_VERSION as TRANSCRIPT_VERSION
    from toolkit.transcribe.transcript import Transcript

    return Transcript.from_dict(
        datafile.read(path, "transcript", TRANSCRIPT_VERSION, TranscriptError), path
    )


# --- waveform ----------------------------------------------------------------
WAVEFORM_FILE = "waveform.json"


def _waveform_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    return {"audio": ctx.sha256(job.episode.audio_path), "code": code_digest("waveform.py")}


def _waveform_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    from toolkit.waveform import waveform

    job.waveform = waveform(job.episode.audio_path)
    job.waveform.save(folder / WAVEFORM_FILE)
    return Record(files=[WAVEFORM_FILE])


def _waveform_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    from toolkit.waveform import Waveform

    job.waveform = Waveform.load(folder / WAVEFORM_FILE)


# --- speakers ----------------------------------------------------------------
DIARIZATION_FILE = "diarization.json"


def _people(show: Show, episode: Episode) -> list[tuple[str, str, Path | None, str]]:
    """The show's and the episode's people, once each: name, role, voice sample, its field.

    The field names the file and the entry, for errors: ``show.toml hosts[0].voice``.
    A voice sample is relative to the file that names it.
    """
    from toolkit.config import EPISODE_FILE, SHOW_FILE

    out: dict[str, tuple[str, str, Path | None, str]] = {}
    groups = [
        (f"{SHOW_FILE} hosts", show.hosts, show.root, "host"),
        (f"{EPISODE_FILE} hosts", episode.hosts, episode.folder, "host"),
        (f"{EPISODE_FILE} guests", episode.guests, episode.folder, "guest"),
    ]
    for group, people, base, default_role in groups:
        for i, person in enumerate(people):
            sample = base / person.voice if person.voice is not None else None
            known = out.get(person.name)
            if known is not None and (sample is None or known[2] is not None):
                continue  # listed twice: keep the first listing, or the one with a voice
            out[person.name] = (
                person.name,
                person.role or default_role,
                sample,
                f"{group}[{i}].voice",
            )
    return list(out.values())


def speaker_candidates(show: Show, episode: Episode) -> list[Candidate]:
    """The people who may speak in ``episode``, each with their voice sample's print."""
    from toolkit.speakers.embed import voice_print
    from toolkit.speakers.naming import Candidate

    return [
        Candidate(name, role, None if sample is None else tuple(voice_print(sample, field)))
        for name, role, sample, field in _people(show, episode)
    ]


def _speakers_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    settings = ctx.show.speakers
    if not settings.enabled:
        return {"enabled": False, "transcript": keys["transcribe"]}
    from toolkit.speakers.prints import voice_prints

    people = _people(ctx.show, job.episode)
    return {
        "transcript": keys["transcribe"],
        "audio": ctx.sha256(job.episode.audio_path),
        "count": settings.count,
        "people": [
            [name, role, None if sample is None else _sample_hash(ctx, sample, field)]
            for name, role, sample, field in people
        ],
        # The voices of the show's earlier episodes help to name this one's.
        "prints": voice_prints(ctx.voices),
        "code": code_digest("speakers", "transcribe/sentences.py"),
    }


def _sample_hash(ctx: Context, sample: Path, field: str) -> str:
    from toolkit.errors import SpeakerError

    if not sample.is_file():
        raise SpeakerError("voice sample not found", sample, field)
    return ctx.sha256(sample)


def _diarization(job: EpisodeJob, ctx: Context, speech: Speech) -> tuple[Diarization, bool]:
    """The episode's diarization (cached by content), and whether it came from the cache."""
    from toolkit.speakers.run import diarization

    count = ctx.show.speakers.count
    audio = job.episode.audio_path
    return diarization(
        audio,
        count=None if count == "auto" else count,
        cache=ctx.speakers_cache,
        sha256=ctx.sha256(audio),
        speech=speech,
    )


def _diarize_ahead(job: EpisodeJob, ctx: Context, speech: Speech) -> None:
    """Diarize in a thread while the episode is transcribed: it needs only the audio.

    The audio is decoded first, so both read the same samples; once the
    diarization is done they are let go (the decoder holds its own
    spectrogram, or its own reference while it reads them), which keeps about
    115 MB an hour out of the build's peak. The speakers stage takes the
    result; a build that fails first waits for it in :meth:`Context.close`
    (it is cached either way).
    """
    speech.samples()
    ctx.sha256(job.episode.audio_path)  # hashed here, not in two threads

    def work() -> tuple[Diarization, bool]:
        try:
            found = _diarization(job, ctx, speech)
            _ = speech.raw_spans  # the transcription's voice activity, before letting go
            return found
        finally:
            speech.release()

    ctx.ahead(job, "diarization", work)


def _speakers_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    """Who speaks when, named from the show's people; the transcript gets their names."""
    from toolkit.speakers.prints import voice_prints
    from toolkit.speakers.run import find_speakers, report

    settings = ctx.show.speakers
    if not settings.enabled or job.transcript is None:
        return Record(action="")
    candidates = speaker_candidates(ctx.show, job.episode)
    audio = job.episode.audio_path
    found = ctx.take(job, "diarization") or _diarization(job, ctx, ctx.speech(job))
    ctx.done_with(job)
    result = find_speakers(
        audio,
        job.transcript,
        candidates,
        prints=voice_prints(ctx.voices),
        found=found,
    )
    result.diarization.save(folder / DIARIZATION_FILE)
    job.transcript = result.transcript
    return Record(files=[DIARIZATION_FILE], action=report(result.diarization, result.cached))


def _speakers_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    from toolkit.speakers.model import Diarization
    from toolkit.speakers.run import label_transcript

    saved = folder / DIARIZATION_FILE
    if job.transcript is not None and saved.is_file():
        job.transcript = label_transcript(job.transcript, Diarization.load(saved))


# --- align -------------------------------------------------------------------
def _align_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "transcript": keys["speakers"],
        "article": keys["article"],
        # The acoustic check's code is in align/ too.
        "code": code_digest("align", "article"),
        "acoustic_check": False,
    }
    if ctx.show.alignment.acoustic_check:
        # It scores the quotes on the audio with the transcription's model.
        inputs["acoustic_check"] = {
            "audio": ctx.sha256(job.episode.audio_path),
            "model": transcribe_options(ctx.show, ctx.model).model,
        }
    return inputs


def _align_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    from toolkit.align import align
    from toolkit.align.model import SCHEMA_VERSION as ALIGNMENT_VERSION

    if job.article is None or job.transcript is None:
        job.alignment = None
        return Record(action="no article")
    scorer = None
    if ctx.show.alignment.acoustic_check:
        # Loads the model only if a quote's wording differs after normalisation.
        from toolkit.align.acoustic import CachedScorer, whisper_scorer

        audio = job.episode.audio_path
        # The transcription's model, language and prompt, as it decoded.
        model = transcribe_options(ctx.show, ctx.model).model
        scorer = CachedScorer(whisper_scorer(audio, job.transcript, model), ctx.sha256(audio))
    job.alignment = align(job.transcript, job.article, scorer=scorer)
    fields = job.alignment.to_dict()
    fields.pop("version", None)
    datafile.write(folder / "alignment.json", ALIGNMENT_VERSION, fields)
    return Record(files=["alignment.json"])


def _align_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    from toolkit.align import Alignment
    from toolkit.align.model import SCHEMA_VERSION as ALIGNMENT_VERSION

    saved = folder / "alignment.json"
    if not saved.is_file():
        job.alignment = None
        return
    data = datafile.read(saved, "alignment", ALIGNMENT_VERSION, AlignmentError)
    job.alignment = Alignment.from_dict(data, saved)


# --- chapters and soundbites -------------------------------------------------
def _chapters_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    return {
        "alignment": keys["align"],
        "transcript": keys["speakers"],
        "duration": keys["probe"],
        "min_length": ctx.show.chapters.min_length,
        "given": [c.model_dump(mode="json") for c in job.episode.chapters],
        "code": code_digest("chapters"),
    }


def _chapters_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    """One chapter list for tags, notes and feed, and soundbites around the quotes."""
    from toolkit.chapters import Chapter, chapters_from_alignment, to_podcast_json
    from toolkit.chapters.soundbites import soundbites_from_alignment

    assert job.source is not None
    job.chapters, job.soundbites = [], []
    given = sorted(job.episode.chapters, key=lambda c: c.start)
    if given:  # episode.toml's [[chapters]], used as they are
        job.chapters = [Chapter(start=c.start, title=c.title, url=c.url) for c in given]
    elif job.transcript is not None:
        job.chapters = chapters_from_alignment(
            job.alignment,
            job.article,
            job.transcript,
            job.source.duration,
            min_length=ctx.show.chapters.min_length,
        )
    if job.transcript is not None and job.alignment is not None:
        job.soundbites = soundbites_from_alignment(
            job.alignment, job.transcript, duration=job.source.duration
        )
    fsutil.write_text(folder / "chapters.json", to_podcast_json(job.chapters))
    return Record(
        files=["chapters.json"],
        data={
            "chapters": [asdict(c) for c in job.chapters],
            "soundbites": [asdict(s) for s in job.soundbites],
        },
    )


def _chapters_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    from toolkit.chapters import Chapter
    from toolkit.chapters.soundbites import Soundbite

    job.chapters = [Chapter(**c) for c in data["chapters"]]
    job.soundbites = [Soundbite(**s) for s in data["soundbites"]]


# --- transcript files --------------------------------------------------------
def _transcripts_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    return {
        "transcript": keys["speakers"],
        "layout": ctx.show.transcripts.model_dump(),
        "code": code_digest("render/captions.py", "render/transcripts.py"),
    }


def _transcripts_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    from toolkit.render import render_transcripts

    files = render_transcripts(ctx.show, job)
    for name, text in files.items():
        fsutil.write_text(folder / name, text)
    job.transcript_files = dict(files.transcript_files)
    job.translation_files = dict(files.translation_files)
    return Record(
        files=sorted(files),
        data={"transcripts": job.transcript_files, "translations": job.translation_files},
    )


def _transcripts_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    job.transcript_files = dict(data["transcripts"])
    job.translation_files = dict(data["translations"])


# --- mastering ---------------------------------------------------------------
def _master_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    settings = ctx.show.master
    if not settings.enabled:
        return {"enabled": False}
    return {
        "audio": ctx.sha256(job.episode.audio_path),
        "settings": settings.model_dump(mode="json"),
        "format": ctx.show.publish.format,  # the mastered file is in the published format
        "code": code_digest("master.py", "audio.py", "tag/publish.py"),
    }


def _master_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    """Two-pass loudnorm into ``.mastered.<ext>``, which the tag stage publishes."""
    from toolkit.master import MasterSettings, master
    from toolkit.tag import publish_format

    assert job.source is not None
    settings = ctx.show.master
    job.mastered = None
    if not settings.enabled:
        return Record(action="")  # nothing to report
    ext = publish_format(job.source, ctx.show.publish.format).ext
    name = f".mastered.{ext}"  # hidden: never served; the published copy is <slug>.<ext>
    options = MasterSettings(
        settings.target_lufs, settings.true_peak, settings.channels, settings.bitrate
    )
    result = master(job.source, folder / name, ext, options)
    job.mastered = probe(folder / name)
    return Record(
        files=[name],
        data={
            "mastered": {**asdict(job.mastered), "path": name},
            "loudness": asdict(result),
        },
        action=f"mastered ({result.summary()})",
    )


def _master_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    saved = data.get("mastered")
    job.mastered = AudioInfo(**{**saved, "path": folder / saved["path"]}) if saved else None


# --- tagged audio ------------------------------------------------------------
def _tag_fields(job: EpisodeJob, ctx: Context) -> dict[str, Any]:
    """Everything from the show and the episode that goes into the tags."""
    from toolkit.render.contexts import episode_people, feed_url, page_url

    ep, show = job.episode, ctx.show
    return {
        "title": ep.title,
        "show": show.title,
        "artist": ", ".join(p.name for p in episode_people(show, ep)) or show.author,
        "date": ep.date.date().isoformat(),
        "description": ep.description,
        "number": ep.number,
        "season": ep.season,
        "url": page_url(show, ep),
        "feed_url": feed_url(show),
        "guid": ep.guid or job.guid,
        "keywords": list(ep.keywords),
    }


def _tag_artwork(job: EpisodeJob, ctx: Context) -> Path | None:
    """The picture inside the file: the episode's own cover, else the show's."""
    return job.episode.image_path or ctx.show.image_path


def _tag_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    image = _tag_artwork(job, ctx)
    return {
        "audio": ctx.sha256(job.episode.audio_path),
        "tags": _tag_fields(job, ctx),
        "artwork": ctx.sha256(image) if image is not None else None,
        "chapters": keys["chapters"],
        "transcript": keys["speakers"],
        "master": keys["master"],
        "publish": ctx.show.publish.model_dump(mode="json"),
        "code": code_digest("tag", "audio.py"),
    }


def _tag_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    """Publish ``<slug>.<ext>`` in the source's format (or MP3), tagged and checked."""
    from toolkit.render.transcripts import get_writer
    from toolkit.tag import ChapterTag, EpisodeTags, TagOptions, publish_audio, publish_format

    assert job.source is not None and job.transcript is not None
    settings = ctx.show.publish
    source = job.mastered or job.source
    tags = EpisodeTags(
        **_tag_fields(job, ctx),
        duration=source.duration,
        artwork=_tag_artwork(job, ctx),
        chapters=[ChapterTag.from_chapter(c) for c in job.chapters],
        transcript=get_writer("txt").render(job.transcript),
    )
    fmt = publish_format(source, settings.format)
    name = f"{job.slug}.{fmt.ext}"
    dest = folder / name
    options = TagOptions(settings.id3_version, settings.keep_source_chapters)
    publish_audio(source, dest, tags, options, fmt, original=job.source.path)
    # The duration the feed, page and notes print is the published file's own,
    # decoded: an encoded copy can differ from its source by a frame or two. A
    # copy or a remux holds the source's very packets, whose decoded duration
    # is known (and its header may be a truncated file's).
    published = probe(dest, decode=fmt.method == "encode")
    if fmt.method != "encode":
        published.duration = source.duration
    job.audio = PublishedAudio(name, fmt.mime, published.size, published.duration)
    note = None if fmt.apple else f"tagged {name} (Apple Podcasts plays MP3 and M4A only)"
    return Record(files=[name], data={"audio": asdict(job.audio)}, action=note)


def _tag_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    job.audio = PublishedAudio(**data["audio"])


# --- pages -------------------------------------------------------------------
def _page_inputs(job: EpisodeJob, ctx: Context, keys: dict[str, str]) -> dict[str, Any]:
    image = job.episode.image_path
    return {
        "episode": job.episode.model_dump(mode="json"),
        "image": ctx.sha256(image) if image is not None else None,
        "show": ctx.show.model_dump(mode="json"),
        "stages": {k: v for k, v in keys.items() if k != "page"},
        "templates": templates_digest(ctx.show),
        "code": code_digest("render"),
    }


def _page_run(job: EpisodeJob, ctx: Context, folder: Path) -> Record:
    from toolkit.render import render_episode
    from toolkit.render.contexts import episode_cover_name

    files = render_episode(ctx.show, job)
    for name, text in files.items():
        fsutil.write_text(folder / name, text)
    names = sorted(files)
    cover = episode_cover_name(job.episode)  # the episode's own cover art (itunes:image)
    if job.episode.image_path is not None and cover is not None:
        fsutil.copy_file(job.episode.image_path, folder / cover)
        names.append(cover)
    return Record(files=names)


def _page_restore(job: EpisodeJob, folder: Path, data: dict[str, Any]) -> None:
    return None


def templates_digest(show: Show) -> str:
    """A digest of every template the show's pages and feed can use."""
    from toolkit.paths import default_templates_dir

    h = hashlib.sha256()
    for base in (show.root / "templates", default_templates_dir()):
        if base.is_dir():
            for path in sorted(p for p in base.rglob("*") if p.is_file()):
                h.update(path.relative_to(base).as_posix().encode() + b"\0")
                h.update(path.read_bytes())
        h.update(b"\1")
    return h.hexdigest()


STAGES: list[Stage] = [
    Stage("probe", "probed", (), _probe_inputs, _probe_run, _probe_restore),
    Stage("article", "read the article", (), _article_inputs, _article_run, _article_restore),
    Stage(
        "transcribe",
        "transcribed",
        ("probe", "article"),
        _transcribe_inputs,
        _transcribe_run,
        _transcribe_restore,
    ),
    Stage(
        "waveform",
        "drew the waveform",
        ("probe",),
        _waveform_inputs,
        _waveform_run,
        _waveform_restore,
    ),
    Stage(
        "speakers",
        "found speakers",
        ("probe", "transcribe"),
        _speakers_inputs,
        _speakers_run,
        _speakers_restore,
    ),
    Stage("align", "aligned", ("speakers", "article"), _align_inputs, _align_run, _align_restore),
    Stage(
        "chapters",
        "made chapters",
        ("probe", "article", "speakers", "align"),
        _chapters_inputs,
        _chapters_run,
        _chapters_restore,
    ),
    Stage(
        "transcripts",
        "wrote transcripts",
        ("speakers",),
        _transcripts_inputs,
        _transcripts_run,
        _transcripts_restore,
    ),
    Stage("master", "mastered", ("probe",), _master_inputs, _master_run, _master_restore),
    Stage(
        "tag",
        "re-tagged",
        ("probe", "speakers", "chapters", "master"),
        _tag_inputs,
        _tag_run,
        _tag_restore,
    ),
    Stage(
        "page",
        "re-rendered",
        ("probe", "article", "speakers", "align", "chapters", "transcripts", "tag", "waveform"),
        _page_inputs,
        _page_run,
        _page_restore,
    ),
]
"""The stages of every episode, in order."""
