"""The build pipeline: a list of stages that turn a show folder into a site.

Like beets' importer, one job object per episode passes through a list of
small stage functions. The expensive stage (transcription) skips its work
when a cached result exists for the same audio, model and options, so a
rebuild with nothing changed loads no model.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from toolkit import fsutil
from toolkit.align import Alignment, ParagraphMatch, QuoteMatch, align
from toolkit.article import Article, Paragraph, read_article
from toolkit.audio import AudioInfo, probe
from toolkit.chapters import Chapter, chapters_from_alignment, to_podcast_json
from toolkit.chapters.soundbites import Soundbite, soundbites_from_alignment
from toolkit.config import Episode, Person, Show, load_episodes, load_show
from toolkit.render.environment import make_environment
from toolkit.render.transcripts import WRITERS, WriterOptions, get_writer
from toolkit.tag.id3 import EpisodeTags, publish_mp3
from toolkit.transcribe.cache import TranscriptCache
from toolkit.transcribe.informed import transcribe_with_article
from toolkit.transcribe.options import TranscribeOptions
from toolkit.transcribe.run import translate
from toolkit.transcribe.transcript import Transcript

# The namespace UUID of podcast:guid (Podcasting 2.0).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
TRANSCRIPT_BASENAME = "transcript"
FULL_TRANSCRIPT = "transcript.full.json"  # our own data model, with word timings


@dataclass
class BuildOptions:
    output: Path
    model: str | None = None  # overrides show.toml
    progress: bool = True
    cache: TranscriptCache | None = None


@dataclass
class EpisodeJob:
    """Everything known about one episode as it moves through the stages."""

    show: Show
    episode: Episode
    out_dir: Path
    source: AudioInfo | None = None
    transcript: Transcript | None = None
    transcript_cached: bool = False
    transcript_outcome: str = ""  # see toolkit.transcribe.informed.InformedResult.outcome
    translation: Transcript | None = None  # English, with [transcription] task = "translate"
    article: Article | None = None
    alignment: Alignment | None = None
    chapters: list[Chapter] = field(default_factory=list)
    soundbites: list[Soundbite] = field(default_factory=list)
    audio_size: int = 0
    transcript_files: dict[str, str] = field(default_factory=dict)
    translation_files: dict[str, str] = field(default_factory=dict)

    # --- views used by the templates -------------------------------------
    @property
    def slug(self) -> str:
        return self.episode.slug

    @property
    def duration(self) -> float:
        assert self.source is not None
        return self.source.duration

    @property
    def audio_file(self) -> str:
        return f"{self.slug}.mp3"

    @property
    def audio_mime(self) -> str:
        return "audio/mpeg"

    @property
    def folder_url(self) -> str:
        return f"{self.show.base_url}{self.slug}/"

    @property
    def page_url(self) -> str:
        return self.folder_url

    @property
    def audio_url(self) -> str:
        return self.folder_url + self.audio_file

    @property
    def image_url(self) -> str | None:
        return None

    @property
    def guid(self) -> str:
        if self.episode.guid:
            return self.episode.guid
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.folder_url))

    @property
    def article_url(self) -> str | None:
        return self.episode.article_url or (self.article.url if self.article else None)

    @property
    def people(self) -> list[Person]:
        hosts = self.episode.hosts or self.show.hosts
        return [p.model_copy(update={"role": p.role or "host"}) for p in hosts] + [
            p.model_copy(update={"role": p.role or "guest"}) for p in self.episode.guests
        ]

    @property
    def found_quotes(self) -> list[QuoteMatch]:
        if self.alignment is None:
            return []
        found = [q for q in self.alignment.quotes if q.status != "not_found"]
        return sorted(found, key=lambda q: q.start or 0.0)

    @property
    def paragraph_map(self) -> list[tuple[Paragraph, ParagraphMatch]]:
        if self.article is None or self.alignment is None:
            return []
        return list(zip(self.article.paragraphs, self.alignment.paragraphs, strict=True))

    @property
    def feed_transcripts(self) -> list[tuple[str, dict[str, object]]]:
        """``podcast:transcript`` entries: the transcript, then any English translation."""
        lang = self.transcript.language if self.transcript else None
        files = [(fmt, name, lang) for fmt, name in self.transcript_files.items()]
        files += [(fmt, name, "en") for fmt, name in self.translation_files.items()]
        return [
            (
                fmt,
                {
                    "url": self.folder_url + name,
                    "mime": WRITERS[fmt].mime_type,
                    "language": language,
                    "captions": fmt in ("vtt", "srt"),
                },
            )
            for fmt, name, language in files
        ]


@dataclass
class BuildReport:
    output: Path
    jobs: list[EpisodeJob]

    @property
    def transcribed(self) -> int:
        return sum(not j.transcript_cached for j in self.jobs)

    @property
    def cached(self) -> int:
        return sum(j.transcript_cached for j in self.jobs)


Stage = Callable[[EpisodeJob, BuildOptions], None]


# --- stages ----------------------------------------------------------------
def stage_probe(job: EpisodeJob, opts: BuildOptions) -> None:
    job.source = probe(job.episode.audio_path)


def stage_article(job: EpisodeJob, opts: BuildOptions) -> None:
    path = job.episode.article_path
    if path is not None:
        job.article = read_article(path)


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
    )


def writer_options(show: Show) -> WriterOptions:
    """The transcript layout ``show.toml``'s ``[transcripts]`` asks for."""
    t = show.transcripts
    return WriterOptions(
        max_line_chars=t.max_line_chars,
        max_lines=t.max_lines,
        words=t.word_level,
        speakers=t.speakers,
        paragraph_pause=t.paragraph_pause,
    )


