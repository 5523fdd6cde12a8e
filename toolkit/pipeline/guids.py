"""Permanent item guids for the episodes whose ``episode.toml`` gives none.

An item's guid must never change once it is published: an app that sees a
new guid takes the item for a new episode. ``episode.toml``'s ``guid`` always
wins. For an episode without one, the first build assigns a random UUID and
records it beside the show, in ``<show>/.toolkit/guids.json`` (versioned
JSON; commit it with the show), together with the episode's folder name
(slug) and the content hash of its audio. Later builds find it again:

1. by the slug: the same folder keeps its guid, whatever its title, its
   audio or the site's ``base_url`` become;
2. else by the audio: an episode whose audio has the content of a recorded
   one, whose recorded folder no longer exists, is that episode renamed; it
   keeps the guid, and the record takes the new slug;
3. else the episode is new and gets a new guid.

Renaming an episode's folder *and* replacing its audio in the same build
cannot be told apart from a new episode: do one, build, then the other; or
write the guids into ``episode.toml`` (``toolkit build --write-guids``).
Records of withdrawn episodes are kept, so an episode put back keeps its
guid. The producer's ``episode.toml`` is only written with ``--write-guids``
(:func:`write_guid`), which adds the one line and changes nothing else.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
import tomllib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit import datafile
from toolkit.config import EPISODE_FILE, Episode
from toolkit.errors import ConfigError

__all__ = [
    "GUIDS_FILE",
    "GUIDS_VERSION",
    "GuidRecord",
    "assign_guids",
    "read_records",
    "write_guid",
]

GUIDS_FILE = Path(".toolkit") / "guids.json"
GUIDS_VERSION = 1


@dataclass
class GuidRecord:
    """One assigned guid: the episode's slug when last built, and its audio's hashes."""

    guid: str
    slug: str
    #: Content hashes (SHA-256) of every audio the episode has had, the first first.
    audio: list[str] = field(default_factory=list)


def _field_error(path: Path, message: str, where: str) -> ConfigError:
    return ConfigError(message, path, where)


def read_records(path: Path) -> list[GuidRecord]:
    """The records of a guids file; none when it does not exist."""
    if not path.is_file():
        return []
    data = datafile.read(path, "guids", GUIDS_VERSION, ConfigError)
    entries = data.get("episodes")
    if not isinstance(entries, list):
        raise _field_error(path, "expected a list of records", "episodes")
    records = []
    for i, entry in enumerate(entries):
        where = f"episodes.{i}"
        if not isinstance(entry, dict):
            raise _field_error(path, "expected a record (guid, slug, audio)", where)
        guid, slug, audio = entry.get("guid"), entry.get("slug"), entry.get("audio", [])
        if not isinstance(guid, str) or not guid:
            raise _field_error(path, "missing or empty", f"{where}.guid")
        if not isinstance(slug, str) or not slug:
            raise _field_error(path, "missing or empty", f"{where}.slug")
        if not isinstance(audio, list) or not all(isinstance(h, str) for h in audio):
            raise _field_error(path, "expected a list of content hashes", f"{where}.audio")
        records.append(GuidRecord(guid, slug, list(audio)))
    return records


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold a lock beside the guids file: two builds of one show assign one guid each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _match(
    episodes: list[Episode], records: list[GuidRecord], hashes: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """slug -> guid for episodes without their own guid, and what changed in ``records``.

    ``records`` is updated in place: a renamed episode's slug, new audio hashes
    and new records. The list of changes is empty when nothing changed.
    """
    by_slug = {r.slug: r for r in records}
    present = {e.slug for e in episodes}
    changes: list[str] = []
    guids: dict[str, str] = {}
    unmatched = []
    for ep in episodes:
        record = by_slug.get(ep.slug)
        if record is None:
            unmatched.append(ep)
            continue
        guids[ep.slug] = record.guid
        if hashes[ep.slug] not in record.audio:
            record.audio.append(hashes[ep.slug])
            changes.append(f"{ep.slug}: new audio, same guid {record.guid}")
    # Renamed folders: a record whose folder is gone, with this episode's audio.
    orphans = [r for r in records if r.slug not in present]
    for ep in unmatched:
        found = next((r for r in orphans if hashes[ep.slug] in r.audio), None)
        if found is not None:
            orphans.remove(found)
            changes.append(f"{ep.slug}: renamed from {found.slug}, kept its guid {found.guid}")
            found.slug = ep.slug
        else:
            found = GuidRecord(str(uuid.uuid4()), ep.slug, [hashes[ep.slug]])
            records.append(found)
            changes.append(f"{ep.slug}: assigned the permanent guid {found.guid}")
        guids[ep.slug] = found.guid
    return guids, changes


def assign_guids(
    root: Path,
    episodes: list[Episode],
    audio_hash: Callable[[Path], str],
    say: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Every episode's guid by slug: ``episode.toml``'s, else the recorded or a new one.

    ``audio_hash`` gives the content hash of an audio file (the build's
    cached one). New and changed records are written to
    ``root/.toolkit/guids.json``; nothing is written when nothing changed.
    Two episodes with one guid are refused, naming the second one's file.
    """
    path = Path(root) / GUIDS_FILE
    own = {e.slug: e.guid for e in episodes if e.guid}
    guids: dict[str, str] = dict(own)
    without = [e for e in episodes if not e.guid]
    if without:
        hashes = {e.slug: audio_hash(e.audio_path) for e in without}
        assigned, changes = _match(without, read_records(path), hashes)
        if changes:  # again under the lock, from the file as it is now
            try:
                with _locked(path):
                    records = read_records(path)
                    assigned, changes = _match(without, records, hashes)
                    _write_records(path, records)
            except OSError as e:
                raise ConfigError(
                    f"cannot record the assigned guids: {e}; give each episode a guid in "
                    f"{EPISODE_FILE} (toolkit build --write-guids writes them)",
                    path,
                ) from e
            for line in changes:
                _say(say, f"{line} (recorded in {path})")
        guids |= assigned
    seen: dict[str, str] = {}
    for ep in episodes:
        guid = guids[ep.slug]
        if guid in seen:
            raise ConfigError(
                f"guid {guid!r} is already the guid of episode {seen[guid]}",
                ep.folder / EPISODE_FILE,
                "guid",
            )
        seen[guid] = ep.slug
    return guids


