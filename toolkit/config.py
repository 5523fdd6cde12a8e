"""Read and validate ``show.toml`` and ``episodes/<slug>/episode.toml``.

Both files are validated with pydantic. Any problem becomes a
:class:`~toolkit.errors.ConfigError` naming the file and the field.

The loaders check what the fields alone cannot: every file named (audio,
article, cover art, voice samples) and the ``templates`` folder resolve,
after symlinks, inside the show folder (:mod:`toolkit.confine`); cover art
is a square JPEG or PNG of 1400 to 3000 px by its content (:mod:`toolkit.cover`);
categories are Apple's; descriptions fit Apple's 4,000 bytes; no two full
episodes share a number in a season, no two folders differ only in case,
and no date is more than a year ahead (a later date than now is a warning).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from toolkit.confine import confined, confined_tree
from toolkit.errors import ConfigError
from toolkit.transcribe.engines import ComputeType

SHOW_FILE = "show.toml"
EPISODE_FILE = "episode.toml"
EPISODES_DIR = "episodes"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _matching(pattern: str, what: str) -> AfterValidator:
    """A string check whose error says what was expected, not the regular expression."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must be {what}, not {value!r}")
        return value

    return AfterValidator(check)


#: What no published URL may hold: spaces, quotes, angle brackets, backslashes, controls.
_URL_UNSAFE = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


