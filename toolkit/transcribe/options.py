"""Decoding options and the names every transcription module shares.

A leaf module: it imports nothing else of :mod:`toolkit.transcribe`, so the
engines, the runner and the cache can all depend on it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, get_args

from toolkit.errors import ModelError
from toolkit.hashing import content_key

__all__ = [
    "COMPUTE_TYPES",
    "ComputeType",
    "ENGINES",
    "ENGINE_REVISION",
    "Progress",
    "Span",
    "TASKS",
    "TranscribeOptions",
    "is_tiny",
]

Span = tuple[float, float]

Progress = Callable[[str, float, float], None]
"""Called as ``progress(phase, done, total)``: seconds of audio done out of ``total``
in ``phase`` ("reading", "transcribing", "word timings")."""

# Engine name → (module, the distribution that provides it, the extra that installs it).
ENGINES: dict[str, tuple[str, str, str | None]] = {
    "openai": ("whisper", "openai-whisper", None),
    "faster": ("faster_whisper", "faster-whisper", "faster"),
}

#: CTranslate2's computation types (the faster engine's ``compute_type``).
ComputeType = Literal[
    "default",
    "auto",
    "float32",
    "int8",
    "int8_float32",
    "int16",
    "float16",
    "bfloat16",
    "int8_float16",
    "int8_bfloat16",
]
COMPUTE_TYPES: tuple[str, ...] = get_args(ComputeType)


TASKS = ("transcribe", "translate")


def is_tiny(name_or_path: str | Path) -> bool:
    """Whether a model is one of the tiny ones: by its name, or its file or folder name.

    The tiny models get their own defaults: float32 in the faster engine, no
    article bias (:func:`toolkit.transcribe.bias.bias_by_default`).
    """
    return Path(str(name_or_path)).name.lower().startswith("tiny")


# Bumped when the engines' output changes for the same options, so that old cache
# entries miss. 2: word timings no longer steer seeking (no dropped speech).
# 3: the faster engine computes in int8 by default for models larger than tiny.
# 4: speech left without words is decoded again (toolkit.transcribe.gaps).
# 5: segments are sentences, rebuilt from the word timings (toolkit.transcribe.sentences).
# 6: the cache keeps the engine's own segments again; toolkit.transcribe.run.transcribe
#    makes the sentences from them on the way out (entries of 5 hold sentences).
# 7: words written again just after themselves (toolkit.transcribe.echoes) are decoded
#    again; the refill's clips are not conditioned on the clip before.
ENGINE_REVISION = 7


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding options; every field takes part in the cache key.

    ``engine`` is "openai" (openai-whisper) or "faster" (faster-whisper).
    ``task`` "translate" makes an English translation. ``beam_size`` None is
    greedy decoding, like whisper's Python API (the ``whisper`` CLI's default is
    5). ``initial_prompt`` conditions the first window, or every window with
    ``carry_initial_prompt`` (openai engine); ``hotwords`` biases every window
    (faster engine). ``vad`` decodes only the speech that voice activity
    detection finds; ``refill`` decodes again the speech a pass left without
    words (:mod:`toolkit.transcribe.gaps`). ``compute_type`` is the faster
    engine's precision (one of :data:`COMPUTE_TYPES`); None lets the engine choose per model
    (:func:`toolkit.transcribe.engines.faster.compute_type_for`). ``batch_size``
    (faster engine) decodes the speech in chunks of up to 30 s, that many at a
    time (faster-whisper's ``BatchedInferencePipeline``); None or 1: sequential
    windows. Unset it leaves the cache key as it was before the field existed.
    """

    model: str = "tiny.en"
    engine: str = "openai"
    language: str | None = None
    task: str = "transcribe"
    beam_size: int | None = None
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    initial_prompt: str | None = None
    carry_initial_prompt: bool = False
    hotwords: str | None = None
    word_timestamps: bool = True
    vad: bool = False
    refill: bool = True
    compute_type: str | None = None
    batch_size: int | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ModelError(f"unknown engine '{self.engine}'; choose one of: {', '.join(ENGINES)}")
        if self.task not in TASKS:
            raise ModelError(f"unknown task '{self.task}'; choose one of: {', '.join(TASKS)}")
        if self.beam_size is not None and self.beam_size < 1:
            raise ModelError(f"beam size must be at least 1, not {self.beam_size}")
        if self.compute_type is not None:
            if self.compute_type not in COMPUTE_TYPES:
                raise ModelError(
                    f"unknown compute type '{self.compute_type}'; "
                    f"choose one of: {', '.join(COMPUTE_TYPES)}"
                )
            if self.engine != "faster":
                raise ModelError(
                    f"compute type '{self.compute_type}' needs the faster engine "
                    f"(the {self.engine} engine computes in float32 on a CPU)"
                )

        if self.batch_size is not None:
            if self.batch_size < 1:
                raise ModelError(f"batch_size must be at least 1, not {self.batch_size}")
            if self.engine != "faster":
                raise ModelError(
                    f"batch_size {self.batch_size} needs the faster engine, not {self.engine}"
                )

    def cache_key(self, audio_sha256: str) -> str:
        """The key of this audio transcribed with these options.

        An unset ``batch_size`` is left out, so keys made before it existed still match.
        """
        options = asdict(self)
        if options["batch_size"] is None:
            del options["batch_size"]
        return content_key(
            {
                "audio": audio_sha256,
                "model": self.model,
                "options": {**options, "engine_revision": ENGINE_REVISION},
            }
        )