def stage_transcribe(job: EpisodeJob, opts: BuildOptions) -> None:
    """Transcribe, biased towards the article's names and corrected to their spelling."""
    settings = job.show.transcription
    options = transcribe_options(job.show, opts.model)
    result = transcribe_with_article(
        job.episode.audio_path,
        options,
        job.article,
        bias=settings.article_prompt,
        correct=settings.correct_names,
        info=job.source,
        cache=opts.cache,
        progress=opts.progress,
        threads=settings.threads,
    )
    job.transcript, job.transcript_cached = result.transcript, result.cached
    job.transcript_outcome = result.outcome
    if settings.task == "translate":
        translated = translate(
            job.episode.audio_path,
            options,
            job.transcript,
            info=job.source,
            cache=opts.cache,
            progress=opts.progress,
            threads=settings.threads,
        )
        if translated is not None:
            job.translation = translated.transcript
            job.transcript_cached = job.transcript_cached and translated.cached
    fsutil.write_text(
        job.out_dir / FULL_TRANSCRIPT,
        json.dumps(job.transcript.to_dict(), ensure_ascii=False, indent=1),
    )


def stage_align(job: EpisodeJob, opts: BuildOptions) -> None:
    if job.article is None or job.transcript is None:
        return
    job.alignment = align(job.transcript, job.article)
    fsutil.write_text(
        job.out_dir / "alignment.json",
        json.dumps(job.alignment.to_dict(), ensure_ascii=False, indent=1),
    )


def stage_chapters(job: EpisodeJob, opts: BuildOptions) -> None:
    """One chapter list for tags, notes and feed: from the alignment, else by topic."""
    if job.transcript is not None:
        job.chapters = chapters_from_alignment(
            job.alignment,
            job.article,
            job.transcript,
            job.duration,
            min_length=job.show.chapters.min_length,
        )
    fsutil.write_text(job.out_dir / "chapters.json", to_podcast_json(job.chapters))


def stage_soundbites(job: EpisodeJob, opts: BuildOptions) -> None:
    """Soundbites (``podcast:soundbite``) around the quotes the episode voices."""
    if job.alignment is not None and job.transcript is not None:
        job.soundbites = soundbites_from_alignment(
            job.alignment, job.transcript, duration=job.duration
        )


