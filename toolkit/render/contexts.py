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
- an episode's guid is its ``guid`` from ``episode.toml``, else the one the
  build assigned and recorded (``job.guid``, :mod:`toolkit.pipeline.guids`);
  never derived from a URL, so moving the site changes no guid;
- the show's ``podcast:guid`` is a UUIDv5 (in the Podcasting 2.0 namespace)
  of the feed URL without its scheme and trailing slashes.

Durations are whole seconds, rounded to the nearest (:func:`whole_seconds`),
so the page, the notes and the feed print the same length.
"""

from __future__ import annotations

import re
import uuid
from bisect import bisect_left
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.render.transcripts import WRITERS, WriterOptions, paragraphs, writer_options

if TYPE_CHECKING:
    from toolkit.align.model import QuoteMatch
    from toolkit.config import Episode, Location, Person, Show, Value
    from toolkit.pipeline.job import EpisodeJob

__all__ = [
    "FEED_TRANSCRIPT_TYPES",
    "ArticleView",
    "CategoryView",
    "ChapterView",
    "EnclosureView",
    "EpisodePageContext",
    "EpisodeView",
    "FEED_FILE",
    "FeedContext",
    "FundingView",
    "IndexContext",
    "LicenseView",
    "LocationView",
    "NotesContext",
    "OwnerView",
    "PageContext",
    "ParagraphView",
    "PersonView",
    "QuoteView",
    "RecipientView",
    "SegmentView",
    "ShowView",
    "SoundbiteView",
    "TemplateContext",
    "TranscriptFileView",
    "TranscriptParagraphView",
    "TxtView",
    "ValueView",
    "WordView",
    "cover_name",
    "episode_cover_name",
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
    "whole_seconds",
]

# The namespace UUID of podcast:guid (Podcasting 2.0).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_FILE = "feed.xml"
#: The transcript formats the feed lists, with the media type apps accept for each
#: (Pocket Casts refuses SRT as application/x-subrip; application/srt is read by the
#: Podcast Index's parser, Pocket Casts and AntennaPod). Plain text, which has no
#: timing, is left to the page.
FEED_TRANSCRIPT_TYPES = {
    "vtt": "text/vtt",
    "srt": "application/srt",
    "json": "application/json",
    "html": "text/html",
}
#: A name for a published audio format, by its media type (podcast:alternateEnclosure title).
_FORMAT_TITLES = {
    "audio/mpeg": "MP3",
    "audio/mp4": "AAC",
    "audio/x-m4a": "AAC",
    "audio/aac": "AAC",
    "audio/flac": "FLAC",
    "audio/x-flac": "FLAC",
    "audio/ogg": "Ogg",
    "audio/opus": "Opus",
}


# --- views ------------------------------------------------------------------
@dataclass(frozen=True)
class PersonView:
    """A host or guest (``podcast:person``); ``role`` is always set."""

    name: str
    role: str
    group: str
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
class FundingView:
    """A donation or membership link (``podcast:funding``)."""

    url: str
    text: str


@dataclass(frozen=True)
class LicenseView:
    """The licence of the show's audio (``podcast:license``)."""

    identifier: str
    url: str | None


@dataclass(frozen=True)
class TxtView:
    """Free-form text for a service (``podcast:txt``)."""

    text: str
    purpose: str | None


@dataclass(frozen=True)
class LocationView:
    """What place the show is about (``podcast:location``)."""

    name: str
    geo: str | None
    osm: str | None
    country: str | None


@dataclass(frozen=True)
class RecipientView:
    """One payee of ``podcast:value`` (``podcast:valueRecipient``)."""

    name: str | None
    type: str
    address: str
    split: int
    fee: bool
    custom_key: str | None
    custom_value: str | None


@dataclass(frozen=True)
class ValueView:
    """How listeners can pay the show as they listen (``podcast:value``)."""

    type: str
    method: str
    suggested: str | None
    recipients: tuple[RecipientView, ...]


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
    locked: bool | None
    funding: tuple[FundingView, ...]
    medium: str | None
    license: LicenseView | None
    txt: tuple[TxtView, ...]
    location: LocationView | None
    value: ValueView | None
    #: The RSS feed's URL, and the same with the ``podcast://`` scheme podcast apps open.
    feed_url: str
    podcast_url: str
    #: The show's page in the Podcast Index, when show.toml gives its id there.
    podcast_index_url: str | None = None


