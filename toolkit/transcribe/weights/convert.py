"""Read CTranslate2 Whisper models and convert them into openai-whisper checkpoints.

CTranslate2 (the format faster-whisper uses) keeps a model in a folder holding
``model.bin`` and ``config.json``. ``model.bin`` (binary version 6, little-endian)
is a header, a list of named tensors and a list of aliases. openai-whisper wants
a ``torch.save``d dict instead: ``{"dims", "model_state_dict", "alignment_heads"}``.

Only :func:`convert_to_whisper_checkpoint` and :func:`build_whisper_checkpoint`
need torch; reading ``model.bin`` needs numpy alone.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BufferedReader
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ModelError
from toolkit.fsutil import atomic_path

SUPPORTED_BINARY_VERSION = 6
WHISPER_SPEC = "WhisperSpec"

# CTranslate2's dtype index order. bfloat16 has no numpy type: it is widened to float32.
_DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_NUMPY_DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype("<f4"),
    "int8": np.dtype("i1"),
    "int16": np.dtype("<i2"),
    "int32": np.dtype("<i4"),
    "float16": np.dtype("<f2"),
    "bfloat16": np.dtype("<u2"),
}
_SCALE_SUFFIX = "/weight_scale"
_MAX_ALIAS_DEPTH = 16


@dataclass
class Ct2Model:
    """The contents of one CTranslate2 ``model.bin``.

    Quantized weights are already dequantized (their ``weight_scale`` entries are
    consumed); bfloat16 weights are widened to float32.
    """

    spec: str
    revision: int
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def resolve_name(self, name: str) -> str:
        """Follow aliases from ``name`` to the name of a stored variable."""
        for _ in range(_MAX_ALIAS_DEPTH):
            if name in self.variables:
                return name
            if name not in self.aliases:
                raise KeyError(name)
            name = self.aliases[name]
        raise KeyError(f"alias loop at {name}")

    def get(self, name: str) -> np.ndarray:
        """The variable called ``name``, following aliases; ``KeyError`` if absent."""
        return self.variables[self.resolve_name(name)]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self.resolve_name(name)
        except KeyError:
            return False
        return True


class _PartsReader:
    """Read several files as one stream, one file open at a time.

    Errors name the file being read when they happen.
    """

    def __init__(self, paths: Sequence[Path]):
        if not paths:
            raise ModelError("no model.bin file given")
        self.paths = [Path(p) for p in paths]
        try:
            self._sizes = [p.stat().st_size for p in self.paths]
        except OSError as e:
            raise ModelError(f"cannot read model file: {e.strerror}", path=e.filename) from e
        self.total = sum(self._sizes)
        self.offset = 0
        self._index = 0
        self._file: BufferedReader | None = None

    @property
    def current_path(self) -> Path:
        return self.paths[min(self._index, len(self.paths) - 1)]

    @property
    def remaining(self) -> int:
        return self.total - self.offset

    def error(self, message: str) -> ModelError:
        if len(self.paths) > 1:
            joined = " + ".join(p.name for p in self.paths)
            message = f"{message} (model.bin joined from {joined})"
        return ModelError(message, path=self.current_path)

    def _current_file(self) -> BufferedReader | None:
        """The open file for the current part, opening it if needed; None past the end."""
        if self._file is None and self._index < len(self.paths):
            try:
                self._file = open(self.paths[self._index], "rb")  # noqa: SIM115 - see close()
            except OSError as e:
                raise self.error(f"cannot open model file: {e.strerror}") from e
        return self._file

    def read(self, n: int, what: str) -> bytearray:
        """Read exactly ``n`` bytes (``what`` names them for the error message)."""
        if n > self.remaining:
            raise self.error(
                f"truncated: {what} needs {n} bytes at offset {self.offset}, "
                f"but only {self.remaining} remain"
            )
        buf = bytearray(n)
        view = memoryview(buf)
        filled = 0
        while filled < n:
            file = self._current_file()
            if file is None:
                break
            got = file.readinto(view[filled:])
            if not got:
                self.close()
                self._index += 1
                continue
            filled += got
        self.offset += filled
        if filled < n:
            raise self.error(f"truncated: {what} ends early at offset {self.offset}")
        return buf

    def unpack(self, fmt: str, what: str) -> Any:
        data = self.read(struct.calcsize("<" + fmt), what)
        return struct.unpack("<" + fmt, data)[0]

    def string(self, what: str) -> str:
        length = self.unpack("H", f"{what} length")
        raw = self.read(length, what)
        if not raw or raw[-1] != 0:
            raise self.error(f"malformed {what} at offset {self.offset}: not NUL-terminated")
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.error(f"malformed {what} at offset {self.offset}: {e}") from e

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> _PartsReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_model_bin(paths: Path | Sequence[Path]) -> Ct2Model:
    """Read a CTranslate2 ``model.bin`` (binary version 6).

    ``paths`` is the file, or its parts in order, read as one stream without
    joining them on disk. Raises :class:`ModelError` naming the file for another
    binary version, a truncated or over-long file, or malformed contents.
    """
    parts = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    with _PartsReader(parts) as reader:
        version = reader.unpack("I", "binary version")
        if version != SUPPORTED_BINARY_VERSION:
            raise reader.error(
                f"unsupported CTranslate2 binary version {version} "
                f"(only version {SUPPORTED_BINARY_VERSION} is supported)"
            )
        spec = reader.string("spec name")
        revision = reader.unpack("I", "spec revision")
        count = reader.unpack("I", "variable count")
        raw: dict[str, np.ndarray] = {}
        for _ in range(count):
            name, array = _read_variable(reader)
            if name in raw:
                raise reader.error(f"variable {name!r} appears twice")
            raw[name] = array
        alias_count = reader.unpack("I", "alias count")
        aliases: dict[str, str] = {}
        for _ in range(alias_count):
            alias = reader.string("alias name")
            aliases[alias] = reader.string(f"target of alias {alias!r}")
        if reader.remaining:
            raise reader.error(
                f"{reader.remaining} unexpected bytes after the aliases at offset {reader.offset}"
            )
        try:
            variables = _dequantize(raw)
        except ValueError as e:
            raise reader.error(str(e)) from e
    return Ct2Model(spec=spec, revision=revision, variables=variables, aliases=aliases)


def _read_variable(reader: _PartsReader) -> tuple[str, np.ndarray]:
    name = reader.string("variable name")
    rank = reader.unpack("B", f"rank of {name!r}")
    shape = tuple(reader.unpack("I", f"shape of {name!r}") for _ in range(rank))
    dtype_index = reader.unpack("B", f"dtype of {name!r}")
    if dtype_index >= len(_DTYPES):
        raise reader.error(f"variable {name!r} has unknown dtype index {dtype_index}")
    dtype_name = _DTYPES[dtype_index]
    dtype = _NUMPY_DTYPES[dtype_name]
    nbytes = reader.unpack("I", f"byte count of {name!r}")
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes != expected:
        raise reader.error(
            f"variable {name!r} holds {nbytes} bytes, but shape {list(shape)} "
            f"of {dtype_name} needs {expected}"
        )
    data = reader.read(nbytes, f"data of {name!r}")
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    if dtype_name == "bfloat16":
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return name, array


def _dequantize(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Turn each int8/int16 ``<prefix>/weight`` with a ``<prefix>/weight_scale`` into float32."""
    variables = dict(raw)
    for scale_name in [n for n in raw if n.endswith(_SCALE_SUFFIX)]:
        weight_name = scale_name[: -len(_SCALE_SUFFIX)] + "/weight"
        weight = raw.get(weight_name)
        if weight is None or weight.dtype not in (np.int8, np.int16):
            continue
        scale = raw[scale_name].astype(np.float32)
        if scale.ndim > weight.ndim or weight.shape[: scale.ndim] != scale.shape:
            raise ValueError(
                f"scale {scale_name!r} of shape {list(scale.shape)} does not fit "
                f"weight of shape {list(weight.shape)}"
            )
        scale = scale.reshape(scale.shape + (1,) * (weight.ndim - scale.ndim))
        variables[weight_name] = weight.astype(np.float32) / scale
        del variables[scale_name]
    return variables


