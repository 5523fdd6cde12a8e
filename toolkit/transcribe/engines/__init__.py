"""Speech-recognition engines behind one interface.

Each engine turns streamed 16 kHz audio into the same :class:`Transcript`:
segments, words with their probabilities, the language (with its
probability when it was detected) and each segment's no-speech probability.

- ``openai``: openai-whisper, the default (:mod:`toolkit.transcribe.engines.openai`);
- ``faster``: faster-whisper on CTranslate2, an optional extra
  (``pip install 'podcast-toolkit[faster]'``; :mod:`toolkit.transcribe.engines.faster`).

Both decode each 30 s window without letting word timestamps steer where the
next window starts, then add the word timings window by window: with
word-timestamp seeking, a mistimed last word can push the next window past
speech that is then never transcribed (see :mod:`toolkit.transcribe.engines.decoding`).

Nothing here imports torch, whisper or faster_whisper until an engine runs.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from toolkit.errors import ModelError
from toolkit.transcribe.options import (
    COMPUTE_TYPES,
    ENGINES,
    ComputeType,
    Progress,
    Span,
    TranscribeOptions,
)

if TYPE_CHECKING:
    import numpy as np

    from toolkit.transcribe.transcript import Transcript

__all__ = ["COMPUTE_TYPES", "ComputeType", "ENGINES", "Engine", "Progress", "Span", "get_engine"]


class Engine(Protocol):
    """What :func:`get_engine` returns."""

    name: str

    def transcribe(
        self,
        chunks: Iterable[np.ndarray],
        options: TranscribeOptions,
        *,
        clips: Sequence[Span] | None = None,
        progress: Progress | None = None,
        threads: int = 0,
    ) -> Transcript:
        """Transcribe mono float32 16 kHz ``chunks`` (the whole audio, streamed).

        ``clips`` restricts decoding to these ``(start, end)`` seconds (speech
        found by voice activity detection); None decodes everything.
        ``threads`` is the number of CPU threads; 0 leaves the library's default
        (one per core). The text does not depend on it.
        """
        ...


def get_engine(name: str) -> Engine:
    """The engine called ``name``; :class:`ModelError` if unknown or not installed."""
    if name not in ENGINES:
        raise ModelError(f"unknown engine '{name}'; choose one of: {', '.join(ENGINES)}")
    module, distribution, extra = ENGINES[name]
    if importlib.util.find_spec(module) is None:
        how = f"'podcast-toolkit[{extra}]'" if extra else distribution
        raise ModelError(f"the {name} engine needs {distribution}; run: pip install {how}")
    engine: Engine = importlib.import_module(f"{__name__}.{name}").ENGINE
    return engine
