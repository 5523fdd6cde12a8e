"""Read a show folder for the checks, reporting every problem instead of the first.

:func:`toolkit.config.load_show` stops at the first bad field, as a build
must. The checks want all of them, and the raw TOML beside the validated
model (to tell a field that was left out from one that holds the default).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from toolkit.check.model import Finding, error
from toolkit.config import EPISODE_FILE, EPISODES_DIR, SHOW_FILE, Episode, Show
from toolkit.confine import confined
from toolkit.errors import ConfigError

__all__ = ["EpisodeSource", "ShowSource", "load_for_check"]

CHECK = "config"
M = TypeVar("M", bound=BaseModel)
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class EpisodeSource:
    folder: Path
    #: The raw TOML ({} when unreadable).
    data: dict[str, Any]
    #: The validated model; None when episode.toml is invalid.
    episode: Episode | None

    @property
    def path(self) -> Path:
        return self.folder / EPISODE_FILE


@dataclass
class ShowSource:
    root: Path
    data: dict[str, Any]
    show: Show | None
    episodes: list[EpisodeSource] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.root / SHOW_FILE


def _read(path: Path, findings: list[Finding]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        findings.append(error(CHECK, path, None, f"not valid TOML: {e}"))
    except OSError as e:
        findings.append(error(CHECK, path, None, f"cannot read: {e}"))
    return None


def _validate(
    model: type[M], data: dict[str, Any], path: Path, findings: list[Finding]
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        for problem in e.errors():
            loc = ".".join(str(p) for p in problem["loc"]) or None
            message = problem["msg"]
            if problem["type"] == "missing":
                message = "required field is missing"
            elif problem["type"] == "extra_forbidden":
                message = "unknown field"
            findings.append(error("fields", path, loc, message))
    return None


def _episode(folder: Path, root: Path, findings: list[Finding]) -> EpisodeSource:
    path = folder / EPISODE_FILE
    data = _read(path, findings)
    source = EpisodeSource(folder, data or {}, None)
    if not _SLUG.fullmatch(folder.name):
        findings.append(
            error(CHECK, folder, None, "the folder name is its URL: use letters, digits, . _ -")
        )
    if data is None:
        return source
    episode = _validate(Episode, data, path, findings)
    if episode is None:
        return source
    episode.slug, episode.folder = folder.name, folder
    source.episode = episode
    if episode.audio_url is not None:
        findings.append(
            error(
                CHECK,
                path,
                "audio",
                f"the audio is only a URL ({episode.audio_url}): the build needs the file; "
                "download it (toolkit import-feed --download)",
            )
        )
    elif _inside(folder, episode.audio, root, path, "audio", findings) and not (
        episode.audio_path.is_file()
    ):
        findings.append(error(CHECK, path, "audio", f"audio file {episode.audio_path} not found"))
    article = episode.article_path
    if (
        article is not None
        and episode.article is not None
        and _inside(folder, episode.article, root, path, "article", findings)
        and not article.is_file()
    ):
        findings.append(error(CHECK, path, "article", f"article file {article} not found"))
    return source


def _inside(
    base: Path, value: str, root: Path, path: Path, field: str, findings: list[Finding]
) -> bool:
    """Whether ``value`` resolves inside the show folder (as the build demands); if not,
    the loader's own error becomes a finding."""
    try:
        confined(base, value, root, path, field)
    except ConfigError as e:
        findings.append(error(CHECK, path, field, e.message))
        return False
    return True


def load_for_check(root: Path) -> tuple[ShowSource, list[Finding]]:
    """Read ``root``'s show.toml and every episode.toml; problems become findings.

    Raises :class:`ConfigError` only when ``root`` is no show folder at all.
    """
    root = Path(root)
    path = root / SHOW_FILE
    if not path.is_file():
        raise ConfigError(f"no {SHOW_FILE} here: not a show folder", root)
    findings: list[Finding] = []
    data = _read(path, findings)
    show = _validate(Show, data, path, findings) if data is not None else None
    if show is not None:
        show.root = root
    source = ShowSource(root, data or {}, show)
    base = root / EPISODES_DIR
    folders: list[Path] = []
    if base.is_dir():
        try:
            folders = sorted(p for p in base.iterdir() if (p / EPISODE_FILE).is_file())
        except OSError as e:
            raise ConfigError(f"cannot read: {e.strerror or e}", base) from e
    if not folders:
        findings.append(error(CHECK, base, None, f"no episode folders with an {EPISODE_FILE}"))
    source.episodes = [_episode(folder, root, findings) for folder in folders]
    return source, findings