@dataclass(frozen=True)
class ChapterView:
    """One chapter: start and end in seconds, its title, and an optional link and image."""

    start: float
    end: float | None
    title: str
    url: str | None
    img: str | None


@dataclass(frozen=True)
class QuoteView:
    """A quotation from the article that the episode voices."""

    text: str
    speaker: str | None
    status: str
    start: float | None
    end: float | None
    #: The real wording changes ("article 'twenty' / heard 'ten'"): not ASR
    #: slips, nor what normalisation makes equal, nor the words left unread.
    differences: tuple[str, ...]
    #: For a quote read in part, the article's words that were not read.
    unread: tuple[str, ...] = ()
    #: Who was heard reading it (a name or "Speaker N"), when the transcript knows speakers.
    voiced_by: str | None = None

    @property
    def read_by(self) -> str | None:
        """Who read the quote when that is not its speaker ("read by Maya Okafor"), else None.

        A host reading a guest's or an official's words is normal, not a misquote.
        """
        if self.voiced_by is None or _same_name(self.voiced_by, self.speaker):
            return None
        return self.voiced_by


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
    byline: str | None
    paragraphs: tuple[ParagraphView, ...]


@dataclass(frozen=True)
class WordView:
    """One timed word of the transcript, without Whisper's leading space."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SegmentView:
    """One transcript segment."""

    start: float
    end: float
    speaker: str | None
    text: str
    words: tuple[WordView, ...]


@dataclass(frozen=True)
class TranscriptParagraphView:
    """One paragraph of the page's transcript: whole sentences of one speaker's turn.

    Paragraphs are those of the TXT and HTML transcript files
    (:func:`toolkit.render.transcripts.paragraphs`): a new one at each change
    of speaker, and inside a long turn at its pauses; one is also split where
    a chapter starts. ``chapters`` are the chapters that start here (their
    titles are headings before it). ``named`` is set where the speaker's name
    is shown: the first paragraph of a turn, and the first after a chapter
    heading; never when the transcript has no speakers.
    """

    start: float
    end: float
    speaker: str | None
    named: bool
    chapters: tuple[ChapterView, ...]
    segments: tuple[SegmentView, ...]


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
class EnclosureView:
    """One published format of the episode's audio (``podcast:alternateEnclosure``)."""

    url: str
    mime: str
    size: int
    bitrate: int | None
    title: str
    default: bool


#: The width of the waveform's SVG box (its height is 100).
WAVEFORM_WIDTH = 480


