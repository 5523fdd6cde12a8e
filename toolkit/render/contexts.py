"""What each template sees: one small frozen dataclass per template.

Templates never receive the pipeline's job or the pydantic settings. The
builders here read a :class:`~toolkit.config.Show` and the
:class:`~toolkit.pipeline.job.EpisodeJob` objects and make plain views of
them: :class:`ShowView` for the show, :class:`EpisodeView` for an episode,
and small views for the people, chapters, quotes, soundbites, article
paragraphs, transcript segments and transcript files inside them. A
template's variables are the fields of its context (see
:meth:`TemplateContext.variables`); docs/templates.md documents every one,
and tests/test_templates.py keeps the two in step with the templates.

The URLs and guids are made here, and nowhere else:

- an episode's folder is ``<base_url><slug>/``, which is also its page's URL;
- an episode's guid is its ``guid`` from ``episode.toml``, else a UUIDv5 of
  its folder URL;
- the show's ``podcast:guid`` is a UUIDv5 (in the Podcasting 2.0 namespace)
  of the feed URL without its scheme and trailing slashes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from toolkit.render.transcripts import WRITERS

if TYPE_CHECKING:
    from toolkit.config import Episode, Person, Show
    from toolkit.pipeline.job import EpisodeJob

__all__ = [
    "ArticleView",
    "CategoryView",
    "ChapterView",
    "EpisodePageContext",
    "EpisodeView",
    "FEED_FILE",
    "FeedContext",
    "IndexContext",
    "ItemNotesContext",
    "NotesContext",
    "OwnerView",
    "PageContext",
    "ParagraphView",
    "PersonView",
    "QuoteView",
    "SegmentView",
    "ShowView",
    "SoundbiteView",
    "TemplateContext",
    "TranscriptFileView",
    "cover_name",
    "episode_guid",
    "episode_page_context",
    "episode_people",
    "episode_view",
    "feed_context",
    "feed_url",
    "folder_url",
    "index_context",
    "notes_context",
    "page_url",
    "podcast_guid",
    "show_view",
]

# The namespace UUID of podcast:guid (Podcasting 2.0).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_FILE = "feed.xml"


# --- views ------------------------------------------------------------------
@dataclass(frozen=True)
class PersonView:
    """A host or guest (``podcast:person``); ``role`` is always set."""

    name: str
    role: str
    href: str | None
    img: str | None


@dataclass(frozen=True)
class OwnerView:
    """The feed owner Apple writes to (``itunes:owner``)."""

    name: str
    email: str


@dataclass(frozen=True)
class CategoryView:
    """An Apple category, with its subcategory when ``show.toml`` names one."""

    name: str
    sub: str | None


@dataclass(frozen=True)
class ShowView:
    """The show as every template sees it."""

    title: str
    description: str
    author: str
    language: str
    base_url: str
    link: str | None
    copyright: str | None
    explicit: bool
    type: str
    owner: OwnerView
    hosts: tuple[PersonView, ...]
    categories: tuple[CategoryView, ...]
    image: str | None
    image_url: str | None


@dataclass(frozen=True)
class ChapterView:
    """One chapter: start and end in seconds, and its title."""

    start: float
    end: float | None
    title: str


@dataclass(frozen=True)
class QuoteView:
    """A quotation from the article that the episode voices."""

    text: str
    speaker: str | None
    status: str
    start: float | None
    end: float | None
    differences: tuple[str, ...]


@dataclass(frozen=True)
class SoundbiteView:
    """A highlight (``podcast:soundbite``)."""

    start: float
    duration: float
    end: float
    title: str


@dataclass(frozen=True)
class ParagraphView:
    """One article paragraph and where the episode discusses it."""

    text: str
    heading: str | None
    discussed: bool
    start: float | None
    end: float | None


@dataclass(frozen=True)
class ArticleView:
    """The episode's related article, paragraph by paragraph."""

    title: str | None
    paragraphs: tuple[ParagraphView, ...]


@dataclass(frozen=True)
class SegmentView:
    """One transcript segment."""

    start: float
    end: float
    speaker: str | None
    text: str


@dataclass(frozen=True)
class TranscriptFileView:
    """One transcript file in the episode's folder (``podcast:transcript``)."""

    format: str
    name: str
    url: str
    mime: str
    language: str | None
    captions: bool


