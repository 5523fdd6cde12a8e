"""Artwork as it goes inside a file: a JPEG or PNG of at most MAX_ARTWORK pixels a side.

The feed's cover may be up to 3000 px, which is a megabyte or more in every
episode's file; players show the embedded picture small, so a larger one is
reduced with Pillow (in its own format). A picture that fits is embedded
byte for byte.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from toolkit.errors import TaggingError
from toolkit.tag.model import Picture

__all__ = ["MAX_ARTWORK", "load_artwork", "picture_from_bytes"]

MAX_ARTWORK = 1400  # pixels, the longer side
JPEG_QUALITY = 90
_MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}


def load_artwork(path: Path, max_px: int = MAX_ARTWORK) -> Picture:
    """The picture at ``path`` ready to embed; raises :class:`TaggingError` naming it."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as e:
        raise TaggingError(f"artwork cannot be read ({e.strerror})", path, "image") from e
    return _load(path, stat.st_size, stat.st_mtime_ns, max_px)


@lru_cache(maxsize=8)
def _load(path: Path, size: int, mtime_ns: int, max_px: int) -> Picture:
    # size and mtime_ns are only part of the cache key: a changed file is read again.
    try:
        data = path.read_bytes()
    except OSError as e:
        raise TaggingError(f"artwork cannot be read ({e.strerror})", path, "image") from e
    try:
        return picture_from_bytes(data, max_px)
    except ValueError as e:
        raise TaggingError(str(e), path, "image") from e


def picture_from_bytes(data: bytes, max_px: int = MAX_ARTWORK) -> Picture:
    """``data`` (a JPEG or PNG) as a :class:`Picture`, reduced to ``max_px`` if larger.

    Raises ValueError when ``data`` is not a JPEG or PNG image.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            kind = im.format or ""
            if kind not in _MIME:
                raise ValueError(f"artwork is a {kind or 'unknown'} image, not a JPEG or PNG")
            width, height = im.size
            if max(width, height) <= max_px:
                return Picture(data, _MIME[kind], width, height)
            im.load()
            small = im.copy()
    except Image.DecompressionBombError as e:
        raise ValueError(f"artwork has too many pixels ({e})") from e
    except (UnidentifiedImageError, OSError) as e:
        raise ValueError("artwork is not a JPEG or PNG image") from e
    small.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        if small.mode not in ("RGB", "L"):
            small = small.convert("RGB")
        small.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        small.save(out, "PNG", optimize=True)
    return Picture(out.getvalue(), _MIME[kind], small.width, small.height)