@dataclass(frozen=True)
class EpisodeView:
    """One episode as the templates see it."""

    slug: str
    title: str
    description: str
    date: datetime
    number: int | None
    season: int | None
    season_name: str | None
    type: str
    explicit: bool
    guid: str
    folder_url: str
    page_url: str
    image_url: str | None
    image: str | None
    duration: int
    audio_file: str
    audio_url: str
    audio_mime: str
    audio_size: int
    enclosures: tuple[EnclosureView, ...]
    article_url: str | None
    people: tuple[PersonView, ...]
    chapters: tuple[ChapterView, ...]
    soundbites: tuple[SoundbiteView, ...]
    transcript_files: tuple[TranscriptFileView, ...]
    translation_files: tuple[TranscriptFileView, ...]
    #: The job the view was made from: the large views below are made from it
    #: when a template first reads them (a feed of 10,000 episodes reads no
    #: transcript segment). Not a template variable.
    _job: EpisodeJob = field(repr=False, compare=False)
    #: How the transcript is laid out in paragraphs (show.toml's [transcripts]).
    _layout: WriterOptions = field(default=WriterOptions(), repr=False, compare=False)

    @cached_property
    def found_quotes(self) -> tuple[QuoteView, ...]:
        """The article's quotations the episode voices, by time."""
        return _found_quotes(self._job)

    @cached_property
    def article(self) -> ArticleView | None:
        """The related article, paragraph by paragraph, when there is an article file."""
        return _article(self._job)

    @cached_property
    def segments(self) -> tuple[SegmentView, ...]:
        """The transcript, segment by segment."""
        transcript = self._job.transcript
        return tuple(
            SegmentView(
                s.start,
                s.end,
                s.speaker,
                s.text,
                tuple(WordView(w.start, w.end, w.word.strip()) for w in s.words if w.word.strip()),
            )
            for s in (transcript.segments if transcript is not None else [])
        )

    @cached_property
    def waveform(self) -> str | None:
        """The episode's waveform as SVG path data in a 0-480 by 0-100 box, or None.

        One vertical stroke per peak (``toolkit.waveform``), centred on y = 50.
        """
        wave = self._job.waveform
        if wave is None or not wave.peaks:
            return None
        width = WAVEFORM_WIDTH / len(wave.peaks)
        return " ".join(
            f"M{(i + 0.5) * width:.1f} {50 - 48 * p:.1f}V{50 + 48 * p:.1f}"
            for i, p in enumerate(wave.peaks)
        )

    @cached_property
    def transcript(self) -> tuple[TranscriptParagraphView, ...]:
        """The transcript in paragraphs by speaker turn, with the chapters where they start."""
        return _transcript_paragraphs(self._job, self.segments, self.chapters, self._layout)

    @cached_property
    def speakers(self) -> tuple[PersonView, ...]:
        """The named speakers of the transcript who are not among ``people`` (as guests).

        A speaker the speakers stage could not name ("Speaker 2"), or a bare
        role ("Host"), is not a person.
        """
        transcript = self._job.transcript
        known = {_name_key(p.name) for p in self.people}
        out: list[PersonView] = []
        for seg in transcript.segments if transcript is not None else []:
            name = seg.speaker
            if name and _name_key(name) not in known and not _UNNAMED.fullmatch(name.strip()):
                known.add(_name_key(name))
                out.append(PersonView(name.strip(), "guest", "cast", None, None))
        return tuple(out)

    @cached_property
    def notes_chapters(self) -> tuple[ChapterView, ...]:
        """The chapters as the notes' ``00:00:00 Title`` lines, from which Apple makes chapters.

        Apple wants at least three, the first at 00:00:00: the first chapter is
        moved to the start, and with fewer than three there are none.
        """
        if len(self.chapters) < 3:
            return ()
        first = self.chapters[0]
        return (replace(first, start=0.0), *self.chapters[1:])

    @property
    def feed_transcripts(self) -> tuple[TranscriptFileView, ...]:
        """The transcript files the feed lists (VTT, SRT, JSON, HTML), then the translation's."""
        files = self.transcript_files + self.translation_files
        return tuple(f for f in files if f.format in FEED_TRANSCRIPT_TYPES)


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


# --- URLs and guids -----------------------------------------------------------
def folder_url(show: Show, episode: Episode) -> str:
    """The URL of an episode's folder in the site."""
    return f"{show.base_url}{episode.slug}/"


def page_url(show: Show, episode: Episode) -> str:
    """The URL of an episode's page (its folder's index.html)."""
    return folder_url(show, episode)


def episode_guid(job: EpisodeJob) -> str:
    """The item's guid: ``episode.toml``'s, else the one the build assigned (``job.guid``)."""
    guid = job.episode.guid or job.guid
    if not guid:
        raise ValueError(
            f"episode {job.slug}: no guid (episode.toml gives none and the build assigned none)"
        )
    return guid


def whole_seconds(seconds: float) -> int:
    """A duration in whole seconds, rounded to the nearest (a half rounds up).

    Audio that lasts at all lasts at least a second: ``itunes:duration`` 0
    reads as "unknown" to apps (the build warns about audio under 1 s).
    """
    return max(1, int(seconds + 0.5)) if seconds > 0 else 0


def feed_url(show: Show) -> str:
    return f"{show.base_url}{FEED_FILE}"


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: a UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def cover_name(show: Show) -> str | None:
    """The cover art's file name in the site's root (``cover.jpg``), or None."""
    return f"cover{show.image_path.suffix.lower()}" if show.image_path else None


