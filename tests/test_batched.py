"""Batched decoding in the faster engine (faster-whisper's BatchedInferencePipeline)."""

from __future__ import annotations

import importlib.util
from dataclasses import asdict

import jiwer
import pytest

from toolkit.errors import ModelError
from toolkit.hashing import content_key
from toolkit.transcribe.engines.faster import batch_chunks
from toolkit.transcribe.options import ENGINE_REVISION, TranscribeOptions
from toolkit.transcribe.run import run_engine

from .helpers import SPEECH, normalise

JFK = SPEECH / "jfk.flac"
FASTER = pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None, reason="faster-whisper is not installed"
)


def test_batch_size_needs_the_faster_engine_and_at_least_one():
    with pytest.raises(ModelError, match="batch_size"):
        TranscribeOptions(engine="openai", batch_size=4)
    with pytest.raises(ModelError, match="batch_size"):
        TranscribeOptions(engine="faster", batch_size=0)


def _key_without_batch_size(options: TranscribeOptions, audio: str) -> str:
    """The key as the code before batch_size existed (3569ce2) made it, at this revision."""
    fields = asdict(options)
    del fields["batch_size"]
    return content_key(
        {
            "audio": audio,
            "model": options.model,
            "options": {**fields, "engine_revision": ENGINE_REVISION},
        }
    )


def test_unset_batch_size_keeps_the_cache_key():
    plain = TranscribeOptions(engine="faster")
    assert plain.cache_key("x") != TranscribeOptions(engine="faster", batch_size=8).cache_key("x")
    assert plain.cache_key("x") == _key_without_batch_size(plain, "x")
    hinted = TranscribeOptions(model="base", engine="faster", hotwords="PassBlue")
    assert hinted.cache_key("abc") == _key_without_batch_size(hinted, "abc")


def test_batch_chunks_pack_spans_within_30_s():
    chunks = batch_chunks([(0.0, 5.0), (6.0, 20.0), (21.0, 40.0), (41.0, 110.0)])
    assert all(e - s <= 30.0 + 1e-6 for s, e in chunks)
    assert chunks[0] == (0.0, 20.0)
    assert all(a[1] <= b[0] for a, b in zip(chunks, chunks[1:], strict=False))


@FASTER
def test_batched_matches_sequential_on_jfk():
    seq = run_engine(JFK, TranscribeOptions(model="tiny.en", engine="faster"), progress=False)
    bat = run_engine(
        JFK, TranscribeOptions(model="tiny.en", engine="faster", batch_size=4), progress=False
    )
    words = [w for s in bat.segments for w in s.words]
    assert words and all(0 <= w.start <= w.end <= bat.duration for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    text = lambda t: normalise(" ".join(s.text for s in t.segments))  # noqa: E731
    assert jiwer.wer(text(seq), text(bat)) < 0.1