def _url(schemes: tuple[str, ...], what: str) -> AfterValidator:
    """A URL check: one of ``schemes`` (never javascript: or data:), and nothing unsafe in it."""

    def check(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in schemes or _URL_UNSAFE.search(value):
            raise ValueError(f"must be {what}, not {value!r}")
        if parts.scheme == "mailto" and "@" not in parts.path:
            raise ValueError(f"must be {what}, not {value!r}")
        if parts.scheme != "mailto" and not parts.hostname:
            raise ValueError(f"must be {what} with a host name, not {value!r}")
        return value

    return AfterValidator(check)


HttpUrl = Annotated[str, _url(("http", "https"), "an http:// or https:// URL")]
#: A person's page: a web page, or ``mailto:`` an address.
HrefUrl = Annotated[str, _url(("http", "https", "mailto"), "an http://, https:// or mailto: URL")]


def _base_url(value: str) -> str:
    if "?" in value or "#" in value:
        raise ValueError(f"must be the site's folder URL, without ? or #, not {value!r}")
    return value


#: The site's address: every published URL starts with it.
BaseUrl = Annotated[
    str, _url(("http", "https"), "an http:// or https:// URL"), AfterValidator(_base_url)
]


def _person_from_string(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class Person(_Strict):
    """A host or guest; maps onto ``podcast:person``."""

    name: str = Field(min_length=1)
    role: str | None = None
    #: The Podcast Taxonomy group (``cast``, ``writing``, ...); unset: ``cast``.
    group: str | None = None
    href: HrefUrl | None = None
    img: HttpUrl | None = None
    #: A short recording of this person's voice (a few seconds of speech, any
    #: format ffmpeg reads), relative to the file that names them: it helps
    #: name their voice in the episodes (``[speakers]``).
    voice: str | None = Field(default=None, min_length=1)


PersonEntry = Annotated[Person, BeforeValidator(_person_from_string)]


class Owner(_Strict):
    name: str = Field(min_length=1)
    email: EmailStr


class Transcription(_Strict):
    """``[transcription]``: how episodes are transcribed (see ``TranscribeOptions``)."""

    model: str = "tiny.en"
    language: str | None = None
    engine: Literal["openai", "faster"] = "openai"
    task: Literal["transcribe", "translate"] = "transcribe"
    beam_size: int | None = Field(default=None, ge=1)
    vad: bool = False
    #: The faster engine's precision (CTranslate2 compute type: int8, float32, ...);
    #: unset: int8 for base and larger, float32 for the tiny models.
    compute_type: ComputeType | None = None
    #: faster engine: decode the speech in chunks of up to 30 s, this many at once;
    #: unset: sequential 30 s windows.
    batch_size: int | None = Field(default=None, ge=1)
    #: Bias decoding towards the article's names (initial prompt / hotwords);
    #: unset: yes, except with the tiny models (see toolkit.transcribe.bias.bias_by_default).
    article_prompt: bool | None = None
    #: Set near-miss spellings of the article's names to the article's spelling.
    correct_names: bool = True
    #: With correct_names: put right a name misheard past its spelling ("Kazimir",
    #: "Sershaman Terpool") where the audio says it, scored with the model
    #: (see toolkit.transcribe.soundnames).
    names_by_sound: bool = True
    #: CPU threads for the engine; 0: one per core.
    threads: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _compute_type_needs_faster(self) -> Transcription:
        if self.compute_type is not None and self.engine != "faster":
            raise ValueError('compute_type needs engine = "faster"')
        if self.batch_size is not None and self.engine != "faster":
            raise ValueError('batch_size needs engine = "faster"')
        return self


class Transcripts(_Strict):
    """``[transcripts]``: how the transcript files are laid out (see ``WriterOptions``)."""

    max_line_chars: int = Field(default=42, ge=1)
    max_lines: int = Field(default=2, ge=1)
    word_level: bool = False
    speakers: bool = True
    paragraph_pause: float = Field(default=2.0, ge=0)


class Aligning(_Strict):
    """``[alignment]``: how the article is aligned to the episode."""

    #: Judge a quote whose wording differs from the transcript's on its own audio
    #: with the transcription's Whisper model: an ASR slip keeps it verbatim.
    acoustic_check: bool = True


class Chapters(_Strict):
    """``[chapters]``: how chapters are made from the alignment."""

    #: Chapters shorter than this many seconds merge into a neighbour.
    min_length: float = Field(default=20.0, ge=0)


class Speakers(_Strict):
    """``[speakers]``: who speaks when (diarization), named from the hosts and guests."""

    enabled: bool = True
    #: How many voices the episodes have; "auto": estimated per episode.
    count: Literal["auto"] | Annotated[int, Field(ge=1, le=20)] = "auto"


class Publish(_Strict):
    """``[publish]``: the published copy of the audio (see ``toolkit.tag.publish``)."""

    #: "source": the source's own format, without re-encoding (WAV and other
    #: formats become MP3); "mp3": every source that is not an MP3 is encoded.
    format: Literal["source", "mp3"] = "source"
    id3_version: Literal[3, 4] = 3
    #: When the build made no chapters, keep the source file's own.
    keep_source_chapters: bool = False


class Master(_Strict):
    """``[master]``: loudness mastering before tagging (see ``toolkit.master``)."""

    enabled: bool = False
    target_lufs: float = Field(default=-16.0, ge=-70, le=-5)
    true_peak: float = Field(default=-1.0, ge=-9, le=0)
    #: Output channels (1 or 2); unset: the source's.
    channels: Literal[1, 2] | None = None
    #: Lossy output bit rate ("128k"); unset: 128k (MP3, AAC), 96k (Opus), 160k (Vorbis).
    bitrate: Annotated[str, _matching(r"[1-9]\d{1,2}k", 'a bit rate such as "128k"')] | None = None


# --- Podcasting 2.0 channel tags (the feed's podcast:* elements) ---------------
#: A geo URI (RFC 5870): ``geo:latitude,longitude``, an altitude and ``;u=`` uncertainty optional.
GeoUri = Annotated[
    str,
    _matching(
        r"geo:-?\d+(\.\d+)?,-?\d+(\.\d+)?(,-?\d+(\.\d+)?)?(;u=\d+(\.\d+)?)?",
        "a geo URI such as geo:30.2672,97.7431",
    ),
]
#: An OpenStreetMap element: N (node), W (way) or R (relation), then its id.
OsmId = Annotated[str, _matching(r"[NWR]\d+(#\d+)?", "an OpenStreetMap id such as R113314")]
#: An ISO 3166-1 alpha-2 country code.
CountryCode = Annotated[str, _matching(r"[A-Za-z]{2}", "a two-letter country code such as us")]
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
#: podcast:medium's values (the Podcasting 2.0 namespace); the "L" ones are list feeds.
Medium = Literal[
    "podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher",
    "course", "mixed", "podcastL", "musicL", "videoL", "filmL", "audiobookL",
    "newsletterL", "blogL", "publisherL", "courseL",
]  # fmt: skip


class Funding(_Strict):
    """``[[funding]]``: a donation or membership link (``podcast:funding``)."""

    url: HttpUrl
    text: str = Field(min_length=1, max_length=128)


def _license_from_string(value: Any) -> Any:
    return {"identifier": value} if isinstance(value, str) else value


class License(_Strict):
    """``license``: an SPDX identifier, or a table with a custom one and its ``url``."""

    identifier: str = Field(min_length=1, max_length=128)
    url: HttpUrl | None = None


class Txt(_Strict):
    """``[[txt]]``: free-form text for a service, e.g. an ownership check (``podcast:txt``)."""

    text: str = Field(min_length=1, max_length=4000)
    purpose: str | None = Field(default=None, min_length=1, max_length=128)


class Location(_Strict):
    """``[location]``: what place the show is about (``podcast:location``)."""

    name: str = Field(min_length=1, max_length=128)
    geo: GeoUri | None = None
    osm: OsmId | None = None
    country: CountryCode | None = None


class ValueRecipient(_Strict):
    """``[[value.recipients]]``: one payee and its share (``podcast:valueRecipient``)."""

    name: str | None = None
    type: str = Field(min_length=1)  # "node", "lnaddress", ...
    address: str = Field(min_length=1)
    split: int = Field(gt=0)
    fee: bool = False
    custom_key: str | None = None
    custom_value: str | None = None

    @model_validator(mode="after")
    def _custom_pair(self) -> ValueRecipient:
        if (self.custom_key is None) != (self.custom_value is None):
            raise ValueError("custom_key and custom_value go together")
        return self


class Value(_Strict):
    """``[value]``: how listeners can pay the show as they listen (``podcast:value``)."""

    type: str = Field(default="lightning", min_length=1)
    method: str = Field(default="keysend", min_length=1)
    #: How much to send with each payment, in the payment layer's unit (a decimal string).
    suggested: Annotated[str, _matching(r"\d+(\.\d+)?", "a decimal number")] | None = None
    recipients: list[ValueRecipient] = Field(min_length=1)


SeasonNumber = Annotated[int, Field(gt=0)]
SeasonName = Annotated[str, Field(min_length=1, max_length=128)]


class Show(_Strict):
    """The settings of a whole show (``show.toml``)."""

    title: str = Field(min_length=1)
    description: str = Field(min_length=1, max_length=4000)
    author: str = Field(min_length=1)
    owner: Owner
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    base_url: BaseUrl
    image: str | None = None
    categories: list[str] = Field(default_factory=list)
    explicit: bool = False
    type: Literal["episodic", "serial"] = "episodic"
    link: HttpUrl | None = None
    copyright: str | None = None
    hosts: list[PersonEntry] = Field(default_factory=list)
    #: The id the Podcast Index gave the show (its page is podcastindex.org/podcast/<id>):
    #: the pages link to it. The index assigns it; it cannot be made from the feed.
    podcast_index_id: int | None = Field(default=None, gt=0)
    # Podcasting 2.0 channel tags, each emitted only when given.
    locked: bool | None = None
    funding: list[Funding] = Field(default_factory=list)
    medium: Medium | None = None
    license: Annotated[License, BeforeValidator(_license_from_string)] | None = None
    txt: list[Txt] = Field(default_factory=list)
    location: Location | None = None
    value: Value | None = None
    #: Season number -> its name (``podcast:season name``).
    seasons: dict[SeasonNumber, SeasonName] = Field(default_factory=dict)
    transcription: Transcription = Field(default_factory=Transcription)
    transcripts: Transcripts = Field(default_factory=Transcripts)
    alignment: Aligning = Field(default_factory=Aligning)
    chapters: Chapters = Field(default_factory=Chapters)
    speakers: Speakers = Field(default_factory=Speakers)
    publish: Publish = Field(default_factory=Publish)
    master: Master = Field(default_factory=Master)

    # Filled in by the loader, not read from the file.
    root: Path = Field(default=Path("."), exclude=True)

    @field_validator("base_url")
    @classmethod
    def _slash(cls, v: str) -> str:
        return v if v.endswith("/") else v + "/"

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: list[str]) -> list[str]:
        for cat in v:
            if not cat.strip() or cat.count("/") > 1:
                raise ValueError(f"category {cat!r} must be 'Category' or 'Category/Subcategory'")
        return v

    @property
    def image_path(self) -> Path | None:
        return self.root / self.image if self.image else None


class ImportedTranscript(_Strict):
    """One ``podcast:transcript`` of the feed an episode was imported from."""

    url: str = Field(min_length=1)
    type: str = Field(min_length=1)
    language: str | None = None
    rel: str | None = None


class Imported(_Strict):
    """``[imported]``: what ``toolkit import-feed`` kept from the old feed's item.

    Each value is the old host's URL, or a file beside ``episode.toml`` where
    ``--download`` fetched it. The build reads none of them.
    """

    #: The old enclosure's URL.
    enclosure: str | None = None
    link: str | None = None
    image: str | None = None
    #: ``podcast:chapters``: the Podcasting 2.0 chapters JSON.
    chapters: str | None = None
    transcripts: list[ImportedTranscript] = Field(default_factory=list)


def _chapter_time(value: Any) -> Any:
    """A chapter start: seconds, or "HH:MM:SS" / "MM:SS" with optional decimals."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d+)?)\s*", value)
        if not m:
            raise ValueError(f"{value!r} is not a time (seconds, or HH:MM:SS.mmm)")
        return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return value


class EpisodeChapter(_Strict):
    """``[[chapters]]`` in episode.toml: chapters given by the producer, used as they are."""

    start: Annotated[float, BeforeValidator(_chapter_time), Field(ge=0)]
    title: str = Field(min_length=1)
    url: HttpUrl | None = None


#: ``audio = "<scheme>://..."``: a URL, not a file (an imported episode not yet downloaded).
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class Episode(_Strict):
    """One episode's metadata (``episode.toml``)."""

    title: str = Field(min_length=1)
    number: int | None = Field(default=None, gt=0)
    season: int | None = Field(default=None, gt=0)
    type: Literal["full", "trailer", "bonus"] = "full"
    date: dt.datetime
    description: str = Field(min_length=1)
    audio: str = Field(min_length=1)
    article: str | None = None
    #: The article's public URL, for links, when ``article`` is a local file
    #: (a saved page). When ``article`` is itself a URL, this is that URL.
    article_url: HttpUrl | None = None
    guid: str | None = None
    explicit: bool | None = None
    image: str | None = None
    hosts: list[PersonEntry] = Field(default_factory=list)
    guests: list[PersonEntry] = Field(default_factory=list)
    #: Written into the audio's tags (ID3 TKWD, MP4 keyw, PODCASTKEYWORDS).
    keywords: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    #: Chapters to use instead of the ones the build makes from the alignment.
    chapters: list[EpisodeChapter] = Field(default_factory=list)
    imported: Imported | None = None

    # Filled in by the loader.
    slug: str = Field(default="", exclude=True)
    folder: Path = Field(default=Path("."), exclude=True)
    #: What the loader found worth telling but not refusing (a date in the future).
    _warnings: list[str] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """Lines for the producer, each naming the file and the field."""
        return self._warnings

    @model_validator(mode="after")
    def _article_url_from_article(self) -> Episode:
        if self.article_url is None and self.article and re.match(r"^https?://", self.article):
            self.article_url = self.article
        return self

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        # A number is no date (pydantic would read 5 as 5 seconds after 1970), and a
        # string must be an ISO 8601 date. A bare TOML date means midnight UTC; a
        # naive datetime is taken as UTC.
        if isinstance(v, str):
            try:
                v = dt.datetime.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(
                    f"must be a date such as 2023-01-17 or 2023-01-17T09:00:00Z, not {v!r}"
                ) from None
        elif not isinstance(v, dt.date):
            raise ValueError(
                f"must be a date such as 2023-01-17 or 2023-01-17T09:00:00Z, not {v!r}"
            )
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            v = dt.datetime(v.year, v.month, v.day)
        if isinstance(v, dt.datetime) and v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        return v

    @property
    def audio_path(self) -> Path:
        return self.folder / self.audio

    @property
    def audio_url(self) -> str | None:
        """The audio's URL when ``audio`` is one (imported, not downloaded yet)."""
        return self.audio if _URL_SCHEME.match(self.audio) else None

    @property
    def image_path(self) -> Path | None:
        """The episode's own cover art, beside ``episode.toml``."""
        return self.folder / self.image if self.image else None

    @property
    def article_path(self) -> Path | None:
        if self.article is None or re.match(r"^https?://", self.article):
            return None
        return self.folder / self.article


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError as e:
        raise ConfigError("file not found", path) from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not valid TOML: {e}", path) from e
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"not valid TOML: not UTF-8 text ({e.reason} at byte {e.start})", path
        ) from e
    except RecursionError as e:
        raise ConfigError("not valid TOML: nested too deeply", path) from e
    except OSError as e:
        raise ConfigError(f"cannot read: {e}", path) from e