def encode_alignment_heads(heads: Iterable[Sequence[int]], n_layer: int, n_head: int) -> bytes:
    """Encode ``[[layer, head], ...]`` as openai-whisper does: base85(gzip(bool mask)).

    The mask has shape ``(n_layer, n_head)``; ``Whisper.set_alignment_heads``
    accepts the result. The gzip timestamp is zero, so the output is reproducible.
    """
    mask = np.zeros((n_layer, n_head), dtype=bool)
    for pair in heads:
        if len(pair) != 2:
            raise ValueError(f"alignment head {list(pair)} is not a [layer, head] pair")
        layer, head = (int(x) for x in pair)
        if not (0 <= layer < n_layer and 0 <= head < n_head):
            raise ValueError(
                f"alignment head [{layer}, {head}] is outside {n_layer} layers x {n_head} heads"
            )
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0))


def decode_alignment_heads(dump: bytes, n_layer: int, n_head: int) -> np.ndarray:
    """Decode whisper's base85(gzip(bool mask)) into a ``(n_layer, n_head)`` bool array."""
    mask = np.frombuffer(gzip.decompress(base64.b85decode(dump)), dtype=bool)
    return mask.reshape(n_layer, n_head).copy()


def model_bin_parts(model_dir: Path) -> list[Path]:
    """The ``model.bin`` of ``model_dir``, or its ``model.bin.partN`` files in order."""
    whole = model_dir / "model.bin"
    if whole.is_file():
        return [whole]
    numbered = []
    for p in model_dir.glob("model.bin.part*"):
        m = re.fullmatch(r"model\.bin\.part(\d+)", p.name)
        if m and p.is_file():
            numbered.append((int(m.group(1)), p))
    if not numbered:
        raise ModelError("no model.bin (or model.bin.partN files) in this folder", path=model_dir)
    return [p for _, p in sorted(numbered)]