@dataclass(frozen=True)
class EpisodeView:
    """One episode as the templates see it."""

    slug: str
    title: str
    description: str
    date: datetime
    number: int | None
    season: int | None
    type: str
    explicit: bool | None
    guid: str
    folder_url: str
    page_url: str
    duration: float
    audio_file: str
    audio_url: str
    audio_mime: str
    audio_size: int
    article_url: str | None
    people: tuple[PersonView, ...]
    chapters: tuple[ChapterView, ...]
    soundbites: tuple[SoundbiteView, ...]
    found_quotes: tuple[QuoteView, ...]
    article: ArticleView | None
    segments: tuple[SegmentView, ...]
    transcript_files: tuple[TranscriptFileView, ...]
    translation_files: tuple[TranscriptFileView, ...]

    @property
    def feed_transcripts(self) -> tuple[TranscriptFileView, ...]:
        """The transcript files, then those of the English translation."""
        return self.transcript_files + self.translation_files


# --- one context per template -----------------------------------------------
class TemplateContext:
    """The fields of a context dataclass, as a template's variables."""

    def variables(self) -> dict[str, object]:
        # Not dataclasses.asdict: that would turn the views into dicts too.
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class PageContext(TemplateContext):
    """base.html: what every HTML page has. ``root`` leads back to the site's root."""

    show: ShowView
    root: str


@dataclass(frozen=True)
class EpisodePageContext(PageContext):
    """episode.html: an episode's page, ``<slug>/index.html``."""

    ep: EpisodeView


@dataclass(frozen=True)
class IndexContext(PageContext):
    """index.html: the show's front page; ``episodes`` in the jobs' order (newest first)."""

    episodes: tuple[EpisodeView, ...]


@dataclass(frozen=True)
class NotesContext(TemplateContext):
    """notes.md: an episode's show notes in Markdown, ``<slug>/notes.md``."""

    show: ShowView
    ep: EpisodeView


@dataclass(frozen=True)
class FeedContext(TemplateContext):
    """feed.xml: the RSS feed."""

    show: ShowView
    episodes: tuple[EpisodeView, ...]
    feed_url: str
    podcast_guid: str
    last_build: datetime


@dataclass(frozen=True)
class ItemNotesContext(TemplateContext):
    """item_notes.html: one item's HTML notes (``content:encoded``).

    feed.xml includes it inside its loop over ``episodes``, so it sees the
    feed's variables with ``ep`` set to the item's episode.
    """

    show: ShowView
    ep: EpisodeView


# --- URLs and guids -----------------------------------------------------------
def folder_url(show: Show, episode: Episode) -> str:
    """The URL of an episode's folder in the site."""
    return f"{show.base_url}{episode.slug}/"


def page_url(show: Show, episode: Episode) -> str:
    """The URL of an episode's page (its folder's index.html)."""
    return folder_url(show, episode)


def episode_guid(show: Show, episode: Episode) -> str:
    """The item's guid: ``episode.toml``'s, else a UUIDv5 of the folder URL."""
    if episode.guid:
        return episode.guid
    return str(uuid.uuid5(uuid.NAMESPACE_URL, folder_url(show, episode)))


def feed_url(show: Show) -> str:
    return f"{show.base_url}{FEED_FILE}"


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: a UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def cover_name(show: Show) -> str | None:
    """The cover art's file name in the site's root (``cover.jpg``), or None."""
    return f"cover{show.image_path.suffix.lower()}" if show.image_path else None


# --- builders -----------------------------------------------------------------
def _person(person: Person, default_role: str) -> PersonView:
    return PersonView(person.name, person.role or default_role, person.href, person.img)


def episode_people(show: Show, episode: Episode) -> tuple[PersonView, ...]:
    """Hosts (the episode's, else the show's), then guests, each with a role."""
    hosts = episode.hosts or show.hosts
    return tuple(_person(p, "host") for p in hosts) + tuple(
        _person(p, "guest") for p in episode.guests
    )