def episode_cover_name(episode: Episode) -> str | None:
    """The episode's own cover art's file name in its folder (``cover.png``), or None."""
    return f"cover{Path(episode.image).suffix.lower()}" if episode.image else None


# --- builders -----------------------------------------------------------------
def _person(person: Person, default_role: str) -> PersonView:
    role, group = person.role or default_role, person.group or "cast"
    return PersonView(person.name, role, group, person.href, person.img)


def episode_people(
    show: Show, episode: Episode, show_hosts: tuple[PersonView, ...] | None = None
) -> tuple[PersonView, ...]:
    """Hosts (the episode's, else the show's), then guests, each with a role.

    ``show_hosts``: the show's hosts as views, when the caller has made them.
    A person is listed once, the first time they are named (a show host who
    is also listed as the episode's host or guest is one person).
    """
    if episode.hosts:
        hosts = tuple(_person(p, "host") for p in episode.hosts)
    else:
        hosts = show_hosts if show_hosts is not None else _show_hosts(show)
    return _unique(hosts + tuple(_person(p, "guest") for p in episode.guests))


def _show_hosts(show: Show) -> tuple[PersonView, ...]:
    return _unique(tuple(_person(p, "host") for p in show.hosts))


#: A chapter starting this little after a segment's start still heads that segment (seconds).
_CHAPTER_SLACK = 0.05
#: A speaker label that is not a person's name: the speakers stage's "Speaker N" for a
#: voice it could not name, a diarizer's "SPEAKER_01", or a bare role ("Host", "Guest 2").
_UNNAMED = re.compile(r"(?:speaker|host|guest|voice|unknown)(?:[ _-]?\d+)?", re.I)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _same_name(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and _name_key(a) == _name_key(b)


def _unique(people: tuple[PersonView, ...]) -> tuple[PersonView, ...]:
    """Each person once, where they are first listed."""
    seen: set[str] = set()
    out = []
    for person in people:
        if _name_key(person.name) not in seen:
            seen.add(_name_key(person.name))
            out.append(person)
    return tuple(out)


@dataclass(frozen=True)
class _ShowParts:
    """What every episode's view takes from the show, made once per context."""

    image_url: str | None
    hosts: tuple[PersonView, ...]
    cover: str | None
    layout: WriterOptions

    @classmethod
    def of(cls, show: Show) -> _ShowParts:
        layout = writer_options(show)
        return cls(show_image_url(show), _show_hosts(show), cover_name(show), layout)


def show_image_url(show: Show) -> str | None:
    """The URL of the show's cover art, or None."""
    image = cover_name(show)
    return f"{show.base_url}{image}" if image else None


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
        hosts=_show_hosts(show),
        categories=tuple(categories),
        image=image,
        image_url=show_image_url(show),
        locked=show.locked,
        funding=tuple(FundingView(f.url, f.text) for f in show.funding),
        medium=show.medium,
        license=LicenseView(show.license.identifier, show.license.url) if show.license else None,
        txt=tuple(TxtView(t.text, t.purpose) for t in show.txt),
        location=_location(show.location) if show.location else None,
        value=_value(show.value) if show.value else None,
        feed_url=feed_url(show),
        podcast_url="podcast://" + feed_url(show).split("://", 1)[-1],
        podcast_index_url=(
            f"https://podcastindex.org/podcast/{show.podcast_index_id}"
            if show.podcast_index_id is not None
            else None
        ),
    )


def _location(loc: Location) -> LocationView:
    return LocationView(loc.name, loc.geo, loc.osm, loc.country.lower() if loc.country else None)


def _value(value: Value) -> ValueView:
    recipients = tuple(
        RecipientView(r.name, r.type, r.address, r.split, r.fee, r.custom_key, r.custom_value)
        for r in value.recipients
    )
    return ValueView(value.type, value.method, value.suggested, recipients)