def _read_config(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "config.json"
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"cannot read config: {e}", path=path) from e
    if not isinstance(config, dict):
        raise ModelError("config is not a JSON object", path=path)
    return config


class _Converter:
    """Map CTranslate2 Whisper variable names onto openai-whisper's state dict."""

    def __init__(self, model: Ct2Model, source: Path):
        self.model = model
        self.source = source
        self.used: set[str] = set()
        self.state: dict[str, np.ndarray] = {}

    def error(self, message: str) -> ModelError:
        return ModelError(message, path=self.source)

    def take(self, name: str) -> np.ndarray:
        try:
            real = self.model.resolve_name(name)
        except KeyError as e:
            raise self.error(f"variable {name!r} is missing") from e
        self.used.add(real)
        array = self.model.variables[real]
        if not np.issubdtype(array.dtype, np.floating):
            raise self.error(f"variable {name!r} is {array.dtype}, not a float tensor")
        return array

    def scalar(self, name: str) -> int:
        try:
            array = self.model.get(name)
        except KeyError as e:
            raise self.error(f"variable {name!r} is missing") from e
        if array.size != 1:
            raise self.error(f"variable {name!r} is not a scalar")
        return int(array.reshape(()))

    def put(self, key: str, array: np.ndarray) -> None:
        self.state[key] = array

    def linear(self, src: str, dest: str, bias: bool = True) -> None:
        self.put(f"{dest}.weight", self.take(f"{src}/weight"))
        if bias:
            self.put(f"{dest}.bias", self.take(f"{src}/bias"))

    def layer_norm(self, src: str, dest: str) -> None:
        self.put(f"{dest}.weight", self.take(f"{src}/gamma"))
        self.put(f"{dest}.bias", self.take(f"{src}/beta"))

    def fused(self, src: str, dests: Sequence[tuple[str, bool]]) -> None:
        """Split a fused linear along its rows; ``(name, False)`` parts have no bias."""
        weight = self.take(f"{src}/weight")
        bias = self.take(f"{src}/bias")
        n = len(dests)
        if weight.shape[0] % n or bias.shape != (weight.shape[0],):
            raise self.error(f"fused {src!r} of shape {list(weight.shape)} cannot split {n} ways")
        for (dest, has_bias), w, b in zip(
            dests, np.split(weight, n), np.split(bias, n), strict=True
        ):
            # Copies, so each tensor owns its storage and torch.save writes only it.
            self.put(f"{dest}.weight", w.copy())
            if has_bias:
                self.put(f"{dest}.bias", b.copy())
            elif np.any(b != 0):
                raise self.error(f"fused {src!r}: the bias of {dest} should be zero but is not")

    def layer_count(self, stack: str) -> int:
        found = set()
        for name in self.model.variables:
            m = re.match(rf"{stack}/layer_(\d+)/", name)
            if m:
                found.add(int(m.group(1)))
        if found != set(range(len(found))):
            raise self.error(f"{stack} layers are not numbered 0..N-1: {sorted(found)}")
        return len(found)

    def convert(self) -> tuple[dict[str, int], dict[str, np.ndarray]]:
        """Return ``(dims, state)``; raise :class:`ModelError` on anything unexpected."""
        if self.model.spec != WHISPER_SPEC:
            raise self.error(f"spec is {self.model.spec!r}, not {WHISPER_SPEC!r}")
        n_audio_layer = self.layer_count("encoder")
        n_text_layer = self.layer_count("decoder")

        self.linear("encoder/conv1", "encoder.conv1")
        self.linear("encoder/conv2", "encoder.conv2")
        self.put("encoder.positional_embedding", self.take("encoder/position_encodings/encodings"))
        self.layer_norm("encoder/layer_norm", "encoder.ln_post")
        for i in range(n_audio_layer):
            self._block(f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False)

        embedding = self.take("decoder/embeddings/weight")
        self.put("decoder.token_embedding.weight", embedding)
        self.put("decoder.positional_embedding", self.take("decoder/position_encodings/encodings"))
        self.layer_norm("decoder/layer_norm", "decoder.ln")
        for i in range(n_text_layer):
            self._block(f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True)
        if "decoder/projection/weight" in self.model:
            projection = self.take("decoder/projection/weight")
            if projection is not embedding and not np.array_equal(projection, embedding):
                raise self.error("decoder projection differs from the token embedding")

        unused = sorted(
            n for n, a in self.model.variables.items() if n not in self.used and a.ndim > 0
        )
        if unused:
            raise self.error(f"unexpected variables: {', '.join(unused[:5])}")

        conv1 = self.state["encoder.conv1.weight"]
        dims = {
            "n_mels": int(conv1.shape[1]),
            "n_audio_ctx": int(self.state["encoder.positional_embedding"].shape[0]),
            "n_audio_state": int(conv1.shape[0]),
            "n_audio_head": self.scalar("encoder/num_heads"),
            "n_audio_layer": n_audio_layer,
            "n_vocab": int(embedding.shape[0]),
            "n_text_ctx": int(self.state["decoder.positional_embedding"].shape[0]),
            "n_text_state": int(embedding.shape[1]),
            "n_text_head": self.scalar("decoder/num_heads"),
            "n_text_layer": n_text_layer,
        }
        return dims, self.state

    def _block(self, src: str, dest: str, cross: bool) -> None:
        self.fused(
            f"{src}/self_attention/linear_0",
            [
                (f"{dest}.attn.query", True),
                (f"{dest}.attn.key", False),
                (f"{dest}.attn.value", True),
            ],
        )
        self.linear(f"{src}/self_attention/linear_1", f"{dest}.attn.out")
        self.layer_norm(f"{src}/self_attention/layer_norm", f"{dest}.attn_ln")
        if cross:
            self.linear(f"{src}/attention/linear_0", f"{dest}.cross_attn.query")
            self.fused(
                f"{src}/attention/linear_1",
                [(f"{dest}.cross_attn.key", False), (f"{dest}.cross_attn.value", True)],
            )
            self.linear(f"{src}/attention/linear_2", f"{dest}.cross_attn.out")
            self.layer_norm(f"{src}/attention/layer_norm", f"{dest}.cross_attn_ln")
        self.linear(f"{src}/ffn/linear_0", f"{dest}.mlp.0")
        self.linear(f"{src}/ffn/linear_1", f"{dest}.mlp.2")
        self.layer_norm(f"{src}/ffn/layer_norm", f"{dest}.mlp_ln")