def show_view(show: Show) -> ShowView:
    image = cover_name(show)
    categories = [
        CategoryView(c.split("/")[0].strip(), c.split("/")[1].strip() if "/" in c else None)
        for c in show.categories
    ]
    return ShowView(
        title=show.title,
        description=show.description,
        author=show.author,
        language=show.language,
        base_url=show.base_url,
        link=show.link,
        copyright=show.copyright,
        explicit=show.explicit,
        type=show.type,
        owner=OwnerView(show.owner.name, show.owner.email),
        hosts=tuple(_person(p, "host") for p in show.hosts),
        categories=tuple(categories),
        image=image,
        image_url=f"{show.base_url}{image}" if image else None,
    )


def _transcript_files(
    folder: str, files: dict[str, str], language: str | None
) -> tuple[TranscriptFileView, ...]:
    return tuple(
        TranscriptFileView(
            format=fmt,
            name=name,
            url=folder + name,
            mime=WRITERS[fmt].mime_type,
            language=language,
            captions=fmt in ("vtt", "srt"),
        )
        for fmt, name in files.items()
    )


def _article(job: EpisodeJob) -> ArticleView | None:
    if job.article is None:
        return None
    matches = job.alignment.paragraphs if job.alignment is not None else []
    pairs = zip(job.article.paragraphs, matches, strict=job.alignment is not None)
    return ArticleView(
        title=job.article.title,
        paragraphs=tuple(
            ParagraphView(p.text, p.heading, m.discussed, m.start, m.end) for p, m in pairs
        ),
    )


def _found_quotes(job: EpisodeJob) -> tuple[QuoteView, ...]:
    if job.alignment is None:
        return ()
    found = [q for q in job.alignment.quotes if q.status != "not_found"]
    return tuple(
        QuoteView(q.text, q.speaker, q.status, q.start, q.end, tuple(q.differences))
        for q in sorted(found, key=lambda q: q.start or 0.0)
    )


def episode_view(show: Show, job: EpisodeJob) -> EpisodeView:
    """The episode of ``job`` as the templates see it.

    Needs the published audio (``job.audio``): its duration, size and name.
    """
    ep = job.episode
    if job.audio is None:
        raise ValueError(f"episode {ep.slug}: no published audio to render (job.audio)")
    folder = folder_url(show, ep)
    language = job.transcript.language if job.transcript is not None else None
    return EpisodeView(
        slug=ep.slug,
        title=ep.title,
        description=ep.description,
        date=ep.date,
        number=ep.number,
        season=ep.season,
        type=ep.type,
        explicit=ep.explicit,
        guid=episode_guid(show, ep),
        folder_url=folder,
        page_url=page_url(show, ep),
        duration=job.audio.duration,
        audio_file=job.audio.file,
        audio_url=folder + job.audio.file,
        audio_mime=job.audio.mime,
        audio_size=job.audio.size,
        article_url=ep.article_url or (job.article.url if job.article else None),
        people=episode_people(show, ep),
        chapters=tuple(ChapterView(c.start, c.end, c.title) for c in job.chapters),
        soundbites=tuple(
            SoundbiteView(b.start, b.duration, b.end, b.title) for b in job.soundbites
        ),
        found_quotes=_found_quotes(job),
        article=_article(job),
        segments=tuple(
            SegmentView(s.start, s.end, s.speaker, s.text)
            for s in (job.transcript.segments if job.transcript is not None else [])
        ),
        transcript_files=_transcript_files(folder, job.transcript_files, language),
        translation_files=_transcript_files(folder, job.translation_files, "en"),
    )


def episode_page_context(show: Show, job: EpisodeJob) -> EpisodePageContext:
    return EpisodePageContext(show=show_view(show), root="../", ep=episode_view(show, job))


def notes_context(show: Show, job: EpisodeJob) -> NotesContext:
    return NotesContext(show=show_view(show), ep=episode_view(show, job))


def index_context(show: Show, jobs: list[EpisodeJob]) -> IndexContext:
    return IndexContext(
        show=show_view(show), root="", episodes=tuple(episode_view(show, j) for j in jobs)
    )


def feed_context(show: Show, jobs: list[EpisodeJob]) -> FeedContext:
    """The feed's context; ``last_build`` is the newest episode's date (now, with none)."""
    url = feed_url(show)
    return FeedContext(
        show=show_view(show),
        episodes=tuple(episode_view(show, j) for j in jobs),
        feed_url=url,
        podcast_guid=podcast_guid(url),
        last_build=max((j.episode.date for j in jobs), default=datetime.now(UTC)),
    )
