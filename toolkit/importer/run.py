"""``toolkit import-feed``: a show folder from an existing feed.

The folder is written beside the output under a temporary name and renamed
into place at the end, so a failed import leaves nothing behind; an existing
show is never overwritten. Without ``download`` each episode's ``audio`` is
its enclosure URL (the build refuses it until the file is there); with it the
audio, the cover art, the chapters and the transcripts are fetched into the
folder (``file://`` URLs and local paths always work; the web, where it can
be reached). Downloaded chapters become the episode's ``[[chapters]]``, which
the build uses instead of making its own.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toolkit.config import EPISODE_FILE, EPISODES_DIR, SHOW_FILE
from toolkit.errors import FeedError
from toolkit.importer.feed import Enclosure, Feed, FeedItem, read_feed
from toolkit.importer.fetch import Source, download, read_source, resolve_local
from toolkit.importer.mapping import episode_table, show_table
from toolkit.importer.slugs import Slugs, slugify
from toolkit.importer.tomlwrite import dumps

__all__ = ["ImportOptions", "ImportReport", "ImportedEpisode", "import_feed"]

#: Extensions for the enclosure types whose URL has none.
_EXTENSIONS = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/x-m4a": ".m4a",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "video/mp4": ".mp4",
}


@dataclass
class ImportOptions:
    output: Path | None = None  # default: a folder named after the show, here
    download: bool = False
    #: Where the new site will be published; default: the feed's <link>, with a warning.
    base_url: str | None = None


@dataclass
class ImportedEpisode:
    slug: str
    guid: str
    title: str
    #: The audio file's name in the folder, or the enclosure URL when not downloaded.
    audio: str


@dataclass
class ImportReport:
    source: str
    output: Path
    episodes: list[ImportedEpisode] = field(default_factory=list)
    #: Items left out, each with why.
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Downloads that failed (their URL stays in episode.toml).
    failed: list[str] = field(default_factory=list)


def _suffix(url: str, mime: str | None) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower()
    if suffix and len(suffix) <= 6 and suffix[1:].isalnum():
        return suffix
    guess = _EXTENSIONS.get((mime or "").lower()) or mimetypes.guess_extension(mime or "")
    return guess or ""


class _Fetcher:
    """Downloads into the folder being written, recording what failed."""

    def __init__(self, source: Source, report: ImportReport) -> None:
        self.source, self.report = source, report

    def fetch(self, url: str, dest: Path, required: bool) -> bool:
        try:
            download(url, dest, self.source.folder)
        except FeedError as e:
            (self.report.failed if required else self.report.warnings).append(str(e))
            return False
        return True


def _header(source: str) -> str:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return (
        f"Imported by toolkit import-feed from {source} on {now}.\n"
        "Fields: README.md, Show folder format."
    )


def _chapter_entries(path: Path) -> list[dict[str, Any]]:
    """episode.toml ``[[chapters]]`` from a downloaded chapters JSON: its visible, titled ones."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    chapters = data.get("chapters") if isinstance(data, dict) else None
    entries: list[dict[str, Any]] = []
    for chapter in chapters if isinstance(chapters, list) else []:
        if not isinstance(chapter, dict) or chapter.get("toc") is False:
            continue
        start, title = chapter.get("startTime"), chapter.get("title")
        if isinstance(start, int | float) and start >= 0 and isinstance(title, str) and title:
            entry: dict[str, Any] = {"start": float(start), "title": title.strip()}
            if isinstance(chapter.get("url"), str):
                entry["url"] = chapter["url"]
            entries.append(entry)
    return sorted(entries, key=lambda e: float(e["start"]))


def _item_problem(item: FeedItem) -> str | None:
    if item.enclosure is None:
        return "no enclosure (not an episode)"
    if not item.title:
        return "no title"
    if item.date is None:
        return f"no usable pubDate ({item.pub_date!r})"
    return None