def _say(say: Callable[[str], None] | None, line: str) -> None:
    if say is not None:
        say(line)


def _write_records(path: Path, records: list[GuidRecord]) -> None:
    payload: dict[str, Any] = {"episodes": [asdict(r) for r in records]}
    datafile.write(path, GUIDS_VERSION, payload)


_TOP_COMMENTS = re.compile(rb"\A(?:[ \t]*(?:#[^\r\n]*)?(?:\r\n|\n))*")


def write_guid(toml_path: Path, guid: str) -> None:
    """Add ``guid = "..."`` to an ``episode.toml`` that has none, changing nothing else.

    The line goes after the comments and blank lines the file starts with
    (so it is in the top-level table, whatever follows), in the file's own
    line ending. The result is read back: it must be the same TOML plus the
    guid, or the file is left as it was. The file keeps its permissions.
    """
    raw = toml_path.read_bytes()
    try:
        before = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"not valid TOML: {e}", toml_path) from e
    if "guid" in before:
        raise ConfigError("already has a guid", toml_path, "guid")
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    head = _TOP_COMMENTS.match(raw)
    cut = head.end() if head else 0
    # A JSON string is a valid TOML basic string.
    line = b"guid = " + json.dumps(guid, ensure_ascii=False).encode() + newline
    text = raw[:cut] + line + raw[cut:]
    if tomllib.loads(text.decode("utf-8")) != {**before, "guid": guid}:
        raise ConfigError("could not add the guid without changing the rest", toml_path, "guid")
    fd, tmp = tempfile.mkstemp(prefix=f".{toml_path.name}.", suffix=".tmp", dir=toml_path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
        shutil.copymode(toml_path, tmp)
        os.replace(tmp, toml_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