def _enclosures(folder: str, job: EpisodeJob) -> tuple[EnclosureView, ...]:
    """Every published format of the audio, the feed's enclosure (``job.audio``) first."""
    assert job.audio is not None
    out = []
    for i, audio in enumerate([job.audio, *job.alternates]):
        bitrate = round(audio.size * 8 / audio.duration) if audio.duration > 0 else None
        suffix = audio.file.rsplit(".", 1)[-1].upper() if "." in audio.file else audio.mime
        title = _FORMAT_TITLES.get(audio.mime, suffix)
        out.append(
            EnclosureView(folder + audio.file, audio.mime, audio.size, bitrate, title, i == 0)
        )
    return tuple(out)


def _public_url(url: object) -> str | None:
    """``url`` as text when it is an http(s) URL (a saved page's own URL may be anything)."""
    text = str(url).strip() if url else ""
    return text if re.match(r"https?://[^\s<>\"]+$", text, re.I) else None


def _transcript_files(
    folder: str, files: dict[str, str], language: str | None
) -> tuple[TranscriptFileView, ...]:
    # format, name, url, media type, language, captions (positional: this runs per episode)
    return tuple(
        TranscriptFileView(fmt, name, folder + name, _transcript_type(fmt), language, fmt == "vtt")
        for fmt, name in files.items()
    )


def _transcript_type(fmt: str) -> str:
    return FEED_TRANSCRIPT_TYPES.get(fmt) or WRITERS[fmt].mime_type


def _article(job: EpisodeJob) -> ArticleView | None:
    if job.article is None:
        return None
    matches = job.alignment.paragraphs if job.alignment is not None else []
    pairs = zip(job.article.paragraphs, matches, strict=job.alignment is not None)
    return ArticleView(
        title=job.article.title,
        byline=job.article.byline,
        paragraphs=tuple(
            ParagraphView(p.text, p.heading, m.discussed, m.start, m.end) for p, m in pairs
        ),
    )


def _found_quotes(job: EpisodeJob) -> tuple[QuoteView, ...]:
    if job.alignment is None:
        return ()
    found = [q for q in job.alignment.quotes if q.status != "not_found"]
    return tuple(_quote_view(q) for q in sorted(found, key=lambda q: q.start or 0.0))


def _quote_view(q: QuoteMatch) -> QuoteView:
    from toolkit.align.quotecheck import describe

    voiced_by = getattr(q, "voiced_by", None)
    if q.check is None:  # an alignment.json of version 1: every difference listed
        return QuoteView(
            q.text, q.speaker, q.status, q.start, q.end, tuple(q.differences), (), voiced_by
        )
    found = q.check.differences
    return QuoteView(
        q.text,
        q.speaker,
        q.status,
        q.start,
        q.end,
        tuple(describe(d) for d in found if d.verdict in ("change", "unchecked")),
        tuple(d.article for d in found if d.verdict == "unread"),
        voiced_by,
    )


def _transcript_paragraphs(
    job: EpisodeJob,
    segments: tuple[SegmentView, ...],
    chapters: tuple[ChapterView, ...],
    layout: WriterOptions,
) -> tuple[TranscriptParagraphView, ...]:
    """The segments in the transcript files' paragraphs, split where a chapter starts.

    :func:`~toolkit.render.transcripts.paragraphs` gives each paragraph the
    text of its segments in order, one text per segment that has any, so the
    segments are taken back from ``segments`` in the same order.
    """
    if job.transcript is None:
        return ()
    spoken = iter(seg for seg in segments if seg.text.strip())
    runs: list[tuple[str | None, list[SegmentView]]] = []
    for par in paragraphs(job.transcript, layout.paragraph_pause, layout.speakers):
        run = [next(spoken) for _ in par.texts]
        if [seg.text.strip() for seg in run] != par.texts:  # pragma: no cover - a bug
            raise ValueError(f"episode {job.slug}: the transcript's paragraphs lost a segment")
        runs.append((par.speaker, run))
    # Each chapter's heading goes before the first segment that starts at or after it.
    heads: dict[int, list[ChapterView]] = {}
    starts = [seg.start for _, run in runs for seg in run]
    for ch in sorted(chapters, key=lambda ch: ch.start):
        at = bisect_left(starts, ch.start - _CHAPTER_SLACK)
        if at < len(starts):
            heads.setdefault(at, []).append(ch)
    out: list[TranscriptParagraphView] = []
    previous: str | None = None
    index = 0  # of the run's first segment among all the spoken segments
    for speaker, run in runs:
        cuts = [i for i in range(len(run)) if i == 0 or index + i in heads]
        for first, last in zip(cuts, [*cuts[1:], len(run)], strict=True):
            part, chapter_heads = run[first:last], tuple(heads.get(index + first, ()))
            named = speaker is not None and (speaker != previous or bool(chapter_heads))
            out.append(
                TranscriptParagraphView(
                    part[0].start, part[-1].end, speaker, named, chapter_heads, tuple(part)
                )
            )
            previous = speaker
        index += len(run)
    return tuple(out)