def stage_transcript_files(job: EpisodeJob, opts: BuildOptions) -> None:
    assert job.transcript is not None
    options = writer_options(job.show)
    for fmt in WRITERS:
        name = f"{TRANSCRIPT_BASENAME}.{fmt}"
        fsutil.write_text(job.out_dir / name, get_writer(fmt, options).render(job.transcript))
        job.transcript_files[fmt] = name
    if job.translation is not None:
        for fmt in WRITERS:
            name = f"{TRANSCRIPT_BASENAME}.en.{fmt}"
            fsutil.write_text(job.out_dir / name, get_writer(fmt, options).render(job.translation))
            job.translation_files[fmt] = name


def stage_publish_audio(job: EpisodeJob, opts: BuildOptions) -> None:
    assert job.source is not None and job.transcript is not None
    ep, show = job.episode, job.show
    people = job.people
    tags = EpisodeTags(
        title=ep.title,
        show=show.title,
        artist=", ".join(p.name for p in people) or show.author,
        date=ep.date.date().isoformat(),
        description=ep.description,
        duration=job.duration,
        number=ep.number,
        season=ep.season,
        url=job.page_url,
        artwork=show.image_path,
        chapters=job.chapters,
        transcript=get_writer("txt").render(job.transcript),
    )
    dest = job.out_dir / job.audio_file
    publish_mp3(job.source, dest, tags)
    job.audio_size = dest.stat().st_size


def stage_render_episode(job: EpisodeJob, opts: BuildOptions) -> None:
    env = make_environment(job.show.root)
    context = {"show": job.show, "ep": job, "root": "../", "image_name": _image_name(job.show)}
    fsutil.write_text(job.out_dir / "index.html", env.get_template("episode.html").render(context))
    fsutil.write_text(job.out_dir / "notes.md", env.get_template("notes.md").render(context))


EPISODE_STAGES: list[Stage] = [
    stage_probe,
    stage_article,
    stage_transcribe,
    stage_align,
    stage_chapters,
    stage_soundbites,
    stage_transcript_files,
    stage_publish_audio,
    stage_render_episode,
]


# --- the show as a whole ---------------------------------------------------
def _image_name(show: Show) -> str | None:
    return f"cover{show.image_path.suffix.lower()}" if show.image_path else None


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: a UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def render_show(show: Show, jobs: list[EpisodeJob], output: Path) -> None:
    """Write the show-level files: feed, index page, stylesheet and cover art."""
    env = make_environment(show.root)
    image_name = _image_name(show)
    feed_url = f"{show.base_url}feed.xml"
    categories = [
        {"name": c.split("/")[0].strip(), "sub": c.split("/")[1].strip() if "/" in c else None}
        for c in show.categories
    ]
    context = {
        "show": show,
        "episodes": jobs,
        "root": "",
        "image_name": image_name,
        "feed_url": feed_url,
        "podcast_guid": podcast_guid(feed_url),
        "categories": categories,
        "last_build": max((j.episode.date for j in jobs), default=datetime.now(UTC)),
    }
    fsutil.write_text(output / "feed.xml", env.get_template("feed.xml").render(context))
    fsutil.write_text(output / "index.html", env.get_template("index.html").render(context))
    css = env.loader.get_source(env, "style.css")[0]  # type: ignore[union-attr]
    fsutil.write_text(output / "style.css", css)
    if show.image_path is not None and image_name is not None:
        fsutil.copy_file(show.image_path, output / image_name)


def build(show_dir: Path, opts: BuildOptions, stages: list[Stage] | None = None) -> BuildReport:
    """Build the whole show in ``show_dir`` into ``opts.output``."""
    show = load_show(show_dir)
    episodes = load_episodes(show_dir)
    output = Path(opts.output)
    jobs = [EpisodeJob(show, ep, output / ep.slug) for ep in episodes]
    for job in jobs:
        for stage in stages or EPISODE_STAGES:
            stage(job, opts)
    render_show(show, jobs, output)
    return BuildReport(output, jobs)