def _is_file(file: Path, path: Path, field: str) -> bool:
    """Whether ``file`` is a file; a name the system refuses (too long) is an error."""
    try:
        return file.is_file()
    except OSError as e:
        raise ConfigError(f"{file}: cannot be read ({e.strerror})", path, field) from e


def _raise_validation(path: Path, err: ValidationError) -> None:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "required field is missing"
    elif first["type"] == "extra_forbidden":
        message = "unknown field"
    more = len(err.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    raise ConfigError(message, path, field) from err


#: Apple's limit on a description, in UTF-8 bytes (not characters).
MAX_DESCRIPTION_BYTES = 4000
#: An episode dated further ahead than this is refused as a typo (2099 for 2029).
MAX_AHEAD = dt.timedelta(days=366)


def _check_image(value: str | None, base: Path, root: Path, path: Path) -> None:
    """Cover art: inside the show folder, a JPEG or PNG by name and by content,
    square, 1400 to 3000 px a side (what Apple accepts; see :mod:`toolkit.cover`).

    The colour space is left to ``toolkit check``. A picture embedded in the
    audio is reduced to 1400 px (:mod:`toolkit.tag.artwork`).
    """
    from toolkit.cover import artwork_problems, read_image

    if not value:
        return
    image = confined(base, value, root, path, "image")
    if image.suffix.lower() not in _IMAGE_SUFFIXES:
        raise ConfigError(f"image {image.name} must be a JPEG or PNG (.jpg or .png)", path, "image")
    if not _is_file(image, path, "image"):
        raise ConfigError(f"image file {image} not found", path, "image")
    try:
        facts = read_image(image)
    except ValueError as e:
        raise ConfigError(f"image {image.name} is refused: {e}", path, "image") from e
    problems = artwork_problems(facts, image.name)
    if problems:
        raise ConfigError(f"image {image.name} is refused: {'; '.join(problems)}", path, "image")


def _check_description(text: str, path: Path) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        raise ConfigError(
            f"{size} bytes long; Apple allows {MAX_DESCRIPTION_BYTES} "
            "(UTF-8 bytes, not characters)",
            path,
            "description",
        )


def _check_people(people: list[Person], key: str, base: Path, root: Path, path: Path) -> None:
    """Each person's voice sample: a file inside the show folder."""
    for i, person in enumerate(people):
        if person.voice is None:
            continue
        field = f"{key}[{i}].voice"
        sample = confined(base, person.voice, root, path, field)
        if not _is_file(sample, path, field):
            raise ConfigError(f"voice sample {sample} not found", path, field)


def _check_categories(categories: list[str], path: Path) -> None:
    """Each category is Apple's (a close match is suggested)."""
    from toolkit.check.apple_categories import category_problem

    for i, category in enumerate(categories):
        problem = category_problem(category)
        if problem is not None:
            raise ConfigError(problem, path, f"categories[{i}]")


def load_show(root: Path) -> Show:
    """Load and validate ``root/show.toml``.

    Beyond the fields' own rules: every file it names (cover art, voice
    samples) and the ``templates`` folder resolve inside ``root``, the cover
    art is what Apple accepts, the categories are Apple's, and the
    description fits in 4,000 bytes.
    """
    path = Path(root) / SHOW_FILE
    data = _read_toml(path)
    try:
        show = Show.model_validate(data)
    except ValidationError as e:
        _raise_validation(path, e)
    show.root = Path(root)
    _check_description(show.description, path)
    _check_categories(show.categories, path)
    _check_image(show.image, show.root, show.root, path)
    _check_people(show.hosts, "hosts", show.root, show.root, path)
    confined_tree(show.root / "templates", show.root, "templates")
    return show


def _show_root(folder: Path) -> Path:
    """The show folder of an episode folder: ``<show>/episodes/<slug>``."""
    return folder.parent.parent if folder.parent.name == EPISODES_DIR else folder


def load_episode(folder: Path, root: Path | None = None, now: dt.datetime | None = None) -> Episode:
    """Load and validate ``folder/episode.toml``; the slug is the folder's name.

    Every file it names must resolve inside the show folder ``root`` (default:
    the folder above ``episodes``). A date more than a year after ``now`` is
    refused; a later date than ``now`` is kept, with a line in ``warnings``.
    """
    folder = Path(folder)
    root = _show_root(folder) if root is None else Path(root)
    path = folder / EPISODE_FILE
    data = _read_toml(path)
    try:
        episode = Episode.model_validate(data)
    except ValidationError as e:
        _raise_validation(path, e)
    episode.slug = folder.name
    episode.folder = folder
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", folder.name):
        raise ConfigError("episode folder name must be a URL-safe slug", folder)
    if episode.audio_url is not None:
        raise ConfigError(
            f"the audio is only a URL ({episode.audio_url}); download it beside "
            "episode.toml and set audio to its file name (toolkit import-feed --download "
            "does both)",
            path,
            "audio",
        )
    confined(folder, episode.audio, root, path, "audio")
    if not _is_file(episode.audio_path, path, "audio"):
        raise ConfigError(f"audio file {episode.audio_path} not found", path, "audio")
    article = episode.article_path
    if article is not None and episode.article is not None:
        confined(folder, episode.article, root, path, "article")
        if not _is_file(article, path, "article"):
            raise ConfigError(f"article file {article} not found", path, "article")
    _check_image(episode.image, folder, root, path)
    _check_people(episode.hosts, "hosts", folder, root, path)
    _check_people(episode.guests, "guests", folder, root, path)
    _check_description(episode.description, path)
    _check_date(episode, path, now or dt.datetime.now(dt.UTC))
    return episode


def _check_date(episode: Episode, path: Path, now: dt.datetime) -> None:
    if episode.date - now > MAX_AHEAD:
        raise ConfigError(
            f"{episode.date:%Y-%m-%d} is more than a year from now: a typo? (the feed "
            "would be dated then, and apps list it above every other episode)",
            path,
            "date",
        )
    if episode.date > now:
        episode.warnings.append(
            f"{path}: field 'date': {episode.date:%Y-%m-%d %H:%M} is in the future; the "
            "build publishes the episode now, dated then (apps list it first)"
        )


def _check_unique(episodes: list[Episode], base: Path) -> None:
    """No guid, (season, number) of a full episode, or slug up to case, twice."""
    guids: dict[str, Episode] = {}
    for ep in episodes:
        other = guids.setdefault(ep.guid, ep) if ep.guid else ep
        if other is not ep:
            raise ConfigError(
                f"{other.slug} and {ep.slug} share the guid {ep.guid!r}: apps see one episode",
                base,
                "guid",
            )
    slugs: dict[str, Episode] = {}
    numbers: dict[tuple[int | None, int], Episode] = {}
    for ep in episodes:
        other = slugs.setdefault(ep.slug.casefold(), ep)
        if other is not ep:
            raise ConfigError(
                f"the folders {other.slug} and {ep.slug} differ only in case: they are one "
                "folder on macOS and Windows, and one URL on many servers",
                base,
            )
        if ep.number is None or ep.type != "full":
            continue  # a trailer or bonus may share its episode's number
        other = numbers.setdefault((ep.season, ep.number), ep)
        if other is not ep:
            where = f"season {ep.season}" if ep.season is not None else "the show"
            raise ConfigError(
                f"episode {ep.number} of {where} is already {other.slug}",
                ep.folder / EPISODE_FILE,
                "number",
            )


def load_episodes(root: Path, now: dt.datetime | None = None) -> list[Episode]:
    """Load every episode under ``root/episodes``, newest first."""
    base = Path(root) / EPISODES_DIR
    if not base.is_dir():
        raise ConfigError("no episodes folder", base)
    folders = sorted(p for p in base.iterdir() if (p / EPISODE_FILE).is_file())
    if not folders:
        raise ConfigError(f"no episode folders with an {EPISODE_FILE}", base)
    episodes = [load_episode(p, Path(root), now) for p in folders]
    _check_unique(episodes, base)
    return sorted(episodes, key=lambda e: e.date, reverse=True)