def build_whisper_checkpoint(
    model_dir: Path, parts: Sequence[Path] | None = None
) -> dict[str, Any]:
    """Build the openai-whisper checkpoint dict for the CTranslate2 model in ``model_dir``.

    ``parts`` overrides where ``model.bin`` is read from (its pieces, in order);
    by default it is ``model_dir/model.bin`` or ``model_dir/model.bin.partN``.
    ``config.json`` in ``model_dir``, when present, supplies the alignment heads.
    The state dict is checked against a real ``whisper.model.Whisper``.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    model_dir = Path(model_dir)
    files = [Path(p) for p in parts] if parts is not None else model_bin_parts(model_dir)
    config = _read_config(model_dir)
    dims, state = _Converter(read_model_bin(files), files[0]).convert()

    checkpoint: dict[str, Any] = {
        "dims": dims,
        "model_state_dict": {
            k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()
        },
    }
    heads = config.get("alignment_heads")
    if heads is not None:
        try:
            checkpoint["alignment_heads"] = encode_alignment_heads(
                heads, dims["n_text_layer"], dims["n_text_head"]
            )
        except (TypeError, ValueError) as e:
            raise ModelError(
                f"bad alignment_heads: {e}", path=model_dir / "config.json", field="alignment_heads"
            ) from e

    try:
        Whisper(ModelDimensions(**dims)).load_state_dict(checkpoint["model_state_dict"])
    except RuntimeError as e:
        raise ModelError(f"converted weights do not fit openai-whisper: {e}", path=files[0]) from e
    return checkpoint


def convert_to_whisper_checkpoint(
    model_dir: Path, dest: Path, *, parts: Sequence[Path] | None = None
) -> None:
    """Convert the CTranslate2 Whisper model in ``model_dir`` into a checkpoint at ``dest``.

    ``dest`` is written atomically and loads with ``whisper.load_model(dest)``;
    see :func:`build_whisper_checkpoint` for ``parts`` and what is checked.
    """
    import torch

    checkpoint = build_whisper_checkpoint(model_dir, parts)
    try:
        with atomic_path(Path(dest)) as tmp:
            torch.save(checkpoint, tmp)
    except OSError as e:
        raise ModelError(f"cannot write checkpoint: {e.strerror or e}", path=dest) from e
