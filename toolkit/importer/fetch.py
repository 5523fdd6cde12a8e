"""Read a feed, or a file it refers to, from a path, a ``file://`` URL or the web.

Local paths in a feed are taken relative to the feed's own folder. Only
``file``, ``http`` and ``https`` are fetched; anything else is refused. Each
failure is a :class:`FeedError` naming the URL.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from toolkit.errors import FeedError

__all__ = ["Source", "download", "read_source", "resolve_local"]

TIMEOUT = 30  # seconds, for each web request
USER_AGENT = "podcast-toolkit import-feed"


@dataclass(frozen=True)
class Source:
    """Where a feed came from: what to name it in messages and how to resolve its paths."""

    name: str
    #: The feed's folder when it is a local file (its relative paths start there).
    folder: Path | None


def resolve_local(url: str, folder: Path | None) -> Path | None:
    """The local file a ``file://`` URL or a plain path names; None for other URLs."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FeedError(f"a file:// URL on another host ({parts.netloc}) cannot be read", url)
        return Path(url2pathname(unquote(parts.path)))
    if parts.scheme and len(parts.scheme) > 1:  # a drive letter is no scheme
        return None
    path = Path(unquote(url))
    return path if path.is_absolute() or folder is None else folder / path


def _open(url: str, folder: Path | None) -> tuple[IO[bytes], Path | None]:
    local = resolve_local(url, folder)
    if local is not None:
        try:
            return local.open("rb"), local
        except FileNotFoundError as e:
            raise FeedError("file not found", local) from e
        except OSError as e:
            raise FeedError(f"cannot read: {e.strerror or e}", local) from e
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise FeedError(f"cannot fetch a {scheme}: URL (only http, https and file)", url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return cast(IO[bytes], urllib.request.urlopen(request, timeout=TIMEOUT)), None
    except urllib.error.HTTPError as e:
        raise FeedError(f"the server answered {e.code} {e.reason}", url) from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise FeedError(f"cannot fetch: {reason}", url) from e


def read_source(source: str) -> tuple[bytes, Source]:
    """The bytes of the feed at ``source`` (a path or a URL)."""
    stream, local = _open(source, Path.cwd())
    try:
        data = stream.read()
    except OSError as e:
        raise FeedError(f"cannot read: {e}", source) from e
    finally:
        stream.close()
    return data, Source(str(local) if local else source, local.parent if local else None)


def download(url: str, dest: Path, folder: Path | None) -> int:
    """Copy what ``url`` names to ``dest``; returns its size in bytes."""
    stream, _ = _open(url, folder)
    try:
        with dest.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
    except OSError as e:
        dest.unlink(missing_ok=True)
        raise FeedError(f"download failed: {e}", url) from e
    finally:
        stream.close()
    return dest.stat().st_size
