"""Every file a show names must lie inside the show folder, after symlinks.

A path in show.toml or episode.toml (the audio, the article, cover art, a
voice sample, the templates) is published or read into what is published.
An absolute path, ``..``, or a symlink that leaves the show folder would
publish any file on the machine, so :func:`confined` refuses it.
"""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.errors import ConfigError

__all__ = ["confined", "confined_tree"]


def _real(path: Path, toml: Path, field: str | None) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as e:  # a symlink loop, a NUL byte
        raise ConfigError(f"{str(path)!r}: the path cannot be resolved ({e})", toml, field) from e


def confined(base: Path, value: str, root: Path, toml: Path, field: str) -> Path:
    """``value`` (relative to ``base``) as a path, if it resolves inside ``root``.

    Raises :class:`ConfigError` naming ``toml`` and ``field`` otherwise. The
    path is returned as written (``base / value``); only the check resolves it.
    """
    path = Path(base) / value
    real, top = _real(path, toml, field), _real(Path(root), toml, field)
    if not real.is_relative_to(top):
        shown = f"{value} (which is {real})" if str(real) != value else value
        raise ConfigError(
            f"{shown} is outside the show folder {top}: only files inside it can be "
            "published (copy the file into the show folder)",
            toml,
            field,
        )
    return path


def confined_tree(folder: Path, root: Path, field: str) -> None:
    """Every entry under ``folder`` (the folder too) resolves inside ``root``.

    For the show's ``templates`` folder, whose files are rendered into the
    site: a symlink in it that leaves the show folder is refused, naming it.
    """
    if not folder.exists() and not folder.is_symlink():
        return
    confined(folder.parent, folder.name, root, folder, field)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            confined(Path(dirpath), name, root, Path(dirpath) / name, field)