def episode_view(show: Show, job: EpisodeJob, parts: _ShowParts | None = None) -> EpisodeView:
    """The episode of ``job`` as the templates see it.

    Needs the published audio (``job.audio``): its duration, size and name.
    ``parts``: what the show gives every episode, when the caller made it
    once for many episodes.
    """
    ep = job.episode
    if job.audio is None:
        raise ValueError(f"episode {ep.slug}: no published audio to render (job.audio)")
    parts = parts or _ShowParts.of(show)
    folder = folder_url(show, ep)
    language = job.transcript.language if job.transcript is not None else None
    own_cover = episode_cover_name(ep)
    return EpisodeView(
        slug=ep.slug,
        title=ep.title,
        description=ep.description,
        date=ep.date,
        number=ep.number,
        season=ep.season,
        season_name=show.seasons.get(ep.season) if ep.season else None,
        type=ep.type,
        explicit=show.explicit if ep.explicit is None else ep.explicit,
        guid=episode_guid(job),
        folder_url=folder,
        page_url=folder,  # page_url(): the folder's index.html
        image_url=folder + own_cover if own_cover else parts.image_url,
        image=own_cover or (f"../{parts.cover}" if parts.cover else None),
        duration=whole_seconds(job.audio.duration),
        audio_file=job.audio.file,
        audio_url=folder + job.audio.file,
        audio_mime=job.audio.mime,
        audio_size=job.audio.size,
        enclosures=_enclosures(folder, job),
        article_url=_public_url(getattr(ep, "article_url", None))
        or _public_url(job.article.url if job.article else None),
        people=episode_people(show, ep, parts.hosts),
        chapters=tuple(ChapterView(c.start, c.end, c.title, c.url, c.img) for c in job.chapters),
        soundbites=tuple(
            SoundbiteView(b.start, b.duration, b.end, b.title) for b in job.soundbites
        ),
        transcript_files=_transcript_files(folder, job.transcript_files, language),
        translation_files=_transcript_files(folder, job.translation_files, "en"),
        _job=job,
        _layout=parts.layout,
    )


def episode_page_context(show: Show, job: EpisodeJob) -> EpisodePageContext:
    return EpisodePageContext(show=show_view(show), root="../", ep=episode_view(show, job))


def notes_context(show: Show, job: EpisodeJob) -> NotesContext:
    return NotesContext(show=show_view(show), ep=episode_view(show, job))


def _episode_views(show: Show, jobs: list[EpisodeJob]) -> tuple[EpisodeView, ...]:
    parts = _ShowParts.of(show)
    return tuple(episode_view(show, j, parts) for j in jobs)


def index_context(show: Show, jobs: list[EpisodeJob]) -> IndexContext:
    return IndexContext(show=show_view(show), root="", episodes=_episode_views(show, jobs))


def feed_context(show: Show, jobs: list[EpisodeJob]) -> FeedContext:
    """The feed's context; ``last_build`` is the newest episode's date (now, with none)."""
    url = feed_url(show)
    return FeedContext(
        show=show_view(show),
        episodes=_episode_views(show, jobs),
        feed_url=url,
        podcast_guid=podcast_guid(url),
        last_build=max((j.episode.date for j in jobs), default=datetime.now(UTC)),
    )