def _write_episode(
    item: FeedItem,
    enclosure: Enclosure,
    folder: Path,
    final: Path,
    fetcher: _Fetcher | None,
    report: ImportReport,
    source: Source,
) -> ImportedEpisode:
    folder.mkdir(parents=True)
    path = final / EPISODE_FILE
    audio = enclosure.url
    if not urlsplit(enclosure.url).scheme:  # a path in the feed: a file:// URL until downloaded
        local = resolve_local(enclosure.url, source.folder)
        if local is not None:
            audio = local.absolute().as_uri()
    if fetcher is not None:
        name = "audio" + _suffix(enclosure.url, enclosure.type)
        if fetcher.fetch(enclosure.url, folder / name, required=True):
            audio = name
            size = (folder / name).stat().st_size
            if enclosure.length and enclosure.length != size:
                report.warnings.append(
                    f"{final / name}: {size} bytes; the feed's enclosure said {enclosure.length}"
                )
    mapped = episode_table(item, path, audio)
    report.warnings += mapped.warnings
    imported: dict[str, Any] = mapped.table.get("imported", {})
    chapters = item.chapters
    if (
        fetcher is not None
        and chapters is not None
        and fetcher.fetch(chapters.url, folder / "chapters.json", required=False)
    ):
        imported["chapters"] = "chapters.json"
        given = _chapter_entries(folder / "chapters.json")
        if given:
            mapped.table["chapters"] = given
        else:
            report.warnings.append(
                f"{final / 'chapters.json'}: not a Podcasting 2.0 chapters file with titled "
                "chapters; the build will make its own"
            )
    if fetcher is not None:
        for i, link in enumerate(imported.get("transcripts", []), 1):
            name = f"transcript-{i}{_suffix(link['url'], link['type']) or '.txt'}"
            if fetcher.fetch(link["url"], folder / name, required=False):
                link["url"] = name
    (folder / EPISODE_FILE).write_text(dumps(mapped.table, _header(report.source)), "utf-8")
    return ImportedEpisode(final.name, str(mapped.table.get("guid", "")), item.title or "", audio)


def _write_show(
    feed: Feed,
    tmp: Path,
    output: Path,
    options: ImportOptions,
    report: ImportReport,
    fetcher: _Fetcher | None,
) -> None:
    mapped = show_table(feed, output / SHOW_FILE, options.base_url)
    report.warnings += mapped.warnings
    table = mapped.table
    header = _header(report.source)
    if feed.image and fetcher is not None:
        name = "cover" + (_suffix(feed.image, None) or ".jpg")
        if fetcher.fetch(feed.image, tmp / name, required=False):
            table["image"] = name
    elif feed.image:
        header += f"\nThe feed's artwork: {feed.image} (download it here and set image)."
        report.warnings.append(
            f"{output / SHOW_FILE}: field 'image': the artwork is at {feed.image}; download it "
            "and set image (or import with --download)"
        )
    (tmp / SHOW_FILE).write_text(dumps(table, header), "utf-8")


def _import_into(
    feed: Feed, where: Source, tmp: Path, output: Path, options: ImportOptions, report: ImportReport
) -> None:
    """Write the show folder's files into ``tmp``; ``output`` is where they will be."""
    fetcher = _Fetcher(where, report) if options.download else None
    _write_show(feed, tmp, output, options, report, fetcher)
    slugs = Slugs()
    for item in feed.items:
        problem = _item_problem(item)
        date, enclosure = item.date, item.enclosure
        if problem or date is None or enclosure is None:
            report.skipped.append(f"{where.name}: {item.label()}: {problem}; skipped")
            continue
        slug = slugs.make(date, item.title or "")
        final = output / EPISODES_DIR / slug
        folder = tmp / EPISODES_DIR / slug
        report.episodes.append(
            _write_episode(item, enclosure, folder, final, fetcher, report, where)
        )
    if not report.episodes:
        raise FeedError(
            "no item with an enclosure, a title and a date: nothing to import", where.name
        )


def import_feed(source: str, options: ImportOptions | None = None) -> ImportReport:
    """Write a show folder for the feed at ``source`` (a path or a URL)."""
    options = options or ImportOptions()
    data, where = read_source(source)
    feed = read_feed(data, where.name)
    output = options.output or Path(slugify(feed.title or "") or "imported-show")
    if (output / SHOW_FILE).exists() or (output / EPISODES_DIR).exists():
        raise FeedError("a show is already there; choose another folder with -o", output)
    if output.exists() and not output.is_dir():
        raise FeedError("exists and is not a folder", output)
    report = ImportReport(where.name, output, warnings=list(feed.warnings))
    whole = output.resolve()
    tmp = whole.parent / f".{whole.name}.import-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        _import_into(feed, where, tmp, output, options, report)
        output.mkdir(parents=True, exist_ok=True)
        for entry in tmp.iterdir():
            entry.rename(output / entry.name)
    except OSError as e:
        raise FeedError(f"cannot write the show folder: {e.strerror or e}", output) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report
